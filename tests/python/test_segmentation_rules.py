"""The default segmentation rules (docs/segmentation-rules.md) pinned person by person on a hand-
made delivery, tests/fixtures/segmentation_county, whose README explains every person. The expected
values were worked out by hand from the rules, the fixture rows and the seeds (unit costs from
seeds/unit_costs.csv), not copied from a run.

R = 2026-10-31 (the extract is 2026-11-01 02:00); the 12-month window is 2025-10-31 < d <= R and
the 24-month window 2024-10-31 < d <= R. Then one rebuild with county overrides of several vars
shows each override changing the result and the rule version recorded on every row.
"""

from __future__ import annotations

import shutil
from datetime import date

import duckdb
import pytest

from pcdm import pipeline
from pcdm.contract import PROJECT_DIR
from pcdm.hetu import make
from pcdm.pseudonym import person_key

FIXTURE = PROJECT_DIR / "tests" / "fixtures" / "segmentation_county"
SALT = "segmentation-salt-0123456789abcdef"

# The persons of the fixture by letter (tests/fixtures/segmentation_county/README.md).
PERSONS = {
    "A": make(date(1960, 2, 10), 101),  # 5 emergency visits in the window (a 6th the day before)
    "B": make(date(1962, 3, 11), 202),  # 6 emergency visits: emergency user; tier 2 without gap
    "C": make(date(1970, 4, 12), 303),  # 4 GP visits, 2 of them under a linked temporary id
    "D": make(date(1955, 5, 13), 404),  # 3 GP visits (tie at the 90th percentile), 2 chronic
    "E": make(date(1980, 6, 14), 505),  # 3 GP visits (tie at the 90th percentile)
    "F": make(date(1950, 7, 15), 606),  # inpatient stay across the window start; key by cost
    "G": make(date(1945, 8, 16), 707),  # ongoing emergency stay, 3 chronic: tier 3
    "H": make(date(1940, 9, 17), 808),  # granted decision in force across the window start
    "I": make(date(1958, 10, 18), 109),  # denied and terminated decisions only
    "J": make(date(1965, 11, 19), 210),  # granted decisions under 2 service tasks; key by cost
    "K": make(date(1938, 12, 20), 311),  # 3 distinct social services under 1 decision task
    "L": make(date(1930, 1, 21), 412),  # died 2025-09-30, before the window
    "M": make(date(1935, 5, 5), 513),  # died 2026-03-15, in the window; dementia
    "N": make(date(1975, 2, 22), 614),  # lives in Tampere (837)
    "O": make(date(1990, 3, 23), 715),  # demanding oral procedure
    "P": make(date(1992, 4, 24), 816),  # ordinary oral procedure
    "Q": make(date(1948, 5, 25), 117),  # diagnoses just inside and just outside 24 months
    "R": make(date(1995, 6, 26), 218),  # income support in 2 distinct months
    "S": make(date(1998, 7, 27), 319),  # income support in 3 distinct months: community
    "T": make(date(1985, 8, 28), 420),  # 3 chronic incl. psychosis + emergency stay: network
    "U": make(date(2010, 9, 29), 521),  # a child with no events at all
}
TEMPORARY_C = make(date(1970, 4, 12), 901)
IN_SCOPE = sorted(set(PERSONS) - {"L", "N"})
DEFAULT_RULES = "pcdm-default-1"


def key(letter: str) -> str:
    return person_key(PERSONS[letter], SALT)


def letters(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """person_key -> letter, failing on any person_key that is not a fixture person."""
    by_key = {key(letter): letter for letter in PERSONS}
    found = [r[0] for r in con.sql("select person_key from pcdm.person_segment").fetchall()]
    assert set(found) <= set(by_key)
    return by_key


@pytest.fixture(scope="module")
def monkeypatch_module():
    with pytest.MonkeyPatch.context() as patch:
        yield patch


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, monkeypatch_module):
    work = tmp_path_factory.mktemp("segmentation_county")
    monkeypatch_module.setenv("PCDM_PSEUDONYM_SALT", SALT)
    target = pipeline.DbtTarget(
        raw_path=FIXTURE, database_path=work / "warehouse.duckdb", raw_format="csv", work_path=work
    )
    pipeline.build(target, unit_tests=False, quiet=True)  # unit tests: test_dbt_unit_tests.py
    return target


