"""Which folders ``run --site``, ``run --work`` and ``publish --to`` may write (issue 14).

A site is the folder a user names plus two paths beside it that the tool writes: its
versions (``.<name>.versions``) and its lock (``.<name>.lock``); a web root likewise. No
two of the folders a command writes or reads may be the same or one inside another: a
work folder inside the site would be published (quarantined records included), a site
inside the input would turn the input into a site. A site or web root is never a folder
the tool did not build: an empty path, ``/``, the current folder or one above it, the
home folder, or an existing folder that is not empty and is not a site are refused. A
site, for this purpose, is a symlink to a version in its own ``.<name>.versions`` folder,
or a plain folder holding at least one built release (``releases/<period>/indicators.csv``,
a site built before 0.2 or copied). Every refusal is a usage error (exit 2), one line.
"""

from __future__ import annotations

import os
from pathlib import Path

from arms_metrics.errors import UsageError
from arms_metrics.publication.lock import lock_path
from arms_metrics.publication.swap import BUILT, PUBLISHED, age, live, versions_dir, was_shown
from arms_metrics.release import published_releases


def _forms(path: Path) -> set[Path]:
    """``path`` as written (made absolute, ``..`` folded) and with its symlinks resolved."""
    return {Path(os.path.abspath(path)), Path(os.path.realpath(path))}


def overlap(first: Path, second: Path) -> bool:
    """True when ``first`` and ``second`` are the same path or one is inside the other."""
    for one in _forms(first):
        for two in _forms(second):
            if one == two or one in two.parents or two in one.parents:
                return True
    return False


def owned(folder: Path) -> list[Path]:
    """The paths the tool writes for a site or web root: the folder, its versions, its lock."""
    return [Path(folder), versions_dir(folder), lock_path(folder)]


def is_site(folder: Path) -> bool:
    """A site built by arms-metrics: a symlink into its own versions folder, or a folder
    holding a built release."""
    folder = Path(folder)
    if folder.is_symlink():
        target = Path(os.path.realpath(folder))
        return target.parent == Path(os.path.realpath(versions_dir(folder)))
    return folder.is_dir() and bool(published_releases(folder))


def _refusal(folder: Path) -> str | None:
    """Why ``folder`` may never be made a site or web root, or ``None``."""
    if str(folder) in ("", "."):
        return "is empty or the current folder"
    real = Path(os.path.realpath(folder))
    if real == Path(real.anchor):
        return "is the root of the file system"
    cwd = Path(os.path.realpath(Path.cwd()))
    if real == cwd or real in cwd.parents:
        return "is the current folder or a folder above it"
    if real == Path(os.path.realpath(Path.home())):
        return "is the home folder"
    return None


def physical(folder: Path) -> Path:
    """The folder the kernel opens for ``folder``: its parent resolved (symlinks, and ``..``
    as the kernel follows it, after the symlink), its own name kept (a site's symlink)."""
    path = Path(folder)
    if path.name in ("", ".", ".."):
        return Path(os.path.realpath(path))
    return Path(os.path.realpath(path.parent)) / path.name


def normal(folder: Path) -> Path:
    """``folder`` with ``.`` and ``..`` folded as written, once ``check_plain`` has shown
    that folding them names the folder the kernel would open."""
    return Path(os.path.normpath(folder))


def check_plain(folder: Path, option: str) -> None:
    """Exit 2 when ``..`` after a symlink makes ``folder`` name another folder than it
    reads as (``site/../site`` is ``.site.versions/site`` when ``site`` is a site)."""
    lexical = Path(os.path.abspath(folder))
    if physical(lexical) != physical(folder):
        raise UsageError(
            f"{option} {str(folder)!r} is {physical(folder)} once the symlinks before its "
            "'..' are followed: write the path without '..'"
        )


def _managed(folder: Path) -> str | None:
    """Why ``folder`` lies in a folder this tool manages, or ``None``: inside a site, web
    root or work folder (each has its lock beside it), or a versions folder."""
    for above in physical(folder).parents:
        if above.name.startswith(".") and above.name.endswith(".versions"):
            return f"is inside {above}, the versions of a site or web root"
        if above != Path(above.anchor) and (is_site(above) or lock_path(above).exists()):
            return f"is inside {above}, a folder this tool writes (site, web root or work)"
    return None


