#!/usr/bin/env bash
# Make sure the services the test suite and local development need answer on loopback:
#   PostgreSQL 127.0.0.1:5432, Redis 127.0.0.1:6379, Mosquitto 127.0.0.1:1883.
#
# For each service: if it answers, say so and go on (never stop or restart a running
# service); if it is installed but down, start it; if it is missing and we are root
# with apt-get, install it (one `apt-get update` per run), then start it; otherwise
# exit 1 explaining how to start it yourself.
#
# Usage: scripts/ensure_services.sh [--chromium]
#   --chromium   also make sure /usr/bin/chromium exists (Debian `chromium`, for the
#                Playwright browser tests; never `playwright install`).
#
# Idempotent: safe to run before every test run.
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
HOST=127.0.0.1
PG_PORT=5432
REDIS_PORT=6379
MQTT_PORT=1883
WAIT_SECONDS=20
DEFAULT_DATABASE_URL="postgres://postgres:postgres@127.0.0.1:5432/portal"

WANT_CHROMIUM=0
for arg in "$@"; do
    case "$arg" in
        --chromium) WANT_CHROMIUM=1 ;;
        -h|--help)
            sed -n '2,14p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
            exit 0
            ;;
        *)
            echo "ensure_services: unknown argument: $arg (try --help)" >&2
            exit 2
            ;;
    esac
done

say() { echo "ensure_services: $*"; }
err() { echo "ensure_services: ERROR: $*" >&2; }

is_root() { [ "$(id -u)" -eq 0 ]; }
can_apt() { is_root && command -v apt-get >/dev/null 2>&1; }

# Does something accept TCP connections on $HOST:$1? (bash /dev/tcp, no extra tools)
port_open() {
    timeout 2 bash -c "exec 3<>/dev/tcp/$HOST/$1" 2>/dev/null
}

wait_port() {  # wait_port NAME PORT
    local name="$1" port="$2" i
    for ((i = 0; i < WAIT_SECONDS * 2; i++)); do
        if port_open "$port"; then
            return 0
        fi
        sleep 0.5
    done
    err "$name did not answer on $HOST:$port within ${WAIT_SECONDS}s"
    return 1
}

APT_UPDATED=0
apt_install() {  # apt_install PKG...
    if [ "$APT_UPDATED" -eq 0 ]; then
        say "apt-get update"
        DEBIAN_FRONTEND=noninteractive apt-get update -qq
        APT_UPDATED=1
    fi
    say "apt-get install -y $*"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

how_to_start() {
    cat >&2 <<EOF
ensure_services: start the services yourself, for example with docker:
    docker compose up -d postgres redis mosquitto
  (publish the ports on the host: 5432, 6379, 1883), or install PostgreSQL 15,
  Redis and Mosquitto 2 locally (Debian: apt-get install postgresql redis-server
  mosquitto mosquitto-clients) and rerun this script as root.
  Point the project at them with:
    DATABASE_URL=$DEFAULT_DATABASE_URL
    REDIS_URL=redis://127.0.0.1:6379/0
    MQTT_URL=mqtt://127.0.0.1:1883
EOF
}

# ---------------------------------------------------------------- PostgreSQL

pg_answers() {
    if command -v pg_isready >/dev/null 2>&1; then
        pg_isready -q -h "$HOST" -p "$PG_PORT"
    else
        port_open "$PG_PORT"
    fi
}

pg_cluster_version() {
    # First cluster version under /etc/postgresql (e.g. "15"), empty if none.
    ls /etc/postgresql 2>/dev/null | head -1 || true
}

start_postgres() {
    local ver
    ver="$(pg_cluster_version)"
    if [ -z "$ver" ] || [ ! -d "/etc/postgresql/$ver/main" ]; then
        err "no PostgreSQL cluster found under /etc/postgresql (expected <version>/main)"
        return 1
    fi
    if ! is_root && [ "$(id -un)" != postgres ]; then
        err "PostgreSQL $ver/main is down; starting it needs root or the postgres user"
        return 1
    fi
    # pg_ctlcluster exits 2 when the cluster already runs: only called after
    # pg_isready said no. Run from / so the postgres user can read the cwd.
    say "starting PostgreSQL cluster $ver/main"
    (cd / && pg_ctlcluster --skip-systemctl-redirect "$ver" main start)
}

ensure_postgres() {
    if pg_answers; then
        say "PostgreSQL is up on $HOST:$PG_PORT"
    else
        if ! command -v pg_ctlcluster >/dev/null 2>&1 || [ -z "$(pg_cluster_version)" ]; then
            if can_apt; then
                apt_install postgresql
            else
                err "PostgreSQL is not running on $HOST:$PG_PORT and is not installed"
                how_to_start
                exit 1
            fi
        fi
        # The package's maintainer scripts may already have started the cluster.
        if ! pg_answers; then
            start_postgres || { how_to_start; exit 1; }
        fi
        wait_port PostgreSQL "$PG_PORT" || { how_to_start; exit 1; }
        # The port can open a moment before connections are accepted.
        for _ in $(seq 1 20); do pg_answers && break; sleep 0.5; done
        say "PostgreSQL started on $HOST:$PG_PORT"
    fi
    ensure_pg_login
}

# The tests log in as postgres over TCP and need CREATEDB (pytest-django creates
# test_<db>). Our machines use trust auth; a cluster started with Debian's
# defaults wants a password over TCP, so give postgres the password "postgres".
ensure_pg_login() {
    if ! command -v psql >/dev/null 2>&1; then
        say "psql not found: skipping the PostgreSQL login check"
        return 0
    fi
    local out
    if out="$(PGPASSWORD=postgres PGCONNECT_TIMEOUT=5 psql -w -h "$HOST" -p "$PG_PORT" -U postgres \
                -d postgres -tAc 'select rolsuper or rolcreatedb from pg_roles where rolname = current_user' 2>&1)"; then
        if [ "$(echo "$out" | tr -d '[:space:]')" != "t" ]; then
            err "role postgres cannot create databases; as a superuser run: ALTER ROLE postgres CREATEDB"
            exit 1
        fi
        return 0
    fi
    case "$out" in
        *"password authentication failed"*|*"no password supplied"*)
            if is_root || [ "$(id -un)" = postgres ]; then
                say "PostgreSQL asks for a password over TCP: setting postgres's password to 'postgres'"
                if is_root; then
                    (cd / && su postgres -c "psql -q -c \"ALTER USER postgres PASSWORD 'postgres'\"")
                else
                    (cd / && psql -q -c "ALTER USER postgres PASSWORD 'postgres'")
                fi
                if PGPASSWORD=postgres psql -w -h "$HOST" -p "$PG_PORT" -U postgres -d postgres \
                        -tAc 'select 1' >/dev/null 2>&1; then
                    say "use DATABASE_URL=$DEFAULT_DATABASE_URL"
                    return 0
                fi
            fi
            err "cannot log in to PostgreSQL as postgres over TCP:"
            echo "$out" >&2
            echo "ensure_services: as the postgres user run: psql -c \"ALTER USER postgres PASSWORD 'postgres'\"" >&2
            echo "ensure_services: then use DATABASE_URL=$DEFAULT_DATABASE_URL" >&2
            exit 1
            ;;
        *)
            err "cannot log in to PostgreSQL as postgres over TCP:"
            echo "$out" >&2
            exit 1
            ;;
    esac
}

