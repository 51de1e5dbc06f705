"""Each rule is what Prometheus loads: exactly one of `record` and `alert`, an `expr`, durations
Prometheus reads, labels and annotations that map names to strings, a valid metric name to
record, and no other field (a recording rule takes no `for` or annotations).

Bad:

    - record: job:x:rate5m{env="prod"}
      alert: X
      expr: up
      for: 5min
      annotation: {summary: s}

Good:

    - record: job:x:rate5m
      expr: sum by (job) (rate(x_total[5m]))
"""

from __future__ import annotations

from collections.abc import Iterator

from stackgen.lint.findings import Severity
from stackgen.lint.rules.base import Audience, Hit, Scope, Settings
from stackgen.lint.sources import Rule
from stackgen.prometheus.rulefmt import (
    RULE_FIELDS,
    duration_error,
    duration_seconds,
    is_scalar,
    metric_name_error,
    scalar_text,
    string_map_error,
    unknown_fields,
)

ID = "rule/structure"
SEVERITY: Severity = "error"
SCOPES: tuple[Scope, ...] = ("rule",)
AUDIENCE: Audience = "both"
HINT = "Fix the field shown; a recording rule takes no `for` or `annotations`."


def _name(rule: Rule, key: str) -> str:
    """`record` or `alert` as Prometheus sees it: empty unless a non-empty scalar."""
    value = rule.data.get(key)
    return scalar_text(value) if is_scalar(value) else ""


def check(rule: Rule, settings: Settings) -> Iterator[Hit]:
    data = rule.data
    for field in unknown_fields(data, RULE_FIELDS):
        yield (field,), f"unknown rule field `{field}` (a rule takes {', '.join(RULE_FIELDS)})"
    record, alert = _name(rule, "record"), _name(rule, "alert")
    if record and alert:
        yield (), "a rule needs exactly one of `record` and `alert`, not both"
    elif not record and not alert:
        yield (), "a rule needs a `record` or an `alert` name"
    expr = data.get("expr")
    if not is_scalar(expr) or not scalar_text(expr):
        yield ("expr",) if "expr" in data else (), "a rule needs an `expr`, a PromQL expression"
    for key in ("for", "keep_firing_for"):
        if key in data and (error := duration_error(data[key])) is not None:
            yield (key,), f"`{key}`: {error}"
    for key in ("labels", "annotations"):
        if (error := string_map_error(data.get(key))) is not None:
            yield (key,), f"`{key}` {error}"
    if not record:
        return
    for key in ("for", "keep_firing_for"):
        if duration_seconds(data.get(key)) not in (None, 0.0):
            yield (key,), f"a recording rule takes no `{key}`"
    if isinstance(data.get("annotations"), dict) and data["annotations"]:
        yield ("annotations",), "a recording rule takes no `annotations`"
    if (error := metric_name_error(record)) is not None:
        yield ("record",), f"recording rule name {error}"
