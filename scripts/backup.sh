#!/usr/bin/env bash
# Backs up this checkout's instance while it runs: `lucidity admin backup DIR` with the same
# settings and data directory as scripts/run.sh (its .env; ./data, or /var/lib/lucidity for
# root). DIR must be new or empty. What a backup holds and how to restore it:
# docs/deploy/backup.md. LUCIDITY_BIN names another binary (the release build by default).
# shellcheck source-path=SCRIPTDIR
set -euo pipefail

SCRIPT_NAME="backup"
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=lib/common.sh
source "$repo/scripts/lib/common.sh"
# shellcheck source=lib/checkout.sh
source "$repo/scripts/lib/checkout.sh"

if (($# != 1)) || [[ $1 == -* ]]; then
    die "usage: scripts/backup.sh DIR (a new directory, such as /var/backups/lucidity/\$(date +%F))"
fi
# Resolved before moving to the checkout, which settings and the data directory are relative to.
dir=$(realpath -m -- "$1")

cd "$repo"
binary=$(release_binary)
choose_data_dir
exec "$binary" admin backup "$dir"
