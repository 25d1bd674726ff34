"""The RPC model of a tree: client classes, what each client method sends, and its handler.

A client method is read by a small abstract interpreter over its summary: values are RPC
clients, prepared contexts (`client.prepare(...)`), bound send methods (`cctxt.cast`),
constants, tuples and dicts. Assignments are followed in order, branches are joined, helper
methods of the client (`self._ver(...)`, `self.prepare_for_alt_rpcserver(...)`, the `router`
property), wherever in the class's ancestry they are defined and also when reached through
`super()`, are evaluated with their arguments bound (`**kwargs` too). `self.X` is an
attribute set in an `__init__` of the ancestry, else a class attribute, looked up from the
class being read (`TOPIC = constants.VOLUME_TOPIC` in a subclass read by its base's
`__init__`); names and dotted names of other modules that hold constants are followed
through the imports. So a base class in another module that builds the client from class
attributes and prepares the context in a helper (Cinder's `cinder.rpc.RPCAPI` and
`_get_cctxt`) is read like one written out in each client. Every send reached is recorded
with the conditions guarding it, so a kind chosen at run time (`if do_cast:`) is reported as
both kinds together with the argument that decides it; a method name chosen at run time
among constants is reported once per name.
"""

from __future__ import annotations

import re

from dataclasses import dataclass, field

from tracer.index import ClassRef, FunctionRef, Index, ValueRef, ir
from tracer.index.ir import body_calls, expr_text, sub_bodies, walk
from tracer.index.options import tail as _tail
from tracer.index.options import option_default
from tracer.model import RpcMethod, RpcModel, Service
from tracer.profiles import Profile
from tracer.profiles.nova import NOVA

# Files that can hold an RPC client must mention one of these and send with one of those.
CLIENT_NEEDLES = (b"prepare(", b"get_client(", b"RPCClient(")
SEND_NEEDLES = (b".cast(", b".call(", b"cctxt.cast", b"cctxt.call")
CLIENT_FACTORIES = {"get_client", "RPCClient", "get_rpc_client"}
ROUTERS = {"ClientRouter"}
MAX_HELPER_DEPTH = 5
# How many names a constant is followed through (`VOLUME_TOPIC = VOLUME_BINARY = '...'`).
MAX_CONSTANT_HOPS = 8
# What differs between projects (the service served everywhere, `nova-*`; the modules that
# name each service's manager class) is in its profile (tracer.profiles).

# ----------------------------------------------------------------------------- values


@dataclass(frozen=True)
class Target:
    topic_text: str
    version: str | None
    namespace: str | None
    module: str  # where the Target was built, to resolve the topic
    topic: ir.Expr | None = field(default=None, compare=False, hash=False)


@dataclass(frozen=True)
class Client:
    targets: tuple[Target, ...]


@dataclass(frozen=True)
class Prepared:
    client: Client
    opts: tuple[tuple[str, tuple], ...]  # keyword -> tuple of values

    def get(self, key: str) -> tuple:
        for k, vals in self.opts:
            if k == key:
                return vals
        return ()


@dataclass(frozen=True)
class Guard:
    text: str
    param: str | None  # the method parameter tested, when the test is a bare name
    positive: bool


@dataclass(frozen=True)
class SendFn:
    kind: str  # call or cast
    prepared: Prepared
    guard: Guard | None = None


@dataclass(frozen=True)
class Const:
    value: object


@dataclass(frozen=True)
class DictVal:
    items: tuple[tuple[str, tuple], ...]


@dataclass(frozen=True)
class Text:
    """A value we do not model, kept as its source text (for server=, timeout=)."""

    text: str


@dataclass(frozen=True)
class SelfRef:
    pass


Value = Target | Client | Prepared | SendFn | Const | DictVal | Text | SelfRef
Values = frozenset


@dataclass
class Send:
    kind: str
    method: str | None
    prepared: Prepared
    guards: tuple[Guard, ...]
    line: int


@dataclass
class _Frame:
    env: dict[str, Values]
    params: set[str]
    guards: list[Guard] = field(default_factory=list)


def version_key(version: str) -> tuple[int, ...]:
    try:
        return tuple(int(p) for p in version.split("."))
    except ValueError:
        return (0,)


# ----------------------------------------------------------------------------- interpreter


