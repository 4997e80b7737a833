"""Main points (issue 13): the sentences generated from a release's cells, checked against
numbers worked out by hand on small, hand-made releases (release quarter FY2026-Q2: the
previous quarter is FY2026-Q1, the same quarter a year earlier FY2025-Q2)."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

import pytest

from arms_metrics.site import pages
from arms_metrics.site.main_points import (
    main_points,
    rolling_card,
    rolling_sum,
    sentence,
    target_text,
)
from tests.unit.site_fixtures import cell, tiny_release

Q = "FY2026-Q2"
OFFERED, MEDIAN, RATE = (
    "fms_loas_offered",
    "fms_loa_development_days_median",
    "lic_approval_rate_pct",
)
IMPLEMENTED, PENDING = "fms_cases_implemented", "lic_pending"
WITHIN, USD = "lic_decided_within_target_pct", "fms_loas_accepted_value_usd"
USD_QUARTERS = [  # the eight quarters of two rolling four-quarter sums, oldest first
    "FY2024-Q3", "FY2024-Q4", "FY2025-Q1", "FY2025-Q2",
    "FY2025-Q3", "FY2025-Q4", "FY2026-Q1", "FY2026-Q2",
]  # fmt: skip
MILLION = 1_000_000


def three(indicator_id, unit, year_ago, previous, current):
    """The total of FY2025-Q2, FY2026-Q1 and FY2026-Q2 (None: no cell at all)."""
    rows = []
    for period, value in (("FY2025-Q2", year_ago), ("FY2026-Q1", previous), (Q, current)):
        if value == "S":
            rows.append(cell(indicator_id, period, None, unit, None, suppressed=True))
        elif value is not None:
            rows.append(cell(indicator_id, period, value, unit, 50))
    return rows


def say(config, rows, indicator_id, **kwargs):
    release = tiny_release(config, rows, Q, **kwargs)
    return sentence(release, config.registry.get(indicator_id))


SENTENCES = [
    # expected: a rise, neutral (no "better"): 55 - 50 = 5, 5 / 50 = 10.0 %; 55 - 40 = 15, 37.5 %
    (
        three(OFFERED, "count", 40, 50, 55),
        OFFERED,
        "LOAs offered, FY2026-Q2: 55, up 5 (+10.0%) on FY2026-Q1 and up 15 (+37.5%) on FY2025-Q2.",
    ),
    # a fall, higher_is worse: 28.0 - 30.5 = -2.5 days (better); 28.0 - 27.0 = +1.0 (worse)
    (
        three(MEDIAN, "days", Decimal("27.0"), Decimal("30.5"), Decimal("28.0")),
        MEDIAN,
        "LOA development time, median, FY2026-Q2: 28.0 days, down 2.5 days on FY2026-Q1 (better)"
        " and up 1.0 days on FY2025-Q2 (worse).",
    ),
    # unchanged; higher_is worse, but nothing changed so nothing is judged: 120 - 100 = +20 %
    (
        three(PENDING, "count", 100, 120, 120),
        PENDING,
        "License applications pending at quarter end, FY2026-Q2: 120, unchanged from FY2026-Q1"
        " and up 20 (+20.0%) on FY2025-Q2 (worse).",
    ),
    # percent -> percentage points, neutral: 87.5 - 85.0 = +2.5; 87.5 - 90.0 = -2.5
    (
        three(RATE, "percent", Decimal("90.0"), Decimal("85.0"), Decimal("87.5")),
        RATE,
        "Approval rate, FY2026-Q2: 87.5%, up 2.5 percentage points on FY2026-Q1 and down 2.5"
        " percentage points on FY2025-Q2.",
    ),
    # half-even rounding (views): 17 - 16 = 1, 1 / 16 = 6.25 % -> 6.2 %; 17 - 17 = 0
    (
        three(OFFERED, "count", 17, 16, 17),
        OFFERED,
        "LOAs offered, FY2026-Q2: 17, up 1 (+6.2%) on FY2026-Q1 and unchanged from FY2025-Q2.",
    ),
    # edge: the first quarter of coverage, nothing before it
    (
        three(OFFERED, "count", None, None, 55),
        OFFERED,
        "LOAs offered, FY2026-Q2: 55, no comparison with FY2026-Q1 (no figure) and no comparison"
        " with FY2025-Q2 (no figure).",
    ),
    # edge: a zero count is "no records"; 0 - 4 = -4, -100.0 %
    (
        three(OFFERED, "count", None, 4, 0),
        OFFERED,
        "LOAs offered, FY2026-Q2: no records, down 4 (-100.0%) on FY2026-Q1 and no comparison"
        " with FY2025-Q2 (no figure).",
    ),
    # edge: the previous quarter suppressed: no comparison, no value of it stated
    (
        three(OFFERED, "count", 40, "S", 55),
        OFFERED,
        "LOAs offered, FY2026-Q2: 55, no comparison with FY2026-Q1 (suppressed) and up 15"
        " (+37.5%) on FY2025-Q2.",
    ),
    # erroneous: the current quarter suppressed: no value, no change
    (
        three(IMPLEMENTED, "count", 40, 50, "S"),
        IMPLEMENTED,
        "Cases implemented, FY2026-Q2: suppressed under disclosure control.",
    ),
    # erroneous: no cell for the quarter at all
    (
        three(IMPLEMENTED, "count", 40, 50, None),
        IMPLEMENTED,
        "Cases implemented, FY2026-Q2: not available for this quarter.",
    ),
    # erroneous: a headline breakdown's categories only, no total: the total is what is said
    (
        [cell(PENDING, Q, 7, "count", 7, "agency", "STATE")],
        PENDING,
        "License applications pending at quarter end, FY2026-Q2: not available for this quarter.",
    ),
    # an undefined statistic (no records, value null, not suppressed)
    (
        [cell(MEDIAN, Q, None, "days", 0)],
        MEDIAN,
        "LOA development time, median, FY2026-Q2: no records, so no figure.",
    ),
    # performance against target, higher_is better: 70.0 - 72.5 = -2.5 points (worse)
    (
        three(WITHIN, "percent", None, Decimal("72.5"), Decimal("70.0")),
        WITHIN,
        "Licenses decided within 60 (State) or 90 (Commerce) calendar days, FY2026-Q2: 70.0%"
        " against a target of 60 calendar days at State (DDTC) and 90 at Commerce (BIS), down"
        " 2.5 percentage points on FY2026-Q1 (worse) and no comparison with FY2025-Q2"
        " (no figure).",
    ),
]


@pytest.mark.parametrize(("rows", "indicator_id", "expected"), SENTENCES)
def test_sentence_by_hand(config, rows, indicator_id, expected):
    assert say(config, rows, indicator_id) == expected


def test_an_unavailable_indicator_is_never_given_a_value(config):
    rows = three(IMPLEMENTED, "count", 40, 50, 55)
    got = say(config, rows, IMPLEMENTED, unavailable=(IMPLEMENTED,))
    assert got == "Cases implemented, FY2026-Q2: not available for this quarter."


def usd_rows(values_in_millions):
    """The total of the eight quarters to FY2026-Q2 ("S": suppressed)."""
    return [
        cell(USD, p, None, "usd", None, suppressed=True)
        if v == "S"
        else cell(USD, p, v * MILLION, "usd", 9)
        for p, v in zip(USD_QUARTERS, values_in_millions, strict=True)
    ]


ROLLING = [
    # before: 100 + 200 + 300 + 400 = 1,000 million; now: 250 * 3 + 500 = 1,250 million, shown
    # $1.2 billion (1.25 half-even); +250 million = +25.0 %
    (
        [100, 200, 300, 400, 250, 250, 250, 500],
        "Value of LOAs accepted, four quarters to FY2026-Q2: $1.2 billion, up $250.0 million"
        " (+25.0%) on the four quarters before.",
    ),
    # a fall: 1,000 -> 600 million, -400 million = -40.0 %
    (
        [250, 250, 250, 250, 0, 100, 200, 300],
        "Value of LOAs accepted, four quarters to FY2026-Q2: $600.0 million, down $400.0 million"
        " (-40.0%) on the four quarters before.",
    ),
    # one quarter of the four before suppressed: the sum is stated, the change is not
    (
        [100, "S", 300, 400, 250, 250, 250, 500],
        "Value of LOAs accepted, four quarters to FY2026-Q2: $1.2 billion; no comparison with"
        " the four quarters before, as one is not published.",
    ),
    # one quarter of the latest four suppressed: only the quarter itself, no sum
    (
        [100, 200, 300, 400, 250, "S", 250, 500],
        "Value of LOAs accepted, FY2026-Q2: $500.0 million; no four-quarter total, as a quarter"
        " in it is not published.",
    ),
    # the quarter itself suppressed: never a value
    (
        [100, 200, 300, 400, 250, 250, 250, "S"],
        "Value of LOAs accepted, FY2026-Q2: suppressed under disclosure control; no"
        " four-quarter total, as a quarter in it is not published.",
    ),
]


@pytest.mark.parametrize(("values", "expected"), ROLLING)
def test_usd_is_compared_over_four_quarters(config, values, expected):
    assert say(config, usd_rows(values), USD) == expected


def test_a_dollar_headline_card_compares_four_quarter_sums(config):
    # the same sums as ROLLING's first case: 1,000 million before, 1,250 million now
    release = tiny_release(config, usd_rows([100, 200, 300, 400, 250, 250, 250, 500]), Q)
    card = rolling_card(release, config.registry.get(USD))
    assert card == {
        "previous": "Four quarters to FY2026-Q2: $1.2 billion.",
        "year": "Up $250.0 million (+25.0%) on the four quarters before.",
    }
    release = tiny_release(config, usd_rows([100, 200, 300, 400, 250, "S", 250, 500]), Q)
    card = rolling_card(release, config.registry.get(USD))
    assert card == {
        "previous": "No four-quarter total: a quarter in it is not published.",
        "year": "",
    }
    cards = {c["id"]: c for c in pages.headlines(release)}  # the front page's cards
    assert cards[USD]["previous"].startswith("No four-quarter total")


def test_rolling_sum_is_exact_and_never_guessed(config):
    release = tiny_release(config, usd_rows([1, 2, 3, 4, 5, 6, 7, 8]), Q)
    indicator = config.registry.get(USD)
    assert rolling_sum(release, indicator, release.quarter) == (5 + 6 + 7 + 8) * MILLION
    assert rolling_sum(release, indicator, release.quarter.shift(-4)) == 10 * MILLION
    assert rolling_sum(release, indicator, release.quarter.shift(-5)) is None  # FY2024-Q2 absent


def test_targets_come_from_the_configuration(config):
    release = tiny_release(config, [], Q)
    development = config.registry.get("fms_loas_offered_within_target_pct")
    assert target_text(release, development) == (
        "45 calendar days for group A, 100 for group B and 150 for group C"
    )
    changed = dataclasses.replace(config, development_targets={"A": 30})
    assert target_text(tiny_release(changed, [], Q), development) == "30 calendar days for group A"
    none = dataclasses.replace(config, development_targets={})
    rows = three(development.id, "percent", None, None, Decimal("80.0"))
    assert sentence(tiny_release(none, rows, Q), development) == (
        "LOAs offered within the development target, FY2026-Q2: 80.0%, no comparison with"
        " FY2026-Q1 (no figure) and no comparison with FY2025-Q2 (no figure)."
    )


def test_points_are_sections_in_order_and_deterministic(config):
    rows = three(OFFERED, "count", 40, 50, 55) + three(RATE, "percent", None, 85, 87)
    release = tiny_release(config, rows, Q, unavailable=(IMPLEMENTED,))
    points = main_points(release)
    assert points == main_points(tiny_release(config, rows, Q, unavailable=(IMPLEMENTED,)))
    # congressional notifications has no headline indicator and no target: its first two
    # indicators (count and value) speak for it; this release has no cell of them
    assert [p["title"] for p in points] == [
        "FMS case development",
        "FMS case execution",
        "Congressional notifications",
        "Export licensing (State and Commerce)",
        "Export license outcomes",
    ]
    assert [s.split(",")[0] for s in points[2]["sentences"]] == [
        "Congressional notifications",
        "Estimated value of notified sales",
    ]
    assert all("not available for this quarter" in s for s in points[2]["sentences"])
    assert points[0]["sentences"][0] == (
        "LOAs offered, FY2026-Q2: 55, up 5 (+10.0%) on FY2026-Q1 and up 15 (+37.5%) on FY2025-Q2."
    )
    assert points[1]["sentences"] == [
        "Cases implemented, FY2026-Q2: not available for this quarter."
    ]
    # headline indicators, then within-target shares, in registry order
    assert [s.split(",")[0] for s in points[3]["sentences"]] == [
        "License applications received",
        "License final actions",
        "License processing time",
        "Licenses decided within 60 (State) or 90 (Commerce) calendar days",
        "License applications pending at quarter end",
    ]
    # the approval rate heads the outcomes' own section
    assert [s.split(",")[0] for s in points[4]["sentences"]] == ["Approval rate"]
    text = " ".join(s for p in points for s in p["sentences"])
    assert "no data" not in text and "(S)" not in text
