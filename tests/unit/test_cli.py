"""The command line: thin over the pipeline, documented, one-line errors with exit codes."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import sys

import pytest

from arms_metrics import __version__, cli
from arms_metrics.errors import UsageError
from arms_metrics.pipeline import resolve_quarter
from arms_metrics.quarters import Quarter
from tests.conftest import ROOT


def _subcommands() -> list[str]:
    parser = cli.build_parser()
    (action,) = [a for a in parser._actions if a.dest == "command"]
    return sorted(action.choices)


def test_every_command_is_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    commands = ["backfill", "diff", "publish", "review-pack", "run", "sample", "validate"]
    assert _subcommands() == commands
    for command in _subcommands():
        assert f"arms-metrics {command}" in readme, command


def test_every_option_of_every_command_is_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    parser = cli.build_parser()
    (action,) = [a for a in parser._actions if a.dest == "command"]
    flags = {
        flag
        for command in action.choices.values()
        for option in command._actions
        for flag in option.option_strings
        if flag.startswith("--") and flag != "--help"
    }
    assert {"--correction", "--input", "--quarter", "--site", "--scale"} <= flags
    assert sorted(flag for flag in flags if flag not in readme) == []


def test_readme_starts_with_the_two_commands() -> None:
    head = (ROOT / "README.md").read_text(encoding="utf-8").split("##")[0]
    assert "make run" in head and "make test" in head


def test_python_dash_m_works() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "arms_metrics", "--version"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0
    assert done.stdout.strip() == f"arms-metrics {__version__}"


def test_no_command_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        cli.main([])
    assert exit_info.value.code == 2


def test_bad_quarter_is_exit_2_with_one_line(capsys, tmp_path) -> None:
    code = cli.main(["run", "--quarter", "FY2026-Q9", "--work", str(tmp_path / "w")])
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1
    assert re.match(r"arms-metrics: error: not a fiscal quarter: 'FY2026-Q9'", err)
    assert "Traceback" not in err


def test_missing_input_folder_is_a_usage_error(capsys, tmp_path) -> None:
    code = cli.main(["validate", "--input", str(tmp_path / "nowhere"), "--work", str(tmp_path)])
    err = capsys.readouterr().err
    assert code == 2
    assert "nowhere" in err and err.count("\n") == 1


def test_non_positive_scale_is_a_usage_error(capsys, tmp_path) -> None:
    code = cli.main(["sample", "--out", str(tmp_path), "--scale", "0"])
    assert code == 2
    assert "--scale" in capsys.readouterr().err


def test_default_quarter_is_the_latest_ended() -> None:
    assert resolve_quarter(None, dt.date(2026, 11, 27)) == Quarter(2026, 4)
    assert resolve_quarter("2026q2", dt.date(2026, 11, 27)) == Quarter(2026, 2)


def test_a_quarter_that_has_not_ended_is_refused() -> None:
    with pytest.raises(UsageError, match="has not ended"):
        resolve_quarter("FY2027-Q1", dt.date(2026, 11, 27))
    with pytest.raises(UsageError, match="has not ended"):
        resolve_quarter("FY2026-Q4", dt.date(2026, 9, 30))
    assert resolve_quarter("FY2026-Q4", dt.date(2026, 10, 1)) == Quarter(2026, 4)


@pytest.mark.parametrize(
    ("quarter", "first"),
    [("FY1901-Q1", "FY1976-Q1"), ("FY1975-Q4", "FY1976-Q1"), ("FY1950-Q2", "FY1976-Q1")],
)
def test_a_quarter_before_any_plausible_record_is_a_usage_error(capsys, tmp_path, quarter, first):
    code = cli.main(["run", "--quarter", quarter, "--work", str(tmp_path / "w"),
                     "--site", str(tmp_path / "s")])  # fmt: skip
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1
    assert f"{quarter} is before {first}, the first quarter that can be released" in err


@pytest.mark.parametrize(
    ("quarter", "message"),
    [
        ("FY9999-Q4", "FY9999-Q4 has not ended yet (it ends 9999-09-30)"),
        ("FY9999-Q3", "FY9999-Q3 has not ended yet (it ends 9999-06-30)"),
        ("FY0000-Q1", "fiscal year out of range: 0"),
        ("FY1900-Q4", "fiscal year out of range: 1900"),
        ("FY10000-Q1", "not a fiscal quarter: 'FY10000-Q1' (expected e.g. FY2026-Q2)"),
    ],
)
def test_a_quarter_at_or_beyond_the_calendar_ends_is_a_usage_error(
    capsys, tmp_path, quarter, message
):
    # tester's F3: FY9999-Q4 has no next quarter, and its end date was computed from it
    # (exit 1, "internal error: ValueError: fiscal year out of range: 10000")
    code = cli.main(["run", "--quarter", quarter, "--work", str(tmp_path / "w"),
                     "--site", str(tmp_path / "s")])  # fmt: skip
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and "internal error" not in err
    assert err == f"arms-metrics: error: {message}\n"
    assert not (tmp_path / "w").exists() and not (tmp_path / "s").exists()


def test_only_the_commands_that_build_take_a_quarter(capsys, tmp_path):
    # every other command refuses --quarter as a usage error (argparse: exit 2)
    options = {
        command: {o for a in sub._actions for o in a.option_strings}
        for command, sub in _subparsers().items()
    }
    building = ["diff", "review-pack", "run"]
    assert [c for c, found in sorted(options.items()) if "--quarter" in found] == building
    for argv in (["validate", "--work", str(tmp_path)], ["sample", "--out", str(tmp_path)]):
        with pytest.raises(SystemExit) as exit_info:
            cli.main([*argv, "--quarter", "FY9999-Q4"])
        assert exit_info.value.code == 2


def _subparsers() -> dict:
    parser = cli.build_parser()
    (action,) = [a for a in parser._actions if a.dest == "command"]
    return dict(action.choices)


@pytest.mark.parametrize(
    ("command", "option"),
    [("run", "--work"), ("run", "--site"), ("validate", "--work")],
)
@pytest.mark.parametrize("below", ["", "sub"], ids=["the-file", "below-the-file"])
def test_an_output_folder_that_cannot_be_written_is_exit_73(
    capsys, tmp_path, command, option, below
):
    # a regular file where the folder should be: refused for root too (chmod is not)
    blocker = tmp_path / "blocker"
    blocker.write_text("x")
    target = blocker / below if below else blocker
    args = [command, "--input", "sample_data", "--work", str(tmp_path / "w")]
    if command == "run":
        args += ["--site", str(tmp_path / "s")]
    args[args.index(option) + 1] = str(target)
    code = cli.main(args)
    err = capsys.readouterr().err
    assert code == 73 and err.count("\n") == 1 and "Traceback" not in err
    assert f"{option} {target}: cannot write there" in err
    assert not (tmp_path / "s").exists()  # nothing published, no site folder made


def test_a_rust_panic_is_one_line_not_a_traceback(capsys, monkeypatch):
    class PanicException(BaseException):  # what pyo3 raises for a Rust panic
        pass

    def panic(_args):
        raise PanicException("out-of-range date\nmore lines")

    monkeypatch.setattr(cli, "_dispatch", panic)
    monkeypatch.delenv("ARMS_METRICS_DEBUG", raising=False)
    assert cli.main(["validate"]) == 1
    err = capsys.readouterr().err
    assert err == "arms-metrics: internal error: PanicException: out-of-range date\n"


@pytest.mark.parametrize("empty", ["", "  "])
def test_an_empty_quarter_is_a_usage_error_not_the_default(capsys, tmp_path, empty) -> None:
    # `--quarter "$Q"` with Q unset published the default quarter (an outside tester's case)
    code = cli.main(["run", "--quarter", empty, "--work", str(tmp_path / "w"),
                     "--site", str(tmp_path / "s")])  # fmt: skip
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and "--quarter is empty" in err
    assert not (tmp_path / "s").exists()
