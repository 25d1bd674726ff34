"""Sahara's REST API v2 (19.0.0) read by tracer.flaskroutes, checked against the view
functions read here with `ast`: every `@rest.<verb>('<rule>')` of sahara/api/v2/*.py is one
operation with that HTTP method, path (under /v2) and handler."""

from __future__ import annotations

import ast
import re

import pytest

from tests.integration.releases import open_sahara

pytestmark = pytest.mark.integration



@pytest.fixture(scope="module")
def sahara():
    workspace = open_sahara()
    return workspace, workspace.catalogue()


def _views(root) -> set[tuple[str, str, str]]:
    verbs = {"get": "GET", "post": "POST", "put": "PUT", "patch": "PATCH",
             "delete": "DELETE"}
    out = set()
    for path in sorted((root / "sahara" / "api" / "v2").glob("*.py")):
        module = "sahara.api.v2." + path.stem
        for fn in ast.parse(path.read_bytes()).body:
            if not isinstance(fn, ast.FunctionDef):
                continue
            for dec in fn.decorator_list:
                if (isinstance(dec, ast.Call) and isinstance(dec.func, ast.Attribute)
                        and isinstance(dec.func.value, ast.Name)
                        and dec.func.value.id == "rest" and dec.func.attr in verbs):
                    rule = re.sub(r"<(\w+)>", r"{\1}", dec.args[0].value)
                    out.add((verbs[dec.func.attr], "/v2" + rule, f"{module}.{fn.name}"))
    return out


def test_every_view_function_is_one_operation(sahara):
    workspace, catalogue = sahara
    views = _views(workspace.source.root)
    assert len(views) == 52
    assert {(op.method, op.path, op.handler) for op in catalogue.operations} == views
    assert not catalogue.missing and not catalogue.warnings


def test_named_after_saharaclient(sahara):
    _, catalogue = sahara
    ops = {op.name: op for op in catalogue.operations}
    for name, method, path in [
            ("cluster-create", "POST", "/v2/clusters"),
            ("cluster-scale", "PUT", "/v2/clusters/{cluster_id}"),
            ("cluster-update", "PATCH", "/v2/clusters/{cluster_id}"),
            ("cluster-delete", "DELETE", "/v2/clusters/{cluster_id}"),
            ("job-execute", "POST", "/v2/jobs"),
            ("node-group-template-create", "POST", "/v2/node-group-templates")]:
        assert (ops[name].method, ops[name].path) == (method, path)
    assert "job-create" in ops["job-execute"].aliases
    # without a client command, the policy the handler enforces names it
    assert ops["image-get-tags"].handler == "sahara.api.v2.images.image_tags_get"
