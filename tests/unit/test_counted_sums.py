"""A dollar sum with ``links.count`` goes with its hidden count (``linked.statistic_count_rows``,
``check._check_counted``): a published sum rests on at least 3 records, so it tells the
public its hidden count is at least 3. Figures worked out by hand beside them."""

from __future__ import annotations

import polars as pl
import pytest

from arms_metrics.disclosure import check, protect
from arms_metrics.errors import CheckFailed
from tests.unit.test_linked_protection import cell, frame

Q1 = "FY2026-Q1"
COUNT, VALUE = "fms_cases_implemented", "fms_cases_implemented_value_usd"


def truth() -> pl.DataFrame:
    # Cases implemented: MK 1, FI 3, GB 3 (total 7, public record). Their value: MK $10,
    # FI $900, GB $500 (total $1,410), no record above 85 % of its cell but MK's.
    rows = [
        cell(COUNT, Q1, "total", "All", 7),
        cell(VALUE, Q1, "total", "All", 1410, unit="usd", n=7),
    ]
    for who, count, value in (("MK", 1, 10), ("FI", 3, 900), ("GB", 3, 500)):
        rows.append(cell(COUNT, Q1, "purchaser", who, count))
        rows.append(cell(VALUE, Q1, "purchaser", who, value, unit="usd", n=count))
    return frame(rows)


def hidden(cells: pl.DataFrame, indicator: str) -> set[str]:
    return set(cells.filter(pl.col("suppressed") & (pl.col("indicator_id") == indicator))
               ["breakdown_value"])  # fmt: skip


def published(cells: pl.DataFrame, hide: pl.Expr) -> pl.DataFrame:
    """The cells as a release shows them with ``hide`` suppressed: no value, no n."""
    return cells.with_columns(
        suppressed=hide,
        value=pl.when(hide).then(None).otherwise(pl.col("value")),
        n=pl.when(hide).then(None).otherwise(pl.col("n")),
    )


@pytest.fixture
def cells() -> pl.DataFrame:
    return truth()


def test_a_sum_beside_its_hidden_count_fails_the_audit(config, cells) -> None:
    # The 0.1 per-table pattern: MK (1 case) hidden in both tables; the count table's
    # complement FI (3, the first of the two smallest by name), the value table's GB ($500,
    # the smallest). FI's $900 says FI rests on at least 3 cases: MK + FI = 4 pins MK at 1.
    old = (pl.col("indicator_id") == COUNT) & pl.col("breakdown_value").is_in(["MK", "FI"])
    old |= (pl.col("indicator_id") == VALUE) & pl.col("breakdown_value").is_in(["MK", "GB"])
    with pytest.raises(CheckFailed, match="published beside their suppressed count") as info:
        check.audit(published(cells, old), config, cells, complete=True)
    assert "900" not in str(info.value)  # names the cell, never its value
    assert "fms_cases_implemented_value_usd FY2026-Q1 purchaser=FI" in str(info.value)


@pytest.mark.parametrize("linked_tables", [False, True])
def test_the_protection_hides_a_sum_with_its_count(config, cells, linked_tables) -> None:
    shown = protect.protect(cells, config, linked_tables=linked_tables, complete=linked_tables)
    assert hidden(shown, COUNT) == {"MK", "FI"}
    assert hidden(shown, VALUE) == {"MK", "FI", "GB"}  # GB: FI and MK alone would be the rest
    check.audit(shown, config, cells, complete=True)  # passes
