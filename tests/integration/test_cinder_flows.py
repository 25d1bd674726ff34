"""Cinder's operations traced on a real release (29.0.0), with expectations read from its code.

Every RPC a traced operation sends must have the kind `osflow rpc` gives that method
(itself checked against Cinder's own rpcapi tests in test_cinder_rpc.py), and a few steps
that the code makes plain must be drawn:

- extend (`os-extend`): cinder/volume/api.py API._extend casts `extend_volume` to the
  scheduler (SchedulerAPI.extend_volume), cinder/scheduler/manager.py
  SchedulerManager.extend_volume casts it on to the volume service (VolumeAPI.extend_volume),
  and cinder/volume/manager.py VolumeManager.extend_volume calls the driver's extend_volume.
- attachment-update: cinder/volume/api.py API.attachment_update calls (waits on) the volume
  service's `attachment_update` (VolumeAPI.attachment_update: cctxt.call), whose handler
  VolumeManager.attachment_update -> _connection_create asks the driver to
  initialize_connection and saves the volume's export.
- os-initialize_connection: VolumeActionsController._initialize_connection ->
  API.initialize_connection calls the volume service's `initialize_connection`.
- backup-create: cinder/backup/api.py API.create writes the backup (backup.create) and casts
  `create_backup` to the scheduler, which casts it to cinder-backup
  (SchedulerManager.create_backup -> BackupAPI.create_backup).
- retype: API.retype casts `retype` to the scheduler, SchedulerManager.retype casts it to
  the volume service.
- create: API.create runs a taskflow flow (cinder/volume/flows/api/create_volume.py
  get_flow): EntryCreateTask writes the volume, VolumeCastTask casts `create_volume` to the
  scheduler, whose own flow (ScheduleCreateVolumeTask -> FilterScheduler) casts it to the
  volume service, whose flow's CreateVolumeFromSpecTask asks the driver to create it.
"""

from __future__ import annotations

import pytest

from tracer.config import cache_dir
from tracer.model import CALL, CAST, DB, DRIVER, iter_steps
from tracer.sources import IndexUnreachableError
from tracer.workspace import open_workspace

pytestmark = pytest.mark.integration

SPEC = "cinder==29.0.0"
TRACED = ("extend", "retype", "migrate", "attachment-update", "attachment-delete",
          "attachment-complete", "volume-initialize-connection",
          "volume-terminate-connection", "volume-attach", "volume-detach", "delete",
          "backup-create", "backup-restore", "snapshot-create", "snapshot-delete",
          "manage", "unmanage", "transfer-accept", "create")


@pytest.fixture(scope="module")
def cinder():
    try:
        workspace = open_workspace(SPEC, cache=cache_dir())
    except IndexUnreachableError as exc:
        pytest.skip(f"{SPEC} is not cached and the package index is out of reach: {exc}")
    return workspace


@pytest.fixture(scope="module")
def flows(cinder):
    return {name: cinder.flow(name) for name in TRACED}


def _steps(flow):
    return [(s.kind, s.source, s.target, s.text) for s in iter_steps(flow.nodes)]


def test_every_operation_resolves_its_handler(cinder):
    catalogue = cinder.catalogue()
    assert len([op for op in catalogue.operations if op.group != "periodic"]) >= 200
    for op in catalogue.operations:
        assert op.handler and op.file.startswith("cinder/"), op


def test_every_rpc_drawn_has_the_kind_osflow_rpc_gives(cinder, flows):
    kinds = {f"{m.service} {m.method}": set(m.kinds) for m in cinder.rpc_model().methods}
    sent = 0
    for name, flow in flows.items():
        for step in iter_steps(flow.nodes):
            if step.kind in (CALL, CAST) and step.rpc:
                sent += 1
                assert step.kind in kinds[step.rpc], (name, step.rpc, step.kind)
    assert sent >= 20


def test_participants_are_cinder_services_database_and_the_lvm_driver(flows):
    seen = {p for flow in flows.values() for p in flow.participants}
    assert {"client", "cinder_api", "cinder_scheduler", "cinder_volume", "cinder_backup",
            "database", "lvm"} <= seen
    assert not [p for p in seen if p.startswith("nova_")]  # nova is a service, not ours
    for flow in flows.values():
        assert flow.participants[:2] == ("client", "cinder_api")


def test_extend_goes_through_the_scheduler_to_the_driver(flows):
    steps = _steps(flows["extend"])
    assert (CAST, "cinder_api", "cinder_scheduler", "extend_volume") in steps
    assert (CAST, "cinder_scheduler", "cinder_volume", "extend_volume") in steps
    assert (DRIVER, "cinder_volume", "lvm", "extend_volume") in steps


def test_attachment_update_calls_the_volume_service(flows):
    steps = _steps(flows["attachment-update"])
    assert (CALL, "cinder_api", "cinder_volume", "attachment_update") in steps
    assert (DRIVER, "cinder_volume", "lvm", "initialize_connection") in steps
    assert any(k == DB and s == "cinder_volume" and t.startswith("volume.save")
               for k, s, _, t in steps)


