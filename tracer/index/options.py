"""Configuration options as the tree declares them: `cfg.StrOpt('name', default=...)`.

Nova picks drivers and classes by option (`CONF.scheduler_driver`, `CONF.compute_driver`);
the defaults, read statically, are what production runs unless configured otherwise.
"""

from __future__ import annotations

import re
import weakref

from tracer.index import Index, ir


def tail(expr: ir.Expr) -> str:
    """The last name of a dotted expression: `cfg.StrOpt` -> `StrOpt`."""
    if isinstance(expr, ir.Attr):
        return expr.attr
    if isinstance(expr, ir.Name):
        return expr.id
    return ""


# An option declared without `default=`: oslo.config's default is None.
NO_DEFAULT = ir.Const(None)


def option_default(index: Index, module: ir.Module, option: str,
                   group: str | None) -> str | None:
    """The default of `cfg.StrOpt(option, default=...)` in `module` or the ones it names,
    as text; None when it is not found or not a literal."""
    found = option_const(index, module, option, group)
    return str(found.value) if found is not None and found is not NO_DEFAULT else None


def option_const(index: Index, module: ir.Module, option: str,
                 group: str | None) -> ir.Const | None:
    """The literal default of `cfg.*Opt(option, ...)` in `module` or the ones it names
    (NO_DEFAULT when declared without one); None when not found or not a literal."""
    declared = _declarations(index, module)
    if option in declared.options:
        return declared.options[option]
    for name in declared.imported:
        other = index.module(name)
        if other is not None:
            found = _declarations(index, other).options.get(option, _ABSENT)
            if found is not _ABSENT:
                return found
    return None


_ABSENT = object()


# `default=-1` is a unary minus, not a literal, in the syntax tree: read as the number
_NEGATIVE = re.compile(r"-\s*\d+(?:\.\d+)?")


class _Declared:
    """What a module declares: its options' literal defaults (None: not a literal,
    NO_DEFAULT: none given) and the modules it imports options from."""

    def __init__(self, module: ir.Module) -> None:
        self.options: dict[str, ir.Const | None] = {}
        self.imported: list[str] = []
        for call in module_calls(module):
            name = tail(call.func)
            # CONF.import_opt('topic', 'nova.conductor.api', group='conductor')
            if name == "import_opt" and len(call.args) >= 2:
                where = call.args[1]
                if isinstance(where, ir.Const) and isinstance(where.value, str):
                    self.imported.append(where.value)
            elif name.endswith("Opt") and call.args and isinstance(call.args[0], ir.Const) \
                    and isinstance(call.args[0].value, str):
                default = next((v for k, v in call.kwargs if k == "default"), NO_DEFAULT)
                if isinstance(default, ir.Other) and _NEGATIVE.fullmatch(default.text):
                    default = ir.Const(-float(default.text[1:].strip())
                                       if "." in default.text
                                       else -int(default.text[1:].strip()))
                self.options.setdefault(call.args[0].value, default if default is NO_DEFAULT
                                        or isinstance(default, ir.Const) else None)


# index -> module name -> its declarations: facts of a tree, read once per process
_DECLARED: "weakref.WeakKeyDictionary[Index, dict[str, _Declared]]" = \
    weakref.WeakKeyDictionary()


def _declarations(index: Index, module: ir.Module) -> _Declared:
    per_module = _DECLARED.setdefault(index, {})
    found = per_module.get(module.name)
    if found is None:
        found = per_module[module.name] = _Declared(module)
    return found


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
    """`CONF.scheduler_driver` or `CONF.group.option` read in `module` -> its default as
    text (None when unknown or declared without one)."""
    found = conf_const(index, module, text)
    return str(found.value) if found is not None and found is not NO_DEFAULT else None


def conf_const(index: Index, module: ir.Module, text: str) -> ir.Const | None:
    """`CONF.option` or `CONF.group.option` read in `module` -> its literal default
    (NO_DEFAULT: declared without one), looked up where `module` declares or imports it,
    then among nova/conf modules; None when not found."""
    cache = _RESOLVED.setdefault(index, {})
    key = (module.name, text)
    if key not in cache:
        cache[key] = _conf_const(index, module, text)
    return cache[key]


# index -> (module, `CONF.x`) -> its default: facts of a tree, looked up once per process
_RESOLVED: "weakref.WeakKeyDictionary[Index, dict]" = weakref.WeakKeyDictionary()


def _conf_const(index: Index, module: ir.Module, text: str) -> ir.Const | None:
    parts = text.split(".")
    if len(parts) not in (2, 3) or parts[0] != "CONF":
        return None
    option, group = parts[-1], (parts[1] if len(parts) == 3 else None)
    found = option_const(index, module, option, group)
    if found is not None:
        return found
    needles = (f"'{option}'".encode(), f'"{option}"'.encode())
    # nova/conf holds the options since Newton; before, the module that reads one first
    # declares it (Liberty's nova/compute/manager.py), wherever that is
    files = index.source_files()
    package = index.package
    confs = [rel for rel in files if rel.startswith(f"{package}/conf/")] or \
        [rel for rel in files if not rel.startswith(f"{package}/tests/")]
    if group:  # the group's own module first: nova/conf/scheduler.py for [scheduler]
        confs.sort(key=lambda rel: rel != f"{package}/conf/{group}.py")
    for rel in confs:
        source = index.source(rel)
        if any(needle in source for needle in needles) and b"Opt(" in source:
            conf = index.module_at(rel)
            if conf is not None:
                found = option_const(index, conf, option, group)
                if found is not None:
                    return found
    return None
