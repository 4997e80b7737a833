"""The standing target of issue 10: `arms-metrics run` on the committed sample under 10 s.

    python benchmarks/sample.py [--repeat 5] [--quarter FY2026-Q4]

Runs `arms-metrics run --progress` on sample_data/ ``--repeat`` times, each in its own
process into a fresh site and work folder, and prints the median wall time of each stage
(from the progress lines, the audit and the quarantine loss apart), of the whole run, and its CPU
time (user + system: less disturbed than wall time when other jobs share the cores), with
the load average before the first run. Nothing is written; nothing is asserted.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import measure  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
# Every progress line of a run, by its first word: the stage it starts.
STEPS = {
    "release": "ingest and validation",
    "measuring": "quarantine loss",
    "computing": "indicators",
    "disclosure": "disclosure control",
    "auditing": "disclosure audit",
    "rendering": "rendering",
    "publishing": "publishing",
}


def steps(run: dict) -> dict[str, float]:
    """Seconds per stage: start-up (imports, configuration) before the first progress line,
    each stage up to the next line, exit after the last (``done``)."""
    prefix = "arms-metrics: "
    marks = [(t, text.removeprefix(prefix).split()[0]) for t, text in run["lines"]
             if text.startswith(prefix)]  # fmt: skip
    out = {"start-up": marks[0][0]}
    ends = [t for t, _ in marks[1:]] + [run["seconds"]]
    for (start, word), end in zip(marks, ends, strict=True):
        out[STEPS.get(word, "exit")] = round(end - start, 2)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--quarter", default="FY2026-Q4")
    args = parser.parse_args()
    print(f"cores {os.cpu_count()}, load average {os.getloadavg()[0]:.2f} before the runs")
    runs = []
    for number in range(args.repeat):
        with tempfile.TemporaryDirectory() as tmp:
            command = [sys.executable, "-m", "arms_metrics", "run", "--input",
                       str(ROOT / "sample_data"), "--site", f"{tmp}/site", "--work",
                       f"{tmp}/work", "--quarter", args.quarter, "--progress"]  # fmt: skip
            run = measure(command)
        runs.append(steps(run) | {"whole run": run["seconds"], "cpu": run["cpu_seconds"]})
        print(f"run {number + 1}: {runs[-1]}", flush=True)
    print("\nmedian seconds over", len(runs), "runs:")
    for name in runs[0]:
        print(f"  {name:24s} {statistics.median(r.get(name, 0.0) for r in runs):6.2f}")


if __name__ == "__main__":
    main()
