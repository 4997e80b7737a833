"""Template context of the methodology page: the registry's definitions, the targets with
their legal basis, the disclosure rules in words, and the texts of ``methodology.toml``
(summary, glossary, what the figures are not, limitations, symbols), in a fixed order."""

from __future__ import annotations

from typing import Any

from arms_metrics.cells import REVISED_WHEN
from arms_metrics.extract import series_start
from arms_metrics.quarters import Quarter
from arms_metrics.release import Release
from arms_metrics.site import downloads, views
from arms_metrics.site.dates import long_date, period_dates

GOAL_NAMES = {
    "offered_by_anticipated_date_pct": "Documents by the original anticipated offer date (goal)"
}
KIND = {
    "flow": "Flow: events dated in the quarter.",
    "stock": "Stock: measured on the last day of the quarter.",
}

FAMILY = {
    "fms": "Foreign Military Sales",
    "licensing": "Export licensing",
    "notifications": "Congressional notifications",
}

SOURCES = {
    "fms_lors": "Letters of Request received by the implementing agencies (DSCA case data).",
    "fms_documents": "Letters of Offer and Acceptance, amendments and modifications (DSCA).",
    "fms_cases": "Implemented FMS cases and their execution milestones (DSCA).",
    "fms_deliveries": "Deliveries of articles and services against FMS cases (DSCA).",
    "congressional_notifications": "AECA 36(b) and 36(c) notifications to Congress, "
    "as published by DSCA and the State Department.",
    "export_licenses": "License applications to the State Department (DDTC, ITAR) and the "
    "Commerce Department (BIS, EAR).",
    "tpt_requests": "Requests to transfer US-origin defense articles to a third party: FMS "
    "articles (State PM/RSAT) and licensed exports (State DDTC).",
    "eum_checks": "End-use monitoring checks: Golden Sentry (DoD, FMS), Blue Lantern (State, "
    "licensed exports) and Commerce (BIS) pre-license checks and post-shipment verifications.",
}


def disclosure_rules(release: Release) -> list[str]:
    """The disclosure rules of pipeline.toml in plain words, one per indicator family."""
    out = []
    for family in sorted({i.family for i in release.config.registry.indicators}):
        rules, name = release.config.rules_for(family), FAMILY.get(family, family)
        if rules.exempt:
            out.append(f"{name}: public record, published in full without suppression.")
            continue
        totals = (
            "Totals are public record and always published (counts, dollars, times and "
            "percentages); the rules below apply to their breakdowns, except where the "
            "published totals give a breakdown figure away anyway (for example a total of 2 "
            "cases over two agencies). "
            if rules.policy == "public_record"
            else ""
        )
        article = "A" if totals else "a"
        out.append(
            f"{name}: {totals}{article} count or dollar figure resting on fewer than "
            f"{rules.min_n_count} records is suppressed; a time (median, 90th percentile) or a "
            f"percentage resting on fewer than {rules.min_n_statistic} records is suppressed, "
            f"and so is a percentage whose numerator or complement (for an approval rate: the "
            f"approvals or the denials) rests on fewer than {rules.min_n_count} records; a "
            f"dollar figure where one record is more than {rules.dominance_share:.0%} of the "
            "total is suppressed. Zero is published. So that a suppressed figure cannot be "
            "worked out from other published figures, further figures are suppressed with "
            "it: in the same table, among the purchasers of one region, among the control "
            "categories and the forms of one licensing agency, among the numerators "
            "and complements of a percentage, and in the linked flows (a suppressed count of "
            "applications received goes with the final actions of the same quarter and "
            "category), a time or percentage is suppressed with its suppressed count, and a "
            "median or 90th percentile with its suppressed within-target percentage (order "
            "statistics say how many records took at most the target's days). The "
            "number of records behind a figure is withheld wherever it would give a suppressed "
            "count away."
        )
    out.append(
        "Before anything is published, an automatic audit works out, for every suppressed "
        "count, the range of values consistent with all published figures together: totals "
        "and breakdowns, regions and their purchasers, agencies and "
        "their control categories and forms, stocks and their flows from quarter "
        "to quarter (pending applications are the previous quarter's plus those received "
        "less final actions, also by destination, where only the flows are published), "
        "percentages with their numerators and populations, the "
        "records a percentage leaves out (final actions neither approved nor denied, "
        "beside an approval rate: they may not be pinned at 1 or 2 either), the outcomes "
        "the percentages imply together (withdrawals are final actions less approvals, "
        "denials and returns; approvals with a recorded value are at most the approvals), "
        "the order of a record's stages (an LOA is accepted only after it was offered, a "
        "case closed only after it was supply complete and implemented; an application "
        "pending a whole quarter is past every processing target), "
        "and the figures of earlier releases. The release fails if any suppressed figure could be "
        f"pinned down exactly{_upper(release)}."
    )
    shares = release.audit.get("suppression")
    if shares:
        out.append(_cost(shares))
    return out


def _upper(release: Release) -> str:
    """The upper protection level in words, for the confidential families that ask for it
    (else '')."""
    config = release.config
    families = sorted({i.family for i in config.registry.indicators
                       if config.rules_for(i.family).policy == "confidential"
                       and config.rules_for(i.family).upper_protection})  # fmt: skip
    if not families:
        return ""
    names = " and ".join(FAMILY.get(f, f).lower() for f in families)
    least = min(config.rules_for(f).min_n_count for f in families)
    return (
        f", or if a suppressed count of {names} records that rests on fewer than {least} "
        f"records could be shown to be fewer than {least}: it must be able to be {least} or "
        "more (an upper protection level)"
    )


