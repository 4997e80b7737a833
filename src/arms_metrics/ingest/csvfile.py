"""Read a CSV file's records as text, accounting for every physical line.

One grammar decides what a valid file is: Python's ``csv`` module in strict mode (RFC 4180
quoting, no limit on field size). pyarrow builds the frame fast; the strict reader checks
every file that holds a quote, finds the line and rule when pyarrow refuses a file, and
reads the rare valid file pyarrow cannot. Every line-ending convention is read (LF, CRLF,
CR alone, CR CR LF, LF CR, and mixes); a line is what a text editor counts as one. A line
break inside a field is allowed only in the free-text columns; an unclosed quote is an
error at the line where it opened. Error messages never quote the file's content.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import polars as pl
import pyarrow as pa
import pyarrow.csv as pacsv

from arms_metrics.errors import DataError
from arms_metrics.ingest.columns import FREE_TEXT, check_columns
from arms_metrics.ingest.files import csv_text
from arms_metrics.ingest.quotes import in_quotes, swallowed
from arms_metrics.ingest.values import LINE

_EOF_MARK = re.compile(rb"\x1a\n?\Z")
_SPACED_QUOTE = re.compile(r'[ \t]+"')
_NOT_SPACE = re.compile(rb"[^ \t\n\r\x0b\x0c]")  # what bytes.strip() keeps


def _blank(data: bytes, start: int = 0) -> bool:
    """True when ``data[start:]`` is only ASCII whitespace (bytes.strip() semantics), found
    without copying the file's bytes."""
    return _NOT_SPACE.search(data, start) is None


@dataclass(frozen=True)
class Lines:
    """How the file's physical lines are spent: 1 header + record lines + blank lines at end
    (a last line holding only DOS's end-of-file mark, Ctrl-Z, counts as one of these)."""

    physical: int
    records: int
    blank_at_end: int


def header(name: str, data: bytes) -> list[str]:
    end = data.find(b"\n")
    first = data if end < 0 else data[:end]  # not split(): that would copy the whole file
    try:
        text = first.decode("utf-8")
        columns = next(csv.reader([text], strict=True), [])
    except UnicodeDecodeError:
        raise DataError(name, "not_utf8", "the header row is not UTF-8 text", 1) from None
    except csv.Error:
        raise DataError(name, "unparseable", "the header row is not valid CSV", 1) from None
    columns = [column.strip() for column in columns]
    repeated = sorted({column for column in columns if columns.count(column) > 1})
    if repeated:
        raise DataError(name, "duplicate_column", f"column {repeated[0]} appears twice", 1)
    return columns


def _arrow_pool() -> pa.MemoryPool:
    """Arrow's jemalloc pool, set to give freed pages back at once: the default (mimalloc)
    pool keeps a table's whole text resident after polars has copied it. The default pool
    where this pyarrow has no jemalloc."""
    try:
        pa.jemalloc_set_decay_ms(0)
        return pa.jemalloc_memory_pool()
    except NotImplementedError:
        return pa.default_memory_pool()


def _arrow_frame(data: bytes, columns: list[str]) -> pa.Table | None:
    """The records as Arrow text columns, or None when pyarrow refuses the file (a ragged
    row too)."""
    options = (
        pacsv.ReadOptions(column_names=columns, skip_rows=1, block_size=1 << 24),
        pacsv.ParseOptions(ignore_empty_lines=False, newlines_in_values=b'"' in data),
        pacsv.ConvertOptions(
            column_types=dict.fromkeys(columns, pa.string()),
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
        ),
    )
    try:
        return pacsv.read_csv(io.BytesIO(data), *options, memory_pool=_arrow_pool())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None


def _to_polars(table: pa.Table) -> pl.DataFrame:
    """The Arrow table as a polars frame, one column at a time: each Arrow column is let go
    once polars holds its copy (its string views), so the text is never held twice whole."""
    columns = []
    while table.num_columns:
        columns.append(pl.from_arrow(table.column(0)).alias(table.column_names[0]))
        table = table.remove_column(0)
    return pl.DataFrame(columns)


@contextmanager
def _no_field_limit() -> Iterator[None]:
    old = csv.field_size_limit()
    try:
        csv.field_size_limit(sys.maxsize)
    except OverflowError:  # a C long of 32 bits
        csv.field_size_limit(2**31 - 1)
    try:
        yield
    finally:
        csv.field_size_limit(old)


def _record_problem(
    name: str, row: list[str], span: tuple[int, int], columns: list[str], table: str, line
) -> DataError | None:
    """A line break outside the free-text columns, a quote that swallowed records, or a
    ragged record."""
    (start, end), width, free = span, len(columns), FREE_TEXT.get(table, ())

    def opened(index: int) -> int:
        return start + sum(value.count("\n") for value in row[:index])

    for index, value in enumerate(row[:width]):
        if "\n" in value and columns[index] not in free:
            allowed = ", ".join(free) or "no column of this table"
            detail = (
                f"the quoted field that opens column {columns[index]} here runs to line "
                f"{opened(index + 1)} (is a closing quote missing? line breaks are allowed "
                f"only in {allowed})"
            )
            return DataError(name, "line_break_in_field", detail, opened(index))
    if end > start and (problem := swallowed(name, row, span, columns, table, line)):
        return problem
    if len(row) == width:
        return None
    detail = f"record has {len(row)} fields, the header has {width}" + _spaced_quote(row, columns)
    spanning = [i for i, value in enumerate(row) if "\n" in value]
    if spanning:
        first = spanning[0]
        column = columns[first] if first < width else f"number {first + 1}"
        detail += (
            f"; its quoted field in column {column} runs from line {opened(first)} to "
            f"{opened(first + 1)} (is a closing quote missing?)"
        )
    return DataError(name, "ragged_row", detail, start)


