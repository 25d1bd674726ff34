"""Nova's idioms, recognised by shape: what a decorator checks, which calls notify, which
reach the database or another service, and which host an RPC is sent to.

Everything here reads expressions of the index's IR and returns text or a category; the
engine (engine.py) decides where the resulting steps go. Each rule names the Nova pattern it
stands for, so a release that changes an idiom shows up as a failing unit test here.
"""

from __future__ import annotations

import re

from tracer.index import ir
from tracer.index.ir import expr_text

# ----------------------------------------------------------------------------- decorators

# Decorators that only wrap errors, validate input or register a handler: not drawn.
SILENT_DECORATORS = {
    "wrap_exception", "wrap_instance_fault", "reverts_task_state", "expected_errors",
    "response", "action", "schema", "query_schema", "response_body_schema", "api_version",
    "expected_exceptions", "object_compat", "synchronized", "wraps", "removed",
    "delete_image_on_error", "errors_out_migration", "serialize_args", "targets_cell",
    "log_exception", "validated", "required", "extends", "Controller", "property",
    "staticmethod", "classmethod", "cached_property", "rollback_wrapper", "reset_context",
    "deprecated", "trace_class", "profile", "retry_if_timeout", "add_if_not_exists",
}


# Decorators that check a policy rule: their note names the rule, which following their
# wrapper would only say again.
POLICY_DECORATORS = {"wrap_check_policy", "policy_decorator"}


def decorator_name(dec: ir.Expr) -> str:
    func = dec.func if isinstance(dec, ir.Call) else dec
    if isinstance(func, ir.Attr):
        return func.attr
    if isinstance(func, ir.Name):
        return func.id
    return ""


def _short(expr: ir.Expr) -> str:
    """`[vm_states.ACTIVE, vm_states.PAUSED]` -> `ACTIVE, PAUSED`."""
    if isinstance(expr, ir.Seq):
        return ", ".join(_short(item) for item in expr.items)
    if isinstance(expr, ir.Attr) and expr.attr.isupper():
        return expr.attr
    if isinstance(expr, ir.Const) and isinstance(expr.value, str):
        return expr.value
    return expr_text(expr)


# Notes that say what a service checks or tells others: kept from helpers beyond the
# drawn depth, as what crosses processes is (a lock or state check decides whether the
# operation goes on; a notification is a message other services read)
_KEPT_NOTE = re.compile(r"(?:notify|policy|check state): |check instance (?:lock|state|cell"
                        r"|has a host)$")


def is_kept_note(text: str) -> bool:
    return _KEPT_NOTE.match(text) is not None


def decorator_note(dec: ir.Expr, function_name: str) -> str | None:
    """The check a decorator makes, as note text; None for decorators not worth drawing."""
    name = decorator_name(dec)
    if not name or name in SILENT_DECORATORS:
        return None
    call = dec if isinstance(dec, ir.Call) else None
    if name == "check_instance_lock":
        return "check instance lock"
    if name == "check_instance_state":
        parts = []
        given = list(zip(call.args if call else (), ("vm_state", "task_state")))
        given = [(key, value) for value, key in given] + \
            [(key, value) for key, value in (call.kwargs if call else ())]
        for key, value in given:
            # `task_state=None` means "not checked", not "must be None"
            if key in ("vm_state", "task_state") and not (
                    isinstance(value, ir.Const) and value.value is None):
                parts.append(f"{key} in [{_short(value)}]")
        return "check state: " + "; ".join(parts) if parts else "check instance state"
    if name == "check_instance_cell":
        return "check instance cell"
    if name == "check_instance_host":
        return "check instance has a host"
    if name in POLICY_DECORATORS:
        # Manila's `@policy.wrap_check_policy('share')` names the rule's resource
        scope = call.args[0].value if call and call.args and \
            isinstance(call.args[0], ir.Const) and isinstance(call.args[0].value, str) \
            else "compute"
        return f"policy: {scope}:{function_name}"
    if name == "wrap_instance_event":
        return "record instance action event (start/finish)"
    if name.startswith(("reject_", "block_", "check_")):
        args = ", ".join(_short(a) for a in call.args) if call else ""
        text = name.replace("_", " ")
        return f"{text} ({args})" if args else text
    return None


# the modules whose attributes name HTTP statuses (`HTTPStatus.ACCEPTED`,
# `http_client.ACCEPTED` of six.moves in Python-2-era trees): their values are the standard
# library's table, so the analysed tree need not be read for them
_STATUS_MODULES = ("http.HTTPStatus", "http.client", "six.moves.http_client", "httplib",
                   "http.server.HTTPStatus")


