"""The input tables: their columns, and one pandera model per table holding its rules (the
two oversight tables, third-party transfers and end-use checks, are in ``oversight.py``).

Each rule has a stable snake_case id, used alike in the quarantine file, summary.json, the
validation report and docs/validation-rules.md. Models run on eager, already-typed polars
frames (pandera runs no data checks on a lazy frame by default). Rules that depend on the
reference files or on another table are added at run time by ``build_schema``; the model
holds everything else.
"""

from __future__ import annotations

import copy
import datetime as dt

import pandera.polars as pa
import polars as pl
from pandera.engines import polars_engine as pe

from arms_metrics.ingest import oversight
from arms_metrics.ingest.checks import (
    Strict,
    given_without,
    is_in,
    money,
    not_before,
    rows,
    unique,
)  # fmt: skip
from arms_metrics.ingest.reference import Reference

MONEY = pl.Decimal(18, 2)
KIND_DTYPES: dict[str, pl.DataType] = {
    "text": pl.String(),
    "date": pl.Date(),
    "money": MONEY,
    "bool": pl.Boolean(),
}

# The docs/inputs.md columns, in order, with their kind.
COLUMNS: dict[str, dict[str, str]] = {
    "fms_lors": {
        "lor_id": "text", "purchaser_code": "text", "implementing_agency": "text",
        "request_type": "text", "received_date": "date", "complete_date": "date",
        "cancelled_date": "date",
    },
    "fms_documents": {
        "document_id": "text", "case_id": "text", "lor_id": "text", "document_type": "text",
        "purchaser_code": "text", "implementing_agency": "text", "development_group": "text",
        "priority_platform": "bool", "lor_complete_date": "date",
        "anticipated_offer_date": "date", "original_anticipated_offer_date": "date",
        "offered_date": "date",
        "offer_expiration_date": "date", "accepted_date": "date", "implemented_date": "date",
        "cancelled_date": "date", "value_usd": "money",
    },
    "fms_cases": {
        "case_id": "text", "purchaser_code": "text", "implementing_agency": "text",
        "funding_source": "text", "priority_platform": "bool", "implemented_date": "date",
        "supply_complete_date": "date", "closed_date": "date", "case_value_usd": "money",
    },
    "fms_deliveries": {
        "delivery_id": "text", "case_id": "text", "delivery_date": "date",
        "delivered_value_usd": "money",
    },
    "congressional_notifications": {
        "transmittal_no": "text", "notification_date": "date", "purchaser": "text",
        "purchaser_code": "text", "authority": "text", "description": "text",
        "estimated_value_usd": "money",
    },
    "export_licenses": {
        "application_id": "text", "agency": "text", "application_type": "text",
        "destination_code": "text", "control_category": "text", "received_date": "date",
        "final_action_date": "date", "outcome": "text", "requested_value_usd": "money",
        "approved_value_usd": "money", "referred": "bool",
    },
    **oversight.COLUMNS,
}  # fmt: skip

IMPLEMENTING_AGENCIES = ["ARMY", "NAVY", "AIR_FORCE", "DSCA", "DLA", "OTHER"]
REQUEST_TYPES = ["LOA", "PRICE_AND_AVAILABILITY"]
DOCUMENT_TYPES = ["LOA", "AMENDMENT", "MODIFICATION"]
DEVELOPMENT_GROUPS = ["A", "B", "C"]
FUNDING_SOURCES = ["NATIONAL", "FMF", "BPC"]
AUTHORITIES = ["AECA_36B", "AECA_36C"]
DEFAULT_AUTHORITY = "AECA_36B"
LICENSING_AGENCIES = ["STATE", "COMMERCE"]
APPLICATION_TYPES = {
    "STATE": ["DSP-5", "DSP-61", "DSP-73", "DSP-85", "AGREEMENT"],
    "COMMERCE": ["BIS-748P"],
}
OUTCOMES = [
    "APPROVED",
    "APPROVED_WITH_CONDITIONS",
    "DENIED",
    "RETURNED_WITHOUT_ACTION",
    "WITHDRAWN",
]
APPROVED = ["APPROVED", "APPROVED_WITH_CONDITIONS"]
# Money columns whose float artefacts are rounded to cents instead of quarantined.
ROUND_TO_CENTS = {("congressional_notifications", "estimated_value_usd")}


