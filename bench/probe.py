"""Issue #20's adversarial probes, run against the real `osflow` command.

    python bench/probe.py [--json] [-k TEXT]... [--list] [--keep]

Each probe builds its case in a temporary folder of its own (removed afterwards; `--keep`
leaves them and says where), runs the `osflow` console script beside this Python (else
`python -m tracer`) as a subprocess, and says whether the promise of docs/reliability.md
held:
  - the exit status and stderr promised: one `error: ...` line and exit 2, or success with
    the promised `warning: ...` lines; never a traceback;
  - within time and memory: each run has a wall-time limit (60 s unless the probe says
    less: 30 s for a PNG at the documented limits, 20 s where a named pipe could stall it;
    over it, its process group is killed) and an address-space limit of 4 GiB (RLIMIT_AS),
    and its peak resident memory (VmHWM of osflow and of each helper it starts, sampled
    every 10 ms; not ru_maxrss, which Linux carries across exec from the forking parent)
    must stay under the probe's budget (500 MB, 300 MB for a PNG at the limits);
  - nothing written outside the places the probe allows (its cache, a build's root, a
    named output): every other file, folder, link and node of its folder, the HOME it gives
    osflow included, is compared before and after (kind, inode, size, mtime, content, link
    target), so a file replaced or written through a link fails too; and nothing is left
    in the TMPDIR it gives osflow.

Prints one line a probe, `PASS|FAIL|SKIP name  time  peak  detail` (time: osflow's wall
time summed over the probe's runs; peak: the largest VmHWM of any osflow process), then
`N probes: P passed, F failed`; `--json` prints the same as one JSON object. The exit
status is 1 if any probe failed. Offline: package indexes are local `file://` folders, or
a closed port. 76 to 98 s on 2 cores. Not part of the test suite: tests/test_probe.py
runs a few of its probes so that it cannot rot.
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import hashlib
import json
import os
import resource
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

# The test suite's synthetic trees and crafted inputs, so that a probe and its test build
# the same case.
from tests.index.test_index import crafted_entries  # noqa: E402
from tests.render.test_fuzz import (AT_THE_LIMITS, MEMORY_LIMIT_MB,  # noqa: E402
                                    NEAR_THE_PNG_BUDGET, TIME_LIMIT_S)
from tests.test_bad_input import (PIPELINE, PY2_NAMES, LocalIndex, committed,  # noqa: E402
                                  deep_manager, git, include, spoil_member)
from tests.test_build import pause_changed, tree_without  # noqa: E402
from tests.test_safety import assert_whole, many_operations, outputs, trapped_tree  # noqa: E402
from tests.test_sources import same_size_edit, trapped_folder  # noqa: E402
from tests.trees import TRACE, nested_folders, write_tree  # noqa: E402

DEFAULT_LIMIT_S = 60.0
DEFAULT_LIMIT_MB = 500.0
ADDRESS_SPACE = 4 << 30  # RLIMIT_AS of every run: a runaway read fails, not the machine
PIPE_LIMIT_S = 20.0  # a run that could wait on a named pipe: it must not
CLOSED_INDEX = "http://127.0.0.1:9/simple"  # connection refused at once


def osflow_command() -> list[str]:
    """The console script of this Python's environment, as a user runs it; else the
    module (`python -m` puts the current folder first on sys.path, the script does not)."""
    script = Path(sys.executable).with_name("osflow")
    return [str(script)] if script.is_file() else [sys.executable, "-m", "tracer"]


class Failed(Exception):
    """The promise did not hold; the message says how."""


class Skipped(Exception):
    """The probe cannot run here; the message says why."""


# ----------------------------------------------------------------------------- processes


def _descendants(pid: int) -> list[int]:
    """`pid`'s children, theirs, and so on (Linux's /proc/PID/task/TID/children)."""
    found, todo = [], [pid]
    while todo:
        parent = todo.pop()
        try:
            tasks = os.listdir(f"/proc/{parent}/task")
        except OSError:
            continue
        for task in tasks:
            try:
                with open(f"/proc/{parent}/task/{task}/children") as handle:
                    kids = [int(k) for k in handle.read().split()]
            except OSError:
                continue
            found += kids
            todo += kids
    return found


def _peak_kb(pid: int) -> int:
    """The process's peak resident set (VmHWM), 0 once it is gone (or a zombie)."""
    try:
        with open(f"/proc/{pid}/status") as handle:
            for line in handle:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().rsplit(") ", 1)[-1][:1] not in ("Z", "X")
    except OSError:
        return False


def _limit_address_space() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE, ADDRESS_SPACE))


@dataclass
class Run:
    """One osflow run: what it said and what it cost."""

    args: list[str]
    code: int | None  # None: killed by the probe at its time limit
    out: str
    err: str
    seconds: float
    peak_mb: float


class Running:
    """An osflow process started in its own session, its memory sampled until it ends."""

    def __init__(self, args: list[str], cwd: Path, env: dict[str, str]) -> None:
        self.args = args
        self.started = time.monotonic()
        self.proc = subprocess.Popen(
            osflow_command() + args, cwd=cwd, env=env, stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            errors="backslashreplace", start_new_session=True,
            preexec_fn=_limit_address_space)
        self.pid = self.proc.pid
        self.peaks: dict[int, int] = {}
        self._stop = threading.Event()
        self._sampler = threading.Thread(target=self._sample, daemon=True)
        self._sampler.start()

    def _sample(self) -> None:
        while not self._stop.is_set():
            for pid in [self.pid, *_descendants(self.pid)]:
                self.peaks[pid] = max(self.peaks.get(pid, 0), _peak_kb(pid))
            self._stop.wait(0.01)

    def helpers(self) -> list[int]:
        return _descendants(self.pid)

    def finish(self, limit_s: float) -> Run:
        """Wait for the end (the pipes close when every process holding them has ended);
        past `limit_s` from the start, kill the process group and fail."""
        remaining = max(0.1, limit_s - (time.monotonic() - self.started))
        try:
            out, err = self.proc.communicate(timeout=remaining)
            code = self.proc.returncode
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.pid, signal.SIGKILL)
            out, err = self.proc.communicate()
            code = None
        seconds = time.monotonic() - self.started
        self._stop.set()
        self._sampler.join()
        peak = max(self.peaks.values(), default=0) / 1024
        return Run(self.args, code, out, err, seconds, peak)


# ----------------------------------------------------------------------------- a probe's folder


def _signature(path: Path, info: os.stat_result) -> tuple:
    mode = stat.S_IFMT(info.st_mode)
    if stat.S_ISREG(info.st_mode):
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        return mode, info.st_ino, info.st_size, info.st_mtime_ns, digest
    if stat.S_ISLNK(info.st_mode):
        return mode, info.st_ino, os.readlink(path)
    if stat.S_ISDIR(info.st_mode):
        return mode, info.st_ino
    return mode, info.st_ino, info.st_rdev  # a named pipe, a device: never opened


