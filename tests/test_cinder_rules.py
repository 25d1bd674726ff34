"""Rules Cinder's profile turns on, on a small Cinder-like tree (tests/trees.py CINDER):
the response status a handler returns, its object queries, its policy checks and its
keystone client (tracer.profiles.cinder)."""

from __future__ import annotations

import json
import textwrap

from tests.test_cli_trace import osflow
from tests.trees import CINDER, CINDER_API, write_tree

# groups' reset_status as Cinder 29.0.0 writes it (cinder/api/v3/groups.py): the group
# read through the objects' base class query, a policy check on the request context, a
# project looked up in keystone (cinder/api/api_utils.py), the new status saved, and a
# webob.Response returned with its status
GROUPS = {
    "cinder/api/v3/groups.py": """
        from http import HTTPStatus

        import webob

        from cinder.api import api_utils as utils
        from cinder.api.openstack import wsgi
        from cinder import objects
        from cinder import transfer

        class GroupsController(wsgi.Controller):
            def show(self, req, id):
                return {}

            @wsgi.action("delete")
            def delete_group(self, req, id, body):
                return {}

            @wsgi.action("reset_status")
            def reset_status(self, req, id, body):
                context = req.environ['cinder.context']
                group = objects.Group.get_by_id(context, id)
                context.authorize('group:reset_status', target_obj=group)
                utils.validate_project_and_authorize(context, group.project_id, 'x')
                group.update({'status': body['status']})
                group.context = context.elevated()
                group.save()
                transfer.API().accept(context, id)
                return webob.Response(status_int=HTTPStatus.ACCEPTED)

        def create_resource():
            return wsgi.Resource(GroupsController())
        """,
    "cinder/api/api_utils.py": """
        from keystoneclient import client

        def _keystone_client(context):
            return client.Client(auth_url='x')

        def get_project(context, project_id):
            keystone = _keystone_client(context)
            return keystone.projects.get(project_id)

        def validate_project_and_authorize(context, project_id, policy_check):
            target = get_project(context, project_id)
            context.authorize(policy_check, target=target)
        """,
    "cinder/objects/__init__.py": """
        def register_all():
            __import__('cinder.objects.group')
        """,
    "cinder/objects/base.py": """
        from cinder.db import api as db

        class CinderObject(object):
            @classmethod
            def get_by_id(cls, context, id, *args, **kwargs):
                orm_obj = db.get_by_id(context, cls.model, id)
                return cls._from_db_object(context, cls(context), orm_obj)

            def save(self):
                db.save(self)
        """,
    "cinder/objects/group.py": """
        from cinder.objects import base

        class Group(base.CinderObject):
            model = 'Group'
        """,
    "cinder/db/__init__.py": "",
    "cinder/db/api.py": """
        def get_by_id(context, model, id):
            return None

        def save(obj):
            return None

        def transfer_accept(context, transfer_id):
            return None
        """,
    # the class is chosen by an option, as a module value, not a factory function
    "cinder/transfer/__init__.py": """
        from oslo_config import cfg
        from oslo_utils import importutils

        CONF = cfg.CONF

        API = importutils.import_class(CONF.transfer_api_class)
        """,
    # the database API reached through `self.db`, set by the base class every API and
    # manager derives from
    "cinder/db/base.py": """
        import cinder.db.api

        class Base(object):
            def __init__(self):
                super().__init__()
                self.db = cinder.db.api
        """,
    "cinder/transfer/api.py": """
        from cinder.db import base

        class API(base.Base):
            def __init__(self):
                super().__init__()

            def accept(self, context, transfer_id):
                self.db.transfer_accept(context, transfer_id)
        """,
}


def test_a_cinder_handler_returning_a_response_reading_objects_and_keystone(tmp_path):
    tree = write_tree(tmp_path / "cinder", {**CINDER, **CINDER_API, **GROUPS})
    result = osflow("trace", "group-reset-status", "-s", str(tree), "--format", "json",
                    cache=tmp_path / "c")
    assert result.returncode == 0, result.stderr
    flow = json.loads(result.stdout)
    steps = [(n["kind"], n["source"], n.get("target"), n["text"]) for n in flow["nodes"]]
    # the webob.Response it returns says 202 (the status from the standard library's table)
    assert steps[-1] == ("response", "cinder_api", "client", "202")
    # objects.Group.get_by_id: CinderObject.get_by_id asks cinder.db itself
    assert ("db", "cinder_api", "database", "Group.get_by_id") in steps
    # the object it returned is known: its save writes the fields updated before (its
    # context, set as an attribute, is no field)
    assert ("db", "cinder_api", "database", "group.save (status=body['status'])") in steps
    # context.authorize(rule): Cinder's policy check
    assert ("note", "cinder_api", None, "policy: group:reset_status") in steps
    # api_utils imports keystoneclient: its function that reaches the client is keystone's
    assert ("service", "cinder_api", "keystone", "validate_project_and_authorize") in steps
    assert "keystone" in flow["participants"]
    # cinder.transfer.API, chosen by CONF.transfer_api_class (Tracing.choices), said so;
    # its self.db is cinder.db.api, set by cinder.db.base.Base.__init__
    assert ("db", "cinder_api", "database", "db.transfer_accept") in steps
    assert any("transfer API: cinder.transfer.api.API" in note for note in flow["notes"])


