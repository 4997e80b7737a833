"""Shared fixtures: paths to the repository's pipeline and sample data, a loaded config, the
CLI as a subprocess, and the sample site built once per test session."""

from __future__ import annotations

import dataclasses
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from arms_metrics.config import TABLES, Config, load_config

ROOT = Path(__file__).resolve().parents[1]
SAMPLE_DATA = ROOT / "sample_data"
PIPELINE_TOML = ROOT / "pipelines" / "quarterly" / "pipeline.toml"
SAMPLE_QUARTER = "FY2026-Q3"  # the golden quarter (sample_data/README.md, "Hand check")

# The fixed profile property tests run under in CI and locally alike: the same examples
# every run (derandomized, no example database), no deadline on a shared runner.
settings.register_profile(
    "ci",
    derandomize=True,
    database=None,
    deadline=None,
    max_examples=25,
    print_blob=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
CI_PROFILE = settings.get_profile("ci")


@pytest.fixture(scope="session")
def config() -> Config:
    return load_config(PIPELINE_TOML)


def with_policy(config: Config, family: str, policy: str) -> Config:
    """``config`` with one indicator family's disclosure policy replaced."""
    rules = dataclasses.replace(config.disclosure[family], policy=policy)
    return dataclasses.replace(config, disclosure={**config.disclosure, family: rules})


def with_upper(config: Config, family: str = "licensing") -> Config:
    """``config`` with the upper protection level asked for one indicator family."""
    rules = dataclasses.replace(config.disclosure[family], upper_protection=True)
    return dataclasses.replace(config, disclosure={**config.disclosure, family: rules})


def arms_metrics(
    *args: str, env: dict | None = None, cwd: Path = ROOT
) -> subprocess.CompletedProcess:
    """The ``arms-metrics`` command as a user runs it (``python -m arms_metrics``)."""
    return subprocess.run(
        [sys.executable, "-m", "arms_metrics", *args],
        capture_output=True,
        text=True,
        check=False,
        cwd=cwd,
        env={**os.environ, **(env or {})},
    )


def declare_coverage(folder: Path, first: str | None = None) -> Path:
    """An ``extract.toml`` in a test's input folder: the sample's (for inputs taken from
    sample_data/), or every table covered from ``first`` (hand-made records, all of which
    are in the folder from that quarter on). ``run`` needs one (exit 78 without)."""
    if first is None:
        shutil.copy(SAMPLE_DATA / "extract.toml", folder)
    else:
        lines = ["[coverage]", *(f'{table} = "{first}"' for table in TABLES)]
        (folder / "extract.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


def build(tmp: Path, quarter: str = SAMPLE_QUARTER, input_dir: Path = SAMPLE_DATA, **env: str):
    """``arms-metrics run`` into ``tmp/site`` and ``tmp/work``: (process, site, work)."""
    site, work = tmp / "site", tmp / "work"
    done = arms_metrics(
        "run", "--input", str(input_dir), "--quarter", quarter,
        "--site", str(site), "--work", str(work), env=env,
    )  # fmt: skip
    return done, site, work


@pytest.fixture(scope="session")
def sample_build(tmp_path_factory) -> tuple[Path, Path]:
    """The site and work folders of ``arms-metrics run`` on sample_data/ for SAMPLE_QUARTER,
    built once per session and shared by the end-to-end, golden and browser tests (read only)."""
    done, site, work = build(tmp_path_factory.mktemp("sample-build"))
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"published {SAMPLE_QUARTER} to {site}"
    return site, work
