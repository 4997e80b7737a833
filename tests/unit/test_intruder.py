"""The independent intruder (tests/intruder.py) on tiny hand-made published tables.

Each link kind gets a table where a suppressed cell IS recoverable (the value worked out by
hand in a comment) and a variant where it is not (two unknowns with slack). Rows are
written as ``indicator,period,breakdown,breakdown_value,value[,n]``; a value ``S`` is a
suppressed cell (empty value and n); n defaults to the value (a count's n is its value).
"""

from __future__ import annotations

import itertools
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests import intruder

Q0, Q1, Q2 = "FY2025-Q4", "FY2026-Q1", "FY2026-Q2"
# A first quarter with no record: nothing pending at its end, no flow. A stock's first
# quarter is a free level (records opened before the coverage start are in it); after this
# one, the stock follows its flows from 0, as the hand-worked numbers below say.
NOTHING_PENDING = f"""
        received,{Q0},total,All,0
        final,{Q0},total,All,0
        pending,{Q0},total,All,0
"""
LIC = "licensing"
RATE_LINKS = {"numerator": ["APPROVED"], "denominator": ["APPROVED", "DENIED"]}
REGISTRY = {
    "received": {"unit": "count", "family": LIC, "additive": True, "links": {}},
    "final": {"unit": "count", "family": LIC, "additive": True, "links": {}},
    "pending": {
        "unit": "count",
        "family": LIC,
        "additive": True,
        "links": {"inflow": "received", "outflow": "final"},
    },
    "approval": {
        "unit": "percent",
        "family": LIC,
        "additive": False,
        "links": RATE_LINKS,
        "population": "final",  # decided applications: part of the final actions
    },
    "approved_value": {
        "unit": "usd",
        "family": LIC,
        "additive": True,
        "links": {},
        "population": "final",
    },
    "over": {  # pending over target: part of pending
        "unit": "count",
        "family": LIC,
        "additive": True,
        "links": {},
        "population": "pending",
    },
    "returned": {
        "unit": "percent",
        "family": LIC,
        "additive": False,
        "links": {"count": "final", "numerator": ["RWA"], "denominator": ["ALL"]},
    },
    "median": {"unit": "days", "family": LIC, "additive": False, "links": {"count": "final"}},
    "value": {"unit": "usd", "family": LIC, "additive": True, "links": {}},
    "cases": {"unit": "count", "family": "fms", "additive": True, "links": {}},
    "notes": {"unit": "count", "family": "notifications", "additive": True, "links": {}},
}
REGIONS = {"GB": "EUR", "FR": "EUR", "DE": "EUR", "JP": "EAP", "KR": "EAP"}
POLICIES = {"fms": "public_record", "licensing": "confidential"}


def release(text: str) -> list[dict]:
    """Published rows from compact lines (see the module docstring)."""
    rows = []
    for line in filter(None, map(str.strip, text.splitlines())):
        indicator, period, breakdown, value_of, value, *n = line.split(",")
        hidden = value == "S"
        rows.append(
            {
                "indicator_id": indicator,
                "period": period,
                "breakdown": breakdown,
                "breakdown_value": value_of,
                "value": "" if hidden else value,
                "n": "" if hidden else (n[0] if n else value),
                "suppressed": "true" if hidden else "false",
            }
        )
    return rows


def attack(*releases: str) -> intruder.Report:
    return intruder.attack([release(r) for r in releases], REGISTRY, REGIONS)


def found(report: intruder.Report) -> dict[tuple[str, ...], Fraction]:
    """(indicator, period, breakdown, value) -> recovered value."""
    return {
        (f.indicator_id, f.period, f.breakdown, f.breakdown_value): f.value
        for f in report.recovered
    }


def links(report: intruder.Report, indicator: str, value_of: str) -> tuple[str, ...]:
    (f,) = [
        f for f in report.recovered if (f.indicator_id, f.breakdown_value) == (indicator, value_of)
    ]
    return f.links


# ------------------------------------------------------------------------- additivity
def test_a_table_sums_to_its_total() -> None:
    # total 10 = DSP-5 7 + DSP-61 (S): DSP-61 = 10 - 7 = 3.
    report = attack(
        """
        final,FY2026-Q1,total,All,10
        final,FY2026-Q1,application_type,DSP-5,7
        final,FY2026-Q1,application_type,DSP-61,S
        """
    )
    assert found(report) == {("final", Q1, "application_type", "DSP-61"): 3}
    assert links(report, "final", "DSP-61") == ("additivity",)


def test_two_hidden_cells_of_a_table_keep_their_slack() -> None:
    # DSP-61 + AGREEMENT = 10 - 6 = 4, each >= 1: each is anywhere in 1..3.
    report = attack(
        """
        final,FY2026-Q1,total,All,10
        final,FY2026-Q1,application_type,DSP-5,6
        final,FY2026-Q1,application_type,DSP-61,S
        final,FY2026-Q1,application_type,AGREEMENT,S
        """
    )
    assert report.recovered == []
    assert report.small == []  # 3 is possible for each


