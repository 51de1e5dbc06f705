"""Runbook skeletons for alerts whose spec gives no runbook URL."""

from __future__ import annotations

from typing import Any

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


def written(alerts: list[Alert]) -> list[dict[str, Any]]:
    """The runbook content written for these alerts (of one name), each once with the services
    it was written for: a pack's runbook is the same for every service of the pack."""
    found: list[dict[str, Any]] = []
    for alert in alerts:
        if alert.runbook is None:
            continue
        same = next((w for w in found if w["source"] == alert.runbook), None)
        if same is None:
            found.append({"source": alert.runbook, "services": [alert.service]})
        else:
            same["services"].append(alert.service)
    return [
        {"services": ", ".join(w["services"]), "runbook": w["source"].model_dump()} for w in found
    ]


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
                "written": written(alerts),
            },
        )
        for name, alerts in sorted(by_name.items())
    ]
