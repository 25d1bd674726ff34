"""Turn a `-s SPEC` string into a tree of an OpenStack project on disk (Nova, Cinder),
without importing or running any of it.

Three kinds of SPEC (SPEC.md, "Sources"):

- a release `X.Y.Z` of `nova`, or `PROJECT==X.Y.Z` of a project osflow knows
  (`cinder==29.0.0`; `nova==34.0.0` is `34.0.0`), from the package index: `pip download` of
  the wheel only (`--no-deps --only-binary=:all:`, so no setup.py can ever run), unpacked
  safely into `<cache>/releases/PROJECT-X.Y.Z/` (each project apart);
- a directory holding `nova/` or `cinder/` (or the package folder itself): the project is
  the package found;
- `REPO@REF`: a git repository (bare or not) read at a tag, branch or commit, with no
  checkout, into `<cache>/git/<sha>/`; the project is the package the commit holds.

A bare version string (and `PROJECT==VERSION`) always means a release: write `./34.0.0`
for a folder of that name.

Cache entries are built in a temporary folder next to their final name and moved into place
with one `os.replace`, under an `fcntl.flock` lock per entry, so a killed run never leaves a
half tree and concurrent runs neither collide nor download twice. Each entry holds a
manifest (`.osflow-source.json`) listing every file with its size and sha256, and the mtime
and ctime it had when hashed; an entry whose files no longer match it is treated as corrupt
and rebuilt. Each use stats every file and hashes again those whose times moved (any write
moves a file's ctime, which `touch -r` cannot set back).

How a release wheel is checked (what works here, with pip pointed at PyPI plus local
`file://` mirrors by its config):

1. pip itself verifies the download against the `#sha256=` the index publishes for the file
   (pip trusts index link hashes even without `--require-hashes`).
2. We then check independently: pip's `--log` names the index page that listed the chosen
   wheel ("Found link ... (from PAGE)"); we read that page ourselves (PEP 691 JSON, else the
   PEP 503 HTML `#sha256=` fragment) through the same index pip was configured with, and
   compare its sha256 with the one we compute. A mismatch is fatal and nothing is cached.
3. Where no index hash can be had (a `--find-links` folder, a mirror that publishes none, the
   page unreachable a second time), the wheel's own sha256 is recorded in the manifest with
   `hash_check` saying why it is unverified, and a warning is logged.
4. Every extracted file is also checked against the wheel's own `RECORD`.

A cached release is served from the cache with no network access at all.
"""

from __future__ import annotations

import base64
import contextlib
import csv
import errno
import hashlib
import io
import json
import logging
import os
import re
import shutil
import stat
import subprocess
import sys
import tarfile
import tempfile
import urllib.parse
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path, PurePosixPath

from tracer import PINNED_RELEASE, releases
from tracer.config import cache_dir
from tracer.errors import OsflowError
from tracer.files import MAX_FOLDER_DEPTH, kind_of, locked, read_regular_file
from tracer.profiles import PROFILES, Profile, known_projects
from tracer.profiles.nova import NOVA
from tracer.text import shorten

__all__ = [
    "SourceTree",
    "open_source",
    "Downloaded",
    "download_wheel",
    "published_sha256",
    "unpack_wheel",
    "unpacked_archive",
    "unpack_tarball",
    "read_manifest",
    "verify_tree",
    "cached_releases",
    "UnsafeArchiveError",
    "IndexUnreachableError",
    "MANIFEST_NAME",
]

log = logging.getLogger(__name__)

# PEP 440 release numbers as Nova tags them: 34.0.0, 17.0.13, 34.0.0.0rc1.
VERSION_RE = re.compile(r"^\d+(?:\.\d+){1,3}(?:(?:a|b|rc)\d+)?$")
FINAL_VERSION_RE = re.compile(r"^\d+(?:\.\d+)*$")
# `cinder==29.0.0`: a project's release (the name as pip spells a distribution)
PROJECT_RELEASE_RE = re.compile(r"^([A-Za-z][A-Za-z0-9_.-]*)==(.*)$")

MANIFEST_NAME = ".osflow-source.json"
MANIFEST_FORMAT = 1

# A Nova wheel unpacks to ~28 MB in ~2300 files; these caps only stop archive bombs.
MAX_TREE_BYTES = 512 * 1024 * 1024
MAX_MEMBERS = 50_000
# A manifest lists each file in ~130 bytes (~300 KB for Nova); PKG-INFO is a page of text.
MAX_MANIFEST_BYTES = 32 * 1024 * 1024
MAX_METADATA_BYTES = 1024 * 1024

PIP_TIMEOUT_S = 1800
INDEX_PAGE_TIMEOUT_S = 30
# git reading refs or config answers at once unless it waits on something (a named pipe its
# config includes, a stalled disk): then it is stopped and the likely cause named. Listing
# and reading a whole tree's files may take longer on a slow disk.
GIT_TIMEOUT_S = 30
GIT_DATA_TIMEOUT_S = 600

@dataclass(frozen=True)
class SourceTree:
    spec: str  # what the user gave ("34.0.0", "/path", "/repo@tag")
    kind: str  # "release" | "directory" | "git"
    root: Path  # the folder that holds nova/ (or the project's package)
    # human label: "34.0.0", "cinder==29.0.0", "nova@12.0.0 (abc1234)", or the dir path
    label: str
    tag: str | None  # a release/tag name usable in an opendev URL, when known
    project: str = "nova"  # the package the tree holds (its profile: tracer.profiles)

    @property
    def profile(self) -> Profile:
        return PROFILES[self.project]


class UnsafeArchiveError(OsflowError):
    """An archive member would land outside the extraction folder, or is a link/device."""


class IndexUnreachableError(OsflowError):
    """pip could not reach the package index (offline, proxy, DNS, TLS)."""


# --------------------------------------------------------------------------------------
# Entry point


def open_source(spec: str | None = None, *, cache: Path | None = None) -> SourceTree:
    """Resolve SPEC (default: the pinned release) to a tree on disk, fetching if needed."""
    if spec is None:
        spec = PINNED_RELEASE
    if not spec.strip():
        raise OsflowError(
            f"empty source; give a release like {PINNED_RELEASE}, a folder that holds "
            "nova/, or REPO@REF"
        )
    cache = Path(cache) if cache is not None else cache_dir()
    # A bare version is always a release, so that a stray folder named "34.0.0" in the
    # current directory can't silently change what gets analysed.
    major = releases.series_major(spec)
    if major is not None and not (spec.isalpha() and Path(spec).expanduser().is_dir()):
        # `caracal`, `2024.1`: that series' last release (a folder named `zed` here is
        # that folder: a name is read as a series only where it names no folder)
        spec = releases.last_of_series(spec, major, cached_releases(cache))
    if VERSION_RE.match(spec):
        return _open_release(normal_release(spec), cache)
    named = project_release(spec)
    if named is not None:
        profile, version = named
        return _open_release(version, cache, profile, spec=spec)
    path = Path(spec).expanduser()
    if _exists(path, spec):
        return _open_directory(spec, path)
    split = _split_git_spec(spec)
    if split is not None:
        return _open_git(spec, split[0], split[1], cache)
    if re.fullmatch(r"\d+", spec):
        raise OsflowError(
            f"{spec}: not a release number; give the whole version, like "
            f"{spec}.0.0, or a folder that holds nova/, or REPO@REF"
        )
    if spec.lower() in PROFILES:
        raise OsflowError(f"{spec}: which release? give one as {spec.lower()}==VERSION "
                          f"(e.g. {_example(PROFILES[spec.lower()])}), or a folder that holds "
                          f"{spec.lower()}/")
    raise OsflowError(
        f"{spec}: no such directory; give a release like {PINNED_RELEASE} (another "
        f"project's as {_other_example()}), a folder that holds nova/, or REPO@REF"
    )


