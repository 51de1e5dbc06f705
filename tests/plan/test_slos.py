"""SLO rules: one error-ratio series per window, budget and burn-rate series, and the page and
ticket tiers of the multi-window multi-burn-rate scheme."""

import textwrap

import pytest

from stackgen.plan.alerts import service_alerts, service_context
from stackgen.plan.prometheus import rule_groups
from stackgen.plan.slos import slo_records
from tests.helpers import MINIMAL, stack_from


def with_slo(slo: str, service: str = "", kind: str = "http") -> str:
    extra = textwrap.indent(textwrap.dedent(service), "    ") if service else ""
    return MINIMAL.replace("kind: http", f"kind: {kind}").replace(
        "      static: [api:8080]\n", f"      static: [api:8080]\n{extra}    slos: [{slo}]\n"
    )


def records_of(tmp_path, text: str) -> dict[str, dict]:
    stack = stack_from(tmp_path, text)
    service = stack.services[0]
    ctx = service_context(stack, service)
    return {r["record"]: r for slo in service.slos for r in slo_records(ctx, service, slo)}


def tiers_of(tmp_path, text: str) -> dict[str, object]:
    stack = stack_from(tmp_path, text)
    return {
        a.labels["slo_tier"]: a
        for a in service_alerts(stack, stack.services[0])
        if "slo_tier" in a.labels
    }


def groups_of(tmp_path, text: str) -> dict[str, list[str]]:
    """Record names by rule group of the service's rule file."""
    stack = stack_from(tmp_path, text)
    return {
        g["name"]: [r["record"] for r in g["records"]]
        for g in rule_groups(stack, stack.services[0])
    }


def test_a_30d_slo_records_the_seven_windows_of_the_default_tiers(tmp_path):
    records = records_of(
        tmp_path, with_slo("{name: errors, objective: 99.9, sli: {type: requests}}")
    )
    windows = {r for r in records if r.startswith("slo:sli_error:ratio_rate")}
    assert windows == {
        f"slo:sli_error:ratio_rate{w}" for w in ("5m", "30m", "1h", "2h", "6h", "1d", "3d", "30d")
    }


def test_the_base_window_records_failed_and_all_requests_once(tmp_path):
    records = records_of(
        tmp_path, with_slo("{name: errors, objective: 99.9, sli: {type: requests}}")
    )
    assert records["slo:sli_events:rate5m"]["expr"] == (
        'sum (rate(http_requests_total{job="api"}[5m]))'
    )
    assert records["slo:sli_errors:rate5m"]["expr"] == (
        'sum (rate(http_requests_total{job="api",status=~"5.."}[5m])) '
        'or 0 * sum (slo:sli_events:rate5m{service="api",slo="errors"})'
    )  # a group with requests but no failures is 0, not missing: 0 * the events, recorded first
    assert list(records).index("slo:sli_events:rate5m") < list(records).index(
        "slo:sli_errors:rate5m"
    )
    assert records["slo:sli_error:ratio_rate5m"]["expr"] == (
        'slo:sli_errors:rate5m{service="api",slo="errors"} '
        '/ (slo:sli_events:rate5m{service="api",slo="errors"} > 0)'
    )  # `> 0`: no traffic gives no ratio, not NaN
    assert records["slo:sli_errors:rate5m"]["labels"] == {"service": "api", "slo": "errors"}


