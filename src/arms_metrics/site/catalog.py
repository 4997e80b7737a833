"""The DCAT-US 1.1 catalog (``data.json``) that data.gov harvests, and what it says the
figures are: an official release, a draft or a demonstration on synthetic data (README,
Outputs; the pages' banner says the same, from ``STATUS``)."""

from __future__ import annotations

from typing import Any

from arms_metrics.quarters import Quarter
from arms_metrics.release import Release

CSV_NAME = "indicators.csv"


def _distribution(url: str, title: str, media: str, fmt: str) -> dict[str, str]:
    return {
        "@type": "dcat:Distribution",
        "title": title,
        "downloadURL": url,
        "mediaType": media,
        "format": fmt,
    }


# What a page and data.json say the figures are, unless official (README, Outputs): a
# title and a note, never the .gov banner or department names on invented or draft figures.
STATUS = {
    "synthetic": (
        "Demonstration: synthetic data",
        "Every figure on this site is computed from invented records made by a generator: "
        "none describes a real case, license, purchaser or agency decision. This is not an "
        "official website of the United States government.",
    ),
    "draft": (
        "Draft: not an official release",
        "These figures have not been released by the agencies: they may change and are not "
        "to be cited as official statistics. This is not an official website of the United "
        "States government.",
    ),
}


def catalog(release: Release) -> dict[str, Any]:
    """The DCAT-US 1.1 catalog (data.json) that data.gov harvests."""
    pub = release.config.publication
    base = str(pub.get("base_url", "")).rstrip("/")
    periods = release.periods or [release.period]
    temporal = f"{Quarter.parse(periods[0]).start}/{release.quarter.end}"
    label, note = STATUS.get(release.status, ("", ""))
    dataset = {
        "@type": "dcat:Dataset",
        "title": pub.get("title", "") + (f" ({label.lower()})" if label else ""),
        "description": (f"{label}. {note} " if label else "")
        + (
            "Quarterly aggregate performance metrics on US Foreign Military Sales case "
            "development and execution, congressional notifications, and export-licensing "
            "decisions by the State Department (DDTC) and the Commerce Department (BIS)."
        ),
        "keyword": list(pub.get("keywords", [])),
        "modified": release.release_date.isoformat(),
        "publisher": {
            "@type": "org:Organization",
            "name": pub.get("publisher", "")
            if not label
            else f"Not published by an agency ({label.lower()})",
        },
        "contactPoint": {
            "@type": "vcard:Contact",
            "fn": pub.get("contact_name", ""),
            "hasEmail": f"mailto:{pub.get('contact_email', '')}",
        },
        "identifier": f"{base}/data/{CSV_NAME}",
        "accessLevel": "public",
        "bureauCode": [pub.get("bureau_code", "")],
        "programCode": [pub.get("program_code", "")],
        "license": pub.get("license", ""),
        "temporal": temporal,
        "accrualPeriodicity": "R/P3M",
        "language": ["en-US"],
        "landingPage": f"{base}/",
        "describedBy": f"{base}/data/datapackage.json",
        "describedByType": "application/json",
        "distribution": [
            _distribution(f"{base}/data/{CSV_NAME}", "Latest release (CSV)", "text/csv", "CSV"),
            _distribution(
                f"{base}/releases/{release.period}/data/{CSV_NAME}",
                f"Release {release.period} (CSV)",
                "text/csv",
                "CSV",
            ),
        ],
    }
    return {
        "@context": "https://project-open-data.cio.gov/v1.1/schema/catalog.jsonld",
        "@type": "dcat:Catalog",
        "conformsTo": "https://project-open-data.cio.gov/v1.1/schema",
        "describedBy": "https://project-open-data.cio.gov/v1.1/schema/catalog.json",
        "dataset": [dataset],
    }
