"""RPC API differences (tracer/diff.py) on hand-made models, and the CLI on two trees."""

from __future__ import annotations

import json

from tracer.diff import diff_flow, diff_rpc
from tracer.model import Flow, RpcMethod, RpcModel, Step
from tests.test_cli_rpc import osflow
from tests.trees import MODERN, TRACE, write_tree


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


def renamed_method_trees(tmp_path):
    """Two trees that differ by one wire name: reset_network became reset_networks."""
    old = write_tree(tmp_path / "old", MODERN)
    new = write_tree(tmp_path / "new", MODERN)
    rpcapi = new / "nova" / "compute" / "rpcapi.py"
    rpcapi.write_text(rpcapi.read_text().replace("'reset_network'", "'reset_networks'"))
    return old, new


def test_cli_json_shape_on_two_directories(tmp_path):
    old, new = renamed_method_trees(tmp_path)
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


# ----------------------------------------------------------------------------- flows


def step(kind, source, target, text):
    return Step(kind, source, target, text, "nova.x.f", "nova/x.py", 1)


def flow(*steps, participants=("client", "nova_api", "nova_compute", "database")):
    return Flow("op", "t", "op", "POST /x", participants, tuple(steps))


def test_flow_steps_align_by_identity_not_position():
    old = flow(step("note", "nova_api", None, "policy"),
               step("cast", "nova_api", "nova_compute", "pause_instance"),
               step("db", "nova_compute", "database", "instance.save (vm_state=PAUSED)"),
               step("service", "nova_compute", "neutron", "get_instance_nw_info"))
    new = flow(step("note", "nova_api", None, "a different note"),  # notes are not compared
               step("db", "nova_api", "database", "Instance.get_by_uuid"),  # reads neither
               step("call", "nova_api", "nova_compute", "pause_instance"),
               step("db", "nova_compute", "database",
                    "instance.save (vm_state=PAUSED, task_state=None)"),
               step("service", "nova_compute", "cinder", "attachment_get_all"),
               participants=("client", "nova_api", "nova_compute", "database", "cinder"))
    result = diff_flow("op", old, new)
    assert result.status == "changed"
    assert [(a.kind, b.kind) for a, b in result.kind_changed] == [("cast", "call")]
    assert [(a.fields, b.fields) for a, b in result.fields_changed] == [
        ("vm_state=PAUSED", "vm_state=PAUSED, task_state=None")]
    assert [m.text() for m in result.added] == ["nova_compute->cinder: attachment_get_all"]
    assert [m.text() for m in result.removed] == [
        "nova_compute->neutron: get_instance_nw_info"]
    assert result.participants_added == ["cinder"]


def test_moved_rpc_and_identical_flows():
    a = step("call", "nova_api", "nova_conductor", "migrate_server")
    b = step("call", "nova_conductor", "nova_scheduler", "select_destinations")
    assert diff_flow("op", flow(a, b), flow(a, b)).status == "same"
    moved = diff_flow("op", flow(a, b), flow(b, a))
    # one of the two keeps its place (the matcher's choice), the other is reported moved
    assert [m.name for m in moved.moved] == ["select_destinations"]
    assert not moved.added and not moved.removed


def test_operations_that_appear_or_disappear():
    assert diff_flow("op", None, flow()).status == "added"
    assert diff_flow("op", flow(), None).status == "removed"


def stop_becomes_a_call(tmp_path):
    """Two trees where API.stop passes do_cast=False: stop_instance turns from cast to call."""
    old = write_tree(tmp_path / "old", TRACE)
    new = write_tree(tmp_path / "new", TRACE)
    api = new / "nova" / "compute" / "api.py"
    api.write_text(api.read_text().replace(
        "self.compute_rpcapi.stop_instance(context, instance, do_cast=do_cast)",
        "self.compute_rpcapi.stop_instance(context, instance, do_cast=False)"))
    return old, new


def test_cli_flow_diff_json(tmp_path):
    old, new = stop_becomes_a_call(tmp_path)
    result = osflow("diff", str(old), str(new), "--op", "stop", "--format", "json",
                    cache=tmp_path / "c")
    assert result.returncode == 0, result.stderr
    ops = json.loads(result.stdout)["operations"]
    assert [(o["operation"], o["status"]) for o in ops] == [("stop", "changed")]
    assert [(c["old"]["kind"], c["new"]["kind"]) for c in ops[0]["kind_changed"]] == [
        ("cast", "call")]


# ----------------------------------------------------------------------------- history


def test_history_tells_introduced_removed_and_kind_changes():
    from tracer.diff import rpc_history

    first = model("1", method("old_one"), method("stop_instance", kinds=("cast",)))
    second = model("2", method("stop_instance", kinds=("call", "cast")), method("new_one"))
    third = model("3", method("stop_instance", kinds=("call", "cast")), method("new_one"),
                  method("old_one"))
    rows = {r.method: r for r in rpc_history([first, second, third])}
    assert (rows["new_one"].introduced, rows["new_one"].removed) == ("2", None)
    assert (rows["old_one"].introduced, rows["old_one"].removed) == (None, "2")
    assert rows["old_one"].kinds == {"1": ["cast"], "3": ["cast"]}  # gone, then back
    assert rows["stop_instance"].kind_changes == [
        {"release": "2", "old": ["cast"], "new": ["call", "cast"]}]


