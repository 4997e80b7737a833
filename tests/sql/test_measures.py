"""The composed measures (compute/semantic.py) on a tiny hand-made population, worked by hand.

Spine FY2026-Q1 .. FY2026-Q3. The population ``pop_toy`` (a table standing in for a view):

| rec | period    | agency   | purchaser | region | days | usd    | within | anticipated |
|-----|-----------|----------|-----------|--------|------|--------|--------|-------------|
| r1  | FY2026-Q1 | STATE    | GB        | EUR    | 10   | 100.50 | true   | true        |
| r2  | FY2026-Q1 | STATE    | FR        | EUR    | 20   |        | false  |             |
| r3  | FY2026-Q1 | COMMERCE | JP        | EAP    | 40   | 3.25   | true   | false       |
| r4  | FY2026-Q2 | COMMERCE | JP        | EAP    |      | 7.00   | false  |             |

FY2026-Q3 has no record: only total rows. Cells are (period, breakdown, breakdown_value, n,
value, numerator, max_record_value, parent) with value exact (DECIMAL(38, 10)).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import polars as pl
import pytest

from arms_metrics.compute import indicators, semantic, warehouse
from arms_metrics.config import Indicator
from arms_metrics.errors import ConfigError
from arms_metrics.quarters import Quarter

Q1, Q2, Q3 = "FY2026-Q1", "FY2026-Q2", "FY2026-Q3"
BOTH = ("agency", "region", "purchaser")
TOY = pl.DataFrame(
    {
        "period": [Q1, Q1, Q1, Q2],
        "rec": ["r1", "r2", "r3", "r4"],
        "agency": ["STATE", "STATE", "COMMERCE", "COMMERCE"],
        "purchaser": ["GB", "FR", "JP", "JP"],
        "region": ["EUR", "EUR", "EAP", "EAP"],
        "days": [10, 20, 40, None],
        "usd": [D("100.50"), None, D("3.25"), D("7.00")],
        "within": [True, False, True, False],
        "anticipated": [True, None, False, None],
        "since": [dt.date(2026, 1, 1)] * 4,
    },
    schema_overrides={"days": pl.Int32(), "usd": pl.Decimal(18, 2)},
)

TOY_TYPES = {
    "period": "VARCHAR", "rec": "VARCHAR", "agency": "VARCHAR", "purchaser": "VARCHAR",
    "region": "VARCHAR", "days": "INTEGER", "usd": "DECIMAL(18,2)", "within": "BOOLEAN",
    "anticipated": "BOOLEAN", "since": "DATE",
}  # fmt: skip


def toy(measure: str, column: str, unit: str, breakdowns: tuple[str, ...] = BOTH) -> Indicator:
    return Indicator(
        id=f"toy_{measure}_{column}", title="t", unit=unit, kind="flow", family="fms",
        group="g", sources=(), breakdowns=breakdowns, additive=unit in ("count", "usd"),
        definition="d", population="toy", measure=measure, column=column,
    )  # fmt: skip


@pytest.fixture(scope="module")
def con():
    with warehouse.connect() as c:
        quarters = Quarter.span(Quarter.parse(Q1), Quarter.parse(Q3))
        warehouse.load_frame(c, "quarter_spine", indicators.spine_frame(quarters))
        warehouse.load_frame(c, "pop_toy", TOY)
        yield c


def cells(con, *members: Indicator) -> dict[str, list[tuple]]:
    got = semantic.population_cells(con, "toy", list(members))
    assert got.schema == pl.Schema(semantic.MEASURE_CELLS_SCHEMA)
    columns = ["period", "breakdown", "breakdown_value", "n", "value", "numerator"]
    columns += ["max_record_value", "parent"]
    return {
        i.id: got.filter(pl.col("indicator_id") == i.id).sort(columns[:3]).select(columns).rows()
        for i in members
    }


def test_count_of_records_and_of_a_flag(con):
    records, flagged = toy("count", "rec", "count"), toy("count", "within", "count")
    got = cells(con, records, flagged)
    assert got[records.id] == [
        (Q1, "agency", "COMMERCE", 1, D(1), None, None, None),
        (Q1, "agency", "STATE", 2, D(2), None, None, None),
        (Q1, "purchaser", "FR", 1, D(1), None, None, "EUR"),
        (Q1, "purchaser", "GB", 1, D(1), None, None, "EUR"),
        (Q1, "purchaser", "JP", 1, D(1), None, None, "EAP"),
        (Q1, "region", "EAP", 1, D(1), None, None, None),
        (Q1, "region", "EUR", 2, D(2), None, None, None),
        (Q1, "total", "All", 3, D(3), None, None, None),
        (Q2, "agency", "COMMERCE", 1, D(1), None, None, None),
        (Q2, "purchaser", "JP", 1, D(1), None, None, "EAP"),
        (Q2, "region", "EAP", 1, D(1), None, None, None),
        (Q2, "total", "All", 1, D(1), None, None, None),
        (Q3, "total", "All", 0, D(0), None, None, None),  # a quarter without records
    ]
    # a boolean column counts its true rows: r1 and r3 in Q1, none in Q2 (r4 is false),
    # so Q2 keeps only its total row
    assert [r for r in got[flagged.id] if r[1] in ("agency", "total")] == [
        (Q1, "agency", "COMMERCE", 1, D(1), None, None, None),
        (Q1, "agency", "STATE", 1, D(1), None, None, None),
        (Q1, "total", "All", 2, D(2), None, None, None),
        (Q2, "total", "All", 0, D(0), None, None, None),
        (Q3, "total", "All", 0, D(0), None, None, None),
    ]


def test_sum_counts_only_recorded_values_and_keeps_the_largest(con):
    total = toy("sum", "usd", "usd")
    # Q1: 100.50 + 3.25 = 103.75 over 2 values (r2 has none, so FR has no row at all)
    assert cells(con, total)[total.id] == [
        (Q1, "agency", "COMMERCE", 1, D("3.25"), None, D("3.25"), None),
        (Q1, "agency", "STATE", 1, D("100.50"), None, D("100.50"), None),
        (Q1, "purchaser", "GB", 1, D("100.50"), None, D("100.50"), "EUR"),
        (Q1, "purchaser", "JP", 1, D("3.25"), None, D("3.25"), "EAP"),
        (Q1, "region", "EAP", 1, D("3.25"), None, D("3.25"), None),
        (Q1, "region", "EUR", 1, D("100.50"), None, D("100.50"), None),
        (Q1, "total", "All", 2, D("103.75"), None, D("100.50"), None),
        (Q2, "agency", "COMMERCE", 1, D("7.00"), None, D("7.00"), None),
        (Q2, "purchaser", "JP", 1, D("7.00"), None, D("7.00"), "EAP"),
        (Q2, "region", "EAP", 1, D("7.00"), None, D("7.00"), None),
        (Q2, "total", "All", 1, D("7.00"), None, D("7.00"), None),
        (Q3, "total", "All", 0, D(0), None, None, None),
    ]


def test_median_and_p90_are_linear_quantiles(con):
    median, p90 = (
        toy("median", "days", "days", ("agency",)),
        toy("p90", "days", "days", ("agency",)),
    )
    got = cells(con, median, p90)
    # Q1 [10, 20, 40]: median 20; p90 at position 0.9 * 2 = 1.8 -> 20 + 0.8 * 20 = 36.
    # STATE [10, 20]: median 15, p90 10 + 0.9 * 10 = 19. COMMERCE [40]: 40.
    # Q2: r4 has no days -> n 0, undefined, and no breakdown row.
    assert got[median.id] == [
        (Q1, "agency", "COMMERCE", 1, D(40), None, None, None),
        (Q1, "agency", "STATE", 2, D(15), None, None, None),
        (Q1, "total", "All", 3, D(20), None, None, None),
        (Q2, "total", "All", 0, None, None, None, None),
        (Q3, "total", "All", 0, None, None, None, None),
    ]
    assert [r[:5] for r in got[p90.id]] == [
        (Q1, "agency", "COMMERCE", 1, D(40)),
        (Q1, "agency", "STATE", 2, D(19)),
        (Q1, "total", "All", 3, D(36)),
        (Q2, "total", "All", 0, None),
        (Q3, "total", "All", 0, None),
    ]
    doubles = semantic.population_cells(con, "toy", [p90])["value_double"].to_list()
    assert sorted(d for d in doubles if d is not None) == [19.0, 36.0, 40.0]


def test_share_with_null_outside_the_denominator(con):
    share = toy("share", "anticipated", "percent")
    # Q1: r1 true, r3 false, r2 null (not in the denominator) -> 1 of 2 = 50.0.
    # STATE: r1 -> 1 of 1; COMMERCE: r3 -> 0 of 1; FR (r2 only) has no row. Q2: r4 is null
    # -> n 0, undefined, numerator 0.
    assert cells(con, share)[share.id] == [
        (Q1, "agency", "COMMERCE", 1, D(0), 0, None, None),
        (Q1, "agency", "STATE", 1, D(100), 1, None, None),
        (Q1, "purchaser", "GB", 1, D(100), 1, None, "EUR"),
        (Q1, "purchaser", "JP", 1, D(0), 0, None, "EAP"),
        (Q1, "region", "EAP", 1, D(0), 0, None, None),
        (Q1, "region", "EUR", 1, D(100), 1, None, None),
        (Q1, "total", "All", 2, D(50), 1, None, None),
        (Q2, "total", "All", 0, None, 0, None, None),
        (Q3, "total", "All", 0, None, 0, None, None),
    ]


def test_each_indicator_keeps_only_its_own_breakdowns(con):
    narrow, wide = toy("count", "rec", "count", ("agency",)), toy("sum", "usd", "usd")
    got = cells(con, narrow, wide)
    assert {r[1] for r in got[narrow.id]} == {"agency", "total"}
    assert {r[1] for r in got[wide.id]} == {"agency", "purchaser", "region", "total"}


def test_one_query_with_values_only_as_parameters(con):
    members = [
        toy("count", "rec", "count"),
        toy("median", "days", "days"),
        toy("p90", "days", "days"),
    ]
    sql, params, aliases = semantic.compose("pop_toy", members, TOY_TYPES)
    assert sql.count("grouping sets") == 1
    assert "'" not in sql  # no literal value in the text
    assert {params["median"], params["p90"], params["total"], params["all"]} == {
        0.5,
        0.9,
        "total",
        "All",
    }
    assert params["b_purchaser"] == "purchaser"
    assert len(aliases) == 3


def test_catalog_types(con):
    assert semantic.population_columns(con, "pop_toy") == TOY_TYPES


@pytest.mark.parametrize(
    ("indicator", "message"),
    [
        (toy("count", "missing", "count"), "has no column 'missing'"),
        (toy("count", 'rec" from x; --', "count"), "has no column"),
        (toy("share", "days", "percent"), "a share reads a BOOLEAN"),
        (toy("sum", "days", "usd"), "a sum reads DECIMAL money"),
        (toy("median", "since", "days"), "a quantile reads numbers"),
        (toy("count", "rec", "count", ("application_type",)), "'application_type' (a breakdown)"),
    ],
)
def test_names_outside_the_allow_list_are_config_errors(con, indicator, message):
    with pytest.raises(ConfigError, match="indicator toy_") as info:
        semantic.population_cells(con, "toy", [indicator])
    assert message in str(info.value)
    assert info.value.exit_code == 78
