"""Write the Power BI Project in powerbi/ (PBIP: a TMDL semantic model and a PBIR report) from the
dbt contracts of the exported tables and the report views of src/pcdm/report/views.py.

    .venv/bin/python scripts/powerbi_project.py          # rewrite powerbi/
    .venv/bin/python scripts/powerbi_project.py --check  # exit 1 when powerbi/ differs from it

The files live in the repository; tests/python/test_powerbi_project.py parses them and checks every
table, column, type and field reference against the exported Parquet files and the dbt manifest, so
a renamed mart column fails the test until this script is run again (and the report reviewed).

The model: one import table per exported file, read with Parquet.Document(File.Contents(...)) from
the folder parameter ReportFilesFolder (the age-band files of a mart appended into one table), small
dimension tables for the filters that several marts share (age group, sex, customer segment,
municipality) and the service catalogue, related many-to-one. Measures never add rows up: each
picks the one published row of the filter combination (`all` for every filter dimension not
selected), so a suppressed cell stays blank instead of being re-summed from its neighbours.
"""

from __future__ import annotations

import argparse
import difflib
import json
import shutil
import sys
import tempfile
import uuid
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from pcdm.exports import AGE_BANDS  # noqa: E402
from pcdm.report.views import (  # noqa: E402
    AXIS_ORDER,
    COLUMN_LABELS,
    LEVEL_LABELS,
    SUPPRESSED_LABEL,
    VIEWS,
)

OUT = ROOT / "powerbi"
NAME = "pcdm"
NAMESPACE = uuid.UUID("6f1d8d1e-4f1b-4c57-9a57-2f0b1c5e7a11")  # stable lineage tags and ids
DEFAULT_FOLDER = "C:\\pcdm\\data\\powerbi\\"
TMDL_TYPES = {
    "varchar": "string",
    "text": "string",
    "bigint": "int64",
    "integer": "int64",
    "double": "double",
    "boolean": "boolean",
    "date": "dateTime",
    "timestamp": "dateTime",
}
# Tables written by the data-quality gate (src/pcdm/quality/results.py), not dbt models: their
# columns and types, as results.write_results creates them.
GATE_TABLES = {
    "dq_results": [
        ("run_at", "timestamp"), ("source", "varchar"), ("check_name", "varchar"),
        ("severity", "varchar"), ("status", "varchar"), ("observed_value", "double"),
        ("threshold", "varchar"), ("details", "varchar"),
    ],
    "dq_check_results": [
        ("run_at", "timestamp"), ("check_name", "varchar"), ("expectation", "varchar"),
        ("severity", "varchar"), ("success", "boolean"), ("observed_value", "double"),
        ("threshold", "varchar"), ("details", "varchar"), ("description", "varchar"),
    ],
}  # fmt: skip
STEWARD_MODELS = ("dq_quarantine_by_reason", "dq_reconciliation", "dq_source_freshness")
# Shared filter dimensions: (table, column, where its levels come from).
DIMENSIONS = {
    "age_group": ("Ikäryhmä", ["all", "0-17", "18-64", "65+"]),
    "sex": ("Sukupuoli", ["all", "female", "male", "unknown"]),
    "customer_segment": ("Asiakassegmentti", ["all", *AXIS_ORDER["customer_segment"]]),
    "municipality_code": ("Kunta", None),  # from the files: the county's own municipalities
}
SERVICE_TABLE = "service_catalogue"
SERVICE_COLUMNS = ("service_key", "from_service_key")  # related to the catalogue (one per mart)


