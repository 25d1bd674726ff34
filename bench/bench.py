"""osflow benchmark: one run, one tree, ratios against CPython's `ast` parse floor.

    python bench/bench.py [-s SPEC] [--git REPO [--master]] [--old SPEC] [--repeat N]
                          [--operation OP] [--write]

Measures, on each tree (SPEC, by default the pinned release; with --git, or
$OSFLOW_NOVA_GIT, also 12.0.0 from that clone, and its master with --master):
  floor  CPython `ast.parse` of every non-test module, in this process, sampled just
         before every measured run: each run is divided by the floor sampled beside it,
         and a row's ratio is the median of its runs' (this VM's speed drifts by a fifth
         within minutes; a best run over a best floor taken at other minutes measured
         the drift as much as osflow);
  rpc    `osflow rpc -s TREE --format json` cold (empty parse cache) and warm, as
         subprocesses (interpreter start included), with their peak RSS;
  trace  `osflow trace live-migrate -s TREE` cold, with module summaries cached but no
         results (the cost of tracing a new operation), and warm (its flow cached);
  build  `osflow build -s TREE` of the whole catalogue into a scratch folder, cold (empty
         cache, no files) and warm (nothing changed);
  graph  `osflow graph -s TREE --format json` with summaries cached, and warm;
  growth every operation traced on a tree already read (in this process): mean and slowest;
and on the first tree only:
  diff   `osflow diff OLD TREE --rpc`, and the flows of live-migrate and boot, both trees
         already analysed (OLD: --old, default 20.0.0);
  peers  pyan3 (when installed, or --pyan3 PATH) over the same modules, and how many of
         the catalogue's cross-service RPC edges (every RPC the REST operations send, and
         the handlers they reach send in turn) each tool links from the sender to the
         handler; also how many RPC methods osflow links client -> handler.
Every command runs as a subprocess started by a small launcher process (see Launcher), so
its peak RSS is its own.
With --write, the figures replace the generated section of BENCHMARKS.md.
Not part of the test suite: timings belong here, not in tests.
"""

from __future__ import annotations

import argparse
import ast
import datetime
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
MARK_BEGIN = "<!-- bench:begin -->"
MARK_END = "<!-- bench:end -->"


class Floor:
    """CPython's `ast.parse` of every non-test module of a tree, timed in this process.

    Sampled once before each measured run, not only at the start: this VM's speed drifts
    by a fifth within minutes, and a ratio of timings taken minutes apart measured the
    drift as much as osflow. Each run is divided by the sample taken just before it; the
    floor's own row shows its best sample, as each row's seconds are its best run."""

    def __init__(self, root: Path) -> None:
        files = [p for p in sorted((root / "nova").rglob("*.py")) if "tests" not in p.parts]
        self.sources = [p.read_bytes() for p in files]
        self.samples: list[float] = []

    def sample(self) -> None:
        start = time.perf_counter()
        for src in self.sources:
            try:
                ast.parse(src)
            except SyntaxError:
                ast.parse(src, feature_version=(3, 6))
        self.samples.append(time.perf_counter() - start)

    @property
    def best(self) -> float:
        return min(self.samples)


def libcst_reference(root: Path) -> tuple[float, int] | None:
    """libcst parse of just the modules `osflow rpc` reads (why the index uses `ast`)."""
    try:
        import libcst
    except ImportError:
        return None
    from tracer.index import Index
    from tracer.rpc import build_rpc_model

    index = Index(root)
    build_rpc_model(index, "bench")
    rels = sorted(m.path for m in index._modules.values() if m is not None)
    start = time.perf_counter()
    for rel in rels:
        try:
            libcst.parse_module((root / rel).read_bytes())
        except Exception:
            pass
    return time.perf_counter() - start, len(rels)


class Launcher:
    """Starts every measured command from a small process of its own.

    Linux carries a process's peak RSS across fork and exec: a command started by this
    process, which holds every tree's sources by now, would report this process's size as
    its own (every row of a tree read later showed the same 85 MiB). The launcher is a
    fresh interpreter started before anything is read, so a command's peak RSS is its own
    (or the launcher's 10 MiB, whichever is larger). It times the command itself, so the
    round trip to it is not measured."""

    def __init__(self) -> None:
        self.proc = subprocess.Popen([sys.executable, __file__, "--launcher"],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)

    def run(self, cmd: list[str], env: dict[str, str], out: Path | None = None,
            timeout: float | None = None) -> tuple[float, int] | None:
        """Wall time and peak RSS (MiB) of `cmd` (stdout to `out`); None on timeout."""
        request = {"cmd": cmd, "env": env, "out": str(out) if out else None,
                   "timeout": timeout}
        self.proc.stdin.write(json.dumps(request) + "\n")
        self.proc.stdin.flush()
        reply = json.loads(self.proc.stdout.readline())
        if reply.get("timeout"):
            return None
        if reply["status"] != 0:
            raise SystemExit(f"error: {' '.join(cmd)} failed: {reply['stderr']}")
        return reply["secs"], reply["rss"]

    def close(self) -> None:
        self.proc.stdin.close()
        self.proc.wait()


