"""Cinder's RPC model on real releases, checked against Cinder's own unit tests.

The oracle reads `cinder/tests/unit/**/test_rpcapi.py` of the same release (the wheel on the
package index ships them) with `ast`, independently of tracer.rpc: each test class names its
client (`self.rpcapi = volume_rpcapi.VolumeAPI`), and each `self._test_rpc_api('method',
rpc_method='cast', ...)` says what that client method sends, as the test mocks it: the
kind, the name on the wire (`expected_method`, else the method's own) and, when a test
pins it, the version. Calls made for a test that expects them to raise (`assertRaises(...,
self._test_rpc_api, ...)`: the method refuses an old service before sending) are left out.

A test exercises one path: where osflow reports both kinds, the tests must see only
those, and osflow must say what decides (`remove_export(sync=...)`).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.integration.releases import imported_names, literal, open_release

pytestmark = pytest.mark.integration

# The newest release, and one of each earlier series the index holds every few years.
RELEASES = ("10.0.8", "15.0.0", "20.0.0", "29.0.0")
SERVICES = {"cinder-volume", "cinder-scheduler", "cinder-backup"}


@pytest.fixture(scope="module", params=RELEASES)
def cinder(request):
    spec = f"cinder=={request.param}"
    workspace = open_release(spec)  # kept between runs, like Nova's releases
    return workspace, workspace.rpc_model()


def _oracle(root: Path) -> dict[str, dict[str, set]]:
    """client method dotted path -> {"kinds", "wire", "versions"} its tests expect."""
    found: dict[str, dict[str, set]] = {}
    for path in sorted((root / "cinder" / "tests").rglob("test_rpcapi.py")):
        tree = ast.parse(path.read_bytes())
        modules = imported_names(tree)
        for cls in [n for n in tree.body if isinstance(n, ast.ClassDef)]:
            client = None
            for node in ast.walk(cls):
                if (isinstance(node, ast.Assign) and isinstance(node.value, ast.Attribute)
                        and isinstance(node.value.value, ast.Name)
                        and any(isinstance(t, ast.Attribute) and t.attr == "rpcapi"
                                for t in node.targets)):
                    client = f"{modules[node.value.value.id]}.{node.value.attr}"
            if client is None:
                continue
            for node in ast.walk(cls):
                if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                        and node.func.attr == "_test_rpc_api" and node.args):
                    continue
                method = literal(node.args[0])
                kw = {k.arg: k.value for k in node.keywords if k.arg}
                kind = literal(kw.get("rpc_method"))
                if not isinstance(method, str) or kind not in ("cast", "call"):
                    continue
                entry = found.setdefault(f"{client}.{method}",
                                         {"kinds": set(), "wire": set(), "versions": set()})
                entry["kinds"].add(kind)
                wire = literal(kw["expected_method"]) if "expected_method" in kw else method
                if isinstance(wire, str):
                    entry["wire"].add(wire)
                if isinstance(literal(kw.get("version")), str):
                    entry["versions"].add(literal(kw["version"]))
    return found


def test_the_services_and_their_managers(cinder):
    ws, model = cinder
    assert ws.source.project == "cinder"
    assert {s.binary for s in model.services} == SERVICES
    managers = {s.binary: s.manager for s in model.services}
    assert managers == {"cinder-volume": "cinder.volume.manager.VolumeManager",
                        "cinder-scheduler": "cinder.scheduler.manager.SchedulerManager",
                        "cinder-backup": "cinder.backup.manager.BackupManager"}
    clients = {m.service: m.client.rsplit(".", 1)[0] for m in model.methods}
    assert clients == {"cinder-volume": "cinder.volume.rpcapi.VolumeAPI",
                       "cinder-scheduler": "cinder.scheduler.rpcapi.SchedulerAPI",
                       "cinder-backup": "cinder.backup.rpcapi.BackupAPI"}
    assert not [w for w in model.warnings if "cannot parse" in w]


def test_cast_and_call_agree_with_cinders_own_rpcapi_tests(cinder):
    ws, model = cinder
    oracle = _oracle(ws.source.root)
    assert len(oracle) > 50  # the three test_rpcapi.py were read
    ours: dict[str, list] = {}
    for m in model.methods:
        ours.setdefault(m.client, []).append(m)
    missing = sorted(set(oracle) - set(ours))
    assert not missing  # every method the tests cover is a client method osflow found
    wrong = {}
    for client, expected in oracle.items():
        methods = ours[client]
        kinds = {k for m in methods for k in m.kinds}
        # both kinds reported: the tests see those only, and osflow names what decides
        decided = all(m.kind_param or m.kind_condition for m in methods if len(m.kinds) == 2)
        if not (expected["kinds"] <= kinds and (kinds == expected["kinds"] or decided)):
            wrong[client] = ("kinds", sorted(kinds), sorted(expected["kinds"]))
        elif not expected["wire"] <= {m.method for m in methods}:
            wrong[client] = ("wire", sorted(m.method for m in methods),
                             sorted(expected["wire"]))
    assert not wrong


def test_every_client_method_has_its_handler_or_a_note(cinder):
    _, model = cinder
    assert {m.service for m in model.methods} == SERVICES
    unresolved = [(m.client, m.method) for m in model.methods if m.handler is None
                  and not m.notes]
    assert not unresolved
    for m in model.methods:
        if m.handler is not None:
            # served by a method of the service's manager (or a class it derives from),
            # under its own name or an alias of it (`failover_host = failover`)
            assert m.handler.startswith("cinder."), m
            assert m.handler_file and m.handler_file.startswith("cinder/"), m


def test_known_shapes_of_29(cinder):
    ws, model = cinder
    if ws.source.tag != "29.0.0":
        pytest.skip("shapes spelled out for 29.0.0")
    by = {(m.service, m.method): m for m in model.methods}
    create = by["cinder-volume", "create_volume"]
    assert (create.kinds, create.client, create.handler) == (
        ("cast",), "cinder.volume.rpcapi.VolumeAPI.create_volume",
        "cinder.volume.manager.VolumeManager.create_volume")
    attach = by["cinder-volume", "attachment_update"]
    assert attach.kinds == ("call",)
    # the version chain given as a tuple to _get_cctxt: newest first
    assert by["cinder-volume", "attach_volume"].versions == ("3.0", "3.3")
    remove = by["cinder-volume", "remove_export"]
    assert (remove.kinds, remove.kind_param, remove.kind_if_true) == (
        ("call", "cast"), "sync", "call")
    # fanout=True passed through _get_cctxt(**kwargs) to client.prepare
    assert by["cinder-volume", "publish_service_capabilities"].fanout is True
    assert by["cinder-scheduler", "update_service_capabilities"].fanout is True
    # the wire name chosen by the version negotiation: both names, both served
    assert by["cinder-volume", "failover_host"].handler == \
        "cinder.volume.manager.VolumeManager.failover"
    assert by["cinder-scheduler", "migrate_volume_to_host"].handler == \
        "cinder.scheduler.manager.SchedulerManager.migrate_volume_to_host"
    assert by["cinder-backup", "restore_backup"].kinds == ("cast",)
