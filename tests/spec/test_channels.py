"""Every kind of channel renders into a config the target Alertmanager accepts; a channel or
field the target version does not know is a located error naming the version it needs; secrets
are only ever file paths."""

import pytest
import yaml

from stackgen.spec import SpecErrors, load_stack
from tests.helpers import MINIMAL, render_files, require_tool, run_tool, write

CHANNELS_025 = """\
  - name: slack
    type: slack
    api_url_file: /secrets/slack
    channel: "#alerts"
  - name: pager
    type: pagerduty
    routing_key_file: /secrets/pd
    url: https://events.eu.pagerduty.com/v2/enqueue
  - name: mail
    type: email
    to: [ops@example.com]
    from: am@example.com
    smarthost: smtp.example.com:587
    auth_username: am
    auth_password_file: /secrets/smtp
  - name: hook
    type: webhook
    url: http://hooks.internal/alerts
    bearer_token_file: /secrets/hook
  - name: genie
    type: opsgenie
    api_key_file: /secrets/opsgenie
    responders: [{type: team, name: data}]
"""
# Channels newer than 0.25, each with the version it needs.
NEWER_CHANNELS = [
    ("0.27", "  - name: teams\n    type: msteams\n    webhook_url_file: /secrets/teams\n"),
    ("0.26", "  - name: telegram\n    type: telegram\n    bot_token_file: /secrets/telegram\n"
             "    chat_id: -100123\n"),
    ("0.27", "  - name: discord\n    type: discord\n    webhook_url_file: /secrets/discord\n"),
    ("0.26", "  - name: hook-file\n    type: webhook\n    url_file: /secrets/hook-url\n"),
]  # fmt: skip
NEWER = "".join(block for _, block in NEWER_CHANNELS)


def spec_with(channels: str, version: str = "0.25") -> str:
    text = MINIMAL.replace("channels:\n", f'alertmanager:\n  version: "{version}"\nchannels:\n')
    return text.replace("  - name: ops\n", channels + "  - name: ops\n")


def errors_of(tmp_path, text: str) -> list[str]:
    with pytest.raises(SpecErrors) as caught:
        load_stack(write(tmp_path, "spec.yml", text))
    return [str(e) for e in caught.value.errors]


@pytest.mark.tools
def test_every_channel_the_machines_alertmanager_knows_passes_amtool(tmp_path):
    files = render_files(load_stack(write(tmp_path, "spec.yml", spec_with(CHANNELS_025))))
    config = tmp_path / "alertmanager.yml"
    config.write_bytes(files["alertmanager/alertmanager.yml"])
    result = run_tool("amtool", "check-config", str(config))
    assert result.returncode == 0, result.stdout + result.stderr
    receivers = {r["name"]: r for r in yaml.safe_load(config.read_text())["receivers"]}
    assert receivers["genie"]["opsgenie_configs"][0]["api_key_file"] == "/secrets/opsgenie"
    assert receivers["pager"]["pagerduty_configs"][0]["url"].startswith("https://events.eu")


def test_a_teams_channel_on_alertmanager_025_names_the_version_it_needs(tmp_path):
    teams = "  - name: teams\n    type: msteams\n    webhook_url_file: /secrets/teams\n"
    (error,) = errors_of(tmp_path, spec_with(teams))
    assert error.startswith(f"{tmp_path / 'spec.yml'}:") and "channels[teams].type:" in error
    assert "`msteams_configs` (Alertmanager 0.26)" in error
    assert "`webhook_url_file` (Alertmanager 0.27)" in error
    assert 'set `alertmanager.version: "0.27"`' in error


@pytest.mark.parametrize(
    ("channel", "needs"),
    [
        ("  - name: t\n    type: telegram\n    bot_token_file: /s\n    chat_id: 1\n", "0.26"),
        ("  - name: d\n    type: discord\n    webhook_url_file: /s\n", "0.27"),
        ("  - name: w\n    type: webhook\n    url_file: /s\n", "0.26"),
    ],
)
def test_fields_newer_than_the_target_are_errors(tmp_path, channel, needs):
    (error,) = errors_of(tmp_path, spec_with(channel))
    assert f"(Alertmanager {needs})" in error


def test_the_newer_channels_render_for_a_newer_target(tmp_path):
    stack = load_stack(write(tmp_path, "spec.yml", spec_with(NEWER, "0.27")))
    config = yaml.safe_load(render_files(stack)["alertmanager/alertmanager.yml"])
    receivers = {r["name"]: r for r in config["receivers"]}
    assert receivers["teams"]["msteams_configs"][0]["webhook_url_file"] == "/secrets/teams"
    assert receivers["telegram"]["telegram_configs"][0]["chat_id"] == -100123
    assert receivers["discord"]["discord_configs"][0]["webhook_url_file"] == "/secrets/discord"
    assert receivers["hook-file"]["webhook_configs"][0]["url_file"] == "/secrets/hook-url"


def test_a_webhook_needs_exactly_one_address(tmp_path):
    both = "  - name: w\n    type: webhook\n    url: http://a/b\n    url_file: /s\n"
    (error,) = errors_of(tmp_path, spec_with(both))
    assert "give exactly one of `url` and `url_file`" in error


def test_no_secret_is_written_only_its_file(tmp_path):
    files = render_files(load_stack(write(tmp_path, "spec.yml", spec_with(CHANNELS_025))))
    config = files["alertmanager/alertmanager.yml"].decode()
    for key in ("api_url:", "routing_key:", "auth_password:", "api_key:", "bot_token:"):
        assert f" {key} " not in config


def test_msteams_on_the_machines_alertmanager_is_refused_by_amtool_too(tmp_path):
    """The version table agrees with the real 0.25: it does not know msteams_configs."""
    require_tool("amtool")
    config = write(tmp_path, "am.yml", """\
        route: {receiver: t}
        receivers: [{name: t, msteams_configs: [{webhook_url: "http://x"}]}]
        """)  # fmt: skip
    assert run_tool("amtool", "check-config", str(config)).returncode != 0


@pytest.mark.tools
def test_the_render_for_the_machines_alertmanager_version_passes_its_amtool(tmp_path):
    """Each version the spec allows is checked where the machine has it (here: Debian's)."""
    import re

    from stackgen.alertmanager.versions import version_key
    from stackgen.spec.model import AlertmanagerServer

    output = run_tool("amtool", "--version")
    machine = re.search(r"version (\d+\.\d+)", output.stdout + output.stderr).group(1)
    allowed = AlertmanagerServer.model_fields["version"].annotation.__args__
    assert machine in allowed
    channels = CHANNELS_025 + "".join(
        block for needs, block in NEWER_CHANNELS if version_key(needs) <= version_key(machine)
    )
    stack = load_stack(write(tmp_path, "spec.yml", spec_with(channels, machine)))
    config = tmp_path / "alertmanager.yml"
    config.write_bytes(render_files(stack)["alertmanager/alertmanager.yml"])
    result = run_tool("amtool", "check-config", str(config))
    assert result.returncode == 0, result.stdout + result.stderr
