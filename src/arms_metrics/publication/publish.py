"""Publish: copy a built site to the web root in one step, never before its release time.

``arms-metrics publish --site DIR --to WEBROOT`` makes ``WEBROOT`` a symlink to a complete
copy of the site's live version, beside it in ``.<name>.versions/`` (``swap``: built in a
fresh folder, switched with one ``rename(2)``), so the web server serving ``WEBROOT`` shows
the old site or the new one, never half of each. Every release folder the copy would add or
change must be past its embargo: the release date its manifest records, or the calendar's
when that is later (a release postponed after it was built), at ``[release_calendar] time``
in ``zone``; before that the copy is refused with exit 75 and the web root is left as it
was. ``now`` is injectable for tests (``--now``). The site and the web root are locked for
the copy (``lock``): when a run or another publish holds either, it exits 75 at once.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path

from arms_metrics import faults
from arms_metrics.config import Config
from arms_metrics.errors import Refused, UsageError
from arms_metrics.publication import corrections, embargo, integrity, lock, paths, swap
from arms_metrics.quarters import Quarter
from arms_metrics.release import (
    figures_digest,
    manifest_corrections,
    published_releases,
    release_quarter,
)
from arms_metrics.writers import json_bytes


@dataclass(frozen=True)
class Published:
    releases: tuple[str, ...]  # the release folders the copy added or changed
    changed: bool  # False: the web root already showed exactly this site


def changed_releases(new: dict[str, str], old: dict[str, str]) -> list[Quarter]:
    """Releases whose folder differs between two ``swap.tree_digest`` maps (added, changed
    or removed files), oldest first."""
    labels = set()
    for rel in set(new) | set(old):
        parts = rel.split("/")
        if len(parts) > 2 and parts[0] == "releases" and new.get(rel) != old.get(rel):
            labels.add(parts[1])
    return sorted(q for q in map(release_quarter, labels) if q is not None)


def _site(site_dir: Path) -> Path:
    """The site's live version; exit 2 when ``site_dir`` holds no built release."""
    current = swap.live(site_dir)
    if current is None or not published_releases(current):
        raise UsageError(f"--site {site_dir}: no built release there (run arms-metrics run first)")
    return current


def _distinct(site_dir: Path, webroot: Path) -> None:
    """Exit 2 when the web root overlaps the site, its versions or its lock (either way),
    is not a folder this tool may take over (``paths``), or is a file."""
    paths.check_publish(site_dir, webroot)
    root = Path(os.path.abspath(webroot))
    if root.exists() and not root.is_dir():
        raise UsageError(f"--to {webroot}: is a file, not a folder (nor a symlink to one)")


def _count(log: list, quarter: Quarter) -> int:
    """How many corrections of ``quarter`` a corrections log holds."""
    return sum(1 for entry in log if entry.release == quarter.label)


def check_forward(source: Path, current: Path | None, webroot: Path, digests: tuple[dict, dict]):
    """Exit 77 when the copy would take a release off the web root, take back a correction
    it shows (the site's log must begin with the web root's), or change a release folder it
    shows (``changed``) other than by the site's own correction of what it shows."""
    logged = corrections.read_log(source)  # a log lost or not ours: exit 65 or 77
    if current is None:
        return
    shown = corrections.read_log(current)
    if logged[: len(shown)] != shown:
        at = next(i for i, entry in enumerate(shown) if i >= len(logged) or logged[i] != entry)
        raise Refused(
            f"--to {webroot} shows corrections that --site does not log (its log holds "
            f"{len(shown)}, the site's {len(logged)}; the first that differs: its correction "
            f"{at + 1}, of {shown[at].release} dated {shown[at].date.isoformat()}): publishing "
            "would take a correction back"
        )
    ours, live = set(published_releases(source)), set(published_releases(current))
    for quarter in sorted(live - ours):
        raise Refused(
            f"--to {webroot} shows {quarter}, which --site does not hold: "
            "publishing would remove a live release"
        )
    for quarter in changed_releases(*digests):
        if quarter in live:
            check_descent(source, current, webroot, quarter, _count(shown, quarter), digests)


