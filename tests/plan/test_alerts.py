"""Alert resolution: pack defaults, spec overrides, clean thresholds, runbook links, SLO alerts."""

import re
import textwrap

import pytest

from stackgen.packs import alerts_for
from stackgen.plan.alerts import service_alerts, service_context, stack_alerts
from stackgen.plan.meta import META
from stackgen.spec import SpecErrors
from tests.helpers import MINIMAL, stack_from

# One service of every kind, with both SLO types, a custom alert and thresholds that turn into
# binary float noise when multiplied or subtracted (0.07 * 100, 100 - 99.7, 0.29 * 100).
EVERY_KIND = """\
stack:
  name: demo
services:
  - name: api
    team: web
    kind: http
    targets: {static: ["api:8080"]}
    alerts:
      HighHTTPErrorRate: {threshold: 0.07}
      HighAPILatency: {threshold: 0.3}
    slos:
      - {name: availability, objective: 99.7, sli: {type: uptime}}
      - {name: errors, objective: 99.95, sli: {type: requests}}
  - name: db
    team: data
    kind: database
    targets: {static: ["db:9187"]}
    alerts:
      ConnectionPoolExhausted: {threshold: 0.29}
  - name: model
    team: ml
    kind: ai-inference
    targets: {static: ["model:8000"]}
    slos:
      - {name: errors, objective: 99.3, sli: {type: requests}}
  - name: hosts
    team: platform
    kind: node
    targets: {static: ["host:9100"]}
    alerts:
      HighCPU: {threshold: 0.57}
  - name: exporter
    team: platform
    kind: custom
    targets: {static: ["exporter:9090"]}
    custom_alerts:
      - name: QueueBacklog
        expr: |
          sum(queue_depth{job="exporter"}) > 100
        summary: The queue is backing up
        description: |
          More than 100 items wait in the queue.
channels:
  - name: ops
    type: webhook
    url: http://hooks.internal/alerts
routing:
  default_channel: ops
"""

# Binary float noise such as 0.30000000000000004 or 28.999999999999996.
FLOAT_NOISE = re.compile(r"\.\d*(0{6,}[1-9]|9{6,})")


def with_service(extra: str, kind: str = "http") -> str:
    """MINIMAL with its service of `kind` and `extra` service keys (YAML at service level)."""
    text = MINIMAL.replace("kind: http", f"kind: {kind}")
    return text.replace(
        "      static: [api:8080]\n",
        "      static: [api:8080]\n"
        + textwrap.indent(textwrap.dedent(extra).rstrip("\n") + "\n", "    "),
    )


def alerts_of(tmp_path, text: str) -> dict:
    """The alerts of the spec's first service, by name."""
    stack = stack_from(tmp_path, text)
    return {a.name: a for a in service_alerts(stack, stack.services[0])}


@pytest.fixture(scope="module")
def every_kind(tmp_path_factory):
    return stack_from(tmp_path_factory.mktemp("every-kind"), EVERY_KIND)


@pytest.fixture(scope="module")
def all_alerts(every_kind):
    return stack_alerts(every_kind)


# --- every alert is complete ---------------------------------------------------------------------


def test_every_service_has_its_kinds_pack_alerts_plus_slo_and_custom_alerts(every_kind, all_alerts):
    names = {(a.service, a.name) for a in all_alerts}
    for service in every_kind.services:
        assert {(service.name, d.name) for d in alerts_for(service.kind)} <= names
    assert {
        ("api", "AvailabilityViolation"),
        ("api", "ErrorRateViolation"),
        ("model", "ErrorRateViolation"),
        ("exporter", "QueueBacklog"),
    } <= names


def test_every_alert_is_labelled_with_severity_team_and_service(every_kind, all_alerts):
    # the stack's own alerts (meta-monitoring, on by default) carry the team that runs it
    teams = {s.name: s.team for s in every_kind.services}
    teams[META] = every_kind.meta_monitoring.team
    for alert in all_alerts:
        assert alert.labels["severity"] in ("critical", "warning", "info"), alert.name
        assert alert.labels["team"] == teams[alert.service], alert.name
        assert alert.labels["service"] == alert.service, alert.name


def test_every_alert_has_summary_description_and_runbook_annotations(all_alerts):
    for alert in all_alerts:
        # and a dashboard link where the alert has a dashboard (the meta alerts' own)
        required = {"summary", "description", "runbook_url"}
        assert required <= set(alert.annotations) <= {*required, "dashboard_url"}, alert.name
        assert all(alert.annotations.values()), alert.name


