"""Checks across the whole stack: unique names, references, kind-specific settings."""

import pytest

from stackgen.spec import SpecErrors, load_stack, spec_warnings
from stackgen.spec.checks import Finding, Parts
from tests.helpers import MINIMAL, minimal_with_slos, with_routing, write

SECOND_SERVICE = """\
services:
  - name: api
    team: other
    kind: node
    targets: {static: ["n:9100"]}
"""


def errors_of(path) -> list[str]:
    with pytest.raises(SpecErrors) as caught:
        load_stack(path)
    return [str(e) for e in caught.value.errors]


def test_a_service_defined_in_two_files_names_both_places(tmp_path):
    first = write(tmp_path, "a.yml", MINIMAL)
    second = write(tmp_path, "teams/b.yml", SECOND_SERVICE)
    assert errors_of(tmp_path) == [
        f"{second}:2:11: services[api].name: service `api` is defined twice; rename one "
        f"(first defined at {first}:4:11)"
    ]


def test_a_route_to_a_missing_channel_is_a_dangling_reference(tmp_path):
    spec = write(
        tmp_path,
        "s.yml",
        with_routing("  routes:\n    - {severity: [critical], channel: pager}\n"),
    )
    assert errors_of(spec) == [
        f"{spec}:17:39: routing.routes[0].channel: no channel is named `pager` (known: `ops`)"
    ]


def test_default_channel_team_and_service_references_are_checked(tmp_path):
    text = with_routing("  routes:\n    - {team: mobile, service: web, channel: ops}\n")
    text = text.replace("default_channel: ops", "default_channel: nobody")
    errors = errors_of(write(tmp_path, "s.yml", text))
    assert [e.split(": ", 2)[1] for e in errors] == [
        "routing.default_channel",
        "routing.routes[0].team",
        "routing.routes[0].service",
    ]


def test_overrides_must_name_alerts_and_metric_roles_of_the_kind(tmp_path):
    text = MINIMAL.replace(
        "    kind: http\n",
        "    kind: http\n    alerts: {HighCPU: {enabled: false}}\n    metrics: {cpu: x}\n",
    )
    errors = errors_of(write(tmp_path, "s.yml", text))
    assert any(
        "services[api].alerts.HighCPU: unknown key `HighCPU`; remove it or fix its spelling "
        "(known here: `HighAPILatency`, `HighHTTPErrorRate`, `HighRequestRate`, `InstanceDown`, "
        "`ServiceDown`)" in e
        for e in errors
    )
    assert any("services[api].metrics.cpu: unknown key `cpu`" in e for e in errors)


def test_a_ratio_threshold_must_be_a_fraction(tmp_path):
    text = MINIMAL.replace(
        "    kind: http\n", "    kind: http\n    alerts: {HighHTTPErrorRate: {threshold: 5}}\n"
    )
    (error,) = errors_of(write(tmp_path, "s.yml", text))
    assert "give a threshold between 0 and 1 (0.05 means 5%)" in error


def test_labels_stackgen_sets_cannot_be_overridden(tmp_path):
    text = MINIMAL.replace("    kind: http\n", "    kind: http\n    labels: {team: x}\n")
    (error,) = errors_of(write(tmp_path, "s.yml", text))
    assert "services[api].labels.team: `team` is set by stackgen" in error


def test_custom_alert_cannot_shadow_a_pack_alert(tmp_path):
    text = MINIMAL.replace(
        "    kind: http\n",
        "    kind: http\n    custom_alerts:\n      - {name: ServiceDown, expr: up == 0, summary: s, description: d}\n",
    )
    (error,) = errors_of(write(tmp_path, "s.yml", text))
    assert "`ServiceDown` is already an alert of kind `http`" in error


def test_only_one_default_datasource(tmp_path):
    text = MINIMAL + (
        "grafana:\n  datasources:\n"
        "    - {name: a, type: prometheus, default: true}\n"
        "    - {name: b, type: loki, url: 'http://l:3100', default: true}\n"
    )
    (error,) = errors_of(write(tmp_path, "s.yml", text))
    assert "grafana.datasources[b].default: only one datasource can be the default" in error


@pytest.mark.parametrize("job", ["prometheus", "alertmanager", "grafana"])
def test_service_named_like_a_self_monitoring_job(tmp_path, job):
    (error,) = errors_of(write(tmp_path, "s.yml", MINIMAL.replace("name: api", f"name: {job}")))
    assert "built-in self-monitoring job" in error


