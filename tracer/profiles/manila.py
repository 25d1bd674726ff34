"""Manila: the share, scheduler and data services (manila-api sends to them).

Manila derives from Cinder's code base: its clients (`manila/{share,scheduler,data}/rpcapi.py`)
build an oslo.messaging client from a topic option (`CONF.share_topic`, ...) and prepare it per
call; its managers are named by the `share_manager`, `scheduler_manager` and `data_manager`
options (`manila.common.config`).

Its REST API (the shared file systems API v2) is a `routes.Mapper` router,
`manila.api.v2.router.APIRouter`, whose `_setup_routes` connects every resource (no
extensions: `manila/api/contrib/` is empty).
"""

from __future__ import annotations

from tracer.profiles import Profile, Rest, Tracing

_SHARE = "/shares/{share_id}"
_ACTION = f"{_SHARE}/action"
_SNAP = "/snapshots/{snapshot_id}"
_REPLICA = "/share-replicas/{replica_id}"
_NET = "/share-networks/{share_network_id}"
_SERVER = "/share-servers/{share_server_id}"
_GROUP = "/share-groups/{share_group_id}"
_GSNAP = "/share-group-snapshots/{share_group_snapshot_id}"
_GTYPE = "/share-group-types/{share_group_type_id}"


def _act(base: str, action: str) -> tuple[str, str, str]:
    return ("POST", f"{base}/action", action)


