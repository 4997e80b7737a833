"""Synthetic third-party transfer requests and end-use monitoring checks (EO section 4).

Two tables beside the six of docs/inputs.md: ``tpt_requests`` (FMS requests to State
PM/RSAT and DCS requests to DDTC to retransfer, reexport, change the end use of or
temporarily transfer US defense articles) and ``eum_checks`` (Blue Lantern, BIS end-use
checks and Golden Sentry). Each program or channel draws from its own seeded stream, so
these tables never shift the others. Every figure is in ``profiles.py``, with its source
or marked as an assumption.
"""

from __future__ import annotations

import csv
import datetime as dt

import numpy as np
import polars as pl

from arms_metrics.samples import profiles as sp
from arms_metrics.samples.licensing import _destinations

EXTRACT = sp.day(sp.EXTRACT)
TPT_COLUMNS = [
    "request_id",
    "channel",
    "original_recipient_code",
    "transferee_code",
    "transfer_type",
    "received_date",
    "final_action_date",
    "outcome",
    "congressional_notification",
]
EUM_COLUMNS = [
    "check_id",
    "program",
    "check_type",
    "country_code",
    "initiated_date",
    "completed_date",
    "result",
]
RESULTS = ("FAVORABLE", "UNFAVORABLE", "UNVERIFIED")
# stream keys: the existing tables use 1-9, 100-109 and 900
TPT_KEYS = {"FMS": 200, "DCS": 201}
EUM_KEYS = {"BLUE_LANTERN": 300, "BIS_END_USE": 301, "GOLDEN_SENTRY": 302}
PREFIX = {"FMS": "TF", "DCS": "TD", "BLUE_LANTERN": "BL", "BIS_END_USE": "BIS"}
PREFIX["GOLDEN_SENTRY"] = "GS"
STRINGS = {"schema_overrides": {"outcome": pl.String, "result": pl.String}}


def _regions() -> dict[str, tuple[str, str]]:
    """Code -> (region, kind) from the reference purchasers."""
    with sp.PURCHASERS_CSV.open(encoding="utf-8", newline="") as handle:
        return {r["code"]: (r["region"], r["kind"]) for r in csv.DictReader(handle)}


def _fiscal_years():
    """(fiscal year, first day, last day) of each year of the window."""
    for year in range(sp.YEARS):
        first = sp.day(dt.date(sp.START.year + year, 10, 1))
        last = sp.day(dt.date(sp.START.year + year + 1, 9, 30))
        yield sp.START.year + year + 1, first, last


def _ids(prefix: str, fiscal: int, n: int) -> list[str]:
    return [f"{prefix}{fiscal % 100:02d}-{i:05d}" for i in range(1, n + 1)]


def _ends(rng, starts: np.ndarray, median, shorter: np.ndarray, sigma: float) -> np.ndarray:
    """Start plus lognormal days (at least 1), halved where ``shorter``."""
    days = rng.lognormal(np.log(median), sigma, len(starts)) * np.where(shorter, 0.5, 1.0)
    return starts + np.maximum(1, np.rint(days)).astype(np.int64)


# --- Third-party transfer requests --------------------------------------------------
def _recipients(channel: str) -> tuple[np.ndarray, np.ndarray]:
    """FMS: the purchaser mix; DCS: State license destinations (no China, ITAR 126.1)."""
    if channel == "FMS":
        return sp.purchaser_weights()
    return _destinations(0.0)


def _transferees(rng, original: np.ndarray, types: np.ndarray) -> np.ndarray:
    """Another purchaser, but for most changes of end use (same country, new end user)."""
    codes, weights = sp.purchaser_weights()
    n, position = len(original), {c: i for i, c in enumerate(codes)}
    drawn = sp.choose(rng, codes, weights, n)
    # where the draw hit the original: any other purchaser, uniformly
    shift = 1 + rng.integers(0, len(codes) - 1, n)
    other = codes[(np.array([position[c] for c in original]) + shift) % len(codes)]
    drawn = np.where(drawn == original, other, drawn)
    same = (types == "CHANGE_OF_END_USE") & (rng.random(n) < sp.TPT_SAME_COUNTRY_SHARE)
    return np.where(same, original, drawn).astype(object)


