# The end-to-end tests of the web UI: a real `lucidity serve` on the embedded PostgreSQL in
# a temporary directory, driven by headless Chromium (Debian's) through the Node.js tests in
# e2e/tests. Sourced by scripts/test.sh, which runs them after `cargo test --workspace`, and
# not when the run is narrowed with `-p` or LUCIDITY_SKIP_E2E=1 is set.
#
# To run only this part (the test services still start; `cargo test` is skipped):
#     LUCIDITY_E2E_ONLY=1 scripts/test.sh
# One test file, or tests whose name matches, go through E2E_TESTS and E2E_NAME_PATTERN:
#     LUCIDITY_E2E_ONLY=1 E2E_TESTS=e2e/tests/01-sign-in.test.mjs scripts/test.sh
#
# Screenshots land in docs/screenshots. Callers set TEST_DIR, `repo` and SCRIPT_NAME, and call
# stop_e2e_server from their exit trap, so an interrupted run still stops PostgreSQL.
# shellcheck shell=bash disable=SC2154 # `repo` is the sourcing script's

# The `lucidity serve` this script started, for stop_e2e_server.
E2E_SERVE_PID=

# From launch until the front door and `/api/ready` answer; a first start runs initdb.
E2E_START_SECONDS=180
# From SIGTERM until serve (and its PostgreSQL) has exited; its own grace period is 30 s.
E2E_STOP_SECONDS=90
# The whole node test run; each test has its own, shorter limit in e2e/support.mjs.
E2E_RUN_SECONDS=1200
# Lines of serve's log shown when something fails; its logs never hold passwords or tokens.
E2E_LOG_LINES=60
# The oldest Node.js that playwright-core supports and whose test runner has
# `--test-concurrency`: 20.10.
E2E_NODE_MAJOR=20
E2E_NODE_MINOR=10
# The seeded administrator; its password is made up per run.
E2E_ADMIN_EMAIL=admin@localhost

# Variables passed to serve from this environment: where programs, the PostgreSQL binaries
# and the installed model and assets are. Nothing else, so neither the developer's settings
# nor a `.env` change what is tested.
E2E_KEPT_VARIABLES=(PATH HOME TMPDIR LANG LUCIDITY_POSTGRES_BIN LUCIDITY_POSTGRES_OS_USER
    LUCIDITY_MODEL_DIR LUCIDITY_WEB_ASSETS_DIR)

# Whether `node` is at least E2E_NODE_MAJOR.E2E_NODE_MINOR; prints what was found otherwise.
e2e_node_usable() {
    local version major minor rest
    version=$(node --version 2>/dev/null) || { echo "no node"; return 1; }
    IFS=. read -r major minor rest <<<"${version#v}"
    if ((major < E2E_NODE_MAJOR || (major == E2E_NODE_MAJOR && minor < E2E_NODE_MINOR))); then
        echo "node $version"
        return 1
    fi
}

# Answers whether URL answers 200, with Node's fetch (curl is not among the packages).
e2e_http_ok() {
    node -e 'fetch(process.argv[1], { signal: AbortSignal.timeout(5000) })
        .then((r) => process.exit(r.status === 200 ? 0 : 1), () => process.exit(1))' "$1"
}

e2e_serve_log_tail() {
    log "the end of the serve log:"
    tail -n "$E2E_LOG_LINES" "$TEST_DIR/e2e/serve.log" >&2 || true
}

# Starts serve in TEST_DIR/e2e on free loopback ports; REDIS_URL is the queue, or the
# PostgreSQL table when empty. Sets E2E_SERVE_PID and E2E_BASE_URL.
start_e2e_server() {
    local binary=$1 redis_url=$2 admin_password=$3
    local dir=$TEST_DIR/e2e
    # As root, PostgreSQL runs as an unprivileged account that must enter the data dir.
    mkdir -p "$dir/data" "$dir/storage" && chmod 755 "$dir" "$dir/data" || return 1

    local api_port web_port
    read -r api_port web_port < <(free_ports 2) || return 1
    local environment=() name
    for name in "${E2E_KEPT_VARIABLES[@]}"; do
        if [[ -n ${!name:-} ]]; then
            environment+=("$name=${!name}")
        fi
    done
    # NO_COLOR: the log is a file, read in CI's output. Every browser and API request comes
    # from 127.0.0.1, so the per-address sign-in limit would count all tests' deliberate
    # failures together; the per-account one stays.
    environment+=(
        APP_ENV=development LOG_LEVEL=INFO NO_COLOR=1 BIND_ADDRESS=127.0.0.1
        "API_PORT=$api_port" "WEB_PORT=$web_port"
        "LUCIDITY_DATA_DIR=$dir/data" "STORAGE_PATH=$dir/storage"
        "REDIS_URL=$redis_url"
        "DEFAULT_ADMIN_EMAIL=$E2E_ADMIN_EMAIL" "DEFAULT_ADMIN_PASSWORD=$admin_password"
        LOGIN_MAX_FAILURES_PER_ADDRESS=10000
    )

    (cd "$dir" && exec env -i "${environment[@]}" "$binary" serve) >"$dir/serve.log" 2>&1 &
    E2E_SERVE_PID=$!
    E2E_BASE_URL=http://127.0.0.1:$web_port
}

