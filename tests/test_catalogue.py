"""The REST operation catalogue on synthetic API layers: routes.py and v2.1 extensions."""

from __future__ import annotations

import pickle

import pytest

from tests.api_trees import LIBERTY_API, MODERN_API
from tests.trees import write_tree
from tracer.catalogue import (CLIENT_COMMANDS, Catalogue, Operation, build_catalogue,
                              find_operation)
from tracer.errors import OsflowError
from tracer.index import Index

API = "nova.api.openstack.compute"


def _catalogue(tmp_path, files, label="test") -> Catalogue:
    return build_catalogue(Index(write_tree(tmp_path, files)), label)


@pytest.fixture
def modern(tmp_path):
    return _catalogue(tmp_path / "modern", MODERN_API, "34.0.0")


@pytest.fixture
def liberty(tmp_path):
    return _catalogue(tmp_path / "liberty", LIBERTY_API, "12.0.0")


def _by_name(catalogue: Catalogue) -> dict[str, Operation]:
    return {op.name: op for op in catalogue.operations}


# ------------------------------------------------------------------ routes.py layout


def test_server_actions_from_every_controller_behind_the_action_route(modern):
    ops = _by_name(modern)
    pause = ops["pause"]
    assert (pause.method, pause.path, pause.action) == ("POST", "/servers/{id}/action", "pause")
    assert pause.handler == f"{API}.pause_server.PauseServerController._pause"
    assert pause.file == "nova/api/openstack/compute/pause_server.py" and pause.line == 6
    assert ops["reboot"].handler == f"{API}.servers.ServersController._action_reboot"
    assert ops["live-migrate"].action == "os-migrateLive"
    assert ops["image-create"].action == "createImage"


def test_action_inherited_from_a_base_controller(modern):
    migrate = _by_name(modern)["migrate"]
    # named after the routed controller, so the tracer instantiates the right class
    assert migrate.handler == f"{API}.migrate_server.MigrateServerController._migrate"
    assert migrate.line == 5


def test_crud_routes_and_client_paths(modern):
    ops = _by_name(modern)
    assert (ops["boot"].method, ops["boot"].path) == ("POST", "/servers")
    assert ops["list"].path == "/servers/detail"  # novaclient lists with details
    assert ops["list"].handler.endswith("ServersController.detail")
    assert (ops["show"].method, ops["show"].path) == ("GET", "/servers/{id}")
    assert (ops["delete"].method, ops["delete"].handler) == (
        "DELETE", f"{API}.servers.ServersController.delete")
    attach = ops["volume-attach"]
    assert (attach.method, attach.path) == ("POST", "/servers/{server_id}/os-volume_attachments")
    assert attach.handler == f"{API}.volume_attachments.VolumeAttachmentController.create"
    assert ops["volume-detach"].path == "/servers/{server_id}/os-volume_attachments/{id}"
    assert ops["instance-action"].path == "/servers/{server_id}/os-instance-actions/{id}"
    assert ops["instance-action-list"].handler.endswith("InstanceActionsController.index")


def test_rename_and_update_are_two_entries_with_one_handler(modern):
    ops = _by_name(modern)
    assert ops["rename"].handler == ops["update"].handler == \
        f"{API}.servers.ServersController.update"
    assert (ops["rename"].method, ops["rename"].path) == ("PUT", "/servers/{id}")
    assert "update" in ops["rename"].aliases and "rename" in ops["update"].aliases


def test_derived_names_for_operations_without_a_client_command(modern):
    ops = _by_name(modern)
    assert ops["server-list"].path == "/servers"  # GET /servers: the brief list
    # an operation named after its camelCase action is found as people type it too
    assert ops["injectNetworkInfo"].aliases == ("inject-network-info",)
    assert find_operation(modern, "inject-network-info").name == "injectNetworkInfo"
    assert ops["server-list"].aliases == ()
    assert ops["server-external-events-create"].path == "/os-server-external-events"
    assert ops["volume-attachments"].handler.endswith("VolumeAttachmentController.index")


def test_only_server_operations(modern):
    assert not any("flavor" in op.path or "Flavor" in op.handler for op in modern.operations)
    assert "addTenantAccess" not in _by_name(modern)


