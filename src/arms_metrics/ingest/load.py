"""Ingest: find the input files, read, parse, validate, quarantine, summarise.

The order is fixed: read every cell as text, parse (a bad cell quarantines its row), then
validate the typed frame with the table's pandera model plus the reference rules. Rows
that break any rule go to ``<work>/quarantine/<table>.csv`` with every rule they broke;
the rest are accepted. rows read = accepted + quarantined, always. Nothing is dropped
silently, and outputs are deterministic bytes (sorted keys, no paths, no timestamps).
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path

import jinja2
import pandera.errors
import polars as pl

from arms_metrics.config import TEMPLATES_DIR, Config
from arms_metrics.errors import DataError
from arms_metrics.ingest.files import find_inputs, shown
from arms_metrics.ingest.parsing import INDEX, LINE, RawTable, parse_table, read_table
from arms_metrics.ingest.reference import Reference, load_reference
from arms_metrics.ingest.rules import describe_rule, rule_id
from arms_metrics.ingest.schemas import COLUMNS, DEFAULT_AUTHORITY, NAME_CODE, build_schema
from arms_metrics.release import InputFile
from arms_metrics.writers import csv_bytes, write_bytes, write_text

CN = "congressional_notifications"
EXAMPLES = 10  # offending records shown per table in the report
DATA_LIKE = (".csv", ".gz", ".parquet", ".tsv", ".xlsx", ".json")


@dataclass(frozen=True)
class Ingested:
    tables: dict[str, pl.DataFrame]  # accepted rows only, only tables present in the input dir
    inputs: tuple[InputFile, ...]  # one per table present (file name only)
    summary: dict  # exactly what was written to summary.json


@dataclass(frozen=True)
class _Checked:
    raw: RawTable
    accepted: pl.DataFrame
    quarantine: pl.DataFrame  # source_file, record, line, rules, original columns as text
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
    original = raw.frame.join(rows, left_on=INDEX, right_on="index", how="inner")
    return original.sort(INDEX).select(
        pl.lit(raw.file_name).alias("source_file"),
        (pl.col(INDEX) + 1).alias("record"),
        pl.col(LINE).alias("line"),
        "rules",
        *(_as_text(c) for c in columns),
    )


def _check_table(raw: RawTable, reference: Reference, case_ids: pl.Series | None) -> _Checked:
    typed, parse_failures = parse_table(raw)
    frame = _prepare(raw.table, typed, reference)
    schema = build_schema(raw.table, reference, case_ids)
    rows = _rules_by_row(parse_failures, _pandera_failures(schema, frame))
    bad = typed[INDEX].is_in(rows["index"].implode())
    accepted = frame.filter(~bad)
    if raw.table == CN:
        code = pl.coalesce("purchaser_code", NAME_CODE).alias("purchaser_code")
        accepted = accepted.with_columns(code)
    by_rule = rows.select(pl.col("rules").str.split(";")).explode("rules")["rules"].value_counts()
    counts = {rule: int(n) for rule, n in sorted(by_rule.iter_rows())}
    unchecked = ("case_id_unknown",) if raw.table == "fms_deliveries" and case_ids is None else ()
    return _Checked(
        raw, accepted.select(list(COLUMNS[raw.table])), _quarantine(raw, rows), counts, unchecked
    )


def _table_summary(checked: _Checked, threshold: float) -> dict:
    read = checked.raw.frame.height
    quarantined = checked.quarantine.height
    lines = checked.raw.lines  # 1 header + record lines + blank lines at end = physical lines
    return {
        "physical_lines": lines.physical if lines else None,
        "record_lines": lines.records if lines else None,
        "blank_lines_at_end": lines.blank_at_end if lines else None,
        "read": read,
        "accepted": checked.accepted.height,
        "quarantined": quarantined,
        "by_rule": checked.by_rule,
        "file": checked.raw.file_name,
        "sha256": checked.raw.sha256,
        "quarantine_share": round(quarantined / read, 6),
        "threshold": threshold,
        "unchecked_rules": list(checked.unchecked),
    }


def _failure(checked: _Checked, threshold: float) -> DataError:
    """Name the file, the first offending line (record for parquet) and the commonest rule."""
    first = checked.quarantine.row(0, named=True)
    rule = min(checked.by_rule.items(), key=lambda item: (-item[1], item[0]))[0]
    share = checked.quarantine.height / checked.raw.frame.height
    where = "" if first["line"] is not None else f" (first at record {first['record']})"
    detail = (
        f"{checked.quarantine.height} of {checked.raw.frame.height} rows quarantined "
        f"({share:.2%}) exceeds the {threshold:.2%} threshold{where}; most frequent: "
        f"{rule} ({describe_rule(rule)}); see quarantine/{checked.raw.table}.csv"
    )
    return DataError(checked.raw.file_name, rule, detail, first["line"])


def write_report(path: Path, summary: dict, quarantines: dict[str, pl.DataFrame]) -> None:
    """The analyst's page: counts per table, each rule with its meaning, first offenders."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )
    tables = [
        {
            "name": table,
            **info,
            "share_text": f"{info['quarantine_share']:.2%}",
            "threshold_text": f"{info['threshold']:.2%}",
            "rules": [(r, n, describe_rule(r)) for r, n in info["by_rule"].items()],
            "examples": quarantines[table].head(EXAMPLES).select("record", "line", "rules").rows(),
        }
        for table, info in summary["tables"].items()
    ]
    html = env.get_template("validation_report.html").render(
        status=summary["status"], tables=tables, ignored_files=summary["ignored_files"]
    )
    write_text(path, html)


