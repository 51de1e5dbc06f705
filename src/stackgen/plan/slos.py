"""SLO rules: the base window's failed and all events, read from the raw series once; each
longer window's and the period's, added up from consecutive spans of a shorter window's; the
error ratio of each window as a ratio of their sums; budget and burn-rate series; and the page
and ticket alerts of the multi-window multi-burn-rate scheme."""

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
from stackgen.spec.model.slos import DEFAULT_ALERT_NAMES

ALERT_NAMES = DEFAULT_ALERT_NAMES
RATIO = "slo:sli_error:ratio_rate{range}"
# Failed and all events per second over a window, per SLO (and group): the base window's read
# from the raw series, every longer window's from a shorter window's (engine.tiling).
FAILED = "slo:sli_errors:rate{range}"
EVENTS = "slo:sli_events:rate{range}"
# Events over a tier's long window, for the low-traffic guard (`min_events`).
COUNT = "slo:sli_events:increase{range}"

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


def _by(slo: SLO, how: str = "sum") -> str:
    return f"{how} by ({', '.join(slo.group_by)})" if slo.group_by else how


def error_ratio(slo: SLO, seconds: int) -> str:
    """A `ratio` SLI's error ratio over one window: its expression, as written."""
    assert isinstance(slo.sli, RatioSLI)
    return Template(slo.sli.expr).safe_substitute(window=format_duration(seconds)).strip()


def event_rates(ctx: ServiceContext, service: Service, slo: SLO, seconds: int) -> tuple[str, str]:
    """(failed, all) events per second over the base window, one series per `group_by` value.
    Every longer window is derived from these two series, never from the raw ones; the events
    are recorded first, and the failed events read them (`or 0 *`)."""
    window = format_duration(seconds)
    by = _by(slo)
    sli = slo.sli
    if isinstance(sli, LatencySLI):
        name = histogram(ctx, slo)
        le = {"le": f"=~{quote(le_pattern(sli.threshold))}"}
        good = f"{by} (rate({selector(f'{name}_bucket', le, job=ctx.job)}[{window}]))"
        total = f"{by} (rate({selector(f'{name}_count', job=ctx.job)}[{window}]))"
        return f"{total} - {good}", total
    if isinstance(sli, RequestsSLI):
        if sli.total is not None and sli.errors is not None:
            total_selector, failed_selector = sli.total, sli.errors
        else:
            total_selector, failed_selector = pack_for(service.kind).requests_sli(ctx)  # type: ignore[misc]
        total = f"{by} (rate({total_selector}[{window}]))"
        # `or 0 *` the events recorded just before in the same evaluation (a group evaluates
        # its rules in order): a group with requests but no failures is 0, not missing.
        events = f"{by} ({slo_selector(EVENTS.format(range=window), service, slo)})"
        return f"{by} (rate({failed_selector}[{window}])) or 0 * {events}", total
    # Uptime: the events are scrapes, the failed ones those where `up` is 0.
    up = selector(ctx.metrics["up"], job=ctx.job)
    scrapes = f"{by} (count_over_time({up}[{window}]))"
    failed = f"{by} (count_over_time({up}[{window}]) - sum_over_time({up}[{window}]))"
    return f"{failed} / {seconds}", f"{scrapes} / {seconds}"


def _derived_ratio(service: Service, slo: SLO, seconds: int, base: int) -> str:
    """A window no shorter window tiles: its error ratio sums the base window's recorded rates
    over its range (a ratio of sums, so a quiet hour weighs what its traffic weighs). `> 0`: a
    window without events has no ratio rather than NaN."""
    window = format_duration(seconds)
    failed = slo_selector(FAILED.format(range=format_duration(base)), service, slo)
    events = slo_selector(EVENTS.format(range=format_duration(base)), service, slo)
    return f"sum_over_time({failed}[{window}]) / (sum_over_time({events}[{window}]) > 0)"


def _spans(service: Service, slo: SLO, name: str, span: int, count: int) -> str:
    """A window's rate as the mean of `count` consecutive spans of a shorter window's recorded
    rate: the span ending now, and those ending one span, two spans ... earlier. A span not
    recorded yet (the rules are younger than the window) adds nothing."""
    now = slo_selector(name.format(range=format_duration(span)), service, slo)
    terms = [now] + [
        f"({now} offset {format_duration(span * k)} or 0 * {now})" for k in range(1, count)
    ]
    return f"({' + '.join(terms)}) / {count}"


