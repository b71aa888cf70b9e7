# Helpers shared by the scripts: messages, privilege changes and waiting for services.
# Sourced, never run; callers set `set -euo pipefail` and SCRIPT_NAME.

# The account test services run as when the scripts run as root, since PostgreSQL and
# PgBouncer refuse root. Matches the product's LUCIDITY_POSTGRES_OS_USER default.
SERVICE_USER=nobody

log() {
    printf '%s: %s\n' "${SCRIPT_NAME:-lucidity}" "$*" >&2
}

die() {
    log "error: $*"
    exit 1
}

is_root() {
    [[ $EUID -eq 0 ]]
}

# Runs a command as root: directly when root, through sudo otherwise.
as_root() {
    if is_root; then
        "$@"
    elif command -v sudo >/dev/null 2>&1; then
        sudo "$@"
    else
        die "'$*' needs root: run this script as root or install sudo"
    fi
}

# Runs a command as the service account when root, as the current user otherwise.
as_service_user() {
    if is_root; then
        runuser -u "$SERVICE_USER" -- "$@"
    else
        "$@"
    fi
}

# Replaces this process with a command run as the service account (for background daemons,
# so that `$!` is the daemon's own pid).
exec_as_service_user() {
    if is_root; then
        local group
        group=$(id -gn "$SERVICE_USER")
        exec setpriv --reuid="$SERVICE_USER" --regid="$group" --clear-groups -- "$@"
    else
        exec "$@"
    fi
}

# Hands a file or directory to the service account (when root; otherwise it is ours).
give_to_service_user() {
    if is_root; then
        chown "$SERVICE_USER:$(id -gn "$SERVICE_USER")" "$@"
    fi
}

# Prints N distinct free TCP ports on 127.0.0.1, space-separated.
free_ports() {
    python3 -c '
import socket, sys
sockets = [socket.socket() for _ in range(int(sys.argv[1]))]
for s in sockets:
    s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in sockets))
' "$1"
}

# Retries a command quietly every 0.2 s until it succeeds; fails after SECONDS_MAX seconds.
# Usage: wait_until SECONDS_MAX DESCRIPTION LOG_FILE COMMAND...
wait_until() {
    local seconds_max=$1 description=$2 log_file=$3
    shift 3
    local tries=$((seconds_max * 5))
    while ((tries-- > 0)); do
        if "$@" >/dev/null 2>&1; then
            return 0
        fi
        sleep 0.2
    done
    log "$description did not answer within ${seconds_max}s; the end of $log_file:"
    tail -n 20 "$log_file" >&2 || true
    return 1
}
