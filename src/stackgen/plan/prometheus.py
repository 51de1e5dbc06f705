"""The Prometheus configs (one server, or shards with an optional global server) and one rule
file per service."""

from __future__ import annotations

import re
from typing import Any

from stackgen.common.layout import PROMETHEUS_CONFIG, RULES_DIR, SHARD_CONFIG, under_prometheus
from stackgen.common.values import format_duration, parse_duration
from stackgen.packs.base import ServiceContext
from stackgen.packs.service import service_pack
from stackgen.plan.alerts import Alert, service_context
from stackgen.plan.artifact import Artifact
from stackgen.plan.grafana import linked_alerts
from stackgen.plan.imported import (
    LEGACY_FILE,
    Attached,
    attached_groups,
    legacy_files,
    service_groups,
)
from stackgen.plan.meta import RULE_FILE as META_RULE_FILE
from stackgen.plan.meta import meta_alerts
from stackgen.plan.slos import slo_record_groups
from stackgen.prometheus.promql import literal_regex
from stackgen.spec import burn_rates as engine
from stackgen.spec.model import (
    TENANT_HEADERS,
    KubernetesSD,
    PrometheusServer,
    Relabel,
    RemoteWrite,
    Service,
    Stack,
)

SHARD_LABEL = "shard"
# What the global Prometheus federates: every series of the stack's services (their targets
# carry a `service` label), and the shards' own metrics.
FEDERATE_MATCH = ['{service!=""}', '{job="prometheus"}']

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


def external_labels(stack: Stack) -> dict[str, str]:
    """Labels Prometheus puts on every series and alert it sends out."""
    return {
        "stack": stack.stack.name,
        "environment": stack.stack.environment,
        **stack.stack.external_labels,
    }


def _kubernetes_relabels(sd: KubernetesSD) -> list[dict[str, Any]]:
    rules: list[dict[str, Any]] = []
    for label, value in sd.selector.items():
        meta = _K8S_LABEL_META[sd.role] + re.sub(r"[^a-zA-Z0-9_]", "_", label)
        rules.append({"action": "keep", "source_labels": [meta], "regex": literal_regex(value)})
    if sd.port is not None:
        rules.append(
            {
                "action": "keep",
                "source_labels": [_K8S_PORT_META[sd.role]],
                "regex": literal_regex(sd.port),
            }
        )
    rules.append({"source_labels": ["__meta_kubernetes_namespace"], "target_label": "namespace"})
    if sd.role != "service":
        rules.append({"source_labels": ["__meta_kubernetes_pod_name"], "target_label": "pod"})
    return rules


def shard_relabels(shards: int, shard: int) -> list[dict[str, Any]]:
    """Keep the targets whose address hashes to `shard` (Prometheus's hashmod: the last 8
    bytes of the address's MD5, modulo the number of shards)."""
    return [
        {
            "source_labels": ["__address__"],
            "modulus": shards,
            "target_label": "__tmp_hashmod",
            "action": "hashmod",
        },
        {"source_labels": ["__tmp_hashmod"], "regex": str(shard), "action": "keep"},
    ]


def scrape_job(service: Service, shard: tuple[int, int] | None = None) -> dict[str, Any]:
    """The scrape job of a service; with `shard` (number, of how many), only its share."""
    targets = service.targets
    relabels: list[dict[str, Any]] = shard_relabels(shard[1], shard[0]) if shard else []
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
        "scrape_timeout": service.scrape_timeout,
        "metrics_path": service.metrics_path,
        "scheme": service.scheme,
        "static": targets.static,
        "file_sd": targets.file_sd,
        "kubernetes": targets.kubernetes,
        "relabel_configs": relabels,
    }


def _relabel(rule: Relabel) -> dict[str, Any]:
    """A relabel step with only the fields that differ from Prometheus's defaults."""
    return rule.model_dump(exclude_defaults=True, exclude_none=True)


def remote_write(target: RemoteWrite) -> dict[str, Any]:
    config: dict[str, Any] = {"name": target.name, "url": target.url}
    if target.remote_timeout:
        config["remote_timeout"] = target.remote_timeout
    if target.tenant is not None:
        config["headers"] = {TENANT_HEADERS[target.store]: target.tenant}
    if target.basic_auth_username is not None:
        config["basic_auth"] = {
            "username": target.basic_auth_username,
            "password_file": target.basic_auth_password_file,
        }
    if target.bearer_token_file is not None:
        config["authorization"] = {"credentials_file": target.bearer_token_file}
    queue = target.queue.model_dump(exclude_none=True)
    if queue:
        config["queue_config"] = queue
    if target.write_relabel:
        config["write_relabel_configs"] = [_relabel(r) for r in target.write_relabel]
    return config


def _self_job(name: str, targets: list[str]) -> dict[str, Any]:
    return {"job_name": name, "static": targets, "relabel_configs": []}


def _config(
    stack: Stack,
    path: str,
    *,
    address: str,
    labels: dict[str, str],
    jobs: list[dict[str, Any]],
    evaluates_rules: bool,
    writes_remote: bool,
) -> Artifact:
    rule_files = [f"rules/{s.name}.yml" for s in stack.services]
    if meta_alerts(stack):
        rule_files.append(META_RULE_FILE.removeprefix("prometheus/"))
    if legacy_files(stack):
        rule_files.append(under_prometheus(LEGACY_FILE))
    writes = [remote_write(w) for w in stack.prometheus.remote_write]
    return Artifact(
        path,
        "prometheus.yml.j2",
        {
            "stack": stack.stack,
            "server": stack.prometheus,
            "address": address,
            "external_labels": labels,
            "alertmanagers": stack.alertmanager.addresses if evaluates_rules else [],
            "rule_files": rule_files if evaluates_rules else [],
            "remote_write": writes if writes_remote else [],
            "jobs": jobs,
        },
    )


