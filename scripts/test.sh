#!/usr/bin/env bash
# The whole test suite: installs what it needs into .venv, then runs every test on SQLite and
# again on PostgreSQL, browser tests included in both (they skip where no Chromium is installed).
# Tests run in one process per CPU (pytest-xdist; RAPPORT_TEST_WORKERS overrides the number).
# PostgreSQL defaults to the local server; set TEST_POSTGRES_URL to use another, or
# RAPPORT_SKIP_POSTGRES=1 to skip that pass on a machine without one (never in CI).
set -uo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv || exit 1
fi
.venv/bin/python -m pip install --quiet --upgrade pip >/dev/null
.venv/bin/python -m pip install --quiet -e '.[test]' || { echo "pip install failed"; exit 1; }

run_pytest() {
  # Exit status 5 means "no tests ran": that is a failure here, never a pass.
  .venv/bin/python -m pytest -n "${RAPPORT_TEST_WORKERS:-auto}" "$@"
  local status=$?
  if [ "$status" -eq 5 ]; then
    echo "pytest collected no tests: failing." >&2
    return 1
  fi
  return "$status"
}

echo "== ruff"
.venv/bin/ruff check . || exit 1

echo "== tests on SQLite"
run_pytest -q || exit 1

POSTGRES_URL=${TEST_POSTGRES_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/test}
if [ "${RAPPORT_SKIP_POSTGRES:-0}" = "1" ] && [ "${CI:-}" != "true" ]; then
  echo "== tests on PostgreSQL: skipped (RAPPORT_SKIP_POSTGRES=1)"
  exit 0
fi
if ! .venv/bin/python - "$POSTGRES_URL" <<'PY'
import sys
from sqlalchemy import create_engine, text
try:
    with create_engine(sys.argv[1]).connect() as connection:
        connection.execute(text("SELECT 1"))
except Exception as error:  # noqa: BLE001 - any failure means "not reachable"
    print(f"PostgreSQL is not reachable at {sys.argv[1]}: {error}", file=sys.stderr)
    sys.exit(1)
PY
then
  echo "PostgreSQL is required for the second pass (set RAPPORT_SKIP_POSTGRES=1 to skip it outside CI)." >&2
  exit 1
fi
echo "== tests on PostgreSQL"
TEST_DATABASE_URL="$POSTGRES_URL" run_pytest -q || exit 1
