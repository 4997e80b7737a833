"""The CLI on real-world input files (issue 11): the sample re-saved as other tools save it
publishes the same figures; files that cannot be read stop the run with exit 65 (2 for a
bad --input) on one line naming the file, never echoing a file that is not an input."""

from __future__ import annotations

import codecs
import csv
import gzip
import io
import json
from pathlib import Path

from tests.conftest import SAMPLE_DATA, arms_metrics, build, declare_coverage

RESAVED = {  # table -> (file name, line ending, quote every field, BOM, gzip)
    "fms_lors": ("FMS_LORS.CSV", "\r", False, False, False),  # Excel for Mac, Windows name
    "fms_documents": ("fms_documents.csv", "\r\r\n", False, True, False),  # text-mode CRLF
    "fms_cases": ("Fms_Cases.csv.GZ", "\r\n", True, False, True),
    "fms_deliveries": ("fms_deliveries.csv", "\n\r", False, False, False),
    "congressional_notifications": ("congressional_notifications.csv", "\r\n", True, True, False),
    "export_licenses": ("EXPORT_LICENSES.csv", "\r\n", True, False, False),  # R, SQL Server
}


def _resave(source: Path, end: str, quote_all: bool, bom: bool, gz: bool) -> bytes:
    with source.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    out = io.StringIO(newline="")
    quoting = csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL
    csv.writer(out, lineterminator=end, quoting=quoting).writerows(rows)
    data = (codecs.BOM_UTF8 if bom else b"") + out.getvalue().encode("utf-8")
    return gzip.compress(data, mtime=0) if gz else data


def test_the_sample_resaved_by_other_tools_publishes_the_same_figures(sample_build, tmp_path):
    site, _ = sample_build
    folder = tmp_path / "input"
    folder.mkdir()
    for table, (name, end, quote_all, bom, gz) in RESAVED.items():
        data = _resave(SAMPLE_DATA / f"{table}.csv", end, quote_all, bom, gz)
        (folder / name).write_bytes(data)
    done, resaved_site, work = build(tmp_path, input_dir=declare_coverage(folder))
    assert done.returncode == 0, done.stderr
    figures = "data/indicators.csv"
    assert (resaved_site / figures).read_bytes() == (site / figures).read_bytes()


def _validate(folder: Path, tmp_path: Path):
    return arms_metrics("validate", "--input", str(folder), "--work", str(tmp_path / "work"))


def _one_line(done, code: int) -> str:
    assert done.returncode == code, done.stderr
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    return done.stderr


def test_the_issue_inputs_on_the_command_line(tmp_path):
    folder = tmp_path / "input"
    folder.mkdir()
    header = "lor_id,purchaser_code,implementing_agency,request_type,received_date,"
    header += "complete_date,cancelled_date"
    (folder / "fms_lors.csv").write_bytes(f"{header}\rLOR-1,KR,NAVY,LOA,2026-01-05,,\r".encode())
    done = _validate(folder, tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "validated 1 rows in 1 tables: 0 quarantined\n"
    (folder / "fms_lors.csv").unlink()
    passwd = tmp_path / "passwd"  # outside the input folder, shaped as the system's
    passwd.write_text("root:x:0:0:root:/root:/bin/bash\n")
    (folder / "fms_lors.csv").symlink_to(passwd)
    stderr = _one_line(_validate(folder, tmp_path), 65)
    assert stderr == (
        "arms-metrics: error: fms_lors.csv: outside_input: "
        "resolves to a path outside the input folder\n"
    )
    (folder / "fms_lors.csv").unlink()
    (folder / "fms_lors.csv").mkdir()
    assert "fms_lors.csv: not_a_file: a directory" in _one_line(_validate(folder, tmp_path), 65)
    (folder / "fms_lors.csv").rmdir()
    text = f"{header}\r\nLOR-1,KR,NAVY,LOA,2026-01-05,,\r\n"
    (folder / "fms_lors.csv").write_bytes(text.encode("utf-16-le"))
    stderr = _one_line(_validate(folder, tmp_path), 65)
    assert "fms_lors.csv:1: not_utf8: UTF-16LE text without a byte-order mark" in stderr


def test_input_that_is_a_file_and_an_empty_folder(tmp_path):
    readme = SAMPLE_DATA / "README.md"
    stderr = _one_line(_validate(readme, tmp_path), 2)
    assert (
        stderr
        == f"arms-metrics: error: --input {readme} is a file, not a folder: give the input folder\n"
    )
    empty = tmp_path / "empty"
    empty.mkdir()
    stderr = _one_line(_validate(empty, tmp_path), 65)
    assert stderr.startswith(f"arms-metrics: error: input folder {empty}: no_input_tables: ")
    assert ".csv, .csv.gz or .parquet" in stderr


def test_the_testers_stray_quote_in_a_description_is_exit_65(tmp_path):
    folder = tmp_path / "q1"
    folder.mkdir()
    (folder / "congressional_notifications.csv").write_bytes(
        b"transmittal_no,notification_date,purchaser,purchaser_code,authority,description,"
        b"estimated_value_usd\n"
        b'17-01,2017-03-27,Ukraine,,AECA_36B,"C-17A heavy transport aircraft,112000000\n'
        b'17-02,2017-05-15,Kuwait,KW,AECA_36B,MK 45 naval gun 5",419000000\n'
        b"17-03,2017-05-16,Kuwait,KW,AECA_36B,Tanks,5000000\n"
    )
    error = _one_line(_validate(folder, tmp_path), 65)
    assert "congressional_notifications.csv:2: unclosed_quote: " in error
    assert "it swallows line 3" in error


def _sample_rows(table: str) -> list[list[str]]:
    with (SAMPLE_DATA / f"{table}.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


def _write_rows(path: Path, rows: list[list[str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)


def test_a_description_over_lines_with_a_record_wide_line_is_read(tmp_path):
    """A valid multi-line description whose last line, with the value after it, has the
    header's 7 fields (no date where the notification date is): every notification read
    and accepted."""
    rows = _sample_rows("congressional_notifications")
    column = rows[0].index("description")
    rows[5][column] = "Support package:\nengine, radar, spares, tools, manuals, training"
    folder = tmp_path / "input"
    folder.mkdir()
    _write_rows(folder / "congressional_notifications.csv", rows)
    done = _validate(folder, tmp_path)
    assert done.returncode == 0, done.stderr
    summary = json.loads((tmp_path / "work/validation/summary.json").read_text("utf-8"))
    table = summary["tables"]["congressional_notifications"]
    assert (table["read"], table["accepted"]) == (len(rows) - 1, len(rows) - 1)


def test_a_stray_quote_in_the_last_license_field_is_exit_65(tmp_path):
    """`"true` in the last field of record 10 opens a quote that a later `"false"` closes:
    half the file would be one field. Refused at the line where it opened (record 10 is on
    line 11), naming the file and the rule."""
    lines = (SAMPLE_DATA / "export_licenses.csv").read_text("utf-8").split("\n")
    half = len(lines) // 2
    lines[10] = lines[10].rsplit(",", 1)[0] + ',"true'
    lines[half] = lines[half].rsplit(",", 1)[0] + ',"false"'
    folder = tmp_path / "input"
    folder.mkdir()
    (folder / "export_licenses.csv").write_text("\n".join(lines), "utf-8")
    error = _one_line(_validate(folder, tmp_path), 65)
    assert "export_licenses.csv:11: unclosed_quote: " in error
