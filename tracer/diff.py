"""What changed between two trees: their RPC APIs, method by method.

Methods are matched by identity, the receiving service and the name sent on the wire; a
method whose client or handler moved is the same method, changed. What is compared:

- kinds (call, cast, or both), fanout and the newest version the client sends;
- the handler: its dotted path (moved or gone) and its parameters (signature);
- the client method's path, when the wire name stayed but the client moved.
"""

from __future__ import annotations

import keyword
import re

from dataclasses import dataclass, field
from difflib import SequenceMatcher

from tracer.model import (
    CALL, CALLBACK, CAST, DB, DRIVER, SERVICE, Flow, RpcMethod, RpcModel, Step, iter_steps,
)
from tracer.trace import Options
from tracer.trace.patterns import is_db_write

# Compared fields, in the order changes are listed.
_FIELDS = (
    ("kinds", lambda m: list(m.kinds)),
    ("fanout", lambda m: m.fanout),
    ("version", lambda m: m.version),
    ("handler", lambda m: m.handler),
    ("signature", lambda m: list(m.handler_params)),
    ("client", lambda m: m.client),
)


@dataclass(frozen=True)
class Change:
    service: str
    method: str
    changes: dict  # field -> [old, new]

    def to_json(self) -> dict:
        return {"service": self.service, "method": self.method, "changes": self.changes}


@dataclass
class RpcDiff:
    old: str  # labels of the two trees
    new: str
    added: list[RpcMethod] = field(default_factory=list)
    removed: list[RpcMethod] = field(default_factory=list)
    changed: list[Change] = field(default_factory=list)

    def to_json(self) -> dict:
        def brief(method: RpcMethod) -> dict:
            return {"service": method.service, "method": method.method,
                    "kinds": list(method.kinds), "fanout": method.fanout,
                    "version": method.version, "client": method.client,
                    "handler": method.handler}

        return {"old": self.old, "new": self.new,
                "added": [brief(m) for m in self.added],
                "removed": [brief(m) for m in self.removed],
                "changed": [c.to_json() for c in self.changed]}


def _by_identity(model: RpcModel) -> dict[tuple[str, str], RpcMethod]:
    """(service, wire method) -> the method; two clients of one wire method (rare: old
    and new client classes side by side) keep the first in model order."""
    found: dict[tuple[str, str], RpcMethod] = {}
    for method in model.methods:
        found.setdefault((method.service, method.method), method)
    return found


def diff_rpc(old: RpcModel, new: RpcModel) -> RpcDiff:
    before, after = _by_identity(old), _by_identity(new)
    result = RpcDiff(old.source, new.source)
    for key in sorted(after.keys() - before.keys()):
        result.added.append(after[key])
    for key in sorted(before.keys() - after.keys()):
        result.removed.append(before[key])
    for key in sorted(before.keys() & after.keys()):
        changes = {}
        for name, read in _FIELDS:
            was, now = read(before[key]), read(after[key])
            if was != now:
                changes[name] = [was, now]
        if changes:
            result.changed.append(Change(key[0], key[1], changes))
    return result


# ----------------------------------------------------------------------------- flows
#
# Two flows of one operation are compared as sequences of the steps that cross a process
# (RPC messages, other services, the driver and its callbacks) and of the writes to the
# database, aligned by identity (who sends what to whom), never by line: a message that
# moved down the diagram is the same message. Notes and database reads are left out: they
# change with every refactoring and say nothing about how services talk.

_RPC = {CALL, CAST}
_COMPARED = _RPC | {SERVICE, DRIVER, CALLBACK, DB}


@dataclass(frozen=True)
class Message:
    """One compared step: its identity (kind aside for RPC) and what may change."""

    category: str  # rpc, service, driver, callback, db
    source: str
    target: str
    name: str  # RPC method, service call, driver method; for db: object.method
    kind: str  # call or cast for rpc; the step kind otherwise
    fields: str = ""  # for db writes: the fields set, as drawn
    # where it stands, not part of what it is: its index among the flow's compared steps
    # and the function that takes it
    at: int = field(default=-1, compare=False)
    anchor: str = field(default="", compare=False)

    @property
    def identity(self) -> tuple:
        return (self.category, self.source, self.target, self.name)

    def text(self) -> str:
        arrow = "->>" if self.kind == CAST else "->"
        detail = f" ({self.fields})" if self.fields else ""
        label = f"{self.kind} " if self.category == "rpc" else ""
        return f"{label}{self.source}{arrow}{self.target}: {self.name}{detail}"

    def to_json(self) -> dict:
        data = {"category": self.category, "kind": self.kind, "source": self.source,
                "target": self.target, "name": self.name}
        if self.fields:
            data["fields"] = self.fields
        return data


