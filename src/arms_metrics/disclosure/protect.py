"""Disclosure control: publish aggregates that never reveal a single case or license.

docs/disclosure.md explains the rules in plain words. ``protect`` applies primary
suppression (too few records, or one record dominating a dollar cell; ``rules.py``) and
secondary suppression (complementary cells, so a hidden cell cannot be worked out by
subtraction); ``check.audit`` proves the result, independently of how it was made.
"""

from __future__ import annotations

import functools

import polars as pl

from arms_metrics.cells import CELL_SCHEMA, SORT_KEY
from arms_metrics.config import Config
from arms_metrics.disclosure import check, knowledge, linked, links, nesting
from arms_metrics.disclosure.audit import PURCHASER, TOTAL, Cell, Group, recoverable
from arms_metrics.disclosure.check import Earlier
from arms_metrics.disclosure.rules import (
    GROUP_KEY,
    PRIMARY,
    ROW,
    SECONDARY,
    groups,
    initial,
)
from arms_metrics.errors import CheckFailed

__all__ = ["protect", "publishable_n"]


# ----------------------------------------------------------------- secondary suppression


def _hide(cell: Cell) -> None:
    cell.suppressed, cell.label = True, SECONDARY


def _available(cell: Cell) -> bool:
    """A published cell that may become a complement (zero cells stay published)."""
    return not cell.suppressed and cell.n != 0 and not cell.locked


def _smallest(cells: list[Cell], group: Group) -> Cell:
    """The next cell to hide: the group's ``rank`` first (across linked tables: the cell
    that closes a pattern rather than opens one), then smallest value, then fewest records,
    then key (deterministic)."""
    rank = group.rank or (lambda _: ())
    return min(cells, key=lambda c: (*rank(c), c.value is None, c.value or 0, c.n or 0, c.key))


def _single_pair(hidden: list[Cell], unit: str) -> bool:
    """Two hidden dollar cells, one a single record: its owner subtracts and learns the other."""
    if unit != "usd" or len(hidden) != 2:
        return False
    first, second = hidden
    return (first.n == 1 and second.label in PRIMARY) or (second.n == 1 and first.label in PRIMARY)


def _complete(cells: list[Cell], whole: Cell, group: Group) -> bool:
    """A hidden cell is never alone in a table whose sum is published: hide one more."""
    hidden = [cell for cell in cells if cell.suppressed]
    if len(hidden) != 1 and not _single_pair(hidden, group.unit):
        return False
    shown = [cell for cell in cells if _available(cell)]
    if shown:
        _hide(_smallest(shown, group))
    elif not whole.suppressed and not whole.locked:
        _hide(whole)  # the table is one cell: only hiding its sum protects it
    else:
        return False
    return True


def _nested(group: Group) -> bool:
    """Every purchaser sits in a published-or-hidden region cell (the purchaser table is then
    implied by the region table and the regions' purchasers, so it needs no rule of its own)."""
    return group.hierarchy and all(c.parent in group.regions for c in group.tables[PURCHASER])


def _nests_pass(group: Group) -> bool:
    """Rule 2 for every nest (an agency and its control categories or forms): a published
    parent never has one hidden child alone, a hidden parent has a hidden child."""
    for parent, kids in group.nested:
        if parent is None:
            continue
        if not parent.suppressed and _complete(kids, parent, group):
            return True
        if parent.suppressed and not any(kid.suppressed for kid in kids):
            shown = [kid for kid in kids if _available(kid)]
            if shown:
                _hide(_smallest(shown, group))
                return True
    return False


def _rules_pass(group: Group) -> bool:
    """Apply the first secondary rule that is broken; True if a cell was hidden."""
    if _nests_pass(group):
        return True
    for region in sorted(group.members):
        cell, members = group.regions.get(region), group.members[region]
        if cell is None:
            continue
        if not cell.suppressed and _complete(members, cell, group):
            return True
        if cell.suppressed and not any(member.suppressed for member in members):
            # else the region is the sum of its published purchasers
            members = [m for m in members if _available(m)] or [m for m in members if not m.locked]
            if not members:
                return False
            _hide(_smallest(members, group))
            return True
    if group.total.suppressed:
        return False
    for breakdown, cells in sorted(group.tables.items()):
        if breakdown == PURCHASER and _nested(group):
            continue
        if _complete(cells, group.total, group):
            return True
    return False


def _pools(group: Group, cell: Cell) -> list[list[Cell]]:
    """Where to look for a complement of ``cell``, nearest first."""
    if cell.breakdown == TOTAL:
        tables = [cells for _, cells in sorted(group.tables.items())]
        return [t for t in tables if not any(c.suppressed for c in t)] + tables
    pools = []
    nest = group.nest_of(cell)
    if nest is not None:  # its siblings first, then its table, then its parent's
        parent, kids = nest
        above = [[parent], group.tables[parent.breakdown]] if parent is not None else []
        return [kids, group.tables[cell.breakdown], *above, [group.total]]
    pools += [kids for parent, kids in group.nested if parent is cell]
    if group.hierarchy and cell.breakdown == PURCHASER and cell.parent in group.regions:
        pools.append(group.members[cell.parent])
    if group.hierarchy and cell.breakdown == "region":
        pools.append(group.members.get(cell.key, []))
    pools.append(group.tables[cell.breakdown])
    if group.hierarchy and cell.breakdown == PURCHASER and cell.parent in group.regions:
        pools += [[group.regions[cell.parent]], group.tables["region"]]
    return [*pools, [group.total]]


