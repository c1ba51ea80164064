"""Disclosure control of the bi marts: primary, then secondary suppression by alternative tables.

1. Primary: every group whose count is 1 to min_cell_size - 1 is withheld (in every mart that shows
   it: a group is one decision, so linked marts can never disagree).
2. Secondary, one small count s at a time: an LP (HiGHS) looks for another table x + y that
   satisfies every constraint of family.py, where s is min_cell_size larger (y_s = min_cell_size)
   and which changes as little published as it can (cost: 0 for a group already withheld, its count
   plus one for a published group, a mart's total a thousand times more). Every group that y changes
   is withheld. Then x and x + y are two tables the attacker cannot tell apart, so the attacker's
   interval of s holds [x_s, x_s + min_cell_size]: s is safe, and stays safe whatever is withheld
   later (withholding more only adds tables). This is the "protection by an alternative table" of
   the linked-table methods (tau-Argus modular, sdcTable); the LP is first tried on the groups
   within a few constraints of s, then further out, which changes nothing of the proof.
3. The result is audited once (audit.py), which must find nothing; wired into the build (issue 11),
   the data-quality gate audits the published marts again on their own.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import numpy as np

from pcdm.privacy.audit import AuditResult, audit
from pcdm.privacy.family import Family, Row

TOTAL_COST = 1000.0  # withholding a mart's total costs this much more than a cell
NEIGHBOURHOODS = (
    3,
    6,
    100,
)  # how many constraints out from s the alternative table may change groups


class ProtectionError(RuntimeError):
    """The family could not be protected (no alternative table for a small count)."""


@dataclass
class Protection:
    published: list[bool]
    lps: int  # alternative tables solved
    primary: int  # groups withheld as small
    secondary: int  # groups withheld to protect them
    audit: AuditResult


def protect(family: Family, min_cell_size: int, *, verify: bool = True) -> Protection:
    """The groups to publish: every small count withheld, and enough others that none is
    derivable."""
    truth = family.value
    missing = [family.label(v) for v, value in enumerate(truth) if value is None]
    if missing:
        raise ProtectionError(f"no true count for {len(missing)} groups, e.g. {missing[0]}")
    published = [not (1 <= value < min_cell_size) for value in truth]
    primary = published.count(False)
    alternatives = _Alternatives(family)
    lps = 0
    # Every alternative table found is kept: a small count that two of them (or one and the truth)
    # hold min_cell_size apart needs no LP of its own.
    low: dict[int, float] = {}
    high: dict[int, float] = {}
    small = [v for v, is_published in enumerate(published) if not is_published]
    for s in sorted(small, key=lambda v: (-truth[v], v)):
        if high.get(s, 0.0) - low.get(s, 0.0) >= min_cell_size - 1e-7:
            continue
        for depth in NEIGHBOURHOODS:
            lps += 1
            y = alternatives.find(s, published, min_cell_size, depth)
            if y is not None:
                for v, change in y.items():
                    published[v] = False
                    low[v] = min(low.get(v, 0.0), change)
                    high[v] = max(high.get(v, 0.0), change)
                break
        else:
            raise ProtectionError(
                f"no table differs from the truth by {min_cell_size} at {family.label(s)}"
            )
    result = audit(family, published, truth, min_cell_size) if verify else None
    if result is not None and result.leaks:  # cannot happen: each count has its alternative table
        raise ProtectionError(f"disclosure control left a leak: {result.leaks[0].text()}")
    return Protection(published, lps, primary, published.count(False) - primary, result)


class _Alternatives:
    """Step 2: the LP of an alternative table around one small count."""

    def __init__(self, family: Family) -> None:
        self.family = family
        self.rows: list[Row] = list(family.rows())
        self.rows_of: dict[int, list[int]] = defaultdict(list)
        for number, row in enumerate(self.rows):
            for v, _ in row.terms:
                self.rows_of[v].append(number)

    def _neighbourhood(self, s: int, depth: int) -> tuple[list[int], list[int]]:
        groups, rows = {s}, set()
        frontier = {s}
        for _ in range(depth):
            new_rows = {r for v in frontier for r in self.rows_of[v]} - rows
            rows |= new_rows
            reached = {v for r in new_rows for v, _ in self.rows[r].terms}
            frontier = reached - groups
            groups |= reached
            if not frontier:
                break
        # every constraint of every group that may change, so that none of them is broken
        return sorted(groups), sorted({r for v in groups for r in self.rows_of[v]})

    def find(self, s: int, published: list[bool], m: int, depth: int) -> dict[int, float] | None:
        """An alternative table with y_s = m as its changes {group: y}, or None if there is none
        among the groups within `depth` constraints of s."""
        import highspy

        family, truth = self.family, self.family.value
        groups, rows = self._neighbourhood(s, depth)
        column = {v: i for i, v in enumerate(groups)}
        n = len(groups)
        inf = highspy.kHighsInf
        # y = plus - minus; columns 0..n-1 are plus, n..2n-1 minus.
        cost = np.array(
            [
                0.0
                if not published[v]
                else (TOTAL_COST if family.top_level[v] else 1.0) * (1.0 + truth[v])
                for v in groups
            ]
        )
        h = highspy.Highs()
        h.setOptionValue("output_flag", False)
        lower = np.zeros(2 * n)
        upper = np.full(2 * n, inf)
        for v in groups:  # x + y >= the group's lower bound: minus <= x - lb
            upper[n + column[v]] = max(truth[v] - family.lower_bound(v), 0)
        upper[column[s]] = lower[column[s]] = float(m)
        upper[n + column[s]] = 0.0
        h.addVars(2 * n, lower, upper)
        h.changeColsCost(2 * n, np.arange(2 * n, dtype=np.int32), np.concatenate([cost, cost]))
        for r in rows:
            row = self.rows[r]
            inside = [(column[v], c) for v, c in row.terms if v in column]  # outside: y = 0
            value = sum(c * truth[v] for v, c in row.terms)
            low = -inf if np.isinf(row.lo) else row.lo - value
            high = inf if np.isinf(row.hi) else row.hi - value
            index = [i for i, _ in inside] + [n + i for i, _ in inside]
            coefficients = [c for _, c in inside] + [-c for _, c in inside]
            h.addRow(low, high, len(index), np.array(index, dtype=np.int32), np.array(coefficients))
        h.changeObjectiveSense(highspy.ObjSense.kMinimize)
        h.run()
        if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            return None
        y = np.array(h.getSolution().col_value)
        change = y[:n] - y[n:]
        return {v: float(change[column[v]]) for v in groups if abs(change[column[v]]) > 1e-7}
