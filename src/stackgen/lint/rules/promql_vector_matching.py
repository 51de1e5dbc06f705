"""The sides of a binary operation can match: both keep the labels it matches on.

Bad:

    expr: sum by (job) (rate(errors_total[5m])) / sum by (instance) (rate(requests_total[5m])) > 0.1

Good:

    expr: sum by (job) (rate(errors_total[5m])) / sum by (job) (rate(requests_total[5m])) > 0.1
"""

from __future__ import annotations

from collections.abc import Iterator

from stackgen.lint.findings import Severity
from stackgen.lint.rules.base import Audience, Hit, Scope, Settings
from stackgen.lint.sources import Rule

ID = "promql/vector-matching"
SEVERITY: Severity = "warning"
SCOPES: tuple[Scope, ...] = ("rule",)
AUDIENCE: Audience = "both"
HINT = "Match on labels both sides keep: `on (...)`, or group both alike."


def check(rule: Rule, settings: Settings) -> Iterator[Hit]:
    found = rule.analysed
    if found is None:
        return
    for message in found.never_matching:
        yield ("expr",), message