def status_code(expr: ir.Expr, imports=None) -> str | None:
    """The HTTP status an expression names: `202`, or `HTTPStatus.ACCEPTED` where
    `HTTPStatus` is imported from http (likewise http.client, six.moves.http_client);
    None when it names none."""
    if isinstance(expr, ir.Const) and isinstance(expr.value, int) \
            and not isinstance(expr.value, bool):
        return str(expr.value)
    if not isinstance(expr, ir.Attr):
        return None
    parts, base = [], expr.value
    while isinstance(base, ir.Attr):
        parts.insert(0, base.attr)
        base = base.value
    if not isinstance(base, ir.Name):
        return None
    imported = (imports or {}).get(base.id)
    head = imported.target if imported is not None else base.id
    if ".".join((head, *parts)) not in _STATUS_MODULES:
        return None
    from http import HTTPStatus
    member = HTTPStatus.__members__.get(expr.attr)
    return str(member.value) if member is not None else None


# webob's (and the like's) HTTP errors by name: the status a request that raises one gets
HTTP_ERRORS = {"HTTPBadRequest": "400", "HTTPUnauthorized": "401", "HTTPForbidden": "403",
               "HTTPNotFound": "404", "HTTPMethodNotAllowed": "405", "HTTPConflict": "409",
               "HTTPRequestEntityTooLarge": "413", "HTTPInternalServerError": "500",
               "HTTPNotImplemented": "501", "HTTPServiceUnavailable": "503"}


def error_status(exception: str) -> str:
    """What a request raising `exception` is answered: an HTTP error's status, else the
    exception's name."""
    status = HTTP_ERRORS.get(exception)
    return f"{status} ({exception})" if status else f"error: {exception}"


def response_status(decorators: tuple[ir.Expr, ...], imports=None,
                    body: tuple = (), methods=None, run_time: tuple[str, ...] = ()) -> str:
    """The status a REST handler answers with: `@wsgi.response(202)` (or
    `@wsgi.response(HTTPStatus.ACCEPTED)`), else 200; with `body` (the handler's
    statements), a `return webob.Response(status_int=...)` there (directly, or a name
    assigned that response) answers with its status (an error status returned is an
    error path), and returns that disagree are all said (`200 or 202`). A status held
    by a name the handler got from a call (`return_code = self.share_api.migration_start(
    ...)`, `webob.Response(status_int=return_code)`) is what the tracer found the call
    returns (`run_time`: the statuses the responses it made were given, as text)."""
    default = "200"
    for dec in decorators:
        if (decorator_name(dec) == "response" and isinstance(dec, ir.Call) and dec.args):
            code = status_code(dec.args[0], imports)
            if code is not None:
                default = code
                break
    if not body:
        return default
    responses: dict[str, str] = {}
    found: set[str] = set()
    followed: set[str] = set()

    def returned(expr: ir.Expr | None, delegated: bool = False) -> str:
        if isinstance(expr, ir.Name) and expr.id in responses:
            return responses[expr.id]
        if delegated and isinstance(expr, ir.Call) and isinstance(expr.func, ir.Attr) and \
                isinstance(expr.func.value, ir.Name) and expr.func.value.id == "self" and \
                expr.func.attr in (methods or {}) and expr.func.attr not in followed:
            followed.add(expr.func.attr)
            walk(methods[expr.func.attr].body)
            return ""
        if isinstance(expr, ir.Call) and isinstance(expr.func, (ir.Attr, ir.Name)) and \
                decorator_name(expr) == "Response":
            for key, value in expr.kwargs:
                if key in ("status_int", "status"):
                    code = status_code(value, imports)
                    if code is None and isinstance(value, ir.Const) and \
                            isinstance(value.value, str) and value.value[:3].isdigit():
                        code = value.value[:3]
                    if code is not None:
                        return code
                    if isinstance(value, ir.Name):
                        return "?"  # a status the tracer may have found at run time
        return default

    def walk(stmts) -> None:
        for stmt in stmts:
            if isinstance(stmt, ir.Assign) and len(stmt.targets) == 1 and \
                    isinstance(stmt.targets[0], ir.Name):
                code = returned(stmt.value)
                if code != default:
                    responses[stmt.targets[0].id] = code
            elif isinstance(stmt, ir.Return) and stmt.value is not None:
                found.add(returned(stmt.value, delegated=True))
                found.discard("")
            for sub in ir.sub_bodies(stmt):
                walk(sub)
    walk(body)
    if "?" in found:
        found.discard("?")
        codes = {part for text in run_time for part in text.split(" or ")
                 if part.isdigit() and len(part) == 3}
        found |= codes or {default}
    # a returned error (`412` when an ETag does not match) is an error path, not the answer
    found = {code for code in found if not code.startswith(("4", "5"))}
    if not found:
        return default
    return " or ".join(sorted(found))


