"""SLO rules: the error ratio of each window, budget and burn-rate series, and the page and
ticket alerts of the multi-window multi-burn-rate scheme."""

from __future__ import annotations

from decimal import Decimal
from string import Template
from typing import Any

from stackgen.common.values import clean_number, format_duration
from stackgen.packs.base import ServiceContext
from stackgen.packs.catalog import pack_for
from stackgen.plan.memo import per_plan
from stackgen.prometheus.promql import quote, selector
from stackgen.spec import burn_rates as engine
from stackgen.spec.model import HISTOGRAM_ROLES, SLO, LatencySLI, RatioSLI, RequestsSLI, Service

ALERT_NAMES = {
    "uptime": "AvailabilityViolation",
    "requests": "ErrorRateViolation",
    "latency": "LatencyViolation",
    "ratio": "SLOViolation",
}
RATIO = "slo:sli_error:ratio_rate{range}"
# The alert that pages for a whole service being down; it inhibits the service's other alerts.
OUTAGE_ALERT = "ServiceDown"


@per_plan
def slo_plan(slo: SLO) -> engine.Plan:
    """The SLO's arithmetic, worked out once per plan: its rules, alerts, proofs and panels
    each use it."""
    return engine.plan(slo)


def ratio_record(seconds: int) -> str:
    return RATIO.format(range=format_duration(seconds))


def slo_selector(name: str, service: Service, slo: SLO) -> str:
    return selector(name, service=service.name, slo=slo.name)


def le_pattern(threshold: float) -> str:
    """The bucket's `le` as Go clients write it (`1`) and as Python clients do (`1.0`)."""
    text = clean_number(threshold).replace(".", "\\.")
    return f"{text}(\\.0)?" if "." not in clean_number(threshold) else text


def histogram(ctx: ServiceContext, slo: SLO) -> str | None:
    """The latency SLI's histogram: as given, or the kind's latency metric."""
    assert isinstance(slo.sli, LatencySLI)
    if slo.sli.histogram:
        return slo.sli.histogram
    return next((ctx.metrics[r] for r in HISTOGRAM_ROLES if r in ctx.metrics), None)


def error_ratio(ctx: ServiceContext, service: Service, slo: SLO, seconds: int) -> str:
    """The SLI's error ratio over one window, one series per `group_by` value."""
    window = format_duration(seconds)
    by = f"sum by ({', '.join(slo.group_by)})" if slo.group_by else "sum"
    sli = slo.sli
    if isinstance(sli, RatioSLI):
        return Template(sli.expr).safe_substitute(window=window).strip()
    if isinstance(sli, LatencySLI):
        name = histogram(ctx, slo)
        le = {"le": f"=~{quote(le_pattern(sli.threshold))}"}
        good = f"{by} (rate({selector(f'{name}_bucket', le, job=ctx.job)}[{window}]))"
        total = f"{by} (rate({selector(f'{name}_count', job=ctx.job)}[{window}]))"
        # `> 0`: a window without requests has no ratio rather than NaN (0/0), which would
        # poison the period's average for the whole period.
        return f"1 - {good} / ({total} > 0)"
    if isinstance(sli, RequestsSLI):
        if sli.total is not None and sli.errors is not None:
            total_selector, failed_selector = sli.total, sli.errors
        else:
            total_selector, failed_selector = pack_for(service.kind).requests_sli(ctx)  # type: ignore[misc]
        total = f"{by} (rate({total_selector}[{window}]))"
        failed = f"{by} (rate({failed_selector}[{window}]))"
        # `or 0 * total`: a group with requests but no failures is 0, not missing; `> 0`: a
        # window without requests has no ratio rather than NaN, which would poison the period.
        return f"({failed} or 0 * {total}) / ({total} > 0)"
    up = selector(ctx.metrics["up"], job=ctx.job)
    avg = f"avg by ({', '.join(slo.group_by)})" if slo.group_by else "avg"
    return f"1 - {avg} (avg_over_time({up}[{window}]))"


def slo_records(ctx: ServiceContext, service: Service, slo: SLO) -> list[dict[str, Any]]:
    plan = slo_plan(slo)
    identity = {"service": service.name, "slo": slo.name}
    shortest = slo_selector(ratio_record(plan.ranges[0]), service, slo) if plan.ranges else None
    budget = clean_number(plan.budget)
    period = format_duration(plan.period)
    records = [
        {"record": ratio_record(w), "expr": error_ratio(ctx, service, slo, w), "labels": identity}
        for w in plan.ranges
    ]
    if shortest is None:
        return records
    period_ratio = ratio_record(plan.period)
    period_burn = slo_selector("slo:period_burn_rate:ratio", service, slo)
    derived = [
        # The period's ratio from the shortest window's: cheap, and exact for steady traffic.
        (period_ratio, f"avg_over_time({shortest}[{period}])"),
        ("slo:objective:ratio", f"vector({clean_number(plan.objective)})"),
        ("slo:error_budget:ratio", f"vector({budget})"),
        ("slo:current_burn_rate:ratio", f"{shortest} / {budget}"),
        ("slo:period_burn_rate:ratio", f"{slo_selector(period_ratio, service, slo)} / {budget}"),
        ("slo:period_error_budget_remaining:ratio", f"1 - {period_burn}"),
    ]
    records += [{"record": r, "expr": e, "labels": identity} for r, e in derived]
    # What changes often (owners, the objective) lives here, off the ratio series.
    info = {**identity, "team": service.team, "objective": clean_number(slo.objective)}
    records.append(
        {"record": "slo:info", "expr": "vector(1)", "labels": {**info, "period": period}}
    )
    return records


