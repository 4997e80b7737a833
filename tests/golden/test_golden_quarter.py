"""Golden: one quarter of the committed sample data, headline figures checked by hand.

The expected numbers below were worked out once, independently of the pipeline, with a
short script using only Python's csv, statistics and decimal modules over sample_data/
(the method and the numbers are written down in sample_data/README.md, "Hand check").
If the sample data is regenerated, redo the hand check: never paste the program's output.
"""

from __future__ import annotations

import csv

import pytest

from tests.conftest import SAMPLE_QUARTER

QUARTER = "FY2026-Q3"  # 2026-04-01 .. 2026-06-30

# (indicator_id, breakdown, breakdown_value) -> (value, n), from the hand check
HAND_CHECK = {
    ("fms_lors_received", "total", "All"): ("35", "35"),
    ("fms_loas_offered", "total", "All"): ("34", "34"),
    # statistics.median of the 34 development times (an even count: mean of the middle two)
    ("fms_loa_development_days_median", "total", "All"): ("97.5", "34"),
    ("fms_loas_accepted", "total", "All"): ("28", "28"),
    # 1,008,755,532.83 rounds half-even to whole dollars
    ("fms_loas_accepted_value_usd", "total", "All"): ("1008755533", "28"),
    ("fms_cases_implemented", "total", "All"): ("13", "13"),
    ("fms_cases_implemented_value_usd", "total", "All"): ("983993333", "13"),
    ("fms_open_cases", "total", "All"): ("716", "716"),
    ("fms_open_cases_value_usd", "total", "All"): ("40937004028", "716"),  # ...028.44
    ("fms_deliveries_value_usd", "total", "All"): ("4185924195", "252"),  # ...194.71
    ("cn_notifications", "total", "All"): ("1", "1"),  # public record: never suppressed
    ("cn_notifications_value_usd", "total", "All"): ("362000000", "1"),
    ("lic_applications_received", "total", "All"): ("1007", "1007"),
    ("lic_applications_received", "agency", "STATE"): ("611", "611"),
    ("lic_applications_received", "agency", "COMMERCE"): ("396", "396"),
    ("lic_final_actions", "total", "All"): ("966", "966"),
    ("lic_final_actions", "agency", "STATE"): ("595", "595"),
    ("lic_final_actions", "agency", "COMMERCE"): ("371", "371"),
    ("lic_processing_days_median", "total", "All"): ("24.5", "966"),
    ("lic_processing_days_median", "agency", "STATE"): ("23.0", "595"),
    ("lic_processing_days_median", "agency", "COMMERCE"): ("29.0", "371"),
    # approvals / (approvals + denials): 827/838 = 98.687..%, 525/529 = 99.243..%, 302/309
    ("lic_approval_rate_pct", "total", "All"): ("98.7", "838"),
    ("lic_approval_rate_pct", "agency", "STATE"): ("99.2", "529"),
    ("lic_approval_rate_pct", "agency", "COMMERCE"): ("97.7", "309"),
    ("lic_pending", "total", "All"): ("535", "535"),
    ("lic_pending", "agency", "STATE"): ("292", "292"),
    ("lic_pending", "agency", "COMMERCE"): ("243", "243"),
    # statistics.median of offered - the named LOR's received date, the 31 of the 34 offers
    # that name their LOR
    ("fms_lor_to_offer_days_median", "total", "All"): ("107.0", "31"),
    # 20 of 32 offers and 13 of 22 modifications reached the purchaser on or before the
    # original anticipated date (else the current one): 33/54 = 61.11 (offers by the
    # current date alone: 22/32)
    ("fms_documents_by_anticipated_date_pct", "total", "All"): ("61.1", "54"),
    # numpy.percentile (linear) of the same 34 development times
    ("fms_loa_development_days_p90", "total", "All"): ("157.6", "34"),
    ("fms_loas_offered_within_target_pct", "total", "All"): ("61.8", "34"),  # 21/34 = 61.76
    ("fms_loas_offered_by_anticipated_date_pct", "total", "All"): ("68.8", "32"),  # 22/32 = 68.75
    ("fms_offer_to_acceptance_days_median", "total", "All"): ("41.0", "28"),
    ("fms_development_backlog", "total", "All"): ("21", "21"),
    ("fms_development_backlog_over_target_pct", "total", "All"): ("9.5", "21"),  # 2/21
    ("fms_cases_supply_complete", "total", "All"): ("9", "9"),
    ("fms_cases_closed", "total", "All"): ("17", "17"),
    ("lic_processing_days_p90", "total", "All"): ("99.5", "966"),
    ("lic_decided_within_target_pct", "total", "All"): ("84.2", "966"),  # 84.16
    ("lic_returned_without_action_pct", "total", "All"): ("12.1", "966"),  # 12.11
    ("lic_pending_over_target", "total", "All"): ("136", "136"),
    ("lic_approved_value_usd", "total", "All"): ("895904886", "788"),  # ...886.48
    # expiration date in the quarter, not accepted or cancelled on or before it
    ("fms_offers_expired", "total", "All"): ("8", "8"),
    # open on 2026-06-30, expiring 2026-07-01 .. 2026-09-28
    ("fms_offers_expiring_90_days", "total", "All"): ("18", "18"),
    # each outcome over the 966 final actions: APPROVED 703 (72.77), WITH_CONDITIONS 124
    # (12.84), DENIED 11 (1.139), WITHDRAWN 11; with RETURNED 117 they make 966
    ("lic_approved_pct", "total", "All"): ("72.8", "966"),
    ("lic_approved_with_conditions_pct", "total", "All"): ("12.8", "966"),
    ("lic_denied_pct", "total", "All"): ("1.1", "966"),
    ("lic_withdrawn_pct", "total", "All"): ("1.1", "966"),
    # statistics.median of the processing days of the 838 approvals and denials: longer
    # than over every final action (24.5)
    ("lic_decided_processing_days_median", "total", "All"): ("25.5", "838"),
}


@pytest.fixture(scope="module")
def published(sample_build) -> dict[tuple[str, str, str], dict[str, str]]:
    site, _ = sample_build
    assert QUARTER == SAMPLE_QUARTER
    with (site / "data/indicators.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    return {
        (r["indicator_id"], r["breakdown"], r["breakdown_value"]): r
        for r in rows
        if r["period"] == QUARTER
    }


@pytest.mark.parametrize("key", sorted(HAND_CHECK), ids="/".join)
def test_headline_figure_matches_the_hand_check(published, key) -> None:
    row = published[key]
    assert (row["value"], row["n"]) == HAND_CHECK[key]
    assert row["suppressed"] == "false" and row["revised"] == "false"
