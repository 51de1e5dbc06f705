"""prometheus.yml and rule files: scrape jobs, relabelling, PromQL quoting and rate ranges."""

import re
import textwrap

import pytest
import yaml

from stackgen.plan.prometheus import prometheus_configs, rule_files, rule_groups, scrape_job
from stackgen.prometheus.promql import quote, selector
from stackgen.render.engine import render_artifact
from tests.helpers import MINIMAL, stack_from


def with_service(extra: str = "", kind: str = "http", targets: str = "static: [api:8080]") -> str:
    """MINIMAL with its service of `kind`, found through `targets`, plus `extra` service keys."""
    text = MINIMAL.replace("kind: http", f"kind: {kind}")
    extra = textwrap.dedent(extra).rstrip("\n") + "\n" if extra else ""
    return text.replace(
        "      static: [api:8080]\n", f"      {targets}\n" + textwrap.indent(extra, "    ")
    )


def job_of(tmp_path, text: str) -> dict:
    stack = stack_from(tmp_path, text)
    return scrape_job(stack.services[0])


def kubernetes(sd: str) -> str:
    return with_service(targets=f"kubernetes: {sd}")


def rendered_exprs(stack) -> list[str]:
    """Every `expr` of every rule file, as written to disk."""
    exprs = []
    for artifact in rule_files(stack):
        for group in yaml.safe_load(render_artifact(artifact))["groups"]:
            exprs += [rule["expr"] for rule in group["rules"]]
    return exprs


# --- PromQL quoting ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "literal"),
    [
        ("plain", '"plain"'),
        ('say "hi"', r'"say \"hi\""'),
        ("C:\\temp", r'"C:\\temp"'),
        ('a\\"b', r'"a\\\"b"'),
        ("two\nlines", r'"two\nlines"'),
        ("", '""'),
    ],
)
def test_quote_escapes_backslashes_quotes_and_newlines(value, literal):
    assert quote(value) == literal


def test_selector_quotes_every_exact_match_value():
    assert selector("up", job='we"ird\\job') == r'up{job="we\"ird\\job"}'


def test_selector_appends_preformed_matchers_after_exact_ones():
    assert selector("m", {"status": '=~"5.."'}, job="api") == 'm{job="api",status=~"5.."}'


def test_selector_without_matchers_is_the_bare_metric():
    assert selector("up") == "up"


# --- scrape jobs ---------------------------------------------------------------------------------


def test_a_static_job_lists_its_targets_and_scrape_settings(tmp_path):
    job = job_of(tmp_path, with_service("metrics_path: /prom\nscheme: https\nscrape_interval: 30s"))
    assert job["job_name"] == "api"
    assert job["static"] == ["api:8080"]
    assert (job["file_sd"], job["kubernetes"]) == (None, None)
    assert (job["metrics_path"], job["scheme"], job["scrape_interval"]) == ("/prom", "https", "30s")


def test_a_job_without_its_own_interval_leaves_it_to_the_global_one(tmp_path):
    assert job_of(tmp_path, MINIMAL)["scrape_interval"] is None


def test_a_job_carries_its_own_scrape_timeout(tmp_path):
    job = job_of(tmp_path, with_service("scrape_interval: 10s\nscrape_timeout: 5s"))
    assert (job["scrape_interval"], job["scrape_timeout"]) == ("10s", "5s")
    assert job_of(tmp_path, MINIMAL)["scrape_timeout"] is None


def test_a_file_sd_job_lists_its_files(tmp_path):
    job = job_of(tmp_path, with_service(targets="file_sd: {files: [/etc/sd/api.json]}"))
    assert job["file_sd"].files == ["/etc/sd/api.json"]
    assert job["file_sd"].refresh_interval == "5m"
    assert job["static"] is None


def test_constant_labels_service_team_and_extra_labels_are_set_by_relabelling(tmp_path):
    job = job_of(tmp_path, with_service("labels: {tier: frontend, zone: eu-1}"))
    assert job["relabel_configs"] == [
        {"target_label": "service", "replacement": "api"},
        {"target_label": "team", "replacement": "web"},
        {"target_label": "tier", "replacement": "frontend"},
        {"target_label": "zone", "replacement": "eu-1"},
    ]


