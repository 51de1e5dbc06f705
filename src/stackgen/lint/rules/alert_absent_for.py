"""An alert on absent() waits with `for` (where absent()'s result is the alert's: not where it
only filters other series, as the right side of `and`).

Bad:

    - alert: JobMissing
      expr: absent(up{job="api"})

Good:

    - alert: JobMissing
      expr: absent(up{job="api"})
      for: 5m
"""

from __future__ import annotations

from collections.abc import Iterator

from stackgen.common.values import parse_duration
from stackgen.lint.findings import Severity
from stackgen.lint.rules.base import Audience, Hit, Scope, Settings
from stackgen.lint.sources import Rule

ID = "alert/absent-for"
SEVERITY: Severity = "warning"
SCOPES: tuple[Scope, ...] = ("rule",)
AUDIENCE: Audience = "both"
HINT = "Add `for: 5m` or longer."


def _waits(rule: Rule) -> bool:
    """Whether the alert has a `for` longer than zero."""
    try:
        return parse_duration(str(rule.data.get("for") or "0s")) > 0
    except ValueError:
        return True  # not a duration: rule/structure's business, not this check's


def check(rule: Rule, settings: Settings) -> Iterator[Hit]:
    found = rule.analysed
    if rule.is_alert and found is not None and found.absent_decides and not _waits(rule):
        yield ("expr",), "`absent()` without `for` fires on every scrape gap or restart"
