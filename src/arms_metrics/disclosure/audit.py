"""Disclosure audit: can the public recover a suppressed cell from the published ones?

For one (indicator, period) of an additive indicator the public knows linear equations:
every breakdown table adds up to the total, and the purchasers of a region add up to the
region cell. Published cells are constants, suppressed cells unknowns with a lower bound
(a count cell exists only when it rests on at least one record, so it is >= 1; a dollar
cell is >= 0). A suppressed cell is *recoverable* when every solution gives it the same
value. Dollar figures are rounded to whole dollars, so each equation holds only within half
a dollar per rounded figure in it; a dollar cell counts as recoverable when it is fixed up to
that rounding (see docs/disclosure.md).

The usual shape (total published, every purchaser inside a region cell) is a tree and is
solved in closed form; anything else goes to ``scipy.optimize.linprog`` (HiGHS), which
minimises and maximises each suppressed cell.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

import numpy as np
from scipy.linalg import null_space
from scipy.optimize import linprog

from arms_metrics.errors import CheckFailed

REGION, PURCHASER, TOTAL = "region", "purchaser", "total"
HALF = Decimal("0.5")


@dataclass(eq=False)
class Cell:
    """One cell as the disclosure step sees it; ``value`` of a suppressed cell is never read."""

    row: int
    breakdown: str
    key: str
    value: Decimal | None
    n: int | None
    parent: str | None
    suppressed: bool
    label: str | None
    locked: bool = False  # must stay published (a public-record total, an earlier release)

    @property
    def name(self) -> str:
        return f"{self.breakdown}={self.key}"


@dataclass(frozen=True)
class Interval:
    """What the public can learn about one suppressed cell: ``lo <= cell <= hi``."""

    lo: Decimal
    hi: Decimal
    determined: bool

    @property
    def width(self) -> Decimal:
        return self.hi - self.lo


@dataclass
class Group:
    """All cells of one (indicator, period): the total, the tables and the region hierarchy."""

    indicator_id: str
    period: str
    unit: str
    total: Cell
    tables: dict[str, list[Cell]]
    regions: dict[str, Cell] = field(default_factory=dict)
    members: dict[str, list[Cell]] = field(default_factory=dict)
    # the order in which protection picks complements (None: smallest value first)
    rank: Callable[[Cell], tuple] | None = None
    # {child breakdown: parent breakdown} besides purchasers within regions (``[nesting]``)
    nests: dict[str, str] = field(default_factory=dict)
    # (parent cell, its children's cells) of every nest but the region hierarchy
    nested: list[tuple[Cell, list[Cell]]] = field(default_factory=list)

    def __post_init__(self) -> None:
        if REGION in self.tables and PURCHASER in self.tables:
            self.regions = {cell.key: cell for cell in self.tables[REGION]}
            for cell in self.tables[PURCHASER]:
                if cell.parent is not None:
                    self.members.setdefault(cell.parent, []).append(cell)
        for child, parent in sorted(self.nests.items()):
            if child == PURCHASER or child not in self.tables or parent not in self.tables:
                continue
            owners = {cell.key: cell for cell in self.tables[parent]}
            kids: dict[str, list[Cell]] = {}
            for cell in self.tables[child]:
                kids.setdefault(cell.parent, []).append(cell)
            if None in kids:  # a value the reference does not place: no sum is known
                continue
            self.nested += [(owners.get(key), cells) for key, cells in sorted(kids.items())]

    @property
    def nest_sums(self) -> list[tuple[Cell, list[Cell]]]:
        """The nests whose sums this table's audit solves: dollars only. Counts and tallies
        are audited across linked tables, nests included (``knowledge``), and their tables
        get the nests' rules only, which keeps their audit in closed form."""
        return self.nested if self.unit == "usd" else []

    def nest_of(self, cell: Cell) -> tuple[Cell | None, list[Cell]] | None:
        """The (parent cell, siblings with ``cell``) of a nested child cell, else None."""
        for parent, kids in self.nested:
            if cell in kids:
                return parent, kids
        return None

    @property
    def hierarchy(self) -> bool:
        return bool(self.regions)

    @property
    def lower(self) -> Decimal:
        """Lower bound of a suppressed cell known to the public."""
        return Decimal(1) if self.unit == "count" else Decimal(0)

    def tolerance(self, published: int) -> Decimal:
        """Rounding slack of an equation with ``published`` rounded figures in it."""
        return HALF * published if self.unit == "usd" else Decimal(0)

    def cells(self) -> list[Cell]:
        return [self.total] + [cell for cells in self.tables.values() for cell in cells]

    def tree_shaped(self) -> bool:
        """Total published and every purchaser in exactly one region that has purchasers
        (nests: ``open_nests``)."""
        if self.total.suppressed:
            return False
        if not self.hierarchy:
            return True
        parents = {cell.parent for cell in self.tables[PURCHASER]}
        return parents == set(self.regions)

    def open_nests(self) -> set[str]:
        """The breakdowns of the nests with a hidden (or absent) parent cell, whose sums no
        closed form solves: the parent's and its children's tables (empty: every nested
        cell sits under a published parent, its table one sum per parent)."""
        if not any(parent is None or parent.suppressed for parent, _ in self.nest_sums):
            return set()
        kids = {cell.breakdown for _, cells in self.nest_sums for cell in cells}
        return kids | {self.nests[kid] for kid in kids}

    def equations(self) -> list[tuple[list[Cell], Cell]]:
        """(terms, sum) pairs: each breakdown table adds up to the total, purchasers to regions."""
        found = [(cells, self.total) for _, cells in sorted(self.tables.items())]
        for region in sorted(self.members):
            if region in self.regions:
                found.append((self.members[region], self.regions[region]))
        found += [(kids, parent) for parent, kids in self.nest_sums if parent is not None]
        return found


