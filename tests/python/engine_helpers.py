"""Helpers of the tests that run on a server engine (tests/python/test_engines.py, and the
PostgreSQL night of tests/python/test_nightly.py): an engine required or skipped, a PostgreSQL
database of a test's own, and the marts of a build read from any engine in one canonical form."""

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

from pcdm import engines

MART_SCHEMAS = ("pcdm", "bi", "crm", "dq")


def require_engine(engine: str) -> None:
    reason = engines.unavailable(engine)
    if reason is None:
        return
    if os.environ.get("PCDM_REQUIRE_ENGINES") == "1":
        pytest.fail(f"engine {engine} is required here (PCDM_REQUIRE_ENGINES=1): {reason}")
    pytest.skip(f"engine {engine} is not available: {reason}")


@contextlib.contextmanager
def own_database(prefix: str):
    """A database of its own on the PostgreSQL server of PGHOST (PGDATABASE names it in the
    block), dropped at the end."""
    require_engine("postgres")
    import psycopg

    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(autocommit=True) as con:
        con.execute(f'create database "{name}"')
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PGDATABASE", name)
        yield name
    with psycopg.connect(autocommit=True) as con:
        con.execute(f'drop database if exists "{name}" with (force)')


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


def read_marts(engine: str, manifest: dict, duckdb_path: Path | None, left_out=()) -> dict:
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
