"""The operator's `Prometheus` and `Alertmanager` resources, the secret files' paths as the
operator mounts them, and the templates of the Secrets that hold those files.

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
from stackgen.targets.k8s.objects import Object, document, labels, metadata
from stackgen.targets.k8s.workloads import kubernetes_sd, rbac

API = "monitoring.coreos.com/v1"
# The Secret of the channels' secret files (the workloads mount the same one).
SECRETS = "alertmanager-secrets"
OPERATOR_SECRETS_DIR = "/etc/alertmanager/secrets"
TEMPLATES = "kubernetes/secrets"
# The Secret of the remote_write credentials: the operator reads them from Secrets only.
REMOTE_WRITE_SECRETS = "prometheus-remote-write"


def operator_secret_path(key: str) -> str:
    """Where the operator mounts a key of the SECRETS Secret in the Alertmanager container."""
    return f"{OPERATOR_SECRETS_DIR}/{SECRETS}/{key}"


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


def _secret_key(key: str) -> dict[str, str]:
    return {"name": REMOTE_WRITE_SECRETS, "key": key}


def remote_write_keys(target: RemoteWrite) -> dict[str, str]:
    """The keys of REMOTE_WRITE_SECRETS a remote_write target reads, each with what it holds
    (the username itself, which is no secret, or the file whose contents it takes)."""
    keys = {}
    if target.basic_auth_username is not None:
        keys[f"{target.name}-username"] = f"the username {target.basic_auth_username}"
        keys[f"{target.name}-password"] = f"the contents of {target.basic_auth_password_file}"
    if target.bearer_token_file is not None:
        keys[f"{target.name}-bearer-token"] = f"the contents of {target.bearer_token_file}"
    return keys


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
            "username": _secret_key(f"{target.name}-username"),
            "password": _secret_key(f"{target.name}-password"),
        }
    if target.bearer_token_file is not None:
        spec["authorization"] = {
            "type": "Bearer",
            "credentials": _secret_key(f"{target.name}-bearer-token"),
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
    its channels' secret files from SECRETS (listed in spec.secrets)."""
    server = stack.alertmanager
    spec: dict[str, Any] = {
        "version": f"v{ALERTMANAGER_RELEASES[server.version]}",
        "replicas": len(server.addresses),
        "externalUrl": alertmanager_external_url(stack, server.addresses[0]),
        "storage": _claim_template(server.storage_size),
    }
    if secret_keys:
        spec["secrets"] = [SECRETS]
    return {
        "apiVersion": API,
        "kind": "Alertmanager",
        "metadata": metadata(stack, stack.output.kubernetes.alertmanager_name),
        "spec": spec,
    }


def secret_template(stack: Stack, secret_keys: Mapping[str, str]) -> dict[str, bytes]:
    """kubernetes/secrets/<secret>.yaml.template: each Secret's manifest with every key it
    must hold and no value; `.template`, so `kubectl apply -R` never applies it empty. The
    channels' secret files (`secret_keys`: path -> key) for Alertmanager; in operator mode,
    the remote_write credentials for Prometheus."""
    out: dict[str, bytes] = {}
    if secret_keys:
        held = {key: f"the contents of {path}" for path, key in secret_keys.items()}
        out |= _template(stack, SECRETS, held, "Alertmanager reads the channels'\n# secret files")
    if stack.output.kubernetes.operator:
        held = {
            k: v for w in stack.prometheus.remote_write for k, v in remote_write_keys(w).items()
        }
        if held:
            out |= _template(
                stack,
                REMOTE_WRITE_SECRETS,
                held,
                "Prometheus reads the remote_write\n# credentials",
            )
    return out


def _template(stack: Stack, name: str, held: Mapping[str, str], what: str) -> dict[str, bytes]:
    manifest = {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": metadata(stack, name),
        "type": "Opaque",
        "stringData": {key: "" for key in sorted(held)},
    }
    files = "\n".join(f"#   {key}: {held[key]}" for key in sorted(held))
    header = (
        f"# Generated by stackgen from the {stack.stack.name} spec: the Secret {what} from. Fill "
        "in each value (no trailing newline), save it without `.template` outside\n# out/, and "
        "apply it; stackgen never writes the values.\n"
        f"{files}\n"
    )
    return {f"{TEMPLATES}/{name}.yaml.template": header.encode() + document(manifest)}
