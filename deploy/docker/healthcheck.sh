#!/usr/bin/env bash
# The images' health check, installed as /usr/local/bin/lucidity-healthcheck. Exits 0 when
# healthy, 1 otherwise with the reason on stderr (which `docker inspect` shows).
#
#   lucidity-healthcheck api      GET /api/health on API_PORT (8000) answers 200: the API
#                                 serves HTTP, which it starts only after the migrations
#   lucidity-healthcheck web      GET / on WEB_PORT (3000) answers 200: the sign-in page,
#                                 the same check the load balancer makes
#   lucidity-healthcheck worker   the worker's dependencies answer: see check_worker
#
# It uses only bash and coreutils, so the images carry no HTTP client for it. Settings are
# read from the environment under their upper-case names, as containers receive them.
set -euo pipefail

# Seconds one connection or request may take; the HEALTHCHECK's own timeout is longer.
STEP_SECONDS=3

unhealthy() {
    printf 'unhealthy: %s\n' "$*" >&2
    exit 1
}

# The address the process listens on, as seen from inside its own container: loopback when
# it listens on every interface (the default), else the one address it binds.
local_address() {
    case ${BIND_ADDRESS:-0.0.0.0} in
        0.0.0.0 | "") echo 127.0.0.1 ;;
        :: | "[::]") echo ::1 ;;
        *) echo "$BIND_ADDRESS" ;;
    esac
}

# This script under `timeout`, for the steps that may block: connecting, and reading.
bounded() {
    timeout "$STEP_SECONDS" "${BASH_SOURCE[0]}" "$@"
}

# Whether a TCP connection to HOST PORT opens within STEP_SECONDS.
tcp_open() {
    bounded --connect "$1" "$2" 2>/dev/null
}

# GET PATH from HOST:PORT over HTTP/1.1 and check that the status is 200.
http_ok() {
    local host=$1 port=$2 path=$3 status
    status=$(bounded --status-line "$host" "$port" "$path" 2>/dev/null) ||
        unhealthy "no HTTP answer from $host:$port$path (refused, or none in ${STEP_SECONDS}s)"
    [[ $status =~ ^HTTP/1\.[01]\ 200( |$) ]] ||
        unhealthy "$host:$port$path answered '${status:-nothing}', not 200"
}

# The steps `bounded` runs. Only the status line of the answer is read.
connect() {
    exec 3<>"/dev/tcp/$1/$2"
}

status_line() {
    local line
    connect "$1" "$2"
    printf 'GET %s HTTP/1.1\r\nHost: localhost\r\nUser-Agent: lucidity-healthcheck\r\n' "$3" >&3
    printf 'Connection: close\r\n\r\n' >&3
    IFS= read -r line <&3
    printf '%s\n' "${line%$'\r'}"
}

# Host and port of a redis:// or rediss:// URL (user, password, database and query dropped),
# as "HOST PORT". An IPv6 host is written in brackets in the URL and printed without them.
redis_endpoint() {
    local rest=${1#*://}
    rest=${rest%%/*}
    rest=${rest%%\?*}
    rest=${rest##*@}
    local host port=6379
    if [[ $rest == \[* ]]; then
        host=${rest%%]*}
        host=${host#[}
        rest=${rest#*]}
        [[ $rest == :* ]] && port=${rest#:}
    elif [[ $rest == *:* ]]; then
        host=${rest%%:*}
        port=${rest##*:}
    else
        host=$rest
    fi
    printf '%s %s\n' "$host" "${port:-6379}"
}

# The worker serves nothing, so its check is the outside view of what it needs to work, as
# the API's /api/ready checks the same three for the API: the database answers on its port,
# the queue's Redis answers on its port (when one is configured; otherwise the queue is the
# database), and the storage path is a readable directory (with POSIX storage). A stale
# network mount shows as a `stat` that does not return in time. The worker process itself
# needs no check: it is the container's main process, so the container stops when it exits.
check_worker() {
    local db_host=${POSTGRES_HOST:-}
    [[ -n $db_host ]] || unhealthy "POSTGRES_HOST is not set"
    tcp_open "$db_host" "${POSTGRES_PORT:-5432}" ||
        unhealthy "PostgreSQL at $db_host:${POSTGRES_PORT:-5432} accepts no connection"

    local broker=${CELERY_BROKER_URL:-${REDIS_URL:-}}
    if [[ -n $broker ]]; then
        local redis_host redis_port
        read -r redis_host redis_port < <(redis_endpoint "$broker")
        tcp_open "$redis_host" "$redis_port" ||
            unhealthy "the queue's Redis at $redis_host:$redis_port accepts no connection"
    fi

    if [[ ${STORAGE_BACKEND:-posix} == posix ]]; then
        local storage=${STORAGE_PATH:-/data/storage}
        local status=0
        timeout "$STEP_SECONDS" stat -- "$storage" >/dev/null 2>&1 || status=$?
        ((status != 124)) ||
            unhealthy "the storage path $storage does not answer within ${STEP_SECONDS}s"
        [[ -d $storage && -r $storage && -x $storage ]] ||
            unhealthy "the storage path $storage is not a readable directory"
    fi
}

case ${1:-} in
    --connect) connect "$2" "$3" ;;
    --status-line) status_line "$2" "$3" "$4" ;;
    api) http_ok "$(local_address)" "${API_PORT:-8000}" /api/health ;;
    web) http_ok "$(local_address)" "${WEB_PORT:-3000}" / ;;
    worker) check_worker ;;
    *)
        echo "usage: lucidity-healthcheck api|web|worker" >&2
        exit 2
        ;;
esac
