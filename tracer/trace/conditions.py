"""Conditions as the diagrams show them: short plain expressions, never doubly negated.

Branch labels quote the analysed code's conditions. When a label must say the opposite of
a condition (the rest of a function after an early return, the `else` arm of an `alt`) it
is negated here, on the parsed expression: `not (not flavor_id)` reads `flavor_id`, and
`not (a == b and not c)` reads `a != b or c`. The text is the tree's own: parsed with `ast`,
never evaluated.

`exits_when` says when a statement ends its normal path (a `return`, `break` or `continue`
nested in branches; a `raise` is an error path), so what follows can be drawn under the
condition that it did not.
"""

from __future__ import annotations

import ast
import functools
import re

from tracer.index import ir

ALWAYS = "always"  # the statement always ends the function
UNKNOWN = object()  # a value known only at run time
UNPARSED = object()  # a condition that does not parse (cached as such)


class _Set:
    """A value known only to be something, not None: a sentinel's name once the try that
    sets it has run (`reservations = None; try: reservations = QUOTAS.reserve(...)
    finally: if reservations is None: rollback()`). Only `is None` / `is not None` are
    decided on it; its truth and any other comparison are not known."""

    def __repr__(self) -> str:
        return "<set>"


SET = _Set()


class Same:
    """A value known only as which one it is (`host = instance.host`, then `instance.host`
    read again with nothing assigned to it between): two of one token are equal. Only
    `==`, `!=`, `is` and `is not` between two of them are decided, and only when the
    tokens agree (two values of different tokens may still be equal at run time)."""

    __slots__ = ("token",)

    def __init__(self, token: object) -> None:
        self.token = token

    def __repr__(self) -> str:
        return "<same>"
LIMIT = 70  # characters of a label
UNCUT = 1 << 20  # a limit no condition reaches: the whole text

_NEGATED = {ast.Eq: ast.NotEq, ast.NotEq: ast.Eq, ast.Is: ast.IsNot, ast.IsNot: ast.Is,
            ast.In: ast.NotIn, ast.NotIn: ast.In, ast.Lt: ast.GtE, ast.GtE: ast.Lt,
            ast.Gt: ast.LtE, ast.LtE: ast.Gt}


def parse(text: str) -> ast.expr | None:
    try:
        return ast.parse(text.strip(), mode="eval").body
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None


def negate(expr: ast.expr) -> ast.expr:
    """The opposite of `expr`, with as few `not`s as the expression allows."""
    if isinstance(expr, ast.UnaryOp) and isinstance(expr.op, ast.Not):
        return expr.operand
    if isinstance(expr, ast.Compare) and len(expr.ops) == 1 and type(expr.ops[0]) in _NEGATED:
        return ast.Compare(expr.left, [_NEGATED[type(expr.ops[0])]()], expr.comparators)
    if isinstance(expr, ast.BoolOp):
        parts = [negate(value) for value in expr.values]
        # De Morgan only where it removes negations: `not (a and b)` stays as it is
        if _nots(parts) < _nots(expr.values) + 1 or \
                all(not isinstance(p, ast.UnaryOp) for p in parts):
            op = ast.Or() if isinstance(expr.op, ast.And) else ast.And()
            return ast.BoolOp(op, parts)
    return ast.UnaryOp(ast.Not(), expr)


def settled(expr: ast.expr) -> ast.expr:
    """`expr` without the parts its own equality tests decide: in `x != A and x == B`
    (an `elif x == B` after `if x == A`), `x == B` makes `x != A` true, so it goes; a
    name compared equal to two different names or constants is taken to differ (the
    constants of an enumeration: libvirt's job types, vm states)."""
    parts = _parts(expr, ast.And)
    known = {}
    for part in parts:
        if _equality(part) and isinstance(part.ops[0], ast.Eq):
            known.setdefault(ast.unparse(part.left), ast.unparse(part.comparators[0]))
    if not known:
        return expr
    kept = [part for part in parts
            if _equality(part) and isinstance(part.ops[0], ast.Eq) or
            _decided(part, known) is not True]
    return kept[0] if len(kept) == 1 else ast.BoolOp(ast.And(), kept)