def test_two_hidden_cells_with_too_little_room_are_shown_small() -> None:
    # DSP-61 + AGREEMENT = 10 - 7 = 3, each >= 1: each is 1 or 2, never 3 (not recovered,
    # but shown to rest on 1 or 2 records: below the upper protection level). The same for
    # an FMS table, which the FMS policy (exact recovery only) lets pass.
    report = attack(
        """
        final,FY2026-Q1,total,All,10
        final,FY2026-Q1,application_type,DSP-5,7
        final,FY2026-Q1,application_type,DSP-61,S
        final,FY2026-Q1,application_type,AGREEMENT,S
        cases,FY2026-Q1,total,All,10
        cases,FY2026-Q1,purchaser,GB,7
        cases,FY2026-Q1,purchaser,FR,S
        cases,FY2026-Q1,purchaser,DE,S
        """
    )
    assert report.recovered == []
    shown = {(f.indicator_id, f.breakdown_value, f.part): (f.value, f.width) for f in report.small}
    assert shown == {
        ("final", "DSP-61", "cell"): (2, 1),
        ("final", "AGREEMENT", "cell"): (2, 1),
        ("cases", "FR", "cell"): (2, 1),
        ("cases", "DE", "cell"): (2, 1),
    }
    # Forbidden only where the upper protection level is asked for (licensing here).
    assert intruder.violations(report, POLICIES).small == []
    forbidden = intruder.violations(report, POLICIES, upper={"licensing"})
    assert {(f.indicator_id, f.breakdown_value) for f in forbidden.small} == {
        ("final", "DSP-61"),
        ("final", "AGREEMENT"),
    }


def test_purchasers_sum_to_their_region() -> None:
    # The purchaser table alone: FR + KR = 10 - 4 - 3 = 3 (slack). The regions pin them:
    # EUR 5 = GB 4 + FR, so FR = 1; EAP 5 = JP 3 + KR, so KR = 2.
    report = attack(
        """
        final,FY2026-Q1,total,All,10
        final,FY2026-Q1,region,EAP,5
        final,FY2026-Q1,region,EUR,5
        final,FY2026-Q1,purchaser,FR,S
        final,FY2026-Q1,purchaser,GB,4
        final,FY2026-Q1,purchaser,JP,3
        final,FY2026-Q1,purchaser,KR,S
        """
    )
    assert found(report) == {
        ("final", Q1, "purchaser", "FR"): 1,
        ("final", Q1, "purchaser", "KR"): 2,
    }


def test_two_hidden_purchasers_in_each_region_keep_their_slack() -> None:
    # EUR 7 = DE 3 + GB + FR: GB + FR = 4 (1..3 each); EAP 6 = JP + KR (1..5 each); the
    # purchaser table says the same: GB + FR + JP + KR = 13 - 3 = 10.
    report = attack(
        """
        final,FY2026-Q1,total,All,13
        final,FY2026-Q1,region,EAP,6
        final,FY2026-Q1,region,EUR,7
        final,FY2026-Q1,purchaser,DE,3
        final,FY2026-Q1,purchaser,FR,S
        final,FY2026-Q1,purchaser,GB,S
        final,FY2026-Q1,purchaser,JP,S
        final,FY2026-Q1,purchaser,KR,S
        """
    )
    assert report.recovered == []


def test_an_absent_purchaser_row_is_zero() -> None:
    # Only GB and JP had records (no FR row): EUR 4 = GB, so GB = 4; EAP 3 = JP, JP = 3.
    report = attack(
        """
        final,FY2026-Q1,total,All,7
        final,FY2026-Q1,region,EAP,S
        final,FY2026-Q1,region,EUR,4
        final,FY2026-Q1,purchaser,GB,S
        final,FY2026-Q1,purchaser,JP,S
        """
    )
    # and EAP = 7 - 4 = 3 from the region table.
    assert found(report) == {
        ("final", Q1, "region", "EAP"): 3,
        ("final", Q1, "purchaser", "GB"): 4,
        ("final", Q1, "purchaser", "JP"): 3,
    }


def test_a_hidden_count_is_at_least_one() -> None:
    # GB + FR = 3 - 1 = 2 with GB >= 1 and FR >= 1: GB = FR = 1.
    report = attack(
        """
        final,FY2026-Q1,total,All,3
        final,FY2026-Q1,purchaser,DE,1
        final,FY2026-Q1,purchaser,FR,S
        final,FY2026-Q1,purchaser,GB,S
        """
    )
    assert found(report) == {
        ("final", Q1, "purchaser", "FR"): 1,
        ("final", Q1, "purchaser", "GB"): 1,
    }


def test_dollars_are_pinned_within_a_dollar() -> None:
    # ARMY = $1,001 - $400 = $601, but each published figure is rounded (+-0.50): the true
    # value is anywhere in 1000.50 - 400.50 = 600 .. 1001.50 - 399.50 = 602, a width of 2.
    report = attack(
        """
        value,FY2026-Q1,total,All,1001,9
        value,FY2026-Q1,agency,NAVY,400,5
        value,FY2026-Q1,agency,ARMY,S
        """
    )
    (cell,) = report.recovered
    assert (cell.breakdown_value, cell.value, cell.width) == ("ARMY", 601, 2)


def test_two_hidden_dollar_cells_keep_their_slack() -> None:
    # ARMY + NAVY = 1001 - 400 = 601 (+-1), each >= 0: anywhere in 0 .. 602.
    report = attack(
        """
        value,FY2026-Q1,total,All,1001,9
        value,FY2026-Q1,agency,AIR_FORCE,400,5
        value,FY2026-Q1,agency,ARMY,S
        value,FY2026-Q1,agency,NAVY,S
        """
    )
    assert report.recovered == []


# ------------------------------------------------------------------------- stock-flow
FLOWS_Q1 = """
received,FY2026-Q1,total,All,5
received,FY2026-Q1,purchaser,GB,5
final,FY2026-Q1,total,All,0
pending,FY2026-Q1,total,All,5
pending,FY2026-Q1,purchaser,GB,5
"""


