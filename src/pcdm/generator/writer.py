"""Writing raw tables as Parquet (zstd) or CSV (UTF-8, header, comma, ISO dates)."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq


def _for_csv(table: pa.Table) -> pa.Table:
    columns = []
    for field, column in zip(table.schema, table.columns, strict=True):
        if pa.types.is_timestamp(field.type):
            column = column.cast(pa.timestamp("s"))
        columns.append(column)
    return pa.Table.from_arrays(columns, names=table.column_names)


def write_table(table: pa.Table, out_dir: Path, name: str, fmt: str) -> Path:
    path = out_dir / f"{name}.{fmt}"
    if fmt == "parquet":
        pq.write_table(table, path, compression="zstd", row_group_size=1_000_000)
    elif fmt == "csv":
        options = pacsv.WriteOptions(include_header=True, delimiter=",", quoting_style="needed")
        pacsv.write_csv(_for_csv(table), path, write_options=options)
    else:
        raise ValueError(f"unknown format {fmt!r}: parquet or csv")
    return path
