"""The record of what a run built: every edit made in a site since is refused, and no run
carries one into the record of the next version; a site without a record gains one.

The tiny site (``tiny_site.py``) publishes FY2026-Q3 and FY2026-Q4, then corrects FY2026-Q3
(notification 26-07 keyed again as $363,000,000, as ``test_site_corrections.py``). Each
version a run switched to has ``<n>.built.json`` beside it, written just after the switch;
``publish`` copies a site only when its live version holds exactly that.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from arms_metrics import cli, faults
from arms_metrics.publication import swap
from tests.conftest import arms_metrics
from tests.e2e.tiny_site import (
    LATEST,
    NEWER,
    OLDER,
    copy_site,
    rekeyed_input,
    run,
    tiny_input,
)

REASON = "Notification 26-07 was keyed as $362 million; the transmittal says $363 million."
NOW = "2026-12-01T00:00Z"  # past both releases' embargoes


@pytest.fixture(scope="module")
def inputs(tmp_path_factory) -> Path:
    return tiny_input(tmp_path_factory.mktemp("records") / "input")


@pytest.fixture(scope="module")
def uncorrected(tmp_path_factory, inputs) -> Path:
    """FY2026-Q3 and FY2026-Q4 published: an empty corrections log."""
    root = tmp_path_factory.mktemp("uncorrected")
    assert run(root, LATEST, inputs).changed and run(root, NEWER, inputs).changed
    return root


@pytest.fixture(scope="module")
def corrected(tmp_path_factory, inputs) -> Path:
    """FY2026-Q3 and FY2026-Q4 published, then FY2026-Q3 corrected: a log of one row."""
    root = tmp_path_factory.mktemp("corrected")
    rekeyed = rekeyed_input(inputs, root / "rekeyed")
    assert run(root, LATEST, inputs).changed and run(root, NEWER, inputs).changed
    assert run(root, LATEST, rekeyed, today=dt.date(2026, 11, 30), correction=REASON).changed
    return root


def cli_run(root: Path, quarter: str, inputs: Path) -> int:
    return cli.main(["run", "--input", str(inputs), "--quarter", quarter,
                     "--site", str(root / "site"), "--work", str(root / "work")])  # fmt: skip


def cli_publish(site: Path, webroot: Path) -> int:
    return cli.main(["publish", "--site", str(site), "--to", str(webroot), "--now", NOW])


def _edit(site: Path, rel: str, old: str, new: str) -> None:
    path = site / rel
    text = path.read_bytes().decode()  # line ends as written
    assert text.count(old) >= 1, rel
    path.write_bytes(text.replace(old, new).encode())


EDITS = {  # each a change no run made; the first three are files later runs rewrite
    "corrections.html": ("corrections.html", "transmittal", "cable"),
    "log": ("data/corrections.csv", "transmittal", "cable"),
    "releases": ("releases/index.html", "FY2026-Q3", "FY2026-Q2"),
    "older page": (f"releases/{LATEST}/index.html", "FY2026-Q3", "FY2026-Q2"),
}


@pytest.mark.parametrize("quarter", [NEWER, LATEST, OLDER])
@pytest.mark.parametrize("edit", [*EDITS, "added", "removed"])
def test_a_run_into_a_site_edited_since_its_run_is_refused(
    corrected, inputs, tmp_path, capsys, edit, quarter
) -> None:
    """Whatever the run would build (the latest release again, an older one, a new older
    quarter), a file edited, added or removed in the site since its run built it is exit
    77, naming it, and the site is left as it was."""
    root = copy_site(corrected, tmp_path)
    site = root / "site"
    if edit == "added":
        (site / "data" / "notes.txt").write_text("not from a run\n", encoding="utf-8")
        rel = "data/notes.txt"
    elif edit == "removed":
        rel = f"releases/{NEWER}/data/indicators.csv"
        (site / rel).unlink()
    else:
        rel = EDITS[edit][0]
        _edit(site, *EDITS[edit])
    before = swap.tree_digest(site)
    assert cli_run(root, quarter, inputs) == 77
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert f"{rel} was added, changed or removed since its run built it" in err, err
    assert swap.tree_digest(site) == before


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("transmittal", "cable"),  # the reason
        ("2026-11-30,", "2026-11-29,"),  # the date
        (",4\r\n", ",3\r\n"),  # the count of figures
    ],
)
def test_a_log_edited_in_a_copy_disagrees_with_the_manifest(
    corrected, inputs, tmp_path, capsys, old, new
) -> None:
    """A copy has no record; its log must say what the corrected release's manifest
    records of each correction, or run and publish are exit 77 naming the log."""
    root = copy_site(corrected, tmp_path, record=False)
    _edit(root / "site", "data/corrections.csv", old, new)
    before = swap.tree_digest(root / "site")
    assert cli_run(root, NEWER, inputs) == 77
    assert cli_publish(root / "site", tmp_path / "www") == 77
    err = capsys.readouterr().err
    assert err.count("\n") == 2 and "Traceback" not in err
    assert f"correction 1 of {LATEST} is not what its manifest.json records" in err, err
    assert swap.tree_digest(root / "site") == before and not (tmp_path / "www").exists()


@pytest.mark.parametrize("logged", [True, False])
@pytest.mark.parametrize("page", ["corrections.html", "releases/index.html"])
def test_a_page_edited_in_a_copy_is_rewritten_not_carried(
    corrected, uncorrected, inputs, tmp_path, page, logged
) -> None:
    """The pages later runs rewrite (the corrections page, the list of releases) are not
    in any manifest's hash: in a copy (no record), every run rewrites them as built, so
    the record it writes never holds an edit, with a correction logged or none. The run:
    FY2026-Q3 rebuilt from the extract it was last built from, unchanged (a build of an
    older quarter, which takes its own folder only when it changes)."""
    source, extract = (corrected, corrected / "rekeyed") if logged else (uncorrected, inputs)
    root = copy_site(source, tmp_path, record=False)
    site = root / "site"
    as_built = (site / page).read_bytes()
    _edit(site, page, "</main>", "<p>Every figure was withdrawn.</p></main>")
    assert cli_run(root, LATEST, extract) == 0
    assert (site / page).read_bytes() == as_built
    assert swap.read_record(swap.built_record(site.resolve())) == swap.tree_digest(site)
    assert cli_publish(site, tmp_path / "www") == 0


def test_an_unchanged_run_into_a_plain_copy_gains_the_record(corrected, inputs, tmp_path):
    """A plain copy (cp -rL) has no record, so publish refuses it; an unchanged run into
    it changes no file's bytes but switches it to a version with its record, and then it
    can be published."""
    root = tmp_path / "plain"
    root.mkdir()
    shutil.copytree(corrected / "site", root / "site")  # symlinks followed: a plain folder
    assert cli_publish(root / "site", tmp_path / "www") == 77
    before = swap.tree_digest(root / "site")
    assert cli_run(root, NEWER, inputs) == 0
    assert swap.tree_digest(root / "site") == before  # every file's sha256 unchanged
    assert (root / "site").is_symlink()
    assert swap.read_record(swap.built_record((root / "site").resolve())) == before
    assert cli_publish(root / "site", tmp_path / "www") == 0
    assert swap.tree_digest(tmp_path / "www") == before


def test_a_run_stopped_before_writing_its_record_is_completed_by_the_next(
    corrected, inputs, tmp_path
) -> None:
    """The record is written just after the switch: a run stopped between the two leaves
    the site whole but unpublishable; the next run, unchanged, writes the record."""
    root = copy_site(corrected, tmp_path)
    live = (root / "site").resolve()
    swap.built_record(live).unlink()  # as a run killed just after its switch leaves it
    before = swap.tree_digest(root / "site")
    assert cli_run(root, NEWER, inputs) == 0
    assert swap.tree_digest(root / "site") == before
    assert swap.read_record(swap.built_record((root / "site").resolve())) == before
    assert cli_publish(root / "site", tmp_path / "www") == 0


@pytest.mark.parametrize("step", ["publish-copy", "publish-swap"])
def test_a_first_run_killed_before_its_switch_is_rerun(inputs, tmp_path, step) -> None:
    """The first run into a new site, killed before its switch, leaves no site and one
    version no reader saw: the rerun removes it and builds the site."""
    done = arms_metrics(
        "run", "--input", str(inputs), "--quarter", LATEST,
        "--site", str(tmp_path / "site"), "--work", str(tmp_path / "work"),
        env={faults.VARIABLE: step},
    )  # fmt: skip
    assert done.returncode == faults.KILLED, done.stderr
    assert not (tmp_path / "site").exists()
    assert cli_run(tmp_path, LATEST, inputs) == 0
    assert sorted(p.name for p in (tmp_path / ".site.versions").iterdir()) == [
        "000001", "000001.built.json"
    ]  # fmt: skip


@pytest.mark.parametrize("step", ["publish-copy", "publish-swap"])
def test_a_first_publish_killed_before_its_switch_is_rerun(corrected, tmp_path, step) -> None:
    """Likewise the first publish to a new web root."""
    www = tmp_path / "www"
    done = arms_metrics(
        "publish", "--site", str(corrected / "site"), "--to", str(www), "--now", NOW,
        env={faults.VARIABLE: step},
    )  # fmt: skip
    assert done.returncode == faults.KILLED, done.stderr
    assert not www.exists()
    assert cli_publish(corrected / "site", www) == 0
    assert swap.tree_digest(www) == swap.tree_digest(corrected / "site")
    assert sorted(p.name for p in (tmp_path / ".www.versions").iterdir()) == [
        "000001", "000001.files.json"
    ]  # fmt: skip


@pytest.mark.parametrize("kept", ["000002", "000003-before"])
def test_a_lost_site_with_a_version_it_showed_is_still_refused(
    corrected, inputs, tmp_path, capsys, kept
) -> None:
    """Only versions never shown are no reason to refuse: when the site's symlink is
    deleted and its versions folder holds one it showed (with its record, or the plain
    folder it once was), starting over would drop every release it showed (exit 2)."""
    root = copy_site(corrected, tmp_path)
    (root / "site").unlink()
    versions = root / ".site.versions"
    for path in sorted(versions.iterdir()):  # keep one version only
        if not path.name.startswith("000002"):
            shutil.rmtree(path) if path.is_dir() else path.unlink()
    if kept != "000002":
        (versions / "000002.built.json").unlink()
        (versions / "000002").rename(versions / kept)
    assert cli_run(root, NEWER, inputs) == 2
    err = capsys.readouterr().err
    assert "is gone but" in err and err.count("\n") == 1
    assert not (root / "site").exists() and (versions / kept).is_dir()


@pytest.mark.parametrize("how", ["rolled back", "plain copy"])
def test_versions_shown_after_the_live_one_are_never_removed(
    uncorrected, inputs, tmp_path, capsys, how
) -> None:
    """The site shows version 1 (its symlink rolled back, or a plain copy of it put in its
    place) while version 2 was shown after it: a run would remove version 2 with its
    switch; it is exit 2 naming it, and every version is kept."""
    root = copy_site(uncorrected, tmp_path)
    site, versions = root / "site", root / ".site.versions"
    site.unlink()
    if how == "rolled back":
        site.symlink_to(".site.versions/000001")
    else:
        shutil.copytree(versions / "000001", site)
    kept = sorted(p.name for p in versions.iterdir())
    assert cli_run(root, LATEST, inputs) == 2
    err = capsys.readouterr().err
    assert "holds 000002, shown after it" in err and err.count("\n") == 1, err
    assert sorted(p.name for p in versions.iterdir()) == kept


def test_a_file_edited_in_a_copy_stops_the_run_naming_it(uncorrected, inputs, tmp_path, capsys):
    """A copy has no record, so a run checks it against its releases' manifests: an
    edited page of a release it keeps as first published is exit 77 naming it, before the
    run could record it (after which no run would rewrite it, nor publish take it)."""
    root = copy_site(uncorrected, tmp_path, record=False)
    rel = f"releases/{LATEST}/index.html"
    _edit(root / "site", rel, "FY2026-Q3", "FY2026-Q2")
    before = swap.tree_digest(root / "site")
    assert cli_run(root, LATEST, inputs) == 77
    err = capsys.readouterr().err
    assert f"{rel} differs from what its release wrote" in err and "restore it" in err, err
    assert swap.tree_digest(root / "site") == before


def test_an_unreadable_manifest_is_named_not_the_log(corrected, tmp_path, capsys) -> None:
    """A corrected release's manifest cut short: run and publish name the manifest (the
    log is right)."""
    root = copy_site(corrected, tmp_path, record=False)
    manifest = root / "site" / "releases" / LATEST / "manifest.json"
    manifest.write_bytes(manifest.read_bytes()[:100])
    assert cli_run(root, NEWER, corrected / "rekeyed") == 77
    assert cli_publish(root / "site", tmp_path / "www") == 77
    run_err, publish_err = capsys.readouterr().err.splitlines()
    assert f"releases/{LATEST}/manifest.json is gone" in run_err, run_err
    assert f"releases/{LATEST}/manifest.json is gone or unreadable" in publish_err
    assert "corrections.csv logs" not in run_err + publish_err


def test_a_versions_path_that_is_a_file_is_a_usage_error(inputs, tmp_path, capsys) -> None:
    (tmp_path / ".site.versions").write_text("", encoding="utf-8")
    assert cli_run(tmp_path, LATEST, inputs) == 2
    err = capsys.readouterr().err
    assert ".site.versions is not a folder" in err and err.count("\n") == 1, err
    assert not (tmp_path / "site").exists()


def test_a_symlink_in_a_recorded_site_stops_the_run(uncorrected, inputs, tmp_path, capsys):
    root = copy_site(uncorrected, tmp_path)
    (tmp_path / "secret").mkdir()
    (root / "site" / "assets" / "x").symlink_to(tmp_path / "secret")
    assert cli_run(root, LATEST, inputs) == 77
    err = capsys.readouterr().err
    assert "symlink(s) or empty folder(s) no run wrote (first: assets/x)" in err, err


def test_the_plain_web_root_kept_by_a_killed_publish_survives_the_rerun(
    uncorrected, tmp_path
) -> None:
    """A first publish over a plain web-root folder exchanges it with the symlink and keeps
    it as ``000001-before`` (a reader may still be reading it). Killed before its cleanup,
    the rerun (nothing left to copy) keeps it too."""
    www = tmp_path / "www"  # FY2026-Q3 alone, copied by hand before 0.2
    shutil.copytree(uncorrected / ".site.versions" / "000001", www)
    done = arms_metrics(
        "publish", "--site", str(uncorrected / "site"), "--to", str(www), "--now", NOW,
        env={faults.VARIABLE: "publish-cleanup"},
    )  # fmt: skip
    assert done.returncode == faults.KILLED, done.stderr
    assert cli_publish(uncorrected / "site", www) == 0
    assert sorted(p.name for p in (tmp_path / ".www.versions").iterdir()) == [
        "000001", "000001-before", "000001.files.json"
    ]  # fmt: skip


def test_a_log_row_of_a_release_the_site_lacks_is_refused(corrected, inputs, tmp_path, capsys):
    """A correction logged of a release the site does not hold (made up, or its folder
    deleted) would reach the web root's log: run and publish are exit 77 naming it."""
    root = copy_site(corrected, tmp_path, record=False)
    log = root / "site" / "data" / "corrections.csv"
    log.write_bytes(log.read_bytes() + b"2026-11-30,FY2019-Q1,Figures withdrawn,9\r\n")
    assert cli_run(root, NEWER, inputs) == 77
    assert cli_publish(root / "site", tmp_path / "www") == 77
    err = capsys.readouterr().err
    assert err.count("logs a correction of FY2019-Q1, which the site does not hold") == 2, err
    assert not (tmp_path / "www").exists()


