"""HTTP APIs instrumented with a request counter (status label) and a latency histogram."""

from __future__ import annotations

from stackgen.packs.base import AlertDef, Pack, PanelDef, Query, RecordDef, ServiceContext

REQUESTS = "job:http_requests:rate{range}"
ERRORS = "job:http_request_errors:rate{range}"
ERROR_RATIO = "job:http_request_errors:ratio_rate{range}"
LATENCY_BUCKETS = "job:http_request_duration_seconds_bucket:rate{range}"


def _errors(c: ServiceContext) -> dict[str, str]:
    return {c.metrics["status_label"]: '=~"5.."'}


def _quantile(q: str, c: ServiceContext) -> str:
    return f"histogram_quantile({q}, {c.rec(LATENCY_BUCKETS)})"


def _requests_sli(c: ServiceContext) -> tuple[str, str]:
    return c.m("requests_total"), c.m("requests_total", extra=_errors(c))


HTTP = Pack(
    kind="http",
    metrics={
        "requests_total": "http_requests_total",
        "request_duration": "http_request_duration_seconds",
        "status_label": "status",
    },
    label_roles=frozenset({"status_label"}),
    query_labels=frozenset({"le"}),
    records=(
        RecordDef(REQUESTS, lambda c: f"sum by (job) ({c.rate('requests_total')})"),
        RecordDef(ERRORS, lambda c: f"sum by (job) ({c.rate('requests_total', extra=_errors(c))})"),
        # From the two records above, so dashboards can also sum them across services.
        RecordDef(ERROR_RATIO, lambda c: f"{c.rec(ERRORS)} / {c.rec(REQUESTS)}"),
        RecordDef(
            LATENCY_BUCKETS,
            lambda c: f"sum by (job, le) ({c.rate('request_duration', '_bucket')})",
        ),
    ),
    alerts=(
        AlertDef(
            name="HighHTTPErrorRate",
            severity="critical",
            for_="5m",
            threshold=0.05,
            threshold_unit="ratio",
            expr=lambda c, t: f"{c.rec(ERROR_RATIO)} > {t}",
            summary="{{ $labels.job }} answers {{ $value | humanizePercentage }} of requests "
            "with 5xx",
            description="More than ${threshold} of requests to {{ $labels.job }} "
            "failed with a 5xx status over the last ${range}.",
            diagnosis=(
                "Which endpoints fail: break the error ratio down by route or handler.",
                "Did a deploy or a dependency (database, inference) change just before?",
            ),
        ),
        AlertDef(
            name="HighAPILatency",
            severity="warning",
            for_="10m",
            threshold=0.5,
            threshold_unit="seconds",
            expr=lambda c, t: f"{_quantile('0.95', c)} > {t}",
            summary="{{ $labels.job }} p95 latency is {{ $value | humanizeDuration }}",
            description="The 95th percentile latency of {{ $labels.job }} is above ${threshold}s.",
            diagnosis=(
                "Compare p50 and p99: is everything slow or only a tail?",
                "Check saturation: CPU, connection pools, downstream latency.",
            ),
        ),
        AlertDef(
            name="HighRequestRate",
            severity="warning",
            for_="10m",
            threshold=1000,
            threshold_unit="rate",
            expr=lambda c, t: f"{c.rec(REQUESTS)} > {t}",
            summary="{{ $labels.job }} receives {{ $value | humanize }} requests/s",
            description="{{ $labels.job }} receives more than ${threshold} "
            "requests per second: check for abuse, retry storms or a capacity plan.",
            diagnosis=("Which clients drive the traffic? Is it a retry storm?",),
        ),
    ),
    panels=(
        PanelDef(
            "Request rate",
            "timeseries",
            (Query(lambda c: c.rec(REQUESTS), "requests/s"),),
            min=0,
        ),
        PanelDef(
            "Requests by status",
            "timeseries",
            (
                Query(
                    lambda c: (
                        f"sum by ({c.metrics['status_label']}) ({c.panel_rate('requests_total')})"
                    ),
                    "__auto",  # Grafana names each series by its status
                ),
            ),
            min=0,
        ),
        PanelDef(
            "Error ratio (5xx)",
            "timeseries",
            (Query(lambda c: c.rec(ERROR_RATIO), "5xx ratio"),),
            min=0,
            threshold_alert="HighHTTPErrorRate",
        ),
        PanelDef(
            "Latency",
            "timeseries",
            tuple(
                Query(lambda c, q=q: _quantile(q, c), f"p{round(float(q) * 100)}")
                for q in ("0.5", "0.95", "0.99")
            ),
            min=0,
            threshold_alert="HighAPILatency",
        ),
        PanelDef(
            "Latency distribution",
            "heatmap",
            (Query(lambda c: f"sum by (le) ({c.rec(LATENCY_BUCKETS)})", "{{le}}"),),
            unit="s",
        ),
    ),
    requests_sli=_requests_sli,
)
