"""Reference files: loading, the one name normalisation, and refusals of bad files."""

from __future__ import annotations

import pytest

from arms_metrics.errors import ConfigError
from arms_metrics.ingest.reference import load_reference, normalise_name
from arms_metrics.ingest.schemas import IMPLEMENTING_AGENCIES, LICENSING_AGENCIES
from tests.unit.test_ingest_helpers import AGENCIES, CATEGORIES, PURCHASERS

ROMAN = [
    "I",
    "II",
    "III",
    "IV",
    "V",
    "VI",
    "VII",
    "VIII",
    "IX",
    "X",
    "XI",
    "XII",
    "XIII",
    "XIV",
    "XV",
    "XVI",
    "XVII",
    "XVIII",
    "XIX",
    "XX",
    "XXI",
]


def _folder(tmp_path, purchasers=PURCHASERS, agencies=AGENCIES, categories=CATEGORIES):
    for name, text in (("purchasers", purchasers), ("agencies", agencies),
                       ("categories", categories)):  # fmt: skip
        (tmp_path / f"{name}.csv").write_text(text, encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Korea, Republic of", "korea republic of"),
        ("  KOREA,republic   of ", "korea republic of"),
        ("Côte d'Ivoire", "cote d ivoire"),
        ("Türkiye", "turkiye"),
        ("Bosnia & Herzegovina", "bosnia and herzegovina"),
        ("U.A.E.", "u a e"),
        ("", ""),
    ],
)
def test_normalise_name(text, expected):
    assert normalise_name(text) == expected


def test_load_tiny_reference(tmp_path):
    ref = load_reference(_folder(tmp_path))
    assert ref.purchaser_codes == ["AE", "GB", "KR", "NATO"]
    assert ref.purchasers.columns == ["code", "alpha3", "name", "region", "kind"]
    assert ref.code_for("South Korea") == "KR"
    assert ref.code_for("korea (south)") == "KR"
    assert ref.code_for("Korea") is None  # never guessed
    assert ref.code_for(None) is None
    assert ref.categories == {"STATE": ("I", "VIII", "XXI"), "COMMERCE": ("0", "9")}
    assert ref.agency_codes("licensing") == ["STATE", "COMMERCE"]


@pytest.mark.parametrize(
    ("which", "text", "words"),
    [
        ("purchasers", "code,name\nGB,UK\n", "header must be"),
        ("purchasers", PURCHASERS + "GB,GBX,Britain,EUR,country,\n", "duplicate entry GB"),
        ("purchasers", PURCHASERS + "XK,XKX,Kosovo,MARS,country,\n", "bad region or kind"),
        ("purchasers", PURCHASERS + "GX,GXX,Other,EUR,country,UK\n", "used by both GB and GX"),
        ("purchasers", PURCHASERS + "NA,,Namibia,AF,country,\n", "alpha3 must be"),
        ("purchasers", PURCHASERS + "NA,nam,Namibia,AF,country,\n", "alpha3 must be"),
        ("purchasers", PURCHASERS + "NA,NAMI,Namibia,AF,country,\n", "alpha3 must be"),
        ("purchasers", PURCHASERS + "AU,AFU,African Union,IO,organization,\n", "alpha3 must be"),
        ("purchasers", PURCHASERS + "FA,ARE,Fake,NEA,country,\n", "duplicate entry ARE"),
        ("purchasers", PURCHASERS + "GBR,,Org,IO,organization,\n", "duplicate entry GBR"),
        ("agencies", AGENCIES + "X,Y,other\n", "kind must be"),
        ("categories", CATEGORIES + "ARMY,1,x\n", "not a licensing agency"),
        ("categories", CATEGORIES + "STATE,I,again\n", "duplicate entry STATE/I"),
    ],
)
def test_bad_reference_files_are_config_errors(tmp_path, which, text, words):
    with pytest.raises(ConfigError, match=words.replace("(", r"\(")) as caught:
        load_reference(_folder(tmp_path, **{which: text}))
    assert caught.value.exit_code == 78


def test_missing_reference_file(tmp_path):
    _folder(tmp_path)
    (tmp_path / "agencies.csv").unlink()
    with pytest.raises(ConfigError, match="not found"):
        load_reference(tmp_path)


def test_repository_agencies_and_categories(config):
    """The committed files: agencies agree with the schema, USML I..XXI, CCL 0..9."""
    ref = load_reference(config.reference_dir)
    assert ref.agency_codes("implementing") == IMPLEMENTING_AGENCIES
    assert ref.agency_codes("licensing") == LICENSING_AGENCIES
    assert ref.categories == {"STATE": tuple(ROMAN), "COMMERCE": tuple("0123456789")}
    assert all(ref.category_names.values())
    assert set(ref.purchasers["region"]) <= {"AF", "EAP", "EUR", "NEA", "SCA", "WHA", "IO"}
    assert ref.code_for("Republic of Korea") == "KR"
