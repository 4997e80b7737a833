"""Expected failures, each with its exit code and a one-line reason (never a traceback)."""

from __future__ import annotations


class ArmsMetricsError(Exception):
    """An expected failure: the CLI prints it on one line and exits with ``exit_code``."""

    exit_code = 1


class UsageError(ArmsMetricsError):
    """Bad command-line arguments (exit 2)."""

    exit_code = 2


class CannotCreate(ArmsMetricsError):
    """An output folder (``--work``, ``--site``) cannot be created or written (exit 73,
    EX_CANTCREAT)."""

    exit_code = 73


class DataError(ArmsMetricsError):
    """Bad input data: names the file, the line or column and the rule (exit 65, EX_DATAERR)."""

    exit_code = 65

    def __init__(self, file: str, rule: str, detail: str, line: int | None = None) -> None:
        self.file, self.rule, self.detail, self.line = file, rule, detail, line
        where = f"{file}:{line}" if line is not None else file
        super().__init__(f"{where}: {rule}: {detail}")


class ConfigError(ArmsMetricsError):
    """A bad pipeline.toml, indicators.toml or reference file (exit 78, EX_CONFIG)."""

    exit_code = 78


class CheckFailed(ArmsMetricsError):
    """A SQL check or the disclosure audit failed: nothing is published (exit 70, EX_SOFTWARE)."""

    exit_code = 70


class TryLater(ArmsMetricsError):
    """Another run holds the site's lock, or a release is still under embargo (exit 75,
    EX_TEMPFAIL)."""

    exit_code = 75


class Refused(ArmsMetricsError):
    """Refused by publication policy: a published release whose figures would change,
    without ``--correction``, or the internal review pack written into a site (exit 77,
    EX_NOPERM)."""

    exit_code = 77


class Unavailable(ArmsMetricsError):
    """A program or library a command needs is not installed or cannot run here (the PDF
    engine of ``review-pack``) (exit 69, EX_UNAVAILABLE)."""

    exit_code = 69