def snapshot(folder: Path, skip: set[Path]) -> dict[str, tuple]:
    """Every node under `folder` but those in `skip` (and what is under them): walked
    without recursion (a probe nests folders 1,100 deep), nothing but regular files
    opened."""
    found: dict[str, tuple] = {}
    todo = [folder]
    while todo:
        current = todo.pop()
        with os.scandir(current) as entries:
            for entry in entries:
                path = Path(entry.path)
                if path in skip:
                    continue
                info = os.lstat(path)
                found[str(path.relative_to(folder))] = _signature(path, info)
                if stat.S_ISDIR(info.st_mode):
                    todo.append(path)
    return found


def differences(before: dict[str, tuple], after: dict[str, tuple]) -> list[str]:
    said = []
    for name in sorted(before.keys() | after.keys()):
        if name not in after:
            said.append(f"{name} removed")
        elif name not in before:
            said.append(f"{name} created")
        elif before[name][:2] != after[name][:2]:
            said.append(f"{name} replaced")
        elif before[name] != after[name]:
            said.append(f"{name} changed")
    return said


def short(text: str, limit: int = 110) -> str:
    text = text.replace("\n", " | ")
    return text if len(text) <= limit else text[:limit - 3] + "..."


class Lab:
    """One probe's temporary folder, and the osflow runs made in it.

    osflow gets a cache, a HOME and a TMPDIR of the folder's own, and a package index at a
    closed port unless a probe serves one. Before the first run the folder is sealed:
    nothing in it may change but the cache and what the probe allowed."""

    def __init__(self, folder: Path, limit_s: float, limit_mb: float) -> None:
        self.folder = folder
        self.cache = folder / "cache"
        self.home = folder / "home"
        self.tmp = folder / "tmp"
        for made in (self.home, self.tmp):
            made.mkdir(parents=True)
        self.limit_s, self.limit_mb = limit_s, limit_mb
        self.runs: list[Run] = []
        self.started: list[Running] = []
        # pip runs `rustc --version` for its user agent: where rustc is rustup's shim, that
        # writes ~/.rustup/settings.toml (pip's doing, and the machine's, not osflow's)
        self.allowed: set[Path] = {self.cache, self.tmp, self.home / ".rustup"}
        self._sealed: dict[str, tuple] | None = None

    # -- the case

    def allow(self, path: Path) -> Path:
        """Let osflow write at `path` (a folder: anything under it); `path`."""
        self.allowed.add(path)
        return path

    def tree(self, name: str = "tree", changes: dict[str, str] | None = None) -> Path:
        """The suite's TRACE tree (6 operations), with some modules replaced."""
        return write_tree(self.folder / name, {**TRACE, **(changes or {})})

    def seal(self, forbid: Path | None = None) -> None:
        """Take (or, after checking the last one, take again) the snapshot of what may not
        change: for a probe that sets up more between its runs; `forbid` is allowed no
        more."""
        self.check_sealed()
        self.allowed.discard(forbid)
        self._sealed = snapshot(self.folder, self.allowed)

    def check_sealed(self) -> None:
        if self._sealed is None:
            return
        # a place allowed since the seal (a probe's own clean-up) is no longer compared
        allowed = tuple(str(p.relative_to(self.folder)) for p in self.allowed)
        before = {name: sig for name, sig in self._sealed.items()
                  if not any(name == a or name.startswith(a + os.sep) for a in allowed)}
        changed = differences(before, snapshot(self.folder, self.allowed))
        if changed:
            raise Failed("written outside the allowed places: " + ", ".join(changed[:5]))

    # -- runs

    def env(self, extra: dict[str, str | None] | None = None) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("PIP_", "PYTHON", "OSFLOW_", "GIT_"))}
        env.update(HOME=str(self.home), TMPDIR=str(self.tmp), OSFLOW_CACHE_DIR=str(self.cache),
                   PIP_CONFIG_FILE=os.devnull, PIP_NO_CACHE_DIR="1", PIP_INDEX_URL=CLOSED_INDEX,
                   PIP_RETRIES="0", PIP_TIMEOUT="5")
        for key, value in (extra or {}).items():
            if value is None:
                env.pop(key, None)
            else:
                env[key] = value
        return env

    def start(self, *args: str | Path, cwd: Path | None = None,
              env: dict[str, str | None] | None = None) -> Running:
        if self._sealed is None:
            self._sealed = snapshot(self.folder, self.allowed)
        running = Running([str(a) for a in args], cwd or self.folder, self.env(env))
        self.started.append(running)
        return running

    def stop(self) -> None:
        """End what a probe started and did not wait for (it failed midway)."""
        for running in self.started:
            if running.proc.returncode is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(running.pid, signal.SIGKILL)
                self.runs.append(running.finish(0))

    def finish(self, running: Running, limit_s: float | None = None,
               limit_mb: float | None = None, killed: bool = False) -> Run:
        """The run's end, held to the limits: no traceback, no exit status but 0, 1, 2
        (or, `killed` by the probe, SIGKILL's)."""
        limit_s = limit_s or self.limit_s
        run = running.finish(limit_s)
        self.runs.append(run)
        what = f"osflow {short(' '.join(run.args), 60)}"
        if run.code is None:
            raise Failed(f"{what}: still running after {limit_s:.0f} s; killed")
        codes = (-signal.SIGKILL,) if killed else (0, 1, 2)
        if "Traceback" in run.err or run.code not in codes:
            raise Failed(f"{what}: exit {run.code}: {short(run.err[-300:])}")
        if run.peak_mb > (limit_mb or self.limit_mb):
            raise Failed(f"{what}: peak {run.peak_mb:.0f} MB, over {limit_mb or self.limit_mb:.0f}"
                         " MB")
        return run

    def run(self, *args: str | Path, cwd: Path | None = None,
            env: dict[str, str | None] | None = None, limit_s: float | None = None,
            limit_mb: float | None = None) -> Run:
        return self.finish(self.start(*args, cwd=cwd, env=env), limit_s, limit_mb)

    def trace(self, tree: Path, *more: str | Path, **kw) -> Run:
        return self.run("trace", "pause", "-s", tree, *more, **kw)

    def build(self, tree: Path, root: Path, *more: str | Path, **kw) -> Run:
        return self.run("build", "-s", tree, "--root", root, *more, **kw)


# ----------------------------------------------------------------------------- promises