def test_cli_history_json(tmp_path):
    old, new = renamed_method_trees(tmp_path)
    result = osflow("history", str(old), str(new), "--rpc", "--format", "json",
                    cache=tmp_path / "c")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["releases"] == [str(old), str(new)]
    rows = {m["method"]: m for m in data["methods"]}
    assert rows["reset_networks"]["introduced"] == str(new)
    assert rows["reset_network"]["removed"] == str(new)
    usage = osflow("history", str(old), "--rpc", cache=tmp_path / "c")
    assert usage.returncode == 2 and "at least two sources" in usage.stderr


# ----------------------------------------------------------------------------- visual diff


def test_marked_flow_marks_added_and_strikes_removed():
    from tracer.diff import STRIKE, marked_flow

    a = step("call", "nova_api", "nova_conductor", "migrate_server")
    b = step("call", "nova_conductor", "nova_scheduler", "select_destinations")
    c = step("cast", "nova_conductor", "nova_compute", "live_migration")
    gone = step("service", "nova_compute", "neutron", "list_ports")
    new = flow(a, c, step("service", "nova_compute", "cinder", "attachment_get_all"))
    old = flow(a, b, c, gone)
    marked = marked_flow(new, diff_flow("op", old, new), "1.0")
    texts = [s.text for s in marked.nodes]
    assert texts[0] == "migrate_server"
    assert texts[1] == "".join(ch + STRIKE for ch in "select_destinations")  # where it was
    assert marked.nodes[1].kind == "call" and marked.nodes[1].target == "nova_scheduler"
    assert "+ attachment_get_all" in texts
    assert texts[-1].startswith("removed since 1.0:\n") and STRIKE in texts[-1]
    assert "nova_scheduler" in marked.participants
    assert marked.title == "op: changes since 1.0"


def test_cli_writes_a_visual_diff_per_changed_operation(tmp_path):
    old, new = stop_becomes_a_call(tmp_path)
    out = tmp_path / "visual"
    result = osflow("diff", str(old), str(new), "-o", str(out), cache=tmp_path / "c")
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in out.iterdir()) == ["stop.svg", "stop.wsd"]
    assert "stop_instance (was cast)" in (out / "stop.wsd").read_text()


def test_a_new_write_of_an_object_is_added_not_a_change():
    keep = step("db", "nova_compute", "database", "instance.save (vm_state=ACTIVE)")
    extra = step("db", "nova_compute", "database", "instance.save (vm_state=ERROR)")
    result = diff_flow("op", flow(keep), flow(extra, keep))
    assert [m.fields for m in result.added] == ["vm_state=ERROR"]
    assert not result.fields_changed and not result.removed


# ----------------------------------------------------------------------------- renamed


def at(anchor, kind, source, target, text):
    return Step(kind, source, target, text, anchor, "nova/x.py", 1)


def test_a_step_renamed_at_its_place_is_one_change_not_a_removal_and_an_addition():
    send = step("call", "nova_api", "nova_conductor", "migrate_server")
    done = step("cast", "nova_conductor", "nova_compute", "live_migration")
    old = flow(send, step("service", "nova_conductor", "neutron",
                          "supports_port_binding_extension"),
               at("nova.a.check", "service", "nova_conductor", "neutron", "get"),
               done, step("service", "nova_compute", "neutron", "list_ports"))
    new = flow(send, step("service", "nova_conductor", "neutron",
                          "has_port_binding_extension"),
               at("nova.a.check", "service", "nova_conductor", "neutron", "validate_name"),
               done, step("service", "nova_compute", "cinder", "list_ports"))
    result = diff_flow("op", old, new)
    # alike names, or the only pair of such steps in one function: renamed
    assert [(a.name, b.name) for a, b in result.renamed] == [
        ("supports_port_binding_extension", "has_port_binding_extension"),
        ("get", "validate_name")]
    # another service is no rename, however alike the name
    assert [m.text() for m in result.removed] == ["nova_compute->neutron: list_ports"]
    assert [m.text() for m in result.added] == ["nova_compute->cinder: list_ports"]
    data = result.to_json()["renamed"][0]
    assert (data["old"]["name"], data["new"]["name"]) == (
        "supports_port_binding_extension", "has_port_binding_extension")


def test_unlike_steps_of_different_functions_stay_a_removal_and_an_addition():
    old = flow(at("nova.a.f", "service", "nova_api", "neutron", "list_ports"))
    new = flow(at("nova.a.g", "service", "nova_api", "neutron", "show_quota"))
    result = diff_flow("op", old, new)
    assert not result.renamed
    assert ([m.name for m in result.removed], [m.name for m in result.added]) == (
        ["list_ports"], ["show_quota"])


