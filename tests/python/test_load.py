"""`pcdm load`: reading and typing a raw delivery for a server engine (no server needed here; the
load itself into PostgreSQL is exercised by tests/python/test_engines.py)."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from pcdm import cli, load
from pcdm.contract import PROJECT_DIR, load_contract

MINI = PROJECT_DIR / "tests" / "fixtures" / "mini_county"


@pytest.fixture(scope="module")
def parquet_county(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("load_county")
    assert cli.main(["generate", "--residents", "200", "--out", str(out), "--no-progress"]) == 0
    return out


def test_csv_columns_stay_text_so_that_staging_can_quarantine_a_bad_value(tmp_path):
    lines = (MINI / "health_contact.csv").read_text(encoding="utf-8").splitlines()
    cost = lines[0].split(",").index("cost_eur")
    cells = lines[1].split(",")
    cells[cost] = '"342,37"'
    (tmp_path / "health_contact.csv").write_text(
        "\n".join([lines[0], ",".join(cells), *lines[2:]]) + "\n", encoding="utf-8"
    )
    table = load.read_raw_table(tmp_path, load_contract()["health_contact"], "csv")
    assert table.column_names == load_contract()["health_contact"].column_names
    assert all(pa.types.is_string(field.type) for field in table.schema)
    # the cost arrives as delivered, for staging to quarantine as invalid_value naming cost_eur
    assert table.column("cost_eur").to_pylist()[0] == "342,37"
    assert table.num_rows == len(lines) - 1


def test_typed_parquet_columns_get_their_contract_types(parquet_county):
    contract = load_contract()["health_contact"]
    table = load.read_raw_table(parquet_county, contract, "parquet")
    types = {field.name: load.postgres_column_type(field.type) for field in table.schema}
    assert types["cost_eur"] == "double precision"
    assert types["is_emergency"] == "boolean"
    assert types["contact_start"] == "timestamp"
    assert types["person_id"] == "text"


def test_a_column_that_does_not_fit_its_contract_type_is_named(parquet_county, tmp_path):
    for file in parquet_county.glob("*.parquet"):
        shutil.copy(file, tmp_path / file.name)
    path = tmp_path / "health_contact.parquet"
    data = pq.read_table(path)
    dates = pa.array([dt.date(2025, 1, 1)] * data.num_rows)
    index = data.column_names.index("is_emergency")
    pq.write_table(data.set_column(index, "is_emergency", dates), path)
    with pytest.raises(load.LoadError, match=r"health_contact, column is_emergency.*boolean"):
        load.read_raw_table(tmp_path, load_contract()["health_contact"], "parquet")


def test_a_missing_column_is_named(tmp_path):
    source = (MINI / "care_plan.csv").read_text(encoding="utf-8").splitlines()
    header = source[0].split(",")
    keep = [i for i, name in enumerate(header) if name != "plan_type"]
    lines = [",".join(line.split(",")[i] for i in keep) for line in source]
    (tmp_path / "care_plan.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(load.LoadError, match=r"missing in care_plan\.plan_type"):
        load.read_raw_table(tmp_path, load_contract()["care_plan"], "csv")


def test_a_delivery_sequence_loads_as_one_table_whose_rows_name_their_file(
    parquet_county, tmp_path
):
    """Every delivery kept, one after the other (a full build on PostgreSQL over the store): each
    row's filename is its folder's file, as DuckDB's readers name it; a column delivered typed in
    one folder and as text in another is text in both."""
    contract = load_contract()["health_contact"]
    first, second = tmp_path / "0001_day-00", tmp_path / "0002_night-01"
    first.mkdir()
    second.mkdir()
    shutil.copy(parquet_county / "health_contact.parquet", first)
    rows = pq.read_table(parquet_county / "health_contact.parquet").slice(0, 3)
    as_text = rows.set_column(
        rows.schema.get_field_index("cost_eur"),
        "cost_eur",
        pa.array(["12.5", "n/a", None]),
    )
    pq.write_table(as_text, second / "health_contact.parquet")
    table = load.read_delivery([first, second], contract, "parquet")
    assert table.column_names == [*contract.column_names, load.FILENAME]
    files = table.column(load.FILENAME).to_pylist()
    delivered = pq.read_metadata(first / "health_contact.parquet").num_rows
    assert (
        files
        == [str(first / "health_contact.parquet")] * delivered
        + [str(second / "health_contact.parquet")] * 3
    )
    assert pa.types.is_string(table.schema.field("cost_eur").type)
    assert table.column("cost_eur").to_pylist()[-3:] == ["12.5", "n/a", None]
    assert pa.types.is_timestamp(table.schema.field("contact_start").type)  # typed in both


def test_a_builds_raw_path_names_its_delivery_folders(tmp_path):
    """deliveries.folders: a store's glob is every delivery kept in the order applied (a folder
    without its _delivery.json, a copy not yet complete, is none); a folder is itself."""
    from pcdm import deliveries

    for name in ("0002_night-01", "0001_day-00", "0003_night-02"):
        (tmp_path / name).mkdir()
        if name != "0003_night-02":
            (tmp_path / name / deliveries.MANIFEST).write_text("{}")
    assert deliveries.folders(tmp_path / "*") == [
        tmp_path / "0001_day-00",
        tmp_path / "0002_night-01",
    ]
    assert deliveries.folders(tmp_path / "0003_night-02") == [tmp_path / "0003_night-02"]