def check_descent(
    source: Path, current: Path, webroot: Path, quarter: Quarter, shown: int, digests: tuple
) -> None:
    """Exit 77 unless the site rewrote ``quarter``'s release, as the web root shows it after
    ``shown`` corrections, by a correction of its own: the first correction the web root
    does not show must record (``replaces``, in the release's manifest) that it replaced the
    very figures the web root shows. A site built from another extract, or another site's
    copy, has corrections that replaced other figures, and no finding of them explains the
    difference."""
    recorded = manifest_corrections(source, quarter)
    if len(recorded) <= shown:
        new, old = digests
        folder = f"releases/{quarter.label}/"
        first = min(
            k for k in set(new) | set(old) if k.startswith(folder) and new.get(k) != old.get(k)
        )
        same = figures_digest(source, quarter) == figures_digest(current, quarter)
        raise Refused(
            f"--to {webroot} shows {quarter} otherwise than --site (first: {first}"
            f"{'; the figures are the same' if same else ''}), and the site logs no newer "
            "correction of it: publishing would rewrite a published release; build into a "
            "copy of the site the web root shows (cp -rL) instead"
        )
    replaced = recorded[shown].get("replaces")  # None: a correction made before 0.2 recorded it
    if replaced is not None and replaced != figures_digest(current, quarter):
        raise Refused(
            f"--to {webroot} shows {quarter} with figures that --site's correction "
            f"{shown + 1} of it did not start from: the site was built from another site or "
            "extract; correct the site the web root was published from"
        )


def _files(count: int) -> str:
    return "1 file" if count == 1 else f"{count} files"


def check_untouched(webroot: Path, current: Path | None, new: dict, old: dict) -> None:
    """Exit 77 when files in the web root would be lost: symlinks or empty folders added; for
    a version this tool published, any file added, changed or removed there since (its
    record beside it); otherwise (a plain folder, or a record gone), any file the site does
    not hold."""
    if current is None:
        return
    odd = integrity.odd_entries(current)
    published = swap.live_record(webroot)
    if published is not None:
        touched = integrity.differing(published, old)
        what = "added, changed or removed there since it was published"
        record = swap.published_record(current).name
        fix = (
            "restore them as published, or, to let publish replace them, remove "
            f"{record} from {swap.versions_dir(webroot)}"
        )
        gone = sorted({*touched, *odd})
    else:
        what = "the site does not hold"
        gone, fix = sorted({*(set(old) - set(new)), *odd}), "move them out of the web root first"
    if gone:
        raise Refused(
            f"--to {webroot}: {_files(len(gone))} {what} (first: {gone[0]}), which publishing "
            f"would drop: {fix}"
        )


def publish(site_dir: Path, webroot: Path, config: Config, now: dt.datetime) -> Published:
    """Switch ``webroot`` to a copy of the site's live version in one rename, when every
    release it adds or changes is past its embargo (exit 75 otherwise)."""
    _distinct(site_dir, webroot)
    site_dir, webroot = paths.normal(site_dir), paths.normal(webroot)
    _site(site_dir)
    with lock.site_lock(site_dir), lock.site_lock(webroot, "--to"):
        source = _site(site_dir)  # again, now that no run can switch it
        integrity.check_plain_site(source, site_dir)
        current = swap.live(webroot)
        new = swap.tree_digest(source)
        old = swap.tree_digest(current) if current is not None else {}
        releases = changed_releases(new, old)
        if new == old:
            swap.clean(webroot, None)  # a publish killed after its switch: finish it
            return Published((), False)
        check_untouched(webroot, current, new, old)
        check_forward(source, current, webroot, (new, old))
        integrity.check_built(source, site_dir, new)
        shown = integrity.check_complete(source, site_dir, new)  # the site-wide pages' period
        due = sorted({*releases, *([shown] if shown else [])})
        embargo.check_embargo(source, due, config, now)
        version = integrity.copy_checked(webroot, source, new, site_dir)
        faults.point("publish-copy")
        before = swap.switch(webroot, version)
        swap.published_record(version).write_bytes(json_bytes(new))  # it was shown
        swap.clean(webroot, before)
    return Published(tuple(q.label for q in releases), True)
