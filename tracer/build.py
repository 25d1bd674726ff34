"""The make: trace the catalogue, merge annotations, write `workflows/` and `output/`.

    root/annotations/nova/<op>.yaml   read (people's notes; see annotate.py)
    root/workflows/nova/<op>.wsd      written: the draft with annotations merged
    root/output/nova/<op>.svg (.png)  written: rendered from that .wsd
    root/output/index.html            written: every diagram, its release and links
    root/workflows/nova/.osflow-built written: the files above that builds wrote, and the
                                      source they were built from (an --op build from
                                      another source is refused: one root, one release)

Files in workflows/nova/ and output/nova/ that no build wrote (hand-written diagrams and
their pictures) are people's: a build neither replaces nor removes them. A full build
removes the listed files it no longer makes (an operation gone from the catalogue, the
PNGs of a build without --png); the list is written before anything is made, so what a
killed build made is known to the next.

Every annotation file is read and checked before anything is written, so a malformed one
changes nothing. Files are written whole (temporary file, then rename) and only when their
bytes change. A build remembers, in the cache, what each operation's files were made from
(tree, osflow's code, options, annotation); an operation whose inputs did not change is
neither traced nor rendered again.

One build at a time per root: a build holds an flock on the root folder, so concurrent
builds leave what one of them alone would have, and a build clears the temporary files a
killed one left behind.
"""

from __future__ import annotations

import contextlib
import hashlib
import html
import json
import os
from concurrent.futures import wait
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

from typing import TYPE_CHECKING

from tracer.catalogue import Catalogue, Operation, find_operation
from tracer.errors import OsflowError
from tracer.files import (FileRefused, check_target, is_regular, is_safe_file_stem, locked,
                          read_regular_file, remove_leftovers, write_atomic)
from tracer.index.cache import code_version, remove_stale_temporaries
from tracer.runtime import helper_pool, process_context

if TYPE_CHECKING:  # imported where used: a build with nothing to do stays quick
    from concurrent.futures import ProcessPoolExecutor
    from tracer import annotate
    from tracer.model import Flow
    from tracer.wsd.model import Diagram
    from tracer.trace import Options, Shared
    from tracer.workspace import Workspace

# The files builds wrote in a root, one per line (root-relative, sorted), in the folder
# of the diagrams: committed with them, so a clone knows which files are the build's.
BUILT_LIST = ".osflow-built"
# In a root holding builds of more than one project, what each project's index-page rows
# say (the build record's `op` and `page` of each built operation), committed beside the
# list: another project's build lists them without opening this project's source.
ROOT_RECORD = ".osflow-record.json"
# The folder of output/<project>/ holding each operation's overview picture: every arrow
# that crosses a process, without the in-process notes (the index page's first link).
OVERVIEW = "overview"


@dataclass
class BuildResult:
    label: str
    operations: int = 0
    written: list[str] = field(default_factory=list)  # paths relative to the root
    unchanged: int = 0  # operations whose files were already current
    removed: list[str] = field(default_factory=list)  # listed by builds, not made now
    stale: list[str] = field(default_factory=list)  # annotation lines matching nothing
    # modules that could not be parsed, and pictures drawn too small to read
    gaps: list[str] = field(default_factory=list)
    # files of the root not read (a listed diagram that is no UTF-8, a list too large)
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # said once: a new root, ...


@dataclass(frozen=True)
class _Layout:
    """Where one project's build goes in a root: workflows/<project>/, output/<project>/,
    annotations/<project>/ (one root may hold one release of each project)."""

    root: Path
    project: str = "nova"
    # participant -> ((its client's method, the other project's picture), ...): the
    # builds of other projects this root holds, found once per build (_cross_links)
    links: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = ()

    @property
    def annotations(self) -> Path:
        return self.root / "annotations" / self.project

    def wsd(self, op: str) -> Path:
        return self.root / "workflows" / self.project / f"{op}.wsd"

    def picture(self, op: str, fmt: str) -> Path:
        return self.root / "output" / self.project / f"{op}.{fmt}"

    def overview(self, op: str) -> Path:
        return self.root / "output" / self.project / OVERVIEW / f"{op}.svg"

    def outputs(self, op: str, formats: tuple[str, ...]) -> list[Path]:
        """The files a build writes for one operation: its draft, its pictures, and the
        picture of its overview."""
        return [self.wsd(op)] + [self.picture(op, fmt) for fmt in formats] + \
            [self.overview(op)]

    @property
    def index(self) -> Path:
        return self.root / "output" / "index.html"

    @property
    def built_list(self) -> Path:
        return self.root / "workflows" / self.project / BUILT_LIST

    @property
    def root_record(self) -> Path:
        return self.root / "workflows" / self.project / ROOT_RECORD

    def relative(self, path: Path) -> str:
        return path.relative_to(self.root).as_posix()

    @property
    def folders(self) -> tuple[Path, ...]:
        """Every folder a build writes to."""
        return (self.root / "workflows" / self.project, self.root / "output" / self.project,
                self.root / "output" / self.project / OVERVIEW, self.root / "output")


