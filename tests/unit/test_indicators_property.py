"""Every indicator recomputed in plain Python (no SQL) agrees with ``compute``.

Hypothesis draws small tables whose dates sit on quarter boundaries, leap days, target
boundaries and after the release quarter. The reference below re-implements the
definitions of indicators.toml and the engine's semantics (as-of cut, spine, n, rounding)
record by record.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_EVEN, Decimal, localcontext
from pathlib import Path

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from arms_metrics.compute import indicators
from arms_metrics.config import Config
from arms_metrics.quarters import Quarter
from tests.sql.helpers import config_with_reference, frame

REGIONS = {"GB": "EUR", "FR": "EUR", "JP": "EAP", "SA": "NEA", "NATO": "IO"}
DAYS = [
    dt.date.fromisoformat(d)
    for d in (
        "2024-02-29",
        "2025-06-30",
        "2025-07-01",
        "2025-09-30",
        "2025-10-01",
        "2025-11-15",
        "2025-12-31",
        "2026-01-01",
        "2026-02-10",
        "2026-03-31",
        "2026-04-01",
    )
]
OFFSETS = [0, 1, 30, 45, 46, 60, 61, 90, 91, 100, 101, 150, 151, 400]
MONEY = [Decimal(v) for v in ("0.00", "0.50", "1.50", "2.50", "10.25", "99.99", "1000000.50")]

day = st.sampled_from(DAYS)
offset = st.sampled_from(OFFSETS)
maybe_offset = st.none() | offset
money = st.sampled_from(MONEY)
purchaser = st.sampled_from(sorted(REGIONS))
agency = st.sampled_from(["ARMY", "NAVY", "DSCA"])


def later(start: dt.date, days: int | None) -> dt.date | None:
    return None if days is None else start + dt.timedelta(days=days)


@st.composite
def lors(draw):
    received = draw(day)
    return dict(
        lor_id=f"R{draw(st.integers())}",
        purchaser_code=draw(purchaser),
        implementing_agency=draw(agency),
        received_date=received,
        request_type=draw(st.sampled_from(["LOA", "PRICE_AND_AVAILABILITY"])),
    )


@st.composite
def documents(draw):
    complete = draw(day)
    offered = later(complete, draw(maybe_offset))
    accepted = later(offered, draw(maybe_offset)) if offered else None
    expires = later(offered, draw(maybe_offset)) if offered else None
    return dict(
        document_type=draw(st.sampled_from(["LOA", "AMENDMENT", "MODIFICATION"])),
        purchaser_code=draw(purchaser),
        implementing_agency=draw(agency),
        development_group=draw(st.sampled_from(["A", "B", "C"])),
        priority_platform=draw(st.booleans()),
        lor_complete_date=complete,
        anticipated_offer_date=later(complete, draw(maybe_offset)),
        original_anticipated_offer_date=later(complete, draw(maybe_offset)),
        offered_date=offered,
        offer_expiration_date=expires,
        accepted_date=accepted,
        implemented_date=later(complete, draw(maybe_offset)),
        cancelled_date=later(complete, draw(maybe_offset)),
        value_usd=draw(money),
        lor_pick=draw(st.none() | st.integers(0, 5)),  # the LOR it names (by position)
    )


@st.composite
def cases(draw):
    implemented = draw(day)
    supply = later(implemented, draw(maybe_offset))
    closed = later(supply, draw(maybe_offset)) if supply else None
    return dict(
        purchaser_code=draw(purchaser),
        implementing_agency=draw(agency),
        funding_source=draw(st.sampled_from(["NATIONAL", "FMF"])),
        priority_platform=draw(st.booleans()),
        implemented_date=implemented,
        supply_complete_date=supply,
        closed_date=closed,
        case_value_usd=draw(st.none() | money),
    )


@st.composite
def licenses(draw):
    received = draw(day)
    final = later(received, draw(maybe_offset))
    outcomes = [
        "APPROVED",
        "APPROVED_WITH_CONDITIONS",
        "DENIED",
        "RETURNED_WITHOUT_ACTION",
        "WITHDRAWN",
    ]
    outcome = draw(st.sampled_from(outcomes)) if final else None
    approved = draw(st.none() | money) if outcome and outcome.startswith("APPROVED") else None
    return dict(
        agency=draw(st.sampled_from(["STATE", "COMMERCE"])),
        application_type=draw(st.sampled_from(["DSP-5", "BIS-748P"])),
        destination_code=draw(purchaser),
        control_category=draw(st.sampled_from(["I", "3"])),
        received_date=received,
        final_action_date=final,
        outcome=outcome,
        approved_value_usd=approved,
    )


@st.composite
def inputs(draw):
    tables: dict[str, list[dict]] = {}
    if draw(st.booleans()):
        tables["fms_lors"] = draw(st.lists(lors(), max_size=6))
    if draw(st.booleans()):
        tables["fms_documents"] = draw(st.lists(documents(), max_size=8))
    for row in tables.get("fms_documents", []):  # typed() numbers the LORs L0, L1, ...
        pick, count = row.pop("lor_pick"), len(tables.get("fms_lors", []))
        row["lor_id"] = f"L{pick % count}" if pick is not None and count else None
    if draw(st.booleans()):
        tables["fms_cases"] = draw(st.lists(cases(), min_size=1, max_size=6))
        picks = draw(st.lists(st.tuples(st.integers(0, 5), day, money), max_size=6))
        tables["fms_deliveries"] = [
            dict(case_id=f"C{i % len(tables['fms_cases'])}", delivery_date=d, delivered_value_usd=v)
            for i, d, v in picks
        ]
    if draw(st.booleans()):
        picks = draw(st.lists(st.tuples(day, purchaser, st.none() | money), max_size=6))
        tables["congressional_notifications"] = [
            dict(
                notification_date=d,
                purchaser_code=p,
                estimated_value_usd=v,
                authority="AECA_36B" if v is None or v > 5 else "AECA_36C",
            )
            for d, p, v in picks
        ]
    if draw(st.booleans()):
        tables["export_licenses"] = draw(st.lists(licenses(), max_size=10))
    release = draw(st.sampled_from(["FY2025-Q4", "FY2026-Q1", "FY2026-Q2"]))
    return tables, Quarter.parse(release)


# ---------------------------------------------------------------- the reference model
def cut(rows, anchor, events, end):
    """As-of: drop records anchored after ``end``; events after ``end`` become None."""
    out = []
    for row in rows:
        if row[anchor] <= end:
            out.append(
                {
                    k: (None if k in events and v is not None and v > end else v)
                    for k, v in row.items()
                }
            )
    return out


def within(q: Quarter, d: dt.date | None) -> bool:
    return d is not None and q.start <= d <= q.end


def dims(row, names):
    out = {}
    for name in names:
        if name == "purchaser":
            out[name] = row.get("purchaser_code") or row.get("destination_code")
        elif name == "region":
            out[name] = REGIONS[row.get("purchaser_code") or row.get("destination_code")]
        elif name == "priority_platform":
            out[name] = "true" if row[name] else "false"
        else:
            out[name] = row[name]
    return out


# Populations and measures of the reference model (indicators.toml).
APPROVED = ("APPROVED", "APPROVED_WITH_CONDITIONS")


def loa(r):
    return r["document_type"] in ("LOA", "AMENDMENT")


def offered(r, q):
    cancelled = r["cancelled_date"]
    return (
        loa(r)
        and within(q, r["offered_date"])
        and (cancelled is None or cancelled > r["offered_date"])
    )


def anticipated(r, q):
    return offered(r, q) and r["anticipated_offer_date"] is not None


def reached(r, q):
    """An offered LOA or amendment, or a modification implemented in q, neither cancelled
    on or before that day."""
    if r["document_type"] != "MODIFICATION":
        return offered(r, q)
    done, cancelled = r["implemented_date"], r["cancelled_date"]
    return within(q, done) and (cancelled is None or cancelled > done)


def goal(r):
    return r["original_anticipated_offer_date"] or r["anticipated_offer_date"]


def on_goal(r, q):
    done = r["offered_date"] if r["document_type"] != "MODIFICATION" else r["implemented_date"]
    return done <= goal(r)


def accepted(r, q):
    return loa(r) and within(q, r["accepted_date"])


def backlog(r, q):
    return (
        loa(r)
        and r["lor_complete_date"] <= q.end
        and (r["offered_date"] is None or r["offered_date"] > q.end)
        and (r["cancelled_date"] is None or r["cancelled_date"] > q.end)
    )


def expired(r, q):
    """Offered, its expiration date in q, not accepted nor cancelled by then (an expiration
    date is never before the offer: a row rule)."""
    expires = r["offer_expiration_date"]
    return (
        loa(r)
        and r["offered_date"] is not None
        and within(q, expires)
        and all(r[k] is None or r[k] > expires for k in ("accepted_date", "cancelled_date"))
    )


def expiring(r, q):
    """At q's end: offered, still open, expiring 1 to 90 days later."""
    expires, horizon = r["offer_expiration_date"], q.end + dt.timedelta(days=90)
    return (
        loa(r)
        and r["offered_date"] is not None
        and r["offered_date"] <= q.end
        and expires is not None
        and q.end < expires <= horizon
        and all(r[k] is None or r[k] > q.end for k in ("accepted_date", "cancelled_date"))
    )


