"""The RPC call graph of a tree: who sends what to whom, as a networkx graph.

Nodes: services (`service:nova-compute`), RPC methods as their handlers serve them
(`rpc:nova-compute:pause_instance`) and REST operations (`api:pause`). Edges: a service
serves its methods; a REST operation or a handler sends RPCs, with the kind, fanout,
version and the source location of the send. Sends are found by the tracer, following
each handler's calls inside its own process (attributes, helpers, task classes), without
crossing into the receiving handler: that one has its own node.
"""

from __future__ import annotations

import networkx as nx

from tracer.index import ClassRef, FunctionRef, Index
from tracer.profiles import profile_for
from tracer.model import CALL, CAST, DONE, ENTER, LEAVE, START, Flow, RpcModel, iter_steps


def method_node(service: str, method: str) -> str:
    return f"rpc:{service}:{method}"


def build_graph(index: Index, rpc: RpcModel, catalogue) -> nx.MultiDiGraph:
    from tracer.periodic import is_periodic, service_of
    from tracer.trace import Options, Shared, config_choices
    from tracer.trace.engine import Engine, participant_of_service

    options = Options(depth=0, cross=False)
    choices, why = config_choices(index, options)
    engine = Engine(index, rpc.methods, options, choices, why, Shared(index))
    graph = nx.MultiDiGraph(source=rpc.source)
    for service in sorted({m.service for m in rpc.methods}):
        graph.add_node(f"service:{service}", kind="service", label=service)
    for method in rpc.methods:
        node = method_node(method.service, method.method)
        if node in graph:
            continue
        graph.add_node(node, kind="rpc", label=method.method, service=method.service,
                       kinds=",".join(method.kinds), fanout=method.fanout,
                       version=method.version or "", client=method.client,
                       handler=method.handler or "", file=method.handler_file or method.file,
                       line=method.handler_line or method.line)
        graph.add_edge(f"service:{method.service}", node, kind="serves")
    for method in rpc.methods:
        handler = engine.handler_of(method) if method.service != "nova-*" else None
        if handler is not None:
            fn, owner = handler
            _add_sends(graph, engine, method_node(method.service, method.method), fn, owner,
                       participant_of_service(method.service), rpc)
    for op in catalogue.operations:
        fn = index.resolve_dotted(op.handler)
        owner = index.resolve_dotted(op.handler.rsplit(".", 1)[0])
        if isinstance(fn, FunctionRef) and fn.owner is None:
            owner = None  # a view function (Flask): no controller object
        elif not isinstance(fn, FunctionRef) or not isinstance(owner, ClassRef):
            continue
        node = f"api:{op.name}"
        graph.add_node(node, kind="api", label=op.name, method=op.method, path=op.path,
                       handler=op.handler, file=op.file, line=op.line)
        # a periodic task runs in its own service, a REST operation in nova-api
        participant = participant_of_service(service_of(op)) if is_periodic(op) \
            else profile_for(index.package).api
        _add_sends(graph, engine, node, fn, owner, participant, rpc)
    return graph


def _add_sends(graph, engine, source: str, fn, owner, participant: str, rpc) -> None:
    seen = set()
    versions = {(m.service, m.method): m.version for m in rpc.methods}
    for step in engine.sends_of(fn, owner, participant):
        service, method = step.rpc.split(" ", 1)
        target = method_node(service, method)
        key = (target, step.kind, step.file, step.line)
        if key in seen or target not in graph:
            continue
        seen.add(key)
        graph.add_edge(source, target, kind=step.kind, fanout=step.fanout,
                       version=versions.get((service, method)) or "", file=step.file,
                       line=step.line, function=step.anchor)


def operation_sends(flow: Flow) -> tuple[tuple[str, str, str], ...]:
    """The RPCs one operation's flow sends, each with the graph node that sends it:
    (sender, target, kind), sender `api:<op>` or the RPC node whose handler is running.

    The graph's edges are per handler, whatever arguments it is sent: conductor's
    migrate_server reaches the live-migration checks, though a cold migrate (live=False)
    never does. A flow was traced with the constants its callers pass bound, so its sends
    are what that operation really does; chains quoted as "from api:<op>" come from here.
    A handler's work in a flow is the span from the ENTER that follows its call, in the
    receiving participant, to the matching LEAVE; a cast's, from its START to its DONE."""
    out: list[tuple[str, str, str]] = []
    seen: set[tuple[str, str, str]] = set()
    # each open ENTER or START: the node whose handler the steps inside it belong to
    context = [f"api:{flow.operation}"]
    casts: dict[tuple[str, str], str] = {}  # (receiving participant, method) -> node
    expected: tuple[str, str] | None = None  # a call's receiver and node, until it starts
    for step in iter_steps(flow.nodes):
        kind = step.kind
        if kind in (CALL, CAST) and step.rpc:
            service, method = step.rpc.split(" ", 1)
            node = method_node(service, method)
            edge = (context[-1], node, kind)
            if edge not in seen:
                seen.add(edge)
                out.append(edge)
            casts[(step.target, method)] = node
            expected = (step.target, node) if kind == CALL else None
        elif kind == ENTER:
            if expected is not None and step.source == expected[0]:
                context.append(expected[1])
            else:
                context.append(context[-1])
            expected = None
        elif kind == START:
            context.append(casts.get((step.source, step.text), context[-1]))
        elif kind in (LEAVE, DONE) and len(context) > 1:
            context.pop()
    return tuple(out)


# ----------------------------------------------------------------------------- exports