def _tpt_year(rng, channel: str, n: int, first: int, last: int, fiscal: int) -> pl.DataFrame:
    codes, weights = _recipients(channel)
    received = sp.uniform_days(rng, first, last, n)
    original = sp.choose(rng, codes, weights, n)
    types = sp.choose(rng, sp.TPT_TYPES, sp.TPT_TYPE_WEIGHTS, n)
    outcome = sp.choose(rng, sp.TPT_OUTCOMES, sp.TPT_OUTCOME_WEIGHTS, n)
    short = np.isin(outcome.astype(str), ["RETURNED_WITHOUT_ACTION", "WITHDRAWN"])
    final = _ends(rng, received, sp.TPT_MEDIAN_DAYS[channel], short, 0.7)
    final += np.where(rng.random(n) < sp.TPT_HOLD_SHARE, rng.integers(90, 361, n), 0)
    decided = final <= EXTRACT
    return pl.DataFrame(
        {
            "request_id": _ids(PREFIX[channel], fiscal, n),
            "channel": [channel] * n,
            "original_recipient_code": original.astype(str),
            "transferee_code": _transferees(rng, original, types).astype(str),
            "transfer_type": types.astype(str),
            "received_date": sp.dates(received),
            "final_action_date": sp.dates(final, decided),
            "outcome": sp.text(outcome, decided),
            "congressional_notification": rng.random(n) < sp.TPT_NOTIFIED_SHARE[channel],
        },
        **STRINGS,
    )


def tpt_requests(seed: int, scale: float) -> pl.DataFrame:
    """Every request received in the window, both channels, sorted by id."""
    frames = []
    for channel, per_year in sp.TPT_PER_YEAR.items():
        rng, n = sp.stream(seed, TPT_KEYS[channel]), int(round(per_year * scale))
        frames += [_tpt_year(rng, channel, n, *year[1:], year[0]) for year in _fiscal_years()]
    return pl.concat(frames).select(TPT_COLUMNS).sort("request_id")


# --- End-use monitoring checks ------------------------------------------------------
def _zipf(codes: list[str], weights: dict[str, float]) -> np.ndarray:
    """Weights 1/rank^s over ``codes`` ranked by ``weights``; tied codes share their ranks'
    mean weight (the destinations no license weight tells apart are all alike)."""
    key = np.array([-weights.get(c, 0.0) for c in codes])
    order = np.argsort(key, kind="stable")
    by_rank = np.arange(1, len(codes) + 1, dtype=float) ** -sp.BL_ZIPF
    out = np.empty(len(codes))
    out[order] = by_rank
    for value in np.unique(key):
        tied = key == value
        out[tied] = out[tied].mean()
    return out


