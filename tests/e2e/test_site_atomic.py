"""The site switches in one step, one run at a time; a killed run publishes nothing.

Inputs: the tiny site of ``tiny_site.py`` (a run takes about a second). Fault runs are separate
processes (``ARMS_METRICS_FAULT`` ends them with ``os._exit``); every other run is
``pipeline.run`` in the test process, which spares the import time.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from arms_metrics import faults
from arms_metrics.publication import lock, swap
from tests.conftest import ROOT, arms_metrics
from tests.e2e.tiny_site import LATEST, NEWER, copy_site, run, tiny_input


@pytest.fixture(scope="module")
def inputs(tmp_path_factory) -> Path:
    return tiny_input(tmp_path_factory.mktemp("atomic") / "input")


@pytest.fixture(scope="module")
def published(tmp_path_factory, inputs) -> Path:
    """A site holding release FY2026-Q3 only."""
    root = tmp_path_factory.mktemp("published")
    assert run(root, LATEST, inputs).changed
    return root


@pytest.fixture(scope="module")
def reference(tmp_path_factory, published, inputs) -> dict[str, str]:
    """sha256 of every file after FY2026-Q3 then FY2026-Q4, neither interrupted."""
    root = copy_site(published, tmp_path_factory.mktemp("reference"))
    assert run(root, NEWER, inputs).changed
    return swap.tree_digest(root / "site")


def test_the_site_is_a_symlink_to_a_complete_version(published) -> None:
    site = published / "site"
    assert site.is_symlink()
    assert os.readlink(site) == ".site.versions/000001"  # relative: the folder can move
    assert (site / "index.html").is_file()
    assert (published / ".site.lock").read_text() == ""  # released and emptied


def test_a_new_release_switches_and_keeps_the_version_before(
    published, reference, inputs, tmp_path
) -> None:
    root = copy_site(published, tmp_path)
    assert run(root, NEWER, inputs).changed
    assert os.readlink(root / "site") == ".site.versions/000002"
    # each version with the record of what its run built (publish checks the site with it)
    assert sorted(p.name for p in (root / ".site.versions").iterdir()) == [
        "000001", "000001.built.json", "000002", "000002.built.json"
    ]  # fmt: skip
    assert swap.tree_digest(root / "site") == reference


PRE_SWITCH = [step for step in faults.STEPS if step != "publish-cleanup"]


@pytest.mark.parametrize("step", PRE_SWITCH)
def test_a_run_killed_at_any_step_leaves_the_site_byte_identical(
    step, published, reference, inputs, tmp_path
) -> None:
    root = copy_site(published, tmp_path)
    before = swap.tree_digest(root / "site")
    done = arms_metrics(
        "run", "--input", str(inputs), "--quarter", NEWER,
        "--site", str(root / "site"), "--work", str(root / "work"),
        env={faults.VARIABLE: step},
    )  # fmt: skip
    assert done.returncode == faults.KILLED, done.stderr
    assert done.stderr.strip().endswith(f"fault injected at {step}")
    assert swap.tree_digest(root / "site") == before
    assert os.readlink(root / "site") == ".site.versions/000001"
    assert run(root, NEWER, inputs).changed  # the rerun completes it
    assert swap.tree_digest(root / "site") == reference
    leftovers = sorted(p.name for p in root.iterdir() if p.name.startswith(".site"))
    assert leftovers == [".site.lock", ".site.versions"]  # no half-made switch link
    versions = [p for p in (root / ".site.versions").iterdir() if p.is_dir()]
    assert len(versions) == 2  # live and the one before


def test_a_run_killed_after_the_switch_has_published_whole(
    published, reference, inputs, tmp_path
) -> None:
    root = copy_site(published, tmp_path)
    done = arms_metrics(
        "run", "--input", str(inputs), "--quarter", NEWER,
        "--site", str(root / "site"), "--work", str(root / "work"),
        env={faults.VARIABLE: "publish-cleanup"},
    )  # fmt: skip
    assert done.returncode == faults.KILLED, done.stderr
    assert swap.tree_digest(root / "site") == reference
    assert not run(root, NEWER, inputs).changed  # the rerun finds nothing to do
    assert swap.tree_digest(root / "site") == reference


def test_a_site_that_is_a_plain_folder_is_switched_to_a_symlink(
    published, reference, inputs, tmp_path
) -> None:
    root = tmp_path
    shutil.copytree(published / "site", root / "site")  # a site built before 0.2, or copied
    assert run(root, NEWER, inputs).changed
    assert (root / "site").is_symlink()
    assert swap.tree_digest(root / "site") == reference
    assert sorted(p.name for p in (root / ".site.versions").iterdir()) == [
        "000001",
        "000001-before",  # the plain folder, kept as the version a reader may still read
        "000001.built.json",
    ]


HOLD = """
import sys, time
from arms_metrics.publication.lock import site_lock
with site_lock(sys.argv[1]):
    print("held", flush=True)
    time.sleep(60)
"""


def test_a_second_run_on_the_same_site_exits_75_naming_the_holder(tmp_path, capsys) -> None:
    from arms_metrics import cli

    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(tmp_path / "site")],
        stdout=subprocess.PIPE, text=True, cwd=ROOT,
    )  # fmt: skip
    try:
        assert holder.stdout.readline().strip() == "held"
        inputs = tiny_input(tmp_path / "input")
        site, work = str(tmp_path / "site"), str(tmp_path / "work")
        code = cli.main(["run", "--input", str(inputs), "--quarter", LATEST,
                         "--site", site, "--work", work])  # fmt: skip
    finally:
        holder.kill()
        holder.wait()
    err = capsys.readouterr().err
    assert code == 75
    assert err.count("\n") == 1 and "Traceback" not in err
    assert (
        f"--site {tmp_path / 'site'} is locked by another run or publish "
        f"(pid {holder.pid}, started 20" in err
    )
    assert not (tmp_path / "site").exists() and not (tmp_path / "work" / "quarantine").exists()


def test_the_stale_lock_of_a_dead_process_is_taken_over(tmp_path) -> None:
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    (tmp_path / ".site.lock").write_text(f"pid {dead.pid}, started 2026-01-01T00:00:00Z\n")
    assert run(tmp_path, LATEST, tiny_input(tmp_path / "input")).changed
    assert (tmp_path / ".site.lock").read_text() == ""


def test_the_lock_names_its_holder_while_held(tmp_path) -> None:
    with lock.site_lock(tmp_path / "site") as path:
        assert path == tmp_path / ".site.lock"
        assert path.read_text().startswith(f"pid {os.getpid()}, started ")
    assert path.read_text() == ""


def test_a_run_sharing_another_runs_work_folder_exits_75(tmp_path, capsys) -> None:
    from arms_metrics import cli

    inputs = tiny_input(tmp_path / "input")
    with lock.site_lock(tmp_path / "work", "--work"):
        site, work = str(tmp_path / "other-site"), str(tmp_path / "work")
        code = cli.main(["run", "--input", str(inputs), "--quarter", LATEST,
                         "--site", site, "--work", work])  # fmt: skip
    err = capsys.readouterr().err
    assert code == 75 and err.count("\n") == 1
    assert (
        f"--work {work} is locked by another run or publish (pid {os.getpid()}, started 20" in err
    )
    assert not (tmp_path / "other-site").exists()