def make_group(
    indicator_id: str, period: str, unit: str, cells: list[Cell], nests: dict | None = None
) -> Group:
    """Sort the cells of one (indicator, period) into total and tables (ordered by key);
    ``nests``: {child breakdown: parent breakdown}, the child cells' ``parent`` their
    parent's key."""
    totals = [cell for cell in cells if cell.breakdown == TOTAL]
    if len(totals) != 1:
        raise CheckFailed(f"disclosure: {indicator_id} {period} has {len(totals)} total cells")
    tables: dict[str, list[Cell]] = {}
    for cell in sorted(cells, key=lambda c: (c.breakdown, c.key)):
        if cell.breakdown != TOTAL:
            tables.setdefault(cell.breakdown, []).append(cell)
    return Group(indicator_id, period, unit, totals[0], tables, nests=nests or {})


def _published_sum(cells: list[Cell]) -> tuple[Decimal, int]:
    shown = [cell.value or Decimal(0) for cell in cells if not cell.suppressed]
    return sum(shown, Decimal(0)), len(shown)


def _inconsistent(group: Group, where: str) -> CheckFailed:
    return CheckFailed(
        f"disclosure audit: {group.indicator_id} {group.period}: published {where} "
        "exceed their total; the tables are inconsistent"
    )


def _block(group: Group, unknowns: list[Cell], rest: Decimal, published: int, out: dict) -> None:
    """One equation ``sum(unknowns) = rest`` (within rounding) with no other unknowns in it."""
    if not unknowns:
        return
    lower, tol = group.lower, group.tolerance(published)
    slack = rest - lower * len(unknowns)
    if slack + tol < 0:
        raise _inconsistent(group, unknowns[0].breakdown)
    if len(unknowns) == 1:
        interval = Interval(max(lower, rest - tol), rest + tol, True)
        out[unknowns[0].row] = interval
        return
    for cell in unknowns:
        out[cell.row] = Interval(lower, lower + slack + tol, slack <= tol)


def _hierarchy(group: Group, out: dict) -> None:
    """Purchasers within regions; suppressed regions are tied together by the region table."""
    for region, cell in group.regions.items():
        if not cell.suppressed:
            shown, count = _published_sum(group.members[region])
            unknowns = [m for m in group.members[region] if m.suppressed]
            _block(group, unknowns, cell.value - shown, count + 1, out)
    hidden = [key for key, cell in group.regions.items() if cell.suppressed]
    shown_regions, published = _published_sum(group.tables[REGION])
    known: dict[str, tuple[Decimal, int]] = {r: _published_sum(group.members[r]) for r in hidden}
    pool = [m for r in hidden for m in group.members[r] if m.suppressed]
    sigma = group.total.value - shown_regions - sum((known[r][0] for r in hidden), Decimal(0))
    published += 1 + sum(known[r][1] for r in hidden)
    _block(group, pool, sigma, published, out)
    tol, lower = group.tolerance(published), group.lower
    for region in hidden:
        base, count = known[region]
        mine = [m for m in group.members[region] if m.suppressed]
        if not mine:
            rtol = group.tolerance(count)
            out[group.regions[region].row] = Interval(base - rtol, base + rtol, True)
            continue
        others = len(pool) - len(mine)
        slack = sigma - lower * len(pool)
        lo = base + lower * len(mine) if others else base + sigma - tol
        interval = Interval(lo, base + sigma + tol - lower * others, not others or slack <= tol)
        out[group.regions[region].row] = interval


def _linear_system(group: Group, unknowns: list[Cell]) -> tuple[np.ndarray, list, list]:
    """The public's equations over ``unknowns``: ``a @ x = rhs`` within ``tol`` per row."""
    index = {cell.row: i for i, cell in enumerate(unknowns)}
    rows, rhs, tols = [], [], []
    for terms, whole in group.equations():
        coeffs, constant, published = np.zeros(len(unknowns)), Decimal(0), 0
        for cell, sign in [(term, 1) for term in terms] + [(whole, -1)]:
            if cell.suppressed:
                coeffs[index[cell.row]] += sign
            else:
                constant -= sign * (cell.value or Decimal(0))
                published += 1
        if coeffs.any():
            rows.append(coeffs)
            rhs.append(float(constant))
            tols.append(float(group.tolerance(published)))
    return np.array(rows).reshape(len(rows), len(unknowns)), rhs, tols


