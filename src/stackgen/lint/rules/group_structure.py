"""Each group is what Prometheus loads: a `name`, an `interval` that is a Prometheus duration, a
whole-number `limit`, a list of `rules`, and no other field.

Bad:

    - rules: []
      interval: 5min
      evaluation_interval: 1m

Good:

    - name: api
      interval: 5m
      rules: []
"""

from __future__ import annotations

from collections.abc import Iterator

from stackgen.lint.findings import Severity
from stackgen.lint.rules.base import Audience, Hit, Scope
from stackgen.lint.sources import Group
from stackgen.prometheus.rulefmt import duration_error, is_scalar, kind, unknown_fields

ID = "group/structure"
SEVERITY: Severity = "error"
SCOPES: tuple[Scope, ...] = ("group",)
AUDIENCE: Audience = "both"
HINT = "Give each group a `name` and a list of `rules`; fix or remove the field shown."


def check(group: Group) -> Iterator[Hit]:
    data = group.data
    for field in unknown_fields(data, group.fields):
        yield (field,), f"unknown group field `{field}` (a group takes {', '.join(group.fields)})"
    name = data.get("name")
    if not is_scalar(name):
        yield ("name",), f"a group's `name` must be a string, not {kind(name)}"
    elif name is None or name == "":
        yield (), "a group needs a `name`"
    if "interval" in data and (error := duration_error(data["interval"])) is not None:
        yield ("interval",), f"`interval`: {error}"
    limit = data.get("limit")
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int | float)):
        yield ("limit",), f"`limit` must be a whole number, not {kind(limit)}"
    rules = data.get("rules")
    if rules is not None and not isinstance(rules, list):  # none at all is fine for promtool
        yield ("rules",), f"`rules` must be a list of rules, not {kind(rules)}"
        return
    for index, rule in enumerate(rules or ()):
        if rule is not None and not isinstance(rule, dict):  # Prometheus skips a null one
            yield ("rules", index), f"a rule must be a mapping, not {kind(rule)}"
