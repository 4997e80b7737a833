"""Disclosure control: publish aggregates that never reveal a single case or licence.

DESIGN.md section 5b is the contract and docs/disclosure.md explains the rules in plain
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
                     rules.min_n_statistic, num, den))  # fmt: skip
    schema = {"indicator_id": pl.String, "additive": pl.Boolean, "exempt": pl.Boolean,
              "min_n_count": pl.Int64, "min_n_statistic": pl.Int64, "dom_num": pl.Int64,
              "dom_den": pl.Int64}  # fmt: skip
    return pl.DataFrame(rows, schema=schema, orient="row")


def _with_rules(cells: pl.DataFrame, config: Config) -> pl.DataFrame:
    frame = cells.select([pl.col(name).cast(dtype) for name, dtype in CELL_SCHEMA.items()])
    frame = frame.with_row_index(ROW).with_columns(pl.col("suppressed").fill_null(False))
    return frame.join(_rules_frame(frame, config), on="indicator_id", how="left").sort(ROW)


def _primary() -> pl.Expr:
    """The primary rule a cell breaks (``threshold`` before ``dominance``), else null."""
    n, unit = pl.col("n"), pl.col("unit")
    minimum = (
        pl.when(unit.is_in(["count", "usd"]))
        .then(pl.col("min_n_count"))
        .otherwise(pl.col("min_n_statistic"))
    )
    dominant = (unit == "usd") & (
        pl.col("max_record_value") * pl.col("dom_den") > pl.col("value") * pl.col("dom_num")
    )
    return (
        pl.when(pl.col("exempt"))
        .then(pl.lit(None, pl.String))
        .when((n >= 1) & (n < minimum))
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
               "suppressed", "suppression"]  # fmt: skip
    rows = wanted.select(columns).sort([*GROUP_KEY, "breakdown", "breakdown_value"]).iter_rows()
    for (indicator_id, period), members in groupby(rows, key=lambda row: (row[1], row[2])):
        members = list(members)
        cells = [Cell(r[0], r[4], r[5], r[6], r[7], r[8], r[9], r[10]) for r in members]
        yield make_group(indicator_id, period, members[0][3], cells)


# ----------------------------------------------------------------- secondary suppression


def _hide(cell: Cell) -> None:
    cell.suppressed, cell.label = True, SECONDARY


def _available(cell: Cell) -> bool:
    """A published cell that may become a complement (zero cells stay published)."""
    return not cell.suppressed and cell.n != 0


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
    elif not whole.suppressed:
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
            _hide(_smallest([m for m in members if _available(m)] or members))
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
        if not cell.suppressed:
            _hide(cell)


def protect(cells: pl.DataFrame, config: Config) -> pl.DataFrame:
    """Primary and secondary suppression; CELL_SCHEMA, the same rows in the same order.

    A suppressed cell gets ``value`` and ``n`` null (``n`` of a count is its value),
    ``suppressed`` True and ``suppression`` threshold, dominance or secondary.
    """
    frame = _with_rules(cells, config)
    already = pl.coalesce(pl.col("suppression"), pl.lit(SECONDARY))
    label = pl.when(pl.col("suppressed")).then(already).otherwise(_primary())
    frame = frame.with_columns(suppression=label).with_columns(
        suppressed=pl.col("suppression").is_not_null()
    )
    labels = frame["suppression"].to_list()
    for group in _groups(frame):
        _protect_group(group)
        for cell in group.cells():
            labels[cell.row] = cell.label if cell.suppressed else None
    hidden = pl.col("suppressed")
    out = frame.with_columns(suppression=pl.Series(labels, dtype=pl.String))
    out = out.with_columns(suppressed=pl.col("suppression").is_not_null()).with_columns(
        value=pl.when(hidden).then(None).otherwise(pl.col("value")),
        n=pl.when(hidden).then(None).otherwise(pl.col("n")),
    )
    return out.select([pl.col(name).cast(dtype) for name, dtype in CELL_SCHEMA.items()])


# ------------------------------------------------------------------------------- audit


def _check_cells(frame: pl.DataFrame) -> None:
    """Published cells obey the primary rules; suppressed cells show neither value nor n."""
    broken = frame.with_columns(_rule=_primary()).filter(
        (~pl.col("suppressed") & pl.col("_rule").is_not_null())
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


def audit(cells: pl.DataFrame, config: Config) -> dict:
    """Prove that no suppressed cell can be recovered; a summary of counts only.

    Raises CheckFailed naming the indicator, period and cell (never its value) when a
    published cell breaks a primary rule or a suppressed cell is exactly determined.
    """
    frame = _with_rules(cells, config)
    _check_cells(frame)
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
    }
