"""Disclosure control: publish aggregates that never reveal a single case or licence.

docs/disclosure.md is the contract and docs/disclosure.md explains the rules in plain
words. ``protect`` applies primary suppression (too few records, or one record dominating
a dollar cell) and secondary suppression (complementary cells, so a hidden cell cannot be
worked out by subtraction); ``audit`` proves the result, independently of how it was made.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from itertools import groupby

import polars as pl

from arms_metrics.cells import CELL_SCHEMA
from arms_metrics.config import Config
from arms_metrics.disclosure import knowledge, linked, links
from arms_metrics.disclosure.audit import (
    PURCHASER,
    TOTAL,
    Cell,
    Group,
    intervals,
    make_group,
    nothing_published,
    recoverable,
)
from arms_metrics.errors import CheckFailed

THRESHOLD, DOMINANCE, SECONDARY = "threshold", "dominance", "secondary"
PRIMARY = (THRESHOLD, DOMINANCE)
ROW = "_row"
GROUP_KEY = ["indicator_id", "period"]
KEY4 = ["indicator_id", "period", "breakdown", "breakdown_value"]

__all__ = ["audit", "protect", "THRESHOLD", "DOMINANCE", "SECONDARY"]


def _rules_frame(cells: pl.DataFrame, config: Config) -> pl.DataFrame:
    """One row per indicator in ``cells``: its family's thresholds and whether it is additive."""
    rows = []
    for indicator_id in sorted(cells["indicator_id"].unique().to_list()):
        try:
            indicator = config.registry.get(indicator_id)
        except KeyError as exc:
            raise CheckFailed(f"disclosure: indicator {indicator_id} is not registered") from exc
        rules = config.rules_for(indicator.family)
        # The share as an exact fraction, so "one record above 85 %" is decided in integers.
        num, den = Decimal(str(rules.dominance_share)).as_integer_ratio()
        rows.append((indicator_id, indicator.additive, rules.exempt, rules.min_n_count,
                     rules.min_n_statistic, num, den, rules.policy))  # fmt: skip
    schema = {"indicator_id": pl.String, "additive": pl.Boolean, "exempt": pl.Boolean,
              "min_n_count": pl.Int64, "min_n_statistic": pl.Int64, "dom_num": pl.Int64,
              "dom_den": pl.Int64, "policy": pl.String}  # fmt: skip
    return pl.DataFrame(rows, schema=schema, orient="row")


def _with_rules(cells: pl.DataFrame, config: Config) -> pl.DataFrame:
    frame = cells.select([pl.col(name).cast(dtype) for name, dtype in CELL_SCHEMA.items()])
    frame = frame.with_row_index(ROW).with_columns(pl.col("suppressed").fill_null(False))
    frame = frame.join(_rules_frame(frame, config), on="indicator_id", how="left").sort(ROW)
    return frame.with_columns(locked=_locked())


def _small(count: pl.Expr) -> pl.Expr:
    """1 <= count < min_n_count: a count that would point at one or two records."""
    return (count >= 1) & (count < pl.col("min_n_count"))


def _primary() -> pl.Expr:
    """The primary rule a cell breaks (``threshold`` before ``dominance``), else null.

    A rate is a count cell twice over: its numerator and its complement (n - numerator)
    each obey the count rule. Under the ``public_record`` policy count and usd totals are
    locked as published and the rules apply to breakdown cells only; a breakdown cell the
    public total gives away anyway is published too (``_publish_implied``).
    """
    n, unit = pl.col("n"), pl.col("unit")
    minimum = (
        pl.when(unit.is_in(["count", "usd"]))
        .then(pl.col("min_n_count"))
        .otherwise(pl.col("min_n_statistic"))
    )
    dominant = (unit == "usd") & (
        pl.col("max_record_value") * pl.col("dom_den") > pl.col("value") * pl.col("dom_num")
    )
    numerator = pl.col("numerator")
    public_total = (pl.col("policy") == "public_record") & (pl.col("breakdown") == TOTAL)
    rate = (
        (unit == "percent") & numerator.is_not_null() & (_small(numerator) | _small(n - numerator))
    )
    return (
        pl.when(pl.col("exempt") | public_total)
        .then(pl.lit(None, pl.String))
        .when(((n >= 1) & (n < minimum)) | rate.fill_null(False))
        .then(pl.lit(THRESHOLD))
        .when(dominant)
        .then(pl.lit(DOMINANCE))
        .otherwise(pl.lit(None, pl.String))
    )


