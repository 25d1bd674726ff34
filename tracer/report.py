"""Terminal and JSON presentation of analysis results (tables via rich)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from itertools import groupby
from typing import TYPE_CHECKING

from rich.console import Console
from rich.table import Table

from tracer.model import RpcMethod

if TYPE_CHECKING:
    from tracer.catalogue import Catalogue, Operation


def rpc_json(methods: list[RpcMethod]) -> str:
    return json.dumps([m.to_json() for m in methods], indent=2, sort_keys=True)


def _short(dotted: str | None, keep: int = 2) -> str:
    if not dotted:
        return "-"
    return ".".join(dotted.split(".")[-keep:])


def _kind(m: RpcMethod) -> str:
    if len(m.kinds) == 2 and m.kind_param:
        other = "call" if m.kind_if_true == "cast" else "cast"
        return f"{m.kind_if_true} if {m.kind_param} else {other}"
    return " | ".join(m.kinds)


def rpc_table(methods: list[RpcMethod], label: str, console: Console | None = None) -> None:
    console = _console(console)
    for service, group in groupby(methods, key=lambda m: m.service):
        rows = list(group)
        sent = len({m.method for m in rows})
        counts = f"{sent} methods" if sent == len(rows) else \
            f"{sent} methods, {len(rows)} client methods"  # two clients send one method
        table = Table(title=f"{service}  ({counts}, {label})", title_justify="left",
                      show_lines=False, expand=False)
        # fold, never truncate: a cut method name is worse than a wrapped one
        table.add_column("method", style="bold", overflow="fold")
        table.add_column("kind", overflow="fold")
        table.add_column("version", no_wrap=True)
        table.add_column("client", overflow="fold")
        table.add_column("handler", overflow="fold")
        for m in rows:
            kind = _kind(m) + (" fanout" if m.fanout else "")
            style = "cyan" if m.kinds == ("call",) else ("magenta" if len(m.kinds) > 1 else "")
            handler = _short(m.handler) if m.handler else "[red]none found[/red]"
            table.add_row(m.method, f"[{style}]{kind}[/{style}]" if style else kind,
                          m.version or "-", _short(m.client), handler)
        console.print(table)


def ops_json(operations: Iterable[Operation]) -> str:
    return json.dumps([op.to_json() for op in operations], indent=2, sort_keys=True)


def ops_table(catalogue: Catalogue, groups: tuple[str, ...] = (),
              console: Console | None = None) -> None:
    """The operations by group (servers, os-hypervisors, ..., periodic), then the known
    operations this source lacks."""
    console = _console(console)
    ops = sorted(catalogue.operations, key=lambda op: (op.group, op.name))
    shown = {op.group for op in ops}
    where = f" in {', '.join(sorted(shown))}" if groups else \
        f" in {len(shown)} groups" if len(shown) > 1 else ""
    table = Table(title=f"operations{where}  ({len(ops)}, {catalogue.source})",
                  title_justify="left")
    table.add_column("group", no_wrap=True)
    table.add_column("name", style="bold", no_wrap=True)
    table.add_column("request", overflow="fold")
    table.add_column("microversions", no_wrap=True)
    table.add_column("handler", overflow="fold")
    table.add_column("aliases", overflow="fold", max_width=32)
    for op in ops:
        request = f"{op.method} {op.path}" + (f" ({op.action})" if op.action else "")
        versions = "-" if not (op.min_version or op.max_version) else \
            f"{op.min_version or ''}-{op.max_version or ''}"
        table.add_row(op.group or "-", op.name, request, versions, _short(op.handler),
                      ", ".join(op.aliases) or "-")
    console.print(table)
    if catalogue.missing:
        gaps = Table(title=f"not in {catalogue.source}  ({len(catalogue.missing)})",
                     title_justify="left")
        gaps.add_column("name", style="bold", overflow="fold")
        gaps.add_column("why", overflow="fold")
        for gap in catalogue.missing:
            gaps.add_row(gap.name, gap.reason)
        console.print(gaps)


# Piped or redirected output (`osflow rpc | grep ...`) keeps every row on one line: tables
# take the width their content needs, up to this many columns.
PIPED_WIDTH = 400


def _console(console: Console | None) -> Console:
    console = console or Console()
    return console if console.is_terminal else Console(width=PIPED_WIDTH)


def _value(value) -> str:
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) or "-"
    return "-" if value is None else str(value)


def rpc_diff_text(diff, console: Console | None = None) -> None:
    """Added, removed and changed RPC methods, a table each."""
    console = _console(console)
    console.print(f"RPC API: {diff.old} -> {diff.new}: {len(diff.added)} added, "
                  f"{len(diff.removed)} removed, {len(diff.changed)} changed")
    for title, methods, style in (("added", diff.added, "green"),
                                  ("removed", diff.removed, "red")):
        if not methods:
            continue
        table = Table(title=f"{title} ({len(methods)})", title_justify="left")
        for column in ("service", "method", "kind", "version", "handler"):
            table.add_column(column, overflow="fold")
        for m in methods:
            table.add_row(m.service, f"[{style}]{m.method}[/{style}]", _kind(m),
                          m.version or "-", _short(m.handler))
        console.print(table)
    if diff.changed:
        table = Table(title=f"changed ({len(diff.changed)})", title_justify="left")
        for column in ("service", "method", "what", "old", "new"):
            table.add_column(column, overflow="fold")
        for change in diff.changed:
            for position, (name, (old, new)) in enumerate(change.changes.items()):
                first = position == 0
                table.add_row(change.service if first else "", change.method if first else "",
                              name, _value(old), _value(new))
        console.print(table)


def rpc_diff_json(diff) -> str:
    return json.dumps(diff.to_json(), indent=2, sort_keys=True)


def flow_diff_text(old: str, new: str, diffs, console: Console | None = None) -> None:
    """Per operation: what appeared, vanished, moved or changed kind or fields."""
    console = _console(console)
    changed = [d for d in diffs if d.status != "same"]
    console.print(f"operations: {old} -> {new}: {len(diffs)} compared, {len(changed)} "
                  "differ (RPC messages, other services, the driver, database writes)")
    for d in changed:
        if d.status in ("added", "removed"):
            word = "appeared" if d.status == "added" else "disappeared"
            console.print(f"\n[bold]{d.operation}[/bold]: {word}")
            continue
        console.print(f"\n[bold]{d.operation}[/bold]")
        for name in d.participants_added:
            console.print(f"  [green]+ participant {name}[/green]")
        for name in d.participants_removed:
            console.print(f"  [red]- participant {name}[/red]")
        for m in d.added:
            console.print(f"  [green]+ {m.text()}[/green]", markup=True, highlight=False)
        for m in d.removed:
            console.print(f"  [red]- {m.text()}[/red]", markup=True, highlight=False)
        for m in d.moved:
            console.print(f"  ~ moved: {m.text()}", highlight=False)
        for a, b in d.kind_changed:
            console.print(f"  [magenta]~ {a.text()}  =>  {b.kind}[/magenta]", highlight=False)
        for a, b in d.renamed:
            console.print(f"  ~ renamed: {a.text()}  =>  {b.name}", highlight=False)
        for a, b in d.fields_changed:
            console.print(f"  ~ {b.source}->{b.target}: {b.name} writes ({a.fields}) => "
                          f"({b.fields})", highlight=False)


def flow_diff_json(old: str, new: str, diffs) -> str:
    return json.dumps({"old": old, "new": new, "operations": [d.to_json() for d in diffs]},
                      indent=2, sort_keys=True)


def _mark(marks: dict, kinds) -> str:
    return marks.get(tuple(kinds), "|".join(kinds))


def history_text(labels: list[str], rows, console: Console | None = None) -> None:
    """A matrix: one row per RPC method, one column per release; events summarised. When
    a column per release would not fit the terminal (20 releases in 100 columns), each
    method's kinds are one timeline of a character per release instead."""
    console = _console(console)
    if 60 + 7 * len(labels) > console.width:
        _history_timeline(labels, rows, console)
        return
    table = Table(title=f"RPC methods across {len(labels)} releases", title_justify="left")
    table.add_column("service", overflow="fold")
    table.add_column("method", overflow="fold")
    for label in labels:
        table.add_column(label, no_wrap=True)
    table.add_column("events", overflow="fold")
    marks = {("call",): "call", ("cast",): "cast", ("call", "cast"): "both"}
    for row in rows:
        cells = [_mark(marks, row.kinds[label]) if label in row.kinds else "·"
                 for label in labels]
        events = []
        if row.introduced:
            events.append(f"new in {row.introduced}")
        if row.removed:
            events.append(f"gone in {row.removed}")
        events += [f"{c['release']}: {_mark(marks, c['old'])} -> {_mark(marks, c['new'])}"
                   for c in row.kind_changes]
        table.add_row(row.service, row.method, *cells, "; ".join(events))
    console.print(table)


