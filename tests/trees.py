"""Small synthetic Nova-like trees, written per test for each code pattern."""

from __future__ import annotations

import textwrap
from pathlib import Path


def write_tree(root: Path, files: dict[str, str]) -> Path:
    """Write `files` (relative path -> source) under `root`, with package __init__ files."""
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"))
    for path in list(root.rglob("*.py")):
        for parent in path.relative_to(root).parents:
            if str(parent) == ".":
                continue
            init = root / parent / "__init__.py"
            if not init.exists():
                init.write_text("")
    return root


# A modern layout: SERVICE_MANAGERS, a router-based compute client with helpers,
# conductor with a task namespace, scheduler with fanout.
MODERN = {
    "nova/service.py": """
        SERVICE_MANAGERS = {
            'nova-compute': 'nova.compute.manager.ComputeManager',
            'nova-conductor': 'nova.conductor.manager.ConductorManager',
            'nova-scheduler': 'nova.scheduler.manager.SchedulerManager',
        }
        """,
    "nova/rpc.py": """
        import oslo_messaging as messaging

        def get_client(target, version_cap=None, serializer=None):
            return messaging.RPCClient(None, target, version_cap=version_cap)

        class ClientRouter(object):
            def __init__(self, default_client):
                self.default_client = default_client

            def client(self, context):
                return self.default_client
        """,
    "nova/manager.py": """
        class Manager(object):
            def __init__(self):
                self.additional_endpoints = []

            def reset(self):
                pass
        """,
    "nova/compute/rpcapi.py": """
        import oslo_messaging as messaging
        from nova import rpc

        RPC_TOPIC = 'compute'
        RPC_TOPIC_ALT = 'compute-alt'
        _ROUTER = None

        def _compute_host(host, instance):
            return host or instance.host

        class ComputeAPI(object):
            @property
            def router(self):
                target = messaging.Target(topic=RPC_TOPIC, version='6.0')
                default_client = self.get_client(target, None, None)
                return rpc.ClientRouter(default_client)

            def _ver(self, ctxt, old):
                client = self.router.client(ctxt)
                if client.can_send_version('6.0'):
                    return '6.0'
                else:
                    return old

            def get_client(self, target, version_cap, serializer):
                return rpc.get_client(target, version_cap=version_cap)

            def prepare_for_alt_rpcserver(self, client, server, version, **kwargs):
                topic = RPC_TOPIC_ALT
                if not client.can_send_version('6.5'):
                    topic = RPC_TOPIC
                params = {'server': server, 'version': version, 'topic': topic}
                params.update(kwargs)
                return client.prepare(**params)

            def pause_instance(self, ctxt, instance):
                version = self._ver(ctxt, '5.0')
                cctxt = self.router.client(ctxt).prepare(
                    server=_compute_host(None, instance), version=version)
                cctxt.cast(ctxt, 'pause_instance', instance=instance)

            def check_can_live_migrate_source(self, ctxt, instance, dest_check_data):
                version = '6.0'
                client = self.router.client(ctxt)
                cctxt = self.prepare_for_alt_rpcserver(
                    client, server=_compute_host(None, instance), version=version)
                return cctxt.call(ctxt, 'check_can_live_migrate_source',
                                  instance=instance, dest_check_data=dest_check_data)

            def confirm_resize(self, ctxt, instance, migration, host, cast=True):
                client = self.router.client(ctxt)
                cctxt = client.prepare(server=host, version='6.0')
                rpc_method = cctxt.cast if cast else cctxt.call
                return rpc_method(ctxt, 'confirm_resize', instance=instance)

            def stop_instance(self, ctxt, instance, do_cast=True):
                cctxt = self.router.client(ctxt).prepare(server=instance.host, version='6.0')
                rpc_method = cctxt.cast if do_cast else cctxt.call
                return rpc_method(ctxt, 'stop_instance', instance=instance)

            def reset_network(self, ctxt, instance):
                return self._reset(ctxt, instance)

            def _reset(self, ctxt, instance):
                cctxt = self.router.client(ctxt).prepare(server=instance.host, version='6.0')
                cctxt.cast(ctxt, 'reset_network', instance=instance)
        """,
    "nova/compute/manager.py": """
        import oslo_messaging as messaging
        from nova import manager

        class ComputeManager(manager.Manager):
            target = messaging.Target(version='6.5')

            def __init__(self):
                super(ComputeManager, self).__init__()
                self.additional_endpoints.append(_ComputeV5Proxy(self))

            def pause_instance(self, context, instance):
                pass

            def check_can_live_migrate_source(self, ctxt, instance, dest_check_data):
                return {}

            def confirm_resize(self, context, instance, migration):
                pass

            def stop_instance(self, context, instance, clean_shutdown):
                pass

        class _ComputeV5Proxy(object):
            target = messaging.Target(version='5.13')

            def __init__(self, manager):
                self.manager = manager

            def pause_instance(self, context, instance):
                return self.manager.pause_instance(context, instance)

            def reset_network(self, context, instance):
                return self.manager.reset(context, instance)
        """,
    "nova/conductor/rpcapi.py": """
        import oslo_messaging as messaging
        from nova import rpc

        RPC_TOPIC = 'conductor'

        class ComputeTaskAPI(object):
            def __init__(self):
                target = messaging.Target(topic=RPC_TOPIC, namespace='compute_task',
                                          version='1.0')
                self.client = rpc.get_client(target)

            def migrate_server(self, context, instance, do_cast=False):
                kw = {'instance': instance, 'host_list': None}
                version = '1.20'
                if not self.client.can_send_version(version):
                    del kw['host_list']
                    version = '1.13'
                if not self.client.can_send_version(version):
                    version = '1.11'
                cctxt = self.client.prepare(version=version, timeout=CONF.long_rpc_timeout)
                if do_cast:
                    return cctxt.cast(context, 'migrate_server', **kw)
                return cctxt.call(context, 'migrate_server', **kw)

            def build_instances(self, context, instances):
                cctxt = self.client.prepare(version='1.19')
                cctxt.cast(context, 'build_instances', instances=instances)
        """,
    "nova/conductor/manager.py": """
        import oslo_messaging as messaging
        from nova import manager

        class ConductorManager(manager.Manager):
            target = messaging.Target(version='3.0')

            def __init__(self):
                super(ConductorManager, self).__init__()
                self.compute_task_mgr = ComputeTaskManager()
                self.additional_endpoints.append(self.compute_task_mgr)

        class ComputeTaskManager(object):
            target = messaging.Target(namespace='compute_task', version='1.26')

            def migrate_server(self, context, instance, do_cast=False):
                pass

            def build_instances(self, context, instances):
                pass
        """,
    "nova/scheduler/rpcapi.py": """
        import oslo_messaging as messaging
        from nova import rpc

        RPC_TOPIC = "scheduler"

        class SchedulerAPI(object):
            def __init__(self):
                target = messaging.Target(topic=RPC_TOPIC, version='4.0')
                self.client = rpc.get_client(target)

            def select_destinations(self, ctxt, spec_obj):
                cctxt = self.client.prepare(version='4.5')
                return cctxt.call(ctxt, 'select_destinations', spec_obj=spec_obj)

            def update_aggregates(self, ctxt, aggregates):
                cctxt = self.client.prepare(fanout=True, version='4.1')
                cctxt.cast(ctxt, 'update_aggregates', aggregates=aggregates)

            def forgotten(self, ctxt):
                cctxt = self.client.prepare(version='4.0')
                cctxt.cast(ctxt, 'no_such_handler')
        """,
    "nova/scheduler/manager.py": """
        import oslo_messaging as messaging
        from nova import manager as base_manager

        class SchedulerManager(base_manager.Manager):
            target = messaging.Target(version='4.5')

            def select_destinations(self, ctxt, spec_obj):
                return []

            def update_aggregates(self, ctxt, aggregates):
                pass
        """,
}

