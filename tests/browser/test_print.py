"""Print (issue 13) in headless chromium: a breakdown table collapsed on screen prints whole,
the navigation does not print but the draft banner does, CSV links print their address, black
on white; and the page prints to a PDF. Uses the small fixture site of test_site_browser.py
(make_release), with 13 more purchasers of License final actions so that table is collapsed."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

from arms_metrics.site import downloads, render, views
from tests.browser.serve import CHROMIUM, browser, serve
from tests.unit.site_fixtures import cell, cells_frame, make_release

pytestmark = pytest.mark.browser

PAGE = "releases/FY2026-Q2/licensing.html"
TABLE = "#lic_final_actions-by-purchaser"
EUROPE = ["AT", "BE", "CZ", "DK", "FI", "GR", "HU", "NL", "NO", "PT", "RO", "SK", "SE"]


@pytest.fixture(scope="module")
def site(config, tmp_path_factory):
    assert Path(CHROMIUM).is_file(), f"{CHROMIUM} missing: run `make browser-tools`"
    release = make_release(config)  # 4 purchasers; + 13 = 17 > COLLAPSE_ROWS
    extra = [
        cell("lic_final_actions", "FY2026-Q2", 5 + i, "count", 5 + i, "purchaser", code,
             parent="EUR")
        for i, code in enumerate(EUROPE)
    ]  # fmt: skip
    release = dataclasses.replace(release, cells=cells_frame(release.cells.to_dicts() + extra))
    site_dir = tmp_path_factory.mktemp("print-site")
    downloads.write_data(release, site_dir)
    render.render_site(release, site_dir)
    downloads.write_manifest(release, site_dir)
    return site_dir


def test_a_collapsed_table_prints_whole_and_navigation_does_not(site, config):
    assert 4 + len(EUROPE) > views.COLLAPSE_ROWS
    base_url = config.publication["base_url"].rstrip("/")
    with serve(site) as base, browser() as chromium:
        page = chromium.new_page()
        page.goto(base + PAGE, wait_until="load")
        details = page.locator(f"details:has({TABLE})")
        summary = details.locator("summary")
        sweden = page.locator(f"{TABLE} th[scope=row]", has_text="Sweden")
        # on screen: closed, its summary names the table and counts its rows
        assert details.get_attribute("open") is None
        assert summary.inner_text() == (
            "Show all 17 purchasers: License final actions, by purchaser, FY2026-Q2"
        )
        assert summary.is_visible() and not sweden.is_visible()
        assert page.locator(".usa-nav").is_visible()

        page.emulate_media(media="print")
        # on paper: every row, no summary (the caption is in the table), no navigation
        assert sweden.is_visible() and sweden.bounding_box()["height"] > 0
        assert page.locator(f"{TABLE} th[scope=rowgroup]").all_inner_texts() == [
            "Africa",
            "East Asia and Pacific",
            "Europe and Eurasia",
        ]
        assert not summary.is_visible()
        assert not page.locator(".usa-nav").is_visible()
        assert not page.locator(".breadcrumb").is_visible()
        assert page.locator(".status-banner").is_visible()  # the draft says so on paper too
        style = page.evaluate(
            "() => { const s = getComputedStyle(document.body);"
            " return [s.color, s.backgroundColor]; }"
        )
        assert style == ["rgb(0, 0, 0)", "rgb(255, 255, 255)"]
        row = page.evaluate(f"getComputedStyle(document.querySelector('{TABLE} tr')).breakInside")
        assert row == "avoid"
        link = page.locator(f"{TABLE}-block .download a")
        after = link.evaluate("a => getComputedStyle(a, '::after').content")
        csv = f"{base_url}/releases/FY2026-Q2/data/lic_final_actions_by_purchaser.csv"
        assert after == f'" ({csv})"'

        pdf = page.pdf(format="Letter")
        page.close()
    assert pdf.startswith(b"%PDF") and len(re.findall(rb"/Type\s*/Page\b", pdf)) > 1
