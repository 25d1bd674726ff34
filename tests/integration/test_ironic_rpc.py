"""Ironic's RPC model on a real release, checked against Ironic's own unit tests.

The oracle reads `ironic/tests/unit/**/test_rpcapi.py` of the same release (the wheel on the
package index ships them) with `ast`, independently of tracer.rpc, in the two styles they
are written in:

- the conductor's (`tests/unit/conductor/test_rpcapi.py`): `self._test_rpcapi('method',
  'call', version=..., ...)` calls `ConductorAPI.method` with the client's `call` (or
  `cast`) mocked: the second argument is the kind; the wire name is the method's own;
- the networking service's (`tests/unit/networking/test_rpcapi.py`): a test calls
  `self.api.method(...)` and asserts `mock_cctxt.call.assert_called_once_with(context,
  'wire_name', ...)`: the kind is the mock's attribute, the wire name its second argument.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.integration.releases import literal, open_release

pytestmark = pytest.mark.integration

RELEASES = ("39.0.0",)
CLIENTS = {"ironic-conductor": "ironic.conductor.rpcapi.ConductorAPI",
           "ironic-networking": "ironic.networking.rpcapi.NetworkingAPI"}


@pytest.fixture(scope="module", params=RELEASES)
def ironic(request):
    spec = f"ironic=={request.param}"
    workspace = open_release(spec)
    return workspace, workspace.rpc_model()


def _entry(found: dict, client: str) -> dict[str, set]:
    return found.setdefault(client, {"kinds": set(), "wire": set(), "versions": set()})


def _oracle(root: Path) -> dict[str, dict[str, set]]:
    """client method dotted path -> {"kinds", "wire", "versions"} its tests expect."""
    found: dict[str, dict[str, set]] = {}
    for service, client in CLIENTS.items():
        package = client.split(".")[1]
        path = root / "ironic" / "tests" / "unit" / package / "test_rpcapi.py"
        tree = ast.parse(path.read_bytes())
        for test in ast.walk(tree):
            if not isinstance(test, ast.FunctionDef) or not test.name.startswith("test_"):
                continue
            calls = [n for n in ast.walk(test) if isinstance(n, ast.Call)
                     and isinstance(n.func, ast.Attribute)]
            # the conductor's style
            for call in calls:
                if call.func.attr == "_test_rpcapi" and len(call.args) >= 2:
                    method, kind = literal(call.args[0]), literal(call.args[1])
                    if isinstance(method, str) and kind in ("call", "cast"):
                        entry = _entry(found, f"{client}.{method}")
                        entry["kinds"].add(kind)
                        entry["wire"].add(method)
                        version = {k.arg: literal(k.value) for k in call.keywords}.get(
                            "version")
                        if isinstance(version, str):
                            entry["versions"].add(version)
            # the networking service's style
            called = {c.func.attr for c in calls
                      if isinstance(c.func.value, ast.Attribute)
                      and c.func.value.attr == "api"}
            asserted = [(c.func.value.attr, literal(c.args[1])) for c in calls
                        if c.func.attr == "assert_called_once_with"
                        and isinstance(c.func.value, ast.Attribute)
                        and c.func.value.attr in ("call", "cast") and len(c.args) >= 2]
            if len(called) == 1 and asserted:
                entry = _entry(found, f"{client}.{called.pop()}")
                for kind, wire in asserted:
                    entry["kinds"].add(kind)
                    if isinstance(wire, str):
                        entry["wire"].add(wire)
    return found


def test_the_services_and_their_managers(ironic):
    ws, model = ironic
    assert ws.source.project == "ironic"
    assert {s.binary for s in model.services} == set(CLIENTS)
    # read from each launcher: RPCService(CONF.host, 'ironic.conductor.manager',
    # 'ConductorManager') in ironic/command/conductor.py, and networking's
    managers = {s.binary: s.manager for s in model.services}
    assert managers == {
        "ironic-conductor": "ironic.conductor.manager.ConductorManager",
        "ironic-networking": "ironic.networking.manager.NetworkingManager"}
    clients = {m.service: m.client.rsplit(".", 1)[0] for m in model.methods}
    assert clients == CLIENTS
    assert not [w for w in model.warnings if "cannot parse" in w]


def test_cast_and_call_agree_with_ironics_own_rpcapi_tests(ironic):
    ws, model = ironic
    oracle = _oracle(ws.source.root)
    # both files were read: 50-odd conductor methods, the networking service's five
    assert len([c for c in oracle if ".conductor." in c]) > 50
    assert len([c for c in oracle if ".networking." in c]) == 5
    ours: dict[str, list] = {}
    for m in model.methods:
        ours.setdefault(m.client, []).append(m)
    missing = sorted(set(oracle) - set(ours))
    assert not missing  # every method the tests cover is a client method osflow found
    wrong = {}
    for client, expected in oracle.items():
        methods = ours[client]
        kinds = {k for m in methods for k in m.kinds}
        if kinds != expected["kinds"]:
            wrong[client] = ("kinds", sorted(kinds), sorted(expected["kinds"]))
        elif not expected["wire"] <= {m.method for m in methods}:
            wrong[client] = ("wire", sorted(m.method for m in methods),
                             sorted(expected["wire"]))
        elif expected["versions"] and not expected["versions"] <= {
                v for m in methods for v in m.versions}:
            wrong[client] = ("version", [m.versions for m in methods],
                             sorted(expected["versions"]))
    assert not wrong


def test_every_client_method_has_its_handler_or_a_note(ironic):
    _, model = ironic
    assert {m.service for m in model.methods} == set(CLIENTS)
    unresolved = [(m.client, m.method) for m in model.methods if m.handler is None
                  and not m.notes]
    assert not unresolved
    for m in model.methods:
        if m.handler is not None:
            assert m.handler.startswith("ironic."), m
            assert m.handler_file and m.handler_file.startswith("ironic/"), m


def test_known_shapes_of_39(ironic):
    ws, model = ironic
    by = {(m.service, m.method): m for m in model.methods}
    deploy = by["ironic-conductor", "do_node_deploy"]
    assert (deploy.kinds, deploy.client, deploy.handler) == (
        ("call",), "ironic.conductor.rpcapi.ConductorAPI.do_node_deploy",
        "ironic.conductor.manager.ConductorManager.do_node_deploy")
    # the agent's heartbeat reports continue the steps in the background: casts
    for method in ("continue_node_clean", "continue_node_deploy", "continue_node_service"):
        assert by["ironic-conductor", method].kinds == ("cast",)
    assert by["ironic-conductor", "change_node_power_state"].version == "1.39"
    assert by["ironic-networking", "update_port"].handler == \
        "ironic.networking.manager.NetworkingManager.update_port"
