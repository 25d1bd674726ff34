"""The RPC model on synthetic trees: one test per client/server pattern."""

from __future__ import annotations

import pytest

from tests.trees import CINDER, LEGACY, MODERN, write_tree
from tracer.index import Index
from tracer.profiles import profile_for
from tracer.rpc import build_rpc_model


def _model(tmp_path, files):
    return build_rpc_model(Index(write_tree(tmp_path, files)), "test")


def _by_client(model):
    return {m.client.rsplit(".", 2)[-2] + "." + m.client.rsplit(".", 1)[-1]: m
            for m in model.methods}


@pytest.fixture
def modern(tmp_path):
    return _by_client(_model(tmp_path, MODERN))


@pytest.fixture
def legacy(tmp_path):
    return _model(tmp_path, LEGACY)


def test_router_client_cast_with_helper_version(modern):
    m = modern["ComputeAPI.pause_instance"]
    assert (m.service, m.method, m.kinds, m.fanout) == ("nova-compute", "pause_instance",
                                                        ("cast",), False)
    # _ver() returns '6.0' or the old version it is given
    assert m.versions == ("5.0", "6.0") and m.version == "6.0"
    assert m.handler == "nova.compute.manager.ComputeManager.pause_instance"
    assert m.server == "_compute_host(None, instance)"
    assert m.file == "nova/compute/rpcapi.py" and m.line > 0


def test_helper_returning_prepared_context(modern):
    m = modern["ComputeAPI.check_can_live_migrate_source"]
    assert m.kinds == ("call",)
    assert m.method == "check_can_live_migrate_source"
    assert m.handler == "nova.compute.manager.ComputeManager.check_can_live_migrate_source"


def test_kind_chosen_by_conditional_expression(modern):
    m = modern["ComputeAPI.confirm_resize"]
    assert m.kinds == ("call", "cast")
    assert (m.kind_param, m.kind_if_true) == ("cast", "cast")
    m = modern["ComputeAPI.stop_instance"]
    assert (m.kinds, m.kind_param, m.kind_if_true) == (("call", "cast"), "do_cast", "cast")


def test_kind_chosen_by_early_return(modern):
    m = modern["ComputeTaskAPI.migrate_server"]
    assert m.kinds == ("call", "cast")
    assert (m.kind_param, m.kind_if_true, m.kind_condition) == ("do_cast", "cast", "do_cast")
    # the negotiation chain: newest first, every fallback listed
    assert m.version == "1.20" and m.versions == ("1.11", "1.13", "1.20")
    assert m.timeout == "CONF.long_rpc_timeout"


def test_conductor_task_namespace_resolves_to_task_manager(modern):
    m = modern["ComputeTaskAPI.build_instances"]
    assert m.namespace == "compute_task"
    assert m.handler == "nova.conductor.manager.ComputeTaskManager.build_instances"


def test_fanout_and_call(modern):
    assert modern["SchedulerAPI.update_aggregates"].fanout is True
    sel = modern["SchedulerAPI.select_destinations"]
    assert (sel.kinds, sel.fanout, sel.service) == (("call",), False, "nova-scheduler")


def test_send_through_private_helper_is_reported_on_public_method(modern):
    m = modern["ComputeAPI.reset_network"]
    assert m.method == "reset_network" and m.kinds == ("cast",)
    # only the v5 proxy has it: the handler falls back to the endpoint that serves it
    assert m.handler == "nova.compute.manager._ComputeV5Proxy.reset_network"


def test_missing_handler_is_said_not_dropped(modern):
    m = modern["SchedulerAPI.forgotten"]
    assert m.handler is None
    assert any("no method no_such_handler" in note for note in m.notes)


def test_private_helpers_are_not_client_methods(modern):
    assert not any(name.split(".")[1].startswith("_") for name in modern)


def test_legacy_topics_from_options_and_import_opt(legacy):
    by_method = {m.method: m for m in legacy.methods}
    assert by_method["pause_instance"].service == "nova-compute"
    assert by_method["object_action"].service == "nova-conductor"
    assert by_method["object_action"].handler == (
        "nova.conductor.manager.ConductorManager.object_action")


