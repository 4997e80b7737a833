"""The quarantined rows as the indicator-loss check reads them.

A quarantined row is never published, but it still tells which figures it would have
moved: ``salvage`` keeps its typed values with each value that broke its own rule read as
missing (a ``NULL`` outcome is no outcome, an unknown code no code, a date out of range no
date). Rules between columns (``x_before_y``, ``x_without_y``, an outcome missing for a
final action) and duplicates blame no one value, so those values are kept as read; but the
columns each broken rule between columns names (``CROSS_COLUMN``) are listed per row
(``NAMED``): the loss check treats those that place or select a record as broken (issue
11, tester's F1 and F2: a cancelled date set before the LOR was complete removed the LOA
from the offers in the published run and in the loss check alike, and no loss showed).
"""

from __future__ import annotations

import polars as pl

from arms_metrics.ingest.schemas import COLUMNS

BROKEN = "__broken"  # the columns whose value broke its own rule (a list, per salvaged row)
NAMED = "__named"  # the columns named by a broken rule between columns (a list, per row)

# Rule suffixes that blame the value of their column alone.
VALUE_RULES = (
    "required", "not_allowed", "negative", "not_a_date", "not_a_number", "precision",
    "not_a_bool", "out_of_range", "scientific", "unknown", "on_modification", "not_approved",
    "mismatch", "invisible_character", "quote_character",
)  # fmt: skip

# Every rule that reads more than one column, and the columns it reads (the column a value
# rule among them blames is listed too; tests/unit/test_salvage.py keeps it complete).
CROSS_COLUMN: dict[str, dict[str, tuple[str, ...]]] = {
    "fms_lors": {
        "complete_date_before_received_date": ("complete_date", "received_date"),
        "cancelled_date_before_received_date": ("cancelled_date", "received_date"),
    },
    "fms_documents": {
        "development_group_required": ("development_group", "document_type"),
        "offered_date_before_lor_complete_date": ("offered_date", "lor_complete_date"),
        "offered_date_on_modification": ("offered_date", "document_type"),
        "offer_expiration_date_before_offered_date": ("offer_expiration_date", "offered_date"),
        "accepted_date_before_offered_date": ("accepted_date", "offered_date"),
        "accepted_date_without_offered_date": ("accepted_date", "offered_date", "document_type"),
        "implemented_date_before_accepted_date": (
            "implemented_date", "accepted_date", "document_type",
        ),
        "implemented_date_before_lor_complete_date": (
            "implemented_date", "lor_complete_date", "document_type",
        ),
        "cancelled_date_before_lor_complete_date": ("cancelled_date", "lor_complete_date"),
        "lor_id_received_after_lor_complete_date": ("lor_id", "lor_complete_date"),
        "lor_id_of_another_purchaser": ("lor_id", "purchaser_code"),
    },
    "fms_cases": {
        "supply_complete_date_before_implemented_date": (
            "supply_complete_date", "implemented_date",
        ),
        "closed_date_before_supply_complete_date": ("closed_date", "supply_complete_date"),
        "closed_date_without_supply_complete_date": ("closed_date", "supply_complete_date"),
    },
    "fms_deliveries": {},
    "congressional_notifications": {
        "purchaser_code_mismatch": ("purchaser_code", "purchaser"),
    },
    "export_licenses": {
        "application_type_not_allowed": ("application_type", "agency"),
        "control_category_unknown": ("control_category", "agency"),
        "final_action_date_before_received_date": ("final_action_date", "received_date"),
        "outcome_without_final_action_date": ("outcome", "final_action_date"),
        "outcome_missing_for_final_action": ("outcome", "final_action_date"),
        "approved_value_usd_not_approved": ("approved_value_usd", "outcome"),
    },
    "tpt_requests": {
        "final_action_date_before_received_date": ("final_action_date", "received_date"),
        "outcome_without_final_action_date": ("outcome", "final_action_date"),
        "outcome_missing_for_final_action": ("outcome", "final_action_date"),
    },
    "eum_checks": {
        "completed_date_before_initiated_date": ("completed_date", "initiated_date"),
        "result_without_completed_date": ("result", "completed_date"),
        "result_missing_for_completed_check": ("result", "completed_date"),
    },
}  # fmt: skip


def named_columns(table: str, rules: pl.DataFrame) -> pl.DataFrame:
    """(index, column) of every column named by a rule between columns that the row broke."""
    pairs = rules.select("index", pl.col("rules").str.split(";").alias("rule")).explode("rule")
    named = pl.DataFrame(
        [(rule, c) for rule, cols in CROSS_COLUMN.get(table, {}).items() for c in cols],
        schema={"rule": pl.String, "column": pl.String},
        orient="row",
    )
    return pairs.join(named, on="rule", how="inner").select("index", "column").unique()


def _lists(rows: pl.DataFrame, pairs: pl.DataFrame, name: str) -> pl.DataFrame:
    """``rows`` with the sorted list of the columns ``pairs`` gives each row, as ``name``."""
    lists = pairs.group_by("index").agg(pl.col("column").sort().alias(name))
    rows = rows.join(lists, left_on="__row", right_on="index", how="left", maintain_order="left")
    return rows.with_columns(pl.col(name).fill_null(pl.lit([], dtype=pl.List(pl.String))))


def broken_values(table: str, rules: pl.DataFrame) -> pl.DataFrame:
    """(index, column) of every value that broke its own rule; ``rules`` is (index, rules)."""
    blame = {f"{c}_{s}": c for c in COLUMNS[table] for s in VALUE_RULES}
    pairs = rules.select("index", pl.col("rules").str.split(";").alias("rule")).explode("rule")
    column = pl.col("rule").replace_strict(blame, default=None, return_dtype=pl.String)
    return pairs.select("index", column.alias("column")).drop_nulls("column").unique()


def salvage(table: str, frame: pl.DataFrame, index: pl.Series, rules: pl.DataFrame):
    """The rows of ``frame`` (positions ``index``) named in ``rules``, broken values missing,
    with the list of the broken columns (``BROKEN``) and of the columns named by a broken
    rule between columns (``NAMED``)."""
    rows = frame.with_columns(index.alias("__row")).filter(
        pl.col("__row").is_in(rules["index"].implode())
    )
    broken = broken_values(table, rules)
    hits = {c: broken.filter(pl.col("column") == c)["index"] for c in broken["column"].unique()}
    blanks = [
        pl.when(pl.col("__row").is_in(hit.implode())).then(None).otherwise(pl.col(c)).alias(c)
        for c, hit in sorted(hits.items())
    ]
    rows = _lists(rows.with_columns(blanks), broken, BROKEN)
    return _lists(rows, named_columns(table, rules), NAMED).drop("__row")
