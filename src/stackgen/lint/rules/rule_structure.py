"""Each rule has exactly one of record/alert, and an expr.

Bad:

    - record: job:x:rate5m
      alert: X
      expr: up

Good:

    - record: job:x:rate5m
      expr: sum by (job) (rate(x_total[5m]))
"""

from __future__ import annotations

from collections.abc import Iterator

from stackgen.lint.findings import Severity
from stackgen.lint.rules.base import Audience, Hit, Scope, Settings
from stackgen.lint.sources import Rule

ID = "rule/structure"
SEVERITY: Severity = "error"
SCOPES: tuple[Scope, ...] = ("rule",)
AUDIENCE: Audience = "both"
HINT = "Split the rule, or remove what recording rules do not take."


def check(rule: Rule, settings: Settings) -> Iterator[Hit]:
    kinds = [k for k in ("record", "alert") if k in rule.data]
    if len(kinds) != 1:
        yield (), "a rule needs exactly one of `record` and `alert`"
    if not str(rule.data.get("expr", "")).strip():
        yield (), "a rule needs an `expr`"
    if "record" in rule.data:
        for key in ("for", "annotations", "keep_firing_for"):
            if key in rule.data:
                yield (key,), f"a recording rule takes no `{key}`"