def _spaced_quote(row: list[str], columns: list[str]) -> str:
    """Why a field may have split: a quote after a space opens no quoted field (RFC 4180),
    so the comma inside is a separator."""
    index = next((i for i, value in enumerate(row) if _SPACED_QUOTE.match(value)), None)
    if index is None:
        return ""
    column = columns[index] if index < len(columns) else f"number {index + 1}"
    return (
        f"; the field in column {column} has a space before its opening quote, so the quote "
        "opens no quoted field and a comma inside it splits it (remove the space)"
    )


def _strict(
    name: str, data: bytes, columns: list[str], table: str, keep: bool
) -> tuple[DataError | None, list[list[str]]]:
    """The first problem in file order (None if valid), and the records if ``keep``."""
    rows: list[list[str]] = []
    stream = io.TextIOWrapper(io.BytesIO(data), encoding="utf-8", newline="")
    reader = csv.reader(stream, strict=True)
    start = 1
    text: list[str] = []

    def line(number: int) -> str:
        if not text:
            text.extend(data.decode("utf-8").split("\n"))
        return text[number - 1]

    with _no_field_limit():
        try:
            for row in reader:
                end = reader.line_num
                row = [] if len(row) == 1 and not row[0].strip() else row  # spaces only: blank
                odd = start > 1 and row and (end > start or len(row) != len(columns))
                span = (start, end)
                if odd and (problem := _record_problem(name, row, span, columns, table, line)):
                    return problem, rows
                if keep and start > 1:
                    rows.append(row or [""] * len(columns))
                start = end + 1
        except csv.Error:
            return in_quotes(name, data, start, columns, FREE_TEXT.get(table, ())), rows
    return None, rows


def _not_utf8(name: str, data: bytes) -> DataError | None:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        return DataError(name, "not_utf8", "bytes that are not UTF-8", line)
    return None


def _frame(
    name: str, data: bytes, columns: list[str], table: str, note: str
) -> pa.Table | pl.DataFrame:
    """Every record as text (Arrow when pyarrow read it: ``_to_polars`` once the bytes are
    let go); the first problem in the file raised as a DataError."""
    frame = _arrow_frame(data, columns)
    if frame is not None and b'"' not in data:
        return frame  # no quote: each line is a record, and pyarrow checked each one
    problem = _not_utf8(name, data) if frame is None else None
    rows: list[list[str]] = []
    if problem is None:
        problem, rows = _strict(name, data, columns, table, keep=frame is None)
    if problem is not None and problem.rule == "ragged_row":
        raise DataError(name, problem.rule, problem.detail + note, problem.line)
    if problem is not None:
        raise problem
    if frame is None:
        frame = pl.DataFrame(
            [pl.Series(c, [r[i] for r in rows], dtype=pl.String) for i, c in enumerate(columns)]
        )
    return frame


def _newlines(frame: pl.DataFrame) -> pl.Expr:
    return pl.sum_horizontal(
        pl.col(c).str.count_matches("\n", literal=True) for c in frame.columns
    ).cast(pl.Int64)


def _with_lines(frame: pl.DataFrame, embedded: bool) -> pl.DataFrame:
    """Physical line numbers: record + 1, shifted by newlines embedded in quoted values."""
    record = pl.int_range(pl.len(), dtype=pl.Int64)
    if not embedded:
        return frame.with_columns((record + 2).alias(LINE))
    before = _newlines(frame).cum_sum().shift(1, fill_value=0)
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


def _record_lines(frame: pl.DataFrame, embedded: bool) -> int:
    if not embedded or frame.height == 0:
        return frame.height
    return frame.height + int(frame.select(_newlines(frame)).to_series().sum())


def read_csv(name: str, source: list[bytes], table: str) -> tuple[pl.DataFrame, Lines]:
    """The records of one CSV file as text columns, with their lines; or a DataError.
    ``source`` holds the file's bytes, one item, and is emptied: the bytes are let go once
    read, before polars copies the text (a table's bytes, Arrow and polars text are never
    all held at once)."""
    raw = source.pop()
    if _blank(raw, len(codecs.BOM_UTF8) if raw.startswith(codecs.BOM_UTF8) else 0):
        # nothing but a BOM is empty too
        raise DataError(name, "empty_file", "the file is empty", None)
    data, note = csv_text(name, raw)
    # DOS's end-of-file mark (Ctrl-Z) at the very end is no record; on a line of its own it
    # is a physical line all the same, counted among the blank lines at end (tester's F4)
    mark_line = 1 if re.search(rb"\n\x1a\n?\Z", data) else 0
    data = _EOF_MARK.sub(b"", data)
    columns = header(name, data)
    check_columns(name, table, columns)
    first_end = data.find(b"\n")
    if first_end < 0 or _blank(data, first_end + 1):
        raise DataError(name, "empty_file", "a header but no data rows", 1)
    every = _frame(name, data, columns, table, note)
    embedded = b'"' in data and b"\n" in data
    physical = data.count(b"\n") + (0 if data.endswith(b"\n") else 1)
    del raw, data
    every = _to_polars(every) if isinstance(every, pa.Table) else every
    if 1 + _record_lines(every, embedded) != physical:
        detail = f"{physical} lines, but the header and records account for a different number"
        raise DataError(name, "lines_unaccounted", detail, None)
    frame = _drop_trailing_blank(every)
    if frame.height == 0:
        raise DataError(name, "empty_file", "a header but no data rows", 1)
    records, physical = _record_lines(frame, embedded), physical + mark_line
    return _with_lines(frame, embedded), Lines(physical, records, physical - 1 - records)
