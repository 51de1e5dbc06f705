"""The spec's own alert packs (`packs:`) and dashboard panels (`panels:` of a pack or a
service). Their PromQL is a template: `${role}` is the service's selector of a metric role or
recording rule, `${range}` the rate() range, `${threshold}` an alert's threshold; the templates
are checked in lint.spec_packs, where the pack's names are known. The built-in packs
(stackgen/packs/builtin/) are written in this same form."""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from stackgen.spec.runbooks import Runbook
from stackgen.spec.types import (
    AlertName,
    Duration,
    LabelName,
    MetricName,
    OneLine,
    OneLineTemplate,
    Slug,
    TemplateText,
)

_ROLE = re.compile(r"^[a-z][a-z0-9_]*$")
# Placeholders with a meaning of their own: a role or record may not take these names.
RESERVED_ROLES = ("range", "threshold", "for")
_COLOUR = re.compile(r"^(#[0-9a-fA-F]{6}|[a-z]+(-[a-z]+)*)$")


def _role(value: str) -> str:
    if not _ROLE.match(value):
        raise ValueError(
            f"{value!r} is not a role name: use lowercase letters, digits and `_`, "
            "starting with a letter (for example `queue_depth`)"
        )
    if value in RESERVED_ROLES:
        raise ValueError(f"`{value}` is a placeholder of its own (`${{{value}}}`): pick another")
    return value


def _colour(value: str) -> str:
    if not _COLOUR.match(value):
        raise ValueError(f"{value!r} is not a colour: use a Grafana name (red) or #rrggbb")
    return value


RoleName = Annotated[str, AfterValidator(_role)]
Colour = Annotated[str, AfterValidator(_colour)]
Template = Annotated[str, Field(min_length=1)]


class _Model(BaseModel):  # as spec.model.Model, which imports this module
    model_config = ConfigDict(extra="forbid", frozen=True)


class PanelQuery(_Model):
    expr: OneLine = Field(
        min_length=1,
        description="PromQL; `${role}` is the service's selector of that metric role (add "
        'matchers: `${requests_total}{code=~"5.."}`; `${duration}_bucket` for a histogram\'s '
        "buckets), or the label name of a label role; rate() over `${range}` or "
        "`$__rate_interval`; Grafana's variables ($instance) are kept.",
        examples=["sum by (instance) (${queue_depth})"],
    )
    legend: OneLine = Field("__auto", description="Grafana's legend format: {{instance}}.")


class ThresholdStep(_Model):
    value: float = Field(allow_inf_nan=False)
    color: Colour = "red"


class Panel(_Model):
    """A panel of the service's dashboard, checked like the built-in ones."""

    title: OneLine = Field(min_length=1)
    type: Literal["timeseries", "stat", "gauge", "heatmap"] = "timeseries"
    queries: list[PanelQuery] = Field(min_length=1, max_length=26)
    unit: OneLine = Field("", description="Grafana's unit id; default: from the metric names.")
    description: OneLine = ""
    min: float | None = Field(None, allow_inf_nan=False)
    max: float | None = Field(None, allow_inf_nan=False)
    alert: AlertName | None = Field(
        None,
        description="The alert this panel explains: drawn at its threshold, and the alert's "
        "dashboard_url opens this panel.",
    )
    thresholds: list[ThresholdStep] = Field(
        default_factory=list, description="Colour steps (green below the first); not with `alert`."
    )
    width: int = Field(12, ge=1, le=24, description="Of the 24 columns of the grid.")


class OverviewQuery(PanelQuery):
    each_service: bool = Field(
        False,
        description="The whole query is written for each service of the pack and the copies "
        "joined; otherwise each `${role}` (or record) stands for every service's.",
    )


class OverviewPanel(Panel):
    """A panel of the stack overview, over every service of the pack; drawn at the strictest
    threshold of its `alert` among the services."""

    queries: list[OverviewQuery] = Field(min_length=1, max_length=26)  # type: ignore[assignment]


class RequestCounters(_Model):
    """The request counters a `requests` SLI reads when it names no selectors."""

    total: Template = Field(examples=["${requests_total}"])
    failed: Template = Field(examples=['${requests_total}{code=~"5.."}'])


class PackRecord(_Model):
    name: RoleName = Field(description="How the pack's queries use it: `${name}`.")
    record: Template = Field(
        description="The recording rule's name, level:metric:operations; may hold `${range}`.",
        examples=["job:jobs_failed:ratio_rate${range}"],
    )
    expr: Template


_ARITHMETIC = re.compile(r"^[0-9a-z_.+\-*/() eE]+$")


