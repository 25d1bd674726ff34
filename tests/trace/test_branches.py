"""Which way a branch goes: early exits deep in branches end their path, options at their
defaults and constructor arguments decide guards, and a policy decorator whose wrapper skips
its check draws nothing."""

from __future__ import annotations

from tracer.index import Index
from tracer.model import Block, iter_steps
from tracer.rpc import build_rpc_model
from tests.trace.test_engine import _walk_blocks, trace
from tests.trees import TRACE, write_tree


def _pause_with(tmp_path, before_cast: str, module_head: str = "", files=None, **options):
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
    return trace((index, build_rpc_model(index, "synthetic")), "pause", "_pause", **options)


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
    assert len(rest) == 2  # the rest, and the cast's receiver's work, sent from it
    inside = [s.text for s in iter_steps(rest[0].branches[0].nodes)]
    assert "InstanceAction.action_start" in inside
    assert "pause_instance" in inside
    assert rest[1].branches[0].nodes[0].kind == "start"


def test_a_guard_deep_in_branches_that_draws_nothing_leaves_the_rest_flat(tmp_path):
    flow = _pause_with(tmp_path, """if instance.soft:
    if instance.soft_ok:
        raise ValueError()
""")
    assert not [b for b in flow.nodes if isinstance(b, Block)]
    assert "pause_instance" in [s.text for s in flow.nodes if hasattr(s, "text")]


def test_a_raise_deep_in_a_branch_that_draws_leaves_the_rest_flat(tmp_path):
    """Liberty's API._validate_and_build_base_options: `if availability_zone:` looks the
    zones up, then raises if the zone is unknown. A raise is an error path: the rest (the
    network checks, the cast) is the normal path, drawn flat, never under "if it did not
    raise" (it was drawn under "opt if if it did not return above")."""
    flow = _pause_with(tmp_path, """if instance.zone:
    objects.Migration.get_by_id(context, 1)
    if instance.zone not in \\
            instance.zones:
        raise ValueError()
""")
    drawn = [s.text for s in flow.nodes if hasattr(s, "text")]
    assert "pause_instance" in drawn  # at the top level, not in a frame
    assert [b.branches[0].label for b in flow.nodes if isinstance(b, Block)] == \
        ["if instance.zone"]


def test_an_arm_that_raises_is_an_error_path_and_the_other_is_drawn_flat(tmp_path):
    """34.0.0's API.get: `if uuid_like: _get_instance(...) else: raise NotFound`. The
    lookup is the normal path, not `opt if uuidutils.is_uuid_like(...)`; with --errors
    the branch is drawn whole."""
    work = """if instance.uuid_like:
    objects.Migration.get_by_id(context, 1)
else:
    raise ValueError()
"""
    flow = _pause_with(tmp_path, work)
    assert not [b for b in flow.nodes if isinstance(b, Block)]
    assert "Migration.get_by_id" in [s.text for s in flow.nodes if hasattr(s, "text")]
    errors = _pause_with(tmp_path / "errors", work, errors=True)
    assert _blocks(errors.nodes, "if instance.uuid_like")


def test_a_nested_helper_s_write_is_named_once(tmp_path):
    """Beyond the drawn depth a helper's arrow names what is written, never the summary
    of the helper below it ("get instance: may write get instance from cell: may write
    mapping.save" was drawn)."""
    flow = _pause_with(tmp_path, "self._outer(context, instance)", depth=0, files={
        **TRACE, "nova/compute/api.py": TRACE["nova/compute/api.py"].replace(
            "        class API(object):", """        class API(object):
            def _outer(self, context, instance):
                self._inner(context, instance)

            def _inner(self, context, instance):
                mapping = objects.InstanceMapping(context)
                if instance.user_id:
                    mapping.save()
""", 1)})
    writes = [s.text for s in iter_steps(flow.nodes) if s.kind == "db" and "outer" in s.text]
    assert writes == ["API._outer: may write mapping.save"], writes


def _fallback_tree(files: dict) -> dict:
    return {**files, "nova/compute/api.py": files["nova/compute/api.py"].replace(
        "        class API(object):", """        class API(object):
            def _stub(self, instance):
                raise NotImplementedError()

            def _own(self, instance):
                instance.host = 'x'
""", 1)}


def test_a_not_implemented_fallback_is_drawn_only_when_a_stub_is_reached(tmp_path):
    """`try: self.driver.rebuild(...) except NotImplementedError: default()` is the normal
    path when the call reaches a base class's stub (libvirt has no rebuild of its own),
    and never runs when the callee is implemented (libvirt's own
    default_device_names_for_instance: Liberty's boot drew the fallback)."""
    work = """try:
    self.{callee}(instance)
except NotImplementedError:
    objects.Migration.get_by_id(context, 1)
"""
    stub = _pause_with(tmp_path / "stub", work.format(callee="_stub"),
                       files=_fallback_tree(TRACE))
    own = _pause_with(tmp_path / "own", work.format(callee="_own"),
                      files=_fallback_tree(TRACE))
    assert "Migration.get_by_id" in [s.text for s in iter_steps(stub.nodes)]
    assert "Migration.get_by_id" not in [s.text for s in iter_steps(own.nodes)]


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


def test_a_predicate_function_over_options_decides_its_branch(tmp_path):
    """34.0.0's `if not limit_utils.use_unified_limits(): return`, where the function only
    returns `CONF.quota.driver == UNIFIED_LIMITS_DRIVER` and the option's default is the
    database driver: decided as the condition is, and said."""
    files = _with_option(TRACE, "cfg.StrOpt('quota_driver', default='db')")
    head = """UNIFIED = 'unified'


def use_unified():
    \"\"\"Whether unified limits are on.\"\"\"
    return CONF.quota_driver == UNIFIED
"""
    flow = _pause_with(tmp_path, """if not use_unified():
    objects.Migration.get_by_id(context, 1)
if use_unified():
    objects.Migration.get_by_id(context, 2)
""", module_head=head, files=files)
    texts = [s.text for s in iter_steps(flow.nodes)]
    assert texts.count("Migration.get_by_id") == 1  # the first way only, without a frame
    assert not [b for b in flow.nodes if isinstance(b, Block)]
    assert any(t.startswith("not drawn: the branch for CONF.quota_driver='db'")
               for t in texts)


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


