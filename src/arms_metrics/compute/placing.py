"""The dates that place a record in a population's quarters (or time it there), and the
quarantined rows whose placing date broke its rule (tester's F2).

A flow counts a record in the quarter of its event date; a stock counts it from the quarter
of its opening date to the one before its closing date; a duration (processing, development,
acceptance days) runs from an earlier date to the placing one, and without that date the
record drops out of the median's n unseen, so the start date is listed too; and the as-of
cut of each staging model (``where <anchor>_date <= release_end``) drops a record without
its anchor date from every population over that model (a case without its implemented date
is never supply complete or closed), so the anchor is listed for each. A quarantined
row whose placing date is broken (``04/15/2026``, ``NULL``, out of range) cannot be placed:
read as missing, a broken received date would drop the record from every quarter (a loss no
quarter shows), and a broken offered date would keep a document in the backlog for ever (a
phantom record). So such a row is left out of that population's evaluation and counted
instead as possibly lost in every quarter where the indicator counts records (worst case;
the release quarter when it counts none): ``loss.measure`` adds it to the records and the
losses of each such quarter of every indicator over that population. Read
off ``pipelines/quarterly/sql`` (the joins on ``calendar_date``, the ``*_days`` durations
and the staging cuts); a test keeps the two in step, and another nulls each column of rows
that count everywhere (tests/unit/test_selectors.py). The values that select a record
(request type, document type, outcome ...) are in ``selectors.py``.
"""

from __future__ import annotations

import polars as pl

from arms_metrics.ingest.salvage import BROKEN

PLACING: dict[str, dict[str, tuple[str, ...]]] = {
    # (an LOR's received date also times the LOR-to-offer days of the offers that name it,
    # but through a lookup: a document naming a quarantined LOR is quarantined itself)
    "fms_lors": {"received_date": ("fms_lors_received",)},
    "fms_documents": {
        "lor_complete_date": (
            "fms_development_backlog",
            "fms_loas_offered",
            "fms_loas_accepted",
            "fms_offers_expired",
            "fms_offers_expiring",
            "fms_documents_offered_or_implemented",
        ),
        "offered_date": (
            "fms_loas_offered",
            "fms_development_backlog",
            "fms_loas_accepted",
            "fms_offers_expired",
            "fms_offers_expiring",
            "fms_documents_offered_or_implemented",
        ),
        "cancelled_date": (
            "fms_loas_offered",
            "fms_development_backlog",
            "fms_offers_expired",
            "fms_offers_expiring",
            "fms_documents_offered_or_implemented",
        ),
        "accepted_date": ("fms_loas_accepted", "fms_offers_expired", "fms_offers_expiring"),
        "offer_expiration_date": ("fms_offers_expired", "fms_offers_expiring"),
        "implemented_date": ("fms_documents_offered_or_implemented",),
    },  # fmt: skip
    "fms_cases": {
        "implemented_date": (
            "fms_cases_implemented",
            "fms_open_cases",
            "fms_cases_supply_complete",
            "fms_cases_closed",
        ),
        "supply_complete_date": ("fms_cases_supply_complete",),
        "closed_date": ("fms_cases_closed", "fms_open_cases"),
    },
    "fms_deliveries": {"delivery_date": ("fms_deliveries",)},
    "congressional_notifications": {"notification_date": ("cn_notifications",)},
    "export_licenses": {
        "received_date": ("lic_applications_received", "lic_pending", "lic_final_actions"),
        "final_action_date": ("lic_final_actions", "lic_pending"),
    },
    # The dates that will place a transfer request or a check; no population reads them yet
    # (whoever adds one lists it here: test_loss keeps this in step with the SQL). Listed now,
    # a date named by a broken rule between columns already counts as broken (loss.worst_case).
    "tpt_requests": {"received_date": (), "final_action_date": ()},
    "eum_checks": {"initiated_date": (), "completed_date": ()},
}


def placing_columns(table: str, population: str) -> tuple[str, ...]:
    return tuple(c for c, pops in PLACING.get(table, {}).items() if population in pops)


def unplaced(table: str, population: str) -> pl.Expr:
    """True for a quarantined row of ``table`` whose date placing ``population`` broke."""
    columns = placing_columns(table, population)
    if not columns:
        return pl.lit(False)
    return pl.any_horizontal(pl.col(BROKEN).list.contains(c) for c in columns)


def exclusion(population: str, sources: tuple[str, ...], quarantined: dict) -> tuple:
    """What ``population`` leaves out: per source table, its placing columns that some
    quarantined row broke (populations with the same key share one evaluation)."""
    key = []
    for table in sorted(sources):
        frame = quarantined.get(table)
        if frame is None or not frame.height:
            continue
        hit = tuple(
            c for c in placing_columns(table, population) if frame[BROKEN].list.contains(c).any()
        )
        if hit:
            key.append((table, hit))
    return tuple(key)


def split(frame: pl.DataFrame, table: str, key: tuple) -> tuple[pl.DataFrame, int]:
    """The rows of ``frame`` the key keeps (without BROKEN), and how many it leaves out."""
    columns = dict(key).get(table, ())
    out = pl.any_horizontal(pl.col(BROKEN).list.contains(c) for c in columns) if columns else None
    kept = frame.filter(~out) if out is not None else frame
    return kept.drop(BROKEN), frame.height - kept.height
