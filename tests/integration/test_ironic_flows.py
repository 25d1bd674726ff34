"""Ironic's operations traced on a real release (39.0.0), with expectations read from its code.

Every RPC a traced operation sends must have the kind `osflow rpc` gives it (checked against
Ironic's own rpcapi tests in test_ironic_rpc.py), and the steps the code makes plain must be
drawn (ironic/...):

- node-deploy (PUT /v1/nodes/{id}/states/provision, target active):
  api/controllers/v1/node.py NodeStatesController._do_provision_action calls
  `do_node_deploy` (ConductorAPI.do_node_deploy: cctxt.call); conductor/deployments.py
  start_deploy validates task.driver.power and task.driver.deploy, then
  `task.process_event('deploy', callback=manager._spawn_worker, call_args=(do_node_deploy,
  task, ...))`: the worker, deployments.do_node_deploy, calls task.driver.deploy.prepare.
- node-undeploy (target deleted): `do_node_tear_down` call; ConductorManager.do_node_tear_down
  validates task.driver.power and spawns _do_node_tear_down, which calls
  task.driver.deploy.tear_down.
- node-power-on / node-power-off (PUT .../states/power): `change_node_power_state` call;
  ConductorManager.change_node_power_state writes target_power_state, then
  `task.spawn_after(self._spawn_worker, utils.node_power_action, task, new_state)`:
  conductor/utils.py node_power_action calls task.driver.power.set_power_state.
- node-clean (target clean): `do_node_clean` call; conductor/cleaning.py do_node_clean
  validates task.driver.power and task.driver.network.
- node-inspect (target inspect): `inspect_hardware` call; ConductorManager.inspect_hardware
  validates task.driver.inspect, which on the default no-inspect interface raises
  UnsupportedDriverExtension (the call answers it).
- node-rescue (target rescue): `do_node_rescue` call; task.driver.rescue.validate fails on
  the default no-rescue interface: InstanceRescueFailure.
- node-create (POST /v1/nodes): `create_node` call; ConductorManager.create_node runs
  node_obj.create().
- node-delete (DELETE /v1/nodes/{id}): `destroy_node` call; ConductorManager.destroy_node
  runs node.destroy().
- port-create (POST /v1/ports): `create_port` call; ConductorManager.create_port runs
  port_obj.create().
"""

from __future__ import annotations

import pytest

from tracer.config import cache_dir
from tracer.model import CALL, CAST, DB, DRIVER, NOTE, iter_steps
from tracer.workspace import open_workspace
from tests.integration.releases import open_release

pytestmark = pytest.mark.integration

SPEC = "ironic==39.0.0"
TRACED = ("node-deploy", "node-undeploy", "node-power-on", "node-power-off", "node-clean",
          "node-inspect", "node-rescue", "node-create", "node-delete", "port-create")
API, CONDUCTOR, DRV = "ironic_api", "ironic_conductor", "ipmi"


@pytest.fixture(scope="module")
def ironic():
    workspace = open_release(SPEC)
    return workspace


@pytest.fixture(scope="module")
def flows(ironic):
    return {name: ironic.flow(name) for name in TRACED}


def _steps(flow):
    return [(s.kind, s.source, s.target, s.text) for s in iter_steps(flow.nodes)]


def _driver(flow, text, file):
    """A driver step `text` drawn from the function in `file` (ironic/...)."""
    return any(s.kind == DRIVER and s.source == CONDUCTOR and s.target == DRV and
               s.text == text and s.file == file for s in iter_steps(flow.nodes))


def test_the_catalogue_names_the_client_commands(ironic):
    catalogue = ironic.catalogue()
    ops = {op.name: op for op in catalogue.operations}
    assert len([op for op in catalogue.operations if op.group != "periodic"]) >= 100
    for op in catalogue.operations:
        assert op.handler.startswith("ironic.") and op.file.startswith("ironic/"), op
    deploy = ops["node-deploy"]
    assert (deploy.method, deploy.path, deploy.action, deploy.handler) == (
        "PUT", "/v1/nodes/{node_ident}/states/provision", "target: active",
        "ironic.api.controllers.v1.node.NodeStatesController.provision")
    # the provision targets: one handler, an operation each
    provision = {op.name for op in catalogue.operations if op.handler == deploy.handler}
    assert {"node-deploy", "node-undeploy", "node-clean", "node-inspect", "node-rescue",
            "node-unrescue", "node-manage", "node-provide", "node-rebuild"} <= provision
    assert ops["node-power-off"].action == "target: power off"
    assert (ops["node-create"].method, ops["node-create"].path) == ("POST", "/v1/nodes")
    assert ops["node-vif-detach"].path == "/v1/nodes/{node_ident}/vifs/{vif_id}"
    assert not catalogue.missing


