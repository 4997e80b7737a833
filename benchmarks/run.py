"""Whole-run time and peak memory of `arms-metrics run` beside a bare DuckDB pass.

    python benchmarks/run.py --scale 10

Generates the synthetic inputs at the given scale (once, cached in benchmarks/out/), then
runs, each in its own process so peak RSS is that process's own:
  1. `arms-metrics run` over them (the whole pipeline: ingest, validation, indicators,
     disclosure, rendering);
  2. a bare DuckDB pass over the same files: read every CSV and count licence final
     actions and their median processing time per fiscal quarter (a floor: what just
     reading and aggregating costs).
Results go to stdout and benchmarks/out/results.json. Nothing here is asserted: timing
belongs in a benchmark, not in a test.
"""

from __future__ import annotations

import argparse
import json
import platform
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"

BARE_DUCKDB = """
import sys, duckdb
folder = sys.argv[1]
con = duckdb.connect()
con.execute("set autoinstall_known_extensions = false")
for table in ["fms_lors", "fms_documents", "fms_cases", "fms_deliveries",
              "congressional_notifications", "export_licenses"]:
    con.execute(
        "create table t as select * from read_csv(?, header = true, all_varchar = true)",
        [f"{folder}/{table}.csv"],
    )
    con.execute("drop table t")
rows = con.execute(
    "select year(d + interval 3 month) as fy, quarter(d + interval 3 month) as q, count(*),"
    " quantile_cont(datediff('day', r, d), 0.5)"
    " from (select try_cast(received_date as date) as r, try_cast(final_action_date as date) as d"
    "       from read_csv(?, header = true, all_varchar = true)) where d is not null"
    " group by all order by all",
    [f"{folder}/export_licenses.csv"],
).fetchall()
print(len(rows))
"""


WRAPPER = """
import resource, subprocess, sys
done = subprocess.run(sys.argv[1:], capture_output=True, text=True)
sys.stderr.write(done.stderr)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
sys.exit(done.returncode)
"""


def measure(command: list[str]) -> dict:
    """Wall time and peak RSS (MiB) of one command, measured in a fresh wrapper process."""
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", WRAPPER, *command], capture_output=True, text=True, check=False
    )
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"benchmark command failed ({done.returncode}): {done.stderr.strip()}")
    peak_kib = int(done.stdout.strip().splitlines()[-1])
    return {"seconds": round(seconds, 2), "peak_rss_mib": round(peak_kib / 1024, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=10.0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--quarter", default="FY2026-Q4")
    args = parser.parse_args()
    data = OUT / f"data-scale-{args.scale:g}-seed-{args.seed}"
    python = sys.executable
    if not (data / "export_licenses.csv").is_file():
        generate = [python, "-m", "arms_metrics", "sample", "--out", str(data)]
        print(measure([*generate, "--scale", str(args.scale), "--seed", str(args.seed)]))
    rows = {p.name: sum(1 for _ in p.open("rb")) - 1 for p in sorted(data.glob("*.csv"))}
    bare = measure([python, "-c", BARE_DUCKDB, str(data)])
    run = measure([
        python, "-m", "arms_metrics", "run", "--input", str(data), "--quarter", args.quarter,
        "--site", str(OUT / "site"), "--work", str(OUT / "work"),
    ])  # fmt: skip
    result = {
        "scale": args.scale,
        "rows": rows,
        "total_rows": sum(rows.values()),
        "bare_duckdb": bare,
        "arms_metrics_run": run,
        "machine": {"python": platform.python_version(), "cpus": __import__("os").cpu_count()},
    }
    (OUT / "results.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
