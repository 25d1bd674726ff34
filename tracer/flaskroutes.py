"""A REST API routed the Flask way (Sahara's): blueprints, decorated view functions, and
the application module that mounts the blueprints under URL prefixes.

What is read, by general rules:

- a blueprint class is a class deriving from `flask.Blueprint` (`Rest(flask.Blueprint)`,
  `RestV2(Rest)`); each of its methods that routes with a fixed HTTP method
  (`def post(self, rule, status_code=202): return self._mroute('POST', rule, status_code)`,
  or `self.route(rule, methods=['POST'])`) is a route decorator of that method, and its
  `status_code` default is the response status;
- a blueprint object is a module-level name bound to a call of such a class
  (`rest = u.RestV2('clusters', __name__)`);
- a route is a module-level function decorated with `@rest.post('/clusters')` (or
  `@rest.route('/x', methods=['GET'])`): its path (Flask's `<cluster_id>`, `<int:id>` as
  `{cluster_id}`, `{id}`), HTTP method, status (`status_code=200` given to the decorator,
  else the decorator's default) and handler;
- a blueprint is mounted where the application module calls
  `app.register_blueprint(module.rest, url_prefix='/v1.1')`, or calls a function that does
  with its own `url_prefix` parameter (`api_v2.register_blueprints(app, url_prefix='/v2')`).

Operations are named after the project's client commands (its profile's FlaskRest), else
after the policy the handler enforces (`@acl.enforce("data-processing:cluster:scale")`:
`cluster-scale`), else after the path's resource and the HTTP verb.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from tracer.catalogue import Catalogue, Missing, Operation, _client_index, _key, _shape
from tracer.files import is_safe_file_stem
from tracer.index import ClassRef, FunctionRef, Index, ir
from tracer.index.ir import body_calls
from tracer.index.options import tail
from tracer.profiles import FlaskRest

_FLASK_PARAM = re.compile(r"<(?:[a-z_]+:)?([A-Za-z_]\w*)>")
_HTTP = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD")
_VERB = {"GET": "show", "POST": "create", "PUT": "update", "PATCH": "update",
         "DELETE": "delete"}


@dataclass(frozen=True)
class Decorator:
    """A route decorator of a blueprint class: its HTTP method and default status."""

    method: str
    status: int | None


@dataclass(frozen=True)
class Route:
    method: str
    path: str  # with the mount's prefix, placeholders in braces
    status: int | None
    fn: FunctionRef
    policy: str | None


def flask_path(rule: str) -> str:
    """`/clusters/<cluster_id>` -> `/clusters/{cluster_id}`."""
    return _FLASK_PARAM.sub(lambda m: "{" + m.group(1) + "}", rule)


def _const(expr):
    return expr.value if isinstance(expr, ir.Const) else None


def _strings(expr) -> list[str]:
    if isinstance(expr, ir.Const) and isinstance(expr.value, str):
        return [expr.value]
    if isinstance(expr, ir.Seq):
        return [i.value for i in expr.items if isinstance(i, ir.Const)
                and isinstance(i.value, str)]
    return []


def blueprint_decorators(index: Index, ref: ClassRef) -> dict[str, Decorator] | None:
    """method name -> route decorator, for a class deriving from flask's Blueprint;
    None for any other class."""
    ancestry = index.mro(ref)
    if not any(tail(base) == "Blueprint" for k in ancestry for base in k.cls.bases):
        return None
    found: dict[str, Decorator] = {}
    for klass in reversed(ancestry):
        for name, fn in klass.cls.methods.items():
            status = next((_const(p.default) for p in fn.params if p.name == "status_code"),
                          None)
            for call in body_calls(fn.body):
                if not (isinstance(call.func, ir.Attr) and isinstance(call.func.value, ir.Name)
                        and call.func.value.id == "self"):
                    continue
                methods = [s for a in call.args for s in _strings(a) if s.upper() in _HTTP]
                methods += [s for k, v in call.kwargs if k == "methods" for s in _strings(v)]
                if len(methods) == 1:
                    found[name] = Decorator(methods[0].upper(), status
                                            if isinstance(status, int) else None)
                    break
    return found


def _blueprints(index: Index, module: ir.Module) -> dict[str, dict[str, Decorator]]:
    """Module-level names bound to a blueprint: name -> its decorators."""
    out = {}
    for name, value in module.assigns.items():
        if not isinstance(value, ir.Call):
            continue
        ref = index.resolve_expr(module, value.func)
        if isinstance(ref, ClassRef):
            decorators = blueprint_decorators(index, ref)
            if decorators is not None:
                out[name] = decorators
    return out


def _enforced_policy(fn: ir.Function) -> str | None:
    """The policy rule a decorator enforces (`@acl.enforce("data-processing:cluster:get")`)."""
    for dec in fn.decorators:
        if isinstance(dec, ir.Call) and tail(dec.func) == "enforce" and dec.args:
            value = _const(dec.args[0])
            if isinstance(value, str):
                return value
    return None


def module_routes(index: Index, module: ir.Module, prefix: str) -> list[Route]:
    """The routes the view functions of `module` declare, under `prefix`."""
    blueprints = _blueprints(index, module)
    routes = []
    for fn in module.functions.values():
        for dec in fn.decorators:
            if not (isinstance(dec, ir.Call) and isinstance(dec.func, ir.Attr)
                    and isinstance(dec.func.value, ir.Name)
                    and dec.func.value.id in blueprints and dec.args):
                continue
            rule = _const(dec.args[0])
            if not isinstance(rule, str):
                continue
            decorators = blueprints[dec.func.value.id]
            kw = {k: v for k, v in dec.kwargs if k}
            if dec.func.attr in decorators:
                methods = [decorators[dec.func.attr].method]
                status = decorators[dec.func.attr].status
            elif dec.func.attr == "route":
                methods = [m.upper() for m in _strings(kw.get("methods"))] or ["GET"]
                status = None
            else:
                continue
            given = _const(kw.get("status_code"))
            if isinstance(given, int):
                status = given
            for method in methods:
                routes.append(Route(method, prefix.rstrip("/") + flask_path(rule), status,
                                    FunctionRef(module, fn, None), _enforced_policy(fn)))
    return routes


def mounts(index: Index, app_module: str) -> list[tuple[ir.Module, str]]:
    """(module holding a blueprint, URL prefix) for each blueprint the application module
    registers, directly or through a function it calls with `url_prefix`."""
    module = index.module(app_module)
    if module is None:
        return []
    out: list[tuple[ir.Module, str]] = []
    for fn in module.functions.values():
        for call in body_calls(fn.body):
            out += _registered(index, module, call, {})
            if tail(call.func) == "register_blueprint":
                continue
            target = index.resolve_expr(module, call.func)
            if isinstance(target, FunctionRef):
                bound = {k: v for k, v in call.kwargs if k}
                params = [p.name for p in target.function.params]
                bound.update({params[i]: a for i, a in enumerate(call.args)
                              if i < len(params)})
                for inner in body_calls(target.function.body):
                    out += _registered(index, target.module, inner, bound)
    seen = set()
    unique = []
    for mod, prefix in out:
        if (mod.name, prefix) not in seen:
            seen.add((mod.name, prefix))
            unique.append((mod, prefix))
    return unique


def _registered(index: Index, module: ir.Module, call: ir.Call,
                bound: dict[str, ir.Expr]) -> list[tuple[ir.Module, str]]:
    if tail(call.func) != "register_blueprint" or not call.args:
        return []
    prefix = dict((k, v) for k, v in call.kwargs if k).get("url_prefix")
    if isinstance(prefix, ir.Name) and prefix.id in bound:
        prefix = bound[prefix.id]
    prefix = _const(prefix)
    blueprint = call.args[0]
    if not isinstance(prefix, str) or not isinstance(blueprint, ir.Attr):
        return []
    ref = index.resolve_expr(module, blueprint.value)
    holder = index.module(ref.dotted) if ref is not None and hasattr(ref, "dotted") else None
    if holder is None and ref is not None and isinstance(getattr(ref, "module", None),
                                                         ir.Module):
        holder = ref.module
    return [(holder, prefix)] if holder is not None else []


def _policy_name(policy: str | None) -> str | None:
    """`data-processing:cluster:scale` -> `cluster-scale`."""
    if not policy or policy.count(":") < 2:
        return None
    _, resource, action = policy.split(":", 2)
    return f"{resource}-{action}".replace(":", "-").replace("_", "-")


def _path_name(route: Route, prefix: str) -> str:
    words = [w for w in route.path[len(prefix.rstrip("/")):].strip("/").split("/")
             if w and not w.startswith("{")]
    if words and words[0].endswith("s"):
        words[0] = words[0][:-1]
    if route.method == "GET" and "{" not in route.path:
        verb = "list"
    elif route.method == "GET" and not route.path.endswith("}"):
        verb = ""  # GET /x/{id}/export: the last word says what is read
    else:
        verb = _VERB.get(route.method, route.method.lower())
    return "-".join(words + [verb] if verb else words)


def build_flask_catalogue(index: Index, label: str, rest: FlaskRest) -> Catalogue:
    """Every operation of the blueprints mounted under the profile's first URL prefix."""
    warnings: list[str] = []
    prefix = rest.prefix
    found = [(module, p) for module, p in mounts(index, rest.app_module) if p == prefix]
    if not found:
        warnings.append(f"no REST routes found: {rest.app_module} mounts no blueprint "
                        f"under {prefix}")
    routes: list[Route] = []
    for module, _ in found:
        routes += module_routes(index, module, prefix)
    clients = _client_index({n: (m, prefix.rstrip("/") + p, None)
                             for n, (m, p) in rest.client_commands.items()})
    # a policy several routes enforce (an export checks `...:get`) names none of them
    policies = [_policy_name(r.policy) for r in routes]
    shared = {p for p in policies if p and policies.count(p) > 1}
    operations: dict[str, Operation] = {}
    for route in sorted(routes, key=lambda r: (r.path, r.method)):
        names = clients.get((route.method, _shape(route.path), None), [])
        policy = _policy_name(route.policy)
        derived = policy if policy and policy not in shared else _path_name(route, prefix)
        name = names[0] if names else derived
        aliases = tuple(dict.fromkeys(
            a for a in (*names[1:], *rest.aliases.get(name, ()), derived,
                        name.replace("-", "_"))
            if a != name))
        if not is_safe_file_stem(name):
            warnings.append(f"{route.fn.module.path}:{route.fn.function.line}: operation "
                            f"name {name!r} cannot be a file name; operation skipped")
            continue
        if _key(name) in {_key(n) for n in operations}:
            warnings.append(f"two operations named {name}: {operations[name].handler} and "
                            f"{route.fn.dotted}; the second is left out")
            continue
        group = route.path[len(prefix.rstrip("/")):].strip("/").split("/")[0]
        operations[name] = Operation(
            name=name, aliases=aliases, method=route.method, path=route.path, action=None,
            handler=route.fn.dotted, file=route.fn.module.path, line=route.fn.function.line,
            group=group)
    missing = {}
    for name, (method, path) in rest.client_commands.items() if routes else ():
        if name not in operations:
            missing[name] = Missing(name, (), f"no route for {method} {prefix.rstrip('/')}"
                                              f"{path}", path.strip("/").split("/")[0])
    problems = sorted({f"{p.path}:{p.line}: cannot parse ({p.message}); its routes are missing"
                       for p in index.problems if p.path.startswith(rest.api_dir)})
    return Catalogue(source=label,
                     operations=tuple(operations[n] for n in sorted(operations)),
                     warnings=tuple(warnings + problems),
                     missing=tuple(missing[n] for n in sorted(missing)))


