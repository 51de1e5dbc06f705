"""Runbook skeletons for alerts whose spec gives no runbook URL."""

from __future__ import annotations

from stackgen.common.layout import RUNBOOKS_DIR
from stackgen.plan.alerts import Alert, stack_alerts
from stackgen.plan.artifact import Artifact
from stackgen.plan.grafana import dashboard_uid
from stackgen.spec.model import Stack


def dashboard_link(stack: Stack, service: str) -> str:
    return f"{stack.grafana.url.rstrip('/')}/d/{dashboard_uid(stack, service)}"


def code_span(text: str) -> str:
    """Text as Markdown inline code inside a table cell (no pipes, no backticks inside)."""
    return "`" + text.replace("`", "'").replace("|", "\\|") + "`"


def as_code(text: str) -> str:
    """Go template actions shown as code, so Markdown renders them as written."""
    return text.replace("{{", "`{{").replace("}}", "}}`")


def runbook_artifacts(stack: Stack) -> list[Artifact]:
    by_name: dict[str, list[Alert]] = {}
    for alert in stack_alerts(stack):
        if alert.runbook_generated:
            by_name.setdefault(alert.name, []).append(alert)
    return [
        Artifact(
            f"{RUNBOOKS_DIR}/{name}.md",
            "runbook.md.j2",
            {
                "name": name,
                "summary": as_code(alerts[0].summary),
                "rows": [
                    {
                        "service": a.service,
                        "severity": a.labels["severity"],
                        "for": a.for_,
                        "expr": code_span(a.expr),
                    }
                    for a in alerts
                ],
                "diagnosis": alerts[0].diagnosis,
                "dashboards": {a.service: dashboard_link(stack, a.service) for a in alerts},
                "teams": sorted({a.labels["team"] for a in alerts}),
            },
        )
        for name, alerts in sorted(by_name.items())
    ]
