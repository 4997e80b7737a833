"""What the quarantine took from each indicator (``[quality] max_indicator_loss_share``).

A quarantine under a table's threshold can still land on one indicator: an export that
writes ``NULL`` for empty fields quarantines exactly the pending licenses, and
``lic_pending`` would publish 3.8 % low with no word. So ``run`` measures every indicator
whose sources lost rows twice, over the accepted rows and over the accepted plus the
quarantined rows (``Ingested.quarantined``: a value that broke its rule read as missing),
and compares the ``n`` of their total cells per quarter. The losses go to
``validation/summary.json`` (``indicator_loss``) and the report; a quarter where an
indicator lost more than the share of its records fails the run (exit 65) naming it.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from arms_metrics.cells import TOTAL
from arms_metrics.compute import indicators, placing, selectors, semantic, warehouse
from arms_metrics.config import Config, Indicator
from arms_metrics.errors import DataError
from arms_metrics.ingest.load import Ingested
from arms_metrics.ingest.report import write_summary
from arms_metrics.ingest.salvage import BROKEN, NAMED
from arms_metrics.quarters import Quarter

KEY = ["indicator_id", "period"]
LOSS_SCHEMA = {
    "indicator_id": pl.String(),
    "period": pl.String(),
    "records": pl.Int64(),
    "lost": pl.Int64(),
    "share": pl.Float64(),
}


def _total_n(
    tables: dict[str, pl.DataFrame], config: Config, quarter: Quarter, chosen: list[Indicator]
) -> tuple[pl.DataFrame, list[str]]:
    """(indicator_id, period, n) of the total cell of each chosen indicator, every quarter;
    and the quarters of the spine."""
    with warehouse.connect() as con:
        spine = indicators.prepare(con, tables, config, quarter)
        parts = [
            semantic.population_cells(con, population, members)
            for population, members in semantic.by_population(chosen).items()
        ]
    cells = pl.concat(parts)
    return cells.filter(pl.col("breakdown") == TOTAL).select(*KEY, "n"), [q.label for q in spine]


def worst_case(table: str, frame: pl.DataFrame) -> pl.DataFrame:
    """The quarantined rows of ``table`` with each column named by a broken rule between
    columns (``salvage.NAMED``) that places or selects a record (``placing.PLACING``,
    ``selectors.SELECTING``) treated as broken like a value that broke its own rule: read
    as missing and listed in ``BROKEN``, so the row is unplaced, or read with the value that
    selects it (tester's F1, F2: such a rule cannot tell which of its dates is wrong)."""
    if NAMED not in frame.columns:
        return frame
    counting = sorted(set(placing.PLACING.get(table, {})) | set(selectors.SELECTING.get(table, {})))
    named = pl.col(NAMED).list.eval(pl.element().filter(pl.element().is_in(counting)))
    blanks = [
        pl.when(pl.col(NAMED).list.contains(c)).then(None).otherwise(pl.col(c)).alias(c)
        for c in counting
        if c in frame.columns
    ]
    widened = pl.concat_list(BROKEN, named).list.unique().list.sort().alias(BROKEN)
    return frame.with_columns(*blanks, widened).drop(NAMED)


def _read_n(ingested: Ingested, config: Config, quarter: Quarter, chosen: list[Indicator]):
    """n over the accepted and quarantined rows, each population without the rows its placing
    date cannot place (placing.py) and with each broken selector read as the value that
    selects the row (selectors.py), a column named by a broken rule between columns counting
    as broken (``worst_case``); (cells, unplaced rows per indicator, spine)."""
    groups: dict[tuple, list[Indicator]] = {}
    quarantined = {t: worst_case(t, f) for t, f in ingested.quarantined.items()}
    for indicator in chosen:
        key = (
            placing.exclusion(indicator.population, indicator.sources, quarantined),
            selectors.imputation(indicator.id, indicator.sources, quarantined, config),
        )
        groups.setdefault(key, []).append(indicator)
    cells, spine, unplaced = [], set(), {}
    for (key, imputed), members in groups.items():
        every, left_out = {}, 0
        for table, frame in ingested.tables.items():
            extra = quarantined.get(table)
            if extra is None or not extra.height:
                every[table] = frame
                continue
            kept, out = placing.split(selectors.impute(extra, table, imputed), table, key)
            every[table], left_out = pl.concat([frame, kept]), left_out + out
        n, quarters = _total_n(every, config, quarter, members)
        cells.append(n)
        spine.update(quarters)
        unplaced |= {m.id: left_out for m in members}
    return pl.concat(cells), unplaced, sorted(spine)


def _where_counted(both: pl.DataFrame, quarter: Quarter) -> pl.DataFrame:
    """The quarters in which each indicator counts records; an indicator that counts none
    anywhere is shown in the release quarter (an unplaced row may be all it has)."""
    counted = (pl.col("n") > 0) | (pl.col("n_kept") > 0)
    anywhere = counted.any().over("indicator_id")
    return both.filter(counted | (~anywhere & (pl.col("period") == quarter.label)))


def measure(
    ingested: Ingested, config: Config, quarter: Quarter, coverage: dict | None = None
) -> pl.DataFrame:
    """LOSS_SCHEMA rows for every (indicator, quarter) that lost records, sorted. A row that
    cannot be placed counts as possibly lost in every quarter where the indicator counts
    records (worst case; ``_where_counted``). With ``coverage``, only the quarters from
    each indicator's series start (none before it is published)."""
    present, quarantined = ingested.tables, ingested.quarantined
    touched = {table for table, frame in quarantined.items() if frame.height}
    chosen = [
        indicator
        for indicator in config.registry.indicators
        if set(indicator.sources) <= set(present) and set(indicator.sources) & touched
    ]
    if not chosen:
        return pl.DataFrame(schema=LOSS_SCHEMA)
    kept, spine = _total_n(present, config, quarter, chosen)
    read, unplaced, spine_read = _read_n(ingested, config, quarter, chosen)
    grid = pl.DataFrame({"indicator_id": [i.id for i in chosen]}).join(
        pl.DataFrame({"period": sorted(set(spine) | set(spine_read))}), how="cross"
    )
    extra = pl.DataFrame({"indicator_id": list(unplaced), "u": list(unplaced.values())})
    both = (
        grid.join(read, on=KEY, how="left")
        .join(kept, on=KEY, how="left", suffix="_kept")
        .join(extra, on="indicator_id", how="left")
        .fill_null(0)
    )
    both = indicators.from_start(both, indicators.starts(chosen, coverage))
    both = _where_counted(both, quarter)
    lost = both.select(
        *KEY,
        (pl.col("n") + pl.col("u")).alias("records"),
        (pl.col("n") - pl.col("n_kept") + pl.col("u")).alias("lost"),
    )
    lost = lost.filter(pl.col("lost") > 0).with_columns(
        (pl.col("lost") / pl.col("records")).alias("share")
    )
    return lost.select(pl.col(c).cast(t) for c, t in LOSS_SCHEMA.items()).sort(KEY)


def _failure(over: pl.DataFrame, ingested: Ingested, config: Config, threshold: float):
    """Name the worst indicator, its quarter and loss, the others over the share, and the
    file with its first quarantined line."""
    worst = over.row(0, named=True)
    others = over["indicator_id"].unique(maintain_order=True).to_list()[1:]
    sources = config.registry.get(worst["indicator_id"]).sources
    table = next(t for t in sources if ingested.quarantined.get(t, pl.DataFrame()).height)
    info = ingested.summary["tables"][table]
    shown = ingested.examples.get(table) or [(None, None, None)]
    detail = (
        f"{worst['indicator_id']} lost {worst['lost']} of its {worst['records']} records in "
        f"{worst['period']} ({worst['share']:.2%}) to the quarantine, above [quality] "
        f"max_indicator_loss_share {threshold:.2%}"
        + (f" (also {', '.join(others)})" if others else "")
        + f"; see validation/report.html and quarantine/{table}.csv"
    )
    return DataError(info["file"], "indicator_loss", detail, shown[0][1])


def check(
    ingested: Ingested,
    config: Config,
    quarter: Quarter,
    work_dir: Path,
    coverage: dict | None = None,
) -> dict:
    """Measure the losses, add them to the validation summary and report, and fail (exit
    65) when an indicator lost more than its share in a quarter; the summary on success."""
    lost = measure(ingested, config, quarter, coverage)
    threshold = config.max_indicator_loss_share
    over = lost.filter(pl.col("share") > threshold).sort(
        ["share", *KEY], descending=[True, False, False]
    )
    rows = [dict(row, share=round(row["share"], 6)) for row in lost.iter_rows(named=True)]
    section = {"threshold": threshold, "status": "failed" if over.height else "ok", "lost": rows}
    summary = {**ingested.summary, "indicator_loss": section}
    if over.height:
        summary["status"] = "failed"
    write_summary(Path(work_dir), summary, ingested.examples)
    if over.height:
        raise _failure(over, ingested, config, threshold)
    return summary
