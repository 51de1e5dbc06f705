"""A pack in the spec's pack form (a built-in one of packs/builtin, or one of the spec's
`packs:`) as the Pack the planners read: its PromQL templates expanded for one service."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING

from stackgen.packs.base import (
    AlertDef,
    Expr,
    Merge,
    OverviewPanelDef,
    OverviewQuery,
    Pack,
    PanelDef,
    Query,
    RecordDef,
    ServiceContext,
)

if TYPE_CHECKING:  # the spec imports the packs: types only
    from collections.abc import Callable, Sequence

    from stackgen.spec.custom import AlertPack, OverviewPanel, PackAlert, Panel

# `${name}`, a histogram's suffix, and the matchers written right after it:
# `${requests_total}{code=~"5.."}`, `${duration}_bucket`.
PLACEHOLDER = re.compile(r'\$\{(\w+)\}(_bucket|_count|_sum)?(\{(?:[^{}"]|"(?:[^"\\]|\\.)*")*\})?')
_NAME = re.compile(r"\$\{(\w+)\}")
# A panel's rate() range: Grafana's, which follows the scrape interval and the zoom.
PANEL_RANGE = "$__rate_interval"
_BELOW = re.compile(r"<=?\s*\$\{threshold\}")


class UnknownPlaceholder(ValueError):
    def __init__(self, name: str):
        self.name = name
        super().__init__(f"`${{{name}}}` is no metric role, record, range or threshold")


def expand(
    template: str,
    ctx: ServiceContext,
    records: Mapping[str, str],
    *,
    range_: str,
    threshold: str | None = None,
    keep_unknown: bool = False,
) -> str:
    """The template for one service: a role or record becomes its selector limited to the
    service's job, with the suffix and matchers written after it merged in; a label role
    becomes the label's name. `keep_unknown` leaves other `${name}`s to Grafana
    (its variables)."""
    if ctx.labels:  # first: a label's name may stand in the matchers of a selector
        template = _NAME.sub(
            lambda m: ctx.metrics[m.group(1)] if m.group(1) in ctx.labels else m.group(0),
            template,
        )

    def one(match: re.Match[str]) -> str:
        name, suffix, matchers = match.group(1), match.group(2) or "", match.group(3) or ""
        if name == "range":
            value = range_
        elif name == "threshold" and threshold is not None:
            value = threshold
        elif name in records:
            value = ctx.rec(records[name])
        elif name in ctx.metrics:
            value, suffix = ctx.m(name, suffix), ""
        elif keep_unknown:
            return match.group(0)
        else:
            raise UnknownPlaceholder(name)
        value += suffix
        inner = matchers[1:-1].strip().strip(",")
        if inner and value.endswith("}"):
            return f"{value[:-1]},{inner}}}"
        return value + matchers

    return PLACEHOLDER.sub(one, template)


def record_names(spec: AlertPack | None) -> dict[str, str]:
    """name -> recording rule name, with `{range}` where the template says `${range}`."""
    if spec is None:
        return {}
    return {r.name: r.record.replace("${range}", "{range}") for r in spec.records}


def fires_below(alerts: Sequence[PackAlert]) -> dict[str, bool]:
    """Alert name -> whether it fires below its threshold (free space, say): its panels are
    red below the line."""
    return {a.name: bool(_BELOW.search(a.expr)) for a in alerts}


def panel_def(panel: Panel, records: Mapping[str, str], below: bool = False) -> PanelDef:
    def query(expr: str) -> Expr:
        return lambda c: expand(expr, c, records, range_=PANEL_RANGE, keep_unknown=True)

    return _frame(panel, tuple(Query(query(q.expr), q.legend) for q in panel.queries), below)


def _frame(panel: Panel, queries: tuple[Query, ...], below: bool) -> PanelDef:
    return PanelDef(
        panel.title,
        panel.type,
        queries,
        unit=panel.unit,
        description=panel.description,
        min=panel.min,
        max=panel.max,
        threshold_alert=panel.alert,
        threshold_below=below,
        width=panel.width,
        steps=tuple((step.value, step.color) for step in panel.thresholds),
    )


def overview_def(
    panel: OverviewPanel, spec: AlertPack, records: Mapping[str, str], below: bool
) -> OverviewPanelDef:
    shared = set(spec.metrics) | set(records)  # what a `${name}` of every service stands for

    def per_service(template: str) -> Expr:
        return lambda c: expand(template, c, records, range_=PANEL_RANGE, keep_unknown=True)

    def query(template: str, each_service: bool) -> Callable[[Merge], str]:
        if each_service:
            return lambda merge: merge(per_service(template))

        def over(merge: Merge) -> str:
            def one(match: re.Match[str]) -> str:
                if match.group(1) == "range":
                    return PANEL_RANGE
                if match.group(1) in shared:
                    return merge(per_service(match.group(0)))
                return match.group(0)  # Grafana's

            return PLACEHOLDER.sub(one, template)

        return over

    return OverviewPanelDef(
        _frame(panel, (), below),
        tuple(OverviewQuery(query(q.expr, q.each_service), q.legend) for q in panel.queries),
    )


def build_pack(spec: AlertPack) -> Pack:
    records = record_names(spec)
    below = fires_below(spec.alerts)
    labels = frozenset(spec.labels)

    def rule_expr(template: str) -> Expr:
        return lambda c: expand(template, c, records, range_=c.rate_range)

    def alert_expr(template: str) -> Callable[[ServiceContext, str], str]:
        return lambda c, t: expand(template, c, records, range_=c.rate_range, threshold=t)

    requests = spec.requests
    return Pack(
        kind=spec.name,
        metrics={**spec.metrics, **spec.labels},
        records=tuple(RecordDef(records[r.name], rule_expr(r.expr)) for r in spec.records),
        alerts=tuple(
            AlertDef(
                name=a.name,
                severity=a.severity,
                for_=a.for_,
                expr=alert_expr(a.expr),
                summary=a.summary,
                description=a.description.strip(),
                threshold=a.threshold,
                threshold_unit=a.unit,
                diagnosis=tuple(a.diagnosis),
                runbook=a.runbook,
                proof=a.proof,
                fires_below=below[a.name],
            )
            for a in spec.alerts
        ),
        panels=tuple(panel_def(p, records, below.get(p.alert or "", False)) for p in spec.panels),
        requests_sli=(
            None
            if requests is None
            else lambda c: (rule_expr(requests.total)(c), rule_expr(requests.failed)(c))
        ),
        label_roles=labels,
        query_labels=frozenset(spec.query_labels),
        overview=tuple(
            overview_def(p, spec, records, below.get(p.alert or "", False)) for p in spec.overview
        ),
    )
