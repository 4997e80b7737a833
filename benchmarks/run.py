"""Whole-run time per stage and peak memory of `arms-metrics run` beside a bare DuckDB pass.

    python benchmarks/run.py                      # scales 0.05, 1 and 10 (make benchmark)
    python benchmarks/run.py --scale 0.05 --scale 1

For each scale: generates the synthetic inputs (once, cached in benchmarks/out/), then runs,
each in its own process so peak RSS is that process's own:
  1. the bare DuckDB pass (benchmarks/bare.py): one connection with the thread count the
     pipeline's DuckDB uses, read_csv with explicit column types, the row count and the sum
     of one money column by fiscal quarter, per table: the floor of reading and aggregating;
  2. `arms-metrics run --progress` over the same files (ingest, validation, indicators,
     disclosure, rendering): the time of each stage from its progress lines.
Results go to benchmarks/results.md (with the ratios run / bare) and
benchmarks/out/results.json. Nothing here is asserted: timing belongs in a benchmark, not
in a test.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import polars as pl

from arms_metrics.ingest.schemas import COLUMNS

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"
SCALES = (0.05, 1.0, 10.0)
DUCKDB_TYPES = {"text": "VARCHAR", "date": "DATE", "money": "DECIMAL(18,2)", "bool": "BOOLEAN"}
# Per table: the date whose fiscal quarter groups the rows, and the money column summed.
BARE = {
    "fms_lors": ("received_date", None),
    "fms_documents": ("lor_complete_date", "value_usd"),
    "fms_cases": ("implemented_date", "case_value_usd"),
    "fms_deliveries": ("delivery_date", "delivered_value_usd"),
    "congressional_notifications": ("notification_date", "estimated_value_usd"),
    "export_licenses": ("received_date", "approved_value_usd"),
}
# The stages of a run, named by the first word of the progress line that starts them.
STAGES = {
    "release": "ingest and validation",
    "computing": "indicators",
    "disclosure": "disclosure control",
    "rendering": "rendering",
    "publishing": "publishing",
}

WRAPPER = """
import json, resource, subprocess, sys, time
start = time.perf_counter()
child = subprocess.Popen(sys.argv[1:], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                         text=True)
lines = [[time.perf_counter() - start, line.rstrip()] for line in child.stdout]
code = child.wait()
seconds = time.perf_counter() - start
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
peak, cpu = usage.ru_maxrss, usage.ru_utime + usage.ru_stime
print(json.dumps({"code": code, "seconds": seconds, "peak_kib": peak, "cpu": cpu, "lines": lines}))
"""


def measure(command: list[str]) -> dict:
    """Wall time, peak RSS (MiB) and timestamped output lines (stdout and stderr) of one
    command, run by a fresh wrapper process (so the peak is the command's own)."""
    done = subprocess.run(
        [sys.executable, "-c", WRAPPER, *command], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        sys.exit(f"benchmark wrapper failed: {done.stderr.strip()}")
    result = json.loads(done.stdout)
    if result["code"] != 0:
        sys.exit(f"benchmark command failed ({result['code']}): {result['lines'][-3:]}")
    return {
        "seconds": round(result["seconds"], 2),
        "peak_rss_mib": round(result["peak_kib"] / 1024, 1),
        "cpu_seconds": round(result["cpu"], 2),
        "lines": [[round(t, 3), text] for t, text in result["lines"]],
    }


def stages(run: dict) -> dict[str, float]:
    """Seconds per stage, from the progress lines: start-up (imports, config) before the
    first, each stage up to the next line, exit after the last."""
    prefix = "arms-metrics: "
    marks = [(t, text.removeprefix(prefix).split()[0]) for t, text in run["lines"]
             if text.startswith(prefix)]  # fmt: skip
    marks = [(t, STAGES.get(word, word)) for t, word in marks]
    out = {"start-up": round(marks[0][0] if marks else run["seconds"], 2)}
    ends = [t for t, _ in marks[1:]] + [run["seconds"]]
    for (start, name), end in zip(marks, ends, strict=True):
        if name in STAGES.values():
            out[name] = round(end - start, 2)
    if marks:
        out["exit"] = round(run["seconds"] - marks[-1][0], 2)
    return out


def bare_spec() -> str:
    spec = {
        table: {
            "columns": {c: DUCKDB_TYPES[kind] for c, kind in COLUMNS[table].items()},
            "date": date,
            "money": money,
        }
        for table, (date, money) in BARE.items()
    }
    return json.dumps(spec)


def inputs(scale: float, seed: int) -> tuple[Path, dict | None]:
    """The input folder of a scale, generated (and timed) only when not cached."""
    data = OUT / f"data-scale-{scale:g}-seed-{seed}"
    if (data / "export_licenses.csv").is_file():
        return data, None
    command = [sys.executable, "-m", "arms_metrics", "sample", "--out", str(data)]
    generated = measure([*command, "--scale", str(scale), "--seed", str(seed)])
    return data, {k: v for k, v in generated.items() if k != "lines"}


def bench(scale: float, seed: int, quarter: str, threads: int) -> dict:
    data, generated = inputs(scale, seed)
    rows = {p.stem: sum(1 for _ in p.open("rb")) - 1 for p in sorted(data.glob("*.csv"))}
    bare = measure([sys.executable, str(HERE / "bare.py"), str(data), str(threads), bare_spec()])
    target = OUT / f"run-scale-{scale:g}"
    shutil.rmtree(target, ignore_errors=True)
    run = measure([
        sys.executable, "-m", "arms_metrics", "run", "--input", str(data), "--quarter", quarter,
        "--site", str(target / "site"), "--work", str(target / "work"), "--progress",
    ])  # fmt: skip
    return {
        "scale": scale,
        "rows": rows,
        "total_rows": sum(rows.values()),
        "generate": generated,
        "bare_duckdb": {k: v for k, v in bare.items() if k != "lines"},
        "bare_read": [text for _, text in bare["lines"]],
        "arms_metrics_run": {k: v for k, v in run.items() if k != "lines"},
        "stages": stages(run),
        "time_ratio": round(run["seconds"] / bare["seconds"], 1),
        "memory_ratio": round(run["peak_rss_mib"] / bare["peak_rss_mib"], 1),
    }


def markdown(results: list[dict], machine: dict) -> str:
    lines = [
        "# Benchmark results",
        "",
        f"`make benchmark` on {machine['date']}: {machine['cpus']} CPUs, DuckDB threads "
        f"{machine['threads']} in both runs, Python {machine['python']}, DuckDB "
        f"{machine['duckdb']}, polars {machine['polars']}; release quarter "
        f"{machine['quarter']}, seed {machine['seed']}. Seconds are wall time, memory is peak "
        "RSS; the ratios are `arms-metrics run` over the bare DuckDB pass.",
        "",
        "| scale | input rows | bare DuckDB | peak | `arms-metrics run` | peak | time ratio "
        "| memory ratio |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        bare, run = r["bare_duckdb"], r["arms_metrics_run"]
        lines.append(
            f"| {r['scale']:g} | {r['total_rows']:,} | {bare['seconds']} s | "
            f"{bare['peak_rss_mib']:,.0f} MiB | {run['seconds']} s | "
            f"{run['peak_rss_mib']:,.0f} MiB | {r['time_ratio']} | {r['memory_ratio']} |"
        )
    names = ["start-up", *STAGES.values(), "exit"]
    lines += ["", "Stages of the run (seconds, from `--progress`):", ""]
    lines += ["| scale | " + " | ".join(names) + " |", "|---:|" + "---:|" * len(names)]
    for r in results:
        cells = [str(r["stages"].get(name, "")) for name in names]
        lines.append(f"| {r['scale']:g} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, action="append", help="repeatable")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--quarter", default="FY2026-Q4")
    args = parser.parse_args()
    threads = int(duckdb.connect().execute("select current_setting('threads')").fetchall()[0][0])
    machine = {
        "date": dt.date.today().isoformat(), "cpus": len(os.sched_getaffinity(0)),
        "threads": threads, "python": platform.python_version(), "duckdb": duckdb.__version__,
        "polars": pl.__version__, "quarter": args.quarter, "seed": args.seed,
    }  # fmt: skip
    OUT.mkdir(parents=True, exist_ok=True)
    results = []
    for scale in args.scale or SCALES:
        results.append(bench(scale, args.seed, args.quarter, threads))
        print(json.dumps(results[-1], indent=2), flush=True)
    (OUT / "results.json").write_text(
        json.dumps({"machine": machine, "results": results}, indent=2) + "\n", encoding="utf-8"
    )
    (HERE / "results.md").write_text(markdown(results, machine), encoding="utf-8")


if __name__ == "__main__":
    main()
