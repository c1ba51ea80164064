"""Power BI report files: every `bi` mart as Parquet, per age band and for all ages.

    <exports>/all_ages/<mart>.parquet    rows of age_group `all` (every row for marts without ages)
    <exports>/age_0-17/<mart>.parquet    rows of age_group `0-17`
    <exports>/age_18-64/<mart>.parquet
    <exports>/age_65+/<mart>.parquet

The marts are already aggregated and suppressed, with `all` as a level of every filter dimension,
so a report file is a plain filter of its mart: nothing is re-summed. DuckDB writes the files
itself (COPY ... TO), so no table passes through Python.
"""

from __future__ import annotations

import shutil
from pathlib import Path

AGE_BANDS = {"all_ages": "all", "age_0-17": "0-17", "age_18-64": "18-64", "age_65+": "65+"}
BI_SCHEMA = "bi"


def bi_marts(con) -> dict[str, bool]:
    """Every table of the bi schema, and whether it has an age_group column."""
    rows = con.sql(
        "select table_name, max(case when column_name = 'age_group' then 1 else 0 end) "
        f"from information_schema.columns where table_schema = '{BI_SCHEMA}' "
        "group by table_name order by table_name"
    ).fetchall()
    return {name: bool(has_age) for name, has_age in rows}


def export_bi(database_path: Path, out_dir: Path) -> dict[str, int]:
    """Write the report files into out_dir (replacing its band folders); files written per band."""
    import duckdb

    written: dict[str, int] = {}
    with duckdb.connect(str(database_path), read_only=True) as con:
        marts = bi_marts(con)
        if not marts:
            raise RuntimeError(f"no {BI_SCHEMA} marts in {database_path}: run dbt build first")
        for folder, band in AGE_BANDS.items():
            target = out_dir / folder
            shutil.rmtree(target, ignore_errors=True)
            target.mkdir(parents=True)
            written[folder] = 0
            for mart, has_age in marts.items():
                if not has_age and band != "all":
                    continue
                where = f" where age_group = '{band}'" if has_age else ""
                path = str(target / f"{mart}.parquet").replace("'", "''")
                con.execute(
                    f"copy (select * from {BI_SCHEMA}.{mart}{where}) to '{path}' (format parquet)"
                )
                written[folder] += 1
    return written


# The data-quality page of stewards (Power BI and the offline report), and the names of services
# and municipalities.
STEWARD_TABLES = (
    "dq.dq_results",
    "dq.dq_check_results",
    "dq.dq_quarantine_by_reason",
    "dq.dq_reconciliation",
    "dq.dq_source_freshness",
    "reference.service_catalogue",
    "reference.municipalities",
)


def export_steward_files(database_path: Path, out_dir: Path) -> int:
    """Write STEWARD_TABLES as <out_dir>/<schema>/<table>.parquet (replacing those folders)."""
    import duckdb

    with duckdb.connect(str(database_path), read_only=True) as con:
        for schema in sorted({name.split(".")[0] for name in STEWARD_TABLES}):
            shutil.rmtree(out_dir / schema, ignore_errors=True)
            (out_dir / schema).mkdir(parents=True)
        for name in STEWARD_TABLES:
            schema, table = name.split(".")
            path = str(out_dir / schema / f"{table}.parquet").replace("'", "''")
            con.execute(f"copy (select * from {name}) to '{path}' (format parquet)")
    return len(STEWARD_TABLES)
