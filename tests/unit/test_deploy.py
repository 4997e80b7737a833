"""The schedule examples under ``deploy/`` parse, and every ``arms-metrics`` command in them is
one the CLI accepts: the cron file field by field, the systemd units with
``systemd-analyze verify`` where it exists (and by their keys always), the CI workflow as
YAML. The quarterly build lands before every release date of the calendar."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest

from arms_metrics import cli
from arms_metrics.config import load_config
from arms_metrics.quarters import Quarter
from tests.conftest import ROOT

DEPLOY = ROOT / "deploy"
CRON = DEPLOY / "cron" / "arms-metrics"
SERVICE = DEPLOY / "systemd" / "arms-metrics-publish.service"
TIMER = DEPLOY / "systemd" / "arms-metrics-publish.timer"
WORKFLOW = DEPLOY / "ci" / "quarterly-check.yml"
FIELDS = [("minute", 0, 59), ("hour", 0, 23), ("day of month", 1, 31), ("month", 1, 12),
          ("day of week", 0, 7)]  # fmt: skip
OPERATORS = {"&&", "||", ";", "|", "&"}


def cron_field(text: str, low: int, high: int) -> set[int]:
    """The values a numeric cron field matches: ``*``, ``a``, ``a-b``, ``*/n``, ``a-b/n``
    and lists of them; ValueError for anything else or out of range."""
    values: set[int] = set()
    for part in text.split(","):
        match = re.fullmatch(r"(\*|(\d+)(?:-(\d+))?)(?:/(\d+))?", part)
        if not match:
            raise ValueError(f"not a cron field: {part!r}")
        first = low if match[1] == "*" else int(match[2])
        last = high if match[1] == "*" else int(match[3] or match[2])
        step = int(match[4] or 1)
        if not low <= first <= last <= high or step < 1:
            raise ValueError(f"out of range {low}-{high}: {part!r}")
        values |= set(range(first, last + 1, step))
    return values


def test_commands_are_found_in_shell_lines_by_hand() -> None:
    line = 'cd checkout && .venv/bin/arms-metrics run --site s ${Q:+--quarter "$Q"} || x'
    assert commands_in(line) == [["run", "--site", "s", "--quarter", "$Q"]]
    assert commands_in("arms-metrics publish --to w; arms-metrics diff") == [
        ["publish", "--to", "w"], ["diff"],
    ]  # fmt: skip


def test_cron_field_parser_by_hand() -> None:
    assert cron_field("1,3-5,*/20", 0, 59) == {0, 1, 3, 4, 5, 20, 40}
    assert cron_field("2,5,8,11", 1, 12) == {2, 5, 8, 11}
    for bad in ("60", "5-1", "x", "*/0", ""):
        with pytest.raises(ValueError):
            cron_field(bad, 0, 59)


def commands_in(shell: str) -> list[list[str]]:
    """The argument lists of every ``arms-metrics`` call in a shell command line (a
    ``${VAR:+words}`` read as if VAR were set; other variables stay as they are)."""
    shell = re.sub(r"\$\{\w+:\+([^}]*)\}", r"\1", shell)
    lexer = shlex.shlex(shell, posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    tokens, found = list(lexer), []
    for i, token in enumerate(tokens):
        if token == "arms-metrics" or token.endswith("/bin/arms-metrics"):
            args = []
            for arg in tokens[i + 1 :]:
                if arg in OPERATORS:
                    break
                args.append(arg)
            found.append(args)
    return found


def parses(args: list[str]) -> str:
    """The command ``args`` name, once the CLI's own parser accepts them (exit 2 if not)."""
    return cli.build_parser().parse_args(args).command


def cron_entries() -> list[list[str]]:
    entries = []
    for line in CRON.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if re.fullmatch(r"[A-Z_]+=\S*", line):  # an environment setting
            continue
        entries.append(line.split(None, 6))
    return entries


def test_every_cron_entry_has_valid_fields_a_user_and_a_known_command() -> None:
    entries = cron_entries()
    assert len(entries) == 2
    for entry in entries:
        assert len(entry) == 7, entry  # five time fields, the user (a cron.d file), the command
        for text, (_, low, high) in zip(entry[:5], FIELDS, strict=True):
            cron_field(text, low, high)
        assert entry[5] == "arms-metrics"
    names = [[parses(args) for args in commands_in(entry[6])] for entry in entries]
    assert names == [["run"], ["publish"]]
    assert "CRON_TZ=America/New_York" in CRON.read_text(encoding="utf-8")
    assert entries[1][6].endswith("|| [ $? -eq 75 ]")  # the embargo is not an error


