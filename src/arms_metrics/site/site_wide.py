"""The site-wide pages every build writes, also a build of an older quarter.

``releases/index.html`` lists every release in the site, newest first, with its date and
how often it was corrected; ``corrections.html`` and ``data/corrections.csv`` list every
correction, oldest first. Both describe the site, not one release: a build of a quarter
older than the latest release writes them too (so a release built later is linked at
once), rendered with the site's navigation as the latest release shows it (``latest``).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path
from typing import Any

from arms_metrics.release import Correction, Release
from arms_metrics.site import dates, render
from arms_metrics.writers import write_bytes

RELEASES_PAGE = "releases/index.html"


def _site(release: Release, latest: tuple[str, dt.date] | None) -> dict[str, Any]:
    """The site context of a site-wide page: the latest release's, without any notice."""
    site = render.site_context(dataclasses.replace(release, corrections=()))
    if latest is not None:
        period, day = latest
        site |= {
            "period": period,
            "release_date": dates.long_date(day),
            "latest_path": f"releases/{period}/index.html",
        }
    return site


def _write(template: str, path: str, context: dict[str, Any], site_dir: Path) -> None:
    html = render.environment().get_template(template).render(context)
    write_bytes(Path(site_dir) / path, html.encode("utf-8"))


def write_corrections(
    release: Release,
    log: list[Correction],
    log_csv: bytes,
    site_dir: Path,
    latest: tuple[str, dt.date] | None = None,
) -> None:
    """Write the corrections page and CSV into ``site_dir``; ``latest`` is the latest
    release's period and date when it is not ``release``."""
    context = {
        "site": _site(release, latest),
        "root": "",
        "nav": "",
        "page_title": "Corrections",
        "rows": [render.notice(c) | {"cells": f"{c.cells:,}"} for c in log],
    }
    _write("corrections.html", "corrections.html", context, site_dir)
    write_bytes(Path(site_dir) / "data" / "corrections.csv", log_csv)


def write_releases(
    release: Release, site_dir: Path, latest: tuple[str, dt.date] | None = None
) -> None:
    """Write ``releases/index.html``: every release of ``release.listed``, newest first."""
    newest = latest[0] if latest is not None else release.period
    rows = [
        {
            "period": item.period,
            "date": dates.long_date(item.release_date) if item.release_date else "",
            "iso_date": item.release_date.isoformat() if item.release_date else "",
            "latest": item.period == newest,
            "corrections": "corrected once"
            if item.corrections == 1
            else (f"corrected {item.corrections} times" if item.corrections else ""),
        }
        for item in release.listed
    ]
    context = {
        "site": _site(release, latest),
        "root": "../",
        "nav": "releases",
        "page_title": "All releases",
        "rows": rows,
    }
    _write("releases.html", RELEASES_PAGE, context, site_dir)
