"""Lazy loading, name resolution, the content-hash cache, and never importing the tree."""

from __future__ import annotations

import pickle

from tests.trees import MODERN, write_tree
from tracer.index import ClassRef, FunctionRef, Index, ModuleRef
from tracer.index.cache import ResultCache, SummaryCache
from tracer.rpc import build_rpc_model


def test_modules_load_lazily(tmp_path):
    index = Index(write_tree(tmp_path, MODERN))
    assert index.module("nova.scheduler.manager") is not None
    assert set(index._modules) == {"nova.scheduler.manager"}
    assert index.module("nova.no_such_module") is None


def test_resolve_through_imports_and_bases(tmp_path):
    index = Index(write_tree(tmp_path, MODERN))
    ref = index.resolve_dotted("nova.scheduler.manager.SchedulerManager")
    assert isinstance(ref, ClassRef)
    assert [c.dotted for c in index.mro(ref)] == [
        "nova.scheduler.manager.SchedulerManager", "nova.manager.Manager"]
    method = index.find_method(ref, "reset")
    assert isinstance(method, FunctionRef) and method.dotted == "nova.manager.Manager.reset"
    assert isinstance(index.resolve_dotted("nova.compute"), ModuleRef)


def test_second_run_parses_nothing(tmp_path):
    root = write_tree(tmp_path / "tree", MODERN)
    cold = SummaryCache(tmp_path / "cache")
    first = build_rpc_model(Index(root, cold), "t")
    assert cold.misses > 0 and cold.hits == 0
    warm = SummaryCache(tmp_path / "cache")
    second = build_rpc_model(Index(root, warm), "t")
    assert warm.misses == 0 and warm.hits == cold.misses
    assert first.methods == second.methods


def test_corrupted_cache_entry_is_rebuilt(tmp_path):
    root = write_tree(tmp_path / "tree", MODERN)
    cache = SummaryCache(tmp_path / "cache")
    build_rpc_model(Index(root, cache), "t")
    entries = sorted(cache.dir.rglob("*.pickle"))
    assert entries
    for entry in entries:
        entry.write_bytes(b"garbage")
    again = SummaryCache(tmp_path / "cache")
    model = build_rpc_model(Index(root, again), "t")
    assert again.hits == 0 and model.methods
    assert all(e.read_bytes() != b"garbage" for e in sorted(again.dir.rglob("*.pickle")))


def test_changed_file_is_re_summarised(tmp_path):
    root = write_tree(tmp_path / "tree", MODERN)
    build_rpc_model(Index(root, SummaryCache(tmp_path / "cache")), "t")
    path = root / "nova/scheduler/rpcapi.py"
    path.write_text(path.read_text().replace("'select_destinations'", "'select_hosts'"))
    model = build_rpc_model(Index(root, SummaryCache(tmp_path / "cache")), "t")
    assert "select_hosts" in {m.method for m in model.methods}


def test_analysed_code_is_never_imported(tmp_path):
    marker = tmp_path / "IMPORTED"
    payload = f"open({str(marker)!r}, 'w').write('x')\n"
    root = write_tree(tmp_path / "tree", MODERN)
    for path in root.rglob("*.py"):
        path.write_text(payload + path.read_text())
    (root / "setup.py").write_text(payload)
    model = build_rpc_model(Index(root, SummaryCache(tmp_path / "cache")), "t")
    assert model.methods
    assert not marker.exists()


def test_parallel_prefetch_matches_serial(tmp_path):
    root = write_tree(tmp_path / "tree", MODERN)
    serial = Index(root)
    parallel = Index(root)
    rels = serial.source_files()
    serial.prefetch(rels, workers=1)
    parallel.prefetch(rels * 1, workers=2)
    import tracer.index as idx

    old = idx.PARALLEL_THRESHOLD
    idx.PARALLEL_THRESHOLD = 1
    try:
        forced = Index(root)
        forced.prefetch(rels, workers=2)
    finally:
        idx.PARALLEL_THRESHOLD = old
    for rel in rels:
        assert serial.module_at(rel) == forced.module_at(rel)


def test_a_parallel_prefetch_leaves_every_summary_in_the_cache(tmp_path, monkeypatch):
    import tracer.index as idx

    root = write_tree(tmp_path / "tree", MODERN)
    monkeypatch.setattr(idx, "PARALLEL_THRESHOLD", 1)
    cache = SummaryCache(tmp_path / "cache")
    first = Index(root, cache)
    rels = first.source_files()
    first.prefetch(rels, workers=2)  # the pool's workers store what they summarise
    assert all(cache.has(first.content_key(rel)) for rel in rels)
    again = Index(root, SummaryCache(tmp_path / "cache"))
    again.prefetch(rels, workers=2)
    assert again.cache.hits == len(rels) and again.cache.misses == 0


