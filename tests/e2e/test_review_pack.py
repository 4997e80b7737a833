"""``arms-metrics review-pack`` on sample_data: its files, its figures against the site the
same inputs build, its record lists against the input CSVs read here by hand, no record
id anywhere in the site, the same bytes twice, and its refusals."""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import shutil
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

from arms_metrics import cli
from tests.conftest import SAMPLE_DATA, SAMPLE_QUARTER, arms_metrics

END = dt.date(2026, 6, 30)  # the last day of SAMPLE_QUARTER, FY2026-Q3
PREVIOUS = "FY2026-Q2"
BANNER = "Internal: not for public release"

pytestmark = pytest.mark.slow


def _pack(quarter: str, out: Path, work: Path, site: Path):
    return arms_metrics(
        "review-pack", "--quarter", quarter, "--input", str(SAMPLE_DATA), "--out", str(out),
        "--work", str(work), "--site", str(site),
    )  # fmt: skip


@pytest.fixture(scope="module")
def packs(sample_build, tmp_path_factory) -> tuple[Path, Path]:
    """Two out folders, each holding the FY2026-Q2 pack's JSON and the FY2026-Q3 pack."""
    site, _ = sample_build
    tmp = tmp_path_factory.mktemp("review-pack")
    first, second = tmp / "first", tmp / "second"
    for quarter, out in ((PREVIOUS, first), (SAMPLE_QUARTER, first), (SAMPLE_QUARTER, second)):
        if out == second:
            second.mkdir()
            shutil.copy(first / f"review-pack-{PREVIOUS}.json", second)
        done = _pack(quarter, out, tmp / "work", site)
        assert done.returncode == 0, done.stderr
    return first, second


def _file(out: Path, suffix: str) -> Path:
    return out / f"review-pack-{SAMPLE_QUARTER}.{suffix}"


