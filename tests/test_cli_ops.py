"""`osflow ops` as a user runs it: output shapes, and one clean line on bad input."""

from __future__ import annotations

import json

import pytest

from tests.api_trees import MODERN_API
from tests.test_cli_rpc import osflow
from tests.trees import write_tree


@pytest.fixture
def tree(tmp_path):
    return write_tree(tmp_path / "tree", MODERN_API)


def test_json_shape(tree, tmp_path):
    result = osflow("ops", "-s", str(tree), "--format", "json", cache=tmp_path / "c")
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    required = {"name", "aliases", "method", "path", "action", "handler", "file", "line"}
    assert rows and all(required <= set(r) for r in rows)
    assert [r["name"] for r in rows] == sorted(r["name"] for r in rows)
    pause = next(r for r in rows if r["name"] == "pause")
    assert pause == {
        "name": "pause", "aliases": [], "method": "POST", "path": "/servers/{id}/action",
        "action": "pause",
        "handler": "nova.api.openstack.compute.pause_server.PauseServerController._pause",
        "file": "nova/api/openstack/compute/pause_server.py", "line": 6,
        "group": "servers", "min_version": None, "max_version": None}
    boot = next(r for r in rows if r["name"] == "boot")
    assert boot["action"] is None and boot["aliases"] == ["create"]


def test_table_and_warm_run_is_identical(tree, tmp_path):
    first = osflow("ops", "-s", str(tree), cache=tmp_path / "c")
    second = osflow("ops", "-s", str(tree), cache=tmp_path / "c")
    assert first.returncode == 0, first.stderr
    for text in ("live-migrate", "os-migrateLive", "POST /servers/{id}/action",
                 "PauseServerController._pause", "reset-network", "410 Gone"):
        assert text in first.stdout, text
    assert first.stdout == second.stdout
    # a route to a method the controller lacks: a warning line, not a failure
    assert "warning: GET /servers/{server_id}/tags" in first.stderr


@pytest.mark.parametrize("args, expected", [
    (("-s", "/no/such/dir"), "/no/such/dir"),
    (("--format", "yaml"), "yaml"),
])
def test_bad_input_gives_one_error_line_and_exit_2(args, expected, tmp_path):
    result = osflow("ops", *args, cache=tmp_path / "c")
    assert result.returncode == 2
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and expected in errors[0]
    assert "Traceback" not in result.stderr


def test_no_api_in_tree_is_a_warning(tmp_path):
    tree = write_tree(tmp_path / "bare", {"nova/compute/api.py": "x = 1\n"})
    result = osflow("ops", "-s", str(tree), "--format", "json", cache=tmp_path / "c")
    assert result.returncode == 0
    assert json.loads(result.stdout) == []
    assert "warning: no REST routes found" in result.stderr


def test_group_column_and_filter(tree, tmp_path):
    table = osflow("ops", "-s", str(tree), cache=tmp_path / "c")
    assert table.returncode == 0, table.stderr
    assert "group" in table.stdout and "os-hypervisors" in table.stdout
    rows = json.loads(osflow("ops", "-s", str(tree), "--format", "json", "--group",
                             "os-hypervisors", cache=tmp_path / "c").stdout)
    assert rows and {r["group"] for r in rows} == {"os-hypervisors"}
    uptime = next(r for r in rows if r["name"] == "hypervisor-uptime")
    assert (uptime["min_version"], uptime["max_version"]) == ("2.1", "2.87")
    # named without its os- prefix, and repeatable
    both = json.loads(osflow("ops", "-s", str(tree), "--format", "json", "--group",
                             "hypervisors", "--group", "flavors", cache=tmp_path / "c").stdout)
    assert {r["group"] for r in both} == {"os-hypervisors", "flavors"}
    one = osflow("ops", "-s", str(tree), "--group", "flavors", cache=tmp_path / "c")
    assert "operations in flavors" in one.stdout and "pause" not in one.stdout
    assert "reset-network" not in one.stdout  # a gap of another group


@pytest.mark.parametrize("group, expected", [
    ("hypervisor", "error: no group 'hypervisor' in "),
    ("zzz", "groups: flavors, os-aggregates,"),
])
def test_unknown_group_is_one_error_line(tree, tmp_path, group, expected):
    result = osflow("ops", "-s", str(tree), "--group", group, cache=tmp_path / "c")
    assert result.returncode == 2 and result.stdout == ""
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and expected in errors[0], result.stderr
    if group == "hypervisor":
        assert errors[0].endswith("closest: os-hypervisors")
