"""The shapes of a pack: recording rules, alerts and panels written against a ServiceContext."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from stackgen.common.values import format_duration
from stackgen.prometheus.promql import selector

if TYPE_CHECKING:  # the spec imports the packs: types only
    from stackgen.spec.custom import AlertProof
    from stackgen.spec.runbooks import Runbook

ThresholdUnit = Literal["ratio", "seconds", "count", "rate"]
PanelType = Literal["timeseries", "stat", "gauge", "heatmap"]


@dataclass(frozen=True)
class ServiceContext:
    """What a pack needs to know about one service to write its PromQL."""

    job: str
    metrics: dict[str, str]  # role -> metric (or label) name, defaults merged with overrides
    rate_seconds: float  # range for rate(): at least 4x the scrape interval
    labels: frozenset[str] = frozenset()  # the roles (of `metrics`) that name a label

    @property
    def rate_range(self) -> str:
        return format_duration(self.rate_seconds)

    def m(self, role: str, suffix: str = "", extra: dict[str, str] | None = None) -> str:
        """Selector of the metric playing `role`, limited to this service's job.

        `extra` maps a label to its operator and value, such as {'status': '=~"5.."'}."""
        return selector(self.metrics[role] + suffix, extra, job=self.job)

    def rec(self, name: str) -> str:
        """A recording rule of this service, with the rate range in its name where asked."""
        return selector(name.format(range=self.rate_range), job=self.job)

    def rec_name(self, name: str) -> str:
        return name.format(range=self.rate_range)


Expr = Callable[[ServiceContext], str]


@dataclass(frozen=True)
class RecordDef:
    record: str  # may hold `{range}`
    expr: Expr


@dataclass(frozen=True)
class AlertDef:
    name: str
    severity: Literal["critical", "warning", "info"]
    for_: str
    expr: Callable[[ServiceContext, str], str]  # (context, clean threshold text) -> PromQL
    summary: str
    description: str
    threshold: float | None = None
    threshold_unit: ThresholdUnit | None = None
    # What an engineer checks first, for the generated runbook skeleton.
    diagnosis: tuple[str, ...] = ()
    runbook: Runbook | None = None  # content a spec pack writes for every service of the pack
    proof: AlertProof | None = None  # the scenario of its generated proof
    fires_below: bool = False  # it fires below its threshold (free space, say)


@dataclass(frozen=True)
class Query:
    expr: Expr
    legend: str


@dataclass(frozen=True)
class PanelDef:
    title: str
    type: PanelType
    queries: tuple[Query, ...]
    unit: str = ""  # Grafana's unit; "" reads it from the metric names (plan.units)
    description: str = ""
    min: float | None = None
    max: float | None = None
    # Colour steps are drawn at the threshold of this alert, as the service's spec sets it.
    threshold_alert: str | None = None
    threshold_below: bool = False  # the alert fires below the threshold (free space, say)
    width: int = 12
    steps: tuple[tuple[float, str], ...] = ()  # colour steps of its own, instead of an alert's


# Given one service's query, the query over every service of the pack (plan.panels joins them).
Merge = Callable[[Expr], str]


@dataclass(frozen=True)
class OverviewQuery:
    expr: Callable[[Merge], str]
    legend: str


@dataclass(frozen=True)
class OverviewPanelDef:
    """A panel of the stack overview over every service of a pack; `panel` has no queries."""

    panel: PanelDef
    queries: tuple[OverviewQuery, ...]


@dataclass(frozen=True)
class Pack:
    kind: str
    metrics: dict[str, str]  # role -> default metric name
    records: tuple[RecordDef, ...]
    alerts: tuple[AlertDef, ...]
    panels: tuple[PanelDef, ...]
    # roles that feed a `requests` SLI: (total requests, failed requests) as selectors
    requests_sli: Callable[[ServiceContext], tuple[str, str]] | None = None
    label_roles: frozenset[str] = field(default_factory=frozenset)  # roles naming a label
    # Labels of the scraped series that the queries read (besides label roles' values).
    query_labels: frozenset[str] = field(default_factory=frozenset)
    overview: tuple[OverviewPanelDef, ...] = ()
