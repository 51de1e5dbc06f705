"""Selectors match on the labels the team's policy requires of their metrics (the lint
config's `selector_policies`, as pint's `promql/selector`): a query without `job` or
`cluster` reads every target's series of that name, other teams' too. Quiet without a policy.

With `selector_policies: [{metrics: "http_.*", required_labels: [job]}]`:

Bad:

    expr: sum(rate(http_requests_total[5m])) > 100

Good:

    expr: sum(rate(http_requests_total{job="api"}[5m])) > 100
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from stackgen.lint.findings import Severity
from stackgen.lint.rules.base import Audience, Hit, Scope, Settings
from stackgen.lint.sources import Rule

ID = "promql/selector-policy"
SEVERITY: Severity = "warning"
SCOPES: tuple[Scope, ...] = ("rule",)
AUDIENCE: Audience = "both"
HINT = 'Add a matcher for each label the policy requires: `metric{job="..."}`.'


def check(rule: Rule, settings: Settings) -> Iterator[Hit]:
    found = rule.analysed
    if found is None or not settings.selector_policies:
        return
    for name, matched in dict.fromkeys(found.selectors):
        for policy in settings.selector_policies:
            missing = [label for label in policy.required_labels if label not in matched]
            if missing and re.fullmatch(policy.metrics, name):
                shown = name or "a selector of no metric name"
                labels = ", ".join(f"`{label}`" for label in missing)
                yield (
                    ("expr",),
                    f"`{shown}` is selected without {labels}, which the policy requires",
                )