# --------------------------------------------------------------------- Redis

ensure_redis() {
    if port_open "$REDIS_PORT"; then
        say "Redis is up on $HOST:$REDIS_PORT"
        return 0
    fi
    if ! command -v redis-server >/dev/null 2>&1; then
        if can_apt; then
            apt_install redis-server
        else
            err "Redis is not running on $HOST:$REDIS_PORT and is not installed"
            how_to_start
            exit 1
        fi
    fi
    # The package's maintainer scripts may already have started it.
    if ! port_open "$REDIS_PORT"; then
        if ! mkdir -p /var/lib/redis /var/log/redis 2>/dev/null \
                || [ ! -w /var/lib/redis ] || [ ! -w /var/log/redis ]; then
            err "cannot write /var/lib/redis and /var/log/redis (run as root)"
            how_to_start
            exit 1
        fi
        say "starting Redis"
        redis-server --daemonize yes --bind 127.0.0.1 -::1 --port "$REDIS_PORT" \
            --save "" --appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log
    fi
    wait_port Redis "$REDIS_PORT" || { how_to_start; exit 1; }
    say "Redis started on $HOST:$REDIS_PORT"
}

# ----------------------------------------------------------------- Mosquitto

mosquitto_bin() {
    # Debian installs the broker in /usr/sbin, which is not on every PATH.
    command -v mosquitto 2>/dev/null || { [ -x /usr/sbin/mosquitto ] && echo /usr/sbin/mosquitto; } || true
}

ensure_mosquitto() {
    if port_open "$MQTT_PORT"; then
        say "Mosquitto is up on $HOST:$MQTT_PORT"
        return 0
    fi
    if [ -z "$(mosquitto_bin)" ]; then
        if can_apt; then
            apt_install mosquitto mosquitto-clients
        else
            err "Mosquitto is not running on $HOST:$MQTT_PORT and is not installed"
            how_to_start
            exit 1
        fi
    fi
    if ! port_open "$MQTT_PORT"; then
        # Our own config: loopback listener, raised queue limits, no pid/log file
        # (Mosquitto 2 exits silently under -d when it cannot write those).
        say "starting Mosquitto with deploy/mosquitto/mosquitto-test.conf"
        (cd "$REPO_ROOT" && "$(mosquitto_bin)" -d -c deploy/mosquitto/mosquitto-test.conf)
    fi
    wait_port Mosquitto "$MQTT_PORT" || { how_to_start; exit 1; }
    say "Mosquitto started on $HOST:$MQTT_PORT"
}

# ------------------------------------------------------------------ Chromium

ensure_chromium() {
    if [ -x /usr/bin/chromium ]; then
        say "Chromium is installed (/usr/bin/chromium)"
        return 0
    fi
    if can_apt; then
        apt_install chromium
        if [ -x /usr/bin/chromium ]; then
            say "Chromium installed (/usr/bin/chromium)"
            return 0
        fi
        err "apt-get install chromium did not provide /usr/bin/chromium"
        exit 1
    fi
    err "/usr/bin/chromium is missing; as root run: apt-get install -y chromium"
    echo "ensure_services: (the browser tests use Debian's chromium; do not use 'playwright install')" >&2
    exit 1
}

ensure_postgres
ensure_redis
ensure_mosquitto
if [ "$WANT_CHROMIUM" -eq 1 ]; then
    ensure_chromium
fi
