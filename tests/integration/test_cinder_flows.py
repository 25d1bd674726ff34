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

from tracer.diagram import flow_nodes_text
from tracer.model import CALL, CAST, DB, DRIVER, RESPONSE, SERVICE, iter_steps
from tests.integration.releases import open_release

pytestmark = pytest.mark.integration

SPEC = "cinder==29.0.0"
TRACED = ("extend", "retype", "migrate", "attachment-update", "attachment-delete",
          "attachment-complete", "volume-initialize-connection",
          "volume-terminate-connection", "volume-attach", "volume-detach", "delete",
          "backup-create", "backup-restore", "snapshot-create", "snapshot-delete",
          "manage", "unmanage", "transfer-accept", "create", "attachment-create",
          "transfer-create", "default-type-set")


@pytest.fixture(scope="module")
def cinder():
    workspace = open_release(SPEC)
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

    nova = open_release("34.0.0")
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

    nova = open_release("34.0.0")
    flow = follow_into(nova.flow("volume-attach"), nova.source.profile.calls_into,
                       "cinder", cinder.flow_or_none)
    arrows = {(s.kind, s.source, s.target, s.text) for s in iter_steps(flow.nodes)}
    assert ("request", "nova_compute", "cinder_api", "PUT /attachments/{id}") in arrows
    assert (CALL, "cinder_api", "cinder_volume", "attachment_update") in arrows
    assert (DRIVER, "cinder_volume", "lvm", "initialize_connection") in arrows
    assert not any(s.target == "cinder" and s.text == "attachment_update"
                   for s in iter_steps(flow.nodes))
    assert "cinder_database" in flow.participants and "database" in flow.participants


# ----------------------------------------------------------------------------- read on 29.0.0
#
# Each assertion below names the file and function of Cinder 29.0.0 that makes the step.


def _status(flow) -> str:
    return [s.text for s in iter_steps(flow.nodes) if s.kind == RESPONSE][-1]


@pytest.mark.parametrize("op, status", [
    # cinder/api/contrib/volume_actions.py VolumeActionsController._extend:
    # @wsgi.response(HTTPStatus.ACCEPTED)
    ("extend", "202"),
    # cinder/api/v3/volumes.py VolumeController.delete:
    # return webob.Response(status_int=HTTPStatus.ACCEPTED)
    ("delete", "202"),
    # cinder/api/v3/attachments.py AttachmentsController.create: @wsgi.response(HTTPStatus.OK)
    ("attachment-create", "200"),
    # cinder/api/v3/attachments.py AttachmentsController.complete:
    # @wsgi.response(HTTPStatus.NO_CONTENT)
    ("attachment-complete", "204"),
    # cinder/api/v3/snapshots.py SnapshotsController.create: @wsgi.response(ACCEPTED)
    ("snapshot-create", "202"),
    # cinder/api/contrib/volume_actions.py VolumeActionsController._initialize_connection:
    # no decorator, returns the connection info
    ("volume-initialize-connection", "200"),
])
def test_the_response_status_is_the_handlers(flows, op, status):
    assert _status(flows[op]) == status


def test_delete_casts_to_the_volume_service_which_deletes_through_the_driver(flows):
    steps = _steps(flows["delete"])
    # cinder/volume/api.py API.delete -> VolumeAPI.delete_volume: cctxt.cast
    assert (CAST, "cinder_api", "cinder_volume", "delete_volume") in steps
    # cinder/volume/manager.py VolumeManager.delete_volume: self.driver.delete_volume(volume)
    assert (DRIVER, "cinder_volume", "lvm", "delete_volume") in steps
    # ... then volume.destroy()
    assert (DB, "cinder_volume", "database", "volume.destroy") in steps


def test_unmanage_asks_the_driver_to_unmanage_not_to_delete(flows):
    steps = _steps(flows["unmanage"])
    # cinder/volume/api.py API.delete(unmanage_only=True) -> VolumeAPI.delete_volume (cast)
    assert (CAST, "cinder_api", "cinder_volume", "delete_volume") in steps
    # cinder/volume/manager.py VolumeManager.delete_volume: `if unmanage_only:
    # self.driver.unmanage(volume)`, the driver's delete_volume only otherwise
    assert (DRIVER, "cinder_volume", "lvm", "unmanage") in steps
    assert (DRIVER, "cinder_volume", "lvm", "delete_volume") not in steps


