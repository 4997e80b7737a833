"""Fault points: kill the process at a named step, to prove a crash never half-publishes.

``ARMS_METRICS_FAULT=<step>`` makes ``point(step)`` end the process at once with
``os._exit(137)`` (as a SIGKILL would: no cleanup, no ``finally``, no lock released by
Python). The steps, in the order a run passes them, are ``STEPS``; ``publish`` (to a web
root) passes the last three too. Unset, a point costs one
dictionary lookup.
"""

from __future__ import annotations

import os
import sys

from arms_metrics.errors import UsageError

VARIABLE = "ARMS_METRICS_FAULT"
STEPS = (
    "ingest",  # the inputs are read and the quarantine written in the work folder
    "compute",  # indicators, disclosure control and revisions are done
    "render",  # the pages are written in the staging folder, not yet the data files
    "publish-copy",  # the new version of the site is written beside the live one
    "publish-swap",  # the new symlink exists, not yet renamed over the site
    "publish-cleanup",  # the site is switched; earlier versions not yet removed
)
KILLED = 137


def point(step: str) -> None:
    """End the process here when ``ARMS_METRICS_FAULT`` names ``step``."""
    if os.environ.get(VARIABLE) == step:
        print(f"arms-metrics: fault injected at {step}", file=sys.stderr, flush=True)
        os._exit(KILLED)


def check() -> None:
    """Exit 2 when ``ARMS_METRICS_FAULT`` is set to a name that is not a step: a typo would
    otherwise let a test that expects a crash run to the end."""
    step = os.environ.get(VARIABLE)
    if step and step not in STEPS:  # set but empty: as unset
        raise UsageError(f"{VARIABLE}={step!r} is not a step: one of {', '.join(STEPS)}")
