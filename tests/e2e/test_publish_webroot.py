"""``arms-metrics publish``: the web root switches to a complete copy of the site in one step,
never before the release time.

The tiny site (``tiny_site.py``) publishes FY2026-Q3 on 2026-08-14 and FY2026-Q4 on
2026-11-13 (``pipeline.toml``'s calendar), at 11:00 America/New_York. Worked by hand: on
2026-08-14 New York keeps daylight time (UTC-4), so FY2026-Q3 may be public from
2026-08-14T15:00Z; daylight time ends on 2026-11-01, so on 2026-11-13 New York is UTC-5 and
FY2026-Q4 may be public from 2026-11-13T16:00Z.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
from pathlib import Path

import pytest

from arms_metrics import cli, faults
from arms_metrics.config import load_config
from arms_metrics.publication import lock, publish, swap
from arms_metrics.quarters import Quarter
from tests.conftest import PIPELINE_TOML, arms_metrics
from tests.e2e.tiny_site import LATEST, NEWER, copy_site, run, tiny_input


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[Path, Path]:
    """Two built sites: FY2026-Q3 alone, and FY2026-Q3 then FY2026-Q4."""
    inputs = tiny_input(tmp_path_factory.mktemp("publish") / "input")
    first = tmp_path_factory.mktemp("first")
    assert run(first, LATEST, inputs).changed
    second = copy_site(first, tmp_path_factory.mktemp("second"))
    assert run(second, NEWER, inputs).changed
    return first, second


def cli_publish(site: Path, webroot: Path, now: str) -> int:
    return cli.main(["publish", "--site", str(site), "--to", str(webroot), "--now", now])


def test_the_release_moment_is_the_calendar_date_at_11_in_new_york() -> None:
    config = load_config()
    assert config.release_time == dt.time(11, 0) and config.release_zone == "America/New_York"
    q3 = config.release_moment(Quarter.parse(LATEST)).astimezone(dt.UTC)
    q4 = config.release_moment(Quarter.parse(NEWER)).astimezone(dt.UTC)
    assert q3 == dt.datetime(2026, 8, 14, 15, 0, tzinfo=dt.UTC)
    assert q4 == dt.datetime(2026, 11, 13, 16, 0, tzinfo=dt.UTC)


def test_before_the_embargo_exits_75_and_creates_no_web_root(built, tmp_path, capsys) -> None:
    site = built[0] / "site"
    assert cli_publish(site, tmp_path / "www", "2026-08-14T14:59:59Z") == 75
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert "FY2026-Q3 is under embargo until 2026-08-14 11:00 America/New_York" in err
    assert "(2026-08-14T15:00:00Z); it is 2026-08-14T14:59:59Z" in err
    assert not (tmp_path / "www").exists()


def test_after_the_embargo_the_web_root_is_a_complete_copy(built, tmp_path, capsys) -> None:
    site, www = built[0] / "site", tmp_path / "www"
    assert cli_publish(site, www, "2026-08-14T15:00:00Z") == 0
    assert capsys.readouterr().out == f"published {site} to {www} (FY2026-Q3)\n"
    assert www.is_symlink() and os.readlink(www) == ".www.versions/000001"
    assert swap.tree_digest(www) == swap.tree_digest(site)
    assert cli_publish(site, www, "2026-08-14T15:00:00Z") == 0  # again: nothing to do
    assert capsys.readouterr().out == f"{www} already shows {site}: unchanged\n"
    assert os.readlink(www) == ".www.versions/000001"


def test_a_new_release_waits_for_its_own_time_then_lands_whole(built, tmp_path) -> None:
    first, second = built[0] / "site", built[1] / "site"
    www = tmp_path / "www"
    assert cli_publish(first, www, "2026-09-01T00:00Z") == 0
    before = swap.tree_digest(www)
    # 15:59:59Z is 10:59:59 in New York (UTC-5): one second early, given with an offset
    # and given without one (read in the calendar's zone)
    for early in ("2026-11-13T15:59:59+00:00", "2026-11-13T10:59:59"):
        assert cli_publish(second, www, early) == 75
        assert swap.tree_digest(www) == before and os.readlink(www) == ".www.versions/000001"
    assert cli_publish(second, www, "2026-11-13T11:00") == 0
    assert swap.tree_digest(www) == swap.tree_digest(second)
    assert os.readlink(www) == ".www.versions/000002"
    kept = sorted(p.name for p in (tmp_path / ".www.versions").iterdir())
    assert kept == ["000001", "000001.files.json", "000002", "000002.files.json"]


@pytest.mark.parametrize("step", ["publish-copy", "publish-swap"])
def test_a_publish_killed_before_the_switch_leaves_the_web_root_as_it_was(
    step, built, tmp_path
) -> None:
    first, second, www = built[0] / "site", built[1] / "site", tmp_path / "www"
    assert cli_publish(first, www, "2026-09-01T00:00Z") == 0
    before = swap.tree_digest(www)
    done = arms_metrics(
        "publish", "--site", str(second), "--to", str(www), "--now", "2026-12-01T00:00Z",
        env={faults.VARIABLE: step},
    )  # fmt: skip
    assert done.returncode == faults.KILLED, done.stderr
    assert swap.tree_digest(www) == before and os.readlink(www) == ".www.versions/000001"
    assert cli_publish(second, www, "2026-12-01T00:00Z") == 0  # the rerun completes it
    assert swap.tree_digest(www) == swap.tree_digest(second)


def test_a_release_postponed_in_the_calendar_after_its_build_waits_for_the_new_date(
    built, tmp_path
) -> None:
    """The pages of FY2026-Q3 say 2026-08-14; the calendar now says 2026-08-21 (daylight
    time still: 11:00 in New York is 15:00Z): the later date holds."""
    shutil.copytree(PIPELINE_TOML.parent, tmp_path / "quarterly")
    config = tmp_path / "quarterly" / "pipeline.toml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace('"FY2026-Q3" = "2026-08-14"', '"FY2026-Q3" = "2026-08-21"'))
    site, www = built[0] / "site", tmp_path / "www"
    argv = ["publish", "--site", str(site), "--to", str(www), "--config", str(config)]
    assert cli.main([*argv, "--now", "2026-08-21T14:59Z"]) == 75 and not www.exists()
    assert cli.main([*argv, "--now", "2026-08-21T15:00Z"]) == 0
    assert swap.tree_digest(www) == swap.tree_digest(site)


def test_a_plain_web_root_folder_is_exchanged_for_the_symlink(built, tmp_path) -> None:
    www = tmp_path / "www"
    shutil.copytree(built[0] / "site", www)  # a web root copied by hand before 0.2
    assert cli_publish(built[1] / "site", www, "2026-12-01T00:00Z") == 0
    assert www.is_symlink() and swap.tree_digest(www) == swap.tree_digest(built[1] / "site")


def test_a_plain_web_root_with_files_of_its_own_is_refused(built, tmp_path, capsys) -> None:
    """The web team's own files in a plain web root (robots.txt, a verification file) would
    no longer be served once it is the site's copy: refused, with nothing changed."""
    www = tmp_path / "www"
    shutil.copytree(built[0] / "site", www)
    (www / "robots.txt").write_text("User-agent: *\n")
    (www / "google1234.html").write_text("verification")
    before = swap.tree_digest(www)
    assert cli_publish(built[1] / "site", www, "2026-12-01T00:00Z") == 77
    assert capsys.readouterr().err == (
        f"arms-metrics: error: --to {www}: 2 files the site does not hold (first: "
        "google1234.html), which publishing would drop: move them out of the web root first\n"
    )
    assert not www.is_symlink() and swap.tree_digest(www) == before
    (www / "robots.txt").unlink()
    (www / "google1234.html").unlink()
    assert cli_publish(built[1] / "site", www, "2026-12-01T00:00Z") == 0


