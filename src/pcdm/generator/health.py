"""Health care: outpatient contacts (Avohilmo-like), inpatient episodes (Hilmo-like), their
diagnoses (ICPC-2 in primary care, ICD-10 in specialised care and on episodes) and oral health
procedures."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pcdm.generator.arrays import coded, make_ids
from pcdm.generator.events import (
    cost_with_gaps,
    draw,
    office_seconds,
    pick_from_mask,
    recorded_person_ids,
    round_the_clock_seconds,
    timestamps,
)
from pcdm.generator.population import CHRONIC_GROUPS, NO_DEATH, People
from pcdm.generator.reference import Reference

G = {name: i for i, name in enumerate(CHRONIC_GROUPS)}

# service -> (contact types, their weights, professional group codes, their weights,
#             diagnosis probability, code system)
CONTACT_SERVICES = {
    "gp_reception": (
        ["R10", "R50", "R52", "R56"],
        [70, 15, 9, 6],
        ["2211", "2212"],
        [85, 15],
        0.85,
        "ICPC-2",
    ),
    "nurse_reception": (["R10", "R50", "R56"], [55, 33, 12], ["2221"], [1], 0.5, "ICPC-2"),
    "emergency_care": (["R10"], [1], ["2211", "2212", "2221"], [55, 15, 30], 0.92, "ICD-10"),
    "oral_health": (["R10"], [1], ["2261", "3251"], [60, 40], 0.0, "ICD-10"),
    "mental_health_outpatient": (
        ["R10", "R50", "R52"],
        [65, 20, 15],
        ["2212", "2221", "2634"],
        [25, 50, 25],
        0.9,
        "ICD-10",
    ),
    "substance_use_outpatient": (
        ["R10", "R50"],
        [80, 20],
        ["2221", "2212"],
        [80, 20],
        0.9,
        "ICPC-2",
    ),
    "maternity_child_clinic": (["R10", "R50"], [90, 10], ["2221", "2211"], [85, 15], 0.3, "ICPC-2"),
    "school_student_health": (["R10", "R50"], [90, 10], ["2221", "2211"], [85, 15], 0.35, "ICPC-2"),
    "rehabilitation_therapy": (["R10", "R20", "R52"], [75, 20, 5], ["2264"], [1], 0.6, "ICPC-2"),
    "home_nursing": (["R20", "R50"], [90, 10], ["2221", "3221"], [60, 40], 0.5, "ICPC-2"),
    "specialist_outpatient": (
        ["R10", "R50", "R52"],
        [82, 13, 5],
        ["2212", "2221"],
        [70, 30],
        0.95,
        "ICD-10",
    ),
}
SERVICES = list(CONTACT_SERVICES)
# groups a service diagnoses preferentially (others fall back to any chronic group)
SERVICE_GROUPS = {
    "mental_health_outpatient": ["depression_anxiety", "psychotic_disorders"],
    "substance_use_outpatient": ["substance_use"],
}
GENERIC_ICPC = [
    "R74",
    "A97",
    "R05",
    "L03",
    "L02",
    "S18",
    "A04",
    "D01",
    "R78",
    "H71",
    "U71",
    "L15",
    "N01",
    "P06",
    "T93",
    "A98",
    "F70",
    "L84",
]
GENERIC_ICD = [
    "J06.9",
    "R10.4",
    "S61.0",
    "S93.4",
    "R07.4",
    "M54.5",
    "N39.0",
    "R55",
    "S06.0",
    "K35.8",
    "A09.9",
    "T78.4",
    "Z00.0",
    "J18.9",
    "S72.0",
    "K80.2",
    "H66.9",
    "R26.8",
]
ICD_OVERRIDES = {
    "I10": "I10",
    "C": "C50.9",
    "G310": "G31.0",
    "G318": "G31.8",
    "F341": "F34.1",
    "I110": "I11.0",
    "I130": "I13.0",
    "I132": "I13.2",
    "Q90": "Q90.9",
    "R95": "R95",
}
EXTRA_CANCER = ["C61", "C18.9", "C34.9", "C44.3", "C67.9"]
EPISODE_SPECIALTIES = [
    "98",
    "10",
    "20",
    "25",
    "30",
    "40",
    "45",
    "50",
    "55",
    "60",
    "65",
    "77",
    "78",
    "80",
    "70",
    "70F",
    "74",
    "75",
]
CHRONIC_SPECIALTY = {
    "heart_failure": "10",
    "coronary_heart_disease": "10",
    "atrial_fibrillation": "10",
    "diabetes": "10",
    "chronic_kidney_disease": "10",
    "asthma_copd": "65",
    "cancer": "80",
    "cerebrovascular_disease": "77",
    "epilepsy": "77",
    "parkinsons_disease": "77",
    "rheumatoid_arthritis": "78",
}
PROCEDURE_SYSTEM = "THL-SToTP"


@dataclass
class HealthOutput:
    contact: dict
    episode: dict
    diagnosis: dict
    procedure: dict
    linked_keys: dict[str, np.ndarray]
    # internals used by other modules
    contact_person: np.ndarray
    contact_day: np.ndarray
    contact_service: np.ndarray  # index into SERVICES
    contact_code: object  # Coded service codes
    contact_has_children: np.ndarray
    episode_person: np.ndarray
    episode_admit: np.ndarray
    episode_discharge: np.ndarray  # -1 when ongoing
    episode_has_children: np.ndarray
    episode_specialty: np.ndarray
    episode_cost_base: np.ndarray


def _code_lists(ref: Reference) -> tuple[list[list[str]], list[list[str]]]:
    """Per chronic group: ICD-10 codes and ICPC-2 codes to record."""
    icd: list[list[str]] = [[] for _ in CHRONIC_GROUPS]
    icpc: list[list[str]] = [[] for _ in CHRONIC_GROUPS]
    for row in ref.chronic_codes.itertuples():
        g = G[row.chronic_group]
        if row.code_system == "ICD-10":
            prefix = row.code_prefix
            code = ICD_OVERRIDES.get(prefix, prefix + ".9" if len(prefix) == 3 else prefix)
            # a 3-character code must not be shadowed by a longer prefix of another group
            icd[g].append(code)
        else:
            icpc[g].append(row.code_prefix)
    icd[G["cancer"]].extend(EXTRA_CANCER)
    return icd, icpc


def _rates(people: People) -> dict[str, np.ndarray]:
    age = people.age.astype(float)
    nc = people.n_chronic.astype(float)
    need = people.need
    ch = people.chronic
    female = ~people.male
    agefac = 0.7 + 0.014 * age
    return {
        "gp_reception": 0.42 * agefac * need,
        "nurse_reception": 0.38 * agefac * need,
        "emergency_care": 0.1 * (0.8 + 0.012 * age) * need**1.15,
        "oral_health": 0.3 * need**0.5,
        "mental_health_outpatient": np.where(
            ch[:, G["psychotic_disorders"]],
            5.0,
            np.where(ch[:, G["depression_anxiety"]], 2.5, 0.03),
        )
        * need**0.5,
        "substance_use_outpatient": np.where(ch[:, G["substance_use"]], 4.0, 0.004) * need**0.7,
        "maternity_child_clinic": np.where(
            age < 1,
            8.0,
            np.where(age < 7, 1.5, np.where(female & (age >= 22) & (age <= 42), 0.6, 0)),
        ),
        "school_student_health": np.where((age >= 7) & (age <= 19), 1.0, 0.0),
        "rehabilitation_therapy": (0.08 + 0.004 * age) * need**0.6,
        "home_nursing": np.where(age >= 75, 0.25 * need**1.3, 0.003 * need),
        "specialist_outpatient": 0.18 * (1 + 0.35 * nc) * need**0.8,
    }


def _diagnoses_for(
    rng, people: People, person: np.ndarray, groups_mask: np.ndarray | None, chronic_p: float
) -> np.ndarray:
    """Chronic group chosen for each record (-1 = a non-chronic reason)."""
    chronic = people.chronic[person]
    if groups_mask is not None:
        preferred = chronic & groups_mask
        use_pref = preferred.any(axis=1)
        chronic = np.where(use_pref[:, None], preferred, chronic)
    group = pick_from_mask(rng, chronic)
    group[rng.random(person.size) >= chronic_p] = -1
    return group


@dataclass
class Contacts:
    """The drawn health contacts (chronological), one entry per contact."""

    person: np.ndarray  # index into People
    day: np.ndarray
    service: np.ndarray  # index into SERVICES
    second: np.ndarray


@dataclass
class ContactDiagnoses:
    """The contacts that got a diagnosis (rank 1): their rows, chronic group and code system."""

    rows: np.ndarray  # index into the contacts
    group: np.ndarray  # chronic group index, -1 for a generic diagnosis
    icd: np.ndarray  # True: ICD-10, False: ICPC-2


@dataclass
class Episodes:
    """Inpatient episodes (chronological), one entry per stay."""

    person: np.ndarray
    admit: np.ndarray
    discharge: np.ndarray  # -1 when ongoing at the extract
    specialty: np.ndarray  # index into EPISODE_SPECIALTIES
    admission_type: np.ndarray  # 0 emergency, 1 elective
    care_level: np.ndarray  # 0 primary, 1 specialised
    group: np.ndarray  # chronic group behind the stay, -1 generic


def build_health(
    people: People,
    ref: Reference,
    rng: np.random.Generator,
    extract_day: int,
    extract_at,
    hospital: str = "KHKS",
) -> HealthOutput:
    """Contacts, episodes, diagnoses and procedures; `hospital` prefixes the hospital's unit ids.
    The steps draw from `rng` in a fixed order (the same seed gives the same files)."""
    icd_codes, icpc_codes = _code_lists(ref)
    contacts = _draw_contacts(people, rng, extract_day)
    contact, oral = _contact_table(people, ref, rng, contacts, extract_at, hospital)
    dx = _contact_diagnoses(people, rng, contacts)
    episodes = _episodes(people, rng, extract_day)
    episode, e_unit_cost = _episode_table(people, ref, rng, episodes, extract_at, hospital)
    diagnosis = _diagnosis_table(
        people, rng, (icd_codes, icpc_codes), contacts, contact, dx, episode, episodes, extract_at
    )
    procedure, oral_rows = _procedure_table(people, ref, rng, contacts, contact, oral, extract_at)

    n, m = contacts.person.size, episodes.person.size
    contact_children = np.zeros(n, dtype=bool)
    contact_children[dx.rows] = True
    contact_children[oral_rows] = True
    episode_children = np.ones(m, dtype=bool)
    linked = contact["person_id"] != people.person_id[contacts.person]
    e_linked = episode["person_id"] != people.person_id[episodes.person]
    return HealthOutput(
        contact=contact,
        episode=episode,
        diagnosis=diagnosis,
        procedure=procedure,
        linked_keys={
            "health_contact": contact["contact_id"][linked],
            "health_episode": episode["episode_id"][e_linked],
        },
        contact_person=contacts.person,
        contact_day=contacts.day,
        contact_service=contacts.service,
        contact_code=contact["service_code"],
        contact_has_children=contact_children,
        episode_person=episodes.person,
        episode_admit=episodes.admit,
        episode_discharge=episodes.discharge,
        episode_has_children=episode_children,
        episode_specialty=episodes.specialty,
        episode_cost_base=e_unit_cost,
    )


def _draw_contacts(people: People, rng: np.random.Generator, extract_day: int) -> Contacts:
    """Contacts of every service by its rates, ordered chronologically like a source extract."""
    rates = _rates(people)
    persons, days, services, seconds = [], [], [], []
    for s, service in enumerate(SERVICES):
        rate = rates[service]
        hi = people.active_to
        if service == "emergency_care":
            # a small group of frequent emergency users gives the long tail
            frequent = rng.random(people.n) < 0.006
            rate = np.minimum(np.where(frequent, rate * 12 + 3, rate), 30.0)
            rate = np.where(people.pinned_emergency > 0, 1.0, rate)
            hi = np.where(people.pinned_emergency > 0, extract_day - 400, people.active_to)
        p, d = draw(rng, people, rate, hi=hi)
        if service == "emergency_care":
            pinned = np.flatnonzero(people.pinned_emergency)
            pp = np.repeat(pinned, people.pinned_emergency[pinned])
            pd_ = extract_day - 330 + rng.integers(0, 300, size=pp.size)
            p, d = np.concatenate([p, pp]), np.concatenate([d, pd_])
            sec = round_the_clock_seconds(rng, p.size)
        else:
            sec = office_seconds(rng, p.size)
        persons.append(p)
        days.append(d)
        services.append(np.full(p.size, s, dtype=np.int8))
        seconds.append(sec)
    person = np.concatenate(persons)
    day = np.concatenate(days)
    service = np.concatenate(services)
    second = np.concatenate(seconds)
    order = np.lexsort((second, day))  # chronological, like a source extract
    person, day, service, second = person[order], day[order], service[order], second[order]
    return Contacts(person, day, service, second)


def _contact_table(
    people: People,
    ref: Reference,
    rng: np.random.Generator,
    contacts: Contacts,
    extract_at,
    hospital: str,
) -> tuple[dict, np.ndarray]:
    """The health_contact table, and which contacts are oral health visits."""
    person, day, service, second = contacts.person, contacts.day, contacts.service, contacts.second
    n = person.size

    # per-service attributes
    code_vocab: list[str] = []
    code_idx = np.empty(n, dtype=np.int32)
    type_vocab = ["R10", "R20", "R50", "R52", "R56"]
    type_idx = np.empty(n, dtype=np.int32)
    group_vocab = ["2211", "2212", "2221", "2261", "3251", "2634", "2264", "3221"]
    group_idx = np.empty(n, dtype=np.int32)
    unit_cost = np.empty(n)
    for s, svc in enumerate(SERVICES):
        sel = service == s
        k = int(sel.sum())
        codes = ref.codes("health_contact", svc)
        base = len(code_vocab)
        code_vocab.extend(codes)
        code_idx[sel] = base + rng.choice(len(codes), size=k)
        ctypes, cw, groups, gw, _, _ = CONTACT_SERVICES[svc]
        cw_arr = np.asarray(cw, float)
        type_idx[sel] = np.asarray([type_vocab.index(c) for c in ctypes])[
            rng.choice(len(ctypes), size=k, p=cw_arr / cw_arr.sum())
        ]
        gw_arr = np.asarray(gw, float)
        group_idx[sel] = np.asarray([group_vocab.index(g) for g in groups])[
            rng.choice(len(groups), size=k, p=gw_arr / gw_arr.sum())
        ]
        unit_cost[sel] = ref.unit_cost(svc)
    is_emergency = service == SERVICES.index("emergency_care")

    # units: the health centre of the home municipality; hospital units for ED and specialists
    municipality = np.asarray(people.municipality_codes)
    n_in_county = people.county_municipalities
    home = people.municipality[person]
    home = np.where(home >= n_in_county, 0, home)
    unit_vocab = (
        [f"TK{m}" for m in municipality[:n_in_county]]
        + ["SH" + m for m in municipality[:n_in_county]]
        + [hospital + "-PAIV", hospital + "-POLI", hospital + "-PSYK"]
    )
    unit_idx = home.astype(np.int32)
    oral = service == SERVICES.index("oral_health")
    unit_idx[oral] = n_in_county + home[oral]
    unit_idx[is_emergency] = 2 * n_in_county
    unit_idx[service == SERVICES.index("specialist_outpatient")] = 2 * n_in_county + 1
    unit_idx[service == SERVICES.index("mental_health_outpatient")] = 2 * n_in_county + 2
    professional = make_ids(
        "AM", group_idx * 10_000 + rng.integers(0, max(20, people.n // 300), size=n) % 10_000, 6
    )

    contact_id = make_ids("AV", np.arange(1, n + 1), 10)
    recorded = recorded_person_ids(people, person, day)
    contact = {
        "contact_id": contact_id,
        "person_id": recorded,
        "contact_start": timestamps(day, second),
        "service_code": coded(code_vocab, code_idx),
        "contact_type_code": coded(type_vocab, type_idx),
        "is_emergency": is_emergency,
        "professional_group_code": coded(group_vocab, group_idx),
        "professional_id": professional,
        "unit_id": coded(unit_vocab, unit_idx),
        "cost_eur": cost_with_gaps(rng, unit_cost),
        "loaded_at": np.full(n, extract_at),
    }
    return contact, oral


def _contact_diagnoses(
    people: People, rng: np.random.Generator, contacts: Contacts
) -> ContactDiagnoses:
    """Which contacts get a diagnosis, with the chronic group (or generic) and code system."""
    person, service = contacts.person, contacts.service
    n = person.size
    dx_prob = np.asarray([CONTACT_SERVICES[s][4] for s in SERVICES])[service]
    has_dx = rng.random(n) < dx_prob
    dx_rows = np.flatnonzero(has_dx)
    dx_service = service[dx_rows]
    group = np.full(dx_rows.size, -1, dtype=np.int64)
    for s, svc in enumerate(SERVICES):
        sel = np.flatnonzero(dx_service == s)
        if sel.size == 0:
            continue
        mask = None
        if svc in SERVICE_GROUPS:
            mask = np.zeros(len(CHRONIC_GROUPS), dtype=bool)
            mask[[G[g] for g in SERVICE_GROUPS[svc]]] = True
        p_chronic = 0.9 if svc in SERVICE_GROUPS else 0.6
        group[sel] = _diagnoses_for(rng, people, person[dx_rows[sel]], mask, p_chronic)
    icd_system = np.asarray([CONTACT_SERVICES[s][5] == "ICD-10" for s in SERVICES])[dx_service]
    return ContactDiagnoses(dx_rows, group, icd_system)


def _episode_table(
    people: People,
    ref: Reference,
    rng: np.random.Generator,
    episodes: Episodes,
    extract_at,
    hospital: str,
) -> tuple[dict, np.ndarray]:
    """The health_episode table, and each episode's unit cost per care day."""
    e_person, e_admit, e_discharge = episodes.person, episodes.admit, episodes.discharge
    e_spec, e_type, e_level = episodes.specialty, episodes.admission_type, episodes.care_level
    m = e_person.size
    e_unit_cost = np.asarray(
        [ref.unit_cost(_specialty_service(ref, sp)) for sp in EPISODE_SPECIALTIES]
    )[e_spec]
    days_cost = np.where(e_discharge >= 0, np.maximum(e_discharge - e_admit, 1), 0)
    e_cost = cost_with_gaps(rng, e_unit_cost * np.maximum(days_cost, 1), sigma=0.25)
    e_cost[e_discharge < 0] = np.nan
    episode_id = make_ids("HI", np.arange(1, m + 1), 9)
    e_recorded = recorded_person_ids(people, e_person, e_admit)
    episode = {
        "episode_id": episode_id,
        "person_id": e_recorded,
        "admission_date": e_admit.astype("datetime64[D]"),
        "discharge_date": np.where(
            e_discharge >= 0, e_discharge.astype("datetime64[D]"), np.datetime64("NaT")
        ),
        "specialty_code": coded(EPISODE_SPECIALTIES, e_spec),
        "unit_id": coded(
            [
                "TK-OS",
                hospital + "-SISA",
                hospital + "-KIR",
                hospital + "-KIR",
                hospital + "-NAIS",
                hospital + "-LAST",
                hospital + "-LAST",
                hospital + "-SILM",
                hospital + "-KNK",
                hospital + "-IHO",
                hospital + "-KEUH",
                hospital + "-NEUR",
                hospital + "-FYS",
                hospital + "-SYOP",
                hospital + "-PSYK",
                hospital + "-PSYK",
                hospital + "-LPSY",
                hospital + "-NPSY",
            ],
            e_spec,
        ),
        "admission_type": coded(["emergency", "elective"], e_type),
        "care_level": coded(["primary", "specialised"], e_level),
        "cost_eur": e_cost,
        "loaded_at": np.full(m, extract_at),
    }
    return episode, e_unit_cost


