"""The disclosure audit on hand-made published tables (hidden cells chosen by hand)."""

from __future__ import annotations

from decimal import Decimal
from unittest.mock import patch

import numpy as np
import polars as pl
import pytest

from arms_metrics.cells import CELL_SCHEMA
from arms_metrics.disclosure.audit import (
    Cell,
    Group,
    _extreme,
    intervals,
    lp_intervals,
    make_group,
    nothing_published,
    recoverable,
)
from arms_metrics.disclosure.check import audit
from arms_metrics.errors import CheckFailed
from tests.conftest import with_policy


@pytest.fixture
def config(config):
    """The pipeline's rules with FMS treated as confidential, so the primary rules apply to
    totals too (the public-record policy is tested on its own below)."""
    return with_policy(config, "fms", "confidential")


COUNT, USD, DAYS = "fms_loas_offered", "fms_loas_accepted_value_usd", "fms_loa_development_days_p90"


def published(indicator, cells, hide=(), label="threshold"):
    """A frame as ``protect`` would leave it, with the cells named in ``hide`` suppressed.

    ``cells`` are (breakdown, key, value, n, parent) tuples; the unit follows the indicator.
    """
    unit = {COUNT: "count", USD: "usd", DAYS: "days"}[indicator]
    rows = []
    for breakdown, key, value, n, parent in cells:
        secret = (breakdown, key) in hide
        rows.append(
            {
                "indicator_id": indicator,
                "period": "FY2026-Q2",
                "fiscal_year": 2026,
                "fiscal_quarter": 2,
                "breakdown": breakdown,
                "breakdown_value": key,
                "value": None if secret else Decimal(str(value)),
                "unit": unit,
                "n": None if secret else n,
                "max_record_value": None,
                "parent": parent,
                "suppressed": secret,
                "suppression": label if secret else None,
                "revised": False,
            }
        )
    return pl.DataFrame(rows, schema=CELL_SCHEMA)


HIERARCHY = [
    ("total", "All", 20, 20, None),
    ("region", "EAP", 8, 8, None),
    ("region", "EUR", 12, 12, None),
    ("purchaser", "DE", 11, 11, "EUR"),
    ("purchaser", "FR", 1, 1, "EUR"),
    ("purchaser", "JP", 2, 2, "EAP"),
    ("purchaser", "KR", 6, 6, "EAP"),
]


def test_lone_hidden_cell_fails_without_naming_its_value(config):
    # total 20, ARMY hidden, NAVY 13 published: ARMY = 20 - 13 = 7.
    cells = [
        ("total", "All", 20, 20, None),
        ("implementing_agency", "ARMY", 7, 7, None),
        ("implementing_agency", "NAVY", 13, 13, None),
    ]
    with pytest.raises(CheckFailed) as caught:
        audit(published(COUNT, cells, {("implementing_agency", "ARMY")}, "secondary"), config)
    message = str(caught.value)
    assert "fms_loas_offered FY2026-Q2 implementing_agency=ARMY" in message
    assert "7" not in message


def test_two_hidden_purchasers_pinned_by_their_regions(config):
    # FR and JP are two hidden cells in the purchaser table, but EUR - DE = 1 = FR.
    frame = published(COUNT, HIERARCHY, {("purchaser", "FR"), ("purchaser", "JP")})
    with pytest.raises(CheckFailed, match="purchaser=FR"):
        audit(frame, config)


def test_hierarchy_with_complements_passes(config):
    hide = {("purchaser", "FR"), ("purchaser", "DE"), ("purchaser", "JP"), ("purchaser", "KR")}
    summary = audit(published(COUNT, HIERARCHY, hide), config)
    # FR + DE = 12 -> FR in [1, 11]; JP + KR = 8 -> JP in [1, 7]: smallest width 6.
    assert summary == {
        "cells": 7,
        "cells_suppressed": 4,
        "suppressed_by_rule": {"threshold": 4, "dominance": 0, "secondary": 0},
        "groups_audited": 1,
        "tables_audited": 2,
        "intervals_checked": 4,
        "min_interval_width": {"count": "6", "usd": None},
    }


