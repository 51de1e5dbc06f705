"""Regexes have no empty alternative: `=~"api|"` also matches series without the label.
Info: kube-prometheus writes `scope=~"resource|"` on purpose, so the check asks, not tells.

Bad:

    expr: up{job=~"api|"} == 0

Good:

    expr: up{job=~"api"} == 0
"""

from __future__ import annotations

from collections.abc import Iterator

from stackgen.lint.findings import Severity
from stackgen.lint.rules.base import Audience, Hit, Scope, Settings
from stackgen.lint.sources import Rule

ID = "promql/regex-empty"
SEVERITY: Severity = "info"
SCOPES: tuple[Scope, ...] = ("rule",)
AUDIENCE: Audience = "both"
HINT = "Remove the stray `|`."


def check(rule: Rule, settings: Settings) -> Iterator[Hit]:
    found = rule.analysed
    if found is None:
        return
    for message in found.empty_alternatives:
        yield ("expr",), message
