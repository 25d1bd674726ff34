"""Small synthetic Ironic-like trees: a conductor client picking its conductor by hash ring,
a launcher naming the manager by module and class, Pecan controllers, and a conductor
manager that spawns its work into a worker and calls the node's driver interfaces."""

from __future__ import annotations

IRONIC = {
    "ironic/common/rpc.py": """
        import oslo_messaging as messaging

        MANAGER_TOPIC = 'ironic.conductor_manager'

        def get_client(target, version_cap=None, serializer=None):
            return messaging.RPCClient(None, target, version_cap=version_cap)
        """,
    "ironic/common/rpc_service.py": """
        class RPCService(object):
            def __init__(self, host, manager_module, manager_class):
                self.host = host
        """,
    "ironic/command/conductor.py": """
        from ironic.common import rpc_service

        def main():
            mgr = rpc_service.RPCService(CONF.host, 'ironic.conductor.manager',
                                         'ConductorManager')
            return mgr
        """,
    "ironic/conductor/rpcapi.py": """
        import oslo_messaging as messaging

        from ironic.common import rpc


        class ConductorAPI(object):
            RPC_API_VERSION = '1.62'

            def __init__(self, topic=None):
                self.topic = topic
                if self.topic is None:
                    self.topic = rpc.MANAGER_TOPIC
                target = messaging.Target(topic=self.topic, version='1.0')
                self.client = rpc.get_client(target, version_cap=self.RPC_API_VERSION)

            def _prepare_call(self, topic, version=None):
                topic = topic or self.topic
                host = topic[len(self.topic) + 1:]
                return self.client.prepare(topic=self.topic, server=host or None,
                                           version=version)

            def get_topic_for(self, node):
                return '%s.%s' % (self.topic, node.conductor)

            def create_node(self, context, node_obj, topic=None):
                cctxt = self._prepare_call(topic=topic, version='1.36')
                return cctxt.call(context, 'create_node', node_obj=node_obj)

            def do_node_deploy(self, context, node_id, rebuild, topic=None):
                cctxt = self._prepare_call(topic=topic, version='1.52')
                return cctxt.call(context, 'do_node_deploy', node_id=node_id,
                                  rebuild=rebuild)

            def change_node_power_state(self, context, node_id, new_state, topic=None):
                cctxt = self._prepare_call(topic=topic, version='1.39')
                return cctxt.call(context, 'change_node_power_state', node_id=node_id,
                                  new_state=new_state)

            def do_node_tear_down(self, context, node_id, topic=None):
                cctxt = self._prepare_call(topic=topic, version='1.6')
                return cctxt.call(context, 'do_node_tear_down', node_id=node_id)

            def continue_node_clean(self, context, node_id, topic=None):
                cctxt = self._prepare_call(topic=topic, version='1.27')
                return cctxt.cast(context, 'continue_node_clean', node_id=node_id)
        """,
    "ironic/conductor/base_manager.py": """
        class BaseConductorManager(object):
            def __init__(self, host, topic):
                self.host = host

            def _spawn_worker(self, func, *args, **kwargs):
                return self._executor.submit(func, *args, **kwargs)
        """,
    "ironic/db/api.py": """
        def get_instance():
            return None
        """,
    "ironic/conductor/manager.py": """
        import oslo_messaging as messaging

        from ironic.conductor import base_manager
        from ironic.conductor import deployments
        from ironic.conductor import task_manager
        from ironic.conductor import utils


        class ConductorManager(base_manager.BaseConductorManager):
            RPC_API_VERSION = '1.62'
            target = messaging.Target(version=RPC_API_VERSION)

            def create_node(self, context, node_obj):
                node_obj.create()
                return node_obj

            def do_node_deploy(self, context, node_id, rebuild=False):
                with task_manager.acquire(context, node_id, shared=False,
                                          purpose='node deployment') as task:
                    node = task.node
                    task.driver.power.validate(task)
                    task.driver.deploy.validate(task)
                    task.process_event('deploy', callback=self._spawn_worker,
                                       call_args=(deployments.do_node_deploy, task),
                                       err_handler=utils.provisioning_error_handler)

            def change_node_power_state(self, context, node_id, new_state):
                with task_manager.acquire(context, node_id, shared=False,
                                          purpose='changing node power state') as task:
                    task.driver.power.validate(task)
                    task.spawn_after(self._spawn_worker, utils.node_power_action,
                                     task, new_state)

            def do_node_tear_down(self, context, node_id):
                with task_manager.acquire(context, node_id, shared=False) as task:
                    task.driver.deploy.tear_down(task)

            def continue_node_clean(self, context, node_id):
                pass
        """,
    "ironic/conductor/deployments.py": """
        from ironic.conductor import utils


        def do_node_deploy(task, conductor_id=None):
            node = task.node
            task.driver.deploy.prepare(task)
            task.driver.deploy.deploy(task)
            node.save()
            do_next_deploy_step(task)


        def do_next_deploy_step(task):
            node = task.node
            for step in node.driver_internal_info['deploy_steps']:
                interface = getattr(task.driver, step.get('interface'))
                result = interface.execute_deploy_step(task, step)
                if result == 'wait':
                    task.process_event('wait')
                    return
                elif result is not None:
                    utils.deploying_error_handler(task, 'unexpected state')
                    return
            node.save()
        """,
    "ironic/conductor/utils.py": """
        def node_power_action(task, new_state, timeout=None):
            node = task.node
            task.driver.power.set_power_state(task, new_state, timeout=timeout)
            node.save()

        def provisioning_error_handler(e, node, provision_state, target):
            pass

        def deploying_error_handler(task, logmsg):
            task.node.save()
            task.driver.deploy.clean_up(task)
        """,
    "ironic/conductor/task_manager.py": """
        def acquire(context, node_id, shared=False, purpose='unspecified action'):
            return TaskManager(context, node_id, shared=shared, purpose=purpose)


        class TaskManager(object):
            def __init__(self, context, node_id, shared=False, purpose=''):
                self.node = None

            def spawn_after(self, _spawn_method, *args, **kwargs):
                self._spawn_method = _spawn_method
                self._spawn_args = args

            def process_event(self, event, callback=None, call_args=None,
                              call_kwargs=None, err_handler=None, target_state=None):
                if callback:
                    self.spawn_after(callback, *call_args)
        """,
}

