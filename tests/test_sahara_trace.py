"""Tracing rules Sahara needs, on a synthetic tree: a view function as the handler, a
module-level name a setup function fills (Tracing.globals), the driver as an interface,
a library client handed out by a client module's factory."""

from __future__ import annotations

import pytest

from tests.sahara_trees import FLASK_API, SAHARA_RPC
from tests.trees import write_tree
from tracer.model import CAST, DB, DRIVER, SERVICE, Block, iter_steps
from tracer.workspace import open_workspace

TREE = {
    **SAHARA_RPC, **FLASK_API,
    # where Sahara's profile reads the mounts
    "sahara/api/middleware/sahara_middleware.py": FLASK_API["sahara/api/middleware/app.py"],
    "sahara/service/api/__init__.py": """
        OPS = None


        def setup_api(ops):
            global OPS
            OPS = ops
        """,
    "sahara/utils/openstack/heat.py": """
        from heatclient import client as heat_client


        def client():
            return heat_client.Client('1')
        """,
    "sahara/plugins/provisioning.py": """
        class ProvisioningPluginBase(object):
            def configure_cluster(self, cluster):
                pass
        """,
    "sahara/plugins/base.py": """
        PLUGINS = None


        class PluginManager(object):
            def __init__(self):
                self.plugins = {}

            def get_plugin(self, plugin_name):
                return self.plugins.get(plugin_name)
        """,
    "sahara/api/v2/clusters.py": """
        from sahara.api import acl
        from sahara.plugins import base as plugin_base
        from sahara.service import api
        import sahara.utils.api as u
        from sahara.utils.openstack import heat

        rest = u.RestV2('clusters', __name__)


        @rest.post('/clusters')
        @acl.enforce("data-processing:cluster:create")
        def clusters_create(data):
            plugin = plugin_base.PLUGINS.get_plugin(data['plugin_name'])
            plugin.configure_cluster(data)
            heat.client().stacks.create(name=data['name'])
            api.OPS.provision_cluster(data['id'])
            return data
        """,
}


@pytest.fixture
def workspace(tmp_path, monkeypatch):
    root = write_tree(tmp_path / "tree", TREE)
    monkeypatch.setenv("OSFLOW_CACHE_DIR", str(tmp_path / "cache"))
    return open_workspace(str(root), cache=tmp_path / "cache")


def test_a_view_function_traced_through_globals_the_plugin_interface_and_heat(workspace):
    flow = workspace.flow("cluster-create")
    steps = [(s.kind, s.source, s.target, s.text) for s in iter_steps(flow.nodes)]
    assert steps[0][:3] == ("request", "client", "sahara_api")
    # PLUGINS.get_plugin(...) is the plugin interface: its methods are calls to `plugin`
    assert (DRIVER, "sahara_api", "plugin", "configure_cluster") in steps
    # heat.client() hands out heatclient's client: the call through it goes to heat
    assert (SERVICE, "sahara_api", "heat", "stacks.create") in steps
    # api.OPS, None until setup_api runs, is the engine client the profile names
    assert (CAST, "sahara_api", "sahara_engine", "provision_cluster") in steps
    # the route decorator's default status
    assert ("response", "sahara_api", "client", "202") in steps
    assert any("ProvisioningPluginBase" in note for note in flow.notes)


BRANCHED = {
    **TREE,
    "sahara/utils/openstack/heat.py": """
        from heatclient import client as heat_client


        def client():
            return heat_client.Client('1')


        def delete_stack(cluster):
            client().stacks.delete(cluster.stack_name)
            client().stacks.get(cluster.stack_name)


        def lazy_delete_stack(cluster):
            client().stacks.delete(cluster.stack_name)
        """,
    "sahara/plugins/provisioning.py": """
        class ProvisioningPluginBase(object):
            def configure_cluster(self, cluster):
                pass

            def get_edp_engine(self, cluster, job_type):
                pass
        """,
    "sahara/api/v2/clusters.py": """
        from sahara.api import acl
        from sahara.plugins import base as plugin_base
        import sahara.utils.api as u
        from sahara.utils.openstack import heat

        rest = u.RestV2('clusters', __name__)


        @rest.delete('/clusters/<cluster_id>')
        def clusters_delete(cluster_id):
            data = u.request_data()
            shutdown = heat.lazy_delete_stack if data['force'] else heat.delete_stack
            shutdown(data)
            if data['quick']:
                again = heat.lazy_delete_stack
            else:
                again = heat.delete_stack
            again(data)


        @rest.post('/clusters')
        def clusters_create(data):
            plugin = plugin_base.PLUGINS.get_plugin(data['plugin_name'])
            eng = plugin.get_edp_engine(data, 'Pig')
            if eng is None:
                raise ValueError('no engine')
            eng.run_job(data)
            heat.client().stacks.create(name=data['name'])
        """,
}