def _equality(expr: ast.expr) -> bool:
    """`x == A` or `x != A`, A a name, dotted name or constant."""
    return isinstance(expr, ast.Compare) and len(expr.ops) == 1 and \
        isinstance(expr.ops[0], (ast.Eq, ast.NotEq)) and \
        isinstance(expr.comparators[0], (ast.Name, ast.Attribute, ast.Constant))


def _decided(expr: ast.expr, known: dict[str, str]) -> bool | None:
    """The truth of `expr` given each name of `known` equal to its value; None if open."""
    if _equality(expr) and ast.unparse(expr.left) in known:
        equal = known[ast.unparse(expr.left)] == ast.unparse(expr.comparators[0])
        return equal if isinstance(expr.ops[0], ast.Eq) else not equal
    if isinstance(expr, ast.Compare) and len(expr.ops) == 1 and \
            isinstance(expr.ops[0], (ast.In, ast.NotIn)) and \
            isinstance(expr.comparators[0], (ast.Tuple, ast.List, ast.Set)) and \
            ast.unparse(expr.left) in known and \
            all(isinstance(e, (ast.Name, ast.Attribute, ast.Constant))
                for e in expr.comparators[0].elts):
        # `vm_state not in (BUILDING, RESCUED, ...)` where `vm_state == ACTIVE`
        found = known[ast.unparse(expr.left)] in {ast.unparse(e)
                                                  for e in expr.comparators[0].elts}
        return found if isinstance(expr.ops[0], ast.In) else not found
    if isinstance(expr, ast.UnaryOp) and isinstance(expr.op, ast.Not):
        inner = _decided(expr.operand, known)
        return None if inner is None else not inner
    if isinstance(expr, ast.BoolOp):
        found = [_decided(value, known) for value in expr.values]
        stop = isinstance(expr.op, ast.Or)  # the value that decides: True for or
        if stop in found:
            return stop
        return (not stop) if None not in found else None
    return None


def _nots(exprs) -> int:
    return sum(1 for e in exprs for node in ast.walk(e)
               if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not))


def both(first: ast.expr, second: ast.expr) -> ast.expr:
    return ast.BoolOp(ast.And(), [*_parts(first, ast.And), *_parts(second, ast.And)])


def either(first: ast.expr, second: ast.expr) -> ast.expr:
    return ast.BoolOp(ast.Or(), [*_parts(first, ast.Or), *_parts(second, ast.Or)])


def _parts(expr: ast.expr, op: type) -> list[ast.expr]:
    return list(expr.values) if isinstance(expr, ast.BoolOp) and isinstance(expr.op, op) \
        else [expr]


def text(expr: ast.expr, limit: int = LIMIT) -> str:
    return clip(_unparse(expr), limit)


def _unparse(expr: ast.expr) -> str:
    """Python's own unparser, but `not a and not b` without the parentheses it adds
    around the second `not`; a boolean inside another or inside `not` keeps them."""
    if isinstance(expr, ast.BoolOp):
        word = " and " if isinstance(expr.op, ast.And) else " or "
        return word.join(f"({_unparse(v)})" if isinstance(v, ast.BoolOp) else _unparse(v)
                         for v in expr.values)
    if isinstance(expr, ast.UnaryOp) and isinstance(expr.op, ast.Not):
        if isinstance(expr.operand, ast.UnaryOp) and isinstance(expr.operand.op, ast.Not):
            return _unparse(expr.operand.operand)  # `not not x` says `x`
        inner = _unparse(expr.operand)
        return f"not ({inner})" if isinstance(expr.operand, (ast.BoolOp, ast.Compare,
                                                             ast.IfExp)) \
            else f"not {inner}"
    return ast.unparse(expr)


@functools.lru_cache(maxsize=8192)
def negated_text(condition: str, limit: int = LIMIT) -> str:
    """`not (<condition>)` as a label, simplified when the condition parses."""
    expr = parse(condition.removesuffix("...").strip()) if not condition.endswith("...") \
        else None
    if expr is None:
        return clip(f"not ({condition})", limit)
    return text(negate(expr), limit)


@functools.lru_cache(maxsize=8192)
def plain(condition: str, limit: int = LIMIT) -> str:
    """A condition as written, on one line, without line continuations or comments."""
    expr = parse(condition)
    if expr is None:
        return clip(condition, limit)
    return text(expr, limit)