# A Pecan API: a version controller mapping resources, a collection with items, an
# attribute sub-controller under the item with custom actions, a mapped sub-controller,
# and one controller reachable at two paths.
IRONIC_API = {
    "ironic/common/states.py": """
        ACTIVE = 'active'
        DELETED = 'deleted'
        POWER_ON = 'power on'
        VERBS = {'active': 'deploy', 'deleted': 'delete', 'clean': 'clean'}
        """,
    "ironic/api/method.py": """
        def expose(status_code=None):
            def wrap(f):
                return f
            return wrap
        """,
    "ironic/api/controllers/v1/port.py": """
        import pecan
        from pecan import rest

        from ironic.api import method


        class PortsController(rest.RestController):
            _custom_actions = {'detail': ['GET']}

            def __init__(self, node_ident=None):
                self.parent_node_ident = node_ident

            @method.expose()
            def get_all(self, address=None):
                pass

            @method.expose()
            def detail(self, address=None):
                pass

            @method.expose()
            def get_one(self, port_ident):
                pass

            @method.expose(status_code=201)
            def post(self, port):
                pass

            @method.expose(status_code=204)
            def delete(self, port_ident):
                pass
        """,
    "ironic/api/controllers/v1/node.py": """
        import pecan
        from pecan import rest

        from ironic.api import method
        from ironic.api.controllers.v1 import port
        from ironic.common import states as ir_states


        class NodeStatesController(rest.RestController):
            _custom_actions = {'power': ['PUT'], 'provision': ['PUT']}

            @method.expose()
            def get(self, node_ident):
                pass

            @method.expose(status_code=202)
            def power(self, node_ident, target, timeout=None):
                topic = pecan.request.rpcapi.get_topic_for(node_ident)
                pecan.request.rpcapi.change_node_power_state(
                    pecan.request.context, node_ident, target, topic=topic)

            @method.expose(status_code=202)
            def provision(self, node_ident, target, configdrive=None):
                if target == ir_states.ACTIVE:
                    pecan.request.rpcapi.do_node_deploy(pecan.request.context,
                                                        node_ident, False)
                elif target == ir_states.DELETED:
                    pecan.request.rpcapi.do_node_tear_down(pecan.request.context,
                                                           node_ident)

            def _helper(self):
                pass


        class NodeVendorPassthruController(rest.RestController):
            _custom_actions = {'methods': ['GET']}

            @method.expose()
            def methods(self, node_ident):
                pass

            @method.expose()
            def _default(self, node_ident, method, data=None):
                pass


        class NodesController(rest.RestController):
            states = NodeStatesController()
            vendor_passthru = NodeVendorPassthruController()
            _custom_actions = {'validate': ['GET']}
            _subcontroller_map = {'ports': port.PortsController}

            @pecan.expose()
            def _lookup(self, ident, *remainder):
                return self._subcontroller_map[remainder[0]](node_ident=ident), remainder[1:]

            @method.expose()
            def get_all(self, chassis_uuid=None):
                pass

            @method.expose()
            def get_one(self, node_ident, fields=None):
                pass

            @method.expose()
            def validate(self, node=None):
                pass

            @method.expose(status_code=201)
            def post(self, node):
                pecan.request.rpcapi.create_node(pecan.request.context, node)

            @method.expose()
            def patch(self, node_ident, patch=None):
                pass

            @method.expose(status_code=204)
            def delete(self, node_ident, *args):
                pass

            def not_exposed(self, node_ident):
                pass
        """,
    "ironic/api/args.py": """
        def validate(*args, **kwargs):
            def wrap(f):
                return f
            return wrap

        def uuid_or_name(name, value):
            return value

        def string(name, value):
            return value
        """,
    "ironic/api/controllers/v1/ramdisk.py": """
        from pecan import rest

        from ironic.api import args
        from ironic.api import method


        class HeartbeatController(rest.RestController):
            @method.expose(status_code=202)
            @args.validate(node_ident=args.uuid_or_name, callback_url=args.string)
            def post(self, node_ident, callback_url, agent_version=None):
                pass
        """,
    "ironic/api/controllers/v1/__init__.py": """
        import pecan

        from ironic.api.controllers.v1 import node
        from ironic.api.controllers.v1 import port
        from ironic.api.controllers.v1 import ramdisk


        class Controller(object):
            _subcontroller_map = {
                'nodes': node.NodesController(),
                'ports': port.PortsController(),
                'heartbeat': ramdisk.HeartbeatController(),
            }

            @pecan.expose()
            def _lookup(self, primary_key, *remainder):
                return self._subcontroller_map.get(primary_key), remainder
        """,
}

