"""The disclosure audit of a protected release: published cells obey the primary rules (or
are given away by a public-record total anyway), hidden cells show nothing, and no hidden
cell can be worked out within its table or, given the true cells, across linked tables,
quarters and earlier releases. Summaries hold counts only, never a value.
"""

from __future__ import annotations

from decimal import Decimal

import polars as pl

from arms_metrics.cells import SORT_KEY
from arms_metrics.config import Config
from arms_metrics.disclosure import knowledge, links
from arms_metrics.disclosure.audit import intervals, nothing_published, recoverable
from arms_metrics.disclosure.rules import (
    GROUP_KEY,
    PRIMARY,
    ROW,
    SECONDARY,
    groups,
    primary,
    with_rules,
)
from arms_metrics.errors import CheckFailed

Earlier = dict[tuple[str, str, str, str], set[tuple]]


def implied(cells: pl.DataFrame, config: Config) -> set[int]:
    """Rows of published cells that break a primary rule but that the public figures give
    away anyway: hidden alone, each would be recoverable under its locked total."""
    frame = with_rules(cells, config)
    broken = frame.with_columns(_rule=primary()).filter(
        ~pl.col("suppressed") & pl.col("_rule").is_not_null() & pl.col("additive")
    )
    found = set()
    for row, indicator_id, period in broken.select(ROW, *GROUP_KEY).iter_rows():
        alone = frame.filter(
            (pl.col("indicator_id") == indicator_id) & (pl.col("period") == period)
        ).with_columns(suppressed=pl.col("suppressed") | (pl.col(ROW) == row))
        for group in groups(alone):
            if group.total.locked and any(c.row == row for c in recoverable(group)):
                found.add(row)
    return found


def linked_implied(truth: pl.DataFrame, config: Config) -> set[tuple]:
    """Keys of the public-record quantities (``knowledge``: counts, rates' tallies and
    populations, rests) the public-record totals alone give away: pinned (``links.pinned``)
    even when every other cell is hidden, so pinned however the release is protected. A count
    cell among them is published even if it breaks a primary rule; the others are no leak.
    ``truth``: the unsuppressed cells (CELL_SCHEMA). Earlier releases are left out, so a
    rebuilt release gives the same answer."""
    frame = with_rules(truth, config)
    frame = frame.filter(pl.col("policy") == "public_record")
    if not frame.height:
        return set()
    everything = frame.with_columns(suppressed=~pl.col("locked"))
    system = knowledge.build(everything.select(truth.columns), frame.select(truth.columns), config)
    return set(links.pinned(system))


def _check_cells(frame: pl.DataFrame, allowed: set[int]) -> None:
    """Published cells obey the primary rules (but the ``allowed`` rows, given away by a
    public-record total); suppressed cells show neither value nor n."""
    broken = frame.with_columns(_rule=primary()).filter(
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
                  earlier: Earlier | None, complete: bool, given: set) -> int:  # fmt: skip
    """The intruder's audit across tables, quarters and releases (``knowledge``, ``links``);
    returns the number of hidden counts checked."""
    system = knowledge.build(cells, with_rules(truth, config), config, earlier)
    leaks = knowledge.leaks(system, config, given, solve=complete)
    if leaks:
        names = ", ".join(" ".join(key) for key in leaks[:5])
        raise CheckFailed(
            f"disclosure audit: {len(leaks)} suppressed counts can be worked out from the "
            f"published figures across linked tables, e.g. {names}"
        )
    return len(system.hidden)