def test_a_stock_is_its_previous_value_plus_inflow_minus_outflow() -> None:
    # The case: pending(t-1) = 5, received(t) = 2, final(t) = 4 for GB, so
    # pending(t) = 5 + 2 - 4 = 3. FR: no pending row in Q1 (0), received 3, no final
    # row (0): pending = 0 + 3 - 0 = 3. (The pending table alone only says GB + FR = 6.)
    report = attack(
        FLOWS_Q1
        + """
        received,FY2026-Q2,total,All,5
        received,FY2026-Q2,purchaser,FR,3
        received,FY2026-Q2,purchaser,GB,2
        final,FY2026-Q2,total,All,4
        final,FY2026-Q2,purchaser,GB,4
        pending,FY2026-Q2,total,All,6
        pending,FY2026-Q2,purchaser,FR,S
        pending,FY2026-Q2,purchaser,GB,S
        """
    )
    assert found(report) == {
        ("pending", Q2, "purchaser", "FR"): 3,
        ("pending", Q2, "purchaser", "GB"): 3,
    }
    assert "stock_flow" in links(report, "pending", "GB")


def test_a_stock_with_hidden_inflows_keeps_its_slack() -> None:
    # With received(Q2) hidden for both: GB = 5 + r_GB - 4 and FR = r_FR with
    # r_GB + r_FR = 5 (each >= 1): GB anywhere in 2 .. 5, FR in 1 .. 4.
    report = attack(
        FLOWS_Q1
        + """
        received,FY2026-Q2,total,All,5
        received,FY2026-Q2,purchaser,FR,S
        received,FY2026-Q2,purchaser,GB,S
        final,FY2026-Q2,total,All,4
        final,FY2026-Q2,purchaser,GB,4
        pending,FY2026-Q2,total,All,6
        pending,FY2026-Q2,purchaser,FR,S
        pending,FY2026-Q2,purchaser,GB,S
        """
    )
    assert report.recovered == []


def test_a_stock_follows_its_flows_from_a_quarter_with_nothing_pending() -> None:
    # Q0 has nothing pending, so pending(t-1) = 0 in Q1; final is 0 in all (its total
    # rests on no record): pending(GB) = 0 + 2 - 0 = 2 and pending(FR) = 0 + 3 - 0 = 3.
    rows = """
        received,FY2026-Q1,total,All,5
        received,FY2026-Q1,purchaser,FR,3
        received,FY2026-Q1,purchaser,GB,2
        final,FY2026-Q1,total,All,0
        pending,FY2026-Q1,total,All,5
        pending,FY2026-Q1,purchaser,FR,S
        pending,FY2026-Q1,purchaser,GB,S
        """
    assert found(attack(NOTHING_PENDING + rows)) == {
        ("pending", Q1, "purchaser", "FR"): 3,
        ("pending", Q1, "purchaser", "GB"): 2,
    }
    # Q1 as the first quarter: its pending is a free level (applications received before
    # the coverage start may be in it), so FR and GB are only >= 1 with 5 in all.
    assert found(attack(rows)) == {}


def test_a_stock_not_published_by_destination_still_follows_its_flows() -> None:
    # Pending is published as a total only; received and final actions by purchaser. JP:
    # 3 received, 2 final in Q1, so 1 application of JP is pending: a small count. KR: 5
    # received, 2 final: 3 pending, not small. The total pending, 8 - 4 = 4, is 1 + 3
    # (after a quarter with nothing pending: 0 + 1 and 0 + 3).
    report = attack(
        NOTHING_PENDING
        + """
        received,FY2026-Q1,total,All,8
        received,FY2026-Q1,purchaser,JP,3
        received,FY2026-Q1,purchaser,KR,5
        final,FY2026-Q1,total,All,4
        final,FY2026-Q1,purchaser,JP,2
        final,FY2026-Q1,purchaser,KR,2
        pending,FY2026-Q1,total,All,4
        """
    )
    smalls = [(f.indicator_id, f.breakdown_value, f.part, f.value) for f in report.small]
    assert smalls == [("pending", "JP", "stock", 1)]


def test_an_unpublished_stock_at_least_zero_bounds_a_hidden_outflow() -> None:
    # Final actions of JP and KR hidden, 4 in all; each received 2. Neither can have more
    # final actions than applications (its pending would be below 0): JP <= 2, KR <= 2, and
    # 4 in all: 2 each. With 3 in all, each is 1 or 2 (a hidden count is >= 1): nothing.
    # (Q0 before has nothing pending: each starts from 0.)
    def release(final: int) -> str:
        return (
            NOTHING_PENDING
            + f"""
        received,FY2026-Q1,total,All,4
        received,FY2026-Q1,purchaser,JP,2
        received,FY2026-Q1,purchaser,KR,2
        final,FY2026-Q1,total,All,{final}
        final,FY2026-Q1,purchaser,JP,S
        final,FY2026-Q1,purchaser,KR,S
        pending,FY2026-Q1,total,All,{4 - final}
        """
        )

    assert found(attack(release(4))) == {
        ("final", Q1, "purchaser", "JP"): 2,
        ("final", Q1, "purchaser", "KR"): 2,
    }
    assert links(attack(release(4)), "final", "JP") == ("additivity", "stock_flow")
    assert found(attack(release(3))) == {}


# ------------------------------------------------------------------------ populations
def test_a_published_median_gives_its_population_count() -> None:
    # The median for GB is published on n = 4 records of `final`, so final(GB) = 4, and
    # FR = 10 - 3 - 4 = 3 from the table.
    report = attack(
        """
        final,FY2026-Q1,total,All,10
        final,FY2026-Q1,purchaser,FR,S
        final,FY2026-Q1,purchaser,GB,S
        final,FY2026-Q1,purchaser,JP,3
        median,FY2026-Q1,total,All,20.0,10
        median,FY2026-Q1,purchaser,GB,12.5,4
        median,FY2026-Q1,purchaser,FR,S
        median,FY2026-Q1,purchaser,JP,S
        """
    )
    assert found(report) == {
        ("final", Q1, "purchaser", "FR"): 3,
        ("final", Q1, "purchaser", "GB"): 4,
    }
    assert links(report, "final", "GB") == ("population",)


