"""Disclosure control: primary and secondary suppression on hand-made tables.

Every expected suppression pattern below is worked out by hand in the comments.
"""

from __future__ import annotations

from decimal import Decimal

import polars as pl
import pytest

from arms_metrics.cells import CELL_SCHEMA
from arms_metrics.config import load_config
from arms_metrics.disclosure.check import audit
from arms_metrics.disclosure.protect import protect
from arms_metrics.disclosure.summary import suppression_summary
from arms_metrics.errors import CheckFailed
from tests.conftest import PIPELINE_TOML, with_policy


@pytest.fixture
def config(config):
    """The pipeline's rules with FMS treated as confidential, so the primary rules apply to
    totals too (the public-record policy is tested on its own below)."""
    return with_policy(config, "fms", "confidential")


COUNT = "fms_loas_offered"  # count, additive, family fms (min_n_count 3)
USD = "fms_loas_accepted_value_usd"  # usd, additive, family fms (dominance 0.85)
DAYS = "fms_loa_development_days_median"  # days, not additive (min_n_statistic 5)
PCT = "lic_approval_rate_pct"  # percent, not additive, family licensing
NOTIFIED = "cn_notifications"  # count, family notifications: exempt


def cell(indicator, breakdown, key, value, n, *, period="FY2026-Q2", parent=None, top=None):
    """One CELL_SCHEMA row; ``top`` is max_record_value (usd only)."""
    unit = {COUNT: "count", USD: "usd", DAYS: "days", PCT: "percent", NOTIFIED: "count"}[indicator]
    return {
        "indicator_id": indicator,
        "period": period,
        "fiscal_year": int(period[2:6]),
        "fiscal_quarter": int(period[-1]),
        "breakdown": breakdown,
        "breakdown_value": key,
        "value": None if value is None else Decimal(str(value)),
        "unit": unit,
        "n": n,
        "max_record_value": None if top is None else Decimal(str(top)),
        "parent": parent,
        "suppressed": False,
        "suppression": None,
        "revised": False,
    }


def frame(rows):
    return pl.DataFrame(rows, schema=CELL_SCHEMA)


def labels(out):
    """{(period, breakdown, key): suppression label or None}."""
    return {
        (r["period"], r["breakdown"], r["breakdown_value"]): r["suppression"]
        for r in out.iter_rows(named=True)
    }


def hidden(out):
    return {key for key, label in labels(out).items() if label is not None}


# ------------------------------------------------------------------------ primary rules


def test_threshold_counts_n0_to_n3(config):
    # Total-only tables: n = 0 is a zero cell (published), 1 and 2 are suppressed, 3 is not.
    rows = [cell(COUNT, "total", "All", n, n, period=f"FY2026-Q{n + 1}") for n in range(4)]
    out = protect(frame(rows), config)
    assert out["suppression"].to_list() == [None, "threshold", "threshold", None]
    assert out["value"].to_list() == [Decimal("0"), None, None, Decimal("3")]
    assert out["n"].to_list() == [0, None, None, 3]


@pytest.mark.parametrize("indicator", [DAYS, PCT])
def test_threshold_statistics_n4_n5(config, indicator):
    rows = [
        cell(indicator, "total", "All", "12.5", 4, period="FY2026-Q1"),
        cell(indicator, "total", "All", "40.0", 5, period="FY2026-Q2"),
        cell(indicator, "total", "All", None, 0, period="FY2026-Q3"),
    ]
    out = protect(frame(rows), config)
    assert out["suppressed"].to_list() == [True, False, False]
    assert out["value"].to_list() == [None, Decimal("40.0"), None]


def test_usd_threshold_n2_and_n3(config):
    rows = [
        cell(USD, "total", "All", 900, 2, period="FY2026-Q1", top=500),
        cell(USD, "total", "All", 900, 3, period="FY2026-Q2", top=400),
    ]
    assert protect(frame(rows), config)["suppression"].to_list() == ["threshold", None]


