"""The generator's third-party transfer requests and end-use monitoring checks.

The contract's rules are checked on the committed sample (sample_data/, scale 0.05), the
volumes and shares at scale 1 against the published figures in
src/arms_metrics/samples/data/us_end_use_monitoring_published_figures.csv (or, for the
figures no public source gives, against the assumption in profiles.py), and adding the two
tables is shown to leave the six older files unchanged.
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import polars as pl
import pytest

from arms_metrics.extract import read_extract
from arms_metrics.quarters import Quarter
from arms_metrics.samples import generate as gen
from arms_metrics.samples.transfers import eum_checks, tpt_requests

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "sample_data"
SAMPLE_SCALE, SAMPLE_SEED = 0.05, 20260227  # sample_data/README.md, "How it was made"
START, EXTRACT = dt.date(2016, 10, 1), dt.date(2026, 10, 15)
OLD = ("fms_lors", "fms_documents", "fms_cases", "fms_deliveries")
OLD += ("congressional_notifications", "export_licenses")
NEW = ("tpt_requests", "eum_checks")
TYPES = {
    "BLUE_LANTERN": {"PRE_LICENSE", "POST_SHIPMENT"},
    "BIS_END_USE": {"PRE_LICENSE", "POST_SHIPMENT"},
    "GOLDEN_SENTRY": {"ROUTINE", "ENHANCED"},
}


def _read(path: Path) -> pl.DataFrame:
    frame = pl.read_csv(path, infer_schema=False)
    dates = [c for c in frame.columns if c.endswith("_date")]
    return frame.with_columns(pl.col(dates).str.to_date("%Y-%m-%d", strict=True))


@pytest.fixture(scope="module")
def purchasers() -> dict[str, str]:
    path = ROOT / "pipelines" / "quarterly" / "reference" / "purchasers.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        return {row["code"]: row["region"] for row in csv.DictReader(handle)}


@pytest.fixture(scope="module")
def tpt() -> pl.DataFrame:
    return _read(SAMPLE / "tpt_requests.csv")


@pytest.fixture(scope="module")
def eum() -> pl.DataFrame:
    return _read(SAMPLE / "eum_checks.csv")


@pytest.fixture(scope="module")
def eum_1() -> pl.DataFrame:
    """Scale 1 (a decade of US volume), with the fiscal year of each check's id."""
    fiscal = 2000 + pl.col("check_id").str.extract(r"(\d\d)-").cast(pl.Int32)
    return eum_checks(SAMPLE_SEED, 1.0).with_columns(fy=fiscal)


def _none(frame: pl.DataFrame, condition: pl.Expr) -> None:
    bad = frame.filter(condition)
    assert bad.height == 0, bad.head(5)


def test_the_committed_sample_is_what_the_generator_writes(tmp_path) -> None:
    # The six older files too: adding the two tables changed none of their bytes.
    gen.generate(tmp_path, scale=SAMPLE_SCALE, seed=SAMPLE_SEED)
    for name in [*(f"{t}.csv" for t in OLD + NEW), "extract.toml"]:
        assert (tmp_path / name).read_bytes() == (SAMPLE / name).read_bytes(), name


def test_the_older_tables_do_not_depend_on_the_new_ones(tmp_path, monkeypatch) -> None:
    both = gen.generate(tmp_path / "both", scale=0.01, seed=5, dirty=0.05)
    monkeypatch.setattr(gen, "transfer_tables", lambda seed, scale: {})
    alone = gen.generate(tmp_path / "alone", scale=0.01, seed=5, dirty=0.05)
    assert list(alone) == list(OLD) and list(both) == [*OLD, *NEW]
    for table in OLD:
        name = f"{table}.csv"
        assert (tmp_path / "both" / name).read_bytes() == (tmp_path / "alone" / name).read_bytes()


def test_same_seed_same_rows_other_seed_other_rows() -> None:
    for build in (tpt_requests, eum_checks):
        first, again, other = build(3, 0.02), build(3, 0.02), build(4, 0.02)
        assert first.equals(again) and not first.equals(other)
        assert first.height == other.height  # volumes depend on the scale only


