"""Whether a metric is a counter or a gauge, from evidence rather than its name alone: a table
of common exporters' metrics whose names mislead (gauges named `_total`, counters without it),
what the query itself reads beside the metric (a `_total` read beside its `_used`, `_free` or
`_healthy` sibling is a capacity, a gauge), and only then the naming conventions; a team's
hints (the lint config's `metric_types`, as a `# TYPE` line says it) come first. None: the
evidence does not say, and a check stays quiet."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from typing import Literal

Kind = Literal["counter", "gauge"]
# A team's own word, as a `# TYPE` line would say it: (regex of metric names, kind), first
# match wins; the lint config's `metric_types`.
Hints = tuple[tuple[str, Kind], ...]

# Gauges named `_total` (a capacity or a count of things, not of events), from the exporters'
# documentation: ceph, cadvisor, envoy, Hadoop's JMX, OpenStack, MinIO, Proxmox VE, Mimir and
# Cortex, DigitalOcean, kube-state-metrics (all but restarts), node_exporter's filesystems.
_GAUGES = re.compile(
    r"ceph_pg_total|ceph_osds?_total|container_fs_inodes_total|envoy_cluster_membership_total|"
    r"hadoop_\w+_bytes_total|openstack_\w+_total|minio_cluster_\w+_total|minio_node_\w+_total|"
    r"pve_not_backed_up_total|(cortex|mimir)_ruler_managers_total|digitalocean_incidents_total|"
    r"kube_(?!pod_container_status_restarts_total|state_metrics_)\w+_total|node_filesystem_files|"
    r"node_memory_\w+_bytes|node_filesystem_\w+_bytes|node_load\d+|process_resident_memory_bytes|"
    r"process_open_fds|go_goroutines|pg_stat_activity_count|mysql_global_status_threads_\w+"
)
# Counters without `_total`: exporters older than the convention, or that export untyped
# cumulative values (the junos, postgres, Elasticsearch and MySQL exporters, node_exporter < 0.16).
_COUNTERS = re.compile(
    r"junos_interface_(transmit|receive)_(bytes|packets|errors|drops)|pg_txid_current|"
    r"pg_stat_database_(xact_commit|xact_rollback|blks_read|blks_hit|tup_\w+|deadlocks|"
    r"conflicts|temp_bytes|temp_files)|pg_stat_bgwriter_\w+|elasticsearch_indices_\w+_time_seconds|"
    r"elasticsearch_indices_\w+_(count|total)|node_network_(transmit|receive)_(bytes|packets)|"
    r"mysql_global_status_(questions|queries|slow_queries|bytes_\w+|com_\w+|aborted_\w+)|"
    r"node_cpu|node_disk_\w+_(bytes|seconds)|redis_commands_processed|nginx_http_requests"
)
# A capacity's sibling: `x_total` read beside one of these is how much there is of x.
_CAPACITY_PARTS = (
    "used", "free", "avail", "available", "healthy", "active", "usage", "allocation_ratio",
    "allocated", "online", "offline", "up", "ready", "size",
)  # fmt: skip
# Names no counter has (OpenMetrics and Prometheus naming conventions).
_GAUGE_SUFFIX = re.compile(
    r"^up$|_(info|timestamp|timestamp_seconds|ratio|percent|celsius|temperature|volts|amperes)$"
)
# An amount of memory or space (not a flow of bytes): a gauge, whatever the exporter.
_AMOUNT = re.compile(
    r"(avail|free|used|usage|size|limit|max|min|capacity|memory|mem|working_set|cached|buffers|"
    r"slab|swap|heap|speed)[a-z_]*_bytes",
    re.IGNORECASE,
)
# A counter of seconds since start: read as it is, it tells of a restart.
_UPTIME = re.compile(r"uptime")


def kind(name: str, beside: Iterable[str] = (), hints: Hints = ()) -> Kind | None:
    """What the evidence says `name` is; `beside`: the other metrics its query reads; `hints`:
    the team's word, which comes before any other evidence."""
    for pattern, hinted in hints:
        if re.fullmatch(pattern, name):
            return hinted
    named, capacity = _by_name(name)
    if capacity:
        prefix = name[: -len("_total")] + "_"
        if any(m.startswith(prefix) and m[len(prefix) :] in _CAPACITY_PARTS for m in beside):
            return "gauge"
    return named


@lru_cache(maxsize=1 << 14)
def _by_name(name: str) -> tuple[Kind | None, bool]:
    """What the tables and the conventions say of `name`, and whether it is a `_total` that a
    capacity sibling read beside it makes a gauge. Once per name: a rule file reads the same
    metrics again and again."""
    if _GAUGES.fullmatch(name):
        return "gauge", False
    if _COUNTERS.fullmatch(name):
        return "counter", False
    if name.endswith("_total"):
        return (None if _UPTIME.search(name) else "counter"), True
    if _GAUGE_SUFFIX.search(name) or _AMOUNT.search(name):
        return "gauge", False
    return None, False
