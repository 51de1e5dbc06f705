"""rate() and increase() take raw counters, not gauges or aggregations. A gauge by evidence
(prometheus/metric_types): a table of common exporters' metrics, an amount of memory or space
(`*_free_bytes`, `*_memory_*_bytes`), or a suffix no counter has (`_info`, `_ratio`, ...);
a name such as `junos_interface_transmit_bytes` alone says nothing.

Bad:

    expr: rate(sum(x_total)[5m:])
    expr: rate(node_memory_MemAvailable_bytes[5m])

Good:

    expr: sum(rate(x_total[5m]))
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

from stackgen.lint.findings import Severity
from stackgen.lint.rules.base import Audience, Hit, Scope, Settings, Spot
from stackgen.lint.sources import Reread, Rule

if TYPE_CHECKING:  # summaries are made by running the checks
    from stackgen.lint.summary import RuleFileSummary

ID = "promql/rate-counter"
SEVERITY: Severity = "warning"
SCOPES: tuple[Scope, ...] = ("rule", "files")
AUDIENCE: Audience = "both"
HINT = "Rate the counter first, then aggregate; use deriv() or delta() for a gauge."


def check(rule: Rule, settings: Settings) -> Iterator[Hit]:
    for message in rule.analysed.non_counters if rule.analysed else ():
        yield ("expr",), message


def check_files(files: Sequence[RuleFileSummary], rules: Reread) -> Iterator[Hit]:
    """`rate(job:x:sum[5m])` over a recording rule that sums counters hides their resets."""
    aggregates = set().union(*(summary.aggregates for summary in files))
    for summary in files:
        if summary.rated.isdisjoint(aggregates):
            continue
        for rule in rules.of(summary.file):  # which rules rate them: the file tells again
            rates = rule.analysed.counter_rates if rule.analysed else ()
            for function, name in rates:
                if name not in aggregates:
                    continue
                line, column = rule.position("expr")
                yield (
                    Spot(rule.file, line, column),
                    (
                        f"`{function}` of `{name}`, a recording rule that aggregates: rate the "
                        "counters first, then aggregate"
                    ),
                )
