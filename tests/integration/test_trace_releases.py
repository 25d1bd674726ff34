"""Traced operations of real releases: the RPC messages between services, checked against
what the code does (read by hand for these releases) and against the RPC model."""

from __future__ import annotations

import os

import pytest

from tracer.diagram import flow_text
from tracer.model import CALL, CAST, iter_steps
from tracer.sources import unpacked_archive
from tracer.trace import Options

from tests.integration.conftest import LIBERTY_ARCHIVE, _shared_cache
from tracer.workspace import open_workspace

OPERATIONS = ("boot", "pause", "reboot", "live-migrate", "resize", "shelve", "volume-attach")

API, COND, SCHED = "nova_api", "nova_conductor", "nova_scheduler"
COMPUTE, SRC, DEST = "nova_compute", "nova_compute_src", "nova_compute_dest"

# Messages each operation must send, in order of first appearance (more may come between:
# alternatives, fanout updates). Read from the releases' code: compute/api.py,
# conductor/manager.py and tasks, compute/manager.py.
EXPECTED = {
    "34.0.0": {
        "pause": [(CAST, API, COMPUTE, "pause_instance")],
        "reboot": [(CAST, API, COMPUTE, "reboot_instance")],
        "shelve": [(CAST, API, COMPUTE, "shelve_instance"),
                   (CAST, API, COMPUTE, "shelve_offload_instance")],
        "boot": [(CAST, API, COND, "schedule_and_build_instances"),
                 (CALL, COND, SCHED, "select_destinations"),
                 (CAST, COND, COMPUTE, "build_and_run_instance")],
        "live-migrate": [(CAST, API, COND, "live_migrate_instance"),  # microversion >= 2.25
                         (CALL, API, COND, "migrate_server"),  # older microversions
                         (CALL, COND, SCHED, "select_destinations"),
                         (CALL, COND, DEST, "check_can_live_migrate_destination"),
                         (CALL, DEST, SRC, "check_can_live_migrate_source"),
                         (CAST, COND, SRC, "live_migration"),
                         (CALL, SRC, DEST, "pre_live_migration"),
                         (CALL, SRC, DEST, "post_live_migration_at_destination")],
        "resize": [(CAST, API, COND, "migrate_server"),
                   (CALL, COND, SCHED, "select_destinations"),
                   (CAST, COND, DEST, "prep_resize"),
                   (CAST, DEST, SRC, "resize_instance"),
                   (CAST, SRC, DEST, "finish_resize")],
        # 34.0.0 attaches through the conductor; the API casts unless it needs the device
        "volume-attach": [(CAST, API, COND, "attach_volume"),
                          (CALL, API, COND, "attach_volume"),
                          (CALL, COND, COMPUTE, "reserve_block_device_name"),
                          (CAST, COND, COMPUTE, "attach_volume")],
    },
    "12.0.0": {
        "pause": [(CAST, API, COMPUTE, "pause_instance")],
        "reboot": [(CAST, API, COMPUTE, "reboot_instance")],
        "shelve": [(CAST, API, COMPUTE, "shelve_instance"),
                   (CAST, API, COMPUTE, "shelve_offload_instance")],
        "boot": [(CAST, API, COND, "build_instances"),
                 (CALL, COND, SCHED, "select_destinations"),
                 (CAST, COND, COMPUTE, "build_and_run_instance")],
        "live-migrate": [(CALL, API, COND, "migrate_server"),
                         (CALL, COND, SCHED, "select_destinations"),
                         (CALL, COND, DEST, "check_can_live_migrate_destination"),
                         (CALL, DEST, SRC, "check_can_live_migrate_source"),
                         (CAST, COND, SRC, "live_migration"),
                         (CALL, SRC, DEST, "pre_live_migration"),
                         (CAST, SRC, DEST, "post_live_migration_at_destination")],
        "resize": [(CALL, API, COND, "migrate_server"),
                   (CALL, COND, SCHED, "select_destinations"),
                   (CAST, COND, DEST, "prep_resize"),
                   (CAST, DEST, SRC, "resize_instance"),
                   (CAST, SRC, DEST, "finish_resize")],
        "volume-attach": [(CALL, API, COMPUTE, "reserve_block_device_name"),
                          (CAST, API, COMPUTE, "attach_volume")],
    },
}


