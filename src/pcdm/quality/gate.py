"""The data-quality gate of `pcdm run`, after `dbt build`.

1. Reads the small metric tables of the `dq` schema (suites.METRIC_TABLES, computed by dbt inside
   the database) with DuckDB, each check's rows only.
2. Validates them with the great-expectations suites of quality/thresholds.yml (pandas batches of a
   few hundred rows at most: great-expectations 1.24 has no working DuckDB engine, issue #11579).
3. Writes the great-expectations Data Docs HTML to `<data-dir>/data_docs/index.html`.
4. Writes the steward's tables into the database (a second connection, after dbt):
     dq.dq_check_results  one row per expectation of the latest run
     dq.dq_test_results   one row per dbt data test of the latest `dbt build` (run_results.json)
     dq.dq_results        both, in common columns: the data-quality page of Power BI
An error-level expectation that fails blocks the run (nothing is published); a warning does not.
The gate fails closed: a NULL metric or a scope with too few rows fails its check. `pcdm run` gates
its new database file, so the results go with the build: published with it, or kept in
warehouse.failed.duckdb when blocked. When `dbt build` itself fails, record_failed_build writes its
test results alone, so that these tables never show an older run.
"""

from __future__ import annotations

import json
import logging
import math
import shutil
import warnings
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from pcdm.quality.suites import THRESHOLDS_PATH, Check, build_suite, load_checks

DOCS_SITE = "pcdm_data_docs"
MAX_LISTED_ROWS = 5


@dataclass(frozen=True)
class CheckResult:
    """The outcome of one expectation of one check."""

    check: str
    expectation: str
    severity: str
    success: bool
    observed_value: float | None
    threshold: str
    details: tuple[str, ...]  # the failing rows (or why the scope is empty), each in words
    description: str

    def details_text(self, limit: int | None = None) -> str:
        shown = self.details if limit is None else self.details[:limit]
        more = len(self.details) - len(shown)
        return "; ".join(shown) + (f"; and {more} more" if more else "")


@dataclass(frozen=True)
class TestResult:
    """One dbt data test of the latest build."""

    test: str
    model: str | None
    status: str
    severity: str
    failures: int | None
    message: str | None


@dataclass
class GateResult:
    run_at: datetime
    checks: list[CheckResult]
    tests: list[TestResult] = field(default_factory=list)
    docs_index: Path | None = None
    skipped: list[str] = field(default_factory=list)  # checks about tables not delivered

    @property
    def blocking(self) -> list[CheckResult]:
        return [r for r in self.checks if not r.success and r.severity == "error"]

    @property
    def warnings(self) -> list[CheckResult]:
        return [r for r in self.checks if not r.success and r.severity == "warning"]

    @property
    def passed(self) -> bool:
        return not self.blocking

    def summary(self) -> str:
        """The text a data steward reads after a run."""
        n_checks = len({r.check for r in self.checks})
        failed_tests = [t for t in self.tests if t.status not in ("pass", "success")]
        lines = [
            f"Data-quality gate ({self.run_at:%Y-%m-%d %H:%M} UTC): {n_checks} checks, "
            f"{len(self.checks)} expectations: {len(self.blocking)} errors, "
            f"{len(self.warnings)} warnings; dbt data tests: {len(self.tests)}, "
            f"{len(failed_tests)} not passed",
        ]
        if self.skipped:
            lines.append(
                "  skipped, their tables not delivered (dq.dq_input_tables): "
                + ", ".join(self.skipped)
            )
        blocked = {result.check for result in self.blocking}
        shown = [("ERROR", r) for r in self.blocking]
        # a warning of a check whose error bound already failed says nothing new
        shown += [("WARNING", r) for r in self.warnings if r.check not in blocked]
        for label, result in shown:
            lines.append(
                f"  {label} {result.check}: observed {_fmt(result.observed_value)}, "
                f"expected {result.threshold}"
                + (f" ({result.details_text(MAX_LISTED_ROWS)})" if result.details else "")
            )
        for test in failed_tests:
            lines.append(
                f"  dbt test {test.status.upper()} {test.test}: {test.failures} failing rows"
            )
        if self.docs_index is not None:
            lines.append(f"Data Docs: {self.docs_index}")
        lines.append(
            "Results: dq.dq_results (dq.dq_check_results, dq.dq_test_results), "
            "quarantine: dq.dq_quarantine_by_reason, dq.dq_quarantine; "
            "reconciliation: dq.dq_reconciliation; freshness: dq.dq_source_freshness"
        )
        return "\n".join(lines)


