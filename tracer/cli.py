"""The `osflow` command line: parses options and calls the library, nothing more."""

from __future__ import annotations

import contextlib
import logging
import sys

import click

from tracer import PINNED_RELEASE, __version__
from tracer.errors import OsflowError
from tracer.runtime import run_command
from tracer.text import shorten

SOURCE_HELP = (
    "Release (e.g. 34.0.0; another project's as cinder==29.0.0), a directory holding nova/ "
    f"(or cinder/), or REPO@REF. Default: {PINNED_RELEASE}."
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="osflow",
                      message="%(prog)s %(version)s")
@click.option("--debug", is_flag=True, help="Show Python tracebacks on errors.")
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """osflow: sequence diagrams of OpenStack operations, derived from source."""
    ctx.obj = {"debug": debug}


class _WarningLines(logging.Handler):
    """Library warnings (a rebuilt cache entry, an unverified hash) as `warning:` lines."""

    def emit(self, record: logging.LogRecord) -> None:
        click.echo(f"warning: {record.getMessage()}", err=True)


def main() -> None:
    """Console entry point: bad input becomes one `error:` line and exit 2."""
    args = sys.argv[1:]
    debug = "--debug" in args
    if debug:  # accepted anywhere (`osflow trace pause --debug`), handled by the group
        args = ["--debug"] + [arg for arg in args if arg != "--debug"]
    from tracer.index import cache

    cache.FREEZE_KEPT = True
    root_log = logging.getLogger("tracer")
    root_log.addHandler(_WarningLines(level=logging.DEBUG if debug else logging.WARNING))
    root_log.setLevel(logging.DEBUG if debug else logging.WARNING)
    root_log.propagate = False
    try:
        # standalone_mode=False returns ctx.exit(code)'s code instead of exiting
        code = run_command(lambda: cli.main(args=args, prog_name="osflow",
                                            standalone_mode=False))
        if isinstance(code, int) and code:
            sys.exit(code)
    except OsflowError as exc:
        if debug:
            raise
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
    except OSError as exc:
        # an output or cache path that cannot be written: the path and the reason
        if debug:
            raise
        where = shorten(str(exc.filename)) if exc.filename else ""  # (a 5000-character path)
        click.echo(f"error: {where}: cannot write or read: {exc.strerror or exc}"
                   if where else f"error: {exc}", err=True)
        sys.exit(2)
    except click.exceptions.Abort:
        click.echo("error: aborted", err=True)
        sys.exit(130)
    except click.exceptions.NoArgsIsHelpError as exc:
        # `osflow` alone (or a group without its command): the help, as asked for
        click.echo(exc.ctx.get_help() if exc.ctx is not None else exc.format_message())
        sys.exit(0)
    except click.MissingParameter as exc:
        if exc.param is not None and exc.param.name == "operation":
            click.echo("error: which operation? name one, e.g. `osflow trace pause`; "
                       "`osflow ops` lists them all", err=True)
            sys.exit(2)
        click.echo(f"error: {exc.format_message()} (see {exc.ctx.command_path} --help)"
                   if exc.ctx is not None else f"error: {exc.format_message()}", err=True)
        sys.exit(2)
    except click.ClickException as exc:
        # Usage errors: click's own message as one `error:` line, exit 2, and where to
        # read the usage
        where = f" (see {exc.ctx.command_path} --help)" \
            if isinstance(exc, click.UsageError) and exc.ctx is not None else ""
        click.echo(f"error: {exc.format_message()}{where}", err=True)
        sys.exit(2)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)


def _status(message: str):
    """A spinner on stderr while a slow step runs (a download, a cold parse), TTY only."""
    if not sys.stderr.isatty():
        return contextlib.nullcontext()  # and no import of rich (50 ms) for scripts and CI
    from rich.console import Console

    return Console(stderr=True).status(message)


