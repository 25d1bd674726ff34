"""Tracing rules Sahara needs, on a synthetic tree: a view function as the handler, a
module-level name a setup function fills (Tracing.globals), the driver as an interface,
a library client handed out by a client module's factory."""

from __future__ import annotations

import pytest

from tests.sahara_trees import FLASK_API, SAHARA_RPC
from tests.trees import write_tree
from tracer.model import CAST, DRIVER, SERVICE, iter_steps
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
