"""Nova idioms recognised by shape (tracer/trace/patterns.py)."""

from __future__ import annotations

import pytest

from tracer.index.summarize import summarize
from tracer.trace import patterns


def expr(source: str):
    """The IR of one expression, through the real summariser."""
    module = summarize("nova/x.py", f"def f():\n    return {source}\n".encode())
    return module.functions["f"].body[0].value


def decorator(source: str):
    module = summarize("nova/x.py", f"@{source}\ndef f():\n    pass\n".encode())
    return module.functions["f"].decorators[0]


@pytest.mark.parametrize("source, note", [
    ("check_instance_lock", "check instance lock"),
    ("check_instance_state(vm_state=[vm_states.ACTIVE, vm_states.PAUSED])",
     "check state: vm_state in [ACTIVE, PAUSED]"),
    ("check_instance_state(vm_state=[vm_states.ACTIVE], task_state=[None])",
     "check state: vm_state in [ACTIVE]; task_state in [None]"),
    ("check_instance_cell", "check instance cell"),
    ("check_instance_host()", "check instance has a host"),
    ("wrap_check_policy", "policy: compute:pause"),
    ("wrap_instance_event(prefix='compute')", "record instance action event (start/finish)"),
    ("reject_vdpa_instances(instance_actions.SUSPEND)", "reject vdpa instances (SUSPEND)"),
    ("wrap_exception()", None),
    ("wsgi.response(202)", None),
    ("reverts_task_state", None),
])
def test_decorator_notes(source, note):
    assert patterns.decorator_note(decorator(source), "pause") == note


def test_response_status_from_wsgi_response():
    assert patterns.response_status((decorator("wsgi.response(202)"),)) == "202"
    assert patterns.response_status(()) == "200"


@pytest.mark.parametrize("source, event", [
    ("compute_utils.notify_about_instance_action(ctx, inst, host, "
     "action=fields.NotificationAction.PAUSE, phase=fields.NotificationPhase.START)",
     "pause.start"),
    ("self._notify_about_instance_usage(ctx, inst, 'pause.end')", "pause.end"),
    ("compute_utils.notify_usage_exists(notifier, ctx, inst)", "compute.instance.exists"),
])
def test_notifications(source, event):
    call = expr(source)
    name = call.func.attr
    assert patterns.notification(call, name) == event


def test_policy_rule_formats_a_known_root():
    assert patterns.policy_rule("ps_policies.POLICY_ROOT % 'pause'",
                                {"ps_policies.POLICY_ROOT": "os_compute_api:os-pause-server:%s"}
                                ) == "os_compute_api:os-pause-server:pause"
    assert patterns.policy_rule("'compute:get'", {}) == "compute:get"


def test_policy_rule_fills_a_format_of_named_values():
    """Cinder's admin actions: `'...:%(action)s' % {'action': action_name}`, the name
    filled in where a caller passed a constant, else said as <name>."""
    text = "'volume_extension:volume_admin_actions:%(action)s' % {'action': action_name}"
    assert patterns.policy_rule(text, {"action_name": "reset_status"}) == \
        "volume_extension:volume_admin_actions:reset_status"
    assert patterns.policy_rule(text, {}) == \
        "volume_extension:volume_admin_actions:<action_name>"


@pytest.mark.parametrize("text, role", [
    ("migration.dest_compute", "dest"), ("self.destination", "dest"), ("dest", "dest"),
    ("selection.service_host", "dest"), ("migration.source_compute", "src"),
    ("self.source", "src"), ("instance.host", "src"), ("host", None),
])
def test_host_role(text, role):
    assert patterns.host_role(text) == role


@pytest.mark.parametrize("method, role", [
    ("post_live_migration_at_destination", "dest"), ("prep_resize", "dest"),
    ("resize_instance", "src"), ("finish_revert_resize", "src"),
    ("rollback_live_migration_at_source", "src"), ("pause_instance", None),
])
def test_host_role_of_method(method, role):
    assert patterns.host_role_of_method(method) == role


def test_field_values_are_short():
    assert patterns.field_value(expr("task_states.PAUSING")) == "PAUSING"
    assert patterns.field_value(expr("self._get_power_state(instance)")) == "_get_power_state()"
    # Liberty's reboot: a table looked up by the reboot type
    assert patterns.field_value(expr(
        "{'SOFT': task_states.REBOOTING, 'HARD': task_states.REBOOTING_HARD}[reboot_type]")) \
        == "REBOOTING or REBOOTING_HARD"
    assert patterns.field_value(expr("{'a': 1}[x][y]")) == "{'a': 1}[x][y]"
    assert patterns.object_receiver(expr("instance")) == "instance"
    assert patterns.object_receiver(expr("self.migration")) == "self.migration"
    assert patterns.object_receiver(expr("context")) is None


def test_state_constants_that_reach_a_field_show_by_name():
    assert patterns.state_text("task_state", "image_pending_upload") == "IMAGE_PENDING_UPLOAD"
    assert patterns.state_text("task_state", "powering-off") == "POWERING_OFF"
    assert patterns.state_text("host", "node1") == "'node1'"
    assert patterns.field_text("task_states.IMAGE_UPLOADING") == "IMAGE_UPLOADING"
    assert patterns.field_text("migration.dest_compute") == "migration.dest_compute"


