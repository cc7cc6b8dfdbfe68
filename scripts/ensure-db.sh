#!/usr/bin/env bash
# Makes sure a PostGIS database called $1 is reachable on the local PostgreSQL server:
# starts the cluster if it is down, creates the role `cadastre`, the database and the
# postgis extension. Does nothing when CADASTRE_DATABASE_URL points elsewhere (SKIP_LOCAL_DB=1).
set -euo pipefail
db="${1:?usage: ensure-db.sh DBNAME}"
[ "${SKIP_LOCAL_DB:-0}" = 1 ] && exit 0
PGHOST="${PGHOST:-127.0.0.1}"; PGPORT="${PGPORT:-5432}"
psql_admin() { psql -h "$PGHOST" -p "$PGPORT" -U postgres -d postgres -v ON_ERROR_STOP=1 -qAt "$@"; }
if ! pg_isready -h "$PGHOST" -p "$PGPORT" -q 2>/dev/null; then
  if command -v pg_ctlcluster >/dev/null 2>&1; then
    ver=$(ls /etc/postgresql | sort -n | tail -1)
    echo "db: starting PostgreSQL $ver"
    pg_ctlcluster --skip-systemctl-redirect "$ver" main start || true
    for _ in $(seq 1 30); do pg_isready -h "$PGHOST" -p "$PGPORT" -q && break; sleep 1; done
  fi
  pg_isready -h "$PGHOST" -p "$PGPORT" -q || {
    echo "db: PostgreSQL is not reachable on $PGHOST:$PGPORT; start it or set CADASTRE_DATABASE_URL" >&2
    exit 1; }
fi
if [ -z "$(psql_admin -c "SELECT 1 FROM pg_roles WHERE rolname='cadastre'")" ]; then
  psql_admin -c "CREATE ROLE cadastre LOGIN SUPERUSER"
fi
if [ -z "$(psql_admin -c "SELECT 1 FROM pg_database WHERE datname='$db'")" ]; then
  echo "db: creating database $db"
  psql_admin -c "CREATE DATABASE \"$db\" OWNER cadastre"
fi
psql -h "$PGHOST" -p "$PGPORT" -U postgres -d "$db" -v ON_ERROR_STOP=1 -qAt \
  -c "CREATE EXTENSION IF NOT EXISTS postgis" 2>&1 | grep -v 'already exists' || true
