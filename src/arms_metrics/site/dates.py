"""Dates as the pages write them: "January 5, 2026", and a quarter's first to last day."""

from __future__ import annotations

import datetime as dt

from arms_metrics.quarters import Quarter

MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def long_date(day: dt.date) -> str:
    return f"{MONTHS[day.month - 1]} {day.day}, {day.year}"


def period_dates(quarter: Quarter) -> str:
    return f"{long_date(quarter.start)} to {long_date(quarter.end)}"
