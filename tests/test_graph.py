"""The RPC call graph and review findings on a synthetic tree (tracer/graph.py, check.py)."""

from __future__ import annotations

import json
import shutil
import subprocess

import networkx as nx
import pytest

from tracer import graph as graphs
from tracer.check import RULES, check
from tracer.index import Index
from tracer.model import RpcModel
from tracer.rpc import build_rpc_model
from tracer.catalogue import build_catalogue
from tracer.trace import Options, trace_operation
from tests.test_cli_rpc import osflow
from tests.trees import TRACE, write_tree


@pytest.fixture(scope="module")
def tree(tmp_path_factory):
    return write_tree(tmp_path_factory.mktemp("graph"), TRACE)


@pytest.fixture(scope="module")
def built(tree):
    index = Index(tree)
    rpc = build_rpc_model(index, "synthetic")
    return graphs.build_graph(index, rpc, build_catalogue(index, "synthetic")), rpc


def sends(graph, source):
    return sorted((t, d["kind"]) for _, t, d in graph.out_edges(source, data=True))


def test_sends_are_found_through_helpers_and_task_classes(built):
    graph, _ = built
    assert sends(graph, "api:live-migrate") == [("rpc:nova-conductor:migrate_server", "call")]
    # conductor's handler reaches the scheduler through the query client and the compute
    # hosts through the task class
    assert sends(graph, "rpc:nova-conductor:migrate_server") == [
        ("rpc:nova-compute:check_can_live_migrate_destination", "call"),
        ("rpc:nova-compute:live_migration", "cast"),
        ("rpc:nova-compute:stop_instance", "call"),
        ("rpc:nova-scheduler:select_destinations", "call")]
    edge = next(d for _, t, d in graph.out_edges("rpc:nova-conductor:migrate_server",
                                                 data=True)
                if t == "rpc:nova-scheduler:select_destinations")
    assert (edge["file"], edge["function"]) == (
        "nova/scheduler/client/query.py",
        "nova.scheduler.client.query.SchedulerQueryClient.select_destinations")
    assert sends(graph, "rpc:nova-compute:live_migration") == [
        ("rpc:nova-compute:pre_live_migration", "call")]


def test_json_export_loads_back_with_networkx(built):
    graph, _ = built
    data = json.loads(graphs.to_json(graph))
    back = nx.node_link_graph(data, edges="edges") if "edges" in data \
        else nx.node_link_graph(data)
    assert set(back.nodes) == set(graph.nodes)
    assert back.number_of_edges() == graph.number_of_edges()


def test_graphml_and_mermaid_exports(built):
    graph, _ = built
    back = nx.parse_graphml(graphs.to_graphml(graph))
    assert set(back.nodes) == set(graph.nodes)
    mermaid = graphs.to_mermaid(graph)
    assert mermaid.startswith("flowchart LR\n") and "-.->|cast|" in mermaid


@pytest.mark.skipif(shutil.which("dot") is None, reason="graphviz is not installed")
def test_dot_renders_with_graphviz(built, tmp_path):
    graph, _ = built
    result = subprocess.run(["dot", "-Tsvg"], input=graphs.to_dot(graph), text=True,
                            capture_output=True)
    assert result.returncode == 0, result.stderr
    assert "<svg" in result.stdout


def test_dot_shape(built):
    text = graphs.to_dot(built[0])
    assert text.startswith("digraph osflow {") and text.rstrip().endswith("}")
    assert ('"api:live-migrate" -> "rpc:nova-conductor:migrate_server" '
            '[style=solid, label="call"];') in text
    assert "cluster_legend" in text and "cast: fire and forget" in text


def test_dot_of_a_filtered_graph_labels_every_method(built):
    """A method whose service is outside the selection keeps its label in a box named
    after the service (it was drawn as a raw id, rpc:nova-conductor:...)."""
    part = graphs.select(built[0], methods=("select_destinations",))
    text = graphs.to_dot(part)
    for node, data in part.nodes(data=True):
        if data.get("kind") == "rpc":
            assert f'{graphs._dot_id(node)} [label="{data["label"]}"];' in text


