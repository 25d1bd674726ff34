"""`osflow build` on a synthetic tree: files, incrementality, annotations, bad input."""

from __future__ import annotations

import textwrap

import pytest

from tracer.build import build
from tracer.errors import OsflowError
from tracer.workspace import open_workspace
from tests.test_cli_rpc import osflow
from tests.trees import TRACE, write_tree

OPS = ("dynamic", "get-console", "live-migrate", "pause", "stop", "unknown")


@pytest.fixture(scope="module")
def tree(tmp_path_factory):
    return write_tree(tmp_path_factory.mktemp("build-tree"), TRACE)


@pytest.fixture
def root(tmp_path):
    return tmp_path / "root"


@pytest.fixture
def workspace(tree, tmp_path):
    return open_workspace(str(tree), cache=tmp_path / "cache")


def annotate(root, op, text):
    path = root / "annotations" / "nova" / f"{op}.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip())
    return path


def snapshot(root):
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and "annotations" not in p.parts}


def test_every_operation_gets_a_draft_a_picture_and_an_index_row(workspace, root):
    names = [op.name for op in workspace.catalogue().operations]
    result = build(workspace, root)
    for name in names:
        assert (root / "workflows" / "nova" / f"{name}.wsd").is_file()
        assert "<svg" in (root / "output" / "nova" / f"{name}.svg").read_text()
    page = (root / "output" / "index.html").read_text()
    assert all(f'href="nova/{name}.svg"' in page for name in names)
    assert result.operations == len(names) and not result.stale


def test_the_index_page_has_a_table_per_heading(workspace, root):
    build(workspace, root)
    page = (root / "output" / "index.html").read_text()
    groups = sorted({op.group for op in workspace.catalogue().operations})
    assert groups == ["servers"]
    assert '<a href="#lifecycle-and-state">Lifecycle and state</a>' in page
    heading = page.index('<h2>Lifecycle and state <small>(')
    assert heading < page.index('href="nova/overview/pause.svg"') < \
        page.index('<h2>Moves and resizes')


def test_each_picture_shows_what_its_wsd_file_says(workspace, root):
    # pictures are drawn from the diagram, not from its text parsed back: the same picture
    from tracer.render.svg import RenderOptions, render_svg
    from tracer.wsd.parser import parse_text

    annotate(root, "live-migrate", """
        notes:
          - at: nova.compute.api.API.live_migrate
            text: the API checks the server's state first
        groups:
          - at: nova.conductor.tasks.live_migrate.LiveMigrationTask._execute
            label: the conductor's checks
        rename:
          nova_compute_src: source host
        """)
    result = build(workspace, root)
    assert not result.stale
    for wsd in sorted((root / "workflows" / "nova").glob("*.wsd")):
        svg = (root / "output" / "nova" / f"{wsd.stem}.svg").read_text()
        assert svg == render_svg(parse_text(wsd.read_text(), str(wsd)),
                                 RenderOptions(tag=workspace.source.tag)), wsd.name


def test_second_build_writes_nothing(workspace, root):
    build(workspace, root)
    before = snapshot(root)
    result = build(workspace, root)
    assert result.written == [] and result.unchanged == result.operations
    assert snapshot(root) == before


def test_draft_equals_the_trace_of_the_operation(workspace, root, tree, tmp_path):
    build(workspace, root)
    traced = osflow("trace", "pause", "-s", str(tree), cache=tmp_path / "other-cache")
    assert (root / "workflows" / "nova" / "pause.wsd").read_text() == traced.stdout


def test_note_is_drawn_at_its_anchor_and_only_that_operation_is_remade(workspace, root):
    build(workspace, root)
    annotate(root, "pause", """
        title: Pause a server
        notes:
          - at: nova.compute.api.API.pause
            text: Only an ACTIVE, unlocked server can be paused
        """)
    result = build(workspace, root)
    # the new title shows on the index page too
    assert result.written == ["workflows/nova/pause.wsd", "output/nova/pause.svg",
                              "output/nova/overview/pause.svg", "output/index.html"]
    text = (root / "workflows" / "nova" / "pause.wsd").read_text()
    assert text.startswith(f"title Pause a server (nova {workspace.source.label})\n")
    anchor = text.index("# nova/compute/api.py API.pause")
    assert text.index("note over nova_api: Only an ACTIVE, unlocked server can be paused") > \
        anchor
    assert "Only an ACTIVE" in (root / "output" / "nova" / "pause.svg").read_text()