def error_line(run: Run, *phrases: str) -> str:
    """The one `error:` line of a run refused, exit 2, holding each phrase."""
    lines = run.err.splitlines()
    if run.code != 2:
        raise Failed(f"exit {run.code}, not 2: {short(run.err or run.out[:200])}")
    if len(lines) != 1 or not lines[0].startswith("error: "):
        raise Failed(f"not one error line: {short(run.err, 200)}")
    missing = [p for p in phrases if p not in lines[0]]
    if missing:
        raise Failed(f"{short(lines[0])} (lacks {missing[0]!r})")
    return lines[0]


def succeeded(run: Run, *warnings: str) -> str:
    """A run that went on: exit 0 and one `warning:` line for each phrase, in order (a
    build's `note:` that its root is new is no warning)."""
    lines = [line for line in run.err.splitlines() if not line.startswith("note: ")]
    if run.code != 0:
        raise Failed(f"exit {run.code}: {short(run.err)}")
    if any(not line.startswith("warning: ") for line in lines) or len(lines) != len(warnings):
        raise Failed(f"expected {len(warnings)} warning line(s), got: {short(run.err, 200)}")
    for line, phrase in zip(lines, warnings):
        if phrase not in line:
            raise Failed(f"{short(line)} (lacks {phrase!r})")
    return "; ".join(lines) or "no warnings"


def check(condition: object, why: str) -> None:
    if not condition:
        raise Failed(why)


def make_node(path: Path, kind: str | bytes) -> Path:
    """What a probe puts where osflow reads or writes: bytes (a file), `fifo`, `folder`,
    `zero` (a link to /dev/zero), `link:TARGET`, or `device:MAJOR,MINOR` (a device node of
    its own, root only: never one of /dev)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(kind, bytes):
        path.write_bytes(kind)
    elif kind == "fifo":
        os.mkfifo(path)
    elif kind == "folder":
        path.mkdir()
    elif kind == "zero":
        path.symlink_to("/dev/zero")
    elif kind.startswith("link:"):
        path.symlink_to(kind[5:])
    else:
        major, minor = map(int, kind[7:].split(","))
        try:
            os.mknod(path, stat.S_IFCHR | 0o600, os.makedev(major, minor))
        except PermissionError:
            raise Skipped("making a device node needs root") from None
    return path


def kind_of(path: Path) -> str:
    mode = os.lstat(path).st_mode
    return {stat.S_IFREG: "file", stat.S_IFDIR: "folder", stat.S_IFIFO: "fifo",
            stat.S_IFLNK: "link", stat.S_IFCHR: "device"}.get(stat.S_IFMT(mode), "other")


# ----------------------------------------------------------------------------- the probes


@dataclass
class Probe:
    name: str
    covers: str  # the item of issue #20 or the row of docs/reliability.md
    work: Callable[[Lab], str]
    limit_s: float = DEFAULT_LIMIT_S
    limit_mb: float = DEFAULT_LIMIT_MB


PROBES: list[Probe] = []


def probe(name: str, covers: str, limit_s: float = DEFAULT_LIMIT_S,
          limit_mb: float = DEFAULT_LIMIT_MB) -> Callable:
    def register(work: Callable[[Lab], str]) -> Callable[[Lab], str]:
        PROBES.append(Probe(name, covers, work, limit_s, limit_mb))
        return work
    return register


def family(names: dict[str, object], prefix: str, covers: str, **limits) -> Callable:
    """One probe per entry of `names`: the work gets the lab and the entry's value."""
    def register(work: Callable[[Lab, object], str]) -> Callable:
        for name, value in names.items():
            probe(f"{prefix}/{name}", covers, **limits)(
                lambda lab, value=value: work(lab, value))
        return work
    return register


# -- sources


@probe("source/missing-path", "bad inputs: missing path")
def _(lab: Lab) -> str:
    return error_line(lab.run("rpc", "-s", lab.folder / "nowhere"), "no such directory")


@probe("source/not-a-nova-tree", "bad inputs: not a nova tree")
def _(lab: Lab) -> str:
    (lab.folder / "empty").mkdir()
    return error_line(lab.run("rpc", "-s", lab.folder / "empty"), "no nova/ package here")


@probe("source/bare-major-version", "bad inputs: a bare major version")
def _(lab: Lab) -> str:
    return error_line(lab.run("trace", "pause", "-s", "34"), "not a release number")


@probe("source/5000-characters", "unclear errors: a 5,000-character -s")
def _(lab: Lab) -> str:
    return error_line(lab.run("rpc", "-s", "a" * 5000),
                      "(5000 characters): too long to be a path on this system")


@probe("source/unknown-release", "bad inputs: unknown release")
def _(lab: Lab) -> str:
    index = LocalIndex(lab.folder / "index", lab.tree())
    return error_line(lab.run("ops", "-s", "33.0.9", env=index.env()),
                      "nova==33.0.9 is not on the package index")


@probe("source/index-unreachable", "bad inputs: package index unreachable")
def _(lab: Lab) -> str:
    return error_line(lab.run("ops", "-s", "34.0.0"), "cannot reach the package index")


@probe("source/wheel-sha256-mismatch", "bad inputs: a wheel that does not match the sha256")
def _(lab: Lab) -> str:
    index = LocalIndex(lab.folder / "index", lab.tree())
    wheel = next((lab.folder / "index").rglob("*.whl"))
    wheel.write_bytes(wheel.read_bytes() + b"tampered")
    line = error_line(lab.run("ops", "-s", "33.0.0", env=index.env()),
                      "does not match the sha256")
    check(not (lab.cache / "releases" / "nova-33.0.0").exists(), "the wheel was cached")
    return line


@family({"bad-crc": ("crc", "Bad CRC-32"),
         "unknown-compression": ("method", "compression method 99"),
         "encrypted-flag": ("encrypted", "it is encrypted")},
        "wheel", "#20.10: a wheel member that cannot be read")
def _(lab: Lab, case) -> str:
    how, reason = case
    index = LocalIndex(lab.folder / "index", lab.tree())
    wheel = next((lab.folder / "index").rglob("*.whl"))
    spoil_member(wheel, "nova/compute/api.py", how)
    digest = hashlib.sha256(wheel.read_bytes()).hexdigest()  # published as it is
    (wheel.parent / "index.html").write_text(f'<a href="{wheel.name}#sha256={digest}">x</a>')
    line = error_line(lab.run("ops", "-s", "33.0.0", env=index.env()),
                      "member 'nova/compute/api.py' cannot be read", reason)
    check(not (lab.cache / "releases" / "nova-33.0.0").exists(), "the wheel was cached")
    return line


def git_tree(lab: Lab) -> Path:
    if shutil.which("git") is None:
        raise Skipped("no git here")
    tree = lab.tree()
    committed(tree)
    return tree


