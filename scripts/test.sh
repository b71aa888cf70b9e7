#!/usr/bin/env bash
# Runs the whole test suite against real services: installs what is missing, starts a test
# PostgreSQL, Redis (plain and TLS) and PgBouncer (TLS) in a temporary directory, runs
# `cargo test --workspace "$@"`, then the end-to-end tests of the web UI in headless Chromium
# (scripts/lib/e2e.sh: not with `-p`, nor with LUCIDITY_SKIP_E2E=1; LUCIDITY_E2E_ONLY=1 runs
# them alone), then the deployment checks: linters and the AWS emulator
# (scripts/lib/deploy-checks.sh: not with `-p`, LUCIDITY_E2E_ONLY=1 nor
# LUCIDITY_SKIP_DEPLOY_CHECKS=1; LUCIDITY_DEPLOY_ONLY=1 runs them alone, without the test
# services), and stops everything whatever happens. Exits non-zero when any part failed.
# shellcheck source-path=SCRIPTDIR
set -euo pipefail

SCRIPT_NAME="test"
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=lib/common.sh
source "$repo/scripts/lib/common.sh"
# shellcheck source=lib/packages.sh
source "$repo/scripts/lib/packages.sh"
# shellcheck source=lib/test-services.sh
source "$repo/scripts/lib/test-services.sh"
# shellcheck source=lib/e2e.sh
source "$repo/scripts/lib/e2e.sh"
# shellcheck source=lib/deploy-checks.sh
source "$repo/scripts/lib/deploy-checks.sh"

TEST_PASSWORD=test-password

started=$SECONDS
"$repo/scripts/install.sh" --test
log "install took $((SECONDS - started))s"

# The deployment checks need none of the services below.
if [[ ${LUCIDITY_DEPLOY_ONLY:-} == 1 ]]; then
    status=0
    run_deploy_checks || status=$?
    exit "$status"
fi

PG_BIN=${LUCIDITY_POSTGRES_BIN:-$PGSERVER_BIN}
[[ -x $PG_BIN/initdb ]] ||
    die "no PostgreSQL in $PG_BIN: unset LUCIDITY_POSTGRES_BIN to use $PGSERVER_BIN"
TEST_DIR=$(mktemp -d -t lucidity-test.XXXXXX)
trap 'stop_e2e_server || true; stop_test_services' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
# The services' account must be able to enter it.
chmod 755 "$TEST_DIR"

started=$SECONDS
read -r PG_PORT REDIS_PORT REDIS_TLS_PORT PGBOUNCER_PORT < <(free_ports 4)
make_test_certificates
start_test_postgres "$PG_PORT"
start_test_redis "$REDIS_PORT"
start_test_redis_tls "$REDIS_TLS_PORT"
start_test_pgbouncer "$PGBOUNCER_PORT" "$TEST_PASSWORD"
log "services answered after $((SECONDS - started))s in $TEST_DIR"

export LUCIDITY_POSTGRES_BIN=$PG_BIN
export LUCIDITY_TEST_PG_SOCKET_DIR=$PG_SOCKET_DIR
export LUCIDITY_TEST_PG_PORT=$PG_PORT
export LUCIDITY_TEST_PG_USER=cl_user
export LUCIDITY_TEST_REDIS_URL=redis://127.0.0.1:$REDIS_PORT/0
export LUCIDITY_TEST_REDIS_TLS_URL=rediss://localhost:$REDIS_TLS_PORT/0
export LUCIDITY_TEST_PGBOUNCER_PORT=$PGBOUNCER_PORT
export LUCIDITY_TEST_PGBOUNCER_PASSWORD=$TEST_PASSWORD
export LUCIDITY_TEST_CA_FILE=$TEST_DIR/tls/ca.pem

# Cargo ignores `-p` beside `--workspace`: a run narrowed to some packages drops the latter.
names_packages() {
    local arg
    for arg in "$@"; do
        case "$arg" in
            --) return 1 ;;
            -p | -p* | --package | --package=*) return 0 ;;
        esac
    done
    return 1
}

cd "$repo"
scope=(--workspace)
if names_packages "$@"; then
    scope=()
fi
status=0
if [[ ${LUCIDITY_E2E_ONLY:-} != 1 ]]; then
    cargo test "${scope[@]}" "$@" || status=$?
fi
# The end-to-end tests use their own database (db 2) of the test Redis, apart from cargo's.
if [[ ${LUCIDITY_SKIP_E2E:-} != 1 ]] && ! names_packages "$@"; then
    e2e_status=0
    run_e2e_tests "redis://127.0.0.1:$REDIS_PORT/2" || e2e_status=$?
    ((status != 0)) || status=$e2e_status
fi
if [[ ${LUCIDITY_SKIP_DEPLOY_CHECKS:-} != 1 && ${LUCIDITY_E2E_ONLY:-} != 1 ]] &&
    ! names_packages "$@"; then
    deploy_status=0
    run_deploy_checks || deploy_status=$?
    ((status != 0)) || status=$deploy_status
fi
exit "$status"
