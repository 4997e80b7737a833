"""The indicator engine: accepted input tables -> DuckDB populations and measures -> cells.

``compute`` stages the inputs in DuckDB, runs the SQL models of ``pipelines/quarterly/sql``
(staging, intermediate, one view per population), has ``semantic`` compute every registry
indicator as a measure over its population (one GROUPING SETS query per population), runs
the checks on the unrounded cells, and rounds each value exactly once, here, in Python,
half-even: counts whole, usd whole dollars, days and percent one decimal (README, Outputs).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal
from fractions import Fraction
from pathlib import Path

import duckdb
import polars as pl

from arms_metrics import extract
from arms_metrics.cells import CELL_SCHEMA, SORT_KEY, VALUE_DTYPE
from arms_metrics.compute import semantic, warehouse
from arms_metrics.config import Config, Indicator
from arms_metrics.errors import ConfigError
from arms_metrics.quarters import Quarter

FIRST_EVENT = "int_first_event_date"
_ONE = Decimal(1)
_TENTH = Decimal("0.1")


@dataclass(frozen=True)
class Computed:
    """The engine's output: rounded, not yet disclosure-controlled cells of every period."""

    cells: pl.DataFrame  # CELL_SCHEMA, sorted by SORT_KEY; suppressed False, revised False
    unavailable: tuple[str, ...]  # indicator ids whose source tables are absent
    quarters: tuple[Quarter, ...]  # the periods computed, oldest first


# ----------------------------------------------------------------------------- rounding
def round_value(unit: str, value: object, numerator: int | None, n: int) -> Decimal | None:
    """The published value of one cell, rounded half-even from its exact value.

    count -> whole; usd -> whole dollars from the exact DECIMAL sum; days -> one decimal
    from the quantile (a double whose exact value has at most one decimal, read through its
    shortest repr); percent -> one decimal of 100 * numerator / n computed as a fraction.
    Days and percent are undefined (None) when no record stands behind the cell.
    """
    if unit == "count":
        return Decimal(int(value))  # type: ignore[call-overload]
    if unit == "usd":
        return Decimal(value or 0).quantize(_ONE, rounding=ROUND_HALF_EVEN)  # type: ignore[arg-type]
    if unit == "days":
        if value is None:
            return None
        return Decimal(repr(float(value))).quantize(_TENTH, rounding=ROUND_HALF_EVEN)  # type: ignore[arg-type]
    if unit == "percent":
        if not n or numerator is None:
            return None
        tenths = round(Fraction(1000 * numerator, n))  # round() on a Fraction is half-even
        return Decimal(tenths).scaleb(-1)
    raise ConfigError(f"unknown unit {unit!r}")


# ------------------------------------------------------------------------ small tables
def quarter_spine(first_date: dt.date | None, quarter: Quarter) -> list[Quarter]:
    """Every quarter from the one holding ``first_date`` (if on or before Q) up to Q."""
    if first_date is None or first_date > quarter.end:
        return [quarter]
    return Quarter.span(Quarter.of(first_date), quarter)


def coverage_spine(coverage: dict[str, Quarter], quarter: Quarter) -> list[Quarter]:
    """Every quarter from the earliest coverage start of the tables present up to Q."""
    return quarter_spine(min(coverage.values()).start if coverage else None, quarter)


def starts(indicators: list[Indicator], coverage: dict[str, Quarter] | None) -> dict[str, Quarter]:
    """Each indicator's series start: the latest coverage start of its sources (none without
    a declared coverage: hand-made tests run from the first event)."""
    if coverage is None:
        return {}
    return {i.id: extract.series_start(i.sources, coverage) for i in indicators}


def from_start(cells: pl.DataFrame, first: dict[str, Quarter]) -> pl.DataFrame:
    """The cells of each indicator from its series start on: no period before it."""
    if not first:
        return cells
    index = {p: Quarter.parse(p).index for p in cells["period"].unique().to_list()}
    begin = pl.col("indicator_id").replace_strict(
        {i: q.index for i, q in first.items()}, default=None, return_dtype=pl.Int64
    )
    period = pl.col("period").replace_strict(index, return_dtype=pl.Int64)
    return cells.filter(begin.is_null() | (period >= begin))


