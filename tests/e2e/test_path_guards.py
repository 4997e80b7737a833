"""Issue 14 guards: which folders ``run`` and ``publish`` refuse to write (exit 2, one line),
and ``publish`` never moving a web root backwards (exit 77).

Expected behaviour, by hand: a work folder inside the site, its versions folder or on its
lock would be published; a site equal to or inside the input (or the work folder), or
holding them, would turn them into a site; an empty path, ``/``, the current folder, one
above it, the home folder and a non-empty folder of unrelated files are not sites. A web
root equal to, inside or holding the site, its versions or its lock breaks the live site.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path

import pytest

from arms_metrics import cli
from arms_metrics.publication import swap
from tests.e2e.tiny_site import LATEST, NEWER, copy_site, run, tiny_input

NOW = "2026-12-01T00:00Z"  # after both tiny releases' embargo


@pytest.fixture(scope="module")
def sites(tmp_path_factory) -> dict[str, Path]:
    """Roots holding ``site``: FY2026-Q3 alone; Q3 then Q4; Q3 and Q4 with a correction."""
    inputs = tiny_input(tmp_path_factory.mktemp("guards") / "input")
    first = tmp_path_factory.mktemp("first")
    assert run(first, LATEST, inputs).changed
    both = copy_site(first, tmp_path_factory.mktemp("both"))
    assert run(both, NEWER, inputs).changed
    rekeyed = tmp_path_factory.mktemp("rekeyed") / "input"
    shutil.copytree(inputs, rekeyed)
    path = rekeyed / "congressional_notifications.csv"
    path.write_text(path.read_text().replace(",362000000\n", ",363000000\n"))
    corrected = copy_site(both, tmp_path_factory.mktemp("corrected"))
    assert run(corrected, LATEST, rekeyed, correction="keyed $362m, is $363m").changed
    return {
        "first": first, "both": both, "corrected": corrected, "input": inputs, "rekeyed": rekeyed
    }  # fmt: skip


def one_line_error(capsys, *words: str) -> str:
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err, err
    for word in words:
        assert word in err, err
    return err


def cli_run(inputs: Path, site: str | Path, work: str | Path) -> int:
    argv = ["run", "--input", str(inputs), "--site", str(site), "--work", str(work)]
    return cli.main([*argv, "--quarter", LATEST])


@pytest.mark.parametrize(
    ("site", "work", "inputs", "flag"),
    [
        ("site", "site/work", "input", "--work"),
        ("site", ".site.versions/work", "input", "--work"),
        ("site", ".site.versions", "input", "--work"),
        ("site", ".site.lock", "input", "--work"),
        ("site", "site", "input", "--work"),
        ("site", "work", "site", "--input"),
        ("site", "work", ".site.versions/input", "--input"),
        ("input/site", "work", "input", "--input"),
        ("site", "work", "site/input", "--input"),
        ("work/site", "work", "input", "--work"),
        ("site", "site/..", "input", "--work"),
    ],
)
def test_run_refuses_overlapping_folders(tmp_path, capsys, site, work, inputs, flag) -> None:
    folder = tiny_input(tmp_path / inputs)
    before = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*"))
    assert cli_run(folder, tmp_path / site, tmp_path / work) == 2
    one_line_error(capsys, "--site", flag, "overlap")
    assert sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*")) == before


@pytest.mark.parametrize("work", ["site/work", ".site.versions/work", ".site.lock"])
def test_diff_refuses_a_work_folder_in_the_site(sites, tmp_path, capsys, work):
    root = copy_site(sites["first"], tmp_path / "root")
    shutil.copytree(sites["input"], root / "input")
    before = swap.tree_digest(root)
    argv = ["diff", "--quarter", LATEST, "--input", str(root / "input")]
    assert cli.main([*argv, "--site", str(root / "site"), "--work", str(root / work)]) == 2
    one_line_error(capsys, "--work", "overlap")
    assert swap.tree_digest(root) == before


def test_run_refuses_folders_that_are_not_sites(tmp_path, monkeypatch, capsys) -> None:
    inputs = tiny_input(tmp_path / "input")
    docs = tmp_path / "home" / "mydocs"
    docs.mkdir(parents=True)
    (docs / "letter.txt").write_text("mine")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    (tmp_path / "here").mkdir()
    monkeypatch.chdir(tmp_path / "here")
    refusals = {
        "": "empty or the current folder",
        ".": "empty or the current folder",
        "..": "a folder above it",
        "/": "root of the file system",
        str(tmp_path / "home"): "home folder",
        "~": "home folder",
        str(docs): "holds no site built by arms-metrics",
    }
    for site, reason in refusals.items():
        assert cli_run(inputs, os.path.expanduser(site), tmp_path / "work") == 2, site
        one_line_error(capsys, "--site", reason)
    assert sorted(p.name for p in (tmp_path / "home").iterdir()) == ["mydocs"]
    assert [p.name for p in docs.iterdir()] == ["letter.txt"]


def test_run_still_takes_a_built_site_in_either_layout(sites, tmp_path) -> None:
    root = copy_site(sites["first"], tmp_path / "root")
    assert run(root, NEWER, sites["input"]).changed  # a built site, symlink layout
    plain = tmp_path / "plain"
    shutil.copytree(sites["first"] / "site", plain / "site")  # a site built before 0.2
    assert run(plain, LATEST, sites["input"]).changed is False


def cli_publish(site: Path, webroot: str | Path) -> int:
    return cli.main(["publish", "--site", str(site), "--to", str(webroot), "--now", NOW])


@pytest.mark.parametrize(
    "to",
    [
        "site/../.site.versions",
        ".site.versions",
        ".site.versions/000001",
        ".site.lock",
        "site",
        "site/www",
        ".",
    ],
)
def test_publish_refuses_a_web_root_on_the_site(sites, tmp_path, capsys, to) -> None:
    root = copy_site(sites["first"], tmp_path / "root")
    before = swap.tree_digest(root)
    listing = sorted(os.listdir(root))
    assert cli_publish(root / "site", os.path.join(root, to)) == 2
    one_line_error(capsys, "--to")
    assert swap.tree_digest(root) == before and sorted(os.listdir(root)) == listing


def test_publish_refuses_folders_that_are_not_web_roots(sites, tmp_path, monkeypatch, capsys):
    docs = tmp_path / "mydocs"
    docs.mkdir()
    (docs / "letter.txt").write_text("mine")
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.chdir(docs)
    for to in ("", ".", "..", "/", str(tmp_path), str(docs)):
        assert cli_publish(sites["first"] / "site", to) == 2, to
        one_line_error(capsys, "--to")
    assert [p.name for p in docs.iterdir()] == ["letter.txt"]


def test_publish_refuses_to_drop_a_live_release(sites, tmp_path, capsys) -> None:
    www = tmp_path / "www"
    assert cli_publish(sites["both"] / "site", www) == 0
    before = swap.tree_digest(www)
    assert cli_publish(sites["first"] / "site", www) == 77
    one_line_error(capsys, "--to", NEWER, "remove")
    assert swap.tree_digest(www) == before


def test_publish_refuses_to_undo_a_correction(sites, tmp_path, capsys) -> None:
    www = tmp_path / "www"
    assert cli_publish(sites["corrected"] / "site", www) == 0
    before = swap.tree_digest(www)
    assert cli_publish(sites["both"] / "site", www) == 77
    one_line_error(
        capsys,
        "--to",
        "corrections that --site does not log",
        "holds 1, the site's 0",
        f"the first that differs: its correction 1, of {LATEST} dated",
    )
    assert swap.tree_digest(www) == before


def test_publish_refuses_to_drop_corrections_even_with_the_same_figures(
    sites, tmp_path, capsys
) -> None:
    """Corrected to $363m, then corrected back to $362m: the figures equal the uncorrected
    site's, but the web root shows two corrections that site never logged."""
    undone = copy_site(sites["corrected"], tmp_path / "undone")
    assert run(undone, LATEST, sites["input"], correction="back to $362m").changed
    same = f"releases/{LATEST}/data/indicators.csv"
    assert (undone / "site" / same).read_bytes() == (sites["both"] / "site" / same).read_bytes()
    www = tmp_path / "www"
    assert cli_publish(undone / "site", www) == 0
    before = swap.tree_digest(www)
    assert cli_publish(sites["both"] / "site", www) == 77
    one_line_error(capsys, "--to", "holds 2, the site's 0")
    assert swap.tree_digest(www) == before


