"""Synthetic REST API layers for the operation catalogue (tests/test_catalogue.py, CLI)."""

from __future__ import annotations

_WSGI = """
    class Controller(object):
        def __init__(self):
            pass

    def action(name):
        def decorator(func):
            func.wsgi_action = name
            return func
        return decorator

    def response(code):
        return lambda f: f

    def removed(version, reason=None):
        return lambda f: f

    def expected_errors(errors):
        return lambda f: f

    class Resource(object):
        def __init__(self, controller):
            self.controller = controller

        def register_subcontroller_actions(self, controller):
            pass
    """

# routes.py layout (16.0.0 and later): ROUTE_LIST and functools.partial factories.
MODERN_API = {
    "nova/api/openstack/wsgi.py": _WSGI,
    "nova/api/openstack/compute/routes.py": """
        import functools

        from nova.api.openstack.compute import admin_actions
        from nova.api.openstack.compute import aggregates
        from nova.api.openstack.compute import consoles
        from nova.api.openstack.compute import flavors
        from nova.api.openstack.compute import hypervisors
        from nova.api.openstack.compute import instance_actions
        from nova.api.openstack.compute import migrate_server
        from nova.api.openstack.compute import networks
        from nova.api.openstack.compute import pause_server
        from nova.api.openstack.compute import remote_consoles
        from nova.api.openstack.compute import server_external_events
        from nova.api.openstack.compute import server_tags
        from nova.api.openstack.compute import servers
        from nova.api.openstack.compute import versionsV21
        from nova.api.openstack.compute import volume_attachments
        from nova.api.openstack import wsgi


        def _create_controller(main_controller, action_controller_list):
            controller = wsgi.Resource(main_controller())
            for ctl in action_controller_list:
                controller.register_subcontroller_actions(ctl())
            return controller


        aggregates_controller = functools.partial(_create_controller,
            aggregates.AggregateController, [])

        flavor_controller = functools.partial(_create_controller,
            flavors.FlavorsController, [])

        hypervisors_controller = functools.partial(_create_controller,
            hypervisors.HypervisorsController, [])

        network_controller = functools.partial(_create_controller,
            networks.NetworkController, [])

        version_controller = functools.partial(_create_controller,
            versionsV21.VersionsController, [])

        server_controller = functools.partial(_create_controller,
            servers.ServersController,
            [
                admin_actions.AdminActionsController,
                migrate_server.MigrateServerController,
                pause_server.PauseServerController,
                remote_consoles.RemoteConsolesController,
            ]
        )

        consoles_controller = functools.partial(_create_controller,
            consoles.ConsolesController, [])

        instance_actions_controller = functools.partial(_create_controller,
            instance_actions.InstanceActionsController, [])

        server_external_events_controller = functools.partial(_create_controller,
            server_external_events.ServerExternalEventsController, [])

        server_remote_consoles_controller = functools.partial(_create_controller,
            remote_consoles.RemoteConsolesController, [])

        server_tags_controller = functools.partial(_create_controller,
            server_tags.ServerTagsController, [])

        server_volume_attachments_controller = functools.partial(_create_controller,
            volume_attachments.VolumeAttachmentController, [])

        ROUTE_LIST = (
            ('', '/'),
            ('/', {
                'GET': [version_controller, 'show']
            }),
            ('/versions/{id}', {
                'GET': [version_controller, 'show']
            }),
            ('/flavors', {
                'GET': [flavor_controller, 'index'],
            }),
            ('/flavors/detail', {
                'GET': [flavor_controller, 'detail'],
            }),
            ('/flavors/{id}/action', {
                'POST': [flavor_controller, 'action']
            }),
            ('/os-aggregates/{id}/action', {
                'POST': [aggregates_controller, 'action'],
            }),
            ('/os-hypervisors', {
                'GET': [hypervisors_controller, 'index']
            }),
            ('/os-hypervisors/detail', {
                'GET': [hypervisors_controller, 'detail']
            }),
            ('/os-hypervisors/{id}/uptime', {
                'GET': [hypervisors_controller, 'uptime']
            }),
            ('/os-hypervisors/{id}/servers', {
                'GET': [hypervisors_controller, 'servers']
            }),
            ('/os-networks/grow', {
                'POST': [network_controller, 'grow']
            }),
            ('/os-networks/{id}/action', {
                'POST': [network_controller, 'action']
            }),
            ('/os-server-external-events', {
                'POST': [server_external_events_controller, 'create']
            }),
            ('/servers', {
                'GET': [server_controller, 'index'],
                'POST': [server_controller, 'create']
            }),
            ('/servers/detail', {
                'GET': [server_controller, 'detail']
            }),
            ('/servers/{id}', {
                'GET': [server_controller, 'show'],
                'PUT': [server_controller, 'update'],
                'DELETE': [server_controller, 'delete']
            }),
            ('/servers/{id}/action', {
                'POST': [server_controller, 'action']
            }),
            ('/servers/{server_id}/consoles', {
                'GET': [consoles_controller, 'index'],
            }),
            ('/servers/{server_id}/os-instance-actions', {
                'GET': [instance_actions_controller, 'index']
            }),
            ('/servers/{server_id}/os-instance-actions/{id}', {
                'GET': [instance_actions_controller, 'show']
            }),
            ('/servers/{server_id}/os-volume_attachments', {
                'GET': [server_volume_attachments_controller, 'index'],
                'POST': [server_volume_attachments_controller, 'create'],
            }),
            ('/servers/{server_id}/os-volume_attachments/{id}', {
                'DELETE': [server_volume_attachments_controller, 'delete']
            }),
            ('/servers/{server_id}/remote-consoles', {
                'POST': [server_remote_consoles_controller, 'create']
            }),
            ('/servers/{server_id}/tags', {
                'GET': [server_tags_controller, 'index'],
            }),
        )
        """,
    "nova/api/openstack/compute/flavors.py": """
        from nova.api.openstack import wsgi

        class FlavorsController(wsgi.Controller):
            def index(self, req):
                pass

            def detail(self, req):
                pass

            @wsgi.action('addTenantAccess')
            def _add_tenant_access(self, req, id, body):
                pass

            @wsgi.action('grantAll')
            def _grant_all(self, req, id, body):
                pass
        """,
    "nova/api/openstack/api_version_request.py": """
        MAX_PROXY_API_SUPPORT_VERSION = '2.35'
        """,
    "nova/api/openstack/compute/aggregates.py": """
        from nova.api.openstack import wsgi

        class AggregateController(wsgi.Controller):
            @wsgi.action('add_host')
            def _add_host(self, req, id, body):
                pass

            @wsgi.action('cache_images_now')
            def _cache_images_now(self, req, id, body):
                pass
        """,
    "nova/api/openstack/compute/hypervisors.py": """
        from nova.api.openstack import api_version_request
        from nova.api.openstack import wsgi

        class HypervisorsController(wsgi.Controller):
            def index(self, req):
                pass

            @wsgi.Controller.api_version('2.1', api_version_request.MAX_PROXY_API_SUPPORT_VERSION)
            def detail(self, req):
                pass

            @wsgi.api_version('2.1', '2.87')
            def uptime(self, req, id):
                pass

            @wsgi.Controller.api_version('2.53')
            def servers(self, req, id):
                pass

            @wsgi.Controller.api_version('2.1', '2.52')  # noqa
            def servers(self, req, id):
                pass
        """,
    "nova/api/openstack/compute/networks.py": """
        from nova.api.openstack import wsgi

        class NetworkController(wsgi.Controller):
            def grow(self, req, body):
                pass

            @wsgi.action('grow')
            def _grow(self, req, id, body):
                pass
        """,
    "nova/api/openstack/compute/versionsV21.py": """
        from nova.api.openstack import wsgi

        class VersionsController(wsgi.Controller):
            def show(self, req, id='v2.1'):
                pass
        """,
    "nova/api/openstack/compute/servers.py": """
        from nova.api.openstack import wsgi
        from nova import compute

        class ServersController(wsgi.Controller):
            def __init__(self):
                super(ServersController, self).__init__()
                self.compute_api = compute.API()

            def index(self, req):
                pass

            def detail(self, req):
                pass

            def show(self, req, id):
                pass

            @wsgi.response(202)
            def create(self, req, body):
                pass

            def update(self, req, id, body):
                pass

            @wsgi.response(204)
            def delete(self, req, id):
                pass

            @wsgi.response(202)
            @wsgi.action('reboot')
            def _action_reboot(self, req, id, body):
                pass

            @wsgi.action('createImage')
            def _action_create_image(self, req, id, body):
                pass
        """,
    "nova/api/openstack/compute/admin_actions.py": """
        from webob import exc

        from nova.api.openstack import wsgi

        _removal_reason = 'nova-network is gone'

        class AdminActionsController(wsgi.Controller):
            @wsgi.action('resetNetwork')
            @wsgi.removed('23.0.0', _removal_reason)
            def _reset_network(self, req, id, body):
                raise exc.HTTPGone()

            @wsgi.action('os-resetState')
            def _reset_state(self, req, id, body):
                pass

            @wsgi.action('injectNetworkInfo')
            def _inject_network_info(self, req, id, body):
                if not body:
                    raise exc.HTTPBadRequest()
                return None
        """,
    "nova/api/openstack/compute/migrate_server.py": """
        from nova.api.openstack import wsgi

        class BaseMigrate(wsgi.Controller):
            @wsgi.action('migrate')
            def _migrate(self, req, id, body):
                pass

        class MigrateServerController(BaseMigrate):
            @wsgi.response(202)
            @wsgi.action('os-migrateLive')
            def _migrate_live(self, req, id, body):
                pass
        """,
    "nova/api/openstack/compute/pause_server.py": """
        from nova.api.openstack import wsgi

        class PauseServerController(wsgi.Controller):
            @wsgi.response(202)
            @wsgi.action('pause')
            def _pause(self, req, id, body):
                pass

            @wsgi.response(202)
            @wsgi.action('unpause')
            def _unpause(self, req, id, body):
                pass
        """,
    "nova/api/openstack/compute/remote_consoles.py": """
        from nova.api.openstack import wsgi

        class RemoteConsolesController(wsgi.Controller):
            @wsgi.action('os-getSPICEConsole')
            def get_spice_console(self, req, id, body):
                pass

            def create(self, req, server_id, body):
                pass
        """,
    "nova/api/openstack/compute/consoles.py": """
        from webob import exc

        from nova.api.openstack import wsgi

        class ConsolesController(wsgi.Controller):
            def index(self, req, server_id):
                raise exc.HTTPGone()
        """,
    "nova/api/openstack/compute/instance_actions.py": """
        from nova.api.openstack import wsgi

        class InstanceActionsController(wsgi.Controller):
            def index(self, req, server_id):
                pass

            def show(self, req, server_id, id):
                pass
        """,
    "nova/api/openstack/compute/server_external_events.py": """
        from nova.api.openstack import wsgi

        class ServerExternalEventsController(wsgi.Controller):
            def create(self, req, body):
                pass
        """,
    "nova/api/openstack/compute/server_tags.py": """
        from nova.api.openstack import wsgi

        class ServerTagsController(wsgi.Controller):
            def show(self, req, server_id, id):
                pass
        """,
    "nova/api/openstack/compute/volume_attachments.py": """
        from nova.api.openstack import wsgi

        class VolumeAttachmentController(wsgi.Controller):
            def index(self, req, server_id):
                pass

            def create(self, req, server_id, body):
                pass

            def delete(self, req, server_id, id):
                pass
        """,
}

