"""prometheus-operator resources: ServiceMonitors, PrometheusRules, the additionalScrapeConfigs
Secret and the Alertmanager config Secret, built from the plain files so they say the same."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from stackgen.common.layout import ALERTMANAGER_CONFIG, NOTIFICATION_TEMPLATES_DIR, RULES_DIR
from stackgen.common.values import parse_duration
from stackgen.render import RenderError
from stackgen.spec.model import Service, Stack
from stackgen.targets.k8s.objects import (
    Object,
    cap,
    data_key,
    document,
    fitting,
    metadata,
    plain_text,
    plain_yaml,
    prometheus_configs,
    rule_files,
    secret,
    under,
)
from stackgen.targets.k8s.operator_servers import with_operator_paths
from stackgen.targets.split import split_by_size

API = "monitoring.coreos.com/v1"
SCRAPE_KEY = "prometheus-additional.yaml"
ALERTMANAGER_KEY = "alertmanager.yaml"
# Where the operator mounts the config Secret's other keys in the Alertmanager container.
ALERTMANAGER_CONFIG_DIR = "/etc/alertmanager/config"
# Roles a ServiceMonitor discovers by; pods and services are scraped by the plain job instead.
MONITOR_ROLES = {"endpoints": "Endpoints", "endpointslice": "EndpointSlice"}
_CAMEL = {"source_labels": "sourceLabels", "target_label": "targetLabel"}
# The longest name suffix a split part gets: "." and up to 64 bits.
_PART_SUFFIX = 65


def _unsharded(job: dict[str, Any]) -> dict[str, Any]:
    """The job without a shard's hashmod keep: the operator shards by itself."""
    rules = job.get("relabel_configs") or []
    hashed = {r["target_label"] for r in rules if r.get("action") == "hashmod"}
    kept = [
        r
        for r in rules
        if r.get("action") != "hashmod"
        and not (r.get("action") == "keep" and set(r.get("source_labels", [])) <= hashed)
    ]
    return {**job, "relabel_configs": kept}


def service_jobs(stack: Stack, plain: Mapping[str, bytes]) -> dict[str, tuple[dict, dict]]:
    """Each service's scrape job in the plain configs, with the config's `global` section."""
    names = {s.name for s in stack.services}
    found: dict[str, tuple[dict, dict]] = {}
    for path in prometheus_configs(plain):
        config = plain_yaml(plain, path) or {}
        for job in config.get("scrape_configs") or []:
            if job["job_name"] not in names:
                continue
            job = _unsharded(job)
            seen = found.setdefault(job["job_name"], (job, config.get("global") or {}))
            if seen[0] != job:
                raise RenderError(f"{path}: job {job['job_name']} differs from another config's")
    return found


def _interval(job: dict[str, Any], glob: dict[str, Any]) -> tuple[str, str]:
    """The job's interval and timeout as Prometheus works them out: a timeout longer than the
    job's own interval is cut to it."""
    interval = job.get("scrape_interval") or glob.get("scrape_interval") or "1m"
    timeout = job.get("scrape_timeout") or glob.get("scrape_timeout") or "10s"
    if parse_duration(timeout) > parse_duration(interval):
        timeout = interval
    return interval, timeout


def _relabeling(rule: dict[str, Any]) -> dict[str, Any]:
    return {_CAMEL.get(key, key): value for key, value in rule.items()}


