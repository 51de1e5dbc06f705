"""The Secrets an operator of the stack makes by hand: the files the servers' configs read
secrets from (`*_file`), the key of each in its Secret, where the workloads mount them, and the
templates (keys, no values) stackgen writes so that nobody has to guess the names.

- `alertmanager-secrets`: every file a channel reads (alertmanager.yml), keyed by file name.
- `prometheus-remote-write`: the remote_write credentials, keyed by target and role
  (`<name>-password`, `<name>-bearer-token`; `<name>-username` for the operator, which reads
  the username from a Secret too). One Secret for both Kubernetes modes, with the same keys.
"""

from __future__ import annotations

import posixpath
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from stackgen.render import RenderError
from stackgen.spec.model import RemoteWrite, Stack
from stackgen.targets.k8s.objects import data_key, document, metadata

ALERTMANAGER_SECRETS = "alertmanager-secrets"
REMOTE_WRITE_SECRETS = "prometheus-remote-write"
# Secrets a Deployment may name that stackgen never writes (grafana-env: the ${ENV} values the
# datasources refer to, optional).
GRAFANA_ENV = "grafana-env"
HAND_MADE = frozenset({ALERTMANAGER_SECRETS, REMOTE_WRITE_SECRETS, GRAFANA_ENV})
TEMPLATES = "kubernetes/secrets"


def alertmanager_keys(stack: Stack) -> dict[str, str]:
    """Each file a channel reads a secret from, with its key in ALERTMANAGER_SECRETS: the
    file's name, or its whole path when two files share a name."""
    paths = sorted(
        {
            value
            for channel in stack.channels
            for name, value in channel.model_dump().items()
            if name.endswith("_file") and value
        }
    )
    names = [data_key(p) for p in paths]
    return {
        path: name if names.count(name) == 1 else data_key(path.strip("/").replace("/", "."))
        for path, name in zip(paths, names, strict=True)
    }


def remote_write_key(target: RemoteWrite, role: str) -> str:
    """The key of REMOTE_WRITE_SECRETS holding a target's `username`, `password` or
    `bearer-token`."""
    return f"{target.name}-{role}"


def remote_write_keys(target: RemoteWrite, *, username: bool) -> dict[str, tuple[str, str]]:
    """The keys of REMOTE_WRITE_SECRETS a remote_write target reads, each with what it holds
    and the file it stands for ("" for the username itself, which is no secret and which only
    the operator reads from the Secret: `username`)."""
    keys: dict[str, tuple[str, str]] = {}
    if target.basic_auth_username is not None and username:
        held = f"the username {target.basic_auth_username}"
        keys[remote_write_key(target, "username")] = (held, "")
    if target.basic_auth_password_file is not None:
        path = target.basic_auth_password_file
        keys[remote_write_key(target, "password")] = (f"the contents of {path}", path)
    if target.bearer_token_file is not None:
        path = target.bearer_token_file
        keys[remote_write_key(target, "bearer-token")] = (f"the contents of {path}", path)
    return keys


def prometheus_keys(stack: Stack) -> dict[str, str]:
    """Each file prometheus.yml reads a secret from, with its key in REMOTE_WRITE_SECRETS (the
    first target's key when targets share a file: the Secret holds the same bytes in both)."""
    files: dict[str, str] = {}
    for target in stack.prometheus.remote_write:
        for key, (_, path) in remote_write_keys(target, username=False).items():
            files.setdefault(path, key)
    return files


@dataclass
class Placed:
    """Where a container's secret files come from: a projection of the Secret into its
    read-only config volume (the files inside that folder, which also follow the Secret when
    it changes), and one mount per other file (subPath) of a `secrets` volume."""

    projected: list[dict[str, Any]] = field(default_factory=list)
    mounts: list[dict[str, Any]] = field(default_factory=list)
    volumes: list[dict[str, Any]] = field(default_factory=list)


def placed(files: Mapping[str, str], secret: str, folder: str) -> Placed:
    """The secret `files` (path -> key of `secret`), each at exactly its path. A file inside
    `folder` (the config volume's mount) joins that volume: the kubelet cannot make the mount
    point of a file inside a read-only volume (checks.py)."""
    inside = {p: k for p, k in files.items() if p.startswith(f"{folder.rstrip('/')}/")}
    alone = {p: k for p, k in files.items() if p not in inside}
    result = Placed()
    if inside:
        items = [
            {"key": key, "path": posixpath.relpath(path, folder)}
            for path, key in sorted(inside.items())
        ]
        result.projected.append({"secret": {"name": secret, "items": items}})
    if alone:
        result.volumes.append({"name": "secrets", "secret": {"secretName": secret}})
        result.mounts += [
            {"name": "secrets", "mountPath": path, "subPath": key, "readOnly": True}
            for path, key in sorted(alone.items())
        ]
    return result


def keyed(paths: list[str], keys: Mapping[str, str], config: str) -> dict[str, str]:
    """The files a config reads, each with its key; a file no key stands for is a stackgen bug
    (a spec field that names a secret file the Secret's keys do not cover)."""
    missing = [p for p in paths if p not in keys]
    if missing:
        raise RenderError(f"{config} reads {missing}, which no Secret key holds")
    return {path: keys[path] for path in paths}


def templates(stack: Stack) -> dict[str, bytes]:
    """kubernetes/secrets/<secret>.yaml.template: each Secret's manifest with every key it
    must hold and no value; `.template`, so `kubectl apply -R` never applies it empty."""
    settings = stack.output.kubernetes
    out: dict[str, bytes] = {}
    channels = {key: f"the contents of {path}" for path, key in alertmanager_keys(stack).items()}
    if channels:
        out |= _template(stack, ALERTMANAGER_SECRETS, channels, "Alertmanager reads the channels'")
    writes = {
        key: held
        for target in stack.prometheus.remote_write
        for key, (held, _) in remote_write_keys(target, username=settings.operator).items()
    }
    if writes:
        out |= _template(stack, REMOTE_WRITE_SECRETS, writes, "Prometheus reads the remote_write")
    return out


def _template(stack: Stack, name: str, held: Mapping[str, str], what: str) -> dict[str, bytes]:
    namespace = stack.output.kubernetes.namespace
    manifest = {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": metadata(stack, name),
        "type": "Opaque",
        "stringData": {key: "" for key in sorted(held)},
    }
    keys = "\n".join(f"#   {key}: {held[key]}" for key in sorted(held))
    # `--from-file` copies each file's bytes as they are: no value passes through a shell
    # argument or a YAML file.
    command = " \\\n".join(
        [
            f"#   kubectl -n {namespace} create secret generic {name}",
            *(f"#     --from-file={key}=FILE" for key in sorted(held)),
        ]
    )
    header = (
        f"# Generated by stackgen from the {stack.stack.name} spec: the Secret {what}\n"
        "# secrets from. stackgen never writes the values. Each key holds:\n"
        f"{keys}\n"
        "# Create it from files holding the values (no trailing newline), kept outside out/:\n"
        f"{command}\n"
        "# or fill in this manifest, save it without `.template` outside out/, and apply it.\n"
    )
    return {f"{TEMPLATES}/{name}.yaml.template": header.encode() + document(manifest)}
