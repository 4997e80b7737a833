"""The disclosure rules as expressions over the cell table, shared by protection and audit:
the family thresholds of each indicator, the primary rules, the cells that must stay
published, and the per-(indicator, quarter) groups of additive cells.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from itertools import groupby

import polars as pl

from arms_metrics.cells import CELL_SCHEMA, SORT_KEY
from arms_metrics.config import Config
from arms_metrics.disclosure import nesting
from arms_metrics.disclosure.audit import TOTAL, Cell, Group, make_group
from arms_metrics.disclosure.knowledge import published_before
from arms_metrics.errors import CheckFailed

THRESHOLD, DOMINANCE, SECONDARY = "threshold", "dominance", "secondary"
PRIMARY = (THRESHOLD, DOMINANCE)
ROW = "_row"
GROUP_KEY = ["indicator_id", "period"]


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


def with_rules(cells: pl.DataFrame, config: Config) -> pl.DataFrame:
    frame = cells.select([pl.col(name).cast(dtype) for name, dtype in CELL_SCHEMA.items()])
    frame = frame.with_row_index(ROW).with_columns(pl.col("suppressed").fill_null(False))
    frame = frame.join(_rules_frame(frame, config), on="indicator_id", how="left").sort(ROW)
    return nesting.within(frame, config).with_columns(locked=locked())


def _small(count: pl.Expr) -> pl.Expr:
    """1 <= count < min_n_count: a count that would point at one or two records."""
    return (count >= 1) & (count < pl.col("min_n_count"))


def primary() -> pl.Expr:
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


def locked() -> pl.Expr:
    """Cells that must stay published: public-record totals, every unit (and, see
    ``initial``, cells an earlier release already published with the same value)."""
    return (pl.col("policy") == "public_record") & (pl.col("breakdown") == TOTAL)


def groups(frame: pl.DataFrame) -> Iterator[Group]:
    """Groups of the additive, non-exempt (indicator, period)s that have a suppressed cell;
    a cell's ``parent`` is the value it sits within (``within``: a purchaser's region, a
    control category's agency), the group's ``nests`` name the breakdowns nested so."""
    busy = pl.col("suppressed").any().over(GROUP_KEY)
    wanted = frame.filter(pl.col("additive") & ~pl.col("exempt") & busy)
    columns = [ROW, *GROUP_KEY, "unit", "breakdown", "breakdown_value", "value", "n", "within",
               "suppressed", "suppression", "locked", "within_breakdown"]  # fmt: skip
    rows = wanted.select(columns).sort([*GROUP_KEY, "breakdown", "breakdown_value"]).iter_rows()
    for (indicator_id, period), members in groupby(rows, key=lambda row: (row[1], row[2])):
        members = list(members)
        cells = [Cell(r[0], r[4], r[5], r[6], r[7], r[8], r[9], r[10], r[11]) for r in members]
        nests = {r[4]: r[12] for r in members if r[12] is not None}
        yield make_group(indicator_id, period, members[0][3], cells, nests)


def initial(cells: pl.DataFrame, config: Config, earlier: dict | None) -> pl.DataFrame:
    """The cells with their rules (``with_rules``), each labelled by the primary rule it
    breaks (a cell already suppressed keeps its label, else ``secondary``); a cell an earlier
    release published with the same value is locked (``earlier`` as ``protect`` takes it)."""
    frame = with_rules(cells, config)
    already = pl.coalesce(pl.col("suppression"), pl.lit(SECONDARY))
    label = pl.when(pl.col("suppressed")).then(already).otherwise(primary())
    frame = frame.with_columns(suppression=label)
    if earlier:
        before = [
            published_before(earlier, tuple(row[:4]), row[4])
            for row in frame.select(*SORT_KEY, "value").iter_rows()
        ]
        shown = pl.Series(before, dtype=pl.Boolean) & pl.col("suppression").is_null()
        frame = frame.with_columns(locked=pl.col("locked") | shown)
    return frame.with_columns(suppressed=pl.col("suppression").is_not_null())
