"""Releases the integration tests read: opened from the cache (downloaded once), or the
test skipped, saying why, when the package index is out of reach."""

from __future__ import annotations

import ast

import pytest

from tracer.config import cache_dir
from tracer.sources import IndexUnreachableError
from tracer.workspace import Workspace, open_workspace

SAHARA = "sahara==19.0.0"


def open_release(spec: str) -> Workspace:
    try:
        return open_workspace(spec, cache=cache_dir())
    except IndexUnreachableError as exc:
        pytest.skip(f"{spec} is not cached and the package index is out of reach: {exc}")


def open_sahara() -> Workspace:
    return open_release(SAHARA)


def literal(node: ast.expr | None):
    """The value of a constant node, else None (a project's own tests read with ast)."""
    return node.value if isinstance(node, ast.Constant) else None


def imported_names(tree: ast.Module) -> dict[str, str]:
    """Local name -> dotted path of each `from x import y [as z]` at module level."""
    return {alias.asname or alias.name: f"{node.module}.{alias.name}"
            for node in tree.body if isinstance(node, ast.ImportFrom) and node.module
            for alias in node.names}
