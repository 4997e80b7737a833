"""Every validation rule, one hand-made row at a time: accepted, edge (equal dates, Sep 30,
leap day) and broken. Each table is one file; the expected rules per record are the hand
table below, written from docs/inputs.md, not from the program's output."""

from __future__ import annotations

from pathlib import Path

import pytest

from arms_metrics.ingest.load import ingest
from arms_metrics.ingest.rules import describe_rule, rule_id
from tests.unit.test_ingest_helpers import GOOD, make_config, quarantine_rules, rows_for, run

# (variation of the good row, rules the row breaks; "" = accepted)
CASES: dict[str, list[tuple[dict[str, str], str]]] = {
    "fms_lors": [
        ({}, ""),
        ({"complete_date": "2025-10-01"}, ""),  # equal to received: allowed
        ({"received_date": "2024-02-29", "complete_date": "2024-09-30"}, ""),  # leap day
        ({"received_date": "2023-02-29"}, "received_date_not_a_date"),
        ({"received_date": "2025-10-1"}, "received_date_not_a_date"),
        ({"received_date": "10/01/2025"}, "received_date_not_a_date"),
        ({"received_date": ""}, "received_date_required"),
        ({"complete_date": "2025-09-30"}, "complete_date_before_received_date"),
        ({"cancelled_date": "2025-09-30"}, "cancelled_date_before_received_date"),
        ({"purchaser_code": "ZZ"}, "purchaser_code_unknown"),
        ({"purchaser_code": "gb"}, "purchaser_code_unknown"),  # codes are exact
        ({"purchaser_code": ""}, "purchaser_code_required"),
        ({"implementing_agency": "MARINES"}, "implementing_agency_not_allowed"),
        ({"request_type": "LOR"}, "request_type_not_allowed"),
        ({"lor_id": "", "request_type": ""}, "lor_id_required;request_type_required"),
        ({"lor_id": "DUP"}, "lor_id_duplicate"),
        ({"lor_id": "DUP"}, "lor_id_duplicate"),  # both copies quarantined
        ({"lor_id": "  L99  ", "purchaser_code": " NATO "}, ""),  # whitespace stripped
        # plausible dates (issue 11): [ingest] min_date 1975-10-01 .. 10 years after the
        # latest quarter ended; the spreadsheet "zero date" and FY1901 are not events
        ({"received_date": "1899-12-31"}, "received_date_out_of_range"),
        ({"received_date": "1900-10-01"}, "received_date_out_of_range"),
        ({"received_date": "1975-09-30"}, "received_date_out_of_range"),
        ({"received_date": "1975-10-01"}, ""),
        ({"complete_date": "9999-12-31"}, "complete_date_out_of_range"),
        ({"cancelled_date": "2999-01-01"}, "cancelled_date_out_of_range"),
        # ASCII digits only: fullwidth and Arabic-Indic digits are not a date
        ({"received_date": "２０２５-10-01"}, "received_date_not_a_date"),
        ({"complete_date": "٢٠٢٥-١٠-١٥"}, "complete_date_not_a_date"),
    ],
    "fms_documents": [
        ({}, ""),
        ({"document_type": "AMENDMENT", "offered_date": "2025-10-01"}, ""),  # equal dates
        ({"development_group": ""}, "development_group_required"),
        ({"document_type": "AMENDMENT", "development_group": ""}, "development_group_required"),
        ({"development_group": "D"}, "development_group_not_allowed"),
        (
            {"document_type": "MODIFICATION", "development_group": "", "offered_date": "",
             "offer_expiration_date": "", "accepted_date": "2025-10-20",
             "implemented_date": "2025-10-01"},
            "",
        ),  # a modification needs no group, no offer; implemented on lor_complete_date
        ({"document_type": "MODIFICATION"}, "offered_date_on_modification"),
        (
            {"document_type": "MODIFICATION", "offered_date": "", "offer_expiration_date": "",
             "accepted_date": "", "implemented_date": "2025-09-30"},
            "implemented_date_before_lor_complete_date",
        ),
        ({"document_type": "ANNEX"}, "document_type_not_allowed"),
        ({"offered_date": "2025-09-30"}, "offered_date_before_lor_complete_date"),
        ({"offer_expiration_date": "2025-11-09"}, "offer_expiration_date_before_offered_date"),
        ({"accepted_date": "2025-11-09", "implemented_date": ""}, "accepted_date_before_offered_date"),  # noqa: E501
        (
            {"offered_date": "", "offer_expiration_date": ""},
            "accepted_date_without_offered_date",
        ),
        ({"implemented_date": "2025-11-30"}, "implemented_date_before_accepted_date"),
        ({"cancelled_date": "2025-09-30"}, "cancelled_date_before_lor_complete_date"),
        ({"priority_platform": "TRUE"}, ""),
        ({"priority_platform": "yes"}, "priority_platform_not_a_bool"),
        ({"priority_platform": ""}, "priority_platform_required"),
        ({"value_usd": "0"}, ""),
        ({"value_usd": "1.5e3"}, "value_usd_scientific"),  # only notifications take it
        ({"value_usd": "6.18135E+05"}, "value_usd_scientific"),  # Excel's form of 618134.97
        ({"value_usd": "１２３００００００"}, "value_usd_not_a_number"),  # fullwidth digits
        ({"value_usd": "１.２３E+09"}, "value_usd_not_a_number"),
        ({"value_usd": "١٢٣"}, "value_usd_not_a_number"),  # Arabic-Indic digits
        ({"value_usd": "1२3"}, "value_usd_not_a_number"),  # a Devanagari digit inside
        ({"anticipated_offer_date": "0001-01-01"}, "anticipated_offer_date_out_of_range"),
        ({"original_anticipated_offer_date": "2025-11-01"}, ""),  # a reset AOD: the first kept
        ({"original_anticipated_offer_date": "2025-11-31"},
         "original_anticipated_offer_date_not_a_date"),
        ({"lor_complete_date": "1899-12-31", "offered_date": "", "offer_expiration_date": "",
          "accepted_date": "", "implemented_date": ""}, "lor_complete_date_out_of_range"),
        ({"value_usd": "12.500"}, ""),  # trailing zeros lose nothing
        ({"value_usd": "12.345"}, "value_usd_precision"),
        ({"value_usd": "-1.00"}, "value_usd_negative"),
        ({"value_usd": "1,000.00"}, "value_usd_not_a_number"),
        ({"value_usd": "$5"}, "value_usd_not_a_number"),
        ({"value_usd": "NaN"}, "value_usd_not_a_number"),
        ({"value_usd": "12345678901234567"}, "value_usd_not_a_number"),  # beyond DECIMAL(18,2)
        ({"value_usd": ""}, "value_usd_required"),
    ],
    "fms_cases": [
        ({}, ""),
        ({"supply_complete_date": "", "closed_date": ""}, ""),
        ({"supply_complete_date": "2025-10-01", "closed_date": "2025-10-01"}, ""),
        ({"supply_complete_date": "2025-09-30", "closed_date": ""}, "supply_complete_date_before_implemented_date"),  # noqa: E501
        ({"closed_date": "2025-12-31"}, "closed_date_before_supply_complete_date"),
        ({"supply_complete_date": ""}, "closed_date_without_supply_complete_date"),
        ({"funding_source": "GRANT"}, "funding_source_not_allowed"),
        ({"implemented_date": ""}, "implemented_date_required"),
        ({"case_value_usd": "-0.01"}, "case_value_usd_negative"),
        ({"case_value_usd": "1.1E+06"}, "case_value_usd_scientific"),
        ({"case_value_usd": "５００"}, "case_value_usd_not_a_number"),
        ({"implemented_date": "1899-12-31"}, "implemented_date_out_of_range"),
        ({"closed_date": "2999-01-01"}, "closed_date_out_of_range"),
    ],
    "fms_deliveries": [
        ({}, ""),
        ({"delivery_date": "1900-10-01"}, "delivery_date_out_of_range"),
        ({"delivered_value_usd": "1e3"}, "delivered_value_usd_scientific"),
        ({"delivered_value_usd": "١٠"}, "delivered_value_usd_not_a_number"),
        ({"delivered_value_usd": "10.00"}, ""),
    ],
    "congressional_notifications": [
        ({}, ""),
        ({"estimated_value_usd": "1.01E+09"}, ""),  # published estimates are written so
        ({"estimated_value_usd": "6.18135E+05"}, ""),
        ({"estimated_value_usd": "１.２３E+09"}, "estimated_value_usd_not_a_number"),
        ({"estimated_value_usd": "１２３００００００"}, "estimated_value_usd_not_a_number"),
        ({"notification_date": "1899-12-31"}, "notification_date_out_of_range"),
        ({"notification_date": "9999-12-31"}, "notification_date_out_of_range"),
    ],
    "export_licenses": [
        ({}, ""),
        ({"agency": "COMMERCE", "application_type": "BIS-748P", "control_category": "9"}, ""),
        ({"final_action_date": "", "outcome": "", "approved_value_usd": ""}, ""),  # pending
        ({"final_action_date": "2025-10-01", "outcome": "DENIED", "approved_value_usd": ""}, ""),
        ({"outcome": "APPROVED_WITH_CONDITIONS"}, ""),
        ({"agency": "DEFENSE"}, "agency_not_allowed"),
        ({"agency": "COMMERCE", "control_category": "9"}, "application_type_not_allowed"),
        ({"application_type": "DSP-99"}, "application_type_not_allowed"),
        ({"control_category": "9"}, "control_category_unknown"),  # CCL category on STATE
        ({"agency": "COMMERCE", "application_type": "BIS-748P"}, "control_category_unknown"),
        ({"control_category": "XXII"}, "control_category_unknown"),
        ({"destination_code": "XX"}, "destination_code_unknown"),
        ({"final_action_date": "2025-09-30"}, "final_action_date_before_received_date"),
        ({"final_action_date": ""}, "outcome_without_final_action_date"),
        ({"outcome": "", "approved_value_usd": ""}, "outcome_missing_for_final_action"),
        ({"outcome": "DENIED"}, "approved_value_usd_not_approved"),
        ({"outcome": "GRANTED"}, "approved_value_usd_not_approved;outcome_not_allowed"),
        ({"referred": "1"}, "referred_not_a_bool"),
        ({"requested_value_usd": ""}, ""),
        ({"received_date": "1899-12-31"}, "received_date_out_of_range"),
        ({"final_action_date": "2999-12-31"},
         "final_action_date_out_of_range;outcome_without_final_action_date"),
        ({"requested_value_usd": "2.5e2"}, "requested_value_usd_scientific"),
        ({"approved_value_usd": "９０"}, "approved_value_usd_not_a_number"),
        ({"referred": "true"}, ""),
    ],
}  # fmt: skip


