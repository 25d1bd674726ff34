"""Where osflow keeps downloads and the parse cache."""

from __future__ import annotations

import os
from pathlib import Path


def cache_dir() -> Path:
    """`$OSFLOW_CACHE_DIR`, else `$XDG_CACHE_HOME/osflow`, else `~/.cache/osflow`."""
    explicit = os.environ.get("OSFLOW_CACHE_DIR")
    if explicit:
        return Path(explicit).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg).expanduser() if xdg else Path.home() / ".cache"
    return base / "osflow"
