"""`stackgen report`: REPORT.md, what a reviewer reads in a pull request. Services and their
teams, every alert with its severity and the receivers it reaches (the routing matrix the render
writes), every SLO with its budget and tier thresholds (`stackgen explain`'s numbers), the
routing tree as a Mermaid flowchart, and what the render changes in OUT (`stackgen diff`).

`build_report` turns the stack, its rendered files and the changes into data; `as_markdown`
lays it out through templates/report.md.j2. The caller reads and writes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from stackgen.alertmanager.routing import route_tree
from stackgen.common.layout import ALERTMANAGER_CONFIG
from stackgen.common.yaml_io import load
from stackgen.plan.routing import routing_matrix
from stackgen.review.diff import MAX_FIELDS, Change, Section, sections, summary
from stackgen.review.documents import render_document
from stackgen.review.explain import Explanation, explain
from stackgen.review.mermaid import flowchart
from stackgen.spec.model import Stack

REPORT = "REPORT.md"
TEMPLATE = "report.md.j2"


@dataclass(frozen=True)
class ServiceRow:
    name: str
    team: str
    kind: str
    description: str
    alerts: int
    slos: int


@dataclass(frozen=True)
class AlertRow:
    name: str
    service: str
    severity: str
    slo: str  # `availability (page)` for an SLO tier's alert, else empty
    receivers: tuple[str, ...]


@dataclass(frozen=True)
class Report:
    stack: str
    environment: str
    services: list[ServiceRow]
    alerts: list[AlertRow]
    slos: list[Explanation]
    routes: int
    flowchart: str  # Mermaid source
    changes: list[Section]
    summary: str
    compared_with: str  # the folder the changes are against
    first_render: bool  # it holds no render: every file is new


def alert_rows(stack: Stack) -> list[AlertRow]:
    """Every generated alert and where it goes, by service, as the routing matrix has them."""
    rows = []
    for entry in routing_matrix(stack)["alerts"]:
        labels: dict[str, str] = entry["labels"]
        tier = f"{labels['slo']} ({labels['slo_tier']})" if "slo_tier" in labels else ""
        rows.append(
            AlertRow(
                name=labels["alertname"],
                service=labels.get("service", ""),
                severity=labels.get("severity", ""),
                slo=tier,
                receivers=tuple(entry["receivers"]),
            )
        )
    return rows


def service_rows(stack: Stack, alerts: list[AlertRow]) -> list[ServiceRow]:
    return [
        ServiceRow(
            name=service.name,
            team=service.team,
            kind=service.kind,
            description=service.description,
            alerts=sum(1 for a in alerts if a.service == service.name),
            slos=len(service.slos),
        )
        for service in stack.services
    ]


def build_report(
    stack: Stack,
    files: Mapping[str, bytes],
    changes: list[Change],
    compared_with: str,
    first_render: bool = False,
) -> Report:
    """The report of a stack whose render is `files`; `changes` turn what `compared_with` holds
    into it (nothing, on a first render: then the report does not list every object as new)."""
    alertmanager: dict[str, Any] = load(files[ALERTMANAGER_CONFIG])
    tree = route_tree(alertmanager["route"])
    alerts = alert_rows(stack)
    return Report(
        stack=stack.stack.name,
        environment=stack.stack.environment,
        services=service_rows(stack, alerts),
        alerts=alerts,
        slos=explain(stack),
        routes=sum(1 for _ in tree.walk()),
        flowchart=flowchart(tree),
        changes=sections(changes),
        summary=summary(changes),
        compared_with=compared_with,
        first_render=first_render,
    )


def as_markdown(report: Report) -> str:
    context = {"report": report, "sections": report.changes, "summary": report.summary}
    return render_document(TEMPLATE, {**context, "max_fields": MAX_FIELDS, "heading": 3})
