"""Machine-readable outputs: the tidy CSVs, the Frictionless data package, the DCAT-US
catalog and the release manifest.

Every byte here is a function of the ``Release``: rows in the published total order,
CRLF line ends, fixed JSON key order, no wall-clock time and no absolute paths, so the same
release always gives the same files and the manifest hashes can be compared across runs.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from decimal import ROUND_HALF_EVEN, Decimal
from operator import itemgetter
from pathlib import Path
from typing import Any

import polars as pl

from arms_metrics import writers
from arms_metrics.cells import PUBLIC_COLUMNS, SORT_KEY
from arms_metrics.ingest.names import Names, load_names
from arms_metrics.release import Release
from arms_metrics.release_calendar import utc_text
from arms_metrics.site import catalog, codelists
from arms_metrics.site.fields import FIELDS, STATUSES
from arms_metrics.writers import json_bytes, write_bytes

WHOLE_UNITS = ("count", "usd")
MANIFEST = "manifest.json"
CSV_NAME = catalog.CSV_NAME

CELL_COLUMNS = [c for c in PUBLIC_COLUMNS if c not in ("breakdown_label", "status")]
_SORT_AT = [PUBLIC_COLUMNS.index(k) for k in SORT_KEY]


def format_value(value: Decimal | None, unit: str) -> str:
    """The one number formatter for CSV: fixed point, never an exponent, "" for None.

    Counts and usd are whole numbers, days and percent one decimal, rounding half-even (the
    engine has already rounded; this only fixes the number of decimals shown).
    """
    if value is None:
        return ""
    places = Decimal(1) if unit in WHOLE_UNITS else Decimal("0.1")
    text = format(Decimal(value).quantize(places, rounding=ROUND_HALF_EVEN), "f")
    return text[1:] if text.startswith("-") and not text.strip("-0.") else text


def _bool(flag: bool | None) -> str:
    return "true" if flag else "false"


def status(value: Decimal | None, suppressed: bool | None) -> str:
    """ok, suppressed, or not_applicable (no records, so the figure is undefined)."""
    if suppressed:
        return "suppressed"
    return "not_applicable" if value is None else "ok"


def _public_row(row: tuple, names: Names) -> list[str]:
    """One cell (a tuple in ``CELL_COLUMNS`` order) as the public columns' text."""
    indicator, period, year, quarter, breakdown, code, value, unit, n, suppressed, revised = row
    return [
        indicator,
        period,
        str(year),
        str(quarter),
        breakdown,
        names.public(breakdown, code),
        names.label(breakdown, code),
        format_value(value, unit),
        status(value, suppressed),
        unit,
        "" if n is None or suppressed else str(n),
        _bool(suppressed),
        _bool(revised),
    ]


def public_rows(cells: pl.DataFrame, names: Names) -> list[list[str]]:
    """The public columns of ``cells`` as text, with published codes and labels, sorted by
    the total key (of the published codes) in byte order (UTF-8 byte order is code point
    order, so the strings themselves are compared)."""
    rows = [_public_row(row, names) for row in cells.select(CELL_COLUMNS).iter_rows()]
    return sorted(rows, key=itemgetter(*_SORT_AT))


def csv_bytes(cells: pl.DataFrame, names: Names) -> bytes:
    """indicators.csv as bytes: header, UTF-8, CRLF, quoting only where RFC 4180 needs it."""
    return writers.csv_bytes(PUBLIC_COLUMNS, public_rows(cells, names))


def release_names(release: Release) -> Names:
    """The codes and labels of the release's reference folder (ingest/names.py)."""
    return load_names(release.config.reference_dir)


def release_dir(release: Release, site_dir: Path) -> Path:
    return Path(site_dir) / "releases" / release.period


def write_data(release: Release, site_dir: Path) -> None:
    """Write the tidy CSVs (latest and this release's), datapackage.json and data.json."""
    site_dir = Path(site_dir)
    data = csv_bytes(release.cells, release_names(release))
    write_bytes(site_dir / "data" / CSV_NAME, data)
    write_bytes(release_dir(release, site_dir) / "data" / CSV_NAME, data)
    codelists.write_code_lists(release_names(release), release.config.reference_dir, site_dir)
    write_bytes(site_dir / "data" / "datapackage.json", json_bytes(datapackage(release)))
    write_bytes(site_dir / "data.json", json_bytes(catalog.catalog(release)))


