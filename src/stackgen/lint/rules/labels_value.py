"""Alert labels do not use $value.

Bad:

    labels: {value: '{{ $value }}'}

Good:

    annotations: {description: 'at {{ $value }}'}
"""

from __future__ import annotations

from collections.abc import Iterator

from stackgen.lint.findings import Severity
from stackgen.lint.rules.base import Audience, Hit, Scope, Settings
from stackgen.lint.sources import Rule

ID = "labels/value"
SEVERITY: Severity = "warning"
SCOPES: tuple[Scope, ...] = ("rule",)
AUDIENCE: Audience = "both"
HINT = "Move $value into an annotation."


def check(rule: Rule, settings: Settings) -> Iterator[Hit]:
    for name, value in rule.labels.items():
        if "$value" in str(value):
            yield (
                ("labels", str(name)),
                (f"label `{name}` uses `$value`: every new value starts a new alert"),
            )
