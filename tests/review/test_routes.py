"""`stackgen routes show|test`: the routing tree of a spec, and where an alert goes at a given
time with other alerts firing: time intervals and inhibition applied, unlike `amtool config
routes test`."""

from pathlib import Path

import yaml
from typer.testing import CliRunner

from stackgen.alertmanager.routing import deliveries
from stackgen.cli import app
from stackgen.common.layout import ALERTMANAGER_CONFIG
from stackgen.render import engine
from stackgen.review.routes import alertmanager_document
from stackgen.spec import load_stack
from tests.helpers import SPECS, counting, render_files


def routes(*args: str):
    return CliRunner().invoke(app, ["routes", *args])


def receivers(result) -> str:
    assert result.exit_code == 0, result.output
    return result.stdout.splitlines()[-1]


DB_PAGE = ["test", str(SPECS), "alertname=ConnectionPoolExhausted", "service=aion-postgres"]


def test_show_prints_the_tree_with_intervals():
    result = routes("show", str(SPECS))
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0].startswith("(root)  receiver: email-ops")
    assert any(
        'service="aion-postgres"' in line and "muted during: db-maintenance" in line
        for line in lines
    )
    assert any("active during: business-hours" in line for line in lines)


def test_the_answer_differs_inside_and_outside_the_maintenance_window():
    inside = routes(*DB_PAGE, "--at", "2026-12-05T03:00+01:00")
    outside = routes(*DB_PAGE, "--at", "2026-12-05T07:00+01:00")
    assert receivers(inside) == "receivers: data-chatops"
    assert "pagerduty-oncall  muted during `db-maintenance`" in inside.stdout
    assert receivers(outside) == "receivers: pagerduty-oncall, data-chatops"
    # 03:00 in Berlin is 02:00 UTC: the window's own time zone decides
    assert receivers(routes(*DB_PAGE, "--at", "2026-12-05T02:30")) == "receivers: data-chatops"


def test_business_hours_decide_the_info_route():
    info = ["test", "alertname=HighRequestRate", "service=aion-web-api"]
    assert receivers(routes(*info, "--at", "2026-12-07T10:00+01:00")) == "receivers: email-ops"
    assert receivers(routes(*info, "--at", "2026-12-06T10:00+01:00")) == "receivers: (none)"


def test_an_alert_inhibited_by_a_firing_one_reaches_nobody():
    latency = ["test", "alertname=HighAPILatency", "service=aion-web-api"]
    assert receivers(routes(*latency)) == "receivers: slack-alerts"
    down = routes(*latency, "--firing", "ServiceDown")
    assert receivers(down) == "receivers: (none)"
    assert "slack-alerts  inhibited by ServiceDown" in down.stdout
    # ServiceDown of another service silences nothing here
    other = routes(*latency, "--firing", "alertname=ServiceDown,service=aion-postgres")
    assert receivers(other) == "receivers: slack-alerts"


def test_labels_that_pick_out_one_alert_are_completed():
    result = routes("test", "alertname=SlowInference")
    assert "(labels of the stack's alert SlowInference of aion-ai-engine)" in result.stdout
    assert receivers(result) == "receivers: slack-ai"


def test_bad_arguments_are_usage_errors():
    assert routes("test", "severity").exit_code == 2
    assert routes("test", "severity=info", "--at", "tomorrow").exit_code == 2
    assert routes("test", "severity=info", "--firing", "alertname=X,oops").exit_code == 2
    assert routes("test", str(Path("nowhere")), "a=b").exit_code == 2


CONFIG = {
    "route": {
        "receiver": "default",
        "routes": [{"receiver": "pager", "matchers": ['severity="critical"']}],
    },
    "inhibit_rules": [
        {
            "source_matchers": ['severity="critical"'],
            "target_matchers": ['severity=~"critical|warning"'],
            "equal": ["service"],
        }
    ],
}


def test_an_alert_matching_both_sides_is_not_silenced_by_another_that_does():
    """Alertmanager's rule: two critical alerts of one service do not silence each other."""
    critical = {"severity": "critical", "service": "api", "alertname": "A"}
    other = {"severity": "critical", "service": "api", "alertname": "B"}
    assert [d.sent for d in deliveries(CONFIG, critical, firing=[other])] == [True]
    warning = {"severity": "warning", "service": "api", "alertname": "C"}
    assert [d.sent for d in deliveries(CONFIG, warning, firing=[other])] == [False]
    elsewhere = {**other, "service": "web"}
    assert [d.sent for d in deliveries(CONFIG, warning, firing=[elsewhere])] == [True]


def test_the_routes_render_only_the_alertmanager_file(monkeypatch):
    stack = load_stack(SPECS)
    expected = yaml.safe_load(render_files(stack)[ALERTMANAGER_CONFIG])
    calls = counting(monkeypatch, engine, "render_artifact")
    assert alertmanager_document(stack) == expected
    assert [artifact.path for artifact, *_ in calls] == [ALERTMANAGER_CONFIG]


MUTE_ALL = """\
stack: {name: demo}
services:
  - {name: checkout, team: web, kind: http, targets: {static: ["checkout:8080"]}}
channels:
  - {name: ops, type: webhook, url: "http://hooks.internal/ops"}
  - {name: pager, type: webhook, url: "http://hooks.internal/pager"}
routing:
  default_channel: ops
  mute_time_intervals: [maintenance]
  time_intervals:
    - name: maintenance
      time_intervals: [{weekdays: [sunday], times: [{start_time: "02:00", end_time: "04:00"}]}]
  routes:
    - {channel: pager, severity: critical, service: [checkout, search]}
"""


def test_routing_wide_mute_silences_every_route_the_default_included(tmp_path):
    spec = tmp_path / "spec.yml"
    spec.write_text(MUTE_ALL.replace(", search]", "]"))
    page = ["test", str(spec), "alertname=ServiceDown", "service=checkout"]
    other = ["test", str(spec), "alertname=Other", "severity=warning"]
    inside, outside = "--at=2026-12-06T03:00", "--at=2026-12-06T05:00"  # a Sunday
    assert receivers(routes(*page, inside)) == "receivers: (none)"
    assert "pager  muted during `maintenance`" in routes(*page, inside).stdout
    assert receivers(routes(*page, outside)) == "receivers: pager"
    assert receivers(routes(*other, inside)) == "receivers: (none)"
    assert "ops  muted during `maintenance`" in routes(*other, inside).stdout
    assert receivers(routes(*other, outside)) == "receivers: ops"
    assert receivers(routes(*page)) == "receivers: pager"  # the same receivers as unmuted
