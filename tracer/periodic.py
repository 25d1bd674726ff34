"""Periodic tasks: the work a service does on its own, as operations of the catalogue.

A manager method decorated with oslo.service's `@periodic_task.periodic_task` runs in its
service every `spacing` seconds (or at every tick of the service's periodic loop, when it
gives none), without any request. Each becomes an Operation named `periodic-<task>` whose
`method` is PERIODIC and whose `path` says when it runs, read from the tree: the spacing
as written, the option it names and that option's default.

oslo.service's rules (periodic_task.periodic_task): no spacing, or 0, runs at every tick
(`CONF.periodic_interval`, 60 s in Nova); a negative spacing disables the task;
`run_immediately=True` also runs it once when the service starts.
"""

from __future__ import annotations

import ast
import re
from dataclasses import replace

from tracer.catalogue import Catalogue, Operation
from tracer.index import ClassRef, Index, ir
from tracer.index.ir import expr_text
from tracer.index.options import NO_DEFAULT, conf_const
from tracer.model import RpcModel

PERIODIC = "PERIODIC"  # Operation.method of a periodic task
GROUP = "periodic"  # Operation.group of a periodic task
_DECORATOR = "periodic_task"
_CONF = re.compile(r"CONF(?:\.[A-Za-z_]\w*)+")


def periodic_operations(index: Index, rpc: RpcModel) -> tuple[Operation, ...]:
    """Every periodic task of every service's manager (and the classes it derives from
    in the tree), sorted by name; a name two services share gets its service's too."""
    found: list[tuple[str, str, Operation]] = []
    for service in sorted(rpc.services, key=lambda s: s.binary):
        manager = index.resolve_dotted(service.manager) if service.manager else None
        if not isinstance(manager, ClassRef):
            continue
        seen: set[str] = set()
        for klass in index.mro(manager):
            for fn in klass.cls.methods.values():
                decorator = _periodic_decorator(fn)
                if decorator is None or fn.name in seen:
                    continue
                seen.add(fn.name)  # a subclass's override is the one that runs
                when = schedule(index, klass.module, decorator)
                found.append((fn.name, service.binary, Operation(
                    name="", aliases=(), method=PERIODIC,
                    path=f"{service.binary}: {when}", action=None,
                    handler=f"{klass.module.name}.{klass.cls.name}.{fn.name}",
                    file=klass.module.path, line=fn.line)))
    names = [_task_name(method) for method, _, _ in found]
    out = []
    for (method, binary, op), name in zip(found, names):
        if names.count(name) > 1:
            name = f"periodic-{binary.removeprefix('nova-')}-{name.removeprefix('periodic-')}"
        out.append(Operation(name, (method,), op.method, op.path, None, op.handler, op.file,
                             op.line, group=GROUP))
    return tuple(sorted(out, key=lambda op: op.name))


def with_periodic(catalogue: Catalogue, tasks: tuple[Operation, ...]) -> Catalogue:
    """The catalogue with the periodic tasks among its operations (sorted by name); a
    task named like a REST operation is left out, with a warning."""
    names = {op.name for op in catalogue.operations}
    clash = [task.name for task in tasks if task.name in names]
    kept = tuple(task for task in tasks if task.name not in names)
    return replace(catalogue,
                   operations=tuple(sorted(catalogue.operations + kept, key=lambda o: o.name)),
                   warnings=catalogue.warnings + tuple(
                       f"periodic task {name}: a REST operation has its name; left out"
                       for name in clash))


def is_periodic(operation: Operation) -> bool:
    return operation.method == PERIODIC


def service_of(operation: Operation) -> str:
    """The binary of the service that runs a periodic task (`nova-compute`)."""
    return operation.path.split(":", 1)[0]


def _task_name(method: str) -> str:
    return "periodic-" + method.strip("_").removeprefix("periodic_").replace("_", "-")


def _periodic_decorator(fn: ir.Function) -> ir.Expr | None:
    for dec in fn.decorators:
        func = dec.func if isinstance(dec, ir.Call) else dec
        name = func.attr if isinstance(func, ir.Attr) else \
            func.id if isinstance(func, ir.Name) else ""
        if name == _DECORATOR:
            return dec
    return None


def schedule(index: Index, module: ir.Module, decorator: ir.Expr) -> str:
    """When a task runs, in words: `every 600 s (CONF.sync_power_state_interval, default
    600); also at start`."""
    kwargs = dict(decorator.kwargs) if isinstance(decorator, ir.Call) else {}
    spacing = kwargs.get("spacing")
    if spacing is None and isinstance(decorator, ir.Call) and decorator.args:
        spacing = decorator.args[0]
    when = _interval(index, module, spacing)
    immediately = kwargs.get("run_immediately")
    if isinstance(immediately, ir.Const) and immediately.value is True:
        # oslo.service registers no task whose spacing is negative: it does not run at
        # start either
        when += "; when enabled, also when the service starts" \
            if when.startswith("disabled") else "; also when the service starts"
    return when


def _interval(index: Index, module: ir.Module, spacing: ir.Expr | None) -> str:
    tick = "every tick of the periodic loop (CONF.periodic_interval, default 60 s)"
    if spacing is None:
        return tick
    text = " ".join(expr_text(spacing).split())
    options = {name: conf_const(index, module, name) for name in _CONF.findall(text)}
    defaults = {name: const.value for name, const in options.items()
                if const is not None and const is not NO_DEFAULT}
    value = _evaluate(text, defaults)
    said = ", ".join(f"{name} default {defaults[name]!r}" if name in defaults
                     else f"{name}, no default found" for name in options)
    source = f"spacing={text}" + (f"; {said}" if said else "")
    if value is None:
        return f"as configured ({source})"
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return f"as configured ({source})"
    if value < 0:
        return f"disabled by default ({source})"
    if value == 0:
        return f"{tick} ({source})"
    return f"every {value:g} s by default ({source})"


def _evaluate(text: str, known: dict[str, object]):
    """The value of a spacing expression (a literal, an option, or `X if X != 0 else -1`)
    with options at their defaults; None when something in it is not known."""
    try:
        tree = ast.parse(text, mode="eval").body
    except SyntaxError:
        return None
    missing = object()

    def value(node):
        if isinstance(node, ast.Constant):
            return node.value
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            inner = value(node.operand)
            return missing if inner is missing or not isinstance(inner, (int, float)) \
                else -inner
        if isinstance(node, (ast.Attribute, ast.Name)):
            return known.get(ast.unparse(node), missing)
        if isinstance(node, ast.IfExp):
            test = value(node.test)
            return missing if test is missing else value(node.body if test else node.orelse)
        if isinstance(node, ast.Compare) and len(node.ops) == 1:
            left, right = value(node.left), value(node.comparators[0])
            if missing in (left, right):
                return missing
            ops = {ast.Eq: lambda a, b: a == b, ast.NotEq: lambda a, b: a != b,
                   ast.Gt: lambda a, b: a > b, ast.GtE: lambda a, b: a >= b,
                   ast.Lt: lambda a, b: a < b, ast.LtE: lambda a, b: a <= b}
            op = ops.get(type(node.ops[0]))
            try:
                return missing if op is None else op(left, right)
            except TypeError:
                return missing
        return missing

    found = value(tree)
    return None if found is missing else found
