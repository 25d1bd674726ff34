"""Conditions as labels: negated without double negation, cut between tokens, evaluated
only from what is known; when a statement ends its function."""

from __future__ import annotations

import pytest

from tracer.index import ir
from tracer.trace import conditions


@pytest.mark.parametrize("condition, negated", [
    ("not flavor_id", "flavor_id"),
    ("not (not flavor_id)", "not flavor_id"),
    ("not instance.host and not shelved", "instance.host or shelved"),
    ("instance.vm_state == vm_states.RESIZED", "instance.vm_state != vm_states.RESIZED"),
    ("x is None", "x is not None"),
    ("reboot_type == 'SOFT' and ok", "not (reboot_type == 'SOFT' and ok)"),
    ("bad syntax (", "not (bad syntax ()"),
])
def test_negation_reads_as_plain_python(condition, negated):
    assert conditions.negated_text(condition) == negated


def test_a_condition_loses_its_line_continuations_and_redundant_negations():
    assert conditions.plain("requested_networks and \\\n not requested_networks.no_allocate") \
        == "requested_networks and not requested_networks.no_allocate"
    assert conditions.plain("not (not flavor_id)") == "flavor_id"


@pytest.mark.parametrize("text", [
    "self._delete_while_booting(context, instance) and something_long == 'abc def ghi'",
    "instance.vm_state in (vm_states.SHELVED, vm_states.SHELVED_OFFLOADED) and x",
])
def test_a_long_label_is_cut_between_tokens(text):
    cut = conditions.clip(text, 50)
    assert len(cut) <= 50 and cut.endswith(" ...")
    kept = cut.removesuffix(" ...")
    assert text.startswith(kept)
    assert text[len(kept)] in " ,([)]"  # the next character starts another token
    assert kept.count("'") % 2 == 0


@pytest.mark.parametrize("condition, names, value", [
    ("CONF.volume_usage_poll_interval <= 0", {"CONF.volume_usage_poll_interval": 0}, True),
    ("not CONF.notify_on_state_change", {"CONF.notify_on_state_change": None}, True),
    ("a or b", {"a": conditions.UNKNOWN, "b": True}, True),
    ("a and b", {"a": conditions.UNKNOWN, "b": True}, conditions.UNKNOWN),
    ("x in ('a', 'b')", {"x": "b"}, True),
    ("x <= 0", {"x": None}, conditions.UNKNOWN),  # not comparable: decided at run time
    ("f(x)", {"x": 1}, conditions.UNKNOWN),  # nothing is called
])
def test_a_condition_is_decided_only_by_known_values(condition, names, value):
    parsed = conditions.parse(condition)
    assert conditions.evaluate(parsed, lambda dotted: names.get(dotted, conditions.UNKNOWN)) \
        == value


def _if(test: str, body: tuple, orelse: tuple = ()) -> ir.If:
    return ir.If(ir.Other(test), test, body, orelse, 1)


RETURN = ir.Return(None, 1)
WORK = ir.ExprStmt(ir.Call(ir.Name("work"), (), (), 1), 1)


@pytest.mark.parametrize("stmt, when", [
    (WORK, None),
    (RETURN, conditions.ALWAYS),
    (_if("soft", (_if("ok", (RETURN,)),)), "soft and ok"),
    (_if("a", (RETURN,), (RETURN,)), conditions.ALWAYS),
    (_if("a", (WORK,), (RETURN,)), "not a"),
    (ir.Try((_if("b", (RETURN,)),), (), (), (), 1), "b"),
    (_if("a", (_if("b", (RETURN,)), _if("c", (RETURN,)))), "a and (b or c)"),
])
def test_when_a_statement_ends_its_function(stmt, when):
    found = conditions.exits_when(stmt, {})
    if found is conditions.ALWAYS or found is None:
        assert found == when
    else:
        assert conditions.text(conditions.expression(found)) == when


def test_an_arms_equality_settles_a_membership_test_of_the_arms_before():
    """34.0.0 _query_driver_power_state_and_sync: `if vm_state in (BUILDING, RESCUED,
    ...): pass` then `elif vm_state == ACTIVE:`: drawn as `vm_state == ACTIVE`, the
    membership test it settles gone (three arms read alike before)."""
    from tracer.trace import conditions

    expr = conditions.parse("vm_state not in (vm_states.BUILDING, vm_states.RESCUED) "
                            "and vm_state == vm_states.ACTIVE")
    assert conditions.text(conditions.settled(expr)) == "vm_state == vm_states.ACTIVE"
    kept = conditions.parse("vm_state not in (vm_states.ACTIVE, vm_states.RESCUED) "
                            "and vm_state == vm_states.ACTIVE")
    # contradictory: nothing is settled away (the arm is drawn as the code says)
    assert "not in" in conditions.text(conditions.settled(kept), conditions.UNCUT)
