"""links.pinned and knowledge.build: the linked-table audit on hand-made systems.

Every expected pin is worked out by hand in the comment beside it.
"""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import polars as pl

from arms_metrics.cells import CELL_SCHEMA
from arms_metrics.disclosure import knowledge, links, protect, solver, upper
from arms_metrics.disclosure.links import System, pinned, short
from arms_metrics.disclosure.proofs import Proofs

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


# ------------------------------------------- the upper protection level (links.short)
def small(s: System, solve: bool = True) -> list:
    """The hidden quantities of 1 or 2 that ``s`` shows to be below 3."""
    target = {key: 3 for key, value in s.truth.items() if 1 <= value < 3}
    return short(s, target, solve)


def test_a_small_count_beside_a_small_complement_is_shown_small():
    # x + y = 3, x, y >= 1, truly 1 and 2: each is 1 or 2, never 3 or more. Not pinned, but
    # both are shown to be small counts.
    s = system({"t": 3}, {"x": (1, 1), "y": (2, 1)}, [{"x": 1, "y": 1, "t": -1}])
    assert pinned(s) == []
    assert small(s, solve=False) == small(s) == [q("x"), q("y")]


def test_a_complement_with_room_lifts_a_small_count_to_three():
    # x + y = 4, truly 1 and 3: x is 1 to 3, y 1 to 3. y is not small; x can be 3.
    s = system({"t": 4}, {"x": (1, 1), "y": (3, 1)}, [{"x": 1, "y": 1, "t": -1}])
    assert small(s) == []


def test_small_counts_competing_for_the_same_room_are_each_lifted():
    # x + y + z = 5, truly 1, 1, 3: x can be 3 (y = z = 1), and so can y, but not both at
    # once: one LP maximising both lifts at most one; each gets an LP of its own.
    s = system(
        {"t": 5}, {"x": (1, 1), "y": (1, 1), "z": (3, 1)}, [{"x": 1, "y": 1, "z": 1, "t": -1}]
    )
    assert small(s) == []


def test_an_identity_of_both_signs_needs_the_lp():
    # y + w = 3 (truly 2 and 1) makes y and w small in closed form; x - y = 0 (a stock
    # carried forward unchanged) has unknowns of both signs, so no closed-form bound for x,
    # but x = y <= 2: only the LP shows x (truly 2) small.
    s = system(
        {"t": 3},
        {"x": (2, 1), "y": (2, 1), "w": (1, 1)},
        [{"y": 1, "w": 1, "t": -1}, {"x": 1, "y": -1}],
    )
    assert pinned(s) == []
    assert small(s, solve=False) == [q("w"), q("y")]
    assert small(s) == [q("w"), q("x"), q("y")]


def test_a_count_at_or_above_its_target_or_unbounded_is_not_small():
    # x + y - z = 0 with z hidden too: x, y unbounded above. A count of 3 has no target.
    s = system({}, {"x": (1, 1), "y": (2, 1), "z": (3, 1)}, [{"x": 1, "y": 1, "z": -1}])
    assert small(s) == []


def test_a_lift_proved_with_more_cells_hidden_is_not_reused_with_fewer():
    # y + w + v = 6 (truly 2, 1, 3) and x - y = 0 (x truly 2). With v hidden, x can be 3
    # (y 3, w 1, v 2): not short. Publish v (3): y + w = 3, so x = y <= 2, and only the LP
    # shows it (x - y = 0 has both signs). The proof made with v hidden must not be reused.
    memo: dict = {}

    def with_v(hidden: bool) -> System:
        s = system(
            {"t": 6} if hidden else {"t": 6, "v": 3},
            {"x": (2, 1), "y": (2, 1), "w": (1, 1), **({"v": (3, 1)} if hidden else {})},
            [{"y": 1, "w": 1, "v": 1, "t": -1}, {"x": 1, "y": -1}],
        )
        s.memo = memo
        return s

    assert small(with_v(True)) == []
    assert small(with_v(False)) == [q("w"), q("x"), q("y")]
    assert small(with_v(True)) == []  # a proof with fewer cells hidden is no proof here


