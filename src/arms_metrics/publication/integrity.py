"""What a site must hold before ``publish`` copies it: what its runs wrote, all of it, and
nothing else.

Each release's ``manifest.json`` lists the files its build wrote with their sha256 (the
latest release's, the site-wide files too; an older one's, its own folder). A site that
lacks one of them, holds one changed since, or holds a file no release wrote, was cut
short or edited outside a run: publishing it could take files off the web root, change a
published figure with no correction logged, or show a release whose folder (and so whose
embargo) is gone. Only the files later runs rewrite on purpose without a new manifest
(``MUTABLE``: the corrections log and page, the list of releases) are exempt from the hash.
Symlinks, special files and empty folders are refused too: a run writes none.
"""

from __future__ import annotations

import csv
import os
import shutil
from pathlib import Path

from arms_metrics.errors import Refused
from arms_metrics.publication import swap
from arms_metrics.quarters import Quarter
from arms_metrics.release import PUBLISHED_CSV, published_manifest, release_quarter

# rewritten by a correction of an older release or an older quarter's build, whose manifests
# do not list site-wide files
MUTABLE = frozenset({"corrections.html", "data/corrections.csv", "releases/index.html"})
MANIFEST = "manifest.json"
REBUILD = (
    "restore it as its run wrote it (a web root it was published to holds a copy) or build "
    "the site afresh (arms-metrics backfill into a new site)"
)


def odd_entries(folder: Path) -> list[str]:
    """Symlinks, special files (named pipes, sockets, devices) and empty folders under
    ``folder``: a site never holds any, so someone added them (the file digests do not see
    them)."""
    found = []
    for top, dirs, files in os.walk(folder):
        for name in sorted(dirs + files):
            path = Path(top) / name
            special = not (path.is_file() or path.is_dir())  # a named pipe, a socket, a device
            if path.is_symlink() or special or (path.is_dir() and not any(path.iterdir())):
                found.append(path.relative_to(folder).as_posix())
    return sorted(found)


def check_plain_site(source: Path, site_dir: Path) -> None:
    """Exit 77 when the site holds a symlink or an empty folder: a run never writes one, so
    someone added it, and the copy would serve what it points to (a system file) from the
    web root, then blame the web root for it."""
    odd = odd_entries(source)
    if odd:
        raise Refused(
            f"--site {site_dir} holds {len(odd)} symlink(s) or empty folder(s) no run wrote "
            f"(first: {odd[0]}), which publishing would copy to the web root: remove them"
        )


def release_folders(source: Path) -> list[Quarter]:
    """Every folder under ``releases/`` named as a release, oldest first."""
    folder = Path(source) / "releases"
    if not folder.is_dir():
        return []
    found = (release_quarter(p.name) for p in folder.iterdir() if p.is_dir())
    return sorted(q for q in found if q is not None)


def shown_period(source: Path) -> Quarter | None:
    """The latest period the site-wide ``data/indicators.csv`` shows (what the front page
    and the indicator pages publish); ``None`` without one."""
    path = Path(source) / PUBLISHED_CSV
    if not path.is_file():
        return None
    with path.open(encoding="utf-8", newline="") as handle:
        periods = {row.get("period") for row in csv.DictReader(handle)}
    quarters = [q for q in map(release_quarter, filter(None, periods)) if q is not None]
    return max(quarters, default=None)


def _outputs(source: Path, quarter: Quarter, site_dir: Path) -> dict[str, str]:
    """path -> sha256 of the files ``quarter``'s manifest lists; exit 77 when the manifest
    is gone, unreadable or lists no figures."""
    outputs = (published_manifest(source, quarter) or {}).get("outputs")
    listed = {}
    for item in outputs if isinstance(outputs, list) else []:
        if isinstance(item, dict) and all(isinstance(item.get(k), str) for k in ("path", "sha256")):
            listed[item["path"]] = item["sha256"]
    figures = f"releases/{quarter.label}/{PUBLISHED_CSV.as_posix()}"
    if figures not in listed:
        raise Refused(
            f"--site {site_dir}: releases/{quarter.label}/{MANIFEST} is gone, unreadable or "
            f"lists no figures: a site cut short; {REBUILD}"
        )
    return listed


