"""Ironic: the bare metal service; ironic-api sends to ironic-conductor (and, from 2025,
ironic-networking).

Its client (`ironic/conductor/rpcapi.py` ConductorAPI) picks a conductor by hash ring
(`get_topic_for(node)`: `<topic>.<host>`) and prepares the context in `_prepare_call`; each
service's launcher names its manager (`ironic/command/conductor.py`:
`RPCService(CONF.host, 'ironic.conductor.manager', 'ConductorManager')`).
"""

from __future__ import annotations

from tracer.pecan import Pecan
from tracer.profiles import Profile, Tracing

_NODE = "/v1/nodes/{node_ident}"
_PROVISION = f"{_NODE}/states/provision"
_POWER = f"{_NODE}/states/power"

# `openstack baremetal` (python-ironicclient) command -> (HTTP method, path as it sends it,
# the target it sets, for the provision and power state handlers); its words joined by `-`
CLIENT_COMMANDS: dict[str, tuple[str, str, str | None]] = {
    "node-create": ("POST", "/v1/nodes", None),
    "node-list": ("GET", "/v1/nodes", None),
    "node-show": ("GET", _NODE, None),
    "node-set": ("PATCH", _NODE, None),
    "node-delete": ("DELETE", _NODE, None),
    "node-validate": ("GET", "/v1/nodes/validate", None),
    # PUT /v1/nodes/{node_ident}/states/provision {"target": ...}
    "node-deploy": ("PUT", _PROVISION, "active"),
    "node-rebuild": ("PUT", _PROVISION, "rebuild"),
    "node-undeploy": ("PUT", _PROVISION, "deleted"),
    "node-manage": ("PUT", _PROVISION, "manage"),
    "node-provide": ("PUT", _PROVISION, "provide"),
    "node-inspect": ("PUT", _PROVISION, "inspect"),
    "node-clean": ("PUT", _PROVISION, "clean"),
    "node-service": ("PUT", _PROVISION, "service"),
    "node-abort": ("PUT", _PROVISION, "abort"),
    "node-adopt": ("PUT", _PROVISION, "adopt"),
    "node-rescue": ("PUT", _PROVISION, "rescue"),
    "node-unrescue": ("PUT", _PROVISION, "unrescue"),
    "node-unhold": ("PUT", _PROVISION, "unhold"),
    # PUT /v1/nodes/{node_ident}/states/power {"target": ...}
    "node-power-on": ("PUT", _POWER, "power on"),
    "node-power-off": ("PUT", _POWER, "power off"),
    "node-reboot": ("PUT", _POWER, "rebooting"),
    "node-soft-power-off": ("PUT", _POWER, "soft power off"),
    "node-soft-reboot": ("PUT", _POWER, "soft rebooting"),
    "node-boot-mode-set": ("PUT", f"{_NODE}/states/boot_mode", None),
    "node-secure-boot": ("PUT", f"{_NODE}/states/secure_boot", None),
    "node-raid-set": ("PUT", f"{_NODE}/states/raid", None),
    "node-states": ("GET", f"{_NODE}/states", None),
    "node-console-show": ("GET", f"{_NODE}/states/console", None),
    "node-console-set": ("PUT", f"{_NODE}/states/console", None),
    "node-maintenance-set": ("PUT", f"{_NODE}/maintenance", None),
    "node-maintenance-unset": ("DELETE", f"{_NODE}/maintenance", None),
    "node-boot-device-set": ("PUT", f"{_NODE}/management/boot_device", None),
    "node-boot-device-show": ("GET", f"{_NODE}/management/boot_device", None),
    "node-boot-device-supported": ("GET", f"{_NODE}/management/boot_device/supported",
                                   None),
    "node-inject-nmi": ("PUT", f"{_NODE}/management/inject_nmi", None),
    "node-indicator-list": ("GET", f"{_NODE}/management/indicators", None),
    "node-indicator-show": ("GET", f"{_NODE}/management/indicators/{{indicator}}", None),
    "node-indicator-set": ("PUT", f"{_NODE}/management/indicators/{{indicator}}", None),
    "node-vif-list": ("GET", f"{_NODE}/vifs", None),
    "node-vif-attach": ("POST", f"{_NODE}/vifs", None),
    "node-vif-detach": ("DELETE", f"{_NODE}/vifs/{{vif_id}}", None),
    "node-trait-list": ("GET", f"{_NODE}/traits", None),
    "node-add-trait": ("PUT", f"{_NODE}/traits/{{trait}}", None),
    "node-remove-trait": ("DELETE", f"{_NODE}/traits/{{trait}}", None),
    "node-bios-setting-list": ("GET", f"{_NODE}/bios", None),
    "node-bios-setting-show": ("GET", f"{_NODE}/bios/{{setting_name}}", None),
    "node-history-list": ("GET", f"{_NODE}/history", None),
    "node-history-get": ("GET", f"{_NODE}/history/{{event}}", None),
    "node-inventory-save": ("GET", f"{_NODE}/inventory", None),
    "node-children-list": ("GET", f"{_NODE}/children", None),
    "node-firmware-component-list": ("GET", f"{_NODE}/firmware", None),
    "node-passthru-list": ("GET", f"{_NODE}/vendor_passthru/methods", None),
    # `node passthru call NODE METHOD` (--http-method defaults to POST): ?method=METHOD
    "node-passthru-call": ("POST", f"{_NODE}/vendor_passthru", None),
    "node-attach-vmedia": ("POST", f"{_NODE}/vmedia", None),
    "node-detach-vmedia": ("DELETE", f"{_NODE}/vmedia", None),
    "port-create": ("POST", "/v1/ports", None),
    "port-list": ("GET", "/v1/ports", None),
    "port-show": ("GET", "/v1/ports/{port_ident}", None),
    "port-set": ("PATCH", "/v1/ports/{port_ident}", None),
    "port-delete": ("DELETE", "/v1/ports/{port_ident}", None),
    "port-group-create": ("POST", "/v1/portgroups", None),
    "port-group-list": ("GET", "/v1/portgroups", None),
    "port-group-show": ("GET", "/v1/portgroups/{portgroup_ident}", None),
    "port-group-set": ("PATCH", "/v1/portgroups/{portgroup_ident}", None),
    "port-group-delete": ("DELETE", "/v1/portgroups/{portgroup_ident}", None),
    "chassis-create": ("POST", "/v1/chassis", None),
    "chassis-list": ("GET", "/v1/chassis", None),
    "chassis-show": ("GET", "/v1/chassis/{chassis_uuid}", None),
    "chassis-set": ("PATCH", "/v1/chassis/{chassis_uuid}", None),
    "chassis-delete": ("DELETE", "/v1/chassis/{chassis_uuid}", None),
    "driver-list": ("GET", "/v1/drivers", None),
    "driver-show": ("GET", "/v1/drivers/{driver_name}", None),
    "driver-property-list": ("GET", "/v1/drivers/{driver_name}/properties", None),
    "driver-raid-property-list": ("GET",
                                  "/v1/drivers/{driver_name}/raid/logical_disk_properties",
                                  None),
    "driver-passthru-list": ("GET", "/v1/drivers/{driver_name}/vendor_passthru/methods",
                             None),
    "driver-passthru-call": ("POST", "/v1/drivers/{driver_name}/vendor_passthru", None),
    "allocation-create": ("POST", "/v1/allocations", None),
    "allocation-list": ("GET", "/v1/allocations", None),
    "allocation-show": ("GET", "/v1/allocations/{allocation_ident}", None),
    "allocation-set": ("PATCH", "/v1/allocations/{allocation_ident}", None),
    "allocation-delete": ("DELETE", "/v1/allocations/{allocation_ident}", None),
    "conductor-list": ("GET", "/v1/conductors", None),
    "conductor-show": ("GET", "/v1/conductors/{hostname}", None),
    "deploy-template-create": ("POST", "/v1/deploy_templates", None),
    "deploy-template-list": ("GET", "/v1/deploy_templates", None),
    "deploy-template-show": ("GET", "/v1/deploy_templates/{template_ident}", None),
    "deploy-template-set": ("PATCH", "/v1/deploy_templates/{template_ident}", None),
    "deploy-template-delete": ("DELETE", "/v1/deploy_templates/{template_ident}", None),
    "runbook-create": ("POST", "/v1/runbooks", None),
    "runbook-list": ("GET", "/v1/runbooks", None),
    "runbook-show": ("GET", "/v1/runbooks/{runbook_ident}", None),
    "runbook-set": ("PATCH", "/v1/runbooks/{runbook_ident}", None),
    "runbook-delete": ("DELETE", "/v1/runbooks/{runbook_ident}", None),
    "inspection-rule-create": ("POST", "/v1/inspection_rules", None),
    "inspection-rule-list": ("GET", "/v1/inspection_rules", None),
    "inspection-rule-show": ("GET", "/v1/inspection_rules/{rule_uuid}", None),
    "inspection-rule-set": ("PATCH", "/v1/inspection_rules/{rule_uuid}", None),
    "inspection-rule-delete": ("DELETE", "/v1/inspection_rules/{rule_uuid}", None),
    "volume-connector-create": ("POST", "/v1/volume/connectors", None),
    "volume-connector-list": ("GET", "/v1/volume/connectors", None),
    "volume-connector-show": ("GET", "/v1/volume/connectors/{connector_uuid}", None),
    "volume-connector-set": ("PATCH", "/v1/volume/connectors/{connector_uuid}", None),
    "volume-connector-delete": ("DELETE", "/v1/volume/connectors/{connector_uuid}", None),
    "volume-target-create": ("POST", "/v1/volume/targets", None),
    "volume-target-list": ("GET", "/v1/volume/targets", None),
    "volume-target-show": ("GET", "/v1/volume/targets/{target_uuid}", None),
    "volume-target-set": ("PATCH", "/v1/volume/targets/{target_uuid}", None),
    "volume-target-delete": ("DELETE", "/v1/volume/targets/{target_uuid}", None),
    "shard-list": ("GET", "/v1/shards", None),
}