def project_release(spec: str) -> tuple[Profile, str] | None:
    """`cinder==29.0.0` -> (Cinder's profile, "29.0.0"); None when `spec` is not of that form.
    An unknown project or a version that is not a release number is refused here."""
    match = PROJECT_RELEASE_RE.match(spec.strip())
    if match is None:
        return None
    name, version = match.group(1).lower(), match.group(2).strip()
    profile = PROFILES.get(name)
    if profile is None:
        raise OsflowError(f"{shorten(spec)}: osflow knows no project {match.group(1)!r}; "
                          f"known: {', '.join(known_projects())} (e.g. -s cinder==29.0.0)")
    if not VERSION_RE.match(version):
        raise OsflowError(f"{shorten(spec)}: {version!r} is not a release number; give one "
                          f"like {_example(profile)}")
    return profile, normal_release(version)


def _example(profile: Profile) -> str:
    return f"{profile.name}=={profile.example_release}"


def _other_example() -> str:
    """A release of the first project other than Nova, as `-s` takes it (cinder==29.0.0)."""
    return _example(next(PROFILES[name] for name in known_projects() if name != NOVA.name))


def normal_release(spec: str) -> str:
    """A release number as Nova tags it: `34.0` and `34.00.0` are 34.0.0 (PEP 440 pads and
    strips zeros), so one release is one cache entry and one title."""
    numbers, suffix = re.fullmatch(r"(\d+(?:\.\d+)*)(.*)", spec).groups()
    parts = [str(int(n)) for n in numbers.split(".")]
    if not suffix:
        parts += ["0"] * (3 - len(parts))
    return ".".join(parts) + suffix


def _exists(path: Path, spec: str) -> bool:
    """Whether `path` (from `-s spec`) exists. A value the system cannot even look up (a
    name over its length limit, a folder without permission to look in) is refused here,
    naming the value, rather than as a failed write of some file."""
    try:
        return path.exists()
    except OSError as exc:
        why = f"too long to be a path on this system ({exc.strerror})" \
            if exc.errno == errno.ENAMETOOLONG else f"cannot be looked up ({exc.strerror})"
        raise OsflowError(f"-s {shorten(spec)}: {why}; give a release like {PINNED_RELEASE}, "
                          "a folder that holds nova/, or REPO@REF") from None


def release_order(specs: list[str]) -> list[str]:
    """`specs` oldest first when every one is a release of one project (`34.0.0 32.2.1` ->
    `32.2.1 34.0.0`; `cinder==29.0.0 cinder==28.0.0` likewise); otherwise as given
    (folders and git refs carry no order)."""
    releases = [_release_of(spec) for spec in specs]
    if all(releases) and len({project for project, _ in releases}) == 1:
        order = sorted(range(len(specs)), key=lambda i: _version_key(releases[i][1]))
        return [specs[i] for i in order]
    return list(specs)


def _release_of(spec: str) -> tuple[str, str] | None:
    """(project, version) of a release SPEC, else None."""
    if VERSION_RE.match(spec):
        return NOVA.name, spec
    match = PROJECT_RELEASE_RE.match(spec.strip())
    if match and VERSION_RE.match(match.group(2).strip()):
        return match.group(1).lower(), match.group(2).strip()
    return None


# --------------------------------------------------------------------------------------
# Directories


def _open_directory(spec: str, path: Path) -> SourceTree:
    if not path.is_dir():
        raise OsflowError(f"{spec}: not a directory; give the folder that holds nova/")
    path = path.resolve()
    held = _packages_in(path)
    if len(held) > 1:
        raise OsflowError(f"{spec}: holds {' and '.join(p + '/' for p in held)}; give the "
                          f"package folder to read, as {Path(spec) / held[0]}")
    if held:
        root, project = path, held[0]
    elif path.name in PROFILES and (path / "__init__.py").is_file():
        # The user pointed at the package itself; the tree root is the folder above it.
        root, project = path.parent, path.name
    elif (path / "HEAD").is_file() or (path / ".git").exists():
        raise OsflowError(f"{spec}: a git repository; say which tag, branch or commit to read, "
                          f"as REPO@REF: {spec}@12.0.0")
    else:
        others = [name for name in known_projects() if name != NOVA.name]
        raise OsflowError(f"{spec}: no nova/ package here; give the folder that holds nova/"
                          f" (or {', '.join(p + '/' for p in others)})")
    return SourceTree(
        spec=spec, kind="directory", root=root, label=str(root),
        tag=_version_in_folder(root, project), project=project,
    )


def _packages_in(folder: Path) -> list[str]:
    """The packages of known projects that `folder` holds (`nova/__init__.py`, ...)."""
    return [name for name in known_projects() if (folder / name / "__init__.py").is_file()]


def _version_in_folder(root: Path, project: str = NOVA.name) -> str | None:
    """The release an unpacked tree came from, when it says so (our manifest, PKG-INFO)."""
    manifest = read_manifest(root)
    if manifest and manifest.get("kind") == "release":
        return manifest.get("version")
    candidates = [root / "PKG-INFO", root / f"{project}.egg-info" / "PKG-INFO"]
    candidates += sorted(root.glob(f"{project}-*.dist-info/METADATA"))
    for meta in candidates:
        try:  # a named pipe there would never finish reading
            head = read_regular_file(meta, MAX_METADATA_BYTES)[:4096].decode("utf-8", "replace")
        except OSError:  # FileRefused too
            continue
        name = re.search(r"^Name:\s*(\S+)", head, re.M)
        version = re.search(r"^Version:\s*(\S+)", head, re.M)
        # Only plain releases are tags on opendev; a pbr dev version (34.1.0.dev12) is not.
        if name and version and name.group(1).lower() == project:
            if VERSION_RE.match(version.group(1)):
                return version.group(1)
    return None


# --------------------------------------------------------------------------------------
# Cache entries: manifest, integrity, atomic build under a lock


