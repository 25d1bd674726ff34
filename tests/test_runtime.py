"""tracer.runtime: a command's work runs unchanged, on a stack that does not churn."""

import gc
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
