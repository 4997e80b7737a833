"""Corrections: a published release changes only with ``--correction``, and then openly.

The tiny site (``tiny_site.py``) publishes FY2026-Q3 and FY2026-Q4. FY2026-Q3 (April to
June 2026) holds one notification, 26-07 of 2026-06-01: Colombia, AECA 36(b), $362,000,000.
Keyed again as $363,000,000, four published figures of FY2026-Q3 change, worked out by
hand: ``cn_notifications_value_usd`` for the total, authority AECA_36B, purchaser COL and
region WHA (the count of notifications stays 1).
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import shutil
from pathlib import Path

import pytest

from arms_metrics import cli
from arms_metrics.publication import swap
from tests.conftest import PIPELINE_TOML
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
TODAY = dt.date(2026, 11, 30)
CHANGED = {
    ("cn_notifications_value_usd", "FY2026-Q3", "total", "All"),
    ("cn_notifications_value_usd", "FY2026-Q3", "authority", "AECA_36B"),
    ("cn_notifications_value_usd", "FY2026-Q3", "purchaser", "COL"),
    ("cn_notifications_value_usd", "FY2026-Q3", "region", "WHA"),
}


@pytest.fixture(scope="module")
def inputs(tmp_path_factory) -> Path:
    return tiny_input(tmp_path_factory.mktemp("corrections") / "input")


@pytest.fixture(scope="module")
def rekeyed(tmp_path_factory, inputs) -> Path:
    """The same extract with notification 26-07 keyed as $363,000,000."""
    return rekeyed_input(inputs, tmp_path_factory.mktemp("rekeyed") / "input")


@pytest.fixture(scope="module")
def live(tmp_path_factory, inputs) -> Path:
    root = tmp_path_factory.mktemp("live")
    assert run(root, LATEST, inputs).changed and run(root, NEWER, inputs).changed
    return root


@pytest.fixture(scope="module")
def corrected(tmp_path_factory, live, rekeyed) -> tuple[Path, dict[str, str]]:
    """The live site after ``run --quarter FY2026-Q3 --correction REASON``, and before."""
    root = copy_site(live, tmp_path_factory.mktemp("corrected"))
    before = swap.tree_digest(root / "site")
    assert run(root, LATEST, rekeyed, today=TODAY, correction=REASON).changed
    return root, before


def cli_run(root: Path, quarter: str, inputs: Path, *extra: str) -> int:
    site, work = str(root / "site"), str(root / "work")
    return cli.main(["run", "--input", str(inputs), "--quarter", quarter,
                     "--site", site, "--work", work, *extra])  # fmt: skip


def rows(path: Path) -> dict[tuple, dict[str, str]]:
    reader = csv.DictReader(io.StringIO(path.read_text(encoding="utf-8")))
    return {
        (r["indicator_id"], r["period"], r["breakdown"], r["breakdown_value"]): r for r in reader
    }


def test_an_unchanged_rerun_exits_0_and_changes_no_file(live, inputs, tmp_path, capsys) -> None:
    assert (live / "site/data/corrections.csv").read_bytes() == b"date,release,reason,cells\r\n"
    root = copy_site(live, tmp_path)
    before = swap.tree_digest(root / "site")
    assert cli_run(root, NEWER, inputs) == 0
    assert capsys.readouterr().out.endswith(
        f"{NEWER} is already published in {root}/site: unchanged\n"
    )
    assert swap.tree_digest(root / "site") == before


def test_changed_figures_without_correction_exit_77(live, rekeyed, tmp_path, capsys) -> None:
    root = copy_site(live, tmp_path)
    before = swap.tree_digest(root / "site")
    assert cli_run(root, LATEST, rekeyed) == 77
    err = capsys.readouterr().err
    assert err == (
        f"arms-metrics: error: {LATEST} is published and 4 of its figures would change: "
        'rerun with --correction "reason" to publish a correction\n'
    )
    assert swap.tree_digest(root / "site") == before


def test_a_correction_changes_exactly_the_changed_figures(corrected, live) -> None:
    root, _ = corrected
    path = f"releases/{LATEST}/data/indicators.csv"
    old, new = rows(live / "site" / path), rows(root / "site" / path)
    assert old.keys() == new.keys()
    assert {key for key in old if old[key] != new[key]} == CHANGED
    assert {new[key]["value"] for key in CHANGED} == {"363000000"}


def test_a_correction_is_logged_noticed_and_in_the_manifest(corrected, live) -> None:
    site = corrected[0] / "site"
    assert (site / "data/corrections.csv").read_bytes() == (
        f"date,release,reason,cells\r\n2026-11-30,{LATEST},{REASON},4\r\n".encode()
    )
    page = (site / f"releases/{LATEST}/index.html").read_text(encoding="utf-8")
    assert (
        "<strong>Corrected on November 30, 2026:</strong> Notification 26-07 was keyed as $362 "
        f"million; the transmittal says $363 million. (4 figures of release {LATEST} changed; "
        'see <a href="../../corrections.html">corrections</a>.)'
    ) in page
    log = (site / "corrections.html").read_text(encoding="utf-8")
    assert f'<a href="releases/{LATEST}/index.html">{LATEST}</a></th><td>Notification 26-07' in log
    assert f"Release {NEWER}" in log  # the site-wide page keeps the latest release's navigation
    manifest = json.loads((site / f"releases/{LATEST}/manifest.json").read_text(encoding="utf-8"))
    # the figures it replaced: the sha256 of the live site's FY2026-Q3 indicators.csv, by hashlib
    replaced = live / "site" / f"releases/{LATEST}/data/indicators.csv"
    digest = hashlib.sha256(replaced.read_bytes()).hexdigest()
    assert manifest["corrections"] == [
        {"date": "2026-11-30", "reason": REASON, "cells": 4, "replaces": digest}
    ]


def test_a_correction_of_an_older_release_leaves_the_latest_pages(corrected) -> None:
    root, before = corrected
    after = swap.tree_digest(root / "site")
    own = f"releases/{LATEST}/"
    outside = {k for k in after if not k.startswith(own)}
    assert outside == {k for k in before if not k.startswith(own)}
    changed = sorted(k for k in outside if before[k] != after[k])
    # only the log, and the list of releases (which now says FY2026-Q3 was corrected once)
    assert changed == ["corrections.html", "data/corrections.csv", "releases/index.html"]
    listed = (root / "site/releases/index.html").read_text(encoding="utf-8")
    assert '<a href="../corrections.html">corrected once</a>' in listed
    assert "Corrected" not in (root / "site/index.html").read_text(encoding="utf-8")


def test_after_a_correction_the_same_build_is_unchanged(corrected, rekeyed, tmp_path) -> None:
    root = copy_site(corrected[0], tmp_path)
    before = swap.tree_digest(root / "site")
    assert not run(root, LATEST, rekeyed, today=TODAY + dt.timedelta(days=1)).changed
    assert swap.tree_digest(root / "site") == before


def test_a_correction_needs_a_published_release_and_a_reason(live, inputs, tmp_path, capsys):
    root = copy_site(live, tmp_path)
    assert cli_run(root, OLDER, inputs, "--correction", "late records") == 2
    assert f"--correction: {OLDER} is not published yet" in capsys.readouterr().err
    assert cli_run(root, LATEST, inputs, "--correction", " ") == 2
    assert "--correction is empty" in capsys.readouterr().err


def test_a_correction_of_the_latest_release_moves_the_latest_pages(live, rekeyed, tmp_path):
    """FY2026-Q4 publishes FY2026-Q3's figures too: the same four cells change there."""
    root = copy_site(live, tmp_path)
    assert run(root, NEWER, rekeyed, today=TODAY, correction="rekeyed").changed
    site = root / "site"
    old = rows(live / "site/data/indicators.csv")
    new = rows(site / "data/indicators.csv")
    assert {key for key in old if old[key] != new[key]} == CHANGED
    assert (site / "data/indicators.csv").read_bytes() == (
        site / f"releases/{NEWER}/data/indicators.csv"
    ).read_bytes()
    notice = f"rekeyed (4 figures of release {NEWER} changed;"
    assert notice in (site / "index.html").read_text(encoding="utf-8")
    assert notice in (site / f"releases/{NEWER}/index.html").read_text(encoding="utf-8")
    assert notice not in (site / f"releases/{LATEST}/index.html").read_text(encoding="utf-8")


