"""Release numbers as people say them: OpenStack series and ranges of releases.

- A series, by name (`caracal`) or number (`2024.1`), is the last Nova release of that
  series on the package index (29.x for 2024.1 Caracal). Numbered series run two a year
  from 2023.1 (Nova 27); the names are those of the series Liberty (12) to Flamingo (32).
- A range `A..B` of release numbers or series is every final release on the index from A
  to B, oldest first (a series as the start means its first release, as the end its last).

The index is asked once per process (`pip index versions nova`, with the user's pip
settings, run isolated like every pip osflow runs); offline, a series falls back to the
newest release of it in the cache, and says so.
"""

from __future__ import annotations

import functools
import logging
import re
import subprocess
import sys
import tempfile

from tracer.errors import OsflowError

log = logging.getLogger(__name__)

SERIES_NAMES = {
    "liberty": 12, "mitaka": 13, "newton": 14, "ocata": 15, "pike": 16, "queens": 17,
    "rocky": 18, "stein": 19, "train": 20, "ussuri": 21, "victoria": 22, "wallaby": 23,
    "xena": 24, "yoga": 25, "zed": 26, "antelope": 27, "bobcat": 28, "caracal": 29,
    "dalmatian": 30, "epoxy": 31, "flamingo": 32,
}
NUMBERED_SERIES = re.compile(r"^(20[2-9]\d)\.([12])$")
FIRST_NUMBERED = (2023, 27)  # 2023.1 Antelope is Nova 27
FINAL = re.compile(r"^\d+(?:\.\d+)*$")
RANGE = re.compile(r"^([^.][^ ]*?)\.\.([^.][^ ]*)$")
PIP_TIMEOUT_S = 120


def series_major(spec: str) -> int | None:
    """Nova's major release number of a series (`caracal`, `2024.1` -> 29), else None."""
    if spec.lower() in SERIES_NAMES:
        return SERIES_NAMES[spec.lower()]
    match = NUMBERED_SERIES.match(spec)
    if match is None or int(match.group(1)) < FIRST_NUMBERED[0]:
        return None
    year, half = int(match.group(1)), int(match.group(2))
    return FIRST_NUMBERED[1] + (year - FIRST_NUMBERED[0]) * 2 + half - 1


def version_key(version: str) -> tuple[int, ...]:
    """`34.0` and `34.0.0` alike (PEP 440 pads with zeros)."""
    parts = [int(part) for part in version.split(".")]
    return tuple(parts + [0] * (3 - len(parts)))


@functools.cache
def index_versions() -> tuple[str, ...]:
    """Every final nova release on the package index, oldest first."""
    with tempfile.TemporaryDirectory(prefix="osflow-pip-") as neutral:
        try:
            proc = subprocess.run(
                [sys.executable, "-I", "-m", "pip", "index", "versions", "nova",
                 "--disable-pip-version-check", "--no-input"],
                capture_output=True, text=True, timeout=PIP_TIMEOUT_S,
                stdin=subprocess.DEVNULL, cwd=neutral)
        except subprocess.TimeoutExpired:
            raise IndexListError(f"listing nova's releases took over {PIP_TIMEOUT_S}s; "
                                 "check the network") from None
    found = re.search(r"Available versions: (.*)", proc.stdout)
    if proc.returncode != 0 or found is None:
        why = " ".join((proc.stderr.strip().splitlines() or ["no answer"])[-1].split())
        raise IndexListError(f"cannot list nova's releases on the package index ({why}); "
                             "check the network or pip's index settings (pip config list)")
    versions = [v.strip() for v in found.group(1).split(",") if FINAL.match(v.strip())]
    return tuple(sorted(versions, key=version_key))


class IndexListError(OsflowError):
    """The package index could not be asked for nova's releases."""


def last_of_series(spec: str, major: int, cached: list[str]) -> str:
    """The newest release of a series: on the index, or offline the newest cached."""
    try:
        found = [v for v in index_versions() if version_key(v)[0] == major]
    except IndexListError as exc:
        mine = [v for v in cached if FINAL.match(v) and version_key(v)[0] == major]
        if not mine:
            raise OsflowError(f"{spec} (nova {major}.x): {exc}; and no release of it is "
                              "cached") from None
        newest = max(mine, key=version_key)
        log.warning("%s: the package index cannot be asked, so the newest %d.x cached here "
                    "is used: %s", spec, major, newest)
        return newest
    if not found:
        raise OsflowError(f"{spec}: the package index has no nova {major}.x release; "
                          f"it has {index_versions()[0]} to {index_versions()[-1]}")
    return found[-1]


def expand_range(spec: str, cached: list[str]) -> list[str] | None:
    """`29.0.0..34.0.0` (or `caracal..2026.1`) as every final release between, oldest
    first; None for a spec that is no range."""
    match = RANGE.match(spec)
    if match is None:
        return None
    ends = []
    for end, side in ((match.group(1), 0), (match.group(2), 1)):
        major = series_major(end)
        if major is not None:
            end = f"{major}.0.0" if side == 0 else last_of_series(end, major, cached)
        if not FINAL.match(end):
            raise OsflowError(f"{spec}: {end!r} is no release number or series; a range is "
                              "like 29.0.0..34.0.0 or caracal..2026.1")
        ends.append(version_key(end))
    low, high = ends
    if low > high:
        raise OsflowError(f"{spec}: the range runs backwards; oldest first, like "
                          f"{match.group(2)}..{match.group(1)}")
    between = [v for v in index_versions() if low <= version_key(v) <= high]
    if not between:
        raise OsflowError(f"{spec}: no nova release on the package index in that range")
    return between