class ClassEvaluator:
    """Evaluates the methods of one class abstractly, tracking RPC clients and sends."""

    def __init__(self, index: Index, ref: ClassRef) -> None:
        self.index = index
        self.ref = ref
        self._self_attrs: dict[str, Values] | None = None
        self._active: list[str] = []

    # -- self attributes ----------------------------------------------------------

    def self_attrs(self) -> dict[str, Values]:
        """`self.x = ...` values from every `__init__` in the ancestry."""
        if self._self_attrs is None:
            self._self_attrs = {}
            for klass in reversed(self.index.mro(self.ref)):
                init = klass.cls.methods.get("__init__")
                if init is not None:
                    self.run(FunctionRef(klass.module, init, klass.cls), {}, [])
        return self._self_attrs

    # -- running a function -------------------------------------------------------

    def run(self, fn: FunctionRef, bound: dict[str, Values], sends: list[Send],
            guards: list[Guard] | None = None) -> Values:
        """Evaluate `fn` with `bound` arguments; sends go to `sends`; returns its results."""
        key = fn.dotted
        if key in self._active or len(self._active) >= MAX_HELPER_DEPTH:
            return frozenset()
        self._active.append(key)
        try:
            params = {p.name for p in fn.function.params}
            env: dict[str, Values] = {}
            for p in fn.function.params:
                if p.name in bound:
                    env[p.name] = bound[p.name]
                elif p.default is not None:
                    env[p.name] = self.eval(fn, p.default, _Frame({}, params), sends)
            returns: list[Values] = []
            frame = _Frame(env, params, list(guards or []))
            self._block(fn, fn.function.body, frame, sends, returns)
            out: frozenset = frozenset()
            for r in returns:
                out |= r
            return out
        finally:
            self._active.pop()

    def _block(self, fn: FunctionRef, body: tuple, frame: _Frame, sends: list[Send],
               returns: list[Values]) -> bool:
        """Run statements in order; False when every path through them has returned."""
        pushed = 0
        try:
            for stmt in body:
                if not self._stmt(fn, stmt, frame, sends, returns):
                    return False
                if isinstance(stmt, ir.If) and self._terminates(stmt.body):
                    # `if do_cast: return cctxt.cast(...)` -- what follows runs when not
                    frame.guards.append(self._guard(stmt, frame, positive=False))
                    pushed += 1
            return True
        finally:
            del frame.guards[len(frame.guards) - pushed:]

    @staticmethod
    def _terminates(body: tuple) -> bool:
        return bool(body) and isinstance(body[-1], (ir.Return, ir.Raise))

    def _guard(self, stmt: ir.If, frame: _Frame, positive: bool) -> Guard:
        param = None
        test = stmt.test
        if isinstance(test, ir.Name) and test.id in frame.params:
            param = test.id
        elif isinstance(test, ir.Other) and test.text.startswith("not "):
            name = test.text[4:].strip()
            if name in frame.params:
                param, positive = name, not positive
        return Guard(stmt.text, param, positive)

    def _stmt(self, fn: FunctionRef, stmt: ir.Stmt, frame: _Frame, sends: list[Send],
              returns: list[Values]) -> bool:
        if isinstance(stmt, ir.Assign):
            value = self.eval(fn, stmt.value, frame, sends)
            for target in stmt.targets:
                self._assign(target, value, frame, stmt.augmented)
            return True
        if isinstance(stmt, ir.ExprStmt):
            self.eval(fn, stmt.value, frame, sends)
            return True
        if isinstance(stmt, ir.Return):
            returns.append(self.eval(fn, stmt.value, frame, sends) if stmt.value else frozenset())
            return False
        if isinstance(stmt, ir.Raise):
            return False
        if isinstance(stmt, ir.If):
            return self._if(fn, stmt, frame, sends, returns)
        if isinstance(stmt, (ir.Loop, ir.With, ir.Try)):
            for body in sub_bodies(stmt):
                branch = _Frame(dict(frame.env), frame.params, list(frame.guards))
                self._block(fn, body, branch, sends, returns)
                _join_into(frame.env, branch.env)
            return True
        return True

    def _if(self, fn: FunctionRef, stmt: ir.If, frame: _Frame, sends: list[Send],
            returns: list[Values]) -> bool:
        self.eval(fn, stmt.test, frame, sends)
        live = []
        for body, positive in ((stmt.body, True), (stmt.orelse, False)):
            branch = _Frame(dict(frame.env), frame.params,
                            frame.guards + [self._guard(stmt, frame, positive)])
            if self._block(fn, body, branch, sends, returns):
                live.append(branch.env)
        if not live:
            return False
        merged: dict[str, Values] = dict(live[0])
        for env in live[1:]:
            _join_into(merged, env)
        frame.env.clear()
        frame.env.update(merged)
        return True

    def _assign(self, target: ir.Expr, value: Values, frame: _Frame, augmented: bool) -> None:
        if isinstance(target, ir.Name):
            frame.env[target.id] = (frame.env.get(target.id, frozenset()) | value
                                    if augmented else value)
        elif (isinstance(target, ir.Attr) and isinstance(target.value, ir.Name)
              and target.value.id == "self" and self._self_attrs is not None):
            self._self_attrs[target.attr] = self._self_attrs.get(target.attr, frozenset()) | value
        elif (isinstance(target, ir.Other) and isinstance(target.shape, ir.Subscript)
              and isinstance(target.shape.value, ir.Name)
              and isinstance(target.shape.index, ir.Const)
              and isinstance(target.shape.index.value, str)
              and target.shape.value.id in frame.env):
            # kwargs['server'] = server: that key of the dicts the name holds
            key, name = target.shape.index.value, target.shape.value.id
            frame.env[name] = frozenset(
                _dict_set(v, key, value, augmented) if isinstance(v, DictVal) else v
                for v in frame.env[name])

    # -- expressions --------------------------------------------------------------

    def eval(self, fn: FunctionRef, expr: ir.Expr, frame: _Frame, sends: list[Send]) -> Values:
        if isinstance(expr, ir.Const):
            return frozenset({Const(expr.value)})
        if isinstance(expr, ir.Name):
            if expr.id in frame.env:
                return frame.env[expr.id]
            if expr.id == "self":
                return frozenset({SelfRef()})
            return self._module_value(fn, expr)
        if isinstance(expr, ir.Attr):
            return self._attr(fn, expr, frame, sends)
        if isinstance(expr, ir.Call):
            return self._call(fn, expr, frame, sends)
        if isinstance(expr, ir.IfExp):
            guard_pos = self._guard(ir.If(expr.test, expr.text, (), (), 0), frame, True)
            guard_neg = Guard(guard_pos.text, guard_pos.param, not guard_pos.positive)
            body = self.eval(fn, expr.body, frame, sends)
            orelse = self.eval(fn, expr.orelse, frame, sends)
            return _with_guard(body, guard_pos) | _with_guard(orelse, guard_neg)
        if isinstance(expr, ir.BoolOp):
            return self._boolop(fn, expr, frame, sends)
        if isinstance(expr, ir.Seq):
            # a tuple of constants (`('3.3', '3.0')`: versions newest first) is a constant
            items = [self.eval(fn, item, frame, sends) for item in expr.items]
            if all(len(v) == 1 and isinstance(next(iter(v)), Const) for v in items):
                return frozenset({Const(tuple(next(iter(v)).value for v in items))})
            return frozenset({Text(expr_text(expr))})
        if isinstance(expr, ir.DictExpr):
            items = []
            for k, v in zip(expr.keys, expr.values):
                if isinstance(k, ir.Const) and isinstance(k.value, str):
                    items.append((k.value, tuple(self.eval(fn, v, frame, sends))))
            return frozenset({DictVal(tuple(items))})
        if isinstance(expr, ir.Other):
            for call in expr.calls:
                self._call(fn, call, frame, sends)
            return frozenset({Text(expr.text)})
        return frozenset({Text(expr_text(expr))})

    def _boolop(self, fn: FunctionRef, expr: ir.BoolOp, frame: _Frame,
                sends: list[Send]) -> Values:
        """`do_cast and cctxt.cast or cctxt.call`: the old spelling of a conditional."""
        out: frozenset = frozenset()
        if expr.op == "and":
            test, *rest = expr.values
            guard = self._guard(ir.If(test, _expr_source(test), (), (), 0), frame, True)
            for value in rest:
                out |= _with_guard(self.eval(fn, value, frame, sends), guard)
            return out
        first, *rest = expr.values
        out = self.eval(fn, first, frame, sends)
        negated = None
        if isinstance(first, ir.BoolOp) and first.op == "and":
            g = self._guard(ir.If(first.values[0], _expr_source(first.values[0]), (), (), 0),
                            frame, False)
            negated = g
        for value in rest:
            values = self.eval(fn, value, frame, sends)
            out |= _with_guard(values, negated) if negated else values
        return out

    def _module_value(self, fn: FunctionRef, expr: ir.Name) -> Values:
        """A module-level constant (RPC_TOPIC = 'compute'), also one imported from another
        module, else the name as text."""
        value = fn.module.assigns.get(expr.id)
        if isinstance(value, ir.Const):
            return frozenset({Const(value.value)})
        const = _constant(self.index, fn.module, expr)
        if const is not None:
            return frozenset({Const(const.value)})
        return frozenset({Text(expr.id)})

    def _attr(self, fn: FunctionRef, expr: ir.Attr, frame: _Frame, sends: list[Send]) -> Values:
        base = self.eval(fn, expr.value, frame, sends)
        out: set = set()
        for value in base:
            if isinstance(value, SelfRef):
                out |= self._self_member(expr.attr, sends)
            elif expr.attr in ("cast", "call") and isinstance(value, (Prepared, Client)):
                prepared = value if isinstance(value, Prepared) else Prepared(value, ())
                out.add(SendFn(expr.attr, prepared))
        if not out:
            # a constant of another module: constants.VOLUME_TOPIC
            const = _constant(self.index, fn.module, expr)
            if const is not None:
                return frozenset({Const(const.value)})
        return frozenset(out) if out else frozenset({Text(expr_text(expr))})

    def _self_member(self, name: str, sends: list[Send]) -> Values:
        attrs = self.self_attrs()
        if name in attrs:
            return attrs[name]
        method = self.index.find_method(self.ref, name)
        if method is not None and method.function.is_property:
            return self.run(method, {}, sends)
        if method is None:
            # a class attribute, from the class being read: the subclass's TOPIC, read
            # by its base class's __init__
            found = self.index.class_attr(self.ref, name)
            if found is not None:
                klass, value = found
                return self.eval(_class_scope(klass), value, _Frame({}, set()), sends)
        return frozenset()

    def _call(self, fn: FunctionRef, call: ir.Call, frame: _Frame, sends: list[Send]) -> Values:
        func = call.func
        name = _tail(func)
        if name in CLIENT_FACTORIES:
            return frozenset({Client(self._targets(fn, call, frame, sends))})
        if name in ROUTERS:
            return self._first_arg(fn, call, frame, sends)
        if name == "Target":
            return frozenset({self._target(fn, call, frame, sends)})
        if isinstance(func, ir.Attr):
            owner = self.eval(fn, func.value, frame, sends)
            if func.attr == "prepare":
                clients = [v for v in owner if isinstance(v, (Client, Prepared))]
                if clients:
                    opts = self._kwargs(fn, call, frame, sends)
                    return frozenset(Prepared(_client_of(c), opts) for c in clients)
            if func.attr not in ("cast", "call") and any(isinstance(v, Client) for v in owner):
                # router.client(ctxt), router.by_instance(ctxt, instance), by_host(...)
                return frozenset(v for v in owner if isinstance(v, Client))
            if any(isinstance(v, SelfRef) for v in owner):
                method = self.index.find_method(self.ref, func.attr)
                if method is not None and not method.function.is_property:
                    return _chosen_version(call, self.run(
                        method, self._bind(fn, method, call, frame, sends), sends,
                        frame.guards))
            if _is_super(func.value):
                method = self._super_method(fn, func.attr)
                if method is not None and not method.function.is_property:
                    return self.run(method, self._bind(fn, method, call, frame, sends), sends,
                                    frame.guards)
        callee = self.eval(fn, func, frame, sends)
        for value in callee:
            if isinstance(value, SendFn):
                self._record(fn, value, call, frame, sends)
        for arg in call.args:
            self.eval(fn, arg, frame, sends)
        for _, arg in call.kwargs:
            self.eval(fn, arg, frame, sends)
        return frozenset({Text(expr_text(call))})

    def _super_method(self, fn: FunctionRef, name: str) -> FunctionRef | None:
        """`super().name` in a method of `fn`'s class: the next definition of `name` after
        that class in the ancestry of the class being read."""
        mro = self.index.mro(self.ref)
        after = [i for i, klass in enumerate(mro) if klass.cls is fn.owner]
        for klass in mro[after[0] + 1:] if after else ():
            found = klass.cls.methods.get(name)
            if found is not None:
                return FunctionRef(klass.module, found, klass.cls)
        return None

    def _record(self, fn: FunctionRef, send: SendFn, call: ir.Call, frame: _Frame,
                sends: list[Send]) -> None:
        methods: list[str | None] = [None]
        if len(call.args) >= 2:
            names = sorted({v.value for v in self.eval(fn, call.args[1], frame, sends)
                            if isinstance(v, Const) and isinstance(v.value, str)})
            # one name, or one of several constants chosen at run time (each is sent)
            methods = list(names) or [None]
        else:
            for key, value in call.kwargs:
                if key == "method" and isinstance(value, ir.Const):
                    methods = [str(value.value)]
        guards = tuple(frame.guards) + ((send.guard,) if send.guard else ())
        for method in methods:
            sends.append(Send(send.kind, method, send.prepared, guards, call.line))

    def _first_arg(self, fn, call, frame, sends) -> Values:
        if call.args:
            return self.eval(fn, call.args[0], frame, sends)
        return frozenset()

    def _targets(self, fn, call, frame, sends) -> tuple[Target, ...]:
        # get_client(target, ...) and RPCClient(transport, target, ...)
        exprs = list(call.args[:2]) + [v for k, v in call.kwargs if k == "target"]
        found = []
        for expr in exprs:
            found += [v for v in self.eval(fn, expr, frame, sends) if isinstance(v, Target)]
        return tuple(sorted(set(found), key=repr))

    def _target(self, fn, call, frame, sends) -> Target:
        kw = dict((k, v) for k, v in call.kwargs if k)
        topic = kw.get("topic")
        if isinstance(topic, ir.Name) and topic.id in frame.env:
            consts = [v for v in frame.env[topic.id] if isinstance(v, Const)]
            topic = ir.Const(consts[0].value) if len(consts) == 1 else topic
        elif _on_self(topic):
            # Target(topic=self.TOPIC, version=self.RPC_API_VERSION): the class's values
            topic = self._single_const(fn, topic, frame, sends) or topic
        version = kw.get("version")
        if _on_self(version):
            version = self._single_const(fn, version, frame, sends)
        return Target(expr_text(topic), _module_str(fn.module, version),
                      _module_str(fn.module, kw.get("namespace")), fn.module.name, topic)

    def _single_const(self, fn, expr, frame, sends) -> ir.Const | None:
        values = self.eval(fn, expr, frame, sends)
        if len(values) == 1 and isinstance(value := next(iter(values)), Const):
            return ir.Const(value.value)
        return None

    def _kwargs(self, fn, call, frame, sends) -> tuple[tuple[str, tuple], ...]:
        opts: dict[str, set] = {}
        for key, value in call.kwargs:
            values = self.eval(fn, value, frame, sends)
            if key is None:  # **params
                for v in values:
                    if isinstance(v, DictVal):
                        for k, vs in v.items:
                            opts.setdefault(k, set()).update(vs)
            else:
                opts.setdefault(key, set()).update(values)
        return tuple(sorted((k, tuple(sorted(v, key=repr))) for k, v in opts.items()))

    def _bind(self, fn, method: FunctionRef, call: ir.Call, frame, sends) -> dict[str, Values]:
        params = [p for p in method.function.params if p.kind in ("normal", "kwonly")]
        if not method.function.is_static:
            params = params[1:]
        bound: dict[str, Values] = {}
        for param, arg in zip(params, call.args):
            if isinstance(arg, ir.Starred):
                break
            bound[param.name] = self.eval(fn, arg, frame, sends)
        named = {p.name for p in params}
        kwarg = next((p.name for p in method.function.params if p.kind == "kwarg"), None)
        extra: dict[str, frozenset] = {}  # what `**kwargs` receives
        for key, value in call.kwargs:
            if key is not None:
                bound[key] = self.eval(fn, value, frame, sends)
                if kwarg is not None and key not in named:
                    extra[key] = bound[key]
            elif kwarg is not None:
                # f(**kwargs): the keys of the dicts it may hold
                for item in self.eval(fn, value, frame, sends):
                    if isinstance(item, DictVal):
                        for k, vs in item.items:
                            target = bound if k in named else extra
                            target[k] = target.get(k, frozenset()) | frozenset(vs)
        if kwarg is not None:
            bound[kwarg] = frozenset({DictVal(tuple((k, tuple(sorted(vs, key=repr)))
                                                    for k, vs in sorted(extra.items())))})
        return bound


