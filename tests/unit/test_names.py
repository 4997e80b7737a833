"""ingest/names.py and site/codelists.py: published codes, reader's names, the code lists,
and every published CSV read by pandas with its default settings.

Expected names and codes are written out by hand from the ISO 3166-1 table and the
committed reference files.
"""

from __future__ import annotations

import io

import pandas
import pytest

from arms_metrics.ingest.names import TOTAL_LABEL, load_names
from arms_metrics.site import codelists, downloads
from tests.unit.site_fixtures import cell, tiny_release


@pytest.fixture(scope="module")
def names(config):
    return load_names(config.reference_dir)


@pytest.mark.parametrize(
    ("breakdown", "code", "public", "label"),
    [
        ("total", "All", "All", "Total"),
        ("purchaser", "NA", "NAM", "Namibia"),
        ("purchaser", "AE", "ARE", "United Arab Emirates"),
        ("purchaser", "GB", "GBR", "United Kingdom"),
        ("purchaser", "XK", "XKX", "Kosovo"),
        ("purchaser", "NATO", "NATO", "North Atlantic Treaty Organization"),
        ("purchaser", "NSPA", "NSPA", "NATO Support and Procurement Agency"),
        ("region", "NEA", "NEA", "Near East"),
        ("implementing_agency", "AIR_FORCE", "AIR_FORCE", "Air Force"),
        ("implementing_agency", "DSCA", "DSCA", "Defense Security Cooperation Agency"),
        ("agency", "STATE", "STATE", "State (DDTC)"),
        ("priority_platform", "true", "true", "Priority platform"),
        ("priority_platform", "false", "false", "Other items"),
        ("funding_source", "FMF", "FMF", "Foreign Military Financing"),
        ("development_group", "B", "B", "Group B"),
        ("application_type", "DSP-5", "DSP-5", "DSP-5, permanent export"),
        ("authority", "AECA_36B", "AECA_36B", "AECA 36(b), FMS"),
        ("control_category", "XI", "XI", "USML Category XI: Military electronics"),
        ("control_category", "3", "3", "CCL Category 3: Electronics"),
    ],
)
def test_public_code_and_label_by_hand(names, breakdown, code, public, label):
    assert names.public(breakdown, code) == public
    assert names.label(breakdown, code) == label


def test_internal_is_public_the_other_way_round(names, config):
    internal = names.internal()["purchaser"]
    assert internal["NAM"] == "NA" and internal["GBR"] == "GB" and internal["XKX"] == "XK"
    assert "NATO" not in internal  # published as it is
    assert not set(internal) & set(internal.values())  # no published code is a cell code
    assert TOTAL_LABEL == "Total"


def test_every_committed_code_has_a_name(names, config):
    """Each purchaser, agency and category of the reference has a label that is not its code
    (so no page or CSV shows a bare code for a category the reference knows)."""
    from arms_metrics.ingest.reference import load_reference

    ref = load_reference(config.reference_dir)
    for code in ref.purchaser_codes:
        assert names.label("purchaser", code) != code
    for code in ref.agency_codes("implementing"):
        assert names.label("implementing_agency", code) != code
    for code in ref.agency_codes("licensing"):
        assert names.label("agency", code) != code
    for codes in ref.categories.values():
        for code in codes:
            assert names.label("control_category", code) != code


@pytest.fixture
def site(config, tmp_path):
    offered = "fms_loas_offered"
    rows = [
        cell(offered, "FY2026-Q2", 12, "count", 12),
        cell(offered, "FY2026-Q2", 3, "count", 3, "purchaser", "NA"),
        cell(offered, "FY2026-Q2", 4, "count", 4, "purchaser", "NATO"),
        cell(offered, "FY2026-Q2", 5, "count", 5, "region", "AF"),
        cell("lic_processing_days_median", "FY2026-Q2", None, "days", 0),
    ]
    release = tiny_release(config, rows, "FY2026-Q2")
    downloads.write_data(release, tmp_path)
    return tmp_path


def _lines(path) -> list[str]:
    return path.read_bytes().decode("utf-8").split("\r\n")


