"""Ingest: find the input files, read, parse, validate, quarantine, summarise.

The order is fixed: read every cell as text, parse (a bad cell quarantines its row), then
validate the typed frame with the table's pandera model plus the reference rules. Rows
that break any rule go to ``<work>/quarantine/<table>.csv`` with every rule they broke;
the rest are accepted. rows read = accepted + quarantined, always. Nothing is dropped
silently, and outputs are deterministic bytes (sorted keys, no paths, no timestamps).
"""

from __future__ import annotations

import datetime as dt
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pandera.errors
import polars as pl

from arms_metrics.config import Config
from arms_metrics.errors import DataError
from arms_metrics.ingest.csvfile import Lines
from arms_metrics.ingest.files import find_inputs, shown
from arms_metrics.ingest.parsing import RawTable, read_table
from arms_metrics.ingest.reference import Reference, load_reference
from arms_metrics.ingest.report import examples, write_quarantine, write_summary
from arms_metrics.ingest.rules import describe_rule, rule_id
from arms_metrics.ingest.salvage import BROKEN, NAMED, salvage
from arms_metrics.ingest.schemas import (
    COLUMNS,
    DEFAULT_AUTHORITY,
    NAME_CODE,
    PARENTS,
    build_schema,
    parent_rules,
)
from arms_metrics.ingest.values import INDEX, LINE, DateRange, parse_table
from arms_metrics.quarters import Quarter
from arms_metrics.release import InputFile

CN = "congressional_notifications"
DATA_LIKE = (".csv", ".gz", ".parquet", ".tsv", ".xlsx", ".json")


@dataclass(frozen=True)
class Ingested:
    tables: dict[str, pl.DataFrame]  # accepted rows only, only tables present in the input dir
    inputs: tuple[InputFile, ...]  # one per table present (file name only)
    summary: dict  # exactly what was written to summary.json
    # the quarantined rows, typed, each value that broke its rule missing, and the list of
    # the columns that broke (salvage.BROKEN) and those named by a broken rule between
    # columns (salvage.NAMED)
    quarantined: dict[str, pl.DataFrame] = field(default_factory=dict)
    examples: dict[str, list[tuple]] = field(default_factory=dict)  # first offenders (report)


@dataclass(frozen=True)
class _Source:
    """What the summary keeps of a table as read, once its text frame is freed."""

    table: str
    file_name: str
    sha256: str
    rows: int  # records read
    lines: Lines | None


@dataclass(frozen=True)
class _Checked:
    source: _Source
    accepted: pl.DataFrame
    quarantine: pl.DataFrame  # source_file, record, line, rules, original columns as text
    salvaged: pl.DataFrame  # the quarantined rows as the loss check reads them
    by_rule: dict[str, int]
    unchecked: tuple[str, ...]


def _prepare(table: str, typed: pl.DataFrame, reference: Reference) -> pl.DataFrame:
    """The frame pandera sees: model columns, defaults applied, helper lookups added."""
    frame = typed.select(list(COLUMNS[table]))
    if table != CN:
        return frame
    names = frame["purchaser"].drop_nulls().unique().sort().to_list()
    codes = [reference.code_for(name) for name in names]
    derived = frame["purchaser"].replace_strict(names, codes, default=None, return_dtype=pl.String)
    return frame.with_columns(
        pl.col("authority").fill_null(DEFAULT_AUTHORITY), derived.alias(NAME_CODE)
    )