def test_dominance_boundary(config):
    # value 100, share 0.85: a top record of 85.00 is exactly 85 % (published), 85.01 is more.
    # A zero cell whose records are all zero is published; a zero-rounded cell with a
    # positive record (0.40 rounds to 0) is dominated by that record.
    rows = [
        cell(USD, "total", "All", 100, 5, period="FY2025-Q1", top="85.00"),
        cell(USD, "total", "All", 100, 5, period="FY2025-Q2", top="85.01"),
        cell(USD, "total", "All", 0, 4, period="FY2025-Q3", top="0.00"),
        cell(USD, "total", "All", 0, 4, period="FY2025-Q4", top="0.40"),
    ]
    out = protect(frame(rows), config)
    assert out["suppression"].to_list() == [None, "dominance", None, "dominance"]


def test_threshold_wins_over_dominance(config):
    out = protect(frame([cell(USD, "total", "All", 100, 2, top=99)]), config)
    assert out["suppression"].to_list() == ["threshold"]


def test_exempt_notifications_never_suppressed(config):
    rows = [
        cell(NOTIFIED, "total", "All", 4, 4),
        cell(NOTIFIED, "purchaser", "PL", 1, 1, parent="EUR"),
        cell(NOTIFIED, "purchaser", "TW", 3, 3, parent="EAP"),
        cell(NOTIFIED, "region", "EAP", 3, 3),
        cell(NOTIFIED, "region", "EUR", 1, 1),
    ]
    out = protect(frame(rows), config)
    assert not out["suppressed"].any()
    assert out["n"].to_list() == [4, 1, 3, 3, 1]


def test_non_additive_gets_primary_only(config):
    # Median days: the n = 4 cell is hidden; a median cannot be undone by subtraction,
    # so no complement is needed in its table.
    rows = [
        cell(DAYS, "total", "All", "60.0", 12),
        cell(DAYS, "implementing_agency", "ARMY", "55.0", 4),
        cell(DAYS, "implementing_agency", "NAVY", "61.0", 8),
    ]
    out = protect(frame(rows), config)
    assert out["suppression"].to_list() == [None, "threshold", None]


# ---------------------------------------------------------------------- secondary rules


def test_lone_cell_gets_next_smallest_with_tie_break(config):
    # total 20 = A 2 + B 5 + C 5 + D 8. A (n = 2) is primary; B and C tie on value and n,
    # so the key decides: B. Hidden A + B = 7 with each >= 1: A in [1, 6].
    rows = [
        cell(COUNT, "total", "All", 20, 20),
        cell(COUNT, "implementing_agency", "A", 2, 2),
        cell(COUNT, "implementing_agency", "C", 5, 5),
        cell(COUNT, "implementing_agency", "B", 5, 5),
        cell(COUNT, "implementing_agency", "D", 8, 8),
    ]
    out = protect(frame(rows), config)
    assert out["suppression"].to_list() == [None, "threshold", None, "secondary", None]


def test_usd_tie_on_value_broken_by_fewer_records(config):
    # total 1500 (n 10): A 300 n 2 (threshold); B 500 n 4 and C 500 n 3 tie on value;
    # C rests on fewer records, so C is the complement. Top records are small (no dominance).
    rows = [
        cell(USD, "total", "All", 1300, 9, top=150),
        cell(USD, "implementing_agency", "A", 300, 2, top=150),
        cell(USD, "implementing_agency", "B", 500, 4, top=150),
        cell(USD, "implementing_agency", "C", 500, 3, top=150),
    ]
    out = protect(frame(rows), config)
    assert out["suppression"].to_list() == [None, "threshold", None, "secondary"]


def test_two_purchasers_alone_in_their_regions(config):
    # Classic trap. total 20; regions EUR 12 (FR 1, DE 11), EAP 8 (JP 2, KR 6).
    # FR and JP are two hidden cells in the purchaser table, yet EUR - DE = 1 gives FR and
    # EAP - KR = 2 gives JP. Each region needs its own complement: DE and KR.
    rows = [
        cell(COUNT, "total", "All", 20, 20),
        cell(COUNT, "region", "EUR", 12, 12),
        cell(COUNT, "region", "EAP", 8, 8),
        cell(COUNT, "purchaser", "FR", 1, 1, parent="EUR"),
        cell(COUNT, "purchaser", "DE", 11, 11, parent="EUR"),
        cell(COUNT, "purchaser", "JP", 2, 2, parent="EAP"),
        cell(COUNT, "purchaser", "KR", 6, 6, parent="EAP"),
        cell(COUNT, "implementing_agency", "ARMY", 10, 10),
        cell(COUNT, "implementing_agency", "NAVY", 10, 10),
    ]
    out = protect(frame(rows), config)
    assert out["suppression"].to_list() == [
        None, None, None, "threshold", "secondary", "threshold", "secondary", None, None
    ]  # fmt: skip
    # Audit by hand: FR + DE = 12 with both >= 1: FR in [1, 11] (width 10); JP + KR = 8:
    # JP in [1, 7] (width 6). Smallest width: 6.
    summary = audit(out, config)
    assert summary["min_interval_width"] == {"count": "6", "usd": None}
    assert summary["suppressed_by_rule"] == {"threshold": 2, "dominance": 0, "secondary": 2}
    assert summary["groups_audited"] == 1 and summary["tables_audited"] == 3


