"""Residents: identity codes, age and sex pyramid, municipalities, languages, deaths, chronic
conditions, need for care and temporary identifiers linked to permanent ones."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pcdm import hetu
from pcdm.generator.config import CountyConfig
from pcdm.generator.reference import Reference

# Share of residents per 5-year age group 0-4 ... 95-99 (Kanta-Häme / Keski-Pohjanmaa 2024 shape:
# few children, a large 60-79 bulge, ~24 % aged 65+, median age ~45).
AGE_GROUP_WEIGHTS = np.array(
    [
        4.0,
        4.8,
        5.4,
        5.4,
        4.6,
        5.0,
        5.4,
        5.6,
        5.6,
        5.6,
        6.2,
        6.6,
        6.8,
        6.2,
        6.4,
        5.2,
        3.4,
        1.7,
        0.6,
        0.1,
    ]
)

CHRONIC_GROUPS = (
    "diabetes",
    "hypertension",
    "coronary_heart_disease",
    "heart_failure",
    "atrial_fibrillation",
    "cerebrovascular_disease",
    "asthma_copd",
    "chronic_kidney_disease",
    "cancer",
    "rheumatoid_arthritis",
    "epilepsy",
    "parkinsons_disease",
    "dementia",
    "depression_anxiety",
    "psychotic_disorders",
    "substance_use",
    "intellectual_disability",
)
# Prevalence (diagnosed and seen in two years) at ages 0, 20, 50, 80, 100.
_PREVALENCE_ANCHORS = np.array([0.0, 20.0, 50.0, 80.0, 100.0])
CHRONIC_PREVALENCE = np.array(
    [
        [0.002, 0.006, 0.05, 0.17, 0.14],  # diabetes
        [0.0005, 0.004, 0.14, 0.42, 0.40],  # hypertension
        [0.0001, 0.0005, 0.02, 0.14, 0.18],  # coronary heart disease
        [0.0001, 0.0003, 0.005, 0.07, 0.15],  # heart failure
        [0.0001, 0.0005, 0.012, 0.14, 0.18],  # atrial fibrillation
        [0.0002, 0.001, 0.01, 0.06, 0.08],  # cerebrovascular
        [0.05, 0.06, 0.07, 0.11, 0.10],  # asthma / COPD
        [0.0005, 0.001, 0.008, 0.06, 0.10],  # kidney
        [0.001, 0.003, 0.02, 0.07, 0.06],  # cancer
        [0.0005, 0.002, 0.01, 0.02, 0.015],  # rheumatoid arthritis
        [0.005, 0.007, 0.007, 0.01, 0.01],  # epilepsy
        [0.0, 0.0001, 0.001, 0.015, 0.01],  # parkinson
        [0.0, 0.0, 0.001, 0.10, 0.30],  # dementia
        [0.02, 0.09, 0.08, 0.05, 0.04],  # depression / anxiety
        [0.0005, 0.01, 0.014, 0.01, 0.006],  # psychotic
        [0.001, 0.025, 0.022, 0.008, 0.002],  # substance use
        [0.005, 0.005, 0.004, 0.002, 0.001],  # intellectual disability
    ]
)
OTHER_LANGUAGES = ["ru", "et", "ar", "so", "en", "uk", "fa", "th"]
OTHER_LANGUAGE_WEIGHTS = [0.26, 0.16, 0.12, 0.07, 0.12, 0.17, 0.05, 0.05]
DAY = np.timedelta64(1, "D")


@dataclass
class People:
    """One entry per person in the register (arrays of equal length)."""

    person_id: np.ndarray  # S11
    birth: np.ndarray  # int64 day numbers
    death: np.ndarray  # int64 day numbers, NO_DEATH when alive
    male: np.ndarray
    age: np.ndarray  # whole years at the extract (or at death)
    municipality: np.ndarray  # index into municipality_codes
    municipality_codes: list[str]
    county_municipalities: int  # the first this many municipality codes are the county's
    in_county: np.ndarray
    chronic: np.ndarray  # (n, groups) bool
    need: np.ndarray  # latent need multiplier, heavy tailed
    frailty: np.ndarray
    active_from: np.ndarray  # first day events may happen
    active_to: np.ndarray  # last day events may happen (inclusive)
    temp_id: np.ndarray  # S11, b"" when the person never had a temporary id
    link_day: np.ndarray  # day the temporary id was linked (events before it use the temp id)
    pinned_emergency: np.ndarray  # 0, or an exact number of emergency visits in the last year

    @property
    def n(self) -> int:
        return self.birth.size

    @property
    def n_chronic(self) -> np.ndarray:
        return self.chronic.sum(axis=1)


NO_DEATH = np.iinfo(np.int64).max


def day_number(value) -> int:
    return int(np.datetime64(value, "D").astype(np.int64))


def _unique_codes(rng, birth, numbers, signs, low, high, male) -> np.ndarray:
    """Redraw individual numbers until (birth, number, sign) is unique; keeps the parity."""
    sign_idx = np.frombuffer(np.asarray(signs, dtype="S1").tobytes(), dtype=np.uint8)
    for _ in range(50):
        key = (birth.astype(np.int64) + 200_000) * 1_000_000 + numbers * 256 + sign_idx
        _, first, counts = np.unique(key, return_index=True, return_counts=True)
        keep = np.zeros(key.size, dtype=bool)
        keep[first] = True
        dup = ~keep
        if not dup.any():
            return numbers
        k = int(dup.sum())
        drawn = rng.integers(low // 2, (high + 1) // 2, size=k) * 2
        drawn = np.where(male[dup], drawn + 1, drawn)
        numbers = numbers.copy()
        numbers[dup] = np.clip(drawn, low, high)
        # parity may be broken by clipping at the edges: restore it inside the range
        wrong = (numbers[dup] % 2 == 1) != male[dup]
        numbers[np.flatnonzero(dup)[wrong]] -= 1
    raise RuntimeError("could not draw unique identity codes")


def _ages(rng: np.random.Generator, n: int) -> np.ndarray:
    group = rng.choice(
        AGE_GROUP_WEIGHTS.size, size=n, p=AGE_GROUP_WEIGHTS / AGE_GROUP_WEIGHTS.sum()
    )
    return group * 5 + rng.integers(0, 5, size=n)


def _prevalence(age: np.ndarray) -> np.ndarray:
    """(n, groups) prevalence interpolated in logit space over the age anchors."""
    logits = np.log(
        np.clip(CHRONIC_PREVALENCE, 1e-6, 0.999) / (1 - np.clip(CHRONIC_PREVALENCE, 1e-6, 0.999))
    )
    out = np.empty((age.size, len(CHRONIC_GROUPS)))
    for g in range(len(CHRONIC_GROUPS)):
        out[:, g] = np.interp(age, _PREVALENCE_ANCHORS, logits[g])
    return out


def build_people(config: CountyConfig, ref: Reference, rng: np.random.Generator) -> People:
    munis = ref.municipalities
    county = munis[munis.county_code == config.county_code]
    others = munis[(munis.county_code != config.county_code) & (munis.population > 0)]
    n = int(config.residents or county.population.sum())
    extract_day = day_number(config.extract_at.date())
    history_start = day_number(
        np.datetime64(config.extract_at.date(), "M") - np.timedelta64(config.history_months, "M")
    )

    # age at the extract, birth date, sex
    age = _ages(rng, n)
    birth = extract_day - 1 - age * 365 - rng.integers(0, 365, size=n) - (age // 4)
    birth = np.minimum(birth, extract_day - 2)
    age = ((extract_day - 1 - birth) / 365.2425).astype(np.int64)
    female_share = np.where(age >= 85, 0.68, np.where(age >= 75, 0.57, 0.49))
    male = rng.random(n) >= female_share
    born_1900s = np.flatnonzero(
        (birth >= day_number("1900-01-01")) & (birth < day_number("2000-01-01"))
    )
    n_pairs = max(2, n // 5000)
    takers = born_1900s[rng.permutation(born_1900s.size)[: 2 * n_pairs]]
    pair_source, pair_copy = takers[:n_pairs], takers[n_pairs:]
    birth[pair_copy], male[pair_copy], age[pair_copy] = (
        birth[pair_source],
        male[pair_source],
        age[pair_source],
    )

    # deaths inside the history window (Gompertz hazard, ~1 % a year overall)
    hazard = np.exp(-10.7 + 0.094 * age)
    years = (extract_day - history_start) / 365.25
    dies = rng.random(n) < 1 - np.exp(-hazard * years)
    death = np.full(n, NO_DEATH, dtype=np.int64)
    death_day = history_start + np.floor(rng.random(n) * (extract_day - 1 - history_start))
    death[dies] = np.maximum(death_day[dies].astype(np.int64), birth[dies] + 1)
    death[dies] = np.minimum(death[dies], extract_day - 2)

    # municipality: the county's municipalities by population, ~1.5 % from other counties
    codes = county.municipality_code.tolist() + others.municipality_code.tolist()
    in_county = rng.random(n) >= 0.015
    w_in = county.population.to_numpy(float)
    w_out = others.population.to_numpy(float)
    municipality = np.where(
        in_county,
        rng.choice(len(w_in), size=n, p=w_in / w_in.sum()),
        len(w_in) + rng.choice(len(w_out), size=n, p=w_out / w_out.sum()),
    )

    # identity codes: classic signs, some new 1900s (Y, X) and 2000s (B) signs
    birth_d = birth.astype("datetime64[D]")
    signs = hetu.default_signs(birth_d)
    u = rng.random(n)
    signs[pair_source] = b"-"
    u[pair_source] = 0.5
    signs = np.where((signs == b"-") & (u < 0.006), b"Y", signs)
    signs = np.where((signs == b"-") & (u > 0.998), b"X", signs).astype("S1")
    signs = np.where((signs == b"A") & (u < 0.01), b"B", signs).astype("S1")
    numbers = rng.integers(1, 450, size=n) * 2
    numbers = np.where(male, numbers + 1, numbers)  # men 003-899 odd, women 002-898 even
    numbers = _unique_codes(rng, birth, numbers, signs, 2, 899, male)
    # deliberate pairs: a few Y-sign persons share DDMMYYZZZQ with an existing '-' person
    numbers[pair_copy] = numbers[pair_source]
    signs[pair_copy] = b"Y"
    numbers = _unique_codes(rng, birth, numbers, signs, 2, 899, male)
    person_id = hetu.make_many(birth.astype("datetime64[D]"), numbers, signs)

    # chronic conditions (age-rising, correlated through frailty) and need for care
    frailty = rng.standard_normal(n)
    logits = _prevalence(age.astype(float)) + 0.9 * frailty[:, None] - 0.25
    chronic = rng.random(logits.shape) < 1 / (1 + np.exp(-logits))
    n_chronic = chronic.sum(axis=1)
    need = np.exp(rng.normal(-0.66, 1.15, size=n)) * (1 + 0.45 * n_chronic) * np.exp(0.25 * frailty)
    need = np.minimum(need, 25.0)
    # the dying use a lot of care in their last months
    need = np.where(dies, need * 2.0, need)

    active_from = np.maximum(history_start, birth + 1)
    active_to = np.minimum(extract_day - 1, death)

    # temporary identifiers (~0.2 %): early events use the temp id, linked later
    temp_id = np.full(n, b"", dtype="S11")
    link_day = np.full(n, np.iinfo(np.int64).min, dtype=np.int64)
    span = active_to - active_from
    has_temp = (rng.random(n) < 0.002) & (span > 120)
    idx = np.flatnonzero(has_temp)
    if idx.size:
        t_numbers = rng.integers(900, 1000, size=idx.size)
        t_signs = hetu.default_signs(birth[idx].astype("datetime64[D]"))
        t_numbers = _unique_codes(rng, birth[idx], t_numbers, t_signs, 900, 999, t_numbers % 2 == 1)
        temp_id[idx] = hetu.make_many(birth[idx].astype("datetime64[D]"), t_numbers, t_signs)
        link_day[idx] = (
            active_from[idx] + 30 + (rng.random(idx.size) * (span[idx] - 60)).astype(np.int64)
        )

    # pinned emergency users: exactly 5 or exactly 6 visits in the last 12 months
    pinned = np.zeros(n, dtype=np.int64)
    eligible = np.flatnonzero(
        (death == NO_DEATH)
        & (age >= 18)
        & in_county
        & ~has_temp
        & (active_from < extract_day - 400)
    )
    n_pin = max(3, n // 2000)
    chosen = eligible[rng.permutation(eligible.size)[: 2 * n_pin]]
    pinned[chosen[:n_pin]] = 5
    pinned[chosen[n_pin:]] = 6

    return People(
        person_id=person_id,
        birth=birth.astype(np.int64),
        death=death,
        male=male,
        age=age,
        municipality=municipality,
        municipality_codes=codes,
        county_municipalities=len(w_in),
        in_county=in_county,
        chronic=chronic,
        need=need,
        frailty=frailty,
        active_from=active_from.astype(np.int64),
        active_to=active_to.astype(np.int64),
        temp_id=temp_id,
        link_day=link_day,
        pinned_emergency=pinned,
    )


def person_columns(people: People, ref: Reference, config: CountyConfig, rng) -> dict:
    """Columns of population_person."""
    n = people.n
    extract_at = np.datetime64(config.extract_at, "s")
    codes = people.municipality_codes
    kokkola = codes.index("272") if "272" in codes else -1
    sv_share = np.where(
        people.municipality == kokkola, 0.13, 0.012 if config.county_code == "18" else 0.006
    )
    other_share = np.where(people.age >= 70, 0.008, 0.055)
    u = rng.random(n)
    vocab = ["fi", "sv", *OTHER_LANGUAGES]
    language = np.where(u < sv_share, 1, 0)
    other = (u >= sv_share) & (u < sv_share + other_share)
    language[other] = 2 + rng.choice(
        len(OTHER_LANGUAGES), size=int(other.sum()), p=OTHER_LANGUAGE_WEIGHTS
    )
    death = np.where(
        people.death == NO_DEATH, np.datetime64("NaT"), people.death.astype("datetime64[D]")
    )
    updated = extract_at - (rng.random(n) * 700 * 86400).astype("timedelta64[s]")
    died = people.death != NO_DEATH
    updated[died] = (people.death[died] + 1 + rng.integers(0, 3, died.sum())).astype(
        "datetime64[D]"
    ).astype("datetime64[s]") + np.timedelta64(8, "h")
    updated = np.minimum(updated, extract_at - np.timedelta64(3600, "s"))
    from pcdm.generator.arrays import coded

    return {
        "person_id": people.person_id,
        "birth_date": people.birth.astype("datetime64[D]"),
        "sex_code": np.where(people.male, b"1", b"2").astype("S1"),
        "municipality_code": coded(codes, people.municipality),
        "language_code": coded(vocab, language),
        "non_disclosure": rng.random(n) < 0.005,
        "death_date": death,
        "updated_at": updated,
        "loaded_at": np.full(n, extract_at),
    }


def id_link_columns(people: People, config: CountyConfig, rng) -> dict:
    idx = np.flatnonzero(people.temp_id != b"")
    extract_at = np.datetime64(config.extract_at, "s")
    linked = people.link_day[idx].astype("datetime64[D]").astype("datetime64[s]") + (
        rng.integers(8 * 3600, 16 * 3600, size=idx.size)
    ).astype("timedelta64[s]")
    return {
        "temporary_id": people.temp_id[idx],
        "person_id": people.person_id[idx],
        "linked_at": linked,
        "loaded_at": np.full(idx.size, extract_at),
    }