def open_(r, q):
    return r["implemented_date"] <= q.end and (r["closed_date"] is None or r["closed_date"] > q.end)


def final(r, q):
    return within(q, r["final_action_date"])


def pending(r, q):
    done = r["final_action_date"]
    return r["received_date"] <= q.end and (done is None or done > q.end)


def days(later_key, earlier_key):
    return lambda r, q: (r[later_key] - r[earlier_key]).days


def on(key):
    return lambda r, q: within(q, r[key])


def amount(key):
    return lambda r, q: r[key]


def valued(population, key):
    return lambda r, q: population(r, q) and r[key] is not None


def specs(cfg: Config) -> dict:
    """indicator id -> (table, population(row, q) -> bool, measure(row, q) or None)."""
    dev, lic = cfg.development_targets, cfg.license_targets
    dev_days, proc = (
        days("offered_date", "lor_complete_date"),
        days("final_action_date", "received_date"),
    )
    docs, cases, licenses = "fms_documents", "fms_cases", "export_licenses"
    notes = "congressional_notifications"
    return {
        "fms_lors_received": (
            "fms_lors",
            lambda r, q: r["request_type"] == "LOA" and on("received_date")(r, q),
            None,
        ),
        "fms_loas_offered": (docs, offered, None),
        "fms_loa_development_days_median": (docs, offered, dev_days),
        "fms_loa_development_days_p90": (docs, offered, dev_days),
        "fms_loas_offered_within_target_pct": (
            docs,
            offered,
            lambda r, q: dev_days(r, q) <= dev[r["development_group"]],
        ),
        "fms_loas_offered_by_anticipated_date_pct": (
            docs,
            anticipated,
            lambda r, q: r["offered_date"] <= r["anticipated_offer_date"],
        ),
        "fms_lor_to_offer_days_median": (
            docs,
            lambda r, q: offered(r, q) and r["lor_received"] is not None,
            lambda r, q: (r["offered_date"] - r["lor_received"]).days,
        ),
        "fms_documents_by_anticipated_date_pct": (
            docs,
            lambda r, q: reached(r, q) and goal(r) is not None,
            on_goal,
        ),
        "fms_loas_accepted": (docs, accepted, None),
        "fms_loas_accepted_value_usd": (docs, accepted, amount("value_usd")),
        "fms_offer_to_acceptance_days_median": (
            docs,
            accepted,
            days("accepted_date", "offered_date"),
        ),
        "fms_development_backlog": (docs, backlog, None),
        "fms_offers_expired": (docs, expired, None),
        "fms_offers_expiring_90_days": (docs, expiring, None),
        "fms_development_backlog_over_target_pct": (
            docs,
            backlog,
            lambda r, q: (q.end - r["lor_complete_date"]).days > dev[r["development_group"]],
        ),
        "fms_cases_implemented": (cases, on("implemented_date"), None),
        "fms_cases_implemented_value_usd": (
            cases,
            valued(on("implemented_date"), "case_value_usd"),
            amount("case_value_usd"),
        ),
        "fms_deliveries_value_usd": (
            "fms_deliveries",
            on("delivery_date"),
            amount("delivered_value_usd"),
        ),
        "fms_cases_supply_complete": (cases, on("supply_complete_date"), None),
        "fms_cases_closed": (cases, on("closed_date"), None),
        "fms_open_cases": (cases, open_, None),
        "fms_open_cases_value_usd": (
            cases,
            valued(open_, "case_value_usd"),
            amount("case_value_usd"),
        ),
        "cn_notifications": (notes, on("notification_date"), None),
        "cn_notifications_value_usd": (
            notes,
            valued(on("notification_date"), "estimated_value_usd"),
            amount("estimated_value_usd"),
        ),
        "lic_applications_received": (licenses, on("received_date"), None),
        "lic_final_actions": (licenses, final, None),
        "lic_approval_rate_pct": (
            licenses,
            lambda r, q: final(r, q) and r["outcome"] in (*APPROVED, "DENIED"),
            lambda r, q: r["outcome"] in APPROVED,
        ),
        "lic_returned_without_action_pct": (
            licenses,
            final,
            lambda r, q: r["outcome"] == "RETURNED_WITHOUT_ACTION",
        ),
        **{
            f"lic_{name}_pct": (licenses, final, lambda r, q, o=outcome: r["outcome"] == o)
            for name, outcome in [
                ("approved", "APPROVED"),
                ("approved_with_conditions", "APPROVED_WITH_CONDITIONS"),
                ("denied", "DENIED"),
                ("withdrawn", "WITHDRAWN"),
            ]
        },
        "lic_processing_days_median": (licenses, final, proc),
        "lic_decided_processing_days_median": (
            licenses,
            lambda r, q: final(r, q) and r["outcome"] in (*APPROVED, "DENIED"),
            proc,
        ),
        "lic_processing_days_p90": (licenses, final, proc),
        "lic_decided_within_target_pct": (
            licenses,
            final,
            lambda r, q: proc(r, q) <= lic[r["agency"]],
        ),
        "lic_pending": (licenses, pending, None),
        "lic_pending_over_target": (
            licenses,
            lambda r, q: pending(r, q) and (q.end - r["received_date"]).days > lic[r["agency"]],
            None,
        ),
        "lic_approved_value_usd": (
            licenses,
            lambda r, q: (
                final(r, q) and r["outcome"] in APPROVED and r["approved_value_usd"] is not None
            ),
            amount("approved_value_usd"),
        ),
    }


