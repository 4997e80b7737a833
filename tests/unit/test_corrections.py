"""publication.corrections: which published figures a rebuild would change, the refusal and
the log (every expected value worked out by hand from the rows below)."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from arms_metrics.errors import Refused, UsageError
from arms_metrics.publication import corrections
from arms_metrics.quarters import Quarter
from arms_metrics.release import Correction, earlier_figures
from tests.unit.test_revisions import HEADER, _cell, _cells, _write_release

Q2 = Quarter(2026, 2)
PUBLISHED = [  # release FY2026-Q2 as published: three purchaser cells and the total
    "lic_final_actions,FY2026-Q2,2026,2,total,All,Total,30,ok,count,30,false,false",
    "lic_final_actions,FY2026-Q2,2026,2,purchaser,GBR,United Kingdom,10,ok,count,10,false,false",
    "lic_final_actions,FY2026-Q2,2026,2,purchaser,FRA,France,12,ok,count,12,false,false",
    "lic_final_actions,FY2026-Q2,2026,2,purchaser,JPN,Japan,8,ok,count,8,false,false",
]


@pytest.fixture
def site(tmp_path, config):
    _write_release(tmp_path / "site", "FY2026-Q2", PUBLISHED, HEADER)
    return tmp_path / "site"


@pytest.fixture
def internal(config):
    from arms_metrics.ingest.names import load_names

    return load_names(config.reference_dir).internal()


def test_the_same_figures_change_nothing(site, internal) -> None:
    published = [("total=All", "30"), ("purchaser=GB", "10"), ("purchaser=FR", "12"),
                 ("purchaser=JP", "8")]  # fmt: skip
    cells = _cells([_cell("FY2026-Q2", key, value) for key, value in published])
    assert corrections.changed_cells(cells, site, Q2, internal) == 0


def test_changed_suppressed_dropped_and_added_figures_all_count(site, internal) -> None:
    cells = _cells([
        _cell("FY2026-Q2", "total=All", "31"),  # 30 -> 31: changed
        _cell("FY2026-Q2", "purchaser=GB", "10"),  # the same
        _cell("FY2026-Q2", "purchaser=FR", None, suppressed=True),  # 12 -> (S): changed
        # JPN dropped: changed
        _cell("FY2026-Q2", "purchaser=KR", "1"),  # not published before: changed
    ])  # fmt: skip
    assert corrections.changed_cells(cells, site, Q2, internal) == 4


def test_a_release_not_published_has_nothing_to_compare(site, internal) -> None:
    cells = _cells([_cell("FY2026-Q3", "total=All", "30")])
    assert corrections.changed_cells(cells, site, Quarter(2026, 3), internal) is None


TODAY = dt.date(2026, 11, 30)


def test_decide() -> None:
    assert corrections.decide(Q2, None, None, TODAY) is None  # a new release
    assert corrections.decide(Q2, 0, None, TODAY) is None  # an unchanged rerun
    assert corrections.decide(Q2, 0, "late records", TODAY) is None  # nothing to correct
    with pytest.raises(Refused, match="FY2026-Q2 is published and 4 of its figures would change"):
        corrections.decide(Q2, 4, None, TODAY)
    with pytest.raises(UsageError, match="not published yet"):
        corrections.decide(Q2, None, "late records", TODAY)
    with pytest.raises(UsageError, match="--correction is empty"):
        corrections.decide(Q2, 4, " \t", TODAY)
    entry = corrections.decide(Q2, 4, "  late\nrecords ", TODAY)
    assert entry == Correction(TODAY, "FY2026-Q2", "late records", 4)  # one line


@pytest.mark.parametrize(
    ("reason", "message"),
    [
        ("late \x1b[31mrecords", "invisible character U\\+001B"),  # a terminal escape
        ("late \u202erecords", "invisible character U\\+202E"),  # right-to-left override
        ("late\u200brecords", "invisible character U\\+200B"),  # zero-width space
        ("late \x00 records", "invisible character U\\+0000"),
        ("\u3164\u2800\u115f", "invisible character U\\+3164"),  # looks empty
        ("late\u034frecords", "invisible character U\\+034F"),  # combining grapheme joiner
        ("late records\ufe0f", "invisible character U\\+FE0F"),  # a variation selector
        ("\u2800 \u2800", "no letter or digit"),  # braille blanks
        ("... !", "no letter or digit"),
        ("x" * 501, "is 501 characters long: at most 500"),
    ],
)
def test_a_reason_the_log_cannot_print_as_given_is_refused(reason, message) -> None:
    with pytest.raises(UsageError, match=message):
        corrections.decide(Q2, 4, reason, TODAY)
    # on the boundary, and with letters of any script: accepted as given
    for fine in ("x" * 500, "Nachträge aus Åland; 迟到的记录", "=1+1 was keyed"):
        assert corrections.decide(Q2, 4, fine, TODAY).reason == fine


def test_the_log_round_trips_and_is_inert(tmp_path) -> None:
    log = [Correction(TODAY, "FY2026-Q2", "=HYPERLINK(1), late", 4)]
    data = corrections.log_bytes(log)
    assert (
        data == b'date,release,reason,cells\r\n2026-11-30,FY2026-Q2,"\'=HYPERLINK(1), late",4\r\n'
    )
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "corrections.csv").write_bytes(data)
    release = tmp_path / "releases" / "FY2026-Q2"  # the corrected release, as a run leaves it
    (release / "data").mkdir(parents=True)
    (release / "data" / "indicators.csv").write_text("indicator_id\n")
    recorded = {"date": "2026-11-30", "reason": "=HYPERLINK(1), late", "cells": 4}
    (release / "manifest.json").write_text(json.dumps({"corrections": [recorded]}))
    read = corrections.read_log(tmp_path)
    assert read == log  # the apostrophe is the CSV's, not the reason's: the pages show it as given
    assert corrections.log_bytes(read) == data  # rewriting the log changes no byte
    # a reason that itself starts with the apostrophe of a formula would not round-trip
    with pytest.raises(UsageError, match="starts with an apostrophe"):
        corrections.decide(Q2, 4, "'=1+1 was keyed", TODAY)
    assert corrections.decide(Q2, 4, "'late' records", TODAY).reason == "'late' records"


def test_an_older_build_is_audited_against_later_releases_too(tmp_path) -> None:
    site = tmp_path / "site"
    row = "lic_final_actions,{p},{y},{q},total,All,Total,{v},ok,count,{v},false,false"
    _write_release(site, "FY2026-Q1", [row.format(p="FY2026-Q1", y=2026, q=1, v=9)], HEADER)
    _write_release(site, "FY2026-Q2", [row.format(p="FY2026-Q2", y=2026, q=2, v=6)], HEADER)
    _write_release(site, "FY2026-Q3", [row.format(p="FY2026-Q2", y=2026, q=2, v=5)], HEADER)
    assert earlier_figures(site, Q2) == {  # FY2026-Q2's own release is not what others know
        ("lic_final_actions", "FY2026-Q1", "total", "All"): {(9, 9)},
        ("lic_final_actions", "FY2026-Q2", "total", "All"): {(5, 5)},  # from the later one
    }


def test_later_releases_that_show_corrected_figures_otherwise_are_counted(site, internal):
    """FY2026-Q2 corrected: GB 10 -> 11, FR dropped, KR 1 added (JP and the total as they
    were, so not corrected). FY2026-Q3 still shows GB 10 and FR 12 and no KR: 3 figures
    otherwise. FY2026-Q4 shows GB 11, no FR, KR 1: none."""
    cells = _cells([
        _cell("FY2026-Q2", "total=All", "30"),
        _cell("FY2026-Q2", "purchaser=GB", "11"),
        _cell("FY2026-Q2", "purchaser=JP", "8"),
        _cell("FY2026-Q2", "purchaser=KR", "1"),
    ])  # fmt: skip
    changed = corrections.changed_figures(cells, site, Q2, internal)
    assert changed.height == 3  # GB changed, FR dropped, KR added
    row = "lic_final_actions,FY2026-Q2,2026,2,purchaser,{},{},{v},ok,count,{v},false,false"
    _write_release(site, "FY2026-Q3", [
        row.format("GBR", "United Kingdom", v=10), row.format("FRA", "France", v=12),
        row.format("JPN", "Japan", v=8),
    ], HEADER)  # fmt: skip
    _write_release(site, "FY2026-Q4", [
        row.format("GBR", "United Kingdom", v=11), row.format("KOR", "Republic of Korea", v=1),
    ], HEADER)  # fmt: skip
    assert corrections.disagree(changed, site, Quarter(2026, 3), internal) == 3
    assert corrections.disagree(changed, site, Quarter(2026, 4), internal) == 0