def test_old_temporary_files_of_killed_writes_are_removed_and_fresh_ones_kept(tmp_path):
    import os

    from tracer.index.cache import remove_stale_temporaries

    old = tmp_path / "summaries" / "ir-x" / "ab" / ".ab12.pickle.killed.tmp"
    fresh = tmp_path / "results" / "flow" / ".cd34.pickle.writing.tmp"
    entry = tmp_path / "summaries" / "ir-x" / "ab" / "ab12.pickle"
    for path in (old, fresh, entry):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"x")
    os.utime(old, (0, 0))
    os.utime(entry, (0, 0))
    assert remove_stale_temporaries(tmp_path) == [old]
    assert fresh.exists() and entry.exists() and not old.exists()


class _Exploit:
    """Pickles to a call of `function` on `argument`: what a crafted cache entry holds."""

    def __init__(self, function, argument):
        self.function, self.argument = function, argument

    def __reduce__(self):
        return self.function, (self.argument,)


def crafted_entries(marker):
    """Pickles that run code on load, each leaving `marker` if it ever runs."""
    import builtins
    import os

    return [pickle.dumps(_Exploit(os.system, f"echo system >> {marker}")),
            pickle.dumps(_Exploit(builtins.exec, f"open({str(marker)!r}, 'a').write('exec')"))]


def call_of(module: str, name: str, argument: str) -> bytes:
    """A protocol-4 pickle calling module.name(argument), however it is spelt."""
    def text(value: str) -> bytes:
        return b"\x8c" + bytes([len(value.encode())]) + value.encode()

    return b"\x80\x04" + text(module) + text(name) + b"\x93" + text(argument) + b"\x85R."


def test_only_osflows_own_classes_are_loaded(tmp_path):
    """Not a function of an admitted module, nor what it imported, nor a name that walks
    from one of its classes to something else."""
    results = ResultCache(tmp_path / "cache")
    path = results._path("flow", "k")
    path.parent.mkdir(parents=True)
    for module, name in (("tracer.catalogue", "is_safe_file_stem"),  # a function
                         ("tracer.catalogue", "Index"),  # a class it imported
                         ("tracer.model", "Flow.__init__"),  # a dotted name
                         ("tracer.files", "write_atomic"),  # not an admitted module
                         ("builtins", "eval")):
        path.write_bytes(call_of(module, name, "x"))
        assert results.load("flow", "k") is None, (module, name)
    path.write_bytes(call_of("tracer.model", "Service", "nova-compute"))
    assert results.load("flow", "k") is None  # a class with an argument missing: corrupt
    path.write_bytes(pickle.dumps({"sends": ("a", "b")}))
    assert results.load("flow", "k") == {"sends": ("a", "b")}  # plain data loads


def test_summaries_that_would_run_code_are_rebuilt_without_running(tmp_path):
    root = write_tree(tmp_path / "tree", MODERN)
    marker = tmp_path / "ran"
    expected = build_rpc_model(Index(root, SummaryCache(tmp_path / "cache")), "t")
    entries = sorted(SummaryCache(tmp_path / "cache").dir.rglob("*.pickle"))
    for crafted in crafted_entries(marker):
        for entry in entries:
            entry.write_bytes(crafted)
        again = SummaryCache(tmp_path / "cache")
        model = build_rpc_model(Index(root, again), "t")
        assert not marker.exists(), marker.read_text()
        assert again.hits == 0 and model.methods == expected.methods
        assert all(e.read_bytes() != crafted for e in entries)


def test_results_that_would_run_code_are_misses_without_running(tmp_path):
    results = ResultCache(tmp_path / "cache")
    marker = tmp_path / "ran"
    for crafted in crafted_entries(marker):
        path = results._path("rpc", "k")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(crafted)
        assert results.load("rpc", "k") is None
        assert not marker.exists(), marker.read_text()
        assert not path.exists()


def test_every_result_osflow_stores_loads_again(tmp_path):
    """The loader admits only classes osflow stores: each kind of result a workspace
    caches must come back from the cache, not be silently computed again."""
    from tests.trees import TRACE
    from tracer.workspace import open_workspace

    root = write_tree(tmp_path / "tree", TRACE)
    first = open_workspace(str(root), cache=tmp_path / "cache")
    made = [first.rpc_model(), first.catalogue(), first.flow("pause"), first.graph(),
            first.operation_sends()]
    stored = sorted((tmp_path / "cache" / "results").rglob("*.pickle"))
    assert {p.parent.name for p in stored} == {"rpc", "catalogue", "flow", "graph",
                                               "operation-sends"}
    results = ResultCache(tmp_path / "cache")
    loaded = [results.load(p.parent.name, p.stem) for p in stored]
    assert None not in loaded
    again = open_workspace(str(root), cache=tmp_path / "cache")
    assert again.rpc_model() == made[0] and again.catalogue() == made[1]
    assert again.flow("pause") == made[2] and again.operation_sends() == made[4]
    assert sorted(again.graph().edges(keys=True)) == sorted(made[3].edges(keys=True))
