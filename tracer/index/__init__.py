"""The index of one source tree: modules summarised lazily, cached, and name resolution.

Nothing here imports or runs the analysed code: files are read as bytes and parsed.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from tracer.files import MAX_FOLDER_DEPTH, FileRefused, read_regular_file, size_text, walk_folders
from tracer.index import ir
from tracer.index.cache import SummaryCache, kept
from tracer.index.summarize import content_key, module_name, summarize
from tracer.runtime import helper_pool

# Below this many uncached modules a process pool costs more than it saves.
PARALLEL_THRESHOLD = 12

# The largest module read. Nova's largest, nova/compute/manager.py, is under 0.6 MB (its
# largest test module 1.5 MB); a 52 MB module took 6.3 GB and 103 s to parse. A larger
# one, and anything that is not a regular file (a named pipe, a link to /dev/zero), is not
# read: it is a gap of the tree, like a module that cannot be parsed.
MAX_MODULE_BYTES = 8 * 1024 * 1024


@dataclass(slots=True)
class ClassRef:
    module: ir.Module
    cls: ir.Class

    @property
    def dotted(self) -> str:
        return f"{self.module.name}.{self.cls.name}"


@dataclass(slots=True)
class FunctionRef:
    module: ir.Module
    function: ir.Function
    owner: ir.Class | None = None

    @property
    def dotted(self) -> str:
        return f"{self.module.name}.{self.function.qualname}"


@dataclass(slots=True)
class ModuleRef:
    module: ir.Module


@dataclass(slots=True)
class ValueRef:
    """A module-level value (constant, option list, instance) and the module it lives in."""

    module: ir.Module
    name: str
    value: ir.Expr


Ref = ClassRef | FunctionRef | ModuleRef | ValueRef


def read_module(root: Path | str, rel: str) -> tuple[bytes, ir.ParseProblem | None]:
    """The bytes of one module of a tree, or no bytes and why it is not read."""
    try:
        return read_regular_file(Path(root) / rel, MAX_MODULE_BYTES), None
    except FileRefused as exc:
        reason = f"{exc.reason} on a module" if exc.size is not None else exc.reason
    except OSError as exc:
        reason = f"cannot read it: {exc.strerror or exc}"
    return b"", ir.ParseProblem(rel, 1, f"not read: {reason}")


def _unread_module(rel: str, problem: ir.ParseProblem) -> ir.Module:
    """The summary of a module that was not read: empty, with why."""
    return ir.Module(name=module_name(rel), path=rel, digest=content_key(rel, b""),
                     problem=problem)


def _unnameable(name: str) -> str | None:
    """Why no import can name a file or folder called `name`, if none can: Python's
    module names are printable text."""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:  # the undecodable bytes of a name, as os.fsdecode keeps them
        return "its name is not UTF-8, so no import can name it"
    if not name.isprintable():
        return "its name holds a character that is not printable, so no import can name it"
    return None


def _shown(rel: str) -> str:
    """A path of the tree as a message can show it on one line: bytes that are no UTF-8
    as \\xff, other characters that are not printable escaped."""
    text = os.fsencode(rel).decode("utf-8", "backslashreplace")
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii")
                   for c in text)


def _summarize_file(args: tuple[str, str, str | None]) -> ir.Module:
    """Summarise one module and store it in the cache (where the work is done: a pool's
    workers store in parallel what the parent would otherwise store one by one)."""
    root, rel, cache_root = args
    source, problem = read_module(root, rel)
    if problem is not None:  # it changed since the parent read it
        return _unread_module(rel, problem)
    module = summarize(rel, source)
    if cache_root is not None:
        SummaryCache(Path(cache_root)).store(module)
    return module


class Index:
    """Modules of the tree under `root` (the folder holding `package`, `nova/` or
    `cinder/`), read on demand."""

    def __init__(self, root: Path, cache: SummaryCache | None = None,
                 package: str = "nova") -> None:
        self.root = Path(root)
        self.cache = cache
        self.package = package
        self._modules: dict[str, ir.Module | None] = {}
        self._files: list[str] | None = None
        self._listed_files: frozenset[str] | None = None
        self._sources: dict[str, bytes] = {}
        # modules not read (not a regular file, too large), and why
        self._not_read: dict[str, ir.ParseProblem] = {}
        # what the listing left out (a name no import can name, a folder too deep)
        self._unlisted: list[ir.ParseProblem] = []
        self._fingerprint: str | None = None
        self.problems: list[ir.ParseProblem] = []
        self._mro: dict[str, tuple[ir.Class, list[ClassRef]]] = {}
        self._dotted: dict[str, Ref | None] = {}
        # processes `prefetch` may use (None: one per core); a build whose helpers are
        # already busy on the other cores sets 1
        self.workers: int | None = None

    # ------------------------------------------------------------------ files

    def source_files(self) -> list[str]:
        """Every non-test module of the package, as sorted relative paths. A file or folder
        no import can name (see _unnameable), and a folder nested deeper than
        MAX_FOLDER_DEPTH, is left out: a gap of the tree (in `problems`)."""
        if self._files is None:
            found = []
            unlisted = []

            def leave_out(path: str, reason: str) -> None:
                rel = os.path.relpath(path, self.root).replace(os.sep, "/")
                folder = "/" if os.path.isdir(path) else ""
                unlisted.append(ir.ParseProblem(_shown(rel) + folder, 1, f"not read: {reason}"))

            def too_deep(path: str) -> None:
                leave_out(path, f"a folder nested more than {MAX_FOLDER_DEPTH} deep")

            base = self.root / self.package
            # `nova/` is one level deep: MAX_FOLDER_DEPTH - 1 more below it
            for dirpath, dirnames, filenames in walk_folders(str(base), MAX_FOLDER_DEPTH - 1,
                                                             too_deep):
                kept_names = []
                for name in sorted(dirnames):
                    if name == "tests" or name.startswith("."):
                        continue
                    reason = _unnameable(name)
                    if reason is None:
                        kept_names.append(name)
                    else:
                        leave_out(os.path.join(dirpath, name), reason)
                dirnames[:] = kept_names
                rel_dir = os.path.relpath(dirpath, self.root).replace(os.sep, "/")
                for name in filenames:
                    if name.endswith(".py"):
                        reason = _unnameable(name)
                        if reason is None:
                            found.append(f"{rel_dir}/{name}")
                        else:
                            leave_out(os.path.join(dirpath, name), reason)
            self._files = sorted(found)
            self._unlisted = sorted(unlisted, key=lambda p: p.path)
            for problem in self._unlisted:
                self._note(problem)
        return self._files

    def source(self, rel: str) -> bytes:
        """The bytes of one module of the tree (read once); none for a module not read
        (a gap, in `problems`)."""
        return self._bytes(rel)

    def _bytes(self, rel: str) -> bytes:
        data = self._sources.get(rel)
        if data is None:
            data, problem = read_module(self.root, rel)
            if problem is not None:
                self._not_read[rel] = problem
                self._note(problem)
            self._sources[rel] = data
        return data

    def files_containing(self, *needles: bytes) -> list[str]:
        """A cheap text pre-filter: modules whose bytes contain any needle."""
        return [rel for rel in self.source_files()
                if any(n in self._bytes(rel) for n in needles)]

    def fingerprint(self) -> str:
        """A digest of every non-test module's path and bytes, and of the gaps of the
        tree's listing and reading: the tree's identity."""
        if self._fingerprint is None:
            digest = hashlib.sha256()
            for rel in self.source_files():
                digest.update(rel.encode() + b"\0")
                digest.update(hashlib.sha256(self._bytes(rel)).digest())
                if rel in self._not_read:
                    digest.update(self._not_read[rel].message.encode() + b"\0")
            for problem in self._unlisted:
                digest.update(f"{problem.path}\0{problem.message}\0".encode())
            self._fingerprint = digest.hexdigest()
        return self._fingerprint

    def content_key(self, rel: str) -> str:
        """The cache key of one module's summary: its path and bytes."""
        return content_key(rel, self._bytes(rel))

    def path_of(self, dotted: str) -> str | None:
        base = dotted.replace(".", "/")
        listed = self._listed()
        for rel in (f"{base}.py", f"{base}/__init__.py"):
            # the listing spares a stat per name tried; tests folders are not listed
            if rel in listed or ("/tests/" in f"/{rel}" and (self.root / rel).is_file()):
                return rel
        return None

    def _listed(self) -> frozenset[str]:
        if self._listed_files is None:
            self._listed_files = frozenset(self.source_files())
        return self._listed_files

    # ------------------------------------------------------------------ modules

    def module(self, dotted: str) -> ir.Module | None:
        """The summary of module `dotted`, or None when the tree has no such module."""
        if dotted in self._modules:
            return self._modules[dotted]
        rel = self.path_of(dotted)
        mod = self._load(rel) if rel else None
        self._modules[dotted] = mod
        return mod

    def module_at(self, rel: str) -> ir.Module | None:
        return self.module(module_name(rel))

    def _load(self, rel: str) -> ir.Module | None:
        source = self._bytes(rel)
        if rel in self._not_read:
            return _unread_module(rel, self._not_read[rel])
        digest = content_key(rel, source)
        mod = self.cache.load(digest) if self.cache else None
        if mod is None:
            mod = summarize(rel, source)
            if self.cache:
                self.cache.store(mod)
        self._note_problem(mod)
        return kept(mod)

    def _note_problem(self, mod: ir.Module) -> None:
        if mod.problem is not None:
            self._note(mod.problem)

    def _note(self, problem: ir.ParseProblem) -> None:
        if problem not in self.problems:
            self.problems.append(problem)

    def prefetch(self, rels: list[str], workers: int | None = None) -> None:
        """Summarise many modules at once, in parallel when enough of them are uncached."""
        todo: list[str] = []
        for rel in rels:
            name = module_name(rel)
            if name in self._modules:
                continue
            source = self._bytes(rel)
            if rel in self._not_read:
                self._modules[name] = _unread_module(rel, self._not_read[rel])
                continue
            mod = self.cache.load(content_key(rel, source)) if self.cache else None
            if mod is None:
                todo.append(rel)
            else:
                self._modules[name] = kept(mod)
                self._note_problem(mod)
        if not todo:
            return
        workers = workers or self.workers or os.cpu_count() or 1
        cache_root = str(self.cache.root) if self.cache else None
        jobs = [(str(self.root), rel, cache_root) for rel in todo]
        if len(todo) < PARALLEL_THRESHOLD or workers < 2:
            results = [_summarize_file(job) for job in jobs]
        else:
            with helper_pool(workers) as pool:
                results = list(pool.map(_summarize_file, jobs, chunksize=4))
        for mod in results:
            self._modules[mod.name] = kept(mod)
            self._note_problem(mod)

    # ------------------------------------------------------------------ resolution

    def resolve(self, module: ir.Module, name: str) -> Ref | None:
        """What a top-level name of `module` refers to, following imports."""
        if name in module.classes:
            return ClassRef(module, module.classes[name])
        if name in module.functions:
            return FunctionRef(module, module.functions[name])
        if name in module.imports:
            return self.resolve_dotted(module.imports[name].target)
        if name in module.assigns:
            return ValueRef(module, name, module.assigns[name])
        return None

    def resolve_dotted(self, dotted: str, _depth: int = 0) -> Ref | None:
        """`nova.compute.rpcapi.ComputeAPI` -> the class; a module path -> the module."""
        if _depth == 0:
            # remembered: a tracer resolves the same imported names (`objects`,
            # `compute_utils`) at every use, and the tree does not change under it
            if dotted not in self._dotted:
                self._dotted[dotted] = self._resolve_dotted(dotted, 0)
            return self._dotted[dotted]
        return self._resolve_dotted(dotted, _depth)

    def _resolve_dotted(self, dotted: str, _depth: int) -> Ref | None:
        if _depth > 8:
            return None
        mod = self.module(dotted)
        if mod is not None:
            return ModuleRef(mod)
        head, _, attr = dotted.rpartition(".")
        if not head:
            return None
        parent = self.resolve_dotted(head, _depth + 1)
        if isinstance(parent, ModuleRef):
            return self._member(parent.module, attr, _depth)
        if isinstance(parent, ClassRef):
            method = self.find_method(parent, attr)
            return method
        return None

    def _member(self, module: ir.Module, name: str, depth: int) -> Ref | None:
        if name in module.imports and depth < 8:
            return self.resolve_dotted(module.imports[name].target, depth + 1)
        found = self.resolve(module, name)
        if found is None:
            # `consoleauth.rpcapi` after `import nova.consoleauth.rpcapi` elsewhere
            sub = self.module(f"{module.name}.{name}")
            if sub is not None:
                return ModuleRef(sub)
        return found

    def resolve_expr(self, module: ir.Module, expr: ir.Expr) -> Ref | None:
        """A dotted expression (`manager.Manager`, `rpcapi.ComputeAPI`) at module level."""
        if isinstance(expr, ir.Name):
            return self.resolve(module, expr.id)
        if isinstance(expr, ir.Attr):
            base = self.resolve_expr(module, expr.value)
            if isinstance(base, ModuleRef):
                return self._member(base.module, expr.attr, 0)
            if isinstance(base, ClassRef):
                return self.find_method(base, expr.attr)
        return None

    def bases(self, ref: ClassRef) -> list[ClassRef]:
        out = []
        for base in ref.cls.bases:
            found = self.resolve_expr(ref.module, base)
            if isinstance(found, ClassRef):
                out.append(found)
        return out

    def mro(self, ref: ClassRef) -> list[ClassRef]:
        """Depth-first, left-to-right ancestry (good enough for Nova's single inheritance)."""
        key = ref.dotted
        cached = self._mro.get(key)
        if cached is None or cached[0] is not ref.cls:
            cached = self._mro[key] = (ref.cls, self._compute_mro(ref))
        return cached[1]

    def _compute_mro(self, ref: ClassRef) -> list[ClassRef]:
        seen: set[str] = set()
        order: list[ClassRef] = []
        stack = [ref]
        while stack:
            current = stack.pop(0)
            if current.dotted in seen:
                continue
            seen.add(current.dotted)
            order.append(current)
            stack = self.bases(current) + stack
        return order

    def find_method(self, ref: ClassRef, name: str) -> FunctionRef | None:
        for klass in self.mro(ref):
            fn = klass.cls.methods.get(name)
            if fn is not None:
                return FunctionRef(klass.module, fn, klass.cls)
        return None

    def class_attr(self, ref: ClassRef, name: str) -> tuple[ClassRef, ir.Expr] | None:
        for klass in self.mro(ref):
            if name in klass.cls.attrs:
                return klass, klass.cls.attrs[name]
        return None