@pytest.mark.parametrize("table", sorted(CASES))
def test_rules_by_hand_table(tmp_path, config, table):
    variations = [change for change, _ in CASES[table]]
    expected = {n: rules for n, (_, rules) in enumerate(CASES[table], start=1) if rules}
    cfg = make_config(tmp_path, config)
    result = run(tmp_path, cfg, {table: rows_for(table, variations)})
    assert quarantine_rules(tmp_path, table) == expected
    assert result.tables[table].height == len(variations) - len(expected)


def test_deliveries_need_an_accepted_case(tmp_path, config):
    cfg = make_config(tmp_path, config)
    cases = rows_for("fms_cases", [{"case_id": "C1"}, {"case_id": "C2", "funding_source": "X"}])
    deliveries = rows_for(
        "fms_deliveries",
        [{"case_id": "C1"}, {"case_id": "C2"}, {"case_id": "C3"}, {"delivered_value_usd": "-1"}],
    )
    result = run(tmp_path, cfg, {"fms_cases": cases, "fms_deliveries": deliveries})
    # C2 is quarantined in fms_cases, so a delivery against it cannot be placed either.
    assert quarantine_rules(tmp_path, "fms_deliveries") == {
        2: "case_id_unknown",
        3: "case_id_unknown",
        4: "delivered_value_usd_negative",
    }
    assert result.summary["tables"]["fms_deliveries"]["unchecked_rules"] == []