def check_complete(source: Path, site_dir: Path, digest: dict[str, str]) -> Quarter | None:
    """Exit 77 unless the site (``digest``: path -> sha256 of every file, ``swap``) holds
    exactly what its releases' manifests list, unchanged (``MUTABLE`` only present), plus
    the manifests, and its site-wide figures show a period that has a release folder;
    that period (``shown_period``) otherwise."""
    folders = release_folders(source)
    listed: dict[str, str] = {}
    for quarter in folders:  # its own folder; the latest's lists the site-wide files too
        own = f"releases/{quarter.label}/"
        for path, sha in _outputs(source, quarter, site_dir).items():
            if path.startswith(own) or (
                quarter == folders[-1] and not path.startswith("releases/")
            ):
                listed[path] = sha
    manifests = {f"releases/{q.label}/{MANIFEST}" for q in folders}
    for path in sorted(set(listed) | MUTABLE & set(digest)):
        if path not in digest:
            raise Refused(f"--site {site_dir} lacks {path}: a site cut short; {REBUILD}")
        if path not in MUTABLE and digest[path] != listed[path]:
            raise Refused(
                f"--site {site_dir}: {path} differs from what its release wrote (its "
                f"manifest's sha256): edited outside a run; {REBUILD}"
            )
    extra = sorted(set(digest) - set(listed) - MUTABLE - manifests)
    if extra:
        raise Refused(f"--site {site_dir} holds {extra[0]}, which no release wrote: {REBUILD}")
    _check_chain(source, site_dir, folders)
    shown = shown_period(source)
    if shown is not None and shown not in folders:
        raise Refused(
            f"--site {site_dir}: data/indicators.csv shows {shown}, which has no release "
            f"folder: a site cut short; {REBUILD}"
        )
    return shown


def _check_chain(source: Path, site_dir: Path, folders: list[Quarter]) -> None:
    """Exit 77 when a release was revised against one the site no longer holds (its
    manifest's ``revised_against``): a release folder deleted since, which no manifest of
    its own can show."""
    labels = {q.label for q in folders}
    for quarter in folders:
        against = (published_manifest(source, quarter) or {}).get("revised_against")
        if isinstance(against, str) and against not in labels:
            raise Refused(
                f"--site {site_dir}: {quarter} was revised against {against}, whose release "
                f"folder is gone: a site cut short; {REBUILD}"
            )


def check_built(source: Path, site_dir: Path, digest: dict[str, str]) -> None:
    """Exit 77 unless the site's live version holds exactly what the run that switched to
    it built (``swap.built_record``): a file edited, added or deleted in the site since
    (a figure changed with no correction, a release cut out, a page swapped) would be
    published as if a run had written it. A plain folder, or a copy, has no record: a run
    into it makes one."""
    built = swap.read_record(swap.built_record(source))
    if built is None:
        raise Refused(
            f"--site {site_dir} has no record of what its run built (a plain folder or a "
            "copy): run arms-metrics run into it, then publish it"
        )
    _check_same(built, digest, f"--site {site_dir}", REBUILD)


def check_unedited(site_dir: Path) -> dict[str, str]:
    """Before a run builds on a site: exit 77 when its live version differs from what the
    run that switched to it built (``check_built``), or, without that record (a plain
    folder, a copy), from what its releases' manifests list (``check_complete``), or holds
    a symlink, special file or empty folder: no edit made in the site since is carried
    into the next version as if a run had written it. Returns the digest it checked
    (path -> sha256; empty without a site), which the copy must hold (``check_copied``)."""
    current = swap.live(site_dir)
    if current is None:
        return {}
    check_plain_site(current, site_dir)
    digest = swap.tree_digest(current)
    built = swap.live_record(site_dir)
    if built is not None:
        _check_same(built, digest, f"--site {site_dir}", REBUILD)
    elif release_folders(current):
        check_complete(current, site_dir, digest)
    return digest


def copy_checked(
    target: Path, source: Path | None, checked: dict[str, str], site_dir: Path
) -> Path:
    """``swap.new_version(target, source)``, the copy of a site's live version, holding
    exactly the files a check read before (``checked``, ``check_copied``); exit 77 when the
    site changed while it was copied, or the copy fails half way (the part copied is never
    shown: the next copy removes it, ``swap._prune_orphans``)."""
    try:
        version = swap.new_version(target, source)
    except (shutil.Error, OSError) as error:
        raise Refused(
            f"--site {site_dir} changed while it was copied ({type(error).__name__}): "
            "nothing published; try again once nothing else writes to it"
        ) from None
    check_copied(version, checked, site_dir)
    return version


def check_copied(version: Path, checked: dict[str, str], site_dir: Path) -> None:
    """Exit 77 (the copy removed) unless a copy of a site or its live version holds
    exactly the files a check read before (``checked``): one changed in between, by a
    writer outside the tool, would be carried unchecked."""
    changed = differing(swap.tree_digest(version), checked)
    odd = odd_entries(version)
    if changed or odd:
        swap.discard(version)
        raise Refused(
            f"--site {site_dir} changed while it was copied (first: {(changed or odd)[0]}): "
            "nothing published; try again once nothing else writes to it"
        )


def differing(first: dict[str, str], second: dict[str, str]) -> list[str]:
    """The paths two digests (path -> sha256) disagree on: added, changed or removed,
    sorted."""
    return sorted(k for k in set(first) | set(second) if first.get(k) != second.get(k))


def _check_same(built: dict[str, str], digest: dict[str, str], where: str, fix: str) -> None:
    changed = differing(built, digest)
    if changed:
        raise Refused(
            f"{where}: {changed[0]} was added, changed or removed since its run built it "
            f"({len(changed)} file(s) in all): {fix}"
        )