def test_every_rpc_drawn_has_the_kind_osflow_rpc_gives(ironic, flows):
    kinds = {f"{m.service} {m.method}": set(m.kinds) for m in ironic.rpc_model().methods}
    sent = 0
    for name, flow in flows.items():
        for step in iter_steps(flow.nodes):
            if step.kind in (CALL, CAST) and step.rpc:
                sent += 1
                assert step.kind in kinds[step.rpc], (name, step.rpc, step.kind)
    assert sent >= len(TRACED)


def test_participants(flows):
    for name, flow in flows.items():
        assert flow.participants[:3] == ("client", API, CONDUCTOR), name
        assert set(flow.participants) <= {"client", API, CONDUCTOR, "database", DRV}, name


@pytest.mark.parametrize("name, method", [
    ("node-deploy", "do_node_deploy"), ("node-undeploy", "do_node_tear_down"),
    ("node-power-on", "change_node_power_state"), ("node-power-off", "change_node_power_state"),
    ("node-clean", "do_node_clean"), ("node-inspect", "inspect_hardware"),
    ("node-rescue", "do_node_rescue"), ("node-create", "create_node"),
    ("node-delete", "destroy_node"), ("port-create", "create_port")])
def test_the_api_calls_the_conductor_once(flows, name, method):
    sent = [s for s in _steps(flows[name]) if s[0] in (CALL, CAST) and s[1] == API]
    assert sent == [(CALL, API, CONDUCTOR, method)]


def test_deploy_validates_then_spawns_the_worker(flows):
    flow = flows["node-deploy"]
    assert _driver(flow, "power.validate", "ironic/conductor/deployments.py")
    assert _driver(flow, "deploy.validate", "ironic/conductor/deployments.py")
    assert _driver(flow, "deploy.prepare", "ironic/conductor/deployments.py")
    notes = [s for s in iter_steps(flow.nodes) if s.kind == NOTE and s.source == CONDUCTOR]
    assert any("asynchronous, in a worker thread (process_event): do_node_deploy" in s.text
               for s in notes)
    assert any("driver: the ipmi hardware type" in n for n in flow.notes)


def test_undeploy_tears_down_in_the_worker(flows):
    flow = flows["node-undeploy"]
    assert _driver(flow, "power.validate", "ironic/conductor/manager.py")
    assert _driver(flow, "deploy.tear_down", "ironic/conductor/manager.py")


@pytest.mark.parametrize("name, state", [("node-power-on", "'power on'"),
                                         ("node-power-off", "'power off'")])
def test_power_is_set_by_the_spawned_node_power_action(flows, name, state):
    flow = flows[name]
    assert _driver(flow, "power.set_power_state", "ironic/conductor/utils.py")
    assert any(k == DB and s == CONDUCTOR and t.startswith("node.save") and
               f"target_power_state={state}" in t for k, s, _, t in _steps(flow))
    assert any(s.kind == NOTE and "(spawn_after): node_power_action" in s.text
               for s in iter_steps(flow.nodes))


def test_clean_inspect_rescue_reach_their_interfaces(flows):
    assert _driver(flows["node-clean"], "power.validate", "ironic/conductor/cleaning.py")
    assert _driver(flows["node-clean"], "network.validate", "ironic/conductor/cleaning.py")

def test_inspect_and_rescue_fail_on_the_default_interfaces(flows):
    """The ipmi hardware type's default inspect and rescue interfaces are no-inspect and
    no-rescue (ironic/drivers/generic.py GenericHardware.supported_inspect_interfaces
    [AgentInspect, NoInspect], supported_rescue_interfaces [NoRescue, AgentRescue];
    ironic/conf/default.py enabled_inspect_interfaces ['no-inspect', 'redfish'],
    enabled_rescue_interfaces ['no-rescue']; ironic/common/driver_factory.py
    default_interface picks the first supported one enabled), whose validate is
    ironic/drivers/modules/noop.py `_fail`: UnsupportedDriverExtension.
    ConductorManager.inspect_hardware (ironic/conductor/manager.py) calls
    task.driver.inspect.validate(task) outside any handler: the call answers the error;
    ConductorManager.do_node_rescue catches it (`except (...,
    exception.UnsupportedDriverExtension, ...)`), removes the rescue password and raises
    InstanceRescueFailure. Neither spawns its worker: inspect_hardware and rescue are
    not drawn."""
    for name, method, error, never in (
            ("node-inspect", "inspect_hardware", "UnsupportedDriverExtension",
             "inspect.inspect_hardware"),
            ("node-rescue", "do_node_rescue", "InstanceRescueFailure", "rescue.rescue")):
        steps = _steps(flows[name])
        texts = [t for _, _, _, t in steps]
        assert f"{method} raises {error}" in texts, name
        assert any(k == NOTE and t.startswith(f"ipmi's default {name[5:]} interface (no-")
                   for k, _, _, t in steps), name
        assert never not in texts and not any("asynchronous" in t for t in texts)


