"""`osflow render`: find the .wsd inputs, render each, write outputs atomically.

One failing input never stops the others; the caller decides the exit status from the
result. Outputs are only replaced when their content changes, so a re-render that changes
nothing leaves timestamps alone (friendly to make and to git).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from tracer.errors import OsflowError
from tracer.files import MAX_FOLDER_DEPTH, walk_folders, write_atomic
from tracer.render.png import png_and_warning
from tracer.render.svg import RenderOptions, render_svg
from tracer.wsd.parser import parse_file

FORMATS = ("svg", "png")


@dataclass(frozen=True)
class Job:
    """One input file and where its picture goes."""

    source: Path
    output: Path


@dataclass
class BatchResult:
    """What happened: files written (or already up to date), one message per failure and
    one per picture drawn too small to read."""

    jobs: list[Job] = field(default_factory=list)
    written: list[Path] = field(default_factory=list)
    unchanged: list[Path] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def plan(paths: list[Path], out_dir: Path | None, fmt: str) -> list[Job]:
    """The jobs for these inputs: folders are searched recursively for .wsd files.

    Missing inputs and folders without diagrams are usage errors, raised before anything
    is written. With `out_dir`, a folder's files keep their path relative to that folder.
    """
    if fmt not in FORMATS:
        raise OsflowError(f"unknown format {fmt!r}, expected one of: {', '.join(FORMATS)}")
    jobs: list[Job] = []
    seen: dict[Path, Path] = {}
    for path in paths:
        if path.is_dir():
            found = sorted(p for p in _wsd_files(path) if p.is_file())
            if not found:
                raise OsflowError(f"{path}: no .wsd files in this folder")
            pairs = [(p, p.relative_to(path)) for p in found]
        elif path.exists():  # not only a regular file: the parser says what else it is
            pairs = [(path, Path(path.name))]
        else:
            raise OsflowError(f"{path}: no such file or folder")
        for source, relative in pairs:
            base = out_dir / relative if out_dir is not None else source
            output = base.with_suffix("." + fmt)
            key = output.resolve()
            if key == source.resolve():
                raise OsflowError(f"{source}: input and output are the same file; "
                                  "give .wsd files or use -o DIR")
            if key in seen:
                if seen[key] == source.resolve():
                    continue  # the same file named twice
                raise OsflowError(
                    f"{source}: would overwrite {output}, also rendered from {seen[key]}; "
                    "render these inputs into different folders"
                )
            seen[key] = source.resolve()
            jobs.append(Job(source, output))
    return jobs


def _wsd_files(folder: Path) -> Iterator[Path]:
    """The .wsd files under `folder`, at any depth up to MAX_FOLDER_DEPTH (rglob recursed
    once a level, and a folder nested 1,100 deep raised RecursionError)."""
    def too_deep(path: str) -> None:
        raise OsflowError(f"{path}: folders nested more than {MAX_FOLDER_DEPTH} deep in "
                          f"{folder}; osflow reads no deeper (render a folder nearer the "
                          "diagrams)")

    for dirpath, _, names in walk_folders(str(folder), MAX_FOLDER_DEPTH, too_deep):
        yield from (Path(dirpath, name) for name in names if name.endswith(".wsd"))


def render_one(source: Path, fmt: str, options: RenderOptions) -> tuple[bytes, list[str]]:
    """The rendered bytes of one .wsd file, and its warnings (a fragment the file leaves
    open, a PNG drawn small: see png.plan); raises OsflowError naming file and line."""
    diagram = parse_file(source, display=str(source))
    warnings = list(diagram.warnings)
    svg = render_svg(diagram, options)
    if fmt != "png":
        return svg.encode("utf-8"), warnings
    try:
        data, warning = png_and_warning(svg)
    except OsflowError as exc:
        raise OsflowError(f"{source}: {exc}") from None
    return data, warnings + ([f"{source}: {warning}"] if warning else [])


def render_paths(paths: list[Path], out_dir: Path | None, fmt: str = "svg",
                 options: RenderOptions | None = None, *,
                 start: Callable[[int, str], None] | None = None,
                 advance: Callable[[str], None] | None = None) -> BatchResult:
    """Render every input; collect failures instead of stopping at the first. `start` is
    told how many files there are once they are found, `advance` each file done."""
    options = options or RenderOptions()
    result = BatchResult(jobs=plan(paths, out_dir, fmt))
    if start:
        start(len(result.jobs), "rendering")
    for job in result.jobs:
        if advance:
            advance(str(job.source))
        try:
            data, warnings = render_one(job.source, fmt, options)
            changed = write_atomic(job.output, data)
        except OsflowError as exc:
            result.failures.append(str(exc))
            continue
        except OSError as exc:
            result.failures.append(f"{job.output}: cannot write: {exc.strerror or exc}")
            continue
        (result.written if changed else result.unchanged).append(job.output)
        result.warnings += warnings
    return result
