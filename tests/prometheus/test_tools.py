"""The rendered stack passes the real promtool and amtool, and the shared Grafana schemas."""

import json
import re
from pathlib import Path

import pytest

from tests.helpers import dashboard_errors, render_into, require_tool, run_tool, write

pytestmark = pytest.mark.tools


def check_with_tools(out: Path) -> None:
    config = run_tool("promtool", "check", "config", str(out / "prometheus/prometheus.yml"))
    assert config.returncode == 0, config.stdout + config.stderr
    rule_files = sorted(str(p) for p in (out / "prometheus/rules").glob("*.yml"))
    rules = run_tool("promtool", "check", "rules", *rule_files)
    assert rules.returncode == 0, rules.stdout + rules.stderr
    routing = run_tool("amtool", "check-config", str(out / "alertmanager/alertmanager.yml"))
    assert routing.returncode == 0, routing.stdout + routing.stderr


def test_example_passes_promtool_and_amtool(example_out):
    check_with_tools(example_out)


def test_example_promtool_reads_every_rule_file(example_out):
    result = run_tool("promtool", "check", "config", str(example_out / "prometheus/prometheus.yml"))
    assert "SUCCESS: 5 rule files found" in result.stdout  # 4 services', meta-monitoring.yml


def test_amtool_loads_the_notification_templates(example_out):
    result = run_tool("amtool", "check-config", str(example_out / "alertmanager/alertmanager.yml"))
    assert " - 1 templates" in result.stdout
    assert "SUCCESS" in result.stdout


