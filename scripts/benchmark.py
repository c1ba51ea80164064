"""Benchmark: generate counties of increasing size and build them with dbt on DuckDB.

    .venv/bin/python scripts/benchmark.py           # 10 000, 100 000 and 1 000 000 residents
    .venv/bin/python scripts/benchmark.py --residents 10000 50000 --keep /tmp/bench
    .venv/bin/python scripts/benchmark.py --residents 100000 --engines duckdb postgres spark
    .venv/bin/python scripts/benchmark.py --residents 10000 --nightly    # a night against day 0

For each size it times `pcdm generate` (Parquet), `dbt seed` + `dbt build` (all models and
tests, in the two steps around the disclosure control), the disclosure control and its audit
(printing the cells withheld per mart), records the peak resident memory of each dbt step (its
own process tree), and prints a table with raw rows, service events and events built per second.
The generate and dbt steps run as child processes so their memory is their own. The figures
are for comparing runs on one machine, not pass/fail thresholds.

With --nightly, each county is generated as day 0 and one night (`pcdm generate --nights 1`) and
applied with `pcdm run --nightly` twice: the full build of day 0 and the incremental night are
printed side by side (dbt seed + build, and the whole run with gate, report files and report).

With --engines, each county goes through `pcdm run --target <engine>` on each engine instead
(README "Engines"; PostgreSQL from PGHOST etc., e.g. under `pg_virtualenv`; Spark in session
mode): the load (PostgreSQL), seeds, the two dbt steps around the disclosure control, the copy into
DuckDB, the gate, the report files and the offline report, side by side. Peak memory is that of the
largest process of the run's tree: pcdm (DuckDB and the gate inside it), a dbt, or Spark's JVM; a
PostgreSQL server's own memory is not counted.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT_DIR / "src"))

from pcdm import pipeline  # noqa: E402

MIN_CELL_SIZE = 5  # dbt_project.yml's default


@dataclass
class Step:
    seconds: float
    peak_mib: float
    output: str = ""


def run_measured(command: list[str], env: dict[str, str] | None = None) -> Step:
    """Run a command; its wall time and peak RSS (largest process of its tree), or exit on error."""
    started = time.perf_counter()
    process = subprocess.Popen(
        command, cwd=PROJECT_DIR, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        text=True,
    )  # fmt: skip
    output = process.stdout.read() if process.stdout else ""
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"benchmark: `{' '.join(command[:3])} ...` failed:\n{output[-3000:]}")
    return Step(seconds, usage.ru_maxrss / 1024, output)


def bench(residents: int, work: Path) -> dict[str, float]:
    raw = work / f"raw_{residents}"
    generate = run_measured(
        [sys.executable, "-m", "pcdm.cli", "generate", "--residents", str(residents),
         "--out", str(raw), "--no-progress"]
    )  # fmt: skip
    meta = json.loads((raw / "_generator.json").read_text(encoding="utf-8"))
    raw_rows = sum(meta["row_counts"].values())
    target = pipeline.DbtTarget(
        raw_path=raw, database_path=work / f"bench_{residents}.duckdb", work_path=work / "dbt"
    )
    seed = run_measured(*pipeline.dbt_command(pipeline.SEED, target))
    cells = run_measured(
        *pipeline.dbt_command([*pipeline.PRODUCTION_BUILD, pipeline.PROTECTED], target)
    )
    from pcdm.privacy.warehouse import audit_warehouse, protect_warehouse

    protection = protect_warehouse(target.database_path, MIN_CELL_SIZE)
    print("\n".join(f"  {line}" for line in protection.lines()), flush=True)
    marts = run_measured(
        *pipeline.dbt_command([*pipeline.PRODUCTION_BUILD, "--select", pipeline.PROTECTED], target)
    )
    audit = audit_warehouse(target.database_path, MIN_CELL_SIZE)
    if audit.failures:
        sys.exit(f"benchmark: the disclosure audit failed: {audit.failures[0]}")
    build = Step(cells.seconds + marts.seconds, max(cells.peak_mib, marts.peak_mib))
    import duckdb

    with duckdb.connect(str(target.database_path), read_only=True) as con:
        events = con.sql("select count(*) from pcdm.fct_service_event").fetchall()[0][0]
        quarantined = con.sql("select count(*) from dq.dq_quarantine").fetchall()[0][0]
    size_mib = target.database_path.stat().st_size / 2**20
    shutil.rmtree(raw)
    target.database_path.unlink()
    return {
        "residents": residents,
        "raw_rows": raw_rows,
        "generate_s": generate.seconds,
        "generate_peak_mib": generate.peak_mib,
        "raw_rows_per_s": raw_rows / generate.seconds,
        "dbt_seconds": seed.seconds + build.seconds,
        "protect_s": protection.seconds,
        "audit_s": audit.seconds,
        "dbt_peak_mib": max(seed.peak_mib, build.peak_mib),
        "events": events,
        "events_per_s": events / (seed.seconds + build.seconds),
        "quarantined": quarantined,
        "database_mib": size_mib,
    }


# the generator's default extract time: freshness judged as for the demo county
EXTRACT_AT = "2026-11-01T02:00"


def bench_engines(residents: int, engines: list[str], work: Path) -> list[dict[str, object]]:
    """One county through `pcdm run --target <engine>` on each engine: seconds and peak memory."""
    raw = work / f"raw_{residents}"
    run_measured(
        [sys.executable, "-m", "pcdm.cli", "generate", "--residents", str(residents),
         "--out", str(raw), "--no-progress"]
    )  # fmt: skip
    rows = []
    for engine in engines:
        data_dir = work / f"run_{engine}"
        run = run_measured(
            [sys.executable, "-m", "pcdm.cli", "run", "--target", engine, "--raw-path", str(raw),
             "--as-of", EXTRACT_AT, "--data-dir", str(data_dir), "--dbt-work-path",
             str(work / "dbt"), "--no-progress"],
            {**os.environ, "PCDM_SPARK_DIR": str(work / "spark")},
        )  # fmt: skip
        rows.append(
            {
                "residents": residents,
                "engine": engine,
                "build_s": _seconds(run.output, r"dbt seed \+ build finished in (\d+) s"),
                "protect_s": _seconds(run.output, r"Disclosure control: .*\(.*, ([\d.]+) s\)"),
                "gate_s": _seconds(run.output, r"\(gate took (\d+) s\)"),
                "total_s": run.seconds,
                "peak_mib": run.peak_mib,
            }
        )
        print(f"  {residents:,} residents on {engine} done", flush=True)
        shutil.rmtree(data_dir, ignore_errors=True)
    shutil.rmtree(raw)
    return rows


def _seconds(output: str, pattern: str) -> float:
    found = re.search(pattern, output)
    return float(found.group(1)) if found else float("nan")


DBT_SECONDS = "dbt seed + build finished in "


def bench_nightly(residents: int, work: Path) -> dict[str, float]:
    """Day 0 in full, then one night incrementally, by `pcdm run --nightly` (README "Nightly
    deliveries"): wall seconds of each run and of its dbt seed + build."""
    sequence, data_dir = work / f"nights_{residents}", work / f"nightly_{residents}"
    run_measured(
        [sys.executable, "-m", "pcdm.cli", "generate", "--residents", str(residents),
         "--nights", "1", "--out", str(sequence), "--no-progress"]
    )  # fmt: skip
    figures: dict[str, float] = {"residents": residents}
    for name, folder, as_of in (
        ("full", "day-00", "2026-10-31T03:00"),
        ("night", "night-01", "2026-11-01T03:00"),
    ):
        started = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-m", "pcdm.cli", "run", "--nightly", "--raw-path",
             str(sequence / folder), "--data-dir", str(data_dir), "--dbt-work-path",
             str(work / "dbt"), "--as-of", as_of],
            cwd=PROJECT_DIR, capture_output=True, text=True,
        )  # fmt: skip
        figures[f"{name}_run_s"] = time.perf_counter() - started
        if done.returncode != 0:
            sys.exit(f"benchmark: pcdm run --nightly {folder} failed:\n{done.stderr[-3000:]}")
        line = next(x for x in done.stdout.splitlines() if x.startswith(DBT_SECONDS))
        figures[f"{name}_dbt_s"] = float(line[len(DBT_SECONDS) :].split()[0])
    shutil.rmtree(sequence)
    shutil.rmtree(data_dir)
    return figures


