"""The FMS execution and notification populations (pop_fms_cases_implemented,
pop_fms_cases_supply_complete, pop_fms_cases_closed, pop_fms_open_cases, pop_fms_deliveries,
pop_cn_notifications) row by row, and the indicators measured over them, on hand-made
tables, every expected figure worked out by hand.

Release FY2026-Q1 (2025-10-01 .. 2025-12-31). Spine FY2024-Q2 (C5's leap day) .. FY2026-Q1.
Reference: GB -> EUR; JP -> EAP; SA -> NEA; NATO -> IO.

Cases:
| id | dest | agency    | funding  | pp | implemented | supply compl. | closed     | value      |
|----|------|-----------|----------|----|-------------|---------------|------------|------------|
| C1 | GB   | ARMY      | NATIONAL | F  | 2025-07-01  | 2025-09-30    | 2025-10-01 | 100.50     |
| C2 | JP   | NAVY      | FMF      | T  | 2025-09-30  | 2025-12-31    | 2026-01-01 | 200.50     |
| C3 | SA   | AIR_FORCE | BPC      | F  | 2025-10-01  |               |            | 1000000.00 |
| C4 | GB   | ARMY      | NATIONAL | F  | 2026-01-01  |               |            | 5.00       |
| C5 | NATO | DSCA      | NATIONAL | T  | 2024-02-29  |               |            | (null)     |
C2's closure and C4's implementation (2026-01-01) are after the release: C2 is still open,
C4 does not exist yet.

Deliveries: V1 C1 2025-09-30 10.25; V2 C2 2025-10-01 20.25; V3 C2 2025-12-31 30.50;
V4 C4 2025-11-01 40.00 (keeps C4's attributes); V5 C3 2026-01-01 (after release).

Notifications: N1 2025-09-30 GB 36B 1000000000.50; N2 2025-10-01 JP 36C 2.50;
N3 2025-12-31 GB 36B 3.50; N4 2026-01-01 GB (after release); N5 2025-11-11 SA 36B no value.
"""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from arms_metrics.compute import indicators
from arms_metrics.quarters import Quarter
from tests.sql.helpers import cells_of, config_with_reference, frame, populations, rows_of, totals

Q1, Q4 = "FY2026-Q1", "FY2025-Q4"
EARLY = ["FY2024-Q2", "FY2024-Q3", "FY2024-Q4", "FY2025-Q1", "FY2025-Q2", "FY2025-Q3"]

CASES = [
    dict(case_id="C1", implemented_date="2025-07-01", supply_complete_date="2025-09-30",
         closed_date="2025-10-01", case_value_usd="100.50"),
    dict(case_id="C2", purchaser_code="JP", implementing_agency="NAVY", funding_source="FMF",
         priority_platform=True, implemented_date="2025-09-30",
         supply_complete_date="2025-12-31", closed_date="2026-01-01", case_value_usd="200.50"),
    dict(case_id="C3", purchaser_code="SA", implementing_agency="AIR_FORCE",
         funding_source="BPC", implemented_date="2025-10-01", case_value_usd="1000000.00"),
    dict(case_id="C4", implemented_date="2026-01-01", case_value_usd="5.00"),
    dict(case_id="C5", purchaser_code="NATO", implementing_agency="DSCA", priority_platform=True,
         implemented_date="2024-02-29", case_value_usd=None),
]  # fmt: skip
DELIVERIES = [
    dict(delivery_id="V1", case_id="C1", delivery_date="2025-09-30", delivered_value_usd="10.25"),
    dict(delivery_id="V2", case_id="C2", delivery_date="2025-10-01", delivered_value_usd="20.25"),
    dict(delivery_id="V3", case_id="C2", delivery_date="2025-12-31", delivered_value_usd="30.50"),
    dict(delivery_id="V4", case_id="C4", delivery_date="2025-11-01", delivered_value_usd="40.00"),
    dict(delivery_id="V5", case_id="C3", delivery_date="2026-01-01", delivered_value_usd="1.00"),
]
NOTIFICATIONS = [
    dict(notification_date="2025-09-30", estimated_value_usd="1000000000.50"),
    dict(notification_date="2025-10-01", purchaser_code="JP", authority="AECA_36C",
         estimated_value_usd="2.50"),
    dict(notification_date="2025-12-31", estimated_value_usd="3.50"),
    dict(notification_date="2026-01-01", estimated_value_usd="4.00"),
    dict(notification_date="2025-11-11", purchaser_code="SA", estimated_value_usd=None),
]  # fmt: skip


