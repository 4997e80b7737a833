"""Where the review pack may be written: never in a site (exit 77), nor in the input."""

from __future__ import annotations

import os
from pathlib import Path

from arms_metrics.errors import Refused, UsageError
from arms_metrics.publication import paths

DEFAULT_SITE = Path("site")  # the site ``run`` builds when no --site is given


def _forms(folder: Path) -> list[Path]:
    """``folder`` as written (absolute, ``..`` folded) and with its symlinks resolved."""
    return [Path(os.path.abspath(folder)), Path(os.path.realpath(folder))]


def _within(folder: Path, other: Path) -> bool:
    """True when ``folder`` is ``other`` or lies inside it, in any form of either."""
    return any(f == o or o in f.parents for f in _forms(folder) for o in _forms(other))


def _site_above(folder: Path) -> Path | None:
    """The built site (or site versions folder) ``folder`` is or lies in, else None."""
    for form in _forms(folder):
        for above in (form, *form.parents):
            versions = above.name.startswith(".") and above.name.endswith(".versions")
            if versions or paths.is_site(above):
                return above
    return None


def check_out(out_dir: Path, site_dirs: list[Path], input_dir: Path) -> None:
    """Exit 77 when ``out_dir`` is or lies in a built site, a site's versions, or one of
    ``site_dirs`` (the configured and the default site, built or not); exit 2 when it is
    or lies in the input folder."""
    for site in site_dirs:
        if _within(out_dir, site):
            raise Refused(
                f"--out {str(out_dir)!r} is in the site folder {str(site)!r}: the review pack "
                "is internal and is never written into a site; name a folder apart"
            )
    site = _site_above(out_dir)
    if site is not None:
        raise Refused(
            f"--out {str(out_dir)!r} is in {site}, a built site: the review pack is internal "
            "and is never written into a site; name a folder apart"
        )
    if _within(out_dir, input_dir):
        raise UsageError(f"--out {str(out_dir)!r} is in --input {str(input_dir)!r}: name a "
                         "folder apart")  # fmt: skip
