"""The bad-input table of docs/reliability.md: one test per row, run as a user runs osflow.

Each row ends in one `error: ...` line and exit 2 with no traceback, or, where the rest can
go on, `warning: ...` lines and a complete result. The package index is a local `file://`
index or a closed port, so no test here needs the network.
"""

from __future__ import annotations

import hashlib
import os
import re
import struct
import subprocess
import textwrap
import zipfile
from pathlib import Path

import pytest

from tests.test_cli_rpc import osflow
from tests.test_sources import make_wheel, same_size_edit
from tests.trees import TRACE, nested_folders, write_tree
from tracer.profiles import known_projects

PIPELINE = "nova_api->>nova_compute: pause_instance"  # the pause flow reached its cast


def error_line(result: subprocess.CompletedProcess) -> str:
    """The one line a bad input gives, after checking its shape: exit 2, no traceback."""
    assert result.returncode == 2, (result.returncode, result.stderr)
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    return lines[0]


def warnings_of(result: subprocess.CompletedProcess) -> list[str]:
    """The warning lines of a run that went on, after checking it succeeded (a build's
    `note:` that its root is new is no warning)."""
    assert result.returncode == 0, result.stderr
    lines = [line for line in result.stderr.splitlines() if not line.startswith("note: ")]
    assert all(line.startswith("warning: ") for line in lines), result.stderr
    return lines


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    return write_tree(tmp_path / "tree", TRACE)


def tree_with(tmp_path: Path, changes: dict[str, str]) -> Path:
    """The TRACE tree with some modules added or replaced."""
    return write_tree(tmp_path / "changed", {**TRACE, **changes})


# ----------------------------------------------------------------------------- sources


def test_missing_path(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere"
    result = osflow("trace", "pause", "-s", str(missing), cache=tmp_path / "c")
    assert error_line(result) == (
        f"error: {missing}: no such directory; give a release like 34.0.0 (another "
        "project's as cinder==29.0.0), a folder that holds nova/, or REPO@REF")


@pytest.mark.parametrize("what", ["empty folder", "file", "nova without __init__"])
def test_not_a_nova_tree(tmp_path: Path, what: str) -> None:
    path = tmp_path / "t"
    if what == "file":
        path.write_text("x")
        expected = f"error: {path}: not a directory; give the folder that holds nova/"
    else:
        (path / "nova" if what != "empty folder" else path).mkdir(parents=True)
        others = ", ".join(f"{p}/" for p in known_projects() if p != "nova")
        expected = (f"error: {path}: no nova/ package here; give the folder that holds nova/ "
                    f"(or {others})")
    assert error_line(osflow("rpc", "-s", str(path), cache=tmp_path / "c")) == expected


class LocalIndex:
    """A PEP 503 package index in a folder, serving one nova wheel made from a tree; pip
    is pointed at it alone (no user config, no find-links)."""

    def __init__(self, root: Path, tree: Path, version: str = "33.0.0") -> None:
        files = {p.relative_to(tree).as_posix(): p.read_bytes()
                 for p in sorted(tree.rglob("*.py"))}
        info = f"nova-{version}.dist-info"
        files[f"{info}/METADATA"] = f"Metadata-Version: 2.1\nName: nova\nVersion: {version}\n" \
            .encode()
        files[f"{info}/WHEEL"] = b"Wheel-Version: 1.0\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
        name = f"nova-{version}-py3-none-any.whl"
        wheel = make_wheel(root / "simple" / "nova" / name, files, version=version)
        digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
        (root / "simple" / "nova" / "index.html").write_text(
            f'<html><body><a href="{name}#sha256={digest}">{name}</a></body></html>')
        self.url = (root / "simple").as_uri()

    def env(self, url: str | None = None) -> dict[str, str | None]:
        return {"PIP_CONFIG_FILE": "/dev/null", "PIP_FIND_LINKS": None,
                "PIP_EXTRA_INDEX_URL": None, "PIP_INDEX_URL": url or self.url,
                "PIP_RETRIES": "0", "PIP_TIMEOUT": "5"}


@pytest.fixture
def index(tmp_path: Path, tree: Path) -> LocalIndex:
    return LocalIndex(tmp_path / "index", tree)


def test_unknown_release(tmp_path: Path, index: LocalIndex) -> None:
    result = osflow("ops", "-s", "33.0.9", cache=tmp_path / "c", env=index.env())
    assert error_line(result) == (
        "error: nova==33.0.9 is not on the package index; available: 33.0.0 to 33.0.0 "
        "(1 version; in 33.x: 33.0.0), newest 33.0.0")


def test_release_older_than_the_index_points_to_git(tmp_path: Path, index: LocalIndex) -> None:
    line = error_line(osflow("ops", "-s", "12.0.0", cache=tmp_path / "c", env=index.env()))
    assert line.endswith("releases before 33.0.0 (e.g. Liberty 12.0.0) are not on the index: "
                         "use a git clone of openstack/nova, -s /path/to/nova@12.0.0")


def test_index_unreachable_and_cached_releases_still_work(tmp_path: Path,
                                                          index: LocalIndex) -> None:
    cache = tmp_path / "c"
    online = osflow("ops", "-s", "33.0.0", "--format", "json", cache=cache, env=index.env())
    assert online.returncode == 0, online.stderr
    offline = index.env("http://127.0.0.1:9/simple")  # a closed port: connection refused
    line = error_line(osflow("ops", "-s", "34.0.0", cache=cache, env=offline))
    assert line.startswith("error: cannot reach the package index to download nova==34.0.0 (")
    assert line.endswith("check the network or pip's index settings (pip config list); "
                         "cached here: 33.0.0; a folder or REPO@REF also works offline")
    again = osflow("ops", "-s", "33.0.0", "--format", "json", cache=cache, env=offline)
    assert again.returncode == 0 and again.stdout == online.stdout


def test_tampered_index_is_refused_and_nothing_cached(tmp_path: Path, index: LocalIndex) -> None:
    wheel = next((tmp_path / "index").rglob("*.whl"))
    wheel.write_bytes(wheel.read_bytes() + b"tampered")
    line = error_line(osflow("ops", "-s", "33.0.0", cache=tmp_path / "c", env=index.env()))
    assert line == ("error: nova==33.0.0: the downloaded wheel does not match the sha256 the "
                    "package index publishes; refusing it (a tampered mirror or a broken "
                    "download; retry later)")
    assert not (tmp_path / "c" / "releases" / "nova-33.0.0").exists()


def spoil_member(wheel: Path, member: str, how: str) -> None:
    """Make one member of a zip archive unreadable: its bytes no longer match its CRC-32
    (`crc`), an unknown compression method (`method`, 99), or the encrypted flag."""
    data = bytearray(wheel.read_bytes())
    with zipfile.ZipFile(wheel) as zf:
        local = zf.getinfo(member).header_offset
    end = data.rfind(b"PK\x05\x06")
    count, _, central = struct.unpack_from("<HII", data, end + 10)
    for _ in range(count):  # the member's entry in the central directory
        name, extra, comment = struct.unpack_from("<HHH", data, central + 28)
        if data[central + 46:central + 46 + name] == member.encode():
            break
        central += 46 + name + extra + comment
    if how == "crc":
        name, extra = struct.unpack_from("<HH", data, local + 26)
        data[local + 30 + name + extra] ^= 1  # stored, not compressed: one byte changed
    elif how == "method":
        struct.pack_into("<H", data, local + 8, 99)
        struct.pack_into("<H", data, central + 10, 99)
    else:
        for flags in (local + 6, central + 8):
            struct.pack_into("<H", data, flags, struct.unpack_from("<H", data, flags)[0] | 1)
    wheel.write_bytes(bytes(data))


@pytest.mark.parametrize("how, reason", [
    ("crc", "Bad CRC-32 for file 'nova/compute/api.py'"),
    ("method", "compression method 99, which zipfile cannot read"),
    ("encrypted", "it is encrypted, which a wheel never is"),
])
def test_a_wheel_whose_member_cannot_be_read_is_refused(tmp_path: Path, tree: Path, how: str,
                                                        reason: str) -> None:
    index = LocalIndex(tmp_path / "index", tree)
    wheel = next((tmp_path / "index").rglob("*.whl"))
    spoil_member(wheel, "nova/compute/api.py", how)
    digest = hashlib.sha256(wheel.read_bytes()).hexdigest()  # the index publishes it as is
    (wheel.parent / "index.html").write_text(
        f'<html><body><a href="{wheel.name}#sha256={digest}">{wheel.name}</a></body></html>')
    result = osflow("ops", "-s", "33.0.0", cache=tmp_path / "c", env=index.env())
    assert error_line(result) == (f"error: {wheel.name}: member 'nova/compute/api.py' cannot "
                                  f"be read ({reason}); a damaged or crafted wheel: refusing it")
    assert not (tmp_path / "c" / "releases" / "nova-33.0.0").exists()


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True,
                   env={"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t", "HOME": str(repo),
                        "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@t"})