def _ratio(service: Service, slo: SLO, seconds: int) -> str:
    """A window's error ratio from its recorded rates: all failed events over all events (a
    ratio of sums). `> 0`: a window without events has no ratio rather than NaN."""
    span = format_duration(seconds)
    failed = slo_selector(FAILED.format(range=span), service, slo)
    return f"{failed} / ({slo_selector(EVENTS.format(range=span), service, slo)} > 0)"


def _tiled_records(service: Service, slo: SLO, window: int) -> list[tuple[int, str, str]]:
    """A tiled window's failed and all event rates (from a shorter window's) and its ratio."""
    span, count = engine.tiling(slo_plan(slo))[window]
    text = format_duration(window)
    return [
        (window, FAILED.format(range=text), _spans(service, slo, FAILED, span, count)),
        (window, EVENTS.format(range=text), _spans(service, slo, EVENTS, span, count)),
        (window, ratio_record(window), _ratio(service, slo, window)),
    ]


def _event_count(service: Service, slo: SLO, seconds: int, base: int) -> str:
    """The events a window saw: its recorded rate times its length (a summed window: its
    average base rate, independent of how often the base rates are recorded)."""
    if seconds in engine.tiling(slo_plan(slo)):
        rate = slo_selector(EVENTS.format(range=format_duration(seconds)), service, slo)
        return f"{rate} * {seconds}"
    events = slo_selector(EVENTS.format(range=format_duration(base)), service, slo)
    return f"avg_over_time({events}[{format_duration(seconds)}]) * {seconds}"


def _window_records(ctx: ServiceContext, service: Service, slo: SLO) -> list[tuple[int, str, str]]:
    """(window, record, expr) of the base window's event rates and ratio, of every longer
    window's (shortest first, the period last) and of the guard's event counts."""
    plan = slo_plan(slo)
    if isinstance(slo.sli, RatioSLI):
        shortest = slo_selector(ratio_record(plan.ranges[0]), service, slo)
        # A ratio expression cannot be split into events: the period averages its ratios.
        return [(w, ratio_record(w), error_ratio(slo, w)) for w in plan.ranges] + [
            (
                plan.period,
                ratio_record(plan.period),
                f"avg_over_time({shortest}[{format_duration(plan.period)}])",
            )
        ]
    base = plan.ranges[0]
    failed, events = event_rates(ctx, service, slo, base)
    span = format_duration(base)
    records = [
        (base, EVENTS.format(range=span), events),  # first: the failed events read it
        (base, FAILED.format(range=span), failed),
        (base, ratio_record(base), _ratio(service, slo, base)),
    ]
    tiled = engine.tiling(plan)
    for window in sorted({*plan.ranges[1:], plan.period} - {base}):
        if window in tiled:
            records += _tiled_records(service, slo, window)
        else:
            records.append(
                (window, ratio_record(window), _derived_ratio(service, slo, window, base))
            )
    if slo.min_events is not None:
        for window in sorted({w.long for w in plan.windows}):
            count = _event_count(service, slo, window, base)
            records.append((window, COUNT.format(range=format_duration(window)), count))
    return records


