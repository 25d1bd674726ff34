"""The operation catalogue on real releases: every client command resolves where it exists.

What each release lacks was found by reading its code (and is spelled out below):
- 12.0.0 (Liberty) has no `trigger_crash_dump` action (microversion 2.17, Mitaka), no
  server migrations sub-resource (2.22/2.23/2.24) and no server tags (2.26);
- from 23.0.0 (Wallaby) `resetNetwork` answers 410 Gone (nova-network is gone):
  a bare `raise exc.HTTPGone()` in 23..29, `@wsgi.removed('23.0.0', ...)` from 30;
- from 29.0.0 (Caracal) `os-getRDPConsole` never succeeds (HyperV, the only RDP driver, was
  removed): `raise webob.exc.HTTPBadRequest()` in 29, `@wsgi.removed('29.0.0')` from 30.

The rest of the compute API (#21) lost what nova-network, cells v1 and the agents served
(`expected_missing_rest`): the routes stay, their handlers answer 410 Gone.

The oracles are independent of tracer.catalogue: CPython's ast reads each handler's
decorators, and `routes.py`'s ROUTE_LIST literally.
"""

from __future__ import annotations

import ast
import re
import warnings

import pytest

from tracer.catalogue import CLIENT_COMMANDS, Catalogue, build_catalogue, find_operation
from tracer.errors import OsflowError

pytestmark = pytest.mark.integration

# The client commands every release is expected to serve, unless listed in MISSING.
REQUIRED = ("boot", "delete", "force-delete", "list", "show", "stop", "start", "reboot",
            "migrate", "live-migrate", "resize", "rebuild", "evacuate", "reset-state",
            "image-create", "backup", "volume-attach", "volume-detach", "lock", "unlock",
            "set-password", "pause", "unpause", "suspend", "resume", "reset-network",
            "shelve", "unshelve", "shelve-offload", "rename", "update", "rescue", "unrescue",
            "interface-attach", "interface-detach", "trigger-crash-dump", "resize-confirm",
            "resize-revert", "console-log", "get-vnc-console", "restore",
            "instance-action-list", "instance-action")

_LIBERTY_MISSING = {"trigger-crash-dump", "live-migration-abort",
                    "live-migration-force-complete", "server-migration-list",
                    "server-migration-show", "server-tag-add", "server-tag-delete",
                    "server-tag-delete-all", "server-tag-list", "server-tag-set"}


def expected_missing(label: str) -> set[str]:
    """Client commands (of CLIENT_COMMANDS) that release `label` does not serve."""
    major = _major(label)
    if major == 12:
        return set(_LIBERTY_MISSING)
    missing = set()
    if major >= 23:
        missing.add("reset-network")
    if major >= 29:
        missing.add("get-rdp-console")
    return missing


def _major(label: str) -> int:
    return 12 if "12.0.0" in label else int(label.split(".")[0])


# Client commands outside the servers API, by the release whose handlers answer 410 Gone
# (read in each release's api/openstack/compute/*.py: `raise exc.HTTPGone()` or
# `@wsgi.removed`): Pike removed cloudpipe and nova-cert's certificates, Rocky the
# nova-network-only fixed IPs, floating IP DNS and bulk floating IPs, Train cells v1,
# Ussuri the rest of nova-network (networks, default security group rules, tenant network
# create and delete), Wallaby the guest agents.
_GONE_FROM = {
    16: {"cloudpipe-list", "cloudpipe-create", "cloudpipe-configure", "x509-create-cert",
         "x509-get-root-cert"},
    18: {"dns-domains", "dns-create-private-domain", "dns-create-public-domain",
         "dns-delete-domain", "dns-create", "dns-delete", "fixed-ip-get", "fixed-ip-reserve",
         "fixed-ip-unreserve", "floating-ip-bulk-list", "floating-ip-bulk-create",
         "floating-ip-bulk-delete"},
    20: {"cell-show", "cell-capacities"},
    21: {"network-create", "network-delete", "network-associate-host",
         "network-associate-project", "network-disassociate", "secgroup-list-default-rules",
         "secgroup-add-default-rule", "secgroup-delete-default-rule", "tenant-network-create",
         "tenant-network-delete"},
    23: {"agent-list", "agent-create", "agent-modify", "agent-delete"},
}
# ... and the release that added a route: PUT /flavors/{id} (2.55, Queens), POST
# /os-aggregates/{id}/images (2.81, Ussuri)
_ADDED_IN = {"flavor-update": 17, "aggregate-cache-images": 21}