def launcher_loop() -> None:
    """The launcher's side: one JSON request per line in, one reply per line out."""
    for line in sys.stdin:
        request = json.loads(line)
        with tempfile.TemporaryFile() as err:
            out = open(request["out"], "wb") if request["out"] else subprocess.DEVNULL
            start = time.perf_counter()
            proc = subprocess.Popen(request["cmd"], env=request["env"], stdout=out, stderr=err)
            deadline = start + request["timeout"] if request["timeout"] else None
            while True:
                pid, status, usage = os.wait4(proc.pid, os.WNOHANG if deadline else 0)
                if pid:
                    break
                if time.perf_counter() > deadline:
                    proc.kill()
                    os.wait4(proc.pid, 0)
                    break
                time.sleep(0.05)
            elapsed = time.perf_counter() - start
            if out is not subprocess.DEVNULL:
                out.close()
            if not pid:
                reply = {"timeout": True}
            else:
                err.seek(0)
                reply = {"secs": elapsed, "rss": usage.ru_maxrss // 1024,
                         "status": os.waitstatus_to_exitcode(status),
                         "stderr": err.read().decode("utf-8", "replace")[-500:]}
        sys.stdout.write(json.dumps(reply) + "\n")
        sys.stdout.flush()


LAUNCHER: Launcher | None = None  # started first thing in main()


def run(cmd: list[str], env: dict[str, str]) -> tuple[float, int]:
    """Wall time and peak RSS (MiB) of one command."""
    return LAUNCHER.run(cmd, env)


def catalogue_edges(graph: dict) -> list[tuple[str, str, str]]:
    """The catalogue's cross-service RPC edges, from `osflow graph`'s json: every RPC that
    a REST operation sends, and every RPC the handlers it reaches send in turn, as
    (sending function, client method, serving function or "" when none was found)."""
    nodes = {n["id"]: n for n in graph["nodes"]}
    sends: dict[str, list[str]] = {}
    for edge in graph["edges"]:
        if edge["kind"] in ("call", "cast"):
            sends.setdefault(edge["source"], []).append(edge["target"])
    edges, todo, seen = set(), [n for n in nodes if n.startswith("api:")], set()
    while todo:
        node = todo.pop()
        if node in seen:
            continue
        seen.add(node)
        for target in sends.get(node, ()):
            edges.add((nodes[node]["handler"], nodes[target]["client"],
                       nodes[target].get("handler", "")))
            todo.append(target)
    return sorted(edges)


def pyan3_row(pyan3: str, root: Path, env: dict[str, str], edges, timeout: float):
    """pyan3 over every non-test module: its time, memory, and how many of the catalogue's
    RPC edges it links: a path in its call graph from the function that sends the message
    to the handler that serves it (it has no notion of a message name), and, to show that
    it does follow calls within a process, how many reach the client method at least."""
    files = [str(p) for p in sorted((root / "nova").rglob("*.py")) if "tests" not in p.parts]
    with tempfile.NamedTemporaryFile(suffix=".dot") as out:
        result = LAUNCHER.run([pyan3, *files, "--dot", "--uses", "--no-defines",
                               "--root", str(root)], env, Path(out.name), timeout)
        dot = Path(out.name).read_text("utf-8", "replace")
    if result is None:
        return None
    uses: dict[str, set[str]] = {}
    for caller, callee in re.findall(r'^\s*"([^"]+)" -> "([^"]+)"', dot, re.MULTILINE):
        uses.setdefault(caller.replace("__", "."), set()).add(callee.replace("__", "."))

    def reaches(start: str, goal: str) -> bool:
        todo, seen = [start], {start}
        while todo:
            for nxt in uses.get(todo.pop(), ()):
                if nxt == goal:
                    return True
                if nxt not in seen:
                    seen.add(nxt)
                    todo.append(nxt)
        return False

    linked = sum(1 for sender, _, handler in edges if handler and reaches(sender, handler))
    to_client = sum(1 for sender, client, _ in edges if reaches(sender, client))
    return *result, linked, to_client