# ----------------------------------------------------------------------------- notes from calls


def _kwarg(call: ir.Call, key: str) -> ir.Expr | None:
    for name, value in call.kwargs:
        if name == key:
            return value
    return None


def notification(call: ir.Call, func_name: str) -> str | None:
    """`notify_about_instance_action(..., action=PAUSE, phase=START)` -> `pause.start`;
    `_notify_about_instance_usage(ctxt, inst, 'pause.start')` -> `pause.start`."""
    if func_name in ("_notify_about_instance_usage", "notify_about_instance_usage",
                     "_send_legacy_notification"):
        for arg in call.args:
            if isinstance(arg, ir.Const) and isinstance(arg.value, str):
                return arg.value
        event = _kwarg(call, "event_suffix")
        return expr_text(event).strip("'") if event is not None else "instance usage"
    if func_name.startswith("notify_about_") or func_name == "send_update":
        action, phase = _kwarg(call, "action"), _kwarg(call, "phase")
        what = func_name.removeprefix("notify_about_").replace("_", " ")
        if action is not None:
            text = _short(action).lower()
            if phase is not None:
                text += "." + _short(phase).lower()
            return text
        return what
    if func_name == "notify_usage_exists":
        return "compute.instance.exists"
    return None


POLICY_METHODS = ("can", "authorize", "enforce", "check_policy")


def policy_rule(text: str, constants: dict[str, str]) -> str:
    """`ps_policies.POLICY_ROOT % 'pause'` with POLICY_ROOT known -> the rule's name."""
    match = re.fullmatch(r"([\w.]+)\s*%\s*'([^']*)'", text.strip())
    if match and match.group(1) in constants:
        try:
            return constants[match.group(1)] % match.group(2)
        except (TypeError, ValueError):
            return text
    # `'volume_extension:volume_admin_actions:%(action)s' % {'action': action_name}`:
    # each name known (a caller passed a constant) filled in, else said as <name>
    match = re.fullmatch(r"'([^']*)'\s*%\s*\{(.*)\}", text.strip())
    if match:
        fmt, values = match.group(1), {}
        for key, name in re.findall(r"'(\w+)'\s*:\s*([\w.]+)", match.group(2)):
            values[key] = constants.get(name, f"<{name}>")
        try:
            return fmt % values
        except (TypeError, ValueError, KeyError):
            return text
    return constants.get(text.strip(), text.strip().strip("'\""))


# ----------------------------------------------------------------------------- objects

# Methods of a Nova object instance that reach the database.
OBJECT_WRITES = {"save", "create", "destroy", "refresh", "obj_refresh", "delete"}
# Receivers that hold Nova objects by convention, when their class cannot be known.
OBJECT_NAMES = re.compile(
    r"^(instance|inst|migration|bdm|\w+_bdm|volume_bdm|request_spec|reqspec|"
    r"instance_mapping|inst_mapping|mapping|compute_node|cn|service|aggregate|"
    r"migration_context|instance_action|keypair|flavor|instance_group|group)$")
STATE_MODULES = ("task_states", "vm_states", "power_state", "fields")
# Object methods that change the database, by name: the rest (get_*, refresh, exists,
# check_deltas, ...) only read it.
# (`reserve`, `release`: Ironic's Node.reserve/release set and clear the node's lock)
_WRITE_METHOD = re.compile(r"^(save|create|destroy|delete|reserve|release|update\w*|drop_\w+|"
                           r"add_\w+|remove_\w+|clean_\w+|action_(start|finish)|"
                           r"event_(start|finish)\w*)$")
# The writes that carry an instance's or a migration's state (`instance.save`,
# `migrate_data.migration.save`): the backbone of a flow, drawn at any depth.
_STATE_WRITE = re.compile(r"^(\w+\.)*(instance|migration)\.(save|create|destroy)\b")


# A function of a database API module that writes, by a word of its name
# (`db.share_instance_update`, `db.share_access_create`, `db.quota_usage_update`; a
# quota reservation is rows written and usages changed: `db.quota_reserve`,
# `db.reservation_commit`, `db.reservation_rollback`, `db.reservation_expire`).
_DB_API_WRITE = re.compile(r"^db\.(\w+_)?(create|update|delete|destroy|add|remove|"
                           r"set|reset|increment|purge|restore|reserve|commit|rollback|"
                           r"expire)(_\w+)?$")


