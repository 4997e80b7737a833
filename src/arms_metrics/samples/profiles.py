"""The realism profile of the synthetic generator: volumes, mixes and delays, with sources.

Every number here is a modelling choice taken from a public figure in ``samples/data/``
(copied there with its source URL and terms; the file is cited beside each number) so the
sample data behaves like the real thing without containing any real record. ``generate.py``
and ``fms.py`` only draw from these tables; change realism here, not there.
"""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl

from arms_metrics.config import PACKAGE_ROOT

PURCHASERS_CSV = PACKAGE_ROOT / "pipelines" / "quarterly" / "reference" / "purchasers.csv"

EPOCH = dt.date(1970, 1, 1)
START = dt.date(2016, 10, 1)  # FY2017 Q1
END = dt.date(2026, 9, 30)  # FY2026 Q4
EXTRACT = dt.date(2026, 10, 15)  # data as extracted: nothing is dated after this
LEGACY_START = dt.date(1995, 10, 1)  # oldest open FMS case in the extract
YEARS = 10


def day(value: dt.date) -> int:
    """Days since 1970-01-01: the integer every date is drawn in."""
    return (value - EPOCH).days


# --- Volumes per year at scale 1 ----------------------------------------------------
# us_licensing_processing_benchmarks.csv: DDTC 55,000 cases (FY2003), 65,000 (FY2006),
# 3,600 received in 2015-08; BIS 21,293 processed (FY2008), ~39,000 implied (CY2022).
STATE_LICENSES_PER_YEAR = 50_000
COMMERCE_LICENSES_PER_YEAR = 30_000
# DSCA policy memo 06-16 (same file): ~4,500 LOAs + amendments + modifications a year.
BASIC_LOAS_PER_YEAR = 1_300
AMENDMENTS_PER_YEAR = 1_100
MODIFICATIONS_PER_YEAR = 2_100
# ASSUMPTIONS (no public figure): one LOR behind each basic LOA or amendment, received a
# median 12 days before it is complete; price and availability requests, 17 % of about
# 2,900 LORs a year (as in 0.1); LOA requests that never became a document, 150 a year.
PRICE_AND_AVAILABILITY_PER_YEAR = 490
UNDEVELOPED_LOA_REQUESTS_PER_YEAR = 150
LOR_REVIEW_MEDIAN_DAYS = 12.0
# samples/data/README.md: 16,000+ open cases worth ~$900B; cases last 5-15 years, so the
# extract holds cases implemented before FY2017 that are still open or closed in the window.
LEGACY_CASES = 21_000
# samples/data/README.md: ~120-160 congressional notifications a year.
NOTIFICATIONS_PER_YEAR = 140
DELIVERIES_PER_CASE_YEAR = 2.0  # billing/delivery transactions per open case-year

# --- FMS ---------------------------------------------------------------------------
AGENCIES = ("ARMY", "NAVY", "AIR_FORCE", "DSCA", "DLA", "OTHER")
AGENCY_WEIGHTS = (0.40, 0.25, 0.28, 0.03, 0.02, 0.02)
AGENCY_LETTERS = ("B", "P", "D", "Q", "R", "Z")  # implementing-agency letter of a case id
GROUPS = ("A", "B", "C")
GROUP_WEIGHTS = (0.35, 0.45, 0.20)
# Development days LOR complete -> offer: lognormal around the SAMM group targets
# (A 45, B 100, C 150 in pipeline.toml); DSCA 11-46 asks 85 % on or before the AOD.
GROUP_MEDIAN_DAYS = (33.0, 82.0, 125.0)
DEVELOPMENT_SIGMA = 0.45
LONG_TAIL_SHARE = 0.08  # documents stuck in review: 1.5-4x the drawn time
ANTICIPATED_SHARE = 0.9
# ASSUMPTIONS (no public figure): a modification's anticipated date is its LOR complete
# date plus about 45 days (its implementation takes a median 30); a fifth of the documents
# with an anticipated date had it reset later, 10-90 days after the first one; 95 % of the
# LOAs and amendments whose LOR is in the extract name it (some records are not linked).
MODIFICATION_ANTICIPATED_DAYS = 45.0
AOD_RESET_SHARE = 0.2
LOR_LINK_SHARE = 0.95
OFFER_EXPIRATION_DAYS = 85  # DSCA foreign customer guide: 25 admin + 60 purchaser review
ACCEPT_SHARE = 0.88
ACCEPT_MEDIAN_DAYS = 40.0
CANCEL_BEFORE_OFFER_SHARE = 0.04
PRIORITY_SHARE = 0.25
# published_us_arms_sales_annual_totals.csv, FY2016-FY2018: partner-funded 76-86 %,
# FMF-funded 6-14 %, BPC/DoD-authority funded 8-15 %.
FUNDING = ("NATIONAL", "FMF", "BPC")
FUNDING_WEIGHTS = (0.80, 0.10, 0.10)
FMF_PURCHASERS = ("IL", "EG", "JO", "UA", "PK", "TN", "LB", "CO")
# Case value: lognormal, median $5.5M, mean ~$60M, so 16,000 open cases ~ $900B
# (samples/data/README.md).
CASE_VALUE_MEDIAN = 5_500_000.0
CASE_VALUE_SIGMA = 2.2
CASE_VALUE_CAP = 30_000_000_000.0
SUPPLY_YEARS_MEDIAN = 9.0  # implemented -> supply complete
CLOSE_YEARS_MEDIAN = 4.0  # supply complete -> closed

