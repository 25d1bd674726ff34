"""Sahara: the data processing service (sahara-api sends to sahara-engine)."""

from __future__ import annotations

from tracer.profiles import Profile

SAHARA = Profile(
    name="sahara",
    services=("sahara-engine",),
    manager_registries=(),
    manager_path=r"^sahara\.service\.(ops)\.[A-Z]\w*$",
    example_release="19.0.0",
    liberty="3.0.0",
    # sahara/cli/sahara_engine.py runs ops.OpsServer, whose Target's topic is sahara-ops
    topic_binaries={"sahara-ops": "sahara-engine"},
)
