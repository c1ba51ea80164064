"""The disclosure-control engine (src/pcdm/privacy/) on small hand-made and random populations.

Persons are aggregated here the way the bi marts do (a dense cube with `all` levels), for two marts
that share their margins: the Kaiser pyramid (age, sex, municipality, tier) and the customer
segments (age, sex, municipality, segment). The attacker (audit.py) reads both at once.
"""

from __future__ import annotations

from collections import Counter
from itertools import product

import numpy as np
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from pcdm.privacy.audit import attack_published, audit
from pcdm.privacy.family import ALL, MART_BY_NAME, build_family
from pcdm.privacy.protect import _Alternatives, protect

MIN = 5
LEVELS = {
    "age_group": ("0-17", "65+"),
    "sex": ("female", "male"),
    "municipality_code": ("061", "109"),
    "kaiser_tier": ("0", "1", "3"),
    "customer_segment": ("self_reliant", "network"),
}
MARTS = ("bi_kaiser_pyramid", "bi_customer_segments")


def cube_rows(mart: str, persons: list[dict]) -> list[dict]:
    """The dense cube of a mart: every combination of levels and `all`, with its count."""
    spec = MART_BY_NAME[mart]
    counts: Counter = Counter()
    for person in persons:
        for mask in product((False, True), repeat=len(spec.cube)):
            key = tuple(ALL if hide else person[c] for c, hide in zip(spec.cube, mask, strict=True))
            counts[key] += 1
    rows = []
    for key in product(*((*LEVELS[c], ALL) for c in spec.cube)):
        row = dict(zip(spec.cube, key, strict=True))
        row["cell_id"] = "|".join(key)
        row["n_persons"] = counts[key]
        rows.append(row)
    return rows


def family_of(persons: list[dict]):
    return build_family({mart: cube_rows(mart, persons) for mart in MARTS}, {})


def published_rows(persons: list[dict], hidden: dict[str, set[str]]) -> dict[str, list[dict]]:
    """The marts as a reader sees them: the counts of the hidden cell ids withheld."""
    rows = {}
    for mart in MARTS:
        rows[mart] = cube_rows(mart, persons)
        for row in rows[mart]:
            if row["cell_id"] in hidden.get(mart, set()):
                row["n_persons"] = None
    return rows


def person(age="0-17", sex="female", municipality="061", tier="0", segment="self_reliant"):
    return {
        "age_group": age,
        "sex": sex,
        "municipality_code": municipality,
        "kaiser_tier": tier,
        "customer_segment": segment,
    }


# 40 self-reliant tier-0 girls of 061 and one tier-3 network girl: the network group of one.
POPULATION = [person()] * 40 + [person(tier="3", segment="network")] + [person(sex="male")] * 30


def test_the_constraints_hold_for_the_truth():
    family = family_of(POPULATION)
    for row in family.rows():
        total = sum(c * family.value[v] for v, c in row.terms)
        assert row.lo - 1e-9 <= total <= row.hi + 1e-9


def test_primary_suppression_alone_is_recovered_by_the_attacker():
    family = family_of(POPULATION)
    primary = [not (1 <= value < MIN) for value in family.value]
    leaks = audit(family, primary, family.value, MIN).leaks
    # (0-17, female, 061, tier 3) is 1: the published tier total minus tier 0 gives it away
    assert any("kaiser_tier=3" in leak.label and leak.true_count == 1 for leak in leaks)
    assert all(leak.high - leak.low < MIN for leak in leaks)


def test_a_margin_withheld_in_one_mart_but_shown_in_the_other_is_known():
    # Hide the tier-3 cells in the pyramid with enough complements that the pyramid alone keeps
    # them, but publish the segments mart whole: its network cells are the same persons.
    family = family_of(POPULATION)
    protection = protect(family, MIN)
    hidden_in_pyramid = {
        c.cell_id
        for c in family.cells
        if c.mart == "bi_kaiser_pyramid" and not protection.published[c.groups[0]]
    }
    shown = published_rows(POPULATION, {"bi_kaiser_pyramid": hidden_in_pyramid})
    result = attack_published(build_family(shown, {}), family, MIN)
    assert result.small_published  # the network girl is published in the segments mart
    assert any("segment=network" in cell for cell in result.small_published)


def test_the_protection_passes_the_attack_and_keeps_the_total():
    family = family_of(POPULATION)
    protection = protect(family, MIN)
    result = audit(family, protection.published, family.value, MIN)
    assert result.leaks == [] and result.small_published == []
    assert protection.integral
    assert protection.published[family.index[()]]  # everyone in scope is always published
    hidden = {
        mart: {
            c.cell_id
            for c in family.cells
            if c.mart == mart and not protection.published[c.groups[0]]
        }
        for mart in MARTS
    }
    shown = build_family(published_rows(POPULATION, hidden), {})
    assert attack_published(shown, family, MIN).leaks == []


people = st.lists(
    st.builds(
        person,
        age=st.sampled_from(LEVELS["age_group"]),
        sex=st.sampled_from(LEVELS["sex"]),
        municipality=st.sampled_from(LEVELS["municipality_code"]),
        tier=st.sampled_from(LEVELS["kaiser_tier"]),
        segment=st.sampled_from(LEVELS["customer_segment"]),
    ),
    min_size=1,
    max_size=60,
)