def test_a_copy_without_a_release_it_was_revised_against_is_refused(
    uncorrected, inputs, tmp_path, capsys
) -> None:
    """FY2026-Q4 was revised against FY2026-Q3 (its manifest says so): a copy whose
    FY2026-Q3 folder is deleted is cut short, which no manifest of FY2026-Q3's own can
    show; run and diff are exit 77 naming it (publish refuses the copy before: it has no
    record of its run)."""
    root = copy_site(uncorrected, tmp_path, record=False)
    shutil.rmtree(root / "site" / "releases" / LATEST)
    assert cli_run(root, NEWER, inputs) == 77
    argv = ["diff", "--quarter", NEWER, "--input", str(inputs), "--site", str(root / "site"),
            "--work", str(tmp_path / "diff-work")]  # fmt: skip
    assert cli.main(argv) == 77
    assert cli_publish(root / "site", tmp_path / "www") == 77
    err = capsys.readouterr().err
    said = f"{NEWER} was revised against {LATEST}, whose release folder is gone"
    assert err.count(said) == 2 and "has no record of what its run built" in err, err


def test_diff_on_a_site_edited_since_its_run_is_refused(uncorrected, inputs, tmp_path, capsys):
    """diff compares with what the site published: a figure edited since would be reported
    as published; exit 77 naming the file, as run."""
    root = copy_site(uncorrected, tmp_path)
    rel = f"releases/{NEWER}/data/indicators.csv"
    _edit(root / "site", rel, ",362000000,", ",352000000,")
    argv = ["diff", "--quarter", NEWER, "--input", str(inputs), "--site", str(root / "site"),
            "--work", str(tmp_path / "diff-work")]  # fmt: skip
    assert cli.main(argv) == 77
    assert f"{rel} was added, changed or removed since its run built it" in capsys.readouterr().err