@pytest.fixture(scope="module")
def database(built: pipeline.DbtTarget):
    con = duckdb.connect(str(built.database_path), read_only=True)
    yield con
    con.close()


def segments(con: duckdb.DuckDBPyConnection, columns: str) -> dict[str, tuple]:
    names = letters(con)
    return {
        names[r[0]]: r[1:] if len(r) > 2 else r[1]
        for r in con.sql(f"select person_key, {columns} from pcdm.person_segment").fetchall()
    }


def test_the_fixture_is_clean_and_the_reference_date_is_the_day_before_the_extract(database):
    assert database.sql("select count(*) from dq.dq_quarantine").fetchall() == [(0,)]
    dates = database.sql(
        "select distinct cast(reference_date as varchar), rule_version from pcdm.person_segment"
    ).fetchall()
    assert dates == [("2026-10-31", DEFAULT_RULES)]


def test_population_in_scope(database):
    # L died before the window, N lives in Tampere: not in scope. M died in the window: in scope.
    # The temporary id of C is no person of its own.
    found = segments(database, "age_group")
    assert sorted(found) == IN_SCOPE
    assert found["M"] == "80+"  # age at death 2026-03-15: 90
    assert found["U"] == "0-17"
    assert database.sql(
        "select count(*) from pcdm.person_segment where person_key = ?",
        params=[person_key(TEMPORARY_C, SALT)],
    ).fetchall() == [(0,)]


def test_service_usage_volumes_users_and_top_decile(database):
    names = letters(database)
    found = sorted(
        (names[r[0]], *r[1:])
        for r in database.sql(
            "select person_key, service_key, domain, volume, is_user, is_top_decile, rule_version "
            "from pcdm.person_service_usage"
        ).fetchall()
    )
    h, s, v = "health", "social", DEFAULT_RULES
    expected = [
        # 5 emergency visits in the window (2025-10-31 is outside): not a user (threshold 6)
        ("A", "emergency_care", h, 5.0, False, False, v),
        # 6 visits, 2025-11-01 and 2026-10-31 included: a user; the only user, so not top decile
        ("B", "emergency_care", h, 6.0, True, False, v),
        # GP users in scope (L and N do not count): 1 x8, 3, 3, 4. percentile_cont(0.9) of 11
        # values is the value at position 0.9 * 10 = 9 (0-based): 3. Only 4 > 3 is top decile;
        # C reaches 4 only with the 2 visits recorded under the linked temporary id.
        ("C", "gp_reception", h, 4.0, True, True, v),
        ("D", "gp_reception", h, 3.0, True, False, v),
        ("E", "gp_reception", h, 3.0, True, False, v),
        # stay 2025-10-20 -> 2025-11-10: care days 2025-11-01 ... 2025-11-09 in the window
        ("F", "inpatient_specialised_somatic", h, 9.0, True, False, v),
        # ongoing since 2026-10-20: 2026-10-20 ... R = 12 days
        ("G", "inpatient_primary", h, 12.0, True, False, v),
        # granted 2025-09-01 -> 2025-12-31: 61 days in the window * 12 / 365.25 = 2.00 months
        ("H", "elderly_support_services", s, 2.0, True, False, v),
        ("H", "gp_reception", h, 1.0, True, False, v),
        # denied and terminated decisions are never in force: no social rows for I
        ("I", "gp_reception", h, 1.0, True, False, v),
        # 2026-05-01 -> 08-31: 123 days = 4.04 months; KTT 2026-02-01 -> open: 273 days = 8.97
        ("J", "elderly_support_services", s, 4.04, True, False, v),
        ("J", "rehabilitative_work", s, 8.97, True, False, v),
        ("K", "adult_social_work", s, 1.0, True, False, v),  # one social contact
        ("K", "elderly_support_services", s, 2.0, True, False, v),  # 61 days
        ("K", "gp_reception", h, 1.0, True, False, v),
        ("K", "informal_care_support", s, 1.02, True, False, v),  # 31 days
        ("M", "gp_reception", h, 1.0, True, False, v),
        ("O", "gp_reception", h, 1.0, True, False, v),
        # one visit each: the 90th percentile is 1 and nobody is above it
        ("O", "oral_health", h, 1.0, True, False, v),
        ("P", "gp_reception", h, 1.0, True, False, v),
        ("P", "oral_health", h, 1.0, True, False, v),
        ("R", "gp_reception", h, 1.0, True, False, v),
        ("S", "gp_reception", h, 1.0, True, False, v),
        # 2026-05-01 -> 05-03: 2 care days
        ("T", "inpatient_psychiatric", h, 2.0, True, False, v),
    ]
    assert found == expected


