"""Reading CSV files (issue 11, faults 1, 4, 8, 11): every line-ending convention, every
encoding a database or spreadsheet writes, and every syntax fault blamed on its true line
and rule, in every table, column and position."""

from __future__ import annotations

import codecs
import csv
import gzip
import io
import json

import polars as pl
import pytest

from arms_metrics.errors import DataError
from arms_metrics.ingest.load import ingest
from arms_metrics.ingest.parsing import LINE, read_table
from arms_metrics.ingest.schemas import COLUMNS
from tests.unit.test_ingest_helpers import make_config, rows_for

TABLES = tuple(COLUMNS)
CN = "congressional_notifications"
LIC = "export_licenses"
ENDINGS = {"LF": "\n", "CRLF": "\r\n", "CR": "\r", "CRCRLF": "\r\r\n", "LFCR": "\n\r"}


def _field(value: str) -> str:
    if any(ch in value for ch in ',"\r\n'):
        return '"' + value.replace('"', '""') + '"'
    return value


def _text(table: str, rows: list[dict[str, str]], end: str = "\n", inner: str = "") -> str:
    """The table as CSV text: lines ended by ``end``, line breaks in values written ``inner``."""
    lines = [",".join(COLUMNS[table])]
    for row in rows:
        lines.append(",".join(_field(row[c].replace("\n", inner or end)) for c in COLUMNS[table]))
    return end.join(lines) + end


def _read(tmp_path, table: str, data: bytes, name: str = ""):
    path = tmp_path / (name or f"{table}.csv")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return read_table(table, path)


def _error(tmp_path, table: str, data: bytes) -> DataError:
    with pytest.raises(DataError) as caught:
        _read(tmp_path, table, data)
    assert caught.value.exit_code == 65 and "\n" not in str(caught.value)
    return caught.value


def _rows(table: str, n: int = 3) -> list[dict[str, str]]:
    return rows_for(table, [{}] * n)


# -- fault 1: line endings --------------------------------------------------------------------
def test_the_issue_input_cr_only_is_read(tmp_path, config):
    header = ",".join(COLUMNS["fms_lors"])
    data = f"{header}\rLOR-1,KR,NAVY,LOA,2026-01-05,,\r".encode()
    raw = _read(tmp_path, "fms_lors", data)
    assert raw.frame.select("lor_id", "purchaser_code", LINE).rows() == [("LOR-1", "KR", 2)]
    assert (raw.lines.physical, raw.lines.records, raw.lines.blank_at_end) == (2, 1, 0)


@pytest.mark.parametrize("table", TABLES)
@pytest.mark.parametrize("ending", ENDINGS)
@pytest.mark.parametrize("final", [True, False], ids=["ended", "unended"])
@pytest.mark.parametrize("bom", [b"", codecs.BOM_UTF8], ids=["nobom", "bom"])
def test_every_line_ending_reads_as_lf(tmp_path, table, ending, final, bom):
    rows = _rows(table)
    reference = _read(tmp_path / "lf", table, _text(table, rows).encode())
    text = _text(table, rows, ENDINGS[ending])
    if not final:
        text = text.removesuffix(ENDINGS[ending])
    raw = _read(tmp_path / ending, table, bom + text.encode())
    assert raw.frame.equals(reference.frame)
    assert raw.frame[LINE].to_list() == [2, 3, 4]
    assert raw.lines == reference.lines


@pytest.mark.parametrize(
    ("end", "inner"),
    [
        ("\n", "\n"),
        ("\r\n", "\n"),
        ("\r\n", "\r\n"),
        ("\r", "\r"),
        ("\r", "\n"),
        ("\r\r\n", "\r\n"),
    ],
    ids=["lf", "excel-windows", "crlf-crlf", "excel-mac", "cr-lf", "crcrlf"],
)
def test_line_breaks_in_descriptions_under_every_convention(tmp_path, end, inner):
    rows = rows_for(CN, [{"description": "two\nlines"}, {}, {"description": "a\nb\nc"}, {}])
    raw = _read(tmp_path, CN, _text(CN, rows, end, inner).encode())
    # header line 1; record 1 on lines 2-3, record 2 on 4, record 3 on 5-7, record 4 on 8
    assert raw.frame[LINE].to_list() == [2, 4, 5, 8]
    assert raw.frame["description"].to_list() == ["two\nlines", "F-35 aircraft", "a\nb\nc"] + [
        "F-35 aircraft"
    ]
    assert (raw.lines.physical, raw.lines.records, raw.lines.blank_at_end) == (8, 7, 0)


