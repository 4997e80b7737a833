"""The CLI on the sample with a broken value in a column that selects a population (issue
11, last round: an `L0A` request type published `fms_lors_received` low with exit 0).
Expected figures are counted from the input files with the csv module, not by the program."""

from __future__ import annotations

import json

import pytest

from arms_metrics.quarters import Quarter
from tests.conftest import SAMPLE_DATA, SAMPLE_QUARTER, build
from tests.e2e.test_values_e2e import _copy, _one_line_error, _rows, _write

QUARTER = Quarter.parse(SAMPLE_QUARTER)
START, END = QUARTER.start.isoformat(), QUARTER.end.isoformat()


def _lors_received(row: dict[str, str]) -> bool:
    return row["request_type"] == "LOA" and START <= row["received_date"] <= END


def _loas_offered(row: dict[str, str]) -> bool:
    offered, cancelled = row["offered_date"], row["cancelled_date"]
    return (
        row["document_type"] in ("LOA", "AMENDMENT")
        and START <= offered <= END
        and (not cancelled or cancelled > offered)
    )


CASES = {
    # table: (column, how it breaks, the rows of the indicator to break, indicator)
    "fms_lors": ("request_type", lambda v: "L0A", _lors_received, "fms_lors_received"),
    "fms_documents": ("document_type", str.lower, _loas_offered, "fms_loas_offered"),
}


@pytest.mark.parametrize("table", sorted(CASES))
def test_a_broken_selector_fails_naming_the_indicator(tmp_path, table):
    column, breaks, counted, indicator = CASES[table]
    folder = _copy(tmp_path)
    rows = _rows(folder / f"{table}.csv")
    most, changed = len(rows) // 200, 0  # 0.5 % of the table: under its 1 % threshold
    for row in rows:
        if changed < most and counted(row):
            row[column], changed = breaks(row[column]), changed + 1
    _write(folder / f"{table}.csv", rows)
    done, site, work = build(tmp_path, input_dir=folder)
    error = _one_line_error(done, 65)
    assert f"{table}.csv:" in error and ": indicator_loss: " in error and indicator in error
    assert not site.exists()
    summary = json.loads((work / "validation/summary.json").read_text(encoding="utf-8"))
    assert summary["tables"][table]["quarantined"] == changed > 0
    cells = [x for x in summary["indicator_loss"]["lost"] if x["indicator_id"] == indicator]
    # by hand: their dates are valid, so the release quarter alone lost them, out of every
    # record it counts in the original file
    records = sum(1 for row in _rows(SAMPLE_DATA / f"{table}.csv") if counted(row))
    assert [(x["period"], x["lost"], x["records"]) for x in cells] == [
        (SAMPLE_QUARTER, changed, records)
    ]
