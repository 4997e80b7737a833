"""``arms-metrics backfill``: a run of quarters built in order is the same as single runs.

The tiny inputs (``tiny_site.py``: the sample's congressional notifications) cover FY2017-Q1
on; FY2026-Q1 to FY2026-Q4 have all ended. Four single ``run --quarter`` in order into one
empty site, and one backfill over the four into another, must leave the two sites
byte-identical, down to which version the site links to.
"""

from __future__ import annotations

import os

import pytest

from arms_metrics import cli
from arms_metrics.errors import Refused, UsageError
from arms_metrics.publication import backfill, swap
from arms_metrics.quarters import Quarter
from tests.e2e.tiny_site import run, tiny_input

FOUR = ["FY2026-Q1", "FY2026-Q2", "FY2026-Q3", "FY2026-Q4"]


def test_backfill_over_four_quarters_is_four_single_runs_in_order(tmp_path, capsys) -> None:
    inputs = tiny_input(tmp_path / "input")
    single, filled = tmp_path / "single", tmp_path / "filled"
    for quarter in FOUR:
        assert run(single, quarter, inputs).changed
    site, work = str(filled / "site"), str(filled / "work")
    code = cli.main(["backfill", "--from", "FY2026-Q1", "--to", "FY2026-Q4",
                     "--input", str(inputs), "--site", site, "--work", work])  # fmt: skip
    assert code == 0
    assert capsys.readouterr().out == (
        f"backfilled FY2026-Q1 to FY2026-Q4 into {site}: 4 published, "
        "0 already published unchanged\n"
    )
    expected = swap.tree_digest(single / "site")
    folders = {k.split("/")[1] for k in expected if k.startswith("releases/") and k.count("/") > 1}
    assert sorted(folders) == FOUR and "releases/index.html" in expected
    assert swap.tree_digest(filled / "site") == expected
    assert os.readlink(filled / "site") == os.readlink(single / "site") == ".site.versions/000004"
    code = cli.main(["backfill", "--from", "FY2026-Q3", "--to", "FY2026-Q4",
                     "--input", str(inputs), "--site", site, "--work", work])  # fmt: skip
    assert code == 0 and capsys.readouterr().out.endswith(
        ": 0 published, 2 already published unchanged\n"
    )
    assert swap.tree_digest(filled / "site") == expected


def test_the_range_is_every_quarter_from_first_to_last() -> None:
    assert [q.label for q in backfill.quarters("FY2025-Q4", "2026q2")] == [
        "FY2025-Q4", "FY2026-Q1", "FY2026-Q2",
    ]  # fmt: skip
    assert [q.label for q in backfill.quarters("FY2026-Q2", "FY2026-Q2")] == ["FY2026-Q2"]


@pytest.mark.parametrize(
    ("first", "last", "message"),
    [
        ("FY2026-Q3", "FY2026-Q1", "--from FY2026-Q3 is after --to FY2026-Q1"),
        ("FY1926-Q1", "FY2026-Q1", "is 401 quarters (at most 400)"),  # 100 years and one
        ("FY2026-Q5", "FY2026-Q2", "--from/--to:"),
    ],
)
def test_a_bad_range_is_a_usage_error(first, last, message) -> None:
    with pytest.raises(UsageError, match=message.replace("(", r"\(").replace(")", r"\)")):
        backfill.quarters(first, last)


def test_the_first_failed_step_stops_it_with_its_exit_code() -> None:
    built = []

    def run_one(quarter: Quarter) -> bool:
        if quarter.label == "FY2026-Q3":
            raise Refused("FY2026-Q3 is published and 4 of its figures would change")
        built.append(quarter.label)
        return quarter.label != "FY2026-Q2"  # FY2026-Q2 was already published unchanged

    span = backfill.quarters("FY2026-Q1", "FY2026-Q4")
    with pytest.raises(backfill.StepFailed) as info:
        backfill.backfill(run_one, span)
    assert built == ["FY2026-Q1", "FY2026-Q2"]  # FY2026-Q4 never started
    assert info.value.exit_code == 77
    assert str(info.value) == (
        "backfill stopped at FY2026-Q3 (after 2 quarters in place): "
        "FY2026-Q3 is published and 4 of its figures would change"
    )
    done = backfill.backfill(run_one, span[:2])
    assert (done.published, done.unchanged) == (("FY2026-Q1",), ("FY2026-Q2",))


def _backfill(tmp_path, first: str, last: str, *extra: str) -> int:
    inputs = tmp_path / "input"
    if not inputs.exists():
        tiny_input(inputs)
    return cli.main(["backfill", "--from", first, "--to", last, "--input", str(inputs),
                     "--site", str(tmp_path / "site"), "--work", str(tmp_path / "work"),
                     *extra])  # fmt: skip


@pytest.mark.parametrize(
    ("first", "last", "message"),
    [
        # the first quarter before the coverage (FY2017-Q1 on)
        ("FY2016-Q4", "FY2017-Q1", "FY2016-Q4 is before the coverage"),
        # the last quarter not ended: refused before FY2026-Q1 is built, not after
        ("FY2026-Q1", "FY2099-Q1", "FY2099-Q1 has not ended yet"),
    ],
)
def test_a_range_run_would_refuse_is_refused_before_any_step(
    tmp_path, capsys, first, last, message
) -> None:
    assert _backfill(tmp_path, first, last) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err, err
    assert not (tmp_path / "site").exists() and not (tmp_path / "work").exists()


def test_folders_run_would_refuse_are_refused_before_any_step(tmp_path, capsys) -> None:
    site = str(tmp_path / "site")
    assert _backfill(tmp_path, "FY2026-Q1", "FY2026-Q2", "--work", site) == 2
    err = capsys.readouterr().err
    assert err == (
        f"arms-metrics: error: --site {site} and --work {site} overlap ({site} is, holds or "
        f"is inside {site}): name folders apart\n"
    )