def best_of(cmd, env, repeat, floor: Floor, before=None) -> tuple[float, int, float]:
    """`cmd` run `repeat` times: its best seconds, the peak RSS of that run, and the
    median of its runs' ratios to the floor sampled just before each."""
    results, ratios = [], []
    for _ in range(repeat):
        if before:
            before()
            # the files just deleted reach the disk before the clock starts: this VM's
            # disk frees blocks as it commits, and a build creating files meanwhile was
            # measured waiting a tenth of a second on that commit
            os.sync()
        floor.sample()
        results.append(run(cmd, env))
        ratios.append(results[-1][0] / floor.samples[-1])
    secs, rss = min(results)
    return secs, rss, statistics.median(ratios)


def _beside_python(name: str) -> str | None:
    """A console script installed with this interpreter (a venv's bin/, which need not be
    on PATH), else one on PATH."""
    here = Path(sys.executable).parent / name
    return str(here) if here.is_file() else shutil.which(name)


def main() -> None:
    # modes for the child processes that do in-process work (see per_operation's caller)
    if sys.argv[1:2] == ["--per-operation"]:
        from tracer.runtime import run_command

        times = run_command(lambda: per_operation(Path(sys.argv[2]), Path(sys.argv[3])))
        print(json.dumps(times))
        return
    if sys.argv[1:2] == ["--launcher"]:
        launcher_loop()
        return
    if sys.argv[1:2] == ["--libcst-reference"]:
        print(json.dumps(libcst_reference(Path(sys.argv[2]))))
        return
    global LAUNCHER
    LAUNCHER = Launcher()  # before anything is read: see Launcher
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-s", "--source", default=None, help="SPEC (default: pinned release)")
    parser.add_argument("--git", default=os.environ.get("OSFLOW_NOVA_GIT"),
                        help="a nova git clone: also measure 12.0.0 (Liberty) from it "
                             "(default: $OSFLOW_NOVA_GIT)")
    parser.add_argument("--master", action="store_true",
                        help="with --git, also measure its master branch")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--write", action="store_true", help="update BENCHMARKS.md")
    parser.add_argument("--operation", default="live-migrate", help="operation to trace")
    parser.add_argument("--old", default="20.0.0", help="older SPEC for the diff rows")
    parser.add_argument("--pyan3", default=_beside_python("pyan3"),
                        help="pyan3 executable for the peer row (default: beside this "
                             "interpreter, as pip installs it in a venv, else on PATH)")
    parser.add_argument("--peer-timeout", type=float, default=900.0)
    args = parser.parse_args()

    from tracer.sources import open_source  # trees are fetched once, outside the timing

    specs = [args.source] + ([f"{args.git}@12.0.0"] if args.git else []) + \
        ([f"{args.git}@master"] if args.git and args.master else [])
    tables, growth = [], []
    for number, spec in enumerate(specs):
        tree = open_source(spec)
        floor = Floor(tree.root)
        rows, facts = measure(tree, args, floor, peers=number == 0)
        tables.append(_table(tree.label, len(floor.sources), rows))
        growth.append((tree.label, len(floor.sources), floor.best, *facts))
    text = "\n\n".join(tables + [_growth_table(growth)])
    print(text)
    if args.write:
        _write(text)