# python-manilaclient's `manila` shell command -> (HTTP method, path, action), as its newest
# microversion sends them (manilaclient/v2/shell.py and the managers of manilaclient/v2/,
# 4.9.1, the last release with the shell; later releases keep only `openstack share`).
# Actions renamed in microversion 2.7 (os-extend -> extend) are given by their new name;
# the legacy routes keep names of their own (share-os-extend).
CLIENT_COMMANDS: dict[str, tuple[str, str, str | None]] = {
    "create": ("POST", "/shares", None),
    "list": ("GET", "/shares/detail", None),
    "show": ("GET", _SHARE, None),
    "update": ("PUT", _SHARE, None),
    "delete": ("DELETE", _SHARE, None),
    "force-delete": _act(_SHARE, "force_delete"),
    "soft-delete": _act(_SHARE, "soft_delete"),
    "restore": _act(_SHARE, "restore"),
    "extend": _act(_SHARE, "extend"),
    "shrink": _act(_SHARE, "shrink"),
    "reset-state": _act(_SHARE, "reset_status"),
    "reset-task-state": _act(_SHARE, "reset_task_state"),
    "revert-to-snapshot": _act(_SHARE, "revert"),
    "manage": ("POST", "/shares/manage", None),
    "unmanage": _act(_SHARE, "unmanage"),
    "migration-start": _act(_SHARE, "migration_start"),
    "migration-complete": _act(_SHARE, "migration_complete"),
    "migration-cancel": _act(_SHARE, "migration_cancel"),
    "migration-get-progress": _act(_SHARE, "migration_get_progress"),
    "access-allow": _act(_SHARE, "allow_access"),
    "access-deny": _act(_SHARE, "deny_access"),
    "access-list": ("GET", "/share-access-rules", None),
    "access-show": ("GET", "/share-access-rules/{access_id}", None),
    "access-metadata": ("PUT", "/share-access-rules/{access_id}/metadata", None),
    "metadata-show": ("GET", f"{_SHARE}/metadata", None),
    "metadata-update-all": ("PUT", f"{_SHARE}/metadata", None),
    "metadata": ("POST", f"{_SHARE}/metadata", None),
    "share-export-location-list": ("GET", f"{_SHARE}/export_locations", None),
    "share-export-location-show": ("GET", f"{_SHARE}/export_locations/{{id}}", None),
    "share-instance-list": ("GET", "/share_instances", None),
    "share-instance-show": ("GET", "/share_instances/{instance_id}", None),
    "share-instance-force-delete": _act("/share_instances/{instance_id}", "force_delete"),
    "share-instance-reset-state": _act("/share_instances/{instance_id}", "reset_status"),
    "share-instance-export-location-list": (
        "GET", "/share_instances/{instance_id}/export_locations", None),
    "share-instance-export-location-show": (
        "GET", "/share_instances/{instance_id}/export_locations/{id}", None),
    "snapshot-create": ("POST", "/snapshots", None),
    "snapshot-list": ("GET", "/snapshots/detail", None),
    "snapshot-show": ("GET", _SNAP, None),
    "snapshot-rename": ("PUT", _SNAP, None),
    "snapshot-delete": ("DELETE", _SNAP, None),
    "snapshot-force-delete": _act(_SNAP, "force_delete"),
    "snapshot-reset-state": _act(_SNAP, "reset_status"),
    "snapshot-manage": ("POST", "/snapshots/manage", None),
    "snapshot-unmanage": _act(_SNAP, "unmanage"),
    "snapshot-access-allow": _act(_SNAP, "allow_access"),
    "snapshot-access-deny": _act(_SNAP, "deny_access"),
    "snapshot-access-list": ("GET", "/snapshots/{snapshot_id}/access-list", None),
    "snapshot-export-location-list": ("GET", f"{_SNAP}/export-locations", None),
    "snapshot-export-location-show": ("GET", f"{_SNAP}/export-locations/{{id}}", None),
    "snapshot-instance-list": ("GET", "/snapshot-instances/detail", None),
    "snapshot-instance-show": ("GET", "/snapshot-instances/{instance_id}", None),
    "snapshot-instance-reset-state": _act("/snapshot-instances/{instance_id}", "reset_status"),
    "snapshot-instance-export-location-list": (
        "GET", "/snapshot-instances/{instance_id}/export-locations", None),
    "snapshot-instance-export-location-show": (
        "GET", "/snapshot-instances/{instance_id}/export-locations/{id}", None),
    "share-replica-create": ("POST", "/share-replicas", None),
    "share-replica-list": ("GET", "/share-replicas/detail", None),
    "share-replica-show": ("GET", _REPLICA, None),
    "share-replica-delete": ("DELETE", _REPLICA, None),
    "share-replica-promote": _act(_REPLICA, "promote"),
    "share-replica-resync": _act(_REPLICA, "resync"),
    "share-replica-reset-state": _act(_REPLICA, "reset_status"),
    "share-replica-reset-replica-state": _act(_REPLICA, "reset_replica_state"),
    "share-replica-export-location-list": ("GET", f"{_REPLICA}/export-locations", None),
    "share-replica-export-location-show": ("GET", f"{_REPLICA}/export-locations/{{id}}", None),
    "share-network-create": ("POST", "/share-networks", None),
    "share-network-list": ("GET", "/share-networks/detail", None),
    "share-network-show": ("GET", _NET, None),
    "share-network-update": ("PUT", _NET, None),
    "share-network-delete": ("DELETE", _NET, None),
    "share-network-security-service-add": _act(_NET, "add_security_service"),
    "share-network-security-service-add-check": _act(_NET, "add_security_service_check"),
    "share-network-security-service-remove": _act(_NET, "remove_security_service"),
    "share-network-security-service-update": _act(_NET, "update_security_service"),
    "share-network-security-service-update-check": _act(_NET,
                                                        "update_security_service_check"),
    "share-network-reset-state": _act(_NET, "reset_status"),
    "share-network-subnet-create": ("POST", f"{_NET}/subnets", None),
    "share-network-subnet-create-check": _act(_NET, "share_network_subnet_create_check"),
    "share-network-subnet-show": ("GET", f"{_NET}/subnets/{{subnet_id}}", None),
    "share-network-subnet-delete": ("DELETE", f"{_NET}/subnets/{{subnet_id}}", None),
    "security-service-create": ("POST", "/security-services", None),
    "security-service-list": ("GET", "/security-services/detail", None),
    "security-service-show": ("GET", "/security-services/{security_service_id}", None),
    "security-service-update": ("PUT", "/security-services/{security_service_id}", None),
    "security-service-delete": ("DELETE", "/security-services/{security_service_id}", None),
    "share-server-list": ("GET", "/share-servers", None),
    "share-server-show": ("GET", _SERVER, None),
    "share-server-details": ("GET", f"{_SERVER}/details", None),
    "share-server-delete": ("DELETE", _SERVER, None),
    "share-server-manage": ("POST", "/share-servers/manage", None),
    "share-server-unmanage": _act(_SERVER, "unmanage"),
    "share-server-reset-state": _act(_SERVER, "reset_status"),
    "share-server-reset-task-state": _act(_SERVER, "reset_task_state"),
    "share-server-migration-check": _act(_SERVER, "migration_check"),
    "share-server-migration-start": _act(_SERVER, "migration_start"),
    "share-server-migration-complete": _act(_SERVER, "migration_complete"),
    "share-server-migration-cancel": _act(_SERVER, "migration_cancel"),
    "share-server-migration-get-progress": _act(_SERVER, "migration_get_progress"),
    "type-list": ("GET", "/types", None),
    "type-show": ("GET", "/types/{share_type_id}", None),
    "type-create": ("POST", "/types", None),
    "type-update": ("PUT", "/types/{share_type_id}", None),
    "type-delete": ("DELETE", "/types/{share_type_id}", None),
    "extra-specs-list": ("GET", "/types/{share_type_id}/extra_specs", None),
    "type-key": ("POST", "/types/{share_type_id}/extra_specs", None),
    "type-access-list": ("GET", "/types/{share_type_id}/share_type_access", None),
    "type-access-add": _act("/types/{share_type_id}", "addProjectAccess"),
    "type-access-remove": _act("/types/{share_type_id}", "removeProjectAccess"),
    "share-group-type-list": ("GET", "/share-group-types", None),
    "share-group-type-create": ("POST", "/share-group-types", None),
    "share-group-type-delete": ("DELETE", _GTYPE, None),
    "share-group-type-specs-list": ("GET", f"{_GTYPE}/group-specs", None),
    "share-group-type-key": ("POST", f"{_GTYPE}/group-specs", None),
    "share-group-type-access-list": ("GET", f"{_GTYPE}/access", None),
    "share-group-type-access-add": _act(_GTYPE, "addProjectAccess"),
    "share-group-type-access-remove": _act(_GTYPE, "removeProjectAccess"),
    "share-group-create": ("POST", "/share-groups", None),
    "share-group-list": ("GET", "/share-groups/detail", None),
    "share-group-show": ("GET", _GROUP, None),
    "share-group-update": ("PUT", _GROUP, None),
    "share-group-delete": ("DELETE", _GROUP, None),
    "share-group-reset-state": _act(_GROUP, "reset_status"),
    "share-group-snapshot-create": ("POST", "/share-group-snapshots", None),
    "share-group-snapshot-list": ("GET", "/share-group-snapshots/detail", None),
    "share-group-snapshot-show": ("GET", _GSNAP, None),
    "share-group-snapshot-list-members": ("GET", f"{_GSNAP}/members", None),
    "share-group-snapshot-update": ("PUT", _GSNAP, None),
    "share-group-snapshot-delete": ("DELETE", _GSNAP, None),
    "share-group-snapshot-reset-state": _act(_GSNAP, "reset_status"),
    "share-transfer-create": ("POST", "/share-transfers", None),
    "share-transfer-list": ("GET", "/share-transfers/detail", None),
    "share-transfer-show": ("GET", "/share-transfers/{transfer_id}", None),
    "share-transfer-accept": ("POST", "/share-transfers/{transfer_id}/accept", None),
    "share-transfer-delete": ("DELETE", "/share-transfers/{transfer_id}", None),
    "message-list": ("GET", "/messages", None),
    "message-show": ("GET", "/messages/{message_id}", None),
    "message-delete": ("DELETE", "/messages/{message_id}", None),
    "quota-show": ("GET", "/quota-sets/{tenant_id}", None),
    "quota-defaults": ("GET", "/quota-sets/{tenant_id}/defaults", None),
    "quota-update": ("PUT", "/quota-sets/{tenant_id}", None),
    "quota-delete": ("DELETE", "/quota-sets/{tenant_id}", None),
    "quota-class-show": ("GET", "/quota-class-sets/{class_name}", None),
    "quota-class-update": ("PUT", "/quota-class-sets/{class_name}", None),
    "absolute-limits": ("GET", "/limits", None),
    "availability-zone-list": ("GET", "/availability-zones", None),
    "service-list": ("GET", "/services", None),
    # PUT /services/enable: the router's `update` with the id `enable`
    "service-enable": ("PUT", "/services/{id}", None),
    "service-disable": ("PUT", "/services/{id}", None),
    "pool-list": ("GET", "/scheduler-stats/pools", None),
    "api-version": ("GET", "/", None),
}

