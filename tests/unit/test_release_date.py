"""The date a release carries: the calendar's, else SOURCE_DATE_EPOCH's, else quarter end +
the default lag; a SOURCE_DATE_EPOCH that is not a date after the quarter is refused."""

from __future__ import annotations

import datetime as dt

import pytest

from arms_metrics.errors import UsageError
from arms_metrics.pipeline import release_date
from arms_metrics.quarters import Quarter
from tests.conftest import arms_metrics

NOT_IN_CALENDAR = Quarter(2025, 1)  # October to December 2024


@pytest.mark.parametrize(
    ("epoch", "expected"),
    [
        (None, dt.date(2025, 2, 14)),  # 2024-12-31 + 45 days
        ("", dt.date(2025, 2, 14)),
        ("1739491200", dt.date(2025, 2, 14)),  # 2025-02-14T00:00:00Z: the default date
        (" 1739577599 ", dt.date(2025, 2, 14)),  # 23:59:59 UTC that day
        ("1739577600", dt.date(2025, 2, 15)),  # later: the epoch's date
    ],
)
def test_the_epoch_dates_a_release_the_calendar_does_not(monkeypatch, config, epoch, expected):
    if epoch is None:
        monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    else:
        monkeypatch.setenv("SOURCE_DATE_EPOCH", epoch)
    assert release_date(config, NOT_IN_CALENDAR) == expected
    # the calendar wins: FY2026-Q2 is scheduled on 2026-05-15
    assert release_date(config, Quarter(2026, 2)) == dt.date(2026, 5, 15)


@pytest.mark.parametrize(
    ("epoch", "message"),
    [
        ("abc", "'abc' is not a whole number of seconds"),
        ("-5", "'-5' is not a whole number"),
        ("1.5e9", "'1.5e9' is not a whole number"),
        ("9" * 30, "is not a whole number"),  # past any date: no internal error
        ("²", "'²' is not a whole number"),
        # before 2025-02-14 (2024-12-31 + 45 days), when publish would release it anyway
        ("1739491199", "is 2025-02-13, before FY2025-Q1's release date (2025-02-14: its end"),
        ("1735689599", "is 2024-12-31, before FY2025-Q1's release date"),
        ("0", "is 1970-01-01, before FY2025-Q1's release date"),
    ],
)
def test_a_bad_epoch_is_a_usage_error(monkeypatch, config, epoch, message) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", epoch)
    with pytest.raises(UsageError, match=message.replace("(", r"\(").replace(")", r"\)")):
        release_date(config, NOT_IN_CALENDAR)


def test_a_bad_epoch_is_refused_before_any_library_reads_it(tmp_path) -> None:
    """numpy reads SOURCE_DATE_EPOCH itself when imported and fails on 'abc' (an internal
    error, exit 1, before this check): the command line checks it first, in a fresh process."""
    done = arms_metrics(
        "validate", "--input", str(tmp_path / "missing"), "--work", str(tmp_path / "work"),
        env={"SOURCE_DATE_EPOCH": "abc"},
    )  # fmt: skip
    assert done.returncode == 2
    assert done.stderr == (
        "arms-metrics: error: SOURCE_DATE_EPOCH='abc' is not a whole number of seconds since "
        "1970-01-01 UTC\n"
    )


def test_an_epoch_years_after_the_release_date_is_refused(monkeypatch, config) -> None:
    # FY2025-Q1's default date is 2025-02-14; 2027-02-15 is 731 days after it
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1802649600")  # 2027-02-15T00:00:00Z
    with pytest.raises(UsageError, match="more than 730 days after FY2025-Q1's release date"):
        release_date(config, NOT_IN_CALENDAR)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1802563200")  # 2027-02-14: 730 days, accepted
    assert release_date(config, NOT_IN_CALENDAR) == dt.date(2027, 2, 14)


ZONE = "America/New_York"


def test_a_correction_is_never_dated_after_today(monkeypatch, tmp_path) -> None:
    from arms_metrics.publication.corrections import correction_day

    now = dt.datetime(2026, 11, 30, 12, 0, tzinfo=dt.UTC)  # 07:00 in New York
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764633600")  # 2025-12-02 00:00 UTC
    with pytest.raises(UsageError, match="after today .2025-11-30 in America/New_York."):
        correction_day(ZONE, tmp_path, Quarter.parse("FY2026-Q3"), now - dt.timedelta(days=365))
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764504000")  # 2025-11-30 12:00 UTC: past, kept
    assert correction_day(ZONE, tmp_path, Quarter.parse("FY2026-Q3"), now) == dt.date(2025, 11, 30)
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    assert correction_day(ZONE, tmp_path, Quarter.parse("FY2026-Q3"), now) == dt.date(2026, 11, 30)


