"""``extract.toml`` and declared coverage (``arms_metrics/extract.py``): what an extract
says about itself, the coverage of each table, and the release quarter it allows."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from arms_metrics.config import TABLES, load_config
from arms_metrics.errors import ConfigError, UsageError
from arms_metrics.extract import (
    Extract,
    check_covered,
    declared_coverage,
    default_quarter,
    read_extract,
    series_start,
)
from arms_metrics.quarters import Quarter
from tests.conftest import PIPELINE_TOML, SAMPLE_DATA

Q = Quarter.parse


def write(folder: Path, text: str) -> Path:
    (folder / "extract.toml").write_text(text, encoding="utf-8")
    return folder


# ---------------------------------------------------------------------------- expected
def test_an_extract_declares_itself(tmp_path) -> None:
    folder = write(tmp_path, """
synthetic = true
extract_date = "2026-10-15"
[coverage]
fms_cases = "FY2017-Q1"
export_licenses = "2018Q1"
""")  # fmt: skip
    extract = read_extract(folder, TABLES)
    assert extract.synthetic is True
    assert extract.extract_date == dt.date(2026, 10, 15)
    assert extract.coverage == {"fms_cases": Quarter(2017, 1), "export_licenses": Quarter(2018, 1)}


def test_without_the_file_the_extract_is_not_synthetic_and_undated(tmp_path) -> None:
    assert read_extract(tmp_path, TABLES) == Extract()
    assert Extract().synthetic is False and Extract().extract_date is None


def test_the_committed_sample_declares_every_table() -> None:
    extract = read_extract(SAMPLE_DATA, TABLES)
    assert extract.synthetic is True
    assert extract.extract_date == dt.date(2026, 10, 15)
    assert set(extract.coverage) == set(TABLES)
    assert extract.coverage["export_licenses"] == Q("FY2018-Q1")  # the first year a warm-up
    assert extract.coverage["fms_cases"] == Q("FY2017-Q1")  # not FY1996: older cases still open


def test_a_native_toml_date_is_accepted(tmp_path) -> None:
    extract = read_extract(write(tmp_path, "extract_date = 2026-10-15\n"), TABLES)
    assert extract.extract_date == dt.date(2026, 10, 15)


# ----------------------------------------------------------------------------- erroneous
@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("synthetic = \n", "not valid TOML"),
        ("synthetic = true\nsource = 'x'\n", "unknown key 'source'"),
        ("synthetic = 'yes'\n", "synthetic"),
        ("extract_date = '2026-13-01'\n", "extract_date"),
        ("extract_date = '20261015'\n", "extract_date"),  # ISO basic form: not YYYY-MM-DD
        ("extract_date = 2026-10-15T10:00:00\n", "extract_date"),  # a time, not a date
        ("[coverage]\nfms_cases = 'FY2017-Q5'\n", "[coverage] fms_cases"),
        ("[coverage]\nfms_cases = 2017\n", "[coverage] fms_cases"),
        ("[coverage]\nlicences = 'FY2017-Q1'\n", "[coverage] licences: unknown table"),
        ("coverage = 'FY2017-Q1'\n", "coverage must be a table"),
    ],
)
def test_a_malformed_extract_is_exit_78_naming_the_file_and_key(tmp_path, text, named) -> None:
    with pytest.raises(ConfigError) as failed:
        read_extract(write(tmp_path, text), TABLES)
    message = str(failed.value)
    assert failed.value.exit_code == 78
    assert str(tmp_path / "extract.toml") in message and named in message
    assert "\n" not in message


def test_a_bad_coverage_in_pipeline_toml_is_exit_78(tmp_path) -> None:
    shutil.copytree(PIPELINE_TOML.parent, tmp_path / "p")
    text = PIPELINE_TOML.read_text(encoding="utf-8") + '\n[coverage]\nfms_cases = "soon"\n'
    (tmp_path / "p" / "pipeline.toml").write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=r"pipeline\.toml: \[coverage\] fms_cases"):
        load_config(tmp_path / "p" / "pipeline.toml")


# ---------------------------------------------------------------------------- coverage
def test_the_input_folders_coverage_wins_table_by_table() -> None:
    extract = Extract(coverage={"fms_cases": Q("FY2019-Q2")})
    standing = {"fms_cases": Q("FY2017-Q1"), "export_licenses": Q("FY2018-Q1")}
    got = declared_coverage(["export_licenses", "fms_cases"], extract, standing, "in/extract.toml")
    assert got == {"export_licenses": Q("FY2018-Q1"), "fms_cases": Q("FY2019-Q2")}


def test_a_table_without_coverage_names_the_line_to_add() -> None:
    extract = Extract(coverage={"fms_cases": Q("FY2017-Q1")})
    with pytest.raises(ConfigError) as failed:
        declared_coverage(["fms_cases", "fms_lors"], extract, {}, "sample_data/extract.toml")
    message = str(failed.value)
    assert failed.value.exit_code == 78
    assert message.startswith("table fms_lors has no declared coverage: add [coverage] fms_lors = ")
    assert message.endswith("to sample_data/extract.toml or pipeline.toml")


def test_a_quarter_before_all_coverage_is_a_usage_error() -> None:
    coverage = {"fms_cases": Q("FY2018-Q1"), "export_licenses": Q("FY2017-Q1")}
    check_covered(Q("FY2017-Q1"), coverage)  # the earliest coverage: allowed
    with pytest.raises(UsageError) as failed:
        check_covered(Q("FY2016-Q4"), coverage)
    assert failed.value.exit_code == 2
    assert "the input covers FY2017-Q1 on" in str(failed.value)


def test_a_series_starts_at_the_latest_coverage_of_its_sources() -> None:
    coverage = {"fms_cases": Q("FY2018-Q1"), "fms_deliveries": Q("FY2017-Q3")}
    assert series_start(["fms_cases", "fms_deliveries"], coverage) == Q("FY2018-Q1")
    assert series_start(["fms_deliveries"], coverage) == Q("FY2017-Q3")


# ----------------------------------------------------------------------- release quarter
@pytest.mark.parametrize(
    ("extract_date", "quarter"),
    [
        ("2026-10-15", "FY2026-Q4"),  # FY2026-Q4 ended 2026-09-30
        ("2026-09-30", "FY2026-Q4"),  # ended on the extract date: on or before it
        ("2026-09-29", "FY2026-Q3"),
        ("2026-10-01", "FY2026-Q4"),
    ],
)
def test_the_default_quarter_is_the_latest_ended_by_the_extract_date(extract_date, quarter):
    extract = Extract(extract_date=dt.date.fromisoformat(extract_date))
    assert default_quarter(extract, today=dt.date(2030, 1, 1)) == Q(quarter)


def test_without_an_extract_date_the_default_quarter_follows_today() -> None:
    assert default_quarter(Extract(), today=dt.date(2026, 11, 30)) == Q("FY2026-Q4")
    assert default_quarter(Extract(), today=dt.date(2026, 10, 1)) == Q("FY2026-Q4")
