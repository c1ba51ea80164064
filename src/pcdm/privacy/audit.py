"""The attacker: bound every withheld count of the published family by linear programming.

The attacker knows every published count (and every count a published share implies) and every
constraint of family.py. The unknowns are the withheld groups; each is at least 1 where it is a
mart's total row and at least 0 otherwise (the marts are dense grids). For each withheld group
whose true count is 1 to min_cell_size - 1 the auditor bounds it by LPs (HiGHS) over the
constraints that connect it to other unknowns, and reports a leak when the integer interval
[ceil(min), floor(max)] is narrower than min_cell_size. In a component of up to MAX_IP_COLUMNS
unknowns the attacker also solves the integer program: there only integer tables certify a count,
and the bounds are the integer program's. In larger components the interval is the LP's, rounded
inwards (the integer interval can be narrower only where the LP's extreme points are fractional;
an integer program over thousands of unknowns is not the attack model's "small" one).

Unknowns split into independent components (groups linked through a constraint); a component is
solved as one LP model whose objective changes per target, so each solve starts warm.
"""

from __future__ import annotations

import math
import sys
from collections import defaultdict
from dataclasses import dataclass

import numpy as np

from pcdm.privacy.family import Family, Row

EPSILON = 1e-6
MAX_CERTIFICATE_ROUNDS = 30  # LPs per component (up, down, random), while they certify more counts
DIRECTIONS = (1.0, -1.0, 0.0)  # push every count up, down, or each its own random way
MAX_LEAKS = 100  # the attack stops once it has found this many: the run is blocked already
MAX_IP_COLUMNS = 400  # components up to this many unknowns also get the integer program
# a component's counts are lifted all at once, then those left again (in a family where nearly
# everything is withheld, one lift cannot lift them all, and one LP per count takes minutes),
# while a lift certifies at least this share of the counts it lifts, at most MAX_LIFTS times
MAX_LIFTS = 20
LIFT_PROGRESS = 0.05


@dataclass(frozen=True)
class Leak:
    """A small withheld count that the attacker can pin to an interval narrower than allowed."""

    group: int
    true_count: int
    low: float
    high: float
    label: str

    def text(self) -> str:
        high = "unbounded" if math.isinf(self.high) else f"{self.high:g}"
        return (
            f"{self.label}: withheld count {self.true_count} is pinned to "
            f"[{self.low:g}, {high}] by the published tables"
        )


@dataclass
class AuditResult:
    leaks: list[Leak]
    small_published: list[str]  # published counts from 1 to min_cell_size - 1
    targets: int  # small withheld counts bounded
    components: int
    solves: int


def audit(
    family: Family,
    published: list[bool],
    truth: list[int | None],
    min_cell_size: int,
) -> AuditResult:
    """Attack the family: `published[v]` says whether group v's count is known to the attacker,
    `truth` holds every group's true count (to know which withheld counts are small and what the
    published ones are).

    Per component, one LP lifts every small count up to min_cell_size above its truth at once,
    then LPs that push the counts left up (down, or each its own random way) find feasible
    points of the attacker's polytope, while they certify more counts: a small
    count that two feasible points (the truth is one) hold min_cell_size apart is safe, whatever
    else the attacker does. Each count left is bounded exactly: its maximum, then its minimum,
    then (small components) the integer program's."""
    small_published = [
        family.label(v)
        for v, is_known in enumerate(published)
        if is_known and truth[v] is not None and 1 <= truth[v] < min_cell_size
    ]
    ceiling = _ceiling(family, published, truth, min_cell_size)
    leaks: list[Leak] = []
    targets = solves = checked = 0
    for members, rows in _components(family, published):
        sensitive = [v for v in members if truth[v] is not None and 1 <= truth[v] < min_cell_size]
        if not sensitive or len(leaks) >= MAX_LEAKS:
            continue
        checked += 1
        targets += len(sensitive)
        solver = _ComponentLp(family, members, rows, published, truth, ceiling)
        low = {v: float(truth[v]) for v in sensitive}
        high = dict(low)
        remaining = sensitive
        for _ in range(MAX_LIFTS):  # lift the counts left again, while a lift certifies some
            point = solver.lifted_point(remaining, truth, min_cell_size)
            solves += 1
            lifted, remaining = remaining, _widened(point, remaining, low, high, min_cell_size)
            if not remaining or len(lifted) - len(remaining) < LIFT_PROGRESS * len(lifted):
                break
        rng = np.random.default_rng(len(members))
        for round_number in range(MAX_CERTIFICATE_ROUNDS if remaining else 0):
            point = solver.point(remaining, rng, direction=DIRECTIONS[round_number % 3])
            solves += 1
            left = _widened(point, remaining, low, high, min_cell_size)
            if not left or (round_number >= len(DIRECTIONS) and len(left) == len(remaining)):
                remaining = left
                break  # all certified, or a whole cycle of directions certified nothing more
            remaining = left
        for v in remaining:
            if len(leaks) >= MAX_LEAKS:
                break  # the audit fails already; the counts not bounded are not passed either
            if len(members) <= MAX_IP_COLUMNS:  # small: the integer program's bounds
                low[v], high[v] = solver.bounds(v, integer=True)
                solves += 2
            else:  # the LP's maximum first: with the truth, it often suffices
                high[v] = max(high[v], solver.maximum(v))
                solves += 1
                if _width(low[v], high[v]) < min_cell_size:
                    low[v], high[v] = solver.bounds(v)
                    solves += 2
            if _width(low[v], high[v]) < min_cell_size:
                leaks.append(Leak(v, int(truth[v]), low[v], high[v], family.label(v)))
    return AuditResult(leaks, small_published, targets, checked, solves)


