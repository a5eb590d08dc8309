#!/usr/bin/env bash
# The embedded default still works: migrate a fresh SQLite database, seed it, serve it
# exactly as `make run` does (no DATABASE_URL, no REDIS_URL, no provider keys) and walk
# through the API with scripts/smoke.py.
set -euo pipefail
PY=${1:-.venv/bin/python}
WORK=$(mktemp -d)
PORT=${SMOKE_PORT:-$($PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}
SERVER_PID=""
cleanup() {
  local status=$?
  if [ -n "$SERVER_PID" ]; then
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  rm -rf "$WORK"
  exit "$status"
}
trap cleanup EXIT

# Only the embedded default: drop every variable that would switch a part to a real service.
unset DATABASE_URL REDIS_URL CELERY_BROKER_URL SENDGRID_API_KEY MAILERSEND_API_TOKEN \
      TERMII_API_KEY TELNYX_AUTH_TOKEN PAYSTACK_SECRET_KEY SPACES_ACCESS_KEY_ID DJANGO_SETTINGS_MODULE
export DJANGO_ENV=development
export DATABASE_URL="sqlite:///$WORK/smoke.sqlite3"
export MEDIA_ROOT="$WORK/media"
export PUBLIC_BASE_URL="http://127.0.0.1:$PORT"

echo "smoke: migrating a fresh SQLite database"
$PY manage.py migrate --noinput >"$WORK/migrate.log" 2>&1 || { cat "$WORK/migrate.log"; exit 1; }
$PY manage.py seed >/dev/null
# A staff member with an authenticator, as a newcomer would make one (README).
export SMOKE_STAFF_EMAIL=staff@smoke.local SMOKE_STAFF_PASSWORD=smoke-Staff-pass-42
DJANGO_SUPERUSER_PASSWORD=$SMOKE_STAFF_PASSWORD $PY manage.py createsuperuser --noinput \
  --email "$SMOKE_STAFF_EMAIL" >/dev/null
SMOKE_TOTP_URL=$($PY manage.py totp_enroll "$SMOKE_STAFF_EMAIL" | grep '^otpauth://')
export SMOKE_TOTP_URL
$PY manage.py runserver --noreload "127.0.0.1:$PORT" >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 60); do
  if $PY -c "import urllib.request,sys; urllib.request.urlopen('http://127.0.0.1:$PORT/healthz', timeout=1)" 2>/dev/null; then
    break
  fi
  sleep 0.5
done
if ! { $PY scripts/smoke.py "http://127.0.0.1:$PORT" \
       && $PY scripts/smoke_flow.py "http://127.0.0.1:$PORT" \
       && $PY manage.py ledger_check && $PY manage.py audit_verify; }; then
  echo "smoke: server log follows" >&2
  tail -n 60 "$WORK/server.log" >&2
  exit 1
fi
