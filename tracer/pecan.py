"""REST operations of a Pecan application (Ironic's `ironic/api/controllers/v1`), read
statically.

Pecan routes a request by walking objects: from the root controller, each path segment
names an attribute (`NodesController.states = NodeStatesController()`) or, through the
project's `_lookup`, an entry of a `_subcontroller_map` dict. A `RestController` then picks
its method by HTTP verb (pecan/rest.py):

| request | method |
|---|---|
| GET /things | `get_all` (else `get`) |
| GET /things/{id} | `get_one` (else `get`) |
| POST /things | `post` |
| PUT, PATCH, DELETE /things/{id} | `put`, `patch`, `delete` |
| VERB /things/name | `name`, where `_custom_actions = {'name': ['VERB']}` |

A controller with items (it has `get_one`, or `get_all` beside item methods) takes the
item's id in the path of `get_one`, `put`, `patch` and `delete`, and its attribute
sub-controllers hang under the item (`/nodes/{node_ident}/states`); a controller without
(`NodeStatesController`) answers at its own path and keeps its children under it. Only
methods that are exposed (`@pecan.expose`, `@expose`, Ironic's `@method.expose`) answer.

One handler can serve several operations that differ by a field of the request body
(Ironic's provision states: `PUT /v1/nodes/{node_ident}/states/provision` with target
`active` deploys, `deleted` undeploys): the profile's Pecan.targets names the handler and
the field, and the client's commands give each its own name; the action says which target
(`target: active`), and the trace binds the field to that value.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from typing import TYPE_CHECKING

from tracer.files import is_safe_file_stem
from tracer.index import ClassRef, FunctionRef, Index, ir
from tracer.index.options import tail

if TYPE_CHECKING:  # tracer.catalogue reads the profiles, which hold a Pecan
    from tracer.catalogue import Catalogue, Operation

__all__ = ["Pecan", "build_pecan_catalogue", "request_bindings"]

# HTTP verb of each standard RestController method; `get` answers both forms of GET
_STANDARD = {"get_all": "GET", "get_one": "GET", "get": "GET", "post": "POST", "put": "PUT",
             "patch": "PATCH", "delete": "DELETE"}
_ITEM = ("get_one", "put", "patch", "delete")
_VERBS = {"get_all": "list", "get": "show", "get_one": "show", "post": "create",
          "put": "set", "patch": "update", "delete": "delete", "detail": "list-detail"}


@dataclass(frozen=True)
class Pecan:
    """How a project's Pecan REST API is rooted, and what its client calls each request."""

    # the controller behind the version prefix, and that prefix (`/v1`)
    root: str
    prefix: str
    # the folder of the REST API: a file there that cannot be parsed loses routes
    api_dir: str
    # the project's own singular of a resource word, where dropping an `s` is wrong
    singular: Mapping[str, str] = field(default_factory=dict, compare=False, hash=False)
    # handler (Class.method) -> the body field whose value picks what it does
    targets: Mapping[str, str] = field(default_factory=dict, compare=False, hash=False)
    # the module whose constants are the values those fields take (a target this release
    # does not define is an operation it lacks)
    targets_module: str = ""
    # client command -> (HTTP method, path, target value or None)
    client_commands: Mapping[str, tuple[str, str, str | None]] = field(
        default_factory=dict, compare=False, hash=False)


@dataclass(frozen=True)
class _Route:
    method: str
    path: str
    handler: FunctionRef


def _exposed(fn: ir.Function) -> bool:
    for deco in fn.decorators:
        expr = deco.func if isinstance(deco, ir.Call) else deco
        if tail(expr) in ("expose", "wsexpose"):
            return True
    return False


def _dict_items(expr: ir.Expr | None) -> list[tuple[str, ir.Expr]]:
    if not isinstance(expr, ir.DictExpr):
        return []
    return [(k.value, v) for k, v in zip(expr.keys, expr.values)
            if isinstance(k, ir.Const) and isinstance(k.value, str)]


def _class_of(index: Index, module: ir.Module, expr: ir.Expr) -> ClassRef | None:
    """`Controller()` or `Controller` (a class the `_lookup` instantiates)."""
    ref = index.resolve_expr(module, expr.func if isinstance(expr, ir.Call) else expr)
    return ref if isinstance(ref, ClassRef) else None


