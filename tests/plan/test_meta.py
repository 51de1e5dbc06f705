"""Meta-monitoring: the stack's own alerts with the upstream mixins' thresholds, the Watchdog
and its route, and promtool proofs that each alert fires."""

from __future__ import annotations

import pytest

from stackgen.packs.meta import META_ALERTS
from stackgen.plan.alertmanager import root_route
from stackgen.plan.memo import planning
from stackgen.plan.meta import WATCHDOG, meta_alerts, meta_routes, meta_tests
from stackgen.plan.routing import routing_matrix
from tests.helpers import MINIMAL_WITH_META as MINIMAL
from tests.helpers import render_files, run_tool, stack_from

WITH_WATCHDOG = MINIMAL + "meta_monitoring: {team: sre, watchdog_channel: ops}\n"


def test_on_by_default_without_watchdog_and_off_on_request(tmp_path):
    with planning():
        names = [a.name for a in meta_alerts(stack_from(tmp_path, MINIMAL))]
    assert "AlertmanagerFailedToSendAlerts" in names and WATCHDOG not in names
    # remote_write alerts only with remote_write configured
    assert "PrometheusRemoteWriteBehind" not in names
    with planning():
        off = stack_from(tmp_path, MINIMAL + "meta_monitoring: {enabled: false}\n")
        assert meta_alerts(off) == []
        assert "prometheus/rules/meta-monitoring.yml" not in render_files(off)


def test_mixin_thresholds_where_the_mixins_have_the_alert():
    """The values of prometheus-mixin and alertmanager-mixin (alerts.libsonnet upstream)."""
    upstream = {
        "PrometheusBadConfig": ("critical", "10m", "== 0"),
        "PrometheusNotConnectedToAlertmanagers": ("warning", "10m", "< 1"),
        "PrometheusErrorSendingAlertsToAnyAlertmanager": ("critical", "15m", "> 3"),
        "PrometheusRuleFailures": ("critical", "15m", "> 0"),
        "PrometheusMissingRuleEvaluations": ("warning", "15m", "> 0"),
        "PrometheusTSDBCompactionsFailing": ("warning", "4h", "> 0"),
        "PrometheusRemoteWriteBehind": ("critical", "15m", "> 120"),
        "AlertmanagerFailedReload": ("critical", "10m", "== 0"),
        "AlertmanagerFailedToSendAlerts": ("warning", "5m", "> 0.01"),
    }
    by_name = {a.name: a for a in META_ALERTS}
    for name, (severity, for_, comparison) in upstream.items():
        alert = by_name[name]
        assert alert.source.endswith("-mixin"), name
        assert (alert.severity, alert.for_) == (severity, for_), name
        assert alert.expr.endswith(comparison), name


def test_the_watchdog_goes_to_its_channel_first_and_alone(tmp_path):
    stack = stack_from(tmp_path, WITH_WATCHDOG)
    with planning():
        (route,) = meta_routes(stack)
        watchdog = next(a for a in meta_alerts(stack) if a.name == WATCHDOG)
        tree = root_route(stack.routing, meta_routes(stack))
        matrix = routing_matrix(stack)
    assert watchdog.expr == "vector(1)" and watchdog.labels["team"] == "sre"
    assert tree["routes"][0] == route
    assert route["receiver"] == "ops" and route["repeat_interval"] == "5m"
    assert route["group_interval"] == "1m"  # ticks at 5m would send it every 10m
    entry = next(e for e in matrix["alerts"] if e["labels"]["alertname"] == WATCHDOG)
    assert entry["receivers"] == ["ops"]


def test_a_watchdog_channel_that_does_not_exist_is_refused(tmp_path):
    from stackgen.spec.errors import SpecErrors

    with pytest.raises(SpecErrors, match=r"meta_monitoring\.watchdog_channel: no channel is named"):
        stack_from(tmp_path, MINIMAL + "meta_monitoring: {watchdog_channel: nobody}\n")


def test_each_meta_proof_bounds_when_the_alert_fires_and_resolves(tmp_path):
    """PrometheusBadConfig: the reload fails from 15m; the 5m window holds the last success
    (14m) until 19m, so the condition holds from 20m and the alert fires `for` (10m) later, at
    30m, not at 29m; silent before its onset; succeeded again at 36m, it resolves then."""
    definitions = {d.name: d for d in META_ALERTS}
    with planning():
        alerts = {a.name: a for a in meta_alerts(stack_from(tmp_path, WITH_WATCHDOG))}
    (test,) = meta_tests(alerts["PrometheusBadConfig"], definitions["PrometheusBadConfig"])
    checks = [(c["eval_time"], bool(c["exp_alerts"])) for c in test["alert_rule_test"]]
    assert checks == [("19m", False), ("29m", False), ("30m", True), ("35m", True), ("36m", False)]
    # a threshold the input could pass either way gets a silent input: 2.7% of failed sends
    # against the 3% threshold leaves it silent whenever 3.3% fires it
    fire, silent = meta_tests(
        alerts["PrometheusErrorSendingAlertsToAnyAlertmanager"],
        definitions["PrometheusErrorSendingAlertsToAnyAlertmanager"],
    )
    times = [c["eval_time"] for c in fire["alert_rule_test"]]
    assert [c["eval_time"] for c in silent["alert_rule_test"]] == times
    assert not any(c["exp_alerts"] for c in silent["alert_rule_test"])
    # the Watchdog fires at once (its `for` is 0)
    (watchdog,) = meta_tests(alerts[WATCHDOG], None)
    assert [c["eval_time"] for c in watchdog["alert_rule_test"]] == ["0s"]


@pytest.mark.tools
def test_promtool_proves_every_meta_alert_fires(tmp_path):
    files = render_files(stack_from(tmp_path, WITH_WATCHDOG))
    out = tmp_path / "out"
    for path, data in files.items():
        (out / path).parent.mkdir(parents=True, exist_ok=True)
        (out / path).write_bytes(data)
    result = run_tool(
        "promtool", "test", "rules", str(out / "prometheus/tests/meta-monitoring.yml")
    )
    assert result.returncode == 0, result.stdout + result.stderr
