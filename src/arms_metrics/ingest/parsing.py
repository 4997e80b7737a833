"""Read one input file: every CSV cell as text, parquet columns as ``values.parquet_frame``
keeps them.

Reading never guesses types: every CSV cell is text until a parser for its column's kind
(``values.py``) turns it into a date, a DECIMAL(18,2) or a boolean. A cell that does not
parse is not fatal; the row is quarantined later. A file that cannot
be read at all (bad UTF-8, ragged rows, broken quoting, bad gzip or parquet) is fatal and
raises ``DataError`` naming the file and, where it can be found, the line.
"""

from __future__ import annotations

import codecs
import csv
import gzip
import hashlib
import io
import zlib
from dataclasses import dataclass
from pathlib import Path

import polars as pl
import pyarrow as pa
import pyarrow.csv as pacsv

from arms_metrics.errors import DataError
from arms_metrics.ingest.schemas import COLUMNS
from arms_metrics.ingest.values import INDEX, LINE, parquet_frame

SUFFIXES = (".csv", ".csv.gz", ".parquet")


@dataclass(frozen=True)
class RawTable:
    """One table as read: text (or native parquet) columns in docs/inputs.md order, and the
    position of each row."""

    table: str
    file_name: str
    sha256: str
    frame: pl.DataFrame  # INDEX, LINE, then the table's columns


def _line_of(raw: bytes, offset: int) -> int:
    return raw.count(b"\n", 0, offset) + 1