# where the shell falls back to the older form when the newest route is missing (a release
# before microversion 2.7 renamed the actions, or before 2.49 moved manage and unmanage)
CLIENT_FALLBACKS: dict[str, tuple[str, str, str | None]] = {
    "extend": _act(_SHARE, "os-extend"),
    "shrink": _act(_SHARE, "os-shrink"),
    "force-delete": _act(_SHARE, "os-force_delete"),
    "reset-state": _act(_SHARE, "os-reset_status"),
    "access-allow": _act(_SHARE, "os-allow_access"),
    "access-deny": _act(_SHARE, "os-deny_access"),
    "access-list": _act(_SHARE, "access_list"),
    "manage": ("POST", "/os-share-manage", None),
    "unmanage": ("POST", "/os-share-unmanage/{share_id}/unmanage", None),
    "snapshot-force-delete": _act(_SNAP, "os-force_delete"),
    "snapshot-reset-state": _act(_SNAP, "os-reset_status"),
    "quota-show": ("GET", "/os-quota-sets/{tenant_id}", None),
    "quota-update": ("PUT", "/os-quota-sets/{tenant_id}", None),
    "quota-class-show": ("GET", "/os-quota-class-sets/{class_name}", None),
    "availability-zone-list": ("GET", "/os-availability-zone", None),
    "service-list": ("GET", "/os-services", None),
}

