"""Manila's operations traced on a real release (23.0.1), with expectations read from its code.

Every RPC a traced operation sends must have the kind `osflow rpc` gives that method
(itself checked against Manila's own rpcapi tests in test_manila_rpc.py), and the steps the
code makes plain must be drawn (file and function named in each test).
"""

from __future__ import annotations

import pytest

from tracer.model import CALL, CAST, DB, DRIVER, iter_steps
from tests.integration.releases import open_release

pytestmark = pytest.mark.integration

SPEC = "manila==23.0.1"
TRACED = ("create", "delete", "extend", "shrink", "snapshot-create", "snapshot-delete",
          "access-allow", "access-deny", "share-replica-create", "migration-start",
          "manage", "unmanage", "revert-to-snapshot", "share-replica-promote",
          "share-replica-delete", "migration-complete", "share-server-migration-start")


@pytest.fixture(scope="module")
def manila():
    workspace = open_release(SPEC)
    return workspace


@pytest.fixture(scope="module")
def flows(manila):
    return {name: manila.flow(name) for name in TRACED}


def _steps(flow):
    return [(s.kind, s.source, s.target, s.text) for s in iter_steps(flow.nodes)]


def test_every_operation_resolves_its_handler(manila):
    catalogue = manila.catalogue()
    assert len([op for op in catalogue.operations if op.group != "periodic"]) >= 240
    for op in catalogue.operations:
        assert op.handler and op.file.startswith("manila/"), op
    assert not catalogue.missing  # every manila shell command has its route
    ops = {op.name: op for op in catalogue.operations}
    # python-manilaclient names (manilaclient/v2/shell.py do_access_allow ...), as its
    # managers send them (manilaclient/v2/shares.py ShareManager._do_allow: the action
    # `allow_access` since microversion 2.7)
    assert (ops["access-allow"].path, ops["access-allow"].action) == \
        ("/shares/{id}/action", "allow_access")
    assert ops["access-allow"].handler == "manila.api.v2.shares.ShareController.allow_access"
    assert (ops["share-replica-create"].method, ops["share-replica-create"].path) == \
        ("POST", "/share-replicas")
    assert ops["migration-start"].action == "migration_start"
    # the pre-2.7 action keeps a name of its own (manila/api/v2/shares.py extend_legacy)
    assert ops["share-os-extend"].handler.endswith("ShareController.extend_legacy")


def test_every_rpc_drawn_has_the_kind_osflow_rpc_gives(manila, flows):
    kinds = {f"{m.service} {m.method}": set(m.kinds) for m in manila.rpc_model().methods}
    sent = 0
    for name, flow in flows.items():
        for step in iter_steps(flow.nodes):
            if step.kind in (CALL, CAST) and step.rpc:
                sent += 1
                assert step.kind in kinds[step.rpc], (name, step.rpc, step.kind)
    assert sent >= 30


def test_participants_are_manilas_services_the_database_and_the_generic_driver(flows):
    seen = {p for flow in flows.values() for p in flow.participants}
    assert {"client", "manila_api", "manila_scheduler", "manila_share", "manila_data",
            "database", "generic"} <= seen
    for flow in flows.values():
        assert flow.participants[:2] == ("client", "manila_api")


def test_create_goes_through_the_scheduler_to_the_driver(flows):
    """manila/share/api.py API.create writes the share (db.share_create) and its instance
    (API.create_instance: db.share_instance_create), then casts create_share_instance to
    the scheduler (SchedulerAPI.create_share_instance); manila/scheduler/drivers/filter.py
    FilterScheduler.schedule_create_share records the host (base.share_update_db:
    db.share_update) and casts it to the share service; manila/share/manager.py
    ShareManager.create_share_instance asks the driver to create_share and writes the
    instance's status (db.share_instance_update)."""
    steps = _steps(flows["create"])
    assert (DB, "manila_api", "database", "db.share_create") in steps
    assert (DB, "manila_api", "database", "db.share_instance_create") in steps
    assert (CAST, "manila_api", "manila_scheduler", "create_share_instance") in steps
    assert (DB, "manila_scheduler", "database", "db.share_update") in steps
    assert (CAST, "manila_scheduler", "manila_share", "create_share_instance") in steps
    assert (DRIVER, "manila_share", "generic", "create_share") in steps
    assert (DB, "manila_share", "database", "db.share_instance_update") in steps


