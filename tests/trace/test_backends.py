"""A class chosen through a table of classes indexed by an option (libvirt's image
backends, nova/virt/libvirt/imagebackend.py Backend.backend) is the one its default names,
and a stub it keeps that surely raises NotImplementedError makes the try's handler the
path taken."""

from __future__ import annotations

from tracer.model import Block, iter_steps
from tests.trace.test_branches import _blocks, _pause_with, _with_option
from tests.trees import TRACE

BACKENDS = """class Image(object):
    def direct(self, context):
        raise NotImplementedError()

class Flat(Image):
    def __init__(self, instance):
        self.instance = instance

class Rbd(Image):
    def __init__(self, instance):
        self.instance = instance

    def direct(self, context):
        objects.Service.get_by_id(context, 9)

class Backend(object):
    def __init__(self, use_cow):
        self.BACKEND = {
            'flat': Flat,
            'rbd': Rbd,
            'default': Flat if use_cow else Rbd,
        }

    def by_path(self, instance, image_type=None):
        if not image_type:
            image_type = CONF.images_type
        image = self.BACKEND.get(image_type)
        return image(instance)
"""

SNAPSHOT = """disk = Backend(CONF.use_cow).by_path(instance, instance.source_type)
try:
    disk.direct(context)
    objects.Aggregate.get_by_id(context, 2)
except (NotImplementedError, ValueError):
    objects.Migration.get_by_id(context, 1)
objects.ComputeNode.get_by_id(context, 3)
"""


def _snapshot(tmp_path, images_type: str, work: str = SNAPSHOT):
    files = _with_option(TRACE, f"cfg.StrOpt('images_type', default='{images_type}')")
    files["nova/conf/compute.py"] = files["nova/conf/compute.py"].replace(
        "]", "    cfg.BoolOpt('use_cow', default=True),\n        ]", 1)
    return _pause_with(tmp_path, work, module_head=BACKENDS, files=files)


def _top_reads(nodes) -> list[str]:
    return [n.text for n in nodes if not isinstance(n, Block) and n.kind == "db"]


def test_the_option_s_default_entry_is_the_class_whose_stub_raises_into_the_fallback(
        tmp_path):
    flow = _snapshot(tmp_path, "default")
    reads = [s.text for s in iter_steps(flow.nodes) if s.kind == "db"]
    assert "Service.get_by_id" not in reads  # Rbd's own direct: another configuration
    assert "Aggregate.get_by_id" not in reads  # after the stub: never runs
    top = _top_reads(flow.nodes)  # the fallback is the path taken: in line, not `opt`
    assert top.index("Migration.get_by_id") < top.index("ComputeNode.get_by_id")
    assert not _blocks(flow.nodes, "on (NotImplementedError, ValueError)")
    assert any("Flat.direct raises NotImplementedError" in s.text
               for s in iter_steps(flow.nodes) if s.kind == "note")
    assert any(n.startswith("CONF.images_type: its default, 'default' (Flat")
               for n in flow.notes)


def test_an_entry_that_implements_the_method_leaves_the_handler_an_error_path(tmp_path):
    flow = _snapshot(tmp_path, "rbd")
    reads = [s.text for s in iter_steps(flow.nodes) if s.kind == "db"]
    assert "Service.get_by_id" in reads and "Aggregate.get_by_id" in reads
    assert "Migration.get_by_id" not in reads


def test_a_stub_reached_in_one_arm_only_keeps_the_fallback_optional(tmp_path):
    work = SNAPSHOT.replace("    disk.direct(context)\n",
                            "    if instance.direct:\n        disk.direct(context)\n")
    flow = _snapshot(tmp_path, "default", work)
    reads = [s.text for s in iter_steps(flow.nodes) if s.kind == "db"]
    assert "Aggregate.get_by_id" in reads  # the arm may not be taken
    fallback = _blocks(flow.nodes, "on (NotImplementedError, ValueError)")
    assert fallback and "Migration.get_by_id" in \
        [s.text for s in iter_steps(fallback[0].branches[0].nodes)]


def test_a_key_manager_from_castellan_is_a_message_to_barbican(tmp_path):
    """nova/crypto.py delete_vtpm_secret: `key_mgr = _get_key_manager()` (castellan's
    `key_manager.API(configuration=CONF)`, kept in a module global), then
    `key_mgr.delete(context, secret_uuid)`: a call to the key manager service."""
    flow = _pause_with(tmp_path, "_get_key_manager().delete(context, instance.secret)",
                       module_head="""from castellan import key_manager

_KEYMGR = None

def _get_key_manager():
    global _KEYMGR
    if _KEYMGR is None:
        _KEYMGR = key_manager.API(configuration=CONF)
    return _KEYMGR
""", files=_with_option(TRACE, "cfg.IntOpt('unused', default=0)"))
    sent = [(s.source, s.target, s.text) for s in iter_steps(flow.nodes)
            if s.kind == "service"]
    assert ("nova_api", "barbican", "delete") in sent
    assert any("barbican" in note for note in flow.notes)


