"""Checks over every rule linted together: duplicates, and recording rules used but defined
nowhere."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

from stackgen.lint.findings import Finding
from stackgen.lint.sources import Rule
from stackgen.promql import blank_strings

# A metric name with a colon: the recording-rule convention (level:metric:operations).
_RECORDED = re.compile(r"(?<![\w:\"'.])([a-zA-Z_][a-zA-Z0-9_]*:[a-zA-Z0-9_:]*)")


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
        code = blank_strings(str(rule.data.get("expr", "")))
        code = re.sub(r"\[[^\]]*\]", "[]", re.sub(r"#[^\n]*", "", code))  # comments, ranges
        for name in sorted(set(_RECORDED.findall(code)) - defined):
            line, column = rule.position("expr")
            yield Finding(rule.file, line, column, "record/undefined", "warning",
                          f"`{name}` looks like a recording rule, but none of the linted "
                          "files defines it")  # fmt: skip