def test_deliveries_without_cases_cannot_be_checked(tmp_path, config):
    cfg = make_config(tmp_path, config)
    result = run(tmp_path, cfg, {"fms_deliveries": rows_for("fms_deliveries", [{"case_id": "C9"}])})
    assert result.tables["fms_deliveries"].height == 1
    assert result.summary["tables"]["fms_deliveries"]["unchecked_rules"] == ["case_id_unknown"]


# LORs (GOOD: GB, received 2025-10-01): L1; L2 quarantined (request type), so it cannot be
# named; L3 a price and availability request; L4 from Korea.
# Documents (GOOD: GB, lor_complete_date 2025-10-01): an LOR is complete only once received.
DOCUMENT_LORS = [
    ({"lor_id": "L1"}, ""),  # received on the document's LOR complete date: allowed
    ({"lor_id": ""}, ""),  # the link is optional
    ({"lor_id": "L2"}, "lor_id_unknown"),
    ({"lor_id": "L9"}, "lor_id_unknown"),
    ({"lor_id": "l1"}, "lor_id_unknown"),  # ids are exact
    ({"lor_id": "L1", "lor_complete_date": "2025-09-30"},
     "lor_id_received_after_lor_complete_date"),
    ({"lor_id": "L3"}, "lor_id_not_an_loa_request"),
    ({"lor_id": "L4"}, "lor_id_of_another_purchaser"),
    ({"lor_id": "L4", "purchaser_code": "KR"}, ""),
]  # fmt: skip