def test_service_counts_and_heavy_users(database):
    found = segments(
        database,
        "n_health_services, n_social_services, n_social_service_tasks, is_heavy_user, "
        "heavy_user_reasons",
    )
    quiet = (0, 0, False, None)
    expected = {
        "A": (0, *quiet),  # emergency visits below the usage threshold: no health service
        "B": (1, *quiet),
        "C": (1, 0, 0, True, "health_top_decile"),
        "D": (1, *quiet),  # tied at the 90th percentile: not top decile
        "E": (1, *quiet),
        "F": (1, *quiet),
        "G": (1, *quiet),
        "H": (1, 1, 1, False, None),
        "I": (1, *quiet),  # the denied (VAMM) and terminated (IAKK) decisions do not count
        "J": (0, 2, 2, True, "social_service_tasks"),  # IAKK + TYOL; 2 services < 3
        "K": (1, 3, 1, True, "social_services"),  # both decisions IAKK; the contact is no decision
        "M": (1, *quiet),
        "O": (2, 0, 0, True, "demanding_oral_procedure"),  # SGA05
        "P": (2, *quiet),  # SAA01 is not demanding
        "Q": (0, *quiet),  # its contacts are outside the 12-month window
        "R": (1, *quiet),
        "S": (1, *quiet),
        "T": (1, *quiet),
        "U": (0, *quiet),
    }
    assert found == expected


def test_chronic_conditions_and_kaiser_tiers(database):
    found = segments(database, "n_chronic, chronic_groups, kaiser_tier")
    expected = {
        "A": (1, "diabetes", 1),  # 5 emergency visits: no acute use
        "B": (1, "hypertension", 2),  # emergency user with 1 chronic group
        "C": (0, None, 0),
        "D": (2, "diabetes,hypertension", 2),  # 2 groups, no acute use
        "E": (0, None, 0),
        # emergency stay admitted before the window: no unplanned admission in it; the episode
        # overlaps the 24-month window, so its diagnosis counts
        "F": (1, "heart_failure", 1),
        "G": (3, "asthma_copd,diabetes,hypertension", 3),  # + emergency admission 2026-10-20
        "H": (0, None, 0),
        "I": (0, None, 0),
        "J": (0, None, 0),
        "K": (0, None, 0),
        "M": (1, "dementia", 1),
        "O": (0, None, 0),
        "P": (0, None, 0),
        # ICPC-2 T90 on 2024-11-01 is inside the 24-month window, K86 on 2024-10-31 is not
        "Q": (1, "diabetes", 1),
        "R": (0, None, 0),
        "S": (0, None, 0),
        "T": (3, "hypertension,psychotic_disorders,substance_use", 3),  # + emergency admission
        "U": (0, None, 0),
    }
    assert found == expected


def test_customer_segments(database):
    found = segments(database, "has_high_service_need, has_limited_capacity, customer_segment")
    capable = (False, False, "self_reliant")
    cooperative = (True, False, "cooperative")
    expected = {
        "A": capable,
        "B": cooperative,  # tier 2
        "C": cooperative,  # heavy user
        "D": cooperative,  # tier 2
        "E": capable,
        "F": capable,
        "G": cooperative,  # tier 3
        "H": capable,
        "I": capable,  # the denied disability service decision does not limit capacity
        "J": cooperative,
        "K": cooperative,
        "M": (False, True, "community"),  # dementia limits self-care
        "O": cooperative,
        "P": capable,
        "Q": capable,
        "R": capable,  # income support in 2 distinct months (2 payments in February)
        "S": (False, True, "community"),  # 3 months in the window (2025-10-01 is outside it)
        "T": (True, True, "network"),  # tier 3 and psychotic disorder
        "U": capable,
    }
    assert found == expected


