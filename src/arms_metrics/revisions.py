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

PUBLISHED_CSV = Path("data") / "indicators.csv"


def published_releases(site_dir: Path) -> list[Quarter]:
    """Releases already in the site folder (those with an indicators.csv), oldest first."""
    releases_dir = site_dir / "releases"
    if not releases_dir.is_dir():
        return []
    found = []
    for child in releases_dir.iterdir():
        try:
            quarter = Quarter.parse(child.name)
        except ValueError:
            continue
        if child.name == quarter.label and (child / PUBLISHED_CSV).is_file():
            found.append(quarter)
    return sorted(found)


def previous_release(site_dir: Path, quarter: Quarter) -> Quarter | None:
    earlier = [q for q in published_releases(site_dir) if q < quarter]
    return earlier[-1] if earlier else None


def _read_published(path: Path) -> pl.DataFrame:
    """The previous release's figures, keyed like the cells, values as Decimal."""
    frame = pl.read_csv(path, infer_schema=False, encoding="utf8")
    return frame.select(
        *SORT_KEY,
        pl.col("value").replace("", None).cast(pl.Decimal(38, 1)).alias("previous_value"),
        (pl.col("suppressed") == "true").alias("previous_suppressed"),
        pl.lit(True).alias("previously_published"),
    )


def mark_revisions(cells: pl.DataFrame, site_dir: Path, quarter: Quarter) -> pl.DataFrame:
    """Set ``revised`` on ``cells`` against the previous release found in ``site_dir``."""
    previous = previous_release(site_dir, quarter)
    if previous is None:
        return cells.with_columns(revised=pl.lit(False))
    published = _read_published(site_dir / "releases" / previous.label / PUBLISHED_CSV)
    periods = cells["period"].unique().to_list()
    covered = pl.col("period").is_in([p for p in periods if Quarter.parse(p) <= previous])
    joined = cells.join(published, on=SORT_KEY, how="left", nulls_equal=True)
    changed = (
        pl.col("previously_published").is_null()
        | (pl.col("previous_suppressed") != pl.col("suppressed"))
        | ~pl.col("value").eq_missing(pl.col("previous_value"))
    )
    return joined.with_columns(revised=covered & changed).select(cells.columns)
