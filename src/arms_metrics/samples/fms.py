"""Synthetic FMS tables: Letters of Request, LOA documents, implemented cases, deliveries.

The tables are drawn together because they must agree: a basic LOA that is accepted and
implemented becomes the case with the same ``case_id``; amendments and modifications
attach to cases implemented before their LOR was complete; deliveries reference cases.
Dates are integer day numbers until the frame is built; anything that would fall after
the extract date is left empty (the item is still pending on the extract).
"""

from __future__ import annotations

import numpy as np
import polars as pl

from arms_metrics.samples import profiles as sp

EXTRACT = sp.day(sp.EXTRACT)
SNAP_SHARE = 0.01


def _count(per_year: float, scale: float) -> int:
    return int(round(per_year * sp.YEARS * scale))


def _case_letters(numbers: np.ndarray) -> np.ndarray:
    """Four-letter case designators (AAAA, AAAB, ...) from distinct case numbers."""
    out = np.full(len(numbers), "", dtype=object)
    rest = numbers.astype(np.int64)
    for _ in range(4):
        out = np.char.add(np.array([chr(65 + d) for d in range(26)])[rest % 26], out.astype(str))
        rest //= 26
    return out.astype(object)


def _case_ids(codes: np.ndarray, agencies: np.ndarray, numbers: np.ndarray) -> np.ndarray:
    letters = np.array(sp.AGENCY_LETTERS, dtype=object)[
        np.searchsorted(np.array(sp.AGENCIES), agencies.astype(str))
    ]
    return codes + "-" + letters + "-" + _case_letters(numbers)


def _other_requests(rng: np.random.Generator, scale: float) -> pl.DataFrame:
    """LORs behind no document: price and availability requests, and LOA requests that
    never became one (most complete after a short check, some cancelled)."""
    n_pa = _count(sp.PRICE_AND_AVAILABILITY_PER_YEAR, scale)
    n = n_pa + _count(sp.UNDEVELOPED_LOA_REQUESTS_PER_YEAR, scale)
    codes, weights = sp.purchaser_weights()
    received = sp.snap(rng, sp.uniform_days(rng, sp.day(sp.START), sp.day(sp.END), n), SNAP_SHARE)
    complete = received + np.rint(sp.lognormal(rng, sp.LOR_REVIEW_MEDIAN_DAYS, 0.8, n))
    has_complete = (rng.random(n) < 0.92) & (complete <= EXTRACT)
    cancelled = received + rng.integers(5, 400, n)
    has_cancel = (rng.random(n) < 0.05) & (cancelled <= EXTRACT)
    return pl.DataFrame(
        {
            "key": [f"R{i:07d}" for i in range(n)],
            "purchaser_code": sp.choose(rng, codes, weights, n),
            "implementing_agency": sp.choose(rng, sp.AGENCIES, sp.AGENCY_WEIGHTS, n),
            "request_type": np.where(np.arange(n) < n_pa, "PRICE_AND_AVAILABILITY", "LOA"),
            "received_date": sp.dates(received),
            "complete_date": sp.dates(complete.astype(np.int64), has_complete),
            "cancelled_date": sp.dates(cancelled, has_cancel),
        },
        schema_overrides={"purchaser_code": pl.String, "implementing_agency": pl.String},
    )


def _requests_behind(rng: np.random.Generator, documents: pl.DataFrame) -> pl.DataFrame:
    """The LOA request behind each basic LOA or amendment, complete on the document's LOR
    complete date; only those received in the window (older ones are not in the extract)."""
    offers = documents.filter(pl.col("document_type") != "MODIFICATION")
    complete = offers["lor_complete_date"].to_numpy().astype("datetime64[D]").astype(np.int64)
    review = np.rint(sp.lognormal(rng, sp.LOR_REVIEW_MEDIAN_DAYS, 0.8, offers.height))
    received = complete - review.astype(np.int64)
    return offers.select(
        pl.col("document_id").alias("key"),
        "purchaser_code",
        "implementing_agency",
        request_type=pl.lit("LOA"),
        received_date=pl.Series(sp.dates(received)),
        complete_date=pl.col("lor_complete_date"),
        cancelled_date=pl.lit(None, dtype=pl.Date),
    ).filter(pl.col("received_date") >= sp.START)


