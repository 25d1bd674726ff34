"""The RPC model on real releases, checked against an independent reading of rpcapi.py.

The oracle is deliberately simple and separate from tracer.rpc: for each method of each
class in a `*/rpcapi.py`, the kinds are the `.cast` / `.call` attributes its body mentions
(a method that delegates to a sibling inherits the sibling's), and the wire name is the
string literal passed right after the context.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.integration.conftest import DETAILED
from tracer.rpc import build_rpc_model

pytestmark = pytest.mark.integration


def _oracle(root: Path) -> dict[str, set[str]]:
    """client dotted path -> kinds, for every rpcapi method that sends."""
    found: dict[str, set[str]] = {}
    for path in sorted((root / "nova").rglob("rpcapi.py")):
        if "tests" in path.parts:
            continue
        module = ".".join(path.relative_to(root).with_suffix("").parts)
        tree = ast.parse(path.read_bytes(), feature_version=(3, 6))
        for cls in [n for n in tree.body if isinstance(n, ast.ClassDef)]:
            methods = {f.name: f for f in cls.body if isinstance(f, ast.FunctionDef)}

            def kinds_of(fn, seen=()):
                kinds = set()
                for node in ast.walk(fn):
                    if isinstance(node, ast.Attribute) and node.attr in ("cast", "call"):
                        # cctxt.cast, self.client.call -- not a method of the API itself
                        if not (isinstance(node.value, ast.Name) and node.value.id == "self"):
                            kinds.add(node.attr)
                    if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                            and isinstance(node.func.value, ast.Name)
                            and node.func.value.id == "self"
                            and node.func.attr in methods and node.func.attr not in seen):
                        kinds |= kinds_of(methods[node.func.attr], seen + (fn.name,))
                return kinds

            for name, fn in methods.items():
                kinds = kinds_of(fn)
                if kinds and not name.startswith("_"):
                    found[f"{module}.{cls.name}.{name}"] = kinds
    return found


@pytest.fixture(scope="module")
def models(release):
    return release, build_rpc_model(release.index, release.source.label)


def test_every_client_method_is_found_with_the_kinds_its_code_sends(models):
    ws, model = models
    oracle = _oracle(ws.source.root)
    ours = {m.client: set(m.kinds) for m in model.methods if m.file.endswith("rpcapi.py")}
    assert len(oracle) > 80
    assert set(ours) == set(oracle)
    wrong = {c: (ours[c], oracle[c]) for c in oracle if ours[c] != oracle[c]}
    assert not wrong


def test_every_rpc_method_resolves_to_its_handler(models):
    _, model = models
    unresolved = [(m.client, m.method, m.notes) for m in model.methods if m.handler is None]
    # cells v1 (until 19.x) forwards arbitrary messages by a runtime name: noted, not dropped
    assert all(c == "nova.cells.messaging._TargetedMessageMethods.proxy_rpc_to_manager"
               and n for c, _, n in unresolved)
    model = type(model)(model.source, tuple(m for m in model.methods if m.handler),
                        model.services, model.warnings)
    for m in model.methods:
        # the handler serves the very name sent on the wire
        assert m.handler.rsplit(".", 1)[-1] == m.method


def test_known_shapes(models):
    ws, model = models
    if ws.source.label not in DETAILED:
        pytest.skip("shapes spelled out for 20.0.0 and 34.0.0 only")
    by_client = {m.client: m for m in model.methods}
    sel = by_client["nova.scheduler.rpcapi.SchedulerAPI.select_destinations"]
    assert (sel.service, sel.kinds, sel.fanout) == ("nova-scheduler", ("call",), False)
    assert sel.handler == "nova.scheduler.manager.SchedulerManager.select_destinations"
    live = by_client["nova.compute.rpcapi.ComputeAPI.check_can_live_migrate_source"]
    assert live.kinds == ("call",) and live.service == "nova-compute"
    mig = by_client["nova.conductor.rpcapi.ComputeTaskAPI.migrate_server"]
    if ws.source.label == "20.0.0":
        # Train always blocks on the conductor; do_cast arrived later (resize is a cast now)
        assert (mig.kinds, mig.kind_param) == (("call",), None)
    else:
        assert (mig.kinds, mig.kind_param, mig.kind_if_true) == (
            ("call", "cast"), "do_cast", "cast")
    assert mig.handler == "nova.conductor.manager.ComputeTaskManager.migrate_server"
    stop = by_client["nova.compute.rpcapi.ComputeAPI.stop_instance"]
    assert (stop.kinds, stop.kind_param) == (("call", "cast"), "do_cast")
    fanouts = {m.method for m in model.methods if m.fanout}
    assert {"update_aggregates", "delete_aggregate", "update_instance_info"} <= fanouts
    assert {s.binary for s in model.services} >= {"nova-compute", "nova-conductor",
                                                  "nova-scheduler"}
    assert not [w for w in model.warnings if "cannot parse" in w]


def test_liberty_rpc_model(liberty):
    """12.0.0: cells, cert, console, consoleauth and nova-network services, Python-2 code."""
    model = build_rpc_model(liberty.index, liberty.source.label)
    services = {s.binary for s in model.services}
    assert {"nova-cells", "nova-cert", "nova-console", "nova-consoleauth", "nova-network",
            "nova-compute", "nova-conductor", "nova-scheduler"} <= services
    oracle = _oracle(liberty.source.root)
    ours = {m.client: set(m.kinds) for m in model.methods if m.file.endswith("rpcapi.py")}
    assert ours == oracle
    unresolved = {m.client for m in model.methods if m.handler is None}
    # cells forwards arbitrary messages by a runtime name: said in a note, not dropped
    assert unresolved == {"nova.cells.messaging._TargetedMessageMethods.proxy_rpc_to_manager"}
    assert not [w for w in model.warnings if "cannot parse" in w]
