"""Build typed engine inputs from a few literal rows, and a config with a tiny reference.

Tests write only the columns that matter to them; every other column gets a dull default
listed here, so each hand-made table stays readable.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from arms_metrics.compute import indicators, warehouse
from arms_metrics.compute.warehouse import SOURCE_SCHEMAS
from arms_metrics.config import Config
from arms_metrics.quarters import Quarter

SQL_DIR = Path(__file__).resolve().parents[2] / "pipelines" / "quarterly" / "sql"

# The tests' own purchaser reference (never the real reference/purchasers.csv).
PURCHASERS_CSV = (
    "code,alpha3,name,region,kind,aliases\n"
    "GB,GBR,United Kingdom,EUR,country,UK\n"
    "FR,FRA,France,EUR,country,\n"
    "JP,JPN,Japan,EAP,country,\n"
    "SA,SAU,Saudi Arabia,NEA,country,KSA\n"
    "NATO,,North Atlantic Treaty Organization,IO,organization,\n"
)

DEFAULTS: dict[str, dict[str, Any]] = {
    "fms_lors": {"purchaser_code": "GB", "implementing_agency": "ARMY", "request_type": "LOA"},
    "fms_documents": {
        "case_id": "C1",
        "document_type": "LOA",
        "purchaser_code": "GB",
        "implementing_agency": "ARMY",
        "development_group": "A",
        "priority_platform": False,
        "value_usd": "1.00",
    },
    "fms_cases": {
        "purchaser_code": "GB",
        "implementing_agency": "ARMY",
        "funding_source": "NATIONAL",
        "priority_platform": False,
        "case_value_usd": "1.00",
    },
    "fms_deliveries": {"case_id": "C1", "delivered_value_usd": "1.00"},
    "congressional_notifications": {
        "purchaser": "United Kingdom",
        "purchaser_code": "GB",
        "authority": "AECA_36B",
        "description": "test",
        "estimated_value_usd": "1.00",
    },
    "export_licenses": {
        "agency": "STATE",
        "application_type": "DSP-5",
        "destination_code": "GB",
        "control_category": "IV",
        "referred": False,
    },
}


def _cell(value: Any, dtype: pl.DataType) -> Any:
    if value is None:
        return None
    if dtype == pl.Date() and isinstance(value, str):
        return dt.date.fromisoformat(value)
    if isinstance(dtype, pl.Decimal):
        return Decimal(str(value))
    return value


def frame(table: str, rows: list[dict[str, Any]]) -> pl.DataFrame:
    """A typed input table (docs/inputs.md columns) from literal rows plus defaults."""
    schema = SOURCE_SCHEMAS[table]
    unknown = {key for row in rows for key in row} - set(schema)
    assert not unknown, f"unknown columns {unknown}"
    columns = {
        name: [_cell({**DEFAULTS[table], **row}.get(name), dtype) for row in rows]
        for name, dtype in schema.items()
    }
    return pl.DataFrame(columns, schema=schema)


def config_with_reference(config: Config, tmp_path: Path) -> Config:
    """The repository config, but reading the tests' purchaser reference in ``tmp_path``."""
    (tmp_path / "reference").mkdir(exist_ok=True)
    (tmp_path / "reference" / "purchasers.csv").write_text(PURCHASERS_CSV, encoding="utf-8")
    sql = tmp_path / "sql"
    if not sql.exists():
        sql.symlink_to(SQL_DIR, target_is_directory=True)
    return dataclasses.replace(config, path=tmp_path / "pipeline.toml")


def cells_of(cells: pl.DataFrame, indicator_id: str) -> list[tuple]:
    """(period, breakdown, breakdown_value, value, n, parent) rows of one indicator."""
    rows = cells.filter(pl.col("indicator_id") == indicator_id)
    return [
        (p, b, v, x, n, parent)
        for p, b, v, x, n, parent in rows.select(
            "period", "breakdown", "breakdown_value", "value", "n", "parent"
        ).iter_rows()
    ]


@contextmanager
def populations(
    tables: dict[str, pl.DataFrame], config: Config, quarter: str
) -> Iterator[duckdb.DuckDBPyConnection]:
    """A warehouse with ``tables`` staged and every population view built (no measures)."""
    with warehouse.connect() as con:
        indicators.prepare(con, tables, config, Quarter.parse(quarter))
        yield con


def rows_of(con: duckdb.DuckDBPyConnection, relation: str, columns: str) -> list[tuple]:
    """``columns`` (comma-separated) of every row of a relation, ordered by them in turn."""
    return con.table(relation).project(columns).order(columns).fetchall()


def totals(computed: indicators.Computed, indicator_id: str) -> dict[str, tuple]:
    """period -> (value, n) of one indicator's total cells."""
    return {
        p: (v, n) for p, b, _, v, n, _ in cells_of(computed.cells, indicator_id) if b == "total"
    }
