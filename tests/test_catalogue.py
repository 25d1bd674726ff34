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


def test_every_routed_controller_and_its_group(modern):
    ops = _by_name(modern)
    groups = {op.group for op in modern.operations}
    assert {"servers", "flavors", "os-aggregates", "os-hypervisors", "os-networks",
            "os-server-external-events", "versions"} <= groups
    assert (ops["pause"].group, ops["volume-attach"].group) == ("servers", "servers")
    assert ops["server-external-events-create"].group == "os-server-external-events"
    assert ops["flavor-access-add"].group == "flavors"
    add_host = ops["aggregate-add-host"]
    assert (add_host.method, add_host.path, add_host.action) == (
        "POST", "/os-aggregates/{id}/action", "add_host")
    assert add_host.handler == f"{API}.aggregates.AggregateController._add_host"
    uptime = ops["hypervisor-uptime"]
    assert (uptime.method, uptime.path, uptime.group) == (
        "GET", "/os-hypervisors/{id}/uptime", "os-hypervisors")


def test_another_resource_s_actions_and_routes_are_named_after_it(modern):
    """Client commands where novaclient has them, else the resource in the singular,
    the path's other words and the verb; an action of another resource than servers is
    prefixed with it."""
    ops = _by_name(modern)
    assert ops["flavor-grant-all"].action == "grantAll"
    assert ops["aggregate-cache-images-now"].action == "cache_images_now"
    assert ops["hypervisor-list-detail"].path == "/os-hypervisors/detail"
    assert ops["hypervisor-servers"].path == "/os-hypervisors/{id}/servers"
    for op in modern.operations:
        assert op.name == op.name.lower() or op.group == "servers", op.name


def test_a_name_a_client_command_took_is_said_with_the_handler_s_name(modern):
    """novaclient's flavor-list lists with details (GET /flavors/detail): the brief list
    GET /flavors, which would be flavor-list too, is flavor-index."""
    ops = _by_name(modern)
    assert ops["flavor-list"].path == "/flavors/detail"
    assert (ops["flavor-index"].path, ops["flavor-index"].handler) == (
        "/flavors", f"{API}.flavors.FlavorsController.index")
    assert ops["hypervisor-list"].path == "/os-hypervisors"


def test_a_name_two_handlers_share_is_numbered_in_route_order(modern):
    """POST /os-networks/grow (handler grow) and the action grow are both network-grow:
    the first in path order keeps it, the second is network-grow-2, with a warning;
    the same on every run."""
    ops = _by_name(modern)
    assert ops["network-grow"].path == "/os-networks/grow"
    second = ops["network-grow-2"]
    assert (second.path, second.action) == ("/os-networks/{id}/action", "grow")
    assert f"two operations named network-grow: {API}.networks.NetworkController.grow " \
           f"and {API}.networks.NetworkController._grow (the second is network-grow-2)" \
        in modern.warnings


def test_two_routes_of_one_resource_to_one_handler_are_one_operation(modern):
    """GET / and GET /versions/{id} both reach VersionsController.show: one operation,
    at the first route; the root path takes its group from its controller."""
    shows = [op for op in modern.operations if op.handler.endswith("VersionsController.show")]
    assert [(op.name, op.path, op.group) for op in shows] == [("version-show", "/",
                                                               "versions")]


def test_microversion_range_declared_by_the_handler(modern):
    ops = _by_name(modern)
    assert (ops["hypervisor-uptime"].min_version, ops["hypervisor-uptime"].max_version) == (
        "2.1", "2.87")
    # a bound named by a module constant, with the decorator spelled the old way
    detail = ops["hypervisor-list-detail"]
    assert (detail.min_version, detail.max_version) == ("2.1", "2.35")
    # defined once per range: the range spans them
    assert (ops["hypervisor-servers"].min_version, ops["hypervisor-servers"].max_version) \
        == ("2.1", None)
    assert (ops["pause"].min_version, ops["pause"].max_version) == (None, None)


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
    assert {"name", "aliases", "method", "path", "action", "handler", "file", "line",
            "group", "min_version", "max_version"} <= set(data)
    assert data["aliases"] == ["live_migrate", "os-migrateLive"]
    assert data["group"] == "servers"


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