def _blue_lantern_pool() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Countries (not organizations, not ITAR 126.1), weights by region share, regions."""
    regions = _regions()
    dest, dest_weights = _destinations(0.0)
    known = {str(c): float(w) for c, w in zip(dest, dest_weights, strict=True)}
    codes, weights, where = [], [], []
    for region, share in sp.BL_REGION_SHARES.items():
        members = sorted(
            c
            for c, (r, kind) in regions.items()
            if r == region and kind == "country" and c not in sp.PROSCRIBED
        )
        w = _zipf(members, known)
        codes += members
        weights += list(share * w / w.sum())
        where += [region] * len(members)
    return np.array(codes, dtype=object), np.array(weights), np.array(where, dtype=object)


def _bis_pool() -> tuple[np.ndarray, np.ndarray]:
    """The largest Commerce destinations (China among them), weighted as licenses are."""
    codes, weights = _destinations(sp.COMMERCE_CHINA_SHARE)
    top = np.argsort(-weights, kind="stable")[: sp.BIS_COUNTRIES]
    return codes[top], weights[top]


def _gs_pool() -> tuple[np.ndarray, np.ndarray]:
    """FMS purchasers that are countries (an inventory is taken in a country)."""
    codes, weights = sp.purchaser_weights()
    regions = _regions()
    keep = np.array([regions[c][1] == "country" for c in codes])
    return codes[keep], weights[keep]


def _blue_lantern(rng, u: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Blue Lantern: countries by region, the unfavorable share by the region's."""
    codes, weights, where = _blue_lantern_pool()
    pick = rng.choice(len(codes), size=n, p=weights / weights.sum())
    kinds = np.where(rng.random(n) < sp.BL_PRE_LICENSE_SHARE, "PRE_LICENSE", "POST_SHIPMENT")
    bad = np.array([sp.BL_UNFAVORABLE[r] for r in where[pick]])
    unverified = u < bad + sp.BL_UNVERIFIED
    result = np.where(u < bad, "UNFAVORABLE", np.where(unverified, "UNVERIFIED", "FAVORABLE"))
    return kinds, codes[pick], result


# program -> (check type drawn with the share, the other type, share, result mix)
_KINDS = {
    "BIS_END_USE": ("PRE_LICENSE", "POST_SHIPMENT", sp.BIS_PRE_LICENSE_SHARE, sp.BIS_RESULTS),
    "GOLDEN_SENTRY": ("ENHANCED", "ROUTINE", sp.GS_ENHANCED_SHARE, sp.GS_RESULTS),
}


def _draws(rng, program: str, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(check type, country, result if closed) of ``n`` checks of ``program``."""
    u = rng.random(n)
    if program == "BLUE_LANTERN":
        return _blue_lantern(rng, u, n)
    codes, weights = _bis_pool() if program == "BIS_END_USE" else _gs_pool()
    first, other, share, mix = _KINDS[program]
    country = sp.choose(rng, codes, weights, n)
    kinds = np.where(rng.random(n) < share, first, other)
    index = np.searchsorted(np.cumsum(mix), u * sum(mix), side="right")
    result = np.asarray(RESULTS)[np.minimum(index, len(RESULTS) - 1)]
    return kinds, country, result


def _eum_year(rng, program: str, n: int, first: int, last: int, fiscal: int) -> pl.DataFrame:
    initiated = sp.uniform_days(rng, first, last, n)
    kinds, country, result = _draws(rng, program, n)
    completed = _ends(rng, initiated, sp.EUM_MEDIAN_DAYS[program], np.zeros(n, bool), sp.EUM_SIGMA)
    closed = completed <= EXTRACT
    return pl.DataFrame(
        {
            "check_id": _ids(PREFIX[program], fiscal, n),
            "program": [program] * n,
            "check_type": kinds.astype(str),
            "country_code": country.astype(str),
            "initiated_date": sp.dates(initiated),
            "completed_date": sp.dates(completed, closed),
            "result": sp.text(result, closed),
        },
        **STRINGS,
    )


def eum_checks(seed: int, scale: float) -> pl.DataFrame:
    """Every check initiated in the window, the three programs, sorted by id."""
    per_year = {"BLUE_LANTERN": sp.BL_PER_YEAR, "BIS_END_USE": sp.BIS_PER_YEAR}
    per_year["GOLDEN_SENTRY"] = sp.GS_PER_YEAR
    frames = []
    for program, count in per_year.items():
        rng, n = sp.stream(seed, EUM_KEYS[program]), int(round(count * scale))
        frames += [_eum_year(rng, program, n, *year[1:], year[0]) for year in _fiscal_years()]
    return pl.concat(frames).select(EUM_COLUMNS).sort("check_id")


def transfer_tables(seed: int, scale: float) -> dict[str, pl.DataFrame]:
    """The two tables by name, in the order they are written."""
    return {"tpt_requests": tpt_requests(seed, scale), "eum_checks": eum_checks(seed, scale)}
