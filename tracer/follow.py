"""One flow drawn into another project: `osflow trace volume-attach --follow cinder==29.0.0`.

Nova's flow ends its arrow at `cinder: attachment_update`. Following it, that arrow becomes
the REST request Cinder serves (`PUT /attachments/{id}`, the operation Nova's profile names
for the client method: Profile.calls_into), and Cinder's own traced flow of it is drawn in
its place: cinder_api, its RPCs to cinder_volume, the volume driver, Cinder's database.
The caller takes the place of Cinder's `client`; Cinder's participants take the place of
the single `cinder` box. Participants of the other project whose names this flow already
uses for something else (`database`: Cinder's is not Nova's) get the project's name in
front. Only one level is followed: what Cinder asks of Nova in turn stays an arrow.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from tracer.errors import OsflowError
from tracer.model import (SERVICE, SERVICE_RETURN, Block, Flow, Node, Step,
                          iter_steps)

# Participants two projects share by name and by being the same thing.
SHARED = ("glance", "placement", "neutron", "keystone")


def follow_into(flow: Flow, calls_into, project: str,
                other: Callable[[str], Flow | None]) -> Flow:
    """`flow` with its arrows into `project` (by the flow's profile's `calls_into`) followed;
    `other(op)` traces an operation there (None: it has no such operation). An error when
    the flow's project never calls that one."""
    tables = [(participant, dict(table)) for participant, (into, table)
              in sorted(calls_into.items()) if into == project]
    if not tables:
        known = sorted({into for into, _ in calls_into.values()})
        raise OsflowError(f"--follow: this project's flows call no {project} operation "
                          f"osflow knows; it follows {', '.join(known) or 'none'}")
    for participant, table in tables:
        flow = follow(flow, participant, table, other, project)
    return flow


def follow(flow: Flow, participant: str, table: dict[str, str],
           other: Callable[[str], Flow | None], project: str) -> Flow:
    """`flow` with each arrow to `participant` whose method `table` maps to an operation of
    the other project replaced by that operation's flow (`other(op)`, traced there)."""
    followed: dict[str, Flow | None] = {}
    names: dict[str, str] = {}

    def renamed(name: str, caller: str) -> str:
        if name == "client":
            return caller
        if name not in names:
            clash = name in flow.participants and name not in SHARED
            names[name] = f"{project}_{name}" if clash else name
        return names[name]

    def inlined(call: Step, op: str) -> list[Node] | None:
        if op not in followed:
            followed[op] = other(op)
        if followed[op] is None:
            return None
        return [_moved(node, lambda n: renamed(n, call.source)) for node in
                followed[op].nodes]

    def walk(nodes) -> tuple[Node, ...]:
        out: list[Node] = []
        skip_reply = False
        for node in nodes:
            if isinstance(node, Block):
                out.append(replace(node, branches=tuple(
                    replace(b, nodes=walk(b.nodes)) for b in node.branches)))
                skip_reply = False
                continue
            drawn = inlined(node, table[node.text]) if node.kind == SERVICE and \
                node.target == participant and node.text in table else None
            if drawn is not None:
                out += drawn
                skip_reply = True
                continue
            if skip_reply and node.kind == SERVICE_RETURN and node.target == participant:
                skip_reply = False  # the other project's response stands for it
                continue
            skip_reply = False
            out.append(node)
        return tuple(out)

    nodes = walk(flow.nodes)
    followed = {op: f for op, f in followed.items() if f is not None}
    if not followed:
        return flow
    still = any(participant in (s.source, s.target) for s in iter_steps(nodes))
    order = []
    for name in flow.participants:
        if name != participant or still:  # an arrow no operation serves keeps its box
            order.append(name)
        if name != participant:
            continue
        for other_flow in followed.values():  # the other project's boxes where its one was
            order += [names[p] for p in other_flow.participants
                      if p in names and names[p] not in order and names[p] not in
                      flow.participants]
    notes = flow.notes + tuple(
        f"followed into {f.source}: {op} ({f.request})" for op, f in sorted(followed.items()))
    return replace(flow, nodes=nodes, participants=tuple(dict.fromkeys(order)), notes=notes,
                   title=f"{flow.title}, into {next(iter(followed.values())).source}")


def _moved(node: Node, rename: Callable[[str], str]) -> Node:
    """A node of the other flow with its participants renamed (its provenance stays the
    other project's own files)."""
    if isinstance(node, Block):
        return replace(node, branches=tuple(
            replace(b, nodes=tuple(_moved(n, rename) for n in b.nodes))
            for b in node.branches))
    return replace(node, source=rename(node.source),
                   target=rename(node.target) if node.target else node.target)
