"""svg.slim on real vl-convert output: every element that draws something keeps its tag,
attributes, text, enclosing transforms and font; only what draws nothing goes (issue 13:
release pages under 300 KB)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest
import vl_convert as vlc

from arms_metrics.site import charts
from arms_metrics.site.svg import slim

NS = "{http://www.w3.org/2000/svg}"
DRAWING = {"line", "path", "text", "tspan", "rect", "circle"}
UNUSED = {"class", "aria-hidden", "pointer-events", "font-family"}
PERIODS = ["FY2025-Q1", "FY2025-Q2", "FY2025-Q3", "FY2025-Q4", "FY2026-Q1"]


def drawn(svg_text: str) -> list[tuple]:
    """Every element that draws, in document order: (tag, attributes that matter, text,
    the transforms of its ancestors, the font family it inherits)."""
    out: list[tuple] = []

    def walk(node, transforms: tuple, font: str | None) -> None:
        tag = node.tag.removeprefix(NS)
        font = node.get("font-family", font)
        if node.get("transform"):
            transforms = (*transforms, node.get("transform"))
        attrs = {k: v for k, v in node.attrib.items() if k not in UNUSED}
        if attrs.get("opacity") == "1":
            del attrs["opacity"]
        empty = tag == "path" and attrs.get("d", "") in ("", "M0,0h0v0h0Z")
        if tag in DRAWING and not empty:
            face = font if tag in ("text", "tspan") else None  # only text uses a font
            out.append((tag, sorted(attrs.items()), (node.text or "").strip(), transforms, face))
        for child in node:
            walk(child, transforms, font)

    walk(ET.fromstring(svg_text), (), None)
    return out


def _spec() -> dict:
    # two series, a suppressed quarter (a gap and its mark) and a missing one
    values = [Decimal(10), Decimal(12), None, Decimal(9), Decimal(14)]
    points = [
        charts.Point(p, s, v, v is None and p == "FY2025-Q3")
        for p, v in zip(PERIODS, values, strict=True)
        for s in ("Total", "State (DDTC)")
    ]
    return charts.spec(points, PERIODS, "days", "Calendar days")


@pytest.fixture(scope="module")
def original() -> str:
    return vlc.vegalite_to_svg(_spec(), config=charts.CONFIG, allowed_base_urls=[])


def test_slim_keeps_every_drawing_element(original):
    slimmed = slim(original, charts.FONT)
    assert drawn(slimmed) == drawn(original)
    assert len(drawn(original)) > 50  # the comparison has something to compare


def test_slim_drops_what_draws_nothing(original):
    slimmed = slim(original, charts.FONT)
    for unused in ('class="', 'aria-hidden="', 'pointer-events="', 'opacity="1"', "<g></g>"):
        assert unused in original or unused == "<g></g>"
        assert unused not in slimmed, unused
    assert slimmed.count(f'font-family="{charts.FONT}"') == 1
    assert len(slimmed) < 0.8 * len(original)


def test_slim_refuses_what_is_not_an_svg():
    with pytest.raises(ValueError):
        slim("<html></html>", charts.FONT)
