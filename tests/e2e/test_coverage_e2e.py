"""End to end: releases built from the sample with STAGGERED declared coverage (licenses from
FY2020-Q1, FMS and notifications from FY2018-Q1). Every series starts at its sources' latest
coverage start, never earlier and never zero-filled; an indicator whose sources do not
cover the release quarter has no CSV rows and shows "not available"; a table without
coverage and a quarter before every coverage stop the run (docs/inputs.md)."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest

from arms_metrics.config import TABLES, load_config
from arms_metrics.quarters import Quarter
from tests.conftest import PIPELINE_TOML, SAMPLE_DATA, arms_metrics, build

FMS_FROM, LICENSES_FROM = "FY2018-Q1", "FY2020-Q1"
COVERAGE = {t: FMS_FROM for t in TABLES} | {"export_licenses": LICENSES_FROM}


def staggered(folder: Path, coverage: dict[str, str]) -> Path:
    """A copy of sample_data/ whose extract.toml declares ``coverage``."""
    shutil.copytree(SAMPLE_DATA, folder)
    lines = ["synthetic = true", 'extract_date = "2026-10-15"', "[coverage]"]
    lines += [f'{table} = "{quarter}"' for table, quarter in coverage.items()]
    (folder / "extract.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


def first_periods(site: Path) -> dict[str, str]:
    """indicator_id -> its earliest period in the site's indicators.csv."""
    first: dict[str, str] = {}
    with (site / "data" / "indicators.csv").open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            index = Quarter.parse(row["period"]).index
            if (
                row["indicator_id"] not in first
                or index < Quarter.parse(first[row["indicator_id"]]).index
            ):
                first[row["indicator_id"]] = row["period"]
    return first


def expected_start(sources: tuple[str, ...]) -> str:
    """Worked out from COVERAGE alone: the latest start among the sources."""
    return max((COVERAGE[s] for s in sources), key=lambda q: Quarter.parse(q).index)


@pytest.fixture(scope="module")
def later(tmp_path_factory) -> Path:
    """A release for FY2021-Q1: every source covers it."""
    tmp = tmp_path_factory.mktemp("staggered-later")
    done, site, _ = build(tmp, "FY2021-Q1", staggered(tmp / "input", COVERAGE))
    assert done.returncode == 0, done.stderr
    return site


@pytest.fixture(scope="module")
def between(tmp_path_factory) -> Path:
    """A release for FY2019-Q2: FMS and notifications cover it, licenses do not."""
    tmp = tmp_path_factory.mktemp("staggered-between")
    done, site, _ = build(tmp, "FY2019-Q2", staggered(tmp / "input", COVERAGE))
    assert done.returncode == 0, done.stderr
    return site


def test_every_series_starts_at_its_sources_coverage(later) -> None:
    registry = load_config(PIPELINE_TOML).registry
    first = first_periods(later)
    assert set(first) == set(registry.ids)  # every indicator is covered in FY2021-Q1
    for indicator in registry.indicators:
        assert first[indicator.id] == expected_start(indicator.sources), indicator.id
    assert first["lic_pending"] == "FY2020-Q1" and first["fms_open_cases"] == "FY2018-Q1"


def test_a_stock_starts_with_the_records_opened_before_coverage(later) -> None:
    # Applications received before FY2020-Q1 and still pending are in the first quarter's
    # stock: it is not what that quarter received minus what it decided (a false zero start).
    rows = {}
    with (later / "data" / "indicators.csv").open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            if row["breakdown"] == "total" and row["period"] == LICENSES_FROM:
                rows[row["indicator_id"]] = row["value"]
    received, final, pending = (
        int(rows[i]) for i in ("lic_applications_received", "lic_final_actions", "lic_pending")
    )
    assert pending > received - final


def test_data_json_covers_the_declared_coverage(later, between) -> None:
    catalog = json.loads((later / "data.json").read_text(encoding="utf-8"))
    temporal = json.dumps(catalog)
    assert '"temporal": "2017-10-01/2020-12-31"' in temporal  # FY2018-Q1 to FY2021-Q1
    catalog = json.loads((between / "data.json").read_text(encoding="utf-8"))
    assert '"temporal": "2017-10-01/2019-03-31"' in json.dumps(catalog)