IRONIC = Profile(
    name="ironic",
    services=("ironic-conductor", "ironic-networking"),
    manager_registries=("ironic.command.conductor", "ironic.command.networking"),
    manager_path=r"^ironic\.([a-z_]+)\.manager\.[A-Z]\w*$",
    example_release="39.0.0",
    liberty="4.2.0",
    reads=("ops", "trace", "build"),
    tracing=Tracing(
        # what nearly every flow enters, read ahead while the catalogue is made: the node
        # API and the conductor's helpers, then its manager and step runner
        core_modules=(("ironic/api/controllers/v1/node.py", "ironic/conductor/utils.py"),
                      ("ironic/conductor/manager.py", "ironic/conductor/steps.py")),
        quiet_modules=(
            "ironic.common.i18n", "ironic.common.exception", "ironic.common.utils",
            "ironic.common.context", "ironic.objects", "ironic.db", "ironic.common.policy",
            "ironic.api.method", "ironic.common.args", "ironic.api.validation",
            "ironic.api.controllers.link", "ironic.api.controllers.base",
            "ironic.api.controllers.v1.collection", "ironic.api.controllers.v1.versions",
            "ironic.api.controllers.v1.notification_utils", "ironic.common.metrics_utils",
            "ironic.common.states", "ironic.conf", "ironic.common.rpc",
            "ironic.common.hash_ring", "ironic.common.release_mappings",
            "ironic.common.json_rpc", "ironic.conductor.notification_utils",
            "ironic.common.lessee_sanitizer", "ironic.common.driver_factory",
        ),
        not_clients=("ironic.drivers.", "ironic.command.", "ironic.conf.", "ironic.tests."),
        policy_modules=("ironic.common.policy", "ironic.api"),
        objects="ironic.objects",
        db_module=r"^ironic\.db(\.|$)",
        order=("client", "ironic_api", "ironic_conductor", "ironic_networking"),
        external=("database", "keystone", "neutron", "glance", "swift", "nova", "cinder",
                  "placement"),
        # CONF.enabled_hardware_types' default is ipmi (ironic/conf/default.py); a node's
        # interfaces are built per node (driver_factory.build_driver_for_task), so the
        # calls are drawn to one participant and not followed into an implementation
        driver="ipmi",
        driver_calls=r"^(?:\w+\.)*task\.driver\.(\w+)\.(\w+)$",
        driver_note="driver: the ipmi hardware type (CONF.enabled_hardware_types' first "
                    "default); task.driver.<interface>.<method> calls are drawn, not followed "
                    "into an interface (each node's are chosen at run time); a call the "
                    "default interface fails (no-rescue, no-inspect, no-firmware, no-bios, "
                    "no-console, no-raid raise UnsupportedDriverExtension) is drawn failing",
        # the ipmi hardware type's default interfaces (ironic/common/driver_factory.py
        # default_interface: the first of its supported_<iface>_interfaces that
        # CONF.enabled_<iface>_interfaces enables; ironic/drivers/generic.py, ipmi.py,
        # ironic/conf/default.py): no-rescue, no-inspect, no-firmware, no-bios,
        # no-console, no-raid (ironic/drivers/modules/noop.py), whose validate (FailMixin)
        # and own methods set to `_fail` raise UnsupportedDriverExtension; the methods
        # they inherit from their interface (RescueInterface.clean_up) and the caches
        # NoBIOS and NoFirmware make no-ops do not
        failing_interfaces=(
            ("rescue", "no-rescue", ("validate", "rescue", "unrescue")),
            ("inspect", "no-inspect", ("validate", "inspect_hardware")),
            ("firmware", "no-firmware", ("validate", "update")),
            ("bios", "no-bios", ("validate", "apply_configuration", "factory_reset")),
            ("console", "no-console", ("validate", "start_console", "stop_console",
                                       "get_console")),
            ("raid", "no-raid", ("validate", "validate_raid_config", "create_configuration",
                                 "delete_configuration")),
        ),
        interface_error="UnsupportedDriverExtension",
        known_attrs=(("request.rpcapi", "ironic.conductor.rpcapi.ConductorAPI"),),
        # ironic/conductor/rpcapi.py: the topic every node's message is sent to
        # (`<topic>.<host>`, _prepare_call addresses that host)
        routers=(
            ("ironic.conductor.rpcapi.ConductorAPI.get_topic_for",
             "conductor: the one the hash ring maps the node to (the ring of its driver "
             "and conductor_group, keyed by its uuid)"),
            ("ironic.conductor.rpcapi.ConductorAPI.get_topic_for_driver",
             "conductor: a random one of those the driver's hash ring holds"),
            ("ironic.conductor.rpcapi.ConductorAPI.get_random_topic",
             "conductor: a random online one"),
        ),
        spawners=(("process_event", "call_args"), ("spawn_after", ""),
                  ("_spawn_worker", "")),
        error_hooks=("set_spawn_error_hook",),
        state_write=r"^(\w+\.)*(node|port|portgroup|allocation)\.(save|create|destroy)\b",
        object_names=r"^(node|rpc_node|node_obj|port|port_obj|rpc_port|portgroup|"
                     r"rpc_portgroup|allocation|chassis|conductor|deploy_template|"
                     r"runbook|volume_connector|volume_target|trait)$",
    ),
    pecan=Pecan(
        root="ironic.api.controllers.v1.Controller",
        prefix="/v1",
        api_dir="ironic/api/",
        singular={"chassis": "chassis", "bios": "bios", "history": "history",
                  "inventory": "inventory", "children": "children", "firmware": "firmware",
                  "vmedia": "vmedia", "volume": "volume", "shards": "shard",
                  "inspection_rules": "inspection-rule", "deploy_templates": "deploy-template",
                  "continue_inspection": "continue-inspection"},
        targets={"NodeStatesController.provision": "target",
                 "NodeStatesController.power": "target"},
        targets_module="ironic.common.states",
        client_commands=CLIENT_COMMANDS,
    ),
)