def test_legacy_v2_is_ignored_other_collections_are_read(liberty):
    assert not any(op.action == "oldAction" for op in liberty.operations)
    ops = _by_name(liberty)
    assert (ops["volume-list"].path, ops["volume-list"].group) == ("/os-volumes/detail",
                                                                   "os-volumes")
    assert ops["volume-index"].path == "/os-volumes"
    # os-volumes_boot (inherits=servers) is not a problem, nor a resource that declares
    # `member_actions={'action': 'POST'}` and has no actions (server groups)
    assert liberty.warnings == ()
    assert ops["server-group-list"].group == "os-server-groups"


def test_a_standard_method_served_by_an_extension_s_action(liberty):
    """Liberty's flavor-manage adds `@wsgi.action('create')` to the flavors resource,
    whose controller has no create: it serves POST /flavors (wsgi.Resource._get_method),
    not an action of POST /flavors/{id}/action."""
    ops = _by_name(liberty)
    create = ops["flavor-create"]
    assert (create.method, create.path, create.action) == ("POST", "/flavors", None)
    assert create.handler == f"{API}.flavor_manage.FlavorManageController._create"
    assert ops["flavor-delete"].handler.endswith("FlavorManageController._delete")
    assert not any(op.path == "/flavors/{id}/action" for op in liberty.operations)


def test_microversion_range_of_a_handler_defined_once_per_range(liberty):
    ops = _by_name(liberty)
    assert (ops["keypair-add"].min_version, ops["keypair-add"].max_version) == ("2.1", None)
    assert (ops["keypair-show"].min_version, ops["keypair-show"].max_version) == ("2.1",
                                                                                  "2.9")


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


# --------------------------------------------------------- Cinder: a routes.Mapper router


@pytest.fixture
def cinder(tmp_path):
    from tests.trees import CINDER, CINDER_API
    from tracer.profiles.cinder import CINDER as PROFILE

    return build_catalogue(Index(write_tree(tmp_path / "cinder", {**CINDER, **CINDER_API}),
                                 package="cinder"), "cinder test", PROFILE)


def test_cinder_core_resources_through_create_resource_factories(cinder):
    ops = _by_name(cinder)
    create = ops["create"]  # cinderclient's name
    assert (create.method, create.path, create.group) == ("POST", "/volumes", "volumes")
    assert create.handler == "cinder.api.v3.volumes.VolumeController.create"
    assert ops["list"].path == "/volumes/detail"  # collection={'detail': 'GET'}
    assert ops["delete"].handler == "cinder.api.v3.volumes.VolumeController.delete"


def test_cinder_extension_actions_join_the_resource_they_extend(cinder):
    ops = _by_name(cinder)
    extend = ops["extend"]
    assert (extend.path, extend.action) == ("/volumes/{id}/action", "os-extend")
    assert extend.handler == \
        "cinder.api.contrib.volume_actions.VolumeActionsController._extend"
    # no client command: <resource>-<action without os->, the action as an alias
    init = ops["volume-initialize-connection"]
    assert init.action == "os-initialize_connection"
    assert find_operation(cinder, "os-initialize_connection") == init


def test_cinder_connect_per_project_prefix_and_create_route(cinder):
    ops = _by_name(cinder)
    # `'%s/groups/{id}/action' % path_prefix`: the path without the project id; an action
    # named delete that needs a body answers on the action route, not DELETE /groups/{id}
    delete = ops["group-delete"]
    assert (delete.method, delete.path, delete.action) == \
        ("POST", "/groups/{id}/action", "delete")
    assert ops["group-reset-status"].action == "reset_status"
    assert (ops["cluster-list"].method, ops["cluster-list"].path) == ("GET", "/clusters")
    enable = ops["cluster-enable"]
    assert (enable.method, enable.path) == ("PUT", "/clusters/enable")
    assert not any(w.startswith("cinder/api/v3/router.py") for w in cinder.warnings)


