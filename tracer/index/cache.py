"""Per-module summaries cached on disk by content hash.

Entries are pickles of `ir.Module` written by osflow itself (never by the analysed tree),
stored under `summaries/<format>/<aa>/<sha256>.pickle`. A corrupted or truncated entry is
detected on load, removed and rebuilt. Writes go to a temporary file renamed into place,
so concurrent or interrupted runs leave either no entry or a whole one.

An entry is read back by an unpickler that builds only osflow's own data classes and
networkx's graphs (`_load`): a pickle can name any callable to run while it loads
(os.system, builtins.exec), and a planted entry is treated as a corrupt one.
"""

from __future__ import annotations

import dataclasses
import gc
import hashlib
import io
import operator
import os
import pickle
from pathlib import Path

from tracer.files import TEMP_SUFFIX, read_regular_file, write_atomic
from tracer.index import ir

# Bump when the summary format or the summariser's output changes.
FORMAT = "ir-7"

# The largest entry read: Nova's largest summary is 0.5 MB, its RPC model and catalogue
# less; a larger entry, or one that is not a regular file, is a miss.
MAX_ENTRY_BYTES = 256 * 1024 * 1024


class SummaryCache:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.dir = root / "summaries" / FORMAT
        self.hits = 0
        self.misses = 0

    def has(self, digest: str) -> bool:
        return self._path(digest).is_file()

    def _path(self, digest: str) -> Path:
        return self.dir / digest[:2] / f"{digest}.pickle"

    def load(self, digest: str) -> ir.Module | None:
        path = self._path(digest)
        try:  # a named pipe planted there is not waited on: a miss, left alone
            data = read_regular_file(path, MAX_ENTRY_BYTES)
        except OSError:
            self.misses += 1
            return None
        try:
            module = _load(data)
            if not isinstance(module, ir.Module) or module.digest != digest:
                raise ValueError("entry does not match its key")
        except Exception:  # any corruption: drop the entry and rebuild it
            self.misses += 1
            try:
                path.unlink()
            except OSError:
                pass
            return None
        self.hits += 1
        return module

    def store(self, module: ir.Module) -> None:
        try:
            write_atomic(self._path(module.digest), _dumps_summary(module))
        except OSError:
            pass  # a read-only or full cache only costs speed


# Set by the command line (one short process per run): once the index holds a summary,
# loaded or just made, move what exists to the collector's permanent generation. A summary
# lives as long as the process, and rescanning it at every collection costs more than
# loading it (gc.freeze is a list splice). Off in long-lived processes (tests), where
# frozen objects would never be freed.
FREEZE_KEPT = False


def kept(module: ir.Module) -> ir.Module:
    """`module`, now held by an index for the rest of the process."""
    if FREEZE_KEPT:
        gc.freeze()
    return module


def _summary_reducers() -> dict:
    """How each summary class is pickled: as its class called with its fields in order,
    the fields read by one C-level `attrgetter`. Python's default for a slotted dataclass
    builds a dict of every object's slots; this takes half the time to store, 0.6 of the
    time to load and 0.6 of the bytes (measured on Nova's four largest modules)."""
    table = {}
    for cls in vars(ir).values():
        if isinstance(cls, type) and dataclasses.is_dataclass(cls):
            names = [f.name for f in dataclasses.fields(cls)]
            get = operator.attrgetter(*names) if len(names) > 1 else \
                (lambda obj, name=names[0]: (getattr(obj, name),))
            table[cls] = lambda obj, cls=cls, get=get: (cls, get(obj))
    return table


_SUMMARY_REDUCERS = _summary_reducers()


def _dumps_summary(module: ir.Module) -> bytes:
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.dispatch_table = _SUMMARY_REDUCERS
    pickler.dump(module)
    return buffer.getvalue()


# What an entry may name: the data classes of these modules (summaries, RPC models,
# catalogues, flows), and the graph classes of networkx. Everything else a cache entry
# holds is built by pickle's own opcodes (str, int, tuple, list, dict, set, ...).
_LOADABLE_MODULES = frozenset({"tracer.index.ir", "tracer.model", "tracer.catalogue"})
_LOADABLE_CLASSES = frozenset({
    ("networkx.classes.graph", "Graph"), ("networkx.classes.digraph", "DiGraph"),
    ("networkx.classes.multigraph", "MultiGraph"),
    ("networkx.classes.multidigraph", "MultiDiGraph"),
})


class _Unpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str):
        if "." not in name and (module in _LOADABLE_MODULES or
                                (module, name) in _LOADABLE_CLASSES):
            found = super().find_class(module, name)
            # a class defined there, not a function or something the module imported
            if isinstance(found, type) and found.__module__ == module:
                return found
        raise pickle.UnpicklingError(f"{module}.{name} is not a class osflow caches")


def _load(data: bytes):
    """A cache entry's value; UnpicklingError when it names anything osflow never stores."""
    return _Unpickler(io.BytesIO(data)).load()


def _write_pickle(path: Path, value: object) -> None:
    """Written whole (files.write_atomic): readers see no entry or a whole one."""
    try:
        write_atomic(path, pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
    except OSError:
        pass  # a read-only or full cache only costs speed


def remove_stale_temporaries(root: Path, older_than: float = 3600.0) -> list[Path]:
    """Delete the temporary files of cache writes a killed run left behind (never read, but
    they pile up). Only those older than `older_than` seconds: another run may be writing
    now, and a write takes milliseconds."""
    import time

    deadline = time.time() - older_than
    removed = []
    for folder in (root / "summaries", root / "results"):
        for dirpath, _, filenames in os.walk(folder):
            for name in filenames:
                path = Path(dirpath) / name
                try:
                    if name.startswith(".") and name.endswith(TEMP_SUFFIX) and \
                            path.stat().st_mtime < deadline:
                        path.unlink()
                        removed.append(path)
                except OSError:
                    pass  # gone already, or not ours to delete
    return removed


def code_version() -> str:
    """A digest of osflow's own source: derived results are invalid once the code changes."""
    global _CODE_VERSION
    if _CODE_VERSION is None:
        package = Path(__file__).resolve().parent.parent
        digest = hashlib.sha256()
        for path in sorted(package.rglob("*.py")):
            digest.update(str(path.relative_to(package)).encode() + b"\0" + path.read_bytes())
        _CODE_VERSION = digest.hexdigest()
    return _CODE_VERSION


_CODE_VERSION: str | None = None


class ResultCache:
    """Whole-tree results (the RPC model, later flows) keyed by tree fingerprint and code.

    Same layout and guarantees as SummaryCache: atomic writes, corruption means a miss.
    """

    def __init__(self, root: Path) -> None:
        self.dir = root / "results"

    def _path(self, kind: str, key: str) -> Path:
        return self.dir / kind / f"{key}.pickle"

    def key(self, fingerprint: str, *parts: str) -> str:
        return hashlib.sha256("\0".join((code_version(), fingerprint) + parts).encode()).hexdigest()

    def load(self, kind: str, key: str):
        path = self._path(kind, key)
        try:
            return _load(read_regular_file(path, MAX_ENTRY_BYTES))
        except OSError:  # FileRefused too: a miss
            return None
        except Exception:
            try:
                path.unlink()
            except OSError:
                pass
            return None

    def store(self, kind: str, key: str, value) -> None:
        _write_pickle(self._path(kind, key), value)
