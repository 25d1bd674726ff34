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
from tracer.profiles import profile_for
from tracer.workspace import open_workspace

REPO = Path(__file__).resolve().parents[2]
SHIPPED = ("workflows", "output")


def files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes()
            for folder in SHIPPED for p in sorted((root / folder).rglob("*")) if p.is_file()}


def shipped_projects() -> list[str]:
    """The other projects whose builds are shipped beside Nova's, each at its profile's
    release (`cinder==29.0.0`), in the order they are built."""
    return [f"{p.name}=={profile_for(p.name).example_release}"
            for p in sorted((REPO / "workflows").iterdir())
            if p.is_dir() and p.name != "nova"]


# how the shipped set is made: Nova's build, each other project's in the same root (each
# keeps its record for the others' index page), then Nova's again, whose arrows to them
# link there
REBUILD = "osflow build, then " + ", ".join(f"osflow build -s {spec}" for spec in
                                            shipped_projects()) + ", then osflow build"


def test_committed_diagrams_are_current(tmp_path):
    assert (REPO / "workflows" / "nova").is_dir(), "run `osflow build` and commit its output"
    root = tmp_path / "root"
    shutil.copytree(REPO / "annotations", root / "annotations")
    nova = open_workspace(PINNED_RELEASE, cache=_shared_cache())
    build(nova, root)
    for source in shipped_projects():
        result = build(open_workspace(source, cache=_shared_cache()), root)
        assert not result.stale, result.stale
    result = build(nova, root)
    assert not result.stale, result.stale
    fresh, committed = files(root), files(REPO)
    assert sorted(fresh) == sorted(committed), f"files differ: run {REBUILD}, and commit"
    changed = [name for name in fresh if fresh[name] != committed[name]]
    assert not changed, f"out of date: {changed[:5]}; run {REBUILD}, and commit"


def test_a_fresh_clone_builds_nothing_and_reads_no_other_project(tmp_path, monkeypatch):
    """The README's `osflow build` on a clone (a root this cache never built): every file
    is current, and the index page takes the other projects' rows from their committed
    records, without opening (downloading) any of them."""
    import tracer.workspace

    root = tmp_path / "clone"
    for folder in ("annotations",) + SHIPPED:
        shutil.copytree(REPO / folder, root / folder)
    opened = []
    real = tracer.workspace.open_workspace

    def refusing(spec, *args, **kwargs):
        opened.append(spec)
        assert "==" not in str(spec), f"{spec}'s source opened"
        return real(spec, *args, **kwargs)
    monkeypatch.setattr(tracer.workspace, "open_workspace", refusing)
    result = build(open_workspace(PINNED_RELEASE, cache=_shared_cache()), root)
    assert result.written == [] and result.removed == []
    assert opened == []
    page = (root / "output" / "index.html").read_text()
    assert 'href="cinder/overview/attachment-update.svg"' in page


# what issue #19 asks of Cinder: the volumes API, the attachments API and the legacy
# attach actions, snapshots, backups, manage/unmanage, transfers
CINDER_OPERATIONS = (
    "create", "delete", "extend", "retype", "migrate", "attachment-create",
    "attachment-update", "attachment-delete", "attachment-complete", "volume-attach",
    "volume-detach", "volume-initialize-connection", "snapshot-create", "snapshot-delete",
    "backup-create", "backup-restore", "manage", "unmanage", "transfer-create",
    "transfer-accept")


def test_cinder_set_is_shipped_and_nova_links_to_it():
    for op in CINDER_OPERATIONS:
        for path in (f"workflows/cinder/{op}.wsd", f"output/cinder/{op}.svg",
                     f"output/cinder/overview/{op}.svg"):
            assert (REPO / path).is_file(), path
    drafts = sorted((REPO / "workflows" / "cinder").glob("*.wsd"))
    assert len(drafts) >= 200  # the whole catalogue of 29.0.0
    assert len(sorted((REPO / "output" / "cinder").glob("*.svg"))) == len(drafts)
    assert (REPO / "workflows" / "cinder" / ".osflow-built").read_text().count(
        "# source: cinder==29.0.0\n") == 1
    # Nova's volume-attach: its attachment_update arrow opens Cinder's diagram
    svg = (REPO / "output" / "nova" / "volume-attach.svg").read_text()
    assert 'href="../cinder/attachment-update.svg"' in svg


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