def _groups(frame: pl.DataFrame) -> Iterator[Group]:
    """Groups of the additive, non-exempt (indicator, period)s that have a suppressed cell."""
    busy = pl.col("suppressed").any().over(GROUP_KEY)
    wanted = frame.filter(pl.col("additive") & ~pl.col("exempt") & busy)
    columns = [ROW, *GROUP_KEY, "unit", "breakdown", "breakdown_value", "value", "n", "parent",
               "suppressed", "suppression", "locked"]  # fmt: skip
    rows = wanted.select(columns).sort([*GROUP_KEY, "breakdown", "breakdown_value"]).iter_rows()
    for (indicator_id, period), members in groupby(rows, key=lambda row: (row[1], row[2])):
        members = list(members)
        cells = [Cell(r[0], r[4], r[5], r[6], r[7], r[8], r[9], r[10], r[11]) for r in members]
        yield make_group(indicator_id, period, members[0][3], cells)


# ----------------------------------------------------------------- secondary suppression


def _hide(cell: Cell) -> None:
    cell.suppressed, cell.label = True, SECONDARY


def _available(cell: Cell) -> bool:
    """A published cell that may become a complement (zero cells stay published)."""
    return not cell.suppressed and cell.n != 0 and not cell.locked


def _smallest(cells: list[Cell]) -> Cell:
    """The next cell to hide: smallest value, then fewest records, then key (deterministic)."""
    return min(cells, key=lambda c: (c.value is None, c.value or 0, c.n or 0, c.key))


def _single_pair(hidden: list[Cell], unit: str) -> bool:
    """Two hidden dollar cells, one a single record: its owner subtracts and learns the other."""
    if unit != "usd" or len(hidden) != 2:
        return False
    first, second = hidden
    return (first.n == 1 and second.label in PRIMARY) or (second.n == 1 and first.label in PRIMARY)


def _complete(cells: list[Cell], whole: Cell, unit: str) -> bool:
    """A hidden cell is never alone in a table whose sum is published: hide one more."""
    hidden = [cell for cell in cells if cell.suppressed]
    if len(hidden) != 1 and not _single_pair(hidden, unit):
        return False
    shown = [cell for cell in cells if _available(cell)]
    if shown:
        _hide(_smallest(shown))
    elif not whole.suppressed and not whole.locked:
        _hide(whole)  # the table is one cell: only hiding its sum protects it
    else:
        return False
    return True


def _nested(group: Group) -> bool:
    """Every purchaser sits in a published-or-hidden region cell (the purchaser table is then
    implied by the region table and the regions' purchasers, so it needs no rule of its own)."""
    return group.hierarchy and all(c.parent in group.regions for c in group.tables[PURCHASER])


def _rules_pass(group: Group) -> bool:
    """Apply the first secondary rule that is broken; True if a cell was hidden."""
    for region in sorted(group.members):
        cell, members = group.regions.get(region), group.members[region]
        if cell is None:
            continue
        if not cell.suppressed and _complete(members, cell, group.unit):
            return True
        if cell.suppressed and not any(member.suppressed for member in members):
            # else the region is the sum of its published purchasers
            members = [m for m in members if _available(m)] or [m for m in members if not m.locked]
            if not members:
                return False
            _hide(_smallest(members))
            return True
    if group.total.suppressed:
        return False
    for breakdown, cells in sorted(group.tables.items()):
        if breakdown == PURCHASER and _nested(group):
            continue
        if _complete(cells, group.total, group.unit):
            return True
    return False


