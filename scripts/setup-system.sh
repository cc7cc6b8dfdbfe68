#!/usr/bin/env bash
# Installs the system packages the registry and its tests need, where they are missing.
# Debian as root: apt-get. Elsewhere it only says what is missing (see README).
set -euo pipefail
need=()
[ -f /usr/share/postgresql/15/extension/postgis.control ] || need+=(postgresql-15-postgis-3)
command -v ogrinfo >/dev/null 2>&1 || need+=(gdal-bin)
# The licence certificate's font (services/certificate_pdf.py; without it: Latin-1 Helvetica).
[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || need+=(fonts-dejavu-core)
if [ "${1:-}" = "--test" ]; then
  command -v chromium >/dev/null 2>&1 || need+=(chromium)
  # Opt-in: headless QGIS opens the training pack (tests/training/test_qgis.py; ~170 packages).
  if [ "${CADASTRE_TEST_QGIS:-0}" = 1 ] && ! /usr/bin/python3 -c 'import qgis.core' 2>/dev/null; then
    need+=(python3-qgis qgis-providers)
  fi
fi
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "setup: installing ${need[*]} with apt-get"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${need[@]}" >/dev/null
else
  echo "setup: missing system packages: ${need[*]}" >&2
  echo "setup: install them (PostGIS 3 for PostgreSQL, GDAL tools, Chromium), or set" >&2
  echo "       CADASTRE_DATABASE_URL to a database that has PostGIS; see README.md" >&2
  [[ " ${need[*]} " == *postgis* ]] && [ -z "${CADASTRE_DATABASE_URL:-}" ] && exit 1
  exit 0
fi
