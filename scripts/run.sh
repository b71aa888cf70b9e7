#!/usr/bin/env bash
# Runs Lucidity on one machine: installs what is missing, builds the release binary and
# execs `lucidity serve` on the embedded PostgreSQL. Arguments go to `lucidity serve`.
# shellcheck source-path=SCRIPTDIR
set -euo pipefail

SCRIPT_NAME="run"
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=lib/common.sh
source "$repo/scripts/lib/common.sh"

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

cd "$repo"
scripts/install.sh
cargo build --release -p lucidity
choose_data_dir

target_dir=${CARGO_TARGET_DIR:-$repo/target}
exec "$target_dir/release/lucidity" serve "$@"