@pytest.mark.parametrize(
    ("utc", "expected"),
    [
        # 2026-12-01 03:00 UTC is still 2026-11-30 22:00 in New York (UTC-5 in December)
        (dt.datetime(2026, 12, 1, 3, 0, tzinfo=dt.UTC), dt.date(2026, 11, 30)),
        (dt.datetime(2026, 12, 1, 5, 0, tzinfo=dt.UTC), dt.date(2026, 12, 1)),
        # 14:00 on 2026-11-30 in Kiritimati (UTC+14) is 19:00 on 2026-11-29 in New York
        (dt.datetime(2026, 11, 30, 14, 0, tzinfo=dt.timezone(dt.timedelta(hours=14))),
         dt.date(2026, 11, 29)),
    ],
)  # fmt: skip
def test_a_correction_is_dated_in_the_calendar_zone_not_the_machine_zone(
    monkeypatch, tmp_path, utc, expected
) -> None:
    from arms_metrics.publication.corrections import correction_day

    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    assert correction_day(ZONE, tmp_path, Quarter.parse("FY2026-Q3"), utc) == expected


def test_a_correction_of_a_public_release_is_not_back_dated(monkeypatch, tmp_path) -> None:
    """FY2026-Q3 was released on 2026-08-14 (its manifest). An epoch date before then is
    refused once that date has passed, kept while the release is still under embargo."""
    from arms_metrics.publication.corrections import correction_day

    def release(label: str, day: str) -> None:
        folder = tmp_path / "releases" / label
        (folder / "data").mkdir(parents=True)
        (folder / "data" / "indicators.csv").write_text("indicator_id\n", encoding="utf-8")
        (folder / "manifest.json").write_text(f'{{"release_date": "{day}"}}', encoding="utf-8")

    release("FY2026-Q3", "2026-08-14")
    q3 = Quarter.parse("FY2026-Q3")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")  # 2026-01-01
    with pytest.raises(UsageError, match="before FY2026-Q3's release date .2026-08-14., which"):
        correction_day(ZONE, tmp_path, q3, dt.datetime(2026, 11, 30, 12, tzinfo=dt.UTC))
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1786017600")  # 2026-08-06 12:00 UTC, before release
    on_the_6th = dt.datetime(2026, 8, 6, 16, tzinfo=dt.UTC)
    assert correction_day(ZONE, tmp_path, q3, on_the_6th) == dt.date(2026, 8, 6)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1786708800")  # 2026-08-14 12:00 UTC: not before
    assert correction_day(ZONE, tmp_path, q3, on_the_6th + dt.timedelta(days=30)) == dt.date(
        2026, 8, 14
    )
    # FY2026-Q4 public since 2026-11-13: a correction of FY2026-Q3 dated 2026-08-15 would
    # claim it came before a release that is public: refused
    release("FY2026-Q4", "2026-11-13")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1786795200")  # 2026-08-15 12:00 UTC
    with pytest.raises(UsageError, match="before FY2026-Q4's release date .2026-11-13., which"):
        correction_day(ZONE, tmp_path, q3, dt.datetime(2026, 11, 30, 12, tzinfo=dt.UTC))
    # on 2026-11-12, FY2026-Q4 not yet public: 2026-08-15 stands
    day = correction_day(ZONE, tmp_path, q3, dt.datetime(2026, 11, 12, 16, tzinfo=dt.UTC))
    assert day == dt.date(2026, 8, 15)


def test_an_epoch_is_dated_in_the_calendar_zone_as_today_is(monkeypatch, tmp_path) -> None:
    """1796007600 is 2026-11-30 03:00 UTC, still 2026-11-29 22:00 in New York (UTC-5)."""
    from arms_metrics.publication.corrections import correction_day

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1796007600")
    now = dt.datetime(2026, 11, 30, 12, 0, tzinfo=dt.UTC)
    assert correction_day(ZONE, tmp_path, Quarter.parse("FY2026-Q3"), now) == dt.date(2026, 11, 29)


def test_an_empty_epoch_is_unset_before_any_library_reads_it(tmp_path) -> None:
    """numpy reads SOURCE_DATE_EPOCH itself and fails on an empty value (int(''))."""
    import os
    import subprocess
    import sys

    env = {**os.environ, "SOURCE_DATE_EPOCH": " "}
    done = subprocess.run(
        [sys.executable, "-m", "arms_metrics", "validate", "--input", str(tmp_path / "none")],
        capture_output=True, text=True, env=env, check=False,
    )  # fmt: skip
    assert "internal error" not in done.stderr and "SOURCE_DATE_EPOCH" not in done.stderr
    assert done.returncode == 2 and done.stderr.count("\n") == 1, done.stderr