# a helper beyond the depth summed up by what it writes (`reserve: writes db.quota_reserve`)
_SUMMED_WRITES = re.compile(r": (?:writes|may write) ")


def is_db_write(text: str) -> bool:
    """Whether a database step (`bdm.save (fields)`, `InstanceAction.action_start`,
    `db.share_update`) writes rather than reads."""
    step = text.partition(" (")[0]
    if _SUMMED_WRITES.search(step):  # a helper summed up by its writes, whatever they are
        return True
    method = step.rsplit(".", 1)[-1]
    return _WRITE_METHOD.match(method) is not None or _DB_API_WRITE.match(step) is not None


def is_state_write(text: str) -> bool:
    return _STATE_WRITE.match(text) is not None


# `migrate_data['migration']`: an object kept under its name in a dict
ITEM_RECEIVER = re.compile(r"[\w.]+\[['\"](\w+)['\"]\]")
# an object made where it is written (`objects.NodeHistory(node_id=..., ...).create()`):
# the class named, its arguments being the fields the write shows
MADE_RECEIVER = re.compile(r"(?:\w+\.)*([A-Z]\w*)\(.*\)", re.S)


def object_receiver(expr: ir.Expr, names: re.Pattern[str] = OBJECT_NAMES) -> str | None:
    """The receiver text when `expr` names an object by the project's conventions
    (`names`; Nova's by default)."""
    text = expr_text(expr)
    last = text.rsplit(".", 1)[-1]
    # `self._bdm_obj`: an object a wrapper class keeps
    if names.match(last) or names.match(last.lstrip("_").removesuffix("_obj")):
        return text
    item = ITEM_RECEIVER.fullmatch(text)
    if item and names.match(item.group(1)):
        return text
    return None


def field_text(text: str) -> str:
    """`task_states.IMAGE_UPLOADING` -> `IMAGE_UPLOADING`, as field_value does; a table
    looked up at run time, `{'SOFT': task_states.REBOOTING, 'HARD':
    task_states.REBOOTING_HARD}[reboot_type]`, -> `REBOOTING or REBOOTING_HARD`."""
    if " or " in text and not text.startswith("{"):
        # alternatives the branches before left (`RESCUED or ACTIVE`)
        return " or ".join(dict.fromkeys(field_text(part) for part in text.split(" or ")))
    module, _, name = text.rpartition(".")
    if module in STATE_MODULES and name.isidentifier():
        return name
    if text.startswith("{"):
        choices = _table_values(text)
        if choices:
            return " or ".join(choices)
    return text if len(text) <= 40 else _cut(text, 37) + "..."


def _cut(text: str, size: int) -> str:
    """`text` cut to at most `size` characters between words, not inside one (a message
    `_('A wait time exceeding the configured...')`), unless that leaves too little."""
    head = text[:size]
    if text[size:size + 1].isalnum() and head[-1:].isalnum():
        at = max(head.rfind(" "), head.rfind(","), head.rfind("("))
        if at >= size // 2:
            head = head[:at]
    return head.rstrip()


def state_text(field: str, value: object) -> str:
    """A constant that reached a state field: task_states.IMAGE_UPLOADING is the string
    'image_uploading'; show it by its name, as the code spells it."""
    if field in ("task_state", "vm_state") and isinstance(value, str):
        return value.upper().replace("-", "_")
    return repr(value)


def field_value(expr: ir.Expr) -> str:
    """`task_states.PAUSING` -> `PAUSING`, `self._get_power_state(...)` ->
    `_get_power_state()`; other values as field_text shows their source text."""
    if isinstance(expr, ir.Attr) and isinstance(expr.value, ir.Name) \
            and expr.value.id in STATE_MODULES:
        return expr.attr
    if isinstance(expr, ir.Call):
        func = expr_text(expr.func).rsplit(".", 1)[-1]
        return f"{func}()"
    return field_text(expr_text(expr))


def _table_values(text: str) -> list[str] | None:
    """The values of a dict display indexed by a name (`{...}[key]`), each as
    field_text shows it; None for anything else. The text is the analysed tree's: it is
    parsed, never evaluated."""
    import ast

    try:
        node = ast.parse(text, mode="eval").body
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    if not (isinstance(node, ast.Subscript) and isinstance(node.value, ast.Dict)
            and isinstance(node.slice, ast.Name) and node.value.values):
        return None
    return list(dict.fromkeys(field_text(ast.unparse(v)) for v in node.value.values))


# ----------------------------------------------------------------------------- other services