def _is_super(expr: ir.Expr) -> bool:
    """`super()` or `super(Class, self)`."""
    return isinstance(expr, ir.Call) and isinstance(expr.func, ir.Name) \
        and expr.func.id == "super"


def _on_self(expr: ir.Expr | None) -> bool:
    """`self.X`."""
    return isinstance(expr, ir.Attr) and isinstance(expr.value, ir.Name) \
        and expr.value.id == "self"


def _class_scope(klass: ClassRef) -> FunctionRef:
    """Where a class attribute's value is evaluated: the module of its class."""
    body = ir.Function(name="<class>", qualname=klass.cls.name, params=(), decorators=(),
                       body=(), line=klass.cls.line, end_line=klass.cls.end_line)
    return FunctionRef(klass.module, body, klass.cls)


def _dict_set(value: DictVal, key: str, values: Values, augmented: bool) -> DictVal:
    items = dict(value.items)
    new = frozenset(values) | (frozenset(items.get(key, ())) if augmented else frozenset())
    items[key] = tuple(sorted(new, key=repr))
    return DictVal(tuple(sorted(items.items())))


def _constant(index: Index, module: ir.Module, expr: ir.Expr) -> ir.Const | None:
    """The constant a name or dotted name of `module` holds through imports and module
    assignments (`constants.VOLUME_TOPIC`, `VOLUME_TOPIC = VOLUME_BINARY`), else None."""
    for _ in range(MAX_CONSTANT_HOPS):
        if not isinstance(expr, (ir.Name, ir.Attr)):
            return None
        ref = index.resolve_expr(module, expr)
        if not isinstance(ref, ValueRef):
            return None
        module, expr = ref.module, ref.value
        if isinstance(expr, ir.Const):
            return expr
    return None