# --- Licensing ---------------------------------------------------------------------
STATE_TYPES = ("DSP-5", "DSP-61", "DSP-73", "DSP-85", "AGREEMENT")
STATE_TYPE_WEIGHTS = (0.65, 0.07, 0.08, 0.02, 0.18)
# GAO-08-89: State median 14 (FY2003) to 26 days (FY2006); agreements 94 days.
STATE_MEDIAN_DAYS = 20.0
AGREEMENT_MEDIAN_DAYS = 94.0
# BIS average 27 (FY2008) to 43 days (CY2022); China-related ~90 days.
COMMERCE_MEDIAN_DAYS = 25.0
CHINA_FACTOR = 3.0
# lenzo.ai (2025): 'hold without action' on applications filed after 2025-02-05, 120-180+ days.
BIS_HOLD_FROM = dt.date(2025, 2, 5)
BIS_HOLD_SHARE = 0.15
OUTCOMES = (
    "APPROVED",
    "APPROVED_WITH_CONDITIONS",
    "DENIED",
    "RETURNED_WITHOUT_ACTION",
    "WITHDRAWN",
)
# UK SIELs 1.5-2 % refused (uk_siel_published_quarterly_stats.csv); BIS FY2008: 84 %
# approved, 15 % returned without action, <1 % denied.
STATE_OUTCOME_WEIGHTS = (0.77, 0.13, 0.015, 0.075, 0.01)
COMMERCE_OUTCOME_WEIGHTS = (0.70, 0.14, 0.01, 0.14, 0.01)
# BIS CY2022: ~26 % of China-related applications denied or returned.
CHINA_OUTCOME_WEIGHTS = (0.50, 0.23, 0.12, 0.14, 0.01)
USML = (
    "I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII", "XIII", "XIV",
    "XV", "XVI", "XVII", "XVIII", "XIX", "XX", "XXI",
)  # fmt: skip
USML_WEIGHTS = (8, 3, 5, 9, 3, 4, 4, 18, 4, 2, 14, 9, 5, 2, 4, 1, 1, 1, 3, 1, 1)
CCL = tuple("0123456789")
CCL_WEIGHTS = (10, 12, 10, 20, 8, 22, 10, 8, 2, 8)
STATE_REFERRED_SHARE = 0.35
COMMERCE_REFERRED_SHARE = 0.80
LICENSE_VALUE_MEDIAN = 250_000.0
LICENSE_VALUE_SIGMA = 1.8
REQUESTED_VALUE_SHARE = 0.95

# --- Notifications -----------------------------------------------------------------
NOTIFICATION_MEDIAN = 300_000_000.0  # tens of millions to tens of billions
NOTIFICATION_SIGMA = 1.3
NOTIFICATION_MIN, NOTIFICATION_MAX = 10_000_000.0, 40_000_000_000.0
AUTHORITY_36C_SHARE = 0.2
AUTHORITY_EMPTY_SHARE = 0.02
NO_TRANSMITTAL_SHARE = 0.1
NO_CODE_SHARE = 0.15
FLOAT_ARTEFACT_SHARE = 0.05
TURKIYE_FROM = dt.date(2022, 6, 1)  # the UN registered the name Türkiye in June 2022
PUBLISHED_NAME = {
    "KR": "Republic of Korea",
    "TW": "Taipei Economic and Cultural Representative Office in the United States",
}
# SIPRI trade register, US supplier, orders 2015-2023: the largest items by TIV.
DESCRIPTIONS = (
    "F-35A Lightning-2 FGA aircraft",
    "MIM-104 PAC-3 MSE ABM missiles",
    "P-8A Poseidon ASW aircraft",
    "F-15 Advanced Eagle FGA aircraft",
    "AH-64E Apache combat helicopters",
    "CH-47F Chinook transport helicopters",
    "M-1A2 Abrams tanks",
    "S-70 Black Hawk transport helicopters",
    "F/A-18E Super Hornet FGA aircraft",
    "GMLRS guided rockets",
    "E-2D Hawkeye AEW&C aircraft",
    "AIM-120C AMRAAM, BVRAAM",
    "C-17A Globemaster-3 heavy transport aircraft",
    "F-16V Viper FGA aircraft",
    "RIM-161D SM-3 Block-2 SAM/ABM",
    "Paveway guided bombs",
    "AGM-84H SLAM-ER, ASM",
    "MH-60R Seahawk ASW helicopters",
    "Harpoon Block-2 anti-ship missiles",
    "C-130J Hercules transport aircraft",
    "KC-46A Pegasus tanker/transport aircraft",
    "AGM-114 Hellfire-2 anti-tank missiles",
    "JDAM guided bombs",
    "M-982 Excalibur guided shells",
)

