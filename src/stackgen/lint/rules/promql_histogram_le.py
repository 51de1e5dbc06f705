"""histogram_quantile() reads buckets that keep their `le` label.

Bad:

    expr: histogram_quantile(0.9, sum by (job) (rate(x_bucket[5m]))) > 1

Good:

    expr: histogram_quantile(0.9, sum by (job, le) (rate(x_bucket[5m]))) > 1
"""

from __future__ import annotations

from collections.abc import Iterator

from stackgen.lint.findings import Severity
from stackgen.lint.rules.base import Audience, Hit, Scope, Settings
from stackgen.lint.sources import Rule

ID = "promql/histogram-le"
SEVERITY: Severity = "warning"
SCOPES: tuple[Scope, ...] = ("rule",)
AUDIENCE: Audience = "both"
HINT = "Keep `le` in the aggregation: `sum by (le) (...)`."


def check(rule: Rule, settings: Settings) -> Iterator[Hit]:
    found = rule.analysed
    if found is None:
        return
    for message in found.dropped_le:
        yield ("expr",), message
