"""Checks over every rule linted together: duplicates, recording rules used but defined
nowhere, and rates of recorded aggregations."""

from __future__ import annotations

import json
from collections.abc import Iterator

from stackgen.lint.findings import Finding
from stackgen.lint.sources import Rule


def _identity(rule: Rule) -> str:
    """Alerts: name and labels. Recording rules: also the expression, since rules of one name
    that write disjoint series (by `code`, say) are a common, sound pattern."""
    kind = "record" if "record" in rule.data else "alert"
    labels = json.dumps(rule.data.get("labels") or {}, sort_keys=True, default=str)
    expr = " ".join(str(rule.data.get("expr", "")).split()) if kind == "record" else ""
    return f"{kind}:{rule.data.get(kind)}:{labels}:{expr}"


def duplicates(rules: list[Rule]) -> Iterator[Finding]:
    first: dict[str, Rule] = {}
    for rule in rules:
        key = _identity(rule)
        if key in first:
            line, column = rule.position()
            seen = first[key]
            where = f"{seen.file}:{seen.position()[0]}"
            yield Finding(rule.file, line, column, "rule/duplicate", "warning",
                          f"the same rule (name and labels) is already at {where}")  # fmt: skip
        else:
            first[key] = rule


def undefined_records(rules: list[Rule]) -> Iterator[Finding]:
    defined = {str(r.data["record"]) for r in rules if "record" in r.data}
    for rule in rules:
        if rule.analysed is None:
            continue
        for name in sorted(rule.analysed.recorded - defined):
            line, column = rule.position("expr")
            yield Finding(rule.file, line, column, "record/undefined", "warning",
                          f"`{name}` looks like a recording rule, but none of the linted "
                          "files defines it")  # fmt: skip


def rates_of_aggregates(rules: list[Rule]) -> Iterator[Finding]:
    """`rate(job:x:sum[5m])` over a recording rule that sums counters hides their resets."""
    aggregates = {
        str(r.data["record"])
        for r in rules
        if "record" in r.data and r.analysed is not None and r.analysed.aggregated
    }
    for rule in rules:
        for function, name in rule.analysed.counter_rates if rule.analysed else ():
            if name in aggregates:
                line, column = rule.position("expr")
                yield Finding(rule.file, line, column, "promql/rate-counter", "warning",
                              f"`{function}` of `{name}`, a recording rule that "
                              "aggregates: rate the counters first, then aggregate")  # fmt: skip
