"""Time, peak memory and (optionally) a pyinstrument profile of the ingest stage alone.

    python benchmarks/ingest.py INPUT_DIR [--profile OUT.txt]
    PYTHONPATH=<old tree>/src python benchmarks/ingest.py INPUT_DIR    # the code before

Runs ``arms_metrics.ingest.load.ingest`` (read, parse, pandera validation, quarantine) on
INPUT_DIR with the default pipeline.toml and a throwaway work folder, as of 2026-11-30 (the
plausible dates do not move between runs), and prints the wall seconds and the process's
peak resident memory (MiB). With ``--profile`` the pyinstrument text profile goes to OUT.
Exit 65 as the CLI on bad input. Timings are for benchmarks/README.md, never asserted.
"""

from __future__ import annotations

import argparse
import datetime as dt
import resource
import sys
import tempfile
import time
from pathlib import Path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("input", type=Path)
    parser.add_argument("--profile", type=Path, help="pyinstrument text profile to write")
    args = parser.parse_args()
    from arms_metrics.config import load_config
    from arms_metrics.errors import ArmsMetricsError
    from arms_metrics.ingest.load import ingest

    config = load_config()
    profiler = None
    if args.profile:
        from pyinstrument import Profiler

        profiler = Profiler(interval=0.005)
        profiler.start()
    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as work:
        try:
            ingest(args.input, config, Path(work), dt.date(2026, 11, 30))
        except ArmsMetricsError as error:
            print(f"ingest: error: {error}", file=sys.stderr)
            return error.exit_code
    seconds = time.perf_counter() - start
    if profiler:
        profiler.stop()
        args.profile.write_text(profiler.output_text(unicode=False, color=False))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"ingest {args.input}: {seconds:.2f} s, peak RSS {peak:,.0f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