def clip(text_: str, limit: int = LIMIT) -> str:
    """At most `limit` characters, cut between tokens (never inside a name or string)."""
    text_ = " ".join(text_.replace("\\\n", " ").replace(" \\ ", " ").split())
    if " # " in text_ or text_.startswith("# "):
        # a comment inside a multi-line condition: cut there rather than quote it
        text_ = text_.split("# ", 1)[0].rstrip() + " ..."
    if len(text_) <= limit:
        return text_
    cut = text_[:limit - 4]
    # back to the last boundary between tokens that is not inside a string
    boundaries = [m.end() for m in re.finditer(r"[\s,(\[]", cut)]
    for end in reversed(boundaries):
        head = cut[:end].rstrip(" ,([")
        if head and head.count("'") % 2 == 0 and head.count('"') % 2 == 0:
            return head + " ..."
    return cut + " ..."


def exits_when(stmt: ir.Stmt, cache: dict[int, object]):
    """When `stmt` ends its function through a `return` nested in it (or its
    loop's turn, through `break`/`continue`): ALWAYS, a condition over its branches' tests
    (tuples: ("test", text), ("not", c), ("and"/"or", (c, ...)); `expression` makes it
    an expression, parsing only then), or None if it never does. Exception handlers and
    loops are not looked into (error paths; a loop's exit depends on its items). Cached
    per statement: summaries are read-only and live as long as the index."""
    key = id(stmt)
    if key not in cache:
        cache[key] = (_exits(stmt, cache), stmt)  # the statement kept: its id stays its own
    return cache[key][0]


def _exits(stmt: ir.Stmt, cache: dict):
    kind = type(stmt)
    if kind is ir.Return or kind is ir.Jump:
        return ALWAYS  # a jump ends the rest of its loop's body (loops are not looked into)
    if kind is ir.Raise:
        # an error path: what follows is the normal path, drawn flat (as `if x: raise`
        # guards are), never under "if it did not raise"
        return None
    if kind is ir.If:
        body, orelse = exits_of_body(stmt.body, cache), exits_of_body(stmt.orelse, cache)
        if body is ALWAYS and orelse is ALWAYS:
            return ALWAYS
        test = ("test", stmt.text)
        found = []
        for inner, condition in ((body, test), (orelse, ("not", test))):
            if inner is ALWAYS:
                found.append(condition)
            elif inner is not None:
                found.append(("and", (condition, inner)))
        if not found:
            return None
        return found[0] if len(found) == 1 else ("or", tuple(found))
    if kind is ir.With or kind is ir.Try:
        return exits_of_body(stmt.body, cache)
    return None


def exits_of_body(stmts: tuple, cache: dict):
    """When a statement list ends the function: the first statement that always does
    ends the search, and the list always ends it then (those before it that may exit
    only end it sooner: `if not uuids: return ...; return ...`)."""
    found = []
    for stmt in stmts:
        inner = exits_when(stmt, cache)
        if inner is ALWAYS:
            return ALWAYS
        if inner is not None:
            found.append(inner)
    return _any(found) if found else None


def _any(found: list):
    return found[0] if len(found) == 1 else ("or", tuple(found))


def expression(condition) -> ast.expr | None:
    """A condition of `exits_when` as an expression; None if a test does not parse."""
    kind, value = condition
    if kind == "test":
        return parse(value)
    if kind == "not":
        inner = expression(value)
        return None if inner is None else negate(inner)
    parts = [expression(part) for part in value]
    if None in parts:
        return None
    combine = both if kind == "and" else either
    expr = parts[0]
    for part in parts[1:]:
        expr = combine(expr, part)
    return expr


def unless(condition, limit: int = LIMIT) -> str:
    """The label of what runs only when `condition` (of `exits_when`) is false."""
    expr = expression(condition)
    return "if " + text(negate(expr), limit) if expr is not None else \
        "unless it returned above"


_COMPARE = {ast.Eq: lambda a, b: a == b, ast.NotEq: lambda a, b: a != b,
            ast.Is: lambda a, b: a is b, ast.IsNot: lambda a, b: a is not b,
            ast.In: lambda a, b: a in b, ast.NotIn: lambda a, b: a not in b,
            ast.Lt: lambda a, b: a < b, ast.LtE: lambda a, b: a <= b,
            ast.Gt: lambda a, b: a > b, ast.GtE: lambda a, b: a >= b}