@contextlib.contextmanager
def _progress(waiting: str):
    """A progress bar on stderr, TTY only: yields (start, advance), start(total, what)
    once the total is known, advance(name) as each item is done; (None, None) elsewhere."""
    if not sys.stderr.isatty():
        yield None, None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    columns = (TextColumn("{task.description:<32}"), BarColumn(), MofNCompleteColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task(waiting, total=None)

        def start(total: int, what: str) -> None:
            bar.update(task, total=total, description=what)

        def advance(name: str) -> None:
            bar.update(task, advance=1, description=name)

        yield start, advance


@contextlib.contextmanager
def _build_progress(only: int):
    """`build`'s bar: (started, advance) callbacks. The total is known once the catalogue
    is (the build may start work before)."""
    with _progress("reading the catalogue") as (start, advance):
        def started(catalogue) -> None:
            _warn(catalogue.warnings)
            if start:
                start(only or len(catalogue.operations), "building")

        yield started, advance


def _warn(messages) -> None:
    for message in messages:
        click.echo(f"warning: {message}", err=True)


@cli.command()
@click.option("-s", "--source", "spec", metavar="SPEC", help=SOURCE_HELP)
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
              show_default=True)
@click.option("--service", "services", multiple=True, metavar="BINARY",
              help="Only this service (nova-compute, or compute); repeatable.")
def rpc(spec: str | None, fmt: str, services: tuple[str, ...]) -> None:
    """Every RPC method of every service: kind, version, client and handler."""
    from tracer import report
    from tracer.workspace import open_workspace

    with _status(f"Reading {spec or PINNED_RELEASE}"):
        workspace = open_workspace(spec)
        model = workspace.rpc_model()
    _warn(model.warnings)
    known = sorted({m.service for m in model.methods})
    services = _binaries(services, known, workspace.source.project)
    unknown = [s for s in services if s not in known]
    if unknown:
        raise OsflowError(f"no service {unknown[0]!r} in {model.source}; services: "
                          f"{', '.join(known)}")
    methods = [m for m in model.methods if not services or m.service in services]
    if fmt == "json":
        click.echo(report.rpc_json(methods))
    else:
        report.rpc_table(methods, model.source)


def _binaries(services: tuple[str, ...], known, project: str = "nova") -> tuple[str, ...]:
    """`--service compute` is nova-compute (`volume`, of cinder, cinder-volume): a name that
    is no service's binary but is one with the project's prefix means that one."""
    return tuple(s if s in known or f"{project}-{s}" not in known else f"{project}-{s}"
                 for s in services)


@cli.command()
@click.option("-s", "--source", "spec", metavar="SPEC", help=SOURCE_HELP)
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
              show_default=True)
@click.option("--group", "groups", multiple=True, metavar="NAME",
              help="Only this group (a resource such as servers, os-hypervisors, "
                   "flavors; periodic for periodic tasks); repeatable.")
def ops(spec: str | None, fmt: str, groups: tuple[str, ...]) -> None:
    """Every operation: its group, names, HTTP method and path, REST action, handler."""
    from tracer import report
    from tracer.catalogue import only_groups
    from tracer.workspace import open_workspace

    with _status(f"Reading {spec or PINNED_RELEASE}"):
        catalogue = open_workspace(spec).catalogue()
    _warn(catalogue.warnings)
    catalogue = only_groups(catalogue, groups)
    if fmt == "json":
        click.echo(report.ops_json(catalogue.operations))
    else:
        report.ops_table(catalogue, groups)


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("-o", "--output", "out_dir", metavar="DIR", type=click.Path(file_okay=False),
              help="Write pictures under DIR (folders keep their relative paths). "
                   "Default: next to each input.")
@click.option("--format", "fmt", type=click.Choice(["svg", "png"]), default="svg",
              show_default=True)
@click.option("--tag", metavar="TAG",
              help="Nova release tag: provenance links go to opendev at this tag.")
def render(paths: tuple[str, ...], out_dir: str | None, fmt: str,
           tag: str | None) -> None:
    """Render .wsd diagrams (files, or folders recursively) to SVG or PNG."""
    from pathlib import Path

    from tracer.render.batch import render_paths
    from tracer.render.svg import RenderOptions

    target = Path(out_dir) if out_dir else None
    with _progress("finding diagrams") as (start, advance):
        result = render_paths([Path(p) for p in paths], target, fmt, RenderOptions(tag=tag),
                              start=start, advance=advance)
    for path in result.written:
        click.echo(str(path))
    _warn(result.warnings)
    if not result.failures:
        return
    if len(result.jobs) == 1:
        raise OsflowError(result.failures[0])  # the only input is bad: exit 2
    for failure in result.failures:
        click.echo(f"error: {failure}", err=True)
    # sys.exit, not ctx.exit: main() runs click with standalone_mode=False, which turns
    # ctx.exit into a return value that it does not pass on.
    sys.exit(1)


