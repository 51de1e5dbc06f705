"""Service level objectives: the SLI types, and the burn-rate alert tiers."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator

from stackgen.common.values import parse_duration, written_number
from stackgen.spec.model.base import Model, Severity
from stackgen.spec.types import (
    AlertName,
    Duration,
    LabelName,
    LabelsOnlyTemplate,
    MetricName,
    OneLineTemplate,
    PositiveDuration,
    RatioTemplate,
    RunbookUrl,
    Selector,
    Slug,
)

# The metric roles of the kinds' latency histograms: a latency SLI's default histogram.
HISTOGRAM_ROLES = ("request_duration", "duration")


class UptimeSLI(Model):
    """Good = scrapes that succeed (`up`)."""

    type: Literal["uptime"]


class RequestsSLI(Model):
    """Good = requests that did not fail: the kind's request counters, or these selectors."""

    type: Literal["requests"]
    errors: Selector | None = Field(None, examples=['http_requests_total{code=~"5.."}'])
    total: Selector | None = Field(None, examples=["http_requests_total"])

    @model_validator(mode="after")
    def _both_or_neither(self) -> RequestsSLI:
        if (self.errors is None) != (self.total is None):
            raise ValueError("give both `errors` and `total` selectors, or neither")
        return self


class LatencySLI(Model):
    """Good = requests served within `threshold` seconds, from a histogram's buckets."""

    type: Literal["latency"]
    threshold: float = Field(
        gt=0, allow_inf_nan=False, description="Seconds; must be one of the histogram's `le`."
    )
    histogram: MetricName | None = Field(None, description="Default: the kind's latency metric.")


class RatioSLI(Model):
    """Any error-ratio expression; `${window}` stands for the range of each window."""

    type: Literal["ratio"]
    expr: RatioTemplate = Field(
        examples=["sum(rate(errors[${window}])) / sum(rate(all[${window}]))"]
    )


SLI = Annotated[UptimeSLI | RequestsSLI | LatencySLI | RatioSLI, Field(discriminator="type")]


class BurnWindow(Model):
    """Alert when `budget_consumed` percent of the period's budget goes within `long`, and the
    `short` window (default long / 12) shows it is still going."""

    long: PositiveDuration
    short: PositiveDuration | None = None
    budget_consumed: float = Field(gt=0, le=100, allow_inf_nan=False, description="Percent.")


class Tier(Model):
    enabled: bool = True
    severity: Severity | None = Field(None, description="Default: critical page, warning ticket.")
    windows: list[BurnWindow] | None = Field(
        None,
        min_length=1,
        description="Default: the budget-consumption model, scaled to the period.",
    )
    for_: Duration | None = Field(None, alias="for", description="Default: 2m page, 15m ticket.")
    labels: dict[LabelName, OneLineTemplate] = Field(
        default_factory=dict, description="Extra labels on this tier's alert."
    )


class Tiers(Model):
    page: Tier = Field(default_factory=Tier)
    ticket: Tier = Field(default_factory=Tier)


# The alert of an SLO that names none, by its SLI's type.
DEFAULT_ALERT_NAMES = {
    "uptime": "AvailabilityViolation",
    "requests": "ErrorRateViolation",
    "latency": "LatencyViolation",
    "ratio": "SLOViolation",
}


class SLO(Model):
    """A service level objective, alerted on by multi-window multi-burn-rate tiers."""

    name: Slug
    objective: float = Field(allow_inf_nan=False, description="Percent: 99.9.")
    sli: SLI
    period: PositiveDuration = Field("30d", description="Whole days or weeks: 7d, 4w, 28d, 30d.")
    group_by: list[LabelName] = Field(
        default_factory=list, description="One SLO per value of these labels (route, customer)."
    )
    tiers: Tiers = Field(default_factory=Tiers)
    min_events: int | None = Field(
        None,
        gt=0,
        description="A tier's window pair fires only when its long window saw at least this "
        "many events (requests), so one failure in low traffic pages nobody. Default: off; for "
        "a low-traffic service 100 is a usual choice (a requests or latency SLI only).",
        examples=[100],
    )
    alert: AlertName | None = Field(
        None,
        description="Default: by SLI type (AvailabilityViolation, ErrorRateViolation, "
        "LatencyViolation, SLOViolation).",
    )
    missing_metric_alert: bool = Field(
        False, description="Also alert when the SLI's series are missing."
    )
    labels: dict[LabelName, OneLineTemplate] = Field(default_factory=dict)
    annotations: dict[LabelName, LabelsOnlyTemplate] = Field(
        default_factory=dict,
        description="Extra alert annotations (or your own summary); templates may use "
        "{{ $labels.NAME }} only, so the generated proofs can check them.",
    )
    runbook_url: RunbookUrl | None = None

    @field_validator("objective")
    @classmethod
    def _leaves_a_budget(cls, objective: float) -> float:
        if objective >= 100:
            raise ValueError(
                f"an objective of {written_number(objective)}% leaves no error budget, so no "
                "alert could ever fire: use 99.99 or lower"
            )
        if objective <= 0:
            raise ValueError("an objective is a percentage above 0, such as 99.9")
        return objective

    @model_validator(mode="after")
    def _whole_days(self) -> SLO:
        if parse_duration(self.period) % 86400:
            raise ValueError(f"period {self.period} is not a whole number of days or weeks")
        return self
