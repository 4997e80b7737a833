"""An independent intruder: what anyone can work out from the published release.

Written apart from the program's own disclosure audit (it imports nothing from
``arms_metrics``). It knows only what the public knows: the published ``indicators.csv`` of
every release, the indicator registry (``indicators.toml``: unit, family, additive, links),
the purchaser -> region reference and the family policies of ``pipeline.toml``.

Inputs: ``attack(releases, registry, regions)``. ``releases`` holds the rows (dicts with
indicator_id, period, breakdown, breakdown_value, value, n, suppressed) of each release,
oldest first; the last is the current one. ``registry`` maps an indicator id to its
registry entry, ``regions`` a published purchaser code to its region. A site whose
releases mix alpha-2 (before 0.2) and alpha-3 purchaser codes is read as two sets of keys:
the earlier-release link then misses those purchaser cells (sound, weaker).

Output: a ``Report``. ``recovered``: every suppressed cell pinned exactly (a usd cell to
within +-1 dollar; a percent cell when its numerator and population are pinned).
``small``: every hidden count cell shown to be 1 or 2 (at least 1, at most 2: pinned or
not), every rate cell whose numerator or complement is, every cell whose ``rest`` (below)
is, and every unpublished stock (``stock_flow``) or outcome that is.
Each finding names the link kinds used. ``violations`` keeps what a family policy forbids.

Every cell is an unknown with an interval; a published figure is an interval of width 0
(usd: +-0.5, worked in half dollars). The links, each a constraint over the unknowns:

- ``additivity``: within one (indicator, period) each breakdown table of a count or usd
  indicator sums to the total, and the purchasers of a region sum to the region. The engine
  writes a breakdown row only where the cell has a record (n >= 1), so an absent row of a
  published table is 0 and a suppressed count is >= 1 (usd >= 0).
- ``stock_flow``: a stock with inflow and outflow links: S(t) = S(t-1) + I(t) - O(t) per
  (breakdown, value) over consecutive periods from the second period of the series on; the
  first period's S is free (at least 0): the series starts at its sources' coverage, and
  records opened before it are in the stock without being in any published flow.
  A stock not published by a breakdown both its flows are published by (pending
  applications by destination) still follows them the same way and is at least 0: an
  unknown of its own per value and period, ``small`` when pinned at 1 or 2. Per period the
  values the flows show, plus an unseen rest >= 0 (values with records opened before the
  first period and no published flow), add up to the published total stock.
- ``population``: a published cell's ``n`` is the value of its ``links.count`` cell.
- ``rest``: a cell without ``links.count`` whose registry ``population`` is a count
  indicator rests on part of that count's records (the approval rate's approvals and
  denials among final actions): count = n + rest, rest >= 0; the rest (returns without
  action, withdrawals) is a count of records too, so a rest pinned at 1 or 2 is ``small``.
- ``rate``: a percent cell's population = numerator + complement (both >= 0, additive
  across a table like counts; a rate without a count link has its own population, also
  additive); a published value r admits only the (n, k) with round_half_even(1000 k / n) /
  10 == r, n its published n or, if left empty, any n its bounds allow.
- ``follows`` and ``carried_over``: the order of a record's events
  (``tests/intruder_stages.py``): records between two stages are an unpublished stock, and
  an application pending a whole quarter is past target.
- ``nesting`` and ``floor``: forms and control categories add up to their agency, and a
  published sum or statistic says its hidden count is at least the rule's number of records
  (``tests/intruder_nesting.py``).
- ``outcomes`` and ``threshold``: rates read together through their outcomes, and medians
  and p90s bounding within-target counts (``tests/intruder_outcomes.py``); an outcome no
  cell publishes (withdrawals) pinned at 1 or 2 is ``small``.
- ``earlier_release``: each cell is read from the newest release that shows it; one
  suppressed now but published earlier is taken at that value (the intruder cannot know it
  was revised, so a test counts such a recovery as a leak only if it is true).

Bounds are propagated (each unknown's bounds follow from the others' bounds in every
constraint) until nothing changes. This is sound, not complete: a cell pinned only by
combining several equations at once (what linear programming would find) can be missed, so
a finding is a proven leak but an empty report is not a proof of safety.
"""

