"""US English in the project's own text and configuration (issue 12): the templates, the
site code, the pipeline's configuration, SQL and reference data, and the docs carry no
British spelling from tests/spelling.py. The published site is scanned in
tests/e2e/test_us_english.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.spelling import findings

# Phrases kept as their owners write them, with the reason; a line holding one is skipped.
ALLOWED = {
    # purchaser aliases match names as source extracts spell them (SIPRI, agencies)
    "North Atlantic Treaty Organisation": "an alias inputs may use for NATO",
    "Organisation of American States": "an alias inputs may use for the OAS",
}
# Whole files that are not ours to spell (none scanned here at present):
# src/arms_metrics/samples/data/*.csv are SIPRI's, GOV.UK's and GAO's text, and
# "Open Government Licence v3.0" in samples/data/README.md is the UK licence's title.
SCANNED = [
    *sorted((ROOT / "templates").rglob("*.html")),
    *sorted((ROOT / "src" / "arms_metrics" / "site").glob("*.py")),
    *sorted((ROOT / "pipelines" / "quarterly").glob("*.toml")),
    *sorted((ROOT / "pipelines" / "quarterly" / "sql").rglob("*.sql")),
    *sorted((ROOT / "pipelines" / "quarterly" / "reference").glob("*.csv")),
    ROOT / "README.md",
    ROOT / "sample_data" / "README.md",
    *sorted((ROOT / "docs").glob("*.md")),
]


def test_the_scan_covers_what_it_names() -> None:
    names = {str(path.relative_to(ROOT)) for path in SCANNED}
    assert {"templates/index.html", "templates/methodology.html", "src/arms_metrics/site/pages.py",
            "src/arms_metrics/site/views.py", "pipelines/quarterly/pipeline.toml",
            "pipelines/quarterly/indicators.toml"} <= names  # fmt: skip
    assert all(path.is_file() for path in SCANNED)


@pytest.mark.parametrize("path", SCANNED, ids=lambda p: str(Path(p).relative_to(ROOT)))
def test_no_british_spelling(path: Path) -> None:
    assert findings(path.read_text(encoding="utf-8"), frozenset(ALLOWED)) == []


def test_the_old_targets_key_is_gone_from_the_shipped_config() -> None:
    text = (ROOT / "pipelines" / "quarterly" / "pipeline.toml").read_text(encoding="utf-8")
    assert "[targets.license]" in text
    assert "[targets.licence]" not in text
