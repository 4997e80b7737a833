"""Property tests: random count tables with a region/purchaser hierarchy and an agency table.

An independent brute force enumerates every integer table the public could believe in
(hidden purchasers from 1 up to a bound; regions, total and agencies follow by addition)
and says which hidden cells take a single value. It must agree with the audit.
"""

from __future__ import annotations

import itertools
from decimal import Decimal

import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from arms_metrics.cells import CELL_SCHEMA
from arms_metrics.disclosure.audit import Cell, intervals, lp_intervals, make_group
from arms_metrics.disclosure.check import audit
from arms_metrics.disclosure.protect import protect

INDICATOR = "fms_loas_offered"
REGIONS = ("AF", "EUR", "WHA")


@st.composite
def tables(draw):
    """(purchasers {code: (region, count)}, army count): counts 1..3, at most 4 purchasers."""
    regions = draw(st.lists(st.sampled_from(REGIONS), min_size=1, max_size=2, unique=True))
    purchasers = {}
    for region in sorted(regions):
        for i in range(draw(st.integers(1, 2))):
            purchasers[f"{region}{i}"] = (region, draw(st.integers(1, 3)))
    total = sum(count for _, count in purchasers.values())
    return purchasers, draw(st.integers(0, total))


def _cells(purchasers, army):
    """(breakdown, key, count, parent) of every cell with n >= 1."""
    total = sum(count for _, count in purchasers.values())
    out = [("total", "All", total, None)]
    for region in sorted({r for r, _ in purchasers.values()}):
        out.append(("region", region, sum(c for r, c in purchasers.values() if r == region), None))
    out += [("purchaser", code, count, region) for code, (region, count) in purchasers.items()]
    agencies = [("implementing_agency", "ARMY", army, None)]
    agencies.append(("implementing_agency", "NAVY", total - army, None))
    return out + [a for a in agencies if a[2] >= 1]


def _frame(cells):
    rows = [
        {"indicator_id": INDICATOR, "period": "FY2026-Q2", "fiscal_year": 2026,
         "fiscal_quarter": 2, "breakdown": b, "breakdown_value": k, "value": Decimal(v),
         "unit": "count", "n": v, "max_record_value": None, "parent": p, "suppressed": False,
         "suppression": None, "revised": False}
        for b, k, v, p in cells
    ]  # fmt: skip
    return pl.DataFrame(rows, schema=CELL_SCHEMA)


def brute_force(cells, hidden):
    """{(breakdown, key): set of values} over every table consistent with the published cells."""
    value = {(b, k): v for b, k, v, _ in cells}
    parent = {k: p for b, k, _, p in cells if b == "purchaser"}
    secret_p = [k for b, k, _, _ in cells if b == "purchaser" and (b, k) in hidden]
    agencies = [(b, k) for b, k, _, _ in cells if b == "implementing_agency"]
    seen = {key: set() for key in hidden}
    # Each hidden purchaser is at most the published total less one per other purchaser;
    # with the total hidden, two above the true total is enough to show it is not fixed.
    total = sum(value[("purchaser", k)] for k in parent)
    top = total + 2 if ("total", "All") in hidden else total - len(parent) + 1
    for guess in itertools.product(range(1, top + 1), repeat=len(secret_p)):
        p = {k: value[("purchaser", k)] for k in parent} | dict(zip(secret_p, guess, strict=True))
        regions = {}
        for code, region in parent.items():
            regions[region] = regions.get(region, 0) + p[code]
        total = sum(regions.values())
        shown = [(("region", r), v) for r, v in regions.items()] + [(("total", "All"), total)]
        if any(key not in hidden and value[key] != v for key, v in shown):
            continue
        secret_a = [a for a in agencies if a in hidden]
        rest = total - sum(value[a] for a in agencies if a not in hidden)
        splits = [s for s in itertools.product(range(1, rest + 1), repeat=len(secret_a))
                  if sum(s) == rest]  # fmt: skip
        for split in splits:
            for key, v in [*shown, *[(("purchaser", k), p[k]) for k in parent]]:
                if key in hidden:
                    seen[key].add(v)
            for key, v in zip(secret_a, split, strict=True):
                seen[key].add(v)
    return seen


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tables())
def test_protected_tables_pass_audit_and_brute_force(config, table):
    cells = _cells(*table)
    out = protect(_frame(cells), config)
    summary = audit(out, config)
    hidden = {(r["breakdown"], r["breakdown_value"]) for r in out.iter_rows(named=True)
              if r["suppressed"]}  # fmt: skip
    if hidden:
        assert summary["min_interval_width"]["count"] not in (None, "0")
        assert summary["intervals_checked"] == len(hidden)
        for key, values in brute_force(cells, hidden).items():
            assert len(values) >= 2, key
    assert protect(out, config).equals(out)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tables(), st.data())
def test_audit_agrees_with_brute_force_on_any_pattern(table, data):
    cells = _cells(*table)
    keys = [(b, k) for b, k, _, _ in cells]
    hidden = set(data.draw(st.lists(st.sampled_from(keys), min_size=1, unique=True)))
    group = make_group(
        INDICATOR,
        "FY2026-Q2",
        "count",
        [Cell(i, b, k, Decimal(v), v, p, (b, k) in hidden, None) for i, (b, k, v, p) in
         enumerate(cells)],
    )  # fmt: skip
    found = intervals(group)
    seen = brute_force(cells, hidden)
    for i, (b, k, _, _) in enumerate(cells):
        if (b, k) in hidden:
            assert found[i].determined == (len(seen[(b, k)]) == 1), (b, k)
            assert found[i].lo == min(seen[(b, k)])
            if ("total", "All") not in hidden:
                assert found[i].hi == max(seen[(b, k)])
    if ("total", "All") not in hidden:
        linear = lp_intervals(group)
        assert {r: (v.lo, v.hi) for r, v in linear.items()} == {
            r: (v.lo, v.hi) for r, v in found.items()
        }