def _diagnosis_table(
    people: People,
    rng: np.random.Generator,
    code_lists: tuple[list[list[str]], list[list[str]]],
    contacts: Contacts,
    contact: dict,
    dx: ContactDiagnoses,
    episode: dict,
    episodes: Episodes,
    extract_at,
) -> dict:
    """The health_diagnosis rows: contacts (rank 1, some rank 2) then episodes (rank 1, some 2)."""
    icd_codes, icpc_codes = code_lists
    person = contacts.person
    contact_id, episode_id = contact["contact_id"], episode["episode_id"]
    dx_rows, group, icd_system = dx.rows, dx.group, dx.icd
    e_person, e_group = episodes.person, episodes.group
    n, m = contact_id.size, e_person.size
    dx_vocab: list[str] = []
    icd_index = []
    for codes in icd_codes:
        icd_index.append(np.arange(len(dx_vocab), len(dx_vocab) + len(codes)))
        dx_vocab.extend(codes)
    icpc_index = []
    for codes in icpc_codes:
        icpc_index.append(np.arange(len(dx_vocab), len(dx_vocab) + len(codes)))
        dx_vocab.extend(codes)
    gen_icd = np.arange(len(dx_vocab), len(dx_vocab) + len(GENERIC_ICD))
    dx_vocab.extend(GENERIC_ICD)
    gen_icpc = np.arange(len(dx_vocab), len(dx_vocab) + len(GENERIC_ICPC))
    dx_vocab.extend(GENERIC_ICPC)

    def code_for(groups: np.ndarray, icd: np.ndarray) -> np.ndarray:
        out = np.empty(groups.size, dtype=np.int32)
        u = rng.random(groups.size)
        for g in range(len(CHRONIC_GROUPS)):
            for system_is_icd, table in ((True, icd_index), (False, icpc_index)):
                sel = (groups == g) & (icd == system_is_icd)
                choices = table[g]
                if choices.size == 0:  # no code in this system: use the other system's list
                    choices = (icpc_index if system_is_icd else icd_index)[g]
                out[sel] = choices[(u[sel] * choices.size).astype(np.int64)]
        generic = groups < 0
        out[generic & icd] = gen_icd[(u[generic & icd] * gen_icd.size).astype(np.int64)]
        out[generic & ~icd] = gen_icpc[(u[generic & ~icd] * gen_icpc.size).astype(np.int64)]
        return out

    def system_of(codes: np.ndarray) -> np.ndarray:
        icpc_start = icpc_index[0][0] if icpc_index[0].size else len(dx_vocab)
        is_icpc = ((codes >= icpc_start) & (codes < gen_icd[0])) | (codes >= gen_icpc[0])
        return is_icpc.astype(np.int32)

    # rank 2 on a share of records of multimorbid people
    c_second = (people.n_chronic[person[dx_rows]] >= 2) & (rng.random(dx_rows.size) < 0.3)
    c2_rows = dx_rows[c_second]
    c2_group = pick_from_mask(rng, people.chronic[person[c2_rows]])
    e_second = (people.n_chronic[e_person] >= 1) & (rng.random(m) < 0.5)
    e2_rows = np.flatnonzero(e_second)
    e2_group = pick_from_mask(rng, people.chronic[e_person[e2_rows]])
    same1 = e_group[e2_rows] == e2_group
    e2_group[same1] = -1

    rec_type = np.concatenate(
        [
            np.zeros(dx_rows.size + c2_rows.size, dtype=np.int32),
            np.ones(m + e2_rows.size, dtype=np.int32),
        ]
    )
    rec_id = np.concatenate(
        [contact_id[dx_rows], contact_id[c2_rows], episode_id, episode_id[e2_rows]]
    )
    codes = np.concatenate(
        [
            code_for(group, icd_system),
            code_for(c2_group, icd_system[c_second]),
            code_for(e_group, np.ones(m, dtype=bool)),
            code_for(e2_group, np.ones(e2_rows.size, dtype=bool)),
        ]
    )
    rank = np.concatenate(
        [
            np.ones(dx_rows.size, np.int32),
            np.full(c2_rows.size, 2, np.int32),
            np.ones(m, np.int32),
            np.full(e2_rows.size, 2, np.int32),
        ]
    )
    # order diagnoses by their record (contact rows then episode rows), rank within
    rec_pos = np.concatenate([dx_rows, c2_rows, n + np.arange(m), n + e2_rows])
    order = np.lexsort((rank, rec_pos))
    k = order.size
    diagnosis = {
        "diagnosis_id": make_ids("DG", np.arange(1, k + 1), 10),
        "record_type": coded(["contact", "episode"], rec_type[order]),
        "record_id": rec_id[order],
        "code": coded(dx_vocab, codes[order]),
        "code_system": coded(["ICD-10", "ICPC-2"], system_of(codes[order])),
        "rank": rank[order],
        "loaded_at": np.full(k, extract_at),
    }
    return diagnosis


