#!/usr/bin/env bash
# Every test: ruff (Python lint and format), sqlfluff (SQL lint), and pytest, whose end-to-end tests
# run `dbt build` (models, dbt data tests and unit tests) on hand-made fixtures and a generated county.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --dev
source .venv/bin/activate
export PCDM_PSEUDONYM_SALT="${PCDM_PSEUDONYM_SALT:-test-salt-not-secret-0123456789}"
export PCDM_DUCKDB_PATH="${PCDM_DUCKDB_PATH:-$(mktemp -d)/lint.duckdb}"

echo "== ruff"
ruff check src tests/python scripts
ruff format --check src tests/python scripts

echo "== sqlfluff"
sqlfluff lint models macros tests/dbt analyses --processes 2
sqlfluff lint models/staging/omop --config .sqlfluff-omop  # built only with the var input omop

echo "== pytest"
pytest "$@"
