"""Ingest end to end on small hand-made files: formats, refusals, outputs, conservation."""

from __future__ import annotations

import csv
import datetime as dt
import decimal
import gzip
import hashlib
import json

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from arms_metrics.errors import DataError, UsageError
from arms_metrics.ingest.load import ingest
from arms_metrics.ingest.schemas import COLUMNS
from tests.unit.test_ingest_helpers import (
    make_config,
    quarantine_rules,
    rows_for,
    run,
    write_table,
)

LIC = "export_licenses"


def _csv_bytes(table: str, rows: list[dict[str, str]]) -> bytes:
    lines = [",".join(COLUMNS[table])]
    lines += [",".join(row[c] for c in COLUMNS[table]) for row in rows]
    return ("\n".join(lines) + "\n").encode("utf-8")


def _ingest_bytes(tmp_path, config, name: str, data: bytes, threshold: float = 1.0):
    folder = tmp_path / "input"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(data)
    return ingest(folder, make_config(tmp_path, config, threshold), tmp_path / "work")


def _refusal(tmp_path, config, name: str, data: bytes) -> DataError:
    with pytest.raises(DataError) as caught:
        _ingest_bytes(tmp_path, config, name, data)
    assert caught.value.exit_code == 65
    return caught.value


GOOD_LIC = rows_for(
    LIC,
    [
        {},
        {
            "agency": "COMMERCE",
            "application_type": "BIS-748P",
            "control_category": "0",
            "outcome": "DENIED",
            "approved_value_usd": "",
            "requested_value_usd": "250",
        },
    ],
)


def test_accepted_frame_types_and_values(tmp_path, config):
    frame = _ingest_bytes(tmp_path, config, f"{LIC}.csv", _csv_bytes(LIC, GOOD_LIC)).tables[LIC]
    assert frame.columns == list(COLUMNS[LIC])
    assert frame.schema["received_date"] == pl.Date
    assert frame.schema["requested_value_usd"] == pl.Decimal(18, 2)
    assert frame.schema["referred"] == pl.Boolean
    assert frame["received_date"].to_list() == [dt.date(2025, 10, 1)] * 2
    # 250 is 250.00; 100.00 stays 100.00
    assert frame["requested_value_usd"].to_list() == [
        decimal.Decimal("100.00"),
        decimal.Decimal("250.00"),
    ]
    assert frame["approved_value_usd"].to_list() == [decimal.Decimal("90.00"), None]


def test_bom_crlf_gzip_and_parquet_give_identical_frames(tmp_path, config):
    plain = _csv_bytes(LIC, GOOD_LIC)
    variants = {
        "plain.csv": plain,
        "bom.csv": b"\xef\xbb\xbf" + plain,
        "crlf.csv": plain.replace(b"\n", b"\r\n"),
        "gz.csv.gz": gzip.compress(plain),
    }
    frames = {}
    for label, data in variants.items():
        suffix = label.split(".", 1)[1]
        frames[label] = _ingest_bytes(tmp_path / label, config, f"{LIC}.{suffix}", data).tables[LIC]
    parquet = frames["plain.csv"].clone()
    folder = tmp_path / "pq" / "input"
    folder.mkdir(parents=True)
    parquet.with_columns(pl.col("requested_value_usd").cast(pl.Float64)).write_parquet(
        folder / f"{LIC}.parquet"
    )
    frames["parquet"] = ingest(
        folder, make_config(tmp_path / "pq", config), tmp_path / "pq/w"
    ).tables[LIC]
    for label, frame in frames.items():
        assert frame.equals(frames["plain.csv"]), label
        assert frame.schema == frames["plain.csv"].schema, label


def test_parquet_wrong_type_is_refused(tmp_path, config):
    folder = tmp_path / "input"
    folder.mkdir()
    frame = pl.DataFrame({c: ["x"] for c in COLUMNS["fms_deliveries"]})
    # a timestamp is read as a date at midnight (test_parquet_dates.py); a number is not a date
    frame.with_columns(pl.lit(20250101).alias("delivery_date")).write_parquet(
        folder / "fms_deliveries.parquet"
    )
    with pytest.raises(DataError) as caught:
        ingest(folder, make_config(tmp_path, config), tmp_path / "work")
    assert caught.value.rule == "column_type"
    assert "delivery_date" in str(caught.value)


