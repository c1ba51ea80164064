"""Plausibility of the segmentation on a generated county of ~20 000 residents: the population-level
figures `pcdm run` prints (pipeline.segmentation_figures) must fall in ranges that published Finnish
and international figures make plausible. These are sanity bounds for the rules and the generator
together, not exact answers (those are pinned in test_segmentation_rules.py).

Sources of the ranges:
- heavy service users: about 10 % of the population use most of the services (Soite multi-service
  model, THL "paljon palveluja käyttävät"); with the default rules 5-20 % of residents in scope;
- Kaiser Permanente triangle: roughly 70-80 % wellness/prevention and self-management (tiers 0+1,
  here at least 80 % as chronic groups are counted only from recorded diagnoses), high-risk care
  management 15-20 %, complex case management 1-5 % of chronic patients (0.3-5 % of residents);
- customer segments (asiakkuussegmentointi, e.g. Siun sote, Eksote): the self-reliant segment is by
  far the largest, and all four segments occur;
- cost concentration: the costliest 10 % of residents use 60-90 % (Finnish studies: ~10 % of
  residents account for ~70-80 % of social and health care costs).
"""

from __future__ import annotations

import duckdb
import pytest

from pcdm import pipeline
from pcdm.generator import CountyConfig, generate

SALT = "plausibility-salt-0123456789abcdef"
RESIDENTS = 20_000


@pytest.fixture(scope="module")
def figures(tmp_path_factory: pytest.TempPathFactory):
    work = tmp_path_factory.mktemp("plausibility")
    raw = work / "raw"
    generate(CountyConfig(residents=RESIDENTS, seed=7, defect_rate=0.002), raw, progress=False)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PCDM_PSEUDONYM_SALT", SALT)
        target = pipeline.DbtTarget(
            raw_path=raw,
            database_path=work / "warehouse.duckdb",
            raw_format=pipeline.detect_raw_format(raw),
            work_path=work,
        )
        # As a county runs it: every model and data test, no unit tests (they pin the defaults).
        pipeline.build(target, unit_tests=False, quiet=True)
    with duckdb.connect(str(target.database_path), read_only=True) as con:
        result = pipeline.segmentation_figures(con)
        chronic_patients = con.sql(
            "select count(*) from pcdm.person_segment where n_chronic > 0"
        ).fetchall()[0][0]
    assert result is not None
    result["chronic_patients"] = chronic_patients
    result["summary"] = pipeline.summary(target.database_path)
    return result


def test_population_in_scope_is_about_the_residents(figures):
    assert 0.9 * RESIDENTS <= figures["persons"] <= 1.05 * RESIDENTS
    assert figures["rule_version"] == "pcdm-default-1"


def test_heavy_users_share(figures):
    assert 0.05 <= figures["heavy_user_share"] <= 0.20


def test_kaiser_pyramid(figures):
    tiers = figures["kaiser_tier_shares"]
    assert tiers[0] + tiers[1] >= 0.80
    assert tiers[0] > tiers[1] > tiers[2] > tiers[3]  # a pyramid
    assert 0.003 <= tiers[3] <= 0.05
    tier3_of_chronic = tiers[3] * figures["persons"] / figures["chronic_patients"]
    assert 0.01 <= tier3_of_chronic <= 0.05


def test_all_four_segments_with_self_reliant_the_largest(figures):
    shares = figures["segment_shares"]
    assert all(share > 0 for share in shares.values()), shares
    assert max(shares, key=shares.get) == "self_reliant"


def test_cost_concentration(figures):
    assert 0.6 <= figures["top_decile_cost_share"] <= 0.9


def test_key_customers_and_care_gaps(figures):
    # cost top decile (10 %) plus the network segment, which overlap
    assert 0.10 <= figures["key_customer_share"] <= 0.20
    assert figures["care_gaps"] >= figures["care_gap_persons"] > 0


def test_summary_prints_the_segmentation_block(figures):
    text = figures["summary"]
    for label in ("heavy service users", "Kaiser tiers", "segments", "key customers", "care gaps"):
        assert label in text
    assert "costliest 10 %" in text
