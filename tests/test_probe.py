"""bench/probe.py, issue #20's probe script: its fastest probes pass, and a probe whose
promise breaks (a run too long or too large, a wrong exit, a write outside its places) is
a failure that says why, with exit status 1."""

from __future__ import annotations

import fcntl
import importlib.util
import json
import os
import sys
import tempfile
from pathlib import Path

import pytest

FASTEST = ["output/trace-o/fifo", "output/trace-o/symlink", "tree/module/link-to-dev-zero",
           "suppress/nested-50k-deep", "wsd/fifo", "wsd/U+FFFE-to-svg"]


@pytest.fixture(scope="module")
def probe():
    path = Path(__file__).resolve().parents[1] / "bench" / "probe.py"
    spec = importlib.util.spec_from_file_location("osflow_probe", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    yield module
    del sys.modules[spec.name]


def test_the_fastest_probes_pass(probe, tmp_path: Path) -> None:
    items = [p for p in probe.PROBES if p.name in FASTEST]
    assert sorted(p.name for p in items) == sorted(FASTEST)
    outcomes = probe.run_probes(items, base=tmp_path)
    assert [(o.name, o.status) for o in outcomes] == [(p.name, "PASS") for p in items], \
        [o.detail for o in outcomes]
    assert all(o.runs and o.seconds > 0 and o.peak_mb > 10 for o in outcomes)
    assert list(tmp_path.iterdir()) == []  # every probe's folder removed


def test_a_broken_promise_fails_and_says_why(probe, tmp_path: Path) -> None:
    def writes_outside(lab):
        probe.succeeded(lab.run("--version"))
        (lab.folder / "stray").write_text("not osflow's, but not allowed either")
        return "fine"

    def wrong_exit(lab):
        return probe.error_line(lab.run("--version"))  # exit 0, not a refusal

    def too_large(lab):
        return probe.succeeded(lab.run("--version", limit_mb=1))

    def too_long(lab):  # a build waits for the lock on its root, held here
        root = lab.allow(lab.folder / "root")
        root.mkdir()
        fd = os.open(root, os.O_RDONLY)
        fcntl.flock(fd, fcntl.LOCK_EX)
        try:
            return probe.succeeded(lab.build(lab.tree(), root, limit_s=2))
        finally:
            os.close(fd)

    items = [probe.Probe(f"x/{work.__name__}", "", work)
             for work in (writes_outside, wrong_exit, too_large, too_long)]
    outcomes = {o.name: o for o in probe.run_probes(items, base=tmp_path)}
    assert {o.status for o in outcomes.values()} == {"FAIL"}
    assert outcomes["x/writes_outside"].detail == \
        "written outside the allowed places: stray created"
    assert outcomes["x/wrong_exit"].detail.startswith("exit 0, not 2: ")
    assert " MB, over 1 MB" in outcomes["x/too_large"].detail
    assert outcomes["x/too_long"].detail.endswith(": still running after 2 s; killed")
    line = probe.line_of(outcomes["x/wrong_exit"], 16)
    assert line.startswith("FAIL x/wrong_exit       ") and " s " in line and " MB  exit 0" in line
    assert probe.summary(list(outcomes.values())) == "4 probes: 0 passed, 4 failed"


def test_the_command_line(probe, monkeypatch, capsys, tmp_path: Path) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    assert probe.main(["-k", "output/trace-o/fifo", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["summary"] == "1 probe: 1 passed, 0 failed"
    assert [(p["name"], p["status"]) for p in report["probes"]] == [("output/trace-o/fifo",
                                                                     "PASS")]
    monkeypatch.setattr(probe, "PROBES", [probe.Probe("x/fails", "", lambda lab: probe.check(
        False, "as it should"))])
    assert probe.main([]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("FAIL x/fails") and out[0].endswith("as it should")
    assert out[1].startswith("1 probe: 0 passed, 1 failed (")
    assert list(tmp_path.iterdir()) == []
