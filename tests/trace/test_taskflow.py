"""Taskflow followed statically: a linear flow's tasks run in order, their parameters bound
by name from the engine's store and from what earlier tasks provided."""

from __future__ import annotations

import pytest

from tests.trees import CINDER, CINDER_API, write_tree
from tracer.model import CAST, DB, NOTE, iter_steps
from tracer.trace import Options
from tracer.workspace import open_workspace

FLOW = {
    "cinder/volume/api.py": """
        from cinder.scheduler import rpcapi as scheduler_rpcapi
        from cinder.volume.flows.api import create_volume

        class API(object):
            def __init__(self):
                self.scheduler_rpcapi = scheduler_rpcapi.SchedulerAPI()

            def create(self, context, size):
                create_what = {'context': context, 'raw_size': size}
                flow_engine = create_volume.get_flow(self.scheduler_rpcapi, create_what)
                flow_engine.run()
                return flow_engine.storage.fetch('volume')
        """,
    "cinder/volume/flows/api/create_volume.py": """
        import taskflow.engines
        from taskflow.patterns import linear_flow
        from taskflow import task

        from cinder import objects

        class EntryCreateTask(task.Task):
            default_provides = set(['volume'])

            def execute(self, context, raw_size):
                volume = objects.Volume(context=context)
                volume.create()
                volume.size = raw_size
                volume.save()
                return {'volume': volume, 'volume_id': volume.id}

            def revert(self, context, result, **kwargs):
                result['volume'].destroy()

        class VolumeCastTask(task.Task):
            def __init__(self, scheduler_rpcapi):
                super(VolumeCastTask, self).__init__()
                self.scheduler_rpcapi = scheduler_rpcapi

            def execute(self, context, **kwargs):
                self.scheduler_rpcapi.create_volume(context, kwargs['volume'])

        def get_flow(scheduler_rpcapi, create_what):
            api_flow = linear_flow.Flow('volume_create_api')
            api_flow.add(EntryCreateTask())
            api_flow.add(VolumeCastTask(scheduler_rpcapi))
            return taskflow.engines.load(api_flow, store=create_what)
        """,
}


@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    base = tmp_path_factory.mktemp("taskflow")
    tree = write_tree(base / "cinder", {**CINDER, **CINDER_API, **FLOW})
    return open_workspace(str(tree), cache=base / "cache")


def _steps(flow):
    return [(s.kind, s.source, s.target, s.text, s.anchor) for s in iter_steps(flow.nodes)]


def test_the_tasks_of_a_linear_flow_run_in_order(workspace):
    steps = _steps(workspace.flow("create"))
    note = next(s for s in steps if s[0] == NOTE and s[3].startswith("taskflow"))
    assert note[3] == "taskflow runs in order: EntryCreateTask, VolumeCastTask"
    write = next(i for i, s in enumerate(steps) if s[0] == DB and s[3].startswith(
        "volume.save"))
    cast = next(i for i, s in enumerate(steps) if s[:4] == (
        CAST, "cinder_api", "cinder_scheduler", "create_volume"))
    assert write < cast
    assert steps[write][4] == "cinder.volume.flows.api.create_volume.EntryCreateTask.execute"
    # raw_size, bound from the store (the request's size)
    assert steps[write][3] == "volume.save (size=body['size'])"
    assert steps[cast][4].startswith("cinder.volume.flows.api.create_volume.VolumeCastTask")
    # the cast's handler on the scheduler is followed, as for any cast
    assert "cinder_scheduler" in workspace.flow("create").participants


def test_reverts_are_error_paths_drawn_with_errors(workspace):
    plain = _steps(workspace.flow("create"))
    assert not [s for s in plain if s[3].startswith("volume.destroy")]
    errors = workspace.flow("create", Options(errors=True))
    blocks = [n for n in errors.nodes if getattr(n, "kind", "") == "opt"]
    assert any(b.branches[0].label.startswith("if a task fails") and
               any(s.text.startswith("volume.destroy") for s in iter_steps(b.branches[0].nodes))
               for b in blocks)
