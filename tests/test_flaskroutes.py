"""The Flask route reader (tracer.flaskroutes) on a synthetic Sahara-like tree."""

from __future__ import annotations

import pytest

from tests.sahara_trees import FLASK_API
from tests.trees import write_tree
from tracer.flaskroutes import (
    blueprint_decorators, build_flask_catalogue, flask_path, module_routes, mounts, view_status,
)
from tracer.index import ClassRef, FunctionRef, Index
from tracer.profiles import FlaskRest

REST = FlaskRest(app_module="sahara.api.middleware.app", prefix="/v2", api_dir="sahara/api/",
                 client_commands={"cluster-create": ("POST", "/clusters"),
                                  "cluster-show": ("GET", "/clusters/{cluster_id}"),
                                  "cluster-forget": ("POST", "/clusters/{cluster_id}/forget")},
                 aliases={"cluster-create": ("create-cluster",)})


@pytest.fixture
def index(tmp_path):
    return Index(write_tree(tmp_path, FLASK_API), package="sahara")


def test_flask_placeholders_become_braces():
    assert flask_path("/clusters/<cluster_id>") == "/clusters/{cluster_id}"
    assert flask_path("/w/<int:widget_id>/x") == "/w/{widget_id}/x"


def test_a_blueprint_subclass_has_its_bases_route_methods_with_their_default_status(index):
    module = index.module("sahara.utils.api")
    decorators = blueprint_decorators(index, ClassRef(module, module.classes["RestV2"]))
    assert {name: (d.method, d.status) for name, d in decorators.items()} == {
        "get": ("GET", 200), "post": ("POST", 202), "delete": ("DELETE", 204),
        "patch": ("PATCH", 202)}


def test_a_class_not_deriving_from_blueprint_is_none(index):
    module = index.module("sahara.api.acl")
    assert blueprint_decorators(index, ClassRef(module, module.classes["Router"])) is None


def test_mounts_direct_and_through_a_function_given_the_prefix(index):
    found = sorted((m.name, p) for m, p in mounts(index, "sahara.api.middleware.app"))
    assert found == [("sahara.api.v10", "/v1.1"), ("sahara.api.v2.clusters", "/v2"),
                     ("sahara.api.v2.widgets", "/v2")]


def test_routes_of_a_module(index):
    routes = module_routes(index, index.module("sahara.api.v2.widgets"), "/v2")
    assert [(r.method, r.path, r.status, r.fn.dotted) for r in routes] == [
        ("GET", "/v2/widgets", 200, "sahara.api.v2.widgets.widgets_list"),
        # the decorator's status_code= wins over its default
        ("DELETE", "/v2/widgets/{widget_id}", 200, "sahara.api.v2.widgets.widgets_delete")]


def test_catalogue_names_after_client_then_policy_then_path(index):
    catalogue = build_flask_catalogue(index, "t", REST)
    ops = {op.name: op for op in catalogue.operations}
    assert sorted(ops) == ["cluster-create", "cluster-scale", "cluster-show", "widget-delete",
                           "widget-list"]
    create = ops["cluster-create"]
    assert (create.method, create.path, create.handler, create.group) == (
        "POST", "/v2/clusters", "sahara.api.v2.clusters.clusters_create", "clusters")
    assert create.aliases == ("create-cluster", "cluster_create")
    # the client's name first, the policy's as an alias
    assert "cluster-get" in ops["cluster-show"].aliases
    # no client command: the enforced policy names it (PATCH, not an update)
    assert ops["cluster-scale"].method == "PATCH"
    # /v1.1 is not the prefix read
    assert all(op.path.startswith("/v2/") for op in catalogue.operations)
    # a client command with no route is missing, saying which request
    (missing,) = catalogue.missing
    assert (missing.name, missing.reason) == (
        "cluster-forget", "no route for POST /v2/clusters/{cluster_id}/forget")


def test_no_blueprint_under_the_prefix_is_a_warning(index):
    rest = FlaskRest(app_module="sahara.api.middleware.app", prefix="/v3",
                     api_dir="sahara/api/")
    catalogue = build_flask_catalogue(index, "t", rest)
    assert catalogue.operations == ()
    assert catalogue.warnings == ("no REST routes found: sahara.api.middleware.app mounts no "
                                  "blueprint under /v3",)


def test_a_view_answers_with_the_status_each_return_gives(tmp_path):
    # sahara/api/v2/clusters.py clusters_delete: `return u.render({...}, status=200)` under
    # `if force`, else `return u.render(res=None, status=204)`; render's status overrides
    # the route's (sahara/utils/api.py render)
    tree = dict(FLASK_API)
    tree["sahara/api/v2/widgets.py"] = """
        import sahara.utils.api as u

        rest = u.RestV2('widgets', __name__)


        @rest.delete('/widgets/<widget_id>')
        def widgets_delete(widget_id, force=False):
            if force:
                return u.render({"stack": widget_id}, status=200)
            else:
                return u.render(res=None, status=204)


        @rest.post('/widgets')
        def widgets_create(data):
            if not data:
                return u.render(status=400)
            return u.render(data)


        @rest.get('/widgets')
        def widgets_list():
            return u.render([])
        """
    index = Index(write_tree(tmp_path, tree), package="sahara")
    module = index.module("sahara.api.v2.widgets")
    statuses = {f.name: view_status(index, FunctionRef(module, f))
                for f in module.functions.values()}
    assert statuses == {"widgets_delete": "200 or 204",
                        # an error status returned is an error path; the rest the route's
                        "widgets_create": "202", "widgets_list": "200"}