def test_a_context_manager_runs_to_its_yield_then_the_body_then_the_rest(tmp_path):
    """`with self._error_out_instance_on_exception(...)`: its `except` around the yield
    is an error path of the body, not work drawn before it."""
    flow = _pause_with(tmp_path, """with self._guarded(context, instance):
    objects.Aggregate.get_by_id(context, 2)
""", module_head="""import contextlib
""", files=_with_method(TRACE, """
            @contextlib.contextmanager
            def _guarded(self, context, instance):
                objects.Migration.get_by_id(context, 1)
                try:
                    yield
                except NotImplementedError:
                    objects.Service.get_by_id(context, 9)
                objects.ComputeNode.get_by_id(context, 3)
"""))
    reads = [s.text for s in iter_steps(flow.nodes) if s.kind == "db"]
    assert "Service.get_by_id" not in reads  # an error path
    order = [reads.index(t) for t in ("Migration.get_by_id", "Aggregate.get_by_id",
                                      "ComputeNode.get_by_id")]
    assert order == sorted(order)


def _with_method(files: dict, method: str) -> dict:
    """TRACE with `method` (indented as a method) added to the compute API class."""
    files = dict(files)
    api = files["nova/compute/api.py"]
    files["nova/compute/api.py"] = api.replace("""            def get(self, context, instance_id):""",
                                               method.strip("\n") + """

            def get(self, context, instance_id):""", 1)
    return files


def test_a_loop_that_searches_for_one_item_is_drawn_once(tmp_path):
    flow = _pause_with(tmp_path, """for bdm in instance.bdms:
    if bdm.volume_id != instance.uuid:
        continue
    bdm.save()
    break
""")
    assert not [b for b in flow.nodes if isinstance(b, Block) and b.kind == "loop"]
    found = _blocks(flow.nodes,
                    "if some bdm in instance.bdms has bdm.volume_id == instance.uuid")
    assert [s.text for s in iter_steps(found[0].branches[0].nodes) if s.kind == "db"] == \
        ["bdm.save"]


def test_a_retry_loop_stays_a_loop(tmp_path):
    flow = _pause_with(tmp_path, """for status in ('finished', 'confirming'):
    try:
        objects.Migration.get_by_id(context, status)
        break
    except ValueError:
        pass
""")
    loops = [b for b in flow.nodes if isinstance(b, Block) and b.kind == "loop"]
    assert [b.branches[0].label for b in loops] == ["for status in ('finished', 'confirming')"]


def test_fields_set_through_update_are_written_by_the_next_save(tmp_path):
    flow = _pause_with(tmp_path, """instance.update({'progress': 0})
self._set(instance, task_state=task_states.PAUSING)
""", files=_with_method(TRACE, """
            def _set(self, instance, **attrs):
                instance.update(attrs)
                instance.save()
"""))
    writes = [s.text for s in iter_steps(flow.nodes) if s.kind == "db"]
    assert "instance.save (progress=0, task_state=PAUSING)" in writes


def _two_sends_files(confirm: bool) -> dict:
    """TRACE whose compute API pause confirms a migration on its source host (when
    `confirm`) before casting pause_instance to the instance's own host."""
    files = dict(TRACE)
    rpcapi = files["nova/compute/rpcapi.py"]
    files["nova/compute/rpcapi.py"] = rpcapi.replace("""            def stop_instance(""", """            def confirm_resize(self, ctxt, instance, migration, host):
                cctxt = self.client.prepare(server=host, version='6.0')
                return cctxt.call(ctxt, 'confirm_resize', instance=instance,
                                  migration=migration)

            def stop_instance(""", 1)
    manager = files["nova/compute/manager.py"]
    files["nova/compute/manager.py"] = manager.replace("""            def stop_instance(""", """            def confirm_resize(self, context, instance, migration):
                self.driver.power_off(instance)

            def stop_instance(""", 1)
    if confirm:
        api = files["nova/compute/api.py"]
        files["nova/compute/api.py"] = api.replace(
            """                self._record_action_start(context, instance, 'pause')
""", """                self._record_action_start(context, instance, 'pause')
                migration = objects.Migration.get_by_instance(context, instance.uuid)
                self.compute_rpcapi.confirm_resize(context, instance, migration,
                                                   migration.source_compute)
""", 1)
    return files


def test_sends_to_different_hosts_on_one_path_are_two_participants(tmp_path):
    """A delete of a resized server confirms the resize on the migration's source, then
    terminates the instance on its own host: the destination of that resize."""
    index = Index(write_tree(tmp_path / "two", _two_sends_files(confirm=True)))
    flow = trace((index, build_rpc_model(index, "synthetic")), "pause", "_pause")
    sends = {(s.text, s.target) for s in iter_steps(flow.nodes) if s.kind in ("call", "cast")}
    assert ("confirm_resize", "nova_compute_src") in sends
    assert ("pause_instance", "nova_compute_dest") in sends
    assert dict(flow.labels)["nova_compute_dest"].endswith("(the instance's host)")
    index = Index(write_tree(tmp_path / "one", _two_sends_files(confirm=False)))
    flow = trace((index, build_rpc_model(index, "synthetic")), "pause", "_pause")
    assert "nova_compute" in flow.participants
    assert not [p for p in flow.participants if p.startswith("nova_compute_")]


