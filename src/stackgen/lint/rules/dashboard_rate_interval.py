"""Dashboard rate()/increase() use $__rate_interval (or $__range).

Bad:

    "expr": "sum(rate(http_requests_total[5m]))"

Good:

    "expr": "sum(rate(http_requests_total[$__rate_interval]))"
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from stackgen.common.values import format_duration
from stackgen.lint.facts import DashboardFacts
from stackgen.lint.findings import Severity
from stackgen.lint.rules.base import Audience, Hit, Keys, Scope

ID = "dashboard/rate-interval"
SEVERITY: Severity = "warning"
SCOPES: tuple[Scope, ...] = ("dashboard", "panel")
AUDIENCE: Audience = "both"
HINT = "Write `rate(x[$__rate_interval])`."


def check(
    dashboard: dict[str, Any], queries: Sequence[tuple[Keys, DashboardFacts]]
) -> Iterator[Hit]:
    for where, facts in queries:
        for function, seconds in facts.fixed_ranges if facts.error is None else ():
            yield (
                where,
                (
                    f"`{function}` over a fixed [{format_duration(seconds)}]: use "
                    "[$__rate_interval], which follows the scrape interval and the zoom"
                ),
            )


def check_panel(
    panel: dict[str, Any], queries: Sequence[tuple[str, DashboardFacts]]
) -> Iterator[Hit]:
    """A panel of a dashboard stackgen writes; one that does not parse: dashboard/known-metric."""
    for _, facts in queries:
        for function, _ in facts.fixed_ranges:
            yield (
                (),
                f"panel `{panel.get('title')}`: `{function}` over a fixed range, "
                "not $__rate_interval",
            )
