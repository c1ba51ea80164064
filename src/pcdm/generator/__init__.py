"""Synthetic wellbeing services county: writes a raw delivery (raw contract v1) with injected
reliability cases and a manifest of them.

    from pcdm.generator import CountyConfig, generate
    result = generate(CountyConfig(county="kanta-hame", residents=20_000), Path("data/raw"))
"""

from pcdm.generator.config import COUNTY_CODES, CountyConfig, GenerationResult
from pcdm.generator.core import MANIFEST_NAME, generate

__all__ = ["COUNTY_CODES", "CountyConfig", "GenerationResult", "MANIFEST_NAME", "generate"]