def test_aliases_action_and_seed_style(modern):
    ops = _by_name(modern)
    assert ops["live-migrate"].aliases == ("live_migrate", "os-migrateLive")
    assert ops["reset-state"].aliases == ("reset_state", "os-resetState")
    assert ops["pause"].aliases == ()  # the action and the snake form are the name itself
    assert "create" in ops["boot"].aliases  # the seed diagram create.wsd
    assert "snapshot" in ops["image-create"].aliases


def test_removed_handler_is_missing_with_the_reason(modern):
    assert "reset-network" not in _by_name(modern)
    gaps = {gap.name: gap for gap in modern.missing}
    reason = gaps["reset-network"].reason
    assert "410 Gone" in reason and "23.0.0" in reason
    assert "AdminActionsController._reset_network" in reason
    assert "admin_actions.py:" in reason
    # an unconditional raise HTTPGone, without the decorator
    assert "always raises HTTPGone" in gaps["server-consoles-list"].reason


def test_conditional_http_error_is_not_a_removal(modern):
    assert "injectNetworkInfo" in _by_name(modern)


def test_vnc_console_falls_back_to_remote_consoles(modern):
    vnc = _by_name(modern)["get-vnc-console"]
    assert (vnc.method, vnc.path, vnc.action) == ("POST", "/servers/{server_id}/remote-consoles",
                                                  None)
    assert vnc.handler.endswith("RemoteConsolesController.create")
    assert _by_name(modern)["get-spice-console"].action == "os-getSPICEConsole"


def test_route_to_a_missing_method_is_a_warning(modern):
    assert any("ServerTagsController has no method index" in w for w in modern.warnings)
    assert "server-tag-list" in {gap.name for gap in modern.missing}


def test_sorted_deterministic_and_picklable(tmp_path, modern):
    names = [op.name for op in modern.operations]
    assert names == sorted(names) and len(set(names)) == len(names)
    again = _catalogue(tmp_path / "again", MODERN_API, "34.0.0")
    assert again == modern
    assert pickle.loads(pickle.dumps(modern)) == modern


def test_to_json_shape(modern):
    data = _by_name(modern)["live-migrate"].to_json()
    assert {"name", "aliases", "method", "path", "action", "handler", "file", "line"} <= set(data)
    assert data["aliases"] == ["live_migrate", "os-migrateLive"]


def test_routes_py_with_extension_and_action_lists(tmp_path):
    """16.x: partial(_create_controller, Main, [extensions], [action controllers])."""
    files = dict(MODERN_API)
    files["nova/api/openstack/compute/routes.py"] = files[
        "nova/api/openstack/compute/routes.py"].replace(
        """            servers.ServersController,
            [""", """            servers.ServersController,
            [],
            [""")
    ops = _by_name(_catalogue(tmp_path, files))
    assert ops["pause"].handler == f"{API}.pause_server.PauseServerController._pause"
    assert ops["reboot"].handler.endswith("ServersController._action_reboot")


def test_only_api_modules_are_parsed(tmp_path):
    files = dict(MODERN_API)
    files["nova/compute/api.py"] = "class API(object):\n    pass\n"
    files["nova/compute/manager.py"] = "def broken(:\n"
    index = Index(write_tree(tmp_path, files))
    catalogue = build_catalogue(index, "t")
    assert catalogue.warnings and not any("manager.py" in w for w in catalogue.warnings)
    parsed = {name for name, mod in index._modules.items() if mod is not None}
    assert all(name.startswith("nova.api.") for name in parsed), parsed


# ------------------------------------------------------------- v2.1 extension layout


def test_extension_actions_become_server_actions(liberty):
    ops = _by_name(liberty)
    pause = ops["pause"]
    assert (pause.method, pause.path, pause.action) == ("POST", "/servers/{id}/action", "pause")
    assert pause.handler == f"{API}.pause_server.PauseServerController._pause"
    assert ops["reboot"].handler == f"{API}.servers.ServersController._action_reboot"
    # a controller given inline, through an aliased import of extensions
    assert ops["reset-network"].handler.endswith("AdminActionsController._reset_network")