def test_hide_group_and_rename(workspace, root):
    annotate(root, "live-migrate", """
        hide:
          - at: nova.api.openstack.common.get_instance
          - step: in a new thread
        groups:
          - at: nova.conductor.tasks.live_migrate.LiveMigrationTask._execute
            label: the conductor's checks
        rename:
          nova_compute_src: source host
        """)
    result = build(workspace, root, only=("live-migrate",))
    assert not result.stale
    text = (root / "workflows" / "nova" / "live-migrate.wsd").read_text()
    assert "Instance.get_by_uuid" not in text  # get_instance's work is hidden
    assert "in a new thread" not in text
    assert "group the conductor's checks" in text
    assert 'participant "source host" as nova_compute_src' in text


def test_stale_annotations_are_reported_with_file_and_line(workspace, root):
    annotate(root, "pause", """
        notes:
          - at: nova.compute.api.API.pause
            text: fine
          - at: nova.compute.api.API.no_such_function
            text: stale
        """)
    annotate(root, "no-such-op", "title: nothing\n")
    result = build(workspace, root)
    assert result.stale == [
        "annotations/nova/no-such-op.yaml:1: stale annotation file: no operation "
        f"'no-such-op' in {workspace.source.label}",
        "annotations/nova/pause.yaml:4: stale note at nova.compute.api.API.no_such_function: "
        "matches nothing in the flow",
    ]
    # reported again when nothing changed
    assert build(workspace, root).stale == result.stale


def test_a_yml_file_is_read_and_a_note_over_no_participant_says_so(workspace, root):
    path = annotate(root, "pause", """
        notes:
          - at: nova.compute.api.API.pause
            text: fine
            over: nobody
        """)
    path.rename(path.with_suffix(".yml"))
    result = build(workspace, root)
    assert len(result.stale) == 1
    assert result.stale[0].startswith(
        "annotations/nova/pause.yml:2: stale note over nobody: no such participant in the "
        "flow; it has client, nova_api")


def test_cli_strict_exits_1_on_stale_and_prints_a_summary(tree, root, tmp_path):
    annotate(root, "pause", "notes:\n  - at: nova.nowhere\n    text: x\n")
    plain = osflow("build", "-s", str(tree), "--root", str(root), cache=tmp_path / "c")
    assert plain.returncode == 0
    assert "warning: annotations/nova/pause.yaml:2: stale note at nova.nowhere" in plain.stderr
    assert "1 stale annotations" in plain.stdout
    strict = osflow("build", "-s", str(tree), "--root", str(root), "--strict",
                    cache=tmp_path / "c")
    assert strict.returncode == 1


@pytest.mark.parametrize("text, message", [
    ("notes: [\n", "annotations/nova/pause.yaml:2: not valid YAML"),
    ("colour: red\n", "annotations/nova/pause.yaml:1: unknown key 'colour'"),
    ("notes:\n  - at: nova.compute.api.API.pause\n",
     "annotations/nova/pause.yaml:2: a notes entry needs text"),
    ("hide:\n  - at: x\n    step: y\n",
     "annotations/nova/pause.yaml:2: a hide entry takes exactly one of"),
    ("notes: hello\n", "annotations/nova/pause.yaml:1: notes must be a list"),
])
def test_malformed_annotation_is_refused_and_nothing_changes(tree, root, tmp_path, text,
                                                             message):
    osflow("build", "-s", str(tree), "--root", str(root), cache=tmp_path / "c")
    before = snapshot(root)
    annotate(root, "pause", text)
    result = osflow("build", "-s", str(tree), "--root", str(root), cache=tmp_path / "c")
    assert result.returncode == 2
    assert result.stderr.startswith(f"error: {message}"), result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert snapshot(root) == before


