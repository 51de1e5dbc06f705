"""The plan in two parts: the outputs that read the whole stack, and each service's own, so
that a fleet can be planned, rendered and written a few services at a time."""

from __future__ import annotations

from stackgen.plan.alertmanager import alertmanager_config
from stackgen.plan.artifact import Artifact
from stackgen.plan.grafana import dashboard_folders, service_dashboards, stack_grafana_artifacts
from stackgen.plan.imported import attached_groups, legacy_files
from stackgen.plan.memo import planning
from stackgen.plan.meta import meta_dashboard, meta_proofs, meta_rule_file
from stackgen.plan.prometheus import prometheus_configs, rule_file
from stackgen.plan.proofs import service_proofs
from stackgen.plan.recovery_proofs import recovery_proofs
from stackgen.plan.routing import routing_artifact
from stackgen.plan.runbooks import runbook_artifacts
from stackgen.spec.model import Service, Stack


class Planner:
    """What every service's outputs share, worked out once per stack."""

    def __init__(self, stack: Stack) -> None:
        self.stack = stack
        # The lookups across all services a service's outputs need: made here once, since
        # per service they would cost the size of the stack each time.
        self._folders = dashboard_folders(stack)
        self._attached = attached_groups(stack)

    def stack_artifacts(self) -> list[Artifact]:
        """Outputs that read the whole stack: the Prometheus configs, legacy rules, the
        Alertmanager config and template, the routing matrix, Grafana's provisioning, the
        overview and alerts dashboards, the runbooks."""
        stack = self.stack
        with planning():
            return [
                *prometheus_configs(stack),
                *legacy_files(stack),
                *meta_rule_file(stack),
                *meta_proofs(stack),
                *alertmanager_config(stack),
                routing_artifact(stack),
                *stack_grafana_artifacts(stack, self._folders),
                *meta_dashboard(stack, self._folders[stack.grafana.default_folder]),
                *runbook_artifacts(stack),
            ]

    def service_artifacts(self, service: Service) -> list[Artifact]:
        """The outputs of one service only: its rule file, its proofs, its dashboards. Its
        own planning() drops what it remembered when it returns (a worker plans thousands of
        services, one after another); inside an outer one (build_plan) it shares the plan's."""
        stack = self.stack
        with planning():
            return [
                rule_file(stack, service, self._attached),
                *service_proofs(stack, service, self._attached),
                *recovery_proofs(stack, service),
                *service_dashboards(stack, service, self._folders),
            ]
