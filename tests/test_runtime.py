"""tracer.runtime: a command's work runs unchanged, on a stack that does not churn."""

import gc
import multiprocessing
import os
import subprocess
import sys

import pytest

from tracer import runtime


@pytest.fixture
def restore_gc():
    threshold = gc.get_threshold()
    yield
    gc.set_threshold(*threshold)


def test_run_command_returns_the_work_result(restore_gc):
    assert runtime.run_command(lambda: ("done", 42)) == ("done", 42)
    assert gc.get_threshold()[0] >= 100_000


def test_run_command_propagates_errors(restore_gc):
    def work():
        raise KeyError("missing")

    with pytest.raises(KeyError, match="missing"):
        runtime.run_command(work)


def test_deep_recursion_under_run_command_keeps_its_result(restore_gc):
    # the large first frame changes where frames live, never what code computes
    def depth(n: int) -> int:
        return 0 if n == 0 else 1 + depth(n - 1)

    limit = min(sys.getrecursionlimit() - 100, 800)
    assert runtime.run_command(lambda: depth(limit)) == limit


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_deep_recursion_maps_no_new_stack_memory(restore_gc):
    """The point of the large frame: a descent through hundreds of frames maps no memory
    (CPython would map a 16 KiB chunk at every crossing of a chunk's end, and unmap it on
    the way back). The process's address space is read at the deepest point."""
    def mapped_kib() -> int:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmSize:"):
                    return int(line.split()[1])
        raise AssertionError("no VmSize in /proc/self/status")

    deepest: list[int] = []

    def dive(n: int) -> None:
        if n:
            dive(n - 1)
        else:
            deepest.append(mapped_kib())

    def descend() -> int:
        before = mapped_kib()
        dive(600)
        return before

    before = descend()  # as plain Python runs it: chunks are mapped on the way down
    if deepest[-1] == before:
        pytest.skip("this Python maps no stack memory for a deep descent")
    before = runtime.run_command(descend)
    assert deepest[-1] == before


# A helper pool of the given start method, run from the current folder: the answer of
# one task in a helper process.
POOL = """
import sys
from concurrent.futures import ProcessPoolExecutor
from tracer import runtime
if __name__ == "__main__":
    with ProcessPoolExecutor(1, mp_context=runtime.process_context(sys.argv[1])) as pool:
        print(pool.submit(abs, -3).result())
"""


@pytest.mark.parametrize("method", ["fork", "spawn", "forkserver"])
def test_helper_processes_import_nothing_from_the_current_folder(tmp_path, method):
    """A spawned or forkserver helper is a new interpreter started with `python -c`, which
    puts the current folder first on sys.path: a multiprocessing.py or pickle.py there would
    run in it. Forked helpers (Linux) start no interpreter."""
    from tests.test_sources import trapped_folder

    if method not in multiprocessing.get_all_start_methods():
        pytest.skip(f"no {method} on this platform")
    if method != "fork" and sys.version_info < (3, 11):
        pytest.xfail("Python 3.10 has no PYTHONSAFEPATH: a spawned helper's path starts "
                     "with the current folder (osflow forks its helpers on Linux)")
    marker = tmp_path / "ran"
    cwd = trapped_folder(tmp_path / "cwd", marker)
    script = tmp_path / "pool.py"  # the script's folder, not the current one, leads sys.path
    script.write_text(POOL)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    result = subprocess.run([sys.executable, str(script), method], cwd=cwd, env=env,
                            capture_output=True, text=True, timeout=120)
    assert not marker.exists(), marker.read_text()
    assert (result.returncode, result.stdout) == (0, "3\n"), result.stderr


def test_helper_processes_are_forked_on_linux():
    method = runtime.process_context().get_start_method()
    assert method == ("fork" if sys.platform == "linux" else "spawn")


# A process that takes a lock, starts a helper pool the way a build does, and gives the
# helper a task that would outlive it: the helper's pid is printed once it is at work.
_LOCKED_PARENT = """
import os, sys, time
from pathlib import Path
from tracer.files import locked
from tracer.runtime import helper_pool

def work(seconds):
    print(os.getpid(), flush=True)
    time.sleep(seconds)

if __name__ == "__main__":
    with locked(Path(sys.argv[1])):
        pool = helper_pool(1)
        pool.submit(work, 600)
        time.sleep(600)
"""


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split(") ")[-1][0] != "Z"
    except FileNotFoundError:
        return False


@pytest.mark.skipif(sys.platform != "linux", reason="reads /proc")
def test_helpers_end_with_their_parent_and_never_keep_its_lock(tmp_path):
    """SIGKILL to the parent alone (not its group): its helper ends too, and the lock the
    parent held is free at once. A helper that outlived a killed build held the root's lock
    it had inherited, and every later build waited (880 s observed)."""
    import fcntl
    import signal
    import time

    folder = tmp_path / "root"
    folder.mkdir()
    script = tmp_path / "parent.py"
    script.write_text(_LOCKED_PARENT)
    parent = subprocess.Popen([sys.executable, str(script), str(folder)],
                              stdout=subprocess.PIPE, text=True,
                              env={**os.environ, "PYTHONPATH": os.getcwd()})
    helper = int(parent.stdout.readline())
    os.kill(parent.pid, signal.SIGKILL)
    parent.wait()
    fd = os.open(folder, os.O_RDONLY)
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                assert time.monotonic() < deadline, "the dead parent's lock is still held"
                time.sleep(0.05)
    finally:
        os.close(fd)
    deadline = time.monotonic() + 10
    while _alive(helper) and time.monotonic() < deadline:
        time.sleep(0.05)
    try:
        assert not _alive(helper), "the helper outlived its parent"
    finally:
        if _alive(helper):
            os.kill(helper, signal.SIGKILL)