# --- Third-party transfer requests (tpt_requests) ----------------------------------
# ASSUMPTIONS (no public count of third-party transfer requests exists; samples/data/
# README.md): 500 FMS requests a year to State PM/RSAT and 800 DCS requests a year to DDTC;
# the type mix, the outcome mix, the processing times and the notification shares below.
TPT_PER_YEAR = {"FMS": 500, "DCS": 800}
TPT_TYPES = ("RETRANSFER", "REEXPORT", "CHANGE_OF_END_USE", "TEMPORARY")
TPT_TYPE_WEIGHTS = (0.40, 0.30, 0.15, 0.15)
TPT_OUTCOMES = ("APPROVED", "DENIED", "RETURNED_WITHOUT_ACTION", "WITHDRAWN")
TPT_OUTCOME_WEIGHTS = (0.85, 0.03, 0.08, 0.04)
TPT_MEDIAN_DAYS = {"FMS": 60.0, "DCS": 40.0}  # lognormal, sigma 0.7; RWA/withdrawn half
TPT_NOTIFIED_SHARE = {"FMS": 0.05, "DCS": 0.02}  # AECA 3(d) notification needed
TPT_SAME_COUNTRY_SHARE = 0.9  # a change of end use mostly stays in the same country
TPT_HOLD_SHARE = 0.05  # held for policy review: 90-360 days more (some pending for long)

# --- End-use monitoring checks (eum_checks) -----------------------------------------
# us_end_use_monitoring_published_figures.csv, Blue Lantern (State DDTC): 570-1,046 checks
# initiated a year and 83-111 countries (FY2009-FY2016), initiations by region in FY2016:
# East Asia 27 %, Americas 23 %, Africa 20 %, Europe 14 %, Near East 10 %, South and
# Central Asia 6 %. Sources (one a line):
# http://www.strtrade.com/news-publications-7318.html
# https://braumillerlaw.com/blue-lantern-highlights-the-need-for-a-strong-compliance-program
# https://www.strtrade.com/trade-news-resources/str-trade-report/trade-report/willful-diversion-of-defense-exports-evident-in-only-small-percentage-of-cases-report-finds
BL_PER_YEAR = 700
BL_REGION_SHARES = {"EAP": 27, "WHA": 23, "AF": 20, "EUR": 14, "NEA": 10, "SCA": 6}
BL_ZIPF = 2.0  # few destinations take most of a region's checks: 85-100 countries a year
# Unfavorable share of closed checks 15-27 % (FY2009-FY2016, the sources above and
# http://stage.tradelawdaily.com/article/2012/05/25/states-blue-lantern-program-checks-heavy-on-americas-nonnato-countries-12052509
# ), Near East 39 % (FY2016). ASSUMPTIONS: the other regions' shares (together ~23.5 %),
# 3 % of the closed checks unverified, 60 % pre-license checks, completion a median 60 days.
BL_UNFAVORABLE = {"EAP": 0.22, "WHA": 0.25, "AF": 0.25, "EUR": 0.12, "NEA": 0.39, "SCA": 0.22}
BL_UNVERIFIED = 0.03
BL_PRE_LICENSE_SHARE = 0.6
# ITAR 126.1: no licensed defense export goes to these, so no Blue Lantern check:
# https://www.ecfr.gov/current/title-22/chapter-I/subchapter-M/part-126/section-126.1
PROSCRIBED = ("BY", "CN", "CU", "IR", "KP", "MM", "RU", "SY", "VE", "US")
# BIS end-use checks (same file): 737 completed (FY2009, 14 % pre-license, 31+ countries),
# 15 % pre-license (FY2010), 1,590 (FY2023, 62 countries); unfavorable 20-27 %, and 24 %
# "less than favorable" in FY2023. Sources (one a line):
# http://stage.internationaltradetoday.com/article/2010/10/05/bis-and-state-department-officials-discuss-enduse-checks-for-exports-10100523
# https://tradelawdaily.com/article/2024/04/02/almost-25-of-parties-couldnt-pass-enduse-checks-in-fy23-bis-says-2404010050
# https://internationaltradetoday.com/article/2012/09/12/bis-finds-new-patterns-of-export-control-evasion-through-improved-targeting-12091203
# ASSUMPTIONS: the 18 % / 5 % split of the 23 % between unfavorable and unverified;
# completion a median 45 days.
BIS_PER_YEAR = 1_200
BIS_PRE_LICENSE_SHARE = 0.15
BIS_COUNTRIES = 60  # the largest Commerce destinations (31+ in FY2009, 62 in FY2023)
BIS_RESULTS = (0.77, 0.18, 0.05)  # FAVORABLE, UNFAVORABLE, UNVERIFIED
# ASSUMPTIONS (the file has no Golden Sentry figure): DoD's FMS end-use monitoring, 600
# checks a year over FMS purchasers, 60 % enhanced (serial-number inventories of sensitive
# articles), 2 % unfavorable and 2 % unverified, completion a median 30 days.
GS_PER_YEAR = 600
GS_ENHANCED_SHARE = 0.6
GS_RESULTS = (0.96, 0.02, 0.02)
EUM_MEDIAN_DAYS = {"BLUE_LANTERN": 60.0, "BIS_END_USE": 45.0, "GOLDEN_SENTRY": 30.0}
EUM_SIGMA = 0.6