# The rest of the compute API (#21), read from each release's controllers
# (api/openstack/compute/hosts.py, hypervisors.py, aggregates.py, services.py, ...) and
# compute/api.py's HostAPI and AggregateAPI: Liberty's aggregate API casts to the compute
# host itself (add_aggregate_host) and reaches the scheduler through a LazyLoader
SURFACE = {
    "34.0.0": {
        "hypervisor-uptime": [(CALL, API, COMPUTE, "get_host_uptime")],
        "host-reboot": [(CALL, API, COMPUTE, "host_power_action")],
        "host-update": [(CALL, API, COMPUTE, "set_host_enabled"),
                        (CALL, API, COMPUTE, "host_maintenance_mode")],
        "aggregate-add-host": [(CAST, API, SCHED, "update_aggregates")],
        "aggregate-cache-images": [(CAST, API, COND, "cache_images"),
                                   (CALL, COND, COMPUTE, "cache_images")],
        # a compute service's aggregates are left, its providers deleted from placement
        "service-delete": [(CAST, API, SCHED, "update_aggregates")],
        # the COMPUTE_STATUS_DISABLED trait is set by the compute service
        "service-disable": [(CALL, API, COMPUTE, "set_host_enabled")],
        "assisted-volume-snapshots-create": [(CAST, API, COMPUTE, "volume_snapshot_create")],
        "assisted-volume-snapshots-delete": [(CAST, API, COMPUTE, "volume_snapshot_delete")],
        "server-external-events-create": [(CAST, API, COMPUTE, "external_instance_event")],
    },
    "12.0.0": {
        "hypervisor-uptime": [(CALL, API, COMPUTE, "get_host_uptime")],
        "host-reboot": [(CALL, API, COMPUTE, "host_power_action")],
        "host-update": [(CALL, API, COMPUTE, "set_host_enabled"),
                        (CALL, API, COMPUTE, "host_maintenance_mode")],
        "aggregate-add-host": [(CAST, API, SCHED, "update_aggregates"),
                               (CAST, API, COMPUTE, "add_aggregate_host")],
        "aggregate-remove-host": [(CAST, API, SCHED, "update_aggregates"),
                                  (CAST, API, COMPUTE, "remove_aggregate_host")],
        "aggregate-delete": [(CAST, API, SCHED, "delete_aggregate")],
        "x509-create-cert": [(CALL, API, "nova_cert", "generate_x509_cert")],
        "cell-create": [(CALL, API, "nova_cells", "cell_create")],
        "console-auth-tokens-show": [(CALL, API, "nova_consoleauth", "check_token"),
                                     (CALL, "nova_consoleauth", COMPUTE,
                                      "validate_console_port")],
        "assisted-volume-snapshots-delete": [(CAST, API, COMPUTE, "volume_snapshot_delete")],
    },
}
for _release, _expected in SURFACE.items():
    EXPECTED[_release].update(_expected)


@pytest.fixture(scope="module")
def modern():
    return open_workspace("34.0.0", cache=_shared_cache())


def rpc_messages(flow):
    seen = []
    for step in iter_steps(flow.nodes):
        if step.kind in (CALL, CAST):
            message = (step.kind, step.source, step.target, step.text)
            if message not in seen:
                seen.append(message)
    return seen


def check(workspace, release, operation):
    flow = workspace.flow(operation, Options())
    got = rpc_messages(flow)
    expected = EXPECTED[release][operation]
    missing = [m for m in expected if m not in got]
    assert not missing, f"{operation} on {release}: missing {missing}; traced {got}"
    positions = [got.index(m) for m in expected]
    assert positions == sorted(positions), f"{operation}: out of order {got}"
    agrees_with_the_model(workspace, flow)
    return flow


def agrees_with_the_model(workspace, flow) -> None:
    """Every message is a real method of the receiving service, sent with a kind its
    client can send."""
    model = {(m.service, m.method): m for m in workspace.rpc_model().methods}
    for step in iter_steps(flow.nodes):
        if step.kind in (CALL, CAST):
            service, method = step.rpc.split(" ")
            assert step.kind in model[(service, method)].kinds, step
            assert step.target.startswith(service.replace("-", "_")), step