def measure(tree, args, floor: Floor, peers: bool):
    """Every row for one tree; with `peers`, the diff, pyan3 and libcst rows too. Also the
    facts of the growth table: cold build seconds, operations, per-operation trace times."""
    scratch = Path(tempfile.mkdtemp(prefix="osflow-bench-"))
    env = dict(os.environ, OSFLOW_CACHE_DIR=str(scratch))
    # Installed, osflow runs from compiled bytecode; a sandbox that forbids writing it would
    # add the compilation of osflow itself to every run measured.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    spec = str(tree.root)  # a folder: a git tree is not unpacked again on each cold run
    osflow = [sys.executable, "-m", "tracer"]

    def empty_cache():
        shutil.rmtree(scratch, ignore_errors=True)
        scratch.mkdir()

    def no_results():
        shutil.rmtree(scratch / "results", ignore_errors=True)

    rpc = osflow + ["rpc", "-s", spec, "--format", "json"]
    cold = best_of(rpc, env, args.repeat, floor, before=empty_cache)
    warm = best_of(rpc, env, args.repeat, floor)
    trace = osflow + ["trace", args.operation, "-s", spec]
    trace_cold = best_of(trace, env, args.repeat, floor, before=empty_cache)
    trace_fresh = best_of(trace, env, args.repeat, floor, before=no_results)
    trace_warm = best_of(trace, env, args.repeat, floor)
    site = Path(tempfile.mkdtemp(prefix="osflow-bench-site-"))
    build = osflow + ["build", "-s", spec, "--root", str(site)]

    def nothing_built():
        empty_cache()
        shutil.rmtree(site, ignore_errors=True)

    build_cold = best_of(build, env, args.repeat, floor, before=nothing_built)
    build_warm = best_of(build, env, args.repeat, floor)
    diagrams = len(list((site / "workflows" / "nova").glob("*.wsd")))
    # the servers API alone: the catalogue the 2x bar was set on (issue #8, 87 operations
    # then), beside the whole compute API it grew into (issue #21)
    servers = [op["name"] for op in json.loads(subprocess.run(
        osflow + ["ops", "-s", spec, "--format", "json", "--group", "servers"], env=env,
        check=True, capture_output=True, text=True).stdout)]
    servers_cold = best_of(build + [arg for name in servers for arg in ("--op", name)],
                           env, args.repeat, floor, before=nothing_built)
    graph = osflow + ["graph", "-s", spec, "--format", "json"]
    graph_fresh = best_of(graph, env, args.repeat, floor, before=no_results)
    graph_warm = best_of(graph, env, args.repeat, floor)
    # In a child process: Linux keeps a process's peak RSS across exec, so work done in this
    # process would show in the RSS of every command it starts afterwards. For the same
    # reason the libcst and RPC-link rows run in children too.
    per_op = json.loads(subprocess.run(
        [sys.executable, __file__, "--per-operation", str(tree.root), str(scratch)],
        env=env, check=True, capture_output=True, text=True).stdout)
    rows = [
        ("ast floor (parse every non-test module)", floor.best, None, 1.0),
        ("osflow rpc, cold (empty parse cache)", *cold),
        ("osflow rpc, warm", *warm),
        (f"osflow trace {args.operation}, cold (empty cache)", *trace_cold),
        (f"osflow trace {args.operation}, summaries cached, not its flow", *trace_fresh),
        (f"osflow trace {args.operation}, warm", *trace_warm),
        (f"osflow build, whole catalogue ({diagrams} diagrams), cold (empty cache)",
         *build_cold),
        (f"osflow build, the servers API only ({len(servers)} diagrams), cold (empty cache)",
         *servers_cold),
        ("osflow build, warm (nothing changed)", *build_warm),
        ("osflow graph, summaries cached, not the graph", *graph_fresh),
        ("osflow graph, warm", *graph_warm),
    ]
    if peers:
        rows += peer_rows(tree, args, env, osflow, floor)
    shutil.rmtree(site, ignore_errors=True)
    shutil.rmtree(scratch, ignore_errors=True)
    return rows, (build_cold[0], build_cold[2], diagrams, per_op)


def per_operation(root: Path, cache: Path) -> list[tuple[float, str]]:
    """Seconds to trace each operation on a tree already read (in this process, the
    summaries loaded once before the timing): how the cost of one operation grows. Run as
    the command line runs its work (tracer.runtime)."""
    import gc

    from tracer.index import Index
    from tracer.index.cache import SummaryCache
    from tracer.catalogue import build_catalogue
    from tracer.rpc import build_rpc_model
    from tracer.trace import Options, Shared, trace_operation

    index = Index(root, SummaryCache(cache))
    model, catalogue = build_rpc_model(index, "bench"), build_catalogue(index, "bench")
    shared = Shared(index)
    for op in catalogue.operations:  # load every summary the operations reach
        trace_operation(index, model, op, Options(), shared)
    times = []
    gc.collect()
    for op in catalogue.operations:
        start = time.perf_counter()
        trace_operation(index, model, op, Options(), Shared(index))
        times.append((time.perf_counter() - start, op.name))
    return times