def build(workspace: Workspace, root: Path, only: tuple[str, ...] = (), png: bool = False,
          options: Options | None = None,
          progress: Callable[[str], None] | None = None,
          started: Callable[[Catalogue], None] | None = None) -> BuildResult:
    """Build the diagrams of `workspace` under `root`. `progress` is told each operation
    as it is done; `started` gets the catalogue once it is known (helpers may be at work
    before: on a new tree they start reading at once)."""
    from tracer.trace import Options

    layout = _Layout(Path(root), workspace.source.project)
    layout.root.mkdir(parents=True, exist_ok=True)
    with locked(layout.root, waiting=f"osflow: another osflow build is writing {layout.root}; "
                                    "waiting for it to finish"):
        for folder in layout.folders:
            remove_leftovers(folder)
        if workspace.index.cache is not None:
            remove_stale_temporaries(workspace.index.cache.root)
        return _build(workspace, layout, only, png, options or Options(), progress, started)


def _build(workspace: Workspace, layout: _Layout, only: tuple[str, ...], png: bool,
           options: Options, progress: Callable[[str], None] | None,
           started: Callable[[Catalogue], None] | None) -> BuildResult:
    loaded = _load_annotations(layout)
    with _Makers(workspace, early=_worth_starting_early(workspace, only)) as makers:
        catalogue = workspace.catalogue()
        if started:
            started(catalogue)
        operations = [find_operation(catalogue, name) for name in only] if only \
            else list(catalogue.operations)
        annotations, result = _match_annotations(loaded, catalogue, workspace.source.label)
        manifest_path = _manifest_path(workspace, layout)
        manifest = _read_manifest(manifest_path)
        formats = ("svg", "png") if png else ("svg",)
        # before anything is made: a node osflow must not replace, or a file where a
        # folder should be, is refused here rather than half-way through
        planned = [p for op in operations for p in layout.outputs(op.name, formats)]
        for path in [layout.index, layout.built_list, layout.root_record] + planned:
            check_target(path, elsewhere="build into another --root")
        built, listed = _read_built(layout, result.warnings)
        if not os.path.lexists(layout.built_list) and not layout.annotations.is_dir():
            # said once, when a root is first built: `--root typo` makes a new root
            result.notes.append(
                f"{layout.root} has no annotations/{layout.project}/ and was never built: "
                f"its diagrams are drafts (is --root right? notes people add go in "
                f"annotations/{layout.project}/<op>.yaml)")
        if listed is None:  # built before builds kept a list: adopt what bears their names
            built = {layout.relative(p) for op in catalogue.operations
                     for p in layout.outputs(op.name, ("svg", "png")) if is_regular(p)}
        _check_one_source(layout, listed, built, workspace.source.label, only)
        making = {layout.relative(p) for p in planned}
        # listed before written: a killed build's too
        _write_built(layout, built | making, workspace.source.label)
        layout = replace(layout, links=_cross_links(workspace, layout))
        base = _base_digest(workspace, options, formats, layout.links)
        todo = []
        for op in operations:
            result.operations += 1
            notes = annotations.get(op.name)
            digest = _digest(base, op, notes)
            entry = manifest.get(op.name, {})
            if entry.get("digest") == digest and \
                    all(is_regular(p) for p in layout.outputs(op.name, formats)):
                result.unchanged += 1
                result.stale += entry.get("stale", [])
                result.gaps += entry.get("gaps", [])
                if progress:
                    progress(op.name)
                continue
            todo.append((op, notes, digest))
        todo = _largest_at_the_ends(workspace, todo)
        written: dict[str, list[str]] = {}
        stale_of: dict[str, list[str]] = {}
        for i, (made, stale, gaps, page) in makers.make(todo, options, formats, layout,
                                                        progress):
            op, notes, digest = todo[i]
            written[op.name], stale_of[op.name] = made, stale
            result.unchanged += not made
            result.gaps += gaps
            manifest[op.name] = {"digest": digest, "stale": stale, "gaps": gaps,
                                 "page": page, "op": _row_facts(op)}
    # in catalogue order, whichever process made what when
    result.written = [path for op in operations for path in written.get(op.name, [])]
    result.stale += [line for op in operations for line in stale_of.get(op.name, [])]
    # listed files of the operations built (all of them, for a full build) that this build
    # did not make: an operation gone from the catalogue, a picture format not asked for
    names = {op.name for op in operations}
    doomed = sorted(path for path in built - making
                    if not only or _operation_of(path, layout.project) in names)
    result.removed = _remove(layout, doomed)
    built = {path for path in (built - set(doomed)) | making if is_regular(layout.root / path)}
    if write_atomic(layout.index, _index_page(layout, workspace, built, result.warnings,
                                              catalogue, manifest)):
        result.written.append(layout.relative(layout.index))
    _write_built(layout, built, workspace.source.label)
    if listed != _list_text(built, workspace.source.label, layout.project):
        result.written.append(layout.relative(layout.built_list))
    if _write_root_record(layout, built, manifest):
        result.written.append(layout.relative(layout.root_record))
    _write_manifest(manifest_path, manifest)
    result.gaps = sorted(set(result.gaps))
    return result


