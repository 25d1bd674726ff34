"""Follow one operation through Nova's code, statically, into a tree of steps.

The engine interprets function bodies of the index's IR over abstract values (values.py):
assignments bind names, calls are resolved through imports, attributes set by `__init__`,
factories, base classes and `super()`, and each call is either drawn (an RPC, a database
access through an object, another service, the virt driver, a notification, a policy check)
or followed into its body in the same process. RPC calls are followed into their handler on
the receiving service; casts are queued and drawn after the sender's activation ends, the
way people draw asynchronous work.

Detail is bounded by `depth`: functions nested deeper than that are still followed, but only
what crosses a process boundary is kept from them, behind one short note naming the helper.
Nothing is silently dropped: a call whose target cannot be known is a note saying so.
"""

from __future__ import annotations

import ast
import functools
import re
from collections import deque
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field, replace

from tracer.errors import OsflowError
from tracer.index import ClassRef, FunctionRef, Index, ModuleRef, ValueRef, ir
from tracer.index.ir import expr_text
from tracer.index.options import conf_const, conf_default
from tracer.profiles import Tracing, profile_for
from tracer.profiles.nova import NOVA
from tracer.model import (
    CALL, CALLBACK, CAST, DB, DB_RETURN, DONE, DRIVER, DRIVER_RETURN, ENTER, LEAVE, NOTE,
    RETURN,
    SERVICE, SERVICE_RETURN, START, Block, Branch, Node, RpcMethod, Step, iter_steps,
)
from tracer.trace import conditions, patterns, schema, taskflow
from tracer.trace.values import (
    ArgsV, ChoiceV, ClassV, ConstV, DictV, FuncV, LibClientV, ListV, MethodCallerV, ModuleV, Obj, SuperV,
    TaskflowCallV, TaskflowV, Text, Value, clone, maybe_none, not_none, text_of,
)

# What differs between projects (modules that are plumbing, the object and database
# layers, participants, the driver) is in each profile's Tracing (tracer.profiles); Nova's
# are named here for the code that reads them.
QUIET_MODULES = NOVA.tracing.quiet_modules
NOT_CLIENTS = NOVA.tracing.not_clients
# Callables that run their first argument (in a new green thread or later).
SPAWNERS = {"spawn", "spawn_n", "spawn_on", "spawn_after", "submit"}
POLICY_MODULES = NOVA.tracing.policy_modules
DOTTED = re.compile(r"'?[A-Za-z_][\w.]*'?|None|True|False|-?\d+")
OBJECT_CLASS_CALL = re.compile(r"^(?:objects|obj)\.([A-Z]\w*)\.(\w+)$")
DB_MODULE = re.compile(NOVA.tracing.db_module)

SUMMARY_SLACK = 10  # how much deeper than `depth` to look for RPCs and callbacks
# Inside the virt driver only callbacks into the manager matter beyond `depth`; they sit a
# few calls down (live_migration -> _live_migration -> _live_migration_monitor -> post).
# Measured on 12.0.0, 20.0.0, 34.0.0 and master: 3 levels find every RPC, callback,
# service call and write that 4 did, in a fifth less tracing time; what differs is which
# helpers at the edge the driver's summary notes name.
DRIVER_SLACK = 3
DENY_ALL = "!"  # oslo.policy's check string that no request passes
MAX_ALTERNATIVES = 4  # values a field may have after branches, before "..."
UNCHANGED = "unchanged"  # a field's alternative when some arm does not set it
MAX_LISTED = 20  # functions of a listed table a loop is followed through, one by one
MAX_FRAMES = 20000  # a safety budget per operation
QUIET_DEPTH = 3  # how deep `__init__` runs go to learn attribute types
# A key of a call's keyword arguments (no parameter can be named so): the call also passed
# `**mapping` or `*args`, whose contents are not known
UNKNOWN_REST = "**"
# A key of a frame's names (no Python name looks like it): the pairs of names bound one to
# the other (`new_flavor = current_flavor`) on every path so far, as a ConstV of a frozenset
ALIASES = "<aliases>"
# Methods that change a mapping in place
MUTATORS = {"update", "setdefault", "pop", "popitem", "clear"}
# Methods that add to a list or set in place, and the argument that holds what is added
# (`extend`'s argument is itself a list)
LIST_ADDERS = {"append": 0, "add": 0, "insert": 1, "extend": 0}
MAX_KINDS = 8  # kinds of item a collected list keeps (one Obj per class)
# Python's own functions over iterables (not in the tree): what they make of a list.
# `itertools.chain(a, b)` joins, `sorted(x)` and the like hand the items on as they are.
ITERABLE_JOINERS = {"chain", "itertools.chain"}
ITERABLE_KEEPERS = {"list", "tuple", "set", "frozenset", "sorted", "reversed", "iter",
                    "copy.copy", "copy.deepcopy"}
# the last names of those and of filter, map, methodcaller: a cheap test before the rest
ITERABLE_NAMES = {name.rsplit(".", 1)[-1] for name in ITERABLE_JOINERS | ITERABLE_KEEPERS} | \
    {"filter", "map", "methodcaller"}


@dataclass(frozen=True)
class Options:
    depth: int = 2  # the CLI default too
    driver: str = "libvirt"
    network: str = "neutron"  # or nova-network (Liberty and before)
    use_local: bool = False  # Liberty's CONF.conductor.use_local
    two_hosts: bool = False  # draw nova_compute_src and nova_compute_dest
    errors: bool = False  # draw exception handlers (error and rollback paths)
    cross: bool = True  # follow RPCs into their handlers (False: record the send only)
    # keep every database write beyond `depth`, not only the instance's and migration's
    # state: flows compared between releases must not differ by where a cut-off falls
    all_writes: bool = False


@dataclass
class Frame:
    fn: FunctionRef
    env: dict[str, Value]
    participant: str
    depth: int
    self_value: Value | None = None
    returns: list[Value] = field(default_factory=list)
    caller: "tuple[FuncV, ir.Call] | None" = None  # the callee and the call that made it
    # an exception handler not walked (an error path) may return: what it gives is not
    # known, so what the frame returns may be None
    handler_returns: bool = False

    @property
    def module(self) -> ir.Module:
        return self.fn.module


@dataclass(eq=False)
class Arm:
    """An arm of a frame being traced (`if x`, the `else` as `if not x`, `for x in xs`):
    a cast sent inside it has its receiver's work drawn under it too. `drawn` turns false
    when the frame is not drawn after all (a guard clause's rest, arms alike), and the
    receiver's work then needs no frame either."""

    block: object  # the frame's own token: arms of one frame share it
    index: int
    kind: str  # opt, alt, loop
    labels: tuple[str, ...]  # the frame's arms as traced: `if <condition as written>`, ""
    whole: tuple[str, ...]  # their labels uncut, where the caller cut them (block's whole)
    complete: bool  # an `alt` with an `else` arm: one arm always runs
    anchor: str
    file: str
    line: int
    drawn: bool = True

    @property
    def arms(self) -> int:
        return len(self.labels)

    @functools.cached_property
    def shown(self) -> tuple[str, str]:
        """Its label, cut to fit, and its whole condition where cut: worked out only for
        the arms a cast is sent in (most frames send none)."""
        return _arm_label(self.labels, self.whole, self.index)


@dataclass
class Cast:
    """A cast's handler, to be traced once the sending activation is drawn; `paths`: the
    arms it was sent in, for each place that sent it."""

    method: RpcMethod
    participant: str
    bound: dict[str, Value]
    paths: list[tuple[Arm, ...]] = field(default_factory=list)


@dataclass(eq=False)
class Spawn:
    """Work a profile's spawner hands to a worker thread of the same service (Ironic's
    `task.process_event('deploy', callback=self._spawn_worker, call_args=(do_node_deploy,
    task))`): the handler that spawns it goes on and returns, so the work is drawn once
    the sending activation is drawn, as a cast's receiver's work is."""

    work: FuncV
    args: tuple
    kwargs: dict
    frame: Frame
    line: int
    how: str
    paths: list[tuple[Arm, ...]] = field(default_factory=list)
    # the exits of the context managers it was handed from, run when it ends (Ironic's
    # TaskManager releases the node's lock when its worker is done)
    after: list[tuple] = field(default_factory=list)


class Shared:
    """Facts about one tree that every trace can reuse (a build traces the whole
    catalogue): Nova object classes by name, the external services this release talks to.
    Only facts of the tree, never results of a trace, so no diagram depends on another."""

    def __init__(self, index: Index) -> None:
        self.object_classes: dict[str, ClassRef | None] = {}
        # (class, participant, options) -> an object as `__init__` leaves it, with the flow
        # notes, frames and skipped handlers building it cost (Engine.fresh_instance)
        self.instances: dict[tuple[str, str, Options], tuple[Obj, tuple[str, ...], int, int]] = {}
        # (function of a service client, class of its object) -> whether it talks to the
        # service (Engine.reaches_service)
        self.reaching: dict[tuple[str, str], bool] = {}
        # the same key -> whether it, or client code it calls, uses the object layer
        # (Engine.client_writes)
        self.client_writing: dict[tuple[str, str], bool] = {}
        # class -> attributes __init__ sets to a literal and other methods set again
        # (Engine.placeholders)
        self.placeholders: dict[str, frozenset[str]] = {}
        self.services = client_modules(index)
        # statement -> when it ends its function (conditions.exits_when)
        self.exits: dict[int, object] = {}
        # condition text -> its parsed expression; `CONF.x` -> its default (or UNKNOWN)
        self.parsed: dict[str, object] = {}
        self.options: dict[str, object] = {}
        # statement list -> whether it binds a name (Engine.binds), and the lists so keyed
        self.binding: dict[int, bool] = {}
        self.kept_alive: list[tuple] = []
        # policy rule -> its default check string (Engine.policy_defaults), read once
        self.policies: dict[str, str] | None = None


def client_modules(index: Index) -> dict[str, str]:
    """Module -> the external service it is a client of (calls on its classes and
    functions are drawn to that service, not followed), read from the tree: modules that
    build a client (patterns.client_service), and modules of the same package that wrap
    one of those (Train's nova.image.api over nova.image.glance)."""
    modules = {rel.removesuffix(".py").removesuffix("/__init__").replace("/", "."): rel
               for rel in index.source_files()}
    found: dict[str, str] = {}
    tracing = tracing_of(index)
    not_clients = tracing.not_clients
    for name, rel in modules.items():
        if not name.startswith(not_clients):
            service = patterns.client_service(index.source(rel), tracing.client_libraries)
            if service is not None:
                found[name] = service
    for client, service in list(found.items()):
        package, _, last = client.rpartition(".")
        for name, rel in modules.items():
            if name.rpartition(".")[0] != package or name in found or \
                    last.encode() not in index.source(rel):
                continue  # a cheap test first: most modules are never parsed here
            module = index.module_at(rel)
            if module is not None and \
                    any(i.target == client for i in module.imports.values()):
                found[name] = service
    return found


UNKNOWN = conditions.UNKNOWN
INSTANCE_HOST = "_inst"  # the role of instance.host while tracing: src or dest after
FIELDS = "<fields>"
# An object's attribute (no field can be named so): it was made by a class method of its
# own class (`ic = objects.InstanceInfoCache.new(...)`), its writes are named by the class
FACTORY_MADE = "<made>"
# the arguments of an `__init__` not run yet: the object was built deeper than `__init__`
# runs go (QUIET_DEPTH); it runs when an attribute it would set is first read
DEFERRED = "<init>"
# a versioned object built with no field given (`objects.RequestSpec()`): none is set yet
UNSET = "<unset>"
MAY = "?"  # a write made only in some branch of a helper
_NOT_CALL = re.compile(r"not\s+[\w.]+\(\s*\)")  # `not a.b()`: a call of no arguments
_NOT_NAME = re.compile(r"not ([A-Za-z_]\w*)")
MAY_WRITE = ": may write "
READ = "<"  # a helper that only reads: what it reads
READS = re.compile(r": (?:writes|may write|reads|may read) ")
MAY_READ = ": may read "  # a helper whose reads are all made only in some branch
WRITES = re.compile(r": (?:writes|may write) ")  # how a helper's summary names its writes


class _Stop(Exception):
    """A body ended (return or raise)."""


class _Raised(_Stop):
    """A call surely raised (the chosen driver keeps its base's NotImplementedError stub,
    and no try of the flow catches it): the function that made it goes no further."""


class _Jump(Exception):
    """A turn of a loop ended (break or continue): what the names hold carries on."""


def participant_of_service(binary: str) -> str:
    """nova-compute: nova_compute; cinder-volume: cinder_volume."""
    return binary.replace("-", "_")


def tracing_of(index: Index) -> Tracing:
    """How the project of the tree under `index` is traced (its profile's Tracing)."""
    profile = profile_for(index.package)
    if profile.tracing is None:
        raise OsflowError(f"{profile.name}: its flows are not traced yet")
    return profile.tracing


def _reaches_client(index: Index, fn: FunctionRef, cls: ClassRef | None,
                    clients: dict[str, str], depth: int, seen: set[str]) -> bool:
    if fn.dotted in seen or depth > 4:
        return False
    seen.add(fn.dotted)
    calls = list(ir.body_calls(fn.function.body))
    if any(type(call.func) is ir.Attr and call.func.attr == "get_endpoint" for call in calls):
        # endpoint discovery (glance's get_api_servers): the adapter it builds only asks
        # keystone's catalog where the service is; generate_image_url formats a URL
        return False
    for call in calls:
        if patterns.CLIENT_USE.search(expr_text(call.func)):
            return True
        # a client's method handed to a helper that calls it: master's cyborg client
        # sends `self._call_cyborg(self._client.post, url, json=...)`
        if any(type(arg) is ir.Attr and patterns.CLIENT_USE.search(expr_text(arg))
               for arg in call.args):
            return True
        inner = _client_callee(index, fn, cls, clients, call)
        if inner is not None and _reaches_client(index, inner, cls, clients, depth + 1, seen):
            return True
    return False


def _uses_objects(index: Index, fn: FunctionRef, cls: ClassRef | None,
                  clients: dict[str, str], depth: int, seen: set[str]) -> bool:
    """Whether client code uses the object layer (`objects.InstanceInfoCache.new(...)`),
    itself, through a decorator of its module (neutron's @refresh_cache) or in code it
    calls (four levels down, as _reaches_client)."""
    if fn.dotted in seen or depth > 4:
        return False
    seen.add(fn.dotted)
    calls = list(ir.body_calls(fn.function.body))
    if any(expr_text(call.func).split(".", 1)[0] in ("objects", "obj") for call in calls):
        return True
    # a decorator's wrapper: the function its decorator returns
    wrappers = [FunctionRef(fn.module, inner, None)
                for name in map(patterns.decorator_name, fn.function.decorators)
                if name in fn.module.functions
                for inner in (_returned_function(fn.module.functions[name]),)
                if inner is not None]
    inner = [_client_callee(index, fn, cls, clients, call) for call in calls]
    return any(_uses_objects(index, ref, cls, clients, depth + 1, seen)
               for ref in (*wrappers, *inner) if ref is not None)


def _client_callee(index: Index, fn: FunctionRef, cls: ClassRef | None,
                   clients: dict[str, str], call: ir.Call) -> FunctionRef | None:
    """What a call inside client code names, where it may lead to the service: a method
    of the object's class (`self.x()`, found from `cls`, not the base that defines `fn`),
    or a function of this or another client module (`x()`, `glance.get_api_servers()`)."""
    func = call.func
    if isinstance(func, ir.Attr) and isinstance(func.value, ir.Name) and \
            func.value.id == "self":
        return index.find_method(cls, func.attr) if cls is not None else None
    if isinstance(func, ir.Name) and func.id in fn.module.functions:
        return FunctionRef(fn.module, fn.module.functions[func.id], None)
    ref = index.resolve_expr(fn.module, func) if isinstance(func, ir.Attr) else None
    if isinstance(ref, FunctionRef) and ref.owner is None and ref.module.name in clients:
        return ref
    return None


