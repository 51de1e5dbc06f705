"""Kubernetes workloads mode: every secret file prometheus.yml and alertmanager.yml read is in
the container at exactly the path the config names, from a key of a hand-made Secret whose
template (keys, no values) stackgen writes; nothing else of the Secrets is mounted, and no
value is ever written.

The containers' files are worked out from the Deployments as the kubelet lays them out
(volumes, projections, subPath mounts), independently of how the target built them."""

from __future__ import annotations

import posixpath
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml

from stackgen.spec.model import Stack
from stackgen.targets import kubernetes
from stackgen.targets.k8s.checks import CRDS, crd_validator, objects
from tests.helpers import MINIMAL, render_files, stack_from
from tests.targets.secret_class import (
    SECRETS_SPEC,
    file_fields,
    read_secret_files,
    set_file_fields,
)

CLASS_SPEC = SECRETS_SPEC + (
    "output: {targets: [prometheus, kubernetes], kubernetes: {workloads: true, operator: false}}\n"
)
SERVERS = ("prometheus", "alertmanager")


def _rendered(stack: Stack) -> dict[str, bytes]:
    return kubernetes.files(stack, render_files(stack))


@pytest.fixture(scope="module")
def class_stack(tmp_path_factory: pytest.TempPathFactory) -> Stack:
    return stack_from(tmp_path_factory.mktemp("spec"), CLASS_SPEC)


@pytest.fixture(scope="module")
def files(class_stack: Stack) -> dict[str, bytes]:
    return _rendered(class_stack)


# --- the containers' files, as the kubelet lays them out ----------------------------------------


def _templates(files: dict[str, bytes]) -> dict[str, dict[str, Any]]:
    """Each hand-made Secret's template: its keys and the comment line each key has."""
    found = {}
    for path, data in files.items():
        if path.startswith("kubernetes/secrets/") and path.endswith(".yaml.template"):
            text = data.decode()
            manifest = yaml.safe_load(text)
            found[manifest["metadata"]["name"]] = {"manifest": manifest, "text": text}
    return found


def _volume_files(volume: dict, secrets: dict[str, dict]) -> list[tuple[str, str, str, str]]:
    """(kind, object, key, path in the volume) of each file a volume holds."""
    sources = volume["projected"]["sources"] if "projected" in volume else [volume]
    held = []
    for source in sources:
        if "configMap" in source:
            ref = source["configMap"]
            held += [("ConfigMap", ref["name"], i["key"], i["path"]) for i in ref["items"]]
        elif "secret" in source:
            ref = source["secret"]
            name = ref.get("name") or ref["secretName"]
            keys = secrets[name]["manifest"]["stringData"]  # all of them, without items
            items = ref.get("items") or [{"key": k, "path": k} for k in keys]
            held += [("Secret", name, i["key"], i["path"]) for i in items]
    return held


def container_files(deployment: dict, secrets: dict[str, dict]) -> dict[str, tuple[str, ...]]:
    """Every file the container sees: its path, and the (kind, object, key) it comes from."""
    pod = deployment["spec"]["template"]["spec"]
    volumes = {v["name"]: v for v in pod["volumes"]}
    (container,) = pod["containers"]
    seen: dict[str, tuple[str, ...]] = {}
    for mount in container["volumeMounts"]:
        volume = volumes[mount["name"]]
        if "persistentVolumeClaim" in volume or "emptyDir" in volume:
            continue
        for kind, name, key, inside in _volume_files(volume, secrets):
            if "subPath" not in mount:
                seen[posixpath.join(mount["mountPath"], inside)] = (kind, name, key)
            elif inside == mount["subPath"]:
                seen[mount["mountPath"]] = (kind, name, key)
    return seen


def _config_path(deployment: dict) -> str:
    (container,) = deployment["spec"]["template"]["spec"]["containers"]
    (arg,) = [a for a in container["args"] if a.startswith("--config.file=")]
    return arg.removeprefix("--config.file=")


