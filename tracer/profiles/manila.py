"""Manila: the share, scheduler and data services (manila-api sends to them).

Manila derives from Cinder's code base: its clients (`manila/{share,scheduler,data}/rpcapi.py`)
build an oslo.messaging client from a topic option (`CONF.share_topic`, ...) and prepare it per
call; its managers are named by the `share_manager`, `scheduler_manager` and `data_manager`
options (`manila.common.config`).

Its REST API (the shared file systems API v2) is a `routes.Mapper` router,
`manila.api.v2.router.APIRouter`, whose `_setup_routes` connects every resource (no
extensions: `manila/api/contrib/` is empty).
"""

from __future__ import annotations

from tracer.profiles import Profile, Rest, Tracing

MANILA = Profile(
    name="manila",
    services=("manila-share", "manila-scheduler", "manila-data"),
    # the share_manager, scheduler_manager and data_manager options
    manager_registries=("manila.common.config",),
    manager_path=r"^manila\.([a-z_]+)\.manager\.[A-Z]\w*$",
    example_release="23.0.1",
    liberty="1.0.0",
    reads=(),
)
