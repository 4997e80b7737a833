"""Record-level lists of the review pack: the oldest items of each backlog and the offers
about to expire. Internal only: these rows carry record ids, which nothing public shows.

The LOA development backlog, the pending license applications and the expiring offers are
read from the population views the indicators are measured over (``compute.indicators``
builds them), so a list holds exactly the records its public count counts. The optional
third-party transfer (``tpt_requests``) and end-use check (``eum_checks``) tables are read
from the validated tables when present. Every query binds its values as parameters; only
fixed table and column names are written into the SQL text.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import duckdb
import polars as pl

from arms_metrics.quarters import Quarter

OLDEST = 10  # items listed per backlog
BUCKETS = ((1, 30), (31, 60), (61, 90))  # days after the quarter's end, both ends included


@dataclass(frozen=True)
class Backlog:
    """One backlog at a quarter's end: how many items it holds and the oldest of them."""

    key: str
    title: str
    columns: tuple[tuple[str, str], ...]  # (column, heading); the first is the record id
    supplied: bool = True
    total: int = 0
    rows: tuple[dict, ...] = field(default_factory=tuple)


DEVELOPMENT_SQL = """
select
    backlog.document_id,
    documents.lor_id,
    backlog.purchaser,
    backlog.implementing_agency,
    backlog.development_group,
    documents.lor_complete_date as since,
    $end - documents.lor_complete_date as age_days,
    documents.target_days
from pop_fms_development_backlog as backlog
inner join int_fms_loa_documents as documents on backlog.document_id = documents.document_id
where backlog.period = $period
order by age_days desc, backlog.document_id
"""

PENDING_SQL = """
select
    pending.application_id,
    pending.agency,
    pending.application_type,
    pending.purchaser as destination,
    licenses.received_date as since,
    $end - licenses.received_date as age_days,
    licenses.target_days
from pop_lic_pending as pending
inner join int_export_licenses as licenses on pending.application_id = licenses.application_id
where pending.period = $period
order by age_days desc, pending.application_id
"""

EXPIRING_SQL = """
select
    expiring.document_id,
    expiring.purchaser,
    expiring.implementing_agency,
    $end + cast(expiring.days_to_expiration as integer) as expiration_date,
    expiring.days_to_expiration as days_left
from pop_fms_offers_expiring as expiring
where expiring.period = $period
order by days_left, expiring.document_id
"""

TPT_SQL = """
select
    request_id, channel, original_recipient_code, transferee_code, transfer_type,
    received_date as since, $end - received_date as age_days
from tpt_requests
where received_date <= $end and (final_action_date is null or final_action_date > $end)
order by age_days desc, request_id
"""

EUM_SQL = """
select
    check_id, program, check_type, country_code,
    initiated_date as since, $end - initiated_date as age_days
from eum_checks
where initiated_date <= $end and (completed_date is null or completed_date > $end)
order by age_days desc, check_id
"""

DEVELOPMENT_COLUMNS = (
    ("document_id", "Document"), ("lor_id", "LOR"), ("purchaser", "Purchaser"),
    ("implementing_agency", "Implementing agency"), ("development_group", "Group"),
    ("since", "LOR complete"), ("age_days", "Age (days)"), ("target_days", "Target (days)"),
)  # fmt: skip
PENDING_COLUMNS = (
    ("application_id", "Application"), ("agency", "Agency"), ("application_type", "Form"),
    ("destination", "Destination"), ("since", "Received"), ("age_days", "Age (days)"),
    ("target_days", "Target (days)"),
)  # fmt: skip
TPT_COLUMNS = (
    ("request_id", "Request"), ("channel", "Channel"),
    ("original_recipient_code", "Original recipient"), ("transferee_code", "Transferee"),
    ("transfer_type", "Transfer type"), ("since", "Received"), ("age_days", "Age (days)"),
)  # fmt: skip
EUM_COLUMNS = (
    ("check_id", "Check"), ("program", "Program"), ("check_type", "Check type"),
    ("country_code", "Country"), ("since", "Initiated"), ("age_days", "Age (days)"),
)  # fmt: skip
EXPIRING_COLUMNS = (
    ("document_id", "Document"), ("purchaser", "Purchaser"),
    ("implementing_agency", "Implementing agency"), ("expiration_date", "Offer expires"),
    ("days_left", "Days left"),
)  # fmt: skip

# key -> (title, SQL, columns, the optional input table it reads, or None: a population)
BACKLOGS = {
    "loa_development": ("LOA development (LOR complete, not yet offered)", DEVELOPMENT_SQL,
                        DEVELOPMENT_COLUMNS, None),
    "licenses_pending": ("Export license applications pending", PENDING_SQL,
                         PENDING_COLUMNS, None),
    "tpt_pending": ("Third-party transfer requests pending", TPT_SQL, TPT_COLUMNS,
                    "tpt_requests"),
    "eum_open": ("End-use checks open", EUM_SQL, EUM_COLUMNS, "eum_checks"),
}  # fmt: skip


def _rows(con: duckdb.DuckDBPyConnection, sql: str, quarter: Quarter) -> list[dict]:
    """The rows of ``sql`` at ``quarter``'s end, as dicts (the query's own total order)."""
    params = {"end": quarter.end, "period": quarter.label}
    used = {k: v for k, v in params.items() if f"${k}" in sql}
    cursor = con.execute(sql, used)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def backlog(con: duckdb.DuckDBPyConnection, key: str, quarter: Quarter) -> Backlog:
    """Backlog ``key`` at ``quarter``'s end: its size and its ``OLDEST`` items, oldest
    first, ties by record id (a total order)."""
    title, sql, columns, _ = BACKLOGS[key]
    rows = _rows(con, sql, quarter)
    return Backlog(key, title, columns, total=len(rows), rows=tuple(rows[:OLDEST]))


def optional_backlogs(tables: dict[str, pl.DataFrame], quarter: Quarter) -> list[Backlog]:
    """The backlogs of the optional tables (third-party transfers, end-use checks), each
    "not supplied" when its table is not among the validated ``tables``."""
    found = []
    for key, (_, _, _, table) in BACKLOGS.items():
        if table is None:
            continue
        if table not in tables:
            title, _, columns, _ = BACKLOGS[key]
            found.append(Backlog(key, title, columns, supplied=False))
            continue
        with duckdb.connect() as con:
            con.register(table, tables[table].to_arrow())
            found.append(backlog(con, key, quarter))
    return found


def expiring(con: duckdb.DuckDBPyConnection, quarter: Quarter) -> list[dict]:
    """Open offers whose offer expiration date falls 1 to 90 days after ``quarter``'s end,
    soonest first, each with its bucket: the upper day of ``BUCKETS`` it falls in."""
    rows = _rows(con, EXPIRING_SQL, quarter)
    return [row | {"bucket": bucket_of(row["days_left"])} for row in rows]


def bucket_of(days_left: int) -> int:
    """30, 60 or 90: the bucket of ``BUCKETS`` holding ``days_left``."""
    for low, high in BUCKETS:
        if low <= days_left <= high:
            return high
    raise ValueError(f"{days_left} days is outside every bucket")


def as_text(value: object) -> str:
    """A record field as the pack shows it: ISO dates, "" for a missing value."""
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)
