"""Protection across linked tables (protect(..., linked_tables=True), linked.Chooser,
check.linked_implied) and the audit facts it relies on, on hand-made releases.

Every expected figure is worked out by hand in the comment beside it. Each link kind has a
case where per-table protection leaks and the linked protection holds.
"""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

import polars as pl
import pytest

from arms_metrics.cells import CELL_SCHEMA, SORT_KEY
from arms_metrics.disclosure import check, knowledge, linked, protect
from arms_metrics.disclosure.links import System, pinned
from arms_metrics.errors import CheckFailed
from tests.conftest import with_upper
from tests.unit.site_fixtures import cell as fixture_cell


def cell(indicator_id, period, breakdown, value, count, *, unit="count", numerator=None,
         parent=None, n=None) -> dict:  # fmt: skip
    """``site_fixtures.cell`` with the key first: ``count`` is the value (and ``n``)."""
    n = count if n is None else n
    return fixture_cell(indicator_id, period, count, unit, n, breakdown, value, parent=parent,
                        numerator=numerator)  # fmt: skip


def frame(rows: list[dict]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=CELL_SCHEMA)


LICENSING = ("lic_pending", "lic_applications_received", "lic_final_actions")


def nothing_pending(period: str = "FY2025-Q4", ids: tuple[str, ...] = LICENSING) -> list[dict]:
    """A first quarter with no record: 0 pending at its end, no flow. A stock's first
    quarter is a free level (records opened before the coverage start); this one is 0, so
    the quarter after it follows its flows from 0, as the hand-worked numbers say."""
    return [cell(i, period, "total", "All", 0) for i in ids]


def hidden_keys(protected: pl.DataFrame) -> set[tuple]:
    return set(protected.filter(pl.col("suppressed")).select(SORT_KEY).iter_rows())


def leaks(protected: pl.DataFrame, truth: pl.DataFrame, config) -> list:
    return pinned(knowledge.build(protected, truth, config))


# ------------------------------------------------------------------ the audit's facts
def test_an_unknown_freed_only_in_a_later_lp_round_is_not_pinned() -> None:
    # x + y + z = 4, each hidden count >= 1, truly x = 1, y = 1, z = 2. x and y sit on their
    # bound, but either can be 2 if z is 1: one LP vertex frees only one of them, the next
    # round the other. Nothing is pinned.
    s = System()
    for name, value in (("x", 1), ("y", 1), ("z", 2)):
        key = (name, "FY2026-Q1", "total", "All")
        s.hidden[key], s.truth[key] = 1, value
    s.known[("t", "FY2026-Q1", "total", "All")] = 4
    s.add_equation([((n, "FY2026-Q1", "total", "All"), 1) for n in "xyz"] +
                   [(("t", "FY2026-Q1", "total", "All"), -1)])  # fmt: skip
    assert pinned(s) == []


def test_a_rate_row_rests_on_a_record_so_its_population_is_at_least_one(config) -> None:
    # Approval rates (no count indicator of their own) in FY2026-Q1, region SCA 20 approved
    # of 23 = IN 9 of 10 + PK 9 of 11 + BD 1 of 1 + LK 1 of 1, all in the total. BD and LK
    # hidden: their numerators add to 20 - 9 - 9 = 2, complements to 3 - 1 - 2 = 0 and
    # populations to 23 - 10 - 11 = 2. A rate row has a record, so each population is >= 1:
    # 1 each, and each numerator is 1. (Without that bound each numerator is 0 to 2.)
    rate = "lic_approval_rate_pct"
    rows = [
        cell(rate, "FY2026-Q1", "total", "All", 23, unit="percent", numerator=20),
        cell(rate, "FY2026-Q1", "region", "SCA", 23, unit="percent", numerator=20),
        cell(rate, "FY2026-Q1", "purchaser", "IN", 10, unit="percent", numerator=9, parent="SCA"),
        cell(rate, "FY2026-Q1", "purchaser", "PK", 11, unit="percent", numerator=9, parent="SCA"),
        cell(rate, "FY2026-Q1", "purchaser", "BD", 1, unit="percent", numerator=1, parent="SCA"),
        cell(rate, "FY2026-Q1", "purchaser", "LK", 1, unit="percent", numerator=1, parent="SCA"),
    ]
    truth = frame(rows)
    shown = truth.with_columns(suppressed=pl.col("breakdown_value").is_in(["BD", "LK"]))
    found = {(key[0], key[3]) for key in leaks(shown, truth, config)}
    # The complements (0) tell nothing about a record; the numerators and populations do.
    assert found == {(rate + part, who) for part in ("#numerator", "#n") for who in ("BD", "LK")}