def _remedy(group: Group, cell: Cell) -> bool:
    """Hide the nearest published cell that shares an equation with recoverable ``cell``."""
    for pool in _pools(group, cell):
        shown = [other for other in pool if _available(other) and other is not cell]
        if shown:
            _hide(_smallest(shown, group))
            return True
    return False


def _protect_group(group: Group) -> None:
    """Rules to a fixpoint, then audit-driven complements until nothing is recoverable.

    Bounded: each round hides at least one cell. If no complement is left, every cell of
    the (indicator, period) is hidden, which no subtraction can undo.
    """
    for _ in range(len(group.cells()) + 1):
        while _rules_pass(group):
            pass
        exposed = recoverable(group)
        if not exposed:
            return
        if not _remedy(group, exposed[0]):
            break
    for cell in group.cells():
        if not cell.suppressed and not cell.locked:
            _hide(cell)
    _publish_implied(group)


def _publish_implied(group: Group) -> None:
    """Under a locked (public-record) total, a hidden cell that stays recoverable whatever
    else is hidden is given away by the public figures: publish it (``implied``)."""
    if not group.total.locked:
        return
    for _ in range(len(group.cells())):
        exposed = recoverable(group)
        if not exposed:
            return
        for cell in exposed:
            cell.suppressed, cell.label, cell.locked = False, None, True


MAX_ROUNDS = 200


def _only(frame: pl.DataFrame, dirty: set[tuple[str, str]] | None) -> pl.DataFrame:
    """The rows of the (indicator, period) groups in ``dirty`` (None: every row)."""
    if dirty is None:
        return frame
    wanted = pl.DataFrame(list(dirty), schema=GROUP_KEY, orient="row")
    return frame.join(wanted, on=GROUP_KEY, how="semi")


def _secondary(frame: pl.DataFrame, labels: linked.Labels, dirty: set | None, rank) -> None:
    """Per-table secondary suppression in place, on the groups in ``dirty`` (None: all):
    the rules, then complements the table's own audit asks for; with ``rank`` (protection
    across linked tables) counts get the rules only, the linked audit checks the rest."""
    current = _only(frame, dirty)
    current = current.with_columns(
        suppression=pl.Series([labels[r] for r in current[ROW]], dtype=pl.String)
    )
    current = current.with_columns(suppressed=pl.col("suppression").is_not_null())
    for group in groups(current):
        group.rank = rank
        if (dirty is None and rank is None) or group.unit == "usd":
            _protect_group(group)
        else:  # counts: the linked audit checks what the rules leave, across tables too
            while _rules_pass(group):
                pass
        for cell in group.cells():
            labels[cell.row] = cell.label if cell.suppressed else None
        labels.implied.update(c.row for c in group.cells() if c.locked and not c.suppressed)


def _tallies(frame: pl.DataFrame, labels: list, dirty: set | None, rank) -> bool:
    """Secondary suppression of rates' numerator and complement tables; True if a rate was
    hidden because one of its tallies was."""
    tallies = linked.tally_frame(_only(frame, dirty), labels)
    changed = False
    for group in groups(tallies):
        group.rank = rank
        while _rules_pass(group):  # the linked audit checks what the rules leave
            pass
        for cell in group.cells():
            if cell.suppressed and labels[cell.row] is None:
                labels[cell.row], changed = SECONDARY, True
    return changed


def protect(
    cells: pl.DataFrame,
    config: Config,
    earlier: Earlier | None = None,
    linked_tables: bool = False,
    complete: bool = False,
    given: set[tuple] | None = None,
) -> pl.DataFrame:
    """Primary and secondary suppression over the whole release; CELL_SCHEMA, same rows.

    Per-table secondary suppression and rates' numerator and complement tables to a fixed
    point; with ``linked_tables``, rounds of that and of the linked audit's remedies until
    its closed-form pass (and, with ``complete``, its LP pass) pins nothing, complements
    chosen across linked tables (``linked.Chooser``); the count cells the public-record
    cells give away whatever is hidden (``given``, else ``check.linked_implied``) are
    published.
    ``earlier`` maps a cell key to the (value, n) pairs earlier releases published for it.
    A suppressed cell gets ``value`` and ``n`` null, ``suppressed`` True and ``suppression``
    threshold, dominance or secondary; ``n`` of other cells follows ``publishable_n``.
    """
    frame = initial(cells, config, earlier)
    if linked_tables:  # counts the public-record cells give away whatever is hidden
        given = check.linked_implied(cells, config) if given is None else given
        frame = linked.publish_given(frame, given)
    aliases = nesting.alias_rows(frame, config)
    frame = frame.with_columns(locked=pl.col("locked") | pl.col(ROW).is_in([a for a, _ in aliases]))
    pairs = linked.statistic_count_rows(frame, config) + aliases  # (follower, leader) rows
    if not linked_tables:
        labels = linked.Labels(frame["suppression"].to_list())
        _within_tables(frame, labels, pairs)
        return _finish(frame, labels, config)
    return _finish(frame, _linked(frame, config, earlier, complete, given, pairs), config)


