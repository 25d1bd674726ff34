"""Small synthetic Sahara-like trees (kept apart from tests/trees.py)."""

from __future__ import annotations

# A client whose cast/call go through a wrapper object (the base class holds the messaging
# client and exposes cast(name, **kw) / call(name, **kw)), and a server class whose base
# builds the RPC server with itself as the endpoint.
SAHARA_RPC = {
    "sahara/utils/rpc.py": """
        import oslo_messaging as messaging
        from oslo_messaging.rpc import dispatcher

        from sahara import context

        MESSAGING_TRANSPORT = None


        class RPCClient(object):
            def __init__(self, target):
                self.__client = messaging.get_rpc_client(
                    target=target, transport=MESSAGING_TRANSPORT)

            def cast(self, name, **kwargs):
                ctx = context.current()
                self.__client.cast(ctx.to_dict(), name, **kwargs)

            def call(self, name, **kwargs):
                ctx = context.current()
                return self.__client.call(ctx.to_dict(), name, **kwargs)


        class RPCServer(object):
            def __init__(self, target):
                self.__server = messaging.get_rpc_server(
                    target=target, transport=MESSAGING_TRANSPORT, endpoints=[self],
                    executor='eventlet', access_policy=dispatcher.DefaultRPCAccessPolicy)

            def get_service(self):
                return self.__server
        """,
    "sahara/context.py": """
        def current():
            return None
        """,
    "sahara/service/ops.py": """
        import oslo_messaging as messaging

        from sahara.utils import rpc as rpc_utils

        TOPIC = 'sahara-ops'


        class RemoteOps(rpc_utils.RPCClient):
            def __init__(self):
                target = messaging.Target(topic=TOPIC, version='1.0')
                super(RemoteOps, self).__init__(target)

            def provision_cluster(self, cluster_id):
                self.cast('provision_cluster', cluster_id=cluster_id)

            def get_engine_type_and_version(self):
                return self.call('get_engine_type_and_version')

            def forgotten(self, cluster_id):
                self.cast('forgotten', cluster_id=cluster_id)


        class OpsServer(rpc_utils.RPCServer):
            def __init__(self):
                target = messaging.Target(topic='sahara-ops', server='x', version='1.0')
                super(OpsServer, self).__init__(target)

            def provision_cluster(self, cluster_id):
                pass

            def get_engine_type_and_version(self):
                return 'heat.3.0'
        """,
}


# A Flask REST API: a blueprint class deriving from flask.Blueprint through another, view
# functions decorated by its route methods, mounted by the application module directly and
# through a function given the URL prefix.
FLASK_API = {
    "sahara/utils/api.py": """
        import flask


        class Rest(flask.Blueprint):
            def get(self, rule, status_code=200):
                return self._mroute('GET', rule, status_code)

            def post(self, rule, status_code=202):
                return self._mroute('POST', rule, status_code)

            def delete(self, rule, status_code=204):
                return self._mroute('DELETE', rule, status_code)

            def patch(self, rule, status_code=202):
                return self.route(rule, methods=['PATCH'], status_code=status_code)

            def _mroute(self, methods, rule, status_code=None, **kw):
                return self.route(rule, methods=[methods], status_code=status_code, **kw)


        class RestV2(Rest):
            def __init__(self, *args, **kwargs):
                super(RestV2, self).__init__(*args, **kwargs)
        """,
    "sahara/api/acl.py": """
        class Router(object):
            def get(self, rule):
                return self.route(rule, methods=['GET'])


        def enforce(rule):
            def decorator(func):
                return func
            return decorator
        """,
    "sahara/api/v2/__init__.py": """
        from sahara.api.v2 import clusters
        from sahara.api.v2 import widgets


        def register_blueprints(app, url_prefix):
            app.register_blueprint(clusters.rest, url_prefix=url_prefix)
            app.register_blueprint(widgets.rest, url_prefix=url_prefix)
        """,
    "sahara/api/v2/clusters.py": """
        from sahara.api import acl
        import sahara.utils.api as u

        rest = u.RestV2('clusters', __name__)


        @rest.post('/clusters')
        @acl.enforce("data-processing:cluster:create")
        def clusters_create(data):
            return data


        @rest.get('/clusters/<cluster_id>')
        @acl.enforce("data-processing:cluster:get")
        def clusters_get(cluster_id):
            return cluster_id


        @rest.patch('/clusters/<cluster_id>')
        @acl.enforce("data-processing:cluster:scale")
        def clusters_scale(cluster_id, data):
            return data


        def not_a_view():
            return None
        """,
    "sahara/api/v2/widgets.py": """
        import sahara.utils.api as u

        rest = u.RestV2('widgets', __name__)


        @rest.get('/widgets')
        def widgets_list():
            return []


        @rest.delete('/widgets/<int:widget_id>', status_code=200)
        def widgets_delete(widget_id):
            return None
        """,
    "sahara/api/v10.py": """
        import sahara.utils.api as u

        rest = u.Rest('v10', __name__)


        @rest.post('/clusters')
        def clusters_create(data):
            return data
        """,
    "sahara/api/middleware/app.py": """
        import flask

        from sahara.api import v10 as api_v10
        from sahara.api import v2 as api_v2


        def build_app():
            app = flask.Flask('sahara.api')
            app.register_blueprint(api_v10.rest, url_prefix='/v1.1')
            api_v2.register_blueprints(app, url_prefix='/v2')
            return app
        """,
}