def test_legacy_handler_found_on_base_manager(legacy):
    m = {m.method: m for m in legacy.methods}["get_console_output"]
    assert m.handler == "nova.manager.Manager.get_console_output"


def test_baserpc_served_by_every_service(legacy):
    m = {m.method: m for m in legacy.methods}["ping"]
    assert m.service == "nova-*"
    assert m.handler == "nova.baserpc.BaseRPCAPI.ping"


def test_services_and_their_endpoints(tmp_path):
    model = _model(tmp_path, MODERN)
    services = {s.binary: s for s in model.services}
    assert services["nova-conductor"].endpoints == (
        "nova.conductor.manager.ConductorManager", "nova.conductor.manager.ComputeTaskManager")
    assert services["nova-compute"].endpoints[1] == "nova.compute.manager._ComputeV5Proxy"


def test_output_is_sorted_and_deterministic(tmp_path):
    a = _model(tmp_path / "a", MODERN)
    b = _model(tmp_path / "b", MODERN)
    assert a.methods == b.methods
    keys = [(m.service, m.method, m.client) for m in a.methods]
    assert keys == sorted(keys)


def test_unparseable_module_is_a_warning_not_a_crash(tmp_path):
    files = dict(MODERN)
    files["nova/compute/rpcapi.py"] = files["nova/compute/rpcapi.py"] + "\n    def broken(:\n"
    model = _model(tmp_path, files)
    assert any(w.startswith("nova/compute/rpcapi.py:") and "cannot parse" in w
               for w in model.warnings)
    # the rest of the tree is still analysed
    assert any(m.service == "nova-scheduler" for m in model.methods)


def test_old_and_or_spelling_of_the_kind_choice(legacy):
    m = {m.client.rsplit(".", 1)[-1]: m for m in legacy.methods}["object_action_maybe_async"]
    assert m.kinds == ("call", "cast")
    assert (m.kind_param, m.kind_if_true) == ("do_cast", "cast")


def test_send_on_the_client_without_prepare(legacy):
    m = {m.client.rsplit(".", 1)[-1]: m for m in legacy.methods}["object_action_unprepared"]
    assert (m.kinds, m.method, m.service) == (("call",), "object_action", "nova-conductor")


# ----------------------------------------------------------------------------- Cinder


@pytest.fixture
def cinder(tmp_path):
    root = write_tree(tmp_path, CINDER)
    return build_rpc_model(Index(root, package="cinder"), "test", profile_for("cinder"))


def _cinder(model):
    return {(m.service, m.method): m for m in model.methods}


def test_base_class_of_another_module_builds_the_client_and_prepares_the_context(cinder):
    """VolumeAPI has no __init__ and never calls prepare itself: cinder.rpc.RPCAPI builds
    the client from the subclass's TOPIC (a constant imported from another module) and
    _get_cctxt, reached through the subclass's override and super(), prepares it."""
    m = _cinder(cinder)["cinder-volume", "create_volume"]
    assert (m.kinds, m.client, m.topic) == (
        ("cast",), "cinder.volume.rpcapi.VolumeAPI.create_volume", "cinder-volume")
    assert m.handler == "cinder.volume.manager.VolumeManager.create_volume"
    # the version: the subclass's RPC_DEFAULT_VERSION, read by the base's helper
    assert m.version == "3.0"
    # server= set by the override into the **kwargs it passes on
    assert m.server == "extract_host(host)"


def test_services_are_the_topics_binaries_with_the_managers_options_name(cinder):
    services = {s.binary: s for s in cinder.services}
    assert set(services) == {"cinder-volume", "cinder-scheduler"}
    assert services["cinder-volume"].manager == "cinder.volume.manager.VolumeManager"
    assert services["cinder-scheduler"].topic == "cinder-scheduler"


def test_keywords_reach_prepare_through_kwargs(cinder):
    by = _cinder(cinder)
    assert by["cinder-volume", "publish_service_capabilities"].fanout is True
    assert by["cinder-volume", "create_volume"].fanout is False
    assert by["cinder-volume", "set_log_levels"].version == "3.12"


