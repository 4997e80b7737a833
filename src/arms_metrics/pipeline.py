"""The pipeline: ingest -> validate -> indicators -> disclosure -> revisions -> render -> publish.

Each step is a function of the previous step's output; no step reaches back. The release is
rendered in a staging folder under the work directory; only when every step has passed is
a new version of the site made beside the live one and switched to in one rename
(``publication.swap``), under the site's lock (``publication.lock``), so nothing is
published from a failed or killed run. ``faults.point`` marks where tests kill a run.
"""

from __future__ import annotations

import datetime as dt
import shutil
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from arms_metrics import __version__, faults, release_calendar
from arms_metrics.compute import indicators, loss
from arms_metrics.config import Config, load_config
from arms_metrics.disclosure import check, protect
from arms_metrics.disclosure.summary import suppression_summary
from arms_metrics.epoch import epoch_date
from arms_metrics.errors import CannotCreate, UsageError
from arms_metrics.extract import (
    FILE_NAME,
    Extract,
    check_covered,
    declared_coverage,
    default_quarter,
    read_extract,
)
from arms_metrics.ingest.files import find_inputs
from arms_metrics.ingest.load import Ingested, ingest
from arms_metrics.ingest.names import load_names
from arms_metrics.publication import corrections, forward, integrity, lock, paths, revisions, swap
from arms_metrics.publication import plan as planning
from arms_metrics.quarters import Quarter
from arms_metrics.release import Release, earlier_figures
from arms_metrics.site import downloads, render, site_wide
from arms_metrics.writers import json_bytes, write_bytes

Progress = Callable[[str], None]


def stderr_progress(enabled: bool | None = None) -> Progress:
    """A progress printer for stderr: on when stderr is a terminal, quiet otherwise."""
    on = sys.stderr.isatty() if enabled is None else enabled

    def say(message: str) -> None:
        if on:
            print(f"arms-metrics: {message}", file=sys.stderr, flush=True)

    return say


def _quiet(_message: str) -> None:
    return None


@dataclass(frozen=True)
class RunResult:
    release: Release
    site_dir: Path
    work_dir: Path
    changed: bool = True  # False: the site already held exactly this build
    # after a correction: later releases with how many corrected figures they show otherwise
    later: tuple[tuple[str, int], ...] = ()


def release_date(config: Config, quarter: Quarter) -> dt.date:
    """The release calendar's date; else SOURCE_DATE_EPOCH's, which may not be before the
    quarter's end plus the default lag (exit 2: publish would hold it until then); else
    that date."""
    if quarter.label in config.release_calendar:
        return config.release_date(quarter)
    epoch, default = epoch_date(), config.release_date(quarter)
    if epoch is not None and (epoch - default).days > release_calendar.MAX_LAG_DAYS:
        raise UsageError(
            f"SOURCE_DATE_EPOCH is {epoch.isoformat()}, more than "
            f"{release_calendar.MAX_LAG_DAYS} days after {quarter}'s release date "
            f"({default.isoformat()}): publish would hold it that long"
        )
    if epoch is not None and epoch < default:  # publish would hold it until ``default``
        raise UsageError(
            f"SOURCE_DATE_EPOCH is {epoch.isoformat()}, before {quarter}'s release date "
            f"({default.isoformat()}: its end plus default_lag_days); list the quarter in "
            "[release_calendar] to release it earlier"
        )
    return epoch or default


def resolve_quarter(
    quarter: Quarter | str | None, today: dt.date | None = None, extract: Extract | None = None
) -> Quarter:
    """The release quarter: as given, else (None) the latest fiscal quarter ended on or
    before the extract date when ``extract`` declares one, else before ``today``. An empty
    string is a usage error: ``--quarter "$Q"`` with ``Q`` unset."""
    today = today or dt.date.today()
    if quarter is None:
        return default_quarter(extract or Extract(), today)
    if isinstance(quarter, str) and not quarter.strip():
        raise UsageError("--quarter is empty: give a quarter such as FY2026-Q2, or leave it out")
    try:
        if not isinstance(quarter, Quarter):
            quarter = Quarter.parse(quarter)
        end = quarter.end
    except ValueError as exc:  # not a quarter, or outside the calendar FY1901 .. FY9999
        raise UsageError(str(exc)) from exc
    if end >= today:
        raise UsageError(f"{quarter} has not ended yet (it ends {end.isoformat()})")
    return quarter


def writable(folder: Path, option: str, create: bool = True) -> Path:
    """``folder`` once a file can be written in it (created if ``create``), or in the
    nearest folder that exists above it; else exit 73 (nothing is created when not asked)."""
    folder = Path(folder)
    probe = folder
    try:
        if create:
            folder.mkdir(parents=True, exist_ok=True)
        while not probe.exists() and probe != probe.parent:
            probe = probe.parent
        with tempfile.TemporaryFile(dir=probe):
            pass
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise CannotCreate(f"{option} {folder}: cannot write there ({reason})") from None
    return folder