def test_amtool_routes_a_critical_api_alert_to_pagerduty_email_and_slack(example_out):
    result = run_tool(
        "amtool", "config", "routes", "test",
        "--config.file", str(example_out / "alertmanager/alertmanager.yml"),
        "--verify.receivers=pagerduty-oncall,email-oncall,slack-critical",
        "alertname=HighHTTPErrorRate", "severity=critical", "team=platform", "service=aion-web-api",
        "component=api",
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_example_dashboard_passes_the_grafana_schemas(example_out):
    dashboards = sorted((example_out / "grafana/dashboards").rglob("*.json"))
    # 4 services, the overview, the alerts, the SLOs of aion-web-api, the meta-monitoring
    assert len(dashboards) == 8
    for path in dashboards:
        assert dashboard_errors(json.loads(path.read_text())) == [], path


def test_the_init_spec_renders_a_stack_the_tools_accept(tmp_path):
    from typer.testing import CliRunner

    from stackgen.cli import app

    assert CliRunner().invoke(app, ["init", str(tmp_path / "spec")]).exit_code == 0
    out = render_into(tmp_path / "spec", tmp_path / "out")
    check_with_tools(out)


def test_file_sd_targets_and_a_scrape_interval_override_pass_promtool(tmp_path):
    # Kubernetes targets are not checked here: Debian's Prometheus 2.42 is built without
    # Kubernetes service discovery, so its promtool rejects every kubernetes_sd_configs.
    spec = write(
        tmp_path,
        "spec.yml",
        """\
        stack: {name: files}
        services:
          - name: hosts
            team: infra
            kind: node
            scrape_interval: 30s
            targets:
              file_sd: {files: [targets/*.json], refresh_interval: 1m}
        channels:
          - {name: ops, type: email, to: [ops@example.com], from: am@example.com, smarthost: "smtp:25"}
        routing: {default_channel: ops}
        """,
    )
    check_with_tools(render_into(spec, tmp_path / "out"))


NOTIFICATION_TEMPLATES = [
    "stackgen.title",
    "stackgen.summary",
    "stackgen.runbook",
    "stackgen.dashboard",
    "stackgen.slack.text",
    "stackgen.email.html",
    "stackgen.pagerduty.severity",
]


@pytest.mark.parametrize("name", NOTIFICATION_TEMPLATES)
def test_every_notification_template_renders_with_amtool(example_out, name):
    """amtool renders each named template against its sample alerts (which carry none of our
    labels): the templates execute, and degrade to no double spaces or empty markup."""
    result = run_tool(
        "amtool", "template", "render",
        f"--template.glob={example_out / 'alertmanager/templates/*.tmpl'}",
        f'--template.text={{{{ template "{name}" . }}}}',
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "  " not in result.stdout.strip()
    assert "**" not in result.stdout and "<b></b>" not in result.stdout


def test_every_template_the_config_calls_is_defined(example_out):
    config = (example_out / "alertmanager/alertmanager.yml").read_text()
    called = set(re.findall(r'template "([\w.]+)"', config))
    assert called == set(NOTIFICATION_TEMPLATES) - {"stackgen.alert.summary"}


def test_the_example_has_a_proof_file_per_service_and_step(example_out):
    """Each passes promtool: tests/plan/test_routing.py runs `stackgen test` on the example."""
    files = sorted((example_out / "prometheus/tests").glob("*.yml"))
    assert [f.name for f in files] == [
        "aion-web-api.recovery.yml",  # no page again after an outage ServiceDown paged
        "aion-web-api.step-1m.yml",  # its alerts and the SLOs' page tiers
        "aion-web-api.step-5m.yml",  # the SLOs' ticket tiers
        "meta-monitoring.yml",  # the stack's own
        "node-exporter.yml",
        "postgres-exporter.yml",
        "redis-exporter.yml",
    ]
    text = "".join(f.read_text() for f in files)
    proven = set(re.findall(r"^  # (\S+): ", text, re.MULTILINE))
    assert {"availability", "errors", "ServiceDown", "HighCPUUsage", "DiskSpaceLow"} <= proven


# 30d is the example's period: tests/plan/test_routing.py runs its proofs.
@pytest.mark.slow
@pytest.mark.parametrize("period", ["7d", "28d", "90d"])
def test_slos_of_any_period_render_pass_promtool_and_their_proofs_pass(tmp_path, period):
    spec = write(
        tmp_path,
        "spec.yml",
        f"""\
        stack: {{name: periods}}
        services:
          - name: api
            team: web
            kind: http
            targets: {{static: ["api:8080"]}}
            slos:
              - {{name: errors, objective: 99.5, period: {period}, sli: {{type: requests}}}}
              - {{name: fast, objective: 99, period: {period}, sli: {{type: latency, threshold: 0.3}}, group_by: [route]}}
        channels: [{{name: ops, type: webhook, url: "http://hooks/x"}}]
        routing: {{default_channel: ops}}
        """,
    )
    out = render_into(spec, tmp_path / "out")
    check_with_tools(out)
    proofs = sorted((out / "prometheus/tests").glob("*.yml"))
    text = "".join(p.read_text() for p in proofs)
    proven = set(re.findall(r"^  # (\S+): ", text, re.MULTILINE))
    assert {"errors", "fast"} <= proven
    assert "# unproven" not in text
    for path in proofs:
        result = run_tool("promtool", "test", "rules", str(path))
        assert result.returncode == 0, result.stdout + result.stderr


def test_a_notification_template_that_fails_at_send_time_fails_the_render(tmp_path):
    """Every template is rendered by amtool against sample alerts before it is written."""
    from stackgen.prometheus.tools import VerifyError, render_notification_templates

    require_tool("amtool")
    folder = tmp_path / "alertmanager" / "templates"
    folder.mkdir(parents=True)
    good = '{{ define "ok" }}{{ .CommonLabels.alertname }}{{ end }}\n'
    (folder / "a.tmpl").write_text(good)
    render_notification_templates(tmp_path)  # renders: no error
    (folder / "a.tmpl").write_text(good + '{{ define "broken" }}{{ .Alerts.Nope }}{{ end }}\n')
    with pytest.raises(VerifyError, match="failed on template `broken`"):
        render_notification_templates(tmp_path)


@pytest.mark.parametrize(
    ("severities", "status", "pagerduty", "opsgenie"),
    [
        (["warning", "critical"], "firing", "critical", "P1"),  # a page and its ticket
        (["warning", "info"], "firing", "warning", "P3"),
        (["info"], "firing", "info", "P5"),
        (["critical"], "resolved", "critical", "P1"),  # the resolution of a page
    ],
)
def test_pagerduty_and_opsgenie_take_the_highest_firing_severity(
    example_out, tmp_path, severities, status, pagerduty, opsgenie
):
    from stackgen.prometheus.tools import SAMPLE_NOTIFICATION

    alert = SAMPLE_NOTIFICATION["alerts"][0]
    data = {
        **SAMPLE_NOTIFICATION,
        "status": status,
        "alerts": [
            {**alert, "status": status, "labels": {**alert["labels"], "severity": s}}
            for s in severities
        ],
        "commonLabels": {"alertname": "HighHTTPErrorRate"},
    }
    (tmp_path / "data.json").write_text(json.dumps(data))
    for name, expected in (
        ("stackgen.pagerduty.severity", pagerduty),
        ("stackgen.opsgenie.priority", opsgenie),
    ):
        result = run_tool(
            "amtool", "template", "render",
            f"--template.glob={example_out / 'alertmanager/templates/*.tmpl'}",
            f'--template.text={{{{ template "{name}" . }}}}', f"--template.data={tmp_path / 'data.json'}",
        )  # fmt: skip
        assert result.stdout.strip() == expected, result.stdout + result.stderr
