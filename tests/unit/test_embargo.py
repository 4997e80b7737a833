"""The embargo compares instants, not wall clocks: right across a daylight-saving change."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import zoneinfo

import pytest

from arms_metrics.config import load_config
from arms_metrics.errors import TryLater
from arms_metrics.publication.embargo import check_embargo, parse_now
from arms_metrics.quarters import Quarter
from arms_metrics.release_calendar import utc_text

QUARTER = Quarter(2025, 2)


@pytest.fixture
def site(tmp_path):
    """A site whose FY2025-Q2 release records the date 2026-03-08 (clocks in New York go
    from 02:00 EST to 03:00 EDT that night)."""
    folder = tmp_path / "site" / "releases" / QUARTER.label
    (folder / "data").mkdir(parents=True)
    (folder / "data" / "indicators.csv").write_text("indicator_id\n")
    (folder / "manifest.json").write_text(json.dumps({"release_date": "2026-03-08"}))
    return tmp_path / "site"


@pytest.fixture
def config():
    """Released at 03:00 in New York (07:00 UTC that day, daylight time), no calendar."""
    return dataclasses.replace(load_config(), release_calendar={}, release_time=dt.time(3, 0))


@pytest.mark.parametrize(
    ("now", "embargoed"),
    [
        # 02:30 does not exist that night: read before the change (EST, UTC-5) it is 07:30
        # UTC, after 07:00 UTC (a wall-clock comparison said 02:30 < 03:00: embargoed)
        ("2026-03-08T02:30", False),
        ("2026-03-08T01:59", True),  # EST: 06:59 UTC
        ("2026-03-08T03:00", False),  # EDT: 07:00 UTC, the moment itself
        ("2026-03-08T06:59Z", True),
        ("2026-03-08T07:00Z", False),
    ],
)
def test_the_embargo_compares_instants(site, config, now, embargoed) -> None:
    moment = parse_now(now, config.release_zone)
    if embargoed:
        with pytest.raises(TryLater, match=r"until 2026-03-08 03:00 America/New_York"):
            check_embargo(site, [QUARTER], config, moment)
    else:
        check_embargo(site, [QUARTER], config, moment)


def test_a_time_with_an_offset_is_read_as_given(site, config) -> None:
    # 01:59 at UTC-5 is 06:59 UTC: embargoed; 02:01 at UTC-5 is 07:01 UTC: not
    with pytest.raises(TryLater):
        check_embargo(site, [QUARTER], config, parse_now("2026-03-08T01:59-05:00", "UTC"))
    check_embargo(site, [QUARTER], config, parse_now("2026-03-08T02:01-05:00", "UTC"))


def test_a_longer_default_lag_postpones_a_built_release(site, config) -> None:
    """FY2025-Q2 ends 2025-03-31 and is not listed: with default_lag_days 400 its calendar
    date is now 2026-05-05, after the 2026-03-08 its manifest records."""
    later = dataclasses.replace(config, release_lag_days=400)
    with pytest.raises(TryLater, match=r"until 2026-05-05 03:00 America/New_York"):
        check_embargo(site, [QUARTER], later, parse_now("2026-05-05T02:59", later.release_zone))
    check_embargo(site, [QUARTER], later, parse_now("2026-05-05T03:00", later.release_zone))
    # a shorter lag never brings it forward: the manifest's date still holds
    sooner = dataclasses.replace(config, release_lag_days=0)
    with pytest.raises(TryLater, match=r"until 2026-03-08 03:00"):
        check_embargo(site, [QUARTER], sooner, parse_now("2026-03-08T01:00", sooner.release_zone))


def test_the_embargo_the_build_recorded_holds_whatever_config_publish_is_given(site, config):
    """The build recorded 2026-03-08 at 03:00 New York (07:00 UTC, daylight time): a
    configuration releasing at midnight in Kiritimati (UTC+14: 2026-03-07T10:00Z) given to
    publish never brings the release forward; a later time postpones it."""
    path = site / "releases" / QUARTER.label / "manifest.json"
    path.write_text(json.dumps({"release_date": "2026-03-08", "embargo": "2026-03-08T07:00:00Z"}))
    early = dataclasses.replace(
        config, release_time=dt.time(0, 0), release_zone="Pacific/Kiritimati"
    )
    with pytest.raises(TryLater, match=r"until 2026-03-08 21:00 Pacific/Kiritimati .2026-03-08T07"):
        check_embargo(site, [QUARTER], early, parse_now("2026-03-08T06:59Z", "UTC"))
    check_embargo(site, [QUARTER], early, parse_now("2026-03-08T07:00Z", "UTC"))
    late = dataclasses.replace(config, release_time=dt.time(12, 0))  # 16:00 UTC
    with pytest.raises(TryLater, match=r"until 2026-03-08 12:00 America/New_York"):
        check_embargo(site, [QUARTER], late, parse_now("2026-03-08T15:59Z", "UTC"))


@pytest.mark.parametrize(
    "recorded", ["9999-12-31T23:00:00-05:00", "0001-01-01T00:00:00+01:00", "2026-03-08", "soon", 7]
)
def test_an_embargo_the_manifest_cannot_give_falls_back_to_the_calendar(site, config, recorded):
    """Past the last UTC instant, before the first, without an offset, not a time: the
    calendar's moment (2026-03-08 03:00 New York, 07:00 UTC) holds, and nothing breaks."""
    path = site / "releases" / QUARTER.label / "manifest.json"
    path.write_text(json.dumps({"release_date": "2026-03-08", "embargo": recorded}))
    with pytest.raises(TryLater, match=r"until 2026-03-08 03:00 America/New_York"):
        check_embargo(site, [QUARTER], config, parse_now("2026-03-08T06:59Z", "UTC"))
    check_embargo(site, [QUARTER], config, parse_now("2026-03-08T07:00Z", "UTC"))


@pytest.mark.parametrize(
    ("local", "zone", "expected"),
    [  # worked by hand: EDT is UTC-4, EST UTC-5, Honolulu UTC-10 all year
        ("2026-08-14T11:00", "America/New_York", "2026-08-14T15:00:00Z"),
        ("2026-11-13T11:00", "America/New_York", "2026-11-13T16:00:00Z"),
        ("2026-12-31T20:30", "Pacific/Honolulu", "2027-01-01T06:30:00Z"),  # the next year
        ("2026-06-01T00:00", "UTC", "2026-06-01T00:00:00Z"),
    ],
)
def test_an_embargo_is_written_as_an_instant_in_utc(local, zone, expected) -> None:
    moment = dt.datetime.fromisoformat(local).replace(tzinfo=zoneinfo.ZoneInfo(zone))
    assert utc_text(moment) == expected
