"""A row quarantined by a rule between columns (issue 11, tester's F1 and F2): such a rule
cannot tell which of its columns is wrong, so each of them that places or selects a record
is treated as broken by the loss check. Hand-worked losses, and the list of the rules
between columns kept complete.

Release quarter FY2026-Q2; the good rows of tests/unit/test_ingest_helpers.GOOD are dated
in FY2026-Q1, so the spine is FY2026-Q1 and FY2026-Q2.
"""

from __future__ import annotations

import dataclasses
import re

import polars as pl
import pytest

from arms_metrics.compute import loss
from arms_metrics.errors import DataError
from arms_metrics.ingest.reference import load_reference
from arms_metrics.ingest.salvage import BROKEN, CROSS_COLUMN, NAMED, VALUE_RULES
from arms_metrics.ingest.schemas import COLUMNS, build_schema, empty_parent
from arms_metrics.quarters import Quarter
from tests.unit.test_ingest_helpers import make_config, rows_for, run
from tests.unit.test_loss import (
    ACCEPTED,
    BACKLOG,
    FINAL_ACTIONS,
    OFFER_DEADLINES,
    OFFERED,
    _everywhere,
)

Q = Quarter(2026, 2)
# The LOR was complete 2025-10-01 (GOOD): a cancelled date the day before breaks
# cancelled_date_before_lor_complete_date.
CANCELLED_EARLY = {"cancelled_date": "2025-09-30"}
# A license decided 2025-11-01 with no outcome (and no approved value): it breaks
# outcome_missing_for_final_action.
NO_OUTCOME = {"outcome": "", "approved_value_usd": ""}


def _lost(tmp_path, config, table, variations):
    ingested = run(tmp_path, dataclasses.replace(config, max_quarantine_share=1.0),
                   {table: rows_for(table, variations)})  # fmt: skip
    lost = loss.measure(ingested, config, Q)
    return ingested, [(r["indicator_id"], r["period"], r["records"], r["lost"])
                      for r in lost.to_dicts()]  # fmt: skip


def test_a_cancelled_date_before_the_lor_was_complete_is_lost_everywhere(tmp_path, config):
    # two LOAs offered 2025-11-10 and accepted 2025-12-01 (FY2026-Q1); the third was
    # cancelled 2025-09-30, before its LOR was complete. Read as written, it was cancelled
    # before its offer and counts nowhere: the offers lost it with no word (tester's F1).
    # Either date may be the wrong one, and both place the document, so it cannot be placed:
    # possibly lost in every quarter of the offers and acceptances (2 kept + 1 in FY2026-Q1)
    # and of the backlog and the lapsed and expiring offers (the good two were accepted
    # before their offers' expiration: none counted, 0 + 1 in the release quarter)
    ingested, got = _lost(tmp_path, config, "fms_documents", [{}, {}, CANCELLED_EARLY])
    frame = ingested.quarantined["fms_documents"]
    assert frame[BROKEN].to_list() == [[]]
    assert frame[NAMED].to_list() == [["cancelled_date", "lor_complete_date"]]
    unplaced = _everywhere(OFFERED + ACCEPTED, 3) + _everywhere(BACKLOG + OFFER_DEADLINES, None)
    assert got == sorted(unplaced)


def test_an_outcome_missing_for_a_final_action_is_lost_from_the_final_actions(tmp_path, config):
    # three licenses received 2025-10-01 and approved 2025-11-01 (FY2026-Q1); the fourth
    # has its decision date but no outcome. Read as missing, the outcome took it out of the
    # approval rate's approvals and denials unseen (tester's F2). The outcome selects (an
    # approval, worst case) and the decision date places it (final action, or still
    # pending?): it cannot be placed in the final actions (3 kept + 1 in FY2026-Q1) or the
    # pending stock (none kept: 0 + 1 in the release quarter); its received date is valid,
    # so the received flow lost it in FY2026-Q1 only
    ingested, got = _lost(tmp_path, config, "export_licenses", [{}, {}, {}, NO_OUTCOME])
    assert ingested.quarantined["export_licenses"][NAMED].to_list() == [
        ["final_action_date", "outcome"]
    ]
    assert got == sorted(
        [("lic_applications_received", "FY2026-Q1", 4, 1)]
        + _everywhere(FINAL_ACTIONS, 4)
        + _everywhere(["lic_pending", "lic_pending_over_target"], None)
    )
    assert ("lic_approval_rate_pct", "FY2026-Q1", 4, 1) in got


