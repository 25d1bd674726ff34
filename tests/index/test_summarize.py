"""ast -> summary: names, imports, definitions and the Python-2-era fallback."""

from __future__ import annotations

import textwrap

from tracer.index import ir
from tracer.index.summarize import module_name, summarize


def _summary(src: str, path: str = "nova/compute/api.py") -> ir.Module:
    return summarize(path, textwrap.dedent(src).encode())


def test_module_names():
    assert module_name("nova/compute/api.py") == "nova.compute.api"
    assert module_name("nova/compute/__init__.py") == "nova.compute"


def test_imports_absolute_relative_and_aliased():
    mod = _summary("""
        import os.path
        import oslo_messaging as messaging
        from nova import rpc
        from . import rpcapi as compute_rpcapi
        from ..conductor import api
        """)
    assert mod.imports["os"].target == "os"
    assert mod.imports["messaging"].target == "oslo_messaging"
    assert mod.imports["rpc"].target == "nova.rpc"
    assert mod.imports["compute_rpcapi"].target == "nova.compute.rpcapi"
    assert mod.imports["api"].target == "nova.conductor.api"


def test_relative_import_in_package_init():
    mod = summarize("nova/compute/__init__.py", b"from .api import API\n")
    assert mod.imports["API"].target == "nova.compute.api.API"


def test_classes_methods_properties_and_attrs():
    mod = _summary("""
        class A(base.B):
            target = messaging.Target(version='1.0')

            @property
            def router(self):
                return 1

            @router.setter
            def router(self, value):
                pass

            @staticmethod
            def helper(x, y=2, *rest, flag=True, **kw):
                return x
        """)
    cls = mod.classes["A"]
    assert isinstance(cls.bases[0], ir.Attr) and cls.bases[0].attr == "B"
    assert isinstance(cls.attrs["target"], ir.Call)
    assert cls.methods["router"].is_property  # the getter is kept, not the setter
    helper = cls.methods["helper"]
    assert helper.is_static
    assert [(p.name, p.kind) for p in helper.params] == [
        ("x", "normal"), ("y", "normal"), ("rest", "vararg"), ("flag", "kwonly"),
        ("kw", "kwarg")]
    assert helper.params[1].default == ir.Const(2)


def test_conditions_keep_their_source_text():
    mod = _summary("""
        def f(instance):
            if instance.vm_state not in (ACTIVE,  PAUSED):
                raise Exception()
        """)
    stmt = mod.functions["f"].body[0]
    assert isinstance(stmt, ir.If)
    assert stmt.text == "instance.vm_state not in (ACTIVE, PAUSED)"
    assert isinstance(stmt.body[0], ir.Raise)


def test_nested_functions_are_kept():
    mod = _summary("""
        class M:
            def handler(self, context):
                @utils.synchronized(context)
                def do_it():
                    self.driver.pause()
                do_it()
        """)
    body = mod.classes["M"].methods["handler"].body
    assert isinstance(body[0], ir.FunctionDef)
    assert body[0].function.qualname == "M.handler.<locals>.do_it"


def test_python2_era_names_use_the_legacy_grammar():
    mod = _summary("def launch(pause=False, async=False):\n    return async\n")
    assert mod.problem is None and mod.legacy_grammar
    assert [p.name for p in mod.functions["launch"].params] == ["pause", "async"]


def test_syntax_error_is_recorded_with_file_and_line():
    mod = _summary("x = 1\nprint 'hello'\n", path="nova/old.py")
    assert mod.problem is not None
    assert (mod.problem.path, mod.problem.line) == ("nova/old.py", 2)


def test_deep_nesting_does_not_crash():
    src = "x = " + "(" * 5000 + "1" + ")" * 5000 + "\n"
    mod = summarize("nova/deep.py", src.encode())
    assert mod.problem is not None  # refused cleanly, no RecursionError escapes


def test_calls_inside_other_expressions_are_kept():
    mod = _summary("""
        def f(self):
            return a + self.compute_rpcapi.pause_instance(ctxt)
        """)
    ret = mod.functions["f"].body[0]
    assert isinstance(ret.value, ir.Other)
    assert ret.value.calls[0].func.attr == "pause_instance"
