"""`osflow trace` end to end on a synthetic tree: formats, files, options, bad input."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from tracer.cli import cli
from tests.test_cli_rpc import osflow  # the real entry point: exit codes, stderr
from tracer.trace.patterns import is_db_write
from tests.trees import TRACE, write_tree


@pytest.fixture(scope="module")
def tree(tmp_path_factory):
    return write_tree(tmp_path_factory.mktemp("trace-cli"), TRACE)


@pytest.fixture
def run(tree, tmp_path, monkeypatch):
    monkeypatch.setenv("OSFLOW_CACHE_DIR", str(tmp_path / "cache"))

    def invoke(*args):
        return CliRunner().invoke(cli, ["trace", *args, "-s", str(tree)])
    return invoke


def test_wsd_by_default_with_cast_and_provenance(run):
    result = run("pause")
    assert result.exit_code == 0, result.output
    assert "nova_api->>nova_compute: pause_instance" in result.output
    assert "# nova/compute/api.py API.pause" in result.output
    assert result.output.startswith("title pause (nova ")


def test_aliases_resolve_to_the_same_operation(run):
    assert run("os-migrateLive").output == run("live-migrate").output
    assert run("live_migrate").output == run("live-migrate").output


@pytest.mark.parametrize("fmt, marker", [("plantuml", "@startuml"), ("mermaid", "sequenceDiagram"),
                                         ("json", '"operation": "pause"')])
def test_other_formats(run, fmt, marker):
    result = run("pause", "--format", fmt)
    assert result.exit_code == 0 and marker in result.output


def test_json_is_the_flow_model(run):
    data = json.loads(run("live-migrate", "--format", "json").output)
    kinds = [n["kind"] for n in data["nodes"] if "kind" in n]
    assert data["participants"][:3] == ["client", "nova_api", "nova_conductor"]
    assert "request" in kinds and "response" in kinds


def test_output_file_is_written(run, tmp_path):
    target = tmp_path / "pause.wsd"
    result = run("pause", "-o", str(target))
    assert result.exit_code == 0 and result.output == ""
    assert "pause_instance" in target.read_text()


def test_driver_option(run):
    assert "nova_compute->fake: pause" in run("pause", "--driver", "fake").output


def test_depth_zero_still_shows_every_rpc(run):
    shallow = run("live-migrate", "--depth", "0").output
    for method in ("migrate_server", "select_destinations", "live_migration",
                   "pre_live_migration"):
        assert method in shallow


def test_unknown_operation_is_one_error_line_naming_the_closest(tree, tmp_path):
    result = osflow("trace", "pauze", "-s", str(tree), cache=tmp_path)
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr == "error: unknown operation 'pauze'; closest: pause\n"


def test_unknown_driver_is_bad_input(tree, tmp_path):
    result = osflow("trace", "pause", "-s", str(tree), "--driver", "nope", cache=tmp_path)
    assert result.returncode == 2
    assert result.stderr.startswith("error: unknown virt driver 'nope'; choose one of: ")
    assert "Traceback" not in result.stderr


def test_an_unwritable_output_is_one_error_line(tree, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    result = osflow("trace", "pause", "-s", str(tree), "-o", str(blocker / "x.wsd"),
                    cache=tmp_path / "c")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    # the cause is named: the file where a folder should be
    assert result.stderr == (f"error: {blocker}: a regular file, not a folder, so "
                             f"{blocker / 'x.wsd'} cannot be written (move it away or choose "
                             "another path)\n")


def test_overview_keeps_every_arrow_across_processes_and_drops_notes(run):
    full, brief = run("live-migrate").output, run("live-migrate", "--overview").output
    assert len(brief.splitlines()) < len(full.splitlines())
    for method in ("migrate_server", "select_destinations", "live_migration",
                   "pre_live_migration", "_post_live_migration (callback)"):
        assert method in brief
    assert "note over" not in brief

    def arrows(text):
        return [line.strip() for line in text.splitlines()
                if "->" in line and not line.lstrip().startswith("#")]
    # neutron, the driver and database writes stay; database reads and their replies go
    read = [line for line in arrows(full) if "->database: " in line
            and not is_db_write(line.split("->database: ", 1)[1].split("] ")[-1])]
    assert read and not any(line in arrows(brief) for line in read)
    assert [line for line in arrows(full) if "->database: " in line and line not in read] == \
        [line for line in arrows(brief) if "->database: " in line]
    assert [line for line in arrows(brief) if "database" not in line] == \
        [line for line in arrows(full) if "database" not in line]


def test_version_and_a_trace_without_an_operation(tmp_path):
    from tracer import __version__

    version = osflow("--version", cache=tmp_path / "c")
    assert (version.returncode, version.stdout) == (0, f"osflow {__version__}\n")
    bare = osflow("trace", cache=tmp_path / "c")
    assert bare.returncode == 2
    assert bare.stderr == ("error: which operation? name one, e.g. `osflow trace pause`; "
                           "`osflow ops` lists them all\n")


def test_trace_output_into_a_missing_folder_is_refused(tmp_path):
    tree = write_tree(tmp_path / "tree", TRACE)
    target = tmp_path / "typo" / "dir" / "pause.wsd"
    result = osflow("trace", "pause", "-s", str(tree), "-o", str(target), cache=tmp_path / "c")
    assert result.returncode == 2
    assert result.stderr == (f"error: {target.parent}: no such folder; create it first "
                             f"(mkdir -p {target.parent}) or write elsewhere\n")
    assert not (tmp_path / "typo").exists()


def test_trace_on_a_cinder_tree(tmp_path):
    """Cinder's participants: its API, its services by binary, the database; a cast to
    the scheduler from cinder/volume/api.py, as on Nova."""
    import json

    from tests.trees import CINDER, CINDER_API, write_tree

    tree = write_tree(tmp_path / "cinder", {**CINDER, **CINDER_API})
    result = osflow("trace", "create", "-s", str(tree), "--format", "json",
                    cache=tmp_path / "c")
    assert result.returncode == 0, result.stderr
    flow = json.loads(result.stdout)
    assert flow["participants"][:3] == ["client", "cinder_api", "cinder_scheduler"]
    steps = [(n["kind"], n["source"], n.get("target"), n["text"]) for n in flow["nodes"]]
    assert ("request", "client", "cinder_api", "POST /volumes") in steps
    assert ("cast", "cinder_api", "cinder_scheduler", "create_volume") in steps
    assert any(kind == "db" and text.startswith("volume.create") for kind, _, _, text in steps)
    wsd = osflow("trace", "create", "-s", str(tree), cache=tmp_path / "c")
    assert "# osflow draft: create, cinder " in wsd.stdout
