"""Prometheus, Alertmanager and Grafana run as Deployments with Services, for clusters without
the operator: the plain files mounted from ConfigMaps, every secret file a config reads mounted
at exactly its path from a hand-made Secret (secrets.py), images pinned to the spec's versions,
Services named and numbered by the spec's addresses."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from stackgen.common.layout import (
    ALERTMANAGER_CONFIG,
    DASHBOARDS_DIR,
    DASHBOARDS_PROVISIONING,
    NOTIFICATION_TEMPLATES_DIR,
    PROMETHEUS_CONFIG,
    under_alertmanager,
    under_prometheus,
)
from stackgen.plan.servers import (
    alertmanager_flags,
    prometheus_flags,
    prometheus_storage_size,
)
from stackgen.render import RenderError
from stackgen.spec.model import Stack
from stackgen.targets.images import ALERTMANAGER_RELEASES, GRAFANA_RELEASES, PROMETHEUS_RELEASES
from stackgen.targets.k8s.objects import (
    Object,
    cap,
    config_map,
    data_key,
    document,
    fitting,
    labels,
    metadata,
    plain_text,
    plain_yaml,
    prometheus_configs,
    rule_files,
    under,
)
from stackgen.targets.k8s.secrets import (
    ALERTMANAGER_SECRETS,
    GRAFANA_ENV,
    REMOTE_WRITE_SECRETS,
    alertmanager_keys,
    keyed,
    placed,
    prometheus_keys,
)
from stackgen.targets.secret_files import read_files
from stackgen.targets.split import split_by_size

PROMETHEUS_IMAGE = "quay.io/prometheus/prometheus:v{version}"
ALERTMANAGER_IMAGE = "quay.io/prometheus/alertmanager:v{version}"
GRAFANA_IMAGE = "docker.io/grafana/grafana:{version}"
# The ports the images listen on; a Service maps the spec's port to them, so a spec port
# below 1024 needs no root in the container.
PROMETHEUS_PORT, ALERTMANAGER_PORT, GRAFANA_PORT = 9090, 9093, 3000
PROMETHEUS_DIR = "/etc/prometheus"
ALERTMANAGER_DIR = "/etc/alertmanager/config"
_DNS_LABEL = re.compile(r"^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$")
_SHARD = re.compile(r"^prometheus/shards/shard-(\d+)\.yml$")
_PART_SUFFIX = 65


def service_name(host: str, fallback: str) -> str:
    """The Service that makes `host` resolve in the namespace: its first DNS label, unless that
    cannot name a Service (localhost, an IP address)."""
    first = host.split(".", 1)[0]
    return first if _DNS_LABEL.match(first) and first != "localhost" else fallback


def _split_address(address: str) -> tuple[str, int]:
    host, port = address.rsplit(":", 1)
    return host, int(port)


def _selector(component: str, name: str) -> dict[str, str]:
    return {"app.kubernetes.io/name": component, "app.kubernetes.io/instance": name}


def _probe(path: str) -> dict[str, Any]:
    return {"httpGet": {"path": path, "port": "http"}, "periodSeconds": 10}


def _deployment(
    stack: Stack,
    name: str,
    component: str,
    container: dict[str, Any],
    volumes: list[dict[str, Any]],
    service_account: str | None = None,
) -> Object:
    selector = _selector(component, name)
    pod: dict[str, Any] = {"containers": [container], "volumes": volumes}
    if service_account:
        pod = {"serviceAccountName": service_account, **pod}
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": metadata(stack, name, own_labels=selector),
        "spec": {
            "replicas": 1,
            # A ReadWriteOnce volume is attached to one pod at a time: the old pod must go
            # before the new one can start.
            **({"strategy": {"type": "Recreate"}} if _claims(volumes) else {}),
            "selector": {"matchLabels": selector},
            "template": {"metadata": {"labels": labels(stack, **selector)}, "spec": pod},
        },
    }


def _claim(stack: Stack, name: str, size: str) -> Object:
    """A PersistentVolumeClaim of the cluster's default storage class: the data survives the
    pod (Prometheus's SLO history, Alertmanager's silences and notification log)."""
    return {
        "apiVersion": "v1",
        "kind": "PersistentVolumeClaim",
        "metadata": metadata(stack, name),
        "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": size}}},
    }


def _claimed(volume: str, claim: Object) -> dict[str, Any]:
    return {"name": volume, "persistentVolumeClaim": {"claimName": claim["metadata"]["name"]}}


def _claims(volumes: list[dict[str, Any]]) -> bool:
    return any("persistentVolumeClaim" in v for v in volumes)


def _service(stack: Stack, name: str, component: str, port: int) -> Object:
    selector = _selector(component, name)
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": metadata(stack, name, own_labels=selector),
        "spec": {
            "selector": selector,
            "ports": [{"name": "http", "port": port, "targetPort": "http", "protocol": "TCP"}],
        },
    }


def _container(
    name: str, image: str, port: int, args: list[str], mounts: list[dict], ready: str, live: str
) -> dict[str, Any]:
    container: dict[str, Any] = {"name": name, "image": image}
    if args:
        container["args"] = args
    return container | {
        "ports": [{"name": "http", "containerPort": port, "protocol": "TCP"}],
        "readinessProbe": _probe(ready),
        "livenessProbe": _probe(live),
        "volumeMounts": mounts,
    }


def _keys(paths: Sequence[str]) -> dict[str, str]:
    """A data key per file, all different (one ConfigMap holds them side by side)."""
    keys = {path: data_key(path) for path in paths}
    if len(set(keys.values())) != len(keys):
        raise RenderError(f"files with the same name cannot share a ConfigMap: {sorted(paths)}")
    return keys


# --- prometheus ----------------------------------------------------------------------------------


def _config_address(stack: Stack, path: str) -> str:
    server = stack.prometheus
    if path == PROMETHEUS_CONFIG:
        return server.address
    shard = _SHARD.match(path)
    if shard is None:
        raise RenderError(f"{path}: no Prometheus address is known for this config")
    return server.shard_addresses()[int(shard.group(1))]


def _rule_maps(stack: Stack, plain: Mapping[str, bytes]) -> list[tuple[Object, dict[str, str]]]:
    """ConfigMaps of the rule files, as few as the cap allows, each with its files' keys."""
    files = rule_files(plain)
    keys = _keys(files)

    def built(name: str, part: Sequence[str]) -> Object:
        return config_map(stack, name, {keys[p]: plain_text(plain, p) for p in part})

    parts = split_by_size(
        files,
        key=lambda path: path,
        size=lambda part: len(document(built("prometheus-rules", part))) + _PART_SUFFIX,
        cap=cap(stack),
    )
    return [
        (built(f"prometheus-rules.{bits}" if bits else "prometheus-rules", part), keys)
        for bits, part in parts
    ]


