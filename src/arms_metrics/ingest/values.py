"""Turn the cells of one table into typed values: dates, DECIMAL(18,2) money, booleans.

Every number path reads ASCII digits only (``[0-9]``, never the Unicode ``\\d``): a
fullwidth or Arabic-Indic digit is not a number, in money and in dates alike. A cell that
does not parse, or a date outside the plausible range (``[ingest] min_date`` ..
``max_years_after_quarter_end``), becomes a failure ``(index, column, rule)`` and its value
is read as missing; the row is quarantined later. Scientific notation in money is a
spreadsheet's display form that may have rounded the amount: it is accepted only where
published estimates are written that way (``SCIENTIFIC_TABLES``) and from parquet floats.

Parquet columns arrive typed: ``parquet_frame`` keeps the types that hold the value exactly
(the target type, decimal, integer and float64 money) and turns dictionary-encoded
(categorical) and all-null columns into text; float32 money cannot hold cents and is
refused with exit 65 naming the column.
"""

from __future__ import annotations

import datetime as dt
import decimal
from dataclasses import dataclass
from typing import Protocol

import polars as pl

from arms_metrics.errors import DataError
from arms_metrics.ingest.columns import FREE_TEXT
from arms_metrics.ingest.parquet_dates import date_column
from arms_metrics.ingest.schemas import COLUMNS, KIND_DTYPES, MONEY, ROUND_TO_CENTS

INDEX = "__index"  # 0-based row position; the pandera failure index
LINE = "__line"  # physical line of the record's first field (null for parquet)
SCIENTIFIC_TABLES = ("congressional_notifications",)

DATE_FORMAT = _DATE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
# control, format, odd spaces, every Unicode Default_Ignorable_Code_Point (U+3164 Hangul
# filler, U+034F combining grapheme joiner, variation selectors) and U+2800 (blank braille
# pattern) (a polars pattern: quotes.record_like reads it through polars)
INVISIBLE = _INVISIBLE = (
    r"[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Zs}\p{Default_Ignorable_Code_Point}\x{2800}--\x20]"
)
_FAR_DATE = r"^[+-][0-9]{4,}-[0-9]{2}-[0-9]{2}$"  # a signed year (parquet_dates.civil)
_NOT_PLAIN = r"[^\x21-\x7e]"  # a space, a control or a non-ASCII character
_PLAIN = r"^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)$"
_SCIENTIFIC = r"^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)[eE][+-]?[0-9]+$"
_EXCESS = r"\.[0-9]{2}[0-9]*[1-9]"  # a non-zero digit after the second decimal
_CENT = decimal.Decimal("0.01")
_MAX = decimal.Decimal("1e16")  # DECIMAL(18, 2) holds 16 digits before the point


class RawTable(Protocol):
    """What ``parse_table`` reads of ``parsing.RawTable`` (this module sits below it)."""

    table: str
    frame: pl.DataFrame


@dataclass(frozen=True)
class DateRange:
    """The plausible dates: ``first`` .. ``last`` inclusive; others are quarantined."""

    first: dt.date
    last: dt.date


# -- parquet --------------------------------------------------------------------------------
def _parquet_column(name: str, column: str, kind: str, dtype: pl.DataType) -> pl.Expr:
    """The column as text for the shared parsers, or kept when its type is exact."""
    col = pl.col(column)
    if dtype == pl.String or dtype == KIND_DTYPES[kind]:
        return col
    if isinstance(dtype, pl.Categorical | pl.Enum | pl.Null):  # dictionary, or all empty
        return col.cast(pl.String)
    exact = isinstance(dtype, pl.Decimal | pl.Float64) or dtype.is_integer()
    if kind == "money" and exact:
        return col  # parse_table reads it through its exact text
    if kind == "money" and dtype.is_float():
        detail = (
            f"column {column} is {dtype}: money is decimal, integer or float64 (not cents-safe)"
        )
        raise DataError(name, "column_type", detail, None)
    raise DataError(name, "column_type", f"column {column} has parquet type {dtype}", None)


def _no_nul(name: str, frame: pl.DataFrame) -> None:
    """A NUL character is binary data, not text: refused as in a CSV file."""
    for column, dtype in frame.schema.items():
        if dtype == pl.String and (hits := frame[column].str.contains("\x00", literal=True)).any():
            record = int(hits.arg_true()[0]) + 1
            detail = f"a NUL character in column {column} (first at record {record}): binary data"
            raise DataError(name, "nul_byte", detail, None)


