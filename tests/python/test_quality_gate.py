"""The data-quality gate of `pcdm run` on a small generated county and corrupted deliveries.

One clean county is generated once; corrupted copies of its raw delivery are made with pyarrow (the
schema stays the raw contract's): one without a day of health contacts, one whose social decisions
carry registered-looking identity codes of nobody in the population register, one whose client fee
feed stopped ten days before the other tables. A fourth county is generated with every bad-row kind
of the generator at a high rate. Each is built once with dbt (in temporary folders) and gated. The
clean one passes every error-level check and gets its Power BI files; the corrupted ones are blocked
(exit 3) with the failing check and rows named, and no Power BI file or warehouse is published
(the blocked build is kept as warehouse.failed.duckdb for the stewards).
"""

from __future__ import annotations

import contextlib
import io
import shutil
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from conftest import DeliveredRun
from pcdm import dbt_results, hetu, runner
from pcdm.generator import CountyConfig, generate
from pcdm.generator.defects import STAGED_KINDS, TABLE_KINDS
from pcdm.quality import gate, validation
from pcdm.quality.suites import Bounds, Check, load_checks

SALT = "quality-gate-salt-0123456789"
MISSING_DAY = date(2026, 10, 21)
EXTRACT_AT = CountyConfig().extract_at
# every kind of bad row the generator injects that must be quarantined; superseded_delivery is a
# normal re-delivery (not checked by the gate) and the staged kinds are repaired, not quarantined
QUARANTINED_KINDS = sorted(
    {kind for kinds in TABLE_KINDS.values() for kind in kinds}
    - STAGED_KINDS
    - {"superseded_delivery"}
)


@pytest.fixture(scope="module")
def clean_raw(delivered_county: Path) -> Path:
    return delivered_county


def corrupted_run(
    clean_raw: Path, folder: Path, changes: dict
) -> tuple[int, str, Path, runner.RunOutcome]:
    """`pcdm run` on a copy of the clean delivery whose tables went through changes[table]."""
    raw = folder / "raw"
    shutil.copytree(clean_raw, raw)
    for table_name, change in changes.items():
        path = raw / f"{table_name}.parquet"
        pq.write_table(change(pq.read_table(path)), path)
    outcome, output = run_delivery(raw, folder)
    return outcome.exit_code, output, folder, outcome


def run_delivery(raw: Path, data_dir: Path) -> tuple[runner.RunOutcome, str]:
    """`pcdm run` (runner.run_county) on a raw folder; its outcome and everything it printed."""
    out = io.StringIO()
    with (
        pytest.MonkeyPatch.context() as patch,
        contextlib.redirect_stdout(out),
        contextlib.redirect_stderr(out),
    ):
        patch.setenv("PCDM_PSEUDONYM_SALT", SALT)
        outcome = runner.run_county(
            runner.RunSettings(
                data_dir=data_dir,
                raw_path=raw,
                work_path=data_dir / "dbt",
                as_of=EXTRACT_AT,
            )
        )
    return outcome, out.getvalue()


def last_build(data_dir: Path) -> Path:
    """The database of the run: published when it passed, kept as warehouse.failed.duckdb (and
    nothing published) when it was blocked."""
    failed = data_dir / "warehouse.failed.duckdb"
    if failed.exists():
        assert not (data_dir / "warehouse.duckdb").exists()
        return failed
    return data_dir / "warehouse.duckdb"


def check_results(data_dir: Path) -> list[tuple[str, str, bool]]:
    with duckdb.connect(str(last_build(data_dir)), read_only=True) as con:
        return con.sql("select check_name, severity, success from dq.dq_check_results").fetchall()


def failed_errors(data_dir: Path) -> set[str]:
    return {
        name for name, severity, ok in check_results(data_dir) if severity == "error" and not ok
    }