def view_status(index: Index, fn: FunctionRef) -> str | None:
    """The status a view function answers with: its route decorator's `status_code=`, else
    that decorator's default (`post`: 202); None when it is no blueprint's view."""
    blueprints = _blueprints(index, fn.module)
    for dec in fn.function.decorators:
        if isinstance(dec, ir.Call) and isinstance(dec.func, ir.Attr) and \
                isinstance(dec.func.value, ir.Name) and dec.func.value.id in blueprints:
            given = _const(dict((k, v) for k, v in dec.kwargs if k).get("status_code"))
            decorator = blueprints[dec.func.value.id].get(dec.func.attr)
            status = given if isinstance(given, int) else \
                decorator.status if decorator is not None else None
            return _returned_statuses(fn.function.body, status)
    return None


def _returned_statuses(body: tuple, route: int | None) -> str | None:
    """The statuses a view answers with: a `return` of a call given `status=` (or
    `status_code=`) as a number answers with it (sahara.utils.api.render's `status`
    overrides the route's: `return u.render(..., status=200)` under `if force`, else
    `status=204`); any other return, with the route's status. Several are all said
    (`200 or 204`); an error status returned is an error path, not the answer."""
    found: set[int] = set()

    def walk(stmts) -> None:
        for stmt in stmts:
            if isinstance(stmt, ir.Return):
                value = stmt.value
                given = None
                if isinstance(value, ir.Call):
                    kw = dict((k, v) for k, v in value.kwargs if k)
                    given = _const(kw.get("status", kw.get("status_code")))
                if isinstance(given, int) and not isinstance(given, bool):
                    found.add(given)
                elif route is not None:
                    found.add(route)
            for sub in ir.sub_bodies(stmt):
                walk(sub)
    walk(body)
    answers = sorted(code for code in found if code < 400)
    if not answers:
        return str(route) if route is not None else None
    return " or ".join(str(code) for code in answers)