def messages(flow: Flow) -> list[Message]:
    out = []
    for step in iter_steps(flow.nodes):
        if step.kind not in _COMPARED:
            continue
        if step.kind == DB:
            name, _, fields = step.text.partition(" (")
            if not is_db_write(name):
                continue
            out.append(Message("db", step.source, step.target or "database", name, DB,
                               fields.removesuffix(")"), len(out), step.anchor))
            continue
        category = "rpc" if step.kind in _RPC else step.kind
        out.append(Message(category, step.source, step.target or "", step.text, step.kind,
                           at=len(out), anchor=step.anchor))
    return out


@dataclass
class FlowDiff:
    operation: str
    status: str  # changed, same, added (only in new), removed (only in old)
    added: list[Message] = field(default_factory=list)
    removed: list[Message] = field(default_factory=list)
    moved: list[Message] = field(default_factory=list)  # RPCs sent at another point
    # removed RPCs with the index, in the new flow's RPC sequence, they would stand at
    removed_at: list[tuple[int, Message]] = field(default_factory=list)
    kind_changed: list[tuple[Message, Message]] = field(default_factory=list)
    fields_changed: list[tuple[Message, Message]] = field(default_factory=list)
    renamed: list[tuple[Message, Message]] = field(default_factory=list)  # old, new
    participants_added: list[str] = field(default_factory=list)
    participants_removed: list[str] = field(default_factory=list)

    def to_json(self) -> dict:
        return {
            "operation": self.operation, "status": self.status,
            "added": [m.to_json() for m in self.added],
            "removed": [m.to_json() for m in self.removed],
            "moved": [m.to_json() for m in self.moved],
            "kind_changed": [{"old": a.to_json(), "new": b.to_json()}
                             for a, b in self.kind_changed],
            "fields_changed": [{"old": a.to_json(), "new": b.to_json()}
                               for a, b in self.fields_changed],
            "renamed": [{"old": a.to_json(), "new": b.to_json()} for a, b in self.renamed],
            "participants_added": self.participants_added,
            "participants_removed": self.participants_removed,
        }