def test_coverage_declared_for_both_tables() -> None:
    # Rows start in FY2017-Q1; the first year is a warm-up, as for export_licenses.
    extract = read_extract(SAMPLE, OLD + NEW)
    assert extract.coverage["tpt_requests"] == Quarter.parse("FY2018-Q1")
    assert extract.coverage["eum_checks"] == Quarter.parse("FY2018-Q1")


def test_tpt_contract(tpt, purchasers) -> None:
    assert tpt["request_id"].null_count() == 0 and tpt["request_id"].n_unique() == tpt.height
    assert set(tpt["channel"]) == {"FMS", "DCS"}
    assert set(tpt["transfer_type"]) == {"RETRANSFER", "REEXPORT", "CHANGE_OF_END_USE",
                                         "TEMPORARY"}  # fmt: skip
    assert set(tpt["outcome"].drop_nulls()) == {"APPROVED", "DENIED", "RETURNED_WITHOUT_ACTION",
                                                "WITHDRAWN"}  # fmt: skip
    assert set(tpt["original_recipient_code"]) | set(tpt["transferee_code"]) <= set(purchasers)
    assert set(tpt["congressional_notification"]) == {"true", "false"}
    assert tpt["received_date"].null_count() == 0
    _none(tpt, pl.col("outcome").is_null() != pl.col("final_action_date").is_null())
    _none(tpt, pl.col("final_action_date") < pl.col("received_date"))
    _none(tpt, (pl.col("received_date") < START) | (pl.col("final_action_date") > EXTRACT))
    assert tpt["final_action_date"].null_count() > 0  # some pending at the extract date


def test_tpt_volumes_and_mix(tpt) -> None:
    """ASSUMPTIONS (profiles.py): 500 FMS and 800 DCS requests a year; x 10 years x 0.05 =
    250 and 400. The transferee differs but in 90 % of the changes of end use (15 % of the
    requests): 1 - 0.15 x 0.9 = 86.5 % differ."""
    assert dict(tpt["channel"].value_counts().rows()) == {"FMS": 250, "DCS": 400}
    differs = (tpt["original_recipient_code"] != tpt["transferee_code"]).mean()
    assert 0.80 <= differs <= 0.92
    moved = tpt.filter(pl.col("transfer_type") != "CHANGE_OF_END_USE")
    assert (moved["original_recipient_code"] != moved["transferee_code"]).all()


def test_eum_contract(eum, purchasers) -> None:
    assert eum["check_id"].null_count() == 0 and eum["check_id"].n_unique() == eum.height
    assert set(eum["program"]) == set(TYPES)
    for program, types in TYPES.items():
        assert set(eum.filter(pl.col("program") == program)["check_type"]) == types, program
    assert set(eum["result"].drop_nulls()) == {"FAVORABLE", "UNFAVORABLE", "UNVERIFIED"}
    assert set(eum["country_code"]) <= set(purchasers)
    assert eum["initiated_date"].null_count() == 0
    _none(eum, pl.col("result").is_null() != pl.col("completed_date").is_null())
    _none(eum, pl.col("completed_date") < pl.col("initiated_date"))
    _none(eum, (pl.col("initiated_date") < START) | (pl.col("completed_date") > EXTRACT))
    assert eum["completed_date"].null_count() > 0  # some open at the extract date


def test_eum_volumes_in_the_sample(eum) -> None:
    """Per year x 10 years x 0.05: Blue Lantern 700 -> 350, BIS 1,200 -> 600, Golden
    Sentry 600 -> 300 (assumption)."""
    counts = dict(eum["program"].value_counts().rows())
    assert counts == {"BLUE_LANTERN": 350, "BIS_END_USE": 600, "GOLDEN_SENTRY": 300}


def _program(frame: pl.DataFrame, program: str) -> pl.DataFrame:
    return frame.filter(pl.col("program") == program)