def test_the_stacks_own_alerts_name_is_reserved(tmp_path):
    """The meta-monitoring alerts carry service=meta-monitoring and fill
    prometheus/rules/meta-monitoring.yml: a service of that name would share both."""
    spec = write(tmp_path, "s.yml", MINIMAL.replace("name: api", "name: meta-monitoring"))
    assert errors_of(spec) == [
        f"{spec}:4:11: services[meta-monitoring].name: `meta-monitoring` is reserved for the "
        "stack's own alerts (their `service` label and prometheus/rules/meta-monitoring.yml): "
        "rename the service"
    ]


def test_service_named_like_the_overview_dashboard(tmp_path):
    (error,) = errors_of(
        write(tmp_path, "s.yml", MINIMAL.replace("name: api", "name: demo-overview"))
    )
    assert "the stack's overview dashboard" in error


def with_slo(tmp_path, slo: str):
    return write(tmp_path, "s.yml", minimal_with_slos(slo))


def slo_errors(tmp_path, slo: str) -> list[str]:
    return errors_of(with_slo(tmp_path, slo))


@pytest.mark.parametrize("label", ["status", "le"])
def test_target_labels_that_would_shadow_labels_the_queries_read_are_refused(tmp_path, label):
    text = MINIMAL.replace("    kind: http\n", f"    kind: http\n    labels: {{{label}: beta}}\n")
    (error,) = errors_of(write(tmp_path, "s.yml", text))
    assert f"services[api].labels.{label}: `{label}` is a label of the scraped metrics" in error
    assert f"`exported_{label}`" in error


def test_the_status_label_follows_a_metric_override(tmp_path):
    text = MINIMAL.replace(
        "    kind: http\n",
        "    kind: http\n    metrics: {status_label: code}\n    labels: {code: x}\n",
    )
    (error,) = errors_of(write(tmp_path, "s.yml", text))
    assert "`code` is a label of the scraped metrics" in error


def test_reference_checks_run_even_when_other_parts_are_invalid(tmp_path):
    """One run reports everything: a type error in a service does not hide a dangling route."""
    text = MINIMAL.replace("    kind: http\n", "    kind: http\n    metrics_path: 5\n")
    text = text.replace("default_channel: ops", "default_channel: nope")
    errors = errors_of(write(tmp_path, "s.yml", text))
    assert [e.split(": ", 2)[1] for e in errors] == [
        "services[api].metrics_path",
        "routing.default_channel",
    ]


def test_a_broken_service_still_counts_as_defined_for_references(tmp_path):
    text = with_routing("  routes: [{service: api, team: web, channel: ops}]\n")
    text = text.replace("    kind: http\n", "    kind: grpc\n")
    errors = errors_of(write(tmp_path, "s.yml", text))
    assert [e.split(": ", 2)[1] for e in errors] == ["services[api].kind"]


def test_an_slo_alert_cannot_take_the_name_of_another_alert(tmp_path):
    (error,) = slo_errors(
        tmp_path, "{name: a, objective: 99, sli: {type: requests}, alert: HighHTTPErrorRate}"
    )
    assert "slos[a].alert: `HighHTTPErrorRate` is already an alert of the service" in error


def test_a_service_named_overview_is_refused(tmp_path):
    (error,) = errors_of(write(tmp_path, "s.yml", MINIMAL.replace("name: api", "name: overview")))
    assert "the stack's overview dashboard" in error


def test_kubernetes_discovery_labels_cannot_be_overridden(tmp_path):
    text = MINIMAL.replace("static: [api:8080]", "kubernetes: {role: pod}").replace(
        "    kind: http\n", "    kind: http\n    labels: {namespace: x}\n"
    )
    (error,) = errors_of(write(tmp_path, "s.yml", text))
    assert "labels.namespace: `namespace` is set from Kubernetes discovery" in error


def test_requests_slo_needs_request_counters(tmp_path):
    text = MINIMAL.replace("kind: http", "kind: node").replace(
        "      static: [api:8080]\n",
        "      static: [api:8080]\n    slos: [{name: avail, objective: 99.9, sli: {type: requests}}]\n",
    )
    (error,) = errors_of(write(tmp_path, "s.yml", text))
    assert (
        "slos[avail].sli: kind `node` has no request counters: give `errors` and `total`" in error
    )


