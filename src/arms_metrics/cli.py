"""The ``arms-metrics`` command: parse arguments, call ``pipeline``, turn errors into exit codes.

Exit codes: 0 success; 2 usage; 3 ``diff`` found changes; 65 bad input data; 69 a program
a command needs cannot run (the PDF engine of ``review-pack``); 70 a check or the
disclosure audit failed; 73 an output folder cannot be written; 75 try later (the site is
locked by another run or publish, or ``publish`` before a release's embargo ends); 77
refused by publication policy (a published release's figures would change without
``--correction``, or a review pack written into a site); 78 bad configuration; 1 anything
unexpected (a panic from a Rust library included: one line, no traceback). Expected
failures print one line on stderr, never a traceback (set ARMS_METRICS_DEBUG=1 to see one
for unexpected errors).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from arms_metrics import __version__
from arms_metrics.errors import ArmsMetricsError, UsageError
from arms_metrics.quarters import Quarter

PROG = "arms-metrics"


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--input",
        type=Path,
        default=Path("sample_data"),
        metavar="DIR",
        help="folder holding the input tables (default: sample_data)",
    )
    parser.add_argument(
        "--work",
        type=Path,
        default=Path("work"),
        metavar="DIR",
        help="work folder: quarantine, validation report (default: work)",
    )
    parser.add_argument(
        "--config",
        type=Path,
        default=None,
        metavar="FILE",
        help="pipeline.toml (default: pipelines/quarterly/pipeline.toml)",
    )
    parser.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="progress lines on stderr (default: only on a terminal)",
    )


def _site(parser: argparse.ArgumentParser, help_text: str) -> None:
    parser.add_argument(
        "--site",
        type=Path,
        default=Path("site"),
        metavar="DIR",
        help=f"{help_text} (default: site)",
    )


def _publish_parser(commands: argparse._SubParsersAction) -> None:
    publish = commands.add_parser(
        "publish", help="copy a built site to the web root in one step, after its embargo"
    )
    _site(publish, "the built site")
    publish.add_argument(
        "--to", type=Path, required=True, metavar="WEBROOT",
        help="the folder the web server serves (made a symlink to a complete copy)",
    )  # fmt: skip
    publish.add_argument(
        "--now", default=None, metavar="ISO",
        help="the time to check the embargo against, e.g. 2026-08-14T11:00-04:00 "
        "(default: the clock; without an offset, in the calendar's zone)",
    )  # fmt: skip
    publish.add_argument(
        "--config", type=Path, default=None, metavar="FILE",
        help="pipeline.toml with the release calendar (default: pipelines/quarterly/pipeline.toml)",
    )  # fmt: skip


def _publish(args: argparse.Namespace) -> str:
    from arms_metrics.config import load_config
    from arms_metrics.publication import embargo, publish

    config = load_config(args.config)
    now = embargo.parse_now(args.now, config.release_zone)
    done = publish.publish(args.site, args.to, config, now)
    if not done.changed:
        return f"{args.to} already shows {args.site}: unchanged"
    releases = ", ".join(done.releases) or "site-wide pages only"
    return f"published {args.site} to {args.to} ({releases})"


def _diff_parser(commands: argparse._SubParsersAction) -> None:
    diff = commands.add_parser(
        "diff", help="which published figures of a release a fresh build would change (exit 3)"
    )
    _common(diff)
    diff.add_argument(
        "--quarter",
        metavar="FY2026-Q2",
        help="release quarter (default: the latest release the site publishes)",
    )
    _site(diff, "the published site to compare with, only read")


def _backfill_parser(commands: argparse._SubParsersAction) -> None:
    backfill = commands.add_parser(
        "backfill", help="build a run of quarters in order, as each was published then"
    )
    _common(backfill)
    backfill.add_argument(
        "--from", dest="first", required=True, metavar="Q", help="the first quarter to build"
    )
    backfill.add_argument(
        "--to", dest="last", required=True, metavar="Q", help="the last quarter to build"
    )
    _site(backfill, "site folder to publish into")


def _backfill(args: argparse.Namespace) -> str:
    from arms_metrics import pipeline
    from arms_metrics.publication import backfill

    span = backfill.quarters(args.first, args.last)
    pipeline.check_span(args.input, args.site, args.work, span, args.config)
    progress = pipeline.stderr_progress(args.progress)

    def run_one(quarter: Quarter) -> bool:
        progress(f"backfill: {quarter}")
        result = pipeline.run(
            args.input, args.site, args.work, quarter, args.config, progress=progress
        )
        return result.changed

    done = backfill.backfill(run_one, span)
    return (
        f"backfilled {span[0]} to {span[-1]} into {args.site}: {len(done.published)} "
        f"published, {len(done.unchanged)} already published unchanged"
    )


class Changed(str):
    """A command's output that ends the command with exit 3 (``diff`` found changes)."""

    exit_code = 3


