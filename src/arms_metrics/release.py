"""What one release is: the quarter, its date, its disclosed cells and where they came from.

Built by ``pipeline.py`` after disclosure control and revisions; read by ``publish.py``
(CSV, JSON catalogues, manifest) and ``render.py`` (HTML). Nothing here is computed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import polars as pl

from arms_metrics.config import Config
from arms_metrics.quarters import Quarter


@dataclass(frozen=True)
class InputFile:
    """One input table as read: for the manifest (file name only, never an absolute path)."""

    table: str
    file_name: str
    sha256: str
    rows_read: int
    rows_accepted: int
    rows_quarantined: int


@dataclass(frozen=True)
class Release:
    quarter: Quarter
    release_date: dt.date
    config: Config
    cells: pl.DataFrame  # CELL_SCHEMA, disclosed and revision-marked, every period <= quarter
    version: str
    unavailable: tuple[str, ...] = ()  # indicator ids whose source tables were absent
    inputs: tuple[InputFile, ...] = ()
    audit: dict = field(default_factory=dict)  # disclosure audit summary, counts only
    previous_releases: tuple[str, ...] = ()  # labels of releases already in the site, oldest first

    @property
    def period(self) -> str:
        return self.quarter.label

    @property
    def periods(self) -> list[str]:
        """Every period in the release, oldest first."""
        return sorted(set(self.cells["period"].to_list()), key=lambda p: Quarter.parse(p).index)
