"""Rules Manila needed, on small synthetic trees (tests/trees.py style)."""

from __future__ import annotations

from tests.trees import write_tree
from tracer.catalogue import build_catalogue
from tracer.index import Index
from tracer.profiles.manila import MANILA

MANILA_API = {
    "manila/api/openstack/wsgi.py": """
        class Controller(object):
            pass

        class Resource(object):
            def __init__(self, controller):
                self.controller = controller

        def action(name):
            def decorator(func):
                return func
            return decorator
        """,
    "manila/api/v2/share_export_locations.py": """
        from manila.api.openstack import wsgi

        class ShareExportLocationController(wsgi.Controller):
            def index(self, req, share_id):
                return {}

            def show(self, req, share_id, export_location_uuid):
                return {}

        def create_resource():
            return wsgi.Resource(ShareExportLocationController())
        """,
    "manila/api/v2/router.py": """
        from manila.api.v2 import share_export_locations

        class APIRouter(object):
            def _setup_routes(self, mapper):
                for path_prefix in ['/{project_id}', '']:
                    self.resources["share_export_locations"] = (
                        share_export_locations.create_resource())
                    mapper.connect("share_export_locations",
                                   ("%s/shares/{share_id}"
                                    "/export_locations" % path_prefix),
                                   controller=self.resources["share_export_locations"],
                                   action="index",
                                   conditions={"method": ["GET"]})
                    mapper.connect("share_export_locations",
                                   "%s/shares/{share_id}/export_locations/"
                                   '{export_location_uuid}' % path_prefix,
                                   controller=self.resources["share_export_locations"],
                                   action="show",
                                   conditions={"method": ["GET"]})
        """,
}


def test_a_route_path_of_literals_joined_by_the_parser(tmp_path):
    # `("%s/shares/{share_id}" "/export_locations" % path_prefix)`: Python joins the
    # literals before `%`; the path is theirs, without the project id
    catalogue = build_catalogue(Index(write_tree(tmp_path / "manila", MANILA_API),
                                      package="manila"), "manila test", MANILA)
    ops = {op.name: op for op in catalogue.operations}
    listed = ops["share-export-location-list"]  # manilaclient's name
    assert (listed.method, listed.path) == ("GET", "/shares/{share_id}/export_locations")
    assert listed.handler.endswith("ShareExportLocationController.index")
    shown = ops["share-export-location-show"]
    assert shown.path == "/shares/{share_id}/export_locations/{export_location_uuid}"
    assert not [w for w in catalogue.warnings if "router.py" in w]