def test_a_stock_starts_from_zero_before_the_first_quarter(config) -> None:
    # FY2026-Q1 is the release's first quarter: pending = received - final actions =
    # 3 - 1 = 2 for STATE, so a hidden STATE pending count is pinned by its flows alone.
    truth = frame([
        *nothing_pending(),
        cell("lic_pending", "FY2026-Q1", "agency", "STATE", 2),
        cell("lic_applications_received", "FY2026-Q1", "agency", "STATE", 3),
        cell("lic_final_actions", "FY2026-Q1", "agency", "STATE", 1),
    ])  # fmt: skip
    shown = truth.with_columns(suppressed=pl.col("indicator_id") == "lic_pending")
    assert leaks(shown, truth, config) == [("lic_pending", "FY2026-Q1", "agency", "STATE")]


# ------------------------------------------------------------- protection, by link kind
def flows(period: str, received: dict, final: dict) -> list[dict]:
    out = [cell("lic_applications_received", period, "total", "All", sum(received.values())),
           cell("lic_final_actions", period, "total", "All", sum(final.values()))]  # fmt: skip
    out += [cell("lic_applications_received", period, "agency", a, v) for a, v in received.items()]
    out += [cell("lic_final_actions", period, "agency", a, v) for a, v in final.items()]
    return out


def test_a_hidden_flow_gets_its_partner_flow_not_a_new_chain(config) -> None:
    # Pending by agency. FY2026-Q1 is the first quarter: 10 received and none decided per
    # agency, so 10 pending each (20 in all). FY2026-Q2: STATE 10 + 2 received - 5 decided =
    # 7, COMMERCE 10 + 30 - 10 = 30 (37 in all). STATE's 2 receipts break the count rule.
    rows = [
        cell("lic_pending", "FY2026-Q1", "total", "All", 20),
        cell("lic_pending", "FY2026-Q1", "agency", "STATE", 10),
        cell("lic_pending", "FY2026-Q1", "agency", "COMMERCE", 10),
        cell("lic_pending", "FY2026-Q2", "total", "All", 37),
        cell("lic_pending", "FY2026-Q2", "agency", "STATE", 7),
        cell("lic_pending", "FY2026-Q2", "agency", "COMMERCE", 30),
        *flows("FY2026-Q1", {"STATE": 10, "COMMERCE": 10}, {}),
        *flows("FY2026-Q2", {"STATE": 2, "COMMERCE": 30}, {"STATE": 5, "COMMERCE": 10}),
    ]
    truth = frame(rows)
    # Per table: STATE's 2 received hides COMMERCE's 30 received as its complement, but
    # 7 - 10 + 5 = 2 gives it back from the published stocks and final actions.
    per_table = protect.protect(truth, config)
    assert ("lic_applications_received", "FY2026-Q2", "agency", "STATE") in leaks(
        per_table, truth, config
    )
    linked_ = protect.protect(truth, config, linked_tables=True, complete=True)
    assert leaks(linked_, truth, config) == []
    hidden = hidden_keys(linked_)
    # The flows move together: both agencies' final actions hide with their receipts (a
    # rectangle: receipts 2 + x and 30 - x, decisions 5 + x and 10 - x, x from -1 to 9),
    # the stocks and every total stay published.
    assert hidden == {
        (i, "FY2026-Q2", "agency", a)
        for i in ("lic_applications_received", "lic_final_actions")
        for a in ("STATE", "COMMERCE")
    }


def test_a_published_rate_never_reveals_one_or_two_denials(config) -> None:
    # 7 approved of 9 decided (77.8 %) says 2 denied: the complement breaks the count rule.
    rate = "lic_approval_rate_pct"
    truth = frame([
        cell(rate, "FY2026-Q1", "total", "All", 40, unit="percent", numerator=30),
        cell(rate, "FY2026-Q1", "agency", "STATE", 9, unit="percent", numerator=7),
        cell(rate, "FY2026-Q1", "agency", "COMMERCE", 31, unit="percent", numerator=23),
    ])  # fmt: skip
    linked_ = protect.protect(truth, config, linked_tables=True, complete=True)
    assert ("lic_approval_rate_pct", "FY2026-Q1", "agency", "STATE") in hidden_keys(linked_)
    # ... and its complement COMMERCE with it (else 30 - 23 = 7 approved of 40 - 31 = 9).
    assert ("lic_approval_rate_pct", "FY2026-Q1", "agency", "COMMERCE") in hidden_keys(linked_)
    assert leaks(linked_, truth, config) == []