def _fmt(value: object) -> str:
    """A value of a metric row as a steward reads it (dates without a time of day)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "none"
    if isinstance(value, float):
        return f"{value:.4g}"
    if hasattr(value, "isoformat"):
        text = value.isoformat()
        return text.removesuffix("T00:00:00")
    return str(value)


def _quiet_gx() -> None:
    warnings.filterwarnings("ignore", module="great_expectations")
    warnings.filterwarnings("ignore", category=DeprecationWarning)
    logging.getLogger("great_expectations").setLevel(logging.ERROR)


def _context(docs_dir: Path):
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    context.add_data_docs_site(
        site_name=DOCS_SITE,
        site_config={
            "class_name": "SiteBuilder",
            "store_backend": {
                "class_name": "TupleFilesystemStoreBackend",
                "base_directory": str(docs_dir),
            },
            "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
        },
    )
    return context


def _failing_rows(
    check: Check, frame, severity_bounds=None
) -> tuple[float | None, tuple[str, ...]]:
    """The worst observed value and the failing rows named by the check's labels: rows beyond the
    bounds, or with severity_bounds None the rows whose value is NULL (observed: their count)."""
    values = frame[check.column]
    if severity_bounds is None:
        mask = values.isna()
        observed = float(mask.sum())
    else:
        if values.dropna().empty:
            return None, ()
        low, high = severity_bounds.min, severity_bounds.max
        mask = values.notna() & False
        if low is not None:
            mask |= values < low
        if high is not None:
            mask |= values > high
        if low is not None and (high is None or (values < low).any() or not (values > high).any()):
            observed = float(values.min())
        else:
            observed = float(values.max())
    failing = frame[mask]
    named = []
    for _, row in failing.iterrows():
        label = " ".join(
            f"{column}={_fmt(row[column])}" for column in check.labels if column in row
        )
        named.append(f"{label} {check.column}={_fmt(row[check.column])}".strip())
    return observed, tuple(named)


def validate(con, checks: list[Check], docs_dir: Path) -> list[CheckResult]:
    """Validate every check's metric rows with great-expectations; write the Data Docs."""
    import great_expectations as gx

    _quiet_gx()
    shutil.rmtree(docs_dir, ignore_errors=True)
    docs_dir.mkdir(parents=True)
    context = _context(docs_dir)
    source = context.data_sources.add_pandas("dq_metrics")
    results: list[CheckResult] = []
    for check in checks:
        frame = con.sql(check.query()).df()
        batch = source.add_dataframe_asset(check.name).add_batch_definition_whole_dataframe("all")
        suite = context.suites.add(build_suite(check))
        definition = context.validation_definitions.add(
            gx.ValidationDefinition(name=check.name, data=batch, suite=suite)
        )
        checkpoint = context.checkpoints.add(
            gx.Checkpoint(
                name=f"gate_{check.name}",
                validation_definitions=[definition],
                result_format="SUMMARY",
            )
        )
        run = checkpoint.run(batch_parameters={"dataframe": frame})
        for validation in run.run_results.values():
            for outcome in validation.results:
                config = outcome.expectation_config
                meta = config.meta or {}
                severity = meta.get("severity", "error")
                if config.type == "expect_table_row_count_to_be_between":
                    observed, details = float(len(frame)), ()
                    if not outcome.success:
                        details = (
                            f"{len(frame)} rows in scope of dq.{check.table} where {check.where}",
                        )
                elif config.type == "expect_column_values_to_not_be_null":
                    observed, details = _failing_rows(check, frame)
                else:
                    bounds = next(b for b in check.bounds if b.severity == severity)
                    observed, details = _failing_rows(check, frame, bounds)
                results.append(
                    CheckResult(
                        check=check.name,
                        expectation=config.type,
                        severity=severity,
                        success=bool(outcome.success),
                        observed_value=observed,
                        threshold=meta.get("threshold", ""),
                        details=details if not outcome.success else (),
                        description=check.description,
                    )
                )
    context.build_data_docs(site_names=[DOCS_SITE])
    return results


def read_test_results(target_dir: Path) -> list[TestResult]:
    """The dbt data tests of the latest dbt command in target_dir (empty when there is none)."""
    run_results = target_dir / "run_results.json"
    if not run_results.exists():
        return []
    results = json.loads(run_results.read_text(encoding="utf-8"))["results"]
    manifest_path = target_dir / "manifest.json"
    nodes = {}
    if manifest_path.exists():
        nodes = json.loads(manifest_path.read_text(encoding="utf-8")).get("nodes", {})
    tests = []
    for result in results:
        unique_id = result["unique_id"]
        if not unique_id.startswith("test."):
            continue
        node = nodes.get(unique_id, {})
        attached = node.get("attached_node") or ""
        severity = str(node.get("config", {}).get("severity", "error")).lower()
        tests.append(
            TestResult(
                test=node.get("name", unique_id.split(".")[2]),
                model=attached.split(".")[-1] if attached else None,
                status=result["status"],
                severity="warning" if severity == "warn" else severity,
                failures=result.get("failures"),
                message=result.get("message"),
            )
        )
    return tests


