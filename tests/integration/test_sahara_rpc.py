"""Sahara's RPC model on 19.0.0, checked against Sahara's own code and unit tests.

Sahara has no test_rpcapi.py. What its tests say of each `RemoteOps` method, read here with
`ast`, independently of tracer.rpc:

- the stand-ins its API tests install in place of the engine client
  (`service_api.setup_api(FakeOps(...))` in tests/unit/service/api/test_v10.py and
  v2/test_clusters.py): a method the stand-in serves without returning anything is one the
  API does not wait on, a cast;
- a method the tests mock with a `return_value` (`ops.get_engine_type_and_version
  .return_value = "direct.1.1"` in test_cluster_scaling_validation.py) is one whose reply the
  caller reads, a call.

And for every method: `LocalOps`, the in-process twin of `RemoteOps` in sahara/service/ops.py
(the all-in-one mode), either hands the work to a green thread (`context.spawn(...)`: the
caller goes on, a cast) or returns the result (a call).
"""

from __future__ import annotations

import ast
import warnings
from pathlib import Path

import pytest

from tests.integration.releases import open_sahara

pytestmark = pytest.mark.integration

CLIENT = "sahara.service.ops.RemoteOps"


@pytest.fixture(scope="module")
def sahara():
    workspace = open_sahara()
    return workspace, workspace.rpc_model()


def _returns_value(fn: ast.FunctionDef) -> bool:
    return any(isinstance(n, ast.Return) and n.value is not None for n in ast.walk(fn))


def _tests_oracle(root: Path) -> dict[str, str]:
    """RemoteOps method -> the kind Sahara's tests imply."""
    found: dict[str, str] = {}
    for path in sorted((root / "sahara" / "tests").rglob("test_*.py")):
        with warnings.catch_warnings():  # their regexes' escapes are not ours to fix
            warnings.simplefilter("ignore", DeprecationWarning)
            tree = ast.parse(path.read_bytes())
        classes = {n.name: n for n in tree.body if isinstance(n, ast.ClassDef)}
        for node in ast.walk(tree):
            # service_api.setup_api(FakeOps(...)): FakeOps stands in for the engine client
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr == "setup_api" and node.args
                    and isinstance(node.args[0], ast.Call)
                    and isinstance(node.args[0].func, ast.Name)
                    and node.args[0].func.id in classes):
                for fn in classes[node.args[0].func.id].body:
                    if isinstance(fn, ast.FunctionDef) and not fn.name.startswith("_"):
                        found.setdefault(fn.name, "call" if _returns_value(fn) else "cast")
            # ops.<method>.return_value = ... under @mock.patch("sahara.service.api.OPS")
            if (isinstance(node, ast.Assign) and len(node.targets) == 1
                    and isinstance(node.targets[0], ast.Attribute)
                    and node.targets[0].attr == "return_value"
                    and isinstance(node.targets[0].value, ast.Attribute)
                    and isinstance(node.targets[0].value.value, ast.Name)
                    and node.targets[0].value.value.id == "ops"):
                found[node.targets[0].value.attr] = "call"
    return found


def _local_twin(root: Path) -> dict[str, str]:
    """LocalOps method -> cast when it spawns the work, call when it returns a result."""
    tree = ast.parse((root / "sahara" / "service" / "ops.py").read_bytes())
    (local,) = [n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "LocalOps"]
    out = {}
    for fn in local.body:
        if not isinstance(fn, ast.FunctionDef):
            continue
        spawns = any(isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute)
                     and n.func.attr == "spawn" for n in ast.walk(fn))
        out[fn.name] = "cast" if spawns else "call" if _returns_value(fn) else "?"
    return out


def _methods(model):
    return {m.client.rsplit(".", 1)[1]: m for m in model.methods if m.client.startswith(CLIENT)}


def test_every_method_is_the_engines_and_resolves_its_handler(sahara):
    _, model = sahara
    assert {m.service for m in model.methods} == {"sahara-engine"}
    methods = _methods(model)
    assert len(methods) == len(model.methods) == 10
    for name, m in methods.items():
        assert m.method == name
        assert m.handler == f"sahara.service.ops.OpsServer.{name}", (name, m.notes)
        assert m.version == "1.0" and not m.fanout
    (service,) = model.services
    assert service.topic == "sahara-ops" and service.manager == "sahara.service.ops.OpsServer"


def test_kinds_agree_with_saharas_tests(sahara):
    workspace, model = sahara
    expected = _tests_oracle(workspace.source.root)
    methods = _methods(model)
    # the stand-ins cover provision, scale and terminate; the mocks the engine version
    assert set(expected) >= {"provision_cluster", "provision_scaled_cluster",
                             "terminate_cluster", "get_engine_type_and_version"}
    covered = {name: kind for name, kind in expected.items() if name in methods}
    assert covered == {name: methods[name].kinds[0] for name in covered}
    assert all(len(methods[name].kinds) == 1 for name in covered)


def test_kinds_agree_with_the_in_process_twin(sahara):
    workspace, model = sahara
    twin = _local_twin(workspace.source.root)
    methods = _methods(model)
    # update_keypair has no LocalOps twin in 19.0.0: every other method has one
    assert set(methods) - set(twin) == {"update_keypair"}
    for name, kind in twin.items():
        assert methods[name].kinds == (kind,), name
