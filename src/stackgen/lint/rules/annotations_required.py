"""Alerts carry summary, description and runbook_url.

Bad:

    - alert: HighErrorRate
      annotations: {summary: Errors}

Good:

    - alert: HighErrorRate
      annotations: {summary: Errors, description: ..., runbook_url: ...}
"""

from __future__ import annotations

from collections.abc import Iterator

from stackgen.lint.findings import Severity
from stackgen.lint.rules.base import Audience, Hit, Scope, Settings
from stackgen.lint.sources import Rule

ID = "annotations/required"
SEVERITY: Severity = "info"
SCOPES: tuple[Scope, ...] = ("rule",)
AUDIENCE: Audience = "both"
HINT = "Add the missing annotations."


def check(rule: Rule, settings: Settings) -> Iterator[Hit]:
    if "alert" not in rule.data:
        return
    annotations = rule.annotations
    missing = [a for a in settings.required_annotations if a not in annotations]
    if missing:
        yield (), f"the alert lacks the annotations {', '.join(missing)}"