def slo_record_groups(
    ctx: ServiceContext, service: Service, slo: SLO, slow_group: bool
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The SLO's records for the service's SLO group and for its slow group (the windows no
    page tier reads, and the period); `slow_group` False: every record in the first."""
    plan = slo_plan(slo)
    identity = {"service": service.name, "slo": slo.name}
    if not plan.ranges:
        return [], []
    slow = engine.slow_windows(plan) if slow_group else set()
    fast_records: list[dict[str, Any]] = []
    slow_records: list[dict[str, Any]] = []
    for window, record, expr in _window_records(ctx, service, slo):
        target = slow_records if window in slow else fast_records
        target.append({"record": record, "expr": expr, "labels": identity})
    shortest = slo_selector(ratio_record(plan.ranges[0]), service, slo)
    budget = clean_number(plan.budget)
    period_ratio = slo_selector(ratio_record(plan.period), service, slo)
    period_burn = slo_selector("slo:period_burn_rate:ratio", service, slo)
    constants = [
        ("slo:objective:ratio", f"vector({clean_number(plan.objective)})"),
        ("slo:error_budget:ratio", f"vector({budget})"),
        ("slo:current_burn_rate:ratio", f"{shortest} / {budget}"),
    ]
    period = [
        ("slo:period_burn_rate:ratio", f"{period_ratio} / {budget}"),
        ("slo:period_error_budget_remaining:ratio", f"1 - {period_burn}"),
    ]
    fast_records += [{"record": r, "expr": e, "labels": identity} for r, e in constants]
    target = slow_records if slow_group else fast_records
    target += [{"record": r, "expr": e, "labels": identity} for r, e in period]
    # What changes often (owners, the objective) lives here, off the ratio series.
    info = {**identity, "team": service.team, "objective": clean_number(slo.objective)}
    fast_records.append(
        {
            "record": "slo:info",
            "expr": "vector(1)",
            "labels": {**info, "period": format_duration(plan.period)},
        }
    )
    return fast_records, slow_records


def slo_records(ctx: ServiceContext, service: Service, slo: SLO) -> list[dict[str, Any]]:
    """Every record of the SLO, in one list."""
    fast_records, slow_records = slo_record_groups(ctx, service, slo, slow_group=True)
    return fast_records + slow_records


def _tier_expr(service: Service, slo: SLO, windows: tuple[engine.Window, ...]) -> str:
    def above(seconds: int, threshold: Decimal) -> str:
        return f"{slo_selector(ratio_record(seconds), service, slo)} > {clean_number(threshold)}"

    pairs = [
        f"({above(w.long, w.error_ratio)} and {above(w.short, w.error_ratio)}"
        f"{_enough_events(service, slo, w.long)})"
        for w in windows
    ]
    return " or ".join(pairs) if len(pairs) > 1 else pairs[0][1:-1]


def _enough_events(service: Service, slo: SLO, long: int) -> str:
    """The low-traffic guard of a window pair: its long window saw `min_events` events."""
    if slo.min_events is None:
        return ""
    count = slo_selector(COUNT.format(range=format_duration(long)), service, slo)
    return f" and {count} >= {slo.min_events}"


def guards_outage(service: Service) -> bool:
    """Whether the service's page tiers hold off after an outage its ServiceDown paged for."""
    override = service.alert_overrides.get(OUTAGE_ALERT)
    return override is None or override.enabled


def outage_hold(slo: SLO, windows: tuple[engine.Window, ...]) -> int:
    """How long after a paged outage the tier keeps quiet: until the outage has left every
    short window, the last of the tier's windows that still holds it once it is over. A window
    that sums the base window's recorded rates over its range holds it one base window longer
    (the last rate that saw the outage is recorded a base window after it)."""
    plan = slo_plan(slo)
    summed = not isinstance(slo.sli, RatioSLI) and any(
        engine.base_spans(plan, w.short) is None for w in windows
    )
    return max(w.short for w in windows) + (plan.ranges[0] if summed else 0)


def outage_guard(
    ctx: ServiceContext, service: Service, slo: SLO, windows: tuple[engine.Window, ...]
) -> str:
    """`unless` ServiceDown fired for the service within the tier's longest short window (and
    the base window whose rates it sums).

    While the service is down, ServiceDown pages and inhibits the page tier. When it recovers
    the inhibition lifts while the short windows still hold the outage, so the tier would page
    again for the outage already paged for. Partial outages and slow burns, which ServiceDown
    does not see, still page: only a firing ServiceDown holds the tier.

    ServiceDown also fires when no target is discovered at all; such an absence leaves no
    sample in any SLI window, so it holds nothing (`and on () group(up)`): the generated SLO
    proofs, which feed the windows without targets, test the tier's condition alone."""
    override = service.alert_overrides.get(OUTAGE_ALERT)
    outage = (override.name if override else None) or OUTAGE_ALERT  # under the spec's name
    fired = selector("ALERTS", alertname=outage, alertstate="firing", service=service.name)
    hold = format_duration(outage_hold(slo, windows))
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
    return f"({condition}) {outage_guard(ctx, service, slo, slo_plan(slo).tier(tier))}"


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
        + (
            f" A window pair fires only once its long window saw {slo.min_events} requests."
            if slo.min_events is not None
            else ""
        )
    )


def _freshest(service: Service, slo: SLO) -> str:
    """The SLO's series that goes missing first when its metrics do: the base window's events
    (every ratio sums them over a window, so outlives them), or a ratio SLI's shortest ratio."""
    shortest = slo_plan(slo).ranges[0]
    if isinstance(slo.sli, RatioSLI):
        return slo_selector(ratio_record(shortest), service, slo)
    return slo_selector(EVENTS.format(range=format_duration(shortest)), service, slo)


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
                    f" It stays quiet for {format_duration(outage_hold(slo, windows))} after "
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
                "expr": f"absent({_freshest(service, slo)})",
                "for_": "10m",
                "summary": f"SLO `{slo.name}` of {service.name} has no data",
                "description": f"The error ratio of SLO `{slo.name}` cannot be computed: its "
                "metrics are missing or have no traffic, so its burn-rate alerts cannot fire.",
                "diagnosis": ("Is the service scraped, and do its SLI metrics still exist?",),
            }
        )
    return fields
