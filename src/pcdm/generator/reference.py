"""Reference data (dbt seeds) read at generation time, so clean rows only use known codes."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import pandas as pd

from pcdm.contract import PROJECT_DIR

SEEDS_DIR = PROJECT_DIR / "seeds"


def _read(name: str) -> pd.DataFrame:
    return pd.read_csv(SEEDS_DIR / f"{name}.csv", dtype=str, keep_default_na=False)


@dataclass(frozen=True)
class Reference:
    municipalities: pd.DataFrame
    service_code_map: pd.DataFrame
    service_tasks: pd.DataFrame
    chronic_codes: pd.DataFrame
    oral_procedures: pd.DataFrame
    contact_types: pd.DataFrame
    unit_costs: pd.DataFrame

    def codes(self, source_table: str, service_key: str) -> list[str]:
        """Source codes of a harmonised service in one source table (seed order)."""
        m = self.service_code_map
        rows = m[(m.source_table == source_table) & (m.service_key == service_key)]
        if rows.empty:
            raise KeyError(f"no source code for {source_table}/{service_key} in service_code_map")
        return rows.source_code.tolist()

    def unit_cost(self, service_key: str) -> float:
        u = self.unit_costs
        return float(u.loc[u.service_key == service_key, "unit_cost_eur"].iloc[0])


@cache
def load_reference() -> Reference:
    municipalities = _read("municipalities")
    municipalities["population"] = municipalities["population"].astype(int)
    return Reference(
        municipalities=municipalities,
        service_code_map=_read("service_code_map"),
        service_tasks=_read("social_service_tasks"),
        chronic_codes=_read("chronic_condition_codes"),
        oral_procedures=_read("oral_procedure_codes"),
        contact_types=_read("contact_type_channels"),
        unit_costs=_read("unit_costs"),
    )
