"""Never backwards: an older quarter built into a live site writes only its own folder."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from arms_metrics.publication import swap
from tests.e2e.tiny_site import LATEST, NEWER, OLDER, copy_site, run, tiny_input


@pytest.fixture(scope="module")
def inputs(tmp_path_factory) -> Path:
    return tiny_input(tmp_path_factory.mktemp("forward") / "input")


@pytest.fixture(scope="module")
def live(tmp_path_factory, inputs) -> Path:
    """A site holding FY2026-Q3 and FY2026-Q4, the latest."""
    root = tmp_path_factory.mktemp("live")
    assert run(root, LATEST, inputs).changed and run(root, NEWER, inputs).changed
    return root


def latest_periods(site: Path) -> set[str]:
    text = (site / "data/indicators.csv").read_text(encoding="utf-8")
    return {row["period"] for row in csv.DictReader(io.StringIO(text))}


def test_an_older_quarter_writes_only_its_own_release_folder(live, inputs, tmp_path) -> None:
    root = copy_site(live, tmp_path)
    before = swap.tree_digest(root / "site")
    assert run(root, OLDER, inputs).changed
    after = swap.tree_digest(root / "site")
    own = f"releases/{OLDER}/"
    assert {k: v for k, v in after.items() if not k.startswith(own)} == before
    assert f"{own}index.html" in after and f"{own}data/indicators.csv" in after
    assert f"{own}manifest.json" in after
    assert max(latest_periods(root / "site")) == NEWER  # data/ still the latest release's
    front = (root / "site/index.html").read_text(encoding="utf-8")
    assert f'href="releases/{NEWER}/index.html"' in front and f"Release {NEWER}" in front


def test_the_older_release_holds_only_its_own_quarters(live, inputs, tmp_path) -> None:
    root = copy_site(live, tmp_path)
    run(root, OLDER, inputs)
    text = (root / f"site/releases/{OLDER}/data/indicators.csv").read_text(encoding="utf-8")
    assert max(row["period"] for row in csv.DictReader(io.StringIO(text))) == OLDER


def test_rebuilding_a_published_older_release_unchanged_changes_no_file(
    live, inputs, tmp_path
) -> None:
    root = copy_site(live, tmp_path)
    before = swap.tree_digest(root / "site")
    assert not run(root, LATEST, inputs).changed
    assert swap.tree_digest(root / "site") == before
    assert sorted(p.name for p in (root / ".site.versions").iterdir()) == ["000001", "000002"]