def test_a_lift_holds_while_what_it_moved_stays_hidden():
    # A lift of quantity 0 moved quantities 0, 1 and 2 off their true values: it is still a
    # solution when 3 is published (it kept 3 at its true value), not when 2 is.
    proofs = Proofs()
    proofs.add(np.array([0, 1, 2]), np.array([0]))
    hidden = np.array([True, True, True, True])
    assert proofs.valid(hidden).tolist() == [True, False, False, False]
    hidden[3] = False
    assert proofs.valid(hidden).tolist() == [True, False, False, False]
    hidden[2] = False
    assert proofs.valid(hidden).tolist() == [False, False, False, False]


def test_a_window_holds_the_far_end_of_a_chain_fixed():
    # x + a1 = 4 (x truly 1, a1 3), a1 - a2 = 0, ..., a5 - a6 = 0, a6 + z = 4 (z truly 1).
    # x can be 3 only with a1 = ... = a6 = 1 and z = 3: the lift reaches z, 7 identities
    # away. A window of 4 identity steps holds a5 and a6 at 3, so x stays 1 there; the LP
    # over the whole chain lifts it.
    chain = {f"a{i}": (3, 1) for i in range(1, 7)}
    equations = [{"x": 1, "a1": 1, "t": -1}, {"a6": 1, "z": 1, "t": -1}]
    equations += [{f"a{i}": 1, f"a{i + 1}": -1} for i in range(1, 6)]
    s = system({"t": 4}, {"x": (1, 1), "z": (1, 1), **chain}, equations)
    ix = s.index()
    unknown, value, lower = links._arrays(s)
    parts = solver.components(ix.terms, unknown, value)
    x = ix.position(q("x"))
    target = np.zeros(unknown.size)
    target[x] = 3
    for hops, short_ in (((4,), True), ((None,), False)):
        candidate = np.zeros(unknown.size, dtype=bool)
        candidate[x] = True
        lifter = upper.Lifter(ix.terms, parts, value, lower, target, {})
        lifter.alone(candidate, hops)
        assert bool(candidate[x]) is short_


def test_the_identities_that_stop_a_count_name_their_published_quantities():
    # x + y = s (hidden: 1, 1, 2) and s + r + p = t (r hidden 1; p 7 and t 10 published):
    # s <= 10 - 7 - 1 = 2, so x <= 2 - 1 = 1. Both identities bind x; hiding p or t would
    # let it grow. Where nothing bounds x (x = z, both hidden, nothing else), none do.
    s = system(
        {"p": 7, "t": 10},
        {"x": (1, 1), "y": (1, 1), "s": (2, 1), "r": (1, 1)},
        [{"x": 1, "y": 1, "s": -1}, {"s": 1, "r": 1, "p": 1, "t": -1}],
    )
    assert links.binding(s, q("x")) == {q("p"), q("t")}
    free = system({}, {"x": (1, 1), "z": (1, 1)}, [{"x": 1, "z": -1}])
    assert links.binding(free, q("x")) == set()


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


def test_the_closed_form_pass_is_computed_once_per_system_and_never_changed():
    # a + b = 5 with a known 2 pins b = 3 in closed form; c + d = 9, both hidden (1 each at
    # least): c and d stay open, one connected set
    s = system(
        {"a": 2}, {"b": (3, 1), "c": (4, 1), "d": (5, 1)},
        [{"a": 1, "b": 1, "t": -1}, {"c": 1, "d": 1, "u": -1}],
    )  # fmt: skip
    s.known[q("t")], s.known[q("u")] = 5, 9
    first = links._propagate(s)
    assert links._propagate(s) is first and not first.flags.writeable
    assert [s.index().keys[j] for j in np.flatnonzero(first)] == [q("b")]
    assert pinned(s) == [q("b")] and pinned(s) == [q("b")]  # pinned's own mask is a copy
    parts = links._open_parts(s)
    assert links._open_parts(s) is parts
    assert [[s.index().keys[j] for j in keys] for keys in parts.keys] == [[q("c"), q("d")]]