class Engine:
    def __init__(self, index: Index, rpc_methods: tuple[RpcMethod, ...], options: Options,
                 choices: dict[str, str], why: dict[str, str] | None = None,
                 shared: "Shared | None" = None) -> None:
        self.index = index
        self.profile = profile_for(index.package)
        self.tracing = tracing_of(index)
        self.quiet_modules = self.tracing.quiet_modules
        self.db_module = re.compile(self.tracing.db_module)
        self.object_names = re.compile(self.tracing.object_names) \
            if self.tracing.object_names else patterns.OBJECT_NAMES
        self.object_writes = patterns.OBJECT_WRITES | set(self.tracing.object_writes)
        self.known_attrs = {chain.rsplit(".", 1)[-1]: (chain, cls)
                            for chain, cls in self.tracing.known_attrs}
        self.driver_calls = re.compile(self.tracing.driver_calls) \
            if self.tracing.driver_calls else None
        self.spawn_keywords = dict(self.tracing.spawners)
        self.error_handlers = re.compile(self.tracing.error_handlers) \
            if self.tracing.error_handlers else None
        self.policy_decorators = dict(self.tracing.policy_decorators)
        # the statuses the responses made were given (`webob.Response(status_int=
        # return_code)`), as text (`200 or 202` where a call returned either), and where
        self.response_statuses: list[tuple[str, str]] = []
        self.rpc_methods = rpc_methods
        self.options = options
        self.choices = choices  # factory dotted path -> class dotted path
        self.why = why or {}  # factory -> the note saying which class was chosen and why
        self.by_client: dict[str, list[RpcMethod]] = {}
        for method in rpc_methods:
            self.by_client.setdefault(method.client, []).append(method)
        self.out: list[list[Node]] = [[]]
        self.stack: list[str] = []
        self.quiet = 0
        self.walking_client = 0  # inside Engine.client_writes
        # the exception a path raises on the default config, on its way up to the arm or
        # handler that ends with it (Engine.fails_by_default)
        self.failing: str | None = None
        self.failing_frame = 0  # the frame it was raised in (its note says it already)
        self.frames = 0
        self.queue: deque[Cast | Spawn] = deque()
        self.context: list[Arm] = []  # the arms being traced, outermost first
        # the steps of the arms traced so far of the frames being traced (Engine.shown)
        self.arms_done: list[tuple] = []
        # per arm being traced: (object id, attribute) -> (the object, its value before)
        self.attr_log: list[dict] = []
        self.queued: set[tuple[str, str]] = set()
        self.drawn: set[tuple[str, str]] = set()  # (handler, participant) already traced
        # fields set on an object since its last save, by helpers too (a helper sets
        # vm_state, its caller saves): (participant, receiver text) -> [(field, value)]
        self.pending: dict[tuple[str, str], list[tuple[str, str]]] = {}
        self.skipped_handlers = 0  # exception handlers left out (Options.errors)
        # functions entered whose body raises NotImplementedError (a base class's stub),
        # and calls not followed: whether an `except NotImplementedError` can run
        self.stubs_reached = 0
        # the trys being traced that catch NotImplementedError: the depth of branching
        # (arms and alternatives) each began at; a stub entered at that depth surely
        # raises into it (`stub_raised`: the stub's name, until the try handles it)
        self.stub_watch: list[int] = []
        self.stub_raised = ""
        self.alternatives = 0  # dispatch-table alternatives being traced (choose)
        self.object_writers: dict[tuple[str, str], bool] = {}  # Engine.writes_through
        # values known true or false inside the arm of a branch that tested them:
        # id -> (the value, kept alive while assumed; its truth)
        self.assumed: dict[int, tuple[Value, bool]] = {}
        # parts of a REST request's body its schema guarantees (tracer.trace.schema):
        # id -> (the value, kept alive; its fact; the facts of its own parts)
        self.request_facts: dict[int, tuple[Value, str | None, dict]] = {}
        # branches decided by which value something is (an object passed is not None,
        # `host` is `instance.host`): a helper walk that used one is not remembered as
        # the helper's, since that depends on more than its arguments' kinds
        self.value_facts = 0
        self.fact_read = False  # known() gave such a fact while a condition was decided
        # per arm of a branch, the equalities its condition makes hold (`if self.host !=
        # db_instance.host: return`: the rest has db_instance.host the manager's own host)
        self.arm_equalities: dict[int, list[tuple[ir.Expr, ir.Expr]]] = {}
        self.deciding: set[str] = set()  # predicates being decided (predicate_truth)
        self.arm_assumptions: dict[int, tuple] = {}  # if_ -> block: per arm's statements
        self.unfollowed = 0
        self.managers: dict[tuple[str, str], Obj] = {}
        self.shared = shared or Shared(index)
        self.services = self.shared.services
        self.object_classes = self.shared.object_classes
        # helpers beyond `depth` that crossed no process: (function, participant) ->
        # (whether they drew anything, so a note names them; the value they returned).
        # Per flow, not shared: what a helper draws depends on the constants it is given,
        # and a diagram must not depend on which operations were traced before it.
        self.plain_helpers: dict[tuple, tuple[bool, Value]] = {}
        # attributes and fields set on objects so far: a helper that set any is walked
        # again when called alike, since a remembered answer would not set them again
        self.state_changes = 0
        self.notes: list[str] = []
        self.participants: set[str] = set()
        state_write = re.compile(self.tracing.state_write)
        self.kept_write = patterns.is_db_write if options.all_writes \
            else (lambda text: state_write.match(text) is not None)
        self.config_read: list[tuple[str, object]] = []  # options `known` read
        # sends to compute whose host could not be told: a note if two hosts take part
        self.host_guesses: list[str] = []
        # how sends to compute named their host: instance.host, source_compute, ...
        self.hosts_named: set[str] = set()
        # participants that sent a message to their own host (own_host)
        self.own_sends: set[str] = set()
        # options whose defaults decided branches of this flow (a note of the flow)
        self.config_defaults: dict[str, object] = {}

    # ------------------------------------------------------------------ output

    def emit(self, node: Node) -> None:
        if not self.quiet:
            self.out[-1].append(node)

    def step(self, frame: Frame, kind: str, text: str, line: int,
             target: str | None = None, **extra) -> None:
        if self.quiet:
            return
        self.participants.add(frame.participant)
        if target:
            self.participants.add(target)
        self.emit(Step(kind, frame.participant, target, text, frame.fn.dotted,
                       frame.module.path, line, **extra))

    def mark(self, kind: str, participant: str, text: str, frame: Frame, line: int) -> None:
        """An invisible step of another participant (its work starts or ends here)."""
        self.emit(Step(kind, participant, None, text, frame.fn.dotted, frame.module.path, line))

    def note(self, frame: Frame, text: str, line: int) -> None:
        self.step(frame, NOTE, text, line)

    def flow_note(self, text: str) -> None:
        if text not in self.notes:
            self.notes.append(text)

    def collect(self, run) -> list[Node]:
        self.out.append([])
        try:
            run()
        finally:
            nodes = self.out.pop()
        return nodes

    def collect_stopping(self, run) -> tuple[list[Node], _Stop | None]:
        """What `run` drew, and how it ended the function if it did (a return, a call
        that surely raised): the caller draws the nodes, then ends the function."""
        stopped: list[_Stop] = []

        def guarded() -> None:
            try:
                run()
            except _Stop as exc:
                stopped.append(exc)
        return self.collect(guarded), (stopped[0] if stopped else None)

    # ------------------------------------------------------------------ entry points

    def activation(self, fn: FunctionRef, self_value: Value | None, participant: str,
                   bound: dict[str, Value]) -> Value:
        """Run a handler (REST or RPC) as the start of work in `participant`."""
        frame = self._frame(fn, self_value, participant, 0, (), bound)
        return self.run(frame)

    def sends_of(self, fn: FunctionRef, owner: ClassRef, participant: str) -> list[Step]:
        """Every RPC that `fn` (a handler, or a REST entry) can send, following calls in its
        own process only. One engine serves many handlers: helpers found to send nothing
        are remembered and not walked again."""
        self.out = [[]]
        self.stack = []
        self.failing = None
        self.queue.clear()
        self.managers.clear()
        self.pending = {}
        self_value = self.service_self(owner, participant) if owner is not None else None
        nodes = self.collect(lambda: self.activation(fn, self_value, participant, {}))
        return [s for s in iter_steps(nodes) if s.kind in (CALL, CAST) and s.rpc]

    def drain_casts(self) -> list[Node]:
        """Trace every queued cast's handler, in order; each may queue more."""
        nodes: list[Node] = []
        while self.queue:
            cast = self.queue.popleft()
            if type(cast) is Spawn:
                nodes += self.spawned_work(cast)
                continue
            handler = self.handler_of(cast.method)
            if handler is None:
                continue
            fn, owner = handler
            self_value = self.service_self(owner, cast.participant)
            guards = _guards(cast.paths)
            self.context = list(guards)  # what it casts in turn happens under them too
            try:
                body = self.collect(lambda: self.activation(fn, self_value, cast.participant,
                                                             cast.bound))
            finally:
                self.context = []
                self.failing = None  # a cast's failure is its receiver's alone
            start = Step(START, cast.participant, None, cast.method.method, fn.dotted,
                         fn.module.path, fn.function.line)
            done = Step(DONE, cast.participant, None, cast.method.method, fn.dotted,
                        fn.module.path, fn.function.end_line)
            nodes += _guarded([start, *body, done], guards)
        return nodes

    def arm_failed(self, frame: Frame, line: int) -> None:
        """An arm of a branch ended by a failure on the default config (Engine.failing):
        said there, and the failure ends with the arm (the others carry on)."""
        if self.failing is not None:
            if id(frame) != self.failing_frame:
                self.note(frame, f"this way fails on the default config ({self.failing})",
                          line)
            self.failing = None

    def contained(self, run) -> None:
        """Run `run`, where a failure on the default config (Engine.failing) that ends it
        ends only it."""
        try:
            run()
        except _Stop:
            if self.failing is None:
                raise

    def spawned_work(self, spawn: Spawn) -> list[Node]:
        """A worker's work (Spawn), drawn as its own activation of the service that
        spawned it, under the arms it was spawned in."""
        frame, fn = spawn.frame, spawn.work.fn
        guards = _guards(spawn.paths)
        self.context = list(guards)
        try:
            body = self.collect(lambda: (
                self.note(frame, f"asynchronous, in a worker thread ({spawn.how}): "
                                 f"{fn.function.name}", spawn.line),
                self.contained(lambda: self.invoke(spawn.work, spawn.args, spawn.kwargs,
                                                   frame, spawn.line)),
                self.spawn_exits(spawn)))
        finally:
            self.context = []
            self.failing = None
        start = Step(START, frame.participant, None, fn.function.name, frame.fn.dotted,
                     frame.module.path, spawn.line)
        done = Step(DONE, frame.participant, None, fn.function.name, frame.fn.dotted,
                    frame.module.path, spawn.line)
        return _guarded([start, *body, done], guards)

    def spawn_exits(self, spawn: Spawn) -> None:
        """What the context managers the work was handed from do when it ends."""
        for callee, args, kwargs in spawn.after:
            self.contained(lambda: self.invoke(callee, args, dict(kwargs), spawn.frame,
                                               spawn.line, part=True))

    def spawn(self, work: FuncV, args: tuple, kwargs: dict, frame: Frame, line: int,
              how: str, call: ir.Call) -> Value:
        """A profile's spawner hands `work` to a worker: drawn after the activation that
        spawned it (Spawn) when a flow is drawn; followed at once when only sends are
        sought (quiet, or one process at a time)."""
        if self.quiet or not self.options.cross:
            self.note(frame, f"asynchronous, in a worker thread ({how}): "
                             f"{work.fn.function.name}", line)
            return self.invoke(work, args, kwargs, frame, line)
        self.queue.append(Spawn(work, args, dict(kwargs), frame, line, how,
                                [tuple(self.context)]))
        return Text.of(call)

    # ------------------------------------------------------------------ frames

    def _frame(self, fn: FunctionRef, self_value: Value | None, participant: str, depth: int,
               args: tuple[Value, ...], kwargs: dict[str, Value],
               closure: dict[str, Value] | None = None) -> Frame:
        env = dict(closure or {})
        params = list(fn.function.params)
        if self_value is not None and params and not fn.function.is_static:
            env[params[0].name] = self_value
            params = params[1:]
        positional = [p for p in params if p.kind == "normal"]
        for param, value in zip(positional, args):
            env[param.name] = value
        # `f(**create_kwargs)` or `f(*args)`: what the caller left unnamed may be in there,
        # so a parameter it did not name holds what it passed, not the default
        passed_more = UNKNOWN_REST in kwargs
        for param in params:
            if param.name in env:
                continue
            if param.kind == "vararg":
                env[param.name] = ArgsV(tuple(args[len(positional):]), (), not passed_more)
            elif param.kind == "kwarg":
                named = {p.name for p in params}  # only here: frames are the hot path
                env[param.name] = ArgsV((), tuple((k, v) for k, v in kwargs.items()
                                                  if k not in named and k != UNKNOWN_REST),
                                        not passed_more)
            else:
                env[param.name] = kwargs[param.name] if param.name in kwargs \
                    else Text(param.name) if passed_more \
                    else _default_value(param)
        return Frame(fn, env, participant, depth, self_value)

    def run(self, frame: Frame) -> Value:
        """Interpret a function body; the value it returns (the first one known)."""
        self.frames += 1
        if _raises_not_implemented(frame.fn.function):
            self.stubs_reached += 1
            self.stub_entered(frame.fn, frame.self_value)
        self.stack.append(frame.fn.dotted)
        try:
            afterwards = []
            if not self.quiet:
                self.step(frame, ENTER, frame.fn.dotted, frame.fn.function.line)
                for dec in frame.fn.function.decorators:
                    text = self.decorator_rule(dec, frame) or \
                        patterns.decorator_note(dec, frame.fn.function.name)
                    if text and (patterns.decorator_name(dec) not in
                                 patterns.POLICY_DECORATORS or self.policy_reached(dec, frame)):
                        self.note(frame, text, frame.fn.function.line)
                    after = self.decorator_checks(dec, frame)
                    if after is not None:
                        afterwards.append(after)
            try:
                self.body(frame.fn.function.body, frame)
            except (_Stop, _Jump):
                pass
            for after in reversed(afterwards):  # the innermost decorator's first
                self.run(after)
            if not self.quiet:
                self.step(frame, LEAVE, frame.fn.dotted, frame.fn.function.end_line)
        finally:
            self.stack.pop()
        value = _returned(frame.returns)
        return _may_be_none(value) if frame.handler_returns else value

    # ------------------------------------------------------------------ decorators

    def decorator_rule(self, dec: ir.Expr, frame: Frame) -> str | None:
        """The policy note of a decorator that builds its rule from the controller
        (Tracing.policy_decorators: Manila's `@wsgi.Controller.authorize('extend')` checks
        `<self.resource_name>:extend`; bare `@authorize`, the method's name); None for
        other decorators, or when the controller names no resource."""
        attr = self.policy_decorators.get(patterns.decorator_name(dec))
        if attr == "":
            return self.decorator_named_rule(dec, frame)
        if attr is None or not isinstance(frame.self_value, Obj):
            return None
        resource = frame.self_value.attrs.get(attr)
        if type(resource) is not ConstV:
            resource = self.class_attr(frame.self_value.cls, attr, ir.Name(attr))
        if type(resource) is not ConstV or not isinstance(resource.value, str):
            return None
        call = dec if type(dec) is ir.Call else None
        action = call.args[0].value if call and call.args and \
            type(call.args[0]) is ir.Const and isinstance(call.args[0].value, str) \
            else frame.fn.function.name
        return f"policy: {resource.value}:{action}"

    def decorator_named_rule(self, dec: ir.Expr, frame: Frame) -> str | None:
        """The policy note of a decorator given its whole rule (Tracing.policy_decorators
        with no resource attribute: Sahara's `@acl.enforce("data-processing:cluster:
        delete")`, whose wrapper authorizes that rule before the view runs); None when it
        is given none."""
        if type(dec) is not ir.Call or not dec.args:
            return None
        return f"policy: {self.policy_text(dec, 'enforce', frame)}"

    def decorator_checks(self, dec: ir.Expr, frame: Frame) -> Frame | None:
        """What a decorator defined in the tree does before it calls the function it
        wraps (`@block_extended_resource_request` asks neutron about the instance's ports
        before live_migrate runs), drawn at the top of the decorated function; and the
        frame of what it does after the call (`@update_db` saves the block device
        mapping in a `finally`), for the caller to run once the body is drawn."""
        name = patterns.decorator_name(dec)
        if name in patterns.SILENT_DECORATORS or name in patterns.POLICY_DECORATORS:
            return None
        found = self.wrapper_of(dec, frame)
        if found is None:
            return None
        before, after, closure = found
        params = [p for p in frame.fn.function.params if p.kind == "normal"]
        args = tuple(frame.env.get(p.name, Text(p.name)) for p in params)
        kwargs = {p.name: frame.env[p.name] for p in frame.fn.function.params
                  if p.kind == "kwonly" and p.name in frame.env}
        wrapper = self._frame(before, None, frame.participant, frame.depth, args, kwargs,
                              closure)
        if before.function.body:
            self.run(wrapper)
        if not after.function.body:
            return None
        return Frame(after, wrapper.env, frame.participant, frame.depth)

    def policy_reached(self, dec: ir.Expr, frame: Frame) -> bool:
        """Whether a policy decorator's wrapper reaches its check for this call: Liberty's
        `@wrap_check_policy` checks only `if not self.skip_policy_check`, and the v2.1
        controllers build `compute.API(skip_policy_check=True)`. True when the wrapper
        cannot be followed (the decorator's name is all there is to go by)."""
        found = self.wrapper_of(dec, frame)
        if found is None:
            return True
        before, _, closure = found
        params = [p for p in frame.fn.function.params if p.kind == "normal"]
        args = tuple(frame.env.get(p.name, Text(p.name)) for p in params)
        wrapper = self._frame(before, None, frame.participant, frame.depth, args, {}, closure)
        nodes = self.collect(lambda: self.run(wrapper))
        return any(s.kind == NOTE and s.text.startswith("policy:") for s in iter_steps(nodes))

    def wrapper_of(self, dec: ir.Expr, frame: Frame) \
            -> tuple[FunctionRef, FunctionRef, dict] | None:
        """The wrapper a decorator of the tree returns, cut in two at its call of the
        wrapped function (what runs before it, what runs after it), and the names it
        closes over: `@deco` is `def deco(function)` returning `inner`; `@deco(args)` is
        a factory returning such a `deco`."""
        factory = dec if isinstance(dec, ir.Call) else None
        if factory is None and type(dec) in (ir.Name, ir.Attr):
            # `wrap_check_policy = policy_decorator(scope='compute')` at module level
            ref = self.index.resolve_expr(frame.module, dec)
            if isinstance(ref, ValueRef) and type(ref.value) is ir.Call and \
                    ref.module is frame.module:
                factory = ref.value
        found = self.eval_quiet(factory.func if factory else dec, frame)
        if not isinstance(found, FuncV) or found.fn.owner is not None or \
                not self.followable(found):
            return None
        fn, closure = found.fn, {}
        if factory is not None:
            decorator = _returned_function(fn.function)
            if decorator is None:
                return None
            args = tuple(ConstV(a.value) if isinstance(a, ir.Const) else
                         self.eval_quiet(a, frame) for a in factory.args)
            kwargs = {k: ConstV(v.value) if isinstance(v, ir.Const) else
                      self.eval_quiet(v, frame) for k, v in factory.kwargs if k}
            closure = self._frame(fn, None, frame.participant, frame.depth, args,
                                  kwargs).env
            fn = FunctionRef(fn.module, decorator)
        params = [p.name for p in fn.function.params if p.kind == "normal"]
        wrapper = _returned_function(fn.function)
        if len(params) != 1 or wrapper is None:
            return None
        checks, after = _around_call_of(params[0], wrapper.body)
        if not checks and not after:
            return None
        return (FunctionRef(fn.module, replace(wrapper, body=checks)),
                FunctionRef(fn.module, replace(wrapper, body=after)), closure)

    # ------------------------------------------------------------------ statements

    def body(self, stmts: tuple, frame: Frame) -> None:
        last = len(stmts) - 1
        for index, stmt in enumerate(stmts):
            if self.stub_raised:  # a stub raised NotImplementedError: up to its try
                return
            if type(stmt) is ir.If and not stmt.orelse and index < last and stmt.body and \
                    (isinstance(stmt.body[-1], (ir.Return, ir.Raise, ir.Jump)) or
                     conditions.exits_of_body(stmt.body, self.shared.exits)
                     is conditions.ALWAYS):
                # `if x: ...; return` then more (the return may be nested: `if x: try:
                # ...; return`): the rest runs only when x is false
                self.if_(stmt, frame, tail=stmts[index + 1:])
                return
            if index < last and type(stmt) in (ir.If, ir.Try, ir.With):
                exits = conditions.exits_when(stmt, self.shared.exits)
                if exits is not None and exits is not conditions.ALWAYS:
                    self.then_rest(stmt, exits, stmts[index + 1:], frame)
                    return
            self.statement(stmt, frame)

    def binds(self, stmts: tuple) -> bool:
        """Whether statements bind a name of their frame (assignments, loop targets,
        `with ... as`, defs, imports), nested ones too: a fact of the tree, kept."""
        key = id(stmts)
        found = self.shared.binding.get(key)
        if found is None:
            found = any(type(stmt) in (ir.Assign, ir.FunctionDef, ir.ClassDef) or
                        (type(stmt) is ir.Loop and stmt.target is not None) or
                        (type(stmt) is ir.With and any(n is not None for _, n in stmt.items))
                        for stmt in ir.walk(stmts))
            self.shared.binding[key] = found
            self.shared.kept_alive.append(stmts)  # its id stays its own
        return found

    def then_rest(self, stmt: ir.Stmt, exits, rest: tuple, frame: Frame) -> None:
        """A statement that may end the function (`return` after a successful soft
        reboot, deep in its branches), then the rest, which runs only when it did not:
        drawn under that condition, unless the way out drew nothing (a guard clause)."""
        if type(stmt) is ir.If:
            decided = self.truth(stmt.test, frame)
            if decided is not None:
                # only the arm the constants choose: when does it end the function
                exits = conditions.exits_of_body(stmt.body if decided else stmt.orelse,
                                                 self.shared.exits)
                if exits is None or exits is conditions.ALWAYS:
                    self.statement(stmt, frame)
                    self.body(rest, frame)
                    return
        drawn, stopped = self.collect_stopping(lambda: self.statement(stmt, frame))
        for node in drawn:
            self.emit(node)
        if stopped is not None:
            raise stopped
        facts = self.rest_equalities(stmt)
        if not _visible(drawn):
            with self.equal_in(facts, frame):
                self.body(rest, frame)
            return
        self.arm_equalities = {id(rest): facts} if facts else {}
        self.block("opt", [(conditions.unless(exits), rest)], frame, stmt.line,
                   whole=(conditions.unless(exits, conditions.UNCUT),))

    def rest_equalities(self, stmt: ir.Stmt) -> list[tuple[ir.Expr, ir.Expr]]:
        """What holds after `if a.x != b.y: ...; return` (with elif arms of its own):
        the arm taken when the two differ always ends the function, so the rest has
        them equal."""
        if type(stmt) is not ir.If:
            return []
        equal = self.equalities(stmt.test)
        if equal is None:
            return []
        sides, when_true = equal
        differ = stmt.orelse if when_true else stmt.body
        if differ and conditions.exits_of_body(differ, self.shared.exits) is \
                conditions.ALWAYS:
            return [sides]
        return []

    def statement(self, stmt: ir.Stmt, frame: Frame) -> None:
        # exact types (the summary has no subclasses), commonest first
        kind = type(stmt)
        if kind is ir.Assign:
            self.assign_statement(stmt, frame)
        elif kind is ir.ExprStmt:
            self.eval(stmt.value, frame)
        elif kind is ir.If:
            self.if_(stmt, frame)
        elif kind is ir.Return:
            frame.returns.append(self.eval(stmt.value, frame) if stmt.value is not None
                                 else ConstV(None))
            raise _Stop
        elif kind is ir.Raise:
            raise _Stop
        elif kind is ir.Jump:
            raise _Jump
        elif kind is ir.Loop:
            iterable = self.eval(stmt.iter, frame)
            # as written (`for status in ('finished', 'confirming')`), cut between tokens
            label = f"{stmt.kind} {conditions.clip(stmt.text)}"
            body = stmt.body
            functions = self.functions_listed(stmt.iter, frame) \
                if stmt.kind == "for" and type(stmt.target) is ir.Name else None
            if functions:
                # `for filter in ALL_REQUEST_FILTERS: filter(ctxt, spec)` over a list of
                # the tree's functions: the body once per function, in order
                body = ()
                for i, function in enumerate(functions):
                    slot = f"<{stmt.target.id} {i}>"  # no Python name looks like this
                    frame.env[slot] = function
                    body += (ir.Assign((stmt.target,), ir.Name(slot), stmt.line),
                             *stmt.body)
            elif isinstance(stmt.target, ir.Name):
                element = self.element_of(iterable) if stmt.kind == "for" else None
                frame.env[stmt.target.id] = _element_view(element, iterable) \
                    if element is not None else Text(stmt.target.id)
            if functions and len(functions) == 1:
                # over a list of one function (`@v.validate(schema, check_x)`): once
                self.body(body, frame)
            elif stmt.kind == "for" and _is_search(stmt.body):
                # a search: its work is done for the first item that matches, at most once
                label = f"if some {conditions.clip(stmt.text)}"
                for node in self.collect(lambda: self.block("opt", [(label, body)], frame,
                                                            stmt.line)):
                    self.emit(_search_merged(node))
            else:
                self.block("loop", [(label, body)], frame, stmt.line)
            self.body(stmt.orelse, frame)
        elif kind is ir.Try:
            self.try_(stmt, frame)
        elif kind is ir.With:
            self.with_(stmt, frame)
        elif kind is ir.FunctionDef:
            frame.env[stmt.function.name] = FuncV(
                FunctionRef(frame.module, stmt.function, frame.fn.owner),
                None, frame.participant, closure=frame.env)

    def assign_statement(self, stmt: ir.Assign, frame: Frame) -> None:
        value = stmt.value
        if len(stmt.targets) == 1 and isinstance(stmt.targets[0], ir.Seq) and \
                isinstance(value, ir.Seq) and \
                len(value.items) == len(stmt.targets[0].items):
            # `host, node = selection.service_host, selection.nodename`: pairwise
            for target, item in zip(stmt.targets[0].items, value.items):
                self.assign(target, self.eval(item, frame), item, frame, False)
            return
        if type(value) is ir.Other and value.text.startswith("import ") and \
                len(stmt.targets) == 1 and isinstance(stmt.targets[0], ir.Name):
            # an import inside a function (lazy imports in properties)
            ref = self.index.resolve_dotted(value.text.removeprefix("import "))
            frame.env[stmt.targets[0].id] = self.ref_value(ref, stmt.targets[0].id) \
                if ref is not None else Text(stmt.targets[0].id)
            return
        result = self.eval(value, frame)
        if type(value) is ir.Other and not value.calls and type(result) is not ConstV and \
                not stmt.augmented:
            result = self.decided_value(value, frame) or result
        for target in stmt.targets:
            if type(target) is ir.Seq and type(result) is ListV and result.exact and \
                    len(result.items) == len(target.items) and not stmt.augmented:
                # `a, b = f()` where f returns `x, y`: item by item
                for item, part in zip(target.items, result.items):
                    self.assign(item, part, item, frame, False)
                continue
            self.assign(target, result, value, frame, stmt.augmented)
        if type(value) is ir.Name and len(stmt.targets) == 1 and not stmt.augmented and \
                type(stmt.targets[0]) is ir.Name and stmt.targets[0].id != value.id:
            # `new_flavor = current_flavor`: the very same value under two names
            held = frame.env.get(ALIASES)
            frame.env[ALIASES] = ConstV((held.value if held is not None else frozenset()) |
                                        {(stmt.targets[0].id, value.id)})

    def operands(self, expr: ir.BoolOp, frame: Frame) -> list[Value]:
        """The operands of `a and b` / `a or b`, each evaluated only where the ones before
        let it run: not at all after one known to decide (`False and ...`), and what it
        draws under the ones before that are not known (`instance.task_state is None and
        self._require_nw_info_update(...)`: the neutron query only when task_state is
        None)."""
        values: list[Value] = []
        undecided: list[str] = []
        for operand in expr.values:
            if values:
                previous = expr.values[len(values) - 1]
                decided = self.truth(previous, frame)
                if decided is not None and decided is (expr.op == "or"):
                    break  # decided: the rest is not evaluated
                if decided is None:
                    undecided.append(expr_text(previous))
            if not undecided or self.quiet:
                values.append(self.eval(operand, frame))
                continue
            nodes, stopped = self.collect_stopping(
                lambda operand=operand: values.append(self.eval(operand, frame)))
            if _visible(nodes):
                joined = f" {expr.op} ".join(undecided)
                whole = joined if expr.op == "and" else \
                    conditions.negated_text(joined, conditions.UNCUT)
                branch = Branch("if " + whole, tuple(nodes))
                nodes = [Block("opt", (_plain_branch(branch),), frame.fn.dotted,
                               frame.module.path, getattr(operand, "line", 0) or
                               frame.fn.function.line)]
            for node in nodes:
                self.emit(node)
            if stopped is not None:
                raise stopped
        return values

    def either(self, expr: ir.IfExp, frame: Frame) -> Value:
        """`a if c else b` that run time decides: what each side does drawn as the arms of
        a branch on `c` (`cyborg.get_device_profile_request_groups(...) if device_profile
        else []`: the call only when c holds), its value either side's (`'resize' or
        'migration'`)."""
        values: list[Value] = []
        self.alternatives += 1  # either side may run: no stub of theirs surely raises
        try:
            arms = [Branch(label, tuple(self.collect(lambda part=part: values.append(
                        self.eval(part, frame)))))
                    for label, part in (("if " + conditions.plain(expr_text(expr.test)),
                                         expr.body), ("", expr.orelse))]
        finally:
            self.alternatives -= 1
        nodes = _drawn_arms(Block("alt", tuple(arms), frame.fn.dotted, frame.module.path,
                                  frame.fn.function.line)) \
            if any(_visible(arm.nodes) for arm in arms) else \
            [node for arm in arms for node in arm.nodes]
        for node in nodes:
            self.emit(node)
        # `shutdown = heat.lazy_delete_stack if force else heat.delete_stack`: a call
        # through it is either, on the condition
        test = expr_text(expr.test)
        choice = _branch_choice(test, [(f"if {test}", values[0]), ("", values[1])])
        return choice if choice is not None else _merge_values(expr.text, values[0], values[1])

    def decided_value(self, expr: ir.Other, frame: Frame) -> ConstV | None:
        """`offload = CONF.shelved_offload_time == 0`: a condition that constants and
        options at their defaults decide, kept as its truth with the options that decided
        it (a branch on the name then goes the default's way, saying so)."""
        saved, self.config_read = self.config_read, []
        try:
            decided = self.truth(expr, frame)
            read = tuple(self.config_read)
        finally:
            self.config_read = saved
        return None if decided is None else ConstV(decided, read)

    def with_(self, stmt: ir.With, frame: Frame) -> None:
        """Context managers do real work on entry (`with self._build_resources(...)`
        allocates networks and volumes). One of the tree's `@contextmanager` generators
        runs up to its `yield` on entry and the rest (`else`, `finally`, what follows) on
        exit; its `except` around the `yield` is an error path of the body, drawn only with
        --errors. Any other context expression is evaluated on entry."""
        exits = []
        spawned = len(self.queue)
        for context, name in stmt.items:
            entered = self.enter(context, frame) if type(context) is ir.Call else None
            if entered is None:
                entered = self.context_exit(self.eval_context(context, frame), frame)
            if entered is not None:
                exits.append(entered)
            if isinstance(name, ir.Name):
                frame.env[name.id] = Text(name.id)
        try:
            self.body(stmt.body, frame)
        finally:
            for callee, args, kwargs in reversed(exits):
                workers = [w for w in list(self.queue)[spawned:] if type(w) is Spawn]
                if kwargs is _LEAVING and workers:
                    # the body handed its work to a worker, which the object goes
                    # with (Ironic's TaskManager.__exit__ spawns it and releases the
                    # lock when it ends): its exit is drawn when the work ends
                    workers[-1].after.append((callee, args, kwargs))
                    continue
                self.invoke(callee, args, dict(kwargs), frame, stmt.line, part=True)

    def eval_context(self, context: ir.Expr, frame: Frame) -> Value:
        """A `with` over an object of the tree's own context-manager class (one with
        `__exit__`), built in the statement (`with task_manager.acquire(ctx, node_id) as
        task:` returns `TaskManager(...)`): its `__init__` is the work done on entry (Ironic
        reads the node and reserves it, `objects.Node.reserve`), so it is drawn, not run
        quietly to learn attributes as other objects' are."""
        self.entering_context = type(context) is ir.Call
        try:
            return self.eval(context, frame)
        finally:
            self.entering_context = False

    def context_exit(self, value: Value, frame: Frame) -> tuple | None:
        """The `__exit__` of a context-manager object of the tree's own class, run when
        the `with` body ends with no exception (its arguments None): Ironic's
        TaskManager.__exit__ releases the node's lock (`objects.Node.release`)."""
        if type(value) is not Obj or value.role not in (None, "driver"):
            return None
        enter = self.index.find_method(value.cls, "__enter__")
        if enter is not None and not _does_nothing(enter.function):
            # Nova's EventReporter.__enter__ records each instance's action event start
            self.invoke(FuncV(enter, value, value.participant or frame.participant), (), {},
                        frame, enter.function.line, part=True)
        fn = self.index.find_method(value.cls, "__exit__")
        if fn is None or _does_nothing(fn.function):
            return None
        none = ConstV(None)
        return (FuncV(fn, value, value.participant or frame.participant),
                (none, none, none), _LEAVING)

    def context_init(self, cls: ClassRef) -> bool:
        """Whether an object of `cls` built now is the context manager a `with` enters
        (eval_context); asked once per `with`."""
        if not getattr(self, "entering_context", False):
            return False
        self.entering_context = False
        return self.index.find_method(cls, "__exit__") is not None

    def enter(self, call: ir.Call, frame: Frame) -> tuple[FuncV, tuple, dict] | None:
        """Enter a `@contextmanager` of the tree: its work before the `yield` is drawn;
        the part after it is returned, to run when the `with` body ends."""
        callee = self.eval(call.func, frame)
        if type(callee) is not FuncV or not self.followable(callee) or not any(
                patterns.decorator_name(d) == "contextmanager"
                for d in callee.fn.function.decorators):
            return None
        args, kwargs = self.arguments(call, frame)
        function = callee.fn.function
        before, after = _around_yield(function.body)

        def part(body: tuple) -> FuncV:
            fn = FunctionRef(callee.fn.module, replace(function, body=body, decorators=()),
                             callee.fn.owner)
            return FuncV(fn, callee.self_value, callee.participant, callee.pre_args,
                         callee.closure)
        self.invoke(part(before), args, kwargs, frame, call.line, part=True)
        return part(after), args, kwargs

    def try_(self, stmt: ir.Try, frame: Frame) -> None:
        memo = _memo_miss(stmt)
        if memo is not None and type(frame.self_value) is Obj:
            # `try: return self._cell_type except AttributeError: self._cell_type = ...`:
            # an attribute computed on first use, then kept
            attrs = frame.self_value.attrs
            if memo[0] not in attrs:
                self.body(memo[1].body, frame)
                return
            frame.returns.append(attrs[memo[0]])
            raise _Stop
        stubs, unfollowed = self.stubs_reached, self.unfollowed
        unset = {name for name, value in frame.env.items()
                 if type(value) is ConstV and value.value is None}
        before = dict(frame.env)
        if not self.options.errors and any(_handler_returns(h) for h in stmt.handlers):
            # a handler not walked returns (the body may itself return first)
            frame.handler_returns = True
        catcher = next((h for h in stmt.handlers if _catches_not_implemented(h.type_text)),
                       None)
        if catcher is not None:
            self.stub_watch.append(len(self.context) + self.alternatives)
            returned = len(frame.returns)
            failed = False
            try:
                self.body(stmt.body, frame)
            except (_Stop, _Jump):
                if self.stub_raised:  # `return self.driver.x()`: x raised first
                    del frame.returns[returned:]
                elif self.failing is None or self.catching(stmt, frame) is None:
                    raise
                else:
                    failed = True  # a failure on the default config this try catches
            finally:
                self.stub_watch.pop()
            if failed:
                self.take_failure(stmt, frame)
                return
            if self.stub_raised:
                self.stub_fallback(stmt, catcher, frame)
                return
        else:
            try:
                self.body(stmt.body, frame)
            except _Stop:
                # a failure (Engine.failing: an unimplemented driver method, a default way
                # that raises) that a handler of this try catches: the handler is the path
                # taken (manila/share/manager.py _update_share_status: `except Exception:
                # data_updates = {'status': STATUS_ERROR}`); else the body ended the
                # function (`if not resource: return a` / `else: return b`), and its
                # handlers are still error paths that were not drawn
                if self.failing is not None and self.catching(stmt, frame) is not None:
                    self.take_failure(stmt, frame)
                    return
                if not self.options.errors:
                    self.skipped_handlers += sum(_draws_something(h.body)
                                                 for h in stmt.handlers)
                raise
        sentinels = _sentinels(stmt, unset, frame.env)
        # `except NotImplementedError: self._rebuild_default_impl(...)` is the normal path
        # for drivers without their own: drawn, not an error path, when the body reached
        # a stub that raises it or a call not followed; libvirt's own
        # default_device_names_for_instance never lets Liberty's boot take it
        may_lack = self.stubs_reached > stubs or self.unfollowed > unfollowed
        if _expects_failure(stmt) and not self.options.errors:
            # `try: db.share_server_search_by_identifier(...) except NotFound: pass
            # else: raise InvalidInput(...)`: a lookup meant to fail; finding it is the
            # error (Manila's API.manage_share_server), so the flow goes on after the try
            self.skipped_handlers += 1
        else:
            self.body(stmt.orelse, frame)
        for handler in stmt.handlers:
            fallback = (_catches_not_implemented(handler.type_text) and
                        not _yields(stmt.body) and may_lack) or _creates_if_missing(stmt, handler)
            if not self.options.errors and not fallback:
                self.skipped_handlers += _draws_something(handler.body)
                self.handler_not_walked(handler, before, frame)
                continue
            if handler.name:
                frame.env[handler.name] = Text(handler.name)
            label = _handler_label(handler.type_text)
            self.block("opt", [(label, handler.body)], frame, handler.line)
        # the finally of the normal path: a name None before the try, set in its body
        # to what a call returned and tested `is None` in the finally, is the idiom of
        # "did the body get that far" (cinder/volume/api.py API._extend:
        # `reservations = None; try: reservations = QUOTAS.reserve(...) finally: if
        # reservations is None: _roll_back_status()`): it is set there
        held = {name: frame.env[name] for name in sentinels}
        frame.env.update({name: ConstV(conditions.SET) for name in sentinels})
        self.body(stmt.finalbody, frame)
        for name, value in held.items():
            if type(frame.env.get(name)) is ConstV and frame.env[name].value is conditions.SET:
                frame.env[name] = value

    def stub_entered(self, fn: FunctionRef, self_value: Value | None) -> None:
        """A method entered whose body only raises NotImplementedError (the class chosen
        keeps its base's stub: libvirt's Qcow2 image backend has no direct_snapshot): when
        no branch or alternative opened since the innermost try that catches it began,
        it surely raises there, and the try's handler is the path taken. Not for a
        driver drawn as its interface (its code ships apart and may implement it)."""
        if not self.stub_watch or self.quiet or not _is_stub(fn.function) or \
                self.stub_watch[-1] != len(self.context) + self.alternatives:
            return
        if self.drawn_as_interface(self_value):
            return
        owner = self_value.cls.cls.name if type(self_value) is Obj else \
            fn.owner.name if fn.owner is not None else ""
        self.stub_raised = f"{owner}.{fn.function.name}" if owner else fn.function.name

    def surely_unimplemented(self, callee: FuncV) -> bool:
        """A driver method the chosen driver does not implement (its base's stub raising
        NotImplementedError), called where no try of the flow catches that and no
        alternative is being walked: the call surely raises. Not for a driver drawn as
        its interface (its code ships apart and may implement it)."""
        if self.quiet or self.stub_watch or self.stub_raised or self.alternatives or \
                not _raises_not_implemented(callee.fn.function):
            return False
        return not self.drawn_as_interface(callee.self_value)

    def drawn_as_interface(self, value: Value | None) -> bool:
        """Whether `value` is a driver drawn as its interface (Tracing.driver_interface:
        Sahara's provisioning plugins): its code ships apart and may implement what the
        interface leaves as a stub."""
        return type(value) is Obj and bool(self.tracing.driver_interface) and any(
            k.dotted == self.tracing.driver_interface for k in self.index.mro(value.cls))

    def stub_fallback(self, stmt: ir.Try, catcher: ir.Handler, frame: Frame) -> None:
        """A try whose body reached a stub that surely raises NotImplementedError: the
        rest of its body and its else are not run; its handler is the path taken, drawn
        in line (the driver's own code then, nova/virt/libvirt/driver.py
        LibvirtDriver.snapshot: the standard snapshot after direct_snapshot); the other
        handlers are error paths; then its finally."""
        raised, self.stub_raised = self.stub_raised, ""
        if self.handler_taken(stmt, catcher, frame, f"{raised} raises NotImplementedError "
                                                    "(not implemented there): the fallback"):
            raise _Stop

    def handler_taken(self, stmt: ir.Try, handler: ir.Handler, frame: Frame,
                      note: str, error: str = "NotImplementedError") -> bool:
        """A try whose body surely raised: `handler` is the path taken, drawn in line after
        `note`; the other handlers are error paths; then the finally. Whether the handler
        ended the function (a return or a raise)."""
        self.skipped_handlers += sum(_draws_something(h.body) for h in stmt.handlers
                                     if h is not handler)
        self.note(frame, note, handler.line)
        if handler.name:
            frame.env[handler.name] = Text(error)
        ended = False
        try:
            self.body(handler.body, frame)
        except _Stop:
            ended = True  # it returned, or raised: the caller says which
        finally:
            self.body(stmt.finalbody, frame)
        return ended

    def catching(self, stmt: ir.Try, frame: Frame) -> ir.Handler | None:
        """The first `except` of `stmt` that catches the failure under way
        (Engine.failing): one naming it, one naming a class it derives from (`except
        exception.IronicException` for UnsupportedDriverExtension, both of Ironic's
        exception module), or one catching any error."""
        for handler in stmt.handlers:
            parts = [part.strip() for part in handler.type_text.strip("() ").split(",")]
            names = {part.rpartition(".")[2] for part in parts}
            if self.failing in names or names & {"Exception", "BaseException", ""} or \
                    any(self.derives(part, frame.module) for part in parts):
                return handler
        return None

    def derives(self, caught: str, module: ir.Module) -> bool:
        """Whether the failure under way is of a class deriving from `caught` (as written
        in `module`), looked up beside it: `exception.IronicException` ->
        `exception.<the failure>`."""
        if not DOTTED.fullmatch(caught) or not DOTTED.fullmatch(self.failing or ""):
            return False
        prefix = caught.rpartition(".")[0]
        base = self.index.resolve_expr(module, _dotted_expr(caught))
        failure = self.index.resolve_expr(
            module, _dotted_expr(f"{prefix}.{self.failing}" if prefix else self.failing))
        if not isinstance(base, ClassRef) or not isinstance(failure, ClassRef):
            return False
        return any(k.dotted == base.dotted for k in self.index.mro(failure))

    def take_failure(self, stmt: ir.Try, frame: Frame) -> None:
        """The failure under way is caught by a handler of `stmt`: drawn in line as the
        path taken; the function goes on after the try unless the handler raises again
        (`with excutils.save_and_reraise_exception(): <mark the error>`, or `raise
        HTTPBadRequest(...)`, which hands that one on); a handler that returns ends the
        function normally."""
        handler = self.catching(stmt, frame)
        caught = conditions.clip(" ".join(handler.type_text.split()), 60)
        # the handler's own work is not failing (an arm of it that returns is a return)
        failure, self.failing = self.failing, None
        ended = self.handler_taken(stmt, handler, frame,
                                   f"handled by except {caught}".rstrip() + ": the path taken",
                                   failure)
        raised = _raised_name(handler.body)
        if raised is not None or _reraises(handler):
            self.failing = raised if raised is not None and raised != "the exception" \
                else failure
            self.failing_frame = id(frame)
            raise _Raised
        if ended:
            raise _Stop  # the handler returned

    def handler_not_walked(self, handler: ir.Handler, before: dict, frame: Frame) -> None:
        """An exception handler left out as an error path may still be how the code goes on
        (`except InstanceNotFound: return None, None`; `except NotFound: pass`): a name
        the try's body bound, or the handler binds, and what the function returns, may
        be None after it, as far as None-ness goes (nothing else of them changes)."""
        body = handler.body
        if body and type(body[-1]) is ir.Raise:
            return
        stmts = list(ir.walk(body))
        bound = {target.id for stmt in stmts if type(stmt) is ir.Assign
                 for target in stmt.targets if type(target) is ir.Name}
        for name, value in frame.env.items():
            if value is not before.get(name) or name in bound:
                frame.env[name] = Text(value.text) if type(value) is Text and \
                    value.same is not None else _may_be_none(value)

    def assign(self, target: ir.Expr, value: Value, source: ir.Expr, frame: Frame,
               augmented: bool) -> None:
        if isinstance(target, ir.Name):
            frame.env[target.id] = value if not augmented else Text(target.id)
            aliases = frame.env.get(ALIASES)
            if aliases is not None:  # bound again: no longer the other's value
                frame.env[ALIASES] = ConstV(frozenset(
                    pair for pair in aliases.value if target.id not in pair))
        elif isinstance(target, ir.Attr):
            base = self.eval_quiet(target.value, frame)
            if type(base) is Obj:
                base.reads.pop(target.attr, None)  # another value from here on
            if isinstance(base, Obj) and base.role != "object":
                if self.attr_log:  # in an arm of a branch: remember the state before it
                    self.attr_log[-1].setdefault((id(base), target.attr),
                                                 (base, base.attrs.get(target.attr, _ABSENT)))
                base.attrs[target.attr] = value
                self.state_changes += 1
                return
            receiver = expr_text(target.value)
            if target.attr.startswith("_") or target.attr == "context":
                # `migration._context = ...`, `snapshot.context = context.elevated()`
                # (oslo.versionedobjects' property over _context): the object's own
                # state, not a field
                return
            if isinstance(base, Obj) and UNSET in base.attrs:
                del base.attrs[UNSET]  # a field is set now
            if (isinstance(base, Obj) and base.role == "object") or \
                    patterns.object_receiver(target.value, self.object_names):
                self.state_changes += 1
                fields = self.pending.setdefault(
                    (frame.participant, _own_receiver(receiver, base, frame)), [])
                fields[:] = [f for f in fields if f[0] != target.attr]
                shown = patterns.field_value(source)
                if type(value) is ChoiceV:
                    # `state = {'active': vm_states.ACTIVE, ...}[key]`: one of the table's
                    shown = " or ".join(dict.fromkeys(
                        _field_shown(target.attr, option) for _, option in value.options))
                elif isinstance(source, ir.Name) and isinstance(value, (Text, ConstV)) and \
                        text_of(value) != source.id:
                    # `instance.task_state = task_state`: what the caller passed
                    shown = _field_shown(target.attr, value)
                fields.append((target.attr, shown))
        elif isinstance(target, ir.Seq):
            for item in target.items:
                self.assign(item, Text.of(item), item, frame, False)
        elif type(target) is ir.Other and type(target.shape) is ir.Subscript:
            self.assign_item(target.shape, value, source, frame)

    def assign_item(self, target: ir.Subscript, value: Value, source: ir.Expr,
                    frame: Frame) -> None:
        """`x[key] = value`: on handed-on keywords (`kwargs['host'] = host`) they are no
        longer all known; `self.__dict__['_bdm_obj'] = bdm` sets an attribute; on a Nova
        object (`instance['task_state'] = ...`) it sets a field, saved later."""
        base_expr = target.value
        if type(base_expr) is ir.Name and type(frame.env.get(base_expr.id)) is ArgsV:
            frame.env[base_expr.id] = replace(frame.env[base_expr.id], complete=False)
            return
        key = target.index.value if type(target.index) is ir.Const else None
        if not isinstance(key, str) or not key.isidentifier():
            return
        if type(base_expr) is ir.Attr and base_expr.attr == "__dict__":
            owner = self.eval_quiet(base_expr.value, frame)
            if type(owner) is Obj:
                owner.reads.pop(key, None)
            if type(owner) is Obj and owner.role != "object":
                owner.attrs[key] = value
            return
        if type(base_expr) is ir.Attr and not base_expr.attr.startswith("_"):
            owner = self.eval_quiet(base_expr.value, frame)
            if (type(owner) is Obj and owner.role == "object") or \
                    patterns.object_receiver(base_expr.value, self.object_names):
                # `instance.system_metadata['old_vm_state'] = vm_state`: a key of an
                # object's dict field, saved with it
                self.assign(ir.Attr(base_expr.value, f"{base_expr.attr}['{key}']"), value,
                            source, frame, False)
                return
        self.assign(ir.Attr(base_expr, key), value, source, frame, False)

    def if_(self, stmt: ir.If, frame: Frame, tail: tuple = ()) -> None:
        self.eval(stmt.test, frame)
        self.config_read = []
        decided = self.truth(stmt.test, frame)
        if decided is not None and self.config_read:
            self.configured(stmt, decided, tail, frame)
            self.fails_by_default(stmt.body if decided else stmt.orelse, frame)
        if decided is True:
            self.body(stmt.body, frame)
            return
        if decided is False:
            self.body(stmt.orelse or tail, frame)
            return
        # labels are the conditions as written; block() reads them plainly, and only
        # for what it draws (parsing each condition was a sixth of the tracing time)
        arms = [(f"if {self.caller_label(stmt, frame)}", stmt.body)]
        rest = stmt.orelse or tail
        # what each arm may take as known about a name it tests (`if image_href:` then
        # `_get_image(image_href)` testing it again): true in its arm, false after it
        tested = [self.tested_value(stmt.test, frame)]
        assumed = {id(stmt.body): (tested[0],)}
        # elif chains become one alt with several arms
        while len(rest) == 1 and isinstance(rest[0], ir.If):
            test = rest[0].test
            evaluated, stopped = self.collect_stopping(lambda test=test: self.eval(test, frame))
            if stopped is not None:
                for node in evaluated:
                    self.emit(node)
                raise stopped
            if _visible(evaluated):
                # `elif on_shared_storage != self.driver.instance_on_disk(instance)`: the
                # test does work that runs only when the arms before did not, so it is
                # the `else` arm, holding that `if` (drawn there, with its test's work)
                break
            for node in evaluated:
                self.emit(node)
            self.config_read = []
            known = self.truth(test, frame)
            if known is not None:
                # an arm whose test is known false never runs; one known true always
                # runs when those before did not: it is the else, and what follows is not
                # reached; options deciding it are said as for an `if` (34.0.0
                # _validate_unshelve_az: a guard that raises, then `if not
                # CONF.cinder.cross_az_attach:`, True by default)
                if self.config_read:
                    self.configured(rest[0], known, (), frame)
                    if known:
                        self.fails_by_default(rest[0].body, frame)
                rest = rest[0].orelse if known is False else rest[0].body
                if known is False:
                    continue
                break
            arms.append((f"if {self.caller_label(rest[0], frame)}", rest[0].body))
            found = self.tested_value(rest[0].test, frame)
            assumed[id(rest[0].body)] = (*((v, not t) for v, t in tested), found)
            tested.append(found)
            rest = rest[0].orelse
        if rest:
            arms.append(("", rest))
            assumed[id(rest)] = tuple((v, not t) for v, t in tested)
        self.arm_assumptions = assumed
        # `if a.x != b.y: return`: the arms after the first have a.x == b.y
        equal = self.equalities(stmt.test)
        self.arm_equalities = {} if equal is None else {
            id(stmts): [equal[0]] for index, (_, stmts) in enumerate(arms)
            if (index == 0) is equal[1]}
        if not self.options.errors:
            # an arm that ends in `raise` is an error path (`if uuid_like: get() else:
            # raise NotFound`): the others are the normal path, and a lone one is flat
            # as is one that calls an error handler (Tracing.error_handlers). What is
            # left is drawn flat only when one arm always runs (an else, or the rest)
            normal = [(label, stmts) for label, stmts in arms
                      if not self.error_path(stmts)]
            if not normal and not any(stmts and type(stmts[-1]) is ir.Raise
                                      for _, stmts in arms):
                # only error handlers' arms: nothing of the normal path. A lone arm
                # that raises is kept: it may end a loop (`raise LoopingCallDone()`)
                self.arm_equalities = {}
                return
            if len(normal) == 1 and len(arms) > 1 and (not arms[-1][0] or
                                                       not normal[0][0]):
                # the error path left out: what goes on runs where the test came out the
                # other way, which may fix the names it reads (`if same_flavor and
                # flavor_id: raise`: same_flavor is false after it when flavor_id is true)
                assume = self.implied(stmt.test, frame, normal[0] is arms[0]) \
                    if len(arms) == 2 else []
                equalities, self.arm_equalities = self.arm_equalities, {}
                with self.equal_in(equalities.get(id(normal[0][1]), ()), frame):
                    self.body_assuming(normal[0][1], frame, assume)
                return
            if normal and len(normal) < len(arms):
                arms = normal
        # `if x: return` (or return False, raise) guards the rest: drawn flat when the
        # exit draws nothing. `if x: return self._legacy_find_hosts(...)` is another way
        # through, whose rest (the scheduler's placement claims) runs only when x is false
        exit_works = bool(tail) and type(stmt.body[-1]) is ir.Return and \
            type(stmt.body[-1].value) is ir.Call
        # a guard that raises is an error path: the rest is drawn flat, as error paths are
        # not drawn. One that returns is a normal way out (`if instance.locked and
        # is_owner: return`: the lock is not saved again): flat only if the rest changes
        # nothing (no message, write, service or driver call)
        self.block("alt" if len(arms) > 1 else "opt", arms, frame, stmt.line,
                   guard="raise" if tail and type(stmt.body[-1]) is ir.Raise
                   else "return" if tail and not exit_works else "",
                   written=True)

    def caller_label(self, stmt: ir.If, frame: Frame) -> str:
        """A test of a parameter as a label: `(cold_migrate := same_flavor)` where the
        caller passed `same_flavor` for `cold_migrate` (the callee's name alone says
        little of what decides it); the test as written otherwise, or when the function
        binds the name again."""
        test, text = stmt.test, stmt.text
        if type(test) is ir.BoolOp:
            # `check_no_instances_in_az and not same_az_name`, the first passed True: the
            # parts the constants settle say nothing (the whole is not decided, or no
            # label would be drawn)
            self.config_read = []
            kept = [part for part in test.values
                    if self.truth(part, frame) is not (test.op == "and")]
            if 0 < len(kept) < len(test.values):
                # options at their defaults that settled a part: listed with the flow's
                self.config_defaults.update(self.config_read)
                return f" {test.op} ".join(f"({part.text})" if type(part) is ir.BoolOp
                                           else expr_text(part) for part in kept)
            return text
        if frame.caller is None:
            return text
        if type(test) is ir.Name:
            name, negated = test.id, False
        elif type(test) is ir.Other and _NOT_NAME.fullmatch(text):
            name, negated = text[4:], True
        else:
            return text
        function = frame.fn.function
        if not any(p.name == name for p in function.params) or any(
                type(s) is ir.Assign and any(type(t) is ir.Name and t.id == name
                                             for t in s.targets)
                for s in ir.walk(function.body)):
            return text
        passed = _arg_texts(*frame.caller).get(name)
        if passed is None or passed == name or "\n" in passed:
            return text
        shown = f"({name} := {passed})"
        return f"not {shown}" if negated else shown

    def error_path(self, stmts: tuple) -> bool:
        """Whether an arm is an error path: it ends in `raise`, or calls an error handler
        (Tracing.error_handlers) at its own level (`utils.deploying_error_handler(task,
        msg); return` in Ironic's do_next_deploy_step, for a step that returned an
        unexpected state)."""
        if not stmts:
            return False
        if type(stmts[-1]) is ir.Raise:
            return True
        return self.error_handlers is not None and any(
            type(stmt) in (ir.ExprStmt, ir.Return) and type(stmt.value) is ir.Call and
            self.error_handlers.search(expr_text(stmt.value.func)) is not None
            for stmt in stmts)  # `utils.cleaning_error_handler(task, msg)`, or returned

    def configured(self, stmt: ir.If, decided: bool, tail: tuple, frame: Frame) -> None:
        """A branch decided by options at their defaults (`if CONF.reclaim_instance_interval`
        is 0 unless configured): the default's way is drawn; the other, if it does any
        work, is one note naming the options, and the flow's notes list them."""
        read = ", ".join(f"{option}={value!r}" for option, value in
                         dict.fromkeys(self.config_read))
        # the arm of this `if` taken (the rest of the function after it is not an exit)
        taken = stmt.body if decided else stmt.orelse
        skipped = (stmt.orelse or tail) if decided else stmt.body
        quoted = f"if {conditions.plain(stmt.text, 50)}" if decided else \
            f"the else of if {conditions.plain(stmt.text, 50)}"
        raised = _raised_name(taken)
        if raised is not None:
            self.config_defaults.update(self.config_read)
            self.note(frame, f"on the default config ({read}) this raises {raised} here "
                             f"({quoted}): the call fails", stmt.line)
        elif taken and type(taken[-1]) is ir.Return and _draws_something(skipped):
            self.config_defaults.update(self.config_read)
            self.note(frame, f"on the default config ({read}) this returns here "
                             f"({quoted}): the rest is not drawn", stmt.line)
        elif _draws_something(skipped):
            self.config_defaults.update(self.config_read)
            self.note(frame, f"not drawn: the branch for {read} set otherwise "
                             f"(if {conditions.plain(stmt.text, 50)})", stmt.line)

    def fails_by_default(self, taken: tuple, frame: Frame) -> None:
        """The way an option's default takes ends in `raise`: the path fails there on the
        default config. The failure goes up (Engine.failing) through the callers, an RPC
        call's answer says it raised, and it stops at the arm of a branch it happened in
        (that arm ends), an `except` that handles it, or the request, which then gets no
        success status."""
        raised = _raised_name(taken)
        if raised is not None and not self.quiet:
            self.failing = raised
            self.failing_frame = id(frame)

    def truth(self, test: ir.Expr, frame: Frame) -> bool | None:
        """A condition decided by constants in scope (`live=True`, `do_cast=True` passed
        down by the caller), or by which value something is (value_facts); None when it
        depends on run time."""
        seen, self.fact_read = self.fact_read, False
        try:
            decided = self.constant_truth(test, frame)
            if decided is not None and self.fact_read:
                self.value_facts += 1
            return decided
        finally:
            self.fact_read = seen

    def constant_truth(self, test: ir.Expr, frame: Frame) -> bool | None:
        if isinstance(test, ir.Const):
            return bool(test.value)
        if self.assumed:
            value, truth = self.tested_value(test, frame)
            held = self.assumed.get(id(value)) if value is not None else None
            if held is not None:
                return held[1] is truth
        if isinstance(test, (ir.Name, ir.Attr)):
            value = self.known(test, frame)
            return None if value is UNKNOWN or value is conditions.SET or \
                type(value) is conditions.Same else bool(value)
        if isinstance(test, ir.BoolOp):
            parts = [self.truth(v, frame) for v in test.values]
            stop = test.op == "or"  # the value that decides: True for or, False for and
            if stop in parts:
                return stop
            return (not stop) if all(p is not None for p in parts) else None
        if type(test) is ir.Call and not test.args and not test.kwargs:
            return self.predicate_truth(test, frame)
        if type(test) is ir.Call and type(test.func) is ir.Attr and test.func.attr == "get":
            # `elif request_spec.get('image_id'):` on an object none of whose fields is set
            # (Engine.unset_field): a lookup, decided when its answer is known
            args = tuple(ConstV(a.value) if type(a) is ir.Const else Text.of(a)
                         for a in test.args)
            found = self.unset_field(self.eval_quiet(test.func.value, frame), "get", args) \
                if not test.kwargs else None
            return bool(found.value) if type(found) is ConstV else None
        if type(test) is ir.Other and len(test.calls) == 1 and \
                _NOT_CALL.fullmatch(test.text) and not test.calls[0].args and \
                not test.calls[0].kwargs:  # `not use_unified_limits()`
            found = self.predicate_truth(test.calls[0], frame)
            return None if found is None else not found
        if isinstance(test, ir.Other) and (not test.calls or all(
                not c.args and not c.kwargs for c in test.calls)):
            # `not (CONF.quota.count_usage_from_placement or use_unified_limits())`: the
            # calls, predicates of no arguments, decided as predicate_truth decides them
            parsed = self.shared.parsed.get(test.text)
            if parsed is None:
                parsed = self.shared.parsed[test.text] = \
                    conditions.parse(test.text) or conditions.UNPARSED
            if parsed is not conditions.UNPARSED:
                value = conditions.evaluate(parsed, lambda dotted: self.known(
                    _dotted_expr(dotted), frame) if "[" not in dotted else
                    self.known_item(dotted, frame), lambda dotted: self.predicate_value(
                        dotted, frame), lambda left, right: self.aliased(left, right, frame))
                return None if value is UNKNOWN or value is conditions.SET or \
                    type(value) is conditions.Same else bool(value)
        return None

    def predicate_value(self, dotted: str, frame: Frame):
        """What a call of no arguments inside a condition returns, when it is a predicate
        predicate_truth decides; else UNKNOWN."""
        found = self.predicate_truth(ir.Call(_dotted_expr(dotted), (), (), 0), frame)
        return UNKNOWN if found is None else found

    def predicate_truth(self, call: ir.Call, frame: Frame) -> bool | None:
        """`if limit_utils.use_unified_limits():`, a function of no arguments whose body
        only returns a condition (`return CONF.quota.driver == UNIFIED_LIMITS_DRIVER`):
        decided as that condition is, in the function's own module (options at their
        defaults, constants); None when it is not such a function or not decided."""
        callee = self.eval_quiet(call.func, frame)
        if type(callee) is not FuncV or callee.self_value is not None or callee.pre_args:
            return None
        function = callee.fn.function
        body = [stmt for stmt in function.body
                if not (type(stmt) is ir.ExprStmt and type(stmt.value) is ir.Const)]
        if function.params or len(body) != 1 or type(body[0]) is not ir.Return or \
                body[0].value is None or callee.fn.dotted in self.deciding:
            return None
        self.deciding.add(callee.fn.dotted)  # a predicate returning itself ends here
        try:
            return self.truth(body[0].value, Frame(callee.fn, {}, frame.participant,
                                                   frame.depth))
        finally:
            self.deciding.discard(callee.fn.dotted)

    def tested_value(self, test: ir.Expr, frame: Frame) -> tuple[Value | None, bool]:
        """The value a branch tests when the test is a bare name, or `not` one, holding
        something not known statically (`if image_href:`), and the truth of the name
        when the test holds: what its arms may assume. (None, True) for other tests."""
        truth = True
        if type(test) is ir.Other:
            negated = _NOT_NAME.fullmatch(test.text)
            if negated is None:
                return None, True
            test, truth = ir.Name(negated.group(1)), False
        elif type(test) is not ir.Name:
            return None, True
        value = self.eval_quiet(test, frame)
        return (value if type(value) in (Text, Obj, ListV, DictV, ArgsV) else None), truth

    def known_item(self, text: str, frame: Frame):
        """`module.TABLE['key']`: the constant a module-level dict literal holds under a
        constant key, else UNKNOWN."""
        dotted, _, key = text.partition("[")
        base, _, table = dotted.rpartition(".")
        held = self.eval_quiet(_dotted_expr(base), frame) if base else None
        if type(held) is not ModuleV:
            return UNKNOWN
        value = held.module.assigns.get(table)
        if type(value) is not ir.DictExpr:
            return UNKNOWN
        for k, v in zip(value.keys, value.values):
            if type(k) is ir.Const and repr(k.value) == key[:-1] and type(v) is ir.Const:
                return v.value
        return UNKNOWN

    def known(self, expr: ir.Name | ir.Attr, frame: Frame):
        """The constant a name or attribute holds here (`do_cast=True` passed down, an
        object's `skip_policy_check` set by its constructor, `CONF.x` at its default),
        else UNKNOWN. Options read at their default are recorded in `config_read`."""
        value = self.eval_quiet(expr, frame)
        if type(value) is ConstV:
            self.config_read.extend(value.options)
            return value.value
        if type(value) is ArgsV and value.complete:
            return bool(value.positional or value.keywords)  # `if validators:` (*validators)
        if type(value) is Text and value.same is not None:
            found = self.identity(value)
            self.fact_read = self.fact_read or found is not UNKNOWN
            return found
        if not_none(value):  # an object or list passed or read: `bdms is None` is false
            self.fact_read = True
            return conditions.SET
        text = value.text if type(value) is Text else ""
        if not text.startswith("CONF."):
            return UNKNOWN
        if text in self.shared.options:
            found = self.shared.options[text]
        else:
            const = conf_const(self.index, frame.module, text)
            found = self.shared.options[text] = const.value if const is not None else UNKNOWN
        if found is not UNKNOWN:
            self.config_read.append((text, found))
        return found

    # ------------------------------------------------------------------ request body

    def bind_request(self, facts: dict) -> Text:
        """The REST handler's `body`, with what its schema guarantees (schema.body_facts):
        its parts are followed through `body['x']['y']` and `str(...)`."""
        body = Text("body")
        self.request_facts[id(body)] = (body, None, facts)
        return body

    def request_part(self, base: Value, index: Value, made: Text) -> Value:
        """`body['resize']`: a required part of the body, known to be there, true in a
        test when its schema says so (a string with minLength 1)."""
        held = self.request_facts[id(base)]
        if type(index) is ConstV and isinstance(index.value, str) and \
                index.value in held[2]:
            fact, parts = held[2][index.value]
            self.request_facts[id(made)] = (made, fact, parts)
            if fact == schema.TRUE:
                self.assumed[id(made)] = (made, True)
        return made

    def request_text(self, value: Value, call: ir.Call) -> Value:
        """`str(body['resize']['flavorRef'])`: true when no value the schema lets through
        prints empty."""
        made = Text.of(call)
        if self.request_facts[id(value)][1] in (schema.TRUE, schema.TEXT_TRUE):
            self.request_facts[id(made)] = (made, schema.TRUE, {})
            self.assumed[id(made)] = (made, True)
        return made

    # ------------------------------------------------------------------ what a test implies

    def implied(self, test: ir.Expr, frame: Frame, holds: bool) -> list[tuple[Value, bool]]:
        """What the names a test reads must hold for the test to come out `holds`, where
        that fixes them: `if same_flavor and flavor_id: raise` passed over with flavor_id
        true leaves same_flavor false; `if not host: raise` leaves host true. Only bare
        names (`name`, `not name`) holding a value not known statically; none already
        assumed."""
        parts = [test]
        if type(test) is ir.BoolOp and (test.op == "and") is not holds:
            # `not (a and b)`: one part false, so a part is fixed only when the others are
            # true; `a or b` false, or `a and b` true: every part fixed
            truths = [self.truth(part, frame) for part in test.values]
            open_parts = [p for p, t in zip(test.values, truths) if t is None]
            if len(open_parts) != 1 or holds in truths:
                return []
            parts = open_parts
        elif type(test) is ir.BoolOp:
            parts = list(test.values)
        found = []
        for part in parts:
            value, truth = self.tested_value(part, frame)
            if value is not None and id(value) not in self.assumed:
                found.append((value, truth is holds))
        return found

    def body_assuming(self, stmts: tuple, frame: Frame,
                      assume: list[tuple[Value, bool]]) -> None:
        """Statements run with values taken as known true or false (Engine.assumed)."""
        for value, truth in assume:
            self.assumed[id(value)] = (value, truth)
        try:
            self.body(stmts, frame)
        finally:
            for value, _ in assume:
                del self.assumed[id(value)]

    def aliased(self, left: ast.expr, right: ast.expr, frame: Frame) -> bool:
        """Whether two expressions read the same thing of one value: `current_flavor['id']`
        and `new_flavor['id']` after `new_flavor = current_flavor` (on every path that got
        here; ALIASES), neither name bound again since."""
        aliases = frame.env.get(ALIASES)
        if aliases is None:
            return False
        first, second = _root_and_path(left), _root_and_path(right)
        if first is None or second is None or first[1] != second[1] or \
                first[0] == second[0]:
            return False
        pair = (first[0], second[0])
        return (pair in aliases.value or pair[::-1] in aliases.value) and \
            frame.env.get(pair[0]) is frame.env.get(pair[1])

    def identity(self, value: Text):
        """Which value a text holds, for a comparison (conditions.Same), when that is known:
        its token, unless it may also be None and this arm does not take it as true
        (`if host:` then `host != instance.host`); else UNKNOWN."""
        token, nullable = value.same
        if nullable:
            held = self.assumed.get(id(value))
            if held is None or held[1] is not True:
                return UNKNOWN
        return conditions.Same(token)

    def equalities(self, test: ir.Expr) -> tuple[tuple[ir.Expr, ir.Expr], bool] | None:
        """`a.x == b.y` or `a.x != b.y` between two attributes: the two sides, and the truth
        of the test under which they are equal; None for any other test."""
        if type(test) is not ir.Other or ("==" not in test.text and "!=" not in test.text):
            return None
        parsed = self.shared.parsed.get(test.text)
        if parsed is None:
            parsed = self.shared.parsed[test.text] = \
                conditions.parse(test.text) or conditions.UNPARSED
        if type(parsed) is not ast.Compare or len(parsed.ops) != 1 or \
                type(parsed.ops[0]) not in (ast.Eq, ast.NotEq):
            return None
        sides = []
        for side in (parsed.left, parsed.comparators[0]):
            dotted = conditions.dotted(side)
            if dotted is None or "." not in dotted:
                return None
            sides.append(_dotted_expr(dotted))
        return (sides[0], sides[1]), type(parsed.ops[0]) is ast.Eq

    @contextmanager
    def equal_in(self, facts, frame: Frame):
        """While the block runs, each pair of `facts` (equalities) holds (equate)."""
        undo = [self.equate(left, right, frame) for left, right in facts]
        try:
            yield
        finally:
            for restore in reversed(undo):
                restore()

    def equate(self, left: ir.Expr, right: ir.Expr, frame: Frame) -> Callable[[], None]:
        """In an arm where `left == right` holds (the rest after `if self.host !=
        instance.host: return`), reading either gives one value: an attribute read that
        holds nothing known (Obj.reads) takes the other side's token. Returns what undoes
        it after the arm (what the two were before it is not known to be equal)."""
        values = [self.eval_quiet(side, frame) for side in (left, right)]
        if any(type(value) is not Text for value in values):
            return _nothing
        held: list[Text] = []  # a side an object holds in its attributes (self.host)
        read: list[tuple[dict, str]] = []  # a side read from what is not known
        for side, value in zip((left, right), values):
            base = self.eval_quiet(side.value, frame)
            if type(base) is not Obj:
                return _nothing
            if side.attr in base.attrs:
                held.append(value)
            else:
                read.append((base.reads, side.attr))
        if not read:
            return _nothing
        if held:
            if held[0].same is None:
                held[0].same = (object(), False)  # that text is that value, whatever it is
            elif held[0].same[1]:
                return _nothing
            token = held[0].same[0]
        else:
            token = object()
        undo = [(reads, name, reads.get(name, _ABSENT)) for reads, name in read]
        for reads, name in read:
            reads[name] = token

        def restore() -> None:
            for reads, name, before in reversed(undo):
                if reads.get(name) is token:
                    if before is _ABSENT:
                        del reads[name]
                    else:
                        reads[name] = before
        return restore

    def block(self, kind: str, arms: list[tuple[str, tuple]], frame: Frame, line: int,
              guard: str = "", written: bool = False, whole: tuple[str, ...] = ()) -> None:
        """Branches as a fragment. `guard`: the first arm ends the function early and the
        last is the rest of it; when the early exit draws nothing (a plain guard clause),
        the rest is drawn flat rather than wrapped in `opt if not (...)`. `written`: the
        labels are `if <condition as written>`, to be made plain and cut to fit; `whole`:
        the arms' labels uncut, where they were cut (kept as Branch.condition)."""
        branches = []
        before = {key: list(fields) for key, fields in self.pending.items()}
        outcomes = []
        env = frame.env  # changed in place: closures made in this frame share it
        # arms that bind no name leave the names as they were: nothing to merge (most)
        binds = any(self.binds(stmts) for _, stmts in arms)
        env_before = dict(env) if binds else env
        envs = []  # the names as each arm that carries on leaves them
        carried: list[str] = []  # ... and the conditions those arms run under
        assumptions, self.arm_assumptions = self.arm_assumptions, {}
        equalities, self.arm_equalities = self.arm_equalities, {}
        entries = _arms_of(kind, arms, whole, frame, line)
        mark = len(self.arms_done)
        # attributes the arms set on the objects they hold: each arm's, then merged
        attrs_after: list[tuple[dict, dict, bool]] = []
        for entry, (label, stmts) in zip(entries, arms):
            self.pending = {key: list(fields) for key, fields in before.items()}
            if binds and branches:
                env.clear()
                env.update(env_before)
            stopped = []
            assume = [(value, truth) for value, truth in assumptions.get(id(stmts), ())
                      if value is not None and id(value) not in self.assumed]
            assume = list({id(value): (value, truth) for value, truth in assume}.values())

            def run(stmts=stmts, assume=assume, entry=entry):
                for value, truth in assume:
                    self.assumed[id(value)] = (value, truth)
                self.context.append(entry)
                facts = equalities.get(id(stmts)) if equalities else None
                try:
                    if facts:
                        with self.equal_in(facts, frame):
                            self.body(stmts, frame)
                    else:
                        self.body(stmts, frame)
                except _Stop:
                    stopped.append(True)
                    self.arm_failed(frame, stmts[-1].line if stmts else line)
                except _Jump:
                    pass  # out of this turn of the loop, with the names as they are
                finally:
                    self.context.pop()
                    for value, _ in assume:
                        del self.assumed[id(value)]
            self.attr_log.append({})
            try:
                nodes = tuple(self.collect(run))
            finally:
                changed = self.attr_log.pop()
            attrs_after.append((changed, {key: obj.attrs.get(key[1], _ABSENT)
                                          for key, (obj, _) in changed.items()},
                                not stopped))
            _restore_attrs(changed)  # the next arm starts from the state before the branch
            self.arms_done.append(nodes)
            uncut = whole[len(branches)] if whole else ""
            branches.append(Branch(label, nodes, _condition(uncut, label)))
            outcomes.append(self.pending)
            if binds and not stopped:
                envs.append(dict(env))
                carried.append(label)
        del self.arms_done[mark:]
        self.merge_attrs(attrs_after, complete=kind == "alt" and not arms[-1][0])
        if kind != "alt" or arms[-1][0]:
            outcomes.append(before)  # no else arm: the fields may stay as they were
            if binds:
                envs.append(env_before)  # ... and the names
                carried.append("")
        if envs:
            env.clear()
            env.update(_merge_envs(envs, carried if kind == "alt" or kind == "opt" else ()))
        # nothing pending before or after any arm (the common case): nothing to merge
        self.pending = _merge_pending(outcomes, before) if any(outcomes) else {}
        # every arm of an if/else ended the function (`if not uuids: return x` then `return
        # y`, inside a try): nothing after the branch runs, unless a handler is taken
        ended = kind == "alt" and not arms[-1][0] and \
            not any(carried_on for _, _, carried_on in attrs_after)
        if kind == "alt" and not arms[-1][0] and not guard and not self.quiet:
            branches[-1] = self.else_work(branches, arms[-1][1], frame)
        if guard and not _visible(branches[0].nodes) and \
                (guard == "raise" or not _acts(branches[-1].nodes)):
            self.flat(branches, entries)
        elif self.quiet or not any(_visible(b.nodes) for b in branches):
            # nothing drawn inside: keep only the anchors, flat
            self.flat(branches, entries)
        else:
            self.draw_block(kind, branches, entries, frame, line, written)
        if ended:
            raise _Stop

    def else_work(self, branches: list[Branch], stmts: tuple, frame: Frame) -> Branch:
        """The `else` written in an `alt` whose other arms are drawn (not the rest of a
        function after a guard): one that draws nothing but calls a function of its own
        process keeps a note of that call, since an `alt` without it says the other cases
        do nothing (nova/compute/manager.py
        external_instance_event: `else: self._process_instance_event(instance, event)`
        wakes the thread waiting for a vif-plugged event, all in memory)."""
        last = branches[-1]
        if _visible(last.nodes) or not any(_visible(b.nodes) for b in branches[:-1]):
            return last
        notes = []
        for stmt in stmts:
            call = stmt.value if type(stmt) in (ir.ExprStmt, ir.Assign, ir.Return) else None
            if type(call) is not ir.Call:
                continue
            fn = self.own_function(call.func, frame)
            if fn is not None and fn.function.name not in self.spawn_keywords:
                # (a spawned worker's work is drawn where it runs)
                notes.append(self._helper_note(fn, frame, call.line))
        return replace(last, nodes=(*last.nodes, *notes)) if notes else last

    def own_function(self, func: ir.Expr, frame: Frame) -> FunctionRef | None:
        """The function of the running code's own process that `self.name` (a method of
        its class) or `name` (a function of its module) names, if any."""
        if type(func) is ir.Attr and type(func.value) is ir.Name and func.value.id == "self":
            owner = frame.self_value.cls if type(frame.self_value) is Obj else \
                ClassRef(frame.module, frame.fn.owner) if frame.fn.owner is not None \
                else None
            return self.index.find_method(owner, func.attr) if owner is not None else None
        if type(func) is ir.Name and func.id in frame.module.functions:
            return FunctionRef(frame.module, frame.module.functions[func.id])
        return None

    def draw_block(self, kind: str, branches: list[Branch], entries: list[Arm], frame: Frame,
                   line: int, written: bool) -> None:
        """A branch's arms, traced, drawn as one fragment (or flat when alike)."""
        if written:  # `if <condition as written>`: plain, on one line, cut between tokens
            branches = [_plain_branch(b) if b.label.startswith("if ") else b
                        for b in branches]
        drawn = _drawn_arms(Block(kind, tuple(branches), frame.fn.dotted, frame.module.path,
                                  line))
        if not any(isinstance(node, Block) for node in drawn):
            for entry in entries:  # arms alike: drawn flat, so is what they cast
                entry.drawn = False
        for node in drawn:
            self.emit(node)

    def merge_attrs(self, arms: list[tuple[dict, dict, bool]], complete: bool) -> None:
        """After a branch, an attribute an arm set on an object (`self.cpu_pinning_requested
        = True` in one arm) holds what any arm that carried on left there, or what it held
        before when no arm had to run: never one arm's value as if certain."""
        befores: dict = {}
        for changed, _, _ in arms:
            for key, (obj, old) in changed.items():
                befores.setdefault(key, (obj, old))
        for key, (obj, old) in befores.items():
            values = [after.get(key, old) for _, after, carried_on in arms if carried_on]
            if not complete:
                values.append(old)
            values = [Text(key[1]) if v is _ABSENT else v for v in values]
            if not values:
                continue
            if any(type(v) not in (ConstV, Text) for v in values):
                # an object set in an arm (a cache made when an option allows it): the
                # arm's object is kept, what the code calls on it followed
                last = [after[key] for _, after, _ in arms if key in after]
                kept = last[-1] if last else values[0]
                obj.attrs[key[1]] = kept if all(not_none(v) for v in values) \
                    else maybe_none(kept)
                if self.attr_log:
                    self.attr_log[-1].setdefault(key, (obj, old))
                continue
            merged = values[0]
            for value in values[1:]:
                if value is not merged:
                    merged = _merge_values(key[1], merged, value)
            if self.attr_log:  # an enclosing arm restores it too
                self.attr_log[-1].setdefault(key, (obj, old))
            obj.attrs[key[1]] = merged

    def flat(self, branches: list[Branch], entries: list[Arm]) -> None:
        """A frame drawn flat after all: its arms' steps, and no frame around the work of
        what they cast."""
        for entry in entries:
            entry.drawn = False
        for branch in branches:
            for node in branch.nodes:
                self.emit(node)

    # ------------------------------------------------------------------ expressions

    def eval_quiet(self, expr: ir.Expr, frame: Frame) -> Value:
        if isinstance(expr, ir.Name):
            return self.name(expr.id, frame)
        if isinstance(expr, ir.Attr):
            return self.attr(self.eval_quiet(expr.value, frame), expr.attr, frame, expr)
        return Text.of(expr)

    def eval(self, expr: ir.Expr | None, frame: Frame) -> Value:
        # exact types first: this is the interpreter's innermost dispatch
        kind = type(expr)
        if kind is ir.Name:
            env = frame.env
            return env[expr.id] if expr.id in env else self.name(expr.id, frame)
        if kind is ir.Attr:
            return self.attr(self.eval(expr.value, frame), expr.attr, frame, expr)
        if kind is ir.Call:
            return self.call(expr, frame)
        if kind is ir.Const:
            return ConstV(expr.value)
        if expr is None:
            return ConstV(None)
        if isinstance(expr, ir.Starred):
            return self.eval(expr.value, frame)  # what `*x` spreads: call arguments
        if isinstance(expr, ir.IfExp):
            self.eval(expr.test, frame)
            decided = self.truth(expr.test, frame)
            if decided is not None:
                return self.eval(expr.body if decided else expr.orelse, frame)
            return self.either(expr, frame)
        elif isinstance(expr, ir.BoolOp):
            values = self.operands(expr, frame)
            if expr.op == "or":
                # `image_api or image.API()`: the first operand that can be true
                for value in values:
                    if not isinstance(value, (Text, ConstV)) or \
                            (isinstance(value, ConstV) and value.value):
                        return value
        elif isinstance(expr, ir.Seq):
            items = tuple([self.eval(item, frame) for item in expr.items])
            if ir.Starred in map(type, expr.items):
                return ListV(self.joined(items), False)
            return ListV(items)
        elif isinstance(expr, ir.DictExpr):
            for key in expr.keys:
                if key is not None:
                    self.eval(key, frame)
            values = [self.eval(value, frame) for value in expr.values]
            # constant keys and named ones (`task_states.SHELVING: ...`), as written
            return DictV(tuple((expr_text(k), v) for k, v in zip(expr.keys, values)
                               if type(k) in (ir.Const, ir.Name, ir.Attr)))
        elif isinstance(expr, ir.Other):
            shape = expr.shape
            if type(shape) is ir.Subscript:
                return self.item(shape, expr, frame)
            if type(shape) is ir.Comp:
                return self.comprehension(shape, frame)
            for call in expr.calls:
                self.call(call, frame)
            return Text(expr.text)
        return Text.of(expr)

    # ------------------------------------------------------------------ collections

    def item(self, shape: ir.Subscript, expr: ir.Other, frame: Frame) -> Value:
        """`x[i]`: an item of a list we know (`convert_all_volumes(bdm)[0]`), an entry of
        a dict display (`self.handlers[protocol]`: the entry, or a run-time choice among
        them), else unknown."""
        base = self.eval(shape.value, frame)
        index = self.eval(shape.index, frame)
        if self.request_facts and id(base) in self.request_facts:
            return self.request_part(base, index, Text(expr.text))
        kind = type(base)
        if kind is ListV or kind is ArgsV:
            items = base.items if kind is ListV else base.positional
            exact = base.exact if kind is ListV else base.complete
            if exact and type(index) is ConstV and type(index.value) is int and \
                    -len(items) <= index.value < len(items):
                return items[index.value]
            return self.element_of(base) or Text(expr.text)
        if kind is not DictV or not base.items:
            return Text(expr.text)
        key = expr_text(shape.index)
        for item_key, value in base.items:
            if item_key == key:
                return value
        if type(index) is ConstV:
            for item_key, value in base.items:
                named = self.eval_quiet(_dotted_expr(item_key), frame) \
                    if item_key[:1].isalpha() else None
                if item_key == repr(index.value) or \
                        (type(named) is ConstV and named.value == index.value):
                    return value
            return Text(expr.text)
        chosen = self.option_entry(base, shape.index, frame)
        if chosen is not None:
            return chosen
        return ChoiceV(key, base.items)

    def option_entry(self, table: DictV, key: ir.Expr, frame: Frame) -> ClassV | None:
        """A table of classes indexed by an option (`self.BACKEND.get(image_type)`, where
        the function sets `image_type = CONF.libvirt.images_type` when it is not given,
        nova/virt/libvirt/imagebackend.py Backend.backend): the class of the entry for the
        option's default, as the tree declares it, is the one configured (the flow says
        so); None when the key is no option or the default names no class of the table."""
        option = expr_text(key)
        if type(key) is ir.Name:
            option = next((expr_text(stmt.value) for stmt in ir.walk(frame.fn.function.body)
                           if type(stmt) is ir.Assign and len(stmt.targets) == 1 and
                           type(stmt.targets[0]) is ir.Name and stmt.targets[0].id == key.id
                           and expr_text(stmt.value).startswith("CONF.")), "")
        if not option.startswith("CONF.") or \
                not all(type(value) is ClassV for _, value in table.items):
            return None
        default = conf_const(self.index, frame.module, option)
        if default is None or not isinstance(default.value, str):
            return None
        chosen = dict(table.items).get(repr(default.value))
        if type(chosen) is not ClassV:
            return None
        self.flow_note(f"{option}: its default, {default.value!r} "
                       f"({chosen.cls.cls.name}, {chosen.cls.module.name})")
        return chosen

    def comprehension(self, shape: ir.Comp, frame: Frame) -> Value:
        """`[f(x) for x in xs if ...]`: its element worked out once, for an item of `xs`;
        the loop variable is the comprehension's own (the frame's binding is restored)."""
        iterable = self.eval(shape.iter, frame)
        target = shape.target
        names = [target.id] if type(target) is ir.Name else \
            [t.id for t in target.items if type(t) is ir.Name] if type(target) is ir.Seq \
            else []
        saved = {name: frame.env[name] for name in names if name in frame.env}
        element = self.element_of(iterable) if type(target) is ir.Name else None
        for name in names:
            frame.env[name] = element if element is not None else Text(name)
        try:
            for cond in shape.conds:
                self.eval(cond, frame)
            value = self.eval(shape.elt, frame)
        finally:
            for name in names:
                frame.env.pop(name, None)
            frame.env.update(saved)
        if type(shape.elt) is ir.Name and names == [shape.elt.id] and \
                type(iterable) is ListV:
            return ListV(iterable.items, False)  # `[vol for vol in ...]`: the same items
        return ListV((value,), False)

    def element_of(self, iterable: Value) -> Value | None:
        """What a loop over `iterable` binds: an item of a list (one that is known, if
        any), of `*args`, or of a Nova object list; None when nothing is known."""
        kind = type(iterable)
        if kind is ListV or kind is ArgsV:
            items = iterable.items if kind is ListV else iterable.positional
            return next((v for v in items if type(v) is not Text), None) or \
                (items[0] if items else None)
        return self.list_element(iterable)

    def joined(self, parts) -> tuple:
        """The items of several lists (and single values) one after the other, one per
        kind: what `itertools.chain(a, b)` or `[*a, b]` holds."""
        items: list[Value] = []
        kinds: set = set()
        for part in parts:
            kind = type(part)
            for value in (part.items if kind is ListV else part.positional
                          if kind is ArgsV else (part,)):
                key = value.cls.dotted if type(value) is Obj else id(value) \
                    if type(value) is not Text else "text"
                if key not in kinds and len(kinds) < MAX_KINDS:
                    kinds.add(key)
                    items.append(value)
        return tuple(items)

    def grow(self, call: ir.Call, name: str, args: tuple, frame: Frame) -> bool:
        """`devices.append(x)` (or add, insert, extend) on a list held by a name or by an
        attribute of an object we model: the list now holds x too."""
        receiver = call.func.value
        position = LIST_ADDERS[name]
        if len(args) <= position:
            return False
        if type(receiver) is ir.Name:
            held = frame.env.get(receiver.id)
            owner, key = frame.env, receiver.id
        elif type(receiver) is ir.Attr:
            base = self.eval_quiet(receiver.value, frame)
            if type(base) is not Obj or base.role == "object":
                return False
            held, owner, key = base.attrs.get(receiver.attr), base.attrs, receiver.attr
        else:
            return False
        if type(held) is not ListV:
            return False
        added = args[position] if name == "extend" else ListV((args[position],))
        owner[key] = ListV(self.joined((held, added)), False)
        return True

    def iterable_builtin(self, call: ir.Call, func_text: str, args: tuple, kwargs: dict,
                         frame: Frame) -> Value | None:
        """Python's own functions over lists (the tree does not define them): chain joins,
        list/sorted/... keep the items, filter keeps its list, map calls its function on
        an item, operator.methodcaller names the method it will call."""
        last = func_text.rsplit(".", 1)[-1]
        if func_text in ITERABLE_JOINERS:
            return ListV(self.joined(args), False)
        if func_text in ITERABLE_KEEPERS and len(args) == 1 and \
                type(args[0]) in (ListV, ArgsV):
            return ListV(self.joined(args), False)
        if func_text == "filter" and len(args) == 2 and type(args[1]) in (ListV, ArgsV):
            return ListV(self.joined(args[1:]), False)
        if last == "methodcaller" and args and type(args[0]) is ConstV and \
                isinstance(args[0].value, str):
            return MethodCallerV(args[0].value, args[1:],
                                 tuple((k, v) for k, v in kwargs.items()
                                       if k != UNKNOWN_REST))
        if func_text == "map" and len(args) == 2 and \
                type(args[0]) in (FuncV, MethodCallerV):
            element = self.element_of(args[1])
            if element is None:
                return None
            # Python 2's map (Liberty) runs at once; Python 3's when consumed
            return ListV((self.apply(args[0], (element,), {}, call, frame),), False)
        return None

    def apply(self, function: Value, args: tuple, kwargs: dict, call: ir.Call,
              frame: Frame) -> Value:
        """Call a function value as if `call` called it with `args`."""
        if type(function) is MethodCallerV:
            if not args:
                return Text(function.name)
            method = self.attr(args[0], function.name, frame, call.func)
            if type(method) is not FuncV:
                return Text(function.name)
            return self.call_function(method, call, function.name,
                                      function.args + args[1:],
                                      {**dict(function.kwargs), **kwargs}, frame)
        return self.call_function(function, call, function.fn.function.name, args,
                                  kwargs, frame)

    def functions_listed(self, expr: ir.Expr, frame: Frame) -> list[FuncV] | None:
        """The functions of a module- or class-level list or tuple of the tree's functions
        (`ALL_REQUEST_FILTERS = [require_tenant_aggregate, ...]`); None for any other
        iterable, or a list longer than MAX_LISTED."""
        held = frame.env.get(expr.id) if type(expr) is ir.Name else None
        if type(held) is ArgsV and held.complete and not held.keywords and \
                0 < len(held.positional) <= MAX_LISTED and \
                all(type(f) is FuncV for f in held.positional):
            # `def validate(schema, *validators)` ... `for validator in validators:` with
            # the functions the decorator was given
            return list(held.positional)
        if type(expr) is ir.Name and expr.id not in frame.env:
            ref = self.index.resolve(frame.module, expr.id)
        elif type(expr) is ir.Attr:
            ref = self.index.resolve_expr(frame.module, expr)
        else:
            return None
        if not isinstance(ref, ValueRef) or type(ref.value) is not ir.Seq or \
                not 0 < len(ref.value.items) <= MAX_LISTED:
            return None
        functions = []
        for item in ref.value.items:
            found = self.index.resolve_expr(ref.module, item) \
                if type(item) in (ir.Name, ir.Attr) else None
            if not isinstance(found, FunctionRef):
                return None
            functions.append(FuncV(found))
        return functions

    def name(self, name: str, frame: Frame) -> Value:
        if name in frame.env:
            return frame.env[name]
        ref = self.index.resolve(frame.module, name)
        if type(ref) is ValueRef:
            held = self.global_value(ref, frame.participant) if self.tracing.globals \
                else None
            if held is None:
                held = self.module_object(ref, frame.participant)
            if held is not None:
                return held
        return self.ref_value(ref, name) if ref is not None else Text(name)

    def ref_value(self, ref, text: str, depth: int = 0) -> Value:
        if isinstance(ref, ClassRef):
            return ClassV(ref)
        if isinstance(ref, FunctionRef):
            return FuncV(ref)
        if isinstance(ref, ModuleRef):
            return ModuleV(ref.module)
        if isinstance(ref, ValueRef):
            if isinstance(ref.value, ir.Const):
                return ConstV(ref.value.value)
            chosen = self.choices.get(f"{ref.module.name}.{ref.name}") \
                if type(ref.value) is ir.Call else None
            if chosen is not None:
                # `API = importutils.import_class(CONF.transfer_api_class)` at module
                # level: the class chosen for the trace (Tracing.choices)
                found = self.index.resolve_dotted(chosen)
                if isinstance(found, ClassRef):
                    why = self.why.get(f"{ref.module.name}.{ref.name}")
                    if why:
                        self.flow_note(why)
                    return ClassV(found)
            if type(ref.value) is ir.Call and depth < 4:
                partial = self.module_partial(ref, depth)
                if partial is not None:
                    return partial
            if isinstance(ref.value, (ir.Name, ir.Attr)) and depth < 4:
                inner = self.index.resolve_expr(ref.module, ref.value)
                if inner is not None:
                    return self.ref_value(inner, text, depth + 1)
        return Text(text)

    def global_value(self, ref: ValueRef, participant: str) -> Value | None:
        """A module-level name a setup function fills at start-up (Tracing.globals): an
        object of the class it holds, built in the process that reads it."""
        for _ in range(4):  # `conductor = c.API` names the global under another name
            if f"{ref.module.name}.{ref.name}" in {g[0] for g in self.tracing.globals} or \
                    not isinstance(ref.value, (ir.Name, ir.Attr)):
                break
            inner = self.index.resolve_expr(ref.module, ref.value)
            if not isinstance(inner, ValueRef):
                return None
            ref = inner
        dotted = f"{ref.module.name}.{ref.name}"
        for name, cls_path, note in self.tracing.globals:
            if name != dotted:
                continue
            cls = self.index.resolve_dotted(cls_path)
            if not isinstance(cls, ClassRef):
                return None
            if note:
                self.flow_note(note)
            return self.fresh_instance(cls, participant)
        return None

    def module_object(self, ref: ValueRef, participant: str) -> Obj | None:
        """A module-level object built with no arguments from a class of the tree
        (`QUOTAS = VolumeTypeQuotaEngine()` in cinder/quota.py): an object of that class,
        as every importer shares it; its methods are followed like any object's."""
        for _ in range(4):  # `QUOTAS = quota.QUOTAS` names it under another module
            if not isinstance(ref.value, (ir.Name, ir.Attr)):
                break
            inner = self.index.resolve_expr(ref.module, ref.value)
            if not isinstance(inner, ValueRef):
                return None
            ref = inner
        call = ref.value
        if type(call) is not ir.Call or call.args or call.kwargs or \
                type(call.func) not in (ir.Name, ir.Attr):
            return None
        cls = self.index.resolve_expr(ref.module, call.func)
        if not isinstance(cls, ClassRef) or _is_exception(self.index, cls) or \
                f"{ref.module.name}.{ref.name}" in self.choices:
            return None
        return self.fresh_instance(cls, participant)

    def module_partial(self, ref: ValueRef, depth: int) -> FuncV | None:
        """`convert_volumes = functools.partial(_convert_block_devices, DriverVolume...)`
        at module level: the function with its first arguments bound."""
        call = ref.value
        if expr_text(call.func).rsplit(".", 1)[-1] != "partial" or not call.args or \
                call.kwargs or type(call.args[0]) not in (ir.Name, ir.Attr):
            return None
        function = self.index.resolve_expr(ref.module, call.args[0])
        if not isinstance(function, FunctionRef):
            return None
        bound = []
        for arg in call.args[1:]:
            if type(arg) is ir.Const:
                bound.append(ConstV(arg.value))
                continue
            found = self.index.resolve_expr(ref.module, arg) \
                if type(arg) in (ir.Name, ir.Attr) else None
            bound.append(self.ref_value(found, expr_text(arg), depth + 1)
                         if found is not None else Text.of(arg))
        return FuncV(function, pre_args=tuple(bound))

    def attr(self, base: Value, name: str, frame: Frame, expr: ir.Expr) -> Value:
        kind = type(base)  # values have no subclasses
        if kind is Obj:
            return self.obj_attr(base, name, frame, expr)
        if kind is Text:  # an attribute of something unknown is unknown
            if name in self.known_attrs:
                return self.known_attr(name, frame, expr)
            return Text.of(expr)
        if kind is TaskflowV:
            return taskflow.attribute(base, name)
        if kind is LibClientV:
            return LibClientV(base.service, f"{base.path}.{name}" if base.path else name)
        if kind is SuperV:
            owner = self.index.resolve_dotted(base.owner)
            if isinstance(owner, ClassRef):
                for klass in self.index.mro(base.obj.cls)[1:]:
                    if klass.dotted == base.owner:
                        continue
                    fn = klass.cls.methods.get(name)
                    if fn is not None and self._after(base.obj, base.owner, klass):
                        return FuncV(FunctionRef(klass.module, fn, klass.cls), base.obj,
                                     frame.participant)
            return Text.of(expr)
        if isinstance(base, ClassV):
            fn = self.index.find_method(base.cls, name)
            if fn is not None:
                if fn.function.is_classmethod:
                    return FuncV(fn, base)
                return FuncV(fn)
            return self.class_attr(base.cls, name, expr)
        if isinstance(base, ModuleV):
            ref = self.index.resolve_expr(base.module, ir.Name(name)) \
                if name in base.module.classes or name in base.module.functions \
                or name in base.module.imports or name in base.module.assigns \
                else self.index.resolve_dotted(f"{base.module.name}.{name}")
            if ref is None and self.db_module.match(base.module.name) and \
                    not base.module.functions and not base.module.classes:
                # the database API filled by `from manila.db.api import *` (Manila's
                # `self.db = import_module(CONF.db_driver)`): a function of the database
                # layer, drawn as its step when called (unknown_call)
                return Text(f"{base.module.name}.{name}")
            if type(ref) is ValueRef:
                held = self.global_value(ref, frame.participant) if self.tracing.globals \
                    else None
                if held is None:
                    held = self.module_object(ref, frame.participant)
                if held is not None:
                    return held
            return self.ref_value(ref, expr_text(expr)) if ref is not None \
                else Text.of(expr)
        return Text.of(expr)

    def known_attr(self, name: str, frame: Frame, expr: ir.Expr) -> Value:
        """An attribute a framework sets (Tracing.known_attrs: `api.request.rpcapi`, the
        ConductorAPI a Pecan hook puts on each request), as an object of its class."""
        chain, dotted = self.known_attrs[name]
        ref = self.index.resolve_dotted(dotted)
        if not expr_text(expr).endswith(chain) or not isinstance(ref, ClassRef):
            return Text.of(expr)
        return self.instance(ref, frame.participant)

    def _after(self, obj: Obj, owner: str, klass: ClassRef) -> bool:
        """Whether `klass` comes after `owner` in the MRO of `obj`'s class."""
        order = [k.dotted for k in self.index.mro(obj.cls)]
        return owner in order and klass.dotted in order \
            and order.index(klass.dotted) > order.index(owner)

    def obj_attr(self, obj: Obj, name: str, frame: Frame, expr: ir.Expr) -> Value:
        if name in obj.attrs:
            return obj.attrs[name]
        deferred = obj.attrs.pop(DEFERRED, None)
        if deferred is not None:
            init = self.index.find_method(obj.cls, "__init__")
            if init is not None and init.dotted not in self.stack:
                self.initialise(obj, init, obj.participant or frame.participant, frame,
                                deferred.positional, dict(deferred.keywords))
            if name in obj.attrs:
                return obj.attrs[name]
        fn = self.index.find_method(obj.cls, name)
        if fn is not None:
            if fn.function.is_property:
                return self.invoke(FuncV(fn, obj, frame.participant), (), {}, frame,
                                   fn.function.line, quiet=True)
            if fn.function.is_static:
                return FuncV(fn, None, obj.participant or frame.participant)
            return FuncV(fn, obj, obj.participant or frame.participant)
        found = self.class_attr(obj.cls, name, expr)
        if type(found) is Text:
            # read again with nothing assigned between, it is the same value
            token = obj.reads.get(name)
            if token is None:
                token = obj.reads[name] = object()
            found.same = (token, False)
        return found

    def class_attr(self, cls: ClassRef, name: str, expr: ir.Expr) -> Value:
        """A class-level assignment (`target = messaging.Target(...)`, `handlers = {}`)."""
        found = self.index.class_attr(cls, name)
        if found is not None:
            klass, value = found
            if isinstance(value, ir.Const):
                return ConstV(value.value)
            ref = self.index.resolve_expr(klass.module, value)
            if ref is not None:
                return self.ref_value(ref, expr_text(expr))
        return Text.of(expr)

    # ------------------------------------------------------------------ objects

    def instance(self, cls: ClassRef, participant: str, args=(), kwargs=None,
                 frame: Frame | None = None) -> Obj:
        """A new object of `cls`, its attributes learnt by running `__init__` quietly."""
        role, runs_in = self.role_of(cls, participant)
        obj = Obj(cls, {}, role, runs_in)
        if role == "object" and kwargs:
            obj.attrs[FIELDS] = _given_fields(kwargs)
        if role == "object" and self.built_bare(cls, args, kwargs):
            obj.attrs[UNSET] = ConstV(True)
        if role in (None, "driver"):
            init = self.index.find_method(cls, "__init__")
            if init is not None and not self.quiet and init.dotted not in self.stack \
                    and self.context_init(cls):
                self.run(self._frame(init, obj, participant, frame.depth + 1 if frame else 0,
                                     tuple(args), dict(kwargs or {})))
            elif init is not None and self.quiet < QUIET_DEPTH \
                    and init.dotted not in self.stack:
                self.initialise(obj, init, participant, frame, args, kwargs)
            elif init is not None and init.dotted not in self.stack:
                # too deep to run now (a controller's API's client's client: Liberty's
                # AggregateAPI -> SchedulerClient -> LazyLoader(SchedulerQueryClient)):
                # run when first needed, as deep as the code that needs it
                obj.attrs[DEFERRED] = ArgsV(tuple(args), tuple((kwargs or {}).items()))
        return obj

    def built_bare(self, cls: ClassRef, args, kwargs) -> bool:
        """Whether a versioned object is built with none of its fields set: given nothing
        but its context, by a class with no `__init__` of the tree's own (oslo's
        VersionedObject.__init__ sets only the fields it is given)."""
        return not args and not any(k != "context" for k in (kwargs or {})) and \
            self.index.find_method(cls, "__init__") is None

    def unset_field(self, owner: Value, name: str, args: tuple) -> Value | None:
        """What a dict-style `get(field[, default])` answers on an object none of whose
        fields was set (UNSET): the default, else None (Cinder's CinderObjectDictCompat.get
        answers the default for an unset field, None when it cannot load one); None when
        that is not known."""
        if name != "get" or type(owner) is not Obj or UNSET not in owner.attrs or \
                not args or type(args[0]) is not ConstV or not isinstance(args[0].value, str):
            return None
        return args[1] if len(args) > 1 else ConstV(None)

    def initialise(self, obj: Obj, init: FunctionRef, participant: str,
                   frame: Frame | None, args=(), kwargs=None) -> None:
        """Run `obj`'s `__init__` quietly, to learn its attributes."""
        self.quiet += 1
        try:
            self.run(self._frame(init, obj, participant, frame.depth + 1 if frame else 0,
                                 tuple(args), dict(kwargs or {})))
        finally:
            self.quiet -= 1
        # `self.pci_tracker = None` in __init__, set for real by another method
        # (the periodic task's _setup_pci_tracker): a placeholder until then, so
        # it must not decide the branches of every method that reads it. A
        # constant the caller passed (`host_list=None`) stays: it is this call's.
        for name in self.placeholders(obj.cls) & obj.attrs.keys():
            if type(obj.attrs[name]) is ConstV:
                obj.attrs[name] = Text(f"self.{name}")

    def placeholders(self, cls: ClassRef) -> frozenset[str]:
        """Attributes an `__init__` of `cls` sets to a literal constant and another method
        assigns again (`self.x = ...`), over its MRO: a fact of the tree, found once."""
        names = self.shared.placeholders.get(cls.dotted)
        if names is None:
            literal: set[str] = set()
            later: set[str] = set()
            for klass in self.index.mro(cls):
                for fn in klass.cls.methods.values():
                    if fn.params:
                        found = _self_assigned(fn.body, fn.params[0].name,
                                               literal_only=fn.name == "__init__")
                        (literal if fn.name == "__init__" else later).update(found)
            names = self.shared.placeholders[cls.dotted] = frozenset(literal & later)
        return names

    def service_of(self, module: ir.Module) -> str | None:
        return self.services.get(module.name)

    def service_client(self, module: ir.Module, frame: Frame) -> Obj | None:
        """The client class a service module's factory function hands out."""
        for cls in module.classes.values():
            if cls.name.endswith(("Client", "API")):
                return Obj(ClassRef(module, cls), {}, "service", self.service_of(module))
        return None

    def client_function(self, fn: FunctionRef, call: ir.Call, frame: Frame) -> Value | None:
        """A module-level function of a client module: a factory hands out the client
        (`report.report_client_singleton()`, `neutron.get_client(context)`), a function
        that talks to the service is a message to it (`security_group_api.validate_name`);
        None for local work, followed like any code."""
        factory = patterns.is_client_factory(fn.function.name)
        client = self.service_client(fn.module, frame) if factory else None
        if client is not None:
            return client
        if factory and self.tracing.library_clients:
            return LibClientV(self.service_of(fn.module) or "service")
        if not self.reaches_service(fn, None):
            return None
        return self.service_call(self.service_of(fn.module), fn.function.name, call.line,
                                 frame)

    def client_class(self, callee: FuncV) -> tuple[str | None, ClassRef] | None:
        """The service and client class `callee` is a method of: bound to a client object,
        or a static method of a client class (`glance.API().generate_image_url(...)`)."""
        owner = callee.self_value
        if isinstance(owner, Obj) and owner.role == "service":
            return owner.participant, owner.cls
        fn = callee.fn
        if owner is None and fn.owner is not None:
            service = self.service_of(fn.module)
            if service is not None:
                return service, ClassRef(fn.module, fn.owner)
        return None

    def reaches_service(self, fn: FunctionRef, cls: ClassRef | None) -> bool:
        """Whether a function of a service client talks to its service: it, or a method of
        its class or a function of its module that it calls (four levels down), gets or
        uses a client, an adapter or a session. Local work (cinder's
        check_availability_zone, the report client's invalidate_resource_provider, an
        inherited no-op such as Train's ensure_default) is followed like any code instead
        of being drawn as a message to the service."""
        key = (fn.dotted, cls.dotted if cls is not None else "")
        known = self.shared.reaching.get(key)
        if known is None:
            known = self.shared.reaching[key] = _reaches_client(
                self.index, fn, cls, self.services, 0, set())
        return known

    def client_writes(self, callee: FuncV, cls: ClassRef | None, args: tuple, kwargs: dict,
                      frame: Frame, line: int) -> None:
        """The database writes a service client's method makes itself, in its caller's
        process, drawn after its message to the service: neutron's get_instance_nw_info
        asks neutron, then saves the instance's InstanceInfoCache
        (update_instance_cache_with_nw_info). Only clients whose code uses the object layer
        are walked for them (a tree fact, Shared.client_writing), and not those called
        inside such a walk: their messages are all that is drawn of them there."""
        fn = callee.fn
        if self.walking_client or fn.dotted in self.stack or \
                self.quiet or not self.client_may_write(fn, cls):
            return
        local = FuncV(fn, callee.self_value, frame.participant, callee.pre_args,
                      callee.closure)
        callee_frame = self._frame(fn, local.self_value, frame.participant,
                                   frame.depth + 1, local.pre_args + tuple(args), kwargs,
                                   local.closure)
        # fields it sets on the caller's objects (`instance.info_cache = ic`) are its own
        # bookkeeping, not the caller's next save
        before = {key: list(fields) for key, fields in self.pending.items()}
        self.walking_client += 1
        try:
            nodes = self.collect(lambda: self.run(callee_frame))
        finally:
            self.walking_client -= 1
            self.pending = before
        for node in _writes_only(nodes, frame.participant):
            self.emit(node)

    def client_may_write(self, fn: FunctionRef, cls: ClassRef | None) -> bool:
        key = (fn.dotted, cls.dotted if cls is not None else "")
        known = self.shared.client_writing.get(key)
        if known is None:
            known = self.shared.client_writing[key] = _uses_objects(
                self.index, fn, cls, self.services, 0, set())
        return known

    def service_self(self, cls: ClassRef, participant: str) -> Obj:
        """The manager object of a service: built once per participant and flow."""
        key = (cls.dotted, participant)
        if key not in self.managers:
            made = self.managers[key] = self.fresh_instance(cls, participant)
            self.plug_driver(cls, made, participant)
        return self.managers[key]

    def plug_driver(self, cls: ClassRef, manager: Obj, participant: str) -> None:
        """The driver a manager holds in an attribute (Tracing.driver_attrs: Cinder's
        VolumeManager loads `self.driver` from an option its own configuration object
        reads), as the class chosen for the trace."""
        for owner, attr, held, note in self.tracing.held:
            ref = self.index.resolve_dotted(held)
            if isinstance(ref, ClassRef) and any(k.dotted == owner
                                                 for k in self.index.mro(cls)):
                self.flow_note(note)
                manager.attrs[attr] = self.instance(ref, participant)
        chosen = self.choices.get("driver")
        for klass in self.index.mro(cls) if chosen else ():
            attr = dict(self.tracing.driver_attrs).get(klass.dotted)
            if attr is None:
                continue
            ref = self.index.resolve_dotted(chosen)
            if isinstance(ref, ClassRef):
                if "driver" in self.why:
                    self.flow_note(self.why["driver"])
                before = manager.attrs.get(attr)
                driver = manager.attrs[attr] = self.instance(ref, participant)
                # helpers the manager's `__init__` handed its driver to (Manila's
                # `self.access_helper = access.ShareInstanceAccess(self.db, self.driver)`)
                # hold the driver chosen too: what they keep as the manager's driver, or
                # under the same name while unknown (the manager wrapped it since)
                for held in list(manager.attrs.values()) if before is not None else ():
                    if type(held) is Obj and held is not manager:
                        for key, value in list(held.attrs.items()):
                            if value is before or (key == attr and type(value) is Text):
                                held.attrs[key] = driver
            return

    def fresh_instance(self, cls: ClassRef, participant: str) -> Obj:
        """An object built with no arguments (a manager, a REST controller), as any flow of
        this tree builds it. Its `__init__` is run once per tree, in an engine of its own so
        that nothing traced before changes it, and each flow gets a copy to change: the
        compute manager's `__init__` (driver, resource tracker, clients) was an eighth of the
        tracing time of a build when run again in every flow."""
        key = (cls.dotted, participant, self.options)
        made = self.shared.instances.get(key)
        if made is None:
            builder = Engine(self.index, self.rpc_methods, self.options, self.choices,
                             self.why, self.shared)
            obj = builder.instance(cls, participant)
            made = self.shared.instances[key] = (obj, tuple(builder.notes), builder.frames,
                                                 builder.skipped_handlers)
        obj, notes, frames, skipped = made
        for text in notes:
            self.flow_note(text)
        self.frames += frames
        self.skipped_handlers += skipped
        return clone(obj)

    def role_of(self, cls: ClassRef, participant: str) -> tuple[str | None, str | None]:
        module = cls.module.name
        if module.startswith(self.tracing.objects):
            return "object", None
        service = self.service_of(cls.module)
        if service is not None:
            return "service", service
        if module.startswith(tuple(f"{p}." for p in self.tracing.driver_packages)) and \
                cls.dotted == self.choices.get("driver"):
            return "driver", self.driver_participant(participant)
        if self.tracing.driver_interface and cls.dotted == self.tracing.driver_interface:
            return "driver", self.driver_participant(participant)
        return None, None

    def driver_participant(self, participant: str) -> str:
        if participant.startswith(self.options.driver):
            return participant
        suffix = participant.rsplit("_", 1)[-1] \
            if participant.endswith(("_src", "_dest", INSTANCE_HOST)) \
            else ""
        return self.options.driver + (f"_{suffix}" if suffix else "")

    # ------------------------------------------------------------------ calls

    def call(self, call: ir.Call, frame: Frame) -> Value:
        kind = type(call.func)
        if self.driver_calls is not None and kind is ir.Attr and \
                type(call.func.value) in (ir.Attr, ir.Name):
            drawn = self.driver_interface_call(call, frame)
            if drawn is not None:
                return drawn
        callee = self.eval(call.func, frame)
        gathered = self.gathered(callee, call, frame)
        if gathered is not None:
            return gathered
        args, kwargs = self.arguments(call, frame)
        name = call.func.attr if kind is ir.Attr else call.func.id if kind is ir.Name else ""
        if self.request_facts and name == "str" and kind is ir.Name and len(args) == 1 \
                and id(args[0]) in self.request_facts:
            return self.request_text(args[0], call)
        if name in self.tracing.rereads and kind is ir.Attr:
            # `db_instance.refresh()`: its fields are read again from the database, each
            # possibly another value than before
            owner = callee.self_value if type(callee) is FuncV else \
                self.eval_quiet(call.func.value, frame)
            if type(owner) is Obj:
                owner.reads.clear()
        if name in self.tracing.error_hooks and not self.options.errors:
            handed = next((a for a in args if type(a) is FuncV), None)
            if handed is not None:
                self.note(frame, f"if the work cannot start: {handed.fn.function.name}",
                          call.line)
                return Text.of(call)
        if name in self.spawn_keywords and self.spawn_keywords[name]:
            handed = kwargs.get(self.spawn_keywords[name])
            if type(handed) is ListV and handed.items and type(handed.items[0]) is FuncV:
                # task.process_event('deploy', callback=self._spawn_worker,
                # call_args=(deployments.do_node_deploy, task)): the callback runs it
                return self.spawn(handed.items[0], handed.items[1:], {}, frame, call.line,
                                  name, call)
        if type(callee) is TaskflowCallV:  # flow.add(...), engine.run(), storage.fetch(...)
            return taskflow.method_call(self, callee, args, kwargs, frame, call.line)
        if type(callee) is LibClientV:
            return self.service_call(callee.service, callee.path, call.line, frame) \
                if callee.path else callee
        if type(callee) is Text and kind in (ir.Attr, ir.Name) and \
                self.tracing.library_services:
            made = self.library_service(call.func, frame)
            if made is not None:  # key_manager.API(configuration=CONF): barbican's client
                return made
        if type(callee) is Text and kind in (ir.Attr, ir.Name):
            library = taskflow.imported(call.func, frame)
            made = taskflow.library_call(self, library, args, kwargs, frame, call.line) \
                if library is not None else None
            if made is not None:  # linear_flow.Flow(name), taskflow.engines.load(flow)
                return made
        if name == "Response" and type(callee) is Text:
            status = kwargs.get("status_int") or kwargs.get("status")
            if status is not None:
                self.response_statuses.append((frame.participant, text_of(status)))
        if kind is ir.Name and name == "dict" and not args and type(callee) is Text:
            # `kwargs = dict(context=context, evacuate=evacuate, ...)` then
            # `self.driver.rebuild(**kwargs)`: the keywords are handed on as they are
            return ArgsV((), tuple((k, v) for k, v in kwargs.items() if k != UNKNOWN_REST),
                         UNKNOWN_REST not in kwargs)
        if kind is ir.Attr and name in MUTATORS and type(call.func.value) is ir.Name and \
                type(frame.env.get(call.func.value.id)) is ArgsV:
            # `kwargs.update(...)`: its keywords are no longer all known
            frame.env[call.func.value.id] = replace(frame.env[call.func.value.id],
                                                    complete=False)
        if kind is ir.Attr and name in LIST_ADDERS and self.grow(call, name, args, frame):
            return ConstV(None)
        if kind is ir.Attr and name in ("get", "pop", "setdefault") and args and \
                type(args[0]) is ConstV:
            held = self.eval_quiet(call.func.value, frame)
            if type(held) is DictV:
                # `block_device_info.get('block_device_mapping')` on a dict we know
                found = dict(held.items).get(repr(args[0].value))
                return found if found is not None else \
                    args[1] if len(args) > 1 else ConstV(None)
        if kind is ir.Attr and name == "get" and len(call.args) == 1:
            held = self.eval_quiet(call.func.value, frame)
            if type(held) is DictV:
                chosen = self.option_entry(held, call.args[0], frame)
                if chosen is not None:  # `self.BACKEND.get(image_type)`
                    return chosen
        if kind is ir.Attr and name == "update" and len(args) == 1 and \
                type(args[0]) in (DictV, ArgsV) and self.object_update(call, args[0], frame):
            return ConstV(None)
        drawn = self.recognise(call, name, callee, frame)
        if drawn is not None:
            return drawn
        if type(callee) is Text and name in ITERABLE_NAMES and kind in (ir.Name, ir.Attr):
            made = self.iterable_builtin(call, expr_text(call.func), args, kwargs, frame)
            if made is not None:
                return made
        if type(callee) is MethodCallerV:
            return self.apply(callee, args, kwargs, call, frame)
        if name in ("import_class", "import_object") and args:
            # importutils.import_class('nova.scheduler.client.query.SchedulerQueryClient'),
            # import_object(CONF.scheduler_driver): a literal class path, or an option's
            # default, is as good as an import
            path = self.class_path(args[0], frame)
            ref = self.index.resolve_dotted(path) if path else None
            if isinstance(ref, ClassRef):
                return ClassV(ref) if name == "import_class" else \
                    self.construct(ref, args[1:], kwargs, frame)
        if name == "import_module" and args:
            # importutils.import_module(CONF.db_driver) (Manila's db.base.Base: `self.db`):
            # the module a literal path, or an option's default, names
            path = self.class_path(args[0], frame)
            ref = self.index.resolve_dotted(path) if path else None
            if isinstance(ref, ModuleRef):
                return ModuleV(ref.module)
        if name == "DriverManager" and len(args) >= 2:
            loaded = self.entry_point(args[0], args[1], frame)
            if loaded is not None:
                return loaded
        if name == "partial" and args and isinstance(args[0], FuncV):
            first = args[0]
            return FuncV(first.fn, first.self_value, first.participant,
                         first.pre_args + args[1:], first.closure)
        spawner = name in SPAWNERS or name in self.spawn_keywords
        spawned = next((i for i, a in enumerate(args) if isinstance(a, FuncV) or
                        (type(a) is ChoiceV and a.labels)), None) \
            if spawner or not self.followable(callee) else None
        if spawned is not None and name in self.spawn_keywords and \
                isinstance(args[spawned], FuncV) and spawned + 1 < len(args) and \
                isinstance(args[spawned + 1], FuncV):
            # spawn_after(self._spawn_worker, utils.node_power_action, task, state): the
            # first function spawns the second; the second is the work
            spawned += 1
        if spawned is not None and name in self.spawn_keywords:
            return self.spawn(args[spawned], args[spawned + 1:], kwargs, frame, call.line,
                              name, call)
        if spawned is not None and type(args[spawned]) is ChoiceV:
            # scatter_gather_cells(ctxt, cells, timeout, target_fnc) where target_fnc is
            # one function or another on a branch: each, on its arm
            work = args[spawned]
            how = "in a new thread" if name in SPAWNERS else f"through {name or 'a wrapper'}"
            self.note(frame, f"{how}: " + " or ".join(
                option.fn.function.name for _, option in work.options), call.line)
            return self.choose_by_branch(work, call, args[spawned + 1:], kwargs, frame,
                                         follow=True)
        if spawned is not None:
            # executor.submit(fn, ...), utils.spawn(fn, ...), NetworkInfoAsyncWrapper(fn):
            # code we do not follow runs the function it is handed, often in a thread
            work = args[spawned]
            how = "in a new thread" if name in SPAWNERS else f"through {name or 'a wrapper'}"
            self.note(frame, f"{how}: {work.fn.function.name}", call.line)
            return self.invoke(work, args[spawned + 1:], kwargs, frame, call.line)
        kind = type(callee)
        if kind is FuncV:
            return self.call_function(callee, call, name, args, kwargs, frame)
        if kind is ClassV:
            return self.construct(callee.cls, args, kwargs, frame)
        if kind is ChoiceV:
            return self.choose(callee, call, args, kwargs, frame)
        if kind is SuperV or (type(call.func) is ir.Name and call.func.id == "super"):
            return self._super(frame)
        return self.unknown_call(call, name, callee, frame, kwargs)

    def library_service(self, func: ir.Expr, frame: Frame) -> LibClientV | None:
        """A factory of a library outside the tree that hands out another service's
        client (Tracing.library_services; nova/crypto.py _get_key_manager:
        `key_manager.API(configuration=CONF)`, castellan's): that service's client."""
        dotted = taskflow.imported_path(func, frame)
        for path, service, _ in self.tracing.library_services:
            if dotted == path:
                return LibClientV(service)
        return None

    def arguments(self, call: ir.Call, frame: Frame) -> tuple[tuple, dict]:
        """The values a call passes: `*args` and `**kwargs` of a wrapper are handed on
        as they came in (ArgsV); any other `*x` or `**mapping` is unknown, which the
        callee learns from UNKNOWN_REST (its unnamed parameters are not their defaults)."""
        kwargs: dict[str, Value] = {}
        if not call.args:
            args: list[Value] = []
        else:
            args = [self.eval(arg, frame) for arg in call.args]  # `*x` evaluates to x
            if ir.Starred in map(type, call.args):
                spliced: list[Value] = []
                for arg, value in zip(call.args, args):
                    if type(arg) is not ir.Starred:
                        spliced.append(value)
                    elif type(value) is ArgsV and value.complete:
                        spliced.extend(value.positional)
                    else:
                        spliced.append(Text.of(arg))
                        kwargs[UNKNOWN_REST] = ConstV(None)
                args = spliced
        for key, value in call.kwargs:
            if key is not None:
                kwargs[key] = self.eval(value, frame)
                continue
            packed = self.eval(value, frame)  # **mapping: its calls still run
            if type(packed) is ArgsV and packed.complete:
                kwargs.update(packed.keywords)
            else:
                kwargs[UNKNOWN_REST] = ConstV(None)
        return tuple(args), kwargs

    def entry_point(self, namespace: Value, name: Value, frame: Frame) -> Obj | None:
        """stevedore's `DriverManager('nova.scheduler.driver', CONF.scheduler.driver)`:
        setup.cfg is not in the tree, so the entry point is found by Nova's convention,
        module `nova.scheduler.<name>`, the class named after it (filter_scheduler ->
        FilterScheduler). `.driver` on the result is the loaded object."""
        if not (isinstance(namespace, ConstV) and isinstance(namespace.value, str)):
            return None
        chosen = name.value if isinstance(name, ConstV) else \
            conf_default(self.index, frame.module, name.text) if isinstance(name, Text) \
            else None
        if not isinstance(chosen, str) or not chosen.isidentifier():
            return None
        package = namespace.value.rsplit(".", 1)[0]
        module = self.index.module(f"{package}.{chosen}")
        wanted = "".join(part.title() for part in chosen.split("_"))
        if module is None or wanted not in module.classes:
            return None
        self.flow_note(f"{namespace.value}: {chosen} ({module.name}.{wanted}; the "
                       "configured default, by naming convention)")
        loaded = self.instance(ClassRef(module, module.classes[wanted]), frame.participant,
                               frame=frame)
        loaded.attrs.setdefault("driver", loaded)  # DriverManager(...).driver
        return loaded

    def class_path(self, value: Value, frame: Frame) -> str | None:
        if isinstance(value, ConstV) and isinstance(value.value, str):
            return value.value
        if isinstance(value, Text) and value.text.startswith("CONF."):
            default = conf_default(self.index, frame.module, value.text)
            if default and "." in default:
                self.flow_note(f"{value.text}: its default, {default}")
                return default
        return None

    def choose(self, choice: ChoiceV, call: ir.Call, args: tuple, kwargs: dict,
               frame: Frame) -> Value:
        """A call through a dispatch table: one alternative per entry; through a name a
        branch bound: one per arm, on its condition."""
        if choice.labels:
            return self.choose_by_branch(choice, call, args, kwargs, frame)
        arms = []
        for key, option in choice.options:
            def run(option=option):
                if isinstance(option, FuncV):
                    self.alternatives += 1
                    try:
                        self.call_function(option, call, option.fn.function.name, args,
                                           kwargs, frame)
                    except _Stop:
                        if self.failing is None:
                            raise
                        self.arm_failed(frame, call.line)
                    finally:
                        self.alternatives -= 1
            arms.append(Branch(f"if {choice.subject} == {key}", tuple(self.collect(run))))
        if any(_visible(arm.nodes) for arm in arms):
            self.emit(Block("alt", tuple(arms), frame.fn.dotted, frame.module.path,
                            call.line))
        return Text(choice.subject)

    def choose_by_branch(self, choice: ChoiceV, call: ir.Call, args: tuple, kwargs: dict,
                         frame: Frame, follow: bool = False) -> Value:
        """`shutdown(cluster)` where `shutdown = a if force else b`: an `alt` on the
        condition, each arm the call of its function (`follow`: its body, as code we do
        not follow that was handed it runs it); what is cast in an arm is drawn under
        it, as in any branch."""
        written = [(label, ()) for label in choice.labels]
        entries = _arms_of("alt", written, (), frame, call.line)
        branches, returns = [], []
        for entry, label, (_, option) in zip(entries, choice.labels, choice.options):
            def run(option=option, entry=entry):
                self.context.append(entry)
                try:
                    returns.append(
                        self.invoke(option, args, kwargs, frame, call.line) if follow else
                        self.call_function(option, call, option.fn.function.name, args,
                                           kwargs, frame))
                except _Stop:
                    self.arm_failed(frame, call.line)
                finally:
                    self.context.pop()
            nodes = tuple(self.collect(run))
            branches.append(_plain_branch(Branch(label, nodes)) if label
                            else Branch("", nodes))
        if self.quiet or not any(_visible(b.nodes) for b in branches):
            self.flat(branches, entries)
        else:
            drawn = _drawn_arms(Block("alt", tuple(branches), frame.fn.dotted,
                                      frame.module.path, call.line))
            if not any(isinstance(node, Block) for node in drawn):
                for entry in entries:
                    entry.drawn = False
            for node in drawn:
                self.emit(node)
        return _returned(returns)

    def followable(self, callee: Value) -> bool:
        """Whether a call to `callee` is drawn or followed (else it is opaque to us)."""
        kind = type(callee)
        if kind is FuncV:
            return not callee.fn.module.name.startswith(self.quiet_modules) or \
                callee.fn.dotted in self.choices
        if kind is ClassV:
            return not callee.cls.module.name.startswith(self.quiet_modules)
        return kind is SuperV

    def _super(self, frame: Frame) -> Value:
        self_value = frame.self_value
        if isinstance(self_value, Obj) and frame.fn.owner is not None:
            owner = f"{frame.fn.module.name}.{frame.fn.owner.name}"
            return SuperV(self_value, owner)
        return Text("super()")

    def gathered(self, callee: Value, call: ir.Call, frame: Frame) -> Value | None:
        """A call of a gatherer (Tracing.gatherers): the function it is handed, called
        with the context and the arguments after it, once for what it answers in each
        cell (`result[cell_uuid]`); None for any other call."""
        if type(callee) is not FuncV or not self.tracing.gatherers:
            return None
        at = dict(self.tracing.gatherers).get(callee.fn.dotted)
        if at is None or len(call.args) <= at or not call.args or \
                any(type(a) is ir.Starred for a in call.args[:at + 1]):
            return None
        inner = ir.Call(call.args[at], (call.args[0], *call.args[at + 1:]), call.kwargs,
                        call.line)
        return ListV((self.call(inner, frame),), False)

    def recognise(self, call: ir.Call, name: str, callee: Value, frame: Frame) -> Value | None:
        """Calls drawn as a note without being followed: notifications and policy checks."""
        event = patterns.notification(call, name)
        if event is not None:
            self.note(frame, f"notify: {event}", call.line)
            return ConstV(None)
        if name in patterns.POLICY_METHODS and self._is_policy(call, name, callee):
            rule = self.policy_text(call, name, frame)
            self.note(frame, f"policy: {rule}", call.line)
            fatal = dict((k, v) for k, v in call.kwargs if k).get("fatal")
            if type(fatal) is ir.Const and fatal.value is False and \
                    self.policy_defaults().get(rule) == DENY_ALL:
                # `allowed = context.can(CROSS_CELL_RESIZE, fatal=False)` where the rule's
                # default is '!' (nobody): false unless an operator opens it, and said
                return ConstV(False, ((f"policy {rule}", DENY_ALL),))
            return ConstV(True)
        return None

    def policy_defaults(self) -> dict[str, str]:
        """Each policy rule's default check string, as the tree's policy modules declare
        them (`policy.DocumentedRuleDefault(name=CROSS_CELL_RESIZE, check_str=
        base.RULE_NOBODY, ...)`), read once per tree."""
        if self.shared.policies is None:
            self.shared.policies = {}
            prefix = f"{self.profile.name}/policies/"
            for rel in self.index.source_files():
                module = self.index.module_at(rel) if rel.startswith(prefix) else None
                for value in module.assigns.values() if module is not None else ():
                    for rule in (value.items if type(value) is ir.Seq else (value,)):
                        self._policy_default(module, rule)
        return self.shared.policies

    def _policy_default(self, module: ir.Module, rule: ir.Expr) -> None:
        if type(rule) is not ir.Call or not expr_text(rule.func).endswith("RuleDefault"):
            return
        given = dict((k, v) for k, v in rule.kwargs if k)
        name, check = (self._constant(module, given.get(k)) for k in ("name", "check_str"))
        if isinstance(name, str) and isinstance(check, str):
            self.shared.policies.setdefault(name, check)

    def _constant(self, module: ir.Module, expr: ir.Expr | None):
        """A string a module-level expression names: a literal, or a constant it imports."""
        if type(expr) is ir.Const:
            return expr.value
        if type(expr) is ir.Name and type(module.assigns.get(expr.id)) is ir.Const:
            return module.assigns[expr.id].value
        ref = self.index.resolve_expr(module, expr) if expr is not None else None
        return ref.value.value if isinstance(ref, ValueRef) and type(ref.value) is ir.Const \
            else None

    def _is_policy(self, call: ir.Call, name: str, callee: Value) -> bool:
        if name in self.tracing.context_policy:
            return isinstance(call.func, ir.Attr) and \
                re.search(r"(context|ctxt|ctx)$", expr_text(call.func.value)) is not None
        if isinstance(callee, FuncV):
            return callee.fn.module.name.startswith(self.tracing.policy_modules)
        # `authorize(context, action=...)` (Liberty's module-level authorizer) or
        # `policy.enforce(...)`; not `token.authorize(ttl)` on some object
        return isinstance(call.func, ir.Name) or expr_text(call.func).startswith(
            ("policy.", f"{self.profile.name}.policy.", "self.policy"))

    def policy_text(self, call: ir.Call, name: str, frame: Frame) -> str:
        if name == "authorize" and isinstance(call.func, ir.Name):
            alias = frame.module.assigns.get("ALIAS")
            rule = f"os_compute_api:{alias.value}" if isinstance(alias, ir.Const) \
                else "os_compute_api"
            action = next((v for k, v in call.kwargs if k == "action"), None)
            if isinstance(action, ir.Const):
                rule += f":{action.value}"
            return rule
        if name == "check_policy" and len(call.args) > 2 and \
                isinstance(call.args[1], ir.Const) and isinstance(call.args[1].value, str):
            # Manila's check_policy(context, 'share', 'extend', share): share:extend (the
            # action a literal, a local or a constant)
            action = call.args[2] if isinstance(call.args[2], ir.Const) else \
                self.eval_quiet(call.args[2], frame)
            if isinstance(action, (ConstV, ir.Const)) and isinstance(action.value, str):
                return f"{call.args[1].value}:{action.value}"
            return f"{call.args[1].value}:{expr_text(call.args[2])}"
        if name == "check_policy" and len(call.args) > 1 and isinstance(call.args[1], ir.Const):
            return f"compute:{call.args[1].value}"
        rule = call.args[0] if call.args and name != "check_policy" else \
            (call.args[1] if len(call.args) > 1 else None)
        if rule is None:
            return name
        text = expr_text(rule)
        constants = {}
        for dotted in re.findall(r"[A-Za-z_][\w.]*", text):
            value = self.eval_quiet(_dotted_expr(dotted), frame)
            if isinstance(value, ConstV) and isinstance(value.value, str):
                constants[dotted] = value.value
        return patterns.policy_rule(text, constants)

    def call_function(self, callee: FuncV, call: ir.Call, name: str, args: tuple,
                      kwargs: dict, frame: Frame) -> Value:
        fn = callee.fn
        dotted = fn.dotted
        if dotted in self.by_client:
            return self.rpc(callee, call, args, kwargs, frame)
        self.routing_note(dotted, call, frame)
        if dotted in self.choices:
            return self.chosen(dotted, frame, args, kwargs)
        owner = callee.self_value
        if owner is None and fn.owner is None and self.service_of(fn.module) and \
                self.service_of(frame.module) is None:
            drawn = self.client_function(fn, call, frame)
            if drawn is not None:
                return drawn
        if isinstance(owner, Obj) and owner.role == "driver" and \
                frame.participant != owner.participant:
            return self.driver_call(callee, call, name, args, kwargs, frame)
        module = fn.module.name
        if module.startswith(self.tracing.objects):
            return self.object_call(callee, call, name, args, kwargs, frame)
        if self.db_module.match(module):
            self.db(frame, f"db.{fn.function.name}", call.line)
            return Text(name)
        if module.startswith(self.quiet_modules):
            return Text(name)
        return self.invoke(callee, args, kwargs, frame, call.line, call=call)

    def invoke(self, callee: FuncV, args: tuple, kwargs: dict, frame: Frame, line: int,
               quiet: bool = False, part: bool = False, call: ir.Call | None = None) -> Value:
        """Follow a call into the body of `callee`, in the process that owns it. `part`:
        the callee is a part of its function (a context manager's entry or exit), never
        remembered as the whole helper; `call`: the call as written, when there is one
        (a branch on a parameter names what the caller passed)."""
        fn = callee.fn
        owner = callee.self_value
        client = self.client_class(callee)
        if client is not None:
            service, cls = client
            if self.reaches_service(fn, cls):
                drawn = self.service_call(service, fn.function.name, line, frame)
                self.client_writes(callee, cls, args, kwargs, frame, line)
                return drawn
            # a client's local work runs in its caller's process
            callee = FuncV(fn, owner, frame.participant, callee.pre_args, callee.closure)
        if fn.dotted in self.stack or self.frames > MAX_FRAMES:
            if self.frames > MAX_FRAMES:
                self.flow_note("trace cut short: the step budget ran out")
            return Text(fn.function.name)
        # an inner function (a decorator's wrapper, a locked do_x) adds no level of detail,
        # nor does a method that only hands its arguments on (`return super()._resize(req,
        # id, body)` in a subclass controller): its callee is drawn as the caller would be
        depth = frame.depth + (0 if callee.closure is not None or
                               _forwards(frame.fn.function) else 1)
        slack = DRIVER_SLACK if frame.participant == self.driver_participant(
            frame.participant) else SUMMARY_SLACK
        if depth > self.options.depth + slack:
            return Text(fn.function.name)
        participant = callee.participant or frame.participant
        if participant != frame.participant:
            if not self.quiet:
                self.step(frame, CALLBACK, fn.function.name, line, target=participant)
            # the manager's own work, called back from deep in the driver: it gets the
            # search depth of a helper at the edge of `depth`, not the driver's stack
            depth = min(depth, self.options.depth + 1)
        callee_frame = self._frame(fn, callee.self_value, participant, depth,
                                   callee.pre_args + tuple(args), kwargs, callee.closure)
        if call is not None:
            callee_frame.caller = (callee, call)
        if self.quiet and not quiet and fn.function.name != "__init__" and \
                (fn.owner is not None or self.quiet > QUIET_DEPTH):
            # learning attributes: constructors and factory functions (`image.API()`) only
            return Text(fn.function.name)
        if quiet or self.quiet:
            self.quiet += 1
            try:
                return self.run(callee_frame)
            finally:
                self.quiet -= 1
        summary = depth > self.options.depth
        # what a helper does depends on the constants and kinds of objects it is given
        # (`_create_volume_bdm(..., is_local_creation=True)` writes locally, without it
        # it calls compute): a helper is only known again when called alike
        key = (fn.dotted, participant, _call_signature(callee.pre_args + tuple(args), kwargs)) \
            if summary else None
        if summary and not part and not _passes_function(args, kwargs):
            # A helper seen before that crossed no process boundary: its note is all
            # there is to draw, so skip walking it again (the hot path of big flows).
            seen = self.plain_helpers.get(key)
            if seen is not None:
                drawn, value = seen
                if self.stub_watch and _raises_not_implemented(fn.function):
                    self.stub_entered(fn, callee.self_value)
                for node in self.helper_summary(drawn, fn, frame, line):
                    self.emit(node)
                return value
        result: list[Value] = []
        facts, changes = self.value_facts, self.state_changes
        nodes = self.collect(lambda: result.append(self.run(callee_frame)))
        if summary:
            in_driver = frame.participant == self.driver_participant(frame.participant)
            # what crosses, with every database write: drawn with what the helper sends
            kept = _crossing(nodes, frame.participant, False, patterns.is_db_write)
            crossed = _crosses(kept, self.kept_write)
            if not crossed and not in_driver:
                # only writes: summed up as the helper's (remembered, so done once)
                kept = _crossing(nodes, frame.participant, False, self.kept_write)
            elif not in_driver:
                # drawn with what it sends: its reads too, each drawn as a read (what it
                # sends and the branches it takes are made of them: a delete's
                # Service.get_by_compute_host decides whether compute is cast to)
                kept = _crossing(nodes, frame.participant, False, _any_access)
            if in_driver:
                kept = _crossing(nodes, frame.participant, True, self.kept_write)
            drawn = self.summary_of(nodes, kept, in_driver, frame)
            if drawn is None and in_driver and _only_service_calls(kept):
                # a driver helper that asks another service (cinder, glance, placement)
                # on the way: its name says what the rest of its work is, the calls are
                # drawn after it
                drawn = ()
            nodes = kept if drawn is None else \
                [*self.helper_summary(drawn, fn, frame, line), *kept]
            if not crossed and not part and not _passes_function(args, kwargs) and \
                    facts == self.value_facts and changes == self.state_changes and \
                    self.failing is None:
                value = result[0] if result else Text(fn.function.name)
                if type(value) is Text and value.same is not None:
                    value = Text(value.text)  # another call's result is another value
                self.plain_helpers[key] = (drawn, value)
        for node in nodes:
            self.emit(node)
        if self.failing is not None and not self.quiet:
            raise _Raised  # the callee failed: so does this call
        return result[0] if result else Text(fn.function.name)

    def summary_of(self, nodes: list[Node], kept: list[Node], in_driver: bool,
                   frame: Frame) -> tuple[str, ...] | None:
        """Beyond `depth` a helper is drawn as what crosses processes (`kept`: `nodes`
        through `_crossing`); one that crosses nothing is summed up instead: by the
        database writes it makes, if any (a function that reaches the database is never
        folded into a note), else by its name. None when `kept` says it all; else the
        writes (possibly none) for `helper_summary`."""
        if _visible(kept):
            return None
        if in_driver:
            writes = ()
        else:
            # unconditional writes first; one made only in a branch is a `may write`
            certain = {_written(s.text) for s in nodes if type(s) is Step and s.kind == DB}
            made = [s for s in iter_steps(nodes) if s.kind == DB and
                    s.source == frame.participant and patterns.is_db_write(s.text)]
            # one write keeps its fields (`bdm.save (connection_info=...)`), as drawn itself;
            # a nested helper's summary gives what it writes, not its own name
            shown = {s.text: WRITES.split(s.text)[-1] if len(made) == 1
                     else _written(s.text) for s in made}
            writes = tuple(dict.fromkeys(
                shown[s.text] if _written(s.text) in certain and MAY_WRITE not in s.text
                else f"{MAY}{shown[s.text]}" for s in made))
            if not writes:
                # a helper that only reads is drawn reading, never folded into a note
                # one made only in a branch (`get_root_bdm` reads only when not handed
                # the bdms) is a `may read`
                top = {id(s) for s in nodes if type(s) is Step}
                writes = tuple(dict.fromkeys(
                    (READ if id(s) in top and MAY_READ not in s.text else READ + MAY) + read
                    for s in iter_steps(nodes)
                    if s.kind == DB and s.source == frame.participant
                    for read in READS.split(s.text.partition(" (")[0])[-1].split(", ")
                    if read != "..."))
        driver_level = in_driver and frame.depth <= self.options.depth
        if writes or _visible(nodes) or driver_level:
            return writes
        return None

    def helper_summary(self, writes: tuple[str, ...] | None, fn: FunctionRef,
                       frame: Frame, line: int) -> list[Node]:
        """A helper beyond `depth` in one step: an arrow to the database naming what it
        writes (`record action start: InstanceAction.action_start`), else a note."""
        if writes is None:
            return []
        note = self._helper_note(fn, frame, line)
        if not writes:
            return [note]
        certain = [w for w in writes if not w.startswith((MAY, READ))]
        if writes[0].startswith(READ):
            sure = [w.removeprefix(READ) for w in writes if not w.startswith(READ + MAY)]
            verb = "reads" if sure else "may read"
            listed = sure or [w.removeprefix(READ + MAY) for w in writes]
        else:
            verb = "writes" if certain else "may write"
            listed = certain or [w.removeprefix(MAY) for w in writes]
        shown = ", ".join(listed[:3]) + (", ..." if len(listed) > 3 else "")
        text = f"{note.text}: {verb} {shown}"
        return [replace(note, kind=DB, target="database", text=text),
                replace(note, kind=DB_RETURN, target="database", text="")]

    def _helper_note(self, fn: FunctionRef, frame: Frame, line: int) -> Step:
        text = _pretty(fn.function.name)
        if " " not in text and fn.owner is not None:
            text = f"{fn.owner.name}.{fn.function.name}"  # `get` alone says too little
        return Step(NOTE, frame.participant, None, text, frame.fn.dotted, frame.module.path,
                    line)

    def construct(self, cls: ClassRef, args: tuple, kwargs: dict, frame: Frame) -> Value:
        if cls.module.name.startswith(f"{self.profile.name}.exception") or \
                _is_exception(self.index, cls):
            return Text(cls.cls.name)
        if args and isinstance(args[0], (ClassV, Obj)) and self.is_proxy(cls):
            # LazyLoader(SomeClass), ExceptionHelper(manager): proxies that forward every
            # attribute to the object they wrap
            if isinstance(args[0], Obj):
                return args[0]
            return self.instance(args[0].cls, frame.participant, args[1:], kwargs, frame)
        return self.instance(cls, frame.participant, args, kwargs, frame)

    def is_proxy(self, cls: ClassRef) -> bool:
        """A class that forwards every attribute to what it wraps: `__getattr__` and no
        public method of its own (LazyLoader, ExceptionHelper). A block-device driver
        object also has `__getattr__`, for a few fields, but does its own work."""
        classes = self.index.mro(cls)
        return any("__getattr__" in k.cls.methods for k in classes) and \
            not any(not name.startswith("_") for k in classes for name in k.cls.methods)

    def chosen(self, factory: str, frame: Frame, args: tuple, kwargs: dict) -> Value:
        """A factory that picks its class by configuration: the class chosen for the trace."""
        ref = self.index.resolve_dotted(self.choices[factory])
        if factory in self.why:
            self.flow_note(self.why[factory])
        if isinstance(ref, ClassRef):
            return self.instance(ref, frame.participant, args, kwargs, frame)
        return Text(factory)

    # ------------------------------------------------------------------ drawn calls

    def db(self, frame: Frame, text: str, line: int) -> None:
        self.step(frame, DB, text, line, target="database")
        self.step(frame, DB_RETURN, "", line, target="database")

    def object_call(self, callee: FuncV, call: ir.Call, name: str, args: tuple,
                    kwargs: dict, frame: Frame, class_name: str | None = None) -> Value:
        """A Nova object's method: a remotable query or write reaches the database (by
        the class name the code wrote, `Instance` for Liberty's InstanceV2)."""
        owner = callee.self_value
        if owner is None and callee.fn.owner is None:
            # a module's function in the object layer is plain code that uses objects
            # (nova/objects/host_mapping.py discover_hosts: reads the cells' unmapped
            # compute nodes, creates host mappings, saves compute.mapped)
            return self.invoke(callee, args, kwargs, frame, call.line)
        unset = self.unset_field(owner, name, args)
        if unset is not None:
            return unset
        if type(owner) is Obj and UNSET in owner.attrs and name != "get":
            del owner.attrs[UNSET]  # `spec.update(...)`, `spec.refresh()`: no longer known
        remotable = any(patterns.decorator_name(d).startswith("remotable")
                        for d in callee.fn.function.decorators)
        if isinstance(owner, ClassV) and (remotable or (
                self.tracing.object_queries and name.startswith("get_") and
                callee.fn.function.is_classmethod and self.queries_db(callee.fn)) or (
                callee.fn.function.is_classmethod and self.class_dbapi(callee.fn))):
            # a query or a write, by conductor; or a query class method that asks the
            # database API itself (Cinder's CinderObject.get_by_id: db.get_by_id(...))
            self.db(frame, f"{class_name or owner.cls.cls.name}.{name}", call.line)
            return Obj(owner.cls, {}, "object") if name.startswith("get_") else Text(name)
        if isinstance(owner, Obj) and (remotable or name in self.object_writes):
            receiver = expr_text(call.func.value) if isinstance(call.func, ir.Attr) else name
            self.object_write(receiver, name, call, frame, owner)
        elif isinstance(owner, Obj) and self.uses_a_service(callee.fn):
            # master's ShareMapping.enhance_with_ceph_credentials asks manila itself: an
            # object's own method that talks to a service is followed like any code
            return self.invoke(callee, args, kwargs, frame, call.line)
        elif isinstance(owner, Obj) and owner.role == "object" and \
                not callee.fn.function.is_classmethod and \
                self.writes_through(callee.fn, owner.cls):
            # ShareMappingList.activate_all: `for share in self: share.activate()`, which
            # sets the status and saves: an object's own method that writes is followed
            return self.invoke(callee, args, kwargs, frame, call.line)
        elif any(type(arg) is Obj and arg.cls.module.name in self.services
                 for arg in (*args, *kwargs.values())):
            # `ImageMeta.from_image_ref(context, self.image_api, image_ref)`: handed a
            # service's client, it calls it (a rebuild's and a rescue's glance lookups)
            return self.invoke(callee, args, kwargs, frame, call.line)
        if isinstance(owner, ClassV) and _builds_own_class(callee.fn.function):
            # `objects.InstanceInfoCache.new(context, uuid)`: a class method that makes an
            # object of its class (`cls()`) and hands it back, so that what the caller
            # sets on it and saves is drawn
            return Obj(owner.cls, {FACTORY_MADE: ConstV(True)}, "object")
        return Text(name)

    def writes_through(self, fn: FunctionRef, cls: ClassRef, depth: int = 0) -> bool:
        """Whether an object's own method (not remotable) writes: it calls a write
        (save, create, ...) or a remotable method on the object or, for a list object, on
        its items, or another of their methods that does (nova/objects/share_mapping.py
        ShareMappingList.activate_all -> ShareMapping.activate -> self.save())."""
        key = (fn.dotted, cls.dotted)
        found = self.object_writers.get(key)
        if found is not None:
            return found
        self.object_writers[key] = False  # a method that calls itself
        item = self.list_element(Obj(cls, {}, "object"))
        found = False
        for call in ir.body_calls(fn.function.body):
            if type(call.func) is not ir.Attr or type(call.func.value) is not ir.Name:
                continue
            name = call.func.attr
            owner = cls if call.func.value.id == "self" else \
                item.cls if item is not None else None
            method = self.index.find_method(owner, name) if owner is not None else None
            if method is None or method.function.is_classmethod or \
                    not method.module.name.startswith(self.tracing.objects):
                continue
            if name in self.object_writes or any(
                    patterns.decorator_name(d).startswith("remotable")
                    for d in method.function.decorators) or \
                    (depth < 3 and method.function is not fn.function and
                     self.writes_through(method, owner, depth + 1)):
                found = True
                break
        self.object_writers[key] = found
        return found

    def queries_db(self, fn: FunctionRef, own: bool = True) -> bool:
        """Whether a function calls the database API through one of its module's imports
        (`db.get_by_id(...)` in cinder.objects.base, which imports cinder.db.api as db),
        or (`own`) a method of its own class that does or that the database API's
        decorator opens a session for (nova/objects/instance.py
        InstanceList.get_count_by_hosts -> `cls._get_count_by_hosts`, decorated
        `@db.pick_context_manager_reader`)."""
        local = {name for name, imp in fn.module.imports.items()
                 if self.db_module.match(imp.target)}
        if not local:
            return False
        calls = tuple(ir.body_calls(fn.function.body))
        if any(expr_text(call.func).split(".", 1)[0] in local for call in calls):
            return True
        return own and fn.owner is not None and any(
            _own_db_method(fn, call, local) is not None for call in calls)

    def class_dbapi(self, fn: FunctionRef) -> bool:
        """Whether an object's class method calls the database API it holds as a class
        attribute (Ironic's IronicObject: `dbapi = db_api.get_instance()`; Node.reserve:
        `cls.dbapi.reserve_node(tag, node_id)`, the conductor's node lock)."""
        if fn.owner is None:
            return False
        klass = ClassRef(fn.module, fn.owner)
        for call in ir.body_calls(fn.function.body):
            parts = expr_text(call.func).split(".")
            if len(parts) < 3 or parts[0] != "cls":
                continue
            found = self.index.class_attr(klass, parts[1])
            if found is None:
                continue
            root = expr_text(found[1]).split(".", 1)[0]
            imp = found[0].module.imports.get(root)
            if imp is not None and self.db_module.match(imp.target):
                return True
        return False

    def uses_a_service(self, fn: FunctionRef) -> bool:
        """Whether a function calls into a client module of another service through one
        of its module's imports (`manila_api.API().get_access(...)` in
        nova.objects.share_mapping, which imports nova.share.manila)."""
        clients = {local for local, imp in fn.module.imports.items()
                   if imp.target in self.services or
                   imp.target.rpartition(".")[0] in self.services}
        return bool(clients) and any(
            expr_text(call.func).split(".", 1)[0] in clients
            for call in ir.body_calls(fn.function.body))

    def object_update(self, call: ir.Call, fields: DictV | ArgsV, frame: Frame) -> bool:
        """`instance.update({'task_state': ...})` or `instance.update(instance_attrs)` with
        the keywords a caller passed: fields set, written by the next save."""
        receiver = call.func.value
        owner = self.eval_quiet(receiver, frame)
        if not ((type(owner) is Obj and owner.role == "object") or
                patterns.object_receiver(receiver, self.object_names)):
            return False
        items = fields.items if type(fields) is DictV else fields.keywords
        if type(owner) is Obj:
            if type(fields) is ArgsV and not fields.complete:
                owner.reads.clear()  # fields not known: any may be another value now
            for key, _ in items:
                owner.reads.pop(key.strip("'\""), None)
        self.state_changes += 1
        pending = self.pending.setdefault((frame.participant, expr_text(receiver)), [])
        for key, value in items:
            name = key.strip("'\"")
            if name.isidentifier():
                pending[:] = [f for f in pending if f[0] != name]
                pending.append((name, _field_shown(name, value)))
        return True

    def object_write(self, receiver: str, name: str, call: ir.Call, frame: Frame,
                     owner: Obj | None = None) -> None:
        # `self._bdm_obj.save()` inside a wrapper class: the object is the bdm
        shown = receiver
        if receiver.startswith("self._") and "." not in receiver[5:]:
            shown = receiver[5:].strip("_").removesuffix("_obj") or receiver
        item = patterns.ITEM_RECEIVER.fullmatch(receiver)
        if item:  # `migrate_data['migration']`: the migration
            shown = item.group(1)
        made = patterns.MADE_RECEIVER.fullmatch(receiver)
        if made:  # `node_history.NodeHistory(node_id=..., ...).create()`: its class's name
            shown = made.group(1)
        if receiver == "self" and owner is not None:
            shown = owner.cls.cls.name  # in the object's own method (ShareMapping.activate)
        if owner is not None and FACTORY_MADE in owner.attrs and \
                shown != re.sub(r"(?<!^)(?=[A-Z])", "_", owner.cls.cls.name).lower():
            shown = owner.cls.cls.name  # `ic.save()`: InstanceInfoCache.save
        text = f"{shown}.{name}"
        # the fields set since the last save are written by save and create; another
        # write (`instance.drop_migration_context()`) leaves them pending
        fields = self.pending.pop((frame.participant, _own_receiver(receiver, owner, frame)), []) \
            if name in ("save", "create") else ()
        if name == "create" and owner is not None and FIELDS in owner.attrs:
            # `objects.Migration(context=..., status='pre-migrating', ...).create()`
            given = owner.attrs[FIELDS].items
            fields = [*given, *((k, v) for k, v in fields if k not in dict(given))]
        if fields:  # a new record's fields are cut to the telling ones; a save's all kept
            text += " (" + (_fields_label(fields) if name == "create" else
                            ", ".join(f"{k}={v}" for k, v in fields)) + ")"
        self.db(frame, text, call.line)

    def unknown_call(self, call: ir.Call, name: str, callee: Value, frame: Frame,
                     kwargs: dict | None = None) -> Value:
        """A call to something the index cannot see: drawn when Nova's conventions say what
        it is, noted when it looks like a wrapper we failed to type, else left out."""
        result = Text.of(call)
        func = call.func
        if type(callee) is Text and callee._expr is None and type(func) is ir.Attr and \
                callee.text.endswith(f".{name}") and \
                self.db_module.match(callee.text[: -len(name) - 1]):
            self.db(frame, f"db.{name}", call.line)  # see attr: the database facade
            return result
        # `objects.Instance.get_by_uuid` (tested on the shape first: most calls are not)
        match = OBJECT_CLASS_CALL.match(expr_text(func)) \
            if type(func) is ir.Attr and type(func.value) is ir.Attr else None
        if match:
            # nova.objects registers its classes at run time, so find the class by name
            # among the object modules
            cls = self.object_class(match.group(1))
            method = self.index.find_method(cls, match.group(2)) if cls else None
            if method is not None:
                # the arguments as given: a client handed over is what the method calls
                # (`objects.ImageMeta.from_image_ref(context, self.image_api, ref)`)
                args, kwargs = self.arguments(call, frame)
                return self.object_call(FuncV(method, ClassV(cls)), call, name, args, kwargs,
                                        frame, match.group(1))
            if name.startswith("obj_"):
                # oslo.versionedobjects' own (obj_from_primitive, obj_make_list): they
                # build objects from data at hand, asking no database
                return result
            self.db(frame, f"{match.group(1)}.{match.group(2)}", call.line)
            return result
        if type(func) is ir.Attr and type(func.value) is ir.Name and \
                func.value.id in ("objects", "obj") and func.attr[:1].isupper():
            # `objects.ShareMappingList(context)`: a new object of a class found by name,
            # so that its methods and items are known
            cls = self.object_class(func.attr)
            if cls is not None:
                made = Obj(cls, {}, "object")
                if kwargs:
                    made.attrs[FIELDS] = _given_fields(kwargs)
                if not call.args and self.built_bare(cls, (), dict(call.kwargs)):
                    made.attrs[UNSET] = ConstV(True)
                return made
        if isinstance(func, ir.Attr) and name in self.object_writes:
            receiver = patterns.object_receiver(func.value, self.object_names)
            if receiver:
                self.object_write(receiver, name, call, frame)
                return result
        if isinstance(func, ir.Attr) and type(func.value) in (ir.Name, ir.Attr) and \
                not name.startswith(("get", "_")) and \
                patterns.object_receiver(func.value, self.object_names):
            # `instance.drop_migration_context()` on an instance whose class is not known
            # here: the method of the class its name says (Instance), drawn when it is
            # remotable (`delete_metadata_key`) or a write that calls the database API
            # itself (db.instance_extra_update_by_uuid), as for an object of known class
            receiver = expr_text(func.value)
            last = receiver.rsplit(".", 1)[-1]
            cls = self.object_class(last.title().replace("_", ""))
            method = self.index.find_method(cls, name) if cls is not None else None
            if method is not None and not method.function.is_classmethod and (
                    any(patterns.decorator_name(d).startswith("remotable")
                        for d in method.function.decorators) or
                    (patterns.is_db_write(name) and self.queries_db(method))):
                self.object_write(receiver, name, call, frame)
                return result
        if isinstance(func, ir.Name) and isinstance(frame.env.get(func.id), Text) and \
                func.id not in {p.name for p in frame.fn.function.params}:
            origin = frame.env[func.id].text
            self.unfollowed += 1
            self.note(frame, f"not followed: {func.id}() is chosen at run time "
                             f"({conditions.clip(origin, 50)})", call.line)
            return result
        if isinstance(func, ir.Attr) and isinstance(func.value, ir.Attr) and \
                isinstance(func.value.value, ir.Name) and func.value.value.id == "self" and \
                re.search(r"(api|rpcapi|client|driver)$", func.value.attr):
            self.unfollowed += 1
            self.note(frame, f"not followed: self.{func.value.attr}.{name}() "
                             "(its class is not known statically)", call.line)
        return result

    def list_element(self, iterable: Value) -> Obj | None:
        """An item of a Nova object list (`for share_mapping in ShareMappingList...`):
        an object of the class its `fields = {'objects': ListOfObjectsField('X')}`
        names."""
        if type(iterable) is not Obj or iterable.role != "object":
            return None
        found = self.index.class_attr(iterable.cls, "fields")
        table = found[1] if found else None
        if type(table) is not ir.DictExpr:
            return None
        for key, value in zip(table.keys, table.values):
            if type(key) is ir.Const and key.value == "objects" and type(value) is ir.Call \
                    and value.args and type(value.args[0]) is ir.Const and \
                    isinstance(value.args[0].value, str):
                cls = self.object_class(value.args[0].value)
                return Obj(cls, {}, "object") if cls is not None else None
        return None

    def object_class(self, name: str) -> ClassRef | None:
        if name not in self.object_classes:
            found = None
            # `class Instance(...)`, or Liberty's versioned alias `Instance = InstanceV2`
            needles = (f"class {name}(".encode(), f"\n{name} = ".encode())
            for rel in self.index.source_files():
                if not rel.startswith(self.tracing.objects.replace(".", "/") + "/") or \
                        not any(n in self.index.source(rel) for n in needles):
                    continue
                module = self.index.module_at(rel)
                ref = self.index.resolve(module, name) if module is not None else None
                if isinstance(ref, ValueRef) and type(ref.value) in (ir.Name, ir.Attr):
                    ref = self.index.resolve_expr(ref.module, ref.value)
                if isinstance(ref, ClassRef):
                    found = ref
                    break
            self.object_classes[name] = found
        return self.object_classes[name]

    def service_call(self, service: str | None, name: str, line: int, frame: Frame) -> Value:
        target = service or "service"
        self.step(frame, SERVICE, name, line, target=target)
        self.step(frame, SERVICE_RETURN, "", line, target=target)
        return Text(name)

    def driver_interface_call(self, call: ir.Call, frame: Frame) -> Value | None:
        """A call Tracing.driver_calls draws to the driver (Ironic's
        `task.driver.deploy.deploy(task)`: `deploy.deploy`), its arguments evaluated."""
        text, chosen = expr_text(call.func), None
        if type(call.func.value) is ir.Name:
            # `interface = getattr(task.driver, step.get('interface'))` then
            # `interface.execute_deploy_step(task, step)`: the interface named at run time
            held = frame.env.get(call.func.value.id)
            made = held._expr if type(held) is Text else None
            if type(made) is not ir.Call or type(made.func) is not ir.Name or \
                    made.func.id != "getattr" or len(made.args) < 2:
                return None
            name = made.args[1]
            if type(name) is ir.Const and isinstance(name.value, str):
                text = f"{expr_text(made.args[0])}.{name.value}.{call.func.attr}"
            else:
                text = f"{expr_text(made.args[0])}.interface.{call.func.attr}"
                chosen = expr_text(name)
        match = self.driver_calls.match(text)
        if match is None:
            return None
        self.arguments(call, frame)
        if "driver" in self.why:
            self.flow_note(self.why["driver"])
        driver = self.driver_participant(frame.participant)
        label = ".".join(g for g in match.groups() if g)
        if chosen is not None:  # the interface is a value: the method, and what names it
            label = f"{call.func.attr} (interface: {chosen})"
        self.step(frame, DRIVER, label, call.line, target=driver)
        self.step(frame, DRIVER_RETURN, "", call.line, target=driver)
        if chosen is None:
            self.interface_fails(match.groups(), driver, frame, call.line)
        return Text.of(call)

    def interface_fails(self, groups: tuple, driver: str, frame: Frame, line: int) -> None:
        """A driver interface whose implementation on the default config fails the
        method called (Tracing.failing_interfaces): a failure from here (Engine.failing),
        up to the `except` that handles it or the request."""
        interface, method = (groups + (None, None))[:2]
        for name, implementation, failing in self.tracing.failing_interfaces:
            if name == interface and method in failing and not self.quiet:
                error = self.tracing.interface_error
                self.note(frame, f"{driver}'s default {name} interface ({implementation}) "
                                 f"raises {error} (an error)", line)
                self.failing, self.failing_frame = error, id(frame)
                raise _Raised

    def driver_call(self, callee: FuncV, call: ir.Call, name: str, args: tuple,
                    kwargs: dict, frame: Frame) -> Value:
        driver = callee.self_value.participant
        self.step(frame, DRIVER, name, call.line, target=driver)
        inner = FuncV(callee.fn, callee.self_value, driver, callee.pre_args, callee.closure)
        driver_frame = Frame(frame.fn, frame.env, driver, self.options.depth - 1)
        try:
            result = self.invoke(inner, args, kwargs, driver_frame, call.line)
        finally:
            self.step(frame, DRIVER_RETURN, "", call.line, target=driver)
        if self.surely_unimplemented(callee):
            # nova/compute/manager.py power_update: libvirt has no power_update_event,
            # so the '.end' notifications after it are never sent
            self.note(frame, f"{callee.self_value.cls.cls.name} does not implement {name}: "
                             "it raises NotImplementedError (an error)", call.line)
            # a failure: up through the callers to a handler, the arm it happened in, or
            # the request (Engine.failing)
            self.failing, self.failing_frame = "NotImplementedError", id(frame)
            raise _Raised
        if type(result) is ConstV and result.value is None and \
                self.tracing.driver_interface and _is_stub(callee.fn.function) and \
                name.startswith("get_"):
            # an interface's getter with no body (Sahara's ProvisioningPluginBase.
            # get_edp_engine: `pass`), where the driver is drawn as its interface (the
            # implementation is not in the tree): what the driver's own code returns, not
            # None; calls on it are calls into the driver, drawn there, not followed.
            # A driver class of the tree that keeps its base's stub does return None
            made = name[len("get_"):]
            self.flow_note(f"{driver}: what {name} returns is the {driver}'s own "
                           f"object ({made}); calls on it are drawn to {driver}, "
                           f"not followed (its code ships with the {driver})")
            return LibClientV(driver, made)
        return result

    # ------------------------------------------------------------------ RPC

    def rpc(self, callee: FuncV, call: ir.Call, args: tuple, kwargs: dict,
            frame: Frame) -> Value:
        methods = self.by_client[callee.fn.dotted]
        client_frame = self._frame(callee.fn, callee.self_value, frame.participant, 0,
                                   callee.pre_args + args, kwargs)
        bound = client_frame.env
        result: Value = Text(callee.fn.function.name)
        for method in methods:
            if method.service == self.profile.every_service:
                continue
            target = self.target_of(method, bound, _arg_texts(callee, call), frame)
            kind = self.kind_of(method, bound)
            extra = {"fanout": method.fanout, "rpc": f"{method.service} {method.method}"}
            text = method.method
            sent = _sent_literals(callee.fn.function, method.method,
                                  kind or method.kind_if_true or CAST)
            if sent:
                bound = {**client_frame.env, **sent}
            if kind is None:
                condition = method.kind_condition or method.kind_param or "at run time"
                first = method.kind_if_true or "cast"
                second = CALL if first == CAST else CAST
                arms = []
                for label, chosen in ((f"if {condition}", first), ("", second)):
                    arms.append(Branch(label, tuple(self.collect(
                        lambda chosen=chosen: self.step(frame, chosen, text, call.line,
                                                        target=target, **extra)))))
                self.emit(Block("alt", tuple(arms), frame.fn.dotted, frame.module.path,
                                call.line))
                if not self.options.cross:
                    continue
                # drawn once, after the choice; no reply arrow since a cast has none
                self.mark(START, target, method.method, frame, call.line)
                result = self.handle_call(method, target, bound)
                self.mark(DONE, target, method.method, frame, call.line)
                continue
            else:
                self.step(frame, kind, text, call.line, target=target, **extra)
            if not self.options.cross:
                continue  # one process at a time (the call graph): the send is the fact
            self.hand_over_fields(callee, call, frame, target)
            if kind == CAST:
                self.enqueue(method, target, bound)
                continue
            result = self.handle_call(method, target, bound)
            failed = self.failing
            self.step(frame, RETURN, f"{method.method} raises {failed}" if failed else
                      f"{method.method} returns", call.line, target=target,
                      rpc=extra["rpc"])
            if failed is not None and not self.quiet:
                raise _Raised  # the caller gets the exception
        return result

    def hand_over_fields(self, callee: FuncV, call: ir.Call, frame: Frame,
                         target: str) -> None:
        """Fields set on an object and not saved before it is sent travel with it
        (versioned objects carry their changes): the receiver's save of the parameter
        writes them (ironic's API sets node.maintenance, the conductor's update_node
        saves node_obj)."""
        for param, text in _arg_texts(callee, call).items():
            fields = self.pending.get((frame.participant, text))
            if fields and param.isidentifier():
                held = self.pending.setdefault((target, param), [])
                held[:] = [f for f in held if f[0] not in dict(fields)] + list(fields)

    def routing_note(self, dotted: str, call: ir.Call, frame: Frame) -> None:
        """Where an RPC client's method chooses the server of the next message
        (Tracing.routers), a note of the choice, as the code wrote the call."""
        routers = self.tracing.routers
        text = dict(routers).get(dotted) if routers else None
        if text is not None:
            self.note(frame, f"{expr_text(call.func).rsplit('.', 1)[-1]}("
                             f"{', '.join(expr_text(a) for a in call.args)}): {text}",
                      call.line)

    def handle_call(self, method: RpcMethod, participant: str, bound: dict) -> Value:
        handler = self.handler_of(method)
        if handler is None or self.quiet:
            if handler is None and method.handler is None:
                self.flow_note(f"no handler found for {method.service} {method.method}")
            return Text(method.method)
        fn, owner = handler
        if fn.dotted in self.stack:
            return Text(method.method)
        if (fn.dotted, participant) in self.drawn and self.shown(fn.dotted, participant):
            # drawn once already: say so rather than draw the same work again
            self.emit(Step(NOTE, participant, None, f"{method.method}: as above",
                           fn.dotted, fn.module.path, fn.function.line))
            return Text(method.method)
        self.drawn.add((fn.dotted, participant))
        return self.activation(fn, self.service_self(owner, participant), participant, bound)

    def shown(self, dotted: str, participant: str) -> bool:
        """Whether a handler's work is among the steps drawn so far: its first drawing
        may have gone with the walk that made it (a helper summed up beyond the depth,
        an error path), and `as above` would then point at nothing."""
        return any(step.kind == ENTER and step.anchor == dotted and step.source == participant
                   for nodes in self.out + self.arms_done for step in iter_steps(nodes))

    def enqueue(self, method: RpcMethod, participant: str, bound: dict) -> None:
        key = (method.handler or method.method, participant)
        if self.quiet:
            return
        path = tuple(self.context)
        if key in self.queued:
            # cast again with other arguments (a soft and a hard reboot from the arms of
            # one branch): the handler is drawn once, for whatever either passed
            for cast in self.queue:
                if (cast.method.handler or cast.method.method, cast.participant) == key:
                    cast.bound = _merge_envs([cast.bound, dict(bound)])
                    cast.paths.append(path)
            return
        self.queued.add(key)
        self.queue.append(Cast(method, participant, dict(bound), [path]))

    def handler_of(self, method: RpcMethod) -> tuple[FunctionRef, ClassRef] | None:
        if not method.handler:
            return None
        owner = self.index.resolve_dotted(method.handler.rsplit(".", 1)[0])
        if not isinstance(owner, ClassRef):
            return None
        fn = self.index.find_method(owner, method.method)
        return (fn, owner) if fn is not None else None

    def kind_of(self, method: RpcMethod, bound: dict) -> str | None:
        if len(method.kinds) == 1:
            return method.kinds[0]
        if method.kind_param and isinstance(bound.get(method.kind_param), ConstV):
            truth = bool(bound[method.kind_param].value)
            first = method.kind_if_true or CAST
            return first if truth else (CALL if first == CAST else CAST)
        return None

    def own_host(self, server: str, bound: dict, participant: str) -> bool:
        """Whether the host a message is sent to (`server`, an expression of the client's
        parameters: `instance.host`, `host`) holds the same value as the sender's own host
        (its manager's Tracing.own_host): known only as which value it is (Text.same)."""
        parts = server.split(".")
        if len(parts) > 2 or not all(part.isidentifier() for part in parts):
            return False
        value = bound.get(parts[0])
        token = None
        if len(parts) == 1 and type(value) is Text and value.same and not value.same[1]:
            token = value.same[0]
        elif len(parts) == 2 and type(value) is Obj:
            held = value.attrs.get(parts[1])
            token = held.same[0] if type(held) is Text and held.same and \
                not held.same[1] else value.reads.get(parts[1]) if held is None else None
        if token is None:
            return False
        attr = self.tracing.own_host
        for (_, runs_in), manager in self.managers.items():
            if runs_in != participant:
                continue
            held = manager.attrs.get(attr)
            own = manager.reads.get(attr) if held is None else \
                held.same[0] if type(held) is Text and held.same is not None else None
            if own is token:
                self.value_facts += 1
                return True
        return False

    def instance_host(self) -> str:
        """The role of the instance's own host (`instance.host`), decided once the flow
        is traced (trace_operation): the source of a move that has not happened yet,
        unless the flow also addresses the migration's source by name, when it is the
        host the instance was moved to."""
        self.hosts_named.add("instance.host")
        return INSTANCE_HOST.lstrip("_")

    def target_of(self, method: RpcMethod, bound: dict, passed: dict[str, str],
                  frame: Frame) -> str:
        base = participant_of_service(method.service)
        if base != "nova_compute" or not self.options.two_hosts:
            return base
        server = method.server or ""
        # _compute_host(host, instance): `host` when given, else the instance's own host
        helper = re.fullmatch(r"_compute_host\((.*),\s*(\w+)\)", server)
        if helper:
            server = helper.group(1).strip()
        addressed = f"{helper.group(2)}.host" if helper and server == "None" else server
        if self.own_host(addressed, bound, frame.participant):
            self.own_sends.add(frame.participant)
            return frame.participant
        if server == "None":
            role = self.instance_host()
        else:
            # the client's parameters stand for what the caller wrote (`self.source`,
            # `migration.dest_compute`), else for the value that reached it
            words = re.split(r"(\W+)", server)
            written = "".join(passed.get(w, w) for w in words)
            reached = "".join(text_of(bound[w]) if isinstance(bound.get(w), Text) else w
                              for w in words)
            role = patterns.host_role(written) or patterns.host_role(reached) or \
                patterns.host_role(server)
            if written.endswith("instance.host"):
                role = self.instance_host()
            for side in ("source_compute", "dest_compute"):
                if written.endswith(side) or reached.endswith(side):
                    self.hosts_named.add(side)
        if role is None:
            role = patterns.host_role_of_method(method.method)
        if role is None:
            role = frame.participant.rsplit("_", 1)[-1] \
                if frame.participant.startswith("nova_compute_") else "src"
            self.host_guesses.append(f"{method.method}: the receiving host "
                                     f"({method.server or '?'}) is not evident; drawn on "
                                     f"nova_compute_{role}")
        return f"nova_compute_{role}"