def tree_without(tmp_path, action, folder=None):
    """The TRACE tree with one server action's route gone (its operation leaves the
    catalogue), in `folder` if given (the same source changed: a checkout moving on)."""
    servers = "nova/api/openstack/compute/servers.py"
    decorator = f"            @wsgi.action('{action}')\n"
    assert decorator in TRACE[servers]
    return write_tree(folder or tmp_path / f"without-{action}",
                      {**TRACE, servers: TRACE[servers].replace(decorator, "", 1)})


def built_list(root):
    return (root / "workflows" / "nova" / ".osflow-built").read_text().splitlines()


def test_the_files_a_build_writes_are_listed_in_its_root(workspace, root):
    build(workspace, root, only=("pause",))
    assert built_list(root)[-3:] == ["output/nova/overview/pause.svg", "output/nova/pause.svg",
                                     "workflows/nova/pause.wsd"]
    assert all(line.startswith("# ") for line in built_list(root)[:-3])
    build(workspace, root, only=("stop",))  # a partial build adds to the list
    assert [line for line in built_list(root) if not line.startswith("#")] == [
        "output/nova/overview/pause.svg", "output/nova/overview/stop.svg",
        "output/nova/pause.svg", "output/nova/stop.svg", "workflows/nova/pause.wsd",
        "workflows/nova/stop.wsd"]
    result = build(workspace, root)
    names = sorted(op.name for op in workspace.catalogue().operations)
    assert [line for line in built_list(root) if not line.startswith("#")] == sorted(
        [f"output/nova/{n}.svg" for n in names] + [f"workflows/nova/{n}.wsd" for n in names]
        + [f"output/nova/overview/{n}.svg" for n in names])
    assert "workflows/nova/.osflow-built" in result.written


def test_a_hand_written_diagram_survives_builds(workspace, root, tmp_path):
    mine = root / "workflows" / "nova" / "my.wsd"
    mine.parent.mkdir(parents=True)
    mine.write_text("title mine\nA->B: hello\n")
    picture = root / "output" / "nova" / "my.svg"
    picture.parent.mkdir(parents=True)
    picture.write_text("<svg>mine</svg>\n")
    build(workspace, root)
    build(open_workspace(str(tree_without(tmp_path, "pause")), cache=tmp_path / "cache"), root)
    result = build(workspace, root)
    assert mine.read_text() == "title mine\nA->B: hello\n"
    assert picture.read_text() == "<svg>mine</svg>\n"
    assert not any("my." in path for path in result.removed)
    assert "my.wsd" not in (root / "output" / "index.html").read_text()  # not the build's


def test_files_of_an_operation_gone_from_the_catalogue_are_removed(workspace, root, tmp_path):
    build(workspace, root, png=True)
    assert (root / "output" / "nova" / "pause.png").is_file()
    without = open_workspace(str(tree_without(tmp_path, "pause")), cache=tmp_path / "cache")
    assert "pause" not in {op.name for op in without.catalogue().operations}
    result = build(without, root, png=True)
    assert result.removed == ["output/nova/overview/pause.svg", "output/nova/pause.png",
                              "output/nova/pause.svg", "workflows/nova/pause.wsd"]
    assert not list(root.rglob("pause.*"))
    assert "nova/pause." not in (root / "output" / "index.html").read_text()
    assert not any("pause" in line for line in built_list(root) if not line.startswith("#"))


def test_a_killed_build_s_files_are_known_to_the_next(workspace, root, tmp_path, monkeypatch):
    # the list names what a build may write before it writes: what a killed build made
    # is still the build's to remove
    import tracer.build

    checkout = tree_without(tmp_path, "pause", tmp_path / "checkout")
    build(open_workspace(str(checkout), cache=tmp_path / "cache"), root)
    made = tracer.build._make_one

    def killed_after_pause(workspace, op, *args):
        done = made(workspace, op, *args)
        if op.name == "pause":
            raise KeyboardInterrupt
        return done

    monkeypatch.setattr(tracer.build, "_spare_cores", lambda: 0)
    monkeypatch.setattr(tracer.build, "_make_one", killed_after_pause)
    with pytest.raises(KeyboardInterrupt):
        write_tree(checkout, TRACE)  # pause is back
        build(open_workspace(str(checkout), cache=tmp_path / "cache"), root, only=("pause",))
    monkeypatch.undo()
    assert (root / "workflows" / "nova" / "pause.wsd").is_file()
    tree_without(tmp_path, "pause", checkout)  # ... and gone again
    result = build(open_workspace(str(checkout), cache=tmp_path / "cache"), root)
    assert result.removed == ["output/nova/overview/pause.svg", "output/nova/pause.svg",
                              "workflows/nova/pause.wsd"]


