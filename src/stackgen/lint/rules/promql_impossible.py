"""A comparison no value of the query can meet: `up` is 0 or 1, `count` and `count_over_time` are
never 0 (no series means no result), `absent()` is 1 or nothing.

Bad:

    expr: count_over_time(up{job="api"}[5m]) == 0

Good:

    expr: absent_over_time(up{job="api"}[5m])
"""

from __future__ import annotations

from collections.abc import Iterator

from stackgen.lint.findings import Severity
from stackgen.lint.rules.base import Audience, Hit, Scope, Settings
from stackgen.lint.sources import Rule

ID = "promql/impossible"
SEVERITY: Severity = "warning"
SCOPES: tuple[Scope, ...] = ("rule",)
AUDIENCE: Audience = "both"
HINT = "Change the comparison to one the query's values can meet."


def check(rule: Rule, settings: Settings) -> Iterator[Hit]:
    found = rule.analysed
    if found is None:
        return
    for message in found.impossible:
        yield ("expr",), message