def test_a_list_object_s_method_that_saves_its_items_is_followed(tmp_path):
    """nova/compute/manager.py _reboot_instance: `share_info.activate_all()` after the
    driver's reboot; nova/objects/share_mapping.py ShareMappingList.activate_all is
    `for share in self: share.activate()`, and ShareMapping.activate sets the status and
    saves. A list method that only reads (contains_error) stays unfollowed."""
    from tracer.index import Index
    from tracer.rpc import build_rpc_model
    from tests.trace.test_engine import _share_tree_files, trace
    from tests.trees import write_tree

    files = _share_tree_files()
    files["nova/objects/share_mapping.py"] = files["nova/objects/share_mapping.py"].replace(
        """            def proto(self):""", """            def activate(self):
                self.status = 'active'
                self.save()

            @base.remotable
            def save(self):
                pass

            def proto(self):""", 1) + """
            def activate_all(self):
                for share in self:
                    share.activate()

            def contains_error(self):
                return any(share.status == 'error' for share in self)
        """
    files["nova/compute/manager.py"] = files["nova/compute/manager.py"].replace(
        """                    share.proto()
""", """                    share.proto()
                shares.activate_all()
                shares.contains_error()
""", 1)
    index = Index(write_tree(tmp_path, files))
    flow = trace((index, build_rpc_model(index, "synthetic")), "pause", "_pause", depth=9)
    writes = [s.text for s in iter_steps(flow.nodes) if s.kind == "db"]
    assert "ShareMapping.save (status='active')" in writes, writes
    entered = {s.anchor for s in iter_steps(flow.nodes) if s.kind == "enter"}
    assert "nova.objects.share_mapping.ShareMappingList.activate_all" in entered
    assert "nova.objects.share_mapping.ShareMappingList.contains_error" not in entered


def _unimplemented_pause(tmp_path, manager_pause: str | None = None):
    """TRACE with libvirt keeping the base driver's `pause` stub (NotImplementedError),
    and the compute manager's pause_instance written as `manager_pause` if given."""
    from tracer.index import Index
    from tracer.rpc import build_rpc_model
    from tests.trace.test_engine import trace
    from tests.trees import write_tree

    files = dict(TRACE)
    files["nova/virt/libvirt/driver.py"] = files["nova/virt/libvirt/driver.py"].replace(
        """            def pause(self, instance):
                self._host.get_guest(instance)
""", "", 1)
    if manager_pause:
        manager = files["nova/compute/manager.py"]
        start = manager.index("                self.driver.pause(instance)")
        end = manager.index("            def stop_instance")
        body = "".join(f"                {line}\n" for line in manager_pause.splitlines())
        files["nova/compute/manager.py"] = manager[:start] + body + "\n" + manager[end:]
    index = Index(write_tree(tmp_path, files))
    return trace((index, build_rpc_model(index, "synthetic")), "pause", "_pause")


def test_a_driver_method_the_driver_does_not_implement_ends_its_caller(tmp_path):
    """nova 34.0.0 ComputeManager.power_update: libvirt keeps ComputeDriver's
    power_update_event stub, so the '.end' notifications after the call are never sent
    (they were drawn as if the driver had done its work)."""
    flow = _unimplemented_pause(tmp_path)
    compute = [s.text for s in iter_steps(flow.nodes) if s.source == "nova_compute"]
    assert "LibvirtDriver does not implement pause: it raises NotImplementedError " \
        "(an error)" in compute
    assert not [t for t in compute if t.startswith("instance.save")]
    assert not [t for t in compute if "pause.end" in t or "action.end" in t]


def test_a_handler_catching_any_error_is_the_path_taken_after_a_sure_raise(tmp_path):
    """manila 23.0.1 ShareManager._update_share_status: the generic driver has no
    get_share_status, and `except Exception:` sets the error status the rest saves."""
    flow = _unimplemented_pause(tmp_path, """try:
    self.driver.pause(instance)
except Exception:
    instance.vm_state = 'error'
instance.save()
""")
    compute = [s.text for s in iter_steps(flow.nodes) if s.source == "nova_compute"]
    assert "handled by except Exception: the path taken" in compute
    assert "instance.save (vm_state='error')" in compute


def test_a_sure_raise_goes_up_through_its_callers_to_the_handler_that_catches_it(tmp_path):
    """manila 23.0.1 ShareManager.share_server_migration_start: the generic driver has no
    share_server_migration_start; _share_server_migration_start_driver, which called it,
    goes no further, and the caller's `except Exception:` (the server's status set to
    error) is the path taken."""
    flow = _unimplemented_pause(tmp_path, """def do_pause():
    self.driver.pause(instance)
    instance.task_state = 'paused'
    instance.save()
try:
    do_pause()
except Exception:
    instance.vm_state = 'error'
instance.save()
""")
    compute = [s.text for s in iter_steps(flow.nodes) if s.source == "nova_compute"]
    assert "instance.save (task_state='paused')" not in compute
    assert "handled by except Exception: the path taken" in compute
    assert "instance.save (vm_state='error')" in compute
