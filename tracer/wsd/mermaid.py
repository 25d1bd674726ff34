"""Export a parsed diagram as Mermaid `sequenceDiagram` text (what GitHub renders).

Mermaid lacks a few constructs; the closest honest form is used: `state over` and `ref over`
become notes, a `group` becomes a shaded `rect` headed by a note with its label, a delay is
dropped, and `destroy` is kept as a comment because Mermaid only allows it right before a
message.
"""

from __future__ import annotations

from tracer.wsd.common import aliases, first_participant, group_items
from tracer.wsd.model import (
    CLOSE,
    ELSE,
    OPEN,
    Activation,
    ActivationAction,
    Autonumber,
    Branch,
    Comment,
    Diagram,
    Group,
    GroupKind,
    Head,
    Message,
    Note,
    NoteKind,
    Provenance,
    events,
)

INDENT = "    "
_ENTITIES = {ord("#"): "#35;", ord(";"): "#59;"}


def _text(text: str) -> str:
    """Label text: Mermaid treats `;` and `#` specially and breaks lines with `<br/>`."""
    text = text.replace("\r", "").translate(_ENTITIES)  # one pass: `#59;` must stay intact
    return "<br/>".join(line.strip() for line in text.split("\n"))


def arrow(msg: Message) -> str:
    """Mermaid arrows: `->>` call, `-)` async (open head), `-x` lost, `--` prefix for dashed."""
    dash = "--" if msg.dashed else "-"
    token = dash + {Head.FILLED: ">>", Head.OPEN: ")", Head.CROSS: "x"}[msg.head]
    if msg.bidirectional and msg.head is Head.FILLED:
        token = "<<" + token
    return token


def _message(msg: Message, ids: dict[str, str]) -> list[str]:
    lines = []
    marker = "+" if msg.activate_target else "-" if msg.deactivate_source else ""
    if msg.create_target:
        lines.append(f"create participant {ids[msg.target]}")
    lines.append(f"{ids[msg.source]}{arrow(msg)}{marker}{ids[msg.target]}: {_text(msg.text)}".rstrip())
    return lines


def _note(note: Note, ids: dict[str, str]) -> str:
    targets = ",".join(ids[p] for p in note.participants)
    text = _text(note.text)
    if note.kind is NoteKind.REF:
        text = f"ref: {text}"
    elif note.kind is NoteKind.STATE:
        text = f"[{text}]"
    return f"Note {note.position.value} {targets}: {text}"


def _open(group: Group, ids: dict[str, str], pad: str) -> list[str]:
    label = _text(group.label)
    if group.kind is GroupKind.GROUP:
        lines = [f"{pad}rect rgba(127, 127, 127, 0.1)"]
        anchor = first_participant(group_items(group))
        if label and anchor is not None:
            lines.append(f"{pad}{INDENT}Note over {ids[anchor]}: {label}")
        return lines
    return [f"{pad}{group.kind.value} {label}".rstrip()]


def to_mermaid(diagram: Diagram) -> str:
    """The diagram as Mermaid text, deterministic, ending in one newline."""
    ids = aliases(diagram)
    out = ["sequenceDiagram"]
    if diagram.title:
        # A title is one plain line in Mermaid: no `<br/>` there.
        out.append(f"{INDENT}title {_text(' '.join(diagram.title.split()))}")
    created = {
        obj.target for _k, obj, _d in events(diagram.items)
        if isinstance(obj, Message) and obj.create_target
    }
    for part in diagram.participants:
        if part.id in created:
            continue  # declared where the message creates it
        keyword = "actor" if part.kind == "actor" else "participant"
        label = _text(part.label)
        out.append(f"{INDENT}{keyword} {ids[part.id]}" +
                   (f" as {label}" if label != ids[part.id] else ""))
    stack: list[Group] = []
    last: Provenance | None = None
    for kind, obj, depth in events(diagram.items):
        pad = INDENT * (depth + 1)
        if kind == CLOSE:
            stack.pop()
            out.append(pad + "end")
            continue
        if kind == ELSE:
            assert isinstance(obj, Branch)
            word = "and" if stack[-1].kind is GroupKind.PAR else "else"
            out.append(f"{pad}{word} {_text(obj.label)}".rstrip())
            continue
        prov = getattr(obj, "provenance", None)
        if prov is not None and (last is None or prov.text() != last.text()):
            out.append(f"{pad}%% {prov.text()}")
            last = prov
        if kind == OPEN:
            assert isinstance(obj, Group)
            stack.append(obj)
            out += _open(obj, ids, pad)
        elif isinstance(obj, Message):
            out += [pad + line for line in _message(obj, ids)]
        elif isinstance(obj, Note):
            out.append(pad + _note(obj, ids))
        elif isinstance(obj, Activation):
            if obj.action is ActivationAction.DESTROY:
                out.append(f"{pad}%% destroy {ids[obj.participant]}")
            else:
                out.append(f"{pad}{obj.action.value} {ids[obj.participant]}")
        elif isinstance(obj, Autonumber):
            if obj.start is not None:
                out.append(pad + "autonumber")
        elif isinstance(obj, Comment):
            out.append(f"{pad}%% {obj.text}".rstrip())
    return "\n".join(out) + "\n"
