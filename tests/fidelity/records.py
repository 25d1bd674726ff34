"""The expectations, read from Nova's code (12.0.0 Liberty and 34.0.0), one record each.

Every record cites the release, file and function that proves it. Records that the tracer
does not meet yet carry `xfail=` naming the item of issue #18 they belong to; when a fix makes
one pass, the strict xfail fails and the mark must be removed.
"""

from __future__ import annotations

import re

from tests.fidelity.expect import Inside, absent, apart, appears, before, exclusive, rx, step

L, M = "12.0.0", "34.0.0"

API, COND, SCHED = "nova_api", "nova_conductor", "nova_scheduler"
CMP, SRC, DEST = "nova_compute", "nova_compute_src", "nova_compute_dest"
DB, VIRT = "database", "libvirt"
VIRT_SRC, VIRT_DEST = "libvirt_src", "libvirt_dest"
ANY_COMPUTE = rx(r"^nova_compute(_src|_dest)?$")
# one compute host is `nova_compute`; when two take part (a delete confirming a finished
# resize on the migration's source, then terminating on the instance's host), _src/_dest
ANY_VIRT = rx(r"^libvirt(_src|_dest)?$")

# Why a record fails today: the items of issue #18.
HELPERS = "#18.1 helper objects: work of block_device driver objects not drawn"
DEPTH = "#18.2 work behind the depth limit: a function that reaches the database is dropped"
WRITES = "#18.3 state writes: fields set through update()/items/constructors not shown"
EARLY = "#18.4 early returns: steps after a return drawn on the same path"
GUARDS = "#18.5 guards off by default or by construction drawn as if on"
ERRORS = "#18.6 error handling (_error_out_instance_on_exception) drawn as the normal path"
HOSTS = "#18.7 two hosts drawn as one participant"
SPURIOUS = "#18.8 spurious external calls"
SEARCH = "#18.9 loop that is a search drawn around its one send"
UNLISTED = "not in #18: guard on a flag set only in a branch (quiesced) dropped"

SAVE = rx(r"\binstance\.save\b")
CREATE = rx(r"\binstance\.create\b")
MIGRATION_SAVE = rx(r"migration\W*\.save\b")
BDM_SAVE = rx(r"bdm\w*\.save\b")
HARD_REBOOT = rx(r"(?i)hard[ _]?reboot")
ERROR_OUT = Inside(anchor="ComputeManager._error_out_instance_on_exception")


def policy(rule: str):
    return rx(rf"^policy: {re.escape(rule)}$")


def write(source, text=SAVE, field=None, anchor=None):
    return step("db", source, DB, text, field, anchor)


def cast(source, target, method):
    return step("cast", source, target, method)


def call(source, target, method):
    return step("call", source, target, method)


def driver(source, method, target=VIRT):
    return step("driver", source, target, method)


def service(source, target, method):
    return step("service", source, target, method)


