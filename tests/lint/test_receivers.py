"""The checks of an alertmanager.yml's receivers: an SMTP password file on an Alertmanager that
sends its trailing newline (before 0.27), and Slack channels sharing one webhook."""

from pathlib import Path

import pytest
import yaml

from stackgen.lint import lint

EMAIL = {"to": "ops@example.com", "auth_username": "am", "auth_password_file": "/s/smtp"}


def findings(tmp_path: Path, receivers: list, version: str | None = None, **settings) -> list:
    config = {"route": {"receiver": receivers[0]["name"]}, "receivers": receivers}
    if settings:
        config["global"] = settings
    (tmp_path / "prometheus").mkdir(parents=True)
    (tmp_path / "prometheus" / "prometheus.yml").write_text("global: {}\n")
    (tmp_path / "alertmanager").mkdir()
    (tmp_path / "alertmanager" / "alertmanager.yml").write_text(yaml.safe_dump(config))
    checks = ("receiver/password-newline", "receiver/shared-webhook")
    return [f for f in lint([tmp_path], alertmanager_version=version) if f.check in checks]


@pytest.mark.parametrize(
    ("version", "says"),
    [("0.25", "Alertmanager 0.25 sends"), ("0.26", "Alertmanager 0.26 sends"),
     (None, "Alertmanager before 0.27 sends")],
)  # fmt: skip
def test_a_password_file_is_reported_once_per_file_before_0_27(tmp_path, version, says):
    receivers = [
        {"name": "a", "email_configs": [EMAIL, {**EMAIL, "to": "b@example.com"}]},
        {"name": "b", "email_configs": [{**EMAIL, "auth_password_file": "/s/other"}]},
    ]
    found = findings(tmp_path, receivers, version)
    assert [(f.line, f.message.split(" (alert")[0]) for f in found] == [
        (found[0].line, f"{says} a trailing newline of /s/smtp (read by 2 email configs) as part "
         "of the SMTP password"),
        (found[1].line, f"{says} a trailing newline of /s/other as part of the SMTP password"),
    ]  # fmt: skip
    assert found[0].line < found[1].line


@pytest.mark.parametrize("version", ["0.27", "0.28", "v0.27.0"])
def test_alertmanager_0_27_trims_the_file_and_nothing_is_reported(tmp_path, version):
    assert findings(tmp_path, [{"name": "a", "email_configs": [EMAIL]}], version) == []


def test_an_inline_password_or_none_is_not_this_checks_business(tmp_path):
    receivers = [{"name": "a", "email_configs": [{"to": "x@example.com", "auth_password": "p"}]}]
    assert findings(tmp_path, receivers, "0.25") == []


def test_slack_channels_sharing_a_webhook_file_are_reported_after_the_first(tmp_path):
    slack = {"api_url_file": "/s/slack"}
    receivers = [
        {"name": "a", "slack_configs": [{**slack, "channel": "#a"}]},
        {"name": "b", "slack_configs": [{**slack, "channel": "#b"}]},
        {"name": "c", "slack_configs": [{**slack, "channel": "#a"}]},  # the same channel: fine
        {"name": "d", "slack_configs": [{"api_url_file": "/s/other", "channel": "#d"}]},
    ]
    (finding,) = findings(tmp_path, receivers)
    assert finding.message.startswith("api_url_file /s/slack also serves channel #a: ")
    assert "meant for #b lands there too" in finding.message


def test_the_global_webhook_is_shared_too_and_an_inline_url_is_never_repeated(tmp_path):
    receivers = [
        {"name": "a", "slack_configs": [{"channel": "#a"}]},
        {"name": "b", "slack_configs": [{"channel": "#b"}]},
    ]
    (finding,) = findings(tmp_path, receivers, slack_api_url="https://hooks.slack.com/T/secret")
    assert finding.message.startswith("global slack_api_url also serves channel #a")
    inline = [
        {"name": "a", "slack_configs": [{"api_url": "https://hooks/x/secret", "channel": "#a"}]},
        {"name": "b", "slack_configs": [{"api_url": "https://hooks/x/secret", "channel": "#b"}]},
    ]
    (finding,) = findings(tmp_path / "inline", inline)
    assert "secret" not in finding.message and finding.message.startswith("the same api_url")


def test_stackgen_lint_takes_the_alertmanager_release(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from stackgen.cli import app

    findings(tmp_path, [{"name": "a", "email_configs": [EMAIL]}])  # writes the stack
    monkeypatch.chdir(tmp_path)  # no lint settings of a spec around
    runner = CliRunner()
    old = runner.invoke(app, ["lint", str(tmp_path), "--alertmanager-version", "0.26"])
    assert "Alertmanager 0.26 sends a trailing newline of /s/smtp" in old.stdout
    new = runner.invoke(app, ["lint", str(tmp_path), "--alertmanager-version", "v0.27.0"])
    assert "receiver/password-newline" not in new.stdout
    bad = runner.invoke(app, ["lint", str(tmp_path), "--alertmanager-version", "latest"])
    assert bad.exit_code == 2 and "--alertmanager-version: give a release" in bad.stderr