def test_pair_of_ones_is_pinned_by_the_lower_bound(config):
    # total 10 = A + B + C 8: A + B = 2 and a published-as-hidden count is at least 1.
    cells = [
        ("total", "All", 10, 10, None),
        ("implementing_agency", "A", 1, 1, None),
        ("implementing_agency", "B", 1, 1, None),
        ("implementing_agency", "C", 8, 8, None),
    ]
    hide = {("implementing_agency", "A"), ("implementing_agency", "B")}
    with pytest.raises(CheckFailed, match="implementing_agency=A"):
        audit(published(COUNT, cells, hide), config)
    # With A + B = 3 (C 7) the pair is {1, 2} or {2, 1}: not determined.
    cells[1], cells[3] = (
        ("implementing_agency", "A", 2, 2, None),
        ("implementing_agency", "C", 7, 7, None),
    )
    audit(published(COUNT, cells, hide), config)


def test_usd_rounding_does_not_hide_an_exact_recovery(config):
    # Whole-dollar values: ARMY = 1001 - 400 within a dollar of rounding. Still recoverable.
    cells = [
        ("total", "All", 1001, 9, None),
        ("implementing_agency", "ARMY", 601, 4, None),
        ("implementing_agency", "NAVY", 400, 5, None),
    ]
    with pytest.raises(CheckFailed, match="ARMY"):
        audit(published(USD, cells, {("implementing_agency", "ARMY")}), config)
    hide = {("implementing_agency", "ARMY"), ("implementing_agency", "NAVY")}
    summary = audit(published(USD, cells, hide), config)
    # ARMY + NAVY = 1001 within half a dollar (the total is the one rounded figure):
    # ARMY in [0, 1001.5].
    assert summary["min_interval_width"] == {"count": None, "usd": "1001.5"}


def test_published_cell_breaking_a_primary_rule_fails(config):
    cells = [("total", "All", 2, 2, None)]
    with pytest.raises(CheckFailed, match="breaks the threshold rule"):
        audit(published(COUNT, cells), config)
    with pytest.raises(CheckFailed, match="breaks the threshold rule"):
        audit(published(DAYS, [("total", "All", "30.0", 4, None)]), config)


def test_suppressed_cell_showing_its_value_fails(config):
    frame = published(COUNT, [("total", "All", 2, 2, None)], {("total", "All")})
    frame = frame.with_columns(n=pl.lit(2, pl.Int64))
    with pytest.raises(CheckFailed, match="still shows"):
        audit(frame, config)


def test_inconsistent_tables_fail(config):
    # Published NAVY 25 is more than the total 20: no hidden ARMY/AIR_FORCE >= 1 fits.
    cells = [
        ("total", "All", 20, 20, None),
        ("implementing_agency", "AIR_FORCE", 1, 1, None),
        ("implementing_agency", "ARMY", 1, 1, None),
        ("implementing_agency", "NAVY", 25, 25, None),
    ]
    hide = {("implementing_agency", "ARMY"), ("implementing_agency", "AIR_FORCE")}
    with pytest.raises(CheckFailed, match="inconsistent"):
        audit(published(COUNT, cells, hide), config)


def _group(unit, spec):
    cells = [
        Cell(row, b, k, None if hid else Decimal(v), None, p, hid, None)
        for row, (b, k, v, p, hid) in enumerate(spec)
    ]
    return make_group("x", "FY2026-Q2", unit, cells)


def test_closed_form_matches_linear_program():
    # total 30; regions AF (hidden) = NG (hidden); WHA (hidden) = BR (hidden) + MX 3;
    # EUR 20 = FR (hidden) + DE 15. By hand: FR = 5 exactly (alone in EUR);
    # NG + BR = 30 - 20 - 3 = 7, each >= 1: NG, BR in [1, 6]; AF in [1, 6]; WHA in [4, 9].
    spec = [
        ("total", "All", "30", None, False),
        ("region", "AF", "2", None, True),
        ("region", "EUR", "20", None, False),
        ("region", "WHA", "8", None, True),
        ("purchaser", "BR", "5", "WHA", True),
        ("purchaser", "DE", "15", "EUR", False),
        ("purchaser", "FR", "5", "EUR", True),
        ("purchaser", "MX", "3", "WHA", False),
        ("purchaser", "NG", "2", "AF", True),
    ]
    group = _group("count", spec)
    closed, linear = intervals(group), lp_intervals(group)
    expected = {1: (1, 6, False), 3: (4, 9, False), 4: (1, 6, False), 6: (5, 5, True),
                8: (1, 6, False)}  # fmt: skip
    for found in (closed, linear):
        got = {row: (iv.lo, iv.hi, iv.determined) for row, iv in found.items()}
        assert got == {row: (Decimal(lo), Decimal(hi), d) for row, (lo, hi, d) in expected.items()}