def test_a_dollar_in_a_label_value_is_doubled_so_prometheus_keeps_it_literal(tmp_path):
    # Prometheus expands `$1` and `${name}` in a replacement; `$$` is a literal dollar.
    job = job_of(tmp_path, with_service("labels: {budget: 'cost$1k'}"))
    assert {"target_label": "budget", "replacement": "cost$$1k"} in job["relabel_configs"]


def test_a_kubernetes_selector_keeps_only_objects_with_that_service_label(tmp_path):
    job = job_of(tmp_path, kubernetes("{selector: {app.kubernetes.io/name: api}}"))
    assert job["kubernetes"].role == "endpoints"
    assert job["relabel_configs"][0] == {
        "action": "keep",
        "source_labels": ["__meta_kubernetes_service_label_app_kubernetes_io_name"],
        "regex": "api",
    }


def test_the_pod_role_selects_on_pod_labels(tmp_path):
    job = job_of(tmp_path, kubernetes("{role: pod, selector: {app: api}}"))
    assert job["relabel_configs"][0]["source_labels"] == ["__meta_kubernetes_pod_label_app"]


@pytest.mark.parametrize("role", ["endpoints", "endpointslice", "service"])
def test_other_roles_select_on_service_labels(tmp_path, role):
    job = job_of(tmp_path, kubernetes(f"{{role: {role}, selector: {{app: api}}}}"))
    assert job["relabel_configs"][0]["source_labels"] == ["__meta_kubernetes_service_label_app"]


def test_regex_metacharacters_in_selector_values_are_matched_literally(tmp_path):
    job = job_of(tmp_path, kubernetes("{selector: {version: 'v1.2+(beta)*'}}"))
    regex = job["relabel_configs"][0]["regex"]
    assert regex == r"v1\.2\+\(beta\)\*"
    assert re.fullmatch(regex, "v1.2+(beta)*")
    assert not re.fullmatch(regex, "v1x2+(beta)")


@pytest.mark.parametrize(
    ("role", "meta"),
    [
        ("endpoints", "__meta_kubernetes_endpoint_port_name"),
        ("endpointslice", "__meta_kubernetes_endpointslice_port_name"),
        ("service", "__meta_kubernetes_service_port_name"),
        ("pod", "__meta_kubernetes_pod_container_port_name"),
    ],
)
def test_a_kubernetes_port_name_keeps_only_that_port(tmp_path, role, meta):
    job = job_of(tmp_path, kubernetes(f"{{role: {role}, port: metrics}}"))
    assert job["relabel_configs"][0] == {
        "action": "keep",
        "source_labels": [meta],
        "regex": "metrics",
    }


def test_kubernetes_targets_get_namespace_and_pod_labels(tmp_path):
    rules = job_of(tmp_path, kubernetes("{role: pod}"))["relabel_configs"]
    assert {"source_labels": ["__meta_kubernetes_namespace"], "target_label": "namespace"} in rules
    assert {"source_labels": ["__meta_kubernetes_pod_name"], "target_label": "pod"} in rules


def test_the_service_role_has_no_pod_label(tmp_path):
    rules = job_of(tmp_path, kubernetes("{role: service}"))["relabel_configs"]
    assert all(rule.get("target_label") != "pod" for rule in rules)


def test_kubernetes_filters_come_before_the_constant_labels(tmp_path):
    rules = job_of(tmp_path, kubernetes("{selector: {app: api}, port: web}"))["relabel_configs"]
    assert [r.get("action") for r in rules[:2]] == ["keep", "keep"]
    assert [r["target_label"] for r in rules[-2:]] == ["service", "team"]


# --- prometheus.yml ------------------------------------------------------------------------------


def test_prometheus_config_loads_one_rule_file_and_one_job_per_service(tmp_path):
    text = MINIMAL.replace(
        "channels:\n",
        "  - {name: db, team: data, kind: database, targets: {static: ['db:9187']}}\nchannels:\n",
    )
    (config,) = prometheus_configs(stack_from(tmp_path, text))
    assert config.path == "prometheus/prometheus.yml"
    assert config.context["rule_files"] == ["rules/api.yml", "rules/db.yml"]
    jobs = [job["job_name"] for job in config.context["jobs"]]
    assert jobs == ["prometheus", "alertmanager", "grafana", "api", "db"]  # the stack's own first