def test_extension_resources_like_routes_mapper(liberty):
    ops = _by_name(liberty)
    assert (ops["boot"].method, ops["boot"].path) == ("POST", "/servers")
    assert ops["list"].path == "/servers/detail"
    assert (ops["delete"].method, ops["delete"].path) == ("DELETE", "/servers/{id}")
    assert ops["volume-attach"].path == "/servers/{server_id}/os-volume_attachments"
    assert ops["volume-detach"].path == "/servers/{server_id}/os-volume_attachments/{id}"
    # collection action with a non-GET method: served at the collection path itself
    assert (ops["clear-password"].method, ops["clear-password"].path) == (
        "DELETE", "/servers/{server_id}/os-server-password")
    assert ops["clear-password"].handler.endswith("ServerPasswordController.clear")
    # a member action on a sub-resource fans out to its controller's actions
    force = ops["live-migration-force-complete"]
    assert force.path == "/servers/{server_id}/migrations/{id}/action"
    assert force.action == "force_complete"


def test_custom_routes_drop_the_project_prefix(liberty):
    update_all = _by_name(liberty)["server-metadata-update-all"]
    assert (update_all.method, update_all.path) == ("PUT", "/servers/{server_id}/metadata")


def test_legacy_v2_and_other_collections_are_ignored(liberty):
    assert not any(op.action == "oldAction" for op in liberty.operations)
    assert not any("os-volumes" in op.path and "attachments" not in op.path
                   for op in liberty.operations)
    assert liberty.warnings == ()  # os-volumes_boot (inherits=servers) is not a problem


def test_action_missing_in_this_release(liberty):
    with pytest.raises(OsflowError) as err:
        find_operation(liberty, "trigger-crash-dump")
    message = str(err.value)
    assert message.startswith("operation 'trigger-crash-dump' does not exist in 12.0.0:")
    assert "no handler for action trigger_crash_dump" in message


# ---------------------------------------------------------------------------- lookup


@pytest.mark.parametrize("name", ["live-migrate", "live_migrate", "os-migrateLive",
                                  "OS-MIGRATELIVE", "Live_Migrate", " live-migrate "])
def test_find_by_name_or_alias(modern, name):
    assert find_operation(modern, name).name == "live-migrate"


def test_canonical_name_wins_over_an_alias(modern):
    assert find_operation(modern, "update").name == "update"
    assert find_operation(modern, "rename").name == "rename"
    assert find_operation(modern, "create").name == "boot"


def test_unknown_name_lists_the_closest(modern):
    with pytest.raises(OsflowError) as err:
        find_operation(modern, "paws")
    assert str(err.value) == "unknown operation 'paws'; closest: pause"
    with pytest.raises(OsflowError) as err:
        find_operation(modern, "live-migrat")
    assert str(err.value).startswith("unknown operation 'live-migrat'; closest: live-migrate")


def test_unknown_name_with_nothing_close(modern):
    with pytest.raises(OsflowError, match="unknown operation 'xyzzy' in 34.0.0; `osflow ops`"):
        find_operation(modern, "xyzzy")


def test_removed_operation_by_alias_names_the_operation(modern):
    with pytest.raises(OsflowError) as err:
        find_operation(modern, "resetNetwork")
    message = str(err.value)
    assert message.startswith("operation 'resetNetwork' (reset-network) does not exist in "
                              "34.0.0: the handler of action resetNetwork")
    assert "410 Gone (removed in 23.0.0)" in message


def test_tree_without_an_api(tmp_path):
    catalogue = _catalogue(tmp_path, {"nova/compute/api.py": "x = 1\n"})
    assert catalogue.operations == () and "no REST routes found" in catalogue.warnings[0]
    with pytest.raises(OsflowError, match="no REST operations found in test"):
        find_operation(catalogue, "pause")


def test_client_table_is_well_formed():
    for name, (method, path, action) in CLIENT_COMMANDS.items():
        assert name == name.lower() and "_" not in name
        assert method in {"GET", "POST", "PUT", "DELETE"} and path.startswith("/")
        assert (action is None) == (not path.endswith("/action")), name