@probe("git/without-a-ref", "bad inputs: a git repository without @REF")
def _(lab: Lab) -> str:
    if shutil.which("git") is None:
        raise Skipped("no git here")
    repo = lab.folder / "repo.git"
    repo.mkdir()
    git(repo, "init", "-q", "--bare")  # a checkout holding nova/ is read as a folder
    return error_line(lab.run("rpc", "-s", repo), "say which tag, branch or commit")


@probe("git/missing-ref", "bad inputs: missing git ref")
def _(lab: Lab) -> str:
    return error_line(lab.run("rpc", "-s", f"{git_tree(lab)}@nope"),
                      "no such tag, branch or commit")


@family({"include-fifo": "fifo", "include-dev-zero": "zero", "user-config-includes-fifo": "home"},
        "git", "unclear errors: a git include.path naming a FIFO or /dev/zero",
        limit_s=PIPE_LIMIT_S)
def _(lab: Lab, kind) -> str:
    tree = git_tree(lab)
    target = make_node(lab.folder / "target", "zero" if kind == "zero" else "fifo")
    include(lab.home / ".gitconfig" if kind == "home" else tree / ".git" / "config", target)
    return error_line(lab.run("rpc", "-s", f"{tree}@HEAD"), f"git's configuration includes "
                      f"{target}", "not a regular file; git would stall or fail reading it")


@probe("git/tree-1100-deep", "#20.10: a git tree with folders nested 1,100 deep")
def _(lab: Lab) -> str:
    tree = lab.tree()
    if shutil.which("git") is None:
        raise Skipped("no git here")
    with nested_folders(tree / "nova", 1100):
        committed(tree)
        git(tree, "tag", "deep")
        run = lab.run("rpc", "-s", f"{tree}@deep")
        lab.allowed.add(tree)  # the commit, its tag and the deep folders' removal
    line = error_line(run, "is nested 1101 folders deep, over the cap of 64")
    check(not [p for p in (lab.cache / "git").glob("[!.]*")], "something was cached")
    return line


# -- code in the current folder and in the tree


def trapped_cwd(lab: Lab) -> tuple[Path, Path]:
    marker = lab.folder / "ran"
    return trapped_folder(lab.folder / "cwd", marker), marker


def nothing_ran(marker: Path) -> None:
    check(not marker.exists(), f"code ran: {marker.read_text().strip() if marker.exists() else ''}")


@probe("cwd/pip-download", "#20.1: a pip.py (runpy.py, ...) in the current folder during a "
       "release download")
def _(lab: Lab) -> str:
    cwd, marker = trapped_cwd(lab)
    index = LocalIndex(lab.folder / "index", lab.tree())
    detail = succeeded(lab.run("ops", "-s", "33.0.0", cwd=cwd, env=index.env()))
    nothing_ran(marker)
    check((lab.cache / "releases" / "nova-33.0.0" / "nova").is_dir(), "the release is not cached")
    return f"downloaded from a local index, no trap ran; {detail}"


@probe("cwd/pip-offline", "#20.1: the same, pip failing fast at a closed port")
def _(lab: Lab) -> str:
    cwd, marker = trapped_cwd(lab)
    line = error_line(lab.run("ops", "-s", "33.0.0", cwd=cwd), "cannot reach the package index")
    nothing_ran(marker)
    return line


@probe("cwd/build-with-helpers", "untrusted trees: helper processes import nothing from the "
       "current folder")
def _(lab: Lab) -> str:
    cwd, marker = trapped_cwd(lab)
    tree = many_operations(lab.folder / "tree", 8)
    root = lab.allow(lab.folder / "root")
    detail = succeeded(lab.build(tree, root, cwd=cwd))
    nothing_ran(marker)
    return f"no trap ran; {detail}"


@probe("tree/nothing-of-it-runs", "untrusted trees: nothing of the tree runs")
def _(lab: Lab) -> str:
    marker = lab.folder / "ran"
    tree = trapped_tree(lab.folder / "tree", marker)
    root = lab.allow(lab.folder / "root")
    for args in (["ops"], ["rpc"], ["trace", "pause", "--errors"], ["check"],
                 ["graph", "--format", "json"], ["build", "--png", "--root", root]):
        succeeded(lab.run(*args, "-s", tree, cwd=tree))
        nothing_ran(marker)
    return "ops, rpc, trace, check, graph, build --png run from the tree: no trap ran"


# -- the cache


@probe("cache/tampered-release-same-size", "#20.2: a same-size edit of a cached release, "
       "its mtime set back")
def _(lab: Lab) -> str:
    index = LocalIndex(lab.folder / "index", lab.tree())
    first = lab.run("trace", "pause", "-s", "33.0.0", env=index.env())
    succeeded(first)
    entry = lab.cache / "releases" / "nova-33.0.0"
    same_size_edit(entry / "nova" / "compute" / "api.py", b"pause_instance(", b"pause_instanc3(")
    again = lab.run("trace", "pause", "-s", "33.0.0", env=index.env())
    detail = succeeded(again, f"cache entry {entry} is incomplete or damaged; rebuilding it")
    check(again.out == first.out, "the rebuilt entry traces differently")
    return detail


@family({"os.system": 0, "builtins.exec": 1, "garbage": None}, "cache/planted-pickle",
        "#20.3: a crafted summary or result cache entry")
def _(lab: Lab, which) -> str:
    tree = lab.tree()
    marker = lab.folder / "ran"
    planted = b"\x80\x05garbage" if which is None else crafted_entries(marker)[which]
    first = lab.trace(tree)
    succeeded(first)
    entries = sorted(lab.cache.rglob("*.pickle"))
    check(entries, "no cache entry to plant")
    for entry in entries:
        entry.write_bytes(planted)
    again = lab.trace(tree)
    succeeded(again)
    nothing_ran(marker)
    check(again.out == first.out, "the output changed")
    return f"{len(entries)} entries planted: nothing ran, the same diagram"


@probe("cache/build-record-is-a-fifo", "bad inputs: a build record that is no regular file",
       limit_s=PIPE_LIMIT_S)
def _(lab: Lab) -> str:
    tree, root = lab.tree(), lab.allow(lab.folder / "root")
    succeeded(lab.build(tree, root))
    records = sorted(lab.cache.rglob("builds/*.json"))
    check(records, "no build record")
    for record in records:
        record.unlink()
        make_node(record, "fifo")
    detail = succeeded(lab.build(tree, root))
    check(all(kind_of(r) == "fifo" for r in records), "the named pipe was replaced")
    return f"not waited on, left alone; {detail}"


# -- outputs


@family({"symlink": "link:target.wsd", "fifo": "fifo", "folder": "folder",
         "device-like-dev-full": "device:1,7", "device-like-dev-null": "device:1,3"},
        "output/trace-o", "#20.4: -o onto something other than a regular file",
        limit_s=PIPE_LIMIT_S)
