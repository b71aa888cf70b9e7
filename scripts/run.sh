#!/usr/bin/env bash
# Runs Lucidity on one machine: installs what is missing, builds the release binary and
# execs `lucidity serve` on the embedded PostgreSQL. Arguments go to `lucidity serve`.
# shellcheck source-path=SCRIPTDIR
set -euo pipefail

SCRIPT_NAME="run"
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=lib/common.sh
source "$repo/scripts/lib/common.sh"
# shellcheck source=lib/checkout.sh
source "$repo/scripts/lib/checkout.sh"

cd "$repo"
scripts/install.sh
cargo build --release -p lucidity
choose_data_dir

target_dir=${CARGO_TARGET_DIR:-$repo/target}
exec "$target_dir/release/lucidity" serve "$@"