# cinder/quota.py and cinder/volume/api.py API._extend of 29.0.0, cut down: a module-level
# engine object (`QUOTAS = VolumeTypeQuotaEngine()`) named again by its importers
# (`QUOTAS = quota.QUOTAS`), whose reservation is a database write two helpers down, and
# the sentinel `reservations = None; try: reservations = QUOTAS.reserve(...) finally: if
# reservations is None: roll back`
QUOTAS = {
    "cinder/quota.py": """
        from cinder import db

        class DbQuotaDriver(object):
            def get_project_quotas(self, context, project_id):
                return db.quota_get_all_by_project(context, project_id)

            def reserve(self, context, deltas, project_id=None):
                quotas = self.get_project_quotas(context, project_id)
                return self._reserve(context, quotas, deltas, project_id)

            def _reserve(self, context, quotas, deltas, project_id):
                return db.quota_reserve(context, quotas, deltas, project_id=project_id)

            def commit(self, context, reservations, project_id=None):
                db.reservation_commit(context, reservations, project_id=project_id)

        class QuotaEngine(object):
            def __init__(self):
                self._driver = DbQuotaDriver()

            def reserve(self, context, project_id=None, **deltas):
                reservations = self._driver.reserve(context, deltas, project_id=project_id)
                return reservations

            def commit(self, context, reservations, project_id=None):
                self._driver.commit(context, reservations, project_id=project_id)

        QUOTAS = QuotaEngine()
        """,
    "cinder/db/__init__.py": """
        from cinder.db.api import *  # noqa
        """,
    "cinder/db/api.py": """
        def get_by_id(context, model, id):
            return None

        def save(obj):
            return None

        def quota_get_all_by_project(context, project_id):
            return {}

        def quota_reserve(context, quotas, deltas, project_id=None):
            return []

        def reservation_commit(context, reservations, project_id=None):
            return None

        def volume_rollback_status(context, transfer_id):
            return None
        """,
    "cinder/transfer/api.py": """
        from cinder import db
        from cinder import quota

        QUOTAS = quota.QUOTAS

        class API(object):
            def accept(self, context, transfer_id):
                reservations = None
                try:
                    reservations = QUOTAS.reserve(context, gigabytes=1)
                finally:
                    if reservations is None:
                        db.volume_rollback_status(context, transfer_id)
                QUOTAS.commit(context, reservations)
        """,
}


def test_quota_reservations_are_database_writes_and_their_sentinel_is_set(tmp_path):
    tree = write_tree(tmp_path / "cinder", {**CINDER, **CINDER_API, **GROUPS, **QUOTAS})
    result = osflow("trace", "group-reset-status", "-s", str(tree), "--format", "json",
                    cache=tmp_path / "c")
    assert result.returncode == 0, result.stderr
    steps = [(n["kind"], n["source"], n.get("target"), n["text"])
             for n in json.loads(result.stdout)["nodes"]]
    texts = [s[3] for s in steps]
    # QUOTAS, a module-level QuotaEngine() named again in transfer/api.py, is followed:
    # its reserve, summed up beyond the depth, writes (db.quota_reserve two helpers down:
    # a nested helper's summed-up write is a write), its commit too
    assert ("db", "cinder_api", "database", "DbQuotaDriver.reserve: writes db.quota_reserve") \
        in steps
    assert any(t.endswith("writes db.reservation_commit") for t in texts), texts
    # the try set `reservations` from what reserve returned: the finally's rollback,
    # `if reservations is None`, is not the normal path
    assert not any("volume_rollback_status" in t for t in texts), texts
    assert texts.index("DbQuotaDriver.reserve: writes db.quota_reserve") < \
        next(i for i, t in enumerate(texts) if t.endswith("db.reservation_commit"))