def _(lab: Lab, kind) -> str:
    (lab.folder / "target.wsd").write_text("the target\n")
    out = make_node(lab.folder / "out.wsd", kind)
    said = {"link": "a symbolic link, not a regular file",
            "fifo": "a named pipe (FIFO), not a regular file",
            "folder": "is a directory",  # click's check of -o, before osflow's
            "device": "a character device, not a regular file"}[kind.split(":")[0]]
    # the seal: the node, and a link's target, are as they were
    return error_line(lab.trace(lab.tree(), "-o", out), said)


@probe("output/render-o-fifo", "#20.4: render -o onto a named pipe", limit_s=PIPE_LIMIT_S)
def _(lab: Lab) -> str:
    (lab.folder / "a.wsd").write_text("A->B: hello\n")
    make_node(lab.folder / "pictures" / "a.svg", "fifo")
    return error_line(lab.run("render", lab.folder / "a.wsd", "-o", lab.folder / "pictures"),
                      "a named pipe (FIFO), not a regular file")


@probe("output/diff-o-symlink", "#20.4: diff -o onto a symbolic link")
def _(lab: Lab) -> str:
    old, new = lab.tree(), pause_changed(lab.folder)
    make_node(lab.folder / "visual" / "pause.wsd", "link:../target.wsd")
    (lab.folder / "target.wsd").write_text("the target\n")
    return error_line(lab.run("diff", old, new, "-o", lab.folder / "visual"),
                      "a symbolic link, not a regular file")


@family({"svg-is-a-fifo": ("output/nova/pause.svg", "fifo", "a named pipe (FIFO)"),
         "wsd-is-a-symlink": ("workflows/nova/pause.wsd", "link:elsewhere.wsd",
                              "a symbolic link"),
         "workflows-nova-is-a-file": ("workflows/nova", b"in the way\n",
                                      "a regular file, not a folder"),
         "index-html-is-a-folder": ("output/index.html", "folder", "a folder, not a regular")},
        "output/build", "#20.4 and unclear errors: a build's outputs that are not files or "
        "folders", limit_s=PIPE_LIMIT_S)
def _(lab: Lab, case) -> str:
    where, kind, what = case
    root = lab.folder / "root"
    make_node(root / where, kind)
    # root is not allowed: a build that is refused writes nothing
    return error_line(lab.build(lab.tree(), root), what)


@probe("output/operation-name-leaving-the-root", "untrusted trees: outputs stay under the root")
def _(lab: Lab) -> str:
    servers = "nova/api/openstack/compute/servers.py"
    tree = lab.tree(changes={servers: TRACE[servers].replace(
        "@wsgi.action('pause')", "@wsgi.action('../../../escaped')")})
    root = lab.folder / "a" / "b" / "root"
    lab.allow(lab.folder / "a")  # the root, and the folders osflow makes to hold it
    detail = succeeded(lab.build(tree, root), "operation name '../../../escaped' cannot be a "
                       "file name; operation skipped")
    check(not [p for p in lab.folder.rglob("escaped*")], "a file named escaped was written")
    return detail


# -- what a build replaces and removes


@probe("build/hand-written-wsd-survives", "#20.5: a full build and hand-written diagrams")
def _(lab: Lab) -> str:
    tree, without = lab.tree(), tree_without(lab.folder, "pause")  # an operation gone
    root = lab.allow(lab.folder / "root")
    mine = make_node(root / "workflows" / "nova" / "my.wsd", b"title mine\nA->B: hello\n")
    succeeded(lab.run("render", mine, "-o", root / "output" / "nova"))
    kept = {p: p.read_bytes() for p in (mine, root / "output" / "nova" / "my.svg")}
    succeeded(lab.build(tree, root))
    succeeded(lab.build(without, root))
    succeeded(lab.build(tree, root, "--png"))
    check({p: p.read_bytes() for p in kept if p.exists()} == kept,
          "a hand-written diagram or its picture changed or vanished")
    check("my.wsd" not in (root / "output" / "index.html").read_text(), "my.wsd is on the index")
    return "my.wsd and my.svg kept over 3 full builds, one without pause"


@probe("build/no-stale-png", "#20.6: build --png, then a plain build of a changed tree")
def _(lab: Lab) -> str:
    tree, changed = lab.tree(), pause_changed(lab.folder)
    root = lab.allow(lab.folder / "root")
    succeeded(lab.build(tree, root, "--png"))
    pngs = sorted(root.rglob("*.png"))
    check(len(pngs) == 6, f"{len(pngs)} PNGs drawn, not 6")
    succeeded(lab.build(changed, root))
    check(not list(root.rglob("*.png")), f"stale PNGs kept: {list(root.rglob('*.png'))}")
    check(".png" not in (root / "output" / "index.html").read_text(), "the index links a PNG")
    return "6 PNGs removed, none linked"