def published_before() -> tuple[pl.DataFrame, dict]:
    """(truth, earlier): STATE 1 and COMMERCE 5 applications received, total 6; an earlier
    release published COMMERCE's 5 unchanged."""
    truth = frame([
        cell("lic_applications_received", "FY2026-Q1", "total", "All", 6),
        cell("lic_applications_received", "FY2026-Q1", "agency", "STATE", 1),
        cell("lic_applications_received", "FY2026-Q1", "agency", "COMMERCE", 5),
        cell("lic_applications_received", "FY2026-Q1", "application_type", "DSP-5", 1),
        cell("lic_applications_received", "FY2026-Q1", "application_type", "BIS-748P", 5),
    ])  # fmt: skip
    earlier = {("lic_applications_received", "FY2026-Q1", "agency", "COMMERCE"): {(Decimal(5), 5)}}
    return truth, earlier


def test_a_value_published_before_is_public_now(config) -> None:
    # STATE 1 and COMMERCE 5 applications received, total 6. STATE is hidden and COMMERCE
    # with it; but an earlier release published COMMERCE's 5 unchanged, so 6 - 5 = 1.
    truth, earlier = published_before()
    per_table = protect.protect(truth, config)
    assert ("lic_applications_received", "FY2026-Q1", "agency", "COMMERCE") in hidden_keys(
        per_table
    )
    assert pinned(knowledge.build(per_table, truth, config, earlier))  # the old one leaks
    linked_ = protect.protect(truth, config, earlier, linked_tables=True, complete=True)
    assert pinned(knowledge.build(linked_, truth, config, earlier)) == []


def test_public_record_totals_give_away_what_they_give_away(config) -> None:
    # FMS cases implemented in FY2026-Q1: total 2 (public record, always published) over
    # two agencies: each hidden count is >= 1, so each is 1 whatever else is hidden. They
    # are published (hiding them hides nothing); the audit accepts them.
    truth = frame([
        cell("fms_cases_implemented", "FY2026-Q1", "total", "All", 2),
        cell("fms_cases_implemented", "FY2026-Q1", "implementing_agency", "ARMY", 1),
        cell("fms_cases_implemented", "FY2026-Q1", "implementing_agency", "NAVY", 1),
    ])  # fmt: skip
    given = check.linked_implied(truth, config)
    assert given == {
        ("fms_cases_implemented", "FY2026-Q1", "implementing_agency", "ARMY"),
        ("fms_cases_implemented", "FY2026-Q1", "implementing_agency", "NAVY"),
    }
    linked_ = protect.protect(truth, config, linked_tables=True, complete=True)
    assert hidden_keys(linked_) == set()
    check.audit(linked_, config, truth, complete=True)  # passes


def test_the_linked_audit_fails_a_release_that_leaks_and_names_no_value(config) -> None:
    truth = frame([
        *nothing_pending(),
        cell("lic_pending", "FY2026-Q1", "agency", "STATE", 2),
        cell("lic_pending", "FY2026-Q1", "total", "All", 2),
        cell("lic_applications_received", "FY2026-Q1", "agency", "STATE", 7),
        cell("lic_applications_received", "FY2026-Q1", "total", "All", 7),
        cell("lic_final_actions", "FY2026-Q1", "agency", "STATE", 5),
        cell("lic_final_actions", "FY2026-Q1", "total", "All", 5),
    ])  # fmt: skip
    # Pending hidden (2 records, STATE and the total), flows published: 0 + 7 - 5 = 2.
    shown = truth.with_columns(
        suppressed=pl.col("indicator_id") == "lic_pending",
        suppression=pl.when(pl.col("indicator_id") == "lic_pending").then(pl.lit("threshold")),
        value=pl.when(pl.col("indicator_id") == "lic_pending").then(None).otherwise("value"),
        n=pl.when(pl.col("indicator_id") == "lic_pending").then(None).otherwise("n"),
    )
    with pytest.raises(CheckFailed) as failed:
        check.audit(shown, config, truth, complete=True)
    message = str(failed.value)
    assert "lic_pending FY2026-Q1" in message and "2 suppressed counts" in message


# ------------------------------------------------------------------- the chooser
def test_the_chooser_prefers_the_complement_that_closes_a_pattern(config) -> None:
    # One stock-flow identity per agency: pending(Q2) - pending(Q1) - received + final = 0.
    # STATE's receipts are hidden: hiding STATE's final actions closes that identity; hiding
    # COMMERCE's would open a new one with a single hidden quantity.
    rows = [
        cell("lic_pending", p, "agency", a, 10)
        for p in ("FY2026-Q1", "FY2026-Q2")
        for a in ("STATE", "COMMERCE")
    ] + flows("FY2026-Q2", {"STATE": 5, "COMMERCE": 5}, {"STATE": 5, "COMMERCE": 5})
    truth = frame(rows).with_row_index("_row")
    public = knowledge.knowledge(truth, config)
    row = {tuple(r[1:]): r[0] for r in truth.select("_row", *SORT_KEY).iter_rows()}
    labels = linked.Labels([None] * truth.height)
    chooser = linked.Chooser(public, labels, {"lic_pending"})
    labels[row[("lic_applications_received", "FY2026-Q2", "agency", "STATE")]] = "threshold"
    partner = chooser.rank(row[("lic_final_actions", "FY2026-Q2", "agency", "STATE")])
    other = chooser.rank(row[("lic_final_actions", "FY2026-Q2", "agency", "COMMERCE")])
    stock = chooser.rank(row[("lic_pending", "FY2026-Q2", "agency", "STATE")])
    assert partner < other
    assert stock[0] and not partner[0]  # a stock comes after every flow


