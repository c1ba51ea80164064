"""Disclosure control of the bi marts: primary, then secondary suppression by an alternative table.

1. Primary: every group whose count is 1 to min_cell_size - 1 is withheld (in every mart that shows
   it: a group is one decision, so linked marts can never disagree).
2. Secondary: one LP (HiGHS) over the whole family looks for another table x + y that satisfies
   every constraint of family.py, in which every small count is at least min_cell_size larger
   (y_s >= min_cell_size for all of them at once), and which changes as little published as it
   can (cost: 0 for a group already withheld, its count plus one for a published group, a mart's
   total a thousand times more). Every group that y changes is withheld. Then x and x + y are two
   tables the attacker cannot tell apart, so the attacker's interval of every small count s holds
   [x_s, x_s + min_cell_size]: s is safe, and stays safe whatever is withheld later (withholding
   more only adds tables). This is the "protection by an alternative table" of the linked-table
   methods (tau-Argus modular, sdcTable), with one table for all small counts instead of one each.
   The tables hold everyone in scope at its true count (the other totals of the marts cost a
   thousand times more than a cell); where no single such table exists (a small population), the
   small counts are split in halves, and halves again, until each part has its table (each reusing
   what the tables before it withheld), and only a count that no such table can move (a population
   of a few persons) changes everyone in scope.
   The LP's table can hold fractions (the equations of the linked marts make it half-integral in
   places), which an attacker who knows the counts are whole numbers could rule out. So where it
   does, an integer program over the groups that the LP's table changed (or that are withheld
   already) looks for a table of whole numbers, and where those hold none, one over every group:
   x + y is then a county the attacker cannot tell from the true one even by integer programming,
   however large the family.
3. No group of fewer than min_cell_size persons follows by differencing either: withheld parts of
   a published total that held 1 .. min_cell_size - 1 persons together would put each small one
   of them in an interval narrower than min_cell_size, which the table of step 2 rules out.
4. The data-quality gate then audits what the marts publish on its own (audit.py).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pcdm.privacy.audit import new_highs
from pcdm.privacy.family import Family

TOTAL_COST = 1000.0  # withholding a mart's total costs this much more than a cell
MOVED = 1e-7  # a change smaller than this is the LP's rounding, not a change
INTEGER_SECONDS = 120.0  # the integer program's time limit; without a solution, the LP's table
INTEGER_GAP = 0.1  # the integer program stops within this share of the best cost it can prove


class ProtectionError(RuntimeError):
    """The family could not be protected (no alternative table for a small count)."""


@dataclass
class Protection:
    published: list[bool]
    lps: int  # alternative tables solved
    primary: int  # groups withheld as small
    secondary: int  # groups withheld to protect them
    integral: bool  # every alternative table holds whole numbers (safe against integer programs)


def protect(family: Family, min_cell_size: int) -> Protection:
    """The groups to publish: every small count withheld, and enough others that none is
    derivable."""
    truth = family.value
    missing = [family.label(v) for v, value in enumerate(truth) if value is None]
    if missing:
        raise ProtectionError(f"no true count for {len(missing)} groups, e.g. {missing[0]}")
    published = [not (1 <= value < min_cell_size) for value in truth]
    primary = published.count(False)
    small = np.flatnonzero(~np.array(published, dtype=bool))
    lps = 0
    alternatives = None
    if len(small):
        alternatives = _Alternatives(family, published)
        alternatives.keep_everyone(True)
        change = alternatives.find(small, min_cell_size)
        lps += 1
        if change is None:  # no one table for all: halves, then quarters, ... each reusing
            change = np.zeros(len(truth))  # what the tables before it withheld
            pending = [small]
            while pending:
                targets = pending.pop()
                targets = targets[change[targets] < min_cell_size - MOVED]  # not lifted yet
                if not len(targets):
                    continue
                one = alternatives.find(targets, min_cell_size)
                lps += 1
                if one is None and len(targets) > 1:
                    middle = len(targets) // 2
                    pending += [targets[middle:], targets[:middle]]  # the first half next
                    continue
                if one is None:  # only a table that changes a mart's total moves this count
                    alternatives.keep_everyone(False)
                    one = alternatives.find(targets, min_cell_size)
                    alternatives.keep_everyone(True)
                    lps += 1
                if one is None:
                    raise ProtectionError(
                        f"no table differs from the truth by {min_cell_size} at "
                        f"{family.label(targets[0])}"
                    )
                alternatives.withhold(np.flatnonzero(np.abs(one) > MOVED))
                change = np.where(np.abs(one) > np.abs(change), one, change)
        for v in np.flatnonzero(np.abs(change) > MOVED):
            published[v] = False
    integral = alternatives is None or alternatives.integral
    return Protection(published, lps, primary, published.count(False) - primary, integral)


class _Alternatives:
    """Step 2: the LP of an alternative table over the whole family, kept in HiGHS between solves
    (only the targets' bounds and the costs of newly withheld groups change)."""

    def __init__(self, family: Family, published: list[bool]) -> None:
        import highspy
        from scipy.sparse import csr_matrix

        self.highspy = highspy
        truth = np.array(family.value, dtype=float)
        n = self.n = len(truth)
        rows = list(family.rows())
        starts, index, value = [0], [], []
        lo, hi = np.empty(len(rows)), np.empty(len(rows))
        for number, row in enumerate(rows):
            for v, coefficient in row.terms:
                index.append(v)
                value.append(coefficient)
            starts.append(len(index))
            lo[number], hi[number] = row.lo, row.hi
        a = csr_matrix((value, index, starts), shape=(len(rows), n))
        a.sum_duplicates()
        at_truth = a @ truth
        inf = highspy.kHighsInf
        row_lower = np.where(np.isinf(lo), -inf, lo - at_truth)
        row_upper = np.where(np.isinf(hi), inf, hi - at_truth)
        # y = plus - minus: columns 0..n-1 are plus, n..2n-1 minus; x + y is at least the group's
        # lower bound. (No group exceeds everyone in scope: the equations say so.)
        lower_bound = np.array([family.lower_bound(v) for v in range(n)], dtype=float)
        self.upper = np.concatenate([np.full(n, inf), np.maximum(truth - lower_bound, 0.0)])
        self.integral = True  # no table found so far holds a fraction
        top_level = np.array(family.top_level, dtype=bool)
        everyone = family.index.get(())
        self.totals = np.array([] if everyone is None or not published[everyone] else [everyone])
        weight = np.where(top_level, TOTAL_COST, 1.0) * (1.0 + truth)
        cost = np.where(np.array(published, dtype=bool), weight, 0.0)
        h = self.h = new_highs()
        h.addVars(2 * n, np.zeros(2 * n), self.upper)
        h.changeColsCost(2 * n, np.arange(2 * n, dtype=np.int32), np.concatenate([cost, cost]))
        both = _hstack(a)
        h.addRows(
            a.shape[0],
            row_lower,
            row_upper,
            both.nnz,
            both.indptr.astype(np.int32),
            both.indices.astype(np.int32),
            both.data,
        )
        h.changeObjectiveSense(highspy.ObjSense.kMinimize)
        h.setOptionValue("mip_rel_gap", INTEGER_GAP)
        self.cost = np.concatenate([cost, cost])

    def keep_everyone(self, keep: bool) -> None:
        """Hold everyone in scope at its true count (keep), or let it change."""
        totals = self.totals
        plus, minus = totals.astype(np.int32), (totals + self.n).astype(np.int32)
        zeros = np.zeros(len(totals))
        self.h.changeColsBounds(len(totals), plus, zeros, zeros if keep else self.upper[plus])
        self.h.changeColsBounds(len(totals), minus, zeros, zeros if keep else self.upper[minus])

    def withhold(self, groups: np.ndarray) -> None:
        """Groups withheld now cost nothing to change."""
        if len(groups):
            columns = np.concatenate([groups, groups + self.n]).astype(np.int32)
            self.h.changeColsCost(len(columns), columns, np.zeros(len(columns)))
            self.cost[columns] = 0.0

    def find(self, targets: np.ndarray, m: int) -> np.ndarray | None:
        """An alternative table with y_s >= m for every target s, as its changes y (one per
        group), or None when there is none. Whole numbers where the integer program finds them."""
        h, n = self.h, self.n
        count = len(targets)
        plus = targets.astype(np.int32)
        minus = (targets + n).astype(np.int32)
        h.changeColsBounds(count, plus, np.full(count, float(m)), self.upper[plus])
        h.changeColsBounds(count, minus, np.zeros(count), np.zeros(count))
        try:
            h.run()
            if h.getModelStatus() != self.highspy.HighsModelStatus.kOptimal:
                return None
            y = np.array(h.getSolution().col_value)
            if np.abs(y - np.round(y)).max(initial=0.0) > MOVED:
                whole = self._whole_numbers(y)
                if whole is None:
                    self.integral = False
                else:
                    y = whole
        finally:
            h.changeColsBounds(count, plus, np.zeros(count), self.upper[plus])
            h.changeColsBounds(count, minus, np.zeros(count), self.upper[minus])
        return y[:n] - y[n:]

    def _whole_numbers(self, y: np.ndarray) -> np.ndarray | None:
        """The integer program of the same table: first over the columns the LP's table changed
        and those that cost nothing (withheld groups), the rest held at the truth (small and
        fast); where that has no whole-number table, over every group. Its solution, or None
        when neither finds one in time."""
        columns = np.arange(len(y), dtype=np.int32)
        near = self._integer_program(columns[(np.abs(y) <= MOVED) & (self.cost > 0)])
        return near if near is not None else self._integer_program(columns[:0])

    def _integer_program(self, held: np.ndarray) -> np.ndarray | None:
        """The integer program with the columns `held` fixed at the truth."""
        h, highspy = self.h, self.highspy
        columns = np.arange(2 * self.n, dtype=np.int32)
        _, _, _, lower, upper, _ = h.getCols(len(held), held)  # status, count, costs, bounds, nnz
        lower, upper = np.array(lower), np.array(upper)
        h.changeColsBounds(len(held), held, np.zeros(len(held)), np.zeros(len(held)))
        kinds = highspy.HighsVarType
        h.changeColsIntegrality(len(columns), columns, np.full(len(columns), kinds.kInteger))
        h.setOptionValue("time_limit", INTEGER_SECONDS)  # the integer program's only: an LP runs
        try:  # to its end, or a slow machine would take a late table for none
            h.run()
            feasible = (
                h.getInfo().primal_solution_status == highspy.SolutionStatus.kSolutionStatusFeasible
            )
            whole = np.round(np.array(h.getSolution().col_value)) if feasible else None
        finally:
            h.setOptionValue("time_limit", self.highspy.kHighsInf)
            h.changeColsIntegrality(len(columns), columns, np.full(len(columns), kinds.kContinuous))
            h.changeColsBounds(len(held), held, lower, upper)
        return whole


def _hstack(a):
    """[A, -A]: the rows over plus and minus columns."""
    from scipy.sparse import hstack

    return hstack([a, -a], format="csr")
