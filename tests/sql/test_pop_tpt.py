"""The third-party transfer populations (pop_tpt_requests_received, pop_tpt_final_actions,
pop_tpt_pending) row by row, and the six indicators measured over them, on a hand-made
table, every expected figure worked out by hand.

Release FY2026-Q2 (2026-01-01 .. 2026-03-31). TPT target: 60 days (pipeline.toml).
Reference (the tests' own): GB, FR -> EUR; JP -> EAP; SA -> NEA; NATO -> IO; DE is not in
it (an unknown region).

| id  | channel | type      | recipient | received   | final      | outcome   | days |
|-----|---------|-----------|-----------|------------|------------|-----------|------|
| T1  | FMS     | RETRANSFER| GB        | 2025-11-20 | 2026-03-31 | APPROVED  | 131  |
| T2  | DCS     | REEXPORT  | JP        | 2025-10-01 | 2025-12-31 | DENIED    | 91   |
| T3  | DCS     | RETRANSFER| FR        | 2026-01-05 | 2026-03-06 | APPROVED  | 60   |
| T4  | DCS     | TEMPORARY | SA        | 2026-01-10 | 2026-02-09 | WITHDRAWN | 30   |
| T5  | FMS     | CHANGE    | GB        | 2026-01-30 | (pending)  |           |      |
| T6  | FMS     | RETRANSFER| NATO      | 2026-01-29 | (pending)  |           |      |
| T7  | DCS     | RETRANSFER| GB        | 2026-03-31 | (pending)  |           |      |
| T8  | DCS     | REEXPORT  | JP        | 2026-02-15 | 2026-04-02 | APPROVED  |      |
| T9  | DCS     | RETRANSFER| GB        | 2026-04-01 |            |           |      |
| T10 | FMS     | RETRANSFER| SA        | 2025-08-15 | 2026-02-20 | RWA       | 189  |
| T11 | DCS     | RETRANSFER| DE        | 2026-02-01 | 2026-02-11 | APPROVED  | 10   |

Days: T1 Nov 20 -> Mar 31 = 10 + 31 + 31 + 28 + 31 = 131; T2 Oct 1 -> Dec 31 = 30 + 30 +
31 = 91; T3 Jan 5 -> Mar 6 = 26 + 28 + 6 = 60; T4 Jan 10 -> Feb 9 = 30; T10 Aug 15 -> Feb
20 = 16 + 30 + 31 + 30 + 31 + 31 + 20 = 189; T11 Feb 1 -> Feb 11 = 10.
T8's final action is after the release (still pending); T9 is received after it (absent).
T11 (recipient DE, no region) is only in the population views' table: its null region
makes the cell checks refuse the run (the last test), so the cells are computed without it.
First anchor: T10 received 2025-08-15 -> FY2025-Q4: the spine is FY2025-Q4 .. FY2026-Q2.
"""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from arms_metrics.compute import indicators
from arms_metrics.errors import CheckFailed
from arms_metrics.quarters import Quarter
from tests.sql.helpers import cells_of, config_with_reference, frame, populations, rows_of, totals

Q2 = "FY2026-Q2"
Q1 = "FY2026-Q1"
Q4 = "FY2025-Q4"