def _ceiling(family: Family, published, truth, min_cell_size: int) -> float:
    """No group is larger than everyone in scope, a published total. Where that is withheld, a
    bound ten times the largest published count: an attacker who knew such a bound would only be
    stronger, so the audit stays on the safe side."""
    everyone = family.index.get(())
    if everyone is not None and published[everyone]:
        return float(truth[everyone])
    largest = max((t for t, p in zip(truth, published, strict=True) if p and t), default=0)
    return 10.0 * max(largest, min_cell_size)


def _widened(point, counts: list[int], low: dict, high: dict, min_cell_size: int) -> list[int]:
    """Widen each count's interval [low, high] to hold a feasible point of the attacker's polytope
    (None: no point); the counts whose interval is still narrower than min_cell_size."""
    for v in counts if point else ():
        low[v], high[v] = min(low[v], point[v]), max(high[v], point[v])
    return [v for v in counts if _width(low[v], high[v]) < min_cell_size]


def _width(low: float, high: float) -> float:
    return math.floor(high + EPSILON) - math.ceil(low - EPSILON)


def _components(family: Family, published: list[bool]) -> list[tuple[list[int], list[Row]]]:
    """Withheld groups linked by a constraint, each with the constraints that touch it."""
    parent: dict[int, int] = {}

    def find(v: int) -> int:
        root = v
        while parent[root] != root:
            root = parent[root]
        while parent[v] != root:
            parent[v], v = root, parent[v]
        return root

    touching: list[tuple[Row, list[int]]] = []
    for row in family.rows():
        unknown = [v for v, _ in row.terms if not published[v]]
        if not unknown:
            continue
        for v in unknown:
            parent.setdefault(v, v)
        first = find(unknown[0])
        for v in unknown[1:]:
            root = find(v)
            if root != first:
                parent[root] = first
        touching.append((row, unknown))
    for v, is_known in enumerate(published):
        if not is_known:
            parent.setdefault(v, v)
    members: dict[int, list[int]] = defaultdict(list)
    for v in parent:
        members[find(v)].append(v)
    rows: dict[int, list[Row]] = defaultdict(list)
    for row, unknown in touching:
        rows[find(unknown[0])].append(row)
    return [(sorted(vs), rows.get(root, [])) for root, vs in members.items()]


def new_highs():
    """A HiGHS model with its output off, the licence banner it prints when created included."""
    import os

    import highspy

    sys.stdout.flush()
    saved = os.dup(1)
    try:
        with open(os.devnull, "w") as devnull:
            os.dup2(devnull.fileno(), 1)
            h = highspy.Highs()
    finally:
        os.dup2(saved, 1)
        os.close(saved)
    h.setOptionValue("output_flag", False)
    return h


