"""The kubernetes target: prometheus-operator resources, Grafana sidecar ConfigMaps and plain
workloads, built from the plain files and held to the CRDs' and Kubernetes' own schemas."""

from __future__ import annotations

import re
from pathlib import Path

import kubernetes_validate
import pytest
import yaml
from typer.testing import CliRunner

from stackgen.cli import app
from stackgen.spec import Stack, load_stack
from stackgen.targets import kubernetes
from stackgen.targets.k8s import prom_operator, secrets
from stackgen.targets.k8s.checks import CRDS, crd_validator, objects
from stackgen.targets.k8s.objects import document, written
from stackgen.targets.k8s.operator_servers import with_operator_paths
from tests.helpers import MINIMAL, SHARED, SPECS, render_files, stack_from

SHIPPED = Path(kubernetes.__file__).parents[1] / "schemas" / "kubernetes"
SHARED_CRDS = SHARED / "schemas" / "kubernetes"
KUBE_SPEC = MINIMAL.replace(
    "      static: [api:8080]\n",
    "      kubernetes: {role: endpoints, namespaces: [web, edge], selector: {app: api},"
    " port: metrics}\n",
).replace(
    "    kind: http\n", "    kind: http\n    scrape_interval: 5s\n    labels: {tier: front}\n"
)


SLACK_CHANNELS = ("critical", "warnings", "database", "ai", "sla", "alerts")


def with_kubernetes(stack: Stack, **settings: object) -> Stack:
    output = stack.output
    k8s = output.kubernetes.model_copy(update=settings)
    return stack.model_copy(update={"output": output.model_copy(update={"kubernetes": k8s})})


def with_cap(stack: Stack, cap: int) -> Stack:
    output = stack.output.model_copy(update={"max_file_bytes": cap})
    return stack.model_copy(update={"output": output})


def rendered(stack: Stack) -> tuple[dict[str, bytes], dict[str, bytes]]:
    plain = render_files(stack)
    return plain, kubernetes.files(stack, plain)


def of_kind(files: dict[str, bytes], kind: str) -> list[dict]:
    return [obj for _, obj in objects(files) if obj["kind"] == kind]


@pytest.fixture(scope="module")
def example() -> tuple[Stack, dict[str, bytes], dict[str, bytes]]:
    stack = with_kubernetes(load_stack(SPECS), workloads=True, labels={"release": "kps"})
    return (stack, *rendered(stack))


@pytest.mark.corpus
def test_the_shipped_crds_are_the_shared_ones_unchanged():
    shipped = sorted(p.name for p in SHIPPED.glob("*.yaml"))
    assert shipped and all(
        (SHIPPED / name).read_bytes() == (SHARED_CRDS / name).read_bytes() for name in shipped
    )


def test_every_object_passes_its_schema_and_the_offline_checks(example):
    _, _, files = example
    assert kubernetes.problems(files) == []
    kinds = set()
    for _, obj in objects(files):
        kinds.add(obj["kind"])
        if obj["kind"] in CRDS:
            assert list(crd_validator(obj["kind"]).iter_errors(obj)) == []
        else:
            kubernetes_validate.validate(obj, "1.30", strict=True)
    assert {
        "PrometheusRule", "Prometheus", "Alertmanager", "Secret", "ConfigMap", "Deployment",
        "Service", "PersistentVolumeClaim",
    } <= kinds  # fmt: skip


def test_the_checks_refuse_broken_objects(example):
    _, _, files = example
    rule = next(p for p in files if "/prometheusrule-" in p)
    deployment = next(p for p in files if "/deployment-" in p)
    broken = dict(files)
    broken[rule] = files[rule].replace(b"    rules:\n", b"    rulez:\n", 1)
    broken[deployment] = files[deployment].replace(b"containerPort:", b"containerPorts:", 1)
    problems = kubernetes.problems(broken)
    assert any(rule in p and "rulez" in p for p in problems)
    assert any(deployment in p and "containerPort" in p for p in problems)