# ---- contracts --------------------------------------------------------------------------------
def load_yaml(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def contracts() -> dict[str, dict]:
    """Every exported table: its columns (name, dbt type), folder, description and the dimensions
    that have an `all` level (from the mart's small_cells_are_suppressed test)."""
    tables: dict[str, dict] = {}
    for model in load_yaml(ROOT / "models/marts/bi/_bi__models.yml")["models"]:
        dims: list[str] = []
        for test in model.get("data_tests", []):
            if isinstance(test, dict) and "small_cells_are_suppressed" in test:
                dims = list(test["small_cells_are_suppressed"]["arguments"]["dimensions"])
        columns = [(c["name"], c["data_type"]) for c in model["columns"]]
        tables[model["name"]] = {
            "columns": columns,
            "folder": "bi",
            "description": " ".join(model["description"].split()),
            "all_dimensions": dims,
            "age_bands": any(name == "age_group" for name, _ in columns),
        }
    dq = {m["name"]: m for m in load_yaml(ROOT / "models/marts/dq/_dq__models.yml")["models"]}
    for name in STEWARD_MODELS:
        model = dq[name]
        tables[name] = {
            "columns": [(c["name"], c["data_type"]) for c in model["columns"]],
            "folder": "dq",
            "description": " ".join(model["description"].split()),
        }
    for name, columns in GATE_TABLES.items():
        tables[name] = {
            "columns": columns,
            "folder": "dq",
            "description": "Written by the data-quality gate (src/pcdm/quality/gate.py).",
        }
    seed = next(
        s for s in load_yaml(ROOT / "seeds/_seeds.yml")["seeds"] if s["name"] == SERVICE_TABLE
    )
    tables[SERVICE_TABLE] = {
        "columns": list(seed["config"]["column_types"].items()),
        "folder": "reference",
        "description": " ".join(seed["description"].split()),
    }
    return tables


# ---- TMDL -------------------------------------------------------------------------------------
def quote(name: str) -> str:
    """A TMDL/DAX object name, quoted when it is not a plain identifier."""
    if name.replace("_", "").isalnum() and name.isascii() and not name[0].isdigit():
        return name
    return "'" + name.replace("'", "''") + "'"


def tag(*parts: str) -> str:
    return str(uuid.uuid5(NAMESPACE, "/".join(parts)))


def label(column: str) -> tuple[str, str]:
    return COLUMN_LABELS.get(column, (column, column))


def measure_name(table: str, column: str) -> str:
    fi, en = label(column)
    return f"{fi} / {en} · {table.removeprefix('bi_')}"


def suppressed_measure(table: str) -> str:
    return f"Suojaus / Suppression · {table.removeprefix('bi_')}"


def files_expression(table: str, spec: dict) -> str:
    folders = [spec["folder"]] if spec["folder"] != "bi" else ["all_ages"]
    if spec.get("age_bands"):
        folders = list(AGE_BANDS)
    reads = [
        f'Parquet.Document(File.Contents(ReportFilesFolder & "{folder}\\{table}.parquet"))'
        for folder in folders
    ]
    source = reads[0] if len(reads) == 1 else "Table.Combine({" + ", ".join(reads) + "})"
    return "\n".join(["let", f"    Source = {source}", "in", "    Source"])


def one_row_measure(table: str, spec: dict, column: str, value: str) -> str:
    """DAX: the value of the one published row of the current filter combination; every filter
    dimension that is not narrowed to one level reads its `all` row. Blank when that row is
    suppressed or when the context holds more than one row: never a sum."""
    t = quote(table)
    lines = []
    conditions = []
    for dim in spec["all_dimensions"]:
        var = "_" + dim
        lines.append(f'VAR {var} = SELECTEDVALUE({t}[{dim}], "all")')
        conditions.append(f"{t}[{dim}] = {var}")
    rows = f"CALCULATETABLE({t}, " + ", ".join(conditions) + ")" if conditions else t
    lines.append(f"VAR _rows = {rows}")
    lines.append(f"RETURN IF(COUNTROWS(_rows) = 1, {value.format(rows='_rows', t=t)})")
    return "\n".join(lines)


def table_tmdl(table: str, spec: dict) -> str:
    out = [f"/// {spec['description']}", f"table {quote(table)}", f"\tlineageTag: {tag(table)}", ""]
    numbers = [c for c, kind in spec["columns"] if TMDL_TYPES[kind] in ("int64", "double")]
    types = dict(spec["columns"])
    if "all_dimensions" in spec:
        for column in numbers:
            fmt = "#,0" if TMDL_TYPES[types[column]] == "int64" else "#,0.###"
            fmt = "0.0%" if "share" in column else ("#,0 €" if "eur" in column else fmt)
            dax = one_row_measure(table, spec, column, f"MAXX({{rows}}, {{t}}[{column}])")
            out += [f"\tmeasure {quote(measure_name(table, column))} ="]
            out += [f"\t\t\t{line}" for line in dax.splitlines()]
            out += [f"\t\tformatString: {fmt}", f"\t\tlineageTag: {tag(table, 'm', column)}", ""]
        dax = one_row_measure(
            table,
            spec,
            "is_suppressed",
            f'IF(MAXX({{rows}}, INT({{t}}[is_suppressed])) = 1, "{SUPPRESSED_LABEL}", "")',
        )
        out += [f"\tmeasure {quote(suppressed_measure(table))} ="]
        out += [f"\t\t\t{line}" for line in dax.splitlines()]
        out += [f"\t\tlineageTag: {tag(table, 'm', 'is_suppressed')}", ""]
    for column, kind in spec["columns"]:
        data_type = TMDL_TYPES[kind]
        fi, en = label(column)
        out += [
            f"\t/// {fi} / {en}",
            f"\tcolumn {quote(column)}",
            f"\t\tdataType: {data_type}",
        ]
        if kind == "date":
            out.append("\t\tformatString: yyyy-mm-dd")
        out += [
            f"\t\tlineageTag: {tag(table, column)}",
            "\t\tsummarizeBy: none",
            f"\t\tsourceColumn: {column}",
            "",
        ]
    out += [f"\tpartition {quote(table)} = m", "\t\tmode: import", "\t\tsource ="]
    out += [f"\t\t\t\t{line}" for line in files_expression(table, spec).splitlines()]
    return "\n".join(out) + "\n"


def level_name(column: str, level: str) -> str:
    """Finnish / English name of a level, as the dimension tables show it."""
    default = (f"{level} v", f"{level} years") if column == "age_group" else (level,)
    return " / ".join(LEVEL_LABELS.get(column, {}).get(level, default))


def dimension_tmdl(column: str, table: str, levels: list[str] | None) -> str:
    fi, en = label(column)
    out = [
        f"/// {fi} / {en}: one row per level (incl. `all`); filters every mart with {column}.",
        f"table {quote(table)}",
        f"\tlineageTag: {tag('dim', table)}",
        "",
        f"\tcolumn {column}",
        "\t\tdataType: string",
        f"\t\tlineageTag: {tag('dim', table, column)}",
        "\t\tsummarizeBy: none",
        f"\t\tsourceColumn: {column}",
        "",
        "\tcolumn nimi_name",
        "\t\tdataType: string",
        f"\t\tlineageTag: {tag('dim', table, 'name')}",
        "\t\tsummarizeBy: none",
        "\t\tsourceColumn: nimi_name",
        "",
        f"\tpartition {quote(table)} = m",
        "\t\tmode: import",
        "\t\tsource =",
    ]
    names = LEVEL_LABELS.get(column, {})
    if levels is not None:
        pairs = [(level, level_name(column, level)) for level in levels]
        rows = ", ".join("{" + f'"{level}", "{name}"' + "}" for level, name in pairs)
        body = [
            "let",
            f"    Source = #table(type table [{column} = text, nimi_name = text], {{{rows}}})",
            "in",
            "    Source",
        ]
    else:
        body = [
            "let",
            '    Pyramid = Parquet.Document(File.Contents(ReportFilesFolder & "all_ages\\'
            'bi_kaiser_pyramid.parquet")),',
            f'    Levels = Table.Distinct(Table.SelectColumns(Pyramid, {{"{column}"}})),',
            f'    Source = Table.AddColumn(Levels, "nimi_name", each if [{column}] = "all" then '
            f'"{" / ".join(names["all"])}" else if [{column}] = "undisclosed" then '
            f'"{" / ".join(names["undisclosed"])}" else [{column}], type text)',
            "in",
            "    Source",
        ]
    out += [f"\t\t\t\t{line}" for line in body]
    return "\n".join(out) + "\n"


def relationships(tables: dict[str, dict]) -> list[tuple[str, str, str, str]]:
    """(from table, from column, to table, to column): many-to-one, filtering the marts."""
    found = []
    for table, spec in tables.items():
        names = [c for c, _ in spec["columns"]]
        if spec["folder"] == "bi":
            for column, (dim, _) in DIMENSIONS.items():
                if column in names:
                    found.append((table, column, dim, column))
            service = next((c for c in SERVICE_COLUMNS if c in names), None)
            if service:
                found.append((table, service, SERVICE_TABLE, "service_key"))
    found.append(("dq_quarantine_by_reason", "source_table", "dq_reconciliation", "source_table"))
    found.append(("dq_source_freshness", "source_table", "dq_reconciliation", "source_table"))
    return found


def relationships_tmdl(tables: dict[str, dict]) -> str:
    out = []
    for from_table, from_column, to_table, to_column in relationships(tables):
        out += [
            f"relationship {tag('rel', from_table, from_column)}",
            f"\tfromColumn: {quote(from_table)}.{quote(from_column)}",
            f"\ttoColumn: {quote(to_table)}.{quote(to_column)}",
            "",
        ]
    return "\n".join(out)


def model_files(tables: dict[str, dict]) -> dict[str, str]:
    files = {
        "definition/database.tmdl": "database\n\tcompatibilityLevel: 1567\n",
        "definition/expressions.tmdl": (
            "/// Folder of the Power BI report files that `pcdm run` writes (--exports-dir; "
            "default <data-dir>/powerbi/), ending in a backslash.\n"
            f'expression ReportFilesFolder = "{DEFAULT_FOLDER}" '
            'meta [IsParameterQuery=true, Type="Text", IsParameterQueryRequired=true]\n'
            f"\tlineageTag: {tag('parameter')}\n\n"
            "\tannotation PBI_ResultType = Text\n"
        ),
        "definition/relationships.tmdl": relationships_tmdl(tables),
    }
    names = [*tables, *(dim for dim, _ in DIMENSIONS.values())]
    files["definition/model.tmdl"] = (
        "model Model\n\tculture: fi-FI\n\tdefaultPowerBIDataSourceVersion: powerBI_V3\n"
        "\tdiscourageImplicitMeasures\n\tsourceQueryCulture: fi-FI\n\n"
        + "".join(f"ref table {quote(name)}\n" for name in names)
    )
    for table, spec in tables.items():
        files[f"definition/tables/{table}.tmdl"] = table_tmdl(table, spec)
    for column, (dim, levels) in DIMENSIONS.items():
        files[f"definition/tables/{dim}.tmdl"] = dimension_tmdl(column, dim, levels)
    files["definition.pbism"] = dumps(
        {
            "$schema": "https://developer.microsoft.com/json-schemas/fabric/item/semanticModel/"
            "definitionProperties/1.0.0/schema.json",
            "version": "4.2",
            "settings": {},
        }
    )
    files[".platform"] = platform("SemanticModel")
    return files


# ---- PBIR -------------------------------------------------------------------------------------
SCHEMA = "https://developer.microsoft.com/json-schemas/fabric/item/report/definition"


def dumps(value: object) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False) + "\n"