def test_missing_git_ref(tmp_path: Path, tree: Path) -> None:
    git(tree, "init", "-q")
    git(tree, "add", "-A")
    git(tree, "commit", "-q", "-m", "tree")
    result = osflow("rpc", "-s", f"{tree}@no-such-tag", cache=tmp_path / "c")
    assert error_line(result) == f"error: no-such-tag: no such tag, branch or commit in {tree}"


def test_missing_git_repository(tmp_path: Path) -> None:
    result = osflow("rpc", "-s", f"{tmp_path}/gone@12.0.0", cache=tmp_path / "c")
    assert error_line(result) == (
        f"error: {tmp_path}/gone: no such git repository (from -s {tmp_path}/gone@12.0.0); "
        "give REPO@REF with REPO the path of a git clone")


def test_a_bare_major_version_asks_for_the_whole_release(tmp_path: Path) -> None:
    result = osflow("trace", "pause", "-s", "34", cache=tmp_path / "c", cwd=tmp_path)
    assert error_line(result) == ("error: 34: not a release number; give the whole version, "
                                  "like 34.0.0, or a folder that holds nova/, or REPO@REF")


@pytest.mark.parametrize("shape", ["a folder", "REPO@REF"])
def test_a_source_too_long_to_be_a_path(tmp_path: Path, shape: str) -> None:
    # 5000 characters in one name: the system refuses it (ENAMETOOLONG) before looking
    spec = "a" * 5000 if shape == "a folder" else f"{tmp_path}/{'b' * 300}@12.0.0"
    line = error_line(osflow("rpc", "-s", spec, cache=tmp_path / "c"))
    assert line == (f"error: -s {spec[:40]}... ({len(spec)} characters): too long to be a "
                    "path on this system (File name too long); give a release like 34.0.0, "
                    "a folder that holds nova/, or REPO@REF")


def committed(tree: Path) -> Path:
    """`tree` made a git repository of one commit; its config file."""
    git(tree, "init", "-q")
    git(tree, "add", "-A")
    git(tree, "commit", "-q", "-m", "tree")
    return tree / ".git" / "config"


def include(config: Path, target: Path) -> None:
    with config.open("a") as handle:
        handle.write(f"[include]\n\tpath = {target}\n")


@pytest.mark.parametrize("kind", ["fifo", "device", "fifo included by an included file",
                                  "fifo in the user's own config", "fifo as the config"])