def test_a_key_set_in_an_object_s_dict_field_is_written_by_the_next_save(tmp_path):
    """Liberty's _prep_resize: `instance.system_metadata['old_vm_state'] = vm_state`
    then `instance.save()`: the save writes that key of the field."""
    flow = _pause_with(tmp_path, """vm_state = instance.vm_state
instance.system_metadata['old_vm_state'] = vm_state
instance.save()
""")
    saves = [s.text for s in iter_steps(flow.nodes) if s.kind == "db" and
             s.text.startswith("instance.save") and s.source == "nova_api"]
    assert "instance.save (system_metadata['old_vm_state']=instance.vm_state)" in saves, saves


def test_an_attribute_computed_on_first_use_has_the_computed_value(tmp_path):
    """Liberty's API.cell_type: `try: return getattr(self, '_cell_type') except
    AttributeError: self._cell_type = cells_opts.get_cell_type()`, None with cells off:
    `if self.cell_type == 'api'` is decided, on first use and after."""
    files = dict(TRACE)
    files["nova/compute/api.py"] = files["nova/compute/api.py"].replace(
        "        class API(object):", """        class API(object):
            @property
            def cell_type(self):
                try:
                    return getattr(self, '_cell_type')
                except AttributeError:
                    self._cell_type = None
                    return self._cell_type
""", 1)
    flow = _pause_with(tmp_path, """if self.cell_type == 'api':
    objects.Migration.get_by_id(context, 1)
if self.cell_type == 'api':
    objects.Migration.get_by_id(context, 2)
""", files=files)
    assert "Migration.get_by_id" not in [s.text for s in iter_steps(flow.nodes)]
    assert not _blocks(flow.nodes, "if self.cell_type == 'api'")


def test_a_name_tested_again_below_its_branch_is_known_there(tmp_path):
    """Liberty's _create_instance: `if image_href: self._get_image(context, image_href)`,
    and _get_image begins `if not image_href: return None, {}`. Inside the first branch
    the second test is decided: the lookup is drawn once, under one frame."""
    files = dict(TRACE)
    files["nova/compute/api.py"] = files["nova/compute/api.py"].replace(
        "        class API(object):", """        class API(object):
            def _lookup(self, context, href):
                if not href:
                    return None
                migration = objects.Migration.get_by_id(context, href)
                migration.save()
""", 1)
    flow = _pause_with(tmp_path, """href = instance.image_ref
if href:
    self._lookup(context, href)
""", files=files)
    outer = _blocks(flow.nodes, "if href")
    assert len(outer) == 1
    inner = outer[0].branches[0].nodes
    assert not [n for n in inner if isinstance(n, Block)], inner
    assert "migration.save" in [s.text for s in iter_steps(inner)]


def test_a_branch_that_always_returns_through_a_try_is_the_alternative_to_the_rest(
        tmp_path):
    """Liberty's API._delete: `if not instance.host and not shelved_offloaded: try: ...
    instance.destroy(); return except ObjectActionError: ...`. The return is nested in a
    try, yet the branch always ends the function: the rest is its `else`, never drawn on
    the same path as the destroy."""
    flow = _pause_with(tmp_path, """if not instance.host:
    try:
        objects.Migration.get_by_id(context, 1)
        return
    except ValueError:
        pass
""")
    alt = [b for b in flow.nodes if isinstance(b, Block)]
    # the alternative, then the cast's receiver's work, under the arm that sent it
    assert [(b.kind, [br.label for br in b.branches]) for b in alt] == \
        [("alt", ["if not instance.host", ""]), ("opt", ["if instance.host"])]
    first, rest = ([s.text for s in iter_steps(br.nodes)] for br in alt[0].branches)
    assert "Migration.get_by_id" in " ".join(first) and "pause_instance" not in first
    assert "pause_instance" in rest
    assert alt[1].branches[0].nodes[0].kind == "start"


def test_a_label_cut_to_fit_keeps_its_whole_condition(tmp_path):
    """34.0.0's API._delete: the rest after a partial return is drawn under a condition
    too long for a label; the label is cut between tokens and the branch keeps the whole
    condition (the JSON flow's `condition`), a written `if` likewise."""
    long_test = " and ".join(f"instance.flag_number_{i}" for i in range(6))
    flow = _pause_with(tmp_path, f"""if instance.soft:
    objects.Migration.get_by_id(context, 1)
    if {long_test}:
        return
if {long_test}:
    objects.Migration.get_by_id(context, 2)
""")
    branches = [b for node in flow.nodes if isinstance(node, Block) for b in node.branches]
    # the rest, then the cast's receiver's work under the same condition
    rest = [b for b in branches if b.label.startswith("if not (instance.soft")]
    assert len(rest) == 2 and rest[0].label.endswith("...") and len(rest[0].label) <= 73
    assert rest[1].condition == rest[0].condition
    assert rest[0].condition == f"not (instance.soft and {long_test})"
    assert rest[0].to_json()["condition"] == rest[0].condition
    written = [b for node in _walk_blocks(rest[0].nodes) for b in node.branches]
    assert [b.condition for b in written] == [long_test]
    assert written[0].label.endswith("...")
    # a label that fits keeps no second copy
    short = [b for b in branches if b.label == "if instance.soft"]
    assert short and short[0].condition == "" and "condition" not in short[0].to_json()


def _labels(nodes):
    return [(block.kind, branch.label) for block in _walk_blocks(nodes)
            for branch in block.branches]


def test_an_arm_drawn_after_arms_that_draw_nothing_says_they_did_not_hold(tmp_path):
    """34.0.0's API._validate_host_or_node: `if host:` reads the database only (not
    drawn beyond depth), `elif hypervisor_hostname:` asks placement. The drawn arm is
    `not host and hypervisor_hostname`, never `hypervisor_hostname` alone, and no empty
    `alt if host` is left."""
    flow = _pause_with(tmp_path, """if instance.host:
    pass
elif instance.node:
    objects.Migration.get_by_id(context, 1)
""")
    assert ("opt", "if not instance.host and instance.node") in _labels(flow.nodes)
    assert not [label for _, label in _labels(flow.nodes) if label == "if instance.host"]


