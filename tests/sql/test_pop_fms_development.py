"""The FMS development populations (pop_fms_lors_received, pop_fms_loas_offered,
pop_fms_loas_accepted, pop_fms_development_backlog) row by row, and the indicators measured
over them, on hand-made tables, every expected figure worked out by hand.

Release FY2026-Q2 (2026-01-01 .. 2026-03-31). Development targets A 45, B 100, C 150.
Reference: GB, FR -> EUR; JP -> EAP; SA -> NEA; NATO -> IO.

Documents (pp = priority_platform; dev = offered - lor_complete; dates YYYY-MM-DD):
| id | type  | dest | agency    | grp | pp | lor_compl. | anticipated | offered    | accepted   |
|----|-------|------|-----------|-----|----|------------|-------------|------------|------------|
| D1 | LOA   | GB   | ARMY      | A   | T  | 2025-08-01 | 2025-09-30  | 2025-09-30 | 2025-10-01 |
| D2 | AMEND | FR   | NAVY      | B   | F  | 2025-07-01 |             | 2025-10-01 |            |
| D3 | LOA   | JP   | AIR_FORCE | C   | T  | 2024-02-29 | 2025-12-31  | 2026-01-15 |            |
| D4 | LOA   | GB   | ARMY      | A   | F  | 2026-01-01 | 2026-03-01  | 2026-02-10 | 2026-04-05 |
| D5 | MODIF | GB   | ARMY      | A   | F  | 2025-10-05 |             |            |            |
| D6 | LOA   | SA   | DSCA      | B   | F  | 2025-12-31 |             |            |            |
| D7 | LOA   | GB   | ARMY      | A   | F  | 2026-04-01 |             |            |            |
| D8 | AMEND | GB   | ARMY      | A   | T  | 2025-10-01 |             | 2025-11-15 |            |
| D9 | LOA   | FR   | NAVY      | B   | F  | 2025-09-30 |             |            |            |
cancelled: D2 2025-10-01 (= its offer date: not an offered doc), D6 2026-04-10 (after the
release: null), D8 2025-12-01 (after its offer), D9 2025-12-31.
value_usd: D1 1000.50, D2 2000.00, D3 3000.00, D4 500.00, others 1.00.
D4's acceptance (Apr 5) is after the release (null); D5 is a modification (in no
indicator); D7's LOR is complete after the release (does not exist).
Dev days: D1 60, D3 686, D4 40, D8 45.
Days: D1 Aug 1 -> Sep 30 = 31 + 29 = 60; D3 2024-02-29 -> 2025-02-28 = 365, -> 2026-01-15
= 1 + 306 + 14 = 321, total 686; D4 Jan 1 -> Feb 10 = 40; D8 Oct 1 -> Nov 15 = 45.
The first anchor is D3's leap day 2024-02-29 -> spine FY2024-Q2 .. FY2026-Q2.

LORs: R1 LOA 2025-09-30; R2 PRICE_AND_AVAILABILITY 2025-10-01; R3 LOA 2025-10-01 (JP, NAVY);
R4 LOA 2026-03-31 (SA); R5 LOA 2026-04-01 (after release).
"""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from arms_metrics.compute import indicators
from arms_metrics.quarters import Quarter
from tests.sql.helpers import cells_of, config_with_reference, frame, populations, rows_of, totals

Q2, Q1, Q4 = "FY2026-Q2", "FY2026-Q1", "FY2025-Q4"
EARLY = ["FY2024-Q2", "FY2024-Q3", "FY2024-Q4", "FY2025-Q1", "FY2025-Q2", "FY2025-Q3"]