def test_labels_remember_what_changed() -> None:
    labels = linked.Labels([None, "threshold", None])
    assert labels.take() == {0, 1, 2}  # nothing looked at yet
    labels[0] = "secondary"
    labels[1] = "threshold"  # unchanged: not remembered
    assert labels.take() == {0}
    assert labels.take() == set()


def test_a_statistic_goes_with_its_hidden_count(config) -> None:
    # Final actions by agency: STATE 2 (hidden), COMMERCE 40 (its complement), total 42.
    # The processing-time median of STATE rests on 2 records (hidden). Published with n,
    # COMMERCE's median would give its count back (40, and STATE's as 42 - 40); published
    # without n, it would still say COMMERCE's count is at least 5, since a median is hidden
    # by rule only below 5 records. So it is hidden with its count (secondary).
    truth = frame([
        cell("lic_final_actions", "FY2026-Q1", "total", "All", 42),
        cell("lic_final_actions", "FY2026-Q1", "agency", "STATE", 2),
        cell("lic_final_actions", "FY2026-Q1", "agency", "COMMERCE", 40),
        cell("lic_processing_days_median", "FY2026-Q1", "total", "All", 30, unit="days", n=42),
        cell("lic_processing_days_median", "FY2026-Q1", "agency", "STATE", 12, unit="days", n=2),
        cell("lic_processing_days_median", "FY2026-Q1", "agency", "COMMERCE", 31, unit="days",
             n=40),
    ])  # fmt: skip
    per_table = protect.protect(truth, config)
    assert ("lic_final_actions", "FY2026-Q1", "agency", "COMMERCE") in hidden_keys(per_table)
    assert ("lic_processing_days_median", "FY2026-Q1", "agency", "COMMERCE") in hidden_keys(
        per_table
    )
    linked_ = protect.protect(truth, config, linked_tables=True, complete=True)
    commerce = linked_.filter(
        (pl.col("indicator_id") == "lic_processing_days_median")
        & (pl.col("breakdown_value") == "COMMERCE")
    )
    assert commerce.select("suppressed", "suppression", "n").rows() == [(True, "secondary", None)]
    total = linked_.filter(
        (pl.col("indicator_id") == "lic_processing_days_median") & (pl.col("breakdown") == "total")
    )
    assert total.select("suppressed", "n").rows() == [(False, 42)]  # its count is published
    assert leaks(linked_, truth, config) == []


# ------------------------------------------------------------------ rests of populations
@pytest.mark.parametrize(("state_final", "rest_reported"), [(10, True), (14, False)])
def test_an_unpublished_rest_discloses_only_when_small(config, state_final, rest_reported):
    # Approval rates (decided applications: no count indicator of their own) and final
    # actions by agency. STATE's rate is hidden, COMMERCE's published (13 of 20), total 20 of
    # 29: STATE decided 29 - 20 = 9. Its final actions minus decided, the returns and
    # withdrawals no cell publishes, are 10 - 9 = 1 (one record: disclosive) or 14 - 9 = 5
    # (no small count: not reported, although pinned).
    rate, final = "lic_approval_rate_pct", "lic_final_actions"
    truth = frame([
        cell(final, "FY2026-Q1", "total", "All", state_final + 20),
        cell(final, "FY2026-Q1", "agency", "STATE", state_final),
        cell(final, "FY2026-Q1", "agency", "COMMERCE", 20),
        cell(rate, "FY2026-Q1", "total", "All", 29, unit="percent", numerator=20),
        cell(rate, "FY2026-Q1", "agency", "STATE", 9, unit="percent", numerator=7),
        cell(rate, "FY2026-Q1", "agency", "COMMERCE", 20, unit="percent", numerator=13),
    ])  # fmt: skip
    shown = truth.with_columns(
        suppressed=(pl.col("indicator_id") == rate) & (pl.col("breakdown_value") == "STATE")
    )
    found = knowledge.leaks(knowledge.build(shown, truth, config), config, given=set())
    rest = (rate + knowledge.REST, "FY2026-Q1", "agency", "STATE")
    assert (rest in found) is rest_reported
    assert (rate + "#n", "FY2026-Q1", "agency", "STATE") in found  # 9: pinned either way


