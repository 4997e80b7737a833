"""Revisions: mark every figure that differs from what the previous release published.

Each release recomputes all earlier quarters from the latest extract, so late-arriving
records change old figures. A cell is ``revised`` when the previous release (the latest
``site/releases/<period>/data/indicators.csv`` before this quarter) published a different
value or suppression status for the same key, or did not publish the key at all although
it covered that period. Periods the previous release did not cover are never revised.
Releases already published are only read, never rewritten.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from arms_metrics.cells import SORT_KEY
from arms_metrics.quarters import Quarter
from arms_metrics.release import PUBLISHED_CSV, Codes, previous_release, read_published


def mark_revisions(
    cells: pl.DataFrame, site_dir: Path, quarter: Quarter, internal: Codes | None = None
) -> pl.DataFrame:
    """Set ``revised`` on ``cells`` against the previous release found in ``site_dir``;
    ``internal`` maps its published codes back to the cells' codes (``release._read_csv``)."""
    previous = previous_release(site_dir, quarter)
    if previous is None:
        return cells.with_columns(revised=pl.lit(False))
    path = site_dir / "releases" / previous.label / PUBLISHED_CSV
    published = read_published(path, internal)
    periods = cells["period"].unique().to_list()
    covered = pl.col("period").is_in([p for p in periods if Quarter.parse(p) <= previous])
    joined = cells.join(published, on=SORT_KEY, how="left", nulls_equal=True)
    changed = (
        pl.col("previously_published").is_null()
        | (pl.col("previous_suppressed") != pl.col("suppressed"))
        | ~pl.col("value").eq_missing(pl.col("previous_value"))
    )
    return joined.with_columns(revised=covered & changed).select(cells.columns)
