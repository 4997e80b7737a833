"""The plan of a build: what it may change in the site, decided before anything is rendered.

A build of the latest release or a newer one changes everything (``forward``); an older one
only its own release folder, and that only when new or corrected (``keep_release``
otherwise). A published release whose figures would change is refused with exit 77 unless
a correction reason is given (``corrections.decide``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from pathlib import Path

from arms_metrics.ingest.names import load_names
from arms_metrics.publication import corrections, forward
from arms_metrics.quarters import Quarter
from arms_metrics.release import Correction, Release, published_date, published_releases


@dataclass(frozen=True)
class Plan:
    """What a build may change in the site: everything (``forward``) or only its own
    release folder, that folder only when new or corrected (``keep_release`` otherwise), and
    the corrections log (``log``, with ``latest``: the latest release's period and date)."""

    quarter: Quarter
    forward: bool
    keep_release: bool
    log: tuple[Correction, ...] = ()
    corrected: bool = False
    latest: tuple[str, dt.date] | None = None


def plan(
    release: Release, site_dir: Path, correction: str | None, today: dt.date
) -> tuple[Release, Plan]:
    """Refuse (exit 77) to change a published release's figures without ``correction``;
    else the release with its corrections, and what it may change in the site."""
    internal = load_names(release.config.reference_dir).internal()
    changed = corrections.changed_cells(release.cells, site_dir, release.quarter, internal)
    entry = corrections.decide(release.quarter, changed, correction, today)
    log = (*corrections.read_log(site_dir), *([entry] if entry else []))
    published = published_releases(site_dir)
    ahead = forward.is_forward(release.quarter, published)
    latest = None
    if not ahead:
        day = published_date(site_dir, max(published)) or release.release_date
        latest = (max(published).label, day)
    decided = Plan(release.quarter, ahead, changed == 0, log, entry is not None, latest)
    own = tuple(c for c in log if c.release == release.period)
    return replace(release, corrections=own), decided
