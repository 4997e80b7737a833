"""The two oversight tables after a transfer (Executive Order on conventional arms transfer
policy, section 4): third-party transfer requests (4(ii)) and end-use monitoring checks
(4(i)). Their columns and models, kept here so that ``schemas.py`` stays readable; both
tables are registered in ``schemas.COLUMNS`` and ``schemas.MODELS`` like the others, and
their purchaser codes are checked against the reference in ``schemas.build_schema``.
"""

from __future__ import annotations

import datetime as dt

import pandera.polars as pa
import polars as pl

from arms_metrics.ingest.checks import Strict, given_without, not_before, rows, unique

COLUMNS: dict[str, dict[str, str]] = {
    "tpt_requests": {
        "request_id": "text", "channel": "text", "original_recipient_code": "text",
        "transferee_code": "text", "transfer_type": "text", "received_date": "date",
        "final_action_date": "date", "outcome": "text", "congressional_notification": "bool",
    },
    "eum_checks": {
        "check_id": "text", "program": "text", "check_type": "text", "country_code": "text",
        "initiated_date": "date", "completed_date": "date", "result": "text",
    },
}  # fmt: skip

# The purchaser-code columns of each table (checked against reference/purchasers.csv).
CODE_COLUMNS = {
    "tpt_requests": ("original_recipient_code", "transferee_code"),
    "eum_checks": ("country_code",),
}

# FMS: articles sold through FMS (State PM/RSAT); DCS: licensed exports (DDTC).
TPT_CHANNELS = ["FMS", "DCS"]
TRANSFER_TYPES = ["RETRANSFER", "REEXPORT", "CHANGE_OF_END_USE", "TEMPORARY"]
TPT_OUTCOMES = ["APPROVED", "DENIED", "RETURNED_WITHOUT_ACTION", "WITHDRAWN"]
# GOLDEN_SENTRY: DoD, FMS; BLUE_LANTERN: State, DCS; BIS_END_USE: Commerce pre-license
# checks and post-shipment verifications.
EUM_PROGRAMS = ["GOLDEN_SENTRY", "BLUE_LANTERN", "BIS_END_USE"]
CHECK_TYPES = ["PRE_LICENSE", "POST_SHIPMENT", "ROUTINE", "ENHANCED"]
CHECK_RESULTS = ["FAVORABLE", "UNFAVORABLE", "UNVERIFIED"]


class TptRequests(Strict):
    request_id: str = pa.Field(nullable=False)
    channel: str = pa.Field(nullable=False, isin=TPT_CHANNELS)
    original_recipient_code: str = pa.Field(nullable=False)
    transferee_code: str = pa.Field(nullable=False)
    transfer_type: str = pa.Field(nullable=False, isin=TRANSFER_TYPES)
    received_date: dt.date = pa.Field(nullable=False)
    final_action_date: dt.date = pa.Field(nullable=True)
    outcome: str = pa.Field(nullable=True, isin=TPT_OUTCOMES)
    congressional_notification: bool = pa.Field(nullable=False)

    @pa.check("request_id", name="request_id_duplicate")
    def _request_id_unique(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return unique(data)

    @pa.dataframe_check(name="final_action_date_before_received_date")
    def _final(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return rows(data, not_before("final_action_date", "received_date"))

    @pa.dataframe_check(name="outcome_without_final_action_date")
    def _outcome_early(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return rows(data, ~given_without("outcome", "final_action_date"))

    @pa.dataframe_check(name="outcome_missing_for_final_action")
    def _outcome_missing(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return rows(data, ~given_without("final_action_date", "outcome"))


class EumChecks(Strict):
    check_id: str = pa.Field(nullable=False)
    program: str = pa.Field(nullable=False, isin=EUM_PROGRAMS)
    check_type: str = pa.Field(nullable=False, isin=CHECK_TYPES)
    country_code: str = pa.Field(nullable=False)
    initiated_date: dt.date = pa.Field(nullable=False)
    completed_date: dt.date = pa.Field(nullable=True)
    result: str = pa.Field(nullable=True, isin=CHECK_RESULTS)

    @pa.check("check_id", name="check_id_duplicate")
    def _check_id_unique(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return unique(data)

    @pa.dataframe_check(name="completed_date_before_initiated_date")
    def _completed(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return rows(data, not_before("completed_date", "initiated_date"))

    @pa.dataframe_check(name="result_without_completed_date")
    def _result_early(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return rows(data, ~given_without("result", "completed_date"))

    @pa.dataframe_check(name="result_missing_for_completed_check")
    def _result_missing(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return rows(data, ~given_without("completed_date", "result"))


MODELS: dict[str, type[pa.DataFrameModel]] = {"tpt_requests": TptRequests, "eum_checks": EumChecks}
