"""Breakdowns nested in another (``[nesting]`` in ``indicators.toml``): every control
category and every application type belongs to one licensing agency, as the public knows
from the reference files, so per quantity and quarter the cells of an agency's categories
(and of its forms) add up to the agency's cell. COMMERCE has one form, BIS-748P: its cells
are COMMERCE's. (Purchasers within a region are the built-in case, ``knowledge._regions``.)
"""

from __future__ import annotations

import csv
from collections import Counter, defaultdict
from functools import cache
from pathlib import Path

import polars as pl

from arms_metrics.cells import SORT_KEY
from arms_metrics.config import Config
from arms_metrics.errors import ConfigError

PURCHASER, REGION = "purchaser", "region"  # the built-in nesting (``knowledge._regions``)


def members(config: Config) -> dict[str, tuple[str, dict[str, str]]]:
    """{child breakdown: (parent breakdown, {child value: parent value})} from the
    reference files the registry names (columns ``code`` and the parent breakdown)."""
    out = {}
    for child, (parent, file_name) in config.registry.nesting.items():
        path = config.reference_dir / file_name
        out[child] = (parent, _read(path, parent, path.stat().st_mtime_ns if path.exists() else 0))
    return out


def within(frame: pl.DataFrame, config: Config) -> pl.DataFrame:
    """``frame`` with ``within`` (the value of the breakdown a cell's value belongs to: a
    purchaser's region, a control category's or form's agency; else null) and
    ``within_breakdown`` (that breakdown's name), for the per-table rules (``rules.groups``).
    """
    is_purchaser = pl.col("breakdown") == PURCHASER
    value = pl.when(is_purchaser).then(pl.col("parent"))
    kind = pl.when(is_purchaser).then(pl.lit(REGION))
    for child, (parent, belongs) in sorted(members(config).items()):
        owner = pl.col("breakdown_value").replace_strict(belongs, default=None)
        value = value.when(pl.col("breakdown") == child).then(owner)
        kind = kind.when(pl.col("breakdown") == child).then(pl.lit(parent))
    return frame.with_columns(
        within=value.otherwise(pl.lit(None, pl.String)),
        within_breakdown=kind.otherwise(pl.lit(None, pl.String)),
    )


@cache
def _read(path: Path, parent: str, _version: int) -> dict[str, str]:
    """The reference file's {code: parent value}, read once per file version."""
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle))
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc}") from exc
    if not rows or not {"code", parent} <= set(rows[0]):
        raise ConfigError(f"{path}: needs the columns code and {parent}")
    return {row["code"].strip(): row[parent].strip() for row in rows}


def add_nesting(system, config: Config, present: dict[str, set], additive: set[str]) -> None:
    """parent cell = sum of its children's cells, per additive quantity and quarter, where the
    release publishes both tables (absent rows of a published table are zeros)."""
    for child, (parent, belongs) in members(config).items():
        for qid in sorted(additive):
            keys = present.get(qid, set())
            shown = {breakdown for _, breakdown, _ in keys}
            if child not in shown or parent not in shown:
                continue
            groups: dict[tuple[str, str], list[str]] = defaultdict(list)
            unplaced = set()  # a value no reference row places: its quarter is left out
            for period, breakdown, value in keys:
                if breakdown == child and value in belongs:
                    groups[(period, belongs[value])].append(value)
                elif breakdown == child:
                    unplaced.add(period)
                elif breakdown == parent:
                    groups.setdefault((period, value), [])
            for (period, owner), values in sorted(groups.items()):
                if period in unplaced:
                    continue
                terms = [((qid, period, child, v), 1) for v in sorted(values)]
                system.add_equation([((qid, period, parent, owner), -1), *terms])


def alias_rows(frame: pl.DataFrame, config: Config) -> list[tuple[int, int]]:
    """(row of a sole child, row of its parent) for every cell whose value is the only one
    the reference places in its parent (BIS-748P, COMMERCE's one form): the same records,
    so the same figure. It goes where its parent goes and is never a complement: hiding it
    alone hides nothing."""
    rows = {tuple(r[1:]): r[0] for r in frame.select("_row", *SORT_KEY).iter_rows()}
    pairs = []
    for child, (parent, belongs) in members(config).items():
        sizes = Counter(belongs.values())
        sole = {value: owner for value, owner in belongs.items() if sizes[owner] == 1}
        cells = frame.filter((pl.col("breakdown") == child)
                             & pl.col("breakdown_value").is_in(list(sole)))  # fmt: skip
        for row, indicator, period, value in cells.select(
            "_row", "indicator_id", "period", "breakdown_value"
        ).iter_rows():
            owner = rows.get((indicator, period, parent, sole[value]))
            if owner is not None:
                pairs.append((row, owner))
    return sorted(pairs)
