"""The built site in headless chromium: axe-core WCAG 2.1 AA, the Nu HTML validator, table
captions, chart titles, CSV links beside tables, and no request leaving 127.0.0.1."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from urllib.parse import urlparse

import pytest

from arms_metrics.site import downloads, render
from tests.browser.serve import CHROMIUM, browser, serve
from tests.unit.site_fixtures import make_release

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
VNU = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
# The stable section pages of a release (README, Outputs)
SECTIONS = [
    "fms-development", "fms-execution", "notifications", "licensing", "license-outcomes",
]  # fmt: skip
PAGES = [
    "index.html",
    "releases/FY2026-Q2/index.html",
    *(f"releases/FY2026-Q2/{name}.html" for name in SECTIONS),
    "indicators/lic_final_actions.html",
    "indicators/fms_loa_development_days_median.html",  # charts by group, target lines
    "indicators/cn_notifications.html",  # an unavailable indicator
    "methodology.html",
    "revisions.html",
]
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def fixture_site(config, site_dir: Path) -> Path:
    """The small fixture release (tests/unit/site_fixtures.py) built into ``site_dir``."""
    for tool in (AXE, VNU, Path(CHROMIUM)):
        assert tool.is_file(), f"{tool} missing: run `make browser-tools` (or `make test`)"
    release = make_release(config)
    downloads.write_data(release, site_dir)
    render.render_site(release, site_dir)
    downloads.write_manifest(release, site_dir)
    return site_dir


@pytest.fixture(scope="module")
def site(config, tmp_path_factory):
    return fixture_site(config, tmp_path_factory.mktemp("browser-site"))


def collect(site: Path, pages: list[str]) -> dict:
    """Open every page once; collect axe results, structure checks and requested URLs."""
    found = {}
    with serve(site) as base, browser() as chromium:
        page = chromium.new_page()
        requests: list[str] = []
        page.on("request", lambda request: requests.append(request.url))
        for path in pages:
            page.goto(base + path, wait_until="load")
            page.add_script_tag(path=str(AXE))
            axe = page.evaluate(
                "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS
            )
            structure = page.evaluate(STRUCTURE)
            found[path] = {"axe": axe, "structure": structure}
        page.close()
    found["requests"] = requests
    return found


def nu_messages(site: Path) -> tuple[list, list[str]]:
    """The Nu validator's error messages over every HTML file of ``site``, and the files."""
    files = sorted(str(p) for p in site.rglob("*.html"))
    run = subprocess.run(
        ["java", "-jar", str(VNU), "--errors-only", "--format", "json", *files],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    return json.loads(run.stderr or run.stdout)["messages"], files


@pytest.fixture(scope="module")
def results(site):
    return collect(site, PAGES)


STRUCTURE = """() => ({
  tables: [...document.querySelectorAll('table')].map(t => ({
    caption: t.caption ? t.caption.textContent.trim() : '',
    csv: (() => { const b = t.closest('.table-block');
                  const a = b && b.querySelector(':scope > .download a[href$=".csv"]');
                  return a ? a.getAttribute('href') : null; })()
  })),
  svgs: [...document.querySelectorAll('svg')].map(s => ({
    title: s.querySelector(':scope > title') ? s.querySelector(':scope > title').textContent : '',
    role: s.getAttribute('role')
  })),
  lang: document.documentElement.lang,
  title: document.title,
  h1: document.querySelectorAll('h1').length
})"""


@pytest.mark.parametrize("path", PAGES)
def test_axe_wcag21_aa_no_violations(results, path):
    violations = results[path]["axe"]["violations"]
    summary = [(v["id"], [n["target"] for n in v["nodes"]][:3]) for v in violations]
    assert violations == [], summary
    assert results[path]["axe"]["passes"], "axe ran no checks"


@pytest.mark.parametrize("path", PAGES)
def test_page_structure(results, path):
    structure = results[path]["structure"]
    assert structure["lang"] == "en" and structure["title"] and structure["h1"] == 1
    assert all(t["caption"] for t in structure["tables"])
    assert all(s["title"] and s["role"] == "img" for s in structure["svgs"])


def test_release_tables_next_to_their_csv(results, site):
    pages = [f"releases/FY2026-Q2/{name}.html" for name in SECTIONS]
    tables = [t for page in pages for t in results[page]["structure"]["tables"]]
    assert len(tables) > 100
    assert not results["releases/FY2026-Q2/index.html"]["structure"]["tables"]  # contents only
    for table in tables:
        assert table["csv"], table["caption"]
        assert (site / "releases" / "FY2026-Q2" / table["csv"]).resolve().is_file()


def test_no_request_leaves_localhost(results):
    hosts = {urlparse(url).hostname for url in results["requests"]}
    assert hosts == {"127.0.0.1"}


def test_nu_validator_no_errors(site, config):
    messages, files = nu_messages(site)
    assert messages == [], messages[:5]
    # index, release, its 5 sections, methodology, revisions, one page per indicator
    assert len(files) == 9 + len(config.registry.ids) == 48
