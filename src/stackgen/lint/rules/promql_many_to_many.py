"""A binary operation between vectors whose sides can both hold several series of one match
group: Prometheus refuses to evaluate it ("many-to-many matching not allowed"), so the rule
fails at every evaluation that meets such series. `and`, `or` and `unless` may match many to
many; `group_left` and `group_right` say which side is the many.

Bad:

    expr: sum by (job, instance) (a) / on (job) sum by (job, instance) (b) > 1
    expr: rate({__name__=~"a_total|b_total"}[5m]) > rate({__name__=~"c_total|d_total"}[5m])

Good:

    expr: sum by (job, instance) (a) / on (job, instance) sum by (job, instance) (b) > 1
    expr: sum by (job, instance) (a) / on (job) group_left sum by (job) (b) > 1
"""

from __future__ import annotations

from collections.abc import Iterator

from stackgen.lint.findings import Severity
from stackgen.lint.rules.base import Audience, Hit, Scope, Settings
from stackgen.lint.sources import Rule

ID = "promql/many-to-many"
SEVERITY: Severity = "warning"
SCOPES: tuple[Scope, ...] = ("rule",)
AUDIENCE: Audience = "both"
HINT = "Match `on (...)` labels that pick one series of a side, or aggregate one side first."


def check(rule: Rule, settings: Settings) -> Iterator[Hit]:
    found = rule.analysed
    for message in found.many_to_many if found is not None else ():
        yield ("expr",), message
