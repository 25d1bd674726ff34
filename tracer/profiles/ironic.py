"""Ironic: the bare metal service; ironic-api sends to ironic-conductor (and, from 2025,
ironic-networking).

Its client (`ironic/conductor/rpcapi.py` ConductorAPI) picks a conductor by hash ring
(`get_topic_for(node)`: `<topic>.<host>`) and prepares the context in `_prepare_call`; each
service's launcher names its manager (`ironic/command/conductor.py`:
`RPCService(CONF.host, 'ironic.conductor.manager', 'ConductorManager')`).
"""

from __future__ import annotations

from tracer.profiles import Profile

IRONIC = Profile(
    name="ironic",
    services=("ironic-conductor", "ironic-networking"),
    manager_registries=("ironic.command.conductor", "ironic.command.networking"),
    manager_path=r"^ironic\.([a-z_]+)\.manager\.[A-Z]\w*$",
    example_release="39.0.0",
    liberty="4.2.0",
)
