"""The end-use monitoring populations (pop_eum_checks_completed, pop_eum_checks_open) row by
row, and the four indicators measured over them, on a hand-made table, every expected
figure worked out by hand.

Release FY2026-Q2 (2026-01-01 .. 2026-03-31).
Reference (the tests' own): GB, FR -> EUR; JP -> EAP; SA -> NEA; NATO -> IO; DE is not in
it (an unknown region).

| id | program       | type          | country | initiated  | completed  | result      | days |
|----|---------------|---------------|---------|------------|------------|-------------|------|
| E1 | GOLDEN_SENTRY | ROUTINE       | GB      | 2025-09-15 | 2025-10-15 | FAVORABLE   | 30   |
| E2 | BLUE_LANTERN  | PRE_LICENSE   | JP      | 2025-11-01 | 2026-01-15 | UNFAVORABLE | 75   |
| E3 | BLUE_LANTERN  | POST_SHIPMENT | FR      | 2026-01-10 | 2026-03-31 | UNVERIFIED  | 80   |
| E4 | BIS_END_USE   | PRE_LICENSE   | SA      | 2026-02-01 | 2026-04-10 | FAVORABLE   |      |
| E5 | BIS_END_USE   | POST_SHIPMENT | NATO    | 2026-03-31 | (open)     |             |      |
| E6 | GOLDEN_SENTRY | ENHANCED      | GB      | 2026-01-20 | 2026-02-19 | UNFAVORABLE | 30   |
| E7 | BLUE_LANTERN  | POST_SHIPMENT | GB      | 2026-04-05 |            |             |      |
| E8 | GOLDEN_SENTRY | ROUTINE       | DE      | 2026-02-01 | (open)     |             |      |

Days: E1 Sep 15 -> Oct 15 = 15 + 15 = 30; E2 Nov 1 -> Jan 15 = 29 + 31 + 15 = 75; E3 Jan 10
-> Mar 31 = 21 + 28 + 31 = 80; E6 Jan 20 -> Feb 19 = 11 + 19 = 30.
E4's completion is after the release (still open, no result yet); E7 is initiated after it
(absent). E8 (country DE, no region) is only in the population views' table: the cell
checks refuse a null region, so the cells are computed without it.
First anchor: E1 initiated 2025-09-15 -> FY2025-Q4: the spine is FY2025-Q4 .. FY2026-Q2.
"""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from arms_metrics.compute import indicators
from arms_metrics.quarters import Quarter
from tests.sql.helpers import cells_of, config_with_reference, frame, populations, rows_of, totals

Q2 = "FY2026-Q2"
Q1 = "FY2026-Q1"
Q4 = "FY2025-Q4"

ROWS = [
    dict(check_id="E1", program="GOLDEN_SENTRY", check_type="ROUTINE",
         initiated_date="2025-09-15", completed_date="2025-10-15", result="FAVORABLE"),
    dict(check_id="E2", check_type="PRE_LICENSE", country_code="JP",
         initiated_date="2025-11-01", completed_date="2026-01-15", result="UNFAVORABLE"),
    dict(check_id="E3", country_code="FR", initiated_date="2026-01-10",
         completed_date="2026-03-31", result="UNVERIFIED"),
    dict(check_id="E4", program="BIS_END_USE", check_type="PRE_LICENSE", country_code="SA",
         initiated_date="2026-02-01", completed_date="2026-04-10", result="FAVORABLE"),
    dict(check_id="E5", program="BIS_END_USE", country_code="NATO",
         initiated_date="2026-03-31"),
    dict(check_id="E6", program="GOLDEN_SENTRY", check_type="ENHANCED",
         initiated_date="2026-01-20", completed_date="2026-02-19", result="UNFAVORABLE"),
    dict(check_id="E7", initiated_date="2026-04-05"),
]  # fmt: skip
UNKNOWN_REGION = dict(check_id="E8", program="GOLDEN_SENTRY", check_type="ROUTINE",
                      country_code="DE", initiated_date="2026-02-01")  # fmt: skip

BREAKDOWNS = "program, check_type, region"


@pytest.fixture(scope="module")
def computed(config, tmp_path_factory):
    cfg = config_with_reference(config, tmp_path_factory.mktemp("eum"))
    return indicators.compute({"eum_checks": frame("eum_checks", ROWS)}, cfg, Quarter.parse(Q2))


@pytest.fixture(scope="module")
def con(config, tmp_path_factory):
    cfg = config_with_reference(config, tmp_path_factory.mktemp("p"))
    tables = {"eum_checks": frame("eum_checks", [*ROWS, UNKNOWN_REGION])}
    with populations(tables, cfg, Q2) as c:
        yield c


# ------------------------------------------------------------------- the population views
def test_pop_eum_checks_completed(con):
    # Each check in the quarter completed: E1 in Q1; E6 (Feb 19), E2 (Jan 15) and E3 (Mar
    # 31, the quarter's last day) in Q2. E4's completion (Apr 10) is after the release.
    # unfavorable: E2 and E6; E3 is unverified (in the denominator, not the numerator).
    columns = "period, check_id, duration_days, unfavorable"
    assert rows_of(con, "pop_eum_checks_completed", columns) == [
        (Q1, "E1", 30, False),
        (Q2, "E2", 75, True),
        (Q2, "E3", 80, False),
        (Q2, "E6", 30, True),
    ]
    rows = rows_of(con, "pop_eum_checks_completed", f"period, check_id, {BREAKDOWNS}")
    assert rows == [
        (Q1, "E1", "GOLDEN_SENTRY", "ROUTINE", "EUR"),
        (Q2, "E2", "BLUE_LANTERN", "PRE_LICENSE", "EAP"),
        (Q2, "E3", "BLUE_LANTERN", "POST_SHIPMENT", "EUR"),
        (Q2, "E6", "GOLDEN_SENTRY", "ENHANCED", "EUR"),
    ]


