"""Aggregations keep and drop the labels the team's policy says, by rule (the lint config's
`aggregation_policies`, as pint's `promql/aggregate`): a recording rule that sums `job` away
breaks every alert and dashboard that groups by it. `topk`, `bottomk` and `limitk` return
their input series whole, and are left alone. Quiet without a policy.

With `aggregation_policies: [{rules: "job:.*", keep: [job]}]`:

Bad:

    record: job:http_requests:rate5m
    expr: sum by (instance) (rate(http_requests_total[5m]))

Good:

    record: job:http_requests:rate5m
    expr: sum by (job) (rate(http_requests_total[5m]))
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from stackgen.lint.findings import Severity
from stackgen.lint.rules.base import Audience, Hit, Scope, Settings
from stackgen.lint.sources import Rule

ID = "promql/aggregation-policy"
SEVERITY: Severity = "warning"
SCOPES: tuple[Scope, ...] = ("rule",)
AUDIENCE: Audience = "both"
HINT = "Keep the label in `by (...)` (or out of `without (...)`), or drop it, as the policy says."

_WHOLE = ("topk", "bottomk", "limitk", "limit_ratio")


def _keeps(how: str, labels: frozenset[str], label: str) -> bool:
    return label in labels if how == "by" else how == "without" and label not in labels


def check(rule: Rule, settings: Settings) -> Iterator[Hit]:
    found = rule.analysed
    name = str(rule.data.get("record") or rule.data.get("alert") or "")
    if found is None or not settings.aggregation_policies:
        return
    policies = [p for p in settings.aggregation_policies if re.fullmatch(p.rules, name)]
    for operator, how, labels in dict.fromkeys(found.aggregations):
        if operator in _WHOLE:
            continue
        for policy in policies:
            lost = [label for label in policy.keep if not _keeps(how, labels, label)]
            kept = [label for label in policy.drop if _keeps(how, labels, label)]
            for wrong, what in ((lost, "removes"), (kept, "keeps")):
                if wrong:
                    shown = ", ".join(f"`{label}`" for label in wrong)
                    yield (
                        ("expr",),
                        f"`{operator}` {what} {shown}, which the policy for `{policy.rules}` "
                        f"says to {'keep' if what == 'removes' else 'drop'}",
                    )