# a comparison of a value with itself: what each operator says
_IDENTICAL = {ast.Eq: True, ast.NotEq: False, ast.Is: True, ast.IsNot: False}


def evaluate(expr: ast.expr, known, called=None, same=None):
    """The value of a condition whose every name is known (`known(dotted)` gives a
    constant or UNKNOWN): `CONF.volume_usage_poll_interval <= 0` with its default 0 is
    True. Only literals, names, `not`, `and`/`or`, comparisons and tuples; anything else
    (a call, arithmetic) is UNKNOWN, but for a call of no arguments `called(dotted)`
    may decide (a predicate function); `same(left, right)` says two sides of `==`, `!=`,
    `is`, `is not` read the same thing of one value (a name bound to the other's value).
    Nothing of the tree is run."""
    kind = type(expr)
    if kind is ast.Constant:
        return expr.value
    if kind is ast.Name or kind is ast.Attribute:
        dotted = _dotted(expr)
        return known(dotted) if dotted else UNKNOWN
    if kind is ast.UnaryOp and isinstance(expr.op, ast.Not):
        value = evaluate(expr.operand, known, called, same)
        return UNKNOWN if value is UNKNOWN or value is SET or type(value) is Same \
            else not value
    if kind is ast.BoolOp:
        decisive = isinstance(expr.op, ast.Or)  # the truth that ends an `or` or an `and`
        unknown = False
        for part in expr.values:
            value = evaluate(part, known, called, same)
            if value is UNKNOWN or value is SET or type(value) is Same:
                unknown = True
            elif bool(value) is decisive:
                return value
        return UNKNOWN if unknown else (not decisive)
    if kind is ast.Compare and len(expr.ops) == 1 and type(expr.ops[0]) in _COMPARE:
        if same is not None and type(expr.ops[0]) in _IDENTICAL and \
                same(expr.left, expr.comparators[0]):
            return _IDENTICAL[type(expr.ops[0])]
        left = evaluate(expr.left, known, called, same)
        right = evaluate(expr.comparators[0], known, called, same)
        if left is UNKNOWN or right is UNKNOWN:
            return UNKNOWN
        if type(left) is Same or type(right) is Same:
            if type(left) is not Same or type(right) is not Same or \
                    left.token is not right.token or \
                    type(expr.ops[0]) not in (ast.Eq, ast.NotEq, ast.Is, ast.IsNot):
                return UNKNOWN
            return type(expr.ops[0]) in (ast.Eq, ast.Is)
        if (left is SET or right is SET) and (
                type(expr.ops[0]) not in (ast.Is, ast.IsNot) or
                (left is not None and right is not None)):
            return UNKNOWN  # only its being None is known
        try:
            return _COMPARE[type(expr.ops[0])](left, right)
        except TypeError:  # None <= 0: not what the code compares at run time
            return UNKNOWN
    if kind is ast.Subscript and type(expr.slice) is ast.Constant:
        # a module's constant table read with a constant key (`ir_states.VERBS['rescue']`)
        dotted = _dotted(expr.value)
        return known(f"{dotted}[{expr.slice.value!r}]") if dotted else UNKNOWN
    if kind is ast.Call and called is not None and not expr.args and not expr.keywords:
        # `limit_utils.use_unified_limits()`: a predicate the caller can decide
        dotted = _dotted(expr.func)
        return called(dotted) if dotted else UNKNOWN
    if kind in (ast.Tuple, ast.List, ast.Set):
        items = tuple(evaluate(item, known, called) for item in expr.elts)
        return UNKNOWN if any(item is UNKNOWN or type(item) is Same for item in items) \
            else items
    return UNKNOWN


def dotted(expr: ast.expr) -> str | None:
    """`a.b.c` as written, for a name or a chain of attributes on one; else None."""
    return _dotted(expr)


def _dotted(expr: ast.expr) -> str | None:
    parts = []
    while isinstance(expr, ast.Attribute):
        parts.append(expr.attr)
        expr = expr.value
    if not isinstance(expr, ast.Name):
        return None
    parts.append(expr.id)
    return ".".join(reversed(parts))
