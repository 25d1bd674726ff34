"""The abstract values the tracer computes: what a name or expression holds, statically.

The tracer runs function bodies over these instead of real objects: an instance of a known
class with the attributes its `__init__` set, a class, a module, a function (bound to its
`self` and to the process it runs in), a constant, or the source text of anything else. Text
is kept on purpose: it is what decides a host (`migration.dest_compute`) or labels a branch.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tracer.index import ClassRef, FunctionRef, ir
from tracer.index.ir import expr_text


@dataclass(eq=False)
class Obj:
    """An instance of `cls`. `role` says what it stands for when it is not plain Nova code:
    "object" (a Nova versioned object), "service" (a client of glance, neutron, ...),
    "driver" (the virt driver); `participant` is who runs its methods, for those roles."""

    cls: ClassRef
    attrs: dict[str, "Value"] = field(default_factory=dict)
    role: str | None = None
    participant: str | None = None
    # the identity of what an attribute read found unknown (`instance.host`) holds: read
    # again before it is assigned, it is the same value (see Text.same)
    reads: dict[str, object] = field(default_factory=dict)
    # it may stand for None: merged with None or with what is unknown (`x = None`, then
    # `x = obj` in one arm), or returned where another return gives None
    nullable: bool = False


@dataclass(frozen=True)
class ClassV:
    cls: ClassRef


@dataclass(frozen=True)
class ModuleV:
    module: ir.Module


@dataclass(eq=False)
class FuncV:
    """A function as a value: plain, bound to `self_value`, or partially applied.

    `participant` is the process whose code it is (a manager method handed to the driver as
    a callback still runs on the compute host); `closure` is the defining frame's locals for
    functions defined inside functions."""

    fn: FunctionRef
    self_value: "Obj | ClassV | None" = None
    participant: str | None = None
    pre_args: tuple["Value", ...] = ()
    closure: dict[str, "Value"] | None = None


@dataclass(frozen=True)
class SuperV:
    """`super()` inside a method of `owner`: attribute lookups start after it in the MRO."""

    obj: Obj
    owner: str  # dotted path of the class whose method called super()


@dataclass(frozen=True)
class ConstV:
    value: object
    # the options at their defaults that made it (`offload = CONF.shelved_offload_time ==
    # 0`): a branch it decides says so, as one on the option itself does
    options: tuple[tuple[str, object], ...] = field(default=(), compare=False)


class Text:
    """Anything not modelled, as the source text that produced it. Made from an
    expression, the text is only written out when read: most unknown values never are,
    and writing them all out was a tenth of the tracing time."""

    __slots__ = ("_text", "_expr", "same")

    def __init__(self, text: str | None = None, expr: "ir.Expr | None" = None) -> None:
        self._text = text
        self._expr = expr
        # which value it is, when that is known though the value is not: (token, maybe
        # None). Two texts of one token hold the same value (`host = instance.host` and,
        # later, `instance.host` again with nothing assigned to it in between); `maybe
        # None`: it is that value or None (`host = None` in one arm of a branch)
        self.same: tuple[object, bool] | None = None

    @classmethod
    def of(cls, expr: "ir.Expr") -> "Text":
        return cls(None, expr)

    @property
    def text(self) -> str:
        if self._text is None:
            self._text = expr_text(self._expr)
        return self._text

    def __repr__(self) -> str:
        return f"Text({self.text!r})"


@dataclass(frozen=True)
class DictV:
    """A dict display: its constant keys (as source text) and values. Nova dispatches
    through these (`self.handlers = {'vnc': self.compute_api.get_vnc_console, ...}`)."""

    items: tuple[tuple[str, "Value"], ...]


@dataclass(frozen=True)
class ArgsV:
    """What a `*args` or `**kwargs` parameter received: the values passed beyond the named
    parameters, so that `function(*args, **kwargs)` in a wrapper hands them on (Nova's
    decorators, `_do_rebuild_instance_with_claim(*args, **kwargs)`). `complete` is False
    when the call that filled it passed something unknown itself (`**mapping`)."""

    positional: tuple["Value", ...] = ()
    keywords: tuple[tuple[str, "Value"], ...] = ()
    complete: bool = True


@dataclass(frozen=True)
class ChoiceV:
    """One of several values, picked at run time by `subject` (a dict indexed by it), or,
    with `labels`, by the branch that bound it (`f = a if force else b`, or `f = a` and
    `f = b` in the arms of an `if`): each option's condition as written, "" for `else`."""

    subject: str
    options: tuple[tuple[str, "Value"], ...]
    labels: tuple[str, ...] = ()


@dataclass(frozen=True)
class ListV:
    """A list, tuple or set: its items when written out (`exact`: `(a, b)`, which
    unpacking can split), else the values collected into it (`devices.append(x)` in a
    loop, `itertools.chain(...)`), one per kind of item that reached it. Nova hands its
    block-device driver objects around in these."""

    items: tuple["Value", ...] = ()
    exact: bool = True
    nullable: bool = field(default=False, compare=False)  # as Obj.nullable


@dataclass(frozen=True)
class LibClientV:
    """A client of another service made by a library the tree does not hold
    (`heat_client.Client(...)` handed out by sahara.utils.openstack.heat.client()): a call
    through it is a message to that service, named by the attributes it goes through
    (`client().stacks.create(...)`: stacks.create)."""

    service: str
    path: str = ""


@dataclass(frozen=True)
class MethodCallerV:
    """`operator.methodcaller('name', *args, **kwargs)`: calls `name` on what it is given."""

    name: str
    args: tuple["Value", ...] = ()
    kwargs: tuple[tuple[str, "Value"], ...] = ()




