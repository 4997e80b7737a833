"""One run at a time per site: an exclusive lock on a file beside the site folder.

The lock is ``flock(2)`` on ``.<name>.lock`` next to the folder (``site`` -> ``.site.lock``),
taken without waiting. ``run`` locks its site and its work folder (two runs sharing a work
folder would overwrite each other's staging site): a second run fails at once with exit 75
naming the holder, whose pid and start time the file holds while the lock is held. The
kernel releases the lock when its process ends, however it ends, so the lock of a dead
process is stale by construction and the next run takes it over. The file is never removed
(a removed lock file lets two runs lock two different files); it is emptied on release.
Local file systems only: ``flock`` is not reliable over NFS.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from arms_metrics.errors import CannotCreate, TryLater


def lock_path(folder: Path) -> Path:
    """``.<name>.lock`` beside ``folder`` (``site`` -> ``.site.lock``)."""
    folder = Path(os.path.abspath(folder))
    return folder.parent / f".{folder.name}.lock"


def _holder(handle: int) -> str:
    """The holder's line from the lock file, as written by ``_claim``."""
    os.lseek(handle, 0, os.SEEK_SET)
    text = os.read(handle, 200).decode("utf-8", "replace").strip()
    return text or "pid unknown"


def _claim(handle: int) -> None:
    started = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    os.ftruncate(handle, 0)
    os.pwrite(handle, f"pid {os.getpid()}, started {started}\n".encode(), 0)
    os.fsync(handle)


@contextmanager
def site_lock(folder: Path, option: str = "--site") -> Iterator[Path]:
    """Hold ``folder``'s lock for the ``with`` block; exit 75 at once when another run holds
    it (``option`` names the folder's option in messages)."""
    path = lock_path(folder)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        msg = f"{option} {folder}: cannot create the lock {path} ({exc.strerror})"
        raise CannotCreate(msg) from None
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise TryLater(
                f"{option} {folder} is locked by another run or publish ({_holder(handle)}; "
                f"lock {path}): try again when it has finished"
            ) from None
        _claim(handle)
        try:
            yield path
        finally:
            os.ftruncate(handle, 0)
            fcntl.flock(handle, fcntl.LOCK_UN)
    finally:
        os.close(handle)
