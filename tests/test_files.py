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


def pretend(monkeypatch, call: str, path: Path | None = None, mode: int | None = None,
            size: int | None = None) -> None:
    """Make os.<call> (stat, lstat or fstat) say `mode` or `size` of `path` (of whatever
    it is asked about, with no path)."""
    real = getattr(os, call)

    def stat_of(target, *args, **kwargs):
        info = real(target, *args, **kwargs)
        if path is not None and os.fspath(target) != str(path):
            return info
        fields = list(info)
        fields[stat.ST_MODE] = fields[stat.ST_MODE] if mode is None else mode
        fields[stat.ST_SIZE] = fields[stat.ST_SIZE] if size is None else size
        return os.stat_result(fields)

    monkeypatch.setattr(os, call, stat_of)


def test_a_device_is_never_replaced(tmp_path: Path, monkeypatch):
    # /dev/full itself is never touched: a regular file that lstat calls a character
    # device stands for it (before the fix it was replaced like any file)
    path = tmp_path / "full"
    path.write_bytes(b"stands for /dev/full")
    pretend(monkeypatch, "lstat", path, mode=stat.S_IFCHR | 0o666)
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


def test_a_folder_made_by_another_process_meanwhile_is_no_dangling_link(tmp_path: Path,
                                                                        monkeypatch):
    """A build's helper process makes output/cinder/ between this process's stat (not
    there) and its next look: that is a folder, written into, not "a symbolic link to
    nothing" (seen once in CI)."""
    import tracer.files as files

    target = tmp_path / "output" / "cinder" / "create.svg"
    real_stat, raced = os.stat, []

    def stat_before_the_other_process(path, *args, **kwargs):
        if Path(path) == target.parent and not raced:
            raced.append(True)
            target.parent.mkdir(parents=True)  # the other process, just now
            raise FileNotFoundError(path)
        return real_stat(path, *args, **kwargs)

    monkeypatch.setattr(files.os, "stat", stat_before_the_other_process)
    assert write_atomic(target, b"<svg/>")
    assert raced and target.read_bytes() == b"<svg/>"
    # a real link to nothing is still refused
    (tmp_path / "gone").symlink_to(tmp_path / "nowhere")
    monkeypatch.setattr(files.os, "stat", real_stat)
    with pytest.raises(OsflowError, match="a symbolic link to nothing"):
        write_atomic(tmp_path / "gone" / "x.svg", b"x")


def test_the_caches_leave_a_node_at_an_entry_s_path_alone(tmp_path: Path):
    from tracer.index.cache import ResultCache

    cache = ResultCache(tmp_path)
    entry = cache._path("rpc", "k")
    entry.parent.mkdir(parents=True)
    os.mkfifo(entry)
    cache.store("rpc", "k", {"a": 1})  # refused quietly: a cache only costs speed
    assert stat.S_ISFIFO(os.lstat(entry).st_mode)
    assert in_time(lambda: cache.load("rpc", "k")) is None  # a miss, not waited on
    assert stat.S_ISFIFO(os.lstat(entry).st_mode)


def test_a_summary_entry_that_is_no_file_is_a_miss_not_waited_on(tmp_path: Path):
    from tracer.index.cache import SummaryCache

    cache = SummaryCache(tmp_path)
    entry = cache._path("ab" * 32)
    entry.parent.mkdir(parents=True)
    os.mkfifo(entry)
    assert in_time(lambda: cache.load("ab" * 32)) is None


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


# ----------------------------------------------------------------------------- reading


def in_time(call, seconds: float = 10.0):
    """call()'s result, or a failure if it takes longer (a read that blocks on a pipe)."""
    import threading

    box: dict = {}

    def run() -> None:
        try:
            box["value"] = call()
        except BaseException as exc:  # noqa: BLE001 - handed to the test
            box["error"] = exc

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), f"still waiting after {seconds} s"
    if "error" in box:
        raise box["error"]
    return box["value"]


def test_read_regular_file_reads_a_file_and_through_a_link(tmp_path: Path):
    from tracer.files import read_regular_file

    (tmp_path / "a.py").write_bytes(b"x = 1\n")
    (tmp_path / "link.py").symlink_to("a.py")
    assert read_regular_file(tmp_path / "a.py", 6) == b"x = 1\n"
    assert read_regular_file(tmp_path / "link.py", 6) == b"x = 1\n"
    with pytest.raises(FileNotFoundError):
        read_regular_file(tmp_path / "missing.py", 6)