@probe("build/main-process-killed", "#20.7: SIGKILL to a build alone, not its helpers")
def _(lab: Lab) -> str:
    if (os.cpu_count() or 1) < 2 or not sys.platform.startswith("linux"):
        raise Skipped("a build starts helpers on Linux with 2 cores or more")
    tree = many_operations(lab.folder / "tree", 16)
    root = lab.allow(lab.folder / "root")
    build = lab.start("build", "-s", tree, "--root", root, "--png")
    deadline = time.monotonic() + 20
    while not build.helpers() and build.proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(0.5)  # the helper at work
    helpers = build.helpers()
    if not helpers:
        build.finish(30)
        raise Failed("no helper process seen in a build of 22 operations on a new tree")
    os.kill(build.pid, signal.SIGKILL)
    deadline = time.monotonic() + 10
    while any(alive(p) for p in helpers) and time.monotonic() < deadline:
        time.sleep(0.05)
    left = [p for p in helpers if alive(p)]
    check(not left, f"helper(s) {left} outlived the build by 10 s")
    lab.finish(build, limit_s=30, killed=True)  # the pipes close when every helper has ended
    fd = os.open(root, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        raise Failed("the killed build's lock on the root is still held") from None
    finally:
        os.close(fd)
    succeeded(lab.build(tree, root, "--png"))  # no "waiting for it to finish"
    assert_whole(root)
    return f"{len(helpers)} helper(s) ended with it, the lock was free, the next build whole"


@probe("build/root-locked-by-another", "interrupted and concurrent runs: a build that finds "
       "the root locked says so, then waits")
def _(lab: Lab) -> str:
    tree, root = lab.tree(), lab.allow(lab.folder / "root")
    root.mkdir()
    fd = os.open(root, os.O_RDONLY)
    fcntl.flock(fd, fcntl.LOCK_EX)
    try:
        build = lab.start("build", "-s", tree, "--root", root)
        time.sleep(1)
        waited = build.proc.poll() is None and not list(root.iterdir())
    finally:
        os.close(fd)
    run = lab.finish(build)
    check(waited, "the build did not wait for the root's lock")
    said = f"osflow: another osflow build is writing {root}; waiting for it to finish"
    check(run.code == 0 and [line for line in run.err.splitlines()
                             if not line.startswith("note: ")] == [said],
          f"exit {run.code}: {short(run.err)}")
    return "said once, waited 1 s, then built"


@probe("build/two-at-once-on-one-root", "interrupted and concurrent runs: two builds at once")
def _(lab: Lab) -> str:
    tree = many_operations(lab.folder / "tree", 8)
    alone, root = lab.allow(lab.folder / "alone"), lab.allow(lab.folder / "root")
    succeeded(lab.build(tree, alone))
    both = [lab.start("build", "-s", tree, "--root", root) for _ in range(2)]
    for running in both:
        lab.finish(running)
    check(outputs(root) == outputs(alone), "two builds at once made other files than one")
    return "the files of one clean build"


# -- the tree: files that are no modules, names, nesting, syntax


@family({"fifo": ("fifo", "a named pipe (FIFO), not a regular file"),
         "link-to-dev-zero": ("zero", "a symbolic link to a character device"),
         "device-node-like-dev-zero": ("device:1,5", "a character device, not a regular file"),
         "over-8MiB": (b"#" * (8 * 1024 * 1024 + 2) + b"\n",
                       "8388611 bytes, over the 8 MiB cap on a module"),
         "52MB": (b"#" * 52_000_386 + b"\n", "52000387 bytes, over the 8 MiB cap")},
        "tree/module", "#20.8: a module that is no regular file or too large",
        limit_s=PIPE_LIMIT_S)
def _(lab: Lab, case) -> str:
    kind, why = case
    tree = lab.tree()
    module = tree / "nova" / "compute" / "utils.py"
    module.unlink()
    make_node(module, kind)
    run = lab.trace(tree)
    detail = succeeded(run, f"nova/compute/utils.py:1: cannot parse (not read: {why}")
    check(PIPELINE in run.out, "the rest of the flow is not traced")
    return detail


@family({"name-not-utf8": ("bad\udcff.py", "its name is not UTF-8"),
         "folder-name-with-a-tab": ("tab\tfolder/x.py", "not printable"),
         "folders-1100-deep": (None, "a folder nested more than 64 deep")},
        "tree/names", "#20.10: names no import can reach, folders 1,100 deep")
def _(lab: Lab, case) -> str:
    name, why = case
    tree = lab.tree()
    if name is None:
        with nested_folders(tree / "nova", 1100):
            run = lab.trace(tree)
            lab.allowed.add(tree / "nova")  # their removal
    else:
        make_node(tree / "nova" / name, b"X = 1\n")
        run = lab.trace(tree)
    detail = succeeded(run, why)
    check(PIPELINE in run.out, "the rest of the flow is not traced")
    return detail


@probe("tree/syntax-error-in-a-module", "bad inputs: a syntax error in one module")
def _(lab: Lab) -> str:
    manager = "nova/compute/manager.py"
    broken = textwrap.dedent(TRACE[manager]) + "def broken(:\n"
    run = lab.trace(lab.tree(changes={manager: broken}))
    detail = succeeded(run, "cannot parse (invalid syntax); its steps are missing")
    check(PIPELINE in run.out, "the rest of the flow is not traced")
    return detail


@probe("tree/syntax-error-in-the-driver", "bad inputs: a syntax error in the virt driver")
def _(lab: Lab) -> str:
    tree = lab.tree(changes={"nova/virt/libvirt/driver.py": "class LibvirtDriver(:\n"})
    return error_line(lab.trace(tree), "so the libvirt driver cannot be traced")


@probe("tree/a-choice-it-cannot-make", "bad inputs: --network nova-network on a tree without")
def _(lab: Lab) -> str:
    return error_line(lab.trace(lab.tree(), "--network", "nova-network"),
                      "this tree has no nova-network API to choose")


@family({"async-as-a-name": ("", ()),
         "async-as-a-name-nested-too-deep": (
             "    x = " + " + ".join(f"f{i}()" for i in range(5000)) + "\n",
             ("nested too deeply for Python's parser",))},
        "parser", "#20.10: Python-2-era names, and deep nesting through the older grammar")
def _(lab: Lab, case) -> str:
    deep, warnings = case
    run = lab.trace(lab.tree(changes={"nova/compute/utils.py": PY2_NAMES + deep}))
    detail = succeeded(run, *warnings)
    check(PIPELINE in run.out, "the rest of the flow is not traced")
    return detail


@family({"95-nested-ifs": ("nested ifs", 95, ()),
         "3000-elif-chain": ("elif chain", 3000, ("nova/compute/manager.py:",)),
         "5000-term-expression": ("long expression", 5000, ("nova/compute/manager.py:",)),
         "3000-call-chain": ("call chain", 3000, ("nova/compute/manager.py:",))},
        "parser", "bad inputs: a huge or deeply nested function")
def _(lab: Lab, case) -> str:
    kind, size, warnings = case
    run = lab.trace(lab.tree(changes={"nova/compute/manager.py": deep_manager(kind, size)}))
    detail = succeeded(run, *warnings)
    check(PIPELINE in run.out, "the rest of the flow is not traced")
    return detail


# -- annotations, accepted findings, stray files in workflows/

ANNOTATIONS = {
    "nested-50k-deep": (("title: " + "[" * 50_000 + "]" * 50_000 + "\n").encode(),
                        "pause.yaml:1: nested more than 16 deep"),
    "lone-surrogate": (b'notes:\n  - at: nova.compute.api.API.pause\n    text: "\\ud800"\n',
                       "pause.yaml:3: \\ud800 is half of a UTF-16 surrogate pair"),
    "null-text": (b"notes:\n  - at: nova.compute.api.API.pause\n    text: null\n",
                  "notes.text is null, which YAML reads as no value"),
    "U+FFFE-escape": (b'title: "Pause \\uFFFE"\n', "title holds character U+FFFE"),
    "U+2028-line-count": ('title: "one\u2028two"\nbogus: 1\n'.encode(),
                          "pause.yaml:2: unknown key 'bogus'"),
    "not-utf8": (b"title: caf\xe9\n", "annotations/nova/pause.yaml"),
    "link-to-dev-zero": ("zero", "not a regular file; an annotation file is a YAML file"),
    "fifo": ("fifo", "not a regular file; an annotation file is a YAML file"),
}


@family(ANNOTATIONS, "annotation", "#20.9, unclear errors: annotations that are no small "
        "UTF-8 YAML", limit_s=PIPE_LIMIT_S)
def _(lab: Lab, case) -> str:
    kind, phrase = case
    tree, root = lab.tree(), lab.folder / "root"
    lab.allow(root)
    succeeded(lab.build(tree, root))
    make_node(root / "annotations" / "nova" / "pause.yaml", kind)
    lab.seal(forbid=root)  # what the first build wrote may not change
    return error_line(lab.build(tree, root), phrase)


SUPPRESSIONS = {
    "link-to-dev-zero": ("zero", "s.yaml: not a regular file"),
    "fifo": ("fifo", "s.yaml: not a regular file"),
    "over-1MiB": (("# " + "x" * (1 << 20) + "\n").encode(), "s.yaml: over 1048576 bytes"),
    "not-utf8": (b"- rule: nested-call\n  where: rpc:\xff\n", "s.yaml:2: not UTF-8 (byte 33)"),
    "nested-50k-deep": (("[" * 50_000 + "]" * 50_000 + "\n").encode(),
                        "s.yaml:1: nested more than 16 deep"),
    "lone-surrogate": (b'- rule: nested-call\n  where: "\\udfff"\n',
                       "s.yaml:2: \\udfff is half of a UTF-16 surrogate pair"),
}


@family(SUPPRESSIONS, "suppress", "#20.9: check --suppress of no small UTF-8 YAML file",
        limit_s=PIPE_LIMIT_S)
def _(lab: Lab, case) -> str:
    kind, phrase = case
    make_node(lab.folder / "s.yaml", kind)
    return error_line(lab.run("check", "-s", lab.tree(), "--suppress", "s.yaml"), phrase)


STRAY = {
    "fifo": ("workflows/nova/stop.wsd", "fifo", ()),
    "link-to-dev-zero": ("workflows/nova/stop.wsd", "zero", ()),
    "device-node-like-dev-zero": ("workflows/nova/stop.wsd", "device:1,5", ()),
    "not-utf8": ("workflows/nova/stop.wsd", b"\xff\xfe title", ("stop.wsd:1: not UTF-8",)),
    "one-5MB-line": ("workflows/nova/stop.wsd", b"x" * ((5 << 20) + 1),
                     ("over the 5242880 byte limit",)),
    "built-list-over-1MiB": ("workflows/nova/.osflow-built", None,
                             ("over the 1 MiB cap on the list of built files",)),
}


@family(STRAY, "workflows", "#20.9: stray files in workflows/ during build --op",
        limit_s=PIPE_LIMIT_S)
def _(lab: Lab, case) -> str:
    where, kind, warnings = case
    tree, root = lab.tree(), lab.allow(lab.folder / "root")
    succeeded(lab.build(tree, root))
    path = root / where
    for record in lab.cache.rglob("builds/*.json"):  # diagrams read back, not recalled
        record.unlink()
    if kind is None:
        path.write_text(path.read_text() + "#" * (1 << 20) + "\n")
    else:
        path.unlink()
        make_node(path, kind)
    detail = succeeded(lab.build(tree, root, "--op", "pause"), *warnings)
    if kind in ("fifo", "zero", "device:1,5"):
        check(kind_of(path) in ("fifo", "link", "device"), "the stray node was replaced")
    return detail


# -- .wsd files, pictures and what XML forbids

WSD = {
    "malformed": (b"A->B: x\nend\n", "svg", "bad.wsd:2: `end` without an open fragment"),
    "not-utf8": (b"\xff\xfe\x00bad", "svg", "bad.wsd:1: not UTF-8 text"),
    "fifo": ("fifo", "svg", "bad.wsd: a named pipe (FIFO), not a regular file"),
    "link-to-dev-zero": ("zero", "png", "bad.wsd: a symbolic link to a character device, not a "
                                        "regular file"),
    "line-ends-an-editor-does-not-see": (
        "A->B: one\u2028two\nA->B: x\x0c\n\x0b\nB->A: y\x85z\u2029\r\nend\n".encode(), "svg",
        "bad.wsd:5: `end` without an open fragment"),
    "U+FFFE-to-svg": ("A->B: fine\nA->B: not\ufffefine\n".encode(), "svg",
                      "bad.wsd:2: character U+FFFE"),
    "U+FFFF-to-png": ("A->B: fine\nA->B: not\uffffline\n".encode(), "png",
                      "bad.wsd:2: character U+FFFF"),
    "control-character-to-svg": (b"A->B: fine\nA->B: not\x01fine\n", "svg",
                                 "bad.wsd:2: character U+0001"),
    "encoded-surrogate-to-svg": (b"A->B: fine\nA->B: not\xed\xa0\x80fine\n", "svg",
                                 "bad.wsd:2: not UTF-8"),
}


@family(WSD, "wsd", "#20.11, unclear errors, bad inputs: malformed .wsd files",
        limit_s=PIPE_LIMIT_S)
def _(lab: Lab, case) -> str:
    kind, fmt, phrase = case
    make_node(lab.folder / "bad.wsd", kind)
    # bad.svg and bad.png are not allowed: a refused diagram draws nothing
    return error_line(lab.run("render", "bad.wsd", "--format", fmt), phrase)


@probe("wsd/folder-1100-deep", "#20.10: render of a folder nested 1,100 deep")
def _(lab: Lab) -> str:
    make_node(lab.folder / "d" / "good.wsd", b"A->B: hello\n")
    with nested_folders(lab.folder / "d", 1100):
        run = lab.run("render", "d")
        lab.allowed.add(lab.folder / "d" / "a")  # their removal
    return error_line(run, "folders nested more than 64 deep in d")


@probe("xml/strings-from-the-tree", "#20.11: characters XML forbids, from a tree's strings, "
       "drawn as SVG and PNG")
def _(lab: Lab) -> str:
    manager, api = "nova/compute/manager.py", "nova/compute/api.py"
    forbidden = "\\ufffe\\uffff\\ud800\\udcff\\x01\\x0b"  # escapes in the module's strings
    tree = lab.tree(changes={
        manager: TRACE[manager].replace("'pause.start'", f"'pause.st{forbidden}art'"),
        api: TRACE[api].replace("'pause')", f"'pau{forbidden}se')")})
    root = lab.allow(lab.folder / "root")
    succeeded(lab.build(tree, root, "--png"))
    for svg in sorted(root.rglob("*.svg")):
        try:
            ET.parse(svg)
        except ET.ParseError as exc:
            raise Failed(f"{svg.name} is no XML: {exc}") from None
    check("\ufffd" in (root / "workflows" / "nova" / "pause.wsd").read_text(),
          "the characters did not reach the diagram: the probe tests nothing")
    again = lab.allow(lab.folder / "again")
    succeeded(lab.run("render", root / "workflows", "-o", again))  # the .wsd written parse
    return "every SVG is XML (U+FFFD drawn), the PNGs drawn, the .wsd render again"


@probe("png/too-much-to-draw", "#20.12: a .wsd whose text alone is over the PNG budget")
def _(lab: Lab) -> str:
    make_node(lab.folder / "huge.wsd", "\n".join(
        f"A->B: message {i} with a label of some words" for i in range(3000)).encode())
    return error_line(lab.run("render", "huge.wsd", "--format", "png", limit_s=TIME_LIMIT_S,
                              limit_mb=MEMORY_LIMIT_MB), "too much to draw as a PNG")


LIMITS = {**{f"at-the-limits/{name.replace(' ', '-')}": (text, True)
              for name, text in sorted(AT_THE_LIMITS.items())},
          **{f"near-the-png-budget/{name.replace(' ', '-')}": (text, False)
             for name, text in sorted(NEAR_THE_PNG_BUDGET.items())}}


@family(LIMITS, "limits", f"#20.12: a .wsd at the parser's limits (or the costliest the PNG "
        f"budget admits) as SVG and PNG, each within {TIME_LIMIT_S} s and {MEMORY_LIMIT_MB} MB",
        limit_s=TIME_LIMIT_S, limit_mb=MEMORY_LIMIT_MB)
def _(lab: Lab, case) -> str:
    text, may_refuse = case
    wsd = make_node(lab.folder / "limit.wsd", text.encode())
    svg, png = lab.allow(wsd.with_suffix(".svg")), lab.allow(wsd.with_suffix(".png"))
    drawn = lab.run("render", wsd.name)
    succeeded(drawn)
    try:
        ET.parse(svg)
    except ET.ParseError as exc:
        raise Failed(f"the SVG is no XML: {exc}") from None
    run = lab.run("render", wsd.name, "--format", "png")
    said = f"SVG {drawn.seconds:.1f} s, PNG {run.seconds:.1f} s"
    if run.code == 2 and may_refuse:
        line = error_line(run, "limit.wsd: too much to draw as a PNG: ")
        return f"{said} refused: {line.split(' as a PNG: ')[1]}"
    succeeded(run, *(["drawn at"] if run.err else []))
    check(png.read_bytes()[:4] == b"\x89PNG", "no PNG written")
    return f"{said} " + (run.err.split(" to stay")[0][9:] if run.err else "drawn, no warning")


@probe("usage/depth-out-of-range", "bad inputs: a usage mistake")
def _(lab: Lab) -> str:
    return error_line(lab.run("trace", "pause", "--depth", "20"), "Invalid value for '--depth'")


# ----------------------------------------------------------------------------- running them


@dataclass
class Outcome:
    name: str
    status: str  # PASS, FAIL or SKIP
    seconds: float  # osflow's wall time, summed over the probe's runs
    peak_mb: float  # the largest VmHWM of any osflow process of the probe
    detail: str
    covers: str
    runs: int = 0
    folder: str | None = field(default=None, repr=False)


def remove(folder: Path) -> None:
    """`rm -rf`: walks without recursion (shutil.rmtree recursed once a level, and fails
    on folders 1,100 deep)."""
    subprocess.run(["rm", "-rf", "--", str(folder)], check=True)


def run_probe(item: Probe, folder: Path, keep: bool = False) -> Outcome:
    lab = Lab(folder, item.limit_s, item.limit_mb)
    try:
        try:
            detail, status = item.work(lab), "PASS"
            lab.check_sealed()
            left = sorted(p.name for p in lab.tmp.iterdir())
            check(not left, f"left in TMPDIR: {', '.join(left[:5])}")
        except Failed as exc:
            detail, status = str(exc), "FAIL"
        except Skipped as exc:
            detail, status = str(exc), "SKIP"
        except Exception as exc:  # noqa: BLE001 - the probe itself broke: say so, go on
            detail, status = f"probe error: {type(exc).__name__}: {exc}", "FAIL"
    finally:
        lab.stop()
        if not keep:
            remove(folder)
    return Outcome(item.name, status, round(sum(r.seconds for r in lab.runs), 2),
                   round(max((r.peak_mb for r in lab.runs), default=0.0), 1), detail,
                   item.covers, len(lab.runs), str(folder) if keep else None)


def selected(patterns: list[str] | None) -> list[Probe]:
    return [p for p in PROBES if not patterns or any(k in p.name for k in patterns)]


def run_probes(items: list[Probe], base: Path | None = None, keep: bool = False,
               each: Callable[[Outcome], None] | None = None) -> list[Outcome]:
    """Run `items` in order, each in a folder of its own under `base` (a new temporary
    folder, removed afterwards unless `keep`)."""
    own = base is None
    base = Path(tempfile.mkdtemp(prefix="osflow-probe-")) if own else base
    found = []
    try:
        for number, item in enumerate(items):
            outcome = run_probe(item, base / f"{number:02d}", keep)
            found.append(outcome)
            if each:
                each(outcome)
    finally:
        if own and not keep:
            remove(base)
    return found


def line_of(outcome: Outcome, width: int) -> str:
    return (f"{outcome.status} {outcome.name:<{width}} {outcome.seconds:5.1f} s "
            f"{outcome.peak_mb:4.0f} MB  {short(outcome.detail, 160)}")


def summary(outcomes: list[Outcome]) -> str:
    count = {s: sum(o.status == s for o in outcomes) for s in ("PASS", "FAIL", "SKIP")}
    said = f"{len(outcomes)} probe{'s' * (len(outcomes) != 1)}: {count['PASS']} passed, " \
        f"{count['FAIL']} failed"
    return said + (f", {count['SKIP']} skipped" if count["SKIP"] else "")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", action="store_true", help="one JSON object on stdout")
    parser.add_argument("-k", action="append", metavar="TEXT",
                        help="only probes whose name holds TEXT (repeatable)")
    parser.add_argument("--list", action="store_true", help="list the probes and what they cover")
    parser.add_argument("--keep", action="store_true", help="keep each probe's folder")
    args = parser.parse_args(argv)
    items = selected(args.k)
    width = max((len(p.name) for p in items), default=0)
    if args.list:
        for item in items:
            print(f"{item.name:<{width}}  {item.covers}")
        return 0
    started = time.monotonic()

    def say(outcome: Outcome) -> None:
        if not args.json:
            print(line_of(outcome, width) + (f"  [{outcome.folder}]" if outcome.folder else ""),
                  flush=True)

    outcomes = run_probes(items, keep=args.keep, each=say)
    seconds = time.monotonic() - started
    if args.json:
        print(json.dumps({"osflow": osflow_command(), "python": sys.version.split()[0],
                          "seconds": round(seconds, 1), "summary": summary(outcomes),
                          "probes": [asdict(o) for o in outcomes]}, indent=1))
    else:
        print(f"{summary(outcomes)} ({seconds:.0f} s)")
    return 1 if any(o.status == "FAIL" for o in outcomes) else 0


if __name__ == "__main__":
    sys.exit(main())