def _expr_source(expr: ir.Expr) -> str:
    if isinstance(expr, (ir.Other, ir.IfExp, ir.BoolOp)):
        return expr.text
    return expr_text(expr)


def _client_of(value: Client | Prepared) -> Client:
    return value if isinstance(value, Client) else value.client


def _const_str(expr: ir.Expr | None) -> str | None:
    if isinstance(expr, ir.Const) and isinstance(expr.value, str):
        return expr.value
    return None


def _module_str(module: ir.Module, expr: ir.Expr | None) -> str | None:
    """A string literal, or a module constant holding one (`namespace=_NAMESPACE`)."""
    if isinstance(expr, ir.Name):
        expr = module.assigns.get(expr.id)
    return _const_str(expr)


def _with_guard(values: Values, guard: Guard) -> Values:
    return frozenset(SendFn(v.kind, v.prepared, guard) if isinstance(v, SendFn) else v
                     for v in values)


def _join_into(env: dict[str, Values], other: dict[str, Values]) -> None:
    for key, values in other.items():
        env[key] = env.get(key, frozenset()) | values


# ----------------------------------------------------------------------------- clients


@dataclass
class ClientMethod:
    """What one client method sends: the raw result of evaluating it."""

    ref: FunctionRef
    cls: ClassRef
    sends: list[Send]
    targets: tuple[Target, ...]


