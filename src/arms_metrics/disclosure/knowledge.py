"""What the public knows about one release: its count quantities and identities, built from
the cell table and the registry's declared ``links`` (see ``links.py`` for the identities).

Nothing here is indicator-specific: a new stock, statistic or rate is covered by declaring
its links in ``indicators.toml``. Exempt families are public record and left out.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import compress

import numpy as np
import polars as pl

from arms_metrics.cells import SORT_KEY
from arms_metrics.config import Config
from arms_metrics.disclosure import lifecycle, links, nesting, outcomes, stocks
from arms_metrics.disclosure.links import (
    COMPLEMENT,
    LATENT,
    NUMERATOR,
    REST,
    Index,
    Key,
    N,
    System,
    index,
)
from arms_metrics.disclosure.stocks import series_periods
from arms_metrics.quarters import Quarter

__all__ = ["COMPLEMENT", "LATENT", "N", "NUMERATOR", "REST", "Knowledge", "build", "knowledge"]
TOTAL, ALL, REGION, PURCHASER = "total", "All", "region", "purchaser"
UNSEEN = "#unseen:"
COLUMNS = [*SORT_KEY, "unit", "value", "n", "numerator", "parent"]


def _quantities(row: dict, counted: bool) -> list[tuple[Key, int, int]]:
    """(key, true value, lower bound if hidden) of the counts one cell publishes or hides.

    A count cell is its own quantity; a rate adds its numerator and complement (a hidden one
    may be 0); any other cell whose population has no count indicator of its own
    (``counted`` False) publishes its ``n``, an additive count (``<id>#n``)."""
    where = (row["period"], row["breakdown"], row["breakdown_value"])
    if row["unit"] == "count":
        return [((row["indicator_id"], *where), int(row["value"]), 1)]
    if row["unit"] == "percent" and row["numerator"] is not None and row["n"]:
        k, n = int(row["numerator"]), int(row["n"])
        tallies = [
            ((row["indicator_id"] + NUMERATOR, *where), k, 0),
            ((row["indicator_id"] + COMPLEMENT, *where), n - k, 0),
        ]  # their sum, the population, is at least 1: a rate row rests on a record
        return tallies if counted else [*tallies, ((row["indicator_id"] + N, *where), n, 1)]
    if not counted and row["n"]:
        return [((row["indicator_id"] + N, *where), int(row["n"]), 1)]
    return []


def _tables(system: Knowledge, config: Config, present: dict[str, set]) -> None:
    """Additivity: each breakdown table sums to the total; purchasers to their region."""
    registry = config.registry
    for qid, keys in present.items():
        indicator = registry.get(qid.split("#")[0])
        if "#" not in qid and not indicator.additive:
            continue
        by_table: dict[tuple[str, str], list[str]] = defaultdict(list)
        for period, breakdown, value in keys:
            by_table[(period, breakdown)].append(value)
        periods = {period for period, _ in by_table}
        # a table the release publishes (a row in some quarter): its absent rows are zeros
        shown = {breakdown for _, breakdown, _ in keys}
        published = [b for b in indicator.breakdowns if b in shown]
        for period in sorted(periods):
            total = (qid, period, TOTAL, ALL)
            for breakdown in published:
                values = sorted(by_table.get((period, breakdown), []))
                system.add_equation(
                    [(total, -1)] + [((qid, period, breakdown, v), 1) for v in values]
                )


def _additive(config: Config, present: dict[str, set]) -> set[str]:
    """The quantities whose breakdown cells add up: additive indicators, rate tallies, n."""
    registry = config.registry
    return {q for q in present if "#" in q or registry.get(q.split("#")[0]).additive}


def _regions(system: Knowledge, present: dict[str, set], parents: dict) -> None:
    """The purchasers of a region add up to the region (per quantity and period)."""
    by_quantity: dict[str, dict] = defaultdict(lambda: defaultdict(list))
    for key, region in parents.items():
        by_quantity[key[0]][(key[1], region)].append(key)
    for qid in present:
        members = by_quantity.get(qid, {})
        for (period, region), keys in sorted(members.items()):
            region_key = (qid, period, REGION, region)
            system.add_equation([(region_key, -1)] + [(k, 1) for k in sorted(keys)])


def _stock_flows(system: Knowledge, config: Config, present: dict[str, set], periods: list[str]):
    """stock(t) - stock(t-1) - inflow(t) + outflow(t) = 0 per breakdown value, from the
    second period of the series on: the first period's stock is a free level (the records
    opened before the coverage start are in it, and no flow shows them)."""
    for indicator in config.registry.indicators:
        links = indicator.links
        ids = (indicator.id, links.get("inflow"), links.get("outflow"))
        if not all(ids[1:]) or not all(i in present for i in ids):
            continue
        flows = [config.registry.get(i) for i in ids[1:]]
        shared = [b for b in indicator.breakdowns if all(b in f.breakdowns for f in flows)]
        values = {(b, v) for i in ids for _, b, v in present[i] if b in (TOTAL, *shared)}
        series = series_periods(present, ids[:1], periods)
        for breakdown, value in sorted(values):
            for before, now in zip(series, series[1:], strict=False):
                stock, inflow, outflow = ((i, now, breakdown, value) for i in ids)
                previous = (ids[0], before, breakdown, value)
                system.add_equation([(stock, 1), (inflow, -1), (outflow, 1), (previous, -1)])


def _rate_counts(system: Knowledge, config: Config, present: dict[str, set]) -> None:
    """numerator + complement = the population: the count named by ``links.count``, else
    the rate's own ``<id>#n``."""
    for indicator in config.registry.indicators:
        count = indicator.links.get("count") or indicator.id + N
        qid = indicator.id + NUMERATOR
        if indicator.unit != "percent" or qid not in present or count not in present:
            continue
        for where in sorted(present[qid] | present[count]):
            if where[1] in (TOTAL, *indicator.breakdowns):
                system.add_equation([((qid, *where), 1), ((indicator.id + COMPLEMENT, *where), 1),
                                     ((count, *where), -1)])  # fmt: skip


@dataclass
class Knowledge:
    """Every count quantity of a release with its true value, lower bound and cell row, and
    the identities between them; which quantities are hidden is decided per ``system``."""

    quantities: dict[Key, tuple[int, int, int]] = field(default_factory=dict)
    locked: set[Key] = field(default_factory=set)  # published unchanged in an earlier release
    equations: list[list[tuple[Key, int]]] = field(default_factory=list)
    cached: Index | None = None
    vectors: tuple = ()
    columns: tuple = ()
    memo: dict = field(default_factory=dict)  # the solver's per-part answers (``solver.solve``)

    def level(self, key: Key) -> int:
        """True value of a quantity; a key no row holds is a zero."""
        return self.quantities[key][0] if key in self.quantities else 0

    def add_equation(self, terms: list[tuple[Key, int]]) -> None:
        if any(key in self.quantities for key, _ in terms):
            self.equations.append(terms)

    def system(self, hidden_rows: set[int]) -> System:
        """The public's view when the cells of ``hidden_rows`` are suppressed."""
        if self.cached is None:
            self.cached = index(self.equations)
            self.vectors = self._vectors()
            self.columns = self._columns()
        out = System(equations=self.equations, locked=self.locked, cached=self.cached,
                     memo=self.memo)  # fmt: skip
        keys, values, lowers, rows, locked = self.columns
        hidden = _unknown(rows, locked, hidden_rows)
        out.hidden = dict(zip(compress(keys, hidden), compress(lowers, hidden), strict=True))
        out.truth = dict(zip(compress(keys, hidden), compress(values, hidden), strict=True))
        out.known = dict(zip(compress(keys, ~hidden), compress(values, ~hidden), strict=True))
        rows, value, lower, locked = self.vectors
        unknown = _unknown(rows, locked, hidden_rows)
        out.arrays = (unknown, value, np.where(unknown, lower, 0.0))
        return out

    def _columns(self) -> tuple:
        """The quantities as columns: keys, true values, lower bounds (lists), cell rows and
        locked (arrays), in the order of ``quantities``."""
        keys = list(self.quantities)
        found = list(self.quantities.values())
        rows = np.array([row for _, _, row in found], dtype=np.int64)
        locked = np.array([key in self.locked for key in keys], dtype=bool)
        return keys, [v for v, _, _ in found], [lo for _, lo, _ in found], rows, locked

    def _vectors(self) -> tuple[np.ndarray, ...]:
        """Per key of the index: cell row (-1: an absent row, a known 0), true value,
        lower bound, locked."""
        keys = self.cached.keys
        found = [self.quantities.get(key, (0, 0, -1)) for key in keys]
        return (
            np.array([row for _, _, row in found], dtype=np.int64),
            np.array([float(value) for value, _, _ in found], dtype=float),
            np.array([float(lower) for _, lower, _ in found], dtype=float),
            np.array([key in self.locked for key in keys], dtype=bool),
        )


def _unknown(rows: np.ndarray, locked: np.ndarray, hidden_rows: set[int]) -> np.ndarray:
    """What the public does not know: the quantities of hidden cells and those no cell
    publishes (``LATENT``), unless an earlier release published them (``locked``)."""
    hidden = np.isin(rows, np.fromiter(hidden_rows, dtype=np.int64)) | (rows == LATENT)
    return hidden & ~locked


def knowledge(truth: pl.DataFrame, config: Config, earlier: dict | None = None) -> Knowledge:
    """The quantities and identities of the cells ``truth`` (true ``value``, ``n`` and
    ``numerator``, a ``_row`` number per cell). ``earlier`` maps a cell key to the
    (value, n) pairs earlier releases published: a cell whose value is among them is known."""
    families = {i.id: config.rules_for(i.family) for i in config.registry.indicators}
    counted = {i.id: bool(i.links.get("count")) for i in config.registry.indicators}
    reveals = {i.id for i in config.registry.indicators if i.links.get("reveals")}
    known, present = Knowledge(), defaultdict(set)
    parents: dict[Key, str] = {}
    shown = []
    for row in truth.select("_row", *COLUMNS).iter_rows(named=True):
        if families[row["indicator_id"]].exempt:
            continue
        key4 = (row["indicator_id"], row["period"], row["breakdown"], row["breakdown_value"])
        before = published_before(earlier, key4, row["value"])
        if row["indicator_id"] in reveals:
            shown.append((key4[0], key4[1:], row["_row"], before))
        for key, value, lower in _quantities(row, counted[row["indicator_id"]]):
            present[key[0]].add(key[1:])
            known.quantities[key] = (value, lower, row["_row"])
            if before:
                known.locked.add(key)
            if row["breakdown"] == PURCHASER and row["parent"] is not None:
                parents[key] = row["parent"]
    periods = sorted(set(truth["period"].to_list()), key=lambda p: Quarter.parse(p).index)
    _tables(known, config, present)
    _regions(known, present, parents)
    nesting.add_nesting(known, config, present, _additive(config, present))
    _stock_flows(known, config, present, periods)
    _rate_counts(known, config, present)
    _unpublished_stocks(known, config, present, periods, {k[3]: r for k, r in parents.items()})
    _rests(known, config, present)  # after the stocks: over target <= an unpublished stock too
    outcomes.add_outcomes(known, config, present)
    outcomes.add_shown(known, config, shown)
    lifecycle.add_stages(known, config, present, periods)
    lifecycle.add_carried(known, config, present, periods)
    return known


def _rests(system: Knowledge, config: Config, present: dict[str, set]) -> None:
    """A figure whose records are part of a count indicator's population but that has no
    ``links.count`` rests on part of that count: count = its part + an unpublished rest
    (``<id>#rest``), at least 0, a count of records too. The part is a statistic's ``#n``
    (the approval rate's approvals and denials among final actions: the rest is the returns
    without action and withdrawals) or a count's own value (pending applications over target
    among those pending: the rest is those within target)."""
    counts = {i.id for i in config.registry.indicators if i.unit == "count"}
    for indicator in config.registry.indicators:
        population = indicator.population
        qid = indicator.id if indicator.unit == "count" else indicator.id + N
        if population == indicator.id or population not in counts or population not in present:
            continue
        for where in sorted(present.get(qid, ())):
            count, part = (population, *where), (qid, *where)
            if count in system.quantities and part in system.quantities:
                rest = (indicator.id + REST, *where)
                value = system.quantities[count][0] - system.quantities[part][0]
                system.quantities[rest] = (value, 0, LATENT)
                system.add_equation([(count, 1), (part, -1), (rest, -1)])


def _unpublished_stocks(system: Knowledge, config: Config, present: dict[str, set],
                        periods: list[str], regions: dict[str, str]) -> None:  # fmt: skip
    """A stock not published by a breakdown its flows are published by (pending
    applications by destination) still exists: a free level (at least 0) in the first period
    of the series, then previous + inflow - outflow, at least 0; it adds up to the published
    stock."""
    for indicator in config.registry.indicators:
        flows = indicator.links.get("inflow"), indicator.links.get("outflow")
        if not all(flows) or not all(f in present for f in flows):
            continue
        shared = [b for b in config.registry.get(flows[0]).breakdowns
                  if b in config.registry.get(flows[1]).breakdowns]  # fmt: skip
        unpublished = {b for b in shared if b not in indicator.breakdowns}
        series = series_periods(present, (indicator.id,), periods)
        parts = [i.id if i.unit == "count" else i.id + N for i in config.registry.indicators
                 if i.population == indicator.id and i.id != indicator.id]  # fmt: skip
        for breakdown in sorted(unpublished):
            values = sorted({w[2] for f in flows for w in present[f] if w[1] == breakdown})
            where = [(breakdown, v) for v in values]
            levels = stocks.levels(system, (indicator.id, *flows), where, series, regions, parts)
            if levels is None:
                continue  # the data break the identities: no rule the public can rely on
            for item in where:
                _stock_series(system, indicator.id, flows, item, series, levels[item])
            _stock_tables(system, indicator.id, where, series, regions)


def _stock_tables(system: Knowledge, stock: str, values: list[tuple[str, str]],
                  periods: list[str], regions: dict[str, str]) -> None:  # fmt: skip
    """The unpublished breakdown and its unseen part add up to the published total, its
    purchasers and theirs to their published region: implied by the flows, written out so
    that a remedy sees the published stock cells a pinned unpublished one depends on."""
    for period in periods:
        by_table: dict[str, list[Key]] = defaultdict(list)
        for breakdown, value in values:
            by_table[breakdown].append((stock, period, breakdown, value))
        for breakdown, keys in sorted(by_table.items()):
            _unseen(system, (stock, period, TOTAL, ALL), breakdown, keys)
            if breakdown != PURCHASER:
                continue
            for region in sorted({regions[k[3]] for k in keys if k[3] in regions}):
                members = [k for k in keys if regions.get(k[3]) == region]
                _unseen(system, (stock, period, REGION, region), breakdown, members)


def _unseen(system: Knowledge, published: Key, breakdown: str, keys: list[Key]) -> None:
    """published = the keys + the unseen part (records of values no flow shows), >= 0."""
    unseen = (published[0] + UNSEEN + breakdown, *published[1:])
    value = system.quantities.get(published, (0,))[0] - sum(system.quantities[k][0] for k in keys)
    system.quantities[unseen] = (value, 0, LATENT)
    system.add_equation([(published, -1), (unseen, 1), *((k, 1) for k in keys)])


def _stock_series(system: Knowledge, stock: str, flows: tuple, where: tuple[str, str],
                  periods: list[str], levels: list[int]) -> None:  # fmt: skip
    """The series' quantities with their (true or consistent) ``levels``; no identity
    ties the first period's level to the flows."""
    for before, now, level in zip([None, *periods], periods, levels, strict=False):
        inflow, outflow = ((flow, now, *where) for flow in flows)
        key = (stock, now, *where)
        system.quantities[key] = (level, 0, LATENT)
        if before is not None:
            terms = [(key, 1), (inflow, -1), (outflow, 1), ((stock, before, *where), -1)]
            system.add_equation(terms)


def unpublished(key: Key, config: Config) -> bool:
    """A quantity no cell publishes: a rest, an outcome atom, the unrecorded of a sum
    (``outcomes``), a stage between two flows (``lifecycle``), or a stock by a breakdown it
    is not published by."""
    if _kind(key) in ("rest", "outcomes", "unrecorded", "after", "unseen"):
        return True
    indicator = config.registry.get(key[0].split("#")[0])
    return "#" not in key[0] and key[2] != TOTAL and key[2] not in indicator.breakdowns


def leaks(system: System, config: Config, given: set, solve: bool = True,
          thorough: bool = True) -> list[Key]:  # fmt: skip
    """The hidden quantities that disclose something, leaving out those in ``given``: every
    hidden count of a cell the public can pin (``links.pinned``), an ``unpublished``
    quantity (a rest, a stock by destination) of a confidential family pinned at 1 to
    ``min_n_count - 1`` records (it is no cell: only a small count of it points at records),
    then, in a family with ``upper_protection``, every hidden count of 1 to
    ``min_n_count - 1`` records that the public can show to be below ``min_n_count``
    (``links.short``). ``solve`` and ``thorough``: as ``links.pinned`` and ``links.short``."""

    def telling(key: Key) -> bool:
        if key in given or _kind(key) in ("shown", "carried"):  # not counts of records
            return False
        return not unpublished(key, config) or bool(least(key, system.truth.get(key, 0), config))

    out = [key for key in links.pinned(system, solve, thorough, telling) if telling(key)]
    asked = {i.id for i in config.registry.indicators
             if config.rules_for(i.family).upper_protection}  # fmt: skip
    target = {key: level for key, value in system.truth.items()
              if asked and key[0].split("#")[0] in asked and key not in given
              and (level := least(key, value, config))}  # fmt: skip
    seen = set(out)
    found = links.short(system, target, solve, thorough)
    return out + [key for key in found if key not in seen]


def needs(keys: list[Key], system: System, config: Config) -> dict[Key, int]:
    """The upper protection level (``least``) of each of ``keys`` whose family asks for it."""
    return {key: least(key, system.truth[key], config) for key in keys if _upper(key, config)}


def _upper(key: Key, config: Config) -> bool:
    """Whether the family of ``key`` asks for the upper protection level."""
    return config.rules_for(config.registry.get(key[0].split("#")[0]).family).upper_protection


def least(key: Key, value: int, config: Config) -> int:
    """The least value the public must not be able to rule out for a hidden count of
    ``value`` records: ``min_n_count`` of a confidential family when ``value`` is 1 to
    ``min_n_count - 1``, else 0 (no requirement)."""
    if _kind(key) in ("shown", "carried"):
        return 0
    rules = config.rules_for(config.registry.get(key[0].split("#")[0]).family)
    if rules.policy == "public_record" or not 1 <= value < rules.min_n_count:
        return 0
    return rules.min_n_count


def _kind(key: Key) -> str:
    """What a quantity id marks after ``#`` (``rest``, ``outcomes``, ``n``...), else ''."""
    return key[0].partition("#")[2].partition(":")[0]


def build(cells: pl.DataFrame, truth: pl.DataFrame, config: Config,
          earlier: dict | None = None) -> System:  # fmt: skip
    """The public's system for one release: ``cells`` says which cells are suppressed,
    ``truth`` holds the same keys unsuppressed (see ``knowledge``)."""
    truth = (
        truth.drop("_row", strict=False)
        .join(
            cells.select(*SORT_KEY, "suppressed").rename({"suppressed": "_hidden"}),
            on=SORT_KEY,
            how="inner",
        )
        .with_row_index("_row")
    )
    hidden = set(truth.filter(pl.col("_hidden"))["_row"].to_list())
    return knowledge(truth, config, earlier).system(hidden)


def published_before(earlier: dict | None, key: tuple, value: Decimal | None) -> bool:
    """Whether an earlier release published ``value`` for the cell ``key`` (``earlier`` as
    ``release.earlier_figures`` reads it): then the public knows it already."""
    if not earlier or value is None:
        return False
    return Decimal(value).normalize() in {v for v, _ in earlier.get(key, ())}