# ------------------------------------------------------------------------------ helpers

_INVISIBLE = {ENTER, LEAVE, DONE, START}
# the keywords of a context-manager object's `__exit__` (Engine.context_exit), told apart
# by identity from those of a `@contextmanager` generator's part after its `yield`
_LEAVING: dict = {}
# Kept from helpers beyond `depth`: whatever leaves the process (RPC, other services,
# the driver) and the writes of the instance's or migration's state (every database
# write with Options.all_writes); other database access and notes become the helper's
# one-line note.
_CROSSING = {CALL, CAST, RETURN, CALLBACK, DONE, START, DRIVER, DRIVER_RETURN, SERVICE,
             SERVICE_RETURN}
_DRIVER_CROSSING = {CALL, CAST, RETURN, CALLBACK, DONE, START, ENTER, LEAVE, SERVICE,
                    SERVICE_RETURN}


def _nothing() -> None:
    pass


def _sentinels(stmt: ir.Try, unset: set[str], env: dict) -> tuple[str, ...]:
    """Names None before `stmt`, each set at the top of its body to what a call returns
    and compared with None in its finally (see Engine.try_)."""
    if not stmt.finalbody or not unset:
        return ()
    tested = " ".join(expr_text(e) for s in stmt.finalbody for e in _expressions(s)
                      if type(s) is ir.If)
    out = []
    for s in stmt.body:
        if type(s) is not ir.Assign or s.augmented or type(s.value) is not ir.Call:
            continue
        for target in s.targets:
            name = target.id if type(target) is ir.Name else None
            if name in unset and name not in out and \
                    not (type(env.get(name)) is ConstV and env[name].value is None) and \
                    re.search(rf"\b{re.escape(name)} is (not )?None\b", tested):
                out.append(name)
    return tuple(out)