def test_operations_that_send_nothing_are_left_out_of_pictures(built):
    graph = built[0]
    lone = [n for n, d in graph.nodes(data=True)
            if d.get("kind") == "api" and graph.out_degree(n) == 0]
    assert lone  # the synthetic tree has REST operations that send no RPC
    dot, mermaid = graphs.to_dot(graph), graphs.to_mermaid(graph)
    for node in lone:
        assert graphs._dot_id(node) not in dot
        assert f': {graph.nodes[node]["label"]}"]' not in mermaid


def test_select_keeps_a_service_and_its_neighbours(built):
    part = graphs.select(built[0], services=("nova-scheduler",))
    assert "rpc:nova-scheduler:select_destinations" in part
    assert "rpc:nova-conductor:migrate_server" in part  # its caller
    assert "rpc:nova-compute:pause_instance" not in part


def test_select_with_a_service_and_a_method_keeps_that_method_of_that_service(built):
    part = graphs.select(built[0], services=("nova-compute",),
                         methods=("pause_instance", "select_destinations"))
    assert "rpc:nova-compute:pause_instance" in part
    assert "api:pause" in part  # its sender
    assert "rpc:nova-scheduler:select_destinations" not in part  # another service's
    assert "rpc:nova-compute:live_migration" not in part


def test_findings(built):
    graph, rpc = built
    found = {(f.rule, f.where): f for f in check(graph, rpc)}
    chain = found[("nested-call", "rpc:nova-scheduler:select_destinations")]
    assert chain.path == ("api:live-migrate", "rpc:nova-conductor:migrate_server",
                          "rpc:nova-scheduler:select_destinations")
    assert chain.severity == "info"  # two calls deep
    assert ("cast-blocks", "rpc:nova-compute:live_migration") in found
    assert ("unsent", "rpc:nova-compute:get_spice_console") not in found  # the API sends it


@pytest.fixture(scope="module")
def operations(tree, built):
    """What each operation's flow sends (the constants its callers pass bound)."""
    index = Index(tree)
    _, rpc = built
    return {f"api:{op.name}": graphs.operation_sends(trace_operation(index, rpc, op, Options()))
            for op in build_catalogue(index, "synthetic").operations}


def test_operation_sends_follow_the_arguments_passed(operations):
    # live-migrate passes live=True: conductor's handler takes the live branch only, and
    # each RPC is credited to the handler that sends it, across the cast to compute
    assert operations["api:live-migrate"] == (
        ("api:live-migrate", "rpc:nova-conductor:migrate_server", "call"),
        ("rpc:nova-conductor:migrate_server", "rpc:nova-scheduler:select_destinations", "call"),
        ("rpc:nova-conductor:migrate_server",
         "rpc:nova-compute:check_can_live_migrate_destination", "call"),
        ("rpc:nova-conductor:migrate_server", "rpc:nova-compute:live_migration", "cast"),
        ("rpc:nova-compute:live_migration", "rpc:nova-compute:pre_live_migration", "call"))


def test_findings_from_an_operation_follow_its_flow(built, operations):
    graph, rpc = built
    # the handler serves both branches, so the graph alone has a chain the operation
    # never takes: live-migrate -> migrate_server -> stop_instance (the cold branch)
    cold = ("api:live-migrate", "rpc:nova-conductor:migrate_server",
            "rpc:nova-compute:stop_instance")
    assert cold in {f.path for f in check(graph, rpc)}
    found = {(f.rule, f.where): f for f in check(graph, rpc, operations)}
    assert cold not in {f.path for f in found.values()}
    assert found[("nested-call", "rpc:nova-scheduler:select_destinations")].path == (
        "api:live-migrate", "rpc:nova-conductor:migrate_server",
        "rpc:nova-scheduler:select_destinations")
    # a cast sent by a handler: its blocking calls are the graph's
    assert found[("cast-blocks", "rpc:nova-compute:live_migration")].path == (
        "rpc:nova-conductor:migrate_server", "rpc:nova-compute:live_migration",
        "rpc:nova-compute:pre_live_migration")


