"""Helpers shared by the ingest, schema and reference tests: a tiny reference folder,
a config pointing at it, and one known-good row per table to vary one cell at a time."""

from __future__ import annotations

import csv
import dataclasses
from pathlib import Path

from arms_metrics.config import Config
from arms_metrics.ingest.load import Ingested, ingest
from arms_metrics.ingest.schemas import COLUMNS

PURCHASERS = """code,alpha3,name,region,kind,aliases
AE,ARE,United Arab Emirates,NEA,country,UAE|U.A.E.
GB,GBR,United Kingdom,EUR,country,UK|Great Britain
KR,KOR,"Korea, Republic of",EAP,country,Republic of Korea|South Korea|Korea (South)
NATO,,North Atlantic Treaty Organization,IO,organization,NATO Support and Procurement Agency
"""
AGENCIES = """code,name,kind
ARMY,Department of the Army,implementing
NAVY,Department of the Navy,implementing
AIR_FORCE,Department of the Air Force,implementing
DSCA,Defense Security Cooperation Agency,implementing
DLA,Defense Logistics Agency,implementing
OTHER,Other,implementing
STATE,Department of State,licensing
COMMERCE,Department of Commerce,licensing
"""
CATEGORIES = """agency,code,name
STATE,I,Firearms
STATE,VIII,Aircraft
STATE,XXI,Other articles
COMMERCE,0,Nuclear
COMMERCE,9,Aerospace
"""

GOOD: dict[str, dict[str, str]] = {
    "fms_lors": {
        "lor_id": "L1", "purchaser_code": "GB", "implementing_agency": "ARMY",
        "request_type": "LOA", "received_date": "2025-10-01", "complete_date": "2025-10-15",
        "cancelled_date": "",
    },
    "fms_documents": {
        "document_id": "D1", "case_id": "GB-B-AAA", "lor_id": "", "document_type": "LOA",
        "purchaser_code": "GB", "implementing_agency": "NAVY", "development_group": "A",
        "priority_platform": "true", "lor_complete_date": "2025-10-01",
        "anticipated_offer_date": "2025-11-15", "original_anticipated_offer_date": "",
        "offered_date": "2025-11-10",
        "offer_expiration_date": "2026-01-10", "accepted_date": "2025-12-01",
        "implemented_date": "2025-12-15", "cancelled_date": "", "value_usd": "1000000.00",
    },
    "fms_cases": {
        "case_id": "C1", "purchaser_code": "GB", "implementing_agency": "AIR_FORCE",
        "funding_source": "NATIONAL", "priority_platform": "false",
        "implemented_date": "2025-10-01", "supply_complete_date": "2026-01-01",
        "closed_date": "2026-02-01", "case_value_usd": "500.00",
    },
    "fms_deliveries": {
        "delivery_id": "V1", "case_id": "C1", "delivery_date": "2025-11-01",
        "delivered_value_usd": "10.00",
    },
    "congressional_notifications": {
        "transmittal_no": "25-01", "notification_date": "2025-10-03",
        "purchaser": "United Kingdom", "purchaser_code": "", "authority": "",
        "description": "F-35 aircraft", "estimated_value_usd": "100",
    },
    "export_licenses": {
        "application_id": "A1", "agency": "STATE", "application_type": "DSP-5",
        "destination_code": "GB", "control_category": "VIII", "received_date": "2025-10-01",
        "final_action_date": "2025-11-01", "outcome": "APPROVED",
        "requested_value_usd": "100.00", "approved_value_usd": "90.00", "referred": "false",
    },
    "tpt_requests": {
        "request_id": "T1", "channel": "FMS", "original_recipient_code": "GB",
        "transferee_code": "KR", "transfer_type": "RETRANSFER", "received_date": "2025-10-01",
        "final_action_date": "2025-11-01", "outcome": "APPROVED",
        "congressional_notification": "false",
    },
    "eum_checks": {
        "check_id": "E1", "program": "GOLDEN_SENTRY", "check_type": "ROUTINE",
        "country_code": "AE", "initiated_date": "2025-10-01", "completed_date": "2025-10-20",
        "result": "FAVORABLE",
    },
}  # fmt: skip

ID_COLUMN = {
    "fms_lors": "lor_id",
    "fms_documents": "document_id",
    "fms_cases": "case_id",
    "fms_deliveries": "delivery_id",
    "congressional_notifications": "transmittal_no",
    "export_licenses": "application_id",
    "tpt_requests": "request_id",
    "eum_checks": "check_id",
}


def make_config(tmp_path: Path, config: Config, threshold: float = 1.0) -> Config:
    """The repository config, but with a tiny reference folder under ``tmp_path``."""
    pipeline = tmp_path / "pipeline"
    reference = pipeline / "reference"
    reference.mkdir(parents=True, exist_ok=True)
    (reference / "purchasers.csv").write_text(PURCHASERS, encoding="utf-8")
    (reference / "agencies.csv").write_text(AGENCIES, encoding="utf-8")
    (reference / "categories.csv").write_text(CATEGORIES, encoding="utf-8")
    return dataclasses.replace(
        config, path=pipeline / "pipeline.toml", max_quarantine_share=threshold
    )


def rows_for(table: str, variations: list[dict[str, str]]) -> list[dict[str, str]]:
    """One good row per variation, the variation applied, ids numbered unless given."""
    rows = []
    for number, change in enumerate(variations, start=1):
        row = dict(GOOD[table])
        row[ID_COLUMN[table]] = f"{table[:3].upper()}{number}"
        row.update(change)
        rows.append(row)
    return rows


def write_table(folder: Path, table: str, rows: list[dict[str, str]], name: str = "") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / (name or f"{table}.csv")
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(COLUMNS[table]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return path


def run(tmp_path: Path, config: Config, tables: dict[str, list[dict[str, str]]]) -> Ingested:
    inputs = tmp_path / "input"
    for table, rows in tables.items():
        write_table(inputs, table, rows)
    return ingest(inputs, config, tmp_path / "work")


def quarantine_rules(tmp_path: Path, table: str) -> dict[int, str]:
    """record -> rules, read back from the quarantine file with the csv module."""
    path = tmp_path / "work" / "quarantine" / f"{table}.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        return {int(row["record"]): row["rules"] for row in csv.DictReader(handle)}