def _expects_failure(stmt: ir.Try) -> bool:
    """A try whose `else` ends by raising while a handler lets the flow go on: the body
    is expected to fail (a lookup that must find nothing)."""
    return bool(stmt.orelse) and type(stmt.orelse[-1]) is ir.Raise and any(
        not handler.body or type(handler.body[-1]) is not ir.Raise
        for handler in stmt.handlers)


def _forwards(function: ir.Function) -> bool:
    """Whether a function's whole body is `return <call>(<its own parameters>)`, each
    passed on by name, in order: a subclass's method that only calls its base's."""
    body = function.body
    if len(body) != 1 or type(body[0]) is not ir.Return or type(body[0].value) is not ir.Call:
        return False
    call = body[0].value
    params = [p for p in function.params
              if not (p.kind == "normal" and p.name in ("self", "cls"))]
    passed = [a.id if type(a) is ir.Name else None for a in call.args] + \
        [v.id if type(v) is ir.Name and k == v.id else None for k, v in call.kwargs]
    return bool(params) and passed == [p.name for p in params]


def _memo_miss(stmt: ir.Try) -> tuple[str, ir.Handler] | None:
    """A memoised attribute: `try: return getattr(self, 'x')` (or `self.x`) with an
    `except AttributeError` that computes it; (the attribute, that handler) or None."""
    if len(stmt.body) != 1 or type(stmt.body[0]) is not ir.Return:
        return None
    value = stmt.body[0].value
    name = None
    if type(value) is ir.Attr and type(value.value) is ir.Name and value.value.id == "self":
        name = value.attr
    elif type(value) is ir.Call and type(value.func) is ir.Name and \
            value.func.id == "getattr" and len(value.args) == 2 and \
            type(value.args[0]) is ir.Name and value.args[0].id == "self" and \
            type(value.args[1]) is ir.Const and isinstance(value.args[1].value, str):
        name = value.args[1].value
    handlers = [h for h in stmt.handlers if h.type_text.strip() == "AttributeError"]
    return (name, handlers[0]) if name and handlers else None