def _releasable(quarter: Quarter, config: Config) -> Quarter:
    """A quarter before the first one that can hold records is a usage error (exit 2)."""
    first = max(Quarter.of(config.min_date), Quarter(1901, 2))
    if quarter < first:
        raise UsageError(
            f"{quarter} is before {first}, the first quarter that can be released "
            f"([ingest] min_date {config.min_date.isoformat()}; the calendar begins in FY1901)"
        )
    return quarter


def _coverage(input_dir: Path, config: Config, extract: Extract, quarter: Quarter) -> dict:
    """The declared coverage of every table present (exit 78 for a table without one);
    exit 2 when ``quarter`` is before all of it."""
    found, _ = find_inputs(input_dir, config.tables)
    where = str(input_dir / FILE_NAME)
    coverage = declared_coverage(sorted(found), extract, config.coverage, where)
    check_covered(quarter, coverage)
    return coverage


def validate(
    input_dir: Path, work_dir: Path, config_path: Path | None = None, progress: Progress = _quiet
) -> Ingested:
    """Validation only: quarantine, summary.json and the report in ``work_dir``."""
    config = load_config(config_path)
    paths.check_plain(work_dir, "--work")
    paths.check_work(work_dir)
    progress(f"validating {input_dir}")
    ingested = ingest(Path(input_dir), config, writable(paths.normal(work_dir), "--work"))
    progress(f"validation report in {Path(work_dir) / 'validation' / 'report.html'}")
    return ingested


def build_release(
    ingested: Ingested,
    config: Config,
    quarter: Quarter,
    site_dir: Path,
    progress: Progress,
    coverage: dict[str, Quarter] | None = None,
    extract: Extract | None = None,
) -> Release:
    """Indicators, disclosure control and revisions: the disclosed cell table of a release;
    ``coverage`` and ``extract`` (what the input folder declares) go to the methodology."""
    progress(f"computing indicators for {quarter}")
    computed = indicators.compute(ingested.tables, config, quarter, coverage=coverage)
    progress(f"disclosure control on {computed.cells.height} cells")
    internal = load_names(config.reference_dir).internal()  # published codes -> cells' codes
    earlier = earlier_figures(site_dir, quarter, internal)
    given = check.linked_implied(computed.cells, config)
    protected = protect.protect(
        computed.cells, config, earlier, linked_tables=True, complete=True, given=given
    )
    progress("auditing the release across linked tables")
    audit = check.audit(protected, config, computed.cells, earlier, complete=True, given=given)
    audit |= {"suppression": suppression_summary(protected, config)}
    against = revisions.baseline(site_dir, quarter)
    cells = revisions.mark_revisions(protected, site_dir, quarter, internal)
    return Release(
        quarter=quarter,
        release_date=release_date(config, quarter),
        config=config,
        cells=cells,
        version=__version__,
        unavailable=computed.unavailable,
        inputs=ingested.inputs,
        audit=audit,
        revised_against=against.label if against else None,
        coverage=dict(coverage or {}),
        extract_date=(extract or Extract()).extract_date,
        synthetic=(extract or Extract()).synthetic,
    )


def _render(release: Release, plan: planning.Plan, work_dir: Path, progress: Progress) -> Path:
    """Every file of the release, rendered into a fresh staging folder in the work folder."""
    staging = work_dir / "staging-site"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    progress(f"rendering {release.period} into {staging}")
    render.render_site(release, staging, chart_cache=work_dir / "cache" / "charts")
    faults.point("render")
    downloads.write_data(release, staging)
    log = list(plan.log)
    listed = plan.forward or plan.corrected  # else the release's manifest lists its folder
    if listed:
        site_wide.write_corrections(release, log, corrections.log_bytes(log), staging, plan.latest)
    site_wide.write_releases(release, staging, plan.latest)
    forward.prune(staging, plan.quarter, plan.forward)
    downloads.write_manifest(release, staging)
    if not listed:  # rewritten all the same: an edited page is never carried as found
        site_wide.write_corrections(release, log, corrections.log_bytes(log), staging, plan.latest)
    return staging


