"""Explain a quote that breaks a CSV file: where it opened and what it swallowed.

Python's strict reader says only that a file is not valid CSV; these helpers find the line
where the offending quote opened and the rule it broke, without quoting the file's content.
"""

from __future__ import annotations

import csv
import itertools
import re
from collections.abc import Callable

from arms_metrics.errors import DataError

_QUOTED = re.compile(rb'"[^"]*(?:""[^"]*)*"')
_PLAIN = re.compile(rb"[^,\n]*")


def in_quotes(name: str, data: bytes, start: int, columns: list[str]) -> DataError:
    """Explain a strict-reader failure in the record that starts on line ``start``."""
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
        else:
            pos = _PLAIN.match(data, pos).end()
        if not data.startswith(b",", pos):
            break
        pos += 1
    return DataError(name, "unparseable", "not valid CSV", start)


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
    name: str, row: list[str], start: int, end: int, columns: list[str], line: Callable
) -> DataError | None:
    """A quoted field whose continuation lines read as whole records of the table on their
    own (the header's field count): a stray quote that swallowed records, not free text."""
    whole = next((n for n in range(start + 1, end + 1) if _width(line(n)) == len(columns)), None)
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


def _width(text: str) -> int:
    """The number of fields of one line read on its own (a stray quote read as text)."""
    return len(next(csv.reader([text]), []))
