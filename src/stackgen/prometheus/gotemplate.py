"""Checks Go template text the way Prometheus will parse it: every `{{ ... }}` action closed
(string literals inside may hold braces) and only functions Prometheus 2.42 defines."""

from __future__ import annotations

import re

from stackgen.prometheus.promql import STRING_LITERAL, blank_strings

# Functions of Prometheus's alert templates (each checked against promtool 2.42), Go's
# built-ins, and the template language's keywords.
PROMETHEUS_FUNCTIONS = frozenset(
    (
        "args", "externalURL", "first", "graphLink", "humanize", "humanize1024",
        "humanizeDuration", "humanizePercentage", "humanizeTimestamp", "label", "match",
        "parseDuration", "pathPrefix", "query", "reReplaceAll", "safeHtml", "sortByLabel",
        "stripDomain", "stripPort", "strvalue", "tableLink", "title", "toLower", "toTime",
        "toUpper", "value",
    )
)  # fmt: skip
GO_BUILTINS = frozenset(
    (
        "and", "call", "html", "index", "slice", "js", "len", "not", "or", "print", "printf",
        "println", "urlquery", "eq", "ge", "gt", "le", "lt", "ne",
    )
)  # fmt: skip
KEYWORDS = frozenset(
    (
        "if", "else", "end", "range", "with", "define", "template", "block", "break",
        "continue", "nil", "true", "false",
    )
)  # fmt: skip
KNOWN = PROMETHEUS_FUNCTIONS | GO_BUILTINS | KEYWORDS

_WORD = re.compile(r"(?<![.$\w])[A-Za-z_]\w*")


def _actions(text: str) -> list[str]:
    """The inside of each `{{ ... }}`; ValueError when one is not closed."""
    actions, position = [], 0
    while (start := text.find("{{", position)) != -1:
        cursor = start + 2
        while True:
            literal = STRING_LITERAL.match(text, cursor)
            if literal:
                cursor = literal.end()
            elif text.startswith("}}", cursor):
                break
            elif text[cursor : cursor + 1] in ('"', "`", "'"):
                raise ValueError(
                    "has a string in a `{{ ... }}` action that is never closed: close the quote"
                )
            elif cursor >= len(text):
                raise ValueError(
                    "has a `{{` template action that is never closed: close it with `}}`, or "
                    'write a literal `{{` as {{ "{{" }}'
                )
            else:
                cursor += 1
        actions.append(text[start + 2 : cursor])
        position = cursor + 2
    return actions


_OPENS_BLOCK = frozenset(("if", "range", "with", "define", "block"))


def check_template(text: str) -> str:
    """`text` unchanged, or ValueError saying what Prometheus would refuse."""
    depth = 0
    for action in _actions(text):
        body = action.strip().strip("-").strip()
        if body.startswith("/*"):
            continue  # a comment
        words = _WORD.findall(blank_strings(body))
        if words and words[0] in _OPENS_BLOCK:
            depth += 1
        elif words and words[0] == "end":
            depth -= 1
            if depth < 0:
                raise ValueError("has an `{{ end }}` that closes nothing: remove it")
        for word in words:
            if word not in KNOWN:
                raise ValueError(
                    f"uses `{word}`, which is not a function of Prometheus templates "
                    f"(known: {', '.join(sorted(PROMETHEUS_FUNCTIONS))})"
                )
    if depth:
        raise ValueError("has an `{{ if }}`, `{{ range }}` or `{{ with }}` without its `{{ end }}`")
    return text