def test_delete_casts_to_the_share_service_which_deletes_on_the_driver(flows):
    """API.delete -> API.delete_instance marks the instance (db.share_instance_update)
    and casts delete_share_instance (ShareAPI.delete_share_instance);
    ShareManager.delete_share_instance -> driver.delete_share, then
    db.share_instance_delete."""
    steps = _steps(flows["delete"])
    assert (DB, "manila_api", "database", "db.share_instance_update") in steps
    assert (CAST, "manila_api", "manila_share", "delete_share_instance") in steps
    assert (DRIVER, "manila_share", "generic", "delete_share") in steps
    assert (DB, "manila_share", "database", "db.share_instance_delete") in steps


def test_extend_goes_through_the_scheduler_unless_forced(flows):
    """API.extend sets the status (API.update: db.share_update, status extending) and
    casts extend_share to the share host when forced, else to the scheduler
    (SchedulerAPI.extend_share); SchedulerManager.extend_share casts it on
    (ShareAPI().extend_share); ShareManager.extend_share -> driver.extend_share, then
    db.share_update (size, status)."""
    steps = _steps(flows["extend"])
    assert (DB, "manila_api", "database", "db.share_update") in steps
    assert (CAST, "manila_api", "manila_share", "extend_share") in steps  # force
    assert (CAST, "manila_api", "manila_scheduler", "extend_share") in steps
    assert (CAST, "manila_scheduler", "manila_share", "extend_share") in steps
    assert (DRIVER, "manila_share", "generic", "extend_share") in steps
    assert (DB, "manila_share", "database", "db.share_update") in steps
    notes = [s.text for s in iter_steps(flows["extend"].nodes) if s.kind == "note"]
    # policy.check_policy(context, 'share', 'extend', share) in API.extend
    assert "policy: share:extend" in notes


def test_shrink_is_cast_straight_to_the_share_service(flows):
    """API.shrink: update (status shrinking), share_rpcapi.shrink_share (no scheduler);
    ShareManager.shrink_share -> driver.shrink_share, db.share_update."""
    steps = _steps(flows["shrink"])
    assert (CAST, "manila_api", "manila_share", "shrink_share") in steps
    assert not [s for s in steps if s[2] == "manila_scheduler"]
    assert (DRIVER, "manila_share", "generic", "shrink_share") in steps
    assert (DB, "manila_share", "database", "db.share_update") in steps


def test_snapshots_are_cast_to_the_share_service(flows):
    """API.create_snapshot writes it (db.share_snapshot_create) and casts create_snapshot
    (create_replicated_snapshot for a replicated share); ShareManager.create_snapshot ->
    driver.create_snapshot, db.share_snapshot_instance_update. API.delete_snapshot marks
    the instances deleting and casts delete_snapshot; ShareManager.delete_snapshot ->
    driver.delete_snapshot, db.share_snapshot_instance_delete."""
    create = _steps(flows["snapshot-create"])
    assert (DB, "manila_api", "database", "db.share_snapshot_create") in create
    assert (CAST, "manila_api", "manila_share", "create_snapshot") in create
    assert (CAST, "manila_api", "manila_share", "create_replicated_snapshot") in create
    assert (DRIVER, "manila_share", "generic", "create_snapshot") in create
    assert (DB, "manila_share", "database", "db.share_snapshot_instance_update") in create
    delete = _steps(flows["snapshot-delete"])
    assert (DB, "manila_api", "database", "db.share_snapshot_instance_update") in delete
    assert (CAST, "manila_api", "manila_share", "delete_snapshot") in delete
    assert (DRIVER, "manila_share", "generic", "delete_snapshot") in delete
    assert (DB, "manila_share", "database", "db.share_snapshot_instance_delete") in delete