def lors(rng: np.random.Generator, scale: float, documents: pl.DataFrame):
    """Letters of Request, numbered in the order received, and each document's ``lor_id``
    (``LOR_LINK_SHARE`` of the LOAs and amendments whose request is in the extract name it)."""
    behind = _requests_behind(rng, documents)
    requests = pl.concat([_other_requests(rng, scale), behind], how="vertical_relaxed")
    requests = requests.sort("received_date", "key").with_columns(
        lor_id=pl.format("LOR-{}", (pl.int_range(1, pl.len() + 1)).cast(pl.String).str.zfill(7))
    )
    named = requests.filter(pl.col("key").is_in(behind["key"].implode())).sort("key")
    named = named.filter(pl.Series(rng.random(named.height) < sp.LOR_LINK_SHARE))
    documents = documents.join(
        named.select(pl.col("key").alias("document_id"), "lor_id"), on="document_id", how="left"
    )
    return requests.select(LOR_COLUMNS), documents


def _development(rng: np.random.Generator, lor_complete: np.ndarray, groups: np.ndarray) -> dict:
    """Offer, expiry, acceptance, implementation and cancellation of LOAs and amendments."""
    n = len(lor_complete)
    g = np.searchsorted(np.array(sp.GROUPS), groups.astype(str))
    median = np.array(sp.GROUP_MEDIAN_DAYS)[g]
    dev = rng.lognormal(np.log(median), sp.DEVELOPMENT_SIGMA)
    dev *= np.where(rng.random(n) < sp.LONG_TAIL_SHARE, rng.uniform(1.5, 4.0, n), 1.0)
    offered = sp.snap(rng, lor_complete + np.rint(dev).astype(np.int64), SNAP_SHARE)
    target = np.array([45, 100, 150])[g]
    anticipated = lor_complete + np.rint(target * rng.uniform(0.8, 1.3, n)).astype(np.int64)
    early_cancel = rng.random(n) < sp.CANCEL_BEFORE_OFFER_SHARE
    is_offered = (offered <= EXTRACT) & ~early_cancel
    expiry = offered + sp.OFFER_EXPIRATION_DAYS
    accept_days = np.minimum(np.rint(sp.lognormal(rng, sp.ACCEPT_MEDIAN_DAYS, 0.7, n)), 115)
    accepted = sp.snap(rng, offered + accept_days.astype(np.int64), SNAP_SHARE)
    is_accepted = is_offered & (rng.random(n) < sp.ACCEPT_SHARE) & (accepted <= EXTRACT)
    implemented = accepted + rng.integers(3, 31, n)
    is_implemented = is_accepted & (implemented <= EXTRACT)
    lapsed = expiry + rng.integers(1, 61, n)
    late_cancel = is_offered & ~is_accepted & (rng.random(n) < 0.3) & (lapsed <= EXTRACT)
    cancelled = np.where(early_cancel, lor_complete + np.rint(dev * rng.random(n)), lapsed)
    is_cancelled = (early_cancel & (cancelled <= EXTRACT)) | late_cancel
    return {
        "anticipated_offer_date": sp.dates(anticipated, rng.random(n) < sp.ANTICIPATED_SHARE),
        "offered_date": sp.dates(offered, is_offered),
        "offer_expiration_date": sp.dates(expiry, is_offered),
        "accepted_date": sp.dates(accepted, is_accepted),
        "implemented_date": sp.dates(implemented, is_implemented),
        "cancelled_date": sp.dates(cancelled.astype(np.int64), is_cancelled),
        "_implemented": np.where(is_implemented, implemented, -1),
    }


def _case_values(rng: np.random.Generator, n: int) -> np.ndarray:
    values = sp.lognormal(rng, sp.CASE_VALUE_MEDIAN, sp.CASE_VALUE_SIGMA, n)
    return sp.cents(np.minimum(values, sp.CASE_VALUE_CAP))


