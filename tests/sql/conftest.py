"""Fixtures for the population and measure tests: a config reading a tiny purchaser reference."""

from __future__ import annotations

from pathlib import Path

import pytest

from arms_metrics.config import Config
from tests.sql.helpers import config_with_reference


@pytest.fixture()
def sql_config(config: Config, tmp_path: Path) -> Config:
    return config_with_reference(config, tmp_path)