class _ComponentLp:
    """One component's LP in HiGHS; bounds(v) minimises and maximises one unknown."""

    def __init__(self, family, members, rows, published, truth, ceiling) -> None:
        import highspy

        self._highspy = highspy
        self.column = {v: i for i, v in enumerate(members)}
        self.lower = [float(family.lower_bound(v)) for v in members]
        self.rows = rows
        h = new_highs()
        inf = highspy.kHighsInf
        n = len(members)
        h.addVars(n, np.array(self.lower), np.full(n, max(ceiling, max(self.lower, default=0))))
        for row in rows:
            constant = 0.0
            index, value = [], []
            for v, coefficient in row.terms:
                if published[v]:
                    constant += coefficient * truth[v]
                else:
                    index.append(self.column[v])
                    value.append(coefficient)
            low = -inf if math.isinf(row.lo) else row.lo - constant
            high = inf if math.isinf(row.hi) else row.hi - constant
            h.addRow(low, high, len(index), np.array(index, dtype=np.int32), np.array(value))
        self.h = h

    def lifted_point(self, targets: list[int], truth, cap: float) -> dict[int, float]:
        """The point of the attacker's polytope that lifts every target up to cap above its true
        count, all at once: it maximises the sum over targets of min(x_s - truth_s, cap), with a
        column t_s <= cap and a row t_s <= x_s - truth_s per target (kept: at zero cost they
        bind nothing later)."""
        h, inf = self.h, self._highspy.kHighsInf
        first, k = h.getNumCol(), len(targets)
        h.addVars(k, np.full(k, -inf), np.full(k, float(cap)))
        lifts = np.arange(first, first + k, dtype=np.int32)
        index = np.ravel(np.column_stack([lifts, [self.column[v] for v in targets]]))
        h.addRows(
            k,
            np.full(k, -inf),
            -np.array([float(truth[v]) for v in targets]),
            2 * k,
            np.arange(0, 2 * k, 2, dtype=np.int32),
            index.astype(np.int32),
            np.tile([1.0, -1.0], k),
        )
        h.changeColsCost(k, lifts, np.ones(k))
        h.changeObjectiveSense(self._highspy.ObjSense.kMaximize)
        try:
            self._solve(minimise=False)
            values = h.getSolution().col_value
        finally:
            h.changeColsCost(k, lifts, np.zeros(k))
        return self._values(values)

    def point(self, targets: list[int], rng, direction: float = 0.0) -> dict[int, float]:
        """A vertex of the attacker's polytope, furthest in one direction over the targets: all up
        (direction 1), all down (-1) or each its own random way (0), with random weights."""
        h = self.h
        columns = np.array([self.column[v] for v in targets], dtype=np.int32)
        signs = rng.choice([-1.0, 1.0], size=len(targets)) if direction == 0 else direction
        weights = signs * rng.uniform(0.5, 1.5, len(targets))
        h.changeColsCost(len(columns), columns, weights)
        h.changeObjectiveSense(self._highspy.ObjSense.kMaximize)
        try:
            self._solve(minimise=False)
            values = h.getSolution().col_value
        finally:
            h.changeColsCost(len(columns), columns, np.zeros(len(columns)))
        return self._values(values)

    def _values(self, values) -> dict[int, float] | None:
        """The point's counts, or None when it is fractional in a component small enough for
        the integer program: there, only integer tables certify (the attacker's small integer
        programs would see through a fractional one)."""
        point = {v: values[i] for v, i in self.column.items()}
        if len(point) <= MAX_IP_COLUMNS and any(
            abs(value - round(value)) > EPSILON for value in point.values()
        ):
            return None
        return point

    def maximum(self, v: int) -> float:
        column = self.column[v]
        self.h.changeColCost(column, 1.0)
        self.h.changeObjectiveSense(self._highspy.ObjSense.kMaximize)
        try:
            return self._solve(minimise=False)
        finally:
            self.h.changeColCost(column, 0.0)

    def bounds(self, v: int, *, integer: bool = False) -> tuple[float, float]:
        """The minimum and maximum of unknown v (math.inf when unbounded), by LP or by the
        integer program."""
        column = self.column[v]
        h, sense = self.h, self._highspy.ObjSense
        h.changeColCost(column, 1.0)
        if integer:
            self._set_integrality(self._highspy.HighsVarType.kInteger)
        try:
            h.changeObjectiveSense(sense.kMinimize)
            low = self._solve(minimise=True)
            h.changeObjectiveSense(sense.kMaximize)
            high = self._solve(minimise=False)
        finally:
            h.changeColCost(column, 0.0)
            if integer:
                self._set_integrality(self._highspy.HighsVarType.kContinuous)
        return low, high

    def _set_integrality(self, kind) -> None:
        n = len(self.column)
        self.h.changeColsIntegrality(n, np.arange(n, dtype=np.int32), np.array([kind] * n))

    def _solve(self, *, minimise: bool) -> float:
        status_type = self._highspy.HighsModelStatus
        self.h.run()
        status = self.h.getModelStatus()
        if status == status_type.kOptimal:
            return self.h.getInfo().objective_function_value
        if status in (status_type.kUnbounded, status_type.kUnboundedOrInfeasible):
            return -math.inf if minimise else math.inf
        raise RuntimeError(
            f"disclosure audit: the published tables admit no solution ({status}); "
            "a constraint of pcdm.privacy.family does not hold for this county"
        )


def attack_published(published: Family, truth: Family, min_cell_size: int) -> AuditResult:
    """The attack on what the marts publish (a family built from their rows, withheld counts None),
    judged by the true counts of the same groups (a family built from the true cells)."""
    true_counts = []
    for group in published.groups:
        number = truth.index.get(group)
        true_counts.append(truth.value[number] if number is not None else 0)
    known = [value is not None for value in published.value]
    return audit(published, known, true_counts, min_cell_size)