def test_a_90_percent_slo_cannot_page_with_the_default_tiers(tmp_path):
    """14.4 x 10% budget = 1.44: an error ratio above 1 is impossible; the message names the tier."""
    errors = slo_errors(tmp_path, "{name: a, objective: 90, sli: {type: requests}}")
    assert errors[0].endswith(
        "services[api].slos[a].objective: the page tier's 1h/5m windows can never fire: 2% of "
        "the budget in 1h means an error ratio of 1.44, 1 or more; relax `objective`, disable the "
        "tier (`tiers.page.enabled: false`) or give it longer windows (`tiers.page.windows`)"
    )
    assert len(errors) == 1  # 6 x 10% = 0.6 can fire: the 6h pair is fine
    # with the page tier off, it validates
    load_stack(
        with_slo(
            tmp_path,
            "{name: a, objective: 90, sli: {type: requests}, tiers: {page: {enabled: false}}}",
        )
    )


def test_a_window_shorter_than_four_scrapes_is_refused(tmp_path):
    """At 7d the page tier's short window is 1m10s: too short for a 30s scrape interval."""
    text = MINIMAL.replace(
        "      static: [api:8080]\n",
        "      static: [api:8080]\n    scrape_interval: 30s\n"
        "    slos: [{name: e, objective: 99, sli: {type: requests}, period: 7d}]\n",
    )
    (error,) = errors_of(write(tmp_path, "s.yml", text))
    assert (
        "slos[e].period: the page tier's 14m/1m10s windows: 1m10s is shorter than 4 scrape intervals (2m)"
        in error
    )
    assert "give the tier longer windows (`tiers.page.windows`, or a longer `period`)" in error


def test_an_uptime_slo_that_one_failed_scrape_would_fire_is_refused(tmp_path):
    """99.999% at burn rate 14.4 allows 0.5s of downtime in 1h, under one 15s scrape."""
    errors = slo_errors(tmp_path, "{name: a, objective: 99.999, sli: {type: uptime}}")
    assert any(
        "slos[a].objective: the page tier's 1h/5m windows: one failed scrape would fire it" in e
        and e.endswith("relax `objective` or give the tier longer windows (`tiers.page.windows`)")
        for e in errors
    )


def test_an_slo_too_strict_for_its_period_is_refused_at_the_field_to_change(tmp_path):
    """99.999% over 7d: each error points at the line of `objective` or `period`, not at the
    SLO's name, and says which field to change."""
    text = MINIMAL.replace(
        "      static: [api:8080]\n",
        "      static: [api:8080]\n    slos:\n      - name: strict\n        objective: 99.999\n"
        "        period: 7d\n        sli: {type: uptime}\n",
    )
    path = write(tmp_path, "s.yml", text)
    lines = path.read_text().splitlines()
    objective = next(i for i, line in enumerate(lines, 1) if "objective: 99.999" in line)
    period = next(i for i, line in enumerate(lines, 1) if "period: 7d" in line)
    errors = errors_of(path)
    assert errors
    for error in errors:
        located = error.split(": ", 1)[0]
        assert located.endswith((f":{objective}:20", f":{period}:17")), (error, lines)
        assert "`objective`" in error or "`period`" in error


def test_a_window_longer_than_the_period_is_refused(tmp_path):
    slo = "{name: a, objective: 99, sli: {type: uptime}, tiers: {ticket: {windows: [{long: 40d, budget_consumed: 100}]}}}"
    (error,) = slo_errors(tmp_path, slo)
    assert "the ticket tier's 40d/3d8h windows: the long window is longer than the period" in error


def test_a_ratio_sli_must_use_the_window_placeholder(tmp_path):
    (error,) = slo_errors(
        tmp_path, "{name: a, objective: 99, sli: {type: ratio, expr: 'sum(rate(x[5m]))'}}"
    )
    assert "slos[a].sli.expr: the expression must use `${window}`" in error


def test_a_latency_sli_needs_a_histogram_on_kinds_without_one(tmp_path):
    text = MINIMAL.replace("kind: http", "kind: node").replace(
        "      static: [api:8080]\n",
        "      static: [api:8080]\n    slos: [{name: f, objective: 99, sli: {type: latency, threshold: 1}}]\n",
    )
    (error,) = errors_of(write(tmp_path, "s.yml", text))
    assert "kind `node` has no latency histogram: give `histogram`" in error