def read_manifest(root: Path) -> dict | None:
    """The manifest of a cache entry, or None when absent or unreadable."""
    try:  # a folder given as a source may hold anything under this name
        data = json.loads(read_regular_file(Path(root) / MANIFEST_NAME, MAX_MANIFEST_BYTES))
    except (OSError, ValueError):  # FileRefused too
        return None
    if not isinstance(data, dict) or data.get("format") != MANIFEST_FORMAT:
        return None
    if not isinstance(data.get("files"), dict):
        return None
    return data


def verify_tree(root: Path, *, deep: bool = False) -> bool:
    """Does the entry still hold exactly the files its manifest lists, with their sha256?

    Each file is hashed again only when its size, mtime or ctime differs from what the
    manifest recorded (`deep`: every file)."""
    return _check_entry(Path(root), deep=deep)[0] is not None


def _check_entry(root: Path, *, deep: bool = False) -> tuple[dict | None, dict | None]:
    """(the entry's manifest if every file matches it, else None; the manifest's entries
    of the files whose times moved and bytes did not, with their new times, else None).

    This runs on every use, so it stats: every file's size is compared, and a file whose
    mtime and ctime are the ones recorded when it was hashed is not read. Any write to a
    file moves its ctime, and nothing short of the system clock sets it back (`touch -r`
    restores the mtime, not the ctime), so a file edited in place is hashed again and its
    sha256 compared. Entries made before times were recorded are hashed whole once."""
    manifest = read_manifest(root)
    if manifest is None:
        return None, None
    expected: dict = manifest["files"]
    found: dict[str, os.stat_result] = {}
    # Plain scandir and string paths: this runs on every warm start, so keep it to stats.
    stack = [("", os.fspath(root))]
    while stack:
        prefix, folder = stack.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError:
            return None, None
        for entry in entries:
            rel = prefix + entry.name
            if entry.is_symlink():
                return None, None  # we never create links; one here was planted
            if entry.is_dir():
                stack.append((rel + "/", entry.path))
            elif entry.is_file() and rel != MANIFEST_NAME:
                found[rel] = entry.stat()
            elif rel != MANIFEST_NAME:
                return None, None  # a fifo or device
    if len(found) != len(expected):
        return None, None
    moved: dict[str, list] = {}
    for rel, st in found.items():
        want = expected.get(rel)
        if not want or want[0] != st.st_size:
            return None, None
        # [size, sha256, mtime_ns, ctime_ns]; entries made before times were recorded, or
        # by an older osflow sharing the cache, have the first two
        now = [st.st_mtime_ns, st.st_ctime_ns]
        if deep or want[2:] != now:
            if _sha256_file(Path(root, rel)) != want[1]:
                return None, None
            if want[2:] != now:
                moved[rel] = [*want[:2], *now]
    return manifest, (moved or None)


def _record_times(final: Path, manifest: dict, moved: dict) -> None:
    """Rewrite the manifest with the new times of the files in `moved` (their bytes were
    checked), so that the next use reads none of them. The temporary file lies beside the
    entry, not in it, where a killed run's leftover would make the entry look damaged."""
    files = {**manifest["files"], **moved}
    data = json.dumps({**manifest, "files": files}, sort_keys=True).encode()
    fd, tmp = tempfile.mkstemp(prefix=f".tmp-{final.name}-manifest-", dir=final.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, final / MANIFEST_NAME)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _materialise(final: Path, build: Callable[[Path], dict]) -> dict:
    """Make `final` a complete, verified entry; `build(tmp)` fills tmp and returns metadata.

    Returns the manifest. The fast path (entry present and intact) takes no lock and
    touches no network.
    """
    manifest, moved = _check_entry(final)
    if manifest is not None and moved is None:
        return manifest
    parent = final.parent
    parent.mkdir(parents=True, exist_ok=True)
    with locked(parent / f".{final.name}.lock"):
        if manifest is None or read_manifest(final) != manifest:
            # Another run may have finished (or rebuilt) it while we waited for the lock.
            manifest, moved = _check_entry(final)
        if manifest is not None:
            if moved is not None:
                try:
                    _record_times(final, manifest, moved)
                except OSError:
                    pass  # a read-only cache: the files are hashed again next time
            return manifest
        _clear_leftovers(final)
        tmp = Path(tempfile.mkdtemp(prefix=f".tmp-{final.name}-", dir=parent))
        try:
            meta = build(tmp)
            meta["format"] = MANIFEST_FORMAT
            meta["files"] = _inventory(tmp)
            os.chmod(tmp, 0o755)  # mkdtemp makes it 0700; a tree is meant to be read
            (tmp / MANIFEST_NAME).write_text(json.dumps(meta, sort_keys=True), "utf-8")
            os.replace(tmp, final)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        return meta


def _clear_leftovers(final: Path) -> None:
    """Remove what killed runs left: temp folders, and a corrupt final entry.

    Only called with the entry's lock held, so every `.tmp-NAME-*` belongs to a dead run.
    A corrupt entry is first renamed away so that a crash mid-delete can't leave a
    half-deleted tree under the final name.
    """
    parent = final.parent
    if final.exists() or final.is_symlink():
        log.warning("cache entry %s is incomplete or damaged; rebuilding it", final)
        if final.is_dir() and not final.is_symlink():
            doomed = Path(tempfile.mkdtemp(prefix=f".tmp-{final.name}-stale-", dir=parent))
            os.replace(final, doomed / "old")
        else:
            final.unlink()
    for leftover in parent.glob(f".tmp-{final.name}-*"):
        if leftover.is_dir() and not leftover.is_symlink():
            shutil.rmtree(leftover, ignore_errors=True)
        else:
            leftover.unlink(missing_ok=True)  # a manifest being rewritten (_record_times)


def _inventory(root: Path) -> dict[str, list]:
    """{relative path: [size, sha256, mtime_ns, ctime_ns]} of every file in a freshly
    built entry, its times as they were when it was hashed."""
    files: dict[str, list] = {}
    for dirpath, _dirnames, filenames in os.walk(root):
        for name in filenames:
            full = Path(dirpath, name)
            rel = full.relative_to(root).as_posix()
            st = full.stat()
            files[rel] = [st.st_size, _sha256_file(full), st.st_mtime_ns, st.st_ctime_ns]
    return files


# --------------------------------------------------------------------------------------
# Safe extraction (shared by wheels and git trees)


def _safe_relpath(name: str, archive: str) -> PurePosixPath:
    """Validate an archive member name; raise UnsafeArchiveError if it could escape."""
    reason = None
    if not name or "\x00" in name:
        reason = "empty or NUL in name"
    elif "\\" in name:
        reason = "backslash in name"
    elif name.startswith("/") or re.match(r"^[A-Za-z]:", name):
        reason = "absolute path"
    else:
        parts = name.rstrip("/").split("/")
        if any(p in ("", ".", "..") for p in parts):
            reason = "'..', '.' or empty path component"
        elif len(parts) - 1 > MAX_FOLDER_DEPTH:
            # Nova nests 7 deep; a folder 1,100 deep took Python's recursion with it
            shown = "/".join(parts[:3] + ["..."] + parts[-1:])
            raise UnsafeArchiveError(
                f"{archive}: member {shown!r} is nested {len(parts) - 1} folders deep, over "
                f"the cap of {MAX_FOLDER_DEPTH}; refusing to unpack this archive")
    if reason:
        raise UnsafeArchiveError(
            f"{archive}: member {name!r} is unsafe ({reason}); refusing to unpack this archive"
        )
    return PurePosixPath(name.rstrip("/"))


