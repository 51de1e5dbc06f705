"""How stackgen starts the servers: retention from the longest SLO period, external URLs,
storage sizes."""

from __future__ import annotations

import pytest

from stackgen.plan.servers import (
    alertmanager_flags,
    prometheus_flags,
    prometheus_storage_size,
    retention,
)
from stackgen.spec.errors import SpecErrors
from tests.helpers import MINIMAL, minimal_with_slos, stack_from


def test_retention_is_the_longest_slo_period_plus_a_week(tmp_path):
    slos = "{name: a, objective: 99, sli: {type: uptime}}, {name: b, objective: 99, period: 90d, sli: {type: uptime}}"
    stack = stack_from(tmp_path, minimal_with_slos(slos))
    assert retention(stack) == "97d"
    assert prometheus_storage_size(stack) == "97Gi"
    # Without SLOs: Prometheus's own 15d, written out, and 1Gi a day.
    plain = stack_from(tmp_path, MINIMAL)
    assert retention(plain) == "15d" and prometheus_storage_size(plain) == "15Gi"


def test_a_retention_shorter_than_an_slo_period_is_refused(tmp_path):
    spec = minimal_with_slos("{name: a, objective: 99, sli: {type: uptime}}")
    with pytest.raises(SpecErrors, match="retention 20d is shorter than the 30d period"):
        stack_from(tmp_path, spec + "prometheus: {retention: 20d}\n")
    assert retention(stack_from(tmp_path, spec + "prometheus: {retention: 400d}\n")) == "400d"


def test_external_urls_default_to_the_addresses(tmp_path):
    stack = stack_from(tmp_path, MINIMAL)
    assert prometheus_flags(stack, "localhost:9090") == [
        "--storage.tsdb.retention.time=15d",
        "--web.external-url=http://localhost:9090",
        "--web.route-prefix=/",
    ]
    spec = MINIMAL + (
        "prometheus: {external_url: 'https://prom.example.com/p'}\n"
        "alertmanager: {external_url: 'https://am.example.com'}\n"
    )
    stack = stack_from(tmp_path, spec)
    assert "--web.external-url=https://prom.example.com/p" in prometheus_flags(
        stack, stack.prometheus.address
    )
    assert alertmanager_flags(stack, "localhost:9093")[0] == (
        "--web.external-url=https://am.example.com"
    )
