"""Fault points: a name that is not a step is refused before anything runs."""

from __future__ import annotations

import pytest

from arms_metrics import cli, faults
from arms_metrics.errors import UsageError


@pytest.mark.parametrize("name", ["publsh-copy", "INGEST", "render "])
def test_a_fault_name_that_is_not_a_step_is_refused(monkeypatch, tmp_path, capsys, name) -> None:
    monkeypatch.setenv(faults.VARIABLE, name)
    with pytest.raises(UsageError, match="is not a step: one of ingest, compute, render"):
        faults.check()
    assert cli.main(["sample", "--out", str(tmp_path / "out"), "--scale", "0.01"]) == 2
    assert capsys.readouterr().err == (
        f"arms-metrics: error: ARMS_METRICS_FAULT={name!r} is not a step: one of ingest, "
        "compute, render, publish-copy, publish-swap, publish-cleanup\n"
    )
    assert not (tmp_path / "out").exists()  # refused before the command ran


@pytest.mark.parametrize("name", [*faults.STEPS, None, ""])
def test_every_step_and_none_are_accepted(monkeypatch, name) -> None:
    if name is None:
        monkeypatch.delenv(faults.VARIABLE, raising=False)
    else:
        monkeypatch.setenv(faults.VARIABLE, name)
    faults.check()


def test_an_error_naming_a_path_with_a_newline_stays_one_line(tmp_path, capsys) -> None:
    site = tmp_path / "no\nsuch\x1b[31m"
    argv = ["publish", "--site", str(site), "--to", str(tmp_path / "www")]
    assert cli.main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "\x1b" not in err and "no\\nsuch\\x1b[31m" in err, err
