"""The RPC call graph and its findings on real releases."""

from __future__ import annotations

import json

import networkx as nx
import pytest

from tests.integration.conftest import _shared_cache
from tracer import graph as graphs
from tracer.check import check
from tracer.workspace import open_workspace

pytestmark = pytest.mark.integration


def call_edges(graph, source):
    return {t for _, t, d in graph.out_edges(source, data=True) if d["kind"] == "call"}


def test_34_0_0_bars():
    workspace = open_workspace("34.0.0", cache=_shared_cache())
    graph = workspace.graph()
    assert "rpc:nova-scheduler:select_destinations" in \
        call_edges(graph, "rpc:nova-conductor:migrate_server")
    findings = check(graph, workspace.rpc_model())
    chains = [f.path for f in findings if f.rule == "nested-call"]
    assert ("api:live-migrate", "rpc:nova-conductor:migrate_server",
            "rpc:nova-compute:check_can_live_migrate_destination",
            "rpc:nova-compute:check_can_live_migrate_source") in chains
    data = json.loads(graphs.to_json(graph))
    assert nx.node_link_graph(data, edges="edges" if "edges" in data else "links")


@pytest.mark.parametrize("version", ["20.0.0", "34.0.0"])
def test_cold_migrate_and_resize_are_not_said_to_reach_live_checks(version):
    """conductor's migrate_server serves live and cold migration: the graph gives its
    handler both branches' calls, but findings from an operation follow what that
    operation's flow sends (live=False for migrate and resize). 20.0.0 used to report
    `api:resize -> migrate_server -> check_can_live_migrate_destination -> ..._source`."""
    workspace = open_workspace(version, cache=_shared_cache())
    findings = check(workspace.graph(), workspace.rpc_model(), workspace.operation_sends())
    live = "rpc:nova-compute:check_can_live_migrate_destination"
    paths = [f.path for f in findings if f.path]
    cold = [p for p in paths if p[0] in ("api:migrate", "api:resize")]
    # 20.0.0 calls migrate_server (nested calls to the scheduler); 34.0.0 casts it (a
    # cast whose handler calls the scheduler)
    assert any("rpc:nova-scheduler:select_destinations" in p for p in cold), cold
    assert not any(live in p for p in cold), cold
    assert ("api:live-migrate", "rpc:nova-conductor:migrate_server", live,
            "rpc:nova-compute:check_can_live_migrate_source") in paths


def test_liberty(liberty):
    graph = liberty.graph()
    assert "rpc:nova-scheduler:select_destinations" in \
        call_edges(graph, "rpc:nova-conductor:migrate_server")
    assert "rpc:nova-compute:check_can_live_migrate_source" in \
        call_edges(graph, "rpc:nova-compute:check_can_live_migrate_destination")


def test_every_release(release):
    """Graph and findings build on each series (memory and time stay bounded)."""
    graph = release.graph()
    assert "rpc:nova-scheduler:select_destinations" in \
        call_edges(graph, "rpc:nova-conductor:migrate_server")
    assert check(graph, release.rpc_model())