@pytest.mark.parametrize("table", TABLES)
def test_a_mixed_file_is_read_line_by_line(tmp_path, table):
    lf = _text(table, _rows(table, 4))
    lines = lf.split("\n")
    mixed = lines[0] + "\r\n" + lines[1] + "\n" + lines[2] + "\r" + lines[3] + "\r\n" + lines[4]
    raw = _read(tmp_path, table, mixed.encode())
    assert raw.frame.equals(_read(tmp_path / "lf", table, lf.encode()).frame)


@pytest.mark.parametrize("table", TABLES)
@pytest.mark.parametrize("row", [1, 2, 3])
def test_a_stray_cr_inside_a_row_is_named(tmp_path, table, row):
    lines = _text(table, _rows(table)).split("\n")
    cut = lines[row].index(",") + 1
    lines[row] = lines[row][:cut] + "\r" + lines[row][cut:]
    error = _error(tmp_path, table, "\n".join(lines).encode())
    assert (error.rule, error.line) == ("ragged_row", row + 1)
    assert error.detail.startswith("record has 2 fields, the header has")  # "A1," then "\r"
    assert error.detail.endswith("(the file mixes line endings: 4 LF, 1 lone CR)")


# -- fault 11: encodings and bytes that are not CSV text --------------------------------------
@pytest.mark.parametrize("table", TABLES)
@pytest.mark.parametrize(
    ("codec", "bom", "words"),
    [
        ("utf-16-le", b"", "UTF-16LE text without a byte-order mark"),
        ("utf-16-be", b"", "UTF-16BE text without a byte-order mark"),
        ("utf-16-le", codecs.BOM_UTF16_LE, "UTF-16LE text (with a byte-order mark)"),
        ("utf-16-be", codecs.BOM_UTF16_BE, "UTF-16BE text (with a byte-order mark)"),
        ("utf-32-le", codecs.BOM_UTF32_LE, "UTF-32LE text (with a byte-order mark)"),
        ("utf-32-be", codecs.BOM_UTF32_BE, "UTF-32BE text (with a byte-order mark)"),
    ],
)
def test_utf16_and_utf32_are_refused_naming_the_encoding(tmp_path, table, codec, bom, words):
    data = bom + _text(table, _rows(table), "\r\n").encode(codec)
    error = _error(tmp_path, table, data)
    assert (error.rule, error.line) == ("not_utf8", 1)
    assert error.detail == f"{words}, not UTF-8: export it as UTF-8"


def test_utf32_without_bom_is_refused_as_binary(tmp_path):
    error = _error(tmp_path, LIC, _text(LIC, _rows(LIC)).encode("utf-32-le"))
    assert (error.rule, error.line) == ("nul_byte", 1)


@pytest.mark.parametrize("table", TABLES)
@pytest.mark.parametrize("row", [1, 2, 3])
def test_a_nul_byte_is_refused_at_its_line(tmp_path, table, row):
    lines = _text(table, _rows(table)).split("\n")
    lines[row] = lines[row][:4] + "\x00" + lines[row][4:]
    error = _error(tmp_path, table, "\n".join(lines).encode())
    assert (error.rule, error.line) == ("nul_byte", row + 1)


@pytest.mark.parametrize("table", TABLES)
@pytest.mark.parametrize("row", [1, 2, 3])
def test_windows_1252_bytes_are_refused_at_their_line(tmp_path, table, row):
    lines = _text(table, _rows(table), "\r\n").split("\r\n")
    lines[row] = lines[row] + " Caf\xe9"  # the last column, in Windows-1252
    error = _error(tmp_path, table, "\r\n".join(lines).encode("cp1252"))
    assert (error.rule, error.line, error.detail) == (
        "not_utf8",
        row + 1,
        "bytes that are not UTF-8",
    )


