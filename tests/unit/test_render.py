"""render.py / views.py / pages.py: people's number formats, headline changes (worked out by
hand), the pages and their tables, CSV beside every table, determinism."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import re
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path

import pytest

from arms_metrics.cells import REVISED_WHEN
from arms_metrics.release import Listed
from arms_metrics.site import downloads, render, site_wide, views
from tests.unit.site_fixtures import cell, make_release, tiny_release

ROOT = Path(__file__).resolve().parents[2]

HUMAN = [
    (Decimal("1234.0"), "count", False, "1,234"),
    (Decimal("1234567890.0"), "usd", False, "$1,234,567,890"),
    (Decimal("1234567890.0"), "usd", True, "$1.2 billion"),
    (Decimal("345600000.0"), "usd", True, "$345.6 million"),
    (Decimal("999.0"), "usd", True, "$999"),
    (Decimal("23.5"), "days", False, "23.5 days"),
    (Decimal("87.5"), "percent", False, "87.5%"),
    (Decimal("0.0"), "count", False, "0"),
]


@pytest.mark.parametrize(("value", "unit", "compact", "expected"), HUMAN)
def test_human_value(value, unit, compact, expected):
    assert views.human_value(value, unit, compact) == expected


def test_cell_text_marks():
    assert views.cell_text(None, True, "count") == "(S)"
    assert views.cell_text(None, False, "count") == "—"


CHANGES = [
    (Decimal(55), Decimal(50), "count", "up 5 (+10.0%)"),
    (Decimal(40), Decimal(50), "count", "down 10 (-20.0%)"),
    (Decimal(5), Decimal(0), "count", "up 5"),  # no relative change from zero
    (Decimal("28.0"), Decimal("30.5"), "days", "down 2.5 days"),
    (Decimal("87.5"), Decimal("85.0"), "percent", "up 2.5 percentage points"),
    (Decimal(7), Decimal(7), "count", "no change"),
    # 1,234,567,890 - 1,500,000,000 = -265,432,110; / 1.5e9 = -17.695 % -> -17.7
    (Decimal(1234567890), Decimal(1500000000), "usd", "down $265.4 million (-17.7%)"),
]


@pytest.mark.parametrize(("current", "previous", "unit", "expected"), CHANGES)
def test_change_text(current, previous, unit, expected):
    assert views.change_text(current, previous, unit) == expected


def headline_rows():
    usd = "fms_loas_accepted_value_usd"
    return [
        cell("fms_loas_offered", "FY2025-Q2", 40, "count", 40),
        cell("fms_loas_offered", "FY2026-Q1", 50, "count", 50),
        cell("fms_loas_offered", "FY2026-Q2", 55, "count", 55),
        cell("fms_loa_development_days_median", "FY2025-Q2", None, "days", None, suppressed=True),
        cell("fms_loa_development_days_median", "FY2026-Q1", Decimal("30.5"), "days", 20),
        cell("fms_loa_development_days_median", "FY2026-Q2", Decimal("28.0"), "days", 21),
        cell(usd, "FY2025-Q2", 2000000000, "usd", 9),
        cell(usd, "FY2026-Q1", 1500000000, "usd", 9),
        cell(usd, "FY2026-Q2", 1234567890, "usd", 9),
        cell("lic_approval_rate_pct", "FY2026-Q1", Decimal("85.0"), "percent", 80),
        cell("lic_approval_rate_pct", "FY2026-Q2", Decimal("87.5"), "percent", 80),
        cell("lic_pending", "FY2026-Q1", 100, "count", 100, "agency", "STATE"),
        cell("lic_pending", "FY2026-Q2", 120, "count", 120, "agency", "STATE"),
        cell("lic_pending", "FY2026-Q1", 0, "count", 0, "agency", "COMMERCE"),
        cell("lic_pending", "FY2026-Q2", 0, "count", 0, "agency", "COMMERCE"),
    ]


def test_headline_items_by_hand(config):
    release = tiny_release(
        config, headline_rows(), "FY2026-Q2", unavailable=("fms_cases_implemented",)
    )
    items = {item["title"]: item for item in views.headline_items(release)}
    offered = items["LOAs offered"]
    assert offered["value"] == "55"
    assert offered["previous"] == "Up 5 (+10.0%) on FY2026-Q1."
    assert offered["year"] == "Up 15 (+37.5%) on FY2025-Q2."  # 15 / 40 = 37.5 %
    days = items["LOA development time, median"]
    assert (days["value"], days["direction"]) == ("28.0 days", "Lower is better.")
    assert days["previous"] == "Down 2.5 days on FY2026-Q1."
    assert days["year"] == "No comparison with FY2025-Q2: suppressed."
    usd = items["Value of LOAs accepted"]
    assert usd["value"] == "$1.2 billion"
    # 1,234,567,890 - 2,000,000,000 = -765,432,110; / 2e9 = -38.27 % -> -38.3
    assert usd["year"] == "Down $765.4 million (-38.3%) on FY2025-Q2."
    rate = items["Approval rate"]
    assert rate["previous"] == "Up 2.5 percentage points on FY2026-Q1."
    assert rate["year"] == "No comparison with FY2025-Q2: no figure."
    state = items["License applications pending at quarter end: State (DDTC)"]
    assert state["previous"] == "Up 20 (+20.0%) on FY2026-Q1."
    commerce = items["License applications pending at quarter end: Commerce (BIS)"]
    assert commerce["value"] == "0" and commerce["previous"] == "No change on FY2026-Q1."
    assert items["Cases implemented"]["value"] == "Not available this release"


class Tables(HTMLParser):
    """Collects every table (caption, cell texts by row, the indexes of its row-group header
    rows, its <details> summary if collapsed) and the CSV link after it."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[dict] = []
        self._text: list[str] | None = None
        self._in_table = False
        self._summary: str | None = None  # of the <details> the next table is in

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table":
            self.tables.append({"caption": "", "rows": [], "csv": None, "scopes": [], "groups": []})
            self.tables[-1]["summary"] = self._summary
            self._summary = None
            self._in_table = True
        elif tag == "summary":
            self._text, self._summary = [], ""
        elif tag == "tr" and self._in_table:
            self.tables[-1]["rows"].append([])
        elif tag in ("td", "th", "caption") and self._in_table:
            self._text = []
            if tag == "th":
                self.tables[-1]["scopes"].append(attrs.get("scope"))
            if attrs.get("scope") == "rowgroup":
                self.tables[-1]["groups"].append(len(self.tables[-1]["rows"]) - 1)
        elif tag == "a" and self.tables and not self._in_table and self.tables[-1]["csv"] is None:
            href = attrs.get("href") or ""
            self.tables[-1]["csv"] = href if href.endswith(".csv") else ""

    def handle_endtag(self, tag):
        if tag == "table":
            self._in_table = False
        elif tag == "summary" and self._text is not None:
            self._summary = "".join(self._text).strip()
            self._text = None
        elif tag in ("td", "th", "caption") and self._text is not None:
            text = "".join(self._text).strip()
            if tag == "caption":
                self.tables[-1]["caption"] = text
            else:
                self.tables[-1]["rows"][-1].append(text)
            self._text = None

    def handle_data(self, data):
        if self._text is not None:
            self._text.append(data)