def test_window_costs_and_key_customers(database):
    found = segments(database, "window_cost_eur, is_cost_top_decile, is_key_customer")
    # Window costs (no source costs except income support amounts; unit costs from the seed):
    # A 5 x 330 emergency; B 6 x 330; C 4 x 125 GP; D, E 3 x 125; F 21-day stay x 1100 = 23100,
    # 9 of the 21 days in the window: 9900; G 12 x 350; H 250 x 4.01 months = 1002.50 of which
    # 2.00 months in the window: 500 + GP 125; I GP 125; J 250 x 4.04 + 400 x 8.97 = 1010 + 3588;
    # K 250 x 2.00 + 800 x 1.02 + adult social work contact 110 + GP 125; M GP 125; O, P oral 110
    # + GP 125; Q nothing in the window; R 300 + 300 + 100 + GP 125; S 3 x 400 (the payment of
    # 2025-10-01 is outside the window) + GP 125; T 2 x 700; U 0. A's CRM call is not counted.
    costs = {
        "A": 1650.0,
        "B": 1980.0,
        "C": 500.0,
        "D": 375.0,
        "E": 375.0,
        "F": 9900.0,
        "G": 4200.0,
        "H": 625.0,
        "I": 125.0,
        "J": 4598.0,
        "K": 1551.0,
        "M": 125.0,
        "O": 235.0,
        "P": 235.0,
        "Q": 0.0,
        "R": 825.0,
        "S": 1325.0,
        "T": 1400.0,
        "U": 0.0,
    }
    # 19 persons in scope: percentile_cont(0.9) sits at position 0.9 * 18 = 16.2 of the sorted
    # costs, 4200 + 0.2 x (4598 - 4200) = 4279.6. Above it: F and J. T is key as network only.
    top = {"F", "J"}
    expected = {
        letter: (cost, letter in top, letter in top | {"T"}) for letter, cost in costs.items()
    }
    assert found == expected


def test_care_gaps(database):
    names = letters(database)
    found = sorted(
        (names[r[0]], *r[1:])
        for r in database.sql(
            "select person_key, gap_reason, kaiser_tier, customer_segment, is_key_customer, "
            "priority, rule_version from pcdm.person_care_gap"
        ).fetchall()
    )
    v = DEFAULT_RULES
    expected = [
        # tier 2: open plan whose next review 2026-10-30 is before R; responsible professional
        ("D", "care_plan_review_overdue", 2, "cooperative", False, 2, v),
        # key customer by cost with no plan and no care team
        ("F", "no_open_care_plan", 1, "self_reliant", True, 2, v),
        ("F", "no_responsible_professional", 1, "self_reliant", True, 2, v),
        # tier 3: the plan was closed 2026-06-01; responsible professional since 2026-10-21
        ("G", "no_open_care_plan", 3, "cooperative", False, 1, v),
        ("J", "no_open_care_plan", 0, "cooperative", True, 2, v),
        ("J", "no_responsible_professional", 0, "cooperative", True, 2, v),
        # network: open plan reviewed 2026-11-15, but the professional left 2026-10-30
        ("T", "no_responsible_professional", 3, "network", True, 1, v),
    ]
    assert found == expected
    # B is tier 2 without a gap: the review date R is not before R, and the professional's
    # valid_to R is still in force at R.
    gaps = segments(database, "has_care_gap")
    assert {letter for letter, has_gap in gaps.items() if has_gap} == {"D", "F", "G", "J", "T"}


# --- County overrides: one rebuild of the segmentation with several vars changed -------------

OVERRIDE_RULES = "county-override-7"
OVERRIDES = (
    ("rule_version", OVERRIDE_RULES),
    ("top_decile_percentile", 0.5),
    ("heavy_user_min_social_services", 2),
    ("heavy_user_demanding_oral", False),
    ("limited_capacity_min_income_support_months", 2),
    ("key_customer_segments", ("network", "community")),
    ("care_gap_min_kaiser_tier", 3),
)


def test_vars_json_keeps_json_types():
    target = pipeline.DbtTarget(raw_path=FIXTURE, database_path=FIXTURE, extra_vars=OVERRIDES)
    assert target.vars_json() == (
        f'{{"raw_path": "{FIXTURE}", "raw_format": "parquet", '
        '"rule_version": "county-override-7", "top_decile_percentile": 0.5, '
        '"heavy_user_min_social_services": 2, "heavy_user_demanding_oral": false, '
        '"limited_capacity_min_income_support_months": 2, '
        '"key_customer_segments": ["network", "community"], "care_gap_min_kaiser_tier": 3}'
    )


