"""publication.diff: the published figures a fresh build would change, cell by cell (the
release FY2026-Q2 of ``test_corrections``; every expected row worked out by hand)."""

from __future__ import annotations

from pathlib import Path

from arms_metrics.publication import diff
from tests.unit.test_corrections import Q2, internal, site  # noqa: F401 - fixtures
from tests.unit.test_revisions import _cell, _cells

UNITS = {"lic_final_actions": "count"}


def test_each_kind_of_change_is_one_row_with_published_codes(site, internal) -> None:  # noqa: F811
    cells = _cells([
        _cell("FY2026-Q2", "total=All", "31"),  # 30 -> 31
        _cell("FY2026-Q2", "purchaser=GB", "10"),  # the same: not listed
        _cell("FY2026-Q2", "purchaser=FR", None, suppressed=True),  # 12 -> suppressed
        # JPN dropped: 8 -> not published
        _cell("FY2026-Q2", "purchaser=KR", "1"),  # not published -> 1
    ])  # fmt: skip
    rows = diff.changes(cells, site, Q2, UNITS, internal)
    assert rows == [  # by cell, in the published order (byte order of the cells' codes)
        ("lic_final_actions", "FY2026-Q2", "purchaser", "FRA", "12", "suppressed"),
        ("lic_final_actions", "FY2026-Q2", "purchaser", "JPN", "8", "not_published"),
        ("lic_final_actions", "FY2026-Q2", "purchaser", "KOR", "not_published", "1"),
        ("lic_final_actions", "FY2026-Q2", "total", "All", "30", "31"),
    ]
    assert diff.as_csv(rows[:1]) == (
        b"indicator_id,period,breakdown,breakdown_value,old,new\r\n"
        b"lic_final_actions,FY2026-Q2,purchaser,FRA,12,suppressed\r\n"
    )


def test_the_same_figures_are_no_change(site, internal) -> None:  # noqa: F811
    published = [("total=All", "30"), ("purchaser=GB", "10"), ("purchaser=FR", "12"),
                 ("purchaser=JP", "8")]  # fmt: skip
    cells = _cells([_cell("FY2026-Q2", key, value) for key, value in published])
    rows = diff.changes(cells, site, Q2, UNITS, internal)
    assert rows == []
    assert diff.as_text(Q2, rows, Path("x.csv")) == (
        "FY2026-Q2: a fresh build changes none of its published figures"
    )


def test_a_figure_shows_as_the_csv_writes_it_or_its_status() -> None:
    from decimal import Decimal

    assert diff.figure(Decimal("362000000.0"), False, True, "usd") == "362000000"
    assert diff.figure(Decimal("45.50"), False, True, "days") == "45.5"
    assert diff.figure(Decimal("0.25"), False, True, "percent") == "0.2"  # half-even
    assert diff.figure(None, False, True, "days") == "not_applicable"
    assert diff.figure(None, True, True, "count") == "suppressed"
    assert diff.figure(Decimal(3), False, False, "count") == "not_published"
