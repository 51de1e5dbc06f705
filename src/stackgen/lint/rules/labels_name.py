"""Rule label names are valid Prometheus label names.

Bad:

    labels: {plug-l1: x}

Good:

    labels: {plug_l1: x}
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from stackgen.lint.findings import Severity
from stackgen.lint.rules.base import Audience, Hit, Scope, Settings
from stackgen.lint.sources import Rule

ID = "labels/name"
SEVERITY: Severity = "error"
SCOPES: tuple[Scope, ...] = ("rule",)
AUDIENCE: Audience = "both"
HINT = "Use letters, digits and underscores, such as `plug_l1`."

_LABEL_NAME = re.compile(r"^[a-zA-Z_][a-zA-Z0-9_]*$")


def check(rule: Rule, settings: Settings) -> Iterator[Hit]:
    for name in rule.data.get("labels") or {}:
        if not _LABEL_NAME.match(str(name)):
            yield ("labels", str(name)), f"`{name}` is not a valid label name"
