"""Nightly deliveries (README "Nightly deliveries"): day 0 and three nights of a generated county
applied incrementally equal a full refresh over the same deliveries, mart by mart, row by row.

The sequence (pcdm generate --nights 3) has corrections, late arrivals, late diagnoses, a full
re-delivery of crm_consent, duplicates across nights and the generator's bad rows. Day 0 and
nights 1 and 2 are built by the run's own steps without the gate and the report files (to keep
the suite fast); night 3 is a whole `pcdm run --nightly`, gate and report included. The full
refresh builds the deliveries kept, copied to a second data dir, in one build. Then the same
night again is recognised and changes nothing, and a night that fails leaves the published
warehouse and the store as they were.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import shutil
from datetime import datetime, timedelta
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

from conftest import run_cli
from engine_helpers import MART_SCHEMAS, own_database, read_marts, require_engine
from pcdm import deliveries, engines, load, publish, runner
from pcdm.contract import PROJECT_DIR
from pcdm.generator import CountyConfig
from pcdm.generator.nightly import generate_nights

SALT = "nightly-salt-not-secret-0123456789"
NIGHTS = 3
CONFIG = CountyConfig(residents=2500, seed=16, defect_rate=0.004)


def night_time(k: int) -> datetime:
    """The extract time of delivery k (0: day 0), an hour later: when its run judges freshness."""
    return CONFIG.extract_at - timedelta(days=NIGHTS - k) + timedelta(hours=1)


@pytest.fixture(scope="module")
def sequence(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    return generate_nights(CONFIG, tmp_path_factory.mktemp("sequence"), NIGHTS)


def settings(
    data_dir: Path, raw: Path | None, k: int, full_refresh: bool = False, engine: str = "duckdb"
):
    return runner.RunSettings(
        data_dir=data_dir,
        county_code="07",
        raw_path=raw,
        work_path=data_dir.parent / f"{data_dir.name}-dbt",
        as_of=night_time(k),
        nightly=True,
        full_refresh=full_refresh,
        engine=engine,
    )


def build_and_publish(run: runner.RunSettings) -> None:
    """The steps of `pcdm run --nightly` up to publishing the warehouse, without the gate, the
    report files and the offline report."""
    warehouse = publish.Warehouse(run.data_dir)
    store = deliveries.Store(run.data_dir)
    database = warehouse.start()
    values, new = runner.prepare_nightly(run, warehouse, store)
    target = runner.dbt_target(run, store.every_delivery, database, "parquet", values)
    runner.build(target)
    warehouse.publish()
    runner.record_published_night(run, store, new)


def cli_run(data_dir: Path, raw: Path, k: int, *options: str) -> tuple[int, str]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PCDM_PSEUDONYM_SALT", SALT)
        return run_cli(
            [
                "run",
                "--nightly",
                "--raw-path",
                str(raw),
                "--data-dir",
                str(data_dir),
                "--dbt-work-path",
                str(data_dir.parent / f"{data_dir.name}-dbt"),
                "--as-of",
                night_time(k).isoformat(),
                *options,
            ]
        )


@pytest.fixture(scope="module")
def nightly_runs(sequence: list[Path], tmp_path_factory: pytest.TempPathFactory):
    """The incremental data dir after day 0 and three nights, and the full refresh's."""
    root = tmp_path_factory.mktemp("nightly")
    incremental, full = root / "incremental", root / "full"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PCDM_PSEUDONYM_SALT", SALT)
        for k, folder in enumerate(sequence[:-1]):
            build_and_publish(settings(incremental, folder, k))
        code, printed = cli_run(incremental, sequence[-1], NIGHTS)
        assert code == 0, printed
        full.mkdir()
        shutil.copytree(incremental / deliveries.STORE, full / deliveries.STORE)
        build_and_publish(settings(full, None, NIGHTS, full_refresh=True))
    return incremental, full, printed


def marts() -> list[tuple[str, str]]:
    return sorted(
        (schema, path.stem)
        for schema in MART_SCHEMAS
        for path in (PROJECT_DIR / "models" / "marts" / schema).glob("*.sql")
    )


