"""Abstract values: copies of objects built once and handed to each flow."""

from __future__ import annotations

from tracer.index import ClassRef, FunctionRef, ir
from tracer.trace.values import ConstV, DictV, FuncV, Obj, Text, clone

MODULE = ir.Module(name="nova.compute.manager", path="nova/compute/manager.py", digest="x")
MANAGER = ClassRef(MODULE, ir.Class(name="ComputeManager", bases=(), decorators=(),
                                    methods={}, attrs={}, line=1, end_line=2))


def method(name: str) -> FunctionRef:
    function = ir.Function(name=name, qualname=f"ComputeManager.{name}", params=(), body=(),
                           decorators=(), line=1, end_line=2)
    return FunctionRef(MODULE, function, MANAGER.cls)


def test_a_copy_shares_no_object_and_keeps_cycles():
    manager = Obj(MANAGER, {}, None, None)
    driver = Obj(MANAGER, {"virtapi": manager, "flag": ConstV(True)}, "driver", "libvirt")
    callback = FuncV(method("_post_live_migration"), manager, "nova_compute")
    manager.attrs.update(driver=driver, handlers=DictV((("'vnc'", callback),)),
                         host=Text("CONF.host"))

    copy = clone(manager)

    assert copy is not manager and copy.attrs["driver"] is not driver
    assert copy.attrs["driver"].attrs["virtapi"] is copy  # the cycle, in the copy
    bound = copy.attrs["handlers"].items[0][1]
    assert bound is not callback and bound.self_value is copy and bound.fn is callback.fn
    assert copy.attrs["host"] is manager.attrs["host"]  # immutable: shared
    copy.attrs["driver"].attrs["flag"] = ConstV(False)
    assert driver.attrs["flag"] == ConstV(True)  # the original is untouched


def test_closures_are_copied_once_per_environment():
    manager = Obj(MANAGER, {}, None, None)
    env = {"self": manager}
    first = FuncV(method("do_a"), None, "nova_compute", closure=env)
    second = FuncV(method("do_b"), None, "nova_compute", closure=env)
    manager.attrs.update(a=first, b=second)

    copy = clone(manager)

    a, b = copy.attrs["a"], copy.attrs["b"]
    assert a.closure is b.closure and a.closure is not env
    assert a.closure["self"] is copy


def test_a_dict_merged_with_an_unknown_value_keeps_its_keys_not_its_plain_values():
    """nova 34.0.0 ComputeManager._swap_volume: `comp_ret = {'save_volume_id':
    new_volume_id}` in one arm, cinder's migrate_volume_completion answer in the other:
    the saved volume_id is the dict's, whichever it was, not new_volume_id."""
    from tracer.trace.engine import _merge_values

    handler = FuncV(method("do_a"))
    table = DictV((("'save_volume_id'", Text("new_volume_id")), ("'run'", handler)))
    for merged in (_merge_values("comp_ret", table, Text("comp_ret")),
                   _merge_values("comp_ret", ConstV(None), table)):
        items = dict(merged.items)
        assert items["'save_volume_id'"].text == "comp_ret['save_volume_id']"
        assert items["'run'"] is handler  # dispatch through the table still works
