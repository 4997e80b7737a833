"""The DuckDB side of the indicator engine: connect, load frames, run SQL models, run checks.

SQL lives in ``pipelines/quarterly/sql/<layer>/<relation>.sql``, one select per file, the
file stem being the relation name; the layers are staging, intermediate, populations (the
views the semantic layer measures, see ``semantic``) and checks. Here, relation names are
the only identifiers ever put into SQL text, and only after they pass ``RELATION_NAME`` (an
allow-list pattern); values reach SQL exclusively as loaded tables (params, spine,
targets), never as formatted text. Layers run in a fixed order; within a layer a model runs
after the models it names.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

import duckdb
import polars as pl

from arms_metrics.errors import CheckFailed, ConfigError, DataError
from arms_metrics.ingest.schemas import COLUMNS, KIND_DTYPES

RELATION_NAME = re.compile(r"[a-z][a-z0-9_]*")
LAYERS = ("staging", "intermediate", "populations", "checks")
# Staging models are thin views over the loaded inputs; intermediate models are read by
# several populations, so they are materialised once; each population view is read exactly
# once, by the one query that computes all its measures (compute/semantic.py).
MATERIALISATION = {"staging": "view", "intermediate": "table", "populations": "view"}

# docs/inputs.md: the engine's input columns and their types, in order (the same
# contract ingest validates against, so the two cannot drift apart).
SOURCE_SCHEMAS: dict[str, dict[str, pl.DataType]] = {
    table: {column: KIND_DTYPES[kind] for column, kind in columns.items()}
    for table, columns in COLUMNS.items()
}


def connect(threads: int | None = None) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB that never downloads extensions (runs must work offline)."""
    settings: dict[str, object] = {
        "autoinstall_known_extensions": False,
        "autoload_known_extensions": False,
    }
    if threads is not None:
        settings["threads"] = threads
    return duckdb.connect(":memory:", config=settings)


def seal(con: duckdb.DuckDBPyConnection) -> None:
    """Once the inputs are loaded: no file, network or extension access from SQL, and no
    setting may change again (a model that reads a file or a URL fails)."""
    con.execute("set enable_external_access = false")
    con.execute("set lock_configuration = true")


def relation_name(name: str) -> str:
    """Return ``name`` if it may be used as an identifier in SQL text, else fail loudly."""
    if not RELATION_NAME.fullmatch(name):
        raise ConfigError(f"not an allowed relation name: {name!r}")
    return name


def load_frame(con: duckdb.DuckDBPyConnection, name: str, frame: pl.DataFrame) -> None:
    """Copy a polars frame into a DuckDB table ``name`` (replacing it), types preserved."""
    table = relation_name(name)
    view = f"_load_{table}"
    con.register(view, frame.to_arrow())
    try:
        con.execute(f"create or replace table {table} as select * from {view}")
    finally:
        con.unregister(view)


def conform_source(table: str, frame: pl.DataFrame | None) -> pl.DataFrame:
    """The input table in the engine's column order and types; empty when absent.

    A missing table becomes an empty one so that every model still runs; its indicators are
    reported unavailable by the engine, not as zero.
    """
    schema = SOURCE_SCHEMAS[table]
    if frame is None:
        return pl.DataFrame(schema=schema)
    missing = [column for column in schema if column not in frame.columns]
    if missing:
        raise DataError(table, "required column", f"missing column {missing[0]!r}")
    try:
        return frame.select(pl.col(c).cast(t, strict=True) for c, t in schema.items())
    except pl.exceptions.PolarsError as exc:
        raise DataError(table, "column type", str(exc).splitlines()[0]) from exc


def load_sources(con: duckdb.DuckDBPyConnection, tables: dict[str, pl.DataFrame]) -> None:
    """Expose every input table the SQL reads, the absent ones empty.

    The inputs are registered as views over their Arrow buffers, not copied: at ~10 million
    license rows a copy would double the memory, and staging reads each input once. Text
    goes as Arrow string views, polars' own layout (the default, large strings, would copy
    every text column).
    """
    for table in SOURCE_SCHEMAS:
        frame = conform_source(table, tables.get(table))
        con.register(relation_name(table), frame.to_arrow(compat_level=pl.CompatLevel.newest()))


def models(sql_dir: Path, layer: str) -> list[Path]:
    """The SQL files of one layer, in run order (dependencies first, then by name)."""
    if layer not in LAYERS:
        raise ConfigError(f"unknown SQL layer {layer!r}")
    paths = sorted((sql_dir / layer).glob("*.sql"))
    for path in paths:
        relation_name(path.stem)
    return _dependency_order(paths)


def _dependency_order(paths: list[Path]) -> list[Path]:
    """Topological order of models by the other models' names appearing in their text."""
    texts = {path.stem: path.read_text(encoding="utf-8") for path in paths}
    needs = {
        stem: {other for other in texts if other != stem and re.search(rf"\b{other}\b", text)}
        for stem, text in texts.items()
    }
    ordered: list[str] = []
    while needs:
        ready = sorted(stem for stem, deps in needs.items() if deps <= set(ordered))
        if not ready:
            raise ConfigError(f"SQL models depend on each other in a cycle: {sorted(needs)}")
        ordered.append(ready[0])
        del needs[ready[0]]
    by_stem = {path.stem: path for path in paths}
    return [by_stem[stem] for stem in ordered]


def run_model(con: duckdb.DuckDBPyConnection, path: Path, materialisation: str) -> None:
    """Create the relation named after ``path`` from the file's single select."""
    name = relation_name(path.stem)
    if materialisation not in ("view", "table"):
        raise ConfigError(f"unknown materialisation {materialisation!r}")
    query = path.read_text(encoding="utf-8").strip().rstrip(";")
    con.execute(f"create or replace {materialisation} {name} as {query}")


def run_layer(
    con: duckdb.DuckDBPyConnection,
    sql_dir: Path,
    layer: str,
    only: Iterable[str] | None = None,
    skip: Iterable[str] = (),
) -> list[str]:
    """Run a layer's models (only the named ones, less the skipped); return those made."""
    wanted = None if only is None else set(only)
    skipped = set(skip)
    made = []
    for path in models(sql_dir, layer):
        if (wanted is None or path.stem in wanted) and path.stem not in skipped:
            run_model(con, path, MATERIALISATION[layer])
            made.append(path.stem)
    return made


def fetch(con: duckdb.DuckDBPyConnection, relation: str) -> pl.DataFrame:
    """Every row of a relation as a polars frame (relation name from the allow-list)."""
    return pl.from_arrow(con.sql(f"select * from {relation_name(relation)}").to_arrow_table())


def run_checks(con: duckdb.DuckDBPyConnection, sql_dir: Path) -> None:
    """Run every check in ``sql/checks``; a check that returns rows stops the run."""
    for path in models(sql_dir, "checks"):
        query = path.read_text(encoding="utf-8").strip().rstrip(";")
        sample = con.sql(query).limit(3)
        rows = sample.fetchall()
        if rows:
            shown = "; ".join(str(dict(zip(sample.columns, row, strict=True))) for row in rows)
            raise CheckFailed(f"check {path.stem} failed: {shown}")
