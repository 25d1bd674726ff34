"""Review findings on the RPC call graph: the shapes that hurt in production.

- nested-call: a call made while serving a call (the caller's thread blocks on a chain of
  services; API -> conductor -> compute -> compute in live migration), with its depth;
- call-cycle: synchronous calls that can come back to a service already waiting (deadlock
  risk when the RPC worker pool is exhausted);
- cast-blocks: a cast whose handler blocks on a call (fire and forget, but not cheap);
- no-handler: a client method whose message no handler serves;
- unsent: a handler no traced REST operation or handler sends to (periodic tasks, other
  tools or older clients may, so this is a question, not a verdict);
- long-timeout: a call on a chain sent with a raised timeout (`CONF.long_rpc_timeout`).

Each finding has a rule, a severity, a source location and the path that shows it. A path
from a REST operation is one that operation takes: the graph is per handler, whatever it
is sent, so given the operations' own sends (graph.operation_sends of their flows, traced
with their callers' constants bound) the findings that start from an operation follow
those, and a cold migrate is not said to reach the live-migration checks.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import networkx as nx

from tracer.errors import OsflowError
from tracer.model import RpcModel

SEVERITIES = ("info", "warning", "error")


@dataclass(frozen=True)
class Finding:
    rule: str
    severity: str
    where: str  # the node the finding is about (rpc:service:method or api:op)
    message: str
    path: tuple[str, ...] = ()
    file: str = ""
    line: int = 0

    def to_json(self) -> dict:
        return {"rule": self.rule, "severity": self.severity, "where": self.where,
                "message": self.message, "path": list(self.path), "file": self.file,
                "line": self.line}


# REST operation node -> what its flow sends: (sender node, target node, kind)
OperationSends = dict[str, tuple[tuple[str, str, str], ...]]


def _calls(graph: nx.MultiDiGraph, node: str):
    for _, target, data in graph.out_edges(node, data=True):
        if data.get("kind") == "call":
            yield target, data


class _Sends:
    """Who calls whom, as seen from where a path starts: inside an operation whose flow is
    known, what that flow sends; elsewhere, the graph's edges (any argument)."""

    def __init__(self, graph: nx.MultiDiGraph, operations: OperationSends | None) -> None:
        self.graph = graph
        self.operations = operations or {}

    def calls(self, start: str, node: str) -> list[str]:
        sends = self.operations.get(start)
        if sends is None:
            return sorted({target for target, _ in _calls(self.graph, node)})
        return sorted({target for sender, target, kind in sends
                       if sender == node and kind == "call"})


def check(graph: nx.MultiDiGraph, rpc: RpcModel,
          operations: OperationSends | None = None) -> list[Finding]:
    """Findings on `graph`; with `operations` (graph.operation_sends of each operation's
    flow), paths from a REST operation follow what it really sends."""
    sends = _Sends(graph, operations)
    findings: list[Finding] = []
    findings += _nested_calls(graph, sends)
    findings += _call_cycles(graph)
    findings += _casts_that_block(graph, sends)
    findings += _no_handler(rpc)
    findings += _unsent(graph)
    findings += _long_timeouts(graph, rpc)
    return sorted(findings, key=lambda f: (-SEVERITIES.index(f.severity), f.rule, f.where,
                                           f.path))


def _nested_calls(graph, sends: _Sends) -> list[Finding]:
    """Maximal chains of calls starting from a REST operation: depth >= 2 is nested."""
    out = []
    for start in sorted(n for n, d in graph.nodes(data=True) if d.get("kind") == "api"):
        for chain in _chains(sends, start, (start,)):
            depth = len(chain) - 1
            if depth < 2:
                continue
            last = graph.nodes[chain[-1]]
            out.append(Finding(
                "nested-call", "warning" if depth >= 3 else "info", chain[-1],
                f"{depth} synchronous calls deep from {start}: each caller blocks until "
                f"{last.get('label', chain[-1])} returns", tuple(chain),
                last.get("file", ""), last.get("line", 0)))
    return out


def _chains(sends: _Sends, node: str, path: tuple[str, ...]):
    nexts = [target for target in sends.calls(path[0], node) if target not in path]
    if not nexts:
        yield path
        return
    for target in nexts:
        yield from _chains(sends, target, path + (target,))


def _call_cycles(graph) -> list[Finding]:
    calls = nx.DiGraph()
    for source, target, data in graph.edges(data=True):
        if data.get("kind") == "call" and source.startswith("rpc:"):
            calls.add_edge(source, target)
    out = []
    for cycle in sorted(nx.simple_cycles(calls)):
        where = min(cycle)
        rotated = tuple(cycle[cycle.index(where):] + cycle[:cycle.index(where)] + [where])
        node = graph.nodes[where]
        out.append(Finding("call-cycle", "error", where,
                           "synchronous calls form a cycle: a service can wait on itself",
                           rotated, node.get("file", ""), node.get("line", 0)))
    return out


