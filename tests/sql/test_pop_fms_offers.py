"""The offer deadline populations (pop_fms_offers_expired, pop_fms_offers_expiring) row by
row, and fms_offers_expired and fms_offers_expiring_90_days over them, on hand-made tables;
every expected figure worked out by hand.

Release FY2026-Q2 (2026-01-01 .. 2026-03-31). Quarter ends: FY2025-Q4 2025-09-30, FY2026-Q1
2025-12-31, FY2026-Q2 2026-03-31. Reference: GB, FR -> EUR; JP -> EAP; SA -> NEA.

All LOAs unless said; OED = offer_expiration_date.
| id  | dest | agency    | offered    | OED        | accepted   | cancelled  |
|-----|------|-----------|------------|------------|------------|------------|
| E1  | GB   | ARMY      | 2025-08-01 | 2025-10-15 |            |            |
| E2  | FR   | NAVY      | 2025-11-01 | 2026-01-31 | 2026-01-31 |            | AMENDMENT
| E3  | JP   | AIR_FORCE | 2025-12-01 | 2026-02-15 | 2026-02-20 |            |
| E4  | GB   | ARMY      | 2025-12-01 | 2026-03-01 |            | 2026-03-01 |
| E5  | SA   | DSCA      | 2026-01-10 | 2026-06-29 |            |            |
| E6  | GB   | ARMY      | 2026-02-01 | 2026-06-30 |            |            |
| E7  | GB   | ARMY      | 2025-10-01 | 2025-12-31 |            |            |
| E8  | GB   | ARMY      | 2026-03-01 | 2026-04-15 |            | 2026-03-01 |
| E9  | FR   | NAVY      | 2026-03-15 | 2026-05-01 | 2026-04-02 |            |
| E10 | GB   | ARMY      | 2025-11-15 | 2026-01-20 |            | 2026-01-10 |

Expired (OED in a quarter up to the release, neither accepted nor cancelled on or before
it): E1 (Oct 15, FY2026-Q1), E7 (Dec 31, FY2026-Q1), E3 (Feb 15, FY2026-Q2: accepted five
days late, the lapse stands). Not expired: E2 accepted on its OED, E4 cancelled on its OED,
E10 cancelled before its OED, E5, E6 and E9 expire after the release, E8 was cancelled on its
offer date (never an offer).

Expiring within 90 days of a quarter end (offered by then, neither accepted nor cancelled by
then, OED 1 to 90 days after the end); days = OED - end:
- 2025-09-30: E1 15 (E7 is offered the next day).
- 2025-12-31: E10 20 (cancelled only on Jan 10), E2 31, E3 31 + 15 = 46, E4 31 + 28 + 1 = 60
  (2026 is not a leap year); E1 has lapsed; E7's OED is the quarter end itself (0 days).
- 2026-03-31: E9 30 + 1 = 31 (its acceptance, Apr 2, is after the release: not known then),
  E5 30 + 31 + 29 = 90 (the last day counted); E6 30 + 31 + 30 = 91 is beyond; E8 never
  offered. E5's and E9's OEDs are after the release: scheduled dates, kept.
"""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from arms_metrics.compute import indicators
from arms_metrics.quarters import Quarter
from tests.sql.helpers import cells_of, config_with_reference, frame, populations, rows_of, totals

Q4, Q1, Q2 = "FY2025-Q4", "FY2026-Q1", "FY2026-Q2"

