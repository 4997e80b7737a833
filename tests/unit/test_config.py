"""pipeline.toml and indicators.toml load into typed objects; bad files are ConfigErrors."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import pytest

from arms_metrics.config import load_config
from arms_metrics.errors import ConfigError
from arms_metrics.quarters import Quarter
from tests.conftest import PIPELINE_TOML


def test_targets_as_documented(config) -> None:
    assert config.development_targets == {"A": 45, "B": 100, "C": 150}
    assert config.license_targets == {"STATE": 60, "COMMERCE": 90}
    assert config.goals == {"offered_by_anticipated_date_pct": 85.0}
    assert config.max_quarantine_share == 0.01


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("offered_by_anticipated_date_pct = 90.5", 90.5),
        ("offered_by_anticipated_date_pct = 0", 0.0),
        ("offered_by_anticipated_date_pct = 100", 100.0),
        ("offered_by_anticipated_date_pct = 101", "a percent from 0 to 100"),
        ("offered_by_anticipated_date_pct = -1", "a percent from 0 to 100"),
        ('offered_by_anticipated_date_pct = "85"', "a percent from 0 to 100"),
        ("offered_by_anticipated_date_pct = true", "a percent from 0 to 100"),
        ("offered_by_anticipated_date_pct = nan", "a percent from 0 to 100"),
        ("offerd_by_anticipated_date_pct = 85", "unknown key 'offerd_by"),
    ],
)
def test_goals_are_percents_from_0_to_100(tmp_path, line, expected) -> None:
    path = _copy_pipeline(tmp_path)
    text = path.read_text(encoding="utf-8")
    assert text.count("offered_by_anticipated_date_pct = 85\n") == 1
    path.write_text(text.replace("offered_by_anticipated_date_pct = 85\n", line + "\n"))
    if isinstance(expected, float):
        assert load_config(path).goals == {"offered_by_anticipated_date_pct": expected}
        return
    with pytest.raises(ConfigError, match=re.escape(expected)) as info:
        load_config(path)
    assert info.value.exit_code == 78


def test_disclosure_defaults_and_exempt_notifications(config) -> None:
    fms = config.rules_for("fms")
    assert (fms.min_n_count, fms.min_n_statistic, fms.dominance_share) == (3, 5, 0.85)
    assert not fms.exempt
    assert config.rules_for("notifications").exempt


@pytest.mark.parametrize(("value", "expected"), [("true", True), ("false", False), ('"yes"', None)])
def test_upper_protection_is_a_boolean_per_family(tmp_path, value, expected) -> None:
    path = _copy_pipeline(tmp_path)
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("upper_protection = false", f"upper_protection = {value}"))
    if expected is None:
        with pytest.raises(ConfigError, match="licensing.upper_protection must be true or false"):
            load_config(path)
        return
    config = load_config(path)
    assert config.rules_for("licensing").upper_protection is expected
    assert config.rules_for("fms").upper_protection is False  # not set: off


@pytest.mark.parametrize(("value", "expected"), [("true", True), ("false", False), ('"yes"', None),
                                               ("1", None)])  # fmt: skip
def test_official_is_a_boolean_and_false_by_default(tmp_path, config, value, expected) -> None:
    assert config.publication["official"] is False  # the repository's configuration: a draft
    path = _copy_pipeline(tmp_path)
    text = path.read_text(encoding="utf-8")
    assert text.count("official = false") == 1
    path.write_text(text.replace("official = false", f"official = {value}"))
    if expected is None:
        with pytest.raises(ConfigError, match=r"\[publication\] official must be true or false"):
            load_config(path)
        return
    assert load_config(path).publication["official"] is expected


def test_release_calendar_and_default_lag(config) -> None:
    assert config.release_date(Quarter(2026, 2)) == dt.date(2026, 5, 15)
    # FY2026-Q1 is not in the calendar: 2025-12-31 + 45 days = 2026-02-14
    assert config.release_date(Quarter(2026, 1)) == dt.date(2026, 2, 14)


def test_the_release_clock_defaults_to_11_in_new_york_when_not_set(tmp_path) -> None:
    path = _copy_pipeline(tmp_path)
    text = path.read_text(encoding="utf-8")
    text = text.replace('time = "11:00"\n', "").replace('zone = "America/New_York"\n', "")
    path.write_text(text, encoding="utf-8")
    config = load_config(path)
    assert (config.release_time, config.release_zone) == (dt.time(11, 0), "America/New_York")
    assert "time" not in config.release_calendar and "zone" not in config.release_calendar
    # 2026-05-15 11:00 in New York, daylight time (UTC-4): 15:00 UTC
    moment = config.release_moment(Quarter(2026, 2)).astimezone(dt.UTC)
    assert moment == dt.datetime(2026, 5, 15, 15, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("line", "message"),
    [('time = "11 am"', "bad [release_calendar] time or zone"),
     ('zone = "Mars/Olympus"', "bad [release_calendar] time or zone"),
     ('time = "11:00+01:00"', "takes no offset"),
     ('time = "11:00Z"', "takes no offset"),
     ('time = "11:00:30"', "'11:00:30' is not HH:MM"),
     ("time = 11", "11 is not HH:MM"),
     ("time = 11:00:00", "is not HH:MM"),  # a TOML local time
     ('time = "24:00"', "bad [release_calendar] time or zone"),
     ('time = "9:00"', "'9:00' is not HH:MM"),
     ("zone = 5", "5 is not an IANA zone name"),
     ('zone = ""', "bad [release_calendar] time or zone"),
     ('zone = "../../etc/passwd"', "bad [release_calendar] time or zone")],
)  # fmt: skip
def test_a_bad_release_time_or_zone_is_a_config_error(tmp_path, line, message) -> None:
    path = _copy_pipeline(tmp_path)
    key = line.split(" ")[0]
    text = path.read_text(encoding="utf-8")
    old = 'time = "11:00"' if key == "time" else 'zone = "America/New_York"'
    path.write_text(text.replace(old, line), encoding="utf-8")
    with pytest.raises(ConfigError, match=message.replace("[", r"\[").replace("]", r"\]")):
        load_config(path)


def test_registry_ids_are_unique_and_complete(config) -> None:
    ids = config.registry.ids
    # 30 of 0.1, then from 0.2 four FMS ones (LOR to offer, by anticipated date, offers
    # expired and expiring) and five licensing ones (four outcome shares, decided median)
    assert len(ids) == 30 + 4 + 5 == len(set(ids))
    assert config.registry.get("lic_pending").unit == "count"
    p90 = config.registry.get("fms_loa_development_days_p90")
    assert (p90.population, p90.measure, p90.column) == ("fms_loas_offered", "p90", "duration_days")
    assert p90.relation == "pop_fms_loas_offered"


def _copy_pipeline(tmp_path: Path) -> Path:
    target = tmp_path / "quarterly"
    shutil.copytree(PIPELINE_TOML.parent, target)
    return target / "pipeline.toml"


def test_bad_toml_is_a_config_error(tmp_path) -> None:
    path = _copy_pipeline(tmp_path)
    path.write_text("[validation\nmax = 1", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid TOML") as info:
        load_config(path)
    assert info.value.exit_code == 78


def test_missing_setting_is_a_config_error(tmp_path) -> None:
    path = _copy_pipeline(tmp_path)
    text = path.read_text(encoding="utf-8").replace("max_quarantine_share = 0.01", "")
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match="max_quarantine_share"):
        load_config(path)


def test_duplicate_indicator_is_a_config_error(tmp_path) -> None:
    path = _copy_pipeline(tmp_path)
    registry = path.parent / "indicators.toml"
    text = registry.read_text(encoding="utf-8")
    registry.write_text(text.replace('id = "fms_loas_accepted"', 'id = "fms_loas_offered"'))
    with pytest.raises(ConfigError, match="duplicate"):
        load_config(path)


def test_config_hash_changes_with_the_config(tmp_path, config) -> None:
    path = _copy_pipeline(tmp_path)
    assert load_config(path).raw_hash == config.raw_hash
    path.write_text(path.read_text(encoding="utf-8") + "\n# changed\n", encoding="utf-8")
    assert load_config(path).raw_hash != config.raw_hash


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ('population = "fms_loas_accepted"', 'population = "fms_loas_signed"',
         "population 'fms_loas_signed' has no view populations/pop_fms_loas_signed.sql"),
        ('population = "fms_loas_accepted"', 'population = "../marts/x"', "lower-case name"),
        ('measure = "count"', 'measure = "mean"', "measure 'mean' is not one of count, sum"),
        ('measure = "count"', 'measure = "sum"', "measure sum gives usd, but the unit is count"),
        ('column = "document_id"', 'column = ""', "column '' must name a column"),
        ('column = "document_id"', 'column = "document_id; drop"', "must name a column"),
    ],
)  # fmt: skip
def test_bad_population_measure_or_column_is_a_config_error(tmp_path, old, new, message) -> None:
    # fms_loas_accepted is the first entry whose population is fms_loas_accepted, and its
    # measure and column are the first `count` and `document_id` after it.
    path = _copy_pipeline(tmp_path)
    registry = path.parent / "indicators.toml"
    text = registry.read_text(encoding="utf-8")
    head, tail = text.split('id = "fms_loas_accepted"\n', 1)
    registry.write_text(head + 'id = "fms_loas_accepted"\n' + tail.replace(old, new, 1))
    with pytest.raises(ConfigError, match="indicator fms_loas_accepted: ") as info:
        load_config(path)
    assert message in str(info.value)
    assert info.value.exit_code == 78


def test_missing_measure_is_a_config_error(tmp_path) -> None:
    path = _copy_pipeline(tmp_path)
    registry = path.parent / "indicators.toml"
    text = registry.read_text(encoding="utf-8")
    registry.write_text(text.replace('measure = "median"\n', "", 1))
    with pytest.raises(ConfigError, match="fms_loa_development_days_median lacks 'measure'"):
        load_config(path)


def test_every_indicator_declares_its_links(config) -> None:
    for indicator in config.registry.indicators:
        assert indicator.links or indicator.links_note, indicator.id
        for key in ("inflow", "outflow", "count", "reveals"):
            if key in indicator.links:
                assert indicator.links[key] in config.registry.ids, (indicator.id, key)
        if indicator.unit == "percent":
            assert indicator.links["numerator"] and indicator.links["denominator"], indicator.id
        listed = {
            outcome
            for other in config.registry.indicators
            if other.population == indicator.population
            for outcome in other.links.get("denominator", ())
        }
        assert set(indicator.links.get("within", ())) <= listed, indicator.id


def test_every_within_target_share_is_revealed_by_its_days_statistics(config) -> None:
    # A median or p90 of days over the population of a within-target share bounds it
    # (docs/disclosure.md, thresholds): each such statistic must declare ``reveals``.
    registry = config.registry
    shares = {i.population: i.id for i in registry.indicators if "within_target" in i.id}
    for indicator in registry.indicators:
        if indicator.unit == "days" and indicator.population in shares:
            assert indicator.links.get("reveals") == shares[indicator.population], indicator.id


def _edit_entry(tmp_path: Path, indicator_id: str, old: str, new: str) -> Path:
    """The pipeline copied with ``old`` replaced by ``new`` in one registry entry."""
    path = _copy_pipeline(tmp_path)
    registry = path.parent / "indicators.toml"
    head, tail = registry.read_text(encoding="utf-8").split(f'id = "{indicator_id}"\n', 1)
    entry, rest = tail.split("[[indicator]]", 1) if "[[indicator]]" in tail else (tail, None)
    assert old in entry, (indicator_id, old)
    entry = entry.replace(old, new, 1)
    body = entry if rest is None else entry + "[[indicator]]" + rest
    registry.write_text(head + f'id = "{indicator_id}"\n' + body, encoding="utf-8")
    return path


PENDING_LINKS = 'links = { inflow = "lic_applications_received", outflow = "lic_final_actions" }'
RATE_NUMERATOR = 'numerator = ["APPROVED", "APPROVED_WITH_CONDITIONS"], '
NOTE = 'links_note = "A flow count'


@pytest.mark.parametrize(
    ("indicator_id", "old", "new", "message"),
    [
        ("lic_pending", PENDING_LINKS, "", "lacks 'links'"),
        ("fms_lors_received", NOTE, 'comment = "A flow count', "need a links_note"),
        ("fms_lors_received", "links = {}", 'links = { count = "fms_lors_withdrawn" }',
         "count = 'fms_lors_withdrawn' names no published count indicator"),
        ("lic_pending", 'outflow = "lic_final_actions"', 'outflow = "lic_processing_days_median"',
         "outflow = 'lic_processing_days_median' names no published count indicator"),
        ("lic_pending", ', outflow = "lic_final_actions"', "", "both its inflow and its outflow"),
        ("lic_approval_rate_pct", RATE_NUMERATOR, "", "numerator and denominator"),
        ("lic_approval_rate_pct", "links = { ", "links = { weight = 2, ", "unknown keys"),
        ("lic_approved_value_usd", '"APPROVED_WITH_CONDITIONS"]', '"GRANTED"]',
         "names outcomes no rate over its population lists"),
        ("lic_approved_value_usd", "links = { ", 'links = { count = "lic_final_actions", ',
         "within belongs to a sum or statistic without a count link"),
        ("lic_processing_days_p90", 'reveals = "lic_decided_within_target_pct"',
         'reveals = "fms_loas_offered_within_target_pct"', "no share over the same population"),
        ("lic_processing_days_p90", 'reveals = "lic_decided_within_target_pct"',
         'reveals = "lic_final_actions"', "names no share over the same population"),
    ],
)  # fmt: skip
def test_bad_links_are_a_config_error(tmp_path, indicator_id, old, new, message) -> None:
    path = _edit_entry(tmp_path, indicator_id, old, new)
    with pytest.raises(ConfigError, match=indicator_id) as info:
        load_config(path)
    assert message in str(info.value)
    assert info.value.exit_code == 78


def test_old_british_targets_key_is_refused_naming_the_new_one(tmp_path) -> None:
    path = _copy_pipeline(tmp_path)
    text = path.read_text(encoding="utf-8")
    assert "[targets.license]\n" in text
    path.write_text(text.replace("[targets.license]\n", "[targets.licence]\n"), encoding="utf-8")
    with pytest.raises(ConfigError, match=r"\[targets\.license\]") as info:
        load_config(path)
    assert info.value.exit_code == 78
    assert "\n" not in str(info.value)
    assert "[targets.licence]" in str(info.value)


def test_old_key_beside_the_new_one_is_refused_too(tmp_path) -> None:
    # both tables present: the old one is not silently ignored
    path = _copy_pipeline(tmp_path)
    text = path.read_text(encoding="utf-8")
    path.write_text(text + "\n[targets.licence]\nSTATE = 1\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"\[targets\.license\]"):
        load_config(path)


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('"FY2026-Q2" = "2026-02-30"', "'FY2026-Q2' = '2026-02-30': not a date"),
        ('"FY2026-Q2" = "15/05/2026"', "'FY2026-Q2' = '15/05/2026': not a date"),
        ('"FY2026-Q2" = 20260515', "'FY2026-Q2' = 20260515: not a date"),
        # before the quarter (January to March 2026) ends: a typo that would publish early
        ('"FY2026-Q2" = "2026-03-31"', "= 2026-03-31: not after the quarter ends (2026-03-31)"),
        ('"FY2026-Q2" = "2025-05-15"', "not after the quarter ends"),
        ('"fy2026-q2" = "2026-05-15"',
         "'fy2026-q2': not a quarter such as FY2026-Q3 (write \"FY2026-Q2\")"),
        ('"FY2026-Q5" = "2026-05-15"', "'FY2026-Q5': not a quarter such as FY2026-Q3"),
        ('default_lag_days = "x"', "default_lag_days = 'x': a whole number of days from 1 to 730"),
        ("default_lag_days = -1", "default_lag_days = -1"),
        ("default_lag_days = 0", "a whole number of days from 1 to 730"),  # the last day
        ('"FY2026-Q2" = "2099-05-15"', "more than 730 days after the quarter ends"),
        ('zone = "localtime"', "'localtime' is not an IANA zone name"),
        ('zone = "America"', "'America' is not an IANA zone name"),  # a tzdata folder
        ("default_lag_days = 4500", "default_lag_days = 4500"),
        ("default_lag_days = true", "default_lag_days = True"),
        # FY2026-Q4's release (2026-11-13) would show FY2026-Q3's figures a week early
        ('"FY2026-Q3" = "2026-11-20"',
         "FY2026-Q4 would be released on 2026-11-13, before FY2026-Q3 (2026-11-20)"),
        # FY2026-Q1 is not listed: 2025-12-31 + 200 days = 2026-07-19, after FY2026-Q2's
        ("default_lag_days = 200",
         "FY2026-Q2 would be released on 2026-05-15, before FY2026-Q1 (2026-07-19)"),
        # FY2027-Q1 is not listed: 2026-12-31 + 45 days = 2027-02-14, before FY2026-Q4's
        ('"FY2026-Q4" = "2027-03-01"',
         "FY2027-Q1 would be released on 2027-02-14, before FY2026-Q4 (2027-03-01)"),
    ],
)  # fmt: skip
def test_a_bad_calendar_entry_is_a_config_error_naming_it(tmp_path, line, message) -> None:
    path = _copy_pipeline(tmp_path)
    text = path.read_text(encoding="utf-8")
    key = line.split(" = ")[0]
    lines = [row for row in text.splitlines() if not row.lower().startswith(key.lower() + " =")]
    at = lines.index("[release_calendar]") + 1
    path.write_text("\n".join([*lines[:at], line, *lines[at:]]) + "\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=re.escape(message)):
        load_config(path)


def test_a_calendar_date_may_be_a_toml_date(tmp_path) -> None:
    path = _copy_pipeline(tmp_path)
    text = path.read_text(encoding="utf-8")
    assert '"FY2026-Q2" = "2026-05-15"' in text
    path.write_text(text.replace('"FY2026-Q2" = "2026-05-15"', '"FY2026-Q2" = 2026-05-22'))
    assert load_config(path).release_date(Quarter(2026, 2)) == dt.date(2026, 5, 22)


def test_a_folder_given_as_the_configuration_is_a_config_error(tmp_path) -> None:
    with pytest.raises(ConfigError, match="cannot be read"):
        load_config(tmp_path)