BREAKDOWNS = "implementing_agency, region, purchaser, priority_platform, funding_source"


def tables():
    return {
        "fms_cases": frame("fms_cases", CASES),
        "fms_deliveries": frame("fms_deliveries", DELIVERIES),
        "congressional_notifications": frame("congressional_notifications", NOTIFICATIONS),
    }


@pytest.fixture(scope="module")
def computed(config, tmp_path_factory):
    cfg = config_with_reference(config, tmp_path_factory.mktemp("exe"))
    return indicators.compute(tables(), cfg, Quarter.parse(Q1))


@pytest.fixture(scope="module")
def con(config, tmp_path_factory):
    with populations(
        tables(), config_with_reference(config, tmp_path_factory.mktemp("p")), Q1
    ) as c:
        yield c


# ------------------------------------------------------------------- the population views
def test_pop_fms_cases_implemented(con):
    # C5 leap day -> FY2024-Q2 (no value); C1 Jul 1, C2 Sep 30 -> FY2025-Q4; C3 Oct 1 -> Q1;
    # C4 (Jan 1 2026) is after the release.
    columns = f"period, case_id, {BREAKDOWNS}, value_usd"
    assert rows_of(con, "pop_fms_cases_implemented", columns) == [
        ("FY2024-Q2", "C5", "DSCA", "IO", "NATO", "true", "NATIONAL", None),
        (Q4, "C1", "ARMY", "EUR", "GB", "false", "NATIONAL", D("100.50")),
        (Q4, "C2", "NAVY", "EAP", "JP", "true", "FMF", D("200.50")),
        (Q1, "C3", "AIR_FORCE", "NEA", "SA", "false", "BPC", D("1000000.00")),
    ]


def test_pop_fms_cases_supply_complete_and_closed(con):
    # supply complete: C1 Sep 30 -> FY2025-Q4, C2 Dec 31 -> Q1. closed: C1 Oct 1 -> Q1; C2's
    # closure (Jan 1) is after the release.
    supply = rows_of(con, "pop_fms_cases_supply_complete", f"period, case_id, {BREAKDOWNS}")
    assert supply == [
        (Q4, "C1", "ARMY", "EUR", "GB", "false", "NATIONAL"),
        (Q1, "C2", "NAVY", "EAP", "JP", "true", "FMF"),
    ]
    closed = rows_of(con, "pop_fms_cases_closed", f"period, case_id, {BREAKDOWNS}")
    assert closed == [(Q1, "C1", "ARMY", "EUR", "GB", "false", "NATIONAL")]


def test_pop_fms_open_cases(con):
    # C5 open at every quarter end from FY2024-Q2; C1 open on Sep 30 only (closed Oct 1);
    # C2 open on Sep 30 and Dec 31 (its closure is after the release); C3 from Oct 1.
    expected = [(p, "C5", None) for p in EARLY] + [
        (Q4, "C1", D("100.50")),
        (Q4, "C2", D("200.50")),
        (Q4, "C5", None),
        (Q1, "C2", D("200.50")),
        (Q1, "C3", D("1000000.00")),
        (Q1, "C5", None),
    ]
    assert rows_of(con, "pop_fms_open_cases", "period, case_id, value_usd") == expected
    rows = rows_of(con, "pop_fms_open_cases", f"period, case_id, {BREAKDOWNS}")
    assert (Q1, "C3", "AIR_FORCE", "NEA", "SA", "false", "BPC") in rows


