"""Trace one REST operation into a Flow: the entry point of the tracing stage.

`trace_operation` starts at the operation's REST handler (from the catalogue), lets the
engine follow it across services, then lays the result out: the request, the API's work,
the response, and the work cast to other services after it.
"""

from __future__ import annotations

import os
from dataclasses import replace

from tracer.errors import OsflowError
from tracer.index import ClassRef, FunctionRef, Index, ValueRef, ir
from tracer.model import (
    CALL, CAST, DB, DB_RETURN, DONE, NOTE, REQUEST, RESPONSE, START, Block, Flow,
    RpcModel, Step,
    iter_steps,
)
from tracer.periodic import is_periodic, service_of
from tracer.trace import patterns
from tracer.trace.schema import body_facts
from tracer.profiles import Tracing, profile_for
from tracer.profiles.nova import NOVA
from tracer.trace.engine import (
    INSTANCE_HOST, Engine, Options, Shared, participant_of_service, tracing_of,
)

__all__ = ["Options", "Shared", "trace_operation", "participant_order"]

# The compute hosts and their drivers as two participants, when two hosts take part.
HOST_ROLES = ("_src", "_dest")

# SPEC order of participants (Tracing.order, Tracing.external); the project's other
# services follow its own listed ones, other external services follow the listed ones, and
# the driver comes last.
_ORDER = list(NOVA.tracing.order)
_EXTERNAL = list(NOVA.tracing.external)


def participant_order(names: set[str], driver: str,
                      tracing: Tracing = NOVA.tracing) -> tuple[str, ...]:
    order, external = list(tracing.order), list(tracing.external)
    own = order[1].partition("_")[0] + "_"  # nova_api: nova_

    def key(name: str):
        if name in order:
            return (0, order.index(name), name)
        if name.startswith(own):
            return (1, 0, name)
        if name in external:
            return (2, external.index(name), name)
        if name == driver or name.startswith(driver + "_"):
            return (4, ["", "_src", "_dest"].index(name[len(driver):])
                    if name[len(driver):] in ("", "_src", "_dest") else 3, name)
        return (3, 0, name)

    return tuple(sorted(names, key=key))


def config_choices(index: Index, options: Options) -> tuple[dict[str, str], dict[str, str]]:
    """Factories that pick a class from configuration, and the class this trace uses.

    Each is the production default unless an option says otherwise; every choice made is
    reported in the flow's notes."""
    if index.package != NOVA.name:
        return _profile_choices(index, options, tracing_of(index))
    network = (["nova.network.api.API"] if options.network == "nova-network" else
               ["nova.network.neutronv2.api.API", "nova.network.neutron.API"])
    local = options.use_local
    conductor = "conductor: " + ("in-process (CONF.conductor.use_local=True, --use-local)"
                                 if local else
                                 "over RPC (CONF.conductor.use_local=False, the default)")
    wanted = {
        "nova.compute.API": ["nova.compute.api.API"],
        "nova.compute.HostAPI": ["nova.compute.api.HostAPI"],
        "nova.compute.InstanceActionAPI": ["nova.compute.api.InstanceActionAPI"],
        "nova.network.API": network,
        "nova.volume.API": ["nova.volume.cinder.API"],
        "nova.conductor.API": ["nova.conductor.api.LocalAPI" if local
                               else "nova.conductor.api.API"],
        "nova.conductor.ComputeTaskAPI": ["nova.conductor.api.LocalComputeTaskAPI" if local
                                          else "nova.conductor.api.ComputeTaskAPI"],
    }
    why = {
        "nova.compute.API": "compute API: nova.compute.api.API (cells v1 off, the default)",
        "nova.network.API": f"network API: {options.network} (CONF.network_api_class; "
                            "--network to change)",
        "nova.conductor.API": conductor,
        "nova.conductor.ComputeTaskAPI": conductor,
        "nova.volume.API": "volume API: cinder",
    }
    choices: dict[str, str] = {}
    for factory, classes in wanted.items():
        if not isinstance(index.resolve_dotted(factory), FunctionRef):
            continue  # not a factory in this release: the import names the class itself
        for dotted in classes:
            if isinstance(index.resolve_dotted(dotted), ClassRef):
                choices[factory] = dotted
                break
    _check_asked(choices, options)
    if options.driver == Options.driver and not available_drivers(index):
        # a tree without virt drivers (a part of Nova): the driver's calls end where the
        # manager makes them, rather than `--driver libvirt` failing on a default
        why["nova.virt.driver.load_compute_driver"] = \
            "virt driver: none in this tree (nova/virt/ holds no driver)"
        return choices, why
    driver = driver_class(index, options.driver)
    choices["nova.virt.driver.load_compute_driver"] = driver
    choices["driver"] = driver
    why["nova.virt.driver.load_compute_driver"] = \
        f"virt driver: {options.driver} ({driver}; --driver to change)"
    return choices, why


