"""Levels of a stock no cell publishes (pending applications by destination), from the
first period of its series, where the level is free: records opened before the coverage
start are in it and no published flow shows them.

The audit knows the true value of every published cell, not of an unpublished stock's
starting level. It needs values that satisfy every identity (the solver reads them as a
feasible point); any such values serve, since a level the public can pin is the same in
every solution. ``levels`` gives each value the least starting level that keeps its series
at least 0; what is left of the published stock (its total, or its region for a purchaser)
is the unseen part (``#unseen``, at least 0): records of values no published flow shows,
opened before the coverage start and still open (their values are not known to the
public, so the values it knows add up to at most the published stock).
"""

from __future__ import annotations

from arms_metrics.quarters import Quarter

TOTAL, ALL, REGION, PURCHASER = "total", "All", "region", "purchaser"


def series_periods(present: dict[str, set], ids: tuple, periods: list[str]) -> list[str]:
    """The periods of a series: from the first period any of ``ids`` is published in (a
    series starts at its sources' coverage, where its level is free: records opened before
    it are in the stock, in no flow)."""
    firsts = [min(Quarter.parse(w[0]).index for w in present[i]) for i in ids if present.get(i)]
    first = min(firsts, default=0)
    return [p for p in periods if Quarter.parse(p).index >= first]


def _cumulative(system, flows: tuple[str, str], item: tuple[str, str], periods: list[str]):
    level, out = 0, []
    for period in periods:
        level += system.level((flows[0], period, *item)) - system.level((flows[1], period, *item))
        out.append(level)
    return out


def _least(system, parts: list[str], item: tuple[str, str], period: str) -> int:
    """The most records any of ``parts`` counts among the stock's of ``item`` in ``period``."""
    return max((system.level((part, period, *item)) for part in parts), default=0)


def _groups(stock: str, period: str, where: list, regions: dict[str, str]) -> list:
    """(published key, its members): the regions of a purchaser table first, then the
    total with the values that are in no region."""
    groups = []
    if where and where[0][0] == PURCHASER:
        for region in sorted({regions[v] for _, v in where if v in regions}):
            members = [item for item in where if regions.get(item[1]) == region]
            groups.append(((stock, period, REGION, region), members))
        rest = [item for item in where if item[1] not in regions]
        return [*groups, ((stock, period, TOTAL, ALL), rest)]
    return [((stock, period, TOTAL, ALL), list(where))]


def levels(system, ids: tuple[str, str, str], where: list[tuple[str, str]], periods: list[str],
           regions: dict[str, str], parts: list[str]) -> dict | None:  # fmt: skip
    """Per (breakdown, value) of ``where``, the stock's level in each of ``periods``, at
    least 0 and at least each of ``parts`` (counts of some of the stock's records: pending
    over target); None when no such levels add up to the published stock."""
    stock, flows = ids[0], ids[1:]
    if not periods:
        return {item: [] for item in where}
    cumulative = {item: _cumulative(system, flows, item, periods) for item in where}
    start = {
        item: max(
            0, *(_least(system, parts, item, p) - c for p, c in zip(periods, cs, strict=True))
        )
        for item, cs in cumulative.items()
    }
    for key, members in _groups(stock, periods[0], where, regions):
        counted = where if key[2] == TOTAL else members
        if system.level(key) < sum(cumulative[m][0] + start[m] for m in counted):
            return None
    return {item: [start[item] + c for c in cumulative[item]] for item in where}