@pytest.mark.parametrize(
    ("make", "words"),
    [
        (lambda text: gzip.compress(text), "a gzip file"),
        (lambda text: b"PAR1" + text, "a parquet file"),
        (lambda text: b"PK\x03\x04" + text, "a zip archive (an Excel .xlsx workbook?)"),
        (lambda text: b"\xd0\xcf\x11\xe0" + text, "an Excel 97-2003 workbook"),
    ],
)
def test_other_formats_named_csv_are_named(tmp_path, make, words):
    error = _error(tmp_path, "fms_cases", make(_text("fms_cases", _rows("fms_cases")).encode()))
    assert error.rule == "not_csv" and error.detail.startswith(words)


def test_content_is_never_echoed_from_a_file_that_is_not_a_table(tmp_path):
    secret = "root:x:0:0:TOPSECRET:/root:/bin/bash\ndaemon:x:1:1::/:/sbin/nologin\n"
    error = _error(tmp_path, "fms_lors", secret.encode())
    assert error.rule == "missing_column" and "TOPSECRET" not in str(error)
    assert "names none of the columns of fms_lors" in str(error)
    header = ",".join(COLUMNS["fms_lors"]).replace("cancelled_date", "<script>x</script>")
    error = _error(tmp_path, "fms_lors", f"{header}\nL1,GB,ARMY,LOA,2025-10-01,,\n".encode())
    assert "required column cancelled_date is missing" in str(error)
    assert "script" not in str(error) and "not a column name" in str(error)


@pytest.mark.parametrize("table", TABLES)
@pytest.mark.parametrize(
    ("separator", "called"), [(";", "semicolons"), ("\t", "tabs"), ("|", "vertical bars")]
)
def test_a_file_separated_otherwise_is_named(tmp_path, table, separator, called):
    data = _text(table, _rows(table), "\r\n").replace(",", separator).encode()
    error = _error(tmp_path, table, data)
    assert (error.rule, error.line) == ("not_comma_separated", 1)
    assert error.detail == f"the columns are separated by {called}, not commas: export it as CSV"


@pytest.mark.parametrize("table", TABLES)
def test_a_spreadsheet_sep_line_and_a_trailing_comma_are_named(tmp_path, table):
    error = _error(tmp_path, table, ("sep=,\r\n" + _text(table, _rows(table), "\r\n")).encode())
    assert (error.rule, error.line) == ("sep_line", 1)
    text = _text(table, _rows(table)).replace("\n", ",\n")
    error = _error(tmp_path, table, text.encode())
    assert (error.rule, error.line) == ("unexpected_column", 1)
    assert error.detail == "unexpected column '' (an empty name: a comma at the end of the header?)"


# -- faults 4 and 8: syntax faults on their true line ------------------------------------------
def _broken(table: str, row: int, column: str, cell: str, n: int = 5) -> tuple[bytes, int]:
    """``n`` good rows with one cell written raw (unquoted by the writer); its line."""
    lines = _text(table, _rows(table, n)).split("\n")
    fields = next(csv.reader([lines[row]]))
    fields[list(COLUMNS[table]).index(column)] = "\0"
    raw = ",".join(fields).replace("\0", cell)
    lines[row] = raw
    return "\n".join(lines).encode(), row + 1


CELLS = [(t, c) for t in TABLES for c in COLUMNS[t]]


@pytest.mark.parametrize(("table", "column"), CELLS)
@pytest.mark.parametrize("row", [1, 3, 5])
def test_an_unclosed_quote_is_an_error_where_it_opened(tmp_path, table, column, row):
    data, line = _broken(table, row, column, '"X1')
    error = _error(tmp_path, table, data)
    assert (error.rule, error.line) == ("unclosed_quote", line)
    assert f"the quote that opens column {column} here" in error.detail