def test_a_git_config_that_includes_no_regular_file(tmp_path: Path, tree: Path,
                                                     kind: str) -> None:
    # git opens what include.path names and reads it: a named pipe without a writer stalls
    # it (600 s once), /dev/zero made it fail as "not a git repository"
    config = committed(tree)
    target = tmp_path / "pipe"
    home = tmp_path / "home"
    home.mkdir()
    if kind == "device":
        target = tmp_path / "zero"
        target.symlink_to("/dev/zero")
        what = "a character device"
    else:
        os.mkfifo(target)
        what = "a named pipe (FIFO)"
    where = config
    if kind == "fifo included by an included file":
        where = tmp_path / "more.cfg"
        include(where, target)
        include(config, where)
    elif kind == "fifo in the user's own config":
        where = home / ".gitconfig"
        include(where, target)
    elif kind == "fifo as the config":
        config.unlink()
        os.mkfifo(config)
    else:
        include(config, target)
    result = osflow("rpc", "-s", f"{tree}@HEAD", cache=tmp_path / "c", env={"HOME": str(home)},
                    timeout=60)
    if kind == "fifo as the config":
        assert error_line(result) == (
            f"error: {tree}: git's configuration file {config} is a named pipe (FIFO), not a "
            "regular file; git would stall or fail reading it (put a file there or remove it)")
        return
    assert error_line(result) == (
        f"error: {tree}: git's configuration includes {target} (include.path in {where}), "
        f"{what}, not a regular file; git would stall or fail reading it (remove that "
        "include)")


def test_a_git_repository_git_cannot_read_says_why(tmp_path: Path, tree: Path) -> None:
    config = committed(tree)
    config.write_text(config.read_text() + "[broken\n")
    line = error_line(osflow("rpc", "-s", f"{tree}@HEAD", cache=tmp_path / "c"))
    assert line.startswith(f"error: {tree}: git cannot read this repository: fatal: bad config "
                           "line ")
    assert line.endswith(f" in file {config}")


