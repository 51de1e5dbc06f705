"""Group names are unique within a file: Prometheus refuses a file that repeats one.

Bad:

    groups:
      - name: api
        rules: []
      - name: api
        rules: []

Good:

    groups:
      - name: api
        rules: []
      - name: api-slo
        rules: []
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from stackgen.lint.findings import Severity
from stackgen.lint.rules.base import Audience, Hit, Scope
from stackgen.lint.sources import Group
from stackgen.prometheus.rulefmt import is_scalar, scalar_text

ID = "group/duplicate"
SEVERITY: Severity = "error"
SCOPES: tuple[Scope, ...] = ("file",)
AUDIENCE: Audience = "both"
HINT = "Rename one of the groups, or merge them."


def check(groups: Iterable[Group]) -> Iterator[Hit]:
    """The groups of one document (keys are relative to the document)."""
    seen: set[str] = set()
    for group in groups:
        name = group.data.get("name")
        if not is_scalar(name):
            continue
        text = scalar_text(name)
        if text in seen:
            yield (*group.path, "name"), f"group `{text}` is already defined in this file"
        seen.add(text)