def test_suppressed_total_uses_the_linear_program():
    # total hidden; ARMY hidden, NAVY 4: ARMY = total - 4 with total free: not determined.
    # But a table with every cell published gives the total away (AIR 3 + SEA 5 = 8).
    spec = [
        ("total", "All", "8", None, True),
        ("implementing_agency", "ARMY", "4", None, True),
        ("implementing_agency", "NAVY", "4", None, False),
        ("priority_platform", "false", "3", None, False),
        ("priority_platform", "true", "5", None, False),
    ]
    found = intervals(_group("count", spec))
    assert found[0].determined and found[1].determined
    assert (found[1].lo, found[1].hi) == (Decimal(4), Decimal(4))


def test_group_with_nothing_published_is_unbounded_like_the_linear_program():
    # total 2 hidden, everything below it hidden (n <= 2): no equation has a known side.
    spec = [
        ("total", "All", "2", None, True),
        ("region", "EUR", "2", None, True),
        ("purchaser", "FR", "1", "EUR", True),
        ("purchaser", "DE", "1", "EUR", True),
        ("implementing_agency", "ARMY", "2", None, True),
    ]
    group = _group("count", spec)
    assert nothing_published(group)
    assert recoverable(group) == []  # the fast path, without solving anything
    linear = lp_intervals(group)  # the independent check: HiGHS finds every cell unbounded
    assert set(linear) == {0, 1, 2, 3, 4}
    assert all(iv.hi == Decimal("Infinity") and not iv.determined for iv in linear.values())
    published_one = _group("count", [(*row[:4], row[0] != "implementing_agency") for row in spec])
    assert not nothing_published(published_one)


def test_agency_nesting_closed_form_matches_linear_program():
    # Dollars: total 16 = STATE 10 + COMMERCE 6 (published); STATE's USML I 5, II (hidden)
    # 1, III (hidden) 4; COMMERCE's CCL 0 (hidden) 3, 1 3. Each sum holds within half a
    # dollar per published figure in it. By hand: II + III = 10 - 5 within 1, each >= 0:
    # II, III in [0, 6]; CCL 0 = 6 - 3 within 1: [2, 4], recovered. The table alone
    # (16 - 5 - 3 = 8 within 1.5, three published figures, over three cells) would leave
    # each in [0, 9.5].
    spec = [
        ("total", "All", "16", None, False),
        ("agency", "COMMERCE", "6", None, False),
        ("agency", "STATE", "10", None, False),
        ("control_category", "0", "3", "COMMERCE", True),
        ("control_category", "1", "3", "COMMERCE", False),
        ("control_category", "I", "5", "STATE", False),
        ("control_category", "II", "1", "STATE", True),
        ("control_category", "III", "4", "STATE", True),
    ]
    cells = [
        Cell(row, b, k, None if hid else Decimal(v), None, p, hid, None)
        for row, (b, k, v, p, hid) in enumerate(spec)
    ]
    group = make_group("x", "FY2026-Q2", "usd", cells, {"control_category": "agency"})
    assert group.tree_shaped()
    closed, linear = intervals(group), lp_intervals(group)
    expected = {3: (2, 4, True), 6: (0, 6, False), 7: (0, 6, False)}
    got = {row: (iv.lo, iv.hi, iv.determined) for row, iv in closed.items()}
    assert got == {row: (Decimal(lo), Decimal(hi), d) for row, (lo, hi, d) in expected.items()}
    # the LP's bounds agree (its "determined" band is wider on purpose: every sum's rounding)
    assert {row: (iv.lo, iv.hi) for row, iv in linear.items()} == {
        row: (Decimal(lo), Decimal(hi)) for row, (lo, hi, _) in expected.items()
    }
    plain = intervals(make_group("x", "FY2026-Q2", "usd", cells))
    assert {row: (iv.lo, iv.hi) for row, iv in plain.items()} == {
        row: (Decimal(0), Decimal("9.5")) for row in (3, 6, 7)
    }
    # counts leave the nests' sums to the linked audit (knowledge): their table is the plain one
    counts = make_group("x", "FY2026-Q2", "count", cells, {"control_category": "agency"})
    assert counts.nested and not counts.nest_sums