def _extreme(group: Group, a: np.ndarray, rhs: list, tols: list, objective: np.ndarray) -> float:
    """Minimum of ``objective @ x`` over the public's feasible set (-inf when unbounded).

    Dollars are solved in units of the largest constant (a billion-dollar total beside
    half-dollar rounding slack makes HiGHS stop with a solve error), then scaled back."""
    if group.unit != "usd":
        bounds = [(float(group.lower), None)] * a.shape[1]
        result = linprog(objective, A_eq=a, b_eq=rhs, bounds=bounds, method="highs")
        return _optimum(group, result, 1.0)
    scale = max([1.0] + [abs(x) for x in rhs])
    b_hi, b_lo = np.add(rhs, tols) / scale, np.subtract(rhs, tols) / scale
    result = linprog(
        objective,
        A_ub=np.vstack([a, -a]),
        b_ub=np.concatenate([b_hi, -b_lo]),
        bounds=[(float(group.lower) / scale, None)] * a.shape[1],
        method="highs",
    )
    return _optimum(group, result, scale)


def _optimum(group: Group, result, scale: float) -> float:
    """The LP's minimum in the cells' unit; -inf when unbounded."""
    if result.status == 3:
        return float("-inf")
    if result.status != 0:
        raise _inconsistent(group, "cells")
    return float(result.fun) * scale


def lp_intervals(group: Group) -> dict[int, Interval]:
    """Minimise and maximise every suppressed cell with HiGHS (shapes the closed form misses)."""
    unknowns = [cell for cell in group.cells() if cell.suppressed]
    a, rhs, tols = _linear_system(group, unknowns)
    fixed = np.zeros(len(unknowns), dtype=bool)
    if a.shape[0]:
        basis = null_space(a)
        fixed = np.linalg.norm(basis, axis=1) < 1e-9 if basis.size else ~fixed
    band = 2 * sum(tols) + 1e-6 * max([1.0] + [abs(x) for x in rhs])
    out = {}
    for j, cell in enumerate(unknowns):
        unit = np.eye(len(unknowns))[j]
        lo = _extreme(group, a, rhs, tols, unit) if a.shape[0] else float(group.lower)
        hi = -_extreme(group, a, rhs, tols, -unit) if a.shape[0] else float("inf")
        determined = bool(fixed[j]) or hi - lo <= band
        out[cell.row] = Interval(_decimal(lo), _decimal(hi), determined)
    return out


def _decimal(number: float) -> Decimal:
    return Decimal("Infinity") if number == float("inf") else Decimal(str(round(number, 4)))


def intervals(group: Group) -> dict[int, Interval]:
    """The feasible interval of every suppressed cell of ``group``, keyed by row: closed
    form where the tables are tree-shaped, HiGHS for the rest (the whole group, or only the
    tables of an open nest: they share nothing but the published total with the others)."""
    if not group.tree_shaped():
        return lp_intervals(group)
    out: dict[int, Interval] = {}
    open_ = group.open_nests()
    if open_:
        tables = {b: cells for b, cells in group.tables.items() if b in open_}
        sub = Group(group.indicator_id, group.period, group.unit, group.total, tables,
                    nests=group.nests)  # fmt: skip
        out.update(lp_intervals(sub))
    else:
        for parent, kids in group.nest_sums:  # a published parent: its children's sum
            shown, count = _published_sum(kids)
            unknowns = [cell for cell in kids if cell.suppressed]
            _block(group, unknowns, parent.value - shown, count + 1, out)
    nested = {cell.breakdown for _, kids in group.nest_sums for cell in kids} | open_
    for breakdown, cells in group.tables.items():
        if group.hierarchy and breakdown in (REGION, PURCHASER) or breakdown in nested:
            continue
        shown, count = _published_sum(cells)
        unknowns = [cell for cell in cells if cell.suppressed]
        _block(group, unknowns, group.total.value - shown, count + 1, out)
    if group.hierarchy:
        _hierarchy(group, out)
    return out


def nothing_published(group: Group) -> bool:
    """Every cell hidden. Then adding t to the total and to one cell of every table (to a
    purchaser together with its region) keeps every equation: no cell is bounded above,
    none is recoverable, and the (slow) interval computation can be skipped."""
    return all(cell.suppressed for cell in group.cells())


def recoverable(group: Group, found: dict[int, Interval] | None = None) -> list[Cell]:
    """Suppressed cells the public can work out exactly, total first, then (breakdown, key)."""
    if found is None and nothing_published(group):
        return []
    found = intervals(group) if found is None else found
    cells = [cell for cell in group.cells() if cell.suppressed and found[cell.row].determined]
    return sorted(cells, key=lambda c: (c.breakdown != TOTAL, c.breakdown, c.key))