DOCS = [
    dict(document_id="D1", priority_platform=True, lor_complete_date="2025-08-01",
         anticipated_offer_date="2025-09-30", offered_date="2025-09-30",
         accepted_date="2025-10-01", value_usd="1000.50"),
    dict(document_id="D2", document_type="AMENDMENT", purchaser_code="FR",
         implementing_agency="NAVY", development_group="B", lor_complete_date="2025-07-01",
         offered_date="2025-10-01", cancelled_date="2025-10-01", value_usd="2000.00"),
    dict(document_id="D3", purchaser_code="JP", implementing_agency="AIR_FORCE",
         development_group="C", priority_platform=True, lor_complete_date="2024-02-29",
         anticipated_offer_date="2025-12-31", offered_date="2026-01-15", value_usd="3000.00"),
    dict(document_id="D4", lor_complete_date="2026-01-01", anticipated_offer_date="2026-03-01",
         offered_date="2026-02-10", accepted_date="2026-04-05", value_usd="500.00"),
    dict(document_id="D5", document_type="MODIFICATION", development_group=None,
         lor_complete_date="2025-10-05"),
    dict(document_id="D6", purchaser_code="SA", implementing_agency="DSCA",
         development_group="B", lor_complete_date="2025-12-31", cancelled_date="2026-04-10"),
    dict(document_id="D7", lor_complete_date="2026-04-01"),
    dict(document_id="D8", document_type="AMENDMENT", priority_platform=True,
         lor_complete_date="2025-10-01", offered_date="2025-11-15", cancelled_date="2025-12-01"),
    dict(document_id="D9", purchaser_code="FR", implementing_agency="NAVY",
         development_group="B", lor_complete_date="2025-09-30", cancelled_date="2025-12-31"),
]  # fmt: skip
LORS = [
    dict(lor_id="R1", received_date="2025-09-30"),
    dict(lor_id="R2", request_type="PRICE_AND_AVAILABILITY", received_date="2025-10-01"),
    dict(lor_id="R3", purchaser_code="JP", implementing_agency="NAVY", received_date="2025-10-01"),
    dict(lor_id="R4", purchaser_code="SA", received_date="2026-03-31"),
    dict(lor_id="R5", received_date="2026-04-01"),
]


BREAKDOWNS = "implementing_agency, region, purchaser, priority_platform, development_group"


def tables():
    return {"fms_documents": frame("fms_documents", DOCS), "fms_lors": frame("fms_lors", LORS)}


@pytest.fixture(scope="module")
def computed(config, tmp_path_factory):
    cfg = config_with_reference(config, tmp_path_factory.mktemp("dev"))
    return indicators.compute(tables(), cfg, Quarter.parse(Q2))


@pytest.fixture(scope="module")
def con(config, tmp_path_factory):
    with populations(
        tables(), config_with_reference(config, tmp_path_factory.mktemp("p")), Q2
    ) as c:
        yield c


# ------------------------------------------------------------------- the population views
def test_pop_fms_lors_received(con):
    # LOA requests only (R2 is P&A), each in the quarter received; R5 is after the release.
    rows = rows_of(con, "pop_fms_lors_received", "period, lor_id, implementing_agency, region, "
                   "purchaser")  # fmt: skip
    assert rows == [
        (Q4, "R1", "ARMY", "EUR", "GB"),
        (Q1, "R3", "NAVY", "EAP", "JP"),
        (Q2, "R4", "ARMY", "NEA", "SA"),
    ]


def test_pop_fms_loas_offered(con):
    # Offered docs: D1 Sep 30, D8 Nov 15 (cancelled after its offer), D3 Jan 15, D4 Feb 10;
    # D2 was cancelled on its offer date. within_target: dev days <= group target (A 45,
    # C 150): D1 60 no, D8 45 yes, D3 686 no, D4 40 yes. by_anticipated_date: D1 Sep 30 <=
    # Sep 30 yes, D8 has no anticipated date (null), D3 Jan 15 > Dec 31 no, D4 Feb 10 <= Mar 1.
    columns = f"period, document_id, {BREAKDOWNS}, duration_days, within_target, " + (
        "by_anticipated_date"
    )
    assert rows_of(con, "pop_fms_loas_offered", columns) == [
        (Q4, "D1", "ARMY", "EUR", "GB", "true", "A", 60, False, True),
        (Q1, "D8", "ARMY", "EUR", "GB", "true", "A", 45, True, None),
        (Q2, "D3", "AIR_FORCE", "EAP", "JP", "true", "C", 686, False, False),
        (Q2, "D4", "ARMY", "EUR", "GB", "false", "A", 40, True, True),
    ]


def test_pop_fms_loas_accepted(con):
    # D1 accepted Oct 1 (1 day after its offer); D4's acceptance (Apr 5) is after the release.
    columns = f"period, document_id, {BREAKDOWNS}, value_usd, duration_days"
    assert rows_of(con, "pop_fms_loas_accepted", columns) == [
        (Q1, "D1", "ARMY", "EUR", "GB", "true", "A", D("1000.50"), 1),
    ]


def test_pop_fms_development_backlog(con):
    # One row per document and quarter end at which it is in development (see test_backlog
    # below for the ages); D1, D4 and D8 were offered within the quarter their LOR completed.
    over = {p: True for p in EARLY[2:]} | {"FY2024-Q2": False, "FY2024-Q3": False}
    expected = [(p, "D3", over[p]) for p in EARLY] + [
        (Q4, "D2", False),  # age 91 <= 100
        (Q4, "D3", True),
        (Q4, "D9", False),  # age 0
        (Q1, "D3", True),
        (Q1, "D6", False),  # age 0
        (Q2, "D6", False),  # age 90 <= 100
    ]
    assert rows_of(con, "pop_fms_development_backlog", "period, document_id, over_target") == (
        expected
    )
    rows = rows_of(con, "pop_fms_development_backlog", f"period, document_id, {BREAKDOWNS}")
    assert (Q4, "D2", "NAVY", "EUR", "FR", "false", "B") in rows


