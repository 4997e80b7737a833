"""What one release is, and the releases already published in a site folder.

``Release`` (the quarter, its date, its disclosed cells and where they came from) is built
by ``pipeline.py`` after disclosure control and revisions and read by ``site/`` (HTML, CSV,
JSON catalogs, manifest). ``published_releases`` and ``read_published`` read what a site
already holds, for every stage that must respect it (revisions, the disclosure audit).
Nothing here is computed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from pathlib import Path

import polars as pl

from arms_metrics.cells import SORT_KEY
from arms_metrics.config import Config
from arms_metrics.errors import DataError
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
class Correction:
    """One correction of a published release: a row of ``data/corrections.csv``."""

    date: dt.date
    release: str  # the corrected release's period label
    reason: str
    cells: int  # figures whose value or suppression changed
    # sha256 of the release's data/indicators.csv this correction rewrote (its manifest
    # records it; the public log does not): what ``publish`` checks a web root against
    replaces: str | None = None


@dataclass(frozen=True)
class Listed:
    """One release as the site's list of releases shows it (``releases/index.html``)."""

    period: str
    release_date: dt.date | None  # None: its manifest records none
    corrections: int  # how many times it was corrected


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
    # the release its revisions are measured against (``revisions.baseline``), if any
    revised_against: str | None = None
    listed: tuple[Listed, ...] = ()  # every release in the site once this one is, newest first
    # the first covered quarter of every input table present (extract.toml or pipeline.toml)
    coverage: Mapping[str, Quarter] = field(default_factory=dict)
    extract_date: dt.date | None = None  # extract.toml's extract_date, when declared
    synthetic: bool = False  # extract.toml says the inputs are synthetic (the generator's)
    corrections: tuple[Correction, ...] = ()  # this release's corrections, oldest first
    # the instant it may be public, as its first publication recorded it (a correction keeps
    # it); None: the calendar's time and zone on ``release_date``
    embargo: dt.datetime | None = None

    @property
    def period(self) -> str:
        return self.quarter.label

    @property
    def status(self) -> str:
        """What the publication is (README, Outputs): ``synthetic`` for a synthetic
        extract, else ``official`` where ``[publication] official = true``, else ``draft``."""
        if self.synthetic:
            return "synthetic"
        return "official" if self.config.publication.get("official", False) else "draft"

    @cached_property
    def periods(self) -> list[str]:
        """Every period in the release, oldest first (computed once per release)."""
        distinct = self.cells["period"].unique().to_list()
        return sorted(distinct, key=lambda p: Quarter.parse(p).index)

    @cached_property
    def cells_by_indicator(self) -> Mapping[str, pl.DataFrame]:
        """The cells of each indicator, in the order of ``cells`` (partitioned once)."""
        parts = self.cells.partition_by("indicator_id", maintain_order=True, as_dict=True)
        return {key[0]: part for key, part in parts.items()}


PUBLISHED_CSV = Path("data") / "indicators.csv"


def published_releases(site_dir: Path) -> list[Quarter]:
    """Releases already in the site folder (those with an indicators.csv), oldest first."""
    releases_dir = site_dir / "releases"
    if not releases_dir.is_dir():
        return []
    found = []
    for child in releases_dir.iterdir():
        quarter = release_quarter(child.name)
        if quarter is not None and (child / PUBLISHED_CSV).is_file():
            found.append(quarter)
    return sorted(found)


def published_manifest(site_dir: Path, quarter: Quarter) -> dict | None:
    """A published release's ``manifest.json``, when it has one that reads as an object."""
    path = Path(site_dir) / "releases" / quarter.label / "manifest.json"
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return document if isinstance(document, dict) else None


def figures_digest(site_dir: Path, quarter: Quarter) -> str | None:
    """sha256 (hex) of the figures a release in ``site_dir`` shows (its indicators.csv);
    ``None`` when it is not there."""
    path = Path(site_dir) / "releases" / quarter.label / PUBLISHED_CSV
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else None


def manifest_corrections(site_dir: Path, quarter: Quarter) -> list[dict]:
    """The corrections a published release's manifest records, oldest first (each a map
    with ``date``, ``reason``, ``cells`` and, from 0.2, ``replaces``); none when unreadable."""
    recorded = (published_manifest(site_dir, quarter) or {}).get("corrections")
    if not isinstance(recorded, list):
        return []
    return [entry if isinstance(entry, dict) else {} for entry in recorded]