@pytest.fixture(scope="module")
def overridden(built: pipeline.DbtTarget, database, tmp_path_factory: pytest.TempPathFactory):
    # A copy of the default build, so the default results stay readable; only the models the rules
    # touch (the segmentation models and the pcdm marts downstream of them) are rebuilt and their
    # data tests run. dbt unit tests are left out: they pin the default rules (rule_version
    # included); so are the report marts (bi), which have their own tests.
    work = tmp_path_factory.mktemp("segmentation_override")
    copy = work / "warehouse.duckdb"
    shutil.copy(built.database_path, copy)
    target = pipeline.DbtTarget(
        raw_path=FIXTURE,
        database_path=copy,
        raw_format="csv",
        extra_vars=OVERRIDES,
        work_path=work,
    )
    pipeline.run_dbt(
        [
            "build",
            "--select",
            "path:models/intermediate/segmentation+",
            "--exclude",
            "resource_type:seed",
            "resource_type:unit_test",
            "path:models/marts/bi",
        ],
        target,
        quiet=True,
    )
    con = duckdb.connect(str(copy), read_only=True)
    yield con
    con.close()


def test_override_rule_version_is_on_every_row(overridden):
    for table in ("person_segment", "person_service_usage", "person_care_gap"):
        versions = overridden.sql(f"select distinct rule_version from pcdm.{table}").fetchall()
        assert versions == [(OVERRIDE_RULES,)], table


def test_override_top_decile_percentile(overridden):
    # GP: percentile_cont(0.5) of 1 x8, 3, 3, 4 is the value at position 5: 1, so 3 and 4 are
    # above it. Other services are unchanged (all volumes equal, or a single user).
    names = letters(overridden)
    top = overridden.sql(
        "select person_key, service_key from pcdm.person_service_usage where is_top_decile"
    ).fetchall()
    assert sorted((names[k], s) for k, s in top) == [
        ("C", "gp_reception"),
        ("D", "gp_reception"),
        ("E", "gp_reception"),
    ]


def test_override_heavy_users_and_segments(overridden):
    found = segments(overridden, "heavy_user_reasons, customer_segment, is_key_customer")
    changed = {
        "D": ("health_top_decile", "cooperative", False),  # was tier-2 cooperative already
        "E": ("health_top_decile", "cooperative", False),  # was self-reliant
        "J": ("social_services,social_service_tasks", "cooperative", True),  # 2 services now do
        "O": (None, "self_reliant", False),  # the demanding oral criterion is off
        "R": (None, "community", True),  # 2 income support months now limit; community is key
        "M": (None, "community", True),
        "S": (None, "community", True),
    }
    unchanged = {
        "A": (None, "self_reliant", False),
        "B": (None, "cooperative", False),
        "C": ("health_top_decile", "cooperative", False),
        "F": (None, "self_reliant", True),  # cost top decile as before
        "G": (None, "cooperative", False),
        "H": (None, "self_reliant", False),  # 1 social service
        "I": (None, "self_reliant", False),
        "K": ("social_services", "cooperative", False),
        "P": (None, "self_reliant", False),
        "Q": (None, "self_reliant", False),
        "T": (None, "network", True),
        "U": (None, "self_reliant", False),
    }
    assert found == changed | unchanged


def test_override_care_gaps(overridden):
    # Tier >= 3 or key customer: D (tier 2, not key) drops out; the community key customers M, R
    # and S come in with no plan and no responsible professional.
    names = letters(overridden)
    found = sorted(
        (names[r[0]], r[1], r[2])
        for r in overridden.sql(
            "select person_key, gap_reason, priority from pcdm.person_care_gap"
        ).fetchall()
    )
    both = ("no_open_care_plan", "no_responsible_professional")
    expected = sorted(
        [(letter, reason, 2) for letter in "FJMRS" for reason in both]
        + [("G", "no_open_care_plan", 1), ("T", "no_responsible_professional", 1)]
    )
    assert found == expected
