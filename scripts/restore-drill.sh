#!/usr/bin/env bash
# `make restore-drill` (decision 0034): back up a database, restore the backup into a FRESH
# database, check the row count of every table and the audit head against the backup's
# manifest (manage.py restore does) and the audit chain (manage.py verify_audit).
#
# Without DATABASE_URL or SQLITE_PATH it drills a freshly seeded demo twice: on SQLite (restored
# into a new file) and on a throwaway PostgreSQL cluster (restored into a new database there).
# With one of them set, it backs up that database (read only) and restores it into a new SQLite
# file, or a new database on the same PostgreSQL server (needs CREATEDB; dropped afterwards).
# Connection settings are never printed.
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${PY:-.venv/bin/python}"
export SECRET_KEY="${SECRET_KEY:-restore-drill-only-not-secret}"
export ALLOWED_HOSTS="${ALLOWED_HOSTS:-127.0.0.1}" DEBUG=0 DB_CONN_MAX_AGE=0
export DJANGO_SETTINGS_MODULE=bloodline.settings

sql() {  # run one statement on the database of the environment, outside a transaction
  "$PY" -c 'import sys, django; django.setup(); from django.db import connection as c; c.cursor().execute(sys.argv[1])' "$1"
}

work="$(mktemp -d /tmp/bloodline-drill.XXXXXX)"
drop_db=""
cleanup() {
  if [[ -n "$drop_db" ]]; then
    sql "DROP DATABASE IF EXISTS \"$drop_db\"" || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

# drill LABEL TARGET_URL: back up the database of the environment, restore into TARGET_URL.
drill() {
  local label="$1" target="$2" file
  echo "== restore drill: $label =="
  "$PY" manage.py backup --dir "$work/$label"
  file="$(find "$work/$label" -maxdepth 1 \( -name 'bloodline-*.sqlite3' -o -name 'bloodline-*.dump' \))"
  DATABASE_URL="$target" "$PY" manage.py restore "$file"
  if DATABASE_URL="$target" "$PY" manage.py help verify_audit >/dev/null 2>&1; then
    DATABASE_URL="$target" "$PY" manage.py verify_audit
  else
    echo "restore drill FAILED ($label): manage.py verify_audit does not exist in this tree," \
      "so the restored audit chain cannot be verified (issue 12)." >&2
    return 1
  fi
  echo "== restore drill: $label passed =="
}

seed() {
  "$PY" manage.py migrate --noinput -v0
  "$PY" manage.py seed_demo >/dev/null
}

vendor() {
  "$PY" -c 'import django; django.setup(); from django.db import connection; print(connection.vendor)'
}

fresh_pg_database() {  # a new database on the server of DATABASE_URL; prints its URL
  local name="$1"
  sql "CREATE DATABASE \"$name\""
  "$PY" -c 'import sys, urllib.parse as u; p = u.urlsplit(sys.argv[1]); print(u.urlunsplit(p._replace(path="/" + sys.argv[2])))' "$DATABASE_URL" "$name"
}

case "${1:-}" in
  --inner-postgres)  # run by scripts/with-postgres.sh below, inside the throwaway cluster
    seed
    drill postgresql "$(fresh_pg_database drill_restore)"
    ;;
  "")
    if [[ -n "${DATABASE_URL:-}" || -n "${SQLITE_PATH:-}" ]]; then
      if [[ "$(vendor)" == "postgresql" ]]; then
        drop_db="bloodline_drill_$(date -u +%Y%m%d%H%M%S)"
        drill "current database" "$(fresh_pg_database "$drop_db")"
      else
        drill "current database" "sqlite:///$work/restored.sqlite3"
      fi
    else
      # A demo seeded for the drill only: throwaway field keys unless the environment has keys.
      # (A real database's drill needs its own keys from the environment, as the server does.)
      if [[ -z "${FIELD_ENCRYPTION_KEYS:-}" ]]; then
        FIELD_ENCRYPTION_KEYS="$("$PY" -c 'import base64,os; print(base64.urlsafe_b64encode(os.urandom(32)).decode())')"
        BLIND_INDEX_KEY="$("$PY" -c 'import secrets; print(secrets.token_urlsafe(32))')"
        export FIELD_ENCRYPTION_KEYS BLIND_INDEX_KEY
      fi
      export DATABASE_URL="sqlite:///$work/demo.sqlite3"
      seed
      drill sqlite "sqlite:///$work/restored.sqlite3"
      unset DATABASE_URL
      scripts/with-postgres.sh "$0" --inner-postgres
    fi
    ;;
  *)
    echo "usage: scripts/restore-drill.sh" >&2
    exit 2
    ;;
esac