def test_longer_windows_and_the_period_add_up_consecutive_spans_of_shorter_ones(tmp_path):
    """Traffic-weighted: all failed requests of the window over all its requests. Each window's
    rates are the mean of consecutive spans of a shorter window's recorded rates (30m of six
    5m spans, 1h of two 30m ones ... 30d of ten 3d ones), so it covers exactly what a raw
    rate() over it covers; only the 5m rates read the raw series."""
    records = records_of(
        tmp_path, with_slo("{name: errors, objective: 99.9, sli: {type: requests}}")
    )
    five = 'slo:sli_errors:rate5m{service="api",slo="errors"}'
    spans = [five] + [f"({five} offset {m}m or 0 * {five})" for m in (5, 10, 15, 20, 25)]
    assert records["slo:sli_errors:rate30m"]["expr"] == f"({' + '.join(spans)}) / 6"
    three = 'slo:sli_events:rate3d{service="api",slo="errors"}'
    assert records["slo:sli_events:rate30d"]["expr"] == (
        f"({three} + ({three} offset 3d or 0 * {three}) + ({three} offset 6d or 0 * {three}) + "
        f"({three} offset 9d or 0 * {three}) + ({three} offset 12d or 0 * {three}) + "
        f"({three} offset 15d or 0 * {three}) + ({three} offset 18d or 0 * {three}) + "
        f"({three} offset 21d or 0 * {three}) + ({three} offset 24d or 0 * {three}) + "
        f"({three} offset 27d or 0 * {three})) / 10"
    )
    made_of = {w: r["expr"].split(":rate")[1].split("{")[0] for w, r in records.items()
               if w.startswith("slo:sli_errors:") and w != "slo:sli_errors:rate5m"}  # fmt: skip
    assert made_of == {
        "slo:sli_errors:rate30m": "5m",
        "slo:sli_errors:rate1h": "30m",
        "slo:sli_errors:rate2h": "1h",
        "slo:sli_errors:rate6h": "2h",
        "slo:sli_errors:rate1d": "6h",
        "slo:sli_errors:rate3d": "1d",
        "slo:sli_errors:rate30d": "3d",
    }
    for window in ("5m", "1h", "3d", "30d"):
        assert records[f"slo:sli_error:ratio_rate{window}"]["expr"] == (
            f'slo:sli_errors:rate{window}{{service="api",slo="errors"}} '
            f'/ (slo:sli_events:rate{window}{{service="api",slo="errors"}} > 0)'
        )
    raw = [r for r, rule in records.items() if "http_requests_total" in rule["expr"]]
    assert raw == ["slo:sli_events:rate5m", "slo:sli_errors:rate5m"]


def test_a_window_no_shorter_window_tiles_sums_the_base_rates_over_its_range(tmp_path):
    """7m is no whole number of 5m spans: its ratio sums the recorded 5m rates over its
    range (and trails a raw rate(), which `stackgen explain` says)."""
    text = with_slo(
        "{name: e, objective: 99.9, sli: {type: requests}, tiers: {ticket: {enabled: false}, "
        "page: {windows: [{long: 1h, short: 5m, budget_consumed: 2}, "
        "{long: 6h, short: 7m, budget_consumed: 5}]}}}"
    )
    records = records_of(tmp_path, text)
    assert records["slo:sli_error:ratio_rate7m"]["expr"] == (
        'sum_over_time(slo:sli_errors:rate5m{service="api",slo="e"}[7m]) '
        '/ (sum_over_time(slo:sli_events:rate5m{service="api",slo="e"}[7m]) > 0)'
    )
    assert "slo:sli_errors:rate7m" not in records
    # 3 x 2h: a disabled tier's windows (the ticket tier's 2h) are recorded still
    assert records["slo:sli_errors:rate6h"]["expr"].endswith(") / 3")


def test_only_the_period_goes_to_a_slower_group(tmp_path):
    """No alert reads the period; every window a tier reads is evaluated with the alerts."""
    groups = groups_of(tmp_path, with_slo("{name: errors, objective: 99.9, sli: {type: requests}}"))
    assert groups["api.slo-long"] == [
        "slo:sli_errors:rate30d",
        "slo:sli_events:rate30d",
        "slo:sli_error:ratio_rate30d",
        "slo:period_burn_rate:ratio",
        "slo:period_error_budget_remaining:ratio",
    ]
    assert "slo:sli_error:ratio_rate3d" in groups["api.slo"]
    stack = stack_from(tmp_path, with_slo("{name: errors, objective: 99.9, sli: {type: requests}}"))
    (slow,) = [g for g in rule_groups(stack, stack.services[0]) if g["name"] == "api.slo-long"]
    assert slow["interval"] == "2m"


def test_a_server_evaluating_every_2m_or_less_often_gets_one_slo_group(tmp_path):
    text = with_slo("{name: errors, objective: 99.9, sli: {type: requests}}").replace(
        "stack:\n  name: demo\n",
        "stack:\n  name: demo\nprometheus:\n  evaluation_interval: 2m\n",
    )
    groups = groups_of(tmp_path, text)
    assert "api.slo-long" not in groups
    assert "slo:sli_error:ratio_rate30d" in groups["api.slo"]


def test_grouped_slos_keep_their_group_labels_only(tmp_path):
    text = with_slo("{name: errors, objective: 99.9, sli: {type: requests}, group_by: [route]}")
    records = records_of(tmp_path, text)
    assert records["slo:sli_errors:rate5m"]["expr"].count("sum by (route)") == 2
    assert records["slo:sli_events:rate5m"]["expr"].count("sum by (route)") == 1


