"""Small synthetic Nova-like trees, written per test for each code pattern."""

from __future__ import annotations

import contextlib
import subprocess
import textwrap
from collections.abc import Iterator
from pathlib import Path


@contextlib.contextmanager
def nested_folders(base: Path, depth: int) -> Iterator[Path]:
    """`depth` folders `a`, one in another, under `base`, with a module in the last; removed
    afterwards by `rm -r`, which walks without recursion: pytest's clean-up of its
    temporary folders (shutil.rmtree) recurses once a level, and a tree left 1,100 deep
    made it fail for every later session sharing them."""
    folder = base
    try:
        for _ in range(depth):
            folder = folder / "a"
            folder.mkdir()
        (folder / "deep.py").write_text("X = 1\n")
        yield folder
    finally:
        subprocess.run(["rm", "-rf", "--", str(base / "a")], check=True)


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


# A tree for the tracer: a REST controller, the compute API, RPC clients and managers of
# compute, conductor (with a task class) and scheduler, a virt driver that calls back into
# the manager, Nova objects and a neutron client. Each part exercises one pattern the
# tracer must follow; tests/trace/test_engine.py names which.
TRACE = {
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
        """,
    "nova/manager.py": """
        class Manager(object):
            def __init__(self):
                self.additional_endpoints = []
        """,
    "nova/objects/__init__.py": "",
    "nova/utils.py": """
        def spawn(func, *args, **kwargs):
            return func(*args, **kwargs)
        """,
    "nova/api/openstack/common.py": """
        def get_instance(compute_api, context, instance_id):
            return compute_api.get(context, instance_id)
        """,
    "nova/api/openstack/wsgi.py": """
        def action(name):
            def decorator(func):
                return func
            return decorator

        def response(code):
            def decorator(func):
                return func
            return decorator

        class Controller(object):
            pass

        class Resource(object):
            def __init__(self, controller):
                self.controller = controller
        """,
    "nova/policies/servers.py": """
        POLICY_ROOT = 'os_compute_api:servers:%s'
        """,
    "nova/api/openstack/compute/routes.py": """
        import functools

        from nova.api.openstack.compute import servers
        from nova.api.openstack import wsgi

        def _create_controller(main_controller, action_controller_list):
            controller = wsgi.Resource(main_controller())
            return controller

        server_controller = functools.partial(_create_controller,
            servers.ServersController, [])

        ROUTE_LIST = (
            ('/servers/{id}/action', {
                'POST': [server_controller, 'action']
            }),
        )
        """,
    "nova/api/openstack/compute/servers.py": """
        from nova.api.openstack import common
        from nova.api.openstack import wsgi
        from nova import compute
        from nova.policies import servers as server_policies

        class ServersController(wsgi.Controller):
            def __init__(self):
                self.compute_api = compute.API()
                self.handlers = {'vnc': self.compute_api.get_vnc_console,
                                 'spice': self.compute_api.get_spice_console}

            @wsgi.action('os-getConsole')
            def _console(self, req, id, body):
                context = req.environ['nova.context']
                instance = common.get_instance(self.compute_api, context, id)
                handler = self.handlers[body['protocol']]
                return handler(context, instance)

            @wsgi.action('os-dynamic')
            def _dynamic(self, req, id, body):
                fn = getattr(self.compute_api, body['name'])
                fn(id)

            @wsgi.response(202)
            @wsgi.action('pause')
            def _pause(self, req, id, body):
                context = req.environ['nova.context']
                instance = common.get_instance(self.compute_api, context, id)
                context.can(server_policies.POLICY_ROOT % 'pause')
                self.compute_api.pause(context, instance)

            @wsgi.response(202)
            @wsgi.action('os-stop')
            def _stop(self, req, id, body):
                context = req.environ['nova.context']
                instance = common.get_instance(self.compute_api, context, id)
                self.compute_api.stop(context, instance)

            @wsgi.response(202)
            @wsgi.action('os-migrateLive')
            def _migrate_live(self, req, id, body):
                context = req.environ['nova.context']
                instance = common.get_instance(self.compute_api, context, id)
                host = body['os-migrateLive'].get('host')
                self.compute_api.live_migrate(context, instance, host)

            @wsgi.action('unknown')
            def _unknown(self, req, id, body):
                self.mystery_api.frobnicate(id)
        """,
    "nova/compute/__init__.py": """
        from nova.compute.api import API
        """,
    "nova/compute/api.py": """
        import functools

        from nova.compute import rpcapi as compute_rpcapi
        from nova.compute import task_states
        from nova.compute import vm_states
        from nova import conductor
        from nova import objects

        def check_instance_lock(function):
            @functools.wraps(function)
            def inner(self, context, instance, *args, **kwargs):
                return function(self, context, instance, *args, **kwargs)
            return inner

        def check_instance_state(vm_state=None, task_state=(None,)):
            def outer(f):
                return f
            return outer

        class API(object):
            def __init__(self):
                self.compute_rpcapi = compute_rpcapi.ComputeAPI()
                self.compute_task_api = conductor.ComputeTaskAPI()

            def get(self, context, instance_id):
                return objects.Instance.get_by_uuid(context, instance_id)

            def _record_action_start(self, context, instance, action):
                objects.InstanceAction.action_start(context, instance.uuid, action)

            @check_instance_lock
            @check_instance_state(vm_state=[vm_states.ACTIVE])
            def pause(self, context, instance):
                instance.task_state = task_states.PAUSING
                instance.save(expected_task_state=[None])
                self._record_action_start(context, instance, 'pause')
                self.compute_rpcapi.pause_instance(context, instance)

            def stop(self, context, instance, do_cast=True):
                instance.task_state = task_states.POWERING_OFF
                instance.save()
                self.compute_rpcapi.stop_instance(context, instance, do_cast=do_cast)

            def get_vnc_console(self, context, instance):
                return self.compute_rpcapi.get_vnc_console(context, instance)

            def get_spice_console(self, context, instance):
                return self.compute_rpcapi.get_spice_console(context, instance)

            def live_migrate(self, context, instance, host_name):
                instance.task_state = task_states.MIGRATING
                instance.save()
                self.compute_task_api.live_migrate_instance(context, instance, host_name)
        """,
    "nova/compute/task_states.py": """
        PAUSING = 'pausing'
        POWERING_OFF = 'powering-off'
        MIGRATING = 'migrating'
        """,
    "nova/compute/vm_states.py": """
        ACTIVE = 'active'
        PAUSED = 'paused'
        """,
    "nova/compute/rpcapi.py": """
        import oslo_messaging as messaging
        from nova import rpc

        def _compute_host(host, instance):
            return host or instance.host

        class ComputeAPI(object):
            def __init__(self):
                target = messaging.Target(topic='compute', version='6.0')
                self.client = rpc.get_client(target)

            def pause_instance(self, ctxt, instance):
                cctxt = self.client.prepare(server=_compute_host(None, instance),
                                            version='6.0')
                cctxt.cast(ctxt, 'pause_instance', instance=instance)

            def stop_instance(self, ctxt, instance, do_cast=True):
                cctxt = self.client.prepare(server=_compute_host(None, instance),
                                            version='6.0')
                rpc_method = cctxt.cast if do_cast else cctxt.call
                return rpc_method(ctxt, 'stop_instance', instance=instance)

            def get_vnc_console(self, ctxt, instance):
                cctxt = self.client.prepare(server=_compute_host(None, instance),
                                            version='6.0')
                return cctxt.call(ctxt, 'get_vnc_console', instance=instance)

            def get_spice_console(self, ctxt, instance):
                cctxt = self.client.prepare(server=_compute_host(None, instance),
                                            version='6.0')
                return cctxt.call(ctxt, 'get_spice_console', instance=instance)

            def check_can_live_migrate_destination(self, ctxt, instance, destination):
                cctxt = self.client.prepare(server=destination, version='6.0')
                return cctxt.call(ctxt, 'check_can_live_migrate_destination',
                                  instance=instance)

            def live_migration(self, ctxt, instance, dest, host):
                cctxt = self.client.prepare(server=host, version='6.0')
                cctxt.cast(ctxt, 'live_migration', instance=instance, dest=dest)

            def pre_live_migration(self, ctxt, instance, host):
                cctxt = self.client.prepare(server=host, version='6.0')
                return cctxt.call(ctxt, 'pre_live_migration', instance=instance)
        """,
    "nova/compute/manager.py": """
        import oslo_messaging as messaging
        from nova.compute import rpcapi as compute_rpcapi
        from nova.compute import utils as compute_utils
        from nova.compute import vm_states
        from nova import manager
        from nova.network import neutron
        from nova import utils
        from nova.virt import driver

        def wrap_instance_event(prefix):
            def helper(function):
                return function
            return helper

        class ComputeManager(manager.Manager):
            target = messaging.Target(version='6.0')

            def __init__(self, compute_driver=None):
                super(ComputeManager, self).__init__()
                self.driver = driver.load_compute_driver(None, compute_driver)
                self.network_api = neutron.API()
                self.compute_rpcapi = compute_rpcapi.ComputeAPI()

            def _notify_about_instance_usage(self, context, instance, event_suffix):
                pass

            @wrap_instance_event(prefix='compute')
            def pause_instance(self, context, instance):
                self._notify_about_instance_usage(context, instance, 'pause.start')
                self.driver.pause(instance)
                instance.vm_state = vm_states.PAUSED
                instance.task_state = None
                instance.save()
                compute_utils.notify_about_instance_action(
                    context, instance, action='pause', phase='end')

            def stop_instance(self, context, instance):
                self.driver.power_off(instance)

            def get_vnc_console(self, context, instance):
                return {}

            def get_spice_console(self, context, instance):
                return {}

            def check_can_live_migrate_destination(self, ctxt, instance):
                return self.driver.check_can_live_migrate_destination(ctxt, instance)

            def live_migration(self, context, dest, instance):
                utils.spawn(self._do_live_migration, context, dest, instance)

            def _do_live_migration(self, context, dest, instance):
                self.compute_rpcapi.pre_live_migration(context, instance, dest)
                self.driver.live_migration(context, instance, dest,
                                           self._post_live_migration)

            def _post_live_migration(self, context, instance, dest):
                self.network_api.migrate_instance_start(context, instance)

            def pre_live_migration(self, context, instance):
                self.network_api.setup_networks_on_host(context, instance)
        """,
    "nova/compute/utils.py": """
        def notify_about_instance_action(context, instance, action=None, phase=None):
            pass
        """,
    "nova/network/neutron.py": """
        from neutronclient.v2_0 import client as clientv20

        def get_client(context):
            return clientv20.Client(context)

        class API(object):
            def migrate_instance_start(self, context, instance):
                self._update_port_binding(context, instance)

            def setup_networks_on_host(self, context, instance):
                get_client(context).list_ports(device_id=instance.uuid)

            def _update_port_binding(self, context, instance):
                get_client(context).update_port(instance.uuid)
        """,
    "nova/virt/driver.py": """
        from oslo_utils import importutils

        class ComputeDriver(object):
            def pause(self, instance):
                raise NotImplementedError()

        def load_compute_driver(virtapi, compute_driver=None):
            return importutils.import_object('nova.virt.%s' % compute_driver, virtapi)
        """,
    "nova/virt/libvirt/__init__.py": """
        from nova.virt.libvirt import driver
        LibvirtDriver = driver.LibvirtDriver
        """,
    "nova/virt/libvirt/host.py": """
        class Host(object):
            def get_guest(self, instance):
                return instance
        """,
    "nova/virt/libvirt/driver.py": """
        from nova.virt import driver
        from nova.virt.libvirt import host

        class LibvirtDriver(driver.ComputeDriver):
            def __init__(self, virtapi):
                self._host = host.Host()

            def pause(self, instance):
                self._host.get_guest(instance)

            def power_off(self, instance):
                self._host.get_guest(instance)

            def check_can_live_migrate_destination(self, ctxt, instance):
                return {}

            def live_migration(self, context, instance, dest, post_method):
                self._monitor(context, instance, dest, post_method)

            def _monitor(self, context, instance, dest, post_method):
                post_method(context, instance, dest)
        """,
    "nova/virt/fake.py": """
        from nova.virt import driver

        class FakeDriver(driver.ComputeDriver):
            def pause(self, instance):
                pass
        """,
    "nova/conductor/__init__.py": """
        from nova.conductor import api as conductor_api
        ComputeTaskAPI = conductor_api.ComputeTaskAPI
        """,
    "nova/conductor/api.py": """
        from nova.conductor import rpcapi

        class ComputeTaskAPI(object):
            def __init__(self):
                self.conductor_compute_rpcapi = rpcapi.ComputeTaskAPI()

            def live_migrate_instance(self, context, instance, host_name):
                self.conductor_compute_rpcapi.migrate_server(
                    context, instance, {'host': host_name}, True, False)
        """,
    "nova/conductor/rpcapi.py": """
        import oslo_messaging as messaging
        from nova import rpc

        class ComputeTaskAPI(object):
            def __init__(self):
                target = messaging.Target(topic='conductor', namespace='compute_task',
                                          version='1.0')
                self.client = rpc.get_client(target)

            def migrate_server(self, context, instance, scheduler_hint, live, rebuild):
                cctxt = self.client.prepare(version='1.20')
                return cctxt.call(context, 'migrate_server', instance=instance,
                                  scheduler_hint=scheduler_hint, live=live,
                                  rebuild=rebuild)
        """,
    "nova/conductor/manager.py": """
        import oslo_messaging as messaging
        from nova.compute import rpcapi as compute_rpcapi
        from nova.conductor.tasks import live_migrate
        from nova import manager
        from nova.scheduler.client import query

        class ConductorManager(manager.Manager):
            target = messaging.Target(version='3.0')

            def __init__(self):
                super(ConductorManager, self).__init__()
                self.compute_task_mgr = ComputeTaskManager()
                self.additional_endpoints.append(self.compute_task_mgr)

        class ComputeTaskManager(object):
            target = messaging.Target(namespace='compute_task', version='1.26')

            def __init__(self):
                self.compute_rpcapi = compute_rpcapi.ComputeAPI()
                self.query_client = query.SchedulerQueryClient()

            def migrate_server(self, context, instance, scheduler_hint, live, rebuild):
                if live and not rebuild:
                    self._live_migrate(context, instance, scheduler_hint)
                elif not live:
                    self._cold_migrate(context, instance)

            def _cold_migrate(self, context, instance):
                self.compute_rpcapi.stop_instance(context, instance, do_cast=False)

            def _build_live_migrate_task(self, context, instance, destination):
                return live_migrate.LiveMigrationTask(context, instance, destination,
                                                      self.compute_rpcapi,
                                                      self.query_client)

            def _live_migrate(self, context, instance, scheduler_hint):
                destination = scheduler_hint.get('host')
                task = self._build_live_migrate_task(context, instance, destination)
                task.execute()
        """,
    "nova/conductor/tasks/base.py": """
        class TaskBase(object):
            def __init__(self, context, instance):
                self.context = context
                self.instance = instance

            def execute(self):
                return self._execute()
        """,
    "nova/conductor/tasks/live_migrate.py": """
        from nova.conductor.tasks import base

        class LiveMigrationTask(base.TaskBase):
            def __init__(self, context, instance, destination, compute_rpcapi,
                         query_client):
                super(LiveMigrationTask, self).__init__(context, instance)
                self.destination = destination
                self.source = instance.host
                self.compute_rpcapi = compute_rpcapi
                self.query_client = query_client

            def _execute(self):
                if not self.destination:
                    self.destination = self.query_client.select_destinations(
                        self.context, self.instance)
                self.compute_rpcapi.check_can_live_migrate_destination(
                    self.context, self.instance, self.destination)
                self.compute_rpcapi.live_migration(self.context, self.instance,
                                                   self.destination, host=self.source)
        """,
    "nova/scheduler/client/query.py": """
        from nova.scheduler import rpcapi as scheduler_rpcapi

        class SchedulerQueryClient(object):
            def __init__(self):
                self.scheduler_rpcapi = scheduler_rpcapi.SchedulerAPI()

            def select_destinations(self, context, spec_obj):
                return self.scheduler_rpcapi.select_destinations(context, spec_obj)
        """,
    "nova/scheduler/rpcapi.py": """
        import oslo_messaging as messaging
        from nova import rpc

        class SchedulerAPI(object):
            def __init__(self):
                target = messaging.Target(topic='scheduler', version='4.0')
                self.client = rpc.get_client(target)

            def select_destinations(self, ctxt, spec_obj):
                cctxt = self.client.prepare(version='4.5')
                return cctxt.call(ctxt, 'select_destinations', spec_obj=spec_obj)
        """,
    "nova/scheduler/manager.py": """
        import oslo_messaging as messaging
        from nova import manager

        class SchedulerManager(manager.Manager):
            target = messaging.Target(version='4.5')

            def select_destinations(self, ctxt, spec_obj):
                return []
        """,
}


# A Cinder-like layout: clients derive from a base class in another module (cinder/rpc.py)
# that builds the client from the subclass's TOPIC (a constant of a third module) in its
# __init__ and prepares the context in _get_cctxt(version=None, **kwargs); the volume client
# overrides _get_cctxt and reaches the base's through super(); the managers are named by
# *_manager options; one handler serves a second name through a class attribute.
CINDER = {
    "cinder/common/constants.py": """
        VOLUME_BINARY = "cinder-volume"
        SCHEDULER_BINARY = "cinder-scheduler"
        VOLUME_TOPIC = VOLUME_BINARY
        SCHEDULER_TOPIC = SCHEDULER_BINARY
        """,
    "cinder/common/config.py": """
        from oslo_config import cfg

        global_opts = [
            cfg.StrOpt('volume_manager',
                       default='cinder.volume.manager.VolumeManager',
                       help='Full class name for the Manager for volume'),
            cfg.StrOpt('scheduler_manager',
                       default='cinder.scheduler.manager.SchedulerManager',
                       help='Full class name for the Manager for scheduler'),
        ]
        """,
    "cinder/rpc.py": """
        import oslo_messaging as messaging

        TRANSPORT = None

        def get_client(target, version_cap=None, serializer=None):
            return messaging.get_rpc_client(TRANSPORT, target, version_cap=version_cap)

        class RPCAPI(object):
            RPC_API_VERSION = '1.0'
            RPC_DEFAULT_VERSION = '1.0'
            TOPIC = ''
            BINARY = ''

            def __init__(self):
                target = messaging.Target(topic=self.TOPIC,
                                          version=self.RPC_API_VERSION)
                self.client = get_client(target, version_cap=self.RPC_API_VERSION)

            def _compat_ver(self, current, *legacy):
                versions = (current,) + legacy
                for version in versions[:-1]:
                    if self.client.can_send_version(version):
                        return version
                return versions[-1]

            def _get_cctxt(self, version=None, **kwargs):
                if version is None:
                    version = self.RPC_DEFAULT_VERSION
                if isinstance(version, tuple):
                    version = self._compat_ver(*version)
                return self.client.prepare(version=version, **kwargs)
        """,
    "cinder/manager.py": """
        import oslo_messaging as messaging

        class Manager(object):
            RPC_API_VERSION = '1.0'
            target = messaging.Target(version=RPC_API_VERSION)

            def __init__(self):
                self.additional_endpoints = []

            def set_log_levels(self, context, log_request):
                pass
        """,
    "cinder/volume/rpcapi.py": """
        from cinder.common import constants
        from cinder import rpc

        class VolumeAPI(rpc.RPCAPI):
            RPC_API_VERSION = '3.20'
            RPC_DEFAULT_VERSION = '3.0'
            TOPIC = constants.VOLUME_TOPIC
            BINARY = constants.VOLUME_BINARY

            def _get_cctxt(self, host=None, version=None, **kwargs):
                if host:
                    server = extract_host(host)
                    kwargs['server'] = server
                return super(VolumeAPI, self)._get_cctxt(version=version, **kwargs)

            def create_volume(self, ctxt, volume, request_spec):
                cctxt = self._get_cctxt(volume.service_topic_queue)
                cctxt.cast(ctxt, 'create_volume', volume=volume,
                           request_spec=request_spec)

            def attach_volume(self, ctxt, volume, mountpoint):
                cctxt = self._get_cctxt(volume.service_topic_queue, ('3.3', '3.0'))
                return cctxt.call(ctxt, 'attach_volume', volume=volume,
                                  mountpoint=mountpoint)

            def remove_export(self, ctxt, volume, sync=False):
                cctxt = self._get_cctxt(volume.service_topic_queue)
                if sync:
                    cctxt.call(ctxt, 'remove_export', volume_id=volume.id)
                else:
                    cctxt.cast(ctxt, 'remove_export', volume_id=volume.id)

            def publish_service_capabilities(self, ctxt):
                cctxt = self._get_cctxt(fanout=True)
                cctxt.cast(ctxt, 'publish_service_capabilities')

            def failover(self, ctxt, service, secondary_backend_id=None):
                version = '3.8'
                method = 'failover'
                if not self.client.can_send_version(version):
                    version = '3.0'
                    method = 'failover_host'
                cctxt = self._get_cctxt(service.service_topic_queue, version)
                cctxt.cast(ctxt, method, secondary_backend_id=secondary_backend_id)

            def set_log_levels(self, context, service, log_request):
                cctxt = self._get_cctxt(host=service.host, version='3.12')
                cctxt.cast(context, 'set_log_levels', log_request=log_request)

            def attachment_update(self, ctxt, vref, connector, attachment_id):
                version = self._compat_ver('3.9')
                cctxt = self._get_cctxt(vref.service_topic_queue, version=version)
                return cctxt.call(ctxt, 'attachment_update', vref=vref,
                                  connector=connector, attachment_id=attachment_id)
        """,
    "cinder/volume/manager.py": """
        import oslo_messaging as messaging
        from cinder import manager

        class VolumeManager(manager.Manager):
            RPC_API_VERSION = '3.20'
            target = messaging.Target(version=RPC_API_VERSION)

            def create_volume(self, context, volume, request_spec=None):
                pass

            def attach_volume(self, context, volume_id, mountpoint, volume=None):
                pass

            def remove_export(self, context, volume_id):
                pass

            def publish_service_capabilities(self, context):
                pass

            def failover(self, context, secondary_backend_id=None):
                pass

            failover_host = failover

            def attachment_update(self, context, vref, connector, attachment_id):
                pass
        """,
    "cinder/scheduler/rpcapi.py": """
        from cinder.common import constants
        from cinder import rpc

        class SchedulerAPI(rpc.RPCAPI):
            RPC_API_VERSION = '3.12'
            RPC_DEFAULT_VERSION = '3.0'
            TOPIC = constants.SCHEDULER_TOPIC

            def create_volume(self, ctxt, volume, request_spec=None):
                cctxt = self._get_cctxt()
                cctxt.cast(ctxt, 'create_volume', volume=volume, request_spec=request_spec)

            def get_pools(self, ctxt, filters=None):
                cctxt = self._get_cctxt()
                return cctxt.call(ctxt, 'get_pools', filters=filters)

            def work_cleanup(self, ctxt, cleanup_request):
                cctxt = self.client.prepare(version='3.4')
                return cctxt.call(ctxt, 'work_cleanup', cleanup_request=cleanup_request)
        """,
    "cinder/scheduler/manager.py": """
        import oslo_messaging as messaging
        from cinder import manager

        class SchedulerManager(manager.Manager):
            RPC_API_VERSION = '3.12'
            target = messaging.Target(version=RPC_API_VERSION)

            def create_volume(self, context, volume, request_spec=None):
                pass

            def get_pools(self, context, filters=None):
                pass
        """,
}


# Cinder's REST layer, added to CINDER: a routes.Mapper router whose _setup_routes connects
# core resources through `self.resources[...]` and `create_resource()` factories
# (mapper.resource, mapper.connect per project-id prefix, mapper.create_route), and
# extension descriptors that add resources (ResourceExtension, named by a class
# attribute) and actions on core resources (ControllerExtension).
CINDER_API = {
    "cinder/api/openstack/wsgi.py": """
        class Controller(object):
            pass

        class Resource(object):
            def __init__(self, controller):
                self.controller = controller

        def action(name):
            def decorator(func):
                return func
            return decorator

        def response(code):
            def decorator(func):
                return func
            return decorator
        """,
    "cinder/api/extensions.py": """
        class ExtensionDescriptor(object):
            pass

        class ResourceExtension(object):
            def __init__(self, collection, controller, parent=None,
                         collection_actions=None, member_actions=None,
                         custom_routes_fn=None):
                self.collection = collection

        class ControllerExtension(object):
            def __init__(self, extension, collection, controller):
                self.collection = collection
        """,
    "cinder/api/v3/volumes.py": """
        from cinder.api.openstack import wsgi
        from cinder import volume as cinder_volume

        class VolumeController(wsgi.Controller):
            def __init__(self, ext_mgr):
                self.volume_api = cinder_volume.API()

            def index(self, req):
                return {}

            def detail(self, req):
                return {}

            def show(self, req, id):
                return {}

            def delete(self, req, id):
                return {}

            @wsgi.response(202)
            def create(self, req, body):
                context = req.environ['cinder.context']
                new_volume = self.volume_api.create(context, body['size'])
                return {'volume': new_volume}

        def create_resource(ext_mgr):
            return wsgi.Resource(VolumeController(ext_mgr))
        """,
    "cinder/api/v3/groups.py": """
        from cinder.api.openstack import wsgi

        class GroupsController(wsgi.Controller):
            def show(self, req, id):
                return {}

            @wsgi.action("delete")
            def delete_group(self, req, id, body):
                return {}

            @wsgi.action("reset_status")
            def reset_status(self, req, id, body):
                return {}

        def create_resource():
            return wsgi.Resource(GroupsController())
        """,
    "cinder/api/v3/clusters.py": """
        from cinder.api.openstack import wsgi

        class ClusterController(wsgi.Controller):
            def index(self, req):
                return {}

            def enable(self, req, body):
                return {}

        def create_resource():
            return wsgi.Resource(ClusterController())
        """,
    "cinder/api/v3/types.py": """
        from cinder.api.openstack import wsgi

        class VolumeTypesController(wsgi.Controller):
            def index(self, req):
                return {}

        def create_resource():
            return wsgi.Resource(VolumeTypesController())
        """,
    "cinder/api/v3/router.py": """
        import routes

        from cinder.api.openstack import wsgi
        from cinder.api.v3 import clusters
        from cinder.api.v3 import groups
        from cinder.api.v3 import types
        from cinder.api.v3 import volumes

        class ProjectMapper(wsgi.APIMapper):
            def resource(self, member_name, collection_name, **kwargs):
                routes.Mapper.resource(self, member_name, collection_name, **kwargs)

        class APIRouter(object):
            def _setup_routes(self, mapper, ext_mgr):
                self.resources['volumes'] = volumes.create_resource(ext_mgr)
                mapper.resource("volume", "volumes",
                                controller=self.resources['volumes'],
                                collection={'detail': 'GET'},
                                member={'action': 'POST'})
                self.resources['groups'] = groups.create_resource()
                mapper.resource("group", "groups",
                                controller=self.resources['groups'],
                                member={'action': 'POST'})
                for path_prefix in ['/{project_id}', '']:
                    mapper.connect("groups",
                                   "%s/groups/{id}/action" % path_prefix,
                                   controller=self.resources["groups"],
                                   action="action",
                                   conditions={"method": ["POST"]})
                self.resources['types'] = types.create_resource()
                mapper.resource("type", "types",
                                controller=self.resources['types'],
                                member={'action': 'POST'})
                self.resources['clusters'] = clusters.create_resource()
                mapper.create_route(
                    '/clusters', 'GET', self.resources['clusters'], 'index')
                mapper.create_route(
                    '/clusters/enable', 'PUT', self.resources['clusters'], 'enable')
        """,
    "cinder/api/contrib/volume_actions.py": """
        from cinder.api import extensions
        from cinder.api.openstack import wsgi
        from cinder import volume

        class VolumeActionsController(wsgi.Controller):
            def __init__(self, *args, **kwargs):
                self.volume_api = volume.API()

            @wsgi.action('os-extend')
            def _extend(self, req, id, body):
                return None

            @wsgi.action('os-initialize_connection')
            def _initialize_connection(self, req, id, body):
                return {}

        class Volume_actions(extensions.ExtensionDescriptor):
            alias = "os-volume-actions"

            def get_controller_extensions(self):
                controller = VolumeActionsController()
                extension = extensions.ControllerExtension(self, 'volumes', controller)
                return [extension]
        """,
    "cinder/api/contrib/types_manage.py": """
        from cinder.api import extensions
        from cinder.api.openstack import wsgi

        class VolumeTypesManageController(wsgi.Controller):
            @wsgi.action("create")
            def _create(self, req, body):
                return {}

            @wsgi.action("delete")
            def _delete(self, req, id):
                return None

        class Types_manage(extensions.ExtensionDescriptor):
            def get_controller_extensions(self):
                controller = VolumeTypesManageController()
                extension = extensions.ControllerExtension(self, 'types', controller)
                return [extension]
        """,
    "cinder/api/contrib/backups.py": """
        from cinder.api import extensions
        from cinder.api.openstack import wsgi

        class BackupsController(wsgi.Controller):
            def show(self, req, id):
                return {}

            def create(self, req, body):
                return {}

            def restore(self, req, id, body):
                return {}

        class Backups(extensions.ExtensionDescriptor):
            alias = 'backups'

            def get_resources(self):
                resources = []
                res = extensions.ResourceExtension(
                    Backups.alias, BackupsController(),
                    collection_actions={'detail': 'GET'},
                    member_actions={'restore': 'POST'})
                resources.append(res)
                return resources
        """,
    "cinder/volume/api.py": """
        from cinder import objects
        from cinder.scheduler import rpcapi as scheduler_rpcapi
        from cinder.volume import rpcapi as volume_rpcapi

        class API(object):
            def __init__(self):
                self.scheduler_rpcapi = scheduler_rpcapi.SchedulerAPI()
                self.volume_rpcapi = volume_rpcapi.VolumeAPI()

            def create(self, context, size):
                volume = objects.Volume(context=context, size=size, status='creating')
                volume.create()
                self.scheduler_rpcapi.create_volume(context, volume)
                return volume
        """,
    "cinder/volume/__init__.py": """
        from oslo_utils import importutils

        from cinder.common import config

        CONF = config.CONF

        def API(*args, **kwargs):
            class_name = CONF.volume_api_class
            return importutils.import_object(class_name, *args, **kwargs)
        """,
}
