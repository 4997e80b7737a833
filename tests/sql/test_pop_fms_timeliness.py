"""The 0.2 development-timeliness measures on hand-made tables, every figure worked out by
hand: the LOR-to-offer median (pop_fms_loas_offered.lor_to_offer_days) and the share of
documents by their original anticipated offer date (pop_fms_documents_offered_or_implemented).

Release FY2026-Q2 (2026-01-01 .. 2026-03-31); FY2026-Q1 is 2025-10-01 .. 2025-12-31.
Reference: GB, FR -> EUR; JP -> EAP; SA -> NEA. The first anchor is R4's 2025-07-01, so the
spine is FY2025-Q4 .. FY2026-Q2.

LORs: R1 LOA 2025-08-01; R2 LOA 2025-09-15; R3 LOA 2026-01-10; R4 P&A 2025-07-01.

Offered: the offer date of an LOA or amendment; a modification's implementation date.
| id | type  | dest | agency    | LOR | lor compl. | offered / impl. | AOD now    | AOD first  |
|----|-------|------|-----------|-----|------------|-----------------|------------|------------|
| E1 | LOA   | GB   | ARMY      | R1  | 2025-09-01 | 2025-11-01      | 2025-10-15 |            |
| E2 | AMEND | FR   | NAVY      | R2  | 2025-10-01 | 2026-01-20      | 2026-02-01 | 2026-01-10 |
| E3 | LOA   | JP   | AIR_FORCE |     | 2025-12-01 | 2026-02-01      | 2026-02-01 |            |
| E4 | LOA   | GB   | ARMY      | R3  | 2026-01-15 | 2026-03-01      |            |            |
| E5 | LOA   | GB   | ARMY      | R4  | 2025-08-01 | 2026-03-10      |            |            |
| E6 | AMEND | GB   | ARMY      |     | 2025-10-01 | 2025-12-20      |            | 2025-12-31 |
| M1 | MODIF | SA   | DSCA      |     | 2025-11-01 | impl 2026-02-15 | 2026-03-01 |            |
| M2 | MODIF | GB   | ARMY      |     | 2025-11-01 | impl 2026-01-05 | 2026-01-31 | 2026-01-10 |
| M3 | MODIF | GB   | ARMY      |     | 2025-10-01 | impl 2025-12-01 |            |            |
| M4 | MODIF | GB   | ARMY      |     | 2025-10-01 | impl 2026-04-02 | 2026-03-01 |            |
| M5 | MODIF | GB   | ARMY      |     | 2025-10-01 | impl 2025-10-20 |            |            |

Only E2 is on the priority platform list.
Cancelled: E5 2026-03-10 (its offer date: never offered), M3 2025-12-01 (its implementation
date). M4 is implemented after the release (not yet). E1 is accepted 2025-12-01 and
implemented 2025-12-15, so a document's own implementation never times an LOA.
"""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from arms_metrics.compute import indicators
from arms_metrics.quarters import Quarter
from tests.sql.helpers import cells_of, config_with_reference, frame, populations, rows_of, totals

Q4, Q1, Q2 = "FY2025-Q4", "FY2026-Q1", "FY2026-Q2"
MOD = {"document_type": "MODIFICATION", "development_group": None}

