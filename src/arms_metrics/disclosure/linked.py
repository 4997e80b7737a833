"""Protection across linked tables: rates as counts, and complements the linked audit asks for.

``protect.py`` protects each (indicator, quarter) table on its own. Here:

- a rate's numerator and complement are *tallies*, additive count tables of their own
  (``<id>#numerator``, ``<id>#complement``), protected with the same secondary rules; a
  hidden tally hides its rate, and a rate whose population count (``links.count``) is hidden
  is hidden too (numerator + complement would give the count away);
- the linked audit (``knowledge.build`` + ``links.pinned``) finds any hidden count still
  pinned by a stock-flow identity, a rate, an earlier release or additivity across tables;
  ``remedy`` hides the smallest published count that shares an identity with it.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable

import numpy as np
import polars as pl

from arms_metrics.cells import SORT_KEY
from arms_metrics.config import Config
from arms_metrics.disclosure.audit import Cell, recoverable
from arms_metrics.disclosure.knowledge import COMPLEMENT, LATENT, NUMERATOR, TOTAL, Knowledge
from arms_metrics.disclosure.links import Key, System
from arms_metrics.disclosure.rules import ROW, SECONDARY, groups


class Labels(list):
    """The suppression label of each cell row (None: published). Remembers the rows whose
    label changed (``take``) and tells ``on_change(row, hidden)`` when a row goes from
    published to hidden or back. ``implied``: the rows a table's own audit found given away
    by its locked figures whatever else is hidden (``protect._publish_implied``); hiding
    them protects nothing, so no remedy may pick them."""

    def __init__(self, values, on_change: Callable[[int, bool], None] | None = None):
        super().__init__(values)
        self.on_change = on_change
        self.changed: set[int] = set(range(len(self)))  # nothing looked at yet
        self.implied: set[int] = set()

    def __setitem__(self, row, label) -> None:  # type: ignore[override]
        old = self[row]
        if old == label:
            return
        super().__setitem__(row, label)
        self.changed.add(row)
        if self.on_change and (old is None) != (label is None):
            self.on_change(row, label is not None)

    def take(self) -> set[int]:
        """The rows changed since the last ``take`` (at first: every row)."""
        changed, self.changed = self.changed, set()
        return changed


class Chooser:
    """Which published cell to hide as a complement, seen across linked tables.

    Keeps, per identity of the public's knowledge, how many of its quantities are hidden.
    A candidate is ranked by: flows before stocks (a hidden stock needs complements in the
    quarters before and after it), then the identities it would leave with a single hidden
    quantity (opened) minus those it completes (closed): so complements line up across
    linked tables (a hidden inflow's partner is the same breakdown value's outflow) instead
    of starting new chains.
    """

    def __init__(self, public: Knowledge, labels: Labels, stocks: set[str]) -> None:
        public.system(set())  # builds the identities' index once
        self.public, self.stocks = public, stocks
        self.keys_of: dict[int, list[Key]] = defaultdict(list)
        for key, (_, _, row) in public.quantities.items():
            if key not in public.locked:
                self.keys_of[row].append(key)
        self.touching = public.cached.touching  # quantity -> the identities it is in
        self.count = np.zeros(len(public.equations), dtype=np.int64)
        self.labels = labels
        self.tries: Counter[Key] = Counter()  # remedies given to each pinned quantity
        self.hidden_changed(LATENT, True)  # quantities no cell publishes are always hidden
        for row, label in enumerate(labels):
            if label is not None:
                self.hidden_changed(row, True)
        labels.on_change = self.hidden_changed

    def hidden_changed(self, row: int, hidden: bool) -> None:
        for key in self.keys_of.get(row, ()):
            for number in self.touching.get(key, ()):
                self.count[number] += 1 if hidden else -1

    def rank(self, row: int) -> tuple[bool, int]:
        opened = closed = 0
        stock = False
        for key in self.keys_of.get(row, ()):
            stock |= key[0] in self.stocks
            for number in self.touching.get(key, ()):
                opened += self.count[number] == 0
                closed += self.count[number] == 1
        return stock, opened - closed

    def cell_rank(self, cell: Cell) -> tuple[bool, int]:
        return self.rank(cell.row)


def publish_given(frame: pl.DataFrame, given: set[tuple]) -> pl.DataFrame:
    """The cells whose keys are in ``given`` published and locked (``frame`` as
    ``rules.with_rules`` makes it, with ``suppression``): hiding them would hide nothing."""
    schema = dict.fromkeys(SORT_KEY, pl.String)
    implied = pl.DataFrame(list(given), schema=schema, orient="row").with_columns(_given=True)
    frame = frame.join(implied, on=SORT_KEY, how="left").sort(ROW)
    frame = frame.with_columns(_given=pl.col("_given").fill_null(False))
    return (
        frame.with_columns(
            locked=pl.col("locked") | pl.col("_given"),
            suppression=pl.when(pl.col("_given")).then(None).otherwise(pl.col("suppression")),
        )
        .with_columns(suppressed=pl.col("suppression").is_not_null())
        .drop("_given")
    )


def tally_frame(frame: pl.DataFrame, labels: list) -> pl.DataFrame:
    """The numerator and complement of every non-exempt rate as count-like rows (unit
    ``tally``: a hidden tally may be 0, so a zero tally is a complement too; ``n`` is the
    rate's population), keyed to the rate's row."""
    rates = frame.filter(
        (pl.col("unit") == "percent") & pl.col("numerator").is_not_null() & ~pl.col("exempt")
    )
    rates = rates.with_columns(
        suppression=pl.Series([labels[r] for r in rates["_row"]], dtype=pl.String)
    )
    parts = []
    for suffix, count in (
        (NUMERATOR, pl.col("numerator")),
        (COMPLEMENT, pl.col("n") - pl.col("numerator")),
    ):
        parts.append(
            rates.with_columns(
                indicator_id=pl.col("indicator_id") + suffix,
                unit=pl.lit("tally"),
                value=count.cast(pl.Decimal(38, 1)),
                n=pl.col("n"),  # the rate's population: a zero tally may be a complement
                additive=pl.lit(True),
                suppressed=pl.col("suppression").is_not_null(),
                locked=pl.col("locked"),  # a rate published before stays published
            )
        )
    return pl.concat(parts) if parts else rates


def statistic_count_rows(frame: pl.DataFrame, config: Config) -> list[tuple[int, int]]:
    """(statistic row, row of its population count) for every rate, median, p90 or dollar
    sum with ``links.count``: a published rate pins numerator + complement = that count,
    and a published statistic or sum says its count is at least the rule's number of
    records (5, or 3 for a sum: a hidden count of 3 beside a published sum is pinned); and
    (statistic row, row of the share it ``reveals``): a published median or p90 bounds the
    share's numerator (``outcomes``), so it goes where the share goes."""
    statistic = ("percent", "days", "usd")
    partners = [
        (i.id, target)
        for i in config.registry.indicators
        if i.unit in statistic
        for target in (i.links.get("count"), i.links.get("reveals"))
        if target
    ]
    rows = {tuple(row[1:]): row[0] for row in frame.select("_row", *SORT_KEY).iter_rows()}
    statistics = frame.filter(~pl.col("locked"))  # a statistic published before stays so
    pairs = []
    for indicator_id, target in partners:
        cells = statistics.filter(pl.col("indicator_id") == indicator_id)
        for row, _, *where in cells.select("_row", *SORT_KEY).iter_rows():
            partner = rows.get((target, *where))
            if partner is not None:
                pairs.append((row, partner))
    return sorted(pairs)


def hide_statistics_of_hidden_counts(pairs: list[tuple[int, int]], labels: list) -> bool:
    """Hide a published statistic whose population count is hidden: a rate would give the
    count away, and a median hidden only when it rests on fewer than 5 records would tell
    the public that its hidden count is below 5 (and a published one, that it is not).
    True if a label changed."""
    changed = False
    for statistic, count in pairs:
        if labels[statistic] is None and labels[count] is not None:
            labels[statistic], changed = SECONDARY, True
    return changed


def hidden_totals(frame: pl.DataFrame, labels: list, pairs: list[tuple[int, int]]) -> list[int]:
    """The rows of totals hidden only as complements (not dollars, whose rules the linked
    audit does not model, nor a statistic of a hidden count): candidates for ``republish``."""
    of_hidden_count = {statistic for statistic, count in pairs if labels[count] is not None}
    totals = frame.filter((pl.col("breakdown") == TOTAL) & (pl.col("unit") != "usd"))[ROW]
    return [r for r in totals.to_list() if labels[r] == SECONDARY and r not in of_hidden_count]


def dollar_totals(frame: pl.DataFrame, labels: list, pairs: list[tuple[int, int]]) -> list[int]:
    """The rows of dollar totals hidden only as complements (not beside a hidden count) whose
    own table would still protect every hidden cell with the total published: candidates
    for ``republish`` too (a remedy can hide a total that later complements make
    redundant; the linked audit does not model dollars, so their tables decide)."""
    of_hidden_count = {statistic for statistic, count in pairs if labels[count] is not None}
    totals = frame.filter((pl.col("breakdown") == TOTAL) & (pl.col("unit") == "usd"))
    out = []
    for row, indicator_id, period in totals.select(ROW, "indicator_id", "period").iter_rows():
        if labels[row] != SECONDARY or row in of_hidden_count:
            continue
        table = frame.filter(
            (pl.col("indicator_id") == indicator_id) & (pl.col("period") == period)
        )
        shown = [labels[r] if r != row else None for r in table[ROW]]
        table = table.with_columns(suppression=pl.Series(shown, dtype=pl.String))
        table = table.with_columns(suppressed=pl.col("suppression").is_not_null())
        if not any(recoverable(group) for group in groups(table)):
            out.append(row)
    return out


def republish(rows: list[int], labels: Labels, safe: Callable[[], bool]) -> None:
    """Publish again the complements ``rows`` that no longer protect anything: a greedy
    choice made early can be redundant once later complements are in place (a total hidden
    for a breakdown cell that a later round hid anyway). Tries all rows at once, then
    halves (bisection), keeping each group published when ``safe()`` still holds."""
    if not rows:
        return
    for row in rows:
        labels[row] = None
    if safe():
        return
    for row in rows:
        labels[row] = SECONDARY
    if len(rows) > 1:
        half = len(rows) // 2
        republish(rows[:half], labels, safe)
        republish(rows[half:], labels, safe)


PATIENCE = 15  # remedies a pinned quantity gets from its breakdown neighbours first
BINDING = 5  # remedies beside it before a leak takes a complement where it is bound


def remedy(system: System, leaks: list[Key], rows: dict[Key, int], chooser: Chooser,
           hideable: set[int], late: frozenset[str] = frozenset(),
           need: dict[Key, int] | None = None,
           binding: Callable[[Key, bool], set[Key]] | None = None) -> list[Key]:  # fmt: skip
    """For each pinned quantity, hide the best published breakdown count sharing an identity
    with it (``Chooser.rank``, then the smallest; a tally hides its rate), else one an
    identity further, else a total or a cell of a ``late`` breakdown (an agency, which its
    forms and control categories add up to) sharing an identity with it. A quantity still
    pinned after ``PATIENCE`` remedies is pinned by identities its breakdown neighbours are
    not in (an outcome identity of national totals): it takes the totals and ``late`` cells
    beside it first. A small count shown small (``need``: its upper protection level) takes
    a count of at least that many first, which gives it the room to reach it, and still
    leaking after ``BINDING`` remedies, a breakdown cell among the published quantities
    ``binding`` names (those of the identities that stop it near it; after ``PATIENCE``,
    wherever they are). A leak with nothing else left takes any of them (wherever).
    Returns the quantities no count is left for."""
    touching = system.index().touching
    labels = chooser.labels

    def candidates(keys: set[Key], last: set[str], totals: bool = False) -> list[tuple]:
        return sorted(
            (system.known[key] < least, chooser.rank(_row(key, rows)), system.known[key], key)
            for key in keys
            if (totals or key[2] not in last)
            and key in system.known
            and (system.known[key] > 0 or key[0].endswith((NUMERATOR, COMPLEMENT)))
            and key not in system.locked
            and _row(key, rows) in hideable
            and labels[_row(key, rows)] is None
        )

    stuck = []
    for leak in leaks:
        least = (need or {}).get(leak, 0)
        near = _neighbours(system, touching, {leak})
        # none left beside it: one identity further, through its hidden neighbours; a total
        # (the figure readers look for) only as the last resort, and a parent (an agency)
        # only after its children unless the pinned quantity is itself a parent's (a pinned
        # total never makes totals early: totals would complement totals down a chain)
        last = {TOTAL, *(late - {leak[2]})}
        chooser.tries[leak] += 1
        late_first = chooser.tries[leak] > PATIENCE
        tries = chooser.tries[leak]
        bound = binding(leak, tries > PATIENCE) if binding and least and tries > BINDING else set()
        found = (
            candidates(bound, last)
            or (late_first and [c for c in candidates(near, last, True) if c[-1][2] in last])
            or candidates(near, last)
            or candidates(
                _neighbours(system, touching, {k for k in near if k in system.hidden}), last
            )  # fmt: skip
            or candidates(near, last, totals=True)
            or candidates(bound or _bound(binding, leak), last, totals=True)
        )
        if found:
            labels[_row(found[0][-1], rows)] = SECONDARY
        else:
            stuck.append(leak)
    return stuck


def _bound(binding: Callable[[Key, bool], set[Key]] | None, leak: Key) -> set[Key]:
    """The published quantities ``binding`` names for ``leak``: near it first, else
    wherever they are (one LP over its whole connected set, far slower)."""
    if binding is None:
        return set()
    return binding(leak, False) or binding(leak, True)


def _neighbours(system: System, touching: dict, keys: set[Key]) -> set[Key]:
    """The quantities sharing an identity with any of ``keys``."""
    return {
        other
        for key in keys
        for number in touching.get(key, [])
        for other, _ in system.equations[number]
    }


def _row(key: Key, rows: dict[Key, int]) -> int:
    return rows.get(key, -1)
