"""Read one input file: every CSV cell as text, parquet columns as ``values.parquet_frame``
keeps them.

Reading never guesses types: every CSV cell is text until a parser for its column's kind
(``values.py``) turns it into a date, a DECIMAL(18,2) or a boolean. A cell that does not
parse is not fatal; the row is quarantined later. A file that cannot
be read at all (bad UTF-8, ragged rows, broken quoting, bad gzip or parquet) is fatal and
raises ``DataError`` naming the file and, where it can be found, the line.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from arms_metrics.config import MAX_FILE_BYTES
from arms_metrics.errors import DataError
from arms_metrics.ingest.columns import OPTIONAL_COLUMNS, check_columns
from arms_metrics.ingest.csvfile import Lines, read_csv
from arms_metrics.ingest.files import check_parquet, gunzip, read_input
from arms_metrics.ingest.schemas import COLUMNS
from arms_metrics.ingest.values import INDEX, LINE, parquet_frame


@dataclass(frozen=True)
class RawTable:
    """One table as read: text (or native parquet) columns in docs/inputs.md order, and the
    position of each row."""

    table: str
    file_name: str
    sha256: str
    frame: pl.DataFrame  # INDEX, LINE, then the table's columns
    lines: Lines | None = None  # how the physical lines are spent (CSV only)


def _add_absent(frame: pl.DataFrame, table: str) -> pl.DataFrame:
    """Optional columns the file left out, as all-missing text."""
    absent = [c for c in OPTIONAL_COLUMNS.get(table, ()) if c not in frame.columns]
    return frame.with_columns(pl.lit(None, dtype=pl.String).alias(c) for c in absent)


def _read_parquet(name: str, path: Path, table: str) -> pl.DataFrame:
    try:
        frame = pl.read_parquet(path)
    except Exception as exc:  # polars raises several types for a corrupt file
        raise DataError(name, "unparseable", f"not a readable parquet file ({exc})") from exc
    try:
        check_columns(name, table, frame.columns)
    except DataError as error:  # a parquet file has no lines: no ':1'
        raise DataError(name, error.rule, error.detail, None) from None
    if frame.height == 0:
        raise DataError(name, "empty_file", "no data rows", None)
    return parquet_frame(name, frame, table)


def read_table(table: str, path: Path, max_bytes: int = MAX_FILE_BYTES) -> RawTable:
    """Read one input file; the frame keeps every column as found (text for CSV)."""
    name = path.name
    raw = read_input(path, max_bytes)
    digest = hashlib.sha256(raw).hexdigest()
    lines = None
    if name.lower().endswith(".parquet"):
        check_parquet(name, raw, max_bytes)
        frame = _read_parquet(name, path, table)
    else:
        if name.lower().endswith(".gz"):
            raw = gunzip(name, raw, max_bytes)
        source = [raw]
        del raw  # read_csv lets the bytes go once read
        frame, lines = read_csv(name, source, table)
    frame = _add_absent(frame, table)
    frame = frame.select(pl.int_range(pl.len(), dtype=pl.Int64).alias(INDEX), LINE, *COLUMNS[table])
    return RawTable(table, name, digest, frame, lines)
