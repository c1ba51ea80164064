"""The published family of `bi` marts as one system of linear constraints over groups of persons.

Every published count of every mart is the size of a group of persons in scope, named by the
attribute values it fixes (age band, sex, municipality, Kaiser tier, ... and for the service marts
"uses service k" or "moved from k to l"). A group is the same unknown wherever it appears: the count
of (male, municipality 109) in `bi_kaiser_pyramid` (age and tier `all`) is the count of the same row
in `bi_customer_segments` and of (109, all, male, all) in `bi_quintuple_aim`. What an attacker who
reads every mart at once knows, and the auditor (audit.py) and the protection (protect.py) use, is:

- the cube equations: a group with a dimension at `all` is the sum of its categories (an absent row
  is 0), in every mart, deduplicated across marts;
- shares x n are counts: `share_kaiser_tier_3` x n is the tier-3 group of the cell, and n minus it
  the rest; `share_with_chronic_condition` x n is the group of tiers 1-3 (a chronic condition is
  what puts a person in tier 1 or above) and the rest is tier 0;
- the definitions that tie marts together: co-occurrence is symmetric (one group for (k, l) and (l,
  k)); persons using both k and l are at most the users of k; users of a service are at most the
  persons of their group; the persons of a group who moved from k to l are at most the group; the
  sum over k of the users of the health (social) services of a group is the sum of k x persons using
  k health (social) services, at least 5 for the band `5+`; tiers 2-3 and heavy users have a high
  service need, so they are at most the cooperative and network customers;
- the marts publish dense grids (every combination, 0 where nobody is in it), so a withheld cell may
  be 0; only a mart's total row (of a service, a pair of services) says that someone is in it.

Money, means and rates are to be published only with their cell's count (docs/privacy.md), so a
sum of money is derivable exactly when the same sum of counts is (the money equations are a subset
of the count equations): protecting counts protects money.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

ALL = "all"

# Mart columns -> the attribute of a person they fix (one name across marts).
ATTRIBUTES = {
    "age_group": "age",
    "sex": "sex",
    "municipality_code": "municipality",
    "kaiser_tier": "kaiser_tier",
    "customer_segment": "segment",
    "language_group": "language",
    "heavy_user_group": "heavy_user",
    "n_health_services": "n_health_services",
    "n_social_services": "n_social_services",
}
KAISER_TIERS = ("0", "1", "2", "3")
HIGH_NEED_SEGMENTS = ("cooperative", "network")
TOP_BAND = "5+"

Group = tuple[tuple[str, str], ...]  # sorted (attribute, value) pairs: a group of persons


@dataclass(frozen=True)
class Share:
    """A published share of a mart's cells: numerator group = cell + attribute in values."""

    column: str  # the share column of the mart
    count_column: str  # its numerator, a column of the cells model
    numerator: tuple[str, str]  # (attribute, value) the numerator adds to the cell's group
    complement: tuple[str, str]  # the rest of the cell


@dataclass(frozen=True)
class MartSpec:
    """How the rows of one bi mart (and of its int_bi_*_cells model) name groups of persons."""

    name: str
    cube: tuple[str, ...]  # columns with an `all` level
    fixed: tuple[str, ...] = ()  # columns that name the group without an `all` level
    shares: tuple[Share, ...] = ()
    count_column: str = "n_persons"

    @property
    def cells_model(self) -> str:
        return f"int_{self.name}_cells"

    def fixed_attributes(self, row: dict) -> list[tuple[str, str]]:
        if self.name == "bi_service_users":
            return [(f"uses {row['service_key']}", "yes")]
        if self.name == "bi_service_cooccurrence":
            return [
                (f"uses {row['service_key']}", "yes"),
                (f"uses {row['other_service_key']}", "yes"),
            ]
        if self.name == "bi_service_transitions":
            return [(f"moved {row['from_service_key']} > {row['to_service_key']}", "yes")]
        return []

    def group(self, row: dict) -> Group:
        pairs = [(ATTRIBUTES[c], str(row[c])) for c in self.cube if row[c] != ALL]
        return tuple(sorted(pairs + self.fixed_attributes(row)))


