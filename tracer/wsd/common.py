"""Helpers shared by the PlantUML and Mermaid exporters."""

from __future__ import annotations

import re

from tracer.wsd.model import Diagram, Element, Group, Message, Note, Activation, events, ITEM

_SAFE_ID = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


def aliases(diagram: Diagram) -> dict[str, str]:
    """A target-safe identifier per participant id: the id itself when it is one.

    Others (spaces, quotes, hyphens) get `p1`, `p2`, ... in participant order, skipping any
    that a real participant already uses, so the mapping is deterministic and collision free.
    """
    taken = {p.id for p in diagram.participants if _SAFE_ID.match(p.id)}
    out: dict[str, str] = {}
    counter = 0
    for part in diagram.participants:
        if part.id in taken:
            out[part.id] = part.id
            continue
        counter += 1
        while f"p{counter}" in taken:
            counter += 1
        out[part.id] = f"p{counter}"
        taken.add(out[part.id])
    return out


def first_participant(items: list[Element]) -> str | None:
    """The first participant any step inside `items` touches (for labelling a block)."""
    for kind, obj, _depth in events(items):
        if kind != ITEM:
            continue
        if isinstance(obj, Message):
            return obj.source
        if isinstance(obj, Note):
            return obj.participants[0]
        if isinstance(obj, Activation):
            return obj.participant
    return None


def group_items(group: Group) -> list[Element]:
    """All elements of every branch of a group, in order."""
    return [item for branch in group.branches for item in branch.items]
