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