def diff_flow(name: str, old: Flow | None, new: Flow | None) -> FlowDiff:
    """RPC messages are the backbone: aligned as a sequence (order matters, kind changes
    are reported). Calls to other services, the driver and database writes are compared
    as counts per identity: their order moves with every refactoring, their presence is
    what an upgrade changes."""
    if old is None or new is None:
        return FlowDiff(name, "added" if old is None else "removed")
    before, after = messages(old), messages(new)
    result = FlowDiff(name, "same")
    rpc_before = [m for m in before if m.category == "rpc"]
    rpc_after = [m for m in after if m.category == "rpc"]
    matcher = SequenceMatcher(None, [m.identity for m in rpc_before],
                              [m.identity for m in rpc_after], autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            result.kind_changed += [(a, b) for a, b in zip(rpc_before[i1:i2], rpc_after[j1:j2])
                                    if a.kind != b.kind]
            continue
        result.removed += rpc_before[i1:i2]
        result.added += rpc_after[j1:j2]
        # where a removed RPC would stand in the new sequence, for the visual diff
        result.removed_at += [(j1, m) for m in rpc_before[i1:i2]]
    # the same message on both sides, at another point of the sequence: moved
    for message in list(result.added):
        twin = next((m for m in result.removed if m.identity == message.identity), None)
        if twin is not None:
            result.removed.remove(twin)
            result.removed_at = [(i, m) for i, m in result.removed_at if m is not twin]
            result.added.remove(message)
            if twin.kind != message.kind:
                result.kind_changed.append((twin, message))
            else:
                result.moved.append(message)
    others_before = _variants(m for m in before if m.category != "rpc")
    others_after = _variants(m for m in after if m.category != "rpc")
    for key in sorted(others_before.keys() | others_after.keys()):
        was, now = others_before.get(key, {}), others_after.get(key, {})
        if was.keys() == now.keys():
            continue
        if len(was) == 1 and len(now) == 1:  # the one write now sets other fields
            gone, came = next(iter(was.values())), next(iter(now.values()))
            if not same_but_variables(gone.fields, came.fields):
                result.fields_changed.append((gone, came))
            continue
        # several writes of one object: each distinct set of fields is present or not
        result.removed += [m for fields, m in was.items() if fields not in now]
        result.added += [m for fields, m in now.items() if fields not in was]
    _pair_changes(result, before, after)
    result.participants_added = sorted(set(new.participants) - set(old.participants))
    result.participants_removed = sorted(set(old.participants) - set(new.participants))
    if (result.added or result.removed or result.moved or result.kind_changed
            or result.fields_changed or result.renamed or result.participants_added
            or result.participants_removed):
        result.status = "changed"
    return result


# Both releases are traced the same way, every database write kept whatever its depth:
# a helper that moved a level down must not make its writes look removed.
COMPARED_TRACE = Options(all_writes=True)

# How alike (difflib's ratio) the names of a removed and an added step at the same place
# must be for them to be one step renamed (supports_port_binding_extension and
# has_port_binding_extension: 0.84).
RENAME_RATIO = 0.6
# Names this alike are one step renamed wherever the two stand (steps around them may have
# moved): get_provider_tree_and_ensure_root, get_provider_subtree_and_ensure_root: 0.97.
CLOSE_RENAME_RATIO = 0.9


def _pair_changes(result: FlowDiff, before: list[Message], after: list[Message]) -> None:
    """Removed and added steps that are one step changed, of the same kind between the
    same participants. A write of the same object setting other fields is a fields change
    (paired with the most alike); a step at the same place (aligned, or between the same
    unchanged steps) with a similar name, a step anywhere with a very similar name, or the
    only such pair taken by one function, is a rename."""
    old_place, new_place = _places(before, after)
    pairs = []
    for gone in result.removed:
        for came in result.added:
            if (gone.category, gone.kind, gone.source, gone.target) != \
                    (came.category, came.kind, came.source, came.target):
                continue
            if gone.name == came.name:
                # one object's writes pair by the fields they set, wherever they stand
                likeness = 1 + SequenceMatcher(None, gone.fields, came.fields).ratio()
            else:
                likeness = SequenceMatcher(None, gone.name, came.name).ratio()
                if likeness < CLOSE_RENAME_RATIO and \
                        not old_place[gone.at] & new_place[came.at]:
                    continue
            pairs.append((likeness, gone, came))
    same_function = _sole_pairs([(gone, came) for _, gone, came in pairs
                                 if gone.anchor == came.anchor and gone.name != came.name])
    paired: set[int] = set()
    for likeness, gone, came in sorted(pairs, key=lambda p: (-p[0], p[1].at, p[2].at)):
        if id(gone) in paired or id(came) in paired:
            continue
        if likeness < RENAME_RATIO and (id(gone), id(came)) not in same_function:
            continue
        paired |= {id(gone), id(came)}
        result.removed = [m for m in result.removed if m is not gone]
        result.added = [m for m in result.added if m is not came]
        result.removed_at = [(i, m) for i, m in result.removed_at if m is not gone]
        if gone.name != came.name:
            result.renamed.append((gone, came))
        elif not same_but_variables(gone.fields, came.fields):
            result.fields_changed.append((gone, came))


_TOKEN = re.compile(r"[A-Za-z_]\w*|\S")


def same_but_variables(old: str, new: str) -> bool:
    """Whether two field lists differ only in the names of local variables, renamed
    consistently (`attachment_id=source_bdm.attachment_id` and
    `attachment_id=original_bdm.attachment_id`): the same write, not a change. Field
    names, attributes (after a dot), functions called and constants (`ACTIVE`, `None`)
    must stay as they were."""
    before, after = _TOKEN.findall(old), _TOKEN.findall(new)
    if len(before) != len(after):
        return False
    forward: dict[str, str] = {}
    backward: dict[str, str] = {}
    for index, (a, b) in enumerate(zip(before, after)):
        variable = _is_variable(before, index) and _is_variable(after, index)
        if a != b and not variable:
            return False
        if variable and (forward.setdefault(a, b) != b or backward.setdefault(b, a) != a):
            return False
    return True


def _is_variable(tokens: list[str], index: int) -> bool:
    token = tokens[index]
    after = tokens[index + 1] if index + 1 < len(tokens) else ""
    return token.isidentifier() and not keyword.iskeyword(token) and not token.isupper() \
        and (index == 0 or tokens[index - 1] != ".") and after not in ("=", "(")


def _places(before: list[Message], after: list[Message]) -> tuple[list[set], list[set]]:
    """Where each step stands, comparable across the two flows: the steps of both are
    aligned by identity; an aligned pair shares a place, and every step not aligned
    takes the place of the gap between two aligned ones."""
    matcher = SequenceMatcher(None, [m.identity for m in before],
                              [m.identity for m in after], autojunk=False)
    old_place: list[set] = [set() for _ in before]
    new_place: list[set] = [set() for _ in after]
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            for offset in range(i2 - i1):
                old_place[i1 + offset].add(("step", i1 + offset))
                new_place[j1 + offset].add(("step", i1 + offset))
            continue
        for index in range(i1, i2):
            old_place[index].add(("gap", i1))
        for index in range(j1, j2):
            new_place[index].add(("gap", i1))
    return old_place, new_place


def _sole_pairs(pairs: list[tuple[Message, Message]]) -> set[tuple[int, int]]:
    """The pairs (by the ids of their steps) whose two steps have no other partner."""
    count: dict[int, int] = {}
    for gone, came in pairs:
        count[id(gone)] = count.get(id(gone), 0) + 1
        count[id(came)] = count.get(id(came), 0) + 1
    return {(id(gone), id(came)) for gone, came in pairs
            if count[id(gone)] == 1 and count[id(came)] == 1}


def diff_operations(old, new, only: tuple[str, ...] = ()) -> list[FlowDiff]:
    """Every operation of either catalogue (or `only`), old workspace against new."""
    from tracer.catalogue import find_operation

    before = {op.name: op for op in old.catalogue().operations}
    after = {op.name: op for op in new.catalogue().operations}
    names = sorted(set(before) | set(after))
    if only:
        wanted = set()
        for name in only:
            for catalogue in (new.catalogue(), old.catalogue()):
                try:
                    wanted.add(find_operation(catalogue, name).name)
                    break
                except Exception:
                    continue
            else:
                find_operation(new.catalogue(), name)  # the error that names the closest
        names = sorted(wanted)
    return [diff_flow(name, old.flow(name, COMPARED_TRACE) if name in before else None,
                      new.flow(name, COMPARED_TRACE) if name in after else None)
            for name in names]


def _variants(found) -> dict[tuple, dict[str, Message]]:
    """Identity -> each distinct set of fields written (one entry for non-writes)."""
    out: dict[tuple, dict[str, Message]] = {}
    for message in found:
        out.setdefault(message.identity, {}).setdefault(message.fields, message)
    return out


# ----------------------------------------------------------------------------- history


@dataclass
class MethodHistory:
    service: str
    method: str
    kinds: dict[str, list[str]]  # release -> kinds, for the releases that have it
    introduced: str | None = None  # first release with it, when not the first compared
    removed: str | None = None  # first release without it after having it
    kind_changes: list[dict] = field(default_factory=list)  # release, old, new

    def to_json(self) -> dict:
        return {"service": self.service, "method": self.method, "kinds": self.kinds,
                "introduced": self.introduced, "removed": self.removed,
                "kind_changes": self.kind_changes}


def rpc_history(models: list[RpcModel]) -> list[MethodHistory]:
    """Every RPC method across releases given in order: when it came, went and changed."""
    labels = [m.source for m in models]
    tables = [_by_identity(m) for m in models]
    keys = sorted(set().union(*[t.keys() for t in tables]))
    out = []
    for key in keys:
        kinds = {label: list(table[key].kinds) for label, table in zip(labels, tables)
                 if key in table}
        entry = MethodHistory(key[0], key[1], kinds)
        present = [key in table for table in tables]
        first = present.index(True)
        if first > 0:
            entry.introduced = labels[first]
        gone = next((i for i in range(first, len(labels)) if not present[i]), None)
        if gone is not None:
            entry.removed = labels[gone]
        previous = None
        for label in labels:
            now = kinds.get(label)
            if now is not None and previous is not None and now != previous:
                entry.kind_changes.append({"release": label, "old": previous, "new": now})
            previous = now if now is not None else previous
        out.append(entry)
    return out


def load_rpc_models(specs: list[str], workers: int | None = None) -> list[RpcModel]:
    """The RPC model of each source, analysed in parallel (each cached once analysed)."""
    import os

    from tracer.runtime import helper_pool

    workers = min(workers or os.cpu_count() or 1, len(specs))
    if workers < 2:
        return [_rpc_model(spec) for spec in specs]
    with helper_pool(workers) as pool:
        return list(pool.map(_rpc_model, specs))


def _rpc_model(spec: str) -> RpcModel:
    from tracer.workspace import open_workspace

    return open_workspace(spec).rpc_model()



# ----------------------------------------------------------------------------- visual diff

STRIKE = "\u0336"  # a combining long stroke after each character: struck-through text


def struck(text: str) -> str:
    return "".join(ch + STRIKE for ch in text)


def marked_flow(new: Flow, result: FlowDiff, old_label: str) -> Flow:
    """The new flow, its added steps marked `+`, kind changes noted, and the removed ones
    drawn struck through: RPCs where they stood, the rest in a note at the end."""
    from dataclasses import replace as copy

    from tracer.model import NOTE, Block

    added = {m.identity for m in result.added}
    changed_kind = {b.identity: a.kind for a, b in result.kind_changed}
    renamed = {b.identity: a.name for a, b in result.renamed}
    removed_rpc: dict[int, list[Message]] = {}
    for position, message in result.removed_at:
        removed_rpc.setdefault(position, []).append(message)
    counter = {"rpc": 0}

    def ghost(message: Message, like: Step) -> Step:
        return Step(message.kind, message.source, message.target, struck(message.name),
                    like.anchor, like.file, like.line)

    def walk(nodes) -> list:
        out = []
        for node in nodes:
            if isinstance(node, Block):
                out.append(copy(node, branches=tuple(copy(b, nodes=tuple(walk(b.nodes)))
                                                     for b in node.branches)))
                continue
            identity = _identity_of(node)
            if node.kind in _RPC:
                out += [ghost(m, node) for m in removed_rpc.pop(counter["rpc"], [])]
                counter["rpc"] += 1
            if identity is not None and identity in added:
                node = copy(node, text="+ " + node.text)
                added.discard(identity)  # its first occurrence only
            elif identity in changed_kind and node.kind in _RPC:
                node = copy(node, text=f"{node.text} (was {changed_kind.pop(identity)})")
            elif identity in renamed:
                node = copy(node, text=f"~ {node.text} (was {renamed.pop(identity)})")
            out.append(node)
        return out

    nodes = walk(new.nodes)
    last = next((n for n in reversed(nodes) if isinstance(n, Step)), None)
    leftover = [m for ms in removed_rpc.values() for m in ms]
    gone = leftover + [m for m in result.removed if m.category != "rpc"]
    if gone and last is not None:
        lines = [f"removed since {old_label}:"] + [struck(m.text()) for m in gone]
        nodes.append(Step(NOTE, new.participants[1] if len(new.participants) > 1 else
                          new.participants[0], None, "\n".join(lines), last.anchor,
                          last.file, last.line))
    drawn = [m for _, m in result.removed_at]
    participants = list(new.participants) + [
        p for m in drawn for p in (m.source, m.target) if p not in new.participants]
    from tracer.trace import participant_order

    known = {"client", "database", "placement", "glance", "neutron", "cinder", "cyborg",
             "manila"}
    driver = next((p.split("_")[0] for p in new.participants
                   if not p.startswith("nova_") and p not in known), "libvirt")
    return copy(new, nodes=tuple(nodes),
                participants=participant_order(set(participants), driver),
                title=f"{new.title}: changes since {old_label}")


def _identity_of(step: Step) -> tuple | None:
    if step.kind not in _COMPARED:
        return None
    found = messages(Flow("", "", "", "", (), (step,)))
    return found[0].identity if found else None


def write_visual_diffs(folder, old_workspace, new_workspace, diffs: list[FlowDiff]) -> list:
    """DIR/<op>.wsd and DIR/<op>.svg for every operation that changed; the paths written."""
    from tracer.diagram import flow_to_diagram
    from tracer.files import write_atomic
    from tracer.render.svg import RenderOptions, render_svg
    from tracer.wsd.parser import parse_text
    from tracer.wsd.writer import to_wsd

    written = []
    for result in diffs:
        if result.status != "changed":
            continue
        flow = marked_flow(new_workspace.flow(result.operation, COMPARED_TRACE), result,
                           old_workspace.source.label)
        text = to_wsd(flow_to_diagram(flow))
        wsd = folder / f"{result.operation}.wsd"
        svg = render_svg(parse_text(text, str(wsd)),
                         RenderOptions(tag=new_workspace.source.tag))
        for path, data in ((wsd, text.encode("utf-8")), (wsd.with_suffix(".svg"),
                                                         svg.encode("utf-8"))):
            write_atomic(path, data)
            written.append(path)
    return written
