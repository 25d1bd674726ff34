"""Source bytes -> `ir.Module`: parse with CPython's `ast` and keep the slim form.

Why `ast` and not libcst: the summary needs no concrete syntax (no whitespace, comments or
round-tripping), and on Nova's compute manager alone libcst takes ~2 s to parse and ~3 s
more to compute positions, against 0.17 s for `ast` with positions included. See
BENCHMARKS.md. Python-2-era modules (`async` as a name) parse with the 3.6 grammar.
"""

from __future__ import annotations

import ast
import hashlib
import warnings

from tracer.index import ir

# Oldest grammar CPython still accepts; it takes `async`/`await` as plain names.
LEGACY_FEATURE_VERSION = (3, 6)


def module_name(path: str) -> str:
    """nova/compute/api.py -> nova.compute.api; nova/compute/__init__.py -> nova.compute."""
    parts = path[:-3].split("/")
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def content_key(path: str, source: bytes) -> str:
    """The cache key: the path is part of it, since a summary records its module's name."""
    return hashlib.sha256(path.encode() + b"\0" + source).hexdigest()


def summarize(path: str, source: bytes) -> ir.Module:
    """Summarise one module; a module that cannot be parsed carries `problem` instead."""
    name = module_name(path)
    digest = content_key(path, source)
    with warnings.catch_warnings():
        # the analysed tree's own invalid escapes etc. are not the user's concern
        warnings.simplefilter("ignore")
        return _parse_and_summarize(name, path, source, digest)


def _parse_and_summarize(name: str, path: str, source: bytes, digest: str) -> ir.Module:
    # Each grammar's parse is guarded alike: the legacy retry runs while the first
    # SyntaxError is handled, where an `except` beside it would not catch what it raises
    # (a Python-2-era module nested too deeply raised RecursionError through it).
    legacy = False
    tree = _parsed(source, path)
    if isinstance(tree, SyntaxError):
        tree = _parsed(source, path, LEGACY_FEATURE_VERSION)
        legacy = True
    if isinstance(tree, SyntaxError):
        return _broken(name, path, digest, tree.lineno or 0, tree.msg)
    if isinstance(tree, ir.ParseProblem):
        return _broken(name, path, digest, tree.line, tree.message)
    try:
        return _Summarizer(name, path, source).module(tree, digest, legacy)
    except RecursionError:
        return _broken(name, path, digest, _deepest_line(tree), "nested too deeply to summarise")


def _parsed(source: bytes, path: str, feature_version: tuple[int, int] | None = None,
            ) -> ast.Module | SyntaxError | ir.ParseProblem:
    """The module's syntax tree; its SyntaxError, or what else stopped the parser."""
    try:
        return ast.parse(source, filename=path, feature_version=feature_version)
    except SyntaxError as exc:
        return exc
    except RecursionError:
        # CPython's parser gives no position here; the whole file is the unit that failed
        return ir.ParseProblem(path, 1, "nested too deeply for Python's parser")
    except (ValueError, MemoryError) as exc:
        return ir.ParseProblem(path, 1, f"{type(exc).__name__}: {exc}")


def _deepest_line(tree: ast.AST) -> int:
    """The line of the most deeply nested node (found without recursion, unlike ast.walk
    users that recurse), to point the user at what broke the summariser."""
    deepest, line = -1, 1
    stack = [(tree, 0)]
    while stack:
        node, depth = stack.pop()
        if depth > deepest and getattr(node, "lineno", None):
            deepest, line = depth, node.lineno
        stack.extend((child, depth + 1) for child in ast.iter_child_nodes(node))
    return line


def _broken(name: str, path: str, digest: str, line: int, message: str) -> ir.Module:
    return ir.Module(name=name, path=path, digest=digest,
                     problem=ir.ParseProblem(path, line, message))


