"""The REST operation catalogue: every operation of a tree's compute API, its route and
handler.

Nova's compute API is read statically, in one of its two layouts:

- `nova/api/openstack/compute/routes.py` (16.0.0 and later): `ROUTE_LIST` maps each path
  and HTTP method to a controller factory and a controller method; each factory is a
  `functools.partial(_create_controller, MainController, [extension controllers...])`.
- v2.1 extensions (12.0.0 Liberty to 15.x Ocata): classes deriving from
  `V21APIExtensionBase` declare resources in `get_resources()` (`ResourceExtension(...)`,
  routed like `routes.Mapper.resource`) and add controllers to existing resources in
  `get_controller_extensions()` (`ControllerExtension(self, 'servers', Controller())`).

A route served by the controller method `action` (`POST /servers/{id}/action`) fans out to
every `@wsgi.action('...')` method of the controllers behind it, but for an action named
after a standard method (`@wsgi.action('create')`, Liberty's flavor-manage): as in
`wsgi.Resource`, that serves the resource's own route when its controller lacks the method.
A handler that never succeeds (`@wsgi.removed(...)`, or an unconditional
`raise exc.HTTPGone()` or other HTTP error that no earlier `return` skips) is not an
operation: it is recorded as missing, with the reason, so `find_operation` can say why.

Scope: every route of every compute API controller (`/servers` and below, flavors,
os-aggregates, os-hypervisors, os-services, os-hosts, os-keypairs, quotas, images, the
versions document, ...). Each operation's `group` is its resource, the route's first path
segment (the root `/` is named after its controller: versions); two routes of one
resource to one handler (GET / and GET /versions/{id}) are one operation. The microversion
range a handler declares (`@wsgi.api_version(...)`) is kept, over all its definitions.
Periodic tasks (tracer.periodic) join the catalogue in the group `periodic`.

Names: the nova client's command names are canonical (CLIENT_COMMANDS says which route and
action each one sends); other operations are named after their REST action on a server
(`injectNetworkInfo`), else `<resource>-<words>-<verb>` with the resource in the singular
(`server-metadata-update-all`, `hypervisor-list-detail`, `aggregate-cache-images-now`).
Client commands are named first; a derived name one of them took is said with the
handler's own name instead of the verb (`flavor-index`: the client's flavor-list is GET
/flavors/detail), and a name still taken is numbered in route order (`-2`, with a warning).
Aliases: the REST action name, the seed-style snake_case name, and other client commands
served by the same handler.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass, replace

from tracer.errors import OsflowError
from tracer.files import is_safe_file_stem
from tracer.index import ClassRef, FunctionRef, Index, ValueRef, ir
from tracer.index.ir import expr_text, walk
from tracer.profiles import Profile, Rest

API_DIR = "nova/api/openstack/compute/"
ROUTES_MODULE = "nova.api.openstack.compute.routes"
WSGI_MODULE = "nova.api.openstack.wsgi"
EXTENSION_BASE = "V21APIExtensionBase"
# The servers API: its actions are named after the action alone (`pause`, `createImage`);
# another resource's are prefixed with the resource (`aggregate-add-host`).
SERVERS = "servers"
# Controller methods that a main controller may leave to an extension's
# `@wsgi.action('create')` (nova.api.openstack.wsgi.Resource._get_method: _ROUTES_METHODS).
ROUTES_METHODS = ("create", "delete", "show", "update")

# nova client command -> (HTTP method, path as novaclient sends it, REST action or None)
CLIENT_COMMANDS: dict[str, tuple[str, str, str | None]] = {
    "boot": ("POST", "/servers", None),
    "list": ("GET", "/servers/detail", None),
    "show": ("GET", "/servers/{server_id}", None),
    "update": ("PUT", "/servers/{server_id}", None),
    "rename": ("PUT", "/servers/{server_id}", None),
    "delete": ("DELETE", "/servers/{server_id}", None),
    "force-delete": ("POST", "/servers/{server_id}/action", "forceDelete"),
    "restore": ("POST", "/servers/{server_id}/action", "restore"),
    "stop": ("POST", "/servers/{server_id}/action", "os-stop"),
    "start": ("POST", "/servers/{server_id}/action", "os-start"),
    "reboot": ("POST", "/servers/{server_id}/action", "reboot"),
    "migrate": ("POST", "/servers/{server_id}/action", "migrate"),
    "live-migrate": ("POST", "/servers/{server_id}/action", "os-migrateLive"),
    "resize": ("POST", "/servers/{server_id}/action", "resize"),
    "resize-confirm": ("POST", "/servers/{server_id}/action", "confirmResize"),
    "resize-revert": ("POST", "/servers/{server_id}/action", "revertResize"),
    "rebuild": ("POST", "/servers/{server_id}/action", "rebuild"),
    "evacuate": ("POST", "/servers/{server_id}/action", "evacuate"),
    "reset-state": ("POST", "/servers/{server_id}/action", "os-resetState"),
    "reset-network": ("POST", "/servers/{server_id}/action", "resetNetwork"),
    "image-create": ("POST", "/servers/{server_id}/action", "createImage"),
    "backup": ("POST", "/servers/{server_id}/action", "createBackup"),
    "lock": ("POST", "/servers/{server_id}/action", "lock"),
    "unlock": ("POST", "/servers/{server_id}/action", "unlock"),
    "set-password": ("POST", "/servers/{server_id}/action", "changePassword"),
    "pause": ("POST", "/servers/{server_id}/action", "pause"),
    "unpause": ("POST", "/servers/{server_id}/action", "unpause"),
    "suspend": ("POST", "/servers/{server_id}/action", "suspend"),
    "resume": ("POST", "/servers/{server_id}/action", "resume"),
    "shelve": ("POST", "/servers/{server_id}/action", "shelve"),
    "unshelve": ("POST", "/servers/{server_id}/action", "unshelve"),
    "shelve-offload": ("POST", "/servers/{server_id}/action", "shelveOffload"),
    "rescue": ("POST", "/servers/{server_id}/action", "rescue"),
    "unrescue": ("POST", "/servers/{server_id}/action", "unrescue"),
    "trigger-crash-dump": ("POST", "/servers/{server_id}/action", "trigger_crash_dump"),
    "console-log": ("POST", "/servers/{server_id}/action", "os-getConsoleOutput"),
    "get-vnc-console": ("POST", "/servers/{server_id}/action", "os-getVNCConsole"),
    "get-spice-console": ("POST", "/servers/{server_id}/action", "os-getSPICEConsole"),
    "get-rdp-console": ("POST", "/servers/{server_id}/action", "os-getRDPConsole"),
    "get-serial-console": ("POST", "/servers/{server_id}/action", "os-getSerialConsole"),
    "add-secgroup": ("POST", "/servers/{server_id}/action", "addSecurityGroup"),
    "remove-secgroup": ("POST", "/servers/{server_id}/action", "removeSecurityGroup"),
    "add-fixed-ip": ("POST", "/servers/{server_id}/action", "addFixedIp"),
    "remove-fixed-ip": ("POST", "/servers/{server_id}/action", "removeFixedIp"),
    "list-secgroup": ("GET", "/servers/{server_id}/os-security-groups", None),
    "volume-attach": ("POST", "/servers/{server_id}/os-volume_attachments", None),
    "volume-attachments": ("GET", "/servers/{server_id}/os-volume_attachments", None),
    "volume-update": ("PUT", "/servers/{server_id}/os-volume_attachments/{volume_id}", None),
    "volume-detach": ("DELETE", "/servers/{server_id}/os-volume_attachments/{volume_id}",
                      None),
    "interface-attach": ("POST", "/servers/{server_id}/os-interface", None),
    "interface-list": ("GET", "/servers/{server_id}/os-interface", None),
    "interface-detach": ("DELETE", "/servers/{server_id}/os-interface/{port_id}", None),
    "instance-action-list": ("GET", "/servers/{server_id}/os-instance-actions", None),
    "instance-action": ("GET", "/servers/{server_id}/os-instance-actions/{request_id}", None),
    "diagnostics": ("GET", "/servers/{server_id}/diagnostics", None),
    "get-password": ("GET", "/servers/{server_id}/os-server-password", None),
    "clear-password": ("DELETE", "/servers/{server_id}/os-server-password", None),
    "server-migration-list": ("GET", "/servers/{server_id}/migrations", None),
    "server-migration-show": ("GET", "/servers/{server_id}/migrations/{migration_id}", None),
    "live-migration-abort": ("DELETE", "/servers/{server_id}/migrations/{migration_id}",
                             None),
    "live-migration-force-complete": ("POST",
                                      "/servers/{server_id}/migrations/{migration_id}/action",
                                      "force_complete"),
    "server-tag-list": ("GET", "/servers/{server_id}/tags", None),
    "server-tag-set": ("PUT", "/servers/{server_id}/tags", None),
    "server-tag-delete-all": ("DELETE", "/servers/{server_id}/tags", None),
    "server-tag-add": ("PUT", "/servers/{server_id}/tags/{tag}", None),
    "server-tag-delete": ("DELETE", "/servers/{server_id}/tags/{tag}", None),
    "migration-list": ("GET", "/os-migrations", None),
    # the rest of the compute API (python-novaclient's shell; commands it dropped with the
    # APIs nova removed are kept: older releases serve them)
    "aggregate-list": ("GET", "/os-aggregates", None),
    "aggregate-create": ("POST", "/os-aggregates", None),
    "aggregate-show": ("GET", "/os-aggregates/{aggregate_id}", None),
    "aggregate-update": ("PUT", "/os-aggregates/{aggregate_id}", None),
    "aggregate-delete": ("DELETE", "/os-aggregates/{aggregate_id}", None),
    "aggregate-add-host": ("POST", "/os-aggregates/{aggregate_id}/action", "add_host"),
    "aggregate-remove-host": ("POST", "/os-aggregates/{aggregate_id}/action", "remove_host"),
    "aggregate-set-metadata": ("POST", "/os-aggregates/{aggregate_id}/action",
                               "set_metadata"),
    "aggregate-cache-images": ("POST", "/os-aggregates/{aggregate_id}/images", None),
    "availability-zone-list": ("GET", "/os-availability-zone/detail", None),
    "hypervisor-list": ("GET", "/os-hypervisors", None),
    "hypervisor-show": ("GET", "/os-hypervisors/{hypervisor_id}", None),
    "hypervisor-uptime": ("GET", "/os-hypervisors/{hypervisor_id}/uptime", None),
    "hypervisor-servers": ("GET", "/os-hypervisors/{hypervisor_id}/servers", None),
    "hypervisor-stats": ("GET", "/os-hypervisors/statistics", None),
    "host-list": ("GET", "/os-hosts", None),
    "host-describe": ("GET", "/os-hosts/{host}", None),
    "host-update": ("PUT", "/os-hosts/{host}", None),
    "service-list": ("GET", "/os-services", None),
    "service-enable": ("PUT", "/os-services/{service_id}", None),
    "service-disable": ("PUT", "/os-services/{service_id}", None),
    "service-force-down": ("PUT", "/os-services/{service_id}", None),
    "service-delete": ("DELETE", "/os-services/{service_id}", None),
    "keypair-list": ("GET", "/os-keypairs", None),
    "keypair-add": ("POST", "/os-keypairs", None),
    "keypair-show": ("GET", "/os-keypairs/{keypair_name}", None),
    "keypair-delete": ("DELETE", "/os-keypairs/{keypair_name}", None),
    "flavor-list": ("GET", "/flavors/detail", None),
    "flavor-show": ("GET", "/flavors/{flavor_id}", None),
    "flavor-create": ("POST", "/flavors", None),
    "flavor-update": ("PUT", "/flavors/{flavor_id}", None),
    "flavor-delete": ("DELETE", "/flavors/{flavor_id}", None),
    "flavor-access-list": ("GET", "/flavors/{flavor_id}/os-flavor-access", None),
    "flavor-access-add": ("POST", "/flavors/{flavor_id}/action", "addTenantAccess"),
    "flavor-access-remove": ("POST", "/flavors/{flavor_id}/action", "removeTenantAccess"),
    "quota-show": ("GET", "/os-quota-sets/{tenant_id}", None),
    "quota-update": ("PUT", "/os-quota-sets/{tenant_id}", None),
    "quota-delete": ("DELETE", "/os-quota-sets/{tenant_id}", None),
    "quota-defaults": ("GET", "/os-quota-sets/{tenant_id}/defaults", None),
    "quota-class-show": ("GET", "/os-quota-class-sets/{class_name}", None),
    "quota-class-update": ("PUT", "/os-quota-class-sets/{class_name}", None),
    "server-group-list": ("GET", "/os-server-groups", None),
    "server-group-create": ("POST", "/os-server-groups", None),
    "server-group-get": ("GET", "/os-server-groups/{id}", None),
    "server-group-delete": ("DELETE", "/os-server-groups/{id}", None),
    "usage-list": ("GET", "/os-simple-tenant-usage", None),
    "usage": ("GET", "/os-simple-tenant-usage/{tenant_id}", None),
    "instance-usage-audit-log": ("GET", "/os-instance_usage_audit_log", None),
    "limits": ("GET", "/limits", None),
    "list-extensions": ("GET", "/extensions", None),
    "volume-list": ("GET", "/os-volumes/detail", None),
    "volume-show": ("GET", "/os-volumes/{volume_id}", None),
    "volume-create": ("POST", "/os-volumes", None),
    "volume-delete": ("DELETE", "/os-volumes/{volume_id}", None),
    "volume-snapshot-list": ("GET", "/os-snapshots/detail", None),
    "volume-snapshot-show": ("GET", "/os-snapshots/{snapshot_id}", None),
    "volume-snapshot-create": ("POST", "/os-snapshots", None),
    "volume-snapshot-delete": ("DELETE", "/os-snapshots/{snapshot_id}", None),
    "image-list": ("GET", "/images/detail", None),
    "image-show": ("GET", "/images/{image_id}", None),
    "image-delete": ("DELETE", "/images/{image_id}", None),
    "secgroup-list": ("GET", "/os-security-groups", None),
    "secgroup-create": ("POST", "/os-security-groups", None),
    "secgroup-update": ("PUT", "/os-security-groups/{id}", None),
    "secgroup-delete": ("DELETE", "/os-security-groups/{id}", None),
    "secgroup-add-rule": ("POST", "/os-security-group-rules", None),
    "secgroup-delete-rule": ("DELETE", "/os-security-group-rules/{id}", None),
    "secgroup-list-default-rules": ("GET", "/os-security-group-default-rules", None),
    "secgroup-add-default-rule": ("POST", "/os-security-group-default-rules", None),
    "secgroup-delete-default-rule": ("DELETE", "/os-security-group-default-rules/{id}",
                                     None),
    "floating-ip-list": ("GET", "/os-floating-ips", None),
    "floating-ip-create": ("POST", "/os-floating-ips", None),
    "floating-ip-delete": ("DELETE", "/os-floating-ips/{id}", None),
    "floating-ip-pool-list": ("GET", "/os-floating-ip-pools", None),
    "floating-ip-bulk-list": ("GET", "/os-floating-ips-bulk", None),
    "floating-ip-bulk-create": ("POST", "/os-floating-ips-bulk", None),
    "floating-ip-bulk-delete": ("PUT", "/os-floating-ips-bulk/{id}", None),
    "dns-domains": ("GET", "/os-floating-ip-dns", None),
    "dns-create-private-domain": ("PUT", "/os-floating-ip-dns/{domain}", None),
    "dns-create-public-domain": ("PUT", "/os-floating-ip-dns/{domain}", None),
    "dns-delete-domain": ("DELETE", "/os-floating-ip-dns/{domain}", None),
    "dns-create": ("PUT", "/os-floating-ip-dns/{domain}/entries/{name}", None),
    "dns-delete": ("DELETE", "/os-floating-ip-dns/{domain}/entries/{name}", None),
    "fixed-ip-get": ("GET", "/os-fixed-ips/{fixed_ip}", None),
    "fixed-ip-reserve": ("POST", "/os-fixed-ips/{fixed_ip}/action", "reserve"),
    "fixed-ip-unreserve": ("POST", "/os-fixed-ips/{fixed_ip}/action", "unreserve"),
    "network-list": ("GET", "/os-networks", None),
    "network-show": ("GET", "/os-networks/{network_id}", None),
    "network-create": ("POST", "/os-networks", None),
    "network-delete": ("DELETE", "/os-networks/{network_id}", None),
    "network-associate-host": ("POST", "/os-networks/{network_id}/action", "associate_host"),
    "network-associate-project": ("POST", "/os-networks/add", None),
    "network-disassociate": ("POST", "/os-networks/{network_id}/action", "disassociate"),
    "tenant-network-list": ("GET", "/os-tenant-networks", None),
    "tenant-network-show": ("GET", "/os-tenant-networks/{network_id}", None),
    "tenant-network-create": ("POST", "/os-tenant-networks", None),
    "tenant-network-delete": ("DELETE", "/os-tenant-networks/{network_id}", None),
    "agent-list": ("GET", "/os-agents", None),
    "agent-create": ("POST", "/os-agents", None),
    "agent-modify": ("PUT", "/os-agents/{id}", None),
    "agent-delete": ("DELETE", "/os-agents/{id}", None),
    "cell-show": ("GET", "/os-cells/{cell_name}", None),
    "cell-capacities": ("GET", "/os-cells/capacities", None),
    "x509-create-cert": ("POST", "/os-certificates", None),
    "x509-get-root-cert": ("GET", "/os-certificates/{id}", None),
    "cloudpipe-list": ("GET", "/os-cloudpipe", None),
    "cloudpipe-create": ("POST", "/os-cloudpipe", None),
    "cloudpipe-configure": ("PUT", "/os-cloudpipe/{id}", None),
    "baremetal-node-list": ("GET", "/os-baremetal-nodes", None),
    "baremetal-node-show": ("GET", "/os-baremetal-nodes/{id}", None),
    "baremetal-node-create": ("POST", "/os-baremetal-nodes", None),
    "baremetal-node-delete": ("DELETE", "/os-baremetal-nodes/{id}", None),
    "baremetal-interface-add": ("POST", "/os-baremetal-nodes/{id}/action", "add_interface"),
    "baremetal-interface-remove": ("POST", "/os-baremetal-nodes/{id}/action",
                                   "remove_interface"),
}

# Where a client command goes when the route above is missing or gone in a release
# (novaclient sends the VNC console request to remote-consoles from microversion 2.6 on).
CLIENT_FALLBACKS: dict[str, tuple[str, str, str | None]] = {
    "get-vnc-console": ("POST", "/servers/{server_id}/remote-consoles", None),
}

# Names of the hand-drawn seed diagrams that differ from the client's.
SEED_ALIASES: dict[str, tuple[str, ...]] = {
    "boot": ("create",),
    "image-create": ("snapshot",),
}



@dataclass(frozen=True)
class _Api:
    """What names a project's operations: its client's commands, and how it dispatches
    actions (Nova's compute API below; other projects' from their profile's Rest)."""

    clients: Mapping[str, tuple[str, str, str | None]]
    fallbacks: Mapping[str, tuple[str, str, str | None]]
    seed_aliases: Mapping[str, tuple[str, ...]]
    main: str | None  # the resource whose actions are named after the action alone
    routes_methods: tuple[str, ...]  # Profile.Rest.standard_actions
    action_prefix: str  # left out of derived names
    api_dir: str  # a file there that cannot be parsed loses routes
    everywhere: bool = False  # Profile.Rest.actions_everywhere


NOVA_API = _Api(CLIENT_COMMANDS, CLIENT_FALLBACKS, SEED_ALIASES, SERVERS, ROUTES_METHODS, "",
                "nova/api/")


def _api_of(rest: Rest) -> _Api:
    return _Api(rest.client_commands, rest.client_fallbacks, {}, None, rest.standard_actions,
                rest.action_prefix, rest.api_dir, rest.actions_everywhere)


# Controller method -> verb of a derived name.
_VERBS = {"index": "list", "detail": "list-detail"}
_PLACEHOLDER = re.compile(r"\{[^}]*\}")


@dataclass(frozen=True)
class Operation:
    """One REST operation: its names, the request that starts it, and its handler."""

    name: str  # canonical: the nova client command, else a derived name
    aliases: tuple[str, ...]  # REST action, seed-style name, other client names
    method: str  # HTTP method
    path: str  # e.g. /servers/{id}/action, with the route's own placeholders
    action: str | None  # the @wsgi.action name, else None
    handler: str  # dotted path of the controller method
    file: str  # the handler's file, relative to the tree root
    line: int
    # the resource the operation acts on: the route's first path segment (`servers`,
    # `os-aggregates`, `flavors`); `periodic` for a periodic task
    group: str = ""
    # the microversion range the handler declares (`@wsgi.api_version("2.1", "2.102")`),
    # None where it declares no bound
    min_version: str | None = None
    max_version: str | None = None

    def to_json(self) -> dict:
        data = asdict(self)
        data["aliases"] = list(self.aliases)
        return data


@dataclass(frozen=True)
class Missing:
    """A known operation this tree does not have, and why (named for find_operation)."""

    name: str
    aliases: tuple[str, ...]
    reason: str
    group: str = ""  # the resource its route would act on (Operation.group)


@dataclass(frozen=True)
class Catalogue:
    source: str
    operations: tuple[Operation, ...]  # sorted by name
    warnings: tuple[str, ...] = ()
    missing: tuple[Missing, ...] = ()  # sorted by name


# ----------------------------------------------------------------------------- routes


@dataclass
class _Route:
    method: str
    path: str
    classes: tuple[ClassRef, ...]  # the main controller first, then extension controllers
    target: str  # the controller method; `action` fans out to @wsgi.action methods
    declared: bool = True  # False: a standard route of a resource, served only if defined


def _const(expr: ir.Expr | None):
    return expr.value if isinstance(expr, ir.Const) else None


def _items(expr: ir.Expr | None) -> tuple[ir.Expr, ...]:
    return expr.items if isinstance(expr, ir.Seq) else ()


def _routes_from_route_list(index: Index, warnings: list[str]) -> list[_Route] | None:
    """Routes of a routes.py tree (16.0.0 on), or None when the tree has no ROUTE_LIST."""
    module = index.module(ROUTES_MODULE)
    if module is None or "ROUTE_LIST" not in module.assigns:
        return None
    entries: list[tuple[str, str, str, str]] = []  # path, method, factory, target
    for entry in _items(module.assigns["ROUTE_LIST"]):
        parts = _items(entry)
        path = _const(parts[0]) if parts else None
        if len(parts) != 2 or not isinstance(path, str) or not isinstance(parts[1], ir.DictExpr):
            continue  # a redirect ('', '/') or something we do not read
        for key, value in zip(parts[1].keys, parts[1].values):
            info = _items(value)  # [controller_factory, 'method']
            method = _const(key)
            target = _const(info[1]) if len(info) == 2 else None
            if not (isinstance(method, str) and isinstance(target, str)
                    and isinstance(info[0], ir.Name)):
                warnings.append(f"{module.path}: cannot read the route {path}")
                continue
            entries.append((path, method, info[0].id, target))
    factories = {factory for _, _, factory, _ in entries}
    _prefetch_controllers(index, module, factories)
    classes = {name: _factory_classes(index, module, name, warnings)
               for name in sorted(factories)}
    return [_Route(method, path, classes[factory], target)
            for path, method, factory, target in entries if classes[factory]]


def _factory_class_exprs(module: ir.Module, name: str) -> list[ir.Expr]:
    """`functools.partial(_create_controller, Main, [Ext, ...], ...)` -> Main, Ext, ..."""
    call = module.assigns.get(name)
    if not isinstance(call, ir.Call) or not expr_text(call.func).endswith("partial"):
        return []
    exprs: list[ir.Expr] = []
    for arg in call.args[1:]:
        exprs.extend(arg.items if isinstance(arg, ir.Seq) else (arg,))
    return exprs


def _prefetch_controllers(index: Index, module: ir.Module, factories: set[str]) -> None:
    """Parse the controller modules the routes name in one (parallel) batch."""
    rels = {index.path_of(WSGI_MODULE)}
    for name in factories:
        for expr in _factory_class_exprs(module, name):
            head = expr
            while isinstance(head, ir.Attr):
                head = head.value
            if isinstance(head, ir.Name) and head.id in module.imports:
                rels.add(index.path_of(module.imports[head.id].target))
    index.prefetch(sorted(r for r in rels if r))


def _factory_classes(index: Index, module: ir.Module, name: str,
                     warnings: list[str]) -> tuple[ClassRef, ...]:
    exprs = _factory_class_exprs(module, name)
    if not exprs:
        warnings.append(f"{module.path}: cannot read the controller factory {name}")
        return ()
    found = []
    for expr in exprs:
        ref = index.resolve_expr(module, expr)
        if isinstance(ref, ClassRef):
            found.append(ref)
        else:
            warnings.append(f"{module.path}: {name}: cannot find the controller "
                            f"{expr_text(expr)}")
    return tuple(found)


# --------------------------------------------------------------- v2.1 extensions (<= 15)


def _calls_with_env(fn: ir.Function) -> Iterator[tuple[ir.Call, dict[str, ir.Expr]]]:
    """Every call in `fn`, with the local names bound before it (in statement order)."""
    env: dict[str, ir.Expr] = {}
    for stmt in walk(fn.body):
        value = getattr(stmt, "value", None) if isinstance(
            stmt, (ir.Assign, ir.ExprStmt, ir.Return)) else None
        for call in ir.expr_calls(value):
            yield call, env
        if isinstance(stmt, ir.Assign) and not stmt.augmented:
            for target in stmt.targets:
                if isinstance(target, ir.Name):
                    env = {**env, target.id: stmt.value}


def _bind(call: ir.Call, params: tuple[str, ...]) -> dict[str, ir.Expr]:
    bound = {name: arg for name, arg in zip(params, call.args)}
    bound.update({k: v for k, v in call.kwargs if k})
    return bound


def _deref(expr: ir.Expr | None, env: dict[str, ir.Expr], module: ir.Module,
           depth: int = 0) -> ir.Expr | None:
    """Follow local and module-level names to the expression they stand for."""
    while isinstance(expr, (ir.Name, ir.Attr)) and depth < 8:
        depth += 1
        if isinstance(expr, ir.Attr):
            # `Volume_manage.alias`: an attribute of a class of the module
            owner = module.classes.get(expr.value.id) \
                if isinstance(expr.value, ir.Name) else None
            if owner is None or expr.attr not in owner.attrs:
                break
            expr = owner.attrs[expr.attr]
        elif expr.id in env:
            expr = env[expr.id]
        elif expr.id in module.assigns:
            expr = module.assigns[expr.id]
        else:
            break
    return expr


def _dict(expr: ir.Expr | None, env: dict[str, ir.Expr], module: ir.Module) -> dict[str, str]:
    expr = _deref(expr, env, module)
    pairs: list[tuple[object, ir.Expr]] = []
    if isinstance(expr, ir.DictExpr):
        pairs = [(_const(_deref(k, env, module)), v) for k, v in zip(expr.keys, expr.values)]
    elif isinstance(expr, ir.Call) and expr_text(expr.func) == "dict":  # dict(member_name=..)
        pairs = [(k, v) for k, v in expr.kwargs if k]
    out: dict[str, str] = {}
    for key, value in pairs:
        value_v = _const(_deref(value, env, module))
        if isinstance(key, str) and isinstance(value_v, str):
            out[key] = value_v
    return out


def _controller(index: Index, expr: ir.Expr | None, env: dict[str, ir.Expr],
                module: ir.Module) -> ClassRef | None:
    """`Controller()` (directly or through a local name) -> the class."""
    expr = _deref(expr, env, module)
    if isinstance(expr, ir.Call):
        ref = index.resolve_expr(module, expr.func)
        return ref if isinstance(ref, ClassRef) else None
    return None


_RESOURCE_PARAMS = ("collection", "controller", "parent", "collection_actions",
                    "member_actions", "custom_routes_fn", "inherits", "member_name")
_CONTROLLER_EXT_PARAMS = ("extension", "collection", "controller")


@dataclass
class _Resource:
    collection: str
    controller: ClassRef
    parent: dict[str, str]
    collection_actions: dict[str, str]
    member_actions: dict[str, str]
    custom_routes: list[tuple[str, str, str]]  # method, path, controller method


def _extensions(index: Index, warnings: list[str], api_dir: str = API_DIR,
                base: str = EXTENSION_BASE, wsgi_module: str = WSGI_MODULE
                ) -> tuple[list[_Resource], dict[str, list[ClassRef]]]:
    """The resources the extension descriptors in `api_dir` (classes deriving from `base`)
    add, and the controllers they add to resources, by collection."""
    rels = [rel for rel in index.files_containing(base.encode())
            if rel.startswith(api_dir) and "/" not in rel[len(api_dir):]]
    index.prefetch(rels + [p for p in [index.path_of(wsgi_module)] if p])
    resources: list[_Resource] = []
    extensions: dict[str, list[ClassRef]] = {}
    for rel in rels:
        module = index.module_at(rel)
        if module is None:
            continue
        for cls in module.classes.values():
            if not any(expr_text(b).endswith(base) for b in cls.bases):
                continue
            ext = ClassRef(module, cls)
            resources.extend(_resources_of(index, ext, warnings))
            for collection, ref in _controller_extensions_of(index, ext):
                extensions.setdefault(collection, []).append(ref)
    return resources, extensions


def _extension_routes(index: Index, warnings: list[str]) -> list[_Route]:
    """Routes of a tree that builds its API from v2.1 extensions (12.0.0 .. 15.x)."""
    resources, extensions = _extensions(index, warnings)
    return [route for res in resources for route in _routes_of(res, extensions)]


def _routes_of(res: _Resource, extensions: dict[str, list[ClassRef]]) -> list[_Route]:
    """The routes of one resource (below its parent's member, if it has one), served by
    its controller and, for a top-level resource, the controllers extending it."""
    parent = res.parent
    prefix = (f"/{parent['collection_name']}/{{{parent['member_name']}_id}}"
              if parent.get("collection_name") and parent.get("member_name") else "")
    base = f"{prefix}/{res.collection}"
    classes = (res.controller,) + (tuple(extensions.get(res.collection, ()))
                                   if not prefix else ())
    return [_Route(method, path, classes, target, declared)
            for method, path, target, declared in _resource_routes(base, res)]


def _resource_routes(base: str, res: _Resource) -> list[tuple[str, str, str, bool]]:
    """The routes `routes.Mapper.resource` connects (index/create/show/update/delete and
    the collection and member actions), then the resource's custom routes."""
    member = f"{base}/{{id}}"
    out = [("GET", base, "index", False), ("GET", member, "show", False)]
    collection: dict[str, list[str]] = {"POST": ["create"]}
    for action, method in res.collection_actions.items():
        collection.setdefault(method.upper(), []).append(action)
    for method, actions in collection.items():
        primary = actions[0] if method != "GET" else None
        for action in actions[1:] if primary else actions:
            out.append((method, f"{base}/{action}", action, True))
        if primary:
            out.append((method, base, primary, primary != "create"))
    members: dict[str, list[str]] = {"PUT": ["update"], "DELETE": ["delete"]}
    for action, method in res.member_actions.items():
        members.setdefault(method.upper(), []).append(action)
    for method, actions in members.items():
        primary = actions[0] if method not in ("POST", "GET", "ANY") else None
        for action in actions[1:] if primary else actions:
            # `member_actions={'action': 'POST'}` routes to the controller's actions,
            # if it has any (Liberty's server groups declares it and has none)
            out.append((method, f"{member}/{action}", action, action != "action"))
        if primary:
            out.append((method, member, primary, primary not in ("update", "delete")))
    out.extend((method, path, target, True) for method, path, target in res.custom_routes)
    return out


def _resources_of(index: Index, ext: ClassRef, warnings: list[str]) -> list[_Resource]:
    fn = ext.cls.methods.get("get_resources")
    if fn is None:
        return []
    module = ext.module
    found = []
    for call, env in _calls_with_env(fn):
        if expr_text(call.func).rpartition(".")[2] != "ResourceExtension":
            continue
        args = _bind(call, _RESOURCE_PARAMS)
        collection = _const(_deref(args.get("collection"), env, module))
        if not isinstance(collection, str):
            warnings.append(f"{module.path}:{call.line}: cannot read the resource's name")
            continue
        controller = _controller(index, args.get("controller"), env, module)
        if controller is None:
            if "inherits" not in args:  # os-volumes_boot reuses the servers controller
                warnings.append(f"{module.path}:{call.line}: cannot find the controller of "
                                f"resource {collection}")
            continue
        custom = _custom_routes(ext, _deref(args.get("custom_routes_fn"), env, module))
        found.append(_Resource(collection, controller,
                               _dict(args.get("parent"), env, module),
                               _dict(args.get("collection_actions"), env, module),
                               _dict(args.get("member_actions"), env, module), custom))
    return found


def _custom_routes(ext: ClassRef, fn_expr: ir.Expr | None) -> list[tuple[str, str, str]]:
    """`custom_routes_fn=self.server_metadata_map`: its `mapper.connect(...)` calls."""
    if not (isinstance(fn_expr, ir.Attr) and isinstance(fn_expr.value, ir.Name)
            and fn_expr.value.id == "self"):
        return []
    fn = ext.cls.methods.get(fn_expr.attr)
    if fn is None:
        return []
    out = []
    for call, env in _calls_with_env(fn):
        if expr_text(call.func).rpartition(".")[2] != "connect" or len(call.args) < 2:
            continue
        path = _const(_deref(call.args[1], env, ext.module))
        kwargs = {k: v for k, v in call.kwargs if k}
        target = _const(kwargs.get("action"))
        if not isinstance(path, str) or not isinstance(target, str):
            continue
        path = path.removeprefix("/{project_id}")  # the same route with the project in it
        methods = _condition_methods(_deref(kwargs.get("conditions"), env, ext.module))
        out.extend((m.upper(), path, target) for m in methods)
    return out


def _condition_methods(conditions: ir.Expr | None) -> list[str]:
    """`conditions={"method": ["POST"]}` of `mapper.connect` -> ["POST"]; GET without."""
    methods: list[str] = []
    if isinstance(conditions, ir.DictExpr):
        for key, value in zip(conditions.keys, conditions.values):
            if _const(key) == "method":
                methods = [m for m in (_const(i) for i in _items(value) or (value,))
                           if isinstance(m, str)]
    return methods or ["GET"]


def _controller_extensions_of(index: Index, ext: ClassRef) -> list[tuple[str, ClassRef]]:
    fn = ext.cls.methods.get("get_controller_extensions")
    if fn is None:
        return []
    out = []
    for call, env in _calls_with_env(fn):
        if expr_text(call.func).rpartition(".")[2] != "ControllerExtension":
            continue
        args = _bind(call, _CONTROLLER_EXT_PARAMS)
        collection = _const(_deref(args.get("collection"), env, ext.module))
        controller = _controller(index, args.get("controller"), env, ext.module)
        if isinstance(collection, str) and controller is not None:
            out.append((collection, controller))
    return out


# ------------------------------------------------------- routes.Mapper routers (Cinder)

_MAPPER_RESOURCE_PARAMS = ("member_name", "collection_name")
_CREATE_ROUTE_PARAMS = ("path", "method", "controller", "action")
# `'%s/x' % prefix`; Manila's `("%s/share_instances/{id}" "/export_locations" % prefix)`:
# literals the parser joins, as the source spells them
_PERCENT_PATH = re.compile(r"""^\(?((?:\s*(['"])[^'"]*\2)+)\s*%""")
_LITERAL = re.compile(r"""(['"])([^'"]*)\1""")


def _mapper_routes(index: Index, rest: Rest, warnings: list[str]) -> list[_Route]:
    """Routes of a `routes.Mapper` router (Cinder's `cinder/api/v3/router.py`): the core
    resources its router class connects, in order (`mapper.resource(member, collection,
    controller=..., collection={...}, member={...}, parent_resource=dict(...))`,
    `mapper.connect(name, path, controller=..., action=..., conditions=...)`,
    `mapper.create_route(path, method, controller, action)`), then the extensions'
    resources (`ResourceExtension`). Extension controllers (`ControllerExtension`) join
    the resource of their collection, where actions are dispatched. A path is the form
    without the project id (the router serves both)."""
    resources, extensions = _extensions(index, warnings, rest.extension_dir,
                                        rest.extension_base, rest.wsgi_module)
    module = index.module(rest.router_module)
    routes: list[_Route] = []
    if module is not None:
        for cls in module.classes.values():
            for fn in cls.methods.values():
                routes.extend(_router_routes(index, module, fn, extensions, warnings))
    for res in resources:
        routes.extend(_routes_of(res, extensions))
    return routes


def _router_routes(index: Index, module: ir.Module, fn: ir.Function,
                   extensions: dict[str, list[ClassRef]], warnings: list[str]) -> list[_Route]:
    """The routes one method of a router class connects (see _mapper_routes)."""
    routes: list[_Route] = []
    env: dict[str, ir.Expr] = {}  # local names and `self.resources['x']`, as assigned
    for stmt in walk(fn.body):
        if isinstance(stmt, ir.Assign) and not stmt.augmented:
            for target in stmt.targets:
                env = {**env, _key_text(target): stmt.value}
            continue
        if not isinstance(stmt, ir.ExprStmt) or not isinstance(stmt.value, ir.Call):
            continue
        call = stmt.value
        verb = expr_text(call.func)
        if not verb.startswith("mapper."):
            continue
        kwargs = {k: v for k, v in call.kwargs if k}
        if verb == "mapper.resource":
            args = _bind(call, _MAPPER_RESOURCE_PARAMS)
            collection = _const(args.get("collection_name"))
            if not isinstance(collection, str):
                continue
            controller = _router_controller(index, module, kwargs.get("controller"), env)
            if controller is None:
                warnings.append(f"{module.path}:{call.line}: cannot find the controller of "
                                f"resource {collection}")
                continue
            routes.extend(_routes_of(_Resource(
                collection, controller, _dict(kwargs.get("parent_resource"), env, module),
                _dict(kwargs.get("collection"), env, module),
                _dict(kwargs.get("member"), env, module), []), extensions))
            continue
        if verb == "mapper.connect":
            path_expr = call.args[1] if len(call.args) > 1 else \
                (call.args[0] if call.args else None)
            target = _const(kwargs.get("action"))
            controller_expr = kwargs.get("controller")
            methods = _condition_methods(_deref(kwargs.get("conditions"), env, module))
        elif verb == "mapper.create_route":
            args = _bind(call, _CREATE_ROUTE_PARAMS)
            path_expr, target = args.get("path"), _const(args.get("action"))
            controller_expr = args.get("controller")
            methods = [m for m in [_const(args.get("method"))] if isinstance(m, str)]
        else:
            continue  # mapper.redirect and the like
        path = _route_path(path_expr)
        if path is None or not isinstance(target, str) or not methods:
            continue
        controller = _router_controller(index, module, controller_expr, env)
        if controller is None:
            warnings.append(f"{module.path}:{call.line}: cannot find the controller of "
                            f"the route {path}")
            continue
        classes = (controller,) + tuple(extensions.get(_path_group(path), ()))
        routes.extend(_Route(m.upper(), path, classes, target) for m in methods)
    return routes


def _key_text(expr: ir.Expr) -> str:
    """A name or `self.resources['x']` as one text, however the code quotes the key."""
    shape = expr.shape if isinstance(expr, ir.Other) else None
    if isinstance(shape, ir.Subscript) and isinstance(shape.index, ir.Const):
        return f"{expr_text(shape.value)}[{shape.index.value!r}]"
    return expr_text(expr)


def _route_path(expr: ir.Expr | None) -> str | None:
    """A route's path without the project id: `'/clusters'`, or
    `'%s/groups/{id}/action' % path_prefix` (connected once per prefix, the project's and
    none) as `/groups/{id}/action`."""
    value = _const(expr)
    if isinstance(value, str):
        path = value
    elif isinstance(expr, ir.Other) and (match := _PERCENT_PATH.match(expr.text)):
        path = "".join(m.group(2) for m in _LITERAL.finditer(match.group(1)))
        path = path.replace("%s", "", 1)
    else:
        return None
    path = path.removeprefix("/{project_id}")
    return path if path.startswith("/") else "/" + path


def _router_controller(index: Index, module: ir.Module, expr: ir.Expr | None,
                       env: dict[str, ir.Expr]) -> ClassRef | None:
    """A route's controller: `self.resources['volumes']` (as assigned before), which holds
    `volumes.create_resource(ext_mgr)`, a function that returns
    `wsgi.Resource(VolumeController(ext_mgr))`."""
    for _ in range(8):
        if expr is None or _key_text(expr) not in env:
            break
        expr = env[_key_text(expr)]
    if not isinstance(expr, ir.Call):
        return None
    ref = index.resolve_expr(module, expr.func)
    if isinstance(ref, FunctionRef):  # a factory: what it returns
        for stmt in walk(ref.function.body):
            if isinstance(stmt, ir.Return) and isinstance(stmt.value, ir.Call):
                found = _wrapped_controller(index, ref.module, stmt.value)
                if found is not None:
                    return found
        return None
    if isinstance(ref, ClassRef):
        return _wrapped_controller(index, module, expr)
    return None


def _wrapped_controller(index: Index, module: ir.Module, call: ir.Call) -> ClassRef | None:
    """`wsgi.Resource(Controller(...))` -> Controller; `Controller(...)` -> Controller."""
    ref = index.resolve_expr(module, call.func)
    if not isinstance(ref, ClassRef):
        return None
    if ref.cls.name == "Resource" and call.args and isinstance(call.args[0], ir.Call):
        inner = index.resolve_expr(module, call.args[0].func)
        return inner if isinstance(inner, ClassRef) else None
    return ref


# ------------------------------------------------------------------------- handlers


@dataclass
class _Found:
    method: str
    path: str
    action: str | None
    controller: ClassRef
    fn: FunctionRef
    gone: str | None  # why the handler only answers 410 Gone, else None
    group: str  # the resource (_group)

    @property
    def handler(self) -> str:
        return f"{self.controller.dotted}.{self.fn.function.name}"

    @property
    def where(self) -> str:
        return f"{self.fn.module.path}:{self.fn.function.line}"


def _fits(method: str, fn: ir.Function) -> bool:
    """Whether a handler can answer a request of `method`: a GET or DELETE brings no
    body, so a handler that needs one cannot."""
    return method not in ("GET", "DELETE") or not any(
        p.name == "body" and p.default is None and p.kind == "normal" for p in fn.params)


def _action_name(fn: ir.Function) -> str | None:
    for deco in fn.decorators:
        if isinstance(deco, ir.Call) and expr_text(deco.func).rpartition(".")[2] == "action":
            name = _const(deco.args[0]) if deco.args else _const(dict(
                (k, v) for k, v in deco.kwargs if k).get("name"))
            if isinstance(name, str):
                return name
    return None


def _gone(fn: ir.Function) -> str | None:
    """Why a handler always answers 410 Gone, or None when it does real work."""
    for deco in fn.decorators:
        if isinstance(deco, ir.Call) and expr_text(deco.func).rpartition(".")[2] == "removed":
            version = _const(deco.args[0]) if deco.args else None
            return (f"answers 410 Gone (removed in {version})"
                    if isinstance(version, str) else "answers 410 Gone (@wsgi.removed)")
    # An unconditional `raise exc.HTTPGone()` (or another HTTP error) that no earlier
    # `return` can skip: the handler never succeeds. A raise inside a branch is a check.
    for stmt in fn.body:
        if isinstance(stmt, ir.Raise):
            error = expr_text(stmt.exc).rpartition("(")[0].rpartition(".")[2]
            if error.startswith("HTTP"):
                return f"always raises {error}" + (" (410)" if error == "HTTPGone" else "")
        if any(isinstance(s, ir.Return) for s in walk((stmt,))):
            break
    return None


def _actions(index: Index, classes: tuple[ClassRef, ...]) -> Iterator[tuple[str, ClassRef,
                                                                           FunctionRef]]:
    """Every @wsgi.action method of the controllers, each action name once."""
    seen: set[str] = set()
    for cls in classes:
        methods: dict[str, FunctionRef] = {}
        for klass in index.mro(cls):
            for name, fn in klass.cls.methods.items():
                methods.setdefault(name, FunctionRef(klass.module, fn, klass.cls))
        for fn_ref in sorted(methods.values(), key=lambda f: f.function.line):
            action = _action_name(fn_ref.function)
            if action is not None and action not in seen:
                seen.add(action)
                yield action, cls, fn_ref


def _versions(index: Index, fn: FunctionRef) -> tuple[str | None, str | None]:
    """The microversion range a handler declares: `@wsgi.api_version("2.1", "2.102")`
    (`wsgi.Controller.api_version` before 2024), its bounds literal or module constants
    (`api_version_request.MAX_PROXY_API_SUPPORT_VERSION`). A handler defined once per
    range (Liberty's keypairs `create` for 2.1, 2.2 and 2.10 on) spans them all; a bound
    is None where some definition declares none."""
    variants = (fn.owner.overloads.get(fn.function.name, ()) if fn.owner else ()) + \
        (fn.function,)
    ranges = [_declared(index, fn.module, variant) for variant in variants]
    if all(r is None for r in ranges):
        return None, None
    lows = [r[0] if r else None for r in ranges]
    highs = [r[1] if r else None for r in ranges]
    return (None if None in lows else min(lows, key=_version_key),
            None if None in highs else max(highs, key=_version_key))


def _version_key(version: str) -> tuple[int, ...]:
    return tuple(int(part) if part.isdigit() else 0 for part in version.split("."))


def _declared(index: Index, module: ir.Module,
              fn: ir.Function) -> tuple[str | None, str | None] | None:
    """The bounds of one definition's `api_version` decorator, None without one."""
    for deco in fn.decorators:
        if not (isinstance(deco, ir.Call)
                and expr_text(deco.func).rpartition(".")[2] == "api_version"):
            continue
        bounds = dict(zip(("min_version", "max_version"), deco.args))
        bounds.update((k, v) for k, v in deco.kwargs if k in ("min_version", "max_version"))
        return (_version(index, module, bounds.get("min_version")),
                _version(index, module, bounds.get("max_version")))
    return None


def _version(index: Index, module: ir.Module, expr: ir.Expr | None) -> str | None:
    if isinstance(expr, (ir.Name, ir.Attr)):
        ref = index.resolve_expr(module, expr)
        expr = ref.value if isinstance(ref, ValueRef) else None
    value = _const(expr)
    return value if isinstance(value, str) else None


def _group(path: str, controller: ClassRef) -> str:
    """The resource a route acts on: its first path segment (`/os-aggregates/{id}/action`:
    os-aggregates); the root `/` is named after its controller (VersionsController:
    versions)."""
    return _path_group(path) or \
        (_kebab(controller.cls.name.removesuffix("Controller")) or "root").lower()


def _path_group(path: str) -> str:
    first = path.strip("/").split("/")[0]
    return first if not first.startswith("{") else ""


def _handlers(index: Index, routes: list[_Route], warnings: list[str],
              standard: tuple[str, ...] = ROUTES_METHODS,
              everywhere: bool = False) -> list[_Found]:
    """The handler of each route. `standard`: methods an action of that name serves when
    the main controller lacks them; `everywhere` (Cinder's wsgi.Resource): such an action
    also answers on the action route, unless it took the standard route, which it takes
    only where its parameters fit (a DELETE brings no body)."""
    found: list[_Found] = []
    took_standard: set[str] = set()
    seen: set[tuple[str, str, str | None]] = set()
    served: set[tuple[str, str, str, str | None]] = set()
    for route in routes:
        if route.target == "action":
            # an action named after a standard method (Liberty's flavor-manage
            # `@wsgi.action('create')`) serves that method's route, below
            pairs = [(action, cls, fn) for action, cls, fn in _actions(index, route.classes)
                     if action not in standard or (everywhere and fn.dotted not in
                                                   took_standard)]
            if not pairs and route.declared:
                warnings.append(f"{route.method} {route.path}: no @wsgi.action handlers on "
                                f"{', '.join(c.dotted for c in route.classes)}")
        else:
            main = route.classes[0]
            fn = index.find_method(main, route.target)
            if fn is not None:
                pairs = [(None, main, fn)]
                if everywhere and route.target in standard:
                    # Manila's ShareTypesController.create, `@wsgi.action("create")`:
                    # served on its own route, not again on the action route
                    took_standard.add(fn.dotted)
            else:
                # a standard method the main controller lacks is served by an extension's
                # `@wsgi.action('create')`, as nova.api.openstack.wsgi.Resource does
                pairs = [(None, cls, fn) for action, cls, fn in _actions(index, route.classes)
                         if action == route.target and route.target in standard
                         and (not everywhere or _fits(route.method, fn.function))][:1]
                took_standard.update(fn.dotted for _, _, fn in pairs)
            if not pairs:
                if route.declared:
                    warnings.append(f"{route.method} {route.path}: {main.dotted} has no "
                                    f"method {route.target}")
                continue
        for action, cls, fn in pairs:
            key = (route.method, _shape(route.path), action)
            if key in seen:
                continue  # the first route to a request wins, as in the mapper
            seen.add(key)
            group = _group(route.path, route.classes[0])
            # two routes of one resource to one handler (GET / and GET /versions/{id}, the
            # capacities of all cells or of one) are one operation: the first route's
            handler = (group, route.method, f"{cls.dotted}.{fn.function.name}", action)
            if handler in served:
                continue
            served.add(handler)
            found.append(_Found(route.method, route.path, action, cls, fn, _gone(fn.function),
                                group))
    return found


# -------------------------------------------------------------------------- naming


def _shape(path: str) -> str:
    return _PLACEHOLDER.sub("{}", path)


def _key(name: str) -> str:
    return name.strip().lower().replace("_", "-")


def _derived_name(found: _Found, api: _Api = NOVA_API) -> str:
    """A server action is named after its action (`injectNetworkInfo`); any other
    operation after its resource in the singular, the path's other words and the verb:
    `server-metadata-update-all`, `hypervisor-list-detail` (GET /os-hypervisors/detail:
    a last word that is the handler's own name is said once), `aggregate-add-host` (the
    action add_host on /os-aggregates/{id}/action)."""
    if found.action and found.group == api.main:
        return found.action
    return _qualified_name(found, verbs=True, api=api)


def _qualified_name(found: _Found, verbs: bool = False, api: _Api = NOVA_API) -> str:
    """The resource words and the verb (`_VERBS` when `verbs`, else the handler's own
    name: `flavor-index` for GET /flavors when the client's `flavor-list` is GET
    /flavors/detail)."""
    literal = [s for s in found.path.strip("/").split("/") if s and not s.startswith("{")]
    if found.action and literal[-1:] == ["action"]:
        literal.pop()
    words = [s.removeprefix("os-").replace("_", "-")
             for s in literal or [found.group]]
    words[0] = _client_singular(words[0], api.clients) or _singular(words[0])
    if found.action:
        verb = _kebab(found.action.removeprefix(api.action_prefix) or found.action)
        verb = verb.lower().replace("_", "-")
        return "-".join(words[:1] + [verb])
    name = found.fn.function.name.replace("_", "-")
    if len(words) > 1 and words[-1] == name:
        words.pop()  # GET /os-hypervisors/{id}/uptime is served by `uptime`
    verb = _VERBS.get(found.fn.function.name, name) if verbs else name
    if verbs and found.method == "GET" and found.fn.function.name in _VERBS and \
            found.path.rstrip("/").endswith("}"):
        # a list's handler routed to one member is a show (cinder/api/v3/router.py:
        # GET /default-types/{id} is DefaultTypesController.detail, one project's type)
        verb = "show"
    return "-".join(words + [verb])


def _client_singular(word: str, clients: Mapping[str, tuple[str, str, str | None]]) \
        -> str | None:
    """A resource of several words (`default-types`, `group-types`) in the singular its
    client's commands on that resource say (python-cinderclient's `default-type-list` is
    GET /default-types, `group-type-list` GET /group_types); None when none says it."""
    if "-" not in word or not word.endswith("s") or word.endswith("ss"):
        return None
    one = word[:-1]
    for name, (_, path, _) in clients.items():
        first = next((p for p in path.strip("/").split("/") if p), "")
        if first.removeprefix("os-").replace("_", "-") == word and \
                name.startswith(one + "-"):
            return one
    return None


def _singular(word: str) -> str:
    """A resource named by one plain plural word, in the singular (servers, hypervisors);
    others as they are (server-external-events, availability-zone, volumes-boot)."""
    return word[:-1] if re.fullmatch(r"[a-z]+[^s]s", word) else word


def _client_index(table: dict[str, tuple[str, str, str | None]]) -> dict[tuple, list[str]]:
    out: dict[tuple, list[str]] = {}
    for name, (method, path, action) in table.items():
        out.setdefault((method, _shape(path), action), []).append(name)
    return out


def _aliases(name: str, action: str | None, others: list[str],
             seeds: Mapping[str, tuple[str, ...]] = SEED_ALIASES) -> tuple[str, ...]:
    out: list[str] = []
    for alias in (name.replace("-", "_"), action, *seeds.get(name, ()),
                  *[o for o in others if o != name]):
        if alias and alias != name and alias not in out:
            out.append(alias)
    return tuple(out)


def _kebab(action: str | None) -> str | None:
    """`addFloatingIp` -> `add-floating-ip`, `os-migrateLive` -> `os-migrate-live`: how
    people type an action named in camelCase."""
    return re.sub(r"(?<=[a-z0-9])([A-Z])", lambda m: "-" + m.group(1).lower(), action) \
        if action else None


def _operation(index: Index, name: str, aliases: tuple[str, ...], found: _Found) -> Operation:
    low, high = _versions(index, found.fn)
    return Operation(name=name, aliases=aliases, method=found.method, path=found.path,
                     action=found.action, handler=found.handler, file=found.fn.module.path,
                     line=found.fn.function.line, group=found.group, min_version=low,
                     max_version=high)


def build_catalogue(index: Index, label: str, profile: Profile | None = None) -> Catalogue:
    """Every REST operation of the tree under `index`: routes, actions and handlers.
    `profile` names another project whose REST API its Rest describes; else Nova's."""
    if profile is not None and profile.flask is not None:
        from tracer.flaskroutes import build_flask_catalogue
        return build_flask_catalogue(index, label, profile.flask)
    if profile is not None and profile.pecan is not None:
        from tracer.pecan import build_pecan_catalogue
        return build_pecan_catalogue(index, label, profile.pecan)
    warnings: list[str] = []
    rest = profile.rest if profile is not None else None
    if rest is not None:
        api = _api_of(rest)
        routes = _mapper_routes(index, rest, warnings)
        if not routes:
            warnings.append(f"no REST routes found: neither {rest.router_module} nor "
                            f"extensions in {rest.extension_dir}")
    else:
        api = NOVA_API
        routes = _routes_from_route_list(index, warnings)
        if routes is None:
            routes = _extension_routes(index, warnings)
        if not routes:
            warnings.append("no REST routes found: neither nova/api/openstack/compute/routes.py "
                            "(ROUTE_LIST) nor v2.1 API extensions")
    found = _handlers(index, routes, warnings, api.routes_methods, api.everywhere)
    clients = _client_index(api.clients)
    live = {(f.method, _shape(f.path), f.action): f for f in found if not f.gone}
    gone = {(f.method, _shape(f.path), f.action): f for f in found if f.gone}

    operations: dict[str, Operation] = {}
    missing: dict[str, Missing] = {}

    def add(op: Operation, *others: str) -> None:
        """Add `op` under its name, else the first of `others` that is free, else its
        name numbered (with a warning)."""
        if not is_safe_file_stem(op.name):
            # the name comes from the tree (an action or a route) and names files: a
            # crafted `@wsgi.action('../../x')` must not write outside the build's root
            warnings.append(f"{op.file}:{op.line}: operation name {op.name!r} cannot be a "
                            "file name; operation skipped")
            return
        taken = {_key(n): n for n in operations}
        free = [n for n in others if _key(n) not in taken and is_safe_file_stem(n)]
        if _key(op.name) in taken and free:
            op = replace(op, name=free[0])
        elif _key(op.name) in taken:  # two handlers would answer to one name: keep both
            first = operations[taken[_key(op.name)]]
            n = 2
            while _key(f"{op.name}-{n}") in taken:
                n += 1
            warnings.append(f"two operations named {op.name}: {first.handler} and "
                            f"{op.handler} (the second is {op.name}-{n})")
            op = replace(op, name=f"{op.name}-{n}")
        operations[op.name] = op

    # client commands first: their names are canonical, and a derived name that is the
    # same (an action `reboot` of another resource) is the one qualified; then in order of
    # path, HTTP method and action, so that a collision is settled the same way each time
    for key, f in sorted(live.items(), key=lambda kv: (not clients.get(kv[0]), kv[1].path,
                                                       kv[1].method, kv[1].action or "")):
        names = clients.get(key, [])
        if names:
            for name in names:
                add(_operation(index, name, _aliases(name, f.action, names,
                                                     api.seed_aliases), f))
        else:
            # named after its REST action or route; a camelCase action is also found
            # the way people type it (add-floating-ip); a name a client command took is
            # said with the handler's own name (GET /flavors: flavor-index)
            name, typed = _derived_name(f, api), _kebab(f.action)
            add(_operation(index, name, (typed,) if typed and typed != name else (), f),
                _qualified_name(f, api=api))

    for name, (method, path, action) in api.clients.items() if routes else ():
        if name in operations:
            continue
        key = (method, _shape(path), action)
        fallback = api.fallbacks.get(name)
        if fallback and (fallback[0], _shape(fallback[1]), fallback[2]) in live:
            f = live[(fallback[0], _shape(fallback[1]), fallback[2])]
            add(_operation(index, name, _aliases(name, action, [], api.seed_aliases), f))
            continue
        what = f"action {action}" if action else f"{method} {path}"
        if key in gone:
            g = gone[key]
            what = f"action {action}" if action else f"{g.method} {g.path}"  # as routed
            reason = f"the handler of {what}, {g.handler} ({g.where}), {g.gone}"
        elif action:
            reason = f"no handler for action {action} (POST {path})"
        else:
            reason = f"no route for {method} {path}"
        missing[name] = Missing(name, _aliases(name, action, [], api.seed_aliases), reason,
                                _path_group(path))
    for key, g in gone.items():
        if clients.get(key):
            continue
        name = _derived_name(g, api)
        what = f"action {g.action}" if g.action else f"{g.method} {g.path}"
        missing.setdefault(name, Missing(name, (), f"the handler of {what}, {g.handler} "
                                                   f"({g.where}), {g.gone}", g.group))

    problems = sorted({f"{p.path}:{p.line}: cannot parse ({p.message}); its routes are missing"
                       for p in index.problems if p.path.startswith(api.api_dir)})
    return Catalogue(source=label,
                     operations=tuple(operations[n] for n in sorted(operations)),
                     warnings=tuple(warnings + problems),
                     missing=tuple(missing[n] for n in sorted(missing)))


# --------------------------------------------------------------------------- lookup


def find_operation(catalogue: Catalogue, name: str) -> Operation:
    """The operation called `name` (a canonical name or an alias; case, `_` and `-` do not
    matter). Unknown names and operations this release lacks raise OsflowError."""
    key = _key(name)
    for op in catalogue.operations:
        if _key(op.name) == key:
            return op
    for op in catalogue.operations:
        if any(_key(a) == key for a in op.aliases):
            return op
    if not catalogue.operations:
        raise OsflowError(f"unknown operation {name!r}: no REST operations found in "
                          f"{catalogue.source}")
    for gap in catalogue.missing:
        if _key(gap.name) == key or any(_key(a) == key for a in gap.aliases):
            return _raise_missing(catalogue, name, gap)
    candidates: dict[str, str] = {}
    for op in catalogue.operations:
        for label in (op.name, *op.aliases):
            candidates.setdefault(_key(label), label)
    close = difflib.get_close_matches(key, list(candidates), n=3, cutoff=0.6)
    if close:
        raise OsflowError(f"unknown operation {name!r}; closest: "
                          f"{', '.join(candidates[c] for c in close)}")
    raise OsflowError(f"unknown operation {name!r} in {catalogue.source}; `osflow ops` "
                      "lists the operations")


def only_groups(catalogue: Catalogue, groups: tuple[str, ...]) -> Catalogue:
    """The operations (and the gaps) of these groups alone; a group is named as listed
    (`os-hypervisors`) or without its `os-` (`hypervisors`). A name that is no group of
    the catalogue raises OsflowError with the closest, or all of them."""
    if not groups:
        return catalogue
    known = {_group_key(op.group): op.group for op in catalogue.operations}
    wanted = set()
    for group in groups:
        if _group_key(group) not in known:
            close = difflib.get_close_matches(_group_key(group), list(known), n=3,
                                              cutoff=0.6)
            listed = ", ".join(known[k] for k in close) if close else \
                ", ".join(sorted(known.values()))
            raise OsflowError(f"no group {group!r} in {catalogue.source}; "
                              f"{'closest' if close else 'groups'}: {listed}")
        wanted.add(known[_group_key(group)])
    return replace(catalogue,
                   operations=tuple(op for op in catalogue.operations if op.group in wanted),
                   missing=tuple(gap for gap in catalogue.missing if gap.group in wanted))


def _group_key(group: str) -> str:
    return _key(group).removeprefix("os-")


def _raise_missing(catalogue: Catalogue, name: str, gap: Missing) -> Operation:
    shown = f"'{name}'" if _key(gap.name) == _key(name) else f"'{name}' ({gap.name})"
    raise OsflowError(f"operation {shown} does not exist in {catalogue.source}: "
                      f"{gap.reason}")