# cinder/volume/manager.py VolumeManager.create_volume of 29.0.0, cut down: a request spec
# not passed (a migration's `rpcapi.create_volume(ctxt, new_volume, None, None)`) is a new
# RequestSpec with no field set, whose dict-style get answers None: the branches on its
# snapshot and image never run; one passed is not known, and both are drawn
BARE = {
    **GROUPS,
    "cinder/api/v3/groups.py": """
        from cinder.api.openstack import wsgi
        from cinder import objects
        from cinder import transfer

        class GroupsController(wsgi.Controller):
            def show(self, req, id):
                return {}

            def _create(self, context, request_spec=None, down=False):
                if request_spec is None:
                    request_spec = objects.RequestSpec()
                snapshot_id = request_spec.get('snapshot_id')
                if snapshot_id is not None:
                    objects.Group.get_by_id(context, snapshot_id)
                if context.flag:
                    pass
                elif request_spec.get('image_id'):
                    transfer.API().accept(context, 'image')
                elif down:
                    objects.Group.get_by_id(context, 'down')
                else:
                    objects.Group.get_by_id(context, 'raw')

            @wsgi.action("delete")
            def delete_group(self, req, id, body):
                self._create(req.environ['cinder.context'], body['spec'])
                return {}

            @wsgi.action("reset_status")
            def reset_status(self, req, id, body):
                self._create(req.environ['cinder.context'])
                return {}

        def create_resource():
            return wsgi.Resource(GroupsController())
        """,
    "cinder/objects/__init__.py": """
        def register_all():
            __import__('cinder.objects.group')
            __import__('cinder.objects.request_spec')
        """,
    "cinder/objects/request_spec.py": """
        from cinder.objects import base

        class RequestSpec(base.CinderObject, base.CinderObjectDictCompat):
            fields = {}
        """,
}
BARE["cinder/objects/base.py"] = GROUPS["cinder/objects/base.py"] + """
        class CinderObjectDictCompat(object):
            def get(self, key, value=None):
                return getattr(self, key, value)
        """


def _flow_steps(tree, op, cache):
    result = osflow("trace", op, "-s", str(tree), "--format", "json", cache=cache)
    assert result.returncode == 0, result.stderr
    out = []

    def walk(nodes):
        for n in nodes:
            if "branches" in n:
                for branch in n["branches"]:
                    walk(branch["nodes"])
            else:
                out.append((n["kind"], n.get("target"), n["text"]))
    walk(json.loads(result.stdout)["nodes"])
    return out


def test_a_request_spec_made_with_no_field_decides_the_branches_on_its_fields(tmp_path):
    tree = write_tree(tmp_path / "cinder", {**CINDER, **CINDER_API, **BARE})
    bare = _flow_steps(tree, "group-reset-status", tmp_path / "c")
    # snapshot_id is None: no snapshot read; get('image_id') is None: that elif arm never
    # runs; `down` is False (the default): nor does its arm; the else arm may
    assert ("db", "database", "Group.get_by_id") in bare  # the else arm's
    assert not any(text == "db.transfer_accept" for _, _, text in bare)
    assert len([s for s in bare if s[2] == "Group.get_by_id"]) == 1
    # a request spec passed in is not known: every arm is drawn
    passed = _flow_steps(tree, "group-delete", tmp_path / "c")
    assert ("db", "database", "db.transfer_accept") in passed
    assert len([s for s in passed if s[2] == "Group.get_by_id"]) == 2  # snapshot, raw


def test_a_handler_receives_the_constants_its_client_sends(tmp_path):
    # cinder/volume/rpcapi.py VolumeAPI.get_backup_device casts with async_call=True (on
    # 3.17): VolumeManager.get_backup_device's `if async_call:` arm runs (it casts
    # continue_backup to cinder-backup), not its default's
    from tests.test_rpc import NEGOTIATED
    files = {**CINDER, **CINDER_API, **GROUPS}
    files["cinder/volume/rpcapi.py"] = files["cinder/volume/rpcapi.py"].replace(
        "            def attachment_update(", NEGOTIATED.lstrip("\n") +
        "\n            def attachment_update(", 1)
    files["cinder/volume/manager.py"] = files["cinder/volume/manager.py"].replace(
        "            def attachment_update(", """            def get_backup_device(self, ctxt, backup, want_objects=False,
                                  async_call=False):
                if async_call:
                    db_api.save(backup)
                else:
                    db_api.get_by_id(ctxt, 'Backup', backup)

            def attachment_update(""", 1).replace(
        "from cinder import manager", "from cinder import manager\n"
        "        from cinder.db import api as db_api", 1)
    files["cinder/api/v3/groups.py"] = files["cinder/api/v3/groups.py"].replace(
        "                group.save()\n",
        "                group.save()\n"
        "                volume_rpcapi.VolumeAPI().get_backup_device(context, group, group)\n",
        1).replace("from cinder import objects",
                   "from cinder import objects\n        from cinder.volume import rpcapi as "
                   "volume_rpcapi", 1)
    tree = write_tree(tmp_path / "cinder", files)
    steps = _flow_steps(tree, "group-reset-status", tmp_path / "c")
    assert ("db", "database", "db.save") in steps
    assert ("db", "database", "db.get_by_id") not in steps
