"""`stackgen lint OUT` on a rendered stack checks its files against each other: every alert
reaches a route, routing names labels alerts carry, receivers are used, no route is shadowed,
timings make sense, and dashboards query what the rules record over $__rate_interval. Each
check trips on a copy of the example broken its way, and the example itself is clean."""

import json
import shutil
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from stackgen.cli import app
from stackgen.lint import lint
from stackgen.spec import load_stack
from tests.helpers import MINIMAL, OUT, PASSWORD_REMINDER, SPECS, without_reminder, write

ALERTMANAGER = Path("alertmanager") / "alertmanager.yml"
DASHBOARD = Path("grafana") / "dashboards" / "platform" / "aion-web-api.json"


@pytest.fixture
def stack(tmp_path) -> Path:
    copy = tmp_path / "out"
    shutil.copytree(OUT, copy)
    return copy


def edit_routing(stack: Path, change) -> None:
    path = stack / ALERTMANAGER
    config = yaml.safe_load(path.read_text())
    change(config)
    path.write_text(yaml.safe_dump(config, sort_keys=False))


def findings(stack: Path) -> list:
    return without_reminder(lint([stack]))


def checks(stack: Path, prefix: str = "") -> list[tuple[str, str]]:
    return [(f.check, f.message) for f in findings(stack) if f.check.startswith(prefix)]


def test_the_example_is_clean(stack):
    # with its spec's lint settings, as `stackgen lint` reads them in the repository
    assert lint([stack], config=load_stack(SPECS).lint) == []
    # without them, the one check the spec turns off reminds of its password files
    (reminder,) = lint([stack])
    assert (reminder.check, reminder.file) == (PASSWORD_REMINDER, str(stack / ALERTMANAGER))
    assert "smtp-password (read by 5 email configs)" in reminder.message


def test_an_alert_only_the_default_receiver_gets_is_reported(stack):
    # The example routes every severity it uses; an info alert (component=api, which no team
    # route takes) reaches only the default receiver.
    rules = stack / "prometheus" / "rules" / "aion-web-api.yml"
    text = rules.read_text()
    at = text.index("- alert: HighRequestRate")
    warning = text.index("severity: warning", at)
    rules.write_text(text[:warning] + "severity: info" + text[warning + len("severity: warning") :])
    found = findings(stack)
    (finding,) = [f for f in found if f.check == "route/unrouted"]
    assert finding.file.endswith("rules/aion-web-api.yml") and finding.line > 1
    assert "`HighRequestRate`" in finding.message and "`slack-alerts`" in finding.message


def test_an_alert_whose_labels_may_match_a_route_is_not_reported(tmp_path):
    """`team` comes from the series here: a route on it may well catch the alert."""
    rules = tmp_path / "prometheus" / "rules.yml"
    write(tmp_path, "prometheus/prometheus.yml", "rule_files: [rules.yml]\n")
    alert = {"alert": "Down", "expr": "up == 0", "labels": {"severity": "info"}}
    write(
        tmp_path,
        "prometheus/rules.yml",
        yaml.safe_dump({"groups": [{"name": "g", "rules": [alert]}]}),
    )
    write(tmp_path, "alertmanager/alertmanager.yml", """\
        route:
          receiver: default
          routes:
            - {receiver: web, matchers: [team="web"]}
        receivers: [{name: default}, {name: web}]
        """)  # fmt: skip
    assert "route/unrouted" not in [f.check for f in lint([tmp_path])]
    alert["expr"] = "sum by (job) (up) == 0"  # now the query drops `team`
    rules.write_text(yaml.safe_dump({"groups": [{"name": "g", "rules": [alert]}]}))
    assert "route/unrouted" in [f.check for f in lint([tmp_path])]


def test_a_spec_change_that_leaves_an_alert_unrouted_is_reported(tmp_path):
    """Render warns (the spec's routing is its author's choice) and lint reports it."""
    routes = "  routes:\n    - severity: [critical]\n      channel: ops\n"
    spec = write(tmp_path, "spec.yml", MINIMAL + routes)
    out = tmp_path / "out"
    rendered = CliRunner().invoke(app, ["render", str(spec), "-o", str(out), "--no-tools"])
    assert rendered.exit_code == 0, rendered.output
    assert "lint: " in rendered.stderr and "[route/unrouted]" in rendered.stderr
    assert str(out / "prometheus" / "rules") in rendered.stderr  # where it was written
    linted = CliRunner().invoke(app, ["lint", str(out), "--fail-on", "warning"])
    assert linted.exit_code == 1 and "route/unrouted" in linted.stdout


def test_an_alert_left_to_the_default_is_reported_under_routing_wide_intervals(tmp_path):
    """Routing-wide time intervals put one matcher-less route in the root's place: an alert
    that reaches only it still goes to the default receiver alone."""
    routing = (
        "  mute_time_intervals: [maintenance]\n"
        "  time_intervals:\n"
        "    - name: maintenance\n"
        "      time_intervals: [{weekdays: [sunday]}]\n"
        "  routes:\n    - severity: [critical]\n      channel: ops\n"
    )
    spec = write(tmp_path, "spec.yml", MINIMAL + routing)
    out = tmp_path / "out"
    rendered = CliRunner().invoke(app, ["render", str(spec), "-o", str(out), "--no-tools"])
    assert rendered.exit_code == 0, rendered.output
    assert "[route/unrouted]" in rendered.stderr
    assert "`InstanceDown`" in rendered.stderr or "InstanceDown" in rendered.stderr


def test_route_labels_no_alert_carries_are_reported(stack):
    def misspell(config):
        config["route"]["routes"][1]["matchers"] = ['taem="ml"']
        config["route"]["group_by"] = ["alertname", "servcie"]
        config["inhibit_rules"][0]["equal"] = ["stack", "enviroment", "service"]

    edit_routing(stack, misspell)
    named = sorted(m.split("`")[1] for _, m in checks(stack, "route/unknown-label"))
    assert named == ["enviroment", "servcie", "taem"]


