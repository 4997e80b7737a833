"""The deterministic synthetic data generator behind ``arms-metrics sample``.

Writes the six input tables of docs/inputs.md, and third-party transfer requests and
end-use monitoring checks (``transfers.py``), with realistic volumes, mixes and delays
(see ``profiles.py`` for every figure and its source). Same (scale, seed,
dirty) gives byte-identical files: every draw comes from a seeded PCG64 stream, every file
is sorted by its id, and money is written from integer cents, never from floats.

``dirty`` > 0 breaks that share of rows on purpose (one rule each) to exercise the
quarantine; the committed sample is clean.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl

from arms_metrics.config import TABLES
from arms_metrics.extract import FILE_NAME
from arms_metrics.quarters import Quarter
from arms_metrics.samples import profiles as sp
from arms_metrics.samples.fms import fms_tables
from arms_metrics.samples.licensing import licenses_for_year, notifications
from arms_metrics.samples.transfers import transfer_tables
from arms_metrics.writers import neutralized


def _money(column: str) -> pl.Expr:
    """Integer cents as ``123.45`` text: exact, no float, no exponent."""
    cents = pl.col(column)
    whole = (cents // 100).cast(pl.String)
    return (whole + "." + (cents % 100).cast(pl.String).str.zfill(2)).alias(column)


def _format(frame: pl.DataFrame) -> pl.DataFrame:
    """Money columns held as cents become text; everything else polars writes as is."""
    money = [c for c, t in frame.schema.items() if c.endswith("_usd") and t == pl.Int64]
    return frame.with_columns(_money(c) for c in money)


def _write(frame: pl.DataFrame, path: Path, header: bool = True) -> None:
    """Append ``frame`` as CSV: UTF-8, LF, ISO dates, true/false, empty string for null."""
    with path.open("ab" if not header else "wb") as handle:
        safe = neutralized(_format(frame))  # a formula in a cell is made inert (writers.py)
        safe.write_csv(handle, include_header=header, null_value="", line_terminator="\n")


# --- Deliberately broken rows (dirty > 0) -------------------------------------------
_BREAKS: dict[str, list[tuple[str, pl.Expr]]] = {
    "fms_lors": [
        ("purchaser_code", pl.lit("ZZ")),
        ("complete_date", pl.col("received_date") - pl.duration(days=5)),
    ],
    "fms_documents": [
        ("purchaser_code", pl.lit("ZZ")),
        ("offered_date", pl.col("lor_complete_date") - pl.duration(days=3)),
    ],
    "fms_cases": [
        ("supply_complete_date", pl.lit(None, dtype=pl.Date)),
        ("implementing_agency", pl.lit("MARINES")),
    ],
    "fms_deliveries": [
        ("case_id", pl.lit("ZZ-X-NONE")),
        ("delivered_value_usd", pl.lit(-500, dtype=pl.Int64)),
    ],
    "congressional_notifications": [
        ("notification_date", pl.lit(None, dtype=pl.Date)),
        ("estimated_value_usd", pl.lit("-1000")),
    ],
    "export_licenses": [
        ("destination_code", pl.lit("ZZ")),
        ("final_action_date", pl.lit(None, dtype=pl.Date)),
    ],
    "tpt_requests": [
        ("transferee_code", pl.lit("ZZ")),
        ("final_action_date", pl.col("received_date") - pl.duration(days=5)),
    ],
    "eum_checks": [
        ("check_type", pl.lit("SPOT_CHECK")),  # no such check type
        ("result", pl.lit(None, dtype=pl.String)),
    ],
}
_ID = {
    "fms_lors": "lor_id",
    "fms_documents": "document_id",
    "fms_cases": "case_id",
    "fms_deliveries": "delivery_id",
    "export_licenses": "application_id",
    "tpt_requests": "request_id",
    "eum_checks": "check_id",
}
# tpt_requests and eum_checks are written after the six older tables, each from its own
# streams (dirty rows too), so adding them left every byte of the six unchanged.


def _dirty(frame: pl.DataFrame, table: str, rng: np.random.Generator, share: float):
    """Break ``share`` of the rows, cycling through the table's breaks and a duplicate id."""
    count = int(round(share * frame.height))
    if count == 0 or frame.height < 2:
        return frame
    rows = np.sort(rng.choice(np.arange(1, frame.height), size=count, replace=False))
    breaks = list(_BREAKS[table])
    if table in _ID:
        breaks.append((_ID[table], pl.col(_ID[table]).shift(1)))
    index = pl.int_range(pl.len())
    for k, (column, value) in enumerate(breaks):
        chosen = pl.Series(rows[k :: len(breaks)], dtype=pl.Int64)
        frame = frame.with_columns(
            pl.when(index.is_in(chosen.implode()))
            .then(value)
            .otherwise(pl.col(column))
            .alias(column)
        )
    return frame