@pytest.fixture(scope="module")
def site(config, tmp_path_factory):
    release = make_release(config)
    site_dir = tmp_path_factory.mktemp("site")
    downloads.write_data(release, site_dir)
    render.render_site(release, site_dir)
    downloads.write_manifest(release, site_dir)
    return release, site_dir


def tables_of(path: Path) -> list[dict]:
    parser = Tables()
    parser.feed(path.read_text("utf-8"))
    return parser.tables


def test_pages_exist(site):
    release, site_dir = site
    for rel in [
        "index.html",
        "methodology.html",
        "revisions.html",
        "assets/site.css",
        "releases/FY2026-Q2/index.html",
        *(f"releases/FY2026-Q2/{name}.html" for name in SECTIONS),
        "releases/FY2026-Q2/manifest.json",
    ]:
        assert (site_dir / rel).is_file(), rel
    for indicator in release.config.registry.indicators:
        assert (site_dir / "indicators" / f"{indicator.id}.html").is_file()


# The stable section pages of a release (README, Outputs; issue 13: the release split)
SECTIONS = [
    "fms-development", "fms-execution", "notifications", "licensing", "license-outcomes",
]  # fmt: skip


def section_pages(site_dir: Path, period: str = "FY2026-Q2") -> list[Path]:
    return [site_dir / "releases" / period / f"{name}.html" for name in SECTIONS]


