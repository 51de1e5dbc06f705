"""Regexes carry no `^` or `$`: Prometheus anchors every regex matcher at both ends.

Bad:

    expr: up{job=~"^api$"} == 0

Good:

    expr: up{job=~"api"} == 0
"""

from __future__ import annotations

from collections.abc import Iterator

from stackgen.lint.findings import Severity
from stackgen.lint.rules.base import Audience, Hit, Scope, Settings
from stackgen.lint.sources import Rule

ID = "promql/regex-anchor"
SEVERITY: Severity = "info"
SCOPES: tuple[Scope, ...] = ("rule",)
AUDIENCE: Audience = "both"
HINT = "Drop the `^` and `$`."


def check(rule: Rule, settings: Settings) -> Iterator[Hit]:
    found = rule.analysed
    if found is None:
        return
    for message in found.anchors:
        yield ("expr",), message