def test_a_suppressed_median_keeps_the_population_hidden() -> None:
    # Both medians hidden: FR + GB = 10 - 3 = 7 (1 .. 6 each).
    report = attack(
        """
        final,FY2026-Q1,total,All,10
        final,FY2026-Q1,purchaser,FR,S
        final,FY2026-Q1,purchaser,GB,S
        final,FY2026-Q1,purchaser,JP,3
        median,FY2026-Q1,total,All,20.0,10
        median,FY2026-Q1,purchaser,FR,S
        median,FY2026-Q1,purchaser,GB,S
        median,FY2026-Q1,purchaser,JP,S
        """
    )
    assert report.recovered == []


# ------------------------------------------------------------------------------ rates
def test_numerators_of_a_rate() -> None:
    # 7/9 = 77.78 % -> 77.8; 6/9 = 66.7 and 8/9 = 88.9: only k = 7.
    assert intruder.numerators(778, 9) == [7]
    # 50.0 % of 2000: 999/2000 = 49.95 and 1001/2000 = 50.05 both round half-even to 50.0
    # (499.5 -> 500, 500.5 -> 500 tenths); 998 -> 49.9 and 1002 -> 50.1.
    assert intruder.numerators(500, 2000) == [999, 1000, 1001]
    assert intruder.numerators(0, 5) == [0]
    assert intruder.numerators(1000, 3) == [3]


def test_an_approval_rate_reveals_its_denials() -> None:
    # The issue: 77.8 % on n = 9 is 7 approved (above) and 9 - 7 = 2 denied.
    report = attack(
        """
        approval,FY2026-Q1,total,All,77.8,9
        """
    )
    assert report.recovered == []
    (small,) = report.small
    assert (small.part, small.value, small.published) == ("complement", 2, True)
    assert small.links == ("rate",)


@pytest.mark.parametrize(("final", "rest"), [(10, 1), (11, 2), (12, None)])
def test_a_rate_on_part_of_a_count_reveals_the_rest(final, rest) -> None:
    # JP: 6 approved of 9 decided (66.7 %), tallies 6 and 3; its final actions 10, 11 or 12.
    # Final actions - decided = 1 or 2 returns or withdrawals (small); 3 is not small.
    report = attack(
        f"""
        approval,FY2026-Q1,purchaser,JP,66.7,9
        final,FY2026-Q1,purchaser,JP,{final}
        """
    )
    smalls = [(f.part, f.value, f.links) for f in report.small]
    assert smalls == ([] if rest is None else [("rest", rest, ("rest",))])


def test_a_sum_on_part_of_a_count_reveals_the_rest() -> None:
    # JP's approved value rests on n = 4 approvals of its 5 final actions: 1 other.
    report = attack(
        """
        approved_value,FY2026-Q1,purchaser,JP,1000000,4
        final,FY2026-Q1,purchaser,JP,5
        """
    )
    assert [(f.indicator_id, f.part, f.value) for f in report.small] == [
        ("approved_value", "rest", 1)
    ]


def test_a_count_on_part_of_a_population_reveals_the_rest() -> None:
    # JP: 5 applications pending, 3 of them over target: 2 within target (small).
    report = attack(
        """
        over,FY2026-Q1,purchaser,JP,3
        pending,FY2026-Q1,purchaser,JP,5
        """
    )
    assert [(f.indicator_id, f.part, f.value) for f in report.small] == [("over", "rest", 2)]
    # Hidden, over target is 1 to 5 (a hidden count is >= 1): its rest 0 to 4, not found.
    report = attack(
        """
        over,FY2026-Q1,purchaser,JP,S
        pending,FY2026-Q1,purchaser,JP,5
        """
    )
    assert report.small == [] and report.recovered == []


def test_a_hidden_count_keeps_the_rest_free() -> None:
    # The same with JP's final actions hidden: they are at least 9 (the rate's n), no more
    # is known, so the rest is 0 or more: nothing found.
    report = attack(
        """
        approval,FY2026-Q1,purchaser,JP,66.7,9
        final,FY2026-Q1,purchaser,JP,S
        """
    )
    assert report.small == [] and report.recovered == []


def test_a_rate_on_many_records_does_not_pin_its_numerator() -> None:
    # 50.0 % of 2000 is 999, 1000 or 1001 approvals (above): nothing is pinned.
    report = attack("approval,FY2026-Q1,total,All,50.0,2000")
    assert report.recovered == [] and report.small == []


def test_numerators_and_complements_add_up_across_a_table() -> None:
    # Total 80.0 % of 10: 8 approved, 2 denied (7/10 = 70.0, 9/10 = 90.0). GB 75.0 % of 4:
    # 3 and 1. JP 100.0 % of 5: 5 and 0. So FR (hidden) has n = 10 - 4 - 5 = 1 decision,
    # 8 - 3 - 5 = 0 approved and 2 - 1 - 0 = 1 denied: a rate of 0.0 %.
    report = attack(
        """
        approval,FY2026-Q1,total,All,80.0,10
        approval,FY2026-Q1,purchaser,FR,S
        approval,FY2026-Q1,purchaser,GB,75.0,4
        approval,FY2026-Q1,purchaser,JP,100.0,5
        """
    )
    assert found(report) == {("approval", Q1, "purchaser", "FR"): 0}
    small = {(f.breakdown_value, f.part): (f.value, f.published) for f in report.small}
    # denials of 1 or 2 revealed: the total's 2, GB's 1 and FR's 1 (its rate is hidden).
    assert small == {
        ("All", "complement"): (2, True),
        ("GB", "complement"): (1, True),
        ("FR", "complement"): (1, False),
    }


