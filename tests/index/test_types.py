"""Typing by construction: classes, factory functions and `self.x = Y()` attributes."""

from __future__ import annotations

from tests.trees import write_tree
from tracer.index import Index
from tracer.index.types import constructed, self_attributes

TREE = {
    "nova/conductor/__init__.py": """
        import oslo_config.cfg
        from nova.conductor import api as conductor_api

        def API(*args, **kwargs):
            use_local = kwargs.pop('use_local', False)
            if oslo_config.cfg.CONF.conductor.use_local or use_local:
                api = conductor_api.LocalAPI
            else:
                api = conductor_api.API
            return api(*args, **kwargs)
        """,
    "nova/conductor/api.py": """
        class LocalAPI(object):
            pass

        class API(object):
            pass
        """,
    "nova/network/__init__.py": """
        from oslo_utils import importutils

        def API():
            cls = importutils.import_class(CONF.network_api_class)
            return cls()
        """,
    "nova/consoleauth/rpcapi.py": """
        class ConsoleAuthAPI(object):
            pass
        """,
    "nova/compute/rpcapi.py": """
        class ComputeAPI(object):
            pass
        """,
    "nova/compute/base.py": """
        class Base(object):
            def __init__(self):
                self.base_thing = dict()
        """,
    "nova/compute/manager.py": """
        import nova.consoleauth.rpcapi
        from nova import conductor
        from nova import consoleauth
        from nova import network
        from nova.compute import base
        from nova.compute import rpcapi as compute_rpcapi

        class ComputeManager(base.Base):
            def __init__(self):
                super(ComputeManager, self).__init__()
                self.compute_rpcapi = compute_rpcapi.ComputeAPI()
                self.conductor_api = conductor.API()
                self.network_api = network.API()
                self.consoleauth_rpcapi = consoleauth.rpcapi.ConsoleAuthAPI()
                self.counter = 0
        """,
}


def _index(tmp_path):
    return Index(write_tree(tmp_path, TREE))


def test_self_attributes_by_construction(tmp_path):
    index = _index(tmp_path)
    attrs = self_attributes(index, index.resolve_dotted("nova.compute.manager.ComputeManager"))
    assert [c.dotted for c in attrs["compute_rpcapi"].classes] == [
        "nova.compute.rpcapi.ComputeAPI"]
    # a package attribute reached through a submodule
    assert [c.dotted for c in attrs["consoleauth_rpcapi"].classes] == [
        "nova.consoleauth.rpcapi.ConsoleAuthAPI"]
    assert "counter" not in attrs and "base_thing" not in attrs


def test_factory_yields_every_class_and_says_how_it_chooses(tmp_path):
    index = _index(tmp_path)
    attrs = self_attributes(index, index.resolve_dotted("nova.compute.manager.ComputeManager"))
    built = attrs["conductor_api"]
    assert [c.dotted for c in built.classes] == ["nova.conductor.api.LocalAPI",
                                                 "nova.conductor.api.API"]
    assert any("CONF.conductor.use_local" in n for n in built.notes)


def test_runtime_class_choice_is_a_note_not_a_gap(tmp_path):
    index = _index(tmp_path)
    attrs = self_attributes(index, index.resolve_dotted("nova.compute.manager.ComputeManager"))
    built = attrs["network_api"]
    assert built.classes == []
    assert "picks its class at run time" in built.notes[0]


def test_unknown_construction_is_noted(tmp_path):
    index = _index(tmp_path)
    module = index.module("nova.compute.manager")
    from tracer.index import ir

    built = constructed(index, module, ir.Call(ir.Name("mystery"), (), (), 1))
    assert built.classes == [] and built.notes == ["cannot tell what mystery builds"]
