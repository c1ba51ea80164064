"""The great-expectations side of the gate: each check's metric rows validated by its suite, from
the engine's dq schema:

    DuckDBMetrics    a DuckDB file (DuckDB, and a Spark run's copy of its dq schema): each check's
                     rows as a pandas batch (great-expectations 1.24 has no working DuckDB engine,
                     issue #11579)
    PostgresMetrics  PostgreSQL's dq schema through great-expectations' own postgres datasource
                     (SQLAlchemy and psycopg): each check a query asset, validated in the database

The failing rows are great-expectations' own (result_format COMPLETE, with the check's label
columns); the Data Docs HTML goes to `<data-dir>/data_docs/index.html`.
"""

from __future__ import annotations

import logging
import shutil
import warnings
from pathlib import Path

from pcdm.quality.results import CheckResult, format_value
from pcdm.quality.suites import Bounds, Check, build_suite

DOCS_SITE = "pcdm_data_docs"
DATASOURCE = "dq_metrics"


class DuckDBMetrics:
    """The metric tables of a DuckDB connection, each check's rows a pandas batch."""

    def __init__(self, con):
        self.con = con

    def add_to(self, context) -> None:
        """One dataframe asset for every check: each validation passes its own rows."""
        source = context.data_sources.add_pandas(DATASOURCE)
        self.rows_of_a_check = source.add_dataframe_asset(
            "check_rows"
        ).add_batch_definition_whole_dataframe("all")

    def rows(self, check: Check):
        return self.con.sql(check.query()).df()

    def batch(self, check: Check, rows) -> tuple[object, dict | None]:
        """The batch definition of a check's rows, and its batch parameters."""
        return self.rows_of_a_check, {"dataframe": rows}


class PostgresMetrics:
    """The metric tables of PostgreSQL's dq schema (libpq's PGHOST, PGPORT, PGUSER, PGPASSWORD,
    PGDATABASE), validated by great-expectations' postgres datasource in the database."""

    def add_to(self, context) -> None:
        self.source = context.data_sources.add_postgres(
            DATASOURCE, connection_string=postgres_url()
        )

    def rows(self, check: Check):
        """The check's rows (for its observed value), read with psycopg."""
        import pandas as pd
        import psycopg

        with psycopg.connect() as con, con.cursor() as cursor:
            cursor.execute(check.query())
            names = [column.name for column in cursor.description]
            frame = pd.DataFrame(cursor.fetchall(), columns=names)
        # numeric columns come as Decimal: as floats, the same as DuckDB's doubles
        for name in names:
            if frame[name].map(lambda value: hasattr(value, "as_tuple")).any():
                frame[name] = frame[name].astype("float64")
        return frame

    def batch(self, check: Check, rows) -> tuple[object, dict | None]:
        asset = self.source.add_query_asset(check.name, query=check.query())
        return asset.add_batch_definition_whole_table("all"), None


def postgres_url() -> str:
    """The SQLAlchemy URL (psycopg 3) of the server libpq's variables name."""
    import os

    from sqlalchemy.engine import URL

    port = os.environ.get("PGPORT")
    return URL.create(
        "postgresql+psycopg",
        username=os.environ.get("PGUSER"),
        password=os.environ.get("PGPASSWORD"),
        host=os.environ.get("PGHOST"),
        port=int(port) if port else None,
        database=os.environ.get("PGDATABASE"),
    ).render_as_string(hide_password=False)


def quiet_gx() -> None:
    warnings.filterwarnings("ignore", module="great_expectations")
    warnings.filterwarnings("ignore", category=DeprecationWarning)
    logging.getLogger("great_expectations").setLevel(logging.ERROR)


def _context(docs_dir: Path):
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    context.add_data_docs_site(
        site_name=DOCS_SITE,
        site_config={
            "class_name": "SiteBuilder",
            "store_backend": {
                "class_name": "TupleFilesystemStoreBackend",
                "base_directory": str(docs_dir),
            },
            "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
        },
    )
    return context


def result_format(check: Check, columns) -> dict:
    """great-expectations' COMPLETE result format: every failing row, with the check's label
    columns beside the value (unexpected_index_list)."""
    labels = [c for c in check.labels if c in columns and c != check.column]
    return {
        "result_format": "COMPLETE",
        **({"unexpected_index_column_names": labels} if labels else {}),
    }


def failing_rows(check: Check, result: dict) -> tuple[str, ...]:
    """The failing rows great-expectations returned, each named by the check's labels."""
    values = result.get("unexpected_list") or []
    indexed = result.get("unexpected_index_list") or []
    named = []
    for value, row in zip(values, indexed, strict=True):
        labels = row if isinstance(row, dict) else {}
        label = " ".join(
            f"{column}={format_value(labels[column])}"
            for column in check.labels
            if column in labels
        )
        named.append(f"{label} {check.column}={format_value(value)}".strip())
    return tuple(named)


def _number(value) -> float | None:
    return None if value is None else float(value)


def worst_value(values, bounds: Bounds) -> float | None:
    """The observed value of a range: the lowest when a low bound is broken (or is the only bound,
    or no high one is broken), else the highest; None when every value is NULL."""
    if values.dropna().empty:
        return None
    low, high = bounds.min, bounds.max
    if low is not None and (high is None or (values < low).any() or not (values > high).any()):
        return float(values.min())
    return float(values.max())


def validate(
    metrics: DuckDBMetrics | PostgresMetrics, checks: list[Check], docs_dir: Path
) -> list[CheckResult]:
    """Validate every check's metric rows with great-expectations; write the Data Docs."""
    import great_expectations as gx

    quiet_gx()
    shutil.rmtree(docs_dir, ignore_errors=True)
    docs_dir.mkdir(parents=True)
    context = _context(docs_dir)
    metrics.add_to(context)
    results: list[CheckResult] = []
    for check in checks:
        frame = metrics.rows(check)
        batch, parameters = metrics.batch(check, frame)
        suite = context.suites.add(build_suite(check))
        definition = context.validation_definitions.add(
            gx.ValidationDefinition(name=check.name, data=batch, suite=suite)
        )
        # the definition runs on its own (it stores its result for the Data Docs, as a checkpoint
        # would): one checkpoint per check cost more than the validation itself
        validation = definition.run(
            batch_parameters=parameters, result_format=result_format(check, frame.columns)
        )
        for outcome in validation.results:
            config = outcome.expectation_config
            meta = config.meta or {}
            severity = meta.get("severity", "error")
            details = () if outcome.success else failing_rows(check, outcome.result)
            if config.type == "expect_table_row_count_to_be_between":
                observed = _number(outcome.result.get("observed_value"))
                if not outcome.success:
                    details = (
                        f"{len(frame)} rows in scope of dq.{check.table} where {check.where}",
                    )
            elif config.type == "expect_column_values_to_not_be_null":
                observed = _number(outcome.result.get("unexpected_count"))
            else:
                bounds = next(b for b in check.bounds if b.severity == severity)
                observed = worst_value(frame[check.column], bounds)
            results.append(
                CheckResult(
                    check=check.name,
                    expectation=config.type,
                    severity=severity,
                    success=bool(outcome.success),
                    observed_value=observed,
                    threshold=meta.get("threshold", ""),
                    details=details,
                    description=check.description,
                )
            )
    context.build_data_docs(site_names=[DOCS_SITE])
    return results
