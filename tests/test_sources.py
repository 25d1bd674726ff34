"""tracer.sources: -s SPEC to a tree on disk (directories, releases, git), safely."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import shutil
import stat
import subprocess
import sys
import tarfile
import threading
import time
import zipfile
from pathlib import Path

import pytest

from tracer import PINNED_RELEASE, sources
from tracer.config import cache_dir
from tracer.errors import OsflowError
from tracer.profiles import known_projects
from tracer.sources import (
    MANIFEST_NAME,
    Downloaded,
    IndexUnreachableError,
    UnsafeArchiveError,
    open_source,
    read_manifest,
    unpack_wheel,
    unpacked_archive,
    verify_tree,
)

# A module that would leave a marker file if anything ever imported or ran it.
TRAP = "open(__import__('os').environ['OSFLOW_TRAP'], 'w').write('ran')\n"


def one_line(exc: pytest.ExceptionInfo) -> str:
    text = str(exc.value)
    assert "\n" not in text and text
    return text


# ----------------------------------------------------------------------------------------
# Directories


def make_tree(root: Path, files: dict[str, str] | None = None) -> Path:
    files = files or {"nova/__init__.py": "", "nova/compute/rpcapi.py": "X = 1\n"}
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def test_directory_holding_nova(tmp_path: Path) -> None:
    root = make_tree(tmp_path / "tree")
    tree = open_source(str(root))
    assert tree.kind == "directory"
    assert tree.root == root.resolve()
    assert tree.label == str(root.resolve())
    assert tree.spec == str(root)
    assert tree.tag is None
    assert (tree.root / "nova" / "compute" / "rpcapi.py").is_file()


def test_directory_given_as_the_nova_package_itself(tmp_path: Path) -> None:
    root = make_tree(tmp_path / "tree")
    tree = open_source(str(root / "nova"))
    assert tree.root == root.resolve()
    assert tree.kind == "directory"


def test_directory_relative_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    make_tree(tmp_path / "tree")
    monkeypatch.chdir(tmp_path)
    assert open_source("tree").root == (tmp_path / "tree").resolve()


def test_directory_tag_from_pkg_info(tmp_path: Path) -> None:
    root = make_tree(tmp_path / "tree")
    (root / "PKG-INFO").write_text("Metadata-Version: 2.1\nName: nova\nVersion: 31.0.0\n")
    assert open_source(str(root)).tag == "31.0.0"


def test_directory_dev_version_is_not_a_tag(tmp_path: Path) -> None:
    root = make_tree(tmp_path / "tree")
    (root / "PKG-INFO").write_text("Name: nova\nVersion: 31.1.0.dev12\n")
    assert open_source(str(root)).tag is None


def test_missing_path_names_it(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere"
    with pytest.raises(OsflowError) as exc:
        open_source(str(missing))
    text = one_line(exc)
    assert str(missing) in text and "no such directory" in text


def test_folder_without_nova(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    with pytest.raises(OsflowError) as exc:
        open_source(str(tmp_path / "empty"))
    assert one_line(exc) == (
        f"{tmp_path / 'empty'}: no nova/ package here; give the folder that holds nova/ "
        f"(or {', '.join(f'{p}/' for p in known_projects() if p != 'nova')})"
    )


def test_nova_folder_without_init_is_not_a_package(tmp_path: Path) -> None:
    (tmp_path / "t" / "nova").mkdir(parents=True)
    with pytest.raises(OsflowError, match="no nova/ package here"):
        open_source(str(tmp_path / "t"))


def test_a_file_is_not_a_tree(tmp_path: Path) -> None:
    (tmp_path / "f.txt").write_text("x")
    with pytest.raises(OsflowError, match="not a directory"):
        open_source(str(tmp_path / "f.txt"))


def test_empty_spec(tmp_path: Path) -> None:
    with pytest.raises(OsflowError, match="empty source"):
        open_source("  ", cache=tmp_path)


def test_version_spec_wins_over_a_folder_of_that_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_tree(tmp_path / "31.0.0")
    monkeypatch.chdir(tmp_path)
    place_fake_release(tmp_path / "cache", "31.0.0")
    assert open_source("31.0.0", cache=tmp_path / "cache").kind == "release"
    assert open_source("./31.0.0", cache=tmp_path / "cache").kind == "directory"


# ----------------------------------------------------------------------------------------
# Git


def git(cwd: Path, *args: str) -> str:
    env = {**os.environ, "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull}
    cmd = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com",
           "-c", "init.defaultBranch=master", *args]  # fmt: skip
    out = subprocess.run(cmd, cwd=cwd, env=env, check=True, capture_output=True, text=True)
    return out.stdout.strip()


pytestmark_git = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")


@pytest.fixture
def repo(tmp_path: Path) -> dict:
    """A tiny nova repo: tag 1.0.0 on the first commit, master one commit ahead."""
    path = tmp_path / "nova"
    path.mkdir()
    git(path, "init", "-q")
    make_tree(path, {"nova/__init__.py": "", "nova/compute/rpcapi.py": "V = 1\n",
                     "setup.py": TRAP, "README": "hi\n"})  # fmt: skip
    git(path, "add", "-A")
    git(path, "commit", "-q", "-m", "one")
    git(path, "tag", "1.0.0")
    first = git(path, "rev-parse", "HEAD")
    git(path, "branch", "stable")
    (path / "nova" / "compute" / "rpcapi.py").write_text("V = 2\n")
    git(path, "commit", "-q", "-am", "two")
    second = git(path, "rev-parse", "HEAD")
    return {"path": path, "first": first, "second": second}


def rpc_text(tree: sources.SourceTree) -> str:
    return (tree.root / "nova" / "compute" / "rpcapi.py").read_text()


@pytestmark_git
def test_git_tag(repo: dict, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    tree = open_source(f"{repo['path']}@1.0.0", cache=cache)
    assert tree.kind == "git"
    assert tree.tag == "1.0.0"
    assert tree.label == f"nova@1.0.0 ({repo['first'][:7]})"
    assert tree.root == cache / "git" / repo["first"]
    assert rpc_text(tree) == "V = 1\n"
    # Only nova/ is materialised: not setup.py, README, nor anything of .git.
    assert sorted(p.name for p in tree.root.iterdir()) == sorted(["nova", MANIFEST_NAME])
    assert read_manifest(tree.root)["commit"] == repo["first"]


@pytestmark_git
def test_git_branch_and_sha(repo: dict, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    master = open_source(f"{repo['path']}@master", cache=cache)
    assert master.tag is None and rpc_text(master) == "V = 2\n"
    stable = open_source(f"{repo['path']}@stable", cache=cache)
    assert rpc_text(stable) == "V = 1\n"
    by_sha = open_source(f"{repo['path']}@{repo['second'][:10]}", cache=cache)
    assert by_sha.root == master.root
    assert by_sha.label == f"nova@{repo['second'][:10]} ({repo['second'][:7]})"


@pytestmark_git
def test_git_bare_clone(repo: dict, tmp_path: Path) -> None:
    bare = tmp_path / "mirror" / "nova.git"
    git(tmp_path, "clone", "-q", "--bare", str(repo["path"]), str(bare))
    tree = open_source(f"{bare}@1.0.0", cache=tmp_path / "cache")
    assert tree.label == f"nova@1.0.0 ({repo['first'][:7]})"
    assert tree.tag == "1.0.0"
    assert rpc_text(tree) == "V = 1\n"


@pytestmark_git
def test_git_missing_ref(repo: dict, tmp_path: Path) -> None:
    with pytest.raises(OsflowError) as exc:
        open_source(f"{repo['path']}@9.9.9", cache=tmp_path / "cache")
    assert one_line(exc) == f"9.9.9: no such tag, branch or commit in {repo['path']}"
    assert not (tmp_path / "cache" / "git").exists()


@pytestmark_git
def test_git_option_like_ref_is_refused(repo: dict, tmp_path: Path) -> None:
    with pytest.raises(OsflowError, match="give a tag, branch or commit"):
        open_source(f"{repo['path']}@--output=/tmp/x", cache=tmp_path / "cache")


def test_git_missing_repo(tmp_path: Path) -> None:
    with pytest.raises(OsflowError) as exc:
        open_source(f"{tmp_path}/gone@1.0.0", cache=tmp_path / "cache")
    assert f"{tmp_path}/gone: no such git repository" in one_line(exc)


@pytestmark_git
def test_git_plain_folder_inside_another_repo_is_not_a_repo(repo: dict, tmp_path: Path) -> None:
    # Without an explicit --git-dir git would find the enclosing repo and read it instead.
    inner = repo["path"] / "nova" / "compute"
    with pytest.raises(OsflowError, match="not a git repository"):
        open_source(f"{inner}@1.0.0", cache=tmp_path / "cache")


@pytestmark_git
def test_git_leaves_the_work_tree_alone(repo: dict, tmp_path: Path) -> None:
    path = repo["path"]
    (path / "nova" / "compute" / "rpcapi.py").write_text("V = 'dirty'\n")
    status_before = git(path, "status", "--porcelain")
    tree = open_source(f"{path}@1.0.0", cache=tmp_path / "cache")
    assert rpc_text(tree) == "V = 1\n"
    assert (path / "nova" / "compute" / "rpcapi.py").read_text() == "V = 'dirty'\n"
    assert git(path, "status", "--porcelain") == status_before
    assert git(path, "rev-parse", "HEAD") == repo["second"]


@pytestmark_git
def test_git_entry_is_reused(repo: dict, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cache = tmp_path / "cache"
    first = open_source(f"{repo['path']}@1.0.0", cache=cache)

    def no_rebuild(*_a: object, **_k: object) -> dict:
        raise AssertionError("a complete git entry was rebuilt")

    monkeypatch.setattr(sources, "_build_git", no_rebuild)
    assert open_source(f"{repo['path']}@1.0.0", cache=cache).root == first.root


@pytestmark_git
def test_git_entry_changed_on_disk_is_rebuilt(
    repo: dict, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    cache = tmp_path / "cache"
    tree = open_source(f"{repo['path']}@1.0.0", cache=cache)
    same_size_edit(tree.root / "nova" / "compute" / "rpcapi.py", b"1", b"9")
    again = open_source(f"{repo['path']}@1.0.0", cache=cache)
    assert f"cache entry {tree.root} is incomplete or damaged; rebuilding it" in caplog.messages
    assert rpc_text(again) == "V = 1\n"
    assert verify_tree(again.root, deep=True)


@pytestmark_git
def test_git_that_does_not_answer_is_stopped_and_says_why(repo: dict, tmp_path: Path) -> None:
    """Every git command has a deadline: here git waits for ever to open the repository's
    config, a named pipe no one writes, and the check that would refuse it first is left
    out, as for a stall it cannot foresee. Run in a child with a 1 s deadline, killed after
    60."""
    git_dir = repo["path"] / ".git"
    (git_dir / "config").unlink()
    os.mkfifo(git_dir / "config")
    code = ("import sys\nfrom tracer import sources\nsources.GIT_TIMEOUT_S = 1\n"
            "sources._check_config_includes = lambda *args: None\n"
            "try:\n    sources.open_source(sys.argv[1], cache=sys.argv[2])\n"
            "except sources.OsflowError as exc:\n    print(exc)\n")
    started = time.monotonic()
    child = subprocess.run([sys.executable, "-c", code, f"{repo['path']}@1.0.0",
                            str(tmp_path / "cache")], capture_output=True, text=True,
                           timeout=60)
    assert time.monotonic() - started < 20, "the deadline was not kept"
    message = child.stdout.strip()
    assert message.startswith(f"{git_dir}: git rev-parse did not answer within 1 s; "), message
    assert message.endswith("git may be waiting on a file of its configuration that is no "
                            "regular file (a named pipe), or on a stalled disk or network "
                            "share"), message


@pytestmark_git
def test_git_runs_no_filter_or_hook_of_the_repo(repo: dict, tmp_path: Path) -> None:
    path = repo["path"]
    marker = tmp_path / "filter-ran"
    # A smudge filter is what `git archive`/checkout would run; we must not.
    git(path, "config", "filter.evil.smudge", f"touch {marker}; cat")
    git(path, "config", "core.hooksPath", str(tmp_path / "hooks"))
    (path / ".gitattributes").write_text("*.py filter=evil\n")
    git(path, "add", ".gitattributes")
    git(path, "commit", "-q", "-m", "attrs")
    git(path, "tag", "2.0.0")
    marker.unlink(missing_ok=True)
    tree = open_source(f"{path}@2.0.0", cache=tmp_path / "cache")
    assert rpc_text(tree) == "V = 2\n"
    assert not marker.exists()


@pytestmark_git
def test_git_runs_no_transport_of_the_repo(repo: dict, tmp_path: Path) -> None:
    """A partial clone fetches a missing blob from its promisor remote when read, and the
    repository's own config names that remote's command (ext::). Reading never fetches."""
    path = repo["path"]
    marker = tmp_path / "fetch-ran"
    blob = git(path, "rev-parse", "master:nova/compute/rpcapi.py")
    (path / ".git" / "objects" / blob[:2] / blob[2:]).unlink()
    for key, value in (("core.repositoryformatversion", "1"),
                       ("extensions.partialClone", "evil"), ("remote.evil.promisor", "true"),
                       ("remote.evil.url", f"ext::sh -c touch% {marker}"),
                       ("protocol.allow", "always")):
        git(path, "config", key, value)
    with pytest.raises(OsflowError, match="git returned unexpected data"):
        open_source(f"{path}@master", cache=tmp_path / "cache")
    assert not marker.exists()


@pytestmark_git
def test_git_symlinks_are_not_materialised(repo: dict, tmp_path: Path) -> None:
    path = repo["path"]
    os.symlink("/etc/passwd", path / "nova" / "passwd.py")
    git(path, "add", "-A")
    git(path, "commit", "-q", "-m", "link")
    tree = open_source(f"{path}@master", cache=tmp_path / "cache")
    assert not (tree.root / "nova" / "passwd.py").exists()
    assert not (tree.root / "nova" / "passwd.py").is_symlink()
    assert read_manifest(tree.root)["skipped"] == ["nova/passwd.py"]


def crafted_commit(repo: Path, name: bytes) -> str:
    """A commit whose nova/ tree holds an entry called `name` (git's own tools refuse it)."""
    blob = git(repo, "hash-object", "-w", "--stdin")  # empty blob
    init = git(repo, "hash-object", "-w", str(repo / "nova" / "__init__.py"))

    def tree(entries: list[tuple[bytes, bytes, str]]) -> str:
        body = b"".join(mode + b" " + nm + b"\0" + bytes.fromhex(oid) for mode, nm, oid in entries)
        proc = subprocess.run(
            ["git", "hash-object", "-w", "-t", "tree", "--literally", "--stdin"],
            cwd=repo, input=body, check=True, capture_output=True,
        )  # fmt: skip
        return proc.stdout.decode().strip()

    evil = tree([(b"100644", b"evil.py", blob)])
    nova = tree([(b"40000", name, evil), (b"100644", b"__init__.py", init)])
    root = tree([(b"40000", b"nova", nova)])
    return git(repo, "commit-tree", root, "-m", "crafted")


@pytestmark_git
@pytest.mark.parametrize("name", [b"..", b"."])
def test_git_member_escaping_is_impossible(repo: dict, tmp_path: Path, name: bytes) -> None:
    sha = crafted_commit(repo["path"], name)
    cache = tmp_path / "cache"
    with pytest.raises(UnsafeArchiveError) as exc:
        open_source(f"{repo['path']}@{sha}", cache=cache)
    assert "unsafe" in one_line(exc)
    assert not (cache / "evil.py").exists() and not (cache / "git" / "evil.py").exists()
    assert not (cache / "git" / sha).exists()
    assert not list((cache / "git").glob(".tmp-*"))  # the failed build cleaned up


@pytestmark_git
def test_git_commit_without_nova(tmp_path: Path) -> None:
    path = tmp_path / "other"
    path.mkdir()
    git(path, "init", "-q")
    (path / "x.py").write_text("")
    git(path, "add", "-A")
    git(path, "commit", "-q", "-m", "x")
    with pytest.raises(OsflowError, match="has no nova/__init__.py"):
        open_source(f"{path}@master", cache=tmp_path / "cache")


# ----------------------------------------------------------------------------------------
# Wheels: safe unpacking


def record_line(name: str, data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{name},sha256={digest},{len(data)}\n"


def make_wheel(
    path: Path,
    files: dict[str, bytes] | None = None,
    *,
    version: str = "31.0.0",
    record: bool = True,
    extra: list[tuple[zipfile.ZipInfo, bytes]] = (),
) -> Path:
    files = files if files is not None else {
        "nova/__init__.py": b"",
        "nova/compute/rpcapi.py": b"V = 1\n",
        f"nova-{version}.data/data/etc/nova/api-paste.ini": b"[x]\n",
        f"nova-{version}.dist-info/METADATA": f"Name: nova\nVersion: {version}\n".encode(),
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w") as zf:
        lines = ""
        for name, data in files.items():
            zf.writestr(name, data)
            lines += record_line(name, data)
        for info, data in extra:
            zf.writestr(info, data)
        if record:
            zf.writestr(f"nova-{version}.dist-info/RECORD", lines)
    return path


def symlink_member(name: str, target: str) -> tuple[zipfile.ZipInfo, bytes]:
    info = zipfile.ZipInfo(name)
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    return info, target.encode()


def test_unpack_extracts_only_nova(tmp_path: Path) -> None:
    wheel = make_wheel(tmp_path / "nova-31.0.0-py3-none-any.whl")
    dest = tmp_path / "out"
    dest.mkdir()
    assert unpack_wheel(wheel, dest) == 2
    assert (dest / "nova" / "compute" / "rpcapi.py").read_bytes() == b"V = 1\n"
    assert sorted(p.name for p in dest.iterdir()) == ["nova"]


@pytest.mark.parametrize(
    "member",
    ["../evil.py", "/tmp/evil.py", "nova/../../evil.py", "nova/./x.py", "nova//x.py",
     "nova\\..\\evil.py", "C:/evil.py"],
)  # fmt: skip
def test_unpack_refuses_escaping_members(tmp_path: Path, member: str) -> None:
    files = {"nova/__init__.py": b"", member: b"pwned"}
    wheel = make_wheel(tmp_path / "w.whl", files)
    dest = tmp_path / "a" / "b" / "out"
    dest.mkdir(parents=True)
    with pytest.raises(UnsafeArchiveError) as exc:
        unpack_wheel(wheel, dest)
    assert repr(member) in one_line(exc)
    assert not list(tmp_path.rglob("evil.py"))
    assert list(dest.iterdir()) == []  # validation happens before anything is written


def test_unpack_refuses_symlinks(tmp_path: Path) -> None:
    wheel = make_wheel(
        tmp_path / "w.whl", {"nova/__init__.py": b""},
        extra=[symlink_member("nova/passwd.py", "/etc/passwd")],
    )  # fmt: skip
    dest = tmp_path / "out"
    dest.mkdir()
    with pytest.raises(UnsafeArchiveError, match="symlink"):
        unpack_wheel(wheel, dest)
    assert list(dest.iterdir()) == []


def test_unpack_refuses_symlink_outside_nova_too(tmp_path: Path) -> None:
    wheel = make_wheel(
        tmp_path / "w.whl", {"nova/__init__.py": b""},
        extra=[symlink_member("nova-1.data/x", "/")],
    )  # fmt: skip
    dest = tmp_path / "out"
    dest.mkdir()
    with pytest.raises(UnsafeArchiveError):
        unpack_wheel(wheel, dest)


def test_unpack_caps_size(tmp_path: Path) -> None:
    wheel = make_wheel(tmp_path / "w.whl", {"nova/__init__.py": b"", "nova/big.py": b"0" * 5000})
    dest = tmp_path / "out"
    dest.mkdir()
    with pytest.raises(UnsafeArchiveError, match="cap"):
        unpack_wheel(wheel, dest, max_bytes=1000)


def test_unpack_refuses_duplicates(tmp_path: Path) -> None:
    with pytest.warns(UserWarning, match="Duplicate name"):  # zipfile warns as it writes it
        wheel = make_wheel(tmp_path / "w.whl", {"nova/__init__.py": b""},
                           extra=[(zipfile.ZipInfo("nova/__init__.py"), b"again")])  # fmt: skip
    dest = tmp_path / "out"
    dest.mkdir()
    with pytest.raises(UnsafeArchiveError, match="twice"):
        unpack_wheel(wheel, dest)


def test_unpack_checks_record(tmp_path: Path) -> None:
    wheel = tmp_path / "w.whl"
    with zipfile.ZipFile(wheel, "w") as zf:
        zf.writestr("nova/__init__.py", b"tampered")
        zf.writestr("nova-1.dist-info/RECORD", record_line("nova/__init__.py", b""))
    dest = tmp_path / "out"
    dest.mkdir()
    with pytest.raises(OsflowError, match="does not match the wheel's RECORD"):
        unpack_wheel(wheel, dest)


def test_unpack_not_a_zip(tmp_path: Path) -> None:
    (tmp_path / "w.whl").write_bytes(b"not a zip")
    with pytest.raises(OsflowError, match="not a readable wheel"):
        unpack_wheel(tmp_path / "w.whl", tmp_path)


def test_unpack_wheel_without_nova(tmp_path: Path) -> None:
    wheel = make_wheel(tmp_path / "w.whl", {"other/__init__.py": b""})
    dest = tmp_path / "out"
    dest.mkdir()
    with pytest.raises(OsflowError, match="no nova/ package"):
        unpack_wheel(wheel, dest)


# ----------------------------------------------------------------------------------------
# Source archives (.tar.xz): the Liberty fixture, unpacked once into the cache

# Liberty is older than the package index's Nova releases: the repository's parent folder
# holds shared/, whose fixture archive has its nova/ (without nova/tests) and a PKG-INFO.
LIBERTY_ARCHIVE = Path(__file__).resolve().parents[1].parent / "shared" / "fixtures" / \
    "nova-12.0.0.tar.xz"


def make_tarball(path: Path, files: dict[str, bytes] | None = None,
                 extra: list[tarfile.TarInfo] = ()) -> Path:
    """A .tar.xz of `files` (default: a small nova tree with a PKG-INFO) and `extra`
    members as given (links, devices, ...)."""
    files = files if files is not None else {
        "PKG-INFO": b"Metadata-Version: 1.1\nName: nova\nVersion: 12.0.0\n",
        "nova/__init__.py": b"", "nova/compute/rpcapi.py": TRAP.encode(),
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    with tarfile.open(path, "w:xz") as tf:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tf.addfile(info, io.BytesIO(data))
        for info in extra:
            tf.addfile(info)
    return path


def test_archive_unpacked_once_into_the_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, trap: Path
) -> None:
    archive = make_tarball(tmp_path / "nova-12.0.0.tar.xz")
    cache = tmp_path / "cache"
    folder = unpacked_archive(archive, cache)
    digest = hashlib.sha256(archive.read_bytes()).hexdigest()
    assert folder == cache / "archives" / digest
    assert sorted(p.name for p in folder.iterdir()) == [MANIFEST_NAME, "PKG-INFO", "nova"]
    assert read_manifest(folder)["kind"] == "archive" and verify_tree(folder, deep=True)
    tree = open_source(str(folder))
    assert (tree.kind, tree.root, tree.tag) == ("directory", folder, "12.0.0")
    assert not trap.exists()

    def no_rebuild(*_a: object) -> dict:
        raise AssertionError("a complete archive entry was unpacked again")

    monkeypatch.setattr(sources, "_build_archive", no_rebuild)
    assert unpacked_archive(archive, cache) == folder
    assert not list((cache / "archives").glob(".tmp-*"))


def test_archive_entry_changed_on_disk_is_unpacked_again(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    archive = make_tarball(tmp_path / "nova-12.0.0.tar.xz")
    folder = unpacked_archive(archive, tmp_path / "cache")
    rpc = folder / "nova" / "compute" / "rpcapi.py"
    same_size_edit(rpc, b"ran", b"RAN")
    assert unpacked_archive(archive, tmp_path / "cache") == folder
    assert f"cache entry {folder} is incomplete or damaged; rebuilding it" in caplog.messages
    assert rpc.read_text() == TRAP


def special_member(name: str, kind: bytes, target: str = "") -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type, info.linkname = kind, target
    return info


@pytest.mark.parametrize("member", [
    special_member("nova/link.py", tarfile.SYMTYPE, "/etc/passwd"),
    special_member("nova/hard.py", tarfile.LNKTYPE, "nova/__init__.py"),
    special_member("nova/fifo", tarfile.FIFOTYPE),
    special_member("nova/dev", tarfile.CHRTYPE),
], ids=["symlink", "hard link", "fifo", "device"])
def test_archive_refuses_links_and_special_files(tmp_path: Path, member: tarfile.TarInfo
                                                 ) -> None:
    archive = make_tarball(tmp_path / "a.tar.xz", extra=[member])
    cache = tmp_path / "cache"
    with pytest.raises(UnsafeArchiveError) as exc:
        unpacked_archive(archive, cache)
    assert f"member {member.name!r}" in one_line(exc)
    assert [p.name for p in (cache / "archives").iterdir()] == [
        f".{hashlib.sha256(archive.read_bytes()).hexdigest()}.lock"]


@pytest.mark.parametrize("name", ["/abs/nova.py", "../escape.py", "nova/../../escape.py",
                                  "nova\\\\x.py"])
def test_archive_refuses_escaping_members(tmp_path: Path, name: str) -> None:
    archive = make_tarball(tmp_path / "a.tar.xz", {"nova/__init__.py": b"", name: b"x = 1\n"})
    with pytest.raises(UnsafeArchiveError, match="unsafe"):
        unpacked_archive(archive, tmp_path / "cache")
    assert not list(tmp_path.rglob("escape.py")) and not (Path("/abs") / "nova.py").exists()


def test_archive_refuses_duplicates_and_bombs(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    twice = make_tarball(tmp_path / "twice.tar.xz", {"nova/__init__.py": b""},
                         extra=[tarfile.TarInfo("nova/__init__.py")])
    with pytest.raises(UnsafeArchiveError, match="appears twice"):
        unpacked_archive(twice, tmp_path / "cache")
    monkeypatch.setattr(sources, "MAX_TREE_BYTES", 1000)
    big = make_tarball(tmp_path / "big.tar.xz", {"nova/__init__.py": b"\n" * 1001})
    with pytest.raises(UnsafeArchiveError, match="over the 1000-byte cap"):
        unpacked_archive(big, tmp_path / "cache")


def test_archive_that_is_not_one(tmp_path: Path) -> None:
    broken = tmp_path / "broken.tar.xz"
    broken.write_bytes(b"\xfd7zXZ\x00 not really")
    with pytest.raises(OsflowError, match="not a readable tar archive") as exc:
        unpacked_archive(broken, tmp_path / "cache")
    one_line(exc)
    whole = make_tarball(tmp_path / "whole.tar.xz", {"nova/__init__.py": b"",
                                                     "nova/big.py": os.urandom(50_000)})
    data = whole.read_bytes()
    for name, damaged in (("cut", data[:30_000]),  # a download stopped halfway
                          ("flipped", data[:30_000] + bytes([data[30_000] ^ 0xFF]) +
                           data[30_001:])):
        (tmp_path / f"{name}.tar.xz").write_bytes(damaged)
        with pytest.raises(OsflowError, match="not a readable tar archive") as exc:
            unpacked_archive(tmp_path / f"{name}.tar.xz", tmp_path / "cache")
        one_line(exc)
    without = make_tarball(tmp_path / "other.tar.xz", {"other/__init__.py": b""})
    with pytest.raises(OsflowError, match="holds no nova/ package"):
        unpacked_archive(without, tmp_path / "cache")


@pytest.mark.skipif(not LIBERTY_ARCHIVE.is_file(), reason="no ../shared/fixtures here")
def test_liberty_fixture_is_a_12_0_0_tree(tmp_path: Path) -> None:
    tree = open_source(str(unpacked_archive(LIBERTY_ARCHIVE, tmp_path / "cache")))
    assert tree.kind == "directory" and tree.tag == "12.0.0"
    assert (tree.root / "nova" / "compute" / "rpcapi.py").is_file()
    assert not (tree.root / "nova" / "tests").exists()


# ----------------------------------------------------------------------------------------
# Releases, with the download faked (no network)


def place_fake_release(cache: Path, version: str) -> Path:
    """An unpacked release in the cache, as a finished download left it before file times
    were recorded (files: [size, sha256])."""
    final = cache / "releases" / f"nova-{version}"
    make_tree(final)
    files = {rel: entry[:2] for rel, entry in sources._inventory(final).items()}
    meta = {"format": 1, "kind": "release", "version": version, "files": files}
    (final / MANIFEST_NAME).write_text(json.dumps(meta))
    return final


def forbid_download(monkeypatch: pytest.MonkeyPatch) -> None:
    def offline(version: str, dest: Path, project: str = "nova") -> Downloaded:
        raise AssertionError(f"network used for cached release {version}")

    monkeypatch.setattr(sources, "download_wheel", offline)


class FakeIndex:
    """Stands in for pip: serves a hand-made wheel and a file:// index page listing it."""

    def __init__(self, tmp: Path, *, page: str = "json", published: str | None = "right") -> None:
        self.tmp = tmp
        self.page = page
        self.published = published
        self.calls = 0
        self.projects: list[str] = []
        self.delay = 0.0

    def __call__(self, version: str, dest: Path, project: str = "nova") -> Downloaded:
        self.calls += 1
        self.projects.append(project)
        time.sleep(self.delay)
        name = f"{project}-{version}-py3-none-any.whl"
        files = {f"{project}/__init__.py": b"", f"{project}/compute/rpcapi.py": TRAP.encode()}
        wheel = make_wheel(dest / name, files, version=version)
        digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
        if self.published == "wrong":
            digest = "0" * 64
        page_dir = self.tmp / "index" / project
        page_dir.mkdir(parents=True, exist_ok=True)
        if self.page == "json":
            hashes = {"sha256": digest} if self.published else {}
            body = json.dumps({"files": [{"filename": name, "hashes": hashes}]})
        else:
            frag = f"#sha256={digest}" if self.published else ""
            body = f'<html><body><a href="../../files/{name}{frag}">{name}</a></body></html>'
        (page_dir / "index.html").write_text(body)
        return Downloaded(wheel, page_dir.as_uri() + "/")


@pytest.fixture
def trap(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    marker = tmp_path / "imported"
    monkeypatch.setenv("OSFLOW_TRAP", str(marker))
    return marker


@pytest.mark.parametrize("page", ["json", "html"])
def test_release_download_verified_then_cached_offline(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, trap: Path, page: str
) -> None:
    cache = tmp_path / "cache"
    fake = FakeIndex(tmp_path, page=page)
    monkeypatch.setattr(sources, "download_wheel", fake)
    tree = open_source("31.0.0", cache=cache)
    assert tree == sources.SourceTree(
        spec="31.0.0", kind="release", root=cache / "releases" / "nova-31.0.0",
        label="31.0.0", tag="31.0.0",
    )  # fmt: skip
    manifest = read_manifest(tree.root)
    assert manifest["hash_check"] == "index-sha256"
    assert sorted(p.name for p in tree.root.iterdir()) == sorted(["nova", MANIFEST_NAME])
    assert not list((cache / "releases").glob(".tmp-*"))
    assert not trap.exists()  # nothing of the tree ran
    forbid_download(monkeypatch)
    assert open_source("31.0.0", cache=cache) == tree
    assert fake.calls == 1


def test_cached_release_works_offline(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cache = tmp_path / "cache"
    final = place_fake_release(cache, "33.0.0")
    forbid_download(monkeypatch)
    tree = open_source("33.0.0", cache=cache)
    assert tree.root == final and tree.kind == "release" and tree.tag == "33.0.0"


def test_default_is_the_pinned_release(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cache = tmp_path / "cache"
    place_fake_release(cache, PINNED_RELEASE)
    forbid_download(monkeypatch)
    assert open_source(cache=cache).spec == PINNED_RELEASE


def test_default_cache_is_osflow_cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OSFLOW_CACHE_DIR", str(tmp_path / "c"))
    place_fake_release(tmp_path / "c", "30.0.0")
    forbid_download(monkeypatch)
    assert open_source("30.0.0").root == tmp_path / "c" / "releases" / "nova-30.0.0"


def test_hash_mismatch_is_refused_and_nothing_cached(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = tmp_path / "cache"
    monkeypatch.setattr(sources, "download_wheel", FakeIndex(tmp_path, published="wrong"))
    with pytest.raises(OsflowError) as exc:
        open_source("31.0.0", cache=cache)
    assert "differs from the index's" in one_line(exc)
    assert [p.name for p in (cache / "releases").iterdir()] == [".nova-31.0.0.lock"]


@pytest.mark.parametrize("page", ["json", "html"])
def test_index_without_hash_records_local_sha(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, page: str
) -> None:
    monkeypatch.setattr(sources, "download_wheel", FakeIndex(tmp_path, page=page, published=None))
    tree = open_source("31.0.0", cache=tmp_path / "cache")
    manifest = read_manifest(tree.root)
    assert manifest["hash_check"].startswith("unverified")
    assert len(manifest["wheel_sha256"]) == 64


def test_unreadable_index_page_records_local_sha(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = FakeIndex(tmp_path)

    def gone(version: str, dest: Path, project: str = "nova") -> Downloaded:
        got = fake(version, dest)
        return Downloaded(got.wheel, (tmp_path / "no-such-page").as_uri())

    monkeypatch.setattr(sources, "download_wheel", gone)
    tree = open_source("31.0.0", cache=tmp_path / "cache")
    assert read_manifest(tree.root)["hash_check"].startswith("unverified: index page unreadable")


def same_size_edit(path: Path, old: bytes, new: bytes, *, keep_mtime: bool = True) -> None:
    """Replace `old` by `new` (as long) in a file; with `keep_mtime`, set its mtime back as
    `touch -r` does: its size and mtime are then what they were."""
    before = path.stat()
    data = path.read_bytes()
    assert old in data and len(old) == len(new)
    path.write_bytes(data.replace(old, new))
    if keep_mtime:
        os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
        assert path.stat().st_mtime_ns == before.st_mtime_ns
    assert path.stat().st_size == before.st_size


@pytest.mark.parametrize("damage", ["delete", "truncate", "extra", "manifest", "same-size",
                                    "same-size-and-mtime"])
def test_corrupt_cache_entry_is_rebuilt(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture,
    damage: str
) -> None:
    cache = tmp_path / "cache"
    fake = FakeIndex(tmp_path)
    monkeypatch.setattr(sources, "download_wheel", fake)
    root = open_source("31.0.0", cache=cache).root
    rpc = root / "nova" / "compute" / "rpcapi.py"
    original = rpc.read_bytes()
    if damage == "delete":
        rpc.unlink()
    elif damage == "truncate":
        rpc.write_text("")
    elif damage == "extra":
        (root / "nova" / "planted.py").write_text("")
    elif damage == "manifest":
        (root / MANIFEST_NAME).write_text("{not json")
    else:
        same_size_edit(rpc, b"ran", b"RAN", keep_mtime=damage == "same-size-and-mtime")
    assert not verify_tree(root)
    assert open_source("31.0.0", cache=cache).root == root
    assert fake.calls == 2
    assert f"cache entry {root} is incomplete or damaged; rebuilding it" in caplog.messages
    assert verify_tree(root, deep=True)
    assert rpc.read_bytes() == original
    assert not (root / "nova" / "planted.py").exists()
    assert not list((cache / "releases").glob(".tmp-*"))


def test_an_intact_entry_is_checked_by_stat_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each use stats every file; only a file whose size, mtime or ctime moved is hashed
    again (a `touch`, a copy of the cache), and the manifest then records its new times."""
    cache = tmp_path / "cache"
    fake = FakeIndex(tmp_path)
    monkeypatch.setattr(sources, "download_wheel", fake)
    root = open_source("31.0.0", cache=cache).root
    hashed: list[str] = []
    real_sha = sources._sha256_file
    monkeypatch.setattr(sources, "_sha256_file", lambda p: hashed.append(p.name) or real_sha(p))
    open_source("31.0.0", cache=cache)
    assert hashed == []
    (root / "nova" / "compute" / "rpcapi.py").touch()
    open_source("31.0.0", cache=cache)
    assert hashed == ["rpcapi.py"] and fake.calls == 1
    open_source("31.0.0", cache=cache)
    assert hashed == ["rpcapi.py"]


def test_an_entry_without_file_times_is_hashed_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Entries made before file times were recorded (or by an older osflow sharing the
    cache) are hashed whole on first use, then recorded: never downloaded again."""
    cache = tmp_path / "cache"
    root = place_fake_release(cache, "33.0.0")
    for rel, entry in read_manifest(root)["files"].items():  # as an older osflow made it
        assert len(entry) == 2
    forbid_download(monkeypatch)
    hashed: list[str] = []
    real_sha = sources._sha256_file
    monkeypatch.setattr(sources, "_sha256_file", lambda p: hashed.append(p.name) or real_sha(p))
    open_source("33.0.0", cache=cache)
    assert sorted(hashed) == ["__init__.py", "rpcapi.py"]
    assert all(len(entry) == 4 for entry in read_manifest(root)["files"].values())
    open_source("33.0.0", cache=cache)
    assert len(hashed) == 2


def test_leftovers_of_a_killed_run_are_cleared(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = tmp_path / "cache"
    half = cache / "releases" / ".tmp-nova-31.0.0-abc123"
    make_tree(half, {"nova/__init__.py": ""})
    monkeypatch.setattr(sources, "download_wheel", FakeIndex(tmp_path))
    tree = open_source("31.0.0", cache=cache)
    assert verify_tree(tree.root)
    assert not half.exists()


def test_failed_build_leaves_no_half_tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cache = tmp_path / "cache"

    def broken(version: str, dest: Path, project: str = "nova") -> Downloaded:
        (dest / "nova-31.0.0-py3-none-any.whl").write_bytes(b"PK\x03\x04 truncated")
        return Downloaded(dest / "nova-31.0.0-py3-none-any.whl", None)

    monkeypatch.setattr(sources, "download_wheel", broken)
    with pytest.raises(OsflowError, match="not a readable wheel"):
        open_source("31.0.0", cache=cache)
    assert [p.name for p in (cache / "releases").iterdir()] == [".nova-31.0.0.lock"]


def test_concurrent_opens_download_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cache = tmp_path / "cache"
    fake = FakeIndex(tmp_path)
    fake.delay = 0.3  # long enough for every thread to reach the lock
    monkeypatch.setattr(sources, "download_wheel", fake)
    results: list[object] = []

    def run() -> None:
        try:
            results.append(open_source("31.0.0", cache=cache).root)
        except BaseException as exc:  # noqa: BLE001 - reported below
            results.append(exc)

    threads = [threading.Thread(target=run) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [cache / "releases" / "nova-31.0.0"] * 4
    assert fake.calls == 1


# ----------------------------------------------------------------------------------------
# pip's failures, as one line


PIP_NOT_FOUND = (
    "ERROR: Could not find a version that satisfies the requirement nova==0.0.1 (from versions: "
    "15.1.5, 16.1.6, 33.0.0.0rc1, 33.0.0, 33.0.1, 33.0.2, 34.0.0.0rc1, 34.0.0)\n"
    "ERROR: No matching distribution found for nova==0.0.1\n"
)
PIP_OFFLINE = (
    "WARNING: Retrying (Retry(total=0, connect=None, read=None, redirect=None, status=None)) "
    "after connection broken by 'NewConnectionError('<pip._vendor.urllib3.connection."
    "HTTPSConnection object at 0x7f>: Failed to establish a new connection: [Errno -3] "
    "Temporary failure in name resolution')': /simple/nova/\n"
    "ERROR: Could not find a version that satisfies the requirement nova==34.0.0 "
    "(from versions: none)\nERROR: No matching distribution found for nova==34.0.0\n"
)


def test_explain_version_not_on_index() -> None:
    text = str(sources._explain_pip_failure("0.0.1", PIP_NOT_FOUND))
    assert text.startswith("nova==0.0.1 is not on the package index; available: 15.1.5 to 34.0.0")
    assert "newest 34.0.0" in text and "git clone" in text and "\n" not in text


def test_explain_version_lists_same_series() -> None:
    text = str(sources._explain_pip_failure("33.0.9", PIP_NOT_FOUND))
    assert "in 33.x: 33.0.0, 33.0.1, 33.0.2" in text and "git clone" not in text


def test_explain_index_unreachable() -> None:
    err = sources._explain_pip_failure("34.0.0", PIP_OFFLINE)
    assert isinstance(err, IndexUnreachableError)
    assert "cannot reach the package index" in str(err)
    assert "[Errno -3] Temporary failure in name resolution" in str(err)


def test_unreachable_index_real_pip(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Real pip against a closed port on loopback: a clear line naming the cached releases."""
    for key in list(os.environ):
        if key.startswith("PIP_"):
            monkeypatch.delenv(key)
    monkeypatch.setenv("PIP_CONFIG_FILE", os.devnull)  # ignore mirrors and find-links
    monkeypatch.setenv("PIP_INDEX_URL", "http://127.0.0.1:9/simple")
    monkeypatch.setenv("PIP_RETRIES", "0")
    cache = tmp_path / "cache"
    place_fake_release(cache, "33.0.0")
    with pytest.raises(IndexUnreachableError) as exc:
        open_source("31.0.0", cache=cache)
    text = one_line(exc)
    assert "cannot reach the package index to download nova==31.0.0" in text
    assert "cached here: 33.0.0" in text
    assert open_source("33.0.0", cache=cache).kind == "release"  # still fine offline
    assert [p.name for p in (cache / "releases").iterdir() if p.name.startswith(".tmp")] == []


# Module names a Python started in the current folder would import from it before the
# standard library's or pip's own: each leaves a marker if it ever runs.
CWD_TRAPS = ("pip.py", "runpy.py", "zipfile.py", "sitecustomize.py", "usercustomize.py",
             "multiprocessing.py", "pickle.py", "hashlib.py")


def trapped_folder(folder: Path, marker: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name in CWD_TRAPS:
        (folder / name).write_text(f"open({str(marker)!r}, 'a').write({name!r} + '\\n')\n")
    return folder


def test_pip_runs_nothing_from_the_current_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`python -m pip` puts the current folder first on sys.path: a pip.py there would run
    in place of pip. Real pip, a local file:// index, run from a folder of such modules."""
    from tests.test_bad_input import LocalIndex

    for key in list(os.environ):
        if key.startswith(("PIP_", "PYTHON")):
            monkeypatch.delenv(key)
    index = LocalIndex(tmp_path / "index", make_tree(tmp_path / "tree"), "31.0.0")
    for key, value in index.env().items():
        if value is not None:
            monkeypatch.setenv(key, value)
    marker = tmp_path / "ran"
    cwd = trapped_folder(tmp_path / "cwd", marker)
    monkeypatch.chdir(cwd)
    Path("dest").mkdir()
    got = sources.download_wheel("31.0.0", Path("dest"))  # relative to the current folder
    assert not marker.exists(), marker.read_text()
    assert got.wheel == cwd / "dest" / "nova-31.0.0-py3-none-any.whl" and got.wheel.is_file()


def test_index_page_from_pip_log() -> None:
    log = (
        "  Found link https://files.example/p/ab/nova-33.0.0-py3-none-any.whl (from "
        "https://pypi.org/simple/nova/) (requires-python:>=3.10), version: 33.0.0\n"
        "  Found link https://files.example/p/cd/nova-34.0.0-py3-none-any.whl (from "
        "https://mirror.example/simple/nova/) (requires-python:>=3.11), version: 34.0.0\n"
    )
    page = sources._index_page_from_log(log, "nova-34.0.0-py3-none-any.whl")
    assert page == "https://mirror.example/simple/nova/"
    assert sources._index_page_from_log(log, "nova-1.0.0-py3-none-any.whl") is None


# ----------------------------------------------------------------------------------------
# The real package index (network)


@pytest.fixture(scope="session")
def shared_cache() -> Path:
    """$OSFLOW_CACHE_DIR if set, else the default cache: downloads survive between runs."""
    return cache_dir()


@pytest.mark.integration
def test_real_release_download(shared_cache: Path) -> None:
    tree = open_source("34.0.0", cache=shared_cache)
    assert tree.kind == "release" and tree.label == "34.0.0" and tree.tag == "34.0.0"
    assert (tree.root / "nova" / "compute" / "rpcapi.py").is_file()
    manifest = read_manifest(tree.root)
    assert manifest["wheel"] == "nova-34.0.0-py3-none-any.whl"
    if (manifest.get("index_page") or "").startswith("https://pypi.org/"):
        assert manifest["hash_check"] == "index-sha256"
    assert verify_tree(tree.root)
    assert not list(tree.root.glob("*.dist-info")) and not list(tree.root.glob("*.data"))


@pytest.mark.integration
def test_real_index_lacks_version(tmp_path: Path) -> None:
    with pytest.raises(OsflowError) as exc:
        open_source("0.0.1", cache=tmp_path)
    text = one_line(exc)
    assert text.startswith("nova==0.0.1 is not on the package index; available: ")
    assert "newest" in text
    assert not (tmp_path / "releases" / "nova-0.0.1").exists()


def test_cli_like_usage_never_imports_the_tree() -> None:
    # open_source only reads files; make sure the module itself imports nothing dynamic.
    src = Path(sources.__file__).read_text()
    assert "importlib" not in src and "exec(" not in src and "__import__" not in src
    assert sys.modules.get("nova") is None


def test_releases_are_read_oldest_first_and_other_sources_as_given():
    from tracer.sources import release_order

    assert release_order(["34.0.0", "32.2.1", "33.0.2", "9.0.0"]) == \
        ["9.0.0", "32.2.1", "33.0.2", "34.0.0"]
    assert release_order(["repo@master", "34.0.0"]) == ["repo@master", "34.0.0"]


@pytest.mark.parametrize("spec", ["33.0", "33", "33.00.0"])
def test_a_release_number_is_read_as_nova_tags_it(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch,
                                                  spec: str) -> None:
    """`-s 33.0` is 33.0.0 (PEP 440 pads zeros): the cached copy, titled 33.0.0, not a
    second download titled "nova 33.0"."""
    cache = tmp_path / "cache"
    final = place_fake_release(cache, "33.0.0")
    forbid_download(monkeypatch)
    if spec == "33":  # one number is no release
        with pytest.raises(OsflowError, match="not a release number; give the whole version"):
            open_source(spec, cache=cache)
        return
    tree = open_source(spec, cache=cache)
    assert (tree.root, tree.label, tree.tag) == (final, "33.0.0", "33.0.0")


def test_release_numbers_keep_their_pre_release_part() -> None:
    assert sources.normal_release("34.0.0.0rc1") == "34.0.0.0rc1"
    assert sources.normal_release("34.0.0") == "34.0.0"


# ----------------------------------------------------------------------------------------
# Projects: the package a source holds, and PROJECT==VERSION releases


CINDER_FILES = {"cinder/__init__.py": "", "cinder/volume/rpcapi.py": "X = 1\n"}


def test_a_directory_holding_cinder_is_a_cinder_tree(tmp_path: Path) -> None:
    root = make_tree(tmp_path / "tree", CINDER_FILES)
    tree = open_source(str(root))
    assert (tree.root, tree.kind, tree.project) == (root.resolve(), "directory", "cinder")
    assert tree.profile.name == "cinder"
    # the package folder itself, as for nova
    assert open_source(str(root / "cinder")) == sources.SourceTree(
        spec=str(root / "cinder"), kind="directory", root=root.resolve(),
        label=str(root.resolve()), tag=None, project="cinder")


def test_a_nova_directory_is_still_nova(tmp_path: Path) -> None:
    assert open_source(str(make_tree(tmp_path / "tree"))).project == "nova"


def test_a_cinder_folder_names_its_release_from_its_own_metadata(tmp_path: Path) -> None:
    root = make_tree(tmp_path / "tree", CINDER_FILES)
    (root / "PKG-INFO").write_text("Name: nova\nVersion: 31.0.0\n")  # not this tree's
    assert open_source(str(root)).tag is None
    (root / "PKG-INFO").write_text("Name: cinder\nVersion: 29.0.0\n")
    assert open_source(str(root)).tag == "29.0.0"


def test_a_directory_holding_two_projects_asks_for_one(tmp_path: Path) -> None:
    root = make_tree(tmp_path / "tree", {**CINDER_FILES, "nova/__init__.py": ""})
    with pytest.raises(OsflowError) as exc:
        open_source(str(root))
    assert one_line(exc) == (f"{root}: holds cinder/ and nova/; give the package folder to "
                             f"read, as {root / 'cinder'}")


@pytest.mark.parametrize("spec, project, version", [
    ("cinder==29.0.0", "cinder", "29.0.0"),
    ("Cinder==29.0", "cinder", "29.0.0"),
    ("nova==34.0.0", "nova", "34.0.0"),
    (" cinder == 29.0.0 ", None, None),  # not NAME==VERSION: a path, then
])
def test_project_release_specs(spec: str, project: str | None, version: str | None) -> None:
    found = sources.project_release(spec)
    if project is None:
        assert found is None
    else:
        assert (found[0].name, found[1]) == (project, version)


@pytest.mark.parametrize("spec, message", [
    ("zun==14.0.0", "zun==14.0.0: osflow knows no project 'zun'; known: "
                    f"{', '.join(known_projects())} (e.g. -s cinder==29.0.0)"),
    ("cinder==latest", "cinder==latest: 'latest' is not a release number; give one like "
                       "cinder==29.0.0"),
    ("cinder==", "cinder==: '' is not a release number; give one like cinder==29.0.0"),
    ("cinder", "cinder: which release? give one as cinder==VERSION (e.g. cinder==29.0.0), "
               "or a folder that holds cinder/"),
])
def test_bad_project_releases_are_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                           spec: str, message: str) -> None:
    monkeypatch.chdir(tmp_path)
    forbid_download(monkeypatch)
    with pytest.raises(OsflowError) as exc:
        open_source(spec, cache=tmp_path / "cache")
    assert one_line(exc) == message


def test_a_cinder_release_is_downloaded_verified_and_kept_apart(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, trap: Path
) -> None:
    cache = tmp_path / "cache"
    fake = FakeIndex(tmp_path)
    monkeypatch.setattr(sources, "download_wheel", fake)
    tree = open_source("cinder==29.0.0", cache=cache)
    assert tree == sources.SourceTree(
        spec="cinder==29.0.0", kind="release", root=cache / "releases" / "cinder-29.0.0",
        label="cinder==29.0.0", tag="29.0.0", project="cinder")
    assert fake.projects == ["cinder"]
    manifest = read_manifest(tree.root)
    assert (manifest["hash_check"], manifest["project"]) == ("index-sha256", "cinder")
    assert sorted(p.name for p in tree.root.iterdir()) == sorted(["cinder", MANIFEST_NAME])
    assert not trap.exists()
    # nova's release of the same number is another entry; the cinder one is served offline
    open_source("29.0.0", cache=cache)
    assert fake.projects == ["cinder", "nova"]
    assert (cache / "releases" / "nova-29.0.0" / "nova" / "__init__.py").is_file()
    forbid_download(monkeypatch)
    assert open_source("cinder==29.0.0", cache=cache) == tree
    assert sources.cached_releases(cache, "cinder") == ["29.0.0"]
    assert sources.cached_releases(cache) == ["29.0.0"]  # nova's


def test_nova_by_name_is_the_bare_release(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cache = tmp_path / "cache"
    place_fake_release(cache, "33.0.0")
    forbid_download(monkeypatch)
    assert open_source("nova==33.0.0", cache=cache) == open_source("33.0.0", cache=cache)


def test_a_wheel_of_another_project_is_refused(tmp_path: Path) -> None:
    wheel = make_wheel(tmp_path / "w.whl")  # a nova wheel
    dest = tmp_path / "out"
    dest.mkdir()
    with pytest.raises(OsflowError, match="no cinder/ package; is it really cinder"):
        unpack_wheel(wheel, dest, package="cinder")


def test_a_project_missing_on_the_index_is_named_with_its_oldest_release() -> None:
    text = str(sources._explain_pip_failure("5.0.0", PIP_NOT_FOUND.replace("nova", "cinder"),
                                            project="cinder"))
    assert text.startswith("cinder==5.0.0 is not on the package index; available: ")
    assert "use a git clone of openstack/cinder, -s /path/to/cinder@7.0.0" in text


def test_cinder_releases_are_read_oldest_first_and_mixed_projects_as_given():
    from tracer.sources import release_order

    assert release_order(["cinder==29.0.0", "cinder==20.0.0", "Cinder==9.0.0"]) == \
        ["Cinder==9.0.0", "cinder==20.0.0", "cinder==29.0.0"]
    assert release_order(["34.0.0", "nova==20.0.0"]) == ["nova==20.0.0", "34.0.0"]
    assert release_order(["cinder==29.0.0", "20.0.0"]) == ["cinder==29.0.0", "20.0.0"]


@pytestmark_git
def test_a_git_commit_holding_cinder_is_a_cinder_tree(tmp_path: Path) -> None:
    path = tmp_path / "cinder"
    path.mkdir()
    git(path, "init", "-q")
    make_tree(path, {**CINDER_FILES, "setup.py": TRAP, "nova_like/__init__.py": ""})
    git(path, "add", "-A")
    git(path, "commit", "-q", "-m", "one")
    git(path, "tag", "29.0.0")
    cache = tmp_path / "cache"
    tree = open_source(f"{path}@29.0.0", cache=cache)
    assert (tree.project, tree.tag, tree.kind) == ("cinder", "29.0.0", "git")
    assert sorted(p.name for p in tree.root.iterdir()) == sorted(["cinder", MANIFEST_NAME])
    assert read_manifest(tree.root)["project"] == "cinder"
    assert open_source(f"{path}@29.0.0", cache=cache) == tree  # from the cache


def test_a_folder_named_like_a_series_is_that_folder(tmp_path: Path, monkeypatch) -> None:
    """`-s zed` where ./zed holds a tree reads the folder, never the Zed release."""
    (tmp_path / "zed" / "nova").mkdir(parents=True)
    (tmp_path / "zed" / "nova" / "__init__.py").write_text("")
    monkeypatch.chdir(tmp_path)
    forbid_download(monkeypatch)
    tree = open_source("zed", cache=tmp_path / "cache")
    assert (tree.kind, tree.root) == ("directory", (tmp_path / "zed").resolve())