def _diff(args: argparse.Namespace) -> str:
    from arms_metrics import pipeline
    from arms_metrics.ingest.names import load_names
    from arms_metrics.publication import diff, paths
    from arms_metrics.writers import write_bytes

    paths.check_apart(args.input, args.site, args.work)
    site, quarter = diff.published_site(args.site, args.quarter)  # the live version, read once
    release = pipeline.fresh_release(
        args.input, site, args.work, quarter, args.config,
        progress=pipeline.stderr_progress(args.progress),
    )  # fmt: skip
    units = {i.id: i.unit for i in release.config.registry.indicators}
    internal = load_names(release.config.reference_dir).internal()
    rows = diff.changes(release.cells, site, release.quarter, units, internal)
    path = args.work / "diff" / f"{release.period}.csv"
    write_bytes(path, diff.as_csv(rows))
    text = diff.as_text(release.quarter, rows, path)
    return Changed(text) if rows else text


def _run_parser(commands: argparse._SubParsersAction) -> None:
    run = commands.add_parser("run", help="validate, compute and render one quarterly release")
    _common(run)
    run.add_argument(
        "--quarter",
        default=None,
        metavar="FY2026-Q2",
        help="release quarter (default: the latest fiscal quarter that has ended)",
    )
    _site(run, "site folder to publish into")
    run.add_argument(
        "--correction",
        default=None,
        metavar="REASON",
        help="rewrite a published release whose figures changed, with a dated notice "
        "giving REASON (without it such a run is refused with exit 77)",
    )


def _review_pack_parser(commands: argparse._SubParsersAction) -> None:
    pack = commands.add_parser(
        "review-pack",
        help="the task force's internal quarterly review pack (HTML, PDF, JSON), never in a site",
    )
    _common(pack)
    pack.add_argument("--quarter", required=True, metavar="Q", help="the quarter, e.g. FY2026-Q3")
    pack.add_argument(
        "--out", type=Path, required=True, metavar="DIR",
        help="folder for review-pack-<Q>.html, .pdf and .json (never in a site: exit 77)",
    )  # fmt: skip
    _site(pack, "the site the pack must stay out of, with the default site")


def _review_pack(args: argparse.Namespace) -> str:
    from arms_metrics import pipeline
    from arms_metrics.review import pack

    written = pack.build(
        args.input, args.out, args.work, args.quarter, args.config, args.site,
        progress=pipeline.stderr_progress(args.progress),
    )  # fmt: skip
    return f"wrote the review pack to {', '.join(str(p) for p in written)}"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Quarterly performance metrics on US Foreign Military Sales and export "
        "licensing: validate the inputs, compute the indicators, publish a static site.",
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    _run_parser(commands)
    _backfill_parser(commands)
    _diff_parser(commands)
    _publish_parser(commands)
    _review_pack_parser(commands)

    validate = commands.add_parser("validate", help="validate the inputs only: report + quarantine")
    _common(validate)

    sample = commands.add_parser("sample", help="write deterministic synthetic input tables")
    sample.add_argument("--out", type=Path, required=True, metavar="DIR", help="output folder")
    sample.add_argument(
        "--scale",
        type=float,
        default=1.0,
        metavar="X",
        help="volume; 1 is about a decade of US volume (default: 1)",
    )
    sample.add_argument("--seed", type=int, default=0, metavar="N", help="random seed (default: 0)")
    return parser