def _pools(group: Group, cell: Cell) -> list[list[Cell]]:
    """Where to look for a complement of ``cell``, nearest first."""
    if cell.breakdown == TOTAL:
        tables = [cells for _, cells in sorted(group.tables.items())]
        return [t for t in tables if not any(c.suppressed for c in t)] + tables
    pools = []
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
            _hide(_smallest(shown))
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


def implied(cells: pl.DataFrame, config: Config) -> set[int]:
    """Rows of published cells that break a primary rule but that the public figures give
    away anyway: hidden alone, each would be recoverable under its locked total."""
    frame = _with_rules(cells, config)
    broken = frame.with_columns(_rule=_primary()).filter(
        ~pl.col("suppressed") & pl.col("_rule").is_not_null() & pl.col("additive")
    )
    found = set()
    for row, indicator_id, period in broken.select(ROW, *GROUP_KEY).iter_rows():
        alone = frame.filter(
            (pl.col("indicator_id") == indicator_id) & (pl.col("period") == period)
        ).with_columns(suppressed=pl.col("suppressed") | (pl.col(ROW) == row))
        for group in _groups(alone):
            if group.total.locked and any(c.row == row for c in recoverable(group)):
                found.add(row)
    return found


MAX_ROUNDS = 200
Earlier = dict[tuple[str, str, str, str], set[tuple]]


def _only(frame: pl.DataFrame, dirty: set[tuple[str, str]] | None) -> pl.DataFrame:
    """The rows of the (indicator, period) groups in ``dirty`` (None: every row)."""
    if dirty is None:
        return frame
    wanted = pl.DataFrame(list(dirty), schema=GROUP_KEY, orient="row")
    return frame.join(wanted, on=GROUP_KEY, how="semi")


def _secondary(frame: pl.DataFrame, labels: list, dirty: set | None = None) -> None:
    """Per-table secondary suppression (rules, then audit-driven complements) in place, on
    the groups in ``dirty`` (None: all)."""
    current = _only(frame, dirty)
    current = current.with_columns(
        suppression=pl.Series([labels[r] for r in current[ROW]], dtype=pl.String)
    )
    current = current.with_columns(suppressed=pl.col("suppression").is_not_null())
    for group in _groups(current):
        if dirty is None or group.unit == "usd":
            _protect_group(group)
        else:  # counts: the linked audit checks what the rules leave, across tables too
            while _rules_pass(group):
                pass
        for cell in group.cells():
            labels[cell.row] = cell.label if cell.suppressed else None


def _tallies(frame: pl.DataFrame, labels: list, dirty: set | None = None) -> bool:
    """Secondary suppression of rates' numerator and complement tables; True if a rate was
    hidden because one of its tallies was."""
    tallies = linked.tally_frame(_only(frame, dirty), labels)
    changed = False
    for group in _groups(tallies):
        while _rules_pass(group):  # the linked audit checks what the rules leave
            pass
        for cell in group.cells():
            if cell.suppressed and labels[cell.row] is None:
                labels[cell.row], changed = SECONDARY, True
    return changed


def _locked() -> pl.Expr:
    """Cells that must stay published: public-record count and usd totals (and, see
    _initial, cells an earlier release already published with the same value)."""
    return (
        (pl.col("policy") == "public_record")
        & (pl.col("breakdown") == TOTAL)
        & pl.col("unit").is_in(["count", "usd"])
    )


def _initial(cells: pl.DataFrame, config: Config, earlier: Earlier | None) -> pl.DataFrame:
    frame = _with_rules(cells, config)
    already = pl.coalesce(pl.col("suppression"), pl.lit(SECONDARY))
    label = pl.when(pl.col("suppressed")).then(already).otherwise(_primary())
    frame = frame.with_columns(suppression=label)
    if earlier:
        before = [
            _plain(row[4]) in {v for v, _ in earlier.get(tuple(row[:4]), ())}
            for row in frame.select(*KEY4, "value").iter_rows()
        ]
        published_before = pl.Series(before, dtype=pl.Boolean) & pl.col("suppression").is_null()
        frame = frame.with_columns(locked=pl.col("locked") | published_before)
    return frame.with_columns(suppressed=pl.col("suppression").is_not_null())


