"""Routing: which alerts reach which channels, and when."""

from __future__ import annotations

from pydantic import Field, model_validator

from stackgen.alertmanager.time_intervals import parse_time_range
from stackgen.spec.model.base import Model, Severity
from stackgen.spec.types import (
    DayOfMonthRange,
    Duration,
    LabelName,
    MonthRange,
    OneLine,
    PositiveDuration,
    Slug,
    TimeOfDay,
    TimeZoneName,
    WeekdayRange,
    YearRange,
)


class Route(Model):
    channel: Slug
    mute_time_intervals: list[Slug] = Field(
        default_factory=list, description="No notifications while one of these is active."
    )
    active_time_intervals: list[Slug] = Field(
        default_factory=list, description="Notifications only while one of these is active."
    )
    severity: list[Severity] = Field(default_factory=list, description="Match any of these.")
    team: Slug | None = None
    service: Slug | None = None
    match: dict[LabelName, OneLine] = Field(default_factory=dict, description="label: value")
    continue_: bool = Field(False, alias="continue")
    group_by: list[LabelName] | None = None
    group_wait: Duration | None = None
    group_interval: PositiveDuration | None = None
    repeat_interval: PositiveDuration | None = None
    routes: list[Route] = Field(default_factory=list)


class InhibitRule(Model):
    source: dict[LabelName, OneLine] = Field(min_length=1)
    target: dict[LabelName, OneLine] = Field(min_length=1)
    equal: list[LabelName] = Field(default_factory=list)


class TimeRange(Model):
    start_time: TimeOfDay
    end_time: TimeOfDay

    @model_validator(mode="after")
    def _ordered(self) -> TimeRange:
        parse_time_range(self.start_time, self.end_time)
        return self


class TimeIntervalEntry(Model):
    """Alertmanager's time interval syntax: every field given must match (none: always)."""

    times: list[TimeRange] = Field(default_factory=list)
    weekdays: list[WeekdayRange] = Field(default_factory=list, examples=[["monday:friday"]])
    days_of_month: list[DayOfMonthRange] = Field(default_factory=list, examples=[["1:7", "-1"]])
    months: list[MonthRange] = Field(default_factory=list, examples=[["december"]])
    years: list[YearRange] = Field(default_factory=list, examples=[["2026"]])
    location: TimeZoneName | None = Field(None, description="IANA time zone; default UTC.")


class TimeInterval(Model):
    name: Slug
    time_intervals: list[TimeIntervalEntry] = Field(
        min_length=1, description="Active while any of these entries matches."
    )


class RoutingExpectation(Model):
    """What an alert must reach: checked by `stackgen test` with amtool and the simulator."""

    labels: dict[LabelName, OneLine] = Field(min_length=1)
    receivers: list[Slug] = Field(min_length=1)


class Routing(Model):
    default_channel: Slug
    group_by: list[LabelName] = Field(default_factory=lambda: ["alertname", "service"])
    group_wait: Duration = "30s"
    group_interval: PositiveDuration = "5m"
    repeat_interval: PositiveDuration = "4h"
    routes: list[Route] = Field(default_factory=list)
    default_inhibitions: bool = Field(
        True,
        description="A down service silences its other alerts; critical silences warning "
        "for the same alert and service.",
    )
    inhibit: list[InhibitRule] = Field(default_factory=list)
    time_intervals: list[TimeInterval] = Field(default_factory=list)
    expect: list[RoutingExpectation] = Field(
        default_factory=list,
        description="Routing tests: these label sets must reach exactly these channels.",
    )
