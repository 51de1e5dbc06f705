"""Alerts carry the required labels (by default a severity of critical, warning or info).

Bad:

    - alert: HighErrorRate
      labels: {severity: page}

Good:

    - alert: HighErrorRate
      labels: {severity: critical}
"""

from __future__ import annotations

from collections.abc import Iterator

from stackgen.lint.findings import Severity
from stackgen.lint.rules.base import Audience, Hit, Scope, Settings
from stackgen.lint.sources import Rule

ID = "labels/required"
SEVERITY: Severity = "warning"
SCOPES: tuple[Scope, ...] = ("rule",)
AUDIENCE: Audience = "both"
HINT = "Add `labels: {severity: warning}`."


def check(rule: Rule, settings: Settings) -> Iterator[Hit]:
    if not rule.is_alert:
        return
    labels = rule.labels
    for name, allowed in settings.required_labels:
        if name not in labels:
            yield (), f"the alert has no `{name}` label, which routing relies on"
        elif allowed and str(labels[name]) not in allowed:
            yield (
                ("labels", name),
                f"{name} `{labels[name]}` is not one of {', '.join(allowed)}",
            )