LIBERTY = [
    # --------------------------------------------------------------------------- pause
    appears("pause", L, "cast", API, CMP, "pause_instance",
            cite="12.0.0 nova/compute/rpcapi.py ComputeAPI.pause_instance: cctxt.cast(..., "
                 "'pause_instance') to _compute_host(None, instance)"),
    before("pause", L, write(API, field="task_state=PAUSING"), cast(API, CMP, "pause_instance"),
           cite="12.0.0 nova/compute/api.py API.pause: instance.task_state = PAUSING; "
                "instance.save() before compute_rpcapi.pause_instance"),
    before("pause", L, driver(CMP, "pause"), write(CMP, field="vm_state=PAUSED"),
           cite="12.0.0 nova/compute/manager.py ComputeManager.pause_instance: "
                "self.driver.pause(instance), then vm_state = PAUSED, task_state = None, save"),
    appears("pause", L, "note", API, None, policy("os_compute_api:os-pause-server:pause"),
            about="#18.5",
            cite="12.0.0 nova/api/openstack/compute/pause_server.py "
                 "PauseServerController._pause: authorize(context, action='pause')"),
    absent("pause", L, "note", API, None, policy("compute:pause"),
           cite="12.0.0 nova/api/openstack/compute/pause_server.py PauseServerController."
                "__init__: compute.API(skip_policy_check=True); nova/compute/api.py "
                "policy_decorator: check_policy only if not self.skip_policy_check"),
    # --------------------------------------------------------------------------- unpause
    before("unpause", L, write(API, field="task_state=UNPAUSING"),
           cast(API, CMP, "unpause_instance"),
           cite="12.0.0 nova/compute/api.py API.unpause: task_state = UNPAUSING, save, then "
                "compute_rpcapi.unpause_instance"),
    before("unpause", L, driver(CMP, "unpause"), write(CMP, field="vm_state=ACTIVE"),
           cite="12.0.0 nova/compute/manager.py ComputeManager.unpause_instance: "
                "driver.unpause, then vm_state = ACTIVE, task_state = None, save"),
    # --------------------------------------------------------------------------- suspend
    before("suspend", L, driver(CMP, "suspend"), write(CMP, field="vm_state=SUSPENDED"),
           cite="12.0.0 nova/compute/manager.py ComputeManager.suspend_instance: "
                "driver.suspend inside _error_out_instance_on_exception, then "
                "vm_state = SUSPENDED, save"),
    absent("suspend", L, None, None, None, None, inside=ERROR_OUT, name="error-out-handler",
           cite="12.0.0 nova/compute/manager.py ComputeManager._error_out_instance_on_exception:"
                " its except NotImplementedError only runs when the wrapped driver.suspend "
                "raises (an error path, off by default)"),
    # --------------------------------------------------------------------------- resume
    before("resume", L, service(CMP, "neutron", "get_instance_nw_info"),
           driver(CMP, "resume"),
           cite="12.0.0 nova/compute/manager.py ComputeManager.resume_instance: "
                "network_api.get_instance_nw_info before driver.resume(..., network_info)"),
    # --------------------------------------------------------------------------- reboot
    appears("reboot", L, "db", API, DB, SAVE, field="task_state=REBOOTING_HARD",
            cite="12.0.0 nova/compute/api.py API.reboot: task_state = {'SOFT': REBOOTING, "
                 "'HARD': REBOOTING_HARD}[reboot_type]; instance.save"),
    before("reboot", L, write(CMP, field="task_state=REBOOT_STARTED"), driver(CMP, "reboot"),
           cite="12.0.0 nova/compute/manager.py ComputeManager.reboot_instance: task_state = "
                "REBOOT_STARTED(_HARD), save, then self.driver.reboot"),
    appears("reboot", L, "note", VIRT, None, HARD_REBOOT, name="hard-reboot-drawn",
            about="#18.4",
            cite="12.0.0 nova/virt/libvirt/driver.py LibvirtDriver.reboot: "
                 "return self._hard_reboot(...) for HARD or a failed soft reboot"),
    absent("reboot", L, None, VIRT, None, HARD_REBOOT,
           outside=Inside(anchor="LibvirtDriver.reboot"), name="hard-reboot-only-in-branch",
           cite="12.0.0 nova/virt/libvirt/driver.py LibvirtDriver.reboot: `if "
                "soft_reboot_success: ... return` ends the soft path; _hard_reboot only "
                "when reboot_type != 'SOFT' or the soft reboot failed"),
    absent("reboot", L, "note", API, None, policy("compute:reboot"),
           cite="12.0.0 nova/api/openstack/compute/servers.py ServersController.__init__: "
                "compute.API(skip_policy_check=True); API.reboot's @wrap_check_policy "
                "then skips check_policy"),
    # --------------------------------------------------------------------------- delete
    appears("delete", L, "db", API, DB, SAVE, field="task_state=DELETING",
            cite="12.0.0 nova/compute/api.py API._delete_instance passes "
                 "task_state=DELETING; API._delete: instance.update(instance_attrs); "
                 "instance.progress = 0; instance.save()"),
    exclusive("delete", L, write(API, rx(r"\binstance\.destroy\b"), anchor="API._delete"),
              call(API, ANY_COMPUTE, "confirm_resize"), name="never-scheduled-returns",
              cite="12.0.0 nova/compute/api.py API._delete: `if not instance.host and not "
                   "shelved_offloaded: ... instance.destroy() ... return` before "
                   "_confirm_resize_on_deleting"),
    apart("delete", L, call(API, ANY_COMPUTE, "confirm_resize"),
          cast(API, ANY_COMPUTE, "terminate_instance"),
          cite="12.0.0 nova/compute/api.py API._confirm_resize_on_deleting sends "
               "confirm_resize to migration.source_compute; API._do_delete sends "
               "terminate_instance to instance.host (the resize destination)"),
    absent("delete", L, "cast", API, ANY_COMPUTE, "soft_delete_instance",
           cite="12.0.0 nova/api/openstack/compute/servers.py ServersController._delete: "
                "soft_delete only `if CONF.reclaim_instance_interval`, default 0 "
                "(nova/compute/manager.py interval_opts)"),
    absent("delete", L, "driver", ANY_COMPUTE, ANY_VIRT, "soft_delete",
           name="driver-soft-delete",
           cite="12.0.0 nova/compute/manager.py ComputeManager.soft_delete_instance (driver."
                "soft_delete) runs only for the soft_delete_instance cast, sent only `if "
                "CONF.reclaim_instance_interval` (default 0); the handler of a cast sent in "
                "a branch is drawn at top level after the response"),
    absent("delete", L, None, None, None, None, inside=Inside(label=r"cell_type == 'api'"),
           name="no-cells-v1-branch",
           cite="12.0.0 nova/compute/api.py API.cell_type is cells_opts.get_cell_type(), "
                "None unless CONF.cells.enable (default False, nova/cells/opts.py)"),
    absent("delete", L, "note", API, None, policy("compute:delete"),
           cite="12.0.0 nova/api/openstack/compute/servers.py: compute.API("
                "skip_policy_check=True); API.delete's @wrap_check_policy skips the check"),
    before("delete", L, driver(ANY_COMPUTE, "destroy", ANY_VIRT), write(ANY_COMPUTE, field="vm_state=DELETED"),
           cite="12.0.0 nova/compute/manager.py ComputeManager._delete_instance: "
                "_shutdown_instance (driver.destroy) before vm_state = DELETED, save"),
    appears("delete", L, "service", ANY_COMPUTE, "neutron", "deallocate_for_instance",
            cite="12.0.0 nova/compute/manager.py ComputeManager._shutdown_instance -> "
                 "_try_deallocate_network -> _deallocate_network: "
                 "network_api.deallocate_for_instance"),
    # --------------------------------------------------------------------------- boot
    appears("boot", L, "db", API, DB, CREATE, field="vm_state=BUILDING",
            cite="12.0.0 nova/compute/api.py API._populate_instance_for_create: "
                 "vm_state = BUILDING, task_state = SCHEDULING; "
                 "create_db_entry_for_new_instance: instance.create()"),
    absent("boot", L, "service", API, "neutron", "get_instance_nw_info",
           cite="12.0.0 nova/notifications.py send_update_with_states: `if not "
                "CONF.notify_on_state_change: return` (StrOpt, no default: None), so "
                "API._provision_instances' state notification reads no network info"),
    appears("boot", L, "cast", API, COND, "build_instances",
            cite="12.0.0 nova/conductor/rpcapi.py ComputeTaskAPI.build_instances: cctxt.cast"),
    appears("boot", L, "service", CMP, "neutron", "allocate_for_instance",
            cite="12.0.0 nova/compute/manager.py ComputeManager._allocate_network_async: "
                 "self.network_api.allocate_for_instance"),
    before("boot", L, write(CMP, field="task_state=BLOCK_DEVICE_MAPPING"),
           write(CMP, field="task_state=SPAWNING"),
           cite="12.0.0 nova/compute/manager.py ComputeManager._build_resources saves "
                "BLOCK_DEVICE_MAPPING; _build_and_run_instance then saves SPAWNING"),
    before("boot", L, write(CMP, field="task_state=SPAWNING"), driver(CMP, "spawn"),
           cite="12.0.0 nova/compute/manager.py ComputeManager._build_and_run_instance: "
                "task_state = SPAWNING, save, then self.driver.spawn"),
    appears("boot", L, "service", CMP, "cinder", "initialize_connection",
            cite="12.0.0 nova/compute/manager.py ComputeManager._prep_block_device -> "
                 "nova/virt/block_device.py attach_block_devices: map(_log_and_attach) -> "
                 "DriverVolumeBlockDevice.attach: volume_api.initialize_connection"),
    # --------------------------------------------------------------------------- live-migrate
    appears("live-migrate", L, "db", SRC, DB, MIGRATION_SAVE, field="status=completed",
            cite="12.0.0 nova/compute/manager.py ComputeManager._post_live_migration: "
                 "migrate_data['migration'].status = 'completed'; "
                 "migrate_data['migration'].save()"),
    absent("live-migrate", L, "db", COND, DB, rx(r"_from_db_object"),
           cite="12.0.0 nova/conductor/manager.py ComputeTaskManager.migrate_server: "
                "Instance._from_db_object(..., expected_attrs=[metadata, system_metadata, "
                "info_cache, security_groups]) only converts a row (nova/objects/instance.py "
                "loads from the db only for fault/ec2_ids)"),
    before("live-migrate", L, write(SRC, MIGRATION_SAVE, field="status=running"),
           driver(SRC, "live_migration", VIRT_SRC),
           cite="12.0.0 nova/compute/manager.py ComputeManager._do_live_migration: "
                "migration.status = 'running'; save, then self.driver.live_migration"),
    appears("live-migrate", L, "cast", SRC, DEST, "post_live_migration_at_destination",
            cite="12.0.0 nova/compute/rpcapi.py post_live_migration_at_destination: "
                 "cctxt.cast to host; sent from ComputeManager._post_live_migration"),
    # --------------------------------------------------------------------------- volume-attach
    appears("volume-attach", L, "service", CMP, "cinder", "initialize_connection",
            cite="12.0.0 nova/compute/manager.py ComputeManager._attach_volume: "
                 "bdm.attach(...) -> nova/virt/block_device.py DriverVolumeBlockDevice.attach:"
                 " volume_api.initialize_connection(context, volume_id, connector)"),
    appears("volume-attach", L, "driver", CMP, VIRT, "attach_volume",
            cite="12.0.0 nova/virt/block_device.py DriverVolumeBlockDevice.attach: "
                 "do_driver_attach=True (from _attach_volume) -> virt_driver.attach_volume"),
    appears("volume-attach", L, "db", CMP, DB, BDM_SAVE, field="connection_info",
            cite="12.0.0 nova/virt/block_device.py DriverVolumeBlockDevice.attach: "
                 "self['connection_info'] = ...; self.save() -> DriverVolumeBlockDevice.save:"
                 " _bdm_obj.connection_info = ...; _bdm_obj.save()"),
    before("volume-attach", L, service(CMP, "cinder", "initialize_connection"),
           service(CMP, "cinder", "attach"),
           cite="12.0.0 nova/virt/block_device.py DriverVolumeBlockDevice.attach: "
                "initialize_connection, driver attach, save, then volume_api.attach"),
    absent("volume-attach", L, "note", API, None, policy("compute:attach_volume"),
           cite="12.0.0 nova/api/openstack/compute/volumes.py VolumeAttachmentController."
                "__init__: compute.API(skip_policy_check=True)"),
    before("volume-attach", L, call(API, CMP, "reserve_block_device_name"),
           cast(API, CMP, "attach_volume"),
           cite="12.0.0 nova/compute/api.py API._attach_volume: "
                "compute_rpcapi.reserve_block_device_name (call), volume_api.reserve_volume, "
                "then compute_rpcapi.attach_volume (cast)"),
    # --------------------------------------------------------------------------- volume-detach
    appears("volume-detach", L, "cast", API, CMP, "detach_volume",
            about="#18.9",
            cite="12.0.0 nova/compute/api.py API._detach_volume: "
                 "compute_rpcapi.detach_volume (cast)"),
    absent("volume-detach", L, "cast", API, CMP, "detach_volume", inside=Inside(kind="loop"),
           name="detach-volume-not-in-loop",
           cite="12.0.0 nova/api/openstack/compute/volumes.py VolumeAttachmentController."
                "delete: `for bdm in bdms: if bdm.volume_id != volume_id: continue ... "
                "detach_volume ... break` (a search: one detach)"),
    absent("volume-detach", L, "driver", CMP, VIRT, "block_stats",
           cite="12.0.0 nova/compute/manager.py ComputeManager._detach_volume: block_stats "
                "only `if CONF.volume_usage_poll_interval > 0`, default 0"),
    before("volume-detach", L, driver(CMP, "detach_volume"),
           service(CMP, "cinder", "terminate_connection"),
           cite="12.0.0 nova/compute/manager.py ComputeManager._detach_volume: "
                "_driver_detach_volume (driver.detach_volume) then "
                "volume_api.terminate_connection, then volume_api.detach"),
    # --------------------------------------------------------------------------- image-create
    before("image-create", L, write(API, field="task_state=IMAGE_SNAPSHOT_PENDING"),
           cast(API, CMP, "snapshot_instance"),
           cite="12.0.0 nova/compute/api.py API.snapshot: _create_image (glance), "
                "task_state = IMAGE_SNAPSHOT_PENDING, save, compute_rpcapi.snapshot_instance"),
    appears("image-create", L, "db", CMP, DB, SAVE, field="task_state=IMAGE_UPLOADING",
            cite="12.0.0 nova/virt/libvirt/driver.py LibvirtDriver.snapshot: "
                 "update_task_state(IMAGE_UPLOADING) -> nova/compute/manager.py "
                 "_snapshot_instance.update_task_state: instance.task_state = ...; save"),
    absent("image-create", L, "cast", API, CMP, "unquiesce_instance",
           outside=Inside(label=r"quiesced"), name="unquiesce-only-if-quiesced",
           cite="12.0.0 nova/compute/api.py API.snapshot_volume_backed: quiesced = False; "
                "True only after quiesce_instance succeeds; `if quiesced: "
                "compute_rpcapi.unquiesce_instance(...)`"),
    # --------------------------------------------------------------------------- backup
    before("backup", L, write(API, field="task_state=IMAGE_BACKUP"),
           cast(API, CMP, "backup_instance"),
           cite="12.0.0 nova/compute/api.py API.backup: task_state = IMAGE_BACKUP, save, "
                "compute_rpcapi.backup_instance"),
    appears("backup", L, "service", CMP, "glance", "get_all",
            cite="12.0.0 nova/compute/manager.py ComputeManager._rotate_backups: "
                 "self.image_api.get_all(context, filters=..., sort_key='created_at')"),
    # --------------------------------------------------------------------------- shelve
    appears("shelve", L, "db", CMP, DB, SAVE, field="task_state=SHELVING_IMAGE_UPLOADING",
            cite="12.0.0 nova/compute/manager.py ComputeManager.shelve_instance."
                 "update_task_state: task_state = shelving_state_map[task_state], "
                 "IMAGE_UPLOADING -> SHELVING_IMAGE_UPLOADING"),
    before("shelve", L, service(API, "glance", "create"), cast(API, CMP, "shelve_instance"),
           cite="12.0.0 nova/compute/api.py API.shelve: not volume-backed: _create_image "
                "(image_api.create) then compute_rpcapi.shelve_instance(image_id=...)"),
    # --------------------------------------------------------------------------- unshelve
    appears("unshelve", L, "service", CMP, "cinder", "initialize_connection",
            cite="12.0.0 nova/compute/manager.py ComputeManager._unshelve_instance: "
                 "_prep_block_device -> attach_block_devices -> "
                 "DriverVolumeBlockDevice.attach: volume_api.initialize_connection"),
    before("unshelve", L, write(CMP, field="task_state=SPAWNING"), driver(CMP, "spawn"),
           cite="12.0.0 nova/compute/manager.py ComputeManager._unshelve_instance: "
                "task_state = SPAWNING, save, ..., driver.spawn"),
    # --------------------------------------------------------------------------- rebuild
    appears("rebuild", L, "service", CMP, "cinder", "initialize_connection",
            cite="12.0.0 nova/compute/manager.py ComputeManager._do_rebuild_instance passes "
                 "attach_block_devices=self._prep_block_device; _rebuild_default_impl calls "
                 "it -> DriverVolumeBlockDevice.attach: initialize_connection"),
    before("rebuild", L, write(CMP, field="task_state=REBUILD_BLOCK_DEVICE_MAPPING"),
           write(CMP, field="task_state=REBUILD_SPAWNING"),
           cite="12.0.0 nova/compute/manager.py ComputeManager._rebuild_default_impl: "
                "REBUILD_BLOCK_DEVICE_MAPPING, attach_block_devices, REBUILD_SPAWNING, spawn"),
    absent("rebuild", L, "service", None, "glance", "generate_image_url",
           about="#18.8",
           cite="12.0.0 nova/image/glance.py generate_image_url: returns '%s/images/%s' % "
                "(generate_glance_url(), image_ref), a string built from CONF.glance; called "
                "from ComputeManager._do_rebuild_instance for the exists notification"),
    absent("rebuild", L, None, None, None, None, inside=ERROR_OUT, name="error-out-handler",
           cite="12.0.0 nova/compute/manager.py ComputeManager.rebuild_instance: `with "
                "self._error_out_instance_on_exception(context, instance):` wraps the work; "
                "its except branches are error paths"),
    # --------------------------------------------------------------------------- evacuate
    appears("evacuate", L, "db", API, DB, rx(r"\bmigration\.create\b"),
            field="status=accepted",
            cite="12.0.0 nova/compute/api.py API.evacuate: objects.Migration(..., "
                 "status='accepted', migration_type='evacuation'); migration.create()"),
    appears("evacuate", L, "cast", COND, ANY_COMPUTE, "rebuild_instance",
            cite="12.0.0 nova/conductor/manager.py ComputeTaskManager.rebuild_instance: "
                 "compute_rpcapi.rebuild_instance(host=host) to the scheduled host"),
    appears("evacuate", L, "service", ANY_COMPUTE, "neutron", "setup_instance_network_on_host",
            cite="12.0.0 nova/compute/manager.py ComputeManager._do_rebuild_instance: "
                 "`if recreate:` network_api.setup_instance_network_on_host(..., self.host)"),
    absent("evacuate", L, None, None, None, None, inside=ERROR_OUT, name="error-out-handler",
           cite="12.0.0 nova/compute/manager.py ComputeManager.rebuild_instance: the "
                "_error_out_instance_on_exception context manager's except branches"),
    # --------------------------------------------------------------------------- resize
    appears("resize", L, "db", DEST, DB, SAVE,
            field=r"(new_flavor|system_metadata(\['\w+'\])?)",
            anchor="ComputeManager._prep_resize",
            cite="12.0.0 nova/compute/manager.py ComputeManager._prep_resize: "
                 "instance.set_flavor(instance_type, 'new'); "
                 "instance.system_metadata['old_vm_state'] = vm_state; instance.save()"),
    absent("resize", L, "db", COND, DB, rx(r"_from_db_object"),
           cite="12.0.0 nova/conductor/manager.py ComputeTaskManager.migrate_server: "
                "Instance._from_db_object converts a row, no database access"),
    before("resize", L, write(SRC, field="task_state=RESIZE_MIGRATING"),
           driver(SRC, "migrate_disk_and_power_off", VIRT_SRC),
           cite="12.0.0 nova/compute/manager.py ComputeManager.resize_instance: "
                "task_state = RESIZE_MIGRATING, save, then driver.migrate_disk_and_power_off"),
    before("resize", L, driver(DEST, "finish_migration", VIRT_DEST),
           write(DEST, field="vm_state=RESIZED"),
           cite="12.0.0 nova/compute/manager.py ComputeManager._finish_resize: "
                "driver.finish_migration, then vm_state = RESIZED, save"),
    absent("resize", L, None, None, None, None, inside=ERROR_OUT, name="error-out-handler",
           cite="12.0.0 nova/compute/manager.py ComputeManager.prep_resize / "
                "resize_instance: `with self._error_out_instance_on_exception(...)`; its "
                "except branches are error paths"),
    # --------------------------------------------------------------------------- migrate
    before("migrate", L, write(API, field="task_state=RESIZE_PREP"),
           call(API, COND, "migrate_server"),
           cite="12.0.0 nova/compute/api.py API.resize (flavor_id=None): task_state = "
                "RESIZE_PREP, save, compute_task_api.resize_instance -> conductor "
                "migrate_server (call)"),
    appears("migrate", L, "cast", COND, DEST, "prep_resize",
            cite="12.0.0 nova/conductor/tasks/migrate.py MigrationTask._execute: "
                 "compute_rpcapi.prep_resize(..., host) to the selected host"),
    # --------------------------------------------------------------------------- stop/start
    before("stop", L, write(API, field="task_state=POWERING_OFF"),
           cast(API, CMP, "stop_instance"),
           cite="12.0.0 nova/compute/api.py API.force_stop: task_state = POWERING_OFF, save,"
                " compute_rpcapi.stop_instance(do_cast=True)"),
    before("stop", L, driver(CMP, "power_off"), write(CMP, field="vm_state=STOPPED"),
           cite="12.0.0 nova/compute/manager.py ComputeManager.stop_instance."
                "do_stop_instance: _power_off_instance (driver.power_off), "
                "vm_state = STOPPED, save"),
    before("start", L, driver(CMP, "power_on"), write(CMP, field="vm_state=ACTIVE"),
           cite="12.0.0 nova/compute/manager.py ComputeManager.start_instance: _power_on "
                "(driver.power_on), then vm_state = ACTIVE, save"),
    # --------------------------------------------------------------------------- rescue
    appears("rescue", L, "service", CMP, "glance", "get",
            cite="12.0.0 nova/compute/manager.py ComputeManager._get_rescue_image: "
                 "self.image_api.get(context, rescue_image_ref)"),
    before("rescue", L, driver(CMP, "rescue"), write(CMP, field="vm_state=RESCUED"),
           cite="12.0.0 nova/compute/manager.py ComputeManager.rescue_instance: "
                "driver.rescue, then vm_state = RESCUED, save"),
    absent("rescue", L, "note", API, None, policy("compute:rescue"),
           cite="12.0.0 nova/api/openstack/compute/rescue.py RescueController.__init__: "
                "compute.API(skip_policy_check=True)"),
    absent("unrescue", L, None, None, None, None, inside=ERROR_OUT, name="error-out-handler",
           cite="12.0.0 nova/compute/manager.py ComputeManager.unrescue_instance: driver."
                "unrescue inside _error_out_instance_on_exception; except = error path"),
    # --------------------------------------------------------------------------- lock
    absent("lock", L, "db", API, DB, SAVE, field="locked=True",
           outside=Inside(anchor="API.lock"), name="save-only-if-not-already-locked",
           cite="12.0.0 nova/compute/api.py API.lock: `if instance.locked and is_owner: "
                "return` before instance.locked = True; save"),
    appears("lock", L, "db", API, DB, SAVE, field="locked=True",
            about="#18.4",
            cite="12.0.0 nova/compute/api.py API.lock: instance.locked = True; save"),
    absent("lock", L, "note", API, None, policy("compute:lock"),
           cite="12.0.0 nova/api/openstack/compute/lock_server.py LockServerController."
                "__init__: compute.API(skip_policy_check=True)"),
    # --------------------------------------------------------------------------- interface-attach
    appears("interface-attach", L, "call", API, CMP, "attach_interface",
            cite="12.0.0 nova/compute/rpcapi.py ComputeAPI.attach_interface: cctxt.call"),
    before("interface-attach", L, service(CMP, "neutron", "allocate_port_for_instance"),
           driver(CMP, "attach_interface"),
           cite="12.0.0 nova/compute/manager.py ComputeManager.attach_interface: "
                "network_api.allocate_port_for_instance, then driver.attach_interface"),
]