def _dispatch(args: argparse.Namespace) -> str:
    """Run the chosen command; return the one-line result for stdout."""
    from arms_metrics import epoch, faults

    faults.check()
    epoch.check()  # before numpy, which reads a bad or empty value itself and fails
    from arms_metrics import pipeline

    if args.command == "sample":
        from arms_metrics.samples import generate

        if args.scale <= 0:
            raise UsageError("--scale must be greater than 0")
        rows = generate.generate(args.out, scale=args.scale, seed=args.seed)
        return f"wrote {sum(rows.values())} rows in {len(rows)} tables to {args.out}"
    if args.command == "publish":
        return _publish(args)
    if args.command == "diff":
        return _diff(args)
    if args.command == "backfill":
        return _backfill(args)
    if args.command == "review-pack":
        return _review_pack(args)
    progress = pipeline.stderr_progress(args.progress)
    if args.command == "validate":
        ingested = pipeline.validate(args.input, args.work, args.config, progress)
        counts = ingested.summary["tables"]
        read = sum(t["read"] for t in counts.values())
        quarantined = sum(t["quarantined"] for t in counts.values())
        return f"validated {read} rows in {len(counts)} tables: {quarantined} quarantined"
    result = pipeline.run(
        args.input,
        args.site,
        args.work,
        args.quarter,
        args.config,
        progress=progress,
        correction=args.correction,
    )
    if not result.changed:
        return f"{result.release.period} is already published in {result.site_dir}: unchanged"
    lines = [f"published {result.release.period} to {result.site_dir}"]
    for later, count in result.later:
        lines.append(
            f"note: {later} publishes {count} of the corrected figures otherwise, from its own "
            f"extract; if the fault is in it too, check with arms-metrics diff --quarter {later} "
            "and correct it"
        )
    return "\n".join(lines)


def _single_threaded_blas() -> None:
    """One BLAS thread unless the caller chose otherwise: the disclosure audit's linear
    algebra is thousands of small problems, which OpenBLAS threads only slow down (they
    spin on a busy 2-core machine). Takes effect when numpy is first imported, that is in
    ``_dispatch``, not when ``main`` is called from a process that already imported it."""
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")


def _returning_allocator() -> None:
    """polars' jemalloc gives freed pages back within half a second (a background thread)
    unless the caller configured it: by default it keeps them until polars allocates again,
    so the ~3 GB that ingest frees at scale 10 stayed resident under DuckDB's indicators.
    Takes effect when polars is first imported (in ``_dispatch``), like the BLAS setting."""
    os.environ.setdefault(
        "_RJEM_MALLOC_CONF", "background_thread:true,dirty_decay_ms:500,muzzy_decay_ms:0"
    )


def _one_line(text: str) -> str:
    """``text`` with every unprintable character escaped (a path holding a newline or an
    escape sequence): an error is always one line, and never drives the terminal."""
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode() for c in text)


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    _single_threaded_blas()
    _returning_allocator()
    try:
        output = _dispatch(args)
        print(output)
    except ArmsMetricsError as error:
        print(f"{PROG}: error: {_one_line(str(error))}", file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 130
    except Exception as error:  # noqa: BLE001 - the last line of defense: one line, no traceback
        if os.environ.get("ARMS_METRICS_DEBUG"):
            raise
        print(f"{PROG}: internal error: {type(error).__name__}: {error}", file=sys.stderr)
        return 1
    except BaseException as error:  # a Rust panic (pyo3 PanicException) is a BaseException
        if isinstance(error, SystemExit | GeneratorExit) or os.environ.get("ARMS_METRICS_DEBUG"):
            raise
        reason = str(error).splitlines()[0] if str(error) else ""
        print(f"{PROG}: internal error: {type(error).__name__}: {reason}", file=sys.stderr)
        return 1
    return getattr(output, "exit_code", 0)
