"""What osflow knows of each OpenStack project, as data: one module per project.

The engine (sources, index, RPC interpreter) is generic; a profile names the facts that
differ from one project to the next: its package, where its services' manager classes are
named, the binaries its topics map to, and how far osflow reads it so far.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tracer.pecan import Pecan

__all__ = ["FlaskRest", "Profile", "Rest", "Tracing", "PROFILES", "profile_for", "known_projects"]


# castellan's key manager (OpenStack's key-manager library, outside the trees): the client
# of barbican unless [key_manager] backend says otherwise (castellan's default)
CASTELLAN = ("castellan.key_manager.API", "barbican",
             "key manager: castellan's key_manager.API, barbican (the default "
             "[key_manager] backend)")


@dataclass(frozen=True)
class Tracing:
    """What the tracer needs to know of a project to draw its flows: which modules are
    plumbing, where its objects and database layer are, its participants and their order,
    the classes its configuration picks, and its driver (the plug point drawn as its own
    participant: Nova's virt driver, Cinder's volume driver)."""

    # modules never followed into (errors, utilities, the object and database layers...)
    quiet_modules: tuple[str, ...]
    # packages whose modules are never another service's client
    not_clients: tuple[str, ...]
    # modules whose functions are policy checks
    policy_modules: tuple[str, ...]
    # the versioned-objects package: its classes' queries and saves reach the database
    objects: str
    # the database API: a call into it is a database step
    db_module: str  # a regular expression on the module's dotted name
    # participants in the order drawn, after which come the project's other services,
    # then `external` (other services, the database), then the driver
    order: tuple[str, ...]
    external: tuple[str, ...]
    # factory -> the class the configuration picks by default, and the note that says so
    choices: tuple[tuple[str, str, str], ...] = ()
    # the driver: its default name (`--driver`), the packages holding drivers, the base
    # class every driver derives from, and the factory that loads it, or else the
    # attributes of manager classes that hold it (`cinder.volume.manager.VolumeManager`
    # sets `self.driver` from the `volume_driver` option)
    driver: str = "libvirt"
    driver_packages: tuple[str, ...] = ()
    driver_base: str = ""
    driver_loader: str = ""
    driver_attrs: tuple[tuple[str, str], ...] = ()
    # other objects a manager holds in an attribute, loaded from an option its own
    # `__init__` reads (Manila's SchedulerManager.driver, CONF.scheduler_driver): (manager
    # class, attribute, the class the option's default names, the note that says so)
    held: tuple[tuple[str, str, str, str], ...] = ()
    # the modules nearly every trace enters, in groups (tracer.build reads them ahead in a
    # helper while the catalogue is made); empty: Nova's (tracer.build._CORE_MODULES)
    core_modules: tuple[tuple[str, ...], ...] = ()
    # database writes kept beyond `--depth` (the state of what the operation acts on)
    state_write: str = r"^(\w+\.)*(instance|migration)\.(save|create|destroy)\b"
    # receivers that hold objects by convention (a regular expression on the last name),
    # when their class cannot be known; None: Nova's (tracer.trace.patterns.OBJECT_NAMES)
    object_names: str | None = None
    # object methods that write, besides save, create, destroy, ...
    object_writes: tuple[str, ...] = ()
    # module-level names set at start-up by a setup function (`OPS = None` until
    # `setup_api(ops)` runs): dotted name -> the class of the object they hold, and the
    # note that says so
    globals: tuple[tuple[str, str, str], ...] = ()
    # the driver as an interface rather than a module of driver_packages: its class, whose
    # methods are drawn as calls to the driver and not followed (Sahara's plugins ship
    # apart; ProvisioningPluginBase is what the engine calls)
    driver_interface: str = ""
    # a client module's factory handing out a library's client (no class of the tree):
    # calls through it are messages named by their attributes (`stacks.create`)
    library_clients: bool = False
    # client libraries whose importers are that service's client, besides the common ones
    # (tracer.trace.patterns.CLIENT_LIBRARIES): Sahara's heatclient, keystoneclient
    client_libraries: tuple[tuple[str, str], ...] = ()
    # factories of a library the tree does not hold that hand out another service's
    # client: the dotted path called (through the module's imports) -> the service, and
    # the note that says so (castellan's `key_manager.API(...)`: the key manager, whose
    # default backend is barbican); a call on what it returns is a message to the service
    library_services: tuple[tuple[str, str, str], ...] = ()
    # attributes a framework sets on what a handler reads (a Pecan hook's
    # `state.request.rpcapi = rpcapi.ConductorAPI()`): the end of the attribute chain ->
    # the class of the object it holds
    known_attrs: tuple[tuple[str, str], ...] = ()
    # calls drawn to the driver participant without a driver object to follow (Ironic's
    # `task.driver.deploy.deploy(task)`): a regular expression on the called expression,
    # its groups joined by `.` label the arrow; and the note that says which driver
    driver_calls: str = ""
    driver_note: str = ""
    # helpers handed a function to run later, besides spawn, submit, ...: name -> the
    # keyword holding the function and its arguments as one tuple (Ironic's
    # `task.process_event('deploy', callback=self._spawn_worker, call_args=(fn, task))`),
    # or "" where the function is the first function among the arguments
    spawners: tuple[tuple[str, str], ...] = ()
    # helpers handed a function that runs only when the spawned work fails to start
    # (Ironic's `task.set_spawn_error_hook(utils.power_state_error_handler, ...)`)
    error_hooks: tuple[str, ...] = ()
    # functions that put an object into its failed state, called where an operation has
    # failed (Ironic's `utils.deploying_error_handler(task, msg)` in do_next_deploy_step
    # when a step returned an unexpected state): an arm of a branch that calls one is an
    # error path, drawn with --errors as exception handlers are; a regular expression on
    # the called expression
    error_handlers: str = r"(?:^|\.)\w*error_handler$"
    # the request context's methods that check a policy rule (`context.can(rule)`;
    # Cinder's `context.authorize(rule, target_obj=...)`)
    context_policy: tuple[str, ...] = ("can",)
    # decorators of controller methods that check a policy rule built from the controller:
    # decorator name -> the class attribute naming the rule's resource; the action is the
    # decorator's string argument, else the decorated method's name (Manila's
    # `@wsgi.Controller.authorize('extend')` on ShareController, resource_name = 'share':
    # share:extend); an empty attribute: the decorator's argument is the whole rule
    # (Sahara's `@acl.enforce("data-processing:cluster:delete")`)
    policy_decorators: tuple[tuple[str, str], ...] = ()
    # functions that call the function they are handed once per cell and answer with a
    # mapping of what it returned (Nova's nova.context.scatter_gather_single_cell(ctxt,
    # cell, objects.Instance.get_by_uuid, uuid)): dotted name -> the position of the
    # function among the arguments; it is called with the context and what follows it
    gatherers: tuple[tuple[str, int], ...] = ()
    # whether an object class's `get_*` class method that calls the database API itself,
    # not remotable, is a database read (Cinder's CinderObject.get_by_id, Nova's
    # InstanceList.get_count_by_hosts through its own `cls._get_count_by_hosts`)
    object_queries: bool = False
    # the attribute of a service's manager holding the host it runs on (oslo.service's
    # `self.host`): a message sent to the value it holds goes back to the sender's own
    # host (after `if self.host != instance.host: return`, `instance.host` is that value)
    own_host: str = "host"
    # object methods that read the object's fields again (oslo.versionedobjects' and the
    # projects' `refresh`): what was known of which value a field holds is forgotten
    rereads: tuple[str, ...] = ("refresh",)
    # methods of an RPC client that choose which server the next message goes to, not
    # sending anything themselves: dotted name -> what the choice is, noted where they are
    # called (Ironic's ConductorAPI.get_topic_for: the conductor the hash ring maps the
    # node to; the send that follows is given its topic)
    routers: tuple[tuple[str, str], ...] = ()
    # driver interfaces (Tracing.driver_calls) whose implementation on the default config
    # fails some calls: (interface, implementation, the methods that fail); such a call
    # is drawn failing with `interface_error` (Ironic's ipmi hardware type has no-rescue
    # and no-inspect by default: `rescue.validate` raises UnsupportedDriverExtension)
    failing_interfaces: tuple[tuple[str, str, tuple[str, ...]], ...] = ()
    interface_error: str = ""


@dataclass(frozen=True)
class Rest:
    """How a project routes its REST API with a `routes.Mapper` router (Cinder's
    `cinder/api/v3/router.py`) and extension descriptors (`cinder/api/contrib/*.py`), and
    what its client calls each request. Nova's compute API is read by tracer.catalogue's
    own tables (ROUTE_LIST, v2.1 extensions)."""

    # the module whose router class connects the core routes (`mapper.resource(...)`,
    # `mapper.connect(...)`, `mapper.create_route(...)`)
    router_module: str
    # the folder of the extensions, and the base class of their descriptors
    extension_dir: str
    extension_base: str
    # the module of `wsgi.action` and `wsgi.Resource`
    wsgi_module: str
    # the folder of the REST API: a file there that cannot be parsed loses routes
    api_dir: str
    # client command -> (HTTP method, path as the client sends it, REST action or None)
    client_commands: Mapping[str, tuple[str, str, str | None]] = field(
        default_factory=dict, compare=False, hash=False)
    # where a command goes when its route above is missing in a release
    client_fallbacks: Mapping[str, tuple[str, str, str | None]] = field(
        default_factory=dict, compare=False, hash=False)
    # a prefix of action names left out of derived names (`os-extend`: volume-extend)
    action_prefix: str = ""
    # standard methods (`create`, `delete`) an action of that name serves instead of the
    # action route, when the controller lacks them (Nova's wsgi.Resource); Cinder's
    # wsgi.Resource dispatches every action on the action route
    standard_actions: tuple[str, ...] = ()
    # whether such an action is also dispatched on the action route (Cinder's)
    actions_everywhere: bool = False


@dataclass(frozen=True)
class FlaskRest:
    """A REST API of Flask blueprints (Sahara's), read by tracer.flaskroutes: the module
    that mounts the blueprints, the URL prefix read, and what the client calls each
    request."""

    # the module whose functions register the blueprints (`app.register_blueprint(...)`)
    app_module: str
    # the URL prefix whose blueprints are the operations (`/v2`)
    prefix: str
    # the folder of the REST API: a file there that cannot be parsed loses routes
    api_dir: str
    # client command -> (HTTP method, path under the prefix)
    client_commands: Mapping[str, tuple[str, str]] = field(
        default_factory=dict, compare=False, hash=False)
    # other names of a command (the older client's)
    aliases: Mapping[str, tuple[str, ...]] = field(default_factory=dict, compare=False,
                                                   hash=False)


@dataclass(frozen=True)
class Profile:
    # the Python package and the distribution on the package index (nova, cinder)
    name: str
    # the binaries of the services whose RPC model is read (nova-compute, cinder-volume)
    services: tuple[str, ...]
    # modules naming each service's manager class (SERVICE_MANAGERS, `*_manager` options),
    # across releases
    manager_registries: tuple[str, ...]
    # a dotted manager class path: its group (the topic's last word) is group 1
    manager_path: str
    # a release on the package index, for examples in messages (`cinder==29.0.0`)
    example_release: str
    # the release of the Liberty series, named in hints about releases older than the index
    liberty: str
    # its REST API, when it is not Nova's compute API (tracer.catalogue reads Nova's)
    rest: Rest | None = None
    # or its REST API of Flask blueprints (tracer.flaskroutes)
    flask: FlaskRest | None = None
    # how its flows are traced (None: not yet)
    tracing: Tracing | None = None
    # what osflow reads of it so far, beyond the RPC model (rpc, diff --rpc, history):
    # `ops` (the REST catalogue), `trace` (flows, and flow diffs), `build` (whole-catalogue
    # readings: build, graph, check)
    reads: tuple[str, ...] = ()
    # participant -> (the project it is, its client's method -> that project's operation):
    # an arrow to it links to that operation's diagram when a root holds both builds
    calls_into: Mapping[str, tuple[str, Mapping[str, str]]] = field(
        default_factory=dict, compare=False, hash=False)
    # topic -> the binary serving it, where the binary is not named after the topic
    # (Sahara's `sahara-ops` topic is served by sahara-engine)
    topic_binaries: Mapping[str, str] = field(default_factory=dict, compare=False, hash=False)
    # its REST API when it is a Pecan application (Ironic's): tracer.pecan reads it
    pecan: Pecan | None = None

    @property
    def every_service(self) -> str:
        """The service of a client whose topic the caller names, served everywhere."""
        return f"{self.name}-*"

    @property
    def manager_pattern(self) -> re.Pattern[str]:
        return re.compile(self.manager_path)

    @property
    def api(self) -> str:
        """The participant of its REST API (nova_api)."""
        return f"{self.name}_api"

    def binary(self, topic: str) -> str:
        """The binary serving a topic: nova's `compute` is nova-compute; cinder's topics are
        already binaries (`cinder-volume`)."""
        if topic in self.topic_binaries:
            return self.topic_binaries[topic]
        prefix = f"{self.name}-"
        return topic if topic.startswith(prefix) else prefix + topic


def _profiles() -> dict[str, Profile]:
    from tracer.profiles.cinder import CINDER
    from tracer.profiles.ironic import IRONIC
    from tracer.profiles.manila import MANILA
    from tracer.profiles.nova import NOVA
    from tracer.profiles.sahara import SAHARA

    return {p.name: p for p in (NOVA, CINDER, MANILA, SAHARA, IRONIC)}


PROFILES: dict[str, Profile] = _profiles()


def known_projects() -> list[str]:
    return sorted(PROFILES)


def profile_for(project: str) -> Profile:
    """The profile of `project` (its package name); KeyError when osflow knows none."""
    return PROFILES[project]