def _methods(index: Index, ref: ClassRef) -> dict[str, FunctionRef]:
    """Exposed methods by name, the class's own over its bases'."""
    out: dict[str, FunctionRef] = {}
    for klass in reversed(index.mro(ref)):
        for name, fn in klass.cls.methods.items():
            if _exposed(fn):
                out[name] = FunctionRef(klass.module, fn, klass.cls)
            else:
                out.pop(name, None)
    return out


def _custom_actions(index: Index, ref: ClassRef) -> list[tuple[str, str]]:
    found = index.class_attr(ref, "_custom_actions")
    if found is None:
        return []
    out = []
    for name, verbs in _dict_items(found[1]):
        for verb in verbs.items if isinstance(verbs, ir.Seq) else ():
            if isinstance(verb, ir.Const) and isinstance(verb.value, str):
                out.append((name, verb.value.upper()))
    return out


def _params(fn: ir.Function) -> list[str]:
    return [p.name for p in fn.params[1:] if p.kind == "normal"]


# validators that say a parameter is a resource's identity (Ironic's `args.uuid_or_name`)
_ID_VALIDATORS = ("uuid_or_name", "uuid", "name")


def _path_ids(fn: ir.Function, routing: int) -> list[str]:
    """The leading required parameters of a `post` (past those routing fills) that the
    handler validates as identities (`@args.validate(node_ident=args.uuid_or_name)`):
    Pecan hands a POST the rest of its path as positional arguments, so they are path
    segments (Ironic's heartbeat: `POST /v1/heartbeat/{node_ident}`), the body's fields
    being the others."""
    validated: dict[str, str] = {}
    for deco in fn.decorators:
        if isinstance(deco, ir.Call) and tail(deco.func) == "validate":
            validated.update((k, tail(v)) for k, v in deco.kwargs if k)
    ids = []
    for param in fn.params[1:][routing:]:
        if param.kind != "normal" or param.default is not None or \
                validated.get(param.name) not in _ID_VALIDATORS:
            break
        ids.append(param.name)
    return ids


def _children(index: Index, ref: ClassRef) -> list[tuple[str, ClassRef, bool]]:
    """(path segment, controller, reached through `_subcontroller_map`) of a controller:
    its attributes holding controllers, and its `_subcontroller_map` entries."""
    out = []
    for klass in reversed(index.mro(ref)):
        for name, value in klass.cls.attrs.items():
            if name.startswith("_") or not isinstance(value, ir.Call):
                continue
            child = _class_of(index, klass.module, value)
            if child is not None and _routes_anything(index, child):
                out.append((name, child, False))
    found = index.class_attr(ref, "_subcontroller_map")
    if found is not None:
        for name, value in _dict_items(found[1]):
            child = _class_of(index, found[0].module, value)
            if child is not None:
                out.append((name, child, True))
    seen: dict[str, tuple[str, ClassRef, bool]] = {}
    for item in out:
        seen[item[0]] = item  # a subclass's attribute over its base's
    return sorted(seen.values(), key=lambda item: item[0])


def _routes_anything(index: Index, ref: ClassRef, depth: int = 3) -> bool:
    """Whether a class answers requests: exposed methods, a `_subcontroller_map`, or
    attributes holding such controllers (Ironic's NodeManagementController)."""
    if _methods(index, ref) or index.class_attr(ref, "_subcontroller_map") is not None:
        return True
    return depth > 0 and any(
        isinstance(value, ir.Call) and (child := _class_of(index, klass.module, value))
        is not None and _routes_anything(index, child, depth - 1)
        for klass in index.mro(ref) for name, value in klass.cls.attrs.items()
        if not name.startswith("_"))


def _placements(index: Index, root: ClassRef) -> list[tuple[ClassRef, str, int]]:
    """(controller, path, routing ids) of every controller under `root`, breadth first: a
    controller reached at several paths (Ironic's ports under /ports, /nodes/{id}/ports
    and /portgroups/{id}/ports) is placed at its shortest, the first found; the nested
    forms are the same handlers, listing what belongs to the parent."""
    placed: dict[str, tuple[ClassRef, str, int]] = {}
    queue = [(root, "", 0)]
    while queue:
        ref, path, routing = queue.pop(0)
        if ref.dotted in placed:
            continue
        placed[ref.dotted] = (ref, path, routing)
        has_items, item = _items_of(index, ref, routing)
        for segment, child, mapped in _children(index, ref):
            under = f"{path}/{item}" if has_items and path else path
            # a mapped controller gets the parent's id from `_lookup` (its constructor);
            # an attribute, as the leading arguments of its methods
            child_routing = 0 if mapped else routing + (1 if has_items else 0)
            queue.append((child, f"{under}/{segment}", child_routing))
    return list(placed.values())


