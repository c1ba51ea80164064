"""The three engines of profiles/profiles.yml: whether each is here, and reading a table from it.

DuckDB is embedded (a file). PostgreSQL is reached through libpq's variables (PGHOST, PGPORT,
PGUSER, PGPASSWORD, PGDATABASE). Spark runs in-process (dbt-spark's session method: pyspark on
Java 17) with its metastore and tables under PCDM_SPARK_DIR.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

from pcdm.contract import PROJECT_DIR

ENGINES = ("duckdb", "postgres", "spark")
SPARK_DIR_VARIABLE = "PCDM_SPARK_DIR"


def unavailable(engine: str) -> str | None:
    """Why the engine cannot be used here, or None when it can."""
    if engine == "duckdb":
        return None
    if engine == "postgres":
        try:
            import psycopg
        except ImportError:
            return "psycopg is not installed (pip install -e '.[engines]')"
        if not os.environ.get("PGHOST"):
            return "no PostgreSQL server: PGHOST is not set"
        try:
            with psycopg.connect(connect_timeout=5):
                return None
        except psycopg.Error as error:
            return f"PostgreSQL at {os.environ['PGHOST']} refuses: {str(error).strip()}"
    if engine == "spark":
        try:
            import pyspark  # noqa: F401
        except ImportError:
            return "pyspark is not installed (pip install -e '.[engines]')"
        if not shutil.which("java") and not os.environ.get("JAVA_HOME"):
            return "no Java for Spark (apt-get install openjdk-17-jre-headless)"
        return None
    return f"unknown engine {engine!r}: one of {', '.join(ENGINES)}"


def spark_dir() -> Path:
    return Path(os.environ.get(SPARK_DIR_VARIABLE, PROJECT_DIR / "data" / "spark")).resolve()


def spark_settings() -> dict[str, str]:
    """The Spark settings of the profile's spark target (server_side_parameters, its env_var()
    defaults rendered), the warehouse and metastore under spark_dir()."""
    import jinja2
    import yaml

    profile = yaml.safe_load((PROJECT_DIR / "profiles" / "profiles.yml").read_text("utf-8"))
    parameters = profile["pcdm"]["outputs"]["spark"]["server_side_parameters"]
    template = jinja2.Environment()
    template.globals["env_var"] = lambda name, default="": os.environ.get(name, default)
    settings = {name: template.from_string(str(v)).render() for name, v in parameters.items()}
    folder = spark_dir()
    settings["spark.sql.warehouse.dir"] = str(folder / "warehouse")
    settings["spark.hadoop.javax.jdo.option.ConnectionURL"] = (
        f"jdbc:derby:;databaseName={folder / 'metastore_db'};create=true"
    )
    return settings


_SESSION_DEPTH = [0]


@contextlib.contextmanager
def spark_session():
    """The Spark session of this process, configured as the profile's session target, for the
    duration of the block; nested blocks share it. Leaving the outermost block stops the JVM:
    Spark's Derby metastore opens in one JVM at a time, and the next dbt command runs Spark in a
    process of its own."""
    from pyspark.sql import SparkSession

    builder = SparkSession.builder.enableHiveSupport()
    for name, value in spark_settings().items():
        builder = builder.config(name, value)
    session = builder.getOrCreate()
    _SESSION_DEPTH[0] += 1
    try:
        yield session
    finally:
        _SESSION_DEPTH[0] -= 1
        if _SESSION_DEPTH[0] == 0:
            _stop_jvm(session)


def _stop_jvm(session) -> None:
    """Stop the session and its JVM (pyspark keeps the JVM, and the metastore open in it, until
    the Python process ends; it exits when its standard input closes). A later session starts a
    new one."""
    from pyspark import SparkContext

    session.stop()
    gateway = SparkContext._gateway
    if gateway is None:
        return
    gateway.shutdown()
    process = getattr(gateway, "proc", None)
    if process is not None:
        process.stdin.close()
        process.wait(timeout=120)
    SparkContext._gateway = None
    SparkContext._jvm = None


@contextlib.contextmanager
def connected(engine: str):
    """A block in which the engine's tables are read and written with one connection (Spark: one
    JVM, stopped at the end); nothing to hold for the other engines."""
    if engine != "spark":
        yield
        return
    with spark_session():
        yield


def read_table(
    engine: str, schema: str, table: str, *, duckdb_path: Path | None = None
) -> tuple[list[str], list[tuple]]:
    """Column names and rows of schema.table, values as Python objects."""
    if engine == "duckdb":
        import duckdb

        with duckdb.connect(str(duckdb_path), read_only=True) as con:
            relation = con.sql(f'select * from "{schema}"."{table}"')
            return [c.lower() for c in relation.columns], relation.fetchall()
    if engine == "postgres":
        import psycopg
        from psycopg import sql

        with psycopg.connect() as con, con.cursor() as cursor:
            cursor.execute(sql.SQL("select * from {}").format(sql.Identifier(schema, table)))
            return [d.name.lower() for d in cursor.description], cursor.fetchall()
    if engine == "spark":
        with spark_session() as spark:
            frame = spark.table(f"{schema}.{table}")
            return [c.lower() for c in frame.columns], [tuple(row) for row in frame.collect()]
    raise ValueError(f"unknown engine {engine!r}")


def mart_relations(manifest: dict, schemas: tuple[str, ...]) -> Iterator[tuple[str, str]]:
    """(schema, table) of every model of the manifest in the given schemas, sorted."""
    found = {
        (node["schema"], node["alias"] or node["name"])
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and node["schema"] in schemas
    }
    yield from sorted(found)


# what `pcdm run` on a server engine copies into its local DuckDB file, for the data-quality gate,
# the Power BI report files and the offline report (the aggregates, the stewards' tables and the
# code lists; never the person-level layers)
MIRRORED_SCHEMAS = ("bi", "dq", "reference")


def _arrow_table(engine: str, schema: str, table: str):
    import pyarrow as pa

    if engine == "spark":
        with spark_session() as spark:
            return spark.table(f"{schema}.{table}").toArrow()
    import psycopg
    from psycopg import sql

    with psycopg.connect() as con, con.cursor() as cursor:
        cursor.execute(sql.SQL("select * from {}").format(sql.Identifier(schema, table)))
        names = [d.name for d in cursor.description]
        rows = cursor.fetchall()
    columns = list(zip(*rows, strict=True)) if rows else [[] for _ in names]
    arrays = []
    for values in columns:
        array = pa.array(list(values))
        if pa.types.is_decimal(array.type):  # numeric from PostgreSQL's rounding: a double
            array = array.cast(pa.float64())
        arrays.append(array)
    return pa.table(arrays, names=names)


def _tables(engine: str, schema: str) -> list[str]:
    if engine == "spark":
        with spark_session() as spark:
            return sorted(t.name for t in spark.catalog.listTables(schema))
    import psycopg

    with psycopg.connect() as con:
        rows = con.execute(
            "select table_name from information_schema.tables where table_schema = %s",
            (schema,),
        ).fetchall()
    return sorted(name for (name,) in rows)


def mirror(engine: str, database_path: Path, schemas: tuple[str, ...] = MIRRORED_SCHEMAS) -> int:
    """Copy the tables of the schemas from the server engine into a new DuckDB file; tables."""
    import duckdb

    copied = 0
    with connected(engine), duckdb.connect(str(database_path)) as con:
        for schema in schemas:
            con.execute(f'create schema if not exists "{schema}"')
            for table in _tables(engine, schema):
                data = _arrow_table(engine, schema, table)  # noqa: F841 (read by DuckDB by name)
                con.execute(f'create or replace table "{schema}"."{table}" as select * from data')
                copied += 1
    return copied


def copy_tables(engine: str, database_path: Path, schema: str, tables: list[str]) -> None:
    """Copy some tables of a schema from the server engine into the run's DuckDB file."""
    import duckdb

    with connected(engine), duckdb.connect(str(database_path)) as con:
        con.execute(f'create schema if not exists "{schema}"')
        for table in tables:
            data = _arrow_table(engine, schema, table)  # noqa: F841 (read by DuckDB by name)
            con.execute(f'create or replace table "{schema}"."{table}" as select * from data')


def upload(engine: str, database_path: Path, schema: str, table: str) -> int:
    """Replace the rows of schema.table on the server engine (created by a dbt hook) with those of
    the same table in the run's DuckDB file; the rows written."""
    import duckdb

    with duckdb.connect(str(database_path), read_only=True) as con:
        relation = con.sql(f'select * from "{schema}"."{table}"')
        names, rows = relation.columns, relation.fetchall()
        arrow = relation.to_arrow_table() if engine == "spark" else None
    if engine == "spark":
        with spark_session() as spark:
            frame = spark.createDataFrame(arrow).select(*names)
            frame.write.insertInto(f"{schema}.{table}", overwrite=True)
        return len(rows)
    import psycopg
    from psycopg import sql

    with psycopg.connect() as con, con.cursor() as cursor:
        cursor.execute(sql.SQL("delete from {}").format(sql.Identifier(schema, table)))
        statement = sql.SQL("copy {} ({}) from stdin").format(
            sql.Identifier(schema, table), sql.SQL(", ").join(map(sql.Identifier, names))
        )
        with cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row(row)
    return len(rows)