def test_the_sequence_has_every_kind_of_nightly_row(sequence):
    """Corrections, re-deliveries, late arrivals and a full re-delivery are in the nights."""
    day0 = pq.read_table(sequence[0] / "health_contact.parquet").to_pylist()
    first = {row["contact_id"]: row for row in day0}
    nights = [
        row
        for folder in sequence[1:]
        for row in pq.read_table(folder / "health_contact.parquet").to_pylist()
    ]
    again = [row for row in nights if row["contact_id"] in first]
    changed = [r for r in again if r["cost_eur"] != first[r["contact_id"]]["cost_eur"]]
    assert changed and len(changed) < len(again)  # corrections and unchanged re-deliveries
    cutoff = sequence_extract(0)
    assert any(row["contact_start"] < cutoff - timedelta(days=1) for row in nights)  # late
    consent_rows = [pq.read_metadata(f / "crm_consent.parquet").num_rows for f in sequence]
    assert consent_rows[-1] > consent_rows[0] > consent_rows[1]  # the last night: all again
    for k, folder in enumerate(sequence[1:], start=1):
        loaded = pq.read_table(folder / "health_contact.parquet")["loaded_at"].to_pylist()
        assert max(loaded) == sequence_extract(k)


def sequence_extract(k: int) -> datetime:
    return CONFIG.extract_at - timedelta(days=NIGHTS - k)


def test_incremental_nights_equal_a_full_refresh_mart_by_mart(nightly_runs):
    incremental, full, _ = nightly_runs
    with duckdb.connect() as con:
        con.execute(f"attach '{incremental / 'warehouse.duckdb'}' as inc (read_only)")
        con.execute(f"attach '{full / 'warehouse.duckdb'}' as ful (read_only)")
        differing, compared = [], 0
        for schema, table in marts():
            a, b = f"inc.{schema}.{table}", f"ful.{schema}.{table}"
            rows = con.sql(f"select count(*) from {a}").fetchall()[0][0]
            only = [
                con.sql(f"select count(*) from (from {x} except all from {y})").fetchall()[0][0]
                for x, y in ((a, b), (b, a))
            ]
            compared += rows
            if any(only):
                differing.append((schema, table, rows, *only))
        assert not differing, differing
        assert compared > 10_000
        # the quarantine shows what the nights did: older copies superseded, and staged rows
        reasons = dict(
            con.sql(
                "select reason_code, sum(quarantined_rows) from inc.dq.dq_quarantine_by_reason "
                "group by 1"
            ).fetchall()
        )
        assert reasons["superseded_delivery"] > 0 and reasons["conflicting_duplicate"] > 0


def test_the_delivery_log_records_every_delivery(nightly_runs, sequence):
    incremental, _, printed = nightly_runs
    with duckdb.connect(str(incremental / "warehouse.duckdb"), read_only=True) as con:
        log = con.sql(
            "select delivery_id, source_table, delivered_rows, last_loaded_at, delivered_from, "
            "applied_at from dq.dq_delivery_log order by 1, 2"
        ).fetchall()
        sequence_rows = con.sql("from dq.dq_delivery_sequence").df()
    ids = sorted({row[0] for row in log})
    assert ids == [f"{k + 1:04d}_{folder.name}" for k, folder in enumerate(sequence)]
    assert len(log) == len(ids) * 15
    for delivery_id, table, rows, last_loaded_at, delivered_from, applied_at in log:
        folder = Path(delivered_from)
        assert folder in sequence and delivery_id.endswith(folder.name)
        assert rows == pq.read_metadata(folder / f"{table}.parquet").num_rows
        assert applied_at is not None
        if rows and table == "health_contact":
            assert last_loaded_at == sequence_extract(sequence.index(folder))
    assert set(sequence_rows["delivery_id"]) == {ids[-1]}
    assert set(sequence_rows["days_since_previous_delivery"]) == {1}
    assert (sequence_rows["previous_deltas"] == NIGHTS - 1).all()
    with duckdb.connect(str(incremental / "warehouse.duckdb"), read_only=True) as con:
        checks = con.sql(
            "select check_name, bool_and(success) from dq.dq_check_results "
            "where check_name like 'delivery_%' group by 1 order by 1"
        ).fetchall()
    assert checks == [("delivery_days_since_previous", True), ("delivery_rows_vs_usual", True)]
    assert (incremental / "report" / "data" / "dq_delivery_log.js").exists()


def file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_delivery_applied_already_changes_nothing(nightly_runs, sequence):
    incremental, _, _ = nightly_runs
    before = file_digest(incremental / "warehouse.duckdb")
    kept = sorted(p.name for p in (incremental / deliveries.STORE).iterdir())
    code, printed = cli_run(incremental, sequence[1], 1)
    assert code == 0
    assert "was applied already, as 0002_night-01" in printed
    assert "nothing was changed" in printed
    assert file_digest(incremental / "warehouse.duckdb") == before
    assert sorted(p.name for p in (incremental / deliveries.STORE).iterdir()) == kept


