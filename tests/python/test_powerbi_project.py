"""The Power BI Project in powerbi/ against the data it reads.

A small parser of our own reads the TMDL semantic model (tables, columns, types, measures,
partitions, relationships) and the PBIR report (every field a visual, filter or slicer names). The
checks compare them with the Parquet files of a `pcdm run` (the county_build fixture) and with the
dbt contracts in its manifest.json: a table, column, type, measure or file that does not exist is
named. A renamed mart column, in the contract or in the exported file, fails (shown on copies).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

ROOT = Path(__file__).resolve().parents[2]
PROJECT = ROOT / "powerbi"
MODEL = PROJECT / "pcdm.SemanticModel" / "definition"
REPORT = PROJECT / "pcdm.Report" / "definition"
# dbt contract types -> TMDL dataType
CONTRACT_TYPES = {
    "varchar": "string",
    "bigint": "int64",
    "integer": "int64",
    "double": "double",
    "boolean": "boolean",
    "date": "dateTime",
    "timestamp": "dateTime",
}
# Tables the data-quality gate writes (src/pcdm/quality/results.py): not dbt models, so their only
# contract is the exported file.
GATE_TABLES = {"dq_results", "dq_check_results"}


# ---- TMDL ---------------------------------------------------------------------------------
OBJECTS = {
    "database", "model", "table", "column", "measure", "partition", "relationship", "expression",
    "annotation", "ref", "hierarchy", "level", "culture", "role", "perspective",
}  # fmt: skip
NAME = r"'(?:[^']|'')*'|[^\s=.'\[\]]+"


def unquote(name: str) -> str:
    return name[1:-1].replace("''", "'") if name.startswith("'") else name


@dataclass
class Node:
    kind: str
    name: str
    depth: int
    expression: list[str] = field(default_factory=list)
    properties: dict[str, str] = field(default_factory=dict)
    children: list[Node] = field(default_factory=list)

    def all(self, kind: str) -> list[Node]:
        return [child for child in self.children if child.kind == kind]


def parse_tmdl(text: str, source: str) -> list[Node]:
    """TMDL objects by tab indentation: `kind name [= expression]`, properties `key: value`,
    flags, `///` descriptions; a multi-line expression is every deeper line after `=`."""
    roots: list[Node] = []
    stack: list[Node] = []
    # (owner, the depth its expression is deeper than, the property it is the value of)
    open_expression: tuple[Node, int, str | None] | None = None
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        depth = len(line) - len(line.lstrip("\t"))
        stripped = line.strip()
        if open_expression and depth > open_expression[1]:
            owner, _, prop = open_expression
            if prop is None:
                owner.expression.append(stripped)
            else:
                owner.properties[prop] += "\n" + stripped
            continue
        open_expression = None
        if line[depth] == " ":
            raise ValueError(f"{source}:{number}: indented with spaces, TMDL uses tabs")
        if stripped.startswith("///"):
            continue
        word = stripped.split(maxsplit=1)[0]
        if word in OBJECTS:
            match = re.fullmatch(
                rf"(\w+)(?:\s+table)?\s*((?:{NAME})(?:\.(?:{NAME}))*)?\s*(=.*)?", stripped
            )
            if not match:
                raise ValueError(f"{source}:{number}: cannot read {stripped!r}")
            node = Node(word, unquote(match.group(2) or ""), depth)
            rest = (match.group(3) or "")[1:].strip()
            if rest:
                node.expression.append(rest)
            elif match.group(3) is not None:  # the expression is deeper than the properties
                open_expression = (node, depth + 1, None)
            while stack and stack[-1].depth >= depth:
                stack.pop()
            if stack:
                if depth != stack[-1].depth + 1:
                    raise ValueError(f"{source}:{number}: {word} is not one level under its parent")
                stack[-1].children.append(node)
            elif depth == 0:
                roots.append(node)
            else:
                raise ValueError(f"{source}:{number}: {word} has no parent object")
            stack.append(node)
            continue
        while stack and stack[-1].depth >= depth:
            stack.pop()
        if not stack or depth != stack[-1].depth + 1:
            raise ValueError(f"{source}:{number}: property {stripped!r} belongs to no object")
        owner = stack[-1]
        prop = re.fullmatch(r"(\w+)\s*(:|=)\s*(.*)", stripped)
        if prop is None:
            owner.properties[stripped] = "true"  # a flag such as isHidden
            continue
        key, sign, value = prop.groups()
        owner.properties[key] = value
        if sign == "=" and not value:
            open_expression = (owner, depth, key)
    return roots


@dataclass
class Model:
    tables: dict[str, Node]
    relationships: list[Node]
    expressions: dict[str, Node]
    refs: list[str]

    def columns(self, table: str) -> dict[str, str]:
        return {c.name: c.properties.get("dataType", "") for c in self.tables[table].all("column")}

    def measures(self, table: str) -> dict[str, str]:
        return {m.name: "\n".join(m.expression) for m in self.tables[table].all("measure")}


def load_model(definition: Path = MODEL) -> Model:
    tables: dict[str, Node] = {}
    for path in sorted((definition / "tables").glob("*.tmdl")):
        (table,) = parse_tmdl(path.read_text(encoding="utf-8"), path.name)
        assert table.kind == "table" and path.stem == table.name, path.name
        tables[table.name] = table
    relationships = parse_tmdl((definition / "relationships.tmdl").read_text("utf-8"), "rel")
    expressions = parse_tmdl((definition / "expressions.tmdl").read_text("utf-8"), "expressions")
    roots = parse_tmdl((definition / "model.tmdl").read_text("utf-8"), "model.tmdl")
    assert [node.kind for node in roots][:1] == ["model"]
    return Model(
        tables=tables,
        relationships=relationships,
        expressions={e.name: e for e in expressions},
        refs=[node.name for node in roots if node.kind == "ref"],
    )


# ---- the checks ---------------------------------------------------------------------------
def parquet_type(arrow_type: pa.DataType) -> str:
    if pa.types.is_string(arrow_type) or pa.types.is_large_string(arrow_type):
        return "string"
    if pa.types.is_integer(arrow_type):
        return "int64"
    if pa.types.is_floating(arrow_type):
        return "double"
    if pa.types.is_boolean(arrow_type):
        return "boolean"
    if pa.types.is_date(arrow_type) or pa.types.is_timestamp(arrow_type):
        return "dateTime"
    return str(arrow_type)


def partition_files(table: Node) -> list[str]:
    (partition,) = table.all("partition")
    source = partition.properties.get("source", "")
    return [m.replace("\\", "/") for m in re.findall(r'ReportFilesFolder & "([^"]+)"', source)]


def contract_columns(manifest: dict, table: str) -> list[tuple[str, str]] | None:
    for key in (f"model.pcdm.{table}", f"seed.pcdm.{table}"):
        node = manifest["nodes"].get(key)
        if node is None:
            continue
        if key.startswith("seed."):
            return [(c, t.lower()) for c, t in node["config"]["column_types"].items()]
        return [(c["name"], (c.get("data_type") or "").lower()) for c in node["columns"].values()]
    return None


def field_refs(value: object, aliases: dict[str, str] | None = None):
    """(kind, entity, property) of every Column/Measure a PBIR object names."""
    aliases = dict(aliases or {})
    if isinstance(value, dict):
        for source in value.get("From", []) if isinstance(value.get("From"), list) else []:
            aliases[source["Name"]] = source["Entity"]
        for kind in ("Column", "Measure"):
            ref = value.get(kind)
            if isinstance(ref, dict) and "Property" in ref:
                source = ref["Expression"]["SourceRef"]
                entity = source.get("Entity") or aliases.get(source.get("Source"))
                yield kind, entity, ref["Property"]
        for item in value.values():
            yield from field_refs(item, aliases)
    elif isinstance(value, list):
        for item in value:
            yield from field_refs(item, aliases)


def column_values(model: Model, exports: Path, table: str, column: str) -> tuple[set[str], str]:
    """The levels of a column, and the one that stands for `all` ('' when there is none): in the
    exported files, or in the rows of a dimension table written in its partition."""
    files = partition_files(model.tables[table])
    if files:
        levels = {
            str(v)
            for path in files
            for v in pq.read_table(exports / path, columns=[column]).column(0).to_pylist()
        }
        return levels, "all" if "all" in levels else ""
    (partition,) = model.tables[table].all("partition")
    rows = re.findall(r'\{"([^"]*)", "([^"]*)"\}', partition.properties["source"])
    columns = list(model.columns(table))
    pick = columns.index(column)
    levels = {row[pick] for row in rows}
    everything = next((row[pick] for row in rows if row[0] == "all"), "")
    return levels, everything


def check_project(
    exports: Path, manifest_path: Path, model_dir: Path = MODEL, report: Path = REPORT
) -> list[str]:
    """Every problem found, one line each (empty: the project matches the data)."""
    problems: list[str] = []
    model = load_model(model_dir)
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    if sorted(model.refs) != sorted(model.tables):
        problems.append(
            f"model.tmdl refs {sorted(model.refs)} != table files {sorted(model.tables)}"
        )
    if "ReportFilesFolder" not in model.expressions:
        problems.append("no folder parameter ReportFilesFolder")
    exported = {p.stem for p in (exports / "all_ages").glob("*.parquet")}
    for missing in sorted(exported - set(model.tables)):
        problems.append(f"exported mart {missing} has no table in the model")
    for name, table in model.tables.items():
        columns = model.columns(name)
        files = partition_files(table)
        (partition,) = table.all("partition")
        selected = re.findall(
            r'Table\.SelectColumns\([^,]+, \{"([^"]+)"\}\)', partition.properties["source"]
        )
        for path in files:
            if not (exports / path).is_file():
                problems.append(f"{name}: partition reads {path}, which the export does not write")
                continue
            found = [(f.name, parquet_type(f.type)) for f in pq.read_schema(exports / path)]
            if selected:  # a dimension of the levels of one column of a file
                for column in selected:
                    if (column, columns.get(column)) not in found:
                        problems.append(
                            f"{name}: {path} has no {column} of type {columns.get(column)}"
                        )
            elif found != list(columns.items()):
                problems.append(f"{name}: columns {list(columns.items())} != {path} {found}")
        if files and not selected:
            for column in table.all("column"):
                if column.properties.get("sourceColumn") != column.name:
                    problems.append(f"{name}.{column.name}: sourceColumn differs from its name")
            contract = contract_columns(manifest, name)
            if contract is None and name not in GATE_TABLES:
                problems.append(f"{name}: no dbt contract (model or seed) in the manifest")
            elif contract is not None:
                expected = [(c, CONTRACT_TYPES.get(t, t)) for c, t in contract]
                if expected != list(columns.items()):
                    problems.append(
                        f"{name}: columns {list(columns.items())} != contract {expected}"
                    )
        for measure, dax in model.measures(name).items():
            for ref_table, ref_column in re.findall(
                r"('(?:[^']|'')*'|\b[A-Za-z_]\w*)\[([^\]]+)\]", dax
            ):
                ref_table = unquote(ref_table)
                if ref_table not in model.tables:
                    problems.append(f"measure {measure!r}: no table {ref_table}")
                elif ref_column not in model.columns(ref_table):
                    problems.append(f"measure {measure!r}: no column {ref_table}[{ref_column}]")
    for rel in model.relationships:
        ends = []
        for end in ("fromColumn", "toColumn"):
            match = re.fullmatch(rf"({NAME})\.({NAME})", rel.properties.get(end, ""))
            table, column = (
                (unquote(match.group(1)), unquote(match.group(2))) if match else ("", "")
            )
            if table not in model.tables or column not in model.columns(table):
                problems.append(f"relationship {rel.name}: no column {rel.properties.get(end)}")
            else:
                ends.append(model.columns(table)[column])
        if len(ends) == 2 and ends[0] != ends[1]:
            problems.append(f"relationship {rel.name}: types differ {ends}")
    problems += check_report(model, exports, report)
    return problems


def check_report(model: Model, exports: Path, report: Path = REPORT) -> list[str]:
    problems = []
    pages = json.loads((report / "pages" / "pages.json").read_text("utf-8"))
    folders = sorted(p.name for p in (report / "pages").iterdir() if p.is_dir())
    if sorted(pages["pageOrder"]) != folders or pages["activePageName"] not in folders:
        problems.append(f"pages.json {pages['pageOrder']} != page folders {folders}")
    for folder in folders:
        page = json.loads((report / "pages" / folder / "page.json").read_text("utf-8"))
        if page["name"] != folder:
            problems.append(f"page {folder}: name {page['name']}")
        for path in sorted((report / "pages" / folder / "visuals").glob("*/visual.json")):
            data = json.loads(path.read_text("utf-8"))
            where = f"{folder}/{data['name']}"
            if data["name"] != path.parent.name:
                problems.append(f"{where}: name differs from its folder")
            for kind, entity, prop in field_refs(data):
                if entity not in model.tables:
                    problems.append(f"{where}: no table {entity}")
                elif kind == "Column" and prop not in model.columns(entity):
                    problems.append(f"{where}: no column {entity}[{prop}]")
                elif kind == "Measure" and prop not in model.measures(entity):
                    problems.append(f"{where}: no measure {entity}[{prop}]")
            if data["visual"]["visualType"] == "slicer":
                problems += check_slicer(model, exports, where, data["visual"])
    return problems


def check_slicer(model: Model, exports: Path, where: str, visual: dict) -> list[str]:
    """Single selection, and a default level that exists: `all` wherever the column has it (a
    column without `all`, such as a steward's status, may start with no selection)."""
    problems = []
    selection = visual["objects"]["selection"][0]["properties"]
    if selection["singleSelect"]["expr"]["Literal"]["Value"] != "true":
        problems.append(f"{where}: slicer is not single-select")
    (projection,) = visual["query"]["queryState"]["Values"]["projections"]
    ref = projection["field"]["Column"]
    table, column = ref["Expression"]["SourceRef"]["Entity"], ref["Property"]
    if table not in model.tables or column not in model.columns(table):
        return problems  # named by check_report
    levels, everything = column_values(model, exports, table, column)
    if "general" not in visual["objects"]:  # no default: every level shown
        if everything:
            problems.append(f"{where}: no default, but {table}[{column}] has an `all` level")
        return problems
    default = visual["objects"]["general"][0]["properties"]["filter"]["filter"]
    (values,) = default["Where"][0]["Condition"]["In"]["Values"]
    chosen = values[0]["Literal"]["Value"][1:-1].replace("''", "'")
    if chosen not in levels:
        problems.append(f"{where}: default {chosen!r} is not a level of {table}[{column}]")
    if everything and chosen != everything:
        problems.append(f"{where}: default {chosen!r}, not the `all` level {everything!r}")
    return problems


# ---- tests --------------------------------------------------------------------------------
def test_the_project_matches_the_exported_files_and_the_dbt_contracts(county_build):
    assert check_project(county_build.exports, county_build.manifest) == []


def test_the_project_has_every_page_a_folder_parameter_and_suppression_safe_measures():
    model = load_model()
    pages = json.loads((REPORT / "pages" / "pages.json").read_text("utf-8"))["pageOrder"]
    assert pages == [
        "overview", "customers", "services", "pyramid", "cost", "quintuple", "paths", "stewards",
    ]  # fmt: skip
    parameter = model.expressions["ReportFilesFolder"].expression[0]
    assert "IsParameterQuery=true" in parameter
    for name, table in model.tables.items():
        if name.startswith("bi_"):
            assert all("Parquet.Document(File.Contents(" in p.properties["source"]
                       for p in table.all("partition"))  # fmt: skip
            measures = model.measures(name)
            assert measures, name
            for measure, dax in measures.items():
                # one published row, never an aggregate over several
                assert "COUNTROWS(_rows) = 1" in dax, measure
                assert not re.search(r"\b(SUM|SUMX|AVERAGE|COUNT)\(", dax), measure
    titles = [
        json.loads((REPORT / "pages" / page / "page.json").read_text("utf-8"))["displayName"]
        for page in pages
    ]
    assert all(" / " in title for title in titles)  # Finnish first, English beside


def test_the_files_are_what_the_generator_writes_from_the_contracts():
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "powerbi_project.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-3000:]


def test_a_renamed_mart_column_fails_in_the_contract_or_in_the_file(county_build, tmp_path):
    manifest = json.loads(county_build.manifest.read_text(encoding="utf-8"))
    node = manifest["nodes"]["model.pcdm.bi_service_users"]
    node["columns"] = {
        ("n_users" if k == "n_persons" else k): {**v, "name": "n_users" if k == "n_persons" else k}
        for k, v in node["columns"].items()
    }
    renamed_manifest = tmp_path / "manifest.json"
    renamed_manifest.write_text(json.dumps(manifest), encoding="utf-8")
    problems = check_project(county_build.exports, renamed_manifest)
    assert problems and all("bi_service_users" in p for p in problems), problems
    assert any("n_users" in p for p in problems)

    exports = tmp_path / "powerbi"
    shutil.copytree(county_build.exports, exports)
    for path in exports.glob("*/bi_service_users.parquet"):
        table = pq.read_table(path)
        names = ["n_users" if n == "n_persons" else n for n in table.column_names]
        pq.write_table(table.rename_columns(names), path)
    problems = check_project(exports, county_build.manifest)
    assert problems and any("n_users" in p and "all_ages/bi_service_users" in p for p in problems)


def test_a_wrong_slicer_default_or_field_in_the_report_fails(county_build, tmp_path):
    project = tmp_path / "powerbi"
    shutil.copytree(PROJECT, project)
    visuals = project / "pcdm.Report" / "definition" / "pages" / "overview" / "visuals"
    path = visuals / "overview_slicer_sex" / "visual.json"
    path.write_text(path.read_text("utf-8").replace("'Kaikki / All'", "'Naiset / Women'"), "utf-8")
    path = visuals / "overview_chart_0" / "visual.json"
    path.write_text(path.read_text("utf-8").replace("Henkilöitä / Persons", "Persons"), "utf-8")
    problems = check_project(
        county_build.exports,
        county_build.manifest,
        project / "pcdm.SemanticModel" / "definition",
        project / "pcdm.Report" / "definition",
    )
    assert any("overview_slicer_sex: default 'Naiset / Women'" in p for p in problems), problems
    assert any("overview_chart_0: no measure bi_service_users[Persons" in p for p in problems)
    assert len(problems) == 2, problems


def test_the_parser_names_what_it_cannot_read(tmp_path):
    with pytest.raises(ValueError, match="spaces"):
        parse_tmdl("table x\n    column y\n", "bad.tmdl")
    with pytest.raises(ValueError, match="not one level under"):
        parse_tmdl("table x\n\t\t\tcolumn y\n", "bad.tmdl")
    (table,) = parse_tmdl(
        "table 'a b'\n\tmeasure 'n / m' =\n\t\t\tVAR x = 1\n\t\t\tRETURN x\n\t\tformatString: 0\n"
        "\tcolumn c\n\t\tdataType: int64\n",
        "ok.tmdl",
    )
    assert table.name == "a b"
    assert table.all("measure")[0].expression == ["VAR x = 1", "RETURN x"]
    assert table.all("measure")[0].properties == {"formatString": "0"}
    assert table.all("column")[0].properties == {"dataType": "int64"}
