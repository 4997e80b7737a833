"""The independent intruder (tests/intruder.py) on generated samples, for a human to run.

    .venv/bin/python benchmarks/attack_seeds.py [--seeds 1 2 3 4 5] [--scales 0.05 0.2]

For each scale and seed: ``arms-metrics sample`` into a temporary folder, ``arms-metrics
run`` for the quarter (default FY2026-Q3), then the attack on the published site. Prints
one line per run: the suppressed cells recovered and the rates revealing a count of 1 or 2
that the family policies forbid, by family, and the link kinds they used. Nothing is
asserted; tests/e2e/test_release_is_safe.py runs seeds 1 and 2 at scale 0.05 in the
suite. Scale 0.2 takes a few minutes a run.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests import intruder  # noqa: E402


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "arms_metrics", *args], capture_output=True, text=True, cwd=ROOT
    )


def attack_one(scale: float, seed: int, quarter: str) -> str:
    with tempfile.TemporaryDirectory() as tmp:
        folder, site = Path(tmp) / "input", Path(tmp) / "site"
        made = cli("sample", "--out", str(folder), "--scale", str(scale), "--seed", str(seed))
        if made.returncode != 0:
            raise SystemExit(f"arms-metrics sample failed ({made.returncode}): {made.stderr}")
        done = cli("run", "--input", str(folder), "--quarter", quarter, "--site", str(site),
                   "--work", str(Path(tmp) / "work"))  # fmt: skip
        if done.returncode != 0:  # nothing published, nothing to attack
            return f"not published (exit {done.returncode}): {done.stderr.strip()}"
        _, forbidden = intruder.attack_site(site, ROOT / "pipelines" / "quarterly")
    counts = forbidden.counts()

    def by(name: str) -> str:
        return " ".join(f"{k}={v}" for k, v in sorted(counts[name].items())) or "-"

    return (
        f"recovered {len(forbidden.recovered):6d} ({by('recovered_by_family')}; "
        f"{by('recovered_by_link')})  small {len(forbidden.small):5d} "
        f"({by('small_by_family')})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3, 4, 5])
    parser.add_argument("--scales", type=float, nargs="+", default=[0.05, 0.2])
    parser.add_argument("--quarter", default="FY2026-Q3")
    args = parser.parse_args()
    for scale in args.scales:
        for seed in args.seeds:
            start = time.monotonic()
            line = attack_one(scale, seed, args.quarter)
            seconds = time.monotonic() - start
            print(f"scale {scale:<5} seed {seed}  {seconds:6.1f}s  {line}", flush=True)


if __name__ == "__main__":
    main()