def test_initialize_connection_calls_the_volume_service(flows):
    steps = _steps(flows["volume-initialize-connection"])
    assert (CALL, "cinder_api", "cinder_volume", "initialize_connection") in steps
    assert (DRIVER, "cinder_volume", "lvm", "initialize_connection") in steps


def test_backup_create_is_cast_to_cinder_backup(flows):
    steps = _steps(flows["backup-create"])
    assert (DB, "cinder_api", "database", "backup.create") in steps
    assert (CAST, "cinder_api", "cinder_scheduler", "create_backup") in steps
    assert (CAST, "cinder_scheduler", "cinder_backup", "create_backup") in steps


def test_retype_is_cast_through_the_scheduler(flows):
    steps = _steps(flows["retype"])
    assert (CAST, "cinder_api", "cinder_scheduler", "retype") in steps
    assert (CAST, "cinder_scheduler", "cinder_volume", "retype") in steps


def test_create_casts_to_the_scheduler_then_the_volume_service(flows):
    steps = _steps(flows["create"])
    assert (CAST, "cinder_api", "cinder_scheduler", "create_volume") in steps
    assert (CAST, "cinder_scheduler", "cinder_volume", "create_volume") in steps
    assert (DRIVER, "cinder_volume", "lvm", "create_volume") in steps
    # the API's EntryCreateTask writes the volume; the scheduler saves the host it chose
    assert (DB, "cinder_api", "database", "volume.create") in [s[:3] + (s[3].split(" ")[0],)
                                                                for s in steps]
    assert any(k == DB and s == "cinder_scheduler" and t.startswith("volume.save")
               for k, s, _, t in steps)


def test_nova_arrows_to_cinder_open_cinders_diagrams_in_a_root_holding_both(cinder,
                                                                             tmp_path):
    """issue #19: nova 34.0.0's volume-attach ends its arrows at `cinder:
    attachment_update` (nova/volume/cinder.py API.attachment_update sends PUT
    /attachments/{id}); with Cinder built in the same root, that label opens Cinder's
    attachment-update diagram, in the full picture and the overview alike. Built first
    without Cinder, the same Nova picture has no such link: a later Nova build adds it."""
    from tracer.build import build

    try:
        nova = open_workspace("34.0.0", cache=cache_dir())
    except IndexUnreachableError as exc:
        pytest.skip(f"34.0.0 is not cached and the package index is out of reach: {exc}")
    root = tmp_path / "root"
    build(nova, root, only=("volume-attach",))
    full = root / "output" / "nova" / "volume-attach.svg"
    assert "cinder/attachment-update.svg" not in full.read_text()
    build(cinder, root, only=("attachment-update", "attachment-create", "show"))
    build(nova, root, only=("volume-attach",))
    assert '<a href="../cinder/attachment-update.svg"' in full.read_text()
    assert '<a href="../cinder/attachment-create.svg"' in full.read_text()
    overview = root / "output" / "nova" / "overview" / "volume-attach.svg"
    assert '<a href="../../cinder/attachment-update.svg"' in overview.read_text()
    assert (root / "output" / "cinder" / "attachment-update.svg").is_file()
    # an arrow to cinder whose operation this root does not hold stays unlinked
    assert "cinder/attachment-complete.svg" not in full.read_text()


def test_volume_attach_followed_into_cinder_draws_cinders_side_inline(cinder):
    """issue #19, `osflow trace volume-attach --follow cinder==29.0.0`: nova 34.0.0's
    compute manager updates the attachment (nova/virt/block_device.py
    DriverVolumeBlockDevice._volume_attach -> nova/volume/cinder.py API.attachment_update:
    PUT /attachments/{id}); Cinder's AttachmentsController.update -> API.attachment_update
    calls the volume service, whose VolumeManager.attachment_update -> _connection_create
    asks the LVM driver to initialize_connection."""
    from tracer.follow import follow_into

    try:
        nova = open_workspace("34.0.0", cache=cache_dir())
    except IndexUnreachableError as exc:
        pytest.skip(f"34.0.0 is not cached and the package index is out of reach: {exc}")
    flow = follow_into(nova.flow("volume-attach"), nova.source.profile.calls_into,
                       "cinder", cinder.flow_or_none)
    arrows = {(s.kind, s.source, s.target, s.text) for s in iter_steps(flow.nodes)}
    assert ("request", "nova_compute", "cinder_api", "PUT /attachments/{id}") in arrows
    assert (CALL, "cinder_api", "cinder_volume", "attachment_update") in arrows
    assert (DRIVER, "cinder_volume", "lvm", "initialize_connection") in arrows
    assert not any(s.target == "cinder" and s.text == "attachment_update"
                   for s in iter_steps(flow.nodes))
    assert "cinder_database" in flow.participants and "database" in flow.participants
