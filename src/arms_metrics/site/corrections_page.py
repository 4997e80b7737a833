"""The corrections log: ``corrections.html`` and ``data/corrections.csv``.

Both list every correction of a published release, oldest first. The page is rendered with
the site's navigation as the latest release shows it (``latest``), also when an older
release is corrected, since the page is site-wide.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

from arms_metrics.release import Correction, Release
from arms_metrics.site import dates, render
from arms_metrics.writers import write_bytes


def write(
    release: Release,
    log: list[Correction],
    log_csv: bytes,
    site_dir: Path,
    latest: tuple[str, dt.date] | None = None,
) -> None:
    """Write the corrections page and CSV into ``site_dir``; ``latest`` is the latest
    release's period and date when it is not ``release``."""
    site = render.site_context(dataclasses.replace(release, corrections=()))
    if latest is not None:
        period, day = latest
        site |= {
            "period": period,
            "release_date": dates.long_date(day),
            "latest_path": f"releases/{period}/index.html",
        }
    context = {
        "site": site,
        "root": "",
        "nav": "",
        "page_title": "Corrections",
        "rows": [render.notice(c) | {"cells": f"{c.cells:,}"} for c in log],
    }
    html = render.environment().get_template("corrections.html").render(context)
    write_bytes(Path(site_dir) / "corrections.html", html.encode("utf-8"))
    write_bytes(Path(site_dir) / "data" / "corrections.csv", log_csv)