def test_the_release_index_links_each_section_page(site):
    release, site_dir = site
    index = (site_dir / "releases" / "FY2026-Q2" / "index.html").read_text("utf-8")
    assert "<table" not in index and "<svg" not in index  # contents and main points only
    for page in section_pages(site_dir):
        assert page.is_file() and f'href="{page.name}"' in index, page.name
    for indicator in release.config.registry.indicators:
        page = indicator.group.replace("_", "-") + ".html"
        assert f'href="{page}#{indicator.id}"' in index, indicator.id
        assert f'id="{indicator.id}"' in (site_dir / "releases" / "FY2026-Q2" / page).read_text()
        own = (site_dir / "indicators" / f"{indicator.id}.html").read_text("utf-8")
        assert f'href="../releases/FY2026-Q2/{page}#{indicator.id}"' in own


def test_release_tables_have_captions_scopes_and_their_csv_beside(site):
    release, site_dir = site
    tables = [(page, t) for page in section_pages(site_dir) for t in tables_of(page)]
    # 28 available indicators, each one history table plus one table per breakdown
    expected = sum(
        1 + len(i.breakdowns)
        for i in release.config.registry.indicators
        if i.id not in release.unavailable
    )
    assert len(tables) == expected
    for page, table in tables:
        assert table["caption"] and table["csv"], table["caption"]
        grouped = "by purchaser" in table["caption"]  # only purchasers have region rows
        allowed = ("col", "row", "rowgroup") if grouped else ("col", "row")
        assert all(scope in allowed for scope in table["scopes"]), table["caption"]
        assert bool(table["groups"]) == grouped, table["caption"]
        # a region header row is one cell naming the region: no figure, not a CSV row
        assert all(len(table["rows"][i]) == 1 for i in table["groups"]), table["caption"]
        figures = [row for i, row in enumerate(table["rows"]) if i and i not in table["groups"]]
        csv_rows = list(csv.DictReader(io.StringIO((page.parent / table["csv"]).read_text())))
        shown = [c for row in figures for c in row[1:] if c]
        assert len(csv_rows) == len(shown), table["caption"]


def test_history_table_by_hand(site):
    _, site_dir = site
    page = site_dir / "releases" / "FY2026-Q2" / "licensing.html"
    table = next(t for t in tables_of(page) if t["caption"].startswith("License final actions,"))
    # fixture: count total = 40 + 3i, slot k adds k; COMMERCE slot 1, STATE slot 2; i = 5 is
    # FY2026-Q2; FY2026-Q1 (i = 4) totals are marked revised (*).
    assert table["rows"][0] == ["Quarter", "Total", "State (DDTC)", "Commerce (BIS)"]
    assert table["rows"][1] == ["FY2026-Q2", "55", "57", "56"]
    assert table["rows"][2] == ["FY2026-Q1", "52 *", "54", "53"]
    assert len(table["rows"]) == 7  # header + 6 quarters
    text = page.read_text("utf-8")
    assert "* Revised: differs from the figure the previous release published." in text


def test_suppressed_and_undefined_shown_with_footnotes(site):
    _, site_dir = site
    page = site_dir / "indicators" / "fms_loas_offered.html"
    table = next(t for t in tables_of(page) if "by purchaser" in t["caption"])
    assert ["Côte d'Ivoire", "(S)"] in table["rows"]
    assert ["Japan", "—"] in table["rows"]  # no records in the release quarter
    text = page.read_text("utf-8")
    assert "(S) Suppressed" in text and "— No records in the quarter" in text
    assert "Poland &lt;&amp;&gt;" in text and "Poland <&>" not in text  # autoescaped