def test_an_open_nest_is_solved_apart_from_the_region_hierarchy():
    # Counts, both nests' sums solved (usd would add rounding): COMMERCE hidden opens the
    # agency nest, which shares only the published total 16 with the regions. The split
    # (closed form for the regions, HiGHS for the agency's tables) must agree with HiGHS
    # on the whole group. By hand: COMMERCE = 16 - 10 = 6 exactly (the agency table);
    # CCL 0 + CCL 1 = COMMERCE = 6: each in [1, 5]; EUR's FR and DE: 7 - 3 = 4: [1, 3].
    spec = [
        ("total", "All", "16", None, False),
        ("agency", "COMMERCE", "6", None, True),
        ("agency", "STATE", "10", None, False),
        ("control_category", "0", "3", "COMMERCE", True),
        ("control_category", "1", "3", "COMMERCE", True),
        ("control_category", "I", "10", "STATE", False),
        ("region", "EUR", "7", None, False),
        ("region", "WHA", "9", None, False),
        ("purchaser", "DE", "2", "EUR", True),
        ("purchaser", "FR", "2", "EUR", True),
        ("purchaser", "IT", "3", "EUR", False),
        ("purchaser", "MX", "9", "WHA", False),
    ]
    cells = [
        Cell(row, b, k, None if hid else Decimal(v), None, p, hid, None)
        for row, (b, k, v, p, hid) in enumerate(spec)
    ]
    group = make_group("x", "FY2026-Q2", "count", cells, {"control_category": "agency"})
    with patch.object(Group, "nest_sums", property(lambda self: self.nested)):  # counts too
        assert group.open_nests() == {"agency", "control_category"}
        split, whole = intervals(group), lp_intervals(group)
    expected = {1: (6, 6), 3: (1, 5), 4: (1, 5), 8: (1, 3), 9: (1, 3)}
    for found in (split, whole):
        got = {row: (iv.lo, iv.hi) for row, iv in found.items()}
        assert got == {row: (Decimal(lo), Decimal(hi)) for row, (lo, hi) in expected.items()}


def test_billion_dollar_lp_is_solved_not_called_inconsistent() -> None:
    # A sample's approved value (seed 4, FY2021-Q4), reduced to 6 identities over the hidden
    # total T, an agency P and five categories c2..c6 (x = [T, P, c2, c3, c4, c5, c6]); each
    # row is "sum = constant" within its rounding slack. HiGHS stopped with a solve error
    # on the maximum of T at this scale. By hand: T = c2 + 1,074,522,568 (+-1.5) and
    # c2 = P - 650,769,111 (+-1), with P bounded by nothing above, so T has no maximum;
    # its minimum is at c2 = 0: 1,074,522,568 - 1.5 = 1,074,522,566.5 (the others allow it:
    # c6 = T - 927,606,631 >= 0, c5 = T - 498,356,671 >= 0, c3 = T - c4 - 937,253,500 with
    # c4 = P - 542,479,938 leaves c3 about 28,979,895).
    a = np.array([[-1, 0, 1, 0, 0, 0, 0], [-1, 0, 0, 1, 1, 0, 0], [-1, 0, 0, 0, 0, 1, 0],
                  [-1, 0, 0, 0, 0, 0, 1], [0, -1, 1, 0, 0, 0, 0], [0, -1, 0, 0, 1, 0, 0]],
                 dtype=float)  # fmt: skip
    rhs = [-1074522568.0, -937253500.0, -498356671.0, -927606631.0, -650769111.0, -542479938.0]
    tols = [1.5, 9.0, 4.0, 2.0, 1.0, 5.0]
    total = Cell(0, "total", "All", None, None, None, True, "secondary")
    group = Group("lic_approved_value_usd", "FY2021-Q4", "usd", total, {})
    t = np.eye(7)[0]
    assert _extreme(group, a, rhs, tols, -t) == float("-inf")  # max T: none
    assert _extreme(group, a, rhs, tols, t) == pytest.approx(1074522566.5, abs=1.0)