def test_attachment_create_with_a_connector_updates_the_attachment_on_the_volume_service(
        flows):
    steps = _steps(flows["attachment-create"])
    # cinder/volume/api.py API.attachment_create: `if connector:
    # self.volume_rpcapi.attachment_update(...)` (VolumeAPI.attachment_update: cctxt.call)
    assert (CALL, "cinder_api", "cinder_volume", "attachment_update") in steps
    # cinder/volume/manager.py VolumeManager._connection_create:
    # self.driver.initialize_connection(volume, connector)
    assert (DRIVER, "cinder_volume", "lvm", "initialize_connection") in steps


def test_attachment_delete_calls_the_volume_service_and_finishes_the_detach(flows):
    steps = _steps(flows["attachment-delete"])
    # cinder/volume/api.py API.attachment_delete: a RESERVED attachment is not sent;
    # else self.volume_rpcapi.attachment_delete (VolumeAPI.attachment_delete: cctxt.call)
    assert (CALL, "cinder_api", "cinder_volume", "attachment_delete") in steps
    # cinder/volume/manager.py VolumeManager._do_attachment_delete:
    # self.driver.terminate_connection(...) when there is a connector (or force)
    assert any(k == DRIVER and t.rsplit("] ", 1)[-1] == "terminate_connection"
               for k, _, _, t in steps)
    # cinder/volume/api.py API.attachment_delete: volume.finish_detach(attachment.id)
    assert (DB, "cinder_api", "database", "volume.finish_detach") in steps


def test_attachment_complete_marks_the_attachment_and_the_volume_attached(flows):
    steps = _steps(flows["attachment-complete"])
    # cinder/api/v3/attachments.py AttachmentsController.complete: both objects read
    # (CinderObject.get_by_id asks cinder.db), updated and saved
    assert (DB, "cinder_api", "database", "VolumeAttachment.get_by_id") in steps
    assert (DB, "cinder_api", "database",
            "attachment_ref.save (attach_status='attached')") in steps
    assert (DB, "cinder_api", "database",
            "volume_ref.save (status='in-use', attach_status='attached')") in steps


def test_legacy_attach_and_detach_call_the_volume_service(flows):
    attach, detach = _steps(flows["volume-attach"]), _steps(flows["volume-detach"])
    # cinder/volume/api.py API.attach -> VolumeAPI.attach_volume: cctxt.call
    assert (CALL, "cinder_api", "cinder_volume", "attach_volume") in attach
    # cinder/volume/manager.py VolumeManager.attach_volume: attachment.finish_attach(...)
    assert (DB, "cinder_volume", "database", "attachment.finish_attach") in attach
    # cinder/volume/api.py API.detach -> VolumeAPI.detach_volume: cctxt.call
    assert (CALL, "cinder_api", "cinder_volume", "detach_volume") in detach
    # cinder/volume/manager.py VolumeManager.detach_volume: volume.finish_detach(...)
    assert (DB, "cinder_volume", "database", "volume.finish_detach") in detach


def test_snapshot_create_goes_through_the_scheduler_to_the_driver(flows):
    steps = _steps(flows["snapshot-create"])
    # cinder/volume/api.py API.create_snapshot_in_db -> snapshot.create()
    assert any(k == DB and s == "cinder_api" and t.startswith("snapshot.create")
               for k, s, _, t in steps)
    # cinder/volume/api.py API._create_snapshot -> SchedulerAPI.create_snapshot (cast)
    assert (CAST, "cinder_api", "cinder_scheduler", "create_snapshot") in steps
    # cinder/scheduler/manager.py SchedulerManager.create_snapshot -> VolumeAPI (cast)
    assert (CAST, "cinder_scheduler", "cinder_volume", "create_snapshot") in steps
    # cinder/volume/manager.py VolumeManager.create_snapshot: self.driver.create_snapshot
    assert (DRIVER, "cinder_volume", "lvm", "create_snapshot") in steps


def test_snapshot_delete_is_cast_to_the_volume_service(flows):
    steps = _steps(flows["snapshot-delete"])
    # cinder/volume/api.py API.delete_snapshot: snapshot.conditional_update(...), then
    # VolumeAPI.delete_snapshot (cast)
    assert (DB, "cinder_api", "database", "snapshot.conditional_update") in steps
    assert (CAST, "cinder_api", "cinder_volume", "delete_snapshot") in steps
    # cinder/volume/manager.py VolumeManager.delete_snapshot: the driver, then destroy
    assert (DRIVER, "cinder_volume", "lvm", "delete_snapshot") in steps
    assert (DB, "cinder_volume", "database", "snapshot.destroy") in steps


