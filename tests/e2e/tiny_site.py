"""A tiny site for the publication tests: the sample's congressional notifications alone
(70 records, exempt from disclosure control), so one ``pipeline.run`` in the test process
takes about a second."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from arms_metrics import pipeline
from tests.conftest import SAMPLE_DATA

OLDER, LATEST, NEWER = "FY2026-Q2", "FY2026-Q3", "FY2026-Q4"


def tiny_input(folder: Path) -> Path:
    folder.mkdir(parents=True)
    shutil.copy(SAMPLE_DATA / "congressional_notifications.csv", folder)
    shutil.copy(SAMPLE_DATA / "extract.toml", folder)
    return folder


def run(root: Path, quarter: str, inputs: Path, **options) -> pipeline.RunResult:
    """``arms-metrics run`` into ``root/site`` and ``root/work``, in the test process."""
    return pipeline.run(inputs, root / "site", root / "work", quarter, **options)


def copy_site(source: Path, target: Path) -> Path:
    """The site symlink and its versions, copied as they are (links kept)."""
    target.mkdir(parents=True, exist_ok=True)
    for name in ("site", ".site.versions"):
        if (source / name).is_symlink():
            (target / name).symlink_to(os.readlink(source / name))
        else:
            shutil.copytree(source / name, target / name, symlinks=True)
    return target
