"""links.pinned and knowledge.build: the linked-table audit on hand-made systems.

Every expected pin is worked out by hand in the comment beside it.
"""

from __future__ import annotations

from decimal import Decimal

import polars as pl

from arms_metrics.cells import CELL_SCHEMA
from arms_metrics.disclosure import knowledge, protect
from arms_metrics.disclosure.links import System, pinned

P = ("FY2026-Q1", "total", "All")


def q(name: str) -> tuple[str, str, str, str]:
    return (name, *P)


def system(known: dict, hidden: dict, equations: list) -> System:
    """``hidden`` maps a name to (true value, lower bound); equations are {name: coeff}."""
    out = System()
    out.known = {q(k): v for k, v in known.items()}
    for name, (value, lower) in hidden.items():
        out.hidden[q(name)], out.truth[q(name)] = lower, value
    for equation in equations:
        out.add_equation((q(k), c) for k, c in equation.items())
    return out


def test_stock_flow_pins_a_pending_count():
    # pending(t) = pending(t-1) + received(t) - final(t) = 5 + 2 - 4 = 3
    s = system(
        {"s0": 5, "i1": 2, "o1": 4}, {"s1": (3, 1)}, [{"s1": 1, "s0": -1, "i1": -1, "o1": 1}]
    )
    assert pinned(s) == [q("s1")]


def test_two_unknowns_with_room_are_not_pinned():
    # x + y = 7 with x, y >= 1: x anywhere in 1..6
    s = system({"t": 7}, {"x": (3, 1), "y": (4, 1)}, [{"x": 1, "y": 1, "t": -1}])
    assert pinned(s) == []


def test_lower_bounds_that_meet_pin_every_unknown():
    # x + y = 2 with x, y >= 1 (hidden counts are never 0): x = y = 1
    s = system({"t": 2}, {"x": (1, 1), "y": (1, 1)}, [{"x": 1, "y": 1, "t": -1}])
    assert pinned(s) == [q("x"), q("y")]


def test_identities_that_fix_a_cell_only_together_are_found():
    # x + y = 5, y + z = 5, x + z = 4 -> x = z, 2x = 4: x = z = 2, y = 3. No identity has a
    # single unknown, so only the null space of the identities shows it.
    s = system(
        {"a": 5, "b": 5, "c": 4},
        {"x": (2, 1), "y": (3, 1), "z": (2, 1)},
        [{"x": 1, "y": 1, "a": -1}, {"y": 1, "z": 1, "b": -1}, {"x": 1, "z": 1, "c": -1}],
    )
    assert pinned(s) == [q("x"), q("y"), q("z")]


def test_a_chain_of_two_sums_leaves_every_unknown_free():
    # x + y = 10, y + z = 10: y = 10 - x, z = x for any x in 1..9
    s = system(
        {"a": 10, "b": 10},
        {"x": (4, 1), "y": (6, 1), "z": (4, 1)},
        [{"x": 1, "y": 1, "a": -1}, {"y": 1, "z": 1, "b": -1}],
    )
    assert pinned(s) == []


def _cell(breakdown, value, n, numerator, suppressed, parent=None):
    return {
        "indicator_id": "lic_approval_rate_pct", "period": "FY2026-Q1", "fiscal_year": 2026,
        "fiscal_quarter": 1, "breakdown": breakdown, "breakdown_value": value,
        "value": Decimal("50.0"), "unit": "percent", "n": n, "max_record_value": None,
        "numerator": numerator, "parent": parent, "suppressed": suppressed, "suppression": None,
        "revised": False,
    }  # fmt: skip


def test_a_hidden_rate_is_pinned_by_the_total_and_the_other_destinations(config):
    # Approval rate by purchaser: total 20 approved of 25 decided; AE 7 of 9 published, so
    # KR (hidden) is 20 - 7 = 13 approved and (25 - 20) - (9 - 7) = 3 denied, of 25 - 9 = 16
    # decided (the rate's own population, having no count indicator).
    rows = [
        _cell("total", "All", 25, 20, False),
        _cell("purchaser", "AE", 9, 7, False),
        _cell("purchaser", "KR", 16, 13, True),
    ]
    cells = pl.DataFrame(rows, schema=CELL_SCHEMA)
    s = knowledge.build(cells, cells, config)
    found = {key[0]: s.truth[key] for key in pinned(s)}
    assert found == {
        "lic_approval_rate_pct#numerator": 13,
        "lic_approval_rate_pct#complement": 3,
        "lic_approval_rate_pct#n": 16,
    }


def _count(indicator_id, period, breakdown, value, count):
    quarter = period.split("-Q")
    return {
        "indicator_id": indicator_id, "period": period, "fiscal_year": int(quarter[0][2:]),
        "fiscal_quarter": int(quarter[1]), "breakdown": breakdown, "breakdown_value": value,
        "value": Decimal(count), "unit": "count", "n": count, "max_record_value": None,
        "numerator": None, "parent": None, "suppressed": False, "suppression": None,
        "revised": False,
    }  # fmt: skip


# Pending licenses by agency, FY2026-Q1 -> Q2, and Q2's flows (worked by hand):
#   STATE:    10 + 3 received - 11 final actions = 2 pending (1 or 2 records: hidden)
#   COMMERCE:  5 + 6 received -  3 final actions = 8 pending
#   total:    15 + 9          - 14               = 10
STOCK_FLOW = [
    ("lic_pending", "FY2026-Q1", {"STATE": 10, "COMMERCE": 5}),
    ("lic_pending", "FY2026-Q2", {"STATE": 2, "COMMERCE": 8}),
    ("lic_applications_received", "FY2026-Q2", {"STATE": 3, "COMMERCE": 6}),
    ("lic_final_actions", "FY2026-Q2", {"STATE": 11, "COMMERCE": 3}),
]


def _stock_flow_cells() -> pl.DataFrame:
    rows = []
    for indicator_id, period, by_agency in STOCK_FLOW:
        rows.append(_count(indicator_id, period, "total", "All", sum(by_agency.values())))
        rows += [_count(indicator_id, period, "agency", a, v) for a, v in by_agency.items()]
    return pl.DataFrame(rows, schema=CELL_SCHEMA)


def _pinned_after(cells: pl.DataFrame, config, linked_tables: bool) -> list:
    protected = protect.protect(cells, config, linked_tables=linked_tables)
    return pinned(knowledge.build(protected, cells, config)), protected


def test_stock_flow_leak_of_per_table_protection_is_closed_by_linked_protection(config):
    cells = _stock_flow_cells()
    # Per table: STATE's 2 pending hides COMMERCE's 8 as its complement, yet
    # 10 + 3 - 11 = 2 gives it back from the previous quarter and the published flows.
    leaks, _ = _pinned_after(cells, config, linked_tables=False)
    assert ("lic_pending", "FY2026-Q2", "agency", "STATE") in leaks
    # Across tables: a flow is hidden too, and nothing is pinned any more.
    leaks, protected = _pinned_after(cells, config, linked_tables=True)
    assert leaks == []
    hidden = protected.filter(pl.col("suppressed"))
    assert ("lic_pending", "FY2026-Q2", "agency", "STATE") in hidden.select(
        "indicator_id", "period", "breakdown", "breakdown_value"
    ).rows()
    assert hidden.filter(pl.col("indicator_id") != "lic_pending").height >= 2
