"""Each document is a rule file as Prometheus loads it: only `groups`, a list of groups (or a
PrometheusRule's `spec.groups`; a mimirtool file's `namespace` beside them).

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
from typing import Any

from stackgen.lint.findings import Severity
from stackgen.lint.rules.base import Audience, Hit, Scope
from stackgen.lint.sources import group_list, is_operator_rule
from stackgen.prometheus.rulefmt import kind, unknown_fields

ID = "file/not-rules"
SEVERITY: Severity = "error"
SCOPES: tuple[Scope, ...] = ("file",)
AUDIENCE: Audience = "both"
HINT = "Lint rule files only, or fix the top level."


def check(document: Any) -> Iterator[Hit]:
    """One YAML document of the file (None: an empty one, which Prometheus reads as no
    groups)."""
    if document is None:
        return
    if not isinstance(document, dict):
        yield (), f"not a rule file: the top level is {kind(document)}, not a mapping of `groups`"
        return
    where, groups = group_list(document)
    if is_operator_rule(document):
        spec = document.get("spec")
        if spec is not None and not isinstance(spec, dict):
            yield ("spec",), f"a PrometheusRule's `spec` must be a mapping, not {kind(spec)}"
            return
    elif "groups" not in document and document:
        yield (), "not a rule file: no `groups` (nor a PrometheusRule's `spec.groups`)"
        return
    else:
        known = ("groups", "namespace") if "namespace" in document else ("groups",)
        for field in unknown_fields(document, known):
            yield (field,), f"unknown field `{field}`: a rule file holds only `groups`"
    if groups is None:
        return
    if not isinstance(groups, list):
        yield where, f"`groups` must be a list of groups, not {kind(groups)}"
        return
    for index, group in enumerate(groups):
        if group is not None and not isinstance(group, dict):  # Prometheus skips a null one
            yield (
                (*where, index),
                f"a group must be a mapping with `name` and `rules`, not {kind(group)}",
            )
