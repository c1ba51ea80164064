"""Customer relationship data: channel contacts, care teams, consents, care plans, feedback and
client fees (asiakasmaksut)."""

from __future__ import annotations

import numpy as np

from pcdm.generator.arrays import Coded, coded, make_ids
from pcdm.generator.events import (
    SECONDS_PER_DAY,
    draw,
    office_seconds,
    recorded_person_ids,
    timestamps,
)
from pcdm.generator.health import SERVICES, HealthOutput
from pcdm.generator.population import NO_DEATH, People

CHANNELS = ["phone", "chat", "e_service", "letter", "walk_in"]
TOPICS = [
    "AJANVARAUS",
    "NEUVONTA",
    "LASKUTUS",
    "ASIAKASMAKSU",
    "PALVELUOHJAUS",
    "RESEPTI",
    "PALAUTE",
    "SOSNEUVONTA",
    "TODISTUS",
]
ROLES = [
    "responsible_professional",
    "own_doctor",
    "own_nurse",
    "case_manager",
    "service_coordinator",
]
CONSENT_TYPES = ["social_health_data_sharing", "sms_reminders", "e_service_messages"]
PLAN_TYPES = ["health_plan", "care_plan", "service_plan", "client_plan"]
# client fees (EUR, 2025 level) per chargeable contact service
FEES = {
    "gp_reception": 25.40,
    "emergency_care": 31.40,
    "specialist_outpatient": 45.70,
    "oral_health": 13.80,
    "rehabilitation_therapy": 13.10,
}
INPATIENT_DAY_FEE = 55.40