def test_equal_to_another_constant_settles_the_negations_of_the_arms_before(tmp_path):
    """34.0.0's LibvirtDriver._live_migration_monitor: `if info.type == JOB_NONE:` (a log
    line) `elif info.type == JOB_COMPLETED:` ...: the drawn arm is
    `info.type == JOB_COMPLETED`, which already says it is not JOB_NONE."""
    flow = _pause_with(tmp_path, """if instance.kind == objects.NONE:
    pass
elif instance.kind == objects.DONE:
    objects.Migration.get_by_id(context, 1)
elif instance.kind == objects.FAILED:
    objects.Migration.get_by_id(context, 2)
""")
    assert _labels(flow.nodes) == [("alt", "if instance.kind == objects.DONE"),
                                   ("alt", "if instance.kind == objects.FAILED")]


def test_arms_left_empty_by_the_summary_of_a_helper_are_not_drawn():
    """Beyond `--depth` a helper keeps only what crosses a process: an arm that only read
    the database is empty then, and goes the same way (its anchors kept before the
    frame)."""
    from tracer.model import Branch, Step
    from tracer.trace.engine import _crossing

    def step(kind, text, target=None):
        return Step(kind, "nova_api", target, text, "nova.compute.api.API.f",
                    "nova/compute/api.py", 1)

    block = Block("alt", (
        Branch("if host", (step("enter", "nova.compute.api.API.g"),
                           step("db", "HostMapping.get_by_host", "database"))),
        Branch("if node", (step("service", "get_provider_by_name", "placement"),)),
    ), "nova.compute.api.API.f", "nova/compute/api.py", 1)
    kept = _crossing([block], "nova_api", False, lambda text: False)
    assert [n.kind for n in kept] == ["enter", "opt"]
    assert kept[1].branches[0].label == "if not host and node"


# TRACE with a Nova object class, Migration, that the code can build and create
_WITH_MIGRATION = {**TRACE, "nova/objects/__init__.py":
                   "from nova.objects.migration import Migration\n",
                   "nova/objects/migration.py": """
        class Migration(object):
            def __init__(self, context=None, **kwargs):
                pass

            def create(self):
                pass
        """}


def test_an_object_made_where_it_is_written_is_named_by_its_class(tmp_path):
    """Ironic 39.0.0's conductor utils: `objects.NodeHistory(node_id=..., ...).create()`
    is `NodeHistory.create (node_id=...)`, not the constructor call's whole text."""
    files = _WITH_MIGRATION
    flow = _pause_with(tmp_path, """objects.Migration(context=context, status='done').create()
""", files=files)
    writes = [s.text for s in iter_steps(flow.nodes) if s.kind == "db"]
    assert "Migration.create (status='done')" in writes, writes


def test_arms_that_draw_the_same_steps_are_drawn_once(tmp_path):
    """Cinder 29.0.0's volume extend casts extend_volume whether or not the volume is
    attached (only an argument differs): with an `else`, the step is drawn flat; without
    one, once under both conditions."""
    flow = _pause_with(tmp_path, """if instance.a:
    objects.Migration.get_by_id(context, 1)
else:
    objects.Migration.get_by_id(context, 2)
if instance.b:
    objects.Migration.get_by_id(context, 3)
elif instance.c:
    objects.Migration.get_by_id(context, 4)
""")
    assert _labels(flow.nodes) == [("opt", "if instance.b or instance.c")]
    top = [s.text for s in flow.nodes if not isinstance(s, Block)]
    assert "Migration.get_by_id" in top
    # arms that differ stay an alt
    other = _pause_with(tmp_path / "other", """if instance.a:
    objects.Migration.get_by_id(context, 1)
else:
    objects.Instance.get_by_uuid(context, 2)
""")
    assert [kind for kind, _ in _labels(other.nodes)] == ["alt", "alt"]


def test_a_name_given_a_condition_the_defaults_decide_is_decided(tmp_path):
    """34.0.0's ComputeManager._shelve_instance: `offload = CONF.shelved_offload_time == 0`
    then `if offload:` offloads at once; the option's default (0) decides it, as a branch
    on the option itself would be."""
    files = dict(TRACE)
    files["nova/conf/compute.py"] = """
        from oslo_config import cfg

        opts = [cfg.IntOpt('shelved_offload_time', default=0)]
        """
    flow = _pause_with(tmp_path, """offload = CONF.shelved_offload_time == 0
if offload:
    objects.Migration.get_by_id(context, 1)
else:
    objects.Instance.get_by_uuid(context, 2)
""", module_head="from nova import conf\nCONF = conf.CONF\n", files=files)
    assert not _labels(flow.nodes)
    drawn = [s.text for s in iter_steps(flow.nodes)]
    assert "Migration.get_by_id" in drawn
    notes = [s.text for s in iter_steps(flow.nodes) if s.kind == "note"]
    assert any("CONF.shelved_offload_time=0" in text for text in notes), notes


def test_an_elif_whose_test_does_work_is_the_else_arm(tmp_path):
    """34.0.0's ComputeManager._do_rebuild_instance: `if on_shared_storage is None:
    on_shared_storage = self.driver.instance_on_disk(instance) elif on_shared_storage !=
    self.driver.instance_on_disk(instance): raise ...`: the elif's test runs only when the
    first test failed, so its lookup is the else arm's work, never drawn before the
    branch as if it always ran (nor twice on one path)."""
    flow = _pause_with(tmp_path, """if instance.shared is None:
    objects.Migration.get_by_id(context, 1)
elif objects.Migration.get_by_id(context, 2):
    raise ValueError()
""")
    drawn = [s.text for s in iter_steps(flow.nodes) if s.kind == "db"]
    # one lookup on either path: the arms alike, drawn once and flat
    assert drawn.count("Migration.get_by_id") == 1
    other = _pause_with(tmp_path / "other", """if instance.shared is None:
    objects.Instance.get_by_uuid(context, 1)
elif objects.Migration.get_by_id(context, 2):
    raise ValueError()
""")
    assert [kind for kind, _ in _labels(other.nodes)] == ["alt", "alt"]
    first, second = [b for b in other.nodes if isinstance(b, Block)][0].branches
    assert "Migration.get_by_id" not in [s.text for s in iter_steps(first.nodes)]
    assert "Migration.get_by_id" in [s.text for s in iter_steps(second.nodes)]