def _profile_choices(index: Index, options: Options,
                     tracing: Tracing) -> tuple[dict[str, str], dict[str, str]]:
    """A project's factories (Tracing.choices) and its driver, named by `--driver`."""
    choices: dict[str, str] = {}
    why: dict[str, str] = {}
    for factory, dotted, note in tracing.choices:
        # a factory function, or a module-level name bound to the class a call picks
        # (`API = import_class(CONF.share_api_class)`)
        made = index.resolve_dotted(factory)
        if (isinstance(made, FunctionRef) or (isinstance(made, ValueRef)
                                             and isinstance(made.value, ir.Call))) and \
                isinstance(index.resolve_dotted(dotted), ClassRef):
            choices[factory], why[factory] = dotted, note
    if tracing.driver_note:
        why["driver"] = tracing.driver_note
    if tracing.driver_interface and options.driver in (Options.driver, tracing.driver):
        # the driver is an interface (no plugin of its own in the tree): its calls are drawn
        why["driver"] = f"{tracing.driver}: the {tracing.driver_base} interface " \
                        f"({tracing.driver_interface}); the plugin itself ships apart"
        return choices, why
    if not available_drivers(index, tracing):
        return choices, why
    name = tracing.driver if options.driver == Options.driver else options.driver
    driver = driver_class(index, name, tracing)
    choices["driver"] = driver
    why["driver"] = f"{tracing.driver_base} driver: {name} ({driver}; --driver to change)"
    return choices, why


def _check_asked(choices: dict[str, str], options: Options) -> None:
    """A non-default choice the tree cannot make is an error, not a silent default."""
    if options.network == "nova-network" and \
            choices.get("nova.network.API") != "nova.network.api.API":
        raise OsflowError("--network nova-network: this tree has no nova-network API to "
                          "choose (nova.network.API); leave the default, neutron")
    if options.use_local and \
            choices.get("nova.conductor.API") != "nova.conductor.api.LocalAPI":
        raise OsflowError("--use-local: this tree's conductor has no local mode to choose "
                          "(nova.conductor.API, CONF.conductor.use_local); leave it out")


def driver_class(index: Index, name: str, tracing: Tracing = NOVA.tracing) -> str:
    """`libvirt` (or CONF's form `libvirt.LibvirtDriver`) -> the driver class's path."""
    package = tracing.driver_packages[0]
    if "." in name:
        ref = index.resolve_dotted(f"{package}.{name}")
        if isinstance(ref, ClassRef):
            return ref.dotted
    base = name.split(".")[0]
    for module_name in (f"{package}.{base}.driver", f"{package}.{base}"):
        module = index.module(module_name)
        if module is None:
            continue
        if module.problem is not None:
            problem = module.problem
            raise OsflowError(
                f"{problem.path}:{problem.line}: cannot parse ({problem.message}), so the "
                f"{base} driver cannot be traced; fix the module or choose another driver "
                f"with --driver ({', '.join(available_drivers(index))})")
        for cls in module.classes.values():
            ref = ClassRef(module, cls)
            if cls.name.endswith("Driver") and any(
                    k.cls.name == tracing.driver_base for k in index.mro(ref)[1:]):
                return ref.dotted
    kind = "virt driver" if tracing is NOVA.tracing else "driver"
    raise OsflowError(f"unknown {kind} {name!r}; choose one of: "
                      f"{', '.join(available_drivers(index, tracing))}")


