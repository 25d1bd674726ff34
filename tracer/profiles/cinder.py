"""Cinder: the volume, scheduler and backup services (cinder-api sends to them).

Its clients (`cinder/{volume,scheduler,backup}/rpcapi.py`) derive from `cinder.rpc.RPCAPI`,
which builds the client from the class's TOPIC and prepares the context in `_get_cctxt`.
"""

from __future__ import annotations

from tracer.profiles import Profile

CINDER = Profile(
    name="cinder",
    services=("cinder-volume", "cinder-scheduler", "cinder-backup"),
    # the volume_manager, scheduler_manager and backup_manager options
    manager_registries=("cinder.common.config",),
    manager_path=r"^cinder\.([a-z_]+)\.manager\.[A-Z]\w*$",
    example_release="29.0.0",
    liberty="7.0.0",
)