def test_every_alert_waits_a_for_duration_before_firing(all_alerts):
    assert all(alert.for_ for alert in all_alerts)


def test_no_expression_or_description_carries_float_noise(all_alerts):
    for alert in all_alerts:
        assert not FLOAT_NOISE.search(alert.expr), alert.expr
        assert not FLOAT_NOISE.search(alert.description), alert.description


def test_every_alert_selects_only_its_own_service(all_alerts):
    # (the meta alerts select the stack's own jobs: tests/plan/test_meta.py)
    for alert in all_alerts:
        if alert.name != "QueueBacklog" and alert.service != META:
            own = (f'job="{alert.service}"', f'service="{alert.service}"')
            assert any(selector in alert.expr for selector in own), alert.name


# --- overrides -----------------------------------------------------------------------------------


def test_a_disabled_alert_is_absent(tmp_path):
    alerts = alerts_of(tmp_path, with_service("alerts: {HighRequestRate: {enabled: false}}"))
    assert "HighRequestRate" not in alerts
    assert {"ServiceDown", "HighHTTPErrorRate", "HighAPILatency"} <= set(alerts)


def test_a_threshold_override_reaches_the_expression(tmp_path):
    alerts = alerts_of(tmp_path, with_service("alerts: {HighAPILatency: {threshold: 0.3}}"))
    assert alerts["HighAPILatency"].expr.endswith(" > 0.3")
    assert alerts["HighAPILatency"].threshold == 0.3


def test_without_override_the_pack_threshold_applies(tmp_path):
    alerts = alerts_of(tmp_path, MINIMAL)
    assert alerts["HighHTTPErrorRate"].expr.endswith(" > 0.05")
    assert alerts["HighRequestRate"].expr.endswith(" > 1000")


def test_a_whole_number_threshold_is_written_without_a_decimal_point(tmp_path):
    alerts = alerts_of(tmp_path, with_service("alerts: {HighRequestRate: {threshold: 250}}"))
    assert alerts["HighRequestRate"].expr.endswith(" > 250")
    assert "more than 250 requests per second" in alerts["HighRequestRate"].description


def test_a_for_override_replaces_the_pack_default(tmp_path):
    alerts = alerts_of(tmp_path, with_service("alerts: {HighHTTPErrorRate: {for: 15m}}"))
    assert alerts["HighHTTPErrorRate"].for_ == "15m"
    assert alerts["HighAPILatency"].for_ == "10m"


def test_a_severity_override_replaces_the_severity_label(tmp_path):
    alerts = alerts_of(tmp_path, with_service("alerts: {HighRequestRate: {severity: info}}"))
    assert alerts["HighRequestRate"].labels["severity"] == "info"
    assert alerts["HighHTTPErrorRate"].labels["severity"] == "critical"


def test_override_labels_are_added_to_the_alert(tmp_path):
    alerts = alerts_of(tmp_path, with_service("alerts: {ServiceDown: {labels: {page: 'yes'}}}"))
    assert alerts["ServiceDown"].labels == {
        "severity": "critical",
        "team": "web",
        "service": "api",
        "page": "yes",
    }


@pytest.mark.parametrize(
    ("extra", "name"),
    [
        ("alerts: {ServiceDown: {labels: {service: other, team: nobody}}}", "ServiceDown"),
        (
            "custom_alerts: [{name: Custom, expr: up == 0, summary: s, description: d, "
            "labels: {service: other, team: nobody}}]",
            "Custom",
        ),
    ],
    ids=["pack-alert-override", "custom-alert"],
)
def test_alert_labels_cannot_reassign_an_alert_to_another_service_or_team(tmp_path, extra, name):
    """Routing and inhibition rely on these labels, so the spec is refused, naming each."""
    with pytest.raises(SpecErrors) as caught:
        alerts_of(tmp_path, with_service(extra))
    messages = [str(e) for e in caught.value.errors]
    assert len(messages) == 2
    assert all("is set by stackgen on every alert (routing relies on it)" in m for m in messages)