def test_a_git_repository_without_a_ref_asks_for_one(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q", "--bare")
    result = osflow("rpc", "-s", str(repo), cache=tmp_path / "c")
    assert error_line(result) == (f"error: {repo}: a git repository; say which tag, branch or "
                                  f"commit to read, as REPO@REF: {repo}@12.0.0")


def test_a_git_tree_nested_1100_deep_is_refused(tmp_path: Path, tree: Path) -> None:
    cache = tmp_path / "c"
    try:
        with nested_folders(tree / "nova", 1100):
            git(tree, "init", "-q")
            git(tree, "add", "-A")
            git(tree, "commit", "-q", "-m", "tree")
            git(tree, "tag", "deep")
            result = osflow("rpc", "-s", f"{tree}@deep", cache=cache, timeout=120)
        entries = sorted(p.name for p in (cache / "git").iterdir() if p.name[:1] != ".")
    finally:  # what extraction left, however deep (nested_folders says why)
        subprocess.run(["rm", "-rf", "--", str(cache)], check=True)
    assert error_line(result) == (
        f"error: {tree}@deep: member 'nova/a/a/.../deep.py' is nested 1101 folders deep, "
        "over the cap of 64; refusing to unpack this archive")
    assert entries == []  # nothing cached


# ----------------------------------------------------------------------------- usage


@pytest.mark.parametrize("args, expected", [
    (("trace", "pause", "--depth", "20"), "error: Invalid value for '--depth': 20 is not in "
     "the range 0<=x<=12. (see osflow trace --help)"),
    (("trace",), "error: which operation? name one, e.g. `osflow trace pause`; "
     "`osflow ops` lists them all"),
    (("nosuch",), "error: No such command 'nosuch'. (see osflow --help)"),
    (("diff", "a", "b", "--rpc", "--op", "pause"), "error: --op compares operations' flows; "
     "--rpc compares the RPC APIs: give one or the other (see osflow diff --help)"),
])
def test_usage_errors_are_one_line(tmp_path: Path, args, expected) -> None:
    assert error_line(osflow(*args, cache=tmp_path / "c")) == expected


def test_no_command_shows_the_help(tmp_path: Path) -> None:
    result = osflow(cache=tmp_path / "c")
    assert result.returncode == 0 and result.stdout.startswith("Usage: osflow")
    assert "trace" in result.stdout and not result.stderr


# ----------------------------------------------------------------------------- the cache


@pytest.mark.parametrize("damage", ["truncated", "same size, mtime kept"])
def test_corrupted_release_entry_is_detected_and_rebuilt(tmp_path: Path, index: LocalIndex,
                                                        damage: str) -> None:
    cache = tmp_path / "c"
    first = osflow("trace", "pause", "-s", "33.0.0", cache=cache, env=index.env())
    assert first.returncode == 0, first.stderr
    entry = cache / "releases" / "nova-33.0.0"
    api = entry / "nova" / "compute" / "api.py"
    if damage == "truncated":
        api.write_text("# truncated\n")
    else:  # the cast drawn no more, and the file's size and mtime as they were (touch -r)
        same_size_edit(api, b"pause_instance(", b"pause_instanc3(")
    again = osflow("trace", "pause", "-s", "33.0.0", cache=cache, env=index.env())
    assert warnings_of(again) == [
        f"warning: cache entry {entry} is incomplete or damaged; rebuilding it"]
    assert again.stdout == first.stdout


@pytest.mark.parametrize("damage", [b"", b"not a pickle", b"\x80\x05garbage", "os.system",
                                    "builtins.exec"])
def test_corrupted_parse_and_result_cache_entries_are_rebuilt(tmp_path: Path, tree: Path,
                                                              damage: bytes | str) -> None:
    from tests.index.test_index import crafted_entries

    cache = tmp_path / "c"
    marker = tmp_path / "ran"
    if isinstance(damage, str):  # a pickle that runs code as it loads
        damage = crafted_entries(marker)[["os.system", "builtins.exec"].index(damage)]
    first = osflow("trace", "pause", "-s", str(tree), cache=cache)
    entries = sorted(cache.rglob("*.pickle")) + sorted(cache.rglob("builds/*.json"))
    assert entries
    for entry in entries:
        entry.write_bytes(damage)
    again = osflow("trace", "pause", "-s", str(tree), cache=cache)
    assert warnings_of(again) == [] and again.stdout == first.stdout
    assert not marker.exists()
    third = osflow("trace", "pause", "-s", str(tree), cache=cache)
    assert third.stdout == first.stdout


# ----------------------------------------------------------------------------- the tree


def test_syntax_error_in_one_module(tmp_path: Path, tree: Path) -> None:
    manager = tree / "nova" / "compute" / "manager.py"
    lines = manager.read_text().splitlines()
    manager.write_text("\n".join(lines + ["def broken(:"]) + "\n")
    gap = f"nova/compute/manager.py:{len(lines) + 1}: cannot parse (invalid syntax); " \
          "its steps are missing"
    result = osflow("trace", "pause", "-s", str(tree), cache=tmp_path / "c")
    assert warnings_of(result) == [f"warning: {gap}"]
    assert f"# note: {gap}" in result.stdout  # the diagram says what it lacks
    assert PIPELINE in result.stdout  # and the rest is traced
    built = osflow("build", "-s", str(tree), "--root", str(tmp_path / "root"),
                   cache=tmp_path / "c")
    assert warnings_of(built) == [f"warning: {gap}"]
    assert "6 operations" in built.stdout


def test_syntax_error_in_the_virt_driver_says_so_and_names_the_other_drivers(
        tmp_path: Path, tree: Path) -> None:
    driver = tree / "nova" / "virt" / "libvirt" / "driver.py"
    driver.write_text("class LibvirtDriver(:\n")
    result = osflow("trace", "pause", "-s", str(tree), cache=tmp_path / "c")
    assert error_line(result).startswith(
        "error: nova/virt/libvirt/driver.py:1: cannot parse (invalid syntax), so the libvirt "
        "driver cannot be traced; fix the module or choose another driver with --driver (")


@pytest.mark.parametrize("option, expected", [
    (("--network", "nova-network"), "error: --network nova-network: this tree has no "
     "nova-network API to choose (nova.network.API); leave the default, neutron"),
    (("--use-local",), "error: --use-local: this tree's conductor has no local mode to "
     "choose (nova.conductor.API, CONF.conductor.use_local); leave it out"),
])
def test_a_choice_the_tree_cannot_make_is_refused(tmp_path: Path, tree: Path, option,
                                                  expected) -> None:
    result = osflow("trace", "pause", "-s", str(tree), *option, cache=tmp_path / "c")
    assert error_line(result) == expected


def gap(path: str, why: str) -> str:
    return f"{path}:1: cannot parse (not read: {why}); its steps are missing"


@pytest.mark.parametrize("kind, why", [
    ("fifo", "a named pipe (FIFO), not a regular file"),
    ("link to /dev/zero", "a symbolic link to a character device, not a regular file"),
    ("too big", f"{8 * 1024 * 1024 + 3} bytes, over the 8 MiB cap on a module"),
])
@pytest.mark.parametrize("module", ["nova/compute/utils.py", "nova/stray.py"])
def test_a_module_that_is_no_regular_file_or_too_big_is_a_gap(tmp_path: Path, tree: Path,
                                                              kind: str, why: str,
                                                              module: str) -> None:
    """A module the trace reads (compute/utils.py) or one it does not: never read, never
    waited on, and named as a gap of the tree; the rest is traced."""
    path = tree / module
    path.unlink(missing_ok=True)
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "link to /dev/zero":
        path.symlink_to("/dev/zero")
    else:  # a comment: cheap to parse, were it read
        path.write_bytes(b"#" * (8 * 1024 * 1024 + 2) + b"\n")
    result = osflow("trace", "pause", "-s", str(tree), cache=tmp_path / "c", timeout=60,
                    max_memory=2 << 30)
    assert warnings_of(result) == [f"warning: {gap(module, why)}"]
    assert f"# note: {gap(module, why)}" in result.stdout
    assert PIPELINE in result.stdout


def test_names_no_import_can_name_and_folders_1100_deep_are_gaps(tmp_path: Path,
                                                                 tree: Path) -> None:
    """A module whose file name is no UTF-8 (fingerprinting the tree raised
    UnicodeEncodeError), one whose folder's name holds a control character, and folders
    nested 1,100 deep (os.walk raised RecursionError): left out and said, once each."""
    (tree / "nova" / os.fsdecode(b"bad\xff.py")).write_text("X = 1\n")
    (tree / "nova" / "tab\tfolder").mkdir()
    (tree / "nova" / "tab\tfolder" / "x.py").write_text("X = 1\n")
    with nested_folders(tree / "nova", 1100):
        result = osflow("trace", "pause", "-s", str(tree), cache=tmp_path / "c", timeout=60)
    gaps = [gap("nova/" + "a/" * 64, "a folder nested more than 64 deep"),
            gap("nova/bad\\xff.py", "its name is not UTF-8, so no import can name it"),
            gap("nova/tab\\tfolder/", "its name holds a character that is not printable, so "
                                     "no import can name it")]
    assert warnings_of(result) == [f"warning: {line}" for line in gaps]
    assert all(f"# note: {line}" in result.stdout for line in gaps)
    assert PIPELINE in result.stdout


# Liberty-era code: `async` as a name (a keyword since Python 3.7) and, where a module was
# never ported, Python 2 statements.
PY2_NAMES = """
    def notify_about_instance_action(context, instance, action=None, phase=None, async=False):
        return async
"""
PY2_STATEMENTS = """
    def notify_about_instance_action(context, instance, action=None, phase=None):
        print "notify %s" % action
"""


def test_python2_era_names_are_read_with_the_older_grammar(tmp_path: Path) -> None:
    tree = tree_with(tmp_path, {"nova/compute/utils.py": PY2_NAMES})
    result = osflow("trace", "pause", "-s", str(tree), cache=tmp_path / "c")
    assert warnings_of(result) == []
    assert PIPELINE in result.stdout and "notify: pause.end" in result.stdout


def test_python2_statements_are_a_parse_gap(tmp_path: Path) -> None:
    tree = tree_with(tmp_path, {"nova/compute/utils.py": PY2_STATEMENTS})
    result = osflow("trace", "pause", "-s", str(tree), cache=tmp_path / "c")
    assert warnings_of(result) == [
        "warning: nova/compute/utils.py:2: cannot parse (Missing parentheses in call to "
        "'print'. Did you mean print(...)?); its steps are missing"]
    assert PIPELINE in result.stdout and "nova_compute->libvirt: pause" in result.stdout


def test_python2_era_names_nested_too_deeply_are_a_parse_gap(tmp_path: Path) -> None:
    """The older grammar's retry parses what the newer refused: its RecursionError is a
    parse gap as the newer's is (it was raised through the retry)."""
    deep = "    x = " + " + ".join(f"f{i}()" for i in range(5000)) + "\n"
    tree = tree_with(tmp_path, {"nova/compute/utils.py": PY2_NAMES + deep})
    result = osflow("trace", "pause", "-s", str(tree), cache=tmp_path / "c")
    assert warnings_of(result) == [
        "warning: nova/compute/utils.py:1: cannot parse (nested too deeply for Python's "
        "parser); its steps are missing"]
    assert PIPELINE in result.stdout


def deep_manager(kind: str, size: int) -> str:
    """compute/manager.py with its pause handler made huge or deeply nested."""
    text = textwrap.dedent(TRACE["nova/compute/manager.py"]).lstrip("\n")
    call = "        self.driver.pause(instance)\n"
    pad = "        "
    body = {
        "nested ifs": "".join(f"{pad}{'    ' * i}if c{i}:\n" for i in range(size))
        + f"{pad}{'    ' * size}self.driver.pause(instance)\n",
        "elif chain": f"{pad}if c0:\n{call}"
        + "".join(f"{pad}elif c{i}:\n{pad}    instance.save()\n" for i in range(1, size)),
        "long body": call * size,
        "long expression": f"{pad}x = " + " + ".join(f"f{i}()" for i in range(size)) + "\n" + call,
        "call chain": f"{pad}x = self" + "".join(f".m{i}()" for i in range(size)) + "\n" + call,
    }[kind]
    assert call in text
    return text.replace(call, body)


@pytest.mark.parametrize("kind, size, parsed", [
    ("nested ifs", 95, True),  # just under CPython's indentation limit (100)
    ("nested ifs", 120, False),  # over it: a syntax error
    ("elif chain", 900, False),  # parses, too deep for the summariser
    ("elif chain", 3000, False),  # too deep for CPython's parser
    ("long body", 5000, True),
    ("long expression", 5000, False),
    ("call chain", 3000, False),
])
def test_huge_or_deeply_nested_function(tmp_path: Path, kind: str, size: int,
                                        parsed: bool) -> None:
    tree = tree_with(tmp_path, {"nova/compute/manager.py": deep_manager(kind, size)})
    result = osflow("trace", "pause", "-s", str(tree), cache=tmp_path / "c")
    found = warnings_of(result)
    assert PIPELINE in result.stdout
    if parsed:
        # the innermost conditions guard the message ([x93 and x94] pause), the rest frame it
        assert found == [] and re.search(r"nova_compute->libvirt: (\[[^]]*\] )?pause\n",
                                         result.stdout)
    else:
        assert len(found) == 1 and found[0].startswith("warning: nova/compute/manager.py:")
        line = int(found[0].split(":")[2])
        assert line >= 1 and "cannot parse (" in found[0]


# ----------------------------------------------------------------------------- annotations


@pytest.mark.parametrize("text, expected", [
    ("notes:\n  - at: [\n", "annotations/nova/pause.yaml:3: not valid YAML: expected the node "
                            "content, but found '<stream end>'"),
    ("notes:\n  - text: hi\n", "annotations/nova/pause.yaml:2: a notes entry needs at"),
    ("bogus: 1\n", "annotations/nova/pause.yaml:1: unknown key 'bogus'; expected one of "
                   "groups, hide, notes, rename, title"),
    ("\xff\xfe", None),
    ("title: " + "[" * 50_000 + "]" * 50_000 + "\n", "annotations/nova/pause.yaml:1: nested "
     "more than 16 deep; osflow's YAML files need 3 levels"),
    ('notes:\n  - at: nova.compute.api.API.pause\n    text: "\\ud800"\n',
     "annotations/nova/pause.yaml:3: \\ud800 is half of a UTF-16 surrogate pair, not a "
     "character; write the character itself"),
    # YAML's null is no text: not drawn as "null"
    ("notes:\n  - at: nova.compute.api.API.pause\n    text: null\n",
     "annotations/nova/pause.yaml:3: notes.text is null, which YAML reads as no value; write "
     "the text, or quote it: \"null\""),
    ("title: ~\n", "annotations/nova/pause.yaml:1: title is ~, which YAML reads as no value; "
                   "write the text, or quote it: \"~\""),
    # characters XML forbids, written as YAML escapes: no picture can hold them
    ('title: "Pause \\uFFFE"\n', "annotations/nova/pause.yaml:1: title holds character U+FFFE "
                                  "(a noncharacter), which XML and so SVG cannot hold; remove it"),
    ('notes:\n  - at: nova.compute.api.API.pause\n    text: "a\\ud800b"\n',
     "annotations/nova/pause.yaml:3: \\ud800 is half of a UTF-16 surrogate pair, not a "
     "character; write the character itself"),
    ("# written raw\ntitle: Pause \ufffe\n", "annotations/nova/pause.yaml:2: character U+FFFE "
                                             "(a noncharacter), which YAML and SVG cannot hold; "
                                             "remove it"),
    # lines counted as an editor counts them: U+2028 and NEL are no line breaks
    ('title: "one\u2028two\x85three"\nbogus: 1\n',
     "annotations/nova/pause.yaml:2: unknown key 'bogus'; expected one of groups, hide, notes, "
     "rename, title"),
])
def test_annotation_errors(tmp_path: Path, tree: Path, text: str, expected: str | None) -> None:
    root = tmp_path / "root"
    cache = tmp_path / "c"
    assert osflow("build", "-s", str(tree), "--root", str(root), cache=cache).returncode == 0
    before = {p: p.read_bytes() for p in root.rglob("*") if p.is_file()}
    path = root / "annotations" / "nova" / "pause.yaml"
    path.parent.mkdir(parents=True)
    path.write_bytes(text.encode("latin-1") if expected is None else text.encode())
    line = error_line(osflow("build", "-s", str(tree), "--root", str(root), cache=cache))
    if expected is None:
        assert line.startswith("error: annotations/nova/pause.yaml")
    else:
        assert line == f"error: {expected}"
    after = {p: p.read_bytes() for p in root.rglob("*") if p.is_file() and p != path}
    assert after == before  # nothing already written changed


@pytest.mark.parametrize("kind", ["link to /dev/zero", "fifo", "folder", "too big"])
def test_annotation_that_is_no_small_file(tmp_path: Path, tree: Path, kind: str) -> None:
    path = tmp_path / "root" / "annotations" / "nova" / "pause.yaml"
    path.parent.mkdir(parents=True)
    expected = ("annotations/nova/pause.yaml: not a regular file; an annotation file is a "
                "YAML file")
    if kind == "link to /dev/zero":
        path.symlink_to("/dev/zero")
    elif kind == "fifo":
        os.mkfifo(path)
    elif kind == "folder":
        path.mkdir()
    else:
        path.write_text("# " + "x" * 300_000 + "\n")
        expected = ("annotations/nova/pause.yaml: over 262144 bytes; an annotation file "
                    "holds at most 262144")
    result = osflow("build", "-s", str(tree), "--root", str(tmp_path / "root"),
                    cache=tmp_path / "c")
    assert error_line(result) == f"error: {expected}"
    assert not (tmp_path / "root" / "workflows").exists()


def test_annotation_of_no_operation_is_a_stale_warning(tmp_path: Path, tree: Path) -> None:
    root = tmp_path / "root"
    path = root / "annotations" / "nova" / "no-such-op.yaml"
    path.parent.mkdir(parents=True)
    path.write_text("title: x\n")
    result = osflow("build", "-s", str(tree), "--root", str(root), "--strict",
                    cache=tmp_path / "c")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr == (f"warning: annotations/nova/no-such-op.yaml:1: stale annotation "
                             f"file: no operation 'no-such-op' in {tree}\n")


# ----------------------------------------------------------------------------- check --suppress


@pytest.mark.parametrize("kind, expected", [
    ("link to /dev/zero", "s.yaml: not a regular file; a file of accepted findings is a YAML "
                          "file"),
    ("fifo", "s.yaml: not a regular file; a file of accepted findings is a YAML file"),
    ("too big", "s.yaml: over 1048576 bytes; a file of accepted findings holds at most "
                "1048576"),
    ("not UTF-8", "s.yaml:2: not UTF-8 (byte 33); save it as UTF-8"),
    ("nested 50k deep", "s.yaml:1: nested more than 16 deep; osflow's YAML files need 3 "
                        "levels"),
    ("lone surrogate", "s.yaml:2: \\udfff is half of a UTF-16 surrogate pair, not a "
                       "character; write the character itself"),
])
def test_a_suppressions_file_that_is_no_small_yaml_file(tmp_path: Path, tree: Path, kind: str,
                                                        expected: str) -> None:
    path = tmp_path / "s.yaml"
    if kind == "link to /dev/zero":
        path.symlink_to("/dev/zero")
    elif kind == "fifo":
        os.mkfifo(path)
    elif kind == "too big":
        path.write_text("# " + "x" * (1 << 20) + "\n")
    elif kind == "not UTF-8":
        path.write_bytes(b"- rule: nested-call\n  where: rpc:\xff\n")
    elif kind == "nested 50k deep":
        path.write_text("[" * 50_000 + "]" * 50_000 + "\n")
    else:
        path.write_text('- rule: nested-call\n  where: "\\udfff"\n')
    result = osflow("check", "-s", str(tree), "--suppress", "s.yaml", cache=tmp_path / "c",
                    cwd=tmp_path, timeout=60, max_memory=2 << 30)
    assert error_line(result) == f"error: {expected}"


# ----------------------------------------------------------------------------- .wsd files


@pytest.mark.parametrize("data, expected", [
    (b"A->B: x\nend\n", "bad.wsd:2: `end` without an open fragment (alt/opt/loop/par/group)"),
    (b"\xff\xfe\x00bad", "bad.wsd:1: not UTF-8 text, expected a UTF-8 .wsd file"),
    (None, "bad.wsd: no such file or folder"),
    (b"A->B: ok\rA->B: caf\xe9\n", "bad.wsd:2: not UTF-8 text, expected a UTF-8 .wsd file"),
])
def test_malformed_wsd(tmp_path: Path, data: bytes | None, expected: str) -> None:
    if data is not None:
        (tmp_path / "bad.wsd").write_bytes(data)
    result = osflow("render", "bad.wsd", cache=tmp_path / "c", cwd=tmp_path)
    assert error_line(result) == f"error: {expected}"
    assert not (tmp_path / "bad.svg").exists()


@pytest.mark.parametrize("kind, what", [("fifo", "a named pipe (FIFO)"),
                                        ("link to /dev/zero", "a symbolic link to a character "
                                                              "device")])
def test_a_wsd_that_is_no_regular_file_is_named_for_what_it_is(tmp_path: Path, kind: str,
                                                                what: str) -> None:
    # `render` said `bad.wsd: no such file or folder` of a named pipe there (bench/probe.py)
    path = tmp_path / "bad.wsd"
    if kind == "fifo":
        os.mkfifo(path)
    else:
        path.symlink_to("/dev/zero")
    result = osflow("render", "bad.wsd", cache=tmp_path / "c", cwd=tmp_path, timeout=60)
    assert error_line(result) == f"error: bad.wsd: {what}, not a regular file; give a .wsd file"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.wsd"]


@pytest.mark.parametrize("char, named", [
    ("\ufffe", "U+FFFE (a noncharacter)"),
    ("\uffff", "U+FFFF (a noncharacter)"),
    ("\x0b", "U+000B (vertical tab)"),
    ("\x0c", "U+000C (form feed)"),
    ("\x01", "U+0001 (a control character)"),
])
@pytest.mark.parametrize("fmt", ["svg", "png"])
def test_wsd_characters_xml_forbids_are_refused(tmp_path: Path, char: str, named: str,
                                                fmt: str) -> None:
    # once drawn into the SVG, which was then no XML; a PNG of it failed naming no file
    (tmp_path / "bad.wsd").write_text(f"A->B: fine\nA->B: not{char}fine\n", encoding="utf-8")
    result = osflow("render", "bad.wsd", "--format", fmt, cache=tmp_path / "c", cwd=tmp_path)
    assert error_line(result) == (f"error: bad.wsd:2: character {named} at column 10, which "
                                  "XML and so SVG cannot hold; remove it")
    assert not (tmp_path / f"bad.{fmt}").exists()


def test_wsd_line_numbers_are_counted_as_an_editor_counts_them(tmp_path: Path) -> None:
    # only \n, \r\n and \r end a line; \v and \f around a statement are blank space, and
    # U+2028, U+2029 and NEL inside one are characters of the line (str.splitlines broke
    # lines at each, so errors named later lines)
    (tmp_path / "bad.wsd").write_text(
        "A->B: one\u2028two\nA->B: x\x0c\n\x0b\nB->A: y\x85z\u2029\r\nend\n",
        encoding="utf-8", newline="")
    result = osflow("render", "bad.wsd", cache=tmp_path / "c", cwd=tmp_path)
    assert error_line(result) == \
        "error: bad.wsd:5: `end` without an open fragment (alt/opt/loop/par/group)"


def test_a_wsd_too_much_to_draw_as_a_png(tmp_path: Path) -> None:
    # a PNG of 10,000 statements once took minutes and gigabytes; its text alone is over
    # the budget at any size, so it is refused, naming the file
    (tmp_path / "huge.wsd").write_text(
        "\n".join(f"A->B: message {i} with a label of some words" for i in range(3000)))
    result = osflow("render", "huge.wsd", "--format", "png", cache=tmp_path / "c",
                    cwd=tmp_path, timeout=60)
    line = error_line(result)
    assert line.startswith("error: huge.wsd: too much to draw as a PNG: ")
    assert line.endswith(" over the PNG budget of 15 s and 250 MB; use the SVG, or split the "
                         "diagram")
    assert not (tmp_path / "huge.png").exists()


def test_a_png_drawn_too_small_to_read_says_so(tmp_path: Path) -> None:
    # 200 participants: 18,808 px wide, drawn at under half the SVG's size to stay within
    # the budget
    (tmp_path / "wide.wsd").write_text("\n".join(f"P{i}->P{199 - i}: m" for i in range(200)))
    result = osflow("render", "wide.wsd", "--format", "png", cache=tmp_path / "c",
                    cwd=tmp_path, timeout=60)
    assert result.returncode == 0 and result.stdout == "wide.png\n"
    assert result.stderr.startswith("warning: wide.wsd: drawn at 0.")
    assert result.stderr.endswith(" of the SVG's size to stay within the PNG budget (20 "
                                  "megapixels, 15 s, 250 MB), so its text is hard to read; the "
                                  "SVG has every detail\n")
    assert (tmp_path / "wide.png").read_bytes().startswith(b"\x89PNG")


def test_one_malformed_wsd_among_many_fails_alone(tmp_path: Path) -> None:
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "good.wsd").write_text("A->B: hello\n")
    (tmp_path / "d" / "bad.wsd").write_text("A->B: y\nfrobnicate A\n")
    result = osflow("render", "d", cache=tmp_path / "c", cwd=tmp_path)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.startswith("error: d/bad.wsd:")
    assert (tmp_path / "d" / "good.svg").is_file() and not (tmp_path / "d" / "bad.svg").exists()