def test_publish_takes_a_correction_forward(sites, tmp_path) -> None:
    www = tmp_path / "www"
    assert cli_publish(sites["both"] / "site", www) == 0
    assert cli_publish(sites["corrected"] / "site", www) == 0
    assert swap.tree_digest(www) == swap.tree_digest(sites["corrected"] / "site")


def _extract(sites: dict[str, Path], folder: Path, old: str, new: str) -> Path:
    """The tiny input with one notification's value keyed otherwise: another extract."""
    shutil.copytree(sites["input"], folder)
    path = folder / "congressional_notifications.csv"
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1
    path.write_text(text.replace(old, new), encoding="utf-8")
    return folder


def test_publish_refuses_a_correction_of_figures_the_web_root_never_showed(
    sites, tmp_path, capsys
) -> None:
    """A site built from another extract (26-07 keyed as $361m), then corrected to $363m,
    logs one correction of FY2026-Q3 more than the web root (which shows $362m); but that
    correction replaced the $361m figures, not the ones the public saw: refused."""
    other = _extract(sites, tmp_path / "other-input", ",362000000\n", ",361000000\n")
    elsewhere = tmp_path / "elsewhere"
    assert run(elsewhere, LATEST, other).changed and run(elsewhere, NEWER, other).changed
    assert run(elsewhere, LATEST, sites["rekeyed"], correction="keyed, is $363m").changed
    www = tmp_path / "www"
    assert cli_publish(sites["both"] / "site", www) == 0
    before = swap.tree_digest(www)
    assert cli_publish(elsewhere / "site", www) == 77
    one_line_error(capsys, "--to", LATEST, "correction 1 of it did not start from")
    assert swap.tree_digest(www) == before