def _casts_that_block(graph, sends: _Sends) -> list[Finding]:
    out = []
    for source, target, data in sorted(graph.edges(data=True), key=lambda e: e[:2]):
        if data.get("kind") != "cast" or not target.startswith("rpc:"):
            continue
        if source in sends.operations and not any(
                (sender, node, kind) == (source, target, "cast")
                for sender, node, kind in sends.operations[source]):
            continue  # the graph's edge is another argument's (do_cast=True elsewhere)
        blocking = sends.calls(source, target)
        if blocking:
            node = graph.nodes[target]
            out.append(Finding("cast-blocks", "info", target,
                               f"cast, but its handler calls {', '.join(b.split(':')[-1] for b in blocking)}",
                               (source, target, blocking[0]), node.get("file", ""),
                               node.get("line", 0)))
    return _unique(out)


def _no_handler(rpc: RpcModel) -> list[Finding]:
    return [Finding("no-handler", "warning", f"rpc:{m.service}:{m.method}",
                    f"{m.client} sends {m.method!r} but no handler of {m.service} serves it",
                    (), m.file, m.line)
            for m in rpc.methods if m.handler is None and not m.service.endswith("-*")]


def _unsent(graph) -> list[Finding]:
    out = []
    for node, data in sorted(graph.nodes(data=True)):
        service = data.get("service") or ""
        if data.get("kind") != "rpc" or service.endswith("-*"):  # every service's (ping)
            continue
        senders = [s for s, _, d in graph.in_edges(node, data=True) if d.get("kind") != "serves"]
        if not senders:
            out.append(Finding("unsent", "info", node,
                               "no traced REST operation, periodic task or handler "
                               f"sends it ({service.split('-')[0]}-manage or other services "
                               "may)", (),
                               data.get("file", ""), data.get("line", 0)))
    return out


def _long_timeouts(graph, rpc: RpcModel) -> list[Finding]:
    timeouts = {f"rpc:{m.service}:{m.method}": m.timeout for m in rpc.methods if m.timeout}
    out = []
    for source, target, data in sorted(graph.edges(data=True), key=lambda e: e[:2]):
        if data.get("kind") == "call" and target in timeouts:
            out.append(Finding("long-timeout", "info", target,
                               f"called with timeout {timeouts[target]}",
                               (source, target), data.get("file", ""), data.get("line", 0)))
    return _unique(out)


def _unique(findings: list[Finding]) -> list[Finding]:
    seen, out = set(), []
    for finding in findings:
        key = (finding.rule, finding.where)
        if key not in seen:
            seen.add(key)
            out.append(finding)
    return out


@dataclass(frozen=True)
class Report:
    """What `osflow check` shows of its findings."""

    shown: list[Finding]  # at or above the severity asked for, not accepted
    below: int  # findings left out for their severity
    accepted: int  # findings left out as accepted
    unused: list[tuple[str, str]]  # accepted findings no longer found: (rule, where)


def report_of(found: list[Finding], severity: str,
              accepted: set[tuple[str, str]]) -> Report:
    floor = SEVERITIES.index(severity)
    open_ = [f for f in found if (f.rule, f.where) not in accepted]
    shown = [f for f in open_ if SEVERITIES.index(f.severity) >= floor]
    return Report(shown, len(open_) - len(shown), len(found) - len(open_),
                  sorted(accepted - {(f.rule, f.where) for f in found}))


# ----------------------------------------------------------------------------- suppressions


# Every rule a finding may have, as `--suppress` files name them.
RULES = ("call-cycle", "cast-blocks", "long-timeout", "nested-call", "no-handler", "unsent")

# A list of accepted findings: a few hundred lines at the most.
MAX_SUPPRESSIONS_BYTES = 1024 * 1024


def load_suppressions(path: Path) -> set[tuple[str, str]]:
    """A YAML list of accepted findings: `- rule: nested-call` / `  where: rpc:...`."""
    import yaml

    from tracer import yamltext

    text = yamltext.read_text(path, str(path), MAX_SUPPRESSIONS_BYTES,
                              "a file of accepted findings")
    try:
        yamltext.check_events(text, str(path))
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 1
        raise OsflowError(f"{path}:{line}: not valid YAML") from None
    if data is None:
        return set()
    if not isinstance(data, list) or not all(
            isinstance(item, dict) and set(item) == {"rule", "where"} for item in data):
        raise OsflowError(f"{path}: expected a list of entries with 'rule' and 'where'")
    for index, item in enumerate(data):
        if str(item["rule"]) not in RULES:
            _unknown_rule(path, text, index, str(item["rule"]))
    return {(str(item["rule"]), str(item["where"])) for item in data}


def _unknown_rule(path: Path, text: str, index: int, rule: str) -> None:
    """A misspelt rule would accept nothing and never be reported as unused: an error,
    at the line of the entry, naming the rules."""
    import difflib

    import yaml

    entry = yaml.compose(text).value[index]
    line = next((value.start_mark.line + 1 for key, value in entry.value
                 if key.value == "rule"), entry.start_mark.line + 1)
    close = difflib.get_close_matches(rule, RULES, n=1)
    hint = f"did you mean {close[0]!r}? " if close else ""
    raise OsflowError(f"{path}:{line}: unknown rule {rule!r}; {hint}the rules: "
                      f"{', '.join(RULES)}")
