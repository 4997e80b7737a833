"""The cell table: the one shape that flows from the indicator engine to the site.

One row per published figure (indicator, period, breakdown, breakdown value). The engine
fills everything up to ``max_record_value``; disclosure sets ``suppressed`` and
``suppression``; revisions sets ``revised``; publish and render only read.

``value`` is already rounded for publication (counts and usd whole, days and percent one
decimal, half-even) and is null when suppressed or undefined (no records).
``max_record_value`` (usd only), ``numerator`` (percent only: the records counted above the
line, so disclosure control can treat a rate's numerator and complement as counts) and
``parent`` (the region of a purchaser cell) exist for disclosure control and are never
published.
"""

from __future__ import annotations

import polars as pl

VALUE_DTYPE = pl.Decimal(38, 1)

CELL_SCHEMA: dict[str, pl.DataType] = {
    "indicator_id": pl.String(),
    "period": pl.String(),
    "fiscal_year": pl.Int32(),
    "fiscal_quarter": pl.Int8(),
    "breakdown": pl.String(),
    "breakdown_value": pl.String(),
    "value": VALUE_DTYPE,
    "unit": pl.String(),
    "n": pl.Int64(),
    "max_record_value": pl.Decimal(38, 2),
    "numerator": pl.Int64(),
    "parent": pl.String(),
    "suppressed": pl.Boolean(),
    "suppression": pl.String(),
    "revised": pl.Boolean(),
}

# The public columns of indicators.csv, in order (README, Outputs). ``breakdown_label`` and
# ``status`` are not cell columns: the site writes them from the cells (site/downloads.py).
PUBLIC_COLUMNS = [
    "indicator_id",
    "period",
    "fiscal_year",
    "fiscal_quarter",
    "breakdown",
    "breakdown_value",
    "breakdown_label",
    "value",
    "status",
    "unit",
    "n",
    "suppressed",
    "revised",
]

# The one definition of "revised", completing "a figure is revised when ...":
# ``publication.revisions`` sets the flag by it, and the revisions and methodology pages and
# the data dictionary say it in these words.
REVISED_WHEN = (
    "it differs from the figure the previous release published for the same quarter and "
    "breakdown (in value or in suppression), or the previous release published that "
    "indicator for that quarter without this figure"
)

# The total key every cell table is sorted by.
SORT_KEY = ["indicator_id", "period", "breakdown", "breakdown_value"]

TOTAL = "total"
ALL = "All"


def empty_cells() -> pl.DataFrame:
    return pl.DataFrame(schema=CELL_SCHEMA)


def sort_cells(cells: pl.DataFrame) -> pl.DataFrame:
    """Order by the total key (byte order of the strings), the only order ever published."""
    return cells.sort(SORT_KEY)
