"""Plain data passed between stages: index -> RPC model -> flow -> diagram."""

from __future__ import annotations

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