def parquet_frame(name: str, frame: pl.DataFrame, table: str) -> pl.DataFrame:
    """The table's columns of a parquet file, each in a type the parsers read exactly."""
    kinds = COLUMNS[table]
    frame = frame.with_columns(
        date_column(frame[c])
        for c, kind in kinds.items()
        if kind == "date" and c in frame and frame.schema[c] in (pl.Date, pl.Datetime)
    )
    exprs = [_parquet_column(name, c, kinds[c], frame.schema[c]) for c in kinds if c in frame]
    out = frame.select(exprs)
    _no_nul(name, out)
    return out.with_columns(pl.lit(None, dtype=pl.Int64).alias(LINE))


# -- cell parsers ---------------------------------------------------------------------------
def _plain(series: pl.Series) -> bool:
    """True when every cell is printable ASCII other than the space: such a text column has
    nothing to strip and nothing invisible (one scan)."""
    return series.dtype == pl.String and not series.str.contains(_NOT_PLAIN).any()


def _clean(series: pl.Series, plain: bool = False) -> pl.Series:
    """Surrounding whitespace is not data; an empty cell is a missing value. A text column
    with nothing to strip or empty is returned as it is (sharing its buffers, no copy);
    ``plain``: ``_plain(series)`` is known true."""
    if series.dtype != pl.String:
        return series
    if plain and not (series == "").any():
        return series
    if plain:
        return pl.select(pl.when(series == "").then(None).otherwise(series)).to_series()
    stripped = series.str.strip_chars()
    if not ((stripped.str.len_bytes() != series.str.len_bytes()).any() or (series == "").any()):
        return series
    return pl.select(pl.when(stripped == "").then(None).otherwise(stripped)).to_series()


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


def _slow_money(text: pl.Series, slow: pl.Series, round_to_cents: bool):
    """(value, rule) of the rare cells Decimal must read: each distinct text parsed once."""
    slow_values = text.filter(slow.fill_null(False)).unique().to_list()
    parsed = {value: _exact_cents(value, round_to_cents) for value in slow_values}
    keys = pl.Series(slow_values, dtype=pl.String)
    values = pl.Series([parsed[v][0] for v in slow_values], dtype=MONEY)
    rules = pl.Series([parsed[v][1] for v in slow_values], dtype=pl.String)
    return (
        text.replace_strict(keys, values, default=None, return_dtype=MONEY),
        text.replace_strict(keys, rules, default=None, return_dtype=pl.String),
    )