# ----------------------------------------------------------------------------- making


# files written (relative to the root), stale annotations, modules that could not be parsed
# and pictures drawn too small to read, and what the index page says of it (atlas.Facts)
_Made = tuple[list[str], list[str], list[str], dict]


def _make_one(workspace: Workspace, op: Operation, notes: annotate.Annotations | None,
              options: Options, shared: Shared, formats: tuple[str, ...],
              layout: _Layout) -> _Made:
    """Trace, render and write one operation (by whichever process made it: files are
    written whole, and only this operation's)."""
    from tracer.wsd.writer import to_wsd

    from tracer.diagram import flow_to_diagram
    from tracer.render.svg import RenderOptions, render_svg
    from tracer.trace import overview

    flow, stale, gaps = _draft(workspace, op, notes, options, shared)
    links = {participant: dict(table) for participant, table in layout.links}
    diagram = _linked(flow_to_diagram(flow), links)
    paths = layout.outputs(op.name, formats)
    pictures, small = _render(diagram, workspace.source.tag, formats,
                              [layout.relative(path) for path in paths[1:-1]])
    summary = render_svg(_linked(flow_to_diagram(overview(flow)), links),
                         RenderOptions(tag=workspace.source.tag, output_prefix="../../"))
    data = [to_wsd(diagram).encode("utf-8")] + pictures + [summary.encode("utf-8")]
    written = [str(path.relative_to(layout.root))
               for path, made in zip(paths, data) if write_atomic(path, made)]
    from tracer.atlas import facts_of

    return written, stale, gaps + small, facts_of(diagram, layout.project).to_json()


def _cross_links(workspace: Workspace, layout: _Layout) -> tuple:
    """For each participant, its client's methods and the pictures (relative to output/)
    of the other project's operations they request, for each project this root holds a
    build of (Profile.calls_into: Nova's `cinder` arrows open Cinder's diagrams)."""
    links = []
    for participant, (project, table) in sorted(workspace.source.profile.calls_into.items()):
        other = _Layout(layout.root, project)
        found = tuple((method, f"{project}/{op}.svg") for method, op in sorted(table.items())
                      if is_regular(other.picture(op, "svg")))
        if found:
            links.append((participant, found))
    return tuple(links)


def _linked(diagram: "Diagram", links: dict[str, dict[str, str]]) -> "Diagram":
    """The diagram with each arrow to another built project linked to its diagram (the
    label's guards, `[cond] attachment_update`, are not part of the method's name)."""
    from tracer.wsd.model import ITEM, Message, events

    for kind, item, _ in events(diagram.items) if links else ():
        if kind == ITEM and type(item) is Message and item.target in links:
            method = item.text.rsplit("] ", 1)[-1] if item.text.startswith(("[", "*[")) \
                else item.text
            item.link = links[item.target].get(method)
    return diagram


def _largest_at_the_ends(workspace: Workspace, todo: list) -> list:
    """`todo` ordered for two makers working inwards from either end: likely the longest
    first, the shortest where they meet, so that neither waits long for the other's last
    one. Likely cost: the length of the REST handler (a rough guide: `boot`'s is 200 lines,
    `pause`'s 10)."""
    from tracer.index import FunctionRef

    def cost(job) -> int:
        ref = workspace.index.resolve_dotted(job[0].handler)
        return ref.function.end_line - ref.function.line if isinstance(ref, FunctionRef) \
            else 0

    ranked = sorted(todo, key=lambda job: (-cost(job), job[0].name))
    return ranked[0::2] + ranked[1::2][::-1]


