"""Corrections: a published release is rewritten only on purpose, and then in the open.

A rebuild of a release already in the site compares its figures (value and suppression of
every cell, as ``revisions`` compares releases) with those the release published. Unchanged,
the release folder stays as first published. Changed, the run is refused (exit 77) unless
``run --correction "reason"`` is given; then the release is rewritten with a dated notice
on its pages, and the correction is logged in ``data/corrections.csv`` (date, release,
reason, cells) and ``corrections.html``, and recorded in the release's manifest.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import unicodedata
import zoneinfo
from pathlib import Path

import polars as pl

from arms_metrics.cells import SORT_KEY
from arms_metrics.epoch import epoch_instant
from arms_metrics.errors import DataError, Refused, UsageError
from arms_metrics.quarters import Quarter
from arms_metrics.release import (
    PUBLISHED_CSV,
    Codes,
    Correction,
    manifest_corrections,
    published_date,
    published_manifest,
    published_releases,
    read_published,
    release_quarter,
    same_figure,
)
from arms_metrics.writers import csv_bytes, neutralize

LOG_CSV = Path("data") / "corrections.csv"
HEADER = ("date", "release", "reason", "cells")
MAX_REASON = 500  # characters: a sentence or two, as a notice shows it


def changed_figures(
    cells: pl.DataFrame, site_dir: Path, quarter: Quarter, internal: Codes | None = None
) -> pl.DataFrame | None:
    """The figures of ``quarter``'s published release that ``cells`` would change (a value,
    a suppression, a figure added or dropped), sorted by cell: the key, ``unit``, ``value``,
    ``suppressed`` and ``fresh`` (null: dropped), ``previous_value``, ``previous_suppressed``
    and ``previously_published`` (null: added); ``None`` when it is not published."""
    path = Path(site_dir) / "releases" / quarter.label / PUBLISHED_CSV
    if not path.is_file():
        return None
    published = read_published(path, internal)
    fresh = cells.select(*SORT_KEY, "unit", "value", "suppressed", pl.lit(True).alias("fresh"))
    joined = fresh.join(published, on=SORT_KEY, how="full", coalesce=True, nulls_equal=True)
    differs = pl.col("fresh").is_null() | pl.col("previously_published").is_null() | ~same_figure()
    return joined.filter(differs).sort(SORT_KEY)


def changed_cells(
    cells: pl.DataFrame, site_dir: Path, quarter: Quarter, internal: Codes | None = None
) -> int | None:
    """How many figures ``changed_figures`` finds; ``None`` when it is not published."""
    changed = changed_figures(cells, site_dir, quarter, internal)
    return None if changed is None else changed.height


def disagree(
    changed: pl.DataFrame, site_dir: Path, later: Quarter, internal: Codes | None = None
) -> int:
    """How many of a correction's ``changed`` figures (``changed_figures``) release ``later``
    shows otherwise than corrected: a different value or suppression, a figure it publishes
    that the correction dropped, or none where the correction has one. A later release has
    its own figures, from its own extract; these are the ones to check when the fault
    corrected may be in it too."""
    path = Path(site_dir) / "releases" / later.label / PUBLISHED_CSV
    corrected = changed.select(
        *SORT_KEY, "value", "suppressed", pl.col("fresh").is_not_null().alias("present")
    )
    theirs = read_published(path, internal).select(
        *SORT_KEY, "previous_value", "previous_suppressed", "previously_published"
    )
    joined = corrected.join(theirs, on=SORT_KEY, how="left", nulls_equal=True)
    shown = pl.col("previously_published").is_not_null()
    same = (pl.col("present") == shown) & (~pl.col("present") | same_figure())
    return joined.filter(~same).height


# Control, format, private-use, surrogate and unassigned characters
ODD = ("Cc", "Cf", "Co", "Cs", "Cn")
# Unicode's Default_Ignorable_Code_Point ranges (DerivedCoreProperties.txt, Unicode 15.1):
# shown as nothing, such as the Hangul fillers and the variation selectors
IGNORABLE = (
    (0x00AD, 0x00AD), (0x034F, 0x034F), (0x061C, 0x061C), (0x115F, 0x1160),
    (0x17B4, 0x17B5), (0x180B, 0x180F), (0x200B, 0x200F), (0x202A, 0x202E),
    (0x2060, 0x206F), (0x3164, 0x3164), (0xFE00, 0xFE0F), (0xFEFF, 0xFEFF),
    (0xFFA0, 0xFFA0), (0xFFF0, 0xFFF8), (0x1BCA0, 0x1BCA3), (0x1D173, 0x1D17A),
    (0xE0000, 0xE0FFF),
)  # fmt: skip


def _ignorable(char: str) -> bool:
    return any(low <= ord(char) <= high for low, high in IGNORABLE)


def _check_reason(reason: str) -> None:
    """Exit 2 for a reason the log cannot print as given: empty, longer than
    ``MAX_REASON``, holding a control or invisible character (a terminal escape sequence, a
    bidirectional override, a zero-width space, a Hangul filler), or no letter or digit at
    all (a braille blank alone). Line breaks and tabs are folded to spaces; a reason that
    starts like a spreadsheet formula is made inert where the CSV is written
    (``writers.csv_bytes``)."""
    words = " ".join(reason.split())
    if not words:
        raise UsageError('--correction is empty: say why, e.g. --correction "late records"')
    if len(words) > MAX_REASON:
        raise UsageError(f"--correction is {len(words)} characters long: at most {MAX_REASON}")
    if any(0xDC80 <= ord(c) <= 0xDCFF for c in words):  # os.fsdecode of bad bytes
        raise UsageError("--correction holds bytes that are not UTF-8")
    odd = [c for c in words if unicodedata.category(c) in ODD or _ignorable(c)]
    if odd:
        raise UsageError(f"--correction holds the invisible character U+{ord(odd[0]):04X}")
    if words.startswith("'") and neutralize(words[1:]) == words:
        raise UsageError("--correction starts with an apostrophe before =, +, - or @: drop it")
    if not any(unicodedata.category(c)[0] in "LN" for c in words):
        raise UsageError("--correction holds no letter or digit: say why in words")


def correction_day(
    zone: str, site_dir: Path, quarter: Quarter, now: dt.datetime | None = None
) -> dt.date:
    """The date a correction of ``quarter`` made ``now`` (the clock) carries: today in the
    release calendar's ``zone``, the same on every machine whatever its time zone, or
    SOURCE_DATE_EPOCH's date. Exit 2 for an epoch date after today (it would be published,
    and hold every later correction back) or before the date of any release in the site
    once that date has passed (it would back-date the correction past a
    release already public; before its date, a release under embargo is corrected before
    it is public). An epoch date serves to rebuild a correction as it was made."""
    clock = (now or dt.datetime.now(dt.UTC)).astimezone(zoneinfo.ZoneInfo(zone)).date()
    moment = epoch_instant()  # its date in the calendar's zone too, as "today" is
    if moment is None:
        return clock
    day = moment.astimezone(zoneinfo.ZoneInfo(zone)).date()
    if day > clock:
        raise UsageError(
            f"SOURCE_DATE_EPOCH is {day.isoformat()}, after today ({clock.isoformat()} in "
            f"{zone}): a correction is dated when made"
        )
    public = {
        q: d for q in published_releases(Path(site_dir)) if (d := published_date(site_dir, q))
    }
    public = {q: d for q, d in public.items() if d <= clock}
    if public and day < max(public.values()):
        latest = max(public, key=lambda q: (public[q], q))
        raise UsageError(
            f"SOURCE_DATE_EPOCH is {day.isoformat()}, before {latest}'s release date "
            f"({public[latest].isoformat()}), which has passed: a correction is dated when made"
        )
    return day


def decide(
    quarter: Quarter, changed: int | None, reason: str | None, today: dt.date
) -> Correction | None:
    """The correction to publish, if any; exit 77 for changed figures without a reason,
    exit 2 for a reason with nothing published to correct."""
    if reason is not None:
        _check_reason(reason)
    if changed is None:
        if reason is not None:
            raise UsageError(f"--correction: {quarter} is not published yet, so not corrected")
        return None
    if changed and reason is None:
        raise Refused(
            f"{quarter} is published and {changed} of its figures would change: "
            f'rerun with --correction "reason" to publish a correction'
        )
    if not changed:
        return None
    return Correction(today, quarter.label, " ".join(reason.split()), changed)


def read_log(site_dir: Path) -> list[Correction]:
    """Every correction the site logged, oldest first. Exit 65 naming the file and line for
    a log this tool did not write (not UTF-8, another header, a row that is not a date, a
    release, a reason and a count), and exit 77 when the log and the releases' manifests
    disagree on how often, when, why or how much a release was corrected (a log deleted,
    cut short or edited: the next run would publish it as the tool wrote it), when it logs
    a release the site does not hold, or when its dates go backwards."""
    path = Path(site_dir) / LOG_CSV
    if path.exists() and not path.is_file():
        raise DataError(
            str(path), "corrections_log_file", "not a file: not the log this tool wrote"
        )
    log = _parse_log(path) if path.is_file() else []
    held = published_releases(Path(site_dir))
    for quarter in held:
        logged = [c for c in log if c.release == quarter.label]
        _check_recorded(path, Path(site_dir), quarter, logged)
    labels = {q.label for q in held}
    stray = next((c for c in log if c.release not in labels), None)
    if stray is not None:
        raise Refused(
            f"{path} logs a correction of {stray.release}, which the site does not hold: a "
            f"site cut short, or a log edited; {RESTORE}"
        )
    dates = [c.date for c in log]
    if dates != sorted(dates):
        raise Refused(f"{path} is not in the order its corrections were made: {RESTORE}")
    return log


def _check_recorded(path: Path, site_dir: Path, quarter: Quarter, logged: list) -> None:
    """Exit 77 unless ``logged`` (the log's corrections of ``quarter``) are, one by one,
    what the release's manifest records."""
    if logged and published_manifest(site_dir, quarter) is None:
        raise Refused(
            f"{site_dir / 'releases' / quarter.label / 'manifest.json'} is gone or "
            "unreadable, so the corrections logged of its release cannot be checked: "
            "restore it from a copy published with it"
        )
    recorded = manifest_corrections(site_dir, quarter)
    if len(logged) != len(recorded):
        raise Refused(
            f"{path} logs {len(logged)} correction(s) of {quarter}, its manifest.json "
            f"records {len(recorded)}: {RESTORE}"
        )
    for number, (entry, record) in enumerate(zip(logged, recorded, strict=True), 1):
        if _as_recorded(entry) != _as_recorded(record):
            raise Refused(
                f"{path}: correction {number} of {quarter} is not what its manifest.json "
                f"records (date, reason, cells): {RESTORE}"
            )


RESTORE = "restore the log from a backup or a copy published with it"


def _as_recorded(entry: Correction | dict) -> tuple:
    """A correction as a release's manifest records it: date, reason and cells."""
    if isinstance(entry, Correction):
        return (entry.date.isoformat(), entry.reason, entry.cells)
    return (entry.get("date"), entry.get("reason"), entry.get("cells"))


def _parse_log(path: Path) -> list[Correction]:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise DataError(
            str(path), "corrections_log_encoding", "not UTF-8: not the log this tool wrote"
        ) from None
    rows = csv.reader(io.StringIO(text, newline=""))
    if tuple(next(rows, ())) != HEADER:
        raise DataError(
            str(path), "corrections_log_header", f"the header is not {','.join(HEADER)}", 1
        )
    log = []
    for row in rows:
        entry = _entry(row)
        if entry is None:
            raise DataError(
                str(path), "corrections_log_row", "not a correction (an ISO date, a release "
                "such as FY2026-Q3, a reason and a count of cells)", rows.line_num
            )  # fmt: skip
        log.append(entry)
    return log


def _entry(row: list[str]) -> Correction | None:
    """One row of the log, or ``None`` when it is not one this tool writes."""
    if len(row) != len(HEADER):
        return None
    date, release, reason, cells = row
    if not (re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", date) and re.fullmatch(r"[0-9]+", cells)):
        return None  # not 20261130, not ² or an Arabic-Indic 4: what log_bytes writes
    try:
        day = dt.date.fromisoformat(date)
    except ValueError:
        return None
    if release_quarter(release) is None or not reason.strip():
        return None
    return Correction(day, release, _unguarded(reason), int(cells))


def _unguarded(text: str) -> str:
    """A reason as given, without the apostrophe ``writers.neutralize`` put before a
    formula start (a reason never starts with one: ``_check_reason``)."""
    return text[1:] if text.startswith("'") and neutralize(text[1:]) == text else text


def log_bytes(log: list[Correction]) -> bytes:
    """``data/corrections.csv``: one row per correction, oldest first."""
    rows = [(c.date.isoformat(), c.release, c.reason, c.cells) for c in log]
    return csv_bytes(HEADER, rows)