@pytest.mark.parametrize("name, write", [("node-create", "node_obj.create"),
                                         ("node-delete", "node.destroy"),
                                         ("port-create", "port_obj.create")])
def test_the_conductor_writes_the_database(flows, name, write):
    assert any(k == DB and s == CONDUCTOR and t.startswith(write)
               for k, s, _, t in _steps(flows[name]))


def test_the_deploy_worker_runs_after_the_reply_and_steps_reach_their_interface(flows):
    """ironic/conductor/deployments.py start_deploy hands do_node_deploy to
    task.process_event(callback=manager._spawn_worker) and ConductorManager.do_node_deploy
    returns: the RPC returns and the API answers 202 before the worker's
    task.driver.deploy.prepare. do_next_deploy_step runs each step by name (`interface =
    getattr(task.driver, step.get('interface'))`, `interface.execute_deploy_step(task,
    step)`); its `elif result is not None:` arm (a step that returned an unexpected state)
    calls utils.deploying_error_handler: an error path, not drawn without --errors."""
    from tracer.model import RESPONSE, RETURN
    from tracer.trace import Options

    flow = flows["node-deploy"]
    steps = list(iter_steps(flow.nodes))
    at = {(s.kind, s.text): i for i, s in reversed(list(enumerate(steps)))}
    assert at[(RETURN, "do_node_deploy returns")] < at[(RESPONSE, "202")] < \
        at[(DRIVER, "deploy.prepare")]
    assert at[(DRIVER, "power.validate")] < at[(RETURN, "do_node_deploy returns")]
    assert _driver(flow, "execute_deploy_step (interface: step.get('interface'))",
                   "ironic/conductor/deployments.py")
    assert not _driver(flow, "deploy.clean_up", "ironic/conductor/utils.py")
    assert not [s for s in steps if s.anchor.endswith("deploying_error_handler")]
    errors = _steps(open_workspace(SPEC, cache=cache_dir()).flow(
        "node-deploy", Options(errors=True)))
    assert (DRIVER, CONDUCTOR, DRV, "deploy.clean_up") in errors


def test_clean_runs_its_steps_by_name_and_prepares_the_ramdisk(flows):
    """ironic/conductor/cleaning.py do_node_clean calls
    task.driver.deploy.prepare_cleaning; do_next_clean_step calls
    interface.execute_clean_step; `return utils.cleaning_error_handler(task, msg)` for a
    step that returned a value is an error path."""
    flow = flows["node-clean"]
    assert _driver(flow, "deploy.prepare_cleaning", "ironic/conductor/cleaning.py")
    assert _driver(flow, "execute_clean_step (interface: step.get('interface'))",
                   "ironic/conductor/cleaning.py")
    assert not [s for s in iter_steps(flow.nodes)
                if s.anchor.endswith("cleaning_error_handler")]


def test_node_history_labels_stay_readable(flows):
    """ironic/conductor/utils.py node_history_record creates objects.NodeHistory with ten
    fields: the label keeps six (its constants: severity, event_type) and counts the
    rest. (A helper summed up by two writes names them without fields:
    deployments.py's child-node step also locks each child, `Node.reserve, NodeHistory.create`.)"""
    labels = [s.text for s in iter_steps(flows["node-deploy"].nodes)
              if s.kind == DB and "NodeHistory.create (" in s.text]
    assert labels and all(t.endswith("more)") and "severity='INFO'" in t for t in labels)


def test_heartbeat_and_vendor_passthru_are_routed(ironic):
    """ironic/api/controllers/v1/ramdisk.py HeartbeatController.post(node_ident, ...)
    validates node_ident as args.uuid_or_name: POST /v1/heartbeat/{node_ident};
    node.py NodeVendorPassthruController._default answers
    /v1/nodes/{node_ident}/vendor_passthru and sends vendor_passthru."""
    ops = {op.name: op for op in ironic.catalogue().operations}
    assert ops["heartbeat-create"].path == "/v1/heartbeat/{node_ident}"
    call = ops["node-passthru-call"]
    assert (call.method, call.path) == ("POST", "/v1/nodes/{node_ident}/vendor_passthru")
    assert call.handler.endswith("NodeVendorPassthruController._default")
    sent = [s for s in _steps(ironic.flow("node-passthru-call")) if s[0] == CALL]
    assert sent[0][3] == "vendor_passthru"
    assert ops["driver-passthru-call"].handler.endswith("DriverPassthruController._default")


