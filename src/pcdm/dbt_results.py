"""The results of dbt's nodes as dbt's on-run-end hook records them
(macros/dq/record_dbt_results.sql) in the table dq.dq_dbt_results of the engine: one row per node
of every dbt command that runs nodes, also when the command failed, keyed by the run's id
(PCDM_RUN_ID, DbtTarget.run_id: every command of one build) and the command's
(PCDM_DBT_COMMAND_ID)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

SCHEMA, TABLE = "dq", "dq_dbt_results"
RUN_ID_VARIABLE = "PCDM_RUN_ID"
COMMAND_ID_VARIABLE = "PCDM_DBT_COMMAND_ID"
COLUMNS = (
    "command_id",
    "unique_id",
    "resource_type",
    "node_name",
    "model",
    "severity",
    "status",
    "failures",
    "message",
    "execution_seconds",
)


@dataclass(frozen=True)
class NodeResult:
    """One node of one dbt command: a model, seed, data test, ..."""

    command_id: str
    unique_id: str
    resource_type: str
    name: str
    model: str | None  # the model a data test is attached to
    severity: str | None  # a data test's: error or warn
    status: str  # success, error, skipped (models, seeds); pass, fail, warn, error (tests)
    failures: int | None
    message: str | None
    execution_seconds: float | None


def _query(duckdb_style: bool) -> str:
    mark = "?" if duckdb_style else "%s"
    return (
        f"select {', '.join(COLUMNS)} from {SCHEMA}.{TABLE} where run_id = {mark} "
        "order by command_started_at, result_index"
    )


def read(engine: str, database_path: Path | None, run_id: str) -> list[NodeResult]:
    """The recorded node results of a run, in the order dbt ran them: from the DuckDB file (also
    the gate's copy of a server engine's dq schema) or from the server engine. Empty when nothing
    was recorded (dbt stopped before its on-run-end hook, or there is no database yet)."""
    if engine == "duckdb":
        import duckdb

        if database_path is None or not database_path.exists():
            return []
        with duckdb.connect(str(database_path), read_only=True) as con:
            found = con.execute(
                "select count(*) from information_schema.tables "
                "where table_schema = ? and table_name = ?",
                [SCHEMA, TABLE],
            ).fetchall()[0][0]
            rows = con.execute(_query(True), [run_id]).fetchall() if found else []
    elif engine == "postgres":
        import psycopg

        with psycopg.connect() as con:
            exists = con.execute("select to_regclass(%s)", (f"{SCHEMA}.{TABLE}",)).fetchone()[0]
            rows = con.execute(_query(False), (run_id,)).fetchall() if exists else []
    elif engine == "spark":
        from pcdm import engines

        with engines.spark_session() as spark:
            if not spark.catalog.tableExists(f"{SCHEMA}.{TABLE}"):
                return []
            recorded = spark.table(f"{SCHEMA}.{TABLE}")
            frame = recorded.where(f"run_id = '{run_id.replace(chr(39), '')}'")
            ordered = frame.orderBy("command_started_at", "result_index").select(*COLUMNS)
            rows = [tuple(row) for row in ordered.collect()]
    else:
        raise ValueError(f"unknown engine {engine!r}")
    return [
        NodeResult(
            command_id=command_id,
            unique_id=unique_id,
            resource_type=resource_type,
            name=name,
            model=model,
            severity=severity,
            status=status,
            failures=None if failures is None else int(failures),
            message=message,
            execution_seconds=seconds,
        )
        for command_id, unique_id, resource_type, name, model, severity, status, failures, message,
        seconds in rows
    ]  # fmt: skip
