"""The quarantined rows as the indicator-loss check reads them.

A quarantined row is never published, but it still tells which figures it would have
moved: ``salvage`` keeps its typed values with each value that broke its own rule read as
missing (a ``NULL`` outcome is no outcome, an unknown code no code, a date out of range no
date). Rules between columns (``x_before_y``, ``x_without_y``) and duplicates blame no one
value, so those values are kept as read.
"""

from __future__ import annotations

import polars as pl

from arms_metrics.ingest.schemas import COLUMNS

BROKEN = "__broken"  # the columns whose value broke its own rule (a list, per salvaged row)

# Rule suffixes that blame the value of their column alone.
VALUE_RULES = (
    "required", "not_allowed", "negative", "not_a_date", "not_a_number", "precision",
    "not_a_bool", "out_of_range", "scientific", "unknown", "on_modification", "not_approved",
    "mismatch", "invisible_character", "quote_character",
)  # fmt: skip


def broken_values(table: str, rules: pl.DataFrame) -> pl.DataFrame:
    """(index, column) of every value that broke its own rule; ``rules`` is (index, rules)."""
    blame = {f"{c}_{s}": c for c in COLUMNS[table] for s in VALUE_RULES}
    pairs = rules.select("index", pl.col("rules").str.split(";").alias("rule")).explode("rule")
    column = pl.col("rule").replace_strict(blame, default=None, return_dtype=pl.String)
    return pairs.select("index", column.alias("column")).drop_nulls("column").unique()


def salvage(table: str, frame: pl.DataFrame, index: pl.Series, rules: pl.DataFrame):
    """The rows of ``frame`` (positions ``index``) named in ``rules``, broken values missing,
    with the list of the broken columns (``BROKEN``)."""
    rows = frame.with_columns(index.alias("__row")).filter(
        pl.col("__row").is_in(rules["index"].implode())
    )
    broken = broken_values(table, rules)
    hits = {c: broken.filter(pl.col("column") == c)["index"] for c in broken["column"].unique()}
    blanks = [
        pl.when(pl.col("__row").is_in(hit.implode())).then(None).otherwise(pl.col(c)).alias(c)
        for c, hit in sorted(hits.items())
    ]
    names = broken.group_by("index").agg(pl.col("column").sort().alias(BROKEN))
    rows = rows.join(names, left_on="__row", right_on="index", how="left", maintain_order="left")
    listed = pl.col(BROKEN).fill_null(pl.lit([], dtype=pl.List(pl.String)))
    return rows.with_columns(blanks).with_columns(listed).drop("__row")
