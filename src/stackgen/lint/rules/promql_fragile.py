"""Alerts do not rank with topk() or bottomk(): the top series change between evaluations, so
alerts resolve and fire again.

Bad:

    expr: topk(3, rate(errors_total[5m])) > 1

Good:

    expr: rate(errors_total[5m]) > 1
"""

from __future__ import annotations

from collections.abc import Iterator

from stackgen.lint.findings import Severity
from stackgen.lint.rules.base import Audience, Hit, Scope, Settings
from stackgen.lint.sources import Rule

ID = "promql/fragile"
SEVERITY: Severity = "warning"
SCOPES: tuple[Scope, ...] = ("rule",)
AUDIENCE: Audience = "both"
HINT = "Alert on a threshold, not on a ranking."


def check(rule: Rule, settings: Settings) -> Iterator[Hit]:
    found = rule.analysed
    if found is None or not rule.is_alert:
        return
    for message in found.ranked:
        yield ("expr",), message
