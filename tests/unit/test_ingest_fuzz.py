"""Property tests for reading files (issue 11, faults 4 and 11), with a fixed hypothesis
profile (derandomized, no example database: the same examples on every run and machine).

- Any valid file is read exactly, whatever its quoting, line endings and field sizes; the
  same file with one broken row is refused on that row's true line with the true rule.
- Random and mutated bytes in every table file give exit 0 or 65, never anything else.
"""

from __future__ import annotations

import contextlib
import gzip
import io
import re
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from arms_metrics import cli
from arms_metrics.errors import DataError
from arms_metrics.ingest.columns import FREE_TEXT
from arms_metrics.ingest.parsing import LINE, read_table
from arms_metrics.ingest.schemas import COLUMNS
from tests.unit.test_ingest_helpers import rows_for

TABLES = tuple(COLUMNS)
ENDINGS = ("\n", "\r\n", "\r", "\r\r\n", "\n\r")
BREAK = re.compile(r"\r\n|\r|\n")
FIXED = settings(
    derandomize=True,
    database=None,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
# Values never start with a comma or a line break: only such a value lets a quote left open
# earlier close cleanly again, which no reader can tell from a valid file (README, "Inputs").
VALUE = st.text(alphabet='abXY09 -.,"é', max_size=8).filter(lambda v: not v.startswith(","))
FREE_VALUE = st.text(alphabet='abXY09 -.,"é\n', max_size=10).filter(
    lambda v: not v.startswith((",", "\n"))
)


def _encode(value: str, quote_all: bool, inner: str) -> str:
    if quote_all or any(ch in value for ch in ',"\n'):
        return '"' + value.replace('"', '""').replace("\n", inner) + '"'
    return value


@st.composite
def valid_files(draw):
    """(table, values per row, encoded fields per row, line ending)."""
    table = draw(st.sampled_from(TABLES))
    free = FREE_TEXT.get(table, ())
    columns = list(COLUMNS[table])
    rows = draw(
        st.lists(
            st.fixed_dictionaries({c: FREE_VALUE if c in free else VALUE for c in columns}),
            min_size=1,
            max_size=6,
        )
    )
    rows = [r for r in rows if any(v.strip() for v in r.values())] or [dict.fromkeys(columns, "a")]
    if draw(st.booleans()):  # one field longer than Python's default limit of 131,072
        rows[draw(st.integers(0, len(rows) - 1))][columns[0]] = "L" * 140_000
    end = draw(st.sampled_from(ENDINGS))
    inner = draw(st.sampled_from(["\n", "\r\n"] if end != "\r" else ["\r", "\n"]))
    quote_all = draw(st.booleans())
    encoded = [[_encode(r[c], quote_all, inner) for c in columns] for r in rows]
    return table, rows, encoded, end


def _text(table: str, encoded: list[list[str]], end: str) -> str:
    return end.join([",".join(COLUMNS[table]), *(",".join(r) for r in encoded)]) + end


def _starts(encoded: list[list[str]]) -> list[int]:
    """The physical line each record starts on."""
    starts, line = [], 2
    for record in encoded:
        starts.append(line)
        line += 1 + sum(len(BREAK.findall(field)) for field in record)
    return starts


def _read(tmp_path: Path, table: str, data: bytes):
    path = tmp_path / f"{table}.csv"
    path.write_bytes(data)
    return read_table(table, path)


@FIXED
@given(valid_files())
def test_any_valid_file_is_read_exactly(tmp_path_factory, case):
    table, rows, encoded, end = case
    raw = _read(tmp_path_factory.mktemp("valid"), table, _text(table, encoded, end).encode())
    expected = pl.DataFrame(
        {c: pl.Series([r[c] for r in rows], dtype=pl.String) for c in COLUMNS[table]}
    )
    assert raw.frame.select(list(COLUMNS[table])).equals(expected)
    assert raw.frame[LINE].to_list() == _starts(encoded)


def _broken(table: str, encoded: list[list[str]], row: int, col: int, kind: str) -> str:
    """The record's field written broken; raises ValueError when the kind does not apply."""
    field = encoded[row][col]
    plain = field[1:-1] if field.startswith('"') else field
    free = list(COLUMNS[table])[col] in FREE_TEXT.get(table, ())
    if kind == "unclosed":
        return '"Q1'
    if kind == "junk":
        return '"' + plain + '"J'
    if kind in ("utf8", "nul"):
        return '"' + "\x01" + plain + '"'
    if kind == "linebreak" and not free:
        return '"A\nB"'
    raise ValueError(kind)


def _expected(table, encoded, row, col, kind, start) -> tuple[str, int]:
    opened = start + sum(len(BREAK.findall(f)) for f in encoded[row][:col])
    rules = {
        "extra": ("ragged_row", start),
        "missing": ("ragged_row", start),
        "unclosed": ("unclosed_quote", opened),
        "utf8": ("not_utf8", opened),
        "nul": ("nul_byte", opened),
        "linebreak": ("line_break_in_field", opened),
    }
    if kind == "junk":
        one_line = not BREAK.search(encoded[row][col])
        return ("text_after_quote" if one_line else "unclosed_quote", opened)
    return rules[kind]


@FIXED
@given(
    valid_files(),
    st.integers(min_value=0),
    st.integers(min_value=0),
    st.sampled_from(["extra", "missing", "unclosed", "junk", "utf8", "nul", "linebreak"]),
)
def test_one_broken_row_is_blamed_on_its_true_line_and_rule(
    tmp_path_factory, case, row_pick, col_pick, kind
):
    table, _, encoded, end = case
    row, col = row_pick % len(encoded), col_pick % len(COLUMNS[table])
    start = _starts(encoded)[row]
    rule, line = _expected(table, encoded, row, col, kind, start)
    broken = [list(record) for record in encoded]
    if kind == "extra":
        broken[row].append("x")
    elif kind == "missing":
        broken[row].pop()
    else:
        try:
            broken[row][col] = _broken(table, encoded, row, col, kind)
        except ValueError:
            return  # a line break is allowed in free text: nothing is broken
    data = _text(table, broken, end).encode()
    data = data.replace(b"\x01", b"\xff" if kind == "utf8" else b"\x00")
    with pytest.raises(DataError) as caught:
        _read(tmp_path_factory.mktemp("broken"), table, data)
    error = caught.value
    if rule == "unclosed_quote" and error.rule == "ragged_row":  # the quote closed, fields off
        assert error.line == start and f"runs from line {line}" in error.detail
    elif rule == "unclosed_quote" and error.rule in ("text_after_quote", "line_break_in_field"):
        assert error.line == line  # the open quote ran into a later quote on its own line
    else:
        assert (error.rule, error.line) == (rule, line), error


# -- fault 11: no bytes give an exit code other than 0 or 65 ------------------------------------
SPECIAL = [b'"', b",", b"\r", b"\n", b"\x00", b"\xff", b"\xef\xbb\xbf", b"e", b"-", b"1", b" "]


def _valid_bytes(table: str, form: str) -> bytes:
    rows = rows_for(table, [{}, {}, {}])
    if form == "parquet":
        out = io.BytesIO()
        pl.DataFrame({c: [r[c] for r in rows] for c in COLUMNS[table]}).write_parquet(out)
        return out.getvalue()
    text = "\n".join([",".join(COLUMNS[table]), *(",".join(r.values()) for r in rows)]) + "\n"
    return gzip.compress(text.encode(), mtime=0) if form == "csv.gz" else text.encode()


@st.composite
def table_file(draw, table: str):
    form = draw(st.sampled_from(["csv", "csv", "csv.gz", "parquet"]))
    how = draw(st.sampled_from(["valid", "random", "mutated", "mutated", "noise"]))
    data = _valid_bytes(table, form)
    if how == "random":
        data = draw(st.binary(max_size=600))
    elif how == "noise":  # a valid header, then lines of CSV-like characters
        body = draw(st.text(alphabet='aZ09,"\r\n -.eE:/\x00é', max_size=300))
        data = (",".join(COLUMNS[table]) + "\n" + body).encode()
    elif how == "mutated":
        for _ in range(draw(st.integers(1, 6))):
            at = draw(st.integers(0, len(data)))
            op = draw(st.sampled_from(["insert", "delete", "flip", "truncate"]))
            if op == "insert":
                data = data[:at] + draw(st.sampled_from(SPECIAL)) + data[at:]
            elif op == "delete":
                data = data[:at] + data[at + draw(st.integers(1, 20)) :]
            elif op == "flip" and at < len(data):
                data = (
                    data[:at] + bytes([data[at] ^ (1 << draw(st.integers(0, 7)))]) + data[at + 1 :]
                )
            elif op == "truncate":
                data = data[:at]
    return f"{table}.{form}", data


@settings(FIXED, max_examples=100)
@given(st.tuples(*(table_file(t) for t in TABLES)), st.sets(st.sampled_from(TABLES), min_size=1))
def test_random_and_mutated_bytes_exit_0_or_65(tmp_path_factory, files, present):
    folder = tmp_path_factory.mktemp("fuzz")
    for name, data in files:
        if name.split(".")[0] in present:
            (folder / name).write_bytes(data)
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        code = cli.main(["validate", "--input", str(folder), "--work", str(folder / "work")])
    message = err.getvalue()
    assert code in (0, 65), message
    if code == 65:
        assert message.count("\n") == 1 and message.startswith("arms-metrics: error: "), message
