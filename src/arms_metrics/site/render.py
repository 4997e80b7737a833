"""The public website: HTML pages, inline SVG charts, per-table CSV files and the stylesheet.

Every page is a function of the ``Release``: dates are the release date (never the clock),
rows follow explicit orders, and each chart is rendered once and inlined wherever it is
shown. Templates only place preformatted strings (``views.py`` does the formatting).
"""

from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path
from typing import Any

import polars as pl
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from arms_metrics.config import TEMPLATES_DIR, Indicator
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


# Percent goals of [targets.goals], by the indicators whose charts draw them.
GOAL_LINES = {
    "fms_loas_offered_by_anticipated_date_pct": "offered_by_anticipated_date_pct",
    "fms_documents_by_anticipated_date_pct": "offered_by_anticipated_date_pct",
}


def chart_rules(release: Release, indicator: Indicator) -> tuple[charts.Rule, ...]:
    """The target or goal lines of an indicator's chart: a development or processing time
    (days over ``duration_days`` that bound a within-target share) gets its family's targets
    of ``[targets.*]``, a percent with a goal of ``[targets.goals]`` its goal; no other."""
    config = release.config
    if indicator.id in GOAL_LINES and GOAL_LINES[indicator.id] in config.goals:
        goal = Decimal(str(config.goals[GOAL_LINES[indicator.id]]))
        return (charts.Rule(f"Goal: {goal.normalize():f}%", goal),)
    timed = indicator.unit == "days" and indicator.column == "duration_days"
    if not timed or "reveals" not in indicator.links:
        return ()
    if indicator.family == "fms":
        where = {k: f"group {k}" for k in config.development_targets}
        targets = config.development_targets
    elif indicator.family == "licensing":
        where = {k: views.label(release, "agency", k) for k in config.license_targets}
        targets = config.license_targets
    else:
        return ()
    return tuple(
        charts.Rule(f"Target, {where[k]}: {days} days", Decimal(days))
        for k, days in sorted(targets.items(), key=lambda item: (item[1], item[0]))
    )


def group_series(release: Release, indicator: Indicator) -> list[tuple[str, str]]:
    """The development groups, for a development time whose targets are by group (its chart
    by group sets each group's line beside that group's target); none for any other."""
    by_group = indicator.family == "fms" and "development_group" in indicator.breakdowns
    if not by_group or indicator.unit != "days" or not chart_rules(release, indicator):
        return []
    return [("development_group", group) for group in sorted(release.config.development_targets)]


def has_rolling_line(indicator: Indicator) -> bool:
    """Counts and dollars of a flow add up over quarters, so their four-quarter average is
    derived from published figures; a median, a 90th percentile or a percent is not."""
    return indicator.kind == "flow" and indicator.unit in ("count", "usd")


def _figure(
    release: Release,
    indicator: Indicator,
    cells: pl.DataFrame,
    periods: list[str],
    cache: Path | None,
    history: pl.DataFrame | None = None,
    keys: list[tuple[str, str]] | None = None,
) -> charts.Figure:
    """The chart of ``cells`` over ``periods`` (oldest first), one line per series of
    ``keys`` (default ``views.series_of``); with ``history`` (every published quarter of the
    series), the total's four-quarter average is drawn too."""
    keys = views.series_of(indicator) if keys is None else keys
    names = dict(zip(keys, [views.label(release, *k) for k in keys], strict=True))
    cells = cells.filter(pl.col("period").is_in(periods))
    rows = cells.sort(["period", "breakdown", "breakdown_value"]).iter_rows(named=True)
    points = sorted(  # the total first, as in the table: its color, dash and legend place
        (
            charts.Point(r["period"], names[(r["breakdown"], r["breakdown_value"])], r["value"],
                         r["suppressed"])
            for r in rows
        ),
        key=lambda p: list(names.values()).index(p.series),
    )  # fmt: skip
    rolling: list[charts.Point] = []
    average = ""
    if history is not None and has_rolling_line(indicator):
        total = history.filter(
            (pl.col("breakdown") == keys[0][0]) & (pl.col("breakdown_value") == keys[0][1])
        )
        published = {  # a suppressed figure is no figure: never averaged over
            r["period"]: None if r["suppressed"] else r["value"]
            for r in total.iter_rows(named=True)
        }
        means = charts.rolling_mean(published, periods)
        average = "Four-quarter average"
        if len(keys) > 1:
            average = f"{names[keys[0]]}, four-quarter average"
        rolling = [charts.Point(p, average, means.get(p), False) for p in periods]
        if not means:
            rolling, average = [], ""
    rules = chart_rules(release, indicator)
    y_title = views.sentence_case(views.unit_label(release, indicator.unit))
    chart = charts.spec(points, periods, indicator.unit, y_title, rules, rolling)
    return charts.Figure(
        charts.render_svg(chart, cache),
        periods[0],
        periods[-1],
        rules,
        average,
        any(p.suppressed for p in points),
    )


def build_view(
    release: Release, indicator: Indicator, chart_cache: Path | None = None
) -> pages.View:
    if indicator.id in release.unavailable:
        return pages.View(indicator, False, None, None, [], None, None, None)
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
    window = periods[-views.CHART_QUARTERS :]  # the indicator page's chart: the last 5 years
    groups, by_group, group_chart = group_series(release, indicator), None, None
    if groups:
        by_group = views.history_table(
            release, indicator, window, f"indicators/{indicator.id}_by_development_group.csv",
            f"{indicator.id}-by-group", series=groups,
        )  # fmt: skip
        group_chart = _figure(release, indicator, by_group.cells, window, chart_cache, keys=groups)
    return pages.View(
        indicator,
        True,
        short,
        full,
        [t for t in breakdowns if t.rows],
        _figure(release, indicator, short.cells, recent, chart_cache),
        _figure(release, indicator, full.cells, window, chart_cache, history=full.cells),
        # the whole series too, when longer than the window
        _figure(release, indicator, full.cells, periods, chart_cache, history=full.cells)
        if len(periods) > len(window)
        else None,
        by_group,
        group_chart,
    )


def write_table_csvs(release: Release, site_dir: Path, built: list[pages.View]) -> None:
    """One CSV per table, holding exactly the cells the table shows."""
    names = downloads.release_names(release)
    for view in built:
        tables = [view.release_table, view.history_table, *view.breakdowns, view.group_table]
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
