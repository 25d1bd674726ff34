"""`osflow render`: files and folders, -o, formats, exit codes and error lines."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.wsd.corpus import example_files

GOOD = "title Good\nA->B: hello\nB-->A: done\n"
BAD_CASES = {
    "unterminated.wsd": ("A->B: x\nnote over A\ntext\n", 2, "never closed"),
    "keyword.wsd": ("A->B: x\n\nfrobnicate A\n", 3, "unknown keyword"),
    "notarget.wsd": ("A->B: x\nA->: y\n", 2, "no target"),
}


def osflow(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    """Run the real console entry point, as a user would."""
    code = "from tracer.cli import main; main()"
    return subprocess.run([sys.executable, "-c", code, *args], cwd=cwd, capture_output=True,
                          text=True, timeout=120)


def test_single_file_next_to_input(tmp_path):
    (tmp_path / "one.wsd").write_text(GOOD)
    done = osflow("render", "one.wsd", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    svg = (tmp_path / "one.svg").read_text()
    assert svg.startswith("<?xml") and "hello" in svg
    assert done.stdout.strip() == "one.svg"


def test_folder_recursive_keeps_relative_paths(tmp_path):
    src = tmp_path / "src"
    (src / "nova" / "deep").mkdir(parents=True)
    (src / "a.wsd").write_text(GOOD)
    (src / "nova" / "deep" / "b.wsd").write_text(GOOD)
    (src / "nova" / "notes.txt").write_text("not a diagram")
    done = osflow("render", "src", "-o", "out", "--format", "png", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "out" / "a.png").read_bytes()[:4] == b"\x89PNG"
    assert (tmp_path / "out" / "nova" / "deep" / "b.png").is_file()
    assert not (tmp_path / "out" / "nova" / "notes.png").exists()


def test_rerender_unchanged_keeps_file(tmp_path):
    (tmp_path / "one.wsd").write_text(GOOD)
    osflow("render", "one.wsd", cwd=tmp_path)
    first = (tmp_path / "one.svg").stat().st_mtime_ns
    os.utime(tmp_path / "one.svg", ns=(first - 10**9, first - 10**9))
    done = osflow("render", "one.wsd", cwd=tmp_path)
    assert done.returncode == 0 and done.stdout == ""
    assert (tmp_path / "one.svg").stat().st_mtime_ns == first - 10**9


@pytest.mark.parametrize("name", sorted(BAD_CASES))
def test_bad_single_file_exit_2_one_line_no_output(tmp_path, name):
    text, line, fragment = BAD_CASES[name]
    (tmp_path / name).write_text(text)
    done = osflow("render", name, "-o", "out", cwd=tmp_path)
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith(f"error: {name}:{line}: ") and fragment in lines[0]
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_one_bad_file_does_not_stop_the_others(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    (src / "a_good.wsd").write_text(GOOD)
    for name, (text, _line, _fragment) in BAD_CASES.items():
        (src / name).write_text(text)
    (src / "z_good.wsd").write_text(GOOD)
    done = osflow("render", "src", "-o", "out", cwd=tmp_path)
    assert done.returncode == 1
    errors = done.stderr.strip().splitlines()
    assert len(errors) == len(BAD_CASES)
    for name, (_text, line, _fragment) in BAD_CASES.items():
        assert any(e.startswith(f"error: {Path('src', name)}:{line}: ") for e in errors), errors
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["a_good.svg", "z_good.svg"]
    leftovers = [p for p in (tmp_path / "out").iterdir() if p.name.startswith(".")]
    assert leftovers == []


def test_a_fragment_left_open_is_closed_at_the_end_with_a_warning(tmp_path):
    """The hand-drawn collection's shelve.wsd leaves an `alt` open; the reference renderer
    closes it at the end, and so does osflow, with a warning naming its line."""
    wsd = tmp_path / "shelve.wsd"
    wsd.write_text("A->B: x\nalt cond\nA->B: y\nelse\nA->B: z\n")
    result = osflow("render", str(wsd), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stderr.splitlines() == [
        f"warning: {wsd}:2: `alt` is never closed; closed at the end of the file "
        "(add `end` where it ends)"]
    svg = wsd.with_suffix(".svg").read_text()
    assert ">alt<" in svg and svg.count(">z<") == 1


def test_huge_file_refused_with_limit(tmp_path):
    line = b"client->nova_api: a message of moderate length\n"
    (tmp_path / "huge.wsd").write_bytes(line * (10 * 1024 * 1024 // len(line) + 1))
    done = osflow("render", "huge.wsd", cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.startswith("error: huge.wsd: ") and "limit" in done.stderr
    assert not (tmp_path / "huge.svg").exists()


def test_missing_input_and_empty_folder(tmp_path):
    done = osflow("render", "nope.wsd", cwd=tmp_path)
    assert done.returncode == 2 and "error: nope.wsd: no such file or folder" in done.stderr
    (tmp_path / "empty").mkdir()
    done = osflow("render", "empty", cwd=tmp_path)
    assert done.returncode == 2 and "no .wsd files" in done.stderr


def test_tag_makes_opendev_links(tmp_path):
    (tmp_path / "p.wsd").write_text("# nova/compute/api.py API.pause\nA->B: pause\n")
    done = osflow("render", "p.wsd", "--tag", "34.0.0", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "https://opendev.org/openstack/nova/src/tag/34.0.0/nova/compute/api.py" in \
        (tmp_path / "p.svg").read_text()


@pytest.mark.skipif(not example_files(), reason="../shared/examples absent")
def test_examples_folder_renders_byte_identical(tmp_path):
    folder = example_files()[0].parent
    first = osflow("render", str(folder), "-o", str(tmp_path / "one"), cwd=tmp_path)
    second = osflow("render", str(folder), "-o", str(tmp_path / "two"), cwd=tmp_path)
    assert first.returncode == second.returncode == 0, first.stderr
    names = sorted(p.name for p in (tmp_path / "one").iterdir())
    assert names == sorted(p.stem + ".svg" for p in example_files())
    for name in names:
        assert (tmp_path / "one" / name).read_bytes() == (tmp_path / "two" / name).read_bytes()


def test_refuses_to_overwrite_its_input(tmp_path):
    (tmp_path / "x.svg").write_text(GOOD)
    done = osflow("render", "x.svg", cwd=tmp_path)
    assert done.returncode == 2 and "same file" in done.stderr
    assert (tmp_path / "x.svg").read_text() == GOOD


def test_rendering_many_files_reports_its_progress(tmp_path):
    from tracer.render.batch import render_paths

    for name in ("a", "b", "c"):
        (tmp_path / f"{name}.wsd").write_text(GOOD)
    told: list = []
    result = render_paths([tmp_path], None, start=lambda n, what: told.append((n, what)),
                          advance=lambda name: told.append(Path(name).name))
    assert len(result.written) == 3
    assert told == [(3, "rendering"), "a.wsd", "b.wsd", "c.wsd"]