def service_monitor(stack: Stack, service: Service, job: dict, glob: dict) -> Object:
    sd = service.targets.kubernetes
    assert sd is not None
    interval, timeout = _interval(job, glob)
    # The operator names the job after the Kubernetes Service; the rules select job=<service>.
    relabelings = [{"targetLabel": "job", "replacement": job["job_name"]}] + [
        _relabeling(rule)
        for rule in job.get("relabel_configs") or []
        if rule.get("action") != "keep"  # the selector and port below keep what these kept
    ]
    endpoint: dict[str, Any] = {}
    if sd.port is not None:
        endpoint["port"] = sd.port
    endpoint |= {
        "path": job["metrics_path"],
        "scheme": job["scheme"],
        "interval": interval,
        "scrapeTimeout": timeout,
        "relabelings": relabelings,
    }
    namespaces = {"matchNames": list(sd.namespaces)} if sd.namespaces else {"any": True}
    return {
        "apiVersion": API,
        "kind": "ServiceMonitor",
        "metadata": metadata(stack, service.name),
        "spec": {
            "serviceDiscoveryRole": MONITOR_ROLES[sd.role],
            "selector": {"matchLabels": dict(sd.selector)},
            "namespaceSelector": namespaces,
            "endpoints": [endpoint],
        },
    }


def monitored(service: Service) -> bool:
    sd = service.targets.kubernetes
    return sd is not None and sd.role in MONITOR_ROLES


def service_monitors(stack: Stack, plain: Mapping[str, bytes]) -> list[Object]:
    jobs = service_jobs(stack, plain)
    return [service_monitor(stack, s, *jobs[s.name]) for s in stack.services if monitored(s)]


def scrape_secret(stack: Stack, plain: Mapping[str, bytes]) -> list[Object]:
    """The jobs no ServiceMonitor can express (static and file_sd targets, pod and service
    roles), as the plain configs have them."""
    jobs = service_jobs(stack, plain)
    chosen = [jobs[s.name][0] for s in stack.services if not monitored(s)]
    if not chosen:
        return []
    name = stack.output.kubernetes.additional_scrape_configs
    return [fitting(secret(stack, name, {SCRAPE_KEY: document(chosen).decode()}), stack)]


def _rule(stack: Stack, name: str, groups: Sequence[dict]) -> Object:
    return {
        "apiVersion": API,
        "kind": "PrometheusRule",
        "metadata": metadata(stack, name),
        "spec": {"groups": list(groups)},
    }


def prometheus_rules(stack: Stack, plain: Mapping[str, bytes]) -> list[Object]:
    """A PrometheusRule per plain rule file holding exactly its groups; split by group (placed
    by name, so parts stay put as a service grows) when one object would pass the cap."""
    objects = []
    for path in rule_files(plain):
        stem = path.removeprefix(f"{RULES_DIR}/").removesuffix(".yml").replace("/", ".")
        groups = (plain_yaml(plain, path) or {}).get("groups") or []
        parts = split_by_size(
            groups,
            key=lambda group: str(group["name"]),
            size=lambda part, stem=stem: len(document(_rule(stack, stem, part))) + _PART_SUFFIX,
            cap=cap(stack),
        )
        objects += [_rule(stack, f"{stem}.{bits}" if bits else stem, p) for bits, p in parts]
    return objects


def _operator_templates(templates: list[str]) -> list[str]:
    return [f"{ALERTMANAGER_CONFIG_DIR}/{t.rsplit('/', 1)[-1]}" for t in templates]


def alertmanager_secret(
    stack: Stack, plain: Mapping[str, bytes], secret_keys: Mapping[str, str]
) -> list[Object]:
    """The plain alertmanager.yml and its templates in the Secret the operator reads. The
    operator mounts the templates in its config folder, so the config looks for them there,
    and the channels' secret files (`secret_keys`: path -> key) where it mounts them."""
    config = with_operator_paths(plain_yaml(plain, ALERTMANAGER_CONFIG), secret_keys)
    if config.get("templates"):
        config["templates"] = _operator_templates(config["templates"])
    data = {ALERTMANAGER_KEY: document(config).decode()}
    for path in under(plain, NOTIFICATION_TEMPLATES_DIR, ".tmpl"):
        data[data_key(path)] = plain_text(plain, path)
    name = f"alertmanager-{stack.output.kubernetes.alertmanager_name}"
    return [fitting(secret(stack, name, data), stack)]
