"""`pcdm load`: a raw delivery (Parquet or CSV folder) into the `raw` schema of a server engine.

PostgreSQL: each table of the raw contract is (re)created in schema `raw` with one column per
contract column, in the order of the contract, then `filename`: the file each row came from
(`<folder>/<table>.<format>`, as DuckDB's readers name it), and filled by COPY through psycopg. A
column delivered typed (Parquet) gets its contract type: a value that does not fit stops the load
with an error naming the table and column, before anything is replaced. A column delivered as text
(every CSV column, or a Parquet string column) stays text: staging types it, and quarantines a
value that does not convert as `invalid_value`, as on DuckDB. The load is one transaction (psycopg
commits when it is complete): a load that fails changes nothing.

Nightly deliveries (README "Nightly deliveries"): a full build over the delivery store loads every
delivery kept, one after the other into the same tables (their rows told apart by `filename`); a
night appends its own folder's rows (after deleting any it appended before). Table
raw.pcdm_nightly_state records which deliveries the server's tables hold and whether the build on
them was published (nightly_state): a night is built incrementally only on a server that holds
exactly the published deliveries.

Spark needs no load: it reads the raw folder in place (macros/cross_database/raw_relations.sql).
"""

from __future__ import annotations

import csv
import io
import json
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


FILENAME = "filename"  # the file a raw row came from (DuckDB's readers: filename = true)
STATE_TABLE = "pcdm_nightly_state"


@dataclass(frozen=True)
class NightlyState:
    folders: list[str]  # the delivery folders the raw tables hold, in the order loaded
    published: bool  # the build on them was published (set by mark_published)


def read_delivery(folders: list[Path], table: RawTable, raw_format: str):
    """The table's rows of every folder in order, with the column filename; a column typed in one
    folder and delivered as text in another is text."""
    import pyarrow as pa

    parts = []
    for folder in folders:
        data = read_raw_table(folder, table, raw_format)
        name = str(folder / f"{table.name}.{raw_format}")
        parts.append(data.append_column(FILENAME, pa.array([name] * data.num_rows, pa.string())))
    fields = []
    for i, field in enumerate(parts[0].schema):
        types = {part.schema.field(i).type for part in parts}
        fields.append(pa.field(field.name, field.type if len(types) == 1 else pa.string()))
    schema = pa.schema(fields)
    return pa.concat_tables([part.cast(schema) for part in parts])


def load_postgres(
    folders: list[Path], raw_format: str, conninfo: str = "", *, append: bool = False
) -> list[Loaded]:
    """Load every raw table of the contract from the folders (a delivery, or every delivery kept)
    into schema raw (connection from libpq's PG* variables, or conninfo): each table replaced, or
    with `append` (a night) the folders' rows added to it. Every table is read and typed before
    the database is touched; the nightly state says the tables hold these folders' deliveries, not
    yet published."""
    import psycopg
    from psycopg import sql

    contract = load_contract()
    tables = {name: read_delivery(folders, table, raw_format) for name, table in contract.items()}
    loaded = []
    with psycopg.connect(conninfo) as con:
        con.execute(sql.SQL("create schema if not exists {}").format(sql.Identifier(RAW_SCHEMA)))
        before = _read_state(con)
        _write_state(con, None)  # until the load is complete, the tables hold no known build
        for name, data in tables.items():
            target = sql.Identifier(RAW_SCHEMA, name)
            with con.transaction():
                if append:
                    data = _prepare_append(con, name, data, folders)
                else:
                    columns = sql.SQL(", ").join(
                        sql.SQL("{} {}").format(
                            sql.Identifier(field.name), sql.SQL(postgres_column_type(field.type))
                        )
                        for field in data.schema
                    )
                    con.execute(sql.SQL("drop table if exists {} cascade").format(target))
                    con.execute(sql.SQL("create table {} ({})").format(target, columns))
                copy = sql.SQL("copy {} ({}) from stdin (format csv)").format(
                    target, sql.SQL(", ").join(sql.Identifier(n) for n in data.column_names)
                )
                try:
                    with con.cursor() as cursor, cursor.copy(copy) as writer:
                        for batch in data.to_batches(COPY_BATCH_ROWS):
                            writer.write(_csv_bytes(batch))
                except psycopg.Error as error:
                    cause = f"Raw table {name}: cannot load it into PostgreSQL: {error}"
                    raise LoadError(cause) from None
            loaded.append(Loaded(name, data.num_rows))
        held = before.folders if append and before is not None else []
        held = [*held, *(str(folder) for folder in folders if str(folder) not in held)]
        _write_state(con, NightlyState(held, published=False))
    return loaded


