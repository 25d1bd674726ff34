"""files.write_atomic, the one way osflow writes a file: whole, and only over a regular file.

Whatever else is at the path (a folder, a symbolic link, a named pipe, a device) is left as
it was and the write is refused with OsflowError naming the path and what to do; a cache
write that is refused costs only speed (the error is also an OSError, which the caches
ignore).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from tracer.errors import OsflowError
from tracer.files import write_atomic


def node(path: Path) -> tuple:
    """What is at `path`, not following a link: kind, link target, folder contents, bytes."""
    info = os.lstat(path)
    return (stat.S_IFMT(info.st_mode), os.readlink(path) if path.is_symlink() else None,
            sorted(os.listdir(path)) if stat.S_ISDIR(info.st_mode) else None,
            path.read_bytes() if stat.S_ISREG(info.st_mode) else None)


def make(kind: str, path: Path) -> Path:
    """A node of `kind` at `path`; what a symbolic link points to is returned (or path)."""
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "folder":
        path.mkdir()
        (path / "inside.txt").write_text("kept\n")
    elif kind in ("link to a file", "dangling link"):
        target = path.with_name("target.wsd")
        if kind == "link to a file":
            target.write_text("the target\n")
        path.symlink_to(target.name)
        return target
    return path


@pytest.mark.parametrize("kind, what, fix", [
    ("fifo", "a named pipe (FIFO)", "remove it or choose another path"),
    ("folder", "a folder", "move the folder away or choose another path"),
    ("link to a file", "a symbolic link", "remove the link or choose another path"),
    ("dangling link", "a symbolic link", "remove the link or choose another path"),
])
def test_only_a_regular_file_is_replaced(tmp_path: Path, kind: str, what: str, fix: str):
    path = tmp_path / "out.wsd"
    target = make(kind, path)
    before, target_before = node(path), target.exists() and node(target)
    with pytest.raises(OsflowError) as raised:
        write_atomic(path, b"new\n")
    assert str(raised.value) == (f"{path}: {what}, not a regular file; osflow writes only "
                                 f"regular files ({fix})")
    assert node(path) == before
    assert (target.exists() and node(target)) == target_before
    left = {p.name for p in tmp_path.iterdir()}
    assert left == {path.name} | ({target.name} if target.exists() else set())  # no temporary


def test_a_device_is_never_replaced(tmp_path: Path, monkeypatch):
    # /dev/full itself is never touched: a regular file that lstat calls a character
    # device stands for it (before the fix it was replaced like any file)
    path = tmp_path / "full"
    path.write_bytes(b"stands for /dev/full")
    real_lstat = os.lstat

    def lstat(name, *args, **kwargs):
        info = real_lstat(name, *args, **kwargs)
        if os.fspath(name) == str(path):
            return os.stat_result((stat.S_IFCHR | 0o666,) + tuple(info)[1:])
        return info

    monkeypatch.setattr(os, "lstat", lstat)
    with pytest.raises(OsflowError, match=r"full: a character device, not a regular file; "
                                          r"osflow writes only regular files \(choose "
                                          r"another path\)$"):
        write_atomic(path, b"new")
    monkeypatch.undo()
    assert path.read_bytes() == b"stands for /dev/full"
    assert [p.name for p in tmp_path.iterdir()] == ["full"]


def test_a_regular_file_is_replaced_and_a_refusal_is_an_oserror_too(tmp_path: Path):
    path = tmp_path / "a" / "b.svg"
    assert write_atomic(path, b"one") and path.read_bytes() == b"one"
    assert not write_atomic(path, b"one")  # unchanged: not written again
    assert write_atomic(path, b"two") and path.read_bytes() == b"two"
    os.mkfifo(tmp_path / "pipe")
    with pytest.raises(OSError):  # the caches' `except OSError` keep ignoring it
        write_atomic(tmp_path / "pipe", b"x")


def test_a_parent_that_is_a_file_is_named(tmp_path: Path):
    (tmp_path / "workflows").mkdir()
    (tmp_path / "workflows" / "nova").write_text("not a folder\n")
    path = tmp_path / "workflows" / "nova" / "deeper" / "pause.wsd"
    with pytest.raises(OsflowError) as raised:
        write_atomic(path, b"x")
    assert str(raised.value) == (
        f"{tmp_path / 'workflows' / 'nova'}: a regular file, not a folder, so {path} cannot "
        "be written (move it away or choose another path)")
    assert (tmp_path / "workflows" / "nova").read_text() == "not a folder\n"


def test_the_caches_leave_a_node_at_an_entry_s_path_alone(tmp_path: Path):
    from tracer.index.cache import ResultCache

    cache = ResultCache(tmp_path)
    entry = cache._path("rpc", "k")
    entry.parent.mkdir(parents=True)
    os.mkfifo(entry)
    cache.store("rpc", "k", {"a": 1})  # refused quietly: a cache only costs speed
    assert stat.S_ISFIFO(os.lstat(entry).st_mode)


def test_a_build_removes_its_own_temporary_files_not_people_s(tmp_path: Path, monkeypatch):
    import tempfile

    from tracer.files import remove_leftovers

    made = []
    real = tempfile.mkstemp

    def killed(*args, **kwargs):  # a write killed after its temporary file was made
        made.append(real(*args, **kwargs)[1])
        raise KeyboardInterrupt

    monkeypatch.setattr(tempfile, "mkstemp", killed)
    with pytest.raises(KeyboardInterrupt):
        write_atomic(tmp_path / "pause.wsd", b"x")
    monkeypatch.undo()
    people = [tmp_path / ".notes.tmp", tmp_path / ".tmp", tmp_path / "draft.wsd.tmp"]
    for path in people:
        path.write_text("mine\n")
    assert remove_leftovers(tmp_path) == [Path(made[0])]
    assert sorted(tmp_path.iterdir()) == sorted(people)
