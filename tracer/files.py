"""Writing files people commit: whole or not at all."""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path

# What a name taken from an analysed tree (an operation's action or route) must look like
# before it becomes a file name: no separator, no leading dot, so never `..` or hidden.
SAFE_FILE_STEM = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,99}")

# write_atomic's temporary files: `.<name>.<random>.tmp` next to the file they become.
TEMP_SUFFIX = ".tmp"


def write_atomic(path: Path, data: bytes) -> bool:
    """Write via a temporary file in the same folder and os.replace; False if unchanged."""
    try:
        if path.is_file() and path.stat().st_size == len(data) and path.read_bytes() == data:
            return False
    except OSError:
        pass
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.",
                                   suffix=TEMP_SUFFIX)
    except OSError as exc:  # name the file asked for, not a parent or a temporary name
        raise OSError(exc.errno, exc.strerror, str(path)) from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    return True


@contextlib.contextmanager
def locked(path: Path) -> Iterator[None]:
    """Hold an exclusive flock on `path`: a folder, or a lock file (created if missing).

    The kernel drops the lock when the process dies, so a killed run leaves no stale lock.
    Locking a folder itself leaves no lock file in folders people commit.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    flags = os.O_RDONLY if path.is_dir() else os.O_RDWR | os.O_CREAT
    fd = os.open(path, flags, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock


def is_safe_file_stem(name: str) -> bool:
    return SAFE_FILE_STEM.fullmatch(name) is not None


def remove_leftovers(folder: Path) -> list[Path]:
    """Delete the temporary files of write_atomic calls that a killed run left in folder.

    Only safe while no other run writes there (the caller holds the folder's lock).
    """
    removed = []
    for leftover in sorted(folder.glob(f".*{TEMP_SUFFIX}")) if folder.is_dir() else []:
        leftover.unlink(missing_ok=True)
        removed.append(leftover)
    return removed
