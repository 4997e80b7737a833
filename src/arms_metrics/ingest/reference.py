"""The small reference files: purchasers (codes, names, aliases, regions), agencies, categories.

They live in ``pipelines/quarterly/reference/`` because they are data a statistician edits,
not code. A broken reference file is a configuration error (exit 78), not a data error:
the input is not at fault. Purchaser names published in congressional notifications are
matched to codes through ``normalise_name`` only, so a name is either found or quarantined,
never guessed.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from arms_metrics.errors import ConfigError

REGIONS = ("AF", "EAP", "EUR", "NEA", "SCA", "WHA", "IO")
PURCHASER_KINDS = ("country", "organization")
AGENCY_KINDS = ("implementing", "licensing")

PURCHASERS_HEADER = ["code", "alpha3", "name", "region", "kind", "aliases"]
AGENCIES_HEADER = ["code", "name", "kind"]
CATEGORIES_HEADER = ["agency", "code", "name"]

_NOT_ALNUM = re.compile(r"[^0-9a-z]+")
_ALPHA3 = re.compile(r"[A-Z]{3}")


def normalise_name(text: str) -> str:
    """The one normalisation for purchaser-name lookups.

    Accents, case, punctuation and spacing vary between publications of the same name
    ("Côte d'Ivoire", "COTE D'IVOIRE", "Korea,  Republic of"); word order and wording do
    not, so those differences must be listed as aliases rather than guessed.
    """
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    lowered = stripped.casefold().replace("&", " and ")
    return _NOT_ALNUM.sub(" ", lowered).strip()


@dataclass(frozen=True)
class Reference:
    """Everything the reference folder says, ready for vectorised lookups."""

    purchasers: pl.DataFrame  # code, alpha3, name, region, kind; sorted by code
    aliases: dict[str, str]  # normalised name or alias -> code
    agencies: pl.DataFrame  # code, name, kind (implementing | licensing); file order
    categories: dict[str, tuple[str, ...]]  # licensing agency -> control categories
    category_names: dict[tuple[str, str], str]  # (agency, category) -> readable name

    @property
    def purchaser_codes(self) -> list[str]:
        return self.purchasers["code"].to_list()

    def code_for(self, name: str | None) -> str | None:
        """The purchaser code for a published name, or None when the name is unknown."""
        if name is None:
            return None
        return self.aliases.get(normalise_name(name))

    def agency_codes(self, kind: str) -> list[str]:
        return self.agencies.filter(pl.col("kind") == kind)["code"].to_list()


def _read_rows(path: Path, header: list[str]) -> list[dict[str, str]]:
    """Rows of a small reference CSV as stripped strings, after checking its header."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError as exc:
        raise ConfigError(f"{path}: reference file not found") from exc
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8: {exc}") from exc
    reader = csv.reader(io.StringIO(text, newline=""))
    found = [name.strip() for name in next(reader, [])]
    if found != header:
        raise ConfigError(f"{path}: header must be {','.join(header)}, found {','.join(found)}")
    rows = []
    for number, row in enumerate(reader, start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            raise ConfigError(f"{path}:{number}: expected {len(header)} fields, got {len(row)}")
        rows.append({key: cell.strip() for key, cell in zip(header, row, strict=True)})
    return rows


def _unique(path: Path, keys: list[tuple[str, ...]]) -> None:
    seen: set[tuple[str, ...]] = set()
    for key in keys:
        if key in seen:
            raise ConfigError(f"{path}: duplicate entry {'/'.join(key)}")
        seen.add(key)


def public_code(row: dict[str, str]) -> str:
    """The code a purchaser is published under: a country's ISO 3166-1 alpha-3 code, an
    organization's reference code (alpha-2 ``NA``, Namibia, reads as missing in pandas/R)."""
    return row["alpha3"] if row["kind"] == "country" else row["code"]


def _check_alpha3(path: Path, rows: list[dict[str, str]]) -> None:
    """A country has three capital letters in ``alpha3``, an organization none; the
    published codes (``public_code``) are unique, so none can stand for two purchasers."""
    for row in rows:
        country = row["kind"] == "country"
        if country != bool(_ALPHA3.fullmatch(row["alpha3"])) or (row["alpha3"] and not country):
            raise ConfigError(
                f"{path}: {row['code']}: alpha3 must be 3 capital letters for a country "
                f"and empty for an organization, found {row['alpha3']!r}"
            )
    _unique(path, [(public_code(row),) for row in rows])


def _load_purchasers(path: Path) -> tuple[pl.DataFrame, dict[str, str]]:
    rows = _read_rows(path, PURCHASERS_HEADER)
    _unique(path, [(row["code"],) for row in rows])
    aliases: dict[str, str] = {}
    for row in rows:
        if not row["code"] or not row["name"]:
            raise ConfigError(f"{path}: purchaser without code or name: {row}")
        if row["region"] not in REGIONS or row["kind"] not in PURCHASER_KINDS:
            raise ConfigError(f"{path}: {row['code']}: bad region or kind")
        names = [row["name"], *(a for a in row["aliases"].split("|") if a.strip())]
        for name in names:
            key = normalise_name(name)
            if aliases.setdefault(key, row["code"]) != row["code"]:
                raise ConfigError(
                    f"{path}: name {name!r} is used by both {aliases[key]} and {row['code']}"
                )
    _check_alpha3(path, rows)
    frame = pl.DataFrame(
        {key: [row[key] for row in rows] for key in PURCHASERS_HEADER[:5]},
        schema={key: pl.String for key in PURCHASERS_HEADER[:5]},
    ).sort("code")
    return frame, aliases


def _load_agencies(path: Path) -> pl.DataFrame:
    rows = _read_rows(path, AGENCIES_HEADER)
    _unique(path, [(row["code"],) for row in rows])
    if any(row["kind"] not in AGENCY_KINDS for row in rows):
        raise ConfigError(f"{path}: kind must be one of {', '.join(AGENCY_KINDS)}")
    return pl.DataFrame(
        {key: [row[key] for row in rows] for key in AGENCIES_HEADER},
        schema={key: pl.String for key in AGENCIES_HEADER},
    )


def _load_categories(
    path: Path, licensing: list[str]
) -> tuple[dict[str, tuple[str, ...]], dict[tuple[str, str], str]]:
    rows = _read_rows(path, CATEGORIES_HEADER)
    _unique(path, [(row["agency"], row["code"]) for row in rows])
    categories: dict[str, list[str]] = {agency: [] for agency in licensing}
    for row in rows:
        if row["agency"] not in categories:
            raise ConfigError(f"{path}: {row['agency']} is not a licensing agency")
        categories[row["agency"]].append(row["code"])
    names = {(row["agency"], row["code"]): row["name"] for row in rows}
    return {agency: tuple(codes) for agency, codes in categories.items()}, names


def load_reference(reference_dir: Path) -> Reference:
    """Read purchasers.csv, agencies.csv and categories.csv; a bad file is a ConfigError."""
    reference_dir = Path(reference_dir)
    purchasers, aliases = _load_purchasers(reference_dir / "purchasers.csv")
    agencies = _load_agencies(reference_dir / "agencies.csv")
    licensing = agencies.filter(pl.col("kind") == "licensing")["code"].to_list()
    categories, names = _load_categories(reference_dir / "categories.csv", licensing)
    return Reference(purchasers, aliases, agencies, categories, names)