def test_metric_overrides_reach_the_sli(tmp_path):
    text = with_slo(
        "{name: errors, objective: 99.9, sli: {type: requests}}",
        service="metrics: {requests_total: my_requests_total, status_label: code}\n",
    )
    expr = records_of(tmp_path, text)["slo:sli_errors:rate5m"]["expr"]
    assert 'rate(my_requests_total{job="api",code=~"5.."}[5m])' in expr
    assert "http_requests_total" not in expr


def test_explicit_selectors_are_used_as_written(tmp_path):
    text = with_slo(
        "{name: e, objective: 99, sli: {type: requests, errors: 'grpc_total{code!=\"OK\"}', "
        "total: grpc_total}}"
    )
    records = records_of(tmp_path, text)
    assert 'rate(grpc_total{code!="OK"}[5m])' in records["slo:sli_errors:rate5m"]["expr"]
    assert records["slo:sli_events:rate5m"]["expr"] == "sum (rate(grpc_total[5m]))"


def test_a_latency_sli_counts_requests_slower_than_the_threshold_bucket(tmp_path):
    text = with_slo("{name: fast, objective: 99, sli: {type: latency, threshold: 0.25}}")
    assert records_of(tmp_path, text)["slo:sli_errors:rate5m"]["expr"] == (
        'sum (rate(http_request_duration_seconds_count{job="api"}[5m])) '
        '- sum (rate(http_request_duration_seconds_bucket{job="api",le=~"0\\\\.25"}[5m]))'
    )


def test_a_whole_number_latency_threshold_matches_both_client_spellings_of_le(tmp_path):
    """Go clients write le="1", Python clients le="1.0"."""
    text = with_slo("{name: fast, objective: 99, sli: {type: latency, threshold: 1}}")
    expr = records_of(tmp_path, text)["slo:sli_errors:rate5m"]["expr"]
    assert 'le=~"1(\\\\.0)?"' in expr


def test_an_uptime_sli_counts_failed_scrapes_over_all_scrapes(tmp_path):
    records = records_of(tmp_path, with_slo("{name: a, objective: 99.9, sli: {type: uptime}}"))
    assert records["slo:sli_errors:rate5m"]["expr"] == (
        'sum (count_over_time(up{job="api"}[5m]) - sum_over_time(up{job="api"}[5m])) / 300'
    )
    assert records["slo:sli_events:rate5m"]["expr"] == (
        'sum (count_over_time(up{job="api"}[5m])) / 300'
    )


def test_a_ratio_sli_gets_each_window_in_place_of_its_placeholder(tmp_path):
    text = with_slo(
        "{name: r, objective: 99, sli: {type: ratio, expr: 'sum(rate(bad[${window}])) / sum(rate(all[${window}]))'}}"
    )
    records = records_of(tmp_path, text)
    assert (
        records["slo:sli_error:ratio_rate6h"]["expr"] == "sum(rate(bad[6h])) / sum(rate(all[6h]))"
    )


def test_budget_and_burn_rate_series_are_clean_numbers(tmp_path):
    records = records_of(tmp_path, with_slo("{name: a, objective: 99.95, sli: {type: uptime}}"))
    assert records["slo:objective:ratio"]["expr"] == "vector(0.9995)"
    assert records["slo:error_budget:ratio"]["expr"] == "vector(0.0005)"
    assert records["slo:current_burn_rate:ratio"]["expr"].endswith(" / 0.0005")
    assert records["slo:period_error_budget_remaining:ratio"]["expr"] == (
        '1 - slo:period_burn_rate:ratio{service="api",slo="a"}'
    )


def test_the_info_series_carries_what_changes_often(tmp_path):
    records = records_of(
        tmp_path, with_slo("{name: a, objective: 99.9, sli: {type: uptime}, period: 28d}")
    )
    assert records["slo:info"]["labels"] == {
        "service": "api", "slo": "a", "team": "web", "objective": "99.9", "period": "28d",
    }  # fmt: skip
    assert "team" not in records["slo:sli_error:ratio_rate4m40s"]["labels"]  # 5m x 28/30