def _own_db_method(fn: FunctionRef, call: ir.Call, local: set[str]) -> ir.Function | None:
    """The method of fn's own class that `cls._x(...)` or `self._x(...)` calls, where a
    decorator from the database API opens its session (`@db.pick_context_manager_reader`)
    or its body calls the database API (`db.x(...)`)."""
    func = call.func
    if type(func) is not ir.Attr or type(func.value) is not ir.Name or \
            func.value.id not in ("cls", "self") or fn.owner is None:
        return None
    method = fn.owner.methods.get(func.attr)
    if method is None or method is fn.function:
        return None
    if any(expr_text(d.func if isinstance(d, ir.Call) else d).split(".", 1)[0] in local
           for d in method.decorators):
        return method
    if any(expr_text(inner.func).split(".", 1)[0] in local
           for inner in ir.body_calls(method.body)):
        return method
    return None


def _raises_not_implemented(function: ir.Function) -> bool:
    """A stub: a short body (a docstring, a comment's pass) that raises
    NotImplementedError at its top level."""
    body = function.body
    if len(body) > 3:
        return False
    for stmt in body:
        if type(stmt) is ir.Raise and stmt.exc is not None:
            exc = stmt.exc.func if type(stmt.exc) is ir.Call else stmt.exc
            if type(exc) is ir.Name and exc.id == "NotImplementedError":
                return True
    return False