@cli.command()
@click.argument("operation")
@click.option("-s", "--source", "spec", metavar="SPEC", help=SOURCE_HELP)
@click.option("--format", "fmt", type=click.Choice(["wsd", "json", "plantuml", "mermaid"]),
              default="wsd", show_default=True)
@click.option("-o", "--output", "out", metavar="FILE", type=click.Path(dir_okay=False),
              help="Write to FILE (atomically) instead of stdout.")
@click.option("--depth", type=click.IntRange(0, 12), default=2, show_default=True,
              help="How many nested helper calls per service are drawn in full; deeper "
                   "ones become a note (their RPCs are still drawn).")
@click.option("--driver", default="libvirt", show_default=True, metavar="NAME",
              help="Virt driver to follow (libvirt, ironic, vmwareapi, fake, ...).")
@click.option("--network", type=click.Choice(["neutron", "nova-network"]),
              default="neutron", show_default=True,
              help="Network API for trees that choose it by configuration (Liberty).")
@click.option("--use-local", is_flag=True,
              help="Liberty: follow CONF.conductor.use_local=True (conductor in-process).")
@click.option("--errors", is_flag=True,
              help="Also draw exception handlers (error and rollback paths).")
@click.option("--overview", is_flag=True,
              help="Only what crosses a process (RPCs, other services, the driver, the "
                   "database), without in-process notes: the big picture of a long "
                   "operation.")
@click.option("--follow", "follow_spec", metavar="SPEC",
              help="Draw another project's side inline: the arrows to it become the "
                   "operations it serves, traced in SPEC (e.g. cinder==29.0.0).")
def trace(operation: str, spec: str | None, fmt: str, out: str | None, depth: int,
          driver: str, network: str, use_local: bool, errors: bool,
          overview: bool, follow_spec: str | None) -> None:
    """The draft sequence diagram of one operation (e.g. pause, live-migrate)."""
    from tracer.diagram import flow_text
    from tracer.trace import Options
    from tracer.workspace import open_workspace

    options = Options(depth=depth, driver=driver, network=network, use_local=use_local,
                      errors=errors)
    if out:  # a path that cannot be written is said before the trace, not after
        from pathlib import Path

        from tracer.files import check_target

        check_target(Path(out))
        if not Path(out).parent.is_dir():  # a typo in a path made folders, unasked
            raise OsflowError(f"{Path(out).parent}: no such folder; create it first "
                              f"(mkdir -p {Path(out).parent}) or write elsewhere")
    with _status(f"Tracing {operation} in {spec or PINNED_RELEASE}"):
        workspace = open_workspace(spec)
        flow = workspace.flow(operation, options)
    _warn(flow.gaps)
    if follow_spec:
        from tracer.follow import follow_into

        with _status(f"Following {operation} into {follow_spec}"):
            other = open_workspace(follow_spec)
            flow = follow_into(flow, workspace.source.profile.calls_into,
                               other.source.project, other.flow_or_none)
    if overview:
        from tracer.trace import overview as big_picture

        flow = big_picture(flow)
    text = flow_text(flow, fmt)
    if out:
        from pathlib import Path

        from tracer.files import write_atomic

        write_atomic(Path(out), text.encode())
    else:
        click.echo(text, nl=False)


@cli.command()
@click.option("-s", "--source", "spec", metavar="SPEC", help=SOURCE_HELP)
@click.option("--root", type=click.Path(file_okay=False), default=".", show_default=True,
              help="Folder holding annotations/ and receiving workflows/ and output/.")
@click.option("--op", "only", multiple=True, metavar="OP",
              help="Only this operation (repeatable). Default: the whole catalogue.")
@click.option("--png", is_flag=True, help="Also write PNG pictures.")
@click.option("--strict", is_flag=True, help="Exit 1 when an annotation is stale.")
def build(spec: str | None, root: str, only: tuple[str, ...], png: bool, strict: bool) -> None:
    """Regenerate every diagram: trace, merge annotations, write workflows/ and output/."""
    from pathlib import Path

    from tracer.build import build as run_build
    from tracer.workspace import open_workspace

    with _status(f"Reading {spec or PINNED_RELEASE}"):
        workspace = open_workspace(spec)
    workspace.needs_flows("build")  # before anything is written under --root
    with _build_progress(len(only)) as (started, advance):
        result = run_build(workspace, Path(root), only, png=png, progress=advance,
                           started=started)
    for note in result.notes:
        click.echo(f"note: {note}", err=True)
    _warn(result.gaps)
    _warn(result.warnings)
    _warn(result.stale)
    project = workspace.source.project
    shown = result.label if result.label.startswith(f"{project}==") \
        else f"{project} {result.label}"
    click.echo(f"{result.operations} operations of {shown}: "
               f"{len(result.written)} files written, {result.unchanged} "
               f"operation{'s' * (result.unchanged != 1)} unchanged"
               + (f", {len(result.removed)} removed" if result.removed else "")
               + (f", {len(result.stale)} stale annotations" if result.stale else ""))
    if strict and result.stale:
        sys.exit(1)