def test_a_conditional_expression_draws_its_sides_work_under_its_test(tmp_path):
    """34.0.0 ComputeTaskManager.unshelve_instance: `cyborg.get_device_profile_request_groups(
    context, device_profile) if device_profile else []`: the call only when the test
    holds; MigrationTask._preallocate_migration's `migration_type=("resize" if ... else
    "migration")` is either value, never the first alone."""
    files = _WITH_MIGRATION
    flow = _pause_with(tmp_path, """found = objects.Migration.get_by_id(context, 1) if instance.dp else []
objects.Migration(context=context,
                  kind='resize' if instance.a != instance.b else 'migration').create()
""", files=files)
    drawn = [(s.kind, s.text) for s in iter_steps(flow.nodes)]
    assert ("opt", "if instance.dp") in _labels(flow.nodes)
    assert ("db", "Migration.create (kind='resize' or 'migration')") in drawn, drawn


def test_a_handler_drawn_in_an_earlier_arm_is_as_above_and_one_never_drawn_is_drawn(tmp_path):
    """A call whose handler was drawn in an arm before says `as above` (34.0.0's
    live-migrate: the conductor's work in the synchronous arm, the cast's receiver
    after); `as above` never points at a drawing the trace left out."""
    flow = _pause_with(tmp_path, """if instance.a:
    self.compute_rpcapi.stop_instance(context, instance, do_cast=False)
else:
    objects.Migration.get_by_id(context, 1)
    self.compute_rpcapi.stop_instance(context, instance, do_cast=False)
""")
    notes = [s for s in iter_steps(flow.nodes) if s.kind == "note" and "as above" in s.text]
    assert [s.text for s in notes] == ["stop_instance: as above"]
    enters = [s for s in iter_steps(flow.nodes)
              if s.kind == "enter" and s.anchor.endswith("ComputeManager.stop_instance")]
    assert len(enters) == 1  # drawn once, in the first arm


def test_a_read_after_a_guard_clause_that_returns_is_guarded(tmp_path):
    """34.0.0 request_filter.map_az_to_placement_aggregate: `if not az_hint: return False`
    then `AggregateList.get_by_metadata(...)`: the read only happens with a zone asked
    for, so it carries the guard (a guard that raises is an error path: flat)."""
    flow = _pause_with(tmp_path, """if not instance.az:
    return
objects.Migration.get_by_id(context, 1)
""")
    reads = [s for s in iter_steps(flow.nodes) if s.text == "Migration.get_by_id"]
    assert reads and ("opt", "if instance.az") in _labels(flow.nodes)


def test_a_flag_an_arm_sets_on_an_object_is_not_certain_after_the_branch(tmp_path):
    """34.0.0 scheduler utils: ResourceRequest.cpu_pinning_requested is False unless the
    flavor asks for pinned CPUs (`if ...: self.cpu_pinning_requested = True`); the
    scheduler's fallback query `if resources.cpu_pinning_requested and ...` stays under
    its condition, never drawn as if the flag were set."""
    flow = _pause_with(tmp_path, """self.flag = False
if instance.pinned:
    self.flag = True
if self.flag:
    objects.Migration.get_by_id(context, 1)
""")
    assert ("opt", "if self.flag") in _labels(flow.nodes)
    # set the same way in every arm that carries on: known
    known = _pause_with(tmp_path / "known", """self.flag = False
if instance.pinned:
    self.flag = True
else:
    self.flag = True
if self.flag:
    objects.Migration.get_by_id(context, 1)
""")
    assert not [label for _, label in _labels(known.nodes) if label == "if self.flag"]


def test_an_object_method_handed_a_service_client_is_followed(tmp_path):
    """34.0.0 API.rescue: `objects.ImageMeta.from_image_ref(context, self.image_api,
    rescue_image_ref)` looks the image up in glance through the client it is handed: the
    call to the service is drawn (the object layer is not followed otherwise)."""
    files = {**TRACE, "nova/objects/__init__.py": "from nova.objects.info import Info\n",
             "nova/objects/info.py": """
        class Info(object):
            @classmethod
            def from_ref(cls, context, network_api, ref):
                network_api.setup_networks_on_host(context, ref)
                return cls()
        """}
    flow = _pause_with(tmp_path, """objects.Info.from_ref(context, neutron.API(), instance)
""", module_head="from nova.network import neutron\n", files=files)
    assert [s.text for s in iter_steps(flow.nodes)
            if s.kind == "service" and s.target == "neutron"], \
        [(s.kind, s.target, s.text) for s in iter_steps(flow.nodes)]
    # a class nova.objects registers at run time (found by name, not imported): the
    # arguments it is given are still the ones the call passes
    registered = {**files, "nova/objects/__init__.py": ""}
    flow = _pause_with(tmp_path / "registered", """objects.Info.from_ref(context, neutron.API(), instance)
""", module_head="from nova.network import neutron\n", files=registered)
    assert [s for s in iter_steps(flow.nodes) if s.kind == "service" and s.target == "neutron"]