def test_a_root_built_before_builds_kept_a_list(workspace, root, tmp_path):
    # its files named after operations are the build's: a partial build keeps listing
    # the others on the index page, a full build removes their PNGs; other files are kept
    build(workspace, root, png=True)
    (root / "workflows" / "nova" / ".osflow-built").unlink()
    build(workspace, root, only=("pause",), png=True)
    page = (root / "output" / "index.html").read_text()
    names = sorted(op.name for op in workspace.catalogue().operations)
    assert all(f'href="nova/{name}.png"' in page for name in names)
    without = open_workspace(str(tree_without(tmp_path, "os-stop")), cache=tmp_path / "cache")
    (root / "workflows" / "nova" / ".osflow-built").unlink()
    result = build(without, root)
    assert result.removed == [f"output/nova/{n}.png" for n in names if n != "stop"]
    assert (root / "workflows" / "nova" / "stop.wsd").is_file()  # whose, nobody knows


def test_a_line_of_the_list_that_names_no_build_output_is_never_removed(workspace, root):
    build(workspace, root, only=("pause",))
    listed = root / "workflows" / "nova" / ".osflow-built"
    people = {"annotations/nova/pause.yaml": "notes: []\n", "README.md": "mine\n",
              "workflows/nova/sub/x.wsd": "A->B: x\n", "output/nova/x.txt": "x\n"}
    for name, text in people.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    outside = root.parent / "outside.wsd"
    outside.write_text("A->B: x\n")
    listed.write_text(listed.read_text() + "".join(
        f"{line}\n" for line in [*people, "../outside.wsd", "workflows/nova/../../x.wsd",
                                  "/etc/hostname", "workflows/nova/.hidden.wsd"]))
    result = build(workspace, root)
    assert all((root / name).read_text() == text for name, text in people.items())
    assert outside.is_file() and result.removed == []
    assert not any(line in built_list(root) for line in people)


