"""The test suite's fixtures, for the acceptance tests kept here (test_release_is_safe.py)."""

from tests.conftest import config, sample_build  # noqa: F401 - re-exported fixtures
