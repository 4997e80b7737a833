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
# congressional notifications often carry no transmittal number, code or authority; the
# LOR link and the original anticipated offer date of a document are new in 0.2, so an
# older extract lacks them.
OPTIONAL_COLUMNS = {
    "congressional_notifications": ("transmittal_no", "purchaser_code", "authority", "description"),
    "fms_documents": ("lor_id", "original_anticipated_offer_date"),
}

# The only free-text columns (names as published): a line break inside a field is allowed here.
FREE_TEXT = {"congressional_notifications": ("description", "purchaser")}

_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_ .()-]{0,63}")


_SEPARATORS = ((";", "semicolons"), ("\t", "tabs"), ("|", "vertical bars"))


def _named(column: str) -> str:
    if not column:
        return "'' (an empty name: a comma at the end of the header?)"
    return repr(column) if _NAME.fullmatch(column) else "a name that is not a column name"


def _no_header(name: str, table: str, columns: list[str]) -> DataError:
    """Why the first line names none of the table's columns, without quoting it."""
    first = ",".join(columns)
    if first.lower().startswith("sep="):
        detail = "the first line is a spreadsheet's sep= line, not the header: remove it"
        return DataError(name, "sep_line", detail, 1)
    for separator, called in _SEPARATORS:
        if any(part.strip() in COLUMNS[table] for part in first.split(separator)):
            detail = f"the columns are separated by {called}, not commas: export it as CSV"
            return DataError(name, "not_comma_separated", detail, 1)
    detail = f"the first line names none of the columns of {table}: not a {table} table"
    return DataError(name, "missing_column", detail, 1)


def check_columns(name: str, table: str, columns: list[str]) -> None:
    """Columns may come in any order, but must be exactly the docs/inputs.md columns."""
    expected = COLUMNS[table]
    optional = OPTIONAL_COLUMNS.get(table, ())
    if not any(c in expected for c in columns):
        raise _no_header(name, table, columns)
    missing = [c for c in expected if c not in columns and c not in optional]
    unexpected = [c for c in columns if c not in expected]
    if missing:
        found = f" (found unexpected column {_named(unexpected[0])})" if unexpected else ""
        detail = f"required column {missing[0]} is missing{found}"
        raise DataError(name, "missing_column", detail, 1)
    if unexpected:
        raise DataError(name, "unexpected_column", f"unexpected column {_named(unexpected[0])}", 1)
