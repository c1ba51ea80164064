"""The data-quality gate of `pcdm run`, after `dbt build`: its steps in order.

1. Reads the small metric tables of the `dq` schema (suites.METRIC_TABLES, computed by dbt inside
   the database), each check's rows only, and validates them with the great-expectations suites of
   quality/thresholds.yml (validation.py; the checks and their suites: suites.py).
2. Audits everything the bi marts publish for a derivable small count (disclosure.py).
3. Writes the great-expectations Data Docs HTML to `<data-dir>/data_docs/index.html`.
4. Writes the steward's tables into the database (a second connection, after dbt; results.py):
     dq.dq_check_results  one row per expectation of the latest run
     dq.dq_test_results   one row per dbt data test of the run's `dbt build` (its two steps, as
                          dbt's on-run-end hook recorded them: pcdm.dbt_results)
     dq.dq_results        both, in common columns: the data-quality page of Power BI
An error-level expectation that fails blocks the run (nothing is published); a warning does not.
The gate fails closed: a NULL metric or a scope with too few rows fails its check. `pcdm run` gates
its new database file, so the results go with the build: published with it, or kept in
warehouse.failed.duckdb when blocked. When `dbt build` itself fails, record_failed_build writes its
test results alone, so that these tables never show an older run.
"""

from __future__ import annotations

import importlib
import threading
import warnings
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from pcdm.quality.disclosure import disclosure_audit
from pcdm.quality.results import GateResult, TestResult, test_results, write_results
from pcdm.quality.suites import THRESHOLDS_PATH, load_checks
from pcdm.quality.validation import DuckDBMetrics, PostgresMetrics, validate

if TYPE_CHECKING:
    from pcdm.dbt_results import NodeResult


# what the gate and the disclosure control import that takes seconds (great-expectations alone
# some 3 to 4 s on this machine)
HEAVY_LIBRARIES = ("great_expectations", "pandas", "scipy.sparse", "highspy")


def preload_libraries() -> threading.Thread:
    """Import the gate's libraries in a background thread, e.g. while dbt builds in its own
    process: the gate then finds them imported. An import that fails here fails again, with its
    error, where the gate imports it."""

    def load() -> None:
        # pyspark (the Spark engine's, when installed) warns about pandas when great-expectations
        # imports it: noise in a run that does not use Spark
        warnings.filterwarnings("ignore", category=FutureWarning, module="pyspark")
        for name in HEAVY_LIBRARIES:
            try:
                importlib.import_module(name)
            except Exception:  # noqa: BLE001 - the gate's own import reports it
                return

    thread = threading.Thread(target=load, name="pcdm-preload", daemon=True)
    thread.start()
    return thread


def run_gate(
    database_path: Path,
    docs_dir: Path,
    *,
    dbt_nodes: list[NodeResult] = (),
    thresholds_path: Path = THRESHOLDS_PATH,
    min_cell_size: int | None = None,
    engine: str = "duckdb",
) -> GateResult:
    """Run every check on the database, write Data Docs and the dq result tables (with the data
    tests among dbt_nodes, the build's node results). With min_cell_size, the disclosure audit of
    the bi marts is one more error check. On PostgreSQL the suites validate its own dq schema
    (great-expectations' postgres datasource); elsewhere the DuckDB file's (on Spark: the copy of
    its dq schema)."""
    import duckdb

    checks = load_checks(thresholds_path)
    gate = GateResult(run_at=datetime.now(UTC), checks=[])
    audit = [disclosure_audit(database_path, min_cell_size)] if min_cell_size else []
    with duckdb.connect(str(database_path)) as con:
        undelivered = {
            table
            for (table,) in con.sql(
                "select source_table from dq.dq_input_tables where not is_delivered"
            ).fetchall()
        }
        gate.skipped = [c.name for c in checks if undelivered & set(c.requires_tables)]
        checks = [c for c in checks if c.name not in gate.skipped]
        metrics = PostgresMetrics() if engine == "postgres" else DuckDBMetrics(con)
        gate.checks = validate(metrics, checks, docs_dir) + audit
        gate.tests = test_results(dbt_nodes)
        gate.docs_index = docs_dir / "index.html"
        write_results(con, gate)
    return gate


def record_failed_build(
    database_path: Path, dbt_nodes: list[NodeResult]
) -> list[TestResult] | None:
    """After a failed `dbt build`: record its data tests (among dbt_nodes, the node results its
    on-run-end hook recorded) so that dq.dq_results shows this run.

    The suites do not run (the metric tables may be stale), so dq.dq_check_results is emptied.
    Returns the failed tests, or None when dbt recorded nothing (it stopped before its on-run-end
    hook) or there is no database yet.
    """
    import duckdb

    if not database_path.exists() or not dbt_nodes:
        return None
    gate = GateResult(run_at=datetime.now(UTC), checks=[])
    gate.tests = test_results(dbt_nodes)
    with duckdb.connect(str(database_path)) as con:
        write_results(con, gate)
    return [test for test in gate.tests if test.status not in ("pass", "success")]
