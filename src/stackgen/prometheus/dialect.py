"""The PromQL dialects stackgen checks against, and what each refuses that the parser stackgen
uses (promql-parser, which follows Prometheus 3) accepts. Read from the text, before parsing:
each is a token the text shows.

- "2.42" (the default, Debian 12's): no function or modifier newer than 2.42, no quoted
  (UTF-8) metric or label names, durations only in ranges and after `offset`.
- "3" (Prometheus 3.x, as promql-parser reads it): those are allowed; `holt_winters` is gone
  (3.0 renamed it `double_exponential_smoothing`).

Both: numbers out of float64's range, and regexes Go's RE2 does not compile."""

from __future__ import annotations

import math
import re

from stackgen.prometheus.literals import STRING_LITERAL, blank_strings
from stackgen.prometheus.re2 import re2_error

_STRING = STRING_LITERAL.pattern
# A string literal, a comment, or a regex matcher's operator.
_TOKEN = re.compile(rf"(?P<string>{_STRING})|(?P<comment>#[^\n]*)|(?P<regex>[=!]~)")
# Each check below has a cheap pattern that any text it refuses matches, tried first: most
# expressions are refused by none, and the exact patterns cost more.

# Functions, aggregations and modifiers newer than 2.42 (promql/parser/functions.go, lex.go).
_NEWER_NAMES = (
    "sort_by_label", "sort_by_label_desc", "double_exponential_smoothing", "info",
    "histogram_avg", "histogram_stddev", "histogram_stdvar", "histogram_quantiles",
    "mad_over_time", r"ts_of_\w+", "first_over_time", "limitk", "limit_ratio", "max_of",
    "min_of", "range", "start_timestamp", "step", "fill", "fill_left", "fill_right",
)  # fmt: skip
_MAYBE_NEWER = re.compile("|".join(_NEWER_NAMES))
_NEWER = re.compile(rf"\b({'|'.join(_NEWER_NAMES)})\s*\(")
# start() and end() are 2.42's only after `@`.
_BOUND = re.compile(r"\b(start|end)\s*\(\s*\)")
_AT_BOUND = re.compile(r"@\s*$")
_MAYBE_DURATION = re.compile(r"\d(?:ms|[smhdwy])")
_DURATION = re.compile(r"(?<![\w.])\d+(?:ms|[smhdwy])(?:\d+(?:ms|[smhdwy]))*(?![\w.])")
_OFFSET_BEFORE = re.compile(r"\boffset\s*-?\s*$", re.IGNORECASE)
_MAYBE_NUMBER = re.compile(r"[\d.][eE][+-]?\d")
_NUMBER = re.compile(r"(?<![\w.])(?:\d+\.?\d*|\.\d+)[eE][+-]?\d+(?![\w.])")
# In code whose strings are emptied: a string where a name belongs, first in a selector's braces
# or after a comma there (a metric or label name), or in a grouping's label list (where one not
# after `(` or a comma is a syntax error, left to the parser).
_MAYBE_QUOTED_NAME = re.compile(r'[{,(]\s*""')
_QUOTED_NAME = re.compile(
    r'\{(?:[^{}]*,)?\s*""(?=[^{}]*\})'
    r'|\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^()]*""(?=[^()]*\))',
    re.IGNORECASE,
)
_BRACKETS = re.compile(r"\[[^\]]*\]")


def _unquote(literal: str) -> str:
    """A PromQL string literal's value (escapes as Go's strconv reads them, near enough for a
    regex: `\\\\` and the quote)."""
    body = literal[1:-1]
    if literal[0] == "`":
        return body
    return re.sub(r"\\(.)", lambda m: {"n": "\n", "t": "\t"}.get(m.group(1), m.group(1)), body)


# Each string literal, whole (so that nothing inside one is read), the regex of a matcher
# captured.
_REGEX_OR_STRING = re.compile(rf"[=!]~\s*({_STRING})|{_STRING}")