def test_documents_name_an_accepted_lor(tmp_path, config):
    cfg = make_config(tmp_path, config)
    lors = rows_for("fms_lors", [
        {"lor_id": "L1"}, {"lor_id": "L2", "request_type": "X"},
        {"lor_id": "L3", "request_type": "PRICE_AND_AVAILABILITY"},
        {"lor_id": "L4", "purchaser_code": "KR"},
    ])  # fmt: skip
    documents = rows_for("fms_documents", [change for change, _ in DOCUMENT_LORS])
    result = run(tmp_path, cfg, {"fms_lors": lors, "fms_documents": documents})
    expected = {n: rules for n, (_, rules) in enumerate(DOCUMENT_LORS, start=1) if rules}
    assert quarantine_rules(tmp_path, "fms_documents") == expected
    assert result.tables["fms_documents"]["lor_id"].to_list() == ["L1", None, "L4"]
    assert result.summary["tables"]["fms_documents"]["unchecked_rules"] == []


def test_documents_without_lors_cannot_be_checked(tmp_path, config):
    cfg = make_config(tmp_path, config)
    documents = rows_for("fms_documents", [{"lor_id": "L9", "lor_complete_date": "2025-09-30"}])
    result = run(tmp_path, cfg, {"fms_documents": documents})
    assert result.tables["fms_documents"].height == 1
    assert result.summary["tables"]["fms_documents"]["unchecked_rules"] == [
        "lor_id_unknown", "lor_id_received_after_lor_complete_date", "lor_id_not_an_loa_request",
        "lor_id_of_another_purchaser",
    ]  # fmt: skip


