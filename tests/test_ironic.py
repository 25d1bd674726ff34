"""Ironic's patterns on a synthetic tree (tests/ironic_trees.py): the manager named by module
and class in its launcher, a conductor picked by hash ring."""

from __future__ import annotations

import pytest

from tests.ironic_trees import IRONIC
from tests.trees import write_tree
from tracer.index import Index
from tracer.profiles import profile_for
from tracer.rpc import build_rpc_model


@pytest.fixture
def ironic_rpc(tmp_path):
    root = write_tree(tmp_path, IRONIC)
    return build_rpc_model(Index(root, package="ironic"), "test", profile_for("ironic"))


def test_the_manager_named_by_module_and_class_in_its_launcher(ironic_rpc):
    """ironic/command/conductor.py: RPCService(CONF.host, 'ironic.conductor.manager',
    'ConductorManager'): two strings in a row name the class."""
    services = {s.binary: s.manager for s in ironic_rpc.services}
    assert services == {"ironic-conductor": "ironic.conductor.manager.ConductorManager"}
    by = {m.method: m for m in ironic_rpc.methods}
    assert by["do_node_deploy"].handler == \
        "ironic.conductor.manager.ConductorManager.do_node_deploy"
    assert by["create_node"].kinds == ("call",)
    assert by["continue_node_clean"].kinds == ("cast",)
    assert by["change_node_power_state"].version == "1.39"
    assert all(m.service == "ironic-conductor" for m in ironic_rpc.methods)