def test_a_failed_night_leaves_the_warehouse_and_the_store_untouched(
    nightly_runs, sequence, tmp_path
):
    """A night whose diagnoses lack a column fails in dbt (exit 1, naming the file and column)
    after it was copied into the store and its build began on a copy of the warehouse: both are
    as before, and the failed build is kept for the stewards."""
    incremental, _, _ = nightly_runs
    night = tmp_path / "night-04"
    shutil.copytree(sequence[-1], night)
    table = pq.read_table(night / "health_diagnosis.parquet")
    pq.write_table(table.drop_columns(["rank"]), night / "health_diagnosis.parquet")
    before = file_digest(incremental / "warehouse.duckdb")
    kept = sorted(p.name for p in (incremental / deliveries.STORE).iterdir())
    code, printed = cli_run(incremental, night, NIGHTS + 1)
    assert code == 1, printed
    assert '"rank"' in printed and "night-04/health_diagnosis.parquet" in printed
    assert file_digest(incremental / "warehouse.duckdb") == before
    assert sorted(p.name for p in (incremental / deliveries.STORE).iterdir()) == kept
    assert (incremental / "warehouse.failed.duckdb").exists()


def test_the_store_keeps_what_was_published_after_a_kill(tmp_path, sequence):
    """recover(): a delivery left `applying` by a killed run is dropped unless the published
    warehouse holds it (then it is marked applied)."""
    store = deliveries.Store(tmp_path)
    digest = deliveries.content_hash(sequence[0], "parquet")
    published = store.add(sequence[0], "parquet", digest)
    leftover = store.add(sequence[1], "parquet", deliveries.content_hash(sequence[1], "parquet"))
    store.recover({published.delivery_id})
    assert [d.delivery_id for d in store.deliveries()] == [published.delivery_id]
    manifest = json.loads((published.path / deliveries.MANIFEST).read_text())
    assert manifest["state"] == deliveries.APPLIED
    assert not leftover.path.exists()
    assert store.find(digest) == store.deliveries()[0]


def test_a_night_that_leaves_a_key_no_usable_row_removes_it_downstream(
    nightly_runs, sequence, tmp_path
):
    """The incremental models after the base models delete the keys a night re-evaluates before
    merging their rows again: a staged contact that a night delivers twice with different values
    (both conflicting_duplicate, nothing usable) leaves stg_, the service events and the fact."""
    incremental, _, _ = nightly_runs
    data_dir = tmp_path / "data"
    shutil.copytree(incremental / deliveries.STORE, data_dir / deliveries.STORE)
    shutil.copyfile(incremental / "warehouse.duckdb", data_dir / "warehouse.duckdb")
    with duckdb.connect(str(data_dir / "warehouse.duckdb"), read_only=True) as con:
        contact_id, event_key = con.sql(
            "select source_id, event_key from intermediate.int_service_events_costed "
            "where source_table = 'health_contact' order by source_id limit 1"
        ).fetchall()[0]
        assert con.sql(f"from pcdm.fct_service_event where event_key = '{event_key}'").fetchall()
    night = tmp_path / "night-04"
    night.mkdir()
    loaded_at = sequence_extract(NIGHTS) + timedelta(days=1)
    for path in sequence[-1].glob("*.parquet"):
        table = pq.read_table(path)
        if path.stem == "health_contact":
            row = max(
                (
                    r
                    for f in sequence
                    for r in pq.read_table(f / path.name).to_pylist()
                    if r["contact_id"] == contact_id
                ),
                key=lambda r: r["loaded_at"],
            )
            copies = [{**row, "loaded_at": loaded_at, "cost_eur": cost} for cost in (10.0, 20.0)]
            table = table.from_pylist(copies, schema=table.schema)
        pq.write_table(
            table.slice(0, 0) if path.stem != "health_contact" else table, night / path.name
        )
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PCDM_PSEUDONYM_SALT", SALT)
        build_and_publish(settings(data_dir, night, NIGHTS + 1))
    with duckdb.connect(str(data_dir / "warehouse.duckdb"), read_only=True) as con:
        reasons = con.sql(
            f"select quarantine_reason from staging.base_health__contacts "
            f"where contact_id = '{contact_id}' and loaded_at = '{loaded_at}'"
        ).fetchall()
        assert reasons == [("conflicting_duplicate",)] * 2
        assert not con.sql(
            f"from staging.stg_health__contacts where contact_id = '{contact_id}'"
        ).fetchall()
        for table in ("intermediate.int_service_events_costed", "pcdm.fct_service_event"):
            assert not con.sql(f"from {table} where event_key = '{event_key}'").fetchall(), table
        assert con.sql("select count(*) from pcdm.fct_service_event").fetchall()[0][0] > 1000


