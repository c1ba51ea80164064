"""Social welfare: service decisions and client work contacts under service tasks, correlated with
age and conditions, and monthly income support payments."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pcdm.generator.arrays import coded, make_ids
from pcdm.generator.events import cost_with_gaps, office_seconds, recorded_person_ids, timestamps
from pcdm.generator.health import G
from pcdm.generator.population import NO_DEATH, People
from pcdm.generator.reference import Reference


@dataclass(frozen=True)
class CaseType:
    name: str
    task: str
    codes: tuple[str, ...]
    weights: tuple[float, ...]
    mean_months: float  # mean length of the service
    contacts_per_month: float
    home_visits: bool = False


CASE_TYPES = (
    CaseType(
        "home_care", "IAKK", ("KH_SAANN", "KH_TILAP", "KH_ETAHOIVA"), (70, 20, 10), 20, 4.0, True
    ),
    CaseType(
        "elderly_support",
        "IAKK",
        ("TP_ATERIA", "TP_TURVA", "TP_PAIVATOIM", "TP_LIIKKUMINEN"),
        (30, 40, 15, 15),
        24,
        0.15,
    ),
    CaseType("informal_care", "IAKK", ("OH_TUKI", "OH_VAPAA"), (80, 20), 30, 0.3),
    CaseType(
        "round_the_clock",
        "IAKK",
        ("YPA_IAKK", "YPA_MUISTI", "LAITOS_IAKK", "LYHYTAIK_HOITO"),
        (50, 35, 5, 10),
        30,
        0.3,
    ),
    CaseType("community_housing", "IAKK", ("YHT_ASUM", "YHT_ASUM_TILAP"), (85, 15), 30, 0.3),
    CaseType(
        "disability",
        "VAMM",
        ("VP_HENKAPU", "VP_KULJETUS", "VP_ASUMINEN", "VP_PAIVATOIM"),
        (25, 45, 15, 15),
        40,
        0.3,
    ),
    CaseType(
        "intellectual",
        "KEHV",
        ("VP_KEHVAMMA", "VP_ASUMINEN", "VP_PAIVATOIM"),
        (40, 35, 25),
        60,
        0.4,
    ),
    CaseType(
        "child_welfare_open",
        "LASU",
        ("LS_AVO", "LS_TUKIHENK", "LS_JALKIHUOLTO"),
        (60, 30, 10),
        12,
        1.5,
    ),
    CaseType(
        "child_welfare_placement",
        "LASU",
        ("LS_KIIREELL", "LS_HUOSTAAN", "LS_PERHEHOITO", "LS_LAITOS"),
        (15, 30, 35, 20),
        30,
        0.8,
    ),
    CaseType(
        "family_work",
        "LAPE",
        ("LAPE_PERHETYO", "LAPE_SOSTYO", "LAPE_PERHENEUV", "LAPE_KOTIPALV", "LAPE_KOTIPALV_TILAP"),
        (30, 20, 25, 15, 10),
        8,
        1.2,
        True,
    ),
    CaseType(
        "adult_social_work",
        "AIKS",
        ("AIK_SOSTYO", "AIK_SOSOHJ", "AIK_ASUMNEUV"),
        (40, 45, 15),
        10,
        1.0,
    ),
    CaseType("social_emergency", "SOPA", ("SOS_PAIV",), (1,), 1, 1.0),
    CaseType(
        "rehabilitation_housing",
        "MTPA",
        ("MTP_TUETTU", "MTP_YMPARIV", "PA_LAITOSKUNT"),
        (55, 30, 15),
        24,
        0.5,
    ),
    CaseType("employment", "TYOL", ("KTT", "TYOLL_TUKI"), (70, 30), 8, 0.6),
)
SOCIAL_CONTACT_TYPES = ["meeting", "network_meeting", "home_visit", "phone", "remote", "e_message"]


@dataclass
class SocialOutput:
    decision: dict
    contact: dict
    income_support: dict
    linked_keys: dict[str, np.ndarray]
    decision_person: np.ndarray
    decision_day: np.ndarray
    contact_person: np.ndarray
    contact_day: np.ndarray
    case_person: np.ndarray
    case_type: np.ndarray
    case_start: np.ndarray
    case_end: np.ndarray  # -1 when ongoing at the extract


def _case_probabilities(people: People) -> np.ndarray:
    """(n, case types) probability of having the case during the history."""
    age = people.age.astype(float)
    ch = people.chronic
    need = people.need
    dementia = ch[:, G["dementia"]]
    subst = ch[:, G["substance_use"]]
    psych = ch[:, G["psychotic_disorders"]]
    intel = ch[:, G["intellectual_disability"]]
    old = age >= 75
    p = np.zeros((people.n, len(CASE_TYPES)))
    p[:, 0] = np.where(
        old, 0.05 * need**0.8 * (1 + 2 * dementia), np.where(age >= 65, 0.008 * need, 0)
    )
    p[:, 1] = np.where(old, 0.07 * need**0.5, np.where(age >= 65, 0.01, 0))
    p[:, 2] = np.where(age >= 70, 0.015 * need**0.5, np.where(intel & (age < 18), 0.3, 0))
    p[:, 3] = np.where(old, 0.008 * need * (1 + 6 * dementia), 0)
    p[:, 4] = np.where(old, 0.006 * need**0.5, 0)
    p[:, 5] = np.where(age >= 65, 0.012 * need**0.5, np.where(age >= 18, 0.005 * need**0.6, 0.003))
    p[:, 6] = np.where(intel, 0.8, 0)
    p[:, 7] = np.where(age < 18, 0.03, np.where(age < 23, 0.01, 0))
    p[:, 8] = np.where(age < 18, 0.007, 0)
    p[:, 9] = np.where(age < 18, 0.05, 0)
    p[:, 10] = np.where((age >= 18) & (age < 65), 0.015 + 0.2 * subst + 0.12 * psych, 0.002)
    p[:, 11] = np.where(age >= 15, 0.003 + 0.03 * subst, 0.002)
    p[:, 12] = np.where(age >= 18, 0.1 * psych + 0.06 * subst, 0)
    p[:, 13] = np.where((age >= 18) & (age < 65), 0.005 + 0.05 * subst, 0)
    return np.clip(p, 0, 0.9)


def build_social(
    people: People, ref: Reference, rng: np.random.Generator, extract_day: int, extract_at
) -> SocialOutput:
    prob = _case_probabilities(people)
    has = rng.random(prob.shape) < prob
    case_person, case_type = np.nonzero(has)
    k = case_person.size
    lo, hi = people.active_from[case_person], people.active_to[case_person]
    birth = people.birth[case_person]
    mean_months = np.asarray([c.mean_months for c in CASE_TYPES])[case_type]
    # about half of long services were already running when the history starts
    started_before = rng.random(k) < np.clip(mean_months / 60, 0.05, 0.6)
    start = np.where(
        started_before,
        lo - (rng.random(k) * mean_months * 30).astype(np.int64),
        lo + (rng.random(k) * np.maximum(hi - lo, 1)).astype(np.int64),
    )
    start = np.maximum(start, birth + 30)
    start = np.minimum(start, hi)
    length = np.maximum(rng.exponential(mean_months * 30.44, size=k).astype(np.int64), 7)
    end = start + length
    died = people.death[case_person] != NO_DEATH
    end = np.where(died & (end > hi), hi, end)
    ongoing = end > hi
    end = np.where(ongoing, -1, end)

    # codes of each case
    code_vocab: list[str] = []
    code_idx = np.empty(k, dtype=np.int32)
    task_vocab = [c.task for c in CASE_TYPES]
    cost_unit = np.zeros(k)
    decision_month = np.zeros(k, dtype=bool)
    contact_unit = np.zeros(k)
    m = ref.service_code_map
    costs = ref.unit_costs.set_index("service_key")
    for t, case in enumerate(CASE_TYPES):
        sel = case_type == t
        w = np.asarray(case.weights, float)
        base = len(code_vocab)
        code_vocab.extend(case.codes)
        code_idx[sel] = base + rng.choice(len(case.codes), size=int(sel.sum()), p=w / w.sum())
    for i, code in enumerate(code_vocab):
        key = m.loc[
            (m.source_table == "social_decision") & (m.source_code == code), "service_key"
        ].iloc[0]
        sel = code_idx == i
        unit = costs.loc[key]
        if unit.cost_unit == "decision_month":
            decision_month[sel] = True
            cost_unit[sel] = float(unit.unit_cost_eur)
        else:
            contact_unit[sel] = float(unit.unit_cost_eur)
    # dementia housing only for the demented; others to the general unit
    task_idx = case_type.astype(np.int32)

    # decisions: a granted one per case, sometimes a denial before it, a termination after it
    denied_before = rng.random(k) < 0.12
    terminated = (end >= 0) & (rng.random(k) < 0.5)
    g_date = np.maximum(start - rng.integers(0, 21, size=k), birth + 1)
    rows_case = np.concatenate(
        [np.flatnonzero(denied_before), np.arange(k), np.flatnonzero(terminated)]
    )
    kind = np.concatenate(
        [
            np.full(int(denied_before.sum()), 1),
            np.zeros(k, np.int64),
            np.full(int(terminated.sum()), 2),
        ]
    )
    d_date = np.concatenate(
        [
            np.maximum(
                g_date[denied_before] - rng.integers(20, 120, size=int(denied_before.sum())),
                birth[denied_before] + 1,
            ),
            g_date,
            end[terminated] - rng.integers(0, 10, size=int(terminated.sum())),
        ]
    )
    d_date = np.maximum(d_date, birth[rows_case] + 1)
    valid_from = np.where(kind == 1, -1, start[rows_case])
    valid_to = np.where(kind == 1, -1, end[rows_case])
    monthly = np.where((kind == 0) & decision_month[rows_case], cost_unit[rows_case], np.nan)
    monthly = cost_with_gaps(rng, np.nan_to_num(monthly), sigma=0.2)
    monthly[~((kind == 0) & decision_month[rows_case])] = np.nan
    order = np.lexsort((kind, d_date))
    rows_case, kind, d_date, valid_from, valid_to, monthly = (
        rows_case[order],
        kind[order],
        d_date[order],
        valid_from[order],
        valid_to[order],
        monthly[order],
    )
    nd = rows_case.size
    d_person = case_person[rows_case]
    decision_id = make_ids("SP", np.arange(1, nd + 1), 9)
    d_recorded = recorded_person_ids(people, d_person, d_date)
    nat = np.datetime64("NaT")
    decision = {
        "decision_id": decision_id,
        "person_id": d_recorded,
        "service_task_code": coded(task_vocab, task_idx[rows_case]),
        "service_code": coded(code_vocab, code_idx[rows_case]),
        "decision_date": d_date.astype("datetime64[D]"),
        "valid_from": np.where(valid_from >= 0, valid_from.astype("datetime64[D]"), nat),
        "valid_to": np.where(valid_to >= 0, valid_to.astype("datetime64[D]"), nat),
        "decision_type": coded(["granted", "denied", "terminated"], kind),
        "monthly_cost_eur": monthly,
        "loaded_at": np.full(nd, extract_at),
    }

    # contacts during each case inside the history
    c_lo = np.maximum(start, lo)
    c_hi = np.where(end >= 0, np.minimum(end, hi), hi)
    months = np.maximum(c_hi - c_lo + 1, 0) / 30.44
    per_month = np.asarray([c.contacts_per_month for c in CASE_TYPES])[case_type]
    per_month = per_month * np.exp(rng.normal(0, 0.4, size=k))
    counts = rng.poisson(per_month * months)
    counts = np.where(c_hi >= c_lo, counts, 0)
    c_case = np.repeat(np.arange(k), counts)
    span = (c_hi - c_lo + 1)[c_case]
    c_day = c_lo[c_case] + np.floor(rng.random(c_case.size) * span).astype(np.int64)
    c_sec = office_seconds(rng, c_case.size)
    order = np.lexsort((c_sec, c_day))
    c_case, c_day, c_sec = c_case[order], c_day[order], c_sec[order]
    nc = c_case.size
    home = np.asarray([c.home_visits for c in CASE_TYPES])[case_type[c_case]]
    ctype = np.where(
        home,
        rng.choice([2, 3, 4], size=nc, p=[0.85, 0.1, 0.05]),
        rng.choice(6, size=nc, p=[0.5, 0.1, 0.1, 0.2, 0.05, 0.05]),
    )
    c_cost = cost_with_gaps(rng, contact_unit[c_case])
    c_cost[contact_unit[c_case] == 0] = np.nan
    c_person = case_person[c_case]
    contact_id = make_ids("SK", np.arange(1, nc + 1), 10)
    c_recorded = recorded_person_ids(people, c_person, c_day)
    contact = {
        "contact_id": contact_id,
        "person_id": c_recorded,
        "contact_start": timestamps(c_day, c_sec),
        "service_task_code": coded(task_vocab, task_idx[c_case]),
        "service_code": coded(code_vocab, code_idx[c_case]),
        "contact_type_code": coded(SOCIAL_CONTACT_TYPES, ctype),
        "professional_id": make_ids("SO", rng.integers(0, max(20, people.n // 400), size=nc), 6),
        "cost_eur": c_cost,
        "loaded_at": np.full(nc, extract_at),
    }

    income = _income_support(people, rng, extract_day, extract_at)
    return SocialOutput(
        decision=decision,
        contact=contact,
        income_support=income[0],
        linked_keys={
            "social_decision": decision_id[d_recorded != people.person_id[d_person]],
            "social_contact": contact_id[c_recorded != people.person_id[c_person]],
            "income_support": income[1],
        },
        decision_person=d_person,
        decision_day=d_date,
        contact_person=c_person,
        contact_day=c_day,
        case_person=case_person,
        case_type=case_type,
        case_start=start,
        case_end=end,
    )


def _income_support(people: People, rng, extract_day: int, extract_at):
    age = people.age
    ch = people.chronic
    p = np.where(
        (age >= 18) & (age < 65),
        0.035
        + 0.04 * (age < 26)
        + 0.25 * ch[:, G["substance_use"]]
        + 0.12 * ch[:, G["psychotic_disorders"]],
        np.where(age >= 65, 0.004, 0),
    )
    who = np.flatnonzero(rng.random(people.n) < p)
    lo_month = (
        people.active_from[who].astype("datetime64[D]").astype("datetime64[M]").astype(np.int64) + 1
    )
    hi_month = (
        people.active_to[who].astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)
    )
    first = lo_month + (rng.random(who.size) * np.maximum(hi_month - lo_month + 1, 1)).astype(
        np.int64
    )
    length = rng.geometric(1 / 5, size=who.size)
    last = np.minimum(first + length - 1, hi_month)
    counts = np.maximum(last - first + 1, 0)
    person = np.repeat(who, counts)
    offset = np.arange(person.size) - np.repeat(np.cumsum(counts) - counts, counts)
    month = np.repeat(first, counts) + offset
    pay_day = month.astype("datetime64[M]").astype("datetime64[D]").astype(np.int64)
    order = np.lexsort((person, pay_day))
    person, pay_day = person[order], pay_day[order]
    n = person.size
    benefit = rng.choice(3, size=n, p=[0.1, 0.75, 0.15])
    base = np.asarray([480.0, 320.0, 180.0])[benefit]
    amount = np.round(base * np.exp(rng.normal(-0.18, 0.6, size=n)), 2)
    payment_id = make_ids("TT", np.arange(1, n + 1), 9)
    recorded = recorded_person_ids(people, person, pay_day)
    columns = {
        "payment_id": payment_id,
        "person_id": recorded,
        "payment_month": pay_day.astype("datetime64[D]"),
        "benefit_type": coded(["basic", "supplementary", "preventive"], benefit),
        "amount_eur": amount,
        "loaded_at": np.full(n, extract_at),
    }
    return columns, payment_id[recorded != people.person_id[person]]
