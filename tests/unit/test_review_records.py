"""The review pack's record lists and comparisons on hand-made tables: backlog ordering and
ages, the expiring-offer buckets at their boundaries, the optional tables, the change
since the last pack, and where the pack may be written."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from arms_metrics.compute import indicators
from arms_metrics.errors import Refused, UsageError
from arms_metrics.quarters import Quarter
from arms_metrics.review import pack, records, where
from tests.sql.helpers import config_with_reference, frame, populations

Q = "FY2026-Q3"
END = dt.date(2026, 6, 30)  # FY2026-Q3 ends on June 30, 2026


def _day(offset: int) -> str:
    return (END + dt.timedelta(days=offset)).isoformat()


@pytest.fixture
def ref_config(config, tmp_path):
    return config_with_reference(config, tmp_path)


def test_development_backlog_oldest_first_ties_by_id(ref_config) -> None:
    documents = frame(
        "fms_documents",
        [
            {"document_id": "D-B", "lor_complete_date": "2026-01-01"},  # 180 days
            {"document_id": "D-A", "lor_complete_date": "2026-01-01"},  # 180, tie: id first
            {"document_id": "D-C", "lor_complete_date": "2025-12-31"},  # 181
            {"document_id": "D-D", "lor_complete_date": "2026-06-30"},  # 0: complete at end
            {"document_id": "D-E", "lor_complete_date": "2026-03-01", "offered_date": "2026-07-02",
             "offer_expiration_date": "2026-10-01"},  # offered after the end: 121
            {"document_id": "D-F", "lor_complete_date": "2026-01-01",
             "offered_date": "2026-06-30", "offer_expiration_date": "2026-09-30"},  # offered
            {"document_id": "D-G", "lor_complete_date": "2026-01-01",
             "cancelled_date": "2026-05-01"},  # canceled before the end
            {"document_id": "D-H", "lor_complete_date": "2026-07-01"},  # complete after
            {"document_id": "D-I", "lor_complete_date": "2026-01-01",
             "document_type": "MODIFICATION"},  # never offered: not in the backlog
        ],
    )  # fmt: skip
    with populations({"fms_documents": documents}, ref_config, Q) as con:
        found = records.backlog(con, "loa_development", Quarter.parse(Q))
    assert found.total == 5
    assert [(r["document_id"], r["age_days"]) for r in found.rows] == [
        ("D-C", 181),
        ("D-A", 180),
        ("D-B", 180),
        ("D-E", 121),
        ("D-D", 0),
    ]
    assert found.rows[0]["since"] == dt.date(2025, 12, 31)
    assert found.rows[0]["target_days"] == 45  # group A, pipeline.toml


def test_backlog_lists_the_ten_oldest_of_more(ref_config) -> None:
    rows = [
        {"application_id": f"L{i:02d}", "received_date": _day(-100 - i)} for i in range(12)
    ] + [{"application_id": "L99", "received_date": _day(-400), "final_action_date": _day(0),
          "outcome": "APPROVED", "approved_value_usd": "1.00"}]  # fmt: skip
    tables = {"export_licenses": frame("export_licenses", rows)}
    with populations(tables, ref_config, Q) as con:
        found = records.backlog(con, "licenses_pending", Quarter.parse(Q))
    assert found.total == 12
    assert [r["application_id"] for r in found.rows] == [f"L{i:02d}" for i in range(11, 1, -1)]
    assert [r["age_days"] for r in found.rows] == list(range(111, 101, -1))
    assert found.rows[0]["target_days"] == 60  # STATE


def test_expiring_buckets_at_their_boundaries(ref_config) -> None:
    def offer(name: str, days: int, **more: str) -> dict:
        dates = {"offered_date": "2026-06-01", "offer_expiration_date": _day(days)}
        return {"document_id": name, "lor_complete_date": "2026-01-01", **dates, **more}

    documents = frame(
        "fms_documents",
        [
            offer("E01", 1), offer("E30", 30), offer("E31", 31), offer("E60", 60),
            offer("E61", 61), offer("E90", 90), offer("E91", 91), offer("E00", 0),
            offer("EACC", 10, accepted_date="2026-06-15"),  # accepted by the end
            offer("ECAN", 10, cancelled_date="2026-06-20"),  # canceled by the end
            offer("ELATE", 10, accepted_date="2026-07-01"),  # accepted after: still open
        ],
    )  # fmt: skip
    tables = {"fms_documents": documents}
    quarter = Quarter.parse(Q)
    with populations(tables, ref_config, Q) as con:
        found = records.expiring(con, quarter)
    got = [(r["document_id"], r["days_left"], r["bucket"], r["expiration_date"]) for r in found]
    assert got == [
        ("E01", 1, 30, dt.date(2026, 7, 1)),
        ("ELATE", 10, 30, dt.date(2026, 7, 10)),
        ("E30", 30, 30, dt.date(2026, 7, 30)),
        ("E31", 31, 60, dt.date(2026, 7, 31)),
        ("E60", 60, 60, dt.date(2026, 8, 29)),
        ("E61", 61, 90, dt.date(2026, 8, 30)),
        ("E90", 90, 90, dt.date(2026, 9, 28)),
    ]
    cells = indicators.compute(tables, ref_config, quarter).cells
    total = cells.filter(
        (pl.col("indicator_id") == "fms_offers_expiring_90_days")
        & (pl.col("period") == Q)
        & (pl.col("breakdown") == "total")
    )
    assert total["value"].to_list() == [7]  # the public indicator counts the same offers


def test_bucket_of() -> None:
    assert [records.bucket_of(d) for d in (1, 30, 31, 60, 61, 90)] == [30, 30, 60, 60, 90, 90]
    with pytest.raises(ValueError):
        records.bucket_of(91)


def test_optional_tables_not_supplied_or_listed() -> None:
    quarter = Quarter.parse(Q)
    absent = records.optional_backlogs({}, quarter)
    assert [(b.key, b.supplied, b.total, b.rows) for b in absent] == [
        ("tpt_pending", False, 0, ()),
        ("eum_open", False, 0, ()),
    ]
    date = pl.Date()
    tpt = pl.DataFrame(
        {
            "request_id": ["T2", "T1", "T3", "T4", "T5"],
            "channel": ["FMS"] * 5,
            "original_recipient_code": ["GB"] * 5,
            "transferee_code": ["FR"] * 5,
            "transfer_type": ["RETRANSFER"] * 5,
            "received_date": [END - dt.timedelta(days=d) for d in (50, 50, 10, 70, -3)],
            "final_action_date": [None, None, END + dt.timedelta(days=1), END, None],
            "outcome": [None] * 5,
            "congressional_notification": [False] * 5,
        },
        schema_overrides={"received_date": date, "final_action_date": date},
    )
    eum = pl.DataFrame(
        {
            "check_id": ["C1", "C2"],
            "program": ["GOLDEN_SENTRY", "BLUE_LANTERN"],
            "check_type": ["ROUTINE", "PRE_LICENSE"],
            "country_code": ["JP", "SA"],
            "initiated_date": [END - dt.timedelta(days=5), END - dt.timedelta(days=9)],
            "completed_date": [None, END - dt.timedelta(days=1)],
            "result": [None, "FAVORABLE"],
        },
        schema_overrides={"initiated_date": date, "completed_date": date},
    )
    tpt_backlog, eum_backlog = records.optional_backlogs(
        {"tpt_requests": tpt, "eum_checks": eum}, quarter
    )
    # T4 was decided on the last day, T5 received after it; T3 decided after the end
    assert tpt_backlog.total == 3
    assert [(r["request_id"], r["age_days"]) for r in tpt_backlog.rows] == [
        ("T1", 50),
        ("T2", 50),
        ("T3", 10),
    ]
    assert [(r["check_id"], r["age_days"]) for r in eum_backlog.rows] == [("C1", 5)]


def _json(figures: list[tuple[str, str, str, str, str | None]]) -> dict:
    keys = ("indicator_id", "breakdown", "breakdown_value", "unit", "value")
    return {"figures": [dict(zip(keys, f, strict=True)) for f in figures]}


def test_changes_since_the_last_pack() -> None:
    now = _json(
        [
            ("a", "total", "All", "count", "12"),
            ("b", "total", "All", "percent", "61.8"),
            ("c", "total", "All", "days", "40.0"),
            ("d", "total", "All", "count", "3"),
        ]
    )
    before = _json(
        [
            ("a", "total", "All", "count", "10"),
            ("b", "total", "All", "percent", "64.3"),
            ("c", "total", "All", "days", "40.0"),
        ]
    )
    assert pack.changes(now, None) is None
    assert pack.changes(now, before) == {
        ("a", "total", "All"): "up 2 from 10",
        ("b", "total", "All"): "down 2.5 points from 64.3%",
        ("c", "total", "All"): "unchanged (40.0 days)",
        ("d", "total", "All"): "no figure to compare",
    }


def test_out_in_a_site_is_refused(tmp_path) -> None:
    built = tmp_path / "built"
    (built / "releases" / Q / "data").mkdir(parents=True)  # a built release (release.py)
    (built / "releases" / Q / "data" / "indicators.csv").write_text("x\n", encoding="utf-8")
    data = tmp_path / "data"
    for out in (built, built / "internal", built / "releases" / Q):
        with pytest.raises(Refused):
            where.check_out(out, [tmp_path / "other"], data)
    for out in (tmp_path / "site", tmp_path / "site" / "pack"):  # named, not yet built
        with pytest.raises(Refused):
            where.check_out(out, [tmp_path / "site"], data)
    with pytest.raises(Refused):
        where.check_out(tmp_path / ".site.versions" / "3", [tmp_path / "site"], data)
    with pytest.raises(UsageError):
        where.check_out(data / "pack", [tmp_path / "site"], data)
    where.check_out(tmp_path / "pack", [tmp_path / "site"], data)  # apart: allowed