@pytest.mark.parametrize("operation", OPERATIONS)
def test_34_0_0(modern, operation):
    check(modern, "34.0.0", operation)


@pytest.mark.parametrize("operation", OPERATIONS)
def test_liberty(liberty, operation):
    check(liberty, "12.0.0", operation)


@pytest.mark.parametrize("operation", sorted(SURFACE["34.0.0"]))
def test_34_0_0_surface(modern, operation):
    check(modern, "34.0.0", operation)


@pytest.mark.parametrize("operation", sorted(SURFACE["12.0.0"]))
def test_liberty_surface(liberty, operation):
    check(liberty, "12.0.0", operation)


def _trace_every_operation(workspace) -> None:
    from tracer.trace import Shared

    shared = Shared(workspace.index)
    groups = set()
    for op in workspace.catalogue().operations:
        flow = workspace.flow(op.name, Options(), shared)
        text = flow_text(flow, "wsd")
        assert text.startswith(f"title {op.name} "), op.name
        if op.group != "periodic":
            assert flow.request.startswith(f"{op.method} {op.path}"), op.name
        agrees_with_the_model(workspace, flow)
        groups.add(op.group)
    # every resource of the compute API, not only the servers API
    assert {"servers", "os-hypervisors", "os-aggregates", "os-services", "os-hosts",
            "os-keypairs", "flavors", "os-quota-sets", "os-server-groups",
            "os-assisted-volume-snapshots", "os-migrations", "os-availability-zone",
            "os-simple-tenant-usage", "os-instance_usage_audit_log", "periodic"} <= groups


def test_every_operation_of_34_0_0_traces(modern):
    _trace_every_operation(modern)


def test_every_operation_of_liberty_traces(liberty):
    _trace_every_operation(liberty)


def test_two_compute_hosts_only_where_two_take_part(modern):
    assert {"nova_compute_src", "nova_compute_dest"} <= \
        set(modern.flow("live-migrate", Options()).participants)
    assert "nova_compute_src" not in modern.flow("pause", Options()).participants


def test_driver_option_changes_the_driver_participant(modern):
    flow = modern.flow("pause", Options(driver="ironic"))
    assert "ironic" in flow.participants and "libvirt" not in flow.participants


def test_trace_is_deterministic(modern):
    from tracer.diagram import flow_text
    from tracer.trace import trace_operation
    from tracer.catalogue import find_operation

    op = find_operation(modern.catalogue(), "live-migrate")
    texts = {flow_text(trace_operation(modern.index, modern.rpc_model(), op, Options()), "wsd")
             for _ in range(2)}
    assert len(texts) == 1


def _inside(nodes, label: str):
    """The steps inside the first branch labelled `label`, at any depth."""
    from tracer.model import Block

    for node in nodes:
        if isinstance(node, Block):
            for branch in node.branches:
                if branch.label == label:
                    return iter_steps(branch.nodes)
                found = _inside(branch.nodes, label)
                if found is not None:
                    return found
    return None


def test_branches_decided_at_run_time_stay_branches(modern):
    """A helper's constant return decides its caller's branch only when every return
    agrees (read from the code): the scheduler asks placement only `if not is_rebuild`
    (request_is_rebuild returns False on its guard, a comparison otherwise), and boot
    fetches the image from glance `if image_href` (an empty string only for a server
    booted from a volume)."""
    rebuild = modern.flow("rebuild", Options())
    skipped = [s.text for s in _inside(rebuild.nodes, "if not is_rebuild") or ()
               if s.target == "placement"]
    assert "get_allocation_candidates" in skipped
    boot = modern.flow("boot", Options())
    image = [(s.target, s.text) for s in _inside(boot.nodes, "if image_href") or ()]
    assert ("glance", "get") in image


