"""Real Nova releases, downloaded once from the package index into the shared cache."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tracer.config import cache_dir
from tracer.workspace import open_workspace

# Two releases from the package index, far apart: Train-era and the pinned newest.
RELEASES = ("20.0.0", "34.0.0")


def _shared_cache() -> Path:
    # Integration runs reuse downloads between runs: never a per-test temp folder.
    return cache_dir()


@pytest.fixture(scope="session", params=RELEASES)
def release(request):
    return open_workspace(request.param, cache=_shared_cache())


@pytest.fixture(scope="session")
def liberty():
    """Nova 12.0.0 from a git clone named by OSFLOW_NOVA_GIT (not on the package index)."""
    repo = os.environ.get("OSFLOW_NOVA_GIT")
    if not repo or not Path(repo).exists():
        pytest.skip("set OSFLOW_NOVA_GIT to a clone of openstack/nova to test Liberty")
    return open_workspace(f"{repo}@12.0.0", cache=_shared_cache())
