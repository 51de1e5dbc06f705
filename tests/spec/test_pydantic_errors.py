"""How a model error is reported: located, with the field path and a fix (spec.pydantic_errors)."""

from tests.helpers import MINIMAL
from tests.spec.located import errors_of


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


def test_missing_field_points_at_the_mapping_that_lacks_it(tmp_path):
    text = MINIMAL.replace("    team: web\n", "")
    assert errors_of(tmp_path, text) == ["4:5: services[api].team: missing required field `team`"]


def test_wrong_type_says_what_it_got(tmp_path):
    text = MINIMAL.replace("static: [api:8080]", "static: api:8080")
    (error,) = errors_of(tmp_path, text)
    assert error.startswith("8:15: services[api].targets.static: Input should be a valid list")
    assert "(got str 'api:8080')" in error


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


def test_a_missing_field_with_several_forms_lists_them(tmp_path):
    text = MINIMAL.replace("    targets:\n      static: [api:8080]\n", "")
    assert errors_of(tmp_path, text) == [
        "4:5: services[api].targets: missing required field `targets`; add one of "
        "`targets: {static: [host:9100]}`, `targets: {file_sd: {files: [targets/*.json]}}`, "
        "`targets: {kubernetes: {role: endpoints, namespaces: [web], selector: {app: api}}}`"
    ]