@pytest.mark.parametrize(
    ("data", "rule", "line", "words"),
    [
        (b"", "empty_file", None, "empty"),
        (b"\xef\xbb\xbf\r\n", "empty_file", None, "empty"),
        (_csv_bytes(LIC, [])[:-1], "empty_file", 1, "no data rows"),
        (_csv_bytes(LIC, GOOD_LIC).replace(b",referred", b""), "missing_column", 1, "referred"),
        (
            _csv_bytes(LIC, GOOD_LIC).replace(b",referred", b",referred,extra"),
            "unexpected_column",
            1,
            "'extra'",
        ),
        (
            _csv_bytes(LIC, GOOD_LIC).replace(b",referred", b",agency"),
            "duplicate_column",
            1,
            "agency",
        ),
        (_csv_bytes(LIC, GOOD_LIC).replace(b",false\n", b"\n", 1), "ragged_row", 2, "10 fields"),
        (
            _csv_bytes(LIC, GOOD_LIC) + b"A9,STATE,1,2,3,4,5,6,7,8,9,10\n",
            "ragged_row",
            4,
            "12 fields",
        ),
        (_csv_bytes(LIC, GOOD_LIC).replace(b"DSP-5", b"DSP-\xe9", 1), "not_utf8", 2, "UTF-8"),
    ],
)
def test_refusals_name_file_line_and_rule(tmp_path, config, data, rule, line, words):
    error = _refusal(tmp_path, config, f"{LIC}.csv", data)
    assert (error.rule, error.line, error.file) == (rule, line, f"{LIC}.csv")
    assert words in str(error)
    where = f"{LIC}.csv:{line}" if line else f"{LIC}.csv"
    assert str(error).startswith(f"{where}: {rule}: ")


def test_input_dir_problems(tmp_path, config):
    cfg = make_config(tmp_path, config)
    with pytest.raises(UsageError) as missing:
        ingest(tmp_path / "nowhere", cfg, tmp_path / "work")
    assert missing.value.exit_code == 2
    folder = tmp_path / "input"
    folder.mkdir()
    (folder / "notes.txt").write_text("x")
    with pytest.raises(DataError, match="no_input_tables"):
        ingest(folder, cfg, tmp_path / "work")
    write_table(folder, LIC, GOOD_LIC)
    (folder / f"{LIC}.parquet").write_bytes(b"x")
    with pytest.raises(DataError, match="duplicate_input"):
        ingest(folder, cfg, tmp_path / "work")


def test_ignored_files_are_listed_and_warned(tmp_path, config, capsys):
    folder = tmp_path / "input"
    write_table(folder, LIC, GOOD_LIC)
    write_table(folder, "fms_cases", rows_for("fms_cases", [{}]), name="fms_case.csv")
    (folder / "README.md").write_text("about")
    result = ingest(folder, make_config(tmp_path, config), tmp_path / "work")
    assert result.summary["ignored_files"] == ["README.md", "fms_case.csv"]
    err = capsys.readouterr().err
    assert "fms_case.csv" in err and "README" not in err
    assert list(result.tables) == [LIC]


def test_quarantine_file_and_summary(tmp_path, config):
    rows = GOOD_LIC + rows_for(LIC, [{"received_date": "2025-02-30", "referred": "no"}])
    rows[2]["application_id"] = "A3"
    result = _ingest_bytes(tmp_path, config, f"{LIC}.csv", _csv_bytes(LIC, rows))
    text = (tmp_path / "work/quarantine" / f"{LIC}.csv").read_text(encoding="utf-8")
    header = "source_file,record,line,rules," + ",".join(COLUMNS[LIC])
    expected_row = (
        f"{LIC}.csv,3,4,received_date_not_a_date;referred_not_a_bool,A3,STATE,DSP-5,GB,VIII,"
        "2025-02-30,2025-11-01,APPROVED,100.00,90.00,no"
    )
    assert text.splitlines() == [header, expected_row]
    data = (tmp_path / f"input/{LIC}.csv").read_bytes()
    summary = json.loads((tmp_path / "work/validation/summary.json").read_text())
    assert summary == result.summary
    assert summary == {
        "ignored_files": [],
        "status": "ok",
        "tables": {
            LIC: {
                "read": 3, "accepted": 2, "quarantined": 1,
                "by_rule": {"received_date_not_a_date": 1, "referred_not_a_bool": 1},
                "file": f"{LIC}.csv", "sha256": hashlib.sha256(data).hexdigest(),
                "quarantine_share": round(1 / 3, 6), "threshold": 1.0, "unchecked_rules": [],
                "physical_lines": 4, "record_lines": 3, "blank_lines_at_end": 0,
            }
        },
    }  # fmt: skip
    report = (tmp_path / "work/validation/report.html").read_text()
    assert "received_date_not_a_date" in report and "is not an ISO date" in report
    assert result.inputs[0].rows_read == 3 and result.inputs[0].rows_quarantined == 1


def test_clean_table_has_header_only_quarantine(tmp_path, config):
    _ingest_bytes(tmp_path, config, f"{LIC}.csv", _csv_bytes(LIC, GOOD_LIC))
    text = (tmp_path / "work/quarantine" / f"{LIC}.csv").read_text()
    assert text == "source_file,record,line,rules," + ",".join(COLUMNS[LIC]) + "\n"


def test_embedded_newlines_shift_line_numbers(tmp_path, config):
    rows = rows_for("congressional_notifications", [
        {"description": '"two\nlines"'}, {"description": '"three\nmore\nlines"'},
        {"purchaser": "Atlantis"},
    ])  # fmt: skip
    data = _csv_bytes("congressional_notifications", rows)
    _ingest_bytes(tmp_path, config, "congressional_notifications.csv", data)
    path = tmp_path / "work/quarantine/congressional_notifications.csv"
    with path.open(newline="") as handle:
        (row,) = list(csv.DictReader(handle))
    # header line 1, record 1 on lines 2-3, record 2 on lines 4-6, record 3 on line 7
    assert (row["record"], row["line"], row["rules"]) == ("3", "7", "purchaser_unknown")