def test_page_and_ticket_tiers_use_both_windows_of_each_pair(tmp_path):
    tiers = tiers_of(tmp_path, with_slo("{name: e, objective: 99.9, sli: {type: requests}}"))
    assert tiers["page"].expr == (
        '((slo:sli_error:ratio_rate1h{service="api",slo="e"} > 0.0144 and '
        'slo:sli_error:ratio_rate5m{service="api",slo="e"} > 0.0144) or '
        '(slo:sli_error:ratio_rate6h{service="api",slo="e"} > 0.006 and '
        'slo:sli_error:ratio_rate30m{service="api",slo="e"} > 0.006)) '
        # held after an outage ServiceDown paged for (tests/plan/test_recovery_proofs.py): the
        # longest short window, 30m, which adds up 5m spans, so lets the outage go after 30m
        'unless on (service) (max_over_time(ALERTS{alertname="ServiceDown",'
        'alertstate="firing",service="api"}[30m]) and on () group(up{job="api"}))'
    )
    assert (tiers["page"].labels["severity"], tiers["ticket"].labels["severity"]) == (
        "critical",
        "warning",
    )
    assert tiers["ticket"].labels == {
        "severity": "warning", "team": "web", "service": "api", "slo": "e", "slo_tier": "ticket",
    }  # fmt: skip
    assert "3x the budget (0.3% errors) over 1d and 2h" in tiers["ticket"].description


@pytest.mark.parametrize(
    ("period", "page_windows"),
    [("7d", ("14m", "1m10s")), ("28d", ("56m", "4m40s")), ("90d", ("3h", "15m"))],
)
def test_windows_scale_with_the_period_and_burn_rates_stay(tmp_path, period, page_windows):
    tiers = tiers_of(
        tmp_path, with_slo(f"{{name: e, objective: 99, sli: {{type: requests}}, period: {period}}}")
    )
    long, short = page_windows
    assert (
        f"ratio_rate{long}{{" in tiers["page"].expr and f"ratio_rate{short}{{" in tiers["page"].expr
    )
    assert "> 0.144" in tiers["page"].expr  # 14.4 x 1%


def test_a_tier_can_be_disabled_or_given_its_own_severity_and_windows(tmp_path):
    text = with_slo(
        "{name: e, objective: 99, sli: {type: requests}, tiers: {ticket: {enabled: false}, "
        "page: {severity: warning, for: 1m, windows: [{long: 2h, budget_consumed: 4}]}}}"
    )
    tiers = tiers_of(tmp_path, text)
    assert set(tiers) == {"page"}
    assert tiers["page"].labels["severity"] == "warning"
    assert tiers["page"].for_ == "1m"
    assert tiers["page"].expr.startswith(  # 4% of 30d in 2h: burn rate 14.4, over 2h and 10m
        '(slo:sli_error:ratio_rate2h{service="api",slo="e"} > 0.144 and '
        'slo:sli_error:ratio_rate10m{service="api",slo="e"} > 0.144) unless on (service) '
    )
    # held for its short window (here 10m, the base, read from the raw series)
    assert '[10m]) and on () group(up{job="api"}))' in tiers["page"].expr


def test_a_missing_metric_alert_can_be_asked_for(tmp_path):
    stack = stack_from(
        tmp_path,
        with_slo("{name: e, objective: 99, sli: {type: requests}, missing_metric_alert: true}"),
    )
    (missing,) = [a for a in service_alerts(stack, stack.services[0]) if a.name == "SLIMissing"]
    # the base window's events, which go missing with the metrics (the ratios sum them over a
    # window, so outlive them)
    assert missing.expr == 'absent(slo:sli_events:rate5m{service="api",slo="e"})'
    assert missing.labels["slo"] == "e"


def test_slo_annotations_add_to_or_replace_the_alerts_own(tmp_path):
    text = with_slo(
        "{name: e, objective: 99, sli: {type: requests}, "
        "annotations: {summary: '{{ $labels.service }} is unhappy', dashboard: 'https://g/d/x'}}"
    )
    page = tiers_of(tmp_path, text)["page"]
    assert page.annotations["summary"] == "{{ $labels.service }} is unhappy"
    assert page.annotations["dashboard"] == "https://g/d/x"
    assert page.annotations["runbook_url"].endswith("/ErrorRateViolation.md")


def test_the_slow_group_evaluates_8_times_less_often_than_a_fast_server(tmp_path):
    text = with_slo("{name: errors, objective: 99.9, sli: {type: requests}}").replace(
        "stack:\n  name: demo\n", "stack:\n  name: demo\nprometheus:\n  evaluation_interval: 5s\n"
    )
    stack = stack_from(tmp_path, text)
    (slow,) = [g for g in rule_groups(stack, stack.services[0]) if g["name"] == "api.slo-long"]
    assert slow["interval"] == "40s"  # 15s -> 2m, at most 2m