def test_a_folder_of_diagrams_nested_1100_deep(tmp_path: Path) -> None:
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "good.wsd").write_text("A->B: hello\n")
    with nested_folders(tmp_path / "d", 1100):  # rglob raised RecursionError
        result = osflow("render", "d", cache=tmp_path / "c", cwd=tmp_path, timeout=60)
    assert error_line(result) == ("error: d" + "/a" * 65 + ": folders nested more than 64 "
                                  "deep in d; osflow reads no deeper (render a folder nearer "
                                  "the diagrams)")
    assert not (tmp_path / "d" / "good.svg").exists()


# ----------------------------------------------------------------------------- outputs


@pytest.mark.parametrize("kind", ["not UTF-8", "too big", "list too big", "fifo",
                                  "link to /dev/zero"])
def test_stray_files_in_workflows_during_build_op(tmp_path: Path, tree: Path, kind: str) -> None:
    """`build --op pause` reads back every other listed diagram its record does not
    describe, for the index page, and the list of built files: a stray file there is
    said, never waited on, and the build goes on."""
    root, cache = tmp_path / "root", tmp_path / "c"
    assert osflow("build", "-s", str(tree), "--root", str(root), cache=cache).returncode == 0
    for record in cache.rglob("builds/*.json"):  # the diagrams are read back, not recalled
        record.unlink()
    stop = root / "workflows" / "nova" / "stop.wsd"
    built = root / "workflows" / "nova" / ".osflow-built"
    expected = []
    why = None
    if kind == "list too big":
        built.write_text(built.read_text() + "#" * (1 << 20) + "\n")
        expected = [f"warning: workflows/nova/.osflow-built: {len(built.read_bytes())} bytes, "
                    "over the 1 MiB cap on the list of built files, so not read: a build's "
                    "files of operations gone from the catalogue stay until removed by hand"]
    else:
        stop.unlink()
        why = {"not UTF-8": ":1: not UTF-8 text, expected a UTF-8 .wsd file",
               "too big": f": file is {(5 << 20) + 1} bytes, over the {5 << 20} byte limit "
                          "(5 MB); split the diagram"}.get(kind)
        if kind == "not UTF-8":
            stop.write_bytes(b"\xff\xfe title")
        elif kind == "too big":  # one line with no end
            stop.write_bytes(b"x" * ((5 << 20) + 1))
        elif kind == "fifo":  # no longer a file of the build's: left alone
            os.mkfifo(stop)
        else:
            stop.symlink_to("/dev/zero")
        if why:
            expected = [f"warning: workflows/nova/stop.wsd{why}; its flow is left out of "
                        "output/index.html (osflow build --op stop writes it again)"]
    result = osflow("build", "-s", str(tree), "--root", str(root), "--op", "pause",
                    cache=cache, timeout=60, max_memory=2 << 30)
    assert warnings_of(result) == expected
    page = (root / "output" / "index.html").read_text()
    assert "nova/pause.svg" in page
    # a stop.wsd that is no file any more is no longer the build's: off the page
    assert ("nova/stop.svg" in page) == (kind not in ("fifo", "link to /dev/zero"))