def test_two_hidden_rates_keep_their_slack() -> None:
    # Total 75.0 % of 20: 15 approved, 5 denied (14/20 = 70.0, 16/20 = 80.0). GB 75.0 % of
    # 12: 9 and 3. FR + JP (hidden) share n = 8, 6 approved and 2 denied: FR's denials
    # could be 0, 1 or 2 and its n anything in 1 .. 7.
    report = attack(
        """
        approval,FY2026-Q1,total,All,75.0,20
        approval,FY2026-Q1,purchaser,FR,S
        approval,FY2026-Q1,purchaser,GB,75.0,12
        approval,FY2026-Q1,purchaser,JP,S
        """
    )
    assert report.recovered == [] and report.small == []


def test_a_rate_without_its_n_still_narrows_the_population() -> None:
    # GB's n is left empty, but the table gives it: 19 - 10 = 9. 77.8 % of 9 is 7 approved
    # (above), so 2 denied. JP: 90.0 % of 10 is 9 approved, 1 denied. (The total: 84.2 % of
    # 19 is 16 approved, 16/19 = 84.21; 15/19 = 78.9 and 17/19 = 89.5; 3 denied.)
    report = attack(
        """
        approval,FY2026-Q1,total,All,84.2,19
        approval,FY2026-Q1,purchaser,GB,77.8,
        approval,FY2026-Q1,purchaser,JP,90.0,10
        """
    )
    small = {(f.breakdown_value, f.part): f.value for f in report.small}
    assert small == {("GB", "complement"): 2, ("JP", "complement"): 1}


def test_a_rate_with_a_population_link_uses_the_count() -> None:
    # `returned` has no n of its own to hide: its population is `final`. final(GB) is
    # hidden but the rate's n = 4 gives it (population); 25.0 % of 4 is 1 returned
    # (0/4 = 0.0, 2/4 = 50.0) and 3 others.
    report = attack(
        """
        final,FY2026-Q1,total,All,9
        final,FY2026-Q1,purchaser,FR,S
        final,FY2026-Q1,purchaser,GB,S
        final,FY2026-Q1,purchaser,JP,3
        returned,FY2026-Q1,total,All,S
        returned,FY2026-Q1,purchaser,FR,S
        returned,FY2026-Q1,purchaser,GB,25.0,4
        returned,FY2026-Q1,purchaser,JP,S
        """
    )
    # FR = 9 - 3 - 4 = 2.
    assert found(report) == {
        ("final", Q1, "purchaser", "FR"): 2,
        ("final", Q1, "purchaser", "GB"): 4,
    }
    small = {(f.breakdown_value, f.part): f.value for f in report.small}
    assert small == {("GB", "numerator"): 1}


# --------------------------------------------------------------------- earlier releases
EARLIER = """
final,FY2026-Q1,total,All,7
final,FY2026-Q1,purchaser,FR,3
final,FY2026-Q1,purchaser,GB,4
"""


def test_a_value_published_in_an_earlier_release_is_taken_as_still_true() -> None:
    # The current release hides both purchasers (FR + GB = 7: slack); the earlier one
    # published GB = 4 (and FR = 3), so GB = 4 and FR = 3 again.
    current = """
        final,FY2026-Q1,total,All,7
        final,FY2026-Q1,purchaser,FR,S
        final,FY2026-Q1,purchaser,GB,S
        """
    report = attack(EARLIER, current)
    assert found(report) == {
        ("final", Q1, "purchaser", "FR"): 3,
        ("final", Q1, "purchaser", "GB"): 4,
    }
    assert links(report, "final", "GB") == ("earlier_release",)


def test_an_earlier_release_that_also_hid_the_cells_gives_nothing() -> None:
    hidden = """
        final,FY2026-Q1,total,All,7
        final,FY2026-Q1,purchaser,FR,S
        final,FY2026-Q1,purchaser,GB,S
        """
    assert attack(hidden, hidden).recovered == []


def test_a_revised_cell_is_still_believed_and_the_contradiction_counted() -> None:
    # Earlier: GB 4. Now the total is 8 with FR 5 published and GB hidden: the current
    # tables say GB = 8 - 5 = 3, the earlier release says 4. The intruder keeps the
    # earlier 4 (it cannot tell which is right; the e2e tests check against the truth) and
    # counts the contradiction.
    current = """
        final,FY2026-Q1,total,All,8
        final,FY2026-Q1,purchaser,FR,5
        final,FY2026-Q1,purchaser,GB,S
        """
    report = attack(EARLIER, current)
    assert found(report) == {("final", Q1, "purchaser", "GB"): 4}
    assert report.conflicts >= 1


# ------------------------------------------------------------------- families, policy
def test_policies_fms_totals_are_public_notifications_are_exempt() -> None:
    # cases: the total is hidden, its two agencies published: total = 3 + 4 = 7; the
    # purchasers GB = 7 - 5 = 2. notes: recoverable the same way (JP = 2 - 1 = 1) but the
    # family is exempt, so the intruder does not even look.
    report = attack(
        """
        cases,FY2026-Q1,total,All,S
        cases,FY2026-Q1,implementing_agency,ARMY,3
        cases,FY2026-Q1,implementing_agency,NAVY,4
        cases,FY2026-Q1,purchaser,FR,5
        cases,FY2026-Q1,purchaser,GB,S
        notes,FY2026-Q1,total,All,2
        notes,FY2026-Q1,purchaser,FR,1
        notes,FY2026-Q1,purchaser,JP,S
        """
    )
    assert found(report) == {
        ("cases", Q1, "total", "All"): 7,
        ("cases", Q1, "purchaser", "GB"): 2,
    }
    forbidden = intruder.violations(report, POLICIES)
    assert [f.breakdown_value for f in forbidden.recovered] == ["GB"]
    assert intruder.violations(report, {}, exempt=()).recovered == report.recovered