def available_drivers(index: Index, tracing: Tracing = NOVA.tracing) -> list[str]:
    """Nova's virt drivers (a package with driver.py, or fake.py); another project's
    drivers are the modules and packages of its driver package."""
    if not tracing.driver_packages:
        return []  # a driver drawn from its calls alone (Tracing.driver_calls)
    virt = index.root.joinpath(*tracing.driver_packages[0].split("."))
    names = []
    for entry in sorted(os.listdir(virt)) if virt.is_dir() else []:
        if tracing is NOVA.tracing:
            if (virt / entry / "driver.py").is_file() or entry == "fake.py":
                names.append(entry.removesuffix(".py"))
        elif not entry.startswith("_") and (entry.endswith(".py") or
                                            (virt / entry / "__init__.py").is_file()):
            names.append(entry.removesuffix(".py"))
    return names


def trace_operation(index: Index, rpc: RpcModel, operation, options: Options,
                    shared: Shared | None = None) -> Flow:
    """The flow of `operation` (a catalogue Operation) in the tree of `index`."""
    handler = index.resolve_dotted(operation.handler)
    controller = index.resolve_dotted(operation.handler.rsplit(".", 1)[0])
    if isinstance(handler, FunctionRef) and handler.owner is None:
        controller = None  # a view function (Flask): no controller object
    elif not isinstance(controller, ClassRef):
        handler = None
    if not isinstance(handler, FunctionRef):
        raise OsflowError(f"cannot find the handler {operation.handler} of "
                          f"{operation.name} in {rpc.source}")
    # every send to compute is placed on the host its expression names (a delete's
    # confirm_resize goes to migration.source_compute, its terminate_instance to
    # instance.host); one participant is drawn unless two hosts take part
    options = replace(options, two_hosts=True)
    profile = profile_for(index.package)
    tracing = tracing_of(index)
    if options.driver == Options.driver:
        options = replace(options, driver=tracing.driver)  # the project's default driver
    api = profile.api
    compute = f"{profile.name}_compute"
    engine, nodes = _traced(index, rpc, handler, controller, operation, options, shared)
    # the migration's source named apart from the instance's host (a delete confirms a
    # finished resize on migration.source_compute, then terminates the instance on
    # instance.host): the instance already lives on the other host
    moved = {"instance.host", "source_compute"} <= engine.hosts_named and \
        "dest_compute" not in engine.hosts_named
    role = "_dest" if moved else "_src"
    nodes = _renamed(nodes, {f"{base}{INSTANCE_HOST}": f"{base}{role}"
                             for base in (compute, options.driver)})
    names = set() if is_periodic(operation) else {"client", api}
    for step in iter_steps(nodes):
        names.add(step.source)
        if step.target:
            names.add(step.target)
    if not _two_hosts_together(nodes) and not _own_host_and_another(nodes, engine.own_sends,
                                                                    compute):
        one_host = {f"{base}{role}": base for base in (compute, options.driver)
                    for role in HOST_ROLES}
        nodes = _renamed(nodes, one_host)
        names = {one_host.get(name, name) for name in names}
    else:
        for text in engine.host_guesses:
            engine.flow_note(text)
    labels = ()
    if moved and "nova_compute_dest" in names:
        labels = (("nova_compute_dest", "nova_compute_dest\n(the instance's host)"),
                  ("nova_compute_src", "nova_compute_src\n(the migration's source)"))
    for _, service, note in tracing.library_services:
        if service in names:  # a library's client drawn: which service it talks to
            engine.flow_note(note)
    if engine.config_defaults:
        engine.flow_note("options at their defaults decide branches (other values are not "
                         "drawn): " + ", ".join(f"{option}={value!r}" for option, value in
                                                sorted(engine.config_defaults.items())))
    if engine.skipped_handlers:
        # no count: helpers already known from other traces are not walked again
        engine.flow_note("exception handlers (error and rollback paths) are not drawn; "
                         "--errors draws them")
    # in the order of their paths, whichever process found them first
    problems = [f"{p.path}:{p.line}: cannot parse ({p.message}); its steps are missing"
                for p in sorted(index.problems, key=lambda p: (p.path, p.line, p.message))]
    return Flow(operation=operation.name, source=rpc.source,
                title=f"{operation.name} ({_project_source(profile.name, rpc.source)})",
                request=nodes[0].text, project=profile.name,
                participants=participant_order(names, options.driver, tracing), nodes=nodes,
                notes=tuple(engine.notes + problems), labels=labels)


