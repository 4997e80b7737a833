"""Time (or profile) the rendering stage alone: the site, the tidy CSVs and the manifest.

    python benchmarks/rendering.py release           # run the pipeline once, keep the Release
    python benchmarks/rendering.py time OUT [--cache DIR]
    python benchmarks/rendering.py profile OUT PROFILE.txt [--cache DIR]

``release`` runs the whole pipeline on sample_data/ (the latest quarter) and pickles the
``Release`` it renders into benchmarks/out/release.pkl; the other commands render that
release into OUT (emptied first) exactly as ``pipeline._write_site`` does, so two trees can
be compared with ``diff -r`` and the stage timed without the minute of disclosure control
before it. ``--cache`` is the chart cache folder (``work/cache/charts`` in a run): absent,
every chart is rendered; the second time with the same folder, none is. Nothing here is
asserted.
"""

from __future__ import annotations

import argparse
import pickle
import shutil
import tempfile
import time
from pathlib import Path

from arms_metrics import pipeline
from arms_metrics.release import Release
from arms_metrics.site import downloads, render

PICKLE = Path(__file__).resolve().parent / "out" / "release.pkl"


def keep_release() -> None:
    scratch = Path(tempfile.mkdtemp())
    done = pipeline.run(Path("sample_data"), scratch / "site", scratch / "work")
    PICKLE.parent.mkdir(parents=True, exist_ok=True)
    PICKLE.write_bytes(pickle.dumps(done.release))
    shutil.rmtree(scratch)


def render_stage(release: Release, out: Path, cache: Path | None) -> dict[str, float]:
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    times = {"start": time.perf_counter()}
    cached = {} if cache is None else {"chart_cache": cache}  # the code before issue 10 has none
    render.render_site(release, out, **cached)
    times["pages, charts and table CSVs"] = time.perf_counter()
    downloads.write_data(release, out)
    times["tidy CSVs and catalogs"] = time.perf_counter()
    downloads.write_manifest(release, out)
    times["manifest"] = time.perf_counter()
    names, marks = list(times), list(times.values())
    return {k: round(marks[i + 1] - marks[i], 2) for i, k in enumerate(names[1:])}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["release", "time", "profile"])
    parser.add_argument("paths", nargs="*", type=Path)
    parser.add_argument("--cache", type=Path, default=None)
    args = parser.parse_args()
    if args.command == "release":
        keep_release()
    elif args.command == "time":
        stages = render_stage(pickle.loads(PICKLE.read_bytes()), args.paths[0], args.cache)
        print(stages, "total", round(sum(stages.values()), 2))
    else:
        from pyinstrument import Profiler  # a dev tool, only for this command

        release = pickle.loads(PICKLE.read_bytes())
        with Profiler(interval=0.001) as profiler:
            render_stage(release, args.paths[0], args.cache)
        args.paths[1].write_text(profiler.output_text(), encoding="utf-8")


if __name__ == "__main__":
    main()
