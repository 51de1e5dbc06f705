"""Plan stage: a validated Stack -> the list of artifacts to render, each with its data."""

from __future__ import annotations

from stackgen.collector import collector_paused
from stackgen.plan.alertmanager import alertmanager_config
from stackgen.plan.artifact import Artifact
from stackgen.plan.grafana import grafana_artifacts
from stackgen.plan.memo import planning
from stackgen.plan.prometheus import prometheus_configs, rule_files
from stackgen.plan.proofs import proof_artifacts
from stackgen.plan.routing import routing_artifact
from stackgen.plan.runbooks import runbook_artifacts
from stackgen.spec.model import Stack


def build_plan(stack: Stack) -> list[Artifact]:
    # planning(): each service's alerts are resolved once, not once per output
    with collector_paused(), planning():
        artifacts = [
            *prometheus_configs(stack),
            *rule_files(stack),
            *proof_artifacts(stack),
            *alertmanager_config(stack),
            routing_artifact(stack),
            *grafana_artifacts(stack),
            *runbook_artifacts(stack),
        ]
    return sorted(artifacts, key=lambda a: a.path)


__all__ = ["Artifact", "build_plan"]
