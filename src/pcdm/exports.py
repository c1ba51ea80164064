"""Power BI report files: every `bi` mart as Parquet, per age band and for all ages.

    <exports>/all_ages/<mart>.parquet    rows of age_group `all` (every row for marts without ages)
    <exports>/age_0-17/<mart>.parquet    rows of age_group `0-17`
    <exports>/age_18-64/<mart>.parquet
    <exports>/age_65+/<mart>.parquet

The marts are already aggregated and suppressed, with `all` as a level of every filter dimension,
so a report file is a plain filter of its mart: nothing is re-summed. DuckDB writes the files
itself (a relation's write_parquet, the same bytes as COPY ... TO), so no table passes through
Python and no path or value is spliced into SQL, with the rows in a fixed order (the same marts
give the same bytes).

The files are written into a new folder beside the band folders (`.incoming/`) and swapped in with
renames once all are written: a run that fails or is killed while exporting leaves the last good
band folders as they were (its half-written `.incoming/` is removed by the next run; a swap that a
hard kill stopped half-way is undone by recover()).
"""

from __future__ import annotations

import os
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


INCOMING = ".incoming"
PREVIOUS = ".previous"


def write_bi(database_path: Path, folder: Path) -> dict[str, int]:
    """Write the band folders of the report files into folder (made empty first); files per band."""
    import duckdb

    shutil.rmtree(folder, ignore_errors=True)
    written: dict[str, int] = {}
    with duckdb.connect(str(database_path), read_only=True) as con:
        marts = bi_marts(con)
        if not marts:
            raise RuntimeError(f"no {BI_SCHEMA} marts in {database_path}: run dbt build first")
        for band_folder, band in AGE_BANDS.items():
            target = folder / band_folder
            target.mkdir(parents=True)
            written[band_folder] = 0
            for mart, has_age in marts.items():
                if not has_age and band != "all":
                    continue
                rows = con.table(f"{BI_SCHEMA}.{mart}")
                if has_age:
                    age_group = duckdb.ColumnExpression("age_group")
                    rows = rows.filter(age_group == duckdb.ConstantExpression(band))
                rows.order("all").write_parquet(str(target / f"{mart}.parquet"))
                written[band_folder] += 1
    return written


def recover(out_dir: Path) -> None:
    """Undo a swap that a hard kill (SIGKILL, power loss) stopped between its renames: a folder
    (an age band, dq/ or reference/) moved aside but not yet replaced goes back in place. The
    half-written `.incoming/` is dropped."""
    previous = out_dir / PREVIOUS
    if previous.is_dir():
        for folder in sorted(previous.iterdir()):
            if not (out_dir / folder.name).exists():
                os.replace(folder, out_dir / folder.name)
        shutil.rmtree(previous)
    shutil.rmtree(out_dir / INCOMING, ignore_errors=True)


def swap_in(incoming: Path, out_dir: Path) -> None:
    """Replace out_dir's folders (bands, dq/, reference/) with incoming's, one rename each (the old
    ones are removed only after every new one is in place)."""
    previous = out_dir / PREVIOUS
    shutil.rmtree(previous, ignore_errors=True)
    previous.mkdir(parents=True)
    for folder in sorted(path.name for path in incoming.iterdir()):
        if (out_dir / folder).exists():
            os.replace(out_dir / folder, previous / folder)
        os.replace(incoming / folder, out_dir / folder)
    shutil.rmtree(previous)
    shutil.rmtree(incoming)


# The data-quality page of stewards (Power BI and the offline report), and the names of services
# and municipalities.
STEWARD_TABLES = (
    "dq.dq_results",
    "dq.dq_check_results",
    "dq.dq_quarantine_by_reason",
    "dq.dq_reconciliation",
    "dq.dq_source_freshness",
    "dq.dq_delivery_log",
    "reference.service_catalogue",
    "reference.municipalities",
)


STEWARD_FOLDERS = tuple(sorted({name.split(".")[0] for name in STEWARD_TABLES}))
# Every folder of the report files: the age bands, then the stewards' (swapped in together).
FOLDERS = (*AGE_BANDS, *STEWARD_FOLDERS)


def export_steward_files(database_path: Path, out_dir: Path) -> int:
    """Write STEWARD_TABLES as <out_dir>/<schema>/<table>.parquet (replacing those folders)."""
    import duckdb

    with duckdb.connect(str(database_path), read_only=True) as con:
        for schema in STEWARD_FOLDERS:
            shutil.rmtree(out_dir / schema, ignore_errors=True)
            (out_dir / schema).mkdir(parents=True)
        for name in STEWARD_TABLES:
            schema, table = name.split(".")
            con.table(name).order("all").write_parquet(str(out_dir / schema / f"{table}.parquet"))
    return len(STEWARD_TABLES)
