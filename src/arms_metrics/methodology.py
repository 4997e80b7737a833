"""The methodology page's own words (``pipelines/quarterly/methodology.toml``): a plain
summary, the glossary, what the figures are not, known limitations, the symbols of the
tables and the legal basis of every processing target.

Read once with the pipeline configuration (``config.load_config``), so a missing or
malformed file stops the run before any work (``ConfigError``, exit 78, naming the file and
the key). The shapes are checked here; the page (``site/pages.py``) only lays them out.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from arms_metrics.errors import ConfigError

LISTS = ("summary", "not_measures", "limitations")
TABLES = {"glossary": ("term", "name", "text"), "symbols": ("symbol", "name", "text")}


@dataclass(frozen=True)
class Methodology:
    """Texts of the methodology page: paragraphs and items as plain strings; ``glossary``
    and ``symbols`` as (term or symbol, name, text); ``basis`` as {target table: {key: text}}
    for every target of ``pipeline.toml``."""

    summary: tuple[str, ...]
    not_measures: tuple[str, ...]
    limitations: tuple[str, ...]
    glossary: tuple[tuple[str, str, str], ...]
    symbols: tuple[tuple[str, str, str], ...]
    basis: dict[str, dict[str, str]]


def load(path: Path, targets: dict[str, dict[str, Any]]) -> tuple[Methodology, bytes]:
    """The texts of ``path`` and its bytes (for the configuration hash). ``targets`` is
    ``pipeline.toml``'s ``[targets]``: each of its keys needs a basis, and only those."""
    try:
        raw = path.read_bytes()
        data = tomllib.loads(raw.decode("utf-8"))
    except FileNotFoundError as exc:
        raise ConfigError(f"{path}: methodology file not found") from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from exc
    unknown = sorted(set(data) - {*LISTS, *TABLES, "basis"})
    if unknown:
        raise ConfigError(f"{path}: unknown key {unknown[0]!r}")
    texts = {key: _strings(path, key, data.get(key)) for key in LISTS}
    tables = {key: _rows(path, key, data.get(key), fields) for key, fields in TABLES.items()}
    return Methodology(**texts, **tables, basis=_basis(path, data.get("basis"), targets)), raw


def _strings(path: Path, key: str, value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not value or not all(_text(v) for v in value):
        raise ConfigError(f"{path}: {key} must be a list of non-empty strings")
    return tuple(value)


def _rows(path: Path, key: str, value: Any, fields: tuple[str, ...]) -> tuple:
    if not isinstance(value, list) or not value:
        raise ConfigError(f"{path}: [[{key}]] entries are missing")
    rows = []
    for number, row in enumerate(value, start=1):
        if not isinstance(row, dict) or set(row) != set(fields):
            raise ConfigError(f"{path}: [[{key}]] entry {number} needs exactly {fields}")
        if not all(_text(row[f]) for f in fields):
            raise ConfigError(f"{path}: [[{key}]] entry {number} has an empty or non-text value")
        rows.append(tuple(row[f] for f in fields))
    return tuple(rows)


def _basis(path: Path, value: Any, targets: dict[str, dict[str, Any]]) -> dict:
    """{table: {key: text}}, exactly the tables and keys of ``[targets]``."""
    value = value if isinstance(value, dict) else {}
    for table, keys in targets.items():
        given = value.get(table) if isinstance(value.get(table), dict) else {}
        missing = sorted(set(keys) - set(given))
        if missing:
            raise ConfigError(f"{path}: [basis.{table}] needs {missing[0]} (a target in use)")
    for table, given in value.items():
        extra = (
            sorted(set(given) - set(targets.get(table, {}))) if isinstance(given, dict) else [""]
        )
        if extra or not all(_text(t) for t in given.values()):
            raise ConfigError(f"{path}: [basis.{table}] names no target in use or has no text")
    return {table: dict(sorted(keys.items())) for table, keys in sorted(value.items())}


def _text(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())
