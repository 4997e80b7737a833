"""Template context for the site: numbers formatted for people, headline changes, tables.

Templates only place strings; every number a reader sees is formatted here, and every change
on the front page is computed here in Decimal, so the wording can be unit-tested by hand.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

import polars as pl

from arms_metrics.cells import ALL, TOTAL
from arms_metrics.config import Indicator
from arms_metrics.ingest.names import load_names
from arms_metrics.quarters import Quarter
from arms_metrics.release import Release

ONE_DP = Decimal("0.1")
SUPPRESSED = "(S)"
UNDEFINED = "—"
RELEASE_QUARTERS = 8  # quarters shown on a release page; indicator pages show every quarter
CHART_QUARTERS = 20  # quarters (5 fiscal years) an indicator page's chart shows by default
# A breakdown table of more rows than this opens on request: it is wrapped in <details>, closed
# (no JavaScript; print CSS opens it). 12 shows every region, agency and platform table whole.
COLLAPSE_ROWS = 12
PURCHASER = "purchaser"  # the one breakdown whose rows are grouped, under their region
NO_REGION = "Region not recorded"  # the group of a purchaser cell without a parent region

Row = tuple[str, list[str]]  # a row header and the texts of its cells


def label(release: Release, breakdown: str, value: str) -> str:
    """A reader's name for a breakdown category: the one labeling of pages and CSV alike."""
    return load_names(release.config.reference_dir).label(breakdown, value)


def _q(value: Decimal, places: Decimal = ONE_DP) -> Decimal:
    return Decimal(value).quantize(places, rounding=ROUND_HALF_EVEN)


def _usd_compact(value: Decimal) -> str:
    magnitude = abs(value)
    for size, word in ((Decimal(10) ** 9, "billion"), (Decimal(10) ** 6, "million")):
        if magnitude >= size:
            return f"${_q(magnitude / size):,} {word}"
    return f"${_q(magnitude, Decimal(1)):,}"


def human_value(value: Decimal, unit: str, compact: bool = False) -> str:
    """1,234 / $1,234,567 (or $1.2 billion when compact) / 23.5 days / 87.5%."""
    value = Decimal(value)
    sign = "-" if value < 0 else ""
    if unit == "count":
        return f"{_q(value, Decimal(1)):,}"
    if unit == "usd":
        return sign + (_usd_compact(value) if compact else f"${_q(abs(value), Decimal(1)):,}")
    if unit == "days":
        return f"{_q(value):,} days"
    return f"{_q(value):,}%"


def cell_text(value: Decimal | None, suppressed: bool, unit: str, compact: bool = False) -> str:
    if suppressed:
        return SUPPRESSED
    return UNDEFINED if value is None else human_value(value, unit, compact)


def change_text(current: Decimal, previous: Decimal, unit: str) -> str:
    """Neutral wording of a change: 'up 3 (+7.5%)', 'down 2.0 days', 'no change'."""
    diff = Decimal(current) - Decimal(previous)
    if diff == 0:
        return "no change"
    direction = "up" if diff > 0 else "down"
    if unit == "percent":
        return f"{direction} {_q(abs(diff)):,} percentage points"
    amount = human_value(abs(diff), unit, compact=True)
    if unit in ("count", "usd") and previous != 0:
        relative = _q(diff * 100 / Decimal(previous))
        return f"{direction} {amount} ({'+' if relative > 0 else ''}{relative}%)"
    return f"{direction} {amount}"


@dataclass(frozen=True)
class Table:
    """One accessible table and the exact cells behind it (written as its CSV)."""

    dom_id: str
    caption: str
    row_header: str
    columns: list[str]
    rows: list[tuple[str, list[str]]]
    cells: pl.DataFrame
    csv_path: str  # relative to the site root
    notes: list[str] = field(default_factory=list)
    # rows under a header row each ((group name, rows), in order); empty: rows are not grouped
    groups: list[tuple[str, list[Row]]] = field(default_factory=list)
    summary: str = ""  # set: the table is collapsed in <details> under this summary

    @property
    def span(self) -> int:
        """Columns of the table, row header included (the colspan of a group header row)."""
        return len(self.columns) + 1

    @property
    def all_suppressed(self) -> bool:
        """Every figure of a table of several hidden: the page says so in one sentence
        instead of a column of "(S)" (the CSV still lists each row)."""
        return self.cells.height > 1 and bool(self.cells["suppressed"].all())