def test_a_predicate_inside_a_larger_condition_is_decided_with_it(tmp_path):
    """34.0.0 API._check_quota_unshelve_offloaded: `if not (CONF.quota.count_usage_from_
    placement or limit_utils.use_unified_limits()): return`: both false by default, so
    the check returns at once; the recheck after it is not drawn, and said."""
    files = _with_option(TRACE, "cfg.StrOpt('quota_driver', default='db')")
    head = """UNIFIED = 'unified'


def use_unified():
    return CONF.quota_driver == UNIFIED
"""
    flow = _pause_with(tmp_path, """if not (CONF.quota_driver == 'placement' or use_unified()):
    return
objects.Migration.get_by_id(context, 1)
""", module_head=head, files=files)
    texts = [s.text for s in iter_steps(flow.nodes)]
    assert "Migration.get_by_id" not in texts and "pause_instance" not in texts
    assert not _labels(flow.nodes)


def test_a_policy_that_denies_everyone_by_default_decides_its_branch(tmp_path):
    """34.0.0 API._allow_cross_cell_resize: `allowed = context.can(CROSS_CELL_RESIZE,
    fatal=False)` where nova/policies/servers.py declares the rule with check_str
    base.RULE_NOBODY ('!'): false unless an operator opens it, so the cross-cell branch is
    not drawn, and the flow says which policy decided it."""
    files = dict(TRACE)
    files["nova/policies/base.py"] = "RULE_NOBODY = '!'\n"
    files["nova/policies/servers.py"] = files["nova/policies/servers.py"] + """
        from oslo_policy import policy
        from nova.policies import base

        CROSS_CELL = 'compute:servers:resize:cross_cell'

        rules = [
            policy.DocumentedRuleDefault(name=CROSS_CELL, check_str=base.RULE_NOBODY),
        ]
        """
    flow = _pause_with(tmp_path, """allowed = context.can(server_policies.CROSS_CELL, fatal=False)
if allowed:
    objects.Migration.get_by_id(context, 1)
""", module_head="from nova.policies import servers as server_policies\n", files=files)
    texts = [s.text for s in iter_steps(flow.nodes)]
    assert "Migration.get_by_id" not in texts and not _labels(flow.nodes)
    assert any("policy compute:servers:resize:cross_cell='!'" in note for note in flow.notes)


def test_a_method_that_only_hands_its_arguments_on_adds_no_level(tmp_path):
    """Nova 34.0.0's VolumesBootController._resize is `return super()._resize(req, id,
    body)`: the servers API's resize behind it was drawn a level deeper, its helpers'
    work folded into notes that /servers/{id}/action (resize) draws in full."""
    head = """def _relay(context, instance):
    return _lookup(context, instance)


def _relay_uuid(context, instance):
    return _lookup(context, instance.uuid)


def _lookup(context, instance):
    return _read(context, instance)


def _read(context, instance):
    objects.Migration.get_by_id(context, 1)
"""
    relayed = _pause_with(tmp_path / "relayed", "_relay(context, instance)", head)
    direct = _pause_with(tmp_path / "direct", "_lookup(context, instance)", head)

    def drawn(flow):
        return [(s.kind, s.text) for s in iter_steps(flow.nodes)
                if s.kind not in ("enter", "leave")]

    assert drawn(relayed) == drawn(direct)
    assert ("db", "Migration.get_by_id") in drawn(direct)  # _read drawn in full, not folded
    # a helper that does more than hand its arguments on still adds a level
    folded = _pause_with(tmp_path / "folded", "_relay_uuid(context, instance)", head)
    assert ("db", "Migration.get_by_id") not in drawn(folded)
    assert ("db", "lookup: reads Migration.get_by_id") in drawn(folded)


def test_a_field_set_in_one_arm_only_may_be_left_unchanged(tmp_path):
    """Cinder 29.0.0's _cleanup_cg_in_volume sets consistencygroup_id = None only when the
    volume has both group ids: the save after it may not write that field."""
    flow = _pause_with(tmp_path, """if instance.grouped:
    instance.node = 'n1'
instance.save()
""")
    saves = [s.text for s in iter_steps(flow.nodes) if s.text.startswith("instance.save (node")]
    assert saves == ["instance.save (node='n1' or unchanged)"]


def test_a_helper_called_again_sets_its_fields_again(tmp_path):
    """A helper beyond the depth is walked once per flow and remembered; one that sets an
    object's fields is walked again, or the second save would miss them."""
    head = """def _outer(instance):
    _mark(instance)


def _mark(instance):
    instance.node = 'n1'
"""
    flow = _pause_with(tmp_path, """_outer(instance)
instance.save()
_outer(instance)
instance.save()
""", head)
    saves = [s.text for s in iter_steps(flow.nodes) if s.text.startswith("instance.save (node")]
    assert saves == ["instance.save (node='n1')"] * 2


def test_a_try_whose_body_always_returns_ends_the_function(tmp_path):
    """nova 34.0.0 ComputeManager._get_instances_on_driver: `if len(driver_uuids) == 0:
    return ...` then `return local_instances` inside a try; what follows the try runs only
    when its handler was taken (a driver without list_instance_uuids). It was drawn under
    an invented `opt if len(driver_uuids) != 0`."""
    flow = _pause_with(tmp_path, """try:
    if instance.flag:
        return objects.Migration.get_by_id(context, 1)
    return objects.Aggregate.get_by_id(context, 2)
except ValueError:
    objects.Service.get_by_id(context, 4)
objects.ComputeNode.get_by_id(context, 3)
""")
    reads = [s.text for s in iter_steps(flow.nodes) if s.kind == "db"]
    assert "Aggregate.get_by_id" in reads
    assert "ComputeNode.get_by_id" not in reads and "Service.get_by_id" not in reads
    assert any("exception handlers" in note for note in flow.notes)


