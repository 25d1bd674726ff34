"""Sahara's operations traced on 19.0.0, with expectations read from its code and tests.

Sahara's own tests/unit/service/test_ops.py records, with fakes for the plugin and the
infrastructure engine, the order in which the engine's handlers work: read here with `ast`,
each test's `ops.<handler>(...)` and the SEQUENCE it asserts must be the order of the
diagram's steps to the plugin (`configure_cluster`), the heat engine (`create_cluster`,
`INFRA.scale_cluster`, `shutdown_cluster`: each some step to heat) and the conductor
(`cluster_destroy`). And, from the code:

- cluster-create: sahara/service/api/v2/clusters.py _cluster_create casts
  `provision_cluster` (RemoteOps.provision_cluster: self.cast) after the conductor writes
  the cluster (conductor.cluster_create); the quota check (sahara/service/quotas.py
  _get_nova_limits) asks nova for its limits; HeatEngine.create_cluster creates the stack
  (sahara/service/heat/templates.py ClusterStack.instantiate: client().stacks.create).
- cluster-scale: sahara/service/api/v2/clusters.py scale_cluster asks the plugin to
  validate_scaling and casts `provision_scaled_cluster`.
- cluster-delete: terminate_cluster casts `terminate_cluster`; the engine's
  terminate_cluster has the plugin's on_terminate_cluster, HeatEngine.shutdown_cluster
  deletes the stack, trusts.delete_trust_from_cluster asks keystone, then
  conductor.cluster_destroy.
- job-execute: sahara/service/api/v2/jobs.py execute_job writes the job execution
  (conductor.job_execution_create) and casts `run_edp_job`.
- cluster-update: update_cluster casts `update_keypair` when asked, and
  `handle_verification`.
- node-group-template-create: conductor.node_group_template_create, no RPC.
"""

from __future__ import annotations

import ast

import pytest

from tests.integration.releases import open_sahara
from tracer.model import CAST, DB, DRIVER, SERVICE, iter_steps

pytestmark = pytest.mark.integration

TRACED = ("cluster-create", "cluster-scale", "cluster-delete", "job-execute",
          "cluster-update", "node-group-template-create")
# test_ops.py's handler -> the operation whose engine side it is
HANDLER_OPS = {"_provision_cluster": "cluster-create",
               "_provision_scaled_cluster": "cluster-scale",
               "terminate_cluster": "cluster-delete"}


@pytest.fixture(scope="module")
def sahara():
    return open_sahara()


@pytest.fixture(scope="module")
def flows(sahara):
    return {name: sahara.flow(name) for name in TRACED}


def _steps(flow):
    return [(s.kind, s.source, s.target, s.text) for s in iter_steps(flow.nodes)]


def _test_ops_sequences(root) -> dict[str, list[str]]:
    """handler -> the SEQUENCE its test in test_ops.py asserts."""
    tree = ast.parse((root / "sahara/tests/unit/service/test_ops.py").read_bytes())
    out = {}
    for fn in ast.walk(tree):
        if not isinstance(fn, ast.FunctionDef) or not fn.name.startswith("test_"):
            continue
        handler = sequence = None
        for node in ast.walk(fn):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and isinstance(node.func.value, ast.Name) and node.func.value.id == "ops"):
                handler = node.func.attr
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr == "assertEqual" and node.args
                    and isinstance(node.args[0], ast.List)
                    and any(isinstance(a, ast.Attribute) and a.attr == "SEQUENCE"
                            for a in node.args[1:2])):
                sequence = [e.value for e in node.args[0].elts]
        if handler in HANDLER_OPS and sequence:
            out[handler] = sequence
    return out


def _position(steps, entry: str) -> int:
    """Where the diagram has the step test_ops.py's fake records as `entry`."""
    name = entry.split(".")[-1]
    for i, (kind, source, target, text) in enumerate(steps):
        if source != "sahara_engine":
            continue
        if entry.startswith("INFRA.") or name in ("create_cluster", "shutdown_cluster"):
            # the heat engine's work: its first request to heat
            if kind == SERVICE and target == "heat":
                return i
        elif name == "cluster_destroy":
            if kind == DB and text == "db.cluster_destroy":
                return i
        elif kind == DRIVER and target == "plugin" and text == name:
            return i
    raise AssertionError(f"no step for {entry}")


def test_engine_order_is_the_one_saharas_test_ops_asserts(sahara, flows):
    sequences = _test_ops_sequences(sahara.source.root)
    assert set(sequences) == set(HANDLER_OPS)
    for handler, sequence in sequences.items():
        steps = _steps(flows[HANDLER_OPS[handler]])
        positions = [_position(steps, entry) for entry in sequence]
        assert positions == sorted(positions), (handler, sequence, positions)


def test_every_rpc_drawn_has_the_kind_osflow_rpc_gives(sahara, flows):
    kinds = {f"{m.service} {m.method}": set(m.kinds) for m in sahara.rpc_model().methods}
    sent = 0
    for name, flow in flows.items():
        for step in iter_steps(flow.nodes):
            if step.kind in ("call", "cast") and step.rpc:
                sent += 1
                assert step.kind in kinds[step.rpc], (name, step.rpc, step.kind)
    assert sent >= 6


def test_participants(flows):
    seen = {p for flow in flows.values() for p in flow.participants}
    assert {"client", "sahara_api", "sahara_engine", "database", "heat", "nova", "keystone",
            "plugin"} <= seen
    for flow in flows.values():
        assert flow.participants[:2] == ("client", "sahara_api")
        assert any("ProvisioningPluginBase" in n for n in flow.notes) or \
            "plugin" not in flow.participants


