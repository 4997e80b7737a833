"""The data dictionary of indicators.csv and of every per-table CSV.

One tuple per column, in the published order: (column, Table Schema type, description).
The data package (``downloads.datapackage``) and the methodology page both read it, so
they always say the same thing.
"""

from __future__ import annotations

from arms_metrics.cells import REVISED_WHEN

FIELDS: tuple[tuple[str, str, str], ...] = (
    ("indicator_id", "string", "Stable id of the indicator (see the methodology page)."),
    ("period", "string", "US federal fiscal quarter, e.g. FY2026-Q2 (January to March 2026)."),
    ("fiscal_year", "integer", "Federal fiscal year (FY2026 runs 2025-10-01 to 2026-09-30)."),
    ("fiscal_quarter", "integer", "Quarter of the fiscal year, 1 to 4 (Q1 is October-December)."),
    ("breakdown", "string", "'total', or the name of the breakdown the row belongs to."),
    (
        "breakdown_value",
        "string",
        "'All' for the total, else the code of the category within the breakdown. Purchasers "
        "by ISO 3166-1 alpha-3 code (NAM for Namibia), organizations by their own code "
        "(NATO); the code lists under codes/ give every code with its name.",
    ),
    (
        "breakdown_label",
        "string",
        "The name a person reads for breakdown_value, as the pages show it: 'Total' for the "
        "total, 'Namibia' for NAM, 'Air Force' for AIR_FORCE.",
    ),
    (
        "value",
        "number",
        "The figure, in the unit of the row: counts and US dollars whole, days and percent to "
        "one decimal (half-even rounding). Empty when suppressed or not applicable.",
    ),
    (
        "status",
        "string",
        "ok (value given); suppressed (withheld to protect confidentiality); not_applicable "
        "(no records, so a median or percent is undefined).",
    ),
    ("unit", "string", "count, usd (US dollars), days (calendar days) or percent."),
    ("n", "integer", "Number of records behind the figure. Empty when the figure is suppressed."),
    (
        "suppressed",
        "boolean",
        "true when the figure is withheld to protect confidentiality (status suppressed); "
        "kept for compatibility.",
    ),
    (
        "revised",
        "boolean",
        f"true when {REVISED_WHEN}; false throughout the first release a site published.",
    ),
)
STATUSES = ("ok", "suppressed", "not_applicable")
