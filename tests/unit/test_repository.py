"""The repository stands alone: generated docs match their source, nothing points outside
the repository, and the engine is laid out by stage (DESIGN section 1)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from arms_metrics.ingest import inputs_doc
from arms_metrics.ingest.schemas import COLUMNS

ROOT = Path(__file__).resolve().parents[2]
BASE = {"__init__", "__main__", "cli", "pipeline", "config", "errors", "quarters", "cells",
        "release", "writers"}  # fmt: skip
STAGES = {"ingest", "compute", "disclosure", "site", "publication", "samples"}


def tracked(*patterns: str) -> list[Path]:
    out = subprocess.run(
        ["git", "ls-files", "-z", *patterns], cwd=ROOT, capture_output=True, check=True
    ).stdout
    return [ROOT / name for name in out.decode().split("\0") if name]


def test_inputs_doc_is_generated_from_the_schemas():
    committed = (ROOT / "docs" / "inputs.md").read_text(encoding="utf-8")
    assert committed == inputs_doc.render(), "docs/inputs.md is stale: run `make docs`"


def test_inputs_doc_names_every_column_of_every_table():
    text = (ROOT / "docs" / "inputs.md").read_text(encoding="utf-8")
    for table, columns in COLUMNS.items():
        section = text.split(f"## {table}\n", 1)[1].split("\n## ", 1)[0]
        missing = [c for c in columns if f"| `{c}` |" not in section]
        assert missing == [], (table, missing)


def test_readme_links_the_inputs_doc():
    assert "(docs/inputs.md)" in (ROOT / "README.md").read_text(encoding="utf-8")


OUTSIDE = re.compile(
    r"(?<![\w.])(/work/|/home/|/root/|/tmp/|/Users/|[A-Z]:\\\\|\.\./\.\./|\.\./shared)"
)


def test_nothing_points_outside_the_repository():
    found = []
    files = tracked("*.py", "*.md", "*.toml", "*.sql", "*.html", "*.sh", "Makefile", ".ci/run")
    for path in files:
        if path == Path(__file__):
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if OUTSIDE.search(line):
                found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert found == []


def test_engine_is_laid_out_by_stage():
    package = ROOT / "src" / "arms_metrics"
    flat = {p.stem for p in package.glob("*.py")}
    assert flat == BASE
    folders = {p.name for p in package.iterdir() if p.is_dir() and p.name != "__pycache__"}
    assert folders == STAGES
    assert all((package / stage / "__init__.py").is_file() for stage in STAGES)
