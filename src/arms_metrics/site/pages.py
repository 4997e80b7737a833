"""Template context of each page of the site (index, release, indicator, methodology,
revisions): plain dicts of preformatted strings, built in a fixed order.

Kept apart from ``render.py`` (which builds the indicator views, charts and files) so each
module stays small; nothing here writes files.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import polars as pl

from arms_metrics.cells import REVISED_WHEN
from arms_metrics.config import Indicator
from arms_metrics.release import Release
from arms_metrics.site import charts, downloads, methodology_page, views
from arms_metrics.site.dates import period_dates
from arms_metrics.site.main_points import main_points, rolling_card
from arms_metrics.site.methodology_page import KIND


@dataclass
class View:
    """One indicator as both its release-page section and its own page need it."""

    indicator: Indicator
    available: bool
    release_table: views.Table | None
    history_table: views.Table | None
    breakdowns: list[views.Table]
    release_chart: charts.Figure | None
    history_chart: charts.Figure | None  # the last views.CHART_QUARTERS quarters
    full_chart: charts.Figure | None = None  # every quarter, when more than those
    group_table: views.Table | None = None  # by development group, where targets are by group
    group_chart: charts.Figure | None = None  # each group against its own target


def section_page(release: Release, group: str) -> str:
    """The stable page of one section of a release, under the site: ``releases/<period>/
    <section>.html`` with the registry's group key written with hyphens (``fms-development``)."""
    return f"releases/{release.period}/{group.replace('_', '-')}.html"


def _groups(release: Release, built: list[View], on_release_page: bool) -> list[dict[str, Any]]:
    registry = release.config.registry
    return [
        {
            "key": key,
            "title": title,
            "page": section_page(release, key).rsplit("/", 1)[1],  # beside the release index
            "views": [
                section(release, v, on_release_page) for v in built if v.indicator.group == key
            ],
        }
        for key, title in registry.groups.items()
    ]


