"""Configuration of one synthetic county and the result of generating it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

COUNTY_CODES: dict[str, str] = {"kanta-hame": "07", "keski-pohjanmaa": "18"}


@dataclass(frozen=True)
class CountyConfig:
    """What to generate. The same config always gives byte-identical tables."""

    county: str = "kanta-hame"
    residents: int | None = None
    seed: int = 20261101
    extract_at: datetime = datetime(2026, 11, 1, 2, 0)
    history_months: int = 26
    defect_rate: float = 0.002

    def __post_init__(self) -> None:
        if self.county not in COUNTY_CODES:
            raise ValueError(f"unknown county {self.county!r}: one of {', '.join(COUNTY_CODES)}")
        if self.residents is not None and self.residents < 100:
            raise ValueError("residents must be at least 100")
        if not 1 <= self.history_months <= 120:
            raise ValueError("history_months must be 1-120")
        if not 0 <= self.defect_rate < 0.5:
            raise ValueError("defect_rate must be in [0, 0.5)")

    @property
    def county_code(self) -> str:
        return COUNTY_CODES[self.county]


@dataclass
class GenerationResult:
    """What `generate` wrote."""

    residents: int
    row_counts: dict[str, int] = field(default_factory=dict)
    defect_rows: int = 0
    files: list[str] = field(default_factory=list)
    seconds: float = 0.0
