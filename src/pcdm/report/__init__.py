"""The offline web report: static HTML, CSS and JavaScript over the Power BI report files.

    <report>/index.html ... one page per view (views.VIEWS) and stewards.html
    <report>/assets/    report.js, report.css, config.js (no library from a CDN: the charts are
                        small SVGs drawn by report.js)
    <report>/data/      every exported table as a JavaScript file (a browser blocks fetch() of
                        file://, but loads <script src>), so the folder opens from a file share
    <report>/stewards/  the great-expectations suites as JSON
    <report>/dbt-docs.html  `dbt docs generate --static` (one self-contained file)

The data is what the Power BI files hold (exports.py): the bi marts, already aggregated and
suppressed, and the steward tables. In a suppressed row every number is written as null, so no
suppressed value reaches a data file or the page; the page shows the one label "suojattu /
suppressed". The folder is written beside the target and swapped in at the end, so a failed build
leaves the previous report as it was.
"""

from __future__ import annotations

import html
import json
import math
import os
import re
import shutil
import sys
import tempfile
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from pcdm.contract import PROJECT_DIR
from pcdm.exports import AGE_BANDS, STEWARD_TABLES
from pcdm.report.views import STEWARDS_PAGE, VIEWS, config

ASSETS = Path(__file__).parent / "assets"
DOCS_GUIDE = PROJECT_DIR / "docs" / "power-bi.md"
INTEGER_TYPES = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT")
NUMBER_TYPES = (*INTEGER_TYPES, *(f"U{t}" for t in INTEGER_TYPES), "FLOAT", "DOUBLE", "DECIMAL")


class ReportError(RuntimeError):
    """The report could not be written; the message names the cause."""


@dataclass(frozen=True)
class Table:
    name: str
    columns: list[tuple[str, str]]  # (name, number | text | boolean | date)
    rows: list[list[object]]


def _kind(duckdb_type: str) -> str:
    text = str(duckdb_type).upper()
    if text.startswith(NUMBER_TYPES):
        return "number"
    if text == "BOOLEAN":
        return "boolean"
    if text.startswith(("DATE", "TIMESTAMP")):
        return "date"
    return "text"


def _value(value: object) -> object:
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, float) and math.isnan(value):
        return None  # JSON has no NaN; shown as "no value"
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    return value


def read_table(con, name: str, files: list[Path], axes: set[str] = frozenset()) -> Table:
    """One exported table (its files unioned by column name). In a row with is_suppressed, every
    number column that is not a chart axis is written as null."""
    relation = con.read_parquet([str(path) for path in files], union_by_name=True)
    kinds = zip(relation.columns, relation.types, strict=True)
    columns = [(column, _kind(kind)) for column, kind in kinds]
    rows = [[_value(value) for value in row] for row in relation.fetchall()]
    names = [column for column, _ in columns]
    if "is_suppressed" in names:
        flag = names.index("is_suppressed")
        blank = [i for i, (c, kind) in enumerate(columns) if kind == "number" and c not in axes]
        for row in rows:
            if row[flag] is not False:
                for i in blank:
                    row[i] = None
    return Table(name, columns, rows)


def read_exports(exports_dir: Path) -> dict[str, Table]:
    """Every bi mart (all age bands together) and every steward table of the export folder."""
    import duckdb

    axes: dict[str, set[str]] = {}
    for view in VIEWS:
        for chart in view.charts:
            axes.setdefault(chart.mart, set()).add(chart.axis)
    all_ages = exports_dir / "all_ages"
    marts = sorted(path.stem for path in all_ages.glob("*.parquet"))
    if not marts:
        raise ReportError(f"no Power BI report files in {all_ages}: run `pcdm run` first")
    tables: dict[str, Table] = {}
    with duckdb.connect() as con:
        for mart in marts:
            files = [exports_dir / band / f"{mart}.parquet" for band in AGE_BANDS]
            files = [path for path in files if path.exists()]
            tables[mart] = read_table(con, mart, files, axes.get(mart, set()))
        for qualified in STEWARD_TABLES:
            schema, table = qualified.split(".")
            path = exports_dir / schema / f"{table}.parquet"
            if not path.exists():
                raise ReportError(f"steward file {path} is missing: run `pcdm run` first")
            tables[table] = read_table(con, table, [path])
    missing = sorted({mart for view in VIEWS for mart in view.marts} - set(tables))
    if missing:
        raise ReportError(f"the report needs mart(s) not in {exports_dir}: {', '.join(missing)}")
    return tables


