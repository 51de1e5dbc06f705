"""Rules read neither the future (a negative `offset`) nor one fixed time (`@`).

Bad:

    expr: rate(x_total[5m] offset -5m) > 1

Good:

    expr: rate(x_total[5m] offset 5m) > 1
"""

from __future__ import annotations

from collections.abc import Iterator

from stackgen.lint.findings import Severity
from stackgen.lint.rules.base import Audience, Hit, Scope, Settings
from stackgen.lint.sources import Rule

ID = "promql/time-shift"
SEVERITY: Severity = "warning"
SCOPES: tuple[Scope, ...] = ("rule",)
AUDIENCE: Audience = "both"
HINT = "Use a positive offset; remove `@`."


def check(rule: Rule, settings: Settings) -> Iterator[Hit]:
    found = rule.analysed
    if found is None:
        return
    for message in found.time_shifts:
        yield ("expr",), message