class _Summarizer:
    """One module's conversion; keeps the source to quote conditions."""

    def __init__(self, name: str, path: str, source: bytes) -> None:
        self.name = name
        self.path = path
        self.source = source
        self.is_package = path.endswith("__init__.py")
        # ast positions are (line, byte offset in that line); one split, done in C
        self._lines = source.split(b"\n")
        # Equal leaves are one object (summaries are read-only): `self`, `context` and
        # `self.compute_rpcapi` recur thousands of times in a module, and a shared object is
        # pickled, stored and unpickled once.
        self._names: dict[str, ir.Name] = {}
        self._attrs: dict[tuple[int, str], ir.Attr] = {}
        self._consts: dict[tuple[type, object], ir.Const] = {}

    # ------------------------------------------------------------------ module level

    def module(self, tree: ast.Module, digest: str, legacy: bool) -> ir.Module:
        mod = ir.Module(name=self.name, path=self.path, digest=digest, legacy_grammar=legacy)
        body: list[ir.Stmt] = []
        self._module_body(tree.body, mod, body)
        mod.body = tuple(body)
        return mod

    def _module_body(self, stmts: list[ast.stmt], mod: ir.Module, body: list[ir.Stmt]) -> None:
        for node in stmts:
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                for imp in self._imports(node):
                    mod.imports[imp.local] = imp
            elif isinstance(node, ast.ClassDef):
                mod.classes[node.name] = self._class(node, prefix="")
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                mod.functions[node.name] = self._function(node, qualname=node.name)
            elif isinstance(node, ast.If) and _is_type_checking(node.test):
                self._module_body(node.body, mod, body)
            elif isinstance(node, ast.Try):
                # `try: import x except ImportError: x = None` -- keep the imports
                self._module_body(node.body, mod, body)
            else:
                converted = self._stmt(node, scope="")
                if converted is None:
                    continue
                body.append(converted)
                if isinstance(converted, ir.Assign):
                    for target in converted.targets:
                        if isinstance(target, ir.Name):
                            mod.assigns[target.id] = converted.value

    def _imports(self, node: ast.Import | ast.ImportFrom) -> list[ir.Import]:
        out = []
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    out.append(ir.Import(alias.asname, alias.name, node.lineno))
                else:
                    # `import a.b` binds `a`
                    head = alias.name.split(".")[0]
                    out.append(ir.Import(head, head, node.lineno))
            return out
        base = self._from_base(node)
        for alias in node.names:
            if alias.name == "*":
                continue
            target = f"{base}.{alias.name}" if base else alias.name
            out.append(ir.Import(alias.asname or alias.name, target, node.lineno))
        return out

    def _from_base(self, node: ast.ImportFrom) -> str:
        if not node.level:
            return node.module or ""
        package = self.name.split(".")
        if not self.is_package:
            package = package[:-1]
        if node.level > 1:
            package = package[: len(package) - (node.level - 1)]
        parts = package + ([node.module] if node.module else [])
        return ".".join(p for p in parts if p)

    # ------------------------------------------------------------------ definitions

    def _class(self, node: ast.ClassDef, prefix: str) -> ir.Class:
        qual = f"{prefix}{node.name}"
        methods: dict[str, ir.Function] = {}
        overloads: dict[str, tuple[ir.Function, ...]] = {}
        attrs: dict[str, ir.Expr] = {}
        for item in node.body:
            if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)):
                fn = self._function(item, qualname=f"{qual}.{item.name}")
                if fn.name in methods and _is_setter(item):
                    continue  # keep the property getter, not its setter
                if item.name in methods:
                    overloads[item.name] = overloads.get(item.name, ()) + (methods[item.name],)
                methods[item.name] = fn
            elif isinstance(item, ast.Assign):
                value = self._expr(item.value)
                for target in item.targets:
                    if isinstance(target, ast.Name):
                        attrs[target.id] = value
            elif isinstance(item, ast.AnnAssign) and item.value is not None:
                if isinstance(item.target, ast.Name):
                    attrs[item.target.id] = self._expr(item.value)
        return ir.Class(
            name=node.name,
            bases=tuple(self._expr(b) for b in node.bases),
            decorators=tuple(self._expr(d) for d in node.decorator_list),
            methods=methods,
            attrs=attrs,
            line=node.lineno,
            end_line=node.end_lineno or node.lineno,
            overloads=overloads,
        )

    def _function(self, node: ast.FunctionDef | ast.AsyncFunctionDef, qualname: str) -> ir.Function:
        decorators = tuple(self._expr(d) for d in node.decorator_list)
        names = {_dotted_tail(d) for d in node.decorator_list}
        return ir.Function(
            name=node.name,
            qualname=qualname,
            params=self._params(node.args),
            decorators=decorators,
            body=self._body(node.body, scope=f"{qualname}.<locals>."),
            line=node.lineno,
            end_line=node.end_lineno or node.lineno,
            is_async=isinstance(node, ast.AsyncFunctionDef),
            is_property="property" in names or "cached_property" in names,
            is_static="staticmethod" in names,
            is_classmethod="classmethod" in names,
        )

    def _params(self, args: ast.arguments) -> tuple[ir.Param, ...]:
        positional = list(args.posonlyargs) + list(args.args)
        defaults: list[ast.expr | None] = [None] * (len(positional) - len(args.defaults))
        defaults += list(args.defaults)
        out = [ir.Param(a.arg, self._opt(d)) for a, d in zip(positional, defaults)]
        if args.vararg:
            out.append(ir.Param(args.vararg.arg, None, "vararg"))
        for a, d in zip(args.kwonlyargs, args.kw_defaults):
            out.append(ir.Param(a.arg, self._opt(d), "kwonly"))
        if args.kwarg:
            out.append(ir.Param(args.kwarg.arg, None, "kwarg"))
        return tuple(out)

    # ------------------------------------------------------------------ statements

    def _body(self, stmts: list[ast.stmt], scope: str) -> tuple[ir.Stmt, ...]:
        out = []
        for node in stmts:
            converted = self._stmt(node, scope)
            if converted is not None:
                out.append(converted)
        return tuple(out)

    def _stmt(self, node: ast.stmt, scope: str) -> ir.Stmt | None:
        line = node.lineno
        kind = type(node)  # exact types: the parser makes no subclasses
        if kind is ast.Expr:
            if type(node.value) is ast.Constant:
                return None  # docstrings
            return ir.ExprStmt(self._expr(node.value), line)
        if kind is ast.Assign:
            return ir.Assign(tuple([self._expr(t) for t in node.targets]),
                             self._expr(node.value), line)
        if kind is ast.If:
            return ir.If(self._expr(node.test), self._text(node.test),
                         self._body(node.body, scope), self._body(node.orelse, scope), line)
        if kind is ast.Return:
            return ir.Return(self._opt(node.value), line)
        if kind is ast.AnnAssign:
            if node.value is None:
                return None
            return ir.Assign((self._expr(node.target),), self._expr(node.value), line)
        if kind is ast.AugAssign:
            return ir.Assign((self._expr(node.target),), self._expr(node.value), line,
                             augmented=True)
        if kind is ast.Raise:
            return ir.Raise(self._opt(node.exc), line)
        if isinstance(node, (ast.For, ast.AsyncFor)):
            return ir.Loop("for", self._expr(node.target), self._expr(node.iter),
                           f"{self._text(node.target)} in {self._text(node.iter)}",
                           self._body(node.body, scope), self._body(node.orelse, scope), line)
        if isinstance(node, ast.While):
            return ir.Loop("while", None, self._expr(node.test), self._text(node.test),
                           self._body(node.body, scope), self._body(node.orelse, scope), line)
        if isinstance(node, (ast.With, ast.AsyncWith)):
            items = tuple((self._expr(i.context_expr), self._opt(i.optional_vars))
                          for i in node.items)
            return ir.With(items, self._body(node.body, scope), line)
        if isinstance(node, ast.Try) or type(node).__name__ == "TryStar":
            handlers = tuple(
                ir.Handler(self._text(h.type) if h.type else "", h.name,
                           self._body(h.body, scope), h.lineno)
                for h in node.handlers)
            return ir.Try(self._body(node.body, scope), handlers,
                          self._body(node.orelse, scope), self._body(node.finalbody, scope),
                          line)
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            return ir.FunctionDef(self._function(node, qualname=f"{scope}{node.name}"), line)
        if isinstance(node, ast.ClassDef):
            return ir.ClassDef(self._class(node, prefix=scope), line)
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            # imports inside functions: record as assignments of a module reference
            imps = self._imports(node)
            if not imps:
                return None
            return ir.Assign(tuple(ir.Name(i.local) for i in imps),
                             ir.Other(f"import {imps[0].target}"), line)
        if hasattr(ast, "Match") and isinstance(node, ast.Match):
            cases = tuple(self._body(c.body, scope) for c in node.cases)
            flat = tuple(s for case in cases for s in case)
            return ir.If(self._expr(node.subject), f"match {self._text(node.subject)}",
                         flat, (), line)
        if kind is ast.Break or kind is ast.Continue:
            return ir.Jump("break" if kind is ast.Break else "continue", line)
        return None  # pass, del, global, nonlocal, assert

    # ------------------------------------------------------------------ expressions

    def _opt(self, node: ast.expr | None) -> ir.Expr | None:
        return None if node is None else self._expr(node)

    def _expr(self, node: ast.expr) -> ir.Expr:
        kind = type(node)  # the parser makes no subclasses: exact types, commonest first
        if kind is ast.Name:
            name = self._names.get(node.id)
            if name is None:
                name = self._names[node.id] = ir.Name(node.id)
            return name
        if kind is ast.Attribute:
            value = self._expr(node.value)
            key = (id(value), node.attr)
            attr = self._attrs.get(key)
            if attr is None:
                attr = ir.Attr(value, node.attr)
                if type(value) is ir.Name or type(value) is ir.Attr:  # shared: id() is stable
                    self._attrs[key] = attr
            return attr
        if kind is ast.Constant:
            return self._const(node.value)
        if kind is ast.Call:
            return self._call(node)
        if kind is ast.Starred:
            return ir.Starred(self._expr(node.value))
        if kind is ast.IfExp:
            return ir.IfExp(self._expr(node.test), self._expr(node.body),
                            self._expr(node.orelse), self._text(node.test))
        if kind is ast.BoolOp:
            op = "and" if isinstance(node.op, ast.And) else "or"
            return ir.BoolOp(op, tuple([self._expr(v) for v in node.values]), self._text(node))
        if kind is ast.Dict:
            return ir.DictExpr(tuple([self._opt(k) for k in node.keys]),
                               tuple([self._expr(v) for v in node.values]))
        if kind is ast.List or kind is ast.Tuple or kind is ast.Set:
            return ir.Seq(tuple([self._expr(e) for e in node.elts]))
        if kind is ast.Lambda:
            params = tuple(p.name for p in self._params(node.args))
            return ir.Lambda(params, self._expr(node.body))
        if kind is ast.Await:
            return self._expr(node.value)
        text = self._text(node)
        # a call needs a parenthesis: most such expressions (`a + b`, `x[k]`, `not y`)
        # have none, and need no walk
        calls = self._nested_calls(node) if "(" in text or not text else ()
        return ir.Other(text, calls, self._shape(node, kind))

    def _shape(self, node: ast.expr, kind: type) -> ir.Subscript | ir.Comp | None:
        """The structure of the expressions the tracer reads as more than text: an item
        of a list or dict (`convert_all_volumes(bdm)[0]`, `bdm['connection_info']`) and a
        comprehension with one `for` (`[vol for vol in itertools.chain(...)]`)."""
        if kind is ast.Subscript and type(node.slice) is not ast.Slice:
            return ir.Subscript(self._expr(node.value), self._expr(node.slice))
        if (kind is ast.ListComp or kind is ast.GeneratorExp or kind is ast.SetComp) and \
                len(node.generators) == 1 and not node.generators[0].is_async:
            generator = node.generators[0]
            return ir.Comp(self._expr(node.elt), self._expr(generator.target),
                           self._expr(generator.iter),
                           tuple([self._expr(c) for c in generator.ifs]))
        return None

    def _const(self, value: object) -> ir.Expr:
        if value is Ellipsis or isinstance(value, complex):
            return ir.Other("...")
        key = (type(value), value)
        const = self._consts.get(key)
        if const is None:
            const = self._consts[key] = ir.Const(value)
        return const

    def _call(self, node: ast.Call) -> ir.Call:
        return ir.Call(self._expr(node.func), tuple([self._expr(a) for a in node.args]),
                       tuple([(k.arg, self._expr(k.value)) for k in node.keywords]),
                       node.lineno)

    def _nested_calls(self, node: ast.expr) -> tuple[ir.Call, ...]:
        """Calls inside an expression we do not model (`a and b()`, `x + f()`, f-strings)."""
        found: list[ir.Call] = []
        stack = list(ast.iter_child_nodes(node))
        while stack:
            child = stack.pop()
            if isinstance(child, ast.Call):
                found.append(self._call(child))
            elif isinstance(child, (ast.Lambda,)):
                continue
            else:
                stack.extend(ast.iter_child_nodes(child))
        found.sort(key=lambda c: c.line)
        return tuple(found)

    def _text(self, node: ast.AST) -> str:
        """The source text of a node, on one line (conditions and labels quote it)."""
        try:
            first, last = node.lineno - 1, node.end_lineno - 1
            if first == last:
                text = self._lines[first][node.col_offset:node.end_col_offset]
            else:
                text = b"\n".join([self._lines[first][node.col_offset:],
                                   *self._lines[first + 1:last],
                                   self._lines[last][:node.end_col_offset]])
        except (AttributeError, IndexError, TypeError):
            return ""
        return " ".join(text.decode("utf-8", "replace").split())


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _is_setter(node: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    return any(isinstance(d, ast.Attribute) and d.attr in {"setter", "deleter"}
               for d in node.decorator_list)


def _dotted_tail(node: ast.expr) -> str:
    if isinstance(node, ast.Call):
        node = node.func
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Name):
        return node.id
    return ""
