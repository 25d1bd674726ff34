"""What checking the cache costs: source entries against their manifests, cache entries
through osflow's restricted unpickler.

    python bench/bench_cache.py [-s SPEC] [--repeat N] [--write]

On one release (default: the pinned one, downloaded once into the cache), copied into a
scratch cache so that the user's cache is only read:
  entry  opening the release from the cache as every command does (stat every file, hash
         none), against a stat of every file alone (the floor of any check by stat) and a
         hash of every file (what checking each use by hash alone would cost); and the
         first use of an entry whose files' times are not recorded (made by an older
         osflow, or copied: every file hashed once, the times recorded);
  loads  every summary and result of a whole build loaded with `pickle.loads` and with the
         restricted unpickler osflow uses (tracer.index.cache), in this process;
  warm   `osflow rpc` and `osflow build` warm, as subprocesses (interpreter start
         included), from the release (manifest checked) and from its folder (no manifest).
Each row is its best of N runs. With --write, the figures replace the bench-cache block
of BENCHMARKS.md. Not part of the test suite.
"""

from __future__ import annotations

import argparse
import datetime
import os
import pickle
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from bench import _write

MARKS = ("<!-- bench-cache:begin -->", "<!-- bench-cache:end -->")


def best(work: Callable[[], object], repeat: int, before: Callable[[], object] | None = None
         ) -> float:
    """The best of `repeat` timings of `work()`, `before()` run untimed ahead of each."""
    return side_by_side({"": work}, repeat, before)[""]


def side_by_side(works: dict[str, Callable[[], object]], repeat: int,
                 before: Callable[[], object] | None = None) -> dict[str, float]:
    """The best timing of each work, run in turn `repeat` times: this VM's speed drifts
    within minutes, and works compared are measured in the same minutes."""
    times: dict[str, list[float]] = {name: [] for name in works}
    for _ in range(repeat):
        for name, work in works.items():
            if before:
                before()
            start = time.perf_counter()
            work()
            times[name].append(time.perf_counter() - start)
    return {name: min(values) for name, values in times.items()}


def load_side_by_side(entries: list[bytes], loaders: dict[str, Callable[[bytes], object]],
                      repeat: int) -> dict[str, float]:
    """Seconds each loader takes to load every entry, best of `repeat`: the loaders take
    turns entry by entry, so that a drift of this VM's speed weighs on all alike."""
    totals: dict[str, list[float]] = {name: [] for name in loaders}
    clock = time.perf_counter
    for _ in range(repeat):
        spent = dict.fromkeys(loaders, 0.0)
        for data in entries:
            for name, load in loaders.items():
                start = clock()
                load(data)
                spent[name] += clock() - start
        for name, secs in spent.items():
            totals[name].append(secs)
    return {name: min(values) for name, values in totals.items()}


def stat_every_file(root: Path) -> int:
    count = 0
    for dirpath, _dirnames, filenames in os.walk(root):
        for name in filenames:
            os.stat(os.path.join(dirpath, name))
            count += 1
    return count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-s", "--source", default=None, help="a release (default: pinned)")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--write", action="store_true", help="update BENCHMARKS.md")
    args = parser.parse_args()

    from tracer import sources
    from tracer.index.cache import _load

    tree = sources.open_source(args.source)  # fetched once, outside the timing
    if tree.kind != "release":
        raise SystemExit(f"error: {tree.spec}: give a release, whose cache entry is measured")
    scratch = Path(tempfile.mkdtemp(prefix="osflow-bench-cache-"))
    entry = scratch / "releases" / tree.root.name

    def fresh_copy():  # copied files have new ctimes: no recorded time matches
        shutil.rmtree(entry, ignore_errors=True)
        shutil.copytree(tree.root, entry)

    def first_use():
        sources.open_source(tree.spec, cache=scratch)

    files = stat_every_file(tree.root)
    size = sum(p.stat().st_size for p in tree.root.rglob("*") if p.is_file())
    rows = [(f"first use of an entry without recorded times ({files} files, "
             f"{size / 2**20:.0f} MiB): hash every file, record the times",
             best(first_use, args.repeat, before=fresh_copy))]
    checks = side_by_side({
        "open the cached release, as every command does: stat every file, hash none":
            first_use,
        "reference: stat every file, nothing else": lambda: stat_every_file(entry),
        "reference: hash every file (checking each use by hash alone)":
            lambda: sources.verify_tree(entry, deep=True),
    }, args.repeat)
    rows += list(checks.items())

    env = dict(os.environ, OSFLOW_CACHE_DIR=str(scratch))
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    osflow = [sys.executable, "-m", "tracer"]

    def command(*words: str) -> Callable[[], object]:
        return lambda: subprocess.run(osflow + list(words), env=env, check=True,
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    commands = {}
    for number, (spec, how) in enumerate(((tree.spec, "the release (manifest checked)"),
                                          (str(entry), "its folder (no manifest)"))):
        site = scratch / f"site-{number}"  # a build of the other source would not be warm
        command("build", "-s", spec, "--root", str(site))()  # the warm state
        commands[f"osflow rpc, warm, from {how}"] = command("rpc", "-s", spec, "--format",
                                                            "json")
        commands[f"osflow build, warm, from {how}"] = command("build", "-s", spec, "--root",
                                                              str(site))
    rows += list(side_by_side(commands, args.repeat).items())

    entries = [p.read_bytes() for p in sorted(scratch.rglob("*.pickle"))]
    megabytes = sum(map(len, entries)) / 2**20
    loaders = {"pickle.loads": pickle.loads, "osflow's restricted unpickler": _load}
    for name, secs in load_side_by_side(entries, loaders, args.repeat).items():
        rows.append((f"load every summary and result of the build ({len(entries)} entries, "
                     f"{megabytes:.0f} MiB) with {name}", secs))
    shutil.rmtree(scratch, ignore_errors=True)

    when = datetime.date.today().isoformat()
    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    lines = [f"Tree: nova {tree.label}. Machine: {machine}. Date: {when}. Best of "
             f"{args.repeat} runs.", "", "| measure | milliseconds |", "|---|---:|"]
    lines += [f"| {name} | {1000 * secs:.1f} |" for name, secs in rows]
    text = "\n".join(lines)
    print(text)
    if args.write:
        _write(text, *MARKS)


if __name__ == "__main__":
    main()
