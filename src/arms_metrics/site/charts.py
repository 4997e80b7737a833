"""Static SVG line charts: Vega-Lite specs rendered at build time by vl-convert (no JavaScript).

A chart is rendered once per distinct spec (cached by the spec's JSON) and reused on every
page that shows it; only the wrapper (title, description and element ids, which must be
unique within a page) is made per page. vl-convert may not fetch anything: no base URLs are
allowed and the font is one installed locally, so the bytes depend only on the data.

vl-convert costs about 65 ms a chart (holding the GIL) and half a second or more to start its
JavaScript runtime, which dominates the rendering stage: a run may keep the SVG of each spec
in a cache folder (named by a hash of the spec, the settings, the vl-convert, Vega and
Vega-Lite versions and the installed font files) so a rerun renders only the charts whose
figures changed.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import re
import subprocess
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from html import escape
from pathlib import Path
from typing import Any

import vl_convert as vlc
from markupsafe import Markup

from arms_metrics.quarters import Quarter
from arms_metrics.site.svg import VERSION as SLIM_VERSION
from arms_metrics.site.svg import slim
from arms_metrics.writers import write_bytes

WIDTH, HEIGHT = 560, 220
# The Vega-Lite schema the specs name (altair 6's SCHEMA_URL): vl-convert renders that version.
SCHEMA = "https://vega.github.io/schema/vega-lite/v6.4.1.json"
FONT = "DejaVu Sans, Verdana, sans-serif"
TEXT_SIZE = 12  # every text of a chart, in SVG units: the SVG is never drawn narrower (site.css)
INK = "#1b1b1b"
# Dark enough for 3:1 against white (WCAG 1.4.11), told apart by dash pattern as well.
COLORS = ["#1a4480", "#c05600", "#2e7d32"]
DASHES = [[1, 0], [6, 3], [2, 2]]
# The four-quarter average: grey, thicker, dash-dot and without points, beside the quarters.
ROLLING_COLOR, ROLLING_DASH = "#565c65", [10, 3, 2, 3]
RULE_COLOR = "#8b1303"  # target and goal lines: dark red, dashed
SUPPRESSED_LABEL = "(S) suppressed"
SHAPES = ["triangle-down", "square", "diamond"]  # a suppressed mark's shape, by series
AXIS_FORMAT = {
    "count": "format(datum.value, ',.0f')",
    "usd": "abs(datum.value) >= 1e9 ? '$' + format(datum.value / 1e9, ',.1f') + 'B' : "
    "abs(datum.value) >= 1e6 ? '$' + format(datum.value / 1e6, ',.1f') + 'M' : "
    "'$' + format(datum.value, ',.0f')",
    "days": "format(datum.value, ',.0f')",
    "percent": "format(datum.value, ',.0f') + '%'",
}
CONFIG = {
    "font": FONT,
    "aria": False,
    "background": "#ffffff",
    "view": {"stroke": None},
    "axis": {"labelColor": INK, "titleColor": INK, "labelFontSize": TEXT_SIZE,
             "titleFontSize": TEXT_SIZE},
    "legend": {"labelColor": INK, "titleColor": INK, "orient": "bottom",
               "labelFontSize": TEXT_SIZE, "titleFontSize": TEXT_SIZE, "labelLimit": 0},
    "text": {"fontSize": TEXT_SIZE},
}  # fmt: skip

_CACHE: dict[str, str] = {}


@dataclass(frozen=True)
class Point:
    period: str
    series: str
    value: Decimal | None
    suppressed: bool


@dataclass(frozen=True)
class Rule:
    """A labelled horizontal line: a target ("Target, group A: 45 days") or a goal."""

    label: str
    value: Decimal


@dataclass(frozen=True)
class Figure:
    """A rendered chart and what its description says beyond the table: the quarters it
    spans, its target or goal lines, its four-quarter average and its suppressed marks."""

    svg: str
    first: str
    last: str
    rules: tuple[Rule, ...] = ()
    rolling: str = ""  # the average's series name, when drawn
    suppressed: bool = False


def axis_periods(periods: list[str], most: int = 10) -> list[str]:
    """The periods labelled on the x axis: all of a short series; for a long one the first
    quarter of every k-th fiscal year, so at most ``most`` labels (readable, and vl-convert
    spends most of its time laying out axis text)."""
    if len(periods) <= most:
        return periods
    firsts = [p for p in periods if Quarter.parse(p).quarter == 1] or periods[:1]
    step = -(-len(firsts) // most)
    return firsts[::step]


def rolling_mean(values: dict[str, Decimal | None], periods: list[str]) -> dict[str, Decimal]:
    """The average of the four quarters to each of ``periods``, from ``values`` (period ->
    published figure; None or absent where suppressed, undefined or not published): only
    where all four quarters have a figure, so nothing is guessed over a gap."""
    out = {}
    for period in periods:
        quarter = Quarter.parse(period)
        four = [values.get(quarter.shift(-k).label) for k in range(4)]
        if all(v is not None for v in four):
            out[period] = sum(four, Decimal(0)) / 4  # type: ignore[arg-type]
    return out


def _channel(field: str, kind: str, **settings: Any) -> dict:
    """One encoding channel, its keys in the order Vega-Lite specs list them (sorted)."""
    return dict(sorted({"field": field, "type": kind, **settings}.items()))


def _encoding(
    periods: list[str], series: list[str], rolling: list[str], unit: str, y_title: str
) -> dict:
    """A line layer's encoding: quarters across, values up, one color and dash per series
    (the quarterly ``series``, then the ``rolling`` average's, grey and dash-dot)."""
    names = series + rolling
    legend = {"symbolStrokeWidth": 3, "symbolType": "stroke"} if len(names) > 1 else None
    # "FY2026" over "Q2", level (about 45 px wide at 12 px): the at most 10 labels of
    # ``axis_periods`` fit side by side in the plot's width, never rotated over the y axis
    # (set 8 px below the axis, so the first one clears the y axis's lowest label)
    x_axis: dict[str, Any] = {"labelAngle": 0, "labelExpr": "split(datum.value, '-')",
                              "labelOverlap": False, "labelPadding": 8,
                              "values": axis_periods(periods)}  # fmt: skip
    colors = COLORS[: len(series)] + [ROLLING_COLOR] * len(rolling)
    dashes = DASHES[: len(series)] + [ROLLING_DASH] * len(rolling)
    return {
        "color": _channel("series", "nominal", legend=legend, sort=names, title=None,
                          scale={"domain": names, "range": colors}),
        "strokeDash": _channel("series", "nominal", legend=None, sort=names,
                               scale={"domain": names, "range": dashes}),
        "x": _channel("period", "ordinal", axis=x_axis, scale={"domain": periods},
                      sort=periods, title="Fiscal quarter"),
        "y": _channel("value", "quantitative", title=y_title, scale={"zero": True},
                      axis={"labelExpr": AXIS_FORMAT[unit], "tickCount": 5,
                            "tickMinStep": 1}),  # whole labels never repeat (0%, 1%, 1%)
    }  # fmt: skip


def _value(value: Decimal | None) -> float | None:
    return None if value is None else float(value)  # drawing only; the tables hold Decimals


def _rule_layers(rules: tuple[Rule, ...] | list[Rule], labels: bool) -> list[dict]:
    """Each target or goal: a dashed rule at its value on the y scale (drawn beneath the
    data; the y domain takes the value in, so the rule is shown), or, with ``labels``, its
    label above the rule's right end, drawn over the data on a white halo (the same text
    stroked white beneath it), so a line passing under it never strikes it through."""
    layers = []
    for rule in rules:
        y = {"datum": float(rule.value), "type": "quantitative"}
        text = {"type": "text", "align": "right", "baseline": "bottom", "color": RULE_COLOR,
                "dy": -2, "fontSize": TEXT_SIZE, "text": rule.label, "x": WIDTH}  # fmt: skip
        halo = text | {"color": "#ffffff", "stroke": "#ffffff", "strokeWidth": 4,
                       "strokeJoin": "round"}  # fmt: skip
        rule_mark = {"type": "rule", "color": RULE_COLOR, "strokeDash": [4, 3], "strokeWidth": 1.5}
        marks = [halo, text] if labels else [rule_mark]
        for mark in marks:  # one mark each, placed by its datum alone
            layers.append({"data": {"values": [{}]}, "mark": mark, "encoding": {"y": y}})
    return layers


def _suppressed_layers(points: list[Point], series: list[str], periods: list[str]) -> list[dict]:
    """Suppressed quarters: a mark above the plot, one row per series in its color and, when
    there are several series, its own shape and legend entry ("(S) State (DDTC)
    suppressed"), so color is never all that tells them apart; never a value on the y
    scale. One series: a triangle, "(S) suppressed"."""
    rows = [(row, name) for row, name in enumerate(series)
            if any(p.series == name and p.suppressed for p in points)]  # fmt: skip
    labels = {name: SUPPRESSED_LABEL if len(series) == 1 else f"(S) {name} suppressed"
              for _, name in rows}  # fmt: skip
    scale = {"domain": [labels[name] for _, name in rows],
             "range": [SHAPES[row % len(SHAPES)] for row, _ in rows]}  # fmt: skip
    layers = []
    for row, name in rows:
        marks = [{"period": p.period, "mark": labels[name]}
                 for p in points if p.series == name and p.suppressed]  # fmt: skip
        layers.append({
            "data": {"values": marks},
            "mark": {"type": "point", "filled": True, "size": 50, "opacity": 1,
                     "color": COLORS[row]},
            "encoding": {
                "shape": _channel("mark", "nominal", title=None, legend={
                    "symbolFillColor": INK, "symbolStrokeColor": INK}, scale=scale),
                "x": _channel("period", "ordinal", scale={"domain": periods}, sort=periods),
                "y": {"value": -10 - 12 * row},  # pixels above the plot's top edge
            },
        })  # fmt: skip
    return layers


POINTS_UP_TO = 40  # quarters; a longer chart is a line (its table has every figure)


def _isolated(points: list[Point], periods: list[str]) -> list[Point]:
    """The published points whose quarters before and after (in ``periods``) are not."""
    drawn = {(p.series, p.period) for p in points if not p.suppressed and p.value is not None}
    out = []
    for p in points:
        if (p.series, p.period) not in drawn:
            continue
        i = periods.index(p.period)
        before = i > 0 and (p.series, periods[i - 1]) in drawn
        after = i + 1 < len(periods) and (p.series, periods[i + 1]) in drawn
        if not before and not after:
            out.append(p)
    return out


def spec(
    points: list[Point],
    periods: list[str],
    unit: str,
    y_title: str,
    rules: tuple[Rule, ...] | list[Rule] = (),
    rolling: list[Point] | None = None,
) -> dict:
    """The Vega-Lite spec of a line chart. A suppressed or undefined quarter is a gap in
    its line (a null value; ``invalid: break-paths-filter-domains`` breaks the path there
    and keeps it out of the y domain); a suppressed one is marked by a triangle above the
    plot. ``rules`` are target or goal lines; ``rolling`` a four-quarter average series,
    drawn as a second, grey dash-dot line. A chart of more than ``POINTS_UP_TO`` quarters
    draws a point only where a quarter stands alone between gaps (so it is seen; points on
    every quarter would triple the SVG). Written out as the dict altair's
    ``layer(...).to_dict()`` gives, without building altair objects."""
    series = list(dict.fromkeys(p.series for p in points))
    rolling = rolling or []
    averages = list(dict.fromkeys(p.series for p in rolling))
    encoding = _encoding(periods, series, averages, unit, y_title)
    invalid = "break-paths-filter-domains"
    lines = {
        "data": {"values": [
            {"period": p.period, "series": p.series,
             "value": None if p.suppressed else _value(p.value)}  # a gap, never a value
            for p in points
        ]},
        "mark": {"type": "line", "invalid": invalid, "point": True, "strokeWidth": 2},
        "encoding": encoding,
    }  # fmt: skip
    layers = [*_rule_layers(rules, labels=False), lines]
    if len(periods) > POINTS_UP_TO:
        lines["mark"]["point"] = False
        alone = _isolated(points, periods)
        if alone:
            layers.append({
                "data": {"values": [
                    {"period": p.period, "series": p.series, "value": _value(p.value)}
                    for p in alone
                ]},
                "mark": {"type": "point", "filled": True, "opacity": 1, "size": 30},
                "encoding": {k: encoding[k] for k in ("color", "x", "y")},
            })  # fmt: skip
    if rolling:
        layers.append({
            "data": {"values": [
                {"period": p.period, "series": p.series, "value": _value(p.value)}
                for p in rolling
            ]},
            "mark": {"type": "line", "invalid": invalid, "strokeWidth": 3},
            "encoding": encoding,
        })  # fmt: skip
    layers += _suppressed_layers(points, series, periods)
    layers += _rule_layers(rules, labels=True)
    top = {"config": {"view": {"continuousWidth": 300, "continuousHeight": 300}}}
    return top | {"layer": layers, "height": HEIGHT, "width": WIDTH, "$schema": SCHEMA}


def render_svg(chart_spec: dict, cache_dir: Path | None = None) -> str:
    """SVG text for a spec, rendered once per distinct spec and then served from the cache
    (and from ``cache_dir``, when given, across runs)."""
    key = json.dumps(chart_spec, sort_keys=True, separators=(",", ":"))
    if key not in _CACHE:
        stored = None if cache_dir is None else Path(cache_dir) / f"{_digest(key)}.svg"
        if stored is not None and stored.is_file():
            _CACHE[key] = stored.read_bytes().decode("utf-8")
        else:
            drawn = vlc.vegalite_to_svg(chart_spec, config=CONFIG, allowed_base_urls=[])
            _CACHE[key] = slim(drawn, FONT)
            if stored is not None:
                write_bytes(stored, _CACHE[key].encode("utf-8"))
    return _CACHE[key]


def _fonts() -> list[str]:
    """The installed fonts as fontconfig lists them (file, version, modification time;
    empty where ``fc-list`` is missing): a changed font re-renders. Read from fontconfig,
    not from font folders named here, so no path outside the repository is written down."""
    fields = "%{file}|%{fontversion}|%{index}\n"
    try:
        done = subprocess.run(["fc-list", "--format", fields], capture_output=True, text=True,
                              check=False, timeout=60)  # fmt: skip
    except (OSError, subprocess.TimeoutExpired):
        return []
    files = sorted(set(done.stdout.splitlines()))
    return [f"{line}|{_mtime(line.split('|')[0])}" for line in files]


def _mtime(name: str) -> int:
    try:
        return Path(name).stat().st_mtime_ns
    except OSError:
        return 0


@cache
def _renderer() -> str:
    """What, besides the spec, decides the SVG bytes: the settings, versions and fonts."""
    versions = [importlib.metadata.version("vl-convert-python"), vlc.get_vega_version()]
    return json.dumps(
        [versions, vlc.get_vegalite_versions(), CONFIG, _fonts(), SLIM_VERSION], sort_keys=True
    )


def _digest(key: str) -> str:
    return hashlib.sha256(f"{_renderer()}\n{key}".encode()).hexdigest()


_ID = re.compile(r'\bid="([^"]+)"')
_REF = re.compile(r'(url\(#|href="#)([^)"]+)')
_OPEN = re.compile(r"<svg\b[^>]*>")
_ROLES = re.compile(r'\s(?:role|aria-roledescription|aria-label)="[^"]*"')


def embed(svg: str, dom_id: str, title: str, description: str) -> Markup:
    """Inline an SVG accessibly: role="img" labelled by its own <title> and <desc>, with
    every internal id prefixed by ``dom_id`` so several charts can share one page."""
    body = _ROLES.sub("", svg)  # the whole chart is one image; its parts carry no roles
    body = _ID.sub(lambda m: f'id="{dom_id}-{m.group(1)}"', body)
    body = _REF.sub(lambda m: f"{m.group(1)}{dom_id}-{m.group(2)}", body)
    opening = _OPEN.search(body)
    if opening is None:
        raise ValueError("not an SVG document")
    size = re.search(r'viewBox="([^"]+)"', opening.group(0))
    view_box = size.group(1) if size else f"0 0 {WIDTH} {HEIGHT}"
    width, height = view_box.split()[2:]
    head = (
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
        f'class="chart" viewBox="{view_box}" width="{width}" height="{height}" '
        f'role="img" aria-labelledby="{dom_id}-title {dom_id}-desc" id="{dom_id}">'
        f'<title id="{dom_id}-title">{escape(title)}</title>'
        f'<desc id="{dom_id}-desc">{escape(description)}</desc>'
    )
    return Markup(head + body[opening.end() :].strip())


def table_chart(figure: Figure, dom_id: str, table: Any, table_at: str = "") -> Markup:
    """The inline chart, described in words (its quarters, the latest figures, any target,
    goal or four-quarter average and the suppressed marks) and pointing to the table: below
    it, or ``table_at`` (a chart shown without its table: "on the section page")."""
    last = table.rows[0][0]
    latest = "; ".join(
        f"{col} {text}" for col, text in zip(table.columns, table.rows[0][1], strict=True) if text
    )
    parts = [f"Line chart of {table.caption}, {figure.first} to {figure.last}."]
    parts.append(f"In {last}: {latest}.")
    if figure.rules:
        parts.append("Dashed horizontal lines: " + "; ".join(r.label for r in figure.rules) + ".")
    if figure.rolling:
        parts.append(
            f"A second, grey dash-dot line ({figure.rolling}) is the average of the four "
            "quarters to each quarter, drawn only where all four are published."
        )
    if figure.suppressed:
        parts.append(
            "A mark above the plot (one row, color and shape per line) marks a suppressed "
            "quarter, (S), where the line breaks."
        )
    whole = (figure.first, figure.last) == (table.rows[-1][0], last)
    if table_at:
        parts.append(f"The same figures are in a table {table_at}.")
    else:
        parts.append(
            "The same figures are in the table below."
            if whole
            else "The table below has these figures and every earlier quarter."
        )
    title = table.caption if whole else f"{table.caption}, {figure.first} to {figure.last}"
    return embed(figure.svg, dom_id, title, " ".join(parts))
