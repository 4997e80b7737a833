"""Read one input file as text and parse its columns into typed values, cell by cell.

Reading never guesses types: every CSV cell is text until a parser for its column's kind
turns it into a date, a DECIMAL(18,2) or a boolean. A cell that does not parse is not fatal;
it becomes a failure ``(index, rule)`` and the row is quarantined later. A file that cannot
be read at all (bad UTF-8, ragged rows, broken quoting, bad gzip or parquet) is fatal and
raises ``DataError`` naming the file and, where it can be found, the line.
"""

from __future__ import annotations

import decimal
import hashlib
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from arms_metrics.config import MAX_FILE_BYTES
from arms_metrics.errors import DataError
from arms_metrics.ingest.columns import OPTIONAL_COLUMNS, check_columns
from arms_metrics.ingest.csvfile import LINE, Lines, read_csv
from arms_metrics.ingest.files import check_parquet, gunzip, read_input
from arms_metrics.ingest.schemas import COLUMNS, KIND_DTYPES, MONEY, ROUND_TO_CENTS

INDEX = "__index"  # 0-based row position; the pandera failure index

_DATE = r"^\d{4}-\d{2}-\d{2}$"
_PLAIN = r"^[+-]?(\d+\.?\d*|\.\d+)$"
_SCIENTIFIC = r"^[+-]?(\d+\.?\d*|\.\d+)[eE][+-]?\d+$"
_EXCESS = r"\.\d{2}\d*[1-9]"  # a non-zero digit after the second decimal
_CENT = decimal.Decimal("0.01")
_MAX = decimal.Decimal("1e16")  # DECIMAL(18, 2) holds 16 digits before the point


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


def _parquet_column(name: str, column: str, kind: str, dtype: pl.DataType) -> pl.Expr:
    """Native parquet types become the target type, or text for the shared parsers."""
    col = pl.col(column)
    if dtype == pl.String or dtype == KIND_DTYPES[kind]:
        return col
    if kind == "text" and isinstance(dtype, pl.Categorical | pl.Enum):
        return col.cast(pl.String)
    if kind == "money" and (dtype.is_numeric()):
        return col.cast(pl.String)  # exact for ints and decimals; floats go through Decimal
    raise DataError(name, "column_type", f"column {column} has parquet type {dtype}", None)


def _read_parquet(name: str, path: Path, table: str) -> pl.DataFrame:
    try:
        frame = pl.read_parquet(path)
    except Exception as exc:  # polars raises several types for a corrupt file
        raise DataError(name, "unparseable", f"not a readable parquet file ({exc})") from exc
    check_columns(name, table, frame.columns)
    if frame.height == 0:
        raise DataError(name, "empty_file", "no data rows", None)
    kinds = COLUMNS[table]
    exprs = [_parquet_column(name, c, kinds[c], frame.schema[c]) for c in kinds if c in frame]
    return frame.select(exprs).with_columns(pl.lit(None, dtype=pl.Int64).alias(LINE))


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
        frame, lines = read_csv(name, raw, table)
    frame = _add_absent(frame, table)
    frame = frame.select(pl.int_range(pl.len(), dtype=pl.Int64).alias(INDEX), LINE, *COLUMNS[table])
    return RawTable(table, name, digest, frame, lines)


# -- cell parsers ---------------------------------------------------------------------------
def _clean(column: str) -> pl.Expr:
    """Surrounding whitespace is not data; an empty cell is a missing value."""
    stripped = pl.col(column).str.strip_chars()
    return pl.when(stripped == "").then(None).otherwise(stripped).alias(column)


def _exact_cents(text: str, round_to_cents: bool) -> tuple[decimal.Decimal | None, str | None]:
    """Decimal value of a scientific or over-precise number: exact, or rounded half-even."""
    try:
        value = decimal.Decimal(text)
        cents = value.quantize(_CENT, rounding=decimal.ROUND_HALF_EVEN)
    except decimal.InvalidOperation:
        return None, "not_a_number"
    if abs(cents) >= _MAX:
        return None, "not_a_number"
    if cents != value and not round_to_cents:
        return None, "precision"
    return cents, None


