"""An alert compares its query with a threshold (a heartbeat `vector(1)`, `and`/`unless`
filters by presence, and a scraped metric's selector as it is, whose series are the alert, are
meant as they are).

Bad:

    - alert: HighErrorRate
      expr: job:errors:ratio5m

Good:

    - alert: HighErrorRate
      expr: job:errors:ratio5m > 0.05
"""

from __future__ import annotations

from collections.abc import Iterator

from stackgen.lint.findings import Severity
from stackgen.lint.rules.base import Audience, Hit, Scope, Settings
from stackgen.lint.sources import Rule

ID = "alert/comparison"
SEVERITY: Severity = "warning"
SCOPES: tuple[Scope, ...] = ("rule",)
AUDIENCE: Audience = "both"
HINT = "Add a comparison such as `> 0.05`."


def check(rule: Rule, settings: Settings) -> Iterator[Hit]:
    found = rule.analysed
    if rule.is_alert and found is not None and not (found.comparison or found.absent):
        if found.presence:
            return  # a heartbeat, `and`/`unless` filtering by presence, a selector as it is
        yield ("expr",), "the alert has no comparison, so it fires whenever the query has data"
