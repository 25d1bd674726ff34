"""The hand-drawn example diagrams, read in place from ../shared/examples (never copied)."""

from __future__ import annotations

from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[2].parent / "shared" / "examples"


def example_files() -> list[Path]:
    """Every example .wsd, or an empty list when the shared folder is absent."""
    if not EXAMPLES.is_dir():
        return []
    return sorted(EXAMPLES.glob("*.wsd"))


def example_params():
    """Parametrisation over the examples that skips cleanly when there are none."""
    files = example_files()
    if not files:
        return [pytest.param(None, marks=pytest.mark.skip(reason="../shared/examples absent"))]
    return [pytest.param(path, id=path.stem) for path in files]
