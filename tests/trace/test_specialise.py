"""Shared code specialised by the operation that runs it: what the REST request's schema
guarantees, what a raise guard passed over leaves true, a name bound to another's value,
a branch on a parameter labelled with what the caller passed, and the reads of a helper
drawn with what it sends (Nova 34.0.0 review B9, B17)."""

from __future__ import annotations

from tracer.index import Index
from tracer.model import Block, iter_steps
from tracer.rpc import build_rpc_model
from tracer.trace.schema import TEXT_TRUE, TRUE, body_facts
from tests.trace.test_engine import trace
from tests.trees import TRACE, write_tree

# API.resize's shape (nova/compute/api.py): a migrate passes no flavor, a resize one that
# must differ; both test `same_flavor`, and hand it to a helper as `cold_migrate`
RESIZE_LIKE = """current_flavor = instance.get_flavor()
if not flavor_id:
    new_flavor = current_flavor
else:
    new_flavor = objects.Flavor.get_by_flavor_id(context, flavor_id)
same_flavor = current_flavor['id'] == new_flavor['id']
if same_flavor and flavor_id:
    raise ValueError()
if not same_flavor:
    objects.Migration.get_by_id(context, 1)
self._same_host(same_flavor, instance)
"""

SAME_HOST = """
            def _same_host(self, cold_migrate, instance):
                if cold_migrate:
                    objects.ComputeNode.get_by_host_and_nodename(instance.host)
"""

SCHEMAS = {
    "nova/api/validation/__init__.py": """
        def schema(request_body_schema, min_version=None, max_version=None):
            def add_validator(func):
                return func
            return add_validator
        """,
    "nova/api/validation/parameter_types.py": """
        flavor_ref = {
            'type': ['string', 'integer'], 'minLength': 1
        }
        name = {'type': 'string', 'minLength': 1}
        maybe_empty = {'type': 'string'}
        """,
    "nova/api/openstack/compute/schemas/pause.py": """
        from nova.api.validation import parameter_types

        pause = {
            'type': 'object',
            'properties': {
                'pause': {
                    'type': 'object',
                    'properties': {
                        'flavorRef': parameter_types.flavor_ref,
                        'name': parameter_types.name,
                        'note': parameter_types.maybe_empty,
                    },
                    'required': ['flavorRef', 'name', 'note'],
                },
            },
            'required': ['pause'],
        }
        """,
}


def _tree(tmp_path, api_body: str, handler_passes: str, schema: bool = True,
          helper: str = SAME_HOST):
    """TRACE with the compute API's pause taking `flavor_id` and doing `api_body` before
    its cast; the REST handler sets `flavor_id` by `handler_passes` (a line of code), with
    the pause schema above when `schema`."""
    files = dict(TRACE)
    if schema:
        files.update(SCHEMAS)
    api = files["nova/compute/api.py"]
    body = "".join(f"                {line}\n" if line else "\n"
                   for line in api_body.splitlines())
    api = api.replace("""            def pause(self, context, instance):
""", """            def pause(self, context, instance, flavor_id=None):
""", 1).replace("""                self._record_action_start(context, instance, 'pause')
""", body + """                self._record_action_start(context, instance, 'pause')
""", 1).replace("""            @check_instance_lock
            @check_instance_state(vm_state=[vm_states.ACTIVE])
            def pause(""", helper.strip("\n") + """

            @check_instance_lock
            @check_instance_state(vm_state=[vm_states.ACTIVE])
            def pause(""", 1)
    files["nova/compute/api.py"] = api
    servers = files["nova/api/openstack/compute/servers.py"]
    servers = servers.replace("""            @wsgi.action('pause')
            def _pause(self, req, id, body):
""", """            @wsgi.action('pause')
            @validation.schema(pause_schema.pause)
            def _pause(self, req, id, body):
                """ + handler_passes + "\n", 1).replace(
        "self.compute_api.pause(context, instance)",
        "self.compute_api.pause(context, instance, flavor_id)", 1)
    servers = "from nova.api import validation\n        " + \
        "from nova.api.openstack.compute.schemas import pause as pause_schema\n        " + \
        servers.lstrip("\n").lstrip()
    files["nova/api/openstack/compute/servers.py"] = "\n        " + servers
    return Index(write_tree(tmp_path, files))


def _flow(index, **options):
    return trace((index, build_rpc_model(index, "synthetic")), "pause", "_pause", **options)


def _texts(nodes) -> list[str]:
    return [s.text for s in iter_steps(nodes)]


def _top_texts(flow) -> list[str]:
    """The steps not inside any frame."""
    return [n.text for n in flow.nodes if not isinstance(n, Block)]