def test_linked_region_and_purchaser(config):
    # total 30; regions AF 2 (NG 2), WHA 4 (BR 4), EUR 24 (FR 10, DE 14).
    # AF and NG are primary (n 2). Region table: AF alone -> next smallest region WHA.
    # WHA hidden but its only purchaser BR published: WHA = BR, so BR is hidden too.
    # Then NG + BR = 30 - 24 = 6: NG in [1, 5]; AF = NG, WHA = BR, each in [1, 5].
    rows = [
        cell(COUNT, "total", "All", 30, 30),
        cell(COUNT, "region", "AF", 2, 2),
        cell(COUNT, "region", "EUR", 24, 24),
        cell(COUNT, "region", "WHA", 4, 4),
        cell(COUNT, "purchaser", "BR", 4, 4, parent="WHA"),
        cell(COUNT, "purchaser", "DE", 14, 14, parent="EUR"),
        cell(COUNT, "purchaser", "FR", 10, 10, parent="EUR"),
        cell(COUNT, "purchaser", "NG", 2, 2, parent="AF"),
    ]
    out = protect(frame(rows), config)
    assert out["suppression"].to_list() == [
        None, "threshold", None, "secondary", "secondary", None, None, "threshold"
    ]  # fmt: skip
    assert audit(out, config)["min_interval_width"]["count"] == "4"


def test_only_purchaser_of_a_published_region(config):
    # usd. total 1000 n 10; regions EUR 900 (FR 880 n 8, DE 20 n 1), WHA 100 (BR 100 n 1).
    # DE, BR and WHA are primary (n 1). DE is alone in the published EUR: its complement is
    # FR. The region table then has WHA alone: EUR is hidden as well. The public is left
    # with EUR = FR + DE, WHA = BR and EUR + WHA = 1000: nothing is pinned down.
    tops = {"All": 300, "EUR": 300, "FR": 300, "DE": 20, "WHA": 100, "BR": 100}
    rows = [
        cell(USD, "total", "All", 1000, 10, top=tops["All"]),
        cell(USD, "region", "EUR", 900, 9, top=tops["EUR"]),
        cell(USD, "region", "WHA", 100, 1, top=tops["WHA"]),
        cell(USD, "purchaser", "BR", 100, 1, parent="WHA", top=tops["BR"]),
        cell(USD, "purchaser", "DE", 20, 1, parent="EUR", top=tops["DE"]),
        cell(USD, "purchaser", "FR", 880, 8, parent="EUR", top=tops["FR"]),
    ]
    out = protect(frame(rows), config)
    assert out["suppression"].to_list() == [
        None, "secondary", "threshold", "threshold", "threshold", "secondary"
    ]  # fmt: skip
    audit(out, config)


def test_single_contributor_count_pair_needs_a_third_cell(config):
    # total 10 = A 1 + B 1 + C 8. A and B hide each other, but A + B = 2 with each >= 1
    # forces A = B = 1. The audit finds it and C is hidden too: A in [1, 8].
    rows = [
        cell(COUNT, "total", "All", 10, 10),
        cell(COUNT, "implementing_agency", "A", 1, 1),
        cell(COUNT, "implementing_agency", "B", 1, 1),
        cell(COUNT, "implementing_agency", "C", 8, 8),
    ]
    out = protect(frame(rows), config)
    assert out["suppression"].to_list() == [None, "threshold", "threshold", "secondary"]
    assert audit(out, config)["min_interval_width"]["count"] == "7"