def test_unavailable_is_said_never_zero(site):
    _, site_dir = site
    text = (site_dir / "releases" / "FY2026-Q2" / "notifications.html").read_text("utf-8")
    section = text.split('id="cn_notifications"', 1)[1].split("</article>", 1)[0]
    assert "Not available this release" in section and "<table" not in section
    assert "Not available this release" in (site_dir / "index.html").read_text("utf-8")


def test_charts_inline_with_title_and_description(site):
    release, site_dir = site
    texts = [page.read_text("utf-8") for page in section_pages(site_dir)]
    svgs = [svg for text in texts for svg in re.findall(r"<svg [^>]*>", text)]
    # one chart per indicator available (the fixture leaves out the two notification ones)
    charts = len(release.config.registry.ids) - len(release.unavailable)
    assert len(release.unavailable) == 2 and len(svgs) == charts
    assert all('role="img"' in s and "aria-labelledby=" in s for s in svgs)
    assert sum(t.count("<title id=") for t in texts) == charts
    assert sum(t.count("<desc id=") for t in texts) == charts
    for text in texts:
        ids = re.findall(r'\sid="([^"]+)"', text)
        assert len(ids) == len(set(ids))


def test_methodology_from_registry_and_config(site):
    release, site_dir = site
    text = (site_dir / "methodology.html").read_text("utf-8")
    for indicator in release.config.registry.indicators:
        assert f'id="{indicator.id}"' in text
    for row in [
        'group A</th><td class="num">45',
        'group B</th><td class="num">100',
        'group C</th><td class="num">150',
        'State (DDTC)</th><td class="num">60',
        'Commerce (BIS)</th><td class="num">90',
    ]:
        assert row in text
    assert "fewer than 3 records" in text and "more than 85% of the total" in text
    assert "Congressional notifications: public record" in text
    assert "October 1, 2025 to September 30, 2026" in text
    for name, _, _ in downloads.FIELDS:
        assert f"<code>{name}</code>" in text
    assert "arms-metrics@example.gov" in text


def test_revisions_page_lists_revised_or_says_none(site, config, tmp_path):
    release, site_dir = site
    text = (site_dir / "revisions.html").read_text("utf-8")
    revised = int(release.cells["revised"].sum())
    assert f"{revised} figures are revised since release FY2026-Q1." in text
    assert "There are no revised figures" not in text
    plain = tiny_release(
        config, [cell("fms_loas_offered", "FY2026-Q2", 5, "count", 5)], "FY2026-Q2",
        revised_against="FY2026-Q1",
    )  # fmt: skip
    render.render_site(plain, tmp_path)
    assert (
        "There are no revised figures in release FY2026-Q2: every figure for an earlier "
        "quarter is the same as in release FY2026-Q1."
    ) in (tmp_path / "revisions.html").read_text("utf-8")


def test_the_first_release_says_there_is_nothing_to_revise(config, tmp_path):
    first = tiny_release(
        config, [cell("fms_loas_offered", "FY2026-Q2", 5, "count", 5)], "FY2026-Q2"
    )
    assert first.revised_against is None
    render.render_site(first, tmp_path)
    text = (tmp_path / "revisions.html").read_text("utf-8")
    assert (
        "Release FY2026-Q2 was the first release published: no figure was published before it, "
        "so there is nothing to revise."
    ) in text
    assert "There are no revised figures" not in text and "first published" not in text
    page = (tmp_path / "indicators" / "fms_loas_offered.html").read_text("utf-8")
    assert "This was the first release published: no figure was published before it" in page


def test_one_definition_of_revised_everywhere(site):
    """The revisions page, the methodology page, the data dictionary (its HTML table and
    datapackage.json) say the same words, and nothing says "first published"."""
    _, site_dir = site
    definition = f"A figure is revised when {REVISED_WHEN}."
    assert "previous release published" in definition
    for page in ("revisions.html", "methodology.html"):
        assert definition in (site_dir / page).read_text("utf-8"), page
    (described,) = [d for name, _, d in downloads.FIELDS if name == "revised"]
    assert (
        described
        == f"true when {REVISED_WHEN}; false throughout the first release a site published."
    )
    assert "<code>revised</code>" in (site_dir / "methodology.html").read_text("utf-8")
    package = (site_dir / "data/datapackage.json").read_text("utf-8")
    assert REVISED_WHEN in package
    for path in site_dir.rglob("*"):
        if path.suffix in (".html", ".json", ".csv"):
            assert "first published" not in path.read_text("utf-8"), path