def _arithmetic(value: str) -> str:
    if not _ARITHMETIC.match(value):
        raise ValueError(
            f"{value!r} is not arithmetic over `value`: use numbers, `value`, + - * / and "
            "parentheses (for example `100 * (1 - value)`)"
        )
    return value


Arithmetic = Annotated[str, AfterValidator(_arithmetic)]


class ProofSeries(_Model):
    """One raw series of an alert's proof, as the service exposes it. `value` is the level
    the alert observes in the scenario: just past its threshold, just short of it, healthy."""

    metric: Template = Field(
        description="A selector over the pack's roles, equality matchers only; the service's "
        "`job` is added.",
        examples=['${requests_total}{${status_label}="500"}'],
    )
    gauge: Arithmetic | None = Field(None, description="The gauge's value.")
    counter: Arithmetic | None = Field(None, description="The counter's increase per second.")
    histogram: float | None = Field(
        None,
        gt=0,
        lt=1,
        description="A histogram (the metric's `_bucket`, `_count`, `_sum`) whose quantile "
        "`histogram` is `value`, 10 observations a second.",
    )

    @model_validator(mode="after")
    def _one_kind(self) -> ProofSeries:
        if sum(k is not None for k in (self.gauge, self.counter, self.histogram)) != 1:
            raise ValueError("give exactly one of `gauge`, `counter` and `histogram`")
        return self


class AlertProof(_Model):
    """How to prove an alert (`stackgen test`): the raw series that drive it, as functions of
    the level it observes. Above and below the threshold (10% past it, 10% short of it) the
    levels follow from the threshold; an alert without one names them."""

    series: list[ProofSeries] = Field(min_length=1)
    healthy: float = Field(description="The level on healthy input.", allow_inf_nan=False)
    firing: float | None = Field(
        None, allow_inf_nan=False, description="Without a threshold: a level that fires it."
    )
    silent: float | None = Field(
        None, allow_inf_nan=False, description="Without a threshold: a level that does not."
    )
    observes: Literal["ratio", "rate"] = Field(
        "ratio",
        description="With counters: whether the alert reads a ratio of rates (or a quantile), "
        "whole from the first increase, or a rate, which fills its window.",
    )


class PackAlert(_Model):
    name: AlertName
    expr: Template = Field(
        description="PromQL over the roles and records, compared with `${threshold}`.",
        examples=["${failure_ratio} > ${threshold}"],
    )
    threshold: float | None = Field(None, allow_inf_nan=False)
    unit: Literal["ratio", "seconds", "count", "rate"] | None = Field(
        None, description="ratio: a threshold of 0.05 reads 5% in the description."
    )
    for_: Duration = Field("5m", alias="for")
    severity: Literal["critical", "warning", "info"] = "warning"
    summary: OneLineTemplate = Field(min_length=1)
    description: TemplateText = Field(
        min_length=1, description="May use ${threshold}, ${for} and ${range}."
    )
    diagnosis: list[OneLine] = Field(
        default_factory=list, description="What to check first: steps of the runbook skeleton."
    )
    runbook: Runbook | None = Field(
        None,
        description="Runbook content for every service of the pack; a service's "
        "`alerts.NAME.runbook` replaces it.",
    )
    proof: AlertProof | None = Field(
        None, description="The scenario that proves it; without one, it is reported unproven."
    )


class AlertPack(_Model):
    """Alerts, recording rules and panels for services of your own kind (`kind: custom`,
    `pack: NAME`), as good as the built-in packs: linted, linked to a panel, routed."""

    name: Slug
    description: OneLine = ""
    metrics: dict[RoleName, MetricName] = Field(
        default_factory=dict,
        description="Metric roles with their default metric names; a service renames them "
        "under `metrics`.",
        examples=[{"queue_depth": "jobs_queued", "processed_total": "jobs_processed_total"}],
    )
    labels: dict[RoleName, LabelName] = Field(
        default_factory=dict,
        description="Roles that name a label (`${status_label}` is its name), with their "
        "defaults; a service renames them under `metrics`.",
        examples=[{"status_label": "code"}],
    )
    query_labels: list[LabelName] = Field(
        default_factory=list,
        description="Labels of the scraped series that the queries read, so that no target "
        "label of the service takes their name.",
        examples=[["queue"]],
    )
    requests: RequestCounters | None = None
    records: list[PackRecord] = Field(default_factory=list)
    alerts: list[PackAlert] = Field(default_factory=list)
    panels: list[Panel] = Field(default_factory=list)
    overview: list[OverviewPanel] = Field(
        default_factory=list, description="Panels of the stack overview dashboard."
    )

    @model_validator(mode="after")
    def _roles_once(self) -> AlertPack:
        if both := sorted(set(self.metrics) & set(self.labels)):
            raise ValueError(f"{', '.join(both)}: a role is a metric or a label, not both")
        return self
