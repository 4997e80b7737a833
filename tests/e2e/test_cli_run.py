"""End to end: the CLI on the committed sample data, as the scheduled run and an analyst use it."""

from __future__ import annotations

import csv
import gzip
import io
import re
import shutil
from pathlib import Path

import pytest

from arms_metrics.cells import PUBLIC_COLUMNS
from arms_metrics.config import load_config
from arms_metrics.quarters import Quarter
from tests.conftest import PIPELINE_TOML, SAMPLE_DATA, SAMPLE_QUARTER, build, declare_coverage

QUARTER = SAMPLE_QUARTER
ID_COLUMNS = {
    "fms_lors": "lor_id",
    "fms_documents": "document_id",
    "fms_cases": "case_id",
    "fms_deliveries": "delivery_id",
    "export_licenses": "application_id",
}


def tree_bytes(folder: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(folder)): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


@pytest.fixture(scope="module")
def built(sample_build) -> tuple[Path, Path]:
    return sample_build


def test_run_writes_every_page_and_file(built) -> None:
    site, _ = built
    config = load_config(PIPELINE_TOML)
    expected = [
        "index.html",
        "methodology.html",
        "revisions.html",
        "data.json",
        "data/indicators.csv",
        "data/datapackage.json",
        "data/codes/purchasers.csv",
        "data/codes/agencies.csv",
        "data/codes/control_categories.csv",
        "data/codes/regions.csv",
        f"releases/{QUARTER}/index.html",
        f"releases/{QUARTER}/manifest.json",
        f"releases/{QUARTER}/data/indicators.csv",
        *[f"indicators/{indicator_id}.html" for indicator_id in config.registry.ids],
    ]
    missing = [name for name in expected if not (site / name).is_file()]
    assert missing == []
    assert (site / "data/indicators.csv").read_bytes() == (
        site / f"releases/{QUARTER}/data/indicators.csv"
    ).read_bytes()


def test_indicators_csv_contract(built) -> None:
    site, _ = built
    raw = (site / "data/indicators.csv").read_bytes()
    assert raw.count(b"\r\n") == raw.count(b"\n") > 1  # CRLF everywhere
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8"), newline="")))
    assert rows[0] == PUBLIC_COLUMNS
    body = rows[1:]
    keys = [(r[0], r[1], r[4], r[5]) for r in body]
    assert keys == sorted(keys) and len(set(keys)) == len(keys)
    last = Quarter.parse(QUARTER)
    for row in body:
        record = dict(zip(PUBLIC_COLUMNS, row, strict=True))
        quarter = Quarter.parse(record["period"])
        assert quarter <= last
        assert (int(record["fiscal_year"]), int(record["fiscal_quarter"])) == (
            quarter.fiscal_year,
            quarter.quarter,
        )
        assert record["suppressed"] in ("true", "false") and record["revised"] in ("true", "false")
        assert "e" not in record["value"].lower()
        pattern = r"-?\d+" if record["unit"] in ("count", "usd") else r"-?\d+\.\d"
        assert record["value"] == "" or re.fullmatch(pattern, record["value"]), record
        if record["suppressed"] == "true":
            assert record["value"] == "" and record["n"] == ""
        expected = "suppressed" if record["suppressed"] == "true" else "ok"
        expected = "not_applicable" if expected == "ok" and record["value"] == "" else expected
        assert record["status"] == expected, record
        assert record["breakdown_label"], record
        if record["breakdown"] == "purchaser":  # alpha-3, or an organization's own code
            assert re.fullmatch(r"[A-Z]{3,4}", record["breakdown_value"]), record
    ids = {r[0] for r in body}
    assert ids == set(load_config(PIPELINE_TOML).registry.ids)
    assert {r[1] for r in body if r[4] == "total"} >= {QUARTER}


def test_main_points_lead_the_front_and_release_pages(built) -> None:
    """Issue 13: a "Main points" list of generated sentences before the figures."""
    site, _ = built
    for page in ("index.html", f"releases/{QUARTER}/index.html"):
        html = (site / page).read_text(encoding="utf-8")
        found = re.search(r"<h2>Main points</h2>\s*<ul>(.*?)</ul>", html, re.S)
        assert found, page
        points = re.findall(r"<li>(.*?)</li>", found.group(1), re.S)
        assert points and all(QUARTER in p and p.endswith(".") for p in points), page