def _procedure_table(
    people: People,
    ref: Reference,
    rng: np.random.Generator,
    contacts: Contacts,
    contact: dict,
    oral: np.ndarray,
    extract_at,
) -> tuple[dict, np.ndarray]:
    """Oral health procedures, 1-4 per visit; demanding ones concentrate on people with high need.
    Also the oral visits' rows (they have children)."""
    person, contact_id = contacts.person, contact["contact_id"]
    oral_rows = np.flatnonzero(oral)
    n_proc = np.minimum(1 + rng.poisson(0.5, size=oral_rows.size), 4)
    proc_contact = np.repeat(oral_rows, n_proc)
    dental_need = rng.random(people.n) < 0.1
    p_dem = np.where(dental_need[person[proc_contact]], 0.2, 0.012)
    demanding = rng.random(proc_contact.size) < p_dem
    proc = ref.oral_procedures
    dem_codes = proc.procedure_code[proc.is_demanding == "true"].tolist()
    ord_codes = proc.procedure_code[proc.is_demanding != "true"].tolist()
    proc_vocab = ord_codes + dem_codes
    proc_idx = np.where(
        demanding,
        len(ord_codes) + rng.integers(0, len(dem_codes), size=proc_contact.size),
        rng.integers(0, len(ord_codes), size=proc_contact.size),
    )
    q = proc_contact.size
    procedure = {
        "procedure_id": make_ids("TP", np.arange(1, q + 1), 10),
        "contact_id": contact_id[proc_contact],
        "code": coded(proc_vocab, proc_idx),
        "code_system": coded([PROCEDURE_SYSTEM], np.zeros(q, np.int32)),
        "loaded_at": np.full(q, extract_at),
    }
    return procedure, oral_rows