def test_files_changed_in_a_published_web_root_are_never_dropped(built, tmp_path, capsys):
    """After a publish, someone adds robots.txt to the web root and edits a page: the next
    publish would undo both, so it is refused (77) until they are moved out or restored."""
    www = tmp_path / "www"
    assert cli_publish(built[0] / "site", www, "2026-12-01T00:00Z") == 0
    before = swap.tree_digest(www)
    (www / "robots.txt").write_text("User-agent: *\n")
    assert cli_publish(built[1] / "site", www, "2026-12-01T00:00Z") == 77
    assert capsys.readouterr().err == (
        f"arms-metrics: error: --to {www}: 1 file added, changed or removed there since it "
        "was published (first: robots.txt), which publishing would drop: restore them as "
        f"published, or, to let publish replace them, remove 000001.files.json from "
        f"{tmp_path / '.www.versions'}\n"
    )
    (www / "robots.txt").unlink()
    page = www / "methodology.html"
    original = page.read_bytes()
    page.write_bytes(original + b"<!-- edited -->")
    assert cli_publish(built[1] / "site", www, "2026-12-01T00:00Z") == 77
    assert "(first: methodology.html)" in capsys.readouterr().err
    assert swap.tree_digest(www) != before  # nothing published: only the edit is there
    page.write_bytes(original)
    assert cli_publish(built[1] / "site", www, "2026-12-01T00:00Z") == 0
    assert swap.tree_digest(www) == swap.tree_digest(built[1] / "site")
    records = sorted(p.name for p in (tmp_path / ".www.versions").iterdir())
    assert records == ["000001", "000001.files.json", "000002", "000002.files.json"]