def extract_toml() -> str:
    """``extract.toml`` for what ``generate`` writes: synthetic, its extract date, and the
    first complete quarter of each table (docs/inputs.md, "extract.toml")."""
    first = Quarter.of(sp.START)
    licenses = first.shift(4)
    return f"""# What this extract is (docs/inputs.md, "extract.toml"), by arms-metrics sample.
synthetic = true
extract_date = "{sp.EXTRACT.isoformat()}"

# The first quarter from which the extract holds every record of each table (for stocks:
# every record still open then). The generator's window starts {first} ({sp.START}).
[coverage]
# Every LOR received from {first} on; no indicator counts LORs received earlier.
fms_lors = "{first}"
# Documents whose LOR became complete from a year before {first}: fewer than 1 % take
# more than a year to offer, so the backlog and the offers are complete from {first}.
fms_documents = "{first}"
# Every case still open in {first} (implemented from FY1996 on) and every case
# implemented since: the open cases, implemented, supply complete and closed are complete
# from {first}. The cases implemented before it are not a series: earlier quarters have
# no cell.
fms_cases = "{first}"
fms_deliveries = "{first}"
congressional_notifications = "{first}"
# Applications received from {first} on only: the first year's final actions miss every
# application received before it and still pending (the committed sample: 99.5 % within
# 60/90 days in {first} against about 88 % later) and pending starts from 0. About
# 0.2 % take more than a year: complete from {licenses}.
export_licenses = "{licenses}"
# Requests received from {first} on only: as for export_licenses, the first year's final
# actions miss the requests received before it and still pending, and pending starts from
# 0. About 1 % (those held for review) take more than a year: complete from {licenses}.
tpt_requests = "{licenses}"
# Checks initiated from {first} on only: the first year's completions and open checks miss
# the checks initiated before it. Checks take a median 30-60 days, fewer than 0.1 % more
# than a year: complete from {licenses}.
eum_checks = "{licenses}"
"""


def generate(out_dir: Path, scale: float = 1.0, seed: int = 0, dirty: float = 0.0) -> dict:
    """Write the eight tables to ``out_dir`` and return rows written per table.

    Scale 1 is about a decade (FY2017-FY2026) of US volume, roughly a million rows;
    licenses are written one fiscal year at a time so memory stays bounded at scale 10.
    """
    if scale <= 0 or not 0.0 <= dirty < 0.5:
        raise ValueError("scale must be > 0 and dirty in [0, 0.5)")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    broken = sp.stream(seed, 900)
    counts: dict[str, int] = {}
    tables = fms_tables(seed, scale)
    tables["congressional_notifications"] = notifications(sp.stream(seed, 7), scale)
    for table, frame in tables.items():
        frame = _dirty(frame, table, broken, dirty)
        _write(frame, out_dir / f"{table}.csv")
        counts[table] = frame.height
    path = out_dir / "export_licenses.csv"
    counts["export_licenses"] = 0
    for year in range(sp.YEARS):
        chunk = licenses_for_year(sp.stream(seed, 100 + year), scale, year)
        chunk = _dirty(chunk, "export_licenses", broken, dirty)
        _write(chunk, path, header=year == 0)
        counts["export_licenses"] += chunk.height
    broken = sp.stream(seed, 901)
    for table, frame in transfer_tables(seed, scale).items():
        frame = _dirty(frame, table, broken, dirty)
        _write(frame, out_dir / f"{table}.csv")
        counts[table] = frame.height
    (out_dir / FILE_NAME).write_text(extract_toml(), encoding="utf-8")
    return {table: counts[table] for table in TABLES if table in counts}  # the tables written