def test_index_links_the_latest_release_and_the_list_of_releases(site):
    _, site_dir = site
    text = (site_dir / "index.html").read_text("utf-8")
    assert 'href="releases/FY2026-Q2/index.html"' in text
    assert 'href="releases/index.html"' in text  # every release, listed apart (site_wide)
    assert 'href="releases/FY2026-Q1/index.html"' not in text  # the front page only moves on
    assert "published May 15, 2026" in text


def test_the_list_of_releases_is_newest_first_with_dates_and_corrections(config, tmp_path):
    listed = (
        Listed("FY2026-Q2", dt.date(2026, 5, 15), 0),
        Listed("FY2026-Q1", dt.date(2026, 2, 13), 2),
        Listed("FY2025-Q4", None, 1),
    )
    release = dataclasses.replace(make_release(config), listed=listed)
    site_wide.write_releases(release, tmp_path, latest=("FY2026-Q3", dt.date(2026, 8, 14)))
    text = (tmp_path / "releases/index.html").read_text("utf-8")
    body = text[text.index("<tbody>") : text.index("</tbody>")]
    rows = [
        [re.sub(r"<[^>]+>", "", c) for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row)]
        for row in re.findall(r"<tr>(.*?)</tr>", body)
    ]
    assert rows == [
        ["FY2026-Q2", "May 15, 2026", "none", "indicators.csv"],
        ["FY2026-Q1", "February 13, 2026", "corrected 2 times", "indicators.csv"],
        ["FY2025-Q4", "not recorded", "corrected once", "indicators.csv"],
    ]
    assert 'href="FY2026-Q1/index.html"' in body and 'href="FY2025-Q4/data/indicators.csv"' in body
    # the navigation and the footer are the latest release's (FY2026-Q3), not FY2026-Q2's
    assert 'href="../releases/FY2026-Q3/index.html"' in text and "(latest)" not in text
    assert "Release FY2026-Q3, published August 14, 2026." in text


def test_no_external_requests_in_html(site):
    _, site_dir = site
    for page in site_dir.rglob("*.html"):
        text = page.read_text("utf-8")
        assert not re.search(
            r'(src|href)="(https?:)?//',
            text.replace('href="https://creativecommons.org/publicdomain/zero/1.0/"', ""),
        ), page
        assert "<script" not in text


def test_templates_do_no_arithmetic_or_formatting():
    for template in (ROOT / "templates").glob("*.html"):
        text = template.read_text("utf-8")
        for expression in re.findall(r"{{(.*?)}}", text):
            assert not re.search(r"[-+*/%]|\|\s*(round|format|int|float)", expression), (
                template.name,
                expression,
            )


def test_same_release_same_bytes(config, tmp_path):
    release = make_release(config, n_quarters=3)
    files = {}
    for name in ("a", "b"):
        out = tmp_path / name
        downloads.write_data(release, out)
        render.render_site(release, out)
        downloads.write_manifest(release, out)
        files[name] = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert files["a"].keys() == files["b"].keys()
    assert all(files["a"][k] == files["b"][k] for k in files["a"])


def test_chart_cache_gives_a_later_run_the_same_bytes(config, tmp_path):
    from arms_metrics.site import charts

    release = make_release(config, n_quarters=3)
    cache, files = tmp_path / "charts", {}
    for name in ("none", "fills", "reads"):
        charts._CACHE.clear()  # each render a new run: only the folder remembers
        out = tmp_path / name
        render.render_site(release, out, chart_cache=None if name == "none" else cache)
        files[name] = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
        if name == "fills":
            assert sorted(cache.glob("*.svg"))  # one file per distinct chart
            for stored in cache.glob("*.svg"):
                assert stored.read_bytes().startswith(b"<svg")
    assert files["none"] == files["fills"] == files["reads"]


def test_sentence_case_keeps_acronyms():
    from arms_metrics.site.views import sentence_case

    assert sentence_case("US dollars") == "US dollars"
    assert sentence_case("calendar days") == "Calendar days"
    assert sentence_case("") == ""


