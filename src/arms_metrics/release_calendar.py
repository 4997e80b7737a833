"""``[release_calendar]`` of ``pipeline.toml``: when each release may reach the public.

``default_lag_days`` (a quarter not listed is released this many days after its end),
``time`` ("HH:MM") and ``zone`` (an IANA zone) for the time of day, and one line per
scheduled quarter, ``"FY2026-Q3" = "2026-08-14"``. Everything is checked when the
configuration is read: a mistake here would publish early or hold a release back, so each
one is exit 78 naming the key (OMB Statistical Policy Directive 4: a release calendar
announced in advance and kept).
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from pathlib import Path
from typing import Any

from arms_metrics.errors import ConfigError
from arms_metrics.quarters import Quarter, iso_date

MAX_LAG_DAYS = 730  # two years: a longer default lag is a typing mistake
# tzdata entries that are not a place: the machine's own zone, placeholders
MACHINE_ZONES = ("localtime", "Factory", "posixrules")


def read(section: object, path: Path) -> dict[str, Any]:
    """The ``Config`` fields of ``[release_calendar]``: ``release_calendar`` (label -> ISO
    date), ``release_lag_days``, ``release_time`` and ``release_zone``; exit 78 otherwise."""
    if not isinstance(section, dict):
        raise ConfigError(f"{path}: [release_calendar] must be a table")
    calendar = dict(section)
    lag = calendar.pop("default_lag_days", 45)
    if isinstance(lag, bool) or not isinstance(lag, int) or not 1 <= lag <= MAX_LAG_DAYS:
        raise ConfigError(
            f"{path}: [release_calendar] default_lag_days = {lag!r}: a whole number of days "
            f"from 1 to {MAX_LAG_DAYS}"
        )
    clock = _clock(calendar, path)
    dates = {label: _date(label, value, path) for label, value in calendar.items()}
    _check_order(dates, lag, path)
    return {"release_calendar": dates, "release_lag_days": lag, **clock}


def _check_order(dates: dict[str, str], lag: int, path: Path) -> None:
    """Exit 78 when a quarter would be released after a later one: a release shows every
    earlier quarter's figures, so the later release would publish them before their own
    date. Quarters not listed count at their default date (their end plus ``lag``)."""
    listed = {Quarter.parse(label): dt.date.fromisoformat(day) for label, day in dates.items()}
    if not listed:
        return
    latest: tuple[Quarter, dt.date] | None = None
    # default dates grow with the quarter: the unlisted one just before the first listed,
    # and those after the last until one is due after it (a lag is at most 730 days)
    span = Quarter.span(
        Quarter.from_index(min(listed).index - 1),
        Quarter.from_index(max(listed).index + MAX_LAG_DAYS // 90 + 1),
    )
    for quarter in span:
        day = listed.get(quarter, quarter.end + dt.timedelta(days=lag))
        if latest is not None and day < latest[1]:
            raise ConfigError(
                f"{path}: [release_calendar] {quarter} would be released on {day.isoformat()}, "
                f"before {latest[0]} ({latest[1].isoformat()}), whose figures its release "
                "shows: release quarters in order"
            )
        if latest is None or day >= latest[1]:
            latest = (quarter, day)


def _date(label: str, value: object, path: Path) -> str:
    """A scheduled quarter's date as ISO text: the key a canonical quarter label, the value
    a date (quoted or a TOML date) after the quarter ends."""
    where = f"{path}: [release_calendar] {label!r}"
    try:
        quarter = Quarter.parse(label)
    except ValueError:
        quarter = None
    if quarter is None or quarter.label != label:
        hint = f' (write "{quarter.label}")' if quarter is not None else ""
        raise ConfigError(f"{where}: not a quarter such as FY2026-Q3{hint}")
    try:
        day = iso_date(value)
    except ValueError:
        raise ConfigError(f'{where} = {value!r}: not a date such as "2026-08-14"') from None
    if day <= quarter.end:
        raise ConfigError(
            f"{where} = {day.isoformat()}: not after the quarter ends ({quarter.end.isoformat()})"
        )
    if (day - quarter.end).days > MAX_LAG_DAYS:
        raise ConfigError(
            f"{where} = {day.isoformat()}: more than {MAX_LAG_DAYS} days after the quarter ends"
        )
    return day.isoformat()


def _clock(calendar: dict[str, Any], path: Path) -> dict[str, Any]:
    """``time`` (HH:MM, default 11:00) and ``zone`` (an IANA zone, default
    America/New_York), popped from ``calendar`` and checked."""
    time, zone = calendar.pop("time", "11:00"), calendar.pop("zone", "America/New_York")
    msg = 'time must be "HH:MM" and zone an IANA zone such as "America/New_York"'
    if isinstance(time, str) and re.fullmatch(r"\d{2}:\d{2}[+-]\d{2}:?\d{2}|\d{2}:\d{2}Z", time):
        raise ConfigError(f'{path}: [release_calendar] time "{time}" takes no offset: set zone')
    try:
        if not (isinstance(time, str) and re.fullmatch(r"\d{2}:\d{2}", time)):
            raise ValueError(f"{time!r} is not HH:MM")  # seconds, a number, a TOML time
        if (
            not isinstance(zone, str)
            or zone in MACHINE_ZONES
            or (
                zone not in zoneinfo.available_timezones()  # a tzdata folder ("America") too
            )
        ):
            raise ValueError(f"{zone!r} is not an IANA zone name")
        clock = dt.time.fromisoformat(time)
    except ValueError as exc:
        raise ConfigError(f"{path}: bad [release_calendar] time or zone: {msg} ({exc})") from None
    return {"release_time": clock, "release_zone": zone}


def utc_text(moment: dt.datetime) -> str:
    """An aware instant as an ISO 8601 instant in UTC, "2026-08-14T15:00:00Z": how the
    manifest records an embargo and ``publish`` names one."""
    return moment.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")
