"""Sahara: the data processing service (sahara-api sends to sahara-engine).

Its engine client, `sahara.service.ops.RemoteOps`, sends through the wrapper
`sahara.utils.rpc.RPCClient` (`self.cast('provision_cluster', ...)`), and is served by
`OpsServer`, an `RPCServer` that passes itself as the endpoint, on the topic `sahara-ops`
that sahara/cli/sahara_engine.py runs as sahara-engine.

Its REST API is Flask blueprints (sahara/api/v2/*.py: `rest = u.RestV2('clusters',
__name__)` and `@rest.post('/clusters')` view functions), mounted under /v2 by
sahara/api/middleware/sahara_middleware.py; tracer.flaskroutes reads them.
"""

from __future__ import annotations

from tracer.profiles import FlaskRest, Profile, Tracing

_CLUSTER = "/clusters/{cluster_id}"
_CT = "/cluster-templates/{cluster_template_id}"
_NGT = "/node-group-templates/{node_group_template_id}"

# python-saharaclient's commands (`openstack dataprocessing cluster create` is
# cluster-create), v2 API, as it sends them (under /v2)
CLIENT_COMMANDS: dict[str, tuple[str, str]] = {
    "cluster-create": ("POST", "/clusters"),
    "cluster-list": ("GET", "/clusters"),
    "cluster-show": ("GET", _CLUSTER),
    "cluster-update": ("PATCH", _CLUSTER),
    "cluster-scale": ("PUT", _CLUSTER),
    "cluster-delete": ("DELETE", _CLUSTER),
    "cluster-template-create": ("POST", "/cluster-templates"),
    "cluster-template-list": ("GET", "/cluster-templates"),
    "cluster-template-show": ("GET", _CT),
    "cluster-template-update": ("PATCH", _CT),
    "cluster-template-delete": ("DELETE", _CT),
    "cluster-template-export": ("GET", f"{_CT}/export"),
    "node-group-template-create": ("POST", "/node-group-templates"),
    "node-group-template-list": ("GET", "/node-group-templates"),
    "node-group-template-show": ("GET", _NGT),
    "node-group-template-update": ("PATCH", _NGT),
    "node-group-template-delete": ("DELETE", _NGT),
    "node-group-template-export": ("GET", f"{_NGT}/export"),
    "data-source-create": ("POST", "/data-sources"),
    "data-source-list": ("GET", "/data-sources"),
    "data-source-show": ("GET", "/data-sources/{data_source_id}"),
    "data-source-update": ("PATCH", "/data-sources/{data_source_id}"),
    "data-source-delete": ("DELETE", "/data-sources/{data_source_id}"),
    "image-list": ("GET", "/images"),
    "image-show": ("GET", "/images/{image_id}"),
    "image-register": ("POST", "/images/{image_id}"),
    "image-unregister": ("DELETE", "/images/{image_id}"),
    "job-binary-create": ("POST", "/job-binaries"),
    "job-binary-list": ("GET", "/job-binaries"),
    "job-binary-show": ("GET", "/job-binaries/{job_binary_id}"),
    "job-binary-update": ("PATCH", "/job-binaries/{job_binary_id}"),
    "job-binary-delete": ("DELETE", "/job-binaries/{job_binary_id}"),
    "job-binary-download": ("GET", "/job-binaries/{job_binary_id}/data"),
    "job-template-create": ("POST", "/job-templates"),
    "job-template-list": ("GET", "/job-templates"),
    "job-template-show": ("GET", "/job-templates/{job_template_id}"),
    "job-template-update": ("PATCH", "/job-templates/{job_template_id}"),
    "job-template-delete": ("DELETE", "/job-templates/{job_template_id}"),
    "job-type-list": ("GET", "/job-types"),
    "job-type-configs-get": ("GET", "/job-templates/config-hints/{job_type}"),
    "job-execute": ("POST", "/jobs"),
    "job-list": ("GET", "/jobs"),
    "job-show": ("GET", "/jobs/{job_id}"),
    "job-update": ("PATCH", "/jobs/{job_id}"),
    "job-delete": ("DELETE", "/jobs/{job_id}"),
    "plugin-list": ("GET", "/plugins"),
    "plugin-show": ("GET", "/plugins/{plugin_name}"),
    "plugin-update": ("PATCH", "/plugins/{plugin_name}"),
}