def test_rebuild_and_evacuate_take_their_own_arm_of_the_default_rebuild(modern):
    """_do_rebuild_instance builds `kwargs = dict(..., evacuate=evacuate, ...)` and calls
    `self._rebuild_default_impl(**kwargs)`: the keywords reach it, so a rebuild destroys
    the guest on its own host and an evacuation (evacuate=True) does not, but binds the
    accelerator requests it finds (read from nova/compute/manager.py)."""
    def driver_and_cyborg(operation):
        return {(s.text, s.anchor.rsplit(".", 1)[-1])
                for s in iter_steps(modern.flow(operation, Options()).nodes)
                if s.target and (s.target.startswith("libvirt") or s.target == "cyborg")}

    rebuild, evacuate = driver_and_cyborg("rebuild"), driver_and_cyborg("evacuate")
    assert ("destroy", "_rebuild_default_impl") in rebuild
    assert ("destroy", "_rebuild_default_impl") not in evacuate
    assert ("get_arqs_for_instance", "_get_bound_arq_resources") in evacuate
    assert ("get_arqs_for_instance", "_get_bound_arq_resources") not in rebuild


def _api_steps(flow, anchor: str) -> list[tuple[str, str, bool]]:
    """(target, text, whether inside a frame) of the steps `anchor` (a function's dotted
    path, its last part) draws."""
    from tracer.model import Block

    found = []

    def walk(nodes, inside):
        for node in nodes:
            if isinstance(node, Block):
                for branch in node.branches:
                    walk(branch.nodes, True)
            elif node.anchor.endswith(anchor) and node.target:
                found.append((node.target, node.text, inside))
    walk(flow.nodes, False)
    return found


def test_resize_and_migrate_take_only_their_own_ways_through_api_resize(modern):
    """nova/compute/api.py API.resize: a migrate passes no flavor_id, so `new_flavor =
    current_flavor` and `same_flavor = current_flavor['id'] == new_flavor['id']` is true:
    no flavor/image/NUMA/PCI validation (`if not same_flavor`), and
    API._allow_resize_to_same_host(same_flavor, ...) always looks up the node's traits
    (`if cold_migrate`). A resize passes `str(resize_dict["flavorRef"])`
    (servers.py ServersController._resize), required with minLength 1 by
    schemas/servers.py `resize` (parameter_types.flavor_ref): the flavor is always looked
    up, and past `if same_flavor and flavor_id: raise CannotResizeToSameFlavor()`
    same_flavor is false: the validation always runs and the trait lookup never does."""
    migrate = modern.flow("migrate", Options())
    traits = _api_steps(migrate, "API._allow_resize_to_same_host")
    assert ("placement", "get_provider_traits", False) in traits
    assert not [s for s in _api_steps(migrate, "API.resize")
                if s[1] == "get root bdm: reads BlockDeviceMappingList.get_by_instance_uuid"]
    assert not _api_steps(migrate, "get_flavor_by_flavor_id")
    resize = modern.flow("resize", Options())
    assert not _api_steps(resize, "API._allow_resize_to_same_host")
    assert ("database", "Flavor.get_by_flavor_id", False) in \
        _api_steps(resize, "get_flavor_by_flavor_id")
    text = flow_text(resize, "wsd")
    assert "opt if not same_flavor" not in text and "opt if flavor_id" not in text
    assert "opt if cold_migrate" not in flow_text(migrate, "wsd")


def test_delete_draws_the_service_up_check_and_the_bdms_it_casts(modern):
    """nova/compute/api.py API._delete (beyond --depth in a delete, and it casts
    terminate_instance): `bdms = objects.BlockDeviceMappingList.get_by_instance_uuid(...)`,
    sent in the cast, and `service = objects.Service.get_by_compute_host(...)` whose
    service_is_up decides is_local_delete, are drawn as reads before the branch on it."""
    flow = modern.flow("delete", Options())
    reads = [(s[0], s[1]) for s in _api_steps(flow, "API._delete")]
    assert ("database", "BlockDeviceMappingList.get_by_instance_uuid") in reads
    assert ("database", "Service.get_by_compute_host") in reads
    text = flow_text(flow, "wsd")
    assert text.index("Service.get_by_compute_host\n") < text.index("opt if not is_local_delete")


