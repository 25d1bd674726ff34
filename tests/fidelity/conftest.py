"""Workspaces for the fidelity suite: Liberty from the shared `liberty` fixture, 34.0.0 from
the package index (downloaded once into the shared cache), and their flows traced once."""

from __future__ import annotations

import pytest

from tracer.trace import Options
from tracer.workspace import open_workspace

from tests.integration.conftest import _shared_cache, liberty  # noqa: F401 (fixture)


@pytest.fixture(scope="session")
def modern():
    return open_workspace("34.0.0", cache=_shared_cache())


@pytest.fixture(scope="session")
def flows(request):
    """flows(release, op): the default-options flow (what the shipped drafts draw), traced
    once per session."""
    cache = {}

    def get(release, op):
        if (release, op) not in cache:
            name = {"12.0.0": "liberty", "34.0.0": "modern"}[release]
            workspace = request.getfixturevalue(name)
            cache[release, op] = workspace.flow(op, Options())
        return cache[release, op]

    return get
