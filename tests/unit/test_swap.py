"""Versions of a site: a crash leaves versions that were never shown, and the next switch
must neither keep one of them as "the version before" nor remove the one a reader may be
reading (an outside tester's finding: faults at publish-copy, publish-swap and
publish-cleanup in turn, then a rerun, removed the previous live version)."""

from __future__ import annotations

import os

from arms_metrics.publication import swap


def _version(folder, name: str, text: str, shown: bool = False) -> None:
    """A version; one that was shown has a web root's record beside it (written just after
    the switch to it), one a run or publish built and never switched to has none."""
    (folder / name).mkdir(parents=True)
    (folder / name / "index.html").write_text(text)
    if shown:
        (folder / f"{name}.files.json").write_text("{}")


def test_versions_never_shown_are_pruned_and_the_one_shown_before_is_kept(tmp_path) -> None:
    site, folder = tmp_path / "www", tmp_path / ".www.versions"
    _version(folder, "000001", "live", shown=True)
    site.symlink_to(".www.versions/000001")
    _version(folder, "000002", "copy killed before the switch")
    _version(folder, "000003", "killed at the switch")
    fresh = swap.new_version(site)
    assert fresh.name == "000002" and (fresh / "index.html").read_text() == "live"
    assert sorted(p.name for p in folder.iterdir()) == ["000001", "000001.files.json", "000002"]
    before = swap.switch(site, fresh)
    assert before == folder / "000001" and os.readlink(site) == ".www.versions/000002"
    swap.clean(site, None)  # a rerun after a kill at cleanup: "before" is 000001
    assert sorted(p.name for p in folder.iterdir()) == ["000001", "000001.files.json", "000002"]


def test_with_no_site_yet_every_numbered_version_is_an_orphan(tmp_path) -> None:
    site, folder = tmp_path / "site", tmp_path / ".site.versions"
    _version(folder, "000001", "never shown")
    (folder / "000002-before").mkdir()  # a plain site exchanged earlier: kept
    fresh = swap.new_version(site)
    assert fresh.name == "000001" and not (fresh / "index.html").exists()
    assert sorted(p.name for p in folder.iterdir()) == ["000001", "000002-before"]


def test_a_version_shown_after_the_live_one_is_never_pruned(tmp_path) -> None:
    # The site rolled back to 000001 while 000002 (with its record) was shown after it:
    # not an orphan. ``paths.check_versions`` refuses such a site first; the pruning keeps
    # it all the same, and numbers the fresh version after it.
    site, folder = tmp_path / "www", tmp_path / ".www.versions"
    _version(folder, "000001", "rolled back to", shown=True)
    _version(folder, "000002", "shown after it", shown=True)
    site.symlink_to(".www.versions/000001")
    fresh = swap.new_version(site)
    assert fresh.name == "000003" and (fresh / "index.html").read_text() == "rolled back to"
    assert (folder / "000002" / "index.html").read_text() == "shown after it"