def _schema(release: Release) -> dict[str, Any]:
    registry = release.config.registry
    enums: dict[str, list[Any]] = {
        "indicator_id": sorted(registry.ids),
        "unit": ["count", "usd", "days", "percent"],
        "breakdown": sorted({"total", *registry.breakdown_labels}),
        "status": list(STATUSES),
    }
    fields = []
    for name, kind, description in FIELDS:
        field: dict[str, Any] = {"name": name, "type": kind, "description": description}
        if kind == "boolean":
            field.update(trueValues=["true"], falseValues=["false"])
        constraints: dict[str, Any] = {"required": True} if name not in ("value", "n") else {}
        if name in enums:
            constraints["enum"] = enums[name]
        if name == "fiscal_quarter":
            constraints.update(minimum=1, maximum=4)
        if constraints:
            field["constraints"] = constraints
        fields.append(field)
    return {"fields": fields, "primaryKey": list(SORT_KEY), "missingValues": [""]}


def indicator_notes(release: Release) -> str:
    """One line per indicator (id: title, unit): the registry in the data package."""
    return "\n".join(f"{i.id}: {i.title} ({i.unit})" for i in release.config.registry.indicators)


def datapackage(release: Release) -> dict[str, Any]:
    """A Frictionless Tabular Data Package describing data/indicators.csv."""
    pub = release.config.publication
    return {
        "profile": "tabular-data-package",
        "name": "arms-transfer-metrics",
        "title": pub.get("title", ""),
        "description": f"Quarterly aggregate indicators, release {release.period}.",
        "version": release.period,
        "licenses": [{"name": "CC0-1.0", "path": pub.get("license", "")}],
        "resources": [
            {
                "profile": "tabular-data-resource",
                "name": "indicators",
                "path": CSV_NAME,
                "title": "Published indicators, every quarter and breakdown",
                "description": indicator_notes(release),
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "dialect": {"delimiter": ",", "lineTerminator": "\r\n", "header": True},
                "schema": _schema(release),
            },
            *codelists.resources(),
        ],
    }


def sha256_file(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def release_files(release: Release, site_dir: Path) -> list[str]:
    """Relative paths of every file written for this release (other releases' folders and
    the manifest itself excluded), sorted in byte order."""
    site_dir = Path(site_dir)
    own = f"releases/{release.period}/"
    manifest = own + MANIFEST
    paths = []
    for path in site_dir.rglob("*"):
        rel = path.relative_to(site_dir).as_posix()
        if not path.is_file() or rel == manifest:
            continue
        if rel.startswith("releases/") and not rel.startswith(own):
            continue
        paths.append(rel)
    return sorted(paths, key=lambda p: p.encode("utf-8"))


def _inputs(release: Release) -> Iterable[dict[str, Any]]:
    for item in sorted(release.inputs, key=lambda i: (i.table, i.file_name)):
        yield {
            "table": item.table,
            "file_name": Path(item.file_name).name,
            "sha256": item.sha256,
            "rows_read": item.rows_read,
            "rows_accepted": item.rows_accepted,
            "rows_quarantined": item.rows_quarantined,
        }


def embargo_utc(release: Release) -> str:
    """The instant the release may be public, as an ISO instant in UTC: the one its first
    publication recorded, else its date at the calendar's time and zone."""
    moment = release.embargo or release.config.release_moment(release.quarter, release.release_date)
    return utc_text(moment)


def manifest(release: Release, site_dir: Path) -> dict[str, Any]:
    """The release manifest: what code and config made which files from which inputs."""
    site_dir = Path(site_dir)
    corrections = [
        {"date": c.date.isoformat(), "reason": c.reason, "cells": c.cells}
        | ({"replaces": c.replaces} if c.replaces else {})
        for c in release.corrections
    ]
    return {
        "release": release.period,
        "release_date": release.release_date.isoformat(),
        # the instant the release may be public (the calendar's time and zone at the build):
        # publish holds it until then, whatever configuration it is given later
        "embargo": embargo_utc(release),
        "code_version": release.version,
        "config_hash": release.config.raw_hash,
        "revised_against": release.revised_against,
        "extract_date": release.extract_date.isoformat() if release.extract_date else None,
        "synthetic": release.synthetic,
        "coverage": {table: q.label for table, q in sorted(release.coverage.items())},
        "unavailable": sorted(release.unavailable),
        "inputs": list(_inputs(release)),
        "outputs": [
            {"path": rel, "sha256": sha256_file(site_dir / rel)}
            for rel in release_files(release, site_dir)
        ],
    } | ({"corrections": corrections} if corrections else {})


def write_manifest(release: Release, site_dir: Path) -> None:
    """Write releases/<period>/manifest.json last, hashing every file of this release."""
    document = manifest(release, Path(site_dir))
    write_bytes(release_dir(release, Path(site_dir)) / MANIFEST, json_bytes(document))