def test_backup_restore_is_cast_to_cinder_backup_which_attaches_the_volume(flows):
    steps = _steps(flows["backup-restore"])
    # cinder/backup/api.py API.restore -> BackupAPI.restore_backup (cast)
    assert (CAST, "cinder_api", "cinder_backup", "restore_backup") in steps
    # cinder/backup/manager.py BackupManager._attach_device -> _attach_volume ->
    # VolumeAPI.initialize_connection (call) on the volume's service
    assert (CALL, "cinder_backup", "cinder_volume", "initialize_connection") in steps
    # cinder/backup/manager.py BackupManager.restore_backup: the backup AVAILABLE again
    assert (DB, "cinder_backup", "database",
            "backup.save (status=fields.BackupStatus.AVAILABLE)") in steps


def test_manage_goes_through_the_scheduler_to_the_drivers_manage_existing(flows):
    steps = _steps(flows["manage"])
    # cinder/volume/api.py API.manage_existing: the volume row (flow's EntryCreateTask)
    assert (DB, "cinder_api", "database", "volume.create") in steps
    # cinder/volume/flows/api/manage_existing.py ManageCastTask -> SchedulerAPI (cast)
    assert (CAST, "cinder_api", "cinder_scheduler", "manage_existing") in steps
    # cinder/scheduler/manager.py SchedulerManager.manage_existing -> VolumeAPI (cast)
    assert (CAST, "cinder_scheduler", "cinder_volume", "manage_existing") in steps
    # cinder/volume/flows/manager/manage_existing.py ManageExistingTask.execute:
    # self.driver.manage_existing(volume, manage_existing_ref)
    assert (DRIVER, "cinder_volume", "lvm", "manage_existing") in steps


def test_transfers_are_rows_and_accept_calls_the_volume_service(flows):
    create, accept = _steps(flows["transfer-create"]), _steps(flows["transfer-accept"])
    # cinder/transfer/api.py API.create (cinder.transfer.API: CONF.transfer_api_class):
    # self.db.transfer_create(context, transfer_rec)
    assert (DB, "cinder_api", "database", "db.transfer_create") in create
    assert not any(k in (CALL, CAST) for k, _, _, _ in create)
    # cinder/transfer/api.py API.accept: self.db.transfer_get, then
    # self.volume_api.accept_transfer -> VolumeAPI.accept_transfer (cctxt.call), then
    # self.db.transfer_accept
    assert (DB, "cinder_api", "database", "db.transfer_get") in accept
    assert (CALL, "cinder_api", "cinder_volume", "accept_transfer") in accept
    assert (DB, "cinder_api", "database", "db.transfer_accept") in accept
    assert any("transfer API: cinder.transfer.api.API" in n for n in flows["transfer-accept"].notes)


def test_default_type_set_looks_the_project_up_in_keystone(flows):
    steps = _steps(flows["default-type-set"])
    # cinder/api/v3/default_types.py DefaultTypesController.create_update ->
    # cinder/api/api_utils.py validate_project_and_authorize -> get_project ->
    # _keystone_client(context).projects.get(project_id) (keystoneclient)
    assert (SERVICE, "cinder_api", "keystone", "validate_project_and_authorize") in steps
    # ... then db.project_default_volume_type_set
    assert (DB, "cinder_api", "database", "db.project_default_volume_type_set") in steps
    assert "keystone" in flows["default-type-set"].participants


def test_only_the_default_types_api_reaches_keystone(cinder):
    """cinder/api/api_utils.py is 29.0.0's only keystoneclient user outside the drivers,
    and only cinder/api/v3/default_types.py calls into it (validate_project_and_authorize)."""
    reaching = sorted(op.name for op in cinder.catalogue().operations
                      if "keystone" in cinder.flow(op.name).participants)
    assert reaching == ["default-type-set", "default-type-show", "default-type-unset"]


def test_a_version_chosen_by_compat_ver_is_the_one_sent(cinder):
    """cinder/volume/rpcapi.py VolumeAPI.attachment_update: version =
    self._compat_ver('3.9') (cinder/rpc.py RPCAPI._compat_ver returns the first version the
    server can take, else the last: '3.9'); revert_to_snapshot: _compat_ver('3.15')."""
    by = {(m.service, m.method): m for m in cinder.rpc_model().methods}
    assert by["cinder-volume", "attachment_update"].version == "3.9"
    assert by["cinder-volume", "attachment_delete"].version == "3.9"
    assert by["cinder-volume", "revert_to_snapshot"].version == "3.15"