# The v2.1 extension layout (Liberty 12.0.0 to Ocata 15.x): no routes.py.
LIBERTY_API = {
    "nova/api/openstack/wsgi.py": _WSGI,
    "nova/api/openstack/extensions.py": """
        class V21APIExtensionBase(object):
            def __init__(self, extension_info):
                self.extension_info = extension_info

        class ResourceExtension(object):
            def __init__(self, collection, controller=None, parent=None,
                         collection_actions=None, member_actions=None,
                         custom_routes_fn=None, inherits=None, member_name=None):
                self.collection = collection

        class ControllerExtension(object):
            def __init__(self, extension, collection, controller):
                self.collection = collection
        """,
    "nova/api/openstack/compute/servers.py": """
        from nova.api.openstack import extensions
        from nova.api.openstack import wsgi

        ALIAS = 'servers'

        class ServersController(wsgi.Controller):
            def __init__(self, **kwargs):
                self.extension_info = kwargs.pop('extension_info')

            def index(self, req):
                pass

            def detail(self, req):
                pass

            def show(self, req, id):
                pass

            def create(self, req, body):
                pass

            def update(self, req, id, body):
                pass

            def delete(self, req, id):
                pass

            @wsgi.action('reboot')
            def _action_reboot(self, req, id, body):
                pass

        class Servers(extensions.V21APIExtensionBase):
            name = "Servers"
            alias = ALIAS

            def get_resources(self):
                member_actions = {'action': 'POST'}
                collection_actions = {'detail': 'GET'}
                resources = [
                    extensions.ResourceExtension(
                        ALIAS,
                        ServersController(extension_info=self.extension_info),
                        member_name='server', collection_actions=collection_actions,
                        member_actions=member_actions)]
                return resources

            def get_controller_extensions(self):
                return []
        """,
    "nova/api/openstack/compute/pause_server.py": """
        from nova.api.openstack import extensions
        from nova.api.openstack import wsgi

        ALIAS = "os-pause-server"

        class PauseServerController(wsgi.Controller):
            @wsgi.action('pause')
            def _pause(self, req, id, body):
                pass

            @wsgi.action('unpause')
            def _unpause(self, req, id, body):
                pass

        class PauseServer(extensions.V21APIExtensionBase):
            alias = ALIAS

            def get_controller_extensions(self):
                controller = PauseServerController()
                extension = extensions.ControllerExtension(self, 'servers', controller)
                return [extension]

            def get_resources(self):
                return []
        """,
    "nova/api/openstack/compute/admin_actions.py": """
        from nova.api.openstack import extensions as exts
        from nova.api.openstack import wsgi

        class AdminActionsController(wsgi.Controller):
            @wsgi.action('resetNetwork')
            def _reset_network(self, req, id, body):
                pass

        class AdminActions(exts.V21APIExtensionBase):
            def get_controller_extensions(self):
                return [exts.ControllerExtension(self, 'servers', AdminActionsController())]

            def get_resources(self):
                return []
        """,
    "nova/api/openstack/compute/volumes.py": """
        from nova.api.openstack import extensions
        from nova.api.openstack import wsgi

        ALIAS = "os-volumes"

        class VolumeController(wsgi.Controller):
            def index(self, req):
                pass

            def detail(self, req):
                pass

        class VolumeAttachmentController(wsgi.Controller):
            def index(self, req, server_id):
                pass

            def create(self, req, server_id, body):
                pass

            def delete(self, req, server_id, id):
                pass

        class Volumes(extensions.V21APIExtensionBase):
            def get_resources(self):
                resources = []
                res = extensions.ResourceExtension(
                    ALIAS, VolumeController(), collection_actions={'detail': 'GET'})
                resources.append(res)
                res = extensions.ResourceExtension('os-volumes_boot', inherits='servers')
                resources.append(res)
                res = extensions.ResourceExtension('os-volume_attachments',
                                                   VolumeAttachmentController(),
                                                   parent=dict(
                                                        member_name='server',
                                                        collection_name='servers'))
                resources.append(res)
                return resources

            def get_controller_extensions(self):
                return []
        """,
    "nova/api/openstack/compute/server_metadata.py": """
        from nova.api.openstack import extensions
        from nova.api.openstack import wsgi

        class ServerMetadataController(wsgi.Controller):
            def index(self, req, server_id):
                pass

            def update_all(self, req, server_id, body):
                pass

        class ServerMetadata(extensions.V21APIExtensionBase):
            def get_resources(self):
                parent = {'member_name': 'server',
                          'collection_name': 'servers'}
                resources = [extensions.ResourceExtension('metadata',
                                                          ServerMetadataController(),
                                                          member_name='server_meta',
                                                          parent=parent,
                                                          custom_routes_fn=
                                                          self.server_metadata_map
                                                          )]
                return resources

            def get_controller_extensions(self):
                return []

            def server_metadata_map(self, mapper, wsgi_resource):
                mapper.connect("metadata",
                               "/{project_id}/servers/{server_id}/metadata",
                               controller=wsgi_resource,
                               action='update_all', conditions={"method": ['PUT']})
        """,
    "nova/api/openstack/compute/server_password.py": """
        from nova.api.openstack import extensions
        from nova.api.openstack import wsgi

        ALIAS = 'os-server-password'

        class ServerPasswordController(wsgi.Controller):
            def index(self, req, server_id):
                pass

            def clear(self, req, server_id):
                pass

        class ServerPassword(extensions.V21APIExtensionBase):
            def get_resources(self):
                resources = [
                    extensions.ResourceExtension(
                        ALIAS, ServerPasswordController(),
                        collection_actions={'clear': 'DELETE'},
                        parent=dict(member_name='server', collection_name='servers'))]
                return resources

            def get_controller_extensions(self):
                return []
        """,
    "nova/api/openstack/compute/server_migrations.py": """
        from nova.api.openstack import extensions
        from nova.api.openstack import wsgi

        class ServerMigrationsController(wsgi.Controller):
            @wsgi.action('force_complete')
            def _force_complete(self, req, id, server_id, body):
                pass

        class ServerMigrations(extensions.V21APIExtensionBase):
            def get_resources(self):
                parent = {'member_name': 'server',
                          'collection_name': 'servers'}
                member_actions = {'action': 'POST'}
                resources = [extensions.ResourceExtension(
                    'migrations', ServerMigrationsController(),
                    parent=parent, member_actions=member_actions)]
                return resources

            def get_controller_extensions(self):
                return []
        """,
    "nova/api/openstack/compute/flavors.py": """
        from nova.api.openstack import extensions
        from nova.api.openstack import wsgi

        ALIAS = 'flavors'

        class FlavorsController(wsgi.Controller):
            def index(self, req):
                pass

            def show(self, req, id):
                pass

        class Flavors(extensions.V21APIExtensionBase):
            def get_resources(self):
                return [extensions.ResourceExtension(ALIAS, FlavorsController(),
                                                     member_name='flavor')]

            def get_controller_extensions(self):
                return []
        """,
    "nova/api/openstack/compute/flavor_manage.py": """
        from nova.api.openstack import extensions
        from nova.api.openstack import wsgi

        class FlavorManageController(wsgi.Controller):
            @wsgi.action("create")
            def _create(self, req, body):
                pass

            @wsgi.action("delete")
            def _delete(self, req, id):
                pass

        class FlavorManage(extensions.V21APIExtensionBase):
            def get_resources(self):
                return []

            def get_controller_extensions(self):
                return [extensions.ControllerExtension(self, 'flavors',
                                                       FlavorManageController())]
        """,
    "nova/api/openstack/compute/server_groups.py": """
        from nova.api.openstack import extensions
        from nova.api.openstack import wsgi

        ALIAS = "os-server-groups"

        class ServerGroupController(wsgi.Controller):
            def index(self, req):
                pass

        class ServerGroups(extensions.V21APIExtensionBase):
            def get_resources(self):
                res = extensions.ResourceExtension(
                         ALIAS, controller=ServerGroupController(),
                         member_actions={"action": "POST", })
                return [res]

            def get_controller_extensions(self):
                return []
        """,
    "nova/api/openstack/compute/keypairs.py": """
        from nova.api.openstack import extensions
        from nova.api.openstack import wsgi

        ALIAS = 'os-keypairs'

        class KeypairController(wsgi.Controller):
            @wsgi.Controller.api_version("2.10")
            def create(self, req, body):
                pass

            @wsgi.Controller.api_version("2.2", "2.9")  # noqa
            def create(self, req, body):
                pass

            @wsgi.Controller.api_version("2.1", "2.1")  # noqa
            def create(self, req, body):
                pass

            @wsgi.Controller.api_version("2.1", "2.1")
            def show(self, req, id):
                pass

            @wsgi.Controller.api_version("2.2", "2.9")  # noqa
            def show(self, req, id):
                pass

        class Keypairs(extensions.V21APIExtensionBase):
            def get_resources(self):
                return [extensions.ResourceExtension(ALIAS, KeypairController())]

            def get_controller_extensions(self):
                return []
        """,
    # The legacy v2 API is not served by the v2.1 router: it must be ignored.
    "nova/api/openstack/compute/legacy_v2/contrib/old.py": """
        from nova.api.openstack import extensions
        from nova.api.openstack import wsgi

        class OldController(wsgi.Controller):
            @wsgi.action('oldAction')
            def _old(self, req, id, body):
                pass

        class Old(extensions.V21APIExtensionBase):
            def get_controller_extensions(self):
                return [extensions.ControllerExtension(self, 'servers', OldController())]
        """,
}
