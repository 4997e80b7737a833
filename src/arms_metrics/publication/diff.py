"""Diff: which published figures a fresh build of a release would change.

``arms-metrics diff [--quarter Q] --input DIR --site DIR`` builds the release for ``Q`` (by
default the latest release the site publishes) from ``DIR`` as ``run`` would
(``pipeline.fresh_release``), publishes nothing, and compares its figures with those
``Q``'s release published, as ``corrections`` does before refusing a
changed rebuild: every cell whose value or suppression differs, or that one side lacks.
Each change is a row (cell, old, new): the cell's key with its published codes, and each
side's figure as ``indicators.csv`` shows it, or its status when it shows no number
(``suppressed``, ``not_applicable``, ``not_published``). The command prints them as text
and writes them as CSV; it exits 3 when anything would change (1 and 2 are taken), else 0.
"""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal
from pathlib import Path

import polars as pl

from arms_metrics.cells import SORT_KEY
from arms_metrics.errors import UsageError
from arms_metrics.publication import corrections, integrity, swap
from arms_metrics.quarters import Quarter
from arms_metrics.release import PUBLISHED_CSV, Codes, published_releases
from arms_metrics.writers import csv_bytes

HEADER = (*SORT_KEY, "old", "new")
WHOLE_UNITS = ("count", "usd")
CHANGED_EXIT = 3


def figure(value: Decimal | None, suppressed: bool | None, present: bool, unit: str) -> str:
    """One side of a change: the figure as ``indicators.csv`` writes it, or its status."""
    if not present:
        return "not_published"
    if suppressed:
        return "suppressed"
    if value is None:
        return "not_applicable"
    places = Decimal(1) if unit in WHOLE_UNITS else Decimal("0.1")
    return format(Decimal(value).quantize(places, rounding=ROUND_HALF_EVEN), "f")


def _published_code(breakdown: str, code: str, public: dict[str, dict[str, str]]) -> str:
    return public.get(breakdown, {}).get(code, code)


def published_site(site_dir: Path, quarter: str | None) -> tuple[Path, str]:
    """The folder the site shows now (versions never change once live) and the quarter to
    compare: ``quarter``, checked to be published there, or (``None``) the latest release
    there, as a scheduled check that builds a new quarter compares with; exit 2 when there
    is none (a quarter that does not parse is left to the build to refuse)."""
    integrity.check_unedited(Path(site_dir))  # figures edited since their run: exit 77
    site = swap.live(site_dir) or Path(site_dir)
    if quarter is None:
        published = published_releases(site)
        if not published:
            raise UsageError(f"--site {site_dir}: no release is published there to compare with")
        return site, published[-1].label
    try:
        label = Quarter.parse(quarter).label
    except ValueError:
        return site, quarter
    if not (site / "releases" / label / PUBLISHED_CSV).is_file():
        raise UsageError(
            f"--site {site_dir}: {label} is not published there, so there is nothing to "
            "compare (run builds it as a new release)"
        )
    return site, quarter


def changes(
    cells: pl.DataFrame,
    site_dir: Path,
    quarter: Quarter,
    units: dict[str, str],
    internal: Codes | None = None,
) -> list[tuple[str, ...]]:
    """(indicator_id, period, breakdown, breakdown_value, old, new) for every published
    figure of ``quarter`` that ``cells`` would change, by cell; exit 2 when ``site_dir``
    has not published ``quarter``. ``units``: indicator id -> unit."""
    changed = corrections.changed_figures(cells, site_dir, quarter, internal)
    if changed is None:
        raise UsageError(f"--site {site_dir}: {quarter} is not published there")
    public = {b: {v: k for k, v in codes.items()} for b, codes in (internal or {}).items()}
    rows = []
    for row in changed.iter_rows(named=True):
        unit = units.get(row["indicator_id"], "")
        old = figure(row["previous_value"], row["previous_suppressed"],
                     bool(row["previously_published"]), unit)  # fmt: skip
        new = figure(row["value"], row["suppressed"], bool(row["fresh"]), unit)
        code = _published_code(row["breakdown"], row["breakdown_value"], public)
        rows.append((row["indicator_id"], row["period"], row["breakdown"], code, old, new))
    return rows


def as_csv(rows: list[tuple[str, ...]]) -> bytes:
    """The changes as CSV: ``indicator_id,period,breakdown,breakdown_value,old,new``."""
    return csv_bytes(HEADER, rows)


def as_text(quarter: Quarter, rows: list[tuple[str, ...]], csv_path: Path) -> str:
    """The changes for a terminal: a summary line, then one line per changed cell."""
    if not rows:
        return f"{quarter}: a fresh build changes none of its published figures"
    head = f"{quarter}: a fresh build changes {len(rows)} published figures (old -> new)"
    lines = [f"  {i} {p} {b}={v}: {old} -> {new}" for i, p, b, v, old, new in rows]
    return "\n".join([head, *lines, f"as CSV: {csv_path}"])