def print_nightly_table(results: list[dict[str, float]]) -> None:
    print("| residents | full dbt s | night dbt s | night/full dbt | full run s | night run s |")
    print("|---:|---:|---:|---:|---:|---:|")
    for r in results:
        print(
            f"| {r['residents']:,} | {r['full_dbt_s']:.0f} | {r['night_dbt_s']:.0f} "
            f"| {r['night_dbt_s'] / r['full_dbt_s']:.0%} | {r['full_run_s']:.0f} "
            f"| {r['night_run_s']:.0f} |"
        )


def print_engine_table(results: list[dict[str, object]]) -> None:
    titles = ["residents", "engine", "load+seed+build s", "protection s", "gate s", "run s"]
    print("| " + " | ".join([*titles, "peak MiB"]) + " |")
    print("|---:|---|---:|---:|---:|---:|---:|")
    for r in results:
        print(
            f"| {r['residents']:,} | {r['engine']} | {r['build_s']:.0f} | {r['protect_s']:.1f} "
            f"| {r['gate_s']:.0f} | {r['total_s']:.0f} | {r['peak_mib']:,.0f} |"
        )


def print_table(results: list[dict[str, float]]) -> None:
    columns = [
        ("residents", "residents", "{:,.0f}"),
        ("raw_rows", "raw rows", "{:,.0f}"),
        ("generate_s", "generate s", "{:.1f}"),
        ("generate_peak_mib", "gen MiB", "{:,.0f}"),
        ("dbt_seconds", "dbt seed+build s", "{:.1f}"),
        ("dbt_peak_mib", "dbt MiB", "{:,.0f}"),
        ("protect_s", "protect s", "{:.1f}"),
        ("audit_s", "audit s", "{:.1f}"),
        ("events", "service events", "{:,.0f}"),
        ("events_per_s", "events/s", "{:,.0f}"),
        ("quarantined", "quarantined", "{:,.0f}"),
        ("database_mib", "db MiB", "{:,.0f}"),
    ]
    cells = [[fmt.format(r[key]) for key, _, fmt in columns] for r in results]
    titles = [title for _, title, _ in columns]
    widths = [max(len(title), *(len(row[i]) for row in cells)) for i, title in enumerate(titles)]
    print("| " + " | ".join(t.rjust(w) for t, w in zip(titles, widths, strict=True)) + " |")
    print("|" + "|".join("-" * (w + 1) + ":" for w in widths) + "|")
    for row in cells:
        print("| " + " | ".join(c.rjust(w) for c, w in zip(row, widths, strict=True)) + " |")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--residents", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--keep", type=Path, default=None, help="work folder (default: a temp one)")
    parser.add_argument(
        "--engines",
        nargs="+",
        choices=("duckdb", "postgres", "spark"),
        default=None,
        help="build each county on each of these engines, side by side",
    )
    parser.add_argument(
        "--nightly",
        action="store_true",
        help="one night's delta against the full build of day 0 (pcdm run --nightly)",
    )
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="pcdm-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault(pipeline.SALT_VARIABLE, "benchmark-salt-not-secret-0123456789")
    print(
        f"pcdm benchmark on {platform.node()}: {os.cpu_count()} CPUs, Python "
        f"{platform.python_version()}, {time.strftime('%Y-%m-%d %H:%M')}"
    )
    results = []
    if args.nightly:
        print_nightly_table([bench_nightly(residents, work) for residents in args.residents])
        args.residents = []
    for residents in args.residents:
        if args.engines:
            results += bench_engines(residents, args.engines, work)
        else:
            results.append(bench(residents, work))
            print(f"  {residents:,} residents done", flush=True)
    if results:
        (print_engine_table if args.engines else print_table)(results)
    if args.keep is None:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
