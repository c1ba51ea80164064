#!/usr/bin/env bash
# Creates .venv with the pinned toolchain (dbt-core 1.11.x, dbt-duckdb, ...) and installs this project.
# Usage: scripts/setup.sh [--dev] [--engines]   (--dev adds pytest, hypothesis, ruff, sqlfluff;
#        --engines adds dbt-postgres, psycopg, dbt-spark and pyspark; PCDM_SETUP_EXTRAS=engines too)
set -euo pipefail
cd "$(dirname "$0")/.."

python=${PYTHON:-python3}
if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
    echo "setup: Python 3.11 or newer is needed (found: $("$python" --version 2>&1))." >&2
    exit 2
fi
[ -x .venv/bin/python ] || "$python" -m venv .venv
wanted=()
for option in "$@" ${PCDM_SETUP_EXTRAS:+--$PCDM_SETUP_EXTRAS}; do
    case "$option" in
        --dev) wanted+=(dev) ;;
        --engines) wanted+=(engines) ;;
    esac
done
extras=""
[ ${#wanted[@]} -gt 0 ] && extras="[$(IFS=,; echo "${wanted[*]}")]"
# uv installs what pip would (the same indexes: pip's configuration is passed on, and the same
# best-match resolution) in seconds instead of half a minute; pip installs when uv cannot
pip_sources() {
    .venv/bin/python - <<'PY'
import subprocess, sys
flags = {"index-url": "--index-url", "extra-index-url": "--extra-index-url",
         "find-links": "--find-links", "constraint": "--constraint"}
listed = subprocess.run([sys.executable, "-m", "pip", "config", "list"],
                        capture_output=True, text=True).stdout
for line in listed.splitlines():
    key, _, value = line.partition("=")
    flag = flags.get(key.rsplit(".", 1)[-1])
    for item in value.strip("'\"").split() if flag else ():
        print(flag)
        print(item)
PY
}
installed=false
if .venv/bin/python -m pip install --quiet --disable-pip-version-check uv >/dev/null 2>&1; then
    mapfile -t sources < <(pip_sources)
    if .venv/bin/python -m uv pip install --quiet --python .venv/bin/python \
        --index-strategy unsafe-best-match "${sources[@]}" -e ".${extras}"; then
        installed=true
    else
        echo "setup: uv could not install the project: trying pip" >&2
    fi
fi
if ! $installed; then
    .venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip 2>&1 | grep -v "is ignored" || true
    .venv/bin/python -m pip install --quiet --disable-pip-version-check -e ".${extras}" 2>&1 | grep -v "is ignored" || true
fi
.venv/bin/python -c 'import dbt.version, pcdm; print("setup: dbt-core", dbt.version.__version__, "and pcdm", pcdm.__version__, "ready in .venv")'