# 28 persons (found by a search over random populations) whose LP table holds fractions and has no
# whole-number twin among the groups it changed: the integer program must reach other groups.
FAR_WHOLE = [
    person("0-17", "female", "061", "0", "network"),
    person("0-17", "female", "061", "1", "network"),
    person("0-17", "male", "061", "0", "network"),
    person("0-17", "male", "061", "0", "self_reliant"),
    *[person("0-17", "male", "061", "1", "network")] * 2,
    *[person("0-17", "male", "061", "3", "self_reliant")] * 2,
    person("0-17", "male", "109", "0", "self_reliant"),
    person("0-17", "male", "109", "3", "network"),
    person("65+", "female", "061", "0", "network"),
    person("65+", "female", "061", "1", "network"),
    person("65+", "female", "061", "1", "self_reliant"),
    person("65+", "female", "061", "3", "network"),
    person("65+", "female", "109", "0", "network"),
    *[person("65+", "female", "109", "1", "self_reliant")] * 3,
    person("65+", "female", "109", "3", "network"),
    *[person("65+", "male", "061", "1", "self_reliant")] * 2,
    person("65+", "male", "061", "3", "network"),
    person("65+", "male", "061", "3", "self_reliant"),
    *[person("65+", "male", "109", "0", "network")] * 2,
    person("65+", "male", "109", "0", "self_reliant"),
    person("65+", "male", "109", "3", "network"),
    person("65+", "male", "109", "3", "self_reliant"),
]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(persons=people)
@example(persons=FAR_WHOLE)
def test_no_small_count_survives_the_attack_on_random_populations(persons):
    family = family_of(persons)
    protection = protect(family, MIN)
    result = audit(family, protection.published, family.value, MIN)
    assert result.leaks == []
    assert result.small_published == []
    assert protection.integral  # the alternative tables hold whole numbers
    # a small count lifted by MIN must fit under everyone in scope, or the total goes too
    assert protection.published[family.index[()]] or len(persons) < 2 * MIN


def test_small_withheld_parts_of_a_published_total_are_caught_and_protected():
    # 30 tier-0, 2 tier-1 and 2 tier-3 girls (tier 3 in the network segment, as the rules
    # require): neither small count is alone in its line, but the published total minus tier 0
    # gives the four of tiers 1 and 3 together, which pins each of them inside [0, 4].
    persons = [person()] * 30 + [person(tier="1")] * 2 + [person(tier="3", segment="network")] * 2
    family = family_of(persons)
    primary = [not (1 <= value < MIN) for value in family.value]
    leaks = audit(family, primary, family.value, MIN).leaks
    pinned = {leak.label for leak in leaks if leak.high - leak.low <= 4}
    assert any("kaiser_tier=1" in label for label in pinned)
    assert any("kaiser_tier=3" in label for label in pinned)
    protection = protect(family, MIN)
    assert audit(family, protection.published, family.value, MIN).leaks == []


# Seven persons (found by a search over random populations) whose linked marts make the LP's
# alternative table hold fractions.
HALVES = [
    person("65+", "male", "061", "0", "network"),
    person("65+", "male", "061", "0", "network"),
    person("65+", "female", "061", "3", "network"),
    person("0-17", "male", "061", "3", "network"),
    person("65+", "male", "109", "3", "network"),
    person("65+", "female", "109", "3", "network"),
    person("0-17", "male", "061", "1", "network"),
]


@pytest.mark.parametrize(
    ("persons", "reaches_every_group"),
    [(HALVES, False), (FAR_WHOLE, True)],
    ids=["whole-among-changed-groups", "whole-only-beyond-them"],
)
def test_the_alternative_tables_hold_whole_numbers_where_the_lp_has_fractions(
    monkeypatch, persons, reaches_every_group
):
    family = family_of(persons)
    tables, programs = [], []
    find, integer_program = _Alternatives.find, _Alternatives._integer_program

    def recorded(self, targets, m):
        change = find(self, targets, m)
        tables.append((targets, change))
        return change

    def recorded_program(self, held):
        whole = integer_program(self, held)
        programs.append((len(held), whole is not None))
        return whole

    monkeypatch.setattr(_Alternatives, "find", recorded)
    monkeypatch.setattr(_Alternatives, "_integer_program", recorded_program)
    protection = protect(family, MIN)
    assert protection.integral
    # the first integer program keeps the groups the LP left alone; only where it finds no table
    # does the second one, over every group (nothing held), run
    assert programs and programs[0][0] > 0
    assert ((0, True) in programs) == reaches_every_group
    found = [(targets, change) for targets, change in tables if change is not None]
    assert found
    for targets, change in found:
        assert np.array_equal(change, np.round(change))
        assert (change[targets] >= MIN).all()
        table = np.array(family.value) + change  # a county of whole numbers that fits
        for row in family.rows():
            value = sum(coefficient * table[v] for v, coefficient in row.terms)
            assert row.lo - 1e-9 <= value <= row.hi + 1e-9, row
        assert all(table[v] >= family.lower_bound(v) for v in range(len(table)))
    # without the integer program the LP's tables hold fractions: this county tests that step
    monkeypatch.setattr(_Alternatives, "_whole_numbers", lambda self, y: None)
    assert not protect(family, MIN).integral