def _basic_loas(rng: np.random.Generator, scale: float, first_number: int) -> pl.DataFrame:
    n = _count(sp.BASIC_LOAS_PER_YEAR, scale)
    codes, weights = sp.purchaser_weights()
    complete = sp.uniform_days(rng, sp.day(sp.START) - 365, sp.day(sp.END), n)
    purchaser = sp.choose(rng, codes, weights, n)
    agency = sp.choose(rng, sp.AGENCIES, sp.AGENCY_WEIGHTS, n)
    groups = sp.choose(rng, sp.GROUPS, sp.GROUP_WEIGHTS, n)
    case_id = _case_ids(purchaser, agency, np.arange(first_number, first_number + n))
    return pl.DataFrame(
        {
            "document_id": case_id + "-LOA",
            "case_id": case_id,
            "document_type": np.full(n, "LOA", dtype=object),
            "purchaser_code": purchaser,
            "implementing_agency": agency,
            "development_group": groups,
            "priority_platform": rng.random(n) < sp.PRIORITY_SHARE,
            "lor_complete_date": sp.dates(complete),
            **_development(rng, complete, groups),
            "value_usd": _case_values(rng, n),
        },
        schema_overrides={"case_id": pl.String, "document_id": pl.String},
    )


def _case_lifecycle(rng: np.random.Generator, implemented: np.ndarray) -> dict:
    n = len(implemented)
    supply = implemented + np.rint(365 * sp.lognormal(rng, sp.SUPPLY_YEARS_MEDIAN, 0.5, n))
    closed = supply + np.rint(365 * sp.lognormal(rng, sp.CLOSE_YEARS_MEDIAN, 0.5, n))
    supply = sp.snap(rng, supply.astype(np.int64), SNAP_SHARE)
    closed = sp.snap(rng, closed.astype(np.int64), SNAP_SHARE)
    has_supply = supply <= EXTRACT
    return {
        "supply": supply,
        "has_supply": has_supply,
        "closed": closed,
        "has_closed": has_supply & (closed <= EXTRACT),
    }


def _funding(rng: np.random.Generator, purchaser: np.ndarray) -> np.ndarray:
    """FMF mostly for the traditional FMF recipients, BPC and national funds otherwise."""
    drawn = sp.choose(rng, sp.FUNDING, sp.FUNDING_WEIGHTS, len(purchaser))
    fmf = np.isin(purchaser.astype(str), sp.FMF_PURCHASERS) & (rng.random(len(purchaser)) < 0.6)
    return np.where(fmf, "FMF", drawn).astype(object)


def _cases(rng: np.random.Generator, scale: float, loas: pl.DataFrame) -> pl.DataFrame:
    """Legacy cases still open at FY2017 plus every implemented basic LOA."""
    n = int(round(sp.LEGACY_CASES * scale))
    codes, weights = sp.purchaser_weights()
    purchaser = sp.choose(rng, codes, weights, n)
    agency = sp.choose(rng, sp.AGENCIES, sp.AGENCY_WEIGHTS, n)
    legacy_impl = sp.uniform_days(rng, sp.day(sp.LEGACY_START), sp.day(sp.START) - 366, n)
    new = loas.filter(pl.col("_implemented") >= 0)
    implemented = np.concatenate([legacy_impl, new["_implemented"].to_numpy()])
    life = _case_lifecycle(rng, implemented)
    frame = pl.DataFrame(
        {
            "case_id": np.concatenate([_case_ids(purchaser, agency, np.arange(n)), new["case_id"]]),
            "purchaser_code": np.concatenate([purchaser, new["purchaser_code"]]),
            "implementing_agency": np.concatenate([agency, new["implementing_agency"]]),
            "funding_source": np.full(n + new.height, "NATIONAL", dtype=object),
            "priority_platform": np.concatenate(
                [rng.random(n) < sp.PRIORITY_SHARE, new["priority_platform"]]
            ),
            "implemented_date": sp.dates(implemented),
            "supply_complete_date": sp.dates(life["supply"], life["has_supply"]),
            "closed_date": sp.dates(life["closed"], life["has_closed"]),
            "case_value_usd": np.concatenate([_case_values(rng, n), new["value_usd"]]),
            "_implemented": implemented,
            "_end": np.where(life["has_supply"], life["supply"], EXTRACT),
        },
        schema_overrides={c: pl.String for c in ("case_id", "purchaser_code", "funding_source")},
    )
    frame = frame.with_columns(funding_source=_funding(rng, frame["purchaser_code"].to_numpy()))
    closed_before = pl.col("closed_date") < pl.lit(sp.START)
    return frame.filter(closed_before.is_null() | ~closed_before)


