"""Breakdowns nested in another (``[nesting]``, ``disclosure/nesting.py``) on hand-made
releases: every figure worked out by hand beside it."""

from __future__ import annotations

import shutil

import polars as pl
import pytest

from arms_metrics.config import load_config
from arms_metrics.disclosure import knowledge, nesting, protect
from arms_metrics.errors import ConfigError
from tests.conftest import PIPELINE_TOML
from tests.unit.test_linked_protection import cell, frame

Q1 = "FY2026-Q1"
RECEIVED = "lic_applications_received"
NESTING = """
control_category = { within = "agency", reference = "categories.csv" }
application_type = { within = "agency", reference = "application_types.csv" }
"""


def with_nesting(tmp_path, entries: str):
    """The shipped pipeline with ``entries`` declared under ``[nesting]`` instead of the
    shipped ones."""
    shutil.copytree(PIPELINE_TOML.parent, tmp_path / "p")
    registry = tmp_path / "p" / "indicators.toml"
    text = registry.read_text(encoding="utf-8")
    assert NESTING.strip() in text
    registry.write_text(text.replace(NESTING.strip(), entries.strip(), 1))
    return load_config(tmp_path / "p" / "pipeline.toml")


@pytest.fixture
def config():
    return load_config(PIPELINE_TOML)


def received(agencies: dict, types: dict) -> pl.DataFrame:
    rows = [cell(RECEIVED, Q1, "total", "All", sum(agencies.values()))]
    rows += [cell(RECEIVED, Q1, "agency", a, v) for a, v in agencies.items()]
    rows += [cell(RECEIVED, Q1, "application_type", t, v) for t, v in types.items()]
    return frame(rows)


# STATE 7, COMMERCE 4; by form DSP-5 5, DSP-73 2, BIS-748P 4 (total 11). DSP-73 rests on 2
# applications and BIS-748P is its complement in the form table: DSP-73 + BIS-748P = 11 - 5
# = 6 leaves each free, but BIS-748P is COMMERCE's only form, so it is COMMERCE's 4, and
# DSP-73 = 6 - 4 = 2 (also STATE's 7 - DSP-5's 5).
TRUTH = received({"STATE": 7, "COMMERCE": 4}, {"DSP-5": 5, "DSP-73": 2, "BIS-748P": 4})
FORMS = pl.col("breakdown_value").is_in(["DSP-73", "BIS-748P"])


def leaks(truth: pl.DataFrame, hidden: pl.Expr, config) -> dict:
    system = knowledge.build(truth.with_columns(suppressed=hidden), truth, config)
    return {key[3]: system.truth[key] for key in knowledge.leaks(system, config, given=set())}


def test_the_reference_places_every_form_and_category_in_its_agency(config) -> None:
    placed = nesting.members(config)
    assert placed["application_type"][0] == "agency"
    assert placed["application_type"][1]["BIS-748P"] == "COMMERCE"
    assert placed["application_type"][1]["DSP-85"] == "STATE"
    assert placed["control_category"][1]["XXI"] == "STATE"
    assert placed["control_category"][1]["0"] == "COMMERCE"


def test_the_forms_of_the_reference_are_the_forms_ingest_accepts(config) -> None:
    from arms_metrics.ingest.schemas import APPLICATION_TYPES

    by_agency: dict[str, list[str]] = {}
    for form, agency in nesting.members(config)["application_type"][1].items():
        by_agency.setdefault(agency, []).append(form)
    assert {a: sorted(f) for a, f in by_agency.items()} == {
        a: sorted(f) for a, f in APPLICATION_TYPES.items()
    }


@pytest.mark.parametrize("nested", [True, False])
def test_an_agencys_only_form_is_the_agency(config, nested) -> None:
    saved = dict(config.registry.nesting)
    if not nested:
        config.registry.nesting.clear()
    try:
        found = leaks(TRUTH, FORMS, config)
    finally:
        config.registry.nesting.update(saved)
    assert found == ({"DSP-73": 2, "BIS-748P": 4} if nested else {})


