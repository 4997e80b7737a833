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


def epoch_date() -> dt.date | None:
    """The date (UTC) the variable gives, when set and not empty; exit 2 otherwise."""
    text = os.environ.get(VARIABLE, "").strip()
    if not text:
        return None
    try:
        if not (text.isascii() and text.isdigit()):
            raise ValueError(text)
        return dt.datetime.fromtimestamp(int(text), tz=dt.UTC).date()
    except (ValueError, OverflowError, OSError):
        raise UsageError(
            f"{VARIABLE}={text[:40]!r} is not a whole number of seconds since 1970-01-01 UTC"
        ) from None