def test_cinder_standard_actions_serve_the_standard_routes(cinder):
    ops = _by_name(cinder)
    # @wsgi.action("create") and ("delete") of an extension serve POST /types and
    # DELETE /types/{id} where the core controller lacks them, and only there
    assert (ops["type-create"].method, ops["type-create"].path) == ("POST", "/types")
    assert ops["type-create"].handler.endswith("VolumeTypesManageController._create")
    assert (ops["type-delete"].method, ops["type-delete"].path) == ("DELETE", "/types/{id}")
    assert not [op for op in cinder.operations if op.path == "/types/{id}/action"]


def test_cinder_a_list_handler_on_one_member_is_a_show_in_the_client_s_singular(tmp_path):
    """cinder/api/v3/router.py (29.0.0): GET /default-types/{id} is served by
    DefaultTypesController.detail (one project's default type), not a list; the resource's
    singular is the one python-cinderclient's commands say (`default-type-list`), as for
    GET /group_types/{id} (`group-type-list`: group-type-show)."""
    from tests.trees import CINDER, CINDER_API
    from tracer.profiles.cinder import CINDER as PROFILE

    extra = {
        "cinder/api/v3/default_types.py": """
            from cinder.api.openstack import wsgi

            class DefaultTypesController(wsgi.Controller):
                def index(self, req):
                    return {}

                def detail(self, req, id):
                    return {}

            def create_resource():
                return wsgi.Resource(DefaultTypesController())
            """,
        "cinder/api/v3/group_types.py": """
            from cinder.api.openstack import wsgi

            class GroupTypesController(wsgi.Controller):
                def index(self, req):
                    return {}

                def show(self, req, id):
                    return {}

            def create_resource():
                return wsgi.Resource(GroupTypesController())
            """,
    }
    router = CINDER_API["cinder/api/v3/router.py"].replace(
        "from cinder.api.v3 import clusters",
        "from cinder.api.v3 import clusters\n        from cinder.api.v3 import default_types"
        "\n        from cinder.api.v3 import group_types").replace(
        "                self.resources['clusters'] = clusters.create_resource()", """\
                self.resources['group_types'] = group_types.create_resource()
                mapper.resource("group_type", "group_types",
                                controller=self.resources['group_types'])
                self.resources['default_types'] = default_types.create_resource()
                mapper.connect("default-types", "/default-types",
                               controller=self.resources['default_types'],
                               action='index', conditions={"method": ['GET']})
                mapper.connect("default-types", "/default-types/{id}",
                               controller=self.resources['default_types'],
                               action='detail', conditions={"method": ['GET']})
                self.resources['clusters'] = clusters.create_resource()""")
    tree = write_tree(tmp_path / "cinder", {**CINDER, **CINDER_API, **extra,
                                            "cinder/api/v3/router.py": router})
    ops = _by_name(build_catalogue(Index(tree, package="cinder"), "cinder test", PROFILE))
    assert (ops["default-type-list"].method, ops["default-type-list"].path) == \
        ("GET", "/default-types")
    show = ops["default-type-show"]
    assert (show.method, show.path) == ("GET", "/default-types/{id}")
    assert show.handler.endswith("DefaultTypesController.detail")
    assert ops["group-type-show"].path == "/group_types/{id}"
    assert not [n for n in ops if n.startswith(("default-types-", "group-types-"))]


def test_cinder_extension_resources_named_by_a_class_attribute(cinder):
    ops = _by_name(cinder)
    restore = ops["backup-restore"]
    assert (restore.method, restore.path, restore.group) == \
        ("POST", "/backups/{id}/restore", "backups")
    assert ops["backup-create"].handler == "cinder.api.contrib.backups.BackupsController.create"
