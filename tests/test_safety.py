"""Untrusted trees, killed and concurrent builds: osflow runs nothing it reads, writes only
under its root, and never leaves a half-written file.

Every command here runs as a user runs it (a subprocess), since what matters is what is on
disk after the process is gone.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tests.test_cli_rpc import osflow
from tests.trees import TRACE, write_tree
from tracer.index.cache import _load as load_cache_entry
from tracer.wsd.parser import parse_text

# ----------------------------------------------------------------------------- no execution

# Prepended to every module of the tree, and the body of every file an installer or test
# runner would execute: if anything ever runs, the marker file appears.
TRAP = "open({marker!r}, 'a').write(__name__ + '\\n')\n"


def trapped_tree(root: Path, marker: Path, files: dict[str, str] = TRACE) -> Path:
    write_tree(root, files)
    trap = TRAP.format(marker=str(marker))
    for module in root.rglob("*.py"):
        module.write_text(trap + module.read_text())
    for runnable in ("setup.py", "conftest.py", "sitecustomize.py", "nova/__main__.py"):
        (root / runnable).write_text(trap)
    (root / "nova.pth").write_text(f"import os; {trap}")
    return root


@pytest.fixture(scope="module")
def trapped(tmp_path_factory) -> tuple[Path, Path, Path]:
    base = tmp_path_factory.mktemp("trapped")
    marker = base / "ran"
    old = trapped_tree(base / "old", marker)
    new = trapped_tree(base / "new", marker)
    api = new / "nova" / "compute" / "api.py"
    api.write_text(api.read_text().replace("def pause(", "def pause_renamed(", 1))
    return old, new, marker


@pytest.mark.parametrize("command", [
    ["ops"], ["rpc"], ["trace", "pause"], ["trace", "live-migrate", "--errors"],
    ["build", "--png"], ["graph", "--format", "json"], ["check"],
    ["diff", "{old}", "{new}"], ["diff", "{old}", "{new}", "--rpc"],
    ["history", "{old}", "{new}", "--rpc"],
])
def test_no_command_runs_the_analysed_code(trapped, tmp_path: Path, command: list[str]) -> None:
    old, new, marker = trapped
    args = [a.format(old=old, new=new) for a in command]
    if "{old}" not in command:
        args += ["-s", str(new)]
    if command[0] == "build":
        args += ["--root", str(tmp_path / "root")]
    result = osflow(*args, cache=tmp_path / "c", cwd=new)
    assert result.returncode == 0, result.stderr
    assert not marker.exists(), marker.read_text()


# ----------------------------------------------------------------------------- paths


def test_operation_names_from_the_tree_cannot_leave_the_root(tmp_path: Path) -> None:
    servers = "nova/api/openstack/compute/servers.py"
    crafted = TRACE[servers].replace("@wsgi.action('pause')",
                                     "@wsgi.action('../../../escaped')")
    tree = write_tree(tmp_path / "tree", {**TRACE, servers: crafted})
    root = tmp_path / "a" / "b" / "root"
    result = osflow("build", "-s", str(tree), "--root", str(root), cache=tmp_path / "c")
    assert result.returncode == 0
    assert "operation name '../../../escaped' cannot be a file name; operation skipped" \
        in result.stderr
    written = sorted(p for p in tmp_path.rglob("*") if p.stem == "escaped")
    assert written == []
    plain = write_tree(tmp_path / "plain", TRACE)
    diffed = osflow("diff", str(plain), str(tree), "-o", str(root / "d"), cache=tmp_path / "c")
    assert diffed.returncode == 0, diffed.stderr
    assert not list(tmp_path.rglob("escaped.*"))


# ----------------------------------------------------------------------------- killed builds

EXTRA_ACTION = """
    @wsgi.response(202)
    @wsgi.action('extra-{n}')
    def _extra_{n}(self, req, id, body):
        context = req.environ['nova.context']
        instance = common.get_instance(self.compute_api, context, id)
        context.can(server_policies.POLICY_ROOT % 'pause')
        self.compute_api.pause(context, instance)