ROWS = [
    dict(request_id="T1", channel="FMS", received_date="2025-11-20",
         final_action_date="2026-03-31", outcome="APPROVED"),
    dict(request_id="T2", transfer_type="REEXPORT", original_recipient_code="JP",
         received_date="2025-10-01", final_action_date="2025-12-31", outcome="DENIED"),
    dict(request_id="T3", original_recipient_code="FR", received_date="2026-01-05",
         final_action_date="2026-03-06", outcome="APPROVED"),
    dict(request_id="T4", transfer_type="TEMPORARY", original_recipient_code="SA",
         received_date="2026-01-10", final_action_date="2026-02-09", outcome="WITHDRAWN"),
    dict(request_id="T5", channel="FMS", transfer_type="CHANGE_OF_END_USE",
         received_date="2026-01-30"),
    dict(request_id="T6", channel="FMS", original_recipient_code="NATO",
         received_date="2026-01-29"),
    dict(request_id="T7", received_date="2026-03-31"),
    dict(request_id="T8", transfer_type="REEXPORT", original_recipient_code="JP",
         received_date="2026-02-15", final_action_date="2026-04-02", outcome="APPROVED"),
    dict(request_id="T9", received_date="2026-04-01"),
    dict(request_id="T10", channel="FMS", original_recipient_code="SA",
         received_date="2025-08-15", final_action_date="2026-02-20",
         outcome="RETURNED_WITHOUT_ACTION"),
]  # fmt: skip
UNKNOWN_REGION = dict(request_id="T11", original_recipient_code="DE", received_date="2026-02-01",
                      final_action_date="2026-02-11", outcome="APPROVED")  # fmt: skip

BREAKDOWNS = "channel, transfer_type, region"


@pytest.fixture(scope="module")
def computed(config, tmp_path_factory):
    cfg = config_with_reference(config, tmp_path_factory.mktemp("tpt"))
    return indicators.compute({"tpt_requests": frame("tpt_requests", ROWS)}, cfg, Quarter.parse(Q2))


@pytest.fixture(scope="module")
def con(config, tmp_path_factory):
    cfg = config_with_reference(config, tmp_path_factory.mktemp("p"))
    tables = {"tpt_requests": frame("tpt_requests", [*ROWS, UNKNOWN_REGION])}
    with populations(tables, cfg, Q2) as c:
        yield c


# ------------------------------------------------------------------- the population views
def test_pop_tpt_requests_received(con):
    # Each request in the quarter received (T7 on Q2's last day is in Q2); T9 (Apr 1) is
    # after the release; T11's recipient DE has no region (null), but it is counted.
    rows = rows_of(con, "pop_tpt_requests_received", f"period, request_id, {BREAKDOWNS}")
    assert rows == [
        (Q4, "T10", "FMS", "RETRANSFER", "NEA"),
        (Q1, "T1", "FMS", "RETRANSFER", "EUR"),
        (Q1, "T2", "DCS", "REEXPORT", "EAP"),
        (Q2, "T11", "DCS", "RETRANSFER", None),
        (Q2, "T3", "DCS", "RETRANSFER", "EUR"),
        (Q2, "T4", "DCS", "TEMPORARY", "NEA"),
        (Q2, "T5", "FMS", "CHANGE_OF_END_USE", "EUR"),
        (Q2, "T6", "FMS", "RETRANSFER", "IO"),
        (Q2, "T7", "DCS", "RETRANSFER", "EUR"),
        (Q2, "T8", "DCS", "REEXPORT", "EAP"),
    ]


def test_pop_tpt_final_actions(con):
    # Days as in the table above; approved is null for a return (T10) and a withdrawal (T4),
    # not in the approval rate. T1's final action on Q2's last day is in Q2; T8's (Apr 2) is
    # after the release: not here.
    rows = rows_of(con, "pop_tpt_final_actions", "period, request_id, duration_days, approved")
    assert rows == [
        (Q1, "T2", 91, False),
        (Q2, "T1", 131, True),
        (Q2, "T10", 189, None),
        (Q2, "T11", 10, True),
        (Q2, "T3", 60, True),
        (Q2, "T4", 30, None),
    ]
    rows = rows_of(con, "pop_tpt_final_actions", f"period, request_id, {BREAKDOWNS}")
    assert (Q2, "T4", "DCS", "TEMPORARY", "NEA") in rows


