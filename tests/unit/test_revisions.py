"""Revisions: a figure is revised when it differs from what the previous release published."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import polars as pl

from arms_metrics.cells import CELL_SCHEMA, PUBLIC_COLUMNS
from arms_metrics.ingest.names import load_names
from arms_metrics.publication.revisions import baseline, mark_revisions
from arms_metrics.quarters import Quarter
from arms_metrics.release import earlier_figures, previous_release, published_releases

# Releases written before 0.2: alpha-2 purchaser codes, no breakdown_label, no status.
OLD_HEADER = (
    "indicator_id,period,fiscal_year,fiscal_quarter,breakdown,breakdown_value,value,unit,n,"
    "suppressed,revised"
)
HEADER = ",".join(PUBLIC_COLUMNS)


def _write_release(site: Path, label: str, rows: list[str], header: str = OLD_HEADER) -> None:
    folder = site / "releases" / label / "data"
    folder.mkdir(parents=True)
    (folder / "indicators.csv").write_bytes(("\r\n".join([header, *rows]) + "\r\n").encode())


def _cell(period: str, breakdown: str, value: str | None, suppressed: bool = False) -> dict:
    quarter = Quarter.parse(period)
    return {
        "indicator_id": "lic_final_actions",
        "period": period,
        "fiscal_year": quarter.fiscal_year,
        "fiscal_quarter": quarter.quarter,
        "breakdown": breakdown.split("=")[0],
        "breakdown_value": breakdown.split("=")[1],
        "value": None if value is None else Decimal(value),
        "unit": "count",
        "n": None if value is None else int(Decimal(value)),
        "max_record_value": None,
        "parent": None,
        "suppressed": suppressed,
        "suppression": "threshold" if suppressed else None,
        "revised": False,
    }


def _cells(rows: list[dict]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=CELL_SCHEMA)


def test_no_previous_release_means_nothing_revised(tmp_path) -> None:
    cells = _cells([_cell("FY2026-Q1", "total=All", "10")])
    marked = mark_revisions(cells, tmp_path / "site", Quarter(2026, 2))
    assert marked["revised"].to_list() == [False]


def test_revised_against_the_previous_release(tmp_path) -> None:
    site = tmp_path / "site"
    _write_release(
        site,
        "FY2026-Q1",
        [
            "lic_final_actions,FY2025-Q4,2025,4,total,All,7,count,7,false,false",
            "lic_final_actions,FY2026-Q1,2026,1,agency,COMMERCE,,count,,true,false",
            "lic_final_actions,FY2026-Q1,2026,1,agency,STATE,8,count,8,false,false",
            "lic_final_actions,FY2026-Q1,2026,1,total,All,10,count,10,false,false",
        ],
    )
    cells = _cells(
        [
            _cell("FY2025-Q4", "total=All", "7"),  # same value: not revised
            _cell("FY2026-Q1", "agency=COMMERCE", "3"),  # was suppressed, now published
            _cell("FY2026-Q1", "agency=STATE", "8.0"),  # 8 == 8.0: not revised
            _cell("FY2026-Q1", "purchaser=FR", "3"),  # a key the release did not have
            _cell("FY2026-Q1", "total=All", "11"),  # a late record: 10 -> 11
            _cell("FY2026-Q2", "total=All", "12"),  # the new quarter: never revised
        ]
    )
    marked = mark_revisions(cells, site, Quarter(2026, 2))
    assert marked["revised"].to_list() == [False, True, False, True, True, False]
    assert marked.columns == cells.columns
    assert marked.drop("revised").equals(cells.drop("revised"))


def test_an_indicator_or_quarter_the_release_did_not_publish_is_new_not_revised(tmp_path):
    # The previous release (FY2026-Q1) published lic_final_actions for FY2026-Q1 only (its
    # series started there, say): FY2025-Q4 of it is new; lic_pending is an indicator added
    # since (new everywhere); a purchaser it did not have in FY2026-Q1 is revised.
    site = tmp_path / "site"
    row = "lic_final_actions,FY2026-Q1,2026,1,total,All,10,count,10,false,false"
    _write_release(site, "FY2026-Q1", [row])
    added = {**_cell("FY2026-Q1", "total=All", "4"), "indicator_id": "lic_pending"}
    cells = _cells(
        [
            _cell("FY2025-Q4", "total=All", "7"),
            _cell("FY2026-Q1", "purchaser=FR", "3"),
            _cell("FY2026-Q1", "total=All", "10"),
            added,
        ]
    )
    marked = mark_revisions(cells, site, Quarter(2026, 2))
    assert marked["revised"].to_list() == [False, True, False, False]


def test_newly_suppressed_is_revised(tmp_path) -> None:
    site = tmp_path / "site"
    row = "lic_final_actions,FY2026-Q1,2026,1,total,All,3,count,3,false,false"
    _write_release(site, "FY2026-Q1", [row])
    cells = _cells([_cell("FY2026-Q1", "total=All", None, suppressed=True)])
    assert mark_revisions(cells, site, Quarter(2026, 2))["revised"].to_list() == [True]


def test_previous_release_is_the_latest_earlier_one(tmp_path) -> None:
    site = tmp_path / "site"
    for label in ["FY2025-Q4", "FY2026-Q1", "FY2026-Q3"]:
        _write_release(site, label, [])
    (site / "releases" / "notes").mkdir()
    (site / "releases" / "FY2026-Q2").mkdir()  # no indicators.csv: not a release
    assert [q.label for q in published_releases(site)] == ["FY2025-Q4", "FY2026-Q1", "FY2026-Q3"]
    assert previous_release(site, Quarter(2026, 2)) == Quarter(2026, 1)
    assert previous_release(site, Quarter(2025, 4)) is None


def _purchaser_cells() -> pl.DataFrame:
    rows = [_cell("FY2026-Q1", "purchaser=NA", "4"), _cell("FY2026-Q1", "purchaser=NATO", "6")]
    rows += [_cell("FY2026-Q1", "purchaser=GB", "5")]
    return _cells(rows)


def test_alpha3_release_compares_with_the_cells_codes(tmp_path, config) -> None:
    """A release that published NAM and GBR: the cells hold NA and GB; GB changed 9 -> 5."""
    site = tmp_path / "site"
    rows = [
        "lic_final_actions,FY2026-Q1,2026,1,purchaser,GBR,United Kingdom,9,ok,count,9,false,false",
        "lic_final_actions,FY2026-Q1,2026,1,purchaser,NAM,Namibia,4,ok,count,4,false,false",
        "lic_final_actions,FY2026-Q1,2026,1,purchaser,NATO,North Atlantic Treaty Organization,"
        "6,ok,count,6,false,false",
    ]
    _write_release(site, "FY2026-Q1", rows, HEADER)
    internal = load_names(config.reference_dir).internal()
    marked = mark_revisions(_purchaser_cells(), site, Quarter(2026, 2), internal)
    assert marked["revised"].to_list() == [False, False, True]
    # Without the mapping NAM and GBR are keys the cells never had: all but NATO "revised".
    unmapped = mark_revisions(_purchaser_cells(), site, Quarter(2026, 2))
    assert unmapped["revised"].to_list() == [True, False, True]


def test_alpha2_release_from_before_still_compares(tmp_path, config) -> None:
    """A release written before 0.2 published NA and GB: they are the cells' codes."""
    site = tmp_path / "site"
    rows = [
        "lic_final_actions,FY2026-Q1,2026,1,purchaser,GB,5,count,5,false,false",
        "lic_final_actions,FY2026-Q1,2026,1,purchaser,NA,4,count,4,false,false",
        "lic_final_actions,FY2026-Q1,2026,1,purchaser,NATO,6,count,6,false,false",
    ]
    _write_release(site, "FY2026-Q1", rows)
    internal = load_names(config.reference_dir).internal()
    marked = mark_revisions(_purchaser_cells(), site, Quarter(2026, 2), internal)
    assert marked["revised"].to_list() == [False, False, False]


