#!/usr/bin/env bash
# Writes the `.env` that docker-compose.yml runs with, from .env.example: every variable with
# its comment, the values that make the five services find each other, and new random
# secrets. Nothing is printed of the secrets; they are in the file, readable by its owner only.
#
#   scripts/lib/env-from-example.sh [--output FILE] [--public-url URL] [--admin-email EMAIL]
#                                   [--app-env production|development] [--update]
#
#   --output FILE      where to write (default: .env at the top of the checkout)
#   --public-url URL   the address users open, without a path (default http://localhost:3000);
#                      sets FRONTEND_URL, NEXT_PUBLIC_FRONTEND_URL and CORS_ORIGINS
#   --admin-email      the first administrator's email (default: .env.example's)
#   --app-env          production (default: strict checks, JSON logs, Secure cookies) or
#                      development (readable logs; for trying it out on a laptop)
#   --update           FILE exists: rewrite it from the current .env.example, keeping every
#                      value FILE already sets (secrets included) and adding variables new in
#                      .env.example. Run after an upgrade; see docs/deploy/upgrades.md.
#
# Without --update an existing FILE is left alone: new secrets would no longer open the
# database volume, which keeps the password it was created with.
# shellcheck source-path=SCRIPTDIR
set -euo pipefail

SCRIPT_NAME="env-from-example"
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# shellcheck source=common.sh
source "$repo/scripts/lib/common.sh"

EXAMPLE=$repo/.env.example

usage() {
    sed -n '6,17p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
    exit 2
}

# Hex digits from the kernel's random source: BYTES bytes, twice as many digits. Hex needs no
# quoting in .env, in a shell, in a URL or in Compose's interpolation.
random_hex() {
    od -An -v -t x1 -N "$1" /dev/urandom | tr -d ' \n'
}