def spine_frame(quarters: list[Quarter]) -> pl.DataFrame:
    """The quarter spine as a table; labels come only from ``Quarter.label``."""
    return pl.DataFrame(
        {
            "period": [q.label for q in quarters],
            "quarter_index": [q.index for q in quarters],
            "fiscal_year": [q.fiscal_year for q in quarters],
            "fiscal_quarter": [q.quarter for q in quarters],
            "start_date": [q.start for q in quarters],
            "end_date": [q.end for q in quarters],
        },
        schema={
            "period": pl.String(),
            "quarter_index": pl.Int32(),
            "fiscal_year": pl.Int32(),
            "fiscal_quarter": pl.Int8(),
            "start_date": pl.Date(),
            "end_date": pl.Date(),
        },
    )


def _targets(targets: dict[str, int], key: str) -> pl.DataFrame:
    items = sorted(targets.items())
    return pl.DataFrame(
        {key: [k for k, _ in items], "target_days": [v for _, v in items]},
        schema={key: pl.String(), "target_days": pl.Int32()},
    )


def load_purchasers(path: Path) -> pl.DataFrame:
    """``code -> region`` from reference/purchasers.csv (header code,name,region,kind,aliases)."""
    try:
        frame = pl.read_csv(path, infer_schema=False, columns=["code", "region"])
    except (OSError, pl.exceptions.PolarsError) as exc:
        raise ConfigError(f"{path}: cannot read the purchaser reference: {exc}") from exc
    if frame["code"].is_duplicated().any():
        raise ConfigError(f"{path}: duplicate purchaser codes")
    return frame.select(pl.col("code").str.strip_chars(), pl.col("region").str.strip_chars())


def _registry_frames(
    indicators: list[Indicator], first: dict[str, Quarter] | None = None
) -> tuple[pl.DataFrame, pl.DataFrame]:
    first = first or {}
    meta = pl.DataFrame(
        {
            "indicator_id": [i.id for i in indicators],
            "unit": [i.unit for i in indicators],
            "additive": [i.additive for i in indicators],
            "start_index": [first[i.id].index if i.id in first else None for i in indicators],
        },
        schema={
            "indicator_id": pl.String(),
            "unit": pl.String(),
            "additive": pl.Boolean(),
            "start_index": pl.Int32(),
        },
    )
    pairs = [(i.id, b) for i in indicators for b in i.breakdowns]
    breakdowns = pl.DataFrame(
        {"indicator_id": [p[0] for p in pairs], "breakdown": [p[1] for p in pairs]},
        schema={"indicator_id": pl.String(), "breakdown": pl.String()},
    )
    return meta, breakdowns


def _load_reference(con: duckdb.DuckDBPyConnection, config: Config, quarter: Quarter) -> None:
    """Load the parameters, targets and purchaser regions the SQL reads as tables."""
    params = pl.DataFrame(
        {"release_period": [quarter.label], "release_end": [quarter.end]},
        schema={"release_period": pl.String(), "release_end": pl.Date()},
    )
    warehouse.load_frame(con, "params", params)
    warehouse.load_frame(
        con, "development_targets", _targets(config.development_targets, "development_group")
    )
    warehouse.load_frame(con, "license_targets", _targets(config.license_targets, "agency"))
    warehouse.load_frame(
        con, "ref_purchasers", load_purchasers(config.reference_dir / "purchasers.csv")
    )


# --------------------------------------------------------------------------- the engine
def prepare(
    con: duckdb.DuckDBPyConnection,
    tables: dict[str, pl.DataFrame],
    config: Config,
    quarter: Quarter,
    coverage: dict[str, Quarter] | None = None,
) -> list[Quarter]:
    """Load the inputs and reference, run staging, the spine, intermediate and the
    population views; return the quarters of the spine: from the earliest ``coverage``
    start, or (``coverage`` None, hand-made tests) from the first event in the data."""
    sql_dir = config.sql_dir
    warehouse.load_sources(con, tables)
    warehouse.seal(con)
    _load_reference(con, config, quarter)
    warehouse.run_layer(con, sql_dir, "staging")
    warehouse.run_layer(con, sql_dir, "intermediate", only=[FIRST_EVENT])
    first = warehouse.fetch(con, FIRST_EVENT)["first_date"][0]
    if coverage is not None:
        quarters = coverage_spine(coverage, quarter)
    else:  # hand-made rows without a declared coverage: the spine from the first event
        quarters = quarter_spine(first, quarter)
    # The calendar places every date from the first event on: a stock at the spine's first
    # quarter holds the records opened before it (a case implemented in FY1996).
    days = quarter_spine(min(first, quarters[0].start) if first else None, quarter)
    warehouse.load_frame(con, "calendar_quarters", spine_frame(days))
    warehouse.load_frame(con, "quarter_spine", spine_frame(quarters))
    warehouse.run_layer(con, sql_dir, "intermediate", skip=[FIRST_EVENT])
    warehouse.run_layer(con, sql_dir, "populations")
    return quarters


