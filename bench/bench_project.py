"""Cold whole-catalogue build of another project's release against its ast floor.

    python bench/bench_project.py manila==23.0.1 [--repeat 3]

As bench/bench.py measures Nova: the floor is CPython's `ast.parse` of every non-test
module of the project's package, sampled in this process just before each run; each run is
`osflow build -s <the unpacked release, as a folder> --root <empty folder>` with an empty
OSFLOW_CACHE_DIR (only the release, already downloaded and unpacked once, is reused), and
its ratio is the run over the floor sampled before it; the row gives the best run and the
median ratio."""

from __future__ import annotations

import argparse
import ast
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def floor_sample(sources: list[bytes]) -> float:
    start = time.perf_counter()
    for src in sources:
        try:
            ast.parse(src)
        except SyntaxError:
            ast.parse(src, feature_version=(3, 6))
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("spec")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    from tracer.config import cache_dir
    from tracer.workspace import open_workspace

    ws = open_workspace(args.spec, cache=cache_dir())  # downloaded and unpacked once
    root, project = ws.source.root, ws.source.project
    files = [p for p in sorted((root / project).rglob("*.py")) if "tests" not in p.parts]
    sources = [p.read_bytes() for p in files]
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    runs, ratios, floors = [], [], []
    for _ in range(args.repeat):
        scratch = Path(tempfile.mkdtemp(prefix="osflow-bench-"))
        site = Path(tempfile.mkdtemp(prefix="osflow-bench-site-"))
        env["OSFLOW_CACHE_DIR"] = str(scratch)
        floor = floor_sample(sources)
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "tracer", "build", "-s", str(root),
                        "--root", str(site)], env=env, check=True, capture_output=True)
        took = time.perf_counter() - start
        diagrams = len(list((site / "workflows" / project).glob("*.wsd")))
        shutil.rmtree(scratch, ignore_errors=True)
        shutil.rmtree(site, ignore_errors=True)
        runs.append(took)
        floors.append(floor)
        ratios.append(took / floor)
    print(f"| {ws.source.label} | {len(files)} | {min(floors):.2f} | {min(runs):.2f} | "
          f"{statistics.median(ratios):.2f} | {diagrams} |")


if __name__ == "__main__":
    main()
