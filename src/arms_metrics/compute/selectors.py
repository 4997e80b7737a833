"""The values that select a record into an indicator's count (issue 11: a broken selector).

A population's SQL keeps a record only for some values of a column (``request_type =
'LOA'``; ``document_type in ('LOA', 'AMENDMENT')``), and a measure reads some records only
(the approval rate's denominator is the approvals and denials; a sum counts the records
whose value is known; a count counts the records whose id is known, a boolean count those
where it is true). A quarantined row reads a value that broke its rule as missing, and a
missing value fails every such test: the row drops out of the evaluation over all the rows
read just as it drops out of the accepted one, and the loss it causes is never seen (an
``L0A`` request type: ``fms_lors_received`` published 17 of 31 LORs with no word).

So a broken selector is read the worst way: the row could belong, and it is evaluated with
the value that selects it (``SELECTING``, per indicator: ``LOA`` for a request type, an
approval for an outcome, ``0`` for an amount, the agency with the shortest target for the
pending licenses over target). Its dates still place it: a row whose placing dates are
valid counts as possibly lost only in the quarter(s) those dates place it in, never in the
others. A row whose placing date broke too cannot be placed (``placing.py``) and counts as
possibly lost in every quarter where the indicator counts records. A value that only
chooses a breakdown (purchaser, implementing agency, funding source, authority, region,
development group, control category) leaves the row in the total, where its loss shows.

Read off ``pipelines/quarterly/sql`` (the ``where`` filters, the ``case when`` and
``coalesce`` of the measures) and the registry's measures; a test nulls each column of a
row that is in every population and checks that the columns that take it out of a count
are exactly ``placing.PLACING`` and ``SELECTING``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal

import polars as pl

from arms_metrics.config import Config
from arms_metrics.ingest.salvage import BROKEN

ANY_ID = "?"  # any id is counted: count(id) reads only whether it is there
ANY_DATE = dt.date(1975, 10, 1)  # any anticipated offer date puts the offer in the share
ZERO = Decimal(0)  # any amount puts the record among the values summed

_DOCUMENTS = (
    "fms_loas_offered", "fms_loa_development_days_median", "fms_loa_development_days_p90",
    "fms_loas_offered_within_target_pct", "fms_loas_offered_by_anticipated_date_pct",
    "fms_loas_accepted", "fms_loas_accepted_value_usd", "fms_offer_to_acceptance_days_median",
    "fms_development_backlog", "fms_development_backlog_over_target_pct",
    "fms_offers_expired", "fms_offers_expiring_90_days", "fms_lor_to_offer_days_median",
    "fms_documents_by_anticipated_date_pct",
)  # fmt: skip
_ON_TIME = ("fms_loas_offered_by_anticipated_date_pct", "fms_documents_by_anticipated_date_pct")
_COUNTED = (
    "fms_loas_offered", "fms_loas_accepted", "fms_development_backlog", "fms_offers_expired",
    "fms_offers_expiring_90_days",
)  # fmt: skip


def _shortest_target(config: Config) -> str:
    """The licensing agency whose target is shortest: the most pending licenses over it."""
    return min(sorted(config.license_targets), key=config.license_targets.__getitem__)


Value = object | Callable[[Config], object]

# table -> column -> indicator -> the value that selects the record into its count
SELECTING: dict[str, dict[str, dict[str, Value]]] = {
    "fms_lors": {
        "lor_id": {"fms_lors_received": ANY_ID},
        "request_type": {"fms_lors_received": "LOA"},
    },
    "fms_documents": {
        "document_id": dict.fromkeys(_COUNTED, ANY_ID),
        "document_type": dict.fromkeys(_DOCUMENTS, "LOA"),
        "anticipated_offer_date": dict.fromkeys(_ON_TIME, ANY_DATE),
        "original_anticipated_offer_date": {"fms_documents_by_anticipated_date_pct": ANY_DATE},
        "value_usd": {"fms_loas_accepted_value_usd": ZERO},
    },
    "fms_cases": {
        "case_id": dict.fromkeys(
            (
                "fms_cases_implemented",
                "fms_cases_supply_complete",
                "fms_cases_closed",
                "fms_open_cases",
            ),
            ANY_ID,
        ),  # fmt: skip
        "case_value_usd": dict.fromkeys(
            ("fms_cases_implemented_value_usd", "fms_open_cases_value_usd"), ZERO
        ),
    },
    "fms_deliveries": {"delivered_value_usd": {"fms_deliveries_value_usd": ZERO}},
    "congressional_notifications": {"estimated_value_usd": {"cn_notifications_value_usd": ZERO}},
    "export_licenses": {
        "application_id": dict.fromkeys(
            ("lic_applications_received", "lic_final_actions", "lic_pending"), ANY_ID
        ),
        "outcome": dict.fromkeys(
            (
                "lic_approval_rate_pct",
                "lic_approved_value_usd",
                "lic_decided_processing_days_median",
            ),
            "APPROVED",
        ),
        "approved_value_usd": {"lic_approved_value_usd": ZERO},
        "agency": {"lic_pending_over_target": _shortest_target},
    },
}


def selecting_columns(table: str, indicator: str) -> tuple[str, ...]:
    return tuple(c for c, chosen in SELECTING.get(table, {}).items() if indicator in chosen)


def imputation(indicator: str, sources: tuple[str, ...], quarantined: dict, config: Config):
    """What the evaluation of ``indicator`` reads for a broken selector: per source table,
    (column, value) for each of its selecting columns that some quarantined row broke."""
    key = []
    for table in sorted(sources):
        frame = quarantined.get(table)
        if frame is None or not frame.height:
            continue
        for column in selecting_columns(table, indicator):
            if frame[BROKEN].list.contains(column).any():
                value = SELECTING[table][column][indicator]
                key.append((table, column, value(config) if callable(value) else value))
    return tuple(key)


def impute(frame: pl.DataFrame, table: str, key: tuple) -> pl.DataFrame:
    """``frame`` (quarantined rows of ``table``) with each broken selector of ``key`` set to
    the value that selects the row."""
    filled = [
        pl.when(pl.col(BROKEN).list.contains(column))
        .then(pl.lit(value, dtype=frame.schema[column]))
        .otherwise(pl.col(column))
        .alias(column)
        for name, column, value in key
        if name == table
    ]
    return frame.with_columns(filled) if filled else frame