MANILA_TREE = {
    "manila/common/config.py": """
        from oslo_config import cfg

        CONF = cfg.CONF
        global_opts = [
            cfg.StrOpt('scheduler_topic', default='manila-scheduler'),
            cfg.StrOpt('share_topic', default='manila-share'),
            cfg.StrOpt('scheduler_manager',
                       default='manila.scheduler.manager.SchedulerManager'),
            cfg.StrOpt('share_manager', default='manila.share.manager.ShareManager'),
            cfg.StrOpt('share_api_class', default='manila.share.api.API'),
            cfg.StrOpt('db_driver', default='manila.db'),
        ]
        CONF.register_opts(global_opts)
        """,
    "manila/rpc.py": """
        import oslo_messaging as messaging

        def get_client(target, version_cap=None):
            return messaging.get_rpc_client(None, target, version_cap=version_cap)
        """,
    "manila/policy.py": """
        import functools

        def authorize(context, action, target, do_raise=True):
            return True

        def check_policy(context, resource, action, target_obj=None, do_raise=True):
            return authorize(context, '%s:%s' % (resource, action), target_obj)

        def wrap_check_policy(resource):
            def check_policy_wraper(func):
                @functools.wraps(func)
                def wrapped(self, context, target_obj, *args, **kwargs):
                    check_policy(context, resource, func.__name__, target_obj)
                    return func(self, context, target_obj, *args, **kwargs)
                return wrapped
            return check_policy_wraper
        """,
    "manila/db/__init__.py": """
        from manila.db.api import *  # noqa
        """,
    "manila/db/api.py": """
        IMPL = None

        def share_get(context, share_id):
            return IMPL.share_get(context, share_id)

        def share_update(context, share_id, values):
            return IMPL.share_update(context, share_id, values)
        """,
    "manila/db/base.py": """
        from oslo_config import cfg
        from oslo_utils import importutils

        CONF = cfg.CONF

        class Base(object):
            def __init__(self, db_driver=None):
                if not db_driver:
                    db_driver = CONF.db_driver
                self.db = importutils.import_module(db_driver)
        """,
    "manila/share/__init__.py": """
        import oslo_utils.importutils as import_utils

        from manila.common import config

        CONF = config.CONF

        API = import_utils.import_class(CONF.share_api_class)
        """,
    "manila/share/rpcapi.py": """
        from oslo_config import cfg
        import oslo_messaging as messaging

        from manila import rpc

        CONF = cfg.CONF

        class ShareAPI(object):
            def __init__(self, topic=None):
                target = messaging.Target(topic=CONF.share_topic, version='1.0')
                self.client = rpc.get_client(target, version_cap='1.30')

            def extend_share(self, context, share, new_size):
                call_context = self.client.prepare(server=share['host'], version='1.2')
                call_context.cast(context, 'extend_share', share_id=share['id'],
                                  new_size=new_size)
        """,
    "manila/scheduler/rpcapi.py": """
        from oslo_config import cfg
        import oslo_messaging as messaging

        from manila import rpc

        CONF = cfg.CONF

        class SchedulerAPI(object):
            def __init__(self):
                target = messaging.Target(topic=CONF.scheduler_topic, version='1.0')
                self.client = rpc.get_client(target, version_cap='1.11')

            def extend_share(self, context, share_id, new_size):
                call_context = self.client.prepare(version='1.11')
                call_context.cast(context, 'extend_share', share_id=share_id,
                                  new_size=new_size)
        """,
    "manila/share/api.py": """
        from manila.db import base
        from manila import policy
        from manila.scheduler import rpcapi as scheduler_rpcapi

        class API(base.Base):
            def __init__(self, db_driver=None):
                super(API, self).__init__(db_driver)
                self.scheduler_rpcapi = scheduler_rpcapi.SchedulerAPI()

            def get(self, context, share_id):
                return self.db.share_get(context, share_id)

            @policy.wrap_check_policy('share')
            def update(self, context, share, fields):
                return self.db.share_update(context, share['id'], fields)

            def extend(self, context, share, new_size):
                policy.check_policy(context, 'share', 'extend', share)
                try:
                    self.db.share_get(context, share['name'])
                except KeyError:
                    pass
                else:
                    raise ValueError('a share of that name exists')
                self.update(context, share, {'status': 'extending'})
                self.scheduler_rpcapi.extend_share(context, share['id'], new_size)
        """,
    "manila/scheduler/drivers/filter.py": """
        from manila.share import rpcapi as share_rpcapi

        class FilterScheduler(object):
            def __init__(self):
                self.share_rpcapi = share_rpcapi.ShareAPI()

            def extend(self, context, share, new_size):
                self.share_rpcapi.extend_share(context, share, new_size)
        """,
    "manila/scheduler/manager.py": """
        from oslo_config import cfg
        from oslo_utils import importutils

        from manila import db

        CONF = cfg.CONF
        MAPPING = {'old.Scheduler': 'manila.scheduler.drivers.filter.FilterScheduler'}

        class SchedulerManager(object):
            def __init__(self, scheduler_driver=None):
                if not scheduler_driver:
                    scheduler_driver = CONF.scheduler_driver
                if scheduler_driver in MAPPING:
                    scheduler_driver = MAPPING[scheduler_driver]
                self.driver = importutils.import_object(scheduler_driver)

            def extend_share(self, context, share_id, new_size):
                share = db.share_get(context, share_id)
                self.driver.extend(context, share, new_size)
        """,
    "manila/share/access.py": """
        class ShareInstanceAccess(object):
            def __init__(self, db, driver):
                self.db = db
                self.driver = driver

            def update_access_rules(self, context, share):
                self.driver.update_access(context, share)
        """,
    "manila/share/driver.py": """
        class ShareDriver(object):
            def extend_share(self, share, new_size):
                raise NotImplementedError()

            def update_access(self, context, share):
                raise NotImplementedError()
        """,
    "manila/share/drivers/generic.py": """
        from manila.share import driver

        class GenericShareDriver(driver.ShareDriver):
            def extend_share(self, share, new_size):
                self._resize(share, new_size)

            def update_access(self, context, share):
                self._allow(share)
        """,
    "manila/share/manager.py": """
        from oslo_config import cfg
        from oslo_utils import importutils

        from manila.db import base
        from manila.share import access

        CONF = cfg.CONF
        profiler = importutils.try_import('osprofiler.profiler')

        class ShareManager(base.Base):
            def __init__(self, share_driver=None):
                super(ShareManager, self).__init__()
                self.driver = importutils.import_object(share_driver)
                self.access_helper = access.ShareInstanceAccess(self.db, self.driver)
                if profiler:
                    self.driver = profiler.trace_cls("driver")(self.driver)

            def extend_share(self, context, share_id, new_size):
                share = self.db.share_get(context, share_id)
                self.driver.extend_share(share, new_size)
                self.access_helper.update_access_rules(context, share)
                self.db.share_update(context, share['id'], {'size': new_size})
        """,
    "manila/api/v2/shares.py": """
        from http import client as http_client

        import webob

        from manila.api.openstack import wsgi
        from manila import share

        class ShareController(wsgi.Controller):
            def __init__(self):
                self.share_api = share.API()

            @wsgi.action('extend')
            def extend(self, req, id, body):
                context = req.environ['manila.context']
                share = self.share_api.get(context, id)
                self.share_api.extend(context, share, body['extend']['new_size'])
                return webob.Response(status_int=http_client.ACCEPTED)

        def create_resource():
            return wsgi.Resource(ShareController())
        """,
    "manila/api/v2/router.py": """
        from manila.api.v2 import shares

        class APIRouter(object):
            def _setup_routes(self, mapper):
                self.resources["shares"] = shares.create_resource()
                mapper.resource("share", "shares", controller=self.resources["shares"],
                                member={"action": "POST"})
        """,
}