def handler(source: str):
    """The module and the `Controller.handler` function of a small controller module."""
    module = summarize("cinder/api/x.py", source.encode())
    return module, module.classes["Controller"]


@pytest.mark.parametrize("head, status", [
    ("from http import HTTPStatus\n", "@wsgi.response(HTTPStatus.ACCEPTED)"),
    ("from six.moves import http_client\n", "@wsgi.response(http_client.ACCEPTED)"),
    ("import http.client\n", "@wsgi.response(http.client.ACCEPTED)"),
    ("", "@wsgi.response(202)"),
])
def test_response_status_names_a_standard_status(head, status):
    """`@wsgi.response(HTTPStatus.ACCEPTED)` is 202, read from the standard library's table
    through the module's imports (Cinder's handlers), as `@wsgi.response(202)` is."""
    module, cls = handler(f"{head}class Controller:\n    {status}\n"
                          "    def create(self, req):\n        pass\n")
    fn = cls.methods["create"]
    assert patterns.response_status(fn.decorators, module.imports) == "202"


def test_response_status_of_an_unknown_name_is_the_default():
    """A name not imported from the standard library's HTTP modules says nothing."""
    module, cls = handler("from mine import HTTPStatus\nclass Controller:\n"
                          "    @wsgi.response(HTTPStatus.ACCEPTED)\n"
                          "    def create(self, req):\n        pass\n")
    assert patterns.response_status(cls.methods["create"].decorators,
                                    module.imports) == "200"


def test_response_status_from_the_response_returned():
    """`return webob.Response(status_int=HTTPStatus.ACCEPTED)` (Cinder's deletes), through a
    name or a method of the class the handler delegates to; an error status returned (412
    when an ETag does not match) is an error path; disagreeing answers are all said."""
    module, cls = handler(
        "from http import HTTPStatus\nimport webob\nclass Controller:\n"
        "    def delete(self, req, id):\n"
        "        return webob.Response(status_int=HTTPStatus.ACCEPTED)\n"
        "    def delete_group(self, req, id):\n        return self._delete(req, id)\n"
        "    def _delete(self, req, id):\n        resp = webob.Response(status_int=204)\n"
        "        return resp\n"
        "    def update(self, req, id):\n        if stale:\n"
        "            return webob.Response(status_int=HTTPStatus.PRECONDITION_FAILED)\n"
        "        return {'meta': 1}\n"
        "    def both(self, req, id):\n        if x:\n            return {'a': 1}\n"
        "        return webob.Response(status_int=202)\n")

    def status(name):
        fn = cls.methods[name]
        return patterns.response_status(fn.decorators, module.imports, fn.body, cls.methods)
    assert status("delete") == "202"
    assert status("delete_group") == "204"
    assert status("update") == "200"
    assert status("both") == "200 or 202"
    # without the body (Nova's profile), the decorator alone decides
    fn = cls.methods["delete"]
    assert patterns.response_status(fn.decorators, module.imports) == "200"


def test_a_write_with_many_fields_shows_the_constant_ones_and_counts_the_rest():
    """Ironic's node history (ironic/conductor/utils.py node_history_record:
    `objects.NodeHistory(node_id=..., conductor=..., ..., duration_seconds=...).create()`,
    ten fields): a label shows at most MAX_FIELDS, the ones set to a constant first, in
    the code's order, and how many more; six or fewer are shown whole."""
    from tracer.trace.engine import MAX_FIELDS, _fields_label

    fields = [("node_id", "node.id"), ("conductor", "CONF.host"), ("user", "actual_user"),
              ("project", "None"), ("severity", "'INFO'"), ("event", "..."),
              ("event_type", "'deploying'"), ("state", "node.provision_state"),
              ("target_provision_state", "node.target_provision_state"),
              ("duration_seconds", "duration")]
    label = _fields_label(fields)
    assert label == ("node_id=node.id, conductor=CONF.host, user=actual_user, "
                     "project=None, severity='INFO', event_type='deploying', +4 more")
    assert MAX_FIELDS == 6
    few = [("status", "'accepted'"), ("dest_compute", "host_name")]
    assert _fields_label(few) == "status='accepted', dest_compute=host_name"
    states = [(f"f{i}", "x.y") for i in range(6)] + [("task_state", "REBUILDING"),
                                                      ("fault", "faults.CLEAN_FAILURE")]
    assert _fields_label(states) == ("f0=x.y, f1=x.y, f2=x.y, f3=x.y, "
                                     "task_state=REBUILDING, fault=faults.CLEAN_FAILURE, "
                                     "+2 more")


def test_a_long_value_is_cut_between_words():
    """`event=_('A wait time exceeding the configured ...')` is cut at a word's end, not
    in the middle of one (was `...the configur...`)."""
    from tracer.trace import patterns

    cut = patterns.field_text("_('A wait time exceeding the configured value was set')")
    assert cut == "_('A wait time exceeding the..."
    assert patterns.field_text("x" * 50) == "x" * 37 + "..."
