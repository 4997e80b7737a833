"""Records move through stages: what the order of events tells the public.

- **A flow that follows another** (``links.follows``): every LOA accepted was offered
  first, every case supply complete was implemented first, every case closed was supply
  complete first. Per breakdown value, the records that passed the first stage but not yet
  the second are a stock no cell publishes: a free level (at least 0) in the first quarter
  of the series, since records that passed the first stage before the coverage start are
  in it, then previous + first(t) - second(t), at least 0.
- **Records carried over a quarter** (``links.carried_over``, on a count of a stock's
  records past target): an application pending at the end of one quarter and still pending
  at the end of the next is at least a quarter old, past every agency target, so
  over target(t) >= stock(t-1) - outflow(t) (the stock's outflow reaches at most that
  many of the carried-over records). The slack is a quantity no cell publishes, at least 0.

Both hold for the records by definition; a series where the data break one (a Commerce
application exactly 90 days old at the end of a 90-day quarter) is left out, since the
public cannot rely on a rule that does not hold. A stage stock's true starting level is
not in the cells: the audit takes the least that keeps the series at least 0 (any level
that satisfies the identities serves; see ``stocks``).
"""

from __future__ import annotations

from arms_metrics.config import Config
from arms_metrics.disclosure.links import LATENT, Key
from arms_metrics.disclosure.stocks import series_periods

AFTER, CARRIED = "#after:", "#carried"
TOTAL = "total"


def add_stages(system, config: Config, present: dict[str, set], periods: list[str]) -> None:
    """The unpublished stage stocks of every ``follows`` pair, per shared breakdown value."""
    registry = config.registry
    for indicator in registry.indicators:
        first = indicator.links.get("follows")
        if not first or first not in present or indicator.id not in present:
            continue
        shared = [b for b in indicator.breakdowns if b in registry.get(first).breakdowns]
        values = {w[1:] for i in (first, indicator.id) for w in present[i]
                  if w[1] in (TOTAL, *shared)}  # fmt: skip
        series = series_periods(present, (first, indicator.id), periods)
        for where in sorted(values):
            _stage(system, indicator.id + AFTER + first, (first, indicator.id), where, series)


def _stage(system, stock: str, flows: tuple[str, str], where: tuple, periods: list[str]):
    levels, level = [], 0
    for now in periods:
        level += system.level((flows[0], now, *where)) - system.level((flows[1], now, *where))
        levels.append(level)
    start = max(0, -min(levels, default=0))
    for before, now, level in zip([None, *periods], periods, levels, strict=False):
        key = (stock, now, *where)
        system.quantities[key] = (start + level, 0, LATENT)
        if before is not None:
            terms = [(key, 1), ((flows[0], now, *where), -1), ((flows[1], now, *where), 1)]
            system.add_equation([*terms, ((stock, before, *where), -1)])


def add_carried(system, config: Config, present: dict[str, set], periods: list[str]) -> None:
    """over(t) - stock(t-1) + outflow(t) - slack = 0, slack >= 0, wherever the stock of the
    quarter before is a quantity (published, or unpublished by that breakdown)."""
    registry = config.registry
    for indicator in registry.indicators:
        stock = indicator.links.get("carried_over")
        if not stock or indicator.id not in present:
            continue
        outflow = registry.get(stock).links["outflow"]
        wheres = {w[1:] for w in present[indicator.id]} | {
            key[2:] for key in system.quantities if key[0] == stock
        }
        for where in sorted(w for w in wheres if w[0] in (TOTAL, *indicator.breakdowns)):
            for before, now in zip(periods, periods[1:], strict=False):
                previous = (stock, before, *where)
                if previous not in system.quantities:
                    continue  # a known 0 (or no such stock): nothing carried over
                keys = ((indicator.id, now, *where), previous, (outflow, now, *where))
                _carried(system, indicator.id + CARRIED, keys)


def _carried(system, name: str, keys: tuple[Key, Key, Key]) -> None:
    over, previous, outflow = keys
    slack = system.level(over) - system.level(previous) + system.level(outflow)
    if slack < 0:
        return  # an application exactly at its target after a whole quarter
    key = (name, *over[1:])
    system.quantities[key] = (slack, 0, LATENT)
    system.add_equation([(over, 1), (previous, -1), (outflow, 1), (key, -1)])