def find_client_methods(index: Index) -> tuple[list[ClientMethod], list[str]]:
    """Every public method of every class that sends an RPC, in file order.

    A client is a class of a module that makes an RPC client and sends, or that sends and
    derives from a class of a module that makes one (a base class building the client for
    its subclasses in other modules, as Cinder's `cinder.rpc.RPCAPI`)."""
    makers = set(index.files_containing(*CLIENT_NEEDLES))
    senders = index.files_containing(*SEND_NEEDLES)
    index.prefetch(senders)
    found: list[ClientMethod] = []
    notes: list[str] = []
    for rel in senders:
        mod = index.module_at(rel)
        if mod is None or mod.problem is not None:
            continue
        for cls in mod.classes.values():
            ref = ClassRef(mod, cls)
            if rel in makers or any(klass.module.path in makers
                                    for klass in index.mro(ref)[1:]):
                found += _client_methods_of(index, ref, notes)
    return found, notes


def _client_methods_of(index: Index, ref: ClassRef, notes: list[str]) -> list[ClientMethod]:
    evaluator = ClassEvaluator(index, ref)
    out = []
    for name, fn in ref.cls.methods.items():
        if name.startswith("_") or fn.is_property:
            continue
        sends: list[Send] = []
        fref = FunctionRef(ref.module, fn, ref.cls)
        evaluator.run(fref, {}, sends)
        if not sends or _forwards_name(fn, sends):
            continue
        targets = tuple(sorted({t for s in sends for t in s.prepared.client.targets}, key=repr))
        out.append(ClientMethod(fref, ref, sends, targets))
    return out


def _forwards_name(fn: ir.Function, sends: list[Send]) -> bool:
    """A send helper, not a client method: it sends the method name its caller gives
    (`def cast(self, name, **kwargs): self.__client.cast(ctx, name, **kwargs)`, the wrapper
    Sahara's `RPCClient` puts around the messaging client); the methods calling it through
    `self.cast('provision_cluster', ...)` are the client methods."""
    if any(send.method is not None for send in sends):
        return False
    params = {p.name for p in fn.params[1:] if p.kind in ("normal", "kwonly")}
    for call in body_calls(fn.body):
        if isinstance(call.func, ir.Attr) and call.func.attr in ("cast", "call") and any(
                isinstance(arg, ir.Name) and arg.id in params for arg in call.args):
            return True
    return False


# ----------------------------------------------------------------------------- services


def resolve_topic(index: Index, target: Target) -> str | None:
    """The topic a client targets: a literal, a module constant, or a config default."""
    topic = target.topic
    if isinstance(topic, ir.Const) and isinstance(topic.value, str):
        return topic.value
    module = index.module(target.module)
    if module is None or topic is None:
        return None
    if isinstance(topic, ir.Name):
        value = module.assigns.get(topic.id)
        if isinstance(value, ir.Const) and isinstance(value.value, str):
            return value.value
        ref = index.resolve(module, topic.id)
        if isinstance(ref, ValueRef) and isinstance(ref.value, ir.Const):
            return str(ref.value.value)
    if isinstance(topic, ir.Attr):
        # CONF.compute_topic or CONF.conductor.topic: read the option's default
        option = topic.attr
        group = topic.value.attr if isinstance(topic.value, ir.Attr) else None
        default = option_default(index, module, option, group)
        if default:
            return default
        if option.endswith("_topic"):
            return option[: -len("_topic")]
        if group:
            return group
    return None


def service_managers(index: Index, profile: Profile = NOVA) -> dict[str, str]:
    """binary -> dotted manager class, from the modules the profile names (Nova's
    SERVICE_MANAGERS or *_manager options; Cinder's *_manager options)."""
    found: dict[str, str] = {}
    pattern = profile.manager_pattern
    for name in profile.manager_registries:
        module = index.module(name)
        if module is None:
            continue
        for text in (*_module_strings(module), *_module_and_class_args(module)):
            match = pattern.match(text)
            if match:
                found.setdefault(profile.binary(match.group(1)), text)
    return found


