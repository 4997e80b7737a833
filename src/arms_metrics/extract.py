"""What the extract says about itself: ``extract.toml`` in the input folder, and coverage.

``extract.toml`` holds ``synthetic = true|false``, ``extract_date = "YYYY-MM-DD"`` and a
``[coverage]`` table, ``<table> = "FY2017-Q1"``: the first quarter from which the extract
holds every record of that table (for stocks: every record still open then). Coverage may
also be declared in ``pipeline.toml`` (``Config.coverage``); the input folder's declaration
wins, table by table. A table present without a declared coverage stops the run (exit 78):
inferring it from the data gave false history (docs/inputs.md, "extract.toml").
"""

from __future__ import annotations

import datetime as dt
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from arms_metrics.errors import ConfigError, UsageError
from arms_metrics.quarters import Quarter, iso_date

FILE_NAME = "extract.toml"
KEYS = ("synthetic", "extract_date", "coverage")


@dataclass(frozen=True)
class Extract:
    """The extract's own declarations; the defaults stand for an input without the file."""

    synthetic: bool = False
    extract_date: dt.date | None = None
    coverage: dict[str, Quarter] = field(default_factory=dict)
    path: Path | None = None


def parse_coverage(section: object, where: str, tables: Iterable[str]) -> dict[str, Quarter]:
    """``[coverage]`` as table -> first covered quarter; ConfigError (exit 78) naming
    ``where`` and the key on an unknown table or a value that is not a fiscal quarter."""
    if not isinstance(section, dict):
        raise ConfigError(f'{where}: coverage must be a table: [coverage] <table> = "FY2017-Q1"')
    known = tuple(tables)
    out: dict[str, Quarter] = {}
    for table, value in section.items():
        if table not in known:
            raise ConfigError(
                f"{where}: [coverage] {table}: unknown table (expected one of {', '.join(known)})"
            )
        try:
            if not isinstance(value, str):
                raise ValueError(value)
            out[table] = Quarter.parse(value)
        except ValueError:
            raise ConfigError(
                f"{where}: [coverage] {table}: {value!r} is not a fiscal quarter "
                '(expected e.g. "FY2017-Q1")'
            ) from None
    return out


def _extract_date(value: object, where: str) -> dt.date:
    try:
        return iso_date(value)
    except ValueError:
        raise ConfigError(
            f'{where}: extract_date: {value!r} is not a date (expected "YYYY-MM-DD")'
        ) from None


def _parse(data: dict[str, Any], where: str, tables: Iterable[str]) -> dict[str, Any]:
    unknown = sorted(set(data) - set(KEYS))
    if unknown:
        raise ConfigError(
            f"{where}: unknown key {unknown[0]!r} (expected synthetic, extract_date, [coverage])"
        )
    synthetic = data.get("synthetic", False)
    if not isinstance(synthetic, bool):
        raise ConfigError(f"{where}: synthetic: {synthetic!r} must be true or false")
    date = data.get("extract_date")
    return {
        "synthetic": synthetic,
        "extract_date": None if date is None else _extract_date(date, where),
        "coverage": parse_coverage(data.get("coverage", {}), where, tables),
    }


def read_extract(input_dir: Path, tables: Iterable[str]) -> Extract:
    """The input folder's ``extract.toml`` (the defaults without one, or when ``input_dir``
    is not a folder: ingest then says why); exit 78 on a malformed file."""
    path = Path(input_dir) / FILE_NAME
    if not Path(input_dir).is_dir() or not path.is_file():
        return Extract()
    where = str(path)
    try:
        data = tomllib.loads(path.read_bytes().decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{where}: not valid TOML: {exc}") from None
    except OSError as exc:
        raise ConfigError(f"{where}: cannot be read ({exc.strerror})") from None
    return Extract(**_parse(data, where, tables), path=path)


def declared_coverage(
    present: Iterable[str], extract: Extract, standing: Mapping[str, Quarter], where: str
) -> dict[str, Quarter]:
    """The coverage of every table ``present``: ``extract.toml``'s, else ``pipeline.toml``'s
    (``standing``); exit 78 naming the first table with neither and the line to add
    (``where``: the input folder, as the user gave it)."""
    out: dict[str, Quarter] = {}
    for table in present:
        quarter = extract.coverage.get(table, standing.get(table))
        if quarter is None:
            raise ConfigError(
                f"table {table} has no declared coverage: add [coverage] {table} = "
                f'"<first complete quarter, e.g. FY2017-Q1>" to {where} or pipeline.toml'
            )
        out[table] = quarter
    return out


def default_quarter(extract: Extract, today: dt.date) -> Quarter:
    """The latest quarter that ended on or before the extract date when declared, else the
    latest that ended before ``today``."""
    if extract.extract_date is None:
        return Quarter.latest_ended(today)
    return Quarter.of(extract.extract_date + dt.timedelta(days=1)).previous()


def check_covered(quarter: Quarter, coverage: Mapping[str, Quarter]) -> None:
    """A release for a quarter before the coverage of every table present is refused (exit 2)."""
    first = min(coverage.values(), default=None)
    if first is not None and quarter < first:
        raise UsageError(
            f"{quarter} is before the coverage of every input table: the input covers {first} on"
        )


def series_start(sources: Iterable[str], coverage: Mapping[str, Quarter]) -> Quarter:
    """An indicator's first quarter: the latest coverage start of its sources."""
    return max(coverage[s] for s in sources)
