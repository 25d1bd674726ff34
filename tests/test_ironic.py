"""Ironic's patterns on a synthetic tree (tests/ironic_trees.py): the manager named by module
and class in its launcher, a conductor picked by hash ring."""

from __future__ import annotations

import pytest

from tests.ironic_trees import IRONIC, IRONIC_API
from tests.trees import write_tree
from tracer.index import Index
from tracer.pecan import Pecan, build_pecan_catalogue, request_bindings
from tracer.profiles import profile_for
from tracer.rpc import build_rpc_model


@pytest.fixture
def ironic_rpc(tmp_path):
    root = write_tree(tmp_path, IRONIC)
    return build_rpc_model(Index(root, package="ironic"), "test", profile_for("ironic"))


def test_the_manager_named_by_module_and_class_in_its_launcher(ironic_rpc):
    """ironic/command/conductor.py: RPCService(CONF.host, 'ironic.conductor.manager',
    'ConductorManager'): two strings in a row name the class."""
    services = {s.binary: s.manager for s in ironic_rpc.services}
    assert services == {"ironic-conductor": "ironic.conductor.manager.ConductorManager"}
    by = {m.method: m for m in ironic_rpc.methods}
    assert by["do_node_deploy"].handler == \
        "ironic.conductor.manager.ConductorManager.do_node_deploy"
    assert by["create_node"].kinds == ("call",)
    assert by["continue_node_clean"].kinds == ("cast",)
    assert by["change_node_power_state"].version == "1.39"
    assert all(m.service == "ironic-conductor" for m in ironic_rpc.methods)


# ----------------------------------------------------------------------------- Pecan


def _pecan(**changes) -> Pecan:
    base = dict(root="ironic.api.controllers.v1.Controller", prefix="/v1",
                api_dir="ironic/api/",
                targets={"NodeStatesController.provision": "target",
                         "NodeStatesController.power": "target"},
                targets_module="ironic.common.states",
                client_commands={
                    "node-create": ("POST", "/v1/nodes", None),
                    "node-deploy": ("PUT", "/v1/nodes/{node_ident}/states/provision",
                                    "active"),
                    "node-undeploy": ("PUT", "/v1/nodes/{node_ident}/states/provision",
                                      "deleted"),
                    "node-clean": ("PUT", "/v1/nodes/{node_ident}/states/provision", "clean"),
                    "node-unhold": ("PUT", "/v1/nodes/{node_ident}/states/provision",
                                    "unhold"),
                    "node-power-on": ("PUT", "/v1/nodes/{node_ident}/states/power",
                                      "power on"),
                    "node-inject-nmi": ("PUT", "/v1/nodes/{id}/management/inject_nmi", None),
                })
    base.update(changes)
    return Pecan(**base)


@pytest.fixture
def pecan_catalogue(tmp_path):
    root = write_tree(tmp_path, {**IRONIC, **IRONIC_API})
    return build_pecan_catalogue(Index(root, package="ironic"), "test", _pecan())


def _requests(catalogue):
    return {(op.method, op.path): op for op in catalogue.operations}


def test_pecan_rest_controller_verbs_and_ids(pecan_catalogue):
    """get_all, post at the collection; get_one, patch, delete at the item, its id named
    after the handler's parameter; a method not exposed answers nothing."""
    by = _requests(pecan_catalogue)
    assert by["GET", "/v1/nodes"].handler.endswith("NodesController.get_all")
    assert by["GET", "/v1/nodes/{node_ident}"].handler.endswith("NodesController.get_one")
    assert by["PATCH", "/v1/nodes/{node_ident}"].handler.endswith("NodesController.patch")
    assert by["DELETE", "/v1/nodes/{node_ident}"].handler.endswith("NodesController.delete")
    assert by["POST", "/v1/nodes"].name == "node-create"
    assert not [op for op in pecan_catalogue.operations if "not_exposed" in op.handler]
    # a custom GET action of the collection
    assert by["GET", "/v1/nodes/validate"].handler.endswith("NodesController.validate")
    assert by["GET", "/v1/ports/detail"].name == "port-list-detail"


def test_pecan_attribute_sub_controller_hangs_under_the_item(pecan_catalogue):
    by = _requests(pecan_catalogue)
    # NodesController.states = NodeStatesController(): no items of its own
    assert by["GET", "/v1/nodes/{node_ident}/states"].handler.endswith(
        "NodeStatesController.get")
    assert not [op for op in pecan_catalogue.operations if "_helper" in op.handler]


