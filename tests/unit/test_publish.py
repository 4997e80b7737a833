"""downloads.py: the CSV bytes, the data package, the DCAT-US catalog and the manifest.

Every expected value below is written out by hand from the fixture rows.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
from decimal import Decimal
from pathlib import Path

import pytest

from arms_metrics.quarters import Quarter
from arms_metrics.release import InputFile
from arms_metrics.site import downloads
from tests.unit.site_fixtures import cell, tiny_release

# (value, unit) -> CSV text, worked out by hand.
FORMAT_TABLE = [
    (Decimal("12.0"), "count", "12"),
    (Decimal("1234567890.0"), "usd", "1234567890"),
    (Decimal("23.5"), "days", "23.5"),
    (Decimal("87.0"), "percent", "87.0"),
    (Decimal("0.0"), "count", "0"),
    (Decimal("-0.0"), "days", "0.0"),
    (Decimal("1E+3"), "count", "1000"),  # never an exponent
    (Decimal("1E+12"), "usd", "1000000000000"),
    (Decimal("2.5"), "usd", "2"),  # half-even
    (Decimal("3.5"), "count", "4"),
    (Decimal("-4.0"), "percent", "-4.0"),
    (None, "count", ""),
    (None, "days", ""),
]


@pytest.mark.parametrize(("value", "unit", "expected"), FORMAT_TABLE)
def test_format_value_hand_table(value, unit, expected):
    assert downloads.format_value(value, unit) == expected


def small_rows():
    """Purchasers by reference code (alpha-2), as the cells hold them."""
    offered = "fms_loas_offered"
    return [
        cell(offered, "FY2026-Q2", 55, "count", 55),
        cell(offered, "FY2026-Q2", None, "count", None, "purchaser", "KR", suppressed=True),
        cell(offered, "FY2026-Q2", 9, "count", 9, "purchaser", "ZM"),
        cell(offered, "FY2026-Q2", 7, "count", 7, "purchaser", "SA"),
        cell(offered, "FY2026-Q2", 4, "count", 4, "purchaser", "RS"),
        cell(offered, "FY2026-Q2", 3, "count", 3, "purchaser", "NA"),
        cell(offered, "FY2026-Q2", 5, "count", 5, "purchaser", "NATO"),
        cell(offered, "FY2026-Q2", 1, "count", 1, "purchaser", "BQ"),
        cell(offered, "FY2026-Q2", None, "count", 0, "region", "EUR"),
        cell(
            "fms_loa_development_days_median",
            "FY2026-Q1",
            Decimal("30.5"),
            "days",
            12,
            revised=True,
        ),
        cell("fms_loas_accepted_value_usd", "FY2026-Q2", 1234567890, "usd", 14),
    ]


# Sorted by hand: "fms_loa_" < "fms_loas" ('_' 0x5F < 's' 0x73); purchaser < region < total;
# purchasers by their published code: alpha-3 for countries (BQ BES, KR KOR, NA NAM, SA SAU,
# RS SRB, ZM ZMB, from the ISO 3166-1 table), NATO its own; so SAU < SRB although RS < SA.
# Labels are the reference names; a name with a comma is quoted (RFC 4180); the suppressed
# cell has empty value and n; the region cell without a value is not_applicable.
EXPECTED_CSV = (
    b"indicator_id,period,fiscal_year,fiscal_quarter,breakdown,breakdown_value,breakdown_label,"
    b"value,status,unit,n,suppressed,revised\r\n"
    b"fms_loa_development_days_median,FY2026-Q1,2026,1,total,All,Total,30.5,ok,days,12,"
    b"false,true\r\n"
    b"fms_loas_accepted_value_usd,FY2026-Q2,2026,2,total,All,Total,1234567890,ok,usd,14,"
    b"false,false\r\n"
    b'fms_loas_offered,FY2026-Q2,2026,2,purchaser,BES,"Bonaire, Sint Eustatius and Saba",'
    b"1,ok,count,1,false,false\r\n"
    b"fms_loas_offered,FY2026-Q2,2026,2,purchaser,KOR,Republic of Korea,,suppressed,count,,"
    b"true,false\r\n"
    b"fms_loas_offered,FY2026-Q2,2026,2,purchaser,NAM,Namibia,3,ok,count,3,false,false\r\n"
    b"fms_loas_offered,FY2026-Q2,2026,2,purchaser,NATO,North Atlantic Treaty Organization,"
    b"5,ok,count,5,false,false\r\n"
    b"fms_loas_offered,FY2026-Q2,2026,2,purchaser,SAU,Saudi Arabia,7,ok,count,7,false,false\r\n"
    b"fms_loas_offered,FY2026-Q2,2026,2,purchaser,SRB,Serbia,4,ok,count,4,false,false\r\n"
    b"fms_loas_offered,FY2026-Q2,2026,2,purchaser,ZMB,Zambia,9,ok,count,9,false,false\r\n"
    b"fms_loas_offered,FY2026-Q2,2026,2,region,EUR,Europe and Eurasia,,not_applicable,count,0,"
    b"false,false\r\n"
    b"fms_loas_offered,FY2026-Q2,2026,2,total,All,Total,55,ok,count,55,false,false\r\n"
)


def _csv(release) -> bytes:
    return downloads.csv_bytes(release.cells, downloads.release_names(release))


def test_csv_bytes_exact(config):
    release = tiny_release(config, small_rows(), "FY2026-Q2")
    assert _csv(release) == EXPECTED_CSV


def test_csv_never_publishes_internal_columns(config):
    release = tiny_release(config, small_rows(), "FY2026-Q2")
    header = _csv(release).split(b"\r\n")[0].decode()
    assert "max_record_value" not in header and "parent" not in header
    assert "suppression" not in header.replace("suppressed", "")


def test_suppressed_n_is_never_published_even_if_present(config):
    row = cell("fms_loas_offered", "FY2026-Q2", None, "count", 2, suppressed=True)
    release = tiny_release(config, [row], "FY2026-Q2")
    line = _csv(release).split(b"\r\n")[1]
    assert (
        line == b"fms_loas_offered,FY2026-Q2,2026,2,total,All,Total,,suppressed,count,,true,false"
    )


@pytest.fixture
def written(config, tmp_path):
    inputs = (InputFile("export_licenses", "export_licenses.csv", "ab" * 32, 10, 9, 1),)
    release = tiny_release(config, small_rows(), "FY2026-Q2", inputs=inputs)
    downloads.write_data(release, tmp_path)
    return release, tmp_path


def test_write_data_files(written):
    release, site = written
    latest = (site / "data" / "indicators.csv").read_bytes()
    assert latest == EXPECTED_CSV
    assert (site / "releases" / "FY2026-Q2" / "data" / "indicators.csv").read_bytes() == latest
    assert (site / "data" / "datapackage.json").is_file() and (site / "data.json").is_file()


def test_datapackage_validates_with_frictionless(written):
    from frictionless import validate

    _, site = written
    report = validate(str(site / "data" / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    assert report.stats["tasks"] == 5  # indicators and the four code lists


def test_datapackage_rejects_a_bad_csv(written):
    from frictionless import validate

    _, site = written
    path = site / "data" / "indicators.csv"
    path.write_bytes(path.read_bytes().replace(b",55,ok,count,55,", b",fifty,ok,count,55,"))
    report = validate(str(site / "data" / "datapackage.json"))
    assert not report.valid
    assert "type-error" in {row[0] for row in report.flatten(["type"])}


def test_datapackage_rejects_an_unknown_status(written):
    from frictionless import validate

    _, site = written
    path = site / "data" / "indicators.csv"
    path.write_bytes(path.read_bytes().replace(b",55,ok,count,55,", b",55,fine,count,55,"))
    report = validate(str(site / "data" / "datapackage.json"))
    assert "constraint-error" in {row[0] for row in report.flatten(["type"])}


def test_datapackage_schema_by_hand(written, config):
    _, site = written
    package = json.loads((site / "data" / "datapackage.json").read_text("utf-8"))
    schema = package["resources"][0]["schema"]
    assert [f["name"] for f in schema["fields"]] == [
        "indicator_id",
        "period",
        "fiscal_year",
        "fiscal_quarter",
        "breakdown",
        "breakdown_value",
        "breakdown_label",
        "value",
        "status",
        "unit",
        "n",
        "suppressed",
        "revised",
    ]
    types = {f["name"]: f["type"] for f in schema["fields"]}
    status = next(f for f in schema["fields"] if f["name"] == "status")
    assert status["constraints"] == {
        "required": True,
        "enum": ["ok", "suppressed", "not_applicable"],
    }
    names = [r["name"] for r in package["resources"]]
    assert names == ["indicators", "purchasers", "agencies", "control-categories", "regions"]
    assert types["value"] == "number" and types["n"] == "integer"
    assert types["suppressed"] == "boolean"
    assert schema["primaryKey"] == ["indicator_id", "period", "breakdown", "breakdown_value"]
    assert schema["missingValues"] == [""]
    assert "fms_loas_offered: LOAs offered (count)" in package["resources"][0]["description"]


# DCAT-US 1.1 required fields (https://resources.data.gov/resources/dcat-us/), by hand.
CATALOG_REQUIRED = ["@type", "conformsTo", "dataset"]
DATASET_REQUIRED = [
    "title",
    "description",
    "keyword",
    "modified",
    "publisher",
    "contactPoint",
    "identifier",
    "accessLevel",
    "bureauCode",
    "programCode",
    "license",
]


def test_data_json_dcat_us_required_fields(written):
    _, site = written
    catalog = json.loads((site / "data.json").read_text("utf-8"))
    for key in CATALOG_REQUIRED:
        assert catalog[key]
    assert catalog["@type"] == "dcat:Catalog"
    assert catalog["conformsTo"] == "https://project-open-data.cio.gov/v1.1/schema"
    dataset = catalog["dataset"][0]
    for key in DATASET_REQUIRED:
        assert dataset[key], key
    assert dataset["accessLevel"] == "public"
    assert dataset["modified"] == "2026-05-15"
    assert dataset["bureauCode"] == ["014:00"] and dataset["programCode"] == ["014:000"]
    # the pipeline's configuration is not official: a draft names no department
    assert dataset["publisher"] == {
        "@type": "org:Organization",
        "name": "Not published by an agency (draft: not an official release)",
    }
    assert (
        dataset["title"] == "US Arms Transfer Performance Metrics (draft: not an official release)"
    )
    assert dataset["description"].startswith("Draft: not an official release. These figures")
    assert dataset["contactPoint"]["hasEmail"] == "mailto:arms-metrics@example.gov"
    assert dataset["accrualPeriodicity"] == "R/P3M"
    # Cells span FY2026-Q1 (starts 2025-10-01) to FY2026-Q2 (ends 2026-03-31).
    assert dataset["temporal"] == "2025-10-01/2026-03-31"
    assert dataset["describedBy"].endswith("/data/datapackage.json")
    for item in dataset["distribution"]:
        assert item["downloadURL"].startswith("https://") and item["mediaType"] == "text/csv"


def test_manifest_hashes_every_file_of_this_release(written):
    release, site = written
    (site / "index.html").write_bytes(b"<!DOCTYPE html>")
    older = site / "releases" / "FY2026-Q1" / "index.html"  # another release: not ours
    older.parent.mkdir(parents=True)
    older.write_bytes(b"old")
    downloads.write_manifest(release, site)
    manifest_path = site / "releases" / "FY2026-Q2" / "manifest.json"
    document = json.loads(manifest_path.read_text("utf-8"))
    paths = [o["path"] for o in document["outputs"]]
    assert paths == [
        "data.json",
        "data/codes/agencies.csv",
        "data/codes/control_categories.csv",
        "data/codes/purchasers.csv",
        "data/codes/regions.csv",
        "data/datapackage.json",
        "data/indicators.csv",
        "index.html",
        "releases/FY2026-Q2/data/indicators.csv",
    ]
    for output in document["outputs"]:
        assert output["sha256"] == hashlib.sha256((site / output["path"]).read_bytes()).hexdigest()
    assert document["release"] == "FY2026-Q2" and document["release_date"] == "2026-05-15"
    # 11:00 in New York on 2026-05-15 (daylight time, UTC-4), the calendar's time and zone
    assert document["embargo"] == "2026-05-15T15:00:00Z"
    assert document["code_version"] == "0.1.0"
    assert document["config_hash"] == release.config.raw_hash and len(document["config_hash"]) == 64
    assert document["inputs"] == [
        {
            "table": "export_licenses",
            "file_name": "export_licenses.csv",
            "sha256": "ab" * 32,
            "rows_read": 10,
            "rows_accepted": 9,
            "rows_quarantined": 1,
        }
    ]
    # tiny_release declares nothing of its extract; a release that does records it
    assert (document["revised_against"], document["extract_date"]) == (None, None)
    assert (document["synthetic"], document["coverage"]) == (False, {})
    declared = dataclasses.replace(
        release, revised_against="FY2026-Q1", extract_date=dt.date(2026, 4, 2), synthetic=True,
        coverage={"fms_cases": Quarter(2017, 1), "export_licenses": Quarter(2018, 1)},
    )  # fmt: skip
    recorded = downloads.manifest(declared, site)
    assert recorded["revised_against"] == "FY2026-Q1" and recorded["extract_date"] == "2026-04-02"
    assert recorded["synthetic"] is True
    assert list(recorded["coverage"].items()) == [
        ("export_licenses", "FY2018-Q1"), ("fms_cases", "FY2017-Q1"),
    ]  # fmt: skip
    text = manifest_path.read_text("utf-8")
    assert str(Path(site)) not in text
    assert not any(value.startswith("/") for value in _strings(json.loads(text)))


def test_manifest_is_stable(written):
    release, site = written
    downloads.write_manifest(release, site)
    first = (site / "releases" / "FY2026-Q2" / "manifest.json").read_bytes()
    downloads.write_manifest(release, site)
    assert (site / "releases" / "FY2026-Q2" / "manifest.json").read_bytes() == first


def _strings(document):
    """Every string value in a JSON document."""
    if isinstance(document, dict):
        for value in document.values():
            yield from _strings(value)
    elif isinstance(document, list):
        for value in document:
            yield from _strings(value)
    elif isinstance(document, str):
        yield document


@pytest.mark.parametrize(
    ("official", "synthetic", "publisher", "title_end"),
    [
        (True, False, "U.S. Department of State", "Performance Metrics"),
        (True, True, "Not published by an agency (demonstration: synthetic data)",
         "(demonstration: synthetic data)"),
        (False, True, "Not published by an agency (demonstration: synthetic data)",
         "(demonstration: synthetic data)"),
        (False, False, "Not published by an agency (draft: not an official release)",
         "(draft: not an official release)"),
    ],
)  # fmt: skip
def test_data_json_names_a_department_only_for_an_official_real_release(
    config, tmp_path, official, synthetic, publisher, title_end
):
    """Only ``official = true`` with a non-synthetic extract is official (README, Outputs)."""
    publication = {**config.publication, "official": official}
    release = tiny_release(dataclasses.replace(config, publication=publication), small_rows(),
                           "FY2026-Q2")  # fmt: skip
    release = dataclasses.replace(release, synthetic=synthetic)
    downloads.write_data(release, tmp_path)
    dataset = json.loads((tmp_path / "data.json").read_text("utf-8"))["dataset"][0]
    assert dataset["publisher"]["name"] == publisher
    assert dataset["title"].endswith(title_end)
    assert ("Department of State" in json.dumps(dataset)) == (official and not synthetic)
