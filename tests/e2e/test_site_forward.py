"""Never backwards: an older quarter built into a live site writes only its own folder."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
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
    listing = "releases/index.html"  # the list of releases: site-wide, written by every build
    assert {k: v for k, v in after.items() if not k.startswith(own) and k != listing} == {
        k: v for k, v in before.items() if k != listing
    }
    assert f"{own}index.html" in after and f"{own}data/indicators.csv" in after
    assert after[listing] != before[listing]
    listed = (root / "site" / listing).read_text(encoding="utf-8")
    links = re.findall(r'<th scope="row"><a href="(FY\d{4}-Q\d)/index.html">', listed)
    assert links == [NEWER, LATEST, OLDER]  # newest first, the older one linked at once
    assert f"{NEWER}</a> (latest)" in listed and f"Release {NEWER}, published" in listed
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
    assert sorted(p.name for p in (root / ".site.versions").iterdir()) == [
        "000001", "000001.built.json", "000002", "000002.built.json"
    ]  # fmt: skip


def test_a_release_built_before_an_older_one_is_not_rewritten_by_its_rerun(
    inputs, tmp_path
) -> None:
    """FY2026-Q4 published first (nothing to revise), FY2026-Q2 built into the site later:
    rerunning FY2026-Q4 and FY2026-Q2 then changes no file, since what a release says is
    revised, and against which release, is fixed when it is first published."""
    root = tmp_path / "root"
    assert run(root, NEWER, inputs).changed
    first = (root / f"site/releases/{NEWER}/data/indicators.csv").read_bytes()
    assert run(root, OLDER, inputs).changed
    settled = swap.tree_digest(root / "site")
    assert not run(root, NEWER, inputs).changed and not run(root, OLDER, inputs).changed
    assert swap.tree_digest(root / "site") == settled
    assert (root / "site/data/indicators.csv").read_bytes() == first
    revisions = (root / "site/revisions.html").read_text(encoding="utf-8")
    assert f"Release {NEWER} was the first release published" in revisions
    manifest = json.loads((root / f"site/releases/{NEWER}/manifest.json").read_text())
    assert manifest["revised_against"] is None
    # a release built after both is measured against the latest before it, FY2026-Q4
    later = "FY2027-Q1"
    assert run(root, later, inputs, today=dt.date(2027, 3, 1)).changed
    manifest = json.loads((root / f"site/releases/{later}/manifest.json").read_text())
    assert manifest["revised_against"] == NEWER


def test_an_older_release_manifest_lists_only_what_it_published(live, inputs, tmp_path) -> None:
    root = copy_site(live, tmp_path)
    run(root, OLDER, inputs)
    site = root / "site"
    manifest = json.loads((site / f"releases/{OLDER}/manifest.json").read_text())
    paths = [o["path"] for o in manifest["outputs"]]
    assert paths and all(p.startswith(f"releases/{OLDER}/") for p in paths), paths
    for output in manifest["outputs"]:  # every hash is the file's in the site
        assert swap.tree_digest(site)[output["path"]] == output["sha256"], output["path"]
