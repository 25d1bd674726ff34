"""RPC clients sending through a wrapper object, served by a server class of their own
(Sahara's RemoteOps / OpsServer), on a synthetic tree."""

from __future__ import annotations

import pytest

from tests.sahara_trees import SAHARA_RPC
from tests.trees import write_tree
from tracer.index import Index
from tracer.profiles import profile_for
from tracer.rpc import build_rpc_model


@pytest.fixture
def model(tmp_path):
    root = write_tree(tmp_path, SAHARA_RPC)
    return build_rpc_model(Index(root, package="sahara"), "test", profile_for("sahara"))


def _by_method(model):
    return {m.method: m for m in model.methods}


def test_the_wrappers_cast_and_call_are_not_client_methods(model):
    clients = {m.client for m in model.methods}
    assert not any(c.startswith("sahara.utils.rpc.") for c in clients)
    assert "?" not in _by_method(model)


def test_kinds_come_through_the_wrapper(model):
    methods = _by_method(model)
    assert methods["provision_cluster"].kinds == ("cast",)
    assert methods["get_engine_type_and_version"].kinds == ("call",)
    assert methods["provision_cluster"].version == "1.0"
    assert methods["provision_cluster"].client == \
        "sahara.service.ops.RemoteOps.provision_cluster"


def test_the_topic_is_served_by_the_binary_the_profile_names(model):
    assert {m.service for m in model.methods} == {"sahara-engine"}
    (service,) = model.services
    assert service.binary == "sahara-engine" and service.topic == "sahara-ops"
    assert service.manager == "sahara.service.ops.OpsServer"


def test_handlers_are_the_server_class_built_with_itself_as_endpoint(model):
    methods = _by_method(model)
    assert methods["provision_cluster"].handler == \
        "sahara.service.ops.OpsServer.provision_cluster"
    assert methods["get_engine_type_and_version"].handler == \
        "sahara.service.ops.OpsServer.get_engine_type_and_version"


def test_a_method_the_server_lacks_says_so(model):
    forgotten = _by_method(model)["forgotten"]
    assert forgotten.handler is None
    assert forgotten.notes == ("no method forgotten on the sahara-engine endpoints",)
