"""A quoted free-text field over lines whose inner line has the header's field count (issue
11, last round): read when that line is no record of the table (no date where the table's
dates are, or a key no id can be), refused when it is one (a stray quote that swallowed it)."""

from __future__ import annotations

import dataclasses

import pytest

from arms_metrics.ingest import quotes
from arms_metrics.ingest.parsing import LINE
from arms_metrics.ingest.schemas import COLUMNS
from tests.unit.test_ingest_csv import CN, LIC, _error, _field, _read, _rows, _text
from tests.unit.test_ingest_helpers import rows_for, run

SIX = [c for c in COLUMNS[CN] if c != "transmittal_no"]  # transmittal_no is optional
EQUIPMENT = "engine, radar, spares, tools, manuals, training"  # 6 fields
TEXTS = {
    # the tester's line between two others, in a file of 6 columns (it has 6 fields)
    "six_columns": (SIX, f"Support package:\n{EQUIPMENT}\nand logistics"),
    # 7 fields in a file of 7 columns, in the middle of the field
    "seven_columns": (list(COLUMNS[CN]), f"Package:\n{EQUIPMENT}, simulators\nand more"),
    # the last line of the field, with the value after it, has 7 fields
    "last_line": (list(COLUMNS[CN]), f"Package:\n{EQUIPMENT}"),
    # a date, but not where the table's date is
    "date_elsewhere": (list(COLUMNS[CN]), "Notes:\nA, B, C, D, 2025-10-03, F, G\nend"),
}


def _file(columns: list[str], rows: list[dict[str, str]]) -> bytes:
    lines = [",".join(columns)] + [",".join(_field(r[c]) for c in columns) for r in rows]
    return ("\n".join(lines) + "\n").encode()


@pytest.mark.parametrize("column", ["description", "purchaser"])
@pytest.mark.parametrize("case", sorted(TEXTS))
def test_a_record_wide_line_of_free_text_is_read(tmp_path, case, column):
    columns, text = TEXTS[case]
    rows = rows_for(CN, [{}, {column: text}, {}])
    raw = _read(tmp_path, CN, _file(columns, rows))
    assert raw.frame.height == 3
    assert raw.frame[column][1] == text
    # by hand: record 1 on line 2, record 2 on line 3 over 1 + breaks lines, then record 3
    assert raw.frame[LINE].to_list() == [2, 3, 4 + text.count("\n")]


def test_the_notifications_are_accepted(tmp_path, config):
    _, text = TEXTS["seven_columns"]
    rows = rows_for(CN, [{}, {"description": text}, {}])
    ingested = run(tmp_path, dataclasses.replace(config, max_quarantine_share=0.0), {CN: rows})
    assert ingested.summary["tables"][CN]["read"] == 3
    assert ingested.summary["tables"][CN]["accepted"] == 3
    assert ingested.tables[CN]["description"][1] == text


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("25-01,2025-10-03,United Kingdom,,,F-35,100", True),  # a notification
        (",2025-10-03,United Kingdom,,,F-35,100", True),  # its transmittal_no is optional
        (f"{EQUIPMENT}, simulators", False),  # no date
        ("25-01,10/03/2025,United Kingdom,,,F-35,100", False),  # not an ISO date
        ("25-01,,United Kingdom,,,F-35,100", False),  # notification_date is required
        ("25\u200b-01,2025-10-03,United Kingdom,,,F-35,100", False),  # no id holds U+200B
        ("25-01,2025-10-03,United Kingdom,,,F-35", False),  # one field short
    ],
)
def test_record_like_reads_the_key_and_the_dates(line, expected):
    assert quotes.record_like(CN, list(COLUMNS[CN]), line) is expected


def test_record_like_in_the_file_order_of_the_columns():
    columns = list(COLUMNS[CN])[::-1]
    assert quotes.record_like(CN, columns, "100,F-35,,,United Kingdom,2025-10-03,25-01")
    assert not quotes.record_like(CN, columns, "25-01,2025-10-03,United Kingdom,,,F-35,100")


def test_record_like_requires_a_licenses_key_and_received_date():
    columns = list(COLUMNS[LIC])
    good = "A1,STATE,DSP-5,GB,VIII,2025-10-01,2025-11-01,APPROVED,100.00,90.00,false"
    assert quotes.record_like(LIC, columns, good)
    assert not quotes.record_like(LIC, columns, good.replace("A1,", ",", 1))  # no id
    assert not quotes.record_like(LIC, columns, good.replace("2025-10-01", "soon"))


def test_the_stray_quotes_of_the_attack_are_still_refused(tmp_path):
    # an unclosed quote in a description, closed on the next line: it swallows notification
    # 17-02 (line 3), a whole record with its date where the table's date is
    data = (
        b"transmittal_no,notification_date,purchaser,purchaser_code,authority,description,"
        b"estimated_value_usd\n"
        b'17-01,2017-03-27,Ukraine,,AECA_36B,"C-17A heavy transport aircraft,112000000\n'
        b'17-02,2017-05-15,Kuwait,KW,AECA_36B,MK 45 naval gun 5",419000000\n'
        b"17-03,2017-05-16,Kuwait,KW,AECA_36B,Tanks,5000000\n"
    )
    error = _error(tmp_path, CN, data)
    assert (error.file, error.line, error.rule) == ("congressional_notifications.csv", 2,
                                                    "unclosed_quote")  # fmt: skip
    assert "it swallows line 3, which reads as a whole record" in error.detail
    # "true in the last field of export_licenses swallowing half the file
    lines = _text(LIC, _rows(LIC, 40)).split("\n")
    lines[20] = lines[20].removesuffix("false") + '"true'
    lines[33] = lines[33].removesuffix("false") + '"false"'
    error = _error(tmp_path / "lic", LIC, "\n".join(lines).encode())
    assert (error.file, error.line, error.rule) == ("export_licenses.csv", 21, "unclosed_quote")


def test_a_field_quoted_after_a_space_that_splits_is_named(tmp_path):
    """``DL-1, "AE-B,X"``: the quote after the space opens no quoted field, so the comma
    inside splits the field: a ragged row (5 fields) that says why."""
    data = (
        b"delivery_id,case_id,delivery_date,delivered_value_usd\n"
        b'DL-1, "AE-B,X",2025-11-01,10.00\n'
        b"DL-2,AE-B-X,2025-11-01,10.00\n"
    )
    error = _error(tmp_path, "fms_deliveries", data)
    assert (error.line, error.rule) == (2, "ragged_row")
    assert error.detail.startswith(
        "record has 5 fields, the header has 4; the field in column case_id has a space "
        "before its opening quote"
    )


def test_the_first_broken_field_is_blamed_not_a_later_quote(tmp_path):
    # Line 2 opens a quote in application_id that closes on line 3 (after the doubled
    # quote there); line 3 then opens another quote that never closes. The first fault,
    # reading from the record's start, is the line break in application_id (no free text
    # in this table): line 2, not the later unclosed quote on line 3.
    header = ",".join(COLUMNS[LIC]).encode()
    data = header + b'\n"Q1,,,,,,,,,,0\n,,,,,,,,,,""","""\n'
    error = _error(tmp_path, LIC, data)
    assert (error.file, error.line, error.rule) == ("export_licenses.csv", 2, "line_break_in_field")
    assert error.detail.startswith("the quoted field that opens column application_id here runs")