def test_pop_tpt_pending(con):
    # At Sep 30: T10 (age Sep 30 - Aug 15 = 46). At Dec 31: T1 (Dec 31 - Nov 20 = 41) and
    # T10 (138 > 60: over); T2 finally actioned on Dec 31 is not pending. At Mar 31: T5
    # (Mar 31 - Jan 30 = 1 + 28 + 31 = 60: exactly the target, not over), T6 (61: over), T7
    # (received that day, age 0), T8 (44; its final action is after the release); T1
    # (finally actioned Mar 31), T10 and T11 are not pending.
    rows = rows_of(con, "pop_tpt_pending", "period, request_id, over_target")
    assert rows == [
        (Q4, "T10", False),
        (Q1, "T1", False),
        (Q1, "T10", True),
        (Q2, "T5", False),
        (Q2, "T6", True),
        (Q2, "T7", False),
        (Q2, "T8", False),
    ]
    rows = rows_of(con, "pop_tpt_pending", f"period, request_id, {BREAKDOWNS}")
    assert (Q2, "T6", "FMS", "RETRANSFER", "IO") in rows


# -------------------------------------------------------- the indicators over them (cells)
def test_spine_and_unavailable(computed):
    assert [q.label for q in computed.quarters] == [Q4, Q1, Q2]
    # only tpt_requests was given: every other indicator is unavailable
    assert "eum_checks_completed" in computed.unavailable
    assert "lic_pending" in computed.unavailable
    assert {i for i in computed.cells["indicator_id"]} == {
        "tpt_requests_received", "tpt_final_actions", "tpt_processing_days_median",
        "tpt_approval_rate_pct", "tpt_pending", "tpt_pending_over_target",
    }  # fmt: skip


def test_tpt_requests_received(computed):
    # Q4: T10. Q1: T2 (Oct 1), T1 (Nov 20). Q2: T3, T4, T5, T6, T8 and T7 (Mar 31) = 6.
    assert totals(computed, "tpt_requests_received") == {
        Q4: (D(1), 1),
        Q1: (D(2), 2),
        Q2: (D(6), 6),
    }
    # Q2 by channel: DCS T3, T4, T7, T8 = 4; FMS T5, T6 = 2. By region: EUR T3 (FR), T5,
    # T7 (GB) = 3; EAP T8, NEA T4, IO T6 = 1 each.
    rows = [r for r in cells_of(computed.cells, "tpt_requests_received") if r[0] == Q2]
    assert rows == [
        (Q2, "channel", "DCS", D(4), 4, None),
        (Q2, "channel", "FMS", D(2), 2, None),
        (Q2, "region", "EAP", D(1), 1, None),
        (Q2, "region", "EUR", D(3), 3, None),
        (Q2, "region", "IO", D(1), 1, None),
        (Q2, "region", "NEA", D(1), 1, None),
        (Q2, "total", "All", D(6), 6, None),
        (Q2, "transfer_type", "CHANGE_OF_END_USE", D(1), 1, None),
        (Q2, "transfer_type", "REEXPORT", D(1), 1, None),
        (Q2, "transfer_type", "RETRANSFER", D(3), 3, None),
        (Q2, "transfer_type", "TEMPORARY", D(1), 1, None),
    ]


def test_tpt_final_actions(computed):
    # Q1: T2 (Dec 31). Q2: T4 (Feb 9), T10 (Feb 20), T3 (Mar 6), T1 (Mar 31) = 4; T8's
    # Apr 2 action is after the release. By transfer type in Q2: RETRANSFER T1, T3, T10 = 3,
    # TEMPORARY T4 = 1.
    assert totals(computed, "tpt_final_actions") == {
        Q4: (D(0), 0),
        Q1: (D(1), 1),
        Q2: (D(4), 4),
    }
    rows = cells_of(computed.cells, "tpt_final_actions")
    by_type = {r[2]: (r[3], r[4]) for r in rows if r[0] == Q2 and r[1] == "transfer_type"}
    assert by_type == {"RETRANSFER": (D(3), 3), "TEMPORARY": (D(1), 1)}