def test_earlier_figures_are_keyed_by_the_cells_codes(tmp_path, config) -> None:
    site = tmp_path / "site"
    old = ["lic_final_actions,FY2025-Q4,2025,4,purchaser,NA,4,count,4,false,false"]
    new = [
        "lic_final_actions,FY2026-Q1,2026,1,purchaser,NAM,Namibia,7,ok,count,7,false,false",
        "lic_final_actions,FY2026-Q1,2026,1,purchaser,KOR,Republic of Korea,,suppressed,count,"
        ",true,false",
    ]
    _write_release(site, "FY2025-Q4", old)
    _write_release(site, "FY2026-Q1", new, HEADER)
    internal = load_names(config.reference_dir).internal()
    found = earlier_figures(site, Quarter(2026, 2), internal)
    assert found == {
        ("lic_final_actions", "FY2025-Q4", "purchaser", "NA"): {(Decimal(4), 4)},
        ("lic_final_actions", "FY2026-Q1", "purchaser", "NA"): {(Decimal(7), 7)},
    }


def _manifest(site: Path, label: str, against: str | None) -> None:
    document = {"release": label, "release_date": "2026-05-15", "revised_against": against}
    (site / "releases" / label / "manifest.json").write_text(json.dumps(document))


def test_the_baseline_is_the_one_the_manifest_records(tmp_path) -> None:
    site = tmp_path / "site"
    for label in ["FY2025-Q3", "FY2025-Q4", "FY2026-Q1", "FY2026-Q2"]:
        _write_release(site, label, [])
    # FY2026-Q1 was published first (nothing before it), FY2025-Q4 was built later.
    _manifest(site, "FY2026-Q1", None)
    assert baseline(site, Quarter(2026, 1)) is None
    _manifest(site, "FY2026-Q2", "FY2025-Q3")  # measured against FY2025-Q3 then
    assert baseline(site, Quarter(2026, 2)) == Quarter(2025, 3)
    # A new release, a manifest without the record (before 0.2), a record of a release no
    # longer in the site, or one not before it: the latest release before it.
    assert baseline(site, Quarter(2026, 3)) == Quarter(2026, 2)
    _manifest(site, "FY2025-Q4", None)
    (site / "releases/FY2025-Q4/manifest.json").write_text('{"release_date": "2025-11-14"}')
    assert baseline(site, Quarter(2025, 4)) == Quarter(2025, 3)
    for odd in ["FY2024-Q1", "FY2026-Q2", "FY2026-Q4", "not a quarter", ""]:
        _manifest(site, "FY2026-Q1", odd)
        assert baseline(site, Quarter(2026, 1)) == Quarter(2025, 4), odd