def _project_source(project: str, source: str) -> str:
    """`nova 34.0.0`; a source that names its project already (`cinder==29.0.0`) as it is."""
    return source if source.startswith(f"{project}==") else f"{project} {source}"


def _traced(index: Index, rpc: RpcModel, handler: FunctionRef, controller: ClassRef,
            operation, options: Options, shared: Shared | None) -> tuple[Engine, tuple]:
    """The engine that followed `operation`, and the nodes it drew: the request, the
    API's work, the response, then the work cast to other services."""
    choices, why = config_choices(index, options)
    engine = Engine(index, rpc.methods, options, choices, why, shared)
    if is_periodic(operation):
        return engine, _periodic(engine, handler, controller, operation)
    request_text = f"{operation.method} {operation.path}" + \
        (f" ({operation.action})" if operation.action else "")
    fn = handler.function
    api = profile_for(index.package).api
    request = Step(REQUEST, "client", api, request_text, handler.dotted,
                   handler.module.path, fn.line)
    self_value = engine.fresh_instance(controller, api) if controller is not None else None
    bound = _request_bindings(index, operation, fn)
    facts = body_facts(index, handler)
    if facts and "body" not in bound:
        # what the handler's request schema guarantees of the body it is given
        bound["body"] = engine.bind_request(facts)
    body = engine.collect(lambda: engine.activation(handler, self_value, api, bound))
    status = patterns.response_status(
        fn.decorators, handler.module.imports,
        fn.body,
        handler.owner.methods if handler.owner is not None else None,
        tuple(text for where, text in engine.response_statuses if where == api))
    if handler.owner is None and profile_for(index.package).flask is not None:
        from tracer.flaskroutes import view_status
        status = view_status(index, handler) or status
    if profile_for(index.package).pecan is not None:
        from tracer.pecan import response_status
        status = response_status(fn) or status
    if engine.failing is not None:
        # the request fails on the default config (a handler raises on an option's
        # default): its error, never the success status
        status = patterns.error_status(engine.failing)
        engine.failing = None
    response = Step(RESPONSE, api, "client", status, handler.dotted,
                    handler.module.path, fn.end_line)
    return engine, (request, *body, response, *engine.drain_casts())


def _request_bindings(index: Index, operation, fn) -> dict:
    """What a Pecan handler's parameters hold when it starts: each is a part of the
    request (the path's ids, the body's fields, the query), known only at run time, not
    its default (`clean_steps=None` is what a request without it sends, not a clean's);
    the body field an operation's action sets is that value (`target='active'` for
    node-deploy)."""
    pecan = profile_for(index.package).pecan
    if pecan is None:
        return {}
    from tracer.pecan import request_bindings
    from tracer.trace.values import ConstV, Text
    bound = {p.name: Text(p.name) for p in fn.params[1:] if p.kind in ("normal", "kwonly")}
    bound.update({k: ConstV(v) for k, v in request_bindings(operation, pecan).items()})
    return bound


def _periodic(engine: Engine, handler: FunctionRef, manager: ClassRef,
              operation) -> tuple:
    """A periodic task: no request; its service starts it on a timer (said in a note),
    then the work it casts to others."""
    participant = participant_of_service(service_of(operation))
    fn = handler.function
    when = operation.path.split(": ", 1)[-1]
    timer = Step(NOTE, participant, None, f"periodic task {fn.name}: {when}", handler.dotted,
                 handler.module.path, fn.line)
    start = Step(START, participant, None, fn.name, handler.dotted, handler.module.path,
                 fn.line)
    body = engine.collect(lambda: engine.activation(
        handler, engine.service_self(manager, participant), participant, {}))
    engine.failing = None  # a task that fails on the default config said so where it does
    done = Step(DONE, participant, None, fn.name, handler.dotted, handler.module.path,
                fn.end_line)
    return (timer, start, *body, done, *engine.drain_casts())