def test_methodology_states_the_cost_of_suppression(config):
    import dataclasses

    from arms_metrics.site import methodology_page

    # 3 of 4 figures hidden overall (75%); FMS 2 of 3 (67%); licensing 1 of 1 (100%).
    shares = {
        "overall": {"cells": 4, "suppressed": 3, "share": 0.75},
        "by_family": {
            "fms": {"cells": 3, "suppressed": 2, "share": 0.6667},
            "licensing": {"cells": 1, "suppressed": 1, "share": 1.0},
        },
        "by_breakdown": {},
    }
    release = dataclasses.replace(make_release(config), audit={"suppression": shares})
    rules = methodology_page.disclosure_rules(release)
    assert rules[-1] == (
        "In this release 3 of 4 figures (75%) are suppressed: Foreign Military Sales 67%, "
        "Export licensing 100%."
    )
    fms = next(rule for rule in rules if rule.startswith("Foreign Military Sales:"))
    assert "Totals are public record and always published" in fms
    assert "numerator or complement" in fms


@pytest.mark.parametrize(
    ("official", "synthetic", "banner"),
    [
        (True, False, None),  # the only official case: the .gov banner and departments
        (True, True, "Demonstration: synthetic data"),
        (False, True, "Demonstration: synthetic data"),
        (False, False, "Draft: not an official release"),
    ],
)
def test_every_page_says_what_it_is_and_only_official_ones_claim_to_be(
    config, tmp_path, official, synthetic, banner
) -> None:
    """README, Outputs: a synthetic extract says "Demonstration: synthetic data" on every
    page, a configuration that is not official says "Draft: not an official release"; the
    .gov banner and the department names appear only with official = true and real data."""
    publication = {**config.publication, "official": official}
    release = make_release(dataclasses.replace(config, publication=publication), n_quarters=2)
    release = dataclasses.replace(release, synthetic=synthetic)
    render.render_site(release, tmp_path)
    pages = sorted(tmp_path.rglob("*.html"))
    assert len(pages) > 5
    for page in pages:
        text = page.read_text("utf-8")
        claims = "An official website of the United States government" in text
        names = "U.S. Department of State" in text or "Department of Commerce (Bureau" in text
        assert claims == names == (banner is None), page
        if banner is not None:
            assert f"<strong>{banner}</strong>" in text, page
            assert "Not an official website of the United States government." in text, page


def test_a_table_with_every_figure_suppressed_is_one_sentence(config, tmp_path) -> None:
    """LORs received by purchaser, FY2026-Q2: GB 1 and FR 2 records, both suppressed; by
    agency ARMY 3 published. The purchaser table becomes a sentence (its CSV stays), the
    agency table stays a table."""
    q = "FY2026-Q2"
    rows = [
        cell("fms_lors_received", q, 3, "count", 3),
        cell("fms_lors_received", q, 3, "count", 3, "implementing_agency", "ARMY"),
        cell("fms_lors_received", q, None, "count", None, "purchaser", "FR", suppressed=True,
             parent="EUR"),
        cell("fms_lors_received", q, None, "count", None, "purchaser", "GB", suppressed=True,
             parent="EUR"),
        cell("fms_lors_received", q, 3, "count", 3, "region", "EUR"),
    ]  # fmt: skip
    release = tiny_release(config, rows, q)
    render.render_site(release, tmp_path)
    text = (tmp_path / "releases" / q / "fms-development.html").read_text("utf-8")
    sentence = re.search(r'<p class="all-suppressed" id="([^"]+)">(.*?)</p>', text)
    assert sentence is not None
    assert "Letters of Request received, by purchaser, FY2026-Q2:</strong> all 2 figures are" in (
        sentence.group(2)
    )
    captions = re.findall(r"<caption[^>]*>(.*?)</caption>", text)
    assert not any("by purchaser" in c for c in captions)
    assert any("by implementing agency" in c for c in captions)
    csv_path = re.search(r'href="([^"]*purchaser[^"]*\.csv)"', text)
    assert csv_path is not None
    rows_csv = (tmp_path / "releases" / q / csv_path.group(1)).read_text("utf-8").splitlines()
    assert len(rows_csv) == 3  # the header and both suppressed rows


