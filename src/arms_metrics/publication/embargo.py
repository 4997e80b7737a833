"""The embargo: when a release built into a site may reach the public.

A release may be public from the latest of: the instant its manifest records (``embargo``:
the release date at the calendar's time and zone when it was first published), and its
recorded date or the calendar's date now, at the calendar's time and zone now. So raising a
date, a later time or a zone further west postpones a built release, and nothing brings
one forward. Instants are compared in UTC (two datetimes in one zone compare by wall clock,
wrong across a daylight-saving change). ``--now`` replaces the clock for tests.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from pathlib import Path

from arms_metrics.config import Config
from arms_metrics.errors import TryLater, UsageError
from arms_metrics.quarters import Quarter
from arms_metrics.release import published_date, published_embargo
from arms_metrics.release_calendar import utc_text


def parse_now(text: str | None, zone: str) -> dt.datetime:
    """``--now`` as an aware datetime in UTC (a time without an offset is read in ``zone``);
    the system clock when not given; exit 2 for anything else."""
    if text is None:
        return dt.datetime.now(dt.UTC)
    try:
        moment = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        msg = f"--now {text!r}: not an ISO date and time such as 2026-08-14T11:00Z"
        raise UsageError(msg) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zoneinfo.ZoneInfo(zone))
    try:
        return moment.astimezone(dt.UTC)
    except OverflowError:  # 0001-01-01T00:00+01:00 is before the first UTC instant
        raise UsageError(f"--now {text!r}: outside the dates this tool can compare") from None


def embargo(site: Path, quarter: Quarter, config: Config) -> dt.datetime:
    """When ``quarter``'s release in ``site`` may be public: the latest of the instant its
    manifest records (the calendar's time and zone when it was built), its recorded date
    and the calendar's date now (the date it lists, else the quarter's end plus
    ``default_lag_days``: raising either postpones a built release), each at the calendar's
    time and zone now. A later time, or a zone further west, in the configuration given to
    publish postpones a release; an earlier one never brings it forward."""
    days = [published_date(site, quarter), config.release_date(quarter)]
    moment = config.release_moment(quarter, max(day for day in days if day is not None))
    recorded = published_embargo(site, quarter)
    return moment if recorded is None else max(moment, recorded, key=_instant)


def _instant(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(dt.UTC)


def check_embargo(site: Path, quarters: list[Quarter], config: Config, now: dt.datetime) -> None:
    """Exit 75 naming the first of ``quarters`` whose release time is after ``now`` (every
    one given: a release folder cut short of its figures is embargoed all the same)."""
    for quarter in quarters:
        moment = embargo(site, quarter, config)
        # in UTC: two datetimes in one zone compare by wall clock, wrong across a DST change
        if now.astimezone(dt.UTC) < moment.astimezone(dt.UTC):
            shown = moment.astimezone(zoneinfo.ZoneInfo(config.release_zone))
            local = f"{shown:%Y-%m-%d %H:%M} {config.release_zone}"
            raise TryLater(
                f"{quarter} is under embargo until {local} ({utc_text(moment)}); "
                f"it is {utc_text(now)}: publish again then"
            )
