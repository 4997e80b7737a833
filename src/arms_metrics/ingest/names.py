"""Names: the one place a breakdown category gets its published code and its reader's name.

The cells keep the codes of the inputs (purchaser ``NA``, agency ``AIR_FORCE``) from ingest
to disclosure control. What a reader sees is decided here, for the pages and for every CSV
alike: ``Names.label`` gives "Namibia" or "Air Force", ``Names.public`` the code a CSV
publishes (a country's ISO 3166-1 alpha-3 code, ``NAM``: alpha-2 ``NA`` reads as missing in
pandas and R). ``Names.internal`` turns a published code back into the cells' code, so
releases published with alpha-2 codes and with alpha-3 codes both compare with the cells.

It sits beside the reference reader because it is made from the reference files and both
``site`` and ``publication`` use it.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

from arms_metrics.cells import TOTAL
from arms_metrics.ingest.reference import Reference, load_reference, public_code

TOTAL_LABEL = "Total"  # the label of breakdown "total", breakdown_value "All"

# Labels not in the reference files. Where a breakdown also has reference names (agencies),
# these shorter ones win: a table column reads "Air Force", not "Department of the Air Force".
FIXED_LABELS: dict[str, dict[str, str]] = {
    "agency": {"STATE": "State (DDTC)", "COMMERCE": "Commerce (BIS)"},
    "implementing_agency": {
        "AIR_FORCE": "Air Force",
        "ARMY": "Army",
        "NAVY": "Navy",
        "OTHER": "Other",
    },
    "priority_platform": {"true": "Priority platform", "false": "Other items"},
    "development_group": {"A": "Group A", "B": "Group B", "C": "Group C"},
    "funding_source": {
        "NATIONAL": "National funds",
        "FMF": "Foreign Military Financing",
        "BPC": "Building Partner Capacity",
    },
    "authority": {"AECA_36B": "AECA 36(b), FMS", "AECA_36C": "AECA 36(c), direct commercial"},
    "application_type": {
        "DSP-5": "DSP-5, permanent export",
        "DSP-61": "DSP-61, temporary import",
        "DSP-73": "DSP-73, temporary export",
        "DSP-85": "DSP-85, classified",
        "AGREEMENT": "Agreement (TAA, MLA, WDA)",
        "BIS-748P": "BIS-748P, license application",
    },
    "region": {
        "AF": "Africa",
        "EAP": "East Asia and Pacific",
        "EUR": "Europe and Eurasia",
        "NEA": "Near East",
        "SCA": "South and Central Asia",
        "WHA": "Western Hemisphere",
        "IO": "International organizations",
    },
}

# The control list each licensing agency's categories belong to.
CONTROL_LISTS = {"STATE": "USML Category", "COMMERCE": "CCL Category"}


@dataclass(frozen=True)
class Names:
    labels: dict[str, dict[str, str]]  # breakdown -> cell code -> reader's name
    codes: dict[str, dict[str, str]]  # breakdown -> cell code -> published code, where differ

    def label(self, breakdown: str, value: str) -> str:
        """The reader's name of a category; "Total" for the total; else the code itself."""
        if breakdown == TOTAL:
            return TOTAL_LABEL
        return self.labels.get(breakdown, {}).get(value, value)

    def public(self, breakdown: str, value: str) -> str:
        """The code a CSV publishes for a category (``NAM`` for the cells' ``NA``)."""
        return self.codes.get(breakdown, {}).get(value, value)

    def internal(self) -> dict[str, dict[str, str]]:
        """breakdown -> published code -> cell code: ``public`` the other way round."""
        return {b: {pub: own for own, pub in m.items()} for b, m in self.codes.items()}


def _reference_labels(reference: Reference) -> dict[str, dict[str, str]]:
    purchasers = reference.purchasers.iter_rows(named=True)
    agencies = dict(reference.agencies.select("code", "name").iter_rows())
    categories = {
        code: f"{CONTROL_LISTS.get(agency, agency)} {code}: {name}"
        for (agency, code), name in reference.category_names.items()
    }
    return {
        "purchaser": {row["code"]: row["name"] for row in purchasers},
        "implementing_agency": dict(agencies),
        "agency": dict(agencies),
        "control_category": categories,
    }


def names_from(reference: Reference) -> Names:
    labels = _reference_labels(reference)
    for breakdown, fixed in FIXED_LABELS.items():
        labels[breakdown] = labels.get(breakdown, {}) | fixed
    codes = {
        row["code"]: public_code(row)
        for row in reference.purchasers.iter_rows(named=True)
        if public_code(row) != row["code"]
    }
    return Names(labels, {"purchaser": codes})


@functools.cache
def load_names(reference_dir: Path) -> Names:
    """The names of the reference folder, read once per folder and run."""
    return names_from(load_reference(Path(reference_dir)))