def test_pecan_controller_reached_twice_is_placed_at_its_shortest_path(pecan_catalogue):
    """PortsController is /v1/ports and, through NodesController's _subcontroller_map,
    /v1/nodes/{node_ident}/ports: listed once, at /v1/ports."""
    ports = [op for op in pecan_catalogue.operations if op.handler.endswith(
        "PortsController.get_all")]
    assert [op.path for op in ports] == ["/v1/ports"]
    assert ("DELETE", "/v1/ports/{port_ident}") in _requests(pecan_catalogue)


def test_pecan_targets_of_one_handler_are_operations_each(pecan_catalogue):
    ops = {op.name: op for op in pecan_catalogue.operations}
    deploy, undeploy = ops["node-deploy"], ops["node-undeploy"]
    assert deploy.handler == undeploy.handler == \
        "ironic.api.controllers.v1.node.NodeStatesController.provision"
    assert (deploy.method, deploy.path, deploy.action) == (
        "PUT", "/v1/nodes/{node_ident}/states/provision", "target: active")
    assert undeploy.action == "target: deleted"
    assert ops["node-power-on"].action == "target: power on"
    # a value of a dict of the states module counts; one it lacks is an operation missing
    assert ops["node-clean"].action == "target: clean"
    missing = {m.name: m.reason for m in pecan_catalogue.missing}
    assert "unhold" in missing["node-unhold"]
    assert missing["node-inject-nmi"].startswith("no route for PUT")
    assert request_bindings(deploy, _pecan()) == {"target": "active"}
    assert request_bindings(ops["node-create"], _pecan()) == {}


# ----------------------------------------------------------------------------- trace


@pytest.fixture
def ironic_ws(tmp_path):
    from tracer.workspace import open_workspace

    root = write_tree(tmp_path / "tree", {**IRONIC, **IRONIC_API})
    return open_workspace(str(root), cache=tmp_path / "cache")


def _flow_steps(ws, name):
    from tracer.model import iter_steps

    return [(s.kind, s.source, s.target, s.text) for s in iter_steps(ws.flow(name).nodes)]


def test_trace_binds_the_target_and_follows_the_spawned_worker(ironic_ws):
    """node-deploy: the target decides the provision handler's branch (only
    do_node_deploy is sent); pecan.request.rpcapi is the ConductorAPI a hook sets
    (Tracing.known_attrs); process_event's call_args run (deployments.do_node_deploy),
    noted asynchronous; task.driver.<interface>.<method> calls go to the driver."""
    from tracer.model import CALL, DRIVER, NOTE

    steps = _flow_steps(ironic_ws, "node-deploy")
    sent = [s for s in steps if s[0] == CALL]
    assert sent == [(CALL, "ironic_api", "ironic_conductor", "do_node_deploy")]
    assert (DRIVER, "ironic_conductor", "ipmi", "power.validate") in steps
    assert (DRIVER, "ironic_conductor", "ipmi", "deploy.deploy") in steps  # in the worker
    assert any(k == NOTE and "asynchronous, in a worker thread (process_event): "
               "do_node_deploy" in t for k, _, _, t in steps)
    undeploy = _flow_steps(ironic_ws, "node-undeploy")
    assert [s for s in undeploy if s[0] == CALL] == [
        (CALL, "ironic_api", "ironic_conductor", "do_node_tear_down")]


def test_trace_spawn_after_runs_the_second_function(ironic_ws):
    """spawn_after(self._spawn_worker, utils.node_power_action, task, new_state): the
    first function spawns, the second is the work."""
    from tracer.model import DRIVER, NOTE

    steps = _flow_steps(ironic_ws, "node-power-on")
    assert (DRIVER, "ironic_conductor", "ipmi", "power.set_power_state") in steps
    assert any(k == NOTE and "(spawn_after): node_power_action" in t
               for k, _, _, t in steps)
    flow = ironic_ws.flow("node-power-on")
    # @method.expose(status_code=202); the worker runs once the call has returned
    # (change_node_power_state returns when spawn_after has handed the work on)
    texts = [s[3] for s in steps]
    assert "202" in texts
    assert texts.index("change_node_power_state returns") < texts.index("202") < \
        texts.index("power.set_power_state")
    assert flow.nodes[-1].text != "202"