def test_a_tuple_of_versions_lists_each(cinder):
    m = _cinder(cinder)["cinder-volume", "attach_volume"]
    assert (m.kinds, m.versions, m.version) == (("call",), ("3.0", "3.3"), "3.3")


def test_a_version_chosen_by_the_base_helper_is_the_one_it_is_given(cinder):
    """`version = self._compat_ver('3.9')`: the helper (the first version the server can
    take, else the last) cannot be evaluated, but it is given only versions: 3.9 is sent,
    not the client's default 3.0."""
    m = _cinder(cinder)["cinder-volume", "attachment_update"]
    assert (m.kinds, m.version) == (("call",), "3.9")
    assert "3.9" in m.versions


def test_kind_chosen_by_a_parameter_through_the_base_helper(cinder):
    m = _cinder(cinder)["cinder-volume", "remove_export"]
    assert (m.kinds, m.kind_param, m.kind_if_true) == (("call", "cast"), "sync", "call")


def test_method_name_chosen_among_constants_is_each_sent(cinder):
    by = _cinder(cinder)
    new, old = by["cinder-volume", "failover"], by["cinder-volume", "failover_host"]
    assert new.client == old.client == "cinder.volume.rpcapi.VolumeAPI.failover"
    assert new.handler == "cinder.volume.manager.VolumeManager.failover"
    # `failover_host = failover` in the manager: the alias serves the old name
    assert old.handler == "cinder.volume.manager.VolumeManager.failover"
    assert old.notes == ("served by failover: failover_host = failover in VolumeManager",)
    assert new.notes == ()


def test_handlers_on_the_base_manager_and_missing_ones_noted(cinder):
    by = _cinder(cinder)
    assert by["cinder-volume", "set_log_levels"].handler == "cinder.manager.Manager.set_log_levels"
    cleanup = by["cinder-scheduler", "work_cleanup"]
    assert cleanup.handler is None and cleanup.version == "3.4"
    assert any("no method work_cleanup on the cinder-scheduler endpoints" in n
               for n in cleanup.notes)
    assert by["cinder-scheduler", "get_pools"].kinds == ("call",)


def test_a_nova_tree_read_with_the_default_profile_is_unchanged(tmp_path):
    root = write_tree(tmp_path, MODERN)
    assert build_rpc_model(Index(root), "t") == \
        build_rpc_model(Index(root), "t", profile_for("nova"))


NEGOTIATED = """
            def get_backup_device(self, ctxt, backup, volume):
                cctxt = self._get_cctxt(volume.service_topic_queue, ('3.17', '3.2'))
                if cctxt.can_send_version('3.17'):
                    cctxt.cast(ctxt, 'get_backup_device', backup=backup,
                               want_objects=True, async_call=True)
                    backup_obj = None
                elif cctxt.can_send_version('3.2'):
                    backup_obj = cctxt.call(ctxt, 'get_backup_device', backup=backup,
                                            want_objects=True)
                else:
                    backup_obj = cctxt.call(ctxt, 'get_backup_device', backup=backup)
                return backup_obj
"""


def test_kind_chosen_by_a_version_test_is_labelled_with_the_casts_test(tmp_path):
    # cinder/volume/rpcapi.py VolumeAPI.get_backup_device (29.0.0): the cast is sent when
    # the server speaks 3.17, a call otherwise (3.2, then the oldest)
    files = dict(CINDER)
    files["cinder/volume/rpcapi.py"] = files["cinder/volume/rpcapi.py"].replace(
        "            def attachment_update(", NEGOTIATED.lstrip("\n") +
        "\n            def attachment_update(", 1)
    model = build_rpc_model(Index(write_tree(tmp_path, files), package="cinder"), "test",
                            profile_for("cinder"))
    m = _cinder(model)[("cinder-volume", "get_backup_device")]
    assert m.kinds == ("call", "cast")
    assert (m.kind_param, m.kind_if_true, m.kind_condition) == (
        None, "cast", "cctxt.can_send_version('3.17')")
