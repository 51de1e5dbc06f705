"""Builds PromQL text from spec values: every label value is quoted as a PromQL string literal."""

from __future__ import annotations

import re

# A string literal as PromQL (and Go templates) write them: "double", 'single' or `raw`.
STRING_LITERAL = re.compile(r'"(?:\\.|[^"\\])*"|\'(?:\\.|[^\'\\])*\'|`[^`]*`')


def blank_strings(code: str) -> str:
    """The text with every string literal emptied, so their contents are not read as code."""
    return STRING_LITERAL.sub('""', code)


def quote(value: str) -> str:
    """A PromQL (and Alertmanager matcher) string literal for any text."""
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


def selector(metric: str, matchers: dict[str, str] | None = None, **equal: str) -> str:
    """`metric{a="1",b=~"x|y"}`: `equal` are exact matches; `matchers` map label to `op value`
    text already formed, such as {'status': '=~"5.."'}."""
    parts = [f"{name}={quote(value)}" for name, value in equal.items()]
    parts += [f"{name}{op}" for name, op in (matchers or {}).items()]
    return f"{metric}{{{','.join(parts)}}}" if parts else metric