@pytest.mark.parametrize("kind, reason", [
    ("fifo", "a named pipe (FIFO), not a regular file"),
    ("link to /dev/zero", "a symbolic link to a character device, not a regular file"),
    ("folder", "a folder, not a regular file"),
    ("too big", "7 bytes, over the 6-byte cap"),
])
def test_read_regular_file_refuses_what_is_no_small_regular_file(tmp_path: Path, kind: str,
                                                                 reason: str):
    from tracer.files import FileRefused, read_regular_file

    path = tmp_path / "m.py"
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "link to /dev/zero":
        path.symlink_to("/dev/zero")
    elif kind == "folder":
        path.mkdir()
    else:
        path.write_bytes(b"x = 12\n")
    with pytest.raises(FileRefused) as raised:
        in_time(lambda: read_regular_file(path, 6))
    assert str(raised.value) == f"{path}: {reason}"
    assert isinstance(raised.value, OSError)  # readers that pass over OSErrors pass it over


def test_read_regular_file_never_waits_on_a_pipe_swapped_in_after_the_check(
        tmp_path: Path, monkeypatch):
    """stat said a regular file; by the time it is opened a named pipe is there: opened
    without blocking, found out by fstat, refused."""
    from tracer.files import FileRefused, read_regular_file

    path = tmp_path / "m.py"
    os.mkfifo(path)
    pretend(monkeypatch, "stat", path, mode=stat.S_IFREG | 0o644)
    with pytest.raises(FileRefused, match=r"a named pipe \(FIFO\), not a regular file$"):
        in_time(lambda: read_regular_file(path, 100))


@pytest.mark.parametrize("size, grown", [(5, 100), (5, 9), (0, 4)])
def test_read_regular_file_reads_a_file_that_grew_up_to_the_cap(tmp_path: Path, monkeypatch,
                                                                 size: int, grown: int):
    """A file of `size` bytes when checked, `grown` bytes when read (a size of 0 is what
    /proc says of its files): read whole up to the cap, and no more than one byte over."""
    from tracer import files

    path = tmp_path / "m.py"
    path.write_bytes(b"x" * grown)
    pretend(monkeypatch, "stat", path, size=size)
    pretend(monkeypatch, "fstat", size=size)
    if grown > 10:
        with pytest.raises(files.FileRefused, match=r"m.py: over the 10-byte cap$") as raised:
            files.read_regular_file(path, 10)
        assert raised.value.size == 11
    else:
        assert files.read_regular_file(path, 10) == b"x" * grown


def test_walk_folders_is_os_walk_without_recursion(tmp_path: Path):
    from tracer.files import walk_folders

    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / "a" / "b" / "f.py").write_text("")
    (tmp_path / "a" / "g.py").write_text("")
    (tmp_path / "c").mkdir()
    (tmp_path / "link").symlink_to("a")  # listed with the folders, not entered
    (tmp_path / "pipe").mkdir()
    os.mkfifo(tmp_path / "pipe" / "p.py")

    def walked(walk) -> list:
        return sorted((top, sorted(dirs), sorted(names)) for top, dirs, names in walk)

    assert walked(walk_folders(str(tmp_path), 64)) == walked(os.walk(tmp_path))
    pruned = []
    for top, dirs, _ in walk_folders(str(tmp_path), 64):
        dirs[:] = [d for d in dirs if d != "a"]
        pruned.append(top)
    assert sorted(pruned) == sorted([str(tmp_path), str(tmp_path / "c"),
                                     str(tmp_path / "pipe")])


def test_walk_folders_1100_deep_and_its_cap(tmp_path: Path):
    from tests.trees import nested_folders
    from tracer.files import walk_folders

    with nested_folders(tmp_path, 1100) as folder:
        found = [(top, names) for top, _, names in walk_folders(str(tmp_path), 2000)]
        assert len(found) == 1101 and found[-1] == (str(folder), ["deep.py"])
        deep: list[str] = []
        assert len(list(walk_folders(str(tmp_path), 64, deep.append))) == 65
        assert deep == [str(tmp_path) + "/a" * 65]
