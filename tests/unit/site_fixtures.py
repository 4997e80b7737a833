"""Builders of synthetic ``Release`` objects for the site tests (render, charts, publish).

The indicator engine and disclosure control are written elsewhere; these fixtures stand in
for their output so the site can be tested against the contract (``cells.CELL_SCHEMA``):
several quarters, every breakdown of the registry, and some suppressed, undefined and
revised cells. Values are simple closed forms of the period index so a test can work out
any expected number by hand.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import polars as pl

from arms_metrics.cells import ALL, CELL_SCHEMA, TOTAL, sort_cells
from arms_metrics.config import Config
from arms_metrics.quarters import Quarter
from arms_metrics.release import InputFile, Release

# A few values per breakdown; the purchaser names exercise CSV quoting and HTML escaping.
BREAKDOWN_VALUES: dict[str, tuple[str, ...]] = {
    "implementing_agency": ("AIR_FORCE", "ARMY", "NAVY"),
    "region": ("EAP", "EUR", "NEA"),
    "purchaser": ("Côte d'Ivoire", "Japan", "Korea, Republic of", "Poland <&>"),
    "priority_platform": ("false", "true"),
    "development_group": ("A", "B", "C"),
    "funding_source": ("FMF", "NATIONAL"),
    "agency": ("COMMERCE", "STATE"),
    "application_type": ("BIS-748P", "DSP-5"),
    "control_category": ("3", "IV"),
    "authority": ("AECA_36B", "AECA_36C"),
}

# The region (cell ``parent``) of each purchaser: the site groups purchasers under it.
PURCHASER_REGIONS = {
    "Côte d'Ivoire": "AF",
    "Japan": "EAP",
    "Korea, Republic of": "EAP",
    "Poland <&>": "EUR",
}

BASE = {"count": Decimal(40), "usd": Decimal(1_250_000_000), "days": Decimal("30.5")}


def cell(
    indicator_id: str,
    period: str,
    value: Decimal | int | str | None,
    unit: str,
    n: int | None,
    breakdown: str = TOTAL,
    breakdown_value: str = ALL,
    *,
    suppressed: bool = False,
    revised: bool = False,
    parent: str | None = None,
    numerator: int | None = None,
) -> dict[str, Any]:
    """One cell row as the engine would emit it (internal columns filled plausibly;
    ``numerator``: a rate's numerator count)."""
    quarter = Quarter.parse(period)
    return {
        "indicator_id": indicator_id,
        "period": quarter.label,
        "fiscal_year": quarter.fiscal_year,
        "fiscal_quarter": quarter.quarter,
        "breakdown": breakdown,
        "breakdown_value": breakdown_value,
        "value": None if value is None else Decimal(value).quantize(Decimal("0.1")),
        "unit": unit,
        "n": n,
        "max_record_value": Decimal("1.00") if unit == "usd" and n else None,
        "numerator": numerator,
        "parent": parent,
        "suppressed": suppressed,
        "suppression": "primary" if suppressed else None,
        "revised": revised,
    }


def cells_frame(rows: list[dict[str, Any]]) -> pl.DataFrame:
    """Rows -> a frame with exactly ``CELL_SCHEMA``, sorted by the total key."""
    return sort_cells(pl.DataFrame(rows, schema=CELL_SCHEMA, orient="row"))


def _value(unit: str, index: int, slot: int) -> Decimal:
    """A closed-form value: grows with the period index, differs per breakdown slot."""
    if unit == "percent":
        return Decimal(60 + 2 * index + slot) + Decimal("0.5")
    if unit == "days":
        return BASE["days"] + index + slot
    return BASE[unit] + 3 * index + slot if unit == "count" else BASE[unit] * (index + 1 + slot)


def _indicator_rows(indicator_id: str, unit: str, breakdowns: tuple[str, ...], periods: list[str]):
    rows = []
    for index, period in enumerate(periods):
        last = index == len(periods) - 1
        rows.append(cell(indicator_id, period, _value(unit, index, 0), unit, 50 + index))
        for breakdown in breakdowns:
            for slot, code in enumerate(BREAKDOWN_VALUES[breakdown], start=1):
                of = {"breakdown": breakdown, "breakdown_value": code}
                of["parent"] = PURCHASER_REGIONS[code] if breakdown == "purchaser" else None
                if breakdown == "purchaser" and slot == 1:  # a small cell: suppressed
                    rows.append(cell(indicator_id, period, None, unit, None, **of, suppressed=True))
                elif breakdown == "purchaser" and slot == 2 and last:  # no records at all
                    rows.append(cell(indicator_id, period, None, unit, 0, **of))
                else:
                    value = _value(unit, index, slot)
                    rows.append(cell(indicator_id, period, value, unit, 10 + slot, **of))
    return rows


def make_release(
    config: Config,
    *,
    quarter: str = "FY2026-Q2",
    n_quarters: int = 6,
    unavailable: tuple[str, ...] = ("cn_notifications", "cn_notifications_value_usd"),
    revised_against: str | None = "FY2026-Q1",
) -> Release:
    """A realistic release over ``n_quarters`` quarters ending at ``quarter``.

    Every registry indicator not in ``unavailable`` gets a total and every breakdown; the
    first purchaser is always suppressed, the second has no records in the last quarter,
    and the total of the quarter before the release quarter is marked revised. The first
    period's total of every percent indicator is suppressed too (a gap in the chart).
    """
    last = Quarter.parse(quarter)
    periods = [q.label for q in Quarter.span(last.shift(1 - n_quarters), last)]
    rows: list[dict[str, Any]] = []
    for indicator in config.registry.indicators:
        if indicator.id in unavailable:
            continue
        rows.extend(_indicator_rows(indicator.id, indicator.unit, indicator.breakdowns, periods))
    frame = cells_frame(rows)
    revised = (pl.col("period") == periods[-2]) & (pl.col("breakdown") == TOTAL)
    first_pct = (pl.col("period") == periods[0]) & (pl.col("unit") == "percent")
    first_pct &= pl.col("breakdown") == TOTAL
    frame = frame.with_columns(
        revised=pl.col("revised") | revised,
        suppressed=pl.col("suppressed") | first_pct,
        value=pl.when(first_pct).then(None).otherwise(pl.col("value")),
        n=pl.when(first_pct).then(None).otherwise(pl.col("n")),
    )
    return Release(
        quarter=last,
        release_date=config.release_date(last),
        config=config,
        cells=frame,
        version="0.1.0",
        unavailable=unavailable,
        inputs=(
            InputFile("export_licenses", "export_licenses.csv", "ab" * 32, 1200, 1195, 5),
            InputFile("fms_documents", "fms_documents.parquet", "cd" * 32, 800, 800, 0),
        ),
        audit={"cells": frame.height, "suppressed": int(frame["suppressed"].sum())},
        revised_against=revised_against,
    )


def tiny_release(config: Config, rows: list[dict[str, Any]], quarter: str, **kwargs) -> Release:
    """A release made of exactly ``rows`` (for tests that check numbers by hand)."""
    last = Quarter.parse(quarter)
    return Release(
        quarter=last,
        release_date=kwargs.pop("release_date", dt.date(2026, 5, 15)),
        config=config,
        cells=cells_frame(rows),
        version=kwargs.pop("version", "0.1.0"),
        **kwargs,
    )
