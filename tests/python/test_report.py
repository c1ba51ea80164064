"""The offline report's writer without a browser: the suppressed rows' numbers are never written,
every view has its note in the guide, and a failed write leaves the previous report as it was."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from pcdm import cli, pipeline
from pcdm.report import ReportError, build_dbt_docs, build_report, read_table, view_notes
from pcdm.report.views import VIEWS


def test_a_number_in_a_suppressed_row_is_not_written(tmp_path):
    """Even if a mart carried a number beside is_suppressed (a new column, a bug), the data file
    gets null; the chart axis (a number dimension such as a percentile) is kept."""
    path = tmp_path / "bi_example.parquet"
    pq.write_table(
        pa.table(
            {
                "population_percentile": [1, 2, 3],
                "sex": ["all", "female", "male"],
                "n_persons": [12, 3, 9],
                "new_measure": [0.5, 0.25, 0.75],
                "is_suppressed": [False, True, False],
            }
        ),
        path,
    )
    with duckdb.connect() as con:
        table = read_table(con, "bi_example", [path], axes={"population_percentile"})
    assert table.rows == [
        [1, "all", 12, 0.5, False],
        [2, "female", None, None, True],
        [3, "male", 9, 0.75, False],
    ]


def test_every_view_has_a_note_from_the_power_bi_guide():
    notes = view_notes()
    for view_id in [view.id for view in VIEWS] + ["stewards"]:
        assert notes.get(view_id, "").startswith("<p>"), view_id


def test_a_failed_write_leaves_the_previous_report(county_build, tmp_path):
    report = tmp_path / "report"
    shutil.copytree(county_build.report, report)
    before = {p.relative_to(report): p.read_bytes() for p in report.rglob("*") if p.is_file()}
    # half-way through writing (the data files are written, the dbt docs are not there)
    with pytest.raises(FileNotFoundError):
        build_report(county_build.exports, report, dbt_docs=tmp_path / "no-such-docs.html")
    # before writing (a steward file is missing)
    exports = tmp_path / "powerbi"
    shutil.copytree(county_build.exports, exports)
    (exports / "dq" / "dq_reconciliation.parquet").unlink()
    with pytest.raises(ReportError, match="dq_reconciliation.parquet is missing"):
        build_report(exports, report)
    after = {p.relative_to(report): p.read_bytes() for p in report.rglob("*") if p.is_file()}
    assert after == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["powerbi", "report"]  # no half folder


def test_pcdm_run_prints_where_the_report_is(county_build):
    index = county_build.report / "index.html"
    assert "Offline report" in county_build.printed and str(index) in county_build.printed
    assert index.is_file()


def without_times(artifact: Path) -> dict:
    """A dbt artifact without its metadata (when and by which invocation it was written) and the
    times its nodes were parsed at (`created_at`)."""

    def drop(value):
        if isinstance(value, dict):
            return {key: drop(item) for key, item in value.items() if key != "created_at"}
        return [drop(item) for item in value] if isinstance(value, list) else value

    content = json.loads(artifact.read_text(encoding="utf-8"))
    content.pop("metadata")
    return drop(content)


def test_the_dbt_docs_on_the_saved_parse_equal_those_of_a_fresh_parse(county_build, tmp_path):
    """`pcdm run` generates the dbt docs on the project as its build parsed it (dbt's saved
    partial_parse.msgpack), not on a second parse, in its dbt session's worker (a process of its
    own without one): the docs are the same as a fresh parse's."""
    dbt_dir = county_build.manifest.parent
    build_vars = json.loads((dbt_dir / "run_results.json").read_text("utf-8"))["args"]["vars"]
    target = pipeline.DbtTarget(
        raw_path=None,
        database_path=county_build.database,
        extra_vars=tuple(build_vars.items()),  # raw_path and raw_format among them
    )
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PCDM_PSEUDONYM_SALT", county_build.salt)
        parsed = dbt_dir / "partial_parse.msgpack"
        saved = build_dbt_docs(target, tmp_path / "saved", county_build.salt, parsed)
        with pipeline.DbtSession() as session:
            in_session = build_dbt_docs(
                target, tmp_path / "session", county_build.salt, parsed, session
            )
            assert session.process is not None  # made in the worker
        fresh = build_dbt_docs(target, tmp_path / "fresh", county_build.salt)
    for artifact in ("manifest.json", "catalog.json"):
        expected = without_times(fresh.parent / artifact)
        assert without_times(saved.parent / artifact) == expected, artifact
        assert without_times(in_session.parent / artifact) == expected, artifact
    manifest = without_times(saved.parent / "manifest.json")
    assert len([node for node in manifest["nodes"] if node.startswith("model.")]) > 50
    assert not any(node.get("compiled_code") for node in manifest["nodes"].values())