def _publish(
    staging: Path, site_dir: Path, plan: planning.Plan, checked: dict, progress: Progress
) -> bool:
    """The new site version beside the live one, switched to in one rename, then its record
    of what was built written beside it (what ``publish`` checks); False when it would not
    change a byte. A site showing the same bytes with no record (a plain folder, a copy,
    a run stopped just after its switch) is switched all the same, to gain the record.
    ``checked``: the live version's digest as checked before the build, which the copy of
    it must hold (``integrity.copy_checked``)."""
    progress(f"publishing into {site_dir}")
    version = integrity.copy_checked(site_dir, None, checked, site_dir)
    forward.take(staging, version, plan.quarter, plan.forward, plan.keep_release)
    faults.point("publish-copy")
    built = swap.tree_digest(version)  # the live version's bytes are ``checked``'s
    changed = swap.live(site_dir) is None or checked != built
    if changed or swap.live_record(site_dir) != built:
        before = swap.switch(site_dir, version)
        swap.built_record(version).write_bytes(json_bytes(built))
        swap.clean(site_dir, before)
    else:
        swap.discard(version)
        swap.clean(site_dir, None)
    shutil.rmtree(staging)
    return changed


def prepare(
    input_dir: Path, quarter: Quarter | str | None, config_path: Path | None, today: dt.date | None
) -> tuple[Config, Quarter, dict, Extract]:
    """The configuration, the release quarter, the declared coverage of the inputs and what
    their ``extract.toml`` says (exit 2 for a bad quarter, 78 for a bad configuration)."""
    config = load_config(config_path)
    extract = read_extract(Path(input_dir), config.tables)
    release_quarter = _releasable(resolve_quarter(quarter, today, extract), config)
    coverage = _coverage(Path(input_dir), config, extract, release_quarter)
    return config, release_quarter, coverage, extract


def _compute(
    input_dir: Path, site_dir: Path, work_dir: Path, prepared: tuple, today: dt.date | None,
    progress: Progress,
) -> Release:  # fmt: skip
    """Ingest, loss check, indicators, disclosure control and revisions against the site."""
    config, release_quarter, coverage, extract = prepared
    progress(f"release {release_quarter}: validating {input_dir}")
    ingested = ingest(Path(input_dir), config, work_dir, today)
    faults.point("ingest")
    progress("measuring what the quarantine took from each indicator")
    loss.check(ingested, config, release_quarter, work_dir, coverage)
    release = build_release(
        ingested, config, release_quarter, site_dir, progress, coverage, extract
    )
    write_bytes(work_dir / "disclosure" / "summary.json", json_bytes(release.audit["suppression"]))
    faults.point("compute")
    return release


def check_span(
    input_dir: Path, site_dir: Path, work_dir: Path, span: list[Quarter], config_path: Path | None
) -> None:
    """What ``run`` checks before it starts, for a whole backfill at once: the folders, the
    first quarter's coverage and the last quarter's end (exit 2, 78 as ``run``)."""
    paths.check_run(Path(input_dir), Path(site_dir), Path(work_dir))
    prepare(input_dir, span[0], config_path, None)
    resolve_quarter(span[-1])


def fresh_release(
    input_dir: Path,
    site_dir: Path,
    work_dir: Path,
    quarter: Quarter | str | None = None,
    config_path: Path | None = None,
    today: dt.date | None = None,
    progress: Progress = _quiet,
) -> Release:
    """The release ``run`` would build against ``site_dir`` (only read), published nowhere:
    the fresh build behind ``diff``."""
    prepared = prepare(input_dir, quarter, config_path, today)
    work_dir = writable(paths.normal(work_dir), "--work")
    with lock.site_lock(work_dir, "--work"):
        return _compute(input_dir, Path(site_dir), work_dir, prepared, today, progress)


def run(
    input_dir: Path,
    site_dir: Path,
    work_dir: Path,
    quarter: Quarter | str | None = None,
    config_path: Path | None = None,
    today: dt.date | None = None,
    progress: Progress = _quiet,
    correction: str | None = None,
) -> RunResult:
    """Validate, compute, protect and render the release for ``quarter``, then switch the
    site to it in one step, one run at a time per site; ``correction`` (a reason) allows
    changing the figures of a published release."""
    paths.check_run(Path(input_dir), Path(site_dir), Path(work_dir))
    site_dir, work_dir = paths.normal(site_dir), paths.normal(work_dir)
    prepared = prepare(input_dir, quarter, config_path, today)
    site_dir, work_dir = writable(site_dir, "--site", create=False), writable(work_dir, "--work")
    with lock.site_lock(site_dir), lock.site_lock(work_dir, "--work"):
        checked = integrity.check_unedited(site_dir)
        release = _compute(input_dir, site_dir, work_dir, prepared, today, progress)
        day = today or corrections.correction_day(
            release.config.release_zone, site_dir, release.quarter
        )
        release, plan = planning.plan(release, site_dir, correction, day)
        staging = _render(release, plan, work_dir, progress)
        changed = _publish(staging, site_dir, plan, checked, progress)
    progress(f"done: {site_dir / 'index.html'}")
    return RunResult(release, site_dir, work_dir, changed, plan.later)