def test_code_lists_by_hand(site):
    purchasers = _lines(site / "data" / "codes" / "purchasers.csv")
    assert purchasers[0] == "code,alpha2,alpha3,name,region,kind"
    assert "NAM,NA,NAM,Namibia,AF,country" in purchasers
    assert "NATO,,,North Atlantic Treaty Organization,IO,organization" in purchasers
    assert "XKX,XK,XKX,Kosovo,EUR,country" in purchasers
    assert purchasers[1].startswith("ABW,AW,ABW,Aruba,")  # sorted by published code
    assert len(purchasers) == 1 + 256 + 1  # header, 250 countries and 6 organizations, ""
    agencies = _lines(site / "data" / "codes" / "agencies.csv")
    assert agencies[0] == "code,name,label,kind"
    assert "AIR_FORCE,Department of the Air Force,Air Force,implementing" in agencies
    categories = _lines(site / "data" / "codes" / "control_categories.csv")
    assert categories[0] == "agency,code,name,label"
    assert categories[1] == (
        'COMMERCE,0,"Nuclear materials, facilities, and equipment (and miscellaneous items)",'
        '"CCL Category 0: Nuclear materials, facilities, and equipment (and miscellaneous '
        'items)"'
    )
    assert (
        "STATE,VIII,Aircraft and related articles,USML Category VIII: Aircraft and related "
        "articles" in categories
    )
    regions = _lines(site / "data" / "codes" / "regions.csv")
    assert regions[:3] == ["code,label", "AF,Africa", "EAP,East Asia and Pacific"]


def _published_csvs(site) -> list:
    return sorted(p for p in site.rglob("*.csv") if "codes" not in p.parts)


def test_pandas_defaults_find_no_missing_code_or_label(site):
    """pandas.read_csv with its defaults: breakdown_value and breakdown_label never missing,
    Namibia (reference code NA) present as NAM, with its name."""
    paths = _published_csvs(site)
    assert len(paths) == 2  # data/indicators.csv and releases/FY2026-Q2/data/indicators.csv
    for path in paths:
        frame = pandas.read_csv(path)
        assert not frame["breakdown_value"].isna().any(), path
        assert not frame["breakdown_label"].isna().any(), path
        namibia = frame[frame["breakdown_value"] == "NAM"]
        assert namibia["breakdown_label"].tolist() == ["Namibia"]
        assert set(frame["status"]) == {"ok", "not_applicable"}
    codes = pandas.read_csv(site / "data" / "codes" / "purchasers.csv")
    assert not codes["code"].isna().any() and not codes["name"].isna().any()


def test_pandas_would_lose_alpha2_namibia():
    """Why alpha-3: the same file with alpha-2 codes loses Namibia under pandas' defaults,
    quoted or not (so the test above can fail)."""
    text = 'breakdown,breakdown_value\r\npurchaser,"NA"\r\npurchaser,NA\r\n'
    frame = pandas.read_csv(io.StringIO(text))
    assert frame["breakdown_value"].isna().all()


def test_code_list_resources_name_their_files():
    paths = [r["path"] for r in codelists.resources()]
    assert paths == [
        "codes/purchasers.csv",
        "codes/agencies.csv",
        "codes/control_categories.csv",
        "codes/regions.csv",
    ]


def test_pages_name_purchasers_as_the_csv_does(config):
    """The breakdown table of a page and its CSV use the same label for the same cell."""
    from arms_metrics.site import views

    rows = [
        cell("fms_loas_offered", "FY2026-Q2", 3, "count", 3, "purchaser", "NA"),
        cell("fms_loas_offered", "FY2026-Q2", 5, "count", 5, "purchaser", "AE"),
    ]
    release = tiny_release(config, rows, "FY2026-Q2")
    indicator = release.config.registry.get("fms_loas_offered")
    table = views.breakdown_table(release, indicator, "purchaser", "x.csv", "x")
    # purchasers grouped under their region, by name within it (no region recorded here)
    assert [label for label, _ in table.rows] == ["Namibia", "United Arab Emirates"]
    text = downloads.csv_bytes(table.cells, downloads.release_names(release)).decode()
    assert ",purchaser,ARE,United Arab Emirates,5,ok," in text
    assert ",purchaser,NAM,Namibia,3,ok," in text


def test_pandas_defaults_read_every_code_but_namibias_alpha2(site):
    """Every code list opened with pandas.read_csv's defaults: no code column reads as
    missing, except alpha-2 where an organization has none and Namibia's NA, which the
    data package's description of the column warns about."""
    import json

    import pandas

    folder = site / "data" / "codes"
    for path in sorted(folder.glob("*.csv")):
        frame = pandas.read_csv(path)
        if path.stem == "purchasers":  # an organization has no ISO codes: empty, rightly
            frame = frame[frame["kind"] == "country"]
        for column in frame.columns:
            missing = frame[frame[column].isna()]
            expected = ["NAM"] if (path.stem, column) == ("purchasers", "alpha2") else []
            assert list(missing.get("code", missing.index)) == expected, (path.name, column)
    package = json.loads((site / "data" / "datapackage.json").read_text(encoding="utf-8"))
    fields = [f for r in package["resources"] for f in r["schema"]["fields"]]
    alpha2 = next(f for f in fields if f["name"] == "alpha2")
    assert "keep_default_na=False" in alpha2["description"]
