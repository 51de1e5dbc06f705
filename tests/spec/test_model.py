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
    assert error.startswith("6:11: services[api].kind: Input should be 'http', 'database'")


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