def test_access_rules_reach_the_driver_through_the_access_helper(flows):
    """API.allow_access writes the rule (db.share_access_create) and, per instance,
    allow_access_to_instance casts update_access; API.deny_access ->
    deny_access_to_instance casts update_access. ShareManager.update_access ->
    self.access_helper.update_access_rules (manila/share/access.py ShareInstanceAccess,
    built in ShareManager.__init__ with the manager's driver) ->
    _update_rules_through_share_driver -> driver.update_access."""
    allow = _steps(flows["access-allow"])
    assert (DB, "manila_api", "database", "db.share_access_create") in allow
    assert (CAST, "manila_api", "manila_share", "update_access") in allow
    assert (DRIVER, "manila_share", "generic", "update_access") in allow
    deny = _steps(flows["access-deny"])
    assert (CAST, "manila_api", "manila_share", "update_access") in deny
    assert (DRIVER, "manila_share", "generic", "update_access") in deny
    assert (DB, "manila_share", "database", "db.share_instance_access_delete") in deny


def test_replica_create_goes_through_the_scheduler(flows):
    """API.create_share_replica writes the replica (db.share_instance_create) and casts
    create_share_replica to the scheduler; FilterScheduler.schedule_create_replica casts
    it to the share service; ShareManager.create_share_replica -> driver.create_replica,
    db.share_replica_update."""
    steps = _steps(flows["share-replica-create"])
    assert (DB, "manila_api", "database", "db.share_instance_create") in steps
    assert (CAST, "manila_api", "manila_scheduler", "create_share_replica") in steps
    assert (CAST, "manila_scheduler", "manila_share", "create_share_replica") in steps
    assert (DRIVER, "manila_share", "generic", "create_replica") in steps
    assert (DB, "manila_share", "database", "db.share_replica_update") in steps


def test_migration_start_hands_host_assisted_copies_to_manila_data(flows):
    """API.migration_start casts migrate_share_to_host to the scheduler;
    SchedulerManager.migrate_share_to_host casts migration_start to the share service;
    ShareManager.migration_start tries the driver (_migration_start_driver:
    driver.migration_check_compatibility, driver.migration_start), else
    _migration_start_host_assisted creates the destination instance, asks the destination
    host for its connection info (ShareAPI.connection_get_info: a call) and casts
    migration_start to manila-data (DataAPI.migration_start); DataManager.migration_start
    -> _copy_share_data records the copy's task_state (db.share_update) and changes access
    on both instances through the share service (DataServiceHelper: update_access casts)."""
    flow = flows["migration-start"]
    steps = _steps(flow)
    assert "manila_data" in flow.participants
    assert (CAST, "manila_api", "manila_scheduler", "migrate_share_to_host") in steps
    assert (CAST, "manila_scheduler", "manila_share", "migration_start") in steps
    assert (DRIVER, "manila_share", "generic", "migration_check_compatibility") in steps
    assert (DRIVER, "manila_share", "generic", "migration_start") in steps
    assert (CALL, "manila_share", "manila_share", "connection_get_info") in steps
    assert (CAST, "manila_share", "manila_data", "migration_start") in steps
    assert (DB, "manila_data", "database", "db.share_update") in steps
    assert (CAST, "manila_data", "manila_share", "update_access") in steps


def test_controller_authorize_decorators_draw_their_rules(flows):
    # manila/api/v2/shares.py ShareController._shrink, _extend: @wsgi.Controller.authorize
    # ('shrink'/'extend'); manila/api/openstack/wsgi.py Controller.authorize checks
    # self.resource_name ('share') with that action
    for op in ("shrink", "extend"):
        assert ("note", "manila_api", None, f"policy: share:{op}") in _steps(flows[op])


def test_migration_start_answers_what_the_share_api_returned(flows):
    # manila/api/v2/shares.py _migration_start: webob.Response(status_int=return_code),
    # return_code from manila/share/api.py API.migration_start: 200 (nothing to do) or 202
    assert ("response", "manila_api", "client", "200 or 202") in \
        _steps(flows["migration-start"])