def test_external_labels_name_the_stack_and_environment_then_the_spec_ones(tmp_path):
    text = MINIMAL.replace(
        "  name: demo\n", "  name: demo\n  environment: staging\n  external_labels: {region: eu}\n"
    )
    context = prometheus_configs(stack_from(tmp_path, text))[0].context
    assert context["external_labels"] == {"stack": "demo", "environment": "staging", "region": "eu"}


def test_prometheus_and_alertmanager_scrape_themselves_by_default(tmp_path):
    context = prometheus_configs(stack_from(tmp_path, MINIMAL))[0].context
    assert [(j["job_name"], j["static"]) for j in context["jobs"][:2]] == [
        ("prometheus", ["localhost:9090"]),
        ("alertmanager", ["localhost:9093"]),
    ]
    assert context["alertmanagers"] == ["localhost:9093"]


def test_self_scrape_can_be_turned_off(tmp_path):
    stack = stack_from(tmp_path, MINIMAL + "prometheus: {self_scrape: false}\n")
    jobs = prometheus_configs(stack)[0].context["jobs"]
    assert [j["job_name"] for j in jobs] == ["api"]


# --- rule files ----------------------------------------------------------------------------------


def test_a_service_gets_a_recording_group_then_an_alerting_group(tmp_path):
    stack = stack_from(tmp_path, MINIMAL)
    groups = rule_groups(stack, stack.services[0])
    assert [g["name"] for g in groups] == ["api.recording", "api.alerts"]
    assert [r["record"] for r in groups[0]["records"]] == [
        "job:http_requests:rate5m",
        "job:http_request_errors:rate5m",
        "job:http_request_errors:ratio_rate5m",
        "job:http_request_duration_seconds_bucket:rate5m",
    ]


def test_a_custom_service_has_no_empty_recording_group(tmp_path):
    stack = stack_from(tmp_path, with_service(kind="custom"))
    assert [g["name"] for g in rule_groups(stack, stack.services[0])] == ["api.alerts"]


def test_one_rule_file_per_service(tmp_path):
    stack = stack_from(tmp_path, MINIMAL)
    assert [a.path for a in rule_files(stack)] == ["prometheus/rules/api.yml"]


@pytest.mark.parametrize("kind", ["http", "database", "ai-inference", "node"])
def test_rate_ranges_are_4x_a_2m_scrape_interval(tmp_path, kind):
    text = with_service(kind=kind) + "prometheus: {scrape_interval: 2m}\n"
    exprs = rendered_exprs(stack_from(tmp_path, text))
    assert any("[8m]" in e for e in exprs)
    assert not any("[5m]" in e or "rate5m" in e for e in exprs)


@pytest.mark.parametrize("kind", ["http", "database", "ai-inference", "node"])
def test_rate_ranges_are_5m_for_a_15s_scrape_interval(tmp_path, kind):
    exprs = rendered_exprs(stack_from(tmp_path, with_service(kind=kind)))
    assert any("[5m]" in e for e in exprs)
    ranges = {r for e in exprs for r in re.findall(r"\[(\w+)\]", e)}
    assert ranges == {"5m"}


def test_recording_rule_names_and_their_uses_carry_the_same_range(tmp_path):
    stack = stack_from(tmp_path, with_service("scrape_interval: 2m"))
    groups = rule_groups(stack, stack.services[0])
    assert "job:http_request_errors:ratio_rate8m" in [r["record"] for r in groups[0]["records"]]
    (alert,) = [a for a in groups[1]["alerts"] if a.name == "HighHTTPErrorRate"]
    assert alert.expr == 'job:http_request_errors:ratio_rate8m{job="api"} > 0.05'


def test_metric_overrides_reach_the_recording_rules(tmp_path):
    text = with_service("metrics: {requests_total: my_requests_total, status_label: code}")
    exprs = rendered_exprs(stack_from(tmp_path, text))
    assert 'sum by (job) (rate(my_requests_total{job="api"}[5m]))' in exprs
    assert 'sum by (job) (rate(my_requests_total{job="api",code=~"5.."}[5m]))' in exprs
    assert not any("http_requests_total" in e or "status=" in e for e in exprs)
