"""The semantic layer: populations and measures -> the unrounded cells of every indicator.

An indicator is a *measure* of one column of a *population* (docs/architecture.md): the view
``sql/populations/pop_<population>.sql`` holds one row per record per quarter in which it
counts (flows: the quarter of their event; stocks: every quarter end at which they are
open), with its breakdown columns and the record-level columns the measures read.
``population_cells`` composes ONE GROUPING SETS query per population computing every
measure of its indicators over every breakdown, then splits the result by indicator.

Measures (every measure reads only the rows where its column is not null; ``n`` is the
number of records behind a cell):

- ``count``: n = value = the rows whose column is not null (for a boolean column: true);
- ``sum``: the exact DECIMAL sum (0 when none), n = the values summed, ``max_record_value``
  = the largest one (the dominance rule);
- ``median``, ``p90``: ``quantile_cont`` (linear) at 0.5 and 0.9, n = the values read;
- ``share`` of a boolean column: ``numerator`` = the rows where it is true, n = the rows
  where it is not null (null = not in the denominator), value = 100 * numerator / n as a
  double for the checks; the engine rounds the published value from numerator and n.

Cells: a ``total`` row (All) for every period of the spine, a breakdown row only where its
n >= 1; purchaser rows carry their region as ``parent``.

Safety: the SQL text holds identifiers only, each one a column the population view really
outputs (read from DuckDB's catalog) matching ``IDENTIFIER``, and always quoted; the
relation name passes ``warehouse.relation_name``; every value (breakdown labels, the total
labels, the quantiles) is a bound parameter.
"""

from __future__ import annotations

from collections.abc import Iterable

import duckdb
import polars as pl

from arms_metrics.cells import ALL, TOTAL
from arms_metrics.compute import warehouse
from arms_metrics.config import IDENTIFIER, Indicator
from arms_metrics.errors import ConfigError

PURCHASER, PARENT = "purchaser", "region"  # purchaser cells carry their region as parent
QUANTILES = {"median": 0.5, "p90": 0.9}
NUMERIC = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "FLOAT", "DOUBLE")
# The unrounded cells of every available indicator, as the checks read them (``mart_cells``).
MEASURE_CELLS_SCHEMA: dict[str, pl.DataType] = {
    "indicator_id": pl.String(),
    "period": pl.String(),
    "breakdown": pl.String(),
    "breakdown_value": pl.String(),
    "n": pl.Int64(),
    "value": pl.Decimal(38, 10),
    "numerator": pl.Int64(),
    "max_record_value": pl.Decimal(38, 2),
    "parent": pl.String(),
    "value_double": pl.Float64(),  # the quantile as DuckDB returned it (days only)
}


def by_population(indicators: Iterable[Indicator]) -> dict[str, list[Indicator]]:
    """The indicators grouped by population, in registry order."""
    groups: dict[str, list[Indicator]] = {}
    for indicator in indicators:
        groups.setdefault(indicator.population, []).append(indicator)
    return groups


def population_columns(con: duckdb.DuckDBPyConnection, relation: str) -> dict[str, str]:
    """The output columns of a population view and their DuckDB types, in order."""
    rows = con.execute(
        "select column_name, data_type from information_schema.columns"
        " where table_name = ? order by ordinal_position",
        [warehouse.relation_name(relation)],
    ).fetchall()
    if not rows:
        raise ConfigError(f"no population view {relation}")
    return dict(rows)


def _q(name: str) -> str:
    """A column name as a quoted SQL identifier, only once it passes the allow-list pattern."""
    if not IDENTIFIER.fullmatch(name):
        raise ConfigError(f"not an allowed column name: {name!r}")
    return f'"{name}"'


def _check_columns(indicator: Indicator, columns: dict[str, str]) -> None:
    """Refuse (ConfigError naming the indicator) a column, type or breakdown the view lacks."""
    where = f"indicator {indicator.id}: pop_{indicator.population}"
    kind = columns.get(indicator.column)
    if kind is None:
        raise ConfigError(f"{where} has no column {indicator.column!r}")
    if indicator.measure == "share" and kind != "BOOLEAN":
        raise ConfigError(f"{where}.{indicator.column} is {kind}: a share reads a BOOLEAN")
    if indicator.measure == "sum" and not kind.startswith("DECIMAL"):
        raise ConfigError(f"{where}.{indicator.column} is {kind}: a sum reads DECIMAL money")
    if indicator.measure in QUANTILES and kind not in NUMERIC:
        raise ConfigError(f"{where}.{indicator.column} is {kind}: a quantile reads numbers")
    needed = [*indicator.breakdowns, *([PARENT] if PURCHASER in indicator.breakdowns else [])]
    for breakdown in needed:
        if columns.get(breakdown) != "VARCHAR":
            raise ConfigError(f"{where} has no text column {breakdown!r} (a breakdown)")


def _measure_sql(measure: str, column: str, kind: str, alias: str) -> list[str]:
    """The aggregates of one (measure, column) pair, named ``<alias>_n``, ``_value`` ..."""
    c = _q(column)
    if measure == "count":
        counted = f"count(*) filter (where {c})" if kind == "BOOLEAN" else f"count({c})"
        return [f"{counted} as {alias}_n"]
    parts = [f"count({c}) as {alias}_n"]
    if measure == "sum":
        parts += [f"coalesce(sum({c}), 0) as {alias}_value", f"max({c}) as {alias}_max"]
    elif measure in QUANTILES:
        parts.append(f"quantile_cont({c}, ${measure}) as {alias}_value")
    else:  # share
        hits = f"count(*) filter (where {c})"
        parts.append(f"{hits} as {alias}_numerator")
        parts.append(f"cast(100 * {hits} as double) / nullif(count({c}), 0) as {alias}_value")
    return parts


