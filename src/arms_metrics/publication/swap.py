"""Switching a site to its new state in one step.

The site path a user passes (``site``) is a symlink to a complete version of the site in a
folder beside it: ``site -> .site.versions/000003``. A run builds the next version in a
fresh folder there (a copy of the live version, then the new files), and switches with
``rename(2)`` of a new symlink over ``site``, which readers see either before or after,
never half done. Renaming a folder over a non-empty folder is refused by Linux, so a site
that is still a plain folder (built before 0.2, or copied) is exchanged with the symlink by
``renameat2(RENAME_EXCHANGE)``, atomic too; where that call is missing, the folder is moved
into the versions and the symlink renamed in its place (a moment without ``site``, once).
The live version and the one before it are kept (a reader may still be reading it).
"""

from __future__ import annotations

import ctypes
import hashlib
import json
import os
import shutil
from pathlib import Path

from arms_metrics import faults
from arms_metrics.errors import Refused

AT_FDCWD = -100
RENAME_EXCHANGE = 2


def versions_dir(site_dir: Path) -> Path:
    """``.<name>.versions`` beside the site."""
    site_dir = Path(os.path.abspath(site_dir))
    return site_dir.parent / f".{site_dir.name}.versions"


def live(site_dir: Path) -> Path | None:
    """The folder the site shows now: a symlink's target, the site itself when it is a
    plain folder, ``None`` when there is no site yet."""
    site_dir = Path(os.path.abspath(site_dir))
    if site_dir.is_symlink():
        return site_dir.resolve() if site_dir.is_dir() else None
    return site_dir if site_dir.is_dir() else None


BUILT = ".built.json"  # beside a site's version: the sha256 of every file its run built
PUBLISHED = ".files.json"  # beside a web root's version: the sha256 of every file published


def built_record(version: Path) -> Path:
    """``.<name>.versions/<n>.built.json``: what the run that built version ``n`` wrote
    (path -> sha256), kept beside it, outside what is published. Written just after the
    switch to ``n``, so a version with a record beside it was shown."""
    return Path(version).parent / f"{Path(version).name}{BUILT}"


def published_record(version: Path) -> Path:
    """``.<name>.versions/<n>.files.json``: what ``publish`` copied into a web root's
    version ``n`` (path -> sha256), written just after the switch to it."""
    return Path(version).parent / f"{Path(version).name}{PUBLISHED}"


def read_record(record: Path) -> dict[str, str] | None:
    """A record (path -> sha256) of ``built_record`` or ``published_record``; ``None`` when
    there is none; exit 77 naming it when it is damaged."""
    try:
        files = json.loads(Path(record).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError):
        files = None
    if not isinstance(files, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in files.items()
    ):
        raise Refused(
            f"{record} is damaged (not a map of files to sha256): remove it, and the folder "
            "beside it is taken for a plain copy"
        )
    return files


def live_record(site_dir: Path) -> dict[str, str] | None:
    """The record beside the version a site or web root shows (``built_record`` for a site,
    ``published_record`` for a web root); ``None`` for a plain folder, a copy, or a version
    whose record is gone."""
    current = live(site_dir)
    if current is None or current.parent != versions_dir(site_dir).resolve():
        return None
    for record in (built_record(current), published_record(current)):
        if record.exists():
            return read_record(record)
    return None


def was_shown(path: Path) -> bool:
    """True for a folder in a versions folder that a reader was once shown: a plain site
    kept when it became a symlink (``<n>-before``), or a version with a record beside it.
    A numbered version without one was built by a run or publish that stopped before its
    switch."""
    if not path.is_dir():
        return False
    return not path.name.isdigit() or any(
        record(path).exists() for record in (built_record, published_record)
    )


def _numbers(folder: Path) -> list[int]:
    if not folder.is_dir():
        return []
    return sorted(int(p.name) for p in folder.iterdir() if p.name.isdigit())


