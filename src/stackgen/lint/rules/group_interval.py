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

from stackgen.lint.findings import Severity
from stackgen.lint.rules.base import Audience, Hit, Scope
from stackgen.lint.sources import Group
from stackgen.prometheus.rulefmt import duration_seconds

ID = "group/interval"
SEVERITY: Severity = "warning"
SCOPES: tuple[Scope, ...] = ("group",)
AUDIENCE: Audience = "both"
HINT = "Evaluate alerting groups at least every 5m."


def check(group: Group) -> Iterator[Hit]:
    """An interval Prometheus refuses is group/structure's."""
    seconds = duration_seconds(group.data.get("interval"))
    if seconds is not None and seconds > 300:
        interval = group.data["interval"]
        yield ("interval",), f"group interval {interval} is over 5m: alerts react late"