def regular_file_only(path: Path, what: str, fix: str = "choose another path") -> str:
    """The error line for a node at `path` that osflow will not replace."""
    return (f"error: {path}: {what}, not a regular file; osflow writes only regular files "
            f"({fix})")


def node_of(path: Path) -> tuple:
    """What is at `path`, not following links: its kind and, for a link, its target."""
    import stat

    info = os.lstat(path)
    return stat.S_IFMT(info.st_mode), info.st_rdev, \
        os.readlink(path) if path.is_symlink() else None


@pytest.mark.parametrize("kind", ["fifo", "link", "character device"])
def test_trace_output_is_only_written_over_a_regular_file(tmp_path: Path, tree: Path,
                                                          kind: str) -> None:
    out = tmp_path / "out.wsd"
    if kind == "fifo":
        os.mkfifo(out)
        expected = regular_file_only(out, "a named pipe (FIFO)", "remove it or choose "
                                                                 "another path")
    elif kind == "link":
        (tmp_path / "target.wsd").write_text("the target\n")
        out.symlink_to("target.wsd")
        expected = regular_file_only(out, "a symbolic link",
                                     "remove the link or choose another path")
    else:
        # a device node of its own in tmp_path (the same device as /dev/full), so that no
        # run, before or after a fix, can touch /dev itself
        import stat

        try:
            os.mknod(out, stat.S_IFCHR | 0o600, os.makedev(1, 7))
        except PermissionError:
            pytest.skip("cannot make a device node here (not root); test_files.py stands "
                        "in with a character device that lstat reports")
        expected = regular_file_only(out, "a character device")
    before = node_of(out)
    assert error_line(osflow("trace", "pause", "-s", str(tree), "-o", str(out),
                             cache=tmp_path / "c")) == expected
    assert node_of(out) == before
    if kind == "link":
        assert (tmp_path / "target.wsd").read_text() == "the target\n"