@cli.command()
@click.argument("old", metavar="OLD")
@click.argument("new", metavar="NEW")
@click.option("--rpc", "rpc_api", is_flag=True, help="Compare the RPC APIs.")
@click.option("--op", "only", multiple=True, metavar="OP",
              help="Compare this operation's flow (repeatable). Default: every operation.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True)
@click.option("-o", "--output", "out_dir", metavar="DIR", type=click.Path(file_okay=False),
              help="Also write a visual diff per changed operation: DIR/<op>.wsd and .svg "
                   "(the new flow, added steps marked +, removed ones struck through).")
def diff(old: str, new: str, rpc_api: bool, only: tuple[str, ...], fmt: str,
         out_dir: str | None) -> None:
    """What changed between two sources (each a release, directory or REPO@REF)."""
    from tracer import report
    from tracer.diff import diff_operations, diff_rpc
    from tracer.workspace import open_workspace

    if rpc_api and (only or out_dir):
        option = "--op" if only else "-o"
        raise click.UsageError(f"{option} compares operations' flows; --rpc compares the RPC "
                               "APIs: give one or the other")
    with _status(f"Reading {old} and {new}"):
        before, after = open_workspace(old), open_workspace(new)
        projects = (before.source.project, after.source.project)
        if projects[0] != projects[1]:
            raise OsflowError(f"{old} is {projects[0]} and {new} is {projects[1]}: give two "
                              "sources of one project")
        if rpc_api:
            result = diff_rpc(before.rpc_model(), after.rpc_model())
        else:
            flows = diff_operations(before, after, only)
    labels = (before.source.label, after.source.label)
    if rpc_api:
        click.echo(report.rpc_diff_json(result)) if fmt == "json" \
            else report.rpc_diff_text(result)
    else:
        click.echo(report.flow_diff_json(*labels, flows)) if fmt == "json" \
            else report.flow_diff_text(*labels, flows)
        if out_dir:
            from pathlib import Path

            from tracer.diff import write_visual_diffs

            written = write_visual_diffs(Path(out_dir), before, after, flows)
            for path in written:
                click.echo(str(path), err=True)
            if not written:
                click.echo(f"no operation differs: nothing written to {out_dir}", err=True)


@cli.command()
@click.argument("specs", nargs=-1, required=True, metavar="SPEC SPEC...")
@click.option("--rpc", "rpc_api", is_flag=True,
              help="The RPC API across the sources (the default, and so far the only "
                   "history).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True)
def history(specs: tuple[str, ...], rpc_api: bool, fmt: str) -> None:
    """RPC methods across a series of sources, oldest first: introduced, removed, kinds.

    A SPEC may be a range, 29.0.0..34.0.0 or caracal..2026.1: every release between."""
    from tracer import report
    from tracer.diff import load_rpc_models, rpc_history
    from tracer.releases import expand_range
    from tracer.sources import cached_releases, release_order

    cached = cached_releases()
    specs = tuple(found for spec in specs for found in expand_range(spec, cached) or [spec])
    if len(specs) < 2:
        raise OsflowError("history needs at least two sources, oldest first")
    ordered = release_order(list(specs))
    if ordered != list(specs):
        click.echo(f"warning: releases read oldest first: {' '.join(ordered)}", err=True)
    with _status(f"Reading {len(specs)} sources"):
        models = load_rpc_models(ordered)
    _one_project(ordered, models)
    labels = [m.source for m in models]
    rows = rpc_history(models)
    if fmt == "json":
        click.echo(report.history_json(labels, rows))
    else:
        report.history_text(labels, rows)


def _one_project(specs: list[str], models) -> None:
    """Refuse a history across projects: a service binary names its project (nova-compute,
    cinder-volume), and each source's must name the same."""
    found: dict[str, str] = {}
    for spec, model in zip(specs, models):
        for project in sorted({m.service.split("-", 1)[0] for m in model.methods
                               if "-" in m.service}):
            found.setdefault(project, spec)
    if len(found) > 1:
        (a, spec_a), (b, spec_b) = sorted(found.items(), key=lambda i: specs.index(i[1]))[:2]
        raise OsflowError(f"{spec_a} is {a} and {spec_b} is {b}: give sources of one project")


@cli.command()
@click.option("-s", "--source", "spec", metavar="SPEC", help=SOURCE_HELP)
@click.option("--format", "fmt", type=click.Choice(["table", "dot", "graphml", "json",
                                                    "mermaid"]),
              default="table", show_default=True,
              help="table: a summary per service; the others export the graph.")
@click.option("--service", "services", multiple=True, metavar="BINARY",
              help="Only what touches this service (repeatable).")
@click.option("--method", "methods", multiple=True, metavar="NAME",
              help="Only what touches this RPC method (repeatable); with --service, "
                   "that service's method.")
def graph(spec: str | None, fmt: str, services: tuple[str, ...],
          methods: tuple[str, ...]) -> None:
    """The RPC call graph: services, their methods, and who sends what to whom."""
    from tracer import graph as graphs
    from tracer import report
    from tracer.workspace import open_workspace

    with _status(f"Reading {spec or PINNED_RELEASE}"):
        whole = open_workspace(spec).graph()
    services = _binaries(services, {data["label"] for _, data in whole.nodes(data=True)
                                    if data.get("kind") == "service"})
    part = graphs.select(whole, services, methods)
    if (services or methods) and part.number_of_nodes() == 0:
        wanted = " or ".join(methods) + (" of " if methods and services else "") + \
            " or ".join(services)
        raise OsflowError(f"nothing in the graph of {whole.graph.get('source')} matches "
                          f"{wanted}; see `osflow rpc` for names")
    if fmt == "table":
        report.graph_table(part)
    else:
        export = {"dot": graphs.to_dot, "graphml": graphs.to_graphml,
                  "json": graphs.to_json, "mermaid": graphs.to_mermaid}[fmt]
        click.echo(export(part), nl=False)


@cli.command("check")
@click.option("-s", "--source", "spec", metavar="SPEC", help=SOURCE_HELP)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True)
@click.option("--strict", is_flag=True, help="Exit 1 if any finding is reported.")
@click.option("--severity", type=click.Choice(["info", "warning", "error"]),
              default="info", show_default=True,
              help="Report findings at or above this severity.")
@click.option("--suppress", "suppress_file", type=click.Path(dir_okay=False),
              help="YAML list of accepted findings (- rule: ..., where: ...).")
def check_cmd(spec: str | None, fmt: str, strict: bool, severity: str,
              suppress_file: str | None) -> None:
    """Review findings on the RPC call graph (nested calls, cycles, unserved methods...)."""
    import json as jsonlib
    from pathlib import Path

    from tracer.check import SEVERITIES, check, load_suppressions, report_of
    from tracer.workspace import open_workspace

    accepted = load_suppressions(Path(suppress_file)) if suppress_file else set()
    with _status(f"Reading {spec or PINNED_RELEASE}"):
        workspace = open_workspace(spec)
        found = check(workspace.graph(), workspace.rpc_model(), workspace.operation_sends())
    report = report_of(found, severity, accepted)
    for rule, where in report.unused:
        click.echo(f"warning: {suppress_file}: accepted finding {rule} {where} is no longer "
                   "found; remove it", err=True)
    findings = report.shown
    if fmt == "json":
        click.echo(jsonlib.dumps([f.to_json() for f in findings], indent=2))
    else:
        for f in findings:
            where = f"{f.file}:{f.line}: " if f.file else ""
            click.echo(f"{where}{f.severity}: {f.rule}: {f.where}: {f.message}")
            if f.path:
                click.echo("    " + " -> ".join(f.path))
        floor = SEVERITIES.index(severity)
        counts = {s: sum(f.severity == s for f in findings) for s in SEVERITIES[floor:]}
        click.echo(f"{len(findings)} finding{'' if len(findings) == 1 else 's'}: " +
                   ", ".join(f"{n} {s}" for s, n in counts.items()) +
                   (f" ({report.below} below {severity} not shown)" if report.below else "") +
                   (f" ({report.accepted} accepted in {suppress_file})"
                    if report.accepted else ""))
    if strict and findings:
        sys.exit(1)