class FmsLors(Strict):
    lor_id: str = pa.Field(nullable=False)
    purchaser_code: str = pa.Field(nullable=False)
    implementing_agency: str = pa.Field(nullable=False, isin=IMPLEMENTING_AGENCIES)
    request_type: str = pa.Field(nullable=False, isin=REQUEST_TYPES)
    received_date: dt.date = pa.Field(nullable=False)
    complete_date: dt.date = pa.Field(nullable=True)
    cancelled_date: dt.date = pa.Field(nullable=True)

    @pa.check("lor_id", name="lor_id_duplicate")
    def _lor_id_unique(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return unique(data)

    @pa.dataframe_check(name="complete_date_before_received_date")
    def _complete(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return rows(data, not_before("complete_date", "received_date"))

    @pa.dataframe_check(name="cancelled_date_before_received_date")
    def _cancelled(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return rows(data, not_before("cancelled_date", "received_date"))


class FmsDocuments(Strict):
    document_id: str = pa.Field(nullable=False)
    case_id: str = pa.Field(nullable=False)
    lor_id: str = pa.Field(nullable=True)
    document_type: str = pa.Field(nullable=False, isin=DOCUMENT_TYPES)
    purchaser_code: str = pa.Field(nullable=False)
    implementing_agency: str = pa.Field(nullable=False, isin=IMPLEMENTING_AGENCIES)
    development_group: str = pa.Field(nullable=True, isin=DEVELOPMENT_GROUPS)
    priority_platform: bool = pa.Field(nullable=False)
    lor_complete_date: dt.date = pa.Field(nullable=False)
    anticipated_offer_date: dt.date = pa.Field(nullable=True)
    original_anticipated_offer_date: dt.date = pa.Field(nullable=True)
    offered_date: dt.date = pa.Field(nullable=True)
    offer_expiration_date: dt.date = pa.Field(nullable=True)
    accepted_date: dt.date = pa.Field(nullable=True)
    implemented_date: dt.date = pa.Field(nullable=True)
    cancelled_date: dt.date = pa.Field(nullable=True)
    value_usd: pe.Decimal = money(nullable=False)

    @pa.check("document_id", name="document_id_duplicate")
    def _document_id_unique(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return unique(data)

    @pa.dataframe_check(name="development_group_required")
    def _group(cls, data: pa.PolarsData) -> pl.LazyFrame:
        needs = is_in("document_type", ["LOA", "AMENDMENT"])
        return rows(data, ~needs | pl.col("development_group").is_not_null())

    @pa.dataframe_check(name="offered_date_before_lor_complete_date")
    def _offered(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return rows(data, not_before("offered_date", "lor_complete_date"))

    @pa.dataframe_check(name="offered_date_on_modification")
    def _offered_mod(cls, data: pa.PolarsData) -> pl.LazyFrame:
        mod = is_in("document_type", ["MODIFICATION"])
        return rows(data, ~mod | pl.col("offered_date").is_null())

    @pa.dataframe_check(name="offer_expiration_date_before_offered_date")
    def _expiry(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return rows(data, not_before("offer_expiration_date", "offered_date"))

    @pa.dataframe_check(name="accepted_date_before_offered_date")
    def _accepted(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return rows(data, not_before("accepted_date", "offered_date"))

    @pa.dataframe_check(name="accepted_date_without_offered_date")
    def _accepted_needs(cls, data: pa.PolarsData) -> pl.LazyFrame:
        loa = is_in("document_type", ["LOA", "AMENDMENT"])
        return rows(data, ~(loa & given_without("accepted_date", "offered_date")))

    @pa.dataframe_check(name="implemented_date_before_accepted_date")
    def _implemented(cls, data: pa.PolarsData) -> pl.LazyFrame:
        mod = is_in("document_type", ["MODIFICATION"])
        return rows(data, mod | not_before("implemented_date", "accepted_date"))

    @pa.dataframe_check(name="implemented_date_before_lor_complete_date")
    def _implemented_mod(cls, data: pa.PolarsData) -> pl.LazyFrame:
        mod = is_in("document_type", ["MODIFICATION"])
        return rows(data, ~mod | not_before("implemented_date", "lor_complete_date"))

    @pa.dataframe_check(name="cancelled_date_before_lor_complete_date")
    def _cancelled(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return rows(data, not_before("cancelled_date", "lor_complete_date"))


class FmsCases(Strict):
    case_id: str = pa.Field(nullable=False)
    purchaser_code: str = pa.Field(nullable=False)
    implementing_agency: str = pa.Field(nullable=False, isin=IMPLEMENTING_AGENCIES)
    funding_source: str = pa.Field(nullable=False, isin=FUNDING_SOURCES)
    priority_platform: bool = pa.Field(nullable=False)
    implemented_date: dt.date = pa.Field(nullable=False)
    supply_complete_date: dt.date = pa.Field(nullable=True)
    closed_date: dt.date = pa.Field(nullable=True)
    case_value_usd: pe.Decimal = money(nullable=False)

    @pa.check("case_id", name="case_id_duplicate")
    def _case_id_unique(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return unique(data)

    @pa.dataframe_check(name="supply_complete_date_before_implemented_date")
    def _supply(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return rows(data, not_before("supply_complete_date", "implemented_date"))

    @pa.dataframe_check(name="closed_date_before_supply_complete_date")
    def _closed(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return rows(data, not_before("closed_date", "supply_complete_date"))

    @pa.dataframe_check(name="closed_date_without_supply_complete_date")
    def _closed_needs(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return rows(data, ~given_without("closed_date", "supply_complete_date"))


class FmsDeliveries(Strict):
    delivery_id: str = pa.Field(nullable=False)
    case_id: str = pa.Field(nullable=False)
    delivery_date: dt.date = pa.Field(nullable=False)
    delivered_value_usd: pe.Decimal = money(nullable=False)

    @pa.check("delivery_id", name="delivery_id_duplicate")
    def _delivery_id_unique(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return unique(data)


class CongressionalNotifications(Strict):
    transmittal_no: str = pa.Field(nullable=True)
    notification_date: dt.date = pa.Field(nullable=False)
    purchaser: str = pa.Field(nullable=False)
    purchaser_code: str = pa.Field(nullable=True)
    authority: str = pa.Field(nullable=False, isin=AUTHORITIES)
    description: str = pa.Field(nullable=True)
    estimated_value_usd: pe.Decimal = money(nullable=False)

    @pa.check("transmittal_no", name="transmittal_no_duplicate")
    def _transmittal_unique(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return unique(data)


class ExportLicenses(Strict):
    application_id: str = pa.Field(nullable=False)
    agency: str = pa.Field(nullable=False, isin=LICENSING_AGENCIES)
    application_type: str = pa.Field(nullable=False)
    destination_code: str = pa.Field(nullable=False)
    control_category: str = pa.Field(nullable=False)
    received_date: dt.date = pa.Field(nullable=False)
    final_action_date: dt.date = pa.Field(nullable=True)
    outcome: str = pa.Field(nullable=True, isin=OUTCOMES)
    requested_value_usd: pe.Decimal = money(nullable=True)
    approved_value_usd: pe.Decimal = money(nullable=True)
    referred: bool = pa.Field(nullable=False)

    @pa.check("application_id", name="application_id_duplicate")
    def _application_id_unique(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return unique(data)

    @pa.dataframe_check(name="application_type_not_allowed")
    def _type(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return rows(data, _valid_for_agency("application_type", APPLICATION_TYPES))

    @pa.dataframe_check(name="final_action_date_before_received_date")
    def _final(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return rows(data, not_before("final_action_date", "received_date"))

    @pa.dataframe_check(name="outcome_without_final_action_date")
    def _outcome_early(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return rows(data, ~given_without("outcome", "final_action_date"))

    @pa.dataframe_check(name="outcome_missing_for_final_action")
    def _outcome_missing(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return rows(data, ~given_without("final_action_date", "outcome"))

    @pa.dataframe_check(name="approved_value_usd_not_approved")
    def _approved_value(cls, data: pa.PolarsData) -> pl.LazyFrame:
        given = pl.col("approved_value_usd").is_not_null()
        return rows(data, ~given | is_in("outcome", APPROVED))


MODELS: dict[str, type[pa.DataFrameModel]] = {
    "fms_lors": FmsLors,
    "fms_documents": FmsDocuments,
    "fms_cases": FmsCases,
    "fms_deliveries": FmsDeliveries,
    "congressional_notifications": CongressionalNotifications,
    "export_licenses": ExportLicenses,
    **oversight.MODELS,
}

# Helper column added before validation and dropped after: the code the name maps to.
NAME_CODE = "purchaser_code_from_name"


def _valid_for_agency(column: str, allowed: dict[str, list[str]] | dict[str, tuple[str, ...]]):
    """True when ``column`` is allowed for the row's agency (any agency if that is unknown)."""
    value = pl.col(column)
    union = sorted({item for items in allowed.values() for item in items})
    expr = pl.when(value.is_null()).then(True)
    for agency, items in allowed.items():
        expr = expr.when(pl.col("agency") == agency).then(value.is_in(list(items)))
    return expr.otherwise(value.is_in(union))


def _check(name: str, ok: pl.Expr) -> pa.Check:
    return pa.Check(lambda data: rows(data, ok), name=name)


# A table whose rows name a record of another table: (the column, the other table). The
# other table's *accepted* rows are the ones a row may name; a quarantined record cannot be
# attributed either.
PARENTS = {"fms_deliveries": ("case_id", "fms_cases"), "fms_documents": ("lor_id", "fms_lors")}


def empty_parent(table: str) -> pl.DataFrame | None:
    """No rows of the table ``table``'s rows name, with its columns (None: it names none):
    enough to list ``table``'s rules that read them."""
    if table not in PARENTS:
        return None
    columns = COLUMNS[PARENTS[table][1]]
    return pl.DataFrame(schema={name: KIND_DTYPES[kind] for name, kind in columns.items()})


def parent_rules(table: str) -> tuple[str, ...]:
    """The rules of ``table`` that read its parent's rows: unchecked when the parent table
    is not supplied (read off the checks themselves, so the two lists cannot differ)."""
    return tuple(check.name for check in _parent_checks(table, empty_parent(table)))


def _parent_checks(table: str, parent: pl.DataFrame | None) -> list[pa.Check]:
    """``<column>_unknown`` against the parent's accepted rows. The LOR a document names must
    also be received on or before the document's LOR complete date (an LOR is complete only
    once received, or the LOR-to-offer time would be shorter than the development time), be
    a request for an LOA (a price and availability request is answered with data, not an
    LOA) and come from the document's purchaser."""
    if table not in PARENTS or parent is None:
        return []
    column, _ = PARENTS[table]
    value = pl.col(column)
    checks = [_check(f"{column}_unknown", value.is_null() | value.is_in(parent[column].implode()))]
    if table == "fms_documents":
        in_time = _of_lor(parent, "received_date") <= pl.col("lor_complete_date")
        same_purchaser = _of_lor(parent, "purchaser_code") == pl.col("purchaser_code")
        checks += [
            _check("lor_id_received_after_lor_complete_date", in_time.fill_null(True)),
            _check("lor_id_not_an_loa_request",
                   (_of_lor(parent, "request_type") == "LOA").fill_null(True)),
            _check("lor_id_of_another_purchaser", same_purchaser.fill_null(True)),
        ]  # fmt: skip
    return checks


def _of_lor(lors: pl.DataFrame, column: str) -> pl.Expr:
    """``column`` of the LOR a document's ``lor_id`` names (null when it names none)."""
    return pl.col("lor_id").replace_strict(
        lors["lor_id"], lors[column], default=None, return_dtype=lors.schema[column]
    )


def _reference_checks(table: str, reference: Reference) -> list[pa.Check]:
    codes = reference.purchaser_codes
    known = pl.col("purchaser_code").is_null() | is_in("purchaser_code", codes)
    if table in ("fms_lors", "fms_documents", "fms_cases"):
        return [_check("purchaser_code_unknown", known)]
    if table == "export_licenses":
        known_dest = pl.col("destination_code").is_null() | is_in("destination_code", codes)
        category = _valid_for_agency("control_category", reference.categories)
        return [
            _check("destination_code_unknown", known_dest),
            _check("control_category_unknown", category),
        ]
    if table in oversight.CODE_COLUMNS:
        return [
            _check(f"{column}_unknown", pl.col(column).is_null() | is_in(column, codes))
            for column in oversight.CODE_COLUMNS[table]
        ]
    if table == "congressional_notifications":
        name, code, derived = pl.col("purchaser"), pl.col("purchaser_code"), pl.col(NAME_CODE)
        return [
            _check("purchaser_unknown", name.is_null() | derived.is_not_null()),
            _check("purchaser_code_unknown", known),
            _check("purchaser_code_mismatch", ~(known & (code != derived)).fill_null(False)),
        ]
    return []


def build_schema(table: str, reference: Reference, parent: pl.DataFrame | None = None):
    """The table's model plus the rules that need the reference files or another table.

    ``parent`` holds the accepted rows of the table ``PARENTS`` names for ``table`` (for
    fms_deliveries, fms_cases; for fms_documents, fms_lors). None means that table was not
    supplied, so its ``<column>_unknown`` rule cannot be checked (ingest records that in the
    summary as ``unchecked_rules``).
    """
    schema = copy.copy(MODELS[table].to_schema())  # the model's schema is cached: never mutate
    if table == "congressional_notifications":
        schema = schema.add_columns({NAME_CODE: pa.Column(pl.String, nullable=True)})
    checks = [*_reference_checks(table, reference), *_parent_checks(table, parent)]
    schema.checks = [*schema.checks, *checks]
    return schema
