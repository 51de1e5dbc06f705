"""The expression is valid PromQL for Prometheus 2.42.

Bad:

    expr: sum(rate(x_total[5m])

Good:

    expr: sum(rate(x_total[5m]))
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from stackgen.lint.facts import DashboardFacts
from stackgen.lint.findings import Severity
from stackgen.lint.rules.base import Audience, Hit, Keys, Scope, Settings
from stackgen.lint.sources import Rule

ID = "promql/syntax"
SEVERITY: Severity = "error"
SCOPES: tuple[Scope, ...] = ("rule", "dashboard")
AUDIENCE: Audience = "both"
HINT = "Fix the expression; `promtool check rules` shows the same error."


def check(rule: Rule, settings: Settings) -> Iterator[Hit]:
    error = rule.facts.error if rule.facts else None
    if error is not None:
        yield ("expr",), error


def check_dashboard(
    dashboard: dict[str, Any], queries: Sequence[tuple[Keys, DashboardFacts]]
) -> Iterator[Hit]:
    """A dashboard's queries that do not parse (Grafana's variables substituted)."""
    for where, facts in queries:
        if facts.error is not None:
            yield where, facts.error