def test_a_correction_names_later_releases_that_show_the_figures_otherwise(
    live, rekeyed, tmp_path, capsys
) -> None:
    """FY2026-Q4 publishes the four corrected FY2026-Q3 figures at $362 million: the
    correction says so, and says nothing once FY2026-Q4 is corrected first."""
    root = copy_site(live, tmp_path)
    assert cli_run(root, LATEST, rekeyed, "--correction", "rekeyed") == 0
    assert capsys.readouterr().out.splitlines()[1:] == [
        f"note: {NEWER} publishes 4 of the corrected figures otherwise, from its own extract; "
        f"if the fault is in it too, check with arms-metrics diff --quarter {NEWER} and correct it"
    ]
    other = copy_site(live, tmp_path / "other")
    assert run(other, NEWER, rekeyed, today=TODAY, correction="rekeyed").later == ()
    assert run(other, LATEST, rekeyed, today=TODAY, correction="rekeyed").later == ()


@pytest.mark.parametrize(
    ("log", "code", "words"),
    [
        (None, 77, f"logs 0 correction(s) of {LATEST}, its manifest.json records 1"),
        (b"date,release,reason,cells\r\n", 77, "logs 0 correction(s)"),  # cut short
        (
            b"date,release,reason,cells\r\n2026-11-30,FY2026-Q3,Late,x\r\n",
            65,
            "csv:2: corrections_log_row",
        ),
        (
            b"date,release,reason,cells\r\n2026-11-31,FY2026-Q3,Late,4\r\n",
            65,
            "csv:2: corrections_log_row",
        ),
        (
            b"date,release,reason,cells\r\n2026-11-30,Q3,Late,4\r\n",
            65,
            "csv:2: corrections_log_row",
        ),
        (
            "date,release,reason,cells\r\n2026-11-30,FY2026-Q3,Late,\u00b2\r\n".encode(),
            65,
            "csv:2: corrections_log_row",
        ),  # a superscript two is no count of cells
        (
            "date,release,reason,cells\r\n2026-11-30,FY2026-Q3,Late,\u0664\r\n".encode(),
            65,
            "csv:2: corrections_log_row",
        ),  # nor an Arabic-Indic four
        (
            b"date,release,reason,cells\r\n20261130,FY2026-Q3,Late,4\r\n",
            65,
            "csv:2: corrections_log_row",
        ),  # a date as the log never writes it
        (b"date,release\r\n", 65, "csv:1: corrections_log_header: the header is not date,"),
        (b"\xff\xfe", 65, "not UTF-8"),
    ],
)
def test_a_corrections_log_lost_or_not_ours_stops_run_and_publish(
    corrected, inputs, tmp_path, capsys, log, code, words
) -> None:
    """The next run rebuilds the log from data/corrections.csv: deleted or cut short, it
    would publish the site without the correction its pages and manifest still show. A copy
    without the record of its run (which would refuse any edit first): the log's own check."""
    root = copy_site(corrected[0], tmp_path / "site-copy", record=False)
    path = root / "site" / "data" / "corrections.csv"
    if log is None:
        path.unlink()
    else:
        path.write_bytes(log)
    before = swap.tree_digest(root / "site")
    assert cli_run(root, NEWER, inputs) == code
    err = capsys.readouterr().err
    # a log deleted: the run's check of the copy against its manifests sees it first
    said = "lacks data/corrections.csv: a site cut short" if log is None else words
    assert err.count("\n") == 1 and "Traceback" not in err and said in err, err
    assert "data/corrections.csv" in err
    assert swap.tree_digest(root / "site") == before
    www = tmp_path / "www"  # a new web root: nothing to compare with but the site itself
    now = "2026-12-01T00:00Z"
    assert (
        cli.main(["publish", "--site", str(root / "site"), "--to", str(www), "--now", now]) == code
    )
    assert words in capsys.readouterr().err and not www.exists()


