"""Builds PromQL text from spec values: every label value is quoted as a PromQL string literal."""

from __future__ import annotations

import re

import promql_parser

from stackgen.prometheus.dialect import DEFAULT, HOLT_WINTERS, version_error
from stackgen.prometheus.literals import STRING_LITERAL

# An equality matcher `label="value"` (not `!=`, `=~`, `==`; not `__name__`) whose value is
# neither empty nor needs escaping (any other such value parses the same), or else any string
# literal: the scan passes over literals whole, so a matcher is only ever found in code.
_PLAIN_MATCHER_OR_LITERAL = re.compile(
    r"(?P<matcher>[{,]\s*(?!__name__\s*=)[A-Za-z_][A-Za-z0-9_]*\s*=\s*)"
    r"(?:\"[\w.:/-]+\"|'[\w.:/-]+'|`[\w.:/-]+`)|" + STRING_LITERAL.pattern
)
_STAND_IN = '"_"'


def normalised(expr: str) -> str:
    """The expression with the value of every plain `label="value"` matcher (but `__name__`'s)
    replaced by one stand-in: a fleet's queries differ mostly in such values (each service's
    name), and what is read from a query is worked out once per normalised text. No lint
    check's verdict depends on such a value: the checks read the metric's name, regex
    matchers' values, and of equality matchers only their label names and whether the value is
    empty (which a plain value never is); tests/lint/test_facts.py holds them to it. Nor does a
    panel's unit (plan/units.py)."""
    if "#" in expr:  # a PromQL comment may hold quotes that are no string literal
        return expr
    return _PLAIN_MATCHER_OR_LITERAL.sub(_stand_in, expr)


def _stand_in(found: re.Match[str]) -> str:
    matcher = found.group("matcher")
    return found.group(0) if matcher is None else matcher + _STAND_IN


# How deep an expression may nest, counting brackets and binary operators (each operator of a
# chain nests the tree one level more). The parser recurses on its own stack, and aborts the
# process beyond a few thousand levels; real queries stay well within a few dozen.
MAX_DEPTH = 200
_DEPTH_TOKEN = re.compile(
    STRING_LITERAL.pattern + r"|#[^\n]*|(?P<open>[([{])|(?P<close>[)\]}])"
    r"|(?P<op>==|!=|>=|<=|[-+*/%^<>]|\b(?:and|or|unless|atan2)\b)"
)


def depth(expr: str) -> int:
    """How deeply `expr` nests, at most: brackets, and binary operators within each level
    (matchers' operators inside `{...}` are not counted)."""
    deepest, total, levels = 0, 0, [0]  # per open bracket: the operators seen at its level
    braces = 0
    for token in _DEPTH_TOKEN.finditer(expr):
        if token.group("open"):
            braces += token.group("open") == "{"
            levels.append(0)
        elif token.group("close") and len(levels) > 1:
            braces -= token.group("close") == "}" and braces > 0
            total -= levels.pop()
        elif token.group("op") and not braces:
            levels[-1] += 1
            total += 1
        else:
            continue
        deepest = max(deepest, len(levels) - 1 + total)
    return deepest


def _most_depth(expr: str) -> int:
    """A bound on `depth(expr)`, counted in C: every bracket that opens a level and every
    operator is one of these characters or words (strings and comments may add more)."""
    return sum(map(expr.count, "([{+-*/%^<>=!")) + sum(
        map(expr.count, ("and", "or", "unless", "atan2"))
    )


def parse(expr: str, dialect: str = DEFAULT) -> promql_parser.Expr:
    """The syntax tree of an expression the Prometheus of `dialect` (prometheus.dialect: "2.42"
    or "3") accepts; ValueError saying why not. Every text handed to the PromQL parser goes
    through here: it is refused first when it nests deeper than MAX_DEPTH."""
    # each level takes a character at least: a short text cannot nest too deep
    nested = depth(expr) if len(expr) > MAX_DEPTH and _most_depth(expr) > MAX_DEPTH else 0
    if nested > MAX_DEPTH:
        raise ValueError(
            f"nests {nested} levels deep (brackets and chained operators), more than the "
            f"{MAX_DEPTH} stackgen reads: split it into recording rules"
        )
    refused = version_error(expr, dialect)  # what promql-parser takes and the target does not
    if refused is not None:
        raise ValueError(refused)
    if dialect == DEFAULT and "holt_winters" in expr:
        # The parser follows Prometheus 3, where 2.42's holt_winters took a new name.
        expr = HOLT_WINTERS.sub("double_exponential_smoothing(", expr)
    try:
        return promql_parser.parse(expr)
    except ValueError as exc:
        raise ValueError(f"invalid PromQL: {exc}") from None


def quote(value: str) -> str:
    """A PromQL (and Alertmanager matcher) string literal for any text."""
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


_RE2_SPECIAL = re.compile(r"([\\.+*?()|\[\]{}^$])")


def literal_regex(text: str) -> str:
    """A regex (RE2) matching exactly `text`."""
    return _RE2_SPECIAL.sub(r"\\\1", text)


def selector(metric: str, matchers: dict[str, str] | None = None, **equal: str) -> str:
    """`metric{a="1",b=~"x|y"}`: `equal` are exact matches; `matchers` map label to `op value`
    text already formed, such as {'status': '=~"5.."'}."""
    parts = [f"{name}={quote(value)}" for name, value in equal.items()]
    parts += [f"{name}{op}" for name, op in (matchers or {}).items()]
    return f"{metric}{{{','.join(parts)}}}" if parts else metric
