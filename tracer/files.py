"""Writing files people commit (whole or not at all), and reading files osflow did not
write (only regular files, only so much, never waiting on a pipe)."""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import stat
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

from tracer.errors import OsflowError

# What a name taken from an analysed tree (an operation's action or route) must look like
# before it becomes a file name: no separator, no leading dot, so never `..` or hidden.
SAFE_FILE_STEM = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,99}")

# write_atomic's temporary files: `.<name>.<random>.tmp` next to the file they become
# (mkstemp's random part: 8 of [a-z0-9_]); a file of other shape is never taken for one.
TEMP_SUFFIX = ".tmp"
_TEMP_NAME = re.compile(r"\..+\.[a-z0-9_]{8}" + re.escape(TEMP_SUFFIX))


# What is at a path, said in a sentence, and how to get it out of the way.
_KINDS = ((stat.S_ISDIR, "a folder", "move the folder away or {elsewhere}"),
          (stat.S_ISLNK, "a symbolic link", "remove the link or {elsewhere}"),
          (stat.S_ISFIFO, "a named pipe (FIFO)", "remove it or {elsewhere}"),
          (stat.S_ISSOCK, "a socket", "remove it or {elsewhere}"),
          (stat.S_ISCHR, "a character device", "{elsewhere}"),
          (stat.S_ISBLK, "a block device", "{elsewhere}"))


class NotARegularFile(OsflowError, OSError):
    """A path osflow would write holds something it must not replace, or lies in something
    that is not a folder. Also an OSError: a cache that ignores failed writes (they only
    cost speed) ignores this one too, and leaves the node alone."""


def _kind(mode: int) -> tuple[str, str]:
    for test, what, fix in _KINDS:
        if test(mode):
            return what, fix
    what = "a regular file" if stat.S_ISREG(mode) else "not a file"
    return what, "move it away or {elsewhere}"


def kind_of(mode: int) -> str:
    """What a file of this mode is, in words: `a named pipe (FIFO)`."""
    return _kind(mode)[0]


def check_target(path: Path, elsewhere: str = "choose another path") -> None:
    """Refuse `path` unless writing it replaces at most a regular file: a folder, symbolic
    link, named pipe, socket or device there is never replaced (as root, replacing
    /dev/full made it a file), nor written through (a link could point anywhere). Its
    folder must be a folder, or missing (then made). `elsewhere` ends the fix offered."""
    try:
        mode = os.lstat(path).st_mode
    except (FileNotFoundError, NotADirectoryError):  # (a parent not a folder: said below)
        mode = None
    if mode is not None and not stat.S_ISREG(mode):
        what, fix = _kind(mode)
        raise NotARegularFile(f"{path}: {what}, not a regular file; osflow writes only "
                              f"regular files ({fix.format(elsewhere=elsewhere)})")
    folder = path.parent
    while True:  # the nearest existing folder up the path must be one (links followed)
        try:
            if stat.S_ISDIR(os.stat(folder).st_mode):
                return
            what, _ = _kind(os.lstat(folder).st_mode)
        except FileNotFoundError:
            if os.path.islink(folder) and not os.path.exists(folder):
                what = "a symbolic link to nothing"
            elif os.path.lexists(folder):
                continue  # made meanwhile (by a build's other process): look again
            elif folder.parent != folder:
                folder = folder.parent
                continue
            else:
                return
        except NotADirectoryError:
            folder = folder.parent
            continue
        raise NotARegularFile(f"{folder}: {what}, not a folder, so {path} cannot be written "
                              f"(move it away or {elsewhere})")


def is_regular(path: Path) -> bool:
    """Whether a regular file is at `path` (a link to one is not)."""
    try:
        return stat.S_ISREG(os.lstat(path).st_mode)
    except OSError:
        return False


def write_atomic(path: Path, data: bytes) -> bool:
    """Write via a temporary file in the same folder and os.replace; False if unchanged.
    Only a regular file is replaced (see check_target; NotARegularFile otherwise)."""
    check_target(path)
    try:
        if is_regular(path) and path.stat().st_size == len(data) and \
                path.read_bytes() == data:
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


# The descriptors of the locks this process holds. A forked process inherits them, and a
# flock lasts while any process has its descriptor open: a helper that outlived a killed
# build kept the build root locked, and every later build waited on it (880 s observed).
# Helpers close their copies (drop_inherited_locks), so a lock lives and dies with the
# process that took it.
_HELD_LOCKS: set[int] = set()


