#!/usr/bin/env bash
# Local stand-ins for the Dockerfile's base images, for a Docker engine that cannot reach
# Docker Hub (a closed network, like the machines this project is developed and tested on).
#
#   deploy/tests/base-images.sh ARCH    ARCH: amd64 or arm64
#
# Tags, in the local image store only:
#   debian:bookworm-local-ARCH   Debian 12 minbase from Debian's mirror by debootstrap, with
#                                the same apt sources and clean-up settings as Docker Hub's
#                                debian:bookworm-slim
#   rust:bookworm-local-amd64    that, plus gcc and libc6-dev (as in rust:*-slim-bookworm)
#                                and Debian 12's packaged Rust, rustc-web and cargo-web (1.96
#                                on 2026-12-04; Debian updates it for its browsers), with
#                                CARGO_HOME as in Docker Hub's rust images. It has no rustup:
#                                deploy/docker/cross.sh then takes the standard library for
#                                another architecture from Debian (libstd-rust-web-dev:arm64).
#                                amd64 only: the binary is compiled on the builder's
#                                architecture
# and, for docker-compose.yml's two other services (amd64 only):
#   lucidity-postgres:16-local   PostgreSQL 16.2 with pgvector from the pgserver wheel that
#                                scripts/install.sh unpacks to /opt/lucidity, started like
#                                pgvector/pgvector:pg16 (POSTGRES_USER, POSTGRES_PASSWORD and
#                                POSTGRES_DB create the role and the database on a first start)
#   lucidity-valkey:local        Debian's redis-server, answering as valkey-server/valkey-cli
# deploy/tests/images.sh passes them as DEBIAN_TAG and RUST_TAG, LUCIDITY_POSTGRES_IMAGE and
# LUCIDITY_REDIS_IMAGE. Anything built on them is a test image: the stand-ins add this
# machine's extra certificate authorities (its network intercepts TLS), so that the stages
# reach PyPI and npm.
#
# DOCKER names the Docker client (default `docker`); it must build with BuildKit, through the
# buildx plugin or, for a 20.10 client like Debian 12's, built in.
# Needs root, debootstrap, and for arm64 qemu-user-static registered with binfmt_misc.
# The Debian trees are kept in LUCIDITY_IMAGE_WORK (default /var/cache/lucidity/images).
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
SCRIPT_NAME=base-images
# shellcheck source=scripts/lib/common.sh
source "$repo/scripts/lib/common.sh"

arch=${1:?usage: base-images.sh amd64|arm64}
case $arch in
    amd64 | arm64) ;;
    *) die "images are built for amd64 and arm64, not $arch" ;;
esac
work=${LUCIDITY_IMAGE_WORK:-/var/cache/lucidity/images}
tree=$work/$arch-root
mirror=http://deb.debian.org/debian

docker=${DOCKER:-docker}
debian_image=debian:bookworm-local-$arch
rust_image=rust:bookworm-local-$arch

fresh=false
if [[ ! -x $tree/usr/bin/apt-get ]]; then
    fresh=true
    log "debootstrap: Debian 12 ($arch) into $tree"
    rm -rf "$tree"
    mkdir -p "$work"
    debootstrap --variant=minbase --arch="$arch" bookworm "$tree" "$mirror" >"$work/$arch.log"
fi

# What Docker Hub's image configures: the three suites, no recommends kept, no caches.
cat >"$tree/etc/apt/sources.list" <<EOF
deb $mirror bookworm main
deb $mirror bookworm-updates main
deb http://deb.debian.org/debian-security bookworm-security main
EOF
cat >"$tree/etc/apt/apt.conf.d/docker-clean" <<'EOF'
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
EOF
# This machine's apt settings (its mirror's release files may be older than a week).
if [[ -d /etc/apt/apt.conf.d ]]; then
    find /etc/apt/apt.conf.d -name '99*' -exec cp {} "$tree/etc/apt/apt.conf.d/" \;
