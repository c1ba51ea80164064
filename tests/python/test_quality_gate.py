"""The data-quality gate of `pcdm run` on a small generated county and two corrupted deliveries.

One clean county is generated once; two corrupted copies of its raw delivery are made with pyarrow
(the schema stays the raw contract's): one without a day of health contacts, one whose social
decisions carry registered-looking identity codes of nobody in the population register. Each is
built once with dbt (in temporary folders) and gated. The clean one passes every error-level check
and gets its Power BI files; the corrupted ones are blocked (exit 3) with the failing check named,
and no Power BI file is written.
"""

from __future__ import annotations

import contextlib
import io
import shutil
from datetime import date
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from pcdm import cli, hetu
from pcdm.generator import CountyConfig, generate
from pcdm.quality.suites import load_checks

SALT = "quality-gate-salt-0123456789"
MISSING_DAY = date(2026, 10, 21)


@pytest.fixture(scope="module")
def clean_raw(tmp_path_factory: pytest.TempPathFactory) -> Path:
    raw = tmp_path_factory.mktemp("clean") / "raw"
    generate(CountyConfig(residents=3000, seed=5), raw, progress=False)
    return raw


def corrupted_copy(clean_raw: Path, folder: Path) -> Path:
    raw = folder / "raw"
    shutil.copytree(clean_raw, raw)
    return raw


def run_county(raw: Path, data_dir: Path) -> tuple[int, str]:
    """`pcdm run` on a raw folder; exit code and everything it printed."""
    out = io.StringIO()
    with (
        pytest.MonkeyPatch.context() as patch,
        contextlib.redirect_stdout(out),
        contextlib.redirect_stderr(out),
    ):
        patch.setenv("PCDM_PSEUDONYM_SALT", SALT)
        code = cli.main(
            [
                "run",
                "--raw-path",
                str(raw),
                "--data-dir",
                str(data_dir),
                "--dbt-work-path",
                str(data_dir / "dbt"),
                "--no-progress",
            ]
        )
    return code, out.getvalue()


def check_results(data_dir: Path) -> list[tuple[str, str, bool]]:
    with duckdb.connect(str(data_dir / "warehouse.duckdb"), read_only=True) as con:
        return con.sql("select check_name, severity, success from dq.dq_check_results").fetchall()


def failed_errors(data_dir: Path) -> set[str]:
    return {
        name for name, severity, ok in check_results(data_dir) if severity == "error" and not ok
    }


@pytest.fixture(scope="module")
def clean_run(clean_raw: Path, tmp_path_factory: pytest.TempPathFactory):
    data_dir = tmp_path_factory.mktemp("clean_run")
    code, output = run_county(clean_raw, data_dir)
    return code, output, data_dir


@pytest.fixture(scope="module")
def missing_day_run(clean_raw: Path, tmp_path_factory: pytest.TempPathFactory):
    data_dir = tmp_path_factory.mktemp("missing_day")
    raw = corrupted_copy(clean_raw, data_dir)
    path = raw / "health_contact.parquet"
    table = pq.read_table(path)
    day = pc.cast(table["contact_start"], pa.date32())
    kept = table.filter(pc.or_kleene(pc.not_equal(day, MISSING_DAY), pc.is_null(day)))
    assert kept.num_rows < table.num_rows - 10
    pq.write_table(kept, path)
    code, output = run_county(raw, data_dir)
    return code, output, data_dir


def scrambled(code: str | None) -> str | None:
    """A valid permanent identity code of the same birth date that nobody in the register has."""
    if code is None or not hetu.is_valid(code.strip().upper()):
        return code
    code = hetu.normalise(code)
    return hetu.make(hetu.birth_date(code), 800 + hetu.individual_number(code) % 97)


@pytest.fixture(scope="module")
def scrambled_run(clean_raw: Path, tmp_path_factory: pytest.TempPathFactory):
    data_dir = tmp_path_factory.mktemp("scrambled")
    raw = corrupted_copy(clean_raw, data_dir)
    path = raw / "social_decision.parquet"
    table = pq.read_table(path)
    ids = [scrambled(code) for code in table["person_id"].to_pylist()]
    column = table.schema.get_field_index("person_id")
    table = table.set_column(column, table.schema.field(column), pa.array(ids, pa.string()))
    pq.write_table(table, path)
    code, output = run_county(raw, data_dir)
    return code, output, data_dir


def powerbi_files(data_dir: Path) -> list[Path]:
    return list((data_dir / "powerbi").rglob("*.parquet"))


def test_thresholds_file_loads_and_every_check_has_a_severity():
    checks = load_checks()
    assert len(checks) >= 10
    assert all(bounds.severity in ("error", "warning") for c in checks for bounds in c.bounds)


def test_clean_county_passes_every_error_check_and_exports(clean_run):
    code, output, data_dir = clean_run
    assert code == 0, output
    results = check_results(data_dir)
    assert results and all(success for _, severity, success in results if severity == "error")
    assert "Data-quality gate" in output and "0 errors" in output
    assert powerbi_files(data_dir)
    assert (data_dir / "data_docs" / "index.html").exists()
    with duckdb.connect(str(data_dir / "warehouse.duckdb"), read_only=True) as con:
        tests, failed = con.sql(
            "select count(*), count(*) filter (where status not in ('pass', 'success')) "
            "from dq.dq_test_results"
        ).fetchall()[0]
        sources = dict(con.sql("select source, count(*) from dq.dq_results group by 1").fetchall())
    assert tests > 50 and failed == 0
    assert set(sources) == {"great_expectations", "dbt_test"}


def test_missing_day_of_health_contacts_blocks_the_exports(missing_day_run):
    code, output, data_dir = missing_day_run
    assert code == 3, output
    assert "BLOCKED" in output and "daily_volume_vs_same_weekday" in output
    assert f"event_day={MISSING_DAY}" in output and "source_table=health_contact" in output
    failed = {
        name for name, severity, ok in check_results(data_dir) if severity == "error" and not ok
    }
    assert failed == {"daily_volume_vs_same_weekday"}
    assert not powerbi_files(data_dir)
    assert (data_dir / "data_docs" / "index.html").exists()


def test_scrambled_social_identity_codes_block_the_exports_by_join_coverage(scrambled_run):
    code, output, data_dir = scrambled_run
    assert code == 3, output
    assert "join_coverage_social_tables" in output and "scope_name=social_decision" in output
    with duckdb.connect(str(data_dir / "warehouse.duckdb"), read_only=True) as con:
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