class _Makers:
    """This process and its helpers, which trace and render operations side by side.

    A cold build is CPU work (parse, trace, render) on a handful of cores: one helper
    process per spare core takes operations from the back of the list while this one
    takes them from the front, so neither waits on the other. Each operation's result
    depends only on the tree, never on which process made it or what it made before.

    On a tree not read before (`early`), the helpers start at once: the first reads ahead
    the modules nearly every trace enters while this process builds the catalogue and
    the RPC model, so no core waits for the list of operations."""

    def __init__(self, workspace: Workspace, early: bool) -> None:
        self.workspace = workspace
        self.early = early
        self.claims: _Claims | None = None
        self.pool: ProcessPoolExecutor | None = None
        self.helpers = 0

    def __enter__(self) -> "_Makers":
        if self.early:
            self._start(_spare_cores(), read_ahead=True)
            # the other cores are busy reading ahead: a pool for the catalogue would
            # only compete with them
            self.workspace.index.workers = 1
        return self

    def __exit__(self, *exc) -> None:
        self.workspace.index.workers = None
        if self.pool is not None:
            if exc[0] is not None:
                self.claims.close()  # an error or Ctrl-C: helpers stop after their operation
            self.pool.shutdown(wait=True, cancel_futures=True)

    def _start(self, helpers: int, read_ahead: bool) -> None:
        self.helpers = helpers
        # A forked helper shares what this process imported; importing the tracer and
        # the renderer here, once, spares each helper doing it (0.15 s) again.
        import tracer.diagram, tracer.render.svg, tracer.trace  # noqa: E401, F401
        import tracer.wsd.writer  # noqa: F401
        self.claims = _Claims(helpers)
        self.pool = helper_pool(
            helpers, _helper_start,
            (self.claims, self.workspace.source, self.workspace.index.cache.root,
             read_ahead), context=_HELPERS)
        # A pool starts its processes with its first task. The reading ahead is done by
        # the initializer: a task would wait for this process's queue threads, which
        # wait for the GIL while the catalogue is parsed (0.3 s measured).
        self.pool.submit(_started)

    def make(self, todo: list, options: Options, formats: tuple[str, ...], layout: _Layout,
             progress: Callable[[str], None] | None) -> Iterator[tuple[int, _Made]]:
        """Every operation of `todo` made: (its index in `todo`, what was made), this
        process's as each is made (so its files are written at once), then the helpers'."""
        from tracer.trace import Shared

        jobs = [(op, notes) for op, notes, _ in todo]
        if self.pool is None and len(jobs) >= HELPER_MIN_JOBS and self._can_help():
            self._start(_spare_cores(), read_ahead=False)
        running = []
        if self.pool is not None and self.claims.open(len(jobs)):
            running = [self.pool.submit(_helper, jobs, options, formats, layout)
                       for _ in range(self.helpers)]
        else:
            self.claims = _Claims(0)
            self.claims.open(len(jobs))
        shared = Shared(self.workspace.index)
        while (i := self.claims.take(0)) is not None:
            op, notes = jobs[i]
            yield i, _make_one(self.workspace, op, notes, options, shared, formats, layout)
            _report(progress, self.claims, jobs, i)
        for future in running:
            while not future.done():
                _report(progress, self.claims, jobs, None)
                wait([future], timeout=0.1)
            yield from sorted(future.result().items())
        _report(progress, self.claims, jobs, None)

    def _can_help(self) -> bool:
        # without a shared cache a helper would redo everything
        return self.workspace.index.cache is not None and self.workspace.results is not None \
            and _spare_cores() > 0


def _draft(workspace: Workspace, op: Operation, notes: annotate.Annotations | None,
           options: Options, shared: Shared) -> tuple[Flow, list[str], list[str]]:
    """The flow of one operation with its annotations, the stale ones, and the modules
    left out because they could not be parsed."""
    flow = workspace.flow(op.name, options, shared)
    stale: list[str] = []
    if notes is not None:
        from tracer import annotate

        flow, found = annotate.apply(flow, notes)
        stale = [str(s) for s in found]
    return flow, stale, list(flow.gaps)


def _render(diagram: Diagram, tag: str | None, formats: tuple[str, ...],
            names: list[str]) -> tuple[list[bytes], list[str]]:
    """Pictures of a diagram, to be written as `names`, and a warning for each drawn too
    small to read. Drawn from the diagram itself rather than from its .wsd text parsed
    back (a tenth of rendering): the two are the same picture, which the writer's and
    parser's round-trip tests and the build's own test (each picture equals a render of
    the written .wsd) check."""
    from tracer.render.png import png_and_warning
    from tracer.render.svg import RenderOptions, render_svg

    svg = render_svg(diagram, RenderOptions(tag=tag, output_prefix="../"))
    pictures, warnings = [], []
    for fmt, name in zip(formats, names):
        if fmt == "svg":
            pictures.append(svg.encode("utf-8"))
            continue
        try:
            data, warning = png_and_warning(svg)
        except OsflowError as exc:  # over the PNG budget: say which picture
            raise OsflowError(f"{name}: {exc}") from None
        pictures.append(data)
        warnings += [f"{name}: {warning}"] if warning else []
    return pictures, warnings


def _report(progress, claims: "_Claims", jobs: list, own: int | None) -> None:
    """Advance the progress bar for this process's operation and the helpers' done ones."""
    if progress is None:
        return
    for i in ([own] if own is not None else []) + claims.newly_done():
        progress(jobs[i][0].name)