# Whether URL is an http(s) origin: scheme, host, optional port, nothing after.
is_origin() {
    [[ $1 =~ ^https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?/?$ || $1 =~ ^https?://\[[0-9A-Fa-f:.]+\](:[0-9]{1,5})?/?$ ]]
}

is_loopback_url() {
    [[ $1 =~ ^http://(localhost|127\.0\.0\.1|\[::1\])(:[0-9]+)?/?$ ]]
}

# Prints each KEY=VALUE line of a .env file as KEY, NUL, VALUE, NUL; comments are skipped.
env_entries() {
    local line
    while IFS= read -r line || [[ -n $line ]]; do
        if [[ $line =~ ^[[:space:]]*([A-Za-z_][A-Za-z0-9_]*)=(.*)$ ]]; then
            printf '%s\0%s\0' "${BASH_REMATCH[1]}" "${BASH_REMATCH[2]}"
        fi
    done <"$1"
}

main() {
    local output=$repo/.env public_url=http://localhost:3000 admin_email="" app_env=production
    local update=false
    while (($# > 0)); do
        case $1 in
            --output) output=${2:?--output needs a file}; shift 2 ;;
            --public-url) public_url=${2:?--public-url needs a URL}; shift 2 ;;
            --admin-email) admin_email=${2:?--admin-email needs an address}; shift 2 ;;
            --app-env) app_env=${2:?--app-env needs production or development}; shift 2 ;;
            --update) update=true; shift ;;
            -h | --help) usage ;;
            *) log "unknown argument: $1"; usage ;;
        esac
    done

    [[ -f $EXAMPLE ]] || die "$EXAMPLE is missing"
    [[ $app_env == production || $app_env == development ]] ||
        die "--app-env is production or development, not $app_env"
    is_origin "$public_url" ||
        die "--public-url must be an address like https://contracts.example.com, not $public_url"
    public_url=${public_url%/}
    if [[ -n $admin_email && ! $admin_email =~ ^[^@[:space:]]+@[^@[:space:]]+$ ]]; then
        die "--admin-email must be an email address, not $admin_email"
    fi

    local -A kept=()
    if [[ -e $output ]]; then
        $update || die "$output exists; --update rewrites it keeping its values"
        local key value
        while IFS= read -r -d '' key && IFS= read -r -d '' value; do
            kept[$key]=$value
        done < <(env_entries "$output")
    elif $update; then
        die "--update needs an existing $output"
    fi

    # What the compose services need; a value FILE already sets wins over these.
    local -A derived=(
        [APP_ENV]=$app_env
        [POSTGRES_HOST]=postgres
        [POSTGRES_PORT]=5432
        [POSTGRES_PASSWORD]=$(random_hex 24)
        [REDIS_URL]=redis://redis:6379/0
        [CELERY_BROKER_URL]=redis://redis:6379/0
        [CELERY_RESULT_BACKEND]=redis://redis:6379/1
        [JWT_SECRET_KEY]=$(random_hex 32)
        [DEFAULT_ADMIN_PASSWORD]=$(random_hex 12)
        [CORS_ORIGINS]=$public_url
        [FRONTEND_URL]=$public_url
        [NEXT_PUBLIC_FRONTEND_URL]=$public_url
        [BACKEND_INTERNAL_URL]=http://backend:8000
        [BIND_ADDRESS]=0.0.0.0
        [STORAGE_PATH]=/data/storage
    )
    if [[ -n $admin_email ]]; then
        derived[DEFAULT_ADMIN_EMAIL]=$admin_email
    fi

    # Written next to the target with owner-only permissions, then renamed into place, so the
    # secrets are never readable by others and a failure leaves the old file whole.
    local staging
    staging=$(mktemp "$(dirname "$output")/.env.XXXXXX")
    trap 'rm -f "$staging"' EXIT
    chmod 600 "$staging"

    local -A written=()
    {
        echo "# Written by scripts/lib/env-from-example.sh from .env.example on $(date -u +%F)."
        echo "# Holds secrets: keep it readable by its owner only, and out of version control."
        echo
        local line name
        while IFS= read -r line || [[ -n $line ]]; do
            if [[ $line =~ ^([A-Za-z_][A-Za-z0-9_]*)=(.*)$ ]]; then
                name=${BASH_REMATCH[1]}
                if [[ -v kept[$name] ]]; then
                    line="$name=${kept[$name]}"
                elif [[ -v derived[$name] ]]; then
                    line="$name=${derived[$name]}"
                fi
                written[$name]=1
            fi
            printf '%s\n' "$line"
        done <"$EXAMPLE"

        # Compose's project name, which names the volumes: fixed, so that the data stays
        # where it is whatever the checkout's folder is called.
        if [[ ! -v kept[COMPOSE_PROJECT_NAME] ]]; then
            printf '\n# --- Read by Docker Compose, not by Lucidity ---------------------------\n'
            printf 'COMPOSE_PROJECT_NAME=contract-lucidity\n'
        fi

        # Variables the previous file set beyond .env.example (Compose's own, say) stay.
        local extra=()
        for name in "${!kept[@]}"; do
            [[ -v written[$name] ]] || extra+=("$name")
        done
        if ((${#extra[@]} > 0)); then
            printf '\n# --- Kept from the previous file (not in .env.example) ----------------\n'
            local sorted
            mapfile -t sorted < <(printf '%s\n' "${extra[@]}" | sort)
            for name in "${sorted[@]}"; do
                printf '%s=%s\n' "$name" "${kept[$name]}"
            done
        fi
    } >"$staging"

    for name in "${!derived[@]}"; do
        [[ -v written[$name] ]] || die "$EXAMPLE no longer lists $name; this script needs updating"
    done

    mv "$staging" "$output"
    trap - EXIT

    if $update; then
        log "rewrote $output from .env.example, keeping its values"
    else
        log "wrote $output; the first administrator's password is its DEFAULT_ADMIN_PASSWORD"
    fi
    local final_env=${kept[APP_ENV]:-$app_env} final_url=${kept[NEXT_PUBLIC_FRONTEND_URL]:-$public_url}
    if [[ $final_env == production && $final_url == http://* ]] && ! is_loopback_url "$final_url"; then
        log "warning: in production the session cookies are Secure, which browsers keep only" \
            "over HTTPS (and on http://localhost): serve $final_url through TLS, see" \
            "docs/deploy/single-host.md"
    fi
}

main "$@"