def _own_receiver(receiver: str, obj, frame: Frame) -> str:
    """The key of an object's pending fields: `self` in an object's own method is that
    object, not every object whose method says `self`; and a field that method sets is
    written by a save in the same method (ShareMapping.activate sets the status, then
    saves; enhance_with_ceph_credentials sets access_key, which ShareMapping.save,
    writing its own list of columns, never writes)."""
    return f"self#{id(obj)}#{frame.fn.dotted}" \
        if receiver == "self" and type(obj) is Obj else receiver


def _catches_not_implemented(type_text: str) -> bool:
    """Whether an `except` names NotImplementedError, alone or in a tuple."""
    return "NotImplementedError" in (part.strip() for part in
                                     type_text.strip().strip("()").split(","))


def _creates_if_missing(stmt: ir.Try, handler: ir.Handler) -> bool:
    """`try: HostMapping.get_by_host(...) except HostMappingNotFound: <create it>`: a
    lookup alone in the try whose answer is not kept (a test of whether it exists), and
    a handler for its NotFound that goes on (does not raise): not an error path but the
    other way of a get-or-create (nova/objects/host_mapping.py
    _check_and_create_node_host_mappings). A lookup whose answer is used
    (`build_request = BuildRequest.get_by_instance_uuid(...)`) is expected to succeed:
    its NotFound handler is an error path (deleted meanwhile), as is one that leaves."""
    body = stmt.body
    if len(body) != 1 or type(body[0]) is not ir.ExprStmt or type(body[0].value) is not ir.Call:
        return False
    func = body[0].value.func
    name = func.attr if type(func) is ir.Attr else func.id if type(func) is ir.Name else ""
    # a handler that leaves (`continue`, `return`) gives up: deleted meanwhile
    return name.startswith("get") and "NotFound" in handler.type_text and \
        bool(handler.body) and type(handler.body[-1]) not in (ir.Raise, ir.Return, ir.Jump)