def test_a_published_rate_never_reveals_one_or_two_returns(config) -> None:
    # Final actions STATE 10, COMMERCE 30, total 40; approval rates STATE 6 of 9 decided,
    # COMMERCE 20 of 26, total 26 of 35: every count and tally is >= 3, so each table alone
    # is safe. But STATE's final actions minus its decided applications, 10 - 9 = 1, is one
    # return or withdrawal. The linked protection hides STATE's rate or STATE's final actions
    # (and a partner in its table, else the total gives it back): e.g. with both agencies'
    # final actions hidden, STATE's are 40 - COMMERCE's, between 9 and 14, its rest 0 to 5.
    rate, final = "lic_approval_rate_pct", "lic_final_actions"
    truth = frame([
        cell(final, "FY2026-Q1", "total", "All", 40),
        cell(final, "FY2026-Q1", "agency", "STATE", 10),
        cell(final, "FY2026-Q1", "agency", "COMMERCE", 30),
        cell(rate, "FY2026-Q1", "total", "All", 35, unit="percent", numerator=26),
        cell(rate, "FY2026-Q1", "agency", "STATE", 9, unit="percent", numerator=6),
        cell(rate, "FY2026-Q1", "agency", "COMMERCE", 26, unit="percent", numerator=20),
    ])  # fmt: skip
    rest = (rate + knowledge.REST, "FY2026-Q1", "agency", "STATE")
    per_table = protect.protect(truth, config)
    assert hidden_keys(per_table) == set()
    assert rest in knowledge.leaks(knowledge.build(per_table, truth, config), config, set())
    linked_ = protect.protect(truth, config, linked_tables=True, complete=True)
    hidden = hidden_keys(linked_)
    assert {
        (rate, "FY2026-Q1", "agency", "STATE"),
        (final, "FY2026-Q1", "agency", "STATE"),
    } & hidden
    assert len(hidden) >= 2
    assert knowledge.leaks(knowledge.build(linked_, truth, config), config, set()) == []
    check.audit(linked_, config, truth, complete=True)  # passes


def test_public_record_rate_totals_stay_published_with_what_they_give_away(config) -> None:
    # FMS LOAs offered in FY2026-Q1: total 3 (ARMY 2, DLA 1). The anticipated-date rate: 2
    # of the 3 had an anticipated date, both ARMY's (DLA's rate row is absent: 0). Its total
    # (1 of 2 on time) is public record: published although its tallies are below 3. Then
    # the one LOA without an anticipated date is DLA's (ARMY's rest is its offered - 2 >= 0,
    # DLA's its offered >= 1, together 3 - 2 = 1): DLA offered 1 and ARMY 2, however the
    # breakdown is hidden. Both are published; the audit accepts them.
    rate, offered = "fms_loas_offered_by_anticipated_date_pct", "fms_loas_offered"
    truth = frame([
        cell(offered, "FY2026-Q1", "total", "All", 3),
        cell(offered, "FY2026-Q1", "implementing_agency", "ARMY", 2),
        cell(offered, "FY2026-Q1", "implementing_agency", "DLA", 1),
        cell(rate, "FY2026-Q1", "total", "All", 2, unit="percent", numerator=1),
        cell(rate, "FY2026-Q1", "implementing_agency", "ARMY", 2, unit="percent", numerator=1),
    ])  # fmt: skip
    given = check.linked_implied(truth, config)
    assert {(offered, "FY2026-Q1", "implementing_agency", v) for v in ("ARMY", "DLA")} <= given
    linked_ = protect.protect(truth, config, linked_tables=True, complete=True)
    assert (rate, "FY2026-Q1", "total", "All") not in hidden_keys(linked_)
    assert (offered, "FY2026-Q1", "implementing_agency", "DLA") not in hidden_keys(linked_)
    check.audit(linked_, config, truth, complete=True)  # passes


def test_republish_keeps_only_the_complements_still_needed() -> None:
    # Rows 1 to 4 hidden as complements; only row 3 still protects something (safe() holds
    # while row 3 is hidden). Bisection publishes 1, 2 and 4 again.
    labels = linked.Labels([None, "secondary", "secondary", "secondary", "secondary"])
    linked.republish([1, 2, 3, 4], labels, lambda: labels[3] is not None)
    assert list(labels) == [None, None, None, "secondary", None]