def test_a_rule_between_columns_that_neither_place_nor_select_keeps_the_row(tmp_path, config):
    # three notifications of 2025-10-03 (FY2026-Q1); the second to "United Kingdom" with
    # code AE: purchaser_code_mismatch names the code and the name, which only choose a
    # breakdown, so the row still counts where its date places it (1 of 3 in FY2026-Q1)
    _, got = _lost(tmp_path, config, "congressional_notifications",
                   [{}, {"purchaser_code": "AE"}, {}])  # fmt: skip
    assert got == [
        ("cn_notifications", "FY2026-Q1", 3, 1),
        ("cn_notifications_value_usd", "FY2026-Q1", 3, 1),
    ]


def test_a_cross_column_loss_over_the_share_fails_the_run(tmp_path, config):
    # nine good documents and one cancelled before its LOR was complete (record 10, line
    # 11): the offers of FY2026-Q1 may have lost 1 of 10, and the backlog, which counts no
    # record, 1 of 1 in the release quarter, the worst share, named first
    rows = rows_for("fms_documents", [{}] * 9 + [CANCELLED_EARLY])
    ingested = run(tmp_path, dataclasses.replace(config, max_quarantine_share=1.0),
                   {"fms_documents": rows})  # fmt: skip
    with pytest.raises(DataError) as caught:
        loss.check(ingested, config, Q, tmp_path / "work")
    assert (caught.value.exit_code, caught.value.rule, caught.value.line) == (
        65,
        "indicator_loss",
        11,
    )
    message = str(caught.value)
    assert "fms_development_backlog lost 1 of its 1 records in FY2026-Q2 (100.00%)" in message
    assert "fms_loas_offered" in message.partition("(also ")[2]


def test_the_worst_case_lists_only_placing_and_selecting_columns():
    # the named columns that place or select join BROKEN (read as missing); the others
    # (a breakdown's purchaser) are left as read. An offer expiration date places the
    # expired and expiring offers (placing.PLACING)
    frame = pl.DataFrame(
        {
            "purchaser_code": ["AE"], "purchaser": ["United Kingdom"],
            "notification_date": [None], BROKEN: [["estimated_value_usd"]],
            NAMED: [["purchaser", "purchaser_code"]],
        }
    )  # fmt: skip
    out = loss.worst_case("congressional_notifications", frame)
    assert out.columns == ["purchaser_code", "purchaser", "notification_date", BROKEN]
    assert out.row(0) == ("AE", "United Kingdom", None, ["estimated_value_usd"])
    frame = pl.DataFrame(
        {"cancelled_date": ["2025-09-30"], "lor_complete_date": ["2025-10-01"],
         "offer_expiration_date": ["2026-01-10"], BROKEN: [["value_usd"]],
         NAMED: [["cancelled_date", "lor_complete_date", "offer_expiration_date"]]}
    )  # fmt: skip
    out = loss.worst_case("fms_documents", frame)
    assert out.row(0) == (
        None,
        None,
        None,
        ["cancelled_date", "lor_complete_date", "offer_expiration_date", "value_usd"],
    )


def _rules_of(table: str, config) -> set[str]:
    """Every rule a table's schema checks on the whole row (not a single column's check)."""
    reference = load_reference(config.reference_dir)
    return {check.name for check in build_schema(table, reference, empty_parent(table)).checks}


# Rules on the whole row that read one input column only (a reference lookup).
ONE_COLUMN = {
    "purchaser_code_unknown", "destination_code_unknown", "purchaser_unknown", "case_id_unknown",
    "lor_id_unknown", "lor_id_not_an_loa_request", "original_recipient_code_unknown",
    "transferee_code_unknown", "country_code_unknown",
}  # fmt: skip


@pytest.mark.parametrize("table", sorted(COLUMNS))
def test_every_rule_between_columns_is_listed(tmp_path, config, table):
    """Each rule on the whole row is listed with the columns it reads, or reads one column;
    a rule ``x_before_y`` or ``x_without_y`` names x and y; the columns exist."""
    rules = _rules_of(table, make_config(tmp_path, config))
    listed = CROSS_COLUMN[table]
    assert rules - ONE_COLUMN == set(listed)
    for rule, columns in listed.items():
        assert set(columns) <= set(COLUMNS[table]), rule
        pair = re.fullmatch(r"(\w+?)_(?:before|without)_(\w+)", rule)
        if pair:
            assert set(pair.groups()) <= set(columns), rule
        value_rule = [s for s in VALUE_RULES if rule.endswith("_" + s)]
        if value_rule:  # the column the value rule blames is among them
            assert rule.removesuffix("_" + value_rule[0]) in columns, rule