def test_the_web_team_can_let_publish_replace_its_edit(built, tmp_path, capsys) -> None:
    """The way forward the refusal names: with the record removed, the web root is checked
    as a folder of its own (only files the site does not hold are kept from it), so the
    edited page is replaced by the site's."""
    www = tmp_path / "www"
    assert cli_publish(built[0] / "site", www, "2026-12-01T00:00Z") == 0
    page = www / "methodology.html"
    page.write_bytes(page.read_bytes() + b"<!-- edited -->")
    assert cli_publish(built[1] / "site", www, "2026-12-01T00:00Z") == 77
    (tmp_path / ".www.versions" / "000001.files.json").unlink()
    assert cli_publish(built[1] / "site", www, "2026-12-01T00:00Z") == 0
    assert swap.tree_digest(www) == swap.tree_digest(built[1] / "site")


def test_a_web_root_of_unrelated_files_is_refused(built, tmp_path, capsys) -> None:
    www = tmp_path / "www"
    www.mkdir()
    (www / "old.html").write_text("not a site")
    assert cli_publish(built[0] / "site", www, "2026-09-01T00:00Z") == 2
    assert "--to " in capsys.readouterr().err and not www.is_symlink()
    assert [p.name for p in www.iterdir()] == ["old.html"]


def test_a_locked_web_root_exits_75(built, tmp_path, capsys) -> None:
    with lock.site_lock(tmp_path / "www", "--to"):
        assert cli_publish(built[0] / "site", tmp_path / "www", "2026-09-01T00:00Z") == 75
    assert "--to " in capsys.readouterr().err and not (tmp_path / "www").exists()


@pytest.mark.parametrize(
    ("site", "to", "now", "message"),
    [
        ("empty", "www", "2026-09-01T00:00Z", "no built release there"),
        ("site", "site/www", "2026-09-01T00:00Z", "overlap"),
        ("site", "www", "next Tuesday", "not an ISO date and time"),
        ("site", "www", "0001-01-01T00:00+01:00", "outside the dates this tool can compare"),
        ("site", "www", "9999-12-31T23:59-05:00", "outside the dates this tool can compare"),
        ("site", "a-file", "2026-09-01T00:00Z", "is a file, not a folder"),
    ],
)
def test_usage_errors_exit_2_on_one_line(built, tmp_path, capsys, site, to, now, message):
    (tmp_path / "empty").mkdir()
    (tmp_path / "a-file").write_text("not a web root")
    folder = built[0] / "site" if site == "site" else tmp_path / site
    target = folder / "www" if to == "site/www" else tmp_path / to
    assert cli_publish(folder, target, now) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err and not target.is_symlink()
    assert target.is_file() if to == "a-file" else not target.exists()