def platform(kind: str) -> str:
    return dumps(
        {
            "$schema": "https://developer.microsoft.com/json-schemas/fabric/gitIntegration/"
            "platformProperties/2.0.0/schema.json",
            "metadata": {"type": kind, "displayName": NAME},
            "config": {"version": "2.0", "logicalId": tag("platform", kind)},
        }
    )


def literal(value: str | bool | int) -> dict:
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, int):
        text = f"{value}L"
    else:
        text = "'" + value.replace("'", "''") + "'"
    return {"expr": {"Literal": {"Value": text}}}


def column_field(table: str, column: str) -> dict:
    return {"Column": {"Expression": {"SourceRef": {"Entity": table}}, "Property": column}}


def measure_field(table: str, measure: str) -> dict:
    return {"Measure": {"Expression": {"SourceRef": {"Entity": table}}, "Property": measure}}


def projection(field: dict) -> dict:
    kind = "Column" if "Column" in field else "Measure"
    entity = field[kind]["Expression"]["SourceRef"]["Entity"]
    prop = field[kind]["Property"]
    return {"field": field, "queryRef": f"{entity}.{prop}", "nativeQueryRef": prop}


def in_filter(table: str, column: str, values: list[str], negate: bool = False) -> dict:
    condition: dict = {
        "In": {
            "Expressions": [
                {"Column": {"Expression": {"SourceRef": {"Source": "t"}}, "Property": column}}
            ],
            "Values": [[literal(v)["expr"]] for v in values],
        }
    }
    if negate:
        condition = {"Not": {"Expression": condition}}
    return {
        "Version": 2,
        "From": [{"Name": "t", "Entity": table, "Type": 0}],
        "Where": [{"Condition": condition}],
    }