def test_render_and_diff_outputs_are_only_written_over_regular_files(tmp_path: Path) -> None:
    from tests.test_diff import stop_becomes_a_call

    (tmp_path / "a.wsd").write_text("A->B: hello\n")
    (tmp_path / "pictures").mkdir()
    os.mkfifo(tmp_path / "pictures" / "a.svg")
    result = osflow("render", "a.wsd", "-o", "pictures", cache=tmp_path / "c", cwd=tmp_path)
    assert error_line(result) == regular_file_only(
        Path("pictures/a.svg"), "a named pipe (FIFO)", "remove it or choose another path")
    assert stat_kinds(tmp_path / "pictures") == {"a.svg": "fifo"}
    old, new = stop_becomes_a_call(tmp_path)
    (tmp_path / "visual").mkdir()
    (tmp_path / "visual" / "stop.wsd").mkdir()
    result = osflow("diff", str(old), str(new), "-o", str(tmp_path / "visual"),
                    cache=tmp_path / "c")
    assert error_line(result) == regular_file_only(
        tmp_path / "visual" / "stop.wsd", "a folder",
        "move the folder away or choose another path")
    assert stat_kinds(tmp_path / "visual") == {"stop.wsd": "folder"}


def stat_kinds(folder: Path) -> dict[str, str]:
    import stat

    kinds = {stat.S_IFREG: "file", stat.S_IFDIR: "folder", stat.S_IFIFO: "fifo",
             stat.S_IFLNK: "link"}
    return {p.name: kinds.get(stat.S_IFMT(os.lstat(p).st_mode), "other")
            for p in sorted(folder.iterdir())}