@pytest.fixture
def branched(tmp_path, monkeypatch):
    root = write_tree(tmp_path / "tree", BRANCHED)
    monkeypatch.setenv("OSFLOW_CACHE_DIR", str(tmp_path / "cache"))
    return open_workspace(str(root), cache=tmp_path / "cache")


def test_a_call_through_a_name_a_branch_bound_draws_each_function_on_its_arm(branched):
    # sahara/service/heat/heat_engine.py HeatEngine.shutdown_cluster binds heat_shutdown
    # to heat.lazy_delete_stack if force, else heat.delete_stack, then calls it
    flow = branched.flow("cluster-delete")
    blocks = [n for n in flow.nodes if isinstance(n, Block)]
    arms = [[(b.label, [s.text for s in iter_steps(b.nodes) if s.kind == SERVICE])
             for b in block.branches] for block in blocks]
    assert [("if data['force']", ["lazy_delete_stack"]), ("", ["delete_stack"])] in arms
    # the same, bound in the arms of an if statement
    assert [("if data['quick']", ["lazy_delete_stack"]), ("", ["delete_stack"])] in arms


def test_what_an_interface_getter_without_a_body_returns_is_the_drivers_object(branched):
    # sahara/service/edp/job_manager.py _run_job: eng = get_job_engine(...) (the plugin's
    # get_edp_engine, `pass` in ProvisioningPluginBase), `if eng is None: raise`, then
    # eng.run_job(job_execution): the run is not cut short, and goes to the plugin
    flow = branched.flow("cluster-create")
    steps = [(s.kind, s.source, s.target, s.text) for s in iter_steps(flow.nodes)]
    assert (DRIVER, "sahara_api", "plugin", "get_edp_engine") in steps
    assert (SERVICE, "sahara_api", "plugin", "edp_engine.run_job") in steps
    assert (SERVICE, "sahara_api", "heat", "stacks.create") in steps
    assert any("what get_edp_engine returns" in note for note in flow.notes)


def test_a_policy_decorator_given_its_rule_is_drawn_as_the_policy_check(workspace):
    # sahara/api/acl.py enforce(rule): its wrapper authorizes `rule` before the view runs
    # (Tracing.policy_decorators: ("enforce", ""), the argument the whole rule)
    flow = workspace.flow("cluster-create")
    notes = [s.text for s in iter_steps(flow.nodes) if s.kind == "note"]
    assert "policy: data-processing:cluster:create" in notes


DEEP = {
    **TREE,
    "sahara/conductor/__init__.py": """
        from sahara.conductor import api as conductor_api

        API = conductor_api.LocalApi()
        """,
    "sahara/conductor/api.py": """
        class LocalApi(object):
            def cluster_get(self, context, cluster):
                return None
        """,
    "sahara/api/v2/clusters.py": """
        from sahara.api import acl
        from sahara import conductor as c
        from sahara.plugins import base as plugin_base
        import sahara.utils.api as u

        rest = u.RestV2('clusters', __name__)
        conductor = c.API


        def _configure(cluster_id):
            cluster = conductor.cluster_get(None, cluster_id)
            plugin_base.PLUGINS.get_plugin(cluster.plugin_name).configure_cluster(cluster)


        def _level2(cluster_id):
            _configure(cluster_id)


        def _level1(cluster_id):
            _level2(cluster_id)


        @rest.post('/clusters')
        def clusters_create(data):
            _level1(data['id'])
            return data
        """,
}


