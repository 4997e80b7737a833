"""What disclosure control cost: the share of cells suppressed, overall, by indicator family
and by breakdown, for ``<work>/disclosure/summary.json`` and the methodology page."""

from __future__ import annotations

from typing import Any

import polars as pl

from arms_metrics.config import Config


def _shares(frame: pl.DataFrame, by: str | None) -> Any:
    """{cells, suppressed, share} overall (``by`` None) or per value of column ``by``."""
    keys = [by] if by else []
    table = frame.group_by(keys).agg(
        pl.len().alias("cells"), pl.col("suppressed").sum().alias("suppressed")
    ) if keys else frame.select(
        pl.len().alias("cells"), pl.col("suppressed").sum().alias("suppressed")
    )  # fmt: skip
    rows = {
        (row[by] if by else None): {
            "cells": int(row["cells"]),
            "suppressed": int(row["suppressed"]),
            "share": round(row["suppressed"] / row["cells"], 4) if row["cells"] else 0.0,
        }
        for row in table.iter_rows(named=True)
    }
    return rows[None] if not by else dict(sorted(rows.items()))


def suppression_summary(cells: pl.DataFrame, config: Config) -> dict[str, Any]:
    """Shares of cells suppressed in a protected cell table (CELL_SCHEMA)."""
    families = {i.id: i.family for i in config.registry.indicators}
    frame = cells.select(
        pl.col("indicator_id").replace_strict(families, return_dtype=pl.String).alias("family"),
        "breakdown",
        pl.col("suppressed").fill_null(False),
    )
    return {
        "overall": _shares(frame, None),
        "by_family": _shares(frame, "family"),
        "by_breakdown": _shares(frame, "breakdown"),
    }