def grafana_address(stack: Stack) -> str:
    """Grafana's host:port, from its URL (its /metrics answers there)."""
    host, port = stack.grafana.reached_at()
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def _alertmanager_jobs(stack: Stack) -> list[dict[str, Any]]:
    """Alertmanager's and Grafana's own metrics, scraped by whoever watches Alertmanager."""
    return [
        _self_job("alertmanager", stack.alertmanager.addresses),
        _self_job("grafana", [grafana_address(stack)]),
    ]


def federate_job(server: PrometheusServer) -> dict[str, Any]:
    return {
        "job_name": "federate",
        "honor_labels": True,  # keep the shards' job, instance and shard labels
        "metrics_path": "/federate",
        "params": {"match[]": FEDERATE_MATCH},
        "static": server.shard_addresses(),
        "relabel_configs": [],
    }


def prometheus_configs(stack: Stack) -> list[Artifact]:
    """One Prometheus doing everything; or shards that share the scraping, each keeping the
    targets that hash to it, with a global Prometheus that federates them and evaluates the
    rules (rule_evaluation federation) or none (the ruler of a remote store evaluates them)."""
    server = stack.prometheus
    self_scrape = server.self_scrape
    if not server.sharded:
        jobs = [_self_job("prometheus", [server.address]), *_alertmanager_jobs(stack)]
        return [
            _config(
                stack,
                PROMETHEUS_CONFIG,
                address=server.address,
                labels=external_labels(stack),
                jobs=[*(jobs if self_scrape else []), *map(scrape_job, stack.services)],
                evaluates_rules=server.rule_evaluation == "local",
                writes_remote=True,
            )
        ]
    has_global = server.rule_evaluation == "federation"
    configs = []
    for shard, address in enumerate(server.shard_addresses()):
        own = [_self_job("prometheus", [address])]
        if shard == 0 and not has_global:  # someone watches Alertmanager
            own += _alertmanager_jobs(stack)
        share = (shard, server.shards) if server.shards > 1 else None
        jobs = [*(own if self_scrape else []), *(scrape_job(s, share) for s in stack.services)]
        configs.append(
            _config(
                stack,
                SHARD_CONFIG.format(shard=shard),
                address=address,
                labels={**external_labels(stack), SHARD_LABEL: str(shard)},
                jobs=jobs,
                evaluates_rules=False,
                writes_remote=True,
            )
        )
    if has_global:
        own = [_self_job("prometheus", [server.address]), *_alertmanager_jobs(stack)]
        configs.append(
            _config(
                stack,
                PROMETHEUS_CONFIG,
                address=server.address,
                labels=external_labels(stack),
                jobs=[*(own if self_scrape else []), federate_job(server)],
                evaluates_rules=True,
                writes_remote=False,
            )
        )
    return configs


def rule_groups(stack: Stack, service: Service) -> list[dict[str, Any]]:
    ctx = service_context(stack, service)
    records = [
        {"record": ctx.rec_name(r.record), "expr": r.expr(ctx)}
        for r in service_pack(stack.packs, service).records
    ]
    alerts: list[Alert] = linked_alerts(stack, service)
    interval = engine.slow_interval(parse_duration(stack.prometheus.evaluation_interval))
    slo_fast, slo_slow = slo_groups(ctx, service, slow_group=interval is not None)
    groups: list[dict[str, Any]] = [
        {"name": f"{service.name}.recording", "records": records, "alerts": []},
        {"name": f"{service.name}.slo", "records": slo_fast, "alerts": []},
        {
            "name": f"{service.name}.slo-long",
            "interval": format_duration(interval or 0),
            "records": slo_slow,
            "alerts": [],
        },
        {"name": f"{service.name}.alerts", "records": [], "alerts": alerts},
    ]
    return [g for g in groups if g["records"] or g["alerts"]]


def slo_groups(
    ctx: ServiceContext, service: Service, slow_group: bool
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The records of the service's SLO group and of its slow group (long windows, evaluated
    less often: engine.slow_interval), or all in the first (`slow_group` False)."""
    fast: list[dict[str, Any]] = []
    slow: list[dict[str, Any]] = []
    for slo in service.slos:
        slo_fast, slo_slow = slo_record_groups(ctx, service, slo, slow_group)
        fast += slo_fast
        slow += slo_slow
    return fast, slow


def custom_alert_names(stack: Stack) -> dict[str, set[str]]:
    """Per rule file (relative to OUT), the services' own custom alerts in it."""
    return {
        f"{RULES_DIR}/{service.name}.yml": {alert.name for alert in service.custom_alerts}
        for service in stack.services
        if service.custom_alerts
    }


def rule_file(stack: Stack, service: Service, attached: Attached) -> Artifact:
    """The service's rule file; `attached`: the stack's groups by service (attached_groups)."""
    return Artifact(
        f"{RULES_DIR}/{service.name}.yml",
        "rules.yml.j2",
        {
            "service": service,
            "groups": rule_groups(stack, service),
            "imported": service_groups(service, attached),
        },
    )


def rule_files(stack: Stack) -> list[Artifact]:
    attached = attached_groups(stack)
    return [rule_file(stack, s, attached) for s in stack.services] + legacy_files(stack)