@pytest.mark.parametrize("args", [
    ("diff", "ironic==38.0.0", SPEC, "--rpc", "--format", "json"),
    ("history", "ironic==38.0.0", SPEC, "--rpc", "--format", "json"),
    ("graph", "-s", SPEC, "--format", "json"),
    ("check", "-s", SPEC, "--format", "json"),
    ("ops", "-s", SPEC, "--format", "json"),
])
def test_every_command_reads_ironic(ironic, args):
    import json

    from tests.test_cli_rpc import osflow

    done = osflow(*args, cache=cache_dir())
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    if args[0] == "diff":
        assert set(data) >= {"added", "removed", "changed"}
    elif args[0] == "graph":
        assert any(n.get("id", "").startswith("rpc:ironic-conductor:") for n in data["nodes"])
    else:
        assert data


@pytest.mark.parametrize("name", ["node-deploy", "node-undeploy", "node-clean",
                                  "node-rescue", "node-delete"])
def test_the_conductor_locks_the_node_before_its_work(flows, name):
    """Every conductor handler works under `with task_manager.acquire(context, node_id,
    shared=False, ...) as task:` (ironic/conductor/manager.py, e.g.
    ConductorManager.do_node_deploy, do_node_tear_down, destroy_node): acquire returns a
    TaskManager (ironic/conductor/task_manager.py) whose __init__ reads the node
    (objects.Node.get) and, exclusive, takes its lock in TaskManager._lock:
    `objects.Node.reserve(self.context, CONF.host, self.node_id)`, which writes the
    reservation through `cls.dbapi.reserve_node` (ironic/objects/node.py Node.reserve).
    Both are drawn from the conductor, the lock before any driver call."""
    steps = list(iter_steps(flows[name].nodes))
    reserve = [i for i, s in enumerate(steps) if s.kind == DB and s.source == CONDUCTOR
               and s.text.endswith("writes Node.reserve")]
    assert reserve, name
    assert any(s.kind == DB and s.source == CONDUCTOR and s.text == "Node.get" and
               s.file == "ironic/conductor/task_manager.py" for s in steps[:reserve[0]])
    first_driver = [i for i, s in enumerate(steps) if s.kind == DRIVER]
    assert not first_driver or reserve[0] < first_driver[0]


@pytest.mark.parametrize("name,method", [
    ("node-deploy", "do_node_deploy"), ("node-delete", "destroy_node"),
    ("port-create", "create_port"), ("node-power-on", "change_node_power_state")])
def test_the_conductor_is_chosen_by_the_hash_ring_before_the_send(flows, name, method):
    """The API addresses the node's conductor: `topic = api.request.rpcapi.get_topic_for(
    rpc_node)` (ironic/api/controllers/v1/node.py NodeStatesController.provision and
    NodesController.delete, port.py PortsController.post), then passes `topic=topic` to
    the client; ironic/conductor/rpcapi.py ConductorAPI.get_topic_for -> get_conductor_for:
    `ring = self.ring_manager.get_ring(node.driver, node.conductor_group)`,
    `ring.get_nodes(node.uuid.encode('utf-8'))`. Noted on the API before the send."""
    steps = _steps(flows[name])
    send = [i for i, s in enumerate(steps) if s[0] == CALL and s[3] == method][0]
    assert any(k == NOTE and s == API and "conductor: the one the hash ring maps the node to"
               in t and t.startswith("get_topic_for(") for k, s, _, t in steps[:send])


def test_the_lock_is_released_after_the_work_or_when_the_worker_ends(flows):
    """TaskManager.__exit__ (ironic/conductor/task_manager.py): with no spawned work it
    calls self.release_resources() -> `objects.Node.release(self.context, CONF.host,
    self.node.id)` as the `with` ends (ConductorManager.destroy_node, before its reply);
    when the body spawned a worker (task.process_event / spawn_after) it hands the release
    to the worker's end (`fut.add_done_callback(self._thread_release_resources)`), so
    node-deploy's and node-power-on's release follows the worker's driver calls, after
    the API's reply."""
    steps = _steps(flows["node-delete"])
    texts = [t for _, _, _, t in steps]
    released = [i for i, (k, s, _, t) in enumerate(steps) if k == DB and s == CONDUCTOR
                and t.endswith("Node.release")]
    assert released and released[-1] < texts.index("destroy_node returns")
    for name, method, work in (("node-deploy", "do_node_deploy", "deploy.prepare"),
                               ("node-power-on", "change_node_power_state",
                                "power.set_power_state")):
        steps = _steps(flows[name])
        texts = [t for _, _, _, t in steps]
        released = [i for i, (k, s, _, t) in enumerate(steps) if k == DB and
                    s == CONDUCTOR and t.endswith("Node.release")]
        assert released, name
        assert texts.index(f"{method} returns") < texts.index(work) < released[-1], name
