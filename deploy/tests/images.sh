#!/usr/bin/env bash
# The container images, built from the Dockerfile and checked, and docker-compose.yml run
# from them. Needs a Docker engine that builds with BuildKit.
#
#   deploy/tests/images.sh [--arch amd64|arm64] [--offline] [--no-compose]
#
#   --arch amd64   (default) builds the three images, checks each (below), then runs
#                  deploy/tests/test_compose.py: the five services from these images, with a
#                  PDF and a scan through the pipeline
#   --arch arm64   the same three images for ARM64 (Graviton), and the same checks, run
#                  under QEMU emulation (qemu-user-static registered with binfmt_misc); the
#                  binary is cross-compiled on the builder (deploy/docker/cross.sh). No
#                  Compose run: the stand-in database of --offline exists for x86-64 only
#   --offline      Docker Hub cannot be reached: build on the local stand-ins of
#                  deploy/tests/base-images.sh, and without the Dockerfile's `# syntax=` line
#                  (BuildKit would fetch that front end from Docker Hub; the engine's own
#                  front end reads the same file). Without the flag it is chosen when Docker
#                  Hub's name does not resolve
#   --no-compose   only build and check the images
#
# Without a Docker engine answering, it installs Debian's (docker.io; with docker-compose
# when there is no Compose v2, and debootstrap for the stand-ins), starts it for the run and
# stops it at the end.
#
# Each image is checked for: uid and gid 1000 as its user; the tini entrypoint and the
# subcommand as its command; a health check; no compiler, package manager cache or apt list
# left; no secret in its environment; `lucidity --version` running; the OCR tools and
# the model in the backend and the worker, neither in the front end; the font in the
# front end. DOCKER names the Docker client (default: `docker` when it has the buildx plugin,
# else Debian's /usr/bin/docker, whose 20.10 client builds with BuildKit by itself); COMPOSE
# the Compose command (default `docker compose`, else docker-compose).
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
SCRIPT_NAME=images
# shellcheck source=scripts/lib/common.sh
source "$repo/scripts/lib/common.sh"

arch=amd64
offline=
compose=true
while (($# > 0)); do
    case $1 in
        --arch) arch=${2:?--arch needs amd64 or arm64}; shift 2 ;;
        --offline) offline=true; shift ;;
        --no-compose) compose=false; shift ;;
        *) die "unknown argument: $1 (see the header of ${BASH_SOURCE[0]})" ;;
    esac
done
[[ $arch == amd64 || $arch == arm64 ]] || die "--arch is amd64 or arm64, not $arch"
if [[ -z $offline ]]; then
    offline=false
    getent hosts registry-1.docker.io >/dev/null || offline=true
fi

log_dir=$(mktemp -d)
engine_pid=
context_dockerfile=
finish() {
    rm -f "$context_dockerfile"
    if [[ -n $engine_pid ]]; then
        log "stopping the Docker engine this run started"
        as_root kill "$engine_pid" 2>/dev/null || true
        wait "$engine_pid" 2>/dev/null || true
    fi
}
trap finish EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# A client that builds with BuildKit.
if [[ -n ${DOCKER:-} ]]; then
    docker=$DOCKER
elif docker buildx version >/dev/null 2>&1; then
    docker=docker
else
    docker=/usr/bin/docker
fi