def test_a_list_passed_down_is_not_read_again(modern):
    """compute/manager.py _get_instance_block_device_info and compute/utils.py get_root_bdm
    read the BDMs only `if bdms is None`; API.rebuild reads them and passes them
    (is_volume_backed_instance(context, instance, bdms)), _do_rebuild_instance passes
    `bdms=bdms`, _shutdown_instance its caller's list: one read each, not two (review A3).
    API.shelve calls is_volume_backed_instance(context, instance) without them: read there."""
    def reads(operation, participant=None):
        return [s.text for s in iter_steps(modern.flow(operation, Options()).nodes)
                if s.kind == "db" and "BlockDeviceMappingList.get_by_instance_uuid" in s.text
                and participant in (None, s.source)]

    in_api = reads("rebuild", "nova_api")
    assert in_api == ["BlockDeviceMappingList.get_by_instance_uuid"], in_api
    assert not [t for t in reads("rebuild") + reads("delete") if "block device info" in t]
    assert "get root bdm: reads BlockDeviceMappingList.get_by_instance_uuid" in \
        reads("shelve", "nova_api")


def test_a_rebuild_keeps_its_host_and_an_evacuation_claims_the_one_given(modern):
    """compute/api.py API.rebuild sends `host = instance.host` (None when the image
    changes) and conductor/manager.py ComputeTaskManager.rebuild_instance claims
    resources only `if host: if host != instance.host:` (_allocate_for_evacuate_dest_host):
    never for a rebuild (review B13); API.evacuate sends the host the request names, and
    the claim is drawn."""
    def claims(operation):
        return [s for s in iter_steps(modern.flow(operation, Options()).nodes)
                if s.anchor.endswith("_allocate_for_evacuate_dest_host")]

    assert claims("rebuild") == []
    assert claims("evacuate")


def test_the_power_state_sync_stops_instances_on_its_own_host(modern):
    """compute/manager.py _sync_instance_power_state returns `if self.host !=
    db_instance.host`, then compute_api.stop / force_stop cast stop_instance to
    instance.host (rpcapi _compute_host(None, instance)): the host running the task, not
    a second compute host (review B6)."""
    flow = modern.flow("periodic-sync-power-states", Options())
    stops = {(s.source, s.target) for s in iter_steps(flow.nodes)
             if s.kind == "cast" and s.text == "stop_instance"}
    assert stops == {("nova_compute", "nova_compute")}, stops


def test_liberty_fixture_traces_as_the_git_tree():
    """The fixture archive (nova/ of tag 12.0.0 without nova/tests, and a PKG-INFO), as a
    folder, gives what a clone read at the tag gives: the same tag, modules, RPC model,
    catalogue and diagrams (but for the title and header naming the source)."""
    repo = os.environ.get("OSFLOW_NOVA_GIT")
    if not repo or not LIBERTY_ARCHIVE.is_file():
        pytest.skip("needs OSFLOW_NOVA_GIT (a nova clone) and the fixture archive")
    git = open_workspace(f"{repo}@12.0.0", cache=_shared_cache())
    folder = open_workspace(str(unpacked_archive(LIBERTY_ARCHIVE, _shared_cache())),
                            cache=_shared_cache())
    assert git.source.tag == folder.source.tag == "12.0.0"
    assert git.index.fingerprint() == folder.index.fingerprint()
    assert git.rpc_model().methods == folder.rpc_model().methods
    assert git.catalogue().operations == folder.catalogue().operations
    for op in git.catalogue().operations:
        texts = [flow_text(ws.flow(op.name, Options()), "wsd").replace(ws.source.label, "SRC")
                 for ws in (git, folder)]
        assert texts[0] == texts[1], op.name