_TIMELINE = {("call",): "c", ("cast",): "s", ("call", "cast"): "b"}


def _history_timeline(labels: list[str], rows, console: Console) -> None:
    console.print(f"RPC methods across {len(labels)} releases, oldest first: "
                  f"{' '.join(labels)}", soft_wrap=False, highlight=False)
    console.print("timeline: a character per release: c call, s cast, b both (an argument "
                  "decides), · not there", highlight=False)
    table = Table(box=None, pad_edge=False, show_header=True)
    table.add_column("service", overflow="fold")
    table.add_column("method", overflow="fold")
    table.add_column("timeline", no_wrap=True)
    table.add_column("events", overflow="fold")
    marks = {("call",): "call", ("cast",): "cast", ("call", "cast"): "both"}
    for row in rows:
        line = "".join(_TIMELINE.get(tuple(row.kinds[label]), "?") if label in row.kinds
                       else "·" for label in labels)
        events = ([f"new in {row.introduced}"] if row.introduced else []) + \
            ([f"gone in {row.removed}"] if row.removed else []) + \
            [f"{c['release']}: {_mark(marks, c['old'])} -> {_mark(marks, c['new'])}"
             for c in row.kind_changes]
        table.add_row(row.service, row.method, line, "; ".join(events))
    console.print(table)