# Installs what is missing of Debian's engine, client and tools.
install_tools() {
    local packages=()
    command -v dockerd >/dev/null || packages+=(docker.io)
    [[ -x $docker ]] || command -v "$docker" >/dev/null || packages+=(docker.io)
    if $compose && ! "$docker" compose version >/dev/null 2>&1 &&
        ! command -v docker-compose >/dev/null; then
        packages+=(docker-compose)
    fi
    if $offline; then
        command -v debootstrap >/dev/null || packages+=(debootstrap)
    fi
    if [[ $arch != "$(dpkg --print-architecture)" ]] && ! command -v update-binfmts >/dev/null
    then
        packages+=(qemu-user-static binfmt-support)
    fi
    if ((${#packages[@]} > 0)); then
        log "installing ${packages[*]}"
        as_root apt-get update -qq
        as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
            --no-install-recommends "${packages[@]}" >/dev/null
    fi
}

# Starts Debian's engine when none answers; finish() stops it.
start_engine() {
    "$docker" info >/dev/null 2>&1 && return 0
    log "starting the Docker engine (log: $log_dir/dockerd.log)"
    # Directly, so that `$!` is the engine's own pid.
    if is_root; then
        dockerd >"$log_dir/dockerd.log" 2>&1 &
    else
        sudo dockerd >"$log_dir/dockerd.log" 2>&1 &
    fi
    engine_pid=$!
    local waited=0
    until "$docker" info >/dev/null 2>&1; do
        ((waited++ < 60)) || die "the Docker engine did not answer in 60s: $log_dir/dockerd.log"
        sleep 1
    done
}

# Emulation for an architecture other than the machine's (binfmt_misc, fix-binary mode).
enable_emulation() {
    [[ $arch != "$(dpkg --print-architecture)" ]] || return 0
    if [[ ! -e /proc/sys/fs/binfmt_misc/status ]]; then
        as_root mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc
    fi
    as_root update-binfmts --enable "qemu-${arch/arm64/aarch64}" >/dev/null 2>&1 || true
    [[ -e /proc/sys/fs/binfmt_misc/qemu-${arch/arm64/aarch64} ]] ||
        die "no emulation for $arch: qemu-user-static is not registered with binfmt_misc"
}

install_tools
start_engine
enable_emulation

tag=test-$arch
dockerfile=$repo/Dockerfile
build_arguments=()
if $offline; then
    log "Docker Hub is out of reach: building on local stand-ins of the base images"
    DOCKER=$docker "$repo/deploy/tests/base-images.sh" "$arch"
    if [[ $arch != amd64 ]]; then
        DOCKER=$docker "$repo/deploy/tests/base-images.sh" amd64
    fi
    build_arguments+=(--build-arg "DEBIAN_TAG=bookworm-local-$arch")
    build_arguments+=(--build-arg "BUILDER_DEBIAN_TAG=bookworm-local-amd64")
    build_arguments+=(--build-arg "RUST_TAG=bookworm-local-amd64")
    context_dockerfile=$(mktemp)
    grep -v '^# syntax=' "$repo/Dockerfile" >"$context_dockerfile"
    dockerfile=$context_dockerfile
fi

# Builds TARGET of the Dockerfile for the architecture as IMAGE, timing it.
build() {
    local target=$1 image=$2 started=$SECONDS
    log "building $image (target $target, linux/$arch)"
    DOCKER_BUILDKIT=1 BUILDKIT_PROGRESS=plain "$docker" build --platform "linux/$arch" \
        -f "$dockerfile" --target "$target" "${build_arguments[@]}" \
        --build-arg "IMAGE_REVISION=$(git -C "$repo" rev-parse HEAD)" \
        -t "$image" "$repo" >"$log_dir/$target.log" 2>&1 || {
        tail -n 40 "$log_dir/$target.log" >&2
        die "building $image failed (whole log: $log_dir/$target.log)"
    }
    local bytes
    bytes=$("$docker" image inspect -f '{{.Size}}' "$image")
    log "built $image in $((SECONDS - started))s: $((bytes / 1000000)) MB"
}

failures=0
check() {
    local what=$1
    shift
    if "$@"; then
        log "ok: $what"
    else
        log "FAILED: $what"
        failures=$((failures + 1))
    fi
}

field() {
    "$docker" image inspect -f "$2" "$1"
}

# Starts a container of the architecture's image and removes it when it ends.
run() {
    "$docker" run --rm --platform "linux/$arch" "$@"
}

# Runs a shell script in IMAGE as root, whatever the image's user, for looking around.
inside() {
    local image=$1 script=$2
    run --user 0 --entrypoint /bin/sh "$image" -c "$script"
}

# e_machine, at byte 18 of an ELF header, of each architecture.
case $arch in
    amd64) elf_machine=62 ;;
    arm64) elf_machine=183 ;;
esac

# Whether the executable or library at PATH in IMAGE is built for the architecture.
built_for_arch() {
    local image=$1 path=$2
    inside "$image" "test \"\$(od -An -t u2 -j 18 -N 2 $path | tr -d ' ')\" = $elf_machine"
}

# What every final image must show; SUBCOMMAND is its default command.
check_common() {
    local image=$1 subcommand=$2
    check "$image: lucidity built for $arch" built_for_arch "$image" /usr/local/bin/lucidity
    check "$image: user 1000:1000" [ "$(field "$image" '{{.Config.User}}')" = 1000:1000 ]
    check "$image: runs as uid and gid 1000" [ "$(run --entrypoint /usr/bin/id "$image" -u):$(
        run --entrypoint /usr/bin/id "$image" -g)" = 1000:1000 ]
    check "$image: tini runs lucidity" [ "$(field "$image" '{{json .Config.Entrypoint}}')" = \
        '["/usr/bin/tini","--","/usr/local/bin/lucidity"]' ]
    check "$image: default command $subcommand" \
        [ "$(field "$image" '{{json .Config.Cmd}}')" = "[\"$subcommand\"]" ]
    check "$image: a health check" \
        [ "$(field "$image" '{{index .Config.Healthcheck.Test 0}}')" = CMD ]
    check "$image: built for $arch" [ "$(field "$image" '{{.Architecture}}')" = "$arch" ]
    check "$image: no secret in the environment" \
        bash -c "! $docker image inspect -f '{{range .Config.Env}}{{println .}}{{end}}' $image |
            grep -Eiq '^[A-Z_]*(PASSWORD|SECRET|TOKEN|KEY)[A-Z_]*='"
    check "$image: no compiler or package tool" inside "$image" '
        for tool in gcc cc c++ g++ rustc cargo make pip pip3 npm node; do
            if command -v "$tool"; then exit 1; fi
        done'
    check "$image: no package lists or caches" inside "$image" '
        test -z "$(find /var/lib/apt/lists -mindepth 1 -maxdepth 1 ! -name lock ! -name partial)"
        test -z "$(find /var/cache/apt -name "*.deb" -o -name "*.bin")"
        test ! -e /root/.cache && test ! -e /home/lucidity/.cache && test ! -e /root/.npm'
    check "$image: lucidity --version" run "$image" --version
}

check_model() {
    local image=$1
    check "$image: the embedding model and ONNX Runtime" inside "$image" '
        cd /opt/lucidity/models/minilm && test -s model.onnx && test -s tokenizer.json &&
        test -s libonnxruntime.so'
    check "$image: ONNX Runtime built for $arch" built_for_arch "$image" \
        /opt/lucidity/models/minilm/libonnxruntime.so
}

check_no_model() {
    check "$1: no model" inside "$1" 'test ! -e /opt/lucidity/models'
}

check_ocr() {
    local image=$1
    check "$image: tesseract with English, and poppler" inside "$image" '
        tesseract --list-langs 2>&1 | grep -qx eng && pdftotext -v >/dev/null 2>&1 &&
        pdftoppm -v >/dev/null 2>&1 && pdfinfo -v >/dev/null 2>&1'
}

check_no_ocr() {
    check "$1: no OCR tools" inside "$1" \
        '! command -v tesseract && ! command -v pdftotext'
}

started=$SECONDS

for target in backend worker frontend; do
    build "$target" "cl-$target:$tag"
done
check_common "cl-backend:$tag" api
check_model "cl-backend:$tag"
check_ocr "cl-backend:$tag"
check_common "cl-worker:$tag" worker
check_model "cl-worker:$tag"
check_ocr "cl-worker:$tag"
check_common "cl-frontend:$tag" web
check_no_model "cl-frontend:$tag"
check_no_ocr "cl-frontend:$tag"
check "cl-frontend:$tag: the font" inside "cl-frontend:$tag" \
    'test -n "$(find /opt/lucidity/web-assets -name "*.woff2" | head -n 1)"'

if ((failures > 0)); then
    die "$failures image checks failed"
fi

if [[ $arch == amd64 ]] && $compose; then
    if [[ -z ${COMPOSE:-} ]]; then
        if "$docker" compose version >/dev/null 2>&1; then
            COMPOSE="$docker compose"
        else
            COMPOSE=docker-compose
        fi
    fi
    export COMPOSE DOCKER=$docker LUCIDITY_IMAGE_TAG=$tag
    if $offline; then
        export LUCIDITY_POSTGRES_IMAGE=lucidity-postgres:16-local
        export LUCIDITY_REDIS_IMAGE=lucidity-valkey:local
    fi
    log "docker-compose.yml with $COMPOSE"
    (cd "$repo" && python3 -m unittest -v deploy/tests/test_compose.py)
fi
rm -rf "$log_dir"
log "all image checks passed in $((SECONDS - started))s"