@pytest.fixture(scope="module")
def clean_run(delivered_run: DeliveredRun):
    """`pcdm run` on the clean delivery (conftest.delivered_run, built once), as published."""
    output = delivered_run.stdout + delivered_run.stderr
    return delivered_run.code, output, delivered_run.pristine, None  # through the CLI: no outcome


@pytest.fixture(scope="module")
def missing_day_run(clean_raw: Path, tmp_path_factory: pytest.TempPathFactory):
    def without_the_day(table: pa.Table) -> pa.Table:
        day = pc.cast(table["contact_start"], pa.date32())
        kept = table.filter(pc.or_kleene(pc.not_equal(day, MISSING_DAY), pc.is_null(day)))
        assert kept.num_rows < table.num_rows - 10
        return kept

    folder = tmp_path_factory.mktemp("missing_day")
    return corrupted_run(clean_raw, folder, {"health_contact": without_the_day})


def scrambled(code: str | None) -> str | None:
    """A valid permanent identity code of the same birth date that nobody in the register has."""
    if code is None or not hetu.is_valid(code.strip().upper()):
        return code
    code = hetu.normalise(code)
    return hetu.make(hetu.birth_date(code), 800 + hetu.individual_number(code) % 97)


def replaced(table: pa.Table, name: str, values: pa.Array) -> pa.Table:
    column = table.schema.get_field_index(name)
    return table.set_column(column, table.schema.field(column), values)


def scrambled_ids(table: pa.Table) -> pa.Table:
    ids = [scrambled(code) for code in table["person_id"].to_pylist()]
    return replaced(table, "person_id", pa.array(ids, pa.string()))


def ten_days_older(table: pa.Table) -> pa.Table:
    """The client fee feed stopped: its newest extract is ten days older than the others'."""
    table = table.filter(pc.less(table["invoice_date"], pa.scalar(date(2026, 10, 20))))
    shift = pa.scalar(timedelta(days=10), pa.duration("us"))
    older = pc.subtract(table["loaded_at"], shift)
    return replaced(table, "loaded_at", pc.cast(older, table.schema.field("loaded_at").type))


@pytest.fixture(scope="module")
def two_faults_run(clean_raw: Path, tmp_path_factory: pytest.TempPathFactory):
    """One run, two independent faults in different tables (each test below checks its own check
    fails with its rows named, which blocks the exports): scrambled identity codes of the social
    decisions, and a stopped client fee feed."""
    folder = tmp_path_factory.mktemp("two_faults")
    changes = {"social_decision": scrambled_ids, "client_fee": ten_days_older}
    return corrupted_run(clean_raw, folder, changes)


@pytest.fixture(scope="module")
def scrambled_run(two_faults_run):
    return two_faults_run


@pytest.fixture(scope="module")
def stale_feed_run(two_faults_run):
    return two_faults_run


@pytest.fixture(scope="module")
def defects_run(tmp_path_factory: pytest.TempPathFactory):
    """A county with every bad-row kind of the generator at 10 % of each table's rows."""
    data_dir = tmp_path_factory.mktemp("defects")
    config = CountyConfig(residents=3000, seed=6, defect_rate=0.1)
    generate(config, data_dir / "raw", progress=False)
    outcome, output = run_delivery(data_dir / "raw", data_dir)
    return outcome.exit_code, output, data_dir, outcome


def powerbi_files(data_dir: Path) -> list[Path]:
    return list((data_dir / "powerbi").rglob("*.parquet"))


def test_thresholds_file_loads_and_every_check_has_a_severity():
    checks = load_checks()
    assert len(checks) >= 10
    assert all(bounds.severity in ("error", "warning") for c in checks for bounds in c.bounds)