def test_no_page_of_the_sample_site_is_over_300_kb(built) -> None:
    """Issue 13: pages of a sane size, inline SVG included."""
    site, _ = built
    sizes = {p.relative_to(site).as_posix(): p.stat().st_size for p in site.rglob("*.html")}
    assert len(sizes) > 40
    assert {page: size for page, size in sizes.items() if size > 300_000} == {}


def test_the_front_page_shows_a_chart_per_section(built) -> None:
    """Issue 13: every section of the sample has data, so five charts; the notifications
    have no headline indicator, so their first indicator is shown."""
    site, _ = built
    html = (site / "index.html").read_text(encoding="utf-8")
    shown = re.findall(r'<svg [^>]*id="front-([a-z0-9_]+)-chart"', html)
    assert shown == [
        "fms_loas_offered", "fms_cases_implemented", "cn_notifications",
        "lic_applications_received", "lic_approval_rate_pct",
    ]  # fmt: skip


def test_pandas_defaults_read_every_published_csv_whole(built) -> None:
    """Every CSV the site publishes, opened with pandas.read_csv's defaults: no missing
    breakdown_value or breakdown_label (alpha-2 NA, Namibia, would be NaN)."""
    import pandas

    site, _ = built
    others = {site / "data/corrections.csv"}  # the corrections log: no cells
    paths = sorted(p for p in site.rglob("*.csv") if "codes" not in p.parts and p not in others)
    assert len(paths) > 2  # indicators.csv twice and the per-table CSVs
    for path in paths:
        frame = pandas.read_csv(path)
        assert not frame["breakdown_value"].isna().any(), path
        assert not frame["breakdown_label"].isna().any(), path
    rows = pandas.read_csv(site / "data/indicators.csv")
    purchasers = rows[rows["breakdown"] == "purchaser"]
    labels = dict(zip(purchasers["breakdown_value"], purchasers["breakdown_label"], strict=True))
    assert labels.get("GBR") == "United Kingdom"
    assert labels.get("NAM") == "Namibia"  # the sample has Namibia (reference code NA)
    assert list(pandas.read_csv(site / "data/corrections.csv").columns) == [
        "date",
        "release",
        "reason",
        "cells",
    ]
    codes = pandas.read_csv(site / "data/codes/purchasers.csv")
    assert not codes["code"].isna().any() and "NAM" in set(codes["code"])


def test_sample_data_package_validates_with_frictionless(built) -> None:
    """indicators.csv and the four code lists against datapackage.json (types, enums,
    required fields, primary keys)."""
    from frictionless import validate

    site, _ = built
    report = validate(str(site / "data" / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])[:10]
    assert report.stats["tasks"] == 5


def test_validation_outputs_and_conservation(built) -> None:
    _, work = built
    import json

    summary = json.loads((work / "validation/summary.json").read_text(encoding="utf-8"))
    for table, counts in summary["tables"].items():
        with (SAMPLE_DATA / f"{table}.csv").open(encoding="utf-8", newline="") as handle:
            records = sum(1 for _ in csv.reader(handle)) - 1
        assert counts["read"] == records, table
        assert counts["read"] == counts["accepted"] + counts["quarantined"], table
        assert (work / "quarantine" / f"{table}.csv").is_file()
    assert (work / "validation/report.html").is_file()


