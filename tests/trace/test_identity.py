"""Facts about which value something is, carried into callees and later tests: an object
or list passed or read is not None (and one merged with None may be None); a text read
from an object's attribute is the same value when read again with nothing assigned to it
in between (`host = instance.host`, later `host != instance.host`); after a guard that
returns unless `instance.host == self.host`, a message to `instance.host` goes back to the
sender's own host."""

from __future__ import annotations

import ast

from tracer.index import ClassRef, Index
from tracer.model import Block, iter_steps
from tracer.rpc import build_rpc_model
from tracer.trace import conditions
from tracer.trace.engine import _merge_values, _returned
from tracer.trace.values import ConstV, ListV, Obj, Text, maybe_none, not_none
from tests.trace.test_branches import _pause_with
from tests.trace.test_engine import messages, trace
from tests.trees import TRACE, write_tree

# TRACE with a Nova object class the API reads (objects.Instance, get_by_uuid) and a list
# class (BlockDeviceMappingList) whose query reads the database
_OBJECTS = {**TRACE, "nova/objects/instance.py": """
        from nova.objects import base

        class Instance(base.NovaObject):
            @base.remotable_classmethod
            def get_by_uuid(cls, context, uuid):
                pass
        """, "nova/objects/block_device.py": """
        from nova.objects import base

        class BlockDeviceMappingList(base.ObjectListBase):
            @base.remotable_classmethod
            def get_by_instance_uuid(cls, context, uuid):
                pass
        """}

# compute/utils.py get_root_bdm's shape: the callee reads only when not given the list
_READS_UNLESS_GIVEN = """
def _root_bdm(context, instance, bdms=None):
    if bdms is None:
        bdms = objects.BlockDeviceMappingList.get_by_instance_uuid(context, instance.uuid)
    return bdms
"""


def _reads(flow) -> list[str]:
    return [s.text for s in iter_steps(flow.nodes) if s.kind == "db" and
            "get_by_instance_uuid" in s.text]


def _guarded(flow) -> bool:
    """Whether the callee's read is drawn under its `bdms is None` test."""
    return any("bdms is None" in s.text for s in iter_steps(flow.nodes) if s.kind == "db") \
        or any("bdms is None" in b.label for node in flow.nodes if isinstance(node, Block)
               for b in node.branches)


def test_a_list_the_caller_read_and_passes_is_not_none_in_the_callee(tmp_path):
    """34.0.0 API.rebuild reads the instance's BDMs and passes them to get_root_bdm and
    is_volume_backed_instance (compute/utils.py: `if bdms is None: bdms = ...`): one read,
    the caller's, not the callee's under [bdms is None]."""
    flow = _pause_with(tmp_path, """bdms = objects.BlockDeviceMappingList.get_by_instance_uuid(
    context, instance.uuid)
_root_bdm(context, instance, bdms=bdms)
""", module_head=_READS_UNLESS_GIVEN, files=_OBJECTS)
    assert _reads(flow) == ["BlockDeviceMappingList.get_by_instance_uuid"]
    assert not _guarded(flow)


def test_a_list_left_out_is_read_by_the_callee(tmp_path):
    flow = _pause_with(tmp_path, """_root_bdm(context, instance)
""", module_head=_READS_UNLESS_GIVEN, files=_OBJECTS)
    assert _reads(flow) == ["BlockDeviceMappingList.get_by_instance_uuid"]
    assert not _guarded(flow)  # the default None decides it: read, unconditionally


def test_a_value_merged_from_none_and_a_list_may_be_none(tmp_path):
    """`bdms = None`, then read in one arm only: after the branch the name may still be
    None, so the callee's `bdms is None` stays open (the reverted attempt kept the list
    over None and dropped the callee's read)."""
    flow = _pause_with(tmp_path, """bdms = None
if instance.volume_backed:
    bdms = objects.BlockDeviceMappingList.get_by_instance_uuid(context, instance.uuid)
_root_bdm(context, instance, bdms=bdms)
""", module_head=_READS_UNLESS_GIVEN, files=_OBJECTS)
    assert len(_reads(flow)) == 2
    assert _guarded(flow)