from __future__ import annotations

import csv
import tomllib
from collections import Counter, defaultdict, deque
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

from tests import intruder_nesting, intruder_outcomes, intruder_stages

INF = float("inf")
LINKS = ("additivity", "stock_flow", "population", "rest", "rate", "outcomes", "threshold",
         "follows", "carried_over", "nesting", "floor", "earlier_release")  # fmt: skip
Key = tuple[str, str, str, str]  # (series, period, breakdown, breakdown_value)


@dataclass(frozen=True)
class Finding:
    """One cell the public can work out. ``value`` in the cell's unit (usd: the midpoint of
    an interval ``width`` wide); ``part`` is numerator or complement for a small count."""

    indicator_id: str
    period: str
    breakdown: str
    breakdown_value: str
    family: str
    value: Fraction
    width: Fraction = Fraction(0)
    part: str = ""
    published: bool = False
    links: tuple[str, ...] = ()


@dataclass
class Report:
    """What the attack found. ``links`` of a finding: every link kind that tightened the
    bounds of the cells it rests on (a superset of the kinds strictly needed)."""

    recovered: list[Finding] = field(default_factory=list)
    small: list[Finding] = field(default_factory=list)
    conflicts: int = 0  # constraints that contradicted (earlier releases later revised)
    complete: bool = True  # False if propagation hit its budget before a fixed point

    def counts(self) -> dict[str, Counter]:
        """Counts of each list by family, by breakdown and by link kind used."""
        out: dict[str, Counter] = {}
        for name in ("recovered", "small"):
            items = getattr(self, name)
            out[f"{name}_by_family"] = Counter(f.family for f in items)
            out[f"{name}_by_breakdown"] = Counter(f.breakdown for f in items)
            out[f"{name}_by_link"] = Counter(k for f in items for k in f.links)
        return out


def period_index(period: str) -> int:
    """``FY2026-Q3`` -> a number that grows by one from a quarter to the next."""
    year, quarter = period.removeprefix("FY").split("-Q")
    return int(year) * 4 + int(quarter)


class _Release:
    """One release's rows by key, its (indicator, period) totals and published tables."""

    def __init__(self, rows: list[dict]):
        self.rows: dict[Key, dict] = {}
        self.groups: dict[tuple[str, str, str], list[Key]] = defaultdict(list)
        self.tables: set[tuple[str, str]] = set()
        periods: dict[str, set[str]] = defaultdict(set)
        for row in rows:
            key = (row["indicator_id"], row["period"], row["breakdown"], row["breakdown_value"])
            self.rows[key] = row
            self.groups[key[:3]].append(key)
            self.tables.add((key[0], key[2]))
            if key[2] == "total":
                periods[key[0]].add(key[1])
        self.periods = {i: sorted(p, key=period_index) for i, p in periods.items()}

    def shows_zero(self, key: Key) -> bool:
        """An absent row that is 0: its table is published, or its total rests on no record."""
        if key[1] not in self.periods.get(key[0], ()):
            return False
        total = self.rows[self.groups[(key[0], key[1], "total")][0]]
        return (key[0], key[2]) in self.tables or total["n"] == "0"