def test_changed_releases_are_read_from_the_digests() -> None:
    old = {"index.html": "a", "releases/FY2026-Q3/index.html": "b"}
    new = {"index.html": "c", "releases/FY2026-Q3/index.html": "b", "releases/FY2026-Q4/x": "d"}
    assert publish.changed_releases(new, old) == [Quarter.parse(NEWER)]
    assert publish.changed_releases(old, old) == []


def test_what_the_record_cannot_see_is_never_dropped_either(built, tmp_path, capsys) -> None:
    """Symlinks and empty folders added to a published web root, a web root whose record
    was removed (checked as a plain folder then) and a damaged record: all exit 77, one line,
    the web root unchanged; a folder under releases/ that is no release is no error."""
    www = tmp_path / "www"
    assert cli_publish(built[0] / "site", www, "2026-12-01T00:00Z") == 0
    live = www.resolve()
    (live / "archive").symlink_to(tmp_path)
    (live / "empty").mkdir()
    before = swap.tree_digest(www)
    assert cli_publish(built[1] / "site", www, "2026-12-01T00:00Z") == 77
    assert "2 files added, changed or removed there since" in capsys.readouterr().err
    (live / "archive").unlink()
    (live / "empty").rmdir()
    (live / "robots.txt").write_text("User-agent: *\n")
    record = tmp_path / ".www.versions" / f"{live.name}.files.json"
    record.unlink()
    assert cli_publish(built[1] / "site", www, "2026-12-01T00:00Z") == 77
    assert "1 file the site does not hold (first: robots.txt)" in capsys.readouterr().err
    (live / "robots.txt").unlink()
    for damaged in (b"{bad", b"[]", b"\xff\xfe", b'{"index.html": 3}'):
        record.write_bytes(damaged)
        assert cli_publish(built[1] / "site", www, "2026-12-01T00:00Z") == 77
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "is damaged" in err, err
    assert swap.tree_digest(www) == {k: v for k, v in before.items()}
    record.unlink()
    (live / "releases" / "notes").mkdir()
    (live / "releases" / "notes" / "readme.html").write_text("hi")
    assert cli_publish(built[1] / "site", www, "2026-12-01T00:00Z") == 77
    assert "(first: releases/notes/readme.html)" in capsys.readouterr().err


def test_a_site_holding_a_symlink_or_an_empty_folder_is_not_published(
    built, tmp_path, capsys
) -> None:
    """A run never writes any: a symlink added to the site would serve what it points to
    from the web root (and then read as an edit of the web root), a named pipe would hang
    the copy. Exit 77, nothing made."""
    site = copy_site(built[0], tmp_path / "odd") / "site"
    live = site.resolve()
    secret = tmp_path / "secret.txt"  # a file outside the site, such as a system file
    secret.write_text("not for the public\n")
    for name, make in (("passwd.txt", lambda p: p.symlink_to(secret)),
                       ("releases/empty", lambda p: p.mkdir()),
                       ("pipe", os.mkfifo)):  # fmt: skip
        make(live / name)
        assert cli_publish(site, tmp_path / "www", "2026-12-01T00:00Z") == 77
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and f"(first: {name})" in err, err
        assert "no run wrote" in err and not (tmp_path / "www").exists()
        (live / name).rmdir() if (live / name).is_dir() else (live / name).unlink()
    assert cli_publish(site, tmp_path / "www", "2026-12-01T00:00Z") == 0