def test_period_index_runs_across_fiscal_years() -> None:
    assert intruder.period_index("FY2027-Q1") - intruder.period_index("FY2026-Q4") == 1


# ------------------------------------------------------- against a brute-force public
@st.composite
def count_tables(draw):
    """A quarter of `final`: purchaser counts 0..3, their regions, the total and an agency
    split; 1..4 of the non-zero cells hidden."""
    counts = {p: draw(st.integers(0, 3)) for p in ("FR", "GB", "JP", "KR")}
    total = sum(counts.values())
    state = draw(st.integers(0, total))
    cells = {("total", "All"): total, ("agency", "STATE"): state}
    cells[("agency", "COMMERCE")] = total - state
    for p, c in counts.items():
        cells[("purchaser", p)] = c
        cells[("region", REGIONS[p])] = cells.get(("region", REGIONS[p]), 0) + c
    shown = sorted(k for k, v in cells.items() if v or k[0] == "total")
    hidden = draw(st.sets(st.sampled_from(shown), min_size=1, max_size=4))
    return {k: v for k, v in cells.items() if k in shown}, hidden


def brute_force(cells: dict, hidden: set) -> dict:
    """Every value each hidden cell takes in some table consistent with what is shown."""
    unknown = sorted(hidden)
    seen: dict = {k: set() for k in unknown}
    for guess in itertools.product(range(1, 13), repeat=len(unknown)):
        table = {**cells, **dict(zip(unknown, guess, strict=True))}
        by = {b: [v for (bb, _), v in table.items() if bb == b] for b in ("agency", "region")}
        regions = {
            r: sum(v for (b, p), v in table.items() if b == "purchaser" and REGIONS[p] == r)
            for (b, r) in table
            if b == "region"
        }
        purchasers = [v for (b, _), v in table.items() if b == "purchaser"]
        total = table[("total", "All")]
        if sum(by["agency"]) == sum(by["region"]) == sum(purchasers) == total and all(
            table[("region", r)] == v for r, v in regions.items()
        ):
            for k in unknown:
                seen[k].add(table[k])
    return seen


@settings(max_examples=60, derandomize=True, deadline=None)
@given(count_tables())
def test_the_intruder_pins_what_a_brute_force_public_pins(drawn) -> None:
    cells, hidden = drawn
    lines = [f"final,{Q1},{b},{v},{'S' if (b, v) in hidden else c}" for (b, v), c in cells.items()]
    report = attack("\n".join(lines))
    pinned = {k for k, values in brute_force(cells, hidden).items() if len(values) == 1}
    assert {(f.breakdown, f.breakdown_value) for f in report.recovered} == pinned


# ------------------------------------------------- outcomes and thresholds (intruder_outcomes)
SHARE = "lic_decided_within_target_pct"  # the id names its targets table (license)
OUTCOME_REGISTRY = {
    "final": {"unit": "count", "family": LIC, "additive": True, "links": {}},
    "approval": {"unit": "percent", "family": LIC, "additive": False, "population": "final",
                 "links": {"numerator": ["A"], "denominator": ["A", "D"]}},
    "returned": {"unit": "percent", "family": LIC, "additive": False, "population": "final",
                 "links": {"count": "final", "numerator": ["R"],
                           "denominator": ["A", "D", "R", "W"]}},
    "value": {"unit": "usd", "family": LIC, "additive": True, "population": "final",
              "links": {"within": ["A"]}},
    SHARE: {"unit": "percent", "family": LIC, "additive": False, "population": "final",
            "links": {"count": "final", "numerator": ["IN"], "denominator": ["ALL"]}},
    "p90": {"unit": "days", "family": LIC, "additive": False, "population": "final",
            "measure": "p90", "links": {"count": "final", "reveals": SHARE}},
}  # fmt: skip
TARGETS = {"license": {"STATE": 60, "COMMERCE": 90}}


def outcome_attack(text: str) -> intruder.Report:
    return intruder.attack([release(text)], OUTCOME_REGISTRY, REGIONS, targets=TARGETS)


def small(report: intruder.Report) -> dict[tuple[str, ...], Fraction]:
    return {(f.indicator_id, f.breakdown_value, f.part): f.value for f in report.small}


@pytest.mark.parametrize(("returned", "pinned"), [("10.0,10", True), ("S", False)])
def test_withdrawals_are_final_actions_less_decisions_and_returns(returned, pinned) -> None:
    # 10 final actions; approval rate 57.1 % of 7 decided (4 approved, 3 denied); returned
    # 10.0 % of 10 (1). Withdrawals: 10 - 7 - 1 = 2. With the return rate hidden, returns
    # and withdrawals share 3: neither is pinned.
    report = outcome_attack(
        f"""
        final,{Q1},total,All,10
        approval,{Q1},total,All,57.1,7
        returned,{Q1},total,All,{returned}
        """
    )
    expected = {("final", "All", "outcome:W"): 2} if pinned else {}
    assert {k: v for k, v in small(report).items() if k[2].startswith("outcome")} == expected


@pytest.mark.parametrize(("kr_n", "pinned"), [(2, True), (1, False)])
def test_a_value_n_counts_approvals_only(kr_n, pinned) -> None:
    # Approvals total 5 of 7 decided (71.4 %); AE's and KR's rates hidden. The approved
    # value's n: AE 3, KR 2, so approvals are AE >= 3 and KR >= 2 and add up to 5: KR's
    # numerator is 2 (small). With KR's n 1, KR's approvals are 1 or 2: small too, at most
    # 2 with a room of 1.
    report = outcome_attack(
        f"""
        final,{Q1},total,All,9
        final,{Q1},purchaser,AE,5
        final,{Q1},purchaser,KR,4
        approval,{Q1},total,All,71.4,7
        approval,{Q1},purchaser,AE,S
        approval,{Q1},purchaser,KR,S
        value,{Q1},total,All,500,{3 + kr_n}
        value,{Q1},purchaser,AE,300,3
        value,{Q1},purchaser,KR,200,{kr_n}
        """
    )
    kr = ("approval", "KR", "numerator")
    found = [(f.value, f.width) for f in report.small
             if (f.indicator_id, f.breakdown_value, f.part) == kr]  # fmt: skip
    assert found == [(2, 0 if pinned else 1)]