def _locate(name: str, raw: bytes, width: int) -> DataError:
    """The slow, exact scan run only after the fast reader failed: find the bad line."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return DataError(name, "not_utf8", "bytes that are not UTF-8", _line_of(raw, exc.start))
    reader = csv.reader(io.StringIO(text, newline=""))
    start = 1
    try:
        for row in reader:
            if start > 1 and row and len(row) != width:
                detail = f"record has {len(row)} fields, the header has {width}"
                return DataError(name, "ragged_row", detail, start)
            start = reader.line_num + 1
    except csv.Error as exc:
        return DataError(name, "unparseable", f"CSV syntax: {exc}", start)
    return DataError(name, "unparseable", "the CSV reader could not parse the file")


def _header(name: str, raw: bytes) -> list[str]:
    first = raw.split(b"\n", 1)[0]
    try:
        text = first.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DataError(name, "not_utf8", "header is not UTF-8", 1) from exc
    columns = [column.strip() for column in next(csv.reader([text.rstrip("\r")]), [])]
    repeated = sorted({column for column in columns if columns.count(column) > 1})
    if repeated:
        raise DataError(name, "duplicate_column", f"column {repeated[0]} appears twice", 1)
    return columns


# Columns a feed may leave out altogether (every value is then missing): published
# congressional notifications often carry no transmittal number, code or authority.
OPTIONAL_COLUMNS = {
    "congressional_notifications": ("transmittal_no", "purchaser_code", "authority", "description")
}


def check_columns(name: str, table: str, columns: list[str]) -> None:
    """Columns may come in any order, but must be exactly the docs/inputs.md columns."""
    expected = COLUMNS[table]
    optional = OPTIONAL_COLUMNS.get(table, ())
    missing = [c for c in expected if c not in columns and c not in optional]
    unexpected = [c for c in columns if c not in expected]
    if missing:
        found = f" (found unexpected column {unexpected[0]!r})" if unexpected else ""
        detail = f"required column {missing[0]} is missing{found}"
        raise DataError(name, "missing_column", detail, 1)
    if unexpected:
        raise DataError(name, "unexpected_column", f"unexpected column {unexpected[0]!r}", 1)


def _add_absent(frame: pl.DataFrame, table: str) -> pl.DataFrame:
    """Optional columns the file left out, as all-missing text."""
    absent = [c for c in OPTIONAL_COLUMNS.get(table, ()) if c not in frame.columns]
    return frame.with_columns(pl.lit(None, dtype=pl.String).alias(c) for c in absent)


def _csv_frame(name: str, raw: bytes, columns: list[str]) -> pl.DataFrame:
    bad: list[int] = []

    def on_invalid(row: object) -> str:
        bad.append(1)
        return "skip"

    options = (
        pacsv.ReadOptions(column_names=columns, skip_rows=1, block_size=1 << 24),
        pacsv.ParseOptions(
            invalid_row_handler=on_invalid,
            ignore_empty_lines=False,
            newlines_in_values=b'"' in raw,
        ),
        pacsv.ConvertOptions(
            column_types=dict.fromkeys(columns, pa.string()),
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
        ),
    )
    try:
        table = pacsv.read_csv(io.BytesIO(raw), *options)
    except pa.ArrowInvalid as exc:
        raise _locate(name, raw, len(columns)) from exc
    if bad:
        raise _locate(name, raw, len(columns))
    return pl.from_arrow(table)


def _with_lines(frame: pl.DataFrame, embedded: bool) -> pl.DataFrame:
    """Physical line numbers: record + 1, shifted by newlines embedded in quoted values."""
    record = pl.int_range(pl.len(), dtype=pl.Int64)
    if not embedded:
        return frame.with_columns((record + 2).alias(LINE))
    extra = pl.sum_horizontal(
        pl.col(c).str.count_matches("\n", literal=True) for c in frame.columns
    )
    before = extra.cum_sum().shift(1, fill_value=0).cast(pl.Int64)
    return frame.with_columns((record + 2 + before).alias(LINE))


def _drop_trailing_blank(frame: pl.DataFrame) -> pl.DataFrame:
    """Blank lines at the very end of a file are not records (editors add them)."""
    blank = pl.all_horizontal(pl.col(c).str.strip_chars() == "" for c in frame.columns)
    keep = frame.height
    while keep:  # look at the tail only: the happy path reads a few rows, not all
        tail = frame.slice(max(keep - 64, 0), min(keep, 64)).select(blank.alias("b"))["b"]
        last_data = tail.not_().arg_true()
        trailing = tail.len() if last_data.is_empty() else tail.len() - 1 - int(last_data.max())
        keep -= trailing
        if trailing < tail.len():
            break
    return frame.head(keep)


def _read_csv(name: str, raw: bytes, table: str) -> pl.DataFrame:
    if not raw.removeprefix(codecs.BOM_UTF8).strip():  # nothing but a BOM is empty too
        raise DataError(name, "empty_file", "the file is empty", None)
    columns = _header(name, raw)
    check_columns(name, table, columns)
    if not raw.partition(b"\n")[2].strip():
        raise DataError(name, "empty_file", "a header but no data rows", 1)
    frame = _drop_trailing_blank(_csv_frame(name, raw, columns))
    if frame.height == 0:
        raise DataError(name, "empty_file", "a header but no data rows", 1)
    return _with_lines(frame, b'"' in raw and b"\n" in raw)


def _read_parquet(name: str, path: Path, table: str) -> pl.DataFrame:
    try:
        frame = pl.read_parquet(path)
    except Exception as exc:  # polars raises several types for a corrupt file
        raise DataError(name, "unparseable", f"not a readable parquet file ({exc})") from exc
    check_columns(name, table, frame.columns)
    if frame.height == 0:
        raise DataError(name, "empty_file", "no data rows", None)
    return parquet_frame(name, frame, table)


def read_table(table: str, path: Path) -> RawTable:
    """Read one input file; the frame keeps every column as found (text for CSV)."""
    name = path.name
    raw = path.read_bytes()
    digest = hashlib.sha256(raw).hexdigest()
    if name.endswith(".parquet"):
        frame = _read_parquet(name, path, table)
    else:
        if name.endswith(".gz"):
            try:
                raw = gzip.decompress(raw)
            except (OSError, EOFError, zlib.error) as exc:
                raise DataError(name, "unparseable", f"not a valid gzip file ({exc})") from exc
        frame = _read_csv(name, raw, table)
    frame = _add_absent(frame, table)
    frame = frame.select(pl.int_range(pl.len(), dtype=pl.Int64).alias(INDEX), LINE, *COLUMNS[table])
    return RawTable(table, name, digest, frame)