def _specialty_service(ref: Reference, specialty: str) -> str:
    m = ref.service_code_map
    return m.loc[
        (m.source_table == "health_episode") & (m.source_code == specialty), "service_key"
    ].iloc[0]


def _episodes(people: People, rng: np.random.Generator, extract_day: int) -> Episodes:
    age = people.age.astype(float)
    ch = people.chronic
    nc = people.n_chronic.astype(float)
    female = ~people.male
    spec = {s: i for i, s in enumerate(EPISODE_SPECIALTIES)}
    somatic_rate = 0.035 * np.exp(0.03 * (age - 45)) * (1 + 0.3 * nc) * people.need**0.9
    somatic_rate = np.where(age < 2, 0.15, somatic_rate)
    psych_rate = np.where(
        ch[:, G["psychotic_disorders"]],
        0.35,
        np.where(ch[:, G["depression_anxiety"]], 0.03, 0.0008),
    )
    birth_rate = np.where(female & (age >= 20) & (age <= 42), 0.05, 0.0)
    parts = []
    for kind, rate in (("somatic", somatic_rate), ("psych", psych_rate), ("birth", birth_rate)):
        p, d = draw(rng, people, rate)
        parts.append((kind, p, d))
    persons, admits, specs, types, levels, groups, los = [], [], [], [], [], [], []
    for kind, p, d in parts:
        k = p.size
        a = age[p]
        if kind == "somatic":
            primary = (a >= 70) & (rng.random(k) < 0.45)
            g = pick_from_mask(rng, ch[p])
            g[rng.random(k) < 0.3] = -1
            sp = np.full(k, spec["10"])
            for group_name, s_code in CHRONIC_SPECIALTY.items():
                sp[g == G[group_name]] = spec[s_code]
            other = g < 0
            generic = rng.choice(
                [spec[s] for s in ["10", "20", "25", "50", "55", "60", "77", "78"]],
                size=k,
                p=[0.3, 0.4, 0.03, 0.05, 0.07, 0.03, 0.07, 0.05],
            )
            sp = np.where(other, generic, sp)
            sp = np.where(a < 16, np.where(rng.random(k) < 0.85, spec["40"], spec["45"]), sp)
            sp = np.where(primary, spec["98"], sp)
            typ = (rng.random(k) >= np.where(primary, 0.75, 0.6)).astype(np.int32)
            lev = np.where(primary, 0, 1)
            length = np.where(
                primary, rng.geometric(1 / 14, size=k), rng.geometric(1 / 4.0, size=k) - 1
            )
        elif kind == "psych":
            g = np.where(
                ch[p, G["psychotic_disorders"]], G["psychotic_disorders"], G["depression_anxiety"]
            )
            g = np.where(ch[p, g], g, -1)
            sp = np.where(a < 13, spec["74"], np.where(a < 18, spec["75"], spec["70"]))
            sp = np.where((a >= 18) & (rng.random(k) < 0.02), spec["70F"], sp)
            typ = (rng.random(k) >= 0.8).astype(np.int32)
            lev = np.ones(k, dtype=np.int64)
            length = rng.geometric(1 / 22, size=k)
        else:
            g = np.full(k, -1)
            sp = np.full(k, spec["30"])
            typ = (rng.random(k) >= 0.8).astype(np.int32)
            lev = np.ones(k, dtype=np.int64)
            length = 1 + rng.geometric(1 / 2.2, size=k)
        persons.append(p), admits.append(d), specs.append(sp), types.append(typ)
        levels.append(lev), groups.append(g), los.append(length)
    person = np.concatenate(persons)
    admit = np.concatenate(admits)
    order = np.lexsort((person, admit))
    person, admit = person[order], admit[order]
    sp = np.concatenate(specs)[order]
    typ = np.concatenate(types)[order]
    lev = np.concatenate(levels)[order].astype(np.int32)
    grp = np.concatenate(groups)[order]
    length = np.concatenate(los)[order].astype(np.int64)
    discharge = admit + length
    death = people.death[person]
    died_in_stay = (death != NO_DEATH) & (discharge > death)
    discharge = np.where(died_in_stay, death, discharge)
    ongoing = discharge > extract_day - 1
    discharge = np.where(ongoing, -1, discharge)
    # ICD-10 episode diagnosis group: the chronic group behind the stay, or generic
    grp = np.where(grp >= 0, grp, -1)
    return Episodes(person, admit, discharge, sp, typ, lev, grp)
