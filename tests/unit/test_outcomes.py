"""Outcomes and thresholds read together (``disclosure/outcomes.py``), on hand-made releases.

Every expected figure is worked out by hand in the comment beside it; each case leaks under
the audit without the link and holds under the linked protection with it.
"""

from __future__ import annotations

import dataclasses

import polars as pl
import pytest

from arms_metrics.disclosure import check, knowledge, outcomes, protect
from tests.conftest import with_upper
from tests.unit.test_linked_protection import cell, frame, hidden_keys

Q = "FY2026-Q1"
FINAL, APPROVAL = "lic_final_actions", "lic_approval_rate_pct"
RETURNED = "lic_returned_without_action_pct"
VALUE, WITHIN = "lic_approved_value_usd", "lic_decided_within_target_pct"
WITHDRAWN = FINAL + outcomes.ATOMS + "WITHDRAWN"


def found(shown: pl.DataFrame, truth: pl.DataFrame, config) -> dict:
    """The leaks of ``shown`` (suppression flags) over ``truth``: key -> true value."""
    system = knowledge.build(shown, truth, config)
    return {key: system.truth[key] for key in knowledge.leaks(system, config, given=set())}


def test_the_registry_declares_the_outcome_dimensions_of_license_decisions(config) -> None:
    # The approval rate lists APPROVED, APPROVED_WITH_CONDITIONS over DENIED too; the return
    # rate RETURNED_WITHOUT_ACTION over all five, and so does each other outcome's share
    # (approved, approved with conditions, denied, withdrawn); the decided-only median's n
    # is within the decisions and the approved value's within the two approvals. The
    # national total publishes every member: the shares split the approvals, 5 atoms, one
    # per outcome. The breakdowns publish only the approval and return rates and the
    # approved value (the shares are national only, docs/disclosure.md): the approvals stay
    # one atom there, 4 in all. Both cover final actions (the return rate counts them all).
    national, breakdowns = outcomes.dimensions(config)
    assert national.population == breakdowns.population == FINAL
    assert national.breakdowns == ("total",)
    assert national.atoms == (("APPROVED",), ("APPROVED_WITH_CONDITIONS",), ("DENIED",),
                              ("RETURNED_WITHOUT_ACTION",), ("WITHDRAWN",))  # fmt: skip
    assert [r.id for r in national.rates] == [
        APPROVAL, "lic_approved_pct", "lic_approved_with_conditions_pct", "lic_denied_pct",
        RETURNED, "lic_withdrawn_pct",
    ]  # fmt: skip
    assert [w.id for w in national.within] == ["lic_decided_processing_days_median", VALUE]
    assert breakdowns.breakdowns == (
        "agency", "application_type", "region", "purchaser", "control_category",
    )  # fmt: skip
    assert breakdowns.atoms == (("APPROVED", "APPROVED_WITH_CONDITIONS"), ("DENIED",),
                                ("RETURNED_WITHOUT_ACTION",), ("WITHDRAWN",))  # fmt: skip
    assert [r.id for r in breakdowns.rates] == [APPROVAL, RETURNED]
    assert [w.id for w in breakdowns.within] == [VALUE]
    assert national.covered and breakdowns.covered


def test_a_breakdown_publishing_fewer_members_keeps_their_own_atoms(config) -> None:
    # A registry whose outcome shares were published by agency only: the agency cells get
    # the five atoms, every other breakdown the four of the rates it publishes.
    registry = config.registry
    shares = {"lic_approved_pct", "lic_approved_with_conditions_pct", "lic_denied_pct",
              "lic_withdrawn_pct", "lic_decided_processing_days_median"}  # fmt: skip
    changed = [dataclasses.replace(i, breakdowns=["agency"]) if i.id in shares else i
               for i in registry.indicators]  # fmt: skip
    config = dataclasses.replace(config, registry=dataclasses.replace(registry, indicators=changed))
    five, four = outcomes.dimensions(config)
    assert five.breakdowns == ("total", "agency") and len(five.atoms) == 5
    assert "agency" not in four.breakdowns and len(four.atoms) == 4


# By agency in FY2026-Q1 (approved A, denied D, returned R, withdrawn W):
#   STATE:    A 5, D 3, R 3, W 1 = 12 final actions
#   COMMERCE: A 20, D 4, R 3, W 3 = 30
#   total:    A 25, D 7, R 6, W 4 = 42
# Every count and tally is at least 3, and STATE's final actions less its decided ones
# (12 - 8 = 4 returned or withdrawn) is not small: each table, and the rest, is safe. But
# STATE's withdrawals are 12 - 8 decided - 3 returned = 1.
DECISIONS = {"STATE": (5, 3, 3, 1), "COMMERCE": (20, 4, 3, 3), "All": (25, 7, 6, 4)}


def decisions() -> pl.DataFrame:
    rows = []
    for who, (a, d, r, w) in DECISIONS.items():
        where = ("total", "All") if who == "All" else ("agency", who)
        final = a + d + r + w
        rows += [
            cell(FINAL, Q, *where, final),
            cell(APPROVAL, Q, *where, a + d, unit="percent", numerator=a),
            cell(RETURNED, Q, *where, final, unit="percent", numerator=r),
        ]
    return frame(rows)