def _labels(nodes) -> list[str]:
    found = []
    for node in nodes:
        if isinstance(node, Block):
            for branch in node.branches:
                found.append(branch.label)
                found += _labels(branch.nodes)
    return found


def test_the_schema_of_a_request_says_which_fields_are_there_and_not_empty(tmp_path):
    """nova/api/openstack/compute/schemas/servers.py `resize`: flavorRef is required,
    `parameter_types.flavor_ref` a string or an integer with minLength 1 (str() of it is
    never empty); a string without minLength may be empty."""
    index = _tree(tmp_path, "", "flavor_id = None")
    handler = index.resolve_dotted(
        "nova.api.openstack.compute.servers.ServersController._pause")
    facts = body_facts(index, handler)
    fields = facts["pause"][1]
    assert fields["flavorRef"][0] == TEXT_TRUE
    assert fields["name"][0] == TRUE
    assert fields["note"][0] is None
    # a handler without a schema decorator: nothing is known
    other = index.resolve_dotted("nova.api.openstack.compute.servers.ServersController._stop")
    assert body_facts(index, other) is None


def test_a_resize_takes_only_the_ways_a_new_flavor_goes(tmp_path):
    """API.resize with a flavorRef (schema-required, not empty): the flavor is looked up
    (no `opt if flavor_id`); `if same_flavor and flavor_id: raise` passed over leaves
    same_flavor false, so the validation runs unconditionally and the helper's
    `if cold_migrate` (same_flavor passed) never does."""
    index = _tree(tmp_path, RESIZE_LIKE, "flavor_id = str(body['pause']['flavorRef'])")
    flow = _flow(index)
    top = _top_texts(flow)
    assert "Flavor.get_by_flavor_id" in top
    assert "Migration.get_by_id" in top
    assert "ComputeNode.get_by_host_and_nodename" not in _texts(flow.nodes)
    assert not _labels(flow.nodes)


def test_without_a_schema_the_request_field_decides_nothing(tmp_path):
    """The same code, the field read from a body no schema checked: both ways drawn."""
    index = _tree(tmp_path, RESIZE_LIKE, "flavor_id = str(body['pause']['flavorRef'])",
                  schema=False)
    labels = _labels(_flow(index).nodes)
    assert "if flavor_id" in labels
    assert "if not same_flavor" in labels


def test_a_field_that_may_be_empty_decides_nothing(tmp_path):
    """`note` is a string without minLength: '' passes the schema, so `if not flavor_id`
    stays open."""
    index = _tree(tmp_path, RESIZE_LIKE, "flavor_id = body['pause']['note']")
    assert "if flavor_id" in _labels(_flow(index).nodes)


def test_a_migrate_compares_a_flavor_with_itself(tmp_path):
    """API.resize for a migrate (no flavor_id): `new_flavor = current_flavor` makes
    `current_flavor['id'] == new_flavor['id']` true, so `if not same_flavor` never runs
    and the helper's `if cold_migrate` always does."""
    index = _tree(tmp_path, RESIZE_LIKE, "flavor_id = None")
    flow = _flow(index)
    texts = _texts(flow.nodes)
    assert "Flavor.get_by_flavor_id" not in texts
    assert "Migration.get_by_id" not in texts
    assert "ComputeNode.get_by_host_and_nodename" in _top_texts(flow)


def test_a_name_bound_to_another_on_one_path_only_is_not_taken_equal(tmp_path):
    """`if x: new = current else: new = lookup()`: after the branch `new` may be either,
    so `current['id'] != new['id']` stays open (the branch merge may keep one arm's
    object: never read as the same value)."""
    index = _tree(tmp_path, """current = objects.Flavor.get_by_id(context, 1)
if instance.soft:
    new = current
else:
    new = instance.other_flavor()
if current['id'] != new['id']:
    objects.Migration.get_by_id(context, 1)
""", "flavor_id = None")
    assert "if current['id'] != new['id']" in _labels(_flow(index).nodes)


def test_a_raise_guard_on_a_name_leaves_it_true_after(tmp_path):
    """`if not ok: raise` then `if ok:`: the second test is decided by the first."""
    index = _tree(tmp_path, """ok = instance.check()
if not ok:
    raise ValueError()
if ok:
    objects.Migration.get_by_id(context, 1)
""", "flavor_id = None")
    flow = _flow(index)
    assert "Migration.get_by_id" in _top_texts(flow)
    assert not _labels(flow.nodes)