def _attach(rng: np.random.Generator, cases: pl.DataFrame, n: int) -> pl.DataFrame:
    """``n`` documents on cases implemented before their LOR was complete."""
    ordered = cases.sort("_implemented", "case_id")
    impl = ordered["_implemented"].to_numpy()
    complete = sp.uniform_days(rng, sp.day(sp.START) - 365, sp.day(sp.END), n)
    available = np.searchsorted(impl, complete, side="left")
    pick = np.floor(rng.random(n) * available).astype(np.int64)
    keep = available > 0
    chosen = ordered[pick[keep]].select(
        "case_id", "purchaser_code", "implementing_agency", "priority_platform"
    )
    return chosen.with_columns(lor_complete_date=pl.Series(sp.dates(complete[keep])))


def _numbered(frame: pl.DataFrame, prefix: str) -> pl.DataFrame:
    seq = (pl.int_range(pl.len()).over("case_id") + 1).cast(pl.String).str.zfill(2)
    return frame.with_columns(document_id=pl.col("case_id") + f"-{prefix}" + seq)


def _amendments(rng: np.random.Generator, cases: pl.DataFrame, scale: float) -> pl.DataFrame:
    docs = _attach(rng, cases, _count(sp.AMENDMENTS_PER_YEAR, scale))
    n = docs.height
    groups = sp.choose(rng, sp.GROUPS, sp.GROUP_WEIGHTS, n)
    complete = docs["lor_complete_date"].to_numpy().astype(np.int64)
    flow = _development(rng, complete, groups)
    flow.pop("_implemented")
    values = sp.cents(sp.lognormal(rng, 1_000_000.0, 1.8, n))
    docs = docs.with_columns(
        document_type=pl.lit("AMENDMENT"),
        development_group=pl.Series(groups, dtype=pl.String),
        value_usd=pl.Series(values),
        **{k: pl.Series(v) for k, v in flow.items()},
    )
    return _numbered(docs, "A")


def _modifications(rng: np.random.Generator, cases: pl.DataFrame, scale: float) -> pl.DataFrame:
    docs = _attach(rng, cases, _count(sp.MODIFICATIONS_PER_YEAR, scale))
    n = docs.height
    complete = docs["lor_complete_date"].to_numpy().astype(np.int64)
    implemented = sp.snap(rng, complete + np.rint(sp.lognormal(rng, 30.0, 0.7, n)), SNAP_SHARE)
    cancelled = complete + rng.integers(1, 61, n)
    is_cancelled = (rng.random(n) < 0.02) & (cancelled <= EXTRACT)
    values = np.where(rng.random(n) < 0.4, 0, sp.cents(sp.lognormal(rng, 200_000.0, 1.5, n)))
    none = np.zeros(n, dtype=bool)
    docs = docs.with_columns(
        document_type=pl.lit("MODIFICATION"),
        development_group=pl.lit(None, dtype=pl.String),
        anticipated_offer_date=pl.Series(sp.dates(complete, none)),
        offered_date=pl.Series(sp.dates(complete, none)),
        offer_expiration_date=pl.Series(sp.dates(complete, none)),
        accepted_date=pl.Series(sp.dates(complete, none)),
        implemented_date=pl.Series(sp.dates(implemented, ~is_cancelled & (implemented <= EXTRACT))),
        cancelled_date=pl.Series(sp.dates(cancelled, is_cancelled)),
        value_usd=pl.Series(values.astype(np.int64)),
    )
    return _numbered(docs, "M")


def _deliveries(rng: np.random.Generator, cases: pl.DataFrame) -> pl.DataFrame:
    """Delivery transactions in the window, from 60 days after implementation to supply end."""
    impl = cases["_implemented"].to_numpy()
    end = np.minimum(cases["_end"].to_numpy(), EXTRACT)
    start = np.maximum(impl + 60, sp.day(sp.START))
    span = np.maximum(end - start, 0)
    per_case = rng.poisson(sp.DELIVERIES_PER_CASE_YEAR * span / 365.0)
    owner = np.repeat(np.arange(cases.height), per_case)
    when = start[owner] + np.floor(rng.random(len(owner)) * (span[owner] + 1)).astype(np.int64)
    when = np.minimum(sp.snap(rng, when, SNAP_SHARE), end[owner])
    life = np.maximum(end - impl, 1)
    share = rng.gamma(1.0, 1.0, len(owner))
    total = np.bincount(owner, weights=share, minlength=cases.height)
    value = cases["case_value_usd"].to_numpy()[owner] * 0.9 * (span / life)[owner]
    value = np.rint(value * share / np.maximum(total[owner], 1e-9)).astype(np.int64)
    frame = pl.DataFrame(
        {
            "case_id": cases["case_id"].to_numpy()[owner],
            "delivery_date": sp.dates(when),
            "delivered_value_usd": value,
        },
        schema_overrides={"case_id": pl.String},
    ).sort("case_id", "delivery_date", "delivered_value_usd", maintain_order=True)
    ids = pl.int_range(1, pl.len() + 1).cast(pl.String).str.zfill(8)
    return frame.select((pl.lit("DL-") + ids).alias("delivery_id"), pl.all())


