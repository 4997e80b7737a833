"""What the quarantine took from each indicator (issue 11, fault 6): hand-worked cases.

Release quarter FY2026-Q2; every good row is dated in FY2026-Q1 (tests/unit/
test_ingest_helpers.GOOD), so the spine is FY2026-Q1 and FY2026-Q2. Each case quarantines
one kind of row and lists, from the indicator definitions, the total cells it takes
records from: (indicator, quarter, records over all rows read, records lost).
"""

from __future__ import annotations

import dataclasses
import json
import re

import pytest

from arms_metrics.compute import loss, placing
from arms_metrics.errors import DataError
from arms_metrics.quarters import Quarter
from tests.unit.test_ingest_helpers import rows_for, run

Q = Quarter(2026, 2)
PENDING = {"final_action_date": "", "outcome": "", "approved_value_usd": ""}
# An export that writes NULL for an empty field: the pending license is quarantined
# (final_action_date_not_a_date, outcome_not_allowed), yet it is still pending.
NULL_PENDING = {"final_action_date": "NULL", "outcome": "NULL", "approved_value_usd": ""}

# Only the outcome written NULL: the date is empty, so the license is placed (pending).
NULL_OUTCOME = {**PENDING, "outcome": "NULL"}
# A pending license whose requested value is written NULL: a value fault alone (no rule
# between columns), so the license is placed, pending at both quarter ends.
NULL_REQUESTED = {**PENDING, "requested_value_usd": "NULL"}
# Every good license is APPROVED: a decision, so in the decided-only median too.
FINAL_ACTIONS = [
    "lic_approval_rate_pct", "lic_approved_pct", "lic_approved_value_usd",
    "lic_approved_with_conditions_pct", "lic_decided_processing_days_median",
    "lic_decided_within_target_pct", "lic_denied_pct", "lic_final_actions",
    "lic_processing_days_median", "lic_processing_days_p90",
    "lic_returned_without_action_pct", "lic_withdrawn_pct",
]  # fmt: skip
# The indicators over the offered documents (GOOD's document has an anticipated offer date,
# so it is in both shares by that date; the LOR-to-offer median also needs fms_lors).
OFFERED = [
    "fms_documents_by_anticipated_date_pct", "fms_loa_development_days_median",
    "fms_loa_development_days_p90", "fms_loas_offered",
    "fms_loas_offered_by_anticipated_date_pct", "fms_loas_offered_within_target_pct",
]  # fmt: skip
ACCEPTED = ["fms_loas_accepted", "fms_loas_accepted_value_usd",
            "fms_offer_to_acceptance_days_median"]  # fmt: skip
BACKLOG = ["fms_development_backlog", "fms_development_backlog_over_target_pct"]
OFFER_DEADLINES = ["fms_offers_expired", "fms_offers_expiring_90_days"]


def _everywhere(ids: list[str], q1: int | None, q2: int | None = None) -> list[tuple]:
    """An unplaced row: lost in each quarter where the indicator counts records, with
    ``q1``/``q2`` records counted with it (None: no record there); an indicator that
    counts none anywhere shows it in the release quarter, FY2026-Q2."""
    if q1 is None and q2 is None:
        q2 = 1
    counts = (("FY2026-Q1", q1), ("FY2026-Q2", q2))
    return [(i, p, n, 1) for i in ids for p, n in counts if n is not None]


