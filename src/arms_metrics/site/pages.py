"""Template context of each page of the site (index, release, indicator, methodology,
revisions): plain dicts of preformatted strings, built in a fixed order.

Kept apart from ``render.py`` (which builds the indicator views, charts and files) so each
module stays small; nothing here writes files.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import polars as pl

from arms_metrics.config import Indicator
from arms_metrics.quarters import Quarter
from arms_metrics.release import Release
from arms_metrics.site import charts, downloads, views

MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
KIND = {
    "flow": "Flow: events dated in the quarter.",
    "stock": "Stock: measured on the last day of the quarter.",
}
FAMILY = {
    "fms": "Foreign Military Sales",
    "licensing": "Export licensing",
    "notifications": "Congressional notifications",
}
SOURCES = {
    "fms_lors": "Letters of Request received by the implementing agencies (DSCA case data).",
    "fms_documents": "Letters of Offer and Acceptance, amendments and modifications (DSCA).",
    "fms_cases": "Implemented FMS cases and their execution milestones (DSCA).",
    "fms_deliveries": "Deliveries of articles and services against FMS cases (DSCA).",
    "congressional_notifications": "AECA 36(b) and 36(c) notifications to Congress, "
    "as published by DSCA and the State Department.",
    "export_licenses": "License applications to the State Department (DDTC, ITAR) and the "
    "Commerce Department (BIS, EAR).",
}


@dataclass
class View:
    """One indicator as both its release-page section and its own page need it."""

    indicator: Indicator
    available: bool
    release_table: views.Table | None
    history_table: views.Table | None
    breakdowns: list[views.Table]
    release_svg: str
    history_svg: str


def long_date(day: Any) -> str:
    return f"{MONTHS[day.month - 1]} {day.day}, {day.year}"


def period_dates(quarter: Quarter) -> str:
    return f"{long_date(quarter.start)} to {long_date(quarter.end)}"


def _groups(release: Release, built: list[View], on_release_page: bool) -> list[dict[str, Any]]:
    registry = release.config.registry
    return [
        {
            "key": key,
            "title": title,
            "views": [
                section(release, v, on_release_page) for v in built if v.indicator.group == key
            ],
        }
        for key, title in registry.groups.items()
    ]


def index_context(release: Release, built: list[View]) -> dict[str, Any]:
    labels = sorted(
        {*release.previous_releases, release.period},
        key=lambda p: Quarter.parse(p).index,
        reverse=True,
    )
    return {
        "nav": "home",
        "page_title": "Home",
        "headlines": views.headline_items(release),
        "period_dates": period_dates(release.quarter),
        "mandate": f"Published under the {release.config.publication.get('mandate', '')}.",
        "unavailable": [
            {"id": v.indicator.id, "title": v.indicator.title} for v in built if not v.available
        ],
        "groups": [
            {"title": g["title"], "indicators": g["views"]} for g in _groups(release, built, True)
        ],
        "releases": [
            {"label": p, "path": f"releases/{p}/index.html", "latest": p == release.period}
            for p in labels
        ],
    }


def disclosure_rules(release: Release) -> list[str]:
    """The disclosure rules of pipeline.toml in plain words, one per indicator family."""
    out = []
    for family in sorted({i.family for i in release.config.registry.indicators}):
        rules, name = release.config.rules_for(family), FAMILY.get(family, family)
        if rules.exempt:
            out.append(f"{name}: public record, published in full without suppression.")
            continue
        totals = (
            "Totals are public record and always published (counts, dollars, times and "
            "percentages); the rules below apply to their breakdowns, except where the "
            "published totals give a breakdown figure away anyway (for example a total of 2 "
            "cases over two agencies). "
            if rules.policy == "public_record"
            else ""
        )
        article = "A" if totals else "a"
        out.append(
            f"{name}: {totals}{article} count or dollar figure resting on fewer than "
            f"{rules.min_n_count} records is suppressed; a time (median, 90th percentile) or a "
            f"percentage resting on fewer than {rules.min_n_statistic} records is suppressed, "
            f"and so is a percentage whose numerator or complement (for an approval rate: the "
            f"approvals or the denials) rests on fewer than {rules.min_n_count} records; a "
            f"dollar figure where one record is more than {rules.dominance_share:.0%} of the "
            "total is suppressed. Zero is published. So that a suppressed figure cannot be "
            "worked out from other published figures, further figures are suppressed with "
            "it: in the same table, among the purchasers of one region, among the numerators "
            "and complements of a percentage, and in the linked flows (a suppressed count of "
            "applications received goes with the final actions of the same quarter and "
            "category), a time or percentage is suppressed with its suppressed count, and a "
            "median or 90th percentile with its suppressed within-target percentage (order "
            "statistics say how many records took at most the target's days). The "
            "number of records behind a figure is withheld wherever it would give a suppressed "
            "count away."
        )
    out.append(
        "Before anything is published, an automatic audit works out, for every suppressed "
        "count, the range of values consistent with all published figures together: totals "
        "and breakdowns, regions and their purchasers, stocks and their flows from quarter "
        "to quarter (pending applications are the previous quarter's plus those received "
        "less final actions, also by destination, where only the flows are published), "
        "percentages with their numerators and populations, the "
        "records a percentage leaves out (final actions neither approved nor denied, "
        "beside an approval rate: they may not be pinned at 1 or 2 either), the outcomes "
        "the percentages imply together (withdrawals are final actions less approvals, "
        "denials and returns; approvals with a recorded value are at most the approvals), "
        "the order of a record's stages (an LOA is accepted only after it was offered, a "
        "case closed only after it was supply complete and implemented; an application "
        "pending a whole quarter is past every processing target), "
        "and the figures of earlier releases. The release fails if any suppressed figure could be "
        "pinned down exactly."
    )
    shares = release.audit.get("suppression")
    if shares:
        out.append(_cost(shares))
    return out


def _cost(shares: dict[str, Any]) -> str:
    """What suppression costs in this release, in words (shares from the disclosure step)."""
    families = ", ".join(
        f"{FAMILY.get(family, family)} {part['share']:.0%}"
        for family, part in shares["by_family"].items()
    )
    overall = shares["overall"]
    return (
        f"In this release {overall['suppressed']:,} of {overall['cells']:,} figures "
        f"({overall['share']:.0%}) are suppressed: {families}."
    )


def methodology_context(release: Release) -> dict[str, Any]:
    config, reg = release.config, release.config.registry
    q1 = Quarter(release.quarter.fiscal_year, 1)
    items = [
        {
            "id": i.id,
            "title": i.title,
            "definition": i.definition,
            "group": i.group,
            "unit": views.unit_label(release, i.unit),
            "kind": KIND[i.kind],
            "breakdowns": ", ".join(
                ["total", *(reg.breakdown_labels[b].lower() for b in i.breakdowns)]
            ),
            "sources": ", ".join(i.sources),
        }
        for i in reg.indicators
    ]
    targets = [
        (f"LOA development, group {k}", str(v))
        for k, v in sorted(config.development_targets.items())
    ]
    targets += [
        (f"License processing, {views.label(release, 'agency', k)}", str(v))
        for k, v in sorted(config.license_targets.items())
    ]
    pub = config.publication
    return {
        "nav": "methodology",
        "page_title": "Methodology",
        "quarters_example": f"FY{q1.fiscal_year} runs from {long_date(q1.start)} to "
        f"{long_date(Quarter(q1.fiscal_year, 4).end)}, and {q1.label} is "
        f"{period_dates(q1)}.",
        "groups": [
            {"title": t, "entries": [i for i in items if i["group"] == k]}
            for k, t in reg.groups.items()
        ],
        "targets": targets,
        "disclosure": disclosure_rules(release),
        "revision_policy": config.revision_policy,
        "sources": [{"name": t, "text": SOURCES.get(t, "")} for t in config.tables],
        "inputs": ", ".join(sorted(i.file_name for i in release.inputs)),
        "fields": list(downloads.FIELDS),
        "mandate": pub.get("mandate", ""),
        "contact_name": pub.get("contact_name", ""),
        "contact_email": pub.get("contact_email", ""),
        "license": pub.get("license", ""),
    }


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
    return {
        "nav": "revisions",
        "page_title": "Revisions",
        "policy": release.config.revision_policy,
        "rows": rows,
        "summary": f"{len(rows)} figures differ from those first published.",
    }


def all_pages(release: Release, built: list[View]):
    """(path under the site, template, context) of every page, in a fixed order."""
    yield "index.html", "index.html", index_context(release, built)
    yield (
        f"releases/{release.period}/index.html",
        "release.html",
        {
            "nav": "release",
            "page_title": f"Release {release.period}",
            "period_dates": period_dates(release.quarter),
            "quarters_shown": str(len(release.periods[-views.RELEASE_QUARTERS :]) - 1),
            "groups": _groups(release, built, True),
        },
    )
    for view in built:
        yield (
            f"indicators/{view.indicator.id}.html",
            "indicator.html",
            {"nav": "", "page_title": view.indicator.title, "view": section(release, view, False)},
        )
    yield "methodology.html", "methodology.html", methodology_context(release)
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
        "sources": ", ".join(ind.sources),
        "unit": views.unit_label(release, ind.unit),
        "kind": KIND[ind.kind],
        "group": release.config.registry.groups[ind.group],
        "direction": views.BETTER.get(ind.higher_is, ""),
        "breakdowns": view.breakdowns,
    }
    if view.available:
        table = view.release_table if on_release_page else view.history_table
        svg = view.release_svg if on_release_page else view.history_svg
        out |= {
            "table": table,
            "chart": charts.table_chart(svg, f"{table.dom_id}-chart", table),
            "notes": notes(release, ind),
        }
    return out


def notes(release: Release, indicator: Indicator) -> list[str]:
    cells = views.indicator_cells(release, indicator.id)
    suppressed, revised = int(cells["suppressed"].sum()), int(cells["revised"].sum())
    return [
        f"{suppressed} of {cells.height} figures for this indicator are suppressed to protect "
        "confidentiality; they are empty in the CSV files.",
        f"{revised} figures for earlier quarters have been revised in this release."
        if revised
        else "No figures for this indicator have been revised in this release.",
    ]
