"""The tracer on a synthetic tree: one test per pattern it must follow (tests/trees.TRACE)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from tracer.diagram import flow_nodes_text
from tracer.errors import OsflowError
from tracer.index import Index
from tracer.model import Block, iter_steps
from tracer.rpc import build_rpc_model
from tracer.trace import Options, trace_operation
from tests.trees import TRACE, write_tree

CONTROLLER = "nova.api.openstack.compute.servers.ServersController"


@dataclass(frozen=True)
class Op:
    """The catalogue fields the tracer reads."""

    name: str
    handler: str
    method: str = "POST"
    path: str = "/servers/{id}/action"
    action: str | None = None


@pytest.fixture(scope="module")
def tree(tmp_path_factory):
    root = write_tree(tmp_path_factory.mktemp("trace"), TRACE)
    index = Index(root)
    return index, build_rpc_model(index, "synthetic")


def trace(tree, name, method, **options):
    index, rpc = tree
    return trace_operation(index, rpc, Op(name, f"{CONTROLLER}.{method}", action=name),
                           Options(**options))


def messages(flow, *kinds):
    return [(s.kind, s.source, s.target, s.text) for s in iter_steps(flow.nodes)
            if s.kind in kinds]


def test_rest_request_and_response_frame_the_api_work(tree):
    flow = trace(tree, "pause", "_pause")
    steps = [s for s in iter_steps(flow.nodes) if s.kind not in ("enter",)]
    assert (steps[0].kind, steps[0].source, steps[0].target) == ("request", "client", "nova_api")
    assert steps[0].text == "POST /servers/{id}/action (pause)"
    response = next(s for s in steps if s.kind == "response")
    assert response.text == "202"  # from @wsgi.response(202)


def test_cast_crosses_to_compute_after_the_response(tree):
    flow = trace(tree, "pause", "_pause")
    kinds = [s.kind for s in iter_steps(flow.nodes) if s.kind != "enter"]
    assert messages(flow, "cast") == [("cast", "nova_api", "nova_compute", "pause_instance")]
    # the compute host's work is drawn after the API has answered
    assert kinds.index("response") < kinds.index("driver")
    assert flow.participants == ("client", "nova_api", "nova_compute", "database", "libvirt")


def test_database_writes_carry_the_fields_set_before_save(tree):
    flow = trace(tree, "pause", "_pause")
    db = [t for _, _, _, t in messages(flow, "db")]
    assert db == ["Instance.get_by_uuid", "instance.save (task_state=PAUSING)",
                  "InstanceAction.action_start",
                  "instance.save (vm_state=PAUSED, task_state=None)"]


def test_policy_decorators_and_notifications_become_notes(tree):
    flow = trace(tree, "pause", "_pause")
    notes = [s.text for s in iter_steps(flow.nodes) if s.kind == "note"]
    assert "policy: os_compute_api:servers:pause" in notes  # POLICY_ROOT % 'pause' resolved
    assert "check instance lock" in notes
    assert "check state: vm_state in [ACTIVE]" in notes
    assert "record instance action event (start/finish)" in notes
    assert "notify: pause.start" in notes and "notify: pause.end" in notes


def test_driver_is_chosen_by_option_and_drawn_as_its_own_participant(tree):
    flow = trace(tree, "pause", "_pause")
    assert ("driver", "nova_compute", "libvirt", "pause") in messages(flow, "driver")
    assert any("virt driver: libvirt" in n for n in flow.notes)
    fake = trace(tree, "pause", "_pause", driver="fake")
    assert ("driver", "nova_compute", "fake", "pause") in messages(fake, "driver")


def test_unknown_driver_is_bad_input_naming_the_choices(tree):
    with pytest.raises(OsflowError, match="unknown virt driver 'nope'.*fake.*libvirt"):
        trace(tree, "pause", "_pause", driver="nope")


def test_constant_argument_decides_a_runtime_kind(tree):
    # API.stop passes do_cast=True (its default) to a client choosing cast or call
    flow = trace(tree, "stop", "_stop")
    assert messages(flow, "cast", "call") == [
        ("cast", "nova_api", "nova_compute", "stop_instance")]


def test_conductor_task_class_is_followed_with_two_compute_hosts(tree):
    flow = trace(tree, "live-migrate", "_migrate_live")
    rpcs = messages(flow, "call", "cast", "return")
    assert rpcs == [
        ("call", "nova_api", "nova_conductor", "migrate_server"),
        ("call", "nova_conductor", "nova_scheduler", "select_destinations"),
        ("return", "nova_conductor", "nova_scheduler", "select_destinations returns"),
        ("call", "nova_conductor", "nova_compute_dest", "check_can_live_migrate_destination"),
        ("return", "nova_conductor", "nova_compute_dest",
         "check_can_live_migrate_destination returns"),
        ("cast", "nova_conductor", "nova_compute_src", "live_migration"),
        ("return", "nova_api", "nova_conductor", "migrate_server returns"),
        ("call", "nova_compute_src", "nova_compute_dest", "pre_live_migration"),
        ("return", "nova_compute_src", "nova_compute_dest", "pre_live_migration returns"),
    ]
    # live=True, rebuild=False came down from the API: the cold branch is not drawn
    assert "stop_instance" not in {t for *_, t in rpcs}


def test_scheduler_branch_is_kept_as_opt_with_its_condition(tree):
    flow = trace(tree, "live-migrate", "_migrate_live")
    blocks = [n for n in _walk_blocks(flow.nodes)]
    assert any(b.kind == "opt" and b.branches[0].label == "if not self.destination"
               for b in blocks)


def test_driver_callback_runs_on_the_compute_host(tree):
    flow = trace(tree, "live-migrate", "_migrate_live")
    assert ("callback", "libvirt_src", "nova_compute_src", "_post_live_migration") in \
        messages(flow, "callback")
    assert ("service", "nova_compute_src", "neutron", "migrate_instance_start") in \
        messages(flow, "service")
    assert "in a new thread: _do_live_migration" in \
        [s.text for s in iter_steps(flow.nodes) if s.kind == "note"]


def test_unfollowable_call_is_a_note_not_a_gap(tree):
    flow = trace(tree, "unknown", "_unknown")
    notes = [s.text for s in iter_steps(flow.nodes) if s.kind == "note"]
    assert any("not followed: self.mystery_api.frobnicate()" in n for n in notes)


def test_dispatch_table_becomes_one_alternative_per_entry(tree):
    flow = trace(tree, "get-console", "_console")
    block = next(_walk_blocks(flow.nodes))
    assert [b.label for b in block.branches] == [
        "if body['protocol'] == 'vnc'", "if body['protocol'] == 'spice'"]
    assert messages(flow, "call") == [
        ("call", "nova_api", "nova_compute", "get_vnc_console"),
        ("call", "nova_api", "nova_compute", "get_spice_console")]


def test_callable_chosen_at_run_time_is_a_note(tree):
    flow = trace(tree, "dynamic", "_dynamic")
    notes = [s.text for s in iter_steps(flow.nodes) if s.kind == "note"]
    assert "not followed: fn() is chosen at run time (getattr(self.compute_api, body['name']))" \
        in notes


def test_depth_zero_keeps_rpcs_and_draws_a_helper_by_what_it_reads(tree):
    """Beyond the depth a helper is one step, but one that reaches the database is an
    arrow naming what it reads, never a note (#18.2)."""
    full = trace(tree, "live-migrate", "_migrate_live")
    shallow = trace(tree, "live-migrate", "_migrate_live", depth=0)
    assert messages(shallow, "call", "cast") == messages(full, "call", "cast")
    assert len(list(iter_steps(shallow.nodes))) <= len(list(iter_steps(full.nodes)))
    assert ("db", "nova_api", "database", "get instance: reads Instance.get_by_uuid") in \
        messages(shallow, "db")


def test_provenance_anchors_every_step(tree):
    flow = trace(tree, "pause", "_pause")
    for step in iter_steps(flow.nodes):
        assert step.anchor.startswith("nova.") and step.file.endswith(".py") and step.line > 0
    save = next(s for s in iter_steps(flow.nodes) if s.text.startswith("instance.save (task"))
    assert (save.anchor, save.qualname) == ("nova.compute.api.API.pause", "API.pause")


def test_same_input_same_flow(tree):
    first = flow_nodes_text(trace(tree, "live-migrate", "_migrate_live").nodes)
    assert first == flow_nodes_text(trace(tree, "live-migrate", "_migrate_live").nodes)


def _walk_blocks(nodes):
    for node in nodes:
        if isinstance(node, Block):
            yield node
            for branch in node.branches:
                yield from _walk_blocks(branch.nodes)


def test_alternatives_of_a_field_stay_flat_and_few():
    from tracer.trace.engine import MAX_ALTERNATIVES, _merge_pending

    key = ("nova_compute", "instance")
    outcomes = [{key: [("task_state", "A or B")]}, {key: [("task_state", "B or C")]},
                {key: [("task_state", "D")]}, {key: [("task_state", "E or F")]}]
    merged = _merge_pending(outcomes, {})
    values = merged[key][0][1].split(" or ")
    assert values[:MAX_ALTERNATIVES] == ["A", "B", "C", "D"] and values[-1] == "..."


# ----------------------------------------------------------------------------- checks


def _checked_tree_files() -> dict[str, str]:
    """TRACE with a live_migrate guarded by decorators of the tree, a helper with a
    non-literal default, a database write below `depth` and a module of neutron helpers."""
    files = dict(TRACE)
    api = files["nova/compute/api.py"]
    api = api.replace("from nova import objects\n", """from nova import objects
        from nova.network import neutron
        from nova.network import security_group_api

        def block_extended_resource_request(function):
            @functools.wraps(function)
            def inner(self, context, instance, *args, **kwargs):
                if self.network_api.instance_has_extended_resource_request(instance):
                    raise ValueError()
                return function(self, context, instance, *args, **kwargs)
            return inner

        def reject_group(group):
            def outer(f):
                def inner(self, context, instance, *args, **kw):
                    security_group_api.validate_name(context, group)
                    return f(self, context, instance, *args, **kw)
                return inner
            return outer
""", 1)
    api = api.replace("""                self.compute_task_api = conductor.ComputeTaskAPI()
""", """                self.compute_task_api = conductor.ComputeTaskAPI()
                self.network_api = neutron.API()
""", 1)
    api = api.replace("""            def live_migrate(self, context, instance, host_name):
                instance.task_state = task_states.MIGRATING
                instance.save()
                self.compute_task_api.live_migrate_instance(context, instance, host_name)
""", """            @block_extended_resource_request
            @reject_group('admins')
            def live_migrate(self, context, instance, host_name):
                instance.task_state = task_states.MIGRATING
                instance.save()
                self._settle(instance)
                self._settle(instance, vm_state=host_name.state)
                self.compute_task_api.live_migrate_instance(context, instance, host_name)

            def _settle(self, instance, vm_state=vm_states.ACTIVE):
                instance.vm_state = vm_state
                instance.save()
                self._bookkeeping(instance)

            def _bookkeeping(self, instance):
                self._record(instance)

            def _record(self, instance):
                bdm = objects.BlockDeviceMapping()
                bdm.save()
""", 1)
    files["nova/compute/api.py"] = api
    files["nova/network/security_group_api.py"] = """
        from neutronclient.common import exceptions as n_exc
        from neutronclient.neutron import v2_0 as neutronv20
        from nova.network import neutron as neutronapi

        def validate_name(context, name):
            neutron = neutronapi.get_client(context)
            return neutronv20.find_resourceid_by_name_or_id(neutron, 'security_group', name)
        """
    files["nova/network/neutron.py"] = files["nova/network/neutron.py"].replace(
        "class API(object):\n", """class API(object):
            def instance_has_extended_resource_request(self, instance):
                return bool(get_client(None).list_ports(device_id=instance.uuid))

""", 1)
    return files


@pytest.fixture(scope="module")
def checked_tree(tmp_path_factory):
    root = write_tree(tmp_path_factory.mktemp("checked"), _checked_tree_files())
    index = Index(root)
    return index, build_rpc_model(index, "synthetic")


def test_checks_of_decorators_of_the_tree_come_before_the_body(checked_tree):
    flow = trace(checked_tree, "live-migrate", "_migrate_live")
    steps = [(s.kind, s.target, s.text, s.anchor) for s in iter_steps(flow.nodes)
             if s.kind in ("service", "db") and s.text != "Instance.get_by_uuid"]
    assert steps[:3] == [
        ("service", "neutron", "instance_has_extended_resource_request",
         "nova.compute.api.block_extended_resource_request.<locals>.inner"),
        ("service", "neutron", "validate_name",  # a factory's argument reaches the check
         "nova.compute.api.reject_group.<locals>.outer.<locals>.inner"),
        ("db", "database", "instance.save (task_state=MIGRATING)",
         "nova.compute.api.API.live_migrate")]


def test_functions_of_a_module_that_builds_a_neutron_client_are_neutron_calls():
    from tracer.trace.patterns import client_service

    assert client_service(b"from neutronclient.neutron import v2_0 as neutronv20\n") == \
        "neutron"
    assert client_service(b"import glanceclient\n") == "glance"
    assert client_service(b"client = utils.get_sdk_adapter(\n    'accelerator', a)\n") == \
        "cyborg"
    assert client_service(b"url, {'service_type': 'placement'}\n") == "placement"
    # catching a library's exceptions does not make a module its client
    assert client_service(b"from cinderclient import exceptions as cinder_exception\n") \
        is None
    assert client_service(b"import glanceclient.exc\n") is None


def test_a_profile_names_more_client_libraries():
    """Cinder's profile adds keystoneclient (cinder.api.api_utils looks projects up in
    keystone); without it, a module importing keystoneclient is no client."""
    from tracer.profiles import profile_for
    from tracer.trace.patterns import client_service

    source = b"from keystoneauth1 import identity\nfrom keystoneclient import client\n"
    assert client_service(source) is None
    more = profile_for("cinder").tracing.client_libraries
    assert client_service(source, more) == "keystone"
    assert client_service(b"from keystoneclient import exceptions\n", more) is None
    assert profile_for("nova").tracing.client_libraries == ()


def test_a_default_left_out_is_drawn_as_written_and_a_passed_value_as_the_caller_wrote_it(
        checked_tree):
    flow = trace(checked_tree, "live-migrate", "_migrate_live")
    saves = [s.text for s in iter_steps(flow.nodes) if s.text.startswith("instance.save")]
    assert saves[1:] == ["instance.save (vm_state=ACTIVE)",
                         "instance.save (vm_state=host_name.state)"]


def test_every_write_below_depth_is_kept_when_asked(checked_tree):
    def writes(**options):
        flow = trace(checked_tree, "live-migrate", "_migrate_live", depth=0, **options)
        return [s.text for s in iter_steps(flow.nodes) if s.kind == "db"]

    assert "bdm.save" not in writes()  # a diagram keeps the instance's state writes
    assert "instance.save (vm_state=ACTIVE)" in writes()
    assert writes(all_writes=True).count("bdm.save") == 2


def _client_tree_files() -> dict[str, str]:
    """The TRACE tree, its pause also asking neutron five things: one talks to neutron
    through a method of its class, one is a static method talking to it through another
    client module, one hands the client's method to a helper that calls it, one is a local
    check reading the database, one is a no-op inherited from a base class outside the
    client module."""
    files = dict(TRACE)
    files["nova/network/neutron_util.py"] = """
        from neutronclient.v2_0 import client as clientv20

        def port_address(context, port_id):
            return clientv20.Client(context).show_port(port_id)
        """
    files["nova/network/base_api.py"] = """
        class NetworkAPI(object):
            def ensure_default(self, context):
                pass
        """
    files["nova/network/neutron.py"] = files["nova/network/neutron.py"].replace(
        "class API(object):\n", """from nova import objects
        from nova.network import base_api
        from nova.network import neutron_util

        class API(base_api.NetworkAPI):
            def show_port(self, context, port_id):
                return self._show(context, port_id)

            def _show(self, context, port_id):
                return get_client(context).show_port(port_id)

            @staticmethod
            def port_url(context, port_id):
                return neutron_util.port_address(context, port_id)

            def list_ports(self, context):
                return self._call(self._client.list_ports, context)

            def _call(self, func, *args):
                return func(*args)

            def check_ports(self, context, instance):
                vifs = objects.VirtualInterfaceList.get_by_instance_uuid(context, instance.uuid)
                if not vifs:
                    raise ValueError(instance.uuid)

""", 1)
    files["nova/compute/api.py"] = files["nova/compute/api.py"].replace(
        "from nova import objects\n", "from nova import objects\n"
        "        from nova.network import neutron\n", 1).replace(
        "                instance.task_state = task_states.PAUSING\n",
        "                network = neutron.API()\n"
        "                network.show_port(context, instance.uuid)\n"
        "                network.port_url(context, instance.uuid)\n"
        "                network.list_ports(context)\n"
        "                network.check_ports(context, instance)\n"
        "                network.ensure_default(context)\n"
        "                instance.task_state = task_states.PAUSING\n", 1)
    return files


def test_only_client_methods_that_reach_a_client_are_messages_to_the_service(tmp_path):
    root = write_tree(tmp_path, _client_tree_files())
    index = Index(root)
    flow = trace((index, build_rpc_model(index, "synthetic")), "pause", "_pause")
    assert messages(flow, "service", "callback") == [
        ("service", "nova_api", "neutron", "show_port"),
        ("service", "nova_api", "neutron", "port_url"),
        # the client's method handed to a helper that calls it (master's cyborg client:
        # `self._call_cyborg(self._client.post, ...)`)
        ("service", "nova_api", "neutron", "list_ports")]
    # the local check is followed in the API's own process: its database read is drawn
    assert ("db", "nova_api", "database", "VirtualInterfaceList.get_by_instance_uuid") in \
        messages(flow, "db")


def _guarded_tree_files(second_return: str) -> dict[str, str]:
    """TRACE with pause recording its action only `if not shelved`, set by a helper that
    returns False on its guard and `second_return` otherwise (the scheduler's
    `is_rebuild = utils.request_is_rebuild(spec_obj)`)."""
    files = dict(TRACE)
    api = files["nova/compute/api.py"]
    api = api.replace("""                self._record_action_start(context, instance, 'pause')
""", """                shelved = self._is_shelved(instance)
                if not shelved:
                    self._record_action_start(context, instance, 'pause')
""", 1)
    api = api.replace("""            def stop(self, context, instance, do_cast=True):""", f"""            def _is_shelved(self, instance):
                if not instance:
                    return False
                return {second_return}

            def stop(self, context, instance, do_cast=True):""", 1)
    assert api != files["nova/compute/api.py"]
    files["nova/compute/api.py"] = api
    return files


@pytest.mark.parametrize("second_return, decided", [
    ("instance.vm_state == 'shelved'", False),  # known only at run time
    ("False", True)])  # every return says False: the condition holds
def test_a_constant_return_decides_a_branch_only_when_every_return_agrees(
        tmp_path, second_return, decided):
    index = Index(write_tree(tmp_path, _guarded_tree_files(second_return)))
    flow = trace((index, build_rpc_model(index, "synthetic")), "pause", "_pause")
    opts = [b for b in flow.nodes if isinstance(b, Block)
            and b.branches[0].label == "if not shelved"]
    recorded = [s for s in iter_steps(flow.nodes) if s.text == "InstanceAction.action_start"]
    assert len(recorded) == 1
    if decided:
        assert not opts
    else:
        assert len(opts) == 1 and recorded[0] in iter_steps(opts[0].branches[0].nodes)


def _placeholder_tree_files(later: str) -> dict[str, str]:
    """TRACE with compute's pause_instance saving a migration only `if self.tracker`, an
    attribute __init__ sets to None; `later` is a method that may set it again."""
    files = dict(TRACE)
    manager = files["nova/compute/manager.py"]
    manager = manager.replace("""                self.compute_rpcapi = compute_rpcapi.ComputeAPI()
""", f"""                self.compute_rpcapi = compute_rpcapi.ComputeAPI()
                self.tracker = None
{later}
""", 1)
    manager = manager.replace("""                self.driver.pause(instance)
""", """                self.driver.pause(instance)
                if self.tracker:
                    self.tracker.migration.save()
""", 1)
    assert manager.count("self.tracker") >= 2
    files["nova/compute/manager.py"] = manager
    return files


SETUP = """
            def _setup_tracker(self):
                self.tracker = objects.Tracker()"""


@pytest.mark.parametrize("later, decided", [(SETUP, False), ("", True)])
def test_a_placeholder_set_in_init_does_not_decide_branches(tmp_path, later, decided):
    """`self.pci_tracker = None` in the resource tracker's __init__, set for real by the
    periodic task: the value __init__ gives is no fact about the running service. Only
    when nothing else ever sets it does it decide the branch (the save is never made)."""
    index = Index(write_tree(tmp_path, _placeholder_tree_files(later)))
    flow = trace((index, build_rpc_model(index, "synthetic")), "pause", "_pause")
    saves = [s for s in iter_steps(flow.nodes) if s.text == "self.tracker.migration.save"]
    assert len(saves) == (0 if decided else 1)


def _forwarding_tree_files(call: str) -> dict[str, str]:
    """TRACE with compute's pause_instance reaching `_finish(context, instance,
    cleanup=False)` through `call`; _finish saves a migration only `if cleanup`, and its
    default is cleanup=True."""
    files = dict(TRACE)
    manager = files["nova/compute/manager.py"]
    manager = manager.replace("""                self.driver.pause(instance)
""", f"""                self.driver.pause(instance)
{call}

            def _wrapped(self, *args, **kwargs):
                self._finish(*args, **kwargs)

            def _finish(self, context, instance, cleanup=True):
                if cleanup:
                    objects.Migration.cleanup()
""", 1)
    files["nova/compute/manager.py"] = manager
    return files


@pytest.mark.parametrize("call, saves", [
    # a wrapper's *args and **kwargs hand on what it was given: cleanup=False holds
    ("                self._wrapped(context, instance, cleanup=False)", 0),
    # keywords built with dict(...) and passed as **kwargs: the same
    ("                kwargs = dict(context=context, instance=instance, cleanup=False)\n"
     "                self._finish(**kwargs)", 0),
    # a mapping whose contents are unknown: cleanup may be in it, so not its default
    ("                self._finish(context, instance, **self.options)", 1),
    # handed-on keywords changed in place: no longer all known
    ("                kwargs = dict(context=context, instance=instance, cleanup=False)\n"
     "                kwargs.update(self.options)\n"
     "                self._finish(**kwargs)", 1),
    ("                kwargs = dict(context=context, instance=instance, cleanup=False)\n"
     "                kwargs['cleanup'] = instance.host\n"
     "                self._finish(**kwargs)", 1),
])
def test_arguments_passed_through_star_args_and_mappings(tmp_path, call, saves):
    index = Index(write_tree(tmp_path, _forwarding_tree_files(call)))
    flow = trace((index, build_rpc_model(index, "synthetic")), "pause", "_pause")
    assert any(s.kind == "enter" and s.anchor.endswith("._finish")
               for s in iter_steps(flow.nodes))
    opts = [b for b in flow.nodes if isinstance(b, Block) and
            b.branches[0].label == "if cleanup"]
    assert len(opts) == saves
    cleanups = [s for s in iter_steps(flow.nodes) if s.text == "Migration.cleanup"]
    assert len(cleanups) == saves  # drawn only inside the branch, when it may run
    if saves:
        assert cleanups[0] in iter_steps(opts[0].branches[0].nodes)


def _listed_tree_files(listed: str) -> dict[str, str]:
    """TRACE with the compute API's pause running `for check in CHECKS: check(instance)`,
    CHECKS being `listed`; the two checks read different objects."""
    files = dict(TRACE)
    api = files["nova/compute/api.py"]
    api = api.replace("""        class API(object):""", f"""        def _check_host(instance):
            objects.ComputeNode.get_by_host(instance.host)

        def _check_group(instance):
            objects.InstanceGroup.get_by_instance_uuid(instance.uuid)

        CHECKS = {listed}

        class API(object):""", 1)
    api = api.replace("""                instance.task_state = task_states.PAUSING
""", """                for check in CHECKS:
                    check(instance)
                instance.task_state = task_states.PAUSING
""", 1)
    files["nova/compute/api.py"] = api
    return files


@pytest.mark.parametrize("listed, reads", [
    ("[_check_host, _check_group]", ["ComputeNode.get_by_host",
                                     "InstanceGroup.get_by_instance_uuid"]),
    ("(_check_group,)", ["InstanceGroup.get_by_instance_uuid"]),
    ("[_check_host, len]", []),  # not all the tree's functions: the call stays unknown
])
def test_a_loop_over_a_listed_table_of_functions_runs_each(tmp_path, listed, reads):
    index = Index(write_tree(tmp_path, _listed_tree_files(listed)))
    flow = trace((index, build_rpc_model(index, "synthetic")), "pause", "_pause")
    loops = [b for b in flow.nodes if isinstance(b, Block) and b.kind == "loop"]
    if listed == "(_check_group,)":
        # a table of one function runs it once: no loop (Sahara's
        # `@v.validate(schema, v_c_s.check_cluster_scaling)`: `for validator in validators`)
        assert not loops
        assert [s.text for s in iter_steps(flow.nodes) if s.kind == "db"
                and s.text in reads] == reads
        return
    loop = loops[0]
    assert loop.branches[0].label == "for check in CHECKS"
    inside = list(iter_steps(loop.branches[0].nodes))
    assert [s.text for s in inside if s.kind == "db"] == reads
    if not reads:
        assert any(s.text.startswith("not followed: check()") for s in inside)


def _exit_tree_files(exit_line: str) -> dict[str, str]:
    """TRACE with pause leaving early `if instance.locked:` through `exit_line`, before
    it records its action; `_legacy` is another way through that draws nothing."""
    files = dict(TRACE)
    api = files["nova/compute/api.py"]
    api = api.replace("""                self._record_action_start(context, instance, 'pause')
""", f"""                if instance.locked:
                    {exit_line}
                self._record_action_start(context, instance, 'pause')

            def _legacy(self, instance):
                return [instance]
""", 1)
    files["nova/compute/api.py"] = api
    return files


@pytest.mark.parametrize("exit_line, wrapped", [
    # a way out that returns is a normal path: the action is not recorded then, so the
    # rest is drawn under the negated condition
    ("return", True),
    ("return False", True),
    # one that raises is an error path, not drawn: the rest is drawn flat
    ("raise ValueError()", False),
    # another way through (the scheduler's `return self._legacy_find_hosts(...)`): what
    # follows runs only when the condition is false, so it is drawn so
    ("return self._legacy(instance)", True),
])
def test_an_early_exit_through_a_call_keeps_the_rest_conditional(tmp_path, exit_line,
                                                                  wrapped):
    index = Index(write_tree(tmp_path, _exit_tree_files(exit_line)))
    flow = trace((index, build_rpc_model(index, "synthetic")), "pause", "_pause")
    opts = [b for b in flow.nodes if isinstance(b, Block)
            and b.branches[0].label == "if not instance.locked"]
    assert len(opts) == wrapped
    if wrapped:
        assert "InstanceAction.action_start" in [s.text for s in
                                                 iter_steps(opts[0].branches[0].nodes)]


def _share_tree_files() -> dict[str, str]:
    """TRACE with compute's pause_instance going over a new ShareMappingList's items and
    asking each for its credentials: an object method that calls manila itself (master's
    ShareMapping.enhance_with_ceph_credentials), and one that only reads a field."""
    files = dict(TRACE)
    files["nova/share/__init__.py"] = ""
    files["nova/share/manila.py"] = """
        from nova import utils

        class API(object):
            def get_access(self, context, share_id):
                client = utils.get_sdk_adapter('shared-file-system', admin=True)
                return client.get(share_id)
        """
    files["nova/objects/share_mapping.py"] = """
        from nova.objects import base
        from nova.objects import fields
        from nova.share import manila as manila_api

        class ShareMapping(base.NovaObject):
            def enhance_with_credentials(self, context):
                self.access = manila_api.API().get_access(context, self.share_id)

            def proto(self):
                return self.share_proto

        class ShareMappingList(base.ObjectListBase, base.NovaObject):
            fields = {'objects': fields.ListOfObjectsField('ShareMapping')}
        """
    manager = files["nova/compute/manager.py"]
    manager = manager.replace("""                self.driver.pause(instance)
""", """                self.driver.pause(instance)
                shares = objects.ShareMappingList(context)
                for share in shares:
                    share.enhance_with_credentials(context)
                    share.proto()
""", 1)
    manager = manager.replace("from nova import manager\n",
                              "from nova import manager\n        from nova import objects\n", 1)
    files["nova/compute/manager.py"] = manager
    return files


def test_an_object_list_s_items_and_an_object_method_that_calls_a_service(tmp_path):
    index = Index(write_tree(tmp_path, _share_tree_files()))
    flow = trace((index, build_rpc_model(index, "synthetic")), "pause", "_pause")
    loop = next(b for b in flow.nodes if isinstance(b, Block) and b.kind == "loop"
                and b.branches[0].label == "for share in shares")
    inside = list(iter_steps(loop.branches[0].nodes))
    assert [(s.source, s.target, s.text) for s in inside if s.kind == "service"] == [
        ("nova_compute", "manila", "get_access")]
    # followed into the object's own method (the one that only reads a field is not)
    entered = {s.anchor for s in inside if s.kind == "enter"}
    assert "nova.objects.share_mapping.ShareMapping.enhance_with_credentials" in entered
    assert "nova.objects.share_mapping.ShareMapping.proto" not in entered


def test_depth_zero_keeps_checks_and_notifications(tree):
    """Checks that decide whether the operation goes on (policy, lock, state) and
    notifications (messages other services read) are substance, kept at any depth; only
    in-process detail goes."""
    kept = ["policy: os_compute_api:servers:pause", "check instance lock",
            "check state: vm_state in [ACTIVE]", "notify: pause.start", "notify: pause.end"]
    for depth in (0, 1):
        notes = [s.text for s in iter_steps(trace(tree, "pause", "_pause", depth=depth).nodes)
                 if s.kind == "note"]
        assert [n for n in notes if n in kept] == kept, (depth, notes)


def _aggregate_tree_files() -> dict[str, str]:
    """Liberty's aggregates API: a controller's API builds a client that wraps another
    in a LazyLoader, whose `__init__` makes the RPC client: four constructors deep."""
    files = dict(TRACE)
    files["nova/api/openstack/compute/aggregates.py"] = """
        from nova.compute import api as compute_api

        class AggregateController(object):
            def __init__(self):
                self.api = compute_api.AggregateAPI()

            def create(self, req, body):
                context = req.environ['nova.context']
                self.api.create_aggregate(context, body['name'])
        """
    files["nova/compute/api.py"] = files["nova/compute/api.py"].replace(
        "from nova import objects\n",
        "from nova import objects\n        from nova.scheduler import client\n", 1) + """
        class AggregateAPI(object):
            def __init__(self):
                self.scheduler_client = client.SchedulerClient()

            def create_aggregate(self, context, name):
                self.scheduler_client.select_destinations(context, name)
        """
    files["nova/scheduler/client/__init__.py"] = """
        import functools

        from oslo_utils import importutils

        class LazyLoader(object):
            def __init__(self, klass, *args, **kwargs):
                self.klass = klass
                self.instance = None

            def __getattr__(self, name):
                return functools.partial(self.__run_method, name)

        class SchedulerClient(object):
            def __init__(self):
                self.queryclient = LazyLoader(importutils.import_class(
                    'nova.scheduler.client.query.SchedulerQueryClient'))

            def select_destinations(self, context, spec_obj):
                return self.queryclient.select_destinations(context, spec_obj)
        """
    return files


def test_an_object_built_too_deep_to_run_its_init_runs_it_when_used(tmp_path):
    """`__init__` runs (quietly) only so deep when objects are built (QUIET_DEPTH); one
    built deeper runs it when an attribute it sets is first read, so the RPC client it
    makes is known: Liberty's aggregate API reaches the scheduler this way."""
    index = Index(write_tree(tmp_path, _aggregate_tree_files()))
    op = Op("aggregate-create", "nova.api.openstack.compute.aggregates.AggregateController"
            ".create", path="/os-aggregates")
    flow = trace_operation(index, build_rpc_model(index, "synthetic"), op, Options())
    assert messages(flow, "call") == [("call", "nova_api", "nova_scheduler",
                                       "select_destinations")]
    assert not any("not followed" in s.text for s in iter_steps(flow.nodes))


def test_an_object_write_of_the_class_its_receiver_names_is_drawn(tmp_path):
    """`instance.drop_migration_context()` where the instance's class is not known (it came
    over RPC): Instance's method calls the database API itself
    (nova/objects/instance.py: db.instance_extra_update_by_uuid), so it is drawn as the
    write it is; a remotable one too; a plain method is not."""
    files = dict(TRACE)
    files["nova/objects/instance.py"] = """
        from nova.db.main import api as db
        from nova.objects import base


        class Instance(object):
            def drop_migration_context(self):
                if self.migration_context:
                    db.instance_extra_update_by_uuid(self._context, self.uuid, {})

            @base.remotable
            def delete_metadata_key(self, key):
                pass

            def clear_numa_topology(self):
                self.numa_topology = None
        """
    files["nova/db/main/api.py"] = """
        def instance_extra_update_by_uuid(context, uuid, values):
            pass
        """
    files["nova/compute/manager.py"] = files["nova/compute/manager.py"].replace(
        """                instance.task_state = None
                instance.save()
""", """                instance.task_state = None
                instance.drop_migration_context()
                instance.delete_metadata_key('x')
                instance.clear_numa_topology()
                instance.save()
""", 1)
    index = Index(write_tree(tmp_path, files))
    flow = trace((index, build_rpc_model(index, "synthetic")), "pause", "_pause")
    writes = [s.text for s in iter_steps(flow.nodes)
              if s.kind == "db" and s.source == "nova_compute"]
    assert "instance.drop_migration_context" in writes
    assert "instance.delete_metadata_key" in writes
    assert not any("clear_numa_topology" in w for w in writes)


def test_a_gatherer_calls_the_function_it_is_handed(tmp_path):
    """nova/compute/api.py API._get_instance_from_cell: `result = nova_context.
    scatter_gather_single_cell(context, im.cell_mapping, objects.Instance.get_by_uuid,
    uuid)` then `result[cell_uuid]`: the instance is read (Tracing.gatherers) and the item
    is what get_by_uuid answers, an Instance."""
    files = dict(TRACE)
    files["nova/context.py"] = """
        def scatter_gather_single_cell(context, cell_mapping, fn, *args, **kwargs):
            return {}
        """
    files["nova/objects/instance.py"] = """
        from nova.objects import base


        class Instance(object):
            @base.remotable_classmethod
            def get_by_uuid(cls, context, uuid):
                pass

            @base.remotable
            def delete_metadata_key(self, key):
                pass
        """
    api = files["nova/compute/api.py"]
    files["nova/compute/api.py"] = api.replace("""            def pause(self, context, instance):
""", """            def pause(self, context, instance):
                result = nova_context.scatter_gather_single_cell(
                    context, None, objects.Instance.get_by_uuid, 'uuid')
                found = result['cell']
                found.delete_metadata_key('k')
""", 1).replace("import", "from nova import context as nova_context\n        import", 1)
    index = Index(write_tree(tmp_path, files))
    flow = trace((index, build_rpc_model(index, "synthetic")), "pause", "_pause")
    reads = [s.text for s in iter_steps(flow.nodes) if s.kind == "db" and s.source == "nova_api"]
    assert "Instance.get_by_uuid" in reads
    assert "found.delete_metadata_key" in reads  # the item is known an Instance


def _driver_service_tree_files() -> dict[str, str]:
    """The TRACE tree, its libvirt pause asking neutron from two levels of private helpers
    down (Nova's `_volume_snapshot_update_status` -> `self._volume_api.
    update_snapshot_status`, `cache_image` -> `images.fetch_to_raw` -> `IMAGE_API.
    download`), and doing local work in a helper that asks nothing."""
    files = dict(TRACE)
    files["nova/virt/images.py"] = """
        from nova.network import neutron

        NETWORK_API = neutron.API()

        def fetch_to_raw(context, instance):
            fetch(context, instance)

        def fetch(context, instance):
            NETWORK_API.setup_networks_on_host(context, instance)
        """
    files["nova/virt/libvirt/driver.py"] = files["nova/virt/libvirt/driver.py"].replace(
        """            def pause(self, instance):
                self._host.get_guest(instance)
""", """            def pause(self, instance):
                self._host.get_guest(instance)
                self._prepare_guest(instance)
                self._tidy(instance)

            def _prepare_guest(self, instance):
                if instance.missing:
                    images.fetch_to_raw(None, instance)

            def _tidy(self, instance):
                self._host.get_guest(instance)
""", 1).replace("from nova.virt.libvirt import host\n",
                "from nova.virt.libvirt import host\n        from nova.virt import images\n",
                1)
    return files


def test_a_driver_helper_asking_another_service_is_drawn_with_its_call(tmp_path):
    """Beyond `depth` the driver keeps what leaves the compute host: a call to another
    service made by a private helper (through a module function two levels down) is drawn
    under the helper's guard, after the helper's name; a helper that asks nothing stays a
    note (nova/virt/libvirt/driver.py LibvirtDriver.cache_image -> images.fetch_to_raw)."""
    index = Index(write_tree(tmp_path, _driver_service_tree_files()))
    flow = trace((index, build_rpc_model(index, "synthetic")), "pause", "_pause", depth=1)
    assert ("service", "libvirt", "neutron", "setup_networks_on_host") in \
        messages(flow, "service")
    text = flow_nodes_text(flow.nodes)
    assert text.index("note libvirt->None: prepare guest") < \
        text.index("service libvirt->neutron: setup_networks_on_host") < \
        text.index("note libvirt->None: LibvirtDriver._tidy")
    guarded = [b for b in _walk_blocks(flow.nodes)
               if b.branches[0].label == "if instance.missing"]
    assert guarded and any(s.kind == "service" for s in iter_steps(guarded[0].branches[0].nodes))


def _info_cache_tree_files() -> dict[str, str]:
    """The TRACE tree, its compute pause asking neutron for the instance's network info
    through a client method that then saves the instance's info cache itself (34.0.0
    nova/network/neutron.py API.get_instance_nw_info -> update_instance_cache_with_nw_info:
    `ic = objects.InstanceInfoCache.new(context, instance.uuid); ic.save()`), and through
    one decorated with a wrapper that saves it after the call, inside a lock
    (@refresh_cache on add_fixed_ip_to_instance)."""
    files = dict(TRACE)
    files["nova/objects/__init__.py"] = "from nova.objects.info_cache import InfoCache\n"
    files["nova/objects/info_cache.py"] = """
        from nova.objects import base

        class InfoCache(base.NovaObject):
            @classmethod
            def new(cls, context, instance_uuid):
                made = cls()
                made.instance_uuid = instance_uuid
                return made

            @base.remotable
            def save(self):
                pass
        """
    files["nova/network/neutron.py"] = files["nova/network/neutron.py"].replace(
        "class API(object):\n", """import functools

        from oslo_concurrency import lockutils

        from nova import objects

        def update_cache(impl, context, instance, nw_info=None):
            if instance.deleted:
                return
            cache = objects.InfoCache.new(context, instance.uuid)
            cache.network_info = nw_info
            cache.save()

        def refresh_cache(f):
            @functools.wraps(f)
            def wrapper(self, context, instance):
                with lockutils.lock('refresh_cache'):
                    res = f(self, context, instance)
                    update_cache(self, context, instance, nw_info=res)
                return res
            return wrapper

        class API(object):
            def get_instance_nw_info(self, context, instance):
                result = get_client(context).list_ports(device_id=instance.uuid)
                update_cache(self, context, instance, nw_info=result)
                return result

            @refresh_cache
            def add_fixed_ip(self, context, instance):
                return get_client(context).update_port(instance.uuid)

            def show_port(self, context, port_id):
                return get_client(context).show_port(port_id)

""", 1)
    manager = files["nova/compute/manager.py"]
    manager = manager.replace("""                self.driver.pause(instance)
""", """                network = neutron.API()
                network.get_instance_nw_info(context, instance)
                network.add_fixed_ip(context, instance)
                network.show_port(context, instance.uuid)
                self.driver.pause(instance)
""", 1).replace("from nova import manager\n",
                "from nova import manager\n        from nova.network import neutron\n", 1)
    files["nova/compute/manager.py"] = manager
    return files


def test_a_service_client_s_own_database_writes_are_drawn_after_its_message(tmp_path):
    """A client method that asks its service is one message to it; the database writes
    its own code makes in the caller's process (the instance's info cache) are drawn
    after that message, under their guards; a client method that writes nothing is the
    message alone."""
    index = Index(write_tree(tmp_path, _info_cache_tree_files()))
    flow = trace((index, build_rpc_model(index, "synthetic")), "pause", "_pause")
    text = flow_nodes_text(flow.nodes)
    start = text.index("service nova_compute->neutron: get_instance_nw_info")
    assert text[start:text.index("driver nova_compute->libvirt: pause")].splitlines() == [
        "service nova_compute->neutron: get_instance_nw_info",
        "service-return nova_compute->neutron: ",
        "[opt if not instance.deleted]",
        "  db nova_compute->database: InfoCache.save (network_info=get_client(context)"
        ".list_ports(device...)",
        "  db-return nova_compute->database: ",
        "[end]",
        "service nova_compute->neutron: add_fixed_ip",
        "service-return nova_compute->neutron: ",
        "[opt if not instance.deleted]",
        "  db nova_compute->database: InfoCache.save (network_info=res)",
        "  db-return nova_compute->database: ",
        "[end]",
        "service nova_compute->neutron: show_port",
        "service-return nova_compute->neutron: "]
    # the client's own calls to neutron are not drawn again
    assert "list_ports\n" not in text and "update_port" not in text