# Forked where that is safe (Linux): a helper starts at once, with osflow imported and the
# tree opened; spawning costs each helper about 0.2 s of start-up. The progress bar's
# thread only ever runs in this process.
_HELPERS = process_context()

# The modules nearly every trace enters. A helper parses them and what they import while
# this process builds the catalogue and the RPC model, so that the traces that follow
# find them summarised. The managers come last: the RPC model reads them here meanwhile,
# and by then the helper finds them in the cache rather than parsing them a second time.
_CORE_MODULES = (("nova/compute/api.py", "nova/virt/libvirt/driver.py"),
                 ("nova/conductor/manager.py", "nova/compute/manager.py"))

# Fewer operations than this are made in this process: a helper would cost more than it saves.
HELPER_MIN_JOBS = 8


def _spare_cores() -> int:
    return min((os.cpu_count() or 1) - 1, 3)


def _worth_starting_early(workspace: Workspace, only: tuple[str, ...]) -> bool:
    """Whether helpers should start before the catalogue is known: on a tree whose core
    modules are not summarised yet (so there is reading ahead to do), for a whole build or
    enough named operations."""
    index = workspace.index
    if index.cache is None or workspace.results is None or _spare_cores() < 1 or \
            (only and len(only) < HELPER_MIN_JOBS):
        return False
    return any(not index.cache.has(index.content_key(rel))
               for group in _core_modules(index) for rel in group
               if (index.root / rel).is_file())


def _core_modules(index) -> tuple[tuple[str, ...], ...]:
    """The project's core modules (Tracing.core_modules), else Nova's."""
    from tracer.trace import tracing_of

    return tracing_of(index).core_modules or _CORE_MODULES


# A helper process's view of the tree, made when it starts and kept between its tasks.
_HELPER_WORKSPACE: Workspace | None = None


def _helper_start(claims: "_Claims", source, cache_root: Path, read_ahead: bool) -> None:
    """A helper process starts: open the tree; the first helper reads ahead if asked."""
    import gc

    from tracer.index import Index, cache
    from tracer.index.cache import ResultCache, SummaryCache
    from tracer.workspace import Workspace

    global _HELPER_WORKSPACE
    _Claims.adopted = claims
    gc.set_threshold(100_000, 50, 1000)  # as the command line does: a short-lived process
    cache.FREEZE_KEPT = True
    _HELPER_WORKSPACE = Workspace(source, Index(source.root, SummaryCache(cache_root),
                                                package=source.project),
                                  ResultCache(cache_root))
    if read_ahead and claims.first_reader():
        try:
            _read_ahead(_HELPER_WORKSPACE.index)
        except KeyboardInterrupt:
            # Ctrl-C reaches the whole process group: the build process reports it and
            # shuts the pool down; an initializer's traceback would only clutter that
            pass


def _started() -> None:
    """The task that starts a pool's processes (their initializer does the work)."""


def _helper(jobs: list, options: Options, formats: tuple[str, ...],
            layout: _Layout) -> dict[int, _Made]:
    """A helper process: make operations from the back of the list."""
    from tracer.trace import Shared

    workspace = _HELPER_WORKSPACE
    shared = Shared(workspace.index)
    made: dict[int, _Made] = {}
    while (i := _Claims.adopted.take(1)) is not None:
        op, notes = jobs[i]
        made[i] = _make_one(workspace, op, notes, options, shared, formats, layout)
        _Claims.adopted.finish(i)
    return made


def _read_ahead(index) -> None:
    """Summarise the core modules and the modules they import, a group at a time, largest
    first; what another process has summarised already is skipped."""
    done: set[str] = set()
    for group in _core_modules(index):
        core = [rel for rel in group if (index.root / rel).is_file()]
        imported = set()
        for rel in core:
            module = index.module_at(rel)
            for imp in module.imports.values() if module else ():
                path = index.path_of(imp.target) or \
                    index.path_of(imp.target.rpartition(".")[0])
                if path and path not in core and path not in done:
                    imported.add(path)
        for rel in sorted(imported, key=lambda r: (-len(index.source(r)), r)):
            if not index.cache.has(index.content_key(rel)):
                index.module_at(rel)
        done |= imported | set(core)