def test_the_gate_libraries_load_in_the_background_while_dbt_builds(tmp_path: Path):
    # a fresh interpreter, so that nothing of this one's imports counts (a script file: pyspark,
    # which great-expectations imports when it is installed, exits under `python -c`); a name
    # that cannot be imported would stop the preload quietly (the gate then imports it itself)
    script = tmp_path / "preload.py"
    script.write_text(
        "import sys\n"
        "from pcdm.quality import gate\n"
        "assert 'great_expectations' not in sys.modules\n"
        "gate.preload_libraries().join()\n"
        "print([name for name in gate.HEAVY_LIBRARIES if name not in sys.modules])\n"
    )
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_clean_county_passes_every_error_check_and_exports(clean_run):
    code, output, data_dir, outcome = clean_run
    assert code == 0, output
    results = check_results(data_dir)
    assert results and all(success for _, severity, success in results if severity == "error")
    assert "Data-quality gate" in output and "0 errors" in output
    assert powerbi_files(data_dir)
    assert (data_dir / "data_docs" / "index.html").exists()
    with duckdb.connect(str(last_build(data_dir)), read_only=True) as con:
        tests, failed = con.sql(
            "select count(*), count(*) filter (where status not in ('pass', 'success')) "
            "from dq.dq_test_results"
        ).fetchall()[0]
        sources = dict(con.sql("select source, count(*) from dq.dq_results group by 1").fetchall())
    assert tests > 50 and failed == 0
    assert set(sources) == {"great_expectations", "dbt_test"}


def test_the_tests_of_both_build_steps_are_recorded_by_the_hook(clean_run):
    """dq.dq_test_results holds the data tests of both steps of the build around the disclosure
    control (the bi marts' after it, the others' before), as dbt's on-run-end hook recorded them
    under the run's id: the two build commands (the first loads the seeds too)."""
    _, _, data_dir, _ = clean_run
    with duckdb.connect(str(last_build(data_dir)), read_only=True) as con:
        models = {m for (m,) in con.sql("select model from dq.dq_test_results").fetchall()}
        runs, commands = con.sql(
            "select count(distinct run_id), count(distinct command_id) from dq.dq_dbt_results"
        ).fetchall()[0]
    assert any(m.startswith("bi_") for m in models if m)
    assert any(m.startswith("stg_") for m in models if m)
    assert (runs, commands) == (1, 2)


def test_missing_day_of_health_contacts_blocks_the_exports(missing_day_run):
    code, output, data_dir, outcome = missing_day_run
    assert code == 3, output
    assert "BLOCKED" in output and "daily_volume_vs_same_weekday" in output
    assert f"event_day={MISSING_DAY}" in output and "source_table=health_contact" in output
    failed = {
        name for name, severity, ok in check_results(data_dir) if severity == "error" and not ok
    }
    assert failed == {"daily_volume_vs_same_weekday"}
    assert outcome.failed_step == "gate" and outcome.cause.startswith("BLOCKED")
    assert {r.check for r in outcome.gate.blocking} == failed
    assert not outcome.published and outcome.failed_build == data_dir / "warehouse.failed.duckdb"
    assert not powerbi_files(data_dir)
    assert (data_dir / "data_docs" / "index.html").exists()


def test_scrambled_social_identity_codes_block_the_exports_by_join_coverage(scrambled_run):
    code, output, data_dir, outcome = scrambled_run
    assert code == 3, output
    assert "join_coverage_social_tables" in output and "scope_name=social_decision" in output
    with duckdb.connect(str(last_build(data_dir)), read_only=True) as con:
        orphans = con.sql(
            "select count(*) from dq.dq_quarantine "
            "where source_table = 'social_decision' and reason_code = 'orphan_person'"
        ).fetchall()[0][0]
    assert orphans > 300
    failed = {
        name for name, severity, ok in check_results(data_dir) if severity == "error" and not ok
    }
    assert "join_coverage_social_tables" in failed
    assert not powerbi_files(data_dir)


