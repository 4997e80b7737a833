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

import polars as pl

from arms_metrics.cells import SORT_KEY
from arms_metrics.config import Config
from arms_metrics.disclosure.knowledge import COMPLEMENT, NUMERATOR, TOTAL
from arms_metrics.disclosure.links import Key, System
from arms_metrics.disclosure.rules import SECONDARY


def tally_frame(frame: pl.DataFrame, labels: list) -> pl.DataFrame:
    """The numerator and complement of every non-exempt rate as count-like rows (unit
    ``tally``: a hidden tally may be 0), keyed to the rate's row."""
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
                n=count,
                additive=pl.lit(True),
                suppressed=pl.col("suppression").is_not_null(),
                locked=pl.lit(False),
            )
        )
    return pl.concat(parts) if parts else rates


def rate_count_rows(frame: pl.DataFrame, config: Config) -> list[tuple[int, int]]:
    """(rate row, row of its population count) for every rate with ``links.count``: a
    published rate pins numerator + complement = that count."""
    links = {i.id: i.links.get("count") for i in config.registry.indicators if i.unit == "percent"}
    rows = {tuple(row[1:]): row[0] for row in frame.select("_row", *SORT_KEY).iter_rows()}
    pairs = []
    for row, indicator_id, *where in (
        frame.filter(pl.col("indicator_id").is_in([i for i, c in links.items() if c]))
        .select("_row", *SORT_KEY)
        .iter_rows()
    ):
        count = rows.get((links[indicator_id], *where))
        if count is not None:
            pairs.append((row, count))
    return pairs


def hide_rates_of_hidden_counts(pairs: list[tuple[int, int]], labels: list) -> bool:
    """Hide a published rate whose population count is hidden; True if a label changed."""
    changed = False
    for rate, count in pairs:
        if labels[rate] is None and labels[count] is not None:
            labels[rate], changed = SECONDARY, True
    return changed


def remedy(system: System, leaks: list[Key], rows: dict[Key, int], labels: list,
           hideable: set[int]) -> bool:  # fmt: skip
    """For each pinned quantity, hide the smallest published count sharing an identity with
    it (a tally hides its rate). True if anything was hidden."""
    touching = system.index().touching
    changed = False
    for leak in leaks:
        candidates = sorted(  # breakdown cells before totals, then the smallest
            (key[2] == TOTAL, system.known[key], key)
            for number in touching.get(leak, [])
            for key, _ in system.equations[number]
            if key in system.known
            and system.known[key] > 0
            and key not in system.locked
            and _row(key, rows) in hideable
            and labels[_row(key, rows)] is None
        )
        if candidates:
            labels[_row(candidates[0][-1], rows)] = SECONDARY
            changed = True
    return changed


def _row(key: Key, rows: dict[Key, int]) -> int:
    return rows.get(key, -1)
