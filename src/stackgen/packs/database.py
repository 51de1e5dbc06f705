"""PostgreSQL through postgres_exporter."""

from __future__ import annotations

from stackgen.packs.base import AlertDef, Pack, PanelDef, Query, RecordDef, ServiceContext

CONNECTIONS_USED = "instance:pg_connections_used:ratio"
ROLLBACK_RATIO = "instance:pg_xact_rollback:ratio_rate{range}"


def _by_instance(expr: str, how: str = "sum") -> str:
    return f"{how} by (job, instance) ({expr})"


def _rollback_ratio(c: ServiceContext) -> str:
    rollbacks = _by_instance(c.rate("xact_rollback"))
    return f"{rollbacks} / ({_by_instance(c.rate('xact_commit'))} + {rollbacks})"


DATABASE = Pack(
    kind="database",
    metrics={
        "connections": "pg_stat_activity_count",
        "max_connections": "pg_settings_max_connections",
        "xact_commit": "pg_stat_database_xact_commit",
        "xact_rollback": "pg_stat_database_xact_rollback",
        "max_tx_duration": "pg_stat_activity_max_tx_duration",
    },
    query_labels=frozenset({"datname"}),
    records=(
        RecordDef(
            CONNECTIONS_USED,
            lambda c: (
                f"{_by_instance(c.m('connections'))}"
                f" / {_by_instance(c.m('max_connections'), 'max')}"
            ),
        ),
        RecordDef(ROLLBACK_RATIO, _rollback_ratio),
    ),
    alerts=(
        AlertDef(
            name="ConnectionPoolExhausted",
            severity="critical",
            for_="5m",
            threshold=0.9,
            threshold_unit="ratio",
            expr=lambda c, t: f"{c.rec(CONNECTIONS_USED)} > {t}",
            summary="{{ $labels.instance }} uses {{ $value | humanizePercentage }} "
            "of its connections",
            description="PostgreSQL {{ $labels.instance }} ({{ $labels.job }}) has used more "
            "than ${threshold} of max_connections for ${for}; new clients will be refused.",
            diagnosis=(
                "Which clients hold connections: pg_stat_activity grouped by application_name.",
                "Look for idle-in-transaction sessions and leaked pools.",
            ),
        ),
        AlertDef(
            name="SlowQueries",
            severity="warning",
            for_="5m",
            threshold=60,
            threshold_unit="seconds",
            expr=lambda c, t: (
                _by_instance(c.m("max_tx_duration", extra={"datname": '!~"template.*"'}), "max")
                + f" > {t}"
            ),
            summary="{{ $labels.instance }} runs a transaction for {{ $value | humanizeDuration }}",
            description="A transaction on PostgreSQL {{ $labels.instance }} has been running for "
            "more than ${threshold}s.",
            diagnosis=(
                "Find it: pg_stat_activity ordered by xact_start.",
                "Check for lock waits (pg_locks) and missing indexes on recent queries.",
            ),
        ),
        AlertDef(
            name="HighErrorRate",
            severity="warning",
            for_="10m",
            threshold=0.05,
            threshold_unit="ratio",
            expr=lambda c, t: f"{c.rec(ROLLBACK_RATIO)} > {t}",
            summary="{{ $labels.instance }} rolls back {{ $value | humanizePercentage }} "
            "of transactions",
            description="More than ${threshold} of transactions on PostgreSQL "
            "{{ $labels.instance }} were rolled back over the last ${range}.",
            diagnosis=("Check the database log for constraint violations, deadlocks, timeouts.",),
        ),
    ),
    panels=(
        PanelDef(
            "Connections",
            "timeseries",
            (
                Query(lambda c: _by_instance(c.m("connections")), "{{instance}} in use"),
                Query(lambda c: _by_instance(c.m("max_connections"), "max"), "{{instance}} max"),
            ),
            min=0,
        ),
        PanelDef(
            "Connections used",
            "timeseries",
            (Query(lambda c: c.rec(CONNECTIONS_USED), "{{instance}}"),),
            min=0,
            max=1,
            threshold_alert="ConnectionPoolExhausted",
        ),
        PanelDef(
            "Longest transaction",
            "timeseries",
            (Query(lambda c: _by_instance(c.m("max_tx_duration"), "max"), "{{instance}}"),),
            unit="s",
            min=0,
            threshold_alert="SlowQueries",
        ),
        PanelDef(
            "Rollback ratio",
            "timeseries",
            (Query(lambda c: c.rec(ROLLBACK_RATIO), "{{instance}}"),),
            min=0,
            threshold_alert="HighErrorRate",
        ),
    ),
)