def view_notes(guide: Path = DOCS_GUIDE) -> dict[str, str]:
    """The 'what is this' note of each view: the paragraphs under `### ... (view `id`)` in the
    Power BI guide, as HTML."""
    notes: dict[str, list[str]] = {}
    current = None
    for line in guide.read_text(encoding="utf-8").splitlines():
        heading = re.match(r"^#{2,3} .*\(view `(\w+)`\)\s*$", line)
        if heading:
            current = heading.group(1)
            notes[current] = []
        elif line.startswith("#"):
            current = None
        elif current is not None:
            notes[current].append(line)
    return {view: _markdown(lines) for view, lines in notes.items()}


def _markdown(lines: list[str]) -> str:
    """Paragraphs with `code` and **bold**: all the notes need."""
    paragraphs = [" ".join(p.split()) for p in "\n".join(lines).split("\n\n") if p.strip()]
    out = []
    for text in paragraphs:
        text = html.escape(text, quote=False)
        text = re.sub(r"`([^`]+)`", r"<code>\1</code>", text)
        text = re.sub(r"\*\*([^*]+)\*\*", r"<strong>\1</strong>", text)
        text = re.sub(r"\[([^\]]+)\]\([^)]+\)", r"\1", text)  # the docs are not in the report
        out.append(f"<p>{text}</p>")
    return "\n".join(out)


def _js_data(table: Table) -> str:
    payload = {
        "columns": [{"name": n, "kind": k} for n, k in table.columns],
        "rows": table.rows,
    }
    body = json.dumps(payload, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    name = json.dumps(table.name)
    return f"window.PCDM_DATA = window.PCDM_DATA || {{}};\nwindow.PCDM_DATA[{name}] = {body};\n"


def _nav(current: str) -> str:
    links = [(view.page, view.title_fi, view.title_en) for view in VIEWS]
    links.append((STEWARDS_PAGE, "Tiedon laatu", "Data quality"))
    current_mark = ' aria-current="page"'
    items = "".join(
        f'<a href="{page}"{current_mark if page == current else ""}>'
        f'{html.escape(fi)}<span class="en">{html.escape(en)}</span></a>'
        for page, fi, en in links
    )
    return f'<nav class="pages">{items}</nav>'


def _page(
    page: str,
    view_id: str,
    title_fi: str,
    title_en: str,
    note: str,
    data: list[str],
    reference_date: str,
    extra: str = "",
) -> str:
    scripts = "".join(f'<script src="data/{name}.js"></script>\n' for name in data)
    about = (
        '<details class="about" open><summary>Mikä tämä on? <span class="en">What is this?'
        f"</span></summary>{note}</details>"
        if note
        else ""
    )
    return f"""<!doctype html>
<html lang="fi">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(title_fi)} / {html.escape(title_en)} · pcdm-fi</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="assets/report.css">
</head>
<body data-view="{view_id}">
<header><div class="brand">pcdm-fi <span class="en">person-centred data model</span></div>
<div class="ref">Viitepäivä <span class="en">reference date</span> {html.escape(reference_date)}
</div>
{_nav(page)}</header>
<main>
<h1>{html.escape(title_fi)} <span class="en">{html.escape(title_en)}</span></h1>
{about}
{extra}
<section id="filters" class="filters"></section>
<section id="content"></section>
</main>
{scripts}<script src="assets/config.js"></script>
<script src="assets/report.js"></script>
</body>
</html>
"""


def _steward_links(out: Path, has_dbt_docs: bool) -> str:
    suites = sorted((out / "stewards").glob("*.json"))
    items = "".join(
        f'<li><a href="stewards/{path.name}">{html.escape(path.stem)}</a></li>' for path in suites
    )
    dbt = (
        '<p><a class="button" href="dbt-docs.html">dbt-dokumentaatio <span class="en">dbt docs: '
        "models, columns, tests and lineage</span></a></p>"
        if has_dbt_docs
        else ""
    )
    return (
        f'<section class="links">{dbt}<details><summary>great-expectations-sarjat '
        f'<span class="en">great-expectations suites (JSON)</span></summary><ul>{items}</ul>'
        "</details></section>"
    )


def _write_suites(target: Path) -> None:
    import great_expectations as gx

    from pcdm.quality.disclosure import DISCLOSURE_CHECK, DISCLOSURE_EXPECTATION, DISCLOSURE_RULE
    from pcdm.quality.suites import build_suite, load_checks
    from pcdm.quality.validation import quiet_gx

    quiet_gx()
    gx.get_context(mode="ephemeral")
    target.mkdir(parents=True)
    for check in load_checks():
        suite = build_suite(check)
        text = json.dumps(suite.to_json_dict(), indent=2, ensure_ascii=False, default=str)
        (target / f"{check.name}.json").write_text(text + "\n", encoding="utf-8")
    # the gate's one check that is not a great-expectations suite: the disclosure audit
    audit = {
        "name": DISCLOSURE_CHECK,
        "severity": "error",
        "expectation": DISCLOSURE_EXPECTATION,
        "description": f"{DISCLOSURE_RULE} (src/pcdm/privacy/).",
        "documentation": "docs/privacy.md",
    }
    (target / f"{DISCLOSURE_CHECK}.json").write_text(
        json.dumps(audit, indent=2) + "\n", encoding="utf-8"
    )


def build_report(exports_dir: Path, out_dir: Path, *, dbt_docs: Path | None = None) -> Path:
    """Write the report folder out_dir from the export folder; returns its index.html."""
    tables = read_exports(exports_dir)
    notes = view_notes()
    dates = {
        str(row[0])
        for table in tables.values()
        if table.columns and table.columns[0][0] == "reference_date"
        for row in table.rows
    }
    reference_date = ", ".join(sorted(dates)) or "-"
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}-", dir=out_dir.parent))
    try:
        shutil.copytree(ASSETS, staging / "assets")
        (staging / "assets" / "config.js").write_text(
            "window.PCDM_CONFIG = " + json.dumps(config(), ensure_ascii=False) + ";\n",
            encoding="utf-8",
        )
        (staging / "data").mkdir()
        for table in tables.values():
            (staging / "data" / f"{table.name}.js").write_text(_js_data(table), encoding="utf-8")
        _write_suites(staging / "stewards")
        if dbt_docs is not None:
            shutil.copyfile(dbt_docs, staging / "dbt-docs.html")
        for view in VIEWS:
            page = _page(
                view.page,
                view.id,
                view.title_fi,
                view.title_en,
                notes.get(view.id, ""),
                [*view.marts, "service_catalogue", "municipalities"],
                reference_date,
            )
            (staging / view.page).write_text(page, encoding="utf-8")
        stewards = [t.split(".")[1] for t in STEWARD_TABLES if t.startswith("dq.")]
        page = _page(
            STEWARDS_PAGE,
            "stewards",
            "Tiedon laatu",
            "Data quality for stewards",
            notes.get("stewards", ""),
            stewards,
            reference_date,
            _steward_links(staging, dbt_docs is not None),
        )
        (staging / STEWARDS_PAGE).write_text(page, encoding="utf-8")
        os.chmod(staging, 0o755)
        previous = out_dir.with_name(f".{out_dir.name}.previous")
        shutil.rmtree(previous, ignore_errors=True)
        if out_dir.exists():
            out_dir.rename(previous)
        staging.rename(out_dir)
        shutil.rmtree(previous, ignore_errors=True)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return out_dir / "index.html"