def test_documents_from_before_0_2_have_no_lor_columns(tmp_path, config):
    cfg = make_config(tmp_path, config)
    folder = tmp_path / "input"
    folder.mkdir()
    header = [
        c for c in GOOD["fms_documents"] if c not in ("lor_id", "original_anticipated_offer_date")
    ]
    (folder / "fms_documents.csv").write_text(
        ",".join(header) + "\n" + ",".join(GOOD["fms_documents"][c] for c in header) + "\n",
        encoding="utf-8",
    )
    result = ingest(folder, cfg, tmp_path / "work")
    frame = result.tables["fms_documents"]
    assert frame.height == 1
    assert frame["lor_id"].to_list() == [None]
    assert frame["original_anticipated_offer_date"].to_list() == [None]


NOTIFICATIONS = [
    ({"purchaser": "United Kingdom"}, "", "GB"),
    ({"purchaser": "  great   BRITAIN "}, "", "GB"),  # spacing and case only
    ({"purchaser": "Korea (South)", "purchaser_code": "KR"}, "", "KR"),
    ({"purchaser": "Korea, Republic of", "authority": "AECA_36C"}, "", "KR"),
    ({"purchaser": "Britain"}, "purchaser_unknown", None),  # never guessed
    ({"purchaser": "UK", "purchaser_code": "ZZ"}, "purchaser_code_unknown", None),
    ({"purchaser": "UAE", "purchaser_code": "GB"}, "purchaser_code_mismatch", None),
    ({"purchaser": ""}, "purchaser_required", None),
    ({"authority": "AECA_38"}, "authority_not_allowed", None),
    ({"estimated_value_usd": "4030000000.0000005"}, "", "GB"),
    ({"transmittal_no": ""}, "", "GB"),
    ({"transmittal_no": ""}, "", "GB"),  # empty transmittal numbers are not duplicates
]


def test_notifications_purchaser_mapping(tmp_path, config):
    cfg = make_config(tmp_path, config)
    rows = rows_for("congressional_notifications", [change for change, _, _ in NOTIFICATIONS])
    result = run(tmp_path, cfg, {"congressional_notifications": rows})
    expected = {n: rules for n, (_, rules, _) in enumerate(NOTIFICATIONS, start=1) if rules}
    assert quarantine_rules(tmp_path, "congressional_notifications") == expected
    frame = result.tables["congressional_notifications"]
    assert frame["purchaser_code"].to_list() == [c for _, r, c in NOTIFICATIONS if not r]
    assert frame["authority"].to_list() == ["AECA_36B"] * 3 + ["AECA_36C"] + ["AECA_36B"] * 3
    # 4030000000.0000005 rounds half-even to cents: 4030000000.00
    assert str(frame["estimated_value_usd"][4]) == "4030000000.00"


def test_rule_ids_and_descriptions():
    assert rule_id("lor_id", "not_nullable") == "lor_id_required"
    assert rule_id("agency", "isin(['STATE', 'COMMERCE'])") == "agency_not_allowed"
    assert rule_id("value_usd", "greater_than_or_equal_to(0)") == "value_usd_negative"
    assert rule_id("FmsLors", "complete_date_before_received_date") == (
        "complete_date_before_received_date"
    )
    assert describe_rule("offered_date_before_lor_complete_date") == (
        "offered_date is earlier than lor_complete_date"
    )
    assert describe_rule("value_usd_precision") == "value_usd has non-zero digits beyond the cent"


def test_every_tested_rule_is_documented():
    doc = (Path(__file__).resolve().parents[2] / "docs" / "validation-rules.md").read_text()
    tested = {r for cases in CASES.values() for _, rules in cases for r in rules.split(";") if r}
    tested |= {rules for _, rules, _ in NOTIFICATIONS if rules}
    tested |= {"case_id_unknown", "delivered_value_usd_negative"}
    tested |= {rules for _, rules in DOCUMENT_LORS if rules}
    assert sorted(r for r in tested if f"`{r}`" not in doc) == []