def test_publish_refuses_to_rewrite_a_live_release_without_a_correction(
    sites, tmp_path, capsys
) -> None:
    """A site built from an extract where 26-09 (FY2026-Q4) is keyed as $72m logs no
    correction. Its FY2026-Q3 figures are the web root's, but the release's manifest
    records other inputs (another sha256): the first release folder that differs."""
    other = _extract(sites, tmp_path / "other-input", ",71500000\n", ",72000000\n")
    elsewhere = tmp_path / "elsewhere"
    assert run(elsewhere, LATEST, other).changed and run(elsewhere, NEWER, other).changed
    q3 = f"releases/{LATEST}/data/indicators.csv"
    assert (elsewhere / "site" / q3).read_bytes() == (sites["both"] / "site" / q3).read_bytes()
    www = tmp_path / "www"
    assert cli_publish(sites["both"] / "site", www) == 0
    before = swap.tree_digest(www)
    assert cli_publish(elsewhere / "site", www) == 77
    one_line_error(
        capsys,
        "--to",
        f"shows {LATEST} otherwise",
        "logs no newer correction",
        f"(first: releases/{LATEST}/manifest.json; the figures are the same)",
    )
    assert swap.tree_digest(www) == before


def test_publish_takes_two_corrections_forward_from_the_figures_it_shows(sites, tmp_path):
    """The web root shows the first correction; the site corrected the same release again
    (back to $362m): its second correction replaced the figures the web root shows."""
    again = copy_site(sites["corrected"], tmp_path / "again")
    assert run(again, LATEST, sites["input"], correction="back to $362m").changed
    figures = f"releases/{LATEST}/data/indicators.csv"
    digests = [
        hashlib.sha256((root / "site" / figures).read_bytes()).hexdigest()
        for root in (sites["both"], sites["corrected"])
    ]
    manifest = json.loads((again / "site" / f"releases/{LATEST}/manifest.json").read_text())
    assert [entry["replaces"] for entry in manifest["corrections"]] == digests
    www = tmp_path / "www"
    assert cli_publish(sites["corrected"] / "site", www) == 0
    assert cli_publish(again / "site", www) == 0
    assert swap.tree_digest(www) == swap.tree_digest(again / "site")