def test_pop_eum_checks_open(con):
    # At Sep 30: E1 (completed Oct 15). At Dec 31: E2 (completed Jan 15). At Mar 31: E4 (its
    # completion is after the release: still open), E5 (initiated that day), E8 (no region:
    # null, still counted); E3 completed on Mar 31 is not open, nor E6 (Feb 19).
    assert rows_of(con, "pop_eum_checks_open", f"period, check_id, {BREAKDOWNS}") == [
        (Q4, "E1", "GOLDEN_SENTRY", "ROUTINE", "EUR"),
        (Q1, "E2", "BLUE_LANTERN", "PRE_LICENSE", "EAP"),
        (Q2, "E4", "BIS_END_USE", "PRE_LICENSE", "NEA"),
        (Q2, "E5", "BIS_END_USE", "POST_SHIPMENT", "IO"),
        (Q2, "E8", "GOLDEN_SENTRY", "ROUTINE", None),
    ]


# -------------------------------------------------------- the indicators over them (cells)
def test_spine_and_unavailable(computed):
    assert [q.label for q in computed.quarters] == [Q4, Q1, Q2]
    assert "tpt_pending" in computed.unavailable
    assert set(computed.cells["indicator_id"]) == {
        "eum_checks_completed", "eum_unfavorable_pct", "eum_check_days_median",
        "eum_checks_open",
    }  # fmt: skip


def test_eum_checks_completed(computed):
    # Q4: none. Q1: E1. Q2: E2, E3, E6 = 3; by program BLUE_LANTERN E2, E3 = 2,
    # GOLDEN_SENTRY E6 = 1; by region EUR E3, E6 = 2, EAP E2 = 1.
    assert totals(computed, "eum_checks_completed") == {
        Q4: (D(0), 0),
        Q1: (D(1), 1),
        Q2: (D(3), 3),
    }
    rows = [r for r in cells_of(computed.cells, "eum_checks_completed") if r[0] == Q2]
    assert rows == [
        (Q2, "check_type", "ENHANCED", D(1), 1, None),
        (Q2, "check_type", "POST_SHIPMENT", D(1), 1, None),
        (Q2, "check_type", "PRE_LICENSE", D(1), 1, None),
        (Q2, "program", "BLUE_LANTERN", D(2), 2, None),
        (Q2, "program", "GOLDEN_SENTRY", D(1), 1, None),
        (Q2, "region", "EAP", D(1), 1, None),
        (Q2, "region", "EUR", D(2), 2, None),
        (Q2, "total", "All", D(3), 3, None),
    ]


def test_eum_unfavorable_pct(computed):
    # Q1: E1 favorable -> 0 / 1 = 0.0. Q2: E2, E6 unfavorable of 3 (E3 unverified counts in
    # the denominator) -> 200 / 3 = 66.67 -> 66.7. By program in Q2: BLUE_LANTERN 1 / 2 =
    # 50.0; GOLDEN_SENTRY 1 / 1 = 100.0.
    assert totals(computed, "eum_unfavorable_pct") == {
        Q4: (None, 0),
        Q1: (D("0.0"), 1),
        Q2: (D("66.7"), 3),
    }
    rows = cells_of(computed.cells, "eum_unfavorable_pct")
    by_program = {r[2]: (r[3], r[4]) for r in rows if r[0] == Q2 and r[1] == "program"}
    assert by_program == {"BLUE_LANTERN": (D("50.0"), 2), "GOLDEN_SENTRY": (D("100.0"), 1)}


def test_eum_check_days_median(computed):
    # Q1: [30] -> 30.0. Q2: [30, 75, 80] -> 75.0. By program in Q2: BLUE_LANTERN [75, 80]
    # -> 77.5; GOLDEN_SENTRY [30] -> 30.0.
    assert totals(computed, "eum_check_days_median") == {
        Q4: (None, 0),
        Q1: (D("30.0"), 1),
        Q2: (D("75.0"), 3),
    }
    rows = cells_of(computed.cells, "eum_check_days_median")
    by_program = {r[2]: (r[3], r[4]) for r in rows if r[0] == Q2 and r[1] == "program"}
    assert by_program == {"BLUE_LANTERN": (D("77.5"), 2), "GOLDEN_SENTRY": (D("30.0"), 1)}


def test_eum_checks_open(computed):
    # Q4: E1; Q1: E2; Q2: E4, E5 (E8 is not in this table). By region in Q2: NEA E4, IO E5.
    assert totals(computed, "eum_checks_open") == {Q4: (D(1), 1), Q1: (D(1), 1), Q2: (D(2), 2)}
    rows = cells_of(computed.cells, "eum_checks_open")
    by_region = {r[2]: (r[3], r[4]) for r in rows if r[0] == Q2 and r[1] == "region"}
    assert by_region == {"IO": (D(1), 1), "NEA": (D(1), 1)}
    by_type = {r[2]: (r[3], r[4]) for r in rows if r[0] == Q2 and r[1] == "check_type"}
    assert by_type == {"POST_SHIPMENT": (D(1), 1), "PRE_LICENSE": (D(1), 1)}