def _items_of(index: Index, ref: ClassRef, routing: int) -> tuple[bool, str]:
    """Whether a controller has items, and the placeholder of an item's id (named after
    the id parameter of its item methods)."""
    methods = _methods(index, ref)
    has_items = "get_one" in methods or ("get_all" in methods and any(
        m in methods for m in _ITEM))
    for name in _ITEM:
        fn = methods.get(name)
        if fn is not None and has_items:
            params = _params(fn.function)
            return True, "{" + (params[routing] if len(params) > routing else "id") + "}"
    return has_items, "{id}"


def _routes(index: Index, root: ClassRef) -> list[_Route]:
    """Every route of the controllers under `root`."""
    out = []
    for ref, path, routing in _placements(index, root):
        methods = _methods(index, ref)
        has_items, item = _items_of(index, ref, routing)
        for name, verb in _STANDARD.items():
            fn = methods.get(name)
            if fn is None or (name == "get" and ("get_all" in methods or
                                                 "get_one" in methods)):
                continue
            if name == "post":
                ids = _path_ids(fn.function, routing)
                out.append(_Route(verb, "/".join([path, *(f"{{{i}}}" for i in ids)]), fn))
                continue
            out.append(_Route(verb, f"{path}/{item}" if name in _ITEM and has_items
                              else path, fn))
        for name, verb in _custom_actions(index, ref):
            fn = methods.get(name)
            if fn is None:
                continue
            # GET takes the action from the last segment, the ones before are its
            # required arguments (GET /v1/drivers/{driver_name}/properties); PUT and DELETE
            # from the first, the rest of the request is the body
            ids = [p.name for p in fn.function.params[1:] if p.kind == "normal"
                   and p.default is None][routing:] if verb == "GET" else []
            out.append(_Route(verb, "/".join([path, *(f"{{{i}}}" for i in ids), name]), fn))
        fn = methods.get("_default")
        if fn is not None:
            # Pecan hands a request that no other method of a RestController takes to
            # `_default` (Ironic's vendor passthru: `POST /v1/nodes/{node_ident}/
            # vendor_passthru?method=...`, any verb; POST is the client's default)
            out.append(_Route("POST", path, fn))
    return [r for r in out if r.path]


def _shape(path: str) -> str:
    from tracer.catalogue import _shape as shape
    return shape(path)


def _resource_words(path: str, prefix: str) -> list[str]:
    return [w for w in path.removeprefix(prefix).split("/") if w and not w.startswith("{")]


def _singular(word: str, singular: Mapping[str, str]) -> str:
    if word in singular:
        return singular[word]
    return word[:-1] if word.endswith("s") and not word.endswith("ss") else word


def _derived(route: _Route, pecan: Pecan) -> str:
    words = _resource_words(route.path, pecan.prefix)
    name = route.handler.function.name.lstrip("_")  # Pecan's `_default`: default
    if name in _STANDARD:
        verb = _VERBS[name]
        if name == "get" and not route.path.endswith("}") and len(words) == 1:
            verb = "list"
    else:
        verb = _VERBS.get(name, "")
        words = words[:-1] if words and words[-1] == name else words
        verb = verb or name
    parts = [_singular(words[0], pecan.singular)] + words[1:] if words else []
    return "-".join([*parts, verb]).replace("_", "-")


def _handler_key(fn: FunctionRef) -> str:
    return f"{fn.owner.name}.{fn.function.name}" if fn.owner else fn.function.name


def _defined_values(index: Index, module_name: str) -> set[str]:
    module = index.module(module_name)
    if module is None:
        return set()
    out = set()
    for value in module.assigns.values():
        consts = [*value.keys, *value.values] if isinstance(value, ir.DictExpr) else [value]
        out |= {c.value for c in consts if isinstance(c, ir.Const) and isinstance(c.value, str)}
    return out