def test_a_correction_made_before_replaces_was_recorded_is_taken_forward(sites, tmp_path):
    """A manifest written before 0.2 recorded ``replaces`` cannot show what its correction
    replaced: the log's order and counts are then all publish checks, as before."""
    legacy = copy_site(sites["corrected"], tmp_path / "legacy")
    path = legacy / "site" / f"releases/{LATEST}/manifest.json"
    manifest = json.loads(path.read_text(encoding="utf-8"))
    del manifest["corrections"][0]["replaces"]
    path.write_text(json.dumps(manifest), encoding="utf-8")
    # as the run that wrote such a manifest recorded it
    version = (legacy / "site").resolve()
    record = swap.built_record(version)
    record.write_text(json.dumps(swap.tree_digest(version)), encoding="utf-8")
    www = tmp_path / "www"
    assert cli_publish(sites["both"] / "site", www) == 0
    assert cli_publish(legacy / "site", www) == 0
    assert swap.tree_digest(www) == swap.tree_digest(legacy / "site")


def test_no_site_web_root_or_work_folder_inside_another_site(sites, tmp_path, capsys) -> None:
    """Inside a site (its symlink or its live version) or a versions folder, a new site,
    web root or work folder would be written into what a web server shows, outside any
    switch: refused, and nothing is written there."""
    other = copy_site(sites["both"], tmp_path / "other")
    before = swap.tree_digest(other / "site")
    live = os.readlink(other / "site")  # .site.versions/000002
    inputs = sites["input"]
    for site in ["site/nested", f"{live}/nested", ".site.versions/nested"]:
        assert cli_run(inputs, other / site, tmp_path / "work") == 2, site
        one_line_error(capsys, "--site", "is inside", "name a new or empty folder")
    assert cli_run(inputs, tmp_path / "new-site", other / "site" / "work") == 2
    one_line_error(capsys, "--work")
    assert cli_run(inputs, tmp_path / "new-site", other / live / "work") == 2
    one_line_error(capsys, "--work", "is inside")
    for to in ["site/www", f"{live}/www"]:
        assert cli_publish(sites["first"] / "site", other / to) == 2, to
        one_line_error(capsys, "--to", "is inside")
    assert swap.tree_digest(other / "site") == before
    assert sorted(p.name for p in other.iterdir()) == [".site.versions", "site"]


def test_a_symlink_this_tool_did_not_make_is_not_a_site(sites, tmp_path, capsys) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (tmp_path / "link").symlink_to(elsewhere)
    (tmp_path / "dangling").symlink_to(tmp_path / "gone")
    for name in ["link", "dangling"]:
        assert cli_run(sites["input"], tmp_path / name, tmp_path / "work") == 2, name
        one_line_error(capsys, "--site", "a symlink this tool did not make")
        assert cli_publish(sites["first"] / "site", tmp_path / name) == 2, name
        one_line_error(capsys, "--to", "a symlink this tool did not make")
    assert list(elsewhere.iterdir()) == [] and not (tmp_path / "gone").exists()


def test_dot_dot_after_a_site_symlink_is_refused(sites, tmp_path, capsys) -> None:
    """``site/../site`` reads as the site but the kernel opens ``.site.versions/site``: a
    run through it saw an empty site and undid a correction. Refused, nothing changed."""
    root = copy_site(sites["corrected"], tmp_path / "root")
    before = swap.tree_digest(root / "site")
    assert cli_run(sites["input"], root / "site/../site", tmp_path / "work") == 2
    one_line_error(capsys, "--site", "once the symlinks before its '..' are followed")
    www = tmp_path / "www"
    assert cli_publish(root / "site", www) == 0
    assert cli_publish(root / "site", tmp_path / "www/../www") == 2
    one_line_error(capsys, "--to", "'..'")
    assert swap.tree_digest(root / "site") == before


