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
from arms_metrics.writers import write_bytes

WIDTH, HEIGHT = 560, 220
# The Vega-Lite schema the specs name (altair 6's SCHEMA_URL): vl-convert renders that version.
SCHEMA = "https://vega.github.io/schema/vega-lite/v6.4.1.json"
FONT = "DejaVu Sans, Verdana, sans-serif"
# Dark enough for 3:1 against white (WCAG 1.4.11), told apart by dash pattern as well.
COLORS = ["#1a4480", "#c05600", "#2e7d32"]
DASHES = [[1, 0], [6, 3], [2, 2]]
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
    "axis": {"labelColor": "#1b1b1b", "titleColor": "#1b1b1b", "labelFontSize": 11},
    "legend": {"labelColor": "#1b1b1b", "titleColor": "#1b1b1b", "orient": "bottom"},
}

_CACHE: dict[str, str] = {}


@dataclass(frozen=True)
class Point:
    period: str
    series: str
    value: Decimal | None
    suppressed: bool


def axis_periods(periods: list[str], most: int = 12) -> list[str]:
    """The periods labelled on the x axis: all of a short series; for a long one the first
    quarter of every k-th fiscal year, so at most ``most`` labels (readable, and vl-convert
    spends most of its time laying out axis text)."""
    if len(periods) <= most:
        return periods
    firsts = [p for p in periods if Quarter.parse(p).quarter == 1] or periods[:1]
    step = -(-len(firsts) // most)
    return firsts[::step]


def _channel(field: str, kind: str, **settings: Any) -> dict:
    """One encoding channel, its keys in the order Vega-Lite specs list them (sorted)."""
    return dict(sorted({"field": field, "type": kind, **settings}.items()))


def _encoding(periods: list[str], series: list[str], unit: str, y_title: str) -> dict:
    """The line layer's encoding: quarters across, values up, one color and dash per series."""
    legend = {} if len(series) > 1 else None
    x_axis = {"labelAngle": 0 if len(periods) <= 8 else -45, "values": axis_periods(periods)}
    return {
        "color": _channel("series", "nominal", legend=legend, sort=series, title=None,
                          scale={"domain": series, "range": COLORS[: len(series)]}),
        "strokeDash": _channel("series", "nominal", legend=None, sort=series,
                               scale={"domain": series, "range": DASHES[: len(series)]}),
        "x": _channel("period", "ordinal", axis=x_axis, scale={"domain": periods},
                      sort=periods, title="Fiscal quarter"),
        "y": _channel("value", "quantitative", title=y_title, scale={"zero": True},
                      axis={"labelExpr": AXIS_FORMAT[unit], "tickCount": 5}),
    }  # fmt: skip


def spec(points: list[Point], periods: list[str], unit: str, y_title: str) -> dict:
    """The Vega-Lite spec of a line chart; suppressed points are marked "(S)" on the axis.
    Written out as the dict altair's ``layer(...).to_dict()`` gives (one layer's data is
    lifted to the top), without building altair objects."""
    series = list(dict.fromkeys(p.series for p in points))
    data = [
        {"period": p.period, "series": p.series, "value": float(p.value)}  # drawing only
        for p in points
        if p.value is not None
    ]
    marks = [{"period": p.period, "label": "(S)"} for p in points if p.suppressed]
    lines = {
        "mark": {"type": "line", "point": True, "strokeWidth": 2},
        "encoding": _encoding(periods, series, unit, y_title),
    }
    top = {"config": {"view": {"continuousWidth": 300, "continuousHeight": 300}}}
    if not marks:
        top |= {"layer": [lines], "data": {"values": data}}
    else:
        text = {
            "data": {"values": marks},
            "mark": {"type": "text", "color": "#1b1b1b", "dy": -6, "fontSize": 11},
            "encoding": {
                "text": {"field": "label", "type": "nominal"},
                "x": {"field": "period", "sort": periods, "type": "ordinal"},
                "y": {"datum": 0},
            },
        }
        top["layer"] = [{"data": {"values": data}} | lines, text]
    return top | {"height": HEIGHT, "width": WIDTH, "$schema": SCHEMA}


def render_svg(chart_spec: dict, cache_dir: Path | None = None) -> str:
    """SVG text for a spec, rendered once per distinct spec and then served from the cache
    (and from ``cache_dir``, when given, across runs)."""
    key = json.dumps(chart_spec, sort_keys=True, separators=(",", ":"))
    if key not in _CACHE:
        stored = None if cache_dir is None else Path(cache_dir) / f"{_digest(key)}.svg"
        if stored is not None and stored.is_file():
            _CACHE[key] = stored.read_bytes().decode("utf-8")
        else:
            _CACHE[key] = vlc.vegalite_to_svg(chart_spec, config=CONFIG, allowed_base_urls=[])
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
    return json.dumps([versions, vlc.get_vegalite_versions(), CONFIG, _fonts()], sort_keys=True)


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
    head = (
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
        f'class="chart" viewBox="{view_box}" '
        f'role="img" aria-labelledby="{dom_id}-title {dom_id}-desc" id="{dom_id}">'
        f'<title id="{dom_id}-title">{escape(title)}</title>'
        f'<desc id="{dom_id}-desc">{escape(description)}</desc>'
    )
    return Markup(head + body[opening.end() :].strip())


def table_chart(svg: str, dom_id: str, table: Any) -> Markup:
    """The inline chart, described in words and pointing to the table with the numbers."""
    first, last = table.rows[-1][0], table.rows[0][0]
    latest = "; ".join(
        f"{col} {text}" for col, text in zip(table.columns, table.rows[0][1], strict=True) if text
    )
    description = (
        f"Line chart of {table.caption}, {first} to {last}. In {last}: {latest}. "
        f"(S) marks a suppressed figure. The same figures are in the table below."
    )
    return embed(svg, dom_id, table.caption, description)
