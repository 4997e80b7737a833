"""Backfill: build a run of quarters into a site, oldest first, as each was published then.

``arms-metrics backfill --from Q --to Q`` is ``run --quarter`` for every quarter of the
range in order, with the same inputs, site and work folder: each release uses only events
dated on or before its own end, carries its own date from the release calendar, and marks
as revised what differs from the release before it, which the previous step has just
published. So a backfill into an empty site leaves it byte-identical to those single runs
in order. Each step is a whole run (atomic, locked); a step that fails stops the backfill
with that step's exit code, the earlier steps staying published; a rerun skips nothing
but changes nothing already published with the same figures.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from arms_metrics.errors import ArmsMetricsError, UsageError
from arms_metrics.quarters import Quarter

MAX_QUARTERS = 400  # a century of quarters: anything longer is a typing mistake


@dataclass(frozen=True)
class Backfilled:
    published: tuple[str, ...]  # the quarters whose run changed the site
    unchanged: tuple[str, ...]  # the quarters the site already held exactly


def quarters(first: str, last: str) -> list[Quarter]:
    """Every quarter from ``first`` to ``last`` inclusive; exit 2 for a bad or empty range."""
    try:
        start, end = Quarter.parse(first), Quarter.parse(last)
    except ValueError as exc:
        raise UsageError(f"--from/--to: {exc}") from None
    if end < start:
        raise UsageError(f"--from {start} is after --to {end}: give the older quarter first")
    span = Quarter.span(start, end)
    if len(span) > MAX_QUARTERS:
        raise UsageError(f"--from {start} --to {end} is {len(span)} quarters (at most 400)")
    return span


class StepFailed(ArmsMetricsError):
    """A backfill step failed: the step's message and exit code, with where it stopped."""

    def __init__(self, quarter: Quarter, done: int, error: ArmsMetricsError) -> None:
        self.exit_code = error.exit_code
        count = f"{done} quarter" if done == 1 else f"{done} quarters"
        super().__init__(f"backfill stopped at {quarter} (after {count} in place): {error}")


def backfill(run_one: Callable[[Quarter], bool], span: list[Quarter]) -> Backfilled:
    """``run_one(quarter)`` (True when it changed the site) for each quarter of ``span`` in
    order; the first failure ends it (``StepFailed``, with the failed step's exit code)."""
    published: list[str] = []
    unchanged: list[str] = []
    for done, quarter in enumerate(span):
        try:
            changed = run_one(quarter)
        except ArmsMetricsError as error:
            raise StepFailed(quarter, done, error) from None
        (published if changed else unchanged).append(quarter.label)
    return Backfilled(tuple(published), tuple(unchanged))
