"""Cell values (issue 11): parquet columns as real exports write them (faults 5 and 12), the
plausible date range (fault 2) at its edges, and ASCII digits on every number path
(fault 3). Expected values are worked by hand from docs/inputs.md and pipeline.toml."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import shutil
from decimal import Decimal

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from arms_metrics.config import load_config
from arms_metrics.errors import ConfigError, DataError
from arms_metrics.ingest.load import ingest, plausible_dates
from arms_metrics.ingest.schemas import COLUMNS
from arms_metrics.quarters import Quarter
from arms_metrics.writers import neutralize
from tests.conftest import PIPELINE_TOML
from tests.unit.test_ingest_helpers import make_config, quarantine_rules, rows_for, run

TABLES = sorted(COLUMNS)
MONEY = [(t, c) for t in TABLES for c, kind in COLUMNS[t].items() if kind == "money"]
OPTIONAL = {  # docs/inputs.md: the columns that may be empty on every row
    "fms_lors": ["complete_date", "cancelled_date"],
    "fms_documents": ["anticipated_offer_date", "cancelled_date", "implemented_date"],
    "fms_cases": ["supply_complete_date", "closed_date"],
    "fms_deliveries": [],
    "congressional_notifications": ["transmittal_no", "purchaser_code", "description"],
    "export_licenses": ["requested_value_usd"],
    # an outcome or result is empty exactly when its date is: neither is empty on its own
    "tpt_requests": [],
    "eum_checks": [],
}


def _arrow(values: list[str], encoding: str) -> pa.Array:
    """A column as a pandas export writes it: text, categorical (dictionary) or all-null."""
    if encoding == "null":
        return pa.nulls(len(values))
    array = pa.array([v if v != "" else None for v in values], pa.string())
    return array.dictionary_encode() if encoding == "dictionary" else array


def _write_parquet(folder, table, rows, encodings=None, native=None):
    folder.mkdir(parents=True, exist_ok=True)
    columns = {
        c: (native or {}).get(c) or _arrow([r[c] for r in rows], (encodings or {}).get(c, "text"))
        for c in COLUMNS[table]
    }
    pq.write_table(pa.table(columns), folder / f"{table}.parquet")


def _read(tmp_path, config, label):
    cfg = make_config(tmp_path / label, config)
    return ingest(tmp_path / label / "input", cfg, tmp_path / label / "work")


# -- fault 5: dictionary-encoded and all-null parquet columns --------------------------------
@pytest.mark.parametrize("table", TABLES)
def test_parquet_categorical_columns_read_as_the_csv(tmp_path, config, table):
    rows = rows_for(table, [{}, {}, {}])
    expected = run(tmp_path / "csv", make_config(tmp_path / "csv", config), {table: rows})
    every = dict.fromkeys(COLUMNS[table], "dictionary")  # codes, dates, money, bools alike
    _write_parquet(tmp_path / "pq" / "input", table, rows, every)
    got = _read(tmp_path, config, "pq")
    assert got.summary["tables"][table]["quarantined"] == 0
    assert got.tables[table].equals(expected.tables[table])


@pytest.mark.parametrize(("table", "column"), [(t, c) for t in TABLES for c in OPTIONAL[t]])
def test_parquet_null_typed_optional_column_is_read_as_empty(tmp_path, config, table, column):
    change = {column: "", **({"closed_date": ""} if column == "supply_complete_date" else {})}
    rows = rows_for(table, [change, change])
    _write_parquet(tmp_path / "pq" / "input", table, rows, {column: "null"})
    got = _read(tmp_path, config, "pq")
    info = got.summary["tables"][table]
    assert (info["read"], info["accepted"], info["quarantined"]) == (2, 2, 0)
    derived = "GB" if column == "purchaser_code" else None  # a notification's code is its name's
    assert got.tables[table][column].to_list() == [derived, derived]


REQUIRED_DATE = {
    "fms_lors": "received_date", "fms_documents": "lor_complete_date",
    "fms_cases": "implemented_date", "fms_deliveries": "delivery_date",
    "congressional_notifications": "notification_date", "export_licenses": "received_date",
    "tpt_requests": "received_date", "eum_checks": "initiated_date",
}  # fmt: skip


@pytest.mark.parametrize("table", TABLES)
def test_parquet_null_typed_required_column_quarantines_every_row(tmp_path, config, table):
    column = REQUIRED_DATE[table]
    _write_parquet(tmp_path / "pq" / "input", table, rows_for(table, [{}, {}]), {column: "null"})
    _read(tmp_path, config, "pq")
    rules = quarantine_rules(tmp_path / "pq", table)
    assert rules == {1: f"{column}_required", 2: f"{column}_required"}


# -- fault 12: money types in parquet ---------------------------------------------------------
@pytest.mark.parametrize(("table", "column"), MONEY)
def test_parquet_float32_money_is_refused_naming_the_column(tmp_path, config, table, column):
    rows = rows_for(table, [{}, {}])
    amount = pa.array([618134.97, 1.0], pa.float32())
    _write_parquet(tmp_path / "pq" / "input", table, rows, native={column: amount})
    with pytest.raises(DataError) as caught:
        _read(tmp_path, config, "pq")
    error = caught.value
    assert (error.exit_code, error.file, error.rule) == (65, f"{table}.parquet", "column_type")
    assert f"column {column} is Float32" in str(error)


# (parquet type, values, accepted values in fms_cases, rule of each refused value) by hand
NATIVE_MONEY = [
    (pa.float64(), [618134.97, 0.1 + 0.2, 1e-7, 5.0],
     {1: Decimal("618134.97"), 4: Decimal("5.00")},
     {2: "case_value_usd_precision", 3: "case_value_usd_precision"}),  # 1e-07 is no display form
    (pa.decimal128(38, 4), [Decimal("1.2345"), Decimal("1.2300"), Decimal("0"), Decimal("-1")],
     {2: Decimal("1.23"), 3: Decimal("0.00")},
     {1: "case_value_usd_precision", 4: "case_value_usd_negative"}),
    (pa.int64(), [5, 0, 10**15, 10**17],
     {1: Decimal("5.00"), 2: Decimal("0.00"), 3: Decimal("1000000000000000.00")},
     {4: "case_value_usd_not_a_number"}),  # 10^17 dollars do not fit DECIMAL(18,2)
    (pa.uint8(), [7, 8, 9, 10], {n: Decimal(n + 6) for n in (1, 2, 3, 4)}, {}),
]  # fmt: skip


@pytest.mark.parametrize(("dtype", "values", "accepted", "refused"), NATIVE_MONEY)
def test_parquet_exact_money_types(tmp_path, config, dtype, values, accepted, refused):
    rows = rows_for("fms_cases", [{}] * len(values))
    native = {"case_value_usd": pa.array(values, dtype)}
    _write_parquet(tmp_path / "pq" / "input", "fms_cases", rows, native=native)
    got = _read(tmp_path, config, "pq").tables["fms_cases"]
    ids = {f"FMS{n}": n for n in range(1, len(values) + 1)}
    values_by_record = {ids[i]: v for i, v in got.select("case_id", "case_value_usd").rows()}
    assert values_by_record == accepted
    assert quarantine_rules(tmp_path / "pq", "fms_cases") == refused


def test_parquet_float64_notification_estimates_round_to_cents(tmp_path, config):
    rows = rows_for("congressional_notifications", [{}] * 3)
    native = {"estimated_value_usd": pa.array([4030000000.0000005, 1.01e9, 1e-7], pa.float64())}
    _write_parquet(tmp_path / "pq" / "input", "congressional_notifications", rows, native=native)
    got = _read(tmp_path, config, "pq").tables["congressional_notifications"]
    assert got["estimated_value_usd"].to_list() == [
        Decimal("4030000000.00"),
        Decimal("1010000000.00"),
        Decimal("0.00"),
    ]


# -- fault 2: the plausible date range -------------------------------------------------------
TODAY = dt.date(2026, 11, 30)  # latest quarter ended: FY2026-Q4, ends 2026-09-30


@pytest.mark.parametrize(
    ("settings", "dates", "out"),
    [
        ({}, ["1975-10-01", "1975-09-30", "2036-09-30", "2036-10-01"], {2, 4}),
        ({}, ["1899-12-31", "1900-10-01", "2025-10-01", "9999-12-31"], {1, 2, 4}),
        ({"min_date": dt.date(2000, 1, 1), "max_years_after_quarter_end": 0},
         ["1999-12-31", "2000-01-01", "2026-09-30", "2026-10-01"], {1, 4}),
    ],
)  # fmt: skip
def test_date_range_edges_in_csv_and_parquet(tmp_path, config, settings, dates, out):
    cfg = dataclasses.replace(make_config(tmp_path, config), **settings)
    for label in ("csv", "parquet"):
        rows = rows_for("fms_deliveries", [{"delivery_date": d} for d in dates])
        folder = tmp_path / label / "input"
        if label == "csv":
            run(tmp_path / label, cfg, {"fms_deliveries": rows})
        else:
            days = pa.array([dt.date.fromisoformat(d) for d in dates], pa.date32())
            _write_parquet(folder, "fms_deliveries", rows, native={"delivery_date": days})
        ingest(folder, cfg, tmp_path / label / "work", today=TODAY)
        rules = quarantine_rules(tmp_path / label, "fms_deliveries")
        assert rules == dict.fromkeys(sorted(out), "delivery_date_out_of_range"), label


def test_quarantine_names_file_line_and_column_of_an_implausible_date(tmp_path, config):
    rows = rows_for("fms_lors", [{}, {"complete_date": "1899-12-31"}, {}])
    run(tmp_path, make_config(tmp_path, config), {"fms_lors": rows})
    path = tmp_path / "work" / "quarantine" / "fms_lors.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        (row,) = list(csv.DictReader(handle))
    assert (row["source_file"], row["record"], row["line"], row["rules"]) == (
        "fms_lors.csv",
        "2",
        "3",
        "complete_date_out_of_range",
    )
    assert row["complete_date"] == "1899-12-31"  # the analyst sees the value as found


def test_plausible_dates_follow_the_run_date_not_the_release_quarter(config):
    assert plausible_dates(config, TODAY).last == dt.date(2036, 9, 30)
    assert plausible_dates(config, dt.date(2026, 10, 1)).last == dt.date(2036, 9, 30)
    assert plausible_dates(config, dt.date(2026, 9, 30)).last == dt.date(2036, 6, 30)
    assert plausible_dates(config, TODAY).first == dt.date(1975, 10, 1)


@pytest.mark.parametrize(
    ("section", "setting", "ok"),
    [
        ("ingest", 'min_date = "1990-01-01"', True),
        ("ingest", 'min_date = "1900-10-01"', True),
        ("ingest", 'min_date = "1899-12-31"', False),  # before FY1901, the first quarter
        ("ingest", 'min_date = "not a date"', False),
        ("ingest", "max_years_after_quarter_end = -1", False),
        ("ingest", 'max_years_after_quarter_end = "ten"', False),
        ("quality", "max_indicator_loss_share = 1.5", False),
        ("quality", "max_indicator_loss_share = 0", True),
    ],
)
def test_ingest_and_quality_settings(tmp_path, section, setting, ok):
    folder = tmp_path / "quarterly"
    shutil.copytree(PIPELINE_TOML.parent, folder)
    text = (folder / "pipeline.toml").read_text(encoding="utf-8")
    key = setting.split(" =", 1)[0]
    lines = [line for line in text.splitlines() if not line.startswith(key + " =")]
    at = lines.index(f"[{section}]") + 1
    (folder / "pipeline.toml").write_text("\n".join([*lines[:at], setting, *lines[at:]]) + "\n")
    if ok:
        load_config(folder / "pipeline.toml")
    else:
        with pytest.raises(ConfigError, match=r"\[ingest\]|\[quality\]"):
            load_config(folder / "pipeline.toml")


def test_defaults_are_the_documented_ones(config):
    assert (config.min_date, config.max_years_after_quarter_end) == (dt.date(1975, 10, 1), 10)
    assert config.max_indicator_loss_share == 0.005


# -- fault 3: ASCII digits on every number path -----------------------------------------------
UNICODE_DIGITS = {
    "fullwidth": "０１２３４５６７８９",
    "arabic_indic": "٠١٢٣٤٥٦٧٨٩",
    "devanagari": "०१२३४५६७८९",
    "bengali": "০১২৩৪৫৬৭৮৯",
    "mathematical_bold": "𝟎𝟏𝟐𝟑𝟒𝟓𝟔𝟕𝟖𝟗",
}


def _digits(text: str, script: str) -> str:
    return text.translate(str.maketrans("0123456789", UNICODE_DIGITS[script]))


@pytest.mark.parametrize("script", sorted(UNICODE_DIGITS))
def test_unicode_digits_are_refused_in_money_dates_and_quarters(tmp_path, config, script):
    changes = [
        {"case_value_usd": _digits("500", script)},
        {"case_value_usd": _digits("1.23E+09", script)},
        {"case_value_usd": "5" + _digits("00", script)},  # one foreign digit at the end
        {"implemented_date": _digits("2025-10-01", script)},
        {"closed_date": "2026-02-" + _digits("01", script)},
    ]
    run(tmp_path, make_config(tmp_path, config), {"fms_cases": rows_for("fms_cases", changes)})
    assert quarantine_rules(tmp_path, "fms_cases") == {
        1: "case_value_usd_not_a_number",
        2: "case_value_usd_not_a_number",
        3: "case_value_usd_not_a_number",
        4: "implemented_date_not_a_date",
        5: "closed_date_not_a_date",
    }
    with pytest.raises(ValueError, match="not a fiscal quarter"):
        Quarter.parse(_digits("FY2026-Q2", script))
    assert neutralize("-" + _digits("5", script)).startswith("'")  # not a number: made inert


@pytest.mark.parametrize("script", sorted(UNICODE_DIGITS))
def test_unicode_digits_in_notification_estimates(tmp_path, config, script):
    table = "congressional_notifications"
    changes = [{"estimated_value_usd": _digits("1.23E+09", script)},
               {"estimated_value_usd": "1.23E+09"}]  # fmt: skip
    got = run(tmp_path, make_config(tmp_path, config), {table: rows_for(table, changes)})
    assert quarantine_rules(tmp_path, table) == {1: "estimated_value_usd_not_a_number"}
    assert got.tables[table]["estimated_value_usd"].to_list() == [Decimal("1230000000.00")]


def test_text_of_unicode_digits_in_a_parquet_string_column_is_refused(tmp_path, config):
    rows = rows_for("fms_deliveries", [{"delivered_value_usd": "１０"}, {}])
    _write_parquet(tmp_path / "pq" / "input", "fms_deliveries", rows)
    _read(tmp_path, config, "pq")
    assert quarantine_rules(tmp_path / "pq", "fms_deliveries") == {
        1: "delivered_value_usd_not_a_number"
    }
