"""Work done by helper objects the manager builds and hands around (nova/virt/block_device
in Nova): factories made with functools.partial, lists filled by `append`, joined by
`itertools.chain`, read back by a comprehension and `[0]`, `map` and `operator.methodcaller`
over them, functions passed as arguments, and a decorator that saves after the call."""

from __future__ import annotations

import re

import pytest

from tracer.index import Index
from tracer.model import Block, iter_steps
from tracer.rpc import build_rpc_model
from tests.trace.test_engine import trace
from tests.trees import TRACE, write_tree

BLOCK_DEVICE = """
    import functools
    import itertools
    import operator

    def update_db(method):
        @functools.wraps(method)
        def wrapped(obj, context, *args, **kwargs):
            try:
                ret_val = method(obj, context, *args, **kwargs)
            finally:
                obj.save()
            return ret_val
        return wrapped

    class DriverBlockDevice(dict):
        def __init__(self, bdm):
            self.__dict__['_bdm_obj'] = bdm

        def __getattr__(self, name):
            return getattr(self._bdm_obj, name)

        def save(self):
            self._bdm_obj.save()

    class DriverVolumeBlockDevice(DriverBlockDevice):
        @update_db
        def attach(self, context, instance, volume_api, virt_driver):
            connector = virt_driver.get_volume_connector(instance)
            volume_api.initialize_connection(context, self.volume_id, connector)
            virt_driver.attach_volume(context, instance)

        @update_db
        def refresh_connection_info(self, context, instance, volume_api, virt_driver):
            volume_api.initialize_connection(context, self.volume_id, None)

    class DriverSnapshotBlockDevice(DriverVolumeBlockDevice):
        pass

    def _convert_block_devices(device_type, block_device_mapping):
        devices = []
        for bdm in block_device_mapping:
            devices.append(device_type(bdm))
        return devices

    convert_volumes = functools.partial(_convert_block_devices, DriverVolumeBlockDevice)
    convert_snapshots = functools.partial(_convert_block_devices,
                                          DriverSnapshotBlockDevice)

    def convert_all_volumes(*volume_bdms):
        source_volume = convert_volumes(volume_bdms)
        source_snapshot = convert_snapshots(volume_bdms)
        return [vol for vol in itertools.chain(source_volume, source_snapshot)]

    def convert_volume(volume_bdm):
        try:
            return convert_all_volumes(volume_bdm)[0]
        except IndexError:
            pass

    def attach_block_devices(block_device_mapping, *attach_args, **attach_kwargs):
        def _log_and_attach(bdm):
            bdm.attach(*attach_args, **attach_kwargs)
        map(_log_and_attach, block_device_mapping)
        return block_device_mapping

    def refresh_conn_infos(block_device_mapping, *refresh_args, **refresh_kwargs):
        map(operator.methodcaller('refresh_connection_info',
                                  *refresh_args, **refresh_kwargs),
            block_device_mapping)
        return block_device_mapping
    """

CINDER = """
    from cinderclient import client as cinder_client

    def cinderclient(context):
        return cinder_client.Client(context)

    class API(object):
        def initialize_connection(self, context, volume_id, connector):
            return cinderclient(context).volumes.initialize_connection(volume_id)
    """


def _tree_files(work: str) -> dict[str, str]:
    """TRACE with compute's pause_instance doing `work` on a block device mapping."""
    files = dict(TRACE)
    files["nova/virt/block_device.py"] = BLOCK_DEVICE
    files["nova/volume/cinder.py"] = CINDER
    driver = files["nova/virt/libvirt/driver.py"]
    driver = driver.replace("""            def power_off(self, instance):""", """            def get_volume_connector(self, instance):
                return {}

            def attach_volume(self, context, instance):
                self._host.get_guest(instance)

            def power_off(self, instance):""", 1)
    files["nova/virt/libvirt/driver.py"] = driver
    manager = files["nova/compute/manager.py"]
    manager = manager.replace("from nova import manager\n", "from nova import manager\n"
                              "        from nova import objects\n"
                              "        from nova.virt import block_device\n"
                              "        from nova.volume import cinder\n", 1)
    manager = manager.replace("""                self.network_api = neutron.API()
""", """                self.network_api = neutron.API()
                self.volume_api = cinder.API()
""", 1)
    manager = manager.replace("""                self.driver.pause(instance)
""", """                self.driver.pause(instance)
                bdm = objects.BlockDeviceMapping.get_by_volume_id(context, 'v')
""" + "".join(f"                {line}\n" for line in work.splitlines()) + """
            def _attach(self, context, instance, bdms):
                return block_device.attach_block_devices(
                    bdms, context, instance, self.volume_api, self.driver)

            def _run(self, attach_block_devices, context, instance, bdms):
                attach_block_devices(context, instance, bdms)
""", 1)
    files["nova/compute/manager.py"] = manager
    files["nova/objects/block_device.py"] = """
        from nova.objects import base

        class BlockDeviceMapping(base.NovaObject):
            @base.remotable_classmethod
            def get_by_volume_id(cls, context, volume_id):
                pass

            @base.remotable
            def save(self):
                pass
        """
    return files