@pytest.mark.parametrize(("table", "column"), CELLS)
@pytest.mark.parametrize("row", [1, 3])
def test_an_unclosed_quote_closed_by_a_later_quote_is_still_blamed_where_it_opened(
    tmp_path, table, column, row
):
    data, line = _broken(table, row, column, '"X1')
    lines = data.decode().split("\n")
    last = list(COLUMNS[table])[-1]
    fields = next(csv.reader([lines[5]]))
    fields[-1] = '"' + fields[-1] + '"'  # a well-formed quoted field four lines on
    lines[5] = ",".join(fields)
    error = _error(tmp_path, table, "\n".join(lines).encode())
    assert (error.rule, error.line) == ("unclosed_quote", line), last


def test_the_issue_inputs_stray_quotes_no_longer_swallow_records(tmp_path):
    rows = rows_for(CN, [{}, {}, {}])
    lines = _text(CN, rows).split("\n")
    lines[1] = lines[1].replace("F-35 aircraft", '"C-17A Globemaster-3 heavy transport aircraft')
    error = _error(tmp_path, CN, "\n".join(lines).encode())
    assert (error.rule, error.line) == ("unclosed_quote", 2)
    lines = _text(LIC, _rows(LIC, 40)).split("\n")
    lines[20] = lines[20].removesuffix("false") + '"true'
    lines[33] = lines[33].removesuffix("false") + '"false"'
    error = _error(tmp_path, LIC, "\n".join(lines).encode())
    assert (error.rule, error.line) == ("unclosed_quote", 21)
    assert "runs to line 34" in error.detail


@pytest.mark.parametrize(("table", "column"), [(t, c) for t, c in CELLS if t != CN])
def test_a_line_break_outside_free_text_is_an_error(tmp_path, table, column):
    data, line = _broken(table, 2, column, '"X\nY"')
    error = _error(tmp_path, table, data)
    assert (error.rule, error.line) == ("line_break_in_field", line)
    assert "line breaks are allowed only in no column of this table" in error.detail


@pytest.mark.parametrize(
    "column", [c for c in COLUMNS[CN] if c not in ("description", "purchaser")]
)
def test_a_line_break_in_a_notification_code_column_is_an_error(tmp_path, column):
    data, line = _broken(CN, 3, column, '"X\nY"')
    error = _error(tmp_path, CN, data)
    assert (error.rule, error.line) == ("line_break_in_field", line)
    assert "line breaks are allowed only in description, purchaser" in error.detail


@pytest.mark.parametrize("column", ["description", "purchaser"])
def test_a_line_break_in_free_text_is_read(tmp_path, column):
    data, _ = _broken(CN, 2, column, '"United\nKingdom"')
    raw = _read(tmp_path, CN, data)
    assert raw.frame[column][1] == "United\nKingdom"
    assert raw.frame[LINE].to_list() == [2, 3, 5, 6, 7]


@pytest.mark.parametrize(("table", "column"), CELLS)
def test_text_after_a_closing_quote_is_an_error_on_its_line(tmp_path, table, column):
    data, line = _broken(table, 4, column, '"X"Y')
    error = _error(tmp_path, table, data)
    assert (error.rule, error.line) == ("text_after_quote", line)
    assert f"in column {column} a closing quote is followed by text" in error.detail


@pytest.mark.parametrize("table", TABLES)
@pytest.mark.parametrize("row", [1, 3, 5])
@pytest.mark.parametrize("change", ["extra", "missing"])
def test_a_ragged_row_after_quoted_and_long_fields_is_blamed_on_its_line(
    tmp_path, table, row, change
):
    """Quoted fields longer than Python's default field limit (131,072 characters), over
    30,000 lines each in the notifications' free text, before the broken row."""
    column = "description" if table == CN else next(iter(COLUMNS[table]))
    piece = 'x, "y"\n' if table == CN else 'x, "y" '
    rows = rows_for(table, [{column: piece * 30_000} for _ in range(5)])
    per_row = 30_001 if table == CN else 1  # physical lines per record
    lines = _text(table, rows).split("\n")
    last = row * per_row  # index of the row's last physical line (the header is index 0)
    lines[last] = lines[last] + ",extra" if change == "extra" else lines[last].rsplit(",", 1)[0]
    error = _error(tmp_path, table, "\n".join(lines).encode())
    assert (error.rule, error.line) == ("ragged_row", 2 + (row - 1) * per_row)