def test_spawned_work_is_drawn_after_the_reply(ironic_ws):
    """Ironic's do_node_deploy (ironic/conductor/manager.py) validates, then
    task.process_event('deploy', callback=self._spawn_worker, call_args=(...)) and
    returns: the RPC returns and the API answers 202 while the worker deploys, so the
    worker's steps follow the reply, as a cast's receiver's work follows the send."""
    from tracer.model import DRIVER, RESPONSE, RETURN

    steps = _flow_steps(ironic_ws, "node-deploy")
    kinds = [(k, t) for k, _, _, t in steps]
    reply = kinds.index((RETURN, "do_node_deploy returns"))
    answer = [i for i, (k, _) in enumerate(kinds) if k == RESPONSE][0]
    assert kinds.index((DRIVER, "power.validate")) < reply < answer < \
        kinds.index((DRIVER, "deploy.prepare"))


def test_a_step_run_by_name_goes_to_the_driver_and_its_failure_is_an_error_path(ironic_ws):
    """ironic/conductor/deployments.py do_next_deploy_step: `interface =
    getattr(task.driver, step.get('interface'))` then `interface.execute_deploy_step(task,
    step)` is a driver call; the arm that calls utils.deploying_error_handler (a step that
    returned an unexpected state) is an error path, drawn only with --errors."""
    from tracer.model import DRIVER
    from tracer.trace import Options

    steps = _flow_steps(ironic_ws, "node-deploy")
    assert (DRIVER, "ironic_conductor", "ipmi",
            "execute_deploy_step (interface: step.get('interface'))") in steps
    assert not [s for s in steps if s[3] == "deploy.clean_up"]
    errors = ironic_ws.flow("node-deploy", Options(errors=True))
    from tracer.model import iter_steps
    assert "deploy.clean_up" in [s.text for s in iter_steps(errors.nodes)]


def test_pecan_post_takes_validated_ids_from_the_path_and_default_answers(pecan_catalogue):
    """ironic/api/controllers/v1/ramdisk.py HeartbeatController.post(node_ident,
    callback_url) validates node_ident as args.uuid_or_name: Pecan hands it the path's
    rest (POST /v1/heartbeat/{node_ident}); callback_url is the body's. NodesController's
    post(node) keeps its collection path. NodeVendorPassthruController._default answers
    what no other method takes (POST, the client's default verb)."""
    by = _requests(pecan_catalogue)
    assert by["POST", "/v1/heartbeat/{node_ident}"].handler.endswith(
        "HeartbeatController.post")
    assert ("POST", "/v1/heartbeat") not in by
    assert ("POST", "/v1/nodes") in by
    passthru = by["POST", "/v1/nodes/{node_ident}/vendor_passthru"]
    assert passthru.handler.endswith("NodeVendorPassthruController._default")
    assert passthru.name == "node-vendor-passthru-default"  # no client name given here


def test_a_constant_table_read_with_a_constant_key_decides_a_condition():
    """`target == ir_states.VERBS['clean']`: the key is asked of `known` whole."""
    from tracer.trace import conditions

    known = {"target": "clean", "ir_states.VERBS['clean']": "clean"}
    expr = conditions.parse("target == ir_states.VERBS['clean']")
    assert conditions.evaluate(expr, lambda d: known.get(d, conditions.UNKNOWN)) is True
    other = conditions.parse("target == ir_states.VERBS['rescue']")
    assert conditions.evaluate(other, lambda d: known.get(d, conditions.UNKNOWN)) \
        is conditions.UNKNOWN


def test_a_context_manager_of_the_tree_draws_its_construction(tmp_path):
    """`with task_manager.acquire(context, node_id, shared=False) as task:` builds a
    TaskManager, a class of the tree with __exit__: its __init__ is the work done on
    entry (the node read, and its exclusive lock, Node.reserve: a class method calling
    `cls.dbapi.reserve_node`, the database API the object class holds), drawn before the
    body; a class method that does not reach the database API is not a database step."""
    from tracer.model import DB, DRIVER
    from tracer.workspace import open_workspace
    from tests.ironic_trees import IRONIC_LOCK

    root = write_tree(tmp_path / "tree", {**IRONIC, **IRONIC_API, **IRONIC_LOCK})
    ws = open_workspace(str(root), cache=tmp_path / "cache")
    steps = _flow_steps(ws, "node-undeploy")
    db = [t for k, _, _, t in steps if k == DB]
    assert "Node.get" in db
    assert any(t.endswith("Node.reserve") for t in db), db
    assert not any("summary" in t for t in db)
    texts = [t for _, _, _, t in steps]
    reserve = [i for i, t in enumerate(texts) if t.endswith("Node.reserve")][0]
    assert reserve < texts.index("deploy.tear_down")
    assert (DRIVER, "ironic_conductor", "ipmi", "deploy.tear_down") in steps


