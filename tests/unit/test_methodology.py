"""The methodology page's own words (``methodology.toml``, ``arms_metrics.methodology``)
and what the page makes of them: the loader's cases (expected, edge, erroneous) and the
page's summary, glossary, targets with their basis, symbols and next release date."""

from __future__ import annotations

import dataclasses
import datetime as dt
import html as html_lib
import re
import shutil
from pathlib import Path

import pytest

from arms_metrics import methodology
from arms_metrics.config import load_config
from arms_metrics.errors import ConfigError
from arms_metrics.quarters import Quarter
from arms_metrics.site import methodology_page
from tests.conftest import PIPELINE_TOML
from tests.unit.site_fixtures import make_release

TARGETS = {"license": {"STATE": 60, "COMMERCE": 90}}
MINIMAL = """
summary = ["One."]
not_measures = ["Not sales."]
limitations = ["Late records."]
[[glossary]]
term = "LOA"
name = "Letter of Offer and Acceptance"
text = "An offer."
[[symbols]]
symbol = "(S)"
name = "suppressed"
text = "Withheld."
[basis.license]
STATE = "NSPD-56."
COMMERCE = "15 CFR 750.4."
"""


def load(tmp_path: Path, text: str, targets=TARGETS) -> methodology.Methodology:
    path = tmp_path / "methodology.toml"
    path.write_text(text, encoding="utf-8")
    return methodology.load(path, targets)[0]


def test_the_texts_load_in_their_order(tmp_path) -> None:
    texts = load(tmp_path, MINIMAL)
    assert texts.summary == ("One.",)
    assert texts.glossary == (("LOA", "Letter of Offer and Acceptance", "An offer."),)
    assert texts.symbols == (("(S)", "suppressed", "Withheld."),)
    # sorted by key whatever the file's order
    assert list(texts.basis["license"]) == ["COMMERCE", "STATE"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda t: t.replace('summary = ["One."]', "summary = []"), "summary must be a list"),
        (lambda t: t.replace('["Late records."]', '["  "]'), "limitations must be a list"),
        (lambda t: 'extra = "x"\n' + t, "unknown key 'extra'"),
        (lambda t: t.replace('name = "suppressed"\n', ""), "[[symbols]] entry 1 needs exactly"),
        (lambda t: t.replace('text = "An offer."', 'text = ""'), "[[glossary]] entry 1 has an"),
        (lambda t: t.replace('STATE = "NSPD-56."\n', ""), "[basis.license] needs STATE"),
        (lambda t: t + '[basis.tpt]\nX = "y"\n', "[basis.tpt] names no target in use"),
        (lambda t: t.replace("[[glossary]]", "[glossary"), "not valid TOML"),
    ],
)  # fmt: skip
def test_a_bad_file_is_a_config_error_naming_the_key(tmp_path, change, message) -> None:
    with pytest.raises(ConfigError) as info:
        load(tmp_path, change(MINIMAL))
    assert message in str(info.value)
    assert str(tmp_path / "methodology.toml") in str(info.value)
    assert info.value.exit_code == 78


def test_the_pipeline_refuses_to_start_without_its_methodology(tmp_path) -> None:
    shutil.copytree(PIPELINE_TOML.parent, tmp_path / "pipeline")
    (tmp_path / "pipeline" / "methodology.toml").unlink()
    with pytest.raises(ConfigError, match="methodology file not found"):
        load_config(tmp_path / "pipeline" / "pipeline.toml")


def test_every_target_in_use_has_its_basis(config) -> None:
    texts = config.methodology
    assert set(texts.basis["license"]) == set(config.license_targets)
    assert set(texts.basis["development_group"]) == set(config.development_targets)
    assert "750.4" in texts.basis["license"]["COMMERCE"]
    assert "Directive 56" in texts.basis["license"]["STATE"]


def test_the_glossary_has_the_terms_a_reader_meets(config) -> None:
    terms = {term for term, _, _ in config.methodology.glossary}
    assert {"LOR", "LOA", "AOD", "RWA", "SSC", "36(b), 36(c)", "USML", "CCL"} <= terms


def test_the_page_names_the_next_release_from_the_calendar(config) -> None:
    # pipeline.toml schedules FY2026-Q2 on 2026-05-15; the release before it is FY2026-Q1.
    release = make_release(config, quarter="FY2026-Q1", revised_against=None)
    assert methodology_page.context(release)["next_release"] == (
        "The next release, for FY2026-Q2, is due on May 15, 2026."
    )
    # FY2027-Q1 is not in the calendar: its end (December 31, 2026) + 45 days
    release = make_release(config, quarter="FY2026-Q4", revised_against=None)
    assert methodology_page.context(release)["next_release"] == (
        "The next release, for FY2027-Q1, is due around February 14, 2027 (not yet scheduled)."
    )


