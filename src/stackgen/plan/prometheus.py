"""prometheus.yml and one rule file per service."""

from __future__ import annotations

import re
from typing import Any

from stackgen.packs import pack_for
from stackgen.plan.alerts import Alert, service_context
from stackgen.plan.artifact import Artifact
from stackgen.plan.grafana import linked_alerts
from stackgen.plan.slos import slo_records
from stackgen.spec.model import KubernetesSD, Service, Stack

RULES_DIR = "prometheus/rules"

# The label Kubernetes service discovery exposes for each object label, by role.
_K8S_LABEL_META = {
    "endpoints": "__meta_kubernetes_service_label_",
    "endpointslice": "__meta_kubernetes_service_label_",
    "service": "__meta_kubernetes_service_label_",
    "pod": "__meta_kubernetes_pod_label_",
}
_K8S_PORT_META = {
    "endpoints": "__meta_kubernetes_endpoint_port_name",
    "endpointslice": "__meta_kubernetes_endpointslice_port_name",
    "service": "__meta_kubernetes_service_port_name",
    "pod": "__meta_kubernetes_pod_container_port_name",
}
_RE2_SPECIAL = re.compile(r"([\\.+*?()|\[\]{}^$])")


def external_labels(stack: Stack) -> dict[str, str]:
    """Labels Prometheus puts on every series and alert it sends out."""
    return {
        "stack": stack.stack.name,
        "environment": stack.stack.environment,
        **stack.stack.external_labels,
    }


def _literal_regex(text: str) -> str:
    return _RE2_SPECIAL.sub(r"\\\1", text)


def _kubernetes_relabels(sd: KubernetesSD) -> list[dict[str, Any]]:
    rules: list[dict[str, Any]] = []
    for label, value in sd.selector.items():
        meta = _K8S_LABEL_META[sd.role] + re.sub(r"[^a-zA-Z0-9_]", "_", label)
        rules.append({"action": "keep", "source_labels": [meta], "regex": _literal_regex(value)})
    if sd.port is not None:
        rules.append(
            {
                "action": "keep",
                "source_labels": [_K8S_PORT_META[sd.role]],
                "regex": _literal_regex(sd.port),
            }
        )
    rules.append({"source_labels": ["__meta_kubernetes_namespace"], "target_label": "namespace"})
    if sd.role != "service":
        rules.append({"source_labels": ["__meta_kubernetes_pod_name"], "target_label": "pod"})
    return rules


def scrape_job(service: Service) -> dict[str, Any]:
    targets = service.targets
    relabels: list[dict[str, Any]] = []
    if targets.kubernetes is not None:
        relabels += _kubernetes_relabels(targets.kubernetes)
    constant = {"service": service.name, "team": service.team, **service.labels}
    # Prometheus expands `$1`/`${name}` in a replacement: `$$` keeps a literal dollar.
    relabels += [
        {"target_label": k, "replacement": v.replace("$", "$$")} for k, v in constant.items()
    ]
    return {
        "job_name": service.name,
        "scrape_interval": service.scrape_interval,
        "metrics_path": service.metrics_path,
        "scheme": service.scheme,
        "static": targets.static,
        "file_sd": targets.file_sd,
        "kubernetes": targets.kubernetes,
        "relabel_configs": relabels,
    }


def prometheus_config(stack: Stack) -> Artifact:
    self_jobs = []
    if stack.prometheus.self_scrape:
        self_jobs = [
            {"job_name": "prometheus", "targets": [stack.prometheus.address]},
            {"job_name": "alertmanager", "targets": stack.alertmanager.addresses},
        ]
    return Artifact(
        "prometheus/prometheus.yml",
        "prometheus.yml.j2",
        {
            "stack": stack.stack,
            "server": stack.prometheus,
            "external_labels": external_labels(stack),
            "alertmanagers": stack.alertmanager.addresses,
            "rule_files": [f"rules/{s.name}.yml" for s in stack.services],
            "self_jobs": self_jobs,
            "jobs": [scrape_job(s) for s in stack.services],
        },
    )


def rule_groups(stack: Stack, service: Service) -> list[dict[str, Any]]:
    ctx = service_context(stack, service)
    records = [
        {"record": ctx.rec_name(r.record), "expr": r.expr(ctx)}
        for r in pack_for(service.kind).records
    ]
    alerts: list[Alert] = linked_alerts(stack, service)
    slo_records_ = [r for slo in service.slos for r in slo_records(ctx, service, slo)]
    groups = [
        {"name": f"{service.name}.recording", "records": records, "alerts": []},
        {"name": f"{service.name}.slo", "records": slo_records_, "alerts": []},
        {"name": f"{service.name}.alerts", "records": [], "alerts": alerts},
    ]
    return [g for g in groups if g["records"] or g["alerts"]]


def rule_files(stack: Stack) -> list[Artifact]:
    return [
        Artifact(
            f"{RULES_DIR}/{service.name}.yml",
            "rules.yml.j2",
            {"service": service, "groups": rule_groups(stack, service)},
        )
        for service in stack.services
    ]