# -------------------------------------------------------- the indicators over them (cells)


def test_fms_lors_received(computed):
    # R1 Sep 30 -> FY2025-Q4; R3 Oct 1 -> Q1 (R2 is P&A); R4 Mar 31 -> Q2; R5 after release.
    expected = {p: (D(0), 0) for p in EARLY} | {Q4: (D(1), 1), Q1: (D(1), 1), Q2: (D(1), 1)}
    assert totals(computed, "fms_lors_received") == expected
    rows = [r for r in cells_of(computed.cells, "fms_lors_received") if r[0] == Q1]
    assert rows == [
        (Q1, "implementing_agency", "NAVY", D(1), 1, None),
        (Q1, "purchaser", "JP", D(1), 1, "EAP"),
        (Q1, "region", "EAP", D(1), 1, None),
        (Q1, "total", "All", D(1), 1, None),
    ]


def test_fms_loas_offered(computed):
    # FY2025-Q4: D1 (Sep 30). Q1: D8 (cancelled after its offer still counts); D2 was
    # cancelled on its offer date -> not offered. Q2: D3 (Jan 15), D4 (Feb 10).
    expected = {p: (D(0), 0) for p in EARLY} | {Q4: (D(1), 1), Q1: (D(1), 1), Q2: (D(2), 2)}
    assert totals(computed, "fms_loas_offered") == expected
    rows = [r for r in cells_of(computed.cells, "fms_loas_offered") if r[0] == Q2]
    assert rows == [
        (Q2, "development_group", "A", D(1), 1, None),  # D4
        (Q2, "development_group", "C", D(1), 1, None),  # D3
        (Q2, "implementing_agency", "AIR_FORCE", D(1), 1, None),
        (Q2, "implementing_agency", "ARMY", D(1), 1, None),
        (Q2, "priority_platform", "false", D(1), 1, None),
        (Q2, "priority_platform", "true", D(1), 1, None),
        (Q2, "purchaser", "GB", D(1), 1, "EUR"),
        (Q2, "purchaser", "JP", D(1), 1, "EAP"),
        (Q2, "region", "EAP", D(1), 1, None),
        (Q2, "region", "EUR", D(1), 1, None),
        (Q2, "total", "All", D(2), 2, None),
    ]


def test_development_days(computed):
    # Q4 [60] -> 60.0; Q1 [45] -> 45.0; Q2 [40, 686] -> median 363.0,
    # p90 = 40 + 0.9 * 646 = 621.4; earlier quarters undefined.
    median = totals(computed, "fms_loa_development_days_median")
    p90 = totals(computed, "fms_loa_development_days_p90")
    assert (median[Q4], median[Q1], median[Q2]) == ((D(60), 1), (D(45), 1), (D(363), 2))
    assert (p90[Q4], p90[Q1], p90[Q2]) == ((D(60), 1), (D(45), 1), (D("621.4"), 2))
    assert median["FY2025-Q3"] == (None, 0)


def test_within_target_and_by_anticipated_date(computed):
    # within target: Q4 D1 60 > 45 -> 0.0; Q1 D8 45 <= 45 -> 100.0; Q2 D4 40 <= 45 yes,
    # D3 686 > 150 no -> 50.0.
    within = totals(computed, "fms_loas_offered_within_target_pct")
    assert (within[Q4], within[Q1], within[Q2]) == ((D(0), 1), (D(100), 1), (D(50), 2))
    # by anticipated date: Q4 D1 Sep 30 <= Sep 30 -> 1/1; Q1 D8 has none -> undefined, n 0;
    # Q2 D3 Jan 15 > Dec 31 no, D4 Feb 10 <= Mar 1 yes -> 50.0 of 2.
    anticipated = totals(computed, "fms_loas_offered_by_anticipated_date_pct")
    assert (anticipated[Q4], anticipated[Q1], anticipated[Q2]) == (
        (D(100), 1),
        (None, 0),
        (D(50), 2),
    )


def test_accepted(computed):
    # D1 accepted Oct 1 -> Q1: 1 doc, 1000.50 -> 1000 (half-even), 1 day from offer.
    # D4's acceptance (Apr 5) is after the release: Q2 has none.
    assert totals(computed, "fms_loas_accepted")[Q1] == (D(1), 1)
    assert totals(computed, "fms_loas_accepted")[Q2] == (D(0), 0)
    value = totals(computed, "fms_loas_accepted_value_usd")
    assert (value[Q1], value[Q2]) == ((D(1000), 1), (D(0), 0))
    days = totals(computed, "fms_offer_to_acceptance_days_median")
    assert (days[Q1], days[Q2]) == ((D(1), 1), (None, 0))