def test_pop_fms_deliveries(con):
    # V1 Sep 30 -> FY2025-Q4; V2 Oct 1, V3 Dec 31, V4 Nov 1 -> Q1 (V4 keeps the attributes
    # of C4, implemented only after the release); V5 is after the release.
    columns = f"period, delivery_id, {BREAKDOWNS}, value_usd"
    assert rows_of(con, "pop_fms_deliveries", columns) == [
        (Q4, "V1", "ARMY", "EUR", "GB", "false", "NATIONAL", D("10.25")),
        (Q1, "V2", "NAVY", "EAP", "JP", "true", "FMF", D("20.25")),
        (Q1, "V3", "NAVY", "EAP", "JP", "true", "FMF", D("30.50")),
        (Q1, "V4", "ARMY", "EUR", "GB", "false", "NATIONAL", D("40.00")),
    ]


def test_pop_cn_notifications(con):
    # N1 Sep 30 -> FY2025-Q4; N2 Oct 1, N5 Nov 11 (no value), N3 Dec 31 -> Q1; N4 is after
    # the release. Each row has its own notification_row (the record counted).
    columns = "period, region, purchaser, authority, value_usd"
    assert rows_of(con, "pop_cn_notifications", columns) == [
        (Q4, "EUR", "GB", "AECA_36B", D("1000000000.50")),
        (Q1, "EAP", "JP", "AECA_36C", D("2.50")),
        (Q1, "EUR", "GB", "AECA_36B", D("3.50")),
        (Q1, "NEA", "SA", "AECA_36B", None),
    ]
    keys = [row[0] for row in rows_of(con, "pop_cn_notifications", "notification_row")]
    assert len(set(keys)) == 4 and None not in keys


# -------------------------------------------------------- the indicators over them (cells)


def zero(periods):
    return {p: (D(0), 0) for p in periods}


def test_spine(computed):
    assert [q.label for q in computed.quarters] == [*EARLY, Q4, Q1]


def test_cases_implemented(computed):
    # C5 leap day -> FY2024-Q2; C1 Jul 1 and C2 Sep 30 -> FY2025-Q4; C3 Oct 1 -> Q1.
    got = totals(computed, "fms_cases_implemented")
    assert got == {"FY2024-Q2": (D(1), 1)} | zero(EARLY[1:]) | {Q4: (D(2), 2), Q1: (D(1), 1)}
    # value: C5 has none (n 0, $0); Q4 100.50 + 200.50 = 301.00; Q1 1,000,000.00
    value = totals(computed, "fms_cases_implemented_value_usd")
    assert value["FY2024-Q2"] == (D(0), 0)
    assert (value[Q4], value[Q1]) == ((D(301), 2), (D(1000000), 1))
    rows = [r for r in cells_of(computed.cells, "fms_cases_implemented") if r[0] == Q4]
    assert rows == [
        (Q4, "funding_source", "FMF", D(1), 1, None),
        (Q4, "funding_source", "NATIONAL", D(1), 1, None),
        (Q4, "implementing_agency", "ARMY", D(1), 1, None),
        (Q4, "implementing_agency", "NAVY", D(1), 1, None),
        (Q4, "priority_platform", "false", D(1), 1, None),
        (Q4, "priority_platform", "true", D(1), 1, None),
        (Q4, "purchaser", "GB", D(1), 1, "EUR"),
        (Q4, "purchaser", "JP", D(1), 1, "EAP"),
        (Q4, "region", "EAP", D(1), 1, None),
        (Q4, "region", "EUR", D(1), 1, None),
        (Q4, "total", "All", D(2), 2, None),
    ]