def test_single_contributor_usd_pair_needs_a_third_cell(config):
    # usd total 1000 (n 10): A 50 (one record), B 60 (two records), C 300 n 3, D 590 n 4.
    # With only A and B hidden, A's owner subtracts its own 50 from A + B = 110 and learns
    # B. A third cell (the next smallest, C) is hidden.
    rows = [
        cell(USD, "total", "All", 1000, 10, top=200),
        cell(USD, "implementing_agency", "A", 50, 1, top=50),
        cell(USD, "implementing_agency", "B", 60, 2, top=40),
        cell(USD, "implementing_agency", "C", 300, 3, top=120),
        cell(USD, "implementing_agency", "D", 590, 4, top=200),
    ]
    out = protect(frame(rows), config)
    assert out["suppression"].to_list() == [None, "threshold", "threshold", "secondary", None]


def test_zero_cells_published_and_never_complements(config):
    # total 9 = A 0 (n 0) + B 2 + C 7. B is primary; A is a zero cell and stays published,
    # so the complement is C even though A is smaller.
    rows = [
        cell(COUNT, "total", "All", 9, 9),
        cell(COUNT, "implementing_agency", "A", 0, 0),
        cell(COUNT, "implementing_agency", "B", 2, 2),
        cell(COUNT, "implementing_agency", "C", 7, 7),
    ]
    out = protect(frame(rows), config)
    assert out["suppression"].to_list() == [None, None, "threshold", "secondary"]
    # B + C = 9 with each >= 1 -> B in [1, 8], width 7.
    assert audit(out, config)["min_interval_width"]["count"] == "7"


def test_suppressed_total_hides_the_breakdown(config):
    # total n 2: every breakdown cell rests on <= 2 records and is primary as well.
    rows = [
        cell(COUNT, "total", "All", 2, 2),
        cell(COUNT, "implementing_agency", "ARMY", 2, 2),
        cell(COUNT, "region", "EUR", 2, 2),
        cell(COUNT, "purchaser", "FR", 1, 1, parent="EUR"),
        cell(COUNT, "purchaser", "DE", 1, 1, parent="EUR"),
    ]
    out = protect(frame(rows), config)
    assert out["suppressed"].all()
    audit(out, config)


def test_nothing_primary_nothing_hidden(config):
    # total 5 = ARMY 5 in a one-cell agency table: nothing is primary, nothing is hidden.
    rows = [cell(COUNT, "total", "All", 5, 5), cell(COUNT, "implementing_agency", "ARMY", 5, 5)]
    assert not protect(frame(rows), config)["suppressed"].any()


# ------------------------------------------------------------ order, schema, idempotence


def _mixed_rows():
    rows = [
        cell(COUNT, "total", "All", 20, 20),
        cell(COUNT, "region", "EUR", 12, 12),
        cell(COUNT, "region", "EAP", 8, 8),
        cell(COUNT, "purchaser", "FR", 1, 1, parent="EUR"),
        cell(COUNT, "purchaser", "DE", 11, 11, parent="EUR"),
        cell(COUNT, "purchaser", "JP", 2, 2, parent="EAP"),
        cell(COUNT, "purchaser", "KR", 6, 6, parent="EAP"),
        cell(DAYS, "total", "All", "40.0", 4),
        cell(USD, "total", "All", 100, 5, top="85.01"),
        cell(NOTIFIED, "total", "All", 1, 1),
    ]
    return rows


def test_order_and_schema_preserved(config):
    rows = list(reversed(_mixed_rows()))
    out = protect(frame(rows), config)
    assert out.schema == pl.Schema(CELL_SCHEMA)
    keys = ["indicator_id", "period", "breakdown", "breakdown_value"]
    assert out.select(keys).equals(frame(rows).select(keys))


def test_idempotent(config):
    once = protect(frame(_mixed_rows()), config)
    assert protect(once, config).equals(once)


def test_same_input_same_output(config):
    rows = _mixed_rows()
    assert protect(frame(rows), config).equals(protect(frame(rows), config))


def test_empty_frame(config):
    out = protect(frame([]), config)
    assert out.height == 0 and out.schema == pl.Schema(CELL_SCHEMA)


