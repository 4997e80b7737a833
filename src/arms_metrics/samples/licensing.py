"""Synthetic export license applications (State and Commerce) and congressional notifications.

Licenses are the bulk of the data (about 80,000 a year at scale 1), so they are drawn one
fiscal year at a time: ``samples.py`` appends each year's chunk to the CSV, which keeps
memory bounded at scale 10. Notifications carry purchaser names as agencies publish them.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

from arms_metrics.samples import profiles as sp

EXTRACT = sp.day(sp.EXTRACT)
SNAP_SHARE = 0.005
LICENSE_COLUMNS = [
    "application_id",
    "agency",
    "application_type",
    "destination_code",
    "control_category",
    "received_date",
    "final_action_date",
    "outcome",
    "requested_value_usd",
    "approved_value_usd",
    "referred",
]


def _destinations(china_share: float) -> tuple[np.ndarray, np.ndarray]:
    """FMS mix (75 %) plus industrial allies (25 %), and China for Commerce."""
    codes, weights = sp.purchaser_weights()
    extra = np.array(list(sp.LICENSE_EXTRA.values()), dtype=float)
    all_codes = np.concatenate([codes, np.array(list(sp.LICENSE_EXTRA), dtype=object)])
    all_weights = np.concatenate([0.75 * weights, 0.25 * extra / extra.sum()])
    if china_share:
        all_codes = np.append(all_codes, "CN")
        all_weights = np.append((1 - china_share) * all_weights, china_share)
    return all_codes, all_weights


def _processing_days(rng, agency: str, types, dest, received, outcome) -> np.ndarray:
    n = len(received)
    if agency == "STATE":
        median = np.where(types == "AGREEMENT", sp.AGREEMENT_MEDIAN_DAYS, sp.STATE_MEDIAN_DAYS)
        days = rng.lognormal(np.log(median), 0.6)
    else:
        days = sp.lognormal(rng, sp.COMMERCE_MEDIAN_DAYS, 0.7, n)
        days *= np.where(dest == "CN", sp.CHINA_FACTOR, 1.0)
        hold = (received >= sp.day(sp.BIS_HOLD_FROM)) & (rng.random(n) < sp.BIS_HOLD_SHARE)
        days += np.where(hold, rng.integers(120, 181, n), 0)
    days *= np.where(outcome == "RETURNED_WITHOUT_ACTION", 0.5, 1.0)
    return np.rint(days).astype(np.int64)


def _outcomes(rng, agency: str, dest: np.ndarray) -> np.ndarray:
    weights = sp.STATE_OUTCOME_WEIGHTS if agency == "STATE" else sp.COMMERCE_OUTCOME_WEIGHTS
    drawn = sp.choose(rng, sp.OUTCOMES, weights, len(dest))
    china = sp.choose(rng, sp.OUTCOMES, sp.CHINA_OUTCOME_WEIGHTS, len(dest))
    return np.where(dest == "CN", china, drawn).astype(object)


def license_chunk(rng, agency: str, n: int, first: int, last: int, fiscal: int) -> pl.DataFrame:
    """``n`` applications to ``agency`` received in days ``first..last`` of FY ``fiscal``.

    Ids are ``<yy>-<S|C><seq>``, so the chunks of successive years concatenate in id order.
    """
    state = agency == "STATE"
    codes, weights = _destinations(0.0 if state else sp.COMMERCE_CHINA_SHARE)
    received = sp.pin_special(sp.uniform_days(rng, first, last, n), first, last)
    dest = sp.choose(rng, codes, weights, n)
    if state:
        types = sp.choose(rng, sp.STATE_TYPES, sp.STATE_TYPE_WEIGHTS, n)
        category = sp.choose(rng, sp.USML, sp.USML_WEIGHTS, n)
    else:
        types = np.full(n, "BIS-748P", dtype=object)
        category = sp.choose(rng, sp.CCL, sp.CCL_WEIGHTS, n)
    outcome = _outcomes(rng, agency, dest)
    final = sp.snap(rng, received + _processing_days(rng, agency, types, dest, received, outcome),
                    SNAP_SHARE)  # fmt: skip
    decided = final <= EXTRACT
    requested = sp.cents(sp.lognormal(rng, sp.LICENSE_VALUE_MEDIAN, sp.LICENSE_VALUE_SIGMA, n))
    has_request = rng.random(n) < sp.REQUESTED_VALUE_SHARE
    approved_share = np.where(outcome == "APPROVED", 1.0, rng.uniform(0.5, 1.0, n))
    approved_ok = decided & has_request & np.isin(outcome.astype(str), sp.OUTCOMES[:2])
    referred = sp.STATE_REFERRED_SHARE if state else sp.COMMERCE_REFERRED_SHARE
    prefix = f"{fiscal % 100:02d}-{'S' if state else 'C'}"
    return pl.DataFrame(
        {
            "application_id": [f"{prefix}{i:07d}" for i in range(1, n + 1)],
            "agency": np.full(n, agency, dtype=object),
            "application_type": types,
            "destination_code": dest,
            "control_category": category,
            "received_date": sp.dates(received),
            "final_action_date": sp.dates(final, decided),
            "outcome": sp.text(outcome, decided),
            "requested_value_usd": sp.nullable(requested, has_request),
            "approved_value_usd": sp.nullable(
                np.rint(requested * approved_share).astype(np.int64), approved_ok
            ),
            "referred": rng.random(n) < referred,
        },
        schema_overrides={
            "application_id": pl.String,
            "agency": pl.String,
            "application_type": pl.String,
            "destination_code": pl.String,
            "control_category": pl.String,
            "outcome": pl.String,
        },
    )


def licenses_for_year(rng, scale: float, year_index: int) -> pl.DataFrame:
    """One fiscal year of applications, both agencies, sorted by id."""
    first = sp.day(dt.date(sp.START.year + year_index, 10, 1))
    last = sp.day(dt.date(sp.START.year + year_index + 1, 9, 30))
    frames = []
    for agency, per_year in (
        ("STATE", sp.STATE_LICENSES_PER_YEAR),
        ("COMMERCE", sp.COMMERCE_LICENSES_PER_YEAR),
    ):
        n = int(round(per_year * scale))
        fiscal = sp.START.year + year_index + 1
        frames.append(license_chunk(rng, agency, n, first, last, fiscal))
    return pl.concat(frames).select(LICENSE_COLUMNS).sort("application_id")


def _published_name(rng, purchaser: sp.Purchaser, when: int) -> str:
    """The name a notification is published under: usual name, sometimes a long alias."""
    if purchaser.code == "TR":
        return "Türkiye" if when >= sp.day(sp.TURKIYE_FROM) else "Turkey"
    if purchaser.code in sp.PUBLISHED_NAME:
        return sp.PUBLISHED_NAME[purchaser.code]
    spelled = [a for a in purchaser.aliases if not a.isupper()]
    if spelled and rng.random() < 0.2:
        return spelled[int(rng.integers(len(spelled)))]
    return purchaser.name


def _weekdays(days: np.ndarray) -> np.ndarray:
    """Move Saturdays and Sundays to Monday (1970-01-01 was a Thursday)."""
    weekday = (days + 3) % 7  # 0 = Monday
    return days + np.where(weekday == 5, 2, np.where(weekday == 6, 1, 0))


def _money_text(rng, n: int) -> list[str]:
    """Values rounded as published (3 significant figures), a few with float artefacts."""
    raw = sp.lognormal(rng, sp.NOTIFICATION_MEDIAN, sp.NOTIFICATION_SIGMA, n)
    raw = np.clip(raw, sp.NOTIFICATION_MIN, sp.NOTIFICATION_MAX)
    digits = np.floor(np.log10(raw)).astype(int) - 2
    dollars = (np.rint(raw / 10.0**digits) * 10.0**digits).astype(np.int64)
    artefact = rng.random(n) < sp.FLOAT_ARTEFACT_SHARE
    low = rng.random(n) < 0.5
    return [
        (f"{d - 1}.9999999995" if lo else f"{d}.0000005") if a else str(d)
        for d, a, lo in zip(dollars, artefact, low, strict=True)
    ]


def notifications(rng, scale: float) -> pl.DataFrame:
    """AECA 36(b)/(c) notifications, as published (names, gaps, float artefacts)."""
    n = int(round(sp.NOTIFICATIONS_PER_YEAR * sp.YEARS * scale))
    purchasers = sp.load_purchasers()
    codes, weights = sp.purchaser_weights()
    days = sp.snap(rng, sp.uniform_days(rng, sp.day(sp.START), sp.day(sp.END) - 2, n), 0.03)
    days = np.sort(_weekdays(days))
    code = sp.choose(rng, codes, weights, n)
    names = [_published_name(rng, purchasers[c], int(d)) for c, d in zip(code, days, strict=True)]
    is_36c = rng.random(n) < sp.AUTHORITY_36C_SHARE
    authority = np.where(is_36c, "AECA_36C", "AECA_36B")
    has_authority = rng.random(n) >= sp.AUTHORITY_EMPTY_SHARE
    as_dates = sp.dates(days)
    month = as_dates.astype("datetime64[M]").astype(np.int64) % 12 + 1
    fiscal = as_dates.astype("datetime64[Y]").astype(np.int64) + 1970 + (month >= 10)
    frame = pl.DataFrame(
        {
            "notification_date": as_dates,
            "purchaser": names,
            "purchaser_code": sp.text(code, rng.random(n) >= sp.NO_CODE_SHARE),
            "authority": sp.text(authority, has_authority),
            "description": sp.choose(rng, sp.DESCRIPTIONS, [1] * len(sp.DESCRIPTIONS), n),
            "estimated_value_usd": _money_text(rng, n),
            "_fy": fiscal,
            "_36c": is_36c,
            "_blank": rng.random(n) < sp.NO_TRANSMITTAL_SHARE,
        },
        schema_overrides={c: pl.String for c in ("purchaser_code", "authority", "description")},
    )
    seq = (pl.int_range(pl.len()).over("_fy", "_36c") + 1).cast(pl.String).str.zfill(2)
    number = (pl.col("_fy") % 100).cast(pl.String).str.zfill(2) + "-" + seq
    transmittal = pl.when(pl.col("_36c")).then("DDTC " + number).otherwise(number)
    frame = frame.with_columns(
        transmittal_no=pl.when(pl.col("_blank")).then(None).otherwise(transmittal)
    )
    columns = ["transmittal_no", "notification_date", "purchaser", "purchaser_code"]
    columns += ["authority", "description", "estimated_value_usd"]
    return frame.sort("notification_date", "_36c", "_fy", maintain_order=True).select(columns)