def test_unused_receivers_are_reported(stack):
    edit_routing(stack, lambda config: config["receivers"].append({"name": "forgotten"}))
    assert checks(stack, "receiver/unused") == [
        ("receiver/unused", "no route sends to receiver `forgotten`")
    ]


def test_a_route_after_a_broader_one_without_continue_is_shadowed(stack):
    def shadow(config):
        routes = config["route"]["routes"]
        assert "continue" not in routes[-1] and routes[-1]["matchers"] == ['component="sla"']
        routes.append(
            {"receiver": "slack-ai", "matchers": ['component="sla"', 'severity="critical"']}
        )

    edit_routing(stack, shadow)  # after component="sla", the last route, without continue
    ((_, message),) = checks(stack, "route/shadowed")
    assert 'component="sla"' in message and "no `continue: true`" in message


def test_a_regex_route_shadows_an_equal_match_it_covers(stack):
    def shadow(config):
        routes = config["route"]["routes"]
        routes.append({"receiver": "slack-warnings", "matchers": ['severity=~"critical|warning"']})
        routes.append({"receiver": "slack-ai", "matchers": ['severity="warning"']})

    edit_routing(stack, shadow)  # after severity=~"critical|warning" without continue
    assert [c for c, _ in checks(stack, "route/shadowed")] == ["route/shadowed"]


def test_a_continue_route_shadows_nothing(stack):
    def follow(config):
        routes = config["route"]["routes"]
        pages = [i for i, r in enumerate(routes) if r["matchers"] == ['severity="critical"']]
        assert routes[pages[-1]]["continue"]
        routes.insert(pages[-1] + 1, {"receiver": "slack-ai", "matchers": ['severity="critical"']})

    edit_routing(stack, follow)  # after the last severity="critical", with continue: true
    assert checks(stack, "route/shadowed") == []


def test_a_repeat_interval_shorter_than_the_group_interval_is_reported(stack):
    def repeat_often(config):
        pages = next(
            r for r in config["route"]["routes"] if r["matchers"] == ['severity="critical"']
        )
        pages["repeat_interval"] = "5s"

    edit_routing(stack, repeat_often)
    ((_, message),) = checks(stack, "route/repeat-interval")
    assert message.startswith("repeat_interval 5s is shorter than group_interval 10s")


def _edit_dashboard(stack: Path, expr: str) -> None:
    path = stack / DASHBOARD
    dashboard = json.loads(path.read_text())
    panel = next(p for p in dashboard["panels"] if p.get("targets"))
    panel["targets"][0]["expr"] = expr
    path.write_text(json.dumps(dashboard, indent=2))


@pytest.mark.parametrize(
    ("expr", "check"),
    [
        ('sum(rate(http_requests_total{job="$job"}[5m]))', "dashboard/rate-interval"),
        ("job:http_requests:rate1h", "record/undefined"),
        ("sum(rate(http_requests_total[$__rate_interval]", "promql/syntax"),
    ],
)
def test_dashboard_queries_are_checked(stack, expr, check):
    _edit_dashboard(stack, expr)
    (finding,) = findings(stack)
    assert finding.check == check and finding.file.endswith("aion-web-api.json")
    assert finding.line > 1


@pytest.mark.parametrize(
    "expr",
    [
        'sum(rate(http_requests_total{job="$job"}[$__rate_interval]))',
        "sum(increase(http_requests_total[${__range}]))",
        'sum by ($group) (rate(http_requests_total{job=~"${job:regex}"}[$__rate_interval]))',
        "job:http_requests:rate5m",
    ],
)
def test_dashboard_queries_with_grafana_variables_are_fine(stack, expr):
    _edit_dashboard(stack, expr)
    assert findings(stack) == []


def test_a_comment_in_alertmanager_yml_silences_a_finding_on_its_line(stack):
    path = stack / ALERTMANAGER
    text = path.read_text()
    assert text.count("repeat_interval: 12h") == 1  # the root's
    path.write_text(text.replace("repeat_interval: 12h", "repeat_interval: 5s"))
    assert [c for c, _ in checks(stack, "route/")] == ["route/repeat-interval"]
    path.write_text(
        text.replace(
            "repeat_interval: 12h",
            "repeat_interval: 5s  # stackgen-lint disable=route/repeat-interval",
        )
    )
    assert checks(stack, "route/") == []


@pytest.mark.parametrize(
    "broken",
    [
        "receivers: [x]\n",
        "inhibit_rules: [null]\n",
        "route: {receiver: a, routes: [{receiver: b, match: [x], match_re: 3, matchers: 'team=\"ml\"'}]}\n",
        "route: {receiver: a, group_by: alertname, routes: [null, 3]}\n",
        "route: [1, 2]\n",
    ],
)
def test_a_malformed_alertmanager_yml_is_linted_without_a_crash(stack, broken):
    """amtool check-config reports what is malformed; lint goes on with what it can read."""
    path = stack / ALERTMANAGER
    config = yaml.safe_load(path.read_text())
    config.update(yaml.safe_load(broken))
    path.write_text(yaml.safe_dump(config))
    prometheus = stack / "prometheus/prometheus.yml"
    settings = yaml.safe_load(prometheus.read_text())
    settings["scrape_configs"] += [
        {"job_name": "odd", "static_configs": [None], "relabel_configs": ["x"]},
        3,
    ]
    prometheus.write_text(yaml.safe_dump(settings))
    result = CliRunner().invoke(app, ["lint", str(stack)])
    assert result.exit_code in (0, 1), result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
