"""The routing matrix: for every alert the stack generates, and every label set the spec's
`routing.expect` names, the receivers it must reach. `stackgen test` holds the rendered
alertmanager.yml to it with amtool and with stackgen's simulator."""

from __future__ import annotations

from typing import Any

from stackgen.alertmanager.routing import receivers_for, route_tree
from stackgen.common.layout import ROUTING_MATRIX
from stackgen.plan.alertmanager import root_route
from stackgen.plan.alerts import stack_alerts
from stackgen.plan.artifact import Artifact
from stackgen.plan.memo import per_plan
from stackgen.plan.meta import meta_routes
from stackgen.plan.prometheus import external_labels
from stackgen.spec.model import Stack


@per_plan
def alert_labels(stack: Stack) -> list[dict[str, str]]:
    """What Alertmanager receives of each generated alert: its labels (templated ones left out:
    the series decide them), its name, and the external labels."""
    found, external = [], external_labels(stack)
    for alert in stack_alerts(stack):
        fixed = {k: v for k, v in alert.labels.items() if "{{" not in v}
        found.append({**external, **fixed, "alertname": alert.name})
    return found


def complete(stack: Stack, given: dict[str, str]) -> tuple[dict[str, str], str | None]:
    """The labels Alertmanager would receive: those of the one generated alert the given labels
    pick out (with the given ones on top), else the given ones with the external labels. The
    second value names the alert used."""
    chosen = [labels for labels in alert_labels(stack) if given.items() <= labels.items()]
    if len(chosen) == 1:
        labels = chosen[0]
        return {**labels, **given}, f"{labels['alertname']} of {labels.get('service', '?')}"
    return {**external_labels(stack), **given}, None


def routing_matrix(stack: Stack) -> dict[str, list[dict[str, Any]]]:
    tree = route_tree(root_route(stack.routing, meta_routes(stack)))
    generated = [
        {"labels": labels, "receivers": receivers_for(tree, labels)}
        for labels in alert_labels(stack)
    ]
    expected = [
        {"labels": complete(stack, e.labels)[0], "receivers": e.receivers}
        for e in stack.routing.expect
    ]
    return {"alerts": generated, "expected": expected}


def routing_artifact(stack: Stack) -> Artifact:
    return Artifact(
        ROUTING_MATRIX, "routing-tests.yml.j2", {"stack": stack.stack, **routing_matrix(stack)}
    )
