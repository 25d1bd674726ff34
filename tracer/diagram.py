"""Lay a Flow out as a sequence diagram (the wsd model), following SPEC's conventions.

Calls activate their receiver until the reply; a cast's receiver is activated where its
queued work begins and deactivated where it ends; consecutive notes of one function over
one participant merge into one box; every element carries its provenance, so the writer
prints `# nova/compute/api.py API.pause` where the source function changes.
"""

from __future__ import annotations

from tracer.model import (
    ANNOTATION, CALL, CALLBACK, CAST, DB, DB_RETURN, DONE, DRIVER, DRIVER_RETURN, NOTE, REQUEST,
    RESPONSE, RETURN, SERVICE, SERVICE_RETURN, START, Block, Flow, Node, Step,
)
from tracer.wsd.model import (
    Activation, ActivationAction, Branch, Comment, Diagram, Group, GroupKind, Head, Message,
    Note, Participant, Provenance,
)

_GROUPS = {"opt": GroupKind.OPT, "alt": GroupKind.ALT, "loop": GroupKind.LOOP,
           "group": GroupKind.GROUP}


def provenance(step: Step | Block) -> Provenance:
    if isinstance(step, Step):
        return Provenance(step.file, step.qualname, step.line)
    module = step.file[:-3].replace("/", ".").removesuffix(".__init__")
    return Provenance(step.file, step.anchor.removeprefix(module + "."), step.line)


def flow_to_diagram(flow: Flow) -> Diagram:
    header = [Comment(f"osflow draft: {flow.operation}, nova {flow.source}"),
              Comment(f"request: {flow.request}")]
    header += [Comment(f"note: {note}") for note in flow.notes]
    items = header + _items(flow.nodes)
    labels = dict(flow.labels)
    return Diagram(title=flow.title,
                   participants=[Participant(p, labels.get(p, p), explicit=True)
                                 for p in flow.participants],
                   items=items)


def _items(nodes, written: set[int] | None = None) -> list:
    written = set() if written is None else written
    out: list = []
    for node in nodes:
        if isinstance(node, Block):
            branches = [Branch(b.label, items=_closed(_items(b.nodes, written)))
                        for b in node.branches]
            out.append(Group(_GROUPS[node.kind], branches, provenance=provenance(node)))
            continue
        for item in _step(node):
            previous = out[-1] if out else None
            if node.kind == ANNOTATION:
                item.multiline = "\n" in item.text
                written.add(id(item))  # people's words keep a box of their own
            elif previous is not None and id(previous) not in written and \
                    _mergeable(previous, item):
                if item.text not in previous.text.split("\n"):
                    previous.text += "\n" + item.text
                # else: the same line twice in a row (legacy and versioned notification)
                continue
            out.append(item)
    return out


def _closed(items: list) -> list:
    """A branch's items with every activation it opened closed at its end: a call whose
    handler is drawn once after the branches (sent as a call on one arm, a cast on the
    other) leaves its bar open otherwise, and the bar runs to the footer."""
    opened: list[Activation] = []
    for item in items:
        if not isinstance(item, Activation):
            continue
        if item.action == ActivationAction.ACTIVATE:
            opened.append(item)
        elif item.action == ActivationAction.DEACTIVATE:
            match = [i for i, o in enumerate(opened) if o.participant == item.participant]
            if match:
                del opened[match[-1]]
    return items + [Activation(ActivationAction.DEACTIVATE, o.participant,
                               provenance=o.provenance) for o in reversed(opened)]


def _mergeable(previous, item) -> bool:
    """Consecutive notes of one function over one participant share a box."""
    return (isinstance(item, Note) and isinstance(previous, Note)
            and previous.participants == item.participants
            and previous.provenance is not None and item.provenance is not None
            and (previous.provenance.path, previous.provenance.function)
            == (item.provenance.path, item.provenance.function))


def _message(step: Step, source: str, target: str, text: str, *, dashed=False,
             head=Head.FILLED) -> Message:
    return Message(source, target, text, dashed=dashed, head=head,
                   provenance=provenance(step))


def _activation(action: ActivationAction, who: str, step: Step) -> Activation:
    return Activation(action, who, provenance=provenance(step))


def _rpc_label(step: Step) -> str:
    """An RPC's label: its method, and whether it goes to every host of the topic."""
    return step.text + (" (fanout)" if step.fanout else "")


def _step(step: Step) -> list:
    kind, src, dst = step.kind, step.source, step.target
    on, off = ActivationAction.ACTIVATE, ActivationAction.DEACTIVATE
    if kind == REQUEST:
        return [_message(step, src, dst, step.text), _activation(on, dst, step)]
    if kind == RESPONSE:
        return [_message(step, src, dst, step.text, dashed=True), _activation(off, src, step)]
    if kind == CALL:
        return [_message(step, src, dst, _rpc_label(step)), _activation(on, dst, step)]
    if kind == DRIVER:
        return [_message(step, src, dst, step.text), _activation(on, dst, step)]
    if kind in (RETURN, DRIVER_RETURN):
        return [_message(step, dst, src, step.text, dashed=True), _activation(off, dst, step)]
    if kind == CAST:
        return [_message(step, src, dst, _rpc_label(step), head=Head.OPEN)]
    if kind == START:
        return [_activation(on, src, step)]
    if kind == DONE:
        return [_activation(off, src, step)]
    if kind in (DB, SERVICE):
        return [_message(step, src, dst, step.text)]
    if kind in (DB_RETURN, SERVICE_RETURN):
        return [_message(step, dst, src, step.text, dashed=True)]
    if kind == CALLBACK:
        return [_message(step, src, dst, f"{step.text} (callback)")]
    if kind in (NOTE, ANNOTATION):
        return [Note((src,), step.text, provenance=provenance(step))]
    return []  # ENTER, LEAVE: anchors only


def flow_nodes_text(nodes: tuple[Node, ...]) -> str:
    """A one-line-per-step listing, for debugging and tests."""
    lines = []
    for node in nodes:
        if isinstance(node, Block):
            for branch in node.branches:
                lines.append(f"[{node.kind} {branch.label}]")
                lines += ["  " + line for line in flow_nodes_text(branch.nodes).splitlines()]
            lines.append("[end]")
        elif node.kind not in ("enter", "leave"):
            lines.append(f"{node.kind} {node.source}->{node.target}: {node.text}")
    return "\n".join(lines)


FORMATS = ("wsd", "json", "plantuml", "mermaid")


def flow_text(flow: Flow, fmt: str) -> str:
    """The flow in one of FORMATS, as text ending in a newline."""
    if fmt == "json":
        import json

        return json.dumps(flow.to_json(), indent=2, sort_keys=False) + "\n"
    diagram = flow_to_diagram(flow)
    if fmt == "plantuml":
        from tracer.wsd.plantuml import to_plantuml

        return to_plantuml(diagram)
    if fmt == "mermaid":
        from tracer.wsd.mermaid import to_mermaid

        return to_mermaid(diagram)
    from tracer.wsd.writer import to_wsd

    return to_wsd(diagram)