@pytest.mark.parametrize(
    ("slo", "message"),
    [
        (
            "{name: a, objective: 99, sli: {type: uptime}, labels: {slo_tier: x}}",
            "labels.slo_tier: `slo_tier` is set by stackgen",
        ),
        (
            "{name: a, objective: 99, sli: {type: uptime}, tiers: {page: {windows: [{long: 1h1s, budget_consumed: 2}]}}}",
            "share no step of 10s or more",
        ),
        (
            "{name: a, objective: 99, sli: {type: uptime}, tiers: {page: {windows: [{long: 1h, short: 2h, budget_consumed: 2}]}}}",
            "the short window must be shorter than the long one",
        ),
        (
            "{name: a, objective: 99, sli: {type: ratio, expr: 'x[${window}]'}, group_by: [route]}",
            "group its expression with `sum by (...)`",
        ),
    ],
)
def test_slo_settings_that_cannot_work_are_refused(tmp_path, slo, message):
    assert any(message in e for e in slo_errors(tmp_path, slo))


def test_a_service_named_like_a_stack_dashboard_is_refused(tmp_path):
    text = MINIMAL.replace("  - name: api\n", "  - name: alerts\n")
    (error,) = errors_of(write(tmp_path, "spec.yml", text))
    assert "`alerts` is the name of the stack's alerts dashboard: rename the service" in error


def lint_disables_nothing(parts: Parts):
    """A check from a stage above the spec: it reads the raw lint section."""
    for i, name in enumerate(parts.lint.get("disable", [])):
        yield Finding(("lint", "disable", i), f"`{name}` stays enabled")


def test_the_checks_given_run_and_are_located_like_the_specs_own(tmp_path):
    spec = write(tmp_path, "spec.yml", MINIMAL + "lint:\n  disable: [alert/name]\n")
    assert load_stack(spec).lint.disable == ["alert/name"]
    with pytest.raises(SpecErrors) as caught:
        load_stack(spec, checks=(lint_disables_nothing,))
    assert [str(e) for e in caught.value.errors] == [
        f"{spec}:17:13: lint.disable[0]: `alert/name` stays enabled"
    ]


def test_the_checks_given_see_a_section_that_fails_validation(tmp_path):
    text = MINIMAL + "lint:\n  disable: [alert/name]\n  severity: {alert/name: fatal}\n"
    spec = write(tmp_path, "spec.yml", text)
    with pytest.raises(SpecErrors) as caught:
        load_stack(spec, checks=(lint_disables_nothing,))
    assert [str(e).removeprefix(f"{spec}:") for e in caught.value.errors] == [
        "17:13: lint.disable[0]: `alert/name` stays enabled",
        "18:26: lint.severity.alert/name: Input should be 'error', 'warning' or 'info' "
        "(got str 'fatal')",
    ]


# --- renamed kind alerts (`alerts.NAME.name`) ----------------------------------------------------


def with_alerts(alerts: str, extra: str = "") -> str:
    """MINIMAL whose http service has `alerts:` (a YAML flow mapping) and `extra` keys."""
    return MINIMAL.replace("    kind: http\n", f"    kind: http\n    alerts: {alerts}\n{extra}")


@pytest.mark.parametrize(
    ("alerts", "extra", "message"),
    [
        (
            "{HighAPILatency: {name: HighHTTPErrorRate}}",
            "",
            "`HighHTTPErrorRate` is already an alert of kind `http`",
        ),
        (
            "{HighAPILatency: {name: Slow}}",
            "    custom_alerts: [{name: Slow, expr: up == 0, summary: s, description: d}]\n",
            "`Slow` is already a custom alert of the service",
        ),
        (
            "{HighAPILatency: {name: ErrorRateViolation}}",
            "    slos: [{name: e, objective: 99.9, sli: {type: requests}}]\n",
            "`ErrorRateViolation` is already an SLO's alert of the service",
        ),
        (
            "{HighAPILatency: {name: Slow}, HighRequestRate: {name: Slow}}",
            "",
            "`Slow` is the new name of two alerts; rename one",
        ),
    ],
)
def test_a_renamed_alert_cannot_take_a_name_its_service_uses(tmp_path, alerts, extra, message):
    (error,) = errors_of(write(tmp_path, "s.yml", with_alerts(alerts, extra)))
    assert message in error
    # Located at the rename: the `name` under the last alert the flow mapping gives.
    assert error.startswith(f"{tmp_path / 's.yml'}:7:")
    assert ".alerts." in error and ".name: " in error


