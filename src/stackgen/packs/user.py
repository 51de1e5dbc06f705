"""Packs and panels the spec defines (`packs:`, `panels:`), as the Pack the planners read: their
PromQL templates expanded for one service, as the built-in packs write theirs."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from stackgen.packs import pack_for
from stackgen.packs.base import AlertDef, Pack, PanelDef, Query, RecordDef, ServiceContext
from stackgen.packs.common import COMMON_ALERTS, COMMON_METRICS

if TYPE_CHECKING:  # the spec imports the packs: types only
    from stackgen.spec.custom import AlertPack, Panel

# `${name}`, and the matchers written right after it: `${requests_total}{code=~"5.."}`.
PLACEHOLDER = re.compile(r'\$\{(\w+)\}(\{(?:[^{}"]|"(?:[^"\\]|\\.)*")*\})?')
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
    service's job, with the matchers written after it merged in. `keep_unknown` leaves other
    `${name}`s to Grafana (its variables)."""

    def one(match: re.Match[str]) -> str:
        name, matchers = match.group(1), match.group(2) or ""
        if name == "range":
            value = range_
        elif name == "threshold" and threshold is not None:
            value = threshold
        elif name in records:
            value = ctx.rec(records[name])
        elif name in ctx.metrics:
            value = ctx.m(name)
        elif keep_unknown:
            return match.group(0)
        else:
            raise UnknownPlaceholder(name)
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


def panel_def(panel: Panel, records: Mapping[str, str], below: bool = False) -> PanelDef:
    def query(expr: str) -> Any:
        return lambda c: expand(expr, c, records, range_=PANEL_RANGE, keep_unknown=True)

    return PanelDef(
        panel.title,
        panel.type,
        tuple(Query(query(q.expr), q.legend) for q in panel.queries),
        unit=panel.unit,
        description=panel.description,
        min=panel.min,
        max=panel.max,
        threshold_alert=panel.alert,
        threshold_below=below,
        width=panel.width,
        steps=tuple((step.value, step.color) for step in panel.thresholds),
    )


def build_pack(spec: AlertPack) -> Pack:
    records = record_names(spec)
    below = {a.name: bool(_BELOW.search(a.expr)) for a in spec.alerts}

    def record_expr(expr: str) -> Any:
        return lambda c: expand(expr, c, records, range_=c.rate_range)

    def alert_expr(expr: str) -> Any:
        return lambda c, t: expand(expr, c, records, range_=c.rate_range, threshold=t)

    return Pack(
        kind=spec.name,
        metrics=dict(spec.metrics),
        records=tuple(RecordDef(records[r.name], record_expr(r.expr)) for r in spec.records),
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
            )
            for a in spec.alerts
        ),
        panels=tuple(panel_def(p, records, below.get(p.alert or "", False)) for p in spec.panels),
    )


def pack_spec(packs: Sequence[AlertPack], service: Any) -> AlertPack | None:
    """The spec's pack a `custom` service names, if any (and defined)."""
    name = getattr(service, "pack", None)
    return next((p for p in packs if p.name == name), None) if name else None


def service_pack(packs: Sequence[AlertPack], service: Any) -> Pack:
    """The pack of a service: its kind's, or for `kind: custom` the spec pack it names."""
    spec = pack_spec(packs, service)
    return build_pack(spec) if spec is not None else pack_for(service.kind)


def service_alert_defs(packs: Sequence[AlertPack], service: Any) -> tuple[AlertDef, ...]:
    return COMMON_ALERTS + service_pack(packs, service).alerts


def service_metric_roles(packs: Sequence[AlertPack], service: Any) -> dict[str, str]:
    """Every metric role of the service with its default metric name."""
    return {**COMMON_METRICS, **service_pack(packs, service).metrics}


def dashboard_panels(packs: Sequence[AlertPack], service: Any) -> tuple[PanelDef, ...]:
    """The panels of the service's dashboard after `Targets up`: its pack's, then its own."""
    pack = service_pack(packs, service)
    own: Sequence[Panel] = getattr(service, "dashboard_panels", ())
    if not own:
        return pack.panels
    spec = pack_spec(packs, service)
    below = {a.name: bool(_BELOW.search(a.expr)) for a in (spec.alerts if spec else ())}
    below |= {d.threshold_alert: d.threshold_below for d in pack.panels if d.threshold_alert}
    records = record_names(spec)
    return pack.panels + tuple(panel_def(p, records, below.get(p.alert or "", False)) for p in own)
