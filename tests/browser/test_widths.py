"""Every page kind at a phone's width (390 px) and a desktop's (1280 px), in headless chromium
(issue 13): the page body never scrolls sideways (a wide table or chart scrolls inside its
own container), every rendered text is at least 12 px (SVG text scaled by the chart's
rendered size), and no two labels of a chart overlap."""

from __future__ import annotations

import pytest

from tests.browser.serve import browser, serve
from tests.browser.test_site_browser import PAGES, fixture_site

pytestmark = pytest.mark.browser

WIDTHS = [390, 1280]
SMALLEST_TEXT_PX = 12

MEASURE = """(smallest) => {
  const doc = document.documentElement;
  const sizes = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode, el = node.parentElement;
    if (!node.textContent.trim() || !el) continue;
    const box = el.getBoundingClientRect();
    if (box.width === 0 || box.height === 0) continue;  // not rendered (closed, sr-only)
    if (el.closest('.usa-sr-only, title, desc')) continue;
    let px = parseFloat(getComputedStyle(el).fontSize);
    const svg = el.closest('svg');
    if (svg && svg.viewBox.baseVal && svg.viewBox.baseVal.width) {
      px *= svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
    }
    sizes.push({px: px, text: node.textContent.trim().slice(0, 40)});
  }
  const overlaps = [];
  for (const svg of document.querySelectorAll('svg')) {
    const boxes = [...svg.querySelectorAll('text')]
      .filter(t => t.textContent.trim() && !t.closest('title, desc'))
      .map(t => ({box: t.getBoundingClientRect(), text: t.textContent.trim()}))
      .filter(t => t.box.width > 0);
    for (let i = 0; i < boxes.length; i++) {
      for (let j = i + 1; j < boxes.length; j++) {
        const a = boxes[i].box, b = boxes[j].box;
        const halo = boxes[i].text === boxes[j].text && Math.abs(a.left - b.left) < 1
          && Math.abs(a.top - b.top) < 1;  // a label on its own white halo
        if (halo) continue;
        const w = Math.min(a.right, b.right) - Math.max(a.left, b.left);
        const h = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
        if (w > 1 && h > 1) overlaps.push([svg.id, boxes[i].text, boxes[j].text]);
      }
    }
  }
  const small = sizes.filter(s => s.px < smallest - 0.01);
  return {scroll: document.body.scrollWidth, client: doc.clientWidth,
          small: small.slice(0, 5), overlaps: overlaps.slice(0, 5)};
}"""


@pytest.fixture(scope="module")
def site(config, tmp_path_factory):
    return fixture_site(config, tmp_path_factory.mktemp("widths-site"))


# the fixture's pages, and an indicator page with the longest id and a goal line
FIXTURE_PAGES = [*PAGES, "indicators/fms_loas_offered_by_anticipated_date_pct.html"]


def measure(site, pages: list[str]) -> dict:
    """(page, width) -> what MEASURE found, for every page at both widths."""
    found = {}
    with serve(site) as base, browser() as chromium:
        for width in WIDTHS:
            page = chromium.new_page(viewport={"width": width, "height": 900})
            for path in pages:
                page.goto(base + path, wait_until="load")
                found[(path, width)] = page.evaluate(MEASURE, SMALLEST_TEXT_PX)
            page.close()
    return found


def problems(got: dict) -> list:
    """What a page measured breaks: sideways scroll, text under 12 px, overlapping labels."""
    out = []
    if got["scroll"] > got["client"]:
        out.append(f"body {got['scroll']} px wide in {got['client']} px")
    return out + got["small"] + got["overlaps"]


@pytest.fixture(scope="module")
def measured(site):
    return measure(site, FIXTURE_PAGES)


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("path", FIXTURE_PAGES)
def test_no_sideways_scroll_small_text_or_overlapping_labels(measured, path, width):
    assert problems(measured[(path, width)]) == []