# --- Purchaser mix ------------------------------------------------------------------
# SIPRI trade register (sipri_trade_register_US_supplier_1950_2023.csv): TIV (millions)
# of US orders 2004-2023 by recipient, every recipient with >= 0.1 % of the total.
TIV_2004_2023 = {
    "SA": 24779, "GB": 13509, "JP": 12614, "AU": 12226, "AE": 9555, "KR": 9452,
    "QA": 6862, "IT": 5895, "IL": 5403, "IN": 5178, "TW": 4933, "IQ": 4797,
    "SG": 4242, "KW": 3973, "NO": 3820, "NL": 3551, "TR": 3513, "EG": 3132,
    "AF": 3129, "PK": 3051, "CA": 2989, "UA": 2926, "MA": 2814, "GR": 2018,
    "BE": 1994, "PL": 1975, "DK": 1892, "BH": 1623, "ID": 1245, "RO": 1205,
    "SE": 1162, "CO": 882, "JO": 854, "MX": 843, "DE": 829, "OM": 807,
    "ES": 705, "NZ": 676, "BR": 662, "SK": 631, "NATO": 603, "CL": 520,
    "FR": 505, "PH": 485, "TH": 428, "FI": 382, "LB": 377, "TN": 288,
    "AR": 218, "HU": 194,
}  # fmt: skip
# The other mapped recipients together held 1.46 % (2,610 TIV): spread evenly, plus
# NSPA, which buys for NATO members like NATO itself.
TIV_OTHER_TOTAL = 2610
TIV_OTHER = (
    "AFU", "AL", "AO", "AZ", "BA", "BD", "BF", "BG", "BI", "BN", "BO", "BS", "BT", "BW", "BZ",
    "CD", "CF", "CG", "CH", "CI", "CM", "CR", "CZ", "DJ", "DO", "DZ", "EC", "EE", "ET", "GA",
    "GE", "GH", "GQ", "GT", "GY", "HN", "HR", "IE", "JM", "KE", "KZ", "LK", "LT", "LU", "LV",
    "LY", "ME", "MK", "ML", "MR", "MT", "MY", "NA", "NE", "NG", "NP", "PE", "PT", "PY", "RS",
    "RW", "SI", "SN", "SO", "SS", "SV", "TD", "TG", "TM", "TT", "UG", "UY", "UZ", "VN", "XK",
    "YE", "ZA", "ZM", "NSPA",
)  # fmt: skip
# License destinations beyond FMS buyers: allies with large defense industries, and
# China for Commerce (BIS CY2022: ~13 % of applications China-related).
LICENSE_EXTRA = {"GB": 6, "DE": 5, "FR": 4, "CA": 6, "JP": 4, "IL": 3, "MX": 2, "IT": 2}
COMMERCE_CHINA_SHARE = 0.10


