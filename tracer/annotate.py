"""Human annotations of a traced flow: read, check and apply `annotations/nova/<op>.yaml`.

Anchors are dotted paths of traced functions (`nova.compute.api.API.pause`), found in the
flow through its ENTER/LEAVE markers, so an annotation survives line moves and releases as
long as the function exists. What people can say:

    title: Pause a server
    notes:                      # a note over the participant running the function
      - at: nova.compute.api.API.pause
        text: Only an ACTIVE, unlocked server can be paused
        over: nova_api          # optional: another participant
    hide:                       # leave out a function's steps, or steps by their text
      - at: nova.compute.api.API.get
      - step: notify
    groups:                     # frame a function's steps under a label
      - at: nova.conductor.tasks.live_migrate.LiveMigrationTask._find_destination
        label: pick a destination
    rename:                     # what a participant's box says
      nova_compute_src: source host

An anchor or pattern that matches nothing is stale: reported, never an error. A file that
is not valid YAML, or not of this shape, is refused with its name and line; so is a `null`
(or `~`) where a text belongs, and a character that no picture can hold (XML forbids it).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

import yaml

from tracer import yamltext
from tracer.errors import OsflowError
from tracer.text import describe, forbidden_in_xml, line_at
from tracer.model import (
    ANNOTATION, DB, DB_RETURN, ENTER, LEAVE, NOTE, SERVICE, SERVICE_RETURN, Block, Branch,
    Flow, Node, Step,
)

MAX_BYTES = 256 * 1024  # an annotation file is prose, not data
_NULL = "tag:yaml.org,2002:null"


@dataclass(frozen=True)
class NoteSpec:
    at: str
    text: str
    over: str | None
    line: int


@dataclass(frozen=True)
class HideSpec:
    at: str | None  # a function's steps
    step: str | None  # or steps whose text contains this
    line: int


@dataclass(frozen=True)
class GroupSpec:
    at: str
    label: str
    line: int


@dataclass(frozen=True)
class RenameSpec:
    participant: str
    label: str
    line: int


@dataclass(frozen=True)
class Annotations:
    path: str  # as shown in messages
    title: str | None = None
    notes: tuple[NoteSpec, ...] = ()
    hide: tuple[HideSpec, ...] = ()
    groups: tuple[GroupSpec, ...] = ()
    rename: tuple[RenameSpec, ...] = ()


@dataclass(frozen=True)
class Stale:
    """An annotation that matches nothing in the flow it was applied to."""

    path: str
    line: int
    what: str  # e.g. "note at nova.compute.api.API.pause"
    # why it matches nothing, when the default would mislead
    why: str = "matches nothing in the flow"

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: stale {self.what}: {self.why}"


# ----------------------------------------------------------------------------- reading


def load(path: Path, display: str | None = None) -> Annotations:
    """Read and check one annotation file; OsflowError naming file and line if malformed
    (a link to /dev/zero or a named pipe is refused unread)."""
    shown = display or str(path)
    return parse(yamltext.read_text(path, shown, MAX_BYTES, "an annotation file"), shown)


def parse(text: str, shown: str) -> Annotations:
    # Lines are numbered from marks' character offsets, as an editor numbers them: YAML
    # also breaks lines at NEL, U+2028 and U+2029.
    try:
        yamltext.check_events(text, shown)
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.reader.ReaderError as exc:  # a character YAML does not allow, raw
        raise OsflowError(f"{shown}:{line_at(text, exc.position)}: character "
                          f"{describe(chr(exc.character))}, which YAML and SVG cannot hold; "
                          "remove it") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = line_at(text, mark.index) if mark is not None else 1
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise OsflowError(f"{shown}:{line}: not valid YAML: {problem}") from None
    if root is None:
        return Annotations(shown)
    reader = _Reader(shown, text)
    fields = reader.mapping(root, {"title", "notes", "hide", "groups", "rename"})
    title = reader.text(fields["title"], "title") if "title" in fields else None
    notes = tuple(
        NoteSpec(item["at"], item["text"], item.get("over"), line)
        for item, line in reader.items(fields.get("notes"), "notes", {"at", "text"},
                                       {"over"}))
    hide = []
    for item, line in reader.items(fields.get("hide"), "hide", set(), {"at", "step"}):
        if ("at" in item) == ("step" in item):
            raise OsflowError(f"{shown}:{line}: a hide entry takes exactly one of "
                              "'at' (a function) or 'step' (text of a step)")
        hide.append(HideSpec(item.get("at"), item.get("step"), line))
    groups = tuple(GroupSpec(item["at"], item["label"], line)
                   for item, line in reader.items(fields.get("groups"), "groups",
                                                  {"at", "label"}, set()))
    rename = ()
    if "rename" in fields:
        renames = reader.mapping(fields["rename"], None)
        rename = tuple(RenameSpec(key, reader.text(node, f"rename.{key}"), reader.line(node))
                       for key, node in renames.items())
    return Annotations(shown, title, notes, tuple(hide), groups, rename)


class _Reader:
    """Walks the YAML node tree so every complaint can name its line."""

    def __init__(self, shown: str, text: str) -> None:
        self.shown = shown
        self.source = text

    def line(self, node) -> int:
        return line_at(self.source, node.start_mark.index)

    def fail(self, node, message: str):
        raise OsflowError(f"{self.shown}:{self.line(node)}: {message}")

    def mapping(self, node, allowed: set[str] | None) -> dict:
        if not isinstance(node, yaml.MappingNode):
            self.fail(node, "expected a mapping (key: value)")
        out = {}
        for key, value in node.value:
            if not isinstance(key, yaml.ScalarNode):
                self.fail(key, "keys are plain words")
            if allowed is not None and key.value not in allowed:
                self.fail(key, f"unknown key {key.value!r}; expected one of "
                               f"{', '.join(sorted(allowed))}")
            if key.value in out:
                self.fail(key, f"{key.value!r} is given twice")
            out[key.value] = value
        return out

    def text(self, node, what: str) -> str:
        if isinstance(node, yaml.ScalarNode) and node.tag == _NULL and node.value:
            # `null`, `Null`, `NULL` or `~`: no value, which str() would make the word "null"
            self.fail(node, f"{what} is {node.value}, which YAML reads as no value; write the "
                            f"text, or quote it: \"{node.value}\"")
        if not isinstance(node, yaml.ScalarNode) or not str(node.value).strip():
            self.fail(node, f"{what} must be a non-empty text")
        bad = forbidden_in_xml(node.value)  # written as an escape, "\\uFFFE"
        if bad is not None:
            self.fail(node, f"{what} holds character {bad[1]}, which XML and so SVG cannot "
                            "hold; remove it")
        return str(node.value).strip()

    def items(self, node, what: str, required: set[str], optional: set[str]):
        if node is None:
            return []
        if not isinstance(node, yaml.SequenceNode):
            self.fail(node, f"{what} must be a list of entries (- at: ...)")
        out = []
        for item in node.value:
            fields = self.mapping(item, required | optional)
            missing = required - set(fields)
            if missing:
                self.fail(item, f"a {what} entry needs {', '.join(sorted(missing))}")
            values = {key: self.text(value, f"{what}.{key}") for key, value in fields.items()}
            out.append((values, self.line(item)))
        return out


# ----------------------------------------------------------------------------- applying


def apply(flow: Flow, notes: Annotations) -> tuple[Flow, list[Stale]]:
    """The flow with the annotations applied, and the ones that matched nothing."""
    stale: list[Stale] = []
    anchors = _anchors(flow.nodes)
    nodes = list(flow.nodes)
    for spec in notes.hide:
        if spec.at is not None:
            if spec.at not in anchors:
                stale.append(Stale(notes.path, spec.line, f"hide at {spec.at}"))
                continue
            nodes = _cut(nodes, spec.at)
        else:
            nodes, found = _drop_steps(nodes, spec.step)
            if not found:
                stale.append(Stale(notes.path, spec.line, f"hide step {spec.step!r}"))
    for spec in notes.groups:
        if spec.at not in anchors:
            stale.append(Stale(notes.path, spec.line, f"group at {spec.at}"))
            continue
        nodes = _group(nodes, spec.at, spec.label)
    for spec in notes.notes:
        if spec.at not in anchors:
            stale.append(Stale(notes.path, spec.line, f"note at {spec.at}"))
            continue
        if spec.over is not None and spec.over not in flow.participants:
            stale.append(Stale(notes.path, spec.line, f"note over {spec.over}",
                               "no such participant in the flow; it has "
                               + ", ".join(flow.participants)))
            continue
        nodes, _ = _insert_note(nodes, spec)
    labels = dict(flow.labels)
    participants = set(flow.participants)
    for spec in notes.rename:
        if spec.participant not in participants:
            stale.append(Stale(notes.path, spec.line, f"rename of {spec.participant}"))
            continue
        labels[spec.participant] = spec.label
    # the release stays in the title: a picture without it is easily taken for current
    title = f"{notes.title} (nova {flow.source})" if notes.title else flow.title
    return replace(flow, nodes=tuple(nodes), title=title,
                   labels=tuple(sorted(labels.items()))), stale


def _anchors(nodes) -> set[str]:
    found: set[str] = set()
    stack = list(nodes)
    while stack:
        node = stack.pop()
        if isinstance(node, Block):
            stack.extend(n for b in node.branches for n in b.nodes)
        elif node.kind == ENTER:
            found.add(node.anchor)
    return found


def _extent(nodes: list[Node], anchor: str) -> tuple[int, int] | None:
    """Indexes of the first ENTER of `anchor` in this list and of its LEAVE."""
    for start, node in enumerate(nodes):
        if isinstance(node, Step) and node.kind == ENTER and node.anchor == anchor:
            depth = 0
            for end in range(start, len(nodes)):
                other = nodes[end]
                if isinstance(other, Step) and other.anchor == anchor:
                    if other.kind == ENTER:
                        depth += 1
                    elif other.kind == LEAVE:
                        depth -= 1
                        if depth == 0:
                            return start, end
            return start, len(nodes) - 1
    return None


def _rewrite(nodes: list[Node], anchor: str, change) -> list[Node]:
    """Apply `change(region) -> replacement` to every extent of `anchor`, at any depth."""
    out: list[Node] = []
    rest = list(nodes)
    while rest:
        extent = _extent(rest, anchor)
        head = rest if extent is None else rest[:extent[0]]
        for node in head:
            if isinstance(node, Block):
                node = replace(node, branches=tuple(
                    replace(b, nodes=tuple(_rewrite(list(b.nodes), anchor, change)))
                    for b in node.branches))
            out.append(node)
        if extent is None:
            break
        out += change(rest[extent[0]:extent[1] + 1])
        rest = rest[extent[1] + 1:]
    return out


def _cut(nodes: list[Node], anchor: str) -> list[Node]:
    return _rewrite(nodes, anchor, lambda region: [])


def _group(nodes: list[Node], anchor: str, label: str) -> list[Node]:
    def frame(region: list[Node]) -> list[Node]:
        first = region[0]
        return [Block("group", (Branch(label, tuple(region)),), first.anchor, first.file,
                      first.line)]
    return _rewrite(nodes, anchor, frame)


# Steps a `hide: - step:` entry may remove, each with the reply drawn right after it.
_HIDEABLE = {NOTE: None, DB: DB_RETURN, SERVICE: SERVICE_RETURN}


def _drop_steps(nodes: list[Node], text: str) -> tuple[list[Node], bool]:
    out: list[Node] = []
    found = False
    skip_reply = None
    for node in nodes:
        if isinstance(node, Block):
            branches = []
            for branch in node.branches:
                kept, hit = _drop_steps(list(branch.nodes), text)
                found = found or hit
                branches.append(replace(branch, nodes=tuple(kept)))
            out.append(replace(node, branches=tuple(branches)))
            continue
        if skip_reply is not None and node.kind == skip_reply:
            skip_reply = None
            continue
        if node.kind in _HIDEABLE and text in node.text:
            found = True
            skip_reply = _HIDEABLE[node.kind]
            continue
        out.append(node)
    return out, found


def _insert_note(nodes: list[Node], spec: NoteSpec) -> tuple[list[Node], bool]:
    """After the first ENTER of the anchor, depth first."""
    for index, node in enumerate(nodes):
        if isinstance(node, Block):
            for position, branch in enumerate(node.branches):
                inner, done = _insert_note(list(branch.nodes), spec)
                if done:
                    branches = list(node.branches)
                    branches[position] = replace(branch, nodes=tuple(inner))
                    return nodes[:index] + [replace(node, branches=tuple(branches))] + \
                        nodes[index + 1:], True
        elif node.kind == ENTER and node.anchor == spec.at:
            note = Step(ANNOTATION, spec.over or node.source, None, spec.text, node.anchor,
                        node.file, node.line)
            return nodes[:index + 1] + [note] + nodes[index + 1:], True
    return nodes, False