def test_an_operand_of_and_or_runs_only_where_the_ones_before_let_it(tmp_path):
    """nova 34.0.0 _heal_instance_info_cache: `instance.task_state is None and
    self._require_nw_info_update(...)` asks neutron only when the task state is None;
    an operand after one known to decide is not evaluated at all."""
    flow = _pause_with(tmp_path, """if instance.flag and objects.Migration.get_by_id(context, 1):
    pass
if False and objects.Aggregate.get_by_id(context, 2):
    pass
cached = instance.cached or objects.Service.get_by_id(context, 4)
""")
    reads = [s.text for s in iter_steps(flow.nodes) if s.kind == "db"]
    assert "Aggregate.get_by_id" not in reads
    guarded = {b.branches[0].label: [s.text for s in iter_steps(b.branches[0].nodes)
                                      if s.kind == "db"]
               for b in _walk_blocks(flow.nodes) if b.kind == "opt"}
    assert guarded.get("if instance.flag") == ["Migration.get_by_id"]
    assert guarded.get("if not instance.cached") == ["Service.get_by_id"]


def test_an_option_decides_the_if_after_a_guard_that_raises(tmp_path):
    """nova 34.0.0 API._validate_unshelve_az: `if az not in zones: raise` then `if not
    CONF.cinder.cross_az_attach:` (True by default): the volumes' zone check is not drawn,
    and a note names the option (the second `if` was taken as an arm of the first and
    drawn in full)."""
    files = _with_option(TRACE, "cfg.BoolOpt('cross', default=True)")
    head = """def _check_zone(context, instance):
    if instance.az not in instance.zones:
        raise ValueError()
    if not CONF.cross:
        objects.Migration.get_by_id(context, 1)
"""
    flow = _pause_with(tmp_path, "_check_zone(context, instance)", head, files=files)
    steps = [s.text for s in iter_steps(flow.nodes)]
    assert "Migration.get_by_id" not in steps
    assert any(t.startswith("not drawn: the branch for CONF.cross=True") for t in steps)


def test_a_default_that_returns_early_is_said_to_be_the_way_taken(tmp_path):
    """34.0.0 ComputeManager._check_instance_build_time: `if timeout == 0: return` with
    the option's default 0: the note says the task returns there on the default config
    (the `if` quoted is the way taken), not that a branch was left out."""
    files = _with_option(TRACE, "cfg.IntOpt('build_timeout', default=0)")
    flow = _pause_with(tmp_path, """if CONF.build_timeout == 0:
    return
objects.Migration.get_by_id(context, 1)
""", files=files)
    texts = [s.text for s in iter_steps(flow.nodes)]
    assert "Migration.get_by_id" not in texts and "pause_instance" not in texts
    assert "on the default config (CONF.build_timeout=0) this returns here (if " \
        "CONF.build_timeout == 0): the rest is not drawn" in texts
    assert not any(t.startswith("not drawn: the branch") for t in texts)


def test_a_default_that_raises_fails_the_request(tmp_path):
    """34.0.0 ComputeManager.get_spice_console: `if not CONF.spice.enabled: raise
    exception.ConsoleTypeUnavailable(...)`: on the default config the call fails there;
    nothing after it is drawn and the request gets no success status (the controller's
    `except ConsoleTypeUnavailable: raise HTTPBadRequest` makes it a 400)."""
    files = _with_option(TRACE, "cfg.BoolOpt('spice_enabled', default=False)")
    flow = _pause_with(tmp_path, """if not CONF.spice_enabled:
    raise ValueError('spice')
objects.Migration.get_by_id(context, 1)
""", files=files)
    texts = [s.text for s in iter_steps(flow.nodes)]
    assert "Migration.get_by_id" not in texts and "pause_instance" not in texts
    assert "on the default config (CONF.spice_enabled=False) this raises ValueError here " \
        "(if not CONF.spice_enabled): the call fails" in texts
    response = [s.text for s in iter_steps(flow.nodes) if s.kind == "response"]
    assert response == ["error: ValueError"]
    # the controller maps it to an HTTP error: that is the status
    controller = files["nova/api/openstack/compute/servers.py"]
    call = "self.compute_api.pause(context, instance)"
    assert call in controller
    files["nova/api/openstack/compute/servers.py"] = controller.replace(call, (
        "try:\n                    " + call + "\n                except ValueError:\n"
        "                    raise webob.exc.HTTPBadRequest()"), 1)
    flow = _pause_with(tmp_path / "mapped", """if not CONF.spice_enabled:
    raise ValueError('spice')
""", files=files)
    assert [s.text for s in iter_steps(flow.nodes) if s.kind == "response"] == \
        ["400 (HTTPBadRequest)"]


def test_a_default_that_raises_in_one_arm_ends_that_arm(tmp_path):
    """server-remote-consoles-create: the spice arm fails on the default config, the vnc
    arm carries on; the arm says so and the request's status is the other arm's."""
    files = _with_option(TRACE, "cfg.BoolOpt('spice_enabled', default=False)")
    flow = _pause_with(tmp_path, """if instance.spice:
    self._spice(context)
else:
    objects.Migration.get_by_id(context, 1)
""", module_head="", files={**files, "nova/compute/api.py": files[
        "nova/compute/api.py"].replace("""            def pause(self, context, instance):""",
                                       """            def _spice(self, context):
                if not CONF.spice_enabled:
                    raise ValueError('spice')
                objects.Migration.get_by_id(context, 2)

            def pause(self, context, instance):""", 1)})
    arms = _blocks(flow.nodes, "if instance.spice")
    assert arms, [s.text for s in iter_steps(flow.nodes)]
    spice, other = arms[0].branches
    assert [s.text for s in iter_steps(spice.nodes) if s.kind == "note"][-1] == \
        "this way fails on the default config (ValueError)"
    assert "Migration.get_by_id" in [s.text for s in iter_steps(other.nodes)]
    texts = [s.text for s in iter_steps(flow.nodes)]
    assert "pause_instance" in texts
    assert [s.text for s in iter_steps(flow.nodes) if s.kind == "response"] == ["202"]