def _compute_steps(work: str):
    index = Index(write_tree_for(work))
    flow = trace((index, build_rpc_model(index, "synthetic")), "pause", "_pause")
    return [(s.kind, s.source, s.target, s.text) for s in iter_steps(flow.nodes)
            if s.kind in ("service", "driver", "db") and s.source == "nova_compute"], flow


_TREES: dict[str, object] = {}


def write_tree_for(work: str):
    import tempfile
    from pathlib import Path

    if work not in _TREES:
        _TREES[work] = write_tree(Path(tempfile.mkdtemp(prefix="osflow-helpers-")),
                                  _tree_files(work))
    return _TREES[work]


ATTACH = [("driver", "nova_compute", "libvirt", "get_volume_connector"),
          ("service", "nova_compute", "cinder", "initialize_connection"),
          ("driver", "nova_compute", "libvirt", "attach_volume")]
# the mapping's save, drawn as itself or, beyond the drawn depth, as the helper making it
SAVE = "bdm.save"


def _saves(steps):
    return [i for i, (kind, _, _, text) in enumerate(steps)
            if kind == "db" and re.split(": (?:writes|may write) ", text)[-1] == SAVE]


@pytest.mark.parametrize("work", [
    # a factory made with partial, a list filled in a loop, chained, read back by [0]
    "driver_bdm = block_device.convert_volume(bdm)\n"
    "driver_bdm.attach(context, instance, self.volume_api, self.driver)",
    # a list of them handed to a helper that maps a local function over it (Liberty)
    "bdms = block_device.convert_volumes([bdm])\n"
    "block_device.attach_block_devices(bdms, context, instance, self.volume_api,\n"
    "                                  self.driver)",
    # a method of the manager passed as an argument, called by whoever receives it
    "self._run(self._attach, context, instance, block_device.convert_volumes([bdm]))",
    # a loop over the list
    "for device in block_device.convert_all_volumes(bdm):\n"
    "    device.attach(context, instance, self.volume_api, self.driver)",
])
def test_block_device_objects_do_their_attach_work(work):
    steps, _ = _compute_steps(work)
    for expected in ATTACH:
        assert expected in steps, (expected, steps)
    # the decorator's `finally: obj.save()` comes after the work it wraps
    assert _saves(steps) and _saves(steps)[-1] > steps.index(ATTACH[-1]), steps


def test_methodcaller_over_a_list_calls_that_method_on_its_items():
    steps, _ = _compute_steps(
        "bdms = block_device.convert_volumes([bdm])\n"
        "block_device.refresh_conn_infos(bdms, context, instance, self.volume_api,\n"
        "                                self.driver)")
    assert ("service", "nova_compute", "cinder", "initialize_connection") in steps
    assert _saves(steps), steps


def test_a_class_with_getattr_and_methods_of_its_own_is_no_proxy():
    """A proxy (every attribute forwarded) stands for what it wraps; a block device
    driver object answers some attributes from its mapping but has methods of its own."""
    steps, _ = _compute_steps(
        "driver_bdm = block_device.DriverVolumeBlockDevice(bdm)\n"
        "driver_bdm.attach(context, instance, self.volume_api, self.driver)")
    assert ("service", "nova_compute", "cinder", "initialize_connection") in steps


def test_a_helper_called_again_with_other_constants_is_walked_again(tmp_path):
    """Below the drawn depth a helper that drew nothing crossing is remembered, but only
    for calls alike: `_create(local=True)` writes locally, `_create()` calls compute."""
    files = dict(TRACE)
    api = files["nova/compute/api.py"]
    api = api.replace("""                self._record_action_start(context, instance, 'pause')
""", """                self._record_action_start(context, instance, 'pause')
                self._deep(context, instance, local=True)
                self._deep(context, instance)

            def _deep(self, context, instance, local=False):
                self._deeper(context, instance, local)

            def _deeper(self, context, instance, local):
                self._create(context, instance, local)

            def _create(self, context, instance, local):
                if local:
                    return None
                self.compute_rpcapi.pause_instance(context, instance)
""", 1)
    files["nova/compute/api.py"] = api
    index = Index(write_tree(tmp_path, files))
    flow = trace((index, build_rpc_model(index, "synthetic")), "pause", "_pause", depth=1)
    casts = [s for s in iter_steps(flow.nodes) if s.kind == "cast"]
    assert len(casts) >= 1
    assert any(s.anchor.endswith("API._create") for s in casts)