TIER_3 = ("kaiser_tier", "3")
MARTS: tuple[MartSpec, ...] = (
    MartSpec("bi_kaiser_pyramid", ("age_group", "sex", "municipality_code", "kaiser_tier")),
    MartSpec("bi_customer_segments", ("age_group", "sex", "municipality_code", "customer_segment")),
    MartSpec(
        "bi_quintuple_aim",
        ("municipality_code", "customer_segment", "sex", "language_group"),
        shares=(
            Share("share_kaiser_tier_3", "n_kaiser_tier_3", TIER_3, ("kaiser_tier", "not 3")),
            Share(
                "share_with_chronic_condition",
                "n_with_chronic_condition",
                ("kaiser_tier", "1-3"),
                ("kaiser_tier", "0"),
            ),
        ),
    ),
    MartSpec(
        "bi_service_count_distribution",
        ("age_group", "sex", "heavy_user_group", "n_health_services", "n_social_services"),
    ),
    MartSpec("bi_service_users", ("age_group", "sex", "heavy_user_group"), ("service_key",)),
    MartSpec("bi_service_cooccurrence", ("age_group", "sex"), ("service_key", "other_service_key")),
    MartSpec(
        "bi_service_transitions",
        ("age_group", "customer_segment"),
        ("from_service_key", "to_service_key"),
    ),
)
MART_BY_NAME = {spec.name: spec for spec in MARTS}
# Unions of Kaiser tiers that a share names; the tiers themselves are cells of bi_kaiser_pyramid.
TIER_UNIONS = {"not 3": ("0", "1", "2"), "1-3": ("1", "2", "3")}


@dataclass(frozen=True)
class Cell:
    """One published measure of one row of one mart, and the groups it makes known."""

    mart: str
    measure: str  # the count column, or a share column
    cell_id: str
    n_persons: int | None  # the row's count (truth for the protection; published for the auditor)
    groups: tuple[int, ...]  # the variables this measure publishes


@dataclass(frozen=True)
class Row:
    """A linear constraint lo <= sum(coef * x) <= hi over groups."""

    terms: tuple[tuple[int, float], ...]
    lo: float
    hi: float


@dataclass
class Family:
    """Groups (variables), the attacker's constraints, and the cells that publish them."""

    groups: list[Group] = field(default_factory=list)
    index: dict[Group, int] = field(default_factory=dict)
    value: list[int | None] = field(default_factory=list)  # the count, where known
    present: list[bool] = field(default_factory=list)  # a row of a mart: at least 1
    top_level: list[bool] = field(default_factory=list)  # a total of a mart (no cube attribute)
    cells: list[Cell] = field(default_factory=list)
    equations: list[tuple[int, tuple[int, ...]]] = field(default_factory=list)  # total = sum(parts)
    inequalities: list[Row] = field(default_factory=list)
    mart_of: dict[int, str] = field(default_factory=dict)  # a mart that publishes the group

    def variable(self, group: Group, *, present: bool = False, top_level: bool = False) -> int:
        number = self.index.get(group)
        if number is None:
            number = len(self.groups)
            self.index[group] = number
            self.groups.append(group)
            self.value.append(None)
            self.present.append(False)
            self.top_level.append(False)
        self.present[number] = self.present[number] or present
        self.top_level[number] = self.top_level[number] or top_level
        return number

    def set_value(self, number: int, value: int | None) -> None:
        if value is None:
            return
        known = self.value[number]
        if known is not None and known != value:
            raise ValueError(
                f"group {describe(self.groups[number])} has two counts: {known} and {value}"
            )
        self.value[number] = value

    def rows(self) -> Iterator[Row]:
        """Every constraint as a linear row: the equations, then the inequalities."""
        for total, parts in self.equations:
            yield Row(((total, 1.0), *((part, -1.0) for part in parts)), 0.0, 0.0)
        yield from self.inequalities

    def lower_bound(self, number: int) -> int:
        return 1 if self.present[number] else 0

    def label(self, number: int) -> str:
        return f"{self.mart_of.get(number, 'derived')}: {describe(self.groups[number])}"