def write_results(con, gate: GateResult) -> None:
    """Replace dq.dq_check_results, dq.dq_test_results and dq.dq_results with this run's."""
    import pandas as pd

    checks = pd.DataFrame(
        [
            {
                "run_at": gate.run_at.replace(tzinfo=None),
                "check_name": r.check,
                "expectation": r.expectation,
                "severity": r.severity,
                "success": r.success,
                "observed_value": r.observed_value,
                "threshold": r.threshold,
                "details": r.details_text(),
                "description": r.description,
            }
            for r in gate.checks
        ],
        columns=[
            "run_at", "check_name", "expectation", "severity", "success", "observed_value",
            "threshold", "details", "description",
        ],
    )  # fmt: skip
    tests = pd.DataFrame(
        [
            {
                "run_at": gate.run_at.replace(tzinfo=None),
                "test_name": t.test,
                "model": t.model,
                "status": t.status,
                "severity": t.severity,
                "failures": t.failures,
                "message": t.message,
            }
            for t in gate.tests
        ],
        columns=["run_at", "test_name", "model", "status", "severity", "failures", "message"],
    )
    con.execute("create schema if not exists dq")
    con.register("gate_checks", checks)
    con.register("gate_tests", tests)
    con.execute(
        "create or replace table dq.dq_check_results as select "
        "cast(run_at as timestamp) as run_at, cast(check_name as varchar) as check_name, "
        "cast(expectation as varchar) as expectation, cast(severity as varchar) as severity, "
        "cast(success as boolean) as success, cast(observed_value as double) as observed_value, "
        "cast(threshold as varchar) as threshold, cast(details as varchar) as details, "
        "cast(description as varchar) as description from gate_checks"
    )
    con.execute(
        "create or replace table dq.dq_test_results as select "
        "cast(run_at as timestamp) as run_at, cast(test_name as varchar) as test_name, "
        "cast(model as varchar) as model, cast(status as varchar) as status, "
        "cast(severity as varchar) as severity, cast(failures as bigint) as failures, "
        "cast(message as varchar) as message from gate_tests"
    )
    con.execute(
        """
        create or replace table dq.dq_results as
        select
            run_at, 'great_expectations' as source, check_name, severity,
            case when success then 'pass' when severity = 'error' then 'fail' else 'warn' end
                as status,
            observed_value, threshold, details
        from dq.dq_check_results
        union all
        select
            run_at, 'dbt_test' as source, test_name as check_name, severity,
            case when status = 'success' then 'pass' else status end as status,
            cast(failures as double) as observed_value, '0 failing rows' as threshold,
            message as details
        from dq.dq_test_results
        """
    )
    con.unregister("gate_checks")
    con.unregister("gate_tests")


DISCLOSURE_CHECK = "bi_disclosure_audit"
DISCLOSURE_EXPECTATION = "no_small_count_derivable"
DISCLOSURE_RULE = (
    "An attacker who reads every bi mart and report file at once and solves the linear programs "
    "they imply can pin no count below min_cell_size to an interval narrower than min_cell_size, "
    "and every withheld cell looks the same"
)


def disclosure_audit(database_path: Path, min_cell_size: int) -> CheckResult:
    """The attacker of docs/privacy.md on everything the bi marts publish, as one error check:
    it fails on a small count that is published or derivable, naming each such cell."""
    from pcdm.privacy.warehouse import audit_warehouse

    report = audit_warehouse(database_path, min_cell_size)
    failures = report.failures
    return CheckResult(
        check=DISCLOSURE_CHECK,
        expectation=DISCLOSURE_EXPECTATION,
        severity="error",
        success=not failures,
        observed_value=float(len(failures)),
        threshold="0 cells",
        details=tuple(failures),
        description=(
            f"{DISCLOSURE_RULE} (min_cell_size {min_cell_size}: "
            f"{report.result.targets} small withheld counts bounded, {report.result.solves} "
            f"LPs, {report.seconds:.1f} s; docs/privacy.md)"
        ),
    )


def run_gate(
    database_path: Path,
    docs_dir: Path,
    *,
    dbt_target_dir: Path | None = None,
    thresholds_path: Path = THRESHOLDS_PATH,
    min_cell_size: int | None = None,
) -> GateResult:
    """Run every check on the database, write Data Docs and the dq result tables. With
    min_cell_size, the disclosure audit of the bi marts is one more error check."""
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
        gate.checks = validate(con, checks, docs_dir) + audit
        gate.tests = read_test_results(dbt_target_dir) if dbt_target_dir else []
        gate.docs_index = docs_dir / "index.html"
        write_results(con, gate)
    return gate


def record_failed_build(
    database_path: Path, dbt_target_dir: Path, *, since: float
) -> list[TestResult] | None:
    """After a failed `dbt build`: record its data tests so that dq.dq_results shows this run.

    The suites do not run (the metric tables may be stale), so dq.dq_check_results is emptied.
    Returns the failed tests, or None when dbt did not get as far as writing results since `since`
    (a time.time() value) or there is no database yet.
    """
    import duckdb

    run_results = dbt_target_dir / "run_results.json"
    if not database_path.exists() or not run_results.exists():
        return None
    if run_results.stat().st_mtime < since:
        return None
    gate = GateResult(run_at=datetime.now(UTC), checks=[])
    gate.tests = read_test_results(dbt_target_dir)
    with duckdb.connect(str(database_path)) as con:
        write_results(con, gate)
    return [test for test in gate.tests if test.status not in ("pass", "success")]