def unmounted(files: dict[str, bytes]) -> list[str]:
    """What each Prometheus and Alertmanager Deployment gets wrong: a secret file its config
    reads that is not in the container, or not from a documented key of a hand-made Secret; a
    Secret's file it does not read; a rule file or template it cannot find."""
    found = {(o["kind"], o["metadata"]["name"]): o for _, o in objects(files)}
    secrets = _templates(files)
    wrong = []
    for deployment in (o for (kind, _), o in found.items() if kind == "Deployment"):
        component = deployment["metadata"]["labels"]["app.kubernetes.io/name"]
        if component not in SERVERS:
            continue
        name = deployment["metadata"]["name"]
        seen = container_files(deployment, secrets)
        config_path = _config_path(deployment)
        kind, config_map, key = seen[config_path]
        config = yaml.safe_load(found[kind, config_map]["data"][key])
        folder = posixpath.dirname(config_path)
        read = read_secret_files(config)
        for path in sorted(read):
            source = seen.get(path)
            if source is None or source[0] != "Secret":
                wrong.append(f"{name}: {path} is not mounted from a Secret")
                continue
            template = secrets[source[1]]
            if f"#   {source[2]}: the contents of {path}\n" not in template["text"]:
                wrong.append(f"{name}: {path} comes from {source[1:]}, not documented so")
        extra = {p for p, s in seen.items() if s[0] == "Secret"} - set(read)
        wrong += [f"{name}: {path} is mounted but never read" for path in sorted(extra)]
        for rule in config.get("rule_files") or []:
            if posixpath.join(folder, rule) not in seen:
                wrong.append(f"{name}: rule file {rule} is not mounted")
    return wrong


# --- the tests -----------------------------------------------------------------------------------


def test_the_class_spec_sets_every_secret_file_field_the_spec_has(class_stack):
    """So that a secret file field added to the spec (TLS, scrape auth) lands in this test."""
    declared = file_fields(Stack.model_json_schema())
    assert {("RemoteWrite", "bearer_token_file"), ("EmailChannel", "auth_password_file")} <= (
        declared
    )
    assert set_file_fields(class_stack) == declared


def test_every_secret_file_a_config_reads_is_mounted_at_its_path_from_a_documented_key(files):
    assert unmounted(files) == []
    deployments = [o for _, o in objects(files) if o["kind"] == "Deployment"]
    secrets = _templates(files)
    seen = {
        d["metadata"]["name"]: container_files(d, secrets)
        for d in deployments
        if d["metadata"]["name"] != "grafana"
    }
    # The shards send remote_write; the global server (prom) does not, and mounts nothing.
    rw = "prometheus-remote-write"
    for shard in ("prometheus-shard-0", "prometheus-shard-1"):
        assert {p: s for p, s in seen[shard].items() if s[0] == "Secret"} == {
            "/etc/prometheus/secrets/mimir-password": ("Secret", rw, "mimir-password"),
            # one file for two targets (thanos, backup): the first target's key
            "/run/secrets/remote-token": ("Secret", rw, "thanos-bearer-token"),
            "/etc/prometheus/secrets/near-token": ("Secret", rw, "near-bearer-token"),
        }
    assert not [s for s in seen["prom"].values() if s[0] == "Secret"]
    am = {p: s[2] for p, s in seen["alertmanager"].items() if s[0] == "Secret"}
    assert am == {
        "/etc/alertmanager/config/hook-url": "hook-url",
        "/etc/alertmanager/secrets/discord": "discord",
        "/etc/alertmanager/secrets/genie/key": "etc.alertmanager.secrets.genie.key",
        "/etc/alertmanager/secrets/pd/key": "etc.alertmanager.secrets.pd.key",
        "/etc/alertmanager/secrets/slack": "slack",
        "/etc/alertmanager/secrets/teams": "teams",
        "/etc/alertmanager/secrets/tg": "tg",
        "/run/secrets/smtp-password": "smtp-password",
        "/var/run/am/hook-token": "hook-token",
    }


def test_the_manifests_pass_the_kubernetes_schemas_and_the_offline_checks(files):
    assert kubernetes.problems(files) == []
    for _, obj in objects(files):
        if obj["kind"] in CRDS:
            assert list(crd_validator(obj["kind"]).iter_errors(obj)) == []
        else:
            kubernetes_validate.validate(obj, "1.30", strict=True)


def test_a_file_inside_a_config_folder_joins_its_volume_and_the_rest_are_mounted_alone(files):
    """A mount inside the read-only config volume could not be made; the projection follows
    the Secret when it changes."""
    (shard,) = [o for p, o in objects(files) if p.endswith("/deployment-prometheus-shard-0.yaml")]
    pod = shard["spec"]["template"]["spec"]
    config = next(v for v in pod["volumes"] if v["name"] == "config")
    assert config["projected"]["sources"][-1] == {
        "secret": {
            "name": "prometheus-remote-write",
            "items": [
                {"key": "mimir-password", "path": "secrets/mimir-password"},
                {"key": "near-bearer-token", "path": "secrets/near-token"},
            ],
        }
    }
    alone = [m for m in pod["containers"][0]["volumeMounts"] if "subPath" in m]
    assert alone == [
        {
            "name": "secrets",
            "mountPath": "/run/secrets/remote-token",
            "subPath": "thanos-bearer-token",
            "readOnly": True,
        }
    ]