def gone_rest(label: str) -> set[str]:
    major = _major(label)
    return set().union(*(names for since, names in _GONE_FROM.items() if major >= since))


def expected_missing_rest(label: str) -> set[str]:
    """Client commands outside the servers API that release `label` does not serve."""
    major = _major(label)
    return gone_rest(label) | {name for name, since in _ADDED_IN.items() if major < since}


@pytest.fixture(scope="module")
def catalogue(release) -> Catalogue:
    return build_catalogue(release.index, release.source.label)


@pytest.fixture(scope="module")
def liberty_catalogue(liberty) -> Catalogue:
    return build_catalogue(liberty.index, liberty.source.label)


def _check_release(ws, cat: Catalogue) -> None:
    # a folder's label is its path; its tag is the release its PKG-INFO names
    label = ws.source.tag or ws.source.label
    missing = expected_missing(label) | expected_missing_rest(label)
    assert cat.warnings == ()
    names = {op.name for op in cat.operations}
    for name in REQUIRED:
        if name in missing:
            with pytest.raises(OsflowError, match=f"operation '{name}' does not exist in "):
                find_operation(cat, name)
        else:
            assert find_operation(cat, name).name == name
    # the exact set of client commands this release lacks
    assert set(CLIENT_COMMANDS) - names == missing
    assert {gap.name for gap in cat.missing} & set(CLIENT_COMMANDS) == missing
    reasons = {gap.name: gap.reason for gap in cat.missing}
    for name in gone_rest(label):
        assert "410" in reasons[name] or "always raises" in reasons[name], reasons[name]
    for name in expected_missing_rest(label) - gone_rest(label):
        assert reasons[name].startswith("no route for "), reasons[name]
    _check_handlers_against_source(ws.index.root, cat)


def _decorator_actions(fn: ast.FunctionDef) -> list[str]:
    found = []
    for deco in fn.decorator_list:
        if (isinstance(deco, ast.Call) and isinstance(deco.func, ast.Attribute)
                and deco.func.attr == "action" and deco.args
                and isinstance(deco.args[0], ast.Constant)):
            found.append(deco.args[0].value)
    return found


def _parse(path) -> ast.Module:
    source = path.read_bytes()
    with warnings.catch_warnings():  # the tree's own invalid escape sequences
        warnings.simplefilter("ignore")
        try:
            return ast.parse(source)
        except SyntaxError:  # Python-2-era names (`async`) in old trees
            return ast.parse(source, feature_version=(3, 6))


def _check_handlers_against_source(root, cat: Catalogue) -> None:
    """Each handler is a def at its file and line, decorated with its action (if any)."""
    trees: dict[str, ast.Module] = {}
    for op in cat.operations:
        if op.file not in trees:
            trees[op.file] = _parse(root / op.file)
        defs = [n for n in ast.walk(trees[op.file])
                if isinstance(n, ast.FunctionDef) and n.lineno == op.line]
        assert len(defs) == 1, (op.name, op.file, op.line)
        assert defs[0].name == op.handler.rsplit(".", 1)[1], op
        if op.action:
            assert _decorator_actions(defs[0]) == [op.action], op
        else:  # or the standard method it serves (Liberty's flavor-manage `create`)
            assert _decorator_actions(defs[0]) in ([], [defs[0].name.strip("_")]), op