fi
# The network's certificate authorities, picked up by update-ca-certificates when a stage
# installs ca-certificates.
mkdir -p "$tree/usr/local/share/ca-certificates"
if compgen -G '/usr/local/share/ca-certificates/*.crt' >/dev/null; then
    cp /usr/local/share/ca-certificates/*.crt "$tree/usr/local/share/ca-certificates/"
fi
rm -rf "$tree/var/lib/apt/lists/"* "$tree/var/cache/apt/"*.bin "$tree/var/cache/apt/archives/"*.deb

# Built FROM scratch rather than with `docker import`, whose --platform a Docker 20.10 engine
# ignores unless experimental: the image must say its architecture for BuildKit to take it.
context=$(mktemp -d)
trap 'rm -rf "$context"' EXIT
built_for=$("$docker" image inspect -f '{{.Architecture}}' "$debian_image" 2>/dev/null || true)
if $fresh || [[ $built_for != "$arch" ]]; then
    log "building $debian_image from $tree"
    tar --numeric-owner -C "$tree" -cf "$context/root.tar" .
    printf 'FROM scratch\nADD root.tar /\nCMD ["bash"]\n' >"$context/Dockerfile"
    DOCKER_BUILDKIT=1 "$docker" build --quiet --platform "linux/$arch" -t "$debian_image" \
        "$context" >/dev/null
    rm -f "$context/root.tar"
fi

[[ $arch == amd64 ]] || exit 0

log "building $rust_image with Debian's packaged Rust (rustc-web)"
cat >"$context/Dockerfile" <<EOF
FROM $debian_image
RUN apt-get update \\
    && apt-get install -y --no-install-recommends ca-certificates gcc libc6-dev \\
        rustc-web cargo-web \\
    && rm -rf /var/lib/apt/lists/*
ENV CARGO_HOME=/usr/local/cargo \\
    PATH=/usr/local/cargo/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
RUN cargo --version && rustc --version
EOF
DOCKER_BUILDKIT=1 "$docker" build --quiet -t "$rust_image" "$context" >/dev/null

postgres_dir=/opt/lucidity
[[ -x $postgres_dir/pgserver/pginstall/bin/postgres ]] ||
    die "no PostgreSQL in $postgres_dir/pgserver: run scripts/install.sh first"
log "building lucidity-postgres:16-local and lucidity-valkey:local"
rm -rf "${context:?}"/*
cp -a "$postgres_dir/pgserver" "$postgres_dir/pgserver.libs" "$context/"
cat >"$context/entrypoint.sh" <<'EOF'
#!/bin/sh
# The first start initialises the cluster with the role, password and database of the
# environment (as the official image does); every start then serves on all interfaces.
set -eu
if [ ! -s "$PGDATA/PG_VERSION" ]; then
    password_file=$(mktemp)
    printf '%s\n' "$POSTGRES_PASSWORD" >"$password_file"
    initdb -D "$PGDATA" -U "$POSTGRES_USER" --pwfile="$password_file" \
        --auth-local=trust --auth-host=scram-sha-256 >/dev/null
    rm -f "$password_file"
    echo "host all all all scram-sha-256" >>"$PGDATA/pg_hba.conf"
    pg_ctl -D "$PGDATA" -o "-c listen_addresses=''" -w start >/dev/null
    if [ "$POSTGRES_DB" != postgres ]; then
        psql -v ON_ERROR_STOP=1 -q -U "$POSTGRES_USER" -d postgres \
            -c "CREATE DATABASE \"$POSTGRES_DB\""
    fi
    pg_ctl -D "$PGDATA" -m fast -w stop >/dev/null
fi
exec postgres -D "$PGDATA" -c listen_addresses='*'
EOF
cat >"$context/Dockerfile" <<EOF
FROM $debian_image
RUN groupadd --system --gid 999 postgres \\
    && useradd --system --uid 999 --gid 999 --home-dir /var/lib/postgresql postgres \\
    && install -d -o postgres -g postgres -m 0700 /var/lib/postgresql/data \\
    && install -d -o postgres -g postgres -m 0775 /var/run/postgresql
COPY pgserver /opt/lucidity/pgserver
COPY pgserver.libs /opt/lucidity/pgserver.libs
COPY --chmod=0755 entrypoint.sh /usr/local/bin/docker-entrypoint.sh
ENV PATH=/opt/lucidity/pgserver/pginstall/bin:/usr/sbin:/usr/bin:/sbin:/bin \\
    PGDATA=/var/lib/postgresql/data
USER postgres
EXPOSE 5432
ENTRYPOINT ["/usr/local/bin/docker-entrypoint.sh"]
EOF
DOCKER_BUILDKIT=1 "$docker" build --quiet -t lucidity-postgres:16-local "$context" >/dev/null

rm -rf "${context:?}"/*
# As the official image's entry point does, a server started without a configuration file
# leaves protected mode, which would refuse every client from another container.
cat >"$context/entrypoint.sh" <<'EOF'
#!/bin/sh
if [ "$1" = valkey-server ]; then
    set -- "$@" --protected-mode no
fi
exec "$@"
EOF
cat >"$context/Dockerfile" <<EOF
FROM $debian_image
RUN apt-get update \\
    && apt-get install -y --no-install-recommends redis-server \\
    && rm -rf /var/lib/apt/lists/* \\
    && ln -s redis-server /usr/bin/valkey-server \\
    && ln -s redis-cli /usr/bin/valkey-cli
COPY --chmod=0755 entrypoint.sh /usr/local/bin/docker-entrypoint.sh
USER redis
EXPOSE 6379
ENTRYPOINT ["/usr/local/bin/docker-entrypoint.sh"]
CMD ["valkey-server"]
EOF
DOCKER_BUILDKIT=1 "$docker" build --quiet -t lucidity-valkey:local "$context" >/dev/null
log "built $debian_image, $rust_image, lucidity-postgres:16-local and lucidity-valkey:local"
