"""The code lists of the data package: every code indicators.csv can hold, with its name.

Written by code from the reference files under ``site/data/codes/`` (purchasers, agencies,
control categories, regions), each sorted by its key in byte order, and described as
Frictionless tabular resources in ``datapackage.json``. A purchaser's ``code`` is the one
``breakdown_value`` publishes (alpha-3 for a country, the reference code for an
organization); ``alpha2`` is there for joins with older files. Note for pandas users:
``alpha2`` holds ``NA`` (Namibia), which ``pandas.read_csv`` reads as missing unless
``keep_default_na=False``; ``code`` never does.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from arms_metrics import writers
from arms_metrics.ingest.names import FIXED_LABELS, Names
from arms_metrics.ingest.reference import load_reference, public_code
from arms_metrics.writers import write_bytes

FOLDER = "codes"

# name -> (title, columns as (name, description, required), primary key); all strings
LISTS: dict[str, tuple[str, list[tuple[str, str, bool]], list[str]]] = {
    "purchasers": (
        "Purchasers: countries and international organizations",
        [
            ("code", "Code in indicators.csv: ISO 3166-1 alpha-3, or an organization's.", True),
            (
                "alpha2",
                "ISO 3166-1 alpha-2 code (Kosovo XK); empty for an organization. "
                "Namibia's is NA, which pandas and R read as missing by default: read this "
                "column with keep_default_na=False (pandas) or na = character() (readr).",
                False,
            ),
            ("alpha3", "ISO 3166-1 alpha-3 code (Kosovo XKX); empty for an organization.", False),
            ("name", "Name, as breakdown_label gives it.", True),
            ("region", "State Department regional bureau (see regions.csv).", True),
            ("kind", "country or organization.", True),
        ],
        ["code"],
    ),
    "agencies": (
        "Implementing and licensing agencies",
        [
            ("code", "Code in indicators.csv (implementing_agency, agency).", True),
            ("name", "Full name.", True),
            ("label", "Short name, as breakdown_label gives it.", True),
            ("kind", "implementing (FMS) or licensing (export licenses).", True),
        ],
        ["code"],
    ),
    "control_categories": (
        "Control categories: USML (State) and CCL (Commerce)",
        [
            ("agency", "Licensing agency: STATE (USML) or COMMERCE (CCL).", True),
            ("code", "Category code in indicators.csv (control_category).", True),
            ("name", "Name of the category.", True),
            ("label", "As breakdown_label gives it.", True),
        ],
        ["agency", "code"],
    ),
    "regions": (
        "Regions: State Department regional bureaus",
        [
            ("code", "Code in indicators.csv (region) and purchasers.csv.", True),
            ("label", "Name, as breakdown_label gives it.", True),
        ],
        ["code"],
    ),
}


def _sorted(rows: list[list[str]], width: int) -> list[list[str]]:
    return sorted(rows, key=lambda row: tuple(cell.encode("utf-8") for cell in row[:width]))


def code_rows(names: Names, reference_dir: Path) -> dict[str, list[list[str]]]:
    """The rows of each code list, in the columns of ``LISTS``, sorted by their key."""
    ref = load_reference(Path(reference_dir))
    purchasers = [
        [
            public_code(r),
            r["code"] if r["kind"] == "country" else "",
            r["alpha3"],
            r["name"],
            r["region"],
            r["kind"],
        ]
        for r in ref.purchasers.iter_rows(named=True)
    ]
    agencies = [
        [
            code,
            name,
            names.label("agency" if kind == "licensing" else "implementing_agency", code),
            kind,
        ]
        for code, name, kind in ref.agencies.select("code", "name", "kind").iter_rows()
    ]
    categories = [
        [agency, code, name, names.label("control_category", code)]
        for (agency, code), name in ref.category_names.items()
    ]
    regions = [[code, label] for code, label in FIXED_LABELS["region"].items()]
    return {
        "purchasers": _sorted(purchasers, 1),
        "agencies": _sorted(agencies, 1),
        "control_categories": _sorted(categories, 2),
        "regions": _sorted(regions, 1),
    }


def write_code_lists(names: Names, reference_dir: Path, site_dir: Path) -> None:
    """Write ``site/data/codes/<list>.csv`` (UTF-8, CRLF, the one CSV writer)."""
    for name, rows in code_rows(names, reference_dir).items():
        header = [column for column, _, _ in LISTS[name][1]]
        write_bytes(
            Path(site_dir) / "data" / FOLDER / f"{name}.csv", writers.csv_bytes(header, rows)
        )


def resources() -> list[dict[str, Any]]:
    """The Frictionless tabular resources of the code lists, paths relative to data/."""
    out = []
    for name, (title, columns, key) in LISTS.items():
        fields = [
            {"name": column, "type": "string", "description": text}
            | ({"constraints": {"required": True}} if required else {})
            for column, text, required in columns
        ]
        out.append(
            {
                "profile": "tabular-data-resource",
                "name": name.replace("_", "-"),
                "path": f"{FOLDER}/{name}.csv",
                "title": title,
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "dialect": {"delimiter": ",", "lineTerminator": "\r\n", "header": True},
                "schema": {"fields": fields, "primaryKey": key, "missingValues": [""]},
            }
        )
    return out
