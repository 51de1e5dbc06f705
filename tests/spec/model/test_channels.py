"""Channels: types, and addresses that must not carry secrets."""

from tests.helpers import MINIMAL
from tests.spec.located import errors_of


def test_unknown_channel_type_lists_the_types(tmp_path):
    (error,) = errors_of(tmp_path, MINIMAL.replace("type: webhook", "type: sms"))
    assert (
        "channels[ops].type: `type` must be one of 'slack', 'pagerduty', 'email', 'webhook'"
        in error
    )


def test_webhook_url_with_credentials_is_refused(tmp_path):
    (error,) = errors_of(
        tmp_path, MINIMAL.replace("http://hooks.internal", "http://user:pw@hooks.internal")
    )
    assert "`http://user:***@hooks.internal/alerts` has a user and password" in error
    assert "pw" not in error.replace("password", "")


def test_webhook_secrets_in_the_query_string_are_refused(tmp_path):
    (error,) = errors_of(tmp_path, MINIMAL.replace("/alerts", "/alerts?api_key=abc"))
    assert "channels[ops].url: `http://hooks.internal/alerts?api_key=***`" in error
    assert "give its path as `url_file`" in error and "abc" not in error


def test_slack_channel_names_cannot_carry_templates(tmp_path):
    text = MINIMAL.replace(
        "channels:\n",
        "channels:\n  - {name: s, type: slack, api_url_file: /f, channel: '#a{{ .x }}'}\n",
    )
    (error,) = errors_of(tmp_path, text)
    assert "channels[s].channel: String should match pattern" in error