@pytest.mark.parametrize(
    ("engine", "omop"), [("spark", False), ("duckdb", True), ("postgres", True)]
)
def test_nightly_refuses_spark_and_omop_input_naming_what_it_supports(tmp_path, engine, omop):
    settings = runner.RunSettings(
        data_dir=tmp_path,
        raw_path=tmp_path / "night-01",
        omop_path=tmp_path / "omop" if omop else None,
        engine=engine,
        nightly=True,
    )
    with pytest.raises(runner.SettingsError) as refused:
        runner.check_nightly_settings(settings)
    assert "on DuckDB and PostgreSQL only" in str(refused.value)
    assert engine in str(refused.value)
    for allowed in ("duckdb", "postgres"):  # the raw contract on either: no refusal
        runner.check_nightly_settings(dataclasses.replace(settings, engine=allowed, omop_path=None))


# --- on PostgreSQL --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def postgres_nights(tmp_path_factory: pytest.TempPathFactory):
    """Day 0 and one night of the county on PostgreSQL (`pcdm run --nightly --target postgres`;
    day 0 by the run's steps without the gate and the report files), then a full refresh over the
    same deliveries in the same data dir: the marts read from the server after the night and
    after the full refresh, the night's output, the server's state and the store."""
    require_engine("postgres")
    day0, night = generate_nights(CONFIG, tmp_path_factory.mktemp("pg_sequence"), 1)
    data_dir = tmp_path_factory.mktemp("pg_nightly") / "data"
    manifest = data_dir.parent / "data-dbt" / "target" / "manifest.json"
    with own_database("pcdm_nightly"), pytest.MonkeyPatch.context() as patch:
        patch.setenv("PCDM_PSEUDONYM_SALT", SALT)
        # a one-night sequence: day 0 is extracted when the three nights' second night is
        build_and_publish(settings(data_dir, day0, NIGHTS - 1, engine="postgres"))
        code, printed = cli_run(data_dir, night, NIGHTS, "--target", "postgres")
        assert code == 0, printed[-3000:]
        with engines.connected("postgres"):
            incremental = read_marts("postgres", json.loads(manifest.read_text("utf-8")), None)
        build_and_publish(settings(data_dir, None, NIGHTS, full_refresh=True, engine="postgres"))
        with engines.connected("postgres"):
            full = read_marts("postgres", json.loads(manifest.read_text("utf-8")), None)
        yield incremental, full, printed, load.nightly_state(), data_dir / deliveries.STORE


@pytest.mark.engines
def test_a_night_on_postgresql_equals_a_full_refresh_mart_by_mart(postgres_nights):
    incremental, full, printed, state, store = postgres_nights
    assert "building incrementally on the published warehouse" in printed
    assert "of 1 folder(s) into PostgreSQL" in printed  # tonight's delivery appended
    assert "built in full" not in printed
    assert sorted(incremental) == sorted(full)
    assert {mart.split(".")[0] for mart in full} == set(MART_SCHEMAS)
    differing = [mart for mart in full if incremental[mart] != full[mart]]
    assert not differing, differing
    log = incremental["dq.dq_delivery_log"]
    assert {dict(row)["delivery_id"] for row in log} == {"0001_day-00", "0002_night-01"}
    assert sum(len(rows) for rows in full.values()) > 10_000
    kept = [str(store / "0001_day-00"), str(store / "0002_night-01")]
    assert state == load.NightlyState(kept, published=True)


@pytest.mark.engines
def test_a_night_on_a_postgresql_whose_last_build_was_not_published_is_built_in_full(
    postgres_nights, capsys
):
    """runner.postgres_in_step: only a server holding exactly the published deliveries of this
    data dir, built and published, takes a night incrementally."""
    import psycopg

    *_, state, store = postgres_nights
    published = [Path(folder) for folder in state.folders]
    with own_database("pcdm_state"):
        assert not runner.postgres_in_step(published)  # nothing loaded there
        with psycopg.connect() as con:
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
