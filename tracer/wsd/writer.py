"""Write a Diagram back to .wsd text, deterministically.

The tracer emits its drafts through this, so the same model always gives the same bytes:
participants are declared up front in model order, nesting is indented four spaces, and a
provenance comment is written only where the provenance changes.
"""

from __future__ import annotations

import re

from tracer.text import xml_safe
from tracer.wsd.model import (
    Activation,
    Autonumber,
    Comment,
    Diagram,
    Element,
    Group,
    Head,
    Message,
    Note,
    Provenance,
    events,
    ELSE,
    CLOSE,
    ITEM,
    Branch,
)

INDENT = "    "
# A bare name must not contain what the parser splits on.
_NEEDS_QUOTES = re.compile(r"[\s:,\"]|->|-x|<-|^[+*-]")


def escape(text: str) -> str:
    """Line breaks in labels become the dialect's `\\n`."""
    return text.replace("\r", "").replace("\n", "\\n")


def name(pid: str) -> str:
    """A participant name as it can appear in a statement."""
    if _NEEDS_QUOTES.search(pid):
        return '"' + pid.replace('"', "'") + '"'
    return pid


def arrow(msg: Message) -> str:
    """The arrow token for a message's line style, head and direction."""
    dash = "--" if msg.dashed else "-"
    if msg.head is Head.CROSS:
        token = dash + "x"
    elif msg.head is Head.OPEN:
        token = dash + ">>"
    else:
        token = dash + ">"
    if msg.bidirectional:
        token = "<" + token
    if msg.delay is not None:
        token += f"({msg.delay})"
    if msg.activate_target:
        token += "+"
    elif msg.deactivate_source:
        token += "-"
    elif msg.create_target:
        token += "*"
    return token


def _message(msg: Message) -> str:
    line = f"{name(msg.source)}{arrow(msg)}{name(msg.target)}"
    return f"{line}: {escape(msg.text)}" if msg.text else line


def _note(note: Note) -> list[str]:
    where = note.position.value
    targets = ",".join(name(p) for p in note.participants)
    header = f"{note.kind.value} {where} {targets}"
    if note.multiline:
        return [header, *note.text.split("\n"), f"end {note.kind.value}"]
    return [f"{header}: {escape(note.text)}"]


def _element_lines(item: Element) -> list[str]:
    if isinstance(item, Message):
        return [_message(item)]
    if isinstance(item, Note):
        return _note(item)
    if isinstance(item, Activation):
        return [f"{item.action.value} {name(item.participant)}"]
    if isinstance(item, Autonumber):
        return ["autonumber off" if item.start is None else
                "autonumber" if item.start == 1 else f"autonumber {item.start}"]
    if isinstance(item, Comment):
        return [f"# {item.text}" if item.text else "#"]
    raise TypeError(f"not a diagram element: {item!r}")


def _same(a: Provenance | None, b: Provenance | None) -> bool:
    """Provenance equality ignoring the comment's own line number."""
    if a is None or b is None:
        return a is b
    return (a.path, a.function) == (b.path, b.function)


def to_wsd(diagram: Diagram) -> str:
    """The diagram as .wsd text ending in one newline."""
    out: list[str] = []
    if diagram.title:
        out += [f"title {escape(diagram.title)}", ""]
    for part in diagram.participants:
        if part.label != part.id:
            out.append(f'{part.kind} "{escape(part.label).replace(chr(34), chr(39))}" as {name(part.id)}')
        else:
            out.append(f"{part.kind} {name(part.id)}")
    if diagram.participants:
        out.append("")
    last: Provenance | None = None
    for kind, obj, depth in events(diagram.items):
        pad = INDENT * depth
        if kind == CLOSE:
            out.append(pad + "end")
            continue
        if kind == ELSE:
            assert isinstance(obj, Branch)
            out.append(f"{pad}else {escape(obj.label)}".rstrip())
            continue
        provenance = getattr(obj, "provenance", None)
        if provenance is not None and not _same(provenance, last):
            if depth == 0 and out and out[-1]:
                out.append("")
            out.append(f"{pad}# {provenance.text()}")
            last = provenance
        if isinstance(obj, Group):
            out.append(f"{pad}{obj.kind.value} {escape(obj.label)}".rstrip())
            continue
        assert kind == ITEM
        out += [pad + line if line else line for line in _element_lines(obj)]  # type: ignore[arg-type]
    # what XML cannot hold the parser refuses (and UTF-8 cannot encode a lone surrogate):
    # written as U+FFFD, as the SVG draws it
    return xml_safe("\n".join(out) + "\n")
