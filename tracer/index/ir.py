"""The compact summary of one module: a slim, picklable intermediate form of its code.

Only what the analyses need survives: names, attribute chains, calls with their arguments,
constants, assignments, control flow (with the source text of conditions) and definitions.
Arithmetic, formatting, comprehensions and the like collapse into `Other`, keeping their
text so notes can still quote them. Summaries are cached per content hash, so this is the
only form in which a module is seen after its first parse.

The classes are mutable slotted dataclasses on purpose: unpickling frozen ones goes through
Python-level `__setstate__` and triples the warm load time. Treat them as read-only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Union

# ----------------------------------------------------------------------------- expressions


@dataclass(slots=True)
class Name:
    id: str


@dataclass(slots=True)
class Attr:
    value: "Expr"
    attr: str


@dataclass(slots=True)
class Const:
    value: object  # str, bytes, int, float, bool or None


@dataclass(slots=True)
class Call:
    func: "Expr"
    args: tuple["Expr", ...]
    # keyword arguments in order; a None key is `**expr`
    kwargs: tuple[tuple[str | None, "Expr"], ...]
    line: int


@dataclass(slots=True)
class Starred:
    value: "Expr"


@dataclass(slots=True)
class IfExp:
    test: "Expr"
    body: "Expr"
    orelse: "Expr"
    text: str


@dataclass(slots=True)
class DictExpr:
    keys: tuple["Expr | None", ...]  # None key: `**mapping`
    values: tuple["Expr", ...]


@dataclass(slots=True)
class Seq:
    """A list, tuple or set display."""

    items: tuple["Expr", ...]


@dataclass(slots=True)
class Lambda:
    params: tuple[str, ...]
    body: "Expr"


@dataclass(slots=True)
class BoolOp:
    op: str  # "and" or "or"
    values: tuple["Expr", ...]
    text: str


@dataclass(slots=True)
class Other:
    """Any other expression; `calls` keeps the calls nested inside it, in source order.

    `shape` is a structural view of the few such expressions the tracer interprets
    (a subscript, a comprehension); analyses that only need text and calls ignore it."""

    text: str
    calls: tuple[Call, ...] = ()
    shape: "Subscript | Comp | None" = None


@dataclass(slots=True)
class Subscript:
    """`value[index]` (slices are not modelled: their index is `Other`)."""

    value: "Expr"
    index: "Expr"


@dataclass(slots=True)
class Comp:
    """`[elt for target in iter if cond ...]` with one `for` (list, set or generator)."""

    elt: "Expr"
    target: "Expr"
    iter: "Expr"
    conds: tuple["Expr", ...]


Expr = Union[Name, Attr, Const, Call, Starred, IfExp, BoolOp, DictExpr, Seq, Lambda, Other]

def expr_text(expr: Expr | None) -> str:
    """Dotted text of simple expressions (CONF.long_rpc_timeout, _compute_host(host, i))."""
    if expr is None:
        return ""
    if isinstance(expr, Name):
        return expr.id
    if isinstance(expr, Attr):
        return f"{expr_text(expr.value)}.{expr.attr}"
    if isinstance(expr, Const):
        return repr(expr.value)
    if isinstance(expr, Call):
        args = [expr_text(a) for a in expr.args]
        args += [f"{k}={expr_text(v)}" if k else f"**{expr_text(v)}" for k, v in expr.kwargs]
        return f"{expr_text(expr.func)}({', '.join(args)})"
    if isinstance(expr, Starred):
        return f"*{expr_text(expr.value)}"
    if isinstance(expr, Other):
        return expr.text
    if isinstance(expr, IfExp):
        return f"{expr_text(expr.body)} if {expr.text} else {expr_text(expr.orelse)}"
    return "..."


# ------------------------------------------------------------------------------ statements


@dataclass(slots=True)
class Assign:
    targets: tuple[Expr, ...]
    value: Expr
    line: int
    augmented: bool = False


@dataclass(slots=True)
class ExprStmt:
    value: Expr
    line: int


@dataclass(slots=True)
class Return:
    value: Expr | None
    line: int


@dataclass(slots=True)
class Raise:
    exc: Expr | None
    line: int


@dataclass(slots=True)
class Jump:
    """`break` or `continue`: the end of a loop, or of one turn of it."""

    kind: str  # "break" or "continue"
    line: int


@dataclass(slots=True)
class If:
    test: Expr
    text: str
    body: tuple["Stmt", ...]
    orelse: tuple["Stmt", ...]
    line: int


@dataclass(slots=True)
class Loop:
    kind: str  # "for" or "while"
    target: Expr | None
    iter: Expr  # the iterable (for) or the condition (while)
    text: str
    body: tuple["Stmt", ...]
    orelse: tuple["Stmt", ...]
    line: int


@dataclass(slots=True)
class Handler:
    type_text: str
    name: str | None
    body: tuple["Stmt", ...]
    line: int


@dataclass(slots=True)
class Try:
    body: tuple["Stmt", ...]
    handlers: tuple[Handler, ...]
    orelse: tuple["Stmt", ...]
    finalbody: tuple["Stmt", ...]
    line: int


@dataclass(slots=True)
class With:
    items: tuple[tuple[Expr, Expr | None], ...]
    body: tuple["Stmt", ...]
    line: int


@dataclass(slots=True)
class Param:
    name: str
    default: Expr | None = None
    kind: str = "normal"  # normal, vararg (*args), kwonly, kwarg (**kw)


@dataclass(slots=True)
class Function:
    name: str
    qualname: str  # Class.method or outer.<locals>.inner
    params: tuple[Param, ...]
    decorators: tuple[Expr, ...]
    body: tuple["Stmt", ...]
    line: int
    end_line: int
    is_async: bool = False
    is_property: bool = False
    is_static: bool = False
    is_classmethod: bool = False


@dataclass(slots=True)
class Class:
    name: str
    bases: tuple[Expr, ...]
    decorators: tuple[Expr, ...]
    methods: dict[str, Function]
    # class-level assignments: name -> value (the last one wins, as at run time)
    attrs: dict[str, Expr]
    line: int
    end_line: int
    # earlier definitions of a method the class body defines again (a controller's
    # `@wsgi.Controller.api_version` variants of one handler), in source order; `methods`
    # holds the last, the one Python keeps
    overloads: dict[str, tuple[Function, ...]] = field(default_factory=dict)


@dataclass(slots=True)
class FunctionDef:
    """A def nested in a body (inner functions, decorators' wrappers)."""

    function: Function
    line: int


@dataclass(slots=True)
class ClassDef:
    cls: Class
    line: int


Stmt = Union[Assign, ExprStmt, Return, Raise, Jump, If, Loop, Try, With, FunctionDef,
             ClassDef]


@dataclass(slots=True)
class Import:
    """`local` names `target`: a module (`import a.b as local`) or `module.attr`."""

    local: str
    target: str
    line: int


@dataclass(slots=True)
class ParseProblem:
    path: str
    line: int
    message: str


@dataclass(slots=True)
class Module:
    name: str  # dotted, e.g. nova.compute.api
    path: str  # relative to the tree root, e.g. nova/compute/api.py
    digest: str  # sha256 of the bytes summarised
    imports: dict[str, Import] = field(default_factory=dict)
    # module-level assignments: name -> value (the last one wins)
    assigns: dict[str, Expr] = field(default_factory=dict)
    classes: dict[str, Class] = field(default_factory=dict)
    functions: dict[str, Function] = field(default_factory=dict)
    # module-level statements other than defs and imports, in order (option lists,
    # registrations): kept for analyses that read configuration defaults
    body: tuple[Stmt, ...] = ()
    problem: ParseProblem | None = None
    # parsed with an older grammar (Python-2-era names such as `async`)
    legacy_grammar: bool = False


def sub_bodies(stmt: "Stmt") -> list[tuple]:
    """The statement lists nested directly in `stmt` (branches, loop and try bodies)."""
    if isinstance(stmt, (If, Loop)):
        return [stmt.body, stmt.orelse]
    if isinstance(stmt, With):
        return [stmt.body]
    if isinstance(stmt, Try):
        return [stmt.body, stmt.orelse, stmt.finalbody] + [h.body for h in stmt.handlers]
    return []


def expr_calls(expr: "Expr | None"):
    """Every call inside an expression, outermost first (into lambdas and the calls kept
    by `Other`)."""
    if expr is None:
        return
    if isinstance(expr, Call):
        yield expr
        yield from expr_calls(expr.func)
        for arg in expr.args:
            yield from expr_calls(arg)
        for _, value in expr.kwargs:
            yield from expr_calls(value)
    elif isinstance(expr, Seq):
        for item in expr.items:
            yield from expr_calls(item)
    elif isinstance(expr, DictExpr):
        for value in expr.values:
            yield from expr_calls(value)
    elif isinstance(expr, (Starred, Attr)):
        yield from expr_calls(expr.value)
    elif isinstance(expr, IfExp):
        yield from expr_calls(expr.body)
        yield from expr_calls(expr.orelse)
    elif isinstance(expr, BoolOp):
        for value in expr.values:
            yield from expr_calls(value)
    elif isinstance(expr, Lambda):
        yield from expr_calls(expr.body)
    elif isinstance(expr, Other):
        for call in expr.calls:
            yield from expr_calls(call)


def statement_exprs(stmt: "Stmt") -> list:
    """The expressions a statement evaluates itself (not those of its nested bodies)."""
    if isinstance(stmt, Assign):
        return [*stmt.targets, stmt.value]
    if isinstance(stmt, (ExprStmt, Return)):
        return [stmt.value]
    if isinstance(stmt, Raise):
        return [stmt.exc]
    if isinstance(stmt, If):
        return [stmt.test]
    if isinstance(stmt, Loop):
        return [stmt.target, stmt.iter]
    if isinstance(stmt, With):
        return [expr for item in stmt.items for expr in item]
    return []


def body_calls(body: tuple):
    """Every call of a function body, nested statements included (not inner defs)."""
    for stmt in walk(body):
        for expr in statement_exprs(stmt):
            yield from expr_calls(expr)


def walk(body: tuple):
    """Every statement of `body`, nested ones included (not into inner defs), in order."""
    for stmt in body:
        yield stmt
        for sub in sub_bodies(stmt):
            yield from walk(sub)