def test_a_list_returned_where_a_handler_may_return_none_may_be_none(tmp_path):
    """34.0.0 API._lookup_instance: `except InstanceNotFound: return None, None`. The
    handler is not drawn (an error path), but what the function returns may be None."""
    flow = _pause_with(tmp_path, """bdms = _lookup(context, instance)
_root_bdm(context, instance, bdms=bdms)
""", module_head=_READS_UNLESS_GIVEN + """

def _lookup(context, instance):
    try:
        return objects.BlockDeviceMappingList.get_by_instance_uuid(context, instance.uuid)
    except ValueError:
        return None
""", files=_OBJECTS)
    assert len(_reads(flow)) == 2
    assert _guarded(flow)


_CLAIM_UNLESS_SAME_HOST = """
def _claim(context, instance, host):
    if host:
        if host != instance.host:
            objects.Migration.get_by_id(context, 1)
"""


def _claims(flow) -> list[str]:
    return [s.text for s in iter_steps(flow.nodes) if s.text == "Migration.get_by_id"]


def test_an_alias_of_an_attribute_equals_the_attribute_read_again(tmp_path):
    """34.0.0 API.rebuild: `host = instance.host` (None when the image changes), and the
    conductor's rebuild_instance `if host: if host != instance.host:` claims resources
    for an evacuation only: a rebuild never makes that claim."""
    flow = _pause_with(tmp_path, """host = instance.host
if instance.image_changed:
    host = None
_claim(context, instance, host)
""", module_head=_CLAIM_UNLESS_SAME_HOST, files=_OBJECTS)
    assert _claims(flow) == []


def test_an_alias_is_another_value_once_the_attribute_is_assigned(tmp_path):
    flow = _pause_with(tmp_path, """host = instance.host
instance.host = instance.new_host
_claim(context, instance, host)
""", module_head=_CLAIM_UNLESS_SAME_HOST, files=_OBJECTS)
    assert _claims(flow) == ["Migration.get_by_id"]


def test_a_host_given_by_the_caller_may_differ(tmp_path):
    """An evacuation's host comes from the request: its claim is drawn."""
    flow = _pause_with(tmp_path, """_claim(context, instance, instance.requested_host)
""", module_head=_CLAIM_UNLESS_SAME_HOST, files=_OBJECTS)
    assert _claims(flow) == ["Migration.get_by_id"]


def _own_host_tree(tmp_path, guard: str):
    """TRACE where the destination's check_can_live_migrate_destination returns when
    `guard` holds, then casts stop_instance to the instance's host (_compute_host(None,
    instance)); the manager's host is `self.host` (socket.gethostname())."""
    files = dict(_OBJECTS)
    manager = files["nova/compute/manager.py"]
    manager = manager.replace("""            def check_can_live_migrate_destination(self, ctxt, instance):
""", f"""            def check_can_live_migrate_destination(self, ctxt, instance):
                if {guard}:
                    return
                self.compute_rpcapi.stop_instance(ctxt, instance)
""", 1).replace("""                super(ComputeManager, self).__init__()
""", """                super(ComputeManager, self).__init__()
                self.host = socket.gethostname()
""", 1)
    files["nova/compute/manager.py"] = manager
    index = Index(write_tree(tmp_path, files))
    flow = trace((index, build_rpc_model(index, "synthetic")), "os-migrateLive",
                 "_migrate_live")
    return [m for m in messages(flow, "cast") if m[3] == "stop_instance"]


def test_a_send_to_the_instance_host_after_a_same_host_guard_stays_on_this_host(tmp_path):
    """34.0.0 ComputeManager._sync_instance_power_state: `if self.host !=
    db_instance.host: ... return`, then compute_api.stop casts stop_instance to
    instance.host: the very host running the task, not another one."""
    assert _own_host_tree(tmp_path, "self.host != instance.host") == [
        ("cast", "nova_compute_dest", "nova_compute_dest", "stop_instance")]


def test_without_the_guard_the_instance_host_is_another_host(tmp_path):
    assert _own_host_tree(tmp_path, "instance.gone") == [
        ("cast", "nova_compute_dest", "nova_compute_src", "stop_instance")]