CASES = {
    # 10 pending STATE licenses received 2025-10-01 and one written with NULLs: at both
    # quarter ends all 11 are pending and older than the 60-day target (91 and 181 days).
    # Its final_action_date "NULL" broke its rule, so it cannot be placed in the final
    # actions (none kept: 0 + 1 in each quarter) nor in the pending stock (10 + 1).
    "null_pending_license": (
        "export_licenses",
        [PENDING] * 10 + [NULL_PENDING],
        [("lic_applications_received", "FY2026-Q1", 11, 1)]
        + _everywhere(["lic_pending", "lic_pending_over_target"], 11, 11)
        + _everywhere(FINAL_ACTIONS, None),
    ),
    # Only the outcome is NULL: it also breaks outcome_without_final_action_date, a rule
    # between columns that cannot tell whether the outcome or the missing decision date is
    # wrong (issue 11, tester's F2), so the decision date counts as broken too: the license
    # cannot be placed in the pending stock (10 + 1 at both quarter ends) nor in the final
    # actions (none kept: 0 + 1 in the release quarter). It was placed as pending before.
    "null_outcome_pending_license": (
        "export_licenses",
        [PENDING] * 10 + [NULL_OUTCOME],
        [("lic_applications_received", "FY2026-Q1", 11, 1)]
        + _everywhere(["lic_pending", "lic_pending_over_target"], 11, 11)
        + _everywhere(FINAL_ACTIONS, None),
    ),
    # Tester's F2: a received date written 10/01/2025. Three good licenses, received and
    # decided in FY2026-Q1; the fourth cannot be placed in the received flow, the pending
    # stock (none kept: decided in the quarter received) or the final actions (its
    # processing days run from the received date): 1 possibly lost in every quarter.
    "unplaced_received_date": (
        "export_licenses",
        [{}, {}, {}, {"received_date": "10/01/2025"}],
        _everywhere(["lic_applications_received", *FINAL_ACTIONS], 4)
        + _everywhere(["lic_pending", "lic_pending_over_target"], None),
    ),
    # The offered date written 11/10/2025: two good documents offered (2025-11-10) and
    # accepted (2025-12-01) in FY2026-Q1, never in the backlog at a quarter end. The third
    # is not read as "still in the backlog" (a phantom): it is lost in every quarter of the
    # offers, the acceptances (timed from the offer) and the backlog (0 kept + 1). The good
    # two were accepted before their offers' expiration (2026-01-10), so the lapsed and the
    # expiring offers count none kept anywhere: 0 + 1 in the release quarter.
    "unplaced_offered_date": (
        "fms_documents",
        [{}, {}, {"offered_date": "11/10/2025"}],
        _everywhere(OFFERED + ACCEPTED, 3) + _everywhere(BACKLOG + OFFER_DEADLINES, None),
    ),
    # The same fault at the first position, on a decided license: NULL in requested value
    # is not a number, read as missing; the row still counts wherever it would.
    "bad_value_first_row": (
        "export_licenses",
        [{"requested_value_usd": "NULL"}] + [{}] * 3,
        [
            ("lic_applications_received", "FY2026-Q1", 4, 1),
            *_everywhere(FINAL_ACTIONS, 4, None),
        ],
    ),
    # A code that is not in the reference is read as missing: the case still counts in the
    # totals (implemented 2025-10-01, supply complete 2026-01-01, closed 2026-02-01).
    "unknown_purchaser_last_row": (
        "fms_cases",
        [{}, {}, {"purchaser_code": "ZZ"}],
        [
            ("fms_cases_closed", "FY2026-Q2", 3, 1),
            ("fms_cases_implemented", "FY2026-Q1", 3, 1),
            ("fms_cases_implemented_value_usd", "FY2026-Q1", 3, 1),
            ("fms_cases_supply_complete", "FY2026-Q2", 3, 1),
            ("fms_open_cases", "FY2026-Q1", 3, 1),
            ("fms_open_cases_value_usd", "FY2026-Q1", 3, 1),
        ],
    ),
    # A notification to a purchaser the reference does not know (notified 2025-10-03).
    "unknown_purchaser_notification": (
        "congressional_notifications",
        [{}, {"purchaser": "Atlantis"}, {}],
        [
            ("cn_notifications", "FY2026-Q1", 3, 1),
            ("cn_notifications_value_usd", "FY2026-Q1", 3, 1),
        ],
    ),
    # Another table: two LORs sharing an id are both quarantined, both still received.
    "duplicate_lors": (
        "fms_lors",
        [{"lor_id": "DUP"}, {}, {"lor_id": "DUP"}, {}],
        [("fms_lors_received", "FY2026-Q1", 4, 2)],
    ),
}


