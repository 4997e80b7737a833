"""Parquet date columns (tester's F3 and the minor timestamp item): a date32 beyond the years
polars can print is quarantined as out of range, never a panic; timestamps (date64, with and
without a time zone) are dates at midnight and quarantined otherwise; NUL in parquet text is
refused as in CSV."""

from __future__ import annotations

import csv
import datetime as dt

import pyarrow as pa
import pyarrow.compute as pc
import pytest

from arms_metrics import cli
from arms_metrics.errors import DataError
from arms_metrics.ingest.load import ingest
from arms_metrics.ingest.parquet_dates import civil
from arms_metrics.ingest.schemas import COLUMNS
from tests.unit.test_ingest_helpers import make_config, quarantine_rules, rows_for
from tests.unit.test_values import _write_parquet

DATES = [(t, c) for t in sorted(COLUMNS) for c, kind in COLUMNS[t].items() if kind == "date"]
EPOCH = dt.date(1970, 1, 1)


@pytest.mark.parametrize(
    ("days", "text"),
    [  # worked by hand: 1e8 days is JavaScript's last date; 1 Jan of year 1 is day -719162
        (0, "1970-01-01"),
        (-1, "1969-12-31"),
        (-719_162, "0001-01-01"),
        (-719_163, "+000000-12-31"),
        (2_932_896, "9999-12-31"),
        (2_932_897, "+010000-01-01"),
        (100_000_000, "+275760-09-13"),
        (-100_000_000, "-271821-04-20"),
    ],
)
def test_civil_dates_of_any_day_count(days, text):
    assert civil(days) == text


def _days(rows, column, far: int | None = None) -> pa.Array:
    values = [(dt.date.fromisoformat(r[column]) - EPOCH).days if r[column] else None for r in rows]
    if far is not None:
        values[1] = far
    return pa.array(values, pa.int32()).cast(pa.date32())


def _ingest(tmp_path, config, table, native) -> dict[int, str]:
    rows = rows_for(table, [{}, {}, {}])
    folder = tmp_path / "input"
    _write_parquet(folder, table, rows, native=native(rows))
    try:
        ingest(folder, make_config(tmp_path, config), tmp_path / "work")
    except DataError as error:  # 1 of 3 rows is above the threshold: the quarantine is written
        assert error.exit_code == 65
    return quarantine_rules(tmp_path, table)


@pytest.mark.parametrize(("table", "column"), DATES)
@pytest.mark.parametrize(("far", "text"), [(100_000_000, "+275760-09-13"), (-5_000_000, None)])
def test_a_date32_beyond_any_printable_year_is_out_of_range(
    tmp_path, config, table, column, far, text
):
    rules = _ingest(tmp_path, config, table, lambda rows: {column: _days(rows, column, far)})
    assert list(rules) == [2] and f"{column}_out_of_range" in rules[2].split(";")
    with (tmp_path / "work" / "quarantine" / f"{table}.csv").open(newline="") as handle:
        (row,) = list(csv.DictReader(handle))
    assert row[column].lstrip("'") == (text or civil(far))  # the value as found, signed year


def test_the_cli_gives_65_not_a_panic(tmp_path, capsys):
    rows = rows_for("fms_deliveries", [{}, {}, {}])
    folder = tmp_path / "input"
    native = {"delivery_date": _days(rows, "delivery_date", 100_000_000)}
    _write_parquet(folder, "fms_deliveries", rows, native=native)
    code = cli.main(["validate", "--input", str(folder), "--work", str(tmp_path / "work")])
    err = capsys.readouterr().err
    assert code == 65 and "delivery_date_out_of_range" in err and err.count("\n") == 1


def _stamps(rows, column, unit: str, tz: str | None, hour: int) -> pa.Array:
    values = [
        dt.datetime.fromisoformat(r[column]).replace(hour=hour) if r[column] else None for r in rows
    ]
    wall = pa.array(values, pa.timestamp(unit))  # the wall-clock time in the zone ``tz``
    return pc.assume_timezone(wall, tz) if tz else wall


ZONES = [("ms", None), ("us", "UTC"), ("ns", "America/New_York")]


def _native(column: str, unit: str, tz: str | None, hour: int):
    def make(rows):
        if unit == "date64":  # parquet stores a date64 as days (DATE): midnight always
            return {column: _stamps(rows, column, "ms", None, 0).cast(pa.date64())}
        return {column: _stamps(rows, column, unit, tz, hour)}

    return make


@pytest.mark.parametrize(("table", "column"), DATES)
@pytest.mark.parametrize(("unit", "tz"), [*ZONES, ("date64", None)])
def test_timestamps_at_midnight_are_read_as_dates(tmp_path, config, table, column, unit, tz):
    assert _ingest(tmp_path, config, table, _native(column, unit, tz, 0)) == {}


@pytest.mark.parametrize(("table", "column"), DATES)
@pytest.mark.parametrize(("unit", "tz"), ZONES)
def test_timestamps_with_a_time_are_quarantined(tmp_path, config, table, column, unit, tz):
    late = _ingest(tmp_path, config, table, _native(column, unit, tz, 13))
    filled = [n for n, r in enumerate(rows_for(table, [{}, {}, {}]), 1) if r[column]]
    assert sorted(late) == filled
    assert all(f"{column}_not_a_date" in rules.split(";") for rules in late.values())


@pytest.mark.parametrize(
    ("table", "column"),
    [(t, c) for t in sorted(COLUMNS) for c, kind in COLUMNS[t].items() if kind == "text"],
)
def test_a_nul_in_parquet_text_is_refused_naming_column_and_record(tmp_path, config, table, column):
    rows = rows_for(table, [{}, {column: "A\0B"}, {}])
    _write_parquet(tmp_path / "input", table, rows)
    with pytest.raises(DataError) as caught:
        ingest(tmp_path / "input", make_config(tmp_path, config), tmp_path / "work")
    error = caught.value
    assert (error.rule, error.line, error.file) == ("nul_byte", None, f"{table}.parquet")
    assert f"column {column} (first at record 2)" in error.detail
