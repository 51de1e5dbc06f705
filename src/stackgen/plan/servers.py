"""How stackgen starts Prometheus and Alertmanager wherever it starts them (compose, Kubernetes
workloads, the operator's resources): retention, external URLs, storage sizes. One place, so
the targets agree."""

from __future__ import annotations

import math

from stackgen.common.values import format_duration, parse_duration
from stackgen.spec.model import Stack

DAY = 86400
RETENTION_MARGIN = 7 * DAY  # a week past the longest SLO period
PROMETHEUS_DEFAULT_RETENTION = 15 * DAY
GIB_PER_RETENTION_DAY = 1  # a mid-sized stack's day of samples, with compaction headroom
MIN_PROMETHEUS_GIB = 10


def longest_slo_period(stack: Stack) -> int | None:
    periods = [int(parse_duration(slo.period)) for s in stack.services for slo in s.slos]
    return max(periods, default=None)


def retention_seconds(stack: Stack) -> int:
    """The spec's retention; else the longest SLO period plus a week, at least Prometheus's own
    default: the SLOs' period ratios and dashboards read a whole period back."""
    if stack.prometheus.retention is not None:
        return int(parse_duration(stack.prometheus.retention))
    longest = longest_slo_period(stack)
    return max(PROMETHEUS_DEFAULT_RETENTION, (longest or 0) + RETENTION_MARGIN)


def retention(stack: Stack) -> str:
    return format_duration(retention_seconds(stack))


def prometheus_storage_size(stack: Stack) -> str:
    if stack.prometheus.storage_size is not None:
        return stack.prometheus.storage_size
    days = math.ceil(retention_seconds(stack) / DAY)
    return f"{max(MIN_PROMETHEUS_GIB, days * GIB_PER_RETENTION_DAY)}Gi"


def prometheus_external_url(stack: Stack, address: str) -> str:
    """The spec's external URL for the server at prometheus.address; http:// and the address
    for a shard (people reach shards directly, if at all)."""
    server = stack.prometheus
    if address == server.address and server.external_url is not None:
        return server.external_url
    return f"http://{address}"


def alertmanager_external_url(stack: Stack, address: str) -> str:
    return stack.alertmanager.external_url or f"http://{address}"


def prometheus_flags(stack: Stack, address: str) -> list[str]:
    """The flags every Prometheus stackgen starts carries, besides its config and paths."""
    return [
        f"--storage.tsdb.retention.time={retention(stack)}",
        f"--web.external-url={prometheus_external_url(stack, address)}",
        # Served at the root whatever the URL's path (a proxy strips it): the health checks,
        # the self-scrape and Alertmanager's API stay where the configs look for them.
        "--web.route-prefix=/",
    ]


def alertmanager_flags(stack: Stack, address: str) -> list[str]:
    return [
        f"--web.external-url={alertmanager_external_url(stack, address)}",
        "--web.route-prefix=/",
    ]