def test_blue_lantern_at_scale_1_within_the_published_figures(eum_1, purchasers) -> None:
    """Blue Lantern FY2009-FY2016: 570-1,046 checks initiated a year, 83-111 countries,
    unfavorable 15-27 % of closed checks (150/723 = 20.7 %, 161/592 = 27.2 %, 144/706 =
    20.4 %); Near East 39 % in FY2016. Expected from profiles.py: 0.27 x 22 + 0.23 x 25 +
    0.20 x 25 + 0.14 x 12 + 0.10 x 39 + 0.06 x 22 = 23.6 % overall."""
    checks = _program(eum_1, "BLUE_LANTERN")
    per_year = checks.group_by("fy").agg(pl.len(), pl.col("country_code").n_unique())
    assert per_year.height == 10
    assert per_year["len"].is_between(570, 1046).all()
    assert per_year["country_code"].is_between(83, 111).all()
    closed = checks.filter(pl.col("result").is_not_null())
    unfavorable = closed["result"] == "UNFAVORABLE"
    assert 0.15 <= unfavorable.mean() <= 0.27
    near_east = closed["country_code"].replace_strict(purchasers) == "NEA"
    assert 0.33 <= (unfavorable & near_east).sum() / near_east.sum() <= 0.45
    pre = (checks["check_type"] == "PRE_LICENSE").mean()
    assert 0.55 <= pre <= 0.65  # ASSUMPTION: 60 % pre-license


def test_bis_checks_at_scale_1_within_the_published_figures(eum_1) -> None:
    """BIS: 737 checks (FY2009, 31+ countries) to 1,590 (FY2023, 62 countries); 14-15 %
    pre-license (FY2009-FY2010); 20-27 % unfavorable, 24 % "less than favorable" (FY2023):
    here unfavorable or unverified, 18 % + 5 % = 23 % expected."""
    checks = _program(eum_1, "BIS_END_USE")
    per_year = checks.group_by("fy").agg(pl.len(), pl.col("country_code").n_unique())
    assert per_year["len"].is_between(737, 1590).all()
    assert per_year["country_code"].is_between(31, 62).all()
    assert 0.12 <= (checks["check_type"] == "PRE_LICENSE").mean() <= 0.18
    closed = checks.filter(pl.col("result").is_not_null())
    assert 0.20 <= (closed["result"] != "FAVORABLE").mean() <= 0.27


def test_golden_sentry_and_completion_times_follow_the_assumptions(eum_1) -> None:
    """ASSUMPTIONS: Golden Sentry 600 a year, 60 % enhanced, 2 % + 2 % not favorable;
    completion medians Blue Lantern 60, BIS 45, Golden Sentry 30 days ("weeks to months")."""
    checks = _program(eum_1, "GOLDEN_SENTRY")
    assert checks.height == 6000
    assert 0.57 <= (checks["check_type"] == "ENHANCED").mean() <= 0.63
    closed = checks.filter(pl.col("result").is_not_null())
    assert 0.02 <= (closed["result"] != "FAVORABLE").mean() <= 0.06
    days = (pl.col("completed_date") - pl.col("initiated_date")).dt.total_days()
    median = dict(eum_1.group_by("program").agg(days.median()).rows())
    assert 55 <= median["BLUE_LANTERN"] <= 65 and 41 <= median["BIS_END_USE"] <= 49
    assert 27 <= median["GOLDEN_SENTRY"] <= 33


def test_dirty_rows_break_the_new_tables(tmp_path) -> None:
    clean = gen.generate(tmp_path / "clean", scale=0.01, seed=3)
    gen.generate(tmp_path / "dirty", scale=0.01, seed=3, dirty=0.05)
    tpt = _read(tmp_path / "dirty" / "tpt_requests.csv")
    unknown = (tpt["transferee_code"] == "ZZ").sum()
    backwards = tpt.filter(pl.col("final_action_date") < pl.col("received_date")).height
    duplicates = tpt.height - tpt["request_id"].n_unique()
    assert unknown > 0 and backwards > 0 and duplicates > 0
    assert unknown + backwards + duplicates == round(0.05 * clean["tpt_requests"])
    eum = _read(tmp_path / "dirty" / "eum_checks.csv")
    assert (eum["check_type"] == "SPOT_CHECK").sum() > 0
    assert eum.filter(pl.col("completed_date").is_not_null(), pl.col("result").is_null()).height
    assert eum.height - eum["check_id"].n_unique() > 0
