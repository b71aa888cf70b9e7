#!/usr/bin/env bash
# Installs the reference the embedding benchmark compares against: ONNX Runtime and Hugging
# Face tokenizers from PyPI in a virtual environment of their own, /opt/lucidity/venv-bench
# (LUCIDITY_BENCH_VENV overrides it). Only scripts/bench-embeddings.py uses it. Every package is
# pinned and installed without dependency resolution, so the environment is the same each time.
# Idempotent. Runs as root, or as a user with sudo.
# shellcheck source-path=SCRIPTDIR
set -euo pipefail

SCRIPT_NAME="install-bench"
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# shellcheck source=common.sh
source "$repo/scripts/lib/common.sh"

BENCH_VENV=${LUCIDITY_BENCH_VENV:-/opt/lucidity/venv-bench}

# onnxruntime must match the library install-model.sh unpacks, so both sides run the same
# runtime. The others are what onnxruntime imports; tokenizers' own dependencies (the Hugging
# Face hub client) serve only downloads, which the benchmark never makes.
BENCH_REQUIREMENTS=(
    onnxruntime==1.31.1
    tokenizers==0.23.3
    numpy==2.4.6
    protobuf==7.36.2
    flatbuffers==25.12.19
    packaging==26.4
)

installed() {
    "$BENCH_VENV/bin/python" - "${BENCH_REQUIREMENTS[@]}" >/dev/null 2>&1 <<'EOF'
import sys
from importlib.metadata import version

for requirement in sys.argv[1:]:
    name, wanted = requirement.split("==")
    if version(name) != wanted:
        sys.exit(1)
import onnxruntime, tokenizers  # noqa: E401,F401 (the imports are the check)
EOF
}

main() {
    if installed; then
        return 0
    fi
    python3 -c 'import ensurepip, venv' >/dev/null 2>&1 ||
        die "python3 cannot make virtual environments: install Debian's python3-venv"

    log "installing ${BENCH_REQUIREMENTS[*]} into $BENCH_VENV"
    as_root python3 -m venv "$BENCH_VENV"
    as_root "$BENCH_VENV/bin/pip" install --quiet --no-deps --only-binary=:all: \
        "${BENCH_REQUIREMENTS[@]}"
    installed || die "the benchmark environment in $BENCH_VENV does not import onnxruntime"
}

main "$@"