def test_a_renamed_alert_cannot_take_the_name_of_another_services_alert(tmp_path):
    hosts = "  - {name: hosts, team: ops, kind: node, targets: {static: [n:9100]}}\n"
    text = with_alerts("{HighAPILatency: {name: HighCPU}}").replace(
        "channels:", hosts + "channels:"
    )
    (error,) = errors_of(write(tmp_path, "s.yml", text))
    assert "services[api].alerts.HighAPILatency.name: `HighCPU` is already the name of " in error
    assert "(`HighCPU` of service `hosts`)" in error


def test_the_same_alert_renamed_alike_on_two_services_is_one_alert(tmp_path):
    web = (
        "  - {name: web, team: web, kind: http, targets: {static: [web:8080]}, "
        "alerts: {ServiceDown: {name: Down}}}\n"
    )
    text = with_alerts("{ServiceDown: {name: Down}}").replace("channels:", web + "channels:")
    stack = load_stack(write(tmp_path, "s.yml", text))
    assert [s.alert_overrides["ServiceDown"].name for s in stack.services] == ["Down", "Down"]


def test_a_rename_to_its_own_name_or_of_a_disabled_alert_is_no_collision(tmp_path):
    text = with_alerts(
        "{HighAPILatency: {name: HighAPILatency}, HighRequestRate: {enabled: false, "
        "name: HighHTTPErrorRate}}"
    )
    load_stack(write(tmp_path, "s.yml", text))


def test_min_events_needs_an_sli_that_counts_requests(tmp_path):
    (error,) = slo_errors(
        tmp_path, "{name: a, objective: 99.9, sli: {type: uptime}, min_events: 100}"
    )
    assert error.endswith(
        "services[api].slos[a].min_events: `min_events` counts requests, which an SLI of type "
        "`uptime` does not have (its events are scrapes): use a `requests` or `latency` SLI, or "
        "remove `min_events`"
    )
    load_stack(  # a requests SLI takes it
        with_slo(tmp_path, "{name: a, objective: 99.9, sli: {type: requests}, min_events: 100}")
    )
    (error,) = slo_errors(
        tmp_path, "{name: a, objective: 99.9, sli: {type: requests}, min_events: 0}"
    )
    assert "min_events" in error and "greater than 0" in error


# --- retention: the SLOs read a whole period back ---------------------------------------------

RETENTION_SLOS = MINIMAL.replace(
    "      static: [api:8080]\n",
    "      static: [api:8080]\n"
    "    slos:\n"
    "      - {name: fast, objective: 99, period: 7d, sli: {type: uptime}}\n"
    "      - {name: month, objective: 99.9, period: 30d, sli: {type: uptime}}\n",
)


def test_a_retention_shorter_than_an_slo_period_is_refused_at_the_retention(tmp_path):
    spec = write(tmp_path, "s.yml", RETENTION_SLOS + "prometheus: {retention: 20d}\n")
    assert errors_of(spec) == [
        f"{spec}:19:25: prometheus.retention: retention 20d is shorter than the 30d period of "
        "SLO `month` of api: its error budget would be computed over part of the period; keep "
        "at least 30d (or leave retention unset)"
    ]


@pytest.mark.parametrize(
    ("output", "who"),
    [
        ("output: {targets: [prometheus, mimir]}\n",
         "stackgen starts no Prometheus for targets prometheus, mimir"),
        ("output: {targets: [compose]}\nprometheus:\n  rule_evaluation: ruler\n"
         "  remote_write: [{name: mimir, url: 'http://mimir:8080/api/v1/push'}]\n",
         "a remote store's ruler evaluates the rules over the store's retention"),
    ],
)  # fmt: skip
def test_an_unknown_retention_is_a_warning_at_the_longest_slo_period(tmp_path, output, who):
    spec = write(tmp_path, "s.yml", RETENTION_SLOS + output)
    (warning,) = spec_warnings(spec, load_stack(spec))
    assert str(warning) == (
        f"{spec}:11:48: services[api].slos[month].period: SLO `month` of api reads 30d back, "
        f"but {who}, so how long samples are kept is unknown: set `prometheus.retention` to "
        "that retention (--storage.tsdb.retention.time, at least 30d) and validate checks it"
    )


