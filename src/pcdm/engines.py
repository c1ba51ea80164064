"""The three engines of profiles/profiles.yml: whether each is here, and reading a table from it.

DuckDB is embedded (a file). PostgreSQL is reached through libpq's variables (PGHOST, PGPORT,
PGUSER, PGPASSWORD, PGDATABASE). Spark runs in-process (dbt-spark's session method: pyspark on
Java 17) with its metastore and tables under PCDM_SPARK_DIR.
"""

from __future__ import annotations

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


def spark_session():
    """The Spark session of this process, configured as the profile's session target (the one dbt
    made when it ran in this process, or a new one on the same metastore and tables)."""
    from pyspark.sql import SparkSession

    folder = spark_dir()
    return (
        SparkSession.builder.enableHiveSupport()
        .config("spark.sql.warehouse.dir", str(folder / "warehouse"))
        .config(
            "spark.hadoop.javax.jdo.option.ConnectionURL",
            f"jdbc:derby:;databaseName={folder / 'metastore_db'};create=true",
        )
        .config("spark.ui.enabled", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.analyzer.maxIterations", "1000")
        .getOrCreate()
    )


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
        frame = spark_session().table(f"{schema}.{table}")
        return [c.lower() for c in frame.columns], [tuple(row) for row in frame.collect()]
    raise ValueError(f"unknown engine {engine!r}")


def run_dbt_in_process(args: list[str], env: dict[str, str]) -> None:
    """One dbt command in this process (for Spark: one JVM for every command of a test run).
    env: the variables of pipeline.dbt_command, set for the command's duration."""
    from dbt.cli.main import dbtRunner

    saved = {name: os.environ.get(name) for name in env}
    os.environ.update(env)
    cwd = Path.cwd()
    try:
        os.chdir(PROJECT_DIR)
        result = dbtRunner().invoke([*args, "--no-partial-parse"])
    finally:
        os.chdir(cwd)
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
    if not result.success:
        failed = [
            f"{r.node.name}: {r.message}"
            for r in (getattr(result.result, "results", None) or [])
            if str(r.status) in ("error", "fail")
        ]
        raise RuntimeError(
            f"dbt {args[0]} failed on {env.get('PCDM_TARGET')}: "
            + ("; ".join(failed[:5]) if failed else str(result.exception))
        )


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
        return spark_session().table(f"{schema}.{table}").toArrow()
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
        return sorted(t.name for t in spark_session().catalog.listTables(schema))
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
    with duckdb.connect(str(database_path)) as con:
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

    with duckdb.connect(str(database_path)) as con:
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
        frame = relation.df() if engine == "spark" else None
    if engine == "spark":
        spark = spark_session()
        spark.createDataFrame(frame).select(*names).write.insertInto(
            f"{schema}.{table}", overwrite=True
        )
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
