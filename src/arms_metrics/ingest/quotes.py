"""Explain a quote that breaks a CSV file: where it opened and what it swallowed.

Python's strict reader says only that a file is not valid CSV; these helpers find the line
where the offending quote opened and the rule it broke, without quoting the file's content.
"""

from __future__ import annotations

import csv
import functools
import itertools
import re

import polars as pl

from arms_metrics.errors import DataError
from arms_metrics.ingest.schemas import COLUMNS, MODELS
from arms_metrics.ingest.values import DATE_FORMAT, INVISIBLE

_QUOTED = re.compile(rb'"[^"]*(?:""[^"]*)*"')
_PLAIN = re.compile(rb"[^,\n]*")
_ISO_DATE = re.compile(DATE_FORMAT)


def in_quotes(
    name: str, data: bytes, start: int, columns: list[str], free: tuple[str, ...] = ()
) -> DataError:
    """Explain a strict-reader failure in the record that starts on line ``start``: the
    first field that breaks a rule, reading from the record's start (a quoted field that
    runs over a line break outside the free-text columns ``free`` is one)."""
    base = pos = _offset(data, start)
    for number in itertools.count():
        column = columns[number] if number < len(columns) else f"number {number + 1}"
        if data.startswith(b'"', pos):
            opened = start + data.count(b"\n", base, pos)
            match = _QUOTED.match(data, pos)
            if match is None:
                detail = f"the quote that opens column {column} here is never closed"
                return DataError(name, "unclosed_quote", detail, opened)
            pos = match.end()
            if not data.startswith((b",", b"\n"), pos) and pos < len(data):
                return _junk(name, column, opened, start + data.count(b"\n", base, pos))
            if b"\n" in match.group() and column not in free:
                return _line_break(name, column, opened, start + data.count(b"\n", base, pos), free)
        else:
            pos = _PLAIN.match(data, pos).end()
        if not data.startswith(b",", pos):
            break
        pos += 1
    return DataError(name, "unparseable", "not valid CSV", start)


def _line_break(name: str, column: str, opened: int, closed: int, free: tuple) -> DataError:
    allowed = ", ".join(free) or "no column of this table"
    detail = (
        f"the quoted field that opens column {column} here runs to line {closed} (is a "
        f"closing quote missing? line breaks are allowed only in {allowed})"
    )
    return DataError(name, "line_break_in_field", detail, opened)


def _junk(name: str, column: str, opened: int, closed: int) -> DataError:
    doubled = "a quote inside a field must be doubled"
    if closed > opened:
        detail = (
            f"the quote that opens column {column} here is not closed on its line: "
            f"the field runs to line {closed}, where a quote is followed by text ({doubled})"
        )
        return DataError(name, "unclosed_quote", detail, opened)
    detail = f"in column {column} a closing quote is followed by text ({doubled})"
    return DataError(name, "text_after_quote", detail, opened)


def _offset(data: bytes, line: int) -> int:
    pos = 0
    for _ in range(line - 1):
        pos = data.index(b"\n", pos) + 1
    return pos


def swallowed(
    name: str, row: list[str], span: tuple[int, int], columns: list[str], table: str, line
) -> DataError | None:
    """A quoted field whose continuation lines read as whole records of the table on their
    own (``record_like``): a stray quote that swallowed records, not free text."""
    start, end = span
    whole = next(
        (n for n in range(start + 1, end + 1) if record_like(table, columns, line(n))), None
    )
    if whole is None:
        return None
    first = next(i for i, value in enumerate(row) if "\n" in value)
    opened = start + sum(value.count("\n") for value in row[:first])
    column = columns[first] if first < len(columns) else f"number {first + 1}"
    detail = (
        f"the quote that opens column {column} here is never closed: it swallows line "
        f"{whole}, which reads as a whole record (a quote inside a field must be doubled)"
    )
    return DataError(name, "unclosed_quote", detail, opened)


def record_like(table: str, columns: list[str], text: str) -> bool:
    """One line read on its own (a stray quote read as text) looks like a record of
    ``table``: the header's field count, its key as the schema and the id rules read it
    (present when required, no invisible character), and every date column an ISO date
    (present when required). A line of free text that happens to hold as many commas,
    such as ``engine, radar, spares, tools, manuals, training``, has no date there."""
    fields = next(csv.reader([text]), [])
    if len(fields) != len(columns):
        return False
    return all(_fits(table, c, f.strip()) for c, f in zip(columns, fields, strict=True))


def _fits(table: str, column: str, value: str) -> bool:
    """``value`` has the form of ``column``: a date column an ISO date, the key an id."""
    rule, kind = MODELS[table].to_schema().columns.get(column), COLUMNS[table].get(column)
    key = column in _keys(table)
    if rule is None or not (kind == "date" or key):
        return True
    if not value:
        return rule.nullable
    if kind == "date":
        return _ISO_DATE.fullmatch(value) is not None
    return not pl.Series([value]).str.contains(INVISIBLE).item()


@functools.cache
def _keys(table: str) -> tuple[str, ...]:
    """The table's key: the columns its schema checks for duplicates (``<column>_duplicate``)."""
    schema = MODELS[table].to_schema().columns
    return tuple(
        c for c, rule in schema.items() if any(k.name == f"{c}_duplicate" for k in rule.checks)
    )
