"""The diagrams committed in workflows/ and output/ are what the committed code makes of
the pinned release with the committed annotations; annotations survive other releases."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest

from tests.integration.conftest import _shared_cache
from tracer import PINNED_RELEASE
from tracer.build import build
from tracer.workspace import open_workspace

REPO = Path(__file__).resolve().parents[2]
SHIPPED = ("workflows", "output")


def files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes()
            for folder in SHIPPED for p in sorted((root / folder).rglob("*")) if p.is_file()}


def _other_projects() -> list[str]:
    """The sources of the other projects' builds committed beside Nova's, as each build
    recorded it (`# source: manila==23.0.1` in workflows/<project>/.osflow-built)."""
    specs = []
    for record in sorted((REPO / "workflows").glob("*/.osflow-built")):
        if record.parent.name == "nova":
            continue
        for line in record.read_text().splitlines():
            if line.startswith("# source: "):
                specs.append(line.removeprefix("# source: ").strip())
    return specs


def test_committed_diagrams_are_current(tmp_path):
    assert (REPO / "workflows" / "nova").is_dir(), "run `osflow build` and commit its output"
    root = tmp_path / "root"
    shutil.copytree(REPO / "annotations", root / "annotations")
    # every project's build, then Nova's (its index page and links know the others)
    for spec in _other_projects():
        result = build(open_workspace(spec, cache=_shared_cache()), root)
        assert not result.stale, result.stale
    result = build(open_workspace(PINNED_RELEASE, cache=_shared_cache()), root)
    assert not result.stale, result.stale
    fresh, committed = files(root), files(REPO)
    assert sorted(fresh) == sorted(committed), "files differ: run `osflow build` and commit"
    changed = [name for name in fresh if fresh[name] != committed[name]]
    assert not changed, f"out of date: {changed[:5]}; run `osflow build` and commit"


def test_shipped_set_is_large_and_annotated():
    drafts = sorted((REPO / "workflows" / "nova").glob("*.wsd"))
    assert len(drafts) >= 45
    assert len(sorted((REPO / "output" / "nova").glob("*.svg"))) == len(drafts)
    for op in ("boot", "live-migrate", "resize", "shelve", "volume-attach", "reboot",
               "delete", "rebuild"):
        assert (REPO / "annotations" / "nova" / f"{op}.yaml").is_file(), op


@pytest.mark.parametrize("release", ["29.0.0", "34.0.0"])
def test_a_note_anchored_to_a_function_survives_releases(tmp_path, release):
    root = tmp_path / release
    path = root / "annotations" / "nova" / "live-migrate.yaml"
    path.parent.mkdir(parents=True)
    path.write_text(textwrap.dedent("""
        notes:
          - at: nova.compute.api.API.live_migrate
            text: The API only records the request; the conductor does the checks.
          - at: nova.compute.manager.ComputeManager.pre_live_migration
            text: Runs on the destination before any memory is copied.
        """))
    result = build(open_workspace(release, cache=_shared_cache()), root, only=("live-migrate",))
    assert not result.stale
    text = (root / "workflows" / "nova" / "live-migrate.wsd").read_text()
    assert "note over nova_api: The API only records the request" in text
    assert "note over nova_compute_dest: Runs on the destination" in text
