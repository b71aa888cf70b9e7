# The services the test suite runs against, each in TEST_DIR: a PostgreSQL cluster from the
# wheel, Redis (plain and TLS-only) and PgBouncer with client TLS. Sourced by scripts/test.sh,
# which sets TEST_DIR and PG_BIN; stop_test_services undoes whatever was started.

# Pids of the background daemons this script started, for stop_test_services.
SERVICE_PIDS=()
PG_STARTED=false

# A test certificate authority and a certificate for localhost and 127.0.0.1 signed by it.
make_test_certificates() {
    local tls=$TEST_DIR/tls
    mkdir -p "$tls"
    openssl req -x509 -new -nodes -days 2 -subj "/CN=Lucidity test CA" \
        -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
        -keyout "$tls/ca.key" -out "$tls/ca.pem" \
        -addext "basicConstraints=critical,CA:TRUE" \
        -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null

    openssl req -new -nodes -subj "/CN=localhost" \
        -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
        -keyout "$tls/server.key" -out "$tls/server.csr" 2>/dev/null
    printf '%s\n' "subjectAltName=DNS:localhost,IP:127.0.0.1" "basicConstraints=CA:FALSE" \
        "keyUsage=critical,digitalSignature,keyEncipherment" "extendedKeyUsage=serverAuth" \
        >"$tls/server.ext"
    openssl x509 -req -days 2 -in "$tls/server.csr" -CA "$tls/ca.pem" -CAkey "$tls/ca.key" \
        -CAcreateserial -extfile "$tls/server.ext" -out "$tls/server.pem" 2>/dev/null

    chmod 600 "$tls/ca.key" "$tls/server.key"
    chmod 755 "$tls"
    give_to_service_user "$tls/server.key"
}

# PostgreSQL on a Unix socket only, trusting local connections, tuned for speed over safety.
start_test_postgres() {
    local port=$1 dir=$TEST_DIR/postgres
    mkdir -p "$dir"
    chmod 700 "$dir"
    give_to_service_user "$dir"

    as_service_user "$PG_BIN/initdb" -D "$dir/data" -U cl_user --auth=trust \
        --encoding=UTF8 --locale=C --no-sync >"$TEST_DIR/initdb.log" 2>&1 ||
        { tail -n 20 "$TEST_DIR/initdb.log" >&2; die "initdb of the test cluster failed"; }

    local options="-c listen_addresses='' -c unix_socket_directories='$dir' -p $port"
    options+=" -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    options+=" -c max_connections=300"
    PG_STARTED=true
    as_service_user "$PG_BIN/pg_ctl" start -D "$dir/data" -l "$dir/postgres.log" -w \
        -o "$options" >/dev/null ||
        { tail -n 20 "$dir/postgres.log" >&2; die "the test PostgreSQL did not start"; }
    wait_until 30 "the test PostgreSQL" "$dir/postgres.log" \
        "$PG_BIN/pg_isready" -q -h "$dir" -p "$port" -U cl_user -d postgres

    PG_SOCKET_DIR=$dir
}

# Redis without persistence, on 127.0.0.1:PORT.
start_test_redis() {
    local port=$1 dir=$TEST_DIR/redis
    mkdir -p "$dir"
    redis-server --bind 127.0.0.1 --port "$port" --save '' --appendonly no \
        --daemonize no --dir "$dir" --logfile "$dir/redis.log" &
    SERVICE_PIDS+=($!)
    wait_until 30 "the test Redis" "$dir/redis.log" \
        redis-cli -h 127.0.0.1 -p "$port" ping
}

# Redis that speaks TLS only, on localhost:PORT, with the test certificate.
start_test_redis_tls() {
    local port=$1 dir=$TEST_DIR/redis-tls tls=$TEST_DIR/tls
    mkdir -p "$dir"
    redis-server --bind 127.0.0.1 -::1 --port 0 --tls-port "$port" --save '' \
        --appendonly no --daemonize no --dir "$dir" --logfile "$dir/redis.log" \
        --tls-cert-file "$tls/server.pem" --tls-key-file "$tls/server.key" \
        --tls-ca-cert-file "$tls/ca.pem" --tls-auth-clients no &
    SERVICE_PIDS+=($!)
    wait_until 30 "the TLS test Redis" "$dir/redis.log" \
        redis-cli --tls --cacert "$tls/ca.pem" -h localhost -p "$port" ping
}

# PgBouncer in front of the test PostgreSQL: TLS required of clients, SCRAM passwords.
start_test_pgbouncer() {
    local port=$1 password=$2 dir=$TEST_DIR/pgbouncer tls=$TEST_DIR/tls
    mkdir -p "$dir"
    printf '"cl_user" "%s"\n' "$password" >"$dir/userlist.txt"
    cat >"$dir/pgbouncer.ini" <<INI
[databases]
* = host=$PG_SOCKET_DIR port=$PG_PORT

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $port
unix_socket_dir =
auth_type = scram-sha-256
auth_file = $dir/userlist.txt
client_tls_sslmode = require
client_tls_cert_file = $tls/server.pem
client_tls_key_file = $tls/server.key
client_tls_ca_file = $tls/ca.pem
pool_mode = session
max_client_conn = 500
default_pool_size = 100
ignore_startup_parameters = extra_float_digits
INI
    chmod 600 "$dir/userlist.txt"
    give_to_service_user "$dir" "$dir/userlist.txt" "$dir/pgbouncer.ini"

    (exec_as_service_user pgbouncer "$dir/pgbouncer.ini") >"$dir/pgbouncer.log" 2>&1 &
    SERVICE_PIDS+=($!)
    wait_until 30 "the test PgBouncer" "$dir/pgbouncer.log" \
        "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$port" -U cl_user -d postgres
}

# Stops whatever was started, then removes TEST_DIR. Never fails, so the exit status stays
# the test run's.
stop_test_services() {
    local pid
    for pid in "${SERVICE_PIDS[@]}"; do
        kill "$pid" 2>/dev/null || true
    done
    for pid in "${SERVICE_PIDS[@]}"; do
        wait "$pid" 2>/dev/null || true
    done
    if [[ $PG_STARTED == true ]]; then
        as_service_user "$PG_BIN/pg_ctl" stop -D "$TEST_DIR/postgres/data" -m fast -w \
            >/dev/null 2>&1 || log "the test PostgreSQL did not stop cleanly"
    fi
    if [[ -n ${TEST_DIR:-} ]]; then
        rm -rf "$TEST_DIR"
    fi
}
