"""What a REST handler's request-body schema guarantees about the body it is given.

A handler decorated `@validation.schema(schema.resize)` only runs on a body the JSON
schema accepted: a property the schema lists as `required` is there, and one typed a
string with `minLength` 1 is not empty. So `flavor_id = str(body['resize']['flavorRef'])`
is a non-empty string, true in any test (`if not flavor_id:` in API.resize is the migrate
way, never a resize's). Read from the schema's dict literals (module-level, through
imports: `parameter_types.flavor_ref`), never by importing them; a schema built any other
way (`copy.deepcopy(...)`, a function's result) says nothing.

`body_facts` gives, for the handler's `body`, a tree of what holds: key -> (fact, subtree),
the fact being TRUE (the value is true in a test), TEXT_TRUE (its `str()` is: a string
that cannot be empty, or a type that never prints empty, a number) or None (only present).
When a handler has several schemas (one per microversion range), only what all of them
guarantee holds.
"""

from __future__ import annotations

from tracer.index import Index, ValueRef, ir
from tracer.trace import patterns

TRUE = "true"  # the value is true in a test
TEXT_TRUE = "text"  # str(value) is true: a string that cannot be empty, or no string
MAX_LEVELS = 6  # nested objects followed (a body is two or three deep)

Facts = dict[str, tuple[str | None, "Facts"]]


def body_facts(index: Index, handler) -> Facts | None:
    """The facts the handler's schema decorators guarantee about its `body` parameter;
    None when it has no schema decorator, no `body` parameter or nothing is known."""
    if not any(p.name == "body" for p in handler.function.params):
        return None
    found: list[Facts] = []
    for dec in handler.function.decorators:
        if type(dec) is not ir.Call or patterns.decorator_name(dec) != "schema" or \
                not dec.args:
            continue
        resolved = _literal(index, handler.module, dec.args[0])
        found.append(_object_facts(index, *resolved, 0) if resolved else {})
    if not found:
        return None
    facts = found[0]
    for other in found[1:]:
        facts = _common(facts, other)
    return facts or None


def _literal(index: Index, module: ir.Module, expr: ir.Expr, depth: int = 0):
    """A dict literal an expression names (itself, or a module-level name through
    imports), with the module its names resolve in; None otherwise."""
    if type(expr) is ir.DictExpr:
        return expr, module
    if depth > 4 or type(expr) not in (ir.Name, ir.Attr):
        return None
    ref = index.resolve_expr(module, expr)
    if isinstance(ref, ValueRef):
        return _literal(index, ref.module, ref.value, depth + 1)
    return None


def _entries(schema: ir.DictExpr) -> dict[str, ir.Expr]:
    return {k.value: v for k, v in zip(schema.keys, schema.values)
            if type(k) is ir.Const and isinstance(k.value, str)}


def _object_facts(index: Index, schema: ir.DictExpr, module: ir.Module, level: int) -> Facts:
    """The required properties of an object schema, each with its fact and, for an
    object, its own properties' facts."""
    if level > MAX_LEVELS:
        return {}
    entries = _entries(schema)
    required = entries.get("required")
    properties = _literal(index, module, entries["properties"]) \
        if "properties" in entries else None
    if type(required) is not ir.Seq or properties is None:
        return {}
    props = _entries(properties[0])
    facts: Facts = {}
    for item in required.items:
        if type(item) is not ir.Const or not isinstance(item.value, str):
            continue
        sub = _literal(index, properties[1], props[item.value]) \
            if item.value in props else None
        if sub is None:
            facts[item.value] = (None, {})
            continue
        facts[item.value] = (_fact(_entries(sub[0])),
                             _object_facts(index, sub[0], sub[1], level + 1))
    return facts


def _fact(entries: dict[str, ir.Expr]) -> str | None:
    """TRUE, TEXT_TRUE or None for a property's schema (its entries)."""
    kind = entries.get("type")
    types = {kind.value} if type(kind) is ir.Const else \
        {i.value for i in kind.items if type(i) is ir.Const} \
        if type(kind) is ir.Seq and all(type(i) is ir.Const for i in kind.items) else None
    enum = entries.get("enum")
    if type(enum) is ir.Seq and enum.items and \
            all(type(i) is ir.Const and i.value for i in enum.items):
        return TRUE  # one of the listed values, each true
    if not types:
        return None
    length = entries.get("minLength")
    nonempty = type(length) is ir.Const and isinstance(length.value, int) and \
        length.value >= 1
    if types == {"string"}:
        return TRUE if nonempty else None
    if "string" in types and not nonempty:
        return None
    # a non-empty string, or a number, boolean, null, object or array: str() never empty
    return TEXT_TRUE


def _common(first: Facts, second: Facts) -> Facts:
    """What two schemas both guarantee."""
    out: Facts = {}
    for key, (fact, sub) in first.items():
        if key in second:
            other_fact, other_sub = second[key]
            out[key] = (fact if fact == other_fact else
                        TEXT_TRUE if {fact, other_fact} == {TRUE, TEXT_TRUE} else None,
                        _common(sub, other_sub))
    return out