def test_a_count_of_part_of_a_population_never_reveals_the_other_part(config) -> None:
    # Pending applications STATE 7, COMMERCE 20, total 27; of them over target STATE 5,
    # COMMERCE 10, total 15. Every cell is >= 3, but STATE's pending within target are
    # 7 - 5 = 2 (two applications). The linked protection hides enough that STATE's rest is
    # no longer pinned (the totals give 27 - 15 = 12 within target in all, not per agency).
    pending, over = "lic_pending", "lic_pending_over_target"
    truth = frame([
        cell(pending, "FY2026-Q1", "total", "All", 27),
        cell(pending, "FY2026-Q1", "agency", "STATE", 7),
        cell(pending, "FY2026-Q1", "agency", "COMMERCE", 20),
        cell(over, "FY2026-Q1", "total", "All", 15),
        cell(over, "FY2026-Q1", "agency", "STATE", 5),
        cell(over, "FY2026-Q1", "agency", "COMMERCE", 10),
    ])  # fmt: skip
    rest = (over + knowledge.REST, "FY2026-Q1", "agency", "STATE")
    per_table = protect.protect(truth, config)
    assert hidden_keys(per_table) == set()
    assert rest in knowledge.leaks(knowledge.build(per_table, truth, config), config, set())
    linked_ = protect.protect(truth, config, linked_tables=True, complete=True)
    assert knowledge.leaks(knowledge.build(linked_, truth, config), config, set()) == []
    check.audit(linked_, config, truth, complete=True)  # passes


# ------------------------------------------------------------------ unpublished stocks
def test_a_stock_not_published_by_destination_is_protected_through_its_flows(config) -> None:
    # Pending is published by agency and in total, not by purchaser; received and final
    # actions are published by purchaser. FY2026-Q1, the first quarter: JP received 4 and
    # had 3 final actions, KR 10 and 3, US 8 and 4, after a quarter with nothing pending
    # (``nothing_pending``): pending JP 0 + 4 - 3 = 1 (one application of JP, which no
    # cell publishes), KR 7, US 4, total 12. Every cell is >= 3, so the per-table
    # protection hides nothing and JP's pending is given away by its flows.
    rows = [*nothing_pending(),
            cell("lic_pending", "FY2026-Q1", "total", "All", 12),
            cell("lic_pending", "FY2026-Q1", "agency", "STATE", 12)]  # fmt: skip
    for flow, values in (("lic_applications_received", (4, 10, 8)),
                         ("lic_final_actions", (3, 3, 4))):  # fmt: skip
        rows.append(cell(flow, "FY2026-Q1", "total", "All", sum(values)))
        rows.append(cell(flow, "FY2026-Q1", "agency", "STATE", sum(values)))
        for who, value in zip(("JP", "KR", "US"), values, strict=True):
            rows.append(cell(flow, "FY2026-Q1", "purchaser", who, value))
    truth = frame(rows)
    stock = ("lic_pending", "FY2026-Q1", "purchaser", "JP")
    per_table = protect.protect(truth, config)
    assert hidden_keys(per_table) == set()
    assert stock in knowledge.leaks(knowledge.build(per_table, truth, config), config, set())
    linked_ = protect.protect(truth, config, linked_tables=True, complete=True)
    assert knowledge.leaks(knowledge.build(linked_, truth, config), config, set()) == []
    # JP's flows cannot both stay published: one of them is hidden (and a complement)
    jp = {(f, "FY2026-Q1", "purchaser", "JP") for f in ("lic_applications_received",
                                                        "lic_final_actions")}  # fmt: skip
    assert jp & hidden_keys(linked_)
    check.audit(linked_, config, truth, complete=True)  # passes


def test_a_count_of_part_of_an_unpublished_stock_bounds_it(config) -> None:
    # FY2026-Q1, after a quarter with nothing pending, no final actions: pending by
    # purchaser (no cell) is what each received. Received: JP 1 and KR 3 hidden, total 4.
    # Pending over target, published by purchaser: JP 1, KR 3. Over target is part of
    # pending, so KR's pending, and so its received, is at least 3, and JP's at most
    # 4 - 3 = 1: JP 1, KR 3 (an outside intruder found this when the rest of an
    # unpublished stock was not modelled).
    over, received = "lic_pending_over_target", "lic_applications_received"
    rows = [*nothing_pending(),
            cell("lic_pending", "FY2026-Q1", "total", "All", 4),
            cell("lic_final_actions", "FY2026-Q1", "total", "All", 0),
            cell(over, "FY2026-Q1", "total", "All", 4),
            cell(received, "FY2026-Q1", "total", "All", 4)]  # fmt: skip
    for who, value in (("JP", 1), ("KR", 3)):
        rows += [cell(over, "FY2026-Q1", "purchaser", who, value),
                 cell(received, "FY2026-Q1", "purchaser", who, value)]  # fmt: skip
    truth = frame(rows)
    shown = truth.with_columns(
        suppressed=(pl.col("indicator_id") == received) & (pl.col("breakdown") == "purchaser")
    )
    system = knowledge.build(shown, truth, config)
    found = {key: system.truth[key] for key in knowledge.leaks(system, config, set())}
    assert {k[3]: v for k, v in found.items() if k[0] == received} == {"JP": 1, "KR": 3}