def _check_counted(cells: pl.DataFrame, config: Config, earlier: Earlier | None) -> None:
    """No rate, median, p90 or dollar sum with ``links.count`` is published beside its
    suppressed count: it would say the count is at least the rule's number of records (a
    figure an earlier release published unchanged is public anyway)."""
    counted = {i.id: i.links["count"] for i in config.registry.indicators
               if i.unit in ("percent", "days", "usd") and i.links.get("count")}  # fmt: skip
    where = ["period", "breakdown", "breakdown_value"]
    shown = cells.filter(pl.col("indicator_id").is_in(list(counted)) & ~pl.col("suppressed"))
    shown = shown.with_columns(count_id=pl.col("indicator_id").replace_strict(counted))
    hidden = cells.filter(pl.col("suppressed")).select(pl.col("indicator_id").alias("count_id"),
                                                       *where)  # fmt: skip
    bad = [row for row in shown.join(hidden, on=["count_id", *where]).sort(SORT_KEY)
           .iter_rows(named=True)
           if not knowledge.published_before(earlier, tuple(row[c] for c in SORT_KEY),
                                             row["value"])]  # fmt: skip
    if bad:
        row = bad[0]
        raise CheckFailed(
            f"disclosure audit: {len(bad)} figures are published beside their suppressed "
            f"count, which they bound, e.g. {row['indicator_id']} {row['period']} "
            f"{row['breakdown']}={row['breakdown_value']}"
        )


def _check_tables(frame: pl.DataFrame) -> dict:
    """Every (indicator, quarter) with a hidden cell in ``frame``: no hidden cell is
    determined by its own tables (exact intervals); counts of what was checked and the
    narrowest interval."""
    widest = {"count": Decimal("Infinity"), "usd": Decimal("Infinity")}
    audited = tables = checked = 0
    seen: set[str] = set()
    for group in groups(frame):
        audited, tables = audited + 1, tables + len(group.tables)
        if nothing_published(group):  # every hidden cell unbounded above: nothing to solve
            checked += len(group.cells())
            seen.add(group.unit)
            continue
        found = intervals(group)
        for cell in recoverable(group, found):
            raise CheckFailed(
                f"disclosure audit: {group.indicator_id} {group.period} {cell.name} "
                "can be recovered exactly from the published cells"
            )
        checked += len(found)
        for interval in found.values():
            widest[group.unit] = min(widest[group.unit], interval.width)
            seen.add(group.unit)
    return {
        "groups_audited": audited,
        "tables_audited": tables,
        "intervals_checked": checked,
        "min_interval_width": {
            unit: format(width.normalize(), "f") if unit in seen else None
            for unit, width in sorted(widest.items())
        },
    }


def audit(
    cells: pl.DataFrame,
    config: Config,
    truth: pl.DataFrame | None = None,
    earlier: Earlier | None = None,
    complete: bool = False,
    given: set[tuple] | None = None,
) -> dict:
    """Prove that no suppressed cell can be recovered; a summary of counts only.

    Raises CheckFailed naming the indicator, period and cell (never its value) when a
    published cell breaks a primary rule or a suppressed cell is exactly determined, within
    its table or, given the unsuppressed ``truth`` cells, across linked tables, quarters and
    the ``earlier`` releases' figures: by closed-form propagation, and with ``complete``
    also by linear programming. ``given``: ``linked_implied`` if already known.
    """
    frame = with_rules(cells, config)
    allowed, linked = implied(cells, config), {}
    if truth is not None:
        given = linked_implied(truth, config) if given is None else given
        allowed |= {r for r, *k in frame.select(ROW, *SORT_KEY).iter_rows() if tuple(k) in given}
    _check_cells(frame, allowed)
    if truth is not None:  # after the cheap checks: the first broken rule is named first
        _check_counted(cells, config, earlier)
        checked = _check_linked(cells, truth, config, earlier, complete, given)
        linked["linked_counts_checked"] = checked
    # counts audited across linked tables need no table-by-table pass; dollars do
    within = _check_tables(frame if truth is None else frame.filter(pl.col("unit") == "usd"))
    by_rule = dict(frame.group_by("suppression").len().drop_nulls().iter_rows())
    return (
        {
            "cells": frame.height,
            "cells_suppressed": int(frame["suppressed"].sum()),
            "suppressed_by_rule": {rule: by_rule.get(rule, 0) for rule in (*PRIMARY, SECONDARY)},
        }
        | within
        | linked
    )
