"""Which way a branch goes: early exits deep in branches end their path, options at their
defaults and constructor arguments decide guards, and a policy decorator whose wrapper skips
its check draws nothing."""

from __future__ import annotations

from tracer.index import Index
from tracer.model import Block, iter_steps
from tracer.rpc import build_rpc_model
from tests.trace.test_engine import trace
from tests.trees import TRACE, write_tree


def _pause_with(tmp_path, before_cast: str, module_head: str = "", files=None):
    """TRACE with the compute API's pause doing `before_cast` (indented for a method body)
    before it casts pause_instance; `module_head` goes above the API class."""
    files = dict(files or TRACE)
    api = files["nova/compute/api.py"]
    body = "".join(f"                {line}\n" if line else "\n"
                   for line in before_cast.splitlines())
    api = api.replace("""                self._record_action_start(context, instance, 'pause')
""", body + """                self._record_action_start(context, instance, 'pause')
""", 1)
    if module_head:
        head = "".join(f"        {line}\n" if line else "\n" for line in module_head.splitlines())
        api = api.replace("        class API(object):", head + "        class API(object):", 1)
    files["nova/compute/api.py"] = api
    index = Index(write_tree(tmp_path, files))
    return trace((index, build_rpc_model(index, "synthetic")), "pause", "_pause")


def _blocks(nodes, label: str):
    found = []
    for node in nodes:
        if isinstance(node, Block):
            if any(b.label == label for b in node.branches):
                found.append(node)
            for branch in node.branches:
                found += _blocks(branch.nodes, label)
    return found


def test_a_return_deep_in_a_branch_makes_the_rest_conditional(tmp_path):
    """Liberty's LibvirtDriver.reboot: a successful soft reboot returns; the hard reboot
    after it runs only when it did not."""
    flow = _pause_with(tmp_path, """if instance.soft:
    objects.Migration.get_by_id(context, 1)
    if instance.soft_ok:
        return
""")
    rest = _blocks(flow.nodes, "if not (instance.soft and instance.soft_ok)")
    assert len(rest) == 1
    inside = [s.text for s in iter_steps(rest[0].branches[0].nodes)]
    assert "InstanceAction.action_start" in inside
    assert "pause_instance" in inside


def test_a_guard_deep_in_branches_that_draws_nothing_leaves_the_rest_flat(tmp_path):
    flow = _pause_with(tmp_path, """if instance.soft:
    if instance.soft_ok:
        raise ValueError()
""")
    assert not [b for b in flow.nodes if isinstance(b, Block)]
    assert "pause_instance" in [s.text for s in flow.nodes if hasattr(s, "text")]


def _with_option(files: dict, declaration: str) -> dict:
    files = dict(files)
    files["nova/conf/__init__.py"] = ""
    files["nova/conf/compute.py"] = f"""
        from oslo_config import cfg
        opts = [
            {declaration},
        ]
        """
    api = files["nova/compute/api.py"]
    files["nova/compute/api.py"] = api.replace(
        "        import functools\n", "        import functools\n\n        import nova.conf\n"
        "        CONF = nova.conf.CONF\n", 1)
    return files


def test_an_option_at_its_default_decides_its_branch_and_says_so(tmp_path):
    files = _with_option(TRACE, "cfg.IntOpt('reclaim_interval', default=0)")
    flow = _pause_with(tmp_path, """if CONF.reclaim_interval:
    objects.Migration.get_by_id(context, 1)
    return
""", files=files)
    texts = [s.text for s in iter_steps(flow.nodes)]
    assert "Migration.get_by_id" not in texts  # the soft-delete-like way is not drawn
    assert "pause_instance" in texts
    assert any(t.startswith("not drawn: the branch for CONF.reclaim_interval=0") for t in texts)
    assert any("CONF.reclaim_interval=0" in note for note in flow.notes)


def test_an_option_without_a_default_is_none(tmp_path):
    files = _with_option(TRACE, "cfg.StrOpt('notify_on_state_change')")
    flow = _pause_with(tmp_path, """if not CONF.notify_on_state_change:
    return
objects.Migration.get_by_id(context, 1)
""", files=files)
    texts = [s.text for s in iter_steps(flow.nodes)]
    assert "Migration.get_by_id" not in texts and "pause_instance" not in texts


def test_a_policy_decorator_whose_wrapper_skips_its_check_is_not_drawn(tmp_path):
    """Liberty: `@wrap_check_policy` checks `if not self.skip_policy_check`, and the v2.1
    controllers build the API with skip_policy_check=True."""
    def flow_for(skip: str):
        files = dict(TRACE)
        api = files["nova/compute/api.py"]
        api = api.replace("""        class API(object):
            def __init__(self):
""", """        def policy_decorator(scope):
            def outer(func):
                @functools.wraps(func)
                def wrapped(self, context, target, *args, **kwargs):
                    if not self.skip_policy_check:
                        check_policy(context, func.__name__, target, scope)
                    return func(self, context, target, *args, **kwargs)
                return wrapped
            return outer

        wrap_check_policy = policy_decorator(scope='compute')

        def check_policy(context, action, target, scope='compute'):
            nova.policy.enforce(context, '%s:%s' % (scope, action), target)

        class API(object):
            def __init__(self, skip_policy_check=False):
                self.skip_policy_check = skip_policy_check
""", 1).replace("        import functools\n", "        import functools\n\n"
                "        import nova.policy\n", 1)
        api = api.replace("""            @check_instance_lock
            @check_instance_state(vm_state=[vm_states.ACTIVE])
            def pause(""", """            @wrap_check_policy
            @check_instance_lock
            @check_instance_state(vm_state=[vm_states.ACTIVE])
            def pause(""", 1)
        files["nova/compute/api.py"] = api
        files["nova/policy.py"] = """
            def enforce(context, action, target):
                pass
            """
        servers = files["nova/api/openstack/compute/servers.py"]
        files["nova/api/openstack/compute/servers.py"] = servers.replace(
            "self.compute_api = compute.API()", f"self.compute_api = compute.API({skip})", 1)
        root = write_tree(tmp_path / (skip or "default"), files)
        index = Index(root)
        return trace((index, build_rpc_model(index, "synthetic")), "pause", "_pause")

    def notes(flow):
        return [s.text for s in iter_steps(flow.nodes) if s.kind == "note"]

    assert "policy: compute:pause" in notes(flow_for(""))
    assert "policy: compute:pause" not in notes(flow_for("skip_policy_check=True"))