# --- threshold text ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("threshold", "text"), [(0.05, "5%"), (0.07, "7%"), (0.005, "0.5%"), (0.125, "12.5%")]
)
def test_a_ratio_threshold_is_described_as_a_clean_percentage(tmp_path, threshold, text):
    spec = with_service(f"alerts: {{HighHTTPErrorRate: {{threshold: {threshold}}}}}")
    description = alerts_of(tmp_path, spec)["HighHTTPErrorRate"].description
    assert description.startswith(f"More than {text} of requests to {{{{ $labels.job }}}}")


def test_a_ratio_threshold_stays_a_ratio_in_the_expression(tmp_path):
    alerts = alerts_of(tmp_path, with_service("alerts: {HighHTTPErrorRate: {threshold: 0.07}}"))
    assert alerts["HighHTTPErrorRate"].expr.endswith(" > 0.07")


def test_a_seconds_threshold_is_described_in_seconds(tmp_path):
    alerts = alerts_of(tmp_path, with_service("alerts: {HighAPILatency: {threshold: 0.3}}"))
    assert alerts["HighAPILatency"].description.endswith("is above 0.3s.")


def test_prometheus_templates_in_annotations_are_left_for_prometheus(tmp_path):
    alert = alerts_of(tmp_path, MINIMAL)["HighHTTPErrorRate"]
    assert alert.summary == (
        "{{ $labels.job }} answers {{ $value | humanizePercentage }} of requests with 5xx"
    )
    assert "${" not in alert.description


# --- rate ranges ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("interval", "rate_range"), [("15s", "5m"), ("1m", "5m"), ("90s", "6m"), ("2m", "8m")]
)
def test_the_rate_range_is_4x_the_scrape_interval_and_at_least_5m(tmp_path, interval, rate_range):
    stack = stack_from(tmp_path, MINIMAL + f"prometheus: {{scrape_interval: {interval}}}\n")
    assert service_context(stack, stack.services[0]).rate_range == rate_range


def test_a_service_scrape_interval_overrides_the_stack_one_for_its_rate_range(tmp_path):
    stack = stack_from(tmp_path, with_service("scrape_interval: 2m"))
    assert service_context(stack, stack.services[0]).rate_range == "8m"


def test_descriptions_name_the_rate_range_in_use(tmp_path):
    text = with_service("scrape_interval: 2m")
    description = alerts_of(tmp_path, text)["HighHTTPErrorRate"].description
    assert description.endswith("failed with a 5xx status over the last 8m.")


# --- metric overrides ----------------------------------------------------------------------------


def test_a_metric_override_reaches_pack_alert_promql(tmp_path):
    text = with_service("metrics: {active_sessions: sessions_open}", kind="ai-inference")
    expr = alerts_of(tmp_path, text)["HighActiveSessions"].expr
    assert expr == 'sum by (job) (sessions_open{job="api"}) > 100'


def test_the_up_metric_can_be_overridden_for_service_down(tmp_path):
    expr = alerts_of(tmp_path, with_service("metrics: {up: probe_success}"))["ServiceDown"].expr
    assert (
        expr == 'max by (job) (probe_success{job="api"}) == 0 or absent(probe_success{job="api"})'
    )


# --- custom alerts -------------------------------------------------------------------------------


def test_a_custom_alert_keeps_its_promql_and_text_trimmed(all_alerts):
    (alert,) = [a for a in all_alerts if a.name == "QueueBacklog"]
    assert alert.expr == 'sum(queue_depth{job="exporter"}) > 100'
    assert alert.description == "More than 100 items wait in the queue."
    assert alert.for_ == "5m"
    assert alert.labels == {"severity": "warning", "team": "platform", "service": "exporter"}


def test_a_custom_kind_service_gets_only_the_common_and_its_custom_alerts(every_kind):
    exporter = every_kind.services[-1]
    names = [a.name for a in service_alerts(every_kind, exporter)]
    assert names == ["ServiceDown", "InstanceDown", "QueueBacklog"]


def test_stack_alerts_lists_services_in_spec_order(every_kind, all_alerts):
    order = [s.name for s in every_kind.services]
    seen = list(dict.fromkeys(a.service for a in all_alerts))
    assert seen == [*order, META]  # then the stack's own


# --- runbook links -------------------------------------------------------------------------------


def test_without_runbooks_url_links_are_relative_to_out(tmp_path):
    alerts = alerts_of(tmp_path, MINIMAL)
    assert alerts["ServiceDown"].runbook_url == "runbooks/ServiceDown.md"
    assert alerts["ServiceDown"].runbook_generated