def purchaser_weights() -> tuple[np.ndarray, np.ndarray]:
    """Codes and normalised weights of the FMS purchaser mix (SIPRI TIV, see above)."""
    each = TIV_OTHER_TOTAL / len(TIV_OTHER)
    codes = [*TIV_2004_2023, *TIV_OTHER]
    weights = np.array([*TIV_2004_2023.values(), *([each] * len(TIV_OTHER))], dtype=float)
    return np.array(codes, dtype=object), weights / weights.sum()


@dataclass(frozen=True)
class Purchaser:
    code: str
    name: str
    aliases: tuple[str, ...]


def load_purchasers(path: Path = PURCHASERS_CSV) -> dict[str, Purchaser]:
    """The reference purchasers by code: the names notifications are published under."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    return {
        row["code"]: Purchaser(
            row["code"], row["name"], tuple(a for a in row["aliases"].split("|") if a)
        )
        for row in rows
    }


def special_days() -> np.ndarray:
    """Quarter boundaries and leap days in the window, sorted: dates hit on purpose."""
    days = [day(dt.date(2020, 2, 29)), day(dt.date(2024, 2, 29))]
    for year in range(START.year, END.year + 1):
        for month, first in ((1, 1), (4, 1), (7, 1), (10, 1)):
            boundary = dt.date(year, month, first)
            if START < boundary <= END:
                days += [day(boundary) - 1, day(boundary)]
    return np.array(sorted(days), dtype=np.int64)


# --- Drawing helpers (shared by the table builders) ---------------------------------
def stream(seed: int, key: int) -> np.random.Generator:
    """An independent PCG64 stream per table or chunk, so tables don't shift each other."""
    return np.random.Generator(np.random.PCG64(seed).jumped(key))


def lognormal(rng: np.random.Generator, median: float, sigma: float, n: int) -> np.ndarray:
    return rng.lognormal(np.log(median), sigma, n)


def choose(rng: np.random.Generator, values, weights, n: int) -> np.ndarray:
    """Draw ``n`` of ``values`` with ``weights`` (normalised here)."""
    p = np.asarray(weights, dtype=float)
    return np.asarray(values, dtype=object)[rng.choice(len(p), size=n, p=p / p.sum())]


def uniform_days(rng: np.random.Generator, first: int, last: int, n: int) -> np.ndarray:
    """``n`` sorted days in ``first..last`` inclusive (sorted: ids follow the calendar)."""
    return np.sort(rng.integers(first, last + 1, n))


def snap(rng: np.random.Generator, days: np.ndarray, share: float) -> np.ndarray:
    """Move a share of dates forward to the next quarter boundary or leap day within 40 days.

    Moving forward only keeps every ``later >= earlier`` rule that held before, and every
    special day is before the extract date, so no rule can break.
    """
    special = special_days()
    idx = np.searchsorted(special, days, side="left")
    nxt = special[np.minimum(idx, len(special) - 1)]
    move = (rng.random(len(days)) < share) & (idx < len(special)) & (nxt - days <= 40)
    return np.where(move, nxt, days)


def cents(amounts: np.ndarray) -> np.ndarray:
    """Whole cents (int64) from float dollars: money never stays float past this point."""
    return np.rint(np.asarray(amounts, dtype=float) * 100).astype(np.int64)


def dates(days: np.ndarray, valid: np.ndarray | None = None) -> np.ndarray:
    """Day numbers as ``datetime64[D]``, NaT (an empty cell) where not ``valid``."""
    out = np.asarray(days, dtype=np.int64).astype("datetime64[D]")
    if valid is not None:
        out = np.where(valid, out, np.datetime64("NaT"))
    return out


def nullable(values: np.ndarray, valid: np.ndarray) -> pl.Series:
    """A typed series with nulls where not ``valid`` (numpy has no null for integers)."""
    return pl.select(pl.when(pl.Series(valid)).then(pl.Series(values))).to_series()


def pin_special(days: np.ndarray, first: int, last: int) -> np.ndarray:
    """Put every quarter boundary and leap day of ``first..last`` into ``days`` (sorted).

    Guarantees that even a small sample exercises Sep 30/Oct 1, Dec 31/Jan 1 and Feb 29.
    """
    special = special_days()
    special = special[(special >= first) & (special <= last)][: len(days)]
    out = np.array(days, dtype=np.int64)
    out[: len(special)] = special
    return np.sort(out)


def text(values: np.ndarray, valid: np.ndarray) -> pl.Series:
    """A string series with nulls where not ``valid`` (object arrays with None mis-infer)."""
    return nullable(np.asarray(values).astype(str), valid)
