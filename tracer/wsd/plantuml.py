"""Export a parsed diagram as PlantUML sequence-diagram text (`@startuml` ... `@enduml`)."""

from __future__ import annotations

from tracer.wsd.common import aliases
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
    Head,
    Message,
    Note,
    NoteKind,
    Provenance,
    events,
)

INDENT = "  "


def _text(text: str) -> str:
    """One-line label: newlines as PlantUML's `\\n`."""
    return text.replace("\r", "").replace("\n", "\\n")


def _quoted(label: str) -> str:
    return '"' + _text(label).replace('"', "'") + '"'


def arrow(msg: Message) -> str:
    """PlantUML arrow: `->`, `->>` (open head), `-->` dashed, `->x` lost, `<->` both ends."""
    body = "--" if msg.dashed else "-"
    token = body + {Head.FILLED: ">", Head.OPEN: ">>", Head.CROSS: ">x"}[msg.head]
    if msg.bidirectional:
        token = "<" + token
    # A delay (`->(N)`) is dropped: slanted arrows are missing from older PlantUML releases
    # such as Debian's, and the order of steps says the same thing.
    return token


def _message(msg: Message, ids: dict[str, str]) -> str:
    line = f"{ids[msg.source]} {arrow(msg)} {ids[msg.target]}"
    if msg.activate_target:
        line += " ++"
    elif msg.deactivate_source:
        line += " --"
    elif msg.create_target:
        line += " **"
    return f"{line} : {_text(msg.text)}" if msg.text else line


def _note(note: Note, ids: dict[str, str]) -> list[str]:
    targets = ", ".join(ids[p] for p in note.participants)
    keyword = {NoteKind.NOTE: "note", NoteKind.STATE: "hnote", NoteKind.REF: "ref"}[note.kind]
    where = "over" if note.kind is NoteKind.REF else note.position.value
    if "\n" in note.text and note.kind is not NoteKind.REF:
        return [f"{keyword} {where} {targets}", *note.text.split("\n"), f"end {keyword}"]
    return [f"{keyword} {where} {targets} : {_text(note.text)}"]


# PlantUML cuts a PNG at 4096 pixels a side unless told otherwise: most drafts are taller.
LIMIT_NOTE = ("' a PNG over 4096 px is cut by PlantUML: run it with PLANTUML_LIMIT_SIZE=16384 "
              "in the environment (or java -DPLANTUML_LIMIT_SIZE=16384), or make an SVG")


def to_plantuml(diagram: Diagram) -> str:
    """The diagram as PlantUML text, deterministic, ending in one newline."""
    ids = aliases(diagram)
    out = ["@startuml", LIMIT_NOTE]
    if diagram.title:
        out.append(f"title {_text(diagram.title)}")
    for part in diagram.participants:
        keyword = "actor" if part.kind == "actor" else "participant"
        out.append(f"{keyword} {_quoted(part.label)} as {ids[part.id]}")
    last: Provenance | None = None
    # PlantUML refuses `deactivate X` then `activate X` with no message between (ERROR
    # 111): one cast handler ending where the next one starts. A hidden message between
    # them is the one separator it accepts (a delay `...` or a spacer is refused too).
    ended: set[str] = set()
    for kind, obj, depth in events(diagram.items):
        if isinstance(obj, (Message, Note)):
            ended.clear()
        elif isinstance(obj, Activation):
            if obj.action == ActivationAction.ACTIVATE and obj.participant in ended:
                who = ids[obj.participant]
                out.append(f"{INDENT * depth}{who} -[hidden]> {who}")
                ended.clear()
            elif obj.action == ActivationAction.DEACTIVATE:
                ended.add(obj.participant)
        pad = INDENT * depth
        if kind == CLOSE:
            out.append(pad + "end")
            continue
        if kind == ELSE:
            assert isinstance(obj, Branch)
            out.append(f"{pad}else {_text(obj.label)}".rstrip())
            continue
        prov = getattr(obj, "provenance", None)
        if prov is not None and (last is None or prov.text() != last.text()):
            out.append(f"{pad}' {prov.text()}")
            last = prov
        if kind == OPEN:
            assert isinstance(obj, Group)
            out.append(f"{pad}{obj.kind.value} {_text(obj.label)}".rstrip())
        elif isinstance(obj, Message):
            out.append(pad + _message(obj, ids))
        elif isinstance(obj, Note):
            out += [pad + line for line in _note(obj, ids)]
        elif isinstance(obj, Activation):
            out.append(f"{pad}{obj.action.value} {ids[obj.participant]}")
        elif isinstance(obj, Autonumber):
            out.append(pad + ("autonumber stop" if obj.start is None else f"autonumber {obj.start}"))
        elif isinstance(obj, Comment):
            out.append(f"{pad}' {obj.text}".rstrip())
    out.append("@enduml")
    return "\n".join(out) + "\n"
