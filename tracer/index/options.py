"""Configuration options as the tree declares them: `cfg.StrOpt('name', default=...)`.

Nova picks drivers and classes by option (`CONF.scheduler_driver`, `CONF.compute_driver`);
the defaults, read statically, are what production runs unless configured otherwise.
"""

from __future__ import annotations

from tracer.index import Index, ir


def tail(expr: ir.Expr) -> str:
    """The last name of a dotted expression: `cfg.StrOpt` -> `StrOpt`."""
    if isinstance(expr, ir.Attr):
        return expr.attr
    if isinstance(expr, ir.Name):
        return expr.id
    return ""


def option_default(index: Index, module: ir.Module, option: str,
                   group: str | None) -> str | None:
    """The default of `cfg.StrOpt(option, default=...)` in `module` or the ones it names."""
    places = [module]
    for call in module_calls(module):
        # CONF.import_opt('topic', 'nova.conductor.api', group='conductor')
        if tail(call.func) == "import_opt" and len(call.args) >= 2:
            where = call.args[1]
            if isinstance(where, ir.Const) and isinstance(where.value, str):
                other = index.module(where.value)
                if other is not None:
                    places.append(other)
    for place in places:
        for call in module_calls(place):
            if tail(call.func).endswith("Opt") and call.args:
                first = call.args[0]
                if isinstance(first, ir.Const) and first.value == option:
                    for key, value in call.kwargs:
                        if key == "default" and isinstance(value, ir.Const):
                            return str(value.value)
    return None


def module_calls(module: ir.Module):
    """Calls made at module level, including inside lists of options."""
    stack: list = [s for s in module.body]
    while stack:
        node = stack.pop(0)
        if isinstance(node, ir.Assign):
            stack.append(node.value)
        elif isinstance(node, ir.ExprStmt):
            stack.append(node.value)
        elif isinstance(node, ir.Call):
            yield node
            stack.extend(node.args)
            stack.extend(v for _, v in node.kwargs)
            stack.append(node.func)
        elif isinstance(node, ir.Attr):
            stack.append(node.value)
        elif isinstance(node, ir.Seq):
            stack.extend(node.items)
        elif isinstance(node, ir.DictExpr):
            stack.extend(node.values)
        elif isinstance(node, ir.Other):
            stack.extend(node.calls)


def conf_default(index: Index, module: ir.Module, text: str) -> str | None:
    """`CONF.scheduler_driver` or `CONF.group.option` read in `module` -> its default,
    looked up where `module` declares or imports it, then among nova/conf modules."""
    parts = text.split(".")
    if len(parts) not in (2, 3) or parts[0] != "CONF":
        return None
    option, group = parts[-1], (parts[1] if len(parts) == 3 else None)
    found = option_default(index, module, option, group)
    if found is not None:
        return found
    needles = (f"'{option}'".encode(), f'"{option}"'.encode())
    confs = [rel for rel in index.source_files() if rel.startswith("nova/conf/")]
    if group:  # the group's own module first: nova/conf/scheduler.py for [scheduler]
        confs.sort(key=lambda rel: rel != f"nova/conf/{group}.py")
    for rel in confs:
        if any(needle in index.source(rel) for needle in needles):
            conf = index.module_at(rel)
            if conf is not None:
                found = option_default(index, conf, option, group)
                if found is not None:
                    return found
    return None