def test_a_correction_keeps_the_date_and_embargo_it_published(live, rekeyed, tmp_path) -> None:
    """FY2026-Q3 was published for 2026-08-14 at 11:00 in New York (15:00 UTC, daylight
    time). Corrected with a configuration that lists 2026-12-15 at midnight, its pages, the
    list of releases and its manifest keep the date and the embargo it was published with."""
    config = tmp_path / "quarterly"
    shutil.copytree(PIPELINE_TOML.parent, config)
    toml = config / "pipeline.toml"
    text = toml.read_text(encoding="utf-8")
    for old, new in (('time = "11:00"', 'time = "00:00"'),
                     ('"FY2026-Q3" = "2026-08-14"', '"FY2026-Q3" = "2026-12-15"'),
                     ('"FY2026-Q4" = "2026-11-13"', '"FY2026-Q4" = "2026-12-16"')):  # fmt: skip
        assert text.count(old) == 1
        text = text.replace(old, new)
    toml.write_text(text, encoding="utf-8")
    root = copy_site(live, tmp_path / "site-copy")
    assert cli_run(root, LATEST, rekeyed, "--config", str(toml), "--correction", REASON) == 0
    site = root / "site"
    manifest = json.loads((site / f"releases/{LATEST}/manifest.json").read_text(encoding="utf-8"))
    assert (manifest["release_date"], manifest["embargo"]) == ("2026-08-14", "2026-08-14T15:00:00Z")
    assert len(manifest["corrections"]) == 1
    page = (site / f"releases/{LATEST}/index.html").read_text(encoding="utf-8")
    assert "August 14, 2026" in page and "December 15, 2026" not in page
    listed = (site / "releases/index.html").read_text(encoding="utf-8")
    assert "August 14, 2026" in listed and "December 15, 2026" not in listed