def _module_and_class_args(module: ir.Module):
    """`module.Class` named by two string arguments in a row of a call in the module's
    functions (Ironic's `RPCService(CONF.host, 'ironic.conductor.manager',
    'ConductorManager')`)."""
    for function in module.functions.values():
        for call in ir.body_calls(function.body):
            texts = [a.value if isinstance(a, ir.Const) and isinstance(a.value, str) else None
                     for a in call.args]
            for first, second in zip(texts, texts[1:]):
                if first and second and second[:1].isupper() and "." not in second:
                    yield f"{first}.{second}"


def _module_strings(module: ir.Module):
    stack: list = list(module.body)
    while stack:
        node = stack.pop(0)
        if isinstance(node, ir.Const) and isinstance(node.value, str):
            yield node.value
        elif isinstance(node, (ir.Assign, ir.ExprStmt)):
            stack.append(node.value)
        elif isinstance(node, ir.Call):
            # cfg.StrOpt('network_manager', choices=(...), default='...'): the default only
            stack.extend(a for a in node.args if not isinstance(a, ir.Const))
            stack.extend(v for k, v in node.kwargs if k == "default")
        elif isinstance(node, ir.Seq):
            stack.extend(node.items)
        elif isinstance(node, ir.DictExpr):
            stack.extend(node.values)


@dataclass
class Endpoint:
    """A class an RPC server dispatches to, with its messaging target."""

    ref: ClassRef
    namespace: str | None
    version: str | None


def endpoints_of(index: Index, manager: str) -> list[Endpoint]:
    """The manager class and its `additional_endpoints` (conductor tasks, version proxies)."""
    ref = index.resolve_dotted(manager)
    if not isinstance(ref, ClassRef):
        return []
    classes = [ref]
    for klass in index.mro(ref):
        init = klass.cls.methods.get("__init__")
        if init is not None:
            classes += _appended_endpoints(index, klass.module, init)
    out = []
    for klass in classes:
        namespace, version = _target_of(index, klass)
        out.append(Endpoint(klass, namespace, version))
    return out


def _appended_endpoints(index: Index, module: ir.Module, init: ir.Function) -> list[ClassRef]:
    """Classes instantiated in `self.additional_endpoints.append(X(...))` / `.extend([...])`."""
    out = []
    for call in _calls_in(init.body):
        func = call.func
        if not (isinstance(func, ir.Attr) and func.attr in ("append", "extend")
                and _tail(func.value) == "additional_endpoints"):
            continue
        items = list(call.args)
        if items and isinstance(items[0], ir.Seq):
            items = list(items[0].items)
        for item in items:
            expr = item.func if isinstance(item, ir.Call) else item
            ref = index.resolve_expr(module, expr)
            if isinstance(ref, ClassRef):
                out.append(ref)
            elif isinstance(item, ir.Attr) and isinstance(item.value, ir.Name):
                # self.compute_task_mgr = ComputeTaskManager(); append(self.compute_task_mgr)
                out += _self_attr_classes(index, module, init, item.attr)
    return out


def _self_attr_classes(index: Index, module: ir.Module, init: ir.Function,
                       attr: str) -> list[ClassRef]:
    out = []
    for stmt in walk(init.body):
        if isinstance(stmt, ir.Assign) and isinstance(stmt.value, ir.Call):
            for target in stmt.targets:
                if isinstance(target, ir.Attr) and target.attr == attr:
                    ref = index.resolve_expr(module, stmt.value.func)
                    if isinstance(ref, ClassRef):
                        out.append(ref)
    return out


def _target_of(index: Index, ref: ClassRef) -> tuple[str | None, str | None]:
    found = index.class_attr(ref, "target")
    if found is None or not isinstance(found[1], ir.Call):
        return None, None
    kw = {k: v for k, v in found[1].kwargs if k}
    module = found[0].module
    return _module_str(module, kw.get("namespace")), _module_str(module, kw.get("version"))


SERVER_FACTORIES = {"get_rpc_server"}


def server_endpoints(index: Index) -> dict[str, list[Endpoint]]:
    """topic -> the classes an RPC server built by a base class dispatches to.

    A base class whose method builds the server with itself among the endpoints
    (`messaging.get_rpc_server(target=target, endpoints=[self], ...)`, Sahara's
    `RPCServer`) serves, in each subclass, the methods of that subclass, on the topic of the
    `Target(topic=...)` the subclass's `__init__` builds (`OpsServer`: `sahara-ops`)."""
    bases: set[str] = set()
    for rel in index.files_containing(b"get_rpc_server("):
        mod = index.module_at(rel)
        if mod is None or mod.problem is not None:
            continue
        for cls in mod.classes.values():
            if any(_serves_self(fn) for fn in cls.methods.values()):
                bases.add(ClassRef(mod, cls).dotted)
    found: dict[str, list[Endpoint]] = {}
    if not bases:
        return found
    for rel in index.files_containing(b"Target("):
        mod = index.module_at(rel)
        if mod is None or mod.problem is not None:
            continue
        for cls in mod.classes.values():
            ref = ClassRef(mod, cls)
            ancestry = index.mro(ref)
            if not any(k.dotted in bases for k in ancestry):
                continue
            for klass in ancestry:
                init = klass.cls.methods.get("__init__")
                target = next((c for c in body_calls(init.body) if _tail(c.func) == "Target"),
                              None) if init is not None else None
                if target is None:
                    continue
                kw = {k: v for k, v in target.kwargs if k}
                topic = resolve_topic(index, Target("", None, None, klass.module.name,
                                                    kw.get("topic")))
                if topic:
                    found.setdefault(topic, []).append(Endpoint(
                        ref, _module_str(klass.module, kw.get("namespace")),
                        _module_str(klass.module, kw.get("version"))))
                break
    return found


