"""`pcdm load`: a raw delivery (Parquet or CSV folder) into the `raw` schema of a server engine.

PostgreSQL: each table of the raw contract is (re)created in schema `raw` with one column per
contract column, in the order of the contract, and filled by COPY through psycopg. A column
delivered typed (Parquet) gets its contract type: a value that does not fit stops the load with an
error naming the table and column, before anything is replaced. A column delivered as text (every
CSV column, or a Parquet string column) stays text: staging types it, and quarantines a value that
does not convert as `invalid_value`, as on DuckDB. Each table is replaced in one transaction.
Spark needs no load: it reads the raw folder in place (macros/cross_database/raw_relations.sql).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from pcdm.contract import RawTable, load_contract
from pcdm.pipeline import SettingsError

RAW_SCHEMA = "raw"
# the project's YAML types as PostgreSQL names them, and as Arrow holds them
POSTGRES_TYPES = {
    "varchar": "text",
    "double": "double precision",
    "bigint": "bigint",
    "integer": "integer",
    "boolean": "boolean",
    "date": "date",
    "timestamp": "timestamp",
}
COPY_BATCH_ROWS = 200_000


class LoadError(SettingsError):
    """The delivery does not fit the raw contract; the message names the table and column."""


@dataclass(frozen=True)
class Loaded:
    table: str
    rows: int


def _arrow_type(data_type: str):
    import pyarrow as pa

    return {
        "double": pa.float64(),
        "bigint": pa.int64(),
        "integer": pa.int32(),
        "boolean": pa.bool_(),
        "date": pa.date32(),
        "timestamp": pa.timestamp("us"),
    }.get(data_type)


def read_raw_table(raw_path: Path, table: RawTable, raw_format: str):
    """The delivered table as an Arrow table of the contract's columns, each typed: the contract
    type where the file holds a typed column, text where it holds text."""
    import pyarrow as pa
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    path = raw_path / f"{table.name}.{raw_format}"
    if not path.exists():
        raise LoadError(f"Raw contract: missing table file {path}")
    try:
        if raw_format == "csv":
            with path.open(encoding="utf-8", newline="") as file:
                header = next(csv.reader(file), [])
            options = pacsv.ConvertOptions(
                column_types={name: pa.string() for name in header}, strings_can_be_null=True
            )
            data = pacsv.read_csv(path, convert_options=options)
        else:
            data = pq.read_table(path)
    except (OSError, UnicodeDecodeError, pa.ArrowInvalid) as error:
        raise LoadError(f"Raw table {table.name}: cannot read {path}: {error}") from error
    delivered = {name.lower(): name for name in data.column_names}
    missing = [c.name for c in table.columns if c.name.lower() not in delivered]
    if missing:
        raise LoadError(
            "Raw contract: required column(s) missing in "
            + ", ".join(f"{table.name}.{name}" for name in missing)
            + f" ({path})"
        )
    columns, fields = [], []
    for column in table.columns:
        values = data.column(delivered[column.name.lower()])
        wanted = _arrow_type(column.data_type)
        delivered_text = pa.types.is_string(values.type) or pa.types.is_large_string(values.type)
        if delivered_text or wanted is None:  # text, or a text column delivered typed: as text
            values = values.cast(pa.string())
        elif values.type != wanted:
            try:
                values = values.cast(wanted)
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as error:
                raise LoadError(
                    f"Raw table {table.name}, column {column.name}: delivered as {values.type}, "
                    f"which does not convert to the contract type {column.data_type}: {error}"
                ) from error
        columns.append(values)
        fields.append(column.name)
    return pa.table(columns, names=fields)


def postgres_column_type(arrow_type) -> str:
    import pyarrow as pa

    if pa.types.is_string(arrow_type):
        return "text"
    for data_type in ("double", "bigint", "integer", "boolean", "date", "timestamp"):
        if _arrow_type(data_type) == arrow_type:
            return POSTGRES_TYPES[data_type]
    raise LoadError(f"no PostgreSQL type for Arrow type {arrow_type}")


def _csv_bytes(batch) -> bytes:
    import pyarrow.csv as pacsv

    buffer = io.BytesIO()
    options = pacsv.WriteOptions(include_header=False, quoting_style="needed")
    pacsv.write_csv(batch, buffer, write_options=options)
    return buffer.getvalue()


def load_postgres(raw_path: Path, raw_format: str, conninfo: str = "") -> list[Loaded]:
    """Load every raw table of the contract into schema raw (connection from libpq's PG*
    variables, or conninfo). Every table is read and typed before the database is touched."""
    import psycopg
    from psycopg import sql

    contract = load_contract()
    tables = {name: read_raw_table(raw_path, table, raw_format) for name, table in contract.items()}
    loaded = []
    with psycopg.connect(conninfo) as con:
        con.execute(sql.SQL("create schema if not exists {}").format(sql.Identifier(RAW_SCHEMA)))
        for name, data in tables.items():
            target = sql.Identifier(RAW_SCHEMA, name)
            columns = sql.SQL(", ").join(
                sql.SQL("{} {}").format(
                    sql.Identifier(field.name), sql.SQL(postgres_column_type(field.type))
                )
                for field in data.schema
            )
            with con.transaction():
                con.execute(sql.SQL("drop table if exists {} cascade").format(target))
                con.execute(sql.SQL("create table {} ({})").format(target, columns))
                copy = sql.SQL("copy {} ({}) from stdin (format csv)").format(
                    target, sql.SQL(", ").join(sql.Identifier(n) for n in data.column_names)
                )
                with con.cursor() as cursor, cursor.copy(copy) as writer:
                    for batch in data.to_batches(COPY_BATCH_ROWS):
                        writer.write(_csv_bytes(batch))
            loaded.append(Loaded(name, data.num_rows))
    return loaded