def test_with_runbooks_url_links_point_under_it(tmp_path):
    text = MINIMAL.replace(
        "  name: demo\n", "  name: demo\n  runbooks_url: https://git.example.com/runbooks/\n"
    )
    alerts = alerts_of(tmp_path, text)
    assert (
        alerts["HighAPILatency"].runbook_url == "https://git.example.com/runbooks/HighAPILatency.md"
    )
    assert alerts["HighAPILatency"].runbook_generated


def test_a_service_runbook_url_wins_for_all_its_alerts(tmp_path):
    text = with_service(
        """\
        runbook_url: https://wiki.example.com/api
        slos: [{name: avail, objective: 99.9, sli: {type: uptime}}]
        custom_alerts: [{name: Custom, expr: up == 0, summary: s, description: d}]
        """
    )
    for alert in alerts_of(tmp_path, text).values():
        assert alert.runbook_url == "https://wiki.example.com/api", alert.name
        assert not alert.runbook_generated, alert.name


def test_an_alert_runbook_url_wins_for_that_alert_only(tmp_path):
    text = with_service("alerts: {ServiceDown: {runbook_url: 'https://wiki.example.com/down'}}")
    alerts = alerts_of(tmp_path, text)
    assert alerts["ServiceDown"].runbook_url == "https://wiki.example.com/down"
    assert not alerts["ServiceDown"].runbook_generated
    assert alerts["InstanceDown"].runbook_url == "runbooks/InstanceDown.md"


def test_slo_and_custom_alert_runbook_urls_win_over_the_service_one(tmp_path):
    text = with_service(
        """\
        runbook_url: https://wiki.example.com/api
        slos:
          - {name: avail, objective: 99.9, sli: {type: uptime}, runbook_url: 'https://w.example.com/slo'}
        custom_alerts:
          - {name: Custom, expr: up == 0, summary: s, description: d, runbook_url: 'https://w.example.com/c'}
        """
    )
    alerts = alerts_of(tmp_path, text)
    assert alerts["AvailabilityViolation"].runbook_url == "https://w.example.com/slo"
    assert alerts["Custom"].runbook_url == "https://w.example.com/c"


# --- a kind alert under another name (`alerts.NAME.name`) ----------------------------------------

DB = """\
stack: {name: demo, runbooks_url: https://wiki.example.com/runbooks}
services:
  - name: db
    team: data
    kind: database
    targets: {static: ["db:9187"]}
    alerts:
      ConnectionPoolExhausted: {threshold: 0.8%s}
channels: [{name: ops, type: webhook, url: http://hooks.internal/alerts}]
routing: {default_channel: ops}
"""


def test_a_renamed_kind_alert_keeps_its_panel_threshold_link_runbook_and_route(tmp_path):
    from stackgen.plan.grafana import linked_alerts
    from stackgen.plan.panels import service_panels
    from stackgen.plan.routing import alert_labels
    from stackgen.plan.runbooks import runbook_artifacts

    kept = stack_from(tmp_path / "kept", DB % "")
    renamed = stack_from(tmp_path / "renamed", DB % ", name: DatabaseConnectionPoolExhausted")

    def pool(stack):
        (alert,) = [a for a in linked_alerts(stack, stack.services[0]) if "Pool" in a.name]
        return alert

    before, after = pool(kept), pool(renamed)
    assert (before.name, after.name) == (
        "ConnectionPoolExhausted",
        "DatabaseConnectionPoolExhausted",
    )
    assert after.expr == before.expr and after.threshold == before.threshold == 0.8
    # The same panel, drawn at the same threshold, is where the alert's link opens.
    assert "viewPanel=" in after.dashboard_url
    assert after.dashboard_url == before.dashboard_url
    assert service_panels(renamed, renamed.services[0]) == service_panels(kept, kept.services[0])
    assert (
        after.runbook_url == "https://wiki.example.com/runbooks/DatabaseConnectionPoolExhausted.md"
    )
    paths = {a.path for a in runbook_artifacts(renamed)}
    assert "runbooks/DatabaseConnectionPoolExhausted.md" in paths
    assert "runbooks/ConnectionPoolExhausted.md" not in paths
    names = {labels["alertname"] for labels in alert_labels(renamed)}
    assert "DatabaseConnectionPoolExhausted" in names and "ConnectionPoolExhausted" not in names