def _serves_self(fn: ir.Function) -> bool:
    for call in body_calls(fn.body):
        if _tail(call.func) not in SERVER_FACTORIES:
            continue
        values = [v for k, v in call.kwargs if k == "endpoints"] + list(call.args[2:3])
        for value in values:
            if isinstance(value, ir.Seq) and any(
                    isinstance(item, ir.Name) and item.id == "self" for item in value.items):
                return True
    return False


def _calls_in(body: tuple):
    for stmt in walk(body):
        if isinstance(stmt, ir.ExprStmt) and isinstance(stmt.value, ir.Call):
            yield stmt.value


def find_handler(index: Index, endpoints: list[Endpoint], namespace: str | None,
                 version: str | None, method: str) -> FunctionRef | None:
    """The method that serves `method`: same namespace, same major version first."""
    same_ns = [e for e in endpoints if e.namespace == namespace]
    major = version.split(".")[0] if version else None
    ranked = sorted(same_ns, key=lambda e: (
        0 if major and e.version and e.version.split(".")[0] == major else 1))
    for endpoint in ranked:
        fn = index.find_method(endpoint.ref, method)
        if fn is None:
            # a class attribute naming a method serves under a second name
            # (`failover_host = failover`)
            alias = index.class_attr(endpoint.ref, method)
            if alias is not None and isinstance(alias[1], ir.Name):
                fn = index.find_method(alias[0], alias[1].id)
        if fn is not None:
            return fn
    return None


# ----------------------------------------------------------------------------- the model


def build_rpc_model(index: Index, label: str, profile: Profile = NOVA) -> RpcModel:
    """The RPC model of the tree `index` reads, a tree of the project `profile` describes."""
    client_methods, notes = find_client_methods(index)
    managers = service_managers(index, profile)
    servers: dict[str, list[Endpoint]] | None = None
    endpoints_cache: dict[str, list[Endpoint]] = {}
    services: dict[str, Service] = {}
    methods: list[RpcMethod] = []
    warnings: list[str] = list(notes)
    for cm in client_methods:
        topic = _topic_of(index, cm)
        binary = profile.binary(topic) if topic else None
        if binary and binary not in services:
            manager = managers.get(binary)
            eps = endpoints_of(index, manager) if manager else []
            if manager is None:
                # no manager class named: a server class serving the topic itself
                if servers is None:
                    servers = server_endpoints(index)
                eps = servers.get(topic or "", [])
                manager = eps[0].ref.dotted if eps else None
            if manager is None:
                eps = _served_in_package(index, cm)
            endpoints_cache[binary] = eps
            services[binary] = Service(binary, topic, manager,
                                       tuple(e.ref.dotted for e in eps))
        elif binary is None and (shared := _shared_endpoints(index, cm)):
            package = profile.binary(cm.ref.module.name.split('.')[1])
            if package in services or package in managers:
                # a topic built at run time (cells' inter-cell queues): the package's
                # service, served by an endpoint class of the client's own module
                binary = package
                endpoints_cache[f"{binary}/{cm.ref.module.name}"] = shared
            else:
                # baserpc: the caller names the topic; every service serves the namespace
                binary = profile.every_service
                endpoints_cache[binary] = shared
                services.setdefault(binary, Service(binary, None, None,
                                                    tuple(e.ref.dotted for e in shared)))
        endpoints = endpoints_cache.get(f"{binary}/{cm.ref.module.name}") or \
            endpoints_cache.get(binary or "", [])
        # a topic no manager serves, served by the server its package starts
        own_server = binary in services and services[binary].manager is None and \
            binary != profile.every_service and bool(endpoints)
        for wire, sends in _group_by_wire(cm.sends).items():
            methods.append(_rpc_method(index, cm, binary, topic, wire, sends, endpoints,
                                       own_server))
    for problem in index.problems:
        warnings.append(f"{problem.path}:{problem.line}: cannot parse ({problem.message}); "
                        "skipped")
    methods.sort(key=lambda m: (m.service, m.method, m.client))
    return RpcModel(label, tuple(methods),
                    tuple(sorted(services.values(), key=lambda s: s.binary)),
                    tuple(warnings))


def _served_in_package(index: Index, cm: ClientMethod) -> list[Endpoint]:
    """A topic no service's manager serves, whose client's package starts its own RPC
    server (Manila's Huawei driver: `rpc.get_server(Target(topic=self.rpc_client.topic),
    [self.replica_mgr])` in manila/share/drivers/huawei/v3/connection.py): the classes of
    that package, other than the client's, that define a method the client sends."""
    package = cm.ref.module.name.rpartition(".")[0]
    prefix = package.replace(".", "/") + "/"
    if not any(rel.startswith(prefix) for rel in index.files_containing(b"get_server(")):
        return []
    wires = {s.method for s in cm.sends if s.method}
    out = []
    for rel in index.source_files():
        if not rel.startswith(prefix) or rel.count("/") != prefix.count("/"):
            continue
        module = index.module_at(rel)
        for cls in module.classes.values() if module else ():
            ref = ClassRef(module, cls)
            if ref.dotted != cm.cls.dotted and wires & set(cls.methods):
                out.append(Endpoint(ref, None, None))
    return out


