"""publication.forward: which files of a build reach the site (lists written by hand)."""

from __future__ import annotations

from pathlib import Path

import pytest

from arms_metrics.publication import forward
from arms_metrics.quarters import Quarter

Q3 = Quarter.parse("FY2026-Q3")
STAGING = [
    "index.html",
    "corrections.html",
    "data/indicators.csv",
    "data/corrections.csv",
    "indicators/cn_notifications.html",
    "releases/FY2026-Q3/index.html",
    "releases/FY2026-Q3/data/indicators.csv",
]


@pytest.fixture
def staging(tmp_path: Path) -> Path:
    for rel in STAGING:
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(rel)
    return tmp_path


@pytest.mark.parametrize(
    ("published", "expected"),
    [
        ([], True),
        (["FY2026-Q2"], True),
        (["FY2026-Q2", "FY2026-Q3"], True),  # the latest itself: a rerun
        (["FY2026-Q3", "FY2026-Q4"], False),
    ],
)
def test_forward_only_for_the_latest_or_newer(published, expected) -> None:
    assert forward.is_forward(Q3, [Quarter.parse(p) for p in published]) is expected


def test_a_forward_build_takes_everything(staging) -> None:
    assert forward.files_to_take(staging, Q3, forward=True, keep_release=False) == sorted(STAGING)


def test_an_older_build_takes_its_release_folder_and_the_corrections_log(staging) -> None:
    assert forward.files_to_take(staging, Q3, forward=False, keep_release=False) == [
        "corrections.html",
        "data/corrections.csv",
        "releases/FY2026-Q3/data/indicators.csv",
        "releases/FY2026-Q3/index.html",
    ]


def test_a_kept_release_folder_is_never_taken(staging) -> None:
    assert forward.files_to_take(staging, Q3, forward=False, keep_release=True) == [
        "corrections.html",
        "data/corrections.csv",
    ]
    taken = forward.files_to_take(staging, Q3, forward=True, keep_release=True)
    assert [t for t in taken if t.startswith("releases/")] == []


def test_take_replaces_the_release_folder_whole(staging, tmp_path_factory) -> None:
    version = tmp_path_factory.mktemp("version")
    stale = version / "releases/FY2026-Q3/stale.csv"
    stale.parent.mkdir(parents=True)
    stale.write_text("from the first build")
    (version / "index.html").write_text("latest front page")
    assert forward.take(staging, version, Q3, forward=False, keep_release=False) == 4
    assert not stale.exists()
    assert (version / "index.html").read_text() == "latest front page"
    assert (
        version / "releases/FY2026-Q3/index.html"
    ).read_text() == "releases/FY2026-Q3/index.html"