class _Tables(HTMLParser):
    """Every table of a page: its caption and its rows' cell texts; and the record-id cells."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[dict] = []
        self.ids: list[str] = []
        self._cell: list[str] | None = None
        self._is_id = False
        self._caption: list[str] | None = None

    def handle_starttag(self, tag, attrs) -> None:
        if tag == "table":
            self.tables.append({"caption": "", "rows": []})
        elif tag == "caption":
            self._caption = []
        elif tag == "tr":
            self.tables[-1]["rows"].append([])
        elif tag in ("td", "th"):
            self._cell, self._is_id = [], ("class", "record-id") in attrs

    def handle_endtag(self, tag) -> None:
        if tag == "caption" and self._caption is not None:
            self.tables[-1]["caption"], self._caption = "".join(self._caption), None
        elif tag in ("td", "th") and self._cell is not None:
            text = "".join(self._cell).strip()
            self.tables[-1]["rows"][-1].append(text)
            if self._is_id:
                self.ids.append(text)
            self._cell = None

    def handle_data(self, data) -> None:
        for part in (self._cell, self._caption):
            if part is not None:
                part.append(data)


def _parsed(out: Path) -> _Tables:
    parser = _Tables()
    parser.feed(_file(out, "html").read_text(encoding="utf-8"))
    return parser


def _table(parsed: _Tables, caption_start: str) -> dict:
    (found,) = [t for t in parsed.tables if t["caption"].startswith(caption_start)]
    return found


def _rows(name: str) -> list[dict]:
    with (SAMPLE_DATA / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _date(text: str) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


def test_writes_html_pdf_and_json_marked_internal(packs) -> None:
    out, _ = packs
    html = _file(out, "html").read_text(encoding="utf-8")
    assert html.count(BANNER) >= 3  # top, bottom and the PDF's page header and footer rule
    assert '<meta name="robots" content="noindex">' in html
    assert f"<title>Quarterly review pack, {SAMPLE_QUARTER}</title>" in html
    assert f'@top-center {{ content: "{BANNER}"' in html
    assert _file(out, "pdf").read_bytes().startswith(b"%PDF")
    summary = json.loads(_file(out, "json").read_text(encoding="utf-8"))
    assert summary["quarter"] == SAMPLE_QUARTER and summary["figures"]


def test_same_inputs_same_bytes(packs) -> None:
    first, second = packs
    for suffix in ("html", "json", "pdf"):
        assert _file(first, suffix).read_bytes() == _file(second, suffix).read_bytes(), suffix


def test_changes_since_the_previous_pack(packs) -> None:
    out, _ = packs
    html = _file(out, "html").read_text(encoding="utf-8")
    assert f"Changes are since the pack for {PREVIOUS}." in html
    assert "first pack" not in html
    before = (out / f"review-pack-{PREVIOUS}.html").read_text(encoding="utf-8")
    assert "This is the first pack" in before


def test_every_figure_the_site_publishes_is_the_same(packs, sample_build) -> None:
    site, _ = sample_build
    with (site / "data" / "indicators.csv").open(encoding="utf-8", newline="") as handle:
        published = {
            (r["indicator_id"], r["period"], r["breakdown"], r["breakdown_value"]): r
            for r in csv.DictReader(handle)
            if r["suppressed"] == "false"
        }
    figures = json.loads(_file(packs[0], "json").read_text(encoding="utf-8"))["figures"]
    compared = 0
    for figure in figures:
        key = (figure["indicator_id"], figure["period"], figure["breakdown"],
               figure["breakdown_value"])  # fmt: skip
        if key in published:
            assert (figure["value"] or "", str(figure["n"])) == (
                published[key]["value"],
                published[key]["n"],
            ), key
            compared += 1
    assert compared >= 20  # every main total is published (FMS totals are public record)


def test_expiring_offers_by_hand_and_as_published(packs, sample_build) -> None:
    expected = []
    for row in _rows("fms_documents.csv"):
        offered, expires = _date(row["offered_date"]), _date(row["offer_expiration_date"])
        accepted, cancelled = _date(row["accepted_date"]), _date(row["cancelled_date"])
        if row["document_type"] not in ("LOA", "AMENDMENT") or not offered or not expires:
            continue
        open_at_end = offered <= END and all(d is None or d > END for d in (accepted, cancelled))
        if open_at_end and 0 < (expires - END).days <= 90:
            expected.append(((expires - END).days, row["document_id"]))
    parsed = _parsed(packs[0])
    shown = []
    for low, high in ((1, 30), (31, 60), (61, 90)):
        table = _table(parsed, f"{low} to {high} days")
        shown += [(int(r[4]), r[0]) for r in table["rows"][1:] if len(r) == 5]
        assert all(low <= int(r[4]) <= high for r in table["rows"][1:] if len(r) == 5)
    assert shown == sorted(expected) and expected
    site, _ = sample_build
    with (site / "data" / "indicators.csv").open(encoding="utf-8", newline="") as handle:
        (published,) = [
            r["value"]
            for r in csv.DictReader(handle)
            if (r["indicator_id"], r["period"], r["breakdown"])
            == ("fms_offers_expiring_90_days", SAMPLE_QUARTER, "total")
        ]
    summary = json.loads(_file(packs[0], "json").read_text(encoding="utf-8"))
    assert str(summary["expiring_offers"]["total"]) == published == str(len(expected))


def test_backlogs_by_hand(packs) -> None:
    development = []
    for row in _rows("fms_documents.csv"):
        complete = _date(row["lor_complete_date"])
        resolved = [d for d in (_date(row["offered_date"]), _date(row["cancelled_date"])) if d]
        if row["document_type"] not in ("LOA", "AMENDMENT") or complete is None:
            continue
        if complete <= END and (not resolved or min(resolved) > END):
            development.append((-(END - complete).days, row["document_id"]))
    pending = []
    for row in _rows("export_licenses.csv"):
        received, decided = _date(row["received_date"]), _date(row["final_action_date"])
        if received <= END and (decided is None or decided > END):
            pending.append((-(END - received).days, row["application_id"]))
    # the sample holds both optional tables: transfer requests received and not finally
    # actioned by the quarter's end, checks initiated and not completed by it
    transfers = _open("tpt_requests.csv", "request_id", "received_date", "final_action_date")
    checks = _open("eum_checks.csv", "check_id", "initiated_date", "completed_date")
    parsed = _parsed(packs[0])
    for caption, expected, age_column in (
        ("LOA development (", development, 6),
        ("Export license applications pending", pending, 5),
        ("Third-party transfer requests pending", transfers, 6),
        ("End-use checks open", checks, 5),
    ):
        table = _table(parsed, caption)
        assert expected and table["caption"].endswith(f"oldest of {len(expected)}"), caption
        shown = [(-int(r[age_column]), r[0]) for r in table["rows"][1:]]
        assert shown == sorted(expected)[:10]


def _open(name: str, key: str, start: str, end: str) -> list[tuple[int, str]]:
    """(minus the age in days at END, id) of the records started by END and not ended by it."""
    out = []
    for row in _rows(name):
        begun, ended = _date(row[start]), _date(row[end])
        if begun <= END and (ended is None or ended > END):
            out.append((-(END - begun).days, row[key]))
    return out


def test_no_record_id_the_pack_shows_is_in_the_site(packs, sample_build) -> None:
    site, _ = sample_build
    parsed = _parsed(packs[0])
    ids = set(parsed.ids)
    assert len(ids) >= 30 and any(i.startswith("LOR-") for i in ids)
    summary = _file(packs[0], "json").read_bytes()
    leaks = [i for i in ids if i.encode() in summary]
    for folder, _, names in os.walk(os.path.realpath(site)):
        for name in names:
            data = (Path(folder) / name).read_bytes()
            leaks += [f"{name}: {i}" for i in ids if i.encode() in data]
    assert leaks == []


def test_out_in_a_site_is_refused(sample_build, tmp_path) -> None:
    site, _ = sample_build
    for out, named in ((site / "internal", site), (site / "internal", tmp_path / "elsewhere")):
        done = _pack(SAMPLE_QUARTER, out, tmp_path / "work", named)
        assert done.returncode == 77, done.stderr
        assert len(done.stderr.splitlines()) == 1 and "Traceback" not in done.stderr
        assert not out.exists()
    done = arms_metrics(
        "review-pack",
        "--quarter",
        SAMPLE_QUARTER,
        "--input",
        str(SAMPLE_DATA),
        "--out",
        "site/pack",
        "--work",
        "work",
        cwd=tmp_path,
    )  # fmt: skip  (the default site, not yet built)
    assert done.returncode == 77, done.stderr
    assert not (tmp_path / "site").exists()


def test_bad_quarter_and_bad_data(tmp_path) -> None:
    done = _pack("FY2026-Q9", tmp_path / "out", tmp_path / "work", tmp_path / "site")
    assert done.returncode == 2 and len(done.stderr.splitlines()) == 1, done.stderr
    bad = tmp_path / "bad"
    bad.mkdir()
    shutil.copy(SAMPLE_DATA / "extract.toml", bad)
    lors = _rows("fms_lors.csv")[:20]
    lors[0]["received_date"] = "2026-02-30"  # no such day: 1 in 20 rows is over the 1% limit
    with (bad / "fms_lors.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(lors[0]))
        writer.writeheader()
        writer.writerows(lors)
    done = arms_metrics(
        "review-pack", "--quarter", SAMPLE_QUARTER, "--input", str(bad),
        "--out", str(tmp_path / "out"), "--work", str(tmp_path / "work"), cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 65, done.stderr
    assert len(done.stderr.splitlines()) == 1 and "Traceback" not in done.stderr
    assert not (tmp_path / "out").exists()


def test_no_pdf_engine_is_exit_69(tmp_path, monkeypatch, capsys) -> None:
    monkeypatch.setitem(sys.modules, "weasyprint", None)  # import weasyprint fails
    out = tmp_path / "out"
    folders = ["--out", str(out), "--work", str(tmp_path / "work"), "--site", str(tmp_path / "s")]
    argv = ["review-pack", "--quarter", SAMPLE_QUARTER, "--input", str(SAMPLE_DATA), *folders]
    assert cli.main(argv) == 69
    error = capsys.readouterr().err
    assert "PDF engine (WeasyPrint) cannot run" in error and len(error.splitlines()) == 1
    assert not out.exists()
