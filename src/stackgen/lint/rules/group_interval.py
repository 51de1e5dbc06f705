"""Group intervals are at most 5m.

Bad:

    - name: api
      interval: 10m

Good:

    - name: api
      interval: 1m
"""

from __future__ import annotations

from collections.abc import Iterator

from stackgen.common.values import parse_duration
from stackgen.lint.findings import Severity
from stackgen.lint.rules.base import Audience, Hit, Scope
from stackgen.lint.sources import Group

ID = "group/interval"
SEVERITY: Severity = "warning"
SCOPES: tuple[Scope, ...] = ("group",)
AUDIENCE: Audience = "both"
HINT = "Evaluate alerting groups at least every 5m."


def check(group: Group) -> Iterator[Hit]:
    interval = group.data.get("interval")
    try:
        if interval is not None and parse_duration(str(interval)) > 300:
            yield ("interval",), f"group interval {interval} is over 5m: alerts react late"
    except ValueError:
        yield ("interval",), f"`{interval}` is not a Prometheus duration"
