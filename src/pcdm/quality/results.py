"""The gate's results and the steward's tables they become.

CheckResult   one expectation of one check (or the disclosure audit), with its failing rows
TestResult    one dbt data test of the latest build
GateResult    a run of the gate: its checks and tests, and the summary a steward reads
write_results dq.dq_check_results, dq.dq_test_results and dq.dq_results in the database
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pcdm.dbt_results import NodeResult

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
                f"  {label} {result.check}: observed {format_value(result.observed_value)}, "
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


def format_value(value: object) -> str:
    """A value of a metric row as a steward reads it (dates without a time of day)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "none"
    if isinstance(value, float):
        return f"{value:.4g}"
    if hasattr(value, "isoformat"):
        text = value.isoformat()
        return text.removesuffix("T00:00:00")
    return str(value)


def test_results(nodes: list[NodeResult]) -> list[TestResult]:
    """The dbt data tests among a run's node results (pcdm.dbt_results), in the order they ran."""
    return [
        TestResult(
            test=node.name,
            model=node.model,
            status=node.status,
            severity="warning" if node.severity == "warn" else node.severity or "error",
            failures=node.failures,
            message=node.message,
        )
        for node in nodes
        if node.resource_type == "test"
    ]


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
