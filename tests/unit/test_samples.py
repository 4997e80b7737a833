"""The synthetic generator: determinism, docs/inputs.md rules, volumes, special dates.

The rules are re-checked here with plain polars on the CSV text, not through the ingest
module, so a bug in one cannot hide a bug in the other.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
from pathlib import Path

import polars as pl
import pytest

from arms_metrics.extract import read_extract
from arms_metrics.quarters import Quarter
from arms_metrics.samples.generate import generate

ROOT = Path(__file__).resolve().parents[2]
SCALE, SEED = 0.02, 7
EXTRACT = dt.date(2026, 10, 15)
COLUMNS = {
    "fms_lors": "lor_id purchaser_code implementing_agency request_type received_date "
    "complete_date cancelled_date",
    "fms_documents": "document_id case_id lor_id document_type purchaser_code "
    "implementing_agency development_group priority_platform lor_complete_date "
    "anticipated_offer_date original_anticipated_offer_date offered_date offer_expiration_date "
    "accepted_date implemented_date cancelled_date value_usd",
    "fms_cases": "case_id purchaser_code implementing_agency funding_source priority_platform "
    "implemented_date supply_complete_date closed_date case_value_usd",
    "fms_deliveries": "delivery_id case_id delivery_date delivered_value_usd",
    "congressional_notifications": "transmittal_no notification_date purchaser purchaser_code "
    "authority description estimated_value_usd",
    "export_licenses": "application_id agency application_type destination_code "
    "control_category received_date final_action_date outcome requested_value_usd "
    "approved_value_usd referred",
    # the two tables of transfers.py (their rules: tests/unit/test_samples_transfers.py)
    "tpt_requests": "request_id channel original_recipient_code transferee_code transfer_type "
    "received_date final_action_date outcome congressional_notification",
    "eum_checks": "check_id program check_type country_code initiated_date completed_date result",
}
AGENCIES = ["ARMY", "NAVY", "AIR_FORCE", "DSCA", "DLA", "OTHER"]
USML = "I II III IV V VI VII VIII IX X XI XII XIII XIV XV XVI XVII XVIII XIX XX XXI".split()  # noqa: SIM905
MONEY = r"^\d+(\.\d{1,2})?$"
ISO_DATE = r"^\d{4}-\d{2}-\d{2}$"


@pytest.fixture(scope="module")
def out(tmp_path_factory) -> tuple[Path, dict[str, int]]:
    folder = tmp_path_factory.mktemp("sample")
    return folder, generate(folder, scale=SCALE, seed=SEED)


@pytest.fixture(scope="module")
def t(out) -> dict[str, pl.DataFrame]:
    """Every table as text, then dates parsed strictly (a bad date fails the parse)."""
    folder, _ = out
    tables = {}
    for name in COLUMNS:
        frame = pl.read_csv(folder / f"{name}.csv", infer_schema=False)
        dates = [c for c in frame.columns if c.endswith("_date")]
        for c in dates:
            assert frame[c].drop_nulls().str.contains(ISO_DATE).all(), (name, c)
        tables[name] = frame.with_columns(pl.col(dates).str.to_date("%Y-%m-%d", strict=True))
    return tables


@pytest.fixture(scope="module")
def codes() -> set[str]:
    path = ROOT / "pipelines" / "quarterly" / "reference" / "purchasers.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        return {row["code"] for row in csv.DictReader(handle)}


def _none(frame: pl.DataFrame, condition: pl.Expr) -> None:
    bad = frame.filter(condition)
    assert bad.height == 0, bad.head(5)


def _before(later: str, earlier: str) -> pl.Expr:
    return (
        pl.col(later).is_not_null()
        & pl.col(earlier).is_not_null()
        & (pl.col(later) < pl.col(earlier))
    )


def test_headers_encoding_and_line_ends(out) -> None:
    folder, _ = out
    for name, columns in COLUMNS.items():
        raw = (folder / f"{name}.csv").read_bytes()
        assert raw.split(b"\n", 1)[0].decode() == ",".join(columns.split())
        assert b"\r" not in raw and raw.endswith(b"\n")
        assert not {"e+", "E+", "nan", "NaN", "None", "null"} & set(raw.decode().split(","))


def test_counts_returned_match_files(out, t) -> None:
    _, counts = out
    assert list(counts) == list(COLUMNS)
    assert {name: frame.height for name, frame in t.items()} == counts


def test_ids_unique_required_and_sorted(t) -> None:
    for name, key in [
        ("fms_lors", "lor_id"),
        ("fms_documents", "document_id"),
        ("fms_cases", "case_id"),
        ("fms_deliveries", "delivery_id"),
        ("export_licenses", "application_id"),
        ("tpt_requests", "request_id"),
        ("eum_checks", "check_id"),
    ]:
        ids = t[name][key]
        assert ids.null_count() == 0 and ids.n_unique() == len(ids), name
        assert ids.to_list() == sorted(ids.to_list()), name


# docs/inputs.md, "extract.toml": plans, not events
SCHEDULED = ("anticipated_offer_date", "original_anticipated_offer_date", "offer_expiration_date")


def test_no_event_after_extract_date(t) -> None:
    for name, frame in t.items():
        for c in (c for c in frame.columns if c.endswith("_date") and c not in SCHEDULED):
            assert (frame[c].drop_nulls() <= EXTRACT).all(), (name, c)


def test_scheduled_dates_after_the_extract_date_are_kept(t) -> None:
    # A document offered shortly before the extract expires after it; one whose LOR became
    # complete shortly before has an anticipated offer date after it.
    documents = t["fms_documents"]
    for column in SCHEDULED:
        assert (documents[column].drop_nulls() > EXTRACT).any(), column


def test_the_extract_declares_itself(out) -> None:
    folder, _ = out
    extract = read_extract(folder, tuple(COLUMNS))
    assert extract.synthetic is True and extract.extract_date == EXTRACT
    assert set(extract.coverage) == set(COLUMNS)
    assert extract.coverage["fms_cases"] == Quarter.parse("FY2017-Q1")  # the window's start
    assert extract.coverage["export_licenses"] == Quarter.parse("FY2018-Q1")  # after warm-up
    assert (folder / "extract.toml").read_bytes() == (
        ROOT / "sample_data" / "extract.toml"
    ).read_bytes()


def test_lors_rules(t, codes) -> None:
    f = t["fms_lors"]
    assert set(f["purchaser_code"]) <= codes
    assert set(f["implementing_agency"]) <= set(AGENCIES)
    assert set(f["request_type"]) == {"LOA", "PRICE_AND_AVAILABILITY"}
    assert f["received_date"].null_count() == 0
    _none(f, _before("complete_date", "received_date") | _before("cancelled_date", "received_date"))


def test_documents_rules(t, codes) -> None:
    f = t["fms_documents"]
    assert set(f["document_type"]) == {"LOA", "AMENDMENT", "MODIFICATION"}
    assert set(f["purchaser_code"]) <= codes and set(f["implementing_agency"]) <= set(AGENCIES)
    assert set(f["priority_platform"]) == {"true", "false"}
    assert f["value_usd"].str.contains(MONEY).all() and f["lor_complete_date"].null_count() == 0
    mod = pl.col("document_type") == "MODIFICATION"
    _none(f, ~mod & ~pl.col("development_group").is_in(["A", "B", "C"]))
    _none(f, mod & pl.col("offered_date").is_not_null())
    _none(f, mod & pl.col("accepted_date").is_not_null())
    _none(f, _before("offered_date", "lor_complete_date"))
    _none(f, _before("offer_expiration_date", "offered_date"))
    _none(f, _before("accepted_date", "offered_date"))
    _none(f, pl.col("accepted_date").is_not_null() & pl.col("offered_date").is_null())
    _none(f, ~mod & _before("implemented_date", "accepted_date"))
    _none(f, ~mod & pl.col("implemented_date").is_not_null() & pl.col("accepted_date").is_null())
    _none(f, mod & _before("implemented_date", "lor_complete_date"))
    _none(f, _before("cancelled_date", "lor_complete_date"))


def test_cases_rules_and_link_to_documents(t, codes) -> None:
    f, docs = t["fms_cases"], t["fms_documents"]
    assert set(f["purchaser_code"]) <= codes
    assert set(f["funding_source"]) == {"NATIONAL", "FMF", "BPC"}
    assert f["implemented_date"].null_count() == 0 and f["case_value_usd"].str.contains(MONEY).all()
    _none(f, _before("supply_complete_date", "implemented_date"))
    _none(f, _before("closed_date", "supply_complete_date"))
    _none(f, pl.col("closed_date").is_not_null() & pl.col("supply_complete_date").is_null())
    # Every implemented basic LOA is a case with the same id, date and value.
    loas = docs.filter(pl.col("document_type") == "LOA", pl.col("implemented_date").is_not_null())
    joined = loas.join(f, on="case_id", how="left", suffix="_case")
    assert joined["implemented_date_case"].null_count() == 0
    assert (joined["implemented_date"] == joined["implemented_date_case"]).all()
    assert (joined["value_usd"] == joined["case_value_usd"]).all()
    # Amendments and modifications attach to cases implemented before their LOR completed.
    attached = docs.filter(pl.col("document_type") != "LOA").join(f, on="case_id", how="left")
    assert attached["implemented_date_right"].null_count() == 0
    _none(attached, pl.col("implemented_date_right") >= pl.col("lor_complete_date"))


def test_deliveries_reference_existing_cases(t) -> None:
    f = t["fms_deliveries"]
    assert set(f["case_id"]) <= set(t["fms_cases"]["case_id"])
    assert f["delivered_value_usd"].str.contains(MONEY).all()
    assert f["delivery_date"].null_count() == 0
    assert (f["delivery_date"] >= dt.date(2016, 10, 1)).all()


def test_notifications_rules(t, codes) -> None:
    f = t["congressional_notifications"]
    assert f["notification_date"].null_count() == 0
    assert set(f["authority"].drop_nulls()) == {"AECA_36B", "AECA_36C"}
    assert set(f["purchaser_code"].drop_nulls()) <= codes
    assert f["purchaser_code"].null_count() > 0 and f["transmittal_no"].null_count() > 0
    values = f["estimated_value_usd"]
    assert values.str.contains(r"^\d+(\.\d+)?$").all()
    cents = values.cast(pl.Decimal(38, 10)).round(2)
    assert (cents >= 10_000_000).all() and (cents <= 40_000_000_000).all()
    assert (f["notification_date"].dt.weekday() <= 5).all()  # Monday=1 .. Friday=5


def test_notification_names_map_to_codes(t) -> None:
    path = ROOT / "pipelines" / "quarterly" / "reference" / "purchasers.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        names = {
            " ".join(n.split()).casefold(): row["code"]
            for row in csv.DictReader(handle)
            for n in [row["name"], *row["aliases"].split("|")]
            if n
        }
    f = t["congressional_notifications"]
    for name, code in f.select("purchaser", "purchaser_code").iter_rows():
        assert " ".join(name.split()).casefold() in names, name
        assert code is None or names[" ".join(name.split()).casefold()] == code


def test_licenses_rules(t, codes) -> None:
    f = t["export_licenses"]
    state = pl.col("agency") == "STATE"
    assert set(f["agency"]) == {"STATE", "COMMERCE"}
    _none(f, state & ~pl.col("application_type").is_in(["DSP-5", "DSP-61", "DSP-73", "DSP-85",
                                                          "AGREEMENT"]))  # fmt: skip
    _none(f, ~state & (pl.col("application_type") != "BIS-748P"))
    _none(f, state & ~pl.col("control_category").is_in(USML))
    _none(f, ~state & ~pl.col("control_category").is_in(list("0123456789")))
    assert set(f["destination_code"]) <= codes and set(f["referred"]) == {"true", "false"}
    _none(f, _before("final_action_date", "received_date"))
    _none(f, pl.col("outcome").is_null() != pl.col("final_action_date").is_null())
    approved = pl.col("outcome").is_in(["APPROVED", "APPROVED_WITH_CONDITIONS"])
    _none(f, pl.col("approved_value_usd").is_not_null() & ~approved)
    for c in ("requested_value_usd", "approved_value_usd"):
        assert f[c].drop_nulls().str.contains(MONEY).all()


def test_volumes_at_scale(t) -> None:
    """Hand table at scale 0.02 (rates per year x 10 years x 0.02):
    price and availability requests 490 -> 98; LOA requests behind no document 150 -> 30,
    plus one behind each LOA or amendment received in the window (at most 260 + 220), of
    which 95 % are named by their document; basic LOAs 1,300 -> 260; amendments 1,100 ->
    <= 220; modifications 2,100 -> <= 420; notifications 140 -> 28;
    licenses State 50,000 -> 1,000 a year and Commerce 30,000 -> 600 a year, 16,000 in all.
    """
    lors = dict(t["fms_lors"]["request_type"].value_counts().rows())
    docs = t["fms_documents"]["document_type"].value_counts().sort("document_type").rows()
    by_type = dict(docs)
    assert lors["PRICE_AND_AVAILABILITY"] == 98
    behind = lors["LOA"] - 30
    named = t["fms_documents"]["lor_id"].drop_nulls()
    assert named.n_unique() == named.len()  # one document per request
    assert 0.9 * behind <= named.len() <= behind <= by_type["LOA"] + by_type["AMENDMENT"]
    assert by_type["LOA"] == 260
    assert 0.9 * 220 <= by_type["AMENDMENT"] <= 220
    assert 0.9 * 420 <= by_type["MODIFICATION"] <= 420
    assert t["congressional_notifications"].height == 28
    lic = dict(t["export_licenses"]["agency"].value_counts().rows())
    assert lic == {"STATE": 10_000, "COMMERCE": 6_000}
    # Cases: implemented LOAs (about 260 x 0.96 not cancelled x 0.88 accepted ~ 220) plus
    # survivors of 420 legacy cases drawn (those not closed before FY2017).
    implemented = t["fms_documents"].filter(
        pl.col("document_type") == "LOA", pl.col("implemented_date").is_not_null()
    )
    assert 150 <= implemented.height <= 240
    assert implemented.height < t["fms_cases"].height <= implemented.height + 420


def test_license_outcome_mix_and_processing_times(t) -> None:
    """Expected shares worked out from the profile weights (decided applications):
    denied: State 1.5 %, Commerce 0.9 x 1 % + 0.1 x 12 % (China) = 2.1 %; all ~1.7 %.
    returned without action: State 7.5 %, Commerce 14 %; all ~10 %.
    DSP-5 median ~20 days (GAO: 14-26); agreements ~94 days; BIS mean ~32-40 days (27-43).
    """
    f = t["export_licenses"].filter(pl.col("outcome").is_not_null())
    share = f["outcome"].value_counts(normalize=True)
    shares = dict(share.rows())
    assert 0.008 <= shares["DENIED"] <= 0.03
    assert 0.07 <= shares["RETURNED_WITHOUT_ACTION"] <= 0.13
    assert shares["APPROVED"] + shares["APPROVED_WITH_CONDITIONS"] > 0.8
    days = f.with_columns(d=(pl.col("final_action_date") - pl.col("received_date")).dt.total_days())
    median = dict(days.group_by("application_type").agg(pl.col("d").median()).rows())
    assert 15 <= median["DSP-5"] <= 26 and 75 <= median["AGREEMENT"] <= 115
    assert 27 <= days.filter(pl.col("agency") == "COMMERCE")["d"].mean() <= 50


def _special_days() -> set[dt.date]:
    days = {dt.date(2020, 2, 29), dt.date(2024, 2, 29)}
    for year in range(2017, 2027):
        days |= {dt.date(year, 1, 1), dt.date(year - 1, 12, 31), dt.date(year, 3, 31)}
        days |= {dt.date(year, 4, 1), dt.date(year, 6, 30), dt.date(year, 7, 1)}
        if year < 2026:
            days |= {dt.date(year, 9, 30), dt.date(year, 10, 1)}
    return days


def test_quarter_boundaries_and_leap_days_present(t) -> None:
    special = _special_days()
    assert len(special) == 2 + 10 * 6 + 9 * 2
    received = set(t["export_licenses"]["received_date"].to_list())
    assert special <= received
    fms = set()
    for name in ("fms_lors", "fms_documents", "fms_cases", "fms_deliveries"):
        frame = t[name]
        for c in (c for c in frame.columns if c.endswith("_date")):
            fms |= set(frame[c].drop_nulls().to_list())
    assert len(special & fms) >= 10


def test_pending_items_exist_at_extract(t) -> None:
    lic = t["export_licenses"]
    assert lic["final_action_date"].null_count() > 0
    docs = t["fms_documents"].filter(pl.col("document_type") != "MODIFICATION")
    pending = docs.filter(pl.col("offered_date").is_null(), pl.col("cancelled_date").is_null())
    assert pending.height > 0
    never = docs.filter(pl.col("offered_date").is_not_null(), pl.col("accepted_date").is_null())
    assert never.height > 0
    assert t["fms_cases"]["closed_date"].null_count() > 0


def _digest(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.glob("*.csv")}


def test_same_seed_same_bytes_different_seed_different(tmp_path) -> None:
    first = generate(tmp_path / "a", scale=0.01, seed=11)
    second = generate(tmp_path / "b", scale=0.01, seed=11)
    other = generate(tmp_path / "c", scale=0.01, seed=12)
    assert first == second and len(_digest(tmp_path / "a")) == 8
    assert _digest(tmp_path / "a") == _digest(tmp_path / "b")
    a, c = _digest(tmp_path / "a"), _digest(tmp_path / "c")
    assert all(a[name] != c[name] for name in a)
    assert other["export_licenses"] == first["export_licenses"]  # volumes depend on scale only


def test_dirty_rows_break_exactly_the_requested_share(tmp_path) -> None:
    clean = generate(tmp_path / "clean", scale=0.01, seed=3)
    dirty = generate(tmp_path / "dirty", scale=0.01, seed=3, dirty=0.05)
    assert clean == dirty
    lors = pl.read_csv(tmp_path / "dirty" / "fms_lors.csv", infer_schema=False)
    lors = lors.with_columns(pl.col("received_date", "complete_date").str.to_date())
    unknown = (lors["purchaser_code"] == "ZZ").sum()
    backwards = lors.filter(pl.col("complete_date") < pl.col("received_date")).height
    duplicates = lors.height - lors["lor_id"].n_unique()
    assert unknown > 0 and backwards > 0 and duplicates > 0
    assert unknown + backwards + duplicates == round(0.05 * clean["fms_lors"])  # of its rows
    docs = pl.read_csv(tmp_path / "dirty" / "fms_documents.csv", infer_schema=False)
    assert (docs["offered_date"] < docs["lor_complete_date"]).sum() > 0


@pytest.mark.parametrize(("scale", "dirty"), [(0, 0.0), (-1, 0.0), (0.01, 0.6), (0.01, -0.1)])
def test_bad_arguments_rejected(tmp_path, scale: float, dirty: float) -> None:
    with pytest.raises(ValueError):
        generate(tmp_path, scale=scale, seed=0, dirty=dirty)