def test_the_checks_refuse_a_mount_of_a_missing_config_map(example):
    _, _, files = example
    broken = {p: d for p, d in files.items() if "configmap-prometheus-config" not in p}
    assert any("missing ConfigMap prometheus-config" in p for p in kubernetes.problems(broken))


def _groups(document: dict) -> list[dict]:
    return document.get("groups") or document["spec"]["groups"]


def test_the_prometheus_rules_hold_exactly_the_plain_groups(example):
    _, plain, files = example
    plain_groups = {
        path.removeprefix("prometheus/rules/").removesuffix(".yml"): _groups(yaml.safe_load(data))
        for path, data in plain.items()
        if path.startswith("prometheus/rules/")
    }
    rules = {
        obj["metadata"]["name"]: obj["spec"]["groups"] for obj in of_kind(files, "PrometheusRule")
    }
    assert rules == plain_groups


def test_a_small_cap_splits_the_rules_keeping_every_group_once_and_each_object_under_it(tmp_path):
    cap = 4096
    stack = with_cap(stack_from(tmp_path, MINIMAL), cap)
    # A service's rule file with many groups (a real one has three, whose size the cap of a
    # whole render must also fit the dashboards to).
    groups = [
        {"name": f"api.g{i}", "rules": [{"record": f"r:{i}", "expr": f"sum(up) * {i}" * 20}]}
        for i in range(40)
    ]
    plain = {"prometheus/rules/api.yml": yaml.safe_dump({"groups": groups}).encode()}
    rules = prom_operator.prometheus_rules(stack, plain)
    assert len(rules) > 1
    assert all(r["metadata"]["name"].startswith("api.") for r in rules)
    assert all(len(document(r)) <= cap for r in rules)
    got = sorted(g["name"] for r in rules for g in r["spec"]["groups"])
    assert got == sorted(g["name"] for g in groups)
    assert [g for r in rules for g in r["spec"]["groups"] if g not in groups] == []
    assert kubernetes.problems(written(stack, "operator", rules)) == []


def test_an_object_over_the_cap_that_cannot_split_is_refused_by_the_cli(tmp_path):
    spec = tmp_path / "spec.yml"
    base = (SPECS / "stack.yml").read_text().split("\noutput:", 1)[0]
    spec.write_text(base + "\noutput: {max_file_bytes: 4096, targets: [kubernetes]}\n")
    parts = [SPECS / "routing.yml", *sorted(SPECS.glob("services/*.yml"))]
    for part in parts + sorted(SPECS.glob("packs/*.yml")):  # the web API's pack too
        copy = tmp_path / part.relative_to(SPECS)
        copy.parent.mkdir(exist_ok=True)
        copy.write_text(part.read_text())
    result = CliRunner().invoke(
        app, ["render", str(tmp_path), "-o", str(tmp_path / "out"), "--no-tools"]
    )
    assert result.exit_code == 2
    assert "output.max_file_bytes" in result.output and "raise the cap" in result.output


def test_a_service_monitor_scrapes_as_the_plain_job_does(tmp_path):
    stack = stack_from(tmp_path, KUBE_SPEC)
    plain, files = rendered(stack)
    (monitor,) = of_kind(files, "ServiceMonitor")
    spec = monitor["spec"]
    assert spec["selector"] == {"matchLabels": {"app": "api"}}
    assert spec["namespaceSelector"] == {"matchNames": ["web", "edge"]}
    (endpoint,) = spec["endpoints"]
    assert (endpoint["port"], endpoint["path"], endpoint["scheme"]) == (
        "metrics",
        "/metrics",
        "http",
    )
    assert (endpoint["interval"], endpoint["scrapeTimeout"]) == ("5s", "5s")
    written = {r["targetLabel"]: r.get("replacement") for r in endpoint["relabelings"]}
    assert written["job"] == "api"  # the rules select job="api"
    (job,) = [
        j
        for j in yaml.safe_load(plain["prometheus/prometheus.yml"])["scrape_configs"]
        if j["job_name"] == "api"
    ]
    constant = {
        r["target_label"]: r["replacement"] for r in job["relabel_configs"] if "replacement" in r
    }
    assert constant == {"service": "api", "team": "web", "tier": "front"}
    assert constant.items() <= written.items()
    # Nothing else scrapes it: the additionalScrapeConfigs Secret is for the other services.
    assert of_kind(files, "Secret")[0]["metadata"]["name"] == "alertmanager-main"
    assert kubernetes.problems(files) == []


