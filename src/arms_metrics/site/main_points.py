"""Main points of a release: plain-English sentences generated from its published cells.

The front page and each release page lead with them (issue 13). Every sentence follows a
rule a test can check by hand, never wording written for one release:

* one point per section (registry ``group``) holding a sentence for each headline indicator
  (its total; ``headline_breakdown`` categories stay on the headline cards) and one for each
  within-target share (measure ``share`` over the column ``within_target``), in registry order;
* counts, days and percent: the quarter's value and its change on the previous quarter and on
  the same quarter a year earlier (``views.change_text``: percentage points for percent);
* usd values are lumpy: the sum of the four quarters to the release quarter, compared with
  the four quarters before; a suppressed or missing quarter among them means no sum (or no
  change) is stated, never a guess;
* a within-target share names the targets of ``[targets.*]`` in pipeline.toml;
* ``higher_is`` better or worse marks a change "(better)" or "(worse)"; neutral never does;
* a suppressed or unavailable figure is never given a value; a zero count is "no records".

Numbers are formatted by ``views`` (one decimal, half-even), never here a second time.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from arms_metrics.cells import ALL, TOTAL
from arms_metrics.config import Indicator
from arms_metrics.quarters import Quarter
from arms_metrics.release import Release
from arms_metrics.site import views

TOTAL_KEY = (TOTAL, ALL)
ROLLING = 4  # quarters in a rolling usd sum
FALLBACK = 2  # indicators a section without a headline indicator states
SUPPRESSED = "suppressed under disclosure control"
NOT_AVAILABLE = "not available for this quarter"
JUDGED = {"better": ("better", "worse"), "worse": ("worse", "better")}  # (up, down)
TARGET_TABLES = {"fms": "development_group", "licensing": "agency"}  # family -> targets key


def main_points(release: Release) -> list[dict[str, Any]]:
    """``[{"title": section title, "sentences": [str, ...]}]``, one point per section in the
    registry's order: its headline indicators and within-target shares, or, for a section
    with neither, its first ``FALLBACK`` indicators (the notifications' count and value)."""
    points = []
    for key, title in release.config.registry.groups.items():
        members = [i for i in release.config.registry.indicators if i.group == key]
        chosen = [i for i in members if i.headline or is_target_share(i)] or members[:FALLBACK]
        if chosen:
            points.append({"title": title, "sentences": [sentence(release, i) for i in chosen]})
    return points


def is_target_share(indicator: Indicator) -> bool:
    """A percent of records within their processing or development target."""
    return indicator.measure == "share" and indicator.column == "within_target"


def sentence(release: Release, indicator: Indicator) -> str:
    """The indicator's one sentence: "<title>, <quarter>: <value>, <changes>." (usd: the
    four-quarter sum); a target share adds "against a target of ..." after the value."""
    if indicator.id in release.unavailable:
        return f"{indicator.title}, {release.period}: {NOT_AVAILABLE}."
    if indicator.unit == "usd":
        return _rolling_sentence(release, indicator)
    current = views.lookup_cell(release, indicator.id, release.period, TOTAL_KEY)
    head = f"{indicator.title}, {release.period}: {_value_text(current, indicator.unit)}"
    if current is None or current["value"] is None:
        return head + "."
    if is_target_share(indicator) and target_text(release, indicator):
        head += f" against a target of {target_text(release, indicator)}"
    changes = [
        _versus(release, indicator, current["value"], other)
        for other in (release.quarter.previous(), release.quarter.year_ago())
    ]
    return f"{head}, {' and '.join(changes)}."


def _value_text(cell: dict | None, unit: str) -> str:
    """A figure in words: its value, "no records" (a zero count or an undefined statistic),
    or why it is not given; never a value for a suppressed figure."""
    if cell is None:
        return NOT_AVAILABLE
    if cell["suppressed"]:
        return SUPPRESSED
    if cell["value"] is None:
        return "no records, so no figure"
    if unit == "count" and cell["value"] == 0:
        return "no records"
    return views.human_value(cell["value"], unit, compact=True)


def _versus(release: Release, indicator: Indicator, value: Decimal, other: Quarter) -> str:
    """A change on ``other``: "up 5 (+10.0%) on FY2026-Q1", "unchanged from FY2026-Q1", or
    why there is none: "no comparison with FY2026-Q1 (suppressed)"."""
    before = views.lookup_cell(release, indicator.id, other.label, TOTAL_KEY)
    if before is None or before["value"] is None:
        why = "suppressed" if before and before["suppressed"] else "no figure"
        return f"no comparison with {other.label} ({why})"
    return _change(value, before["value"], indicator, other.label)


def _change(value: Decimal, before: Decimal, indicator: Indicator, against: str) -> str:
    """``views.change_text`` on ``against``, "unchanged from" it, and for an indicator
    judged by ``higher_is`` (never a neutral one) "(better)" or "(worse)"."""
    if value == before:
        return f"unchanged from {against}"
    text = f"{views.change_text(value, before, indicator.unit)} on {against}"
    if indicator.higher_is not in JUDGED:
        return text
    up, down = JUDGED[indicator.higher_is]
    return f"{text} ({up if value > before else down})"


def rolling_sum(release: Release, indicator: Indicator, last: Quarter) -> Decimal | None:
    """Exact sum of the total over the four quarters to ``last``; None when any of them is
    suppressed, undefined or has no cell (a sum is never guessed)."""
    total = Decimal(0)
    for quarter in Quarter.span(last.shift(1 - ROLLING), last):
        cell = views.lookup_cell(release, indicator.id, quarter.label, TOTAL_KEY)
        if cell is None or cell["suppressed"] or cell["value"] is None:
            return None
        total += cell["value"]
    return total


def _rolling_sentence(release: Release, indicator: Indicator) -> str:
    """A usd sentence: "<title>, four quarters to <quarter>: $X, up $Y (+Z%) on the four
    quarters before." (the quarter alone, or no change, when a quarter is not published)."""
    now = rolling_sum(release, indicator, release.quarter)
    if now is None:
        current = views.lookup_cell(release, indicator.id, release.period, TOTAL_KEY)
        return (
            f"{indicator.title}, {release.period}: {_value_text(current, 'usd')}; no "
            "four-quarter total, as a quarter in it is not published."
        )
    amount = views.human_value(now, "usd", compact=True)
    head = f"{indicator.title}, four quarters to {release.period}: {amount}"
    before = rolling_sum(release, indicator, release.quarter.shift(-ROLLING))
    if before is None:
        return f"{head}; no comparison with the four quarters before, as one is not published."
    return f"{head}, {_change(now, before, indicator, 'the four quarters before')}."


def rolling_card(release: Release, indicator: Indicator) -> dict[str, str]:
    """The two lines under a dollar headline card: the four-quarter sum to the release
    quarter and its change on the four quarters before (a lumpy quarter is never compared
    with another), or why there is none."""
    now = rolling_sum(release, indicator, release.quarter)
    if now is None:
        return {"previous": "No four-quarter total: a quarter in it is not published.", "year": ""}
    amount = views.human_value(now, "usd", compact=True)
    before = rolling_sum(release, indicator, release.quarter.shift(-ROLLING))
    if before is None:
        change = "No comparison with the four quarters before: one is not published."
    else:  # worded as the main point's change is
        change = views.sentence_case(_change(now, before, indicator, "the four quarters before"))
        change += "."
    return {"previous": f"Four quarters to {release.period}: {amount}.", "year": change}


def target_text(release: Release, indicator: Indicator) -> str:
    """The targets a within-target share is measured against, from ``[targets.*]`` in
    pipeline.toml, shortest first: "60 calendar days at State (DDTC) and 90 at Commerce
    (BIS)"; "" when the family has none."""
    config = release.config
    table = TARGET_TABLES.get(indicator.family)
    if table == "agency":
        targets = config.license_targets
        where = {code: f"at {views.label(release, 'agency', code)}" for code in targets}
    elif table == "development_group":
        targets = config.development_targets
        where = {code: f"for group {code}" for code in targets}
    else:
        return ""
    parts = [f"{days} {where[code]}" for code, days in sorted(targets.items(), key=_by_days)]
    if not parts:
        return ""
    parts[0] = parts[0].replace(" ", " calendar days ", 1)
    return parts[0] if len(parts) == 1 else f"{', '.join(parts[:-1])} and {parts[-1]}"


def _by_days(item: tuple[str, int]) -> tuple[int, str]:
    return item[1], item[0]