DOCS = [
    dict(document_id="E1", offered_date="2025-08-01", offer_expiration_date="2025-10-15"),
    dict(document_id="E2", document_type="AMENDMENT", purchaser_code="FR",
         implementing_agency="NAVY", offered_date="2025-11-01",
         offer_expiration_date="2026-01-31", accepted_date="2026-01-31"),
    dict(document_id="E3", purchaser_code="JP", implementing_agency="AIR_FORCE",
         offered_date="2025-12-01", offer_expiration_date="2026-02-15",
         accepted_date="2026-02-20"),
    dict(document_id="E4", offered_date="2025-12-01", offer_expiration_date="2026-03-01",
         cancelled_date="2026-03-01"),
    dict(document_id="E5", purchaser_code="SA", implementing_agency="DSCA",
         offered_date="2026-01-10", offer_expiration_date="2026-06-29"),
    dict(document_id="E6", offered_date="2026-02-01", offer_expiration_date="2026-06-30"),
    dict(document_id="E7", offered_date="2025-10-01", offer_expiration_date="2025-12-31"),
    dict(document_id="E8", offered_date="2026-03-01", offer_expiration_date="2026-04-15",
         cancelled_date="2026-03-01"),
    dict(document_id="E9", purchaser_code="FR", implementing_agency="NAVY",
         offered_date="2026-03-15", offer_expiration_date="2026-05-01",
         accepted_date="2026-04-02"),
    dict(document_id="E10", offered_date="2025-11-15", offer_expiration_date="2026-01-20",
         cancelled_date="2026-01-10"),
]  # fmt: skip


def tables():
    docs = [{"lor_complete_date": "2025-07-01", **row} for row in DOCS]
    return {"fms_documents": frame("fms_documents", docs)}


@pytest.fixture(scope="module")
def con(config, tmp_path_factory):
    cfg = config_with_reference(config, tmp_path_factory.mktemp("offers"))
    with populations(tables(), cfg, Q2) as c:
        yield c


@pytest.fixture(scope="module")
def computed(config, tmp_path_factory):
    cfg = config_with_reference(config, tmp_path_factory.mktemp("offer-cells"))
    return indicators.compute(tables(), cfg, Quarter.parse(Q2))


def test_pop_fms_offers_expired(con):
    rows = rows_of(con, "pop_fms_offers_expired", "period, document_id, implementing_agency, "
                   "region, purchaser")  # fmt: skip
    assert rows == [
        (Q1, "E1", "ARMY", "EUR", "GB"),
        (Q1, "E7", "ARMY", "EUR", "GB"),
        (Q2, "E3", "AIR_FORCE", "EAP", "JP"),
    ]


def test_pop_fms_offers_expiring(con):
    rows = rows_of(con, "pop_fms_offers_expiring", "period, document_id, purchaser, "
                   "days_to_expiration")  # fmt: skip
    assert rows == [
        (Q4, "E1", "GB", 15),
        (Q1, "E10", "GB", 20),
        (Q1, "E2", "FR", 31),
        (Q1, "E3", "JP", 46),
        (Q1, "E4", "GB", 60),
        (Q2, "E5", "SA", 90),
        (Q2, "E9", "FR", 31),
    ]


def test_fms_offers_expired(computed):
    # A zero where the spine has a quarter with no lapse: a count of no records.
    assert totals(computed, "fms_offers_expired")[Q4] == (D(0), 0)
    assert totals(computed, "fms_offers_expired")[Q1] == (D(2), 2)
    assert totals(computed, "fms_offers_expired")[Q2] == (D(1), 1)
    rows = [r for r in cells_of(computed.cells, "fms_offers_expired") if r[0] == Q1]
    assert [r[1:4] for r in rows if r[1] in ("implementing_agency", "purchaser")] == [
        ("implementing_agency", "ARMY", D(2)),
        ("purchaser", "GB", D(2)),
    ]


def test_fms_offers_expiring_90_days(computed):
    expiring = totals(computed, "fms_offers_expiring_90_days")
    assert (expiring[Q4], expiring[Q1], expiring[Q2]) == ((D(1), 1), (D(4), 4), (D(2), 2))
    rows = [r for r in cells_of(computed.cells, "fms_offers_expiring_90_days") if r[0] == Q1]
    assert [(r[2], r[3], r[5]) for r in rows if r[1] == "purchaser"] == [
        ("FR", D(1), "EUR"),
        ("GB", D(2), "EUR"),
        ("JP", D(1), "EAP"),
    ]
    regions = {r[2]: r[3] for r in rows if r[1] == "region"}
    assert regions == {"EAP": D(1), "EUR": D(3)}