def describe(group: Group) -> str:
    return ", ".join(f"{attribute}={value}" for attribute, value in group) or "everyone in scope"


def build_family(
    rows_by_mart: dict[str, Iterable[dict]], service_domains: dict[str, str]
) -> Family:
    """The family of the given mart rows (cells models for the truth, marts for what is published).

    A row is a dict of the mart's columns plus `cell_id`; its count column is None where the count
    is withheld, a share column None where the share is.
    """
    family = Family()
    cube_lines: dict[tuple, list[int]] = {}
    totals: dict[tuple, int] = {}
    for spec in MARTS:
        virtual_specs = [(spec.count_column, None)] + [(s.column, s) for s in spec.shares]
        for row in rows_by_mart.get(spec.name, ()):
            group = spec.group(row)
            cube_attributes = [ATTRIBUTES[c] for c in spec.cube if row[c] != ALL]
            count = row[spec.count_column]
            # Every row of the dense grid is shown, so only a mart's total (a service pair's, say)
            # tells that someone is in it.
            total = not cube_attributes
            number = family.variable(group, present=total, top_level=total)
            family.mart_of.setdefault(number, spec.name)
            family.set_value(number, count)
            family.cells.append(
                Cell(spec.name, spec.count_column, row["cell_id"], count, (number,))
            )
            _register_cube(spec, row, number, cube_lines, totals)
            for _, share in virtual_specs[1:]:
                numerator = family.variable(tuple(sorted([*group, share.numerator])))
                complement = family.variable(tuple(sorted([*group, share.complement])))
                family.mart_of.setdefault(numerator, f"{spec.name}.{share.column}")
                family.mart_of.setdefault(complement, f"{spec.name}.{share.column}")
                known = _share_count(row, share, count)
                family.set_value(numerator, known)
                family.set_value(complement, None if known is None else count - known)
                family.equations.append((number, (numerator, complement)))
                family.cells.append(
                    Cell(spec.name, share.column, row["cell_id"], count, (numerator, complement))
                )
                for variable, side in ((numerator, "numerator"), (complement, "complement")):
                    _register_cube(
                        spec, row, variable, cube_lines, totals, virtual=share, side=side
                    )
    _add_cube_equations(family, cube_lines, totals)
    if "bi_kaiser_pyramid" in rows_by_mart:
        _add_tier_unions(family)
    _add_definitions(family, service_domains)
    return family


def _share_count(row: dict, share: Share, count: int | None) -> int | None:
    """The numerator of a share: the cells' own count column, or share x n from a published mart."""
    if share.count_column in row:
        return row[share.count_column]
    value = row.get(share.column)
    if value is None or count is None:
        return None
    return round(value * count)


def _register_cube(spec, row, number, cube_lines, totals, virtual=None, side=None) -> None:
    """Record the row as a category (and, where it has `all`, a total) of its cube lines."""
    tag = (spec.name, virtual.column if virtual else None, side)
    fixed = tuple(str(row[c]) for c in spec.fixed)
    levels = tuple(str(row[c]) for c in spec.cube)
    for position, level in enumerate(levels):
        line = (*tag, fixed, position, levels[:position] + ("*",) + levels[position + 1 :])
        if level == ALL:
            totals[line] = number
        else:
            cube_lines.setdefault(line, []).append(number)


def _add_cube_equations(family: Family, cube_lines, totals) -> None:
    seen: set[tuple[int, tuple[int, ...]]] = set()
    for line, total in totals.items():
        parts = tuple(sorted(cube_lines.get(line, ())))
        key = (total, parts)
        if key not in seen:
            seen.add(key)
            family.equations.append(key)


