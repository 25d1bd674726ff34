"""Manila's RPC model on real releases, checked against Manila's own unit tests.

The oracle reads `manila/tests/**/test_rpcapi.py` of the same release (the wheel on the
package index ships them) with `ast`, independently of tracer.rpc. Manila's tests differ in
shape from Cinder's: each test class builds its client in a helper
(`self.rpcapi = share_rpcapi.ShareAPI()`, or `rpcapi = scheduler_rpcapi.SchedulerAPI()`
in `_test_scheduler_api`), and each test calls that helper,
`self._test_share_api('extend_share', rpc_method='cast', version='1.2', ...)`: the method
named first is the client method and the name on the wire (the helper asserts
`expected_args = [ctxt, method, ...]`), `rpc_method` the kind the test mocks, `version` the
version `prepare` must receive when the test pins it, `fanout=True` a fanout.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tracer.config import cache_dir
from tests.integration.releases import imported_names, literal, open_release

pytestmark = pytest.mark.integration

RELEASES = ("22.0.0", "23.0.1")
SERVICES = {"manila-share", "manila-scheduler", "manila-data"}


@pytest.fixture(scope="module", params=RELEASES)
def manila(request):
    spec = f"manila=={request.param}"
    workspace = open_release(spec)
    return workspace, workspace.rpc_model()


def _client_of(cls: ast.ClassDef, modules: dict[str, str]) -> str | None:
    """`x = share_rpcapi.ShareAPI()` anywhere in the class (in setUp or the helper)."""
    for node in ast.walk(cls):
        if (isinstance(node, ast.Assign) and isinstance(node.value, ast.Call)
                and isinstance(node.value.func, ast.Attribute)
                and isinstance(node.value.func.value, ast.Name)
                and node.value.func.value.id in modules
                and any((isinstance(t, ast.Attribute) and t.attr == "rpcapi")
                        or (isinstance(t, ast.Name) and t.id == "rpcapi")
                        for t in node.targets)):
            return f"{modules[node.value.func.value.id]}.{node.value.func.attr}"
    return None


def _oracle(root: Path) -> dict[str, dict[str, set]]:
    """client method dotted path -> {"kinds", "versions", "fanout"} its tests expect."""
    found: dict[str, dict[str, set]] = {}
    for path in sorted((root / "manila" / "tests").rglob("test_rpcapi.py")):
        tree = ast.parse(path.read_bytes())
        modules = imported_names(tree)
        for cls in [n for n in tree.body if isinstance(n, ast.ClassDef)]:
            client = _client_of(cls, modules)
            if client is None:
                continue
            for node in ast.walk(cls):
                if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                        and node.func.attr.startswith("_test_")
                        and node.func.attr.endswith("_api") and node.args):
                    continue
                method = literal(node.args[0])
                kw = {k.arg: k.value for k in node.keywords if k.arg}
                kind = literal(kw.get("rpc_method"))
                if not isinstance(method, str) or kind not in ("cast", "call"):
                    continue
                entry = found.setdefault(f"{client}.{method}",
                                         {"kinds": set(), "versions": set(), "fanout": set()})
                entry["kinds"].add(kind)
                if isinstance(literal(kw.get("version")), str):
                    entry["versions"].add(literal(kw["version"]))
                entry["fanout"].add(literal(kw.get("fanout")) is True)
    return found


def test_the_services_and_their_managers(manila):
    ws, model = manila
    assert ws.source.project == "manila"
    managers = {s.binary: s.manager for s in model.services if s.manager}
    assert managers == {"manila-share": "manila.share.manager.ShareManager",
                        "manila-scheduler": "manila.scheduler.manager.SchedulerManager",
                        "manila-data": "manila.data.manager.DataManager"}
    clients = {m.service: m.client.rsplit(".", 1)[0] for m in model.methods
               if m.service in SERVICES}
    assert clients == {"manila-share": "manila.share.rpcapi.ShareAPI",
                       "manila-scheduler": "manila.scheduler.rpcapi.SchedulerAPI",
                       "manila-data": "manila.data.rpcapi.DataAPI"}
    assert not [w for w in model.warnings if "cannot parse" in w]


def test_cast_and_call_agree_with_manilas_own_rpcapi_tests(manila):
    ws, model = manila
    oracle = _oracle(ws.source.root)
    assert len(oracle) > 40  # the three test_rpcapi.py were read
    assert {c.rsplit(".", 2)[0] for c in oracle} == {
        "manila.share.rpcapi", "manila.scheduler.rpcapi", "manila.data.rpcapi"}
    ours: dict[str, list] = {}
    for m in model.methods:
        ours.setdefault(m.client, []).append(m)
    missing = sorted(set(oracle) - set(ours))
    assert not missing  # every method the tests cover is a client method osflow found
    wrong = {}
    for client, expected in oracle.items():
        methods = ours[client]
        kinds = {k for m in methods for k in m.kinds}
        versions = {v for m in methods for v in m.versions}
        if kinds != expected["kinds"]:
            wrong[client] = ("kinds", sorted(kinds), sorted(expected["kinds"]))
        elif {m.method for m in methods} != {client.rsplit(".", 1)[1]}:
            wrong[client] = ("wire", sorted(m.method for m in methods))
        elif not expected["versions"] <= versions:
            wrong[client] = ("version", sorted(versions), sorted(expected["versions"]))
        elif expected["fanout"] != {m.fanout for m in methods}:
            wrong[client] = ("fanout", [m.fanout for m in methods], expected["fanout"])
    assert not wrong
    # the agreement is total: every client method of the three services the tests cover
    covered = {m.client for m in model.methods if m.service in SERVICES} & set(oracle)
    assert covered == set(oracle)


def test_every_client_method_has_its_handler_or_a_note(manila):
    _, model = manila
    assert {m.service for m in model.methods} >= SERVICES
    unresolved = [(m.client, m.method) for m in model.methods if m.handler is None
                  and not m.notes]
    assert not unresolved
    for m in model.methods:
        if m.service in SERVICES:
            # the three services' clients all reach their manager
            assert m.handler is not None, m
            assert m.handler.startswith(f"manila.{m.service.split('-')[1]}.manager."), m
            assert m.handler_file and m.handler_file.startswith("manila/"), m


def test_known_shapes_of_23(manila):
    ws, model = manila
    if ws.source.tag != "23.0.1":
        pytest.skip("shapes spelled out for 23.0.1")
    by = {(m.service, m.method): m for m in model.methods}
    # manila/share/rpcapi.py ShareAPI.create_share_instance: prepare(server=host,
    # version='1.4').cast(...), served by ShareManager.create_share_instance
    create = by["manila-share", "create_share_instance"]
    assert (create.kinds, create.versions, create.handler) == (
        ("cast",), ("1.4",), "manila.share.manager.ShareManager.create_share_instance")
    # connection_get_info returns call_context.call(...): the migration asks the host
    assert by["manila-share", "connection_get_info"].kinds == ("call",)
    # manila/data/rpcapi.py DataAPI.migration_start: a cast to manila-data
    assert by["manila-data", "migration_start"].kinds == ("cast",)
    assert by["manila-data", "data_copy_get_progress"].kinds == ("call",)
    # SchedulerAPI.update_service_capabilities: prepare(fanout=True, ...).cast
    assert by["manila-scheduler", "update_service_capabilities"].fanout is True
    # the Huawei driver's own RPC between backends (manila/share/drivers/huawei/v3/
    # rpcapi.py, topic 'huawei_v3'): no manager serves it; the driver's connection.py
    # starts `rpc.get_server(Target(topic=self.rpc_client.topic), [self.replica_mgr])`,
    # a replication.ReplicaPairManager
    huawei = [m for m in model.methods if m.topic == "huawei_v3"]
    assert [(m.method, m.kinds, m.handler) for m in huawei] == [
        ("create_replica_pair", ("call",),
         "manila.share.drivers.huawei.v3.replication.ReplicaPairManager.create_replica_pair")]
    assert "get_server" in huawei[0].notes[0]


def test_diff_history_graph_and_check_read_manila():
    """The whole-model commands on Manila's releases, through the command line: the RPC
    API did not change from 22.0.0 to 23.0.1 (both ShareAPI version_cap '1.30'), the
    history says so, the graph holds manila-share's methods and who sends them, and check
    reports what no traced operation sends."""
    import json

    from tests.test_cli_rpc import osflow

    cache = cache_dir()
    diff = osflow("diff", "manila==22.0.0", "manila==23.0.1", "--rpc", "--format", "json",
                  cache=cache)
    if diff.returncode == 2 and "package index" in diff.stderr:
        pytest.skip(diff.stderr)
    assert diff.returncode == 0, diff.stderr
    changes = json.loads(diff.stdout)
    assert (changes["added"], changes["removed"], changes["changed"]) == ([], [], [])
    history = osflow("history", "--rpc", "manila==22.0.0", "manila==23.0.1", "--format",
                     "json", cache=cache)
    assert history.returncode == 0, history.stderr
    assert "extend_share" in history.stdout and "manila-share" in history.stdout
    graph = osflow("graph", "-s", "manila==23.0.1", "--format", "json", cache=cache)
    assert graph.returncode == 0, graph.stderr
    nodes = {n["id"] for n in json.loads(graph.stdout)["nodes"]}
    assert {"service:manila-share", "rpc:manila-share:extend_share",
            "rpc:manila-data:migration_start"} <= nodes
    check = osflow("check", "-s", "manila==23.0.1", "--format", "json", cache=cache)
    assert check.returncode == 0, check.stderr
    findings = json.loads(check.stdout)
    assert not [f for f in findings if f["severity"] != "info"]
    # manila/share/manager.py publish_service_capabilities: sent by no REST operation
    assert "rpc:manila-share:publish_service_capabilities" in \
        {f["where"] for f in findings if f["rule"] == "unsent"}
