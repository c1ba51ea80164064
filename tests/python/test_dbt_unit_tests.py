"""Every dbt unit test of the project (the `unit_tests:` of the models' `_<area>__unit_tests.yml`
files), run once per test run: `dbt build --empty` creates the seeds and every model as an empty
table (the unit tests read their inputs' column types from them), then runs the unit tests. The
end-to-end builds leave them out, so each runs once, here, in the fast lane too."""

from __future__ import annotations

import json

import pytest

from pcdm import pipeline
from pcdm.contract import PROJECT_DIR


def test_every_dbt_unit_test_passes(tmp_path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("PCDM_PSEUDONYM_SALT", "unit-test-salt-0123456789")
    target = pipeline.DbtTarget(
        raw_path=PROJECT_DIR / "tests" / "fixtures" / "mini_county",
        database_path=tmp_path / "unit.duckdb",
        raw_format="csv",
        work_path=tmp_path,
    )
    # a failing unit test fails the command; its name and diff are the PipelineError's message
    pipeline.run_dbt(["build", "--empty", "--exclude", "test_type:data"], target, quiet=True)
    manifest = json.loads((tmp_path / "target" / "manifest.json").read_text(encoding="utf-8"))
    results = json.loads((tmp_path / "target" / "run_results.json").read_text(encoding="utf-8"))
    ran = {r["unique_id"]: r["status"] for r in results["results"]}
    unit_tests = set(manifest["unit_tests"])
    assert len(unit_tests) >= 40
    assert {ran.get(name) for name in unit_tests} == {"pass"}
