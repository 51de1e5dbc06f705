"""repeat_interval is at least group_interval.

Bad:

    route: {group_interval: 10m, repeat_interval: 5m}

Good:

    route: {group_interval: 5m, repeat_interval: 4h}
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from stackgen.common.values import format_duration
from stackgen.lint.findings import Severity
from stackgen.lint.rules.base import Audience, Hit, Scope
from stackgen.lint.sources import Document

if TYPE_CHECKING:  # the checks of alertmanager.yml import the routing when they run
    from stackgen.alertmanager.routing import Route

ID = "route/repeat-interval"
SEVERITY: Severity = "warning"
SCOPES: tuple[Scope, ...] = ("stack",)
AUDIENCE: Audience = "both"
HINT = "Raise repeat_interval (default 4h), or lower group_interval."


def check(document: Document, tree: Route) -> Iterator[Hit]:
    for route in tree.walk():
        repeat, group = route.timings["repeat_interval"], route.timings["group_interval"]
        written = {"repeat_interval", "group_interval"} & route.written
        if repeat < group and written:
            key = "repeat_interval" if "repeat_interval" in written else "group_interval"
            yield (
                (*route.path, key),
                (
                    f"repeat_interval {format_duration(repeat)} is shorter than group_interval "
                    f"{format_duration(group)}: reminders come only every group_interval"
                ),
            )
