#!/usr/bin/env bash
# Makes sure a PostGIS database called $1 is reachable on the local PostgreSQL server:
# starts the cluster if it is down, creates the two roles, the database and the postgis
# extension. Does nothing when CADASTRE_DATABASE_URL points elsewhere (SKIP_LOCAL_DB=1).
#
# Least privilege (cadastre/db_roles.py): the owner role ($DB_OWNER, `cadastre`) owns the
# databases and their tables and runs migrations; it is no superuser (CREATEDB only, for the
# tests' scratch databases). The application role ($DB_APP_ROLE, `cadastre_app`) owns
# nothing; `cadastre db upgrade` grants it row rights. PostGIS needs a superuser to install,
# so the extension is created here as `postgres`, and a template database `template_postgis`
# lets the owner create PostGIS databases of its own (cadastre.db.recreate_database).
# An existing superuser owner is demoted (KEEP_OWNER_SUPERUSER=1 leaves it alone).
set -euo pipefail
db="${1:?usage: ensure-db.sh DBNAME}"
[ "${SKIP_LOCAL_DB:-0}" = 1 ] && exit 0
owner="${DB_OWNER:-cadastre}"
app="${DB_APP_ROLE:-cadastre_app}"
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
role_exists() { [ -n "$(psql_admin -c "SELECT 1 FROM pg_roles WHERE rolname='$1'")" ]; }
if ! role_exists "$owner"; then
  echo "db: creating role $owner (schema owner)"
  psql_admin -c "CREATE ROLE \"$owner\" LOGIN NOSUPERUSER CREATEDB NOCREATEROLE"
elif [ "${KEEP_OWNER_SUPERUSER:-0}" != 1 ] \
  && [ "$(psql_admin -c "SELECT rolsuper FROM pg_roles WHERE rolname='$owner'")" = t ]; then
  echo "db: role $owner is a superuser; demoting it to NOSUPERUSER CREATEDB"
  psql_admin -c "ALTER ROLE \"$owner\" NOSUPERUSER CREATEDB NOCREATEROLE"
fi
if ! role_exists "$app"; then
  echo "db: creating role $app (the application's; owns nothing)"
  psql_admin -c "CREATE ROLE \"$app\" LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT"
fi
if [ -z "$(psql_admin -c "SELECT 1 FROM pg_database WHERE datname='template_postgis'")" ]; then
  echo "db: creating template database template_postgis"
  psql_admin -c "CREATE DATABASE template_postgis IS_TEMPLATE true"
  psql -h "$PGHOST" -p "$PGPORT" -U postgres -d template_postgis -v ON_ERROR_STOP=1 -qAt \
    -c "CREATE EXTENSION IF NOT EXISTS postgis"
fi
if [ -z "$(psql_admin -c "SELECT 1 FROM pg_database WHERE datname='$db'")" ]; then
  echo "db: creating database $db"
  psql_admin -c "CREATE DATABASE \"$db\" OWNER \"$owner\""
fi
psql -h "$PGHOST" -p "$PGPORT" -U postgres -d "$db" -v ON_ERROR_STOP=1 -qAt \
  -c "CREATE EXTENSION IF NOT EXISTS postgis" 2>&1 | grep -v 'already exists' || true