def test_public_record_totals_are_published_whatever_they_rest_on():
    # FMS is public record (pipeline.toml): a total on 2 offers is published; its breakdown
    # cells on 1 and 2 records still break the count rule, so both are hidden.
    rules = load_config(PIPELINE_TOML)
    assert rules.rules_for("fms").policy == "public_record"
    rows = [
        cell(COUNT, "total", "All", 3, 3),
        cell(COUNT, "implementing_agency", "ARMY", 1, 1),
        cell(COUNT, "implementing_agency", "NAVY", 2, 2),
    ]
    out = protect(frame(rows), rules)
    assert labels(out) == {
        ("FY2026-Q2", "total", "All"): None,
        ("FY2026-Q2", "implementing_agency", "ARMY"): "threshold",
        ("FY2026-Q2", "implementing_agency", "NAVY"): "threshold",
    }


def test_rate_hides_one_or_two_denials_and_its_complement_rate():
    # Approval rate by purchaser: AE 7 of 9 approved means 2 denied -> hidden (threshold).
    # KR 10 of 13 (3 denied) passes the count rule, but the total's 17 approved minus KR's
    # 10 would give AE's 7 (and 5 - 3 its 2 denials): KR is hidden too (secondary).
    rows = [
        {**cell(PCT, "total", "All", "77.3", 22), "numerator": 17},
        {**cell(PCT, "purchaser", "AE", "77.8", 9, parent="NEA"), "numerator": 7},
        {**cell(PCT, "purchaser", "KR", "76.9", 13, parent="EAP"), "numerator": 10},
    ]
    out = protect(frame(rows), load_config(PIPELINE_TOML))
    assert labels(out) == {
        ("FY2026-Q2", "total", "All"): None,
        ("FY2026-Q2", "purchaser", "AE"): "threshold",
        ("FY2026-Q2", "purchaser", "KR"): "secondary",
    }
    assert out["n"].to_list() == [22, None, None]


def test_suppression_summary_counts_by_family_and_breakdown():
    # 4 cells: fms total (published), fms ARMY (hidden), fms NAVY (hidden), one licensing
    # rate (hidden): overall 3 of 4; fms 2 of 3; licensing 1 of 1; by breakdown total 0 of 1,
    # implementing_agency 2 of 2, purchaser 1 of 1.
    rows = [
        cell(COUNT, "total", "All", 3, 3),
        {**cell(COUNT, "implementing_agency", "ARMY", 1, 1), "suppressed": True},
        {**cell(COUNT, "implementing_agency", "NAVY", 2, 2), "suppressed": True},
        {**cell(PCT, "purchaser", "AE", None, None), "suppressed": True},
    ]
    summary = suppression_summary(frame(rows), load_config(PIPELINE_TOML))
    assert summary["overall"] == {"cells": 4, "suppressed": 3, "share": 0.75}
    assert summary["by_family"] == {
        "fms": {"cells": 3, "suppressed": 2, "share": 0.6667},
        "licensing": {"cells": 1, "suppressed": 1, "share": 1.0},
    }
    assert summary["by_breakdown"]["implementing_agency"] == {
        "cells": 2,
        "suppressed": 2,
        "share": 1.0,
    }
    assert summary["by_breakdown"]["total"]["suppressed"] == 0


def test_public_record_cells_the_total_gives_away_are_published():
    # FMS total 2 (public record) over ARMY and NAVY, each present so each >= 1: hidden or
    # not, ARMY = NAVY = 1 follows from the total. Suppressing them hides nothing, so both
    # are published, and the audit accepts them as given away by the public total.
    rules = load_config(PIPELINE_TOML)
    rows = [
        cell(COUNT, "total", "All", 2, 2),
        cell(COUNT, "implementing_agency", "ARMY", 1, 1),
        cell(COUNT, "implementing_agency", "NAVY", 1, 1),
    ]
    out = protect(frame(rows), rules)
    assert hidden(out) == set()
    assert audit(out, rules)["cells_suppressed"] == 0
    # The same cells published under a confidential policy break the threshold rule.
    strict = with_policy(rules, "fms", "confidential")
    with pytest.raises(CheckFailed, match="breaks the threshold rule"):
        audit(frame(rows), strict)
