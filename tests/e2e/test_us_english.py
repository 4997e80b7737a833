"""End to end, US English (issue 12): every text file the sample build publishes is free of
the British spellings in tests/spelling.py, and a pipeline.toml that still has the old
``[targets.licence]`` table is refused by the CLI with exit 78 naming the new key."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.conftest import PIPELINE_TOML, SAMPLE_DATA, SAMPLE_QUARTER, arms_metrics
from tests.spelling import findings

# Phrases in published text kept as their owners write them (none at present): the
# SIPRI extract in src/arms_metrics/samples/data/ is not published.
ALLOWED: frozenset[str] = frozenset()


def test_every_published_text_file_is_us_english(sample_build) -> None:
    site, _ = sample_build
    files = sorted(path for path in site.rglob("*") if path.is_file())
    suffixes = {path.suffix for path in files}
    assert {".html", ".csv", ".json"} <= suffixes, suffixes  # pages, data, catalog
    found = {}
    for path in files:
        text = path.read_text(encoding="utf-8")  # every published file is text
        if hits := findings(text, ALLOWED):
            found[str(path.relative_to(site))] = hits[:5]
    assert found == {}
    pages = (site / "index.html").read_text(encoding="utf-8")
    assert "export-license decisions" in pages and "Data catalog" in pages


def test_old_targets_key_exits_78_naming_the_new_key(tmp_path: Path) -> None:
    pipeline = tmp_path / "quarterly"
    shutil.copytree(PIPELINE_TOML.parent, pipeline)
    toml = pipeline / "pipeline.toml"
    text = toml.read_text(encoding="utf-8")
    toml.write_text(text.replace("[targets.license]", "[targets.licence]"), encoding="utf-8")
    site, work = tmp_path / "site", tmp_path / "work"
    done = arms_metrics(
        "run", "--input", str(SAMPLE_DATA), "--quarter", SAMPLE_QUARTER, "--site", str(site),
        "--work", str(work), "--config", str(toml),
    )  # fmt: skip
    assert done.returncode == 78, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert "[targets.license]" in lines[0] and "Traceback" not in done.stderr
    assert done.stdout == ""
    assert not site.exists()