def _target(dest: Path, rel: PurePosixPath, archive: str) -> Path:
    """dest/rel, after checking (belt and braces) that it resolves inside dest."""
    target = dest.joinpath(*rel.parts)
    base = dest.resolve()
    if not target.resolve().is_relative_to(base):
        raise UnsafeArchiveError(
            f"{archive}: member {rel.as_posix()!r} resolves outside the extraction folder; "
            "refusing to unpack this archive"
        )
    return target


def _write_member(dest: Path, rel: PurePosixPath, data: bytes, archive: str) -> None:
    target = _target(dest, rel, archive)
    target.parent.mkdir(parents=True, exist_ok=True)
    # "xb": never follow or overwrite anything already there (duplicates, planted links).
    with open(target, "xb") as fh:
        fh.write(data)


def _under(rel: PurePosixPath, package: str) -> bool:
    """Whether `rel` lies inside the folder `package` (nova/...)."""
    return len(rel.parts) >= 2 and rel.parts[0] == package


# --------------------------------------------------------------------------------------
# Wheels


def unpack_wheel(wheel: Path, dest: Path, *, max_bytes: int = MAX_TREE_BYTES,
                 package: str = NOVA.name) -> int:
    """Extract the `package/` members (`nova/`) of `wheel` into the (empty) folder `dest`;
    return the count.

    Every member of the archive is validated first, extracted or not: an absolute path,
    a `..` component, a symlink or other special file anywhere means a crafted archive and
    the whole wheel is refused. Only `nova/...` files are written (not `*.data/`, not
    `*.dist-info/`), each checked against the wheel's RECORD when it has one. The declared
    and the actual sizes are both capped by `max_bytes`.
    """
    name = Path(wheel).name
    try:
        zf = zipfile.ZipFile(wheel)
    except (zipfile.BadZipFile, OSError) as exc:
        raise OsflowError(f"{wheel}: not a readable wheel ({exc}); delete it and retry") from exc
    with zf:
        members = _checked_members(zf, name, max_bytes)
        record = _read_record(zf, name)
        written = 0
        total = 0
        for info, rel in members:
            if info.is_dir() or not _under(rel, package):
                continue
            data = _read_capped(zf, info, max_bytes - total, name)
            total += len(data)
            _check_record(record, rel, data, name)
            _write_member(dest, rel, data, name)
            written += 1
    if written == 0 or not (dest / package / "__init__.py").is_file():
        raise OsflowError(f"{name}: the wheel holds no {package}/ package; is it really "
                          f"{package}?")
    return written


def _checked_members(
    zf: zipfile.ZipFile, archive: str, max_bytes: int
) -> list[tuple[zipfile.ZipInfo, PurePosixPath]]:
    infos = zf.infolist()
    if len(infos) > MAX_MEMBERS:
        raise UnsafeArchiveError(f"{archive}: {len(infos)} members is more than a Nova wheel has")
    seen: set[str] = set()
    out = []
    declared = 0
    for info in infos:
        rel = _safe_relpath(info.filename, archive)
        mode = (info.external_attr >> 16) & 0o170000
        # 0 means "no Unix mode recorded": a plain file or folder.
        if mode not in (0, stat.S_IFREG, stat.S_IFDIR):
            kind = "symlink" if mode == stat.S_IFLNK else "special file"
            raise UnsafeArchiveError(
                f"{archive}: member {info.filename!r} is a {kind}; refusing to unpack this archive"
            )
        key = rel.as_posix()
        if key in seen and not info.is_dir():
            raise UnsafeArchiveError(f"{archive}: member {key!r} appears twice; refusing it")
        seen.add(key)
        declared += info.file_size
        out.append((info, rel))
    if declared > max_bytes:
        raise UnsafeArchiveError(
            f"{archive}: unpacks to {declared} bytes, over the {max_bytes}-byte cap; refusing it"
        )
    return out


def _read_capped(zf: zipfile.ZipFile, info: zipfile.ZipInfo, budget: int, archive: str) -> bytes:
    """Read one member, never more than `budget` bytes whatever its header claims."""
    with _reading_zip(archive, info), zf.open(info) as fh:
        data = fh.read(budget + 1)
    if len(data) > budget:
        raise UnsafeArchiveError(f"{archive}: unpacks to more than the size cap; refusing it")
    return data


@contextlib.contextmanager
def _reading_zip(archive: str, info: zipfile.ZipInfo) -> Iterator[None]:
    """A member zipfile cannot read, as one OsflowError naming it: its bytes do not match
    its CRC-32 or do not decompress (BadZipFile, zlib, lzma and bz2 errors), its
    compression method is one zipfile does not know (NotImplementedError), or it is
    encrypted (RuntimeError)."""
    import lzma
    import zlib

    try:
        yield
    except (zipfile.BadZipFile, NotImplementedError, RuntimeError, EOFError, OSError,
            zlib.error, lzma.LZMAError) as exc:
        if info.flag_bits & 0x1:
            reason = "it is encrypted, which a wheel never is"
        elif isinstance(exc, NotImplementedError):
            reason = f"compression method {info.compress_type}, which zipfile cannot read"
        else:
            reason = _one_line(str(exc)) or type(exc).__name__
        raise OsflowError(f"{archive}: member {info.filename!r} cannot be read ({reason}); "
                          "a damaged or crafted wheel: refusing it") from exc


def _read_record(zf: zipfile.ZipFile, archive: str) -> dict[str, str] | None:
    """{path: 'sha256=...'} from *.dist-info/RECORD, or None if the wheel has none."""
    records = [info for info in zf.infolist()
               if re.fullmatch(r"[^/]+\.dist-info/RECORD", info.filename)]
    if len(records) != 1:
        return None
    text = _read_capped(zf, records[0], MAX_TREE_BYTES, archive).decode("utf-8",
                                                                         errors="replace")
    return {row[0]: row[1] for row in csv.reader(io.StringIO(text)) if len(row) >= 2 and row[1]}


def _check_record(
    record: dict[str, str] | None, rel: PurePosixPath, data: bytes, archive: str
) -> None:
    if record is None:
        return
    want = record.get(rel.as_posix())
    if want is None:
        raise OsflowError(
            f"{archive}: {rel.as_posix()} is not in the wheel's RECORD; corrupt wheel"
        )
    algo, _, value = want.partition("=")
    if algo not in hashlib.algorithms_guaranteed:
        return
    got = base64.urlsafe_b64encode(hashlib.new(algo, data).digest()).rstrip(b"=").decode()
    if got != value:
        raise OsflowError(
            f"{archive}: {rel.as_posix()} does not match the wheel's RECORD; corrupt wheel"
        )