def _prune_orphans(site_dir: Path) -> None:
    """Remove the versions numbered after the live one (and the files kept beside them):
    each was built by a run or publish that stopped before switching to it, so no reader
    ever saw it. Left, it would pass for the version before the live one once the next
    switch is done, and the one a reader may be reading would be removed instead."""
    folder, current = versions_dir(site_dir), live(site_dir)
    if not folder.is_dir():
        return
    # a plain folder, or no site yet: no numbered version was shown before it
    shown = int(current.name) if current and current.parent == folder.resolve() else 0
    for path in folder.iterdir():
        stem = path.name.split(".", 1)[0]
        if stem.isdigit() and int(stem) > shown:
            if was_shown(folder / stem):  # never removed (``paths.check_versions`` refuses)
                continue
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)


def new_version(site_dir: Path, source: Path | None = None) -> Path:
    """A fresh folder beside the site holding a copy of ``source``, by default the site's
    live version (empty if none), numbered after the live one (``_prune_orphans``)."""
    _prune_orphans(site_dir)
    folder = versions_dir(site_dir)
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{max(_numbers(folder), default=0) + 1:06d}"
    current = live(site_dir) if source is None else source
    if current is None:
        target.mkdir()
    else:
        shutil.copytree(current, target, symlinks=True)
    return target


def tree_digest(folder: Path) -> dict[str, str]:
    """sha256 of every file under ``folder`` by relative path (a symlinked folder followed)."""
    folder = Path(folder)
    return {
        path.relative_to(folder).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def _fsync_dir(folder: Path) -> None:
    handle = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(handle)
    finally:
        os.close(handle)


def _exchange(first: Path, second: Path) -> bool:
    """Swap two paths atomically (``renameat2(RENAME_EXCHANGE)``); False where unsupported."""
    try:
        rename = ctypes.CDLL(None, use_errno=True).renameat2
    except AttributeError:
        return False
    done = rename(AT_FDCWD, os.fsencode(first), AT_FDCWD, os.fsencode(second), RENAME_EXCHANGE)
    return done == 0


def switch(site_dir: Path, version: Path) -> Path | None:
    """Point ``site_dir`` at ``version`` in one rename; return where the version it showed
    before now is (``None`` for a new site)."""
    site_dir = Path(os.path.abspath(site_dir))
    before = live(site_dir)
    link = site_dir.parent / f".{site_dir.name}.switch-{os.getpid()}"
    link.unlink(missing_ok=True)
    link.symlink_to(os.path.relpath(version, site_dir.parent))
    faults.point("publish-swap")
    if site_dir.is_dir() and not site_dir.is_symlink():  # a plain folder: exchange, once
        before = versions_dir(site_dir) / f"{version.name}-before"
        if _exchange(link, site_dir):
            os.rename(link, before)
        else:
            os.rename(site_dir, before)
            os.rename(link, site_dir)
    else:
        os.replace(link, site_dir)
    _fsync_dir(site_dir.parent)
    return before


def clean(site_dir: Path, before: Path | None) -> None:
    """Remove every version but the live one and ``before`` (the one it replaced, which a
    reader may still be reading; when ``None``, the latest one before the live one), and
    the symlinks of switches a crash interrupted."""
    faults.point("publish-cleanup")
    site_dir = Path(os.path.abspath(site_dir))
    for stray in site_dir.parent.glob(f".{site_dir.name}.switch-*"):
        stray.unlink(missing_ok=True)
    current = live(site_dir)
    folder = versions_dir(site_dir)
    if before is None and current is not None and current.parent == folder.resolve():
        earlier = sorted(  # the version before (its record file is not a version)
            (p for p in folder.iterdir() if p.is_dir() and age(p) < age(current)), key=age
        )
        before = earlier[-1] if earlier else None
    keep = {p.name for p in (current, before) if p is not None}
    for path in folder.iterdir() if folder.is_dir() else []:
        if path.name.split(".", 1)[0] not in keep:  # a version, or a file kept beside it
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)


def age(version: Path) -> tuple[int, int]:
    """Versions in the order they were shown: ``<n>-before`` (the plain folder the switch
    to ``n`` replaced) just before ``n``."""
    stem, _, tail = version.name.partition("-")
    return (int(stem) if stem.isdigit() else 0, 0 if tail else 1)


def discard(version: Path) -> None:
    """Remove a version that was never switched to (nothing changed)."""
    shutil.rmtree(version, ignore_errors=True)