def title(text: str) -> dict:
    return {"title": [{"properties": {"show": literal(True), "text": literal(text)}}]}


def visual(name: str, x: int, y: int, w: int, h: int, body: dict, filters=None) -> dict:
    out = {
        "$schema": f"{SCHEMA}/visualContainer/2.4.0/schema.json",
        "name": name,
        "position": {"x": x, "y": y, "z": 0, "width": w, "height": h, "tabOrder": 0},
        "visual": body,
    }
    if filters:
        out["filterConfig"] = {
            "filters": [
                {
                    "name": tag("filter", name, str(i)).replace("-", "")[:20],
                    "field": column_field(table, column),
                    "type": "Categorical",
                    "filter": in_filter(table, column, values, negate),
                    "howCreated": "User",
                }
                for i, (table, column, values, negate) in enumerate(filters)
            ]
        }
    return out


def slicer(
    name: str, x: int, table: str, column: str, default: str | None, header: str | None = None
) -> dict:
    """A single-select dropdown; `default` is its selection when the report opens (None: none);
    `header` names the column whose label it shows (default: the column itself)."""
    fi, en = label(header or column)
    out = visual(
        name,
        x,
        64,
        200,
        64,
        {
            "visualType": "slicer",
            "query": {
                "queryState": {"Values": {"projections": [projection(column_field(table, column))]}}
            },
            "objects": {
                "data": [{"properties": {"mode": literal("Dropdown")}}],
                "selection": [
                    {
                        "properties": {
                            "singleSelect": literal(True),
                            "strictSingleSelect": literal(True),
                        }
                    }
                ],
                "header": [
                    {"properties": {"show": literal(True), "text": literal(f"{fi} / {en}")}}
                ],
            },
            "drillFilterOtherVisuals": True,
        },
    )
    if default is not None:
        selected = {"filter": {"filter": in_filter(table, column, [default])}}
        out["visual"]["objects"]["general"] = [{"properties": selected}]
    return out