SAHARA = Profile(
    name="sahara",
    services=("sahara-engine",),
    manager_registries=(),
    manager_path=r"^sahara\.service\.(ops)\.[A-Z]\w*$",
    example_release="19.0.0",
    liberty="3.0.0",
    # sahara/cli/sahara_engine.py runs ops.OpsServer, whose Target's topic is sahara-ops
    topic_binaries={"sahara-ops": "sahara-engine"},
    reads=("ops", "trace", "build"),
    tracing=Tracing(
        # what nearly every flow enters, read ahead while the catalogue is made
        core_modules=(("sahara/service/ops.py", "sahara/conductor/manager.py"),
                      ("sahara/service/heat/heat_engine.py", "sahara/service/engine.py")),
        # not sahara.service.validation(s): the views' @v.check_exists reads the object and
        # @v.validate runs validators that read the database and ask nova, glance, cinder,
        # neutron and the engine (check_cluster_scaling: get_engine_type_and_version)
        quiet_modules=(
            "sahara.i18n", "sahara.exceptions", "sahara.context", "sahara.utils.api",
            "sahara.api.acl",
            "sahara.utils.rpc", "sahara.config", "sahara.utils.types", "sahara.utils.general",
            "sahara.utils.resources", "sahara.utils.notification", "sahara.db",
            "sahara.conductor.resource", "sahara.conductor.objects", "sahara.utils.wsgi",
            "sahara.utils.patches", "sahara.main", "sahara.cli", "sahara.utils.tempfiles",
        ),
        not_clients=("sahara.plugins.", "sahara.cli.", "sahara.tests."),
        policy_modules=("sahara.api.acl", "sahara.common.policies"),
        # sahara/api/acl.py enforce(rule): its wrapper authorizes the rule it is given
        # (ENFORCER.authorize(rule, ...)) before the view runs
        policy_decorators=(("enforce", ""),),
        # no versioned objects: the conductor (sahara.conductor.API, an in-process
        # LocalApi) is the database access layer
        objects="sahara.conductor.objects",
        db_module=r"^sahara\.conductor\.(api|manager)$",
        order=("client", "sahara_api", "sahara_engine"),
        external=("database", "heat", "nova", "neutron", "glance", "cinder", "keystone",
                  "swift", "manila"),
        # module-level names sahara.main's setup functions fill
        globals=(
            ("sahara.service.api.OPS", "sahara.service.ops.RemoteOps",
             "engine client: sahara.service.ops.RemoteOps (sahara-api run apart from "
             "sahara-engine, the distributed mode; all-in-one runs LocalOps in process)"),
            ("sahara.service.ops.INFRA", "sahara.service.heat.heat_engine.HeatEngine",
             "infrastructure engine: heat (CONF.infrastructure_engine, the default and "
             "only one; runs in sahara-engine and drives heat stacks)"),
            ("sahara.conductor.API", "sahara.conductor.api.LocalApi",
             "conductor: in process (sahara.conductor.api.LocalApi, the only one)"),
            ("sahara.plugins.base.PLUGINS", "sahara.plugins.base.PluginManager", ""),
        ),
        # PluginManager.get_plugin(cluster.plugin_name): the plugin named, drawn as the
        # interface every plugin implements
        choices=(("sahara.plugins.base.PluginManager.get_plugin",
                  "sahara.plugins.provisioning.ProvisioningPluginBase",
                  "plugin: the one cluster.plugin_name names (plugins ship apart from sahara: "
                  "sahara-plugin-vanilla, -spark, -cdh, ...; none is the default), drawn as "
                  "the interface sahara calls, ProvisioningPluginBase"),),
        library_clients=True,
        # the provisioning plugin: plugins ship apart from sahara (sahara-plugin-vanilla,
        # -spark, -cdh, ...), loaded by name (cluster.plugin_name), so the interface
        # sahara calls is the participant; no plugin is the default
        driver="plugin",
        driver_packages=("sahara.plugins",),
        driver_base="ProvisioningPluginBase",
        driver_interface="sahara.plugins.provisioning.ProvisioningPluginBase",
        state_write=r"^(\w+\.)*db\.(cluster|node_group|instance|job_execution|"
                    r"cluster_template|node_group_template)_(update|create|destroy)\b",
        client_libraries=(("heatclient", "heat"), ("keystoneclient", "keystone"),
                          ("swiftclient", "swift")),
    ),
    flask=FlaskRest(
        app_module="sahara.api.middleware.sahara_middleware",
        prefix="/v2",
        api_dir="sahara/api/",
        client_commands=CLIENT_COMMANDS,
        # the older `sahara` shell's job-create ran a job (python-saharaclient < 2)
        aliases={"job-execute": ("job-create",)},
    ),
)