def clone(value: Value, memo: dict[int, object] | None = None) -> Value:
    """A copy of `value` that shares nothing mutable with it (objects, bound functions and
    closures are copied; classes, modules, constants and texts are immutable and shared).
    Cycles (a manager's driver holding the manager's callbacks) are kept as cycles."""
    memo = {} if memo is None else memo
    if isinstance(value, (Obj, FuncV, SuperV, DictV, ArgsV, ChoiceV, ListV, MethodCallerV)) \
            and id(value) in memo:
        return memo[id(value)]
    if isinstance(value, Obj):
        # a copy is another object: what its attributes' reads were is not carried
        copy = memo[id(value)] = Obj(value.cls, {}, value.role, value.participant,
                                     nullable=value.nullable)
        copy.attrs.update((k, clone(v, memo)) for k, v in value.attrs.items())
        return copy
    if isinstance(value, FuncV):
        copy = memo[id(value)] = FuncV(value.fn, None, value.participant)
        copy.self_value = clone(value.self_value, memo) if value.self_value else None
        copy.pre_args = tuple(clone(v, memo) for v in value.pre_args)
        copy.closure = _clone_env(value.closure, memo) if value.closure is not None else None
        return copy
    if isinstance(value, SuperV):
        copy = memo[id(value)] = SuperV(clone(value.obj, memo), value.owner)
        return copy
    if isinstance(value, DictV):
        copy = memo[id(value)] = DictV(tuple((k, clone(v, memo)) for k, v in value.items))
        return copy
    if isinstance(value, ArgsV):
        copy = memo[id(value)] = ArgsV(tuple(clone(v, memo) for v in value.positional),
                                       tuple((k, clone(v, memo)) for k, v in value.keywords),
                                       value.complete)
        return copy
    if isinstance(value, ChoiceV):
        copy = memo[id(value)] = ChoiceV(value.subject,
                                         tuple((k, clone(v, memo)) for k, v in value.options),
                                         value.labels)
        return copy
    if isinstance(value, ListV):
        copy = memo[id(value)] = ListV(tuple(clone(v, memo) for v in value.items),
                                       value.exact, value.nullable)
        return copy
    if isinstance(value, MethodCallerV):
        copy = memo[id(value)] = MethodCallerV(
            value.name, tuple(clone(v, memo) for v in value.args),
            tuple((k, clone(v, memo)) for k, v in value.kwargs))
        return copy
    return value


def _clone_env(env: dict[str, Value], memo: dict[int, object]) -> dict[str, Value]:
    if id(env) not in memo:
        copy = memo[id(env)] = {}
        copy.update((k, clone(v, memo)) for k, v in env.items())
    return memo[id(env)]


def not_none(value: Value) -> bool:
    """Whether a value is certainly not None at run time: an object or a list the code made
    or read, unless it came through a merge or a return that may give None."""
    kind = type(value)
    if kind is Obj or kind is ListV:
        return not value.nullable
    if kind is ConstV:
        return value.value is not None
    return False


def maybe_none(value: Value) -> Value:
    """`value`, flagged as possibly None (an object sharing the state of `value`, seen by
    every alias of it, or a list flagged so)."""
    if type(value) is Obj and not value.nullable:
        return Obj(value.cls, value.attrs, value.role, value.participant, value.reads, True)
    if type(value) is ListV and not value.nullable:
        return ListV(value.items, value.exact, True)
    return value


def same_text(text: Text, same: tuple[object, bool] | None) -> Text:
    text.same = same
    return text


def text_of(value: Value) -> str:
    if isinstance(value, Text):
        return value.text
    if isinstance(value, ConstV):
        return repr(value.value)
    if isinstance(value, FuncV):
        return value.fn.function.name
    if isinstance(value, (Obj, ClassV)):
        return value.cls.cls.name
    if isinstance(value, ModuleV):
        return value.module.name
    if isinstance(value, (ArgsV, ListV, MethodCallerV)):
        return "..."
    if isinstance(value, TaskflowV):
        return f"taskflow {value.kind}"
    return "super()"


@dataclass(eq=False)
class TaskflowV:
    """What taskflow (OpenStack's workflow library, outside the tree) builds, followed
    statically: a flow (`linear_flow.Flow(name)`, kind "flow") holding the tasks and
    flows passed to its `.add(...)` in order; an engine loaded with a flow
    (`taskflow.engines.load(flow, store={...})`, kind "engine") holding its symbols, the
    store and then what its tasks provided; the engine's storage (kind "storage",
    `engine.storage.fetch('volume')`). Mutable, shared by the arms of a branch: a task
    added in any arm is run."""

    kind: str
    pattern: str = "linear_flow"  # the flow's pattern (unordered_flow, graph_flow...)
    tasks: list = field(default_factory=list)
    flow: "TaskflowV | None" = None  # an engine's flow; a storage's engine
    store: dict = field(default_factory=dict)  # an engine's store, as loaded
    symbols: dict = field(default_factory=dict)  # the store and what its tasks provided
    ran: bool = False  # an engine already drawn running


@dataclass(frozen=True)
class TaskflowCallV:
    """A method of a TaskflowV (`flow.add`, `engine.run`, `storage.fetch`), not yet called."""

    target: TaskflowV
    method: str


Value = Obj | ClassV | ModuleV | FuncV | SuperV | ConstV | Text | DictV | ArgsV | ChoiceV | \
    ListV | MethodCallerV | TaskflowV | TaskflowCallV