def test_the_default_image_backend_snapshots_through_the_standard_path(modern):
    """nova/virt/libvirt/imagebackend.py Backend.backend: `self.BACKEND.get(image_type)`
    with image_type CONF.libvirt.images_type ('default': Qcow2, use_cow_images=True);
    Qcow2 keeps Image.direct_snapshot, which raises NotImplementedError, so
    nova/virt/libvirt/driver.py LibvirtDriver.snapshot takes its `except
    NotImplementedError` arm: the task state back to IMAGE_PENDING_UPLOAD, the disk
    extracted, IMAGE_UPLOADING again, and the data uploaded with image_api.update."""
    for operation in ("image-create", "shelve"):
        flow = modern.flow(operation, Options())
        steps = list(iter_steps(flow.nodes))
        fallback = next(i for i, s in enumerate(steps)
                        if s.text.startswith("Qcow2.direct_snapshot raises"))
        after = [(s.target, s.text) for s in steps[fallback:]]
        callbacks = [t for target, t in after if t == "update_task_state"]
        assert len(callbacks) == 2, operation  # PENDING_UPLOAD again, then UPLOADING
        if operation == "image-create":
            states = [t for _, t in after if "task_state=IMAGE_" in t]
            assert states[:2] == ["instance.save (task_state=IMAGE_PENDING_UPLOAD)",
                                  "instance.save (task_state=IMAGE_UPLOADING)"]
        assert ("glance", "update") in after, operation
        assert any("images_type: its default, 'default' (Qcow2" in n for n in flow.notes)


def test_the_vtpm_secret_is_deleted_in_the_key_manager(modern):
    """nova/crypto.py delete_vtpm_secret: `key_mgr = _get_key_manager()` (castellan's
    key_manager.API) then `key_mgr.delete(context, secret_uuid)`: barbican."""
    sent = [(s.target, s.text, s.anchor) for s in
            iter_steps(modern.flow("delete", Options()).nodes)]
    assert ("barbican", "delete", "nova.crypto.delete_vtpm_secret") in sent


def test_reboot_activates_the_share_mappings(modern):
    """nova/compute/manager.py ComputeManager._reboot_instance: after driver.reboot,
    `share_info.activate_all()` (nova/objects/share_mapping.py ShareMappingList.
    activate_all: each ShareMapping.activate sets status ACTIVE and saves)."""
    texts = [s.text for s in iter_steps(modern.flow("reboot", Options()).nodes)
             if s.target == "database"]
    assert any("ShareMapping.save (status=fields.ShareMappingStatus.ACTIVE)" in t
               for t in texts), texts


def test_post_live_migration_drops_the_migration_context_at_the_destination(modern):
    # nova/compute/manager.py ComputeManager._do_post_live_migration_at_destination:
    # instance.apply_migration_context(); instance.drop_migration_context() (the instance
    # came over RPC, its class not known there; nova/objects/instance.py
    # Instance.drop_migration_context writes db.instance_extra_update_by_uuid)
    steps = [(s.kind, s.source, s.text) for s in iter_steps(modern.flow("live-migrate").nodes)]
    assert ("db", DEST, "instance.drop_migration_context") in steps


def test_service_delete_counts_the_instances_on_the_host_first(modern):
    """nova/api/openstack/compute/services.py ServiceController.delete: for a compute
    service `num_instances = objects.InstanceList.get_count_by_hosts(context,
    [service['host']])` and 409 if any, before ComputeNodeList.get_all_by_host
    (nova/objects/instance.py InstanceList.get_count_by_hosts is no remotable method: it
    reads through `cls._get_count_by_hosts`, decorated `@db.pick_context_manager_reader`)."""
    reads = [s[1] for s in _api_steps(modern.flow("service-delete", Options()),
                                      "ServiceController.delete") if s[0] == "database" and s[1]]
    assert reads[:2] == ["InstanceList.get_count_by_hosts",
                         "ComputeNodeList.get_all_by_host"], reads


def test_external_events_keep_the_else_arm_that_wakes_the_waiter(modern):
    """nova/compute/manager.py ComputeManager.external_instance_event: after the
    network-changed, network-vif-deleted, volume-extended and power-update arms,
    `else: self._process_instance_event(instance, event)` (pop_instance_event, then
    `_event.set(event)`: the boot, migration or rebuild waiting for network-vif-plugged
    goes on). Nothing crosses a process there, yet the arm is drawn, as a note."""
    text = flow_text(modern.flow("server-external-events-create", Options()), "wsd")
    arms = text[text.index("alt if event.name == 'network-changed'"):]
    arms = arms[:arms.index("\n            end\n")]
    assert "\n            else\n" in arms
    assert arms.rstrip().endswith("note over nova_compute: process instance event"), arms
