"""One project's flow followed into another's (tracer/follow.py), on hand-built flows."""

from __future__ import annotations

import pytest

from tracer.errors import OsflowError
from tracer.follow import follow_into
from tracer.model import Block, Branch, Flow, Step, iter_steps


def step(kind, source, target, text, anchor="nova.compute.manager.CM.attach", line=1):
    return Step(kind, source, target, text, anchor, "nova/compute/manager.py", line)


NOVA = Flow("volume-attach", "34.0.0", "volume-attach (nova 34.0.0)", "POST /x",
            ("client", "nova_api", "nova_compute", "database", "cinder", "libvirt"), (
                step("request", "client", "nova_api", "POST /x"),
                step("service", "nova_api", "cinder", "get"),
                step("service-return", "nova_api", "cinder", ""),
                Block("opt", (Branch("if new_style", (
                    step("service", "nova_compute", "cinder", "attachment_update"),
                    step("service-return", "nova_compute", "cinder", ""),
                    step("service", "nova_compute", "cinder", "frobnicate"),
                    step("service-return", "nova_compute", "cinder", ""))),),
                    "nova.compute.manager.CM.attach", "nova/compute/manager.py", 2),
                step("db", "nova_compute", "database", "bdm.save"),
            ))


def cinder_flow(op):
    request = {"show": "GET /volumes/{id}", "attachment-update": "PUT /attachments/{id}"}
    if op not in request:
        return None
    return Flow(op, "cinder==29.0.0", op, request[op],
                ("client", "cinder_api", "cinder_volume", "database", "lvm"), (
                    Step("request", "client", "cinder_api", request[op], "cinder.api.x",
                         "cinder/api/x.py", 1),
                    Step("call", "cinder_api", "cinder_volume", op, "cinder.volume.api.x",
                         "cinder/volume/api.py", 2),
                    Step("db", "cinder_volume", "database", "volume.save", "cinder.v.m",
                         "cinder/volume/manager.py", 3),
                    Step("return", "cinder_api", "cinder_volume", "", "cinder.volume.api.x",
                         "cinder/volume/api.py", 2),
                    Step("response", "cinder_api", "client", "200", "cinder.api.x",
                         "cinder/api/x.py", 1)))


CALLS = {"cinder": ("cinder", {"get": "show", "attachment_update": "attachment-update",
                               "frobnicate": "no-such-operation"})}


def test_arrows_into_the_other_project_become_its_flows_from_the_caller():
    flow = follow_into(NOVA, CALLS, "cinder", cinder_flow)
    arrows = [(s.kind, s.source, s.target, s.text) for s in iter_steps(flow.nodes)]
    assert ("request", "nova_api", "cinder_api", "GET /volumes/{id}") in arrows
    assert ("request", "nova_compute", "cinder_api", "PUT /attachments/{id}") in arrows
    assert ("response", "cinder_api", "nova_compute", "200") in arrows
    # Cinder's database is not Nova's: its box says whose it is
    assert ("db", "cinder_volume", "cinder_database", "volume.save") in arrows
    assert ("db", "nova_compute", "database", "bdm.save") in arrows
    # an arrow with no operation on the other side stays, with its reply
    assert ("service", "nova_compute", "cinder", "frobnicate") in arrows
    assert ("service-return", "nova_compute", "cinder", "") in arrows
    assert sum(1 for a in arrows if a[0] == "service-return") == 1  # followed ones dropped
    # followed inside the frame it was drawn in
    block = next(n for n in flow.nodes if isinstance(n, Block))
    assert any(s.text == "PUT /attachments/{id}" for s in iter_steps(block.branches[0].nodes))
    # Cinder's boxes where its one was (kept: `frobnicate` still goes there)
    assert flow.participants == ("client", "nova_api", "nova_compute", "database", "cinder",
                                 "cinder_api", "cinder_volume", "cinder_database", "libvirt")
    assert flow.title.endswith(", into cinder==29.0.0")
    assert "followed into cinder==29.0.0: attachment-update (PUT /attachments/{id})" in \
        flow.notes


def test_a_project_this_one_never_calls_cannot_be_followed():
    with pytest.raises(OsflowError, match="call no manila operation osflow knows; it "
                                          "follows cinder"):
        follow_into(NOVA, CALLS, "manila", cinder_flow)


def test_nothing_to_follow_leaves_the_flow_as_it_was():
    plain = Flow("pause", "34.0.0", "pause", "POST /x", ("client", "nova_api"),
                 (step("request", "client", "nova_api", "POST /x"),))
    assert follow_into(plain, CALLS, "cinder", cinder_flow) is plain
