#!/usr/bin/env bash
# Make sure the PostgreSQL and Redis the tests use answer on 127.0.0.1; start them
# where they are installed but stopped, and say clearly what is wrong otherwise.
set -u
PG_HOST=${PG_HOST:-127.0.0.1}
PG_PORT=${PG_PORT:-5432}
REDIS_HOST=${REDIS_HOST:-127.0.0.1}
REDIS_PORT=${REDIS_PORT:-6379}

port_open() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }

wait_for() {  # name host port seconds
  local i
  for ((i = 0; i < $4 * 2; i++)); do
    port_open "$2" "$3" && return 0
    sleep 0.5
  done
  return 1
}

if ! port_open "$PG_HOST" "$PG_PORT"; then
  echo "PostgreSQL is not answering on $PG_HOST:$PG_PORT; trying to start it"
  if command -v pg_ctlcluster >/dev/null 2>&1 && [ -d /etc/postgresql ]; then
    for version in $(ls /etc/postgresql); do
      pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
    done
  elif command -v pg_ctl >/dev/null 2>&1 && [ -n "${PGDATA:-}" ]; then
    pg_ctl -D "$PGDATA" -l "$PGDATA/server.log" start || true
  fi
  if ! wait_for PostgreSQL "$PG_HOST" "$PG_PORT" 30; then
    echo "ERROR: PostgreSQL is not running on $PG_HOST:$PG_PORT and could not be started." >&2
    echo "       Install PostgreSQL (trust auth for user postgres on 127.0.0.1), start it," >&2
    echo "       or point DATABASE_URL at a server the tests may use." >&2
    exit 1
  fi
fi

if ! port_open "$REDIS_HOST" "$REDIS_PORT"; then
  echo "Redis is not answering on $REDIS_HOST:$REDIS_PORT; trying to start it"
  if command -v redis-server >/dev/null 2>&1; then
    mkdir -p /var/lib/redis /var/log/redis 2>/dev/null || true
    redis-server --daemonize yes --bind 127.0.0.1 -::1 --port "$REDIS_PORT" --save "" \
      --appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log || true
  fi
  if ! wait_for Redis "$REDIS_HOST" "$REDIS_PORT" 15; then
    echo "ERROR: Redis is not running on $REDIS_HOST:$REDIS_PORT and could not be started." >&2
    echo "       Install redis-server and start it, or point REDIS_URL at one." >&2
    exit 1
  fi
fi
echo "PostgreSQL ($PG_HOST:$PG_PORT) and Redis ($REDIS_HOST:$REDIS_PORT) are up."
