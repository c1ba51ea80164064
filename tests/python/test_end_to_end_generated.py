"""The main job end to end on a small generated county: `pcdm run` generates it, builds it with dbt
(every model, data test and singular test) and prints a summary. Then the generator's manifest of
injected bad rows is compared with the quarantine: each must be there with its reason, and nothing
the generator wrote as clean may be.
"""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa
import pytest

from conftest import COUNTY_RESIDENTS as RESIDENTS
from conftest import COUNTY_SALT as SALT
from conftest import CountyBuild
from pcdm import pipeline
from pcdm.contract import load_contract
from pcdm.pseudonym import person_key


def norm(code: str) -> str:
    return code.strip().upper()


def quarantine_key(table: str, row_key: str) -> str:
    """The key dq_quarantine shows for a raw key: identity codes pseudonymised, ids trimmed."""
    if table in ("population_person", "population_id_link"):
        return person_key(norm(row_key), SALT)
    if table == "crm_care_team":
        person, *rest = row_key.split("|")
        return "|".join([person_key(norm(person), SALT), *(part.strip() for part in rest)])
    return row_key.strip()


@pytest.fixture(scope="module")
def run(county_build: CountyBuild):
    """The county of conftest.county_build: `pcdm run --residents 4000 --defect-rate 0.005`."""
    con = duckdb.connect(str(county_build.database), read_only=True)
    yield county_build.data_dir, con
    con.close()


def test_run_county_says_what_it_published_gated_and_withheld(county_build: CountyBuild):
    """The outcome of runner.run_county: where it published, the gate's result and the disclosure
    control's figures, the same as the run printed."""
    outcome = county_build.outcome
    assert outcome.exit_code == 0 and outcome.failed_step is None and outcome.cause is None
    assert outcome.published and outcome.warehouse == county_build.database
    assert outcome.exports == county_build.exports and outcome.failed_build is None
    assert outcome.report == county_build.report / "index.html" and outcome.report.exists()
    folders = {p.name for p in county_build.exports.iterdir() if p.is_dir()}
    assert set(outcome.exported) | {"dq", "reference"} == folders
    assert outcome.gate.passed and outcome.gate_summary in county_build.printed
    assert "\n".join(outcome.protection.lines()) in county_build.printed
    assert sum(loss.withheld for loss in outcome.protection.loss) > 0


def test_run_writes_every_raw_table(run):
    data_dir, _ = run
    written = {path.stem for path in (data_dir / "raw").glob("*.parquet")}
    assert set(load_contract()) <= written


def test_every_injected_bad_row_is_quarantined_with_its_reason_and_nothing_else(run):
    data_dir, con = run
    manifest = pd.read_parquet(data_dir / "raw" / "_defects.parquet")
    reasons = manifest["expected_reason"].fillna("")
    expected = Counter(
        (row.table_name, quarantine_key(row.table_name, row.row_key), reason)
        for row, reason in zip(manifest.itertuples(), reasons, strict=True)
        if reason
    )
    found = Counter(
        con.sql("select source_table, source_row_key, reason_code from dq.dq_quarantine").fetchall()
    )
    assert found - expected == Counter(), "quarantined but not injected as bad"
    assert expected - found == Counter(), "injected as bad but not quarantined with that reason"
    # every reason code the pipeline knows is exercised by the generator, but unmapped_concept,
    # which only an OMOP input can have (exercised by test_omop_input.py)
    known = {r[0] for r in con.sql("select reason_code from reference.dq_reason_codes").fetchall()}
    assert {reason for _, _, reason in expected} == known - {"unmapped_concept"}


def test_odd_but_usable_rows_are_staged(run):
    data_dir, con = run
    manifest = pd.read_parquet(data_dir / "raw" / "_defects.parquet")
    usable = manifest[manifest["expected_reason"].fillna("") == ""]
    assert len(usable) > 0
    quarantined = set(
        con.sql("select source_table, source_row_key from dq.dq_quarantine").fetchall()
    )
    for row in usable.itertuples():
        assert (row.table_name, quarantine_key(row.table_name, row.row_key)) not in quarantined
    # linked temporary ids: their events belong to a registered person
    orphans = con.sql(
        "select count(*) from pcdm.fct_service_event as events "
        "left join pcdm.dim_person as persons using (person_key) where persons.person_key is null"
    ).fetchall()[0][0]
    assert orphans == 0