def aggregate(unit: str, indicator_id: str, measures: list):
    n = len(measures)
    if unit == "count":
        return Decimal(n), None
    if unit == "usd":
        total = sum(measures, Decimal(0)).quantize(Decimal(1), rounding=ROUND_HALF_EVEN)
        return total, (max(measures) if measures else None)
    if not measures:
        return None, None
    if unit == "days":
        p = 0.9 if indicator_id.endswith("_p90") else 0.5
        exact = float(np.quantile(np.array(measures, dtype=float), p))
        return Decimal(repr(exact)).quantize(Decimal("0.1"), rounding=ROUND_HALF_EVEN), None
    with localcontext() as ctx:
        ctx.prec = 60
        share = Decimal(100 * sum(1 for m in measures if m)) / Decimal(n)
        return share.quantize(Decimal("0.1"), rounding=ROUND_HALF_EVEN), None


def reference(tables: dict[str, list[dict]], cfg: Config, release: Quarter) -> dict:
    end = release.end
    staged = {
        "fms_lors": cut(tables.get("fms_lors", []), "received_date", {}, end),
        "fms_documents": cut(
            tables.get("fms_documents", []),
            "lor_complete_date",
            {"offered_date", "accepted_date", "implemented_date", "cancelled_date"},
            end,
        ),
        "fms_cases": cut(
            tables.get("fms_cases", []),
            "implemented_date",
            {"supply_complete_date", "closed_date"},
            end,
        ),
        "congressional_notifications": cut(
            tables.get("congressional_notifications", []), "notification_date", {}, end
        ),
        "export_licenses": cut(
            tables.get("export_licenses", []), "received_date", {"final_action_date"}, end
        ),
    }
    received = {r["lor_id"]: r["received_date"] for r in staged["fms_lors"]}  # LORs as of end
    for row in staged["fms_documents"]:
        row["lor_received"] = received.get(row["lor_id"])
    case_attrs = {c["case_id"]: c for c in tables.get("fms_cases", [])}  # attributes: no cut
    staged["fms_deliveries"] = [
        {**case_attrs[d["case_id"]], **d}
        for d in cut(tables.get("fms_deliveries", []), "delivery_date", {}, end)
    ]
    anchors = [
        r[k]
        for t, k in [
            ("fms_lors", "received_date"),
            ("fms_documents", "lor_complete_date"),
            ("fms_cases", "implemented_date"),
            ("fms_deliveries", "delivery_date"),
            ("congressional_notifications", "notification_date"),
            ("export_licenses", "received_date"),
        ]
        for r in staged[t]
    ]
    quarters = Quarter.span(Quarter.of(min(anchors)), release) if anchors else [release]
    cells = {}
    for indicator_id, (table, population, measure) in specs(cfg).items():
        ind = cfg.registry.get(indicator_id)
        if not set(ind.sources) <= set(tables):
            continue
        filled = [any(r.get(c) is not None for r in tables[t])
                  for t, _, c in (x.partition(".") for x in ind.requires)]  # fmt: skip
        if not all(filled):  # a required column without a value anywhere: unavailable
            continue
        for q in quarters:
            members = [r for r in staged[table] if population(r, q)]
            hits = [(r, measure(r, q) if measure else None) for r in members]
            value, top = aggregate(ind.unit, indicator_id, [m for _, m in hits])
            cells[(indicator_id, q.label, "total", "All")] = (value, len(hits), None, top)
            for name in ind.breakdowns:
                keys = sorted({dims(r, [name])[name] for r, _ in hits})
                for key in keys:
                    sub = [(r, m) for r, m in hits if dims(r, [name])[name] == key]
                    value, top = aggregate(ind.unit, indicator_id, [m for _, m in sub])
                    parent = REGIONS[key] if name == "purchaser" else None
                    cells[(indicator_id, q.label, name, key)] = (value, len(sub), parent, top)
    return cells


def typed(tables: dict[str, list[dict]]):
    out = {}
    for name, rows in tables.items():
        key = {
            "fms_lors": "lor_id",
            "fms_documents": "document_id",
            "fms_cases": "case_id",
            "fms_deliveries": "delivery_id",
            "export_licenses": "application_id",
        }.get(name)
        for i, row in enumerate(rows):
            if key:
                row[key] = f"{key[0].upper()}{i}" if name != "fms_cases" else f"C{i}"
        out[name] = frame(name, rows)
    return out


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(drawn=inputs())
def test_compute_agrees_with_python_reference(config: Config, tmp_path: Path, drawn) -> None:
    tables, release = drawn
    cfg = config_with_reference(config, tmp_path)
    frames = typed(tables)  # also gives the rows their ids, before the reference reads them
    got = indicators.compute(frames, cfg, release)
    actual = {
        (i, p, b, v): (x, n, parent, top)
        for i, p, b, v, x, n, parent, top in got.cells.select(
            "indicator_id",
            "period",
            "breakdown",
            "breakdown_value",
            "value",
            "n",
            "parent",
            "max_record_value",
        ).iter_rows()
    }
    assert actual == reference(tables, cfg, release)