def textbox(name: str, text: str, y: int = 0, h: int = 56) -> dict:
    return visual(
        name,
        16,
        y,
        1248,
        h,
        {
            "visualType": "textbox",
            "objects": {
                "general": [{"properties": {"paragraphs": [{"textRuns": [{"value": text}]}]}}]
            },
        },
    )


def page_files(page_id: str, display: str, visuals: list[dict]) -> dict[str, str]:
    files = {
        f"definition/pages/{page_id}/page.json": dumps(
            {
                "$schema": f"{SCHEMA}/page/2.0.0/schema.json",
                "name": page_id,
                "displayName": display,
                "displayOption": "FitToPage",
                "height": 720,
                "width": 1280,
            }
        )
    }
    for v in visuals:
        files[f"definition/pages/{page_id}/visuals/{v['name']}/visual.json"] = dumps(v)
    return files


def view_pages(tables: dict[str, dict]) -> tuple[list[str], dict[str, str]]:
    order, files = [], {}
    for view in VIEWS:
        visuals = [textbox(f"{view.id}_title", f"{view.title_fi} / {view.title_en}")]
        x = 16
        seen: set[tuple[str, str]] = set()
        axes = {c.axis for c in view.charts} | {k for c in view.charts for k in c.fixed}
        for chart in view.charts:
            spec = tables[chart.mart]
            for column, _ in spec["columns"]:
                if column in axes or column == "reference_date":
                    continue
                if TMDL_TYPES[dict(spec["columns"])[column]] != "string":
                    continue
                slicer_table = DIMENSIONS[column][0] if column in DIMENSIONS else chart.mart
                if (slicer_table, column) in seen:
                    continue
                seen.add((slicer_table, column))
                has_all = column in spec["all_dimensions"] or column in DIMENSIONS
                if not has_all and column not in view.defaults:
                    continue  # a descriptive column, not a filter
                default = "all" if has_all else view.defaults[column]
                shown = column
                static = DIMENSIONS.get(column, (None, None))[1]
                if static is not None:  # the level's Finnish / English name, not its code
                    shown, default = "nimi_name", level_name(column, "all")
                visuals.append(
                    slicer(f"{view.id}_slicer_{column}", x, slicer_table, shown, default, column)
                )
                x += 208
        height = (720 - 144) // len(view.charts)
        for i, chart in enumerate(view.charts):
            spec = tables[chart.mart]
            measures = chart.measures or tuple(
                c
                for c, k in spec["columns"]
                if TMDL_TYPES[k] in ("int64", "double") and c != chart.axis
            )
            y = 136 + i * height
            filters = [(chart.mart, k, [v], False) for k, v in chart.fixed.items()]
            if chart.axis in spec["all_dimensions"]:
                filters.append((chart.mart, chart.axis, ["all"], True))
            category = projection(column_field(chart.mart, chart.axis))
            kind = "lineChart" if chart.kind == "line" else "clusteredBarChart"
            first = projection(measure_field(chart.mart, measure_name(chart.mart, measures[0])))
            visuals.append(
                visual(
                    f"{view.id}_chart_{i}",
                    16,
                    y,
                    620,
                    height - 8,
                    {
                        "visualType": kind,
                        "query": {
                            "queryState": {
                                "Category": {"projections": [category]},
                                "Y": {"projections": [first]},
                            }
                        },
                        "visualContainerObjects": title(f"{chart.title_fi} / {chart.title_en}"),
                        "drillFilterOtherVisuals": True,
                    },
                    filters,
                )
            )
            values = [category] + [
                projection(measure_field(chart.mart, measure_name(chart.mart, m))) for m in measures
            ]
            values.append(projection(measure_field(chart.mart, suppressed_measure(chart.mart))))
            visuals.append(
                visual(
                    f"{view.id}_table_{i}",
                    648,
                    y,
                    616,
                    height - 8,
                    {
                        "visualType": "tableEx",
                        "query": {"queryState": {"Values": {"projections": values}}},
                        "visualContainerObjects": title("Taulukko / Table"),
                        "drillFilterOtherVisuals": True,
                    },
                    filters,
                )
            )
        order.append(view.id)
        files.update(page_files(view.id, f"{view.title_fi} / {view.title_en}", visuals))
    return order, files