@pytest.mark.parametrize("linked_tables", [False, True])
def test_an_agencys_only_form_is_never_a_complement(config, linked_tables) -> None:
    # The 0.1 pattern hid BIS-748P as DSP-73's complement (the next smallest form), which
    # COMMERCE gives away (above). Now BIS-748P goes only with COMMERCE: DSP-73's complement
    # is DSP-5, and DSP-5 + DSP-73 = STATE's 7 leaves DSP-73 anywhere from 1 to 6.
    shown = protect.protect(TRUTH, config, linked_tables=linked_tables, complete=True)
    assert set(shown.filter("suppressed")["breakdown_value"]) == {"DSP-73", "DSP-5"}
    system = knowledge.build(shown, TRUTH, config)
    assert knowledge.leaks(system, config, given=set()) == []


def test_an_agencys_only_form_goes_with_its_agency(config) -> None:
    # STATE 1 (one application, hidden) and COMMERCE 5 (its complement in the agency table):
    # BIS-748P, COMMERCE's one form, is hidden with it though it rests on 5 applications.
    truth = received({"STATE": 1, "COMMERCE": 5}, {"DSP-5": 1, "BIS-748P": 5})
    shown = protect.protect(truth, config, linked_tables=True, complete=True)
    hidden = set(shown.filter("suppressed").select("breakdown", "breakdown_value").iter_rows())
    assert {("agency", "COMMERCE"), ("application_type", "BIS-748P")} <= hidden


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ('control_category = { within = "agency", reference = "nope.csv" }', "not found"),
        ('control_category = { within = "control_category", reference = "categories.csv" }',
         "two different breakdowns"),
        ('color_code = { within = "agency", reference = "categories.csv" }',
         "two different breakdowns"),
    ],
)  # fmt: skip
def test_a_bad_nesting_is_a_config_error(tmp_path, entry, message) -> None:
    with pytest.raises(ConfigError, match=message) as info:
        with_nesting(tmp_path, entry + "\n")
    assert info.value.exit_code == 78


def test_the_shipped_registry_nests_forms_and_categories_in_their_agency(config) -> None:
    assert config.registry.nesting == {
        "control_category": ("agency", "categories.csv"),
        "application_type": ("agency", "application_types.csv"),
    }


# STATE 10 = USML I 5 + II 1 + III 4; COMMERCE 6 = CCL 0 3 + 1 3 (total 16). II rests on one
# application. The table alone would take the smallest other category, CCL 0, as its
# complement: II + 0 = 16 - 5 - 4 - 3 = 4 leaves each free, but STATE's 10 - 5 - 4 gives
# II = 1 (and COMMERCE's 6 - 3 gives CCL 0 = 3). Within its agency, II's complement is
# its sibling III: II + III = 10 - 5 = 5 leaves each anywhere from 1 to 4.
CATEGORIES = frame(
    [cell(RECEIVED, Q1, "total", "All", 16)]
    + [cell(RECEIVED, Q1, "agency", a, v) for a, v in {"STATE": 10, "COMMERCE": 6}.items()]
    + [
        cell(RECEIVED, Q1, "control_category", c, v)
        for c, v in {"I": 5, "II": 1, "III": 4, "0": 3, "1": 3}.items()
    ]
)


def test_a_category_of_the_old_pattern_is_pinned_by_its_agency(config) -> None:
    found = leaks(CATEGORIES, pl.col("breakdown_value").is_in(["II", "0"]), config)
    assert found == {"II": 1, "0": 3}


@pytest.mark.parametrize("linked_tables", [False, True])
def test_a_categorys_complement_is_its_sibling_in_the_agency(config, linked_tables) -> None:
    shown = protect.protect(CATEGORIES, config, linked_tables=linked_tables, complete=True)
    assert set(shown.filter("suppressed")["breakdown_value"]) == {"II", "III"}
    system = knowledge.build(shown, CATEGORIES, config)
    assert knowledge.leaks(system, config, given=set()) == []