def _add_tier_unions(family: Family) -> None:
    """A union of tiers named by a share equals the sum of its tiers where the pyramid has them."""
    kaiser_space = {"age", "sex", "municipality"}
    for number, group in enumerate(list(family.groups)):
        attributes = dict(group)
        union = attributes.get("kaiser_tier")
        if union not in TIER_UNIONS or not set(attributes) - {"kaiser_tier"} <= kaiser_space:
            continue
        rest = [pair for pair in group if pair[0] != "kaiser_tier"]
        parts = []
        for tier in TIER_UNIONS[union]:
            tier_group = tuple(sorted([*rest, ("kaiser_tier", tier)]))
            if tier_group not in family.index:  # an absent row of the pyramid: 0, and known to be
                family.set_value(family.variable(tier_group), 0)
            parts.append(family.index[tier_group])
        family.equations.append((number, tuple(parts)))


def _less_or_equal(family: Family, smaller: Iterable[int], larger: Iterable[int]) -> None:
    terms = [(v, 1.0) for v in smaller] + [(v, -1.0) for v in larger]
    family.inequalities.append(Row(tuple(terms), float("-inf"), 0.0))


def _add_definitions(family: Family, service_domains: dict[str, str]) -> None:
    """The inequalities that the definitions of the marts imply between their groups."""
    index = family.index
    by_rest: dict[Group, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
    for number, group in enumerate(list(family.groups)):
        uses = [a for a, _ in group if a.startswith("uses ")]
        moved = [a for a, _ in group if a.startswith("moved ")]
        if uses or moved:
            rest = tuple(pair for pair in group if pair[0] not in uses + moved)
            if len(uses) == 2:  # users of both k and l <= users of k, users of l
                for attribute in uses:
                    alone = tuple(pair for pair in group if pair[0] != attribute)
                    if alone in index:
                        _less_or_equal(family, [number], [index[alone]])
            elif rest in index:  # users of k (persons who moved) <= the persons of the group
                _less_or_equal(family, [number], [index[rest]])
            if len(uses) == 1:
                domain = service_domains.get(uses[0].removeprefix("uses "))
                if domain in ("health", "social"):
                    by_rest[rest][domain].append(number)
    for rest, domains in by_rest.items():
        for domain, users in domains.items():
            _add_service_count_identity(family, rest, domain, users, service_domains)
    # Tiers 2-3 and heavy users are high-need: at most the cooperative and network customers.
    rests = {
        tuple(pair for pair in group if pair[0] != "segment")
        for group in family.groups
        if dict(group).get("segment") in HIGH_NEED_SEGMENTS
    }
    for rest in sorted(rests):
        high_need = [index.get(tuple(sorted([*rest, ("segment", s)]))) for s in HIGH_NEED_SEGMENTS]
        high_need = [v for v in high_need if v is not None]
        tiers = [index.get(tuple(sorted([*rest, ("kaiser_tier", t)]))) for t in ("2", "3")]
        if any(t is not None for t in tiers):
            _less_or_equal(family, [t for t in tiers if t is not None], high_need)
        heavy = index.get(tuple(sorted([*rest, ("heavy_user", "yes")])))
        if heavy is not None:
            _less_or_equal(family, [heavy], high_need)


def _add_service_count_identity(family, rest, domain, users, service_domains) -> None:
    """sum over services of their users = sum over k of k x persons using k services (5+: >= 5)."""
    attribute = f"n_{domain}_services"
    bands = {}
    for band in ("0", "1", "2", "3", "4", TOP_BAND):
        number = family.index.get(tuple(sorted([*rest, (attribute, band)])))
        if number is not None:
            bands[band] = number
    if not bands or tuple(sorted(rest)) not in family.index:
        return  # the count distribution does not cover this group
    n_services = sum(1 for d in service_domains.values() if d == domain)
    low = [(v, -float(b)) for b, v in bands.items() if b != TOP_BAND]
    top = bands.get(TOP_BAND)
    terms = [(v, 1.0) for v in users] + low
    if top is None:
        family.inequalities.append(Row(tuple(terms), 0.0, 0.0))
        return
    family.inequalities.append(Row((*terms, (top, -5.0)), 0.0, float("inf")))
    family.inequalities.append(Row((*terms, (top, -float(n_services))), float("-inf"), 0.0))