def _round_all(measured: pl.DataFrame, units: dict[str, str]) -> pl.Series:
    """The rounded value of every cell (per cell, never per input record)."""
    values = []
    rows = measured.select("indicator_id", "value", "value_double", "numerator", "n")
    for indicator_id, exact, double, numerator, n in rows.iter_rows():
        unit = units[indicator_id]
        values.append(round_value(unit, double if unit == "days" else exact, numerator, n))
    return pl.Series("value", values, dtype=VALUE_DTYPE)


def _to_cells(measured: pl.DataFrame, units: dict[str, str], spine: pl.DataFrame) -> pl.DataFrame:
    """Round every measured cell and shape it as CELL_SCHEMA (disclosure fields unset)."""
    unit = pl.col("indicator_id").replace_strict(units, return_dtype=pl.String)
    cells = measured.with_columns(
        _round_all(measured, units),
        unit.alias("unit"),
        pl.lit(False).alias("suppressed"),
        pl.lit(None, dtype=pl.String).alias("suppression"),
        pl.lit(False).alias("revised"),
    )
    cells = cells.join(spine.select("period", "fiscal_year", "fiscal_quarter"), on="period")
    cells = cells.with_columns(
        pl.when(pl.col("unit") == "usd").then(pl.col("max_record_value")).alias("max_record_value"),
        pl.when(pl.col("unit") == "percent").then(pl.col("numerator")).alias("numerator"),
    )
    return cells.select(pl.col(c).cast(t) for c, t in CELL_SCHEMA.items()).sort(SORT_KEY)


def _filled(indicator: Indicator, tables: dict[str, pl.DataFrame]) -> bool:
    """Every optional column the indicator ``requires`` has a value somewhere: a column an
    extract leaves out or leaves empty means "no data", never "no records"."""
    for required in indicator.requires:
        table, _, column = required.partition(".")
        frame = tables.get(table)
        if frame is None or column not in frame.columns or frame[column].null_count() == len(frame):
            return False
    return True


def compute(
    tables: dict[str, pl.DataFrame],
    config: Config,
    quarter: Quarter,
    *,
    coverage: dict[str, Quarter] | None = None,
    threads: int | None = None,
) -> Computed:
    """Every available indicator, every breakdown, every quarter from its series start (the
    latest ``coverage`` start of its sources) up to ``quarter``; an indicator whose sources
    are absent or do not cover ``quarter``, or whose ``requires`` column holds no value at
    all (an extract that links no document to its LOR), is unavailable. Raises CheckFailed if a SQL
    check finds a row."""
    indicators = list(config.registry.indicators)
    present = [i for i in indicators if set(i.sources) <= set(tables) and _filled(i, tables)]
    first = {k: q for k, q in starts(present, coverage).items() if q <= quarter}
    available = [i for i in present if coverage is None or i.id in first]
    unavailable = tuple(i.id for i in indicators if i not in available)
    with warehouse.connect(threads) as con:
        quarters = prepare(con, tables, config, quarter, coverage)
        parts = [
            semantic.population_cells(con, population, members)
            for population, members in semantic.by_population(available).items()
        ]
        schema = semantic.MEASURE_CELLS_SCHEMA
        measured = from_start(pl.concat(parts) if parts else pl.DataFrame(schema=schema), first)
        meta, breakdowns = _registry_frames(available, first)
        warehouse.load_frame(con, "registry_indicators", meta)
        warehouse.load_frame(con, "registry_breakdowns", breakdowns)
        warehouse.load_frame(con, "mart_cells", measured.drop("value_double"))
        warehouse.run_checks(con, config.sql_dir)
    units = {i.id: i.unit for i in indicators}
    return Computed(_to_cells(measured, units, spine_frame(quarters)), unavailable, tuple(quarters))
