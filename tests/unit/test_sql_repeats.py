"""No block of SQL is copied: no WINDOW consecutive lines repeat anywhere in pipelines/.

Lines are compared with comments dropped and whitespace normalized (blank lines skipped),
through a hash of every window of WINDOW lines over every ``pipelines/**/*.sql`` file, so a
repeated block is found across files and within one file alike. Shared logic belongs in one
model (an intermediate model, a population view) or in the engine, not in copies.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
WINDOW = 6


def sql_lines(text: str) -> list[tuple[int, str]]:
    """(line number, normalized text) of every line that holds SQL."""
    lines = []
    for number, raw in enumerate(text.splitlines(), 1):
        normalized = " ".join(raw.split("--", 1)[0].split())
        if normalized:
            lines.append((number, normalized))
    return lines


def repeated_blocks(files: dict[str, str], window: int = WINDOW) -> dict[str, list[str]]:
    """Each block of ``window`` lines found more than once -> where ("file:line") it is."""
    seen: dict[str, list[str]] = defaultdict(list)
    blocks: dict[str, str] = {}
    for name, text in sorted(files.items()):
        lines = sql_lines(text)
        for start in range(len(lines) - window + 1):
            block = "\n".join(line for _, line in lines[start : start + window])
            digest = hashlib.sha256(block.encode()).hexdigest()
            seen[digest].append(f"{name}:{lines[start][0]}")
            blocks[digest] = block
    return {blocks[d]: where for d, where in seen.items() if len(where) > 1}


def test_the_detector_finds_a_copy_and_ignores_comments_and_spacing() -> None:
    block = "select\n  a,\n  b\nfrom t\nwhere a > 1\ngroup by a\n"
    spaced = (
        "-- another header\nselect\n    a,   -- a comment\n\n b\nfrom   t\nwhere a > 1\ngroup by a"
    )
    assert list(repeated_blocks({"x.sql": block, "y.sql": spaced}).values()) == [
        ["x.sql:1", "y.sql:2"]
    ]
    assert repeated_blocks({"x.sql": block, "y.sql": block.replace("b\n", "c\n")}) == {}
    assert repeated_blocks({"x.sql": block + block}) != {}  # within one file too


def test_no_six_line_block_repeats_in_pipelines() -> None:
    files = {
        str(path.relative_to(ROOT)): path.read_text(encoding="utf-8")
        for path in sorted((ROOT / "pipelines").rglob("*.sql"))
    }
    assert files, "no SQL found"
    repeats = repeated_blocks(files)
    shown = [f"{where}:\n{block}" for block, where in repeats.items()]
    assert repeats == {}, "repeated SQL blocks:\n" + "\n\n".join(shown[:5])
