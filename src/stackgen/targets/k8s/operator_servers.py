"""The operator's `Prometheus` and `Alertmanager` resources, and the secret files' paths as the
operator mounts them (the Secrets and their templates: secrets.py).

prometheus-operator mounts each Secret an Alertmanager resource lists in `spec.secrets` at
/etc/alertmanager/secrets/<secret>/<key>: the operator's copy of alertmanager.yml reads every
channel's `*_file` from there, and `alertmanager-secrets` (made by hand from the template
stackgen writes, values never written by stackgen) holds a key per file.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from stackgen.plan.prometheus import external_labels, remote_write
from stackgen.plan.servers import (
    alertmanager_external_url,
    prometheus_external_url,
    prometheus_storage_size,
    retention,
)
from stackgen.spec.model import RemoteWrite, Stack
from stackgen.targets.images import ALERTMANAGER_RELEASES, PROMETHEUS_RELEASES
from stackgen.targets.k8s.objects import Object, labels, metadata
from stackgen.targets.k8s.secrets import (
    ALERTMANAGER_SECRETS,
    REMOTE_WRITE_SECRETS,
    remote_write_key,
)
from stackgen.targets.k8s.workloads import kubernetes_sd, rbac

API = "monitoring.coreos.com/v1"
OPERATOR_SECRETS_DIR = "/etc/alertmanager/secrets"


def operator_secret_path(key: str) -> str:
    """Where the operator mounts a key of ALERTMANAGER_SECRETS in the Alertmanager container."""
    return f"{OPERATOR_SECRETS_DIR}/{ALERTMANAGER_SECRETS}/{key}"


def with_operator_paths(config: Any, keys: Mapping[str, str]) -> Any:
    """alertmanager.yml with every `*_file` the channels read (`keys`: path -> key) pointing
    at the operator's mount of it."""
    if isinstance(config, list):
        return [with_operator_paths(item, keys) for item in config]
    if not isinstance(config, dict):
        return config
    return {
        name: operator_secret_path(keys[value])
        if name.endswith("_file") and isinstance(value, str) and value in keys
        else with_operator_paths(value, keys)
        for name, value in config.items()
    }


def _claim_template(size: str) -> dict[str, Any]:
    return {
        "volumeClaimTemplate": {
            "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": size}}}
        }
    }


def prometheus_account(stack: Stack) -> str:
    return f"prometheus-{stack.stack.name}"


def prometheus_resources(stack: Stack) -> list[Object]:
    """The Prometheus, and the account Kubernetes service discovery (the ServiceMonitors)
    reads the cluster with, when a service is found that way."""
    if not kubernetes_sd(stack):
        return [prometheus_resource(stack)]
    account = prometheus_account(stack)
    resource = prometheus_resource(stack)
    resource["spec"]["serviceAccountName"] = account
    return [resource, *rbac(stack, account)]


def _camel(name: str) -> str:
    first, *rest = name.split("_")
    return first + "".join(part.title() for part in rest)


def _camel_keys(data: Mapping[str, Any]) -> dict[str, Any]:
    return {_camel(key): value for key, value in data.items()}


def _secret_key(target: RemoteWrite, role: str) -> dict[str, str]:
    return {"name": REMOTE_WRITE_SECRETS, "key": remote_write_key(target, role)}


def operator_remote_write(target: RemoteWrite) -> dict[str, Any]:
    """A remote_write of prometheus.yml as the operator's RemoteWriteSpec: its credentials
    from REMOTE_WRITE_SECRETS (the operator reads no file of the Prometheus host)."""
    plain = remote_write(target)
    spec = _camel_keys({k: v for k, v in plain.items() if k not in ("basic_auth", "authorization")})
    if "queueConfig" in spec:
        spec["queueConfig"] = _camel_keys(spec["queueConfig"])
    if "writeRelabelConfigs" in spec:
        spec["writeRelabelConfigs"] = [_camel_keys(r) for r in spec["writeRelabelConfigs"]]
    if target.basic_auth_username is not None:
        spec["basicAuth"] = {
            "username": _secret_key(target, "username"),
            "password": _secret_key(target, "password"),
        }
    if target.bearer_token_file is not None:
        spec["authorization"] = {
            "type": "Bearer",
            "credentials": _secret_key(target, "bearer-token"),
        }
    return spec


def prometheus_resource(stack: Stack) -> Object:
    """The Prometheus the operator runs: the stack's ServiceMonitors, PrometheusRules and
    additional scrape configs (selected by the labels stackgen puts on them), its retention,
    external URL and persistent storage, alerting the stack's Alertmanager."""
    server, settings = stack.prometheus, stack.output.kubernetes
    selected = {"matchLabels": labels(stack)}
    return {
        "apiVersion": API,
        "kind": "Prometheus",
        "metadata": metadata(stack, stack.stack.name),
        "spec": {
            "version": f"v{PROMETHEUS_RELEASES[server.version]}",
            "replicas": 1,
            "externalLabels": external_labels(stack),
            # No `prometheus` and `prometheus_replica` labels of the operator's own: alerts
            # carry the labels the routing matrix was worked out with.
            "prometheusExternalLabelName": "",
            "replicaExternalLabelName": "",
            "externalUrl": prometheus_external_url(stack, server.address),
            "retention": retention(stack),
            "scrapeInterval": server.scrape_interval,
            "evaluationInterval": server.evaluation_interval,
            "serviceMonitorSelector": selected,
            "ruleSelector": selected,
            "additionalScrapeConfigs": {
                "name": settings.additional_scrape_configs,
                "key": "prometheus-additional.yaml",
            },
            "alerting": {
                "alertmanagers": [
                    {
                        "namespace": settings.namespace,
                        # The Service the operator makes for every Alertmanager it runs.
                        "name": "alertmanager-operated",
                        "port": "web",
                    }
                ]
            },
            "storage": _claim_template(prometheus_storage_size(stack)),
            **(
                {"remoteWrite": [operator_remote_write(w) for w in server.remote_write]}
                if server.remote_write
                else {}
            ),
        },
    }


def alertmanager_resource(stack: Stack, secret_keys: Mapping[str, str]) -> Object:
    """The Alertmanager the operator runs, reading its config from `alertmanager-<name>` and
    its channels' secret files from ALERTMANAGER_SECRETS (listed in spec.secrets)."""
    server = stack.alertmanager
    spec: dict[str, Any] = {
        "version": f"v{ALERTMANAGER_RELEASES[server.version]}",
        "replicas": len(server.addresses),
        "externalUrl": alertmanager_external_url(stack, server.addresses[0]),
        "storage": _claim_template(server.storage_size),
    }
    if secret_keys:
        spec["secrets"] = [ALERTMANAGER_SECRETS]
    return {
        "apiVersion": API,
        "kind": "Alertmanager",
        "metadata": metadata(stack, stack.output.kubernetes.alertmanager_name),
        "spec": spec,
    }
