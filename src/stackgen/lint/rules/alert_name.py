"""Alert names are CamelCase.

Bad:

    - alert: high_error_rate

Good:

    - alert: HighErrorRate
"""

from __future__ import annotations

from collections.abc import Iterator

from stackgen.lint.findings import Severity
from stackgen.lint.rules.base import Audience, Hit, Scope, Settings
from stackgen.lint.sources import Rule
from stackgen.prometheus.names import ALERT_NAME

ID = "alert/name"
SEVERITY: Severity = "warning"
SCOPES: tuple[Scope, ...] = ("rule",)
AUDIENCE: Audience = "both"
HINT = "Rename it, such as `HighErrorRate`."


def check(rule: Rule, settings: Settings) -> Iterator[Hit]:
    name = rule.data.get("alert")
    if name is not None and not ALERT_NAME.match(str(name)):
        yield ("alert",), f"alert name `{name}` is not CamelCase"
