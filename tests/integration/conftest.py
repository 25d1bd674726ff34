"""Real Nova releases, downloaded once from the package index into the shared cache."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.test_sources import LIBERTY_ARCHIVE
from tracer.config import cache_dir
from tracer.sources import unpacked_archive
from tracer.workspace import open_workspace

# One release of every series on the package index, Ocata (15) to the pinned newest (34).
RELEASES = ("15.1.5", "16.1.8", "17.0.13", "18.3.0", "19.3.2", "20.0.0", "21.2.4", "22.4.0",
            "23.2.2", "24.2.1", "25.3.0", "26.3.0", "27.5.1", "28.3.1", "29.0.0", "30.3.0",
            "31.3.1", "32.2.1", "33.0.2", "34.0.0")
# Releases whose known shapes are spelled out in test_known_shapes.
DETAILED = ("20.0.0", "34.0.0")


def _shared_cache() -> Path:
    # Integration runs reuse downloads between runs: never a per-test temp folder.
    return cache_dir()


@pytest.fixture(scope="session", params=RELEASES)
def release(request):
    return open_workspace(request.param, cache=_shared_cache())


def liberty_spec() -> str:
    """-s SPEC of Nova 12.0.0: the git clone OSFLOW_NOVA_GIT names, at 12.0.0, when set;
    else the fixture archive, unpacked once into the cache, as a folder."""
    repo = os.environ.get("OSFLOW_NOVA_GIT")
    if repo:
        if not Path(repo).exists():
            pytest.fail(f"OSFLOW_NOVA_GIT={repo}: no such folder; unset it to read Liberty "
                        f"from {LIBERTY_ARCHIVE}")
        return f"{repo}@12.0.0"
    if not LIBERTY_ARCHIVE.is_file():
        pytest.skip(f"no {LIBERTY_ARCHIVE}, and OSFLOW_NOVA_GIT names no nova clone")
    return str(unpacked_archive(LIBERTY_ARCHIVE, _shared_cache()))


@pytest.fixture(scope="session")
def liberty():
    """Nova 12.0.0 (Liberty): see liberty_spec."""
    return open_workspace(liberty_spec(), cache=_shared_cache())