def channel_contacts(
    people: People, rng, extract_at, social_clients: np.ndarray
) -> tuple[dict, np.ndarray]:
    rate = (
        0.7 * people.need**0.5
        + np.where(social_clients, 1.5, 0)
        + np.where(people.age < 18, -0.4, 0)
    )
    person, day = draw(rng, people, np.maximum(rate, 0.05))
    n = person.size
    channel = rng.choice(5, size=n, p=[0.45, 0.15, 0.3, 0.05, 0.05])
    seconds = np.where(
        (channel == 1) | (channel == 2),
        rng.integers(0, SECONDS_PER_DAY // 60, size=n) * 60,
        office_seconds(rng, n),
    )
    stamp = timestamps(day, seconds)
    order = np.argsort(stamp, kind="stable")
    person, day, channel, stamp = person[order], day[order], channel[order], stamp[order]
    interaction_id = make_ids("CR", np.arange(1, n + 1), 10)
    recorded = recorded_person_ids(people, person, day)
    return {
        "interaction_id": interaction_id,
        "person_id": recorded,
        "channel": coded(CHANNELS, channel),
        "topic_code": coded(
            TOPICS,
            rng.choice(len(TOPICS), size=n, p=[0.3, 0.2, 0.08, 0.07, 0.12, 0.1, 0.03, 0.06, 0.04]),
        ),
        "occurred_at": stamp,
        "loaded_at": np.full(n, extract_at),
    }, interaction_id[recorded != people.person_id[person]]


def _interval(
    rng, people: People, person: np.ndarray, back_days: int
) -> tuple[np.ndarray, np.ndarray]:
    """A start day in [active_from - back_days, active_to] and the person's last active day."""
    lo = people.active_from[person] - back_days
    lo = np.maximum(lo, people.birth[person] + 1)
    hi = people.active_to[person]
    start = lo + (rng.random(person.size) * np.maximum(hi - lo + 1, 1)).astype(np.int64)
    return np.minimum(start, hi), hi


def care_team(people: People, rng, extract_at, heavy: np.ndarray, social_clients: np.ndarray):
    nc = people.n_chronic
    p = np.stack(
        [
            np.where(nc >= 2, 0.55, np.where(nc == 1, 0.2, 0.0)) + 0.3 * heavy,
            np.where(nc >= 1, 0.35, 0.02),
            np.where(nc >= 1, 0.5, 0.03),
            np.where(heavy, 0.35, 0.0),
            np.where(social_clients, 0.55, 0.0),
        ],
        axis=1,
    )
    person, role = np.nonzero(rng.random(p.shape) < np.clip(p, 0, 0.95))
    k = person.size
    start, hi = _interval(rng, people, person, 900)
    ended = rng.random(k) < 0.15
    end = start + (rng.random(k) * np.maximum(hi - start, 0)).astype(np.int64)
    died = people.death[person] != NO_DEATH
    end = np.where(died & (rng.random(k) < 0.7), hi, end)
    has_end = ended | (died & (end == hi))
    doctor_pool = max(20, people.n // 1500)
    nurse_pool = max(20, people.n // 800)
    pro_number = np.where(
        role == 1,
        rng.integers(0, doctor_pool, size=k),
        np.where(
            role == 2,
            20_000 + rng.integers(0, nurse_pool, size=k),
            40_000 + rng.integers(0, max(20, people.n // 500), size=k),
        ),
    )
    order = np.lexsort((role, start))
    person, role, start, end, has_end, pro_number = (
        person[order],
        role[order],
        start[order],
        end[order],
        has_end[order],
        pro_number[order],
    )
    recorded = recorded_person_ids(people, person, start)
    return (
        {
            "person_id": recorded,
            "professional_id": make_ids("AM", pro_number, 6),
            "role": coded(ROLES, role),
            "valid_from": start.astype("datetime64[D]"),
            "valid_to": np.where(has_end, end.astype("datetime64[D]"), np.datetime64("NaT")),
            "loaded_at": np.full(k, extract_at),
        },
        recorded != people.person_id[person],
        person,
    )


def consents(people: People, rng, extract_at, users: np.ndarray):
    p = np.stack(
        [np.where(users, 0.35, 0.05), np.where(users, 0.45, 0.1), np.where(users, 0.2, 0.05)],
        axis=1,
    )
    person, ctype = np.nonzero(rng.random(p.shape) < p)
    k = person.size
    start, hi = _interval(rng, people, person, 1500)
    status = rng.choice(3, size=k, p=[0.85, 0.1, 0.05])
    end = start + (rng.random(k) * np.maximum(hi - start, 0)).astype(np.int64)
    order = np.lexsort((ctype, start))
    person, ctype, start, status, end = (
        person[order],
        ctype[order],
        start[order],
        status[order],
        end[order],
    )
    consent_id = make_ids("SU", np.arange(1, k + 1), 9)
    recorded = recorded_person_ids(people, person, start)
    return {
        "consent_id": consent_id,
        "person_id": recorded,
        "consent_type": coded(CONSENT_TYPES, ctype),
        "status": coded(["given", "denied", "withdrawn"], status),
        "valid_from": start.astype("datetime64[D]"),
        "valid_to": np.where(status == 2, end.astype("datetime64[D]"), np.datetime64("NaT")),
        "loaded_at": np.full(k, extract_at),
    }, consent_id[recorded != people.person_id[person]]


def care_plans(people: People, rng, extract_at, heavy, social_clients):
    nc = people.n_chronic
    p = np.stack(
        [
            np.where(nc >= 2, 0.35, np.where(nc == 1, 0.12, 0.0)) + 0.2 * heavy,
            np.where(heavy & (nc >= 1), 0.3, 0.0),
            np.where(social_clients, 0.6, 0.0),
            np.where(social_clients, 0.3, 0.0),
        ],
        axis=1,
    )
    person, ptype = np.nonzero(rng.random(p.shape) < np.clip(p, 0, 0.95))
    k = person.size
    created, hi = _interval(rng, people, person, 500)
    # reviews every 6-12 months; a quarter of the plans have missed their latest review (overdue)
    interval = rng.integers(180, 366, size=k)
    reviews_due = np.maximum(np.ceil((people.active_to[person] + 1 - created) / interval), 1)
    kept_up = rng.random(k) < 0.75
    review = created + interval * np.where(kept_up, reviews_due, np.maximum(reviews_due - 1, 1))
    no_review = rng.random(k) < 0.1
    closed = (rng.random(k) < 0.12) & (hi > created)
    close_day = created + (rng.random(k) * np.maximum(hi - created, 0)).astype(np.int64)
    order = np.lexsort((ptype, created))
    person, ptype, created, review, no_review, closed, close_day = (
        person[order],
        ptype[order],
        created[order],
        review[order],
        no_review[order],
        closed[order],
        close_day[order],
    )
    plan_id = make_ids("SUUN", np.arange(1, k + 1), 8)
    recorded = recorded_person_ids(people, person, created)
    nat = np.datetime64("NaT")
    return {
        "plan_id": plan_id,
        "person_id": recorded,
        "plan_type": coded(PLAN_TYPES, ptype),
        "created_date": created.astype("datetime64[D]"),
        "next_review_date": np.where(no_review, nat, review.astype("datetime64[D]")),
        "closed_date": np.where(closed, close_day.astype("datetime64[D]"), nat),
        "loaded_at": np.full(k, extract_at),
    }, plan_id[recorded != people.person_id[person]]


def feedback(people: People, health: HealthOutput, rng, extract_at):
    rows = np.flatnonzero(rng.random(health.contact_person.size) < 0.035)
    start = health.contact["contact_start"][rows]
    responded = start + rng.integers(3600, 4 * SECONDS_PER_DAY, size=rows.size).astype(
        "timedelta64[s]"
    )
    person = health.contact_person[rows]
    day = responded.astype("datetime64[D]").astype(np.int64)
    keep = day <= people.active_to[person]
    rows, responded, person, day = rows[keep], responded[keep], person[keep], day[keep]
    order = np.argsort(responded, kind="stable")
    rows, responded, person, day = rows[order], responded[order], person[order], day[order]
    k = rows.size
    anonymous = rng.random(k) < 0.3
    recorded = recorded_person_ids(people, person, day)
    nps = rng.choice(
        11, size=k, p=np.array([1, 0.5, 0.7, 0.8, 1, 2, 3, 7, 15, 25, 35]) / 91.0
    ).astype(float)
    nps[rng.random(k) < 0.05] = np.nan
    prom = rng.random(k) < 0.1
    prom_score = np.where(
        prom, np.round(np.clip(1 - rng.gamma(1.5, 0.12, size=k), -0.3, 1), 3), np.nan
    )
    response_id = make_ids("PA", np.arange(1, k + 1), 9)
    codes: Coded = health.contact_code
    person_ids = np.where(anonymous, b"", recorded)
    linked = ~anonymous & (recorded != people.person_id[person])
    return {
        "response_id": response_id,
        "person_id": _nullable_ids(person_ids),
        "service_code": coded(codes.vocab, codes.indices[rows]),
        "responded_at": responded,
        "nps_score": nps,
        "prom_instrument": coded(["EQ-5D-5L"], np.where(prom, 0, -1)),
        "prom_score": prom_score,
        "loaded_at": np.full(k, extract_at),
    }, response_id[linked]


def _nullable_ids(values: np.ndarray):
    import pyarrow as pa

    from pcdm.generator.arrays import fixed_strings_to_arrow

    mask = values == b""
    filled = np.where(mask, b"00000000000", values).astype("S11")
    arr = fixed_strings_to_arrow(filled, mask=mask)
    return arr if isinstance(arr, pa.Array) else pa.array(arr)


def client_fees(people: People, health: HealthOutput, rng, extract_day: int, extract_at):
    fee_by_service = np.asarray([FEES.get(s, 0.0) for s in SERVICES])
    fee = fee_by_service[health.contact_service]
    adult = people.age[health.contact_person] >= 18
    rows = np.flatnonzero((fee > 0) & adult & (rng.random(fee.size) < 0.35))
    c_person, c_day = health.contact_person[rows], health.contact_day[rows]
    c_amount = fee[rows] + np.where(
        health.contact_service[rows] == SERVICES.index("oral_health"),
        np.round(rng.gamma(1.5, 25, size=rows.size), 1),
        0,
    )
    c_codes: Coded = health.contact_code
    # inpatient days of discharged adult episodes
    e_rows = np.flatnonzero(
        (health.episode_discharge >= 0) & (people.age[health.episode_person] >= 18)
    )
    e_person, e_day = health.episode_person[e_rows], health.episode_discharge[e_rows]
    e_amount = INPATIENT_DAY_FEE * np.maximum(
        health.episode_discharge[e_rows] - health.episode_admit[e_rows], 1
    )
    vocab = list(c_codes.vocab) + list(health.episode["specialty_code"].vocab)
    code_idx = np.concatenate(
        [
            c_codes.indices[rows],
            len(c_codes.vocab) + health.episode["specialty_code"].indices[e_rows],
        ]
    )
    person = np.concatenate([c_person, e_person])
    invoice = np.concatenate([c_day, e_day]) + rng.integers(5, 35, size=person.size)
    amount = np.round(np.concatenate([c_amount, e_amount]), 2)
    keep = (invoice <= extract_day - 1) & (invoice <= people.active_to[person])
    person, invoice, amount, code_idx = person[keep], invoice[keep], amount[keep], code_idx[keep]
    order = np.argsort(invoice, kind="stable")
    person, invoice, amount, code_idx = (
        person[order],
        invoice[order],
        amount[order],
        code_idx[order],
    )
    k = person.size
    paid = invoice + np.minimum(rng.geometric(1 / 14, size=k) - 1, 120)
    unpaid = (rng.random(k) < 0.06) | (paid > extract_day - 1) | (paid > people.active_to[person])
    invoice_id = make_ids("LA", np.arange(1, k + 1), 10)
    recorded = recorded_person_ids(people, person, invoice)
    return {
        "invoice_id": invoice_id,
        "person_id": recorded,
        "service_code": coded(vocab, code_idx),
        "invoice_date": invoice.astype("datetime64[D]"),
        "amount_eur": amount,
        "paid_date": np.where(unpaid, np.datetime64("NaT"), paid.astype("datetime64[D]")),
        "loaded_at": np.full(k, extract_at),
    }, invoice_id[recorded != people.person_id[person]]
