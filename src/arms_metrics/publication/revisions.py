"""Revisions: mark every figure that differs from what the previous release published.

Each release recomputes all earlier quarters from the latest extract, so late-arriving
records change old figures. A cell is ``revised`` when the release it is measured against
(``baseline``: the latest release before this quarter when it is first published) published
a different value or suppression status for the same key, or did not publish the key at
all although it published that indicator for that period. An indicator and period that
release did not publish (a later period, an indicator added since, a source it lacked) are
new, never revised.

What a release says is revised is fixed when it is first published: its manifest records
the release it was measured against (``revised_against``), and a rebuild keeps the flags it
published for every figure it publishes unchanged. So building an older quarter into the
site later, or correcting the release it was measured against, never rewrites a later
release's pages. Releases already published are only read, never rewritten.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from arms_metrics.cells import SORT_KEY
from arms_metrics.quarters import Quarter
from arms_metrics.release import (
    PUBLISHED_CSV,
    Codes,
    previous_release,
    published_manifest,
    published_releases,
    read_published,
    same_figure,
)


def baseline(site_dir: Path, quarter: Quarter) -> Quarter | None:
    """The release ``quarter``'s revisions are measured against: the one its manifest
    records when it is published already (``None``: it was the first), else the latest
    release before it in ``site_dir``. A recorded release no longer in the site, or a
    manifest written before 0.2 without the record, falls back to the latest before it."""
    recorded = (published_manifest(site_dir, quarter) or {}).get("revised_against", False)
    if recorded is None:
        return None
    if isinstance(recorded, str) and recorded:
        try:
            against = Quarter.parse(recorded)
        except ValueError:
            against = None
        if against is not None and against < quarter and against in published_releases(site_dir):
            return against
    return previous_release(site_dir, quarter)


def mark_revisions(
    cells: pl.DataFrame, site_dir: Path, quarter: Quarter, internal: Codes | None = None
) -> pl.DataFrame:
    """Set ``revised`` on ``cells`` against the ``baseline`` release in ``site_dir``, keeping
    the flag ``quarter``'s own published release gave every figure it still publishes the
    same; ``internal`` maps published codes back to the cells' codes (``release._read_csv``)."""
    marked = _against(cells, site_dir, baseline(site_dir, quarter), internal)
    own = Path(site_dir) / "releases" / quarter.label / PUBLISHED_CSV
    if not own.is_file():
        return marked
    joined = marked.join(read_published(own, internal), on=SORT_KEY, how="left", nulls_equal=True)
    same = pl.col("previously_published").is_not_null() & same_figure()
    kept = pl.when(same).then(pl.col("previous_revised")).otherwise(pl.col("revised"))
    return joined.with_columns(revised=kept).select(cells.columns)


def _against(
    cells: pl.DataFrame, site_dir: Path, against: Quarter | None, internal: Codes | None
) -> pl.DataFrame:
    """``revised`` as the figures differ from release ``against`` (none: nothing revised)."""
    if against is None:
        return cells.with_columns(revised=pl.lit(False))
    path = Path(site_dir) / "releases" / against.label / PUBLISHED_CSV
    published = read_published(path, internal)
    # what that release covered: the quarters it published each indicator for (an indicator
    # it did not have, or could not publish for a quarter, is new there, not revised)
    covered = published.select("indicator_id", "period").unique().with_columns(covered=True)
    joined = cells.join(published, on=SORT_KEY, how="left", nulls_equal=True).join(
        covered, on=["indicator_id", "period"], how="left"
    )
    changed = pl.col("previously_published").is_null() | ~same_figure()
    revised = pl.col("covered").fill_null(False) & changed
    return joined.with_columns(revised=revised).select(cells.columns)
