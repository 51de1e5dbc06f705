"""An aggregation groups only by labels its input still has (an inner aggregation may have
removed them).

Bad:

    expr: max by (instance) (sum by (job) (rate(errors_total[5m]))) > 1

Good:

    expr: max by (instance) (sum by (job, instance) (rate(errors_total[5m]))) > 1
"""

from __future__ import annotations

from collections.abc import Iterator

from stackgen.lint.findings import Severity
from stackgen.lint.rules.base import Audience, Hit, Scope, Settings
from stackgen.lint.sources import Rule

ID = "promql/grouping-dropped"
SEVERITY: Severity = "warning"
SCOPES: tuple[Scope, ...] = ("rule",)
AUDIENCE: Audience = "both"
HINT = "Keep the label in the inner aggregation's `by (...)`."


def check(rule: Rule, settings: Settings) -> Iterator[Hit]:
    found = rule.analysed
    if found is None:
        return
    for message in found.grouping_dropped:
        yield ("expr",), message