def test_the_front_page_has_a_chart_per_section(site):
    # The fixture leaves out the notifications (both unavailable): four sections have a
    # chart, each linked to its section page, showing the section's first headline indicator.
    _, site_dir = site
    text = (site_dir / "index.html").read_text("utf-8")
    figures = re.findall(
        r'<figure class="chart-figure front-chart"[^>]*>(.*?)</figure>', text, re.S
    )
    links = [re.search(r'<figcaption><a href="([^"]+)">', f).group(1) for f in figures]
    assert links == [
        "releases/FY2026-Q2/fms-development.html",
        "releases/FY2026-Q2/fms-execution.html",
        "releases/FY2026-Q2/licensing.html",
        "releases/FY2026-Q2/license-outcomes.html",
    ]
    # the registry's first headline indicator of each section, read off indicators.toml
    first = [
        "fms_loas_offered", "fms_cases_implemented", "lic_applications_received",
        "lic_approval_rate_pct",
    ]  # fmt: skip
    shown = [re.search(r'<svg [^>]*id="front-([a-z0-9_]+)-chart"', f).group(1) for f in figures]
    assert shown == first
    ids = re.findall(r'\sid="([^"]+)"', text)
    assert len(ids) == len(set(ids))


def test_chart_descriptions_name_targets_goals_and_the_average(site):
    _, site_dir = site
    desc = re.compile(r"<desc id=[^>]*>([^<]*)</desc>")
    page = (site_dir / "indicators" / "fms_loa_development_days_median.html").read_text("utf-8")
    assert "Target, group A: 45 days; Target, group B: 100 days" in desc.findall(page)[0]
    page = (site_dir / "indicators" / "fms_loas_offered_by_anticipated_date_pct.html").read_text(
        "utf-8"
    )
    (text,) = desc.findall(page)
    assert "Goal: 85%" in text and "suppressed" in text  # the fixture hides its first total
    page = (site_dir / "indicators" / "fms_loas_offered.html").read_text("utf-8")
    assert "(Four-quarter average)" in desc.findall(page)[0]
    assert 'class="chart-figure" tabindex="0"' in page
    css = (site_dir / "assets" / "site.css").read_text("utf-8")
    assert ".chart-figure { margin: 1rem 0; max-width: 100%; overflow-x: auto; }" in css
    assert "svg.chart { display: block; max-width: none; }" in css


def test_development_time_by_group_against_each_groups_target(site):
    # Issue 13: the development-days chart by development group shows each group's target.
    # The fixture's days are 30.5 + period index + slot (A 1, B 2, C 3); FY2026-Q2 is index
    # 5: A 36.5, B 37.5, C 38.5; FY2025-Q1 (index 0): A 31.5, B 32.5, C 33.5.
    _, site_dir = site
    page = site_dir / "indicators" / "fms_loa_development_days_median.html"
    table = next(t for t in tables_of(page) if "by development group and quarter" in t["caption"])
    assert table["rows"][0] == ["Quarter", "Group A", "Group B", "Group C"]
    assert table["rows"][1] == ["FY2026-Q2", "36.5 days", "37.5 days", "38.5 days"]
    assert table["rows"][-1] == ["FY2025-Q1", "31.5 days", "32.5 days", "33.5 days"]
    text = page.read_text("utf-8")
    chart = text.split('id="fms_loa_development_days_median-by-group-chart"', 1)[1]
    chart = chart.split("</svg>", 1)[0]
    for label in ("Target, group A: 45 days", "Target, group B: 100 days", "Group C"):
        assert label in chart, label
    csv_rows = (site_dir / table["csv"].removeprefix("../")).read_text("utf-8").splitlines()
    assert len(csv_rows) == 1 + 6 * 3  # the header, 6 quarters of 3 groups
    # a share by the anticipated date has a goal, not group targets: no chart by group
    other = (site_dir / "indicators" / "fms_loas_offered_by_anticipated_date_pct.html").read_text()
    assert "by development group and quarter" not in other