# --------------------------------------------------------------------------------------
# Source archives (a .tar.xz of a tree, such as the Liberty fixture tests read)


def unpacked_archive(archive: Path, cache: Path | None = None) -> Path:
    """The folder a tar archive of a tree unpacks to, unpacked once into
    `<cache>/archives/<the archive's sha256>/` and checked like any cache entry; open it
    as a directory source (its PKG-INFO, if any, names the release)."""
    archive = Path(archive)
    try:
        digest = _sha256_file(archive)
    except OSError as exc:
        raise OsflowError(f"{archive}: cannot read it ({exc.strerror})") from exc
    final = (Path(cache) if cache is not None else cache_dir()) / "archives" / digest
    _materialise(final, lambda tmp: _build_archive(archive, digest, tmp))
    return final


def _build_archive(archive: Path, digest: str, tmp: Path) -> dict:
    unpack_tarball(archive, tmp)
    return {"kind": "archive", "archive": archive.name, "archive_sha256": digest}


@contextlib.contextmanager
def _reading_tar(archive: Path) -> Iterator[None]:
    """A damaged or truncated archive, whatever its compression, as one OsflowError."""
    import lzma
    import zlib

    try:
        yield
    except (tarfile.TarError, EOFError, OSError, lzma.LZMAError, zlib.error) as exc:
        raise OsflowError(f"{archive}: not a readable tar archive ({_one_line(str(exc))})") \
            from exc


def unpack_tarball(archive: Path, dest: Path, *, max_bytes: int | None = None) -> int:
    """Extract every file of the tar archive into the (empty) folder `dest`; return the
    count. As for wheels, every member is validated first: an absolute path, a `..`
    component, a link, a device or a duplicate refuses the whole archive, and the declared
    and actual sizes are capped. tarfile's own `data` filter checks each member again."""
    name = archive.name
    max_bytes = MAX_TREE_BYTES if max_bytes is None else max_bytes
    with _reading_tar(archive):
        tf = tarfile.open(archive)
    with tf:
        with _reading_tar(archive):
            members = tf.getmembers()
        if len(members) > MAX_MEMBERS:
            raise UnsafeArchiveError(f"{name}: {len(members)} members is more than a tree has")
        checked, seen, declared = [], set(), 0
        for member in members:
            rel = _safe_relpath(member.name, name)
            if not (member.isreg() or member.isdir()):
                kind = ("symlink" if member.issym() else "hard link" if member.islnk()
                        else "special file")
                raise UnsafeArchiveError(f"{name}: member {member.name!r} is a {kind}; "
                                         "refusing to unpack this archive")
            data_filter = getattr(tarfile, "data_filter", None)  # Python 3.10.12, 3.11.4
            if data_filter is not None:
                try:
                    data_filter(member, os.fspath(dest))
                except tarfile.FilterError as exc:
                    raise UnsafeArchiveError(f"{name}: member {member.name!r} is unsafe "
                                             f"({exc}); refusing to unpack this archive") from exc
            if rel.as_posix() in seen and not member.isdir():
                raise UnsafeArchiveError(f"{name}: member {rel.as_posix()!r} appears twice; "
                                         "refusing it")
            seen.add(rel.as_posix())
            declared += member.size
            checked.append((member, rel))
        if declared > max_bytes:
            raise UnsafeArchiveError(f"{name}: unpacks to {declared} bytes, over the "
                                     f"{max_bytes}-byte cap; refusing it")
        written = total = 0
        for member, rel in checked:  # in the archive's order: a compressed one is read once
            if member.isdir():
                continue
            with _reading_tar(archive), tf.extractfile(member) as fh:
                data = fh.read(max_bytes - total + 1)
            total += len(data)
            if total > max_bytes:
                raise UnsafeArchiveError(f"{name}: unpacks to more than the size cap; "
                                         "refusing it")
            _write_member(dest, rel, data, name)
            written += 1
    if not _packages_in(dest):
        raise OsflowError(f"{name}: the archive holds no nova/ package; is it a nova tree?")
    return written


# --------------------------------------------------------------------------------------
# Releases from the package index


@dataclass(frozen=True)
class Downloaded:
    wheel: Path  # the downloaded .whl
    index_page: str | None  # the index page pip found it on (None for a find-links folder)


def _open_release(version: str, cache: Path, profile: Profile = NOVA,
                  spec: str | None = None) -> SourceTree:
    """A release of `profile`'s project, from the cache or the package index. Nova's is
    named by its version alone (`34.0.0`, also `nova==34.0.0`); another project's label
    says which it is (`cinder==29.0.0`)."""
    name = profile.name
    final = cache / "releases" / f"{name}-{version}"
    try:
        _materialise(final, lambda tmp: _build_release(version, tmp, profile))
    except IndexUnreachableError as exc:
        cached = cached_releases(cache, name)
        have = f"cached here: {', '.join(cached)}" if cached else "no release is cached yet"
        message = f"{exc}; {have}; a folder or REPO@REF also works offline"
        raise IndexUnreachableError(message) from exc
    label = version if profile is NOVA else f"{name}=={version}"
    return SourceTree(spec=version if profile is NOVA else (spec or label), kind="release",
                      root=final, label=label, tag=version, project=name)


def _build_release(version: str, tmp: Path, profile: Profile = NOVA) -> dict:
    download_dir = tmp / ".download"
    download_dir.mkdir()
    got = download_wheel(version, download_dir, project=profile.name)
    wheel_sha = _sha256_file(got.wheel)
    check = _check_wheel_hash(got, wheel_sha)
    unpack_wheel(got.wheel, tmp, package=profile.name)
    shutil.rmtree(download_dir)
    return {
        "kind": "release",
        "project": profile.name,
        "version": version,
        "wheel": got.wheel.name,
        "wheel_sha256": wheel_sha,
        "index_page": got.index_page,
        "hash_check": check,
    }


def _check_wheel_hash(got: Downloaded, wheel_sha: str) -> str:
    """Compare with the index's published sha256; return how the wheel was checked."""
    name = got.wheel.name
    if got.index_page is None:
        reason = "unverified: not found through an index page (find-links?)"
    else:
        try:
            published = published_sha256(got.index_page, name)
        except (OSError, ValueError) as exc:
            published = None
            reason = f"unverified: index page unreadable ({_one_line(str(exc))})"
        else:
            reason = "unverified: the index publishes no sha256 for it"
        if published is not None:
            if published.lower() != wheel_sha:
                raise OsflowError(
                    f"{name}: sha256 {wheel_sha} differs from the index's {published}; "
                    "refusing it (a tampered mirror or a broken download; retry later)"
                )
            return "index-sha256"
    log.warning("%s: %s; recorded its sha256 %s in the cache manifest", name, reason, wheel_sha)
    return reason


