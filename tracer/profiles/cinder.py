"""Cinder: the volume, scheduler and backup services (cinder-api sends to them).

Its clients (`cinder/{volume,scheduler,backup}/rpcapi.py`) derive from `cinder.rpc.RPCAPI`,
which builds the client from the class's TOPIC and prepares the context in `_get_cctxt`.

Its REST API (the block storage API v3) is a `routes.Mapper` router,
`cinder.api.v3.router.APIRouter`, whose `_setup_routes` connects the core resources, and
extension descriptors in `cinder/api/contrib/` that add resources (`ResourceExtension`) and
actions on existing ones (`ControllerExtension(self, 'volumes', VolumeActionsController())`
with `@wsgi.action('os-extend')` methods).
"""

from __future__ import annotations

from tracer.profiles import CASTELLAN, Profile, Rest, Tracing

_VOLUME = "/volumes/{volume_id}"
_ACTION = f"{_VOLUME}/action"

# python-cinderclient's shell command -> (HTTP method, path, action), as it sends them
# (without the project id: the router serves both forms)
CLIENT_COMMANDS: dict[str, tuple[str, str, str | None]] = {
    "create": ("POST", "/volumes", None),
    "list": ("GET", "/volumes/detail", None),
    "show": ("GET", _VOLUME, None),
    "rename": ("PUT", _VOLUME, None),
    "delete": ("DELETE", _VOLUME, None),
    "summary": ("GET", "/volumes/summary", None),
    "extend": ("POST", _ACTION, "os-extend"),
    "retype": ("POST", _ACTION, "os-retype"),
    "migrate": ("POST", _ACTION, "os-migrate_volume"),
    "reset-state": ("POST", _ACTION, "os-reset_status"),
    "force-delete": ("POST", _ACTION, "os-force_delete"),
    "readonly-mode-update": ("POST", _ACTION, "os-update_readonly_flag"),
    "set-bootable": ("POST", _ACTION, "os-set_bootable"),
    "upload-to-image": ("POST", _ACTION, "os-volume_upload_image"),
    "reimage": ("POST", _ACTION, "os-reimage"),
    "unmanage": ("POST", _ACTION, "os-unmanage"),
    "manage": ("POST", "/os-volume-manage", None),
    "manageable-list": ("GET", "/manageable_volumes/detail", None),
    "metadata-show": ("GET", f"{_VOLUME}/metadata", None),
    "metadata-update-all": ("PUT", f"{_VOLUME}/metadata", None),
    "attachment-create": ("POST", "/attachments", None),
    "attachment-list": ("GET", "/attachments", None),
    "attachment-show": ("GET", "/attachments/{attachment_id}", None),
    "attachment-update": ("PUT", "/attachments/{attachment_id}", None),
    "attachment-delete": ("DELETE", "/attachments/{attachment_id}", None),
    "attachment-complete": ("POST", "/attachments/{attachment_id}/action", "os-complete"),
    "snapshot-create": ("POST", "/snapshots", None),
    "snapshot-list": ("GET", "/snapshots/detail", None),
    "snapshot-show": ("GET", "/snapshots/{snapshot_id}", None),
    "snapshot-rename": ("PUT", "/snapshots/{snapshot_id}", None),
    "snapshot-delete": ("DELETE", "/snapshots/{snapshot_id}", None),
    "snapshot-reset-state": ("POST", "/snapshots/{snapshot_id}/action", "os-reset_status"),
    "snapshot-manage": ("POST", "/os-snapshot-manage", None),
    "snapshot-unmanage": ("POST", "/snapshots/{snapshot_id}/action", "os-unmanage"),
    "backup-create": ("POST", "/backups", None),
    "backup-list": ("GET", "/backups/detail", None),
    "backup-show": ("GET", "/backups/{backup_id}", None),
    "backup-update": ("PUT", "/backups/{backup_id}", None),
    "backup-delete": ("DELETE", "/backups/{backup_id}", None),
    "backup-restore": ("POST", "/backups/{backup_id}/restore", None),
    "backup-export": ("GET", "/backups/{backup_id}/export_record", None),
    "backup-import": ("POST", "/backups/import_record", None),
    "backup-reset-state": ("POST", "/backups/{backup_id}/action", "os-reset_status"),
    "transfer-create": ("POST", "/volume-transfers", None),
    "transfer-list": ("GET", "/volume-transfers/detail", None),
    "transfer-show": ("GET", "/volume-transfers/{transfer_id}", None),
    "transfer-accept": ("POST", "/volume-transfers/{transfer_id}/accept", None),
    "transfer-delete": ("DELETE", "/volume-transfers/{transfer_id}", None),
    "type-list": ("GET", "/types", None),
    "type-show": ("GET", "/types/{type_id}", None),
    "type-create": ("POST", "/types", None),
    "type-update": ("PUT", "/types/{type_id}", None),
    "type-delete": ("DELETE", "/types/{type_id}", None),
    "type-access-add": ("POST", "/types/{type_id}/action", "addProjectAccess"),
    "type-access-remove": ("POST", "/types/{type_id}/action", "removeProjectAccess"),
    "type-access-list": ("GET", "/types/{type_id}/os-volume-type-access", None),
    "group-create": ("POST", "/groups", None),
    "group-list": ("GET", "/groups/detail", None),
    "group-show": ("GET", "/groups/{group_id}", None),
    "group-update": ("PUT", "/groups/{group_id}", None),
    "group-delete": ("POST", "/groups/{group_id}/action", "delete"),
    "group-snapshot-create": ("POST", "/group_snapshots", None),
    "group-snapshot-list": ("GET", "/group_snapshots/detail", None),
    "group-snapshot-show": ("GET", "/group_snapshots/{group_snapshot_id}", None),
    "group-snapshot-delete": ("DELETE", "/group_snapshots/{group_snapshot_id}", None),
    "group-type-list": ("GET", "/group_types", None),
    "group-type-create": ("POST", "/group_types", None),
    "group-type-delete": ("DELETE", "/group_types/{group_type_id}", None),
    "message-list": ("GET", "/messages", None),
    "message-show": ("GET", "/messages/{message_id}", None),
    "message-delete": ("DELETE", "/messages/{message_id}", None),
    "qos-list": ("GET", "/qos-specs", None),
    "qos-show": ("GET", "/qos-specs/{qos_specs_id}", None),
    "qos-create": ("POST", "/qos-specs", None),
    "qos-delete": ("DELETE", "/qos-specs/{qos_specs_id}", None),
    "service-list": ("GET", "/os-services", None),
    "service-enable": ("PUT", "/os-services/enable", None),
    "service-disable": ("PUT", "/os-services/disable", None),
    "quota-show": ("GET", "/os-quota-sets/{tenant_id}", None),
    "quota-update": ("PUT", "/os-quota-sets/{tenant_id}", None),
    "quota-delete": ("DELETE", "/os-quota-sets/{tenant_id}", None),
    "quota-defaults": ("GET", "/os-quota-sets/{tenant_id}/defaults", None),
    "quota-class-show": ("GET", "/os-quota-class-sets/{class_name}", None),
    "quota-class-update": ("PUT", "/os-quota-class-sets/{class_name}", None),
    "availability-zone-list": ("GET", "/os-availability-zone", None),
    "get-pools": ("GET", "/scheduler-stats/get_pools", None),
    "get-capabilities": ("GET", "/capabilities/{host}", None),
    "work-cleanup": ("POST", "/workers/cleanup", None),
    "cluster-list": ("GET", "/clusters", None),
    "cluster-show": ("GET", "/clusters/{id}", None),
    "default-type-list": ("GET", "/default-types", None),
    "default-type-set": ("PUT", "/default-types/{project_id}", None),
    "default-type-unset": ("DELETE", "/default-types/{project_id}", None),
    "list-filters": ("GET", "/resource_filters", None),
    "api-version": ("GET", "/", None),
    # consistency groups and their snapshots (cinderclient's consisgroup-*, cgsnapshot-*)
    "consisgroup-create": ("POST", "/consistencygroups", None),
    "consisgroup-create-from-src": ("POST", "/consistencygroups/create_from_src", None),
    "consisgroup-list": ("GET", "/consistencygroups/detail", None),
    "consisgroup-show": ("GET", "/consistencygroups/{id}", None),
    "consisgroup-update": ("PUT", "/consistencygroups/{id}/update", None),
    "consisgroup-delete": ("POST", "/consistencygroups/{id}/delete", None),
    "cgsnapshot-create": ("POST", "/cgsnapshots", None),
    "cgsnapshot-list": ("GET", "/cgsnapshots/detail", None),
    "cgsnapshot-show": ("GET", "/cgsnapshots/{id}", None),
    "cgsnapshot-delete": ("DELETE", "/cgsnapshots/{id}", None),
    # a volume type's encryption (the client names the provider's entry `provider`)
    "encryption-type-create": ("POST", "/types/{type_id}/encryption", None),
    "encryption-type-show": ("GET", "/types/{type_id}/encryption", None),
    "encryption-type-update": ("PUT", "/types/{type_id}/encryption/{id}", None),
    "encryption-type-delete": ("DELETE", "/types/{type_id}/encryption/{id}", None),
    "qos-associate": ("GET", "/qos-specs/{id}/associate", None),
    "qos-disassociate": ("GET", "/qos-specs/{id}/disassociate", None),
    "qos-disassociate-all": ("GET", "/qos-specs/{id}/disassociate_all", None),
    "qos-get-association": ("GET", "/qos-specs/{id}/associations", None),
    "qos-key": ("PUT", "/qos-specs/{id}", None),
    "absolute-limits": ("GET", "/limits", None),
    "freeze-host": ("PUT", "/os-services/freeze", None),
    "thaw-host": ("PUT", "/os-services/thaw", None),
}