def _tier_expr(service: Service, slo: SLO, windows: tuple[engine.Window, ...]) -> str:
    def above(seconds: int, threshold: Decimal) -> str:
        return f"{slo_selector(ratio_record(seconds), service, slo)} > {clean_number(threshold)}"

    pairs = [
        f"({above(w.long, w.error_ratio)} and {above(w.short, w.error_ratio)})" for w in windows
    ]
    return " or ".join(pairs) if len(pairs) > 1 else pairs[0][1:-1]


def guards_outage(service: Service) -> bool:
    """Whether the service's page tiers hold off after an outage its ServiceDown paged for."""
    override = service.alert_overrides.get(OUTAGE_ALERT)
    return override is None or override.enabled


def outage_hold(windows: tuple[engine.Window, ...]) -> int:
    """How long after a paged outage the tier keeps quiet: until the outage has left every
    short window, the last of the tier's windows that still holds it once it is over."""
    return max(w.short for w in windows)


def outage_guard(ctx: ServiceContext, service: Service, windows: tuple[engine.Window, ...]) -> str:
    """`unless` ServiceDown fired for the service within the tier's longest short window.

    While the service is down, ServiceDown pages and inhibits the page tier. When it recovers
    the inhibition lifts while the short windows still hold the outage, so the tier would page
    again for the outage already paged for. Partial outages and slow burns, which ServiceDown
    does not see, still page: only a firing ServiceDown holds the tier.

    ServiceDown also fires when no target is discovered at all; such an absence leaves no
    sample in any SLI window, so it holds nothing (`and on () group(up)`): the generated SLO
    proofs, which feed the windows without targets, test the tier's condition alone."""
    fired = selector("ALERTS", alertname=OUTAGE_ALERT, alertstate="firing", service=service.name)
    hold = format_duration(outage_hold(windows))
    scraped = f"group({selector(ctx.metrics['up'], job=ctx.job)})"
    return f"unless on (service) (max_over_time({fired}[{hold}]) and on () {scraped})"


def tier_condition(service: Service, slo: SLO, tier: str) -> str:
    """The tier's burn-rate condition alone, without the outage guard."""
    return _tier_expr(service, slo, slo_plan(slo).tier(tier))


def tier_expr(ctx: ServiceContext, service: Service, slo: SLO, tier: str) -> str:
    """The tier's alert expression: its condition, the page tier guarded against re-paging
    for an outage ServiceDown paged for."""
    condition = tier_condition(service, slo, tier)
    if tier != "page" or not guards_outage(service):
        return condition
    return f"({condition}) {outage_guard(ctx, service, slo_plan(slo).tier(tier))}"


def _tier_description(slo: SLO, plan: engine.Plan, windows: tuple[engine.Window, ...]) -> str:
    parts = [
        f"{clean_number(w.burn_rate)}x the budget ({clean_number(w.error_ratio * 100)}% errors) "
        f"over {format_duration(w.long)} and {format_duration(w.short)}"
        for w in windows
    ]
    fastest = max(windows, key=lambda w: w.burn_rate)
    rate = clean_number(fastest.burn_rate)
    exhaust = format_duration(float(Decimal(plan.period) / fastest.burn_rate))
    return (
        f"SLO `{slo.name}` ({clean_number(slo.objective)}% over {format_duration(plan.period)}) "
        f"is burning its error budget: {' or '.join(parts)}. At {rate}x, "
        f"{clean_number(fastest.budget_consumed)}% of the budget goes in "
        f"{format_duration(fastest.long)} and all of it in {exhaust}."
    )


def slo_alert_fields(ctx: ServiceContext, service: Service, slo: SLO) -> list[dict[str, Any]]:
    """The fields of each tier's alert (and the missing-SLI alert) of one SLO."""
    plan = slo_plan(slo)
    name = slo.alert or ALERT_NAMES[slo.sli.type]
    fields = []
    for tier in engine.TIERS:
        windows = plan.tier(tier)
        if not windows:
            continue
        fields.append(
            {
                "name": name,
                "severity": plan.severity[tier],
                "runbook_url": slo.runbook_url,
                "labels": {
                    **slo.labels,
                    **getattr(slo.tiers, tier).labels,
                    "slo": slo.name,
                    "slo_tier": tier,
                },
                "expr": tier_expr(ctx, service, slo, tier),
                "for_": plan.for_[tier],
                "summary": f"{{{{ $labels.service }}}} burns the error budget of SLO "
                f"`{slo.name}` {'fast' if tier == 'page' else 'steadily'} ({tier})",
                "description": _tier_description(slo, plan, windows)
                + (
                    f" It stays quiet for {format_duration(outage_hold(windows))} after "
                    f"{OUTAGE_ALERT} fired for the service: that outage has paged already."
                    if tier == "page" and guards_outage(service)
                    else ""
                ),
                "threshold": float(windows[0].error_ratio),
                "extra_annotations": dict(slo.annotations),
                "diagnosis": (
                    "Which SLI series (group) burns: the slo:sli_error:ratio_rate* series.",
                    "How much error budget is left this period: "
                    "slo:period_error_budget_remaining:ratio.",
                ),
            }
        )
    if slo.missing_metric_alert and plan.ranges:
        fields.append(
            {
                "name": "SLIMissing",
                "severity": "warning",
                "runbook_url": slo.runbook_url,
                "labels": {"slo": slo.name, **slo.labels},
                "expr": f"absent({slo_selector(ratio_record(plan.ranges[0]), service, slo)})",
                "for_": "10m",
                "summary": f"SLO `{slo.name}` of {service.name} has no data",
                "description": f"The error ratio of SLO `{slo.name}` cannot be computed: its "
                "metrics are missing or have no traffic, so its burn-rate alerts cannot fire.",
                "diagnosis": ("Is the service scraped, and do its SLI metrics still exist?",),
            }
        )
    return fields
