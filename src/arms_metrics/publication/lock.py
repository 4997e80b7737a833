"""One run at a time per site: an exclusive lock on a file beside the site folder.

The lock is ``flock(2)`` on ``.<site name>.lock`` next to the site (``site`` ->
``.site.lock``), taken without waiting: a second run fails at once with exit 75 naming the
holder, whose pid and start time the file holds while the lock is held. The kernel
releases the lock when its process ends, however it ends, so the lock of a dead process
is stale by construction and the next run takes it over. The file is never removed (a
removed lock file lets two runs lock two different files); it is emptied on release.
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


def lock_path(site_dir: Path) -> Path:
    """``.<name>.lock`` beside ``site_dir`` (``site`` -> ``.site.lock``)."""
    site_dir = Path(os.path.abspath(site_dir))
    return site_dir.parent / f".{site_dir.name}.lock"


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
def site_lock(site_dir: Path) -> Iterator[Path]:
    """Hold the site's lock for the ``with`` block; exit 75 at once when another run holds it."""
    path = lock_path(site_dir)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        msg = f"--site {site_dir}: cannot create the lock {path} ({exc.strerror})"
        raise CannotCreate(msg) from None
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise TryLater(
                f"{site_dir} is locked by another run ({_holder(handle)}; lock {path}): "
                "try again when it has finished"
            ) from None
        _claim(handle)
        try:
            yield path
        finally:
            os.ftruncate(handle, 0)
            fcntl.flock(handle, fcntl.LOCK_UN)
    finally:
        os.close(handle)