def published_date(site_dir: Path, quarter: Quarter) -> dt.date | None:
    """The release date a published release's manifest records, if it has one."""
    try:
        return dt.date.fromisoformat((published_manifest(site_dir, quarter) or {})["release_date"])
    except (ValueError, KeyError, TypeError):
        return None


def published_embargo(site_dir: Path, quarter: Quarter) -> dt.datetime | None:
    """The instant (aware, UTC) a published release's manifest says it may be public, if it
    records one."""
    text = (published_manifest(site_dir, quarter) or {}).get("embargo")
    try:
        moment = dt.datetime.fromisoformat(text)
        return moment.astimezone(dt.UTC) if moment.tzinfo else None
    except (TypeError, ValueError, OverflowError):  # 9999-12-31T23:00-05:00 is past UTC's end
        return None


def previous_release(site_dir: Path, quarter: Quarter) -> Quarter | None:
    earlier = [q for q in published_releases(site_dir) if q < quarter]
    return earlier[-1] if earlier else None


# breakdown -> published code -> the cells' code (``ingest.names.Names.internal``): a release
# publishes purchasers by alpha-3 code (NAM), the cells hold the reference code (NA).
Codes = Mapping[str, Mapping[str, str]]


def _read_csv(path: Path, internal: Codes | None) -> pl.DataFrame:
    """A published indicators.csv as text, its breakdown values turned back into the cells'
    codes. Releases written before the alpha-3 codes hold the cells' codes already, which no
    published code equals (alpha-2 codes have two letters), so they pass unchanged."""
    frame = pl.read_csv(path, infer_schema=False, encoding="utf8")
    for breakdown, codes in (internal or {}).items():
        mapped = pl.col("breakdown_value").replace(dict(codes))
        frame = frame.with_columns(
            breakdown_value=pl.when(pl.col("breakdown") == breakdown)
            .then(mapped)
            .otherwise(pl.col("breakdown_value"))
        )
    return frame


def same_figure() -> pl.Expr:
    """True where a cell (``value``, ``suppressed``) shows what a published release showed
    for its key (``previous_value``, ``previous_suppressed`` of ``read_published``); null
    where the release did not publish the key."""
    return (pl.col("previous_suppressed") == pl.col("suppressed")) & pl.col("value").eq_missing(
        pl.col("previous_value")
    )


def release_quarter(name: str) -> Quarter | None:
    """The quarter a release folder's name is (its canonical label); ``None`` for any other
    name under ``releases/``."""
    try:
        quarter = Quarter.parse(name)
    except ValueError:
        return None
    return quarter if quarter.label == name else None


def read_published(path: Path, internal: Codes | None = None) -> pl.DataFrame:
    """The previous release's figures, keyed like the cells, values as Decimal; exit 65
    naming the file when it is not the indicators.csv a run wrote (edited by hand)."""
    try:
        return _published(path, internal)
    except (pl.exceptions.PolarsError, UnicodeDecodeError, ValueError) as exc:
        detail = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        message = f"not as a run wrote it ({detail})"
        raise DataError(str(path), "published_figures", message) from None


def _published(path: Path, internal: Codes | None) -> pl.DataFrame:
    frame = _read_csv(path, internal)
    return frame.select(
        *SORT_KEY,
        pl.col("value").replace("", None).cast(pl.Decimal(38, 1)).alias("previous_value"),
        (pl.col("suppressed") == "true").alias("previous_suppressed"),
        (pl.col("revised") == "true").alias("previous_revised"),
        pl.lit(True).alias("previously_published"),
    )


def earlier_figures(
    site_dir: Path, quarter: Quarter, internal: Codes | None = None
) -> dict[tuple, set[tuple]]:
    """Every figure the other releases in ``site_dir`` published (not suppressed): cell key
    -> {(value as a normalized Decimal, n or None)}. What the public already knows."""
    found: dict[tuple, set[tuple]] = {}
    for other in published_releases(site_dir):
        if other == quarter:
            continue
        frame = _read_csv(site_dir / "releases" / other.label / PUBLISHED_CSV, internal)
        shown = frame.filter((pl.col("suppressed") == "false") & (pl.col("value") != ""))
        for row in shown.select(*SORT_KEY, "value", "n").iter_rows():
            value = Decimal(row[4]).normalize()
            n = int(row[5]) if row[5] else None
            found.setdefault(tuple(row[:4]), set()).add((value, n))
    return found