# the transfers API before microversion 3.55 (cinderclient falls back to it)
CLIENT_FALLBACKS: dict[str, tuple[str, str, str | None]] = {
    "transfer-create": ("POST", "/os-volume-transfer", None),
    "transfer-list": ("GET", "/os-volume-transfer/detail", None),
    "transfer-show": ("GET", "/os-volume-transfer/{transfer_id}", None),
    "transfer-accept": ("POST", "/os-volume-transfer/{transfer_id}/accept", None),
    "transfer-delete": ("DELETE", "/os-volume-transfer/{transfer_id}", None),
    "manageable-list": ("GET", "/os-volume-manage/detail", None),
}

CINDER = Profile(
    name="cinder",
    services=("cinder-volume", "cinder-scheduler", "cinder-backup"),
    # the volume_manager, scheduler_manager and backup_manager options
    manager_registries=("cinder.common.config",),
    manager_path=r"^cinder\.([a-z_]+)\.manager\.[A-Z]\w*$",
    example_release="29.0.0",
    liberty="7.0.0",
    reads=("ops", "trace", "build"),
    tracing=Tracing(
        # what nearly every flow enters, read ahead while the catalogue is made: the
        # volume API and the LVM driver, then the managers
        core_modules=(("cinder/volume/api.py", "cinder/volume/drivers/lvm.py"),
                      ("cinder/volume/manager.py", "cinder/scheduler/manager.py")),
        quiet_modules=(
            "cinder.i18n", "cinder.exception", "cinder.utils", "cinder.context",
            # cinder.db's modules but base: its Base.__init__ sets `self.db = cinder.db.api`
            # (the volume, transfer and backup APIs and the managers derive from it)
            "cinder.objects", "cinder.db.api", "cinder.db.sqlalchemy", "cinder.db.models",
            "cinder.db.migration", "cinder.db.utils", "cinder.db.legacy_migrations",
            "cinder.db.migrations", "cinder.policy", "cinder.policies",
            "cinder.api.validation", "cinder.api.openstack.wsgi", "cinder.api.microversions",
            "cinder.api.openstack.api_version_request", "cinder.rpc", "cinder.common",
            "cinder.cmd", "cinder.service", "cinder.coordination",
            # not cinder.manager: its Manager.__init__ reaches Base.__init__ (the managers'
            # self.db) and SchedulerDependentManager publishes capabilities to the
            # scheduler (delete_volume: update_service_capabilities, fanout);
            # not cinder.volume.volume_types, qos_specs, group_types: they read and
            # write the database (volume_types.create: db.volume_type_create)
            "cinder.flow_utils", "cinder.message", "cinder.interface",
        ),
        not_clients=("cinder.volume.drivers.", "cinder.cmd.", "cinder.common.",
                     "cinder.backup.drivers.", "cinder.tests."),
        policy_modules=("cinder.policy", "cinder.policies", "cinder.api"),
        objects="cinder.objects",
        db_module=r"^cinder\.db(\.(?!base$)|$)",
        order=("client", "cinder_api", "cinder_scheduler", "cinder_volume", "cinder_backup"),
        external=("database", "keystone", "glance", "nova", "barbican", "swift"),
        # cinder.volume.API() and the like: importutils.import_object(CONF.x_api_class)
        choices=(
            ("cinder.volume.API", "cinder.volume.api.API",
             "volume API: cinder.volume.api.API (CONF.volume_api_class, the default)"),
            ("cinder.backup.API", "cinder.backup.api.API",
             "backup API: cinder.backup.api.API (CONF.backup_api_class, the default)"),
            ("cinder.compute.API", "cinder.compute.nova.API",
             "compute API: nova (CONF.compute_api_class, the default)"),
            # module values: `API = importutils.import_class(CONF.transfer_api_class)`
            ("cinder.transfer.API", "cinder.transfer.api.API",
             "transfer API: cinder.transfer.api.API (CONF.transfer_api_class, the default)"),
            ("cinder.group.API", "cinder.group.api.API",
             "group API: cinder.group.api.API (CONF.group_api_class, the default)"),
        ),
        # CONF.volume_driver's default, cinder.volume.drivers.lvm.LVMVolumeDriver
        driver="lvm",
        driver_packages=("cinder.volume.drivers",),
        driver_base="VolumeDriver",
        driver_attrs=(("cinder.volume.manager.VolumeManager", "driver"),),
        state_write=r"^(\w+\.)*(volume|snapshot|backup|attachment|group)\."
                    r"(save|create|destroy|conditional_update|finish_attach|finish_detach)\b",
        object_names=r"^(volume|vol|volume_ref|src_vol|source_volume|snapshot|snap|"
                     r"backup|attachment|attach|group|transfer|cluster|service|"
                     r"volume_type|vol_type)$",
        # Cinder's compare-and-swap update (cinder.objects.base.CinderObject)
        object_writes=("conditional_update", "finish_attach", "finish_detach", "update_host"),
        # cinder.api.api_utils builds a keystoneclient to look projects up (get_project)
        client_libraries=(("keystoneclient", "keystone"),),
        # the volume API's key_manager.API(CONF) (encrypted volumes, transfers): barbican
        library_services=(CASTELLAN,),
        # cinder.context.RequestContext.authorize(action, target_obj=...)
        context_policy=("can", "authorize"),
        # objects.Volume.get_by_id(...): CinderObject.get_by_id asks cinder.db itself
        object_queries=True,
    ),
    rest=Rest(
        router_module="cinder.api.v3.router",
        extension_dir="cinder/api/contrib/",
        extension_base="ExtensionDescriptor",
        wsgi_module="cinder.api.openstack.wsgi",
        api_dir="cinder/api/",
        client_commands=CLIENT_COMMANDS,
        client_fallbacks=CLIENT_FALLBACKS,
        action_prefix="os-",
        # cinder.api.openstack.wsgi.Resource._get_method: an action named create, update or
        # delete serves that method when the controller lacks it, and answers on the
        # action route too (POST /groups/{id}/action {"delete": ...})
        standard_actions=("create", "delete", "update"),
        actions_everywhere=True,
        # cinder.api.openstack.wsgi.Resource answers with a returned webob.Response as it is
    ),
)
