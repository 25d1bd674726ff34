"""What class an expression builds: `Y()`, factory functions, and `self.x = Y()` attributes.

Static typing by construction only, which is how Nova wires its services together:
`self.compute_rpcapi = compute_rpcapi.ComputeAPI()`, `self.network_api = network.API()`
where `network.API` may be a factory choosing a class by configuration. A factory yields
every class it can return; when it picks one by a configuration value the choice is
reported as a note, so callers can apply the production default or say they could not.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tracer.index import ClassRef, FunctionRef, Index, ValueRef, ir
from tracer.index.ir import expr_text, walk

MAX_DEPTH = 4


@dataclass
class Construction:
    """The classes an expression may construct, and what could not be followed."""

    classes: list[ClassRef] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def add(self, other: "Construction") -> None:
        for ref in other.classes:
            if all(ref.dotted != have.dotted for have in self.classes):
                self.classes.append(ref)
        self.notes += [n for n in other.notes if n not in self.notes]


def constructed(index: Index, module: ir.Module, expr: ir.Expr, depth: int = 0) -> Construction:
    """Classes that `expr` (usually a call) instantiates, seen from `module`."""
    out = Construction()
    if depth > MAX_DEPTH:
        return out
    if isinstance(expr, ir.Call):
        expr = expr.func
    target = index.resolve_expr(module, expr)
    if isinstance(target, ClassRef):
        out.classes.append(target)
    elif isinstance(target, FunctionRef) and target.owner is None:
        out.add(_factory_returns(index, target, depth + 1))
    elif isinstance(target, ValueRef) and isinstance(target.value, (ir.Call, ir.Name, ir.Attr)):
        out.add(constructed(index, target.module, target.value, depth + 1))
    else:
        out.notes.append(f"cannot tell what {expr_text(expr)} builds")
    return out


def _factory_returns(index: Index, fn: FunctionRef, depth: int) -> Construction:
    """A module function used as a constructor: every class its returns can build."""
    out = Construction()
    local: dict[str, list[ir.Expr]] = {}
    for stmt in walk(fn.function.body):
        if isinstance(stmt, ir.Assign):
            for target in stmt.targets:
                if isinstance(target, ir.Name):
                    local.setdefault(target.id, []).append(stmt.value)
    for stmt in walk(fn.function.body):
        if isinstance(stmt, ir.Return) and stmt.value is not None:
            value = stmt.value
            func = value.func if isinstance(value, ir.Call) else value
            if isinstance(func, ir.Name) and func.id in local:
                for bound in local[func.id]:
                    out.add(constructed(index, fn.module, bound, depth))
            else:
                out.add(constructed(index, fn.module, value, depth))
    choices = [s.text for s in walk(fn.function.body) if isinstance(s, ir.If)]
    if len(out.classes) > 1 and choices:
        out.notes.append(f"{fn.dotted} chooses by {'; '.join(choices)}")
    elif not out.classes:
        out.notes = [f"{fn.dotted} picks its class at run time (by configuration); "
                     "not followed statically"]
    return out


def self_attributes(index: Index, ref: ClassRef) -> dict[str, Construction]:
    """`self.x = Y(...)` in every `__init__` of the class's ancestry: attribute -> classes."""
    found: dict[str, Construction] = {}
    for klass in reversed(index.mro(ref)):
        init = klass.cls.methods.get("__init__")
        if init is None:
            continue
        for stmt in walk(init.body):
            if not (isinstance(stmt, ir.Assign) and isinstance(stmt.value, ir.Call)):
                continue
            for target in stmt.targets:
                if (isinstance(target, ir.Attr) and isinstance(target.value, ir.Name)
                        and target.value.id == "self"):
                    built = constructed(index, klass.module, stmt.value)
                    if built.classes or _is_factory_call(index, klass.module, stmt.value):
                        found.setdefault(target.attr, Construction()).add(built)
    return found


def _is_factory_call(index: Index, module: ir.Module, call: ir.Call) -> bool:
    """`network.API()` whose class is picked at run time: kept, with its note."""
    target = index.resolve_expr(module, call.func)
    return isinstance(target, FunctionRef) and target.owner is None
