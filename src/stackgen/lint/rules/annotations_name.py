"""Annotation names are valid Prometheus label names: Prometheus refuses the rule otherwise.

Bad:

    annotations: {runbook-url: https://runbooks/x}

Good:

    annotations: {runbook_url: https://runbooks/x}
"""

from __future__ import annotations

from collections.abc import Iterator

from stackgen.lint.findings import Severity
from stackgen.lint.rules.base import Audience, Hit, Scope, Settings
from stackgen.lint.sources import Rule
from stackgen.prometheus.rulefmt import label_name_error

ID = "annotations/name"
SEVERITY: Severity = "error"
SCOPES: tuple[Scope, ...] = ("rule",)
AUDIENCE: Audience = "both"
HINT = "Use letters, digits and underscores, such as `runbook_url`."


def check(rule: Rule, settings: Settings) -> Iterator[Hit]:
    for name in rule.annotations:
        if (error := label_name_error(name, reserved=False)) is not None:
            yield ("annotations", name), f"annotation name {error}"