def _plain(value: Decimal | None) -> Decimal | None:
    return None if value is None else Decimal(value).normalize()


def protect(
    cells: pl.DataFrame,
    config: Config,
    earlier: Earlier | None = None,
    linked_tables: bool = False,
    complete: bool = False,
) -> pl.DataFrame:
    """Primary and secondary suppression over the whole release; CELL_SCHEMA, same rows.

    Per-table secondary suppression and rates' numerator and complement tables to a fixed
    point; with ``linked_tables``, rounds of that and of the linked audit's remedies until
    its closed-form pass (and, with ``complete``, its LP pass) pins nothing. Releases do not
    use ``linked_tables`` yet (its local remedies cascade along stock-flow chains).
    ``earlier`` maps a cell key to the (value, n) pairs earlier releases published for it.
    A suppressed cell gets ``value`` and ``n`` null, ``suppressed`` True and ``suppression``
    threshold, dominance or secondary; ``n`` of other cells follows ``publishable_n``.
    """
    frame = _initial(cells, config, earlier)
    labels = frame["suppression"].to_list()
    public = knowledge.knowledge(frame, config, earlier) if linked_tables else None
    rows = {key: row for key, (_, _, row) in public.quantities.items()} if public else {}
    hideable = set(frame.filter(~pl.col("exempt") & ~pl.col("locked"))[ROW].to_list())
    seen: list = [FRESH] * len(labels)  # nothing done yet: every group is dirty
    pairs = linked.rate_count_rows(frame, config)
    for _ in range(MAX_ROUNDS):
        _within_tables(frame, labels, pairs, seen)
        if not linked_tables:
            break
        system = public.system({row for row, label in enumerate(labels) if label})
        leaks = links.pinned(system, solve=False) or (complete and links.pinned(system))
        if not leaks or not linked.remedy(system, leaks, rows, labels, hideable):
            break
    return _finish(frame, labels, config)


FRESH = object()  # the label of a cell no round has looked at yet


def _within_tables(frame: pl.DataFrame, labels: list, pairs: list, seen: list) -> None:
    """Per-table secondary suppression, rates' numerator and complement tables and rates of
    hidden counts, to a fixed point; only groups whose labels changed since ``seen`` (the
    labels when last done, updated here) are redone. The first pass audits every table on
    its own; later passes apply the rules and leave the rest to the linked audit."""
    groups = list(zip(frame["indicator_id"].to_list(), frame["period"].to_list(), strict=True))
    for _ in range(MAX_ROUNDS):
        fresh = bool(seen) and seen[0] is FRESH
        dirty = {groups[r] for r, (a, b) in enumerate(zip(labels, seen, strict=True)) if a != b}
        seen[:] = labels
        if not dirty:
            return
        _secondary(frame, labels, None if fresh else dirty)
        _tallies(frame, labels, dirty)
        linked.hide_rates_of_hidden_counts(pairs, labels)


