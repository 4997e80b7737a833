"""The engine around the SQL: rounding, the spine, unavailable tables, checks, determinism."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import polars as pl
import pytest

from arms_metrics.cells import CELL_SCHEMA, SORT_KEY
from arms_metrics.compute import indicators
from arms_metrics.errors import CheckFailed, ConfigError
from arms_metrics.quarters import Quarter
from tests.sql.helpers import config_with_reference, frame

round_value = indicators.round_value


@pytest.mark.parametrize(
    ("numerator", "n", "expected"),
    [
        (1, 16, D("6.2")),  # 6.25 -> 6.2 (tie, 2 is even)
        (3, 16, D("18.8")),  # 18.75 -> 18.8 (tie, 8 is even)
        (5, 16, D("31.2")),  # 31.25 -> 31.2
        (7, 16, D("43.8")),  # 43.75 -> 43.8
        (1, 3, D("33.3")),  # 33.333...
        (2, 3, D("66.7")),  # 66.666...
        (0, 7, D("0.0")),
        (7, 7, D("100.0")),
        (1, 8, D("12.5")),  # exact
    ],
)
def test_percent_is_exact_then_half_even(numerator: int, n: int, expected: D) -> None:
    assert round_value("percent", None, numerator, n) == expected


def test_percent_without_records_is_undefined() -> None:
    assert round_value("percent", None, 0, 0) is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (D("100.50"), D(100)),  # tie -> even
        (D("101.50"), D(102)),  # tie -> even
        (D("2.49"), D(2)),
        (D("2.51"), D(3)),
        (D("0.00"), D(0)),
        (D("12345678901234567.50"), D("12345678901234568")),  # beyond a double's precision
    ],
)
def test_usd_whole_dollars_half_even(value: D, expected: D) -> None:
    assert round_value("usd", value, None, 1) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (113.2, D("113.2")),
        (37.300000000000004, D("37.3")),  # a double near an exact one-decimal quantile
        (45.5, D("45.5")),
        (2.9999999999999996, D("3.0")),
        (None, None),
    ],
)
def test_days_one_decimal(value: float | None, expected: D | None) -> None:
    assert round_value("days", value, None, 1) == expected


def test_count_and_unknown_unit() -> None:
    assert round_value("count", D("7.0000000000"), None, 7) == D(7)
    with pytest.raises(ConfigError):
        round_value("ratio", 1, None, 1)


def test_quarter_spine() -> None:
    q = Quarter.parse("FY2026-Q2")
    assert indicators.quarter_spine(None, q) == [q]
    assert indicators.quarter_spine(dt.date(2026, 4, 1), q) == [q]  # after Q: only Q
    spine = indicators.quarter_spine(dt.date(2025, 9, 30), q)
    assert [s.label for s in spine] == ["FY2025-Q4", "FY2026-Q1", "FY2026-Q2"]
    frame_ = indicators.spine_frame(spine)
    assert frame_.row(0) == (
        "FY2025-Q4",
        2025 * 4 + 3,
        2025,
        4,
        dt.date(2025, 7, 1),
        dt.date(2025, 9, 30),
    )


LICENSES = [
    dict(application_id="A", received_date="2025-10-01", final_action_date="2025-10-11",
         outcome="APPROVED", approved_value_usd="10.00"),
    dict(application_id="B", destination_code="JP", received_date="2025-12-31"),
]  # fmt: skip


def test_unavailable_tables(config, tmp_path) -> None:
    cfg = config_with_reference(config, tmp_path)
    tables = {"export_licenses": frame("export_licenses", LICENSES)}
    got = indicators.compute(tables, cfg, Quarter.parse("FY2026-Q1"))
    license_ids = [i.id for i in cfg.registry.indicators if i.sources == ("export_licenses",)]
    assert set(got.unavailable) == set(cfg.registry.ids) - set(license_ids)
    assert sorted(set(got.cells["indicator_id"])) == sorted(license_ids)
    assert got.quarters == (Quarter.parse("FY2026-Q1"),)
    assert got.cells.schema == pl.Schema(CELL_SCHEMA)
    assert got.cells.equals(got.cells.sort(SORT_KEY))


def test_deliveries_without_cases_are_unavailable(config, tmp_path) -> None:
    cfg = config_with_reference(config, tmp_path)
    deliveries = frame("fms_deliveries", [dict(delivery_id="V", delivery_date="2025-10-01")])
    got = indicators.compute({"fms_deliveries": deliveries}, cfg, Quarter.parse("FY2026-Q1"))
    assert "fms_deliveries_value_usd" in got.unavailable
    assert got.cells.height == 0


def test_empty_table_is_available_with_zero_totals(config, tmp_path) -> None:
    cfg = config_with_reference(config, tmp_path)
    tables = {"export_licenses": frame("export_licenses", [])}
    got = indicators.compute(tables, cfg, Quarter.parse("FY2026-Q1"))
    pending = got.cells.filter(pl.col("indicator_id") == "lic_pending")
    assert pending.select("period", "breakdown", "value", "n").rows() == [
        ("FY2026-Q1", "total", D(0), 0)
    ]
    median = got.cells.filter(pl.col("indicator_id") == "lic_processing_days_median")
    assert median.select("value", "n").rows() == [(None, 0)]


def test_unknown_purchaser_fails_a_check(config, tmp_path) -> None:
    # ZZ is not in the test reference: its region is unknown, so a check stops the run.
    cfg = config_with_reference(config, tmp_path)
    rows = [dict(application_id="A", destination_code="ZZ", received_date="2025-10-01")]
    with pytest.raises(CheckFailed, match="chk_"):
        indicators.compute(
            {"export_licenses": frame("export_licenses", rows)}, cfg, Quarter.parse("FY2026-Q1")
        )


def test_missing_reference_is_a_config_error(config, tmp_path) -> None:
    cfg = config_with_reference(config, tmp_path)
    (tmp_path / "reference" / "purchasers.csv").unlink()
    with pytest.raises(ConfigError, match="purchaser reference"):
        indicators.compute({}, cfg, Quarter.parse("FY2026-Q1"))


def test_same_result_with_one_or_two_threads(config, tmp_path) -> None:
    cfg = config_with_reference(config, tmp_path)
    tables = {"export_licenses": frame("export_licenses", LICENSES * 1)}
    one = indicators.compute(tables, cfg, Quarter.parse("FY2026-Q2"), threads=1)
    two = indicators.compute(tables, cfg, Quarter.parse("FY2026-Q2"), threads=2)
    assert one.cells.equals(two.cells)
    assert one.cells.write_csv() == two.cells.write_csv()
