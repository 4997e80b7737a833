"""The US federal fiscal quarter: the one place quarter labels are parsed and formatted.

FY2026 runs 2025-10-01 .. 2026-09-30; FY2026-Q1 is October to December 2025.
The canonical label is ``FY2026-Q2``; the CLI also accepts ``2026Q2`` and ``fy2026q2``.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import total_ordering

_LABEL = re.compile(r"^\s*(?:FY)?([0-9]{4})-?Q([1-4])\s*$", re.IGNORECASE | re.ASCII)
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", re.ASCII)


def iso_date(value: object) -> dt.date:
    """A date written in a configuration file: ``"YYYY-MM-DD"`` or a TOML date (not a date
    and time); ValueError for anything else (``"2026-02-30"``, ``"15/05/2026"``, a number)."""
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if not (isinstance(value, str) and _ISO_DATE.fullmatch(value)):
        raise ValueError(value)
    return dt.date.fromisoformat(value)


@total_ordering
@dataclass(frozen=True, slots=True)
class Quarter:
    """A fiscal quarter: ``fiscal_year`` (e.g. 2026) and ``quarter`` (1..4)."""

    fiscal_year: int
    quarter: int

    def __post_init__(self) -> None:
        if not 1 <= self.quarter <= 4:
            raise ValueError(f"fiscal quarter must be 1..4, not {self.quarter}")
        if not 1901 <= self.fiscal_year <= 9999:
            raise ValueError(f"fiscal year out of range: {self.fiscal_year}")

    # -- parsing and formatting -------------------------------------------------
    @classmethod
    def parse(cls, text: str) -> Quarter:
        """Parse ``FY2026-Q2``, ``2026Q2`` or ``fy2026q2`` (any case)."""
        match = _LABEL.match(text or "")
        if not match:
            raise ValueError(f"not a fiscal quarter: {text!r} (expected e.g. FY2026-Q2)")
        return cls(int(match.group(1)), int(match.group(2)))

    @property
    def label(self) -> str:
        return f"FY{self.fiscal_year}-Q{self.quarter}"

    def __str__(self) -> str:
        return self.label

    # -- calendar ---------------------------------------------------------------
    @classmethod
    def of(cls, day: dt.date) -> Quarter:
        """The fiscal quarter that contains ``day``."""
        fiscal_year = day.year + 1 if day.month >= 10 else day.year
        quarter = ((day.month - 10) % 12) // 3 + 1
        return cls(fiscal_year, quarter)

    @property
    def start(self) -> dt.date:
        month = (self.quarter - 1) * 3 + 10
        year = self.fiscal_year - 1
        if month > 12:
            month -= 12
            year += 1
        return dt.date(year, month, 1)

    @property
    def end(self) -> dt.date:
        """The quarter's last day, computed from its own start: the last quarter of the
        calendar, FY9999-Q4, ends on 9999-09-30 though it has no next quarter."""
        start = self.start
        year, month = (start.year + 1, 1) if start.month == 10 else (start.year, start.month + 3)
        return dt.date(year, month, 1) - dt.timedelta(days=1)

    def contains(self, day: dt.date) -> bool:
        return self.start <= day <= self.end

    # -- arithmetic -------------------------------------------------------------
    @property
    def index(self) -> int:
        return self.fiscal_year * 4 + self.quarter - 1

    @classmethod
    def from_index(cls, index: int) -> Quarter:
        return cls(index // 4, index % 4 + 1)

    def shift(self, quarters: int) -> Quarter:
        return Quarter.from_index(self.index + quarters)

    def next(self) -> Quarter:
        return self.shift(1)

    def previous(self) -> Quarter:
        return self.shift(-1)

    def year_ago(self) -> Quarter:
        return self.shift(-4)

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Quarter):
            return NotImplemented
        return self.index < other.index

    @classmethod
    def latest_ended(cls, today: dt.date) -> Quarter:
        """The latest fiscal quarter that has ended strictly before ``today``."""
        return cls.of(today).previous()

    @classmethod
    def span(cls, first: Quarter, last: Quarter) -> list[Quarter]:
        """Every quarter from ``first`` to ``last`` inclusive, in order."""
        return [cls.from_index(i) for i in range(first.index, last.index + 1)]
