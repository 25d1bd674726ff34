"""RPC API differences (tracer/diff.py) on hand-made models, and the CLI on two trees."""

from __future__ import annotations

import json

from tracer.diff import diff_rpc
from tracer.model import RpcMethod, RpcModel
from tests.test_cli_rpc import osflow
from tests.trees import MODERN, write_tree


def method(name, kinds=("cast",), version="6.0", handler=None, params=("context",),
           service="nova-compute", fanout=False):
    return RpcMethod(service, name, kinds, fanout, version,
                     f"nova.compute.rpcapi.ComputeAPI.{name}",
                     handler or f"nova.compute.manager.ComputeManager.{name}",
                     "nova/compute/rpcapi.py", 1, handler_params=params)


def model(label, *methods):
    return RpcModel(label, tuple(methods), ())


def test_added_removed_and_each_kind_of_change():
    old = model("old", method("pause_instance"), method("gone"),
                method("stop_instance", kinds=("cast",)),
                method("moved", handler="nova.compute.manager.Old.moved"),
                method("resized", params=("context", "instance")),
                method("bumped", version="5.0"), method("spread"))
    new = model("new", method("pause_instance"), method("fresh"),
                method("stop_instance", kinds=("call", "cast")),
                method("moved"), method("resized", params=("context", "instance", "flavor")),
                method("bumped", version="6.2"), method("spread", fanout=True))
    result = diff_rpc(old, new)
    assert [m.method for m in result.added] == ["fresh"]
    assert [m.method for m in result.removed] == ["gone"]
    assert {c.method: c.changes for c in result.changed} == {
        "bumped": {"version": ["5.0", "6.2"]},
        "moved": {"handler": ["nova.compute.manager.Old.moved",
                              "nova.compute.manager.ComputeManager.moved"]},
        "resized": {"signature": [["context", "instance"],
                                  ["context", "instance", "flavor"]]},
        "spread": {"fanout": [False, True]},
        "stop_instance": {"kinds": [["cast"], ["call", "cast"]]},
    }


def test_same_wire_name_on_two_services_are_two_methods():
    old = model("old", method("ping", service="nova-compute"))
    new = model("new", method("ping", service="nova-compute"),
                method("ping", service="nova-conductor"))
    assert [(m.service, m.method) for m in diff_rpc(old, new).added] == [
        ("nova-conductor", "ping")]


def test_cli_json_shape_on_two_directories(tmp_path):
    old = write_tree(tmp_path / "old", MODERN)
    new = write_tree(tmp_path / "new", MODERN)
    rpcapi = new / "nova" / "compute" / "rpcapi.py"
    rpcapi.write_text(rpcapi.read_text().replace("'reset_network'", "'reset_networks'"))
    result = osflow("diff", str(old), str(new), "--rpc", "--format", "json",
                    cache=tmp_path / "c")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert set(data) >= {"added", "removed", "changed"}
    assert [(m["service"], m["method"]) for m in data["added"]] == [
        ("nova-compute", "reset_networks")]
    assert [(m["service"], m["method"]) for m in data["removed"]] == [
        ("nova-compute", "reset_network")]
    text = osflow("diff", str(old), str(new), "--rpc", cache=tmp_path / "c")
    assert "1 added, 1 removed" in text.stdout


def test_flow_diff_not_yet_is_said_plainly(tmp_path):
    tree = write_tree(tmp_path / "t", MODERN)
    result = osflow("diff", str(tree), str(tree), cache=tmp_path / "c")
    assert result.returncode == 2
    assert result.stderr.startswith("error: comparing operations' flows is not built yet")