def build_pecan_catalogue(index: Index, label: str, pecan: Pecan) -> Catalogue:
    """Every REST operation of the Pecan API `pecan` describes."""
    from tracer.catalogue import Catalogue, Missing, Operation, _shape

    warnings: list[str] = []
    root = index.resolve_dotted(pecan.root)
    routes: list[_Route] = []
    if isinstance(root, ClassRef):
        routes = [_Route(r.method, pecan.prefix + r.path, r.handler)
                  for r in _routes(index, root)]
    if not routes:
        warnings.append(f"no REST routes found under {pecan.root}")
    by_request = {}
    for route in routes:
        by_request.setdefault((route.method, _shape(route.path)), route)
    values = _defined_values(index, pecan.targets_module)
    operations: dict[str, Operation] = {}
    missing: dict[str, Missing] = {}
    named: set[tuple[str, str]] = set()

    def add(name: str, route: _Route, action: str | None, aliases=()) -> None:
        if not is_safe_file_stem(name):
            warnings.append(f"{route.handler.module.path}:{route.handler.function.line}: "
                            f"operation name {name!r} cannot be a file name; skipped")
            return
        if name in operations:
            n = 2
            while f"{name}-{n}" in operations:
                n += 1
            warnings.append(f"two operations named {name}: {operations[name].handler} and "
                            f"{route.handler.dotted} (the second is {name}-{n})")
            name = f"{name}-{n}"
        words = _resource_words(route.path, pecan.prefix)
        fn = route.handler
        operations[name] = Operation(
            name=name, aliases=tuple(aliases), method=route.method, path=route.path,
            action=action, handler=fn.dotted, file=fn.module.path, line=fn.function.line,
            group=words[0] if words else "")

    for name, (method, path, target) in pecan.client_commands.items():
        route = by_request.get((method, _shape(path)))
        if route is None:
            missing[name] = Missing(name, (), f"no route for {method} {path}",
                                    (_resource_words(path, pecan.prefix) or [""])[0])
            continue
        field_name = pecan.targets.get(_handler_key(route.handler))
        if target is not None and field_name is None:
            warnings.append(f"{name}: {route.handler.dotted} takes no target; "
                            f"{target!r} ignored")
            target = None
        if target is not None and values and target not in values:
            missing[name] = Missing(name, (), f"{pecan.targets_module} defines no "
                                              f"{field_name} {target!r}",
                                    (_resource_words(path, pecan.prefix) or [""])[0])
            continue
        add(name, route, f"{field_name}: {target}" if target is not None else None)
        named.add((method, _shape(path)))
    for route in sorted(routes, key=lambda r: (r.path, r.method)):
        if (route.method, _shape(route.path)) in named:
            continue
        add(_derived(route, pecan), route, None)
        named.add((route.method, _shape(route.path)))

    problems = sorted({f"{p.path}:{p.line}: cannot parse ({p.message}); its routes are missing"
                       for p in index.problems if p.path.startswith(pecan.api_dir)})
    return Catalogue(source=label,
                     operations=tuple(operations[n] for n in sorted(operations)),
                     warnings=tuple(warnings + problems),
                     missing=tuple(missing[n] for n in sorted(missing)))


def request_bindings(operation: Operation, pecan: Pecan | None) -> dict[str, str]:
    """The body field an operation's action sets, and its value (`{"target": "active"}`):
    the handler runs with it bound."""
    if pecan is None or not operation.action or ": " not in operation.action:
        return {}
    field_name, value = operation.action.split(": ", 1)
    owner, _, method = operation.handler.rpartition(".")
    key = f"{owner.rsplit('.', 1)[-1]}.{method}"
    return {field_name: value} if pecan.targets.get(key) == field_name else {}


def response_status(fn: ir.Function) -> str | None:
    """The status an exposed handler answers with: `@expose(status_code=202)` or
    `status_code=http_client.ACCEPTED` (the standard library's name of a status), else
    None (Pecan's 200)."""
    import http

    for deco in fn.decorators:
        if not (isinstance(deco, ir.Call) and tail(deco.func) in ("expose", "wsexpose")):
            continue
        for key, value in deco.kwargs:
            if key != "status_code":
                continue
            if isinstance(value, ir.Const) and isinstance(value.value, int):
                return str(value.value)
            if isinstance(value, ir.Attr) and value.attr in http.HTTPStatus.__members__:
                return str(http.HTTPStatus[value.attr].value)
    return None
