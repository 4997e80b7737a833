"""Two more of the intruder's links (``tests/intruder.py``): the order of a record's events.

- ``follows``: a flow whose registry ``links.follows`` names another flow counts records
  that passed that one first (LOAs accepted were offered). Per breakdown value, the records
  between the two stages are an unpublished stock: free (at least 0) in the first period
  (records that passed the first stage before the coverage start are in it), then
  S(t) = S(t-1) + first(t) - second(t) >= 0, while periods run on and both flows are known
  (a row or a known 0); ``small`` (part ``stock``) when pinned at 1 or 2.
- ``carried_over``: a count with ``links.carried_over`` naming a stock counts the stock's
  records past target. An application pending at the end of quarter t-1 and still at the
  end of t is at least days(t) days old (age = last day of the quarter - receipt date), so
  past every target below days(t): over(t) >= stock(t-1) - outflow(t), used where the
  largest target that can apply to the cell (its agency's, else any) is below days(t).

Written from the definitions only; it imports nothing from the program.
"""

from __future__ import annotations

import datetime as dt

# the count past target -> (the breakdown whose values name its targets, its [targets] table)
TARGET_TABLES = {"lic_pending_over_target": ("agency", "license")}


def quarter_days(period: str) -> int:
    """Calendar days of a fiscal quarter (``FY2026-Q2`` is January to March 2026)."""
    year, quarter = (int(x) for x in period.removeprefix("FY").split("-Q"))
    start_month = (10 + 3 * (quarter - 1) - 1) % 12 + 1
    start_year = year - 1 if quarter == 1 else year
    end_month = start_month + 3
    end = dt.date(start_year + (end_month > 12), (end_month - 1) % 12 + 1, 1)
    return (end - dt.date(start_year, start_month, 1)).days


def follows(attack, rel) -> None:
    """The ``follows`` link over one release (``attack``: an ``intruder._Attack``)."""
    for second, entry in attack.reg.items():
        first = entry.get("links", {}).get("follows")
        if not first or first not in rel.periods or second not in rel.periods:
            continue
        tables = [{b for i, b in rel.tables if i == name} for name in (first, second)]
        for b in sorted(tables[0] & tables[1]):
            found = {k[3] for f in (first, second) for p in rel.periods[f]
                     for k in rel.groups.get((f, p, b), [])}  # fmt: skip
            for v in sorted(found):
                _stage(attack, rel, (first, second), b, v)


def _stage(attack, rel, flows: tuple[str, str], b: str, v: str) -> None:
    periods = sorted(set(rel.periods[flows[0]]) | set(rel.periods[flows[1]]),
                     key=_index)  # fmt: skip
    before = None
    for prev, period in zip([None, *periods], periods, strict=False):
        if prev and _index(period) - _index(prev) != 1:
            return
        keys = [(f, period, b, v) for f in flows]
        if not all(k in rel.rows or rel.shows_zero(k) for k in keys):
            return
        key = (flows[1] + "#after", period, b, v)
        now = attack.stocks.setdefault(key, attack.s.var(key))
        if before is not None:
            terms = [(now, 1), (attack.raw(keys[0]), -1), (attack.raw(keys[1]), 1)]
            attack.s.add("follows", [*terms, (before, -1)])
        before = now


def carried_over(attack, rel, targets: dict[str, dict[str, int]]) -> None:
    """The ``carried_over`` link over one release."""
    for over, entry in attack.reg.items():
        stock = entry.get("links", {}).get("carried_over")
        if not stock or over not in rel.periods or stock not in attack.reg:
            continue
        outflow = attack.reg[stock]["links"]["outflow"]
        breakdown, table = TARGET_TABLES.get(over, (None, None))
        days = targets.get(table, {})
        if not days:
            continue
        periods = rel.periods[over]
        for prev, period in zip(periods, periods[1:], strict=False):
            if _index(period) - _index(prev) == 1:
                _carried(attack, rel, (over, stock, outflow), (prev, period), (breakdown, days))


def _carried(attack, rel, ids: tuple[str, str, str], periods, targets) -> None:
    over, stock, outflow = ids
    prev, period = periods
    breakdown, days = targets
    for b in sorted({b for i, b in rel.tables if i == over}):
        for v in sorted({k[3] for k in rel.groups.get((over, period, b), [])} |
                        {k[3] for k in rel.groups.get((stock, prev, b), [])}):  # fmt: skip
            longest = days.get(v, max(days.values())) if b == breakdown else max(days.values())
            if quarter_days(period) <= longest:
                continue
            before = _stock(attack, rel, (stock, prev, b, v))
            keys = [(over, period, b, v), (outflow, period, b, v)]
            if before is None or not all(k in rel.rows or rel.shows_zero(k) for k in keys):
                continue
            slack = attack.s.var((over + "#carried", period, b, v))
            terms = [(attack.raw(keys[0]), 1), (before, -1), (attack.raw(keys[1]), 1)]
            attack.s.add("carried_over", [*terms, (slack, -1)])


def _stock(attack, rel, key) -> int | None:
    """The stock's unknown: a published breakdown's cell, else its unpublished series."""
    if key in rel.rows or rel.shows_zero(key):
        return attack.raw(key)
    return attack.stocks.get(key)


def _index(period: str) -> int:
    year, quarter = period.removeprefix("FY").split("-Q")
    return int(year) * 4 + int(quarter)