def test_call_cycle_is_an_error():
    graph = nx.MultiDiGraph()
    for node in ("rpc:a:x", "rpc:b:y"):
        graph.add_node(node, kind="rpc", label=node.split(":")[-1], service=node.split(":")[1])
    graph.add_edge("rpc:a:x", "rpc:b:y", kind="call")
    graph.add_edge("rpc:b:y", "rpc:a:x", kind="call")
    cycles = [f for f in check(graph, RpcModel("t", (), ())) if f.rule == "call-cycle"]
    assert [(f.severity, f.path) for f in cycles] == [
        ("error", ("rpc:a:x", "rpc:b:y", "rpc:a:x"))]


def test_cli_strict_and_suppressions(tree, tmp_path):
    cache = tmp_path / "c"
    plain = osflow("check", "-s", str(tree), "--strict", cache=cache)
    assert plain.returncode == 1 and "nested-call" in plain.stdout
    data = json.loads(osflow("check", "-s", str(tree), "--format", "json",
                             cache=cache).stdout)
    assert {f["severity"] for f in data} == {"info"}
    # --severity chooses what is reported, and so what --strict fails on
    warnings = osflow("check", "-s", str(tree), "--severity", "warning", "--strict",
                      cache=cache)
    assert warnings.returncode == 0 and warnings.stdout == (
        f"0 findings: 0 warning, 0 error ({len(data)} below warning not shown)\n")
    accepted = tmp_path / "accepted.yaml"
    accepted.write_text("".join(f"- rule: {f['rule']}\n  where: '{f['where']}'\n"
                                for f in data) + "- rule: unsent\n  where: rpc:gone:x\n")
    quiet = osflow("check", "-s", str(tree), "--strict", "--suppress", str(accepted),
                   cache=cache)
    assert quiet.returncode == 0 and quiet.stdout.startswith("0 findings")
    assert f"({len(data)} accepted in {accepted})" in quiet.stdout
    assert quiet.stderr == (f"warning: {accepted}: accepted finding unsent rpc:gone:x is no "
                            "longer found; remove it\n")
    bad = tmp_path / "bad.yaml"
    bad.write_text("- rule: x\n")
    broken = osflow("check", "-s", str(tree), "--suppress", str(bad), cache=cache)
    assert broken.returncode == 2 and broken.stderr.startswith("error: ")
    misspelt = tmp_path / "misspelt.yaml"
    misspelt.write_text("- rule: unsent\n  where: rpc:a:x\n- where: rpc:b:y\n"
                        "  rule: nested-calls\n")
    refused = osflow("check", "-s", str(tree), "--suppress", str(misspelt), cache=cache)
    assert refused.returncode == 2 and refused.stderr == (
        f"error: {misspelt}:4: unknown rule 'nested-calls'; did you mean 'nested-call'? the "
        "rules: call-cycle, cast-blocks, long-timeout, nested-call, no-handler, unsent\n")
    assert {f["rule"] for f in data} <= set(RULES)


def test_cli_graph_formats(tree, tmp_path):
    cache = tmp_path / "c"
    table = osflow("graph", "-s", str(tree), cache=cache)
    assert table.returncode == 0 and "nova-conductor" in table.stdout
    exported = osflow("graph", "-s", str(tree), "--format", "json", cache=cache)
    assert "api:live-migrate" in {n["id"] for n in json.loads(exported.stdout)["nodes"]}


def test_every_rule_a_finding_can_have_is_one_a_suppress_file_may_name():
    import inspect
    import re

    import tracer.check

    made = set(re.findall(r'Finding\(\s*"([a-z-]+)"', inspect.getsource(tracer.check)))
    assert made == set(RULES)
