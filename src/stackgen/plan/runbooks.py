"""Runbook skeletons for alerts whose spec gives no runbook URL."""

from __future__ import annotations

from stackgen.plan.alerts import Alert, stack_alerts
from stackgen.plan.artifact import Artifact
from stackgen.spec.model import Stack


def runbook_artifacts(stack: Stack) -> list[Artifact]:
    by_name: dict[str, list[Alert]] = {}
    for alert in stack_alerts(stack):
        if alert.runbook_generated:
            by_name.setdefault(alert.name, []).append(alert)
    return [
        Artifact(
            f"runbooks/{name}.md",
            "runbook.md.j2",
            {"name": name, "alerts": alerts, "stack": stack.stack},
        )
        for name, alerts in sorted(by_name.items())
    ]