def _tools(folder: Path) -> bool:
    """A site, a versions folder or a lock of this tool."""
    name = folder.name
    tool_name = name.startswith(".") and name.endswith((".versions", ".lock"))
    return tool_name or is_site(folder)


def _plain_folder(folder: Path) -> bool:
    """A real folder, not a symlink, versions folder or lock: in a work folder, a plain
    folder holding releases is its own staging site, not a site to protect."""
    return folder.is_dir() and not folder.is_symlink() and not folder.name.startswith(".")


def check_work(work_dir: Path) -> None:
    """Exit 2 when the work folder (quarantined records, the staging site) would be written
    into what a site or web root shows: inside one (``_managed``), one itself, or holding
    one (``run --site work/staging-site`` once)."""
    work = Path(work_dir)
    reason = _managed(work)
    if reason is None and _tools(physical(work)):
        reason = "is a site, web root, versions folder or lock"
    if reason is None and physical(work).is_dir():
        held = sorted(
            c.name for c in physical(work).iterdir() if _tools(c) and not _plain_folder(c)
        )
        reason = f"holds {held[0]}, a site, web root or versions folder" if held else None
    if reason is not None:
        raise UsageError(f"--work {str(work_dir)!r} {reason}: name a folder apart")


def check_not_lost(folder: Path, option: str) -> None:
    """Exit 2 when ``folder`` is gone, or its symlink points at a version that is gone, but
    its versions folder holds versions it showed (``swap.was_shown``): starting it over would
    drop every release and correction it showed. Versions a first run or publish built but
    never switched to are no reason: the next one removes them."""
    versions = versions_dir(folder)
    if Path(folder).is_symlink() and not Path(folder).exists():
        raise UsageError(
            f"{option} {str(folder)!r} points at {os.readlink(folder)}, which is gone: "
            f"point it at the latest version in {versions.name} (ln -sfn), or move the "
            "versions away to start over"
        )
    gone = not Path(folder).exists() and not Path(folder).is_symlink()
    if gone and versions.is_dir() and any(was_shown(p) for p in versions.iterdir()):
        raise UsageError(
            f"{option} {str(folder)!r} is gone but {versions} holds its versions: "
            f"restore it (ln -s {versions.name}/<latest> {Path(folder).name}) or move the "
            "versions away to start over"
        )


def check_versions(folder: Path, option: str) -> None:
    """Exit 2 when the versions folder beside ``folder`` is not a folder, or holds a version
    shown after the one ``folder`` shows now (``swap.was_shown``: a symlink rolled back, or
    a plain copy put in its place): the next switch would remove it, and with it every
    release and correction it showed."""
    versions = versions_dir(folder)
    if versions.is_symlink() or (versions.exists() and not versions.is_dir()):
        raise UsageError(
            f"{option} {str(folder)!r}: {versions} is not a folder, yet this tool keeps the "
            "site's versions there: move it away"
        )
    current = live(folder)
    if current is None or not versions.is_dir():
        return
    shown = int(current.name) if current.parent == versions.resolve() else 0
    later = sorted(p.name for p in versions.iterdir() if was_shown(p) and age(p) > (shown, 1))
    if later:
        raise UsageError(
            f"{option} {str(folder)!r} shows {current.name if shown else 'a plain folder'}, "
            f"but {versions.name} holds {later[-1]}, shown after it (a rollback, or a copy put "
            f"in its place): point it at the latest version (ln -sfn {versions.name}/"
            f"{later[-1]} {Path(folder).name}), or keep what it shows: replace it with a "
            "plain copy of itself (cp -rL), then move the versions away"
        )


def _foreign(folder: Path) -> bool:
    """True when ``folder`` exists, is not empty and is not a site (unreadable: False, left
    to the write check, exit 73)."""
    try:
        real = Path(os.path.realpath(folder))
        return real.is_dir() and any(real.iterdir()) and not is_site(folder)
    except OSError:
        return False


