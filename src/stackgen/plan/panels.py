"""Dashboard panels: a service's panels from its kind's pack, the stack overview, the grid."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from stackgen.common.values import clean_number, format_duration
from stackgen.packs.base import Expr, OverviewPanelDef, PanelDef, ServiceContext
from stackgen.packs.catalog import PACKS
from stackgen.packs.service import dashboard_panels, pack_spec, service_pack
from stackgen.plan.alerts import service_alerts, service_context
from stackgen.plan.slos import ratio_record, slo_plan, slo_selector
from stackgen.plan.units import infer_unit
from stackgen.prometheus.promql import literal_regex, quote, selector
from stackgen.spec.custom import AlertPack
from stackgen.spec.model import SLO, Service, Stack

GRID_WIDTH = 24
PANEL_HEIGHT = 8
DATASOURCE_VAR = "${datasource}"
GAUGE_OPTIONS = {
    "showThresholdLabels": False,
    "showThresholdMarkers": True,
    "sizing": "auto",
    "minVizWidth": 75,
    "minVizHeight": 75,
}
HEATMAP_OPTIONS = {
    "calculate": False,  # the buckets are Prometheus's own
    "cellGap": 1,
    "color": {"mode": "scheme", "scheme": "Oranges", "fill": "dark-orange", "exponent": 0.5,
              "steps": 64, "reverse": False},
    "rowsFrame": {"layout": "auto"},
    "showValue": "never",
    "yAxis": {"axisPlacement": "left", "reverse": False},
    "legend": {"show": True},
    "tooltip": {"mode": "single", "yHistogram": True, "showColorScale": False},
    "exemplars": {"color": "rgba(255,0,255,0.7)"},
    "filterValues": {"le": 1e-9},
}  # fmt: skip
STAT_OPTIONS = {
    "graphMode": "area",
    "colorMode": "value",
    "justifyMode": "auto",
    "textMode": "auto",
    "wideLayout": True,
    "showPercentChange": False,
    "percentChangeColorMode": "standard",
}


# --- panels --------------------------------------------------------------------------------------


def _thresholds(
    threshold: float | None, below: bool, steps: list[tuple[float, str]] | None = None
) -> dict[str, Any]:
    levels: list[dict[str, Any]]
    if steps:
        levels = [{"color": "green", "value": None}]
        for value, colour in steps:
            if value > (levels[-1]["value"] or float("-inf")):
                levels.append({"color": colour, "value": value})
    elif threshold is None:
        levels = [{"color": "green", "value": None}]
    elif below:
        levels = [{"color": "red", "value": None}, {"color": "green", "value": threshold}]
    else:
        levels = [{"color": "green", "value": None}, {"color": "red", "value": threshold}]
    return {"mode": "absolute", "steps": levels}


def panel(
    definition: PanelDef,
    targets: list[tuple[str, str]],
    threshold: float | None,
    *,
    below: bool | None = None,
    steps: list[tuple[float, str]] | None = None,
) -> dict[str, Any]:
    """One panel's JSON (without id and gridPos, which the layout assigns). Thresholds: one
    alert `threshold` (red above it, or below it with `below`), or colour `steps`."""
    below = definition.threshold_below if below is None else below
    defaults: dict[str, Any] = {
        "unit": definition.unit or (infer_unit(targets[0][0]) if targets else "short"),
        "thresholds": _thresholds(threshold, below, steps),
    }
    if definition.min is not None:
        defaults["min"] = definition.min
    if definition.max is not None:
        defaults["max"] = definition.max
    if definition.type == "heatmap":
        options: dict[str, Any] = {
            **HEATMAP_OPTIONS,
            "yAxis": {**HEATMAP_OPTIONS["yAxis"], "unit": defaults.pop("unit")},
        }
        defaults.pop("thresholds")
    elif definition.type == "timeseries":
        mode = "line" if threshold is not None or steps else "off"
        defaults["custom"] = {"thresholdsStyle": {"mode": mode}, "fillOpacity": 10}
        options = {
            "legend": {
                "displayMode": "list",
                "placement": "bottom",
                "showLegend": True,
                "calcs": [],
            },
            "tooltip": {"mode": "multi", "sort": "desc"},
        }
    else:
        options = {
            "reduceOptions": {"calcs": ["lastNotNull"], "fields": "", "values": False},
            "orientation": "auto",
        }
        options |= GAUGE_OPTIONS if definition.type == "gauge" else STAT_OPTIONS
    return {
        "type": definition.type,
        "title": definition.title,
        "description": definition.description,
        "datasource": {"type": "prometheus", "uid": DATASOURCE_VAR},
        "targets": [
            {
                "refId": chr(ord("A") + i),
                "datasource": {"type": "prometheus", "uid": DATASOURCE_VAR},
                "expr": expr,
                "legendFormat": legend,
                "range": True,
                **({"format": "heatmap"} if definition.type == "heatmap" else {}),
            }
            for i, (expr, legend) in enumerate(targets)
        ],
        "fieldConfig": {"defaults": defaults, "overrides": []},
        "options": options,
        "_width": definition.width,
    }


def target_variables(job: str) -> list[dict[str, Any]]:
    """`job` (the service's) and `instance` (its targets), read again whenever the time range
    changes: targets come and go."""
    return [
        _query_variable("job", f"label_values({selector('up', job=job)}, job)", all_=False),
        _query_variable("instance", 'label_values(up{job=~"$job"}, instance)', all_=True),
    ]


def _query_variable(name: str, query: str, *, all_: bool) -> dict[str, Any]:
    current = {"selected": True, "text": "All", "value": "$__all"} if all_ else {
        "selected": False, "text": "", "value": ""}  # fmt: skip
    return {
        "type": "query",
        "name": name,
        "label": name.capitalize(),
        "datasource": {"type": "prometheus", "uid": DATASOURCE_VAR},
        "query": query,
        "definition": query,
        "refresh": 2,
        "includeAll": all_,
        "multi": all_,
        **({"allValue": ".*"} if all_ else {}),
        "current": current,
        "options": [],
        "hide": 0,
        "regex": "",
        "skipUrlSync": False,
        "sort": 1,
    }


def row(title: str) -> dict[str, Any]:
    """An open row: its panels follow it at the top level (a collapsed row would hold them)."""
    return {"type": "row", "title": title, "collapsed": False, "panels": [], "_width": GRID_WIDTH}


def layout(panels: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Place panels left to right on the 24-column grid, wrapping lines, a row on a line of
    its own; number them."""
    placed, x, y, line = [], 0, 0, 0  # line: the height of the current line
    for number, item in enumerate(panels, start=1):
        width = item["_width"]
        is_row = item.get("type") == "row"
        height = 1 if is_row else PANEL_HEIGHT
        if x + width > GRID_WIDTH or (is_row and x > 0):
            x, y, line = 0, y + line, 0
        body = {k: v for k, v in item.items() if k != "_width"}
        placed.append({"id": number, **body, "gridPos": {"h": height, "w": width, "x": x, "y": y}})
        x, line = x + width, max(line, height)
    return placed


UP_TITLE = "Targets up"


def service_panel_ids(service: Service, packs: Sequence[AlertPack] = ()) -> dict[str, int]:
    """The id `service_panels` gives each panel, by title, without building the panels."""
    titles = [UP_TITLE, *(d.title for d in dashboard_panels(packs, service))]
    return {title: number for number, title in enumerate(titles, start=1)}


def service_panels(stack: Stack, service: Service) -> list[dict[str, Any]]:
    ctx = service_context(stack, service)
    thresholds = {a.origin: a.threshold for a in service_alerts(stack, service)}
    definitions = dashboard_panels(stack.packs, service)
    up = PanelDef(
        UP_TITLE,
        "stat",
        (),
        unit="short",
        description="Scrape targets of the service that answer.",
        width=24 if not definitions else 12,
    )
    up_selector = selector("up", VARIABLE_MATCHERS)
    panels = [panel(up, [(f"sum({up_selector})", "up"), (f"count({up_selector})", "total")], None)]
    pack = service_pack(stack.packs, service)
    # A record inlined reads the series over the zoom's range, as the pack's own panels do.
    fixed = f"[{ctx.rate_range}]"
    records = {
        ctx.rec_name(r.record): r.expr(ctx).replace(fixed, "[$__rate_interval]")
        for r in pack.records
    }
    for definition in definitions:
        targets = [
            (by_variables(q.expr(ctx), ctx.job, records), q.legend) for q in definition.queries
        ]
        threshold = thresholds.get(definition.threshold_alert or "")
        panels.append(panel(definition, targets, threshold, steps=list(definition.steps) or None))
    return layout(panels)


# The dashboard's variables, as matchers: the chosen job and instances.
VARIABLE_MATCHERS = {"job": '=~"$job"', "instance": '=~"$instance"'}
_A_SELECTOR = re.compile(r"(?<![\w:])([a-zA-Z_:][\w:]*)\{([^{}]*)\}")
_INSTANCE_MATCHER = re.compile(r"(?:^|,)\s*instance\s*[=!]")


def _keeps_instance(name: str) -> bool:
    """Whether a series of this name carries `instance`: a scraped metric does, a recording
    rule only at an `instance` level (`instance:x:rate5m`, not `job:x:rate5m`)."""
    level, colon, _ = name.partition(":")
    return not colon or "instance" in level.split("_")


def by_variables(expr: str, job: str, records: dict[str, str]) -> str:
    """A service panel's query filtered by the dashboard's `$job` and `$instance`: each of
    the service's selectors takes the variables' matchers instead of its job's; a recording
    rule aggregated above the instance (which has no `instance` to filter by) is replaced by
    its expression, filtered the same way."""
    own = f"job={quote(job)}"

    def one(match: re.Match[str]) -> str:
        name, body = match.groups()
        parts = body.split(",")
        if own not in parts:
            return match.group(0)  # not a selector of this service's series
        if name in records and not _keeps_instance(name):
            inlined = by_variables(records[name], job, records)
            whole = match.span() == (0, len(expr))
            return inlined if whole else f"({inlined})"
        wanted = dict(VARIABLE_MATCHERS)
        if _INSTANCE_MATCHER.search(body):
            del wanted["instance"]  # the query picks its instances itself
        variables = ",".join(f"{label}{matcher}" for label, matcher in wanted.items())
        return f"{name}{{{','.join(variables if p == own else p for p in parts)}}}"

    return _A_SELECTOR.sub(one, expr)


# --- the overview --------------------------------------------------------------------------------

_JOB = "\x00job\x00"
_SELECTOR = r"[a-zA-Z_:][\w:]*\{[^{}]*\}"
# Queries whose result keeps each job's series apart: a selector, or an aggregation by job.
_KEEPS_JOBS = re.compile(
    rf"{_SELECTOR}|(?:sum|min|max|avg|count) by \([\w, ]*\bjob\b[\w, ]*\) \({_SELECTOR}\)"
)


def _either(contexts: list[ServiceContext], query: Expr) -> str:
    """One query over several services. Services whose queries differ only in their job and
    keep the jobs apart share one query with the jobs in a regex (an `or` of thousands of
    selectors is slow to parse and evaluate); the rest are joined with `or` (their series are
    disjoint, by job)."""
    groups: dict[str, list[tuple[ServiceContext, str]]] = {}
    for context in contexts:
        text = query(context)
        template = text.replace(f"job={quote(context.job)}", _JOB)
        groups.setdefault(template, []).append((context, text))
    parts = []
    for template, members in groups.items():
        mergeable = template.count(_JOB) == 1 and _KEEPS_JOBS.fullmatch(
            template.replace(_JOB, 'job=""')
        )
        if len(members) > 1 and mergeable:
            jobs = "|".join(literal_regex(context.job) for context, _ in members)
            parts.append(template.replace(_JOB, f"job=~{quote(jobs)}"))
        else:
            parts += [text for _, text in members]
    return " or ".join(parts)


def overview_panels(stack: Stack) -> list[dict[str, Any]]:
    """Each pack's overview panels over its services: the built-in packs in their order, then
    the spec's own; drawn at the strictest threshold of the alert among all services."""
    # (spec pack?, name): a spec pack may share its name with a kind
    order = [(False, kind) for kind in PACKS] + [(True, p.name) for p in stack.packs]
    overview: dict[tuple[bool, str], tuple[OverviewPanelDef, ...]] = {}
    contexts: dict[tuple[bool, str], list[ServiceContext]] = {}
    thresholds: dict[str, list[float]] = {}
    for service in stack.services:
        spec = pack_spec(stack.packs, service)
        key = (True, spec.name) if spec is not None else (False, service.kind)
        if key not in overview:
            overview[key] = service_pack(stack.packs, service).overview
        contexts.setdefault(key, []).append(service_context(stack, service))
        for alert in service_alerts(stack, service):
            if alert.threshold is not None:
                thresholds.setdefault(alert.origin, []).append(alert.threshold)

    panels = []
    for key in order:
        for definition in overview.get(key, ()):
            alert = definition.panel.threshold_alert
            threshold = min(thresholds[alert]) if alert in thresholds else None
            targets = [
                (q.expr(lambda per_service, c=contexts[key]: _either(c, per_service)), q.legend)
                for q in definition.queries
            ]
            steps = list(definition.panel.steps) or None
            panels.append(panel(definition.panel, targets, threshold, steps=steps))
    return layout(panels)


# --- SLO dashboards ------------------------------------------------------------------------------

# Threshold colours of the burn-rate panel: the tiers' burn rates, as the alerts use them.
TIER_COLOURS = {"ticket": "orange", "page": "red"}


def _group_legend(slo: SLO, suffix: str = "") -> str:
    groups = " ".join(f"{{{{{label}}}}}" for label in slo.group_by)
    return " ".join(part for part in (groups, suffix) if part) or slo.name


def slo_panels(service: Service) -> list[dict[str, Any]]:
    """Per SLO: objective, SLI over the period, budget left, and burn rate per window with the
    tiers' thresholds. Every query keeps the SLO's group labels, so grouped SLOs show one line
    per group (never NaN: groups without errors have a ratio of 0)."""
    panels: list[dict[str, Any]] = []
    for slo in service.slos:
        plan = slo_plan(slo)

        def series(name: str, slo: SLO = slo) -> str:
            return slo_selector(name, service, slo)

        period = ratio_record(plan.period)
        panels += [
            row(f"{slo.name}: {clean_number(slo.objective)}% over {format_duration(plan.period)}"),
            panel(
                PanelDef(f"{slo.name}: objective", "stat", (), unit="percentunit", width=4),
                [(series("slo:objective:ratio"), "objective")],
                None,
            ),
            panel(
                PanelDef(
                    f"{slo.name}: SLI over {format_duration(plan.period)}",
                    "stat",
                    (),
                    unit="percentunit",
                    width=8,
                ),
                [(f"1 - {series(period)}", _group_legend(slo))],
                float(plan.objective),
                below=True,
            ),
            panel(
                PanelDef(
                    f"{slo.name}: error budget left",
                    "gauge",
                    (),
                    unit="percentunit",
                    min=0,
                    max=1,
                    width=12,
                ),
                [(series("slo:period_error_budget_remaining:ratio"), _group_legend(slo))],
                0.0,
                below=True,
            ),
            panel(
                PanelDef(
                    f"{slo.name}: burn rate by window",
                    "timeseries",
                    (),
                    unit="short",
                    min=0,
                    description="How many times faster than the SLO allows the budget burns; "
                    "the lines are the alert tiers' burn rates.",
                    width=24,
                ),
                [
                    (
                        f"{series(ratio_record(w))} / {clean_number(plan.budget)}",
                        _group_legend(slo, format_duration(w)),
                    )
                    for w in sorted({w.long for w in plan.recorded})
                ],
                None,
                steps=[
                    (float(w.burn_rate), TIER_COLOURS[w.tier])
                    for w in sorted(plan.windows, key=lambda w: w.burn_rate)
                ],
            ),
        ]
    return layout(panels)


# --- alerts overview -----------------------------------------------------------------------------

_SEVERITY_COLOURS = (("critical", "red"), ("warning", "orange"), ("info", "blue"))


def alerts_panels(stack: Stack) -> list[dict[str, Any]]:
    """What fires now, by severity and team: Prometheus's own ALERTS series of the stack's
    services."""
    services = "|".join(sorted(s.name for s in stack.services)) or "none"
    firing = {"alertstate": '="firing"', "service": f"=~{quote(services)}"}

    def count(by: str = "", **equal: str) -> str:
        grouping = f" by ({by})" if by else ""
        return f"count{grouping} ({selector('ALERTS', firing, **equal)})"

    stats = [
        panel(
            PanelDef(f"Firing: {severity}", "stat", (), unit="short", width=8),
            [(f"{count(severity=severity)} or vector(0)", severity)],
            None,
            steps=[(1, colour)],
        )
        for severity, colour in _SEVERITY_COLOURS
    ]
    over_time = [
        panel(
            PanelDef(f"Firing alerts by {label}", "timeseries", (), unit="short", min=0),
            [(count(label), "{{" + label + "}}")],
            None,
        )
        for label in ("team", "severity")
    ]
    by_alert = panel(
        PanelDef("Firing alerts by service and alert", "timeseries", (), unit="short", min=0,
                 width=24),
        [(count("service, alertname"), "{{service}}: {{alertname}}")],
        None,
    )  # fmt: skip
    return layout([*stats, *over_time, by_alert])
