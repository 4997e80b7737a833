"""Which columns a file may carry: the docs/inputs.md columns, in any order.

A header that does not match names the first missing or unexpected column; a name from the
file is quoted only when it reads as a column name, so a file that is not an input table
(a password file, a binary) never has its content echoed.
"""

from __future__ import annotations

import re

from arms_metrics.errors import DataError
from arms_metrics.ingest.schemas import COLUMNS

# Columns a feed may leave out altogether (every value is then missing): published
# congressional notifications often carry no transmittal number, code or authority.
OPTIONAL_COLUMNS = {
    "congressional_notifications": ("transmittal_no", "purchaser_code", "authority", "description")
}

# The only free-text columns (names as published): a line break inside a field is allowed here.
FREE_TEXT = {"congressional_notifications": ("description", "purchaser")}

_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_ .()-]{0,63}")


def _named(column: str) -> str:
    return repr(column) if _NAME.fullmatch(column) else "a name that is not a column name"


def check_columns(name: str, table: str, columns: list[str]) -> None:
    """Columns may come in any order, but must be exactly the docs/inputs.md columns."""
    expected = COLUMNS[table]
    optional = OPTIONAL_COLUMNS.get(table, ())
    if not any(c in expected for c in columns):
        detail = f"the first line names none of the columns of {table}: not a {table} table"
        raise DataError(name, "missing_column", detail, 1)
    missing = [c for c in expected if c not in columns and c not in optional]
    unexpected = [c for c in columns if c not in expected]
    if missing:
        found = f" (found unexpected column {_named(unexpected[0])})" if unexpected else ""
        detail = f"required column {missing[0]} is missing{found}"
        raise DataError(name, "missing_column", detail, 1)
    if unexpected:
        raise DataError(name, "unexpected_column", f"unexpected column {_named(unexpected[0])}", 1)