def build_dbt_docs(
    target, work_dir: Path, salt: str, parsed: Path | None = None, session=None
) -> Path:
    """`dbt docs generate --static` on a parse with no compiled SQL (so the pseudonym salt is not
    in it; checked): `parsed`, the build's saved parse of the project (dbt's partial_parse.msgpack,
    same vars and engine), or when None, unreadable or of another engine a fresh parse; without
    usage statistics (else the page loads a tracker script from a CDN), in one dbt process
    (dbt_docs.py): the build's dbt session (pipeline.DbtSession, where dbt is loaded already) when
    one is given and the saved parse is used, else a process of its own. Returns the one
    self-contained HTML file."""
    from pcdm import pipeline

    docs_target = pipeline.DbtTarget(
        raw_path=target.raw_path,
        database_path=target.database_path,
        raw_format=target.raw_format,
        extra_vars=target.extra_vars,
        work_path=work_dir,
    )
    docs_target.dbt_target_path().mkdir(parents=True, exist_ok=True)
    flags = ["--no-send-anonymous-usage-stats"]
    # the saved parse is of the build's engine (its adapter's macros and relations): used only
    # when the docs run on that engine (a server engine's run makes them on its DuckDB file)
    if parsed is not None and parsed.exists() and docs_target.engine == target.engine:
        if session is not None:
            pipeline.run_dbt(flags, docs_target, quiet=True, session=session, docs_on=parsed)
        else:
            program = [sys.executable, "-m", "pcdm.report.dbt_docs", "--parsed", str(parsed)]
            pipeline.run_dbt(flags, docs_target, quiet=True, program=program)
    else:
        program = [sys.executable, "-m", "pcdm.report.dbt_docs"]
        pipeline.run_dbt(flags, docs_target, quiet=True, program=program)
    page = docs_target.dbt_target_path() / "static_index.html"
    if salt and salt in page.read_text(encoding="utf-8"):
        raise ReportError(f"{page} holds the pseudonym salt: not copied into the report")
    return page


__all__ = ["ReportError", "build_dbt_docs", "build_report", "read_exports", "view_notes"]