class _Solver:
    """Unknowns with integer intervals [lo, hi], linear and rate constraints, provenance."""

    def __init__(self) -> None:
        self.index: dict[Key, int] = {}
        self.lo: list[float] = []
        self.hi: list[float] = []
        self.why: list[frozenset[str]] = []
        self.cons: list[tuple] = []
        self.seen: set = set()
        self.watch: list[list[int]] = []
        self.conflicts, self.complete = 0, True

    def var(self, key: Key, lo: float = 0, hi: float = INF, why=frozenset()) -> int:
        if key not in self.index:
            self.index[key] = len(self.lo)
            self.lo.append(lo), self.hi.append(hi), self.why.append(frozenset(why))
            self.watch.append([])
        return self.index[key]

    def narrow(self, i: int, lo: float, hi: float, why) -> bool:
        lo, hi = max(lo, self.lo[i]), min(hi, self.hi[i])
        if lo > hi:
            self.conflicts += 1
            return False
        if (lo, hi) == (self.lo[i], self.hi[i]):
            return False
        self.lo[i], self.hi[i], self.why[i] = lo, hi, self.why[i] | why
        return True

    def add(self, kind: str, terms: list[tuple[int, int]], *rate: int) -> None:
        """sum(coef * x) = 0, or with ``rate`` = (tenths,) the rate of terms pop, num, comp."""
        terms = terms if rate else sorted(terms)
        mark = (kind, tuple(terms), rate)
        if not terms or mark in self.seen:
            return
        self.seen.add(mark)
        for i, _ in terms:
            self.watch[i].append(len(self.cons))
        self.cons.append((kind, terms, rate))

    def solve(self, budget: int = 5_000_000) -> None:
        queue, queued = deque(range(len(self.cons))), [True] * len(self.cons)
        while queue and budget:
            budget -= 1
            c = queue.popleft()
            queued[c] = False
            kind, terms, rate = self.cons[c]
            why = frozenset({kind}).union(*(self.why[i] for i, _ in terms))
            step = self._rate(terms, rate[0], why) if rate else self._linear(terms, why)
            for i in step:
                for d in self.watch[i]:
                    if not queued[d]:
                        queued[d] = True
                        queue.append(d)
        self.complete = not queue

    def _linear(self, terms: list[tuple[int, int]], why) -> list[int]:
        lows = [self.lo[i] if c > 0 else -self.hi[i] for i, c in terms]
        highs = [self.hi[i] if c > 0 else -self.lo[i] for i, c in terms]
        low_inf, high_inf = lows.count(-INF), highs.count(INF)
        low_sum = sum(x for x in lows if x != -INF)
        high_sum = sum(x for x in highs if x != INF)
        changed = []
        for (i, c), low, high in zip(terms, lows, highs, strict=True):
            rest_low = -INF if low_inf - (low == -INF) else low_sum - (0 if low == -INF else low)
            rest_high = INF if high_inf - (high == INF) else high_sum - (0 if high == INF else high)
            lo, hi = -rest_high, -rest_low  # bounds on c * x
            if self.narrow(i, lo, hi, why) if c > 0 else self.narrow(i, -hi, -lo, why):
                changed.append(i)
        return changed

    def _rate(self, terms: list[tuple[int, int]], tenths: int, why) -> list[int]:
        (pop, _), (num, _), (comp, _) = terms
        lo, hi = self.lo, self.hi
        n_lo, n_hi = max(lo[pop], lo[num] + lo[comp], 1), min(hi[pop], hi[num] + hi[comp])
        if n_hi - n_lo > 2000:
            return []
        pairs = [
            (n, k)
            for n in range(int(n_lo), int(n_hi) + 1)
            for k in numerators(tenths, n)
            if lo[num] <= k <= hi[num] and lo[comp] <= n - k <= hi[comp]
        ]
        if not pairs:
            self.conflicts += 1
            return []
        spans = {pop: [n for n, _ in pairs], num: [k for _, k in pairs]}
        spans[comp] = [n - k for n, k in pairs]
        return [i for i, s in spans.items() if self.narrow(i, min(s), max(s), why)]


