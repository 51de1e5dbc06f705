"""Services: kinds, targets, custom alerts and their PromQL and templates."""

import pytest

from tests.helpers import MINIMAL, stack_from
from tests.spec.located import errors_of


def with_custom_alert(fields: str) -> str:
    return MINIMAL.replace(
        "    kind: http\n",
        f"    kind: http\n    custom_alerts:\n      - {{name: Custom, {fields}}}\n",
    )


def test_unknown_kind_lists_the_kinds(tmp_path):
    (error,) = errors_of(tmp_path, MINIMAL.replace("kind: http", "kind: grpc"))
    assert error == (
        "6:11: services[api].kind: `kind` must be one of "
        "'http', 'database', 'ai-inference', 'node', 'custom'"
    )


def test_targets_take_exactly_one_discovery(tmp_path):
    text = MINIMAL.replace(
        "      static: [api:8080]\n", "      static: [api:8080]\n      file_sd: {files: [a.yml]}\n"
    )
    (error,) = errors_of(tmp_path, text)
    assert (
        error
        == "8:7: services[api].targets: give exactly one of `static`, `file_sd` or `kubernetes` (found static, file_sd)"
    )


def test_custom_alert_promql_is_parsed(tmp_path):
    text = with_custom_alert("expr: 'rate(foo[5m]', summary: s, description: d")
    (error,) = errors_of(tmp_path, text)
    assert (
        "services[api].custom_alerts[Custom].expr: invalid PromQL: unclosed left parenthesis"
        in error
    )


@pytest.mark.parametrize("field", ["summary", "description"])
def test_unbalanced_template_actions_are_refused(tmp_path, field):
    values = {"summary": "s", "description": "d", field: "'{{ oops'"}
    text = with_custom_alert("expr: up == 0, " + ", ".join(f"{k}: {v}" for k, v in values.items()))
    (error,) = errors_of(tmp_path, text)
    assert (
        f"custom_alerts[Custom].{field}: is not a template Prometheus parses "
        "(line 1: unclosed action)" in error
    )


def test_balanced_template_actions_pass(tmp_path):
    text = with_custom_alert("expr: up == 0, summary: '{{ $labels.job }} down', description: d")
    assert (
        stack_from(tmp_path, text).services[0].custom_alerts[0].summary == "{{ $labels.job }} down"
    )


def test_file_sd_paths_must_be_what_prometheus_accepts(tmp_path):
    text = MINIMAL.replace("static: [api:8080]", "file_sd: {files: ['/etc/**/x.json', 'a.txt']}")
    errors = errors_of(tmp_path, text)
    assert len(errors) == 2
    assert all("is not a file discovery path Prometheus accepts" in e for e in errors)


@pytest.mark.parametrize("value", [".nan", ".inf", "-.inf"])
def test_thresholds_must_be_finite(tmp_path, value):
    text = MINIMAL.replace(
        "    kind: http\n",
        f"    kind: http\n    alerts: {{HighAPILatency: {{threshold: {value}}}}}\n",
    )
    (error,) = errors_of(tmp_path, text)
    assert "alerts.HighAPILatency.threshold: Input should be a finite number" in error


def test_kubernetes_selector_keys_must_be_label_keys(tmp_path):
    text = MINIMAL.replace(
        "static: [api:8080]", "kubernetes: {selector: {'': x, 'app.kubernetes.io/name': api}}"
    )
    (error,) = errors_of(tmp_path, text)
    assert "'' is not a Kubernetes label key" in error


@pytest.mark.parametrize(
    ("expr", "message"),
    [
        (
            'sort_by_label(up, "job")',
            "uses `sort_by_label`, newer than Prometheus 2.42, the target",
        ),
        ("limitk(2, up)", "uses `limitk`, newer than Prometheus 2.42"),
        ('label_replace(up, "x", "info(", "", "")', None),  # inside a string: not a call
        ("holt_winters(up[5m], 0.5, 0.5)", None),  # 2.42's name, which the parser calls otherwise
    ],
)
def test_custom_alert_promql_follows_prometheus_2_42(tmp_path, expr, message):
    text = with_custom_alert(f"expr: '{expr}', summary: s, description: d")
    if message is None:
        assert stack_from(tmp_path, text).services[0].custom_alerts[0].expr == expr
    else:
        (error,) = errors_of(tmp_path, text)
        assert message in error


def test_a_scrape_timeout_longer_than_the_services_interval_is_refused(tmp_path):
    text = MINIMAL.replace(
        "      static: [api:8080]\n",
        "      static: [api:8080]\n    scrape_interval: 10s\n    scrape_timeout: 15s\n",
    )
    (error,) = errors_of(tmp_path, text)
    assert "scrape_timeout 15s is longer than scrape_interval 10s: shorten the timeout" in error


def test_a_scrape_timeout_longer_than_the_inherited_global_interval_is_refused(tmp_path):
    text = MINIMAL.replace(
        "      static: [api:8080]\n", "      static: [api:8080]\n    scrape_timeout: 20s\n"
    )
    (error,) = errors_of(tmp_path, text)  # prometheus.scrape_interval: 15s by default
    assert error.startswith("9:21: services[api].scrape_timeout: scrape_timeout 20s is longer")
    assert "15s the service inherits from prometheus.scrape_interval" in error


def test_a_service_interval_under_the_global_timeout_is_fine(tmp_path):
    """Prometheus lowers the inherited 10s timeout to the job's 5s interval (promtool
    check config accepts it), so stackgen does not refuse it either."""
    text = MINIMAL.replace(
        "      static: [api:8080]\n", "      static: [api:8080]\n    scrape_interval: 5s\n"
    )
    assert stack_from(tmp_path, text).services[0].scrape_interval == "5s"
