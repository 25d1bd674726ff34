"""A source tree opened for analysis: where it came from, its index and its result cache."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from tracer.config import cache_dir
from tracer.errors import OsflowError
from tracer.index import Index
from tracer.index.cache import ResultCache, SummaryCache
from tracer.model import RpcModel
from tracer.sources import SourceTree, open_source

if TYPE_CHECKING:
    from tracer.catalogue import Catalogue

T = TypeVar("T")


@dataclass
class Workspace:
    source: SourceTree
    index: Index
    results: ResultCache | None = None

    def cached(self, kind: str, compute: Callable[[], T], *key_parts: str) -> T:
        """`compute()` once per tree content and osflow version; later runs load it."""
        if self.results is None:
            return compute()
        key = self.results.key(self.index.fingerprint(), self.source.label, *key_parts)
        value = self.results.load(kind, key)
        if value is None:
            value = compute()
            self.results.store(kind, key, value)
        return value

    def rpc_model(self) -> RpcModel:
        from tracer.rpc import build_rpc_model

        profile = self.source.profile
        return self.cached("rpc", lambda: build_rpc_model(self.index, self.source.label,
                                                          profile))

    def needs_flows(self, what: str = "trace") -> None:
        """Refuse, in one line, what reads more of a tree than the RPC model on a project
        whose profile does not read it yet (Profile.reads): `ops` (the catalogue), `trace`
        (flows), `build` (the whole catalogue's flows: build, graph, check). Every such
        reading starts here."""
        profile = self.source.profile
        if what in profile.reads:
            return
        if not profile.reads:
            raise OsflowError(f"{profile.name}: only the RPC model (osflow rpc) is read for "
                              "now; ops, trace and build support Nova")
        commands = {"ops": "ops does", "trace": "trace does",
                    "build": "build, graph and check do"}
        raise OsflowError(f"{profile.name}: osflow {commands[what]} not read it yet; "
                          f"rpc, {', '.join(profile.reads)} do")

    def catalogue(self) -> Catalogue:
        """The REST operations, and the periodic tasks each service runs on its own."""
        from tracer.catalogue import build_catalogue
        from tracer.periodic import periodic_operations, with_periodic

        self.needs_flows("ops")
        profile = self.source.profile
        return self.cached("catalogue", lambda: with_periodic(
            build_catalogue(self.index, self.source.label, profile),
            periodic_operations(self.index, self.rpc_model())))

    def flow(self, operation: str, options=None, shared=None):
        """The traced flow of one operation (a client name or alias), cached. `shared`
        (trace.Shared) carries what tracing other operations of this tree learnt."""
        from tracer.catalogue import find_operation
        from tracer.trace import Options, trace_operation

        self.needs_flows()
        options = options or Options()
        op = find_operation(self.catalogue(), operation)
        # every option is part of the key: a field added to Options can't be left out
        return self.cached("flow", lambda: trace_operation(self.index, self.rpc_model(), op,
                                                           options, shared),
                           op.name, repr(options))

    def flow_or_none(self, operation: str):
        """The flow of an operation, or None when the catalogue has no such operation."""
        from tracer.catalogue import find_operation

        try:
            find_operation(self.catalogue(), operation)
        except OsflowError:
            return None
        return self.flow(operation)

    def operation_sends(self) -> dict[str, tuple[tuple[str, str, str], ...]]:
        """What each REST operation's flow sends, by the graph node sending it
        (graph.operation_sends): the paths `check` quotes from an operation. Traces the
        whole catalogue once per tree (the flows a build makes, so after one it is quick)."""
        from tracer.graph import operation_sends
        from tracer.trace import Options, Shared

        self.needs_flows("build")

        def compute():
            shared = Shared(self.index)
            return {f"api:{op.name}": operation_sends(self.flow(op.name, Options(), shared))
                    for op in self.catalogue().operations}

        return self.cached("operation-sends", compute)

    def graph(self):
        """The RPC call graph (tracer.graph), built once per tree and cached."""
        from tracer.graph import build_graph

        self.needs_flows("build")
        return self.cached("graph", lambda: build_graph(self.index, self.rpc_model(),
                                                        self.catalogue()))


def open_workspace(spec: str | None = None, *, cache: Path | None = None) -> Workspace:
    """Resolve `spec` (release, directory or REPO@REF) and index the tree it names."""
    root = cache or cache_dir()
    source = open_source(spec, cache=root)
    return Workspace(source, Index(source.root, SummaryCache(root), package=source.project),
                     ResultCache(root))