def test_static_jobs_go_to_the_additional_scrape_configs_secret_as_in_the_plain_config(example):
    stack, plain, files = example
    (secret,) = [
        s for s in of_kind(files, "Secret") if s["metadata"]["name"] == "additional-scrape-configs"
    ]
    jobs = yaml.safe_load(secret["stringData"]["prometheus-additional.yaml"])
    plain_jobs = yaml.safe_load(plain["prometheus/prometheus.yml"])["scrape_configs"]
    assert jobs == [j for j in plain_jobs if j["job_name"] in {s.name for s in stack.services}]


def test_sharded_jobs_lose_the_shards_hashmod_and_each_shard_gets_a_deployment(tmp_path):
    spec = (
        MINIMAL + "prometheus:\n  shards: 2\n  rule_evaluation: federation\n  address: prom:9090\n"
    )
    stack = with_kubernetes(stack_from(tmp_path, spec), workloads=True)
    _, files = rendered(stack)
    (secret,) = [
        s for s in of_kind(files, "Secret") if s["metadata"]["name"] == "additional-scrape-configs"
    ]
    (job,) = yaml.safe_load(secret["stringData"]["prometheus-additional.yaml"])
    assert all(r.get("action") not in ("hashmod", "keep") for r in job["relabel_configs"])
    names = {d["metadata"]["name"] for d in of_kind(files, "Deployment")}
    assert {"prom", "prometheus-shard-0", "prometheus-shard-1"} <= names
    assert kubernetes.problems(files) == []


def test_the_alertmanager_secret_is_the_plain_config_reading_its_templates_where_the_operator_mounts_them(
    example,
):
    _, plain, files = example
    (secret,) = [
        s for s in of_kind(files, "Secret") if s["metadata"]["name"] == "alertmanager-main"
    ]
    config = yaml.safe_load(secret["stringData"]["alertmanager.yaml"])
    original = yaml.safe_load(plain["alertmanager/alertmanager.yml"])
    assert config["templates"] == ["/etc/alertmanager/config/*.tmpl"]
    # The secret files, where the operator mounts the alertmanager-secrets Secret.
    keys = secrets.alertmanager_keys(load_stack(SPECS))
    assert {**config, "templates": original["templates"]} == with_operator_paths(original, keys)
    assert (
        secret["stringData"]["stackgen.tmpl"]
        == plain["alertmanager/templates/stackgen.tmpl"].decode()
    )


def test_dashboards_and_datasources_are_labelled_for_the_grafana_sidecar(example):
    _, plain, files = example
    maps = of_kind(files, "ConfigMap")
    dashboards = [m for m in maps if m["metadata"]["labels"].get("grafana_dashboard") == "1"]
    assert len(dashboards) == len([p for p in plain if p.startswith("grafana/dashboards/")])
    node = next(m for m in dashboards if "node-exporter.json" in m["data"])
    assert node["metadata"]["annotations"] == {"k8s-sidecar-target-directory": "platform"}
    assert (
        node["data"]["node-exporter.json"]
        == plain["grafana/dashboards/platform/node-exporter.json"].decode()
    )
    overview = next(m for m in dashboards if "aion-overview.json" in m["data"])
    assert overview["metadata"]["annotations"]["k8s-sidecar-target-directory"] == "Aion"
    (sources,) = [m for m in maps if m["metadata"]["labels"].get("grafana_datasource") == "1"]
    assert list(sources["data"].values()) == [
        plain["grafana/provisioning/datasources/datasources.yml"].decode()
    ]
    assert all(m["metadata"]["labels"]["release"] == "kps" for m in maps)