def test_backlog(computed):
    # At each quarter end: LOR complete, not offered, not cancelled by that day.
    #   FY2024-Q2 .. FY2025-Q3: D3 only; age at 2024-03-31 = 31, 2024-06-30 = 122 (<= 150),
    #   2024-09-30 = 214 (> 150) and older after that.
    #   FY2025-Q4 (Sep 30): D2 (age 91 <= 100), D3 (over), D9 (age 0) -> 1/3 = 33.3.
    #   Q1 (Dec 31): D3 (over), D6 (age 0); D9 cancelled on Dec 31 -> out -> 1/2 = 50.0.
    #   Q2 (Mar 31): D6 only (its Apr 10 cancellation is after the release), age 90 -> 0.0.
    backlog = totals(computed, "fms_development_backlog")
    assert backlog == {p: (D(1), 1) for p in EARLY} | {
        Q4: (D(3), 3),
        Q1: (D(2), 2),
        Q2: (D(1), 1),
    }
    over = totals(computed, "fms_development_backlog_over_target_pct")
    assert over == {"FY2024-Q2": (D(0), 1), "FY2024-Q3": (D(0), 1)} | {
        p: (D(100), 1) for p in EARLY[2:]
    } | {Q4: (D("33.3"), 3), Q1: (D(50), 2), Q2: (D(0), 1)}
    rows = [r for r in cells_of(computed.cells, "fms_development_backlog") if r[0] == Q4]
    assert (Q4, "purchaser", "FR", D(2), 2, "EUR") in rows  # D2, D9
    assert (Q4, "development_group", "B", D(2), 2, None) in rows


# ------------------------------------------------------------------ coverage and schedules
def test_scheduled_dates_survive_the_as_of_cut(config, tmp_path):
    # S1: offered 2026-02-01 in Q2; its anticipated offer date (2026-05-01) and offer
    # expiration (2026-06-30) fall after the release end (2026-03-31) but were known when
    # recorded: kept. Its acceptance on 2026-04-02 is an event after the release: null.
    docs = [dict(document_id="S1", lor_complete_date="2026-01-05",
                 anticipated_offer_date="2026-05-01", offered_date="2026-02-01",
                 offer_expiration_date="2026-06-30", accepted_date="2026-04-02",
                 value_usd="1.00")]  # fmt: skip
    cfg = config_with_reference(config, tmp_path)
    with populations({"fms_documents": frame("fms_documents", docs)}, cfg, Q2) as con:
        columns = "document_id, anticipated_offer_date, offer_expiration_date, accepted_date"
        got = rows_of(con, "stg_fms_documents", columns)
    assert [(d, str(a), str(e), x) for d, a, e, x in got] == [
        ("S1", "2026-05-01", "2026-06-30", None)
    ]


def test_a_series_starts_at_its_coverage_with_the_records_opened_before(config, tmp_path):
    # Coverage: fms_lors from FY2025-Q4, fms_documents from FY2026-Q1. The spine starts at
    # FY2025-Q4, the documents' series at FY2026-Q1: no cell before either. The backlog at
    # the end of FY2026-Q1 (2025-12-31) still holds D3, whose LOR was complete in 2024
    # (offered 2026-01-15), and D6 (complete 2025-12-31, cancelled after the release): 2.
    # LORs received in FY2025-Q4: R1 (2025-09-30): 1.
    cfg = config_with_reference(config, tmp_path)
    coverage = {"fms_lors": Quarter.parse(Q4), "fms_documents": Quarter.parse(Q1)}
    cells = indicators.compute(tables(), cfg, Quarter.parse(Q2), coverage=coverage).cells
    lors = cells.filter(cells["indicator_id"] == "fms_lors_received")
    documents = cells.filter(cells["indicator_id"] != "fms_lors_received")
    assert sorted(set(lors["period"])) == [Q4, Q1, Q2]
    assert sorted(set(documents["period"])) == [Q1, Q2]
    backlog = cells_of(cells, "fms_development_backlog")
    assert [(p, x, n) for p, b, _, x, n, _ in backlog if b == "total"][0] == (Q1, D(2), 2)
    assert [(p, x) for p, b, _, x, _, _ in cells_of(lors.sort("period"), "fms_lors_received")
            if b == "total" and p == Q4] == [(Q4, D(1))]  # fmt: skip