LOR_COLUMNS = [
    "lor_id",
    "purchaser_code",
    "implementing_agency",
    "request_type",
    "received_date",
    "complete_date",
    "cancelled_date",
]
DOCUMENT_COLUMNS = [
    "document_id",
    "case_id",
    "lor_id",
    "document_type",
    "purchaser_code",
    "implementing_agency",
    "development_group",
    "priority_platform",
    "lor_complete_date",
    "anticipated_offer_date",
    "original_anticipated_offer_date",
    "offered_date",
    "offer_expiration_date",
    "accepted_date",
    "implemented_date",
    "cancelled_date",
    "value_usd",
]
CASE_COLUMNS = [
    "case_id",
    "purchaser_code",
    "implementing_agency",
    "funding_source",
    "priority_platform",
    "implemented_date",
    "supply_complete_date",
    "closed_date",
    "case_value_usd",
]


def _anticipated(rng: np.random.Generator, documents: pl.DataFrame) -> pl.DataFrame:
    """A modification's anticipated date; the first anticipated date of the documents whose
    date was reset (``AOD_RESET_SHARE``: 10 to 90 days before the current one)."""
    n = documents.height
    mod = (documents["document_type"] == "MODIFICATION").to_numpy()
    complete = documents["lor_complete_date"].to_numpy().astype("datetime64[D]").astype(np.int64)
    planned = complete + np.rint(sp.MODIFICATION_ANTICIPATED_DAYS * rng.uniform(0.8, 1.3, n))
    has_plan = mod & (rng.random(n) < sp.ANTICIPATED_SHARE)
    current = documents["anticipated_offer_date"].to_numpy().astype("datetime64[D]")
    current = np.where(has_plan, sp.dates(planned.astype(np.int64)), current)
    reset = ~np.isnat(current) & (rng.random(n) < sp.AOD_RESET_SHARE)
    first = current.astype(np.int64) - rng.integers(10, 91, n)
    return documents.with_columns(
        anticipated_offer_date=pl.Series(current),
        original_anticipated_offer_date=pl.Series(sp.dates(first, reset)),
    )


def fms_tables(seed: int, scale: float) -> dict[str, pl.DataFrame]:
    """The four FMS tables, money as integer cents, each sorted by its id. The LOR links and
    the anticipated dates of 0.2 are drawn from streams of their own, so every other column
    is as it was before them (the LORs are drawn behind the documents: their stream 1 is new)."""
    loas = _basic_loas(sp.stream(seed, 2), scale, int(round(sp.LEGACY_CASES * scale)))
    cases = _cases(sp.stream(seed, 3), scale, loas)
    amendments = _amendments(sp.stream(seed, 4), cases, scale)
    modifications = _modifications(sp.stream(seed, 5), cases, scale)
    documents = pl.concat(
        [frame.select(c for c in DOCUMENT_COLUMNS if c in frame.columns)
         for frame in (loas, amendments, modifications)],
        how="vertical_relaxed",
    ).sort("document_id")  # fmt: skip
    requests, documents = lors(sp.stream(seed, 1), scale, documents)
    documents = _anticipated(sp.stream(seed, 9), documents).select(DOCUMENT_COLUMNS)
    return {
        "fms_lors": requests.sort("lor_id"),
        "fms_documents": documents.sort("document_id"),
        "fms_cases": cases.select(CASE_COLUMNS).sort("case_id"),
        "fms_deliveries": _deliveries(sp.stream(seed, 6), cases).sort("delivery_id"),
    }
