"""Never backwards: which files of a freshly built release reach the site.

A build of the latest release, or of a newer one, takes every file it rendered. A build of
a quarter older than the latest release in the site takes only its own release folder: the
front page, ``data/``, the indicator pages and the other site-wide pages stay with the
latest release. A published release whose figures are unchanged keeps its folder as first
published (release pages are never rewritten, except by a correction). The corrections log
(``corrections.html``, ``data/corrections.csv``) and the list of releases
(``releases/index.html``) are taken whenever the build wrote them.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from arms_metrics.quarters import Quarter

CORRECTIONS_FILES = ("corrections.html", "data/corrections.csv")
SITE_WIDE_FILES = (*CORRECTIONS_FILES, "releases/index.html")  # taken whenever written


def is_forward(quarter: Quarter, published: list[Quarter]) -> bool:
    """True when ``quarter`` is the latest release in the site, or newer."""
    return not published or quarter >= max(published)


def files_to_take(staging: Path, quarter: Quarter, forward: bool, keep_release: bool) -> list[str]:
    """Relative paths of the files in ``staging`` that the new site version takes."""
    own = f"releases/{quarter.label}/"
    taken = []
    for path in sorted(Path(staging).rglob("*")):
        if not path.is_file():
            continue
        rel = path.relative_to(staging).as_posix()
        if rel.startswith(own):
            if not keep_release:
                taken.append(rel)
        elif forward or rel in SITE_WIDE_FILES:
            taken.append(rel)
    return taken


def prune(staging: Path, quarter: Quarter, forward: bool) -> None:
    """Remove from ``staging`` every file a build of ``quarter`` does not publish (for an
    older quarter: the latest release's site-wide pages), so the manifest written next
    lists only what the build publishes."""
    taken = set(files_to_take(staging, quarter, forward, keep_release=False))
    for path in sorted(Path(staging).rglob("*")):
        if path.is_file() and path.relative_to(staging).as_posix() not in taken:
            path.unlink()


def take(staging: Path, version: Path, quarter: Quarter, forward: bool, keep_release: bool) -> int:
    """Copy the files ``files_to_take`` names from ``staging`` into the site ``version`` (the
    release folder replaced whole when taken); return how many were copied."""
    names = files_to_take(staging, quarter, forward, keep_release)
    if not keep_release:
        shutil.rmtree(Path(version) / "releases" / quarter.label, ignore_errors=True)
    for rel in names:
        target = Path(version) / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.unlink(missing_ok=True)  # never write through a file the live site shares
        shutil.copyfile(Path(staging) / rel, target)
    return len(names)
