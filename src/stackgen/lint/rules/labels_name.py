"""Rule label names are valid Prometheus label names.

Bad:

    labels: {plug-l1: x}

Good:

    labels: {plug_l1: x}
"""

from __future__ import annotations

from collections.abc import Iterator

from stackgen.lint.findings import Severity
from stackgen.lint.rules.base import Audience, Hit, Scope, Settings
from stackgen.lint.sources import Rule
from stackgen.prometheus.names import LABEL_NAME

ID = "labels/name"
SEVERITY: Severity = "error"
SCOPES: tuple[Scope, ...] = ("rule",)
AUDIENCE: Audience = "both"
HINT = "Use letters, digits and underscores, such as `plug_l1`."


def check(rule: Rule, settings: Settings) -> Iterator[Hit]:
    for name in rule.data.get("labels") or {}:
        if not LABEL_NAME.match(str(name)):
            yield ("labels", str(name)), f"`{name}` is not a valid label name"