def _pandera_failures(schema: object, frame: pl.DataFrame) -> pl.DataFrame:
    """(index, rule) of every rule each row broke, from SchemaErrors.failure_cases."""
    empty = pl.DataFrame(schema={"index": pl.Int64, "rule": pl.String})
    try:
        schema.validate(frame, lazy=True)
    except pandera.errors.SchemaErrors as exc:
        cases = exc.failure_cases
    else:
        return empty
    if cases["index"].null_count():
        whole = cases.filter(pl.col("index").is_null()).row(0, named=True)
        raise RuntimeError(f"schema-level validation failure (a bug, not bad data): {whole}")
    pairs = cases.select("column", "check").unique().sort(["column", "check"])
    rules = [rule_id(column, check) for column, check in pairs.iter_rows()]
    mapping = pairs.with_columns(pl.Series("rule", rules, dtype=pl.String))
    joined = cases.join(mapping, on=["column", "check"], how="left", nulls_equal=True)
    return pl.concat([empty, joined.select(pl.col("index").cast(pl.Int64), "rule")])


def _rules_by_row(parse_failures: pl.DataFrame, model_failures: pl.DataFrame) -> pl.DataFrame:
    """index -> sorted, ';'-joined rules; a cell that did not parse is not also 'required'."""
    shadowed = parse_failures.select("index", (pl.col("column") + "_required").alias("rule"))
    model = model_failures.join(shadowed, on=["index", "rule"], how="anti")
    every = pl.concat([parse_failures.select("index", "rule"), model]).unique()
    return every.group_by("index").agg(pl.col("rule").sort().str.join(";").alias("rules"))


def _as_text(column: str) -> pl.Expr:
    """The cell as found, as text; an empty cell is written empty (not as a quoted "")."""
    text = pl.col(column).cast(pl.String)
    return pl.when(text == "").then(None).otherwise(text).alias(column)


def _quarantine(raw: RawTable, rows: pl.DataFrame) -> pl.DataFrame:
    columns = COLUMNS[raw.table]
    picked = raw.frame.filter(pl.col(INDEX).is_in(rows["index"].implode()))  # no text copy
    original = picked.join(rows, left_on=INDEX, right_on="index", how="inner")
    return original.sort(INDEX).select(
        pl.lit(raw.file_name).alias("source_file"),
        (pl.col(INDEX) + 1).alias("record"),
        pl.col(LINE).alias("line"),
        "rules",
        *(_as_text(c) for c in columns),
    )


def _usable(table: str, frame: pl.DataFrame) -> pl.DataFrame:
    """The table's columns; a notification's empty code is the code of its name."""
    if table == CN:
        frame = frame.with_columns(pl.coalesce("purchaser_code", NAME_CODE).alias("purchaser_code"))
    return frame.select(list(COLUMNS[table]))


def plausible_dates(config: Config, today: dt.date | None = None) -> DateRange:
    """``[ingest] min_date`` .. ``max_years_after_quarter_end`` years after the end of the
    latest quarter ended by ``today`` (not the release quarter: a rebuilt old quarter keeps
    its later records, which its as-of rule reads)."""
    end = Quarter.latest_ended(today or dt.date.today()).end
    return DateRange(
        config.min_date, end.replace(year=end.year + config.max_years_after_quarter_end)
    )


def _check_table(
    raw: RawTable, reference: Reference, parent: pl.DataFrame | None, dates: DateRange
) -> _Checked:
    typed, parse_failures = parse_table(raw, dates)
    frame = _prepare(raw.table, typed, reference)
    schema = build_schema(raw.table, reference, parent)
    rows = _rules_by_row(parse_failures, _pandera_failures(schema, frame))
    bad = typed[INDEX].is_in(rows["index"].implode())
    accepted = _usable(raw.table, frame.filter(~bad) if rows.height else frame)  # no copy
    salvaged = salvage(raw.table, frame, typed[INDEX], rows)
    lost = _usable(raw.table, salvaged).with_columns(salvaged[BROKEN], salvaged[NAMED])
    by_rule = rows.select(pl.col("rules").str.split(";")).explode("rules")["rules"].value_counts()
    counts = {rule: int(n) for rule, n in sorted(by_rule.iter_rows())}
    unchecked = parent_rules(raw.table) if parent is None else ()
    source = _Source(raw.table, raw.file_name, raw.sha256, raw.frame.height, raw.lines)
    return _Checked(source, accepted, _quarantine(raw, rows), lost, counts, unchecked)


