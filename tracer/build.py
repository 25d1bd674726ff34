"""The make: trace the catalogue, merge annotations, write `workflows/` and `output/`.

    root/annotations/nova/<op>.yaml   read (people's notes; see annotate.py)
    root/workflows/nova/<op>.wsd      written: the draft with annotations merged
    root/output/nova/<op>.svg (.png)  written: rendered from that .wsd
    root/output/index.html            written: every diagram, its release and links

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
import multiprocessing
import sys
from concurrent.futures import ProcessPoolExecutor, wait
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from typing import TYPE_CHECKING

from tracer.catalogue import Operation, find_operation
from tracer.errors import OsflowError
from tracer.files import locked, remove_leftovers, write_atomic
from tracer.index.cache import code_version, remove_stale_temporaries

if TYPE_CHECKING:  # imported where used: a build with nothing to do stays quick
    from tracer import annotate
    from tracer.trace import Options, Shared
    from tracer.workspace import Workspace

SERVICE = "nova"


@dataclass
class BuildResult:
    label: str
    operations: int = 0
    written: list[str] = field(default_factory=list)  # paths relative to the root
    unchanged: int = 0  # operations whose files were already current
    removed: list[str] = field(default_factory=list)  # files of operations no longer traced
    stale: list[str] = field(default_factory=list)  # annotation lines matching nothing
    gaps: list[str] = field(default_factory=list)  # modules that could not be parsed


@dataclass(frozen=True)
class _Layout:
    root: Path

    @property
    def annotations(self) -> Path:
        return self.root / "annotations" / SERVICE

    def wsd(self, op: str) -> Path:
        return self.root / "workflows" / SERVICE / f"{op}.wsd"

    def picture(self, op: str, fmt: str) -> Path:
        return self.root / "output" / SERVICE / f"{op}.{fmt}"

    @property
    def index(self) -> Path:
        return self.root / "output" / "index.html"

    @property
    def folders(self) -> tuple[Path, ...]:
        """Every folder a build writes to."""
        return (self.root / "workflows" / SERVICE, self.root / "output" / SERVICE,
                self.root / "output")


def build(workspace: Workspace, root: Path, only: tuple[str, ...] = (), png: bool = False,
          options: Options | None = None,
          progress: Callable[[str], None] | None = None) -> BuildResult:
    from tracer.trace import Options

    layout = _Layout(Path(root))
    layout.root.mkdir(parents=True, exist_ok=True)
    with locked(layout.root):
        for folder in layout.folders:
            remove_leftovers(folder)
        if workspace.index.cache is not None:
            remove_stale_temporaries(workspace.index.cache.root)
        return _build(workspace, layout, only, png, options or Options(), progress)


def _build(workspace: Workspace, layout: _Layout, only: tuple[str, ...], png: bool,
           options: Options, progress: Callable[[str], None] | None) -> BuildResult:
    catalogue = workspace.catalogue()
    operations = [find_operation(catalogue, name) for name in only] if only \
        else list(catalogue.operations)
    annotations, result = _read_annotations(layout, catalogue, workspace.source.label)
    manifest_path = _manifest_path(workspace, layout)
    manifest = _read_manifest(manifest_path)
    formats = ("svg", "png") if png else ("svg",)
    base = _base_digest(workspace, options, formats)
    todo = []
    for op in operations:
        result.operations += 1
        notes = annotations.get(op.name)
        digest = _digest(base, op, notes)
        outputs = [layout.wsd(op.name)] + [layout.picture(op.name, f) for f in formats]
        entry = manifest.get(op.name, {})
        if entry.get("digest") == digest and all(p.is_file() for p in outputs):
            result.unchanged += 1
            result.stale += entry.get("stale", [])
            result.gaps += entry.get("gaps", [])
            if progress:
                progress(op.name)
            continue
        todo.append((op, notes, digest))
    for i, (text, stale, gaps, pictures) in _make_all(workspace, todo, options, formats,
                                                      layout, progress):
        op, notes, digest = todo[i]
        written = [p for p, data in [(layout.wsd(op.name), text.encode("utf-8"))] +
                   [(layout.picture(op.name, f), d) for f, d in zip(formats, pictures)]
                   if write_atomic(p, data)]
        result.written += [str(p.relative_to(layout.root)) for p in written]
        result.unchanged += not written
        result.stale += stale
        result.gaps += gaps
        manifest[op.name] = {"digest": digest, "stale": stale, "gaps": gaps}
    if not only:
        result.removed = _remove_others(layout, {op.name for op in operations})
    if write_atomic(layout.index, _index_page(layout, workspace.source.label, formats)):
        result.written.append(str(layout.index.relative_to(layout.root)))
    _write_manifest(manifest_path, manifest)
    result.gaps = sorted(set(result.gaps))
    return result


# ----------------------------------------------------------------------------- making


# .wsd text, stale annotations, modules that could not be parsed, pictures
_Made = tuple[str, list[str], list[str], list[bytes]]


def _make_one(workspace: Workspace, op: Operation, notes: annotate.Annotations | None,
              options: Options, shared: Shared, formats: tuple[str, ...],
              display: str) -> _Made:
    text, stale, gaps = _draft(workspace, op, notes, options, shared)
    return text, stale, gaps, _render(text, display, workspace.source.tag, formats)


def _make_all(workspace: Workspace, todo: list, options: Options, formats: tuple[str, ...],
              layout: _Layout, progress: Callable[[str], None] | None
              ) -> Iterator[tuple[int, _Made]]:
    """Trace and render every operation of `todo`: (its index in `todo`, what was made),
    this process's as each is made (so its files are written at once), then the helpers'.

    A cold build is CPU work (parse, trace, render) on a handful of cores: one helper
    process per spare core takes operations from the back of the list while this one
    takes them from the front, so neither waits on the other. Each operation's result
    depends only on the tree, never on which process made it or what it made before."""
    from tracer.trace import Shared

    jobs = [(op, notes, str(layout.wsd(op.name).relative_to(layout.root)))
            for op, notes, _ in todo]
    helpers = _helper_count(workspace, len(jobs))
    claims = _Claims(len(jobs), helpers)
    with ProcessPoolExecutor(max_workers=helpers, mp_context=_HELPERS,
                             initializer=_Claims.adopt, initargs=(claims,)) \
            if helpers else contextlib.nullcontext() as pool:
        running = [pool.submit(_helper, workspace.source, workspace.index.cache.root, jobs,
                               options, formats, slot) for slot in range(1, helpers + 1)]
        shared = Shared(workspace.index)
        while (i := claims.take(0)) is not None:
            op, notes, display = jobs[i]
            yield i, _make_one(workspace, op, notes, options, shared, formats, display)
            _report(progress, claims, jobs, i)
        for future in running:
            while not future.done():
                _report(progress, claims, jobs, None)
                wait([future], timeout=0.1)
            yield from sorted(future.result().items())
        _report(progress, claims, jobs, None)


def _draft(workspace: Workspace, op: Operation, notes: annotate.Annotations | None,
           options: Options, shared: Shared) -> tuple[str, list[str], list[str]]:
    """The .wsd text of one operation with its annotations, the stale ones, and the
    modules left out because they could not be parsed."""
    from tracer import annotate
    from tracer.diagram import flow_to_diagram
    from tracer.wsd.writer import to_wsd

    flow = workspace.flow(op.name, options, shared)
    stale: list[str] = []
    if notes is not None:
        flow, found = annotate.apply(flow, notes)
        stale = [str(s) for s in found]
    return to_wsd(flow_to_diagram(flow)), stale, list(flow.gaps)


def _render(text: str, display: str, tag: str | None, formats: tuple[str, ...]) -> list[bytes]:
    """Pictures of a .wsd text (parsed back, so they show what the committed file says)."""
    from tracer.render.png import svg_to_png
    from tracer.render.svg import RenderOptions, render_svg
    from tracer.wsd.parser import parse_text

    svg = render_svg(parse_text(text, display), RenderOptions(tag=tag))
    return [svg.encode("utf-8") if fmt == "svg" else svg_to_png(svg) for fmt in formats]


def _report(progress, claims: "_Claims", jobs: list, own: int | None) -> None:
    """Advance the progress bar for this process's operation and the helpers' done ones."""
    if progress is None:
        return
    for i in ([own] if own is not None else []) + claims.newly_done():
        progress(jobs[i][0].name)


# Forked where that is safe (Linux): a helper starts at once, with osflow imported and the
# catalogue in memory; spawning costs each helper about 0.2 s of start-up. The progress
# bar's thread only ever runs in this process.
_HELPERS = multiprocessing.get_context("fork" if sys.platform == "linux" else "spawn")

# The modules nearly every trace enters. A helper parses them and what they import while
# this process builds the RPC model, so that the traces that follow find them summarised.
_CORE_MODULES = ("nova/compute/api.py", "nova/virt/libvirt/driver.py",
                 "nova/conductor/manager.py", "nova/compute/manager.py")


# Fewer operations than this are made in this process: a helper would cost more than it saves.
HELPER_MIN_JOBS = 8


def _helper_count(workspace: Workspace, jobs: int) -> int:
    if workspace.index.cache is None or workspace.results is None or jobs < HELPER_MIN_JOBS:
        return 0  # without a shared cache a helper would redo everything
    return min((os.cpu_count() or 1) - 1, 3)


def _helper(source, cache_root: Path, jobs: list, options: Options,
            formats: tuple[str, ...], slot: int) -> dict[int, _Made]:
    """A helper process: read ahead, then make operations from the back of the list."""
    import gc

    from tracer.index import Index, cache
    from tracer.index.cache import ResultCache, SummaryCache
    from tracer.trace import Shared
    from tracer.workspace import Workspace

    gc.set_threshold(100_000, 50, 1000)  # as the command line does: a short-lived process
    cache.FREEZE_LOADED = True
    workspace = Workspace(source, Index(source.root, SummaryCache(cache_root)),
                          ResultCache(cache_root))
    if slot == 1:
        _read_ahead(workspace.index)
    shared = Shared(workspace.index)
    made: dict[int, _Made] = {}
    while (i := _Claims.adopted.take(slot)) is not None:
        op, notes, display = jobs[i]
        made[i] = _make_one(workspace, op, notes, options, shared, formats, display)
        _Claims.adopted.finish(i)
    return made


def _read_ahead(index) -> None:
    """Summarise the core modules and the modules they import, largest first."""
    core = [rel for rel in _CORE_MODULES if (index.root / rel).is_file()]
    for rel in core:
        index.module_at(rel)
    imported = set()
    for rel in core:
        module = index.module_at(rel)
        for imp in module.imports.values() if module else ():
            path = index.path_of(imp.target) or index.path_of(imp.target.rpartition(".")[0])
            if path and path not in core:
                imported.add(path)
    for rel in sorted(imported, key=lambda r: (-len(index.source(r)), r)):
        if not index.cache.has(index.content_key(rel)):  # another process got there first
            index.module_at(rel)


class _Claims:
    """Which process makes which operation: a shared array of states. This process
    (slot 0) takes from the front, helpers from the back."""

    FREE, DONE, REPORTED = -1, -2, -3
    adopted: "_Claims"  # in a helper process: the parent's claims

    def __init__(self, size: int, helpers: int) -> None:
        self.states = _HELPERS.Array("b", [self.FREE] * size) if helpers else \
            [self.FREE] * size
        self.lock = self.states.get_lock() if helpers else contextlib.nullcontext()

    @staticmethod
    def adopt(claims: "_Claims") -> None:
        _Claims.adopted = claims

    def take(self, slot: int) -> int | None:
        order = range(len(self.states)) if slot == 0 else range(len(self.states) - 1, -1, -1)
        with self.lock:
            for i in order:
                if self.states[i] == self.FREE:
                    self.states[i] = slot
                    return i
        return None

    def finish(self, i: int) -> None:
        with self.lock:
            self.states[i] = self.DONE

    def newly_done(self) -> list[int]:
        """Operations helpers finished since the last call."""
        with self.lock:
            done = [i for i in range(len(self.states)) if self.states[i] == self.DONE]
            for i in done:
                self.states[i] = self.REPORTED
        return done


# ----------------------------------------------------------------------------- annotations


def _read_annotations(layout: _Layout, catalogue, label: str):
    """Every annotation file, checked before anything is written; the stale ones noted."""
    from tracer import annotate

    result = BuildResult(label)
    found: dict[str, annotate.Annotations] = {}
    if not layout.annotations.is_dir():
        return found, result
    for path in sorted(layout.annotations.glob("*.yaml")):
        shown = str(path.relative_to(layout.root))
        notes = annotate.load(path, shown)  # raises on a malformed file
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


def _base_digest(workspace: Workspace, options: Options, formats: tuple[str, ...]) -> str:
    digest = hashlib.sha256()
    for part in (code_version(), workspace.index.fingerprint(), workspace.source.label,
                 str(workspace.source.tag), repr(options), ",".join(formats)):
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
    key = hashlib.sha256(str(layout.root.resolve()).encode()).hexdigest()[:32]
    return workspace.results.dir / "builds" / f"{key}.json"


def _read_manifest(path: Path | None) -> dict:
    try:
        data = json.loads(path.read_text()) if path else {}
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


def _remove_others(layout: _Layout, names: set[str]) -> list[str]:
    """Files of operations this build did not make (another release's): deleted."""
    removed = []
    folders = [(layout.root / "workflows" / SERVICE, "wsd")] + \
        [(layout.root / "output" / SERVICE, fmt) for fmt in ("svg", "png")]
    for folder, suffix in folders:
        for path in sorted(folder.glob(f"*.{suffix}")) if folder.is_dir() else []:
            if path.stem not in names:
                path.unlink()
                removed.append(str(path.relative_to(layout.root)))
    return removed


# ----------------------------------------------------------------------------- index page


def _index_page(layout: _Layout, label: str, formats: tuple[str, ...]) -> bytes:
    rows = []
    for wsd in sorted(layout.wsd("x").parent.glob("*.wsd")):
        op = wsd.stem
        title, request = _heading(wsd)
        links = [f'<a href="{SERVICE}/{html.escape(op)}.svg">svg</a>']
        if (layout.picture(op, "png")).is_file():
            links.append(f'<a href="{SERVICE}/{html.escape(op)}.png">png</a>')
        links.append(f'<a href="../workflows/{SERVICE}/{html.escape(op)}.wsd">wsd</a>')
        rows.append(f"<tr><td><a href=\"{SERVICE}/{html.escape(op)}.svg\">"
                    f"{html.escape(op)}</a></td><td>{html.escape(title)}</td>"
                    f"<td><code>{html.escape(request)}</code></td>"
                    f"<td>{' · '.join(links)}</td></tr>")
    page = f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Nova {html.escape(label)}: operation diagrams</title>
<style>
body {{ font-family: sans-serif; margin: 2em; color: #1f2328; }}
table {{ border-collapse: collapse; }}
td, th {{ padding: 0.3em 0.8em; border-bottom: 1px solid #d0d7de; text-align: left; }}
code {{ font-size: 0.9em; }}
</style>
</head>
<body>
<h1>Nova {html.escape(label)}: how each operation flows</h1>
<p>{len(rows)} sequence diagrams traced from the source of nova {html.escape(label)} by
osflow, with the annotations in <code>annotations/{SERVICE}/</code>. Regenerate with
<code>osflow build</code>.</p>
<table>
<tr><th>operation</th><th>title</th><th>request</th><th>files</th></tr>
{chr(10).join(rows)}
</table>
</body>
</html>
"""
    return page.encode("utf-8")


def _heading(wsd: Path) -> tuple[str, str]:
    """The title and request comment of a generated .wsd (the first lines)."""
    title = request = ""
    with wsd.open(encoding="utf-8") as handle:
        for _, line in zip(range(40), handle):
            if line.startswith("title "):
                title = line[6:].strip()
            elif line.startswith("# request: "):
                request = line[11:].strip()
    return title, request