def test_workloads_pin_the_spec_versions_and_serve_the_spec_ports_with_real_health_checks(example):
    _, _, files = example
    deployments = {d["metadata"]["name"]: d for d in of_kind(files, "Deployment")}
    services = {
        s["metadata"]["name"]: s["spec"]["ports"][0]["port"] for s in of_kind(files, "Service")
    }
    assert services == {"prometheus": 9091, "alertmanager": 9093, "grafana": 3000}
    containers = {n: d["spec"]["template"]["spec"]["containers"][0] for n, d in deployments.items()}
    assert containers["prometheus"]["image"] == "quay.io/prometheus/prometheus:v2.42.0"
    assert containers["alertmanager"]["image"] == "quay.io/prometheus/alertmanager:v0.25.0"
    assert containers["grafana"]["image"] == "docker.io/grafana/grafana:10.4.16"  # as compose
    probes = {
        n: (c["readinessProbe"]["httpGet"]["path"], c["livenessProbe"]["httpGet"]["path"])
        for n, c in containers.items()
    }
    assert probes == {
        "prometheus": ("/-/ready", "/-/healthy"),
        "alertmanager": ("/-/ready", "/-/healthy"),
        "grafana": ("/api/health", "/api/health"),
    }
    # The channels' secret files are mounted where alertmanager.yml reads them.
    mounts = {
        m["mountPath"] for m in containers["alertmanager"]["volumeMounts"] if m["name"] == "secrets"
    }
    assert mounts == {
        "/etc/alertmanager/secrets/pagerduty-routing-key",
        "/etc/alertmanager/secrets/smtp-password",
        # a webhook per Slack channel: an app's webhook posts to its own channel only
        *(f"/etc/alertmanager/secrets/slack-webhook-{name}" for name in SLACK_CHANNELS),
    }


SECRET_FIELD = re.compile(
    r"^(password|routing_key|service_key|api_url|api_key|bot_token|webhook_url|bearer_token|"
    r"credentials|auth_password|token)$"
)


def _leaks(value: object) -> list[str]:
    if isinstance(value, dict):
        return [
            f"{k}={v!r}"
            for k, v in value.items()
            if SECRET_FIELD.match(str(k)) and not re.fullmatch(r"\$\{[A-Z_][A-Z0-9_]*\}", str(v))
        ] + [leak for v in value.values() for leak in _leaks(v)]
    if isinstance(value, list):
        return [leak for v in value for leak in _leaks(v)]
    if isinstance(value, str) and "\n" in value:
        try:
            return _leaks(yaml.safe_load(value))
        except yaml.YAMLError:  # a template, not YAML
            return []
    return []


def test_no_secret_value_is_written(example):
    _, _, files = example
    assert [leak for _, obj in objects(files) for leak in _leaks(obj)] == []
    # The secrets the workloads mount are made by hand, never written by stackgen.
    assert {s["metadata"]["name"] for s in of_kind(files, "Secret")} == {
        "additional-scrape-configs",
        "alertmanager-main",
    }


def test_the_leak_check_sees_an_inline_secret():
    assert _leaks({"stringData": {"a.yaml": "receivers:\n- api_url: https://hooks/x\n"}})


def test_rendering_twice_writes_the_same_bytes(example):
    stack, _, files = example
    assert kubernetes.files(stack, render_files(stack)) == files


def test_the_cli_writes_only_the_kubernetes_folder_and_the_manifest(tmp_path):
    out = tmp_path / "out"
    result = CliRunner().invoke(
        app, ["render", str(SPECS), "--target", "kubernetes", "-o", str(out), "--no-tools"]
    )
    assert result.exit_code == 0, result.output
    written = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}
    assert written and all(
        p.startswith("kubernetes/") or p == ".stackgen-manifest.json" for p in written
    )
    assert ".stackgen-manifest.json" in written
