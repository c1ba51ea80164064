"""The raw input contract, read from the dbt sources YAML (the one place it is written down).

Each raw table of `spec/raw-contract.md` is a source table in
`models/staging/<system>/_<system>__sources.yml` with its columns, their `data_type`, and
`meta.identity: true` on identity-code columns.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

PROJECT_DIR = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Column:
    name: str
    data_type: str
    identity: bool


@dataclass(frozen=True)
class RawTable:
    name: str
    system: str
    grain: tuple[str, ...]
    columns: tuple[Column, ...]

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]


@cache
def load_contract(project_dir: Path = PROJECT_DIR) -> dict[str, RawTable]:
    """Every raw table of the contract, by table name, in the order the YAML lists them."""
    tables: dict[str, RawTable] = {}
    for path in sorted((project_dir / "models" / "staging").glob("*/_*__sources.yml")):
        for source in yaml.safe_load(path.read_text(encoding="utf-8"))["sources"]:
            if source["name"] == "omop":  # the OMOP CDM input, not the raw contract
                continue
            for table in source["tables"]:
                meta = table.get("config", {}).get("meta", {})
                columns = tuple(
                    Column(
                        name=c["name"],
                        data_type=c["data_type"],
                        identity=bool(c.get("config", {}).get("meta", {}).get("identity", False)),
                    )
                    for c in table["columns"]
                )
                grain = tuple(k.strip() for k in meta["grain"].split(","))
                tables[table["name"]] = RawTable(table["name"], source["name"], grain, columns)
    return tables
