#!/usr/bin/env bash
# The main job on the embedded default (DuckDB): set up, generate the demo county, dbt build, summary.
# Arguments go to `pcdm run` (see `.venv/bin/pcdm run --help`), e.g. --county keski-pohjanmaa.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
exec .venv/bin/pcdm run "$@"
