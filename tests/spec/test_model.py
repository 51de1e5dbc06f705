"""Validation of one spec against the model: every error located, with a fix in its message."""

import pytest

from stackgen.spec import SpecErrors, load_stack
from tests.helpers import MINIMAL, stack_from, write


def errors_of(tmp_path, text) -> list[str]:
    spec = write(tmp_path, "spec.yml", text)
    with pytest.raises(SpecErrors) as caught:
        load_stack(spec)
    return [str(e).removeprefix(f"{spec}:") for e in caught.value.errors]


def test_minimal_spec_is_valid_with_defaults(tmp_path):
    stack = stack_from(tmp_path, MINIMAL)
    assert stack.prometheus.scrape_interval == "15s"
    assert stack.routing.group_by == ["alertname", "service"]
    assert stack.services[0].metrics_path == "/metrics"


def test_unknown_key_points_at_the_key_and_suggests_the_right_one(tmp_path):
    text = MINIMAL.replace("    kind: http\n", "    kind: http\n    metrcs_path: /m\n")
    assert errors_of(tmp_path, text) == [
        "7:5: services[api].metrcs_path: unknown key `metrcs_path`; did you mean `metrics_path`?"
    ]


def test_inline_secret_is_refused_with_the_file_field_to_use(tmp_path):
    text = MINIMAL.replace(
        "channels:\n",
        "channels:\n  - name: pd\n    type: pagerduty\n    routing_key: abc123\n",
    )
    # the one error says what to do; no second one about the missing routing_key_file
    assert errors_of(tmp_path, text) == [
        "12:5: channels[pd].routing_key: inline secrets are not allowed: put the secret in a file "
        "readable by the server and give its path as `routing_key_file` instead of `routing_key`"
    ]


def test_grafana_datasource_password_must_be_an_env_reference(tmp_path):
    text = MINIMAL + (
        "grafana:\n  datasources:\n    - {name: pg, type: postgres, url: 'db:5432', "
        "database: d, user: u, password: hunter2}\n"
    )
    (error,) = errors_of(tmp_path, text)
    assert "grafana.datasources[pg].password: inline secrets are not allowed" in error
    assert "${POSTGRES_PASSWORD}" in error


def test_missing_field_points_at_the_mapping_that_lacks_it(tmp_path):
    text = MINIMAL.replace("    team: web\n", "")
    assert errors_of(tmp_path, text) == ["4:5: services[api].team: missing required field `team`"]


def test_wrong_type_says_what_it_got(tmp_path):
    text = MINIMAL.replace("static: [api:8080]", "static: api:8080")
    (error,) = errors_of(tmp_path, text)
    assert error.startswith("8:15: services[api].targets.static: Input should be a valid list")
    assert "(got str 'api:8080')" in error


@pytest.mark.parametrize("bad", ["5 minutes", "5", "1.5h", "'-1m'"])
def test_bad_duration_is_located(tmp_path, bad):
    text = MINIMAL.replace(
        "  name: demo\n", f"  name: demo\nprometheus:\n  scrape_interval: {bad}\n"
    )
    (error,) = errors_of(tmp_path, text)
    assert error.startswith("4:20: prometheus.scrape_interval: ")
    assert "Prometheus duration" in error or "valid string" in error


def test_unknown_kind_lists_the_kinds(tmp_path):
    (error,) = errors_of(tmp_path, MINIMAL.replace("kind: http", "kind: grpc"))
    assert error == (
        "6:11: services[api].kind: `kind` must be one of "
        "'http', 'database', 'ai-inference', 'node', 'custom'"
    )