@pytest.mark.parametrize("where, what", [
    ("output/index.html", "folder"),
    ("workflows/nova", "file"),
    ("output/nova", "file"),
    ("output/nova/pause.svg", "fifo"),
    ("workflows/nova/pause.wsd", "link"),
])
def test_build_outputs_that_are_not_files_or_folders(tmp_path: Path, tree: Path, where: str,
                                                     what: str) -> None:
    root = tmp_path / "root"
    path = root / where
    path.parent.mkdir(parents=True)
    if what == "folder":
        path.mkdir()
        expected = regular_file_only(path, "a folder", "move the folder away or build into "
                                                       "another --root")
    elif what == "file":
        path.write_text("in the way\n")
        expected = None
    elif what == "fifo":
        os.mkfifo(path)
        expected = regular_file_only(path, "a named pipe (FIFO)",
                                     "remove it or build into another --root")
    else:
        path.symlink_to("elsewhere.wsd")
        expected = regular_file_only(path, "a symbolic link",
                                     "remove the link or build into another --root")
    before = stat_kinds(path.parent)
    line = error_line(osflow("build", "-s", str(tree), "--root", str(root),
                             cache=tmp_path / "c"))
    if expected is None:  # names the first operation's file it cannot write
        assert line.startswith(f"error: {path}: a regular file, not a folder, so {path}/")
        assert line.endswith(" cannot be written (move it away or build into another "
                             "--root)")
    else:
        assert line == expected
    assert stat_kinds(path.parent) == before  # the node is as it was
    written = [p for p in root.rglob("*") if p.is_file() and p != path]
    assert written == []  # refused before anything was written
