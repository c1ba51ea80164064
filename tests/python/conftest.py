"""Shared fixtures. `county_build`: one small generated county built by `pcdm run` (dbt build, the
data-quality gate, the Power BI files and the offline report), for the report and Power BI tests."""

from __future__ import annotations

import contextlib
import io
from dataclasses import dataclass
from pathlib import Path

import pytest

from pcdm import cli

COUNTY_SALT = "report-county-salt-0123456789"
COUNTY_RESIDENTS = 3000


@dataclass(frozen=True)
class CountyBuild:
    data_dir: Path
    database: Path
    exports: Path
    report: Path
    manifest: Path
    salt: str
    printed: str  # what `pcdm run` printed (dbt's own output aside)


@pytest.fixture(scope="session")
def county_build(tmp_path_factory: pytest.TempPathFactory) -> CountyBuild:
    data_dir = tmp_path_factory.mktemp("county_build")
    printed = io.StringIO()
    with pytest.MonkeyPatch.context() as patch, contextlib.redirect_stdout(printed):
        patch.setenv("PCDM_PSEUDONYM_SALT", COUNTY_SALT)
        exit_code = cli.main(
            [
                "run",
                "--residents",
                str(COUNTY_RESIDENTS),
                "--seed",
                "18",
                "--data-dir",
                str(data_dir),
                "--dbt-work-path",
                str(data_dir / "dbt"),
                "--no-progress",
            ]
        )
    print(printed.getvalue())
    assert exit_code == 0
    return CountyBuild(
        data_dir=data_dir,
        database=data_dir / "warehouse.duckdb",
        exports=data_dir / "powerbi",
        report=data_dir / "report",
        manifest=data_dir / "dbt" / "target" / "manifest.json",
        salt=COUNTY_SALT,
        printed=printed.getvalue(),
    )