def _shared_endpoints(index: Index, cm: ClientMethod) -> list[Endpoint]:
    """Endpoints in the client's own module serving its namespace (nova/baserpc.py)."""
    namespaces = {t.namespace for t in cm.targets}
    if len(namespaces) != 1:
        return []
    namespace = namespaces.pop()
    out = []
    for cls in cm.ref.module.classes.values():
        ref = ClassRef(cm.ref.module, cls)
        if index.class_attr(ref, "target") is None:
            continue
        ns, version = _target_of(index, ref)
        if ns == namespace and ref.dotted != cm.cls.dotted:
            out.append(Endpoint(ref, ns, version))
    return out


def _topic_of(index: Index, cm: ClientMethod) -> str | None:
    topics = {resolve_topic(index, t) for t in cm.targets} - {None}
    if len(topics) == 1:
        return topics.pop()
    # No Target built in the class: the package names the service (nova/cert/rpcapi.py).
    parts = cm.ref.module.name.split(".")
    return parts[1] if len(parts) > 2 and parts[-1] == "rpcapi" else None


def _group_by_wire(sends: list[Send]) -> dict[str | None, list[Send]]:
    grouped: dict[str | None, list[Send]] = {}
    for send in sends:
        grouped.setdefault(send.method, []).append(send)
    return grouped


def _rpc_method(index: Index, cm: ClientMethod, binary: str | None, topic: str | None,
                wire: str | None, sends: list[Send], endpoints: list[Endpoint],
                own_server: bool = False) -> RpcMethod:
    kinds = tuple(sorted({s.kind for s in sends}))
    versions = sorted({version for s in sends for v in s.prepared.get("version")
                       for version in _strings(v)}, key=version_key)
    target_versions = sorted({t.version for t in cm.targets if t.version}, key=version_key)
    version = versions[-1] if versions else (target_versions[-1] if target_versions else None)
    namespaces = {t.namespace for t in cm.targets}
    namespace = namespaces.pop() if len(namespaces) == 1 else None
    fanout = any(isinstance(v, Const) and v.value is True
                 for s in sends for v in s.prepared.get("fanout"))
    kind_param, kind_if_true, condition = _kind_decider(sends, kinds)
    notes = []
    handler = None
    if wire is None:
        notes.append("the method name sent is not a constant; cannot name it statically")
    elif binary is None:
        notes.append("cannot tell which service the client targets")
    else:
        handler = find_handler(index, endpoints, namespace, version, wire)
        if handler is None:
            notes.append(f"no method {wire} on the {binary} endpoints")
        elif own_server:
            notes.append(f"topic {topic!r} is served by an RPC server its package starts "
                         f"(get_server), not by a service's manager: {handler.owner.name} "
                         "defines the method")
        elif handler.function.name != wire:
            notes.append(f"served by {handler.function.name}: {wire} = "
                         f"{handler.function.name} in {handler.owner.name}")
    fn = cm.ref.function
    return RpcMethod(
        service=binary or "unknown",
        method=wire or "?",
        kinds=kinds,
        fanout=fanout,
        version=version,
        client=cm.ref.dotted,
        handler=handler.dotted if handler else None,
        file=cm.ref.module.path,
        line=fn.line,
        versions=tuple(versions),
        namespace=namespace,
        topic=topic,
        kind_param=kind_param,
        kind_if_true=kind_if_true,
        kind_condition=condition,
        server=_opt_text(sends, "server"),
        timeout=_opt_text(sends, "timeout"),
        handler_file=handler.module.path if handler else None,
        handler_line=handler.function.line if handler else None,
        handler_params=tuple(p.name for p in handler.function.params[1:]) if handler else (),
        notes=tuple(notes),
    )


_VERSION = re.compile(r"^\d+\.\d+$")


def _chosen_version(call: ir.Call, result: Values) -> Values:
    """What a helper of the client returns: as run, or, when that is not known and it was
    given only version constants (cinder.rpc.RPCAPI._compat_ver('3.9'), which returns the
    first of its versions the server can take, else the last), one of them: the tuple of
    those versions, newest first, as `_get_cctxt(version=('3.10', '3.0'))` gives it."""
    if any(isinstance(v, Const) for v in result) or not call.args or call.kwargs:
        return result
    versions = [a.value for a in call.args
                if isinstance(a, ir.Const) and isinstance(a.value, str) and _VERSION.match(a.value)]
    if len(versions) != len(call.args):
        return result
    return frozenset({Const(versions[0] if len(versions) == 1 else tuple(versions))})


def _strings(value: Value) -> tuple[str, ...]:
    """The strings a constant holds: itself, or the members of a tuple of versions."""
    if isinstance(value, Const):
        if isinstance(value.value, str):
            return (value.value,)
        if isinstance(value.value, tuple):
            return tuple(v for v in value.value if isinstance(v, str))
    return ()


def _kind_decider(sends: list[Send], kinds: tuple[str, ...]):
    """When both kinds are sent, the method parameter and condition that choose."""
    if len(kinds) < 2:
        return None, None, None
    for send in sends:
        for guard in reversed(send.guards):
            if guard.param:
                if_true = send.kind if guard.positive else _other(send.kind)
                return guard.param, if_true, guard.text
    for send in sends:
        if send.guards:
            # the test that puts this send in its arm (`if cctxt.can_send_version('3.17'):
            # cast ... elif ...: call`, Cinder's get_backup_device): this kind when it holds
            inner = send.guards[-1]
            return None, send.kind if inner.positive else _other(send.kind), inner.text
    return None, None, None


def _other(kind: str) -> str:
    return "call" if kind == "cast" else "cast"


def _opt_text(sends: list[Send], key: str) -> str | None:
    texts = set()
    for send in sends:
        for value in send.prepared.get(key):
            if isinstance(value, Text):
                texts.add(value.text)
            elif isinstance(value, Const) and value.value is not None:
                texts.add(repr(value.value))
    return " | ".join(sorted(texts)) if texts else None
