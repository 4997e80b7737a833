"""The site built by the real pipeline from sample_data/: the same browser checks as on the
fixture site, on pages with real volumes (long purchaser tables, 30 years of history)."""

from __future__ import annotations

from urllib.parse import urlparse

import pytest

from arms_metrics.config import load_config
from tests.browser.test_site_browser import SECTIONS, collect, nu_messages
from tests.browser.test_widths import measure, problems
from tests.conftest import PIPELINE_TOML, SAMPLE_QUARTER

pytestmark = pytest.mark.browser

QUARTER = SAMPLE_QUARTER
PAGES = [
    "index.html",
    f"releases/{QUARTER}/index.html",
    *(f"releases/{QUARTER}/{name}.html" for name in SECTIONS),
    "indicators/fms_open_cases_value_usd.html",
    "indicators/lic_processing_days_median.html",
    "methodology.html",
    "revisions.html",
    "releases/index.html",
    "corrections.html",
]


@pytest.fixture(scope="module")
def site(sample_build):
    return sample_build[0]


@pytest.fixture(scope="module")
def results(site):
    return collect(site, PAGES)


@pytest.mark.parametrize("path", PAGES)
def test_axe_and_structure_on_the_sample_site(results, path):
    violations = results[path]["axe"]["violations"]
    assert violations == [], [(v["id"], [n["target"] for n in v["nodes"]][:3]) for v in violations]
    structure = results[path]["structure"]
    assert structure["lang"] == "en" and structure["h1"] == 1
    assert all(t["caption"] for t in structure["tables"])
    assert all(s["title"] and s["role"] == "img" for s in structure["svgs"])


def test_every_release_table_has_its_csv(results, site):
    pages = [f"releases/{QUARTER}/{name}.html" for name in SECTIONS]
    tables = [t for page in pages for t in results[page]["structure"]["tables"]]
    assert tables
    for table in tables:
        assert table["csv"], table["caption"]
        assert (site / "releases" / QUARTER / table["csv"]).resolve().is_file()


def test_every_sample_page_kind_reads_at_390_and_1280_px(site):
    """The sample's pages (releases/index.html and corrections.html exist only in a real
    run) at a phone's and a desktop's width: see tests/browser/test_widths.py."""
    found = measure(site, PAGES)
    assert {key: problems(got) for key, got in found.items() if problems(got)} == {}


def test_no_request_leaves_localhost(results):
    assert {urlparse(url).hostname for url in results["requests"]} == {"127.0.0.1"}


def test_nu_validator_no_errors_on_the_sample_site(site):
    messages, files = nu_messages(site)
    assert messages == [], messages[:5]
    # index, release, its 5 sections, methodology, revisions, corrections,
    # releases/index.html and one page per indicator in the registry
    pages = 11 + len(load_config(PIPELINE_TOML).registry.ids)
    assert len(files) == pages == 50  # 11 + 39 indicators