def _two_hosts_together(nodes) -> tuple[bool, bool, bool] | bool:
    """Whether the source and the destination compute host both take part on one path
    through the flow: not when they are only the arms of one choice (an unshelve starts
    a shelved server on its own host, or unshelves an offloaded one on a new host)."""
    def scan(nodes) -> tuple[bool, bool, bool]:
        src = dest = together = False
        for node in nodes:
            if isinstance(node, Block):
                arms = [scan(b.nodes) for b in node.branches] if node.kind == "alt" \
                    else [scan([n for b in node.branches for n in b.nodes])]
                has_src, has_dest = any(a[0] for a in arms), any(a[1] for a in arms)
                inner = any(a[2] for a in arms)
            else:
                # what is sent to a host (a cast's work is drawn after the sender's, away
                # from the branch that sent it; the send stays in its branch)
                target = node.target or ""
                sent = node.kind in (CALL, CAST) and node.source != target
                has_src, has_dest = sent and target.endswith("_src"), \
                    sent and target.endswith("_dest")
                inner = False
            together = together or inner or (src and has_dest) or (dest and has_src)
            src, dest = src or has_src, dest or has_dest
        return src, dest, together
    return scan(nodes)[2]


def _own_host_and_another(nodes, own_sends: set[str], compute: str) -> bool:
    """Whether the compute service's own participant (a periodic task's host) sent to
    itself as the instance's host (Engine.own_host) and a message also goes to a host
    named by its role (`migration.source_compute`): two hosts take part, and the role's
    is not merged into the task's."""
    if compute not in own_sends:
        return False
    return any(step.kind in (CALL, CAST) and step.target != compute and
               (step.target or "").startswith(f"{compute}_") for step in iter_steps(nodes))


def _renamed(nodes: tuple, names: dict[str, str]) -> tuple:
    """The nodes with participants renamed (`nova_compute_src` -> `nova_compute`)."""
    out = []
    for node in nodes:
        if isinstance(node, Block):
            out.append(replace(node, branches=tuple(
                replace(b, nodes=_renamed(b.nodes, names)) for b in node.branches)))
        elif node.source in names or node.target in names:
            out.append(Step(node.kind, names.get(node.source, node.source),
                            names.get(node.target, node.target), node.text, node.anchor,
                            node.file, node.line, node.fanout, node.rpc))
        else:
            out.append(node)
    return tuple(out)


def overview(flow: Flow) -> Flow:
    """Every arrow that crosses a process (RPCs and their replies, the driver's calls and
    callbacks, other services, database writes), the request and response, and the
    frames around them; in-process notes and database reads go, and the frames and
    participants left empty."""
    from tracer.trace.engine import _drawn_arms, _visible

    def walk(nodes):
        out = []
        read = False  # the last step was a database read: its reply goes with it
        for node in nodes:
            if isinstance(node, Block):
                branches = tuple(replace(b, nodes=tuple(walk(b.nodes))) for b in node.branches)
                if any(_visible(b.nodes) for b in branches):
                    out += _drawn_arms(replace(node, branches=branches))
                read = False
            elif node.kind == DB and not patterns.is_db_write(node.text):
                read = True
            elif node.kind == DB_RETURN and read:
                read = False
            elif node.kind != NOTE:
                out.append(node)
                read = False
        return out

    nodes = tuple(walk(flow.nodes))
    # the client and the API take part whenever the flow has them (a REST request)
    names = {"client"} | {p for p in flow.participants[:2] if p.endswith("_api")}
    for step in iter_steps(nodes):
        names.add(step.source)
        if step.target:
            names.add(step.target)
    participants = tuple(p for p in flow.participants if p in names)
    return replace(flow, nodes=nodes, participants=participants,
                   title=f"{flow.title}, overview")