def test_a_site_is_not_a_web_root(uncorrected, tmp_path, capsys) -> None:
    """publish --to a site would make it a web root and strand it: exit 2, nothing written."""
    other = copy_site(uncorrected, tmp_path / "other")
    before = swap.tree_digest(other / "site")
    assert cli.main(["publish", "--site", str(uncorrected / "site"), "--to",
                     str(other / "site"), "--now", NOW]) == 2  # fmt: skip
    assert "is a site (runs build there)" in capsys.readouterr().err
    assert swap.tree_digest(other / "site") == before


@pytest.mark.parametrize("change", ["page edited", "copy failed"])
def test_a_site_changed_while_a_run_copies_it_is_refused(
    uncorrected, inputs, tmp_path, capsys, monkeypatch, change
) -> None:
    """The run checks the live version before it builds, then copies it into the next
    version: a writer outside the tool that edits the site in between would have its edit
    carried, and recorded as built. The copy is compared with what was checked: exit 77,
    the site as it was. Here the writer acts on the copy itself, just after it is made."""
    root = copy_site(uncorrected, tmp_path)
    before = swap.tree_digest(root / "site")
    original = swap.new_version

    def racing(site, source=None):
        if change == "copy failed":
            raise shutil.Error([(str(site), "gone", "No such file or directory")])
        version = original(site, source)
        page = version / "releases" / LATEST / "index.html"
        page.write_bytes(page.read_bytes() + b"<p>FORGED</p>")
        return version

    monkeypatch.setattr(swap, "new_version", racing)
    assert cli_run(root, LATEST, inputs) == 77
    err = capsys.readouterr().err
    assert "changed while it was copied" in err and err.count("\n") == 1, err
    assert swap.tree_digest(root / "site") == before
    monkeypatch.setattr(swap, "new_version", original)
    assert cli_run(root, LATEST, inputs) == 0  # the next run, left alone: nothing to change
    assert swap.tree_digest(root / "site") == before