def test_names_set_in_both_arms_of_a_branch_are_known_only_where_they_agree(tmp_path):
    """After `if x: timeout = 0 else: timeout = f()`, `timeout` is not the last arm's
    constant: a later `if timeout` stays a branch."""
    files = dict(TRACE)
    api = files["nova/compute/api.py"]
    api = api.replace("""                self._record_action_start(context, instance, 'pause')
""", """                self._record_action_start(context, instance, 'pause')
                if instance.host:
                    timeout = instance.shutdown_timeout
                else:
                    timeout = 0
                if timeout:
                    objects.Migration.get_by_id(context, 1)
""", 1)
    files["nova/compute/api.py"] = api
    index = Index(write_tree(tmp_path, files))
    flow = trace((index, build_rpc_model(index, "synthetic")), "pause", "_pause")
    opt = [b for b in flow.nodes if isinstance(b, Block) and
           b.branches[0].label == "if timeout"]
    assert len(opt) == 1


def test_an_object_class_known_by_an_alias_is_an_object_class(tmp_path):
    """Liberty: `Instance = InstanceV2`; `objects.Instance._from_db_object(...)` is a
    static method of the class, no database access, and queries keep the written name."""
    files = dict(TRACE)
    files["nova/objects/instance.py"] = """
        from nova.objects import base

        class InstanceV2(base.NovaObject):
            @staticmethod
            def _from_db_object(context, instance, db_inst):
                return instance

            @base.remotable_classmethod
            def get_by_id(cls, context, instance_id):
                pass

        Instance = InstanceV2
        """
    api = files["nova/compute/api.py"]
    files["nova/compute/api.py"] = api.replace(
        """                self._record_action_start(context, instance, 'pause')
""", """                objects.Instance._from_db_object(context, instance, None)
                objects.Instance.get_by_id(context, 1)
                self._record_action_start(context, instance, 'pause')
""", 1)
    index = Index(write_tree(tmp_path, files))
    flow = trace((index, build_rpc_model(index, "synthetic")), "pause", "_pause")
    db = [s.text for s in iter_steps(flow.nodes) if s.kind == "db"]
    assert "Instance.get_by_id" in db
    assert not [t for t in db if "_from_db_object" in t]


def test_an_object_query_that_reads_through_its_own_db_method_is_a_read(tmp_path):
    """A `get_*` class method that is not remotable but hands over to a method of its own
    class whose database decorator opens a session (nova/objects/instance.py
    InstanceList.get_count_by_hosts -> `cls._get_count_by_hosts`, decorated
    `@db.pick_context_manager_reader`) reads the database: drawn as a read. One that
    reaches no database (a plain computation) is not."""
    files = _tree_files("n = objects.InstanceList.get_count_by_hosts(context, ['h'])\n"
                        "m = objects.InstanceList.get_fake(context)")
    files["nova/db/__init__.py"] = ""
    files["nova/db/main/__init__.py"] = ""
    files["nova/db/main/api.py"] = """
        def pick_context_manager_reader(f):
            return f
        """
    files["nova/objects/instance.py"] = """
        from nova.db.main import api as db
        from nova.objects import base

        class InstanceList(base.NovaObject):
            @staticmethod
            @db.pick_context_manager_reader
            def _get_count_by_hosts(context, hosts):
                return context.session.query(hosts).count()

            @classmethod
            def get_count_by_hosts(cls, context, hosts):
                return cls._get_count_by_hosts(context, hosts)

            @staticmethod
            def _fake(hosts):
                return len(hosts)

            @classmethod
            def get_fake(cls, context):
                return cls._fake([])
        """
    index = Index(write_tree(tmp_path, files))
    flow = trace((index, build_rpc_model(index, "synthetic")), "pause", "_pause")
    reads = [s.text for s in iter_steps(flow.nodes)
             if s.kind == "db" and s.source == "nova_compute"]
    assert "InstanceList.get_count_by_hosts" in reads, reads
    assert not any("get_fake" in text for text in reads), reads
