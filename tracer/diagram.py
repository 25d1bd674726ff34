"""Lay a Flow out as a sequence diagram (the wsd model), following SPEC's conventions.

Calls activate their receiver until the reply; a cast's receiver is activated where its
queued work begins and deactivated where it ends; consecutive notes of one function over
one participant merge into one box; every element carries its provenance, so the writer
prints `# nova/compute/api.py API.pause` where the source function changes.

Frames are kept for what needs one. An `opt` around a single exchange (one message and its
reply, or one note) is drawn as that exchange with a UML guard, `nova_api->glance: [kernel_id
is not None] get`, a loop around one as a UML iteration, `*[for bdm in bdms] save`, an `alt`
with one exchange on each branch as guarded arrows (`[uuid_like] get_by_uuid`, `[else if
int_like] get_by_id`), and an `opt` whose only content is another `opt` is one frame with
both conditions: the flow (json) keeps every block, the picture spends frames where they help.
"""

from __future__ import annotations

from dataclasses import replace

from tracer.model import (
    ANNOTATION, CALL, CALLBACK, CAST, DB, DB_RETURN, DONE, DRIVER, DRIVER_RETURN, NOTE, REQUEST,
    RESPONSE, RETURN, SERVICE, SERVICE_RETURN, START, Block, Flow, Node, Step,
)
from tracer.model import Branch as FlowBranch
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
    header = [Comment(f"osflow draft: {flow.operation}, {_project_source(flow)}"),
              Comment(f"request: {flow.request}")]
    header += [Comment(f"note: {note}") for note in flow.notes]
    guarded: Guards = {}
    nodes = _framed(flow.nodes, guarded)
    if guarded:
        header.append(Comment("guards: [condition] before a step: it happens only if the "
                              "condition holds; *[for x in xs]: once per item"))
    items = header + _items(nodes, set(guarded))
    labels = dict(flow.labels)
    return Diagram(title=flow.title,
                   participants=[Participant(p, labels.get(p, p), explicit=True)
                                 for p in flow.participants],
                   items=items)


def _items(nodes, written: set[int]) -> list:
    out: list = []
    for node in nodes:
        if isinstance(node, Block):
            branches = [Branch(b.label, items=_closed(_items(b.nodes, written)))
                        for b in node.branches]
            out.append(Group(_GROUPS[node.kind], branches, provenance=provenance(node)))
            continue
        for item in _step(node):
            previous = out[-1] if out else None
            if id(node) in written:
                # a guarded note keeps a box of its own: a guard in a shared box would seem
                # to govern the lines after it
                written.add(id(item))
            elif node.kind == ANNOTATION:
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


# Steps that draw nothing of their own (anchors; a cast's receiver activating is drawn,
# so START/DONE are not among them).
_SILENT = ("enter", "leave")
# A request and the reply that closes it, for an exchange drawn behind one guard.
_REPLIES = {CALL: RETURN, DRIVER: DRIVER_RETURN, DB: DB_RETURN, SERVICE: SERVICE_RETURN}
# One-way messages and notes that stand alone behind a guard.
_SINGLE = (CAST, DB, SERVICE, CALLBACK, NOTE)
# Past this length a guard is harder to read than the frame it replaces.
_GUARD_LIMIT = 70


def _condition(block: Block) -> str | None:
    """The condition of a one-branch `opt if ...`, or None for any other block."""
    if block.kind != "opt" or len(block.branches) != 1:
        return None
    label = block.branches[0].label
    return label[3:] if label.startswith("if ") else None


def _guard_part(block: Block) -> tuple[str, str] | None:
    """What a guard on the block's one exchange says: ("if", cond) for an `opt if`, ("for",
    label) for a loop (the UML iteration); None for a block that keeps its frame."""
    condition = _condition(block)
    if condition is not None:
        return "if", condition
    if block.kind == "loop" and len(block.branches) == 1:
        return "for", block.branches[0].label
    return None


def _guard_text(parts: list[tuple[str, str]]) -> str:
    """`[cond]` for a condition or an alt's branch, `*[for ...]` for a loop."""
    return " ".join(f"*[{text}]" if kind == "for" else f"[{text}]" for kind, text in parts)


def _shown(nodes) -> list[Node]:
    """The nodes that draw something (anchors left out)."""
    return [n for n in nodes if isinstance(n, Block) or n.kind not in _SILENT]


def _joined(condition: str) -> str:
    return f"({condition})" if " or " in condition else condition


def _both(outer: str, inner: str) -> str:
    if outer == inner:  # a guard clause's rest, then the same test again: said once
        return outer
    return f"{_joined(outer)} and {_joined(inner)}"


