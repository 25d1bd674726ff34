"""`osflow rpc` as a user runs it: output shapes, and one clean line on bad input."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.trees import CINDER, MODERN, write_tree


def osflow(*args: str, cache, env: dict[str, str] | None = None,
           cwd=None, timeout: float = 300,
           max_memory: int | None = None) -> subprocess.CompletedProcess:
    """Run the command line as a user does; `env` adds to (or, with None values, removes
    from) the environment. A run over `timeout` seconds fails the test (a hang); with
    `max_memory` (bytes of address space), a run that would take more fails with a
    MemoryError rather than taking the machine's memory."""
    full = dict(os.environ, OSFLOW_CACHE_DIR=str(cache))
    for key, value in (env or {}).items():
        if value is None:
            full.pop(key, None)
        else:
            full[key] = value

    def limit() -> None:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (max_memory, max_memory))

    return subprocess.run([sys.executable, "-m", "tracer", *args], capture_output=True,
                          text=True, env=full, cwd=cwd, timeout=timeout,
                          preexec_fn=limit if max_memory else None)


@pytest.fixture
def tree(tmp_path):
    return write_tree(tmp_path / "tree", MODERN)


def test_json_shape(tree, tmp_path):
    result = osflow("rpc", "-s", str(tree), "--format", "json", cache=tmp_path / "c")
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    required = {"service", "method", "kinds", "fanout", "client", "handler", "version",
                "file", "line"}
    assert rows and all(required <= set(r) for r in rows)
    pause = next(r for r in rows if r["method"] == "pause_instance")
    assert pause["client"] == "nova.compute.rpcapi.ComputeAPI.pause_instance"
    assert pause["kinds"] == ["cast"] and pause["service"] == "nova-compute"


def test_table_groups_by_service_and_warm_run_is_identical(tree, tmp_path):
    first = osflow("rpc", "-s", str(tree), cache=tmp_path / "c")
    second = osflow("rpc", "-s", str(tree), cache=tmp_path / "c")
    assert first.returncode == 0, first.stderr
    for binary in ("nova-compute", "nova-conductor", "nova-scheduler"):
        assert binary in first.stdout
    assert "cast if do_cast else call" in first.stdout
    assert first.stdout == second.stdout


def test_piped_table_keeps_each_method_on_one_line(tree, tmp_path):
    rows = json.loads(osflow("rpc", "-s", str(tree), "--format", "json",
                             cache=tmp_path / "c").stdout)
    table = osflow("rpc", "-s", str(tree), cache=tmp_path / "c",
                   env={"COLUMNS": "60"}).stdout  # a narrow terminal's setting, piped
    lines = table.splitlines()
    for row in rows:
        client = ".".join(row["client"].split(".")[-2:])  # the table's short form
        assert any(f" {row['method']} " in line and client in line for line in lines), row


@pytest.mark.parametrize("where", ["before", "after"])
def test_debug_shows_the_traceback_wherever_it_is_given(tree, tmp_path, where):
    args = ["trace", "pauze", "-s", str(tree)]
    args = ["--debug", *args] if where == "before" else [*args, "--debug"]
    result = osflow(*args, cache=tmp_path / "c")
    assert result.returncode != 0
    assert "Traceback" in result.stderr and "unknown operation 'pauze'" in result.stderr


def test_service_filter(tree, tmp_path):
    result = osflow("rpc", "-s", str(tree), "--format", "json", "--service", "nova-scheduler",
                    cache=tmp_path / "c")
    assert {r["service"] for r in json.loads(result.stdout)} == {"nova-scheduler"}
    short = osflow("rpc", "-s", str(tree), "--format", "json", "--service", "scheduler",
                   cache=tmp_path / "c")  # the binary without its project's prefix
    assert short.stdout == result.stdout
    graph = osflow("graph", "-s", str(tree), "--format", "json", "--service", "scheduler",
                   cache=tmp_path / "c")
    assert graph.returncode == 0 and "service:nova-scheduler" in graph.stdout


@pytest.mark.parametrize("spec, expected", [
    ("/no/such/dir", "/no/such/dir"),
    ("{tmp}", "no nova/ package here"),
    ("{tmp}@v1", "{tmp}"),
])
def test_bad_sources_give_one_line_and_exit_2(spec, expected, tmp_path):
    spec = spec.format(tmp=tmp_path)
    result = osflow("rpc", "-s", spec, cache=tmp_path / "c")
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ")
    assert expected.format(tmp=tmp_path) in lines[0]
    assert "Traceback" not in result.stderr


