"""`pcdm`: the command line of the project.

pcdm generate   write a synthetic county as a raw delivery (raw contract v1)
pcdm run        the main job: generate (or take a delivered extract) -> dbt seed + build -> summary
                -> data-quality gate -> Power BI report files -> publish (only when no error
                check failed; the last good warehouse and files stay until then)
                -> the offline web report
pcdm report     (re)write the offline web report from the Power BI report files
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import date, datetime
from pathlib import Path

from pcdm.contract import PROJECT_DIR
from pcdm.generator.config import COUNTY_CODES


def _add_generator_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--county",
        choices=sorted(COUNTY_CODES),
        default="kanta-hame",
        help="the wellbeing services county (its residents are the population in scope)",
    )
    parser.add_argument(
        "--residents",
        type=int,
        default=None,
        help="residents of the county (default: its real population, about 170 000 in Kanta-Häme)",
    )
    parser.add_argument(
        "--seed", type=int, default=20261101, help="random seed (same seed, same data)"
    )
    parser.add_argument(
        "--extract-at",
        type=datetime.fromisoformat,
        default=datetime(2026, 11, 1, 2, 0),
        help="timestamp of the extract, ISO 8601 (default 2026-11-01T02:00)",
    )
    parser.add_argument(
        "--defect-rate",
        type=float,
        default=0.002,
        help="share of extra bad rows injected per table and defect kind (default 0.002)",
    )
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")


def _config(args: argparse.Namespace):
    from pcdm.generator import CountyConfig

    return CountyConfig(
        county=args.county,
        residents=args.residents,
        seed=args.seed,
        extract_at=args.extract_at,
        defect_rate=args.defect_rate,
    )


def cmd_generate(args: argparse.Namespace) -> int:
    if args.nights:
        from pcdm.generator.nightly import generate_nights

        if args.format == "omop":
            print("pcdm generate: --nights writes parquet or csv, not omop", file=sys.stderr)
            return 2
        folders = generate_nights(_config(args), args.out, args.nights, fmt=args.format)
        print(f"Delivery sequence: {', '.join(str(f) for f in folders)}")
        return 0
    from pcdm import runner

    runner.generate_county(_config(args), args.out, args.format, progress=not args.no_progress)
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    """Generate (or take) a delivery, build it, gate it on data quality, then publish it.

    Exit codes: 0 published; 1 a dbt step failed; 2 bad settings or input (a missing salt, raw
    folder, unknown county code, reference date outside the data, bad --vars); 3 an error-level
    data-quality check failed; 4 another run holds the data dir's lock; 5 a system fault (full
    disk, read-only folder, or the offline report could not be written after publishing); 130 /
    143 stopped by SIGINT / SIGTERM. On any exit but 0 the
    published warehouse and Power BI files are left as they were (pcdm.runner.run_county).
    """
    from pcdm import runner

    try:
        demo = _config(args)
    except ValueError as error:  # e.g. --residents below 100
        runner.fail(str(error))
        return runner.SettingsError.exit_code
    settings = runner.RunSettings(
        data_dir=args.data_dir,
        county_code=args.county_code,
        raw_path=args.raw_path,
        input=args.input,
        omop_path=args.omop_path,
        id_scheme=args.id_scheme,
        exports_dir=args.exports_dir,
        work_path=args.dbt_work_path,
        reference_date=args.reference_date,
        as_of=args.as_of,
        vars=args.vars or {},
        demo=demo,
        progress=not args.no_progress,
        report_dir=args.report_dir,
        engine=args.target,
        nightly=args.nightly,
        full_refresh=args.full_refresh,
    )
    return runner.run_county(settings).exit_code


def cmd_load(args: argparse.Namespace) -> int:
    """Load a raw delivery into the raw schema of a server engine (PostgreSQL)."""
    from pcdm import load, pipeline

    raw_path = args.raw_path.resolve()
    try:
        raw_format = pipeline.detect_raw_format(raw_path)
        started = time.perf_counter()
        loaded = load.load_postgres([raw_path], raw_format)
    except pipeline.PipelineError as error:
        print(f"pcdm load: {error}", file=sys.stderr)
        return 2
    rows = sum(table.rows for table in loaded)
    print(
        f"Loaded {rows:,} rows of {len(loaded)} raw tables from {raw_path} into schema "
        f"{load.RAW_SCHEMA} in {time.perf_counter() - started:.1f} s"
    )
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    """Write the offline web report from an earlier run's Power BI report files."""
    from pcdm import pipeline, runner

    data_dir = args.data_dir.resolve()
    target = pipeline.DbtTarget(
        raw_path=(args.raw_path or data_dir / "raw").resolve(),
        database_path=data_dir / "warehouse.duckdb",
    )
    if not args.no_dbt_docs and not target.database_path.exists():
        print(f"pcdm report: no database {target.database_path}: run `pcdm run`", file=sys.stderr)
        return 2
    exports_dir = (args.exports_dir or data_dir / "powerbi").resolve()
    report_dir = (args.report_dir or data_dir / "report").resolve()
    index = runner.write_report(target, exports_dir, report_dir, dbt_docs=not args.no_dbt_docs)
    return 0 if index is not None else 1


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="pcdm", description=__doc__.split("\n")[0])
    commands = root.add_subparsers(dest="command", required=True)

    generate = commands.add_parser("generate", help="write a synthetic county as a raw delivery")
    _add_generator_options(generate)
    generate.add_argument("--out", type=Path, default=Path("data/raw"), help="output folder")
    generate.add_argument(
        "--format",
        choices=("parquet", "csv", "omop"),
        default="parquet",
        help="raw contract tables as Parquet or CSV, or omop: an OMOP CDM 5.4 instance in "
        "<out>/omop/ with the raw contract's social, CRM and finance tables in <out>/raw/",
    )
    generate.add_argument(
        "--nights",
        type=int,
        default=0,
        help="write a delivery sequence: <out>/day-00 (the full extract) and N nightly deltas "
        "<out>/night-01 ... (README, Nightly deliveries)",
    )
    generate.set_defaults(handler=cmd_generate)

    run = commands.add_parser(
        "run", help="generate a demo county (or take --raw-path) and build it"
    )
    _add_generator_options(run)
    run.add_argument(
        "--raw-path",
        type=Path,
        default=None,
        help="a delivered raw folder to build instead of generating one",
    )
    run.add_argument(
        "--input",
        choices=("raw", "omop"),
        default="raw",
        help="raw: the raw contract (--raw-path); omop: health and population data from an OMOP "
        "CDM 5.4 instance in --omop-path, other raw contract tables from --raw-path if given",
    )
    run.add_argument(
        "--omop-path",
        type=Path,
        default=None,
        help="the folder of the OMOP CDM tables (CSV or Parquet, any case of the file names)",
    )
    run.add_argument(
        "--id-scheme",
        choices=("identity_code", "pseudonymous"),
        default="identity_code",
        help="identity_code: person ids are validated identity codes; pseudonymous: delivered "
        "pseudonyms (no validation, no crm layer)",
    )
    run.add_argument(
        "--data-dir",
        type=Path,
        default=PROJECT_DIR / "data",
        help="where the raw delivery and the DuckDB database go (default data/)",
    )
    run.add_argument(
        "--exports-dir",
        type=Path,
        default=None,
        help="where the Power BI Parquet files go (default <data-dir>/powerbi)",
    )
    run.add_argument(
        "--dbt-work-path",
        type=Path,
        default=None,
        help="folder for dbt's target/ and logs/ (default: the project's own)",
    )
    run.add_argument(
        "--as-of",
        type=datetime.fromisoformat,
        default=None,
        help="judge source freshness at this time, ISO 8601 (default: now; for a demo county "
        "generated by this run: its --extract-at)",
    )
    run.add_argument(
        "--county-code",
        default=None,
        help="Statistics Finland code of the wellbeing services county in scope, e.g. 07 or 18 "
        "(default: the code of --county)",
    )
    run.add_argument(
        "--reference-date",
        type=date.fromisoformat,
        default=None,
        help="the reference date R, YYYY-MM-DD (default: the day before the latest population "
        "extract); it must lie inside the delivered data",
    )
    run.add_argument(
        "--vars",
        default=None,
        help="more dbt vars as a YAML mapping, e.g. '{heavy_user_min_social_services: 2}'",
    )
    run.add_argument(
        "--report-dir",
        type=Path,
        default=None,
        help="where the offline web report goes (default <data-dir>/report)",
    )
    run.add_argument(
        "--target",
        choices=("duckdb", "postgres", "spark"),
        default=os.environ.get("PCDM_TARGET", "duckdb"),
        help="the engine (dbt target of profiles/profiles.yml; default PCDM_TARGET or duckdb); "
        "connection settings from the environment (README, Engines)",
    )
    run.add_argument(
        "--nightly",
        action="store_true",
        help="apply --raw-path as the next delivery of the data dir's delivery sequence, "
        "incrementally on the published warehouse (every delivery kept in <data-dir>/deliveries/)",
    )
    run.add_argument(
        "--full-refresh",
        action="store_true",
        help="with --nightly: rebuild from every delivery kept (and --raw-path, if given, as the "
        "next one)",
    )
    run.set_defaults(handler=cmd_run)

    load = commands.add_parser(
        "load", help="load a raw delivery into the raw schema of a server engine"
    )
    load.add_argument("--target", choices=("postgres",), default="postgres")
    load.add_argument("--raw-path", type=Path, required=True, help="the raw folder")
    load.set_defaults(handler=cmd_load)

    report = commands.add_parser(
        "report", help="write the offline web report from the Power BI report files"
    )
    report.add_argument("--data-dir", type=Path, default=PROJECT_DIR / "data")
    report.add_argument("--exports-dir", type=Path, default=None, help="default <data-dir>/powerbi")
    report.add_argument("--report-dir", type=Path, default=None, help="default <data-dir>/report")
    report.add_argument(
        "--raw-path", type=Path, default=None, help="the raw folder the build read (dbt var)"
    )
    report.add_argument(
        "--no-dbt-docs", action="store_true", help="leave the dbt docs out (no dbt run)"
    )
    report.set_defaults(handler=cmd_report)
    return root


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    return args.handler(args)


if __name__ == "__main__":
    sys.exit(main())