def test_png_on_request(workspace, root):
    build(workspace, root, only=("pause",), png=True)
    assert (root / "output" / "nova" / "pause.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def pause_changed(folder):
    """The TRACE tree whose API.pause saves another task state (pause's diagram changes),
    written in `folder`."""
    api = "nova/compute/api.py"
    state = "instance.task_state = task_states.PAUSING"
    assert TRACE[api].count(state) == 1
    return write_tree(folder, {**TRACE, api: TRACE[api].replace(
        state, "instance.task_state = 'pausing'")})


def test_a_build_without_png_removes_the_pngs_it_no_longer_keeps_current(workspace, root,
                                                                         tmp_path):
    # a plain build draws no PNG: the PNGs of an earlier `--png` build would show the old
    # flow, so they are removed and no longer linked (a PNG is never older than its .wsd)
    pictures = root / "output" / "nova"
    checkout = write_tree(tmp_path / "checkout", TRACE)
    build(open_workspace(str(checkout), cache=tmp_path / "cache"), root, png=True)
    names = sorted(op.name for op in workspace.catalogue().operations)
    assert sorted(p.stem for p in pictures.glob("*.png")) == names
    changed = open_workspace(str(pause_changed(checkout)), cache=tmp_path / "cache")
    result = build(changed, root, only=("pause",))  # only pause's PNG is out of date
    assert result.removed == ["output/nova/pause.png"]
    page = (root / "output" / "index.html").read_text()
    assert 'href="nova/pause.png"' not in page and 'href="nova/stop.png"' in page
    assert "pausing" in (root / "workflows" / "nova" / "pause.wsd").read_text()
    result = build(changed, root)
    assert result.removed == [f"output/nova/{n}.png" for n in names if n != "pause"]
    assert not list(pictures.glob("*.png"))
    assert ".png" not in (root / "output" / "index.html").read_text()
    assert not any(line.endswith(".png") for line in built_list(root))


def test_helper_processes_make_the_same_files_as_one_process(workspace, root, tmp_path,
                                                             monkeypatch):
    import tracer.build

    monkeypatch.setattr(tracer.build, "_spare_cores", lambda: 0)
    build(workspace, root)
    alone = snapshot(root)
    monkeypatch.undo()
    monkeypatch.setattr(tracer.build.os, "cpu_count", lambda: 4)  # three helpers
    monkeypatch.setattr(tracer.build, "HELPER_MIN_JOBS", 1)
    # a tree not read before: the helpers start before the catalogue, one reads ahead
    other = open_workspace(str(workspace.source.root), cache=tmp_path / "cold-cache")
    assert tracer.build._worth_starting_early(other, ())
    seen, started = [], []
    build(other, tmp_path / "helped", progress=seen.append, started=started.append)
    assert snapshot(tmp_path / "helped") == alone
    assert sorted(seen) == sorted(op.name for op in other.catalogue().operations)
    assert started == [other.catalogue()]
    # summaries cached, another root: the helpers start once the operations are known
    again = open_workspace(str(workspace.source.root), cache=tmp_path / "cold-cache")
    assert not tracer.build._worth_starting_early(again, ())
    build(again, tmp_path / "helped-late")
    assert snapshot(tmp_path / "helped-late") == alone


def test_claims_share_out_every_operation_once_front_and_back():
    from tracer.build import _Claims

    claims = _Claims(helpers=1)
    assert claims.open(5)
    taken = [claims.take(0), claims.take(1), claims.take(1), claims.take(0), claims.take(1)]
    assert taken == [0, 4, 3, 1, 2] and claims.take(0) is None and claims.take(1) is None
    claims.finish(4)
    claims.finish(3)
    assert claims.newly_done() == [3, 4] and claims.newly_done() == []
    assert claims.first_reader() and not claims.first_reader()
    stopped = _Claims(helpers=1)
    stopped.open(3)
    stopped.take(0)
    stopped.close()  # an error or Ctrl-C in the build: helpers find nothing more to take
    assert stopped.take(1) is None and stopped.take(0) is None
    # more operations than the shared array holds: this process makes them all
    assert not _Claims(helpers=1).open(_Claims.CAPACITY + 1)
    alone = _Claims(helpers=0)
    assert alone.open(_Claims.CAPACITY + 1) and alone.take(0) == 0

def test_a_build_record_that_is_no_file_is_left_alone_and_not_waited_on(workspace, root):
    import os
    import signal
    import stat

    from tracer.build import _Layout, _manifest_path

    record = _manifest_path(workspace, _Layout(root))
    record.parent.mkdir(parents=True)
    os.mkfifo(record)  # reading it would wait for a writer forever

    class Waited(Exception):  # not an OSError, which the build would take for a bad record
        pass

    def give_up(*_):
        raise Waited("the build waited on the named pipe")

    previous = signal.signal(signal.SIGALRM, give_up)
    signal.alarm(20)
    try:
        result = build(workspace, root, only=("pause",))
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    assert result.written and stat.S_ISFIFO(os.lstat(record).st_mode)


def test_an_op_build_from_another_source_is_refused_and_changes_nothing(workspace, root,
                                                                       tmp_path):
    """One build root, one source: `--op X` from another release would leave an index page
    that mixes releases without saying so."""
    build(workspace, root)
    assert f"# source: {workspace.source.label}" in built_list(root)
    before = snapshot(root)
    other = open_workspace(str(tree_without(tmp_path, "os-stop")), cache=tmp_path / "cache")
    with pytest.raises(OsflowError) as err:
        build(other, root, only=("pause",))
    assert str(err.value) == (
        f"{root}: its diagrams were built from nova {workspace.source.label}; building pause "
        f"from nova {other.source.label} would mix releases on one page; build every "
        "operation (no --op) to replace them, or give another --root")
    assert snapshot(root) == before
    build(other, root)  # a full build replaces them all
    assert f"# source: {other.source.label}" in built_list(root)
    build(other, root, only=("pause",))  # ... and then --op from it is fine


def test_a_new_root_without_annotations_is_said_once(tree, root, tmp_path):
    """`build --root typo` makes a new root: the first build says so, later ones do not."""
    first = osflow("build", "-s", str(tree), "--root", str(root), "--op", "pause",
                   cache=tmp_path / "c")
    assert first.returncode == 0 and first.stderr == (
        f"note: {root} has no annotations/nova/ and was never built: its diagrams are drafts "
        "(is --root right? notes people add go in annotations/nova/<op>.yaml)\n")
    again = osflow("build", "-s", str(tree), "--root", str(root), cache=tmp_path / "c")
    assert again.returncode == 0 and again.stderr == ""
    annotated = tmp_path / "annotated"
    annotate(annotated, "pause", "notes:\n  - at: nova.compute.api.API.pause\n    text: x\n")
    quiet = osflow("build", "-s", str(tree), "--root", str(annotated), cache=tmp_path / "c")
    assert quiet.returncode == 0 and "note:" not in quiet.stderr


def test_the_summary_counts_files_written_and_operations_unchanged(tree, root, tmp_path):
    """`build --png` twice: nothing written the second time, every operation unchanged;
    a plain build then removes the PNGs and writes only the index and the list."""
    def summary(*extra):
        result = osflow("build", "-s", str(tree), "--root", str(root), *extra,
                        cache=tmp_path / "c")
        assert result.returncode == 0, result.stderr
        return result.stdout.splitlines()[-1].split(": ", 1)[1]

    summary("--png")
    assert summary("--png") == f"0 files written, {len(OPS)} operations unchanged"
    assert summary() == f"2 files written, {len(OPS)} operations unchanged, {len(OPS)} removed"


def test_a_root_holds_nova_and_cinder_side_by_side(workspace, root, tmp_path):
    """`build -s <cinder tree>` in a root built from Nova: Cinder's diagrams go to
    workflows/cinder/ and output/cinder/ with their own list; Nova's stay as they were;
    the index page has a heading per project, each with its release."""
    from tests.trees import CINDER, CINDER_API

    build(workspace, root)
    nova = snapshot(root)
    cinder_tree = write_tree(tmp_path / "cinder-tree", {**CINDER, **CINDER_API})
    cinder = open_workspace(str(cinder_tree), cache=tmp_path / "cache")
    result = build(cinder, root)
    assert (root / "workflows" / "cinder" / "create.wsd").is_file()
    assert "<svg" in (root / "output" / "cinder" / "create.svg").read_text()
    assert (root / "output" / "cinder" / "overview" / "create.svg").is_file()
    listed = (root / "workflows" / "cinder" / ".osflow-built").read_text()
    assert "workflows/cinder/create.wsd" in listed and "nova/" not in listed
    after = snapshot(root)
    assert {k: v for k, v in after.items() if k != "output/index.html" and "cinder" not in k} \
        == {k: v for k, v in nova.items() if k != "output/index.html"}
    page = (root / "output" / "index.html").read_text()
    assert '<div class="project" id="nova">' in page
    assert '<div class="project" id="cinder">' in page
    assert 'href="cinder/overview/create.svg"' in page and 'href="nova/pause.svg"' in page
    assert "cast" in page.split('id="cinder"')[1]  # its backbone: API -> scheduler (cast)
    assert result.operations == len(cinder.catalogue().operations)
    # built again from Nova: Cinder's diagrams stay on the page
    build(workspace, root)
    assert (root / "output" / "index.html").read_text() == page


def test_arrows_to_a_project_built_beside_link_to_its_operations_without_their_guards():
    from tracer.build import _linked
    from tracer.wsd.parser import parse_text

    diagram = parse_text("a->cinder: [attachment_id] attachment_update\n"
                         "a->cinder: *[for mv in versions] get\na->cinder: frobnicate\n"
                         "a->glance: get\n")
    links = {"cinder": {"attachment_update": "cinder/attachment-update.svg",
                        "get": "cinder/show.svg"}}
    assert [m.link for m in _linked(diagram, links).items] == [
        "cinder/attachment-update.svg", "cinder/show.svg", None, None]
