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

from arms_metrics.errors import UsageError
from arms_metrics.ingest.names import load_names
from arms_metrics.publication import corrections, forward
from arms_metrics.quarters import Quarter
from arms_metrics.release import (
    Correction,
    Listed,
    Release,
    figures_digest,
    manifest_corrections,
    published_date,
    published_embargo,
    published_releases,
)


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
    # after a correction: each later release with how many corrected figures it shows otherwise
    later: tuple[tuple[str, int], ...] = ()


def plan(
    release: Release, site_dir: Path, correction: str | None, today: dt.date
) -> tuple[Release, Plan]:
    """Refuse (exit 77) to change a published release's figures without ``correction``;
    else the release with its corrections, and what it may change in the site."""
    internal = load_names(release.config.reference_dir).internal()
    figures = corrections.changed_figures(release.cells, site_dir, release.quarter, internal)
    if figures is not None:  # published: a rebuild keeps the date and embargo it published
        release = _as_published(release, site_dir)
    changed = None if figures is None else figures.height
    entry = corrections.decide(release.quarter, changed, correction, today)
    if entry is not None:
        entry = replace(entry, replaces=figures_digest(site_dir, release.quarter))
    logged = corrections.read_log(site_dir)
    last = max((c.date for c in logged), default=None)
    if entry is not None and last is not None and today < last:
        raise UsageError(
            f"--correction dated {today.isoformat()} (SOURCE_DATE_EPOCH or the clock) is before "
            f"the last logged correction ({last.isoformat()}): the log only moves forward"
        )
    log = (*logged, *([entry] if entry else []))
    published = published_releases(site_dir)
    ahead = forward.is_forward(release.quarter, published)
    latest = None
    if not ahead:
        day = published_date(site_dir, max(published)) or release.release_date
        latest = (max(published).label, day)
    later = ()
    if entry is not None:
        newer = [q for q in published if q > release.quarter]
        counts = [(q.label, corrections.disagree(figures, site_dir, q, internal)) for q in newer]
        later = tuple((label, n) for label, n in counts if n)
    decided = Plan(release.quarter, ahead, changed == 0, log, entry is not None, latest, later)
    own = _own(release, site_dir, log)
    listed = _listed(release, site_dir, published, log, keep=changed == 0)
    return replace(release, corrections=own, listed=listed), decided


def _as_published(release: Release, site_dir: Path) -> Release:
    """``release`` with the release date and embargo instant its published manifest records
    (a correction re-dates nothing: a calendar or ``--config`` changed since can neither
    bring a release forward nor move the date it was public on)."""
    day = published_date(site_dir, release.quarter) or release.release_date
    return replace(release, release_date=day, embargo=published_embargo(site_dir, release.quarter))


def _own(release: Release, site_dir: Path, log: tuple[Correction, ...]) -> tuple[Correction, ...]:
    """``release``'s corrections in ``log``, oldest first, the earlier ones with the digest
    of the figures each replaced, as the release's manifest records it."""
    recorded = manifest_corrections(site_dir, release.quarter)
    own = [c for c in log if c.release == release.period]
    for i, entry in enumerate(own):
        digest = recorded[i].get("replaces") if i < len(recorded) else None
        if entry.replaces is None and isinstance(digest, str):
            own[i] = replace(entry, replaces=digest)
    return tuple(own)


def _listed(
    release: Release,
    site_dir: Path,
    published: list[Quarter],
    log: tuple[Correction, ...],
    keep: bool,
) -> tuple[Listed, ...]:
    """Every release in the site once ``release`` is in it, newest first, each with the
    date its manifest records (``release``'s own when it is rewritten; ``None`` for a folder
    without a readable manifest) and its corrections."""
    dates = {q: published_date(site_dir, q) for q in published}
    if not (keep and dates.get(release.quarter)):
        dates[release.quarter] = release.release_date
    return tuple(
        Listed(q.label, day, sum(c.release == q.label for c in log))
        for q, day in sorted(dates.items(), reverse=True)
    )