def test_the_cron_build_runs_before_every_release_date_in_the_calendar() -> None:
    build = cron_entries()[0]
    months, days = cron_field(build[3], 1, 12), cron_field(build[2], 1, 31)
    config = load_config()
    for label in config.release_calendar:
        day = config.release_date(Quarter.parse(label))
        assert day.month in months and min(days) < day.day, label
    zone = re.search(r"CRON_TZ=(\S+)", CRON.read_text(encoding="utf-8"))[1]
    assert zone == config.release_zone


def unit_keys(path: Path) -> dict[str, dict[str, list[str]]]:
    """A systemd unit file's sections and keys (a key may repeat), comments left out."""
    sections: dict[str, dict[str, list[str]]] = {}
    current = None
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith(("#", ";")):
            continue
        if re.fullmatch(r"\[[A-Za-z]+\]", line):
            current = sections.setdefault(line[1:-1], {})
            continue
        key, sep, value = line.partition("=")
        assert sep and current is not None and re.fullmatch(r"[A-Za-z]+", key), line
        current.setdefault(key, []).append(value)
    return sections


def test_the_systemd_units_have_the_keys_a_publish_needs() -> None:
    service, timer = unit_keys(SERVICE), unit_keys(TIMER)
    assert set(service) == {"Unit", "Service"} and set(timer) == {"Unit", "Timer", "Install"}
    assert service["Service"]["Type"] == ["oneshot"]
    assert service["Service"]["SuccessExitStatus"] == ["75"]
    (exec_start,) = service["Service"]["ExecStart"]
    assert [parses(args) for args in commands_in(exec_start)] == ["publish"]
    assert timer["Timer"]["Unit"] == [SERVICE.name]
    assert timer["Timer"]["OnCalendar"] == ["Mon..Fri *-*-* 11:05:00 America/New_York"]
    assert timer["Install"]["WantedBy"] == ["timers.target"]


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="no systemd-analyze")
def test_systemd_analyze_verifies_the_units(tmp_path) -> None:
    """``systemd-analyze verify`` checks every key and that ExecStart is executable: the
    service is verified with ExecStart pointed at this checkout's arms-metrics."""
    executable = shutil.which("arms-metrics") or str(ROOT / ".venv" / "bin" / "arms-metrics")
    if not Path(executable).is_file():
        pytest.skip("no arms-metrics executable to point ExecStart at")
    text = SERVICE.read_text(encoding="utf-8")
    (start,) = [line for line in text.splitlines() if line.startswith("ExecStart=")]
    installed = start.removeprefix("ExecStart=").split()[0]  # the example's install path
    (tmp_path / SERVICE.name).write_text(text.replace(installed, executable), encoding="utf-8")
    shutil.copy(TIMER, tmp_path / TIMER.name)
    done = subprocess.run(
        ["systemd-analyze", "verify", "--man=no", TIMER.name, SERVICE.name],
        capture_output=True, text=True, check=False, cwd=tmp_path,
    )  # fmt: skip
    ours = [line for line in done.stderr.splitlines() if "arms-metrics-publish" in line]
    assert done.returncode == 0 and ours == [], done.stderr
    calendar = subprocess.run(
        ["systemd-analyze", "calendar", unit_keys(TIMER)["Timer"]["OnCalendar"][0]],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert calendar.returncode == 0, calendar.stderr


def test_the_ci_workflow_is_yaml_with_a_quarterly_schedule_and_known_commands() -> None:
    yaml = pytest.importorskip("yaml")
    workflow = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    triggers = workflow.get("on", workflow.get(True))  # YAML 1.1 reads a bare `on` as true
    (schedule,) = triggers["schedule"]
    fields = schedule["cron"].split()
    assert len(fields) == 5
    for text, (_, low, high) in zip(fields, FIELDS, strict=True):
        cron_field(text, low, high)
    assert cron_field(fields[3], 1, 12) == {2, 5, 8, 11}
    assert "workflow_dispatch" in triggers
    steps = workflow["jobs"]["check"]["steps"]
    called = [parses(args) for step in steps for args in commands_in(step.get("run", ""))]
    assert called == ["run", "diff"]
    assert all("${{" not in step.get("run", "") for step in steps)  # inputs via env only
    # every step runs on the schedule too, where inputs.quarter is empty
    assert all("inputs." not in str(step.get("if", "")) for step in steps)