# Waits until the login page and the API's readiness (database, queue, storage) answer 200
# through the front door, or serve exits, or E2E_START_SECONDS pass.
wait_for_e2e_server() {
    local deadline=$((SECONDS + E2E_START_SECONDS))
    while ((SECONDS < deadline)); do
        if ! kill -0 "$E2E_SERVE_PID" 2>/dev/null; then
            log "lucidity serve exited before it answered"
            e2e_serve_log_tail
            return 1
        fi
        if e2e_http_ok "$E2E_BASE_URL/" && e2e_http_ok "$E2E_BASE_URL/api/ready"; then
            return 0
        fi
        sleep 0.3
    done
    log "lucidity serve did not answer within ${E2E_START_SECONDS}s"
    e2e_serve_log_tail
    return 1
}

# Stops serve with SIGTERM and waits for it, so it stops its PostgreSQL itself; kills it and
# stops PostgreSQL directly if it does not exit in time. Fails when the stop was not clean;
# the caller shows the log.
stop_e2e_server() {
    local pid=$E2E_SERVE_PID
    [[ -n $pid ]] || return 0
    E2E_SERVE_PID=
    local pgdata=$TEST_DIR/e2e/data/postgres/data clean=true

    kill -TERM "$pid" 2>/dev/null || true
    local deadline=$((SECONDS + E2E_STOP_SECONDS))
    while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do
        sleep 0.2
    done
    if kill -0 "$pid" 2>/dev/null; then
        log "lucidity serve ignored SIGTERM for ${E2E_STOP_SECONDS}s; killing it"
        kill -KILL "$pid" 2>/dev/null || true
        clean=false
    fi
    local status=0
    wait "$pid" 2>/dev/null || status=$?
    if ((status != 0)) && [[ $clean == true ]]; then
        log "lucidity serve exited with status $status after SIGTERM"
        clean=false
    fi

    if [[ -f $pgdata/postmaster.pid ]]; then
        log "the end-to-end PostgreSQL outlived lucidity serve; stopping it"
        as_service_user "$PG_BIN/pg_ctl" stop -D "$pgdata" -m fast -w >/dev/null 2>&1 || true
        clean=false
    fi
    [[ $clean == true ]]
}

# The test files to run: E2E_TESTS (space-separated paths, relative to the checkout or
# absolute) or every e2e/tests/*.test.mjs.
e2e_test_files() {
    if [[ -n ${E2E_TESTS:-} ]]; then
        local file
        for file in $E2E_TESTS; do
            [[ $file == /* ]] || file=$repo/$file
            printf '%s\n' "$file"
        done
    else
        printf '%s\n' "$repo"/e2e/tests/*.test.mjs
    fi
}

# Builds the debug binary, starts it, runs the tests against it and stops it. REDIS_URL
# (optional) is the test Redis. Returns non-zero when any step or test failed. Callers run it
# as a condition (`|| status=$?`), where `set -e` is off, so every step checks for itself.
run_e2e_tests() {
    local redis_url=${1:-} started=$SECONDS found
    if ! found=$(e2e_node_usable); then
        log "the end-to-end tests need Node.js $E2E_NODE_MAJOR.$E2E_NODE_MINOR or later" \
            "($found); install it, or set LUCIDITY_SKIP_E2E=1 to leave them out"
        return 1
    fi
    [[ -d $repo/e2e/node_modules/playwright-core ]] ||
        { log "e2e/node_modules is missing: run scripts/install.sh --test"; return 1; }

    log "building lucidity for the end-to-end tests"
    cargo build --quiet -p lucidity --bin lucidity || return 1
    local target_dir
    target_dir=$(cargo metadata --format-version 1 --no-deps |
        python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])') ||
        return 1

    # Random per run, so the seeded administrator never has a known password; never logged.
    local admin_password
    admin_password=E2e-$(openssl rand -hex 12)
    start_e2e_server "$target_dir/debug/lucidity" "$redis_url" "$admin_password" || return 1
    if ! wait_for_e2e_server; then
        stop_e2e_server || log "lucidity serve did not stop cleanly either"
        return 1
    fi
    log "lucidity serve answered at $E2E_BASE_URL after $((SECONDS - started))s"

    local files status=0
    mapfile -t files < <(e2e_test_files)
    local options=(--test --test-concurrency=1 --test-reporter=spec)
    if [[ -n ${E2E_NAME_PATTERN:-} ]]; then
        options+=("--test-name-pattern=$E2E_NAME_PATTERN")
    fi
    (
        cd "$repo/e2e" &&
            E2E_BASE_URL=$E2E_BASE_URL E2E_ADMIN_EMAIL=$E2E_ADMIN_EMAIL \
                E2E_ADMIN_PASSWORD=$admin_password E2E_SCREENSHOT_DIR=$repo/docs/screenshots \
                timeout --kill-after=10 "$E2E_RUN_SECONDS" node "${options[@]}" "${files[@]}"
    ) || status=$?
    if ((status != 0)); then
        log "the end-to-end tests failed (status $status)"
    fi

    if ! stop_e2e_server; then
        log "lucidity serve did not stop cleanly"
        ((status != 0)) || status=1
    fi
    if ((status != 0)); then
        e2e_serve_log_tail
    fi
    log "the end-to-end tests took $((SECONDS - started))s"
    return "$status"
}