def _parse_money(text: pl.Series, round_to_cents: bool) -> tuple[pl.Series, pl.Series]:
    """(DECIMAL(18,2) values, failure suffix or null); the rare slow cases go via Decimal."""
    plain = text.str.contains(_PLAIN)
    simple = plain & ~text.str.contains(_EXCESS)
    fast = pl.select(pl.when(simple).then(text.cast(MONEY, strict=False))).to_series()
    slow = (plain & ~simple) | text.str.contains(_SCIENTIFIC)
    slow_values = text.filter(slow.fill_null(False)).unique().to_list()
    parsed = {value: _exact_cents(value, round_to_cents) for value in slow_values}
    values = pl.Series([parsed[v][0] for v in slow_values], dtype=MONEY)
    rules = pl.Series([parsed[v][1] for v in slow_values], dtype=pl.String)
    keys = pl.Series(slow_values, dtype=pl.String)
    slow_value = text.replace_strict(keys, values, default=None, return_dtype=MONEY)
    slow_rule = text.replace_strict(keys, rules, default=None, return_dtype=pl.String)
    frame = pl.DataFrame({"t": text, "fast": fast, "slow": slow, "sv": slow_value, "sr": slow_rule})
    out = frame.select(
        value=pl.when(pl.col("slow")).then(pl.col("sv")).otherwise(pl.col("fast")),
        rule=pl.when(pl.col("t").is_null())
        .then(None)
        .when(pl.col("slow"))
        .then(pl.col("sr"))
        .when(pl.col("fast").is_null())
        .then(pl.lit("not_a_number")),
    )
    return out["value"], out["rule"]


def _parse_simple(text: pl.Series, kind: str) -> tuple[pl.Series, pl.Series]:
    frame = pl.DataFrame({"t": text})
    t = pl.col("t")
    if kind == "date":
        value = pl.when(t.str.contains(_DATE)).then(t.str.to_date("%Y-%m-%d", strict=False))
        suffix = "not_a_date"
    else:
        low = t.str.to_lowercase()
        value = pl.when(low == "true").then(True).when(low == "false").then(False)
        suffix = "not_a_bool"
    out = frame.select(
        value=value, rule=pl.when(t.is_not_null() & value.is_null()).then(pl.lit(suffix))
    )
    return out["value"].cast(KIND_DTYPES[kind]), out["rule"]


def parse_table(raw: RawTable) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Typed frame (INDEX, LINE + columns) and its parse failures (index, column, rule)."""
    frame = raw.frame.with_columns(
        _clean(c) for c, dtype in raw.frame.schema.items() if dtype == pl.String
    )
    failures = []
    typed = {INDEX: frame[INDEX], LINE: frame[LINE]}
    for column, kind in COLUMNS[raw.table].items():
        series = frame[column]
        if kind == "text" or series.dtype != pl.String:
            typed[column] = series if kind == "text" else series.cast(KIND_DTYPES[kind])
            continue
        if kind == "money":
            value, rule = _parse_money(series, (raw.table, column) in ROUND_TO_CENTS)
        else:
            value, rule = _parse_simple(series, kind)
        typed[column] = value.alias(column)
        failed = pl.DataFrame({"index": frame[INDEX], "suffix": rule}).drop_nulls("suffix")
        failures.append(
            failed.select("index", pl.lit(column).alias("column"),
                          (pl.lit(column + "_") + pl.col("suffix")).alias("rule"))
        )  # fmt: skip
    empty = pl.DataFrame(schema={"index": pl.Int64, "column": pl.String, "rule": pl.String})
    return pl.DataFrame(typed), pl.concat([empty, *failures])