def test_a_record_larger_than_the_fast_readers_block_is_read(tmp_path):
    rows = rows_for(CN, [{}, {"description": "y" * 17_000_000}, {}])
    raw = _read(tmp_path, CN, _text(CN, rows, "\r\n").encode())
    assert raw.frame["description"].str.len_chars().to_list() == [13, 17_000_000, 13]
    assert raw.frame[LINE].to_list() == [2, 3, 4]


@pytest.mark.parametrize("table", TABLES)
def test_every_field_quoted_reads_as_unquoted(tmp_path, table):
    rows = _rows(table)
    out = io.StringIO(newline="")
    writer = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    writer.writerow(COLUMNS[table])
    writer.writerows([[r[c] for c in COLUMNS[table]] for r in rows])
    quoted = _read(tmp_path / "q", table, out.getvalue().encode())
    assert quoted.frame.equals(_read(tmp_path, table, _text(table, rows).encode()).frame)


def test_the_summary_accounts_for_every_physical_line(tmp_path, config):
    rows = rows_for(CN, [{"description": "two\nlines"}, {}, {"purchaser": "Atlantis"}])
    data = _text(CN, rows, "\r\n", "\n").encode() + b"\r\n\r\n"
    folder = tmp_path / "input"
    folder.mkdir()
    (folder / f"{CN}.csv").write_bytes(data)
    ingest(folder, make_config(tmp_path, config), tmp_path / "work")
    info = json.loads((tmp_path / "work/validation/summary.json").read_text())["tables"][CN]
    # lines: 1 header, 2-3 record 1, 4 record 2, 5 record 3, 6 and 7 blank
    assert (info["physical_lines"], info["record_lines"], info["blank_lines_at_end"]) == (7, 4, 2)
    assert (info["read"], info["accepted"], info["quarantined"]) == (3, 2, 1)
    report = (tmp_path / "work/validation/report.html").read_text(encoding="utf-8")
    assert "7 lines = 1 header + 4 record lines + 2 blank lines at the end." in report


def test_parquet_has_no_lines(tmp_path, config):
    folder = tmp_path / "input"
    folder.mkdir()
    pl.DataFrame({c: [v] for c, v in _rows("fms_deliveries", 1)[0].items()}).write_parquet(
        folder / "fms_deliveries.parquet"
    )
    result = ingest(folder, make_config(tmp_path, config), tmp_path / "work")
    info = result.summary["tables"]["fms_deliveries"]
    assert (info["physical_lines"], info["record_lines"], info["blank_lines_at_end"]) == (
        None,
        None,
        None,
    )


# -- a stray quote in a free-text column that swallows whole records (tester's F1) ------------


def _swallowing(columns: list[str], column: str, row: int, later: int, n: int = 5) -> bytes:
    """``n`` notifications in ``columns`` order; ``column`` opens a quote on record ``row``
    that the same column of record ``later`` closes: the records between are swallowed."""
    rows = rows_for(CN, [{}] * n)
    rows[row - 1][column] = '"Stray ' + rows[row - 1][column]
    rows[later - 1][column] = rows[later - 1][column] + '"'
    lines = [",".join(columns)] + [",".join(r[c] for c in columns) for r in rows]
    return ("\n".join(lines) + "\n").encode()


@pytest.mark.parametrize("column", ["description", "purchaser"])
@pytest.mark.parametrize(("row", "later"), [(1, 2), (1, 3), (2, 5), (4, 5)])
@pytest.mark.parametrize("order", ["file", "reversed"])
def test_a_stray_quote_that_swallows_records_is_an_unclosed_quote(
    tmp_path, column, row, later, order
):
    columns = list(COLUMNS[CN])[:: 1 if order == "file" else -1]
    error = _error(tmp_path, CN, _swallowing(columns, column, row, later))
    # record k is on line k + 1; the first swallowed record is on the line after the quote
    assert (error.rule, error.line) == ("unclosed_quote", row + 1)
    assert f"opens column {column} here is never closed: it swallows line {row + 2}," in (
        error.detail
    )