def test_a_step_renamed_alike_is_paired_even_where_the_steps_around_it_moved():
    send = step("call", "nova_compute", "nova_compute_dest", "pre_live_migration")
    tree = step("service", "nova_compute", "placement", "get_provider_tree_and_ensure_root")
    subtree = step("service", "nova_compute", "placement",
                   "get_provider_subtree_and_ensure_root")
    other = step("service", "nova_compute", "placement", "list_traits")
    result = diff_flow("op", flow(tree, send), flow(send, other, subtree))
    assert [(a.name, b.name) for a, b in result.renamed] == [
        ("get_provider_tree_and_ensure_root", "get_provider_subtree_and_ensure_root")]
    assert [m.name for m in result.added] == ["list_traits"] and not result.removed


def test_one_of_several_writes_setting_other_fields_is_a_fields_change():
    first = step("db", "nova_compute", "database", "instance.save (vm_state=BUILDING)")
    old = flow(first, step("db", "nova_compute", "database", "instance.save (node=a)"),
               step("cast", "nova_compute", "nova_conductor", "build_instances"))
    new = flow(first, step("db", "nova_compute", "database",
                           "instance.save (node=a, compute_id=b)"),
               step("cast", "nova_compute", "nova_conductor", "build_instances"))
    result = diff_flow("op", old, new)
    assert [(a.fields, b.fields) for a, b in result.fields_changed] == [
        ("node=a", "node=a, compute_id=b")]
    assert not result.added and not result.removed


def test_the_visual_diff_says_what_a_renamed_step_was():
    from tracer.diff import marked_flow

    old = flow(step("service", "nova_conductor", "neutron", "supports_port_binding_extension"))
    new = flow(step("service", "nova_conductor", "neutron", "has_port_binding_extension"))
    marked = marked_flow(new, diff_flow("op", old, new), "1.0")
    assert marked.nodes[0].text == \
        "~ has_port_binding_extension (was supports_port_binding_extension)"


def test_a_write_that_moved_below_depth_is_no_difference(tmp_path):
    old = write_tree(tmp_path / "old", TRACE)
    new = write_tree(tmp_path / "new", TRACE)
    api = new / "nova" / "compute" / "api.py"
    record = "        objects.InstanceAction.action_start(context, instance.uuid, action)"
    assert record in api.read_text()
    api.write_text(api.read_text().replace(record, (
        "        self._write_action(context, instance, action)\n\n"
        "    def _write_action(self, context, instance, action):\n" + record)))
    result = osflow("diff", str(old), str(new), "--op", "pause", "--format", "json",
                    cache=tmp_path / "c")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["operations"][0]["status"] == "same"
    shallow = osflow("trace", "pause", "-s", str(new), cache=tmp_path / "c")
    # the diagram keeps its depth: the helper is one arrow naming the write it makes
    assert "nova_api->database: write action: writes InstanceAction.action_start" in shallow.stdout


def test_a_changed_write_pairs_with_the_most_alike_of_its_object_s_writes():
    disabled = step("db", "nova_compute", "database", "instance.save (host=h, node=n)")
    claimed = step("db", "nova_compute", "database",
                   "instance.save (numa_topology=t, host=h, node=n)")
    now = step("db", "nova_compute", "database",
               "instance.save (numa_topology=t, host=h, node=n, compute_id=c)")
    result = diff_flow("op", flow(disabled, claimed), flow(now))
    assert [(a.fields, b.fields) for a, b in result.fields_changed] == [
        ("numa_topology=t, host=h, node=n", "numa_topology=t, host=h, node=n, compute_id=c")]
    assert [m.fields for m in result.removed] == ["host=h, node=n"]


def test_a_write_whose_values_only_rename_a_local_variable_is_no_change():
    from tracer.diff import same_but_variables

    old = step("db", "nova_compute", "database",
               "bdm.save (attachment_id=source_bdm.attachment_id, "
               "connection_info=source_bdm.connection_info)")
    new = step("db", "nova_compute", "database",
               "bdm.save (attachment_id=original_bdm.attachment_id, "
               "connection_info=original_bdm.connection_info)")
    result = diff_flow("op", flow(old), flow(new))
    assert not result.fields_changed and not result.added and not result.removed
    # constants, attributes, functions called and field names are not variables
    assert not same_but_variables("task_state=REBOOTING", "task_state=REBOOT_PENDING")
    assert not same_but_variables("host=self.host", "host=self.node")
    assert not same_but_variables("node=get_node(a)", "node=get_host(a)")
    assert not same_but_variables("vm_state=state", "task_state=state")
    # one variable renamed two ways is a change
    assert not same_but_variables("a=x.id, b=x.uuid", "a=y.id, b=z.uuid")
