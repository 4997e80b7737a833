"""A tiny site for the publication tests: the sample's congressional notifications alone
(70 records, exempt from disclosure control), so one ``pipeline.run`` in the test process
takes about a second."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from arms_metrics import pipeline
from arms_metrics.publication import swap
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


def copy_site(source: Path, target: Path, record: bool = True) -> Path:
    """The site symlink and its versions, copied as they are (links kept); without the
    record of what the live version's run built when ``record`` is false (a copy, whose
    own checks are then the first to see an edit)."""
    target.mkdir(parents=True, exist_ok=True)
    for name in ("site", ".site.versions"):
        if (source / name).is_symlink():
            (target / name).symlink_to(os.readlink(source / name))
        else:
            shutil.copytree(source / name, target / name, symlinks=True)
    if not record:
        swap.built_record((target / "site").resolve()).unlink()
    return target
