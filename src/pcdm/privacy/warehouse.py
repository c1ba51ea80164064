"""The disclosure control's reads and writes in the warehouse, and its two entry points.

- protect_warehouse: reads the true cells (intermediate.int_bi_*_cells), protects them (protect.py)
  and writes protection.bi_cell_decisions, which the bi marts join (publish_protected_cells).
- audit_warehouse: plays the attacker on what is published (the bi marts, which the report files
  only filter), judged against the true cells; run by the data-quality gate.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from pcdm.privacy.audit import AuditResult, attack_published
from pcdm.privacy.family import MARTS, Family, build_family
from pcdm.privacy.protect import Protection, protect

CELLS_SCHEMA = "intermediate"
BI_SCHEMA = "bi"
DECISIONS = "protection.bi_cell_decisions"


@dataclass(frozen=True)
class MartLoss:
    """Information loss of one mart: cells withheld, and persons in the published finest cells."""

    mart: str
    cells: int
    withheld: int
    persons_published_share: float | None

    def text(self) -> str:
        share = self.withheld / self.cells if self.cells else 0.0
        persons = (
            "-" if self.persons_published_share is None else f"{self.persons_published_share:6.1%}"
        )
        return (
            f"  {self.mart:<30} {self.cells:>7,} cells  {share:6.1%} withheld  "
            f"persons in published finest cells {persons}"
        )


@dataclass
class ProtectionReport:
    protection: Protection
    loss: list[MartLoss]
    groups: int
    seconds: float

    def lines(self) -> list[str]:
        p = self.protection
        return [
            f"Disclosure control: {self.groups:,} groups, {p.primary:,} small counts withheld, "
            f"{p.secondary:,} more to protect them ({p.lps:,} alternative tables, "
            f"{'whole numbers' if p.integral else 'with fractions'}, {self.seconds:.1f} s)",
            *[loss.text() for loss in self.loss],
        ]


@dataclass
class AuditReport:
    result: AuditResult
    label_problems: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def failures(self) -> list[str]:
        return (
            [leak.text() for leak in self.result.leaks]
            + [
                f"{cell}: a count below the minimum cell size is published"
                for cell in self.result.small_published
            ]
            + self.label_problems
        )


def _rows(con, relation: str) -> list[dict]:
    """The rows of a relation in one fixed order: the LP, and so the decisions, depend on the
    order of its variables, and two runs on the same data must publish the same cells."""
    result = con.sql(f"select * from {relation} order by all")
    names = result.columns
    return [dict(zip(names, row, strict=True)) for row in result.fetchall()]


def service_domains(con) -> dict[str, str]:
    """The domain of every harmonised service (the public service catalogue)."""
    return dict(
        con.sql("select service_key, domain from reference.service_catalogue order by 1").fetchall()
    )


def true_family(con) -> Family:
    rows = {spec.name: _rows(con, f"{CELLS_SCHEMA}.{spec.cells_model}") for spec in MARTS}
    return build_family(rows, service_domains(con))


def information_loss(family: Family, published: list[bool]) -> list[MartLoss]:
    losses = []
    for spec in MARTS:
        cells = [c for c in family.cells if c.mart == spec.name and c.measure == spec.count_column]
        withheld = sum(1 for c in cells if not published[c.groups[0]])
        finest = [
            c
            for c in cells
            if len(family.groups[c.groups[0]]) == len(spec.cube) + len(_fixed(family, c))
        ]
        persons = sum(c.n_persons for c in finest)
        shown = sum(c.n_persons for c in finest if published[c.groups[0]])
        losses.append(
            MartLoss(spec.name, len(cells), withheld, shown / persons if persons else None)
        )
    return losses


def _fixed(family: Family, cell) -> list:
    return [a for a, _ in family.groups[cell.groups[0]] if a.startswith(("uses ", "moved "))]


def protect_warehouse(database_path: Path, min_cell_size: int) -> ProtectionReport:
    """Protect the true cells and write the decisions that the bi marts publish by."""
    import duckdb
    import pyarrow as pa

    started = time.perf_counter()
    with duckdb.connect(str(database_path)) as con:
        family = true_family(con)
        protection = protect(family, min_cell_size)
        decisions = pa.table(
            {
                "mart": [c.mart for c in family.cells],
                "measure": [c.measure for c in family.cells],
                "cell_id": [c.cell_id for c in family.cells],
                "n_persons": pa.array([c.n_persons for c in family.cells], pa.int64()),
                "is_published": [
                    all(protection.published[g] for g in c.groups) for c in family.cells
                ],
            }
        )
        con.execute("create schema if not exists protection")
        con.register("decisions_arrow", decisions)
        con.execute(f"create or replace table {DECISIONS} as select * from decisions_arrow")
        con.unregister("decisions_arrow")
    return ProtectionReport(
        protection,
        information_loss(family, protection.published),
        len(family.groups),
        time.perf_counter() - started,
    )


def audit_warehouse(database_path: Path, min_cell_size: int) -> AuditReport:
    """Attack what the bi marts publish, all at once, and judge it against the true counts."""
    import duckdb

    started = time.perf_counter()
    with duckdb.connect(str(database_path), read_only=True) as con:
        truth_family = true_family(con)
        marts = {spec.name: _rows(con, f"{BI_SCHEMA}.{spec.name}") for spec in MARTS}
        for spec in MARTS:
            cell_ids = {r["cell_id"]: r for r in _rows(con, f"{CELLS_SCHEMA}.{spec.cells_model}")}
            for row in marts[spec.name]:
                row["cell_id"] = _cell_id(spec, row)
            missing = [r for r in marts[spec.name] if r["cell_id"] not in cell_ids]
            if missing:
                raise RuntimeError(f"{spec.name} has rows that are not cells: {missing[0]}")
        label_problems = _label_problems(con)
        published_family = build_family(marts, service_domains(con))
    result = attack_published(published_family, truth_family, min_cell_size)
    return AuditReport(result, label_problems, time.perf_counter() - started)


def _cell_id(spec, row: dict) -> str:
    """The id the cells model gives the row (macros/privacy/bi_cell_id.sql: fixed, then cube)."""
    return "|".join(str(row[c]) for c in (*spec.fixed, *spec.cube))


def _label_problems(con) -> list[str]:
    """Every withheld cell must look the same: count and every value null, is_suppressed true."""
    problems = []
    for (mart,) in con.sql(
        f"select table_name from information_schema.tables where table_schema = '{BI_SCHEMA}'"
    ).fetchall():
        columns = [
            name
            for (name, kind) in con.sql(
                "select column_name, data_type from information_schema.columns "
                f"where table_schema = '{BI_SCHEMA}' and table_name = '{mart}'"
            ).fetchall()
            if kind in ("BIGINT", "INTEGER", "DOUBLE") and name != "population_percentile"
        ]
        shown = " or ".join(f"{c} is not null" for c in columns) or "false"
        bad = con.sql(
            f"select count(*) from {BI_SCHEMA}.{mart} where is_suppressed and ({shown})"
        ).fetchall()[0][0]
        if bad:
            problems.append(f"{mart}: {bad} withheld rows still show a number")
    return problems