def _breakdown_sql(breakdowns: list[str], params: dict[str, object]) -> list[str]:
    """breakdown, breakdown_value and parent from grouping(): purchaser first, as its grouping
    set also holds its region."""
    ordered = sorted(breakdowns, key=lambda b: b != PURCHASER)
    names, values = [], []
    for breakdown in ordered:
        params[f"b_{breakdown}"] = breakdown
        names.append(f"when grouping({_q(breakdown)}) = 0 then $b_{breakdown}")
        values.append(f"when grouping({_q(breakdown)}) = 0 then {_q(breakdown)}")
    params["total"], params["all"] = TOTAL, ALL
    parent = f"case when grouping({_q(PURCHASER)}) = 0 then {_q(PARENT)} end"
    # an indicator published as a total only has no case to choose (nor may SQL have one)
    return [
        f"case {' '.join(names)} else $total end as breakdown" if names else "$total as breakdown",
        f"case {' '.join(values)} else $all end as breakdown_value"
        if values
        else "cast($all as varchar) as breakdown_value",
        f"{parent if PURCHASER in breakdowns else 'cast(null as varchar)'} as parent",
    ]


def _grouping_sets(breakdowns: list[str]) -> str:
    sets = ["(period)"]
    for breakdown in breakdowns:
        extra = f", {_q(PARENT)}" if breakdown == PURCHASER else ""
        sets.append(f"(period, {_q(breakdown)}{extra})")
    return ", ".join(sets)


def compose(
    relation: str, indicators: list[Indicator], columns: dict[str, str]
) -> tuple[str, dict[str, object], dict[tuple[str, str], str]]:
    """The one GROUPING SETS query of a population: its SQL, its parameters and the alias of
    each (measure, column) pair. ``columns`` are the view's columns (the allow-list)."""
    if columns.get("period") != "VARCHAR":
        raise ConfigError(f"{relation} has no text column 'period'")
    for indicator in indicators:
        _check_columns(indicator, columns)
    breakdowns = list(dict.fromkeys(b for i in indicators for b in i.breakdowns))
    aliases: dict[tuple[str, str], str] = {}
    for indicator in indicators:
        aliases.setdefault((indicator.measure, indicator.column), f"m{len(aliases)}")
    params: dict[str, object] = {m: QUANTILES[m] for m, _ in aliases if m in QUANTILES}
    measures = [
        part
        for (measure, column), alias in aliases.items()
        for part in _measure_sql(measure, column, columns[column], alias)
    ]
    parent = [PARENT] if PURCHASER in breakdowns else []
    read = dict.fromkeys([*breakdowns, *parent, *(column for _, column in aliases)])
    records = "".join(f", population.{_q(c)}" for c in read if c != "period")
    select = ",\n    ".join(["period", *_breakdown_sql(breakdowns, params), *measures])
    sql = (
        f"with records as (\n    select spine.period{records}\n    from quarter_spine as spine\n"
        f"    left join {warehouse.relation_name(relation)} as population\n"
        "        on spine.period = population.period\n)\n"
        f"select\n    {select}\nfrom records\ngroup by grouping sets ({_grouping_sets(breakdowns)})"
    )
    return sql, params, aliases


def _indicator_cells(wide: pl.DataFrame, indicator: Indicator, alias: str) -> pl.DataFrame:
    """One indicator's cells from its population's query, typed as MEASURE_CELLS_SCHEMA:
    only the breakdowns it publishes, a breakdown row only where its own n >= 1."""
    n = pl.col(f"{alias}_n")
    published = pl.col("breakdown").is_in([TOTAL, *indicator.breakdowns])
    frame = wide.filter(published & ((pl.col("breakdown") == TOTAL) | (n > 0)))
    value = n if indicator.measure == "count" else pl.col(f"{alias}_value")
    none = pl.lit(None)
    numerator = pl.col(f"{alias}_numerator") if indicator.measure == "share" else none
    largest = pl.col(f"{alias}_max") if indicator.measure == "sum" else none
    double = value if indicator.measure in QUANTILES else none
    return frame.select(
        pl.lit(indicator.id, dtype=pl.String).alias("indicator_id"),
        pl.col("period", "breakdown", "breakdown_value").cast(pl.String),
        n.cast(pl.Int64).alias("n"),
        value.cast(pl.Decimal(38, 10)).alias("value"),
        numerator.cast(pl.Int64).alias("numerator"),
        largest.cast(pl.Decimal(38, 2)).alias("max_record_value"),
        pl.col("parent").cast(pl.String),
        double.cast(pl.Float64).alias("value_double"),
    )


def population_cells(
    con: duckdb.DuckDBPyConnection, population: str, indicators: list[Indicator]
) -> pl.DataFrame:
    """The unrounded cells of ``indicators`` (all over ``population``): one query."""
    relation = f"pop_{population}"
    sql, params, aliases = compose(relation, indicators, population_columns(con, relation))
    wide = pl.from_arrow(con.sql(sql, params=params).to_arrow_table())
    parts = [_indicator_cells(wide, i, aliases[(i.measure, i.column)]) for i in indicators]
    return pl.concat(parts) if parts else pl.DataFrame(schema=MEASURE_CELLS_SCHEMA)