def notes_for(cells: pl.DataFrame, min_n: str = "") -> list[str]:
    """The footnotes a table needs: suppression and undefined marks it actually uses."""
    notes = []
    if cells.height and cells["suppressed"].any():
        notes.append(
            f"{SUPPRESSED} Suppressed: the figure rests on too few records to be "
            "published without risk of disclosing a single case or license."
        )
    if (cells["value"].is_null() & ~cells["suppressed"]).any():
        notes.append(f"{UNDEFINED} No records in the quarter, so the figure is not defined.")
    if cells.height and cells["revised"].any():
        notes.append("* Revised: differs from the figure the previous release published.")
    return notes


def series_of(indicator: Indicator) -> list[tuple[str, str]]:
    """The columns of an indicator's history: the total, plus State and Commerce apart."""
    series = [(TOTAL, ALL)]
    if "agency" in indicator.breakdowns:
        series += [("agency", "STATE"), ("agency", "COMMERCE")]
    return series


def indicator_cells(release: Release, indicator_id: str) -> pl.DataFrame:
    """The indicator's cells, from the release's one partition (never a filter per page)."""
    found = release.cells_by_indicator.get(indicator_id)
    return release.cells.clear() if found is None else found


def _mark(row: dict, unit: str) -> str:
    text = cell_text(row["value"], row["suppressed"], unit)
    return text + " *" if row["revised"] else text


def history_table(
    release: Release,
    indicator: Indicator,
    periods: list[str],
    csv_path: str,
    dom_id: str,
    series: list[tuple[str, str]] | None = None,
) -> Table:
    """Rows = quarters (newest first), columns = ``series`` (default ``series_of``: the
    total, and State and Commerce apart); only existing cells are kept."""
    by = None if series is None else series[0][0]
    series = series_of(indicator) if series is None else series
    keys = pl.DataFrame(series, schema=["breakdown", "breakdown_value"], orient="row")
    cells = indicator_cells(release, indicator.id).filter(pl.col("period").is_in(periods))
    cells = cells.join(keys, on=["breakdown", "breakdown_value"], how="semi")
    lookup = {
        (r["period"], r["breakdown"], r["breakdown_value"]): r for r in cells.iter_rows(named=True)
    }
    rows = []
    for period in sorted(periods, key=lambda p: Quarter.parse(p).index, reverse=True):
        texts = [
            _mark(lookup[(period, *key)], indicator.unit) if (period, *key) in lookup else ""
            for key in series
        ]
        rows.append((period, texts))
    columns = [label(release, *key) for key in series]
    named = "" if by is None else f" {release.config.registry.breakdown_labels[by].lower()} and"
    caption = f"{indicator.title}, by{named} quarter ({unit_label(release, indicator.unit)})"
    if by is not None and rows:  # a window of the series: say which quarters
        caption += f", {rows[-1][0]} to {rows[0][0]}"
    return Table(dom_id, caption, "Quarter", columns, rows, cells, csv_path, notes_for(cells))


def breakdown_table(
    release: Release, indicator: Indicator, breakdown: str, csv_path: str, dom_id: str
) -> Table:
    """One breakdown in the release quarter: rows = categories in the published order
    (purchasers under their region, see ``purchaser_groups``); more than ``COLLAPSE_ROWS``
    rows and the table is collapsed under a summary that names it and counts its rows."""
    cells = (
        indicator_cells(release, indicator.id)
        .filter((pl.col("period") == release.period) & (pl.col("breakdown") == breakdown))
        .sort("breakdown_value")
    )
    groups = purchaser_groups(release, cells, indicator.unit) if breakdown == PURCHASER else []
    rows = (
        [row for _, grouped in groups for row in grouped]
        if groups
        else [
            (label(release, breakdown, r["breakdown_value"]), [_mark(r, indicator.unit)])
            for r in cells.iter_rows(named=True)
        ]
    )
    name = release.config.registry.breakdown_labels.get(breakdown, breakdown)
    caption = f"{indicator.title}, by {name.lower()}, {release.period}"
    summary = (
        f"Show all {len(rows):,} {plural(name.lower())}: {caption}"
        if len(rows) > COLLAPSE_ROWS
        else ""
    )
    return Table(
        dom_id,
        caption,
        name,
        [sentence_case(unit_label(release, indicator.unit))],
        rows,
        cells,
        csv_path,
        notes_for(cells),
        groups,
        summary,
    )


