"""Plan stage: a validated Stack -> the list of artifacts to render, each with its data."""

from __future__ import annotations

from stackgen.plan.artifact import Artifact
from stackgen.plan.memo import planning
from stackgen.plan.planner import Planner
from stackgen.spec.model import Stack


def build_plan(stack: Stack) -> list[Artifact]:
    # One planning() around both parts: each service's alerts are resolved once, not once
    # per output (the runbooks, routing matrix and overview read them all).
    with planning():
        planner = Planner(stack)
        artifacts = planner.stack_artifacts()
        for service in stack.services:
            artifacts += planner.service_artifacts(service)
    return sorted(artifacts, key=lambda a: a.path)


__all__ = ["Artifact", "Planner", "build_plan"]
