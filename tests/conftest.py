"""Shared fixtures: paths to the repository's pipeline, sample data and a loaded config."""

from __future__ import annotations

from pathlib import Path

import pytest

from arms_metrics.config import Config, load_config

ROOT = Path(__file__).resolve().parents[1]
SAMPLE_DATA = ROOT / "sample_data"
PIPELINE_TOML = ROOT / "pipelines" / "quarterly" / "pipeline.toml"


@pytest.fixture(scope="session")
def config() -> Config:
    return load_config(PIPELINE_TOML)
