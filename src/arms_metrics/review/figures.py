"""The review pack's aggregate figures, from the cells of the site's own engine.

The cells are ``indicators.compute``'s, before disclosure control: the pack is internal, so
no figure is suppressed, and every figure the site publishes unsuppressed is the same
number here. A figure is a dict of the public columns of indicators.csv (published codes,
values as its ``format_value`` writes them) plus the pack's target, label and title.
"""

from __future__ import annotations

from decimal import Decimal

import polars as pl

from arms_metrics.cells import TOTAL
from arms_metrics.config import Config, Indicator
from arms_metrics.ingest.names import Names
from arms_metrics.quarters import Quarter
from arms_metrics.site.downloads import format_value
from arms_metrics.site.main_points import TARGET_TABLES, is_target_share
from arms_metrics.site.render import GOAL_LINES

PRIORITY = "priority_platform"


def main_indicators(config: Config) -> list[Indicator]:
    """Headline indicators, within-target shares and percents with a goal, registry order."""
    return [
        i
        for i in config.registry.indicators
        if i.headline or is_target_share(i) or i.id in GOAL_LINES
    ]


def targets_of(config: Config, indicator: Indicator) -> tuple[str | None, dict[str, int]]:
    """(breakdown, {category: target days}) of a within-target share or of a time the
    share is measured over (``reveals`` it); (None, {}) for any other indicator."""
    timed = indicator.unit == "days" and "reveals" in indicator.links
    table = TARGET_TABLES.get(indicator.family)
    if not (is_target_share(indicator) or timed) or table is None:
        return None, {}
    if table == "agency":
        return table, dict(config.license_targets)
    return table, dict(config.development_targets)


def _cells_of(cells: pl.DataFrame, indicator_id: str, period: str) -> pl.DataFrame:
    return cells.filter((pl.col("indicator_id") == indicator_id) & (pl.col("period") == period))


def _status(indicator: Indicator, value: Decimal | None, target: Decimal | None) -> str:
    """For a time "within target" or "over target", for a percent with a goal "goal met" or
    "goal not met"; else "" (a share's target is the days it counts within)."""
    if value is None or target is None:
        return ""
    if indicator.unit == "days":
        return "within target" if value <= target else "over target"
    if indicator.id in GOAL_LINES:
        return "goal met" if value >= target else "goal not met"
    return ""


def figure(row: dict, indicator: Indicator, names: Names, target: Decimal | None) -> dict:
    """One figure: a cell's public columns, its label, title and target (days, or the
    goal's percent)."""
    code = row["breakdown_value"]
    value = row["value"]
    return {
        "indicator_id": indicator.id,
        "title": indicator.title,
        "period": row["period"],
        "breakdown": row["breakdown"],
        "breakdown_value": names.public(row["breakdown"], code),
        "label": names.label(row["breakdown"], code),
        "unit": indicator.unit,
        "value": None if value is None else format_value(value, indicator.unit),
        "n": row["n"],
        "target": _target_text(indicator, target),
        "status": _status(indicator, value, target),
    }


def _target_text(indicator: Indicator, target: Decimal | None) -> str:
    if target is None:
        return ""
    if indicator.id in GOAL_LINES:
        return f"{target.normalize():f}% goal"
    return f"{target:f} days"


def _target(config: Config, indicator: Indicator, breakdown: str, code: str) -> Decimal | None:
    if indicator.id in GOAL_LINES:
        goal = config.goals.get(GOAL_LINES[indicator.id])
        return None if goal is None or breakdown != TOTAL else Decimal(str(goal))
    table, targets = targets_of(config, indicator)
    if breakdown == table and code in targets:
        return Decimal(targets[code])
    return None


def main_figures(cells: pl.DataFrame, config: Config, quarter: Quarter, names: Names) -> list:
    """Each main indicator's total in ``quarter``, then its headline breakdown's and its
    targets' categories (sorted by code): [{"indicator": Indicator, "figures": [...]}]."""
    found = []
    for indicator in main_indicators(config):
        table, _ = targets_of(config, indicator)
        shown = [TOTAL] + [b for b in (indicator.headline_breakdown, table) if b]
        quarter_cells = _cells_of(cells, indicator.id, quarter.label)
        rows = []
        for breakdown in dict.fromkeys(shown):
            part = quarter_cells.filter(pl.col("breakdown") == breakdown)
            for row in part.sort("breakdown_value").iter_rows(named=True):
                target = _target(config, indicator, breakdown, row["breakdown_value"])
                rows.append(figure(row, indicator, names, target))
        found.append({"indicator": indicator, "figures": rows})
    return found


def priority_figures(cells: pl.DataFrame, config: Config, quarter: Quarter, names: Names):
    """The FMS indicators broken down by priority platform: their ``true`` and ``false``
    cells in ``quarter`` side by side: [{"indicator", "priority", "other"}] (None: no cell)."""
    found = []
    for indicator in config.registry.indicators:
        if indicator.family != "fms" or PRIORITY not in indicator.breakdowns:
            continue
        part = _cells_of(cells, indicator.id, quarter.label).filter(pl.col("breakdown") == PRIORITY)
        by_code = {r["breakdown_value"]: r for r in part.iter_rows(named=True)}
        pair = {
            side: figure(by_code[code], indicator, names, None) if code in by_code else None
            for side, code in (("priority", "true"), ("other", "false"))
        }
        found.append({"indicator": indicator} | pair)
    return found


def flat(main: list, priority: list) -> list[dict]:
    """Every figure the pack shows, in the order shown, for its JSON and the site check."""
    rows = [f for item in main for f in item["figures"]]
    rows += [item[side] for item in priority for side in ("priority", "other") if item[side]]
    return rows