def kubernetes_sd(stack: Stack) -> bool:
    return any(s.targets.kubernetes is not None for s in stack.services)


def rbac(stack: Stack, name: str) -> list[Object]:
    """What Kubernetes service discovery reads, cluster-wide (namespaces may be any)."""
    cluster_name = f"{stack.output.kubernetes.namespace}-{name}"
    cluster_meta = {"name": cluster_name, "labels": labels(stack)}
    return [
        {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": metadata(stack, name)},
        {
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "kind": "ClusterRole",
            "metadata": cluster_meta,
            "rules": [
                {
                    "apiGroups": [""],
                    "resources": ["services", "endpoints", "pods"],
                    "verbs": ["get", "list", "watch"],
                },
                {
                    "apiGroups": ["discovery.k8s.io"],
                    "resources": ["endpointslices"],
                    "verbs": ["get", "list", "watch"],
                },
            ],
        },
        {
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "kind": "ClusterRoleBinding",
            "metadata": cluster_meta,
            "roleRef": {
                "apiGroup": "rbac.authorization.k8s.io",
                "kind": "ClusterRole",
                "name": cluster_name,
            },
            "subjects": [
                {
                    "kind": "ServiceAccount",
                    "name": name,
                    "namespace": stack.output.kubernetes.namespace,
                }
            ],
        },
    ]


def prometheus(stack: Stack, plain: Mapping[str, bytes]) -> list[Object]:
    """A Deployment and Service per plain config (one server, or each shard and the global
    server), all mounting every config and rule file as the plain tree lays them out, and the
    secret files their own config reads."""
    configs = prometheus_configs(plain)
    keys = _keys(configs)
    config = config_map(
        stack, "prometheus-config", {keys[p]: plain_text(plain, p) for p in configs}
    )
    rules = _rule_maps(stack, plain)
    sources = [
        {
            "configMap": {
                "name": "prometheus-config",
                "items": [{"key": keys[p], "path": under_prometheus(p)} for p in configs],
            }
        }
    ] + [
        {
            "configMap": {
                "name": rule_map["metadata"]["name"],
                "items": [
                    {"key": rule_keys[p], "path": under_prometheus(p)}
                    for p in rule_files(plain)
                    if rule_keys[p] in rule_map["data"]
                ],
            }
        }
        for rule_map, rule_keys in rules
    ]
    base_mounts: list[dict[str, Any]] = [
        {"name": "config", "mountPath": PROMETHEUS_DIR, "readOnly": True},
        {"name": "data", "mountPath": "/prometheus"},
    ]
    account = "prometheus" if kubernetes_sd(stack) else None
    objects = [fitting(config, stack), *(m for m, _ in rules)]
    objects += rbac(stack, account) if account else []
    image = PROMETHEUS_IMAGE.format(version=PROMETHEUS_RELEASES[stack.prometheus.version])
    secret_keys = prometheus_keys(stack)
    for path in configs:
        address = _config_address(stack, path)
        host, port = _split_address(address)
        name = service_name(host, "prometheus")
        args = [
            f"--config.file={PROMETHEUS_DIR}/{under_prometheus(path)}",
            "--storage.tsdb.path=/prometheus",
            f"--web.listen-address=:{PROMETHEUS_PORT}",
            *prometheus_flags(stack, address),
        ]
        # Only the files this server's config reads (the global server sends no remote_write).
        files = keyed(read_files(plain_yaml(plain, path)), secret_keys, path)
        secrets = placed(files, REMOTE_WRITE_SECRETS, PROMETHEUS_DIR)
        mounts = [*base_mounts, *secrets.mounts]
        container = _container(
            "prometheus", image, PROMETHEUS_PORT, args, mounts, "/-/ready", "/-/healthy"
        )
        claim = _claim(stack, f"{name}-data", prometheus_storage_size(stack))
        config_volume = {"name": "config", "projected": {"sources": sources + secrets.projected}}
        volumes = [config_volume, _claimed("data", claim), *secrets.volumes]
        objects.append(claim)
        objects.append(_deployment(stack, name, "prometheus", container, volumes, account))
        objects.append(_service(stack, name, "prometheus", port))
    return objects


# --- alertmanager --------------------------------------------------------------------------------


def alertmanager(stack: Stack, plain: Mapping[str, bytes]) -> list[Object]:
    files = [ALERTMANAGER_CONFIG, *under(plain, NOTIFICATION_TEMPLATES_DIR, ".tmpl")]
    keys = _keys(files)
    config = config_map(
        stack, "alertmanager-config", {keys[p]: plain_text(plain, p) for p in files}
    )
    items = [{"key": keys[p], "path": under_alertmanager(p)} for p in files]
    read = read_files(plain_yaml(plain, ALERTMANAGER_CONFIG))
    secrets = placed(
        keyed(read, alertmanager_keys(stack), ALERTMANAGER_CONFIG),
        ALERTMANAGER_SECRETS,
        ALERTMANAGER_DIR,
    )
    source = {"configMap": {"name": "alertmanager-config", "items": items}}
    host, port = _split_address(stack.alertmanager.addresses[0])
    name = service_name(host, "alertmanager")
    claim = _claim(stack, f"{name}-data", stack.alertmanager.storage_size)
    config_volume: dict[str, Any] = (
        {"name": "config", "projected": {"sources": [source, *secrets.projected]}}
        if secrets.projected
        else {"name": "config", **source}
    )
    volumes = [config_volume, _claimed("data", claim), *secrets.volumes]
    mounts: list[dict[str, Any]] = [
        {"name": "config", "mountPath": ALERTMANAGER_DIR, "readOnly": True},
        {"name": "data", "mountPath": "/alertmanager"},
        *secrets.mounts,
    ]
    args = [
        f"--config.file={ALERTMANAGER_DIR}/alertmanager.yml",
        "--storage.path=/alertmanager",
        f"--web.listen-address=:{ALERTMANAGER_PORT}",
        "--cluster.listen-address=",  # one replica: no peers to gossip with
        *alertmanager_flags(stack, stack.alertmanager.addresses[0]),
    ]
    image = ALERTMANAGER_IMAGE.format(version=ALERTMANAGER_RELEASES[stack.alertmanager.version])
    container = _container(
        "alertmanager", image, ALERTMANAGER_PORT, args, mounts, "/-/ready", "/-/healthy"
    )
    return [
        fitting(config, stack),
        claim,
        _deployment(stack, name, "alertmanager", container, volumes),
        _service(stack, name, "alertmanager", port),
    ]


# --- grafana -------------------------------------------------------------------------------------


def _grafana_address(stack: Stack) -> tuple[str, int]:
    return stack.grafana.reached_at()


def grafana(stack: Stack, plain: Mapping[str, bytes], dashboards: list[Object]) -> list[Object]:
    """Grafana provisioned from the plain files: the sidecar ConfigMaps' datasources and
    dashboards, laid out in folders as the plain provisioning reads them."""
    providers = config_map(
        stack,
        "grafana-dashboard-providers",
        {data_key(DASHBOARDS_PROVISIONING): plain_text(plain, DASHBOARDS_PROVISIONING)},
    )
    paths = under(plain, DASHBOARDS_DIR, ".json")
    sources = [
        {
            "configMap": {
                "name": cm["metadata"]["name"],
                "items": [{"key": data_key(path), "path": path.removeprefix(f"{DASHBOARDS_DIR}/")}],
            }
        }
        for cm, path in zip(dashboards, paths, strict=True)
    ]
    volumes = [
        {"name": "datasources", "configMap": {"name": "grafana-datasources"}},
        {"name": "providers", "configMap": {"name": "grafana-dashboard-providers"}},
        {"name": "dashboards", "projected": {"sources": sources}},
        {"name": "storage", "emptyDir": {}},
    ]
    mounts = [
        {"name": "storage", "mountPath": "/var/lib/grafana"},
        {
            "name": "datasources",
            "mountPath": "/etc/grafana/provisioning/datasources",
            "readOnly": True,
        },
        {
            "name": "providers",
            "mountPath": "/etc/grafana/provisioning/dashboards",
            "readOnly": True,
        },
        {"name": "dashboards", "mountPath": stack.grafana.dashboards_path, "readOnly": True},
    ]
    host, port = _grafana_address(stack)
    name = service_name(host, "grafana")
    image = GRAFANA_IMAGE.format(version=GRAFANA_RELEASES[stack.grafana.version])
    container = _container("grafana", image, GRAFANA_PORT, [], mounts, "/api/health", "/api/health")
    # ${ENV} references in the datasources are read from this Secret, when it exists.
    container["envFrom"] = [{"secretRef": {"name": GRAFANA_ENV, "optional": True}}]
    return [
        fitting(providers, stack),
        _deployment(stack, name, "grafana", container, volumes),
        _service(stack, name, "grafana", port),
    ]