MANILA = Profile(
    name="manila",
    services=("manila-share", "manila-scheduler", "manila-data"),
    # the share_manager, scheduler_manager and data_manager options
    manager_registries=("manila.common.config",),
    manager_path=r"^manila\.([a-z_]+)\.manager\.[A-Z]\w*$",
    example_release="23.0.1",
    liberty="1.0.0",
    reads=("ops", "trace", "build"),
    tracing=Tracing(
        quiet_modules=(
            "manila.i18n", "manila.exception", "manila.utils", "manila.context",
            # not manila.db.base: its Base.__init__ sets `self.db` (the database API)
            "manila.db.api", "manila.db.sqlalchemy", "manila.db.migration",
            "manila.policy", "manila.policies", "manila.api.validation",
            "manila.api.openstack.wsgi", "manila.api.openstack.api_version_request",
            "manila.api.openstack.versioned_method", "manila.rpc", "manila.common",
            "manila.cmd", "manila.coordination",
            "manila.message", "manila.share.share_types", "manila.share.qos_types",
            "manila.share_group.share_group_types", "manila.quota", "manila.lock",
        ),
        not_clients=("manila.share.drivers.", "manila.cmd.", "manila.common.",
                     "manila.data.drivers.", "manila.tests.", "manila.scheduler.drivers.",
                     "manila.network."),
        policy_modules=("manila.policy", "manila.policies", "manila.api"),
        # manila/api/openstack/wsgi.py Controller.authorize: its wrapper checks
        # policy.check_policy(context, self.resource_name, action_name or f.__name__)
        policy_decorators=(("authorize", "resource_name"),),
        # Manila has no versioned objects: its models are the database API's rows
        objects="manila.db.sqlalchemy.models",
        db_module=r"^manila\.db(\.api|\.sqlalchemy(\.|$)|$)",
        order=("client", "manila_api", "manila_scheduler", "manila_share", "manila_data"),
        external=("database", "keystone", "neutron", "nova", "cinder", "glance"),
        # manila.share.API = import_class(CONF.share_api_class) and the like
        choices=(
            ("manila.share.API", "manila.share.api.API",
             "share API: manila.share.api.API (CONF.share_api_class, the default)"),
            ("manila.compute.API", "manila.compute.nova.API",
             "compute API: nova (CONF.compute_api_class, the default)"),
            ("manila.volume.API", "manila.volume.cinder.API",
             "volume API: cinder (CONF.volume_api_class, the default)"),
            ("manila.image.API", "manila.image.glance.API",
             "image API: glance (CONF.image_api_class, the default)"),
        ),
        # CONF.share_driver's default, manila.share.drivers.generic.GenericShareDriver
        driver="generic",
        driver_packages=("manila.share.drivers",),
        driver_base="ShareDriver",
        driver_attrs=(("manila.share.manager.ShareManager", "driver"),),
        # SchedulerManager.driver: import_object(CONF.scheduler_driver)
        held=(("manila.scheduler.manager.SchedulerManager", "driver",
               "manila.scheduler.drivers.filter.FilterScheduler",
               "scheduler driver: manila.scheduler.drivers.filter.FilterScheduler "
               "(CONF.scheduler_driver, the default)"),),
        # what nearly every flow enters: the share API and driver, then the managers
        core_modules=(("manila/share/api.py", "manila/share/drivers/generic.py"),
                      ("manila/share/manager.py", "manila/scheduler/manager.py")),
        # the state of shares and what belongs to them, written through the database API
        # (`self.db.share_instance_update(context, id, {'status': ...})`)
        state_write=r"^db\.share\w*_(create|update|delete)\b",
    ),
    rest=Rest(
        router_module="manila.api.v2.router",
        extension_dir="manila/api/contrib/",
        extension_base="ExtensionDescriptor",
        wsgi_module="manila.api.openstack.wsgi",
        api_dir="manila/api/",
        client_commands=CLIENT_COMMANDS,
        client_fallbacks=CLIENT_FALLBACKS,
        # manila.api.openstack.wsgi.Resource.get_method: an action named create or delete
        # serves that method when the controller lacks it (ShareTypesController._delete,
        # `@wsgi.action("delete")`), and every action answers on the action route too
        standard_actions=("create", "delete"),
        actions_everywhere=True,
    ),
)
