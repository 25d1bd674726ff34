"""The Sahara release the integration tests read, opened once per module."""

from __future__ import annotations

import pytest

from tracer.config import cache_dir
from tracer.sources import IndexUnreachableError
from tracer.workspace import open_workspace

SPEC = "sahara==19.0.0"


def open_sahara():
    try:
        return open_workspace(SPEC, cache=cache_dir())
    except IndexUnreachableError as exc:
        pytest.skip(f"{SPEC} is not cached and the package index is out of reach: {exc}")