def stewards_page(tables: dict[str, dict]) -> dict[str, str]:
    def table_visual(name, table, y, h, columns=None):
        columns = columns or [c for c, _ in tables[table]["columns"]]
        return visual(
            name,
            16 if "left" not in name else 16,
            y,
            1248,
            h,
            {
                "visualType": "tableEx",
                "query": {
                    "queryState": {
                        "Values": {
                            "projections": [projection(column_field(table, c)) for c in columns]
                        }
                    }
                },
                "visualContainerObjects": title(f"{table}"),
                "drillFilterOtherVisuals": True,
            },
        )

    visuals = [
        textbox("stewards_title", "Tiedon laatu / Data quality for stewards"),
        slicer("stewards_slicer_status", 16, "dq_results", "status", None),
        table_visual(
            "stewards_results",
            "dq_results",
            136,
            200,
            [
                "source",
                "check_name",
                "severity",
                "status",
                "observed_value",
                "threshold",
                "details",
            ],
        ),
        table_visual("stewards_quarantine", "dq_quarantine_by_reason", 344, 150),
        table_visual("stewards_reconciliation", "dq_reconciliation", 502, 100),
        table_visual("stewards_freshness", "dq_source_freshness", 610, 100),
    ]
    return page_files("stewards", "Tiedon laatu / Data quality", visuals)


