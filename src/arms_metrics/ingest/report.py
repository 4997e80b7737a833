"""The validation outputs in the work folder: the quarantine files, summary.json and the
analyst's report (``report.html``), deterministic bytes (sorted keys, no paths or times).

``write_summary`` is called again by ``run`` once it has measured what the quarantine took
from each indicator (``summary["indicator_loss"]``), so the report shows that too.
"""

from __future__ import annotations

import json
from pathlib import Path

import jinja2
import polars as pl

from arms_metrics.config import TEMPLATES_DIR
from arms_metrics.ingest.rules import describe_rule
from arms_metrics.writers import csv_bytes, write_bytes, write_text

EXAMPLES = 10  # offending records shown per table in the report


def examples(quarantines: dict[str, pl.DataFrame]) -> dict[str, list[tuple]]:
    """(record, line, rules) of the first quarantined rows of each table."""
    return {
        t: q.head(EXAMPLES).select("record", "line", "rules").rows() for t, q in quarantines.items()
    }


def write_quarantine(work_dir: Path, quarantines: dict[str, pl.DataFrame], tables: tuple[str, ...]):
    """``quarantine/<table>.csv`` for each table read; a stale file of an absent table goes."""
    folder = work_dir / "quarantine"
    folder.mkdir(parents=True, exist_ok=True)
    for table in tables:  # a stale file from an earlier run would mislead the analyst
        if table not in quarantines:
            (folder / f"{table}.csv").unlink(missing_ok=True)
    for table, frame in quarantines.items():
        write_bytes(folder / f"{table}.csv", csv_bytes(frame.columns, frame.iter_rows()))


def write_report(path: Path, summary: dict, shown: dict[str, list[tuple]]) -> None:
    """The analyst's page: counts per table, each rule with its meaning, first offenders."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )
    tables = [
        {
            "name": table,
            **info,
            "share_text": f"{info['quarantine_share']:.2%}",
            "threshold_text": f"{info['threshold']:.2%}",
            "rules": [(r, n, describe_rule(r)) for r, n in info["by_rule"].items()],
            "examples": shown.get(table, []),
        }
        for table, info in summary["tables"].items()
    ]
    html = env.get_template("validation_report.html").render(
        status=summary["status"],
        tables=tables,
        ignored_files=summary["ignored_files"],
        loss=_loss(summary.get("indicator_loss")),
    )
    write_text(path, html)


def _loss(loss: dict | None) -> dict | None:
    """The indicator-loss section of the report, its shares as percent text."""
    if loss is None:
        return None
    rows = [{**row, "share_text": f"{row['share']:.2%}"} for row in loss["lost"]]
    return {**loss, "lost": rows, "threshold_text": f"{loss['threshold']:.2%}"}


def write_summary(work_dir: Path, summary: dict, shown: dict[str, list[tuple]]) -> None:
    """``validation/summary.json`` and ``validation/report.html``."""
    folder = work_dir / "validation"
    folder.mkdir(parents=True, exist_ok=True)
    text = json.dumps(summary, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    write_text(folder / "summary.json", text)
    write_report(folder / "report.html", summary, shown)
