"""The two oversight tables, one hand-made row at a time: third-party transfer requests
(tpt_requests) and end-use monitoring checks (eum_checks). Accepted, edge (a final action
or completion on the day of receipt or initiation, a leap day) and broken rows; the
expected rules per record are the hand tables below, written from docs/inputs.md, not
from the program's output.

The good rows (tests/unit/test_ingest_helpers.py): a request through FMS from GB to KR, a
RETRANSFER received 2025-10-01 and APPROVED 2025-11-01, no notification to Congress; a
ROUTINE Golden Sentry check in AE initiated 2025-10-01, FAVORABLE on 2025-10-20. The tiny
purchasers reference holds AE, GB, KR and NATO (alpha-3 ARE, GBR, KOR)."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest

from arms_metrics.compute.loss import worst_case
from arms_metrics.config import TABLES
from arms_metrics.errors import ConfigError, DataError
from arms_metrics.extract import read_extract
from arms_metrics.ingest.load import ingest
from arms_metrics.ingest.salvage import BROKEN
from arms_metrics.pipeline import _coverage
from arms_metrics.quarters import Quarter
from tests.unit.test_ingest_helpers import (
    GOOD,
    make_config,
    quarantine_rules,
    rows_for,
    run,
    write_table,
)

TPT, EUM = "tpt_requests", "eum_checks"

# (variation of the good row, rules the row breaks, sorted and ';'-joined; "" = accepted)
CASES: dict[str, list[tuple[dict[str, str], str]]] = {
    TPT: [
        ({}, ""),  # 1
        ({"final_action_date": "2025-10-01"}, ""),  # 2 final action on the day received
        ({"final_action_date": "", "outcome": ""}, ""),  # 3 pending: both empty
        ({"channel": "DCS", "transfer_type": "REEXPORT", "outcome": "DENIED"}, ""),  # 4
        ({"transfer_type": "CHANGE_OF_END_USE", "outcome": "RETURNED_WITHOUT_ACTION",
          "congressional_notification": "TRUE"}, ""),  # 5 booleans in any case
        ({"transfer_type": "TEMPORARY", "outcome": "WITHDRAWN", "transferee_code": "NATO"},
         ""),  # 6
        ({"transferee_code": "GB"}, ""),  # 7 a change within the recipient: no rule against it
        ({"received_date": "2024-02-29", "final_action_date": "2024-02-29"}, ""),  # 8 leap day
        ({"final_action_date": "2025-09-30"}, "final_action_date_before_received_date"),  # 9
        ({"received_date": "2025-11-02"}, "final_action_date_before_received_date"),  # 10
        ({"final_action_date": ""}, "outcome_without_final_action_date"),  # 11 APPROVED, no date
        ({"final_action_date": "", "outcome": "DENIED"},
         "outcome_without_final_action_date"),  # 12
        ({"outcome": ""}, "outcome_missing_for_final_action"),  # 13 dated 2025-11-01, no outcome
        ({"outcome": "APPROVED_WITH_CONDITIONS"}, "outcome_not_allowed"),  # 14 a license outcome
        ({"channel": "DSCA"}, "channel_not_allowed"),  # 15
        ({"channel": ""}, "channel_required"),  # 16
        ({"transfer_type": "SALE"}, "transfer_type_not_allowed"),  # 17
        ({"transfer_type": ""}, "transfer_type_required"),  # 18
        ({"original_recipient_code": "ZZ"}, "original_recipient_code_unknown"),  # 19
        ({"transferee_code": "kr"}, "transferee_code_unknown"),  # 20 codes are exact
        ({"transferee_code": "KOR"}, "transferee_code_unknown"),  # 21 alpha-3 is not the code
        ({"transferee_code": ""}, "transferee_code_required"),  # 22
        ({"original_recipient_code": "", "transferee_code": "XX"},
         "original_recipient_code_required;transferee_code_unknown"),  # 23
        ({"received_date": ""}, "received_date_required"),  # 24
        ({"received_date": "2025-02-29"}, "received_date_not_a_date"),  # 25 2025 is no leap year
        # [ingest] min_date is 1975-10-01; an out-of-range date reads as missing, so a final
        # action out of range also leaves its outcome without a date
        ({"received_date": "1975-09-30"}, "received_date_out_of_range"),  # 26
        ({"final_action_date": "2999-01-01"},
         "final_action_date_out_of_range;outcome_without_final_action_date"),  # 27
        ({"congressional_notification": "yes"}, "congressional_notification_not_a_bool"),  # 28
        ({"congressional_notification": ""}, "congressional_notification_required"),  # 29
        ({"request_id": ""}, "request_id_required"),  # 30
        ({"request_id": "DUP"}, "request_id_duplicate"),  # 31
        ({"request_id": "DUP"}, "request_id_duplicate"),  # 32 both copies quarantined
    ],
    EUM: [
        ({}, ""),  # 1
        ({"completed_date": "2025-10-01"}, ""),  # 2 completed on the day initiated
        ({"completed_date": "", "result": ""}, ""),  # 3 open: both empty
        ({"program": "BLUE_LANTERN", "check_type": "PRE_LICENSE", "result": "UNFAVORABLE"},
         ""),  # 4
        ({"program": "BIS_END_USE", "check_type": "POST_SHIPMENT", "result": "UNVERIFIED",
          "country_code": "NATO"}, ""),  # 5
        ({"check_type": "ENHANCED"}, ""),  # 6
        ({"initiated_date": "2024-02-29", "completed_date": "2024-02-29"}, ""),  # 7 leap day
        ({"completed_date": "2025-09-30"}, "completed_date_before_initiated_date"),  # 8
        ({"completed_date": ""}, "result_without_completed_date"),  # 9 FAVORABLE, no date
        ({"result": ""}, "result_missing_for_completed_check"),  # 10 completed, no result
        ({"result": "NEGATIVE"}, "result_not_allowed"),  # 11
        ({"program": "GOLDEN SENTRY"}, "program_not_allowed"),  # 12 a space, not _
        ({"program": ""}, "program_required"),  # 13
        ({"check_type": "ROUTINE_CHECK"}, "check_type_not_allowed"),  # 14
        ({"check_type": ""}, "check_type_required"),  # 15
        ({"country_code": "ARE"}, "country_code_unknown"),  # 16 alpha-3 is not the code
        ({"country_code": ""}, "country_code_required"),  # 17
        ({"initiated_date": ""}, "initiated_date_required"),  # 18
        ({"initiated_date": "10/01/2025"}, "initiated_date_not_a_date"),  # 19
        ({"initiated_date": "1899-12-31"}, "initiated_date_out_of_range"),  # 20
        ({"completed_date": "2025-10-32"},
         "completed_date_not_a_date;result_without_completed_date"),  # 21
        ({"check_id": ""}, "check_id_required"),  # 22
        ({"check_id": "DUP"}, "check_id_duplicate"),  # 23
        ({"check_id": "DUP"}, "check_id_duplicate"),  # 24
    ],
}  # fmt: skip

# Counted by hand from the tables above: rows read, accepted, quarantined, and per rule.
COUNTS = {
    TPT: (32, 8, 24),  # records 1-8 accepted
    EUM: (24, 7, 17),  # records 1-7 accepted
}
BY_RULE = {
    TPT: {
        "final_action_date_before_received_date": 2, "outcome_without_final_action_date": 3,
        "outcome_missing_for_final_action": 1, "outcome_not_allowed": 1,
        "channel_not_allowed": 1, "channel_required": 1, "transfer_type_not_allowed": 1,
        "transfer_type_required": 1, "original_recipient_code_unknown": 1,
        "transferee_code_unknown": 3, "transferee_code_required": 1,
        "original_recipient_code_required": 1, "received_date_required": 1,
        "received_date_not_a_date": 1, "received_date_out_of_range": 1,
        "final_action_date_out_of_range": 1, "congressional_notification_not_a_bool": 1,
        "congressional_notification_required": 1, "request_id_required": 1,
        "request_id_duplicate": 2,
    },
    EUM: {
        "completed_date_before_initiated_date": 1, "result_without_completed_date": 2,
        "result_missing_for_completed_check": 1, "result_not_allowed": 1,
        "program_not_allowed": 1, "program_required": 1, "check_type_not_allowed": 1,
        "check_type_required": 1, "country_code_unknown": 1, "country_code_required": 1,
        "initiated_date_required": 1, "initiated_date_not_a_date": 1,
        "initiated_date_out_of_range": 1, "completed_date_not_a_date": 1,
        "check_id_required": 1, "check_id_duplicate": 2,
    },
}  # fmt: skip


def _cases(table: str) -> list[dict[str, str]]:
    return rows_for(table, [change for change, _ in CASES[table]])


@pytest.mark.parametrize("table", [TPT, EUM])
def test_rules_by_hand_table(tmp_path, config, table):
    result = run(tmp_path, make_config(tmp_path, config), {table: _cases(table)})
    expected = {n: rules for n, (_, rules) in enumerate(CASES[table], start=1) if rules}
    assert quarantine_rules(tmp_path, table) == expected
    assert result.tables[table].height == COUNTS[table][1]


@pytest.mark.parametrize("table", [TPT, EUM])
def test_rows_read_are_accepted_plus_quarantined(tmp_path, config, table):
    run(tmp_path, make_config(tmp_path, config), {table: _cases(table)})
    path = tmp_path / "work" / "validation" / "summary.json"
    info = json.loads(path.read_text(encoding="utf-8"))["tables"][table]
    read, accepted, quarantined = COUNTS[table]
    assert (info["read"], info["accepted"], info["quarantined"]) == (read, accepted, quarantined)
    assert info["read"] == info["accepted"] + info["quarantined"]
    assert info["by_rule"] == BY_RULE[table]
    assert info["unchecked_rules"] == []  # neither table names a record of another


def test_the_quarantine_names_file_record_and_line(tmp_path, config):
    # record 9 of the hand table (final action 2025-09-30, received 2025-10-01): line 10,
    # the header being line 1; the cells are kept as read
    run(tmp_path, make_config(tmp_path, config), {TPT: _cases(TPT)})
    frame = pl.read_csv(tmp_path / "work" / "quarantine" / f"{TPT}.csv", infer_schema=False)
    row = frame.filter(pl.col("record") == "9").row(0, named=True)
    assert (row["source_file"], row["line"]) == (f"{TPT}.csv", "10")
    assert row["rules"] == "final_action_date_before_received_date"
    assert (row["request_id"], row["final_action_date"]) == ("TPT9", "2025-09-30")


def test_each_table_is_optional_and_the_two_go_together(tmp_path, config):
    # two good rows each, nothing else in the folder: all four accepted
    tables = {TPT: rows_for(TPT, [{}, {}]), EUM: rows_for(EUM, [{}, {}])}
    result = run(tmp_path, make_config(tmp_path, config), tables)
    assert sorted(result.tables) == [EUM, TPT]
    counts = {t: (i["read"], i["accepted"], i["quarantined"])
              for t, i in result.summary["tables"].items()}  # fmt: skip
    assert counts == {TPT: (2, 2, 0), EUM: (2, 2, 0)}


@pytest.mark.parametrize(("table", "column"), [(TPT, "transfer_type"), (EUM, "country_code")])
def test_a_missing_required_column_is_exit_65_on_one_line(tmp_path, config, table, column):
    folder = tmp_path / "input"
    folder.mkdir()
    kept = [c for c in GOOD[table] if c != column]
    text = ",".join(kept) + "\n" + ",".join(GOOD[table][c] for c in kept) + "\n"
    (folder / f"{table}.csv").write_text(text, encoding="utf-8")
    with pytest.raises(DataError) as caught:
        ingest(folder, make_config(tmp_path, config), tmp_path / "work")
    error = caught.value
    assert error.exit_code == 65 and error.rule == "missing_column"
    assert str(error) == f"{table}.csv:1: missing_column: required column {column} is missing"


def test_a_broken_date_pair_leaves_both_dates_unplaced_for_the_loss_check(tmp_path, config):
    # record 2: final action 2025-09-30 before receipt 2025-10-01; the rule cannot tell which
    # date is wrong, so the loss check reads both as broken (placing.PLACING lists both)
    rows = rows_for(TPT, [{}, {"final_action_date": "2025-09-30"}])
    result = run(tmp_path, make_config(tmp_path, config), {TPT: rows})
    lost = worst_case(TPT, result.quarantined[TPT])
    assert lost[BROKEN].to_list() == [["final_action_date", "received_date"]]
    assert lost["received_date"].to_list() == [None]
    assert lost["final_action_date"].to_list() == [None]


def _folder(tmp_path: Path, coverage: str) -> Path:
    folder = tmp_path / "input"
    write_table(folder, EUM, rows_for(EUM, [{}]))
    (folder / "extract.toml").write_text(coverage, encoding="utf-8")
    return folder


def test_a_present_table_needs_declared_coverage(tmp_path, config):
    folder = _folder(tmp_path, '[coverage]\nfms_cases = "FY2017-Q1"\n')
    extract = read_extract(folder, config.tables)
    with pytest.raises(ConfigError) as caught:
        _coverage(folder, config, extract, Quarter.parse("FY2026-Q1"))
    assert caught.value.exit_code == 78
    assert "table eum_checks has no declared coverage" in str(caught.value)


def test_coverage_of_the_new_tables_is_declared_like_the_others(tmp_path, config):
    folder = _folder(tmp_path, '[coverage]\neum_checks = "FY2020-Q1"\ntpt_requests = "FY2021-Q1"\n')
    extract = read_extract(folder, config.tables)
    got = _coverage(folder, config, extract, Quarter.parse("FY2026-Q1"))
    assert got == {EUM: Quarter.parse("FY2020-Q1")}  # only the table present
    assert extract.coverage[TPT] == Quarter.parse("FY2021-Q1")
    assert {TPT, EUM} <= set(TABLES) and {TPT, EUM} <= set(config.tables)


def test_every_new_rule_is_documented():
    doc = (Path(__file__).resolve().parents[2] / "docs" / "validation-rules.md").read_text()
    for table in (TPT, EUM):
        tested = {r for _, rules in CASES[table] for r in rules.split(";") if r}
        assert sorted(r for r in tested if f"| {table} | `{r}` |" not in doc) == []