def history_json(labels: list[str], rows) -> str:
    return json.dumps({"releases": labels, "methods": [r.to_json() for r in rows]},
                      indent=2, sort_keys=True)


def graph_table(graph, console: Console | None = None) -> None:
    """Per service: methods served, and the calls and casts they send and receive."""
    console = _console(console)
    table = Table(title=f"RPC call graph ({graph.graph.get('source', '')})",
                  title_justify="left")
    for column in ("service", "methods", "calls in", "casts in", "calls out", "casts out"):
        table.add_column(column, justify="left" if column == "service" else "right")
    services = sorted(d["label"] for _, d in graph.nodes(data=True)
                      if d.get("kind") == "service")
    for service in services:
        nodes = {n for n, d in graph.nodes(data=True)
                 if d.get("kind") == "rpc" and d.get("service") == service}
        counts = {"call_in": 0, "cast_in": 0, "call_out": 0, "cast_out": 0}
        for source, target, data in graph.edges(data=True):
            kind = data.get("kind")
            if kind in ("call", "cast"):
                if target in nodes:
                    counts[f"{kind}_in"] += 1
                if source in nodes:
                    counts[f"{kind}_out"] += 1
        table.add_row(service, str(len(nodes)), str(counts["call_in"]),
                      str(counts["cast_in"]), str(counts["call_out"]),
                      str(counts["cast_out"]))
    console.print(table)
