"""checks/chk_cell_keys.sql on hand-made tables: each kind of malformed key, and none.

The spine is FY2026-Q1 (index 0) to FY2026-Q3 (index 2); indicator ``a`` starts at index 1
(its sources' coverage), ``b`` has no declared start. Each test writes the cells and the
problem rows it expects by hand."""

from __future__ import annotations

import duckdb
import pytest

from tests.sql.helpers import SQL_DIR

SQL = (SQL_DIR / "checks" / "chk_cell_keys.sql").read_text(encoding="utf-8")
SPINE = [("FY2026-Q1", 0), ("FY2026-Q2", 1), ("FY2026-Q3", 2)]
GOOD = [  # a: totals from FY2026-Q2; b: totals throughout, and a purchaser cell
    ("a", "FY2026-Q2", "total", "All"),
    ("a", "FY2026-Q3", "total", "All"),
    ("b", "FY2026-Q1", "total", "All"),
    ("b", "FY2026-Q2", "total", "All"),
    ("b", "FY2026-Q3", "total", "All"),
    ("b", "FY2026-Q3", "purchaser", "GB"),
]


def problems(cells: list[tuple]) -> list[tuple[str, str, str]]:
    con = duckdb.connect()
    con.execute("create table quarter_spine (period varchar, quarter_index integer)")
    con.executemany("insert into quarter_spine values (?, ?)", SPINE)
    con.execute("create table registry_indicators (indicator_id varchar, start_index integer)")
    con.executemany("insert into registry_indicators values (?, ?)", [("a", 1), ("b", None)])
    con.execute("create table registry_breakdowns (indicator_id varchar, breakdown varchar)")
    con.executemany("insert into registry_breakdowns values (?, ?)", [("b", "purchaser")])
    con.execute(
        "create table mart_cells (indicator_id varchar, period varchar, breakdown varchar, "
        "breakdown_value varchar)"
    )
    if cells:
        con.executemany("insert into mart_cells values (?, ?, ?, ?)", cells)
    return con.execute(SQL).fetchall()


def test_well_formed_keys_pass() -> None:
    assert problems(GOOD) == []


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        # a cell of ``a`` before its series start (index 0 < 1), as a zero-filled period
        (lambda c: [*c, ("a", "FY2026-Q1", "total", "All")],
         [("a", "FY2026-Q1", "cell before the series start")]),
        # ``b`` loses its FY2026-Q2 total
        (lambda c: [r for r in c if r[:2] != ("b", "FY2026-Q2")],
         [("b", "FY2026-Q2", "missing total row")]),
        # a purchaser missing from the reference: a null breakdown value
        (lambda c: [*c, ("b", "FY2026-Q2", "purchaser", None)],
         [("b", "FY2026-Q2", "null breakdown value")]),
        (lambda c: [*c, ("b", "FY2026-Q1", "total", "GB")],
         [("b", "FY2026-Q1", "bad total")]),
        (lambda c: [*c, ("a", "FY2026-Q3", "agency", "STATE")],
         [("a", "FY2026-Q3", "breakdown not in the registry")]),
        (lambda c: [*c, ("b", "FY2026-Q3", "purchaser", "GB")],
         [("b", "FY2026-Q3", "duplicate cell key")]),
    ],
)  # fmt: skip
def test_each_malformed_key_is_one_problem_row(change, expected) -> None:
    assert problems(change(GOOD)) == expected