def index_context(
    release: Release,
    built: list[View],
    groups: list[dict[str, Any]] | None = None,
    points: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """The front page; ``groups`` and ``points`` are the release page's, when already built."""
    groups = _groups(release, built, True) if groups is None else groups
    return {
        "nav": "home",
        "page_title": "Home",
        "main_points": main_points(release) if points is None else points,
        "headlines": headlines(release),
        "period_dates": period_dates(release.quarter),
        "mandate": f"Published under the {release.config.publication.get('mandate', '')}.",
        "unavailable": [
            {"id": v.indicator.id, "title": v.indicator.title} for v in built if not v.available
        ],
        "groups": [{"title": g["title"], "indicators": g["views"]} for g in groups],
        "section_charts": section_charts(release, built),
    }


def headlines(release: Release) -> list[dict[str, Any]]:
    """The front page's headline cards; a dollar total is lumpy, so its card compares
    four-quarter sums (``main_points.rolling_card``), never one quarter with another."""
    items = views.headline_items(release)
    for item in items:
        indicator = release.config.registry.get(item["id"])
        if indicator.unit == "usd" and item["total"] and indicator.id not in release.unavailable:
            item |= rolling_card(release, indicator)
    return items


def section_charts(release: Release, built: list[View]) -> list[dict[str, Any]]:
    """One small chart per section for the front page: the section's first headline
    indicator (else its first indicator) that is available, over the release page's
    quarters, linked to the section page; a section with none available is left out."""
    out = []
    for key, title in release.config.registry.groups.items():
        members = [v for v in built if v.indicator.group == key and v.available]
        chosen = next((v for v in members if v.indicator.headline), members[0] if members else None)
        if chosen is None or chosen.release_table is None:
            continue
        dom_id = f"front-{chosen.indicator.id}-chart"
        out.append({
            "title": title,
            "indicator": chosen.indicator.title,
            "page": section_page(release, key),
            "chart": charts.table_chart(
                chosen.release_chart, dom_id, chosen.release_table, "on the section page"
            ),
        })  # fmt: skip
    return out


def revisions_context(release: Release) -> dict[str, Any]:
    cells = release.cells.filter(pl.col("revised")).sort(downloads.SORT_KEY)
    reg = release.config.registry
    rows = [
        {
            "id": r["indicator_id"],
            "title": reg.get(r["indicator_id"]).title,
            "period": r["period"],
            "breakdown": "Total"
            if r["breakdown"] == "total"
            else f"{reg.breakdown_labels.get(r['breakdown'], r['breakdown'])}: "
            f"{views.label(release, r['breakdown'], r['breakdown_value'])}",
            "value": views.cell_text(r["value"], r["suppressed"], r["unit"]),
        }
        for r in cells.iter_rows(named=True)
    ]
    previous = release.revised_against
    return {
        "nav": "revisions",
        "page_title": "Revisions",
        "definition": f"A figure is revised when {REVISED_WHEN}.",
        "policy": release.config.revision_policy,
        "previous": previous,
        "rows": rows,
        "summary": f"{len(rows)} figures are revised since release {previous}.",
    }


def all_pages(release: Release, built: list[View]):
    """(path under the site, template, context) of every page, in a fixed order."""
    groups = _groups(release, built, True)  # the sections of both the front and release page
    points = main_points(release)  # the main points of both too
    yield "index.html", "index.html", index_context(release, built, groups, points)
    shared = {
        "nav": "release",
        "period_dates": period_dates(release.quarter),
        "quarters_shown": str(len(release.periods[-views.RELEASE_QUARTERS :]) - 1),
        "groups": groups,
    }
    yield (
        f"releases/{release.period}/index.html",
        "release.html",
        shared | {"page_title": f"Release {release.period}", "main_points": points},
    )
    for group in groups:  # each section on a page of its own
        title = f"{group['title']}, release {release.period}"
        yield (
            section_page(release, group["key"]),
            "release_section.html",
            shared | {"page_title": title, "group": group},
        )
    for view in built:
        yield (
            f"indicators/{view.indicator.id}.html",
            "indicator.html",
            {"nav": "", "page_title": view.indicator.title, "view": section(release, view, False)},
        )
    yield "methodology.html", "methodology.html", methodology_page.context(release)
    yield "revisions.html", "revisions.html", revisions_context(release)


def section(release: Release, view: View, on_release_page: bool) -> dict[str, Any]:
    """Template context of one indicator (release page section or its own page)."""
    ind = view.indicator
    out: dict[str, Any] = {
        "id": ind.id,
        "title": ind.title,
        "anchor": ind.id,
        "definition": ind.definition,
        "available": view.available,
        "sources": ", ".join((*ind.sources, *ind.requires)),
        "unit": views.unit_label(release, ind.unit),
        "kind": KIND[ind.kind],
        "group": release.config.registry.groups[ind.group],
        "section_page": section_page(release, ind.group),
        "direction": views.BETTER.get(ind.higher_is, ""),
        "breakdowns": view.breakdowns,
    }
    if view.available:
        table = view.release_table if on_release_page else view.history_table
        figure = view.release_chart if on_release_page else view.history_chart
        assert figure is not None  # an available indicator has both charts
        out |= {
            "table": table,
            "chart": charts.table_chart(figure, f"{table.dom_id}-chart", table),
            "chart_id": f"{table.dom_id}-chart",
            "full_chart": None,
            "group_chart": None,
            "chart_quarters": f"{figure.first} to {figure.last}",
            "notes": notes(release, ind),
        }
        if not on_release_page and view.group_chart is not None and view.group_table:
            dom_id = f"{view.group_table.dom_id}-chart"
            out |= {"group_chart": charts.table_chart(view.group_chart, dom_id, view.group_table),
                    "group_chart_id": dom_id, "group_table": view.group_table}  # fmt: skip
        if not on_release_page and view.full_chart is not None:
            dom_id = f"{table.dom_id}-full-chart"
            out |= {"full_chart": charts.table_chart(view.full_chart, dom_id, table),
                    "full_chart_id": dom_id}  # fmt: skip
    return out


def notes(release: Release, indicator: Indicator) -> list[str]:
    cells = views.indicator_cells(release, indicator.id)
    suppressed, revised = int(cells["suppressed"].sum()), int(cells["revised"].sum())
    return [
        f"{suppressed} of {cells.height} figures for this indicator are suppressed to protect "
        "confidentiality; they are empty in the CSV files.",
        f"{revised} figures for earlier quarters have been revised in this release."
        if revised
        else "No figures for this indicator have been revised in this release."
        if release.revised_against
        else "This was the first release published: no figure was published before it, so none is "
        "revised.",
    ]