def test_nothing_is_lost(run):
    _, con = run
    rows = con.sql(
        "select source_table, raw_rows, staged_rows + quarantined_rows from dq.dq_reconciliation"
    ).fetchall()
    assert len(rows) == 15
    assert all(raw == accounted and raw > 0 for _, raw, accounted in rows)


def test_the_core_holds_the_whole_county_across_domains(run):
    _, con = run
    persons, in_scope = con.sql(
        "select count(*), count(*) filter (where is_in_scope) from pcdm.dim_person"
    ).fetchall()[0]
    assert persons >= RESIDENTS
    assert 0.9 * RESIDENTS <= in_scope <= RESIDENTS
    by_source = dict(
        con.sql(
            "select source_table, count(distinct person_key) from pcdm.fct_service_event group by 1"
        ).fetchall()
    )
    assert set(by_source) == {
        "health_contact",
        "health_episode",
        "social_decision",
        "social_contact",
        "income_support",
        "crm_channel_contact",
    }
    assert by_source["health_contact"] > RESIDENTS / 2
    unmapped = con.sql(
        "select count(*) from pcdm.fct_service_event where domain is null or service_group is null"
    ).fetchall()[0][0]
    assert unmapped == 0


def test_power_bi_report_files_per_age_band(run):
    data_dir, con = run
    exports = data_dir / "powerbi"
    marts = {r[0] for r in con.sql("select table_name from information_schema.tables "
                                   "where table_schema = 'bi'").fetchall()}  # fmt: skip
    assert "bi_service_users" in marts
    assert {p.stem for p in (exports / "all_ages").glob("*.parquet")} == marts
    for folder, band in (("age_0-17", "0-17"), ("age_18-64", "18-64"), ("age_65+", "65+")):
        frame = pd.read_parquet(exports / folder / "bi_service_users.parquet")
        assert len(frame) > 0 and set(frame["age_group"]) == {band}
    everyone = pd.read_parquet(exports / "all_ages" / "bi_service_users.parquet")
    assert set(everyone["age_group"]) == {"all"}


def test_bi_marts_show_no_identity_codes_or_pseudonyms(run):
    _, con = run
    columns = con.sql(
        "select table_name, column_name from information_schema.columns "
        "where table_schema = 'bi' and data_type = 'VARCHAR'"
    ).fetchall()
    assert columns
    identity_code = r"[0-9]{6}[-+A-FU-Y][0-9]{3}[0-9A-Y]"
    pseudonym = r"[0-9a-f]{64}"
    for table, column in columns:
        found = con.sql(
            f'select count(*) from bi.{table} where regexp_matches("{column}", ?) '
            f'or regexp_matches("{column}", ?)',
            params=[identity_code, pseudonym],
        ).fetchall()[0][0]
        assert found == 0, f"bi.{table}.{column}"


def single_dimension_suppression(rows: list[dict], spec, min_cell_size: int) -> set[str]:
    """The cell ids the previous macro (macros/privacy/suppress_small_cells.sql, before issue 11)
    withheld in one mart on its own: the small counts, then along one dimension at a time, where
    a published `all` row had one withheld category (or withheld categories holding fewer than
    min_cell_size persons), the smallest published category too (or the `all` row), ten sweeps."""
    count = spec.count_column
    withheld = {r["cell_id"] for r in rows if 1 <= r[count] < min_cell_size}
    for _ in range(10):
        for dimension in spec.cube:
            lines: dict[tuple, dict] = {}
            for row in rows:
                key = tuple(row[c] for c in (*spec.fixed, *spec.cube) if c != dimension)
                line = lines.setdefault(key, {"total": None, "parts": []})
                if row[dimension] == "all":
                    line["total"] = row
                else:
                    line["parts"].append(row)
            for line in lines.values():
                total, parts = line["total"], line["parts"]
                if total is None or total["cell_id"] in withheld:
                    continue
                hidden = [r for r in parts if r["cell_id"] in withheld]
                if not hidden:
                    continue
                if len(hidden) > 1 and sum(r[count] for r in hidden) >= min_cell_size:
                    continue
                shown = [r for r in parts if r["cell_id"] not in withheld and r[count] > 0]
                smallest = min(shown, key=lambda r: r[count]) if shown else total
                withheld.add(smallest["cell_id"])
    return withheld