@pytest.mark.parametrize(
    "extra",
    [
        "output: {targets: [compose]}\n",  # stackgen starts it with the derived retention
        "output: {targets: [kubernetes]}\n",
        "prometheus: {retention: 60d}\n",  # the author says how long it keeps samples
    ],
)
def test_a_retention_stackgen_sets_or_the_spec_states_warns_of_nothing(tmp_path, extra):
    spec = write(tmp_path, "s.yml", RETENTION_SLOS + extra)
    assert spec_warnings(spec, load_stack(spec)) == []


# --- links people open from notifications --------------------------------------------------------


@pytest.mark.parametrize(
    ("extra", "where", "field"),
    [
        ("grafana: {url: 'http://grafana:3000'}\n", "grafana.url", "grafana.url"),
        ("prometheus: {address: 'prom:9090'}\n", "prometheus.address", "prometheus.external_url"),
        (
            "alertmanager: {addresses: ['am:9093'], external_url: 'http://am:9093'}\n",
            "alertmanager.external_url",
            "alertmanager.external_url",
        ),
    ],
)
def test_a_link_to_a_host_only_the_containers_resolve_is_a_warning(tmp_path, extra, where, field):
    spec = write(tmp_path, "s.yml", MINIMAL + extra)
    (warning,) = spec_warnings(spec, load_stack(spec))
    assert f": {where}: links to `http://" in str(warning)
    assert f"people open these links from notifications. Set {field} to the address" in str(warning)


def test_links_people_can_open_warn_of_nothing(tmp_path):
    extra = (
        "grafana: {url: 'https://grafana.example.com', address: 'grafana:3000'}\n"
        "prometheus: {address: 'prometheus:9090', external_url: 'https://prom.example.com'}\n"
        "alertmanager: {addresses: ['10.0.0.7:9093']}\n"  # an IP: a private network's address
    )
    spec = write(tmp_path, "s.yml", MINIMAL + extra)
    assert spec_warnings(spec, load_stack(spec)) == []
    # the default, localhost, is a laptop's stack
    spec = write(tmp_path, "t.yml", MINIMAL)
    assert spec_warnings(spec, load_stack(spec)) == []


@pytest.mark.parametrize("address", ["grafana", "grafana:port", ":3000", "grafana:70000"])
def test_grafana_address_is_host_and_port(tmp_path, address):
    spec = write(tmp_path, "s.yml", MINIMAL + f"grafana: {{address: '{address}'}}\n")
    (error,) = errors_of(spec)
    assert f"grafana.address: `{address}` is not host:port; write it as grafana:3000" in error


def test_a_secret_file_inside_another_secret_file_is_refused_where_it_is_named(tmp_path):
    """Both are files, and every deployment form mounts each at its path."""
    channels = (
        "channels:\n"
        "  - {name: ops, type: slack, channel: '#x', api_url_file: /run/secrets/slack}\n"
        "  - {name: pd, type: pagerduty, routing_key_file: /run/secrets/slack/pd}\n"
        "  - {name: pd2, type: pagerduty, routing_key_file: /run/secrets/slack-pd}\n"
    )
    remote_write = (
        "prometheus:\n  remote_write:\n"
        "    - {name: m, url: 'https://m/push', bearer_token_file: /run/secrets/slack/pd/x}\n"
    )
    text = MINIMAL.replace("channels:\n", channels).replace(
        "  - name: ops\n    type: webhook\n    url: http://hooks.internal/alerts\n", ""
    )
    spec = write(tmp_path, "s.yml", text + remote_write)
    fix = "which another `*_file` names as a file: give each secret a file of its own"
    assert [e.split(" is inside ")[0] for e in errors_of(spec)] == [
        f"{spec}:11:51: channels[pd].routing_key_file: /run/secrets/slack/pd",
        f"{spec}:18:59: prometheus.remote_write[m].bearer_token_file: /run/secrets/slack/pd/x",
    ]
    assert all(f"inside /run/secrets/slack, {fix}" in e for e in errors_of(spec))
