#!/usr/bin/env bash
# Restores a backup into this checkout's instance, which must be stopped:
# `lucidity admin restore DIR` with the same settings and data directory as scripts/run.sh.
# The database must be empty (a fresh data directory) unless --force is given, which replaces
# it. Run scripts/run.sh afterwards. See docs/deploy/backup.md. LUCIDITY_BIN names another
# binary (the release build by default).
# shellcheck source-path=SCRIPTDIR
set -euo pipefail

SCRIPT_NAME="restore"
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=lib/common.sh
source "$repo/scripts/lib/common.sh"
# shellcheck source=lib/checkout.sh
source "$repo/scripts/lib/checkout.sh"

usage="usage: scripts/restore.sh [--force] DIR"
force=()
dir=
for arg in "$@"; do
    case "$arg" in
        --force) force=(--force) ;;
        -*) die "$usage" ;;
        *) [[ -z $dir ]] || die "$usage"; dir=$arg ;;
    esac
done
[[ -n $dir ]] || die "$usage"
# Resolved before moving to the checkout, which settings and the data directory are relative to.
dir=$(realpath -m -- "$dir")

cd "$repo"
binary=$(release_binary)
choose_data_dir
exec "$binary" admin restore "${force[@]}" "$dir"