def _table_summary(checked: _Checked, threshold: float) -> dict:
    read = checked.source.rows
    quarantined = checked.quarantine.height
    lines = checked.source.lines  # 1 header + record lines + blank lines at end = physical lines
    return {
        "physical_lines": lines.physical if lines else None,
        "record_lines": lines.records if lines else None,
        "blank_lines_at_end": lines.blank_at_end if lines else None,
        "read": read,
        "accepted": checked.accepted.height,
        "quarantined": quarantined,
        "by_rule": checked.by_rule,
        "file": checked.source.file_name,
        "sha256": checked.source.sha256,
        "quarantine_share": round(quarantined / read, 6),
        "threshold": threshold,
        "unchecked_rules": list(checked.unchecked),
    }


def _failure(checked: _Checked, threshold: float) -> DataError:
    """Name the file, the first offending line (record for parquet) and the commonest rule."""
    first = checked.quarantine.row(0, named=True)
    rule = min(checked.by_rule.items(), key=lambda item: (-item[1], item[0]))[0]
    share = checked.quarantine.height / checked.source.rows
    where = "" if first["line"] is not None else f" (first at record {first['record']})"
    detail = (
        f"{checked.quarantine.height} of {checked.source.rows} rows quarantined "
        f"({share:.2%}) exceeds the {threshold:.2%} threshold{where}; most frequent: "
        f"{rule} ({describe_rule(rule)}); see quarantine/{checked.source.table}.csv"
    )
    return DataError(checked.source.file_name, rule, detail, first["line"])


def _write(work_dir: Path, checked: list[_Checked], summary: dict, tables: tuple[str, ...]):
    quarantines = {item.source.table: item.quarantine for item in checked}
    write_quarantine(work_dir, quarantines, tables)
    write_summary(work_dir, summary, examples(quarantines))


def ingest(
    input_dir: Path, config: Config, work_dir: Path, today: dt.date | None = None
) -> Ingested:
    """Read and validate every table present in ``input_dir``; fail (exit 65) on bad data.
    ``today`` (default: the date today) places the latest plausible date."""
    input_dir, work_dir = Path(input_dir), Path(work_dir)
    found, ignored = find_inputs(input_dir, config.tables)
    for name in ignored:
        if name.lower().endswith(DATA_LIKE):
            print(f"warning: ignoring {shown(name)}: not an input table name", file=sys.stderr)
    reference = load_reference(config.reference_dir)
    threshold, dates = config.max_quarantine_share, plausible_dates(config, today)
    checked: dict[str, _Checked] = {}
    order = sorted(found, key=lambda t: (t in PARENTS, config.tables.index(t)))  # parents first
    for table in order:
        parent = checked.get(PARENTS[table][1]) if table in PARENTS else None
        raw = read_table(table, found[table], config.max_file_bytes)
        rows = parent.accepted if parent is not None else None
        checked[table] = _check_table(raw, reference, rows, dates)
        del raw  # the table's text goes once checked: only one text frame is held at a time
    items = [checked[t] for t in config.tables if t in checked]
    failed = [c for c in items if c.quarantine.height / c.source.rows > threshold]
    summary = {
        "tables": {c.source.table: _table_summary(c, threshold) for c in items},
        "ignored_files": ignored,
        "status": "failed" if failed else "ok",
    }
    _write(work_dir, items, summary, config.tables)
    if failed:
        raise _failure(failed[0], threshold)
    inputs = tuple(
        InputFile(c.source.table, c.source.file_name, c.source.sha256, c.source.rows,
                  c.accepted.height, c.quarantine.height)
        for c in items
    )  # fmt: skip
    lost = {c.source.table: c.salvaged for c in items}
    shown_rows = examples({c.source.table: c.quarantine for c in items})
    return Ingested({c.source.table: c.accepted for c in items}, inputs, summary, lost, shown_rows)
