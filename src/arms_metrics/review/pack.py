"""Build the review pack of one quarter: HTML, PDF and JSON in the ``--out`` folder.

Validation is ``run``'s (ingest, quarantine, the loss check: exit 65 on bad data); the
figures are ``indicators.compute``'s cells, unsuppressed; the record lists are read from
the population views behind them (``records``). The HTML and JSON hold no timestamp and
are sorted explicitly, so the same inputs give the same bytes.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from arms_metrics import pipeline
from arms_metrics.compute import indicators, loss, warehouse
from arms_metrics.config import Config
from arms_metrics.errors import DataError
from arms_metrics.ingest.load import ingest
from arms_metrics.ingest.names import load_names
from arms_metrics.publication import lock, paths
from arms_metrics.quarters import Quarter
from arms_metrics.review import figures, pdf, records, where
from arms_metrics.site.render import environment
from arms_metrics.site.views import human_value
from arms_metrics.writers import json_bytes, write_bytes

BANNER = "Internal: not for public release"
TEMPLATE = "review/review_pack.html"
POPULATION_BACKLOGS = ("loa_development", "licenses_pending")


@dataclass(frozen=True)
class Pack:
    """What the pack shows of one quarter."""

    quarter: Quarter
    main: list  # figures.main_figures
    priority: list  # figures.priority_figures
    backlogs: list[records.Backlog]
    expiring: list[dict]  # records.expiring
    unavailable: tuple[str, ...]


def file_name(quarter: Quarter, suffix: str) -> str:
    return f"review-pack-{quarter.label}.{suffix}"


def compute_pack(tables: dict, config: Config, quarter: Quarter, coverage: dict | None) -> Pack:
    """The pack of ``quarter`` from the validated ``tables``."""
    computed = indicators.compute(tables, config, quarter, coverage=coverage)
    names = load_names(config.reference_dir)
    with warehouse.connect() as con:
        indicators.prepare(con, tables, config, quarter, coverage)
        backlogs = [records.backlog(con, key, quarter) for key in POPULATION_BACKLOGS]
        expiring = records.expiring(con, quarter)
    return Pack(
        quarter=quarter,
        main=figures.main_figures(computed.cells, config, quarter, names),
        priority=figures.priority_figures(computed.cells, config, quarter, names),
        backlogs=backlogs + records.optional_backlogs(tables, quarter),
        expiring=expiring,
        unavailable=computed.unavailable,
    )


def aggregates(pack: Pack) -> dict[str, Any]:
    """The JSON of the pack: its aggregates only, never a record id."""
    keep = ("indicator_id", "period", "breakdown", "breakdown_value", "unit", "value", "n")
    counts = {str(high): 0 for _, high in records.BUCKETS}
    for row in pack.expiring:
        counts[str(row["bucket"])] += 1
    return {
        "quarter": pack.quarter.label,
        "quarter_end": pack.quarter.end.isoformat(),
        "figures": [{k: f[k] for k in keep} for f in figures.flat(pack.main, pack.priority)],
        "backlogs": {b.key: (b.total if b.supplied else None) for b in pack.backlogs},
        "expiring_offers": counts | {"total": len(pack.expiring)},
        "unavailable": sorted(pack.unavailable),
    }


def _figure_key(row: dict) -> tuple:
    return row["indicator_id"], row["breakdown"], row["breakdown_value"]


def changes(current: dict, previous: dict | None) -> dict[tuple, str] | None:
    """Each figure's change since ``previous`` (the last quarter's JSON), as text; None
    when there is no previous pack (the first one)."""
    if previous is None:
        return None
    before = {_figure_key(r): r for r in previous.get("figures", [])}
    found = {}
    for row in current["figures"]:
        old = before.get(_figure_key(row))
        if old is None or old["value"] is None or row["value"] is None:
            found[_figure_key(row)] = "no figure to compare"
            continue
        diff = Decimal(row["value"]) - Decimal(old["value"])
        found[_figure_key(row)] = _signed(diff, row["unit"], old["value"])
    return found


def _signed(diff: Decimal, unit: str, old: str) -> str:
    if diff == 0:
        return f"unchanged ({human_value(Decimal(old), unit)})"
    text = human_value(abs(diff), unit)
    if unit == "percent":
        text = text.replace("%", " points")
    return f"{'up' if diff > 0 else 'down'} {text} from {human_value(Decimal(old), unit)}"


def read_previous(out_dir: Path, quarter: Quarter) -> dict | None:
    """The previous quarter's pack JSON in ``out_dir``, if there is one (else None);
    unreadable, exit 65 naming it."""
    path = Path(out_dir) / file_name(quarter.previous(), "json")
    if not path.is_file():
        return None
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise DataError(str(path), "previous-pack", f"cannot be read: {exc}") from None


def render_html(pack: Pack, changed: dict | None) -> str:
    """The pack's HTML page (its PDF is rendered from it)."""
    buckets = [
        {"low": low, "high": high, "rows": [r for r in pack.expiring if r["bucket"] == high]}
        for low, high in records.BUCKETS
    ]
    template = environment().get_template(TEMPLATE)
    return template.render(
        banner=BANNER,
        period=pack.quarter.label,
        quarter_end=pack.quarter.end.isoformat(),
        previous=pack.quarter.previous().label,
        main=pack.main,
        priority=pack.priority,
        backlogs=pack.backlogs,
        buckets=buckets,
        changes=changed,
        human=_human,
        text=records.as_text,
    )


def _human(value: str | None, unit: str) -> str:
    return "no records" if value is None else human_value(Decimal(value), unit)


Progress = Callable[[str], None]


def _validated(input_dir: Path, work_dir: Path, prepared: tuple, progress: Progress) -> dict:
    """``run``'s validation of ``input_dir`` (exit 65 on bad data): the accepted tables."""
    config, quarter, coverage, _ = prepared
    paths.check_plain(work_dir, "--work")
    paths.check_work(work_dir)
    work_dir = pipeline.writable(paths.normal(work_dir), "--work")
    with lock.site_lock(work_dir, "--work"):
        progress(f"review pack {quarter}: validating {input_dir}")
        ingested = ingest(Path(input_dir), config, work_dir)
        loss.check(ingested, config, quarter, work_dir, coverage)
    return ingested.tables


def build(
    input_dir: Path,
    out_dir: Path,
    work_dir: Path,
    quarter: str | None,
    config_path: Path | None = None,
    site_dir: Path = where.DEFAULT_SITE,
    progress: Progress | None = None,
) -> list[Path]:
    """Write the pack of ``quarter`` into ``out_dir``: HTML, PDF, JSON (their paths)."""
    progress = progress or pipeline.stderr_progress(False)
    where.check_out(Path(out_dir), [Path(site_dir), where.DEFAULT_SITE], Path(input_dir))
    prepared = pipeline.prepare(input_dir, quarter, config_path, None)
    pdf.engine()  # exit 69 before the work when it cannot run
    tables = _validated(Path(input_dir), Path(work_dir), prepared, progress)
    config, release_quarter, coverage, _ = prepared
    progress(f"computing the review pack for {release_quarter}")
    pack = compute_pack(tables, config, release_quarter, coverage)
    summary = aggregates(pack)
    out = pipeline.writable(Path(out_dir), "--out")
    html = render_html(pack, changes(summary, read_previous(out, release_quarter)))
    written = [out / file_name(release_quarter, s) for s in ("html", "pdf", "json")]
    write_bytes(written[0], html.encode("utf-8"))
    write_bytes(written[1], pdf.pdf_bytes(html, release_quarter.end))
    write_bytes(written[2], json_bytes(summary))
    return written