def test_dot_dot_that_names_the_same_folder_is_fine(sites, tmp_path) -> None:
    """``s5/../w5`` with no ``s5``: the work folder ``w5``, and no ``s5`` made on the way."""
    root = tmp_path / "root"
    root.mkdir()
    assert cli_run(sites["input"], root / "site", root / "s5/../w5") == 0
    assert sorted(p.name for p in root.iterdir()) == [
        ".site.lock", ".site.versions", ".w5.lock", "site", "w5",
    ]  # fmt: skip
    assert not (root / "w5" / "staging-site").exists()


def test_a_work_folder_never_writes_into_a_site_or_web_root(sites, tmp_path, capsys) -> None:
    """Quarantined records must never be served: a work folder that is a site, a web root,
    a versions folder or a lock, or holds a site, is refused, for validate too."""
    other = copy_site(sites["both"], tmp_path / "other")
    www = tmp_path / "www"
    assert cli_publish(other / "site", www) == 0
    held = tmp_path / "held"  # a site built at held/staging-site, then held used as --work
    assert cli_run(sites["input"], held / "staging-site", tmp_path / "w0") == 0
    before = {p: swap.tree_digest(p) for p in (other / "site", www)}
    for work in [other / "site", www, tmp_path / ".www.versions", other / ".site.lock", held]:
        assert cli_run(sites["input"], tmp_path / "new-site", work) == 2, work
        one_line_error(capsys, "--work")
        validate = ["validate", "--input", str(sites["input"]), "--work", str(work)]
        assert cli.main(validate) == 2, work
        one_line_error(capsys, "--work")
    assert cli.main(["validate", "--input", str(sites["input"]),
                     "--work", str(other / "site" / "sub")]) == 2  # fmt: skip
    one_line_error(capsys, "--work", "is inside")
    assert {p: swap.tree_digest(p) for p in before} == before
    assert not (tmp_path / "new-site").exists()


def test_a_site_whose_symlink_is_gone_is_not_started_over(sites, tmp_path, capsys) -> None:
    root = copy_site(sites["both"], tmp_path / "root")
    (root / "site").unlink()
    assert cli_run(sites["input"], root / "site", tmp_path / "work") == 2
    one_line_error(capsys, "--site", "is gone but", ".site.versions holds its versions")
    assert not (root / "site").exists()


def test_a_web_root_is_never_built_into_as_a_site(sites, tmp_path, capsys) -> None:
    """A run into the web root would serve a release at once, past its embargo."""
    www = tmp_path / "www"
    assert cli_publish(sites["both"] / "site", www) == 0
    before = swap.tree_digest(www)
    assert cli_run(sites["input"], www, tmp_path / "work") == 2
    one_line_error(capsys, "--site", "is a web root")
    assert cli_publish(www, tmp_path / "www2") == 2  # nor published from as a site
    one_line_error(capsys, "--site", "is a web root")
    assert swap.tree_digest(www) == before


def test_a_site_or_web_root_pointing_at_a_lost_version_is_not_started_over(
    sites, tmp_path, capsys
) -> None:
    root = copy_site(sites["both"], tmp_path / "root")
    live = (root / "site").resolve()
    shutil.move(live, tmp_path / "moved")
    left = sorted(p.name for p in (root / ".site.versions").iterdir())
    assert cli_run(sites["input"], root / "site", tmp_path / "work") == 2
    one_line_error(capsys, "--site", "which is gone")
    www = tmp_path / "www"
    assert cli_publish(sites["both"] / "site", www) == 0
    shutil.move(www.resolve(), tmp_path / "moved-www")
    assert cli_publish(sites["first"] / "site", www) == 2
    one_line_error(capsys, "--to", "which is gone")
    assert sorted(p.name for p in (root / ".site.versions").iterdir()) == left
