"""The kubernetes target: the stack as Kubernetes objects under kubernetes/, one file per object,
for `kubectl apply -R -f kubernetes/`.

- kubernetes/operator/: prometheus-operator resources (output.kubernetes.operator): a
  ServiceMonitor per service found by Kubernetes discovery, the other scrape jobs in an
  additionalScrapeConfigs Secret, a PrometheusRule per plain rule file, and the Alertmanager
  config Secret (its secret files read where the operator mounts `alertmanager-secrets`),
  and the `Prometheus` and `Alertmanager` resources that run them.
- kubernetes/secrets/: the templates of the hand-made Secrets the servers read their secret
  files from (`alertmanager-secrets`, `prometheus-remote-write`): keys, no values.
- kubernetes/grafana/: dashboards and datasources as ConfigMaps for the Grafana sidecar.
- kubernetes/workloads/: Prometheus, Alertmanager and Grafana as Deployments and Services
  (output.kubernetes.workloads).

Everything is built from the plain files, so both forms say the same.
"""

from __future__ import annotations

from collections.abc import Mapping

from stackgen.spec.model import Stack
from stackgen.targets.k8s import (
    checks,
    grafana,
    operator_servers,
    prom_operator,
    secrets,
    workloads,
)
from stackgen.targets.k8s.objects import written


def files(stack: Stack, plain: Mapping[str, bytes]) -> dict[str, bytes]:
    settings = stack.output.kubernetes
    dashboards = grafana.dashboards(stack, plain)
    out = written(stack, "grafana", [*dashboards, *grafana.datasources(stack, plain)])
    secret_keys = secrets.alertmanager_keys(stack)
    if settings.operator:
        resources = [
            *operator_servers.prometheus_resources(stack),
            operator_servers.alertmanager_resource(stack, secret_keys),
            *prom_operator.service_monitors(stack, plain),
            *prom_operator.scrape_secret(stack, plain),
            *prom_operator.prometheus_rules(stack, plain),
            *prom_operator.alertmanager_secret(stack, plain, secret_keys),
        ]
        out |= written(stack, "operator", resources)
    if settings.operator or settings.workloads:
        out |= secrets.templates(stack)
    if settings.workloads:
        running = [
            *workloads.prometheus(stack, plain),
            *workloads.alertmanager(stack, plain),
            *workloads.grafana(stack, plain, dashboards),
        ]
        out |= written(stack, "workloads", running)
    return dict(sorted(out.items()))


def problems(files: Mapping[str, bytes]) -> list[str]:
    return checks.problems(files)