# The services drawn as participants: by the client library a module builds its client
# with, or by the service type it asks keystoneauth or openstacksdk an adapter for.
CLIENT_LIBRARIES = {"neutronclient": "neutron", "glanceclient": "glance",
                    "cinderclient": "cinder", "manilaclient": "manila", "novaclient": "nova"}
SERVICE_TYPES = {"network": "neutron", "image": "glance", "volume": "cinder",
                 "volumev2": "cinder", "volumev3": "cinder", "block-storage": "cinder",
                 "placement": "placement", "accelerator": "cyborg",
                 "shared-file-system": "manila"}
_IMPORT = re.compile(rb"^[ \t]*(?:from[ \t]+(\w+)([\w.]*)[ \t]+import[ \t]+([^\n]+)"
                     rb"|import[ \t]+(\w+)([\w.]*))", re.M)
_SERVICE_TYPE = re.compile(rb"(?:get_(?:ksa|sdk)_adapter\(\s*|service_type['\"]?\s*[:=]\s*)"
                           rb"['\"]([\w-]+)['\"]")
_EXCEPTIONS = {"exceptions", "exc"}
_CLIENT_NEEDLES = tuple(name.encode() for name in CLIENT_LIBRARIES) + \
    (b"_adapter(", b"service_type")
# Module-level functions of a client module that hand out its client rather than use it.
_CLIENT_FACTORY = re.compile(r"client|singleton|_service$")


def client_service(source: bytes, more: tuple[tuple[str, str], ...] = ()) -> str | None:
    """The service a module is a client of, from its source: it imports that service's
    client library for more than its exceptions (`from neutronclient.v2_0 import
    client`), or asks for an adapter of its service type (`get_sdk_adapter('placement')`,
    `'service_type': 'placement'` before adapters). None for any other module. `more`:
    a project's own client libraries (Tracing.client_libraries: Cinder's keystoneclient)."""
    libraries = {**CLIENT_LIBRARIES, **dict(more)} if more else CLIENT_LIBRARIES
    if not any(needle in source for needle in _CLIENT_NEEDLES) and \
            not any(library.encode() in source for library, _ in more):
        return None  # most modules: a byte search is all they cost
    for match in _IMPORT.finditer(source):
        library = (match.group(1) or match.group(4)).decode()
        if library not in libraries:
            continue
        path = (match.group(2) or match.group(5) or b"").decode()
        names = {name.split(" as ")[0].strip(" ()\\")
                 for name in (match.group(3) or b"").decode().split(",")} - {""}
        if path.rsplit(".", 1)[-1] in _EXCEPTIONS or (names and names <= _EXCEPTIONS):
            continue  # `from cinderclient import exceptions`: it only catches its errors
        return libraries[library]
    for match in _SERVICE_TYPE.finditer(source):
        service = SERVICE_TYPES.get(match.group(1).decode())
        if service is not None:
            return service
    return None


# What code that talks to a service touches: a client (`get_client(context)`,
# `cinderclient(context)`, `self._client`), a keystoneauth adapter or session.
CLIENT_USE = re.compile(r"client|adapter|session", re.IGNORECASE)


def is_client_factory(function_name: str) -> bool:
    """`get_client`, `report_client_singleton`, `get_default_image_service`: functions of
    a client module that return its client; its other functions talk to the service."""
    return _CLIENT_FACTORY.search(function_name) is not None


# ----------------------------------------------------------------------------- hosts

_DEST = re.compile(r"dest|target|destination|new_host|selection|selected|host_state|"
                   r"chosen|scheduled", re.I)
_SRC = re.compile(r"source|src|instance\.host\b|origin|orig_host|prev_host", re.I)


def host_role(text: str) -> str | None:
    """Which of two compute hosts an RPC goes to, from the text of its `server=` value.

    `migration.dest_compute`, `self.destination`, `dest` -> dest; `migration.source_compute`,
    `instance.host`, `self.source` -> src. None when the text does not say.
    """
    if _DEST.search(text):
        return "dest"
    if _SRC.search(text):
        return "src"
    return None


# Compute methods whose name says which host serves them, for when the text at the call
# site does not (`host` passed down from a scheduler selection several frames up).
_METHOD_DEST = re.compile(r"(_at_dest(ination)?$|^prep_resize$|^finish_resize$|"
                          r"^pre_live_migration$|^prep_snapshot_based_resize_at_dest$|"
                          r"^rebuild_instance$)")
_METHOD_SRC = re.compile(r"(_at_source$|^resize_instance$|^finish_revert_resize$|"
                         r"^confirm_resize$|^live_migration$)")


def host_role_of_method(method: str) -> str | None:
    if _METHOD_DEST.search(method):
        return "dest"
    if _METHOD_SRC.search(method):
        return "src"
    return None
