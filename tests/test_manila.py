"""Rules Manila needed, on small synthetic trees (tests/trees.py style)."""

from __future__ import annotations

from tests.trees import write_tree
from tracer.catalogue import build_catalogue
from tracer.index import Index
from tracer.profiles.manila import MANILA

MANILA_API = {
    "manila/api/openstack/wsgi.py": """
        class Controller(object):
            pass

        class Resource(object):
            def __init__(self, controller):
                self.controller = controller

        def action(name):
            def decorator(func):
                return func
            return decorator
        """,
    "manila/api/v2/share_export_locations.py": """
        from manila.api.openstack import wsgi

        class ShareExportLocationController(wsgi.Controller):
            def index(self, req, share_id):
                return {}

            def show(self, req, share_id, export_location_uuid):
                return {}

        def create_resource():
            return wsgi.Resource(ShareExportLocationController())
        """,
    "manila/api/v2/router.py": """
        from manila.api.v2 import share_export_locations

        class APIRouter(object):
            def _setup_routes(self, mapper):
                for path_prefix in ['/{project_id}', '']:
                    self.resources["share_export_locations"] = (
                        share_export_locations.create_resource())
                    mapper.connect("share_export_locations",
                                   ("%s/shares/{share_id}"
                                    "/export_locations" % path_prefix),
                                   controller=self.resources["share_export_locations"],
                                   action="index",
                                   conditions={"method": ["GET"]})
                    mapper.connect("share_export_locations",
                                   "%s/shares/{share_id}/export_locations/"
                                   '{export_location_uuid}' % path_prefix,
                                   controller=self.resources["share_export_locations"],
                                   action="show",
                                   conditions={"method": ["GET"]})
        """,
}


def test_a_route_path_of_literals_joined_by_the_parser(tmp_path):
    # `("%s/shares/{share_id}" "/export_locations" % path_prefix)`: Python joins the
    # literals before `%`; the path is theirs, without the project id
    catalogue = build_catalogue(Index(write_tree(tmp_path / "manila", MANILA_API),
                                      package="manila"), "manila test", MANILA)
    ops = {op.name: op for op in catalogue.operations}
    listed = ops["share-export-location-list"]  # manilaclient's name
    assert (listed.method, listed.path) == ("GET", "/shares/{share_id}/export_locations")
    assert listed.handler.endswith("ShareExportLocationController.index")
    shown = ops["share-export-location-show"]
    assert shown.path == "/shares/{share_id}/export_locations/{export_location_uuid}"
    assert not [w for w in catalogue.warnings if "router.py" in w]