def _parse_money(
    text: pl.Series, round_to_cents: bool, scientific: bool = True
) -> tuple[pl.Series, pl.Series]:
    """(DECIMAL(18,2) values, failure suffix or null); the rare slow cases go via Decimal."""
    plain = text.str.contains(_PLAIN)
    simple = plain & ~text.str.contains(_EXCESS)
    fast = pl.select(pl.when(simple).then(text.cast(MONEY, strict=False))).to_series()
    exponent = text.str.contains(_SCIENTIFIC)
    slow = (plain & ~simple) | (exponent if scientific else pl.repeat(False, len(text), eager=True))
    columns = {"t": text, "fast": fast, "slow": slow, "e": exponent}
    slow_value, slow_rule = pl.lit(None, dtype=MONEY), pl.lit(None, dtype=pl.String)
    if slow.any():  # none in a clean column: no two more full-length columns then
        columns["sv"], columns["sr"] = _slow_money(text, slow, round_to_cents)
        slow_value, slow_rule = pl.col("sv"), pl.col("sr")
    out = pl.DataFrame(columns).select(
        value=pl.when(pl.col("slow")).then(slow_value).otherwise(pl.col("fast")),
        rule=pl.when(pl.col("t").is_null())
        .then(None)
        .when(pl.col("slow"))
        .then(slow_rule)
        .when(pl.col("e"))
        .then(pl.lit("scientific"))
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
    out = frame.with_columns(value=value)
    failed = t.is_not_null() & pl.col("value").is_null()
    if not out.select(failed.any()).item():  # the common case: no second pattern to run
        return out["value"].cast(KIND_DTYPES[kind]), pl.repeat(
            None, len(text), dtype=pl.String, eager=True
        )
    far = t.str.contains(_FAR_DATE) if kind == "date" else pl.lit(False)
    rule = out.select(
        pl.when(failed).then(pl.when(far).then(pl.lit("out_of_range")).otherwise(pl.lit(suffix)))
    ).to_series()
    return out["value"].cast(KIND_DTYPES[kind]), rule


def _in_range(value: pl.Series, rule: pl.Series, dates: DateRange) -> tuple[pl.Series, pl.Series]:
    """A date outside ``dates`` is read as missing, with the rule ``out_of_range``."""
    outside = (value < dates.first) | (value > dates.last)
    frame = pl.DataFrame({"v": value, "r": rule, "o": outside.fill_null(False)})
    out = frame.select(
        value=pl.when(pl.col("o")).then(None).otherwise(pl.col("v")),
        rule=pl.when(pl.col("o")).then(pl.lit("out_of_range")).otherwise(pl.col("r")),
    )
    return out["value"].cast(pl.Date), out["rule"]


def _visible(table: str, series: pl.Series, plain: bool = False) -> tuple[pl.Series, pl.Series]:
    """An identifier or code holding an invisible character (a control or format character
    such as U+200B, U+FEFF, U+00AD, a space other than U+0020, any other character Unicode
    says to render invisibly (Default_Ignorable_Code_Point: U+3164, U+034F, U+FE0F), or the
    blank braille pattern U+2800) is read as missing, so
    ``LOR-1`` and ``LOR-1`` + U+200B are not two records; so is one holding a quote (a field
    quoted after a space, ``, "LOR-1"``, is not quoted in CSV: its quotes are text, and
    ``"LOR-1"`` would be a second record). Free text is left alone. ``plain``: the column
    is known to hold printable ASCII only (``_plain``), so nothing invisible."""
    if series.name in FREE_TEXT.get(table, ()):
        return series, pl.repeat(None, len(series), dtype=pl.String, eager=True)
    if plain:
        hidden = pl.repeat(False, len(series), eager=True)
    else:
        hidden = series.str.contains(_INVISIBLE).fill_null(False)
    quoted = series.str.contains('"', literal=True).fill_null(False)
    if not (hidden.any() or quoted.any()):  # the common case: the column as it is, no copy
        return series, pl.repeat(None, len(series), dtype=pl.String, eager=True)
    frame = pl.DataFrame({"v": series, "h": hidden, "q": quoted})
    out = frame.select(
        value=pl.when(pl.col("h") | pl.col("q")).then(None).otherwise(pl.col("v")),
        rule=pl.when(pl.col("h"))
        .then(pl.lit("invisible_character"))
        .when(pl.col("q"))
        .then(pl.lit("quote_character")),
    )
    return out["value"], out["rule"]


def _parse_column(
    table: str, series: pl.Series, kind: str, dates: DateRange | None, plain: bool = False
):
    """(typed values, failure suffix or null) of one column."""
    none = pl.repeat(None, len(series), dtype=pl.String, eager=True)
    if kind == "text" and series.dtype == pl.String:
        value, rule = _visible(table, series, plain)
    elif kind == "text" or series.dtype == KIND_DTYPES[kind]:
        value, rule = series, none
    elif kind == "money":
        native = series.dtype != pl.String  # parquet numbers: their text is exact
        scientific = native or table in SCIENTIFIC_TABLES
        text = series.cast(pl.String)
        value, rule = _parse_money(text, (table, series.name) in ROUND_TO_CENTS, scientific)
    else:
        value, rule = _parse_simple(series, kind)
    if kind == "date" and dates is not None:
        value, rule = _in_range(value, rule, dates)
    return value, rule


def parse_table(raw: RawTable, dates: DateRange | None = None) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Typed frame (INDEX, LINE + columns) and its parse failures (index, column, rule)."""
    frame = raw.frame  # cleaned column by column: one cleaned copy at a time, if any
    failures = []
    typed = {INDEX: frame[INDEX], LINE: frame[LINE]}
    for column, kind in COLUMNS[raw.table].items():
        plain = _plain(frame[column])
        cleaned = _clean(frame[column], plain).alias(column)
        value, rule = _parse_column(raw.table, cleaned, kind, dates, plain)
        typed[column] = value.cast(KIND_DTYPES[kind]).alias(column)
        failed = pl.DataFrame({"index": frame[INDEX], "suffix": rule}).drop_nulls("suffix")
        failures.append(
            failed.select("index", pl.lit(column).alias("column"),
                          (pl.lit(column + "_") + pl.col("suffix")).alias("rule"))
        )  # fmt: skip
    empty = pl.DataFrame(schema={"index": pl.Int64, "column": pl.String, "rule": pl.String})
    return pl.DataFrame(typed), pl.concat([empty, *failures])
