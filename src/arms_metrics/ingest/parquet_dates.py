"""Parquet date columns read without trusting polars with any value the file can hold.

A parquet ``date32`` holds about +-5.8 million years and a timestamp about +-292,000 years,
but polars (chrono) turns only years -262,143..262,142 into text or Python dates and panics
beyond them. So the range is checked on the integer representation first: a date outside
the years 1..9999 is written as text with its signed year (``+300000-01-01``), which the
date parser reads as ``out_of_range``. Timestamps (``date64``, and timestamps with or without
a time zone) are dates when their wall-clock time is midnight; any other time is written as
the timestamp's text, which is ``not_a_date``.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

_EPOCH = dt.date(1970, 1, 1)
_FIRST = (dt.date(1, 1, 1) - _EPOCH).days
_LAST = (dt.date(9999, 12, 31) - _EPOCH).days
_PER_DAY = {"ns": 86_400 * 10**9, "us": 86_400 * 10**6, "ms": 86_400 * 10**3}


def civil(days: int) -> str:
    """ISO text of any day count from 1970-01-01, years signed beyond 1..9999 (proleptic
    Gregorian; H. Hinnant's civil_from_days)."""
    z = days + 719_468
    era, doe = divmod(z, 146_097)
    yoe = (doe - doe // 1460 + doe // 36_524 - doe // 146_096) // 365
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    day, month = doy - (153 * mp + 2) // 5 + 1, mp + 3 if mp < 10 else mp - 9
    year = yoe + era * 400 + (month <= 2)
    if 1 <= year <= 9999:
        return f"{year:04d}-{month:02d}-{day:02d}"
    return f"{year:+07d}-{month:02d}-{day:02d}"


def _days(series: pl.Series) -> pl.Series:
    """Whole days from 1970-01-01 (floor) of a Date or Datetime column, as integers."""
    if series.dtype == pl.Date:
        return series.to_physical().cast(pl.Int64)
    return series.to_physical().cast(pl.Int64) // _PER_DAY[series.dtype.time_unit]


def _outside(series: pl.Series) -> pl.Series:
    days = _days(series)
    return ((days < _FIRST) | (days > _LAST)).fill_null(False)


def _wall_text(safe: pl.Series) -> pl.Series:
    """The date of a timestamp at midnight wall-clock time, else its full text."""
    local = safe.dt.replace_time_zone(None) if safe.dtype.time_zone else safe
    midnight = local.dt.time() == dt.time(0)
    return pl.select(
        pl.when(midnight).then(local.dt.date().cast(pl.String)).otherwise(local.cast(pl.String))
    ).to_series()


def date_column(series: pl.Series) -> pl.Series:
    """A parquet Date or Datetime column: kept when every value is a safe date, else as text
    the date parser reads (safe dates as ISO, others with their signed year)."""
    outside = _outside(series)
    if series.dtype == pl.Date and not outside.any():
        return series
    safe = series.set(outside, None) if outside.any() else series
    text = safe.cast(pl.String) if safe.dtype == pl.Date else _wall_text(safe)
    far = _days(series).filter(outside).unique().to_list()
    far_text = _days(series).replace_strict(
        far, [civil(d) for d in far], default=None, return_dtype=pl.String
    )
    out = pl.select(pl.when(outside).then(far_text).otherwise(text)).to_series()
    return out.alias(series.name)