def test_unknown_channel_type_lists_the_types(tmp_path):
    (error,) = errors_of(tmp_path, MINIMAL.replace("type: webhook", "type: sms"))
    assert (
        "channels[ops].type: `type` must be one of 'slack', 'pagerduty', 'email', 'webhook'"
        in error
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


def test_scrape_timeout_longer_than_interval_is_refused(tmp_path):
    text = MINIMAL + "prometheus:\n  scrape_interval: 10s\n  scrape_timeout: 20s\n"
    (error,) = errors_of(tmp_path, text)
    assert "scrape_timeout 20s is longer than scrape_interval 10s" in error


@pytest.mark.parametrize(
    ("name", "fragment"),
    [
        ('"api\\nx"', "is not a valid name"),
        ('"Api"', "is not a valid name"),
        ('"a:b"', "is not a valid name"),
        ('"{{ x }}"', "is not a valid name"),
        ('"it\'s"', "is not a valid name"),
    ],
)
def test_names_that_would_break_outputs_are_rejected_clearly(tmp_path, name, fragment):
    (error,) = errors_of(tmp_path, MINIMAL.replace("  - name: api", f"  - name: {name}"))
    assert fragment in error and "lowercase letters, digits and dashes" in error


def test_label_names_and_values_are_checked(tmp_path):
    text = MINIMAL.replace(
        "  name: demo\n", "  name: demo\n  external_labels: {'bad-label': x, ok: \"two\\nlines\"}\n"
    )
    errors = errors_of(tmp_path, text)
    assert any(
        "stack.external_labels.bad-label: 'bad-label' is not a valid Prometheus label name" in e
        for e in errors
    )
    assert any("stack.external_labels.ok: must be a single line of text" in e for e in errors)


def test_webhook_url_with_credentials_is_refused(tmp_path):
    (error,) = errors_of(
        tmp_path, MINIMAL.replace("http://hooks.internal", "http://user:pw@hooks.internal")
    )
    assert "credentials belong in a `*_file` field" in error


def with_custom_alert(fields: str) -> str:
    return MINIMAL.replace(
        "    kind: http\n",
        f"    kind: http\n    custom_alerts:\n      - {{name: Custom, {fields}}}\n",
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
        f"custom_alerts[Custom].{field}: has a `{{{{` template action that is never closed" in error
    )


def test_balanced_template_actions_pass(tmp_path):
    text = with_custom_alert("expr: up == 0, summary: '{{ $labels.job }} down', description: d")
    assert (
        stack_from(tmp_path, text).services[0].custom_alerts[0].summary == "{{ $labels.job }} down"
    )


@pytest.mark.parametrize("field", ["group_interval", "repeat_interval"])
def test_zero_intervals_alertmanager_refuses_are_rejected(tmp_path, field):
    (error,) = errors_of(tmp_path, MINIMAL + f"  {field}: 0s\n")
    assert f"routing.{field}: '0s' must be longer than zero" in error


def test_file_sd_paths_must_be_what_prometheus_accepts(tmp_path):
    text = MINIMAL.replace("static: [api:8080]", "file_sd: {files: ['/etc/**/x.json', 'a.txt']}")
    errors = errors_of(tmp_path, text)
    assert len(errors) == 2
    assert all("is not a file discovery path Prometheus accepts" in e for e in errors)


@pytest.mark.parametrize(
    "url", ["http://admin:hunter2@loki:3100", "user:pw@db:5432", "http://loki:3100/?token=abc"]
)
def test_credentials_in_a_datasource_address_are_refused(tmp_path, url):
    text = MINIMAL + f"grafana:\n  datasources: [{{name: l, type: loki, url: '{url}'}}]\n"
    (error,) = errors_of(tmp_path, text)
    assert (
        "grafana.datasources[l].url: credentials in an address would be written into out/" in error
    )


def test_webhook_secrets_in_the_query_string_are_refused(tmp_path):
    (error,) = errors_of(tmp_path, MINIMAL.replace("/alerts", "/alerts?api_key=abc"))
    assert "channels[ops].url:" in error and "credentials belong in a `*_file` field" in error


@pytest.mark.parametrize("value", [".nan", ".inf", "-.inf"])
def test_thresholds_must_be_finite(tmp_path, value):
    text = MINIMAL.replace(
        "    kind: http\n",
        f"    kind: http\n    alerts: {{HighAPILatency: {{threshold: {value}}}}}\n",
    )
    (error,) = errors_of(tmp_path, text)
    assert "alerts.HighAPILatency.threshold: Input should be a finite number" in error


def test_slack_channel_names_cannot_carry_templates(tmp_path):
    text = MINIMAL.replace(
        "channels:\n",
        "channels:\n  - {name: s, type: slack, api_url_file: /f, channel: '#a{{ .x }}'}\n",
    )
    (error,) = errors_of(tmp_path, text)
    assert "channels[s].channel: String should match pattern" in error


def test_suggestions_come_from_the_fields_of_the_mapping_at_hand(tmp_path):
    """`channel` is a field of Slack channels, not of services: no false "did you mean"."""
    (error,) = errors_of(
        tmp_path, MINIMAL.replace("    kind: http\n", "    kind: http\n    channel: x\n")
    )
    assert (
        "services[api].channel: unknown key `channel`; remove it or fix its spelling (known here: `alerts`,"
        in error
    )


def test_suggestions_inside_a_tagged_union_use_that_members_fields(tmp_path):
    (error,) = errors_of(
        tmp_path, MINIMAL.replace("    url: http", "    send_resolve: true\n    url: http")
    )
    assert (
        "channels[ops].send_resolve: unknown key `send_resolve`; did you mean `send_resolved`?"
        in error
    )


def test_a_secret_key_without_a_file_form_gets_the_general_rule(tmp_path):
    (error,) = errors_of(
        tmp_path, MINIMAL.replace("    url: http", "    password: x\n    url: http")
    )
    assert (
        "stackgen takes secrets only as `*_file` paths (channels) or `${ENV}` references" in error
    )


def test_python_names_of_aliased_fields_are_unknown_keys(tmp_path):
    text = MINIMAL.replace(
        "    kind: http\n", "    kind: http\n    alerts: {ServiceDown: {for_: 9m}}\n"
    )
    (error,) = errors_of(tmp_path, text)
    assert "alerts.ServiceDown.for_: unknown key `for_`; did you mean `for`?" in error


@pytest.mark.parametrize("label", ["stack", "environment"])
def test_external_labels_cannot_replace_the_stacks_own(tmp_path, label):
    text = MINIMAL.replace("  name: demo\n", f"  name: demo\n  external_labels: {{{label}: x}}\n")
    (error,) = errors_of(tmp_path, text)
    assert f"stack.external_labels.{label}: `{label}` is set from `stack." in error


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


def test_each_datasource_type_takes_only_its_own_fields(tmp_path):
    text = MINIMAL + (
        "grafana:\n  datasources:\n"
        "    - {name: logs, type: loki, url: 'http://loki:3100', database: x}\n"
        "    - {name: pg, type: postgres, url: 'db:5432', user: u}\n"
    )
    errors = errors_of(tmp_path, text)
    assert any("datasources[logs].database: unknown key `database`" in e for e in errors)
    assert any("datasources[pg].database: missing required field `database`" in e for e in errors)
    assert len(errors) == 2


def test_an_objective_of_100_percent_is_refused_with_the_reason(tmp_path):
    text = MINIMAL.replace(
        "      static: [api:8080]\n",
        "      static: [api:8080]\n    slos: [{name: a, objective: 100, sli: {type: uptime}}]\n",
    )
    (error,) = errors_of(tmp_path, text)
    assert "slos[a].objective: an objective of 100% leaves no error budget" in error


def test_an_slo_period_is_whole_days(tmp_path):
    text = MINIMAL.replace(
        "      static: [api:8080]\n",
        "      static: [api:8080]\n    slos: [{name: a, objective: 99, sli: {type: uptime}, period: 36h}]\n",
    )
    (error,) = errors_of(tmp_path, text)
    assert "period 36h is not a whole number of days or weeks" in error


def test_a_ratio_sli_expression_is_promql_once_the_window_is_in_place(tmp_path):
    text = MINIMAL.replace(
        "      static: [api:8080]\n",
        "      static: [api:8080]\n    slos: [{name: a, objective: 99, sli: {type: ratio, "
        "expr: 'sum(rate(bad[${window}])) / sum(rate(all[${window}]'}}]\n",
    )
    (error,) = errors_of(tmp_path, text)
    assert "slos[a].sli.expr: invalid PromQL: unclosed left parenthesis" in error


def test_slo_annotations_may_template_labels_only(tmp_path):
    text = MINIMAL.replace(
        "      static: [api:8080]\n",
        "      static: [api:8080]\n    slos: [{name: a, objective: 99, sli: {type: uptime}, "
        "annotations: {summary: 'at {{ $value }}'}}]\n",
    )
    (error,) = errors_of(tmp_path, text)
    assert (
        "slos[a].annotations.summary: may use only `{{ $labels.NAME }}` template actions" in error
    )