def test_an_object_module_function_is_followed_and_a_missing_lookup_creates(tmp_path):
    """nova 34.0.0 nova/objects/host_mapping.py discover_hosts (a module's function in
    the object layer, called by the scheduler's periodic task) was not followed; its
    _check_and_create_node_host_mappings does `try: HostMapping.get_by_host(...) except
    HostMappingNotFound: <create the mapping, save the compute node>`: the other way of a
    get-or-create, not an error path."""
    files = dict(TRACE)
    files["nova/objects/host_mapping.py"] = """
        from nova.objects import base


        class HostMappingNotFound(Exception):
            pass


        class HostMapping(object):
            @classmethod
            @base.remotable
            def get_by_host(cls, context, host):
                pass

            @base.remotable
            def create(self):
                pass


        def discover(context, host):
            try:
                HostMapping.get_by_host(context, host)
            except HostMappingNotFound:
                mapping = HostMapping()
                mapping.create()
        """
    files["nova/objects/base.py"] = """
        def remotable(fn):
            return fn
        """
    flow = _pause_with(tmp_path, "host_mapping.discover(context, instance.host)",
                       "from nova.objects import host_mapping\n", files=files)
    found = _blocks(flow.nodes, "on HostMappingNotFound")
    assert found, [s.text for s in iter_steps(flow.nodes)]
    assert "HostMapping.get_by_host" in [s.text for s in iter_steps(flow.nodes)]
    assert "mapping.create" in [s.text for s in iter_steps(found[0].branches[0].nodes)]


_WAKE = """def _wake_waiter(instance):
    instance.waiting = False
"""


def test_an_else_that_only_does_in_process_work_keeps_a_note(tmp_path):
    """nova/compute/manager.py external_instance_event: `elif` arms that draw messages,
    then `else: self._process_instance_event(instance, event)`, which wakes a waiting
    thread in memory: the `alt` keeps its else arm as a note of that call, or it would
    say that the other events do nothing. An else that calls nothing of its own process
    (only logs) is still left out."""
    flow = _pause_with(tmp_path, """if instance.kind == 'a':
    objects.Migration.get_by_id(context, 1)
else:
    _wake_waiter(instance)
""", module_head=_WAKE)
    (block,) = _blocks(flow.nodes, "if instance.kind == 'a'")
    assert [b.label for b in block.branches] == ["if instance.kind == 'a'", ""]
    assert [(s.kind, s.text) for s in block.branches[1].nodes if s.kind == "note"] == \
        [("note", "wake waiter")]


def test_an_else_that_only_logs_and_the_rest_after_a_guard_get_no_note(tmp_path):
    logged = _pause_with(tmp_path / "logged", """if instance.kind == 'a':
    objects.Migration.get_by_id(context, 1)
else:
    LOG.debug('nothing to do')
""", module_head="LOG = None\n")
    (block,) = _blocks(logged.nodes, "if instance.kind == 'a'")
    assert [b.label for b in block.branches] == ["if instance.kind == 'a'"]
    # `if x: ...; return` then the rest: the rest is no written else
    guarded = _pause_with(tmp_path / "guarded", "_retry(context, instance)\n",
                          module_head=_WAKE + """
def _retry(context, instance):
    if instance.kind == 'a':
        objects.Migration.get_by_id(context, 1)
        return
    _wake_waiter(instance)
""")
    assert "Migration.get_by_id" in [s.text for s in iter_steps(guarded.nodes)]
    assert "wake waiter" not in [s.text for s in iter_steps(guarded.nodes)]


def test_a_label_leaves_out_the_parts_the_constants_settle(tmp_path):
    """nova 34.0.0 API.is_safe_to_update_az: `if check_no_instances_in_az and not
    same_az_name:`, both callers passing True: the label is `not same_az_name`; an option
    that settles a part (Cinder's CONF.snapshot_same_host) is listed with the flow's."""
    files = _with_option(TRACE, "cfg.BoolOpt('same_host', default=True)")
    flow = _pause_with(tmp_path, """if instance.flag and CONF.same_host:
    objects.Migration.get_by_id(context, 1)
""", files=files)
    assert _blocks(flow.nodes, "if instance.flag")
    assert any("CONF.same_host=True" in note for note in flow.notes)


def test_a_failure_is_caught_by_the_first_handler_of_a_class_it_derives_from(tmp_path):
    """ironic 39.0.0 ConductorManager._do_node_rescue: `except exception.IronicException`
    comes before `except Exception`, and no-rescue's UnsupportedDriverExtension derives
    from IronicException: the first handler is the path taken."""
    files = _with_option(TRACE, "cfg.BoolOpt('enabled', default=False)")
    head = """class BaseError(Exception):
    pass


class Unavailable(BaseError):
    pass


def _check(context):
    if not CONF.enabled:
        raise Unavailable()
"""
    flow = _pause_with(tmp_path, """try:
    _check(context)
except BaseError:
    objects.Migration.get_by_id(context, 1)
except Exception:
    objects.Aggregate.get_by_id(context, 2)
""", head, files=files)
    texts = [s.text for s in iter_steps(flow.nodes)]
    assert "handled by except BaseError: the path taken" in texts
    assert "Migration.get_by_id" in texts and "Aggregate.get_by_id" not in texts


def test_fields_set_and_not_saved_travel_with_the_object_to_the_receiver(tmp_path):
    """ironic 39.0.0: the API sets node.maintenance and its reason, and the conductor's
    update_node saves node_obj (versioned objects carry their changes over RPC): the
    conductor's save writes those fields."""
    flow = _pause_with(tmp_path, "instance.note = 'x'\n")
    saves = [s.text for s in iter_steps(flow.nodes)
             if s.source == "nova_compute" and s.text.startswith("instance.save")]
    assert saves == ["instance.save (note='x', vm_state=PAUSED, task_state=None)"]