def test_stopped_feed_blocks_the_exports_by_source_freshness(stale_feed_run):
    code, output, data_dir, outcome = stale_feed_run
    assert code == 3, output
    assert "source_freshness" in output and "source_table=client_fee" in output
    assert "source_freshness" in failed_errors(data_dir)
    with duckdb.connect(str(last_build(data_dir)), read_only=True) as con:
        ages = dict(con.sql("select source_table, age_days from dq.dq_source_freshness").fetchall())
    assert ages.pop("client_fee") == 10
    assert set(ages.values()) == {0}
    assert not powerbi_files(data_dir)


def test_the_clean_county_is_fresh_and_within_quarantine_bounds(clean_run):
    _, _, data_dir, _ = clean_run
    outcomes = {
        (name, severity): ok
        for name, severity, ok in check_results(data_dir)
        if name in ("source_freshness", "quarantine_share_by_reason")
    }
    assert outcomes == {
        ("source_freshness", "error"): True,
        ("source_freshness", "warning"): True,
        ("quarantine_share_by_reason", "error"): True,
        ("quarantine_share_by_reason", "warning"): True,
    }


def test_the_defects_county_is_blocked_and_writes_no_exports(defects_run):
    code, output, data_dir, outcome = defects_run
    assert code == 3, output
    assert "BLOCKED" in output and "quarantine_share_by_reason" in output
    assert "quarantine_share_by_reason" in failed_errors(data_dir)
    assert not powerbi_files(data_dir)


@pytest.mark.parametrize("kind", QUARANTINED_KINDS)
def test_each_bad_row_kind_fails_the_quarantine_check_by_name(defects_run, kind):
    _, _, data_dir, _ = defects_run
    with duckdb.connect(str(last_build(data_dir)), read_only=True) as con:
        details = con.sql(
            "select details from dq.dq_check_results "
            "where check_name = 'quarantine_share_by_reason' and severity = 'error' "
            "and not success"
        ).fetchall()
        tables = {
            table
            for (table,) in con.sql(
                "select source_table from dq.dq_quarantine_by_reason where reason_code = ?",
                params=[kind],
            ).fetchall()
        }
    injected = {table for table, kinds in TABLE_KINDS.items() if kind in kinds}
    assert injected <= tables, f"{kind} not quarantined in {sorted(injected - tables)}"
    assert len(details) == 1
    assert f"reason_code={kind} " in details[0][0] + " "


def test_a_failed_dbt_build_still_records_its_tests(tmp_path: Path):
    database = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(database)) as con:
        # the rows dbt's on-run-end hook (macros/dq/record_dbt_results.sql) appends, for this
        # build's run and an earlier one
        con.execute("create schema dq")
        con.execute(
            "create table dq.dq_dbt_results (run_id varchar, command_id varchar, command varchar, "
            "command_started_at timestamp, result_index bigint, unique_id varchar, "
            "resource_type varchar, node_name varchar, model varchar, severity varchar, "
            "status varchar, failures bigint, execution_seconds double, message varchar)"
        )
        con.executemany(
            "insert into dq.dq_dbt_results values (?, 'c', 'build', now(), ?, ?, ?, ?, ?, ?, ?, ?, "
            "0.1, ?)",
            [
                ("this", 1, "test.pcdm.not_null_dim_person_age.abc", "test",
                 "not_null_dim_person_age", "dim_person", "error", "fail", 3, "Got 3 results"),
                ("this", 2, "test.pcdm.unique_dim_person_person_key.def", "test",
                 "unique_dim_person_person_key", "dim_person", "error", "pass", 0, None),
                ("this", 3, "model.pcdm.dim_person", "model", "dim_person", None, None,
                 "success", None, None),
                ("earlier", 1, "test.pcdm.not_null_dim_person_sex.ghi", "test",
                 "not_null_dim_person_sex", "dim_person", "error", "fail", 1, "Got 1 result"),
            ],
        )  # fmt: skip
    nodes = dbt_results.read("duckdb", database, "this")
    failed = gate.record_failed_build(database, nodes)
    assert [test.test for test in failed] == ["not_null_dim_person_age"]
    with duckdb.connect(str(database), read_only=True) as con:
        rows = con.sql("select source, check_name, status from dq.dq_results order by 2").fetchall()
        checks = con.sql("select count(*) from dq.dq_check_results").fetchall()[0][0]
    assert rows == [
        ("dbt_test", "not_null_dim_person_age", "fail"),
        ("dbt_test", "unique_dim_person_person_key", "pass"),
    ]
    assert checks == 0
    # a build whose dbt recorded nothing (it stopped before its on-run-end hook): the results of
    # an earlier run are not this one's, and nothing is recorded
    assert dbt_results.read("duckdb", database, "stopped early") == []
    assert gate.record_failed_build(database, []) is None


