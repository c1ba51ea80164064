"""The same project on DuckDB, PostgreSQL and Spark: one answer on every engine, and the roles.

Each county is built on each engine through the two dbt steps around the disclosure control, so
that the bi marts compare with published cells, and every model of the pcdm, bi, crm and dq
schemas in the manifest is compared row by row with DuckDB's (money at cent precision, other
decimals at 1e-6). The hand-made fixtures are built by pipeline.build: PostgreSQL gets the raw
data by `pcdm load`, Spark reads the raw folder in place; the unit tests run on the first county
(DuckDB's own suite runs them), and Spark, to keep CI short, runs the data tests on the first
county only and leaves out the bi family of segmentation_county (its cells, the disclosure
control and the bi marts: a bi mart takes Spark half a minute or more, and that fixture's bi cells
are nearly all withheld; its rules are in the other layers). The generated county is the demo
path end to end: `pcdm run --target <engine>` on each engine (build, protection, gate with its
disclosure audit, report files, offline report). Then the PostgreSQL roles are tried by logging in
as a user of each.

Marked `engines`: scripts/test.sh runs them when PostgreSQL (PGHOST) and Spark (pyspark, Java) are
here and skips them with the reason otherwise; with PCDM_REQUIRE_ENGINES=1 (CI) a missing engine
fails instead.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from pathlib import Path

import pytest

from conftest import run_cli
from engine_helpers import MART_SCHEMAS, own_database, read_marts, require_engine
from pcdm import engines, load, pipeline
from pcdm.contract import PROJECT_DIR

pytestmark = [pytest.mark.engines, pytest.mark.e2e]

SALT = "engines-salt-not-secret-0123456789"
FIXTURES = PROJECT_DIR / "tests" / "fixtures"
# Judge freshness at one fixed time on every engine (otherwise: the time of each build).
AS_OF = ("freshness_as_of", "2026-11-02 02:00:00")
# 2000: with this seed, 600 and 1000 residents send the protection into its one-LP-per-small-count
# fallback (minutes); 2000 is protected by one alternative table (about 12 s)
GENERATED_RESIDENTS = 2000


@pytest.fixture(scope="module")
def counties() -> dict[str, tuple[Path, str]]:
    """The hand-made fixtures (the generated county is made by each engine's `pcdm run`)."""
    return {
        "mini_county": (FIXTURES / "mini_county", "csv"),
        "segmentation_county": (FIXTURES / "segmentation_county", "csv"),
    }


@pytest.fixture(scope="module")
def postgres_database():
    with own_database("pcdm_engines") as name:
        yield name


@pytest.fixture(scope="module")
def spark_dir(tmp_path_factory: pytest.TempPathFactory):
    require_engine("spark")
    folder = tmp_path_factory.mktemp("spark")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(engines.SPARK_DIR_VARIABLE, str(folder))
        yield folder


# (county, engine): dbt selectors left out there (see the module docstring)
BI_FAMILY = ("path:models/marts/bi", "path:models/intermediate/bi")
LEFT_OUT = {("segmentation_county", "spark"): BI_FAMILY}
WITHOUT_TESTS = ("resource_type:test",)


def _build(engine: str, raw_path: Path, raw_format: str, work: Path, first: bool, left_out=()):
    """One hand-made county on one engine through the two dbt steps around the disclosure
    control (pipeline.build); returns the manifest. Spark runs the data tests and unit tests on
    the first county only."""
    target = pipeline.DbtTarget(
        raw_path=raw_path,
        database_path=work / "warehouse.duckdb",
        raw_format=raw_format,
        work_path=work,
        extra_vars=(AS_OF,),
        engine=engine,
    )
    if engine == "postgres":
        load.load_postgres([raw_path], raw_format)
    exclude = left_out + (WITHOUT_TESTS if engine == "spark" and not first else ())
    unit_tests = first and engine != "duckdb"  # DuckDB's own suite runs them
    if left_out == BI_FAMILY:  # no bi cells to protect: one dbt step, no disclosure control
        pipeline.build_models(target, unit_tests=unit_tests, exclude=exclude, quiet=True)
    else:
        pipeline.build(target, unit_tests=unit_tests, exclude=exclude, quiet=True)
    return json.loads((work / "target" / "manifest.json").read_text(encoding="utf-8"))


def _run(engine: str, data_dir: Path) -> int:
    """`pcdm run --target <engine>` on the demo path: a generated county, the gate, the files."""
    from pcdm import cli

    return cli.main(
        [
            "run",
            "--target",
            engine,
            "--residents",
            str(GENERATED_RESIDENTS),
            "--seed",
            "14",
            "--data-dir",
            str(data_dir),
            "--dbt-work-path",
            str(data_dir / "dbt"),
            "--no-progress",
        ]
    )


def _left_out_schemas(county: str, engine: str) -> tuple[str, ...]:
    return tuple(s.split("/")[-1] for s in LEFT_OUT.get((county, engine), ()))


@pytest.fixture(scope="module")
def snapshots(counties, postgres_database, spark_dir, tmp_path_factory, monkeypatch_module):
    """{county: {engine: snapshot}}: every county built on every engine, one after the other (a
    server engine holds one county at a time, so each is read right after its build)."""
    monkeypatch_module.setenv("PCDM_PSEUDONYM_SALT", SALT)
    taken: dict[str, dict[str, dict]] = {}
    for index, (county, (raw_path, raw_format)) in enumerate(counties.items()):
        taken[county] = {}
        for engine in engines.ENGINES:
            work = tmp_path_factory.mktemp(f"{county}_{engine}")
            left_out = LEFT_OUT.get((county, engine), ())
            manifest = _build(engine, raw_path, raw_format, work, index == 0, left_out)
            with engines.connected(engine):
                taken[county][engine] = read_marts(
                    engine, manifest, work / "warehouse.duckdb", _left_out_schemas(county, engine)
                )
    taken["generated_county"] = {}
    for engine in engines.ENGINES:
        data_dir = tmp_path_factory.mktemp(f"generated_{engine}")
        RUNS[engine] = (_run(engine, data_dir), data_dir)
        manifest = json.loads((data_dir / "dbt" / "target" / "manifest.json").read_text("utf-8"))
        with engines.connected(engine):
            taken["generated_county"][engine] = read_marts(
                engine, manifest, data_dir / "warehouse.duckdb"
            )
    return taken


# engine: (exit code of its `pcdm run` of the generated county, its data dir)
RUNS: dict[str, tuple[int, Path]] = {}


@pytest.fixture(scope="module")
def monkeypatch_module():
    with pytest.MonkeyPatch.context() as patch:
        yield patch


@pytest.mark.parametrize("county", ["mini_county", "segmentation_county", "generated_county"])
@pytest.mark.parametrize("engine", ["postgres", "spark"])
def test_every_mart_is_identical_to_duckdb_row_by_row(snapshots, county, engine):
    if county == "generated_county":  # a failed run leaves a partial warehouse: name the cause
        for built_on in ("duckdb", engine):
            code = RUNS[built_on][0]
            assert code == 0, f"pcdm run --target {built_on} exited {code}"
    left_out = _left_out_schemas(county, engine)
    actual = snapshots[county][engine]
    expected = {
        mart: rows
        for mart, rows in snapshots[county]["duckdb"].items()
        if mart.split(".")[0] not in left_out
    }
    assert sorted(actual) == sorted(expected), "the engines built different sets of marts"
    assert {mart.split(".")[0] for mart in expected} == set(MART_SCHEMAS) - set(left_out)
    differing = []
    for mart, rows in expected.items():
        if actual[mart] != rows:
            extra = [r for r in actual[mart] if r not in rows][:2]
            missing = [r for r in rows if r not in actual[mart]][:2]
            differing.append(
                f"{mart}: {len(rows)} rows on duckdb, {len(actual[mart])} on {engine}; "
                f"only on duckdb {missing}; only on {engine} {extra}"
            )
    assert not differing, "\n".join(differing)


def test_the_generated_county_fills_every_layer(snapshots):
    """The comparison is not of empty tables: the marts of the generated county have rows, and
    the bi marts publish cells (not only withheld ones) on every engine."""
    marts = snapshots["generated_county"]["duckdb"]
    empty = [mart for mart, rows in marts.items() if not rows]
    for schema in MART_SCHEMAS:
        assert any(m.startswith(schema + ".") and marts[m] for m in marts), schema
    assert len(empty) < len(marts) / 2, f"too many empty marts: {empty}"
    for engine, snapshot in snapshots["generated_county"].items():
        bi = {m: rows for m, rows in snapshot.items() if m.startswith("bi.")}
        published = sum(("is_suppressed", False) in row for rows in bi.values() for row in rows)
        withheld = sum(len(rows) for rows in bi.values()) - published
        assert published > 0, f"{engine}: every bi cell is withheld"
        assert withheld > 0, f"{engine}: nothing withheld in a county of {GENERATED_RESIDENTS}"


@pytest.mark.parametrize("engine", engines.ENGINES)
def test_pcdm_run_on_each_engine_passes_the_gate_and_its_disclosure_audit(snapshots, engine):
    """`pcdm run --target <engine>` end to end: build, protection, gate, files, report."""
    import duckdb

    code, data_dir = RUNS[engine]
    assert code == 0, f"pcdm run --target {engine} exited {code}"
    with duckdb.connect(str(data_dir / "warehouse.duckdb"), read_only=True) as con:
        audit = con.sql(
            "select success, details from dq.dq_check_results where check_name = ?",
            params=["bi_disclosure_audit"],
        ).fetchall()
        failing = con.sql(
            "select check_name from dq.dq_results where severity = 'error' and status <> 'pass'"
        ).fetchall()
    assert audit and audit[0][0] is True, f"the disclosure audit on {engine}: {audit}"
    assert failing == []
    assert any((data_dir / "powerbi" / "all_ages").glob("bi_*.parquet"))
    assert (data_dir / "report" / "index.html").is_file()


@pytest.mark.parametrize("engine", ["postgres", "spark"])
def test_the_node_results_of_a_run_read_back_from_the_engine(snapshots, engine):
    """What a failed build's error report reads from the engine (dbt_results.read, as
    runner.record_failed_build calls it) is what the run's copy into DuckDB holds."""
    import duckdb

    from pcdm import dbt_results

    copy = RUNS[engine][1] / "warehouse.duckdb"
    with duckdb.connect(str(copy), read_only=True) as con:  # the last run is the pcdm run's
        (run_id,) = con.execute(
            "select run_id from dq.dq_dbt_results order by command_started_at desc limit 1"
        ).fetchone()
    expected = dbt_results.read("duckdb", copy, run_id)
    assert len(expected) > 100, "the run recorded its nodes"
    with engines.connected(engine):
        assert dbt_results.read(engine, None, run_id) == expected
        assert dbt_results.read(engine, None, "no-such-run") == []


# --- roles on PostgreSQL ------------------------------------------------------------------------

READS = {
    # role: schemas it may read
    "pcdm_bi_reader": {"bi"},
    "pcdm_steward": {"dq", "bi"},
    "pcdm_analyst": {"pcdm", "bi"},
    "pcdm_crm": {"crm"},
}
PROBES = {
    "bi": "bi_kaiser_pyramid",
    "dq": "dq_quarantine",
    "pcdm": "dim_person",
    "crm": "crm_person_summary",
    "staging": "stg_population__persons",
    "intermediate": "int_persons_in_scope",
    "reference": "municipalities",
    "raw": "population_person",
}


@pytest.fixture(scope="module")
def role_logins(snapshots, postgres_database):
    """A login user in each reader role (the roles themselves are NOLOGIN group roles)."""
    import psycopg

    password = uuid.uuid4().hex
    users = {}
    with psycopg.connect(autocommit=True) as con:
        for role in READS:
            user = f"{role}_{uuid.uuid4().hex[:6]}"
            con.execute(f'create role "{user}" login password \'{password}\' in role "{role}"')
            users[role] = user
    yield users, password
    with psycopg.connect(autocommit=True) as con:
        for user in users.values():
            con.execute(f'drop owned by "{user}"')
            con.execute(f'drop role "{user}"')


@pytest.mark.parametrize("role", sorted(READS))
def test_each_role_reads_its_layers_and_is_refused_the_others(role_logins, role):
    import psycopg

    users, password = role_logins
    refused, allowed = [], []
    with psycopg.connect(user=users[role], password=password, autocommit=True) as con:
        for schema, table in PROBES.items():
            try:
                count = con.execute(f'select count(*) from "{schema}"."{table}"').fetchone()[0]
            except psycopg.errors.InsufficientPrivilege as error:
                assert "permission denied" in str(error)
                refused.append(schema)
            else:
                allowed.append(schema)
                assert count > 0, f"{schema}.{table} is empty: the read proves nothing"
    assert set(allowed) == READS[role]
    assert set(refused) == set(PROBES) - READS[role]


# --- the data-quality gate on PostgreSQL --------------------------------------------------------


@pytest.fixture
def gate_database():
    """A database of its own for hand-made dq metric tables."""
    with own_database("pcdm_gate") as name:
        yield name


METRIC_ROWS = [
    ("a", dt.date(2026, 10, 1), 0.95),
    ("b", dt.date(2026, 10, 2), 0.2),
    ("c", dt.date(2026, 10, 3), None),
    ("d", dt.date(2026, 10, 4), 1.5),
    ("ignored", dt.date(2026, 10, 5), -9.0),
]


def test_the_gate_validates_postgresql_dq_schema_with_its_postgres_datasource(
    gate_database, tmp_path
):
    """The suites of a hand-made check run on PostgreSQL through great-expectations' postgres
    datasource (no DuckDB involved) and give what they give on DuckDB's pandas batches: the same
    successes, observed values and failing rows, named by the labels."""
    import duckdb
    import psycopg

    from pcdm.quality import validation
    from pcdm.quality.suites import Bounds, Check

    check = Check(
        name="staged_share",
        description="hand-made",
        table="dq_reconciliation",
        where="source_table <> 'ignored'",
        column="share",
        labels=("source_table", "extract_day"),
        min_rows=5,
        bounds=(Bounds("error", min=0.5, max=1.0), Bounds("warning", min=0.9)),
    )
    create = "create table dq.dq_reconciliation (source_table {}, extract_day date, share {})"
    with psycopg.connect() as con:
        con.execute("create schema dq")
        con.execute(create.format("text", "double precision"))
        with con.cursor() as cursor:
            cursor.executemany("insert into dq.dq_reconciliation values (%s, %s, %s)", METRIC_ROWS)
    on_postgres = validation.validate(validation.PostgresMetrics(), [check], tmp_path / "pg")
    with duckdb.connect() as con:
        con.execute("create schema dq")
        con.execute(create.format("varchar", "double"))
        con.executemany("insert into dq.dq_reconciliation values (?, ?, ?)", METRIC_ROWS)
        on_duckdb = validation.validate(validation.DuckDBMetrics(con), [check], tmp_path / "duck")
    assert on_postgres == on_duckdb
    failed = {(r.expectation, r.severity): r.details for r in on_postgres if not r.success}
    assert failed == {
        ("expect_table_row_count_to_be_between", "error"): (
            "4 rows in scope of dq.dq_reconciliation where source_table <> 'ignored'",
        ),
        ("expect_column_values_to_not_be_null", "error"): (
            "source_table=c extract_day=2026-10-03 share=none",
        ),
        ("expect_column_values_to_be_between", "error"): (
            "source_table=b extract_day=2026-10-02 share=0.2",
            "source_table=d extract_day=2026-10-04 share=1.5",
        ),
        ("expect_column_values_to_be_between", "warning"): (
            "source_table=b extract_day=2026-10-02 share=0.2",
        ),
    }
    assert (tmp_path / "pg" / "index.html").exists()


def test_a_night_appends_to_the_raw_tables_and_a_load_that_fails_changes_nothing(tmp_path):
    """pcdm load on PostgreSQL, no dbt: a night's rows go in beside day 0's, named by their file;
    a column delivered as text tonight and typed on day 0 becomes text with every value kept; the
    same night loaded again replaces its own rows; a load that fails (a NUL byte, which no
    PostgreSQL text holds, in the last table) changes no table and not the state."""
    require_engine("postgres")
    import shutil

    import psycopg
    import pyarrow as pa
    import pyarrow.parquet as pq

    from pcdm.contract import load_contract

    day0, night, broken = (tmp_path / name for name in ("0001_day", "0002_night", "0003_bad"))
    assert run_cli(["generate", "--residents", "200", "--out", str(day0), "--no-progress"])[0] == 0
    shutil.copytree(day0, night)
    contacts = pq.read_table(day0 / "health_contact.parquet").slice(0, 3)
    costs = pa.array(["12.5", "n/a", None])
    contacts = contacts.set_column(contacts.schema.get_field_index("cost_eur"), "cost_eur", costs)
    pq.write_table(contacts, night / "health_contact.parquet")
    shutil.copytree(night, broken)
    last = list(load_contract())[-1]
    rows = pq.read_table(broken / f"{last}.parquet")
    first_text = next(i for i, f in enumerate(rows.schema) if pa.types.is_string(f.type))
    values = ["bad\x00value", *rows.column(first_text).to_pylist()[1:]]
    rows = rows.set_column(first_text, rows.schema.field(first_text).name, pa.array(values))
    pq.write_table(rows, broken / f"{last}.parquet")

    def counts(con) -> dict[str, int]:
        return {
            table: con.execute(f"select count(*) from raw.{table}").fetchone()[0]
            for table in load_contract()
        }

    with own_database("pcdm_load"):
        load.load_postgres([day0], "parquet")
        load.load_postgres([night], "parquet", append=True)
        load.load_postgres([night], "parquet", append=True)  # again: its own rows replaced
        with psycopg.connect() as con:
            loaded = counts(con)
            tonight = con.execute(
                "select cost_eur from raw.health_contact where filename = %s",
                [str(night / "health_contact.parquet")],
            ).fetchall()
            cost_type = con.execute(
                "select data_type from information_schema.columns where table_schema = 'raw' "
                "and table_name = 'health_contact' and column_name = 'cost_eur'"
            ).fetchone()[0]
            day0_costs = con.execute(
                "select count(cost_eur) from raw.health_contact where filename like %s",
                [f"{day0}/%"],
            ).fetchone()[0]
        state = load.nightly_state()
        with pytest.raises(load.LoadError) as failed:
            load.load_postgres([broken], "parquet", append=True)
        with psycopg.connect() as con:
            after = counts(con)
        state_after = load.nightly_state()
    day0_rows = {t: pq.read_metadata(day0 / f"{t}.parquet").num_rows for t in load_contract()}
    assert loaded == {t: n * 2 if t != "health_contact" else n + 3 for t, n in day0_rows.items()}
    assert sorted(tonight, key=str) == sorted([("12.5",), ("n/a",), (None,)], key=str)
    assert cost_type == "text"
    delivered = pq.read_table(day0 / "health_contact.parquet")["cost_eur"].null_count
    assert day0_costs == day0_rows["health_contact"] - delivered  # typed values kept as text
    assert state == load.NightlyState([str(day0), str(night)], published=False)
    assert str(failed.value).startswith(f"Raw table {last}: cannot load it into PostgreSQL")
    assert after == loaded and state_after == state