def select(graph: nx.MultiDiGraph, services: tuple[str, ...] = (),
           methods: tuple[str, ...] = ()) -> nx.MultiDiGraph:
    """The part of the graph touching these services and methods (and their neighbours):
    with both, the methods of those services."""
    if not services and not methods:
        return graph
    keep = set()
    for node, data in graph.nodes(data=True):
        service = data.get("service") or (data.get("label") if data.get("kind") == "service"
                                          else None)
        if (not services or service in services) and \
                (not methods or (data.get("kind") == "rpc" and data.get("label") in methods)):
            keep.add(node)
    around = set(keep)
    for node in keep:
        around |= set(graph.predecessors(node)) | set(graph.successors(node))
    return graph.subgraph(around).copy()


def _stringly(graph: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """GraphML takes strings, numbers and booleans only."""
    out = nx.MultiDiGraph(**{k: str(v) for k, v in graph.graph.items()})
    for node, data in graph.nodes(data=True):
        out.add_node(node, **{k: v for k, v in data.items() if v is not None})
    for source, target, data in graph.edges(data=True):
        out.add_edge(source, target, **{k: v for k, v in data.items() if v is not None})
    return out


def to_json(graph: nx.MultiDiGraph) -> str:
    import json

    data = nx.node_link_data(graph, edges="edges") if _takes_edges() \
        else nx.node_link_data(graph)
    return json.dumps(data, indent=2, sort_keys=True, default=str)


def _takes_edges() -> bool:
    import inspect

    return "edges" in inspect.signature(nx.node_link_data).parameters


def to_graphml(graph: nx.MultiDiGraph) -> str:
    return "\n".join(nx.generate_graphml(_stringly(graph))) + "\n"


def _dot_id(node: str) -> str:
    return '"' + node.replace('"', "'") + '"'


def _senders(graph: nx.MultiDiGraph) -> list[tuple[str, dict]]:
    """Operations (REST and periodic) that send an RPC; the others are left out of the
    pictures (40 REST operations without one were a column of lone ovals)."""
    return [(node, data) for node, data in sorted(graph.nodes(data=True))
            if data.get("kind") == "api" and graph.out_degree(node) > 0]


def _edge_label(data: dict) -> str:
    return data["kind"] + (" (fanout)" if data.get("fanout") else "")


def to_dot(graph: nx.MultiDiGraph) -> str:
    """Graphviz: services as boxes holding their methods (a method whose service is not
    in a filtered graph keeps a box named after it), operations that send RPCs as ovals
    (periodic tasks as octagons), sends as edges labelled call or cast (dashed), and a
    legend."""
    lines = ["digraph osflow {", "  rankdir=LR;", '  node [fontname="DejaVu Sans", '
             'fontsize=10, shape=box, style=rounded];', '  edge [fontname="DejaVu Sans", '
             'fontsize=9];']
    by_service: dict[str, list[tuple[str, dict]]] = {}
    for node, data in sorted(graph.nodes(data=True)):
        if data.get("kind") == "rpc":
            by_service.setdefault(data.get("service", "?"), []).append((node, data))
    for index, service in enumerate(sorted(by_service)):
        lines.append(f'  subgraph cluster_{index} {{ label="{service}"; color="#8c959f";')
        for node, data in by_service[service]:
            lines.append(f'    {_dot_id(node)} [label="{data["label"]}"];')
        lines.append("  }")
    senders = _senders(graph)
    for node, data in senders:
        shape = "octagon" if data.get("method") == "PERIODIC" else "ellipse"
        lines.append(f'  {_dot_id(node)} [label="{data["label"]}", shape={shape}];')
    shown = {node for node, _ in senders} | {n for nodes in by_service.values()
                                             for n, _ in nodes}
    for source, target, data in sorted(graph.edges(data=True), key=lambda e: e[:2]):
        if data.get("kind") == "serves" or source not in shown or target not in shown:
            continue
        style = "dashed" if data["kind"] == "cast" else "solid"
        lines.append(f'  {_dot_id(source)} -> {_dot_id(target)} '
                     f'[style={style}, label="{_edge_label(data)}"];')
    lines += ['  subgraph cluster_legend { label="legend"; color="#d0d7de";',
              '    legend_a [label="sender", shape=plaintext];',
              '    legend_b [label="handler", shape=plaintext];',
              '    legend_c [label="sender", shape=plaintext];',
              '    legend_d [label="handler", shape=plaintext];',
              '    legend_a -> legend_b [label="call: the sender waits for the reply"];',
              '    legend_c -> legend_d [style=dashed, label="cast: fire and forget"];',
              "  }", "}"]
    return "\n".join(lines) + "\n"


def to_mermaid(graph: nx.MultiDiGraph) -> str:
    ids = {node: f"n{i}" for i, node in enumerate(sorted(graph.nodes))}
    lines = ["flowchart LR"]
    lone = {node for node, data in graph.nodes(data=True) if data.get("kind") == "api"} - \
        {node for node, _ in _senders(graph)}
    for node, data in sorted(graph.nodes(data=True)):
        if data.get("kind") != "service" and node not in lone:
            label = f"{data.get('service', 'api')}: {data['label']}".replace('"', "'")
            lines.append(f'    {ids[node]}["{label}"]')
    for source, target, data in sorted(graph.edges(data=True), key=lambda e: e[:2]):
        if data.get("kind") == "serves" or source in lone:
            continue
        arrow = "-.->" if data["kind"] == "cast" else "-->"
        lines.append(f"    {ids[source]} {arrow}|{_edge_label(data)}| {ids[target]}")
    return "\n".join(lines) + "\n"
