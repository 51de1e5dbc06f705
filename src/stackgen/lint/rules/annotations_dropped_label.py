"""Templates use only labels the query's result carries.

Bad:

    expr: sum(rate(x_total[5m])) > 1
    annotations: {summary: '{{ $labels.job }}'}

Good:

    expr: sum by (job) (rate(x_total[5m])) > 1
    annotations: {summary: '{{ $labels.job }}'}
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from stackgen.lint.findings import Severity
from stackgen.lint.rules.base import Audience, Hit, Scope, Settings
from stackgen.lint.sources import Rule
from stackgen.prometheus import query

ID = "annotations/dropped-label"
SEVERITY: Severity = "warning"
SCOPES: tuple[Scope, ...] = ("rule",)
AUDIENCE: Audience = "both"
HINT = "Keep the label in the aggregation (`by (..., label)`), or stop using it."

# How templates read a label of the alert's series.
_TEMPLATE_LABEL = re.compile(
    r"(?:\$labels|\.Labels)\.([A-Za-z_][A-Za-z0-9_]*)|index\s+(?:\$labels|\.Labels)\s+\"([^\"]+)\""
)


def check(rule: Rule, settings: Settings) -> Iterator[Hit]:
    """Templates see the labels of the query's result (`$labels`), not the rule's labels."""
    if rule.analysed is None or not rule.is_alert:
        return
    labels = rule.analysed.labels
    static = rule.labels
    for section, values in (("annotations", rule.annotations), ("labels", static)):
        for name, value in values.items():
            if "abels" not in value:  # neither `$labels` nor `.Labels`: no regex scan needed
                continue
            for match in _TEMPLATE_LABEL.finditer(value):
                label = match.group(1) or match.group(2)
                if labels.has(label) is not False:
                    continue
                why = (
                    "it is a label of the rule, and templates only see the query's labels"
                    if label in static
                    else _kept(labels)
                )
                yield (section, name), f"`$labels.{label}` is always empty: {why}"


def _kept(labels: query.Labels) -> str:
    if labels.closed:
        if not labels.names:
            return "the query's result has no labels"
        return f"the query's result keeps only {', '.join(sorted(labels.names))}"
    return "the query drops it (an aggregation `without` it, or `ignoring` it)"