def test_a_rebuild_keeps_the_flags_its_release_published(tmp_path) -> None:
    """FY2026-Q2 published total 7 for FY2026-Q1 as not revised (it was the first release);
    FY2026-Q1 was built later with 6. A rebuild of FY2026-Q2 keeps "not revised" for the 7
    it still publishes; a figure it would change (STATE 4 -> 5) is measured afresh."""
    site = tmp_path / "site"
    _write_release(site, "FY2026-Q1", [
        "lic_final_actions,FY2026-Q1,2026,1,total,All,6,count,6,false,false",
        "lic_final_actions,FY2026-Q1,2026,1,agency,STATE,4,count,4,false,false",
    ])  # fmt: skip
    _write_release(site, "FY2026-Q2", [
        "lic_final_actions,FY2026-Q1,2026,1,total,All,7,count,7,false,false",
        "lic_final_actions,FY2026-Q1,2026,1,agency,STATE,4,count,4,false,true",
    ])  # fmt: skip
    _manifest(site, "FY2026-Q2", "FY2026-Q1")
    cells = _cells([_cell("FY2026-Q1", "total=All", "7"), _cell("FY2026-Q1", "agency=STATE", "5")])
    marked = mark_revisions(cells, site, Quarter(2026, 2))
    # total: kept as published (false), although 7 differs from FY2026-Q1's 6;
    # STATE: 5 differs from both, so measured against FY2026-Q1 (4): revised.
    assert marked["revised"].to_list() == [False, True]
    same = _cells([_cell("FY2026-Q1", "agency=STATE", "4")])
    # unchanged from its own release (flag true there) although FY2026-Q1 also says 4
    assert mark_revisions(same, site, Quarter(2026, 2))["revised"].to_list() == [True]
