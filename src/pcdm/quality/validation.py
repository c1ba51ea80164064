"""The great-expectations side of the gate: each check's metric rows validated by its suite.

The rows of each check (suites.Check.query) are read with DuckDB and validated as a pandas batch of
a few hundred rows at most (great-expectations 1.24 has no working DuckDB engine, issue #11579);
the Data Docs HTML goes to `<data-dir>/data_docs/index.html`.
"""

from __future__ import annotations

import logging
import shutil
import warnings
from pathlib import Path

from pcdm.quality.results import CheckResult, format_value
from pcdm.quality.suites import Check, build_suite

DOCS_SITE = "pcdm_data_docs"


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


def _failing_rows(
    check: Check, frame, severity_bounds=None
) -> tuple[float | None, tuple[str, ...]]:
    """The worst observed value and the failing rows named by the check's labels: rows beyond the
    bounds, or with severity_bounds None the rows whose value is NULL (observed: their count)."""
    values = frame[check.column]
    if severity_bounds is None:
        mask = values.isna()
        observed = float(mask.sum())
    else:
        if values.dropna().empty:
            return None, ()
        low, high = severity_bounds.min, severity_bounds.max
        mask = values.notna() & False
        if low is not None:
            mask |= values < low
        if high is not None:
            mask |= values > high
        if low is not None and (high is None or (values < low).any() or not (values > high).any()):
            observed = float(values.min())
        else:
            observed = float(values.max())
    failing = frame[mask]
    named = []
    for _, row in failing.iterrows():
        label = " ".join(
            f"{column}={format_value(row[column])}" for column in check.labels if column in row
        )
        named.append(f"{label} {check.column}={format_value(row[check.column])}".strip())
    return observed, tuple(named)


def validate(con, checks: list[Check], docs_dir: Path) -> list[CheckResult]:
    """Validate every check's metric rows with great-expectations; write the Data Docs."""
    import great_expectations as gx

    quiet_gx()
    shutil.rmtree(docs_dir, ignore_errors=True)
    docs_dir.mkdir(parents=True)
    context = _context(docs_dir)
    source = context.data_sources.add_pandas("dq_metrics")
    results: list[CheckResult] = []
    for check in checks:
        frame = con.sql(check.query()).df()
        batch = source.add_dataframe_asset(check.name).add_batch_definition_whole_dataframe("all")
        suite = context.suites.add(build_suite(check))
        definition = context.validation_definitions.add(
            gx.ValidationDefinition(name=check.name, data=batch, suite=suite)
        )
        checkpoint = context.checkpoints.add(
            gx.Checkpoint(
                name=f"gate_{check.name}",
                validation_definitions=[definition],
                result_format="SUMMARY",
            )
        )
        run = checkpoint.run(batch_parameters={"dataframe": frame})
        for validation in run.run_results.values():
            for outcome in validation.results:
                config = outcome.expectation_config
                meta = config.meta or {}
                severity = meta.get("severity", "error")
                if config.type == "expect_table_row_count_to_be_between":
                    observed, details = float(len(frame)), ()
                    if not outcome.success:
                        details = (
                            f"{len(frame)} rows in scope of dq.{check.table} where {check.where}",
                        )
                elif config.type == "expect_column_values_to_not_be_null":
                    observed, details = _failing_rows(check, frame)
                else:
                    bounds = next(b for b in check.bounds if b.severity == severity)
                    observed, details = _failing_rows(check, frame, bounds)
                results.append(
                    CheckResult(
                        check=check.name,
                        expectation=config.type,
                        severity=severity,
                        success=bool(outcome.success),
                        observed_value=observed,
                        threshold=meta.get("threshold", ""),
                        details=details if not outcome.success else (),
                        description=check.description,
                    )
                )
    context.build_data_docs(site_names=[DOCS_SITE])
    return results
