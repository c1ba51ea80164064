"""`pcdm`: the command line of the project.

pcdm generate   write a synthetic county as a raw delivery (raw contract v1)
pcdm run        the main job: generate (or take a delivered extract) -> dbt seed + build -> summary
                -> data-quality gate -> Power BI report files (only when no error check failed)
                -> the offline web report
pcdm report     (re)write the offline web report from the Power BI report files
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import datetime
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


def _generate(args: argparse.Namespace, out: Path, fmt: str) -> None:
    from pcdm.generator import generate

    started = time.perf_counter()
    result = generate(_config(args), out, fmt=fmt, progress=not args.no_progress)
    seconds = time.perf_counter() - started
    rows = sum(result.row_counts.values())
    print(
        f"Generated {result.residents:,} residents of {args.county}: {rows:,} raw rows in "
        f"{len(result.row_counts)} tables ({result.defect_rows:,} injected bad rows) "
        f"in {seconds:.1f} s -> {out}"
    )


def cmd_generate(args: argparse.Namespace) -> int:
    _generate(args, args.out, args.format)
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    """Generate (or take) a delivery, build it, gate it on data quality, then export for Power BI
    and write the offline report.

    Exit codes: 0 done; 1 a dbt step failed (or the offline report could not be written); 2 bad
    arguments; 3 an error-level data-quality expectation failed (the Power BI exports and the
    report are not written).
    """
    from pcdm import exports, pipeline
    from pcdm.quality import gate

    data_dir = args.data_dir.resolve()
    if args.raw_path is None:
        raw_path = data_dir / "raw"
        _generate(args, raw_path, "parquet")
    else:
        raw_path = args.raw_path.resolve()
        if not raw_path.is_dir():
            print(f"pcdm run: raw folder {raw_path} does not exist", file=sys.stderr)
            return 2
    # freshness is judged now, unless told otherwise or the delivery is a demo generated just now
    as_of = args.as_of or (args.extract_at if args.raw_path is None else None)
    extra_vars = [("county_code", COUNTY_CODES[args.county])]
    if as_of is not None:
        extra_vars.append(("freshness_as_of", as_of.isoformat(sep=" ")))
    work_path = args.dbt_work_path.resolve() if args.dbt_work_path else None
    dbt_target_dir = (work_path or PROJECT_DIR) / "target"
    build_began = time.time()
    try:
        target = pipeline.DbtTarget(
            raw_path=raw_path,
            database_path=data_dir / "warehouse.duckdb",
            raw_format=pipeline.detect_raw_format(raw_path),
            extra_vars=tuple(extra_vars),
            work_path=work_path,
        )
        started = time.perf_counter()
        pipeline.build(target, unit_tests=False)
    except pipeline.PipelineError as error:
        print(f"pcdm run: {error}", file=sys.stderr)
        failed = gate.record_failed_build(
            data_dir / "warehouse.duckdb", dbt_target_dir, since=build_began
        )
        if failed is not None:
            for test in failed:
                print(f"  dbt test {test.status.upper()} {test.test}", file=sys.stderr)
            print(
                "pcdm run: dbt test results recorded in dq.dq_results; the data-quality suites "
                "did not run and no Power BI file was written.",
                file=sys.stderr,
            )
        return 1
    print(f"\ndbt seed + build finished in {time.perf_counter() - started:.0f} s\n")
    print(pipeline.summary(target.database_path))
    print(f"dbt results: {dbt_target_dir / 'run_results.json'}")
    exports_dir = (args.exports_dir or data_dir / "powerbi").resolve()

    started = time.perf_counter()
    result = gate.run_gate(
        target.database_path, data_dir / "data_docs", dbt_target_dir=dbt_target_dir
    )
    print(f"\n{result.summary()}\n(gate took {time.perf_counter() - started:.0f} s)")
    if not result.passed:
        failing = sorted({check.check for check in result.blocking})
        print(
            "pcdm run: BLOCKED by the data-quality gate: error-level expectation(s) failed: "
            + ", ".join(failing)
            + f". Power BI report files were NOT written (any earlier ones in {exports_dir} are "
            "left as they were). See the Data Docs and dq.dq_results.",
            file=sys.stderr,
        )
        return 3

    written = exports.export_bi(target.database_path, exports_dir)
    exports.export_steward_files(target.database_path, exports_dir)
    print(
        f"Power BI report files: {exports_dir} "
        + ", ".join(f"{folder}/ {n} marts" for folder, n in written.items())
        + ", dq/ and reference/ for the stewards' page"
    )
    return _write_report(target, exports_dir, (args.report_dir or data_dir / "report").resolve())


def _write_report(target, exports_dir: Path, report_dir: Path, dbt_docs: bool = True) -> int:
    """The offline web report (with the dbt docs, built on a fresh parse in a temporary folder)."""
    from pcdm import pipeline, report

    started = time.perf_counter()
    try:
        with tempfile.TemporaryDirectory(prefix="pcdm-dbt-docs-") as work:
            docs = None
            if dbt_docs:
                docs = report.build_dbt_docs(target, Path(work), pipeline.ensure_salt())
            index = report.build_report(exports_dir, report_dir, dbt_docs=docs)
    except (report.ReportError, pipeline.PipelineError) as error:
        print(f"pcdm: offline report NOT written: {error}", file=sys.stderr)
        return 1
    print(
        f"Offline report ({time.perf_counter() - started:.0f} s): {index}\n"
        "  open it in a browser from disk (file://): no server and no network needed"
    )
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    """Write the offline web report from an earlier run's Power BI report files."""
    from pcdm import pipeline

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
    return _write_report(target, exports_dir, report_dir, dbt_docs=not args.no_dbt_docs)


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="pcdm", description=__doc__.split("\n")[0])
    commands = root.add_subparsers(dest="command", required=True)

    generate = commands.add_parser("generate", help="write a synthetic county as a raw delivery")
    _add_generator_options(generate)
    generate.add_argument("--out", type=Path, default=Path("data/raw"), help="output folder")
    generate.add_argument("--format", choices=("parquet", "csv"), default="parquet")
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
        "--report-dir",
        type=Path,
        default=None,
        help="where the offline web report goes (default <data-dir>/report)",
    )
    run.set_defaults(handler=cmd_run)

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
