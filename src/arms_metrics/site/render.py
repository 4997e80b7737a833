"""The public website: HTML pages, inline SVG charts, per-table CSV files and the stylesheet.

Every page is a function of the ``Release``: dates are the release date (never the clock),
rows follow explicit orders, and each chart is rendered once and inlined wherever it is
shown. Templates only place preformatted strings (``views.py`` does the formatting).
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from arms_metrics.config import TEMPLATES_DIR, Indicator
from arms_metrics.quarters import Quarter
from arms_metrics.release import Correction, Release
from arms_metrics.site import catalog, charts, dates, downloads, pages, views
from arms_metrics.writers import write_bytes


def environment() -> Environment:
    """Autoescaping, strict Jinja2: a missing variable is an error, never an empty string."""
    return Environment(
        loader=FileSystemLoader(str(TEMPLATES_DIR)),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _svg(release: Release, indicator: Indicator, table: views.Table, cache: Path | None) -> str:
    names = dict(
        zip(
            views.series_of(indicator),
            [views.label(release, *k) for k in views.series_of(indicator)],
            strict=True,
        )
    )
    points = [
        charts.Point(
            r["period"], names[(r["breakdown"], r["breakdown_value"])], r["value"], r["suppressed"]
        )
        for r in table.cells.sort(["period", "breakdown", "breakdown_value"]).iter_rows(named=True)
    ]
    periods = sorted({row for row, _ in table.rows}, key=lambda p: Quarter.parse(p).index)
    y_title = views.sentence_case(views.unit_label(release, indicator.unit))
    return charts.render_svg(charts.spec(points, periods, indicator.unit, y_title), cache)


def build_view(
    release: Release, indicator: Indicator, chart_cache: Path | None = None
) -> pages.View:
    if indicator.id in release.unavailable:
        return pages.View(indicator, False, None, None, [], "", "")
    data = f"releases/{release.period}/data"
    # from the indicator's own series start (its sources' coverage), not the release's first
    own = set(views.indicator_cells(release, indicator.id)["period"].to_list())
    periods = [p for p in release.periods if p in own] or [release.period]
    recent = periods[-views.RELEASE_QUARTERS :]
    short = views.history_table(
        release, indicator, recent, f"{data}/{indicator.id}.csv", f"{indicator.id}-table"
    )
    full = views.history_table(
        release, indicator, periods, f"indicators/{indicator.id}.csv", f"{indicator.id}-history"
    )
    breakdowns = [
        views.breakdown_table(
            release, indicator, b, f"{data}/{indicator.id}_by_{b}.csv", f"{indicator.id}-by-{b}"
        )
        for b in indicator.breakdowns
    ]
    return pages.View(
        indicator,
        True,
        short,
        full,
        [t for t in breakdowns if t.rows],
        _svg(release, indicator, short, chart_cache),
        _svg(release, indicator, full, chart_cache),
    )


def write_table_csvs(release: Release, site_dir: Path, built: list[pages.View]) -> None:
    """One CSV per table, holding exactly the cells the table shows."""
    names = downloads.release_names(release)
    for view in built:
        tables = [view.release_table, view.history_table, *view.breakdowns]
        for table in (t for t in tables if t is not None):
            write_bytes(site_dir / table.csv_path, downloads.csv_bytes(table.cells, names))


def site_context(release: Release) -> dict[str, Any]:
    pub = release.config.publication
    kind = release.status
    banner, note = catalog.STATUS.get(kind, ("", ""))
    return {
        "title": pub.get("title", ""),
        "description": "Quarterly aggregate performance metrics on US arms transfers.",
        "status": kind,
        "banner": banner,
        "banner_note": note,
        "publisher": pub.get("publisher", "") if kind == "official" else "",
        "partners": " and the ".join(pub.get("partners", [])) if kind == "official" else "",
        "period": release.period,
        "release_date": dates.long_date(release.release_date),
        "latest_path": f"releases/{release.period}/index.html",
        "base_url": str(pub.get("base_url", "")).rstrip("/"),  # printed after CSV links
        "version": release.version,
        "corrections": [notice(c) for c in release.corrections],
    }


def notice(correction: Correction) -> dict[str, str]:
    """A correction as its notice and the corrections page show it."""
    figures = "1 figure" if correction.cells == 1 else f"{correction.cells:,} figures"
    return {
        "date": dates.long_date(correction.date),
        "release": correction.release,
        "reason": correction.reason,
        "changed": figures,
    }


def render_site(release: Release, site_dir: Path, chart_cache: Path | None = None) -> None:
    """Write every HTML page, chart, per-table CSV and the stylesheet into ``site_dir``
    (charts already rendered by an earlier run are read from ``chart_cache``, if given)."""
    site_dir = Path(site_dir)
    env = environment()
    indicators = release.config.registry.indicators
    built = [build_view(release, ind, chart_cache) for ind in indicators]
    base = {"site": site_context(release)}
    for path, template, context in pages.all_pages(release, built):
        root = "../" * path.count("/")
        html = env.get_template(template).render(base | {"root": root} | context)
        write_bytes(site_dir / path, html.encode("utf-8"))
    write_table_csvs(release, site_dir, built)
    assets = site_dir / "assets"
    assets.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(TEMPLATES_DIR / "assets" / "site.css", assets / "site.css")
