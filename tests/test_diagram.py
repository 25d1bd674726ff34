"""Flow -> diagram layout (tracer/diagram.py), on hand-built flows and a traced one."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from tracer.diagram import FORMATS, flow_text, flow_to_diagram
from tracer.model import Block, Branch, Flow, Step
from tracer.wsd.model import Activation, Group, Message, Note
from tracer.wsd.parser import parse_text


def step(kind, source, target, text, anchor="nova.compute.api.API.pause", line=10):
    return Step(kind, source, target, text, anchor, "nova/compute/api.py", line)


def flow(*nodes):
    names = ("client", "nova_api", "nova_compute", "database", "libvirt")
    return Flow("pause", "test", "pause (nova test)", "POST /x", names, tuple(nodes),
                notes=("virt driver: libvirt",))


PAUSE = flow(
    step("request", "client", "nova_api", "POST /servers/{id}/action (pause)"),
    step("note", "nova_api", None, "check instance lock"),
    step("note", "nova_api", None, "check state: vm_state in [ACTIVE]"),
    step("db", "nova_api", "database", "instance.save (task_state=PAUSING)"),
    step("db-return", "nova_api", "database", ""),
    step("cast", "nova_api", "nova_compute", "pause_instance"),
    step("response", "nova_api", "client", "202"),
    step("start", "nova_compute", None, "pause_instance",
         "nova.compute.manager.CM.pause_instance"),
    step("driver", "nova_compute", "libvirt", "pause", "nova.compute.manager.CM.pause_instance"),
    step("driver-return", "nova_compute", "libvirt", "", "nova.compute.manager.CM.pause_instance"),
    step("done", "nova_compute", None, "pause_instance", "nova.compute.manager.CM.pause_instance"),
)


def test_arrows_follow_the_spec_conventions():
    items = flow_to_diagram(PAUSE).items
    messages = [(m.source, m.target, m.text, m.dashed, m.head.value)
                for m in items if isinstance(m, Message)]
    assert messages == [
        ("client", "nova_api", "POST /servers/{id}/action (pause)", False, "filled"),
        ("nova_api", "database", "instance.save (task_state=PAUSING)", False, "filled"),
        ("database", "nova_api", "", True, "filled"),
        ("nova_api", "nova_compute", "pause_instance", False, "open"),  # cast: ->>
        ("nova_api", "client", "202", True, "filled"),
        ("nova_compute", "libvirt", "pause", False, "filled"),
        ("libvirt", "nova_compute", "", True, "filled"),
    ]


def test_activations_balance_per_participant():
    depth: dict[str, int] = {}
    for item in flow_to_diagram(PAUSE).items:
        if isinstance(item, Activation):
            change = 1 if item.action.value == "activate" else -1
            depth[item.participant] = depth.get(item.participant, 0) + change
            assert depth[item.participant] >= 0
    assert set(depth.values()) == {0}


def test_an_activation_opened_in_a_branch_is_closed_at_its_end():
    """34.0.0's volume-attach: the conductor's attach_volume is a call on one arm, a cast
    on the other, and its handler is drawn once after them: the call's bar is closed
    where its arm ends, not left to run to the footer."""
    either = Block("alt", (
        Branch("if do_cast", (step("cast", "nova_api", "nova_compute", "attach_volume"),)),
        Branch("", (step("call", "nova_api", "nova_compute", "attach_volume"),)),
    ), "nova.compute.api.API.attach", "nova/compute/api.py", 3)
    items = flow_to_diagram(flow(step("request", "client", "nova_api", "POST /x"), either,
                                 step("response", "nova_api", "client", "200"))).items
    group = next(item for item in items if isinstance(item, Group))
    called = [(i.action.value, i.participant) for i in group.branches[1].items
              if isinstance(i, Activation)]
    assert called == [("activate", "nova_compute"), ("deactivate", "nova_compute")]


def test_consecutive_notes_of_one_function_share_a_box():
    notes = [n for n in flow_to_diagram(PAUSE).items if isinstance(n, Note)]
    assert [n.text for n in notes] == ["check instance lock\ncheck state: vm_state in [ACTIVE]"]


def test_wsd_has_provenance_and_parses_back():
    text = flow_text(PAUSE, "wsd")
    assert "# nova/compute/api.py API.pause" in text
    assert "nova_api->>nova_compute: pause_instance" in text
    assert "# note: virt driver: libvirt" in text
    parsed = parse_text(text)
    assert [p.id for p in parsed.participants] == list(PAUSE.participants)


def test_blocks_become_groups_with_their_labels():
    soft = Branch("if reboot_type == 'SOFT'", (step("cast", "nova_api", "nova_compute", "soft"),
                                               step("note", "nova_api", None, "soft")))
    hard = Branch("", (step("cast", "nova_api", "nova_compute", "hard"),))
    nodes = (Block("alt", (soft, hard), "nova.compute.api.API.reboot", "nova/compute/api.py",
                   5),)
    group = [g for g in flow_to_diagram(flow(*nodes)).items if isinstance(g, Group)][0]
    assert group.kind.value == "alt"
    assert [b.label for b in group.branches] == ["if reboot_type == 'SOFT'", ""]
    text = flow_text(flow(*nodes), "wsd")
    assert "alt if reboot_type == 'SOFT'" in text and "\nelse\n" in text


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_is_deterministic(fmt):
    assert flow_text(PAUSE, fmt) == flow_text(PAUSE, fmt)


def test_json_is_the_flow_model():
    data = json.loads(flow_text(PAUSE, "json"))
    assert data["operation"] == "pause" and data["participants"][0] == "client"
    assert data["nodes"][5] == {"kind": "cast", "source": "nova_api", "target": "nova_compute",
                                "text": "pause_instance", "anchor": "nova.compute.api.API.pause",
                                "file": "nova/compute/api.py", "line": 10}


def test_plantuml_and_mermaid_keep_the_cast():
    assert "nova_api ->> nova_compute : pause_instance" in flow_text(PAUSE, "plantuml")
    assert "nova_api-)nova_compute: pause_instance" in flow_text(PAUSE, "mermaid")


def _opt(label, *nodes, kind="opt"):
    return Block(kind, (Branch(label, nodes),), "nova.compute.api.API.pause",
                 "nova/compute/api.py", 4)


def test_an_opt_around_one_exchange_is_a_guarded_message():
    """UML guards: a frame around one request and its reply (notes over the receiver
    between them) is drawn as the request with its condition, no frame."""
    text = flow_text(flow(_opt("if kernel_id is not None",
                               step("db", "nova_api", "database", "Flavor.get_by_name"),
                               step("db-return", "nova_api", "database", "")),
                          _opt("if node is None",
                               step("driver", "nova_api", "libvirt", "get_available_nodes"),
                               step("note", "libvirt", None, "get hostname"),
                               step("driver-return", "nova_api", "libvirt", ""))), "wsd")
    assert "nova_api->database: [kernel_id is not None] Flavor.get_by_name" in text
    assert "nova_api->libvirt: [node is None] get_available_nodes" in text
    assert "opt " not in text and "end" not in text


def test_a_loop_around_one_exchange_is_a_uml_iteration_and_guards_nest():
    inner = _opt("if bdm.is_volume", step("cast", "nova_api", "nova_compute", "attach"))
    text = flow_text(flow(_opt("for bdm in bdms", inner, kind="loop")), "wsd")
    assert "nova_api->>nova_compute: *[for bdm in bdms] [bdm.is_volume] attach" in text
    assert "loop" not in text


def test_guards_of_nested_opts_are_one_and_stop_at_their_length_limit():
    inner = step("cast", "nova_api", "nova_compute", "m")
    for name in ("c2", "c1", "c0"):
        inner = _opt(f"if {name}", inner)
    assert "nova_api->>nova_compute: [c0 and c1 and c2] m" in flow_text(flow(inner), "wsd")
    deep = step("cast", "nova_api", "nova_compute", "m")
    for i in reversed(range(40)):
        deep = _opt(f"if cond{i}", deep)
    text = flow_text(flow(deep), "wsd")
    guard = text.split("nova_api->>nova_compute: ")[1].split("] m")[0]
    assert len(guard) <= 70 and "opt if cond0 and" in text


def test_frames_stay_around_more_than_one_exchange():
    text = flow_text(flow(_opt("if x", step("cast", "nova_api", "nova_compute", "a"),
                               step("cast", "nova_api", "nova_compute", "b"))), "wsd")
    assert "opt if x" in text and "[x]" not in text


def test_an_opt_holding_only_an_opt_is_one_frame_with_both_conditions():
    both = _opt("if a or b", _opt("if c", step("cast", "nova_api", "nova_compute", "m"),
                                   step("cast", "nova_api", "nova_compute", "n")))
    text = flow_text(flow(both), "wsd")
    assert "opt if (a or b) and c" in text and text.count("opt ") == 1


def test_a_block_of_notes_over_one_participant_is_one_note_with_guards():
    branches = (Branch("if state == RUNNING", (step("note", "libvirt", None, "create domain"),
                                              step("note", "libvirt", None, "resume"))),
                Branch("", (step("note", "libvirt", None, "nothing"),)))
    block = Block("alt", branches, "nova.virt.libvirt.driver.LibvirtDriver.snapshot",
                  "nova/virt/libvirt/driver.py", 9)
    notes = [n for n in flow_to_diagram(flow(block)).items if isinstance(n, Note)]
    assert [n.text for n in notes] == [
        "[state == RUNNING] create domain; resume\n[else] nothing"]


def test_a_guarded_note_keeps_its_own_box():
    notes = [n.text for n in flow_to_diagram(flow(
        _opt("if x", step("note", "nova_api", None, "policy: a")),
        step("note", "nova_api", None, "check lock"))).items if isinstance(n, Note)]
    assert notes == ["[x] policy: a", "check lock"]


def test_a_guard_past_its_length_limit_keeps_the_frame():
    text = flow_text(flow(_opt("if " + "x" * 80, step("cast", "nova_api", "nova_compute",
                                                       "m"))), "wsd")
    assert "opt if xxx" in text


def test_an_alt_with_one_exchange_on_every_branch_is_guarded_arrows():
    """Liberty's API.get: a uuid looks the instance up by uuid, an int by id."""
    branches = (Branch("if uuid_like", (step("db", "nova_api", "database", "get_by_uuid"),
                                        step("db-return", "nova_api", "database", ""))),
                Branch("if int_like", (step("db", "nova_api", "database", "get_by_id"),
                                       step("db-return", "nova_api", "database", ""))))
    block = Block("alt", branches, "nova.compute.api.API.get", "nova/compute/api.py", 3)
    text = flow_text(flow(block), "wsd")
    assert "nova_api->database: [uuid_like] get_by_uuid" in text
    assert "nova_api->database: [else if int_like] get_by_id" in text
    assert "alt " not in text
    mixed = (branches[0], Branch("", (step("cast", "nova_api", "nova_compute", "a"),
                                      step("cast", "nova_api", "nova_compute", "b"))))
    assert "alt if uuid_like" in flow_text(flow(replace(block, branches=mixed)), "wsd")