def _route_list(root) -> list[tuple[str, str, str, str]]:
    """(method, path, controller factory, controller method) of every route in routes.py
    that is not an action route, in the list's order."""
    tree = _parse(root / "nova/api/openstack/compute/routes.py")
    routes = []
    for node in ast.walk(tree):
        if (isinstance(node, ast.Tuple) and len(node.elts) == 2
                and isinstance(node.elts[0], ast.Constant)
                and isinstance(node.elts[1], ast.Dict)):
            path = node.elts[0].value
            for key, value in zip(node.elts[1].keys, node.elts[1].values):
                if value.elts[1].value != "action":
                    routes.append((key.value, path, value.elts[0].id, value.elts[1].value))
    return routes


def test_every_client_command_resolves_where_it_exists(release, catalogue):
    _check_release(release, catalogue)


def test_liberty(liberty, liberty_catalogue):
    _check_release(liberty, liberty_catalogue)


def test_every_routed_request_is_an_operation_or_gone(release, catalogue):
    """Every route of every controller: an operation, a handler that answers 410 Gone, or
    a second route of one resource to a handler another route serves (GET / and GET
    /versions/{id})."""
    if _major(release.source.label) < 16:
        pytest.skip("no routes.py before 16.0.0: v2.1 extensions")
    routes = _route_list(release.index.root)
    served = {(op.method, op.path) for op in catalogue.operations
              if not op.action and op.group != "periodic"}
    gone = set()
    for gap in catalogue.missing:
        match = re.match(r"the handler of (GET|POST|PUT|DELETE) (\S+),", gap.reason)
        if match:
            gone.add((match.group(1), match.group(2)))
    assert not served & gone
    assert served | gone <= {(method, path) for method, path, _, _ in routes}
    reached = {}  # (method, factory, controller method) -> the first route
    for method, path, factory, target in routes:
        reached.setdefault((method, factory, target), (method, path))
    for method, path, factory, target in routes:
        first = reached[(method, factory, target)]
        assert (method, path) in served | gone or first in served | gone, (method, path)


def test_removed_operations_say_why(release, catalogue):
    major = _major(release.source.label)
    if major < 23:
        pytest.skip("resetNetwork still served")
    with pytest.raises(OsflowError) as err:
        find_operation(catalogue, "resetNetwork")
    message = str(err.value)
    assert "(reset-network) does not exist in" in message
    assert "AdminActionsController._reset_network" in message
    assert ("410 Gone (removed in 23.0.0)" in message if major >= 30
            else "always raises HTTPGone (410)" in message)


_COMPUTE = "nova.api.openstack.compute"
_SPOT_COMMON = {
    "pause": ("POST", "/servers/{id}/action", "pause",
              f"{_COMPUTE}.pause_server.PauseServerController._pause"),
    "live-migrate": ("POST", "/servers/{id}/action", "os-migrateLive",
                     f"{_COMPUTE}.migrate_server.MigrateServerController._migrate_live"),
}
_ATTACH = ("POST", "/servers/{server_id}/os-volume_attachments", None)
# The attachment controller moved from volumes.py to volume_attachments.py in 32.0.0.
SPOT_CHECKS = {
    version: {**_SPOT_COMMON, "volume-attach": (*_ATTACH, f"{_COMPUTE}.{module}.create")}
    for version, module in (("12.0.0", "volumes.VolumeAttachmentController"),
                            ("20.0.0", "volumes.VolumeAttachmentController"),
                            ("34.0.0", "volume_attachments.VolumeAttachmentController"))
}


def _spot_check(cat: Catalogue, version: str) -> None:
    for name, expected in SPOT_CHECKS[version].items():
        op = find_operation(cat, name)
        assert (op.method, op.path, op.action, op.handler) == expected


def test_spot_checks(release, catalogue):
    if release.source.label not in SPOT_CHECKS:
        pytest.skip("spot-checked releases only")
    _spot_check(catalogue, release.source.label)


def test_liberty_spot_checks(liberty_catalogue):
    _spot_check(liberty_catalogue, "12.0.0")
    # seed-style and REST action aliases
    assert find_operation(liberty_catalogue, "live_migrate").name == "live-migrate"
    assert find_operation(liberty_catalogue, "createImage").name == "image-create"
