"""Regex matchers need a regex.

Bad:

    expr: up{job=~"api"}

Good:

    expr: up{job="api"}
"""

from __future__ import annotations

from collections.abc import Iterator

from stackgen.lint.findings import Severity
from stackgen.lint.rules.base import Audience, Hit, Scope, Settings
from stackgen.lint.sources import Rule

ID = "promql/regex"
SEVERITY: Severity = "info"
SCOPES: tuple[Scope, ...] = ("rule",)
AUDIENCE: Audience = "both"
HINT = "Use `=` or `!=` for a plain value."


def check(rule: Rule, settings: Settings) -> Iterator[Hit]:
    for message in rule.analysed.needless_regexes if rule.analysed else ():
        yield ("expr",), message
