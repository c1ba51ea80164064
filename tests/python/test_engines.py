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

import contextlib
import datetime as dt
import json
import math
import os
import re
import uuid
from decimal import Decimal
from pathlib import Path

import pytest

from conftest import run_cli
from pcdm import engines, load, pipeline
from pcdm.contract import PROJECT_DIR
from pcdm.generator import CountyConfig

pytestmark = [pytest.mark.engines, pytest.mark.e2e]

SALT = "engines-salt-not-secret-0123456789"
FIXTURES = PROJECT_DIR / "tests" / "fixtures"
MART_SCHEMAS = ("pcdm", "bi", "crm", "dq")
# Judge freshness at one fixed time on every engine (otherwise: the time of each build).
AS_OF = ("freshness_as_of", "2026-11-02 02:00:00")
# 2000: with this seed, 600 and 1000 residents send the protection into its one-LP-per-small-count
# fallback (minutes); 2000 is protected by one alternative table (about 12 s)
GENERATED_RESIDENTS = 2000


def _require(engine: str) -> None:
    reason = engines.unavailable(engine)
    if reason is None:
        return
    if os.environ.get("PCDM_REQUIRE_ENGINES") == "1":
        pytest.fail(f"engine {engine} is required here (PCDM_REQUIRE_ENGINES=1): {reason}")
    pytest.skip(f"engine {engine} is not available: {reason}")


TIMESTAMP_TEXT = re.compile(
    r"^(\d{4}-\d\d-\d\d)[T ](\d\d:\d\d:\d\d)(?:(\.\d*?)0*)?(Z|[+-]00:?00)?$"
)


def _timestamp_text(text: str) -> str:
    """A timestamp in a JSON text as each engine writes it (T or space, .000, Z) in one form."""
    match = TIMESTAMP_TEXT.match(text)
    if not match:
        return text
    fraction = (match.group(3) or "").rstrip(".")
    return f"{match.group(1)} {match.group(2)}{fraction}"


def _canonical(column: str, value: object) -> object:
    """One engine-independent form of a value: money at cents, other decimals at 1e-6, JSON
    texts parsed, timestamps without a 'T'."""
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float | Decimal):
        number = float(value)
        if math.isnan(number):
            return None
        return round(number, 2 if column.endswith("_eur") else 6) + 0.0
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None).isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value)
    if text.startswith("{") and text.endswith("}"):
        try:
            parsed = json.loads(text)
        except ValueError:
            return text
        return json.dumps(
            {
                key: _canonical(key, item) if not isinstance(item, str) else _timestamp_text(item)
                for key, item in parsed.items()
            },
            sort_keys=True,
        )
    return text


def _snapshot(engine: str, manifest: dict, duckdb_path: Path | None, left_out=()) -> dict:
    """{schema.table: sorted canonical rows} of the marts of the manifest, but left_out schemas."""
    marts = {}
    schemas = tuple(schema for schema in MART_SCHEMAS if schema not in left_out)
    for schema, table in engines.mart_relations(manifest, schemas):
        try:
            columns, rows = engines.read_table(engine, schema, table, duckdb_path=duckdb_path)
        except Exception as error:  # Spark's exceptions may not print: name the table
            raise AssertionError(
                f"{engine}: cannot read {schema}.{table} ({type(error).__name__})"
            ) from error
        canonical = [
            tuple((c, _canonical(c, v)) for c, v in sorted(zip(columns, row, strict=True)))
            for row in rows
        ]
        marts[f"{schema}.{table}"] = sorted(canonical, key=repr)
    return marts


@pytest.fixture(scope="module")
def counties() -> dict[str, tuple[Path, str]]:
    """The hand-made fixtures (the generated county is made by each engine's `pcdm run`)."""
    return {
        "mini_county": (FIXTURES / "mini_county", "csv"),
        "segmentation_county": (FIXTURES / "segmentation_county", "csv"),
    }


@contextlib.contextmanager
def _own_database(prefix: str):
    """A database of its own on the PostgreSQL server of PGHOST (PGDATABASE names it in the
    block), dropped at the end."""
    _require("postgres")
    import psycopg

    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(autocommit=True) as con:
        con.execute(f'create database "{name}"')
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PGDATABASE", name)
        yield name
    with psycopg.connect(autocommit=True) as con:
        con.execute(f'drop database if exists "{name}" with (force)')


@pytest.fixture(scope="module")
def postgres_database():
    with _own_database("pcdm_engines") as name:
        yield name