class _Claims:
    """Which process makes which operation: a shared array of states, opened once the
    operations are known (helpers may start before). This process takes from the front,
    helpers from the back."""

    FREE, DONE, REPORTED, TAKEN = -1, -2, -3, -4
    # The array is made before the helpers start, so before the catalogue is known: a
    # catalogue larger than this is made by this process alone.
    CAPACITY = 4096
    adopted: "_Claims"  # in a helper process: the parent's claims

    def __init__(self, helpers: int) -> None:
        self.shared = bool(helpers)
        self.states = _HELPERS.Array("b", self.CAPACITY) if helpers else []
        self.size = _HELPERS.Value("i", 0, lock=False) if helpers else None
        self.readers = _HELPERS.Value("i", 0, lock=False) if helpers else None
        self.lock = self.states.get_lock() if helpers else contextlib.nullcontext()

    def first_reader(self) -> bool:
        """True for the first helper to ask: one helper reads ahead, the others would
        only parse the same modules at the same time."""
        with self.lock:
            self.readers.value += 1
            return self.readers.value == 1

    def open(self, size: int) -> bool:
        """Make `size` operations claimable; False if too many to share with helpers."""
        if not self.shared:
            self.states = [self.FREE] * size
            return True
        if size > self.CAPACITY:
            return False
        with self.lock:
            self.states[:size] = [self.FREE] * size
            self.size.value = size
        return True

    def _size(self) -> int:
        return self.size.value if self.shared else len(self.states)

    def take(self, slot: int) -> int | None:
        """Claim the next free operation: from the front for this process (slot 0), from
        the back for a helper."""
        with self.lock:
            size = self._size()
            for i in range(size) if slot == 0 else range(size - 1, -1, -1):
                if self.states[i] == self.FREE:
                    self.states[i] = self.TAKEN
                    return i
        return None

    def close(self) -> None:
        """Nothing more to take: what is still free is marked taken."""
        with self.lock:
            for i in range(self._size()):
                if self.states[i] == self.FREE:
                    self.states[i] = self.TAKEN

    def finish(self, i: int) -> None:
        with self.lock:
            self.states[i] = self.DONE

    def newly_done(self) -> list[int]:
        """Operations helpers finished since the last call."""
        with self.lock:
            done = [i for i in range(self._size()) if self.states[i] == self.DONE]
            for i in done:
                self.states[i] = self.REPORTED
        return done


# ----------------------------------------------------------------------------- annotations


def _load_annotations(layout: _Layout) -> list:
    """Every annotation file, read and checked (before anything starts or is written):
    (file as shown to the user, its annotations)."""
    if not layout.annotations.is_dir():
        return []
    from tracer import annotate  # and yaml: only when there are annotations

    loaded = []
    # both spellings of YAML's extension; one operation's two files are refused below
    for path in sorted([*layout.annotations.glob("*.yaml"), *layout.annotations.glob("*.yml")]):
        shown = str(path.relative_to(layout.root))
        loaded.append((path, shown, annotate.load(path, shown)))  # raises when malformed
    return loaded


def _match_annotations(loaded: list, catalogue, label: str):
    """The annotations of each operation; files naming no operation are stale."""
    result = BuildResult(label)
    found: dict = {}
    for path, shown, notes in loaded:
        try:
            op = find_operation(catalogue, path.stem)
        except OsflowError:
            result.stale.append(f"{shown}:1: stale annotation file: no operation "
                                f"{path.stem!r} in {label}")
            continue
        if op.name in found:
            raise OsflowError(f"{shown}: annotates {op.name} again "
                              f"(also {found[op.name].path}); keep one file per operation")
        found[op.name] = notes
    return found, result


# ----------------------------------------------------------------------------- incremental


def _base_digest(workspace: Workspace, options: Options, formats: tuple[str, ...],
                 links: tuple) -> str:
    digest = hashlib.sha256()
    for part in (code_version(), workspace.index.fingerprint(), workspace.source.label,
                 str(workspace.source.tag), repr(options), ",".join(formats),
                 repr(links)):
        digest.update(part.encode() + b"\0")
    return digest.hexdigest()


def _digest(base: str, op: Operation, notes: annotate.Annotations | None) -> str:
    digest = hashlib.sha256(base.encode())
    digest.update(repr(op).encode())
    digest.update(repr(notes).encode())
    return digest.hexdigest()


def _manifest_path(workspace: Workspace, layout: _Layout) -> Path | None:
    if workspace.results is None:
        return None
    # one record per root and project (two projects share operation names: create)
    where = f"{layout.root.resolve()}\0{layout.project}"
    key = hashlib.sha256(where.encode()).hexdigest()[:32]
    return workspace.results.dir / "builds" / f"{key}.json"


# A build record: a digest and a few notes an operation, ~10 KB for Nova's 87.
MAX_RECORD_BYTES = 16 * 1024 * 1024


def _read_manifest(path: Path | None) -> dict:
    try:  # a named pipe there is not waited on (FileRefused)
        data = json.loads(read_regular_file(path, MAX_RECORD_BYTES)) if path else {}
    except (OSError, ValueError):
        return {}  # missing or damaged: everything is made again
    return data if isinstance(data, dict) else {}


def _write_manifest(path: Path | None, manifest: dict) -> None:
    if path is None:
        return
    try:
        write_atomic(path, json.dumps(manifest, sort_keys=True).encode())
    except OSError:
        pass  # a read-only cache only costs speed