def test_a_publish_killed_after_its_switch_is_finished_by_the_next(built, tmp_path) -> None:
    www = tmp_path / "www"
    assert cli_publish(built[0] / "site", www, "2026-12-01T00:00Z") == 0
    (tmp_path / ".www.versions" / "000000").mkdir()  # a version the cleanup must remove
    argv = ["publish", "--site", str(built[1] / "site"), "--to", str(www)]
    done = arms_metrics(*argv, "--now", "2026-12-01T00:00Z",
                        env={"ARMS_METRICS_FAULT": "publish-cleanup"})  # fmt: skip
    assert done.returncode == 137 and swap.tree_digest(www) == swap.tree_digest(built[1] / "site")
    assert (tmp_path / ".www.versions" / "000000").is_dir()  # killed before cleaning
    assert cli_publish(built[1] / "site", www, "2026-12-01T00:00Z") == 0  # unchanged
    kept = sorted(p.name for p in (tmp_path / ".www.versions").iterdir())
    assert kept == ["000001", "000001.files.json", "000002", "000002.files.json"]
    assert not list(tmp_path.glob(".www.switch-*"))


def test_a_site_missing_a_file_its_manifest_lists_is_not_published(built, tmp_path, capsys):
    """A site cut short (its data/ folder gone) would take the downloads off the web root."""
    site = copy_site(built[1], tmp_path / "short") / "site"
    live = site.resolve()
    shutil.rmtree(live / "data" / "codes")
    assert cli_publish(site, tmp_path / "www", "2026-12-01T00:00Z") == 77
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "data/codes/" in err and "since its run built it" in err, err
    assert not (tmp_path / "www").exists()


@pytest.mark.parametrize(
    ("cut", "words"),
    [
        # the release then no longer counted as one
        (f"releases/{NEWER}/data/indicators.csv", "since its run built it"),
        # the folder gone, its figures still on the site-wide pages
        # (the site-wide files are then not those FY2026-Q3's build wrote)
        (f"releases/{NEWER}", "since its run built it"),
        (f"releases/{NEWER}/manifest.json", "since its run built it"),
        # a page of the release the web root shows: that release would change
        (f"releases/{LATEST}/index.html", f"shows {LATEST} otherwise than --site"),
    ],
)
def test_a_release_cut_short_never_slips_past_its_embargo(built, tmp_path, capsys, cut, words):
    """The web root shows FY2026-Q3; the site holds FY2026-Q4, under embargo until
    2026-11-13. Cutting a file or the folder of a release out of the site must not publish
    FY2026-Q4 on 2026-09-01 (an outside tester had it published, exit 0, both ways)."""
    www = tmp_path / "www"
    assert cli_publish(built[0] / "site", www, "2026-09-01T00:00Z") == 0
    before = swap.tree_digest(www)
    site = copy_site(built[1], tmp_path / "cut") / "site"
    assert cli_publish(site, www, "2026-09-01T00:00Z") == 75  # whole: held by its embargo
    capsys.readouterr()
    target = site.resolve() / cut
    shutil.rmtree(target) if target.is_dir() else target.unlink()
    assert cli_publish(site, www, "2026-09-01T00:00Z") == 77
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and words in err, err
    assert swap.tree_digest(www) == before