"""


def many_operations(root: Path, count: int) -> Path:
    """The TRACE tree with `count` more pause-like actions: a build long enough to kill."""
    servers = "nova/api/openstack/compute/servers.py"
    extra = "".join(textwrap.indent(textwrap.dedent(EXTRA_ACTION).format(n=n), "    ")
                    for n in range(count))
    return write_tree(root, {**TRACE, servers: textwrap.dedent(TRACE[servers]) + extra})


def start_build(tree: Path, root: Path, cache: Path, *extra: str) -> subprocess.Popen:
    env = dict(os.environ, OSFLOW_CACHE_DIR=str(cache))
    # its own process group: the kill takes the renderer processes with it, as kill -9 of
    # a shell job does
    return subprocess.Popen([sys.executable, "-m", "tracer", "build", "-s", str(tree),
                             "--root", str(root), *extra], env=env, start_new_session=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def finish(proc: subprocess.Popen) -> None:
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err


def outputs(root: Path) -> dict[str, bytes]:
    """What a build made: every file but annotations and hidden temporary files."""
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and "annotations" not in p.parts and not p.name.startswith(".")}


def assert_whole(root: Path) -> None:
    """Every output file is complete: the .wsd parse, the pictures and the page close."""
    for name, data in outputs(root).items():
        if name.endswith(".wsd"):
            parse_text(data.decode("utf-8"), name)
        elif name.endswith(".svg"):
            ET.fromstring(data)
        elif name.endswith(".png"):
            assert data.startswith(b"\x89PNG") and data.endswith(b"IEND\xaeB`\x82"), name
        elif name.endswith(".html"):
            assert data.rstrip().endswith(b"</html>"), name


def assert_cache_whole(cache: Path) -> None:
    for entry in cache.rglob("*.pickle"):
        load_cache_entry(entry.read_bytes())  # as osflow loads it (only its own classes)


@pytest.fixture(scope="module")
def big_tree(tmp_path_factory) -> Path:
    return many_operations(tmp_path_factory.mktemp("big") / "tree", 16)


@pytest.fixture(scope="module")
def clean_builds(big_tree: Path, tmp_path_factory) -> dict[str, tuple[dict[str, bytes], float]]:
    """What one uninterrupted build makes, with and without --png, and how long it takes."""
    base = tmp_path_factory.mktemp("clean")
    made = {}
    for flags in ("--png", ""):
        started = time.monotonic()
        finish(start_build(big_tree, base / f"root{flags}", base / "cache", *flags.split()))
        made[flags] = outputs(base / f"root{flags}"), time.monotonic() - started
    return made


def test_killed_builds_leave_whole_files_and_the_next_build_completes(
        big_tree: Path, clean_builds, tmp_path: Path) -> None:
    expected, duration = clean_builds["--png"]
    root, cache = tmp_path / "root", tmp_path / "cache"
    made = []
    # a cold start, then kills spread over a build's length: in the parse, the traces and
    # the renders
    for fraction in (0.2, 0.4, 0.6, 0.8):
        proc = start_build(big_tree, root, cache, "--png")
        time.sleep(duration * fraction)
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        assert_whole(root)
        assert_cache_whole(cache)
        made.append(len(outputs(root)))
    assert any(0 < n < len(expected) for n in made), made  # some kill landed midway
    finish(start_build(big_tree, root, cache, "--png"))
    assert outputs(root) == expected
    # temporary files cleared; the hidden file left is the list of the build's files
    assert [p.name for p in root.rglob(".*") if p.is_file()] == [".osflow-built"]


def test_concurrent_builds_on_one_root_and_cache(big_tree: Path, clean_builds,
                                                 tmp_path: Path) -> None:
    root, cache = tmp_path / "root", tmp_path / "cache"
    builds = [start_build(big_tree, root, cache) for _ in range(2)]
    for proc in builds:
        finish(proc)
    assert outputs(root) == clean_builds[""][0]
    assert_cache_whole(cache)


def test_a_build_that_finds_the_root_locked_says_so_and_waits(tmp_path: Path) -> None:
    """While another process holds the root's lock, a build says so once on stderr, before
    it waits, writes nothing, and goes on when the lock is free."""
    import fcntl
    import threading

    tree = write_tree(tmp_path / "tree", TRACE)
    root = tmp_path / "root"
    root.mkdir()
    fd = os.open(root, os.O_RDONLY)
    fcntl.flock(fd, fcntl.LOCK_EX)
    try:
        proc = start_build(tree, root, tmp_path / "cache")
        stalled = threading.Timer(60, proc.kill)  # a build that never says it: EOF below
        stalled.start()
        try:
            line = proc.stderr.readline()
        finally:
            stalled.cancel()
        assert line == (f"osflow: another osflow build is writing {root}; waiting for it to "
                        "finish\n")
        assert proc.poll() is None and list(root.iterdir()) == []
    finally:
        os.close(fd)
    _, rest = proc.communicate(timeout=300)
    # said once (and the root is new: said so too)
    assert proc.returncode == 0 and rest.startswith(f"note: {root} has no annotations"), rest
    assert (root / "workflows" / "nova" / "pause.wsd").is_file()


def test_concurrent_builds_of_two_sources_leave_one_of_them(big_tree: Path, clean_builds,
                                                            tmp_path: Path) -> None:
    other = many_operations(tmp_path / "other", 8)
    alone = tmp_path / "alone"
    finish(start_build(other, alone, tmp_path / "cache"))
    root = tmp_path / "root"
    builds = [start_build(tree, root, tmp_path / "cache") for tree in (big_tree, other)]
    for proc in builds:
        finish(proc)
    # one build at a time per root: the second one's result, whole, never a mix
    assert outputs(root) in (clean_builds[""][0], outputs(alone))