# ----------------------------------------------------------------------------- built files


def _operation_of(path: str, project: str = "nova") -> str | None:
    """The operation whose build output `path` (root-relative) is, or None if it is no
    build output: a file of the build's own folders (of `project`), named after a
    possible operation."""
    folder, _, name = path.rpartition("/")
    stem, _, suffix = name.rpartition(".")
    kinds = {f"workflows/{project}": ("wsd",), f"output/{project}": ("svg", "png"),
             f"output/{project}/{OVERVIEW}": ("svg",)}
    return stem if suffix in kinds.get(folder, ()) and is_safe_file_stem(stem) else None


# The list of built files: a line a file, 2 KiB for Nova's 87 operations.
MAX_BUILT_LIST_BYTES = 1024 * 1024


def _read_built(layout: _Layout, warnings: list[str]) -> tuple[set[str], str | None]:
    """The files earlier builds wrote (only names a build could write: a line naming
    anything else, `../x` or an annotation, is ignored), and the list's text (None when
    there is no list). A list too large to be one is read as none (said in `warnings`)."""
    if not is_regular(layout.built_list):
        return set(), None  # a root never built, or built before builds kept a list
    try:
        data = read_regular_file(layout.built_list, MAX_BUILT_LIST_BYTES)
    except FileRefused as exc:
        warnings.append(f"{layout.relative(layout.built_list)}: {exc.reason} on the list of "
                        "built files, so not read: a build's files of operations gone from "
                        "the catalogue stay until removed by hand")
        return set(), None
    except OSError:
        return set(), None
    text = _newlines(data.decode("utf-8", errors="replace"))
    return {line for line in text.splitlines() if _operation_of(line, layout.project)}, text


_SOURCE_LINE = "# source: "


def _list_text(built: set[str], source: str, project: str = "nova") -> str:
    return (f"# Written by osflow build: the files in workflows/{project}/ and "
            f"output/{project}/ it made.\n# A build replaces or removes only these; "
            f"commit this list with them.\n{_SOURCE_LINE}{source}\n"
            + "".join(f"{p}\n" for p in sorted(built)))


def _built_source(listed: str | None) -> str | None:
    """The source the listed files were built from (None: a list older than this line)."""
    for line in (listed or "").splitlines():
        if line.startswith(_SOURCE_LINE):
            return line[len(_SOURCE_LINE):]
    return None


def _check_one_source(layout: _Layout, listed: str | None, built: set[str], source: str,
                      only: tuple[str, ...]) -> None:
    """A build of some operations (`--op`) adds to what is there: from another source, it
    would leave a page that mixes releases without saying so."""
    earlier = _built_source(listed)
    if only and built and earlier is not None and earlier != source:
        raise OsflowError(
            f"{layout.root}: its diagrams were built from {layout.project} {earlier}; "
            f"building {', '.join(only)} from {layout.project} {source} would mix releases "
            "on one page; build "
            "every operation (no --op) to replace them, or give another --root")


def _other_projects(layout: _Layout) -> list[str]:
    """The other projects this root holds a build of (each has its list of built files)."""
    from tracer.profiles import PROFILES

    return [project for project in PROFILES if project != layout.project
            and is_regular(_Layout(layout.root, project).built_list)]


def _read_root_record(layout: _Layout) -> dict:
    """A project's committed record (ROOT_RECORD): operation -> {"op", "page"}; {} when
    there is none or it cannot be read (the rows are then found as before)."""
    if not is_regular(layout.root_record):
        return {}
    record = _read_manifest(layout.root_record)
    return {name: entry for name, entry in record.items()
            if isinstance(entry, dict) and isinstance(entry.get("op"), dict)}


def _write_root_record(layout: _Layout, built: set[str], manifest: dict) -> bool:
    """Keep the committed record of the built operations, where the root holds another
    project's build too (or a record already): True when it was written. An operation
    this build's record lacks (a build of some operations on a new cache) keeps what the
    committed record said of it."""
    if not _other_projects(layout) and not is_regular(layout.root_record):
        return False
    earlier = _read_root_record(layout)
    record = {}
    for path in sorted(built):
        if not path.endswith(".wsd"):
            continue
        name = Path(path).stem
        entry = manifest.get(name, {})
        if isinstance(entry.get("op"), dict) and entry.get("page") is not None:
            record[name] = {"op": entry["op"], "page": entry["page"]}
        elif name in earlier:
            record[name] = earlier[name]
    data = json.dumps(record, sort_keys=True, indent=1, ensure_ascii=False) + "\n"
    return write_atomic(layout.root_record, data.encode("utf-8"))


def _write_built(layout: _Layout, built: set[str], source: str) -> None:
    write_atomic(layout.built_list, _list_text(built, source, layout.project).encode("utf-8"))


