"""Kubernetes operator mode runs the stack: Prometheus and Alertmanager resources valid against
the operator's CRDs, every secret file read where the operator mounts it, a template of the
Secret that holds them; and every form starts the servers with the retention, external URLs
and persistent storage the stack needs."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from stackgen.spec import load_stack
from stackgen.targets.k8s.checks import crd_validator
from tests.helpers import SPECS, out_files

OPERATOR = "kubernetes/operator"


@pytest.fixture(scope="module")
def files() -> dict[str, bytes]:
    return out_files(load_stack(Path(SPECS)))


def _load(files: dict[str, bytes], path: str) -> dict:
    return yaml.safe_load(files[path])


def test_prometheus_and_alertmanager_resources_validate_against_the_crds(files):
    prometheus = _load(files, f"{OPERATOR}/prometheus-aion.yaml")
    alertmanager = _load(files, f"{OPERATOR}/alertmanager-main.yaml")
    for resource in (prometheus, alertmanager):
        errors = [e.message for e in crd_validator(resource["kind"]).iter_errors(resource)]
        assert errors == []
    assert prometheus["spec"]["retention"] == "37d"  # the 30d SLOs plus a week
    assert prometheus["spec"]["externalUrl"] == "https://prometheus.aion.example.com"
    claim = prometheus["spec"]["storage"]["volumeClaimTemplate"]["spec"]
    assert claim["resources"]["requests"]["storage"] == "37Gi"
    assert alertmanager["spec"]["externalUrl"] == "https://alertmanager.aion.example.com"
    assert alertmanager["spec"]["secrets"] == ["alertmanager-secrets"]
    assert "storage" in alertmanager["spec"]


def test_the_config_reads_every_secret_file_where_the_operator_mounts_it(files):
    secret = _load(files, f"{OPERATOR}/secret-alertmanager-main.yaml")
    config = yaml.safe_load(secret["stringData"]["alertmanager.yaml"])
    paths = [
        value
        for receiver in config["receivers"]
        for configs in receiver.values()
        if isinstance(configs, list)
        for item in configs
        for key, value in item.items()
        if key.endswith("_file")
    ]
    template = yaml.safe_load(files["kubernetes/secrets/alertmanager-secrets.yaml.template"])
    keys = set(template["stringData"])
    assert paths and all(
        p.startswith("/etc/alertmanager/secrets/alertmanager-secrets/") for p in paths
    )
    assert {p.rsplit("/", 1)[1] for p in paths} == keys
    assert set(template["stringData"].values()) == {""}  # no value is ever written


def test_compose_and_workloads_keep_history_and_link_to_the_external_urls(files):
    compose = yaml.safe_load(files["docker-compose.yml"])
    command = compose["services"]["prometheus"]["command"]
    assert "--storage.tsdb.retention.time=37d" in command
    assert "--web.external-url=https://prometheus.aion.example.com" in command
    am = compose["services"]["alertmanager"]["command"]
    assert "--web.external-url=https://alertmanager.aion.example.com" in am
    workloads = "kubernetes/workloads"
    for name in ("prometheus", "alertmanager"):
        deployment = _load(files, f"{workloads}/deployment-{name}.yaml")
        pod = deployment["spec"]["template"]["spec"]
        data = next(v for v in pod["volumes"] if v["name"] == "data")
        claim = data["persistentVolumeClaim"]["claimName"]
        assert f"{workloads}/persistentvolumeclaim-{claim}.yaml" in files
        assert deployment["spec"]["strategy"] == {"type": "Recreate"}
    args = _load(files, f"{workloads}/deployment-prometheus.yaml")["spec"]["template"]["spec"][
        "containers"
    ][0]["args"]
    assert "--storage.tsdb.retention.time=37d" in args


def test_remote_write_credentials_come_from_a_secret_of_their_own(tmp_path):
    """The operator reads no file of the Prometheus host: each remote_write's credentials are
    keys of `prometheus-remote-write`, whose template names the file each one stands for."""
    from tests.helpers import MINIMAL, stack_from

    text = MINIMAL + (
        "output: {targets: [kubernetes], kubernetes: {operator: true}}\n"
        "prometheus:\n"
        "  remote_write:\n"
        "    - {name: mimir, url: 'https://mimir/api/v1/push', tenant: aion,\n"
        "       basic_auth_username: writer, basic_auth_password_file: /run/secrets/mimir,\n"
        "       queue: {max_shards: 10}, write_relabel: [{action: drop, source_labels: [x]}]}\n"
        "    - {name: thanos, url: 'https://thanos/api/v1/receive', store: thanos,\n"
        "       bearer_token_file: /run/secrets/thanos}\n"
    )
    files = out_files(stack_from(tmp_path, text))
    prometheus = yaml.safe_load(files[f"{OPERATOR}/prometheus-demo.yaml"])
    assert [e.message for e in crd_validator("Prometheus").iter_errors(prometheus)] == []
    secret = "prometheus-remote-write"
    assert prometheus["spec"]["remoteWrite"] == [
        {
            "name": "mimir",
            "url": "https://mimir/api/v1/push",
            "headers": {"X-Scope-OrgID": "aion"},
            "queueConfig": {"maxShards": 10},
            "writeRelabelConfigs": [{"action": "drop", "sourceLabels": ["x"]}],
            "basicAuth": {
                "username": {"name": secret, "key": "mimir-username"},
                "password": {"name": secret, "key": "mimir-password"},
            },
        },
        {
            "name": "thanos",
            "url": "https://thanos/api/v1/receive",
            "authorization": {
                "type": "Bearer",
                "credentials": {"name": secret, "key": "thanos-bearer-token"},
            },
        },
    ]
    template = files[f"kubernetes/secrets/{secret}.yaml.template"].decode()
    assert "#   mimir-password: the contents of /run/secrets/mimir\n" in template
    assert "#   mimir-username: the username writer\n" in template
    assert "#   thanos-bearer-token: the contents of /run/secrets/thanos\n" in template
    assert yaml.safe_load(template)["stringData"] == {
        "mimir-password": "",
        "mimir-username": "",
        "thanos-bearer-token": "",
    }