def download_wheel(version: str, dest: Path, project: str = NOVA.name) -> Downloaded:
    """`pip download` the PROJECT==VERSION wheel (nova==34.0.0) into dest (never a source
    archive, never deps).

    Runs pip as a subprocess with the user's pip configuration (index, mirrors, proxy,
    certificates) and turns its failures into one-line OsflowErrors. `python -m` would put
    the current folder first on sys.path, so that a pip.py (or runpy.py, zipfile.py, ...)
    there would run in pip's place: pip runs isolated (`-I`: neither the current folder nor
    PYTHONPATH nor user site-packages on its path) and in `dest`, a folder osflow made.
    """
    dest = Path(dest).absolute()  # pip runs in it: a relative path would be read from there
    log_file = dest / "pip.log"
    cmd = [
        sys.executable, "-I", "-m", "pip", "download",
        "--no-deps", "--only-binary=:all:", "--no-input", "--disable-pip-version-check",
        "--progress-bar", "off", "--log", str(log_file),
        "-d", str(dest), f"{project}=={version}",
    ]  # fmt: skip
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=PIP_TIMEOUT_S,
                              stdin=subprocess.DEVNULL, cwd=dest)
    except subprocess.TimeoutExpired as exc:
        raise OsflowError(
            f"pip download {project}=={version} took over {PIP_TIMEOUT_S}s; check the network"
        ) from exc
    # The --log file has pip's debug lines: the index page behind each link, and the
    # connection errors that pip only shows on stderr when it retries.
    log_text = log_file.read_text(encoding="utf-8", errors="replace") if log_file.exists() else ""
    log_file.unlink(missing_ok=True)
    if proc.returncode != 0:
        raise _explain_pip_failure(version, proc.stderr, log_text, project)
    wheels = sorted(dest.glob(f"{project}-*.whl"))
    if len(wheels) != 1:
        found = ", ".join(w.name for w in wheels) or "nothing"
        raise OsflowError(f"pip download {project}=={version} gave no single {project} wheel "
                          f"(got {found})")
    return Downloaded(wheels[0], _index_page_from_log(log_text, wheels[0].name))


_CONNECTION_HINTS = (
    "Retrying (",
    "NewConnectionError",
    "connection error",
    "Max retries exceeded",
    "Temporary failure in name resolution",
    "ProxyError",
    "SSLError",
)


def _explain_pip_failure(version: str, stderr: str, log_text: str = "",
                         project: str = NOVA.name) -> OsflowError:
    """One line saying what went wrong with pip download, and what to do."""
    found = re.search(r"\(from versions: ([^)]*)\)", stderr)
    if found and found.group(1).strip() != "none":
        versions = [v.strip() for v in found.group(1).split(",") if v.strip()]
        summary = _summarise_versions(version, versions, PROFILES.get(project, NOVA))
        return OsflowError(f"{project}=={version} is not on the package index; {summary}")
    network = [ln for ln in (stderr + "\n" + log_text).splitlines()
               if any(hint in ln for hint in _CONNECTION_HINTS)]  # fmt: skip
    if network:
        return IndexUnreachableError(
            f"cannot reach the package index to download {project}=={version} "
            f"({_pip_reason(chr(10).join(network))}); check the network or pip's index "
            "settings (pip config list)"
        )
    if found:
        return OsflowError(
            f"{project}=={version}: the package index has no {project} wheels at all; check pip's "
            "index settings (pip config list)"
        )
    if "DO NOT MATCH THE HASHES" in stderr:
        # pip's own words speak of a requirements file the user never wrote
        return OsflowError(
            f"{project}=={version}: the downloaded wheel does not match the sha256 the package "
            "index publishes; refusing it (a tampered mirror or a broken download; retry later)"
        )
    return OsflowError(f"pip download {project}=={version} failed: {_pip_reason(stderr)}")


def _pip_reason(stderr: str) -> str:
    """The telling part of pip's stderr: the socket error behind retries, else its last ERROR."""
    errno = re.search(r"(\[Errno -?\d+\][^'\")]*)", stderr)
    if errno:
        return _one_line(errno.group(1))
    lines = [ln.strip() for ln in stderr.splitlines() if ln.strip()]
    errors = [ln for ln in lines if ln.startswith("ERROR:")]
    if errors:
        return _one_line(errors[-1].removeprefix("ERROR:"))
    return _one_line(lines[-1]) if lines else "no output"


def _one_line(text: str, limit: int = 160) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _version_key(v: str) -> tuple[int, ...]:
    return tuple(int(x) for x in re.findall(r"\d+", v.split("rc")[0].split("a")[0].split("b")[0]))


def _summarise_versions(wanted: str, versions: list[str], profile: Profile = NOVA) -> str:
    """'available: 15.1.5 to 34.0.0 (150 versions; in 33.x: ...), newest 34.0.0' + hints."""
    finals = [v for v in versions if FINAL_VERSION_RE.match(v)] or versions
    finals.sort(key=_version_key)
    newest = finals[-1]
    count = f"{len(versions)} version" + ("s" if len(versions) != 1 else "")
    text = f"available: {finals[0]} to {newest} ({count}"
    series = wanted.split(".")[0]
    same = [v for v in finals if v.split(".")[0] == series]
    if same:
        text += f"; in {series}.x: {', '.join(same[-8:])}"
    text += f"), newest {newest}"
    if _version_key(wanted) < _version_key(finals[0]):
        text += (
            f"; releases before {finals[0]} (e.g. Liberty {profile.liberty}) are not on the "
            f"index: use a git clone of openstack/{profile.name}, "
            f"-s /path/to/{profile.name}@{profile.liberty}"
        )
    return text


def _index_page_from_log(log_text: str, wheel_name: str) -> str | None:
    """The index page pip listed the chosen wheel on: 'Found link URL (from PAGE)'."""
    for match in re.finditer(r"Found link (\S+) \(from (\S+?)\)", log_text):
        url, page = match.groups()
        leaf = urllib.parse.unquote(urllib.parse.urlsplit(url).path.rsplit("/", 1)[-1])
        if leaf == wheel_name:
            return page
    return None


class _LinkParser(HTMLParser):
    """Collect (filename, sha256) from the <a href="...#sha256=..."> of a PEP 503 page."""

    def __init__(self) -> None:
        super().__init__()
        self.hashes: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag != "a":
            return
        href = dict(attrs).get("href") or ""
        parts = urllib.parse.urlsplit(href)
        leaf = urllib.parse.unquote(parts.path.rsplit("/", 1)[-1])
        frag = urllib.parse.parse_qs(parts.fragment)
        if leaf and "sha256" in frag:
            self.hashes[leaf] = frag["sha256"][0]


def published_sha256(page_url: str, filename: str) -> str | None:
    """The sha256 an index page (PEP 691 JSON or PEP 503 HTML) publishes for filename."""
    body, content_type = _fetch_index_page(page_url)
    if "json" in content_type:
        data = json.loads(body)
        for entry in data.get("files", []):
            if entry.get("filename") == filename:
                return (entry.get("hashes") or {}).get("sha256")
        return None
    parser = _LinkParser()
    parser.feed(body.decode("utf-8", errors="replace"))
    return parser.hashes.get(filename)


