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


def rekeyed_input(inputs: Path, folder: Path) -> Path:
    """A copy of ``inputs`` with notification 26-07 (FY2026-Q3) keyed as $363,000,000
    instead of $362,000,000: four published figures of FY2026-Q3 change."""
    shutil.copytree(inputs, folder)
    path = folder / "congressional_notifications.csv"
    text = path.read_text(encoding="utf-8")
    assert text.count(",362000000\n") == 1
    path.write_text(text.replace(",362000000\n", ",363000000\n"), encoding="utf-8")
    return folder