def test_the_client_method_choosing_the_server_is_noted_before_the_send(ironic_ws):
    """`topic = rpcapi.get_topic_for(node)` then `rpcapi.change_node_power_state(...,
    topic=topic)`: a method of the RPC client that picks the receiving server
    (Tracing.routers: Ironic's hash ring) is noted where it is called, before the send;
    a flow that does not call it (node-deploy here) has no such note."""
    from tracer.model import CALL, NOTE

    steps = _flow_steps(ironic_ws, "node-power-on")
    texts = [t for _, _, _, t in steps]
    routed = [i for i, (k, s, _, t) in enumerate(steps) if k == NOTE and s == "ironic_api"
              and t.startswith("get_topic_for(node_ident): conductor: the one the hash "
                               "ring maps the node to")]
    assert routed and routed[0] < texts.index("change_node_power_state")
    assert steps[texts.index("change_node_power_state")][0] == CALL
    assert not any("get_topic_for" in t for _, _, _, t in _flow_steps(ironic_ws,
                                                                       "node-deploy"))


def test_a_context_manager_of_the_tree_exits_after_the_body_or_after_its_worker(tmp_path):
    """TaskManager.__exit__ (ironic/conductor/task_manager.py) runs when the `with` body
    ends, with no exception (exc_type None: its error branch is not drawn): it releases
    the lock (Node.release) after the body's work; where the body handed the task to a
    worker (task.spawn_after), the release comes at the end of that work, not before."""
    from tracer.model import DB
    from tracer.workspace import open_workspace
    from tests.ironic_trees import IRONIC_LOCK

    root = write_tree(tmp_path / "tree", {**IRONIC, **IRONIC_API, **IRONIC_LOCK})
    ws = open_workspace(str(root), cache=tmp_path / "cache")
    texts = [t for _, _, _, t in _flow_steps(ws, "node-undeploy")]
    released = [i for i, t in enumerate(texts) if t.endswith("Node.release")]
    assert released and texts.index("deploy.tear_down") < released[0] < \
        texts.index("do_node_tear_down returns")
    assert not any("summary" in t for t in texts)
    steps = _flow_steps(ws, "node-power-on")
    texts = [t for _, _, _, t in steps]
    released = [i for i, (k, _, _, t) in enumerate(steps) if k == DB and
                t.endswith("Node.release")]
    assert len(released) == 1
    assert texts.index("change_node_power_state returns") < \
        texts.index("power.set_power_state") < released[0]


def test_a_call_the_default_interface_fails_goes_to_its_handler(tmp_path):
    """Tracing.failing_interfaces: the ipmi type's default firmware interface is
    no-firmware, whose validate raises UnsupportedDriverExtension: the call is drawn, then
    noted failing; the `except UnsupportedDriverExtension` around it is the path taken,
    so the call after it in the try (cache_firmware_components) is not drawn; a method it
    does not fail (get_properties) and the work after the handler are."""
    from tracer.model import DB, DRIVER, NOTE
    from tracer.workspace import open_workspace
    from tests.ironic_trees import IRONIC_FAILING

    root = write_tree(tmp_path / "tree", {**IRONIC, **IRONIC_API, **IRONIC_FAILING})
    ws = open_workspace(str(root), cache=tmp_path / "cache")
    steps = _flow_steps(ws, "node-power-on")
    drawn = [t for k, _, _, t in steps if k == DRIVER]
    assert "firmware.validate" in drawn and "firmware.get_properties" in drawn
    assert "firmware.cache_firmware_components" not in drawn
    assert any(k == NOTE and t.startswith("ipmi's default firmware interface (no-firmware) "
                                          "raises UnsupportedDriverExtension")
               for k, _, _, t in steps)
    texts = [t for _, _, _, t in steps]
    assert texts.index("firmware.validate") < texts.index("firmware.get_properties")
    assert any(k == DB and t == "node.save" for k, _, _, t in steps)