def _write(work_dir: Path, checked: list[_Checked], summary: dict, tables: tuple[str, ...]):
    quarantine_dir = work_dir / "quarantine"
    validation_dir = work_dir / "validation"
    quarantine_dir.mkdir(parents=True, exist_ok=True)
    validation_dir.mkdir(parents=True, exist_ok=True)
    present = {item.raw.table for item in checked}
    for table in tables:  # a stale file from an earlier run would mislead the analyst
        if table not in present:
            (quarantine_dir / f"{table}.csv").unlink(missing_ok=True)
    for item in checked:
        frame = item.quarantine
        data = csv_bytes(frame.columns, frame.iter_rows())
        write_bytes(quarantine_dir / f"{item.raw.table}.csv", data)
    text = json.dumps(summary, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    write_text(validation_dir / "summary.json", text)
    write_report(
        validation_dir / "report.html", summary, {c.raw.table: c.quarantine for c in checked}
    )


def ingest(input_dir: Path, config: Config, work_dir: Path) -> Ingested:
    """Read and validate every table present in ``input_dir``; fail (exit 65) on bad data."""
    input_dir, work_dir = Path(input_dir), Path(work_dir)
    found, ignored = find_inputs(input_dir, config.tables)
    for name in ignored:
        if name.lower().endswith(DATA_LIKE):
            print(f"warning: ignoring {shown(name)}: not an input table name", file=sys.stderr)
    reference = load_reference(config.reference_dir)
    threshold = config.max_quarantine_share
    checked: dict[str, _Checked] = {}
    order = sorted(found, key=lambda t: (t == "fms_deliveries", config.tables.index(t)))
    for table in order:
        cases = checked.get("fms_cases")
        case_ids = cases.accepted["case_id"] if cases is not None else None
        raw = read_table(table, found[table], config.max_file_bytes)
        checked[table] = _check_table(raw, reference, case_ids)
    items = [checked[t] for t in config.tables if t in checked]
    failed = [c for c in items if c.quarantine.height / c.raw.frame.height > threshold]
    summary = {
        "tables": {c.raw.table: _table_summary(c, threshold) for c in items},
        "ignored_files": ignored,
        "status": "failed" if failed else "ok",
    }
    _write(work_dir, items, summary, config.tables)
    if failed:
        raise _failure(failed[0], threshold)
    inputs = tuple(
        InputFile(c.raw.table, c.raw.file_name, c.raw.sha256, c.raw.frame.height,
                  c.accepted.height, c.quarantine.height)
        for c in items
    )  # fmt: skip
    return Ingested({c.raw.table: c.accepted for c in items}, inputs, summary)
