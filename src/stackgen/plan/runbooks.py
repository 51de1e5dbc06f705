"""Runbook skeletons for alerts whose spec gives no runbook URL."""

from __future__ import annotations

from stackgen.plan.alerts import Alert, stack_alerts
from stackgen.plan.artifact import Artifact
from stackgen.plan.grafana import dashboard_uid
from stackgen.spec.model import Stack


def dashboard_link(stack: Stack, service: str) -> str:
    return f"{stack.grafana.url.rstrip('/')}/d/{dashboard_uid(stack, service)}"


def runbook_artifacts(stack: Stack) -> list[Artifact]:
    by_name: dict[str, list[Alert]] = {}
    for alert in stack_alerts(stack):
        if alert.runbook_generated:
            by_name.setdefault(alert.name, []).append(alert)
    return [
        Artifact(
            f"runbooks/{name}.md",
            "runbook.md.j2",
            {
                "name": name,
                "alerts": alerts,
                "stack": stack.stack,
                "dashboards": {a.service: dashboard_link(stack, a.service) for a in alerts},
            },
        )
        for name, alerts in sorted(by_name.items())
    ]
