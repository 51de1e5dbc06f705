"""Generated proofs: `promtool test rules` files per service that prove every alert it gets
from the raw series the service exposes: the pack and custom alerts (plan.alert_proofs) and the
SLO tiers (plan.slo_proofs). An alert that cannot be proven is named, with the reason, at the
top of the service's proof file, and `stackgen test` reports it unproven."""

from __future__ import annotations

from typing import Any

from stackgen.common.layout import TESTS_DIR
from stackgen.common.values import format_duration
from stackgen.plan.alert_proofs import Unproven, alert_tests, proof_step
from stackgen.plan.alerts import Alert, service_context
from stackgen.plan.artifact import Artifact
from stackgen.plan.grafana import linked_alerts
from stackgen.plan.imported import Attached, attached_groups, service_groups
from stackgen.plan.prometheus import rule_groups
from stackgen.plan.slo_proofs import slo_tests
from stackgen.spec.model import Service, Stack


def _is_slo(alert: Alert) -> bool:
    return "slo" in alert.labels and ("slo_tier" in alert.labels or alert.name == "SLIMissing")


def service_tests(stack: Stack, service: Service) -> tuple[dict[int, list[Any]], list[str]]:
    """The service's tests by evaluation interval, and its unproven alerts with the reason."""
    alerts = linked_alerts(stack, service)
    by_step: dict[int, list[Any]] = {}
    unproven: list[str] = []
    plain = [a for a in alerts if not _is_slo(a)]
    if plain:
        step = proof_step(plain, service_context(stack, service).rate_seconds)
        for alert in plain:
            try:
                by_step.setdefault(step, []).extend(alert_tests(stack, service, alert, step))
            except Unproven as exc:
                unproven.append(f"{alert.name}: {exc}")
    for slo in service.slos:
        mine = [a for a in alerts if _is_slo(a) and a.labels.get("slo") == slo.name]
        try:
            for step, tests in slo_tests(stack, service, slo, mine).items():
                by_step.setdefault(step, []).extend(tests)
        except Unproven as exc:
            unproven.append(f"SLO {slo.name} ({', '.join(sorted({a.name for a in mine}))}): {exc}")
        unproven += [
            f"{a.name} (SLO {slo.name}): no proof of a missing SLI yet"
            for a in mine
            if a.name == "SLIMissing"
        ]
    return by_step, unproven


def service_proofs(
    stack: Stack, service: Service, attached: Attached | None = None
) -> list[Artifact]:
    """The service's proofs in one file, as its rules are in one; a file has one evaluation
    interval, so tests that need different ones get a file per interval,
    `<service>.step-<step>.yml`."""
    by_step, unproven = service_tests(stack, service)
    # promtool evaluates a file's groups in a random order unless told: the rule file's order,
    # so an alert reads the records of the same evaluation, as Prometheus's own order does.
    group_order = [g["name"] for g in rule_groups(stack, service)] + [
        g["name"]
        for g in service_groups(service, attached_groups(stack) if attached is None else attached)
    ]
    one_step = len(by_step) == 1

    def path(step: int) -> str:
        name = service.name if one_step else f"{service.name}.step-{format_duration(step)}"
        return f"{TESTS_DIR}/{name}.yml"

    return [
        Artifact(
            path(step),
            "rules-test.yml.j2",
            {
                "service": service,
                "rule_file": f"../rules/{service.name}.yml",
                "group_order": group_order,
                "evaluation_interval": format_duration(step),
                "tests": tests,
                "unproven": unproven,
            },
        )
        for step, tests in sorted(by_step.items())
    ]


def proof_artifacts(stack: Stack) -> list[Artifact]:
    attached = attached_groups(stack)
    return [
        artifact
        for service in stack.services
        for artifact in service_proofs(stack, service, attached)
    ]