def _fetch_index_page(page_url: str) -> tuple[bytes, str]:
    import urllib.request  # only when downloading: its import (http.client) costs 45 ms

    parts = urllib.parse.urlsplit(page_url)
    if parts.scheme == "file":
        # pip reads a file:// index folder's index.html; so do we.
        path = Path(urllib.request.url2pathname(parts.path))
        if path.is_dir():
            path = path / "index.html"
        body = path.read_bytes()
        return body, "application/json" if body.lstrip().startswith(b"{") else "text/html"
    if parts.scheme not in ("http", "https"):
        raise ValueError(f"unsupported index URL scheme {parts.scheme!r}")
    request = urllib.request.Request(
        page_url,
        headers={"Accept": "application/vnd.pypi.simple.v1+json, text/html;q=0.1"},
    )
    with urllib.request.urlopen(request, timeout=INDEX_PAGE_TIMEOUT_S) as resp:
        return resp.read(), resp.headers.get("Content-Type", "")


def cached_releases(cache: Path | None = None, project: str = NOVA.name) -> list[str]:
    """Release versions of `project` already complete in the cache (usable offline)."""
    base = (Path(cache) if cache is not None else cache_dir()) / "releases"
    if not base.is_dir():
        return []
    prefix = f"{project}-"
    found = [
        p.name[len(prefix):]
        for p in base.iterdir()
        if p.name.startswith(prefix) and (p / MANIFEST_NAME).is_file()
    ]
    return sorted(found, key=_version_key)


# --------------------------------------------------------------------------------------
# Git repositories


def _split_git_spec(spec: str) -> tuple[str, str] | None:
    """REPO@REF, split at the last '@' whose left side exists (refs may hold '@', as in @{1})."""
    positions = [i for i, ch in enumerate(spec) if ch == "@"]
    if not positions:
        return None
    for i in reversed(positions):
        if _exists(Path(spec[:i]).expanduser(), spec):
            return spec[:i], spec[i + 1 :]
    i = positions[-1]
    return spec[:i], spec[i + 1 :]


def _open_git(spec: str, repo_text: str, ref: str, cache: Path) -> SourceTree:
    repo = Path(repo_text).expanduser()
    if not repo_text or not _exists(repo, spec):
        raise OsflowError(
            f"{repo_text or spec}: no such git repository (from -s {spec}); "
            "give REPO@REF with REPO the path of a git clone"
        )
    if not ref or ref.startswith("-"):
        raise OsflowError(
            f"{spec}: give a tag, branch or commit after '@', as in {repo_text}@12.0.0"
        )
    git_dir = _git_dir(repo)
    sha = _resolve_ref(git_dir, repo_text, ref)
    tag_name = ref.removeprefix("refs/").removeprefix("tags/")
    is_tag = _git(git_dir, "rev-parse", "--verify", "--quiet", f"refs/tags/{tag_name}", check=False)
    tag = tag_name if is_tag.returncode == 0 else None
    final = cache / "git" / sha
    manifest = _materialise(final, lambda tmp: _build_git(git_dir, sha, repo_text, ref, tmp))
    name = repo.resolve().name
    name = name[:-4] if name.endswith(".git") and len(name) > 4 else name
    # entries made before projects were told apart are nova's
    project = manifest.get("project") if manifest.get("project") in PROFILES else NOVA.name
    return SourceTree(
        spec=spec, kind="git", root=final, label=f"{name}@{ref} ({sha[:7]})", tag=tag,
        project=project,
    )


def _git_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(
        GIT_CONFIG_NOSYSTEM="1",  # no machine-wide config (aliases, filters, hooks paths)
        GIT_TERMINAL_PROMPT="0",  # never wait on a credential prompt
        GIT_OPTIONAL_LOCKS="0",  # read-only: don't even refresh the repo's index
        GIT_NO_LAZY_FETCH="1",  # a partial clone must not reach the network for blobs
        LC_ALL="C",  # stable, parseable messages
    )
    return env


def _git(
    git_dir: Path, *args: str, check: bool = True, input: bytes | None = None,
    timeout: float | None = None, env: dict[str, str] | None = None,
) -> subprocess.CompletedProcess[bytes]:
    """Run a read-only git plumbing command with hooks and fsmonitor disabled, stopped
    after `timeout` seconds (GIT_TIMEOUT_S unless given); `env` adds to its environment.

    We only use rev-parse, config, ls-tree and cat-file (never archive or checkout): these
    apply no gitattributes filters, so no command configured by the repository can run.
    """
    limit = GIT_TIMEOUT_S if timeout is None else timeout
    cmd = [
        "git", "--no-pager", f"--git-dir={git_dir}",
        "-c", "core.hooksPath=/dev/null", "-c", "core.fsmonitor=false",
        *args,
    ]  # fmt: skip
    try:
        proc = subprocess.run(
            cmd, input=input, capture_output=True, env={**_git_env(), **(env or {})},
            timeout=limit,
            stdin=None if input is not None else subprocess.DEVNULL,
        )  # fmt: skip
    except FileNotFoundError as exc:
        raise OsflowError("git is not installed; install it to read REPO@REF sources") from exc
    except subprocess.TimeoutExpired:
        raise OsflowError(
            f"{git_dir}: git {args[0]} did not answer within {limit:g} s; git may be waiting on "
            "a file of its configuration that is no regular file (a named pipe), or on a "
            "stalled disk or network share") from None
    if check and proc.returncode != 0:
        msg = _one_line(proc.stderr.decode("utf-8", errors="replace")) or "failed"
        raise OsflowError(f"git {args[0]} in {git_dir}: {msg}")
    return proc


def _git_dir(repo: Path) -> Path:
    """The repository's git dir: repo/.git (folder or gitfile) for a clone, repo when bare.

    Passing it explicitly as --git-dir stops git searching parent folders, so a plain
    folder inside some other repository is not mistaken for a nova clone.
    """
    dot_git = repo / ".git"
    git_dir = dot_git if dot_git.exists() else repo
    _check_config_includes(git_dir, repo)
    probe = _git(git_dir, "rev-parse", "--git-dir", check=False)
    if probe.returncode != 0:
        said = _one_line(probe.stderr.decode("utf-8", errors="replace"))
        if said and "not a git repository" not in said:
            # git's own reason (a broken config line, a repository format it cannot read)
            raise OsflowError(f"{repo}: git cannot read this repository: {said}")
        raise OsflowError(f"{repo}: not a git repository; give REPO@REF with REPO a git clone")
    return git_dir.resolve()


_INCLUDE_KEYS = r"^include(if\..*)?\.path$"
_MAX_CONFIG_FILES = 40  # (git stops at ten includes deep)