def test_indicators_whose_sources_do_not_cover_the_quarter_are_not_available(between) -> None:
    registry = load_config(PIPELINE_TOML).registry
    first = first_periods(between)
    licensing = {i.id for i in registry.indicators if "export_licenses" in i.sources}
    assert licensing and not licensing & set(first)  # no CSV row at all
    assert set(first) == set(registry.ids) - licensing
    assert all(first[i] == FMS_FROM for i in first)
    page = (between / "indicators" / "lic_pending.html").read_text(encoding="utf-8")
    assert "Not available this release" in page
    home = (between / "index.html").read_text(encoding="utf-8")
    assert "Not available this release" in home
    # the release's licensing pages (volumes and time, outcomes): each indicator says so
    # once, with its source, no table
    note = "Not available this release: the source data (export_licenses) were not supplied"
    for group in ("licensing", "license_outcomes"):
        page = between / "releases" / "FY2019-Q2" / (group.replace("_", "-") + ".html")
        members = [i for i in registry.indicators if i.group == group]
        assert members and page.read_text(encoding="utf-8").count(note) == len(members), group


def test_a_table_without_coverage_stops_the_run_naming_the_line(tmp_path) -> None:
    coverage = {t: q for t, q in COVERAGE.items() if t != "fms_lors"}
    done, site, _ = build(tmp_path, "FY2021-Q1", staggered(tmp_path / "input", coverage))
    assert done.returncode == 78
    message = done.stderr.strip()
    assert "\n" not in message and "Traceback" not in message
    assert "table fms_lors has no declared coverage: add [coverage] fms_lors = " in message
    assert f"{tmp_path / 'input' / 'extract.toml'} or pipeline.toml" in message
    assert not site.exists()


def test_a_quarter_before_every_coverage_is_refused(tmp_path) -> None:
    done, _, _ = build(tmp_path, "FY2017-Q4", staggered(tmp_path / "input", COVERAGE))
    assert done.returncode == 2
    assert "the input covers FY2018-Q1 on" in done.stderr
    assert "Traceback" not in done.stderr


def test_a_malformed_extract_is_exit_78(tmp_path) -> None:
    folder = staggered(tmp_path / "input", COVERAGE)
    (folder / "extract.toml").write_text('extract_date = "15/10/2026"\n', encoding="utf-8")
    done = arms_metrics("run", "--input", str(folder), "--site", str(tmp_path / "site"),
                        "--work", str(tmp_path / "work"))  # fmt: skip
    assert done.returncode == 78
    assert done.stderr.count("\n") == 1 and "extract.toml: extract_date" in done.stderr


def _tiny(folder: Path, extract: str | None) -> Path:
    """The sample's congressional notifications alone (exempt from disclosure control: a
    run takes about a second), with ``extract`` as its extract.toml (None: no file)."""
    folder.mkdir(parents=True)
    shutil.copy(SAMPLE_DATA / "congressional_notifications.csv", folder)
    if extract is not None:
        (folder / "extract.toml").write_text(extract, encoding="utf-8")
    return folder


@pytest.mark.parametrize(
    ("extract", "start"),
    [
        (None, "FY2020-Q3"),  # only pipeline.toml declares it
        ('extract_date = "2026-10-15"\n', "FY2020-Q3"),  # the extract declares other things
        ('[coverage]\ncongressional_notifications = "FY2019-Q1"\n', "FY2019-Q1"),  # it wins
    ],
)
def test_coverage_declared_in_pipeline_toml_starts_the_series(tmp_path, extract, start) -> None:
    config = tmp_path / "quarterly" / "pipeline.toml"
    shutil.copytree(PIPELINE_TOML.parent, config.parent)
    text = config.read_text(encoding="utf-8")
    assert "[coverage]" not in text
    config.write_text(text + '\n[coverage]\ncongressional_notifications = "FY2020-Q3"\n')
    inputs = _tiny(tmp_path / "input", extract)
    done = arms_metrics("run", "--input", str(inputs), "--quarter", "FY2026-Q3",
                        "--site", str(tmp_path / "site"), "--work", str(tmp_path / "work"),
                        "--config", str(config))  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert set(first_periods(tmp_path / "site").values()) == {start}
    manifest = json.loads((tmp_path / "site/releases/FY2026-Q3/manifest.json").read_text())
    assert manifest["coverage"] == {"congressional_notifications": start}
