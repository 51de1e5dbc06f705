"""Resolves every alert of the stack: pack defaults, spec overrides, runbook links, SLO alerts."""

from __future__ import annotations

from dataclasses import dataclass, field
from string import Template
from typing import Any

from stackgen.common.layout import RUNBOOKS_DIR
from stackgen.common.values import clean_number, parse_duration
from stackgen.packs.base import AlertDef, ServiceContext
from stackgen.packs.service import service_alert_defs, service_metric_roles, service_pack
from stackgen.plan.memo import per_plan
from stackgen.plan.slos import slo_alert_fields
from stackgen.spec.custom import AlertProof
from stackgen.spec.model import Service, Stack
from stackgen.spec.rules import AlertingRule
from stackgen.spec.runbooks import Runbook


@dataclass(frozen=True)
class Alert:
    """One alerting rule as it will be written, plus what runbooks and dashboards need."""

    service: str
    name: str
    expr: str
    for_: str
    labels: dict[str, str]
    summary: str
    description: str
    runbook_url: str
    runbook_generated: bool  # the link points at a runbook skeleton stackgen writes
    threshold: float | None = None
    diagnosis: tuple[str, ...] = ()
    runbook: Runbook | None = None  # content the spec writes for the generated runbook
    extra_annotations: dict[str, str] = field(default_factory=dict)  # from the spec; they win
    dashboard_url: str = ""  # the dashboard (and panel) that explains the alert
    # The pack's name for the alert, which panels and inhibitions refer to; `name` differs
    # from it where the spec renames the alert (`alerts.NAME.name`).
    definition: str = ""

    @property
    def origin(self) -> str:
        return self.definition or self.name

    proof: AlertProof | None = None  # the scenario of its generated proof (plan.alert_proofs)
    fires_below: bool = False  # it fires below its threshold

    @property
    def annotations(self) -> dict[str, str]:
        linked = {"dashboard_url": self.dashboard_url} if self.dashboard_url else {}
        return {
            "summary": self.summary,
            "description": self.description,
            "runbook_url": self.runbook_url,
            **linked,
            **self.extra_annotations,
        }


def service_context(stack: Stack, service: Service) -> ServiceContext:
    scrape = parse_duration(service.scrape_interval or stack.prometheus.scrape_interval)
    return ServiceContext(
        job=service.name,
        metrics={**service_metric_roles(stack.packs, service), **service.metric_overrides},
        # rate() needs at least 4 samples in its range; 5m is the floor teams expect.
        rate_seconds=max(300.0, 4 * scrape),
        labels=service_pack(stack.packs, service).label_roles,
    )


def runbook_link(stack: Stack, alert: str) -> str:
    """The alert's runbook: below `runbooks_url`'s path, its query and fragment kept after."""
    base = stack.stack.runbooks_url
    if not base:
        return f"{RUNBOOKS_DIR}/{alert}.md"
    address, hash_, fragment = base.partition("#")
    address, question, query = address.partition("?")
    return f"{address.rstrip('/')}/{alert}.md{question}{query}{hash_}{fragment}"


def _describe_threshold(definition: AlertDef, value: float) -> str:
    if definition.threshold_unit == "ratio":
        return f"{clean_number(value * 100)}%"
    return clean_number(value)


def _alert(
    stack: Stack,
    service: Service,
    name: str,
    severity: str,
    runbook_url: str | None,
    labels: dict[str, str],
    **fields: Any,
) -> Alert:
    """An alert of `service`: its identity labels, and the runbook link (the alert's own, the
    service's, or a generated skeleton's, in that order)."""
    # Runbook content written for this alert beats the service's link for all its alerts.
    explicit = runbook_url or (None if fields.get("runbook") else service.runbook_url)
    return Alert(
        service=service.name,
        name=name,
        labels={"severity": severity, "team": service.team, "service": service.name, **labels},
        runbook_url=explicit or runbook_link(stack, name),
        runbook_generated=explicit is None,
        **fields,
    )


def pack_alerts(stack: Stack, service: Service) -> list[Alert]:
    ctx = service_context(stack, service)
    alerts = []
    for definition in service_alert_defs(stack.packs, service):
        override = service.alert_overrides.get(definition.name)
        if override is not None and not override.enabled:
            continue
        threshold = definition.threshold
        if override is not None and override.threshold is not None:
            threshold = override.threshold
        for_ = (override.for_ if override else None) or definition.for_
        runbook = override.runbook if override else None
        linked = (override.runbook_url if override else None) or service.runbook_url
        if runbook is None and linked is None:
            runbook = definition.runbook  # the pack's, where neither alert nor service says

        params = {
            "threshold": _describe_threshold(definition, threshold)
            if threshold is not None
            else "",
            "range": ctx.rate_range,
            "for": for_,
        }
        alerts.append(
            _alert(
                stack,
                service,
                (override.name if override else None) or definition.name,
                (override.severity if override else None) or definition.severity,
                override.runbook_url if override else None,
                override.labels if override else {},
                expr=definition.expr(ctx, clean_number(threshold) if threshold is not None else ""),
                for_=for_,
                summary=Template(definition.summary).safe_substitute(params),
                description=Template(definition.description).safe_substitute(params),
                threshold=threshold,
                diagnosis=definition.diagnosis,
                runbook=runbook,
                definition=definition.name,
                proof=definition.proof,
                fires_below=definition.fires_below,
            )
        )
    return alerts


def custom_alerts(stack: Stack, service: Service) -> list[Alert]:
    return [
        _alert(
            stack,
            service,
            custom.name,
            custom.severity,
            custom.runbook_url,
            custom.labels,
            expr=custom.expr.strip(),
            for_=custom.for_,
            summary=custom.summary,
            description=custom.description.strip(),
            runbook=custom.runbook,
            proof=custom.proof,
        )
        for custom in service.custom_alerts
    ]


@per_plan
def service_alerts(stack: Stack, service: Service) -> list[Alert]:
    ctx = service_context(stack, service)
    return [
        *pack_alerts(stack, service),
        *(
            _alert(stack, service, **fields)
            for slo in service.slos
            for fields in slo_alert_fields(ctx, service, slo)
        ),
        *custom_alerts(stack, service),
    ]


def stack_alerts(stack: Stack) -> list[Alert]:
    """Every alert the rules write: the services', then the stack's own (meta-monitoring)."""
    from stackgen.plan.meta import meta_alerts  # it builds on this module's Alert

    return [
        *(alert for service in stack.services for alert in service_alerts(stack, service)),
        *meta_alerts(stack),
    ]


def defined_alert_names(stack: Stack) -> set[str]:
    """Every alert a rule stackgen writes may fire: the generated ones, and those of the rule
    groups kept as written."""
    groups = [*stack.rule_groups, *(g for s in stack.services for g in s.rule_groups)]
    kept = {
        rule.alert for group in groups for rule in group.rules if isinstance(rule, AlertingRule)
    }
    return {alert.name for alert in stack_alerts(stack)} | kept