def numerators(tenths: int, n: int) -> list[int]:
    """Every k in 0..n with round_half_even(1000 k / n) == tenths (the rate r = tenths/10)."""
    first, last = max(0, (tenths - 1) * n // 1000), min(n, (tenths + 1) * n // 1000 + 1)
    return [k for k in range(first, last + 1) if round(Fraction(1000 * k, n)) == tenths]


class _Attack:
    """Writes the constraints of every link over the releases' cells, then solves them."""

    def __init__(self, releases: list[list[dict]], registry: dict, regions: dict, skip,
                 targets: dict | None = None, nests: dict | None = None,
                 floors: dict | None = None) -> None:  # fmt: skip
        self.rels = [_Release(rows) for rows in releases]
        self.targets = targets or {}
        self.nests, self.floors = nests or {}, floors or {}
        self.outcomes: dict[Key, tuple[Key, int]] = {}  # unpublished outcome -> (cell, unknown)
        self.reg = {i: e for i, e in registry.items() if e["family"] not in skip}
        self.regions = regions
        self.s = _Solver()
        self.rates: set[Key] = set()
        self.rests: dict[Key, int] = {}  # cell key -> its rest's unknown
        self.stocks: dict[Key, int] = {}  # unpublished stock key -> its unknown

    def observe(self, key: Key) -> tuple[str, dict | None, int]:
        """The newest release showing the cell: (published, row, age), (zero, None, age), or
        (hidden | unknown, None, 0); age 0 is the current release."""
        hidden = False
        for age, rel in enumerate(reversed(self.rels)):
            row = rel.rows.get(key)
            if row is not None and row["suppressed"] != "true":
                return "published", row, age
            hidden = hidden or row is not None
            if row is None and not hidden and rel.shows_zero(key):
                return "zero", None, age
        return ("hidden" if hidden else "unknown"), None, 0

    def suppressed(self, key: Key) -> bool:
        """The newest release showing the cell suppresses it (an earlier one may not)."""
        for rel in reversed(self.rels):
            if key in rel.rows:
                return rel.rows[key]["suppressed"] == "true"
            if rel.shows_zero(key):
                return False
        return False

    def raw(self, key: Key) -> int:
        """The unknown of a count or usd cell (usd in half dollars) as the releases bound it."""
        if key in self.s.index:
            return self.s.index[key]
        state, row, age = self.observe(key)
        usd = self.reg[key[0]]["unit"] == "usd"
        why = {"earlier_release"} if age else set()
        if state == "published" and row["value"] != "":
            v = int(row["value"])
            return self.s.var(key, *((max(0, 2 * v - 1), 2 * v + 1) if usd else (v, v)), why)
        if state == "zero":
            return self.s.var(key, 0, 0, why)
        return self.s.var(key, 1 if state == "hidden" and not usd else 0)

    def rate_vars(self, key: Key) -> tuple[int, int, int]:
        """(population, numerator, complement) of a rate cell; the population is the linked
        count cell if the registry names one."""
        count = self.reg[key[0]]["links"].get("count")
        pop = self.raw((count, *key[1:])) if count else self.s.var((key[0] + "#n", *key[1:]))
        return pop, *(self.s.var((key[0] + part, *key[1:])) for part in ("#num", "#comp"))

    def cell(self, key: Key) -> None:
        entry = self.reg[key[0]]
        links = entry.get("links", {})
        if entry["unit"] in ("count", "usd"):
            self.raw(key)
        if entry["unit"] == "percent" and "numerator" in links and key not in self.rates:
            self.rates.add(key)
            self.rate(key, "count" in links)
        elif entry["unit"] != "percent":
            state, row, age = self.observe(key)
            if state == "published" and row["n"] != "" and "count" in links:
                n, why = int(row["n"]), {"population"} | ({"earlier_release"} if age else set())
                self.s.narrow(self.raw((links["count"], *key[1:])), n, n, why)
            elif entry["unit"] == "count" and self.part_of(key) and key not in self.rests:
                self.rest(key, self.raw(key))  # a count is its own part, hidden or not
            elif state == "published" and row["n"] != "" and self.part_of(key):
                n, why = int(row["n"]), {"earlier_release"} if age else set()
                self.rest(key, self.s.var((key[0] + "#n", *key[1:]), n, n, why))

    def part_of(self, key: Key) -> str | None:
        """The count indicator whose records the cell's population is part of (``rest``)."""
        entry = self.reg[key[0]]
        population = entry.get("population")
        if "count" in entry.get("links", {}) or population in (None, key[0]):
            return None
        return population if self.reg.get(population, {}).get("unit") == "count" else None

    def rest(self, key: Key, pop: int) -> None:
        """count = pop + rest, rest >= 0 (``rest`` in the module docstring)."""
        count = self.raw((self.part_of(key), *key[1:]))
        self.rests[key] = self.s.var((key[0] + "#rest", *key[1:]))
        self.s.add("rest", [(count, 1), (pop, -1), (self.rests[key], -1)])

    def rate(self, key: Key, linked: bool) -> None:
        pop, num, comp = self.rate_vars(key)
        self.s.add("rate", [(pop, 1), (num, -1), (comp, -1)])
        if self.part_of(key):
            self.rest(key, pop)
        state, row, age = self.observe(key)
        why = {"population"} if linked else set()
        why |= {"earlier_release"} if age else set()
        if state == "published":
            if row["n"] != "":  # the n of a published cell may be left empty
                self.s.narrow(pop, int(row["n"]), int(row["n"]), why)
            if row["value"] != "":
                tenths = int(Fraction(row["value"]) * 10)  # published with one decimal
                self.s.add("rate", [(pop, 1), (num, 1), (comp, 1)], tenths)
                self.s.narrow(pop, 1, INF, frozenset())
        elif state == "zero":
            self.s.narrow(pop, 0, 0, why)
        elif state == "hidden":
            self.s.narrow(pop, 1, INF, frozenset())  # a suppressed cell rests on a record

    def series(self, ind: str) -> list:
        """The additive series of an indicator: key -> unknown."""
        entry = self.reg[ind]
        if entry["unit"] in ("count", "usd") and entry.get("additive"):
            return [self.raw]
        if entry["unit"] != "percent" or "numerator" not in entry.get("links", {}):
            return []
        parts = [lambda k: self.rate_vars(k)[1], lambda k: self.rate_vars(k)[2]]
        return parts if "count" in entry["links"] else [lambda k: self.rate_vars(k)[0], *parts]

    def additivity(self, rel: _Release) -> None:
        for (ind, period, b), keys in rel.groups.items():
            total = rel.groups.get((ind, period, "total"))
            if ind not in self.reg or b == "total" or not total:
                continue
            tables = [keys]
            if b == "region" and (ind, "purchaser") in rel.tables:
                by_region = defaultdict(list)
                for p in rel.groups.get((ind, period, "purchaser"), []):
                    by_region[self.regions.get(p[3])].append(p)
                tables += [[*by_region[k[3]], k] for k in keys]  # the region last
            for to_var in self.series(ind):
                self.s.add("additivity", [(to_var(k), 1) for k in keys] + [(to_var(total[0]), -1)])
                for members in tables[1:]:
                    terms = [(to_var(k), 1) for k in members[:-1]]
                    self.s.add("additivity", [*terms, (to_var(members[-1]), -1)])

    def stock_flow(self, rel: _Release) -> None:
        for stock, entry in self.reg.items():
            links = entry.get("links", {})
            flows = (links.get("inflow"), links.get("outflow"))
            if not all(flows) or stock not in rel.periods:
                continue
            ids = (stock, *flows)
            periods = rel.periods[stock]
            for b in {b for i, b in rel.tables if i == stock}:
                for prev, period in zip(periods, periods[1:], strict=False):
                    if period_index(period) - period_index(prev) != 1:
                        continue
                    if all(period in rel.periods.get(i, ()) for i in flows):
                        self.flow(rel, ids, b, prev, period)

    def unpublished_stocks(self, rel: _Release) -> None:
        for stock, entry in self.reg.items():
            flows = tuple(entry.get("links", {}).get(k) for k in ("inflow", "outflow"))
            if not all(flows) or stock not in rel.periods:
                continue
            shown = [{b for i, b in rel.tables if i == name} for name in (stock, *flows)]
            for b in sorted((shown[1] & shown[2]) - shown[0] - {"total"}):
                found = {k[3] for f in flows for p in rel.periods[stock]
                         for k in rel.groups.get((f, p, b), [])}  # fmt: skip
                for v in sorted(found):
                    self.unpublished_series(rel, (stock, *flows), b, v)
                self.unpublished_total(rel, stock, b, sorted(found))

    def unpublished_total(self, rel: _Release, stock: str, b: str, values: list[str]) -> None:
        """The values of an unpublished breakdown + an unseen rest >= 0 = the total stock."""
        for period in rel.periods[stock]:
            keys = [(stock, period, b, v) for v in values]
            if not all(k in self.stocks for k in keys):
                continue  # a series stopped: the flows of some value are unknown
            unseen = self.s.var((stock + "#unseen", period, b, "All"))
            terms = [(self.stocks[k], 1) for k in keys]
            total = self.raw((stock, period, "total", "All"))
            self.s.add("stock_flow", [*terms, (unseen, 1), (total, -1)])

    def unpublished_series(self, rel: _Release, ids: tuple[str, ...], b: str, v: str) -> None:
        """S(t) = S(t-1) + I(t) - O(t) >= 0 from a free S (at least 0) in the first period,
        while the periods run on and both flows are known (a row or a known 0)."""
        before = None
        for prev, period in zip([None, *rel.periods[ids[0]]], rel.periods[ids[0]], strict=False):
            flows = [(f, period, b, v) for f in ids[1:]]
            if prev and period_index(period) - period_index(prev) != 1:
                return
            if not all(k in rel.rows or rel.shows_zero(k) for k in flows):
                return
            key = (ids[0], period, b, v)
            # the same unknown as a rest's count (over target <= pending by destination)
            known = self.s.index.get(key)
            unknown = self.s.var((ids[0] + "#unpublished", *key[1:])) if known is None else known
            now = self.stocks.setdefault(key, unknown)
            if before is not None:
                terms = [(now, 1), (self.raw(flows[0]), -1), (self.raw(flows[1]), 1)]
                self.s.add("stock_flow", [*terms, (before, -1)])
            before = now

    def flow(self, rel: _Release, ids: tuple[str, ...], b: str, prev, period: str) -> None:
        """S(t) - S(t-1) - I(t) + O(t) = 0 for every value of breakdown b; a row absent from
        this release is 0 if its table is published."""
        parts = [(ids[0], period, 1), (ids[0], prev, -1), (ids[1], period, -1), (ids[2], period, 1)]
        for v in sorted({k[3] for i, p, _ in parts for k in rel.groups.get((i, p, b), [])}):
            keys = [((i, p, b, v), c) for i, p, c in parts]
            if all(k in rel.rows or rel.shows_zero(k) for k, _ in keys):
                terms = [(self.raw(k), c) for k, c in keys if k in rel.rows]
                self.s.add("stock_flow", terms)

    def run(self) -> Report:
        for rel in self.rels:
            for key in rel.rows:
                if key[0] in self.reg:
                    self.cell(key)
        for rel in self.rels:
            self.additivity(rel)
            self.stock_flow(rel)
            self.unpublished_stocks(rel)
            intruder_outcomes.outcomes(self, rel)
            intruder_outcomes.thresholds(self, rel, self.targets)
            intruder_stages.follows(self, rel)
            intruder_stages.carried_over(self, rel, self.targets)
            intruder_nesting.nesting(self, rel, self.nests)
            intruder_nesting.floors(self, rel, self.floors)
        self.s.solve()
        return self.report()

    def report(self) -> Report:
        s = self.s
        out = Report(conflicts=s.conflicts, complete=s.complete)
        for key, i in list(s.index.items()):
            entry = self.reg.get(key[0])
            if entry is None or not self.suppressed(key):
                continue
            usd = entry["unit"] == "usd"
            if s.hi[i] - s.lo[i] <= (4 if usd else 0):
                value = Fraction(s.lo[i] + s.hi[i], 4) if usd else Fraction(s.lo[i])
                width = Fraction(s.hi[i] - s.lo[i], 2 if usd else 1)
                out.recovered.append(self.finding(key, value, [i], width=width))
            elif entry["unit"] == "count" and self.small_count(i):
                out.small.append(self.small_finding(key, i, part="cell"))
        for key in sorted(self.rates):
            pop, num, comp = self.rate_vars(key)
            pinned = [s.lo[i] == s.hi[i] for i in (pop, num, comp)]
            hidden = self.suppressed(key)
            if hidden and all(pinned) and s.lo[pop] > 0:
                rate = Fraction(round(Fraction(1000 * s.lo[num], s.lo[pop])), 10)
                out.recovered.append(self.finding(key, rate, [pop, num, comp]))
            for part, i in (("numerator", num), ("complement", comp)):
                if self.small_count(i):
                    out.small.append(self.small_finding(key, i, part=part, published=not hidden))
        for key, i in sorted(self.rests.items()):
            if self.small_count(i):
                hidden = self.suppressed(key)
                out.small.append(self.small_finding(key, i, part="rest", published=not hidden))
        out.small += self.unpublished()
        return out

    def unpublished(self) -> list[Finding]:
        """Unpublished stocks and outcomes shown to be 1 or 2."""
        out: list[Finding] = []
        found = [(key, i, "stock") for key, i in sorted(self.stocks.items())]
        for name, (key, i) in sorted(self.outcomes.items()):
            found.append((key, i, "outcome:" + name[0].partition("#outcome:")[2]))
        for key, i, part in found:
            if self.small_count(i):
                out.append(self.small_finding(key, i, part=part))
        return out

    def small_count(self, i: int) -> bool:
        """Whether count ``i`` is shown to be 1 or 2 records: at least 1, at most 2."""
        return self.s.lo[i] >= 1 and self.s.hi[i] <= 2

    def small_finding(self, key: Key, i: int, **extra) -> Finding:
        """A count shown to be 1 or 2: ``value`` the most it can be, ``width`` its room."""
        lo, hi = self.s.lo[i], self.s.hi[i]
        return self.finding(key, Fraction(hi), [i], width=Fraction(hi - lo), **extra)

    def finding(self, key: Key, value: Fraction, members: list[int], **extra) -> Finding:
        links = frozenset().union(*(self.s.why[i] for i in members))
        family = self.reg[key[0].split("#")[0]]["family"]
        kinds = tuple(k for k in LINKS if k in links)
        return Finding(*key, family=family, value=value, links=kinds, **extra)


def attack(
    releases: list[list[dict]],
    registry: dict,
    regions: dict,
    skip=("notifications",),
    targets: dict | None = None,
    nests: dict | None = None,
    floors: dict | None = None,
) -> Report:
    """Everything the public can work out from ``releases`` (oldest first): see the module.
    ``targets``: pipeline.toml's ``[targets]`` tables (for the ``threshold`` link); ``nests``
    and ``floors``: ``intruder_nesting.read_nesting`` and ``read_floors``."""
    return _Attack(releases, registry, regions, set(skip), targets, nests, floors).run()


def violations(report: Report, policies: dict[str, str], exempt=("notifications",),
               upper=frozenset()) -> Report:  # fmt: skip
    """The findings a family policy forbids: a cell worked out exactly or a count pinned at
    1 or 2 of a ``confidential`` family (also the default), and a count shown to be 1 or 2
    (an interval) of one in ``upper`` (``upper_protection``); the breakdown cells worked
    out exactly only of a ``public_record`` one (whose rules protect cells, not rests or
    unpublished stocks, from exact recovery); none if exempt."""

    def forbidden(f: Finding) -> bool:
        if f.family in exempt:
            return False
        if policies.get(f.family, "confidential") != "public_record":
            return f.width == 0 or f.family in upper
        unpublished = f.part in ("rest", "stock") or f.part.startswith("outcome:")
        return f.breakdown != "total" and not unpublished and f.width == 0

    return Report(
        [f for f in report.recovered if forbidden(f)],
        [f for f in report.small if forbidden(f)],
        report.conflicts,
        report.complete,
    )


# ------------------------------------------------------------------- what the public reads
def read_rows(path: Path) -> list[dict]:
    with Path(path).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def read_site(site: Path) -> list[list[dict]]:
    """The rows of every release's indicators.csv, oldest first, then the current
    data/indicators.csv if it differs from the newest release's."""
    files = sorted(
        Path(site).glob("releases/*/data/indicators.csv"),
        key=lambda p: period_index(p.parents[1].name),
    )
    current = Path(site) / "data" / "indicators.csv"
    if current.is_file() and (not files or current.read_bytes() != files[-1].read_bytes()):
        files.append(current)
    return [read_rows(f) for f in files]


def read_registry(path: Path) -> dict[str, dict]:
    with Path(path).open("rb") as handle:
        return {e["id"]: e for e in tomllib.load(handle)["indicator"]}


def read_regions(path: Path) -> dict[str, str]:
    """Published purchaser code -> region: a country's alpha-3 code (from 0.2) and its
    reference code (releases before 0.2 published alpha-2), an organization's code."""
    regions = {}
    for row in read_rows(path):
        for code in (row["code"].strip(), row.get("alpha3", "").strip()):
            if code:
                regions[code] = row["region"].strip()
    return regions


def read_policies(path: Path) -> tuple[dict[str, str], tuple[str, ...]]:
    """(family -> policy, exempt families) from pipeline.toml's [disclosure]."""
    with Path(path).open("rb") as handle:
        disclosure = tomllib.load(handle)["disclosure"]
    families = disclosure.get("families", {})
    return {f: v.get("policy", "confidential") for f, v in families.items()}, tuple(
        disclosure.get("exempt_families", ())
    )


def read_upper(path: Path) -> frozenset[str]:
    """The families pipeline.toml's [disclosure] asks the upper protection level for."""
    with Path(path).open("rb") as handle:
        families = tomllib.load(handle)["disclosure"].get("families", {})
    return frozenset(f for f, v in families.items() if v.get("upper_protection") is True)


def read_targets(path: Path) -> dict[str, dict[str, int]]:
    """pipeline.toml's ``[targets]`` tables: table -> value -> days."""
    with Path(path).open("rb") as handle:
        return tomllib.load(handle).get("targets", {})


def attack_site(site: Path, pipeline: Path) -> tuple[Report, Report]:
    """(everything found, what the policies forbid) for a site folder, reading the registry,
    the purchaser reference and the policies from the pipeline folder."""
    registry = read_registry(pipeline / "indicators.toml")
    regions = read_regions(pipeline / "reference" / "purchasers.csv")
    policies, exempt = read_policies(pipeline / "pipeline.toml")
    targets = read_targets(pipeline / "pipeline.toml")
    nests, floors = intruder_nesting.read_nesting(pipeline), intruder_nesting.read_floors(pipeline)
    report = attack(read_site(site), registry, regions, skip=exempt, targets=targets, nests=nests,
                    floors=floors)  # fmt: skip
    return report, violations(report, policies, exempt, read_upper(pipeline / "pipeline.toml"))