@pytest.fixture(scope="module")
def spark_dir(tmp_path_factory: pytest.TempPathFactory):
    _require("spark")
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
                taken[county][engine] = _snapshot(
                    engine, manifest, work / "warehouse.duckdb", _left_out_schemas(county, engine)
                )
    taken["generated_county"] = {}
    for engine in engines.ENGINES:
        data_dir = tmp_path_factory.mktemp(f"generated_{engine}")
        RUNS[engine] = (_run(engine, data_dir), data_dir)
        manifest = json.loads((data_dir / "dbt" / "target" / "manifest.json").read_text("utf-8"))
        with engines.connected(engine):
            taken["generated_county"][engine] = _snapshot(
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
    with _own_database("pcdm_gate") as name:
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


# --- nightly deliveries on PostgreSQL -----------------------------------------------------------

# the county of tests/python/test_nightly.py (protected by one alternative table), with one night
NIGHTLY_COUNTY = CountyConfig(residents=2500, seed=16, defect_rate=0.004)


def _nightly_run(data_dir: Path, *options: str) -> tuple[int, str]:
    """`pcdm run --nightly --target postgres` with the options; its exit code and output."""
    work = ["--data-dir", str(data_dir), "--dbt-work-path", str(data_dir / "dbt")]
    return run_cli(["run", "--nightly", "--target", "postgres", *work, *options])


@pytest.fixture(scope="module")
def postgres_nights(tmp_path_factory, monkeypatch_module):
    """Day 0 and one night applied incrementally on PostgreSQL, then a full refresh over the same
    deliveries in the same data dir: the marts (read from the server) after each, and the output."""
    from pcdm.generator.nightly import generate_nights

    _require("postgres")
    monkeypatch_module.setenv("PCDM_PSEUDONYM_SALT", SALT)
    day0, night = generate_nights(NIGHTLY_COUNTY, tmp_path_factory.mktemp("pg_sequence"), 1)
    # freshness judged an hour after each delivery's extract (day 0's is a day before the night's)
    night_as_of = (NIGHTLY_COUNTY.extract_at + dt.timedelta(hours=1)).isoformat()
    day0_as_of = (NIGHTLY_COUNTY.extract_at - dt.timedelta(hours=23)).isoformat()
    data_dir = tmp_path_factory.mktemp("pg_nightly")
    manifest = data_dir / "dbt" / "target" / "manifest.json"
    printed, marts = [], []
    with _own_database("pcdm_nightly"):
        for options in (
            ("--raw-path", str(day0), "--as-of", day0_as_of),
            ("--raw-path", str(night), "--as-of", night_as_of),
            ("--full-refresh", "--as-of", night_as_of),
        ):
            code, output = _nightly_run(data_dir, *options)
            assert code == 0, output[-3000:]
            printed.append(output)
            with engines.connected("postgres"):
                marts.append(_snapshot("postgres", json.loads(manifest.read_text("utf-8")), None))
        state = load.nightly_state()
        yield printed, marts, state, data_dir / "deliveries"


def test_a_night_on_postgresql_equals_a_full_refresh_mart_by_mart(postgres_nights):
    printed, (_, incremental, full), state, store = postgres_nights
    assert "building incrementally on the published warehouse" in printed[1]
    assert "of 1 folder(s) into PostgreSQL" in printed[1]  # tonight's delivery appended
    assert "built in full" not in printed[1]
    assert "Rebuilding from the 2 deliveries kept" in printed[2]
    assert "of 2 folder(s) into PostgreSQL" in printed[2]
    assert sorted(incremental) == sorted(full)
    assert {mart.split(".")[0] for mart in full} == set(MART_SCHEMAS)
    differing = [mart for mart in full if incremental[mart] != full[mart]]
    assert not differing, differing
    log = incremental["dq.dq_delivery_log"]
    assert {dict(row)["delivery_id"] for row in log} == {"0001_day-00", "0002_night-01"}
    assert sum(len(rows) for rows in full.values()) > 10_000
    kept = [str(store / "0001_day-00"), str(store / "0002_night-01")]
    assert state == load.NightlyState(kept, published=True)


def test_a_night_on_a_postgresql_whose_last_build_was_not_published_is_built_in_full(
    postgres_nights, capsys
):
    """runner.postgres_in_step: only a server holding exactly the published deliveries, built
    and published, takes a night incrementally."""
    from pcdm import runner

    _, _, state, store = postgres_nights
    published = [Path(folder) for folder in state.folders]
    with _own_database("pcdm_state"):
        assert not runner.postgres_in_step(published)  # nothing loaded there
        with psycopg_connection() as con:
            load._write_state(con, load.NightlyState(state.folders, published=False))
        assert not runner.postgres_in_step(published)  # loaded, its build not published
        load.mark_published(published[:1])  # another build's deliveries: changes nothing
        assert not runner.postgres_in_step(published)
        load.mark_published(published)
        assert runner.postgres_in_step(published)
        assert not runner.postgres_in_step(published[:1])  # holds a delivery not published
        # the same delivery ids in another data dir's store: another sequence
        elsewhere = [store.parent / "elsewhere" / folder.name for folder in published]
        assert not runner.postgres_in_step(elsewhere)
    assert "this night is built in full" in capsys.readouterr().out


def test_a_night_appends_to_the_raw_tables_and_a_load_that_fails_changes_nothing(tmp_path):
    """pcdm load on PostgreSQL, no dbt: a night's rows go in beside day 0's, named by their file;
    a column delivered as text tonight and typed on day 0 becomes text with every value kept; the
    same night loaded again replaces its own rows; a load that fails (a NUL byte, which no
    PostgreSQL text holds, in the last table) changes no table and not the state."""
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

    with _own_database("pcdm_load"):
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


@contextlib.contextmanager
def psycopg_connection():
    import psycopg

    with psycopg.connect() as con:
        yield con
