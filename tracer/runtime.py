"""How one osflow process runs: tuning for a short-lived command that interprets deeply.

Nothing here changes a result; it changes how much the interpreter's own bookkeeping
costs. Every figure quoted was measured on the cold build of nova 34.0.0.
"""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from concurrent.futures import ProcessPoolExecutor
    from multiprocessing.context import BaseContext

T = TypeVar("T")

# Frames of Python functions live on a per-thread stack of chunks (CPython 3.11 and
# later). A chunk is 16 KiB, mapped when a call needs more room and unmapped as soon as
# that call returns, so a recursion hovering around a chunk's end maps and unmaps a fresh
# chunk, and faults its pages in, at every crossing. The tracer interprets Nova's code
# hundreds of frames deep: strace counted 25,044 maps of 16 KiB in one cold build, and
# tracing every operation took 1.09 s. A chunk is as large as the frame that opens it
# needs, up to twice that: a frame declaring a stack this deep opens a chunk of 1 MiB and
# leaves half of it to every frame above it (261 maps in that build, tracing 0.81 s). Its
# own slots are never written, so they cost address space, not memory.
_DEEP_STACK_SLOTS = 1 << 16


def _on_a_large_chunk(work: Callable[[], T]) -> T:
    return work()


_on_a_large_chunk.__code__ = _on_a_large_chunk.__code__.replace(
    co_stacksize=_DEEP_STACK_SLOTS)


def run_command(work: Callable[[], T]) -> T:
    """Run one command's `work` tuned for a short-lived process (and the helper
    processes it forks, which inherit both settings)."""
    # The index and the tracer allocate millions of small objects and free few of them;
    # CPython's default collection every 700 allocations costs more than half the run
    # time (measured: a boot trace 1.63 s -> 0.77 s). Collect rarely instead.
    gc.set_threshold(100_000, 50, 1000)
    return _on_a_large_chunk(work)


def process_context(method: str | None = None) -> BaseContext:
    """How osflow starts its helper processes: forked on Linux (a helper starts at once,
    sharing what this process imported and read), spawned elsewhere.

    A spawned (or forkserver) helper is a new interpreter started as `python -c ...`,
    which puts the current folder first on sys.path: a multiprocessing.py or pickle.py
    there would run in it. PYTHONSAFEPATH (Python 3.11 and later; set for the helpers,
    which inherit the environment) keeps the current folder off their path."""
    import multiprocessing

    method = method or ("fork" if sys.platform == "linux" else "spawn")
    if method != "fork":
        os.environ["PYTHONSAFEPATH"] = "1"
    return multiprocessing.get_context(method)


def helper_pool(workers: int, initializer: Callable[..., None] | None = None,
                initargs: tuple = (), context: BaseContext | None = None
                ) -> ProcessPoolExecutor:
    """A pool of helper processes that end with this process, however it ends.

    A helper outliving a killed build (SIGKILL to the build alone, not its group) kept
    working for nobody, and held what it inherited: the build root's lock, so every later
    build waited (880 s observed). Each helper asks the kernel to kill it when this
    process dies, and closes its copies of this process's locks."""
    from concurrent.futures import ProcessPoolExecutor

    return ProcessPoolExecutor(
        max_workers=workers, mp_context=context or process_context(),
        initializer=_helper_process_start, initargs=(os.getpid(), initializer, initargs))


def _helper_process_start(parent: int, initializer: Callable[..., None] | None,
                          initargs: tuple) -> None:
    from tracer.files import drop_inherited_locks

    die_with_parent(parent)
    drop_inherited_locks()
    if initializer is not None:
        initializer(*initargs)


_PR_SET_PDEATHSIG = 1


def die_with_parent(parent: int) -> None:
    """End this process when `parent` ends: the kernel's parent-death signal on Linux, a
    thread watching the parent elsewhere."""
    import signal

    if sys.platform == "linux":
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0:
            if os.getppid() != parent:  # it died before the request was made
                os._exit(1)
            return
    import threading

    def watch() -> None:
        import time

        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, name="osflow-parent-watch", daemon=True).start()