MODERN = [
    # --------------------------------------------------------------------------- pause
    before("pause", M, write(API, field="task_state=PAUSING"), cast(API, CMP, "pause_instance"),
           cite="34.0.0 nova/compute/api.py API.pause: task_state = PAUSING; save; "
                "_record_action_start; compute_rpcapi.pause_instance"),
    before("pause", M, driver(CMP, "pause"), write(CMP, field="vm_state=PAUSED"),
           cite="34.0.0 nova/compute/manager.py ComputeManager.pause_instance: "
                "driver.pause, then vm_state = PAUSED, save"),
    before("unpause", M, driver(CMP, "unpause"), write(CMP, field="vm_state=ACTIVE"),
           cite="34.0.0 nova/compute/manager.py ComputeManager.unpause_instance: "
                "driver.unpause, then vm_state = ACTIVE, save"),
    before("suspend", M, driver(CMP, "suspend"), write(CMP, field="vm_state=SUSPENDED"),
           cite="34.0.0 nova/compute/manager.py ComputeManager.suspend_instance: "
                "driver.suspend, then vm_state = SUSPENDED, save"),
    before("resume", M, service(CMP, "neutron", "get_instance_nw_info"),
           driver(CMP, "resume"),
           cite="34.0.0 nova/compute/manager.py ComputeManager.resume_instance: "
                "network_api.get_instance_nw_info, then driver.resume"),
    # --------------------------------------------------------------------------- reboot
    appears("reboot", M, "db", API, DB, SAVE, field="task_state=REBOOTING_HARD",
            cite="34.0.0 nova/compute/api.py API._hard_reboot: task_state = REBOOTING_HARD;"
                 " save"),
    before("reboot", M, write(CMP, field="task_state=REBOOT_STARTED"), driver(CMP, "reboot"),
           cite="34.0.0 nova/compute/manager.py ComputeManager._reboot_instance: "
                "task_state = REBOOT_STARTED(_HARD), save, then driver.reboot"),
    appears("reboot", M, "note", VIRT, None, HARD_REBOOT, name="hard-reboot-drawn",
            about="#18.4",
            cite="34.0.0 nova/virt/libvirt/driver.py LibvirtDriver.reboot: "
                 "return self._hard_reboot(...)"),
    absent("reboot", M, None, VIRT, None, HARD_REBOOT,
           outside=Inside(anchor="LibvirtDriver.reboot"), name="hard-reboot-only-in-branch",
           cite="34.0.0 nova/virt/libvirt/driver.py LibvirtDriver.reboot: `if "
                "soft_reboot_success: LOG.info(...); return`"),
    # --------------------------------------------------------------------------- delete
    appears("delete", M, "db", API, DB, SAVE, field="task_state=DELETING",
            cite="34.0.0 nova/compute/api.py API._delete_instance passes "
                 "task_state=DELETING; API._delete: instance.update(instance_attrs); "
                 "progress = 0; save"),
    exclusive("delete", M, write(API, rx(r"\binstance\.destroy\b"), anchor="API._delete"),
              call(API, ANY_COMPUTE, "confirm_resize"), name="never-scheduled-returns",
              cite="34.0.0 nova/compute/api.py API._delete: `if not instance.host and not "
                   "may_have_ports_or_volumes: ... instance.destroy() ... return` before "
                   "_confirm_resize_on_deleting",
              about="#18.4"),
    apart("delete", M, call(API, ANY_COMPUTE, "confirm_resize"),
          cast(API, ANY_COMPUTE, "terminate_instance"),
          cite="34.0.0 nova/compute/api.py API._confirm_resize_on_deleting: "
               "confirm_resize(..., migration.source_compute); API._do_delete: "
               "terminate_instance -> rpcapi _compute_host(None, instance) = instance.host"),
    absent("delete", M, "cast", API, ANY_COMPUTE, "soft_delete_instance",
           cite="34.0.0 nova/api/openstack/compute/servers.py ServersController._delete: "
                "soft_delete only `if CONF.reclaim_instance_interval`, default 0 "
                "(nova/conf/compute.py)"),
    absent("delete", M, "driver", ANY_COMPUTE, ANY_VIRT, "soft_delete",
           name="driver-soft-delete",
           cite="34.0.0 nova/compute/manager.py ComputeManager.soft_delete_instance (driver."
                "soft_delete) serves only the soft_delete_instance cast, sent only `if "
                "CONF.reclaim_instance_interval` (default 0, nova/conf/compute.py)"),
    absent("delete", M, None, None, None, None,
           inside=Inside(label=r"delete_type == 'soft_delete'"), name="no-soft-delete-only-save",
           cite="34.0.0 nova/compute/api.py API._delete: `if delete_type == 'soft_delete': "
                "instance.save()` after confirm-on-delete; on the default path "
                "API._delete_instance passes delete_type='delete' (and soft_delete itself is "
                "off: CONF.reclaim_instance_interval=0)"),
    before("delete", M, driver(ANY_COMPUTE, "destroy", ANY_VIRT), write(ANY_COMPUTE, field="vm_state=DELETED"),
           cite="34.0.0 nova/compute/manager.py ComputeManager._delete_instance: "
                "_shutdown_instance (driver.destroy), then vm_state = DELETED, save"),
    # --------------------------------------------------------------------------- boot
    absent("boot", M, "service", None, "glance", "generate_image_url",
           cite="34.0.0 nova/image/glance.py API.generate_image_url: a staticmethod that "
                "formats '%s/images/%s' from get_api_servers (config or keystone catalog); "
                "no request to glance (called from nova/notifications/base.py "
                "info_from_instance)"),
    appears("boot", M, "service", CMP, "cinder", "attachment_update",
            cite="34.0.0 nova/compute/manager.py ComputeManager._prep_block_device -> "
                 "nova/virt/block_device.py attach_block_devices -> "
                 "DriverVolumeBlockDevice.attach -> _do_attach -> _volume_attach: "
                 "volume_api.attachment_update"),
    appears("boot", M, "db", API, DB, rx(r"\b(br|build_request|BuildRequest)\.create\b"),
            name="build-request-create",
            cite="34.0.0 nova/compute/api.py API._provision_instances -> "
                 "_create_reqspec_buildreq_instmapping: rs.create(); br.create(); "
                 "im.create()"),
    appears("boot", M, "cast", API, COND, "schedule_and_build_instances",
            cite="34.0.0 nova/conductor/rpcapi.py ComputeTaskAPI."
                 "schedule_and_build_instances: cctxt.cast"),
    appears("boot", M, "service", SCHED, "placement", "claim_resources",
            cite="34.0.0 nova/scheduler/manager.py SchedulerManager._schedule: "
                 "utils.claim_resources(elevated, self.placement_client, ...) -> "
                 "nova/scheduler/utils.py claim_resources: client.claim_resources"),
    appears("boot", M, "service", CMP, "neutron", "allocate_for_instance",
            cite="34.0.0 nova/compute/manager.py ComputeManager._allocate_network_async: "
                 "network_api.allocate_for_instance"),
    before("boot", M, write(CMP, field="task_state=BLOCK_DEVICE_MAPPING"),
           driver(CMP, "spawn"),
           cite="34.0.0 nova/compute/manager.py ComputeManager._build_resources: "
                "BLOCK_DEVICE_MAPPING save; _build_and_run_instance: SPAWNING, driver.spawn"),
    # --------------------------------------------------------------------------- live-migrate
    appears("live-migrate", M, "db", SRC, DB, MIGRATION_SAVE, field="status=completed",
            about="#18.3",
            cite="34.0.0 nova/compute/manager.py ComputeManager._post_live_migration: "
                 "migrate_data.migration.status = 'completed'; "
                 "migrate_data.migration.save()"),
    before("live-migrate", M, call(SRC, DEST, "pre_live_migration"),
           driver(SRC, "live_migration", VIRT_SRC),
           cite="34.0.0 nova/compute/manager.py ComputeManager._do_live_migration: "
                "compute_rpcapi.pre_live_migration (call to dest) before "
                "driver.live_migration"),
    appears("live-migrate", M, "call", SRC, DEST, "post_live_migration_at_destination",
            cite="34.0.0 nova/compute/manager.py ComputeManager._post_live_migration: "
                 "compute_rpcapi.post_live_migration_at_destination (a call in 34.0.0)"),
    # --------------------------------------------------------------------------- volume-attach
    appears("volume-attach", M, "service", CMP, "cinder", "attachment_update",
            cite="34.0.0 nova/compute/manager.py ComputeManager._attach_volume: bdm.attach("
                 "..., do_driver_attach=True) -> nova/virt/block_device.py "
                 "DriverVolumeBlockDevice._do_attach -> _volume_attach: "
                 "volume_api.attachment_update"),
    appears("volume-attach", M, "driver", CMP, VIRT, "attach_volume",
            cite="34.0.0 nova/virt/block_device.py DriverVolumeBlockDevice._volume_attach: "
                 "`if do_driver_attach:` virt_driver.attach_volume"),
    appears("volume-attach", M, "db", CMP, DB, BDM_SAVE, field="connection_info",
            cite="34.0.0 nova/virt/block_device.py DriverVolumeBlockDevice._volume_attach: "
                 "self['connection_info'] = ...; self.save() -> save: "
                 "_bdm_obj.connection_info = ...; _bdm_obj.save()"),
    appears("volume-attach", M, "service", CMP, "cinder", "attachment_complete",
            cite="34.0.0 nova/virt/block_device.py DriverVolumeBlockDevice._volume_attach: "
                 "volume_api.attachment_complete (marks the volume in-use)"),
    before("volume-attach", M, service(CMP, "cinder", "attachment_update"),
           driver(CMP, "attach_volume"),
           cite="34.0.0 nova/virt/block_device.py DriverVolumeBlockDevice._volume_attach: "
                "attachment_update returns the connection_info the driver attaches with"),
    before("volume-attach", M, call(COND, CMP, "reserve_block_device_name"),
           cast(COND, CMP, "attach_volume"),
           about="#18.2",
           cite="34.0.0 nova/conductor/manager.py ComputeTaskManager.attach_volume: "
                "_create_volume_bdm (reserve_block_device_name, a call), "
                "check_attach_and_reserve_volume, then compute_rpcapi.attach_volume (cast)"),
    # --------------------------------------------------------------------------- volume-detach
    appears("volume-detach", M, "cast", API, CMP, "detach_volume",
            name="cast-detach-volume",
            about="#18.9",
            cite="34.0.0 nova/compute/api.py API._detach_volume: "
                 "compute_rpcapi.detach_volume (cast) after volume_api.begin_detaching"),
    absent("volume-detach", M, "cast", API, CMP, "detach_volume", inside=Inside(kind="loop"),
           name="detach-volume-not-in-loop",
           about="#18.9",
           cite="34.0.0 nova/api/openstack/compute/volume_attachments.py "
                "VolumeAttachmentController.delete: one BDM by get_by_volume_and_instance, "
                "one compute_api.detach_volume"),
    appears("volume-detach", M, "driver", CMP, VIRT, "detach_volume",
            name="driver-detach-volume",
            cite="34.0.0 nova/compute/manager.py ComputeManager._detach_volume: driver_bdm ="
                 " convert_volume(bdm); driver_bdm.detach(...) -> nova/virt/block_device.py "
                 "DriverVolumeBlockDevice._do_detach -> driver_detach: "
                 "virt_driver.detach_volume"),
    appears("volume-detach", M, "service", CMP, "cinder", "attachment_delete",
            cite="34.0.0 nova/virt/block_device.py DriverVolumeBlockDevice._do_detach: "
                 "`else:` (the BDM has an attachment_id) volume_api.attachment_delete"),
    absent("volume-detach", M, "driver", CMP, VIRT, "block_stats",
           cite="34.0.0 nova/compute/manager.py ComputeManager._notify_volume_usage_detach: "
                "`if CONF.volume_usage_poll_interval <= 0: return` (default 0, "
                "nova/conf/compute.py) before driver.block_stats"),
    # --------------------------------------------------------------------------- image-create
    absent("image-create", M, "service", None, "glance", "generate_image_url",
           cite="34.0.0 nova/api/openstack/compute/servers.py ServersController._create_image:"
                " glance.API().generate_image_url only formats the Location header "
                "(nova/image/glance.py API.generate_image_url)"),
    absent("image-create", M, "cast", API, CMP, "unquiesce_instance",
           outside=Inside(label=r"quiesced"), name="unquiesce-only-if-quiesced",
           cite="34.0.0 nova/compute/api.py API.snapshot_volume_backed: quiesced = False, "
                "True only after quiesce_instance; `if quiesced: unquiesce_instance`"),
    before("image-create", M, write(API, field="task_state=IMAGE_SNAPSHOT_PENDING"),
           cast(API, CMP, "snapshot_instance"),
           cite="34.0.0 nova/compute/api.py API.snapshot: task_state = "
                "IMAGE_SNAPSHOT_PENDING, save, then compute_rpcapi.snapshot_instance"),
    # --------------------------------------------------------------------------- backup
    before("backup", M, write(API, field="task_state=IMAGE_BACKUP"),
           cast(API, CMP, "backup_instance"),
           cite="34.0.0 nova/compute/api.py API.backup: task_state = IMAGE_BACKUP, save, "
                "compute_rpcapi.backup_instance"),
    # --------------------------------------------------------------------------- shelve
    appears("shelve", M, "db", CMP, DB, SAVE, field="task_state=SHELVING_IMAGE_UPLOADING",
            cite="34.0.0 nova/compute/manager.py ComputeManager._shelve_instance."
                 "update_task_state: shelving_state_map maps IMAGE_UPLOADING to "
                 "SHELVING_IMAGE_UPLOADING; instance.save"),
    before("shelve", M, service(API, "glance", "create"), cast(API, CMP, "shelve_instance"),
           cite="34.0.0 nova/compute/api.py API.shelve: not volume-backed: "
                "compute_utils.create_image (glance) then compute_rpcapi.shelve_instance"),
    # --------------------------------------------------------------------------- unshelve
    appears("unshelve", M, "service", CMP, "cinder", "attachment_update",
            cite="34.0.0 nova/compute/manager.py ComputeManager._unshelve_instance: "
                 "_prep_block_device -> attach_block_devices -> "
                 "DriverVolumeBlockDevice.attach -> _volume_attach: attachment_update"),
    before("unshelve", M, write(CMP, field="task_state=SPAWNING"), driver(CMP, "spawn"),
           cite="34.0.0 nova/compute/manager.py ComputeManager._unshelve_instance: "
                "task_state = SPAWNING, save, ..., driver.spawn"),
    # --------------------------------------------------------------------------- rebuild
    appears("rebuild", M, "service", CMP, "cinder", "attachment_update",
            cite="34.0.0 nova/compute/manager.py ComputeManager._do_rebuild_instance: "
                 "attach_block_devices=self._prep_block_device, called by "
                 "_rebuild_default_impl -> DriverVolumeBlockDevice.attach: "
                 "attachment_update"),
    before("rebuild", M, write(CMP, field="task_state=REBUILD_SPAWNING"),
           driver(CMP, "spawn"),
           cite="34.0.0 nova/compute/manager.py ComputeManager._rebuild_default_impl: "
                "task_state = REBUILD_SPAWNING, save, then driver.spawn"),
    absent("rebuild", M, "service", None, "glance", "generate_image_url",
           cite="34.0.0 nova/compute/manager.py ComputeManager._do_rebuild_instance: "
                "self.image_api.generate_image_url(orig_image_ref, context) for the exists "
                "notification; nova/image/glance.py API.generate_image_url only formats a URL"),
    # --------------------------------------------------------------------------- evacuate
    appears("evacuate", M, "db", API, DB, rx(r"\bmigration\.create\b"),
            field="status=accepted",
            cite="34.0.0 nova/compute/api.py API.evacuate: objects.Migration(..., "
                 "status='accepted', migration_type='evacuation'); migration.create()"),
    appears("evacuate", M, "cast", COND, ANY_COMPUTE, "rebuild_instance",
            cite="34.0.0 nova/conductor/manager.py ComputeTaskManager.rebuild_instance: "
                 "compute_rpcapi.rebuild_instance(..., host=host) to the selected host"),
    # --------------------------------------------------------------------------- resize
    appears("resize", M, "db", DEST, DB, SAVE, field="new_flavor",
            anchor="ComputeManager._prep_resize",
            about="#18.3",
            cite="34.0.0 nova/compute/manager.py ComputeManager._prep_resize: "
                 "instance.new_flavor = flavor; instance.save()"),
    before("resize", M, write(SRC, field="task_state=RESIZE_MIGRATING"),
           driver(SRC, "migrate_disk_and_power_off", VIRT_SRC),
           cite="34.0.0 nova/compute/manager.py ComputeManager._resize_instance: "
                "task_state = RESIZE_MIGRATING, save, driver.migrate_disk_and_power_off"),
    before("resize", M, driver(DEST, "finish_migration", VIRT_DEST),
           write(DEST, field="vm_state=RESIZED"),
           cite="34.0.0 nova/compute/manager.py ComputeManager._finish_resize: "
                "driver.finish_migration, then vm_state = RESIZED, save"),
    absent("resize", M, None, None, None, None, inside=ERROR_OUT, name="error-out-handler",
           about="#18.6",
           cite="34.0.0 nova/compute/manager.py ComputeManager._error_out_instance_on_"
                "exception: except branches are error paths"),
    # --------------------------------------------------------------------------- migrate
    before("migrate", M, write(API, field="task_state=RESIZE_PREP"),
           cast(API, COND, "migrate_server"),
           cite="34.0.0 nova/compute/api.py API.resize: task_state = RESIZE_PREP, save, "
                "compute_task_api.resize_instance(..., do_cast=True)"),
    appears("migrate", M, "cast", DEST, SRC, "resize_instance",
            cite="34.0.0 nova/compute/manager.py ComputeManager._prep_resize: "
                 "compute_rpcapi.resize_instance to migration.source_compute"),
    # --------------------------------------------------------------------------- stop/start
    before("stop", M, driver(CMP, "power_off"), write(CMP, field="vm_state=STOPPED"),
           cite="34.0.0 nova/compute/manager.py ComputeManager.stop_instance."
                "do_stop_instance: _power_off_instance, then vm_state = STOPPED, save"),
    before("start", M, driver(CMP, "power_on"), write(CMP, field="vm_state=ACTIVE"),
           cite="34.0.0 nova/compute/manager.py ComputeManager.start_instance: _power_on "
                "(driver.power_on), then vm_state = ACTIVE, save"),
    # --------------------------------------------------------------------------- rescue
    before("rescue", M, driver(CMP, "rescue"), write(CMP, field="vm_state=RESCUED"),
           cite="34.0.0 nova/compute/manager.py ComputeManager.rescue_instance: "
                "driver.rescue, then vm_state = RESCUED, save"),
    before("unrescue", M, driver(CMP, "unrescue"), write(CMP, field="vm_state=ACTIVE"),
           cite="34.0.0 nova/compute/manager.py ComputeManager.unrescue_instance: "
                "driver.unrescue, then vm_state = ACTIVE, save"),
    # --------------------------------------------------------------------------- lock
    absent("lock", M, "db", API, DB, SAVE, field="locked=True",
           outside=Inside(anchor="API.lock"), name="save-only-if-not-already-locked",
           cite="34.0.0 nova/compute/api.py API.lock: `if instance.locked and is_owner: "
                "return` before the nested lock() sets locked = True and saves"),
    appears("lock", M, "db", API, DB, SAVE, field="locked=True",
            about="#18.4",
            cite="34.0.0 nova/compute/api.py API.lock.lock: instance.locked = True; save"),
    # --------------------------------------------------------------------------- interface-attach
    appears("interface-attach", M, "call", API, CMP, "attach_interface",
            cite="34.0.0 nova/compute/rpcapi.py ComputeAPI.attach_interface: cctxt.call"),
    before("interface-attach", M, service(CMP, "neutron", "allocate_for_instance"),
           driver(CMP, "attach_interface"),
           cite="34.0.0 nova/compute/manager.py ComputeManager._attach_interface: "
                "network_api.allocate_for_instance, then driver.attach_interface"),
    # --------------------------------------------------------------------------- driver helpers
    # what a private helper of the driver asks another service is drawn (review2 D6, D9)
    before("assisted-volume-snapshots-create", M,
           service(VIRT, "cinder", "update_snapshot_status"),
           service(VIRT, "cinder", "get_snapshot"),
           cite="34.0.0 nova/virt/libvirt/driver.py LibvirtDriver.volume_snapshot_create: "
                "_volume_snapshot_update_status(..., 'creating') (self._volume_api."
                "update_snapshot_status), then _wait_for_snapshot (get_snapshot)"),
    appears("assisted-volume-snapshots-delete", M, "service", VIRT, "cinder",
            "update_snapshot_status",
            cite="34.0.0 nova/virt/libvirt/driver.py LibvirtDriver.volume_snapshot_delete: "
                 "_volume_snapshot_update_status(..., 'deleting')"),
    appears("aggregate-cache-images", M, "service", VIRT, "glance", "download",
            cite="34.0.0 nova/virt/libvirt/driver.py LibvirtDriver.cache_image: "
                 "images.fetch_to_raw; nova/virt/images.py fetch: IMAGE_API.download"),
    # the network API's own info-cache write, after it asks neutron (review2 C1)
    before("periodic-heal-instance-info-cache", M,
           service(CMP, "neutron", "get_instance_nw_info"),
           write(CMP, text=rx(r"InstanceInfoCache\.save")),
           cite="34.0.0 nova/network/neutron.py API.get_instance_nw_info: "
                "_get_instance_nw_info, then update_instance_cache_with_nw_info: "
                "ic = objects.InstanceInfoCache.new(...); ic.save()"),
    before("add-fixed-ip", M, service(CMP, "neutron", "add_fixed_ip_to_instance"),
           write(CMP, text=rx(r"InstanceInfoCache\.save")),
           cite="34.0.0 nova/network/neutron.py API.add_fixed_ip_to_instance: "
                "@refresh_cache (update_instance_cache_with_nw_info after the call)"),
    # a handler that raises on the default config fails the request (review2 D13)
    appears("get-spice-console", M, "response", API, "client", rx(r"^400\b"),
            cite="34.0.0 nova/compute/manager.py ComputeManager.get_spice_console: `if not "
                 "CONF.spice.enabled: raise exception.ConsoleTypeUnavailable`; nova/api/"
                 "openstack/compute/remote_consoles.py get_spice_console: except "
                 "ConsoleTypeUnavailable: raise HTTPBadRequest"),
    appears("server-remote-consoles-create", M, "return", API, CMP,
            "get_spice_console raises ConsoleTypeUnavailable",
            cite="34.0.0 nova/compute/manager.py ComputeManager.get_spice_console: `if not "
                 "CONF.spice.enabled: raise exception.ConsoleTypeUnavailable`"),
]


RECORDS = LIBERTY + MODERN
