"""Routing: which alerts reach which channels, and when."""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, Field, model_validator

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


def _listed(value: Any) -> Any:
    """A matcher's value: one value, or a list of values any of which matches."""
    return [value] if isinstance(value, str) else value


def _regex(value: str) -> str:
    try:
        re.compile(value)
    except re.error as exc:
        raise ValueError(f"not a regular expression ({exc}); `match:` takes plain values") from None
    return value


Values = Annotated[
    list[OneLine], BeforeValidator(_listed, json_schema_input_type=OneLine | list[OneLine])
]
Slugs = Annotated[list[Slug], BeforeValidator(_listed, json_schema_input_type=Slug | list[Slug])]
Regex = Annotated[OneLine, AfterValidator(_regex)]


class Route(Model):
    """A route's matchers (all must match): `severity`, `team`, `service` and `match`'s labels
    take one value or a list of values (any of them); `match_re` takes RE2 regexes."""

    channel: Slug
    mute_time_intervals: list[Slug] = Field(
        default_factory=list, description="No notifications while one of these is active."
    )
    active_time_intervals: list[Slug] = Field(
        default_factory=list, description="Notifications only while one of these is active."
    )
    severity: Annotated[
        list[Severity],
        BeforeValidator(_listed, json_schema_input_type=Severity | list[Severity]),
    ] = Field(default_factory=list, description="A severity, or a list: any of them matches.")
    team: Slugs = Field(default_factory=list, description="A team, or a list: any of them.")
    service: Slugs = Field(
        default_factory=list, description="A service, or a list: any of them matches."
    )
    match: dict[LabelName, Values] = Field(
        default_factory=dict, description="label: a value, or a list of values (any of them)"
    )
    match_re: dict[LabelName, Regex] = Field(
        default_factory=dict,
        description="label: an RE2 regular expression the whole value must match",
        examples=[{"instance": "db-.*"}],
    )
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
    mute_time_intervals: list[Slug] = Field(
        default_factory=list,
        description="No notifications at all while one of these is active: every route, the "
        "default one included.",
    )
    active_time_intervals: list[Slug] = Field(
        default_factory=list,
        description="Notifications only while one of these is active, on every route, the "
        "default one included.",
    )
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