def _remove(layout: _Layout, doomed: list[str]) -> list[str]:
    """Delete these files (root-relative) where a regular file still is; those deleted."""
    removed = []
    for name in doomed:
        path = layout.root / name
        if is_regular(path):
            path.unlink()
            removed.append(name)
    return removed


# ----------------------------------------------------------------------------- index page


def _index_page(layout: _Layout, workspace: Workspace, built: set[str], warnings: list[str],
                catalogue: Catalogue, manifest: dict) -> bytes:
    """The page of every diagram builds made in the root: this build's project, and each
    other project built there (its list of built files names its release; what the page
    says of its operations comes from its build's record, else from its diagrams)."""
    from tracer import atlas
    from tracer.profiles import PROFILES

    known = {op.name: _row_facts(op) for op in catalogue.operations}
    label = workspace.source.label.removeprefix(f"{layout.project}==")  # cinder==29.0.0
    pages = []
    for project in PROFILES:
        if project == layout.project:
            pages.append((project, label, _rows(layout, built, warnings, known, manifest)))
            continue
        other = _Layout(layout.root, project)
        if not is_regular(other.built_list):
            continue
        other_built, listed = _read_built(other, warnings)
        record = _read_manifest(_manifest_path(workspace, other))
        other_known = {name: entry["op"] for name, entry in record.items()
                       if isinstance(entry, dict) and isinstance(entry.get("op"), dict)}
        source = _built_source(listed) or "?"
        if any(Path(p).stem not in other_known for p in other_built if p.endswith(".wsd")):
            # this cache never built it (a fresh clone): its committed record says it
            committed = _read_root_record(other)
            record = {**committed, **record}
            other_known = {**{name: entry["op"] for name, entry in committed.items()},
                           **other_known}
        if any(Path(p).stem not in other_known for p in other_built if p.endswith(".wsd")):
            other_known = _catalogue_facts(workspace, source) or other_known
        pages.append((project, source.removeprefix(f"{project}=="),
                      _rows(other, other_built, warnings, other_known, record)))
    if len(pages) == 1:
        return atlas.index_page(label, pages[0][2], layout.project)
    return atlas.projects_page(pages)


def _catalogue_facts(workspace: Workspace, source: str) -> dict | None:
    """Another project's operations as the index page says them, from its catalogue (its
    build's record is not in this cache): None when its source cannot be opened here."""
    from tracer.workspace import open_workspace

    cache = workspace.results.dir.parent if workspace.results is not None else None
    try:
        other = open_workspace(source, cache=cache)
        return {op.name: _row_facts(op) for op in other.catalogue().operations}
    except OsflowError:
        return None


def _row_facts(op: Operation) -> dict:
    """What the index page says of an operation from the catalogue (kept in the build's
    record, so that another project's build can list it)."""
    return {"aliases": list(op.aliases), "method": op.method, "path": op.path,
            "group": op.group}


def _rows(layout: _Layout, built: set[str], warnings: list[str], known: dict,
          manifest: dict) -> list:
    """The index page's rows of one project's built diagrams. What it says of each comes
    from the build's record (`manifest`), else from the diagram read back; one that cannot
    be read has its row, without its flow (said in `warnings`)."""
    from tracer import atlas

    project = layout.project
    rows = []
    for wsd in sorted(layout.root / path for path in built if path.endswith(".wsd")):
        name = wsd.stem
        facts = atlas.Facts.from_json(manifest.get(name, {}).get("page"))
        if facts is None:
            try:
                facts = atlas.facts_of(_parsed(wsd, layout.relative(wsd)), project)
            except OsflowError as exc:  # the parser names the file and line, and why
                warnings.append(f"{exc}; its flow is left out of "
                                f"{layout.relative(layout.index)} (osflow build --op {name} "
                                "writes it again)")
        op = known.get(name) or {}
        links = []
        if layout.relative(layout.overview(name)) in built:
            links.append(("overview", f"{project}/{OVERVIEW}/{name}.svg"))
        links.append(("full", f"{project}/{name}.svg"))
        if layout.relative(layout.picture(name, "png")) in built:
            links.append(("png", f"{project}/{name}.png"))
        links.append(("wsd", f"../workflows/{project}/{name}.wsd"))
        rows.append(atlas.Row(
            name=name, aliases=tuple(op.get("aliases", ())), method=op.get("method", ""),
            path=op.get("path", ""), group=op.get("group", ""), links=tuple(links),
            facts=facts))
    return rows


def _parsed(wsd: Path, shown: str) -> "Diagram":
    """A built diagram read back (it is the build's own: a damaged one is said, not used)."""
    from tracer.wsd.parser import parse_file

    return parse_file(wsd, display=shown)


def _newlines(text: str) -> str:
    """`text` with its line ends as a file opened as text gives them (universal newlines)."""
    return text.replace("\r\n", "\n").replace("\r", "\n")