def test_tpt_processing_days_median(computed):
    # Q1: [91] -> 91.0. Q2: [30, 60, 131, 189] -> (60 + 131) / 2 = 95.5. Q4: none -> None.
    # Q2 by channel: FMS T1 131, T10 189 -> 160.0; DCS T3 60, T4 30 -> 45.0.
    assert totals(computed, "tpt_processing_days_median") == {
        Q4: (None, 0),
        Q1: (D("91.0"), 1),
        Q2: (D("95.5"), 4),
    }
    rows = cells_of(computed.cells, "tpt_processing_days_median")
    by_channel = {r[2]: (r[3], r[4]) for r in rows if r[0] == Q2 and r[1] == "channel"}
    assert by_channel == {"DCS": (D("45.0"), 2), "FMS": (D("160.0"), 2)}


def test_tpt_approval_rate_pct(computed):
    # Q1: T2 denied -> 0 / 1 = 0.0. Q2: T1, T3 approved; T10 (returned) and T4 (withdrawn)
    # are left out -> 2 / 2 = 100.0, n 2. Q2 by region: EUR T1 (GB), T3 (FR) -> 100.0, n 2;
    # NEA has T4 and T10 only, neither in the denominator: no cell (n 0).
    assert totals(computed, "tpt_approval_rate_pct") == {
        Q4: (None, 0),
        Q1: (D("0.0"), 1),
        Q2: (D("100.0"), 2),
    }
    rows = cells_of(computed.cells, "tpt_approval_rate_pct")
    by_region = {r[2]: (r[3], r[4]) for r in rows if r[0] == Q2 and r[1] == "region"}
    assert by_region == {"EUR": (D("100.0"), 2)}


def test_tpt_pending_and_over_target(computed):
    # Pending (as the population above): Q4 T10; Q1 T1, T10; Q2 T5, T6, T7, T8. The stock
    # follows its flows: 1 + 2 received - 1 final = 2; 2 + 6 - 4 = 4.
    # Over target: Q1 T10 (138 days); Q2 T6 (61); T5 at exactly 60 is not over.
    assert totals(computed, "tpt_pending") == {Q4: (D(1), 1), Q1: (D(2), 2), Q2: (D(4), 4)}
    assert totals(computed, "tpt_pending_over_target") == {
        Q4: (D(0), 0),
        Q1: (D(1), 1),
        Q2: (D(1), 1),
    }
    # Q2 pending by region: EUR T5, T7 = 2; IO T6 = 1; EAP T8 = 1. Over target: IO (T6)
    # only (a count cell of no record is not emitted).
    rows = cells_of(computed.cells, "tpt_pending")
    by_region = {r[2]: (r[3], r[4]) for r in rows if r[0] == Q2 and r[1] == "region"}
    assert by_region == {"EAP": (D(1), 1), "EUR": (D(2), 2), "IO": (D(1), 1)}
    rows = [r for r in cells_of(computed.cells, "tpt_pending_over_target") if r[0] == Q2]
    assert rows == [
        (Q2, "channel", "FMS", D(1), 1, None),
        (Q2, "region", "IO", D(1), 1, None),
        (Q2, "total", "All", D(1), 1, None),
        (Q2, "transfer_type", "RETRANSFER", D(1), 1, None),
    ]


def test_no_period_after_release(computed):
    assert set(computed.cells["period"]) <= {Q4, Q1, Q2}
    assert computed.cells["suppressed"].any() is False


def test_a_recipient_without_a_region_stops_the_run(config, tmp_path):
    # T11's recipient DE is not in the tests' reference: its region cell would have no key
    cfg = config_with_reference(config, tmp_path)
    tables = {"tpt_requests": frame("tpt_requests", [*ROWS, UNKNOWN_REGION])}
    with pytest.raises(CheckFailed, match="chk_cell_keys"):
        indicators.compute(tables, cfg, Quarter.parse(Q2))
