"""Drawing events for people: Poisson counts over each person's active days, uniform dates."""

from __future__ import annotations

import numpy as np

from pcdm.generator.population import People

SECONDS_PER_DAY = 86_400


def draw(
    rng: np.random.Generator,
    people: People,
    rate_per_year: np.ndarray,
    lo: np.ndarray | None = None,
    hi: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Events of every person at a yearly rate inside [lo, hi] (inclusive day numbers).

    Returns (person index, day number) sorted by person.
    """
    lo = people.active_from if lo is None else lo
    hi = people.active_to if hi is None else hi
    exposure = np.maximum(hi - lo + 1, 0) / 365.25
    counts = rng.poisson(np.maximum(rate_per_year, 0) * exposure)
    person = np.repeat(np.arange(people.n), counts)
    span = (hi - lo + 1)[person]
    day = lo[person] + np.floor(rng.random(person.size) * span).astype(np.int64)
    return person, day


def office_seconds(rng: np.random.Generator, n: int) -> np.ndarray:
    """Seconds after midnight in office hours (08:00-15:55, 5-minute slots)."""
    return rng.integers(8 * 12, 16 * 12, size=n) * 300


def round_the_clock_seconds(rng: np.random.Generator, n: int) -> np.ndarray:
    """Seconds after midnight, busier in the day and evening (emergency departments)."""
    weights = np.array(
        [2, 1.5, 1, 1, 1, 1.5, 2, 3, 5, 7, 8, 8, 7, 7, 7, 7, 7, 7, 7, 6, 5, 4, 3, 2.5]
    )
    hour = rng.choice(24, size=n, p=weights / weights.sum())
    return hour * 3600 + rng.integers(0, 60, size=n) * 60


def timestamps(day: np.ndarray, seconds: np.ndarray) -> np.ndarray:
    return (day * SECONDS_PER_DAY + seconds).astype("datetime64[s]")


def recorded_person_ids(people: People, person: np.ndarray, day: np.ndarray) -> np.ndarray:
    """The identity code as the source system recorded it: the temporary id before linking."""
    ids = people.person_id[person]
    temp = people.temp_id[person]
    use_temp = (temp != b"") & (day < people.link_day[person])
    ids[use_temp] = temp[use_temp]
    return ids


def cost_with_gaps(
    rng: np.random.Generator, base: np.ndarray, sigma: float = 0.3, missing: float = 0.25
) -> np.ndarray:
    """Source cost: the unit cost with noise, rounded to cents; `missing` share left empty."""
    cost = np.round(base * np.exp(rng.normal(-sigma * sigma / 2, sigma, size=base.size)), 2)
    cost[rng.random(base.size) < missing] = np.nan
    return cost


def pick_from_mask(rng: np.random.Generator, mask: np.ndarray) -> np.ndarray:
    """For each row of a boolean matrix, a uniformly chosen True column (-1 when none)."""
    counts = mask.sum(axis=1)
    k = np.floor(rng.random(mask.shape[0]) * counts).astype(np.int64)
    cumulative = np.cumsum(mask, axis=1)
    chosen = (cumulative > k[:, None]).argmax(axis=1)
    return np.where(counts > 0, chosen, -1)