@pytest.mark.parametrize(
    ("value", "n", "q", "target", "expected"),
    [
        # n 14, p90: position 0.9 * 13 = 11.7; 62.2 = x11 + 0.7 (x12 - x11) in whole days
        # needs x12 - x11 = 6, 16, ...: x11 = 58, 51, ... <= 60 < x12 = 64, 67, ...: 12 exactly
        ("62.2", 14, Fraction(9, 10), 60, (12, 12)),
        # same, target 70: x12 = 64 <= 70 (at least 13) or x12 = 67 ... 74 (12): 12 to 14
        ("62.2", 14, Fraction(9, 10), 70, (12, 14)),
        # n 5, median at position 2 exactly: 40 <= 60, so x0..x2 are: at least 3; <= 30: at most 2
        ("40", 5, Fraction(1, 2), 60, (3, 5)),
        ("40", 5, Fraction(1, 2), 30, (0, 2)),
        # n 4, median at 1.5: 40.5 = (x1 + x2) / 2, x1 <= 40 < x2 or both 40.5 (impossible):
        # at 40, exactly 2 if x1 <= 40 < x2; x1 = 40, x2 = 41 at least; so exactly 2
        ("40.5", 4, Fraction(1, 2), 40, (2, 2)),
    ],
)
def test_order_statistics_bound_the_records_within_a_target(value, n, q, target, expected):
    from tests.intruder_outcomes import at_most

    assert at_most(Fraction(value), n, q, target) == expected


@pytest.mark.parametrize(("p90", "recovered"), [("62.2,14", True), ("S", False)])
def test_a_p90_shows_how_many_were_decided_within_target(p90, recovered) -> None:
    # STATE (target 60 days): 14 final actions, its share within target hidden; its p90
    # 62.2 with n 14 says 12 of 14 within 60 days (test above): the share is 85.7 %, with 2
    # late decisions (small). COMMERCE's share (36 of 40) and the total (48 of 54) hidden too.
    report = outcome_attack(
        f"""
        final,{Q1},total,All,54
        final,{Q1},agency,STATE,14
        final,{Q1},agency,COMMERCE,40
        {SHARE},{Q1},total,All,S
        {SHARE},{Q1},agency,STATE,S
        {SHARE},{Q1},agency,COMMERCE,S
        p90,{Q1},agency,STATE,{p90}
        """
    )
    state = {(f.indicator_id, f.breakdown_value): f.value for f in report.recovered}
    assert ((SHARE, "STATE") in state) is recovered
    if recovered:
        assert state[(SHARE, "STATE")] == Fraction(857, 10)  # 12 / 14 = 85.71 %
        assert small(report)[(SHARE, "STATE", "complement")] == 2


def test_a_count_of_part_of_an_unpublished_stock_bounds_it() -> None:
    # Q1, after Q0 with nothing pending: pending by purchaser (no cell) is received - final
    # actions.
    # Received GB and FR hidden, total 6; final actions GB 1, FR 1. Over target (part of
    # pending) GB 1, FR 3: FR's pending >= 3, so FR received >= 4 and GB <= 6 - 4 = 2; GB's
    # pending >= 1, so GB received >= 2: GB 2, FR 4.
    report = attack(
        NOTHING_PENDING
        + f"""
        pending,{Q1},total,All,4
        final,{Q1},total,All,2
        final,{Q1},purchaser,GB,1
        final,{Q1},purchaser,FR,1
        over,{Q1},total,All,4
        over,{Q1},purchaser,GB,1
        over,{Q1},purchaser,FR,3
        received,{Q1},total,All,6
        received,{Q1},purchaser,GB,S
        received,{Q1},purchaser,FR,S
        """
    )
    assert found(report) == {("received", Q1, "purchaser", "GB"): 2,
                             ("received", Q1, "purchaser", "FR"): 4}  # fmt: skip


# ----------------------------------------------- stages of a record (intruder_stages)
STAGE_REGISTRY = {
    "implemented": {"unit": "count", "family": "fms", "additive": True, "links": {}},
    "supplied": {"unit": "count", "family": "fms", "additive": True,
                 "links": {"follows": "implemented"}},
    "received": {"unit": "count", "family": LIC, "additive": True, "links": {}},
    "final": {"unit": "count", "family": LIC, "additive": True, "links": {}},
    "pending": {"unit": "count", "family": LIC, "additive": True,
                "links": {"inflow": "received", "outflow": "final"}},
    "lic_pending_over_target": {"unit": "count", "family": LIC, "additive": True,
                                "population": "pending", "links": {"carried_over": "pending"}},
}  # fmt: skip


def stage_attack(text: str) -> intruder.Report:
    return intruder.attack([release(text)], STAGE_REGISTRY, REGIONS,
                           targets={"license": {"STATE": 60, "COMMERCE": 90}})  # fmt: skip


def test_a_later_stage_is_not_bounded_in_the_quarter_a_series_starts() -> None:
    # Implemented in Q1: GB 1, FR 5, none in Q2. Supplied: none in Q1; in Q2 GB and FR
    # hidden, total 4. Q1 is the series' first quarter: GB may hold cases implemented
    # before it (a free level), so GB's supplied is only >= 1: nothing is recovered. (From
    # zero, GB could not complete more than the 1 it implemented: GB 1, FR 3.)
    report = stage_attack(
        f"""
        implemented,{Q1},total,All,6
        implemented,{Q1},purchaser,GB,1
        implemented,{Q1},purchaser,FR,5
        implemented,{Q2},total,All,0
        supplied,{Q1},total,All,0
        supplied,{Q2},total,All,4
        supplied,{Q2},purchaser,GB,S
        supplied,{Q2},purchaser,FR,S
        """
    )
    assert found(report) == {}