def _reraises(handler: ir.Handler) -> bool:
    """Whether an `except` raises again: it ends in `raise`, or its work is inside `with
    excutils.save_and_reraise_exception()`."""
    return _raised_name(handler.body) is not None or any(
        type(stmt) is ir.With and any("reraise" in expr_text(item) for item, _ in stmt.items)
        for stmt in handler.body)


def _does_nothing(function: ir.Function) -> bool:
    """A method whose body is a docstring, `pass` or `return`/`return self`
    (`UnlimitedSemaphore.__exit__`, TaskManager.__enter__)."""
    for stmt in function.body:
        if type(stmt) is ir.ExprStmt and type(stmt.value) is ir.Const:
            continue
        if type(stmt) is ir.Return and (stmt.value is None or (
                type(stmt.value) is ir.Name and stmt.value.id == "self")):
            continue
        return False
    return True


def _is_stub(function: ir.Function) -> bool:
    """An interface method with no body of its own: a docstring, `pass`, or a raise of
    NotImplementedError."""
    for stmt in function.body:
        if type(stmt) is ir.ExprStmt and type(stmt.value) is ir.Const:
            continue
        if type(stmt) is ir.Raise and _raises_not_implemented(function):
            continue
        return False
    return True


def _returned_function(function: ir.Function) -> ir.Function | None:
    """The function defined in `function`'s body and returned by it (a decorator's
    wrapper), else None."""
    defined = {stmt.function.name: stmt.function for stmt in function.body
               if isinstance(stmt, ir.FunctionDef)}
    for stmt in function.body:
        if isinstance(stmt, ir.Return) and isinstance(stmt.value, ir.Name) and \
                stmt.value.id in defined:
            return defined[stmt.value.id]
    return None


def _drawn_arms(block: Block) -> list[Node]:
    """An `alt` without the arms that draw nothing, after the anchors those held: each
    arm after a left-out one says that its condition did not hold (`alt if host` empty,
    `else if node` drawn: `if not host and node`), since the arms are read as `else if`
    of the ones drawn before them; a lone arm left is an `opt`."""
    if block.kind != "alt":
        return [block]
    if all(_visible(b.nodes) for b in block.branches):
        return _alike_arms(block)
    shown: list[Branch] = []
    dropped: list[Branch] = []
    for branch in block.branches:
        if not _visible(branch.nodes):
            dropped.append(branch)
        elif dropped:
            shown.append(_unless_dropped(dropped, branch))
        else:
            shown.append(branch)
    anchors = [node for branch in dropped for node in branch.nodes]
    return anchors + [replace(block, kind="alt" if len(shown) > 1 else "opt",
                              branches=tuple(shown))]


_ABSENT = object()  # an attribute an object did not have


def _restore_attrs(changed: dict) -> None:
    for (_, attr), (obj, old) in changed.items():
        if old is _ABSENT:
            obj.attrs.pop(attr, None)
        else:
            obj.attrs[attr] = old


def _arms_of(kind: str, arms: list[tuple[str, tuple]], whole: tuple[str, ...],
             frame: Frame, line: int) -> list[Arm]:
    """The arms of a frame about to be traced, each labelled as the condition it runs
    under (the `else` arm: none of the others), cut to fit, with the whole condition."""
    token = object()
    labels = tuple(label for label, _ in arms)
    complete = kind == "alt" and not labels[-1]
    return [Arm(token, index, kind, labels, whole, complete, frame.fn.dotted,
                frame.module.path, line) for index in range(len(arms))]


def _guarded(work: list[Node], guards: tuple[Arm, ...]) -> list[Node]:
    """Work done elsewhere (a cast's receiver, a spawned worker) inside the frames of the
    arms it was sent from."""
    for arm in reversed(guards):
        label, condition = arm.shown
        work = [Block("loop" if arm.kind == "loop" else "opt",
                      (Branch(label, tuple(work), condition),), arm.anchor, arm.file,
                      arm.line)]
    return work


def _arm_label(labels: tuple[str, ...], whole: tuple[str, ...], index: int) -> tuple[str, str]:
    """An arm's label as the condition it runs under (the `else` arm: none of the others
    held), cut to fit, and the whole condition where cut (Branch.condition)."""
    label = labels[index]
    uncut = whole[index] if whole else label
    if not label:
        others = [conditions.plain(other[3:], conditions.UNCUT) for other in labels[:index]]
        parsed = [conditions.parse(other) for other in others]
        if None in parsed:
            uncut = "if " + " and ".join(f"not ({other})" for other in others)
            label = "if " + conditions.clip(uncut[3:])
        else:
            expr = conditions.negate(parsed[0])
            for part in parsed[1:]:
                expr = conditions.both(expr, conditions.negate(part))
            label = "if " + conditions.text(expr)
            uncut = "if " + conditions.text(expr, conditions.UNCUT)
    elif label.startswith("if ") and not whole:
        uncut = "if " + conditions.plain(label[3:], conditions.UNCUT)
        label = "if " + conditions.plain(label[3:])
    return label, _condition(uncut, label)


def _guards(paths: list[tuple[Arm, ...]]) -> tuple[Arm, ...]:
    """The arms a cast's receiver's work is drawn under: those it was sent in (drawn
    ones); none when one place sent it unguarded, or when it was sent from every arm of
    a frame that always takes one (a soft and a hard reboot both cast reboot_instance)."""
    drawn = [tuple(arm for arm in path if arm.drawn) for path in paths]
    if any(not path for path in drawn):
        return ()
    first = drawn[0]
    if all(path == first for path in drawn):
        return first
    prefix = first[:-1]
    last = [path[-1] for path in drawn]
    if all(path[:-1] == prefix for path in drawn) and \
            all(arm.block is last[0].block for arm in last):
        if last[0].complete and {arm.index for arm in last} == set(range(last[0].arms)):
            return prefix
    return ()