def report_files(tables: dict[str, dict]) -> dict[str, str]:
    order, files = view_pages(tables)
    files.update(stewards_page(tables))
    order.append("stewards")
    files["definition/pages/pages.json"] = dumps(
        {
            "$schema": f"{SCHEMA}/pagesMetadata/1.0.0/schema.json",
            "pageOrder": order,
            "activePageName": order[0],
        }
    )
    files["definition/version.json"] = dumps(
        {"$schema": f"{SCHEMA}/versionMetadata/1.0.0/schema.json", "version": "2.0.0"}
    )
    files["definition/report.json"] = dumps(
        {
            "$schema": f"{SCHEMA}/report/1.0.0/schema.json",
            "themeCollection": {
                "baseTheme": {
                    "name": "CY24SU10",
                    "reportVersionAtImport": "5.61",
                    "type": "SharedResources",
                }
            },
            "layoutOptimization": "None",
            "settings": {
                "useStylableVisualContainerHeader": True,
                "defaultDrillFilterOtherVisuals": True,
                "allowChangeFilterTypes": True,
            },
        }
    )
    files["definition.pbir"] = dumps(
        {
            "$schema": f"{SCHEMA}Properties/2.0.0/schema.json",
            "version": "4.0",
            "datasetReference": {"byPath": {"path": f"../{NAME}.SemanticModel"}},
        }
    )
    files[".platform"] = platform("Report")
    return files


def project_files() -> dict[str, str]:
    tables = contracts()
    files = {
        f"{NAME}.pbip": dumps(
            {
                "$schema": "https://developer.microsoft.com/json-schemas/fabric/pbip/"
                "pbipProperties/1.0.0/schema.json",
                "version": "1.0",
                "artifacts": [{"report": {"path": f"{NAME}.Report"}}],
                "settings": {"enableAutoRecovery": True},
            }
        ),
        ".gitignore": "**/.pbi/localSettings.json\n**/.pbi/cache.abf\n",
    }
    files.update({f"{NAME}.SemanticModel/{k}": v for k, v in model_files(tables).items()})
    files.update({f"{NAME}.Report/{k}": v for k, v in report_files(tables).items()})
    return files


def write(target: Path) -> None:
    shutil.rmtree(target, ignore_errors=True)
    for relative, text in project_files().items():
        path = target / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8", newline="\n")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true", help="compare, do not write")
    args = parser.parse_args()
    if not args.check:
        write(OUT)
        print(f"Power BI project written: {OUT / (NAME + '.pbip')}")
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        write(Path(tmp))
        fresh = {p.relative_to(tmp): p.read_text() for p in Path(tmp).rglob("*") if p.is_file()}
        kept = {p.relative_to(OUT): p.read_text() for p in OUT.rglob("*") if p.is_file()}
    if fresh == kept:
        return 0
    for name in sorted(set(fresh) | set(kept)):
        if fresh.get(name) != kept.get(name):
            sys.stdout.writelines(
                difflib.unified_diff(
                    kept.get(name, "").splitlines(True),
                    fresh.get(name, "").splitlines(True),
                    f"powerbi/{name}",
                    f"generated/{name}",
                )
            )
    return 1


if __name__ == "__main__":
    sys.exit(main())
