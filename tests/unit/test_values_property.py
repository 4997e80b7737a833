"""Property tests (hypothesis, the fixed ``ci`` profile of tests/conftest.py), issue 11:

- every table, any mix of real-world damage at any position: rows read = accepted +
  quarantined, every quarantined record is in the quarantine file once, and the loss check
  sees every quarantined row (``Ingested.quarantined``);
- accepted totals reconcile with the totals the engine computes for publication: counts
  and exact DECIMAL sums by quarter, worked here from the accepted rows in Python.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import ROUND_HALF_EVEN, Decimal

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from arms_metrics.cells import TOTAL
from arms_metrics.compute import indicators
from arms_metrics.ingest.schemas import COLUMNS
from arms_metrics.quarters import Quarter
from tests.conftest import CI_PROFILE
from tests.unit.test_ingest_helpers import quarantine_rules, rows_for, run

# Cells real exports and hostile users write (no line breaks: those are the reader's rules).
DAMAGE = [
    "", " ", "NULL", "null", "N/A", "１２３", "٣٤", "1899-12-31", "1900-10-01", "9999-12-31",
    "2025-02-30", "6.18135E+05", "1.5e3", "-1", "1,000", "$5", "12.345", "TRUE", "maybe",
    '=HYPERLINK("http://x")', "<script>alert(1)</script>", "\t", "9" * 30, "ÿ", 'a "quote"',
]  # fmt: skip
TABLES = sorted(COLUMNS)


@st.composite
def damaged_tables(draw):
    table = draw(st.sampled_from(TABLES))
    columns = list(COLUMNS[table])
    size = draw(st.integers(min_value=1, max_value=25))
    changes = draw(st.lists(
        st.dictionaries(st.sampled_from(columns), st.sampled_from(DAMAGE), max_size=3),
        min_size=size, max_size=size,
    ))  # fmt: skip
    return table, changes


@settings(CI_PROFILE)
@given(damaged_tables())
def test_rows_read_equal_accepted_plus_quarantined(tmp_path_factory, config, drawn):
    table, changes = drawn
    tmp = tmp_path_factory.mktemp("damage")
    cfg = dataclasses.replace(config, max_quarantine_share=1.0)
    result = run(tmp, cfg, {table: rows_for(table, changes)})
    info = result.summary["tables"][table]
    records = quarantine_rules(tmp, table)
    assert info["read"] == len(changes) == info["accepted"] + info["quarantined"]
    assert result.tables[table].height == info["accepted"]
    assert len(records) == info["quarantined"] == result.quarantined[table].height
    assert set(records) <= set(range(1, len(changes) + 1))
    assert all(records.values())  # each quarantined record names the rules it broke
    untouched = [n for n, change in enumerate(changes, start=1) if not change]
    assert not set(untouched) & set(records)  # a row left as it was is never quarantined


MONEY_CENTS = st.integers(min_value=0, max_value=10**11)
DAYS = st.integers(min_value=0, max_value=(dt.date(2026, 6, 30) - dt.date(2024, 10, 1)).days)


@st.composite
def cases_and_licenses(draw):
    size = draw(st.integers(min_value=1, max_value=30))
    cases, licenses = [], []
    for _ in range(size):
        day = (dt.date(2024, 10, 1) + dt.timedelta(days=draw(DAYS))).isoformat()
        cents = draw(MONEY_CENTS)
        value = f"{cents // 100}.{cents % 100:02d}"
        bad = draw(st.sampled_from([{}, {}, {}, {"case_value_usd": draw(st.sampled_from(DAMAGE))}]))
        cases.append({"implemented_date": day, "supply_complete_date": "", "closed_date": "",
                      "case_value_usd": value, **bad})  # fmt: skip
        received = {"received_date": day, "final_action_date": "", "outcome": "",
                    "approved_value_usd": ""}  # fmt: skip
        licenses.append({**received, **draw(st.sampled_from([{}, {}, {"referred": "NULL"}]))})
    return cases, licenses


def _by_quarter(frame: pl.DataFrame, date: str, value: str | None) -> dict[str, tuple]:
    """quarter -> (records, exact sum) of accepted rows, in Python."""
    totals: dict[str, list] = {}
    for row in frame.iter_rows(named=True):
        entry = totals.setdefault(Quarter.of(row[date]).label, [0, Decimal(0)])
        entry[0] += 1
        entry[1] += row[value] if value else 0
    return {q: (n, s) for q, (n, s) in totals.items()}


@settings(CI_PROFILE, max_examples=15)
@given(cases_and_licenses())
def test_accepted_totals_reconcile_with_computed_totals(tmp_path_factory, config, drawn):
    cases, licenses = drawn
    tmp = tmp_path_factory.mktemp("totals")
    cfg = dataclasses.replace(config, max_quarantine_share=1.0)
    tables = {"fms_cases": rows_for("fms_cases", cases),
              "export_licenses": rows_for("export_licenses", licenses)}  # fmt: skip
    result = run(tmp, cfg, tables)
    cells = indicators.compute(result.tables, cfg, Quarter(2026, 3), threads=1).cells
    totals = cells.filter(pl.col("breakdown") == TOTAL)

    def published(indicator_id: str) -> dict[str, Decimal]:
        rows = totals.filter(pl.col("indicator_id") == indicator_id)
        return {p: v for p, v in rows.select("period", "value").iter_rows() if v != 0}

    implemented = _by_quarter(result.tables["fms_cases"], "implemented_date", "case_value_usd")
    received = _by_quarter(result.tables["export_licenses"], "received_date", None)
    assert published("fms_cases_implemented") == {q: n for q, (n, _) in implemented.items()}
    whole = {
        q: s.quantize(Decimal(1), rounding=ROUND_HALF_EVEN) for q, (_, s) in implemented.items()
    }
    assert published("fms_cases_implemented_value_usd") == {q: s for q, s in whole.items() if s}
    assert published("lic_applications_received") == {q: n for q, (n, _) in received.items()}