def test_the_testers_input_no_longer_loses_a_notification(tmp_path):
    data = (
        b"transmittal_no,notification_date,purchaser,purchaser_code,authority,description,"
        b"estimated_value_usd\n"
        b'17-01,2017-03-27,Ukraine,,AECA_36B,"C-17A heavy transport aircraft,112000000\n'
        b'17-02,2017-05-15,Kuwait,KW,AECA_36B,MK 45 naval gun 5",419000000\n'
        b"17-03,2017-05-16,Kuwait,KW,AECA_36B,Tanks,5000000\n"
    )
    error = _error(tmp_path, CN, data)
    assert (error.rule, error.line) == ("unclosed_quote", 2)


@pytest.mark.parametrize(
    "text",
    [
        "Line one, with a comma\nline two, with, three commas",
        "One\n,,,\nthree",  # a line of commas, short of a record (7 fields)
        "A\n\nB, C",
        'He said "go"\nthen, stopped',  # written with doubled quotes
    ],
)
def test_multi_line_descriptions_that_are_not_records_are_read(tmp_path, text):
    rows = rows_for(CN, [{}, {"description": text}, {}])
    raw = _read(tmp_path, CN, _text(CN, rows).encode())
    assert raw.frame["description"][1] == text
    assert raw.frame[LINE].to_list() == [2, 3, 4 + text.count("\n")]


# -- the last line: spaces only, or DOS's end-of-file mark ------------------------------------


@pytest.mark.parametrize("table", TABLES)
@pytest.mark.parametrize(
    ("tail", "blank"),
    [("   \n", 1), ("\t", 1), (" \n \n", 2), (",,,\n", 1), ("\x1a", 1), ("\x1a\n", 1),
     ("\n\x1a", 2), ("\x1a\r\n", 1), (" \n\x1a\n", 2)],
)  # fmt: skip
def test_a_last_line_of_spaces_or_ctrl_z_is_not_a_record(tmp_path, table, tail, blank):
    # a last line holding only Ctrl-Z is a physical line like a blank one (tester's F4):
    # physical_lines is what an editor counts (the lines ended by LF, plus an unended one)
    text = _text(table, _rows(table, 2)) + tail.replace(",,,", "," * (len(COLUMNS[table]) - 1))
    raw = _read(tmp_path, table, text.encode())
    assert raw.frame.height == 2
    assert (raw.lines.records, raw.lines.blank_at_end) == (2, blank)
    editor = text.count("\n") + (0 if text.endswith("\n") else 1)
    assert raw.lines.physical == editor == 1 + 2 + blank


@pytest.mark.parametrize("tail", ["\x1a", "\x1a\n"])
def test_ctrl_z_at_the_end_of_the_last_record_is_no_line(tmp_path, tail):
    # the mark ends the last record's line itself: no line of its own, nothing to count
    text = _text("fms_lors", _rows("fms_lors", 2)).removesuffix("\n") + tail
    raw = _read(tmp_path, "fms_lors", text.encode())
    assert raw.frame.height == 2
    assert (raw.lines.physical, raw.lines.records, raw.lines.blank_at_end) == (3, 2, 0)


@pytest.mark.parametrize("table", TABLES)
def test_a_line_of_spaces_inside_the_data_is_an_empty_record(tmp_path, table, config):
    lines = _text(table, _rows(table, 3)).split("\n")
    lines.insert(2, "   ")
    raw = _read(tmp_path, table, "\n".join(lines).encode())
    assert raw.frame.height == 4 and raw.frame[LINE].to_list() == [2, 3, 4, 5]
    assert all(raw.frame[c][1] == "" for c in COLUMNS[table])  # as a line of commas reads


@pytest.mark.parametrize("table", TABLES)
def test_parquet_header_errors_name_no_line(tmp_path, table):
    import pyarrow as pa
    import pyarrow.parquet as pq

    columns = {c: pa.array(["x"]) for c in COLUMNS[table]}
    columns["extra"] = pa.array(["x"])
    pq.write_table(pa.table(columns), tmp_path / f"{table}.parquet")
    with pytest.raises(DataError) as caught:
        read_table(table, tmp_path / f"{table}.parquet")
    assert (caught.value.rule, caught.value.line) == ("unexpected_column", None)
    assert str(caught.value).startswith(f"{table}.parquet: unexpected_column: ")
