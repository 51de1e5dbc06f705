"""Model inference services: request and error counters, a latency histogram by model, sessions."""

from __future__ import annotations

from stackgen.packs.base import AlertDef, Pack, PanelDef, Query, RecordDef, ServiceContext

ERROR_RATIO = "job:inference_errors:ratio_rate{range}"
REQUESTS = "job:inference_requests:rate{range}"
DURATION_BUCKETS = "job_model:inference_duration_seconds_bucket:rate{range}"


def _quantile(q: str, c: ServiceContext) -> str:
    return f"histogram_quantile({q}, {c.rec(DURATION_BUCKETS)})"


def _requests_sli(c: ServiceContext) -> tuple[str, str]:
    return c.m("requests_total"), c.m("errors_total")


AI_INFERENCE = Pack(
    kind="ai-inference",
    metrics={
        "requests_total": "inference_requests_total",
        "errors_total": "inference_errors_total",
        "duration": "inference_duration_seconds",
        "active_sessions": "active_sessions",
        "tokens_total": "inference_tokens_total",
        "model_load_duration": "model_load_duration_seconds",
    },
    query_labels=frozenset({"model", "le"}),
    records=(
        RecordDef(REQUESTS, lambda c: f"sum by (job) ({c.rate('requests_total')})"),
        RecordDef(
            ERROR_RATIO,
            lambda c: (
                f"sum by (job) ({c.rate('errors_total')})"
                f" / sum by (job) ({c.rate('requests_total')})"
            ),
        ),
        RecordDef(
            DURATION_BUCKETS,
            lambda c: f"sum by (job, model, le) ({c.rate('duration', '_bucket')})",
        ),
    ),
    alerts=(
        AlertDef(
            name="HighInferenceErrors",
            severity="critical",
            for_="5m",
            threshold=0.05,
            threshold_unit="ratio",
            expr=lambda c, t: f"{c.rec(ERROR_RATIO)} > {t}",
            summary="{{ $labels.job }} fails {{ $value | humanizePercentage }} of inferences",
            description="More than ${threshold} of inference requests to {{ $labels.job }} "
            "failed over the last ${range}.",
            diagnosis=(
                "Which model fails: break the errors down by model.",
                "Check accelerator health, out-of-memory kills and model loading errors.",
            ),
        ),
        AlertDef(
            name="SlowInference",
            severity="warning",
            for_="10m",
            threshold=2,
            threshold_unit="seconds",
            expr=lambda c, t: f"{_quantile('0.95', c)} > {t}",
            summary="{{ $labels.model }} on {{ $labels.job }}: p95 inference takes "
            "{{ $value | humanizeDuration }}",
            description="The 95th percentile inference duration of model {{ $labels.model }} "
            "is above ${threshold}s.",
            diagnosis=("Check queue depth, batch sizes and accelerator utilisation.",),
        ),
        AlertDef(
            name="HighActiveSessions",
            severity="warning",
            for_="10m",
            threshold=100,
            threshold_unit="count",
            expr=lambda c, t: f"sum by (job) ({c.m('active_sessions')}) > {t}",
            summary="{{ $labels.job }} holds {{ $value | humanize }} active sessions",
            description="{{ $labels.job }} has more than ${threshold} active sessions: "
            "scale out or check for sessions that are never closed.",
            diagnosis=("Are sessions closed? Compare session starts and ends.",),
        ),
    ),
    panels=(
        PanelDef(
            "Inference rate",
            "timeseries",
            (Query(lambda c: c.rec(REQUESTS), "requests/s"),),
            min=0,
        ),
        PanelDef(
            "Inference error ratio",
            "timeseries",
            (Query(lambda c: c.rec(ERROR_RATIO), "error ratio"),),
            min=0,
            threshold_alert="HighInferenceErrors",
        ),
        PanelDef(
            "Inference duration p95 by model",
            "timeseries",
            (Query(lambda c: _quantile("0.95", c), "{{model}}"),),
            min=0,
            threshold_alert="SlowInference",
        ),
        PanelDef(
            "Requests and errors by model",
            "timeseries",
            (
                Query(
                    lambda c: f"sum by (model) ({c.panel_rate('requests_total')})",
                    "{{model}} requests",
                ),
                Query(
                    lambda c: f"sum by (model) ({c.panel_rate('errors_total')})", "{{model}} errors"
                ),
            ),
            min=0,
        ),
        PanelDef(
            "Tokens by model",
            "timeseries",
            (Query(lambda c: f"sum by (model) ({c.panel_rate('tokens_total')})", "{{model}}"),),
            unit="cps",  # tokens per second; Grafana has no token unit
            min=0,
        ),
        PanelDef(
            "Model load time",
            "timeseries",
            (Query(lambda c: f"max by (model) ({c.m('model_load_duration')})", "{{model}}"),),
            min=0,
        ),
        PanelDef(
            "Active sessions",
            "timeseries",
            (Query(lambda c: f"sum by (job) ({c.m('active_sessions')})", "sessions"),),
            min=0,
            threshold_alert="HighActiveSessions",
        ),
    ),
    requests_sli=_requests_sli,
)