def test_pcdm_report_rewrites_the_report_from_the_files(county_build, tmp_path, capsys):
    data_dir = tmp_path / "data"
    shutil.copytree(county_build.exports, data_dir / "powerbi")
    assert cli.main(["report", "--data-dir", str(data_dir)]) == 2  # no database: dbt docs need it
    assert "no database" in capsys.readouterr().err
    assert cli.main(["report", "--data-dir", str(data_dir), "--no-dbt-docs"]) == 0
    pages = sorted(p.name for p in (data_dir / "report").glob("*.html"))
    assert pages == sorted([*(view.page for view in VIEWS), "stewards.html"])
    assert str(data_dir / "report" / "index.html") in capsys.readouterr().out


def _data_file(path: Path) -> dict:
    text = path.read_text(encoding="utf-8")
    return json.loads(text[text.index("] = ") + 4 : text.rindex(";")])


def suppressed_numbers(data_dir: Path) -> tuple[int, list[str]]:
    """The suppressed rows of the bi data files, and those that hold a number (not an axis)."""
    axes = {chart.axis for view in VIEWS for chart in view.charts}
    rows, leaks = 0, []
    for path in sorted(data_dir.glob("bi_*.js")):
        data = _data_file(path)
        names = [c["name"] for c in data["columns"]]
        numbers = [
            i
            for i, c in enumerate(data["columns"])
            if c["kind"] == "number" and c["name"] not in axes
        ]
        flag = names.index("is_suppressed")
        for row in data["rows"]:
            if row[flag]:
                rows += 1
                if any(row[i] is not None for i in numbers):
                    leaks.append(f"{path.name}: {row}")
    return rows, leaks


def test_no_suppressed_value_is_in_a_data_file(county_build, tmp_path):
    rows, leaks = suppressed_numbers(county_build.report / "data")
    assert rows > 0  # the county is small enough to have suppressed cells
    assert leaks == []
    # the check sees a number put into a suppressed row
    data = tmp_path / "data"
    shutil.copytree(county_build.report / "data", data)
    path = data / "bi_kaiser_pyramid.js"
    text = path.read_text(encoding="utf-8")
    leaked = re.sub(r"null(,[^\[\]]*,true\])", r"3\1", text, count=1)
    assert leaked != text
    path.write_text(leaked, encoding="utf-8")
    assert len(suppressed_numbers(data)[1]) == 1


def test_the_report_loads_nothing_from_outside_its_folder(county_build):
    report = county_build.report
    for path in [*report.glob("*.html"), *(report / "assets").iterdir()]:
        if path.name == "dbt-docs.html":
            continue  # dbt's page: checked in the browser (test_report_browser.py)
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", text), path.name
        assert not re.search(r"url\(\s*['\"]?(https?:)?//", text), path.name
        assert not re.search(r"\bfetch\(|XMLHttpRequest|import\(", text), path.name
    assert county_build.salt not in "".join(
        p.read_text(encoding="utf-8") for p in report.rglob("*") if p.is_file()
    )


def test_a_saved_parse_that_does_not_load_means_a_fresh_parse(tmp_path, capsys):
    from pcdm.report.dbt_docs import saved_manifest

    broken = tmp_path / "partial_parse.msgpack"
    broken.write_bytes(b"\x93 not a manifest")
    assert saved_manifest(broken) is None
    assert saved_manifest(tmp_path / "missing.msgpack") is None
    assert "parsing afresh" in capsys.readouterr().out
