"""Shared fixtures, each built once per test run:
- `county_build`: a small county generated and built by `pcdm run` (runner.run_county: dbt build,
  the data-quality gate, the Power BI files and the offline report), for the end-to-end, report
  and Power BI tests;
- `delivered_county` and `delivered_run`: a clean generated delivery, and `pcdm run --raw-path` on
  it (the command line itself, cli.main) into a data dir whose path has spaces and a quote, for the
  fail-safe and quality-gate tests.

A test that needs a dbt build (one of BUILD_FIXTURES, directly or through another fixture) is marked
`e2e`; the fast lane (`scripts/test.sh --fast`) runs the others: `pytest -m "not e2e"`."""

from __future__ import annotations

import contextlib
import io
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from pcdm import cli, runner
from pcdm.generator import CountyConfig, generate

COUNTY_SALT = "report-county-salt-0123456789"

# A pytest-xdist worker's __main__ has neither a file nor a spec: pyspark's connect module
# (imported by great-expectations when pyspark is installed) takes such a process for a doctest
# run and exits it. Give the worker's __main__ a file name.
_main = sys.modules["__main__"]
if getattr(_main, "__spec__", None) is None and not hasattr(_main, "__file__"):
    _main.__file__ = "<pytest-xdist worker>"

# The fixtures that build a county with dbt (each test module's own, and county_build), run a
# browser over one, or compile the privacy macro with dbt for a property-based attack (about a
# minute of CPU: not for the fast lane).
BUILD_FIXTURES = {
    "compiled",
    "county_build",
    "delivered_run",
    "database",
    "built",
    "overridden",
    "broken_delivery",
    "run",
    "good",
    "safe_run",
    "blocked_run",
    "clean_run",
    "missing_day_run",
    "scrambled_run",
    "stale_feed_run",
    "two_faults_run",
    "defects_run",
    "figures",
    "browser",
    "omop_mini_run",
    "omop_both_ways",
    "nightly_runs",
    "postgres_nights",
}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if BUILD_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.e2e)
    # the longest groups first (see worker_group), each group's tests in their own order
    items.sort(key=lambda item: group_rank(worker_group(item.nodeid)))


# scripts/test.sh runs the suite on two workers (pytest-xdist, `-n 2`). A test module's builds are
# made once, on the worker that runs the module (a module is one unit of work, as with xdist's
# `--dist loadfile`); the modules that share a session build (county_build, delivered_run) are one
# unit together (SHARED_BUILDS: else each worker would make it). The units go
# out in the order of LONGEST_FIRST (from `--durations`), so that both workers end at about the
# same time. (xdist's own `--dist loadgroup` does not group with pytest 9.2: it renames items by an
# attribute pytest no longer reads.)
SHARED_BUILDS = {  # module: the session fixture it shares with the others of its unit
    "test_end_to_end_generated": "county_build",
    "test_powerbi_project": "county_build",
    "test_report": "county_build",
    "test_report_browser": "county_build",
    "test_fail_safe": "delivered_run",
    "test_quality_gate": "delivered_run",
}
LONGEST_FIRST = [
    "test_engines",
    "delivered_run",
    "test_nightly",
    "county_build",
    "test_omop_input",
    "test_segmentation_rules",
    "test_end_to_end_fixture",
    "test_plausibility",
    "test_dbt_unit_tests",
]


def worker_group(nodeid: str) -> str:
    """The unit of work a test belongs to: the build its module shares, or its module's."""
    module = Path(nodeid.split("::")[0]).stem
    return SHARED_BUILDS.get(module, module)


def group_rank(group: str) -> int:
    return LONGEST_FIRST.index(group) if group in LONGEST_FIRST else len(LONGEST_FIRST)


def pytest_xdist_make_scheduler(config: pytest.Config, log):
    from xdist.scheduler import LoadScopeScheduling

    class ByBuild(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return worker_group(nodeid)

    return ByBuild(config, log)


def run_cli(arguments: list[str]) -> tuple[int, str]:
    """`pcdm` (cli.main) with these arguments, in this process: its exit code and what it printed
    (stdout and stderr together)."""
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed), contextlib.redirect_stderr(printed):
        code = cli.main(arguments)
    return code, printed.getvalue()


COUNTY_RESIDENTS = 4000
COUNTY_DEFECT_RATE = 0.005
DELIVERED_SALT = "delivered-county-salt-0123456789"
DELIVERED_AT = CountyConfig().extract_at


@dataclass(frozen=True)
class CountyBuild:
    data_dir: Path
    database: Path
    exports: Path
    report: Path
    manifest: Path
    salt: str
    printed: str  # what `pcdm run` printed (dbt's own output aside)
    outcome: runner.RunOutcome


@pytest.fixture(scope="session")
def county_build(tmp_path_factory: pytest.TempPathFactory) -> CountyBuild:
    data_dir = tmp_path_factory.mktemp("county_build")
    printed = io.StringIO()
    with pytest.MonkeyPatch.context() as patch, contextlib.redirect_stdout(printed):
        patch.setenv("PCDM_PSEUDONYM_SALT", COUNTY_SALT)
        outcome = runner.run_county(
            runner.RunSettings(
                data_dir=data_dir,
                work_path=data_dir / "dbt",
                demo=CountyConfig(
                    residents=COUNTY_RESIDENTS, seed=11, defect_rate=COUNTY_DEFECT_RATE
                ),
                progress=False,
            )
        )
    print(printed.getvalue())
    assert outcome.exit_code == 0
    return CountyBuild(
        data_dir=data_dir,
        database=data_dir / "warehouse.duckdb",
        exports=data_dir / "powerbi",
        report=data_dir / "report",
        manifest=data_dir / "dbt" / "target" / "manifest.json",
        salt=COUNTY_SALT,
        printed=printed.getvalue(),
        outcome=outcome,
    )


@pytest.fixture(scope="session")
def delivered_county(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The raw folder of a clean county (the generator's few default bad rows only)."""
    raw = tmp_path_factory.mktemp("delivered_county") / "raw"
    generate(CountyConfig(residents=3000, seed=5), raw, progress=False)
    return raw


@dataclass(frozen=True)
class DeliveredRun:
    raw: Path
    data_dir: Path  # the run's data dir; the fail-safe tests run their faults against it
    pristine: Path  # a copy of it taken right after the run, for tests that only read
    code: int
    stdout: str
    stderr: str


def delivered_run_arguments(raw: Path, data_dir: Path, *options: str) -> list[str]:
    return [
        "run",
        "--raw-path",
        str(raw),
        "--data-dir",
        str(data_dir),
        "--dbt-work-path",
        str(data_dir.parent / f"{data_dir.name} dbt"),
        "--as-of",
        DELIVERED_AT.isoformat(),
        *options,
    ]


@pytest.fixture(scope="session")
def delivered_run(delivered_county: Path, tmp_path_factory: pytest.TempPathFactory) -> DeliveredRun:
    data_dir = tmp_path_factory.mktemp("fail safe") / "county data 'odd' path"
    out, err = io.StringIO(), io.StringIO()
    with (
        pytest.MonkeyPatch.context() as patch,
        contextlib.redirect_stdout(out),
        contextlib.redirect_stderr(err),
    ):
        patch.setenv("PCDM_PSEUDONYM_SALT", DELIVERED_SALT)
        code = cli.main(delivered_run_arguments(delivered_county, data_dir, "--no-progress"))
    pristine = tmp_path_factory.mktemp("delivered_run_copy") / "data"
    shutil.copytree(data_dir, pristine)
    return DeliveredRun(delivered_county, data_dir, pristine, code, out.getvalue(), err.getvalue())