def test_a_share_flow_through_the_rules_manila_needed(tmp_path):
    """On a small Manila tree, `osflow trace extend` shows what each rule found:
    `manila.share.API = import_class(CONF.share_api_class)` (a class chosen at import),
    `self.db = import_module(CONF.db_driver)` filled by `from manila.db.api import *` (the
    database steps, the write kept as the share's state), `check_policy(ctx, 'share',
    'extend')` and `@wrap_check_policy('share')` (the rules' names), the scheduler's
    driver held in an attribute (Tracing.held), a lookup meant to fail (a try whose else
    raises: the flow goes on after it) and the share driver handed to a helper
    before the manager wrapped it (the helper calls the chosen driver), and the status of
    the `webob.Response` the handler returns (read for every project)."""
    import json

    from tests.test_cli_rpc import osflow

    tree = write_tree(tmp_path / "manila", {**MANILA_API, **MANILA_TREE})
    result = osflow("trace", "extend", "-s", str(tree), "--format", "json",
                    cache=tmp_path / "c")
    assert result.returncode == 0, result.stderr
    flow = json.loads(result.stdout)
    assert flow["participants"] == ["client", "manila_api", "manila_scheduler",
                                    "manila_share", "database", "generic"]
    steps = [(n["kind"], n["source"], n.get("target"), n["text"]) for n in flow["nodes"]]
    notes = [text for kind, _, _, text in steps if kind == "note"]
    assert "policy: share:extend" in notes
    assert "policy: share:update" in notes
    assert ("db", "manila_api", "database", "db.share_update") in steps
    assert ("cast", "manila_api", "manila_scheduler", "extend_share") in steps
    assert ("db", "manila_scheduler", "database", "db.share_get") in steps
    assert ("cast", "manila_scheduler", "manila_share", "extend_share") in steps
    assert ("driver", "manila_share", "generic", "extend_share") in steps
    # through ShareInstanceAccess, which was given the driver before the manager wrapped it
    assert ("driver", "manila_share", "generic", "update_access") in steps
    assert ("db", "manila_share", "database", "db.share_update") in steps
    assert ("response", "manila_api", "client", "202") in steps


def test_a_standard_method_decorated_as_an_action_keeps_to_its_own_route(tmp_path):
    # Manila's ShareTypesController: `@wsgi.action("create") def create(self, req, body)`
    # serves POST /types; the action route would hand it an id it does not take
    files = dict(MANILA_API)
    files["manila/api/v2/share_types.py"] = """
        from manila.api.openstack import wsgi

        class ShareTypesController(wsgi.Controller):
            @wsgi.action("create")
            def create(self, req, body):
                return {}

            @wsgi.action("update")
            def update(self, req, id, body):
                return {}

        def create_resource():
            return wsgi.Resource(ShareTypesController())
        """
    files["manila/api/v2/router.py"] = """
        from manila.api.v2 import share_types

        class APIRouter(object):
            def _setup_routes(self, mapper):
                self.resources["types"] = share_types.create_resource()
                mapper.resource("type", "types", controller=self.resources["types"],
                                member={"action": "POST"})
        """
    catalogue = build_catalogue(Index(write_tree(tmp_path / "manila", files),
                                      package="manila"), "manila test", MANILA)
    routes = {(op.method, op.path, op.action) for op in catalogue.operations}
    assert ("POST", "/types", None) in routes
    assert ("POST", "/types/{id}/action", "create") not in routes
    # not a standard action in Manila's wsgi.Resource: it answers on the action route
    assert ("POST", "/types/{id}/action", "update") in routes


