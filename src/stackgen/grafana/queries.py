"""Prometheus queries as Grafana dashboards hold them: Grafana's variables substituted so the
query parses, with its range variables told apart from fixed ranges."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import promql_parser as ast

from stackgen.common.values import format_duration
from stackgen.prometheus.literals import STRING_LITERAL
from stackgen.prometheus.promql import parse
from stackgen.prometheus.query import children, function, unwrap

# Stand-ins for Grafana's range variables, so a query parses and its ranges can be told apart.
RATE_INTERVAL, DASHBOARD_RANGE = 31337.0, 31338.0
_VARIABLE = re.compile(r"\$\{[^}]*\}|\$[A-Za-z_]\w*|\[\[[^\]]*\]\]")
_RANGE_VARIABLES = {"__rate_interval": RATE_INTERVAL, "__range": DASHBOARD_RANGE}
RATE_FUNCTIONS = ("rate", "irate", "increase")

Path = tuple[str | int, ...]


def _substituted(expr: str, other: str) -> str:
    """The query with Grafana's variables outside string literals replaced: range variables by
    stand-in durations, the others by `other`."""

    def variable(match: re.Match[str]) -> str:
        name = match.group(0).strip("${}[]").split(":")[0]
        if name in _RANGE_VARIABLES:
            return format_duration(_RANGE_VARIABLES[name])
        before = expr[: match.start()].rstrip()
        return "5m" if before.endswith("[") or before.endswith(":") else other

    pieces, last = [], 0
    for literal in STRING_LITERAL.finditer(expr):
        pieces += [_VARIABLE.sub(variable, expr[last : literal.start()]), literal.group(0)]
        last = literal.end()
    return "".join([*pieces, _VARIABLE.sub(variable, expr[last:])])


def parse_dashboard_query(expr: str) -> ast.Expr:
    """The syntax tree of a dashboard query; ValueError when it does not parse."""
    try:
        return parse(_substituted(expr, "1"))
    except ValueError:
        return parse(_substituted(expr, "x"))  # a variable in a label-name position


def dashboard_queries(data: Any, path: Path = ()) -> Iterator[tuple[Path, str]]:
    """(path, expr) of every Prometheus query in a dashboard, rows and library panels too."""
    found: list[tuple[Path, str]] = []
    _collect_queries(data, path, found)
    return iter(found)


def _collect_queries(data: Any, path: Path, found: list[tuple[Path, str]]) -> None:
    # Appends rather than nesting generators, and descends only into containers: a dashboard
    # has tens of thousands of values, few of them queries.
    if isinstance(data, dict):
        if isinstance(data.get("expr"), str) and "targets" in path:
            found.append(((*path, "expr"), data["expr"]))
        for key, value in data.items():
            if isinstance(value, (dict, list)):
                _collect_queries(value, (*path, str(key)), found)
    elif isinstance(data, list):
        for index, value in enumerate(data):
            if isinstance(value, (dict, list)):
                _collect_queries(value, (*path, index), found)


def nodes(tree: ast.Expr) -> Iterator[ast.Expr]:
    """Every node, in the order of `query.walk`, without the nodes above each: a loop, not
    nested generators, so the overview's `a or b or ...` over every service costs its length
    rather than its square."""
    pending = [tree]
    while pending:
        node = pending.pop()
        yield node
        pending.extend(reversed(children(node)))


def fixed_ranges(tree: ast.Expr) -> Iterator[tuple[str, float]]:
    """(function, seconds) for every rate()-like call over a fixed range rather than
    $__rate_interval or $__range."""
    for node in nodes(tree):
        if function(node) in RATE_FUNCTIONS and node.args:
            window = unwrap(node.args[0])
            if isinstance(window, ast.MatrixSelector):
                seconds = window.range.total_seconds()
                if seconds not in (RATE_INTERVAL, DASHBOARD_RANGE):
                    yield str(function(node)), seconds


# Where a term of an `or` chain may begin and end: outside string literals and comments.
_OR = " or "
_QUOTES_OR_COMMENT = re.compile(r"[\"'`#]")


def collapsed(expr: str) -> str:
    """`expr` with each run of identical `or` terms written once: `a or t or t or t` is valid
    exactly when `a or t` is (an `or` checks its own two sides only), and reads the same
    metrics. The overview's query `or`s every service's series, and the parser takes time
    in the square of a chain's length."""
    if expr.count(_OR) < 2:
        return expr
    masked = STRING_LITERAL.sub(lambda m: "_" * len(m.group(0)), expr)
    if _QUOTES_OR_COMMENT.search(masked):
        return expr  # an unterminated string, or a comment: read as written
    starts = [0, *(i + len(_OR) for i in _offsets(masked, _OR))]
    ends = [*(i - len(_OR) for i in starts[1:]), len(expr)]
    kept: list[str] = []
    for start, end in zip(starts, ends, strict=True):
        term = expr[start:end]
        if not (kept and kept[-1] == term and _self_contained(masked[start:end])):
            kept.append(term)
    return _OR.join(kept)


def _offsets(text: str, part: str) -> list[int]:
    found, at = [], text.find(part)
    while at >= 0:
        found.append(at)
        at = text.find(part, at + len(part))
    return found


def _self_contained(term: str) -> bool:
    """Every bracket the term opens it closes, and it closes none it did not open."""
    depth = 0
    for char in term:
        if char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
            if depth < 0:
                return False
    return depth == 0