def test_supply_complete_and_closed(computed):
    # supply complete: C1 Sep 30 -> Q4, C2 Dec 31 -> Q1. closed: C1 Oct 1 -> Q1; C2's
    # closure (Jan 1) is after the release.
    supply = totals(computed, "fms_cases_supply_complete")
    closed = totals(computed, "fms_cases_closed")
    assert supply == zero(EARLY) | {Q4: (D(1), 1), Q1: (D(1), 1)}
    assert closed == zero(EARLY) | {Q4: (D(0), 0), Q1: (D(1), 1)}


def test_open_cases(computed):
    # FY2024-Q2 .. FY2025-Q3: C5. Sep 30: C5, C1 (closed Oct 1), C2 -> 3.
    # Dec 31: C5, C2 (not closed by the release), C3 -> 3; C1 closed.
    assert totals(computed, "fms_open_cases") == {p: (D(1), 1) for p in EARLY} | {
        Q4: (D(3), 3),
        Q1: (D(3), 3),
    }
    # value (C5 has none): Q4 100.50 + 200.50 = 301.00 (n 2);
    # Q1 200.50 + 1000000.00 = 1000200.50 -> 1000200 (half-even, n 2)
    value = totals(computed, "fms_open_cases_value_usd")
    assert value == zero(EARLY) | {Q4: (D(301), 2), Q1: (D(1000200), 2)}


def test_deliveries_value(computed):
    # Q4: V1 10.25 -> 10. Q1: V2 20.25 + V3 30.50 + V4 40.00 = 90.75 -> 91 (n 3); V4 keeps
    # the attributes of C4 although C4 is implemented only after the release.
    value = totals(computed, "fms_deliveries_value_usd")
    assert value == zero(EARLY) | {Q4: (D(10), 1), Q1: (D(91), 3)}
    rows = cells_of(computed.cells, "fms_deliveries_value_usd")
    assert (Q1, "purchaser", "JP", D(51), 2, "EAP") in rows  # 20.25 + 30.50 = 50.75 -> 51
    assert (Q1, "funding_source", "NATIONAL", D(40), 1, None) in rows
    cells = computed.cells
    top = cells.filter(
        (cells["indicator_id"] == "fms_deliveries_value_usd")
        & (cells["period"] == Q1)
        & (cells["breakdown"] == "total")
    )["max_record_value"]
    assert top.to_list() == [D("40.00")]


def test_notifications(computed):
    # count: N1 Sep 30 -> Q4; N2 Oct 1, N5 Nov 11, N3 Dec 31 -> Q1; N4 after release.
    assert totals(computed, "cn_notifications") == zero(EARLY) | {Q4: (D(1), 1), Q1: (D(3), 3)}
    # value: Q4 1000000000.50 -> 1000000000 (half-even); Q1 2.50 + 3.50 = 6.00 (N5 has no value)
    value = totals(computed, "cn_notifications_value_usd")
    assert value == zero(EARLY) | {Q4: (D(1000000000), 1), Q1: (D(6), 2)}
    rows = [r for r in cells_of(computed.cells, "cn_notifications_value_usd") if r[0] == Q1]
    assert rows == [
        (Q1, "authority", "AECA_36B", D(4), 1, None),  # 3.50 -> 4 (half-even, 4 is even)
        (Q1, "authority", "AECA_36C", D(2), 1, None),  # 2.50 -> 2 (half-even, 2 is even)
        (Q1, "purchaser", "GB", D(4), 1, "EUR"),
        (Q1, "purchaser", "JP", D(2), 1, "EAP"),
        (Q1, "region", "EAP", D(2), 1, None),
        (Q1, "region", "EUR", D(4), 1, None),
        (Q1, "total", "All", D(6), 2, None),
    ]


def test_fms_development_unavailable(computed):
    assert "fms_loas_offered" in computed.unavailable
    assert "fms_lors_received" in computed.unavailable
    assert not computed.cells.filter(computed.cells["indicator_id"] == "fms_loas_offered").height