@pytest.mark.parametrize(
    ("edit", "words"),
    [
        # a published figure changed with no correction: 26-07's value in the site-wide CSV
        (lambda s: _replace(s / "data/indicators.csv", ",362000000,", ",100,"),
         "data/indicators.csv was added, changed or removed since its run built it"),
        (lambda s: _replace(s / "index.html", "</main>", "<p>note</p></main>"),
         "index.html was added, changed or removed since its run built it"),
        (lambda s: (s / "indicators" / "extra.html").write_text("<p>hi</p>"),
         "indicators/extra.html was added, changed or removed since its run built it"),
        (lambda s: (s / "data.json").unlink(), "data.json was added, changed or removed"),
    ],
)  # fmt: skip
def test_a_site_edited_outside_a_run_is_not_published(built, tmp_path, capsys, edit, words):
    """Each release's manifest lists the files its build wrote with their sha256; a site
    holding anything else, or any of them changed (but the corrections log and page and
    the list of releases), was edited outside a run (an outside tester changed four
    published figures this way, exit 0, with no correction logged)."""
    www = tmp_path / "www"
    assert cli_publish(built[0] / "site", www, "2026-12-01T00:00Z") == 0
    before = swap.tree_digest(www)
    site = copy_site(built[0], tmp_path / "edited") / "site"
    edit(site.resolve())
    assert cli_publish(site, www, "2026-12-01T00:00Z") == 77
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and words in err, err
    assert swap.tree_digest(www) == before


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_only_a_site_a_run_switched_to_is_published(built, tmp_path, capsys) -> None:
    """A plain copy has no record of what a run built: refused, even one whose files no
    manifest covers (an outside tester put FY2026-Q4's front page into corrections.html and
    releases/index.html of such a copy and published it ten weeks early). In a site a run
    switched to, those pages are checked against the run's record like every other file."""
    www = tmp_path / "www"
    assert cli_publish(built[0] / "site", www, "2026-09-01T00:00Z") == 0
    before = swap.tree_digest(www)
    plain = tmp_path / "plain"
    shutil.copytree(built[1] / "site", plain)  # cp -rL of a site that adds FY2026-Q4
    assert cli_publish(plain, www, "2026-12-01T00:00Z") == 77
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "has no record of what its run built" in err, err
    site = copy_site(built[0], tmp_path / "edited") / "site"
    newer = (built[1] / "site" / "index.html").read_bytes()
    (site.resolve() / "corrections.html").write_bytes(newer)
    assert cli_publish(site, www, "2026-09-01T00:00Z") == 77
    assert "corrections.html was added, changed or removed" in capsys.readouterr().err
    assert swap.tree_digest(www) == before


@pytest.mark.parametrize("change", ["page edited", "release added", "copy failed"])
def test_a_site_changed_while_publish_copies_it_publishes_nothing(
    built, tmp_path, capsys, monkeypatch, change
) -> None:
    """Every check reads the site's digest before the copy: a writer outside the tool that
    edits a page, or slips in an embargoed release folder, while the copy runs (an outside
    tester did both in a 2 ms window) would be published unchecked. The copy is hashed
    again: any difference, or a copy that fails half way, is exit 77 and nothing is
    published. Here the writer acts on the copy itself, just after it is made; on
    2026-09-01, FY2026-Q3 is public and FY2026-Q4 (built in the other site) under embargo."""
    first, second = built[0] / "site", built[1] / "site"
    www = tmp_path / "www"
    original = swap.new_version

    def racing(webroot, source=None):
        if change == "copy failed":
            raise shutil.Error([(str(source), "gone", "No such file or directory")])
        version = original(webroot, source)
        if change == "page edited":
            page = version / "releases" / LATEST / "index.html"
            page.write_bytes(page.read_bytes() + b"<p>FORGED</p>")
        else:
            shutil.copytree(second.resolve() / "releases" / NEWER, version / "releases" / NEWER)
        return version

    monkeypatch.setattr(swap, "new_version", racing)
    assert cli_publish(first, www, "2026-09-01T00:00Z") == 77
    err = capsys.readouterr().err
    assert "changed while it was copied" in err and err.count("\n") == 1, err
    assert not www.exists() and not www.is_symlink()
    monkeypatch.setattr(swap, "new_version", original)
    assert cli_publish(first, www, "2026-09-01T00:00Z") == 0  # the next one, left alone
    assert swap.tree_digest(www) == swap.tree_digest(first)
    assert sorted(p.name for p in (tmp_path / ".www.versions").iterdir()) == [
        "000001", "000001.files.json"
    ]  # fmt: skip
