"""Offline checks of the kubernetes target's objects: the custom resources against the
prometheus-operator CRDs' schemas, the core objects against Kubernetes' own (kubernetes-validate,
a test dependency: 100 MB of schemas), and what no schema says: names, labels, sizes, and that
every ConfigMap, volume and pod a Deployment or Service refers to is there."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from functools import cache
from importlib.resources import files as package_files
from typing import Any

import jsonschema

from stackgen.common.yaml_io import load, load_all
from stackgen.spec.model import MIB
from stackgen.spec.types import K8S_LABEL_KEY, K8S_LABEL_VALUE
from stackgen.targets.k8s.objects import ROOT, Object, document
from stackgen.targets.k8s.secrets import HAND_MADE

KUBERNETES_VERSION = "1.30"
CRDS = {
    "ServiceMonitor": "servicemonitorCustomResourceDefinition.yaml",
    "PrometheusRule": "prometheusruleCustomResourceDefinition.yaml",
    "Prometheus": "prometheusCustomResourceDefinition.yaml",
    "Alertmanager": "alertmanagerCustomResourceDefinition.yaml",
}
CORE = {"Deployment", "Service", "ConfigMap", "Secret", "ServiceAccount", "PersistentVolumeClaim"}
CLUSTER_SCOPED = {"ClusterRole", "ClusterRoleBinding"}
_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
_LABEL_1035 = re.compile(r"^[a-z]([-a-z0-9]*[a-z0-9])?$")
_KEY = re.compile(r"^[-._a-zA-Z0-9]+$")


def _strict(schema: Any) -> Any:
    """The schema refusing unknown fields, as the API server does under kubectl's strict
    field validation (a CRD schema itself leaves them to pruning)."""
    if isinstance(schema, list):
        return [_strict(s) for s in schema]
    if not isinstance(schema, dict):
        return schema
    strict = {k: _strict(v) for k, v in schema.items()}
    if (
        "properties" in strict
        and "additionalProperties" not in strict
        and not strict.get("x-kubernetes-preserve-unknown-fields")
    ):
        strict["additionalProperties"] = False
    return strict


@cache
def crd_validator(kind: str) -> jsonschema.Draft4Validator:
    text = (package_files("stackgen") / "schemas" / "kubernetes" / CRDS[kind]).read_text()
    crd = load(text)
    (version,) = [v for v in crd["spec"]["versions"] if v["name"] == "v1"]
    return jsonschema.Draft4Validator(_strict(version["schema"]["openAPIV3Schema"]))


def _schema_errors(obj: Object) -> Iterator[str]:
    kind = obj.get("kind")
    if kind in CRDS:
        for error in sorted(crd_validator(kind).iter_errors(obj), key=lambda e: list(e.path)):
            yield f"{'.'.join(map(str, error.path)) or '(root)'}: {error.message}"
    elif kind in CORE or kind in CLUSTER_SCOPED:
        yield from _core_errors(obj)
    else:
        yield f"kind {kind!r} is not one the kubernetes target writes"


def _core_errors(obj: Object) -> Iterator[str]:
    try:
        import kubernetes_validate  # a test dependency: see the module's docstring
    except ImportError:
        return
    try:
        kubernetes_validate.validate(obj, KUBERNETES_VERSION, strict=True)
    except kubernetes_validate.ValidationError as error:
        yield f"{'.'.join(map(str, error.path)) or '(root)'}: {error.message}"


def _meta_errors(obj: Object) -> Iterator[str]:
    meta = obj.get("metadata") or {}
    name = str(meta.get("name", ""))
    if obj.get("kind") == "Service" and not (_LABEL_1035.match(name) and len(name) <= 63):
        yield f"Service name {name!r} is not a DNS-1035 label"
    if not (_SUBDOMAIN.match(name) and len(name) <= 253):
        yield f"name {name!r} is not a DNS subdomain"
    if (obj.get("kind") in CLUSTER_SCOPED) == ("namespace" in meta):
        yield "namespace is wrong for the object's scope"
    for key, value in (meta.get("labels") or {}).items():
        if not K8S_LABEL_KEY.match(key) or not K8S_LABEL_VALUE.match(str(value)):
            yield f"label {key}={value!r} is not a valid Kubernetes label"
    for key in meta.get("annotations") or {}:
        if not K8S_LABEL_KEY.match(key):
            yield f"annotation {key!r} is not a valid key"
    for field in ("data", "stringData"):
        for key in obj.get(field) or {}:
            if not _KEY.match(key):
                yield f"{field} key {key!r} is not a valid key"
    size = len(document(obj))
    if size > MIB:
        yield f"{size} bytes, over the 1 MiB Kubernetes allows an object"


def _pod_errors(obj: Object, maps: Mapping[str, Object], secrets: set[str]) -> Iterator[str]:
    spec = obj["spec"]
    template = spec["template"]
    if not set(spec["selector"]["matchLabels"].items()) <= set(
        template["metadata"]["labels"].items()
    ):
        yield "the selector does not match the pod template's labels"
    pod = template["spec"]
    volumes = {v["name"]: v for v in pod.get("volumes") or []}
    for container in pod["containers"]:
        for mount in container.get("volumeMounts") or []:
            if mount["name"] not in volumes:
                yield f"container {container['name']} mounts missing volume {mount['name']}"
        yield from _nesting_errors(container, volumes)
        for source in container.get("envFrom") or []:
            name = source.get("secretRef", {}).get("name")
            if name and name not in secrets and name not in HAND_MADE:
                yield f"container {container['name']} reads missing Secret {name}"
    for volume in volumes.values():
        sources = [volume, *(volume.get("projected") or {}).get("sources", [])]
        for source in sources:
            if "configMap" not in source:
                continue
            ref = source["configMap"]
            data = (maps.get(ref["name"]) or {}).get("data")
            if data is None:
                yield f"volume {volume['name']} reads missing ConfigMap {ref['name']}"
                continue
            for item in ref.get("items") or []:
                if item["key"] not in data:
                    yield f"volume {volume['name']}: ConfigMap {ref['name']} has no {item['key']}"
        named = [
            (volume.get("secret") or {}).get("secretName"),
            *((source.get("secret") or {}).get("name") for source in sources[1:]),
        ]
        for secret in named:
            if secret and secret not in secrets and secret not in HAND_MADE:
                yield f"volume {volume['name']} reads missing Secret {secret}"


# Volumes the kubelet writes itself, read-only, making directories in them for the mounts a
# container nests inside (since Kubernetes 1.10).
_API_DATA = ("configMap", "secret", "projected", "downwardAPI")


def _nesting_errors(container: Object, volumes: Mapping[str, Object]) -> Iterator[str]:
    """Mount paths are unique (the API server refuses a repeat), and no mount lies inside a
    read-only one where its mount point cannot be made: the kubelet makes a directory there
    for a whole volume, never the file a subPath mount of a file needs, and nothing at all in
    any other read-only volume."""
    mounts = container.get("volumeMounts") or []
    paths = [m["mountPath"].rstrip("/") for m in mounts]
    for path in sorted({p for p in paths if paths.count(p) > 1}):
        yield f"container {container['name']} mounts {path} twice"
    for outer in mounts:
        volume = volumes.get(outer["name"]) or {}
        api_data = any(kind in volume for kind in _API_DATA)
        if not (api_data or outer.get("readOnly")):
            continue
        folder = outer["mountPath"].rstrip("/") + "/"
        for inner in mounts:
            if inner["mountPath"].startswith(folder) and (inner.get("subPath") or not api_data):
                yield (
                    f"container {container['name']} mounts {inner['mountPath']} inside the "
                    f"read-only mount {outer['mountPath']}, where its mount point cannot be made"
                )


def objects(files: Mapping[str, bytes]) -> Iterator[tuple[str, Object]]:
    for path in sorted(files):
        if path.startswith(f"{ROOT}/") and path.endswith(".yaml"):
            for obj in load_all(files[path]):
                if obj is not None:
                    yield path, obj


def problems(files: Mapping[str, bytes]) -> list[str]:
    found = list(objects(files))
    maps = {o["metadata"]["name"]: o for _, o in found if o.get("kind") == "ConfigMap"}
    secrets = {o["metadata"]["name"] for _, o in found if o.get("kind") == "Secret"}
    pods = [
        o["spec"]["template"]["metadata"]["labels"] for _, o in found if o["kind"] == "Deployment"
    ]
    seen: dict[tuple[str, str], str] = {}
    messages = []
    for path, obj in found:
        where = f"{path}: {obj.get('kind')} {obj.get('metadata', {}).get('name')}"
        errors = [*_schema_errors(obj), *_meta_errors(obj)]
        identity = (str(obj.get("kind")), str(obj.get("metadata", {}).get("name")))
        if identity in seen:
            errors.append(f"also written in {seen[identity]}")
        seen.setdefault(identity, path)
        if obj.get("kind") == "Deployment":
            errors += _pod_errors(obj, maps, secrets)
        if obj.get("kind") == "Service":
            selector = set(obj["spec"]["selector"].items())
            if not any(selector <= set(labels.items()) for labels in pods):
                errors.append("the selector matches no Deployment's pods")
        messages += [f"{where}: {error}" for error in errors]
    return messages