def sort_key(name: str) -> tuple[str, str]:
    """Alphabetical order of readers' names: accents and case aside ("Côte" with "Costa"),
    the name itself breaking ties so the order is total."""
    bare = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    return bare.casefold(), name


def purchaser_groups(
    release: Release, cells: pl.DataFrame, unit: str
) -> list[tuple[str, list[Row]]]:
    """Purchaser rows grouped under their region (the cell's ``parent``): regions in
    alphabetical order of their names, purchasers by name within each; purchasers without a
    region last, under ``NO_REGION``. A reader finds a country by its region, then its name."""
    by_region: dict[str | None, list[Row]] = {}
    for r in cells.iter_rows(named=True):
        row = (label(release, PURCHASER, r["breakdown_value"]), [_mark(r, unit)])
        by_region.setdefault(r["parent"], []).append(row)
    named = {p: label(release, "region", p) if p is not None else NO_REGION for p in by_region}
    order = sorted(by_region, key=lambda p: (p is None, sort_key(named[p])))
    return [(named[p], sorted(by_region[p], key=lambda row: sort_key(row[0]))) for p in order]


def plural(noun: str) -> str:
    """A breakdown name in the plural: "purchasers", "regions", "control categories"."""
    if noun.endswith("y") and noun[-2:-1] not in tuple("aeiou"):
        return noun[:-1] + "ies"
    return noun + "s"


def unit_label(release: Release, unit: str) -> str:
    return release.config.registry.unit_labels.get(unit, unit)


def sentence_case(text: str) -> str:
    """First letter up, the rest as written ("US dollars" stays "US dollars")."""
    return text[:1].upper() + text[1:]


def lookup_cell(release: Release, indicator_id: str, period: str, key: tuple[str, str]):
    found = indicator_cells(release, indicator_id).filter(
        (pl.col("period") == period)
        & (pl.col("breakdown") == key[0])
        & (pl.col("breakdown_value") == key[1])
    )
    return found.row(0, named=True) if found.height else None


def compare(
    release: Release,
    indicator: Indicator,
    key: tuple[str, str],
    other: Quarter,
    current: dict | None,
) -> str:
    """'Up 3 (+7.5%) on FY2026-Q1', or why the two quarters cannot be compared."""
    before = lookup_cell(release, indicator.id, other.label, key)
    if current is None or current["value"] is None:
        return f"No comparison with {other.label}: no figure this quarter."
    if before is None or before["value"] is None:
        reason = "suppressed" if before and before["suppressed"] else "no figure"
        return f"No comparison with {other.label}: {reason}."
    text = change_text(current["value"], before["value"], indicator.unit)
    return f"{sentence_case(text)} on {other.label}."


BETTER = {"better": "Higher is better.", "worse": "Lower is better.", "neutral": ""}


def headline_items(release: Release) -> list[dict[str, Any]]:
    """Front-page figures: each headline indicator (or its headline breakdown's categories)
    in the release quarter with its change on the previous quarter and a year earlier."""
    items = []
    for indicator in release.config.registry.indicators:
        if not indicator.headline:
            continue
        keys = [(TOTAL, ALL)]
        if indicator.headline_breakdown:
            values = (
                indicator_cells(release, indicator.id)
                .filter(
                    (pl.col("breakdown") == indicator.headline_breakdown)
                    & (pl.col("period") == release.period)
                )["breakdown_value"]
                .sort()
                .to_list()
            )
            keys = [(indicator.headline_breakdown, v) for v in values] or keys
        for key in keys:
            items.append(_headline(release, indicator, key))
    return items


def _headline(release: Release, indicator: Indicator, key: tuple[str, str]) -> dict[str, Any]:
    title = indicator.title if key[0] == TOTAL else f"{indicator.title}: {label(release, *key)}"
    direction = BETTER.get(indicator.higher_is, "")
    item = {
        "id": indicator.id,
        "title": title,
        "direction": direction,
        "total": key == (TOTAL, ALL),
    }
    if indicator.id in release.unavailable:
        return item | {"value": "Not available this release", "previous": "", "year": ""}
    current = lookup_cell(release, indicator.id, release.period, key)
    value = (
        cell_text(current["value"], current["suppressed"], indicator.unit, compact=True)
        if current
        else "Not available this release"
    )
    return item | {
        "value": value,
        "previous": compare(release, indicator, key, release.quarter.previous(), current),
        "year": compare(release, indicator, key, release.quarter.year_ago(), current),
    }
