"""The license populations (pop_lic_applications_received, pop_lic_final_actions,
pop_lic_pending) row by row, and the indicators measured over them, on a hand-made table,
every expected figure worked out by hand.

Release FY2026-Q2 (2026-01-01 .. 2026-03-31). Targets: STATE 60, COMMERCE 90 days.
Reference: GB, FR -> EUR; JP -> EAP; SA -> NEA; NATO -> IO.

| id | agency   | type     | dest | cat | received   | final      | outcome  | approved | days |
|----|----------|----------|------|-----|------------|------------|----------|----------|------|
| L1 | STATE    | DSP-5    | GB   | IV  | 2025-09-30 | 2025-10-01 | APPROVED | 100.50   | 1    |
| L2 | STATE    | DSP-5    | FR   | IV  | 2025-10-01 | 2025-12-31 | DENIED   |          | 91   |
| L3 | COMMERCE | BIS-748P | JP   | 3   | 2025-12-31 | 2026-01-01 | APPR_W_C | 200.50   | 1    |
| L4 | COMMERCE | BIS-748P | JP   | 3   | 2024-02-29 | (pending)  |          |          |      |
| L5 | STATE    | DSP-73   | SA   | XXI | 2026-02-01 | 2026-04-01 | RWA      |          |      |
| L6 | STATE    | AGREEMENT| GB   | IV  | 2026-04-02 |            |          |          |      |
| L7 | STATE    | DSP-5    | GB   | IV  | 2025-11-15 | 2026-03-31 | RWA      |          | 136  |
| L8 | COMMERCE | BIS-748P | NATO | 5   | 2026-01-10 | 2026-02-09 | WITHDRAWN|          | 30   |
| L9 | STATE    | DSP-5    | GB   | IV  | 2026-01-05 | 2026-03-06 | APPROVED | (null)   | 60   |

L5's final action is after the release (still pending); L6 is received after it (absent).
Days: L2 Oct 1 -> Dec 31 = 30 + 30 + 31 = 91; L7 Nov 15 -> Mar 31 = 15 + 31 + 31 + 28 + 31
= 136; L9 Jan 5 -> Mar 6 = 26 + 28 + 6 = 60; L8 Jan 10 -> Feb 9 = 30.
First anchor: L4 received 2024-02-29 (leap day) -> FY2024-Q2, so the spine is FY2024-Q2 ..
FY2026-Q2 (9 quarters), FY2024-Q3 .. FY2025-Q3 without any flow event.
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
EMPTY = ["FY2024-Q3", "FY2024-Q4", "FY2025-Q1", "FY2025-Q2", "FY2025-Q3"]
ALL_PERIODS = ["FY2024-Q2", *EMPTY, Q4, Q1, Q2]

ROWS = [
    dict(application_id="L1", received_date="2025-09-30", final_action_date="2025-10-01",
         outcome="APPROVED", approved_value_usd="100.50"),
    dict(application_id="L2", destination_code="FR", received_date="2025-10-01",
         final_action_date="2025-12-31", outcome="DENIED"),
    dict(application_id="L3", agency="COMMERCE", application_type="BIS-748P",
         destination_code="JP", control_category="3", received_date="2025-12-31",
         final_action_date="2026-01-01", outcome="APPROVED_WITH_CONDITIONS",
         approved_value_usd="200.50"),
    dict(application_id="L4", agency="COMMERCE", application_type="BIS-748P",
         destination_code="JP", control_category="3", received_date="2024-02-29"),
    dict(application_id="L5", application_type="DSP-73", destination_code="SA",
         control_category="XXI", received_date="2026-02-01", final_action_date="2026-04-01",
         outcome="RETURNED_WITHOUT_ACTION"),
    dict(application_id="L6", application_type="AGREEMENT", received_date="2026-04-02"),
    dict(application_id="L7", received_date="2025-11-15", final_action_date="2026-03-31",
         outcome="RETURNED_WITHOUT_ACTION"),
    dict(application_id="L8", agency="COMMERCE", application_type="BIS-748P",
         destination_code="NATO", control_category="5", received_date="2026-01-10",
         final_action_date="2026-02-09", outcome="WITHDRAWN"),
    dict(application_id="L9", received_date="2026-01-05", final_action_date="2026-03-06",
         outcome="APPROVED"),
]  # fmt: skip


BREAKDOWNS = "agency, application_type, region, purchaser, control_category"


@pytest.fixture(scope="module")
def computed(config, tmp_path_factory):
    cfg = config_with_reference(config, tmp_path_factory.mktemp("lic"))
    tables = {"export_licenses": frame("export_licenses", ROWS)}
    return indicators.compute(tables, cfg, Quarter.parse(Q2))


@pytest.fixture(scope="module")
def con(config, tmp_path_factory):
    cfg = config_with_reference(config, tmp_path_factory.mktemp("p"))
    with populations({"export_licenses": frame("export_licenses", ROWS)}, cfg, Q2) as c:
        yield c


# ------------------------------------------------------------------- the population views
def test_pop_lic_applications_received(con):
    # Each application in the quarter received; L6 (Apr 2) is after the release.
    rows = rows_of(con, "pop_lic_applications_received", f"period, application_id, {BREAKDOWNS}")
    assert rows == [
        ("FY2024-Q2", "L4", "COMMERCE", "BIS-748P", "EAP", "JP", "3"),
        (Q4, "L1", "STATE", "DSP-5", "EUR", "GB", "IV"),
        (Q1, "L2", "STATE", "DSP-5", "EUR", "FR", "IV"),
        (Q1, "L3", "COMMERCE", "BIS-748P", "EAP", "JP", "3"),
        (Q1, "L7", "STATE", "DSP-5", "EUR", "GB", "IV"),
        (Q2, "L5", "STATE", "DSP-73", "NEA", "SA", "XXI"),
        (Q2, "L8", "COMMERCE", "BIS-748P", "IO", "NATO", "5"),
        (Q2, "L9", "STATE", "DSP-5", "EUR", "GB", "IV"),
    ]


def test_pop_lic_final_actions(con):
    # Days and targets (STATE 60, COMMERCE 90) as in the table above; approved is null for
    # returns and withdrawals (not in the approval rate); the approved value only for
    # approvals that record one. L5's final action is after the release: not here.
    columns = (
        "period, application_id, duration_days, within_target, approved, "
        "returned_without_action, approved_value_usd"
    )
    assert rows_of(con, "pop_lic_final_actions", columns) == [
        (Q1, "L1", 1, True, True, False, D("100.50")),
        (Q1, "L2", 91, False, False, False, None),
        (Q2, "L3", 1, True, True, False, D("200.50")),
        (Q2, "L7", 136, False, None, True, None),
        (Q2, "L8", 30, True, None, False, None),
        (Q2, "L9", 60, True, True, False, None),  # 60 <= 60: the boundary is within
    ]
    rows = rows_of(con, "pop_lic_final_actions", f"period, application_id, {BREAKDOWNS}")
    assert (Q2, "L8", "COMMERCE", "BIS-748P", "IO", "NATO", "5") in rows


def test_pop_lic_final_actions_outcomes(con):
    # One flag per outcome, exactly one true per row; the decision time only for approvals
    # (with or without conditions) and denials: L7 (returned) and L8 (withdrawn) have none.
    columns = (
        "period, application_id, decided_duration_days, approved_unconditionally, "
        "approved_with_conditions, denied, returned_without_action, withdrawn"
    )
    assert rows_of(con, "pop_lic_final_actions", columns) == [
        (Q1, "L1", 1, True, False, False, False, False),
        (Q1, "L2", 91, False, False, True, False, False),
        (Q2, "L3", 1, False, True, False, False, False),
        (Q2, "L7", None, False, False, False, True, False),
        (Q2, "L8", None, False, False, False, False, True),
        (Q2, "L9", 60, True, False, False, False, False),
    ]


def test_pop_lic_pending(con):
    # L4 (COMMERCE, received 2024-02-29) is pending at every quarter end: age 31 on
    # 2024-03-31, 122 > 90 on 2024-06-30 and older after. L1 pending on Sep 30 (age 0); L3
    # (age 0) and L7 (Dec 31 - Nov 15 = 46 <= 60) on Dec 31; L5 on Mar 31 (58 <= 60). L2, L8
    # and L9 were decided within the quarter they were received.
    expected = (
        [("FY2024-Q2", "L4", False)]
        + [(p, "L4", True) for p in EMPTY]
        + [
            (Q4, "L1", False),
            (Q4, "L4", True),
            (Q1, "L3", False),
            (Q1, "L4", True),
            (Q1, "L7", False),
            (Q2, "L4", True),
            (Q2, "L5", False),
        ]
    )
    assert rows_of(con, "pop_lic_pending", "period, application_id, over_target") == expected
    rows = rows_of(con, "pop_lic_pending", f"period, application_id, {BREAKDOWNS}")
    assert (Q2, "L5", "STATE", "DSP-73", "NEA", "SA", "XXI") in rows


# -------------------------------------------------------- the indicators over them (cells)


def test_spine_and_unavailable(computed):
    assert [q.label for q in computed.quarters] == ALL_PERIODS
    # only export_licenses was given: every FMS and notification indicator is unavailable
    assert "lic_pending" not in computed.unavailable
    assert "fms_lors_received" in computed.unavailable
    assert "cn_notifications" in computed.unavailable
    assert set(computed.cells["indicator_id"]) == {
        i for i in computed.cells["indicator_id"] if i.startswith("lic_")
    }


def test_lic_applications_received(computed):
    # L4 in FY2024-Q2; L1 Sep 30 in FY2025-Q4; L2 Oct 1, L7 Nov 15, L3 Dec 31 in Q1;
    # L9 Jan 5, L8 Jan 10, L5 Feb 1 in Q2; L6 (Apr 2) is after the release: not counted.
    expected = {p: (D(0), 0) for p in EMPTY}
    expected |= {"FY2024-Q2": (D(1), 1), Q4: (D(1), 1), Q1: (D(3), 3), Q2: (D(3), 3)}
    assert totals(computed, "lic_applications_received") == expected


def test_lic_final_actions_every_row_of_q2(computed):
    # Q2 final actions: L3 (Jan 1), L8, L9, L7 (Mar 31); L5's Apr 1 action is after the release.
    rows = [r for r in cells_of(computed.cells, "lic_final_actions") if r[0] == Q2]
    assert rows == [
        (Q2, "agency", "COMMERCE", D(2), 2, None),  # L3, L8
        (Q2, "agency", "STATE", D(2), 2, None),  # L7, L9
        (Q2, "application_type", "BIS-748P", D(2), 2, None),
        (Q2, "application_type", "DSP-5", D(2), 2, None),
        (Q2, "control_category", "3", D(1), 1, None),
        (Q2, "control_category", "5", D(1), 1, None),
        (Q2, "control_category", "IV", D(2), 2, None),
        (Q2, "purchaser", "GB", D(2), 2, "EUR"),  # L7, L9
        (Q2, "purchaser", "JP", D(1), 1, "EAP"),
        (Q2, "purchaser", "NATO", D(1), 1, "IO"),
        (Q2, "region", "EAP", D(1), 1, None),
        (Q2, "region", "EUR", D(2), 2, None),
        (Q2, "region", "IO", D(1), 1, None),
        (Q2, "total", "All", D(4), 4, None),
    ]
    expected = {p: (D(0), 0) for p in ["FY2024-Q2", *EMPTY, Q4]} | {Q1: (D(2), 2), Q2: (D(4), 4)}
    assert totals(computed, "lic_final_actions") == expected


def test_empty_quarters_have_total_only(computed):
    # FY2024-Q3: no event at all -> counts 0, days and percent undefined (None), n 0.
    period = "FY2024-Q3"
    for indicator_id, value in [
        ("lic_final_actions", D(0)),
        ("lic_approved_value_usd", D(0)),
        ("lic_processing_days_median", None),
        ("lic_approval_rate_pct", None),
    ]:
        rows = [r for r in cells_of(computed.cells, indicator_id) if r[0] == period]
        assert rows == [(period, "total", "All", value, 0, None)]


def test_lic_approval_rate_pct(computed):
    # Q1: L1 APPROVED, L2 DENIED -> 1/2 = 50.0 (n 2). Q2: L3 AWC, L9 APPROVED; L7 RWA and L8
    # WITHDRAWN are left out -> 2/2 = 100.0 (n 2). FY2025-Q4: no final action -> None, n 0.
    got = totals(computed, "lic_approval_rate_pct")
    assert got[Q1] == (D("50.0"), 2)
    assert got[Q2] == (D("100.0"), 2)
    assert got[Q4] == (None, 0)
    by_agency = {r[2]: (r[3], r[4]) for r in cells_of(computed.cells, "lic_approval_rate_pct")
                 if r[0] == Q2 and r[1] == "agency"}  # fmt: skip
    assert by_agency == {"COMMERCE": (D("100.0"), 1), "STATE": (D("100.0"), 1)}


def test_lic_returned_without_action_pct(computed):
    # Q1: 0 of 2 -> 0.0; Q2: L7 of 4 final actions -> 25.0.
    got = totals(computed, "lic_returned_without_action_pct")
    assert got[Q1] == (D("0.0"), 2)
    assert got[Q2] == (D("25.0"), 4)
    # STATE in Q2: L7 RWA, L9 approved -> 1/2 = 50.0
    rows = cells_of(computed.cells, "lic_returned_without_action_pct")
    assert (Q2, "agency", "STATE", D("50.0"), 2, None) in rows


def test_every_outcome_share(computed):
    # Q1: L1 APPROVED, L2 DENIED of 2 final actions. Q2: L9 APPROVED, L3 AWC, L7 RWA,
    # L8 WITHDRAWN of 4. Each share over all final actions; the five add up to 100.
    expected = {
        "lic_approved_pct": ("50.0", "25.0"),
        "lic_approved_with_conditions_pct": ("0.0", "25.0"),
        "lic_denied_pct": ("50.0", "0.0"),
        "lic_returned_without_action_pct": ("0.0", "25.0"),
        "lic_withdrawn_pct": ("0.0", "25.0"),
    }
    for indicator_id, (q1, q2) in expected.items():
        got = totals(computed, indicator_id)
        assert (got[Q1], got[Q2]) == ((D(q1), 2), (D(q2), 4)), indicator_id
        assert got[Q4] == (None, 0), indicator_id
    # national figures only (the registry's choice, docs/disclosure.md): no breakdown cell
    for indicator_id in expected:
        if indicator_id != "lic_returned_without_action_pct":
            assert {r[1] for r in cells_of(computed.cells, indicator_id)} == {"total"}


def test_lic_decided_processing_days_median(computed):
    # Decisions only. Q1: L1 1, L2 91 -> (1 + 91) / 2 = 46.0, n 2. Q2: L3 1, L9 60 -> 30.5,
    # n 2 (L7's 136 days and L8's 30 are a return and a withdrawal: left out; with them the
    # median is 45.0).
    got = totals(computed, "lic_decided_processing_days_median")
    assert (got[Q1], got[Q2]) == ((D("46.0"), 2), (D("30.5"), 2))
    assert got[Q4] == (None, 0)


def test_lic_processing_days(computed):
    # Q1 days [1, 91]: median (1 + 91) / 2 = 46.0; p90 = 1 + 0.9 * 90 = 82.0
    # Q2 days [1, 30, 60, 136]: median (30 + 60) / 2 = 45.0;
    #   p90 position 0.9 * 3 = 2.7 -> 60 + 0.7 * (136 - 60) = 113.2
    median = totals(computed, "lic_processing_days_median")
    p90 = totals(computed, "lic_processing_days_p90")
    assert (median[Q1], median[Q2]) == ((D("46.0"), 2), (D("45.0"), 4))
    assert (p90[Q1], p90[Q2]) == ((D("82.0"), 2), (D("113.2"), 4))
    assert median[Q4] == (None, 0)
    # COMMERCE in Q2: [1, 30] -> median 15.5, p90 1 + 0.9 * 29 = 27.1
    rows = cells_of(computed.cells, "lic_processing_days_p90")
    assert (Q2, "agency", "COMMERCE", D("27.1"), 2, None) in rows


def test_lic_decided_within_target_pct(computed):
    # Q1: L1 1 <= 60 yes, L2 91 > 60 no -> 50.0. Q2: L3 1 <= 90, L8 30 <= 90, L9 60 <= 60
    # (the boundary counts as within), L7 136 > 60 -> 3/4 = 75.0.
    got = totals(computed, "lic_decided_within_target_pct")
    assert (got[Q1], got[Q2]) == ((D("50.0"), 2), (D("75.0"), 4))


def test_lic_pending_and_over_target(computed):
    # Pending at each quarter end (received <= end, no final action by end):
    #   FY2024-Q2 .. FY2025-Q3: L4 only. FY2025-Q4 (Sep 30): L4, L1 (final Oct 1).
    #   Q1 (Dec 31): L4, L7, L3 (received Dec 31); L2 decided on Dec 31 is not pending.
    #   Q2 (Mar 31): L4, L5 (its Apr 1 action is after the release); L7 decided Mar 31.
    # Over target (age > target): L4 from FY2024-Q3 on (Jun 30 2024 - Feb 29 2024 = 122 > 90;
    #   at Mar 31 2024 its age is 31). L1 age 0, L3 age 0, L7 age 46, L5 age 58: none over.
    pending = totals(computed, "lic_pending")
    over = totals(computed, "lic_pending_over_target")
    assert pending == {p: (D(1), 1) for p in ["FY2024-Q2", *EMPTY]} | {
        Q4: (D(2), 2),
        Q1: (D(3), 3),
        Q2: (D(2), 2),
    }
    assert over == {"FY2024-Q2": (D(0), 0)} | {p: (D(1), 1) for p in [*EMPTY, Q4, Q1, Q2]}
    rows = [r for r in cells_of(computed.cells, "lic_pending") if r[0] == Q2]
    assert (Q2, "region", "NEA", D(1), 1, None) in rows
    assert (Q2, "application_type", "DSP-73", D(1), 1, None) in rows


def test_lic_approved_value_usd(computed):
    # Q1: L1 100.50 -> 100 (half-even: 100.5 -> 100), n 1. Q2: L3 200.50 -> 200 (n 1); L9 is
    # approved without a recorded value and is left out.
    got = totals(computed, "lic_approved_value_usd")
    assert (got[Q1], got[Q2], got[Q4]) == ((D(100), 1), (D(200), 1), (D(0), 0))
    cells = computed.cells
    top = cells.filter(
        (cells["indicator_id"] == "lic_approved_value_usd")
        & (cells["period"] == Q2)
        & (cells["breakdown"] == "total")
    )["max_record_value"].to_list()
    assert top == [D("200.50")]


def test_no_period_after_release(computed):
    assert set(computed.cells["period"]) <= set(ALL_PERIODS)
    assert computed.cells["suppressed"].any() is False
    assert computed.cells["revised"].any() is False
