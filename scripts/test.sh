#!/usr/bin/env bash
# Every test: ruff (Python lint and format), sqlfluff (SQL lint), and pytest, whose end-to-end tests
# run `dbt build` (models and dbt data tests) on hand-made fixtures and generated counties; the dbt
# unit tests run once, in tests/python/test_dbt_unit_tests.py.
#   scripts/test.sh          everything (CI)
#   scripts/test.sh --fast   the fast lane: ruff, then the unit-level tests (Python units and the dbt
#                            unit tests; pytest -m "not e2e"), in under a minute
# Other arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
fast=false
if [ "${1:-}" = "--fast" ]; then
    fast=true
    shift
fi
scripts/setup.sh --dev
source .venv/bin/activate
export PCDM_PSEUDONYM_SALT="${PCDM_PSEUDONYM_SALT:-test-salt-not-secret-0123456789}"
export PCDM_DUCKDB_PATH="${PCDM_DUCKDB_PATH:-$(mktemp -d)/lint.duckdb}"

echo "== ruff"
ruff check src tests/python scripts
ruff format --check src tests/python scripts

if $fast; then
    echo "== pytest (fast lane)"
    # two workers: the dbt unit tests (one dbt build on empty tables) beside the Python units
    pytest -n 2 --no-loadscope-reorder -m "not e2e" "$@"
    exit
fi

echo "== sqlfluff"
# the OMOP staging models (built only with the var input omop) are linted beside the others, on a
# database file of their own (the dbt templater's connection locks it); their output follows
omop_log=$(mktemp)
PCDM_DUCKDB_PATH="$PCDM_DUCKDB_PATH.omop" \
    sqlfluff lint models/staging/omop --config .sqlfluff-omop >"$omop_log" 2>&1 &
omop_lint=$!
lint_status=0
sqlfluff lint models macros tests/dbt analyses --processes 2 || lint_status=$?
omop_status=0
wait "$omop_lint" || omop_status=$?
cat "$omop_log"
rm -f "$omop_log"
if [ "$lint_status" -ne 0 ] || [ "$omop_status" -ne 0 ]; then
    echo "sqlfluff: lint failed (models: exit $lint_status, OMOP staging: exit $omop_status)" >&2
    exit 1
fi

echo "== pytest"
# two workers, each build's tests on one of them, the longest first (tests/python/conftest.py);
# the 15 slowest tests are printed, to compare run to run
pytest -n 2 --no-loadscope-reorder --durations=15 "$@"