def test_a_corrections_log_that_is_a_folder_is_no_log(corrected, inputs, tmp_path, capsys):
    """A run checks a copy against its manifests first (the log its latest release listed
    is gone: exit 77); publish reads the log first (not a file: exit 65)."""
    root = copy_site(corrected[0], tmp_path / "site-copy", record=False)
    path = root / "site" / "data" / "corrections.csv"
    path.unlink()
    path.mkdir()
    (path / "x").write_text("")
    assert cli_run(root, NEWER, inputs) == 77
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "lacks data/corrections.csv: a site cut short" in err
    now = "2026-12-01T00:00Z"
    argv = ["publish", "--site", str(root / "site"), "--to", str(tmp_path / "www"), "--now", now]
    assert cli.main(argv) == 65
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "corrections.csv: corrections_log_file: not a file" in err


@pytest.mark.parametrize(
    "text",
    ["indicator_id,period\r\nx,FY2026-Q3\r\n", None],  # None: a value that is no number
)
def test_published_figures_edited_by_hand_stop_the_run_naming_them(
    live, inputs, tmp_path, capsys, text
) -> None:
    """In a copy (no record of its run): run and ``diff`` check it against its manifests
    first (exit 77 naming the file)."""
    root = copy_site(live, tmp_path / "site-copy", record=False)
    path = root.joinpath("site", "releases", LATEST, "data", "indicators.csv").resolve()
    if text is None:
        text = path.read_text(encoding="utf-8").replace(",362000000,", ",abc,", 1)
    path.write_text(text, encoding="utf-8")
    rel = f"releases/{LATEST}/data/indicators.csv"
    assert cli_run(root, LATEST, inputs) == 77
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f"{rel} differs from what its release wrote" in err, err
    argv = ["diff", "--quarter", LATEST, "--input", str(inputs), "--site", str(root / "site"),
            "--work", str(tmp_path / "diff-work")]  # fmt: skip
    assert cli.main(argv) == 77  # diff checks the copy against its manifests too
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f"{rel} differs from what its release wrote" in err, err