def test_extend_reserves_quota_and_never_rolls_back_on_the_normal_path(cinder):
    """cinder/volume/api.py API._extend: QUOTAS (cinder/quota.py, `QUOTAS =
    VolumeTypeQuotaEngine()`) reserves through DbQuotaDriver._reserve -> db.quota_reserve,
    a write; `reservations = None; try: reservations = QUOTAS.reserve(...) finally: if
    reservations is None: _roll_back_status()` rolls back only when reserve failed; the
    volume manager commits (cinder/volume/manager.py VolumeManager.extend_volume ->
    QUOTAS.commit -> db.reservation_commit)."""
    steps = _steps(cinder.flow("extend"))
    texts = [s[3] for s in steps if s[0] == DB]
    assert any(t.endswith("writes db.quota_reserve") for t in texts), texts
    assert any(t.endswith("writes db.reservation_commit") for t in texts), texts
    assert not any("reservations is None" in t for t in texts), texts


def test_a_migrations_new_volume_is_created_without_a_request_spec(flows):
    # cinder/volume/manager.py _migrate_volume_generic casts
    # `rpcapi.create_volume(ctxt, new_volume, None, None, allow_reschedule=False)`;
    # VolumeManager.create_volume makes `objects.RequestSpec()` (no field set), so
    # request_spec.get('snapshot_id'|'source_volid') is None (no lock: `locked_action is
    # None`), and ExtractVolumeSpecTask.execute's `elif request_spec.get('image_id')` never
    # runs: no glance lookup on the volume service. A create from the API passes its spec
    # (cinder/volume/flows/api/create_volume.py VolumeCastTask): there it is drawn.
    for op in ("migrate", "retype"):
        steps = _steps(flows[op])
        assert (CAST, "cinder_volume", "cinder_volume", "create_volume") in steps, op
        assert not any(s[1] == "cinder_volume" and s[2] == "glance" and
                       s[3] == "get_remote_image_service" for s in steps), op
        assert "locked_action" not in flow_nodes_text(flows[op].nodes), op
    assert (SERVICE, "cinder_volume", "glance", "get_remote_image_service") in \
        _steps(flows["create"])



def test_volume_types_are_read_and_written_in_the_database(cinder):
    # cinder/api/contrib/types_manage.py VolumeTypesManageController._create:
    # volume_types.create(...) (cinder/volume/volume_types.py create:
    # db.volume_type_create), then get_volume_type_by_name; cinder/api/v3/types.py
    # VolumeTypesController.show: volume_types.get_volume_type (db.volume_type_get)
    created = _steps(cinder.flow("type-create"))
    assert (DB, "cinder_api", "database", "db.volume_type_create") in created
    assert (DB, "cinder_api", "database", "db.volume_type_get") in \
        _steps(cinder.flow("type-show"))


def test_the_volume_managers_database_api_and_capability_reports_are_drawn(flows):
    # cinder/volume/manager.py VolumeManager.create_snapshot: self.db.volume_get(...) (self.db
    # set by cinder/db/base.py Base.__init__, reached through cinder/manager.py
    # Manager.__init__); VolumeManager.delete_volume: self.publish_service_capabilities ->
    # cinder/manager.py SchedulerDependentManager._publish_service_capabilities casts
    # update_service_capabilities to every scheduler (SchedulerAPI: fanout)
    assert (DB, "cinder_volume", "database", "db.volume_get") in _steps(flows["snapshot-create"])
    assert (CAST, "cinder_volume", "cinder_scheduler", "update_service_capabilities") in \
        _steps(flows["delete"])


def test_backup_create_continues_on_cinder_backup_after_the_volume_finds_the_device(flows):
    # cinder/volume/rpcapi.py VolumeAPI.get_backup_device: on 3.17 a cast with
    # async_call=True (else a call); cinder/volume/manager.py
    # VolumeManager.get_backup_device then casts continue_backup to cinder-backup
    # (BackupAPI.continue_backup), whose BackupManager.continue_backup attaches the
    # device and runs the backup driver
    steps = _steps(flows["backup-create"])
    assert (CAST, "cinder_volume", "cinder_backup", "continue_backup") in steps
    alt = flow_nodes_text(flows["backup-create"].nodes)
    assert "alt if cctxt.can_send_version('3.17')" in alt


def test_transfer_accept_moves_an_encrypted_volume_key_in_barbican(flows):
    """cinder/transfer/api.py API.accept: `if vol_ref.encryption_key_id is not None:`
    cinder/keymgr/transfer.py KeyTransfer.transfer_key gets the secret and stores it for
    the new owner through castellan's key_manager.API (cinder/volume/api.py API.__init__),
    barbican by default."""
    steps = _steps(flows["transfer-accept"])
    assert (SERVICE, "cinder_api", "barbican", "get") in steps
    assert (SERVICE, "cinder_api", "barbican", "store") in steps