def publishable_n(frame: pl.DataFrame, config: Config) -> pl.Series:
    """``n`` stays on a published cell unless it gives a hidden count away: where the
    indicator counting the cell's population (``links.count``) is hidden (or not published)
    for the same key, ``n`` is left empty. Elsewhere ``n`` is itself a count the linked audit
    protects (``knowledge``)."""
    links = {i.id: i.links.get("count") for i in config.registry.indicators}
    published = set(frame.filter(~pl.col("suppressed")).select(KEY4).iter_rows())
    keep = [
        not links.get(indicator_id) or (links[indicator_id], period, breakdown, value) in published
        for indicator_id, period, breakdown, value in frame.select(KEY4).iter_rows()
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


# ------------------------------------------------------------------------------- audit


def _check_cells(frame: pl.DataFrame, allowed: set[int]) -> None:
    """Published cells obey the primary rules (but the ``allowed`` rows, given away by a
    public-record total); suppressed cells show neither value nor n."""
    broken = frame.with_columns(_rule=_primary()).filter(
        (~pl.col("suppressed") & pl.col("_rule").is_not_null() & ~pl.col(ROW).is_in(allowed))
        | (pl.col("suppressed") & (pl.col("value").is_not_null() | pl.col("n").is_not_null()))
    )
    if broken.height:
        row = broken.row(0, named=True)
        what = (
            f"is published but breaks the {row['_rule']} rule"
            if not row["suppressed"]
            else "is suppressed but still shows its value or n"
        )
        where = f"{row['indicator_id']} {row['period']} {row['breakdown']}={row['breakdown_value']}"
        raise CheckFailed(f"disclosure audit: {where} {what}")


def _check_linked(cells: pl.DataFrame, truth: pl.DataFrame, config: Config,
                  earlier: Earlier | None, complete: bool) -> int:  # fmt: skip
    """The intruder's audit across tables, quarters and releases (``knowledge``, ``links``);
    returns the number of hidden counts checked."""
    system = knowledge.build(cells, _with_rules(truth, config), config, earlier)
    leaks = links.pinned(system, solve=complete)
    if leaks:
        names = ", ".join(" ".join(key) for key in leaks[:5])
        raise CheckFailed(
            f"disclosure audit: {len(leaks)} suppressed counts can be worked out from the "
            f"published figures across linked tables, e.g. {names}"
        )
    return len(system.hidden)


def audit(
    cells: pl.DataFrame,
    config: Config,
    truth: pl.DataFrame | None = None,
    earlier: Earlier | None = None,
    complete: bool = False,
) -> dict:
    """Prove that no suppressed cell can be recovered; a summary of counts only.

    Raises CheckFailed naming the indicator, period and cell (never its value) when a
    published cell breaks a primary rule or a suppressed cell is exactly determined, within
    its table or, given the unsuppressed ``truth`` cells, across linked tables, quarters and
    the ``earlier`` releases' figures: by closed-form propagation, and with ``complete``
    also by linear programming.
    """
    frame = _with_rules(cells, config)
    _check_cells(frame, implied(cells, config))
    linked = {}
    if truth is not None:
        linked["linked_counts_checked"] = _check_linked(cells, truth, config, earlier, complete)
    widest = {"count": Decimal("Infinity"), "usd": Decimal("Infinity")}
    groups = tables = checked = 0
    seen: set[str] = set()
    for group in _groups(frame):
        if nothing_published(group):  # every hidden cell unbounded above: nothing to solve
            groups, tables = groups + 1, tables + len(group.tables)
            checked += len(group.cells())
            seen.add(group.unit)
            continue
        found = intervals(group)
        for cell in recoverable(group, found):
            raise CheckFailed(
                f"disclosure audit: {group.indicator_id} {group.period} {cell.name} "
                "can be recovered exactly from the published cells"
            )
        groups, tables, checked = groups + 1, tables + len(group.tables), checked + len(found)
        for interval in found.values():
            widest[group.unit] = min(widest[group.unit], interval.width)
            seen.add(group.unit)
    by_rule = dict(frame.group_by("suppression").len().drop_nulls().iter_rows())
    return {
        "cells": frame.height,
        "cells_suppressed": int(frame["suppressed"].sum()),
        "suppressed_by_rule": {rule: by_rule.get(rule, 0) for rule in (*PRIMARY, SECONDARY)},
        "groups_audited": groups,
        "tables_audited": tables,
        "intervals_checked": checked,
        "min_interval_width": {
            unit: format(width.normalize(), "f") if unit in seen else None
            for unit, width in sorted(widest.items())
        },
    } | linked
