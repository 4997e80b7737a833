"""Breakdown tables (issue 13): purchasers under a header row per region, and long tables
collapsed in <details> without JavaScript. Expected rows, orders and counts written by hand."""

from __future__ import annotations

import re
from pathlib import Path

from arms_metrics.site import render, views
from tests.unit.site_fixtures import cell, tiny_release
from tests.unit.test_render import tables_of

Q = "FY2026-Q2"
LORS = "fms_lors_received"  # Letters of Request received: count, on fms-development.html

# 13 European purchaser codes of the reference files
EUROPE = ["AT", "BE", "CZ", "DK", "FI", "GR", "HU", "NL", "NO", "PT", "RO", "SK", "SE"]


def purchaser(code: str, value: int, region: str | None, indicator: str = LORS) -> dict:
    return cell(indicator, Q, value, "count", value, "purchaser", code, parent=region)


def _page(config, tmp_path: Path, rows: list[dict]) -> Path:
    render.render_site(tiny_release(config, rows, Q), tmp_path)
    return tmp_path / "releases" / Q / "fms-development.html"


def _table(page: Path, caption: str) -> dict:
    return next(t for t in tables_of(page) if t["caption"] == caption)


def test_purchasers_are_grouped_under_their_region_in_name_order(config, tmp_path) -> None:
    """Six purchasers in two regions. Regions in alphabetical order of their names (East Asia
    and Pacific before Europe and Eurasia), purchasers by name within: France, Germany,
    United Kingdom, although their codes sort DE, FR, GB."""
    rows = [
        cell(LORS, Q, 21, "count", 21),
        purchaser("GB", 6, "EUR"),
        purchaser("KR", 5, "EAP"),
        purchaser("DE", 4, "EUR"),
        purchaser("JP", 3, "EAP"),
        purchaser("FR", 2, "EUR"),
        purchaser("AU", 1, "EAP"),
    ]
    page = _page(config, tmp_path, rows)
    table = _table(page, "Letters of Request received, by purchaser, FY2026-Q2")
    assert table["rows"] == [
        ["Purchaser", "Number"],
        ["East Asia and Pacific"],
        ["Australia", "1"],
        ["Japan", "3"],
        ["Republic of Korea", "5"],
        ["Europe and Eurasia"],
        ["France", "2"],
        ["Germany", "4"],
        ["United Kingdom", "6"],
    ]
    assert table["groups"] == [1, 5]  # the two region header rows
    assert table["summary"] is None  # 6 rows: shown open
    text = page.read_text("utf-8")
    # one <tbody> per region, introduced by a header for the rest of its row group
    block = re.search(r'<table class="usa-table" id="fms_lors_received-by-purchaser">.*?</table>',
                      text, re.S).group(0)  # fmt: skip
    assert block.count("<tbody>") == 2
    assert '<th scope="rowgroup" colspan="2">East Asia and Pacific</th>' in block
    assert '<th scope="rowgroup" colspan="2">Europe and Eurasia</th>' in block


def test_a_purchaser_without_a_region_comes_last(config) -> None:
    """The cells' parent is the region code; a purchaser without one is grouped last."""
    rows = [purchaser("IN", 7, None), purchaser("PL", 8, "EUR"), purchaser("AU", 9, "EAP")]
    release = tiny_release(config, rows, Q)
    indicator = config.registry.get(LORS)
    table = views.breakdown_table(release, indicator, "purchaser", "x.csv", "x")
    assert table.groups == [
        ("East Asia and Pacific", [("Australia", ["9"])]),
        ("Europe and Eurasia", [("Poland", ["8"])]),
        ("Region not recorded", [("India", ["7"])]),
    ]
    assert table.rows == [("Australia", ["9"]), ("Poland", ["8"]), ("India", ["7"])]


def test_a_table_over_the_limit_is_collapsed_one_at_it_is_not(config, tmp_path) -> None:
    """LORs received by 13 European purchasers (one more than COLLAPSE_ROWS = 12): the table
    is in a closed <details> whose summary names it and counts 13 purchasers; LOAs offered
    by 12 of them (at the limit) is shown open. The CSV link stays outside the <details>."""
    assert views.COLLAPSE_ROWS == 12
    rows = [cell(LORS, Q, 91, "count", 91), cell("fms_loas_offered", Q, 78, "count", 78)]
    rows += [purchaser(code, i, "EUR") for i, code in enumerate(EUROPE, start=1)]
    rows += [purchaser(code, i, "EUR", "fms_loas_offered") for i, code in enumerate(EUROPE[:12], 1)]
    page = _page(config, tmp_path, rows)
    long = _table(page, "Letters of Request received, by purchaser, FY2026-Q2")
    assert long["summary"] == (
        "Show all 13 purchasers: Letters of Request received, by purchaser, FY2026-Q2"
    )
    assert len(long["rows"]) == 1 + 1 + 13  # column headers, Europe and Eurasia, 13 purchasers
    short = _table(page, "LOAs offered, by purchaser, FY2026-Q2")
    assert short["summary"] is None and len(short["rows"]) == 1 + 1 + 12
    text = page.read_text("utf-8")
    details = re.findall(r"<details[^>]*>.*?</details>", text, re.S)
    assert len(details) == 1 and "<details open" not in text  # closed by default
    assert 'id="fms_lors_received-by-purchaser"' in details[0]  # the caption inside it
    csv_link = 'href="../../releases/FY2026-Q2/data/fms_lors_received_by_purchaser.csv"'
    assert csv_link in text and csv_link not in details[0]


def test_the_summary_counts_in_the_breakdown_s_plural(config) -> None:
    """Control categories: 13 USML categories (I to XIII) of License final actions."""
    numerals = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII", "XIII"]
    rows = [cell("lic_final_actions", Q, 13, "count", 13)]
    rows += [
        cell("lic_final_actions", Q, 1, "count", 1, "control_category", numeral)
        for numeral in numerals
    ]
    release = tiny_release(config, rows, Q)
    indicator = config.registry.get("lic_final_actions")
    table = views.breakdown_table(release, indicator, "control_category", "x.csv", "x")
    assert table.summary == (
        "Show all 13 control categories: License final actions, by control category, FY2026-Q2"
    )
    assert table.groups == []  # only purchasers are grouped
    assert views.plural("region") == "regions" and views.plural("agency") == "agencies"
