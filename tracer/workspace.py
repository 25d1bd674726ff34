"""A source tree opened for analysis: where it came from and its index."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from tracer.config import cache_dir
from tracer.index import Index
from tracer.index.cache import SummaryCache
from tracer.sources import SourceTree, open_source


@dataclass
class Workspace:
    source: SourceTree
    index: Index


def open_workspace(spec: str | None = None, *, cache: Path | None = None) -> Workspace:
    """Resolve `spec` (release, directory or REPO@REF) and index the tree it names."""
    root = cache or cache_dir()
    source = open_source(spec, cache=root)
    return Workspace(source, Index(source.root, SummaryCache(root)))
