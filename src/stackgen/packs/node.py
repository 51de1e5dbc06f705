"""Hosts through node_exporter."""

from __future__ import annotations

from stackgen.packs.base import AlertDef, Pack, PanelDef, Query, RecordDef, ServiceContext

CPU = "instance:node_cpu_utilisation:rate{range}"
MEMORY = "instance:node_memory_utilisation:ratio"
_IDLE = {"mode": '="idle"'}
# Filesystems whose fullness is not an operator's problem.
_REAL_NICS = {"device": '!~"lo|veth.*|docker.*|br-.*|virbr.*"'}
_REAL_FS = {"fstype": '!~"tmpfs|overlay|squashfs|ramfs|nsfs"'}


def _disk_free(c: ServiceContext) -> str:
    return f"{c.m('fs_avail', extra=_REAL_FS)} / {c.m('fs_size', extra=_REAL_FS)}"


NODE = Pack(
    kind="node",
    metrics={
        "cpu_seconds": "node_cpu_seconds_total",
        "memory_available": "node_memory_MemAvailable_bytes",
        "memory_total": "node_memory_MemTotal_bytes",
        "fs_avail": "node_filesystem_avail_bytes",
        "fs_size": "node_filesystem_size_bytes",
        "network_receive": "node_network_receive_bytes_total",
        "network_transmit": "node_network_transmit_bytes_total",
    },
    query_labels=frozenset({"mode", "fstype", "mountpoint", "device"}),
    records=(
        # Idle time over all CPU time: right from the first scrapes of a new node, where an
        # average of idle rates would read low while the rate window is still filling.
        RecordDef(
            CPU,
            lambda c: (
                f"1 - sum by (job, instance) ({c.rate('cpu_seconds', extra=_IDLE)})"
                f" / sum by (job, instance) ({c.rate('cpu_seconds')})"
            ),
        ),
        RecordDef(MEMORY, lambda c: f"1 - {c.m('memory_available')} / {c.m('memory_total')}"),
    ),
    alerts=(
        AlertDef(
            name="HighMemory",
            severity="warning",
            for_="10m",
            threshold=0.9,
            threshold_unit="ratio",
            expr=lambda c, t: f"{c.rec(MEMORY)} > {t}",
            summary="{{ $labels.instance }} uses {{ $value | humanizePercentage }} of its memory",
            description="Memory use on {{ $labels.instance }} has been above ${threshold} "
            "for ${for}; the OOM killer may strike.",
            diagnosis=("Which processes grow: top by RSS; check for leaks after deploys.",),
        ),
        AlertDef(
            name="HighCPU",
            severity="warning",
            for_="15m",
            threshold=0.85,
            threshold_unit="ratio",
            expr=lambda c, t: f"{c.rec(CPU)} > {t}",
            summary="{{ $labels.instance }} CPU is {{ $value | humanizePercentage }} busy",
            description="CPU use on {{ $labels.instance }} has been above ${threshold} for ${for}.",
            diagnosis=("Which processes use the CPU; is it steady load or a runaway?",),
        ),
        AlertDef(
            name="DiskSpaceLow",
            severity="warning",
            for_="15m",
            threshold=0.1,
            threshold_unit="ratio",
            expr=lambda c, t: f"{_disk_free(c)} < {t}",
            summary="{{ $labels.mountpoint }} on {{ $labels.instance }} has "
            "{{ $value | humanizePercentage }} free",
            description="Less than ${threshold} of {{ $labels.mountpoint }} on "
            "{{ $labels.instance }} is free.",
            diagnosis=("What grew: du on the mount point; logs, dumps, old releases.",),
        ),
    ),
    panels=(
        PanelDef(
            "CPU usage",
            "timeseries",
            (Query(lambda c: c.rec(CPU), "{{instance}}"),),
            min=0,
            max=1,
            threshold_alert="HighCPU",
        ),
        PanelDef(
            "Memory usage",
            "timeseries",
            (Query(lambda c: c.rec(MEMORY), "{{instance}}"),),
            min=0,
            max=1,
            threshold_alert="HighMemory",
        ),
        PanelDef(
            "Disk space free",
            "timeseries",
            (Query(_disk_free, "{{instance}} {{mountpoint}}"),),
            min=0,
            max=1,
            threshold_alert="DiskSpaceLow",
            threshold_below=True,
        ),
        PanelDef(
            "Network traffic",
            "timeseries",
            tuple(
                Query(
                    lambda c, role=role: (
                        f"sum by (instance) ({c.panel_rate(role, extra=_REAL_NICS)})"
                    ),
                    "{{instance}} " + direction,
                )
                for role, direction in (("network_receive", "in"), ("network_transmit", "out"))
            ),
            min=0,
        ),
    ),
)