def test_fiscal_quarters_have_their_calendar_days() -> None:
    from tests.intruder_stages import quarter_days

    # Oct-Dec 92; Jan-Mar 90, or 91 in a leap year (2024); Apr-Jun 91; Jul-Sep 92
    assert [quarter_days(f"FY2026-Q{q}") for q in (1, 2, 3, 4)] == [92, 90, 91, 92]
    assert quarter_days("FY2024-Q2") == 91


@pytest.mark.parametrize(("period", "recovered"), [("FY2026-Q3", True), ("FY2026-Q2", False)])
def test_an_application_pending_a_whole_quarter_is_past_target(period, recovered) -> None:
    # COMMERCE (90-day target): 6 pending at the end of the quarter before, 1 final action in
    # this one; over target now: total 7 = STATE + COMMERCE, both hidden. STATE (60 days):
    # 3 - 1 = 2 carried over, 4 pending now: 2 to 4. FY2026-Q3 has 91 days, so COMMERCE's
    # 6 - 1 = 5 carried over are past 90 days: COMMERCE >= 5 and <= 7 - 2 = 5: 5 (STATE 2).
    # FY2026-Q2 has 90 days: an application received on the quarter before's last day is
    # exactly 90 days old, not past target: COMMERCE is 7 - STATE, 3 to 5.
    before = {"FY2026-Q3": "FY2026-Q2", "FY2026-Q2": "FY2026-Q1"}[period]
    report = stage_attack(
        f"""
        pending,{before},total,All,9
        pending,{before},agency,STATE,3
        pending,{before},agency,COMMERCE,6
        final,{period},total,All,2
        final,{period},agency,STATE,1
        final,{period},agency,COMMERCE,1
        pending,{period},total,All,12
        pending,{period},agency,STATE,4
        pending,{period},agency,COMMERCE,8
        lic_pending_over_target,{before},total,All,0
        lic_pending_over_target,{period},total,All,7
        lic_pending_over_target,{period},agency,STATE,S
        lic_pending_over_target,{period},agency,COMMERCE,S
        """
    )
    commerce = ("lic_pending_over_target", period, "agency", "COMMERCE")
    assert (commerce in found(report)) is recovered


# ------------------------------------- nesting and floors (intruder_nesting)
NESTS = {"form": ("agency", {"DSP-5": "STATE", "DSP-73": "STATE", "BIS-748P": "COMMERCE"})}


@pytest.mark.parametrize("nested", [True, False])
def test_an_agencys_forms_add_up_to_it(nested) -> None:
    # STATE 7, COMMERCE 4; forms DSP-5 5, DSP-73 and BIS-748P hidden (6 together). With the
    # forms' agencies known, BIS-748P is COMMERCE's 4 and DSP-73 is 7 - 5 = 2.
    text = f"""
        received,{Q1},total,All,11
        received,{Q1},agency,STATE,7
        received,{Q1},agency,COMMERCE,4
        received,{Q1},form,DSP-5,5
        received,{Q1},form,DSP-73,S
        received,{Q1},form,BIS-748P,S
        """
    report = intruder.attack([release(text)], REGISTRY, REGIONS, nests=NESTS if nested else {})
    expected = {("received", Q1, "form", "DSP-73"): 2, ("received", Q1, "form", "BIS-748P"): 4}
    assert found(report) == (expected if nested else {})


@pytest.mark.parametrize(("value_shown", "recovered"), [(True, True), (False, False)])
def test_a_published_sum_says_its_hidden_count_is_at_least_three(value_shown, recovered):
    # Final actions: total 6 = GB + FR, both hidden (>= 1 each); their dollar sums (`sum`,
    # whose count is final actions) are left without n. FR's sum is published, so FR rests
    # on at least 3 records: FR >= 3, GB <= 3. With GB's sum published too, GB >= 3: both
    # are 3. With GB's sum hidden, GB is 1 to 3 and FR 3 to 5: nothing pinned.
    registry = {**REGISTRY, "sum": {"unit": "usd", "family": LIC, "additive": True,
                                    "links": {"count": "final"}}}  # fmt: skip
    shown = "1000" if value_shown else "S"
    text = f"""
        final,{Q1},total,All,6
        final,{Q1},purchaser,GB,S
        final,{Q1},purchaser,FR,S
        sum,{Q1},total,All,3000,
        sum,{Q1},purchaser,GB,{shown},
        sum,{Q1},purchaser,FR,2000,
        """
    rules = {LIC: ("confidential", 3, 5)}
    report = intruder.attack([release(text)], registry, REGIONS, floors=rules)
    expected = {("final", Q1, "purchaser", "GB"): 3, ("final", Q1, "purchaser", "FR"): 3}
    got = {k: v for k, v in found(report).items() if k[0] == "final"}
    assert got == (expected if recovered else {})


def test_read_regions_knows_alpha3_and_alpha2(tmp_path):
    """Purchaser cells are published by alpha-3 code (alpha-2 before 0.2): both find the
    region, organizations by their own code."""
    path = tmp_path / "purchasers.csv"
    path.write_text(
        "code,alpha3,name,region,kind,aliases\n"
        "NA,NAM,Namibia,AF,country,\n"
        "NATO,,North Atlantic Treaty Organization,IO,organization,\n",
        encoding="utf-8",
    )
    assert intruder.read_regions(path) == {"NA": "AF", "NAM": "AF", "NATO": "IO"}
