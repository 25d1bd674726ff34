"""Nova: compute, conductor, scheduler and, in old trees, cells, cert, console,
consoleauth and nova-network."""

from __future__ import annotations

from tracer import PINNED_RELEASE
from tracer.profiles import Profile

NOVA = Profile(
    name="nova",
    services=("nova-compute", "nova-conductor", "nova-scheduler"),
    # nova.service.SERVICE_MANAGERS; before it, the `*_manager` options
    manager_registries=("nova.service", "nova.conductor.api", "nova.cells.opts",
                        "nova.conf.service", "nova.conf.network"),
    manager_path=r"^nova\.([a-z_]+)\.manager\.[A-Z]\w*$",
    example_release=PINNED_RELEASE,
    liberty="12.0.0",
    reads=("ops", "trace", "build"),
)
