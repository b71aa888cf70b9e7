#!/usr/bin/env bash
# Builds the `lucidity` binary inside the image build (the Dockerfile's `build` stage), for
# the architecture of the image being built (TARGETARCH) on whatever architecture the builder
# runs (BUILDARCH). Both are Docker's names, amd64 or arm64, which BuildKit sets.
#
# Compiling on the builder's own architecture and cross-linking is many times faster than
# compiling under QEMU emulation. It works because the only C code among the dependencies is
# ring's, which Debian's cross compilers build; ONNX Runtime is opened at run time, not
# linked, so nothing else of the target is needed here.
#
#   cross.sh toolchain   installs the cross compiler (when the two differ) and Rust's
#                        standard library for the target
#   cross.sh build OUT   builds `lucidity` (release, locked) and installs it at OUT
set -euo pipefail

die() {
    printf 'cross: error: %s\n' "$*" >&2
    exit 1
}

: "${TARGETARCH:?TARGETARCH must be set (BuildKit sets it)}"
: "${BUILDARCH:?BUILDARCH must be set (BuildKit sets it)}"

# Rust's target, the GNU tool prefix, Debian's architecture name and the ELF machine number
# (checked on the result) of each architecture the images are built for.
case $TARGETARCH in
    amd64)
        rust_target=x86_64-unknown-linux-gnu
        gnu_prefix=x86_64-linux-gnu
        compiler_package=gcc-x86-64-linux-gnu
        elf_machine=62
        ;;
    arm64)
        rust_target=aarch64-unknown-linux-gnu
        gnu_prefix=aarch64-linux-gnu
        compiler_package=gcc-aarch64-linux-gnu
        elf_machine=183
        ;;
    *) die "images are built for amd64 and arm64, not $TARGETARCH" ;;
esac

cross_compiling() {
    [[ $TARGETARCH != "$BUILDARCH" ]]
}

# Whether Rust's standard library for the target is installed.
has_standard_library() {
    compgen -G "$(rustc --print sysroot)/lib/rustlib/$rust_target/lib/libstd-*.rlib" >/dev/null
}

toolchain() {
    local packages=() rustup=false
    command -v rustup >/dev/null && rustup=true
    if cross_compiling; then
        packages+=("$compiler_package" "libc6-dev-$TARGETARCH-cross")
    fi
    # Docker Hub's rust images have rustup, which downloads the target's standard library.
    # A builder with Debian's packaged Rust (rustc-web, as deploy/tests/base-images.sh makes
    # on a network that only reaches Debian) takes it from Debian's package for the target.
    if ! $rustup && ! has_standard_library; then
        dpkg --add-architecture "$TARGETARCH"
        packages+=("libstd-rust-web-dev:$TARGETARCH")
    fi
    if ((${#packages[@]} > 0)); then
        DEBIAN_FRONTEND=noninteractive apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
            "${packages[@]}"
        rm -rf /var/lib/apt/lists/*
    fi
    if $rustup; then
        rustup target add "$rust_target"
    fi
    has_standard_library || die "no standard library for $rust_target"
}

build() {
    local out=$1

    # Cargo and the `cc` crate read the linker, compiler and archiver per target from these.
    if cross_compiling; then
        local upper=${rust_target^^}
        local lower=${rust_target//-/_}
        export "CARGO_TARGET_${upper//-/_}_LINKER=$gnu_prefix-gcc"
        export "CC_$lower=$gnu_prefix-gcc"
        export "AR_$lower=$gnu_prefix-ar"
    fi
    # One target directory per architecture, so that the two builds of a multi-platform
    # image run side by side instead of waiting for each other's lock.
    export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-/cargo-target}/$TARGETARCH
    # Without the workspace's line tables the binary is a quarter of the size (about 50 MB
    # instead of 200). Nothing is lost that production reads: a panic names its source
    # location either way, and the symbol table, kept, names the functions of a backtrace.
    export CARGO_PROFILE_RELEASE_DEBUG=false

    cargo build --release --locked -p lucidity --target "$rust_target"

    local binary=$CARGO_TARGET_DIR/$rust_target/release/lucidity
    # e_machine, at byte 18 of the ELF header: a wrongly configured linker would show here
    # rather than as an image that cannot start.
    local machine
    machine=$(od -An -t u2 -j 18 -N 2 "$binary" | tr -d ' ')
    [[ $machine == "$elf_machine" ]] ||
        die "$binary is for ELF machine $machine, not $TARGETARCH ($elf_machine)"
    install -D -m 0755 "$binary" "$out"
}

case ${1:-} in
    toolchain) toolchain ;;
    build)
        (($# == 2)) || die "usage: cross.sh build OUT"
        build "$2"
        ;;
    *) die "usage: cross.sh toolchain | cross.sh build OUT" ;;
esac