@contextlib.contextmanager
def locked(path: Path, waiting: str = "") -> Iterator[None]:
    """Hold an exclusive flock on `path`: a folder, or a lock file (created if missing).

    The kernel drops the lock when the process dies, so a killed run leaves no stale lock.
    Locking a folder itself leaves no lock file in folders people commit. When another
    process holds it, `waiting` (if given) is said once on stderr before waiting.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    flags = os.O_RDONLY if path.is_dir() else os.O_RDWR | os.O_CREAT
    fd = os.open(path, flags, 0o644)
    _HELD_LOCKS.add(fd)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if waiting:
                print(waiting, file=sys.stderr, flush=True)
            fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        _HELD_LOCKS.discard(fd)
        os.close(fd)  # closing the descriptor releases the lock


def drop_inherited_locks() -> None:
    """In a forked process: close the lock descriptors inherited from the parent. The
    parent keeps its locks (a flock is released when its last descriptor closes)."""
    for fd in _HELD_LOCKS:
        try:
            os.close(fd)
        except OSError:
            pass
    _HELD_LOCKS.clear()


# How deep a tree's folders may nest, counted from its root (`nova/` is 1): Nova's deepest
# is 7. Deeper folders are not read, and an archive holding one is refused.
MAX_FOLDER_DEPTH = 64


class FileRefused(OsflowError, OSError):
    """A file osflow will not read: not a regular file (`kind` says what it is), or over
    the cap for its kind (`size`, its size in bytes). `reason` says which, without the
    path. Also an OSError: a reader that passes over files it cannot read passes over
    this one too."""

    def __init__(self, path: Path | str, reason: str, kind: str | None = None,
                 size: int | None = None) -> None:
        super().__init__(f"{path}: {reason}")
        self.reason, self.kind, self.size = reason, kind, size


def size_text(size: int) -> str:
    """A cap as a message says it: 8388608 -> '8 MiB', 1000 -> '1000-byte'."""
    for unit, scale in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if size >= scale and size % scale == 0:
            return f"{size // scale} {unit}"
    return f"{size}-byte"


def _refuse_unless_regular(path: Path | str, info: os.stat_result, limit: int) -> None:
    if not stat.S_ISREG(info.st_mode):
        what, _ = _kind(info.st_mode)
        kind = f"a symbolic link to {what}" if os.path.islink(path) else what
        raise FileRefused(path, f"{kind}, not a regular file", kind=kind)
    if info.st_size > limit:
        raise FileRefused(path, f"{info.st_size} bytes, over the {size_text(limit)} cap",
                          size=info.st_size)


def read_regular_file(path: Path | str, limit: int) -> bytes:
    """The bytes of the regular file at `path` (or at the end of a symbolic link): the one
    way osflow reads a file it did not write (a tree's modules, annotations, suppressions,
    .wsd diagrams, a folder's PKG-INFO).

    Anything else is refused with FileRefused before it is opened: a named pipe blocks a
    read until some writer comes, /dev/zero never ends, and opening a device can do more
    than read. So is a file over `limit` bytes, unread. It is opened non-blocking and
    checked again once open, so a file swapped for a pipe in between cannot block either;
    at most `limit` + 1 bytes are read, whatever it grows to. OSError when it cannot be
    read at all (missing, no permission, a path too long)."""
    _refuse_unless_regular(path, os.stat(path), limit)
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0))
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(fd)
        _refuse_unless_regular(path, info, limit)
        # read(n) makes a buffer of n bytes first: ask for the size the file has (and one
        # byte more, to see whether it grew), not for the cap
        data = handle.read(info.st_size + 1)
        if len(data) > info.st_size:  # it grew, or its size says nothing (/proc)
            data += handle.read(limit + 1 - len(data))
    if len(data) > limit:
        raise FileRefused(path, f"over the {size_text(limit)} cap", size=len(data))
    return data


def walk_folders(top: str, max_depth: int,
                 too_deep: Callable[[str], None] | None = None,
                 ) -> Iterator[tuple[str, list[str], list[str]]]:
    """os.walk(top), top-down, without its recursion: Python 3.11's os.walk calls itself
    once a level, and a folder nested 1,100 deep raised RecursionError. As os.walk: links
    to folders are listed with the folders but not entered, folders that cannot be listed
    are passed over, and the caller may prune the folder names it is given. A folder more
    than `max_depth` levels below `top` is not entered; `too_deep` is told its path."""
    stack = [(top, 0)]
    while stack:
        folder, depth = stack.pop()
        try:
            with os.scandir(folder) as found:
                entries = list(found)
        except OSError:
            continue
        folders, files, links = [], [], set()
        for entry in entries:
            try:
                is_folder = entry.is_dir()
            except OSError:
                is_folder = False
            (folders if is_folder else files).append(entry.name)
            if is_folder and entry.is_symlink():
                links.add(entry.name)
        yield folder, folders, files
        deeper = []
        for name in folders:
            if name in links:
                continue
            path = os.path.join(folder, name)
            if depth < max_depth:
                deeper.append((path, depth + 1))
            elif too_deep is not None:
                too_deep(path)
        stack += reversed(deeper)  # entered in the order given (pre-order, as os.walk)


def is_safe_file_stem(name: str) -> bool:
    return SAFE_FILE_STEM.fullmatch(name) is not None


def remove_leftovers(folder: Path) -> list[Path]:
    """Delete the temporary files of write_atomic calls that a killed run left in folder.

    Only safe while no other run writes there (the caller holds the folder's lock).
    """
    removed = []
    for leftover in sorted(folder.glob(f".*{TEMP_SUFFIX}")) if folder.is_dir() else []:
        if _TEMP_NAME.fullmatch(leftover.name) and is_regular(leftover):
            leftover.unlink(missing_ok=True)
            removed.append(leftover)
    return removed