def peer_rows(tree, args, env, osflow, floor: Floor):
    """Diff rows (against --old), pyan3, and the libcst reference."""
    from tracer.sources import open_source

    old = open_source(args.old)  # fetched outside the timing
    rpc_diff = osflow + ["diff", str(old.root), str(tree.root), "--rpc"]
    flow_diff = osflow + ["diff", str(old.root), str(tree.root),
                          "--op", "live-migrate", "--op", "boot"]
    run(rpc_diff, env), run(flow_diff, env)  # both trees analysed once: a diff of cached trees
    rows = [
        (f"osflow diff {old.label} {tree.label} --rpc (both cached)",
         *best_of(rpc_diff, env, args.repeat, floor)),
        (f"osflow diff {old.label} {tree.label} --op live-migrate --op boot (cached)",
         *best_of(flow_diff, env, args.repeat, floor)),
    ]
    # read from osflow's json output, not in this process (see per_operation's caller)
    listing = subprocess.run(osflow + ["rpc", "-s", str(tree.root), "--format", "json"],
                             env=env, check=True, capture_output=True, text=True).stdout
    methods = [m for m in json.loads(listing) if m["service"] != "nova-*"]
    linked = sum(1 for m in methods if m["handler"])
    rows.append((f"osflow: RPC methods linked client -> handler: {linked} of {len(methods)}",
                 None, None, None))
    graph = subprocess.run(osflow + ["graph", "-s", str(tree.root), "--format", "json"],
                           env=env, check=True, capture_output=True, text=True).stdout
    edges = catalogue_edges(json.loads(graph))
    found = sum(1 for _, _, handler in edges if handler)
    rows.append((f"osflow: the catalogue's cross-service RPC edges (sender -> handler) "
                 f"found: {found} of {len(edges)}", None, None, None))
    if args.pyan3:
        floor.sample()
        peer = pyan3_row(args.pyan3, tree.root, env, edges, args.peer_timeout)
        if peer is None:
            rows.append((f"pyan3 (peer): did not finish in {args.peer_timeout:.0f} s",
                         None, None, None))
        else:
            rows.append((f"pyan3 (peer), whole tree: the catalogue's RPC edges linked "
                         f"(a call path sender -> handler): {peer[2]} of {len(edges)} "
                         f"(sender -> client method: {peer[3]})",
                         peer[0], peer[1], peer[0] / floor.samples[-1]))
    floor.sample()
    reference = json.loads(subprocess.run(
        [sys.executable, __file__, "--libcst-reference", str(tree.root)],
        env=env, check=True, capture_output=True, text=True).stdout)
    if reference:
        rows.append((f"libcst parse only, of the {reference[1]} modules rpc reads (reference)",
                     reference[0], None, reference[0] / floor.samples[-1]))
    return rows


def _growth_table(growth) -> str:
    lines = [
        "How the cost grows with the tree (per operation: tracing it on a tree already "
        "read, in one process):",
        "",
        "| tree | modules | ast floor (s) | build cold (s) | x floor | operations | "
        "trace per operation, mean (ms) | slowest operation (ms) |",
        "|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for label, nfiles, floor, cold, ratio, diagrams, per_op in growth:
        mean = 1000 * sum(t for t, _ in per_op) / max(len(per_op), 1)
        slowest = max(per_op) if per_op else (0.0, "-")
        lines.append(f"| {label} | {nfiles} | {floor:.2f} | {cold:.2f} | {ratio:.2f} | "
                     f"{diagrams} | {mean:.0f} | {slowest[1]} {1000 * slowest[0]:.0f} |")
    return "\n".join(lines)


def _table(label: str, nfiles: int, rows) -> str:
    when = datetime.date.today().isoformat()
    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    lines = [
        f"Tree: nova {label} ({nfiles} non-test modules). Machine: {machine}. Date: {when}.",
        "",
        "| measure | seconds (best run) | x ast floor (median of runs) | peak RSS (MiB) |",
        "|---|---:|---:|---:|",
    ]
    for name, secs, rss, ratio in rows:
        if secs is None:
            lines.append(f"| {name} | - | - | - |")
        else:
            lines.append(f"| {name} | {secs:.2f} | {ratio:.2f} | {rss if rss else '-'} |")
    return "\n".join(lines)


def _write(table: str, begin: str = MARK_BEGIN, end: str = MARK_END) -> None:
    """Put `table` between the marks `begin` and `end` of BENCHMARKS.md (at its end when
    they are not there yet)."""
    path = HERE.parent / "BENCHMARKS.md"
    text = path.read_text() if path.exists() else ""
    block = f"{begin}\n{table}\n{end}"
    if begin in text and end in text:
        head, rest = text.split(begin, 1)
        tail = rest.split(end, 1)[1]
        text = head + block + tail
    else:
        text = text + "\n" + block + "\n"
    path.write_text(text)


if __name__ == "__main__":
    main()