def _cost(shares: dict[str, Any]) -> str:
    """What suppression costs in this release, in words (shares from the disclosure step)."""
    families = ", ".join(
        f"{FAMILY.get(family, family)} {part['share']:.0%}"
        for family, part in shares["by_family"].items()
    )
    overall = shares["overall"]
    return (
        f"In this release {overall['suppressed']:,} of {overall['cells']:,} figures "
        f"({overall['share']:.0%}) are suppressed: {families}."
    )


def _definitions(release: Release) -> list[dict[str, Any]]:
    reg = release.config.registry
    items = [
        {
            "id": i.id,
            "title": i.title,
            "definition": i.definition,
            "group": i.group,
            "unit": views.unit_label(release, i.unit),
            "kind": KIND[i.kind],
            "breakdowns": ", ".join(
                ["total", *(reg.breakdown_labels[b].lower() for b in i.breakdowns)]
            ),
            "sources": ", ".join(i.sources),
            "start": _series_start(release, i.sources),
        }
        for i in reg.indicators
    ]
    return [
        {"title": t, "entries": [i for i in items if i["group"] == k]}
        for k, t in reg.groups.items()
    ]


def _targets(release: Release) -> list[tuple[str, str, str]]:
    """(applies to, calendar days or percent, legal or administrative basis) of every target
    and goal."""
    config = release.config
    basis = config.methodology.basis if config.methodology else {}
    rows = [
        (f"LOA development, group {k}", str(v), basis.get("development_group", {}).get(k, ""))
        for k, v in sorted(config.development_targets.items())
    ]
    rows += [
        (f"License processing, {views.label(release, 'agency', k)}", str(v),
         basis.get("license", {}).get(k, ""))
        for k, v in sorted(config.license_targets.items())
    ]  # fmt: skip
    rows += [
        (GOAL_NAMES.get(k, k), f"{v:g}%",
         basis.get("goals", {}).get(k, ""))
        for k, v in sorted(config.goals.items())
    ]  # fmt: skip
    return rows


def _sources(release: Release) -> list[dict[str, str]]:
    """Each input table: what it is, and from which quarter this release's extract covers
    it (the first quarter its series can start), or that it is not in the inputs."""
    out = []
    for table in release.config.tables:
        first = release.coverage.get(table)
        covered = (
            f"Covered from {first.label} (from {long_date(first.start)}): no figure from it "
            "is published for an earlier quarter."
            if first is not None
            else "Not in the inputs of this release: its indicators are not available."
        )
        out.append({"name": table, "text": SOURCES.get(table, ""), "covered": covered})
    return out


def _extract(release: Release) -> list[str]:
    """What the extract says of itself (``extract.toml``): its date, and whether it is
    synthetic."""
    day = release.extract_date
    lines = [
        f"The inputs of release {release.period} were extracted on {long_date(day)}."
        if day is not None
        else f"The inputs of release {release.period} do not declare their extract date."
    ]
    if release.synthetic:
        lines.append(
            "The inputs are synthetic: made by the project's generator to resemble the "
            "agencies' records, not taken from them. No figure describes a real case or license."
        )
    return lines


def _series_start(release: Release, sources: tuple[str, ...]) -> str:
    """When an indicator's series starts: the latest coverage start of its sources."""
    if not all(source in release.coverage for source in sources):
        return "Not available: a source is not in this release's inputs."
    return f"Series starts {series_start(sources, release.coverage).label}."


def _next_release(release: Release) -> str:
    """When the next quarter's figures come out, from the release calendar."""
    following = release.quarter.next()
    day = release.config.release_date(following)
    listed = following.label in release.config.release_calendar
    when = f"on {long_date(day)}" if listed else f"around {long_date(day)} (not yet scheduled)"
    return f"The next release, for {following.label}, is due {when}."


def context(release: Release) -> dict[str, Any]:
    """Template context of ``methodology.html``."""
    config = release.config
    q1 = Quarter(release.quarter.fiscal_year, 1)
    texts = config.methodology
    pub = config.publication
    return {
        "nav": "methodology",
        "page_title": "Methodology",
        "summary": list(texts.summary) if texts else [],
        "glossary": list(texts.glossary) if texts else [],
        "not_measures": list(texts.not_measures) if texts else [],
        "limitations": list(texts.limitations) if texts else [],
        "symbols": list(texts.symbols) if texts else [],
        "next_release": _next_release(release),
        "quarters_example": f"FY{q1.fiscal_year} runs from {long_date(q1.start)} to "
        f"{long_date(Quarter(q1.fiscal_year, 4).end)}, and {q1.label} is "
        f"{period_dates(q1)}.",
        "groups": _definitions(release),
        "targets": _targets(release),
        "disclosure": disclosure_rules(release),
        "revision_policy": config.revision_policy,
        "revised_definition": f"A figure is revised when {REVISED_WHEN}.",
        "sources": _sources(release),
        "extract": _extract(release),
        "inputs": ", ".join(sorted(i.file_name for i in release.inputs)),
        "fields": list(downloads.FIELDS),
        "mandate": pub.get("mandate", ""),
        "contact_name": pub.get("contact_name", ""),
        "contact_email": pub.get("contact_email", ""),
        "license": pub.get("license", ""),
    }