def _prepare_append(con, name: str, data, folders: list[Path]):
    """Before a night's rows go into a raw table: delete any rows of the folders it holds (a night
    loaded again), and reconcile the types, so that staging types every value as it would over the
    files: a column delivered as text tonight and typed before becomes text (its values as text),
    and a column held as text takes tonight's values as text. Returns tonight's rows to copy."""
    import pyarrow as pa
    from psycopg import sql

    target = sql.Identifier(RAW_SCHEMA, name)
    held = dict(
        con.execute(
            "select column_name, data_type from information_schema.columns "
            "where table_schema = %s and table_name = %s",
            [RAW_SCHEMA, name],
        ).fetchall()
    )
    for i, field in enumerate(data.schema):
        if field.name not in held:
            raise LoadError(
                f"Raw table {name}: {RAW_SCHEMA}.{name} has no column {field.name} to append "
                "tonight's rows to (loaded by an older version?): run --nightly --full-refresh"
            )
        if pa.types.is_string(field.type) and held[field.name] != "text":
            con.execute(
                sql.SQL("alter table {} alter column {} type text").format(
                    target, sql.Identifier(field.name)
                )
            )
        elif held[field.name] == "text" and not pa.types.is_string(field.type):
            data = data.set_column(i, field.name, data.column(i).cast(pa.string()))
    for folder in folders:
        con.execute(
            sql.SQL("delete from {} where {} like %s").format(target, sql.Identifier(FILENAME)),
            [f"{folder}/%"],
        )
    return data


def nightly_state(conninfo: str = "") -> NightlyState | None:
    """What the raw tables hold (None: nothing known, e.g. a load that did not complete)."""
    import psycopg

    with psycopg.connect(conninfo) as con:
        return _read_state(con)


def mark_published(folders: list[Path], conninfo: str = "") -> None:
    """The build on the raw tables holding these delivery folders was published."""
    import psycopg

    held = [str(folder) for folder in folders]
    with psycopg.connect(conninfo) as con:
        state = _read_state(con)
        if state is not None and state.folders == held:
            _write_state(con, NightlyState(held, published=True))


def _read_state(con) -> NightlyState | None:
    from psycopg import sql

    table = sql.Identifier(RAW_SCHEMA, STATE_TABLE)
    exists = con.execute("select to_regclass(%s)", [f"{RAW_SCHEMA}.{STATE_TABLE}"]).fetchone()[0]
    if exists is None:
        return None
    row = con.execute(sql.SQL("select folders, published from {}").format(table)).fetchone()
    return None if row is None else NightlyState(json.loads(row[0]), row[1])


def _write_state(con, state: NightlyState | None) -> None:
    from psycopg import sql

    table = sql.Identifier(RAW_SCHEMA, STATE_TABLE)
    with con.transaction():
        con.execute(sql.SQL("create schema if not exists {}").format(sql.Identifier(RAW_SCHEMA)))
        con.execute(
            sql.SQL("create table if not exists {} (folders text, published boolean)").format(table)
        )
        con.execute(sql.SQL("delete from {}").format(table))
        if state is not None:
            con.execute(
                sql.SQL("insert into {} values (%s, %s)").format(table),
                [json.dumps(state.folders), state.published],
            )
