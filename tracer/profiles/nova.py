"""Nova: compute, conductor, scheduler and, in old trees, cells, cert, console,
consoleauth and nova-network."""

from __future__ import annotations

from tracer import PINNED_RELEASE
from tracer.profiles import CASTELLAN, Profile, Tracing

NOVA = Profile(
    name="nova",
    services=("nova-compute", "nova-conductor", "nova-scheduler"),
    # nova.service.SERVICE_MANAGERS; before it, the `*_manager` options
    manager_registries=("nova.service", "nova.conductor.api", "nova.cells.opts",
                        "nova.conf.service", "nova.conf.network"),
    manager_path=r"^nova\.([a-z_]+)\.manager\.[A-Z]\w*$",
    example_release=PINNED_RELEASE,
    liberty="12.0.0",
    reads=("ops", "trace", "build"),
    # nova/volume/cinder.py API: the cinderclient request each method sends, as Cinder's
    # operation that serves it (tracer.catalogue names them after cinderclient)
    calls_into={"cinder": ("cinder", {
        "get": "show", "create": "create", "delete": "delete",
        "reserve_volume": "volume-reserve", "unreserve_volume": "volume-unreserve",
        "begin_detaching": "volume-begin-detaching", "roll_detaching": "volume-roll-detaching",
        "attach": "volume-attach", "detach": "volume-detach",
        "initialize_connection": "volume-initialize-connection",
        "terminate_connection": "volume-terminate-connection",
        "migrate_volume_completion": "volume-migrate-volume-completion",
        "get_snapshot": "snapshot-show", "create_snapshot": "snapshot-create",
        "create_snapshot_force": "snapshot-create", "delete_snapshot": "snapshot-delete",
        "attachment_create": "attachment-create", "attachment_update": "attachment-update",
        "attachment_delete": "attachment-delete", "attachment_get": "attachment-show",
        "attachment_complete": "attachment-complete",
    })},
    tracing=Tracing(
        quiet_modules=(
            "nova.i18n", "nova.exception", "nova.utils", "nova.safe_utils", "nova.context",
            "nova.objects", "nova.db", "nova.policy", "nova.api.validation", "nova.rpc",
            "nova.api.openstack.wsgi", "nova.api.openstack.api_version_request",
            "nova.conf", "nova.notifications.objects", "nova.network.model",
            "nova.virt.hardware", "nova.privsep", "nova.compute.provider_tree",
            "nova.loadables", "nova.filters", "nova.weights", "nova.cmd", "nova.service",
            "nova.manager", "nova.baserpc", "nova.profiler",
        ),
        # the driver is its own participant, the others are not traced
        not_clients=("nova.virt.", "nova.cmd.", "nova.conf."),
        policy_modules=("nova.api", "nova.policy", "nova.compute.api"),
        objects="nova.objects",
        db_module=r"^nova\.db(\.|$)",
        order=("client", "nova_api", "nova_conductor", "nova_scheduler", "nova_compute",
               "nova_compute_src", "nova_compute_dest"),
        external=("database", "placement", "glance", "neutron", "cinder", "barbican"),
        # nova/crypto.py _get_key_manager, the libvirt driver's encrypted volumes and
        # disks: castellan's key manager, barbican unless [key_manager] backend says
        # otherwise (castellan's default)
        library_services=(CASTELLAN,),
        # the factories that pick a class by configuration: tracer.trace.config_choices
        # (the network API and the conductor's local mode are options of a trace)
        driver="libvirt",
        driver_packages=("nova.virt",),
        driver_base="ComputeDriver",
        driver_loader="nova.virt.driver.load_compute_driver",
        # nova/context.py: each calls fn(cctxt, *args, **kwargs) in the cells and answers
        # {cell_uuid: result} (API._get_instance_from_cell reads the instance this way)
        # a non-remotable `get_*` class method of an object that reads the database
        # itself is a read (InstanceList.get_count_by_hosts, service-delete's gate)
        object_queries=True,
        gatherers=(("nova.context.scatter_gather_single_cell", 2),
                   ("nova.context.scatter_gather_cells", 3),
                   ("nova.context.scatter_gather_all_cells", 1),
                   ("nova.context.scatter_gather_skip_cell0", 1)),
    ),
)