def _ingested(tmp_path, config, table, variations):
    return run(tmp_path, dataclasses.replace(config, max_quarantine_share=1.0),
               {table: rows_for(table, variations)})  # fmt: skip


@pytest.mark.parametrize("case", sorted(CASES))
def test_losses_by_hand(tmp_path, config, case):
    table, variations, expected = CASES[case]
    lost = loss.measure(_ingested(tmp_path, config, table, variations), config, Q)
    got = [(r["indicator_id"], r["period"], r["records"], r["lost"]) for r in lost.to_dicts()]
    assert got == sorted(expected)
    assert lost["share"].to_list() == [e[3] / e[2] for e in sorted(expected)]


def test_nothing_quarantined_measures_nothing(tmp_path, config):
    ingested = _ingested(tmp_path, config, "export_licenses", [{}, PENDING])
    assert loss.measure(ingested, config, Q).height == 0


def test_share_at_the_limit_passes_and_is_reported(tmp_path, config):
    ingested = _ingested(tmp_path, config, "export_licenses", [PENDING] * 10 + [NULL_REQUESTED])
    summary = loss.check(ingested, dataclasses.replace(config, max_indicator_loss_share=1 / 11),
                         Q, tmp_path / "work")  # fmt: skip
    written = json.loads((tmp_path / "work/validation/summary.json").read_text(encoding="utf-8"))
    assert written == summary and summary["status"] == "ok"
    section = summary["indicator_loss"]
    assert (section["status"], len(section["lost"])) == ("ok", 5)
    assert section["lost"][1] == {"indicator_id": "lic_pending", "period": "FY2026-Q1",
                                  "records": 11, "lost": 1, "share": 0.090909}  # fmt: skip
    report = (tmp_path / "work/validation/report.html").read_text(encoding="utf-8")
    assert "<td><code>lic_pending</code></td><td>FY2026-Q1</td>" in report


def test_share_above_the_limit_fails_naming_indicator_file_and_line(tmp_path, config):
    ingested = _ingested(tmp_path, config, "export_licenses", [PENDING] * 10 + [NULL_REQUESTED])
    strict = dataclasses.replace(config, max_indicator_loss_share=0.09)
    with pytest.raises(DataError) as caught:
        loss.check(ingested, strict, Q, tmp_path / "work")
    error = caught.value
    assert (error.exit_code, error.file, error.line, error.rule) == (
        65,
        "export_licenses.csv",
        12,
        "indicator_loss",
    )
    assert str(error).startswith(
        "export_licenses.csv:12: indicator_loss: lic_applications_received lost 1 of its 11 "
        "records in FY2026-Q1 (9.09%)"
    )
    assert "also lic_pending, lic_pending_over_target" in str(error)
    written = json.loads((tmp_path / "work/validation/summary.json").read_text(encoding="utf-8"))
    assert (written["status"], written["indicator_loss"]["status"]) == ("failed", "failed")


def test_an_unplaced_delivery_is_lost_in_every_quarter(tmp_path, config):
    # two deliveries on 2025-11-01 (FY2026-Q1) and one written 11/01/2025, all of case FMS1
    deliveries = rows_for("fms_deliveries", [{"case_id": "FMS1"}] * 2
                          + [{"case_id": "FMS1", "delivery_date": "11/01/2025"}])  # fmt: skip
    cfg = dataclasses.replace(config, max_quarantine_share=1.0)
    ingested = run(tmp_path, cfg, {"fms_cases": rows_for("fms_cases", [{}]),
                                   "fms_deliveries": deliveries})  # fmt: skip
    lost = loss.measure(ingested, config, Q)
    got = [(r["indicator_id"], r["period"], r["records"], r["lost"]) for r in lost.to_dicts()]
    assert got == [("fms_deliveries_value_usd", "FY2026-Q1", 3, 1)]


