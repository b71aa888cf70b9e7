# How the scripts run this checkout's instance, so that run.sh, backup.sh and restore.sh
# agree on the binary and the data directory. Sourced after common.sh by scripts that set
# `repo` and run from it.

# As root, the embedded PostgreSQL runs as an unprivileged account, which cannot enter a
# checkout under /root: then keep the data in /var/lib/lucidity unless told otherwise.
choose_data_dir() {
    if ! is_root || [[ -n ${LUCIDITY_DATA_DIR:-} ]]; then
        return 0
    fi
    if [[ -f $repo/.env ]] && grep -qi '^[[:space:]]*LUCIDITY_DATA_DIR=' "$repo/.env"; then
        return 0
    fi
    local account=${LUCIDITY_POSTGRES_OS_USER:-$SERVICE_USER}
    if ! runuser -u "$account" -- test -x "$repo" 2>/dev/null; then
        export LUCIDITY_DATA_DIR=/var/lib/lucidity
        log "the account $account cannot enter $repo: keeping data in $LUCIDITY_DATA_DIR" \
            "(set LUCIDITY_DATA_DIR to choose another place)"
    fi
}

# Prints the path of the release binary, building it first when it is missing. An existing
# binary is used as it is: a backup run by cron may have no cargo on its PATH.
release_binary() {
    if [[ -n ${LUCIDITY_BIN:-} ]]; then
        printf '%s\n' "$LUCIDITY_BIN"
        return 0
    fi
    local binary=${CARGO_TARGET_DIR:-$repo/target}/release/lucidity
    if [[ ! -x $binary ]]; then
        log "building $binary"
        cargo build --release -p lucidity >&2
    fi
    printf '%s\n' "$binary"
}
