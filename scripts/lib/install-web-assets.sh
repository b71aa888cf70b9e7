#!/usr/bin/env bash
# Installs the front-end packages the web process serves under /static/vendor/ (the Inter
# font) from the npm registry, pinned by crates/web/assets/package-lock.json, into
# LUCIDITY_WEB_ASSETS_DIR or /opt/lucidity/web-assets. Nothing third-party is committed and
# nothing is fetched at run time. Idempotent: a folder whose marker matches the lockfile's
# SHA-256 is left alone. Installs Node.js and npm from Debian when `npm` is missing.
# shellcheck source-path=SCRIPTDIR
set -euo pipefail

SCRIPT_NAME="install-web-assets"
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# shellcheck source=common.sh
source "$repo/scripts/lib/common.sh"

ASSETS_DIR=${LUCIDITY_WEB_ASSETS_DIR:-/opt/lucidity/web-assets}
PACKAGE_DIR=$repo/crates/web/assets
MARKER_FILE=.lock-sha256

lock_digest() {
    sha256sum "$PACKAGE_DIR/package-lock.json" | cut -d' ' -f1
}

installed() {
    [[ -f $ASSETS_DIR/$MARKER_FILE && $(cat "$ASSETS_DIR/$MARKER_FILE") == $(lock_digest) ]]
}

ensure_npm() {
    if command -v npm >/dev/null 2>&1; then
        return 0
    fi
    log "installing Node.js and npm from Debian"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive \
        apt-get install -y -qq --no-install-recommends nodejs npm
}

main() {
    if installed; then
        return 0
    fi
    ensure_npm
    log "installing the web front-end packages into $ASSETS_DIR"

    build=$(mktemp -d)
    trap 'rm -rf "${build:-}"' EXIT
    cp "$PACKAGE_DIR/package.json" "$PACKAGE_DIR/package-lock.json" "$build/"
    (cd "$build" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error >/dev/null)

    # The font's stylesheet names its files relative to itself: ./files/*.woff2.
    local font=$build/node_modules/@fontsource-variable/inter
    mkdir -p "$build/out/inter"
    cp -R "$font/index.css" "$font/files" "$font/LICENSE" "$build/out/inter/"
    lock_digest >"$build/out/$MARKER_FILE"

    as_root mkdir -p "$(dirname "$ASSETS_DIR")"
    as_root rm -rf "$ASSETS_DIR.new"
    as_root cp -R "$build/out" "$ASSETS_DIR.new"
    as_root chmod -R u=rwX,go=rX "$ASSETS_DIR.new"
    as_root rm -rf "$ASSETS_DIR"
    as_root mv "$ASSETS_DIR.new" "$ASSETS_DIR"
}

main "$@"
