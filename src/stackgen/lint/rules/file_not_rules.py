"""Each document is a rule file (`groups`, or a PrometheusRule's `spec.groups`).

Bad:

    rules:
      - alert: X

Good:

    groups:
      - name: api
        rules:
          - alert: X
"""

from __future__ import annotations

from collections.abc import Iterator

from stackgen.lint.findings import Severity
from stackgen.lint.rules.base import Audience, Hit, Scope
from stackgen.lint.sources import Group

ID = "file/not-rules"
SEVERITY: Severity = "error"
SCOPES: tuple[Scope, ...] = ("file",)
AUDIENCE: Audience = "both"
HINT = "Lint rule files only, or fix the top level."


def check(groups: Iterator[Group] | None) -> Iterator[Hit]:
    """`groups`: a document's rule groups, None when it has none (lint.sources.groups_of)."""
    if groups is None:
        yield (), "not a rule file: no `groups` (nor a PrometheusRule's `spec.groups`)"
