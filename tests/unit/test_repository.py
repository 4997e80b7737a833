"""The repository stands alone: generated docs match their source, nothing points outside
the repository, and the engine is laid out by stage (docs/architecture.md)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from arms_metrics.ingest import inputs_doc
from arms_metrics.ingest.schemas import COLUMNS

ROOT = Path(__file__).resolve().parents[2]
BASE = {"__init__", "__main__", "cli", "pipeline", "config", "errors", "quarters", "cells",
        "release", "writers", "extract", "methodology", "faults", "epoch",
        "release_calendar"}  # fmt: skip
STAGES = {"ingest", "compute", "disclosure", "site", "publication", "samples", "review"}


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


# An absolute path of some machine (a root folder followed by a name), a Windows drive, a
# home folder, or the design notes that live outside the repository.
ABSOLUTE = re.compile(r"(?<![\w.:/~-])(/(usr|opt|etc|var|srv|mnt|home|root|tmp|work|Users|Volumes)/"
                      r"|[A-Za-z]:\\|~/)")  # fmt: skip
OUTSIDE_DOCS = re.compile(r"DESIGN(\.md)?\b")
RELATIVE = re.compile(r"(?:\.\./)+[\w./-]*")
TEXT = (
    "*.py",
    "*.md",
    "*.toml",
    "*.sql",
    "*.html",
    "*.sh",
    "*.css",
    "*.json",
    "*.sqlfluff",
    "*.txt",
    "Makefile",
    ".ci/run",
)  # fmt: skip  (.gitignore paths are repo-relative)


def _outside(resolved: Path) -> bool:
    return resolved != ROOT and ROOT not in resolved.parents


def pointers_outside(path: Path) -> list[str]:
    """Lines of ``path`` naming an absolute path, the design notes, or a ``../`` path that
    leaves the repository (resolved from the file's folder)."""
    found = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.startswith("#!"):
            continue
        leaves = any(_outside((path.parent / hit).resolve()) for hit in RELATIVE.findall(line))
        if ABSOLUTE.search(line) or OUTSIDE_DOCS.search(line) or leaves:
            found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    return found


def test_nothing_points_outside_the_repository():
    files = [p for p in tracked(*TEXT) if p != Path(__file__) and p.name != "package-lock.json"]
    assert [line for path in files for line in pointers_outside(path)] == []


def test_the_guard_sees_what_it_guards(tmp_path):
    # Each line below points outside the repository and must be caught.
    probe = ROOT / "docs" / "_probe.md"
    lines = ["see /opt/shared/realdata", "see ../../shared/x.csv", "see DESIGN.md section 2",
             "C:\\data\\x.csv", "in ~/data"]  # fmt: skip
    try:
        probe.write_text("\n".join(lines) + "\nsee ../README.md (inside)\n", encoding="utf-8")
        assert len(pointers_outside(probe)) == len(lines)
    finally:
        probe.unlink()


def test_engine_is_laid_out_by_stage():
    package = ROOT / "src" / "arms_metrics"
    flat = {p.stem for p in package.glob("*.py")}
    assert flat == BASE
    folders = {p.name for p in package.iterdir() if p.is_dir() and p.name != "__pycache__"}
    assert folders == STAGES
    assert all((package / stage / "__init__.py").is_file() for stage in STAGES)