def test_a_dollar_total_no_table_needs_is_a_candidate_to_publish_again(config) -> None:
    # Approved value by agency: STATE $700 and COMMERCE $300 both hidden, total $1,000
    # hidden as a complement. Published again, the total leaves STATE + COMMERCE = 1,000
    # with each anywhere from 0 to 1,000: a candidate. With COMMERCE published ($300) the
    # total would give STATE away (1,000 - 300): not a candidate.
    from arms_metrics.disclosure.rules import SECONDARY, with_rules

    value = "lic_approved_value_usd"
    rows = [cell(value, "FY2026-Q1", "total", "All", 1000, unit="usd", n=9),
            cell(value, "FY2026-Q1", "agency", "STATE", 700, unit="usd", n=6),
            cell(value, "FY2026-Q1", "agency", "COMMERCE", 300, unit="usd", n=3)]  # fmt: skip
    table = with_rules(frame(rows), config)
    for hidden, expected in (({0, 1, 2}, [0]), ({0, 1}, [])):
        labels = [SECONDARY if row in hidden else None for row in range(3)]
        assert linked.dollar_totals(table, labels, pairs=[]) == expected
    # beside its hidden count (a pair of statistic row 0 and a hidden count row) it stays
    assert linked.dollar_totals(table, [SECONDARY] * 3, pairs=[(0, 1)]) == []


def test_a_cell_its_table_gives_away_is_never_a_complement(config) -> None:
    # Approved value: total $1,000, STATE $700, COMMERCE $300. An earlier release published
    # the total and STATE unchanged, so COMMERCE is 1,000 - 700 = 300 whatever else is
    # hidden: hiding it as a linked complement protects nothing, the table's own pass
    # publishes it again, and a remedy that picked it would pick it every round. The pass
    # records it as implied (the remedy's candidates leave those out).
    from arms_metrics.disclosure.rules import SECONDARY, initial

    value = "lic_approved_value_usd"
    rows = [cell(value, "FY2026-Q1", "total", "All", 1000, unit="usd", n=9),
            cell(value, "FY2026-Q1", "agency", "STATE", 700, unit="usd", n=6),
            cell(value, "FY2026-Q1", "agency", "COMMERCE", 300, unit="usd", n=3)]  # fmt: skip
    earlier = {(value, "FY2026-Q1", "total", "All"): {(Decimal(1000), 9)},
               (value, "FY2026-Q1", "agency", "STATE"): {(Decimal(700), 6)}}  # fmt: skip
    table = initial(frame(rows), config, earlier)
    assert table["locked"].to_list() == [True, True, False]
    labels = linked.Labels([None, None, SECONDARY])  # COMMERCE hidden as a remedy would
    protect._within_tables(table, labels, pairs=[], rank=lambda cell: 0)
    assert list(labels) == [None, None, None]
    assert labels.implied >= {2}


def test_protection_that_runs_out_of_rounds_fails_instead_of_publishing(config, monkeypatch):
    # The case above needs one remedy round (COMMERCE's 5, published before, gives STATE's
    # 1 away unless the forms are hidden too); with no round allowed the run must stop
    # naming the pinned figure, not publish it for the audit to find.
    truth, earlier = published_before()
    monkeypatch.setattr(protect, "MAX_ROUNDS", 0)
    with pytest.raises(CheckFailed, match="still pinned after 0 protection rounds"):
        protect.protect(truth, config, earlier, linked_tables=True, complete=True)


class _Flat:
    """A chooser that ranks every candidate alike, so the smallest value decides."""

    def __init__(self, labels: linked.Labels) -> None:
        self.labels = labels
        self.tries: Counter = Counter()

    def rank(self, row: int) -> tuple:
        return ()


def test_a_pinned_total_takes_a_breakdown_complement_before_another_total() -> None:
    # Pending at the end of FY2026-Q1 (hidden, truly 5) = 4 pending before + 2 received - 1
    # decided, and = DSP-5 3 + DSP-61 2. The smallest neighbour is the decided total (1),
    # but a total complementing a total starts a chain of totals down the quarters: the
    # remedy hides DSP-61 (2), the smallest breakdown neighbour, and no total.
    pending = ("lic_pending", "FY2026-Q1", "total", "All")
    known = {("lic_pending", "FY2025-Q4", "total", "All"): 4,
             ("lic_applications_received", "FY2026-Q1", "total", "All"): 2,
             ("lic_final_actions", "FY2026-Q1", "total", "All"): 1,
             ("lic_pending", "FY2026-Q1", "application_type", "DSP-5"): 3,
             ("lic_pending", "FY2026-Q1", "application_type", "DSP-61"): 2}  # fmt: skip
    system = System(known=dict(known), hidden={pending: 0}, truth={pending: 5})
    before, received, final, dsp5, dsp61 = known
    system.add_equation([(pending, 1), (before, -1), (received, -1), (final, 1)])
    system.add_equation([(pending, 1), (dsp5, -1), (dsp61, -1)])
    rows = {key: row for row, key in enumerate([pending, *known])}
    labels = linked.Labels([protect.SECONDARY] + [None] * len(known))
    stuck = linked.remedy(system, [pending], rows, _Flat(labels), set(rows.values()),
                          frozenset({"agency"}))  # fmt: skip
    assert stuck == []
    assert [key for key, row in rows.items() if labels[row]] == [pending, dsp61]


