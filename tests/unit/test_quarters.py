"""The Quarter type: hand-written calendar facts of the US federal fiscal year."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from arms_metrics.quarters import Quarter

D = dt.date


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("FY2026-Q2", Quarter(2026, 2)),
        ("2026Q2", Quarter(2026, 2)),
        ("fy2026q2", Quarter(2026, 2)),
        ("FY2026Q4", Quarter(2026, 4)),
        (" FY2017-Q1 ", Quarter(2017, 1)),
    ],
)
def test_parse_accepted_spellings(text: str, expected: Quarter) -> None:
    assert Quarter.parse(text) == expected


@pytest.mark.parametrize("text", ["", "FY2026-Q5", "FY2026-Q0", "2026-05", "Q2 2026", "FY26-Q1"])
def test_parse_rejects(text: str) -> None:
    with pytest.raises(ValueError, match="fiscal quarter"):
        Quarter.parse(text)


def test_label_is_the_only_spelling() -> None:
    assert Quarter(2026, 2).label == "FY2026-Q2"
    assert str(Quarter(2017, 1)) == "FY2017-Q1"


@pytest.mark.parametrize(
    ("quarter", "start", "end"),
    [
        (Quarter(2026, 1), D(2025, 10, 1), D(2025, 12, 31)),
        (Quarter(2026, 2), D(2026, 1, 1), D(2026, 3, 31)),
        (Quarter(2026, 3), D(2026, 4, 1), D(2026, 6, 30)),
        (Quarter(2026, 4), D(2026, 7, 1), D(2026, 9, 30)),
        (Quarter(2024, 2), D(2024, 1, 1), D(2024, 3, 31)),
        (Quarter(9999, 4), D(9999, 7, 1), D(9999, 9, 30)),  # the last: no next quarter
        (Quarter(9999, 1), D(9998, 10, 1), D(9998, 12, 31)),
        (Quarter(1901, 1), D(1900, 10, 1), D(1900, 12, 31)),
    ],
)
def test_start_and_end(quarter: Quarter, start: dt.date, end: dt.date) -> None:
    assert (quarter.start, quarter.end) == (start, end)


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (D(2025, 9, 30), Quarter(2025, 4)),
        (D(2025, 10, 1), Quarter(2026, 1)),
        (D(2025, 12, 31), Quarter(2026, 1)),
        (D(2026, 1, 1), Quarter(2026, 2)),
        (D(2024, 2, 29), Quarter(2024, 2)),
        (D(2026, 6, 30), Quarter(2026, 3)),
        (D(2026, 7, 1), Quarter(2026, 4)),
    ],
)
def test_of_boundaries(day: dt.date, expected: Quarter) -> None:
    assert Quarter.of(day) == expected


def test_arithmetic_crosses_fiscal_years() -> None:
    assert Quarter(2026, 1).previous() == Quarter(2025, 4)
    assert Quarter(2025, 4).next() == Quarter(2026, 1)
    assert Quarter(2026, 2).year_ago() == Quarter(2025, 2)
    assert Quarter.span(Quarter(2025, 3), Quarter(2026, 1)) == [
        Quarter(2025, 3),
        Quarter(2025, 4),
        Quarter(2026, 1),
    ]
    assert Quarter(2025, 4) < Quarter(2026, 1)


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (D(2026, 11, 27), Quarter(2026, 4)),
        (D(2026, 10, 1), Quarter(2026, 4)),  # the day after FY2026 ends
        (D(2026, 9, 30), Quarter(2026, 3)),  # the last day of Q4: Q4 has not ended
        (D(2026, 1, 1), Quarter(2026, 1)),
    ],
)
def test_latest_ended(today: dt.date, expected: Quarter) -> None:
    assert Quarter.latest_ended(today) == expected


@given(st.dates(min_value=D(1950, 1, 1), max_value=D(2100, 12, 31)))
def test_every_day_is_in_exactly_its_quarter(day: dt.date) -> None:
    quarter = Quarter.of(day)
    assert quarter.contains(day)
    assert not quarter.next().contains(day)
    assert not quarter.previous().contains(day)
    assert Quarter.parse(quarter.label) == quarter
    assert quarter.end == quarter.next().start - dt.timedelta(days=1)