def _flattened(block: Block) -> Block:
    """`opt if A` holding only `opt if B` is `opt if A and B` (inner blocks are flattened
    first, by `_framed`), while the condition stays short enough to read."""
    outer = _condition(block)
    inner = _shown(block.branches[0].nodes) if outer is not None else []
    if len(inner) != 1 or not isinstance(inner[0], Block) or _condition(inner[0]) is None:
        return block
    condition = _both(outer, _condition(inner[0]))
    if len(condition) > _GUARD_LIMIT:
        return block
    return replace(block, branches=(FlowBranch("if " + condition,
                                               inner[0].branches[0].nodes),))


# A guarded step (kept, so that its id stays its own), its own text and its guards,
# outermost first, by the step's id.
Guards = dict[int, tuple[Step, str, list[tuple[str, str]]]]


def _framed(nodes, guarded: Guards) -> list[Node]:
    """The nodes with every block that needs no frame replaced by its guarded steps (inner
    blocks first, so a loop around a guarded step is guarded in turn); each guarded step
    is recorded in `guarded`."""
    out: list[Node] = []
    for node in nodes:
        if not isinstance(node, Block):
            out.append(node)
            continue
        node = _flattened(replace(node, branches=tuple(
            replace(b, nodes=tuple(_framed(b.nodes, guarded))) for b in node.branches)))
        found = _guarded(node, guarded) or _noted(node, guarded)
        if found is None:
            out.append(node)
        else:
            out += found
    return out


def _guarded(block: Block, guarded: Guards) -> list[Node] | None:
    """The block's steps with its guard on the first, when the block is an `opt` or a loop
    around one exchange, or an `alt` with one exchange on every branch (each behind its
    branch's guard: `[uuid_like]`, `[else if int_like]`); None when it needs its frame (or
    the guards grow too long)."""
    if block.kind == "alt" and len(block.branches) > 1:
        out: list[Node] = []
        for index, branch in enumerate(block.branches):
            found = _with_guard(branch.nodes, ("alt", _branch_guard(block, index)[1:-1]),
                                guarded)
            if found is None:
                return None
            out += found
        return out
    part = _guard_part(block)
    return None if part is None else _with_guard(block.branches[0].nodes, part, guarded)


def _with_guard(nodes: tuple[Node, ...], part: tuple[str, str],
                guarded: Guards) -> list[Node] | None:
    """`nodes` with `part` added to the guards of their first step, when they are one
    exchange (one message and its reply, notes over the receiver between; or one
    message or note); None otherwise."""
    body = _shown(nodes)
    if not body or any(isinstance(n, Block) for n in body):
        return None
    first, last = body[0], body[-1]
    single = len(body) == 1 and first.kind in _SINGLE and "\n" not in first.text
    exchange = (len(body) >= 2 and _REPLIES.get(first.kind) == last.kind
                and all(n.kind == NOTE and n.source == first.target for n in body[1:-1]))
    if not (single or exchange):
        return None
    _, text, parts = guarded.get(id(first), (first, first.text, []))
    if part[0] == "if" and parts and parts[0][0] == "if":
        parts = [("if", _both(part[1], parts[0][1]))] + parts[1:]  # [a] [b] is [a and b]
    else:
        parts = [part] + parts
    prefix = _guard_text(parts)
    if len(prefix) > _GUARD_LIMIT:
        return None
    out = list(nodes)
    at = out.index(first)
    out[at] = replace(first, text=f"{prefix} {text}")
    guarded[id(out[at])] = (out[at], text, parts)
    return out


def _branch_guard(block: Block, index: int) -> str:
    label = block.branches[index].label
    if block.kind == "loop":
        return f"*[{label}]"
    if not label.startswith("if "):
        return f"[{label or 'else'}]"
    return f"[{label[3:]}]" if index == 0 else f"[else {label}]"


def _noted(block: Block, guarded: Guards) -> list[Node] | None:
    """A block whose every branch only notes what one participant does in-process, as one
    note with each line behind its branch's guard (`[state == RUNNING] create domain`);
    None when the block draws anything else."""
    if block.kind not in _GROUPS or block.kind == "group":
        return None
    lines, first = [], None
    for index, branch in enumerate(block.branches):
        body = _shown(branch.nodes)
        guard = _branch_guard(block, index)
        if not body or len(guard) > _GUARD_LIMIT or any(
                isinstance(n, Block) or n.kind != NOTE for n in body):
            return None
        first = first or body[0]
        if any(n.source != first.source for n in body):
            return None
        lines.append(f"{guard} " + "; ".join(line for n in body for line in n.text.split("\n")))
    note = replace(first, text="\n".join(lines))
    guarded[id(note)] = (note, note.text, [])
    return [note]


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


def _project_source(flow) -> str:
    """`nova 34.0.0`; a source that names its project already (`cinder==29.0.0`) as it is."""
    if flow.source.startswith(f"{flow.project}=="):
        return flow.source
    return f"{flow.project} {flow.source}"
