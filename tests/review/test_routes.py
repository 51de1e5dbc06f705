"""`stackgen routes show|test`: the routing tree of a spec, and where an alert goes at a given
time with other alerts firing: time intervals and inhibition applied, unlike `amtool config
routes test`."""

import shutil
from pathlib import Path

import pytest
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


DB_PAGE = ["alertname=DatabaseConnectionPoolExhausted", "service=postgres-exporter"]

# The example has no time intervals (the hand-built stack had none): these are planted into a
# copy of it, as an SRE would add them. The database upgrade mutes the database's pages, and an
# info route reaches the devops mailbox only in business hours.
TIME_INTERVALS = """\
  time_intervals:
    - name: business-hours
      time_intervals:
        - weekdays: [monday:friday]
          times: [{start_time: "09:00", end_time: "18:00"}]
          location: Europe/Berlin
    - name: db-maintenance
      time_intervals:
        - years: ["2026"]
          months: [december]
          days_of_month: ["5"]
          times: [{start_time: "02:00", end_time: "06:00"}]
          location: Europe/Berlin
"""
PAGER_ROUTE = "    - {severity: [critical], channel: pagerduty-oncall, group_wait: 0s, repeat_interval: 5m, continue: true}\n"
MUTED_PAGER_ROUTE = PAGER_ROUTE.replace(
    "continue: true}",
    "continue: true, routes: [{service: postgres-exporter, channel: pagerduty-oncall,"
    " mute_time_intervals: [db-maintenance]}]}",
)
INFO_ROUTE = (
    "    - {severity: [info], channel: email-devops, active_time_intervals: [business-hours]}\n"
)
LAST_ROUTE = (
    "    - {match: {component: sla}, channel: slack-sla, group_wait: 0s, repeat_interval: 1h}\n"
)


@pytest.fixture
def timed(tmp_path: Path) -> str:
    """A copy of the example with the maintenance window and business hours planted."""
    specs = tmp_path / "specs"
    shutil.copytree(SPECS, specs)
    routing = specs / "routing.yml"
    text = routing.read_text(encoding="utf-8")
    for old, new in [
        ("  repeat_interval: 12h\n", "  repeat_interval: 12h\n" + TIME_INTERVALS),
        (PAGER_ROUTE, MUTED_PAGER_ROUTE),
        (LAST_ROUTE, LAST_ROUTE + INFO_ROUTE),
    ]:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    routing.write_text(text, encoding="utf-8")
    return str(specs)


def test_show_prints_the_tree_with_intervals(timed: str):
    result = routes("show", timed)
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0].startswith("(root)  receiver: slack-alerts")
    assert any(
        'service="postgres-exporter"' in line and "muted during: db-maintenance" in line
        for line in lines
    )
    assert any("active during: business-hours" in line for line in lines)


def test_the_answer_differs_inside_and_outside_the_maintenance_window(timed: str):
    inside = routes("test", timed, *DB_PAGE, "--at", "2026-12-05T03:00+01:00")
    outside = routes("test", timed, *DB_PAGE, "--at", "2026-12-05T07:00+01:00")
    teams = "email-oncall, slack-critical, email-database, slack-database"
    assert receivers(inside) == f"receivers: {teams}"
    assert "pagerduty-oncall  muted during `db-maintenance`" in inside.stdout
    assert receivers(outside) == f"receivers: pagerduty-oncall, {teams}"
    # 03:00 in Berlin is 02:00 UTC: the window's own time zone decides
    at_utc = routes("test", timed, *DB_PAGE, "--at", "2026-12-05T02:30")
    assert receivers(at_utc) == f"receivers: {teams}"


def test_business_hours_decide_the_info_route(timed: str):
    info = ["test", timed, "alertname=HighRequestRate", "service=aion-web-api", "severity=info"]
    assert receivers(routes(*info, "--at", "2026-12-07T10:00+01:00")) == "receivers: email-devops"
    assert receivers(routes(*info, "--at", "2026-12-06T10:00+01:00")) == "receivers: (none)"


def test_an_alert_inhibited_by_a_firing_one_reaches_nobody():
    latency = ["test", "alertname=HighAPILatency", "service=aion-web-api"]
    assert receivers(routes(*latency)) == "receivers: email-devops, slack-warnings"
    down = routes(*latency, "--firing", "ServiceDown")
    assert receivers(down) == "receivers: (none)"
    assert "email-devops    inhibited by ServiceDown" in down.stdout
    assert "slack-warnings  inhibited by ServiceDown" in down.stdout
    # ServiceDown of another service silences nothing here
    other = routes(*latency, "--firing", "alertname=ServiceDown,service=postgres-exporter")
    assert receivers(other) == "receivers: email-devops, slack-warnings"


def test_labels_that_pick_out_one_alert_are_completed():
    result = routes("test", "alertname=SlowAIInference")
    assert "(labels of the stack's alert SlowAIInference of aion-web-api)" in result.stdout
    assert receivers(result) == "receivers: email-devops, slack-warnings, email-ai, slack-ai"


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