def test_usage_error_exit_2(tmp_path):
    result = osflow("rpc", "--format", "yaml", cache=tmp_path / "c")
    assert result.returncode == 2
    assert "error:" in result.stderr and "Traceback" not in result.stderr


def test_parse_problem_is_a_warning_with_file_and_line(tree, tmp_path):
    (tree / "nova/compute/api.py").write_text("def broken(:\n")
    (tree / "nova/compute/rpcapi.py").write_text(
        (tree / "nova/compute/rpcapi.py").read_text() + "\nx = (\n")
    result = osflow("rpc", "-s", str(tree), cache=tmp_path / "c")
    assert result.returncode == 0
    assert "warning: nova/compute/rpcapi.py:" in result.stderr
    assert "nova-scheduler" in result.stdout


# ----------------------------------------------------------------------------- Cinder


@pytest.fixture
def cinder_tree(tmp_path):
    return write_tree(tmp_path / "cinder-tree", CINDER)


def test_rpc_on_a_cinder_tree(cinder_tree, tmp_path):
    result = osflow("rpc", "-s", str(cinder_tree), "--format", "json", cache=tmp_path / "c")
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    assert {r["service"] for r in rows} == {"cinder-volume", "cinder-scheduler"}
    create = next(r for r in rows if r["client"] == "cinder.volume.rpcapi.VolumeAPI.create_volume")
    assert (create["kinds"], create["handler"]) == (
        ["cast"], "cinder.volume.manager.VolumeManager.create_volume")
    short = osflow("rpc", "-s", str(cinder_tree), "--format", "json", "--service", "volume",
                   cache=tmp_path / "c")  # cinder-volume
    assert {r["service"] for r in json.loads(short.stdout)} == {"cinder-volume"}
    table = osflow("rpc", "-s", str(cinder_tree), cache=tmp_path / "c")
    assert table.returncode == 0 and "cinder-volume" in table.stdout


@pytest.mark.parametrize("command", [["graph"], ["check"], ["build", "--root", "{root}"]])
def test_whole_catalogue_commands_read_cinder(cinder_tree, tmp_path, command):
    root = tmp_path / "root"
    args = [a.format(root=root) for a in command] + ["-s", str(cinder_tree)]
    result = osflow(*args, cache=tmp_path / "c")
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert "nova" not in result.stdout  # findings name cinder's own tools (cinder-manage)


@pytest.mark.parametrize("reads, what, message", [
    ((), "trace", "error: cinder: only the RPC model (osflow rpc) is read for now; ops, trace "
                  "and build support Nova"),
    (("ops", "trace"), "build", "error: cinder: osflow build, graph and check do not read it "
                                "yet; rpc, ops, trace do"),
])
def test_a_project_read_only_in_part_says_what_is_read_so_far(cinder_tree, tmp_path, reads,
                                                              what, message, monkeypatch):
    from dataclasses import replace

    from tracer.errors import OsflowError
    from tracer.profiles import PROFILES
    from tracer.workspace import open_workspace

    monkeypatch.setitem(PROFILES, "cinder", replace(PROFILES["cinder"], reads=reads))
    workspace = open_workspace(str(cinder_tree), cache=tmp_path / "c")
    with pytest.raises(OsflowError) as err:
        workspace.needs_flows(what)
    assert f"error: {err.value}" == message


def test_rpc_diff_and_history_on_cinder(cinder_tree, tmp_path):
    newer = write_tree(tmp_path / "newer", CINDER)
    rpcapi = newer / "cinder/scheduler/rpcapi.py"
    rpcapi.write_text(rpcapi.read_text().replace("cctxt.cast(ctxt, 'create_volume'",
                                                 "cctxt.call(ctxt, 'create_volume'"))
    diff = osflow("diff", "--rpc", str(cinder_tree), str(newer), "--format", "json",
                  cache=tmp_path / "c")
    assert diff.returncode == 0, diff.stderr
    changed = json.loads(diff.stdout)["changed"]
    assert [(c["service"], c["method"]) for c in changed] == [("cinder-scheduler",
                                                               "create_volume")]
    history = osflow("history", str(cinder_tree), str(newer), "--rpc", "--format", "json",
                     cache=tmp_path / "c")
    assert history.returncode == 0, history.stderr
    assert "cinder-scheduler" in history.stdout


@pytest.mark.parametrize("command", ["diff", "history"])
def test_diff_and_history_of_two_projects_are_refused(cinder_tree, tree, tmp_path, command):
    result = osflow(command, "--rpc", str(tree), str(cinder_tree), cache=tmp_path / "c")
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        f"error: {tree} is nova and {cinder_tree} is cinder: give "
        + ("two sources" if command == "diff" else "sources") + " of one project"]