def test_cluster_create(flows):
    steps = _steps(flows["cluster-create"])
    assert (DB, "sahara_api", "database", "db.cluster_create") in steps
    assert (CAST, "sahara_api", "sahara_engine", "provision_cluster") in steps
    assert (SERVICE, "sahara_api", "nova", "limits.get") in steps
    assert any(k == SERVICE and t == "heat" and x.endswith("stacks.create")
               for k, _, t, x in steps)
    assert steps.index((CAST, "sahara_api", "sahara_engine", "provision_cluster")) > \
        steps.index((DB, "sahara_api", "database", "db.cluster_create"))
    # the route decorator's default status (sahara/utils/api.py Rest.post: 202)
    assert ("response", "sahara_api", "client", "202") in steps


def test_cluster_scale(flows):
    steps = _steps(flows["cluster-scale"])
    assert (DRIVER, "sahara_api", "plugin", "validate_scaling") in steps
    assert (CAST, "sahara_api", "sahara_engine", "provision_scaled_cluster") in steps


def test_cluster_delete(flows):
    steps = _steps(flows["cluster-delete"])
    assert (CAST, "sahara_api", "sahara_engine", "terminate_cluster") in steps
    assert (SERVICE, "sahara_engine", "keystone", "trusts.delete") in steps


def test_job_execute(flows):
    steps = _steps(flows["job-execute"])
    assert (DB, "sahara_api", "database", "db.job_execution_create") in steps
    assert (CAST, "sahara_api", "sahara_engine", "run_edp_job") in steps


def test_cluster_update(flows):
    steps = _steps(flows["cluster-update"])
    assert (CAST, "sahara_api", "sahara_engine", "update_keypair") in steps
    assert (CAST, "sahara_api", "sahara_engine", "handle_verification") in steps


def test_node_group_template_create_writes_and_sends_nothing(flows):
    steps = _steps(flows["node-group-template-create"])
    assert (DB, "sahara_api", "database", "db.node_group_template_create") in steps
    assert not [s for s in steps if s[0] in ("call", "cast")]


def test_cluster_delete_draws_both_ways_of_deleting_the_stack(flows):
    # sahara/service/heat/heat_engine.py HeatEngine.shutdown_cluster: heat_shutdown is
    # heat.lazy_delete_stack if force, else heat.delete_stack, then called
    steps = _steps(flows["cluster-delete"])
    assert (SERVICE, "sahara_engine", "heat", "lazy_delete_stack") in steps
    assert (SERVICE, "sahara_engine", "heat", "delete_stack") in steps


def test_job_execute_runs_the_job_on_the_plugins_engine(flows):
    # sahara/service/edp/job_manager.py _run_job: eng = get_job_engine(...) (the plugin's
    # get_edp_engine), then eng.run_job(job_execution) and the execution's update
    steps = _steps(flows["job-execute"])
    assert (DRIVER, "sahara_engine", "plugin", "get_edp_engine") in steps
    assert (SERVICE, "sahara_engine", "plugin", "edp_engine.run_job") in steps
    assert steps.index((SERVICE, "sahara_engine", "plugin", "edp_engine.run_job")) < \
        steps.index((DB, "sahara_engine", "database", "db.job_execution_update"))


def test_cluster_delete_answers_200_when_forced_else_204(flows):
    # sahara/api/v2/clusters.py clusters_delete: `return u.render({"stack_name": ...},
    # status=200)` if force, else `u.render(res=None, status=204)` (sahara/utils/api.py
    # render: a given status overrides the route's)
    steps = _steps(flows["cluster-delete"])
    assert ("response", "sahara_api", "client", "200 or 204") in steps


def test_the_views_acl_enforce_is_drawn_as_their_policy_check(flows):
    # sahara/api/v2/clusters.py: @acl.enforce("data-processing:cluster:delete") on
    # clusters_delete; sahara/api/acl.py enforce authorizes the rule before the view runs
    for op, rule in (("cluster-delete", "data-processing:cluster:delete"),
                     ("cluster-create", "data-processing:cluster:create"),
                     ("job-execute", "data-processing:job:execute")):
        notes = [s.text for s in iter_steps(flows[op].nodes) if s.kind == "note"]
        assert any(f"policy: {rule}" in n for n in notes), op


def test_job_execute_draws_the_engines_reads_before_running_the_job(flows):
    # sahara/service/edp/job_manager.py _run_job (beyond --depth): conductor.
    # job_execution_get and conductor.cluster_get, then the cluster's state decides whether
    # the plugin's engine runs the job; _get_job_type reads the job (conductor.job_get)
    steps = _steps(flows["job-execute"])
    for read in ("db.job_execution_get", "db.cluster_get"):
        assert steps.index((DB, "sahara_engine", "database", read)) < \
            steps.index((DRIVER, "sahara_engine", "plugin", "get_edp_engine"))
    assert (DB, "sahara_engine", "database", "get job type: reads db.job_get") in steps


def test_cluster_scale_validates_before_it_scales(flows):
    # sahara/api/v2/clusters.py clusters_scale: @v.check_exists(api.get_cluster, ...)
    # reads the cluster, @v.validate(..., v_c_s.check_cluster_scaling) runs
    # sahara/service/validations/clusters_scaling.py check_cluster_scaling, which asks the
    # engine for its type (service_api.OPS.get_engine_type_and_version(): RemoteOps,
    # self.call) before scale_cluster casts provision_scaled_cluster
    steps = _steps(flows["cluster-scale"])
    call = ("call", "sahara_api", "sahara_engine", "get_engine_type_and_version")
    cast = (CAST, "sahara_api", "sahara_engine", "provision_scaled_cluster")
    assert steps.index((DB, "sahara_api", "database", "db.cluster_get")) < \
        steps.index(call) < steps.index(cast)