def test_failing_rows_are_great_expectations_own_named_by_the_labels(tmp_path: Path):
    """The failing rows come from great-expectations' COMPLETE result format, each named by the
    check's labels: below the error bound, above it, and a NULL value (which fails the not-null
    expectation, not the range); the observed value is the worst one."""
    check = Check(
        name="staged_share",
        description="hand-made",
        table="dq_reconciliation",
        where="source_table <> 'ignored'",
        column="share",
        labels=("source_table", "extract_day"),
        bounds=(Bounds("error", min=0.5, max=1.0), Bounds("warning", min=0.9)),
    )
    with duckdb.connect() as con:
        con.execute("create schema dq")
        con.execute(
            "create table dq.dq_reconciliation as select * from (values "
            "('a', date '2026-10-01', 0.95), ('b', date '2026-10-02', 0.2), "
            "('c', date '2026-10-03', null), ('d', date '2026-10-04', 1.5), "
            "('ignored', date '2026-10-05', -9.0)) t(source_table, extract_day, share)"
        )
        results = validation.validate(validation.DuckDBMetrics(con), [check], tmp_path / "docs")
    by_kind = {(r.expectation, r.severity): r for r in results}
    error = by_kind[("expect_column_values_to_be_between", "error")]
    assert not error.success and error.observed_value == 0.2
    assert error.details == (
        "source_table=b extract_day=2026-10-02 share=0.2",
        "source_table=d extract_day=2026-10-04 share=1.5",
    )
    warning = by_kind[("expect_column_values_to_be_between", "warning")]
    assert warning.details == ("source_table=b extract_day=2026-10-02 share=0.2",)
    nulls = by_kind[("expect_column_values_to_not_be_null", "error")]
    assert not nulls.success and nulls.observed_value == 1
    assert nulls.details == ("source_table=c extract_day=2026-10-03 share=none",)


def _beyond(bounds) -> float:
    """A value outside the bounds."""
    return bounds.max * 2 + 1 if bounds.max is not None else bounds.min / 2 - 1


ERROR_CHECKS = [c for c in load_checks() if any(b.severity == "error" for b in c.bounds)]


@pytest.mark.parametrize("check", ERROR_CHECKS, ids=[c.name for c in ERROR_CHECKS])
def test_every_error_check_fails_on_one_value_beyond_its_bound(clean_run, tmp_path, check):
    """On the clean county's metric tables, one row moved beyond the error bound fails the check."""
    _, _, data_dir, _ = clean_run
    database = tmp_path / "warehouse.duckdb"
    shutil.copy(data_dir / "warehouse.duckdb", database)
    bounds = next(b for b in check.bounds if b.severity == "error")
    with duckdb.connect(str(database)) as con:
        con.execute(
            f"update dq.{check.table} set {check.column} = {_beyond(bounds)} "
            f"where rowid = (select min(rowid) from dq.{check.table} where {check.where})"
        )
        results = validation.validate(validation.DuckDBMetrics(con), [check], tmp_path / "docs")
    failed = [r for r in results if r.severity == "error" and not r.success]
    assert [r.check for r in failed] == [check.name]
    assert failed[0].details and f"{check.column}=" in failed[0].details[0]