def publish_decisions(database, decide) -> None:
    """Replace the disclosure control's decisions: decide(spec, rows) gives the withheld ids."""
    from pcdm.privacy.family import MARTS

    with duckdb.connect(str(database)) as con:
        con.execute("delete from protection.bi_cell_decisions")
        for spec in MARTS:
            result = con.sql(f"select * from intermediate.{spec.cells_model}")
            rows = [dict(zip(result.columns, r, strict=True)) for r in result.fetchall()]
            withheld = decide(spec, rows)
            count = spec.count_column
            measures = (count, *(share.column for share in spec.shares))
            decisions = [
                (spec.name, measure, r["cell_id"], r[count], r["cell_id"] not in withheld)
                for measure in measures
                for r in rows
            ]
            # one insert of all the rows (executemany inserts them one by one, a minute here)
            columns = [pa.array(column) for column in zip(*decisions, strict=True)]
            con.register("decisions", pa.table(columns, names=[f"c{i}" for i in range(5)]))
            con.execute("insert into protection.bi_cell_decisions select * from decisions")
            con.unregister("decisions")


@pytest.fixture(scope="module")
def weakened_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One folder for the weakened copies and their dbt runs: the same database path and vars,
    so the second pattern's dbt reuses the first one's parse (partial parsing)."""
    return tmp_path_factory.mktemp("weakened")


@pytest.mark.parametrize("pattern", ["primary only", "single dimension, each mart alone"])
def test_the_gate_audit_fails_on_weaker_protection(run, weakened_dir, pattern):
    """The auditor of the gate finds the leaks of the protection before issue 11 (each mart swept
    along one dimension at a time, on its own) and of primary suppression alone, naming a cell."""
    from pcdm.quality.disclosure import disclosure_audit

    data_dir, _ = run
    database = weakened_dir / "weakened.duckdb"
    shutil.copy(data_dir / "warehouse.duckdb", database)  # each pattern on a fresh copy
    if pattern == "primary only":
        publish_decisions(
            database,
            lambda spec, rows: {r["cell_id"] for r in rows if 1 <= r[spec.count_column] < 5},
        )
    else:
        publish_decisions(database, lambda spec, rows: single_dimension_suppression(rows, spec, 5))
    target = pipeline.DbtTarget(
        raw_path=data_dir / "raw", database_path=database, work_path=weakened_dir
    )
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PCDM_PSEUDONYM_SALT", SALT)
        # the marts only: their own dbt attack test would stop a build on the primary-only pattern
        pipeline.run_dbt(["run", "--select", pipeline.PROTECTED], target, quiet=True)
    result = disclosure_audit(database, 5)
    assert not result.success
    assert "withheld count" in result.details[0] and "pinned to" in result.details[0]
    # and the protected build itself passes the same audit
    assert disclosure_audit(data_dir / "warehouse.duckdb", 5).success


def test_every_person_in_scope_has_a_crm_summary(run):
    _, con = run
    summaries, in_scope, prompts_without_owner = con.sql(
        "select (select count(*) from crm.crm_person_summary), "
        "(select count(*) from pcdm.person_segment), "
        "(select count(*) from crm.crm_prompt where responsible_professional_id is null "
        "and responsible_unit is null)"
    ).fetchall()[0]
    assert summaries == in_scope > 0
    assert prompts_without_owner == 0
