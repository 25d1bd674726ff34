"""Periodic tasks: found on each service's manager, scheduled as the tree says, traced
from their own service's lifeline, and listed among the operations."""

from __future__ import annotations

import json

from tests.test_cli_rpc import osflow
from tests.trees import TRACE, write_tree
from tracer.index import Index
from tracer.model import iter_steps
from tracer.periodic import periodic_operations, with_periodic
from tracer.catalogue import build_catalogue
from tracer.rpc import build_rpc_model
from tracer.trace import Options, trace_operation

TASKS = """
            @periodic_task.periodic_task(spacing=CONF.sync_power_state_interval,
                                         run_immediately=True)
            def _sync_power_states(self, context):
                self.compute_rpcapi.pause_instance(context, None)

            @periodic_task.periodic_task
            def _poll_rebooting_instances(self, context):
                if CONF.reboot_timeout > 0:
                    self.driver.power_off(None)

            @periodic_task.periodic_task(
                spacing=CONF.heal_interval if CONF.heal_interval != 0 else -1,
                run_immediately=True)
            def _heal_instance_info_cache(self, context):
                pass

            def pause_instance(self, context, instance):"""


def _tree(tmp_path):
    files = dict(TRACE)
    manager = files["nova/compute/manager.py"]
    manager = manager.replace("        from nova import manager\n",
                              "        from nova import manager\n"
                              "        from oslo_service import periodic_task\n"
                              "        import nova.conf\n        CONF = nova.conf.CONF\n", 1)
    manager = manager.replace("\n            def pause_instance(self, context, instance):",
                              TASKS, 1)
    files["nova/compute/manager.py"] = manager
    files["nova/conf/__init__.py"] = ""
    files["nova/conf/compute.py"] = """
        from oslo_config import cfg
        opts = [
            cfg.IntOpt('sync_power_state_interval', default=600),
            cfg.IntOpt('reboot_timeout', default=0),
            cfg.IntOpt('heal_interval', default=-1),
        ]
        """
    return write_tree(tmp_path, files)


def test_periodic_tasks_are_found_with_their_schedule(tmp_path):
    index = Index(_tree(tmp_path))
    tasks = {op.name: op for op in periodic_operations(index, build_rpc_model(index, "t"))}
    assert sorted(tasks) == ["periodic-heal-instance-info-cache",
                             "periodic-poll-rebooting-instances",
                             "periodic-sync-power-states"]
    sync = tasks["periodic-sync-power-states"]
    assert sync.method == "PERIODIC"
    assert {op.group for op in tasks.values()} == {"periodic"}
    assert sync.path == ("nova-compute: every 600 s by default (spacing="
                         "CONF.sync_power_state_interval; CONF.sync_power_state_interval "
                         "default 600); also when the service starts")
    assert sync.handler == "nova.compute.manager.ComputeManager._sync_power_states"
    assert tasks["periodic-poll-rebooting-instances"].path == \
        "nova-compute: every tick of the periodic loop (CONF.periodic_interval, default 60 s)"
    # a negative default (a unary minus in the syntax tree) disables the task
    heal = tasks["periodic-heal-instance-info-cache"].path
    assert heal.startswith("nova-compute: disabled by default (")
    # oslo.service registers no task of negative spacing: not at start either
    assert heal.endswith("; when enabled, also when the service starts")


def test_a_periodic_task_is_traced_from_its_service(tmp_path):
    index = Index(_tree(tmp_path))
    rpc = build_rpc_model(index, "t")
    catalogue = with_periodic(build_catalogue(index, "t"), periodic_operations(index, rpc))
    op = next(op for op in catalogue.operations if op.name == "periodic-sync-power-states")
    flow = trace_operation(index, rpc, op, Options())
    steps = [(s.kind, s.source, s.target, s.text) for s in iter_steps(flow.nodes)
             if s.kind not in ("enter", "leave")]
    assert steps[0][:2] == ("note", "nova_compute")
    assert steps[0][3].startswith("periodic task _sync_power_states: every 600 s")
    assert ("cast", "nova_compute", "nova_compute", "pause_instance") in steps
    assert "client" not in flow.participants and "nova_api" not in flow.participants
    # an option at its default decides the branch, and the flow says so
    rebooting = next(op for op in catalogue.operations
                     if op.name == "periodic-poll-rebooting-instances")
    quiet = trace_operation(index, rpc, rebooting, Options())
    assert not [s for s in iter_steps(quiet.nodes) if s.kind == "driver"]
    assert any("CONF.reboot_timeout=0" in note for note in quiet.notes)


def test_ops_lists_periodic_tasks_beside_rest_operations(tmp_path):
    result = osflow("ops", "-s", str(_tree(tmp_path)), "--format", "json",
                    cache=tmp_path / "cache")
    assert result.returncode == 0, result.stderr
    ops = {op["name"]: op for op in json.loads(result.stdout)}
    assert ops["periodic-sync-power-states"]["method"] == "PERIODIC"
    assert "pause" in ops