def test_no_record_level_ids_on_the_public_site(built) -> None:
    site, _ = built
    public = b"\n".join(tree_bytes(site).values())
    leaked = []
    for table, column in ID_COLUMNS.items():
        with (SAMPLE_DATA / f"{table}.csv").open(encoding="utf-8", newline="") as handle:
            ids = [row[column] for row in csv.DictReader(handle)]
        leaked += [i for i in ids[:: max(1, len(ids) // 500)] if i.encode() in public]
    assert leaked == []


def test_same_inputs_same_bytes_in_another_folder_and_time_zone(built, tmp_path) -> None:
    site, _ = built
    done, other_site, _ = build(tmp_path, TZ="Pacific/Kiritimati")
    assert done.returncode == 0, done.stderr
    first, second = tree_bytes(site), tree_bytes(other_site)
    assert sorted(first) == sorted(second)
    assert [name for name in first if first[name] != second[name]] == []


def test_next_release_keeps_the_earlier_one_and_marks_revisions(built, tmp_path) -> None:
    site, _ = built
    shutil.copytree(site, tmp_path / "site")
    before = tree_bytes(tmp_path / "site" / "releases" / QUARTER)
    done, site2, _ = build(tmp_path, quarter="FY2026-Q4")
    assert done.returncode == 0, done.stderr
    assert tree_bytes(site2 / "releases" / QUARTER) == before
    assert (site2 / "releases/FY2026-Q4/index.html").is_file()
    assert "FY2026-Q4" in (site2 / "data/indicators.csv").read_text(encoding="utf-8")


def _copy_inputs(tmp_path: Path, tables: list[str]) -> Path:
    folder = tmp_path / "input"
    folder.mkdir()
    for table in tables:
        shutil.copy(SAMPLE_DATA / f"{table}.csv", folder)
    return declare_coverage(folder)


def test_notifications_alone_is_a_valid_run(tmp_path) -> None:
    folder = _copy_inputs(tmp_path, ["congressional_notifications"])
    done, site, _ = build(tmp_path, input_dir=folder)
    assert done.returncode == 0, done.stderr
    rows = list(csv.DictReader(io.StringIO((site / "data/indicators.csv").read_text("utf-8"))))
    assert {r["indicator_id"] for r in rows} == {"cn_notifications", "cn_notifications_value_usd"}


def test_gzip_input_gives_the_same_site(built, tmp_path) -> None:
    site, _ = built
    folder = tmp_path / "input"
    folder.mkdir()
    for path in SAMPLE_DATA.glob("*.csv"):
        (folder / f"{path.name}.gz").write_bytes(gzip.compress(path.read_bytes(), mtime=0))
    declare_coverage(folder)
    done, other_site, _ = build(tmp_path, input_dir=folder)
    assert done.returncode == 0, done.stderr
    first, second = tree_bytes(site), tree_bytes(other_site)
    differing = [name for name in first if first[name] != second.get(name)]
    # only the pages naming the input files differ: the manifest and the methodology
    assert differing == ["methodology.html", f"releases/{QUARTER}/manifest.json"]


def test_bad_input_exits_65_with_one_line_and_publishes_nothing(tmp_path) -> None:
    folder = _copy_inputs(tmp_path, ["export_licenses"])
    path = folder / "export_licenses.csv"
    header, *lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join([header.replace("agency", "agencyy", 1), *lines]) + "\n")
    done, site, _ = build(tmp_path, input_dir=folder)
    assert done.returncode == 65
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    assert "export_licenses.csv" in done.stderr and "agencyy" in done.stderr
    assert not site.exists()


def test_too_many_bad_rows_exits_65(tmp_path) -> None:
    folder = _copy_inputs(tmp_path, ["export_licenses"])
    path = folder / "export_licenses.csv"
    header, *lines = path.read_text(encoding="utf-8").splitlines()
    cut = len(lines) // 20  # 5 % of the rows get a received date that is not a date
    column = header.split(",").index("received_date")
    broken = [",".join(["31/12/2025" if i == column else f for i, f in enumerate(line.split(","))])
              for line in lines[:cut]]  # fmt: skip
    path.write_text("\n".join([header, *broken, *lines[cut:]]) + "\n", encoding="utf-8")
    done, site, work = build(tmp_path, input_dir=folder)
    assert done.returncode == 65, done.stderr
    assert "export_licenses.csv" in done.stderr and "received_date" in done.stderr
    assert done.stderr.count("\n") == 1
    assert not site.exists()
    assert (work / "quarantine/export_licenses.csv").is_file()


def test_disclosure_summary_matches_the_published_csv(built) -> None:
    site, work = built
    import json

    summary = json.loads((work / "disclosure/summary.json").read_text(encoding="utf-8"))
    with (site / "data/indicators.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    hidden = sum(r["suppressed"] == "true" for r in rows)
    assert summary["overall"]["cells"] == len(rows)
    assert summary["overall"]["suppressed"] == hidden
    by_family = summary["by_family"]
    assert sum(f["cells"] for f in by_family.values()) == len(rows)
    assert by_family["notifications"]["suppressed"] == 0
