"""What osflow knows of each OpenStack project, as data: one module per project.

The engine (sources, index, RPC interpreter) is generic; a profile names the facts that
differ from one project to the next: its package, where its services' manager classes are
named, the binaries its topics map to, and how far osflow reads it so far.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["Profile", "PROFILES", "profile_for", "known_projects"]


@dataclass(frozen=True)
class Profile:
    # the Python package and the distribution on the package index (nova, cinder)
    name: str
    # the binaries of the services whose RPC model is read (nova-compute, cinder-volume)
    services: tuple[str, ...]
    # modules naming each service's manager class (SERVICE_MANAGERS, `*_manager` options),
    # across releases
    manager_registries: tuple[str, ...]
    # a dotted manager class path: its group (the topic's last word) is group 1
    manager_path: str
    # a release on the package index, for examples in messages (`cinder==29.0.0`)
    example_release: str
    # the release of the Liberty series, named in hints about releases older than the index
    liberty: str
    # whether ops, trace, build (and what builds on them: graph, check, flow diffs) read it
    traces: bool = False

    @property
    def every_service(self) -> str:
        """The service of a client whose topic the caller names, served everywhere."""
        return f"{self.name}-*"

    @property
    def manager_pattern(self) -> re.Pattern[str]:
        return re.compile(self.manager_path)

    def binary(self, topic: str) -> str:
        """The binary serving a topic: nova's `compute` is nova-compute; cinder's topics are
        already binaries (`cinder-volume`)."""
        prefix = f"{self.name}-"
        return topic if topic.startswith(prefix) else prefix + topic


def _profiles() -> dict[str, Profile]:
    from tracer.profiles.cinder import CINDER
    from tracer.profiles.nova import NOVA

    return {p.name: p for p in (NOVA, CINDER)}


PROFILES: dict[str, Profile] = _profiles()


def known_projects() -> list[str]:
    return sorted(PROFILES)


def profile_for(project: str) -> Profile:
    """The profile of `project` (its package name); KeyError when osflow knows none."""
    return PROFILES[project]
