"""Writing files for every stage: atomic writes, stable JSON, and CSV that is safe to open.

- ``write_bytes`` writes through a temporary file in the same folder and ``os.replace``,
  so a reader (or a crash) never sees half a file.
- ``csv_bytes`` is the one CSV writer: UTF-8, CRLF (RFC 4180), quoting only where needed,
  and formula neutralizing: a text cell that starts with ``=``, ``+``, ``-``, ``@``, a tab
  or a carriage return is prefixed with a single quote so a spreadsheet shows it as text
  instead of running it (OWASP, "CSV Injection"). Numbers such as ``-12.5`` are left as
  they are; the original text stays readable after the quote.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import polars as pl

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
NUMBER = re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?")  # ASCII only


def neutralize(cell: str) -> str:
    """``cell`` made inert for spreadsheets: ``'=1+2`` for ``=1+2``; numbers unchanged.

    >>> neutralize("=HYPERLINK(\\"x\\")"), neutralize("-3.5"), neutralize("NAVY")
    ('\\'=HYPERLINK("x")', '-3.5', 'NAVY')
    """
    if cell.startswith(FORMULA_STARTS) and not NUMBER.fullmatch(cell):
        return "'" + cell
    return cell


def neutralized(frame: pl.DataFrame) -> pl.DataFrame:
    """``frame`` with ``neutralize`` applied to every text cell, for writers that stream a
    large frame with polars (the sample generator) instead of ``csv_bytes``."""
    number = "^" + NUMBER.pattern + "$"
    text = [c for c, t in frame.schema.items() if t == pl.String]
    risky = [
        pl.any_horizontal(pl.col(c).str.starts_with(s) for s in FORMULA_STARTS)
        & ~pl.col(c).str.contains(number)
        for c in text
    ]
    return frame.with_columns(
        pl.when(r).then("'" + pl.col(c)).otherwise(pl.col(c)).alias(c)
        for c, r in zip(text, risky, strict=True)
    )


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """A CSV file as bytes: ``None`` is an empty cell, every other value ``str()``-ed and
    neutralized, UTF-8 without BOM, CRLF line ends, minimal quoting."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow([neutralize(str(h)) for h in header])
    writer.writerows(map(_texts, rows))
    return buffer.getvalue().encode("utf-8")


def _texts(row: Sequence[Any]) -> list[str]:
    """One row's cells as neutralized text (``neutralize`` only runs on a risky start)."""
    texts = ["" if cell is None else str(cell) for cell in row]
    return [neutralize(t) if t.startswith(FORMULA_STARTS) else t for t in texts]


def json_bytes(document: Any) -> bytes:
    """Stable JSON: keys in the order built, two-space indent, UTF-8, final newline."""
    return (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically (temporary file + rename in the same folder)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def write_text(path: Path, text: str) -> None:
    """``write_bytes`` for UTF-8 text."""
    write_bytes(path, text.encode("utf-8"))
