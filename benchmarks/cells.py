"""Compare the engine's cells before and after a change, frame-equal (every column, every row).

    python benchmarks/cells.py ingest sample_data benchmarks/out/cmp/sample/tables
    python benchmarks/cells.py dump benchmarks/out/cmp/sample after FY2026-Q3 FY2026-Q4
    PYTHONPATH=<old tree>/src python benchmarks/cells.py dump benchmarks/out/cmp/sample before \\
        FY2026-Q3 FY2026-Q4
    python benchmarks/cells.py compare benchmarks/out/cmp/sample before after

``ingest`` validates an input folder once and keeps the accepted tables as parquet, so both
engines read exactly the same rows. ``dump`` writes, per quarter, the output of
``arms_metrics.compute.indicators.compute`` (rounded cells, before disclosure control) and
the unrounded cells the SQL checks read (``mart_cells``), with whichever ``arms_metrics``
is first on the path: run it once with the old tree on PYTHONPATH, once without.
``compare`` asserts each pair frame-equal, exactly (dtypes included); the unrounded cells
are compared in key order, as their row order is not part of them. Exit 1 on a difference.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import polars as pl
from polars.testing import assert_frame_equal

KEY = ["indicator_id", "period", "breakdown", "breakdown_value"]


def ingest(input_dir: Path, out: Path) -> None:
    from arms_metrics.config import load_config
    from arms_metrics.ingest.load import ingest as run_ingest

    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as work:
        ingested = run_ingest(input_dir, load_config(), Path(work))
    for name, frame in ingested.tables.items():
        frame.write_parquet(out / f"{name}.parquet")
        print(f"{name}: {frame.height} accepted rows")


def dump(folder: Path, label: str, quarters: list[str]) -> None:
    from arms_metrics.compute import indicators, warehouse
    from arms_metrics.config import load_config
    from arms_metrics.quarters import Quarter

    config, captured, load_frame = load_config(), {}, warehouse.load_frame

    def spy(con, name, frame):  # keep the unrounded cells the checks read
        captured[name] = frame
        return load_frame(con, name, frame)

    warehouse.load_frame = spy
    tables = {p.stem: pl.read_parquet(p) for p in sorted((folder / "tables").glob("*.parquet"))}
    print(f"engine {indicators.__file__}")
    for text in quarters:
        quarter, start = Quarter.parse(text), time.perf_counter()
        computed = indicators.compute(tables, config, quarter)
        seconds = time.perf_counter() - start
        computed.cells.write_parquet(folder / f"{label}-{quarter.label}-cells.parquet")
        captured["mart_cells"].write_parquet(folder / f"{label}-{quarter.label}-unrounded.parquet")
        print(f"{quarter.label}: {computed.cells.height} cells in {seconds:.2f} s")


def compare(folder: Path, before: str, after: str) -> int:
    different = 0
    for left in sorted(folder.glob(f"{before}-*.parquet")):
        right = folder / left.name.replace(f"{before}-", f"{after}-", 1)
        x, y = pl.read_parquet(left), pl.read_parquet(right)
        if left.name.endswith("-unrounded.parquet"):
            x, y = x.sort(KEY), y.sort(KEY)
        try:
            assert_frame_equal(x, y, check_exact=True)
            print(f"identical  {right.name}: {y.height} rows x {y.width} columns")
        except AssertionError as exc:
            different += 1
            print(f"DIFFERENT  {right.name}: {str(exc).splitlines()[0]}")
    return 1 if different else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("ingest").add_argument("paths", nargs=2, type=Path)
    dumping = sub.add_parser("dump")
    dumping.add_argument("folder", type=Path)
    dumping.add_argument("label")
    dumping.add_argument("quarters", nargs="+")
    comparing = sub.add_parser("compare")
    comparing.add_argument("folder", type=Path)
    comparing.add_argument("labels", nargs=2)
    args = parser.parse_args()
    if args.command == "ingest":
        ingest(*args.paths)
    elif args.command == "dump":
        dump(args.folder, args.label, args.quarters)
    else:
        sys.exit(compare(args.folder, *args.labels))


if __name__ == "__main__":
    main()