def test_the_templates_name_every_key_with_a_create_command_and_hold_no_value(files):
    templates = _templates(files)
    assert set(templates) == {"alertmanager-secrets", "prometheus-remote-write"}
    remote = templates["prometheus-remote-write"]
    # Workloads read the username from prometheus.yml: no key for it.
    assert remote["manifest"]["stringData"] == {
        "backup-bearer-token": "",
        "mimir-password": "",
        "near-bearer-token": "",
        "thanos-bearer-token": "",
    }
    assert (
        "#   kubectl -n monitoring create secret generic prometheus-remote-write \\\n"
        "#     --from-file=backup-bearer-token=FILE \\\n"
        "#     --from-file=mimir-password=FILE \\\n"
        "#     --from-file=near-bearer-token=FILE \\\n"
        "#     --from-file=thanos-bearer-token=FILE\n"
    ) in remote["text"]
    assert "#   thanos-bearer-token: the contents of /run/secrets/remote-token\n" in remote["text"]
    for template in templates.values():
        assert set(template["manifest"]["stringData"].values()) == {""}
    written = {o["metadata"]["name"] for _, o in objects(files) if o["kind"] == "Secret"}
    assert not written & set(templates)  # applied by hand, never by `kubectl apply -R`


def test_the_mount_check_sees_a_file_left_out_of_any_server(files):
    broken = dict(files)
    for path in [p for p in files if "/deployment-" in p]:
        deployment = yaml.safe_load(files[path])
        container = deployment["spec"]["template"]["spec"]["containers"][0]
        container["volumeMounts"] = [m for m in container["volumeMounts"] if "subPath" not in m]
        broken[path] = yaml.safe_dump(deployment).encode()
    missing = unmounted(broken)
    assert "prometheus-shard-1: /run/secrets/remote-token is not mounted from a Secret" in missing
    assert {m.split(":")[0] for m in missing} == {
        "prometheus-shard-0",
        "prometheus-shard-1",
        "alertmanager",
    }
    assert len(missing) == 1 + 1 + 8  # the files each server mounts alone (subPath)


def test_the_checks_refuse_a_file_mounted_inside_a_read_only_volume_or_a_path_mounted_twice(
    files,
):
    path = next(p for p in files if p.endswith("/deployment-alertmanager.yaml"))
    deployment = yaml.safe_load(files[path])
    mounts = deployment["spec"]["template"]["spec"]["containers"][0]["volumeMounts"]
    mounts += [
        {"name": "secrets", "mountPath": "/etc/alertmanager/config/x", "subPath": "slack"},
        {"name": "secrets", "mountPath": "/run/secrets/smtp-password", "subPath": "tg"},
    ]
    problems = kubernetes.problems({**files, path: yaml.safe_dump(deployment).encode()})
    assert [p.split(": ", 2)[2] for p in problems if p.startswith(path)] == [
        "container alertmanager mounts /run/secrets/smtp-password twice",
        "container alertmanager mounts /etc/alertmanager/config/x inside the read-only mount "
        "/etc/alertmanager/config, where its mount point cannot be made",
    ]


def test_an_unsharded_server_mounts_its_remote_write_files(tmp_path: Path):
    spec = MINIMAL + (
        "prometheus:\n  remote_write:\n"
        "    - {name: mimir, url: 'https://mimir/api/v1/push', basic_auth_username: w,\n"
        "       basic_auth_password_file: /etc/prometheus/secrets/mimir}\n"
        "output: {targets: [prometheus, kubernetes], kubernetes: {workloads: true}}\n"
    )
    files = _rendered(stack_from(tmp_path, spec))
    assert unmounted(files) == []
    assert kubernetes.problems(files) == []
    (prometheus,) = [
        o
        for _, o in objects(files)
        if o["kind"] == "Deployment" and o["metadata"]["name"] == "prometheus"
    ]
    seen = container_files(prometheus, _templates(files))
    assert seen["/etc/prometheus/secrets/mimir"] == (
        "Secret",
        "prometheus-remote-write",
        "mimir-password",
    )
