"""Benchmark: the demo county end to end, and counties of increasing size built with dbt on DuckDB.

    .venv/bin/python scripts/benchmark.py  # demo; 10k, 100k, 1M (on a machine otherwise idle)
    .venv/bin/python scripts/benchmark.py --residents 10000 100000 --keep /tmp/bench
    .venv/bin/python scripts/benchmark.py --no-demo --residents 10000
    .venv/bin/python scripts/benchmark.py --residents 100000 --engines duckdb postgres spark
    .venv/bin/python scripts/benchmark.py --residents 10000 --nightly    # a night against day 0

For each size it times `pcdm generate` (Parquet), `dbt seed` + `dbt build` (all models and
tests, in the two steps around the disclosure control, both in one dbt process as `pcdm run`
builds on DuckDB), the disclosure control (timed on its own and not counted in the build) and
its audit (printing the cells withheld per mart), records the peak resident memory of the build
(the largest process of its tree), and prints a table with raw rows, service events and events
built per second. The generate and build steps run as child processes so their memory is their
own. Each size also times the floor: one DuckDB query that scans the person column of every raw
table of events and records (all but the population register) and counts them per person, and
prints the build's seconds per million raw rows and its ratio to the floor. First (unless
--no-demo) it times `pcdm run` on the demo county (generate, seed + build with every data test,
disclosure control, gate, exports, report) and then the segmentation subset `dbt run --select
+person_segment` on its database. It ends with the targets of issue 15 next to the figures of this
run. The figures are for comparing runs on one machine (it prints the load average), not
pass/fail tests.

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
GIB = 1024

# issue 15's targets, on this 2-core machine
DEMO_RUN_TARGET_S = 45
SEGMENTATION_TARGET_S = 8
MILLION_BUILD_TARGET_S = 240
MILLION_PEAK_TARGET_MIB = 6 * GIB


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


def floor_seconds(raw: Path) -> float:
    """The floor: one DuckDB query scanning the person column of every raw table that has one (but
    the population register) and counting rows per person, in memory; the best of three."""
    import duckdb

    from pcdm.contract import load_contract

    tables = [
        name
        for name, table in load_contract().items()
        if "person_id" in table.column_names and not name.startswith("population_")
    ]
    scans = " union all ".join(
        f"select person_id from read_parquet('{raw / name}.parquet')" for name in tables
    )
    per_person = f"select person_id, count(*) as n from ({scans}) group by person_id"
    query = f"select count(*), sum(n) from ({per_person})"
    best = float("inf")
    with duckdb.connect() as con:
        for _ in range(3):
            started = time.perf_counter()
            con.sql(query).fetchall()
            best = min(best, time.perf_counter() - started)
    return best


def bench_demo(work: Path) -> dict[str, float]:
    """`pcdm run` on the demo county, end to end; then `dbt run --select +person_segment` on its
    database, under the build's own file name and vars (so dbt reuses the run's partial parse)."""
    from pcdm import publish

    data_dir, dbt_dir = work / "demo", work / "demo_dbt"
    run = run_measured(
        [sys.executable, "-m", "pcdm.cli", "run", "--data-dir", str(data_dir),
         "--dbt-work-path", str(dbt_dir), "--no-progress"]
    )  # fmt: skip
    results = dbt_dir / "target" / "run_results.json"
    dbt_vars = json.loads(results.read_text(encoding="utf-8"))["args"]["vars"]
    warehouse = publish.Warehouse(data_dir)
    warehouse.published.rename(warehouse.building)
    target = pipeline.DbtTarget(
        raw_path=data_dir / "raw", database_path=warehouse.building, work_path=dbt_dir
    )
    command, env = pipeline.dbt_command(["run", "--select", "+person_segment"], target)
    command[command.index("--vars") + 1] = json.dumps(dbt_vars)
    segmentation = run_measured(command, env)
    nodes = json.loads(results.read_text(encoding="utf-8"))["results"]
    meta = json.loads((data_dir / "raw" / "_generator.json").read_text(encoding="utf-8"))
    floor = floor_seconds(data_dir / "raw")
    shutil.rmtree(data_dir)
    return {
        "residents": meta["residents"],
        "raw_rows": sum(meta["row_counts"].values()),
        "run_s": run.seconds,
        "run_peak_mib": run.peak_mib,
        "segmentation_s": segmentation.seconds,
        "segmentation_models": len(nodes),
        "segmentation_nodes_s": sum(node["execution_time"] for node in nodes),
        "floor_s": floor,
    }


def bench(residents: int, work: Path) -> dict[str, float]:
    raw = work / f"raw_{residents}"
    generate = run_measured(
        [sys.executable, "-m", "pcdm.cli", "generate", "--residents", str(residents),
         "--out", str(raw), "--no-progress"]
    )  # fmt: skip
    meta = json.loads((raw / "_generator.json").read_text(encoding="utf-8"))
    raw_rows = sum(meta["row_counts"].values())
    floor = floor_seconds(raw)
    database = work / f"bench_{residents}.duckdb"
    build = run_measured(
        [sys.executable, __file__, BUILD_STEP, json.dumps([str(raw), str(database), str(work)])]
    )
    protected = json.loads(build.output.rsplit(BUILD_STEP, 1)[1])
    print("\n".join(f"  {line}" for line in protected["lines"]), flush=True)
    from pcdm.privacy.warehouse import audit_warehouse

    audit = audit_warehouse(database, MIN_CELL_SIZE)
    if audit.failures:
        sys.exit(f"benchmark: the disclosure audit failed: {audit.failures[0]}")
    import duckdb

    with duckdb.connect(str(database), read_only=True) as con:
        events = con.sql("select count(*) from pcdm.fct_service_event").fetchall()[0][0]
        quarantined = con.sql("select count(*) from dq.dq_quarantine").fetchall()[0][0]
    size_mib = database.stat().st_size / 2**20
    shutil.rmtree(raw)
    database.unlink()
    dbt_seconds = build.seconds - protected["seconds"]  # the disclosure control on its own
    return {
        "residents": residents,
        "raw_rows": raw_rows,
        "generate_s": generate.seconds,
        "generate_peak_mib": generate.peak_mib,
        "raw_rows_per_s": raw_rows / generate.seconds,
        "dbt_seconds": dbt_seconds,
        "s_per_m_rows": dbt_seconds / raw_rows * 1e6,
        "floor_s": floor,
        "floor_ratio": dbt_seconds / floor,
        "protect_s": protected["seconds"],
        "audit_s": audit.seconds,
        "dbt_peak_mib": build.peak_mib,
        "events": events,
        "events_per_s": events / dbt_seconds,
        "quarantined": quarantined,
        "database_mib": size_mib,
    }


BUILD_STEP = "--build-step"  # the child of bench(): one build, as `pcdm run` builds


def build_step(raw: str, database: str, work: str) -> int:
    """dbt seed + build in the two steps around the disclosure control, both in one dbt process
    on DuckDB (pipeline.build, as `pcdm run` builds); the protection's seconds and lines last."""
    target = pipeline.DbtTarget(
        raw_path=Path(raw), database_path=Path(database), work_path=Path(work) / "dbt"
    )
    report = pipeline.build(target, unit_tests=False, quiet=True)
    print(BUILD_STEP + json.dumps({"seconds": report.seconds, "lines": report.lines()}))
    return 0


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
        ("s_per_m_rows", "s per M raw rows", "{:.1f}"),
        ("floor_s", "floor s", "{:.2f}"),
        ("floor_ratio", "x floor", "{:,.0f}"),
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