# A Liberty-era layout: managers named by *_manager options, topics from CONF options,
# an old grammar module, and the classic client form.
LEGACY = {
    "nova/service.py": """
        from oslo_config import cfg

        service_opts = [
            cfg.StrOpt('compute_manager',
                       default='nova.compute.manager.ComputeManager',
                       help='Full class name for the Manager for compute'),
            cfg.StrOpt('cert_manager', default='nova.cert.manager.CertManager'),
        ]
        """,
    "nova/conductor/api.py": """
        from oslo_config import cfg

        conductor_opts = [
            cfg.StrOpt('topic', default='conductor'),
            cfg.StrOpt('manager', default='nova.conductor.manager.ConductorManager'),
        ]
        """,
    "nova/baserpc.py": """
        import oslo_messaging as messaging
        from nova import rpc

        _NAMESPACE = 'baseapi'

        class BaseAPI(object):
            def __init__(self, topic):
                target = messaging.Target(topic=topic, namespace=_NAMESPACE, version='1.0')
                self.client = rpc.get_client(target)

            def ping(self, context, arg, timeout=None):
                cctxt = self.client.prepare(timeout=timeout)
                return cctxt.call(context, 'ping', arg=arg)

        class BaseRPCAPI(object):
            target = messaging.Target(namespace=_NAMESPACE, version='1.1')

            def ping(self, context, arg):
                return arg
        """,
    "nova/compute/rpcapi.py": """
        from oslo_config import cfg
        import oslo_messaging as messaging

        from nova import rpc

        rpcapi_opts = [
            cfg.StrOpt('compute_topic', default='compute'),
        ]
        CONF = cfg.CONF

        class ComputeAPI(object):
            def __init__(self):
                super(ComputeAPI, self).__init__()
                target = messaging.Target(topic=CONF.compute_topic, version='4.0')
                self.client = self.get_client(target, None, None)

            def get_client(self, target, version_cap, serializer):
                return rpc.get_client(target, version_cap=version_cap)

            def pause_instance(self, ctxt, instance):
                version = '4.0'
                cctxt = self.client.prepare(server=_compute_host(None, instance),
                        version=version)
                cctxt.cast(ctxt, 'pause_instance', instance=instance)

            def get_console_output(self, ctxt, instance, tail_length):
                version = '4.0'
                cctxt = self.client.prepare(server=_compute_host(None, instance),
                        version=version)
                return cctxt.call(ctxt, 'get_console_output',
                                  instance=instance, tail_length=tail_length)
        """,
    "nova/compute/manager.py": """
        import oslo_messaging as messaging
        from nova import manager

        class ComputeManager(manager.Manager):
            target = messaging.Target(version='4.5')

            def pause_instance(self, context, instance):
                pass

        """,
    "nova/manager.py": """
        class Manager(object):
            def get_console_output(self, context, instance, tail_length):
                return ''
        """,
    "nova/conductor/rpcapi.py": """
        from oslo_config import cfg
        import oslo_messaging as messaging
        from nova import rpc

        CONF = cfg.CONF
        CONF.import_opt('topic', 'nova.conductor.api', group='conductor')

        class ConductorAPI(object):
            def __init__(self):
                target = messaging.Target(topic=CONF.conductor.topic, version='3.0')
                self.client = rpc.get_client(target)

            def object_action(self, context, objinst, objmethod, args, kwargs):
                cctxt = self.client.prepare()
                return cctxt.call(context, 'object_action', objinst=objinst)

            def object_action_maybe_async(self, context, objinst, do_cast=True):
                cctxt = self.client.prepare(version='3.0')
                method = do_cast and cctxt.cast or cctxt.call
                return method(context, 'object_action', objinst=objinst)

            def object_action_unprepared(self, context, objinst):
                return self.client.call(context, 'object_action', objinst=objinst)
        """,
    "nova/conductor/manager.py": """
        import oslo_messaging as messaging

        class ConductorManager(object):
            target = messaging.Target(version='3.0')

            def object_action(self, context, objinst, objmethod, args, kwargs):
                pass
        """,
    "nova/virt/libvirt/guest.py": """
        class Guest(object):
            def launch(self, pause=False, async=False):
                return async
        """,
    "nova/rpc.py": """
        def get_client(target, version_cap=None, serializer=None):
            return None
        """,
}
