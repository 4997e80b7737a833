"""``SOURCE_DATE_EPOCH``: the date a build stands for, when the environment fixes it.

The variable holds a whole number of seconds since 1970-01-01 UTC
(reproducible-builds.org/specs/source-date-epoch). Anything else is a usage error (exit 2),
checked before any library is imported: some read it themselves and fail on a bad value.
"""

from __future__ import annotations

import datetime as dt
import os

from arms_metrics.errors import UsageError

VARIABLE = "SOURCE_DATE_EPOCH"


def check() -> None:
    """Validate the variable before any library reads it: an empty (or blank) value means
    unset, and is removed from the environment (numpy would read ``int('')`` and fail, as a
    CI template that sets it to nothing does); anything else but whole seconds, exit 2."""
    if VARIABLE in os.environ and not os.environ[VARIABLE].strip():
        del os.environ[VARIABLE]
    epoch_instant()


def epoch_instant() -> dt.datetime | None:
    """The instant (aware, UTC) the variable gives, when set and not empty; exit 2 for
    anything but a whole number of seconds."""
    text = os.environ.get(VARIABLE, "").strip()
    if not text:
        return None
    try:
        if not (text.isascii() and text.isdigit()):
            raise ValueError(text)
        return dt.datetime.fromtimestamp(int(text), tz=dt.UTC)
    except (ValueError, OverflowError, OSError):
        raise UsageError(
            f"{VARIABLE}={text[:40]!r} is not a whole number of seconds since 1970-01-01 UTC"
        ) from None


def epoch_date() -> dt.date | None:
    """The date (UTC) the variable gives, when set and not empty; exit 2 otherwise."""
    moment = epoch_instant()
    return None if moment is None else moment.date()