def test_a_helper_beyond_the_depth_that_sends_is_drawn_with_its_reads(tmp_path, monkeypatch):
    # sahara/service/edp/job_manager.py _run_job (beyond --depth in job-execute): reads
    # the job execution and the cluster (conductor.job_execution_get, cluster_get), then
    # runs the job on the plugin's engine: the reads are drawn where they happen, with
    # the plugin calls, not dropped because the helper also crosses to the plugin
    from tracer.trace import Options
    root = write_tree(tmp_path / "tree", DEEP)
    monkeypatch.setenv("OSFLOW_CACHE_DIR", str(tmp_path / "cache"))
    workspace = open_workspace(str(root), cache=tmp_path / "cache")
    flow = workspace.flow("cluster-create", Options(depth=1))
    steps = [(s.kind, s.source, s.target, s.text) for s in iter_steps(flow.nodes)]
    read = (DB, "sahara_api", "database", "db.cluster_get")
    sent = (DRIVER, "sahara_api", "plugin", "configure_cluster")
    assert read in steps and sent in steps
    assert steps.index(read) < steps.index(sent)


VALIDATED = {
    **DEEP,
    # sahara/service/validation.py of 19.0.0, cut down: check_exists reads the object
    # before the view runs (after a way out for list requests without a marker), validate
    # runs each validator it is given
    "sahara/service/validation.py": """
        import functools


        def check_exists(get_func, *id_prop, **get_args):
            def decorator(func):
                @functools.wraps(func)
                def handler(*args, **kwargs):
                    if 'marker' in id_prop:
                        if 'marker' not in kwargs:
                            return func(*args, **kwargs)
                    obj = get_func(kwargs['cluster_id'])
                    if obj is None:
                        return None
                    return func(*args, **kwargs)
                return handler
            return decorator


        def validate(schema, *validators):
            def decorator(func):
                @functools.wraps(func)
                def handler(*args, **kwargs):
                    if validators:
                        for validator in validators:
                            validator(**kwargs)
                    return func(*args, **kwargs)
                return handler
            return decorator
        """,
    "sahara/service/validations/clusters.py": """
        from sahara.service import api


        def check_cluster_create(data, **kwargs):
            api.OPS.get_engine_type_and_version()
        """,
    "sahara/api/v2/clusters.py": """
        from sahara.api import acl
        from sahara import conductor as c
        from sahara.service import api
        from sahara.service import validation as v
        from sahara.service.validations import clusters as v_c
        import sahara.utils.api as u

        rest = u.RestV2('clusters', __name__)
        conductor = c.API


        def get_cluster(cluster_id):
            return conductor.cluster_get(None, cluster_id)


        @rest.post('/clusters')
        @acl.enforce("data-processing:cluster:create")
        @v.check_exists(get_cluster, 'cluster_id')
        @v.validate(None, v_c.check_cluster_create)
        def clusters_create(data):
            api.OPS.provision_cluster(data['id'])
            return data
        """,
}


def test_a_views_validators_and_existence_check_run_before_it(tmp_path, monkeypatch):
    # sahara/service/validation.py check_exists: get_func(...) reads the object, after an
    # `if 'marker' in id_prop: ... return func(...)` way out that does not apply;
    # validate(schema, *validators) runs each validator (clusters_scale's
    # check_cluster_scaling calls the engine's get_engine_type_and_version)
    root = write_tree(tmp_path / "tree", VALIDATED)
    monkeypatch.setenv("OSFLOW_CACHE_DIR", str(tmp_path / "cache"))
    flow = open_workspace(str(root), cache=tmp_path / "cache").flow("cluster-create")
    steps = [(s.kind, s.source, s.target, s.text) for s in iter_steps(flow.nodes)]
    read = (DB, "sahara_api", "database", "db.cluster_get")
    check = ("call", "sahara_api", "sahara_engine", "get_engine_type_and_version")
    cast = (CAST, "sahara_api", "sahara_engine", "provision_cluster")
    assert steps.index(read) < steps.index(check) < steps.index(cast)
    # one validator: run once, not in a loop, and `if validators` is known
    assert not [b for b in flow.nodes if isinstance(b, Block)]
