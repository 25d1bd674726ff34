"""Plain data passed between stages: index -> RPC model -> flow -> diagram."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field


@dataclass(frozen=True)
class RpcMethod:
    """One RPC method as a client sends it, and the manager method that serves it."""

    service: str  # binary of the receiving service, e.g. nova-compute
    method: str  # the name sent on the wire
    kinds: tuple[str, ...]  # subset of ("call", "cast"), sorted
    fanout: bool
    version: str | None  # the newest version the client sends it at
    client: str  # dotted path of the client method
    handler: str | None  # dotted path of the serving method, None when none is found
    file: str  # the client method's file, relative to the tree root
    line: int
    versions: tuple[str, ...] = ()  # every version the client may send (negotiation)
    namespace: str | None = None
    topic: str | None = None
    # When the kind is decided by an argument of the client method: its name, and the
    # kind sent when that argument is true (e.g. do_cast -> cast).
    kind_param: str | None = None
    kind_if_true: str | None = None
    kind_condition: str | None = None  # the source text of the deciding condition
    server: str | None = None  # source text of prepare(server=...): which host receives it
    timeout: str | None = None  # source text of prepare(timeout=...)
    handler_file: str | None = None
    handler_line: int | None = None
    handler_params: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()

    def to_json(self) -> dict:
        data = asdict(self)
        for key in ("kinds", "versions", "handler_params", "notes"):
            data[key] = list(data[key])
        return data


@dataclass(frozen=True)
class Service:
    """An RPC service: its binary, topic and the manager classes that serve it."""

    binary: str
    topic: str | None
    manager: str | None  # dotted path of the main manager class
    endpoints: tuple[str, ...] = ()  # every endpoint class, main manager first


@dataclass(frozen=True)
class RpcModel:
    """Everything `osflow rpc` knows about a tree."""

    source: str  # label of the tree
    methods: tuple[RpcMethod, ...]
    services: tuple[Service, ...]
    warnings: tuple[str, ...] = field(default_factory=tuple)


# ------------------------------------------------------------------------------- flows
#
# A Flow is one operation traced end to end: a tree of steps (messages between
# participants, notes) and blocks (opt/alt/loop around them). It is the model behind every
# output format: the .wsd draft, json, PlantUML and Mermaid are all drawn from it.

# Step kinds. Messages have a target; notes and markers do not.
REQUEST, RESPONSE = "request", "response"  # REST in and out
CALL, CAST, RETURN = "call", "cast", "return"  # RPC (and a call's reply)
DB, DB_RETURN = "db", "db-return"  # objects reaching the database
SERVICE, SERVICE_RETURN = "service", "service-return"  # glance, neutron, cinder, placement
DRIVER, DRIVER_RETURN = "driver", "driver-return"  # the virt driver
CALLBACK = "callback"  # the driver calling back into the manager
NOTE = "note"  # policy, state checks, notifications, helpers, what was not followed
ANNOTATION = "annotation"  # a note people wrote (annotations/nova/<op>.yaml)
ENTER = "enter"  # invisible: a traced function starts here (annotations anchor on it)
LEAVE = "leave"  # invisible: ... and ends here
START = "start"  # invisible: a cast's receiver begins its work (drawn after the sender)
DONE = "done"  # invisible: that work has finished

# How the tracer notes a module it could not parse: "nova/x.py:12: cannot parse (why); ...",
# or a folder the listing left out: "nova/x/:1: cannot parse (not read: ...); ...".
PARSE_GAP = re.compile(r"\S+(?:\.py|/):\d+: cannot parse \(")


@dataclass(frozen=True)
class Step:
    kind: str
    source: str  # the participant that acts
    target: str | None  # the receiving participant of a message
    text: str
    anchor: str  # dotted path of the traced function the step comes from
    file: str  # that function's file, relative to the tree root
    line: int  # the source line of the step
    fanout: bool = False
    rpc: str | None = None  # "service method" of an RPC message

    @property
    def qualname(self) -> str:
        """The function part of the anchor (API.pause), for provenance comments."""
        module = self.file[:-3].replace("/", ".").removesuffix(".__init__")
        return self.anchor[len(module) + 1:] if self.anchor.startswith(module + ".") \
            else self.anchor

    def to_json(self) -> dict:
        data = {"kind": self.kind, "source": self.source, "target": self.target,
                "text": self.text, "anchor": self.anchor, "file": self.file,
                "line": self.line}
        if self.fanout:
            data["fanout"] = True
        if self.rpc:
            data["rpc"] = self.rpc
        return data


@dataclass(frozen=True)
class Branch:
    label: str  # the condition, e.g. "if instance.host", or "else"
    nodes: tuple["Node", ...]
    # the whole condition, when the label is cut to fit a diagram (`... or not ...`):
    # what a script (or a check of which steps exclude each other) reads
    condition: str = ""

    def to_json(self) -> dict:
        data = {"label": self.label, "nodes": [n.to_json() for n in self.nodes]}
        if self.condition:
            data["condition"] = self.condition
        return data


@dataclass(frozen=True)
class Block:
    kind: str  # opt, alt, loop; group (from annotations)
    branches: tuple[Branch, ...]
    anchor: str
    file: str
    line: int

    def to_json(self) -> dict:
        return {"kind": self.kind, "anchor": self.anchor, "file": self.file,
                "line": self.line, "branches": [b.to_json() for b in self.branches]}


Node = Step | Block


@dataclass(frozen=True)
class Flow:
    """One operation, traced from its REST handler across every service it reaches."""

    operation: str  # canonical name, e.g. live-migrate
    source: str  # label of the tree
    title: str
    request: str  # e.g. "POST /servers/{server_id}/action (os-migrateLive)"
    participants: tuple[str, ...]  # in SPEC order
    nodes: tuple[Node, ...]
    notes: tuple[str, ...] = ()  # choices made (configuration) and limits met
    labels: tuple[tuple[str, str], ...] = ()  # participant -> what its box says, if renamed
    project: str = "nova"  # the project traced (its profile's name); the title says it too

    @property
    def gaps(self) -> tuple[str, ...]:
        """The notes about modules that could not be parsed ("path:line: cannot parse
        (why); ..."): the flow is complete except for their steps."""
        return tuple(note for note in self.notes if PARSE_GAP.match(note))

    def to_json(self) -> dict:
        data = {"operation": self.operation, "source": self.source, "title": self.title,
                "request": self.request, "participants": list(self.participants),
                "notes": list(self.notes), "nodes": [n.to_json() for n in self.nodes]}
        if self.labels:
            data["labels"] = dict(self.labels)
        return data


def iter_steps(nodes) -> "list[Step]":
    """Every step of a node tree, depth first, in order."""
    out: list[Step] = []
    stack = [iter(nodes)]
    while stack:
        node = next(stack[-1], None)
        if node is None:
            stack.pop()
        elif isinstance(node, Block):
            stack.append(iter([n for b in node.branches for n in b.nodes]))
        else:
            out.append(node)
    return out
