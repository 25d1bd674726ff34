"""The matcher of the fidelity suite on a small hand-made flow (no Nova tree needed)."""

from __future__ import annotations

from tracer.model import Block, Branch, Flow, Step

from tests.fidelity.expect import (Inside, absent, apart, appears, before, check, exclusive, rx,
                                   step)


def _s(kind, source, target, text, anchor="nova.compute.api.API.op"):
    return Step(kind, source, target, text, anchor, "nova/compute/api.py", 1)


GUARD = Block("alt", (
    Branch("if not instance.host", (_s("db", "nova_api", "database", "instance.destroy"),)),
    Branch("", (_s("call", "nova_api", "nova_compute_src", "confirm_resize"),)),
), "nova.compute.api.API._delete", "nova/compute/api.py", 10)

FLOW = Flow("delete", "test", "t", "DELETE /servers/{id}", (), (
    _s("enter", "nova_api", None, ""),
    _s("db", "nova_api", "database", "instance.save (task_state=DELETING, progress=0)"),
    GUARD,
    Block("loop", (Branch("for bdm in bdms", (
        _s("cast", "nova_api", "nova_compute", "terminate_instance"),)),),
        "nova.compute.api.API.op", "nova/compute/api.py", 20),
))


def test_appears_matches_kind_participants_text_and_field():
    save = dict(op="delete", release="test", kind="db", source="nova_api", target="database",
                text=rx(r"instance\.save"), cite="c")
    assert check(FLOW, appears(field="task_state=DELETING", **save)) is None
    assert check(FLOW, appears(field="progress", **save)) is None
    assert "not drawn" in check(FLOW, appears(field="task_state=SOFT_DELETING", **save))
    assert "not drawn" in check(FLOW, appears(field="vm_state", **save))
    # an exact text is compared whole; a regular expression is searched
    assert check(FLOW, appears("delete", "test", "cast", "nova_api", "nova_compute",
                               "terminate", cite="c")) is not None


def test_inside_and_outside():
    cast = ("delete", "test", "cast", "nova_api", "nova_compute", "terminate_instance")
    assert check(FLOW, appears(*cast, inside=Inside(kind="loop"), cite="c")) is None
    assert check(FLOW, absent(*cast, inside=Inside(kind="loop"), cite="c")) is not None
    assert check(FLOW, absent(*cast, outside=Inside(kind="loop"), cite="c")) is None
    assert check(FLOW, absent(*cast, outside=Inside(anchor="API._delete"), cite="c")) \
        is not None
    # invisible markers never match "any step"
    assert check(FLOW, absent("delete", "test", None, None, None, None,
                              inside=Inside(label="for bdm"), cite="c")) is not None
    assert check(FLOW, absent("delete", "test", None, None, None, "", cite="c")) is None


def test_before_exclusive_apart():
    save = step("db", "nova_api", "database", rx(r"instance\.save"))
    destroy = step("db", "nova_api", "database", "instance.destroy")
    confirm = step("call", "nova_api", None, "confirm_resize")
    terminate = step("cast", "nova_api", None, "terminate_instance")
    assert check(FLOW, before("delete", "test", save, terminate, cite="c")) is None
    assert "order wrong" in check(FLOW, before("delete", "test", terminate, save, cite="c"))
    assert check(FLOW, exclusive("delete", "test", destroy, confirm, cite="c")) is None
    assert "one path" in check(FLOW, exclusive("delete", "test", save, confirm, cite="c"))
    assert check(FLOW, apart("delete", "test", confirm, terminate, cite="c")) is None
    assert "both go to" in check(FLOW, apart("delete", "test", terminate, terminate,
                                             cite="c"))
    missing = step("cast", "nova_api", None, "soft_delete_instance")
    assert "not drawn" in check(FLOW, before("delete", "test", missing, save, cite="c"))


def test_before_holds_on_each_path_that_takes_both():
    """34.0.0's volume attach: the legacy arm attaches without attachment_update; on the
    arm that calls it, attachment_update comes first. The order is a path's, not the
    page's."""
    attach = _s("driver", "nova_compute", "libvirt", "attach_volume")
    flow = Flow("volume-attach", "test", "t", "POST", (), (Block("alt", (
        Branch("if not self['attachment_id']", (attach,)),
        Branch("", (_s("service", "nova_compute", "cinder", "attachment_update"), attach)),
    ), "a", "f", 1),))
    update = step("service", "nova_compute", "cinder", "attachment_update")
    driver = step("driver", "nova_compute", "libvirt", "attach_volume")
    assert check(flow, before("volume-attach", "test", update, driver, cite="c")) is None
    assert "order wrong" in check(flow, before("volume-attach", "test", driver, update,
                                               cite="c"))
    alone = Flow("volume-attach", "test", "t", "POST", (), (Block("alt", (
        Branch("if a", (_s("service", "nova_compute", "cinder", "attachment_update"),)),
        Branch("", (attach,)),
    ), "a", "f", 1),))
    assert "never on one path" in check(alone, before("volume-attach", "test", update, driver,
                                                      cite="c"))


def test_exclusive_reads_the_whole_conditions_of_a_partial_return():
    """34.0.0's API._delete: `if not host: ...; if cell and instance: destroy; return`, then
    the rest, drawn under `if host or not (cell and instance)` with its label cut short.
    The whole condition (Branch.condition) shows the rest never follows the destroy."""
    destroy = _s("db", "nova_api", "database", "instance.destroy")
    confirm = _s("call", "nova_api", "nova_compute_src", "confirm_resize")
    first = Block("opt", (Branch("if not instance.host", (Block("opt", (
        Branch("if cell and instance", (destroy,)),), "a", "f", 2),)),), "a", "f", 1)

    def flow(label, condition):
        rest = Block("opt", (Branch(label, (confirm,), condition),), "a", "f", 3)
        return Flow("delete", "test", "t", "DELETE", (), (first, rest))

    pats = (step("db", "nova_api", "database", "instance.destroy"),
            step("call", "nova_api", None, "confirm_resize"))
    whole = "instance.host or not (cell and instance)"
    assert check(flow("if instance.host or not ...", whole),
                 exclusive("delete", "test", *pats, cite="c")) is None
    # cut with nothing kept, or a condition that can hold with the destroy: one path
    assert "one path" in check(flow("if instance.host or not ...", ""),
                               exclusive("delete", "test", *pats, cite="c"))
    assert "one path" in check(flow("if instance.host or cell", ""),
                               exclusive("delete", "test", *pats, cite="c"))
    # `is not` is the negation of `is`
    assert check(flow("if instance.host is not None", ""), exclusive(
        "delete", "test", *pats, cite="c")) is not None
    negated = Flow("delete", "test", "t", "DELETE", (), (
        Block("opt", (Branch("if x is None", (destroy,)),), "a", "f", 1),
        Block("opt", (Branch("if x is not None", (confirm,)),), "a", "f", 2)))
    assert check(negated, exclusive("delete", "test", *pats, cite="c")) is None