def _linked(frame: pl.DataFrame, config: Config, earlier: Earlier | None, complete: bool,
            given: set[tuple], pairs: list[tuple[int, int]]) -> list:  # fmt: skip
    """The labels after rounds of per-table rules and linked remedies (see ``protect``);
    ``pairs``: a statistic, sum or sole child and the cell it goes with."""
    public = knowledge.knowledge(frame, config, earlier)
    stocks = {i.id for i in config.registry.indicators if i.links.get("inflow")}
    chooser = linked.Chooser(public, linked.Labels(frame["suppression"].to_list()), stocks)
    labels = chooser.labels
    rows = {key: row for key, (_, _, row) in public.quantities.items()}
    hideable = set(frame.filter(~pl.col("exempt") & ~pl.col("locked"))[ROW].to_list())
    parents = frozenset(parent for parent, _ in config.registry.nesting.values())

    def pinned() -> tuple:
        """(the public's system, the leaks in it): closed form first, the LP if asked."""
        system = public.system({row for row, label in enumerate(labels) if label})
        quick = knowledge.leaks(system, config, given, solve=False)
        if quick or not complete:
            return system, quick
        return system, knowledge.leaks(system, config, given, thorough=False)

    for done in range(MAX_ROUNDS + 1):  # a remedy hides at least one cell per round
        _within_tables(frame, labels, pairs, chooser.cell_rank)
        system, leaks = pinned()
        if not leaks:
            break
        if done == MAX_ROUNDS:  # never publish what the audit would fail
            raise CheckFailed(
                f"disclosure: {len(leaks)} counts still pinned after "
                f"{MAX_ROUNDS} protection rounds, e.g. {_name(leaks[0])}"
            )
        need = knowledge.needs(leaks, system, config)
        stuck = linked.remedy(system, leaks, rows, chooser, hideable - labels.implied, parents,
                              need, functools.partial(links.binding, system))  # fmt: skip
        if len(stuck) == len(leaks):
            raise CheckFailed(f"disclosure: no complement can protect {_name(stuck[0])}")
    totals = linked.hidden_totals(frame, labels, pairs) + linked.dollar_totals(frame, labels, pairs)
    linked.republish(totals, labels, lambda: not pinned()[1])
    return list(labels)


def _name(key: tuple) -> str:
    return " ".join(str(part) for part in key)


def _within_tables(frame: pl.DataFrame, labels: linked.Labels, pairs: list, rank=None) -> None:
    """Per-table secondary suppression, rates' numerator and complement tables and rates of
    hidden counts, to a fixed point; only groups with a label changed since the last pass
    (``Labels.take``) are redone. The first pass audits every table on its own; later
    passes apply the rules and leave the rest to the linked audit."""
    owners = list(zip(frame["indicator_id"].to_list(), frame["period"].to_list(), strict=True))
    fresh = len(labels.changed) == len(labels)
    for _ in range(MAX_ROUNDS):
        dirty = {owners[r] for r in labels.take()}
        if not dirty:
            return
        _secondary(frame, labels, None if fresh else dirty, rank)
        _tallies(frame, labels, dirty, rank)
        linked.hide_statistics_of_hidden_counts(pairs, labels)
        fresh = False


def publishable_n(frame: pl.DataFrame, config: Config) -> pl.Series:
    """``n`` stays on a published cell unless it gives a hidden count away: where the
    indicator counting the cell's population (``links.count``) is hidden (or not published)
    for the same key, ``n`` is left empty. Elsewhere ``n`` is itself a count the linked audit
    protects (``knowledge``)."""
    links = {i.id: i.links.get("count") for i in config.registry.indicators}
    published = set(frame.filter(~pl.col("suppressed")).select(SORT_KEY).iter_rows())
    keep = [
        not links.get(indicator_id) or (links[indicator_id], period, breakdown, value) in published
        for indicator_id, period, breakdown, value in frame.select(SORT_KEY).iter_rows()
    ]
    return pl.Series(keep, dtype=pl.Boolean)


def _finish(frame: pl.DataFrame, labels: list, config: Config) -> pl.DataFrame:
    hidden = pl.col("suppressed")
    out = frame.with_columns(suppression=pl.Series(labels, dtype=pl.String))
    out = out.with_columns(suppressed=pl.col("suppression").is_not_null())
    keep_n = publishable_n(out, config)
    out = out.with_columns(
        value=pl.when(hidden).then(None).otherwise(pl.col("value")),
        n=pl.when(hidden | ~keep_n).then(None).otherwise(pl.col("n")),
    )
    return out.select([pl.col(name).cast(dtype) for name, dtype in CELL_SCHEMA.items()])