def _alike_arms(block: Block) -> list[Node]:
    """An `alt` whose arms all draw the same steps (Cinder's extend: the same cast whether
    or not the volume is attached, only the argument differs): the steps, flat, when an
    `else` arm makes them happen whichever way; else once, under `if a or b`. The other
    arms' anchors are kept before them."""
    drawn = {_drawn(b.nodes) for b in block.branches}
    if len(drawn) > 1:
        return [block]
    anchors = [node for b in block.branches[1:] for node in b.nodes
               if not isinstance(node, Block) and node.kind in _INVISIBLE]
    if not block.branches[-1].label:
        return anchors + list(block.branches[0].nodes)
    parsed = [conditions.parse((b.condition or b.label).removeprefix("if "))
              for b in block.branches]
    if None in parsed:
        return [block]
    expr = parsed[0]
    for part in parsed[1:]:
        expr = conditions.either(expr, part)
    label = "if " + conditions.text(expr)
    arm = Branch(label, block.branches[0].nodes,
                 _condition(conditions.text(expr, conditions.UNCUT), label))
    return anchors + [replace(block, kind="opt", branches=(arm,))]


def _drawn(nodes) -> tuple:
    """What nodes draw, without where in the code they come from: to compare arms."""
    return tuple((node.kind, tuple((b.label, _drawn(b.nodes)) for b in node.branches))
                 if isinstance(node, Block) else
                 (node.kind, node.source, node.target, node.text)
                 for node in nodes if isinstance(node, Block) or node.kind not in _INVISIBLE)


def _unless_dropped(dropped: list[Branch], arm: Branch) -> Branch:
    """`arm`'s label when the arms `dropped` before it are not drawn: their conditions
    negated, then its own (none for the `else` arm)."""
    whole = [(b.condition or b.label).removeprefix("if ") for b in dropped + [arm] if b.label]
    parsed = [conditions.parse(text) for text in whole]
    if None in parsed:
        negated = [f"not ({text})" for text in whole[:len(dropped)]]
        uncut = " and ".join(negated + whole[len(dropped):])
        label = "if " + conditions.clip(uncut)
        return Branch(label, arm.nodes, _condition(uncut, label))
    expr = conditions.negate(parsed[0])
    for part in parsed[1:len(dropped)]:
        expr = conditions.both(expr, conditions.negate(part))
    if arm.label:
        expr = conditions.settled(conditions.both(expr, parsed[-1]))
    label = "if " + conditions.text(expr)
    return Branch(label, arm.nodes, _condition(conditions.text(expr, conditions.UNCUT), label))


def _condition(uncut: str, label: str) -> str:
    """Branch.condition: the uncut condition of a label, when the label was cut."""
    uncut = uncut.removeprefix("if ")
    return uncut if uncut and uncut != label.removeprefix("if ") else ""


def _plain_branch(branch: Branch) -> Branch:
    """`if <condition as written>` plain, on one line, cut between tokens to fit."""
    label = "if " + conditions.plain(branch.label[3:])
    return Branch(label, branch.nodes, _condition(
        conditions.plain(branch.label[3:], conditions.UNCUT), label))


def _search_merged(node: Node) -> Node:
    """`opt if some bdm in bdms` around only `opt if bdm.volume_id == volume_id`: one
    frame, `opt if some bdm in bdms has bdm.volume_id == volume_id`."""
    if not isinstance(node, Block) or node.kind != "opt":
        return node
    inner = [n for n in node.branches[0].nodes if isinstance(n, Block) or _visible((n,))]
    if len(inner) != 1 or not isinstance(inner[0], Block) or inner[0].kind != "opt":
        return node
    condition = inner[0].branches[0].label.removeprefix("if ")
    nodes = tuple(n for b in node.branches for n in b.nodes if n is not inner[0])
    merged = Branch(f"{node.branches[0].label} has {condition}",
                    nodes[:1] + inner[0].branches[0].nodes + nodes[1:])
    return replace(node, branches=(merged,))


def _is_search(body: tuple) -> bool:
    """A loop that looks for one item: it filters before doing anything (`if
    bdm.volume_id != volume_id: continue`, or all of it under one `if`) and breaks out
    once done. A retry (`for status in (...): try: get(...); break`) does its work on
    every turn until one succeeds: a loop."""
    if not body or type(body[0]) is not ir.If or not _breaks(body):
        return False
    first = body[0]
    skips = bool(first.body) and type(first.body[-1]) is ir.Jump and \
        first.body[-1].kind == "continue"
    return skips or (len(body) == 1 and not first.orelse)


def _breaks(body: tuple) -> bool:
    """Whether a loop's body breaks out of it (not out of a loop nested in it)."""
    for stmt in body:
        if type(stmt) is ir.Jump and stmt.kind == "break":
            return True
        if type(stmt) is not ir.Loop and any(_breaks(sub) for sub in ir.sub_bodies(stmt)):
            return True
    return False


def _yields(body: tuple) -> bool:
    """Whether a statement list yields (a generator's `try: yield`), nested ones too."""
    return any(type(expr) is ir.Other and expr.text.startswith("yield")
               for stmt in ir.walk(body) for expr in ir.statement_exprs(stmt))


def _around_yield(body: tuple) -> tuple[tuple, tuple]:
    """A context manager's body cut at its `yield`: what runs on entry, and what runs on
    a normal exit (a `try`'s `else` and `finally` around the yield, then what follows)."""
    for index, stmt in enumerate(body):
        if _yields((stmt,)):
            if type(stmt) is ir.Try:
                entry = body[:index] + _around_yield(stmt.body)[0]
                return entry, tuple(stmt.orelse + stmt.finalbody) + body[index + 1:]
            if type(stmt) is ir.With:
                inner_entry, inner_exit = _around_yield(stmt.body)
                return body[:index] + inner_entry, inner_exit + body[index + 1:]
            return body[:index], body[index + 1:]
    return body, ()


def _around_call_of(name: str, body: tuple) -> tuple[tuple, tuple]:
    """The statements of `body` before the one that calls `name`, and those that
    run after that call returns: the `else` and `finally` of a `try` around it, then the
    statements that follow (a final `return` of its result says nothing)."""
    calling = [index for index, stmt in enumerate(body)
               if any(_calls(expr, name) for inner in ir.walk((stmt,))
                      for expr in _expressions(inner))]
    # `if 'marker' in id_prop: ... return func(...)` then the check and `return func(...)`
    # (Sahara's check_exists): a call under an `if` is a way out before the checks; the
    # call the checks lead to is the first one not under an `if`
    if not calling:
        return body, ()
    index = next((i for i in calling if type(body[i]) is not ir.If), calling[0])
    stmt = body[index]
    after = tuple(stmt.orelse + stmt.finalbody) if type(stmt) is ir.Try else ()
    if type(stmt) is ir.With:
        # `with lock: res = f(...); update_cache(res)` (neutron's @refresh_cache):
        # what follows the call inside the block runs after it too
        after = _around_call_of(name, stmt.body)[1]
    rest = body[index + 1:]
    if rest and type(rest[-1]) is ir.Return:
        rest = rest[:-1]
    return body[:index], after + rest


def _expressions(stmt: ir.Stmt) -> tuple:
    if isinstance(stmt, (ir.Assign, ir.ExprStmt, ir.Return)):
        return (stmt.value,)
    if isinstance(stmt, ir.If):
        return (stmt.test,)
    if isinstance(stmt, ir.Loop):
        return (stmt.iter,)
    if isinstance(stmt, ir.With):
        return tuple(context for context, _ in stmt.items)
    return ()


def _calls(expr, name: str) -> bool:
    """Whether `expr` calls the function bound to `name`, anywhere inside it."""
    if isinstance(expr, ir.Call):
        return (isinstance(expr.func, ir.Name) and expr.func.id == name) or \
            any(_calls(part, name) for part in (expr.func, *expr.args,
                                                *(value for _, value in expr.kwargs)))
    if isinstance(expr, ir.Other):
        return any(_calls(call, name) for call in expr.calls)
    if isinstance(expr, (ir.Seq, ir.BoolOp)):
        return any(_calls(part, name) for part in
                   (expr.items if isinstance(expr, ir.Seq) else expr.values))
    if isinstance(expr, ir.IfExp):
        return any(_calls(part, name) for part in (expr.test, expr.body, expr.orelse))
    if isinstance(expr, (ir.Attr, ir.Starred)):
        return _calls(expr.value, name)
    return False


def _passes_function(args: tuple, kwargs: dict) -> bool:
    """Whether a call hands over a function (a callback), directly or in `*args`."""
    for value in (*args, *kwargs.values()):
        if type(value) is FuncV or (type(value) is ChoiceV and value.labels) or \
                (type(value) is ArgsV and _passes_function(
                value.positional, dict(value.keywords))):
            return True
    return False


def _call_signature(args: tuple, kwargs: dict) -> tuple:
    """What of a call's arguments can change the path through the callee: constants
    (they decide branches) and the classes of objects (they decide which methods run)."""
    def part(value: Value):
        kind = type(value)
        if kind is ConstV:
            return repr(value.value)
        if kind is Obj:
            return (value.cls.dotted, value.nullable)
        if kind is ArgsV:
            return (_call_signature(value.positional, dict(value.keywords)), value.complete)
        if kind is ListV:
            return (tuple(part(v) for v in value.items), value.nullable)
        return kind.__name__
    return (tuple(part(v) for v in args),
            tuple(sorted((k, part(v)) for k, v in kwargs.items())))


def _self_assigned(body: tuple, self_name: str, literal_only: bool = False) -> set[str]:
    """Names of `self.<name> = ...` (and `self.a, self.b = ...`) in a method body; with
    `literal_only`, only those given a literal constant (`self.x = None`)."""
    found: set[str] = set()
    for stmt in ir.walk(body):
        if type(stmt) is ir.Assign and (not literal_only or type(stmt.value) is ir.Const):
            targets = list(stmt.targets)
            while targets:
                target = targets.pop()
                if type(target) is ir.Seq:
                    targets += target.items
                elif type(target) is ir.Attr and type(target.value) is ir.Name and \
                        target.value.id == self_name:
                    found.add(target.attr)
    return found


def _returned(returns: list[Value]) -> Value:
    """What a call returns (_returned_value), flagged as possibly None unless every
    return gives something certainly not None."""
    value = _returned_value(returns)
    if type(value) in (Obj, ListV) and not all(not_none(r) for r in returns):
        return maybe_none(value)
    return value


def _returned_value(returns: list[Value]) -> Value:
    """What a call returns, from every `return` its body reached (branches the tracer
    could not decide are all walked). An object, class or function if any return gives
    one, so a factory that may return None still yields its object; a constant only when
    every return agrees: `request_is_rebuild` returns False on its guard and a comparison
    otherwise, and taking that False decided the scheduler's `if not is_rebuild` for
    every caller. Otherwise what is known only at run time, as text."""
    if not returns:
        return ConstV(None)
    for value in returns:
        if type(value) not in (Text, ConstV, ListV):
            return value
    lists = [value for value in returns if type(value) is ListV]
    if lists:
        # `return []` on a guard, `return devices` at the end: whatever either holds
        items = [item for value in lists for item in value.items]
        if items or len(lists) == len(returns):
            return lists[0] if len(lists) == 1 else ListV(tuple(items), False)
        returns = [value for value in returns if type(value) is not ListV]
    constants = [value for value in returns if type(value) is ConstV]
    if constants and len(constants) == len(returns) and \
            all(c.value == constants[0].value for c in constants):
        return constants[0]
    texts = [value for value in returns if type(value) is Text]
    return texts[0] if texts else Text(" or ".join(dict.fromkeys(
        repr(c.value) for c in constants)))


def _default_value(param: ir.Param) -> Value:
    """What a parameter the caller left out holds: its default, a constant or the
    expression as written (`vm_states.ACTIVE`); a parameter without one stands for
    itself."""
    if isinstance(param.default, ir.Const):
        return ConstV(param.default.value)
    if param.default is not None:
        return Text.of(param.default)
    return Text(param.name)


_ACTS = {CALL, CAST, SERVICE, DRIVER, CALLBACK}


def _acts(nodes) -> bool:
    """Whether the nodes do something a reader would take to happen: a message to
    another process, a call of a service or the driver, a database access."""
    return any(s.kind in _ACTS or s.kind == DB for s in iter_steps(nodes))


def _any_access(text: str) -> bool:
    """Every database access, read or write (`_crossing`'s keep-all)."""
    return True


def _crosses(nodes, kept_write: Callable[[str], bool]) -> bool:
    """Whether a helper's kept nodes cross a process by more than database writes that
    `kept_write` would not keep (a helper whose only trace is a bdm.save is summed up)."""
    for node in iter_steps(nodes):
        kind = node.kind
        if kind in _INVISIBLE or kind == DB_RETURN or (kind == DB and not kept_write(node.text)):
            continue
        return True
    return False


def _sent_literals(function: ir.Function, wire: str, kind: str) -> dict[str, Value]:
    """The constants a client sends as keywords with `wire`, which its handler's
    parameters of those names receive (`cctxt.cast(ctxt, 'get_backup_device',
    backup=backup, want_objects=True, async_call=True)`: async_call is True in
    VolumeManager.get_backup_device, not its default): from the first send of `kind`
    (the arm drawn when the kind is chosen at run time), else of any kind."""
    sends = [c for c in ir.body_calls(function.body)
             if type(c.func) is ir.Attr and c.func.attr in (CALL, CAST) and
             any(type(a) is ir.Const and a.value == wire for a in c.args)]
    chosen = next((c for c in sends if c.func.attr == kind), sends[0] if sends else None)
    if chosen is None:
        return {}
    return {k: ConstV(v.value) for k, v in chosen.kwargs if k and type(v) is ir.Const}


def _writes_only(nodes: list[Node], participant: str) -> list[Node]:
    """The database writes `participant` makes in `nodes` (with the database's answers
    and the blocks and anchors around them); the rest is dropped."""
    out: list[Node] = []
    write_kept = False
    for node in nodes:
        kept_before = len(out)
        if isinstance(node, Block):
            branches = tuple(replace(b, nodes=tuple(_writes_only(list(b.nodes), participant)))
                             for b in node.branches)
            if any(_visible(b.nodes) for b in branches):
                out += _drawn_arms(replace(node, branches=branches))
            else:
                out += [n for b in branches for n in b.nodes]
        elif node.kind in (ENTER, LEAVE) or (node.kind == DB_RETURN and write_kept) or (
                node.kind == DB and node.source == participant and
                patterns.is_db_write(node.text)):
            out.append(node)
        write_kept = len(out) > kept_before and isinstance(node, Step) and node.kind == DB
    return out if _visible(out) else []


def _raised_name(stmts: tuple) -> str | None:
    """The exception a list of statements ends by raising (`raise exception.
    ConsoleTypeUnavailable(...)`: ConsoleTypeUnavailable), else None; a bare `raise`
    hands on what was caught: `the exception`."""
    if not stmts or type(stmts[-1]) is not ir.Raise:
        return None
    exc = stmts[-1].exc
    if exc is None:
        return "the exception"
    func = exc.func if type(exc) is ir.Call else exc
    return expr_text(func).rpartition(".")[2] or "an exception"


def _builds_own_class(function) -> bool:
    """A class method that builds an object of its own class: `cls(...)` in its body."""
    return function.is_classmethod and any(
        type(call.func) is ir.Name and call.func.id == "cls"
        for call in ir.body_calls(function.body))


def _only_service_calls(nodes) -> bool:
    """Whether the visible steps of `nodes` are all calls to other services (and their
    answers): no RPC, no callback into the manager."""
    kinds = {node.kind for node in iter_steps(nodes)} - _INVISIBLE
    return bool(kinds) and kinds <= {SERVICE, SERVICE_RETURN}


def _visible(nodes) -> bool:
    for node in nodes:
        if isinstance(node, Block):
            if any(_visible(b.nodes) for b in node.branches):
                return True
        elif node.kind not in _INVISIBLE:
            return True
    return False


def _crossing(nodes: list[Node], participant: str, in_driver: bool,
              kept_write: Callable[[str], bool]) -> list[Node]:
    """Only the anchors and what crosses processes, keeping the blocks around them.

    Work done by another participant (an RPC handler, a manager callback) is kept whole:
    it was drawn at its own depth when it began. Inside the driver only RPCs and callbacks
    into the manager are kept: its bookkeeping through the virt API is noise in a diagram."""
    out: list[Node] = []
    write_kept = False  # the database's answer to a kept write is kept with it
    for node in nodes:
        kept_before = len(out)
        if isinstance(node, Block):
            branches = tuple(replace(b, nodes=tuple(_crossing(list(b.nodes), participant,
                                                              in_driver, kept_write)))
                             for b in node.branches)
            if any(_visible(b.nodes) for b in branches):
                out += _drawn_arms(replace(node, branches=branches))
            else:
                out += [n for b in branches for n in b.nodes]
        elif in_driver:
            if node.kind in _DRIVER_CROSSING or node.source != participant:
                out.append(node)
        elif node.kind in _CROSSING or node.kind in (ENTER, LEAVE) \
                or node.source != participant \
                or (node.kind == DB and kept_write(node.text)) \
                or (node.kind == DB_RETURN and write_kept) \
                or (node.kind == NOTE and patterns.is_kept_note(node.text)):
            out.append(node)
        write_kept = len(out) > kept_before and isinstance(node, Step) and node.kind == DB
    return out


MAX_FIELDS = 6  # fields a write's label shows; past that the meaningful ones


def _fields_label(fields) -> str:
    """The fields a new record's create shows (a save shows every field it writes: each is
    a change the code made), in the code's order: all of them up to MAX_FIELDS; past
    that the ones set to a constant (a state, a status, a flag: what the write says)
    first, then the others in order up to the limit, and how many more are written
    (Ironic's node history: `NodeHistory.create (severity='INFO', event_type='deploying',
    ..., +N more)` rather than ten fields)."""
    fields = list(fields)
    if len(fields) <= MAX_FIELDS:
        return ", ".join(f"{k}={v}" for k, v in fields)
    constant = [i for i, (_, v) in enumerate(fields) if _constant_field(str(v))]
    kept = set(constant[:MAX_FIELDS])
    for i in range(len(fields)):
        if len(kept) >= MAX_FIELDS:
            break
        kept.add(i)
    shown = ", ".join(f"{k}={v}" for i, (k, v) in enumerate(fields) if i in kept)
    return f"{shown}, +{len(fields) - len(kept)} more"


def _constant_field(value: str) -> bool:
    """A value written as a constant: a quoted string, a number, True/False, or a
    constant's name (`DEPLOYING`, `states.ACTIVE`, `faults.CLEAN_FAILURE`); not None,
    which says only that nothing is set."""
    if value in ("True", "False"):
        return True
    if value[:1] in ("'", '"'):
        return value[-1:] == value[:1]
    name = value.rpartition(".")[2]
    return bool(re.fullmatch(r"-?\d+(\.\d+)?|[A-Z][A-Z0-9_]*", name))


def _given_fields(kwargs: dict) -> DictV:
    """The fields an object's constructor was given, as its create will show them."""
    return DictV(tuple((key, _field_shown(key, value)) for key, value in kwargs.items()
                       if key not in ("context", UNKNOWN_REST)))


def _written(text: str) -> str:
    """`bdm.save (connection_info=...)` -> `bdm.save`: the write, without its fields."""
    return WRITES.split(text.partition(" (")[0])[-1]


def _field_shown(field: str, value: Value) -> str:
    """How a value set on an object's field is written on the save that follows."""
    if type(value) is ConstV:
        return patterns.state_text(field, value.value)
    if type(value) is Text:
        return patterns.field_text(value.text)
    return text_of(value)


def _merge_envs(envs: list[dict[str, Value]], labels=()) -> dict[str, Value]:
    """The names after a branch, from the arms that carry on: a value all agree on; else,
    when each arm bound a function (`f = heat.lazy_delete_stack` under `if force`,
    `heat.delete_stack` under `else`), the choice between them on the arms' conditions
    (`labels`, one per env); else a list holding what any of them held, or an object,
    class or function one of them gave (as `_returned` does); else what is known only
    at run time."""
    if len(envs) == 1:
        return envs[0]
    merged = dict(envs[0])
    for env in envs[1:]:
        for name, value in env.items():
            held = merged.get(name)
            if held is None:
                merged[name] = value
            elif held is not value:
                merged[name] = _merge_values(name, held, value)
    if ALIASES in merged:
        # names bound one to the other on every path that carries on, only
        held = [env.get(ALIASES) for env in envs]
        if None in held:
            del merged[ALIASES]
        else:
            merged[ALIASES] = ConstV(frozenset.intersection(*(h.value for h in held)))
    if labels and len(labels) == len(envs):
        for name, value in merged.items():
            if type(value) is FuncV or type(value) is ChoiceV:
                held = [env.get(name) for env in envs]
                if any(h is not held[0] for h in held):
                    choice = _branch_choice(name, list(zip(labels, held)))
                    if choice is not None:
                        merged[name] = choice
    return merged


def _same_function(first: Value, second: Value) -> bool:
    return type(first) is FuncV and type(second) is FuncV and first.fn.dotted == \
        second.fn.dotted and first.self_value is second.self_value


def _branch_choice(subject: str, arms: list[tuple[str, Value]]) -> ChoiceV | None:
    """The functions a name holds after branches that each bound one (`label`: the
    arm's condition as written, "" for else), as a choice a call draws as an `alt`;
    None unless every arm gave a function and they are not all the same one. An arm
    that itself held a choice (`elif`, nested) adds its options under its own label
    when that is the plain else of the choice."""
    options: list[tuple[str, Value]] = []
    for label, value in arms:
        if type(value) is not FuncV:
            return None
        options.append((label, value))
    if all(_same_function(options[0][1], value) for _, value in options[1:]):
        return None
    # an else arm must come last: `if a: f = x` with no else, the rest is `else`
    labels = tuple(label for label, _ in options)
    if "" in labels[:-1]:
        return None
    return ChoiceV(subject, tuple((label or "else", value) for label, value in options),
                   labels)


def _merge_values(name: str, first: Value, second: Value) -> Value:
    """What a name holds after branches that left it `first` or `second` (_merged_value):
    an object or list that either may not be is flagged as possibly None; a text keeps
    which value it is when both are that value, or one is None (then it may be None)."""
    value = _merged_value(name, first, second)
    kind = type(value)
    if kind is Obj or kind is ListV:
        return value if not_none(first) and not_none(second) else maybe_none(value)
    if kind is Text and value is not first and value is not second:
        value.same = _merged_same(first, second)
    return value


def _merged_same(first: Value, second: Value) -> tuple[object, bool] | None:
    token, nullable = None, False
    for value in (first, second):
        if type(value) is ConstV and value.value is None:
            nullable = True
        elif type(value) is Text and value.same is not None and \
                (token is None or token is value.same[0]):
            token, nullable = value.same[0], nullable or value.same[1]
        else:
            return None
    return None if token is None else (token, nullable)


def _handler_returns(handler: ir.Handler) -> bool:
    """Whether an exception handler may return (`except NotFound: return None, None`)."""
    body = handler.body
    return not (body and type(body[-1]) is ir.Raise) and \
        any(type(stmt) is ir.Return for stmt in ir.walk(body))


def _may_be_none(value: Value) -> Value:
    """`value` flagged as possibly None, and so are the items of a tuple it is (`return
    None, None` in a handler)."""
    if type(value) is ListV and value.exact:
        return ListV(tuple(_may_be_none(item) for item in value.items), True, True)
    return maybe_none(value)


def _element_view(element: Value, iterable: Value) -> Value:
    """What a loop binds: an object seen afresh (its attributes' reads are this item's,
    not those of the item of another loop over the same list), possibly None when the
    list may hold None."""
    if type(element) is not Obj:
        return element
    nullable = element.nullable or (type(iterable) is ListV and not all(
        not_none(item) for item in iterable.items))
    return Obj(element.cls, element.attrs, element.role, element.participant, {},
               nullable)


def _merged_value(name: str, first: Value, second: Value) -> Value:
    kinds = (type(first), type(second))
    if kinds == (ConstV, ConstV) and first.value == second.value and \
            type(first.value) is type(second.value):
        return first
    if kinds == (ListV, ListV):
        return ListV(first.items + tuple(i for i in second.items if i not in first.items),
                     False)
    if DictV in kinds and kinds[0] is not kinds[1] and \
            kinds[1 - kinds.index(DictV)] in (Text, ConstV):
        # `comp_ret = {'save_volume_id': new_volume_id}` in one arm, what cinder's
        # migrate_volume_completion answers in the other: the keys are known, a plain
        # value under them is only the dict's, whichever it was (callables stay, for
        # dispatch through the table)
        table = first if kinds[0] is DictV else second
        return DictV(tuple((key, item if type(item) not in (Text, ConstV)
                            else Text(f"{name}[{key}]")) for key, item in table.items))
    for value in (first, second):
        if type(value) is Obj and UNSET in value.attrs:
            # `if request_spec is None: request_spec = objects.RequestSpec()`: after the
            # branch it may be the one passed, whose fields are not known unset
            return Obj(value.cls, {k: v for k, v in value.attrs.items() if k != UNSET},
                       value.role, value.participant)
        if type(value) not in (Text, ConstV):
            return value
    # `new_vm_state = vm_states.RESCUED` in one arm, `vm_states.ACTIVE` in the other: a
    # field set from it reads `RESCUED or ACTIVE`
    parts = [part for value in (first, second) for part in text_of(value).split(" or ")]
    if all(DOTTED.fullmatch(part) for part in parts):
        parts = list(dict.fromkeys(parts))
        if len(parts) <= MAX_ALTERNATIVES:
            return Text(" or ".join(parts))
    return Text(name)


def _merge_pending(outcomes: list[dict], before: dict) -> dict:
    """Fields set differently by the arms of a branch: `task_state=REBOOTING or
    REBOOTING_HARD` on the save that follows."""
    merged = dict(before)
    changed = {key for outcome in outcomes for key, fields in outcome.items()
               if fields != before.get(key)}
    for key in sorted(changed):
        names = list(dict.fromkeys(name for outcome in outcomes
                                   for name, _ in outcome.get(key, [])))
        fields = []
        for name in names:
            values = [dict(outcome.get(key, [])).get(name) for outcome in outcomes]
            # alternatives of alternatives stay flat, and few: "A or B or C or ..."
            shown = list(dict.fromkeys(part for value in values if value is not None
                                       for part in value.split(" or ")))
            # an arm that leaves it alone (`if group_id and consistencygroup_id:
            # volume.consistencygroup_id = None`): the save may not write it
            unchanged = None in values or UNCHANGED in shown
            shown = [part for part in shown if part != UNCHANGED]
            if len(shown) > MAX_ALTERNATIVES:
                shown = shown[:MAX_ALTERNATIVES] + ["..."]
            shown += [UNCHANGED] if unchanged else []
            fields.append((name, " or ".join(shown)))
        merged[key] = fields
    for key in [k for k in merged if not any(k in outcome for outcome in outcomes)]:
        del merged[key]  # saved (and so cleared) in every arm
    return merged


def _handler_label(type_text: str) -> str:
    """`on (exception.NoValidHost, ...)`; comments inside the tuple are dropped."""
    if not type_text:
        return "on any error"
    if "#" in type_text:
        names = re.findall(r"[A-Za-z_][\w.]*(?:Error|Exception|Exc|NotFound|Invalid\w*|"
                           r"Failed|Timeout|Host|Conflict)\b", type_text)
        type_text = ", ".join(dict.fromkeys(names)) or "error"
    return f"on {conditions.clip(type_text, 90)}"


def _draws_something(body: tuple) -> int:
    """1 when a skipped block holds a call (so leaving it out is worth a note), else 0."""
    for stmt in ir.walk(body):
        if isinstance(stmt, (ir.ExprStmt, ir.Assign)) and isinstance(stmt.value, ir.Call):
            return 1
    return 0


def _arg_texts(callee: FuncV, call: ir.Call) -> dict[str, str]:
    """Client parameter -> the source text of the argument the call site passed for it."""
    params = [p.name for p in callee.fn.function.params if p.kind == "normal"]
    if callee.self_value is not None and params:
        params = params[1:]
    params = params[len(callee.pre_args):]
    texts = {name: expr_text(arg) for name, arg in zip(params, call.args)}
    texts.update({key: expr_text(value) for key, value in call.kwargs if key})
    return texts


def _is_exception(index: Index, cls: ClassRef) -> bool:
    return any(k.cls.name.endswith(("Exception", "Error")) for k in index.mro(cls)) or \
        any(expr_text(b).endswith(("Exception", "Error")) for b in cls.cls.bases)


def _dotted_expr(dotted: str) -> ir.Expr:
    parts = dotted.split(".")
    expr: ir.Expr = ir.Name(parts[0])
    for part in parts[1:]:
        expr = ir.Attr(expr, part)
    return expr


def _root_and_path(expr: ast.expr) -> tuple[str, str] | None:
    """`new_flavor['id']` -> ('new_flavor', "['id']"): the name read and what of it (its
    attributes and constant keys); None for anything else."""
    path = []
    while True:
        if isinstance(expr, ast.Attribute):
            path.append("." + expr.attr)
            expr = expr.value
        elif isinstance(expr, ast.Subscript) and isinstance(expr.slice, ast.Constant):
            path.append(f"[{expr.slice.value!r}]")
            expr = expr.value
        elif isinstance(expr, ast.Name):
            return expr.id, "".join(reversed(path))
        else:
            return None


def _pretty(name: str) -> str:
    return name.strip("_").replace("_", " ")