# The conductor's node lock: task_manager.acquire builds a TaskManager (a context manager
# of the tree's own: __enter__/__exit__) whose __init__ reads the node and, exclusive,
# reserves it through a class method of the object that calls the database API the
# object class holds (IronicObject.dbapi), as ironic/conductor/task_manager.py does.
IRONIC_LOCK = {
    "ironic/db/api.py": """
        def get_instance():
            return None
        """,
    "ironic/objects/__init__.py": """
        from ironic.objects.node import Node
        """,
    "ironic/objects/base.py": """
        from oslo_versionedobjects import base as object_base

        from ironic.db import api as db_api


        class IronicObject(object_base.VersionedObject):
            dbapi = db_api.get_instance()
        """,
    "ironic/objects/node.py": """
        from oslo_versionedobjects import base as object_base

        from ironic.objects import base


        class Node(base.IronicObject):
            @classmethod
            @object_base.remotable_classmethod
            def get(cls, context, node_id):
                return cls.dbapi.get_node_by_id(node_id)

            @classmethod
            def reserve(cls, context, tag, node_id):
                db_node = cls.dbapi.reserve_node(tag, node_id)
                return cls._from_db_object(context, cls(), db_node)

            @classmethod
            def release(cls, context, tag, node_id):
                cls.dbapi.release_node(tag, node_id)

            @classmethod
            def summary(cls, node):
                return cls.describe(node)
        """,
    "ironic/conductor/task_manager.py": """
        from ironic import objects


        def acquire(context, node_id, shared=False, purpose='unspecified action'):
            return TaskManager(context, node_id, shared=shared, purpose=purpose)


        class TaskManager(object):
            def __init__(self, context, node_id, shared=False, purpose=''):
                self.context = context
                self.node_id = node_id
                self.shared = shared
                node = objects.Node.get(context, node_id)
                if not self.shared:
                    self._lock()
                else:
                    self.node = node

            def _lock(self):
                self.node = objects.Node.reserve(self.context, 'host', self.node_id)

            def __enter__(self):
                return self

            def __exit__(self, exc_type, exc_val, exc_tb):
                if exc_type is not None:
                    objects.Node.summary(self.node)
                self.release_resources()

            def release_resources(self):
                if not self.shared:
                    objects.Node.release(self.context, 'host', self.node_id)

            def spawn_after(self, _spawn_method, *args, **kwargs):
                self._spawn_method = _spawn_method
                self._spawn_args = args

            def process_event(self, event, callback=None, call_args=None,
                              call_kwargs=None, err_handler=None, target_state=None):
                if callback:
                    self.spawn_after(callback, *call_args)
        """,
}

# A driver interface whose default implementation fails (Ironic's no-firmware:
# ironic/drivers/modules/noop.py NoFirmware, `validate = _fail`; cache_firmware_components
# a no-op), called in a helper that catches the error (conductor/utils.py
# node_cache_firmware_components), after the power action.
IRONIC_FAILING = {
    "ironic/conductor/utils.py": """
        from ironic.common import exception


        def node_power_action(task, new_state, timeout=None):
            node = task.node
            task.driver.power.set_power_state(task, new_state, timeout=timeout)
            node_cache_firmware_components(task)
            task.driver.firmware.get_properties()
            node.save()

        def node_cache_firmware_components(task):
            try:
                task.driver.firmware.validate(task)
                task.driver.firmware.cache_firmware_components(task)
            except exception.UnsupportedDriverExtension:
                pass

        def provisioning_error_handler(e, node, provision_state, target):
            pass

        def deploying_error_handler(task, logmsg):
            task.node.save()
            task.driver.deploy.clean_up(task)
        """,
}