def test_the_targets_table_gives_days_and_basis(config) -> None:
    release = make_release(config)
    rows = {
        name: (days, basis) for name, days, basis in methodology_page.context(release)["targets"]
    }
    days, basis = rows["License processing, Commerce (BIS)"]
    assert days == "90" and basis.startswith("15 CFR 750.4(a)")
    goal, basis = rows["Documents by the original anticipated offer date (goal)"]
    assert goal == "85%" and "85%" in basis  # [targets.goals] and [basis.goals]


def test_the_rendered_page_carries_every_text(config, tmp_path) -> None:
    from arms_metrics.site import render

    release = dataclasses.replace(make_release(config))
    render.render_site(release, tmp_path)
    html = (tmp_path / "methodology.html").read_text(encoding="utf-8")
    text = html_lib.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)))
    texts = config.methodology
    for words in (*texts.summary, *texts.not_measures, *texts.limitations):
        assert words in text, words[:40]
    for term, name, _ in texts.glossary:
        assert f'<abbr title="{name}">{term}</abbr>' in html
    assert "The next release, for FY2026-Q3, is due on August 14, 2026." in text


def test_the_page_states_the_upper_protection_level_where_it_is_asked_for(config) -> None:
    # licensing is the one confidential family of pipeline.toml (min_n_count 3); the page
    # states the level only with upper_protection on, and not for a public-record family.
    from tests.conftest import with_policy, with_upper

    def rules(config) -> str:
        return " ".join(methodology_page.disclosure_rules(make_release(config)))

    assert "upper protection level" not in rules(config)
    assert (
        "or if a suppressed count of export licensing records that rests on fewer than 3 "
        "records could be shown to be fewer than 3: it must be able to be 3 or more"
    ) in rules(with_upper(config))
    public = with_policy(with_upper(config), "licensing", "public_record")
    assert "upper protection level" not in rules(public)


def _page_text(release) -> str:
    from arms_metrics.site import render

    html = (
        render.environment()
        .get_template("methodology.html")
        .render(
            methodology_page.context(release) | {"site": render.site_context(release), "root": ""}
        )
    )
    return " ".join(html_lib.unescape(re.sub(r"<[^>]+>", " ", html)).split())


def test_the_sources_say_their_coverage_and_the_extract_its_date(config) -> None:
    """Staggered coverage (licensing from FY2018-Q1, deliveries from FY2019-Q3), no LOR
    table, a declared extract date and synthetic inputs: each said in words, by hand."""
    coverage = {
        "fms_documents": Quarter(2017, 1), "fms_cases": Quarter(2017, 1),
        "fms_deliveries": Quarter(2019, 3), "congressional_notifications": Quarter(2017, 1),
        "export_licenses": Quarter(2018, 1),
    }  # fmt: skip
    release = dataclasses.replace(
        make_release(config, quarter="FY2026-Q4"),
        coverage=coverage, extract_date=dt.date(2026, 11, 2), synthetic=True,
    )  # fmt: skip
    text = _page_text(release)
    assert "The inputs of release FY2026-Q4 were extracted on November 2, 2026." in text
    assert "The inputs are synthetic: made by the project's generator" in text
    assert (
        "export_licenses : License applications to the State Department (DDTC, ITAR) and the "
        "Commerce Department (BIS, EAR). Covered from FY2018-Q1 (from October 1, 2017): no "
        "figure from it is published for an earlier quarter."
    ) in text
    assert (
        "fms_lors : Letters of Request received by the implementing agencies (DSCA case "
        "data). Not in the inputs of this release: its indicators are not available." in text
    )
    # series starts: the latest coverage of the sources (deliveries FY2019-Q3 > cases FY2017-Q1)
    assert "Source data: fms_deliveries, fms_cases. Series starts FY2019-Q3." in text
    assert "Source data: export_licenses. Series starts FY2018-Q1." in text
    assert "Source data: fms_lors. Not available: a source is not in this release's inputs." in text


def test_an_extract_without_declarations_says_so(config) -> None:
    release = make_release(config, quarter="FY2026-Q4")  # no extract.toml: nothing declared
    text = _page_text(release)
    assert "The inputs of release FY2026-Q4 do not declare their extract date." in text
    assert "synthetic" not in text.lower()


def test_every_symbol_the_pages_use_is_explained_on_the_page(config) -> None:
    """The marks tables and charts print (views) and the words for a source that does not
    cover a quarter: each has its entry under Symbols, with its meaning."""
    from arms_metrics.site import views

    page = _page_text(make_release(config))
    start = page.index(f"Symbols {views.SUPPRESSED}")  # the section (the contents come first)
    symbols = page[start : page.index("Disclosure control", start)]
    for mark, meaning in [
        (views.SUPPRESSED, "suppressed : Withheld to protect confidentiality"),
        (views.UNDEFINED, "not applicable : No records, so a median, percentile or percentage"),
        ("*", "revised : Revised: different from the figure the previous release published"),
        ("not available", "no data : The source data do not cover the quarter"),
    ]:
        assert f"{mark} {meaning}" in symbols, mark
    assert "A zero means that no records were found, not that data are missing" in page