def test_the_guard_holds_only_where_its_exit_is_always_taken(tmp_path):
    """`if self.host == instance.host: return`: the rest has them different; nothing is
    decided about where the message goes."""
    assert _own_host_tree(tmp_path, "self.host == instance.host") == [
        ("cast", "nova_compute_dest", "nova_compute_src", "stop_instance")]


# ------------------------------------------------------------------------ the values


def _obj() -> Obj:
    return Obj(ClassRef(None, None), {}, "object")  # only identity matters here


def test_merging_none_with_an_object_keeps_it_but_it_may_be_none():
    obj = _obj()
    merged = _merge_values("x", ConstV(None), obj)
    assert merged.attrs is obj.attrs and merged.nullable and not not_none(merged)
    assert not_none(_merge_values("x", obj, _obj()))
    assert not not_none(_merge_values("x", Text("x"), obj))  # unknown: may be None
    lists = _merge_values("x", ListV((obj,)), ConstV(None))
    assert type(lists) is ListV and not not_none(lists)


def test_a_return_of_none_makes_the_object_returned_maybe_none():
    obj = _obj()
    assert not_none(_returned([obj]))
    assert not not_none(_returned([ConstV(None), obj]))
    assert maybe_none(maybe_none(obj)).nullable


def test_texts_of_one_token_merge_to_that_value_or_none():
    token = object()
    first, second = Text("instance.host"), Text("host")
    first.same = second.same = (token, False)
    assert _merge_values("host", first, second).same == (token, False)
    assert _merge_values("host", first, ConstV(None)).same == (token, True)
    other = Text("other")
    other.same = (object(), False)
    assert _merge_values("host", first, other).same is None


def _evaluate(text: str, names: dict):
    return conditions.evaluate(ast.parse(text, mode="eval").body,
                               lambda dotted: names.get(dotted, conditions.UNKNOWN))


def test_same_values_compare_equal_and_nothing_else_is_decided():
    token = object()
    names = {"a": conditions.Same(token), "b": conditions.Same(token),
             "c": conditions.Same(object()), "obj": conditions.SET}
    assert _evaluate("a != b", names) is False
    assert _evaluate("a == b", names) is True
    assert _evaluate("a is b", names) is True
    assert _evaluate("a == c", names) is conditions.UNKNOWN  # may still be equal
    assert _evaluate("not a", names) is conditions.UNKNOWN  # its truth is not known
    assert _evaluate("a and b", names) is conditions.UNKNOWN
    assert _evaluate("a in (b, c)", names) is conditions.UNKNOWN
    assert _evaluate("a == 'x'", names) is conditions.UNKNOWN
    assert _evaluate("obj is None", names) is False
    assert _evaluate("obj is not None", names) is True
    assert _evaluate("obj == 1", names) is conditions.UNKNOWN


def test_a_host_named_by_role_stays_apart_from_a_task_host_that_sent_to_itself():
    """Liberty's periodic power-state sync deletes a RESIZED instance (shutdown_terminate):
    terminate_instance goes to the task's own host (instance.host, after its guard), and
    confirm_resize to migration.source_compute, another host: that role is not merged into
    the task's participant as a lone role would be."""
    from tracer.model import CAST, Step
    from tracer.trace import _own_host_and_another

    def cast(target):
        return Step(CAST, "nova_compute", target, "m", "a.f", "a.py", 1)

    both = (cast("nova_compute"), cast("nova_compute_src"))
    assert _own_host_and_another(both, {"nova_compute"}, "nova_compute")
    assert not _own_host_and_another(both, set(), "nova_compute")
    assert not _own_host_and_another((cast("nova_compute"),), {"nova_compute"},
                                     "nova_compute")


def test_an_object_read_again_from_the_database_may_hold_other_values(tmp_path):
    """`instance.refresh()` between the alias and the test: the field may have changed."""
    flow = _pause_with(tmp_path, """host = instance.host
instance.refresh()
_claim(context, instance, host)
""", module_head=_CLAIM_UNLESS_SAME_HOST, files=_OBJECTS)
    assert _claims(flow) == ["Migration.get_by_id"]