def test_a_branch_on_a_parameter_names_what_the_caller_passed(tmp_path):
    """API._allow_resize_to_same_host(same_flavor, instance) tests `cold_migrate`: the
    label shows the caller's `same_flavor` bound to it."""
    index = _tree(tmp_path, """same_flavor = instance.check()
self._same_host(same_flavor, instance)
""", "flavor_id = None")
    assert "if (cold_migrate := same_flavor)" in _labels(_flow(index).nodes)


def test_a_parameter_bound_again_keeps_its_own_name(tmp_path):
    index = _tree(tmp_path, """same_flavor = instance.check()
self._same_host(same_flavor, instance)
""", "flavor_id = None", helper="""
            def _same_host(self, cold_migrate, instance):
                cold_migrate = instance.other()
                if cold_migrate:
                    objects.ComputeNode.get_by_host_and_nodename(instance.host)
""")
    assert "if cold_migrate" in _labels(_flow(index).nodes)


def test_a_helper_beyond_depth_that_sends_draws_its_reads(tmp_path):
    """API._delete (nova/compute/api.py) is beyond --depth in a delete, and casts
    terminate_instance: its Service.get_by_compute_host (deciding is_local_delete) and
    BlockDeviceMappingList.get_by_instance_uuid (sent in the cast) are drawn as reads."""
    index = _tree(tmp_path, "self._deep(context, instance)\n", "flavor_id = None",
                  helper="""
            def _deep(self, context, instance):
                self._deeper(context, instance)

            def _deeper(self, context, instance):
                objects.Service.get_by_compute_host(context, instance.host)
                self.compute_rpcapi.pause_instance(context, instance)
""")
    flow = _flow(index, depth=0)
    texts = _texts(flow.nodes)
    assert "Service.get_by_compute_host" in texts
    assert texts.index("Service.get_by_compute_host") < texts.index("pause_instance")


def test_a_helper_that_reads_only_in_a_branch_may_read(tmp_path):
    """nova/compute/utils.py get_root_bdm reads the BDMs only when not handed them
    (`if bdms is None:`): beyond --depth it is a `may read`; a helper that always reads
    `reads`."""
    index = _tree(tmp_path, """bdms = instance.known_bdms()
self._root_bdm(context, instance, bdms)
self._always(context, instance)
""", "flavor_id = None", helper="""
            def _root_bdm(self, context, instance, bdms=None):
                if bdms is None:
                    objects.BlockDeviceMappingList.get_by_instance_uuid(context, instance.uuid)

            def _always(self, context, instance):
                objects.ComputeNode.get_by_host_and_nodename(instance.host)
""")
    texts = _texts(_flow(index, depth=0).nodes)
    assert "root bdm: may read BlockDeviceMappingList.get_by_instance_uuid" in texts
    assert "API._always: reads ComputeNode.get_by_host_and_nodename" in texts


def test_several_schemas_guarantee_only_what_all_of_them_do(tmp_path):
    """A handler with one schema per microversion range (cinder/api/v3/volumes.py
    VolumeController.create: `@validation.schema(schema.create, mv.BASE_VERSION, ...)`
    then `create_volume_v313`): a field is known only as far as every schema knows it."""
    files = {**SCHEMAS, "nova/api/openstack/compute/schemas/later.py": """
        later = {
            'type': 'object',
            'properties': {
                'pause': {
                    'type': 'object',
                    'properties': {'flavorRef': {'type': 'string', 'minLength': 1},
                                   'name': {'type': 'string'}},
                    'required': ['flavorRef', 'name'],
                },
            },
            'required': ['pause'],
        }
        """}
    _tree(tmp_path, "", "flavor_id = None")  # the tree with the pause schema
    index = Index(write_tree(tmp_path, files))
    module = index.module("nova.api.openstack.compute.servers")
    handler = index.resolve_dotted(
        "nova.api.openstack.compute.servers.ServersController._pause")
    from dataclasses import replace as replaced

    from tracer.index import FunctionRef, ir
    later = ir.Call(ir.Attr(ir.Name("validation"), "schema"),
                    (ir.Attr(ir.Name("later_schema"), "later"),), (), 0)
    module.imports["later_schema"] = replaced(
        module.imports["pause_schema"], local="later_schema",
        target="nova.api.openstack.compute.schemas.later")
    both = FunctionRef(handler.module, replaced(
        handler.function, decorators=handler.function.decorators + (later,)),
        handler.owner)
    fields = body_facts(index, both)["pause"][1]
    assert fields["flavorRef"][0] == TEXT_TRUE  # a string, or a string or an integer
    assert fields["name"][0] is None  # one schema lets an empty name through
    assert "note" not in fields  # required by one schema only