def print_demo(demo: dict[str, float]) -> None:
    print(
        f"Demo county: {demo['residents']:,} residents, {demo['raw_rows']:,} raw rows: `pcdm run` "
        f"{demo['run_s']:.1f} s at {demo['run_peak_mib']:,.0f} MiB peak; `dbt run --select "
        f"+person_segment` {demo['segmentation_s']:.1f} s ({demo['segmentation_models']} models, "
        f"{demo['segmentation_nodes_s']:.1f} s in the models); floor {demo['floor_s']:.2f} s"
    )


def print_targets(demo: dict[str, float] | None, results: list[dict[str, float]]) -> None:
    """Issue 15's targets next to this run's figures."""
    rows = []
    if demo:
        rows += [
            ("demo county: `pcdm run` end to end", f"<= {DEMO_RUN_TARGET_S} s",
             f"{demo['run_s']:.1f} s", demo["run_s"] <= DEMO_RUN_TARGET_S),
            ("demo county: `dbt run -s +person_segment`", f"<= {SEGMENTATION_TARGET_S} s",
             f"{demo['segmentation_s']:.1f} s", demo["segmentation_s"] <= SEGMENTATION_TARGET_S),
        ]  # fmt: skip
    for r in results:
        if r["residents"] == 1_000_000:
            rows += [
                ("1 000 000 residents: dbt seed + build", f"<= {MILLION_BUILD_TARGET_S} s",
                 f"{r['dbt_seconds']:.1f} s", r["dbt_seconds"] <= MILLION_BUILD_TARGET_S),
                ("1 000 000 residents: dbt peak memory", f"<= {MILLION_PEAK_TARGET_MIB:,} MiB",
                 f"{r['dbt_peak_mib']:,.0f} MiB", r["dbt_peak_mib"] <= MILLION_PEAK_TARGET_MIB),
            ]  # fmt: skip
    if len(results) > 1:  # linear: seconds per million raw rows of the largest against the smallest
        small, large = results[0], results[-1]
        growth = large["s_per_m_rows"] / small["s_per_m_rows"]
        rows.append(
            (f"linear: s per M raw rows, {large['residents']:,} vs {small['residents']:,}",
             "not growing (<= 1.0x)", f"{growth:.2f}x", growth <= 1.0)
        )  # fmt: skip
    if not rows:
        return
    print("\n| target | wanted | this run | met |\n|---|---|---:|---|")
    for name, wanted, figure, met in rows:
        print(f"| {name} | {wanted} | {figure} | {'yes' if met else 'NO'} |")


def main() -> int:
    if sys.argv[1:2] == [BUILD_STEP]:
        return build_step(*json.loads(sys.argv[2]))
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
    parser.add_argument(
        "--no-demo", action="store_true", help="leave out the demo county's `pcdm run`"
    )
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="pcdm-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault(pipeline.SALT_VARIABLE, "benchmark-salt-not-secret-0123456789")
    print(
        f"pcdm benchmark on {platform.node()}: {os.cpu_count()} CPUs, Python "
        f"{platform.python_version()}, {time.strftime('%Y-%m-%d %H:%M')}, load average "
        + " ".join(f"{load:.1f}" for load in os.getloadavg())
    )
    demo = None
    if not (args.no_demo or args.engines or args.nightly):
        demo = bench_demo(work)
        print_demo(demo)
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
    if not (args.engines or args.nightly):
        print_targets(demo, results)
    print("load average at the end: " + " ".join(f"{load:.1f}" for load in os.getloadavg()))
    if args.keep is None:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