def _code_and_regexes(expr: str) -> tuple[str, list[str]]:
    """The text with strings emptied and comments blanked, and the regexes of its matchers."""
    if "#" not in expr:  # no comment: two scans in C, no loop over the tokens here
        regexes = [_unquote(found) for found in _REGEX_OR_STRING.findall(expr) if found]
        return blank_strings(expr), regexes
    code, regexes, position, after_regex = [], [], 0, False
    for token in _TOKEN.finditer(expr):
        code.append(expr[position : token.start()])
        if after_regex and expr[position : token.start()].strip():
            after_regex = False
        position = token.end()
        if token.group("string"):
            if after_regex:
                regexes.append(_unquote(token.group("string")))
            code.append('""')
            after_regex = False
        elif token.group("comment"):
            code.append(" ")
        else:
            code.append(token.group("regex"))
            after_regex = True
    code.append(expr[position:])
    return "".join(code), regexes


def _outside_brackets(code: str) -> str:
    """The code with each `[...]` (ranges, subqueries) a space."""
    return _BRACKETS.sub(" ", code)


DEFAULT = "2.42"
DIALECTS = ("2.42", "3")
_VERSION = re.compile(r"2\.42(?:\.\d+)?|3(?:\.\d+){0,2}")
HOLT_WINTERS = re.compile(r"\bholt_winters\s*\(")


def dialect(version: str) -> str:
    """The dialect of a Prometheus version ("2.42", "2.42.0", "3", "3.5.0"); ValueError naming
    those stackgen knows for any other."""
    if not _VERSION.fullmatch(version.strip()):
        raise ValueError(
            f"Prometheus {version!r} is not one stackgen checks PromQL for: 2.42 or 3.x"
        )
    return "2.42" if version.strip().startswith("2.") else "3"


def version_error(expr: str, target: str = DEFAULT) -> str | None:
    """Why the `target` dialect refuses `expr` where promql-parser would take it, or None."""
    code, regexes = _code_and_regexes(expr)
    if target == "3":
        return _v3_error(code, regexes)
    newer: list[str] = []
    if _MAYBE_NEWER.search(code):
        newer += {m.group(1) for m in _NEWER.finditer(code)}
    for bound in _BOUND.finditer(code) if "start" in code or "end" in code else ():
        if not _AT_BOUND.search(code[: bound.start(1)]):
            newer.append(f"{bound.group(1)}()")
    if newer:
        names = ", ".join(f"`{name}`" for name in sorted(set(newer)))
        return f"uses {names}, newer than Prometheus 2.42, the target"
    if _MAYBE_QUOTED_NAME.search(code) and _QUOTED_NAME.search(code):
        return "quotes a metric or label name, which Prometheus 2.42 does not allow (3.0 does)"
    plain = _outside_brackets(code)
    for duration in _DURATION.finditer(plain) if _MAYBE_DURATION.search(plain) else ():
        if not _OFFSET_BEFORE.search(plain[: duration.start()]):
            return (
                f"uses the duration `{duration.group(0)}` as a number: Prometheus 2.42 takes "
                "durations only in `[...]` and after `offset`; write seconds, such as 300"
            )
    return _numbers_and_regexes_error(plain, regexes, angle_names=False)  # Go 1.19


def _v3_error(code: str, regexes: list[str]) -> str | None:
    if HOLT_WINTERS.search(code):
        return (
            "uses `holt_winters`, which Prometheus 3 renamed `double_exponential_smoothing` "
            "(behind --enable-feature=promql-experimental-functions)"
        )
    return _numbers_and_regexes_error(_outside_brackets(code), regexes, angle_names=True)


def _numbers_and_regexes_error(plain: str, regexes: list[str], angle_names: bool) -> str | None:
    for number in _NUMBER.finditer(plain) if _MAYBE_NUMBER.search(plain) else ():
        if math.isinf(float(number.group(0))):
            return f"`{number.group(0)}` is out of the range of a float64"
    for regex in regexes:
        error = re2_error(regex, angle_names)
        if error is not None:
            return f'the regex "{regex}" is not one Go (RE2) compiles: {error}'
    return None
