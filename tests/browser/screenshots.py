"""PNG screenshots of a built site, one page of every kind (front page, release, a section,
an indicator, methodology, revisions, the list of releases, corrections), at desktop
(1280 px) and phone (390 px) widths.

Run as ``python -m tests.browser.screenshots SITE_DIR OUT_DIR`` (``make screenshots``).
"""

from __future__ import annotations

import sys
from pathlib import Path

from tests.browser.serve import browser, serve

WIDTHS = {"desktop": 1280, "phone": 390}


def release_page(site_dir: Path) -> str:
    """The newest release page under ``site_dir`` (fiscal labels sort in time order)."""
    releases = sorted(p.parent.name for p in site_dir.glob("releases/*/index.html"))
    if not releases:
        raise SystemExit(f"{site_dir}: no release page found; build the site first")
    return f"releases/{releases[-1]}/index.html"


def page_kinds(site_dir: Path) -> dict[str, str]:
    """One page of every kind the site has: name -> path under ``site_dir``."""
    release = release_page(site_dir)
    pages = {
        "index": "index.html",
        "release": release,
        "licensing": release.replace("index.html", "licensing.html"),
        "indicator": "indicators/fms_loa_development_days_median.html",
        "methodology": "methodology.html",
        "revisions": "revisions.html",
        "releases": "releases/index.html",
        "corrections": "corrections.html",
    }
    return {name: path for name, path in pages.items() if (site_dir / path).is_file()}


def take(site_dir: Path, out_dir: Path) -> list[Path]:
    """Write a screenshot of every page kind at both widths and return their paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    pages = page_kinds(site_dir)
    written = []
    with serve(site_dir) as base, browser() as chromium:
        for device, width in WIDTHS.items():
            page = chromium.new_page(viewport={"width": width, "height": 900})
            for name, path in pages.items():
                page.goto(base + path, wait_until="load")
                target = out_dir / f"{name}-{device}.png"
                page.screenshot(path=str(target), full_page=name == "index")
                written.append(target)
            page.close()
    return written


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: python -m tests.browser.screenshots SITE_DIR OUT_DIR", file=sys.stderr)
        return 2
    site_dir = Path(argv[0])
    if not (site_dir / "index.html").is_file():
        print(f"{site_dir}: no index.html; build the site first", file=sys.stderr)
        return 2
    for path in take(site_dir, Path(argv[1])):
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