def check_target(folder: Path, option: str) -> None:
    """Exit 2 when ``folder`` may never become a site (``--site``) or web root (``--to``)."""
    reason = _refusal(Path(folder))
    if reason is not None:
        raise UsageError(f"{option} {str(folder)!r} {reason}: name a new or empty folder")


def check_managed(folder: Path, option: str) -> None:
    """Exit 2 when ``folder`` lies inside a site, web root or versions folder (``_managed``),
    or is a symlink this tool did not make."""
    reason = _managed(Path(folder))
    if reason is not None:
        raise UsageError(f"{option} {str(folder)!r} {reason}: name a new or empty folder")
    if Path(folder).is_symlink() and not is_site(Path(folder)):
        raise UsageError(
            f"{option} {str(folder)!r} is a symlink this tool did not make (it points "
            "outside its own versions folder): name a new or empty folder"
        )


def check_foreign(folder: Path, option: str) -> None:
    """Exit 2 when ``folder`` holds files but no site built by arms-metrics."""
    if _foreign(Path(folder)):
        raise UsageError(
            f"{option} {str(folder)!r} is a folder that is not empty and holds no site "
            "built by arms-metrics: name a new or empty folder"
        )


def _apart(first: Path, first_option: str, others: list[tuple[Path, str]]) -> None:
    """Exit 2 naming both options when ``first`` (or a path it owns) overlaps another."""
    for other, option in others:
        for mine in owned(first):
            if overlap(mine, other):
                raise UsageError(
                    f"{first_option} {first} and {option} {other} overlap "
                    f"({mine} is, holds or is inside {other}): name folders apart"
                )


def check_apart(input_dir: Path, site_dir: Path, work_dir: Path) -> None:
    """The site (with its versions and lock) apart from the input and the work folder (with
    its lock): ``diff``, which only reads the site, writes its work folder."""
    check_plain(site_dir, "--site")
    check_plain(work_dir, "--work")
    others = [(input_dir, "--input"), (work_dir, "--work"), (lock_path(work_dir), "--work")]
    _apart(site_dir, "--site", others)
    check_work(work_dir)


def _holds_records(folder: Path, suffix: str) -> bool:
    """True when ``folder``'s versions carry records ending in ``suffix``: ``PUBLISHED``,
    a web root publish switched; ``BUILT``, a site runs switched."""
    versions = versions_dir(folder)
    return versions.is_dir() and any(p.name.endswith(suffix) for p in versions.iterdir())


def check_role(site_dir: Path) -> None:
    """Exit 2 when a web root (its versions carry ``publish``'s records) is named as a site:
    a run would write into what is served, past the embargo."""
    if _holds_records(site_dir, PUBLISHED):
        raise UsageError(
            f"--site {str(site_dir)!r} is a web root (publish copies sites there): build "
            "into the site, then publish it"
        )


def check_run(input_dir: Path, site_dir: Path, work_dir: Path) -> None:
    """``run``: a folder that may become a site, apart from the input and the work folder."""
    check_target(site_dir, "--site")
    check_apart(input_dir, site_dir, work_dir)
    check_managed(site_dir, "--site")
    check_foreign(site_dir, "--site")
    check_not_lost(site_dir, "--site")
    check_versions(site_dir, "--site")
    check_role(site_dir)


def check_publish(site_dir: Path, webroot: Path) -> None:
    """``publish``: the web root (with its versions and lock) apart from the site (with
    its versions and lock), and a folder that may become a web root."""
    check_plain(site_dir, "--site")
    check_plain(webroot, "--to")
    check_target(webroot, "--to")
    _apart(webroot, "--to", [(path, "--site") for path in owned(site_dir)])
    check_managed(webroot, "--to")
    check_foreign(webroot, "--to")
    check_not_lost(webroot, "--to")
    check_versions(webroot, "--to")
    check_role(site_dir)
    if _holds_records(webroot, BUILT):
        raise UsageError(
            f"--to {str(webroot)!r} is a site (runs build there): publish to a web root of its own"
        )
