"""The great-expectations suites of the gate, built in code from quality/thresholds.yml.

A check names a small metric table of the `dq` schema (computed by dbt inside the database), the
rows in its scope (an SQL `where`), a column, and bounds per severity. Its suite holds one
`ExpectColumnValuesToBeBetween` per severity (error: great-expectations severity `critical`,
warning: `warning`), and, so that the gate fails closed, one `ExpectColumnValuesToNotBeNull` (a
NULL metric fails instead of passing unseen: great-expectations skips nulls in a range) and, when
the scope must not be empty, one `ExpectTableRowCountToBeBetween`, both at the check's most severe
level.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from pcdm.contract import PROJECT_DIR

THRESHOLDS_PATH = PROJECT_DIR / "quality" / "thresholds.yml"
SEVERITIES = ("error", "warning")
GX_SEVERITY = {"error": "critical", "warning": "warning"}
METRIC_TABLES = (
    "dq_join_coverage",
    "dq_delivery_volumes",
    "dq_plausibility",
    "dq_quarantine_by_reason",
    "dq_reconciliation",
    "dq_source_freshness",
    "dq_delivery_sequence",
)


@dataclass(frozen=True)
class Bounds:
    severity: str
    min: float | None = None
    max: float | None = None

    def text(self) -> str:
        parts = []
        if self.min is not None:
            parts.append(f">= {self.min:g}")
        if self.max is not None:
            parts.append(f"<= {self.max:g}")
        return " and ".join(parts)


@dataclass(frozen=True)
class Check:
    name: str
    description: str
    table: str
    where: str
    column: str
    labels: tuple[str, ...] = ()
    min_rows: int | None = None
    bounds: tuple[Bounds, ...] = field(default_factory=tuple)
    # raw tables the check is about: skipped when one was not delivered (OMOP runs: optional tables)
    requires_tables: tuple[str, ...] = ()

    @property
    def top_severity(self) -> str:
        """The most severe level of the check's bounds (error, else warning)."""
        return next(s for s in SEVERITIES if any(b.severity == s for b in self.bounds))

    def query(self, schema: str = "dq") -> str:
        return f"select * from {schema}.{self.table} where {self.where}"


def load_checks(path: Path = THRESHOLDS_PATH) -> list[Check]:
    """The checks of a thresholds file, validated (a mistake in the file fails loudly)."""
    config = yaml.safe_load(path.read_text(encoding="utf-8"))
    checks: list[Check] = []
    for entry in config["checks"]:
        name = entry["name"]
        if entry["table"] not in METRIC_TABLES:
            raise ValueError(f"check {name}: table must be one of {', '.join(METRIC_TABLES)}")
        unknown = set(entry) - {
            "name", "description", "table", "where", "column", "labels", "min_rows",
            "requires_tables", *SEVERITIES
        }  # fmt: skip
        if unknown:
            raise ValueError(f"check {name}: unknown keys {sorted(unknown)}")
        bounds = []
        for severity in SEVERITIES:
            if severity in entry:
                limits = entry[severity]
                if not set(limits) <= {"min", "max"} or not limits:
                    raise ValueError(f"check {name}: {severity} needs min and/or max")
                bounds.append(Bounds(severity, limits.get("min"), limits.get("max")))
        if not bounds:
            raise ValueError(f"check {name}: no error or warning bounds")
        checks.append(
            Check(
                name=name,
                description=" ".join(str(entry.get("description", "")).split()),
                table=entry["table"],
                where=" ".join(str(entry["where"]).split()),
                column=entry["column"],
                labels=tuple(entry.get("labels", ())),
                min_rows=entry.get("min_rows"),
                bounds=tuple(bounds),
                requires_tables=tuple(entry.get("requires_tables", ())),
            )
        )
    names = [check.name for check in checks]
    if len(set(names)) != len(names):
        raise ValueError("check names must be unique")
    return checks


def build_suite(check: Check):
    """The great-expectations ExpectationSuite of one check."""
    import great_expectations as gx

    suite = gx.ExpectationSuite(name=check.name, meta={"description": check.description})
    top = check.top_severity
    if check.min_rows is not None:
        suite.add_expectation(
            gx.expectations.ExpectTableRowCountToBeBetween(
                min_value=check.min_rows,
                severity=GX_SEVERITY[top],
                meta={
                    "severity": top,
                    "check": check.name,
                    "threshold": f">= {check.min_rows} rows",
                },
            )
        )
    suite.add_expectation(
        gx.expectations.ExpectColumnValuesToNotBeNull(
            column=check.column,
            severity=GX_SEVERITY[top],
            meta={"severity": top, "check": check.name, "threshold": "0 NULL values"},
        )
    )
    for bounds in check.bounds:
        suite.add_expectation(
            gx.expectations.ExpectColumnValuesToBeBetween(
                column=check.column,
                min_value=bounds.min,
                max_value=bounds.max,
                severity=GX_SEVERITY[bounds.severity],
                meta={"severity": bounds.severity, "check": check.name, "threshold": bounds.text()},
            )
        )
    return suite