def test_final_actions_less_decisions_and_returns_are_the_withdrawals(config) -> None:
    truth = decisions()
    leaks = found(truth, truth, config)
    assert leaks == {(WITHDRAWN, Q, "agency", "STATE"): 1}  # COMMERCE's 3 is not small
    # with both agencies' return rates hidden, STATE's returns are 0 to 4 (R + W = 12 - 8)
    # and COMMERCE's the other 6 - R (its R + W = 30 - 24 = 6): STATE's withdrawals 0 to 4
    shown = truth.with_columns(
        suppressed=(pl.col("indicator_id") == RETURNED) & (pl.col("breakdown") == "agency")
    )
    assert (WITHDRAWN, Q, "agency", "STATE") not in found(shown, truth, config)


def test_the_linked_protection_hides_a_figure_that_gives_withdrawals_away(config) -> None:
    truth = decisions()
    assert hidden_keys(protect.protect(truth, config)) == set()  # per table: nothing
    linked_ = protect.protect(truth, config, linked_tables=True, complete=True)
    assert hidden_keys(linked_)  # something of STATE's, and a partner
    assert found(linked_, truth, config) == {}
    check.audit(linked_, config, truth, complete=True)  # passes


@pytest.mark.parametrize(
    ("kr_value_n", "upper", "expected"),
    [(2, False, {"AE": 3, "KR": 2}), (1, False, {}), (1, True, {"KR": 2})],
)
def test_the_approved_value_counts_approvals_only(config, kr_value_n, upper, expected) -> None:
    # Approval rates in FY2026-Q1: total 5 approved of 7 decided; AE 3 of 4 and KR 2 of 3
    # hidden. The approved value's n (approvals with a value) is published: AE 3, KR 2 (or
    # 1). Approvals are at least the value's n: AE >= 3, KR >= 2, and add up to 5, so AE is 3
    # and KR 2 (with KR's n 1, KR is 1 or 2: nothing pinned, but KR is shown to be below 3,
    # a leak where the upper protection level is asked for; AE is 3 or 4). Final actions
    # AE 5, KR 4.
    rows = [
        cell(FINAL, Q, "total", "All", 9),
        cell(FINAL, Q, "purchaser", "AE", 5),
        cell(FINAL, Q, "purchaser", "KR", 4),
        cell(APPROVAL, Q, "total", "All", 7, unit="percent", numerator=5),
        cell(APPROVAL, Q, "purchaser", "AE", 4, unit="percent", numerator=3),
        cell(APPROVAL, Q, "purchaser", "KR", 3, unit="percent", numerator=2),
        cell(VALUE, Q, "total", "All", 500, unit="usd", n=3 + kr_value_n),
        cell(VALUE, Q, "purchaser", "AE", 300, unit="usd", n=3),
        cell(VALUE, Q, "purchaser", "KR", 200, unit="usd", n=kr_value_n),
    ]
    truth = frame(rows)
    shown = truth.with_columns(
        suppressed=(pl.col("indicator_id") == APPROVAL) & (pl.col("breakdown") == "purchaser")
    )
    leaks = found(shown, truth, with_upper(config) if upper else config)
    numerators = {k[3]: v for k, v in leaks.items() if k[0] == APPROVAL + knowledge.NUMERATOR}
    assert numerators == expected


def within_target(median_hidden: bool) -> tuple[pl.DataFrame, pl.DataFrame]:
    # Final actions in FY2026-Q1: STATE 10, 9 within its 60-day target (1 late decision);
    # COMMERCE 40, 36 within 90 days; total 50, 45 within. STATE's share is hidden (a
    # complement of 1), and COMMERCE's with it (else 5 - 4 late gives STATE's 1 back). A
    # median (and p90) with n bounds how many took at most a target's days: the audit takes
    # it as showing the share of its cell, so with STATE's median published the 1 is out.
    rows = []
    for where, final, within, days in (
        (("total", "All"), 50, 45, 40),
        (("agency", "STATE"), 10, 9, 31),
        (("agency", "COMMERCE"), 40, 36, 44),
    ):
        rows += [
            cell(FINAL, Q, *where, final),
            cell(WITHIN, Q, *where, final, unit="percent", numerator=within),
            cell("lic_processing_days_median", Q, *where, days, unit="days", n=final),
        ]
    truth = frame(rows)
    hidden = (pl.col("indicator_id") == WITHIN) & (pl.col("breakdown") == "agency")
    if median_hidden:
        hidden = hidden | ((pl.col("unit") == "days") & (pl.col("breakdown") == "agency"))
    return truth.with_columns(suppressed=hidden), truth


@pytest.mark.parametrize("median_hidden", [False, True])
def test_a_published_median_shows_the_share_within_target(config, median_hidden) -> None:
    shown, truth = within_target(median_hidden)
    late = (WITHIN + knowledge.COMPLEMENT, Q, "agency", "STATE")
    assert (late in found(shown, truth, config)) is not median_hidden


def test_the_linked_protection_hides_the_median_with_the_share(config) -> None:
    # 10 records: the median alone is safe; it is hidden because its share is (the old
    # protection left it published, and the audit above finds the late decision)
    _, truth = within_target(False)
    median = ("lic_processing_days_median", Q, "agency", "STATE")
    linked_ = protect.protect(truth, config, linked_tables=True, complete=True)
    assert {median, (WITHIN, Q, "agency", "STATE")} <= hidden_keys(linked_)
    assert found(linked_, truth, config) == {}