def test_a_topic_served_by_a_server_its_package_starts(tmp_path):
    # Manila's Huawei driver: its own client (topic 'huawei_v3') and the RPC server its
    # connection module starts with a replication manager as endpoint; no service's
    # manager serves the topic
    from tracer.rpc import build_rpc_model

    files = dict(MANILA_TREE)
    files["manila/share/drivers/huawei/v3/rpcapi.py"] = """
        import oslo_messaging as messaging

        from manila import rpc

        class HuaweiV3API(object):
            def __init__(self):
                self.topic = 'huawei_v3'
                target = messaging.Target(topic=self.topic, version='1.0')
                self.client = rpc.get_client(target, version_cap='1.0')

            def create_replica_pair(self, context, host, info):
                call_context = self.client.prepare(server=host, version='1.0')
                return call_context.call(context, 'create_replica_pair', info=info)
        """
    files["manila/share/drivers/huawei/v3/replication.py"] = """
        class ReplicaPairManager(object):
            def create_replica_pair(self, ctx, info):
                return info
        """
    files["manila/share/drivers/huawei/v3/connection.py"] = """
        import oslo_messaging as messaging

        from manila import rpc
        from manila.share.drivers.huawei.v3 import replication
        from manila.share.drivers.huawei.v3 import rpcapi as v3_rpcapi

        class V3StorageConnection(object):
            def __init__(self):
                self.replica_mgr = replication.ReplicaPairManager()
                self.rpc_client = v3_rpcapi.HuaweiV3API()

            def _setup_rpc_server(self, endpoints):
                target = messaging.Target(topic=self.rpc_client.topic, server='h')
                self.rpc_server = rpc.get_server(target, endpoints)
        """
    model = build_rpc_model(Index(write_tree(tmp_path / "manila", files), package="manila"),
                            "manila test", MANILA)
    pair = next(m for m in model.methods if m.method == "create_replica_pair")
    assert pair.handler == \
        "manila.share.drivers.huawei.v3.replication.ReplicaPairManager.create_replica_pair"
    assert "get_server" in pair.notes[0]
    # without the server started in the package, the method says why it has no handler
    del files["manila/share/drivers/huawei/v3/connection.py"]
    model = build_rpc_model(Index(write_tree(tmp_path / "other", files), package="manila"),
                            "manila test", MANILA)
    pair = next(m for m in model.methods if m.method == "create_replica_pair")
    assert pair.handler is None and pair.notes


def test_a_controller_policy_decorator_and_a_status_a_call_returned(tmp_path):
    """manila/api/openstack/wsgi.py Controller.authorize: `@wsgi.Controller.authorize
    ('shrink')` on ShareController (resource_name = 'share') checks share:shrink before the
    method runs, bare `@authorize` the method's own name (Tracing.policy_decorators);
    manila/api/v2/shares.py ShareController._migration_start answers
    `webob.Response(status_int=return_code)`, return_code being what
    manila/share/api.py API.migration_start returned: 200 (nothing to do) or 202."""
    import json

    from tests.test_cli_rpc import osflow

    api = dict(MANILA_TREE)
    api["manila/api/v2/shares.py"] = """
        import webob

        from manila.api.openstack import wsgi
        from manila import share

        class ShareController(wsgi.Controller):
            resource_name = 'share'

            def __init__(self):
                self.share_api = share.API()

            @wsgi.action('extend')
            @wsgi.Controller.authorize('shrink')
            def extend(self, req, id, body):
                context = req.environ['manila.context']
                share = self.share_api.get(context, id)
                return_code = self.share_api.start(context, share)
                return webob.Response(status_int=return_code)

            @wsgi.action('unmanage')
            @wsgi.Controller.authorize
            def unmanage(self, req, id, body):
                return webob.Response(status_int=202)

        def create_resource():
            return wsgi.Resource(ShareController())
        """
    api["manila/share/api.py"] = MANILA_TREE["manila/share/api.py"] + """
            def start(self, context, share):
                if share['host'] == share['dest']:
                    return 200
                self.scheduler_rpcapi.extend_share(context, share['id'], 1)
                return 202
        """
    tree = write_tree(tmp_path / "manila", {**MANILA_API, **api})
    for op, rule, status in (("extend", "share:shrink", "200 or 202"),
                             ("unmanage", "share:unmanage", "202")):
        result = osflow("trace", op, "-s", str(tree), "--format", "json",
                        cache=tmp_path / "c")
        assert result.returncode == 0, result.stderr
        nodes = list(json.loads(result.stdout)["nodes"])
        steps = []
        while nodes:
            node = nodes.pop(0)
            if "branches" in node:
                nodes[:0] = [n for b in node["branches"] for n in b["nodes"]]
            else:
                steps.append((node["kind"], node["source"], node.get("target"), node["text"]))
        assert ("note", "manila_api", None, f"policy: {rule}") in steps
        assert ("response", "manila_api", "client", status) in steps