def test_threshold_failure_writes_outputs_then_refuses(tmp_path, config):
    rows = rows_for(LIC, [{}] * 8 + [{"agency": "X"}, {"agency": "Y", "referred": "?"}])
    with pytest.raises(DataError) as caught:
        _ingest_bytes(tmp_path, config, f"{LIC}.csv", _csv_bytes(LIC, rows), threshold=0.1)
    # 2 of 10 = 20 % > 10 %: first offending record 9 is on line 10
    assert (caught.value.rule, caught.value.line) == ("agency_not_allowed", 10)
    assert f"{LIC}.csv:10: agency_not_allowed: 2 of 10 rows" in str(caught.value)
    summary = json.loads((tmp_path / "work/validation/summary.json").read_text())
    assert summary["status"] == "failed"
    assert (tmp_path / "work/validation/report.html").exists()


def test_share_equal_to_threshold_passes(tmp_path, config):
    rows = rows_for(LIC, [{}] * 9 + [{"agency": "X"}])
    result = _ingest_bytes(tmp_path, config, f"{LIC}.csv", _csv_bytes(LIC, rows), threshold=0.1)
    assert result.summary["status"] == "ok"


def test_same_input_same_bytes(tmp_path, config):
    rows = rows_for(LIC, [{}, {"agency": "X"}, {"outcome": "DENIED"}])
    outputs = []
    for attempt in ("a", "b"):
        _ingest_bytes(tmp_path / attempt, config, f"{LIC}.csv", _csv_bytes(LIC, rows))
        work = tmp_path / attempt / "work"
        names = ("validation/summary.json", "validation/report.html", f"quarantine/{LIC}.csv")
        outputs.append([(work / name).read_bytes() for name in names])
    assert outputs[0] == outputs[1]


BAD_CHANGES = [
    {"agency": "X"}, {"received_date": "2025-13-01"}, {"referred": "maybe"},
    {"requested_value_usd": "1,0"}, {"final_action_date": "2025-01-01"}, {"outcome": ""},
]  # fmt: skip


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(st.integers(min_value=-1, max_value=len(BAD_CHANGES) - 1), min_size=1, max_size=25))
def test_read_equals_accepted_plus_quarantined(tmp_path_factory, config, picks):
    tmp_path = tmp_path_factory.mktemp("prop")
    rows = rows_for(LIC, [BAD_CHANGES[p] if p >= 0 else {} for p in picks])
    result = run(tmp_path, make_config(tmp_path, config), {LIC: rows})
    info = result.summary["tables"][LIC]
    bad = sum(1 for p in picks if p >= 0)
    assert (info["read"], info["accepted"], info["quarantined"]) == (
        len(picks),
        len(picks) - bad,
        bad,
    )
    assert sorted(quarantine_rules(tmp_path, LIC)) == [i + 1 for i, p in enumerate(picks) if p >= 0]


def test_trailing_blank_lines_are_not_records_but_inner_ones_are(tmp_path, config):
    data = _csv_bytes(LIC, GOOD_LIC)
    inner = data.replace(b"false\n", b"false\n\n", 1) + b"\n\r\n"
    result = _ingest_bytes(tmp_path, config, f"{LIC}.csv", inner)
    info = result.summary["tables"][LIC]
    # header, record 1, blank record 2 (line 3), record 3; the two trailing blank lines are not read
    assert (info["read"], info["accepted"], info["quarantined"]) == (3, 2, 1)
    assert list(quarantine_rules(tmp_path, LIC)) == [2]


def test_renamed_column_names_both_the_missing_and_the_unexpected(tmp_path, config):
    data = _csv_bytes(LIC, GOOD_LIC).replace(b",referred", b",referal")
    error = _refusal(tmp_path, config, f"{LIC}.csv", data)
    assert error.rule == "missing_column"
    assert "referred" in str(error) and "'referal'" in str(error)


def test_notifications_may_leave_out_their_optional_columns(tmp_path, config):
    cfg = make_config(tmp_path, config)
    cn = "congressional_notifications"
    rows = rows_for(cn, [{"purchaser": "Republic of Korea"}, {"purchaser": "UK"}])
    folder = tmp_path / "input"
    folder.mkdir()
    keep = ["notification_date", "purchaser", "estimated_value_usd"]
    lines = [",".join(keep)] + [",".join(row[c] for c in keep) for row in rows]
    (folder / f"{cn}.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    frame = ingest(folder, cfg, tmp_path / "work").tables[cn]
    assert frame.columns == list(COLUMNS[cn])
    assert frame["purchaser_code"].to_list() == ["KR", "GB"]  # derived from the names
    assert frame["authority"].to_list() == ["AECA_36B", "AECA_36B"]  # the default
    assert frame["transmittal_no"].to_list() == [None, None]