def test_an_unplaced_row_fails_the_run_naming_the_indicator(tmp_path, config):
    # 99 licenses received and decided in FY2026-Q1, one received date written 10/01/2025:
    # 1 of 100 received (1 %) in FY2026-Q1; none is pending at a quarter end, so the pending
    # stock counts no record anywhere: the row may be all it has (1 of 1, release quarter)
    rows = [{}] * 99 + [{"received_date": "10/01/2025"}]
    ingested = _ingested(tmp_path, config, "export_licenses", rows)
    with pytest.raises(DataError) as caught:
        loss.check(ingested, config, Q, tmp_path / "work")
    assert (caught.value.rule, caught.value.line) == ("indicator_loss", 101)
    assert str(caught.value).startswith(
        "export_licenses.csv:101: indicator_loss: lic_pending lost 1 of its 1 records in "
        "FY2026-Q2 (100.00%)"
    )
    assert "lic_applications_received" in str(caught.value)
    written = json.loads((tmp_path / "work/validation/summary.json").read_text(encoding="utf-8"))
    cells = {(x["indicator_id"], x["period"]): (x["records"], x["lost"])
             for x in written["indicator_loss"]["lost"]}  # fmt: skip
    assert cells[("lic_applications_received", "FY2026-Q1")] == (100, 1)
    assert ("lic_applications_received", "FY2026-Q2") not in cells  # no license there


def test_placing_dates_are_the_dates_the_population_sql_reads(config):
    """Every date a population joins to the calendar, compares with a quarter's end, requires
    or tests for null, or times a duration from, or that the as-of cut of its staging model
    reads, is listed in placing.PLACING for that population, and nothing else is."""
    sql = config.sql_dir
    durations = {}
    for path in (sql / "intermediate").glob("*.sql"):
        for later, earlier, name in re.findall(r"\.(\w+_date) - \w+\.(\w+_date) as (\w+)",
                                               path.read_text()):  # fmt: skip
            durations[name] = (later, earlier)
    listed = {(pop, c) for t in placing.PLACING.values() for c, pops in t.items() for pop in pops}
    cut = {p.stem: re.findall(r"where \w+\.(\w+_date) <= release\.release_end", p.read_text())
           for p in (sql / "staging").glob("stg_*.sql")}  # fmt: skip
    reads = {p.stem: {c for s in re.findall(r"from (stg_\w+)", p.read_text()) for c in cut[s]}
             for p in (sql / "intermediate").glob("int_*.sql")}  # fmt: skip
    found = set()
    for path in (sql / "populations").glob("pop_*.sql"):
        pop, text = path.stem.removeprefix("pop_"), path.read_text()
        # a model only left-joined is a lookup: its cut never drops the population's record
        lookups = {m for cte, m in re.findall(r"(\w+) as \(\s*select \* from (int_\w+)", text)
                   if f"left join {cte} on" in text and f"from {cte}\n" not in text}  # fmt: skip
        for model in set(re.findall(r"from (int_\w+)", text)) - lookups:
            found |= {(pop, c) for c in reads[model]}  # the as-of cut of its staging model
        for clause in re.findall(r"on (.+?) = \w+\.calendar_date", text):
            found |= {(pop, c) for c in re.findall(r"\.(\w+_date)", clause)}
        found |= {(pop, c) for c in re.findall(r"\((?:\w+\.)?(\w+_date) is null or ", text)}
        found |= {(pop, c) for c in re.findall(r"(\w+_date) is not null", text)}
        found |= {(pop, c) for c in re.findall(r"(\w+_date) [<>]=? spine\.end_date", text)}
        for name, (_, earlier) in durations.items():
            if f".{name}" in text:
                found.add((pop, earlier))
    assert found == listed
