"""``arms-metrics diff``: what a fresh build would change in a published release.

The tiny site (``tiny_site.py``) publishes FY2026-Q3 and FY2026-Q4. FY2026-Q3 holds one
notification, 26-07 of 2026-06-01: Colombia, AECA 36(b), $362,000,000. Keyed again as
$363,000,000 (one record changed), a fresh build of FY2026-Q3 changes four of its published
figures, worked out by hand: ``cn_notifications_value_usd`` of FY2026-Q3 for the total, for
authority AECA_36B, purchaser COL (Colombia's published alpha-3 code) and region WHA (the
Western Hemisphere); the count of notifications stays 1 and no other quarter holds the
record. Nothing in the site changes.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from arms_metrics import cli
from arms_metrics.publication import swap
from tests.e2e.test_site_corrections import inputs, live, rekeyed  # noqa: F401 - fixtures
from tests.e2e.tiny_site import LATEST, NEWER

FIGURES = [
    ("authority", "AECA_36B"),
    ("purchaser", "COL"),
    ("region", "WHA"),
    ("total", "All"),
]


def cli_diff(root: Path, quarter: str, inputs: Path) -> int:  # noqa: F811
    return cli.main(["diff", "--quarter", quarter, "--input", str(inputs),
                     "--site", str(root / "site"), "--work", str(root / "work")])  # fmt: skip


def test_diff_reports_exactly_the_changed_cells_and_exits_3(live, rekeyed, capsys) -> None:  # noqa: F811
    before = swap.tree_digest(live / "site")
    assert cli_diff(live, LATEST, rekeyed) == 3
    out = capsys.readouterr().out
    csv_path = live / "work" / "diff" / f"{LATEST}.csv"
    assert out.splitlines() == [
        f"{LATEST}: a fresh build changes 4 published figures (old -> new)",
        *(f"  cn_notifications_value_usd {LATEST} {b}={v}: 362000000 -> 363000000"
          for b, v in FIGURES),
        f"as CSV: {csv_path}",
    ]  # fmt: skip
    assert (
        csv_path.read_bytes()
        == (
            "indicator_id,period,breakdown,breakdown_value,old,new\r\n"
            + "".join(
                f"cn_notifications_value_usd,{LATEST},{b},{v},362000000,363000000\r\n"
                for b, v in FIGURES
            )
        ).encode()
    )
    assert swap.tree_digest(live / "site") == before  # only read


@pytest.mark.parametrize("quarter", [LATEST, NEWER])
def test_diff_of_the_same_inputs_exits_0(live, inputs, quarter, capsys) -> None:  # noqa: F811
    assert cli_diff(live, quarter, inputs) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"{quarter}: a fresh build changes none of its published figures\n")
    csv_path = live / "work" / "diff" / f"{quarter}.csv"
    assert csv_path.read_bytes() == b"indicator_id,period,breakdown,breakdown_value,old,new\r\n"


def test_diff_of_a_release_not_published_exits_2(live, inputs, capsys) -> None:  # noqa: F811
    assert cli_diff(live, "FY2026-Q2", inputs) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "FY2026-Q2 is not published there" in err


def test_diff_without_a_quarter_compares_the_latest_release(
    live,  # noqa: F811
    rekeyed,  # noqa: F811
    tmp_path,
    capsys,
) -> None:
    """The scheduled check builds a new quarter: it compares the site's latest release,
    FY2026-Q4, which publishes FY2026-Q3's four rekeyed figures too."""
    args = ["diff", "--input", str(rekeyed), "--site", str(live / "site"), "--work"]
    assert cli.main([*args, str(live / "work")]) == 3
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == f"{NEWER}: a fresh build changes 4 published figures (old -> new)"
    assert lines[1:5] == [
        f"  cn_notifications_value_usd {LATEST} {b}={v}: 362000000 -> 363000000" for b, v in FIGURES
    ]
    empty = tmp_path / "no-site"
    empty.mkdir()
    assert cli.main([*args[:4], str(empty), "--work", str(live / "work")]) == 2
    assert "no release is published there to compare with" in capsys.readouterr().err
