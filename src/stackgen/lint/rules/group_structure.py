"""Each group has a name and a list of rules.

Bad:

    - rules: []

Good:

    - name: api
      rules: []
"""

from __future__ import annotations

from collections.abc import Iterator

from stackgen.lint.findings import Severity
from stackgen.lint.rules.base import Audience, Hit, Scope
from stackgen.lint.sources import Group

ID = "group/structure"
SEVERITY: Severity = "error"
SCOPES: tuple[Scope, ...] = ("group",)
AUDIENCE: Audience = "both"
HINT = "Add the missing `name` or `rules`."


def check(group: Group) -> Iterator[Hit]:
    if not group.data.get("name"):
        yield (), "a group needs a `name`"
    rules = group.data.get("rules")
    if rules is not None and not isinstance(rules, list):  # none at all is fine for promtool
        yield ("rules",), "`rules` must be a list of rules"
