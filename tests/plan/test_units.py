"""A panel's unit comes from the metric names its query reads, by Prometheus's naming
conventions, unless its pack says otherwise."""

import pytest

from stackgen.plan.units import infer_unit


@pytest.mark.parametrize(
    ("expr", "unit"),
    [
        ('job:http_requests:rate5m{job="api"}', "reqps"),
        ('sum by (status) (rate(http_requests_total{job="api"}[$__rate_interval]))', "reqps"),
        ('job:http_request_errors:ratio_rate5m{job="api"}', "percentunit"),
        ("histogram_quantile(0.95, job:http_request_duration_seconds_bucket:rate5m)", "s"),
        ('instance:node_cpu_utilisation:rate5m{job="node"}', "percentunit"),
        ("1 - node_filesystem_avail_bytes / node_filesystem_size_bytes", "percentunit"),
        ("sum(node_memory_MemAvailable_bytes)", "bytes"),
        ("sum by (instance) (rate(node_network_receive_bytes_total[$__rate_interval]))", "Bps"),
        (
            "sum(errors:rate5m) / sum(requests:rate5m) or sum(a:b:rate5m) / sum(c:d:rate5m)",
            "percentunit",
        ),
        # by the name a ratio; as a burn rate (a multiple), the SLO panel names its unit
        ('slo:sli_error:ratio_rate1h{slo="x"} / 0.001', "percentunit"),
        ("active_sessions", "short"),
        ("pg_stat_activity_max_tx_duration", "short"),  # no _seconds: the pack says `s`
    ],
)
def test_units_from_metric_names(expr, unit):
    assert infer_unit(expr) == unit


def test_packs_name_a_unit_only_where_the_metric_names_cannot_tell_it():
    from typing import get_args

    from stackgen.packs import pack_for
    from stackgen.spec.model.services import ServiceKind

    # every built-in kind's pack (the example uses only some of them)
    explicit = {
        d.title: d.unit for kind in get_args(ServiceKind) for d in pack_for(kind).panels if d.unit
    }
    assert explicit == {
        "Longest transaction": "s",
        "Tokens by model": "cps",
        "Latency distribution": "s",
    }


@pytest.mark.parametrize(
    ("expr", "unit"),
    [
        ("sum(rate(http_request_duration_seconds_count[$__rate_interval]))", "reqps"),
        ("sum(rate(node_network_transmit_bytes_total[$__rate_interval]))", "Bps"),
    ],
)
def test_rates_of_counters_named_for_durations_or_sizes(expr, unit):
    assert infer_unit(expr) == unit


def test_a_plain_label_value_decides_nothing():
    """Every service's copy of a panel's query differs in such values; one is never read as
    the name of a function."""
    busy = 'sum(rate(process_cpu_seconds_total{job="%s"}[5m]))'
    assert infer_unit(busy % "billing") == infer_unit(busy % "histogram_quantile") == "reqps"
    quantile = 'histogram_quantile(0.9, rate(x_seconds_bucket{job="%s"}[5m]))'
    assert infer_unit(quantile % "a") == infer_unit(quantile % "b") == "s"
