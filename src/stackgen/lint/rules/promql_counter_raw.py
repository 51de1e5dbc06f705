"""A counter is read through rate() or increase(), not as it is (nor by delta() or deriv(),
which take gauges). Counter by evidence (prometheus/metric_types): a table of common
exporters' metrics, a `_total` not read beside its `_used`/`_free`/`_healthy` sibling (then it
is a capacity), then the naming convention.

Bad:

    expr: http_requests_total > 100
    expr: delta(node_edac_uncorrectable_errors_total[5m]) > 0

Good:

    expr: rate(http_requests_total[5m]) > 100
"""

from __future__ import annotations

from collections.abc import Iterator

from stackgen.lint.findings import Severity
from stackgen.lint.rules.base import Audience, Hit, Scope, Settings
from stackgen.lint.sources import Rule

ID = "promql/counter-raw"
SEVERITY: Severity = "warning"
SCOPES: tuple[Scope, ...] = ("rule",)
AUDIENCE: Audience = "both"
HINT = "Wrap it: `rate(x_total[5m])`."


def check(rule: Rule, settings: Settings) -> Iterator[Hit]:
    for name in rule.analysed.raw_counters if rule.analysed else ():
        yield (
            ("expr",),
            f"`{name}` is a counter used as it is: its value only grows and restarts at 0; "
            f"use `rate({name}[5m])` or `increase(...)`",
        )