DOCS = [
    dict(document_id="E1", lor_id="R1", lor_complete_date="2025-09-01",
         offered_date="2025-11-01", anticipated_offer_date="2025-10-15",
         accepted_date="2025-12-01", implemented_date="2025-12-15"),
    dict(document_id="E2", document_type="AMENDMENT", purchaser_code="FR",
         implementing_agency="NAVY", priority_platform=True, lor_id="R2",
         lor_complete_date="2025-10-01", offered_date="2026-01-20",
         anticipated_offer_date="2026-02-01", original_anticipated_offer_date="2026-01-10"),
    dict(document_id="E3", purchaser_code="JP", implementing_agency="AIR_FORCE",
         lor_complete_date="2025-12-01", offered_date="2026-02-01",
         anticipated_offer_date="2026-02-01"),
    dict(document_id="E4", lor_id="R3", lor_complete_date="2026-01-15",
         offered_date="2026-03-01"),
    dict(document_id="E5", lor_id="R4", lor_complete_date="2025-08-01",
         offered_date="2026-03-10", cancelled_date="2026-03-10"),
    dict(document_id="E6", document_type="AMENDMENT", lor_complete_date="2025-10-01",
         offered_date="2025-12-20", original_anticipated_offer_date="2025-12-31"),
    dict(document_id="M1", **MOD, purchaser_code="SA", implementing_agency="DSCA",
         lor_complete_date="2025-11-01", implemented_date="2026-02-15",
         anticipated_offer_date="2026-03-01"),
    dict(document_id="M2", **MOD, lor_complete_date="2025-11-01", implemented_date="2026-01-05",
         anticipated_offer_date="2026-01-31", original_anticipated_offer_date="2026-01-10"),
    dict(document_id="M3", **MOD, lor_complete_date="2025-10-01", implemented_date="2025-12-01",
         cancelled_date="2025-12-01"),
    dict(document_id="M4", **MOD, lor_complete_date="2025-10-01", implemented_date="2026-04-02",
         anticipated_offer_date="2026-03-01"),
    dict(document_id="M5", **MOD, lor_complete_date="2025-10-01", implemented_date="2025-10-20"),
]  # fmt: skip
LORS = [
    dict(lor_id="R1", received_date="2025-08-01"),
    dict(lor_id="R2", received_date="2025-09-15"),
    dict(lor_id="R3", received_date="2026-01-10"),
    dict(lor_id="R4", request_type="PRICE_AND_AVAILABILITY", received_date="2025-07-01"),
]


def tables():
    return {"fms_documents": frame("fms_documents", DOCS), "fms_lors": frame("fms_lors", LORS)}


@pytest.fixture(scope="module")
def computed(config, tmp_path_factory):
    cfg = config_with_reference(config, tmp_path_factory.mktemp("timeliness"))
    return indicators.compute(tables(), cfg, Quarter.parse(Q2))


@pytest.fixture(scope="module")
def con(config, tmp_path_factory):
    cfg = config_with_reference(config, tmp_path_factory.mktemp("t"))
    with populations(tables(), cfg, Q2) as c:
        yield c


def test_lor_to_offer_days_in_pop_fms_loas_offered(con):
    # E1: 2025-08-01 -> 2025-11-01 = 31 + 30 + 31 = 92; E2: 2025-09-15 -> 2026-01-20 =
    # 30 + 31 + 30 + 31 + 5 = 127; E4: 2026-01-10 -> 2026-03-01 = 31 + 19 = 50; E3 and E6
    # name no LOR (null); E5 was cancelled on its offer date (not offered).
    rows = rows_of(con, "pop_fms_loas_offered", "period, document_id, lor_to_offer_days")
    assert rows == [
        (Q1, "E1", 92),
        (Q1, "E6", None),
        (Q2, "E2", 127),
        (Q2, "E3", None),
        (Q2, "E4", 50),
    ]


def test_pop_fms_documents_offered_or_implemented(con):
    # Offers timed by the original anticipated date, else the current one; modifications
    # by their implementation. E1 Nov 1 > Oct 15: late. E6 Dec 20 <= Dec 31 (original
    # only): on time. M5 has no anticipated date (null). E2 Jan 20 > original Jan 10: late
    # (on time against its reset date, Feb 1). E3 Feb 1 <= Feb 1. E4 has no date. M1 Feb 15
    # <= Mar 1. M2 Jan 5 <= original Jan 10. M3 cancelled on its implementation date, M4
    # implemented after the release, E5 never offered: none of them is in it.
    columns = "period, document_id, implementing_agency, region, purchaser, priority_platform, "
    rows = rows_of(con, "pop_fms_documents_offered_or_implemented", columns + "by_anticipated_date")
    assert rows == [
        (Q1, "E1", "ARMY", "EUR", "GB", "false", False),
        (Q1, "E6", "ARMY", "EUR", "GB", "false", True),
        (Q1, "M5", "ARMY", "EUR", "GB", "false", None),
        (Q2, "E2", "NAVY", "EUR", "FR", "true", False),
        (Q2, "E3", "AIR_FORCE", "EAP", "JP", "false", True),
        (Q2, "E4", "ARMY", "EUR", "GB", "false", None),
        (Q2, "M1", "DSCA", "NEA", "SA", "false", True),
        (Q2, "M2", "ARMY", "EUR", "GB", "false", True),
    ]


