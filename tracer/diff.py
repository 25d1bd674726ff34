"""What changed between two trees: their RPC APIs, method by method.

Methods are matched by identity, the receiving service and the name sent on the wire; a
method whose client or handler moved is the same method, changed. What is compared:

- kinds (call, cast, or both), fanout and the newest version the client sends;
- the handler: its dotted path (moved or gone) and its parameters (signature);
- the client method's path, when the wire name stayed but the client moved.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tracer.model import RpcMethod, RpcModel

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