def _config_files(git_dir: Path) -> list[Path]:
    """The config files git reads for this repository, the user's first (the machine's
    are never read: GIT_CONFIG_NOSYSTEM)."""
    home = Path(os.path.expanduser("~"))
    xdg = Path(os.environ.get("XDG_CONFIG_HOME") or home / ".config")
    repo_dir = git_dir
    if git_dir.is_file():  # a linked worktree's or a submodule's `.git`: `gitdir: PATH`
        line = git_dir.read_text(errors="replace").strip()
        if line.startswith("gitdir:"):
            repo_dir = git_dir.parent / line.removeprefix("gitdir:").strip()
    common = repo_dir
    if (repo_dir / "commondir").is_file():  # a linked worktree: the main one's config
        common = repo_dir / (repo_dir / "commondir").read_text(errors="replace").strip()
    return [xdg / "git" / "config", home / ".gitconfig", common / "config",
            repo_dir / "config.worktree"]


def _check_config_includes(git_dir: Path, repo: Path) -> None:
    """Refuse a git configuration that makes git read a file it would stall or fail on.

    Whatever command git runs, it reads the config files and each file an `include.path`
    or `includeIf.<condition>.path` in one names, to its end (at start-up even `git config
    --no-includes` follows the user's): a named pipe no one writes stalls it for ever, a
    device fails it or never ends. Here each config file is looked at, then read by git
    without its includes and without the user's config (GIT_CONFIG_GLOBAL), and each file
    it includes is looked at before git opens it; their includes too. An include whose
    condition does not hold is checked all the same. What this misses, the deadline of
    every git command stops.
    """
    pending: list[tuple[Path, Path | None, str]] = [(f, None, "") for f in _config_files(git_dir)]
    seen: set[Path] = set()
    while pending:
        path, origin, key = pending.pop(0)
        try:
            mode = os.stat(path).st_mode
        except OSError:
            continue  # git skips a missing file; one it cannot read, it names itself
        if not stat.S_ISREG(mode):
            what = f"includes {path} ({key} in {origin})," if origin else f"file {path} is"
            raise OsflowError(
                f"{repo}: git's configuration {what} {kind_of(mode)}, not a regular file; "
                f"git would stall or fail reading it "
                f"({'remove that include' if origin else 'put a file there or remove it'})")
        if path in seen or len(seen) >= _MAX_CONFIG_FILES:
            continue
        seen.add(path)
        listed = _git(git_dir, "config", "--file", str(path), "--no-includes", "-z",
                      "--get-regexp", _INCLUDE_KEYS, check=False,
                      env={"GIT_CONFIG_GLOBAL": os.devnull})
        for entry in listed.stdout.split(b"\0"):
            name, _, value = os.fsdecode(entry).partition("\n")
            if value and not value.startswith("%(prefix)/"):
                pending.append((path.parent / Path(value).expanduser(), path, name))


def _resolve_ref(git_dir: Path, repo_text: str, ref: str) -> str:
    proc = _git(
        git_dir, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}",
        check=False,
    )  # fmt: skip
    sha = proc.stdout.decode().strip()
    if proc.returncode != 0 or not re.fullmatch(r"[0-9a-f]{40}|[0-9a-f]{64}", sha):
        raise OsflowError(f"{ref}: no such tag, branch or commit in {repo_text}")
    return sha


def _build_git(git_dir: Path, sha: str, repo_text: str, ref: str, tmp: Path) -> dict:
    label = f"{repo_text}@{ref}"
    entries = _git_tree_entries(git_dir, sha, label)
    blobs = [e for e in entries if e[0] in ("100644", "100755")]
    held = [name for name in known_projects()
            if any(e[3].as_posix() == f"{name}/__init__.py" for e in blobs)]
    if len(held) != 1:
        if held:
            raise OsflowError(f"{label}: commit {sha[:7]} holds {' and '.join(held)} "
                              "packages; osflow reads one project per source")
        others = " or ".join(f"{name}/__init__.py" for name in known_projects()
                             if name != NOVA.name)
        raise OsflowError(
            f"{label}: commit {sha[:7]} has no nova/__init__.py (nor {others}); is "
            f"{repo_text} a nova repository?"
        )
    package = held[0]
    entries = [e for e in entries if _under(e[3], package)]
    blobs = [e for e in blobs if _under(e[3], package)]
    skipped = [e[3].as_posix() for e in entries if e[0] not in ("100644", "100755")]
    if skipped:
        # Symlinks and submodules are never materialised: a link could point anywhere.
        log.warning("%s: skipped %d symlink/submodule entries under %s/: %s",
                    label, len(skipped), package, ", ".join(skipped[:5]))  # fmt: skip
    total = sum(e[2] for e in blobs)
    if total > MAX_TREE_BYTES or len(blobs) > MAX_MEMBERS:
        raise UnsafeArchiveError(
            f"{label}: {package}/ is {total} bytes in {len(blobs)} files; over the cap"
        )
    for (_mode, oid, size, rel), data in zip(blobs, _git_blobs(git_dir, blobs, label)):
        _write_member(tmp, rel, data, label)
    return {"kind": "git", "commit": sha, "ref": ref, "skipped": skipped, "project": package}


def _git_tree_entries(
    git_dir: Path, sha: str, label: str
) -> list[tuple[str, str, int, PurePosixPath]]:
    """(mode, oid, size, path) of everything under the packages of known projects (nova/,
    cinder/) at the commit, paths validated."""
    out = _git(git_dir, "ls-tree", "-r", "-z", "-l", "--full-tree", sha, "--",
               *known_projects(), timeout=GIT_DATA_TIMEOUT_S).stdout
    entries = []
    for record in out.split(b"\0"):
        if not record:
            continue
        meta, _, raw_path = record.partition(b"\t")
        mode, kind, oid, size = meta.decode().split()
        rel = _safe_relpath(os.fsdecode(raw_path), label)
        if not any(_under(rel, name) for name in known_projects()):
            continue  # "nova" itself as a file or link: then there is no package to read
        entries.append((mode, oid, int(size) if size.isdigit() else 0, rel))
    return entries


def _git_blobs(
    git_dir: Path, blobs: list[tuple[str, str, int, PurePosixPath]], label: str
) -> Iterator[bytes]:
    """Raw blob contents in order, via one `git cat-file --batch` (no filters applied)."""
    request = "".join(f"{oid}\n" for _m, oid, _s, _r in blobs).encode()
    out = _git(git_dir, "cat-file", "--batch", input=request, timeout=GIT_DATA_TIMEOUT_S).stdout
    pos = 0
    for _mode, oid, size, rel in blobs:
        eol = out.index(b"\n", pos)
        header = out[pos:eol].decode().split()
        if len(header) != 3 or header[0] != oid or header[1] != "blob" or int(header[2]) != size:
            raise OsflowError(f"{label}: git returned unexpected data for {rel.as_posix()}")
        start = eol + 1
        yield out[start : start + size]
        pos = start + size + 1  # each object is followed by a newline