def test_a_quantity_still_pinned_after_patience_runs_out_takes_a_total_next() -> None:
    # Pending at the end of FY2026-Q1 (hidden) = P + 1 pending before + 2 received - 1
    # decided = P + 2, with P = linked.PATIENCE, and = control categories C00..C(P-1) at 1
    # each + a last category Z at 2. Say an identity of totals the categories are not in
    # pins it: P remedies hide C00, C01, ... (smallest first, then by key), it is still
    # pinned, so the next hides a total beside it: the decided total (1), though Z (2) is
    # left.
    patience = linked.PATIENCE
    pending = ("lic_pending", "FY2026-Q1", "total", "All")
    totals = {("lic_pending", "FY2025-Q4", "total", "All"): patience + 1,
              ("lic_applications_received", "FY2026-Q1", "total", "All"): 2,
              ("lic_final_actions", "FY2026-Q1", "total", "All"): 1}  # fmt: skip
    names = [f"C{i:02d}" for i in range(patience)] + ["Z"]
    categories = {("lic_pending", "FY2026-Q1", "control_category", name): 1 for name in names}
    categories[("lic_pending", "FY2026-Q1", "control_category", "Z")] = 2
    assert sum(categories.values()) == patience + 2 == (patience + 1) + 2 - 1
    system = System(known=totals | categories, hidden={pending: 0},
                    truth={pending: patience + 2})  # fmt: skip
    before, received, final = totals
    system.add_equation([(pending, 1), (before, -1), (received, -1), (final, 1)])
    system.add_equation([(pending, 1)] + [(key, -1) for key in categories])
    rows = {key: row for row, key in enumerate([pending, *totals, *categories])}
    labels = linked.Labels([protect.SECONDARY] + [None] * (len(rows) - 1))
    chooser = _Flat(labels)
    hidden = []
    for _ in range(patience + 1):
        before_call = {r for r, label in enumerate(labels) if label}
        assert linked.remedy(system, [pending], rows, chooser, set(rows.values())) == []
        hidden += [key for key, row in rows.items() if labels[row] and row not in before_call]
    assert [key[3] for key in hidden] == names[:patience] + ["All"]
    assert hidden[-1] == final


def test_a_small_count_gets_a_complement_that_lets_it_be_three(config) -> None:
    config = with_upper(config)
    # Final actions FY2026-Q1: 12 in all; East Asia 3 (KR 1, JP 2), Near East 9 (AE 9).
    # KR and JP break the count rule. Hidden together, KR + JP = EAP's 3, so each is 1 or 2:
    # not pinned, but shown to be small (the upper protection level fails). A complement
    # with room must go too: AE or EAP; AE is NEA's only purchaser and EAP + NEA = 12, so
    # every purchaser and region cell hides, and KR is then anything from 1 to 10. The
    # total stays published.
    q, final = "FY2026-Q1", "lic_final_actions"
    truth = frame([
        cell(final, q, "total", "All", 12),
        cell(final, q, "region", "EAP", 3),
        cell(final, q, "region", "NEA", 9),
        cell(final, q, "purchaser", "KR", 1, parent="EAP"),
        cell(final, q, "purchaser", "JP", 2, parent="EAP"),
        cell(final, q, "purchaser", "AE", 9, parent="NEA"),
    ])  # fmt: skip
    per_table = protect.protect(truth, config)
    system = knowledge.build(per_table, truth, config)
    assert pinned(system) == []
    assert {key[3] for key in knowledge.leaks(system, config, given=set())} == {"KR", "JP"}
    linked_ = protect.protect(truth, config, linked_tables=True, complete=True)
    assert knowledge.leaks(knowledge.build(linked_, truth, config), config, given=set()) == []
    assert hidden_keys(linked_) == {
        (final, q, "region", "EAP"), (final, q, "region", "NEA"),
        (final, q, "purchaser", "KR"), (final, q, "purchaser", "JP"),
        (final, q, "purchaser", "AE"),
    }  # fmt: skip