def test_fms_lor_to_offer_days_median(computed):
    # Q1: [92] -> 92.0, n 1; Q2: [50, 127] -> (50 + 127) / 2 = 88.5, n 2; FY2025-Q4: none.
    assert totals(computed, "fms_lor_to_offer_days_median") == {
        Q4: (None, 0),
        Q1: (D(92), 1),
        Q2: (D("88.5"), 2),
    }
    # by region in Q2: E2 (FR) and E4 (GB) are both EUR
    rows = cells_of(computed.cells, "fms_lor_to_offer_days_median")
    assert (Q2, "region", "EUR", D("88.5"), 2, None) in rows


def test_fms_documents_by_anticipated_date_pct(computed):
    # Q1: E1 late, E6 on time -> 1 / 2 = 50.0 %; Q2: E2 late; E3, M1, M2 on time -> 3 / 4 =
    # 75.0 %. The offers-only share by the current date reads E2 on time and has no
    # modifications: Q2 E2, E3 on time (E4 has no date) -> 2 / 2 = 100.0 %.
    assert totals(computed, "fms_documents_by_anticipated_date_pct") == {
        Q4: (None, 0),
        Q1: (D(50), 2),
        Q2: (D(75), 4),
    }
    assert totals(computed, "fms_loas_offered_by_anticipated_date_pct")[Q2] == (D(100), 2)
    q2 = [r for r in cells_of(computed.cells, "fms_documents_by_anticipated_date_pct")
          if r[0] == Q2 and r[1] != "total"]  # fmt: skip
    assert q2 == [
        (Q2, "implementing_agency", "AIR_FORCE", D(100), 1, None),
        (Q2, "implementing_agency", "ARMY", D(100), 1, None),
        (Q2, "implementing_agency", "DSCA", D(100), 1, None),
        (Q2, "implementing_agency", "NAVY", D(0), 1, None),
        (Q2, "priority_platform", "false", D(100), 3, None),
        (Q2, "priority_platform", "true", D(0), 1, None),
        (Q2, "purchaser", "FR", D(0), 1, "EUR"),
        (Q2, "purchaser", "GB", D(100), 1, "EUR"),
        (Q2, "purchaser", "JP", D(100), 1, "EAP"),
        (Q2, "purchaser", "SA", D(100), 1, "NEA"),
        (Q2, "region", "EAP", D(100), 1, None),
        (Q2, "region", "EUR", D(50), 2, None),
        (Q2, "region", "NEA", D(100), 1, None),
    ]


def test_an_extract_that_links_no_document_has_no_lor_to_offer_median(config, tmp_path):
    # The same documents with every lor_id empty (an extract from before 0.2, or one that
    # does not link them): the median is unavailable (no data), not "no records" each
    # quarter; the offers and the share by anticipated date are unaffected.
    unlinked = [{k: v for k, v in d.items() if k != "lor_id"} for d in DOCS]
    tables = {
        "fms_documents": frame("fms_documents", unlinked),
        "fms_lors": frame("fms_lors", LORS),
    }
    got = indicators.compute(tables, config_with_reference(config, tmp_path), Quarter.parse(Q2))
    assert "fms_lor_to_offer_days_median" in got.unavailable
    assert cells_of(got.cells, "fms_lor_to_offer_days_median") == []
    assert totals(got, "fms_documents_by_anticipated_date_pct")[Q2] == (D(75), 4)
    assert "fms_documents_by_anticipated_date_pct" not in got.unavailable
